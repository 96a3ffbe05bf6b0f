//! The steps themselves: each calls the area that owns the checks (`discovery`, `token`,
//! `entra`, `mcp`) and only decides what a step needs from the earlier ones and what to
//! say when it cannot run.

use base64::Engine;
use serde_json::{Value, json};
use std::collections::HashSet;

use std::rc::Rc;

use super::Judged;
use super::board::StepResult;
use crate::context::Ctx;
use crate::deployment::{Hop, Pattern};
use crate::discovery::{self, documents::DocExpect, endpoint, tenant::TenantResult};
use crate::entra;
use crate::http::{Http, Request, status_text};
use crate::mcp::{
    self,
    classify::{self, Cause},
    client::{Auth, Client, ProbeConfig},
    sse,
};
use crate::report::redact::Secret;
use crate::report::{Check, Report, Status};
use crate::token::{self, Decoded, Expect, TokenCheck, jwks};

/// Why a step that needs something cannot run: unconfigured (`config.missing`) or an
/// earlier step failed (`run.prerequisite-failed`). The text names the step and the
/// option that would enable it.
#[derive(Debug, Clone)]
pub struct Blocked {
    pub code: crate::findings::Code,
    pub why: String,
}

impl Blocked {
    pub fn missing(why: impl Into<String>) -> Blocked {
        Blocked {
            code: crate::config::codes::MISSING,
            why: why.into(),
        }
    }
    pub fn failed(why: impl Into<String>) -> Blocked {
        Blocked {
            code: crate::report::codes::PREREQUISITE_FAILED,
            why: why.into(),
        }
    }
    pub fn check(&self, id: &str, title: &str) -> Check {
        Check::new(id, title).skip(self.code, self.why.clone())
    }
}

/// Where the gateway is, when the configuration allows talking to it.
pub use crate::config::Gateway;

/// The client token and what the offline checks made of it.
pub struct ClientToken {
    pub secret: Secret,
    pub tc: TokenCheck,
    pub exp: Expect,
}

impl ClientToken {
    /// A token that is not even a JWT: sending it anywhere proves nothing.
    pub fn unusable(&self) -> Option<Blocked> {
        self.tc.decoded.is_none().then(not_a_jwt)
    }
}

/// Why a token that does not decode is not sent.
fn not_a_jwt() -> Blocked {
    Blocked::failed("the client token is not a JWT (see token.decode in the client-hop step)")
}

// ---- tenant ----

/// The tenant's OIDC document and keys, fetched once (`discovery::tenant`), judged here.
pub fn tenant_step(
    ctx: &Ctx,
    fetched: Option<&TenantResult>,
    blocked: Option<&Blocked>,
    discovery_runs: bool,
) -> StepResult {
    let title = "Tenant exists at the authority";
    if let Some(b) = blocked {
        return StepResult::one(b.check("discovery.tenant", title));
    }
    let Some(r) = fetched else {
        return StepResult::one(Check::new("discovery.tenant", title).skip(
            crate::config::codes::INVALID,
            "the tenant and --authority do not make a URL",
        ));
    };
    let mut checks = vec![discovery::tenant::tenant_check(r, &ctx.cfg.authority)];
    if !discovery_runs {
        // Without the gateway's façade to compare, the keys are judged on their own here.
        checks.push(discovery::tenant::jwks_check(r, None, None));
    }
    StepResult::of(checks)
}

// ---- discovery ----

/// The discovery walk with the shared tenant result; the tenant's own check is reported
/// by the tenant step, so it is taken out here. Its first stage (the endpoint POST and the
/// well-known PRM GETs, shared with the pattern detection) goes out before the pattern is
/// known; the documents are judged by the pattern seen.
pub async fn discovery_step(
    http: &Http,
    gateway: &Gateway,
    tenant_configured: bool,
    tenant: impl std::future::Future<Output = Option<TenantResult>>,
    wellknown: impl std::future::Future<Output = Vec<discovery::fetch::Attempt>>,
    judged: &Judged<'_>,
) -> StepResult {
    let (first, j) = tokio::join!(
        discovery::FirstStage::fetch(http, &gateway.mcp_url, wellknown),
        judged.clone()
    );
    let exp = DocExpect::from_ctx(&j.ctx, Some(gateway.mcp_url.clone()));
    let checks = discovery::walk_from(http, &exp, &gateway.mcp_url, first, tenant).await;
    let checks = checks
        .into_iter()
        .filter(|c| {
            !(c.id == "discovery.tenant"
                && (tenant_configured
                    || (c.status == Status::Skip && c.code == Some(crate::config::codes::MISSING))))
        })
        .collect();
    let mut r = StepResult::of(checks);
    r.context
        .push(("mcp_url".into(), Value::from(gateway.mcp_url.as_str())));
    r
}

// ---- token ----

/// A token given as input (file, stdin, `C7DOCTOR_TOKEN`).
pub struct GivenToken {
    pub secret: Secret,
    pub origin: String,
}

/// The token step: the given token, or the device-code sign-in.
pub async fn token_step(
    ctx: &Ctx,
    given: Option<&GivenToken>,
    login: bool,
) -> (StepResult, Result<Secret, Blocked>) {
    let id = "e2e.token";
    let title = "A client token to run the token steps with";
    if login {
        let mut checks = Vec::new();
        let (client, scope) = match entra::device_code::client_and_scope(
            ctx,
            None,
            None,
            entra::device_code::SignInFrom::RunLogin,
        ) {
            Ok((c, s, check)) => {
                checks.push(check);
                (c, s)
            }
            Err(check) => {
                let why = format!(
                    "no token: the sign-in could not start ({}: {})",
                    check.id, check.detail
                );
                let b = if check.status == Status::Skip {
                    Blocked::missing(why)
                } else {
                    Blocked::failed(why)
                };
                checks.push(check);
                return (StepResult::of(checks), Err(b));
            }
        };
        return match entra::device_code_login(ctx, &client, &scope, entra::Progress::Auto).await {
            Ok((token, more)) => {
                checks.extend(more);
                let mut r = StepResult::of(checks);
                r.context.push(("token".into(), token.fingerprint().into()));
                r.context
                    .push(("token_source".into(), "device-code sign-in".into()));
                (r, Ok(token))
            }
            Err(more) => {
                checks.extend(more);
                let blocked = match checks.iter().find(|c| c.status == Status::Fail) {
                    Some(failed) => Blocked::failed(format!(
                        "no token: the device-code sign-in failed ({})",
                        failed.id
                    )),
                    // Not failed, not configured (no tenant): the run is incomplete.
                    None => match checks.iter().find(|c| c.status == Status::Skip) {
                        Some(s) => Blocked::missing(format!(
                            "no token: the sign-in could not start ({}: {})",
                            s.id, s.detail
                        )),
                        None => Blocked::failed("no token: the device-code sign-in failed"),
                    },
                };
                (StepResult::of(checks), Err(blocked))
            }
        };
    }
    match given {
        Some(t) => {
            let fp = t.secret.fingerprint();
            let check = Check::new(id, title)
                .pass(format!("token {fp} from {}", t.origin))
                .evidence("fingerprint", fp.clone())
                .evidence("source", t.origin.clone());
            let mut r = StepResult::one(check);
            r.context.push(("token".into(), fp.into()));
            r.context
                .push(("token_source".into(), t.origin.clone().into()));
            (r, Ok(t.secret.clone()))
        }
        None => {
            let b = Blocked::missing(
                "no client token: pass --token-file FILE, pipe it on stdin, set C7DOCTOR_TOKEN, or sign in with --login",
            );
            (StepResult::one(b.check(id, title)), Err(b))
        }
    }
}

/// The offline client-hop checks (no network), for the steps that explain with them.
pub fn client_token(
    ctx: &Ctx,
    secret: Secret,
    provisioned: Option<HashSet<String>>,
) -> ClientToken {
    let mut exp = Expect::from_ctx(ctx);
    exp.hop = Some(Hop::Client);
    exp.hop_reason = "the client hop: e2e checks the token a client sends APIM";
    exp.provisioned = provisioned;
    let tc = token::check_token(secret.expose(), &exp);
    ClientToken { secret, tc, exp }
}

/// The signature check against the keys the tenant step fetched; the token's own tenant
/// is fetched only when no tenant is configured (nothing was fetched before then).
pub async fn signature(
    ctx: &Ctx,
    http: &Http,
    d: &Decoded,
    raw: &str,
    tenant: Option<&TenantResult>,
    tenant_blocked: Option<&Blocked>,
) -> Check {
    if token::claims::is_graph_token(d) {
        return token::verify_with_jwks(d, raw, &Value::Null);
    }
    match (tenant, tenant_blocked) {
        (Some(t), _) => match t.jwks.as_ref().and_then(|a| a.doc()) {
            Some(keys) => token::verify_with_jwks(d, raw, keys).evidence(
                "keys",
                t.jwks_uri()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("the keys of tenant {}", t.tenant)),
            ),
            None => Check::new(jwks::CHECK_ID, jwks::CHECK_TITLE).skip(
                crate::report::codes::PREREQUISITE_FAILED,
                format!(
                    "the keys of tenant {} could not be fetched (see discovery.tenant in the tenant step)",
                    t.tenant
                ),
            ),
        },
        (None, Some(b)) if b.code != crate::config::codes::MISSING => b.check(jwks::CHECK_ID, jwks::CHECK_TITLE),
        _ => match d.tenant().filter(|t| !t.is_empty()) {
            Some(tid) => match token::fetch_tenant_jwks(http, &ctx.cfg.authority, &tid).await {
                Ok(keys) => token::verify_with_jwks(d, raw, &keys).evidence(
                    "keys",
                    format!(
                        "{}/{tid} published keys (the token's tenant; no --tenant-id)",
                        ctx.cfg.authority
                    ),
                ),
                Err(c) => c,
            },
            None => jwks::unchecked("no tenant in the token and no --tenant-id: no keys to check with"),
        },
    }
}

/// Rename a backend token's checks so both hops read apart (as `token --backend-token`).
fn as_backend(checks: Vec<Check>) -> Vec<Check> {
    checks
        .into_iter()
        .map(|mut c| {
            if let Some(rest) = c.id.strip_prefix("token.") {
                c.id = format!("token.backend.{rest}");
            }
            c.title = format!("{} (backend token)", c.title);
            c
        })
        .collect()
}

// ---- OBO ----

/// The exchange APIM performs (`entra::obo`), the backend-hop checks on its result and the
/// two hops compared.
pub async fn obo_step(
    ctx: &Ctx,
    http: &Http,
    client: Result<&ClientToken, &Blocked>,
    gateway_secret: Option<&(Vec<u8>, &'static str)>,
    tenant: impl std::future::Future<Output = Option<TenantResult>>,
    tenant_blocked: Option<&Blocked>,
) -> StepResult {
    let cfg = &ctx.cfg;
    if cfg.pattern != Pattern::Obo {
        return StepResult {
            note: Some(format!(
                "not applicable: the {} pattern has no OBO exchange",
                cfg.pattern.as_str()
            )),
            ..StepResult::default()
        };
    }
    let exchange_title = "Entra exchanges the client token On-Behalf-Of the user";
    let client = match client {
        Ok(c) => c,
        Err(b) => return StepResult::one(b.check("obo.exchange", exchange_title)),
    };
    if let Some(b) = client.unusable() {
        return StepResult::one(b.check("obo.exchange", exchange_title));
    }
    let mut checks = vec![entra::obo::forecast(ctx, client.secret.expose())];
    let missing: Vec<&str> = [
        ("--tenant-id", cfg.tenant_id.is_none()),
        ("--gateway-app-id", cfg.gateway_app_id.is_none()),
        ("--mcp-app-id", cfg.mcp_app_id.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(f, _)| *f)
    .collect();
    if !missing.is_empty() {
        checks.push(
            Blocked::missing(format!(
                "set {} to try the exchange APIM performs",
                missing.join(" and ")
            ))
            .check("obo.exchange", exchange_title),
        );
        return StepResult::of(checks);
    }
    let Some(raw_secret) = gateway_secret else {
        checks.push(
            Blocked::missing(format!(
                "set {} to the gateway app's client secret (the value of APIM's named value apim-gateway-client-secret) to try the exchange APIM performs",
                entra::obo::SECRET_ENV
            ))
            .check("obo.exchange", exchange_title),
        );
        return StepResult::of(checks);
    };
    let (secret, secret_checks) = entra::obo::read_client_secret(Some(raw_secret.clone()));
    checks.extend(secret_checks);
    let Some(secret) = secret else {
        return StepResult::of(checks);
    };
    let (exchange, backend) = entra::obo_exchange(ctx, &client.secret, &secret).await;
    checks.extend(exchange);
    let mut r = StepResult::default();
    if let Some(backend) = backend {
        r.context
            .push(("backend_token".into(), backend.fingerprint().into()));
        let mut exp = client.exp.clone();
        exp.hop = Some(Hop::Backend);
        exp.hop_reason = "the backend hop: the token Entra issued by OBO";
        let mut tc = token::check_token(backend.expose(), &exp);
        if let Some(d) = &tc.decoded {
            let keys = tenant.await;
            tc.set_signature(
                signature(
                    ctx,
                    http,
                    d,
                    backend.expose(),
                    keys.as_ref(),
                    tenant_blocked,
                )
                .await,
            );
        }
        checks.extend(as_backend(tc.checks));
        if let (Some(c), Some(b)) = (&client.tc.decoded, &tc.decoded) {
            let (hop_checks, table) = token::compare_hops(c, b, &client.exp);
            checks.extend(hop_checks);
            r.sections.push(table);
            r.sections.extend(token::display::sections(
                b,
                &exp,
                "backend",
                "Backend token",
            ));
        }
    }
    r.checks = checks;
    r
}

// ---- MCP ----

/// The tool call the guides verify with, and the probe's limits.
fn probe_config(ctx: &Ctx, gateway: &Gateway) -> ProbeConfig {
    let tool = "resolve-library-id".to_string();
    ProbeConfig {
        url: gateway.mcp_url.clone(),
        prefix: "probe".into(),
        peer: "the gateway".into(),
        protocol_version: "2025-06-18".into(),
        eras: crate::mcp::client::Eras::Both,
        tool_args: mcp::default_tool_args(&tool),
        tool,
        query_docs: false,
        stream_cap: 64 * 1024 * 1024,
        max_event_bytes: sse::DEFAULT_MAX_EVENT_BYTES,
        deadline: ctx.cfg.timeout,
        deadline_flag: "--timeout",
        pattern: ctx.cfg.pattern,
        pattern_later: None,
        gateway: Some(gateway.mcp_url.clone()),
    }
}

/// The MCP conversation through the gateway with the client token (`mcp::client`), APIM's
/// 401 explained by the local token findings, and the steps it could not reach. The
/// conversation starts with the token and waits for the pattern seen only to judge its
/// first reply; the token findings are read when it has ended.
pub async fn mcp_step(
    ctx: &Ctx,
    http: &Http,
    gateway: Result<&Gateway, &Blocked>,
    token: Result<&Secret, &Blocked>,
    judged: &Judged<'_>,
    client: impl std::future::Future<Output = Rc<Result<ClientToken, Blocked>>>,
) -> StepResult {
    let title = "initialize: the MCP server answers through the gateway";
    let gateway = match gateway {
        Ok(g) => g,
        Err(b) => return StepResult::one(b.check("probe.initialize", title)),
    };
    let secret = match token {
        Ok(s) => s,
        Err(b) => return StepResult::one(b.check("probe.initialize", title)),
    };
    if token::decode(secret.expose()).is_err() {
        return StepResult::one(not_a_jwt().check("probe.initialize", title));
    }
    let (pattern_tx, pattern_rx) = tokio::sync::watch::channel(None);
    let cfg = ProbeConfig {
        pattern_later: Some(pattern_rx),
        ..probe_config(ctx, gateway)
    };
    let auth = Auth::Bearer(secret.clone());
    let (mut conv, ()) = tokio::join!(Client::new(http, &cfg, &auth).run(), async {
        let j = judged.clone().await;
        pattern_tx.send_replace(Some(j.ctx.cfg.pattern));
    });
    let client = client.await;
    let token_checks: &[Check] = match client.as_ref() {
        Ok(c) => &c.tc.checks,
        Err(_) => &[],
    };
    let findings: Vec<(String, String)> = token_checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .filter_map(|c| c.code.map(|code| (code.to_string(), c.detail.clone())))
        .collect();
    mcp::explain_gateway_rejection(&mut conv, &findings);
    let mut checks = conv.checks.clone();
    let call_id = "probe.tools-call";
    if !checks.iter().any(|c| c.id == call_id) {
        let failed = checks
            .iter()
            .find(|c| c.status == Status::Fail)
            .map(|c| c.id.clone())
            .unwrap_or_else(|| "probe.initialize".into());
        checks.push(
            Check::new(call_id, format!("tools/call {} returns a result", cfg.tool)).skip(
                crate::report::codes::PREREQUISITE_FAILED,
                format!("not called: the conversation stopped at {failed}"),
            ),
        );
    }
    let mut tmp = Report::new("e2e");
    mcp::add_conversation(
        &mut tmp,
        checks,
        &conv,
        "probe.conversation",
        "MCP conversation through the gateway",
    );
    StepResult {
        checks: tmp.checks,
        sections: tmp.sections,
        ..StepResult::default()
    }
}

// ---- negative checks ----

const NO_TOKEN_ID: &str = "e2e.negative.no-token";
const NO_TOKEN_TITLE: &str = "Without a token the gateway answers 401 with the challenge";
const FORGED_ID: &str = "e2e.negative.forged-token";
const FORGED_TITLE: &str =
    "APIM refuses a token with a bad signature (401 from the gateway, not from Context7)";

/// Without a token: read from the discovery step's first request (not sent twice).
pub fn no_token_check(discovery: Result<&[Check], &Blocked>) -> Check {
    let checks = match discovery {
        Ok(c) => c,
        Err(b) => return b.check(NO_TOKEN_ID, NO_TOKEN_TITLE),
    };
    let find = |id: &str| checks.iter().find(|c| c.id == id);
    let Some(endpoint) = find("discovery.endpoint") else {
        return Blocked::failed("the discovery step did not reach the MCP endpoint")
            .check(NO_TOKEN_ID, NO_TOKEN_TITLE);
    };
    let check = Check::new(NO_TOKEN_ID, NO_TOKEN_TITLE).evidence(
        "from",
        "the discovery step's POST initialize without a token (not sent twice)",
    );
    let mirror = |c: &Check, check: Check| {
        let code = c.code.unwrap_or(crate::discovery::codes::CHALLENGE_MISSING);
        check
            .finding(c.status, code, format!("{} (seen by {})", c.detail, c.id))
            .evidence("same_as", c.id.clone())
    };
    if endpoint.status != Status::Pass {
        return mirror(endpoint, check);
    }
    match find("discovery.challenge") {
        Some(ch) if ch.status == Status::Pass => {
            let header = match ch.evidence.get("www_authenticate") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                Some(Value::String(s)) => s.clone(),
                _ => ch.detail.clone(),
            };
            check
                .pass(format!("401 with WWW-Authenticate: {header}"))
                .evidence("www_authenticate", header)
        }
        Some(ch) if ch.status == Status::Skip => check.pass(endpoint.detail.clone()),
        Some(ch) => mirror(ch, check),
        None => check.pass(endpoint.detail.clone()),
    }
}

/// A JWT with the claims the gateway expects and a signature no key made.
fn forged_token(ctx: &Ctx, pattern: Pattern) -> String {
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let cfg = &ctx.cfg;
    let (aud, scp) = match pattern {
        Pattern::Obo => (cfg.gateway_app_id.clone(), "Mcp.Gateway.Access"),
        _ => (cfg.mcp_app_id.clone(), "mcp.access"),
    };
    let tid = cfg
        .tenant_id
        .clone()
        .unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into());
    let now = ctx.now.as_second();
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "c7doctor-forged-key"});
    let claims = json!({
        "aud": aud.unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into()),
        "iss": format!("{}/{tid}/v2.0", cfg.authority.trim_end_matches('/')),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "oid": "00000000-0000-0000-0000-0000c7d0c7d0",
        "tid": tid, "scp": scp, "ver": "2.0",
    });
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(b"c7doctor forged signature: no key made this");
    format!("{}.{}.{sig}", b64(&header), b64(&claims))
}

/// With a forged token: one POST initialize; who answered is decided by the probe's
/// classifier (`mcp::classify`).
///
/// The token is shaped for the pattern seen (its `aud` and `scp`), which the PRM may still
/// be deciding: it goes out at once shaped for `likely` (the pattern when the PRM says
/// nothing, as when the gateway does not answer), and is sent again, reshaped, only when the
/// pattern seen turns out to be another one. So a gateway that never answers costs one
/// deadline here, not the PRM look's and then this request's.
pub async fn forged_token_check(
    ctx: &Ctx,
    http: &Http,
    gateway: Result<&Gateway, &Blocked>,
    likely: Pattern,
    judged: &Judged<'_>,
) -> Check {
    let gateway = match gateway {
        Ok(g) => g,
        Err(b) => return b.check(FORGED_ID, FORGED_TITLE),
    };
    let send = |token: String| {
        let forged = Secret::new(token);
        let req = Request::post_json(gateway.mcp_url.clone(), &endpoint::initialize_body())
            .header("accept", "application/json, text/event-stream")
            .bearer(&forged);
        http.send(req)
    };
    let early_token = forged_token(ctx, likely);
    let early = send(early_token.clone());
    tokio::pin!(early);
    let mut early_answer = None;
    let j = tokio::select! {
        j = judged.clone() => j,
        answer = &mut early => {
            early_answer = Some(answer);
            judged.clone().await
        }
    };
    let ctx = &j.ctx;
    let token = forged_token(ctx, ctx.cfg.pattern);
    let answer = if token != early_token {
        send(token).await
    } else {
        match early_answer {
            Some(a) => a,
            None => early.await,
        }
    };
    let resp = match answer {
        Ok(r) => r,
        Err(e) => {
            return e.to_check(
                crate::discovery::codes::UNREACHABLE,
                FORGED_ID,
                FORGED_TITLE,
            );
        }
    };
    let content_type = resp.header("content-type").unwrap_or_default();
    let mut check = Check::new(FORGED_ID, FORGED_TITLE)
        .evidence("url", gateway.mcp_url.as_str())
        .evidence("status", resp.status)
        .evidence("content_type", content_type.clone())
        .evidence(
            "sent",
            "a JWT with the expected aud, scp and issuer, and an invalid signature",
        )
        .duration(resp.elapsed);
    if let Some(h) = resp.header("www-authenticate") {
        check = check.evidence("www_authenticate", h);
    }
    if let Some(m) = endpoint::apim_message(&resp) {
        check = check.evidence("message", m);
    }
    let st = status_text(resp.status);
    // APIM and Context7 answer JSON or event streams; HTML is somebody else's page.
    if content_type.to_ascii_lowercase().starts_with("text/html") {
        let title = html_title(&resp.body)
            .map(|t| format!(" titled {t:?}"))
            .unwrap_or_default();
        return check.fail(
            crate::discovery::codes::HTML_RESPONSE,
            format!(
                "POST initialize got {st} with an HTML page{title}, not APIM's JSON: something other than the APIM gateway answers at {} — a proxy's sign-in or block page, a captive portal, or a portal host",
                gateway.mcp_url
            ),
        );
    }
    if (200..300).contains(&resp.status) {
        return check.fail(
            crate::policy::codes::NO_TOKEN_VALIDATION,
            format!(
                "POST initialize with a token whose signature no key made got {st}: the gateway does not validate tokens, anyone reaches Context7"
            ),
        );
    }
    let cause = classify::classify_http(
        classify::Step::Initialize,
        resp.status,
        &resp.headers,
        &resp.body,
        false,
        Some(&gateway.origin),
        ctx.cfg.pattern,
    );
    match cause {
        Cause::RejectedAtGateway { status, message } => check.pass(format!(
            "{} from APIM ({message:?}): the gateway validates the signature before Context7 sees the token",
            status_text(status)
        )),
        Cause::RejectedByContext7 { message, .. }
        | Cause::NoCredential { message, .. }
        | Cause::UserNotProvisioned { text: message, .. } => {
            check.fail(
                crate::policy::codes::NO_TOKEN_VALIDATION,
                format!(
                    "{st} from Context7 ({message:?}), not from APIM: the gateway forwarded a token with a bad signature without validating it"
                ),
            )
        }
        Cause::ApiKeyRejected { text } => check.fail(
            crate::policy::codes::NO_TOKEN_VALIDATION,
            format!(
                "{st} with Context7's key message ({:?}): the forged token went past the gateway unvalidated",
                classify::short(&text)
            ),
        ),
        other => {
            let code = other.code(classify::Step::Initialize);
            check.fail(code, other.describe())
        }
    }
}

/// The `<title>` of an HTML page, shortened and without control characters.
fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let title: String = text[open_end..close]
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    let title = title.trim().to_string();
    (!title.is_empty()).then_some(title)
}

/// The app registration audit ([`crate::apps`]), from the `--apps` files or Graph.
pub async fn apps_step(ctx: &Ctx, source: &crate::apps::Source) -> StepResult {
    let start = std::time::Instant::now();
    let opts = crate::apps::default_options(ctx);
    let mut r = match crate::apps::run(ctx, source, &opts).await {
        Ok((checks, context)) => StepResult {
            checks,
            context: context
                .into_iter()
                .map(|(k, v)| (format!("apps_{k}"), v))
                .collect(),
            ..StepResult::default()
        },
        Err(e) => StepResult::one(
            Check::new("apps.audit", "The app registrations are audited")
                .fail(crate::apps::codes::GRAPH_FAILED, e.to_string()),
        ),
    };
    r.elapsed = start.elapsed();
    r
}
