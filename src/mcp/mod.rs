//! MCP area: `c7doctor probe` — the MCP conversation through the gateway in both protocol
//! eras, byte by byte, and where it broke.
//!
//! - [`transport`]: one exchange — the capped, decompressing body reader with one deadline.
//! - [`client`]: the conversation (the 2025 handshake and the 2026-07-28 revision), one check
//!   per step.
//! - [`judge`]: what a reply means, as `mcp.*`/`sse.*` findings (integrity, timing).
//! - [`classify`]: who refused — the gateway, Context7, the API key, or the user.
//! - [`sse`]: the exact, bounded SSE integrity parser (pure; fuzzed and benchmarked), with
//!   [`envelope`]: which JSON-RPC message an event carries, read without building it, and
//!   [`whatwg`]: what a WHATWG EventSource client sees of the same bytes.
//!
//! `probe` checks the token locally first (the token checks of `c7doctor token`, client
//! hop), then talks to the gateway with it. With `--api-key` it also talks to Context7
//! directly with the key from `C7DOCTOR_API_KEY`, so a gateway problem can be told from a
//! key problem.

pub mod classify;
pub mod client;
pub mod codes;
pub mod envelope;
pub mod judge;
pub mod sse;
pub mod transport;
pub mod whatwg;

use serde_json::{Value, json};
use std::time::Duration;
use url::Url;

use crate::cli::ProbeArgs;
use crate::context::{Ctx, Outcome};
use crate::deployment::Hop;
use crate::error::Error;
use crate::http::{self, Http};
use crate::input;
use crate::report::redact::{self, Secret};
use crate::report::{Check, Report, Section, Status};
use client::{Auth, Client, Conversation, Eras, ProbeConfig};

/// The guide's own verification call.
pub fn default_tool_args(tool: &str) -> Value {
    match tool {
        "query-docs" => {
            json!({"libraryId": "/vercel/next.js", "query": "How do I set up the App Router?"})
        }
        "resolve-library-id" => {
            json!({"libraryName": "Next.js", "query": "How do I set up the App Router?"})
        }
        _ => json!({}),
    }
}

/// The MCP URL for a target: a bare host or origin gets `/<api-path>/mcp`, a URL with a
/// path is the MCP URL itself.
pub fn mcp_url(target: &Url, api_path: &str) -> Url {
    crate::config::mcp_url_for(target, api_path)
}

pub async fn command(ctx: &Ctx, args: &ProbeArgs) -> Result<Outcome, Error> {
    let mut report = ctx.report("probe");

    // What to send.
    let tool_args = match &args.args {
        Some(a) => serde_json::from_str::<Value>(a)
            .ok()
            .filter(|v| v.is_object())
            .ok_or_else(|| Error::usage(format!("--args {a:?} is not a JSON object")))?,
        None => default_tool_args(&args.tool),
    };
    if args.max_stream_mib == 0 {
        return Err(Error::usage("--max-stream-mib must be at least 1"));
    }
    let stream_cap = args.max_stream_mib.saturating_mul(1024 * 1024);
    // One deadline per exchange: --stream-deadline when given, else --timeout.
    let (deadline, deadline_flag) = match args.stream_deadline {
        Some(s) => (Duration::from_secs(s.max(1)), "--stream-deadline"),
        None => (ctx.cfg.timeout, "--timeout"),
    };
    let eras = match args.era.as_str() {
        "2025" => Eras::Only2025,
        "2026" | "2026-07-28" => Eras::Only2026,
        _ => Eras::Both,
    };
    // Shared by both runs; each sets its own URL, prefix and peer.
    let base = ProbeConfig {
        url: Url::parse("http://127.0.0.1/").map_err(|e| Error::internal(e.to_string()))?,
        prefix: "probe".into(),
        peer: "the gateway".into(),
        protocol_version: args.protocol_version.trim().to_string(),
        eras,
        tool: args.tool.clone(),
        tool_args,
        query_docs: args.query_docs,
        stream_cap,
        max_event_bytes: sse::DEFAULT_MAX_EVENT_BYTES.min(stream_cap as usize),
        deadline,
        deadline_flag,
        pattern: ctx.cfg.pattern,
        pattern_later: None,
        gateway: None,
    };

    // Where: the gateway's MCP URL.
    // HOST as given here, else --host as the configuration parsed it.
    let target = match &args.target {
        Some(t) => Some(crate::config::Gateway::parse(t, &ctx.cfg.api_path)),
        None => ctx.cfg.gateway.clone(),
    };
    let gateway_mcp = match target {
        Some(t) => match t {
            Ok(g) => Some(g.mcp_url),
            Err(e) => {
                report.push(
                    Check::new("probe.target", "The gateway's MCP URL")
                        .fail(crate::config::codes::INVALID, e),
                );
                None
            }
        },
        None if args.api_key => None,
        None => {
            report.push(Check::new("probe.target", "The gateway's MCP URL").skip(
                crate::config::codes::MISSING,
                "set --host (or give HOST|URL) to probe the gateway",
            ));
            None
        }
    };
    if let Some(u) = &gateway_mcp {
        report.context("mcp_url", u.to_string());
        report.push(
            Check::new("probe.target", "The gateway's MCP URL")
                .pass(u.to_string())
                .evidence("url", u.to_string()),
        );
    }

    // Who: the token (argument file, stdin, C7DOCTOR_TOKEN, or --login).
    let mut token_from_stdin = false;
    let token: Option<Secret> = if args.login {
        login(ctx, &mut report).await
    } else {
        match input::read_secret(None, args.token_file.as_deref(), "C7DOCTOR_TOKEN")? {
            Some(raw) => {
                token_from_stdin = raw.origin == input::Origin::Stdin;
                let t = input::normalize_token(&raw.text());
                if t.is_empty() {
                    None
                } else {
                    report.context("token_source", raw.origin.describe());
                    Some(Secret::new(t))
                }
            }
            None => None,
        }
    };
    // The shared-key pattern's API key, for Context7 directly (read now, reported after
    // the token checks).
    let api_key: Option<Option<String>> = if args.api_key {
        let raw = if token_from_stdin {
            std::env::var_os("C7DOCTOR_API_KEY").map(|v| input::RawInput {
                bytes: v.as_encoded_bytes().to_vec(),
                origin: input::Origin::Env("C7DOCTOR_API_KEY"),
            })
        } else {
            input::read_secret(None, None, "C7DOCTOR_API_KEY")?
        };
        Some(
            raw.map(|r| input::normalize_token(&r.text()))
                .filter(|k| !k.is_empty()),
        )
    } else {
        None
    };
    let key_secret: Option<Secret> = api_key.clone().flatten().map(Secret::new);
    let direct_url: Option<Result<Url, String>> = key_secret.as_ref().map(|_| {
        http::parse_target(&args.context7_url).map(|u| {
            if u.path().trim_matches('/').is_empty() {
                let mut u = u;
                u.set_path("/mcp");
                u
            } else {
                u
            }
        })
    });

    // The network, side by side: the PRM look that says which pattern the gateway has, the
    // conversation through the gateway and the one with Context7 directly. The
    // conversations wait for the pattern only when they judge their first reply
    // (`PatternLater`), so the look adds no round trip of its own.
    let (pattern_tx, pattern_rx) = tokio::sync::watch::channel(None);
    let detect = {
        let (token, gateway_mcp) = (&token, &gateway_mcp);
        async move {
            // Judge by the pattern the gateway shows (its PRM's scopes), else the token's,
            // not by --pattern's default.
            let judged = match token {
                Some(t) => {
                    let prm_seen = match gateway_mcp {
                        Some(url) => crate::detected_pattern::from_prm(ctx, url).await,
                        None => None,
                    };
                    let token_seen = crate::token::decode(t.expose())
                        .ok()
                        .and_then(|d| crate::detected_pattern::from_token(&d, &ctx.cfg));
                    let seen = crate::detected_pattern::combine(None, prm_seen, token_seen);
                    crate::detected_pattern::apply(&ctx.cfg, seen)
                }
                None => None,
            };
            let pattern = judged
                .as_ref()
                .map_or(ctx.cfg.pattern, |(cfg, _, _)| cfg.pattern);
            pattern_tx.send_replace(Some(pattern));
            judged
        }
    };
    let gateway_conv = async {
        match (&gateway_mcp, &token) {
            (Some(url), Some(t)) => {
                let http = ctx.http(Some(url))?;
                let cfg = ProbeConfig {
                    url: url.clone(),
                    gateway: Some(url.clone()),
                    pattern_later: Some(pattern_rx.clone()),
                    ..base.clone()
                };
                converse(http, cfg, Auth::Bearer(t.clone())).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let direct_conv = async {
        match (&key_secret, &direct_url) {
            (Some(key), Some(Ok(u))) => {
                let mut http: Http = ctx.http(gateway_mcp.as_ref())?;
                http.allow_credentials_to(u);
                let cfg = ProbeConfig {
                    url: u.clone(),
                    prefix: "probe.direct".into(),
                    peer: "Context7 (directly, with the API key)".into(),
                    gateway: None,
                    pattern_later: Some(pattern_rx.clone()),
                    ..base.clone()
                };
                converse(http, cfg, Auth::ApiKey(key.clone()))
                    .await
                    .map(Some)
            }
            _ => Ok(None),
        }
    };
    let (judged, gateway_run, direct_run) = tokio::join!(detect, gateway_conv, direct_conv);
    let (mut gateway_run, direct_run) = (gateway_run?, direct_run?);

    // The report, in the order the steps depend on each other.
    let mut token_findings: Vec<(String, String)> = Vec::new();
    if let Some(t) = &token {
        report.context("token", t.fingerprint());
        let mut exp = crate::token::Expect::from_ctx(ctx);
        exp.hop = Some(Hop::Client);
        if let Some((cfg, check, note)) = judged {
            exp.pattern = cfg.pattern;
            report.context("pattern", cfg.pattern.as_str());
            report.push(check);
            report.notes.push(note);
        }
        let tc = crate::token::check_token(t.expose(), &exp);
        for c in &tc.checks {
            if c.status == Status::Fail
                && let Some(code) = c.code
            {
                token_findings.push((code.to_string(), c.detail.clone()));
            }
        }
        report.extend(tc.checks);
    }
    match &api_key {
        Some(Some(k)) => {
            report.context("api_key", redact::mask_key(k));
            report.extend(crate::apikey::check_key(k));
        }
        Some(None) => report.push(
            Check::new("probe.direct.key", "An API key to probe Context7 directly").skip(
                crate::config::codes::MISSING,
                "--api-key: set C7DOCTOR_API_KEY to the teamspace key (ctx7sk…)",
            ),
        ),
        None => {}
    }
    if gateway_mcp.is_some() && token.is_none() {
        report.push(
            Check::new("probe.credential", "A token to send the gateway").skip(
                crate::config::codes::MISSING,
                "no token: pipe one on stdin, use --token-file or \
                    C7DOCTOR_TOKEN, or sign in with --login",
            ),
        );
    }
    if let Some(conv) = gateway_run.as_mut() {
        explain_gateway_rejection(conv, &token_findings);
    }
    match direct_url {
        Some(Ok(u)) => report.context("context7_url", u.to_string()),
        Some(Err(e)) => report.push(
            Check::new("probe.direct.target", "Context7's MCP URL (--context7-url)")
                .fail(crate::config::codes::INVALID, e),
        ),
        None => {}
    }

    if let Some(conv) = gateway_run {
        if let Some(c) = eras_check("probe.eras", &conv, eras) {
            report.push(c);
        }
        add_conversation(
            &mut report,
            conv.checks.clone(),
            &conv,
            "probe.conversation",
            "MCP conversation through the gateway",
        );
        if let Some(direct) = &direct_run {
            report.push(compare(&conv, direct));
        }
    }
    if let Some(conv) = direct_run {
        add_conversation(
            &mut report,
            conv.checks.clone(),
            &conv,
            "probe.direct.conversation",
            "MCP conversation with Context7 directly (API key)",
        );
    }
    Ok(report.into())
}

/// Run one conversation on its own single-threaded runtime: the HTTP connection task and
/// the reader then wake each other without crossing threads (on the shared multi-threaded
/// runtime a 256 MiB stream costs tens of thousands of cross-thread wake-ups).
async fn converse(http: Http, cfg: ProbeConfig, auth: Auth) -> Result<Conversation, Error> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("c7doctor-probe".into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(Client::new(&http, &cfg, &auth).run()))
                .map_err(|e| format!("probe runtime: {e}"));
            let _ = tx.send(result);
        })
        .map_err(|e| Error::internal(format!("probe thread: {e}")))?;
    match rx.await {
        Ok(r) => r.map_err(Error::internal),
        Err(_) => Err(Error::internal("the probe thread ended without an answer")),
    }
}

/// `--login`: the device-code flow first (helper E's flow), its checks in the report.
async fn login(ctx: &Ctx, report: &mut Report) -> Option<Secret> {
    let (client, scope, check) = match crate::entra::device_code::client_and_scope(
        ctx,
        None,
        None,
        crate::entra::device_code::SignInFrom::RunLogin,
    ) {
        Ok(v) => v,
        Err(c) => {
            report.push(c);
            return None;
        }
    };
    report.push(check);
    match crate::entra::device_code_login(ctx, &client, &scope, crate::entra::Progress::Auto).await
    {
        Ok((token, checks)) => {
            report.extend(checks);
            report.context("token_source", "device-code sign-in");
            Some(token)
        }
        Err(checks) => {
            report.extend(checks);
            None
        }
    }
}

/// APIM's 401 with the local token check that explains it.
pub fn explain_gateway_rejection(conv: &mut Conversation, findings: &[(String, String)]) {
    let relevant: Vec<&(String, String)> = findings
        .iter()
        .filter(|(code, _)| code.starts_with("token."))
        .collect();
    for c in conv.checks.iter_mut() {
        if c.code == Some(codes::REJECTED_AT_GATEWAY) {
            if relevant.is_empty() {
                c.detail.push_str(
                    "; the local token checks found nothing wrong with the \
                        configured values — compare the policy's <audiences>, \
                        <required-claims> and tenant with them",
                );
            } else {
                let list: Vec<String> = relevant
                    .iter()
                    .map(|(code, detail)| format!("{code} ({detail})"))
                    .collect();
                c.detail.push_str(&format!(
                    "; the local token check explains it: {}",
                    list.join("; ")
                ));
                c.evidence.insert(
                    "token_findings".into(),
                    Value::from(relevant.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>()),
                );
            }
        }
    }
}

/// What each era of client gets through the gateway (both eras ran).
pub fn eras_check(id: &str, conv: &Conversation, eras: Eras) -> Option<Check> {
    if eras != Eras::Both {
        return None;
    }
    let check = Check::new(
        id,
        "Both protocol eras of client get through (2025 handshake, 2026-07-28)",
    );
    let (old, new) = (&conv.legacy, &conv.modern);
    let word = |ok: bool, unsupported: bool| {
        if ok {
            "get the tool answer"
        } else if unsupported {
            "are not spoken by the server"
        } else {
            "are refused"
        }
    };
    let detail = format!(
        "2025-era clients (initialize) {}; 2026-07-28 clients (server/discover) {}",
        word(old.tool_ok, old.unsupported),
        word(new.tool_ok, new.unsupported)
    );
    Some(match (old.tool_ok, new.tool_ok) {
        (true, true) => check.pass(detail),
        // One era works and the other fails on the way (not because the server lacks it):
        // the gateway treats the two shapes differently.
        (true, false) | (false, true) => {
            let broken = if old.tool_ok { new } else { old };
            match &broken.failure {
                Some((at, _, why)) if !broken.unsupported => check
                    .fail(codes::ERA_REFUSED, format!("{detail}: {at} — {why}"))
                    .evidence("failed_at", at.clone()),
                _ => check.info(
                    if old.tool_ok {
                        codes::PROTOCOL_2025_ONLY
                    } else {
                        codes::PROTOCOL_2026
                    },
                    detail,
                ),
            }
        }
        // Neither works: the failures themselves say why; nothing era-specific to add.
        (false, false) => return None,
    })
}

/// Gateway vs Context7 directly: which side is broken.
fn compare(gateway: &Conversation, direct: &Conversation) -> Check {
    let check = Check::new(
        "probe.compare",
        "Gateway and Context7 directly agree (tells a gateway problem from a key problem)",
    );
    match (gateway.tool_ok, direct.tool_ok) {
        (true, true) => check.pass("both answer the tool call"),
        (false, true) => {
            let code = gateway.first_failure.unwrap_or(codes::TOOL_ERROR);
            check.info(
                code,
                "Context7 accepts the key directly but the conversation \
                    through the gateway fails: the problem is in the gateway \
                    (policy, named value, diagnostics), not the key",
            )
        }
        (true, false) => check.info(
            direct.first_failure.unwrap_or(codes::TOOL_ERROR),
            "the gateway works but Context7 refuses this key directly: the \
                gateway injects a different key than the one given",
        ),
        (false, false) => {
            let code = direct.first_failure.unwrap_or(codes::TOOL_ERROR);
            check.info(
                code,
                "both fail: the key itself is refused by Context7 (or Context7 \
                    is unreachable) — fix the key first",
            )
        }
    }
}

/// The conversation's checks and its table.
pub fn add_conversation(
    report: &mut Report,
    checks: Vec<Check>,
    conv: &Conversation,
    id: &str,
    title: &str,
) {
    report.extend(checks);
    let headers = [
        "#",
        "request",
        "status",
        "content-type",
        "bytes",
        "events",
        "ms",
        "note",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = conv
        .exchanges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                e.request.clone(),
                e.status.clone(),
                e.content_type.clone(),
                e.bytes.clone(),
                e.events.clone(),
                e.time_ms.clone(),
                e.note.clone(),
            ]
        })
        .collect();
    report
        .sections
        .push(Section::table(id, title, headers, rows));
}
