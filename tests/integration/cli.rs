//! Integration tests: the command line itself (help, version, explain, completions,
//! usage errors, configuration precedence) and the three renderers on a hand-built report
//! (insta snapshots, `support::snapshot`).

use c7doctor::report::{
    Check, ConfigEntry, Field, Format, RenderOptions, Report, Section, Source, render,
};
use predicates::prelude::*;
use serde_json::Value;

use crate::support::{NOW, Run, c7doctor, snapshot};

const KEY: &str = "ctx7sk-0123456789abcdefWXYZ";

// ---- help, version, completions, usage errors ----

#[test]
fn help_mentions_every_command() {
    let out = c7doctor().arg("--help").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for cmd in [
        "token",
        "key",
        "discovery",
        "login",
        "obo",
        "probe",
        "policy",
        "e2e",
        "explain",
        "completions",
    ] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(&format!("{cmd} "))),
            "--help does not list {cmd}:\n{text}"
        );
    }
}

#[test]
fn version_prints_the_crate_version() {
    c7doctor()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn completions_bash_names_the_binary() {
    c7doctor()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("c7doctor"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    c7doctor()
        .args(["token", "--no-such-flag"])
        .assert()
        .code(2);
    c7doctor().arg("--no-such-flag").assert().code(2);
}

// ---- explain ----

#[test]
fn explain_prints_cause_fix_and_guide_section() {
    c7doctor()
        .args(["explain", "token.issuer-v1"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("token.issuer-v1 — "))
        .stdout(predicate::str::contains("Cause: "))
        .stdout(predicate::str::contains("requestedAccessTokenVersion"))
        .stdout(predicate::str::contains("Fix: "))
        .stdout(predicate::str::contains(
            "See:   guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
        ));
}

#[test]
fn explain_finds_the_code_for_an_aadsts_number() {
    for q in ["AADSTS65001", "aadsts65001", "65001"] {
        c7doctor()
            .args(["explain", q])
            .assert()
            .success()
            .stdout(predicate::str::starts_with("entra.consent-required"));
    }
    c7doctor()
        .args(["explain", "AADSTS9999999"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("entra.unknown-error"));
}

#[test]
fn explain_unknown_code_exits_2_with_suggestions() {
    c7doctor()
        .args(["explain", "nonsense"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("c7doctor explain"));
    c7doctor()
        .args(["explain", "token.expird"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("token.expired"));
}

#[test]
fn explain_without_code_lists_every_code_by_family() {
    let out = c7doctor().arg("explain").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for e in c7doctor::catalog::all() {
        assert!(text.contains(e.code), "{} not listed", e.code);
    }
    let fam = |f: &str| text.find(&format!("\n{f} — ")).unwrap_or(usize::MAX);
    assert!(fam("token") < fam("entra") && fam("entra") < fam("policy"));
}

// ---- configuration precedence: flag > env > file > default ----

#[test]
fn config_precedence_is_visible_in_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("c7doctor.toml");
    std::fs::write(
        &file,
        "api_path = \"from-file\"\n\
         tenant_id = \"11111111-1111-1111-1111-111111111111\"\n\
         timeout = 7\n\
         mcp_app_id = \"33333333-3333-3333-3333-333333333333\"\n",
    )
    .expect("write config");

    let out = Run::new()
        .env("C7DOCTOR_API_KEY", KEY)
        .env("C7DOCTOR_API_PATH", "from-env")
        .env("C7DOCTOR_TIMEOUT", "5")
        .env(
            "C7DOCTOR_GATEWAY_APP_ID",
            "22222222-2222-2222-2222-222222222222",
        )
        .arg("--config")
        .arg(&file)
        .args(["key", "--format", "json", "--timeout", "3"])
        .code(0)
        .output();
    let doc = out.report();
    let config = doc["config"].as_array().expect("config entries");
    let entry = |name: &str| {
        config
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no config entry {name}: {config:?}"))
    };
    // flag beats env beats file
    assert_eq!(entry("timeout")["source"], "flag");
    assert_eq!(entry("timeout")["value"], "3s");
    // env beats file
    assert_eq!(entry("api_path")["source"], "env");
    assert_eq!(entry("api_path")["value"], "from-env");
    assert_eq!(entry("gateway_app_id")["source"], "env");
    // file beats default
    assert_eq!(entry("tenant_id")["source"], "file");
    assert_eq!(entry("mcp_app_id")["source"], "file");
    assert_eq!(
        entry("mcp_app_id")["value"],
        "33333333-3333-3333-3333-333333333333"
    );
    // default
    assert_eq!(entry("pattern")["source"], "default");
    assert_eq!(entry("pattern")["value"], "obo");
    assert_eq!(
        entry("authority")["value"],
        "https://login.microsoftonline.com"
    );
    // the key itself never appears whole
    assert!(!out.stdout.contains(KEY));
}

#[test]
fn global_options_work_before_and_after_the_command() {
    for args in [
        &["--format", "json", "key"][..],
        &["key", "--format", "json"][..],
    ] {
        let doc = Run::new()
            .env("C7DOCTOR_API_KEY", KEY)
            .args(args)
            .code(0)
            .report();
        assert_eq!(doc["schema"], "c7doctor.report.v1", "{args:?}");
        assert_eq!(doc["command"], "key");
    }
}

/// Where a global option was given decides its value and its reported source, whether the
/// command name comes first (the top level is then built without the global options) or
/// an option does.
#[test]
fn a_global_option_counts_from_where_it_was_given() {
    const ENV_ID: &str = "44444444-4444-4444-4444-444444444444";
    // (arguments, with C7DOCTOR_TENANT_ID set, expected api_path and its source, expected
    // tenant_id source)
    let cases: [(&[&str], bool, &str, &str, &str); 7] = [
        (
            &["key", "--api-path", "after"],
            false,
            "after",
            "flag",
            "default",
        ),
        (
            &["--api-path", "before", "key"],
            false,
            "before",
            "flag",
            "default",
        ),
        (
            &["--api-path", "before", "key", "--api-path", "after"],
            false,
            "after",
            "flag",
            "default",
        ),
        (&["key"], true, "context7", "default", "env"),
        (
            &["--format", "json", "key"],
            true,
            "context7",
            "default",
            "env",
        ),
        (
            &["key", "--tenant-id", "55555555-5555-5555-5555-555555555555"],
            true,
            "context7",
            "default",
            "flag",
        ),
        (
            &["--tenant-id", "55555555-5555-5555-5555-555555555555", "key"],
            true,
            "context7",
            "default",
            "flag",
        ),
    ];
    for (args, env_tenant, api_path, api_path_source, tenant_source) in cases {
        let mut run = Run::new().env("C7DOCTOR_API_KEY", KEY);
        if env_tenant {
            run = run.env("C7DOCTOR_TENANT_ID", ENV_ID);
        }
        let doc = run.args(args).args(["--format", "json"]).code(0).report();
        let config = doc["config"].as_array().expect("config entries");
        let entry = |name: &str| {
            config
                .iter()
                .find(|e| e["name"] == name)
                .unwrap_or_else(|| panic!("no config entry {name}: {config:?}"))
                .clone()
        };
        assert_eq!(entry("api_path")["value"], api_path, "{args:?}");
        assert_eq!(entry("api_path")["source"], api_path_source, "{args:?}");
        let tenant = entry("tenant_id");
        assert_eq!(tenant["source"], tenant_source, "{args:?}");
        if tenant_source == "flag" {
            assert_eq!(tenant["value"], "55555555-5555-5555-5555-555555555555");
        }
    }
}

// ---- renderers on a hand-built report ----

fn sample_report() -> Report {
    let mut r = Report::new("token");
    r.context("pattern", "obo");
    r.context("host", "https://apim-demo.azure-api.net");
    r.context("token", "sha256:3f9a0c1d2e4b");
    r.config = vec![
        ConfigEntry {
            name: "host".into(),
            value: "https://apim-demo.azure-api.net".into(),
            source: Source::Flag,
        },
        ConfigEntry {
            name: "tenant_id".into(),
            value: "11111111-1111-1111-1111-111111111111".into(),
            source: Source::Env,
        },
        ConfigEntry {
            name: "api_path".into(),
            value: "context7".into(),
            source: Source::File,
        },
        ConfigEntry {
            name: "pattern".into(),
            value: "obo".into(),
            source: Source::Default,
        },
    ];
    r.generated_at = NOW.into();
    r.push(Check::new("token.decode", "Token is a JWT access token").pass("RS256, kid abc"));
    r.push(
        Check::new("token.issuer", "Issuer is the tenant's v2.0 endpoint")
            .fail(
                code("token.issuer-v1"),
                "iss is https://sts.windows.net/<tid>/ — a v1.0 token",
            )
            .evidence(
                "iss",
                "https://sts.windows.net/11111111-1111-1111-1111-111111111111/",
            )
            .evidence("ver", "1.0")
            .evidence("upn", "ada@contoso.example"),
    );
    r.push(
        Check::new("token.lifetime", "Lifetime covers the OBO cache")
            .warn(
                code("token.short-lifetime"),
                "lifetime 1800 s is shorter than 3000 s | cache",
            )
            .evidence("lifetime_s", 1800),
    );
    r.push(
        Check::new(
            "token.signature",
            "Signature verifies with the tenant's keys",
        )
        .skip(code("config.missing"), "set --tenant-id to check this"),
    );
    r.push(
        Check::new("token.keys", "Signing keys were available")
            .info(code("token.signature-unchecked"), "offline"),
    );
    r.sections.push(Section::fields(
        "claims",
        "Decoded claims",
        vec![
            Field::new("aud", "22222222-2222-2222-2222-222222222222"),
            Field::new("scp", "Mcp.Gateway.Access"),
            Field::pii("name", "Ada Lovelace"),
            Field::pii("upn", "ada@contoso.example"),
        ],
    ));
    r.sections.push(Section::table(
        "hops",
        "Hops",
        vec!["hop".into(), "aud".into(), "scp".into()],
        vec![
            vec![
                "client".into(),
                "gateway app".into(),
                "Mcp.Gateway.Access".into(),
            ],
            vec![
                "backend".into(),
                "mcp api | app".into(),
                "mcp.access".into(),
            ],
        ],
    ));
    r.sections.push(Section::code(
        "snippet",
        "Policy snippet",
        "xml",
        "<audiences>\n  <audience>{{apim-gateway-app-id}}</audience>\n</audiences>",
    ));
    r.sections.push(Section::text(
        "next",
        "Next steps",
        "Fix the issuer first.\n\nThen run `c7doctor e2e`.",
    ));
    r.first_cause = Some("token.issuer".into());
    r
}

const PLAIN: RenderOptions = RenderOptions {
    color: false,
    show_pii: false,
    verbose: false,
};

#[test]
fn snapshot_text_report() {
    let out = render(&sample_report(), Format::Text, PLAIN);
    snapshot::settings().bind(|| insta::assert_snapshot!("render_text", out));
}

#[test]
fn snapshot_markdown_report() {
    let out = render(&sample_report(), Format::Markdown, PLAIN);
    snapshot::settings().bind(|| insta::assert_snapshot!("render_markdown", out));
}

#[test]
fn snapshot_json_report() {
    let out = render(&sample_report(), Format::Json, PLAIN);
    let doc: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(doc["verdict"], "fail");
    assert_eq!(doc["summary"]["fail"], 1);
    snapshot::settings().bind(|| insta::assert_snapshot!("render_json", out));
}

#[test]
fn text_colour_only_when_asked() {
    let report = sample_report();
    let plain = render(&report, Format::Text, PLAIN);
    assert!(!plain.contains('\x1b'), "colour without --color");
    let coloured = render(
        &report,
        Format::Text,
        RenderOptions {
            color: true,
            show_pii: false,
            verbose: false,
        },
    );
    assert!(coloured.contains("\x1b["), "no colour with color: true");
    // Rendering with colour must not switch it on for the next plain render.
    assert!(!render(&report, Format::Text, PLAIN).contains('\x1b'));
}

#[test]
fn text_report_gives_the_answer_first() {
    let out = render(&sample_report(), Format::Text, PLAIN);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "c7doctor token — FAIL", "{out}");
    assert_eq!(lines[1], "1 check failed — one cause to fix first", "{out}");
    assert_eq!(
        lines[2], "✗ Fix this first: Issuer is the tenant's v2.0 endpoint [token.issuer-v1]",
        "{out}"
    );
    assert!(lines[3].contains("a v1.0 token"), "{out}");
    assert!(lines[4].starts_with("  → fix: "), "{out}");
    // then the other findings, each with its fix …
    let warn = out
        .find("! Lifetime covers the OBO cache [token.short-lifetime]")
        .expect("the warning");
    assert!(warn > out.find("Fix this first").unwrap());
    assert!(out.contains("see: guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM"));
    // … then the rest folded to one line per area, every check with -v.
    assert!(
        out.contains("  ✓ token: 1 passed, 1 info, 1 skipped — not run: token.signature"),
        "{out}"
    );
    assert!(!out.contains("✓ Token is a JWT access token"), "{out}");
    let verbose = render(
        &sample_report(),
        Format::Text,
        RenderOptions {
            verbose: true,
            ..PLAIN
        },
    );
    assert!(
        verbose.contains("✓ Token is a JWT access token"),
        "{verbose}"
    );
    assert!(verbose.contains("- Signature verifies with the tenant's keys [config.missing]"));
    assert!(verbose.contains("• Signing keys were available [token.signature-unchecked]"));
    assert!(out.ends_with("1 failed, 1 warning, 1 passed, 1 info, 1 skipped — verdict: fail\n"));
    // text shows pii fields as they are (it is the user's own terminal)
    assert!(out.contains("Ada Lovelace"));
}

#[test]
fn markdown_masks_pii_unless_show_pii() {
    let report = sample_report();
    let masked = render(&report, Format::Markdown, PLAIN);
    assert!(
        !masked.contains("Ada Lovelace"),
        "pii field shown:\n{masked}"
    );
    assert!(
        !masked.contains("ada@contoso.example"),
        "pii field or evidence shown:\n{masked}"
    );
    assert!(masked.contains(c7doctor::report::redact::PII_MASK));
    // non-personal values stay
    assert!(masked.contains("Mcp.Gateway.Access"));
    assert!(masked.contains("https://sts.windows.net/11111111-1111-1111-1111-111111111111/"));

    let shown = render(
        &report,
        Format::Markdown,
        RenderOptions {
            color: false,
            show_pii: true,
            verbose: false,
        },
    );
    assert!(shown.contains("Ada Lovelace"));
    assert!(shown.contains("\"upn\": \"ada@contoso.example\""));
}

#[test]
fn markdown_is_ticket_shaped() {
    let out = render(&sample_report(), Format::Markdown, PLAIN);
    assert!(out.starts_with("## c7doctor token — FAIL\n"));
    // The answer before anything else: the first cause, its fix, then the other findings.
    let first = out.find("**Fix this first:**").expect("first cause");
    let fix = out.find("**Fix:**").expect("its fix");
    let also = out
        .find("### Also failed or warned")
        .expect("other findings");
    let meta = out
        .find(&format!(
            "{}/{}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ))
        .expect("the platform");
    assert!(first < fix && fix < also && also < meta, "{out}");
    assert!(out.contains(NOW));
    // The configuration, with where each value came from, folded.
    let config = out.find("| name | value | source |").expect("config table");
    assert!(
        out[..config].contains("<details><summary>Configuration"),
        "{out}"
    );
    assert!(out.contains("| tenant_id | `11111111-1111-1111-1111-111111111111` | env |"));
    // one <details> per non-pass check with the catalog's cause, plus the folds
    // (configuration, passed and skipped)
    assert_eq!(out.matches("<details>").count(), 6, "{out}");
    assert_eq!(out.matches("</details>").count(), 6);
    assert!(
        out.contains(
            c7doctor::catalog::get("token.issuer-v1")
                .unwrap()
                .cause
                .split('`')
                .next()
                .unwrap()
        )
    );
    // placeholders survive GitHub's HTML sanitiser, pipes don't break the table
    assert!(out.contains("https://sts.windows.net/&lt;tid&gt;/"));
    assert!(out.contains("3000 s \\| cache"));
    assert!(out.contains("mcp api \\| app"));
    // every table row has as many cells as its header
    for block in out.split("\n\n").filter(|b| b.starts_with("| ")) {
        let counts: Vec<usize> = block
            .lines()
            .map(|l| l.replace("\\|", "").matches('|').count())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] == w[1]),
            "ragged table:\n{block}"
        );
    }
}

/// A declared code by its string (tests build reports through the library API).
fn code(s: &str) -> c7doctor::findings::Code {
    c7doctor::catalog::get(s).unwrap_or_else(|| panic!("{s} is not declared"))
}

/// The README's set-up is two commands on a fresh machine: c7doctor's main job on a fixture
/// token (offline, no configuration beyond its flags, no test clock in the environment), and
/// the test suite — the command `.ci/run` calls. Both are read from the README, so the
/// README cannot drift from what works.
#[test]
fn the_readme_quick_start_commands_work_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Quick start"))
        .expect("README has a Quick start section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("Quick start has a sh block");
    let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 2, "two set-up commands: {lines:?}");
    let args = lines[0]
        .strip_prefix("cargo run -- ")
        .or_else(|| lines[0].strip_prefix("cargo run --release -- "))
        .expect("the first command runs c7doctor through cargo");
    let out = c7doctor()
        .env_remove("C7DOCTOR_NOW")
        .current_dir(root)
        .args(args.split_whitespace())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("c7doctor token — PASS"), "{stdout}");
    // The second is the test command, and CI runs exactly it.
    assert_eq!(lines[1].trim(), "cargo test");
    let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim().starts_with("cargo test")),
        ".ci/run calls the README's test command"
    );
}

// ---- the process around the report ----

/// A standard command for the process tests below: `key` with a valid key in the
/// environment, which passes (exit 0) and writes a JSON report.
fn key_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("c7doctor"));
    cmd.env_clear()
        .env("C7DOCTOR_NOW", NOW)
        .env("C7DOCTOR_API_KEY", KEY)
        .args(["key", "--format", "json"])
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// A reader that has gone away (`c7doctor … | head`, closed first) is a write c7doctor
/// stops, not a SIGPIPE that kills it before it sets its exit code.
#[test]
fn a_reader_that_has_gone_away_leaves_the_exit_code_alone() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let status = key_process()
        .stdout(writer)
        .status()
        .expect("c7doctor runs");
    assert_eq!(status.code(), Some(0), "{status:?}");
}

/// With stderr closed, what `init` says after writing its file stays out of the file (a
/// closed standard descriptor is opened on /dev/null at start, as the standard library's
/// start-up does, so no file c7doctor opens takes its number).
#[test]
fn a_closed_stderr_is_not_taken_by_the_file_init_writes() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("c7doctor.toml");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("c7doctor"));
    cmd.env_clear()
        .args([
            "init",
            "--tenant-id",
            "7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f",
            "--path",
        ])
        .arg(&file)
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    // SAFETY: close(2) is async-signal-safe, as pre_exec requires.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(2);
            Ok(())
        });
    }
    let status = cmd.status().expect("c7doctor runs");
    assert_eq!(status.code(), Some(0), "{status:?}");
    let written = std::fs::read_to_string(&file).expect("init wrote the file");
    assert!(!written.contains("c7doctor init:"), "{written}");
    let parsed: toml::Table = toml::from_str(&written).expect("still TOML");
    assert_eq!(
        parsed["tenant_id"].as_str(),
        Some("7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f")
    );
}
