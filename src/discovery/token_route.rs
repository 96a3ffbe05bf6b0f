//! Link 5: `POST /token` with a deliberately invalid authorization code and no `Origin`.
//! Entra's error JSON (`invalid_grant`, an AADSTS code, trace and correlation IDs) proves
//! the route reaches the tenant's token endpoint (guide 2 Part 5 Step 1: the oauth-proxy
//! API's service URL); anything else means clients cannot redeem their code.

use crate::discovery::codes;
use url::Url;

use super::authorize::{Pkce, REDIRECT_URI};
use super::documents::DocExpect;
use crate::entra::errors::parse_entra_error;
use crate::http::{Http, NetError, Request, Response};
use crate::report::Check;

/// The code sent: never valid, so nothing is ever issued.
pub const INVALID_CODE: &str = "c7doctor-deliberately-invalid-authorization-code";

pub async fn run(
    http: &Http,
    endpoint: &Url,
    client_id: &str,
    pkce: &Pkce,
) -> Result<Response, NetError> {
    let req = Request::post_form(
        endpoint.clone(),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", INVALID_CODE),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .header("accept", "application/json");
    http.send(req).await
}

pub fn check(
    result: &Result<Response, NetError>,
    endpoint: &Url,
    client_id: &str,
    exp: &DocExpect,
) -> Check {
    const ID: &str = codes::TOKEN_ROUTE.code;
    const TITLE: &str = "/token reaches Entra's token endpoint";
    let resp = match result {
        Ok(r) => r,
        Err(e) => return e.to_check(codes::UNREACHABLE, ID, TITLE),
    };
    let check = Check::new(ID, TITLE)
        .evidence("url", endpoint.as_str())
        .evidence("status", resp.status)
        .duration(resp.elapsed);
    let st = crate::http::status_text(resp.status);
    if (200..300).contains(&resp.status) {
        return check.fail(
            codes::TOKEN_ROUTE,
            format!(
                "POST /token with an invalid code answered {st}: that is not Entra's token endpoint"
            ),
        );
    }
    if resp.status == 404 || resp.status == 405 {
        let apim = super::endpoint::apim_message(resp)
            .map(|m| format!(" (APIM says {m:?})"))
            .unwrap_or_default();
        return check.fail(
            codes::TOKEN_ROUTE,
            format!("POST /token answered {st}{apim}: the oauth-proxy API has no token operation, so clients cannot redeem their sign-in"),
        );
    }
    let ct = resp.header("content-type");
    match parse_entra_error(resp.status, ct.as_deref(), &resp.body) {
        Ok(err) => {
            let mut check = check
                .evidence("error", err.error.clone())
                .evidence("error_codes", err.error_codes.clone());
            for (k, v) in [
                ("trace_id", &err.trace_id),
                ("correlation_id", &err.correlation_id),
                ("timestamp", &err.timestamp),
            ] {
                if let Some(v) = v {
                    check = check.evidence(k, v.clone());
                }
            }
            let said = err.short_description().unwrap_or_default();
            match err.aadsts() {
                Some(90002) => check.fail(
                    codes::TOKEN_ROUTE,
                    format!("POST /token reaches Entra, but the tenant in its service URL does not exist: {said}"),
                ),
                Some(9002326) => check.fail(
                    codes::TOKEN_ROUTE,
                    format!("Entra saw a browser Origin on the token request (AADSTS9002326): the gateway adds one — {said}"),
                ),
                Some(700016) if exp.client_audience_app() == Some(client_id) => check
                    .warn(
                        crate::entra::codes::APP_NOT_FOUND,
                        format!("POST /token reaches Entra, which does not know the client ID {client_id} in that tenant (AADSTS700016): check the app ID, or the tenant in the oauth-proxy API's service URL"),
                    )
                    .fix_var("client_id", client_id)
                    .fix_var("client_app", format!("the app registration with client ID {client_id}")),
                _ => check.pass(format!(
                    "Entra answered {} to a deliberately invalid code, as expected{}",
                    err.label(),
                    if said.is_empty() { String::new() } else { format!(" ({said})") }
                )),
            }
        }
        Err(not) => check
            .fail(
                codes::TOKEN_ROUTE,
                format!("POST /token with an invalid code: {}", not.sentence),
            )
            .evidence("body_preview", not.preview),
    }
}
