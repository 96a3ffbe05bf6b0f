//! Completeness, one style for every family: each area's file holds a table of rows — a
//! finding code and how to raise it through the real binary (a fixture file and the command
//! line, a simulator profile and the command, or the configuration alone). The tests here
//! run every row and assert its code is in the report, and assert that every declared code
//! has a row (or is expected of a profile by the profile table, `support/expected.rs`, whose
//! per-command tests raise it), that every fixture and profile a row names exists, and that
//! `c7doctor explain CODE` knows every code.
//!
//! Adding a finding: declare it beside its check, then add a row for it to the file of its
//! family below (`token.*` → `token.rs`; `mcp.*` and `sse.*` → `mcp.rs`), or expect it of the
//! profile that raises it in `support/expected.rs`. A new family adds its file and one line
//! to [`areas!`].

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::Duration;

use crate::support::sim::{Ids, Sim, profiles};
use crate::support::{Report, Run, expected, fixture};

/// One code and one way to raise it.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub code: &'static str,
    pub via: Via,
    /// Bytes for stdin (placeholders expanded), or none.
    pub stdin: Option<&'static str>,
}

/// How a row raises its code. In `args` (and `stdin`):
/// - `{fixture}` is the row's fixture file, `{fixtures}` the `fixtures/` directory;
/// - `{ids}` stands for `--tenant-id … --gateway-app-id … --mcp-app-id …` of
///   `fixtures/tokens/ids.env` (a whole argument);
/// - `{secret}` is the simulated gateway app's client secret;
/// - `{graph-refusing}` is the URL of a simulated Microsoft Graph that answers every read
///   with 403 `Authorization_RequestDenied` (`apps --graph`).
#[derive(Debug, Clone, Copy)]
pub enum Via {
    /// A file under `fixtures/` and the whole command line.
    Fixture {
        file: &'static str,
        args: &'static [&'static str],
    },
    /// A simulator profile and the command line run against it: the simulator's global
    /// options come first, `--timeout 3` unless the row sets one, Entra's waits are scaled
    /// down, and the client token (unless the row gives `--token-file`) and the gateway
    /// secret are in the environment.
    Profile {
        name: &'static str,
        args: &'static [&'static str],
    },
    /// As [`Via::Profile`], interrupted with Ctrl-C once the simulator received a
    /// `tools/call`.
    Interrupted {
        name: &'static str,
        args: &'static [&'static str],
    },
    /// The configuration alone raises it: the command line, no fixture or simulator.
    Config { args: &'static [&'static str] },
}

/// `code` raised by `args` on the fixture `file` (a path under `fixtures/`).
pub const fn fixture_row(
    code: &'static str,
    file: &'static str,
    args: &'static [&'static str],
) -> Row {
    Row {
        code,
        via: Via::Fixture { file, args },
        stdin: None,
    }
}

/// `code` raised by `args` against the simulator profile `name`.
pub const fn profile_row(
    code: &'static str,
    name: &'static str,
    args: &'static [&'static str],
) -> Row {
    Row {
        code,
        via: Via::Profile { name, args },
        stdin: None,
    }
}

/// `code` raised by `args` against the profile `name`, interrupted by Ctrl-C.
pub const fn interrupted_row(
    code: &'static str,
    name: &'static str,
    args: &'static [&'static str],
) -> Row {
    Row {
        code,
        via: Via::Interrupted { name, args },
        stdin: None,
    }
}

/// `code` raised by the command line `args` alone.
pub const fn config_row(code: &'static str, args: &'static [&'static str]) -> Row {
    Row {
        code,
        via: Via::Config { args },
        stdin: None,
    }
}

impl Row {
    /// The same row with `input` on stdin.
    pub const fn stdin(self, input: &'static str) -> Row {
        Row {
            stdin: Some(input),
            ..self
        }
    }

    /// How the row raises its code, in one line for messages.
    fn how(&self) -> String {
        match self.via {
            Via::Fixture { file, args } => format!("fixture {file}: {}", args.join(" ")),
            Via::Profile { name, args } => format!("profile {name}: {}", args.join(" ")),
            Via::Interrupted { name, args } => {
                format!("profile {name}, Ctrl-C: {}", args.join(" "))
            }
            Via::Config { args } => format!("config: {}", args.join(" ")),
        }
    }

    /// The row's command line, unexpanded.
    fn args(&self) -> &'static [&'static str] {
        match self.via {
            Via::Fixture { args, .. }
            | Via::Profile { args, .. }
            | Via::Interrupted { args, .. }
            | Via::Config { args } => args,
        }
    }

    /// Run the row through the binary; the report.
    fn run(&self) -> Report {
        let fixture_path = match self.via {
            Via::Fixture { file, .. } => Some(fixture(file)),
            _ => None,
        };
        let refusing = self
            .args()
            .iter()
            .any(|a| a.contains("{graph-refusing}"))
            .then(|| {
                use crate::support::sim::graph::{GraphError, GraphFaults, GraphSim};
                GraphSim::start(GraphFaults {
                    error: Some(GraphError {
                        collection: "*",
                        status: 403,
                        code: "Authorization_RequestDenied",
                        retry_after: None,
                    }),
                    ..GraphFaults::default()
                })
            });
        let expand = |s: &str| {
            let mut s = s.replace("{fixtures}", &fixture("").to_string_lossy());
            if let Some(g) = &refusing {
                s = s.replace("{graph-refusing}", &g.url);
            }
            if let Some(p) = &fixture_path {
                s = s.replace("{fixture}", &p.to_string_lossy());
            }
            s.replace("{secret}", crate::support::sim::entra_token::GATEWAY_SECRET)
        };
        let expand_args = |args: &[&str]| -> Vec<String> {
            let ids = Ids::load();
            args.iter()
                .flat_map(|a| {
                    if *a == "{ids}" {
                        vec![
                            "--tenant-id".into(),
                            ids.tenant_id.clone(),
                            "--gateway-app-id".into(),
                            ids.gateway_app_id.clone(),
                            "--mcp-app-id".into(),
                            ids.mcp_app_id.clone(),
                        ]
                    } else {
                        vec![expand(a)]
                    }
                })
                .collect()
        };
        let stdin = self.stdin.map(expand).unwrap_or_default();
        match self.via {
            Via::Fixture { args, .. } | Via::Config { args } => Run::new()
                .args(expand_args(args))
                .stdin(stdin)
                .timeout(Duration::from_secs(30))
                .report(),
            Via::Profile { name, args } => {
                let sim = Sim::start(name);
                against(&sim, expand_args(args), stdin).report()
            }
            Via::Interrupted { name, args } => {
                let sim = Sim::start(name);
                against(&sim, expand_args(args), stdin)
                    .code(130)
                    .interrupt_when(|| {
                        sim.requests_to("gateway")
                            .iter()
                            .any(|r| r.body_text().contains("tools/call"))
                    })
                    .report()
            }
        }
    }
}

/// A run against `sim` with what its commands need (see [`Via::Profile`]).
fn against(sim: &Sim, args: Vec<String>, stdin: String) -> Run {
    let own_token = args.iter().any(|a| a == "--token-file");
    let run = Run::new()
        .sim(sim)
        .default_arg("--timeout", "3")
        .args(args)
        .fast()
        .secret()
        .stdin(stdin)
        .timeout(Duration::from_secs(60));
    if own_token { run } else { run.token(sim) }
}

/// Run every row; every row whose code did not appear (or whose run failed), with the
/// codes the report had.
fn missed(rows: &[Row]) -> Vec<String> {
    let mut missed = Vec::new();
    for row in rows {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| row.run()));
        match outcome {
            Ok(report) if report.has(row.code) => {}
            Ok(report) => missed.push(format!(
                "{} via {}: not raised; the report had:\n{report}",
                row.code,
                row.how()
            )),
            Err(panic) => missed.push(format!(
                "{} via {}: the run failed: {}",
                row.code,
                row.how(),
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
        }
    }
    missed
}

/// The families whose codes belong in an area's file: its own name (`mcp` also holds
/// `sse`, the stream the MCP conversation runs over).
fn families(area: &str) -> Vec<&str> {
    match area {
        "mcp" => vec!["mcp", "sse"],
        other => vec![other],
    }
}

/// Every area: its name and its rows. One line per area file.
macro_rules! areas {
    ($($area:ident),* $(,)?) => {
        $( mod $area; )*

        const AREAS: &[(&str, &[Row])] = &[$((stringify!($area), $area::ROWS)),*];

        /// Each area's rows raise their codes through the binary.
        mod raised {
            $(
                #[test]
                fn $area() {
                    let missed = super::missed(super::$area::ROWS);
                    assert!(
                        missed.is_empty(),
                        "{} row(s) of coverage/{}.rs did not raise their code:\n{}",
                        missed.len(),
                        stringify!($area),
                        missed.join("\n")
                    );
                }
            )*
        }
    };
}

areas! {
    config,
    run,
    token,
    apikey,
    discovery,
    entra,
    mcp,
    policy,
    apps,
}

/// Every code the binary can report.
fn declared() -> Vec<&'static str> {
    c7doctor::catalog::all().map(|e| e.code).collect()
}

/// Every declared code has a row, in the file of its family, or is expected of a profile by
/// the profile table; every row and every code the table expects names a declared code (a
/// misspelt row would never be satisfied by a report).
#[test]
fn every_declared_code_has_a_row_in_its_areas_file() {
    let declared = declared();
    let by_profile = expected::codes();
    let mut problems = Vec::new();
    for (code, profile, command) in &by_profile {
        if !declared.contains(code) {
            problems.push(format!(
                "support/expected.rs: {profile} ({command}) expects {code}, which is not a declared code"
            ));
        }
    }
    for code in &declared {
        if by_profile.iter().any(|(c, _, _)| c == code) {
            continue;
        }
        let family = code.split('.').next().unwrap_or("");
        let home: Vec<&str> = AREAS
            .iter()
            .filter(|(area, _)| families(area).contains(&family))
            .map(|(area, _)| *area)
            .collect();
        let rows = AREAS
            .iter()
            .filter(|(_, rows)| rows.iter().any(|r| r.code == *code))
            .count();
        if rows == 0 {
            problems.push(match home.first() {
                Some(area) => format!(
                    "{code}: no row (add one to coverage/{area}.rs, or expect it of its profile in support/expected.rs)"
                ),
                None => format!("{code}: no row, and no coverage/ file for the {family} family"),
            });
        }
    }
    for (area, rows) in AREAS {
        for row in *rows {
            if !declared.contains(&row.code) {
                problems.push(format!(
                    "coverage/{area}.rs: {} is not a declared code",
                    row.code
                ));
            }
            let family = row.code.split('.').next().unwrap_or("");
            if !families(area).contains(&family) {
                problems.push(format!(
                    "coverage/{area}.rs: {} belongs in the file of the {family} family",
                    row.code
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every fixture and profile a row names exists, and the profile table names each profile
/// of the simulator once at most.
#[test]
fn every_row_names_a_fixture_or_profile_that_exists() {
    let mut problems = Vec::new();
    for (k, e) in expected::PROFILES.iter().enumerate() {
        if !profiles::NAMES.contains(&e.profile) {
            problems.push(format!(
                "support/expected.rs: no simulator profile {}",
                e.profile
            ));
        }
        if expected::PROFILES[..k]
            .iter()
            .any(|o| o.profile == e.profile)
        {
            problems.push(format!("support/expected.rs: {} has two rows", e.profile));
        }
        if e.discovery.is_none() && e.probe.is_none() {
            problems.push(format!(
                "support/expected.rs: {} expects nothing of any command",
                e.profile
            ));
        }
    }
    for (area, rows) in AREAS {
        for row in *rows {
            match row.via {
                Via::Fixture { file, args } => {
                    if !fixture(file).is_file() {
                        problems.push(format!(
                            "coverage/{area}.rs: {}: no fixtures/{file}",
                            row.code
                        ));
                    }
                    if !args.contains(&"{fixture}") {
                        problems.push(format!(
                            "coverage/{area}.rs: {}: the command line does not use {{fixture}} ({file})",
                            row.code
                        ));
                    }
                }
                Via::Profile { name, .. } | Via::Interrupted { name, .. } => {
                    if !profiles::NAMES.contains(&name) {
                        problems.push(format!(
                            "coverage/{area}.rs: {}: no simulator profile {name}",
                            row.code
                        ));
                    }
                }
                Via::Config { .. } => {}
            }
            // Fixtures named inside the command line exist too.
            let args = match row.via {
                Via::Fixture { args, .. }
                | Via::Profile { args, .. }
                | Via::Interrupted { args, .. }
                | Via::Config { args } => args,
            };
            for a in args {
                if let Some(rel) = a.strip_prefix("{fixtures}/")
                    && !Path::new(&fixture(rel)).exists()
                {
                    problems.push(format!(
                        "coverage/{area}.rs: {}: no fixtures/{rel}",
                        row.code
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `c7doctor explain CODE` prints every declared code's entry.
#[test]
fn every_declared_code_has_an_explain_entry() {
    let mut problems = Vec::new();
    for code in declared() {
        let out = Run::new().args(["explain", code]).output();
        if out.code != 0 || !out.stdout.starts_with(&format!("{code} — ")) {
            problems.push(format!("explain {code}: {out}"));
        } else {
            for part in ["Cause: ", "Fix: "] {
                if !out.stdout.contains(part) {
                    problems.push(format!("explain {code}: no {part:?}:\n{}", out.stdout));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
