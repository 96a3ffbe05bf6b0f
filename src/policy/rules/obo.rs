//! The OBO exchange: its cache is per user and expires before the token
//! (`policy.obo-cache-key`, `policy.obo-cache-duration`), and its result replaces the
//! client's token.
//!
//! The cache key is followed through the variables it reads (a small data flow): a key
//! built from a variable that holds the user's `oid` — from `AsJwt()` claims, a
//! `validate-*` output token, or a chain of `context.Variables` — is per user.

use roxmltree::Node;

use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::{expand_variables, is_dynamic};
use crate::policy::lint::Lint;
use crate::policy::xml::{self, attr, is_expression};

/// Entra's default access-token lifetime (one hour), the guide's reference for the cache.
pub const DEFAULT_TOKEN_LIFETIME: u64 = 3600;
/// Margin below the token lifetime under which a cache duration is flagged as tight.
pub const CACHE_MARGIN: u64 = 300;

pub fn check(l: &Lint) -> Vec<Check> {
    if l.f.kind.is_proxy() || l.f.obo_requests.is_empty() {
        return Vec::new();
    }
    obo_checks(l)
}

fn obo_checks(l: &Lint) -> Vec<Check> {
    let f = &l.f;
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
        let expanded = expand_variables(key, &f.variables);
        let oid = expanded.contains("\"oid\"")
            || expanded.contains("'oid'")
            || expanded.contains("objectidentifier")
            // `sub` is unique per user (and per app): as good as oid for a per-user key.
            || expanded.contains("\"sub\"");
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

    let forwarded_by_fragment = f.includes.iter().any(|(_, id)| {
        l.peers
            .fragment(id)
            .is_some_and(|p| p.provides.auth_header.is_some())
    });
    // A fragment is one piece: the policy that includes it may set the header.
    if f.auth_headers.is_empty()
        && f.key_swaps.is_empty()
        && !l.is_fragment()
        && !forwarded_by_fragment
    {
        out.push(l.at_node(
            Check::new(
                "policy.obo-forward",
                "The OBO token replaces the client's token",
            )
            .fail(
                crate::token::codes::AUDIENCE_OTHER_HOP,
                "the policy performs the OBO exchange but never sets the Authorization header: Context7 receives the client's gateway token, whose audience is the gateway app (the guide's policy sets it in <inbound>: <set-header name=\"Authorization\" exists-action=\"override\"><value>@(\"Bearer \" + (string)context.Variables[\"oboToken\"])</value></set-header>)",
            ),
            f.obo_requests[0],
        ));
    }
    out
}
