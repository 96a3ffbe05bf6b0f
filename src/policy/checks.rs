//! The `policy.*` rules (DESIGN.md §5) on a parsed policy.
//!
//! Every rule reports the exact place to change: each finding's evidence has `location`
//! (`file:line:column`), `line`, `column` and the `snippet` of that line (secrets masked).
//! Rules that apply and find nothing wrong report a `pass`, so the report shows what was
//! checked.

use crate::config::is_guid;
use crate::policy::codes;
use roxmltree::{Document, Node};

use crate::context::Ctx;
use crate::deployment::Pattern;
use crate::report::Check;

use super::pattern::{self, Features, KEY_HEADERS, Kind, header_value, is_dynamic, variables_read};
use super::source::{Loc, Source};
use super::xml::{
    self, Escaped, attr, content_range, descendants_named, is_expression, is_placeholder_name,
    named_values, placeholders_in, text_of,
};
use super::{Format, LintOptions, shown_secret};

/// Entra's default access-token lifetime (one hour), the guide's reference for the cache.
pub const DEFAULT_TOKEN_LIFETIME: u64 = 3600;
/// Margin below the token lifetime under which a cache duration is flagged as tight.
pub const CACHE_MARGIN: u64 = 300;
/// Findings listed per rule; a hostile file with thousands is not worth a longer report.
pub const MAX_FINDINGS: usize = 50;

/// A parsed policy and what it is checked against.
pub struct Lint<'a, 'i> {
    pub src: &'a Source,
    pub esc: &'a Escaped,
    pub doc: &'a Document<'i>,
    pub ctx: &'a Ctx,
    pub opts: &'a LintOptions,
    pub format: Format,
    pub root: Node<'a, 'i>,
}

impl<'a, 'i> Lint<'a, 'i> {
    pub fn new(
        src: &'a Source,
        esc: &'a Escaped,
        doc: &'a Document<'i>,
        ctx: &'a Ctx,
        opts: &'a LintOptions,
        format: Format,
    ) -> Self {
        Lint {
            src,
            esc,
            doc,
            ctx,
            opts,
            format,
            root: doc.root_element(),
        }
    }

    /// The parsed text (the policy as written, or with expressions escaped).
    pub fn text(&self) -> &'i str {
        self.doc.input_text()
    }

    pub fn is_fragment(&self) -> bool {
        xml::name(self.root) == "fragment"
    }

    /// `<inbound>`, `<backend>`, `<outbound>` or `<on-error>`.
    pub fn section(&self, name: &str) -> Option<Node<'a, 'i>> {
        if xml::name(self.root) == name {
            return Some(self.root);
        }
        self.root
            .children()
            .find(|c| c.is_element() && xml::name(*c) == name)
    }

    /// A whole policy (or its `<inbound>`): what decides whether a request is forwarded
    /// unvalidated. A fragment or another lone section cannot tell.
    pub fn has_inbound(&self) -> bool {
        matches!(xml::name(self.root), "policies" | "inbound")
    }

    /// Which section holds a node.
    pub fn section_of(&self, n: Node<'_, 'i>) -> Option<&'i str> {
        if xml::name(self.root) != "policies" {
            return Some(self.root.tag_name().name());
        }
        n.ancestors()
            .find(|a| a.parent() == Some(self.root))
            .map(|a| a.tag_name().name())
    }

    pub fn loc_of(&self, parsed_off: usize) -> Loc {
        self.src.loc(self.esc.orig(parsed_off))
    }

    /// Add location evidence for an offset in the parsed text.
    pub fn at(&self, check: Check, parsed_off: usize) -> Check {
        self.src.at(check, self.esc.orig(parsed_off))
    }

    pub fn at_node(&self, check: Check, node: Node) -> Check {
        self.at(check, node.range().start)
    }

    /// Location of an attribute's value (falls back to the element).
    pub fn at_attr(&self, check: Check, node: Node, name: &str) -> Check {
        match node.attribute_node(name) {
            Some(a) => self.at(check, a.range_value().start),
            None => self.at_node(check, node),
        }
    }

    /// First occurrence of `needle` in a range of the parsed text.
    pub fn find_raw(&self, range: std::ops::Range<usize>, needle: &str) -> Option<usize> {
        let text = self.text();
        let end = range.end.min(text.len());
        let start = range.start.min(end);
        text.get(start..end)?.find(needle).map(|i| start + i)
    }

    /// Where a string from an element's text is written in its content (`needle` unescaped;
    /// its escaped form is tried too).
    pub fn find_in_content(&self, node: Node, needle: &str) -> usize {
        let range = content_range(node, self.text());
        self.find_escaped(range.clone(), needle)
            .unwrap_or(range.start)
    }

    pub fn find_escaped(&self, range: std::ops::Range<usize>, needle: &str) -> Option<usize> {
        self.find_raw(range.clone(), needle).or_else(|| {
            let escaped = needle
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;");
            self.find_raw(range, &escaped)
        })
    }

    /// Where a string from an attribute value is written.
    pub fn find_in_attr(&self, node: Node, name: &str, needle: &str) -> usize {
        match node.attribute_node(name) {
            Some(a) => self
                .find_escaped(a.range_value(), needle)
                .unwrap_or(a.range_value().start),
            None => node.range().start,
        }
    }

    fn elements(&self) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        self.root.descendants().filter(|n| n.is_element())
    }

    /// All the rules, in report order.
    pub fn run(&self, secrets: &[SecretHit], reported_placeholders: &[usize]) -> Vec<Check> {
        let f = pattern::features(self);
        let mut out = vec![pattern::check(self, &f)];
        out.extend(named_value_checks(self));
        out.extend(placeholder_checks(self, reported_placeholders));
        out.extend(secret_checks(self.src, secrets));
        if f.kind.is_proxy() {
            out.extend(super::oauth_proxy::checks(self, &f));
            return out;
        }
        let expected = pattern::expected_pattern(self, &f);
        if self.has_inbound() {
            out.extend(validation_checks(self, &f));
        }
        for v in &f.validations {
            out.extend(audience_checks(self, *v, expected));
            out.extend(scope_checks(self, *v, expected));
        }
        if !f.obo_requests.is_empty() {
            out.extend(obo_checks(self, &f));
        }
        let on_error_alone = xml::name(self.root) == "on-error";
        if !f.validations.is_empty() || !matches!(f.kind, Kind::Unknown) || on_error_alone {
            out.extend(challenge_checks(self, &f, expected));
        }
        out.extend(buffering_checks(self));
        out
    }
}

// ---------------------------------------------------------------------------------------
// Named values

/// `apim-gateway-client-secret` → `apimGatewayClientSecret`, for the fix.
fn variable_name_for(named: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in named.chars() {
        if c == '-' || c == '_' || c == '.' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn named_value_checks(l: &Lint) -> Vec<Check> {
    let title = "Named values are used where APIM substitutes them";
    let new = || Check::new("policy.named-values", title);
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let mut in_expression = |where_: String, name: &str, off: usize, out: &mut Vec<Check>| {
        if seen.contains(&off) || out.len() >= MAX_FINDINGS {
            return;
        }
        seen.push(off);
        let var = variable_name_for(name);
        out.push(
            l.at(
                new().fail(
                    codes::NAMED_VALUE_IN_EXPRESSION,
                    format!(
                        "{{{{{name}}}}} is inside the expression of {where_}: APIM substitutes named values only in plain element and attribute text, so the expression sees the literal string \"{{{{{name}}}}}\""
                    ),
                )
                .fix(format!(
                    "Copy it into a variable first — <set-variable name=\"{var}\" value=\"{{{{{name}}}}}\" /> — and read (string)context.Variables[\"{var}\"] in the expression (guide-per-user-obo, \"Two XML quirks\")."
                )),
                off,
            )
            .evidence("named_value", name.to_string()),
        );
    };
    for el in l.elements() {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        for a in el.attributes() {
            if !is_expression(a.value()) {
                continue;
            }
            let mut cursor = a.range_value().start;
            for (_, name) in named_values(a.value()).into_iter().take(MAX_FINDINGS) {
                let needle = format!("{{{{{name}}}}}");
                let off = l
                    .find_raw(cursor..a.range_value().end, &needle)
                    .unwrap_or(cursor);
                cursor = off + 1;
                in_expression(
                    format!("<{} {}=\"…\">", xml::name(el), a.name()),
                    &name,
                    off,
                    &mut out,
                );
            }
        }
        let text = text_of(el);
        if is_expression(&text) {
            let content = content_range(el, l.text());
            let mut cursor = content.start;
            for (_, name) in named_values(&text).into_iter().take(MAX_FINDINGS) {
                let off = l
                    .find_raw(cursor..content.end, &format!("{{{{{name}}}}}"))
                    .unwrap_or(cursor);
                cursor = off + 1;
                in_expression(format!("<{}>", xml::name(el)), &name, off, &mut out);
            }
        }
    }
    // CDATA sections (outside comments).
    let text = l.text();
    let comments: Vec<_> = l
        .doc
        .descendants()
        .filter(|n| n.is_comment())
        .map(|n| n.range())
        .collect();
    let mut from = 0;
    while let Some(start) = xml::find_from(text, "<![CDATA[", from) {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        let inner_start = start + "<![CDATA[".len();
        let end = xml::find_from(text, "]]>", inner_start).unwrap_or(text.len());
        from = end;
        if comments.iter().any(|r| r.contains(&start)) {
            continue;
        }
        for (off, name) in named_values(&text[inner_start..end])
            .into_iter()
            .take(MAX_FINDINGS)
        {
            if out.len() >= MAX_FINDINGS {
                break;
            }
            out.push(
                l.at(
                    new().fail(
                        codes::NAMED_VALUE_IN_CDATA,
                        format!(
                            "{{{{{name}}}}} is inside a CDATA section: CDATA disables named-value substitution, so \"{{{{{name}}}}}\" reaches the backend literally"
                        ),
                    ),
                    inner_start + off,
                )
                .evidence("named_value", name),
            );
        }
    }
    if out.is_empty() {
        out.push(
            l.src
                .whole(new().pass("no named value inside an expression or CDATA")),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------
// Placeholders

fn placeholder_checks(l: &Lint, already: &[usize]) -> Vec<Check> {
    let new = || Check::new("policy.placeholders", "No template placeholder is left in");
    let mut out = Vec::new();
    let mut seen: Vec<usize> = already.to_vec();
    let mut push = |ph: &str, parsed_off: usize, out: &mut Vec<Check>| {
        let orig = l.esc.orig(parsed_off);
        if seen.contains(&orig) || out.len() >= MAX_FINDINGS {
            return;
        }
        seen.push(orig);
        out.push(
            l.src
                .at(
                    new().fail(
                        codes::PLACEHOLDER,
                        format!("{ph} is a placeholder from the guide, still in the policy"),
                    ),
                    orig,
                )
                .evidence("placeholder", ph.to_string()),
        );
    };
    for el in l.elements() {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        if is_placeholder_name(xml::name(el)) {
            push(&format!("<{}>", xml::name(el)), el.range().start, &mut out);
        }
        for a in el.attributes() {
            let mut cursor = a.range_value().start;
            for (_, ph) in placeholders_in(a.value()).into_iter().take(MAX_FINDINGS) {
                let off = l
                    .find_escaped(cursor..a.range_value().end, &ph)
                    .unwrap_or(cursor);
                cursor = off + 1;
                push(&ph, off, &mut out);
            }
        }
        let content = content_range(el, l.text());
        let mut cursor = content.start;
        for t in el.children().filter(|c| c.is_text()) {
            for (_, ph) in placeholders_in(t.text().unwrap_or(""))
                .into_iter()
                .take(MAX_FINDINGS)
            {
                let off = l.find_escaped(cursor..content.end, &ph).unwrap_or(cursor);
                cursor = off + 1;
                push(&ph, off, &mut out);
            }
        }
    }
    if out.is_empty() && already.is_empty() {
        out.push(
            l.src
                .whole(new().pass("no <your-…> or similar placeholder")),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------
// Secrets

/// A secret written in the policy.
#[derive(Debug, Clone)]
pub struct SecretHit {
    /// Offset in the text as written.
    pub offset: usize,
    pub value: String,
    /// How it is shown (masked key or fingerprint).
    pub shown: String,
    /// What it looks like, for the detail.
    pub what: &'static str,
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn run_len(b: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    b[from.min(b.len())..]
        .iter()
        .take_while(|c| ok(**c))
        .count()
}

fn hit(offset: usize, value: &str, what: &'static str) -> SecretHit {
    SecretHit {
        offset,
        value: value.to_string(),
        shown: shown_secret(value),
        what,
    }
}

/// Secrets recognisable by their form anywhere in the text (comments included):
/// Context7 API keys, JWTs, Entra client secrets, literal bearer tokens.
pub fn scan_secrets(text: &str) -> Vec<SecretHit> {
    let b = text.as_bytes();
    let mut out: Vec<SecretHit> = Vec::new();
    let overlaps = |out: &[SecretHit], at: usize| {
        out.iter()
            .any(|h| at >= h.offset && at < h.offset + h.value.len())
    };
    for (i, _) in text.match_indices("ctx7sk").take(MAX_FINDINGS) {
        let len = run_len(b, i, is_b64url);
        if len >= 16 {
            out.push(hit(i, &text[i..i + len], "a Context7 API key"));
        }
    }
    for (i, _) in text.match_indices("eyJ") {
        if out.len() >= 2 * MAX_FINDINGS {
            break;
        }
        if (i > 0 && is_b64url(b[i - 1])) || overlaps(&out, i) {
            continue;
        }
        let h = run_len(b, i, is_b64url);
        if h < 10 || b.get(i + h) != Some(&b'.') {
            continue;
        }
        let p = run_len(b, i + h + 1, is_b64url);
        if p < 10 || b.get(i + h + 1 + p) != Some(&b'.') {
            continue;
        }
        let s = run_len(b, i + h + p + 2, is_b64url);
        out.push(hit(
            i,
            &text[i..i + h + p + 2 + s],
            "a JWT (an access token)",
        ));
    }
    // Entra client secrets: 40 characters, the 5th and 6th are "Q~".
    let secret_char = |c: u8| c.is_ascii_alphanumeric() || b"-_.~".contains(&c);
    for (i, _) in text.match_indices("Q~") {
        if out.len() >= 3 * MAX_FINDINGS {
            break;
        }
        if i < 4 {
            continue;
        }
        let start = i - 4;
        if (start > 0 && secret_char(b[start - 1])) || !b[start..i].iter().all(|c| secret_char(*c))
        {
            continue;
        }
        let len = run_len(b, start, secret_char);
        if (36..=44).contains(&len) && !overlaps(&out, start) {
            out.push(hit(
                start,
                &text[start..start + len],
                "an Entra client secret",
            ));
        }
    }
    for (i, _) in text.match_indices("Bearer ") {
        if out.len() >= 4 * MAX_FINDINGS {
            break;
        }
        let at = i + "Bearer ".len();
        let tok_char = |c: u8| c.is_ascii_alphanumeric() || b"-_.~+/=".contains(&c);
        let len = run_len(b, at, tok_char);
        let tok = &text[at..at + len];
        if len >= 32
            && !overlaps(&out, at)
            && tok.bytes().any(|c| c.is_ascii_digit())
            && !tok.contains("resource_metadata")
        {
            out.push(hit(at, tok, "a bearer token"));
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

fn is_literal_secret(v: &str) -> bool {
    let v = v.trim();
    v.len() >= 8
        && !is_dynamic(v)
        && placeholders_in(v).is_empty()
        && !v.chars().any(char::is_whitespace)
}

/// Secrets the structure reveals: a literal in a secret-named variable, a literal API-key
/// header or `Authorization` value, a literal `client_secret` in a request body.
pub fn structural_secrets(l: &Lint) -> Vec<SecretHit> {
    let mut out: Vec<SecretHit> = Vec::new();
    let orig_of_attr =
        |n: Node, name: &str, needle: &str| l.esc.orig(l.find_in_attr(n, name, needle));
    for el in l.elements() {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        match xml::name(el) {
            "set-variable" => {
                let name = attr(el, "name").unwrap_or("").to_ascii_lowercase();
                let secretish = ["secret", "password", "apikey", "api-key", "api_key"]
                    .iter()
                    .any(|w| name.contains(w))
                    || name.ends_with("key");
                if let Some(v) = attr(el, "value")
                    && secretish
                    && is_literal_secret(v)
                {
                    let v = v.trim();
                    out.push(hit(
                        orig_of_attr(el, "value", v),
                        v,
                        "a secret in a set-variable",
                    ));
                }
            }
            "set-header" => {
                let name = attr(el, "name").unwrap_or("").to_ascii_lowercase();
                for v in xml::children_named(el, "value") {
                    let text = text_of(v);
                    let t = text.trim();
                    let literal = if KEY_HEADERS.contains(&name.as_str()) {
                        Some(t)
                    } else if name == "authorization" {
                        t.strip_prefix("Bearer ")
                            .or_else(|| t.strip_prefix("bearer "))
                            .or_else(|| t.strip_prefix("Basic "))
                            .map(str::trim)
                    } else {
                        None
                    };
                    if let Some(lit) = literal
                        && !is_expression(t)
                        && is_literal_secret(lit)
                    {
                        out.push(hit(
                            l.esc.orig(l.find_in_content(v, lit)),
                            lit,
                            "a literal credential in a header",
                        ));
                    }
                }
            }
            _ => {}
        }
        // client_secret with a literal value, in a body or an attribute.
        let text = text_of(el);
        for (i, _) in text.match_indices("client_secret") {
            if out.len() >= MAX_FINDINGS {
                break;
            }
            let rest = &text[i + "client_secret".len()..];
            let skip = rest
                .find(|c: char| {
                    !matches!(c, '"' | '\'' | ' ' | '\t' | '\r' | '\n' | ',' | ':' | '=')
                })
                .unwrap_or(rest.len());
            let sep = &rest[..skip];
            let val = &rest[skip..];
            let lit = if is_expression(&text) {
                // In C#, only a string literal is a literal; an identifier is a variable.
                if !sep.ends_with('"') || sep.matches('"').count() < 2 {
                    continue;
                }
                val.split('"').next().unwrap_or("")
            } else {
                val.split(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace())
                    .next()
                    .unwrap_or("")
            };
            if lit.len() >= 8 && !lit.contains("{{") && !lit.contains("Variables") {
                out.push(hit(
                    l.esc.orig(l.find_in_content(el, lit)),
                    lit,
                    "a literal client_secret",
                ));
            }
        }
    }
    out
}

/// One failing check per secret, or a pass.
pub fn secret_checks(src: &Source, hits: &[SecretHit]) -> Vec<Check> {
    let new = || Check::new("policy.secrets", "No secret is written in the policy");
    if hits.is_empty() {
        return vec![src.whole(new().pass("no API key, client secret or token literal"))];
    }
    hits.iter()
        .map(|h| {
            src.at(
                new().fail(
                    codes::SECRET_INLINE,
                    format!("{} is written inline: {} (shown masked)", h.what, h.shown),
                ),
                h.offset,
            )
            .evidence("secret", h.shown.clone())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Token validation, audience, scope

fn validation_checks(l: &Lint, f: &Features) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.token-validation",
            "The token is validated before the request is forwarded",
        )
    };
    let Some(&v) = f.validations.first() else {
        if f.returns.is_some() {
            // Answers itself; nothing is forwarded.
            return Vec::new();
        }
        let inbound = l.section("inbound").unwrap_or(l.root);
        let forwards_to_context7 = !matches!(f.kind, Kind::Unknown)
            || !f.rewrite_oauth.is_empty()
            || !f.auth_headers.is_empty();
        if !forwards_to_context7 && f.inbound_base {
            return vec![l.at_node(
                new().info(
                    codes::NO_TOKEN_VALIDATION,
                    "no validate-azure-ad-token here; this policy relies on <base /> — lint the API-level policy too (the guide validates there)",
                ),
                inbound,
            )];
        }
        let base_note = if f.inbound_base {
            " (unless a parent scope validates through <base />: lint that policy with this one)"
        } else {
            ""
        };
        return vec![l.at_node(
            new().fail(
                codes::NO_TOKEN_VALIDATION,
                format!(
                    "no validate-azure-ad-token or validate-jwt in <inbound>: requests are forwarded to Context7 without any check of who sent them{base_note}"
                ),
            ),
            inbound,
        )];
    };
    let mut out = Vec::new();
    let tag = xml::name(v);
    if v.ancestors().any(|a| a.has_tag_name("choose")) {
        out.push(l.at_node(
            new().warn(
                codes::NO_TOKEN_VALIDATION,
                format!("{tag} is inside a <choose>: requests taking another branch are forwarded without validation"),
            ),
            v,
        ));
    }
    if let Some(first) = f
        .obo_requests
        .iter()
        .chain(f.key_swaps.iter())
        .filter(|n| n.range().start < v.range().start)
        .min_by_key(|n| n.range().start)
    {
        let loc = l.loc_of(first.range().start);
        out.push(l.at_node(
            new().warn(
                codes::NO_TOKEN_VALIDATION,
                format!(
                    "<{}> at {}:{} runs before {tag}: unauthenticated requests reach it",
                    xml::name(*first),
                    loc.line,
                    loc.col
                ),
            ),
            v,
        ));
    }
    if descendants_named(v, "audience").next().is_none() {
        out.push(l.at_node(
            new().warn(
                codes::NO_TOKEN_VALIDATION,
                format!(
                    "{tag} has no <audiences>: a token issued for any app of the tenant is accepted"
                ),
            ),
            v,
        ));
    }
    if out.is_empty() {
        let loc = l.loc_of(v.range().start);
        out.push(l.at_node(new().pass(format!("{tag} at {}:{}", loc.line, loc.col)), v));
    }
    out
}

/// The app a pattern's client token is for, its flag, and the other hop's app.
fn apps<'l>(l: &'l Lint, p: Pattern) -> (Option<&'l str>, &'static str, Option<&'l str>) {
    let cfg = &l.ctx.cfg;
    match p {
        Pattern::Obo => (
            cfg.gateway_app_id.as_deref(),
            "--gateway-app-id",
            cfg.mcp_app_id.as_deref(),
        ),
        _ => (
            cfg.mcp_app_id.as_deref(),
            "--mcp-app-id",
            cfg.gateway_app_id.as_deref(),
        ),
    }
}

fn audience_checks(l: &Lint, v: Node, p: Pattern) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.audience",
            "The validated audience is the right app's client ID",
        )
    };
    let audiences: Vec<(Node, String)> = descendants_named(v, "audience")
        .map(|a| (a, text_of(a).trim().to_string()))
        .collect();
    if audiences.is_empty() {
        return Vec::new();
    }
    let (want, flag, other) = apps(l, p);
    let which = if p == Pattern::Obo {
        "the APIM Gateway app"
    } else {
        "the MCP API app"
    };
    let mut out = Vec::new();
    let uris: Vec<&(Node, String)> = audiences
        .iter()
        .filter(|(_, s)| s.to_ascii_lowercase().starts_with("api://"))
        .collect();
    let plain = audiences.len() - uris.len();
    if let Some((node, value)) = uris.first() {
        if plain == 0 {
            out.push(
                l.at_node(
                    new().fail(
                        codes::AUDIENCE_URI,
                        format!(
                            "the audience is {value}: v2.0 tokens carry the app's client ID (a GUID) in aud, not the Application ID URI, so every valid token is rejected"
                        ),
                    ),
                    *node,
                )
                .fix(format!(
                    "Use the client ID of {which}: <audience>{}</audience>, and keep requestedAccessTokenVersion 2 in its manifest.",
                    want.unwrap_or(if p == Pattern::Obo { "{{apim-gateway-app-id}}" } else { "{{mcp-api-app-id}}" })
                )),
            );
        } else {
            out.push(l.at_node(
                new().info(
                    codes::AUDIENCE_URI,
                    format!(
                        "both {value} and a client ID are listed: v2.0 tokens carry the GUID; the api:// entry only matches v1.0 tokens, which Context7 rejects anyway"
                    ),
                ),
                *node,
            ));
        }
    }
    for (node, value) in &audiences {
        let id = value
            .strip_prefix("api://")
            .unwrap_or(value)
            .trim_end_matches('/');
        if let [(_, name)] = named_values(value).as_slice() {
            let n = name.to_ascii_lowercase();
            let other_named = if p == Pattern::Obo {
                n.contains("mcp") && !n.contains("gateway")
            } else {
                n.contains("gateway")
            };
            if other_named {
                out.push(l.at_node(
                    new().warn(
                        crate::token::codes::AUDIENCE_OTHER_HOP,
                        format!(
                            "the audience is the named value {{{{{name}}}}}, which by its name is the other hop's app: with --pattern {} clients send tokens for {which}",
                            p.as_str()
                        ),
                    ),
                    *node,
                ));
            }
            continue;
        }
        if !is_guid(id) {
            continue;
        }
        if other.is_some_and(|o| o.eq_ignore_ascii_case(id)) {
            out.push(l.at_node(
                new().fail(
                    crate::token::codes::AUDIENCE_OTHER_HOP,
                    format!(
                        "the audience {id} is the other hop's app; with --pattern {} clients send tokens for {which}",
                        p.as_str()
                    ),
                ),
                *node,
            ));
        } else if let Some(w) = want
            && !w.eq_ignore_ascii_case(id)
        {
            out.push(l.at_node(
                new().warn(
                    crate::token::codes::AUDIENCE_MISMATCH,
                    format!("the audience {id} is not {which} ({flag} {w})"),
                ),
                *node,
            ));
        }
    }
    if out.is_empty() {
        let list: Vec<&str> = audiences.iter().map(|(_, s)| s.as_str()).collect();
        let note = if want.is_none() && list.iter().any(|s| is_guid(s)) {
            format!(" (set {flag} to compare)")
        } else {
            String::new()
        };
        out.push(l.at_node(
            new().pass(format!("audiences: {}{note}", list.join(", "))),
            audiences[0].0,
        ));
    }
    out
}

fn scope_checks(l: &Lint, v: Node, p: Pattern) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.scope",
            "The required scope is the one clients' tokens carry",
        )
    };
    let (want, other) = match p {
        Pattern::Obo => ("Mcp.Gateway.Access", "mcp.access"),
        _ => ("mcp.access", "Mcp.Gateway.Access"),
    };
    let hop = |s: &str| {
        if s == "mcp.access" {
            "backend (MCP API)"
        } else {
            "client (gateway)"
        }
    };
    let claims: Vec<Node> = descendants_named(v, "claim").collect();
    let scp: Vec<Node> = claims
        .iter()
        .copied()
        .filter(|c| {
            attr(*c, "name").is_some_and(|n| {
                n == "scp" || n == "http://schemas.microsoft.com/identity/claims/scope"
            })
        })
        .collect();
    if scp.is_empty() {
        let at = descendants_named(v, "required-claims").next().unwrap_or(v);
        let detail = if claims.iter().any(|c| attr(*c, "name") == Some("roles")) {
            format!(
                "<required-claims> checks roles, not scp: roles are app permissions (app-only tokens); users' tokens carry scp {want}"
            )
        } else {
            format!(
                "no required scp claim: any token for the audience passes, app-only tokens included; clients' tokens carry scp {want}"
            )
        };
        return vec![l.at_node(new().warn(codes::SCOPE_CLAIM, detail), at)];
    }
    let mut out = Vec::new();
    for claim in scp {
        let values: Vec<(Node, String)> = xml::children_named(claim, "value")
            .map(|n| (n, text_of(n).trim().to_string()))
            .collect();
        let match_ = attr(claim, "match");
        let mut found = Vec::new();
        if let Some(m) = match_
            && m != "all"
            && m != "any"
        {
            found.push((
                claim,
                true,
                format!("match=\"{m}\" is not valid: use \"any\" (or \"all\")"),
            ));
        }
        for (n, s) in &values {
            if is_dynamic(s) {
                continue;
            }
            if s.contains(char::is_whitespace) || s.contains(',') {
                found.push((*n, true, format!("one <value> holds several scopes ({s}): each <value> is compared with one scope, so it never matches; write one <value> per scope")));
            } else if s.contains('/') {
                found.push((*n, true, format!("{s} is a fully qualified scope: scp carries only the scope name ({want}), so it never matches")));
            } else if s != want && s.eq_ignore_ascii_case(want) {
                found.push((
                    *n,
                    true,
                    format!(
                        "{s} differs from the scope {want} in case; scp values are compared exactly"
                    ),
                ));
            }
        }
        let plain: Vec<&str> = values.iter().map(|(_, s)| s.as_str()).collect();
        let has_want = plain.contains(&want);
        let has_other = plain.contains(&other);
        let dynamic = plain.iter().any(|s| is_dynamic(s));
        if found.is_empty() {
            if !has_want && !dynamic {
                if has_other {
                    found.push((claim, true, format!(
                        "requires scp {other}, the {} hop's scope: the tokens clients send here carry {want}",
                        hop(other)
                    )));
                } else {
                    found.push((
                        claim,
                        false,
                        format!(
                            "requires scp {}; the guide's scope for --pattern {} is {want}",
                            plain.join(", "),
                            p.as_str()
                        ),
                    ));
                }
            } else if has_want && plain.len() > 1 && match_.unwrap_or("all") == "all" {
                found.push((
                    claim,
                    has_other,
                    format!(
                        "match=\"{}\" requires every listed scope ({}) in one token{}",
                        match_.unwrap_or("all (the default)"),
                        plain.join(", "),
                        if has_other {
                            ": no client token carries both hops' scopes"
                        } else {
                            ""
                        }
                    ),
                ));
            } else if has_want && has_other {
                found.push((claim, false, format!(
                    "also accepts {other}, the {} hop's scope: tokens meant for the other hop pass",
                    hop(other)
                )));
            }
        }
        if let Some(sep) = attr(claim, "separator")
            && sep != " "
        {
            found.push((claim, false, format!("separator=\"{sep}\": scp is a space-separated list; use separator=\" \" or none")));
        }
        if found.is_empty() {
            out.push(l.at_node(
                new().pass(format!(
                    "requires scp {}{}",
                    plain.join(", "),
                    if dynamic {
                        " (from a named value or expression: not compared)"
                    } else {
                        ""
                    }
                )),
                claim,
            ));
        }
        for (node, fail, detail) in found {
            let c = if fail {
                new().fail(codes::SCOPE_CLAIM, detail)
            } else {
                new().warn(codes::SCOPE_CLAIM, detail)
            };
            out.push(l.at_node(
                c.fix(format!(
                    "<claim name=\"scp\" match=\"any\"><value>{want}</value></claim> in <required-claims>."
                )),
                node,
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// OBO cache

/// Expand the variables a key reads into their definitions (a few levels).
fn expand_key(key: &str, f: &Features) -> String {
    let mut text = key.to_string();
    let mut todo = variables_read(key);
    let mut done: Vec<String> = Vec::new();
    for _ in 0..4 {
        let mut next = Vec::new();
        for var in todo {
            if done.contains(&var) {
                continue;
            }
            if let Some(def) = f.variable(&var) {
                let v = attr(def, "value")
                    .map(str::to_string)
                    .unwrap_or_else(|| text_of(def));
                next.extend(variables_read(&v));
                text.push('\n');
                text.push_str(&v);
            }
            done.push(var);
        }
        todo = next;
    }
    text
}

fn obo_checks(l: &Lint, f: &Features) -> Vec<Check> {
    let mut out = Vec::new();
    let key_check = || {
        Check::new(
            codes::OBO_CACHE_KEY.code,
            "The OBO cache key includes the user's oid",
        )
    };
    let caches: Vec<Node> = f
        .cache_lookups
        .iter()
        .chain(f.cache_stores.iter())
        .copied()
        .collect();
    for n in &caches {
        let tag = xml::name(*n);
        let Some(key) = attr(*n, "key") else {
            out.push(l.at_node(
                key_check().fail(codes::OBO_CACHE_KEY, format!("<{tag}> has no key")),
                *n,
            ));
            continue;
        };
        let expanded = expand_key(key, f);
        let oid = expanded.contains("\"oid\"")
            || expanded.contains("'oid'")
            || expanded.contains("objectidentifier");
        let per_token = expanded.contains("Authorization") || expanded.contains("AsJwt");
        let check = if oid {
            key_check().pass(format!("<{tag}> key {key} includes the oid claim"))
        } else if expanded.contains("context.User") {
            key_check().fail(
                codes::OBO_CACHE_KEY,
                format!(
                    "<{tag}> key {key} uses context.User — the APIM subscription's user, not the Entra user (usually empty without a subscription): users share one cached OBO token"
                ),
            )
        } else if per_token && is_expression(key) {
            key_check().pass(format!(
                "<{tag}> key {key} is derived from the inbound token: per token rather than per user (isolated, fewer cache hits)"
            ))
        } else {
            key_check().fail(
                codes::OBO_CACHE_KEY,
                format!(
                    "<{tag}> key {key} does not include the user's oid: every user gets the OBO token cached for whoever came first"
                ),
            )
        };
        out.push(l.at_attr(check.evidence("key", key.to_string()), *n, "key"));
    }
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if let (Some(look), Some(store)) = (f.cache_lookups.first(), f.cache_stores.first())
        && let (Some(a), Some(b)) = (attr(*look, "key"), attr(*store, "key"))
        && norm(a) != norm(b)
    {
        out.push(l.at_attr(
            key_check().warn(
                codes::OBO_CACHE_KEY,
                format!("cache-lookup-value reads key {a} but cache-store-value writes {b}: the cache never serves what was stored"),
            ),
            *store,
            "key",
        ));
    }

    let dur_check = || {
        Check::new(
            codes::OBO_CACHE_DURATION.code,
            "The OBO cache expires before the token does",
        )
    };
    let (limit, source) = match l.opts.token_lifetime {
        Some(t) => (t, "--token-lifetime"),
        None => (
            DEFAULT_TOKEN_LIFETIME,
            "Entra's default access-token lifetime of one hour",
        ),
    };
    for n in &f.cache_stores {
        let check = match attr(*n, "duration").map(str::trim) {
            None => dur_check().fail(
                codes::OBO_CACHE_DURATION,
                "cache-store-value has no duration",
            ),
            Some(d) if is_dynamic(d) => dur_check().pass(format!(
                "duration is computed ({d}){}",
                if d.contains("expires_in") { " from expires_in" } else { ": not checked" }
            )),
            Some(d) => match d.parse::<u64>() {
                Err(_) => dur_check().fail(
                    codes::OBO_CACHE_DURATION,
                    format!("duration=\"{d}\" is not a number of seconds"),
                ),
                Ok(secs) if secs >= limit => dur_check().fail(
                    codes::OBO_CACHE_DURATION,
                    format!(
                        "duration is {secs} s, not shorter than the token lifetime ({limit} s, {source}): APIM keeps forwarding the cached token after it expired, and Context7 answers 401 \"Token expired\""
                    ),
                ),
                Ok(secs) if l.opts.token_lifetime.is_some() && secs + CACHE_MARGIN > limit => {
                    dur_check().warn(
                        codes::OBO_CACHE_DURATION,
                        format!(
                            "duration is {secs} s, less than {CACHE_MARGIN} s below the token lifetime ({limit} s): clock skew and slow requests can still see an expired token"
                        ),
                    )
                }
                Ok(secs) => dur_check().pass(format!(
                    "duration is {secs} s, below the token lifetime ({limit} s, {source})"
                )),
            },
        };
        out.push(l.at_attr(check, *n, "duration"));
    }

    if f.auth_headers.is_empty() && f.key_swaps.is_empty() {
        out.push(l.at_node(
            Check::new(
                "policy.obo-forward",
                "The OBO token replaces the client's token",
            )
            .fail(
                crate::token::codes::AUDIENCE_OTHER_HOP,
                "the policy performs the OBO exchange but never sets the Authorization header: Context7 receives the client's gateway token, whose audience is the gateway app",
            )
            .fix("Add <set-header name=\"Authorization\" exists-action=\"override\"><value>@(\"Bearer \" + (string)context.Variables[\"oboToken\"])</value></set-header> to <inbound>, as in the guide's policy."),
            f.obo_requests[0],
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// The 401 challenge

/// The `resource_metadata` parameter of a `WWW-Authenticate` value.
pub fn resource_metadata(value: &str) -> Option<String> {
    let i = value.find("resource_metadata")?;
    let rest = value[i + "resource_metadata".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches('\\');
    let (quoted, rest) = match rest.strip_prefix('"') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let end = rest
        .find(|c: char| c == '"' || c == '\\' || (!quoted && (c == ',' || c.is_whitespace())))
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

fn challenge_checks(l: &Lint, f: &Features, p: Pattern) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.challenge",
            "A 401 carries the WWW-Authenticate discovery challenge",
        )
    };
    let mut out = Vec::new();
    for v in &f.validations {
        if let Some(code) = attr(*v, "failed-validation-httpcode")
            && code.trim() != "401"
            && !is_dynamic(code)
        {
            out.push(l.at_attr(
                new().fail(
                    codes::CHALLENGE_MISSING,
                    format!(
                        "failed-validation-httpcode is {code}: MCP clients start sign-in only on 401 (and the guide's on-error challenge is set on 401)"
                    ),
                ),
                *v,
                "failed-validation-httpcode",
            ));
        }
    }
    let on_error = l.section("on-error");
    let headers: Vec<Node> = on_error
        .map(|s| {
            descendants_named(s, "set-header")
                .filter(|h| {
                    attr(*h, "name").is_some_and(|n| n.eq_ignore_ascii_case("www-authenticate"))
                })
                .collect()
        })
        .unwrap_or_default();
    if headers.is_empty() {
        let detail = match on_error {
            None => {
                "the policy has no <on-error> section, so a 401 carries no WWW-Authenticate: MCP clients cannot discover where to sign in"
            }
            Some(_) => {
                "<on-error> never sets WWW-Authenticate, so a 401 carries no resource_metadata: MCP clients cannot discover where to sign in"
            }
        };
        // Guide 1 (shared-key, passthrough) has no discovery surface: clients are given a
        // token, so a missing challenge is only worth knowing there.
        let c = if p == Pattern::Obo {
            new().fail(codes::CHALLENGE_MISSING, detail)
        } else {
            new().info(codes::CHALLENGE_MISSING, detail)
        };
        out.push(l.at_node(c, on_error.unwrap_or(l.root)));
        return out;
    }
    let gateway = l.ctx.gateway_url();
    for h in headers {
        let value = header_value(h);
        let Some(rm) = resource_metadata(&value) else {
            out.push(l.at_node(
                new().fail(
                    codes::CHALLENGE_MISSING,
                    format!("WWW-Authenticate is {value:?}, without resource_metadata=\"https://<apim-host>/.well-known/oauth-protected-resource\""),
                ),
                h,
            ));
            continue;
        };
        let value_node = xml::children_named(h, "value").next().unwrap_or(h);
        let at = l.find_in_content(value_node, &rm);
        if !placeholders_in(&rm).is_empty() || !named_values(&rm).is_empty() || rm.contains('{') {
            out.push(l.at(
                new().pass(format!("resource_metadata is {rm} (its host is not known here: a placeholder or named value)")),
                at,
            ));
            continue;
        }
        let url = match url::Url::parse(&rm) {
            Ok(u) if u.host_str().is_some() => u,
            _ => {
                out.push(l.at(
                    new().fail(
                        codes::CHALLENGE_MISSING,
                        format!("resource_metadata {rm:?} is not an absolute URL"),
                    ),
                    at,
                ));
                continue;
            }
        };
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let c = if host == "mcp.context7.com" || host.ends_with(".context7.com") {
            new().fail(
                codes::CHALLENGE_MISSING,
                format!("resource_metadata points at {host}, Context7's own metadata: clients would be sent to Context7's authorization server instead of your Entra tenant"),
            )
        } else if let Some(g) = &gateway
            && (g.host_str().unwrap_or("").to_ascii_lowercase() != host
                || g.port_or_known_default() != url.port_or_known_default())
        {
            new().fail(
                codes::CHALLENGE_MISSING,
                format!(
                    "resource_metadata points at {}, but the gateway is {} (--host): clients fetch the metadata from the wrong place",
                    url.origin().ascii_serialization(),
                    g.origin().ascii_serialization()
                ),
            )
        } else if !url
            .path()
            .starts_with("/.well-known/oauth-protected-resource")
        {
            new().warn(
                codes::CHALLENGE_MISSING,
                format!("resource_metadata has the path {}; the guide's PRM operation is /.well-known/oauth-protected-resource", url.path()),
            )
        } else if gateway.is_none() {
            new().pass(format!(
                "resource_metadata is {rm} (set --host to compare it with the gateway)"
            ))
        } else {
            new().pass(format!("resource_metadata is {rm}"))
        };
        out.push(l.at(c.evidence("resource_metadata", rm.clone()), at));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Buffering

fn buffering_checks(l: &Lint) -> Vec<Check> {
    let new = || {
        Check::new(
            codes::BUFFERING.code,
            "The response stream is not buffered or read",
        )
    };
    let mut out = Vec::new();
    let body = "context.Response.Body";
    if let Some(outbound) = l.section("outbound") {
        for el in outbound.descendants().filter(|n| n.is_element()) {
            for a in el.attributes() {
                if a.value().contains(body) {
                    let off = l
                        .find_raw(a.range_value(), body)
                        .unwrap_or(a.range_value().start);
                    out.push(l.at(
                        new().fail(
                            codes::BUFFERING,
                            format!("<{}> reads context.Response.Body in <outbound>: APIM waits for the whole SSE stream before the client sees a byte", xml::name(el)),
                        ),
                        off,
                    ));
                }
            }
            if text_of(el).contains(body) {
                let off = l.find_in_content(el, body);
                out.push(l.at(
                    new().fail(
                        codes::BUFFERING,
                        format!("<{}> reads context.Response.Body in <outbound>: APIM waits for the whole SSE stream before the client sees a byte", xml::name(el)),
                    ),
                    off,
                ));
            }
            match xml::name(el) {
                "set-body" | "find-and-replace" | "json-to-xml" | "xml-to-json"
                | "xsl-transform" => {
                    out.push(l.at_node(
                        new().fail(
                            codes::BUFFERING,
                            format!("<{}> in <outbound> rewrites the response body: APIM buffers the whole SSE stream to do it", xml::name(el)),
                        ),
                        el,
                    ));
                }
                _ => {}
            }
        }
    }
    for el in l.elements() {
        match xml::name(el) {
            "forward-request"
                if attr(el, "buffer-response").is_some_and(|v| v.trim() == "true") =>
            {
                out.push(l.at_attr(
                    new().fail(
                        codes::BUFFERING,
                        "forward-request buffer-response=\"true\" holds the SSE stream until it ends",
                    )
                    .fix("Use <forward-request buffer-response=\"false\" /> for the MCP API (APIM's server-sent events guidance)."),
                    el,
                    "buffer-response",
                ));
            }
            "validate-content" => {
                let outbound = l.section_of(el) == Some("outbound");
                let c = if outbound {
                    new().fail(
                        codes::BUFFERING,
                        "validate-content in <outbound> reads the whole response body: the SSE stream is buffered",
                    )
                } else {
                    new().warn(
                        codes::BUFFERING,
                        "validate-content on the MCP API reads the body to validate it; keep it off the streaming responses",
                    )
                };
                out.push(l.at_node(c, el));
            }
            _ => {}
        }
    }
    if out.is_empty() {
        out.push(
            l.src
                .whole(new().pass("no response-body access, body rewriting or forced buffering")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_by_form() {
        let text = "a ctx7sk-11112222-3333-4444-5555-666677778888 b eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2ln c Abc8Q~abcdefghijklmnopqrstuvwxyz0123456_ d ctx7sk e";
        let hits = scan_secrets(text);
        let what: Vec<_> = hits.iter().map(|h| h.what).collect();
        assert_eq!(
            what,
            [
                "a Context7 API key",
                "a JWT (an access token)",
                "an Entra client secret"
            ]
        );
        assert!(hits[0].shown.starts_with("ctx7sk…"));
    }

    #[test]
    fn resource_metadata_parameter() {
        assert_eq!(
            resource_metadata(
                r#"Bearer resource_metadata="https://h/.well-known/oauth-protected-resource""#
            )
            .as_deref(),
            Some("https://h/.well-known/oauth-protected-resource")
        );
        assert_eq!(
            resource_metadata(r#"@("Bearer resource_metadata=\"https://h/x\"")"#).as_deref(),
            Some("https://h/x")
        );
        assert_eq!(resource_metadata("Bearer realm=x"), None);
    }

    #[test]
    fn variable_names() {
        assert_eq!(
            variable_name_for("apim-gateway-client-secret"),
            "apimGatewayClientSecret"
        );
    }
}
