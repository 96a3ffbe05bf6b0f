//! `c7doctor e2e`: the whole integration in one run and one report for a support ticket.
//!
//! The steps, in the order the integration depends on them (the report's order):
//!
//! 1. configuration — [`crate::config::Config::validate`];
//! 2. policy lint — [`crate::policy::lint_files`] on `--policy FILE…` (read and linted
//!    before the network steps start: an unreadable file is a usage error, and linting
//!    takes milliseconds), then the app registrations — [`crate::apps::run`] on
//!    `--apps FILE…`, or Microsoft Graph when `C7DOCTOR_GRAPH_TOKEN` is set
//!    (`C7DOCTOR_GRAPH_URL` for sovereign clouds);
//! 3. tenant OIDC and keys — [`crate::discovery::tenant`], fetched once;
//! 4. discovery chain — [`crate::discovery::walk_with_tenant`], sharing that fetch;
//! 5. token — `--token-file`, stdin, `C7DOCTOR_TOKEN`, or the device-code sign-in
//!    ([`crate::entra::device_code_login`]);
//! 6. client-hop token checks — [`crate::token::check_token`], the signature verified with
//!    the keys of step 3 (no second fetch);
//! 7. OBO (pattern obo, `C7DOCTOR_GATEWAY_SECRET` set) — [`crate::entra::obo_exchange`],
//!    the backend-hop checks and the hop comparison;
//! 8. MCP conversation through the gateway with SSE integrity — [`crate::mcp::client`];
//! 9. negative checks — no token (read from step 4's first request, not sent twice) and a
//!    forged token (401 from APIM, not from Context7, by [`crate::mcp::classify`]).
//!
//! No check is implemented here: every one comes from its area. This module decides what
//! each step needs, runs independent steps concurrently (tenant, discovery and the token
//! chain at once; OBO and MCP side by side once the token is there), skips with
//! `config.missing` what is not configured and with `run.prerequisite-failed` what an
//! earlier failure prevents, and ranks the failures ([`rank`]) so the report names the first
//! broken link. Ctrl-C stops the run and prints what finished, with `run.interrupted`
//! (`lib.rs` exits 130 for it).
//!
//! The pattern is judged by what the gateway shows ([`crate::detected_pattern`]): the policy
//! given with `--policy`, else the scopes the gateway's PRM advertises, else the client
//! token's audience and scope. The PRM is not fetched for it: the discovery walk's
//! well-known GETs (each sent once) are read by the detection too, within its cap. Nothing
//! waits for the pattern before it goes out — the endpoint POST, the PRM GETs, the tenant,
//! the conversation's first requests and the forged token (shaped for the pattern the PRM
//! is not needed for, and sent again only if the PRM says otherwise) all start at once —
//! and each step awaits the judgement ([`Judged`]) only where it first judges by it.
//!
//! Progress: one live line per step on stderr ([`crate::progress`]; when stderr is not a
//! terminal, one plain line per finished step with its mark). With `--login` the lines are
//! held back while the device-code prompt and its countdown own the terminal; the steps
//! that finished meanwhile are printed as plain lines when the sign-in ends, and the rest
//! follow as they finish.

mod board;
mod steps;

use futures_util::FutureExt;
use futures_util::future::{LocalBoxFuture, Shared};
use std::collections::HashSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::cli::E2eArgs;
use crate::context::{Ctx, Outcome};
use crate::deployment::Pattern;
use crate::detected_pattern;
use crate::discovery::{fetch, prm};
use crate::error::Error;
use crate::http::Http;
use crate::input;
use crate::policy::{self, LintOptions};
use crate::report::redact::{self, Secret};
use crate::report::{Check, Report, Section, Source, Status};
use crate::verdict::rank;
use board::{Board, Slot, StepId, StepResult};
use steps::{Blocked, Gateway, GivenToken};

/// Everything read before the run: bad input is a usage error before any request.
struct Inputs {
    config_checks: Vec<Check>,
    policy: Option<(Vec<Check>, Duration)>,
    /// The app registration documents (`--apps`) or the Graph token.
    apps: Option<crate::apps::Source>,
    token: Option<GivenToken>,
    login: bool,
    provisioned: Option<HashSet<String>>,
    gateway_secret: Option<(Vec<u8>, &'static str)>,
}

impl Inputs {
    fn read(ctx: &Ctx, args: &E2eArgs) -> Result<Inputs, Error> {
        let stdin_policies = args.policy.iter().filter(|p| p.as_os_str() == "-").count();
        let token_stdin = args
            .token_file
            .as_deref()
            .is_some_and(|p| p.as_os_str() == "-");
        if stdin_policies > 1 || (stdin_policies == 1 && token_stdin) {
            return Err(Error::usage(
                "only one input can come from stdin (`-`): put the others in files",
            ));
        }
        if args.login && args.token_file.is_some() {
            return Err(Error::usage(
                "--login and --token-file both give the client token: choose one",
            ));
        }

        let policy = if args.policy.is_empty() {
            None
        } else {
            let start = Instant::now();
            let opts = LintOptions::default();
            // Linted together: fragments and scopes resolve across the files.
            let checks = policy::lint_files(&args.policy, ctx, &opts)?;
            Some((checks, start.elapsed()))
        };

        let apps_stdin = args.apps.iter().any(|p| p.as_os_str() == "-");
        if apps_stdin && (stdin_policies > 0 || token_stdin) {
            return Err(Error::usage(
                "only one input can come from stdin (`-`): put the others in files",
            ));
        }
        let apps = if !args.apps.is_empty() {
            Some(crate::apps::Source::Files(crate::apps::read_files(
                &args.apps,
            )?))
        } else if std::env::var_os(crate::apps::graph::TOKEN_VAR).is_some() {
            let url = std::env::var("C7DOCTOR_GRAPH_URL").ok();
            Some(crate::apps::Source::Graph {
                base: crate::apps::graph::base_url(url.as_deref())?,
                token: crate::apps::graph::token()?,
            })
        } else {
            None
        };

        let token = if args.login {
            None
        } else {
            input::read_secret(None, args.token_file.as_deref(), "C7DOCTOR_TOKEN")?.and_then(
                |raw| {
                    let t = input::normalize_token(&raw.text());
                    (!t.is_empty()).then(|| GivenToken {
                        secret: Secret::new(t),
                        origin: raw.origin.describe(),
                    })
                },
            )
        };
        let provisioned = match &args.provisioned {
            Some(p) => Some(crate::token::load_provisioned(p)?),
            None => None,
        };
        let gateway_secret = std::env::var_os(crate::entra::obo::SECRET_ENV).map(|v| {
            let bytes = v.as_encoded_bytes().to_vec();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            redact::register_secret(&text);
            redact::register_secret(text.trim());
            (bytes, "$C7DOCTOR_GATEWAY_SECRET")
        });
        Ok(Inputs {
            config_checks: ctx.cfg.validate(),
            policy,
            apps,
            token,
            login: args.login,
            provisioned,
            gateway_secret,
        })
    }

    /// Did the configuration check `id` fail?
    fn config_failed(&self, id: &str) -> bool {
        self.config_checks
            .iter()
            .any(|c| c.id == id && c.status == Status::Fail)
    }
}

/// The pattern the run is judged by ([`crate::detected_pattern`]): the configuration to run
/// with, and the `config.pattern` check and note when it is not the configured one.
pub(crate) struct Judgement {
    pub ctx: Ctx,
    pub check: Option<Check>,
    pub note: Option<String>,
}

/// The judgement, once the PRM look has answered (or its cap has passed). Every step that
/// judges by the pattern awaits it where it first needs it; the requests that do not
/// depend on it are already out.
pub(crate) type Judged<'a> = Shared<LocalBoxFuture<'a, Rc<Judgement>>>;

/// One GET of a well-known PRM URL, awaited by both the discovery walk and the detection.
type SharedAttempt<'a> = Shared<LocalBoxFuture<'a, fetch::Attempt>>;

/// `c7doctor e2e`.
pub async fn command(ctx: &Ctx, args: &E2eArgs) -> Result<Outcome, Error> {
    let written;
    let ctx = if args.write_config {
        written = write_config(ctx)?;
        &written
    } else {
        ctx
    };
    let inputs = Inputs::read(ctx, args)?;
    let http = ctx.http(None)?;
    let gateway = gateway_of(&ctx.cfg, &inputs);
    // The well-known PRM URLs, each requested once (with `--timeout`): the discovery walk's
    // first stage reads them, and the pattern detection reads the same answers.
    let wellknown: Vec<SharedAttempt<'_>> = match &gateway {
        Ok(g) => prm::wellknown_candidates(&g.mcp_url)
            .into_iter()
            .map(|(url, why)| fetch::get_doc(&http, url, why).boxed_local().shared())
            .collect(),
        Err(_) => Vec::new(),
    };
    let judged: Judged<'_> = judge_pattern(ctx, &inputs, gateway.is_ok(), &wellknown)
        .boxed_local()
        .shared();
    let board = Board::new(args.login);
    let interrupted = {
        let run = run_steps(ctx, &inputs, &http, &board, &gateway, &wellknown, &judged);
        tokio::select! {
            _ = run => None,
            _ = ctrl_c() => Some(board.started.elapsed()),
        }
    };
    // Judged unless Ctrl-C came first; the report then carries the configuration as given,
    // and its checks without the pattern's.
    let judgement = judged.now_or_never();
    if judgement.is_none() {
        board.record(StepId::Config, StepResult::of(inputs.config_checks.clone()));
    }
    let report_ctx = judgement.as_ref().map_or(ctx, |j| &j.ctx);
    let mut report = assemble(report_ctx, &board, interrupted);
    report
        .notes
        .extend(judgement.as_ref().and_then(|j| j.note.clone()));
    Ok(report.into())
}

/// Judge by the pattern the gateway really has: the policy's, else the scopes its PRM
/// advertises (the walk's own well-known GETs, each waited for at most the detection's
/// cap), else the client token's.
async fn judge_pattern(
    ctx: &Ctx,
    inputs: &Inputs,
    gateway_ok: bool,
    wellknown: &[SharedAttempt<'_>],
) -> Rc<Judgement> {
    let (policy_seen, token_seen) = seen_offline(ctx, inputs);
    let prm_seen = if policy_seen.is_none() && gateway_ok {
        detected_pattern::from_prm_fetches(wellknown.iter().cloned(), &ctx.cfg).await
    } else {
        None
    };
    let seen = detected_pattern::combine(policy_seen, prm_seen, token_seen);
    Rc::new(match detected_pattern::apply(&ctx.cfg, seen) {
        Some((cfg, check, note)) => Judgement {
            ctx: Ctx { cfg, now: ctx.now },
            check: Some(check),
            note: Some(note),
        },
        None => Judgement {
            ctx: Ctx {
                cfg: ctx.cfg.clone(),
                now: ctx.now,
            },
            check: None,
            note: None,
        },
    })
}

/// What the policy and the client token say of the pattern (no request needed).
fn seen_offline(
    ctx: &Ctx,
    inputs: &Inputs,
) -> (
    Option<detected_pattern::Seen>,
    Option<detected_pattern::Seen>,
) {
    let policy = inputs
        .policy
        .as_ref()
        .and_then(|(checks, _)| detected_pattern::from_policy(checks));
    let token = inputs
        .token
        .as_ref()
        .and_then(|t| crate::token::decode(t.secret.expose()).ok())
        .and_then(|d| detected_pattern::from_token(&d, &ctx.cfg));
    (policy, token)
}

/// The pattern the run is judged by when the PRM says nothing about it: what a request
/// that must go out before the PRM has answered is shaped for (the forged token).
fn pattern_without_prm(ctx: &Ctx, inputs: &Inputs) -> Pattern {
    let (policy, token) = seen_offline(ctx, inputs);
    detected_pattern::combine(policy, None, token).map_or(ctx.cfg.pattern, |s| s.pattern)
}

/// Where the gateway is, when the configuration allows talking to it.
fn gateway_of(cfg: &crate::config::Config, inputs: &Inputs) -> Result<Gateway, Blocked> {
    match (&cfg.host, cfg.gateway()) {
        (None, _) => Err(Blocked::missing(
            "set --host to the APIM gateway (APIM › Overview › Gateway URL)",
        )),
        (Some(h), _) if inputs.config_failed("config.host") => Err(Blocked::failed(format!(
            "{h} is not usable as the gateway (see config.host): nothing is sent to it"
        ))),
        (Some(h), None) => Err(Blocked::failed(format!(
            "{h} is not a host name or URL (see config.host)"
        ))),
        (Some(_), Some(g)) => Ok(g.clone()),
    }
}

/// Resolves on Ctrl-C; never when the signal cannot be watched.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// `--write-config`: ask and write the file (`init`), then run with what was written
/// wherever a flag or the environment does not say otherwise.
fn write_config(ctx: &Ctx) -> Result<Ctx, Error> {
    let path = ctx
        .cfg
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::config::DEFAULT_CONFIG_FILE));
    if path.exists() {
        return Err(Error::usage(format!(
            "{} exists: edit it, or write it again with `c7doctor init --force`",
            path.display()
        )));
    }
    crate::init::write_config(ctx, &path, false)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
    let mut cfg = ctx.cfg.clone();
    for (key, value) in &table {
        let Some(v) = value.as_str().map(str::to_string) else {
            continue;
        };
        let Some(entry) = cfg.entries.iter_mut().find(|e| &e.name == key) else {
            continue;
        };
        if !matches!(entry.source, Source::File | Source::Default) {
            continue; // a flag or the environment wins over the file
        }
        match key.as_str() {
            "host" => cfg.host = Some(v.clone()),
            "api_path" => cfg.api_path = v.trim_matches('/').to_string(),
            "tenant_id" => cfg.tenant_id = Some(v.clone()),
            "gateway_app_id" => cfg.gateway_app_id = Some(v.clone()),
            "mcp_app_id" => cfg.mcp_app_id = Some(v.clone()),
            "pattern" => {
                cfg.pattern = match v.as_str() {
                    "passthrough" => Pattern::Passthrough,
                    "shared-key" => Pattern::SharedKey,
                    _ => Pattern::Obo,
                }
            }
            _ => continue,
        }
        entry.value = v;
        entry.source = Source::File;
    }
    cfg.refresh_gateway();
    cfg.file = Some(path);
    Ok(Ctx { cfg, now: ctx.now })
}

/// Run every step; results land on the board as they finish. `ctx` is the configuration
/// as given: the parts that do not depend on the pattern (hosts, tenant, deadlines) are
/// read from it at once, everything judged by the pattern waits for `judged`.
async fn run_steps(
    ctx: &Ctx,
    inputs: &Inputs,
    http: &Http,
    board: &Board,
    gateway: &Result<Gateway, Blocked>,
    wellknown: &[SharedAttempt<'_>],
    judged: &Judged<'_>,
) {
    let cfg = &ctx.cfg;
    board.record(
        StepId::Policy,
        match &inputs.policy {
            Some((checks, elapsed)) => StepResult {
                checks: checks.clone(),
                elapsed: *elapsed,
                ..StepResult::default()
            },
            None => StepResult::one(Blocked::missing(
                "give --policy FILE… (the policy XML or `az apim api policy show` output of the MCP API and the oauth-proxy API) to lint the deployed policies",
            ).check("policy.lint", "APIM policies lint clean")),
        },
    );
    // The configuration's checks, with the pattern seen (`command` records them without it
    // when Ctrl-C comes first).
    let config_branch = async {
        let j = judged.clone().await;
        let mut checks = inputs.config_checks.clone();
        checks.extend(j.check.clone());
        board.record(StepId::Config, StepResult::of(checks));
    };

    // Beside the network steps: a Graph audit is requests of its own.
    let apps_branch = async {
        board.begin(StepId::Apps);
        let apps = match &inputs.apps {
            Some(source) => steps::apps_step(&judged.clone().await.ctx, source).await,
            None => StepResult::one(Blocked::missing(
                "give --apps FILE… (`az ad app show` / `az ad sp show` / grants JSON; `c7doctor init --az-commands` prints the commands) or set C7DOCTOR_GRAPH_TOKEN to audit the two app registrations",
            ).check("apps.audit", "The app registrations are audited")),
        };
        board.end(StepId::Apps, apps);
    };

    let tenant_blocked: Option<Blocked> = match &cfg.tenant_id {
        None => Some(Blocked::missing(
            "set --tenant-id (Entra admin center › Overview › Tenant ID) to check the tenant's OpenID configuration and keys",
        )),
        Some(t) if inputs.config_failed("config.tenant") => Some(Blocked::failed(format!(
            "the tenant {t:?} is not usable (see config.tenant)"
        ))),
        Some(_) if inputs.config_failed("config.authority") => Some(Blocked::failed(
            "--authority is not usable (see config.authority)",
        )),
        Some(_) => None,
    };
    let tenant_ok = tenant_blocked.is_none();

    // The tenant's OIDC document and keys: fetched once, shared by the tenant step, the
    // discovery walk and both signature checks.
    let tenant = async {
        match (&tenant_blocked, &cfg.tenant_id) {
            (None, Some(t)) => {
                crate::discovery::tenant::fetch(http, &cfg.authority, t, "--tenant-id").await
            }
            _ => None,
        }
    }
    .shared();

    // The tenant step judges nothing by the pattern.
    let tenant_branch = async {
        board.begin(StepId::Tenant);
        let fetched = tenant.clone().await;
        let mut r = steps::tenant_step(
            ctx,
            fetched.as_ref(),
            tenant_blocked.as_ref(),
            gateway.is_ok(),
        );
        if let Some(b) = &tenant_blocked {
            r = StepResult::one(b.check("e2e.tenant", "Tenant exists at the authority"));
        }
        board.end(StepId::Tenant, r);
    };

    let gateway_branch = async {
        board.begin(StepId::Discovery);
        board.begin(StepId::Negative);
        let discovery = async {
            let r = match gateway {
                Ok(g) => {
                    let wellknown = futures_util::future::join_all(wellknown.iter().cloned());
                    steps::discovery_step(http, g, tenant_ok, tenant.clone(), wellknown, judged)
                        .await
                }
                Err(b) => StepResult::one(b.check(
                    "discovery.endpoint",
                    "MCP endpoint asks for a token (401 without one)",
                )),
            };
            let checks = r.checks.clone();
            board.end(StepId::Discovery, r);
            checks
        };
        let forged = steps::forged_token_check(
            ctx,
            http,
            gateway.as_ref(),
            pattern_without_prm(ctx, inputs),
            judged,
        );
        let (seen, forged) = tokio::join!(discovery, forged);
        let no_token = steps::no_token_check(match gateway {
            Ok(_) => Ok(&seen),
            Err(b) => Err(b),
        });
        board.end(StepId::Negative, StepResult::of(vec![no_token, forged]));
    };

    let token_branch = async {
        board.begin(StepId::Token);
        let (r, token) = if inputs.login {
            // The sign-in asks for the scope of the pattern seen.
            steps::token_step(&judged.clone().await.ctx, None, true).await
        } else {
            steps::token_step(ctx, inputs.token.as_ref(), false).await
        };
        board.end(StepId::Token, r);
        board.reveal();
        // The offline client-hop checks, judged by the pattern seen; the conversation
        // starts before they can be made (it needs only the token).
        let client = async {
            let j = judged.clone().await;
            Rc::new(
                token
                    .clone()
                    .map(|s| steps::client_token(&j.ctx, s, inputs.provisioned.clone())),
            )
        }
        .shared();
        let hop = async {
            board.begin(StepId::ClientHop);
            let (j, client) = (judged.clone().await, client.clone().await);
            let ctx = &j.ctx;
            let r = match client.as_ref() {
                Ok(c) => {
                    let mut tc = c.tc.clone();
                    if let Some(d) = &c.tc.decoded {
                        let keys = tenant.clone().await;
                        tc.set_signature(
                            steps::signature(
                                ctx,
                                http,
                                d,
                                c.secret.expose(),
                                keys.as_ref(),
                                tenant_blocked.as_ref(),
                            )
                            .await,
                        );
                    }
                    StepResult {
                        checks: tc.checks,
                        sections: tc.sections,
                        ..StepResult::default()
                    }
                }
                Err(b) => {
                    StepResult::one(b.check("token.decode", "A signed JWT (JWS) that decodes"))
                }
            };
            board.end(StepId::ClientHop, r);
        };
        let obo = async {
            board.begin(StepId::Obo);
            let (j, client) = (judged.clone().await, client.clone().await);
            let r = steps::obo_step(
                &j.ctx,
                http,
                client.as_ref().as_ref(),
                inputs.gateway_secret.as_ref(),
                tenant.clone(),
                tenant_blocked.as_ref(),
            )
            .await;
            board.end(StepId::Obo, r);
        };
        let mcp = async {
            board.begin(StepId::Mcp);
            let r = steps::mcp_step(
                ctx,
                http,
                gateway.as_ref(),
                token.as_ref(),
                judged,
                client.clone(),
            )
            .await;
            board.end(StepId::Mcp, r);
        };
        tokio::join!(hop, obo, mcp);
    };

    tokio::join!(
        config_branch,
        apps_branch,
        tenant_branch,
        gateway_branch,
        token_branch
    );
}

/// The report: every finished step's checks in step order, the steps table, the causes,
/// then the displays (claims, hop table, conversation).
fn assemble(ctx: &Ctx, board: &Board, interrupted: Option<Duration>) -> Report {
    let mut report = ctx.report("e2e");
    let mut rows = Vec::new();
    let mut displays = Vec::new();
    let (mut running, mut waiting) = (Vec::new(), Vec::new());
    for (id, slot) in board.take() {
        match slot {
            Slot::Done(r) => {
                let status = r.status();
                rows.push(vec![
                    id.name().to_string(),
                    format!("{} {}", status.mark(), status.as_str()),
                    format!("{} ms", r.elapsed.as_millis()),
                    r.checks.len().to_string(),
                    r.note.clone().unwrap_or_default(),
                ]);
                report.extend(r.checks);
                displays.extend(r.sections);
                for (k, v) in r.context {
                    report.context(&k, v);
                }
            }
            Slot::Running { since, .. } => {
                running.push(id.name());
                rows.push(vec![
                    id.name().to_string(),
                    "- interrupted".into(),
                    format!("{} ms", since.elapsed().as_millis()),
                    "0".into(),
                    "stopped by Ctrl-C while running".into(),
                ]);
            }
            Slot::Waiting => {
                waiting.push(id.name());
                rows.push(vec![
                    id.name().to_string(),
                    "- not started".into(),
                    String::new(),
                    "0".into(),
                    "stopped by Ctrl-C before it started".into(),
                ]);
            }
        }
    }
    if let Some(after) = interrupted {
        let list = |v: &[&str]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        report.push(
            Check::new("e2e.interrupted", "The run completed")
                .fail(
                    crate::report::codes::INTERRUPTED,
                    format!(
                        "stopped by Ctrl-C after {:.1} s — still running: {}; not started: {}. The report holds the steps that finished.",
                        after.as_secs_f64(),
                        list(&running),
                        list(&waiting)
                    ),
                )
                .evidence("running", running.clone())
                .evidence("not_started", waiting.clone())
                .duration(after),
        );
    }
    report.first_cause = rank::first_cause(&report.checks);
    let mut sections = vec![Section::table(
        "e2e.steps",
        "Steps",
        ["step", "result", "time", "checks", "note"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows,
    )];
    sections.extend(rank::causes_section(&report.checks));
    // Claims, the hop table and the conversation: detail for -v and the markdown's folds.
    sections.extend(displays.into_iter().map(Section::fold));
    report.sections = sections;
    report
}
