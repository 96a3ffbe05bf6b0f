//! Entra token-endpoint errors → findings, in one place for `login`, `obo` and the
//! discovery `/token` route check.
//!
//! Entra answers a failed token request with JSON (`error`, `error_description` starting
//! `AADSTSnnnnn:`, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, sometimes
//! `suberror` and a Conditional Access `claims` challenge). Microsoft warns that the texts
//! change, so the mapping keys on `error_codes` (falling back to the number in the
//! description, then to the OAuth `error` name) and always shows Entra's own description.
//! `trace_id`, `correlation_id` and `timestamp` stay in the evidence: support needs them.
//!
//! An answer that is not Entra's JSON (a proxy's error page, a captive portal, an APIM
//! error body) is [`NotEntra`], reported as `entra.html-response`.

use crate::entra::codes;
use serde_json::Value;

use crate::catalog;
use crate::config::Config;
use crate::context::Ctx;
use crate::findings::Code;
use crate::report::{Check, Status};

/// An error answer from Entra's token or device-code endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntraError {
    /// OAuth error name: `invalid_client`, `authorization_pending`, …
    pub error: String,
    pub error_description: Option<String>,
    /// AADSTS numbers (`error_codes`, or the number at the start of the description).
    pub error_codes: Vec<u32>,
    /// E.g. `consent_required`.
    pub suberror: Option<String>,
    /// A Conditional Access claims challenge (JSON text), to be passed back by the client.
    pub claims: Option<String>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
    pub timestamp: Option<String>,
    pub error_uri: Option<String>,
    pub http_status: u16,
}

impl EntraError {
    /// The first AADSTS number, if any.
    pub fn aadsts(&self) -> Option<u32> {
        self.error_codes.first().copied()
    }

    /// `AADSTS7000218` / `invalid_client` — how the error is named in a sentence.
    pub fn label(&self) -> String {
        match self.aadsts() {
            Some(n) if !self.error.is_empty() => format!("AADSTS{n} ({})", self.error),
            Some(n) => format!("AADSTS{n}"),
            None => self.error.clone(),
        }
    }

    /// The first line of Entra's description (the rest repeats the trace and correlation
    /// IDs), shortened for a detail sentence.
    pub fn short_description(&self) -> Option<String> {
        let d = self.error_description.as_deref()?;
        let first = d.lines().map(str::trim).find(|l| !l.is_empty())?;
        // Single-line variants append the IDs after the message; they are in the evidence.
        let first = first
            .find(" Trace ID:")
            .map_or(first, |i| first[..i].trim_end());
        let mut s: String = first.chars().take(300).collect();
        if first.chars().count() > 300 {
            s.push('…');
        }
        Some(s)
    }

    /// The description mentions the audience (AADSTS50013 comes in several flavours).
    fn mentions_audience(&self) -> bool {
        let d = self
            .error_description
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        d.contains("audience") || d.contains("aud claim") || d.contains("'aud'")
    }
}

/// Why an answer is not Entra's error JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotEntraKind {
    /// An HTML page: a proxy, captive portal or TLS-inspection device answered.
    Html,
    /// No body at all.
    Empty,
    /// Text that is not JSON.
    NotJson,
    /// JSON, but not an OAuth/Entra error (e.g. APIM's `{"statusCode":…,"message":…}`).
    OtherJson,
}

impl NotEntraKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotEntraKind::Html => "html",
            NotEntraKind::Empty => "empty",
            NotEntraKind::NotJson => "not-json",
            NotEntraKind::OtherJson => "other-json",
        }
    }
}

/// An answer that is not Entra's error JSON, with a sentence saying what it looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotEntra {
    pub kind: NotEntraKind,
    pub http_status: u16,
    pub content_type: Option<String>,
    /// "an HTML page titled "Access denied" — a proxy's error page or a captive portal …"
    pub sentence: String,
    /// The first characters of the body, for evidence (JSON secrets masked).
    pub preview: String,
}

impl std::fmt::Display for NotEntra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sentence)
    }
}

/// Parse a token-endpoint error answer.
///
/// Accepts any JSON object with a string `error` (plain OAuth errors such as
/// `authorization_pending` carry no AADSTS number); everything else is [`NotEntra`].
pub fn parse_entra_error(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<EntraError, NotEntra> {
    let ct = content_type.map(|c| c.trim().to_string());
    let not = |kind: NotEntraKind, sentence: String| NotEntra {
        kind,
        http_status: status,
        content_type: ct.clone(),
        sentence,
        preview: preview(body, 200),
    };
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(not(
            NotEntraKind::Empty,
            format!(
                "HTTP {status} with an empty body, not Entra's error JSON — something between \
                 c7doctor and Entra (a proxy, a firewall, the gateway) answered instead"
            ),
        ));
    }
    let looks_html = ct
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || trimmed.starts_with('<');
    if looks_html {
        let title = html_title(trimmed)
            .map(|t| format!(" titled {t:?}"))
            .unwrap_or_default();
        return Err(not(
            NotEntraKind::Html,
            format!(
                "HTTP {status}: an HTML page{title} instead of Entra's JSON — a proxy's error \
                 page, a captive portal or a TLS-inspecting gateway answered, not Entra"
            ),
        ));
    }
    let value: Value = match serde_json::from_str(trimmed) {
        Ok(v) => v,
        Err(_) => {
            let what = ct.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
            return Err(not(
                NotEntraKind::NotJson,
                format!(
                    "HTTP {status}: a body that is not JSON{what} instead of Entra's error JSON \
                     — a proxy or another server answered, not Entra"
                ),
            ));
        }
    };
    let Some(obj) = value.as_object() else {
        return Err(not(
            NotEntraKind::OtherJson,
            format!("HTTP {status}: JSON that is not an object, not Entra's error JSON"),
        ));
    };
    let Some(error) = obj.get("error").and_then(Value::as_str) else {
        let hint = if obj.contains_key("statusCode") && obj.contains_key("message") {
            " (it has APIM's {\"statusCode\",\"message\"} shape: the gateway answered itself)"
        } else {
            ""
        };
        return Err(not(
            NotEntraKind::OtherJson,
            format!(
                "HTTP {status}: JSON without an OAuth `error` field{hint} — not an answer from \
                 Entra's token endpoint"
            ),
        ));
    };
    let s = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|v| !v.is_empty())
    };
    let mut error_codes: Vec<u32> = match obj.get("error_codes") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .and_then(|n| u32::try_from(n).ok())
            })
            .collect(),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let error_description = s("error_description");
    if error_codes.is_empty()
        && let Some(n) = error_description.as_deref().and_then(aadsts_in)
    {
        error_codes.push(n);
    }
    // `claims` may be JSON text or (from some proxies) a JSON object.
    let claims = match obj.get("claims") {
        Some(Value::String(c)) if !c.is_empty() => Some(c.clone()),
        Some(v @ Value::Object(_)) => Some(v.to_string()),
        _ => None,
    };
    Ok(EntraError {
        error: error.to_string(),
        error_description,
        error_codes,
        suberror: s("suberror"),
        claims,
        trace_id: s("trace_id"),
        correlation_id: s("correlation_id"),
        timestamp: s("timestamp"),
        error_uri: s("error_uri"),
        http_status: status,
    })
}

/// The first `AADSTSnnnn` number in a text.
pub fn aadsts_in(text: &str) -> Option<u32> {
    let upper = text.to_ascii_uppercase();
    let i = upper.find("AADSTS")?;
    let digits: String = upper[i + 6..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title")? + open_end;
    let t: String = html
        .get(open_end..end)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let t: String = t.chars().take(80).collect();
    Some(t).filter(|t| !t.is_empty())
}

fn preview(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let text = crate::report::redact::json_for_trace(&text);
    let mut p: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        p.push('…');
    }
    crate::report::redact::scrub(&p)
}

/// Which request failed: the fix depends on who sent what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// `login`: a public client asking for a user token.
    DeviceCode,
    /// `obo`: the gateway app exchanging the user's token (what APIM does).
    Obo,
    /// A token request sent by an MCP client through the gateway's `/token` route.
    TokenRoute,
}

/// What the failing request was, for fixes that name the app and scope involved.
#[derive(Debug, Clone, Copy)]
pub struct ErrorContext<'a> {
    pub flow: Flow,
    /// The `client_id` sent.
    pub client_id: Option<&'a str>,
    /// The `scope` sent.
    pub scope: Option<&'a str>,
}

impl<'a> ErrorContext<'a> {
    /// The usual request for the configured pattern: `obo` flows send the gateway app.
    pub fn default_for(cfg: &'a Config) -> Self {
        ErrorContext {
            flow: Flow::TokenRoute,
            client_id: cfg.gateway_app_id.as_deref(),
            scope: None,
        }
    }
}

/// The catalog code an Entra error maps to.
///
/// A known AADSTS number first (50013 splits on whether the description talks about the
/// audience), then the OAuth `error` name (device-code errors such as `expired_token` are
/// defined by name; Entra's numbers for them vary), and anything else numbered is
/// `entra.unknown-error`.
pub fn code_for(err: &EntraError) -> Code {
    // An On-Behalf-Of assertion Entra cannot use comes back as invalid_grant with suberror
    // bad_token (AADSTS70000 or 9002313): the assertion, not the request, is wrong.
    if err.suberror.as_deref() == Some("bad_token") {
        return codes::INVALID_ASSERTION;
    }
    for &n in &err.error_codes {
        // AADSTS70000 also accompanies device-code answers named by `error` (declined …).
        if n == 70000 && err.error != "invalid_grant" {
            continue;
        }
        if n == 50013 {
            return if err.mentions_audience() {
                codes::OBO_AUDIENCE
            } else {
                codes::INVALID_ASSERTION
            };
        }
        if let Some(code) = known_code(n) {
            return code;
        }
    }
    match err.error.as_str() {
        "authorization_pending" | "slow_down" => codes::AUTHORIZATION_PENDING,
        "authorization_declined" | "access_denied" => codes::DECLINED,
        "expired_token" => codes::CODE_EXPIRED,
        "bad_verification_code" => codes::BAD_USER_CODE,
        "consent_required" => codes::CONSENT_REQUIRED,
        "interaction_required" if err.claims.is_some() => codes::CONDITIONAL_ACCESS,
        "invalid_scope" if err.error_codes.is_empty() => codes::INVALID_SCOPE,
        _ => codes::UNKNOWN_ERROR,
    }
}

/// The declaration owning an AADSTS number (the one AADSTS table: each `entra.*`
/// declaration's `aadsts` list).
fn known_code(n: u32) -> Option<Code> {
    catalog::by_aadsts(n).filter(|e| e.family() == "entra" && *e != codes::UNKNOWN_ERROR)
}

/// The finding for an Entra error, with a fix for the configured deployment (which app,
/// which blade, which setting). Assumes the usual request for the pattern; use
/// [`entra_error_check_in`] to name the client and scope actually sent.
pub fn entra_error_check(id: &str, title: &str, err: &EntraError, ctx: &Ctx) -> Check {
    entra_error_check_in(
        id,
        title,
        err,
        &ctx.cfg,
        &ErrorContext::default_for(&ctx.cfg),
    )
}

/// [`entra_error_check`] for a known request.
pub fn entra_error_check_in(
    id: &str,
    title: &str,
    err: &EntraError,
    cfg: &Config,
    ectx: &ErrorContext<'_>,
) -> Check {
    let code = code_for(err);
    let status = if code == codes::AUTHORIZATION_PENDING {
        Status::Info
    } else {
        Status::Fail
    };
    // The label already names the number: drop Entra's own `AADSTSnnnn: ` prefix.
    let said = err
        .short_description()
        .map(|d| {
            let body = match (err.aadsts(), d.split_once(": ")) {
                (Some(n), Some((head, rest))) if head == format!("AADSTS{n}") => rest.to_string(),
                _ => d,
            };
            format!(": {body}")
        })
        .unwrap_or_default();
    let meaning = meaning(code, err);
    let detail = format!(
        "Entra answered HTTP {} {}{said}{meaning}",
        err.http_status,
        err.label()
    );
    let mut check = Check::new(id, title).finding(status, code, detail);
    check = with_evidence(check, err);
    with_fix_vars(check, err, cfg, ectx)
}

/// The standard finding for an answer that is not Entra's JSON.
pub fn not_entra_check(id: &str, title: &str, url: &str, not: &NotEntra) -> Check {
    let mut c = Check::new(id, title)
        .fail(codes::HTML_RESPONSE, format!("{url}: {}", not.sentence))
        .evidence("url", url)
        .evidence("http_status", not.http_status)
        .evidence("answer", not.kind.as_str());
    if let Some(ct) = &not.content_type {
        c = c.evidence("content_type", ct.clone());
    }
    if !not.preview.is_empty() {
        c = c.evidence("body_preview", not.preview.clone());
    }
    c
}

/// Entra's own fields, kept for support (and for the reader who wants the exact text).
fn with_evidence(mut c: Check, err: &EntraError) -> Check {
    c = c
        .evidence("http_status", err.http_status)
        .evidence("error", err.error.clone())
        .evidence(
            "error_codes",
            Value::Array(err.error_codes.iter().map(|n| Value::from(*n)).collect()),
        );
    let opt = [
        ("error_description", &err.error_description),
        ("suberror", &err.suberror),
        ("claims", &err.claims),
        ("trace_id", &err.trace_id),
        ("correlation_id", &err.correlation_id),
        ("timestamp", &err.timestamp),
        ("error_uri", &err.error_uri),
    ];
    for (k, v) in opt {
        if let Some(v) = v {
            c = c.evidence(k, v.clone());
        }
    }
    c
}

/// A short gloss after Entra's text, where its wording hides the meaning.
fn meaning(code: Code, err: &EntraError) -> String {
    let s = match code {
        codes::SECRET_INVALID => {
            " — the client secret is wrong; most often the secret's ID was pasted instead of its value"
        }
        codes::PUBLIC_CLIENT_DISABLED => {
            " — the app does not allow public client flows, which device-code sign-in needs"
        }
        codes::OBO_AUDIENCE => {
            " — the token being exchanged was not issued for the app making the OBO call"
        }
        codes::OBO_COMMON_ENDPOINT => {
            " — On-Behalf-Of only works against the tenant's own endpoint"
        }
        codes::CONDITIONAL_ACCESS if err.claims.is_some() => {
            " — a Conditional Access policy wants more from the sign-in (claims challenge in the evidence)"
        }
        codes::CONDITIONAL_ACCESS => {
            " — a Conditional Access policy blocked or challenged the sign-in"
        }
        codes::UNKNOWN_ERROR => " — c7doctor has no specific advice for this code",
        _ => "",
    };
    s.to_string()
}

/// `Context7 APIM Gateway app (<id>)` etc.: the app registration behind a client ID, in the
/// guide's names.
fn app_named(cfg: &Config, id: Option<&str>) -> String {
    match id {
        Some(id) if cfg.gateway_app_id.as_deref() == Some(id) => {
            format!("the Context7 APIM Gateway app ({id})")
        }
        Some(id) if cfg.mcp_app_id.as_deref() == Some(id) => {
            format!("the Context7 MCP API app ({id})")
        }
        Some(id) => format!("the app registration with client ID {id}"),
        None => "the client's app registration".to_string(),
    }
}

/// The values `entra.*` fix templates name, for this request: the app the client signed
/// in with, what it sent, and where to look the error up.
fn with_fix_vars(check: Check, err: &EntraError, cfg: &Config, ectx: &ErrorContext<'_>) -> Check {
    let error_reference = match err.aadsts() {
        Some(n) => format!("https://login.microsoftonline.com/error?code={n}"),
        // No AADSTS number to link: the reference page itself, never an empty `?code=`.
        None => "https://learn.microsoft.com/entra/identity-platform/reference-error-codes".into(),
    };
    check
        .fix_var("client_app", app_named(cfg, ectx.client_id))
        .fix_var("client_id", ectx.client_id.unwrap_or("(none sent)"))
        .fix_var("scope_sent", ectx.scope.unwrap_or("(none sent)"))
        .fix_var(
            "correlation_id",
            err.correlation_id.as_deref().unwrap_or("in the evidence"),
        )
        .fix_var(
            "aadsts_label",
            err.aadsts()
                .map(|n| format!("AADSTS{n}"))
                .unwrap_or_else(|| format!("the error {:?}", err.error)),
        )
        .fix_var("error_reference", error_reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> EntraError {
        parse_entra_error(
            status,
            Some("application/json; charset=utf-8"),
            body.as_bytes(),
        )
        .expect("entra error")
    }

    const PUBLIC_CLIENT: &str = r#"{"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'. Trace ID: 0f2a3b4c-1111-2222-3333-444455556666 Correlation ID: 9e8d7c6b-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2026-11-23 09:59:58Z","error_codes":[7000218],"timestamp":"2026-11-23 09:59:58Z","trace_id":"0f2a3b4c-1111-2222-3333-444455556666","correlation_id":"9e8d7c6b-aaaa-bbbb-cccc-ddddeeeeffff","error_uri":"https://login.microsoftonline.com/error?code=7000218"}"#;

    #[test]
    fn parses_real_shaped_public_client_error() {
        let e = parse(401, PUBLIC_CLIENT);
        assert_eq!(e.error, "invalid_client");
        assert_eq!(e.error_codes, vec![7000218]);
        assert_eq!(
            e.trace_id.as_deref(),
            Some("0f2a3b4c-1111-2222-3333-444455556666")
        );
        assert_eq!(
            e.correlation_id.as_deref(),
            Some("9e8d7c6b-aaaa-bbbb-cccc-ddddeeeeffff")
        );
        assert_eq!(e.timestamp.as_deref(), Some("2026-11-23 09:59:58Z"));
        assert_eq!(e.http_status, 401);
        assert_eq!(code_for(&e), codes::PUBLIC_CLIENT_DISABLED);
    }

    #[test]
    fn parses_consent_with_suberror() {
        let e = parse(
            400,
            r#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID 'x' named 'Context7 APIM Gateway'.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026-11-23 10:00:00Z","error_codes":[65001],"suberror":"consent_required","timestamp":"2026-11-23 10:00:00Z","trace_id":"t","correlation_id":"c"}"#,
        );
        assert_eq!(e.suberror.as_deref(), Some("consent_required"));
        assert_eq!(code_for(&e), codes::CONSENT_REQUIRED);
        assert!(e.short_description().unwrap().starts_with("AADSTS65001:"));
        assert!(!e.short_description().unwrap().contains("Trace ID"));
    }

    #[test]
    fn conditional_access_keeps_claims() {
        let e = parse(
            400,
            r#"{"error":"interaction_required","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003],"claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"abc\"]}}}"}"#,
        );
        assert!(e.claims.as_deref().unwrap().contains("capolids"));
        assert_eq!(code_for(&e), codes::CONDITIONAL_ACCESS);
    }

    #[test]
    fn codes_from_description_when_error_codes_missing() {
        let e = parse(
            400,
            r#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found."}"#,
        );
        assert_eq!(e.error_codes, vec![90002]);
        assert_eq!(code_for(&e), codes::TENANT_NOT_FOUND);
    }

    #[test]
    fn device_code_errors_without_numbers() {
        for (err, code) in [
            ("authorization_pending", codes::AUTHORIZATION_PENDING),
            ("slow_down", codes::AUTHORIZATION_PENDING),
            ("authorization_declined", codes::DECLINED),
            ("access_denied", codes::DECLINED),
            ("expired_token", codes::CODE_EXPIRED),
            ("bad_verification_code", codes::BAD_USER_CODE),
            ("server_error", codes::UNKNOWN_ERROR),
        ] {
            let e = parse(400, &format!(r#"{{"error":"{err}"}}"#));
            assert_eq!(code_for(&e), code, "{err}");
        }
    }

    #[test]
    fn device_errors_named_by_error_even_with_unknown_numbers() {
        let e = parse(
            400,
            r#"{"error":"authorization_declined","error_description":"AADSTS70000: The user declined. Trace ID: t Correlation ID: c Timestamp: x","error_codes":[70000]}"#,
        );
        assert_eq!(code_for(&e), codes::DECLINED);
        assert_eq!(
            e.short_description().as_deref(),
            Some("AADSTS70000: The user declined.")
        );
    }

    #[test]
    fn aadsts_50013_splits_on_audience() {
        let aud = parse(
            400,
            r#"{"error":"invalid_grant","error_description":"AADSTS50013: Assertion failed signature validation or audience is invalid.","error_codes":[50013]}"#,
        );
        assert_eq!(code_for(&aud), codes::OBO_AUDIENCE);
        let sig = parse(
            400,
            r#"{"error":"invalid_grant","error_description":"AADSTS50013: Assertion failed signature validation. [Reason - The key was not found.]","error_codes":[50013]}"#,
        );
        assert_eq!(code_for(&sig), codes::INVALID_ASSERTION);
    }

    #[test]
    fn every_named_number_maps() {
        for (n, code) in [
            (7000218, codes::PUBLIC_CLIENT_DISABLED),
            (700016, codes::APP_NOT_FOUND),
            (90002, codes::TENANT_NOT_FOUND),
            (70011, codes::INVALID_SCOPE),
            (650053, codes::INVALID_SCOPE),
            (650057, codes::RESOURCE_NOT_PERMITTED),
            (65005, codes::RESOURCE_NOT_PERMITTED),
            (500011, codes::RESOURCE_NOT_PERMITTED),
            (65001, codes::CONSENT_REQUIRED),
            (70019, codes::CODE_EXPIRED),
            (70020, codes::CODE_EXPIRED),
            (53003, codes::CONDITIONAL_ACCESS),
            (50076, codes::CONDITIONAL_ACCESS),
            (50079, codes::CONDITIONAL_ACCESS),
            (50020, codes::USER_NOT_IN_TENANT),
            (500131, codes::OBO_AUDIENCE),
            (50027, codes::INVALID_ASSERTION),
            (240002, codes::INVALID_ASSERTION),
            (500133, codes::ASSERTION_EXPIRED),
            (7000215, codes::SECRET_INVALID),
            (7000222, codes::SECRET_EXPIRED),
            (700025, codes::PUBLIC_CLIENT_SECRET),
            (7000114, codes::OBO_NOT_ALLOWED),
            (9010010, codes::RESOURCE_PARAMETER),
            (9002326, codes::ORIGIN_HEADER),
            (9001023, codes::OBO_COMMON_ENDPOINT),
            (70018, codes::BAD_USER_CODE),
            (70016, codes::AUTHORIZATION_PENDING),
            (12345678, codes::UNKNOWN_ERROR),
        ] {
            let e = EntraError {
                error: "invalid_grant".into(),
                error_codes: vec![n],
                ..Default::default()
            };
            assert_eq!(code_for(&e), code, "AADSTS{n}");
        }
    }

    #[test]
    fn html_is_not_entra() {
        let n = parse_entra_error(
            502,
            Some("text/html"),
            b"<html><head><title>Proxy Error</title></head><body>blocked</body></html>",
        )
        .unwrap_err();
        assert_eq!(n.kind, NotEntraKind::Html);
        assert!(n.sentence.contains("Proxy Error"), "{}", n.sentence);
        // HTML without a content type is still HTML.
        let n = parse_entra_error(200, None, b"  <!DOCTYPE html><p>login</p>").unwrap_err();
        assert_eq!(n.kind, NotEntraKind::Html);
    }

    #[test]
    fn other_answers_are_not_entra() {
        let apim = parse_entra_error(
            404,
            Some("application/json"),
            br#"{"statusCode":404,"message":"Resource not found"}"#,
        )
        .unwrap_err();
        assert_eq!(apim.kind, NotEntraKind::OtherJson);
        assert!(apim.sentence.contains("APIM"));
        assert_eq!(
            parse_entra_error(500, None, b"").unwrap_err().kind,
            NotEntraKind::Empty
        );
        assert_eq!(
            parse_entra_error(500, Some("text/plain"), b"upstream connect error")
                .unwrap_err()
                .kind,
            NotEntraKind::NotJson
        );
        assert_eq!(
            parse_entra_error(400, None, b"[1,2]").unwrap_err().kind,
            NotEntraKind::OtherJson
        );
        assert_eq!(
            parse_entra_error(400, None, b"\xff\xfe{garbage")
                .unwrap_err()
                .kind,
            NotEntraKind::NotJson
        );
    }

    #[test]
    fn odd_error_codes_do_not_panic() {
        let e = parse(
            400,
            r#"{"error":"x","error_codes":["7000215", -1, 1e40, null, 99999999999]}"#,
        );
        assert_eq!(e.error_codes, vec![7000215]);
        let e = parse(400, r#"{"error":"x","error_codes":65001}"#);
        assert_eq!(e.error_codes, vec![65001]);
    }

    #[test]
    fn check_keeps_support_ids_and_names_the_app() {
        let mut cfg = Config::defaults();
        cfg.gateway_app_id = Some("11111111-1111-1111-1111-111111111111".into());
        cfg.tenant_id = Some("22222222-2222-2222-2222-222222222222".into());
        let e = parse(401, PUBLIC_CLIENT);
        let ectx = ErrorContext {
            flow: Flow::DeviceCode,
            client_id: cfg.gateway_app_id.as_deref(),
            scope: None,
        };
        let c = entra_error_check_in("login.poll", "t", &e, &cfg, &ectx);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.code, Some(codes::PUBLIC_CLIENT_DISABLED));
        for k in [
            "error",
            "error_codes",
            "error_description",
            "trace_id",
            "correlation_id",
            "timestamp",
        ] {
            assert!(c.evidence.contains_key(k), "{k}");
        }
        let fix = filled(&c, &cfg);
        assert!(fix.contains("Allow public client flows"), "{fix}");
        assert!(fix.contains("Context7 APIM Gateway app (1111"), "{fix}");
    }

    #[test]
    fn unknown_code_shows_entras_text() {
        let cfg = Config::defaults();
        let e = parse(
            400,
            r#"{"error":"invalid_request","error_description":"AADSTS123456: Something new.","error_codes":[123456]}"#,
        );
        let ectx = ErrorContext::default_for(&cfg);
        let c = entra_error_check_in("x", "t", &e, &cfg, &ectx);
        assert_eq!(c.code, Some(codes::UNKNOWN_ERROR));
        assert!(
            c.detail
                .contains("AADSTS123456 (invalid_request): Something new.")
        );
        let fix = filled(&c, &cfg);
        assert!(fix.contains("AADSTS123456"), "{fix}");
        assert!(fix.contains("error?code=123456"), "{fix}");
    }

    /// The fix as the report shows it: the template filled from the check and `cfg`.
    fn filled(c: &Check, cfg: &Config) -> String {
        crate::findings::fill(c.fix.as_deref().unwrap(), &c.fix_vars, &|n| {
            cfg.placeholder(n)
        })
    }

    #[test]
    fn an_error_without_error_codes_links_no_empty_code() {
        let cfg = Config::defaults();
        let e = parse(
            400,
            r#"{"error":"temporarily_unavailable","error_description":"The server is busy."}"#,
        );
        let c = entra_error_check_in("x", "t", &e, &cfg, &ErrorContext::default_for(&cfg));
        assert_eq!(c.code, Some(codes::UNKNOWN_ERROR));
        let fix = filled(&c, &cfg);
        assert!(!fix.contains("?code="), "{fix}");
        assert!(fix.contains("reference-error-codes"), "{fix}");
        assert!(fix.contains("\"temporarily_unavailable\""), "{fix}");
    }

    /// Every `entra.*` fix the checks fill names no placeholder that stays unfilled.
    #[test]
    fn entra_fix_templates_are_filled_by_the_check() {
        let mut cfg = Config::defaults();
        cfg.gateway_app_id = Some("11111111-1111-1111-1111-111111111111".into());
        cfg.mcp_app_id = Some("33333333-3333-3333-3333-333333333333".into());
        cfg.tenant_id = Some("22222222-2222-2222-2222-222222222222".into());
        for code in codes::ALL {
            let n = code.aadsts.first().copied().unwrap_or(123456);
            let body = format!(
                r#"{{"error":"invalid_request","error_description":"AADSTS{n}: x","error_codes":[{n}],"correlation_id":"c0ffee00-0000-0000-0000-000000000000"}}"#
            );
            let e = parse(400, &body);
            let ectx = ErrorContext {
                flow: Flow::Obo,
                client_id: cfg.gateway_app_id.as_deref(),
                scope: Some("api://x/.default"),
            };
            let c = entra_error_check_in("x", "t", &e, &cfg, &ectx);
            let Some(_) = &c.fix else { continue };
            let fix = filled(&c, &cfg);
            for var in [
                "{client_app}",
                "{client_id}",
                "{client}",
                "{scope_sent}",
                "{correlation_id}",
                "{aadsts_label}",
                "{error_reference}",
                "{tenant_id}",
                "{gateway_app_id}",
                "{mcp_app_id}",
                "{authority}",
            ] {
                assert!(
                    !fix.contains(var),
                    "{}: {var} unfilled in {fix}",
                    c.code.map(|c| c.code).unwrap_or("?")
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_answer_parses_without_panic(status in 100u16..600, body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let cfg = Config::defaults();
            match parse_entra_error(status, Some("application/json"), &body) {
                Ok(e) => {
                    let _ = entra_error_check_in("x", "t", &e, &cfg, &ErrorContext::default_for(&cfg));
                }
                Err(n) => {
                    let _ = not_entra_check("x", "t", "u", &n);
                }
            }
        }

        #[test]
        fn any_error_json_maps_to_a_catalog_code(error in "[a-z_]{0,20}", codes in proptest::collection::vec(0u32..10_000_000, 0..3), desc in ".{0,80}") {
            let body = serde_json::json!({"error": error, "error_codes": codes, "error_description": desc});
            let e = parse_entra_error(400, None, body.to_string().as_bytes()).unwrap();
            proptest::prop_assert!(catalog::get(code_for(&e).code).is_some());
        }
    }
}
