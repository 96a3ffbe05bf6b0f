//! `c7doctor obo [TOKEN|-]`: the On-Behalf-Of exchange of the per-user guide's policy,
//! done by c7doctor so a broken permission chain (gateway app → MCP API app) is found
//! without reading APIM traces.
//!
//! `POST <authority>/<tenant>/oauth2/v2.0/token` with
//! `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, the gateway app's `client_id`
//! and `client_secret`, `assertion` = the client-hop token,
//! `scope=api://<mcp-app-id>/.default`, `requested_token_use=on_behalf_of`.
//!
//! - The secret comes only from `C7DOCTOR_GATEWAY_SECRET` or `--secret-stdin` (never an
//!   argument); a trailing newline is trimmed and reported.
//! - `/common`, `/organizations`, `/consumers` are refused before sending (AADSTS9001023).
//! - Before sending, the assertion is checked locally and c7doctor says what Entra will
//!   answer (wrong `aud` → AADSTS500131, Graph or ID token → AADSTS50013/240002, expired →
//!   AADSTS500133, app-only → AADSTS7000114).
//! - After: the backend-hop checks on the result and the two-hop comparison table.

use crate::entra::codes;
use serde_json::Value;

use super::errors::{ErrorContext, Flow, entra_error_check_in, not_entra_check, parse_entra_error};
use super::{endpoint, is_guid, tenant_check};
use crate::cli::OboArgs;
use crate::context::{Ctx, Outcome};
use crate::error::Error;
use crate::http::Request;
use crate::input;
use crate::report::Check;
use crate::report::redact::{self, Secret};

const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Environment variable holding the gateway app's client secret.
pub const SECRET_ENV: &str = "C7DOCTOR_GATEWAY_SECRET";

/// `c7doctor obo`.
pub async fn obo_command(ctx: &Ctx, args: &OboArgs) -> Result<Outcome, Error> {
    let mut report = ctx.report("obo");

    // The secret: --secret-stdin or the environment, never an argument.
    let stdin_token = args.source.token.as_deref() == Some("-")
        || args.source.token_file.as_deref() == Some(std::path::Path::new("-"));
    if args.secret_stdin && stdin_token {
        return Err(Error::usage(
            "--secret-stdin reads the client secret from stdin, so the token cannot come from \
             stdin too: give it with --token-file FILE or C7DOCTOR_TOKEN",
        ));
    }
    let (secret, secret_checks) = if args.secret_stdin {
        read_client_secret(Some((input::read_stdin()?, "stdin")))
    } else {
        gateway_secret_from_env()
    };
    report.extend(secret_checks);

    // The assertion: argument, file, C7DOCTOR_TOKEN, or piped stdin (unless stdin held the secret).
    let raw = if args.secret_stdin {
        match (&args.source.token, &args.source.token_file) {
            (Some(t), _) => Some(input::RawInput {
                bytes: t.as_bytes().to_vec(),
                origin: input::Origin::Argument,
            }),
            (None, Some(p)) => Some(input::RawInput {
                bytes: input::read_file(p)?,
                origin: input::Origin::File(p.display().to_string()),
            }),
            (None, None) => std::env::var_os("C7DOCTOR_TOKEN").map(|v| input::RawInput {
                bytes: v.as_encoded_bytes().to_vec(),
                origin: input::Origin::Env("C7DOCTOR_TOKEN"),
            }),
        }
    } else {
        input::read_secret(
            args.source.token.as_deref(),
            args.source.token_file.as_deref(),
            "C7DOCTOR_TOKEN",
        )?
    };
    let assertion = raw.as_ref().map(|r| {
        let text = r.text();
        redact::register_secret(text.trim());
        Secret::new(input::normalize_token(&text))
    });
    let Some(assertion) = assertion.filter(|a| !a.expose().is_empty()) else {
        report.push(
            Check::new("obo.assertion", "Client-hop token to exchange").skip(
                crate::config::codes::MISSING,
                "no token to exchange: give the client-hop token as an argument, `-` (stdin), \
                 --token-file FILE or C7DOCTOR_TOKEN — e.g. from `c7doctor login --save FILE`",
            ),
        );
        return Ok(report.into());
    };
    if let Some(r) = &raw {
        report.context("token_source", r.origin.describe());
    }
    report.context("token", assertion.fingerprint());

    // The client hop, as APIM's validate-azure-ad-token sees it, then the forecast.
    let client = super::hops::check_hop(
        ctx,
        assertion.expose(),
        crate::deployment::Hop::Client,
        args.provisioned.as_deref(),
        false,
    )
    .await;
    report.extend(client.checks);
    report.sections.extend(client.sections);
    report.push(forecast(ctx, assertion.expose()));

    let Some(secret) = secret else {
        return Ok(report.into());
    };
    let (checks, backend) =
        obo_exchange_with(ctx, &assertion, &secret, args.scope.as_deref()).await;
    report.extend(checks);
    let Some(backend) = backend else {
        return Ok(report.into());
    };
    report.context("backend_token", backend.fingerprint());
    let back = super::hops::check_hop(
        ctx,
        backend.expose(),
        crate::deployment::Hop::Backend,
        args.provisioned.as_deref(),
        false,
    )
    .await;
    report.extend(back.checks);
    report.sections.extend(back.sections);
    if let (Some(c), Some(b)) = (&client.decoded, &back.decoded) {
        let (checks, section) = super::hops::compare(ctx, c, b);
        report.extend(checks);
        report.sections.push(section);
    }
    Ok(report.into())
}

/// The gateway app's client secret from `C7DOCTOR_GATEWAY_SECRET` (for `e2e`), with the
/// same checks as `obo` (missing, empty, trimmed, a secret ID instead of the value).
pub fn gateway_secret_from_env() -> (Option<Secret>, Vec<Check>) {
    read_client_secret(
        std::env::var_os(SECRET_ENV)
            .map(|v| (v.as_encoded_bytes().to_vec(), "$C7DOCTOR_GATEWAY_SECRET")),
    )
}

/// Read the gateway app's client secret: trim surrounding whitespace (a trailing newline
/// from `echo` or a file, reported), refuse empty, warn when it looks like a secret ID.
pub fn read_client_secret(raw: Option<(Vec<u8>, &'static str)>) -> (Option<Secret>, Vec<Check>) {
    let id = "obo.secret";
    let title = "Gateway app client secret to exchange with";
    let Some((bytes, from)) = raw else {
        return (
            None,
            vec![Check::new(id, title).skip(
                crate::config::codes::MISSING,
                format!(
                    "no client secret: set {SECRET_ENV} or pipe it with --secret-stdin (never as \
                     an argument) — the gateway app's secret, as in APIM's apim-gateway-client-secret \
                     named value; the exchange is not sent"
                ),
            )],
        );
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    redact::register_secret(&text);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return (
            None,
            vec![Check::new(id, title).fail(
                crate::config::codes::MISSING,
                format!("the client secret from {from} is empty; the exchange is not sent"),
            )],
        );
    }
    let secret = Secret::new(trimmed);
    let mut checks = Vec::new();
    if trimmed.len() != text.len() {
        let what = if text.ends_with("\r\n") {
            "a trailing CRLF"
        } else if text.ends_with('\n') {
            "a trailing newline"
        } else {
            "surrounding whitespace"
        };
        checks.push(
            Check::new(
                "obo.secret-trimmed",
                "Client secret taken without surrounding whitespace",
            )
            .info(
                codes::SECRET_TRIMMED,
                format!("the secret from {from} had {what}; it was trimmed before sending"),
            ),
        );
    }
    let mut c = Check::new(id, title).evidence("source", from);
    if is_guid(trimmed) {
        c = c.warn(
            codes::SECRET_INVALID,
            format!(
                "the secret from {from} is a GUID: that is the secret's ID, not its value — \
                 Entra will answer AADSTS7000215"
            ),
        );
    } else {
        c = c.pass(format!(
            "a {}-character secret from {from}",
            trimmed.chars().count()
        ));
    }
    checks.push(c);
    (Some(secret), checks)
}

/// What Entra will answer to this assertion, judged locally before sending.
pub fn forecast(ctx: &Ctx, raw: &str) -> Check {
    let cfg = &ctx.cfg;
    let c = Check::new(
        "obo.forecast",
        "The assertion is a token Entra will exchange",
    );
    let decoded = match crate::token::decode(raw) {
        Ok(d) => d,
        Err(why) => {
            return c.fail(
                codes::INVALID_ASSERTION,
                format!(
                    "the assertion is not a JWT ({}): Entra will answer AADSTS50027 (malformed JWT)",
                    why.sentence
                ),
            );
        }
    };
    let s = |k: &str| decoded.claim_str(k);
    let aud = decoded.audiences();
    let aud_text = if aud.is_empty() {
        "(none)".to_string()
    } else {
        aud.join(", ")
    };
    let has_scp = !decoded.scopes().is_empty();
    let has_roles = !decoded.roles().is_empty();
    let is_graph = crate::token::claims::is_graph_token(&decoded);
    let mut c = c.evidence("aud", aud_text.clone());
    if let Some(exp) = decoded.exp() {
        c = c.evidence("exp", exp);
    }
    if is_graph {
        return c.fail(
            codes::INVALID_ASSERTION,
            format!(
                "the assertion is a Microsoft Graph token (aud {aud_text}): its signature can only \
                 be checked by Graph, so Entra will answer AADSTS50013 — the client asked for the \
                 wrong scope"
            ),
        );
    }
    if !has_scp && !has_roles && decoded.claims.contains_key("nonce") {
        return c.fail(
            codes::INVALID_ASSERTION,
            "the assertion is an ID token (nonce, no scp): Entra will answer AADSTS240002 — send \
             the access token"
                .to_string(),
        );
    }
    if !has_scp && (has_roles || s("idtyp") == Some("app")) {
        return c.fail(
            codes::OBO_NOT_ALLOWED,
            "the assertion is an app-only token (roles/idtyp app, no scp): there is no user to act \
             for — Entra will refuse the exchange (AADSTS7000114 or AADSTS50013)"
                .to_string(),
        );
    }
    if let Some(exp) = decoded.exp() {
        let now = ctx.now.as_second();
        if exp <= now {
            return c.fail(
                codes::ASSERTION_EXPIRED,
                format!(
                    "the assertion expired {} ago: Entra will answer AADSTS500133",
                    crate::token::display::human_duration(now - exp)
                ),
            );
        }
    }
    match cfg.gateway_app_id.as_deref().map(str::trim) {
        Some(gw) if !aud.iter().any(|a| a.eq_ignore_ascii_case(gw) || a.trim_end_matches('/') == format!("api://{gw}")) => {
            let other = cfg
                .mcp_app_id
                .as_deref()
                .filter(|m| aud.iter().any(|a| a.eq_ignore_ascii_case(m)))
                .map(|_| " (the MCP API app: the client asked for mcp.access instead of Mcp.Gateway.Access)")
                .unwrap_or("");
            c.fail(
                codes::OBO_AUDIENCE,
                format!(
                    "the assertion's aud is {aud_text}{other}, not the gateway app {gw} making the \
                     call: Entra will answer AADSTS500131"
                ),
            )
        }
        Some(gw) => c.pass(format!(
            "a user token for the gateway app {gw}, not expired: Entra should accept it as the assertion"
        )),
        None => c.skip(
            crate::config::codes::MISSING,
            "set --gateway-app-id to forecast whether the assertion's aud fits the OBO call",
        ),
    }
}

/// The exchange APIM performs, with the default scope (`api://<mcp-app-id>/.default`).
/// Returns the checks and the backend token (registered as a secret) when Entra issued one.
pub async fn obo_exchange(
    ctx: &Ctx,
    assertion: &Secret,
    secret: &Secret,
) -> (Vec<Check>, Option<Secret>) {
    obo_exchange_with(ctx, assertion, secret, None).await
}

/// [`obo_exchange`] with a scope override.
pub async fn obo_exchange_with(
    ctx: &Ctx,
    assertion: &Secret,
    secret: &Secret,
    scope: Option<&str>,
) -> (Vec<Check>, Option<Secret>) {
    let cfg = &ctx.cfg;
    let mut checks = Vec::new();
    let id = "obo.exchange";
    let title = "Entra exchanges the client token On-Behalf-Of the user";

    let tenant = match tenant_check(cfg, "obo.tenant", true) {
        Ok((t, c)) => {
            checks.push(c);
            t
        }
        Err(c) => {
            checks.push(c);
            return (checks, None);
        }
    };
    let Some(gateway) = cfg
        .gateway_app_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        checks.push(Check::new(id, title).skip(
            crate::config::codes::MISSING,
            "set --gateway-app-id: the exchange is made by the gateway app (its client ID and secret)",
        ));
        return (checks, None);
    };
    let scope = match scope.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => match cfg
            .mcp_app_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(m) => format!("api://{m}/.default"),
            None => {
                checks.push(Check::new(id, title).skip(
                    crate::config::codes::MISSING,
                    "set --mcp-app-id (or --scope): the exchange asks for api://<mcp-app-id>/.default",
                ));
                return (checks, None);
            }
        },
    };
    let url = match endpoint(cfg, &tenant, "token", id) {
        Ok(u) => u,
        Err(c) => {
            checks.push(c);
            return (checks, None);
        }
    };
    let http = match ctx.http(None) {
        Ok(h) => h,
        Err(e) => {
            checks.push(Check::new(id, title).fail(crate::config::codes::INVALID, e.to_string()));
            return (checks, None);
        }
    };
    let req = Request::post_form(
        url.clone(),
        &[
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", gateway),
            ("client_secret", secret.expose()),
            ("assertion", assertion.expose()),
            ("scope", &scope),
            ("requested_token_use", "on_behalf_of"),
        ],
    )
    .header("accept", "application/json");
    let ectx = ErrorContext {
        flow: Flow::Obo,
        client_id: Some(gateway),
        scope: Some(&scope),
    };
    let resp = match http.send(req).await {
        Ok(r) => r,
        Err(e) => {
            checks.push(e.to_check(crate::discovery::codes::UNREACHABLE, id, title));
            return (checks, None);
        }
    };
    let ct = resp.header("content-type");
    let base = |c: Check| {
        c.evidence("url", url.to_string())
            .evidence("scope", scope.clone())
            .duration(resp.elapsed)
    };
    if resp.status != 200 {
        let c = match parse_entra_error(resp.status, ct.as_deref(), &resp.body) {
            Ok(err) => entra_error_check_in(id, title, &err, cfg, &ectx),
            Err(not) => not_entra_check(id, title, url.as_str(), &not),
        };
        checks.push(base(c));
        return (checks, None);
    }
    let v: Value = match serde_json::from_slice(&resp.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            let c = match parse_entra_error(resp.status, ct.as_deref(), &resp.body) {
                Err(not) => not_entra_check(id, title, url.as_str(), &not),
                Ok(err) => entra_error_check_in(id, title, &err, cfg, &ectx),
            };
            checks.push(base(c));
            return (checks, None);
        }
    };
    for k in ["access_token", "refresh_token", "id_token"] {
        if let Some(s) = v.get(k).and_then(Value::as_str) {
            redact::register_secret(s);
        }
    }
    if v.get("error").is_some()
        && let Ok(err) = parse_entra_error(resp.status, ct.as_deref(), &resp.body)
    {
        checks.push(base(entra_error_check_in(id, title, &err, cfg, &ectx)));
        return (checks, None);
    }
    let Some(token) = v
        .get("access_token")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        let fields: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        checks.push(base(
            Check::new(id, title)
                .fail(
                    codes::BAD_RESPONSE,
                    "Entra answered 200 without an access_token: no backend token to check",
                )
                .evidence("fields", fields.join(",")),
        ));
        return (checks, None);
    };
    let token = Secret::new(token);
    let mut c = Check::new(id, title)
        .pass(format!(
            "Entra issued the backend token {} for {scope}",
            token.fingerprint()
        ))
        .evidence("token", token.fingerprint());
    for k in ["token_type", "scope", "expires_in"] {
        if let Some(x) = v.get(k) {
            c = c.evidence(k, x.clone());
        }
    }
    checks.push(base(c));
    (checks, Some(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_trailing_newline_is_trimmed_and_said() {
        let (s, checks) = read_client_secret(Some((b"abc~DEF.ghi-jkl_mno123\n".to_vec(), "stdin")));
        assert_eq!(s.unwrap().expose(), "abc~DEF.ghi-jkl_mno123");
        assert!(checks.iter().any(|c| c.code == Some(codes::SECRET_TRIMMED)));
        assert!(!format!("{checks:?}").contains("abc~DEF"));
    }

    #[test]
    fn secret_id_is_flagged() {
        let (_, checks) = read_client_secret(Some((
            b"5f0c7b52-3c1e-4a8e-9d3f-0a1b2c3d4e5f".to_vec(),
            "$C7DOCTOR_GATEWAY_SECRET",
        )));
        assert!(checks.iter().any(|c| c.code == Some(codes::SECRET_INVALID)));
    }

    #[test]
    fn empty_or_missing_secret() {
        assert!(read_client_secret(None).0.is_none());
        let (s, c) = read_client_secret(Some((b" \n".to_vec(), "stdin")));
        assert!(s.is_none());
        assert_eq!(c[0].code, Some(crate::config::codes::MISSING));
    }
}
