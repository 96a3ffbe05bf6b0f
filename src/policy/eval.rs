//! Symbolic evaluation of the few string values that matter (the `WWW-Authenticate`
//! challenge, the `/authorize` `Location`, metadata bodies): string literals (regular,
//! verbatim, interpolated), `+`, `String.Concat`/`string.Format`-free concatenation, the
//! request's query string, variables set in the policy, and named values.
//!
//! Named values are substituted as APIM does — in plain text and inside expressions — from
//! `--named-values` when given, else from the configuration when the name says which value
//! it holds (`{{entra-tenant-id}}` ← `--tenant-id`). What cannot be known (an unknown or
//! secret named value, a header of the live request, a method call) makes the whole value
//! unknown: the rules then say it is built at run time, never invent a value for it.

use super::features::variables_read;
use super::lint::Lint;
use super::named_values::Lookup;
use super::xml::{attr, is_expression, named_values};

/// Stand-in for an ID named value that is not configured (not the all-zero GUID, which
/// the document checks treat as a placeholder). Only ever used for IDs, never for hosts.
pub const STAND_IN_GUID: &str = "11111111-2222-4333-8444-555555555555";

/// The value a named value holds: from `--named-values`, else the configured value its
/// name points at. `None` when it cannot be known (or is secret).
pub fn named_value(l: &Lint, name: &str) -> Option<(String, &'static str)> {
    match l.opts.named_values.lookup(name) {
        Lookup::Known(v) => return Some((v.to_string(), "--named-values")),
        Lookup::Secret => return None,
        Lookup::Unknown => {}
    }
    let n = name.to_ascii_lowercase();
    let cfg = &l.ctx.cfg;
    let id = |v: &Option<String>, flag: &'static str| {
        Some(match v {
            Some(v) => (v.clone(), flag),
            None => (STAND_IN_GUID.to_string(), "a stand-in: not configured"),
        })
    };
    let is_id = n.ends_with("id") || n.contains("-id-") || n.contains("client-id");
    if n.contains("tenant") && is_id {
        id(&cfg.tenant_id, "--tenant-id")
    } else if n.contains("gateway") && (n.contains("app") || n.contains("client")) && is_id {
        id(&cfg.gateway_app_id, "--gateway-app-id")
    } else if n.contains("mcp") && (n.contains("app") || n.contains("client")) && is_id {
        id(&cfg.mcp_app_id, "--mcp-app-id")
    } else if n.contains("host") || n.contains("apim") || n.contains("gateway") {
        let u = l.ctx.gateway_url()?;
        let h = u.host_str()?;
        Some((
            match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            },
            "--host",
        ))
    } else {
        None
    }
}

/// Substitute named values in `s`; `None` when one of them cannot be known.
pub fn substitute(l: &Lint, s: &str, assumed: &mut Vec<String>) -> Option<String> {
    let mut out = s.to_string();
    for (_, name) in named_values(s) {
        let (v, from) = named_value(l, &name)?;
        let note = format!("{{{{{name}}}}} = {v} ({from})");
        if !assumed.contains(&note) {
            assumed.push(note);
        }
        out = out.replace(&format!("{{{{{name}}}}}"), &v);
    }
    Some(out)
}

/// Evaluate a value as APIM would produce it: plain text (named values substituted) or a
/// string-valued expression. `None` when it depends on something only known at run time.
pub fn evaluate(l: &Lint, value: &str, query: &str, assumed: &mut Vec<String>) -> Option<String> {
    if is_expression(value) {
        // Named values are substituted before the expression runs.
        let text = substitute(l, value.trim(), assumed)?;
        eval_expression(l, &text, query, assumed, 0)
    } else {
        substitute(l, value.trim(), assumed)
    }
}

/// Deepest recursion through variables and nested expressions.
const EVAL_DEPTH: usize = 4;

/// Evaluate a string-valued policy expression: `@(…)` or `@{ … return …; }` made of string
/// literals, `+`, the request's query string and variables. `None` for anything else.
fn eval_expression(
    l: &Lint,
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
        query,
        assumed,
        depth,
        nest: 0,
    };
    ev.concat(&body)
}

struct Eval<'e, 'a, 'i> {
    l: &'e Lint<'a, 'i>,
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
            let def = self.l.f.variable(&var)?;
            let v = attr(def, "value")?;
            return if is_expression(v) {
                let v = substitute(self.l, v, self.assumed)?;
                eval_expression(self.l, &v, self.query, self.assumed, self.depth + 1)
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
pub fn split_top(s: &str, sep: u8) -> Option<Vec<&str>> {
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
