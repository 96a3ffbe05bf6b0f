//! What Context7 will accept: its own Entra validator (upstash/context7
//! `packages/mcp/src/lib/jwt.ts`, 4.x — FACTS.md, "Context7's MCP server 4.x") mirrored on the
//! token that reaches it, so a token APIM accepts and Context7 refuses is found before it is
//! sent.
//!
//! Context7 takes an Entra token only when `iss` matches
//! `^https://login\.microsoftonline\.com/[0-9a-f-]{36}/v2\.0$` — the public cloud, a v2
//! issuer, a lower-case tenant GUID. Anything else falls through to its other validators and
//! is answered "Invalid token", although APIM (which compares issuers case-insensitively and
//! supports sovereign clouds) let it through. Then: `aud` must be one string (looked up as the
//! teamspace's audience), `jose.jwtVerify` runs with no clock tolerance, and `scp` split on
//! single spaces must hold the required scope.
//!
//! The check applies to the token Context7 receives: the backend hop in `obo` (what the OBO
//! exchange mints) and the one token of `passthrough`. In `shared-key` Context7 gets the API
//! key, not a token.

use super::Expect;
use super::codes;
use super::decode::Decoded;
use crate::deployment::{Hop, Pattern};
use crate::report::Check;

/// The public cloud's login host: the only one Context7's issuer pattern names.
pub const PUBLIC_CLOUD: &str = "https://login.microsoftonline.com";

/// Sovereign clouds' login hosts (FACTS.md, Entra access tokens).
const SOVEREIGN_HOSTS: &[&str] = &[
    "login.microsoftonline.us",
    "login.partner.microsoftonline.cn",
    "login.chinacloudapi.cn",
];

/// The scope Context7's teamspace requires (both guides).
const REQUIRED_SCOPE: &str = super::claims::MCP_SCOPE;

/// The sovereign cloud `--authority` names, if it names one.
pub fn sovereign_cloud(authority: &str) -> Option<String> {
    let host = url::Url::parse(authority)
        .ok()?
        .host_str()?
        .to_ascii_lowercase();
    SOVEREIGN_HOSTS.contains(&host.as_str()).then_some(host)
}

/// The origin that plays the public cloud: `https://login.microsoftonline.com`, unless
/// `--authority` is neither it nor a sovereign cloud (a proxy in front of Entra, or a test
/// double), which then stands for it — only the issuer's shape can be compared there.
fn public_cloud(exp: &Expect) -> String {
    let authority = exp.authority.trim_end_matches('/');
    let known = url::Url::parse(authority)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|h| {
            h == "login.microsoftonline.com"
                || h == "login.windows.net"
                || h == "login.microsoft.com"
                || SOVEREIGN_HOSTS.contains(&h.as_str())
        });
    if known || authority.is_empty() {
        PUBLIC_CLOUD.to_string()
    } else {
        authority.to_string()
    }
}

/// `^<public cloud>/[0-9a-f-]{36}/v2\.0$`, byte for byte.
pub fn matches_issuer_pattern(iss: &str, public_cloud: &str) -> bool {
    let Some(tid) = iss
        .strip_prefix(public_cloud)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_suffix("/v2.0"))
    else {
        return false;
    };
    tid.len() == 36
        && tid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
}

/// Why an issuer does not match Context7's pattern, in one phrase.
fn issuer_reason(iss: &str, public_cloud: &str) -> String {
    let lower = iss.to_ascii_lowercase();
    if lower.contains("sts.windows.net") || lower.contains("sts.") {
        return "a v1.0 issuer (sts.…): Context7 takes only v2 tokens".into();
    }
    if let Some(host) = url::Url::parse(iss)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        && SOVEREIGN_HOSTS.contains(&host.as_str())
    {
        return format!(
            "a sovereign-cloud issuer ({host}): Context7 takes only public-cloud issuers"
        );
    }
    if let Some(rest) = iss.get(public_cloud.len()..)
        && iss[..public_cloud.len()].eq_ignore_ascii_case(public_cloud)
    {
        let tid = rest.trim_start_matches('/').split('/').next().unwrap_or("");
        if tid.bytes().any(|b| b.is_ascii_uppercase()) {
            return format!(
                "the tenant GUID {tid} has upper-case letters: Context7 compares the issuer \
                 exactly against a lower-case pattern"
            );
        }
        if !iss.starts_with(public_cloud) {
            return "the host is not written exactly as https://login.microsoftonline.com \
                    (case, a :443 port): Context7 compares exactly"
                .into();
        }
        return "not the exact form https://login.microsoftonline.com/<tenant-guid>/v2.0 \
                (a trailing slash, a port, or another path): Context7 compares exactly"
            .into();
    }
    format!("not an issuer of the public cloud ({public_cloud})")
}

/// What Context7's validator answers this token, or `None` when it takes it.
pub fn refusal(d: &Decoded, exp: &Expect) -> Option<(&'static str, String)> {
    let cloud = public_cloud(exp);
    let iss = d.claim_str("iss").unwrap_or("");
    if !matches_issuer_pattern(iss, &cloud) {
        let why = if iss.is_empty() {
            "no iss claim".to_string()
        } else {
            format!("iss {iss} is {}", issuer_reason(iss, &cloud))
        };
        return Some(("Invalid token", why));
    }
    match d.claims.get("aud") {
        Some(serde_json::Value::String(_)) => {}
        Some(serde_json::Value::Array(a)) => {
            return Some((
                "Missing audience",
                format!(
                    "aud is an array of {} values: APIM accepts a token when any of them \
                     matches, Context7 looks the teamspace up by one string",
                    a.len()
                ),
            ));
        }
        _ => return Some(("Missing audience", "no aud string".into())),
    }
    let at = exp.at.as_second();
    for (claim, value) in [("nbf", d.nbf()), ("iat", d.iat())] {
        if let Some(t) = value
            && t > at
        {
            return Some((
                "Invalid token claims",
                format!(
                    "{claim} is {} s in the future: APIM allows clock skew, Context7 verifies \
                     with no tolerance",
                    t - at
                ),
            ));
        }
    }
    if let Some(e) = d.exp()
        && e <= at
    {
        return Some((
            "Token expired",
            format!(
                "exp was {} s ago: Context7 verifies with no tolerance",
                at - e
            ),
        ));
    }
    let scp = d.claim_str("scp").unwrap_or("");
    if !scp.split(' ').any(|s| s == REQUIRED_SCOPE) {
        let loose = d.scopes().iter().any(|s| s == REQUIRED_SCOPE);
        return Some((
            "Missing required scope",
            if loose {
                format!(
                    "scp {scp:?} holds {REQUIRED_SCOPE} only when split on other whitespace: \
                     Context7 splits on single spaces"
                )
            } else {
                format!("scp {scp:?} does not hold {REQUIRED_SCOPE}")
            },
        ));
    }
    None
}

/// `token.context7`: the token Context7 receives, through Context7's own validator.
pub fn check_context7_acceptance(d: &Decoded, exp: &Expect, hop: Hop) -> Option<Check> {
    if !exp.pattern.context7_receives(hop) {
        return None;
    }
    let c = Check::new(
        "token.context7",
        "Context7's own validator accepts the token it receives",
    );
    Some(match refusal(d, exp) {
        // A Graph token's fix is the scope the client requests, not a token version.
        Some((message, why)) if super::claims::is_graph_token(d) => c
            .fail(
                codes::GRAPH_AUDIENCE,
                format!(
                    "a Microsoft Graph token ({why}) — Context7 answers {message:?}: the client \
                     must request the MCP API's scope, not Graph's"
                ),
            )
            .evidence("context7_message", message),
        None => c.pass(format!(
            "public-cloud v2 issuer with a lower-case tenant, aud one string, scp holds \
             {REQUIRED_SCOPE}, nbf/iat not in the future (Context7 4.x, no clock tolerance)"
        )),
        Some((message, why)) => c
            .fail(
                codes::CONTEXT7_ISSUER,
                format!("{why} — Context7 answers {message:?}"),
            )
            .evidence("context7_message", message)
            .fix_var("context7_message", message),
    })
}

/// `token.context7-cloud`: `--authority` on a sovereign cloud with a per-user pattern. Said
/// up front, whatever the token: Context7's per-user validation takes only public-cloud
/// issuers, so no token from that cloud can pass it.
pub fn check_cloud(exp: &Expect) -> Option<Check> {
    if exp.pattern == Pattern::SharedKey {
        return None;
    }
    let host = sovereign_cloud(&exp.authority)?;
    Some(
        Check::new(
            "token.context7-cloud",
            "Context7's per-user validation takes tokens from this cloud",
        )
        .fail(
            codes::CONTEXT7_ISSUER,
            format!(
                "--authority is {} ({host}): APIM validates this cloud's tokens, but Context7's \
                 per-user validation takes only public-cloud issuers \
                 ({PUBLIC_CLOUD}/<tenant>/v2.0) and answers \"Invalid token\" to every {} \
                 token from here",
                exp.authority,
                exp.pattern.as_str()
            ),
        )
        .evidence("authority", exp.authority.clone())
        .fix_var("context7_message", "Invalid token"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TID: &str = "7d3f0b2a-4c1e-4b8a-9f6d-2e5c8a1b3d70";

    #[test]
    fn the_pattern_is_exact() {
        let ok = format!("{PUBLIC_CLOUD}/{TID}/v2.0");
        assert!(matches_issuer_pattern(&ok, PUBLIC_CLOUD));
        for bad in [
            format!("{PUBLIC_CLOUD}/{}/v2.0", TID.to_uppercase()),
            format!("https://login.microsoftonline.com:443/{TID}/v2.0"),
            format!("https://LOGIN.microsoftonline.com/{TID}/v2.0"),
            format!("{PUBLIC_CLOUD}/{TID}/v2.0/"),
            format!("https://sts.windows.net/{TID}/"),
            format!("https://login.microsoftonline.us/{TID}/v2.0"),
        ] {
            assert!(!matches_issuer_pattern(&bad, PUBLIC_CLOUD), "{bad}");
        }
    }

    #[test]
    fn reasons_name_what_differs() {
        assert!(
            issuer_reason(
                &format!("https://login.microsoftonline.us/{TID}/v2.0"),
                PUBLIC_CLOUD
            )
            .contains("sovereign")
        );
        assert!(
            issuer_reason(
                &format!("{PUBLIC_CLOUD}/{}/v2.0", TID.to_uppercase()),
                PUBLIC_CLOUD
            )
            .contains("upper-case")
        );
        assert!(
            issuer_reason(&format!("https://sts.windows.net/{TID}/"), PUBLIC_CLOUD)
                .contains("v1.0")
        );
        assert!(
            issuer_reason(
                &format!("https://login.microsoftonline.com:443/{TID}/v2.0"),
                PUBLIC_CLOUD
            )
            .contains("exactly")
        );
    }

    #[test]
    fn sovereign_authorities_are_named() {
        assert_eq!(
            sovereign_cloud("https://login.microsoftonline.us").as_deref(),
            Some("login.microsoftonline.us")
        );
        assert_eq!(sovereign_cloud("https://login.microsoftonline.com"), None);
        assert_eq!(sovereign_cloud("http://127.0.0.1:8080"), None);
    }
}
