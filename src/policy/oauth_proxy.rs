//! The OAuth-proxy operations of guide 2 Part 5 (PRM, AS metadata, `/authorize`), checked
//! with the same rules `discovery` applies to the live documents
//! ([`crate::discovery::documents`]): the JSON in `<set-body>` and the `Location` the
//! policy would send are reconstructed, then handed to those checks.
//!
//! Named values (`{{entra-tenant-id}}`) are substituted with the configured value their
//! name points at (or a neutral stand-in when none is configured: the check that compares
//! it then reports what is missing); a field made of an unknown named value is left out.
//! `context.Request.OriginalUrl.QueryString` is evaluated with a sample authorize query.

use roxmltree::Node;
use serde_json::Value;

use crate::discovery::documents::{
    DocExpect, check_as_document, check_authorize_location, check_prm_document,
};
use crate::report::Check;

use super::checks::Lint;
use super::pattern::{Features, Kind, header_value, variables_read};
use super::xml::{self, attr, descendants_named, is_expression, named_values, text_of};

/// Stand-in for a GUID named value that is not configured (not the all-zero GUID, which
/// the document checks treat as a placeholder).
const STAND_IN_GUID: &str = "11111111-2222-4333-8444-555555555555";
const STAND_IN_HOST: &str = "apim.example.invalid";

/// The checks for an OAuth-proxy operation policy.
pub fn checks(l: &Lint, f: &Features) -> Vec<Check> {
    let Some(ret) = f.returns else {
        return Vec::new();
    };
    let exp = DocExpect::from_ctx(l.ctx, None);
    match f.kind {
        Kind::Prm => body_checks(l, ret, crate::discovery::codes::PRM_INVALID, |doc| {
            check_prm_document(doc, &exp)
        }),
        Kind::AsMetadata => body_checks(l, ret, crate::discovery::codes::AS_INVALID, |doc| {
            check_as_document(doc, None, &exp)
        }),
        Kind::Authorize => authorize_checks(l, f, ret, &exp),
        _ => Vec::new(),
    }
}

/// The value a named value most likely holds, judged by its name.
fn named_value_guess(l: &Lint, name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase();
    let cfg = &l.ctx.cfg;
    let guid = |v: &Option<String>| Some(v.clone().unwrap_or_else(|| STAND_IN_GUID.into()));
    if n.contains("tenant") {
        guid(&cfg.tenant_id)
    } else if n.contains("gateway") && (n.contains("app") || n.contains("client")) {
        guid(&cfg.gateway_app_id)
    } else if n.contains("mcp") && (n.contains("app") || n.contains("client")) {
        guid(&cfg.mcp_app_id)
    } else if n.contains("host") || n.contains("apim") || n.contains("gateway") {
        Some(
            l.ctx
                .gateway_url()
                .and_then(|u| {
                    u.host_str().map(|h| match u.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_string(),
                    })
                })
                .unwrap_or_else(|| STAND_IN_HOST.into()),
        )
    } else {
        None
    }
}

/// Substitute named values in `s`; `None` when one of them cannot be guessed.
fn substitute(l: &Lint, s: &str, assumed: &mut Vec<String>) -> Option<String> {
    let mut out = s.to_string();
    for (_, name) in named_values(s) {
        let v = named_value_guess(l, &name)?;
        let note = format!("{{{{{name}}}}} = {v}");
        if !assumed.contains(&note) {
            assumed.push(note);
        }
        out = out.replace(&format!("{{{{{name}}}}}"), &v);
    }
    Some(out)
}

/// Substitute named values throughout a JSON document; drop what cannot be substituted.
fn substitute_json(l: &Lint, v: &mut Value, assumed: &mut Vec<String>, dropped: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                let keep = match map.get_mut(&k) {
                    Some(Value::String(s)) => match substitute(l, s, assumed) {
                        Some(new) => {
                            *s = new;
                            true
                        }
                        None => false,
                    },
                    Some(child) => {
                        substitute_json(l, child, assumed, dropped);
                        true
                    }
                    None => true,
                };
                if !keep {
                    map.remove(&k);
                    dropped.push(k);
                }
            }
        }
        Value::Array(items) => {
            items.retain_mut(|item| match item {
                Value::String(s) => match substitute(l, s, assumed) {
                    Some(new) => {
                        *s = new;
                        true
                    }
                    None => {
                        dropped.push(s.clone());
                        false
                    }
                },
                other => {
                    substitute_json(l, other, assumed, dropped);
                    true
                }
            });
        }
        _ => {}
    }
}

/// The JSON key a document check is about, to point at its line.
fn key_for(check_id: &str) -> Option<&'static str> {
    Some(match check_id.rsplit('.').next()? {
        "resource" => "\"resource\"",
        "scope" => "\"scopes_supported\"",
        "issuer" => "\"issuer\"",
        "pkce" => "\"code_challenge_methods_supported\"",
        "offline-access" | "offline_access" => "offline_access",
        _ => return None,
    })
}

/// Put a discovery check at its place in the policy: its own `location` evidence (a URL)
/// moves to `location_header`.
fn place(l: &Lint, mut c: Check, node: Node, fallback: usize) -> Check {
    if let Some(v) = c.evidence.remove("location") {
        c.evidence.insert("location_header".into(), v);
    }
    let at = key_for(&c.id)
        .and_then(|k| l.find_raw(xml::content_range(node, l.text()), k))
        .unwrap_or(fallback);
    l.at(c, at)
}

fn status_of<'a, 'i>(ret: Node<'a, 'i>) -> Option<(Node<'a, 'i>, Option<u16>)> {
    descendants_named(ret, "set-status")
        .next()
        .map(|s| (s, attr(s, "code").and_then(|c| c.trim().parse().ok())))
}

fn body_checks(
    l: &Lint,
    ret: Node,
    invalid: crate::findings::Code,
    run: impl FnOnce(&Value) -> Vec<Check>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let new = || {
        Check::new(
            "policy.oauth-proxy.body",
            "The operation returns its metadata JSON",
        )
    };
    if let Some((node, code)) = status_of(ret)
        && code != Some(200)
    {
        out.push(l.at_attr(
            new().fail(
                invalid,
                format!(
                    "set-status code is {}, not 200: clients treat the metadata as missing",
                    attr(node, "code").unwrap_or("?")
                ),
            ),
            node,
            "code",
        ));
    }
    let Some(body) = descendants_named(ret, "set-body").next() else {
        out.push(l.at_node(
            new().fail(invalid, "the return-response has no <set-body>"),
            ret,
        ));
        return out;
    };
    let text = text_of(body);
    let start = xml::content_range(body, l.text()).start;
    if is_expression(&text) {
        out.push(l.at(
            new().pass("the body is built by an expression; its JSON is checked only live, by `c7doctor discovery`"),
            start,
        ));
        return out;
    }
    let mut doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            // Point at the JSON error inside the body.
            let line_start = text
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum::<usize>();
            let needle = text[line_start..]
                .chars()
                .take(e.column().max(1) - 1)
                .map(char::len_utf8)
                .sum::<usize>();
            let first = text[line_start + needle..]
                .chars()
                .take(12)
                .collect::<String>();
            let at = l
                .find_raw(xml::content_range(body, l.text()), &first)
                .unwrap_or(start);
            out.push(l.at(
                new().fail(invalid, format!("the <set-body> is not valid JSON: {e}")),
                at,
            ));
            return out;
        }
    };
    let mut assumed = Vec::new();
    let mut dropped = Vec::new();
    substitute_json(l, &mut doc, &mut assumed, &mut dropped);
    for c in run(&doc) {
        let mut c = place(l, c, body, start);
        if !assumed.is_empty() {
            c = c.evidence("assumed", assumed.join("; "));
        }
        if !dropped.is_empty() {
            c = c.evidence("not_checked", dropped.join(", "));
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------
// /authorize

/// A plausible query string of an MCP client's authorize request (PKCE, loopback redirect).
fn sample_query(l: &Lint) -> String {
    let client = l
        .ctx
        .cfg
        .gateway_app_id
        .clone()
        .unwrap_or_else(|| STAND_IN_GUID.into());
    format!(
        "?client_id={client}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A33418%2F&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=api%3A%2F%2F{client}%2FMcp.Gateway.Access&state=c7doctor"
    )
}

fn authorize_checks(l: &Lint, f: &Features, ret: Node, exp: &DocExpect) -> Vec<Check> {
    let mut out = Vec::new();
    let new = || {
        Check::new(
            "policy.oauth-proxy.redirect",
            "/authorize answers with a redirect",
        )
    };
    match status_of(ret) {
        Some((_, Some(301 | 302 | 303 | 307 | 308))) => {}
        Some((node, _)) => out.push(l.at_attr(
            new().fail(
                crate::discovery::codes::AUTHORIZE_PROXIED,
                format!(
                    "set-status code is {}: /authorize must answer 302 with a Location, so the browser lands on Entra's own sign-in page",
                    attr(node, "code").unwrap_or("?")
                ),
            ),
            node,
            "code",
        )),
        None => out.push(l.at_node(
            new().fail(
                crate::discovery::codes::AUTHORIZE_PROXIED,
                "the return-response has no set-status: it answers 200, not the 302 that sends the browser to Entra",
            ),
            ret,
        )),
    }
    let Some(header) = descendants_named(ret, "set-header")
        .find(|h| attr(*h, "name").is_some_and(|n| n.eq_ignore_ascii_case("location")))
    else {
        out.push(
            l.at_node(
                Check::new(
                    "policy.oauth-proxy.location",
                    "The redirect's Location is Entra's authorize endpoint",
                )
                .fail(
                    crate::discovery::codes::AUTHORIZE_TARGET,
                    "the return-response sets no Location header",
                ),
                ret,
            ),
        );
        return out;
    };
    let value = header_value(header);
    let value_node = xml::children_named(header, "value")
        .next()
        .unwrap_or(header);
    let at = xml::content_range(value_node, l.text()).start;
    let query = sample_query(l);
    let mut assumed = Vec::new();
    let location = if is_expression(&value) {
        eval_expression(l, f, &value, &query, &mut assumed, 0)
    } else {
        substitute(l, value.trim(), &mut assumed)
    };
    let Some(location) = location else {
        out.push(l.at(
            Check::new("policy.oauth-proxy.location", "The redirect's Location is Entra's authorize endpoint")
                .pass("the Location is computed by an expression c7doctor does not evaluate; it is checked live by `c7doctor discovery`"),
            at,
        ));
        return out;
    };
    for c in check_authorize_location(&location, Some(&query), exp) {
        let mut c = place(l, c, value_node, at).evidence("evaluated_location", location.clone());
        if !assumed.is_empty() {
            c = c.evidence("assumed", assumed.join("; "));
        }
        out.push(c);
    }
    out
}

/// Deepest recursion through variables and nested expressions.
const EVAL_DEPTH: usize = 4;

/// Evaluate a string-valued policy expression: `@(…)` or `@{ … return …; }` made of string
/// literals (regular, verbatim, interpolated), `+`, the request's query string and
/// variables set from literals. `None` for anything else.
fn eval_expression(
    l: &Lint,
    f: &Features,
    expr: &str,
    query: &str,
    assumed: &mut Vec<String>,
    depth: usize,
) -> Option<String> {
    if depth > EVAL_DEPTH {
        return None;
    }
    let s = expr.trim();
    let body = if let Some(inner) = s.strip_prefix("@(").and_then(|r| r.strip_suffix(')')) {
        inner.to_string()
    } else if let Some(inner) = s.strip_prefix("@{").and_then(|r| r.strip_suffix('}')) {
        let r = inner.rfind("return ")?;
        let rest = &inner[r + "return ".len()..];
        rest[..rest.rfind(';')?].to_string()
    } else {
        return None;
    };
    let mut ev = Eval {
        l,
        f,
        query,
        assumed,
        depth,
        nest: 0,
    };
    ev.concat(&body)
}

struct Eval<'e, 'a, 'i> {
    l: &'e Lint<'a, 'i>,
    f: &'e Features<'a, 'i>,
    query: &'e str,
    assumed: &'e mut Vec<String>,
    depth: usize,
    /// Parentheses and interpolation holes entered (hostile nesting must not overflow the stack).
    nest: usize,
}

/// Deepest nesting of parentheses and holes evaluated.
const EVAL_NEST: usize = 32;

impl Eval<'_, '_, '_> {
    /// `term + term + …`, split outside strings and brackets.
    fn concat(&mut self, s: &str) -> Option<String> {
        if self.nest > EVAL_NEST {
            return None;
        }
        self.nest += 1;
        let mut out = String::new();
        for term in split_top(s, b'+')? {
            out.push_str(&self.term(term.trim())?);
        }
        self.nest -= 1;
        Some(out)
    }

    fn term(&mut self, t: &str) -> Option<String> {
        let t = t.trim();
        if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')'))
            && split_top(inner, b'+').is_some()
            && !t.starts_with("(string)")
        {
            return self.concat(inner);
        }
        let t = t.strip_prefix("(string)").map(str::trim).unwrap_or(t);
        if let Some(rest) = t.strip_prefix("$@\"").or_else(|| t.strip_prefix("@$\"")) {
            return self.interpolated(rest.strip_suffix('"')?, true);
        }
        if let Some(rest) = t.strip_prefix("$\"") {
            return self.interpolated(rest.strip_suffix('"')?, false);
        }
        if let Some(rest) = t.strip_prefix("@\"") {
            return Some(rest.strip_suffix('"')?.replace("\"\"", "\""));
        }
        if let Some(rest) = t.strip_prefix('"') {
            return Some(unescape(rest.strip_suffix('"')?));
        }
        let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.ends_with("Url.QueryString") && compact.starts_with("context.Request.") {
            return Some(self.query.to_string());
        }
        if compact.starts_with("context.Variables") {
            let var = variables_read(t).into_iter().next()?;
            let def = self.f.variable(&var)?;
            let v = attr(def, "value")?;
            return if is_expression(v) {
                eval_expression(self.l, self.f, v, self.query, self.assumed, self.depth + 1)
            } else {
                substitute(self.l, v, self.assumed)
            };
        }
        None
    }

    fn interpolated(&mut self, s: &str, verbatim: bool) -> Option<String> {
        let b = s.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'{' if b.get(i + 1) == Some(&b'{') => {
                    out.push('{');
                    i += 2;
                }
                b'}' if b.get(i + 1) == Some(&b'}') => {
                    out.push('}');
                    i += 2;
                }
                b'{' => {
                    let end = i + s[i..].find('}')?;
                    let hole = s[i + 1..end].split(':').next().unwrap_or("");
                    out.push_str(&self.concat(hole)?);
                    i = end + 1;
                }
                b'\\' if !verbatim => {
                    let next = s[i + 1..].chars().next()?;
                    out.push_str(&unescape(&format!("\\{next}")));
                    i += 1 + next.len_utf8();
                }
                _ => {
                    let next = s[i..].chars().next()?;
                    out.push(next);
                    i += next.len_utf8();
                }
            }
        }
        Some(out)
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Split `s` at `sep` outside string literals and brackets; `None` if unbalanced.
fn split_top(s: &str, sep: u8) -> Option<Vec<&str>> {
    let b = s.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let verbatim =
                    i > 0 && (b[i - 1] == b'@' || (i > 1 && b[i - 1] == b'$' && b[i - 2] == b'@'));
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' if !verbatim => i += 1,
                        b'"' if verbatim && b.get(i + 1) == Some(&b'"') => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            c if c == sep && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if depth != 0 {
        return None;
    }
    parts.push(&s[start..]);
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_strings() {
        let parts = split_top(r#""a+b" + (x + y) + $"{c}""#, b'+').unwrap();
        assert_eq!(parts.len(), 3);
        assert!(split_top("(a", b'+').is_none());
    }
}
