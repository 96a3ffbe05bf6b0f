//! `c7doctor login`: the device-code flow the guides use for testing (RFC 8628, Entra's
//! v2.0 endpoints), then the client-hop token checks on the token it yields.
//!
//! 1. `POST <authority>/<tenant>/oauth2/v2.0/devicecode` (`client_id`, `scope`) →
//!    `device_code`, `user_code`, `verification_uri`, `expires_in`, `interval`, `message`.
//! 2. Entra's `message` (URL and code) goes to stderr, with a live countdown to expiry when
//!    stderr is a terminal (plain text otherwise).
//! 3. Poll `…/oauth2/v2.0/token` (`grant_type=urn:ietf:params:oauth:grant-type:device_code`)
//!    every `interval` seconds; `authorization_pending` keeps waiting, `slow_down` adds 5 s
//!    for this and every later request; `authorization_declined`/`access_denied`,
//!    `expired_token`, `bad_verification_code` and any other error stop. Ctrl-C stops
//!    cleanly with a `run.interrupted` finding.
//!
//! An out-of-range `interval` (0, 10 000) or `expires_in` is clamped and reported; a
//! response missing fields is a finding. The device code, access, refresh and ID tokens are
//! registered as secrets and never appear in the report; the access token leaves only by
//! `--print-token` (the whole of stdout) or `--save FILE` (mode 0600).
//!
//! Waits honour `C7DOCTOR_TIME_SCALE` (see [`super`]), so polling tests run in milliseconds.

use crate::entra::codes;
use serde_json::Value;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use super::errors::{ErrorContext, Flow, entra_error_check_in, not_entra_check, parse_entra_error};
use super::{endpoint, scaled, tenant_check, unscaled};
use crate::cli::LoginArgs;
use crate::context::{Ctx, Outcome};
use crate::deployment::{Pattern, SignInClient};
use crate::error::Error;
use crate::http::{Http, Request};
use crate::report::Check;
use crate::report::redact::{self, Secret};

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §3.2: 5 seconds when the server gives no interval.
const DEFAULT_INTERVAL_SECS: u64 = 5;
/// Entra's usual lifetime of a device code.
const DEFAULT_EXPIRES_SECS: u64 = 900;
const MIN_INTERVAL_SECS: u64 = 1;
const MAX_INTERVAL_SECS: u64 = 60;
const MIN_EXPIRES_SECS: u64 = 30;
const MAX_EXPIRES_SECS: u64 = 3600;
/// RFC 8628 §3.5: `slow_down` adds 5 seconds to the interval.
const SLOW_DOWN_STEP_SECS: u64 = 5;

/// How the sign-in prompt is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Live countdown when stderr is a terminal, plain lines otherwise.
    Auto,
    /// Plain lines only (the prompt and one line per state change).
    Plain,
}

/// Which command signs in, for what the advice may name: only `login` has `--client-id`,
/// `--client` and `--scope`; `probe --login` and `e2e --login` sign in as the pattern's app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFrom {
    Login,
    /// `probe --login`, `e2e --login`.
    RunLogin,
}

/// The client ID and scope a sign-in uses: flags first, else the pattern's defaults.
pub fn client_and_scope(
    ctx: &Ctx,
    client_id: Option<&str>,
    scope: Option<&str>,
    from: SignInFrom,
) -> Result<(String, String, Check), Check> {
    let cfg = &ctx.cfg;
    let title = "Client ID and scope to sign in with";
    let id = "login.client";
    let (default_client, default_scope, app_flag) = match cfg.pattern {
        Pattern::Obo => (
            cfg.gateway_app_id.clone(),
            cfg.gateway_app_id
                .as_ref()
                .map(|g| format!("api://{g}/Mcp.Gateway.Access")),
            "--gateway-app-id",
        ),
        Pattern::Passthrough | Pattern::SharedKey => (
            cfg.mcp_app_id.clone(),
            cfg.mcp_app_id
                .as_ref()
                .map(|m| format!("api://{m}/mcp.access")),
            "--mcp-app-id",
        ),
    };
    let client = client_id
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or(default_client);
    let scope = scope
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or(default_scope);
    // Unset is not wrong: the run is incomplete (the report says what completes it).
    // What else would do: `login`'s own options, or (for `probe`/`e2e`, which have none)
    // a `login` first whose token they read.
    let (client_alt, scope_alt) = match from {
        SignInFrom::Login => (" or --client-id", " or --scope"),
        SignInFrom::RunLogin => (
            "; to sign in as another client, run `c7doctor login --client-id <GUID> --save \
             token.txt` (or `--client azure-cli`) and pass --token-file token.txt instead of \
             --login",
            "; to ask for another scope, run `c7doctor login --scope <SCOPE> --save token.txt` \
             and pass --token-file token.txt instead of --login",
        ),
    };
    let Some(client) = client else {
        return Err(Check::new(id, title).skip(
            crate::config::codes::MISSING,
            format!(
                "no client ID: set {app_flag} (the {} pattern signs in with that app){client_alt}",
                cfg.pattern.as_str()
            ),
        ));
    };
    let Some(scope) = scope else {
        return Err(Check::new(id, title).skip(
            crate::config::codes::MISSING,
            format!("no scope: set {app_flag}{scope_alt}"),
        ));
    };
    if !super::is_guid(&client) {
        return Err(Check::new(id, title)
            .fail(
                crate::config::codes::INVALID,
                format!("client ID {client:?} is not a GUID (Application (client) ID on the app's Overview page)"),
            )
            .evidence("client_id", client));
    }
    let named = if super::azure_cli::is_azure_cli(&client) {
        " (the Azure CLI)"
    } else {
        ""
    };
    let check = Check::new(id, title)
        .pass(format!("client {client}{named}, scope {scope}"))
        .evidence("client_id", client.clone())
        .evidence("scope", scope.clone());
    Ok((client, scope, check))
}

/// `c7doctor login`.
pub async fn login_command(ctx: &Ctx, args: &LoginArgs) -> Result<Outcome, Error> {
    let mut report = ctx.report("login");
    // With --print-token, stdout is for the token only: a failed sign-in leaves it empty
    // (the report goes to stderr), so `TOKEN=$(c7doctor login --print-token)` never
    // captures a report.
    let failed = |report: crate::report::Report| Outcome {
        report,
        raw_stdout: args.print_token.then(String::new),
    };
    let client_id = match args.client {
        Some(SignInClient::AzureCli) => Some(super::azure_cli::AZURE_CLI_CLIENT_ID),
        Some(SignInClient::App) | None => args.client_id.as_deref(),
    };
    let (client, scope) =
        match client_and_scope(ctx, client_id, args.scope.as_deref(), SignInFrom::Login) {
            Ok((c, s, check)) => {
                report.push(check);
                (c, s)
            }
            Err(check) => {
                report.push(check);
                return Ok(failed(report));
            }
        };
    report.context("client_id", client.clone());
    report.context("scope", scope.clone());

    let token = match device_code_login(ctx, &client, &scope, Progress::Auto).await {
        Ok((token, checks)) => {
            report.extend(checks);
            token
        }
        Err(checks) => {
            report.extend(checks);
            return Ok(failed(report));
        }
    };
    report.context("token", token.fingerprint());

    let hop = super::hops::check_hop(
        ctx,
        token.expose(),
        crate::deployment::Hop::Client,
        args.provisioned.as_deref(),
        !args.no_verify,
    )
    .await;
    report.extend(hop.checks);
    report.sections.extend(hop.sections);

    if let Some(path) = &args.save {
        report.push(save_token(path, &token));
    }
    let raw_stdout = args.print_token.then(|| format!("{}\n", token.expose()));
    Ok(Outcome { report, raw_stdout })
}

/// Write the token to `path`, readable by the owner only.
fn save_token(path: &std::path::Path, token: &Secret) -> Check {
    let check = Check::new("login.save", "Token written to the --save file (mode 0600)")
        .evidence("path", path.display().to_string());
    match crate::files::write_private(path, format!("{}\n", token.expose()).as_bytes()) {
        Ok(()) => check.pass(format!(
            "{} written, readable by the owner only (token {})",
            path.display(),
            token.fingerprint()
        )),
        Err(e) => check.fail(
            crate::config::codes::INVALID,
            format!("cannot write --save {}: {e}", path.display()),
        ),
    }
}

/// What Entra's device-authorization endpoint answered, after validation.
#[derive(Debug)]
struct DeviceCode {
    device_code: Secret,
    verification_uri: String,
    expires_in: u64,
    interval: u64,
    message: String,
}

/// Run the device-code flow for `client_id`/`scope` against the configured tenant and
/// return the access token (a registered [`Secret`]) with the checks that describe the
/// sign-in, or the checks saying why there is no token. Used by `login`, `probe --login`
/// and `e2e --login`.
pub async fn device_code_login(
    ctx: &Ctx,
    client_id: &str,
    scope: &str,
    progress: Progress,
) -> Result<(Secret, Vec<Check>), Vec<Check>> {
    let mut checks = Vec::new();
    let cfg = &ctx.cfg;
    let tenant = match tenant_check(cfg, "login.tenant", false) {
        Ok((t, c)) => {
            checks.push(c);
            t
        }
        Err(c) => {
            checks.push(c);
            return Err(checks);
        }
    };
    let (dc_url, token_url) = match (
        endpoint(cfg, &tenant, "devicecode", "login.device-code"),
        endpoint(cfg, &tenant, "token", "login.device-code"),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(c), _) | (_, Err(c)) => {
            checks.push(c);
            return Err(checks);
        }
    };
    let http = match ctx.http(None) {
        Ok(h) => h,
        Err(e) => {
            checks.push(
                Check::new("login.device-code", "Entra issues a device code")
                    .fail(crate::config::codes::INVALID, e.to_string()),
            );
            return Err(checks);
        }
    };
    let ectx = ErrorContext {
        flow: Flow::DeviceCode,
        client_id: Some(client_id),
        scope: Some(scope),
    };
    // Entra's answer as a finding, refined for the client that asked (the Azure CLI).
    let entra_check = |id: &str, title: &str, err: &super::EntraError| {
        let c = entra_error_check_in(id, title, err, cfg, &ectx);
        super::azure_cli::refine(c, client_id, scope, cfg)
    };

    let mut interrupt = Interrupt::new();

    // 1. Device authorization.
    let req = Request::post_form(
        dc_url.clone(),
        &[("client_id", client_id), ("scope", scope)],
    )
    .header("accept", "application/json");
    let dc_title = "Entra issues a device code";
    let resp = tokio::select! {
        r = http.send(req) => r,
        _ = interrupt.recv() => {
            checks.push(interrupted("login.device-code", dc_title, "before Entra answered the device-code request"));
            return Err(checks);
        }
    };
    let resp = match resp {
        Ok(r) => r,
        Err(e) => {
            checks.push(e.to_check(
                crate::discovery::codes::UNREACHABLE,
                "login.device-code",
                dc_title,
            ));
            return Err(checks);
        }
    };
    let content_type = resp.header("content-type");
    if resp.status != 200 {
        let check = match parse_entra_error(resp.status, content_type.as_deref(), &resp.body) {
            Ok(err) => {
                entra_check("login.device-code", dc_title, &err).evidence("url", dc_url.to_string())
            }
            Err(not) => not_entra_check("login.device-code", dc_title, dc_url.as_str(), &not),
        };
        checks.push(check.duration(resp.elapsed));
        return Err(checks);
    }
    // A 200 carrying an error object (non-conforming servers) is still Entra's error.
    if !has_string_field(&resp.body, "device_code")
        && let Ok(err) = parse_entra_error(resp.status, content_type.as_deref(), &resp.body)
    {
        checks.push(
            entra_check("login.device-code", dc_title, &err)
                .evidence("url", dc_url.to_string())
                .duration(resp.elapsed),
        );
        return Err(checks);
    }
    let dc = match parse_device_code(
        &resp.body,
        content_type.as_deref(),
        resp.status,
        dc_url.as_str(),
    ) {
        Ok((dc, notes)) => {
            checks.push(
                Check::new("login.device-code", dc_title)
                    .pass(format!(
                        "user code issued; expires in {} s, poll every {} s",
                        dc.expires_in, dc.interval
                    ))
                    .evidence("url", dc_url.to_string())
                    .evidence("verification_uri", dc.verification_uri.clone())
                    .evidence("expires_in", dc.expires_in)
                    .evidence("interval", dc.interval)
                    .duration(resp.elapsed),
            );
            checks.extend(notes);
            dc
        }
        Err(c) => {
            checks.push(c.evidence("url", dc_url.to_string()).duration(resp.elapsed));
            return Err(checks);
        }
    };

    // 2. The prompt.
    let live = progress == Progress::Auto && std::io::stderr().is_terminal();
    // Entra's own words, escaped and scrubbed by the stderr writer (bounded when parsed).
    crate::output::stderr_line(&dc.message);
    let bar = live.then(|| countdown_bar(dc.expires_in));
    if !live {
        crate::output::stderr_line(&format!(
            "Waiting for the sign-in (the code expires in {}; Ctrl-C to stop)…",
            mmss(dc.expires_in)
        ));
    }

    // 3. Polling.
    let outcome = poll(
        &http,
        &token_url,
        client_id,
        &dc,
        &mut interrupt,
        bar.as_ref(),
    )
    .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let stats = outcome.stats;
    let poll_title = "The user signs in and Entra issues a token";
    let with_stats = |c: Check| {
        c.evidence("polls", stats.polls)
            .evidence("pending", stats.pending)
            .evidence("slow_down", stats.slow_downs)
            .evidence("interval_s", stats.interval)
            .evidence("waited_s", round1(stats.waited.as_secs_f64()))
            .evidence("url", token_url.to_string())
    };
    match outcome.end {
        PollEnd::Token(body, status) => {
            checks.push(with_stats(Check::new("login.sign-in", poll_title).pass(
                format!(
                    "signed in after {} poll(s) ({} pending, {} slow_down; interval now {} s)",
                    stats.polls, stats.pending, stats.slow_downs, stats.interval
                ),
            )));
            match parse_token_response(&body, status, token_url.as_str()) {
                Ok((token, c)) => {
                    checks.push(c);
                    Ok((token, checks))
                }
                Err(c) => {
                    checks.push(c);
                    Err(checks)
                }
            }
        }
        PollEnd::Entra(err) => {
            let c = entra_check("login.sign-in", poll_title, &err);
            checks.push(with_stats(c));
            Err(checks)
        }
        PollEnd::NotEntra(not) => {
            checks.push(with_stats(not_entra_check(
                "login.sign-in",
                poll_title,
                token_url.as_str(),
                &not,
            )));
            Err(checks)
        }
        PollEnd::Net(c) => {
            let detail = format!("after {} poll(s): {}", stats.polls, c.detail);
            checks.push(with_stats(c.detail(detail)));
            Err(checks)
        }
        PollEnd::Expired => {
            checks.extend(last_answer(&stats, cfg, &ectx));
            let c = Check::new("login.sign-in", poll_title).fail(
                codes::CODE_EXPIRED,
                format!(
                    "nobody completed the sign-in within the {} s Entra allowed ({} poll(s))",
                    dc.expires_in, stats.polls
                ),
            );
            checks.push(with_stats(c));
            Err(checks)
        }
        PollEnd::Interrupted => {
            checks.extend(last_answer(&stats, cfg, &ectx));
            checks.push(with_stats(interrupted(
                "login.sign-in",
                poll_title,
                "while waiting for the sign-in",
            )));
            Err(checks)
        }
    }
}

/// When the wait ends without a token, Entra's last "keep waiting" answer (its trace and
/// correlation IDs let support find the sign-in attempt).
fn last_answer(
    stats: &PollStats,
    cfg: &crate::config::Config,
    ectx: &ErrorContext<'_>,
) -> Option<Check> {
    let err = stats.last.as_ref()?;
    Some(entra_error_check_in(
        "login.last-answer",
        "Entra's last answer while waiting for the sign-in",
        err,
        cfg,
        ectx,
    ))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn mmss(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn interrupted(id: &str, title: &str, when: &str) -> Check {
    Check::new(id, title).fail(
        crate::report::codes::INTERRUPTED,
        format!("interrupted (Ctrl-C) {when}; no token was obtained"),
    )
}

/// Validate the device-authorization answer: required fields, clamped numbers.
fn parse_device_code(
    body: &[u8],
    content_type: Option<&str>,
    status: u16,
    url: &str,
) -> Result<(DeviceCode, Vec<Check>), Check> {
    let id = "login.device-code";
    let title = "Entra issues a device code";
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            let not = match parse_entra_error(status, content_type, body) {
                Err(n) => n,
                Ok(_) => non_object_answer(status, content_type, body),
            };
            return Err(not_entra_check(id, title, url, &not));
        }
    };
    // Register the device code before anything could show it.
    let device_code = v
        .get("device_code")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if let Some(dc) = device_code {
        redact::register_secret(dc);
    }
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let mut notes = Vec::new();
    let verification_uri = match (s("verification_uri"), s("verification_url")) {
        (Some(u), _) => Some(u.to_string()),
        (None, Some(u)) => {
            notes.push(
                Check::new("login.device-code-fields", "Device-code answer has the v2.0 fields")
                    .info(
                        codes::BAD_RESPONSE,
                        "the answer says verification_url (Entra's v1.0 name) instead of verification_uri",
                    ),
            );
            Some(u.to_string())
        }
        (None, None) => None,
    };
    let mut missing = Vec::new();
    if device_code.is_none() {
        missing.push("device_code");
    }
    if s("user_code").is_none() {
        missing.push("user_code");
    }
    if verification_uri.is_none() {
        missing.push("verification_uri");
    }
    if !missing.is_empty() {
        let present: Vec<&str> = v
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(Check::new(id, title)
            .fail(
                codes::BAD_RESPONSE,
                format!(
                    "the device-code answer lacks {} — no sign-in is possible with it",
                    missing.join(", ")
                ),
            )
            .evidence("missing", missing.join(","))
            .evidence("fields", present.join(",")));
    }
    let (Some(device_code), Some(user_code), Some(verification_uri)) =
        (device_code, s("user_code"), verification_uri)
    else {
        return Err(
            Check::new(id, title).fail(codes::BAD_RESPONSE, "incomplete device-code answer")
        );
    };

    let number = |k: &str| -> Option<Result<u64, String>> {
        let raw = v.get(k)?;
        let n = raw
            .as_u64()
            .or_else(|| raw.as_str().and_then(|s| s.trim().parse().ok()))
            .or_else(|| {
                raw.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .map(|f| f as u64)
            });
        Some(n.ok_or_else(|| raw.to_string()))
    };
    let mut clamp = |k: &str, default: u64, min: u64, max: u64| -> u64 {
        let fields = "login.device-code-fields";
        let ftitle = "Device-code answer has usable interval and expiry";
        match number(k) {
            None => {
                notes.push(Check::new(fields, ftitle).warn(
                    codes::BAD_RESPONSE,
                    format!("the answer has no {k}; using {default} s"),
                ));
                default
            }
            Some(Err(raw)) => {
                notes.push(Check::new(fields, ftitle).warn(
                    codes::BAD_RESPONSE,
                    format!("{k} is {raw}, not a number of seconds; using {default} s"),
                ));
                default
            }
            Some(Ok(n)) if n < min || n > max => {
                let used = n.clamp(min, max);
                notes.push(
                    Check::new(fields, ftitle)
                        .warn(
                            codes::BAD_RESPONSE,
                            format!("{k} is {n} s, outside {min}–{max} s; using {used} s"),
                        )
                        .evidence(k, n),
                );
                used
            }
            Some(Ok(n)) => n,
        }
    };
    let expires_in = clamp(
        "expires_in",
        DEFAULT_EXPIRES_SECS,
        MIN_EXPIRES_SECS,
        MAX_EXPIRES_SECS,
    );
    let interval = clamp(
        "interval",
        DEFAULT_INTERVAL_SECS,
        MIN_INTERVAL_SECS,
        MAX_INTERVAL_SECS,
    );
    // Bounded like any evidence: the server's words (or its URL and code) are the prompt.
    let message = crate::report::bounds::text(s("message").map(str::to_string).unwrap_or_else(|| {
        format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate.")
    }));
    Ok((
        DeviceCode {
            device_code: Secret::new(device_code),
            verification_uri,
            expires_in,
            interval,
            message,
        },
        notes,
    ))
}

/// A 200 that is not a JSON object, as a [`super::NotEntra`] (parse_entra_error only
/// returns `Ok` for an object with `error`, which a non-object is not).
fn non_object_answer(status: u16, content_type: Option<&str>, _body: &[u8]) -> super::NotEntra {
    super::NotEntra {
        kind: super::errors::NotEntraKind::OtherJson,
        http_status: status,
        content_type: content_type.map(str::to_string),
        sentence: format!("HTTP {status}: an error answer where a device code was expected"),
        preview: String::new(),
    }
}

#[derive(Debug, Clone, Default)]
struct PollStats {
    /// Entra's last "keep waiting" answer, kept for its trace and correlation IDs.
    last: Option<super::EntraError>,
    polls: u32,
    pending: u32,
    slow_downs: u32,
    /// The interval in force at the end, in Entra's seconds.
    interval: u64,
    /// Time spent, in Entra's (unscaled) seconds.
    waited: Duration,
}

enum PollEnd {
    Token(bytes::Bytes, u16),
    Entra(super::EntraError),
    NotEntra(super::NotEntra),
    Net(Check),
    Expired,
    Interrupted,
}

struct PollOutcome {
    end: PollEnd,
    stats: PollStats,
}

async fn poll(
    http: &Http,
    token_url: &url::Url,
    client_id: &str,
    dc: &DeviceCode,
    interrupt: &mut Interrupt,
    bar: Option<&indicatif::ProgressBar>,
) -> PollOutcome {
    let start = Instant::now();
    let expires_at = start + scaled(Duration::from_secs(dc.expires_in));
    let mut stats = PollStats {
        interval: dc.interval,
        ..Default::default()
    };
    let done = |end: PollEnd, mut stats: PollStats| {
        stats.waited = unscaled(start.elapsed());
        PollOutcome { end, stats }
    };
    loop {
        let next = Instant::now() + scaled(Duration::from_secs(stats.interval));
        if next >= expires_at {
            // No poll left before the code expires: wait out the rest, then report.
            if wait_until(expires_at, start, dc.expires_in, interrupt, bar).await {
                return done(PollEnd::Interrupted, stats);
            }
            return done(PollEnd::Expired, stats);
        }
        if wait_until(next, start, dc.expires_in, interrupt, bar).await {
            return done(PollEnd::Interrupted, stats);
        }
        stats.polls += 1;
        let req = Request::post_form(
            token_url.clone(),
            &[
                ("grant_type", DEVICE_CODE_GRANT),
                ("client_id", client_id),
                ("device_code", dc.device_code.expose()),
            ],
        )
        .header("accept", "application/json");
        let resp = tokio::select! {
            r = http.send(req) => r,
            _ = interrupt.recv() => return done(PollEnd::Interrupted, stats),
        };
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                return done(
                    PollEnd::Net(e.to_check(
                        crate::discovery::codes::UNREACHABLE,
                        "login.sign-in",
                        "The user signs in and Entra issues a token",
                    )),
                    stats,
                );
            }
        };
        let ct = resp.header("content-type");
        if resp.status == 200 {
            // A 200 may still carry an error object (non-conforming servers).
            if let Ok(err) = parse_entra_error(200, ct.as_deref(), &resp.body)
                && !is_token_json(&resp.body)
            {
                return done(PollEnd::Entra(err), stats);
            }
            return done(PollEnd::Token(resp.body.clone(), resp.status), stats);
        }
        match parse_entra_error(resp.status, ct.as_deref(), &resp.body) {
            Ok(err) => {
                let pending =
                    err.error == "authorization_pending" || err.error_codes.contains(&70016);
                if err.error == "slow_down" {
                    stats.slow_downs += 1;
                    stats.interval =
                        (stats.interval + SLOW_DOWN_STEP_SECS).min(MAX_INTERVAL_SECS * 5);
                    if let Some(bar) = bar {
                        bar.println(format!(
                            "Entra asked to slow down: polling every {} s",
                            stats.interval
                        ));
                    }
                    stats.last = Some(err);
                } else if pending {
                    stats.pending += 1;
                    stats.last = Some(err);
                } else {
                    return done(PollEnd::Entra(err), stats);
                }
            }
            Err(not) => return done(PollEnd::NotEntra(not), stats),
        }
    }
}

fn is_token_json(body: &[u8]) -> bool {
    has_string_field(body, "access_token")
}

fn has_string_field(body: &[u8], field: &str) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get(field).map(|t| t.is_string()))
        .unwrap_or(false)
}

/// Wait until `until`, updating the countdown; `true` if interrupted.
async fn wait_until(
    until: Instant,
    start: Instant,
    expires_in: u64,
    interrupt: &mut Interrupt,
    bar: Option<&indicatif::ProgressBar>,
) -> bool {
    loop {
        let now = Instant::now();
        if let Some(bar) = bar {
            let left = expires_in.saturating_sub(unscaled(now - start).as_secs());
            bar.set_message(format!("code expires in {}", mmss(left)));
        }
        if now >= until {
            return false;
        }
        // Wake at least once a (real) second to refresh the countdown.
        let step = (until - now).min(Duration::from_secs(1));
        tokio::select! {
            _ = tokio::time::sleep(step) => {}
            _ = interrupt.recv() => return true,
        }
    }
}

fn countdown_bar(expires_in: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} Waiting for the sign-in… {msg} (Ctrl-C to stop)",
    ) {
        bar.set_style(style);
    }
    bar.set_message(format!("code expires in {}", mmss(expires_in)));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Validate the successful token answer: an access token, and the other secrets registered.
fn parse_token_response(body: &[u8], status: u16, url: &str) -> Result<(Secret, Check), Check> {
    let id = "login.token-response";
    let title = "Entra's token answer carries an access token";
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            let not = match parse_entra_error(status, None, body) {
                Err(n) => n,
                Ok(_) => non_object_answer(status, None, body),
            };
            return Err(not_entra_check(id, title, url, &not));
        }
    };
    for k in ["refresh_token", "id_token", "access_token"] {
        if let Some(s) = v.get(k).and_then(Value::as_str) {
            redact::register_secret(s);
        }
    }
    let fields: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let Some(token) = v
        .get("access_token")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Err(Check::new(id, title)
            .fail(
                codes::BAD_RESPONSE,
                "the token answer (HTTP 200) has no access_token — nothing to check",
            )
            .evidence("fields", fields.join(",")));
    };
    let token = Secret::new(token);
    let mut c = Check::new(id, title)
        .pass(format!("access token {} received", token.fingerprint()))
        .evidence("token", token.fingerprint())
        .evidence("fields", fields.join(","));
    if let Some(t) = v.get("token_type").and_then(Value::as_str) {
        c = c.evidence("token_type", t.to_string());
    }
    if let Some(s) = v.get("scope").and_then(Value::as_str) {
        c = c.evidence("scope", s.to_string());
    }
    if let Some(e) = v.get("expires_in") {
        c = c.evidence("expires_in", e.clone());
    }
    Ok((token, c))
}

/// Ctrl-C, registered before the prompt is shown so the first press is ours.
struct Interrupt {
    #[cfg(unix)]
    sig: Option<tokio::signal::unix::Signal>,
    #[cfg(not(unix))]
    fut: std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send>>,
}

impl Interrupt {
    fn new() -> Self {
        #[cfg(unix)]
        {
            Interrupt {
                sig: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Interrupt {
                fut: Box::pin(tokio::signal::ctrl_c()),
            }
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            match &mut self.sig {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = (&mut self.fut).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_code_fields_and_clamps() {
        let (dc, notes) = parse_device_code(
            br#"{"device_code":"DEVICECODE-abcdefgh","user_code":"ABCD1234","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":0,"message":"m"}"#,
            Some("application/json"),
            200,
            "u",
        )
        .unwrap();
        assert_eq!(dc.interval, 1);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].code, Some(codes::BAD_RESPONSE));
        let (dc, _) = parse_device_code(
            br#"{"device_code":"DEVICECODE-abcdefgh","user_code":"A","verification_url":"https://x","interval":10000}"#,
            None,
            200,
            "u",
        )
        .unwrap();
        assert_eq!(dc.interval, MAX_INTERVAL_SECS);
        assert_eq!(dc.expires_in, DEFAULT_EXPIRES_SECS);
        assert!(dc.message.contains("https://x"));
    }

    #[test]
    fn device_code_missing_fields() {
        let c = parse_device_code(br#"{"user_code":"A"}"#, None, 200, "u").unwrap_err();
        assert_eq!(c.code, Some(codes::BAD_RESPONSE));
        assert!(c.detail.contains("device_code"));
        let c = parse_device_code(b"<html></html>", Some("text/html"), 200, "u").unwrap_err();
        assert_eq!(c.code, Some(codes::HTML_RESPONSE));
        let c = parse_device_code(b"[]", None, 200, "u").unwrap_err();
        assert_eq!(c.code, Some(codes::HTML_RESPONSE));
    }

    #[test]
    fn token_response_without_access_token() {
        let c = parse_token_response(
            br#"{"token_type":"Bearer","refresh_token":"rt-0123456789"}"#,
            200,
            "u",
        )
        .unwrap_err();
        assert_eq!(c.code, Some(codes::BAD_RESPONSE));
        assert!(!format!("{c:?}").contains("rt-0123456789"));
    }
}
