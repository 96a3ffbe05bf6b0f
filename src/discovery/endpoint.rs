//! Link 1: the unauthenticated `initialize` POST to the MCP endpoint, and the
//! `WWW-Authenticate` challenge on its 401 (guide 2 Part 5 Step 3, RFC 9728 §5.1).

use crate::discovery::codes;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use url::Url;

use super::fetch::same_origin;
use super::www_authenticate;
use crate::http::{Http, NetError, Request, Response};
use crate::report::Check;

/// Largest part of the endpoint's answer that is read (its status and headers are what
/// matter; an open endpoint may stream forever).
const ENDPOINT_CAP: usize = 64 * 1024;

/// The `initialize` request a 2025-era MCP client sends first.
pub fn initialize_body() -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "c7doctor", "version": env!("CARGO_PKG_VERSION")}
        }
    })
}

/// POST `initialize` without a token, with the MCP `Accept` header. The body is read up to
/// 64 KiB or until the deadline, whichever comes first.
pub async fn post_unauthenticated(http: &Http, mcp_url: &Url) -> Result<Response, NetError> {
    let start = Instant::now();
    let req = Request::post_json(mcp_url.clone(), &initialize_body())
        .header("accept", "application/json, text/event-stream");
    let mut stream = http.open(req).await?;
    let mut body = Vec::new();
    let mut truncated = false;
    let deadline = http.timeout();
    loop {
        let left = deadline.saturating_sub(start.elapsed());
        if left.is_zero() || body.len() >= ENDPOINT_CAP {
            truncated = true;
            break;
        }
        match stream.next_chunk(left.min(Duration::from_secs(2))).await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            // The status and headers arrived; a body that stalls or breaks does not change them.
            Err(_) => {
                truncated = true;
                break;
            }
        }
    }
    body.truncate(ENDPOINT_CAP);
    Ok(Response {
        url: stream.url.clone(),
        status: stream.status,
        headers: stream.headers.clone(),
        body: body.into(),
        truncated,
        elapsed: start.elapsed(),
    })
}

/// APIM's `{"statusCode":…,"message":…}`, when the body has that shape.
pub fn apim_message(resp: &Response) -> Option<String> {
    let v: Value = serde_json::from_slice(&resp.body).ok()?;
    v.get("statusCode")?;
    v.get("message")?.as_str().map(str::to_string)
}

/// Is the body an HTML page (by content type or by its first byte)?
pub fn is_html(resp: &Response) -> bool {
    resp.header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || resp.body.trim_ascii_start().starts_with(b"<")
}

/// The `<title>` of an HTML body, shortened.
fn html_title(resp: &Response) -> Option<String> {
    let text = String::from_utf8_lossy(&resp.body);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    let t: String = text[start..end].trim().chars().take(80).collect();
    (!t.is_empty()).then_some(t)
}

/// Does the answer carry a Bearer challenge with `error="insufficient_scope"`?
pub fn insufficient_scope(resp: &Response) -> bool {
    resp.headers_all("www-authenticate").iter().any(|line| {
        www_authenticate::parse(line).is_ok_and(|cs| {
            cs.iter()
                .any(|c| c.is("bearer") && c.param("error") == Some("insufficient_scope"))
        })
    })
}

/// The check on the endpoint's status.
pub fn endpoint_check(result: &Result<Response, NetError>, mcp_url: &Url) -> Check {
    const ID: &str = "discovery.endpoint";
    const TITLE: &str = "MCP endpoint asks for a token (401 without one)";
    let resp = match result {
        Ok(r) => r,
        Err(e) => return e.to_check(codes::UNREACHABLE, ID, TITLE),
    };
    let status = resp.status;
    let check = Check::new(ID, TITLE)
        .evidence("url", mcp_url.as_str())
        .evidence("status", status)
        .duration(resp.elapsed);
    let check = match apim_message(resp) {
        Some(m) => check.evidence("message", m),
        None => check,
    };
    let st = crate::http::status_text(status);
    match status {
        401 => check.pass(format!("POST initialize without a token: {st}")),
        // The TypeScript SDK v1 and v2 start a (step-up) sign-in on a 403 whose challenge
        // says error="insufficient_scope", as on a 401.
        403 if insufficient_scope(resp) => check.pass(format!(
            "POST initialize without a token: {st} with error=\"insufficient_scope\", which starts sign-in (TypeScript SDK v1 and v2)"
        )),
        200..=299 if is_html(resp) => check
            .fail(
                codes::HTML_RESPONSE,
                format!(
                    "POST initialize got {st} with an HTML page, not APIM's 401 or an MCP answer: something else answers at {mcp_url} (a proxy's login or block page, a portal){}",
                    html_title(resp)
                        .map(|t| format!("; the page is titled {t:?}"))
                        .unwrap_or_default()
                ),
            )
            .evidence(
                "content_type",
                resp.header("content-type").unwrap_or_default(),
            ),
        200..=299 => check
            .fail(
                codes::ENDPOINT_OPEN,
                format!(
                    "POST initialize without a token got {st}: the gateway lets anyone through to Context7"
                ),
            )
            .evidence(
                "content_type",
                resp.header("content-type").unwrap_or_default(),
            ),
        404 | 405 => check.fail(
            codes::ENDPOINT_MISSING,
            format!(
                "POST {mcp_url} got {st}: no MCP API operation at this host and path{}",
                apim_message(resp)
                    .map(|m| format!(" (APIM says {m:?})"))
                    .unwrap_or_default()
            ),
        ),
        300..=399 => {
            let loc = resp.header("location").unwrap_or_default();
            let other = resp
                .url
                .join(&loc)
                .ok()
                .filter(|u| !same_origin(u, mcp_url))
                .map(|u| {
                    format!(
                        " — another host ({}): a client that follows it sends its token there",
                        u.host_str().unwrap_or("?")
                    )
                })
                .unwrap_or_default();
            check
                .fail(
                    codes::REDIRECT,
                    format!("POST {mcp_url} got {st} to {loc:?}{other}"),
                )
                .evidence("location", loc)
        }
        406 | 415 => check.fail(
            crate::mcp::codes::NOT_ACCEPTABLE,
            format!(
                "POST initialize with Accept: application/json, text/event-stream got {st}: the gateway or a policy rewrites the MCP headers"
            ),
        ),
        500..=599 => check.fail(
            crate::mcp::codes::GATEWAY_ERROR,
            format!("POST initialize without a token got {st}: the gateway fails before it can ask for a token"),
        ),
        _ => check.fail(
            codes::CHALLENGE_MISSING,
            format!(
                "POST initialize without a token got {st} instead of 401: the TypeScript SDK v1 and v2 start sign-in only on a 401, or a 403 with error=\"insufficient_scope\""
            ),
        ),
    }
}

/// What is wrong with the challenge, if anything.
#[derive(Debug, Clone, PartialEq)]
pub enum ChallengeProblem {
    None,
    /// No `WWW-Authenticate` at all.
    Missing,
    /// Challenges, but no Bearer one.
    NotBearer(Vec<String>),
    /// A Bearer challenge without `resource_metadata`.
    NoResourceMetadata,
    /// The header does not parse, or `resource_metadata` is not an absolute URL.
    Malformed(String),
    /// `resource_metadata` on another origin than the gateway.
    Upstream(Url),
}

/// The challenge of the endpoint's 401.
#[derive(Debug, Clone)]
pub struct ChallengeInfo {
    pub raw: Vec<String>,
    pub resource_metadata: Option<Url>,
    pub scope: Option<String>,
    pub error: Option<String>,
    /// The `claims` of an `error="insufficient_claims"` challenge, as sent.
    pub claims: Option<String>,
    pub problem: ChallengeProblem,
}

impl ChallengeInfo {
    /// Entra's claims challenge (`error="insufficient_claims"`).
    pub fn is_claims_challenge(&self) -> bool {
        self.error.as_deref() == Some("insufficient_claims")
    }

    /// The URL to fetch the PRM from: only a well-formed one on the gateway's origin (an
    /// upstream URL is a finding, not a destination).
    pub fn usable_url(&self) -> Option<&Url> {
        match self.problem {
            ChallengeProblem::None => self.resource_metadata.as_ref(),
            _ => None,
        }
    }
}

/// Read the challenge off a 401.
pub fn analyze(resp: &Response, gateway: &Url) -> ChallengeInfo {
    let raw = resp.headers_all("www-authenticate");
    let mut info = ChallengeInfo {
        raw: raw.clone(),
        resource_metadata: None,
        scope: None,
        error: None,
        claims: None,
        problem: ChallengeProblem::None,
    };
    if raw.iter().all(|r| r.trim().is_empty()) {
        info.problem = ChallengeProblem::Missing;
        return info;
    }
    let mut challenges = Vec::new();
    let mut parse_error = None;
    for line in &raw {
        match www_authenticate::parse(line) {
            Ok(mut c) => challenges.append(&mut c),
            Err(e) => parse_error = Some(format!("{e} in {line:?}")),
        }
    }
    let bearer = challenges
        .iter()
        .find(|c| c.is("bearer") && c.param("resource_metadata").is_some())
        .or_else(|| challenges.iter().find(|c| c.is("bearer")));
    let Some(bearer) = bearer else {
        info.problem = match parse_error {
            Some(e) => ChallengeProblem::Malformed(e),
            None => {
                ChallengeProblem::NotBearer(challenges.iter().map(|c| c.scheme.clone()).collect())
            }
        };
        return info;
    };
    info.scope = bearer.param("scope").map(str::to_string);
    info.error = bearer.param("error").map(str::to_string);
    info.claims = bearer.param("claims").map(str::to_string);
    let Some(rm) = bearer.param("resource_metadata") else {
        info.problem = match parse_error {
            Some(e) => ChallengeProblem::Malformed(e),
            None => ChallengeProblem::NoResourceMetadata,
        };
        return info;
    };
    match Url::parse(rm) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            info.resource_metadata = Some(u.clone());
            info.problem = if !same_origin(&u, gateway) {
                ChallengeProblem::Upstream(u)
            } else if let Some(e) = parse_error {
                ChallengeProblem::Malformed(e)
            } else {
                ChallengeProblem::None
            };
        }
        _ => {
            info.problem = ChallengeProblem::Malformed(format!(
                "resource_metadata {rm:?} is not an absolute http(s) URL"
            ))
        }
    }
    info
}

/// The check on the challenge. `fallback` is the well-known URL where the PRM was found
/// without the header (clients of the 2025-11-25 spec look there), if any.
pub fn challenge_check(info: &ChallengeInfo, gateway: &Url, fallback: Option<&Url>) -> Check {
    let check = Check::new(
        "discovery.challenge",
        "401 carries a Bearer challenge with resource_metadata",
    )
    .evidence("www_authenticate", info.raw.clone())
    .fix_var("host", gateway.as_str().trim_end_matches('/'));
    // Missing or unusable: clients of the 2025-11-25 spec fall back to the well-known URLs.
    let degrade = |check: Check, code: crate::findings::Code, what: String| -> Check {
        match fallback {
            Some(f) => check
                .warn(
                    code,
                    format!(
                        "{what}. Clients following the 2025-11-25 MCP spec (the TypeScript SDK v1 and v2) fall back to {f} and find the PRM; clients that require the header (2025-06-18) cannot sign in"
                    ),
                )
                .evidence("fallback_prm", f.as_str()),
            None => check.fail(
                code,
                format!("{what}, and no well-known URL serves the PRM either: no MCP client can find where to sign in"),
            ),
        }
    };
    // The TypeScript SDK v1 and v2 read the (joined) header with split(' '): a scheme other
    // than Bearer first hides the Bearer challenge from them.
    let joined = info.raw.join(", ");
    let first = joined.split(' ').next().unwrap_or("").to_string();
    if info.problem == ChallengeProblem::None && !first.eq_ignore_ascii_case("bearer") {
        let what = format!(
            "The Bearer challenge is not the first scheme ({first} comes first{}): the TypeScript SDK v1 and v2 read only the first scheme and do not see resource_metadata or scope",
            if info.raw.len() > 1 {
                ", in a header line of its own"
            } else {
                ""
            }
        );
        return degrade(check, codes::CHALLENGE_MALFORMED, what);
    }
    match &info.problem {
        ChallengeProblem::None => {
            let rm = info
                .resource_metadata
                .as_ref()
                .map(|u| u.as_str().to_string())
                .unwrap_or_default();
            let scope = info
                .scope
                .as_deref()
                .map(|s| format!(", scope=\"{s}\""))
                .unwrap_or_default();
            check
                .pass(format!("Bearer resource_metadata=\"{rm}\"{scope}"))
                .evidence("resource_metadata", rm)
        }
        ChallengeProblem::Missing => degrade(
            check,
            codes::CHALLENGE_MISSING,
            "The 401 has no WWW-Authenticate header".into(),
        ),
        ChallengeProblem::NotBearer(schemes) => degrade(
            check,
            codes::CHALLENGE_MISSING,
            format!(
                "The 401 has no Bearer challenge (only {})",
                schemes.join(", ")
            ),
        ),
        ChallengeProblem::NoResourceMetadata if info.is_claims_challenge() => degrade(
            check,
            codes::CLAIMS_CHALLENGE,
            format!(
                "The 401 carries Entra's claims challenge (error=\"insufficient_claims\", {}) instead of the MCP challenge: it names no resource_metadata",
                describe_claims(info.claims.as_deref())
            ),
        ),
        ChallengeProblem::NoResourceMetadata => degrade(
            check,
            codes::CHALLENGE_MISSING,
            "The Bearer challenge has no resource_metadata parameter".into(),
        ),
        ChallengeProblem::Malformed(why) => degrade(
            check,
            codes::CHALLENGE_MALFORMED,
            format!("The WWW-Authenticate header cannot be parsed: {why}"),
        ),
        ChallengeProblem::Upstream(u) => {
            let host = u.host_str().unwrap_or("?");
            let whose = if host.eq_ignore_ascii_case("mcp.context7.com") {
                " — Context7's own challenge passed through the gateway"
            } else {
                ""
            };
            check
                .fail(
                    codes::CHALLENGE_UPSTREAM,
                    format!(
                        "resource_metadata points at {u} on {host}, not the gateway{whose}: clients follow it to another authorization server and never reach your Entra tenant"
                    ),
                )
                .evidence("resource_metadata", u.as_str())
        }
    }
}

/// The claims an `insufficient_claims` challenge asks for, in words: `claims` is base64 JSON
/// in a `WWW-Authenticate` (plain JSON in an Entra error body), e.g.
/// `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`.
pub fn describe_claims(claims: Option<&str>) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let Some(raw) = claims.map(str::trim).filter(|c| !c.is_empty()) else {
        return "without a claims parameter".into();
    };
    let json: Option<Value> = serde_json::from_str(raw).ok().or_else(|| {
        let bytes = STANDARD
            .decode(raw)
            .or_else(|_| URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    });
    let Some(Value::Object(tokens)) = json else {
        return "with a claims value that is not (base64) JSON".into();
    };
    let mut asked = Vec::new();
    for (token, claims) in &tokens {
        let Some(claims) = claims.as_object() else {
            continue;
        };
        for (name, spec) in claims {
            let value = spec
                .get("value")
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .or_else(|| {
                    spec.get("values").and_then(Value::as_array).map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join("|")
                    })
                });
            let what = match name.as_str() {
                "acrs" => " — a Conditional Access authentication context",
                "nbf" => " — Continuous Access Evaluation: a token issued after a revocation",
                "xms_cc" => " — client capabilities",
                _ => "",
            };
            asked.push(match value {
                Some(v) => format!("{token}.{name} = {v:?}{what}"),
                None => format!("{token}.{name}{what}"),
            });
        }
    }
    if asked.is_empty() {
        "with claims that name no claim".into()
    } else {
        format!("asking for {}", asked.join(", "))
    }
}

/// `discovery.claims-challenge` (info) when the MCP challenge is intact but carries Entra's
/// claims challenge beside it; `None` otherwise (a claims challenge that replaces the MCP
/// challenge is the challenge check's finding).
pub fn claims_check(info: &ChallengeInfo, gateway: &Url) -> Option<Check> {
    if !info.is_claims_challenge() || info.problem == ChallengeProblem::NoResourceMetadata {
        return None;
    }
    Some(
        Check::new(
            "discovery.challenge.claims",
            "The challenge asks for no extra claims before sign-in",
        )
        .evidence("www_authenticate", info.raw.clone())
        .fix_var("host", gateway.as_str().trim_end_matches('/'))
        .info(
            codes::CLAIMS_CHALLENGE,
            format!(
                "The 401 carries Entra's claims challenge (error=\"insufficient_claims\", {}) beside resource_metadata: on a request without a token it asks for nothing a client can give. The TypeScript SDK v1 and v2 and VS Code's client (as modelled) do not pass claims on to /authorize; if a user's token lacks these claims later, they sign in again the same way",
                describe_claims(info.claims.as_deref())
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_decoded_from_base64_or_plain_json() {
        // base64 of {"access_token":{"acrs":{"essential":true,"value":"c1"}}}
        let b64 = "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19";
        assert_eq!(
            describe_claims(Some(b64)),
            r#"asking for access_token.acrs = "c1" — a Conditional Access authentication context"#
        );
        let cae = r#"{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}"#;
        assert!(
            describe_claims(Some(cae))
                .contains("access_token.nbf = \"1604106651\" — Continuous Access Evaluation"),
            "{}",
            describe_claims(Some(cae))
        );
        assert_eq!(describe_claims(None), "without a claims parameter");
        assert_eq!(
            describe_claims(Some("%%%not base64")),
            "with a claims value that is not (base64) JSON"
        );
    }
}
