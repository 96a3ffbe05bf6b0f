//! c7doctor: a doctor for the Context7 MCP server behind Azure API Management with
//! Microsoft Entra ID sign-in. See DESIGN.md for the architecture.
//!
//! `main.rs` only calls [`main_with_args`]. Each diagnostic area (`token`, `apikey`,
//! `discovery`, `entra`, `mcp`, `policy`, `e2e`) produces [`report::Check`]s; `report`
//! renders them; `catalog` says what every finding code means; `http` is the only way out
//! to the network.

pub mod apikey;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod context;
pub mod deployment;
pub mod discovery;
pub mod e2e;
pub mod entra;
pub mod error;
pub mod explain;
pub mod findings;
pub mod http;
pub mod init;
pub mod input;
pub mod mcp;
pub mod policy;
pub mod progress;
pub mod report;
pub mod token;

use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::io::Write;

use cli::{Cli, Command};
use config::Config;
use context::{Ctx, Outcome};
use error::Error;
use report::{RenderOptions, Verdict, redact};

pub use jiff::Timestamp;

/// Run c7doctor with these arguments and return the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> i32 {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match run(cli, &matches) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("c7doctor: {}", redact::scrub(&e.to_string()));
            e.exit_code()
        }
    }
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<i32, Error> {
    // Commands that need no configuration.
    match &cli.command {
        Command::Explain(a) => return explain::command(a.code.as_deref()),
        Command::Completions(a) => {
            let mut cmd = Cli::command();
            clap_complete::generate(a.shell, &mut cmd, "c7doctor", &mut std::io::stdout());
            return Ok(0);
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut buf)
                .map_err(|e| Error::internal(format!("man page: {e}")))?;
            std::io::stdout()
                .write_all(&buf)
                .map_err(|e| Error::internal(e.to_string()))?;
            return Ok(0);
        }
        _ => {}
    }

    let cfg = Config::resolve(&cli.global, matches)?;
    for key in &cfg.unknown_keys {
        let file = cfg
            .file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        eprintln!(
            "c7doctor: warning: {file}: unknown key {key:?} is ignored ({})",
            config::codes::UNKNOWN_KEY
        );
    }
    let ctx = Ctx::new(cfg)?;
    // One thread: every command is I/O-bound and gets its concurrency from joined futures;
    // a worker pool would only add start-up time (measured ~0.4 ms per run).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("runtime: {e}")))?;
    let mut outcome = runtime.block_on(dispatch(&ctx, cli.command))?;
    // Stop background work (a stalled stream, a slow server) instead of waiting for it.
    runtime.shutdown_background();
    outcome.report.fill_fixes(&|name| ctx.cfg.placeholder(name));
    emit(&ctx, &outcome)?;
    // Stopped by Ctrl-C: the partial report is out, the exit code says "interrupted".
    if outcome.report.interrupted() {
        return Ok(130);
    }
    Ok(exit_code(outcome.report.verdict(), ctx.cfg.strict))
}

async fn dispatch(ctx: &Ctx, command: Command) -> Result<Outcome, Error> {
    match command {
        Command::Token(a) => token::command(ctx, &a).await,
        Command::Key(a) => apikey::command(ctx, &a),
        Command::Discovery(a) => discovery::command(ctx, &a).await,
        Command::Login(a) => entra::login_command(ctx, &a).await,
        Command::Obo(a) => entra::obo_command(ctx, &a).await,
        Command::Probe(a) => mcp::command(ctx, &a).await,
        Command::Policy(a) => policy::command(ctx, &a),
        Command::E2e(a) => e2e::command(ctx, &a).await,
        Command::Init(a) => init::command(ctx, &a),
        Command::Explain(_) | Command::Completions(_) | Command::Man => {
            Err(Error::internal("handled before dispatch"))
        }
    }
}

/// Render the report and write it where it belongs, scrubbed of every registered secret.
fn emit(ctx: &Ctx, outcome: &Outcome) -> Result<(), Error> {
    let opts = RenderOptions {
        color: ctx.cfg.color,
        show_pii: ctx.cfg.show_pii,
    };
    let rendered = redact::scrub(&report::render(&outcome.report, ctx.cfg.format, opts));
    if let Some(path) = &ctx.cfg.out {
        std::fs::write(path, &rendered)
            .map_err(|e| Error::usage(format!("cannot write --out {}: {e}", path.display())))?;
    }
    let write_err = |e: std::io::Error| Error::internal(format!("writing output: {e}"));
    match &outcome.raw_stdout {
        Some(raw) => {
            // The raw text is the whole of stdout (e.g. a token for a pipe); the report goes to stderr.
            std::io::stdout()
                .write_all(raw.as_bytes())
                .map_err(write_err)?;
            eprint!("{rendered}");
        }
        None if ctx.cfg.out.is_some() && ctx.cfg.format != report::Format::Text => {
            let text = redact::scrub(&report::render_text(&outcome.report, opts));
            print_ignoring_pipe(&text).map_err(write_err)?;
        }
        None => print_ignoring_pipe(&rendered).map_err(write_err)?,
    }
    Ok(())
}

fn print_ignoring_pipe(text: &str) -> std::io::Result<()> {
    match std::io::stdout().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// Exit code for a verdict (DESIGN.md §2).
pub fn exit_code(verdict: Verdict, strict: bool) -> i32 {
    match verdict {
        Verdict::Pass => 0,
        Verdict::Warn if strict => 1,
        Verdict::Warn => 0,
        Verdict::Fail => 1,
    }
}
