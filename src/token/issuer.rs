//! Who issued the token: the issuer's cloud and version (`iss`, `ver`), the tenant (`tid`,
//! and the tenant inside `iss`), and the consumer tenant of personal Microsoft accounts.
//! An issuer is judged against `--authority`: each cloud has its v2.0 login hosts and its
//! v1.0 `sts` host, and a token from another cloud is foreign even when its shape is right.

use crate::token::codes;

use super::Expect;
use super::claims::{App, is_graph_token, same_app};
use super::decode::{Decoded, is_guid, issuer_tenant};
use super::exact;
use crate::deployment::Hop;
use crate::report::Check;

/// The tenant of personal Microsoft accounts.
pub const MSA_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Hosts of v2.0 issuers per cloud; aliases of one cloud share a group.
const V2_HOSTS: &[&[&str]] = &[
    &[
        "login.microsoftonline.com",
        "login.windows.net",
        "login.microsoft.com",
    ],
    &["login.microsoftonline.us"],
    &["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
];
/// Hosts of v1.0 issuers (`https://sts.windows.net/<tid>/`).
const V1_HOSTS: &[&str] = &[
    "sts.windows.net",
    "sts.chinacloudapi.cn",
    "sts.microsoftonline.us",
];

fn host_group(host: &str) -> Option<usize> {
    V2_HOSTS
        .iter()
        .position(|g| g.iter().any(|h| h.eq_ignore_ascii_case(host)))
}

/// The app the token is for, named for a fix ("the APIM Gateway app (…)").
fn token_app_name(d: &Decoded, exp: &Expect, fallback: App) -> String {
    let auds = d.audiences();
    for app in [App::Gateway, App::Mcp] {
        if let Some(id) = app.configured(exp)
            && auds.iter().any(|a| same_app(a, id))
        {
            return format!("{} ({id})", app.name());
        }
    }
    match auds.first() {
        Some(a) => format!("the app registration this token is for (aud {a})"),
        None => fallback.name().to_string(),
    }
}

pub fn check_issuer(d: &Decoded, exp: &Expect, hop: Hop, app: App) -> Check {
    let c = Check::new("token.issuer", "Issuer is the tenant's v2.0 endpoint");
    let Some(iss) = d.claim_str("iss") else {
        return c.fail(codes::ISSUER_FOREIGN, "no iss claim: not an Entra token");
    };
    let c = c.evidence("iss", iss);
    let Ok(url) = url::Url::parse(iss) else {
        return c.fail(
            codes::ISSUER_FOREIGN,
            format!("iss is {iss}: not an Entra issuer URL"),
        );
    };
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    // Microsoft's pre-production cloud (sts.windows-ppe.net, login.windows-ppe.net) is not
    // the public cloud, whatever the token's version: another cloud, not a v1 token.
    let authority_ppe = url::Url::parse(&exp.authority)
        .ok()
        .and_then(|a| a.host_str().map(|h| h.ends_with("windows-ppe.net")))
        .unwrap_or(false);
    if host.ends_with("windows-ppe.net") && !authority_ppe {
        return c.fail(
            codes::ISSUER_FOREIGN,
            format!(
                "iss is {iss}: issued by Microsoft's pre-production cloud ({host}), not by --authority {}",
                exp.authority
            ),
        );
    }
    let v1_host = V1_HOSTS.contains(&host.as_str());
    let v1 = v1_host || d.claim_str("ver") == Some("1.0");
    // Graph's tokens are v1.0 whatever anyone's manifest says: the fix is the scope the
    // client requests (the type check's finding), never a token version to change.
    if v1 && is_graph_token(d) {
        return c.fail(
            codes::GRAPH_AUDIENCE,
            format!(
                "iss is {iss}: a v1.0 issuer, as on every Microsoft Graph token — the version is \
                 Graph's, set in none of your app registrations; the client must request the \
                 gateway's scope instead of Graph's"
            ),
        );
    }
    if v1 {
        let app_name = token_app_name(d, exp, app);
        return c.fail(
            codes::ISSUER_V1,
            format!(
                "iss is {iss}{} — a v1.0 token: APIM's v2 issuer check and Context7 reject it; \
                     the version is set on {app_name}",
                match d.claim_str("ver") {
                    Some(v) => format!(" (ver {v})"),
                    None => String::new(),
                }
            ),
        );
    }
    let authority = url::Url::parse(&exp.authority).ok();
    let same_origin = authority
        .as_ref()
        .is_some_and(|a| a.origin() == url.origin());
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let v2_form = segments.len() == 2 && segments[1] == "v2.0";
    let auth_host = authority
        .as_ref()
        .and_then(|a| a.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    if !same_origin {
        let detail = match (host_group(&host), host_group(&auth_host)) {
            (Some(g), Some(h)) if g == h => None,
            (Some(_), _) => Some(format!(
                "iss is {iss}: issued by {host}, another cloud than --authority {} — use that \
                 cloud's authority, or a token from this cloud",
                exp.authority
            )),
            _ => Some(format!(
                "iss is {iss}: not an Entra issuer of --authority {} (another identity provider, \
                 or a token minted by something else)",
                exp.authority
            )),
        };
        if let Some(detail) = detail {
            return c.fail(codes::ISSUER_FOREIGN, detail);
        }
    }
    if !v2_form {
        return c.fail(
            codes::ISSUER_FOREIGN,
            format!("iss is {iss}: not the https://<login host>/<tenant>/v2.0 form of an Entra v2.0 issuer"),
        );
    }
    if let Some(why) = inexact_issuer(iss, &url, segments[0]) {
        return exact::inexact(c, exp, hop, why);
    }
    c.pass(format!("iss is {iss} (v2.0)"))
}

/// Why a v2.0 issuer of the right cloud is not written exactly as Entra writes it
/// (`<origin>/<lower-case tenant>/v2.0`), or `None` when it is.
fn inexact_issuer(iss: &str, url: &url::Url, tenant: &str) -> Option<String> {
    let origin = url.origin().ascii_serialization();
    let written = format!("{origin}/{}/v2.0", tenant.to_ascii_lowercase());
    if iss == written {
        return None;
    }
    let mut what: Vec<String> = Vec::new();
    let odd = exact::odd_characters(iss);
    if !odd.is_empty() {
        what.push(format!("it holds {}", odd.join(", ")));
    }
    let authority_part = iss
        .split_once("://")
        .map_or(iss, |(_, rest)| rest.split('/').next().unwrap_or(rest));
    if iss.split("://").next().is_some_and(|s| s != url.scheme())
        || authority_part.bytes().any(|b| b.is_ascii_uppercase())
    {
        what.push("the host in upper case".into());
    }
    if authority_part.ends_with(":443") || authority_part.ends_with(":80") {
        what.push("a default port written out".into());
    }
    if exact::upper_case_guid(tenant) {
        what.push("the tenant GUID in upper case".into());
    }
    if iss.ends_with('/') || iss.split_once("://").is_some_and(|(_, r)| r.contains("//")) {
        what.push("an extra slash".into());
    }
    if what.is_empty() {
        what.push("another spelling".into());
    }
    Some(format!(
        "iss is {} — {}: the same issuer only when compared loosely; Entra writes {written}",
        exact::written(iss),
        what.join(", ")
    ))
}

pub fn check_tenant(d: &Decoded, exp: &Expect) -> Check {
    let c = Check::new("token.tenant", "Issued by the configured tenant");
    let tid = d.claim_str("tid");
    let iss_tid = d.claim_str("iss").and_then(issuer_tenant);
    let Some(tid) = tid else {
        return c.fail(
            codes::ISSUER_TENANT,
            "no tid claim: Entra access tokens always name their tenant",
        );
    };
    let c = c.evidence("tid", tid);
    if let Some(it) = &iss_tid
        && !it.eq_ignore_ascii_case(tid)
    {
        return c
            .fail(
                codes::ISSUER_TENANT,
                format!("iss names tenant {it} but tid is {tid}: the token contradicts itself"),
            )
            .evidence("iss_tenant", it.clone());
    }
    match exp
        .tenant_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => c.skip(
            crate::config::codes::MISSING,
            format!("set --tenant-id to compare (the token's tid is {tid})"),
        ),
        Some(t) if !is_guid(t) => c.skip(
            crate::config::codes::INVALID,
            format!(
                "--tenant-id {t} is not a GUID; tokens carry the tenant's GUID (tid {tid}): set \
                 --tenant-id to the Directory (tenant) ID to compare"
            ),
        ),
        Some(t) if t.eq_ignore_ascii_case(tid) => c.pass(format!("tid {tid} is --tenant-id")),
        Some(t) => c
            .fail(
                codes::ISSUER_TENANT,
                format!(
                    "tid is {tid}, expected {t} (--tenant-id): the user signed in to another \
                     tenant, or the client uses another tenant's authority"
                ),
            )
            .evidence("expected", t),
    }
}

pub fn check_personal(d: &Decoded) -> Check {
    let c = Check::new(
        codes::PERSONAL_ACCOUNT.code,
        "A work or school account, not a personal Microsoft account",
    );
    let tenant = d.tenant().unwrap_or_default();
    if tenant.eq_ignore_ascii_case(MSA_TENANT) {
        return c.fail(
            codes::PERSONAL_ACCOUNT,
            format!(
                "tenant {MSA_TENANT} is the personal Microsoft account tenant: the user signed in \
                 with a personal account (outlook.com, hotmail.com, live.com)"
            ),
        );
    }
    if tenant.is_empty() {
        return c.pass("no tenant in the token (see the tenant check)");
    }
    c.pass(format!("tenant {tenant} is an organisation's tenant"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::testing::{expect, token};
    use serde_json::json;

    #[test]
    fn issuer_clouds() {
        let e = expect();
        let iss =
            |s: &str| check_issuer(&token(json!({"iss": s})), &e, Hop::Client, App::Gateway).code;
        assert_eq!(iss("https://login.microsoftonline.com/t/v2.0"), None);
        assert_eq!(iss("https://login.microsoft.com/t/v2.0"), None);
        assert_eq!(iss("https://sts.windows.net/t/"), Some(codes::ISSUER_V1));
        assert_eq!(
            iss("https://login.microsoftonline.us/t/v2.0"),
            Some(codes::ISSUER_FOREIGN)
        );
        assert_eq!(
            iss("https://accounts.google.com"),
            Some(codes::ISSUER_FOREIGN)
        );
        assert_eq!(
            iss("https://login.microsoftonline.com/t/oauth2"),
            Some(codes::ISSUER_FOREIGN)
        );
        assert_eq!(iss("not a url"), Some(codes::ISSUER_FOREIGN));
        // Microsoft's pre-production cloud is foreign to the public authority, v1 or v2.
        assert_eq!(
            iss("https://sts.windows-ppe.net/t/"),
            Some(codes::ISSUER_FOREIGN)
        );
        assert_eq!(
            iss("https://login.windows-ppe.net/t/v2.0"),
            Some(codes::ISSUER_FOREIGN)
        );
    }

    #[test]
    fn an_issuer_written_loosely_is_inexact_and_graph_is_not_a_manifest_matter() {
        let e = expect();
        let tid = "7d3f0b2a-4c1e-4b8a-9f6d-2e5c8a1b3d70";
        let check =
            |iss: String, hop| check_issuer(&token(json!({"iss": iss})), &e, hop, App::Gateway);
        let exact = check(
            format!("https://login.microsoftonline.com/{tid}/v2.0"),
            Hop::Client,
        );
        assert_eq!(exact.code, None, "{}", exact.detail);
        for (iss, says) in [
            (
                format!("https://login.microsoftonline.com:443/{tid}/v2.0"),
                "default port",
            ),
            (
                format!("https://LOGIN.microsoftonline.com/{tid}/v2.0"),
                "host in upper case",
            ),
            (
                format!(
                    "https://login.microsoftonline.com/{}/v2.0",
                    tid.to_uppercase()
                ),
                "tenant GUID in upper case",
            ),
            (
                format!("https://login.microsoftonline.com/{tid}/v2.0/"),
                "extra slash",
            ),
        ] {
            let c = check(iss.clone(), Hop::Backend);
            assert_eq!(c.code, Some(codes::INEXACT_MATCH), "{iss}: {}", c.detail);
            assert_eq!(c.status, crate::report::Status::Fail, "{iss}");
            assert!(c.detail.contains(says), "{iss}: {}", c.detail);
            assert!(
                c.detail.contains("Context7 compares exactly"),
                "{}",
                c.detail
            );
            let c = check(iss.clone(), Hop::Client);
            assert_eq!(c.status, crate::report::Status::Warn, "{iss}");
        }
        let graph = token(json!({
            "iss": format!("https://sts.windows.net/{tid}/"),
            "aud": "https://graph.microsoft.com",
            "ver": "1.0",
        }));
        let c = check_issuer(&graph, &e, Hop::Client, App::Gateway);
        assert_eq!(c.code, Some(codes::GRAPH_AUDIENCE), "{}", c.detail);
    }
}
