//! c7doctor: a doctor for the Context7 MCP server behind Azure API Management with
//! Microsoft Entra ID sign-in. See DESIGN.md for the architecture.
//!
//! `main.rs` only calls [`main_with_args`]. Each diagnostic area (`token`, `apikey`,
//! `discovery`, `entra`, `mcp`, `policy`, `e2e`) produces [`report::Check`]s; `report`
//! renders them; `catalog` says what every finding code means; `http` is the only way out
//! to the network.

pub mod apikey;
pub mod apps;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod context;
pub mod deployment;
pub mod detected_pattern;
pub mod discovery;
pub mod e2e;
pub mod entra;
pub mod error;
pub mod explain;
pub mod files;
pub mod findings;
pub mod http;
pub mod init;
pub mod input;
pub mod mcp;
pub mod output;
pub mod policy;
pub mod progress;
pub mod report;
pub mod token;
pub mod verdict;

use clap::CommandFactory;
use std::ffi::OsString;

use cli::{Cli, Command};
use config::Config;
use context::{Ctx, Outcome};
use error::Error;
use report::{RenderOptions, Report, Verdict, redact};

pub use jiff::Timestamp;

/// Run c7doctor with these arguments and return the process exit code. For a process that
/// exits next: the command tree, the report and the configuration are not freed.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    let (mut command, top) = Cli::command_for(&args);
    let matches = match command.try_get_matches_from_mut(&args) {
        Ok(m) => m,
        Err(e) => return clap_error(&e, &args),
    };
    // Freeing clap's command tree and matches at exit would only cost time.
    std::mem::forget(command);
    let cli = match Cli::from_matches(&matches, top) {
        Ok(c) => c,
        Err(e) => return clap_error(&e, &args),
    };
    let code = match run(cli, &matches) {
        Ok(code) => code,
        Err(e) => {
            output::stderr_line(&format!("c7doctor: {e}"));
            e.exit_code()
        }
    };
    std::mem::forget(matches);
    code
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<i32, Error> {
    // Commands that need no configuration.
    match &cli.command {
        Command::Explain(a) => return explain::command(a.code.as_deref()),
        Command::Completions(a) => {
            // Into a buffer first: `generate` panics when its writer fails (a full stdout).
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "c7doctor", &mut buf);
            output::stdout(&buf)?;
            return Ok(0);
        }
        Command::Man => {
            let buf = cli::man_page().map_err(|e| Error::internal(format!("man page: {e}")))?;
            output::stdout(&buf)?;
            return Ok(0);
        }
        _ => {}
    }

    let cfg = Config::resolve(&cli.global, matches)?;
    refuse_credentials_in_urls(&cfg, &cli.command)?;
    if cfg.file_implicit
        && let Some(f) = &cfg.file
    {
        output::stderr_line(&format!(
            "c7doctor: using the config file {} found in the working directory (--config names another)",
            f.display()
        ));
    }
    for key in &cfg.unknown_keys {
        let file = cfg
            .file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        output::stderr_line(&format!(
            "c7doctor: warning: {file}: unknown key {key:?} is ignored ({})",
            config::codes::UNKNOWN_KEY
        ));
    }
    let ctx = Ctx::new(cfg)?;
    // Every command validates its configuration before it judges anything.
    let validation = validate_for(&ctx.cfg, &cli.command);
    let stop = sends_to_the_gateway(&cli.command)
        && validation
            .iter()
            .any(|c| c.id == "config.host" && c.status == report::Status::Fail);
    let command_name = command_name(&cli.command);
    let mut outcome = if stop {
        // Nothing is sent anywhere on a configuration that is wrong: the report says what.
        Outcome::from(ctx.report(command_name))
    } else if let Some(outcome) = run_offline(&ctx, &cli.command) {
        outcome?
    } else {
        // One thread: every command is I/O-bound and gets its concurrency from joined
        // futures; a worker pool would only add start-up time (measured ~0.4 ms per run).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::internal(format!("runtime: {e}")))?;
        let outcome = runtime.block_on(dispatch(&ctx, cli.command))?;
        // Stop background work (a stalled stream, a slow server) instead of waiting for it.
        runtime.shutdown_background();
        outcome
    };
    finish(&mut outcome.report, &ctx.cfg, validation);
    outcome.report.fill_fixes(&|name| ctx.cfg.placeholder(name));
    let code = if !emit(&ctx, &outcome)? {
        // The reader went away (`| head`): stop quietly, as ripgrep does.
        0
    } else if outcome.report.interrupted() {
        // Stopped by Ctrl-C: the partial report is out, the exit code says "interrupted".
        130
    } else {
        exit_code(outcome.report.verdict(), ctx.cfg.strict)
    };
    // The process exits next: freeing the report and the configuration piece by piece
    // would only cost time (a few hundred frees, ~4 % of a `token` run).
    std::mem::forget(outcome);
    std::mem::forget(ctx);
    Ok(code)
}

/// Run a network command to its end or to Ctrl-C. On Ctrl-C the report says so
/// (`run.interrupted`, exit 130) instead of the process dying by the signal; the checks that
/// ran before live inside the command's future and are not kept (e2e and login keep theirs).
async fn until_interrupted(
    ctx: &Ctx,
    command: &str,
    run: impl std::future::Future<Output = Result<Outcome, Error>>,
) -> Result<Outcome, Error> {
    let started = std::time::Instant::now();
    tokio::select! {
        outcome = run => outcome,
        () = ctrl_c() => {
            let mut report = ctx.report(command);
            report.push(
                report::Check::new(format!("{command}.interrupted"), "The run completed").fail(
                    report::codes::INTERRUPTED,
                    format!(
                        "stopped by Ctrl-C after {:.1} s, before its checks finished; none of them is in this report",
                        started.elapsed().as_secs_f64()
                    ),
                ),
            );
            Ok(report.into())
        }
    }
}

/// Resolves on Ctrl-C; never when the signal cannot be watched.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A URL with `user:password@` is a configuration error (exit 2): APIM takes no Basic
/// credentials there, and c7doctor never sends them anywhere.
fn refuse_credentials_in_urls(cfg: &Config, command: &Command) -> Result<(), Error> {
    if let Some(h) = &cfg.host {
        http::refuse_credentials_in("--host", h)?;
    }
    http::refuse_credentials_in("--authority", &cfg.authority)?;
    match command {
        Command::Discovery(a) => a
            .target
            .as_deref()
            .map_or(Ok(()), |t| http::refuse_credentials_in("discovery", t)),
        Command::Probe(a) => {
            if let Some(t) = &a.target {
                http::refuse_credentials_in("probe", t)?;
            }
            http::refuse_credentials_in("--context7-url", &a.context7_url)
        }
        _ => Ok(()),
    }
}

/// The commands that never touch the network, run without a runtime: building one (its
/// I/O driver, signal pipe and timer) was a quarter of an offline `token` run's system calls.
/// `None`: the command needs the network (or may: `token --verify`).
fn run_offline(ctx: &Ctx, command: &Command) -> Option<Result<Outcome, Error>> {
    use futures_util::FutureExt;
    match command {
        Command::Key(a) => Some(apikey::command(ctx, a)),
        Command::Policy(a) => Some(policy::command(ctx, a)),
        Command::Init(a) => Some(init::command(ctx, a)),
        // Without --verify the token checks await nothing: the future is ready on its first
        // poll. Were it ever not, that is a bug, reported as one instead of hanging.
        Command::Token(a) if !a.verify => {
            Some(token::command(ctx, a).now_or_never().unwrap_or_else(|| {
                Err(Error::internal(
                    "the offline token checks waited on something",
                ))
            }))
        }
        _ => None,
    }
}

async fn dispatch(ctx: &Ctx, command: Command) -> Result<Outcome, Error> {
    match command {
        Command::Token(a) => token::command(ctx, &a).await,
        Command::Discovery(a) => {
            until_interrupted(ctx, "discovery", discovery::command(ctx, &a)).await
        }
        Command::Login(a) => entra::login_command(ctx, &a).await,
        Command::Obo(a) => until_interrupted(ctx, "obo", entra::obo_command(ctx, &a)).await,
        Command::Probe(a) => until_interrupted(ctx, "probe", mcp::command(ctx, &a)).await,
        Command::Apps(a) => apps::command(ctx, &a).await,
        Command::E2e(a) => e2e::command(ctx, &a).await,
        Command::Key(_)
        | Command::Policy(_)
        | Command::Init(_)
        | Command::Explain(_)
        | Command::Completions(_)
        | Command::Man => Err(Error::internal("handled before dispatch")),
    }
}

/// A clap error. A bad value that came from a `C7DOCTOR_*` variable (not the command line)
/// is named by its variable: the user never typed the flag clap would name.
fn clap_error(e: &clap::Error, args: &[OsString]) -> i32 {
    use clap::error::{ContextKind, ContextValue};
    let text = e.render().to_string();
    let from_env = e.get(ContextKind::InvalidArg).and_then(|v| match v {
        ContextValue::String(s) => Some(s.clone()),
        _ => None,
    });
    if let Some(arg) = from_env {
        let long = arg.split_whitespace().next().unwrap_or("").to_string();
        let typed = args.iter().any(|a| {
            a.to_str()
                .is_some_and(|a| a == long || a.starts_with(&format!("{long}=")))
        });
        let var = format!(
            "C7DOCTOR_{}",
            long.trim_start_matches('-')
                .replace('-', "_")
                .to_ascii_uppercase()
        );
        if !typed && long.starts_with("--") && std::env::var_os(&var).is_some() {
            output::stderr_raw(&text.replace(
                &format!("'{arg}'"),
                &format!("{var} (the environment variable for {long})"),
            ));
            return e.exit_code();
        }
    }
    // `--help` into a full disk is exit 2; into a closed pipe a quiet end.
    match e.print() {
        Err(io) if io.kind() != std::io::ErrorKind::BrokenPipe => {
            output::stderr_line(&format!("c7doctor: cannot write the output: {io}"));
            2
        }
        _ => e.exit_code(),
    }
}

/// The name a command's report carries.
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Token(_) => "token",
        Command::Key(_) => "key",
        Command::Discovery(_) => "discovery",
        Command::Login(_) => "login",
        Command::Obo(_) => "obo",
        Command::Probe(_) => "probe",
        Command::Policy(_) => "policy",
        Command::Apps(_) => "apps",
        Command::E2e(_) => "e2e",
        Command::Init(_) => "init",
        Command::Explain(_) => "explain",
        Command::Completions(_) => "completions",
        Command::Man => "man",
    }
}

/// The configuration findings a command is judged with (failures and warnings only: an
/// unset value is each check's own `skip`). A command given its target (`discovery HOST`,
/// `probe HOST`) has that target validated as the gateway host. `e2e` and `init` report
/// the whole validation themselves.
fn validate_for(cfg: &Config, command: &Command) -> Vec<report::Check> {
    let target = match command {
        Command::E2e(_) | Command::Init(_) => return Vec::new(),
        Command::Discovery(a) => a.target.clone(),
        Command::Probe(a) => a.target.clone(),
        _ => None,
    };
    // The Entra flows judge the tenant themselves: `login` accepts the multi-tenant
    // aliases, `obo` names the AADSTS9001023 they would cause.
    let own_tenant_check = matches!(command, Command::Login(_) | Command::Obo(_));
    let mut cfg = cfg.clone();
    if target.is_some() {
        cfg.set_host(target);
    }
    cfg.validate()
        .into_iter()
        .filter(|c| matches!(c.status, report::Status::Fail | report::Status::Warn))
        .filter(|c| !(own_tenant_check && c.id == "config.tenant"))
        .collect()
}

/// Commands that send requests to the gateway stop when the gateway host fails validation
/// (the developer portal, not a URL): nothing they could learn there is about the gateway.
fn sends_to_the_gateway(command: &Command) -> bool {
    matches!(command, Command::Discovery(_) | Command::Probe(_))
}

/// The report as every format shows it: configuration findings first, unique check ids,
/// the command's essential checks declared (for `incomplete`) and its failures ranked.
fn finish(report: &mut Report, cfg: &Config, validation: Vec<report::Check>) {
    let fresh: Vec<report::Check> = validation
        .into_iter()
        .filter(|v| !report.checks.iter().any(|c| c.id == v.id))
        .collect();
    report.checks.splice(0..0, fresh);
    report.unique_ids();
    verdict::settle(report, cfg);
}

/// Render the report and write it where it belongs, scrubbed of every registered secret:
/// the `--out` file (0600, never through a symlink), stdout, and for `--print-token` the
/// report on stderr. `Ok(false)` when the reader of stdout went away (a broken pipe); a
/// full disk is an error (exit 2).
fn emit(ctx: &Ctx, outcome: &Outcome) -> Result<bool, Error> {
    let opts = RenderOptions {
        color: ctx.cfg.color,
        show_pii: ctx.cfg.show_pii,
        verbose: ctx.cfg.verbose > 0,
    };
    let rendered = redact::scrub(&report::render(&outcome.report, ctx.cfg.format, opts));
    if let Some(path) = &ctx.cfg.out {
        files::write_private(path, rendered.as_bytes())
            .map_err(|e| Error::usage(format!("cannot write --out {}: {e}", path.display())))?;
    }
    match &outcome.raw_stdout {
        Some(raw) => {
            // The raw text is the whole of stdout (e.g. a token for a pipe); the report goes to stderr.
            let written = output::stdout(raw.as_bytes())?;
            output::stderr_raw(&rendered);
            Ok(written)
        }
        // `--out` never changes stdout: a script piping `--format json` gets JSON.
        None => output::stdout(rendered.as_bytes()),
    }
}

/// Exit code for a verdict (DESIGN.md §2).
pub fn exit_code(verdict: Verdict, strict: bool) -> i32 {
    match verdict {
        Verdict::Pass => 0,
        Verdict::Warn if strict => 1,
        Verdict::Warn => 0,
        Verdict::Fail => 1,
        Verdict::Incomplete => 4,
    }
}
