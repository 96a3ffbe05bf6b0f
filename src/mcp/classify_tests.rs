//! Tests of the answer classifier (kept beside it, in their own file).
use super::*;
use reqwest::header::{HeaderValue, WWW_AUTHENTICATE};
use serde_json::json;

fn gw() -> url::Url {
    url::Url::parse("https://gw.example/context7/mcp").unwrap()
}

fn h(www: Option<&str>) -> HeaderMap {
    let mut m = HeaderMap::new();
    if let Some(w) = www {
        m.insert(WWW_AUTHENTICATE, HeaderValue::from_str(w).unwrap());
    }
    m
}

#[test]
fn apim_401_is_the_gateway() {
    let body = br#"{"statusCode":401,"message":"Invalid Azure AD JWT"}"#;
    let c = classify_http(
        Step::Initialize,
        401,
        &h(None),
        body,
        false,
        Some(&gw()),
        Pattern::Obo,
    );
    assert_eq!(c.code(Step::Initialize), codes::REJECTED_AT_GATEWAY);
}

#[test]
fn context7_401_is_context7() {
    let body =
        br#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"Unknown audience"},"id":null}"#;
    let www = r#"Bearer resource_metadata="https://mcp.context7.com/.well-known/oauth-protected-resource""#;
    let c = classify_http(
        Step::Initialize,
        401,
        &h(Some(www)),
        body,
        false,
        Some(&gw()),
        Pattern::Obo,
    );
    assert_eq!(c.code(Step::Initialize), codes::REJECTED_BY_CONTEXT7);
    assert!(matches!(
        c,
        Cause::RejectedByContext7 {
            aspect: Some(Context7Aspect::Audience),
            ..
        }
    ));
    assert!(upstream_challenge(&h(Some(www)), Some(&gw())).is_some());
    let c7 = url::Url::parse("https://mcp.context7.com/mcp").unwrap();
    assert!(upstream_challenge(&h(Some(www)), Some(&c7)).is_none());
    assert!(upstream_challenge(&h(Some(www)), None).is_some());
}

#[test]
fn authentication_required_is_no_credential_at_every_step() {
    let body = format!(
        r#"{{"jsonrpc":"2.0","error":{{"code":-32001,"message":"{}"}},"id":null}}"#,
        "Authentication required. Please authenticate to use this MCP server."
    );
    for (step, accepted) in [(Step::Initialize, false), (Step::ToolsCall, true)] {
        let c = classify_http(
            step,
            401,
            &h(None),
            body.as_bytes(),
            accepted,
            None,
            Pattern::Obo,
        );
        assert_eq!(c.code(step), codes::NO_CREDENTIAL_AT_CONTEXT7, "{step:?}");
        let msg = "Authentication required. Please authenticate to use this MCP server.";
        let c = classify_rpc_error(step, 200, -32001, msg, None, accepted, Pattern::SharedKey);
        assert_eq!(c.code(step), codes::NO_CREDENTIAL_AT_CONTEXT7, "{step:?}");
    }
}

#[test]
fn refusal_after_acceptance_is_the_user() {
    let body = br#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"User is not provisioned in this teamspace"},"id":3}"#;
    let c = classify_http(
        Step::ToolsCall,
        403,
        &h(None),
        body,
        true,
        None,
        Pattern::Obo,
    );
    assert_eq!(c.code(Step::ToolsCall), codes::USER_NOT_PROVISIONED);
}

#[test]
fn api_key_text_in_a_tool_result() {
    let r = json!({"content":[{"type":"text","text":"Invalid API key. Please check your API key. API keys should \
        start with 'ctx7sk' prefix."}]});
    assert_eq!(
        classify_tool_result(&r, Pattern::SharedKey)
            .unwrap()
            .code(Step::ToolsCall),
        codes::API_KEY_REJECTED
    );
    let ok = json!({"content":[{"type":"text","text":"Available Libraries: …"}]});
    assert!(classify_tool_result(&ok, Pattern::SharedKey).is_none());
    let err = json!({"isError":true,"content":[{"type":"text","text":"rate limited"}]});
    assert_eq!(
        classify_tool_result(&err, Pattern::SharedKey)
            .unwrap()
            .code(Step::ToolsCall),
        codes::TOOL_ERROR
    );
}

#[test]
fn statuses() {
    let e =
        |s, step, body: &[u8]| classify_http(step, s, &h(None), body, false, None, Pattern::Obo);
    assert_eq!(
        e(
            500,
            Step::Initialize,
            br#"{"statusCode":500,"message":"Internal server error","activityId":"a1"}"#
        )
        .code(Step::Initialize),
        codes::GATEWAY_ERROR
    );
    assert_eq!(
        e(406, Step::Initialize, b"Not Acceptable").code(Step::Initialize),
        codes::NOT_ACCEPTABLE
    );
    assert_eq!(
        e(
            400,
            Step::ToolsList,
            b"Bad Request: Mcp-Session-Id header is required"
        )
        .code(Step::ToolsList),
        codes::SESSION
    );
    assert_eq!(
        e(
            404,
            Step::Initialize,
            br#"{"statusCode":404,"message":"Resource not found"}"#
        )
        .code(Step::Initialize),
        crate::discovery::codes::ENDPOINT_MISSING
    );
}

#[test]
fn unsupported_version_listing_2026_is_the_new_revision() {
    let c = classify_rpc_error(
        Step::Initialize,
        200,
        -32022,
        "Unsupported protocol version",
        Some(&json!({"requested":"2025-06-18","supported":["2026-07-28"]})),
        false,
        Pattern::Obo,
    );
    assert_eq!(
        c,
        Cause::Revision2026 {
            supported: vec!["2026-07-28".into()]
        }
    );
}

#[test]
fn check_your_api_key_reads_by_pattern() {
    let r = json!({"content":[{"type":"text","text":"Unauthorized. Please check your API key."}]});
    for (pattern, code) in [
        (Pattern::SharedKey, codes::API_KEY_REJECTED),
        (Pattern::Obo, codes::USER_NOT_PROVISIONED),
        (Pattern::Passthrough, codes::USER_NOT_PROVISIONED),
    ] {
        let c = classify_tool_result(&r, pattern).unwrap();
        assert_eq!(c.code(Step::ToolsCall), code, "{pattern:?}");
    }
}

#[test]
fn the_audience_per_teamspace_rule_has_its_own_code() {
    let body = br#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"This audience is already configured for another teamspace"},"id":null}"#;
    let c = classify_http(
        Step::Initialize,
        401,
        &h(None),
        body,
        false,
        None,
        Pattern::Obo,
    );
    assert_eq!(c.code(Step::Initialize), codes::AUDIENCE_OTHER_TEAMSPACE);
}

#[test]
fn redirects_and_dropped_headers() {
    let mut m = h(None);
    m.insert(
        "location",
        HeaderValue::from_static("https://elsewhere.example/mcp"),
    );
    for status in [301, 307, 308] {
        let c = classify_http(
            Step::Initialize,
            status,
            &m,
            b"",
            false,
            Some(&gw()),
            Pattern::Obo,
        );
        assert_eq!(c.code(Step::Initialize), crate::discovery::codes::REDIRECT);
        assert!(
            c.describe().contains("elsewhere.example"),
            "{}",
            c.describe()
        );
    }
    let body = br#"{"jsonrpc":"2.0","id":2,"error":{"code":-32020,"message":"request _meta protocolVersion requires MCP-Protocol-Version header"}}"#;
    let c = classify_http(
        Step::ToolsList,
        400,
        &h(None),
        body,
        true,
        None,
        Pattern::Obo,
    );
    assert_eq!(c.code(Step::ToolsList), codes::PROTOCOL_HEADERS);
    let body = br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#;
    let c = classify_http(
        Step::Discover,
        404,
        &h(None),
        body,
        false,
        None,
        Pattern::Obo,
    );
    assert_eq!(c.code(Step::Discover), codes::PROTOCOL_2025_ONLY);
}

#[test]
fn resource_metadata_is_extracted() {
    let m = h(Some(
        r#"Bearer error="invalid_token", resource_metadata="https://x/.well-known/oauth-protected-resource""#,
    ));
    assert_eq!(
        resource_metadata_urls(&m),
        vec!["https://x/.well-known/oauth-protected-resource".to_string()]
    );
}
