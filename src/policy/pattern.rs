//! Which integration pattern a policy implements, recognised from its content:
//!
//! - `shared-key` (guide 1, Pattern 1): validate, `set-header` of the teamspace API key,
//!   `rewrite-uri` to `/mcp/oauth`;
//! - `passthrough` (guide 1, Pattern 2): validate only — "keep validate-azure-ad-token, drop
//!   the set-header swap and the rewrite-uri" (Migration from Pattern 1);
//! - `obo` (guide 2): validate, `send-request` to the token endpoint with the jwt-bearer
//!   grant and `requested_token_use=on_behalf_of`, cached per user, `set-header
//!   Authorization` with the result, `rewrite-uri` to `/mcp/oauth`;
//! - the OAuth-proxy operations of guide 2 Part 5: a `return-response` with the PRM or AS
//!   metadata JSON, or the `302` to Entra's `/authorize`.

use crate::policy::codes;
use roxmltree::Node;

use crate::deployment::Pattern;
use crate::report::{Check, Source as ConfigSource};

use super::checks::Lint;
use super::xml::{self, attr, descendants_named, is_expression, named_values, text_of};

/// Headers Context7 reads an API key from (FACTS: Context7), lowercased.
pub const KEY_HEADERS: &[&str] = &[
    "context7-api-key",
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
    /// `set-variable` elements, by name.
    pub variables: Vec<(String, Node<'a, 'i>)>,
    /// An unconditional `return-response` directly in `<inbound>`.
    pub returns: Option<Node<'a, 'i>>,
    /// `<base />` directly in `<inbound>`.
    pub inbound_base: bool,
    pub kind: Kind,
}

impl<'a, 'i> Features<'a, 'i> {
    /// The value of a literal `set-variable` (named values unresolved).
    pub fn variable(&self, name: &str) -> Option<Node<'a, 'i>> {
        self.variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, node)| *node)
    }
}

/// Names of the variables an expression reads: `context.Variables["x"]`,
/// `context.Variables.GetValueOrDefault<string>("x")`.
pub fn variables_read(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in expr.match_indices("Variables") {
        let rest = &expr[i + "Variables".len()..];
        // The first string literal after, if it comes before any `;` or `)` closing the call.
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

/// Does this `send-request` perform the OBO exchange?
fn is_obo_request(node: Node) -> bool {
    let all: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .chain(
            node.descendants()
                .filter(|n| n.is_element())
                .flat_map(|n| n.attributes().map(|a| a.value())),
        )
        .collect();
    all.contains("on_behalf_of") || all.contains("jwt-bearer")
}

/// Find the features of a policy.
pub fn features<'a, 'i>(lint: &Lint<'a, 'i>) -> Features<'a, 'i> {
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
        kind: Kind::Unknown,
    };
    // A fragment has no sections: read all of it as inbound.
    let inbound = lint
        .section("inbound")
        .or_else(|| lint.is_fragment().then_some(lint.root));
    let Some(inbound) = inbound else {
        return f;
    };
    for n in inbound.descendants().filter(|n| n.is_element()) {
        match xml::name(n) {
            "set-variable" => {
                if let Some(name) = attr(n, "name") {
                    f.variables.push((name.to_string(), n));
                }
            }
            "validate-azure-ad-token" | "validate-jwt" => f.validations.push(n),
            "rewrite-uri" if attr(n, "template").is_some_and(|t| t.contains("/mcp/oauth")) => {
                f.rewrite_oauth.push(n)
            }
            "send-request" if is_obo_request(n) => f.obo_requests.push(n),
            "cache-lookup-value" => f.cache_lookups.push(n),
            "cache-store-value" => f.cache_stores.push(n),
            "base" if n.parent() == Some(inbound) => f.inbound_base = true,
            _ => {}
        }
    }
    for n in descendants_named(inbound, "set-header") {
        // Headers set on the OBO request itself are not the forwarded request's.
        if n.ancestors().any(|a| a.has_tag_name("send-request")) {
            continue;
        }
        if is_key_swap(n, &f.variables) {
            f.key_swaps.push(n);
        } else if attr(n, "name").is_some_and(|h| h.eq_ignore_ascii_case("authorization"))
            && attr(n, "exists-action") != Some("delete")
        {
            f.auth_headers.push(n);
        }
    }
    f.returns = xml::children_named(inbound, "return-response").next();
    f.kind = classify(lint, &f);
    f
}

fn classify(lint: &Lint, f: &Features) -> Kind {
    if let Some(ret) = f.returns
        && let Some(kind) = proxy_kind(lint, ret)
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
fn proxy_kind(_lint: &Lint, ret: Node) -> Option<Kind> {
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
pub fn pattern_explicit(lint: &Lint) -> bool {
    lint.ctx
        .cfg
        .entries
        .iter()
        .any(|e| e.name == "pattern" && e.source != ConfigSource::Default)
}

/// The pattern whose expectations (audience, scope) apply: `--pattern` when given, else
/// the recognised one, else the default.
pub fn expected_pattern(lint: &Lint, f: &Features) -> Pattern {
    if pattern_explicit(lint) {
        return lint.ctx.cfg.pattern;
    }
    f.kind.pattern().unwrap_or(lint.ctx.cfg.pattern)
}

/// The pattern check: what the policy implements, and whether that is what `--pattern` says.
pub fn check(lint: &Lint, f: &Features) -> Check {
    let check = Check::new(
        "policy.pattern",
        "The policy implements one integration pattern",
    )
    .evidence("recognised", kind_name(f.kind));
    let where_ = |n: Node| {
        let loc = lint.loc_of(n.range().start);
        format!("{} at {}:{}", xml::name(n), loc.line, loc.col)
    };
    let mut seen = Vec::new();
    if let Some(v) = f.validations.first() {
        seen.push(where_(*v));
    }
    if let Some(n) = f.key_swaps.first() {
        seen.push(format!("API-key {}", where_(*n)));
    }
    if let Some(n) = f.obo_requests.first() {
        seen.push(format!("OBO {}", where_(*n)));
    }
    if let Some(n) = f.cache_lookups.first() {
        seen.push(where_(*n));
    }
    if let Some(n) = f.rewrite_oauth.first() {
        seen.push(where_(*n));
    }
    if let Some(n) = f.returns {
        seen.push(where_(n));
    }
    let seen = if seen.is_empty() {
        String::new()
    } else {
        format!(" ({})", seen.join(", "))
    };

    if f.kind == Kind::Mixed {
        let swap = f.key_swaps[0];
        let obo = f.obo_requests[0];
        return lint.at_node(
            check.fail(
                codes::PATTERN_MIXED,
                format!(
                    "the policy does both the shared-key swap ({}) and the OBO exchange ({}): Context7 receives the API key, and the per-user identity is lost (or the other way round, depending on order)",
                    where_(swap),
                    where_(obo)
                ),
            ),
            swap,
        );
    }
    if f.kind.is_proxy() {
        return lint.at_node(
            check.pass(format!("this is {}{seen}", f.kind.describe())),
            f.returns.unwrap_or(lint.root),
        );
    }
    let configured = lint.ctx.cfg.pattern;
    if let Some(found) = f.kind.pattern()
        && pattern_explicit(lint)
        && found != configured
    {
        if configured == Pattern::Passthrough && found == Pattern::SharedKey {
            let swap = f.key_swaps[0];
            let rewrite = f
                .rewrite_oauth
                .first()
                .map(|r| format!(" and the rewrite-uri ({})", where_(*r)))
                .unwrap_or_default();
            return lint.at_node(
                check
                    .fail(
                        codes::PATTERN_MIXED,
                        format!(
                            "--pattern is passthrough, but the policy keeps Pattern 1's API-key swap ({}){rewrite}: Context7 receives the shared key, not the user's token",
                            where_(swap)
                        ),
                    )
                    .fix("Migration from Pattern 1 (guide-shared-identity): keep validate-azure-ad-token, drop the set-header swap and the rewrite-uri, then re-apply the policy."),
                swap,
            );
        }
        let at = f
            .obo_requests
            .first()
            .or(f.key_swaps.first())
            .or(f.validations.first())
            .copied()
            .unwrap_or(lint.root);
        return lint.at_node(
            check
                .fail(
                    codes::PATTERN_MIXED,
                    format!(
                        "--pattern is {}, but the policy implements {}{seen}",
                        configured.as_str(),
                        f.kind.describe()
                    ),
                )
                .fix(format!(
                    "Lint the policy of the pattern you deploy, or run with --pattern {}.",
                    found.as_str()
                )),
            at,
        );
    }
    if configured == Pattern::Passthrough
        && pattern_explicit(lint)
        && f.kind == Kind::Passthrough
        && let Some(r) = f.rewrite_oauth.first()
    {
        return lint.at_node(
            check.info(
                codes::PATTERN_MIXED,
                format!(
                    "passthrough, but the policy keeps Pattern 1's rewrite-uri ({}); the migration drops it",
                    where_(*r)
                ),
            ),
            *r,
        );
    }
    let detail = if f.kind == Kind::Unknown {
        "no integration pattern recognised: no token validation, API-key swap, OBO exchange or OAuth-proxy response here".to_string()
    } else {
        format!("recognised {}{seen}", f.kind.describe())
    };
    lint.at_node(
        check.pass(detail),
        f.validations.first().copied().unwrap_or(lint.root),
    )
}

pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
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

/// Is `s` an expression, or does it read a named value (its value unknown here)?
pub fn is_dynamic(s: &str) -> bool {
    is_expression(s) || !named_values(s).is_empty()
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
}
