//! What a policy does, recognised from its elements: which integration pattern it
//! implements (or which OAuth-proxy operation it is), which variables it sets, where it
//! answers 401, which fragments it includes, and whether it carries the MCP stream.
//!
//! - `shared-key` (guide 1, Pattern 1): validate, `set-header` of the teamspace API key,
//!   `rewrite-uri` to `/mcp/oauth`;
//! - `passthrough` (guide 1, Pattern 2): validate only — "keep validate-azure-ad-token, drop
//!   the set-header swap and the rewrite-uri" (Migration from Pattern 1);
//! - `obo` (guide 2): validate, `send-request` to the token endpoint with the jwt-bearer
//!   grant and `requested_token_use=on_behalf_of` (inline or assembled in variables), cached
//!   per user, `set-header Authorization` with the result, `rewrite-uri` to `/mcp/oauth`;
//! - the OAuth-proxy operations of guide 2 Part 5: a `return-response` with the PRM or AS
//!   metadata JSON, or the `302` to Entra's `/authorize`.
//!
//! This module reads nodes only; it knows neither the rule context nor any rule.

use roxmltree::Node;

use crate::context::Ctx;
use crate::deployment::Pattern;
use crate::report::Source as ConfigSource;

use super::xml::{self, attr, descendants_named, is_expression, named_values, text_of};

/// Headers Context7 reads an API key from (FACTS: Context7), lowercased.
pub const KEY_HEADERS: &[&str] = &[
    "context7-api-key",
    "x-context7-api-key",
    "x-api-key",
    "context7_api_key",
    "x_api_key",
];

/// What a policy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Obo,
    SharedKey,
    Passthrough,
    /// Both the API-key swap and the OBO exchange.
    Mixed,
    /// The `GET /.well-known/oauth-protected-resource` operation.
    Prm,
    /// The `GET /.well-known/oauth-authorization-server` operation.
    AsMetadata,
    /// The `GET /authorize` operation.
    Authorize,
    /// None of the above (a `<base />`-only policy, a fragment, another API).
    Unknown,
}

impl Kind {
    pub fn is_proxy(self) -> bool {
        matches!(self, Kind::Prm | Kind::AsMetadata | Kind::Authorize)
    }

    pub fn pattern(self) -> Option<Pattern> {
        match self {
            Kind::Obo => Some(Pattern::Obo),
            Kind::SharedKey => Some(Pattern::SharedKey),
            Kind::Passthrough => Some(Pattern::Passthrough),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Kind::Obo => "obo (per-user identity with the On-Behalf-Of exchange)",
            Kind::SharedKey => "shared-key (validate, then swap in the teamspace API key)",
            Kind::Passthrough => "passthrough (validate, forward the Entra token unchanged)",
            Kind::Mixed => "a mix of shared-key and obo",
            Kind::Prm => "the OAuth proxy's protected resource metadata operation (PRM)",
            Kind::AsMetadata => "the OAuth proxy's authorization server metadata operation",
            Kind::Authorize => "the OAuth proxy's /authorize redirect operation",
            Kind::Unknown => "no integration pattern",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Obo => "obo",
            Kind::SharedKey => "shared-key",
            Kind::Passthrough => "passthrough",
            Kind::Mixed => "mixed",
            Kind::Prm => "oauth-proxy-prm",
            Kind::AsMetadata => "oauth-proxy-as-metadata",
            Kind::Authorize => "oauth-proxy-authorize",
            Kind::Unknown => "unknown",
        }
    }
}

/// The elements that tell the patterns apart.
pub struct Features<'a, 'i> {
    /// `validate-azure-ad-token` / `validate-jwt` in `<inbound>`.
    pub validations: Vec<Node<'a, 'i>>,
    /// `set-header` elements that put the teamspace API key on the request.
    pub key_swaps: Vec<Node<'a, 'i>>,
    /// `rewrite-uri` elements whose template targets `/mcp/oauth`.
    pub rewrite_oauth: Vec<Node<'a, 'i>>,
    /// `send-request` elements that perform the OBO exchange.
    pub obo_requests: Vec<Node<'a, 'i>>,
    pub cache_lookups: Vec<Node<'a, 'i>>,
    pub cache_stores: Vec<Node<'a, 'i>>,
    /// `set-header name="Authorization"` in `<inbound>` (not deleting it).
    pub auth_headers: Vec<Node<'a, 'i>>,
    /// `set-variable` elements, by name, anywhere.
    pub variables: Vec<(String, Node<'a, 'i>)>,
    /// An unconditional `return-response` directly in `<inbound>`.
    pub returns: Option<Node<'a, 'i>>,
    /// `<base />` directly in `<inbound>`.
    pub inbound_base: bool,
    /// `include-fragment` elements and the fragment ids they name.
    pub includes: Vec<(Node<'a, 'i>, String)>,
    /// `set-header name="WWW-Authenticate"` anywhere (not deleting it).
    pub challenge_headers: Vec<Node<'a, 'i>>,
    /// Places the policy answers 401 itself: `return-response`/`set-status` 401,
    /// `check-header` and `validate-*` failure codes 401.
    pub unauthorized: Vec<Node<'a, 'i>>,
    /// The backend or a rewrite names Context7 (`context7.com`, `/mcp/oauth`, its key headers).
    pub targets_context7: bool,
    /// The policy forwards to an MCP path or Context7.
    pub mcp_marker: bool,
    /// The policy serves an OAuth operation (token or callback façade, metadata).
    pub oauth_operation: bool,
    pub kind: Kind,
}

impl<'a, 'i> Features<'a, 'i> {
    /// The `set-variable` of this name.
    pub fn variable(&self, name: &str) -> Option<Node<'a, 'i>> {
        self.variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, node)| *node)
    }

    /// Does this policy forward the MCP stream? Yes for the patterns' API policies and
    /// anything routed to an MCP path or Context7; no for OAuth-proxy, token and callback
    /// operations.
    pub fn carries_mcp(&self, _ctx: &Ctx) -> bool {
        if self.kind.is_proxy() || (self.oauth_operation && !self.mcp_marker) {
            return false;
        }
        self.mcp_marker || !matches!(self.kind, Kind::Unknown)
    }
}

/// `<inbound>`, `<backend>`, `<outbound>` or `<on-error>` of a policy (the root itself when
/// it is that section).
pub fn section<'a, 'i>(root: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    if xml::name(root) == name {
        return Some(root);
    }
    root.children()
        .find(|c| c.is_element() && xml::name(*c) == name)
}

/// Names of the variables an expression reads: `context.Variables["x"]`,
/// `context.Variables.GetValueOrDefault<string>("x")`, `context.Variables.TryGetValue("x", …)`.
pub fn variables_read(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in expr.match_indices("Variables") {
        let rest = &expr[i + "Variables".len()..];
        // The first string literal after, if it comes before any `;` or `+` ending the use.
        let stop = rest.find([';', '+']).unwrap_or(rest.len());
        let Some(q) = rest[..stop].find('"') else {
            continue;
        };
        if let Some(end) = rest[q + 1..].find('"') {
            let name = &rest[q + 1..q + 1 + end];
            if !name.is_empty() && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// The text of a `set-header`'s `<value>` children.
pub fn header_value(node: Node) -> String {
    xml::children_named(node, "value")
        .map(text_of)
        .collect::<Vec<_>>()
        .join(",")
}

/// Is `s` an expression, or does it read a named value (its value unknown here)?
pub fn is_dynamic(s: &str) -> bool {
    is_expression(s) || !named_values(s).is_empty()
}

/// The expression text of a `set-variable` (its `value` attribute or element text).
pub fn variable_text(node: Node) -> String {
    attr(node, "value")
        .map(str::to_string)
        .unwrap_or_else(|| text_of(node))
}

/// `text` with the definitions of the variables it reads appended, a few levels deep: what
/// a value depends on, for data-flow questions (does the key hold the oid? does the body
/// hold the OBO grant?).
pub fn expand_variables(text: &str, variables: &[(String, Node)]) -> String {
    let mut out = text.to_string();
    let mut todo = variables_read(text);
    let mut done: Vec<String> = Vec::new();
    for _ in 0..6 {
        let mut next = Vec::new();
        for var in todo {
            if done.contains(&var) || out.len() > 64 * 1024 {
                continue;
            }
            for (_, def) in variables.iter().filter(|(n, _)| *n == var) {
                let v = variable_text(*def);
                next.extend(variables_read(&v));
                out.push('\n');
                out.push_str(&v);
            }
            done.push(var);
        }
        todo = next;
    }
    out
}

fn is_key_swap(node: Node, variables: &[(String, Node)]) -> bool {
    if attr(node, "exists-action") == Some("delete") {
        return false;
    }
    let header = attr(node, "name").unwrap_or("").to_ascii_lowercase();
    if KEY_HEADERS.contains(&header.as_str()) {
        return true;
    }
    if header != "authorization" {
        return false;
    }
    let value = header_value(node);
    let looks_like_key = |s: &str| {
        s.contains("ctx7sk")
            || named_values(s).iter().any(|(_, n)| {
                let n = n.to_ascii_lowercase();
                n.contains("key") || n.contains("ctx7") || n.contains("context7")
            })
    };
    if looks_like_key(&value) {
        return true;
    }
    // A variable holding the key: <set-variable name="apiKey" value="{{context7-api-key}}" />.
    variables_read(&value).iter().any(|v| {
        variables
            .iter()
            .find(|(n, _)| n == v)
            .and_then(|(_, node)| attr(*node, "value"))
            .is_some_and(looks_like_key)
    })
}

/// All text and attribute values under a node.
fn all_text(node: Node) -> String {
    let mut all = String::new();
    for n in node.descendants() {
        if n.is_text() {
            all.push_str(n.text().unwrap_or(""));
        } else if n.is_element() {
            for a in n.attributes() {
                all.push_str(a.value());
                all.push('\n');
            }
        }
    }
    all
}

/// Does this `send-request` perform the OBO exchange (its body inline or assembled in
/// variables)?
fn is_obo_request(node: Node, variables: &[(String, Node)]) -> bool {
    let all = expand_variables(&all_text(node), variables);
    all.contains("on_behalf_of") || all.contains("jwt-bearer")
}

fn status_401(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.trim() == "401")
}

/// Find the features of a policy (or fragment: read all of it as inbound).
pub fn features<'a, 'i>(root: Node<'a, 'i>) -> Features<'a, 'i> {
    let mut f = Features {
        validations: Vec::new(),
        key_swaps: Vec::new(),
        rewrite_oauth: Vec::new(),
        obo_requests: Vec::new(),
        cache_lookups: Vec::new(),
        cache_stores: Vec::new(),
        auth_headers: Vec::new(),
        variables: Vec::new(),
        returns: None,
        inbound_base: false,
        includes: Vec::new(),
        challenge_headers: Vec::new(),
        unauthorized: Vec::new(),
        targets_context7: false,
        mcp_marker: false,
        oauth_operation: false,
        kind: Kind::Unknown,
    };
    for n in root.descendants().filter(|n| n.is_element()) {
        match xml::name(n) {
            "set-variable" => {
                if let Some(name) = attr(n, "name") {
                    f.variables.push((name.to_string(), n));
                }
            }
            "include-fragment" => {
                if let Some(id) = attr(n, "fragment-id") {
                    f.includes.push((n, id.trim().to_string()));
                }
            }
            "set-header"
                if attr(n, "name").is_some_and(|h| h.eq_ignore_ascii_case("www-authenticate"))
                    && attr(n, "exists-action") != Some("delete") =>
            {
                f.challenge_headers.push(n)
            }
            "set-status" | "return-response" if status_401(attr(n, "code")) => {
                f.unauthorized.push(n)
            }
            "check-header" if status_401(attr(n, "failed-check-httpcode")) => {
                f.unauthorized.push(n)
            }
            "validate-azure-ad-token" | "validate-jwt"
                if attr(n, "failed-validation-httpcode").is_none_or(|c| c.trim() == "401") =>
            {
                f.unauthorized.push(n)
            }
            _ => {}
        }
        let lower = |s: &str| s.to_ascii_lowercase();
        for a in n.attributes() {
            let v = lower(a.value());
            if v.contains("context7.com") || v.contains("/mcp/oauth") {
                f.targets_context7 = true;
            }
            if matches!(a.name(), "base-url" | "template" | "url") {
                if v.contains("/mcp") || v.contains("context7") {
                    f.mcp_marker = true;
                }
                if v.contains("/oauth2/") || v.contains("/token") || v.contains("callback") {
                    f.oauth_operation = true;
                }
            }
        }
    }
    let Some(inbound) =
        section(root, "inbound").or_else(|| (xml::name(root) == "fragment").then_some(root))
    else {
        return f;
    };
    for n in inbound.descendants().filter(|n| n.is_element()) {
        match xml::name(n) {
            "validate-azure-ad-token" | "validate-jwt" => f.validations.push(n),
            "rewrite-uri" if attr(n, "template").is_some_and(|t| t.contains("/mcp/oauth")) => {
                f.rewrite_oauth.push(n)
            }
            "send-request" if is_obo_request(n, &f.variables) => f.obo_requests.push(n),
            "send-request" => {
                // A token or callback façade exchanges a code at the authority.
                let all = expand_variables(&all_text(n), &f.variables);
                if all.contains("authorization_code") || all.contains("refresh_token") {
                    f.oauth_operation = true;
                }
            }
            "cache-lookup-value" => f.cache_lookups.push(n),
            "cache-store-value" => f.cache_stores.push(n),
            "base" if n.parent() == Some(inbound) => f.inbound_base = true,
            _ => {}
        }
    }
    for n in descendants_named(inbound, "set-header") {
        // Headers set on a request of the policy's own are not the forwarded request's.
        if n.ancestors().any(|a| a.has_tag_name("send-request")) {
            continue;
        }
        if is_key_swap(n, &f.variables) {
            f.key_swaps.push(n);
            let h = attr(n, "name").unwrap_or("").to_ascii_lowercase();
            if h.contains("context7") || header_value(n).contains("ctx7sk") {
                f.targets_context7 = true;
            }
        } else if attr(n, "name").is_some_and(|h| h.eq_ignore_ascii_case("authorization"))
            && attr(n, "exists-action") != Some("delete")
        {
            f.auth_headers.push(n);
        }
    }
    f.returns = xml::children_named(inbound, "return-response").next();
    f.kind = classify(&f);
    if f.kind.is_proxy() {
        f.oauth_operation = true;
    }
    f
}

fn classify(f: &Features) -> Kind {
    if let Some(ret) = f.returns
        && let Some(kind) = proxy_kind(ret)
    {
        return kind;
    }
    match (!f.obo_requests.is_empty(), !f.key_swaps.is_empty()) {
        (true, true) => Kind::Mixed,
        (true, false) => Kind::Obo,
        (false, true) => Kind::SharedKey,
        (false, false) if !f.validations.is_empty() => Kind::Passthrough,
        _ => Kind::Unknown,
    }
}

/// Which OAuth-proxy operation a `return-response` serves, if any.
fn proxy_kind(ret: Node) -> Option<Kind> {
    let status = descendants_named(ret, "set-status")
        .next()
        .and_then(|s| attr(s, "code"))
        .and_then(|c| c.trim().parse::<u16>().ok());
    let location = descendants_named(ret, "set-header")
        .any(|h| attr(h, "name").is_some_and(|n| n.eq_ignore_ascii_case("location")));
    if location || status.is_some_and(|s| (300..400).contains(&s)) {
        return Some(Kind::Authorize);
    }
    let body = descendants_named(ret, "set-body").next().map(text_of)?;
    if body.contains("authorization_servers") || body.contains("\"resource\"") {
        Some(Kind::Prm)
    } else if body.contains("authorization_endpoint")
        || body.contains("\"issuer\"")
        || body.contains("token_endpoint")
    {
        Some(Kind::AsMetadata)
    } else {
        None
    }
}

/// Was `--pattern` given (flag, environment or config file) rather than defaulted?
pub fn pattern_explicit(ctx: &Ctx) -> bool {
    ctx.cfg
        .entries
        .iter()
        .any(|e| e.name == "pattern" && e.source != ConfigSource::Default)
}

/// Does the configuration say this is the Context7 deployment (an explicit `--pattern`,
/// or the guide's app IDs configured)?
pub fn configured_for_context7(ctx: &Ctx) -> bool {
    pattern_explicit(ctx) || ctx.cfg.gateway_app_id.is_some() || ctx.cfg.mcp_app_id.is_some()
}

/// The pattern whose expectations (audience, scope) apply: `--pattern` when given, else
/// the recognised one, else the default. Validation alone (a passthrough policy, or a
/// fragment or API policy whose OBO exchange lives elsewhere) is read by what it
/// validates: the gateway app or its `Mcp.Gateway.Access` scope is the obo client hop.
pub fn expected_pattern(ctx: &Ctx, f: &Features) -> Pattern {
    if pattern_explicit(ctx) {
        return ctx.cfg.pattern;
    }
    match f.kind.pattern() {
        Some(Pattern::Passthrough) | None if validates_gateway_hop(ctx, f) => Pattern::Obo,
        Some(p) => p,
        None => ctx.cfg.pattern,
    }
}

/// Does the validation accept the gateway app's tokens (its scope, its ID, a named value
/// named for it)?
fn validates_gateway_hop(ctx: &Ctx, f: &Features) -> bool {
    f.validations.iter().any(|v| {
        v.descendants().filter(|n| n.is_element()).any(|n| {
            let t = text_of(n);
            let t = t.trim();
            match xml::name(n) {
                "value" => t == "Mcp.Gateway.Access",
                "audience" => {
                    ctx.cfg
                        .gateway_app_id
                        .as_deref()
                        .is_some_and(|g| g.eq_ignore_ascii_case(t))
                        || named_values(t)
                            .iter()
                            .any(|(_, n)| n.to_ascii_lowercase().contains("gateway"))
                }
                _ => false,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_read_from_expressions() {
        assert_eq!(
            variables_read(r#"@("obo-mcp-" + (string)context.Variables["userOid"])"#),
            ["userOid"]
        );
        assert_eq!(
            variables_read(
                r#"@(context.Variables.GetValueOrDefault<string>("a") + context.Variables["b"])"#
            ),
            ["a", "b"]
        );
    }

    #[test]
    fn obo_grant_assembled_in_variables_is_recognised() {
        let text = r#"<policies><inbound>
            <set-variable name="grant" value="urn:ietf:params:oauth:grant-type:jwt-bearer" />
            <set-variable name="body" value='@("grant_type=" + (string)context.Variables["grant"] + "&amp;requested_token_use=on_behalf_of")' />
            <send-request mode="new" response-variable-name="r"><set-body>@((string)context.Variables["body"])</set-body></send-request>
        </inbound></policies>"#;
        let doc = roxmltree::Document::parse(text).unwrap();
        let f = features(doc.root_element());
        assert_eq!(f.obo_requests.len(), 1);
        assert_eq!(f.kind, Kind::Obo);
    }
}
