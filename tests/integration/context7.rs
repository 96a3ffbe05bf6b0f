//! What Context7 will accept: `token` mirrors Context7 4.x's own Entra validator on the token
//! Context7 receives (the backend hop of obo, the one token of passthrough), for tokens APIM
//! accepts and Context7 refuses. Tokens are minted here with the test key, shaped like
//! Entra's, at the tests' fixed clock.

use crate::support::sim::tokens::TokenBuilder;
use crate::support::sim::{Ids, now_unix};
use crate::support::{Report, Run};

const PUBLIC: &str = "https://login.microsoftonline.com";
const US_GOV: &str = "https://login.microsoftonline.us";

/// `token` on `token` with the simulator's IDs, `--pattern`, `--hop` and extra args; the
/// report, its exit code checked against the verdict.
fn token(token: &str, pattern: &str, hop: &str, extra: &[&str]) -> Report {
    let ids = Ids::load();
    Run::new()
        .args(["token", "--pattern", pattern, "--hop", hop])
        .args(["--tenant-id", &ids.tenant_id])
        .args(["--gateway-app-id", &ids.gateway_app_id])
        .args(["--mcp-app-id", &ids.mcp_app_id])
        .args(extra)
        .stdin(token.to_string())
        .report()
}

/// A backend-hop token as the OBO exchange mints it: v2, `aud` the MCP API app, `mcp.access`.
fn backend(authority: &str) -> TokenBuilder {
    let ids = Ids::load();
    TokenBuilder::v2(authority, &ids.tenant_id, &ids.mcp_app_id, "mcp.access")
        .claim("azp", ids.gateway_app_id.as_str())
        .claim("oid", ids.user_oid.as_str())
}

fn refused(r: &Report, message: &str, why: &str) {
    let c = r
        .find("token.context7")
        .unwrap_or_else(|| panic!("no token.context7: {r}"));
    assert_eq!(c["status"], "fail", "{r}");
    assert_eq!(c["code"], "token.context7-issuer");
    assert_eq!(c["evidence"]["context7_message"], message);
    let detail = c["detail"].as_str().unwrap();
    assert!(detail.contains(why), "{why:?} not in {detail}");
    assert!(
        c["fix"]
            .as_str()
            .unwrap()
            .contains(&format!("\"{message}\"")),
        "{}",
        c["fix"]
    );
}

#[test]
fn a_healthy_backend_token_is_accepted_by_context7s_validator() {
    let r = token(&backend(PUBLIC).sign(), "obo", "backend", &[]);
    let c = r.find("token.context7").expect("token.context7");
    assert_eq!(c["status"], "pass", "{}", r);
    // The client hop of obo never reaches Context7: no such check there.
    let ids_ = Ids::load();
    let client = TokenBuilder::v2(
        PUBLIC,
        &ids_.tenant_id,
        &ids_.gateway_app_id,
        "Mcp.Gateway.Access",
    );
    let r = token(&client.sign(), "obo", "client", &[]);
    assert!(r.find("token.context7").is_none(), "{}", r);
    // Shared key: Context7 gets the API key, not a token.
    let r = token(&backend(PUBLIC).sign(), "shared-key", "client", &[]);
    assert!(r.find("token.context7").is_none());
}

#[test]
fn a_sovereign_cloud_token_passes_the_issuer_check_and_not_context7() {
    let r = token(
        &backend(US_GOV).sign(),
        "obo",
        "backend",
        &["--authority", US_GOV],
    );
    // The cloud's own issuer check passes: APIM with authentication-endpoint accepts it.
    assert_eq!(r.find("token.issuer").unwrap()["status"], "pass", "{}", r);
    refused(&r, "Invalid token", "sovereign-cloud issuer");
    // Said up front, whatever the token: the cloud cannot use per-user validation.
    let c = r
        .find("token.context7-cloud")
        .expect("token.context7-cloud");
    assert_eq!(c["code"], "token.context7-issuer");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("only public-cloud issuers")
    );
    // passthrough too, and on the client hop.
    let ids_ = Ids::load();
    let client = TokenBuilder::v2(US_GOV, &ids_.tenant_id, &ids_.mcp_app_id, "mcp.access");
    let r = token(
        &client.sign(),
        "passthrough",
        "client",
        &["--authority", US_GOV],
    );
    assert!(r.find("token.context7-cloud").is_some(), "{}", r);
    refused(&r, "Invalid token", "sovereign-cloud issuer");
    // shared-key from a sovereign cloud is fine: Context7 gets the key.
    let r = token(
        &client.sign(),
        "shared-key",
        "client",
        &["--authority", US_GOV],
    );
    assert!(r.find("token.context7-cloud").is_none());
}

#[test]
fn a_v1_backend_token_is_refused_by_context7() {
    let ids_ = Ids::load();
    let t = TokenBuilder::v1(&ids_.tenant_id, &ids_.mcp_app_id, "mcp.access").sign();
    let r = token(&t, "obo", "backend", &[]);
    refused(&r, "Invalid token", "v1.0 issuer");
    // token.issuer-v1's fix carries the guide's manifest-persistence tip.
    let v1 = r.by_code("token.issuer-v1");
    let fix = v1["fix"].as_str().unwrap();
    assert!(
        fix.contains("--set api.requestedAccessTokenVersion=2"),
        "{fix}"
    );
    assert!(
        fix.contains("--query api.requestedAccessTokenVersion -o tsv"),
        "{fix}"
    );
}

#[test]
fn an_upper_case_tenant_in_the_issuer_is_refused_by_context7() {
    let ids_ = Ids::load();
    let iss = format!("{PUBLIC}/{}/v2.0", ids_.tenant_id.to_uppercase());
    let r = token(
        &backend(PUBLIC).claim("iss", iss).sign(),
        "obo",
        "backend",
        &[],
    );
    refused(&r, "Invalid token", "upper-case");
}

#[test]
fn an_array_audience_is_refused_by_context7() {
    let ids_ = Ids::load();
    let aud = serde_json::json!([ids_.mcp_app_id, format!("api://{}", ids_.mcp_app_id)]);
    let r = token(
        &backend(PUBLIC).claim("aud", aud).sign(),
        "passthrough",
        "backend",
        &[],
    );
    refused(&r, "Missing audience", "array");
}

#[test]
fn no_clock_tolerance_and_single_space_scopes() {
    // nbf 30 s ahead: inside APIM's (and c7doctor's) 60 s skew, outside Context7's none.
    let nbf = now_unix() + 30;
    let r = token(
        &backend(PUBLIC).claim("nbf", nbf).sign(),
        "obo",
        "backend",
        &[],
    );
    assert_eq!(
        r.find("token.not-before").unwrap()["status"],
        "pass",
        "{}",
        r
    );
    refused(&r, "Invalid token claims", "nbf is 30 s in the future");
    // scp separated by a no-break space: split on whitespace it holds mcp.access, split on
    // ' ' as Context7 does it does not.
    let r = token(
        &backend(PUBLIC)
            .claim("scp", "openid\u{a0}mcp.access")
            .sign(),
        "obo",
        "backend",
        &[],
    );
    refused(&r, "Missing required scope", "single spaces");
}
