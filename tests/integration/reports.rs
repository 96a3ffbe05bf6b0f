//! Integration tests: what every report says first (DESIGN.md §2–3). The verdict
//! `incomplete` and exit 4 when essential checks could not run; `first_cause` in every
//! report; the answer on the first screen of text and markdown (insta snapshots of the
//! first lines, and the markdown rendered as GitHub would, with comrak); machine output that
//! stays machine output; the hop a user holds; the pattern a gateway really has; and the
//! inputs people really have (az JSON, UTF-16, an empty pipe, booleans).

use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;

use crate::support::sim::{Sim, entra_token};
use crate::support::{NOW, Output, Run, fixture, snapshot};

/// The IDs the fixture tokens are minted for (fixtures/tokens/ids.env).
const TENANT: &str = "7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f";
const GATEWAY: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const MCP: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// How many lines a first screen has (a 100×40 terminal, less the prompt).
const SCREEN: usize = 38;

fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<Vec<u8>>) -> Output {
    let mut run = Run::new().args(args).timeout(Duration::from_secs(40));
    for (k, v) in env {
        run = run.env(*k, *v);
    }
    if let Some(input) = stdin {
        run = run.stdin(input);
    }
    run.output()
}

fn ids_args() -> Vec<&'static str> {
    vec![
        "--tenant-id",
        TENANT,
        "--gateway-app-id",
        GATEWAY,
        "--mcp-app-id",
        MCP,
    ]
}

fn token_file(name: &str) -> String {
    fixture(&format!("tokens/{name}")).display().to_string()
}

// ---- incomplete ----

#[test]
fn token_without_configuration_is_incomplete_and_says_what_completes_it() {
    let file = token_file("obo-client-valid.jwt");
    let r = run(&["token", "--token-file", &file, "--at", NOW], &[], None);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "c7doctor token — INCOMPLETE", "{}", r.stdout);
    assert!(
        lines[1].starts_with("checked what needs nothing more"),
        "{}",
        r.stdout
    );
    assert_eq!(
        lines[2],
        "→ to complete it: set --tenant-id, --gateway-app-id and --mcp-app-id, or run c7doctor init",
        "{}",
        r.stdout
    );
    // Every check that needs nothing still ran.
    let j = run(
        &[
            "token",
            "--token-file",
            &file,
            "--at",
            NOW,
            "--format",
            "json",
        ],
        &[],
        None,
    );
    assert_eq!(j.code, 4);
    let doc = j.report();
    assert_eq!(doc["verdict"], "incomplete");
    for id in [
        "token.decode",
        "token.issuer",
        "token.scope",
        "token.expiry",
    ] {
        assert_eq!(doc.check(id)["status"], "pass", "{id}");
    }
    assert_eq!(doc.check("token.audience")["status"], "skip");
    assert_eq!(
        doc["needs"],
        serde_json::json!(["--gateway-app-id", "--mcp-app-id", "--tenant-id"])
    );
    assert_eq!(doc["first_cause"]["check"], "token.audience");
    assert!(
        doc["first_cause"]["fix"]
            .as_str()
            .unwrap()
            .contains("c7doctor init")
    );
}

#[test]
fn the_readme_token_command_gives_a_real_verdict() {
    let file = token_file("obo-client-valid.jwt");
    let mut args = vec!["token", "--token-file", &file, "--at", NOW];
    args.extend(ids_args());
    let r = run(&args, &[], None);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("c7doctor token — PASS\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn probe_and_e2e_with_nothing_configured_are_incomplete() {
    let r = run(&["probe", "--format", "json"], &[], None);
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert_eq!(r.report()["verdict"], "incomplete");
    assert!(r.report()["headline"].as_str().unwrap().contains("--host"));

    let r = run(&["e2e"], &[], None);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let head = r.first_lines(4);
    assert!(head.starts_with("c7doctor e2e — INCOMPLETE\n"), "{head}");
    for need in [
        "--host",
        "--tenant-id",
        "--gateway-app-id",
        "--mcp-app-id",
        "c7doctor init",
        "client token",
    ] {
        assert!(head.contains(need), "{need} not in {head}");
    }
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("e2e_incomplete_text", r.first_lines(SCREEN)));
}

#[test]
fn incomplete_is_exit_4_even_under_strict() {
    let file = token_file("obo-client-valid.jwt");
    let r = run(
        &["token", "--token-file", &file, "--at", NOW, "--strict"],
        &[],
        None,
    );
    assert_eq!(r.code, 4);
}

// ---- the hop a user holds ----

#[test]
fn an_mcp_api_token_sent_to_an_obo_gateway_fails_the_client_hop() {
    let file = token_file("obo-client-mcp-audience.jwt");
    let mut args = vec![
        "token",
        "--token-file",
        &file,
        "--at",
        NOW,
        "--format",
        "json",
    ];
    args.extend(ids_args());
    let r = run(&args, &[], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let doc = r.report();
    assert_eq!(doc["context"]["hop"], "client");
    assert_eq!(
        doc.check("token.audience")["code"],
        "token.audience-other-hop"
    );
    assert_eq!(doc["first_cause"]["code"], "token.audience-other-hop");
    let fix = doc["first_cause"]["fix"].as_str().unwrap();
    assert!(
        fix.contains(&format!("api://{GATEWAY}/Mcp.Gateway.Access")),
        "{fix}"
    );
    // Only an explicit --hop backend checks it as the token APIM forwards.
    let mut args = vec![
        "token",
        "--token-file",
        &file,
        "--at",
        NOW,
        "--format",
        "json",
        "--hop",
        "backend",
    ];
    args.extend(ids_args());
    let doc = run(&args, &[], None).report();
    assert_eq!(doc.check("token.audience")["status"], "pass");
}

#[test]
fn the_hop_is_never_guessed_from_the_token() {
    // An MCP-API token without the app IDs: the client hop of the default pattern wants
    // Mcp.Gateway.Access, and the token's mcp.access is the other hop's scope.
    let file = token_file("obo-client-mcp-audience.jwt");
    let r = run(
        &[
            "token",
            "--token-file",
            &file,
            "--at",
            NOW,
            "--format",
            "json",
        ],
        &[],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    let doc = r.report();
    assert_eq!(doc.check("token.scope")["code"], "token.scope-missing");
    assert_eq!(doc["context"]["hop_guessed"], false);
}

// ---- inputs as people have them ----

fn az_json(token: &str) -> String {
    format!(
        "{{\n  \"accessToken\": \"{token}\",\n  \"expiresOn\": \"2026-11-23 11:00:00.000000\",\n  \"expires_on\": 1795431600,\n  \"subscription\": \"00000000-0000-0000-0000-000000000000\",\n  \"tenant\": \"{TENANT}\",\n  \"tokenType\": \"Bearer\"\n}}\n"
    )
}

fn fixture_token(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("tokens/{name}")))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn az_account_get_access_token_json_is_accepted() {
    let tok = fixture_token("obo-client-valid.jwt");
    let mut args = vec!["token", "--at", NOW, "--format", "json"];
    args.extend(ids_args());
    let r = run(&args, &[], Some(az_json(&tok).into_bytes()));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.report()["verdict"], "pass");
    assert!(!r.stdout.contains(&tok[tok.len() - 20..]), "token echoed");
}

#[test]
fn utf16_token_files_are_accepted() {
    let tok = fixture_token("obo-client-valid.jwt");
    let dir = tempfile::tempdir().unwrap();
    for (name, bom, le) in [
        ("le.txt", [0xFF, 0xFE], true),
        ("be.txt", [0xFE, 0xFF], false),
    ] {
        let mut bytes = bom.to_vec();
        for u in format!("{tok}\r\n").encode_utf16() {
            bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let p = path.display().to_string();
        let mut args = vec!["token", "--token-file", &p, "--at", NOW, "--format", "json"];
        args.extend(ids_args());
        let r = run(&args, &[], None);
        assert_eq!(r.code, 0, "{name}: {}\n{}", r.stdout, r.stderr);
    }
}

#[test]
fn an_empty_pipe_says_the_command_before_it_failed_and_how_to_sign_in() {
    let r = run(&["token", "--format", "json"], &[], Some(b"\n".to_vec()));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let doc = r.report();
    assert_eq!(doc["first_cause"]["code"], "token.malformed");
    let detail = doc["first_cause"]["detail"].as_str().unwrap();
    assert!(detail.contains("stdin was empty"), "{detail}");
    assert!(detail.contains("az login"), "{detail}");
}

#[test]
fn booleans_accept_1_0_true_false_yes_no() {
    // A warning (short lifetime) fails only under strict.
    let file = token_file("short-lifetime.jwt");
    let mut base = vec!["token", "--token-file", &file, "--at", NOW];
    base.extend(ids_args());
    for (v, code) in [
        ("1", 1),
        ("true", 1),
        ("yes", 1),
        ("YES", 1),
        ("0", 0),
        ("false", 0),
        ("no", 0),
    ] {
        let r = run(&base, &[("C7DOCTOR_STRICT", v)], None);
        assert_eq!(
            r.code, code,
            "C7DOCTOR_STRICT={v}: {}\n{}",
            r.stdout, r.stderr
        );
    }
    let r = run(&base, &[("C7DOCTOR_STRICT", "maybe")], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("C7DOCTOR_STRICT"), "{}", r.stderr);
    assert!(!r.stderr.contains("--strict <"), "{}", r.stderr);

    let dir = tempfile::tempdir().unwrap();
    for (text, code) in [
        ("strict = \"yes\"", 1),
        ("strict = 1", 1),
        ("strict = false", 0),
    ] {
        let cfg = dir.path().join("c7doctor.toml");
        std::fs::write(&cfg, format!("{text}\n")).unwrap();
        let p = cfg.display().to_string();
        let mut args = vec!["--config", &p];
        args.extend(base.iter().copied());
        let r = run(&args, &[], None);
        assert_eq!(r.code, code, "{text}: {}\n{}", r.stdout, r.stderr);
    }
    let cfg = dir.path().join("c7doctor.toml");
    std::fs::write(&cfg, "strict = \"sometimes\"\n").unwrap();
    let p = cfg.display().to_string();
    let mut args = vec!["--config", &p];
    args.extend(base.iter().copied());
    let r = run(&args, &[], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("strict"), "{}", r.stderr);
}

#[test]
fn a_bad_value_from_the_environment_names_the_variable() {
    let r = run(&["token", "x.y.z"], &[("C7DOCTOR_FORMAT", "xml")], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("C7DOCTOR_FORMAT"), "{}", r.stderr);
    let r = run(&["token", "x.y.z"], &[("C7DOCTOR_TIMEOUT", "0")], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("must be between 1 and 3600"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("C7DOCTOR_TIMEOUT"), "{}", r.stderr);
}

#[test]
fn every_command_validates_its_configuration_first() {
    let file = token_file("obo-client-valid.jwt");
    let r = run(
        &[
            "token",
            "--token-file",
            &file,
            "--at",
            NOW,
            "--format",
            "json",
            "--tenant-id",
            TENANT,
            "--gateway-app-id",
            "api://gateway",
            "--mcp-app-id",
            MCP,
        ],
        &[],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    let doc = r.report();
    assert_eq!(doc["first_cause"]["check"], "config.gateway_app_id");
    assert_eq!(doc["first_cause"]["code"], "config.invalid");

    // The developer portal is not the gateway: said before anything is sent there.
    let r = run(
        &[
            "discovery",
            "contoso.developer.azure-api.net",
            "--format",
            "json",
        ],
        &[],
        None,
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.report()["first_cause"]["code"], "config.portal-host");
}

// ---- machine output ----

#[test]
fn out_never_changes_stdout_and_json_stays_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = out.display().to_string();
    let file = token_file("expired.jwt");
    let mut args = vec![
        "token",
        "--token-file",
        &file,
        "--format",
        "json",
        "--out",
        &o,
    ];
    args.extend(ids_args());
    let r = run(&args, &[], None);
    assert_eq!(r.code, 1);
    let doc = r.report(); // stdout parses as one JSON document
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc.json, written);
    // Claims keep their JSON types beside the display text.
    let claims = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "token.claims")
        .expect("claims section");
    let exp = claims["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "exp")
        .expect("exp row");
    assert!(exp["value"].is_i64(), "{exp}");
    assert!(exp["text"].as_str().unwrap().contains("T"), "{exp}");
    assert!(doc.check("token.expiry")["evidence"]["exp"].is_i64());
}

fn assert_unique_ids(doc: &Value) {
    let mut seen = HashSet::new();
    for c in doc["checks"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        assert!(seen.insert(id.to_string()), "id {id} repeats");
    }
}

#[test]
fn check_ids_are_unique_in_a_multi_file_policy_report() {
    let a = fixture("policy/secret-inline.xml").display().to_string();
    let b = fixture("policy/no-token-validation.xml")
        .display()
        .to_string();
    let r = run(&["policy", &a, &b, "--format", "json"], &[], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_unique_ids(&r.report());
    // Text: grouped by file, every located finding at file:line:col.
    let t = run(&["policy", &a, &b], &[], None);
    let text = &t.stdout;
    let pa = text.find(&a).expect("first file named");
    let pb = text.find(&b).expect("second file named");
    assert!(pa < pb, "{text}");
    assert!(
        regex_like_location(text),
        "no file:line:col location in:\n{text}"
    );
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("policy_fail_text", t.first_lines(SCREEN)));
}

/// A `<file>.xml:<line>:<col>` somewhere in the text.
fn regex_like_location(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        let parts: Vec<&str> = w.rsplitn(3, ':').collect();
        parts.len() == 3
            && parts[0].chars().all(|c| c.is_ascii_digit())
            && parts[1].chars().all(|c| c.is_ascii_digit())
            && parts[2].ends_with(".xml")
    })
}

// ---- the first screen of each command ----

fn e2e_args(sim: &Sim, format: &str) -> Vec<String> {
    let mut a = sim.args();
    a.extend(["--timeout", "5", "--format", format, "e2e"].map(String::from));
    a
}

fn e2e_run(sim: &Sim, format: &str, extra_env: &[(&str, &str)]) -> Output {
    let token = sim.client_token();
    let args = e2e_args(sim, format);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut env = vec![
        ("C7DOCTOR_TOKEN", token.as_str()),
        ("C7DOCTOR_GATEWAY_SECRET", entra_token::GATEWAY_SECRET),
    ];
    env.extend_from_slice(extra_env);
    run(&argv, &env, None)
}

#[test]
fn a_healthy_e2e_fits_on_one_screen() {
    let sim = Sim::start("healthy");
    let r = e2e_run(&sim, "text", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines.len() <= 40, "{} lines:\n{}", lines.len(), r.stdout);
    assert!(
        lines.iter().all(|l| l.chars().count() <= 100),
        "a line wider than 100 columns:\n{}",
        r.stdout
    );
    assert!(lines[0].starts_with("c7doctor e2e — PASS"));
    snapshot::screen_settings().bind(|| insta::assert_snapshot!("e2e_healthy_text", r.stdout));
    // CI (stderr not a terminal): one line per finished step, with its mark.
    assert!(
        r.stderr.lines().any(|l| l.starts_with("✓ configuration")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("✓ MCP conversation")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failing_e2e_shows_the_cause_and_fix_first_in_text_and_markdown() {
    let sim = Sim::start("e2e-consent-truncated");
    let r = e2e_run(&sim, "text", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let second = r.stdout.lines().nth(2).unwrap_or("");
    assert!(second.contains("Fix this first:"), "{}", r.stdout);
    // Failures are in the non-TTY progress lines too.
    assert!(
        r.stderr.lines().any(|l| l.starts_with("✗ ")),
        "{}",
        r.stderr
    );
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("e2e_fail_text", r.first_lines(SCREEN)));

    let m = e2e_run(&sim, "markdown", &[]);
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("e2e_fail_markdown", m.first_lines(20)));
    assert_markdown_answer_first(&m.stdout);
}

/// Render the ticket as GitHub would (GFM) and check what a reader sees first: the verdict
/// heading, then the first cause with its fix — before any table, and with the passing
/// checks and the configuration folded.
fn assert_markdown_answer_first(md: &str) {
    let mut opts = comrak::Options::default();
    opts.extension.table = true;
    opts.render.r#unsafe = true;
    let html = comrak::markdown_to_html(md, &opts);
    let h2 = html.find("<h2>").expect("a heading");
    let fix_first = html.find("Fix this first").expect("the first cause");
    let fix = html.find("<strong>Fix:</strong>").expect("its fix");
    let first_table = html.find("<table>").unwrap_or(usize::MAX);
    let first_details = html.find("<details>").unwrap_or(usize::MAX);
    assert!(h2 < fix_first && fix_first < fix, "{html}");
    assert!(fix < first_table && fix < first_details, "{html}");
    // No passed check is in the first table: the passes are folded.
    let table_end = html[first_table.min(html.len())..]
        .find("</table>")
        .map(|e| first_table + e)
        .unwrap_or(html.len());
    if first_table != usize::MAX {
        assert!(!html[first_table..table_end].contains("✓"), "{html}");
    }
    let config = html.find("Configuration and where").expect("configuration");
    assert!(
        first_details < config,
        "the configuration is not folded:\n{html}"
    );
}

#[test]
fn first_screens_of_failing_runs() {
    // token
    let file = token_file("issuer-v1.jwt");
    let mut args = vec!["token", "--token-file", &file, "--at", NOW];
    args.extend(ids_args());
    let r = run(&args, &[], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.lines().nth(2).unwrap().contains("Fix this first:"),
        "{}",
        r.stdout
    );
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("token_fail_text", r.first_lines(12)));
    let mut margs = args.clone();
    margs.extend(["--format", "markdown"]);
    let m = run(&margs, &[], None);
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("token_fail_markdown", m.first_lines(12)));
    assert_markdown_answer_first(&m.stdout);

    // key
    let r = run(
        &["key"],
        &[("C7DOCTOR_API_KEY", "{{context7-api-key}}")],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    snapshot::screen_settings().bind(|| insta::assert_snapshot!("key_fail_text", r.first_lines(8)));

    // incomplete token, markdown
    let file = token_file("obo-client-valid.jwt");
    let m = run(
        &[
            "token",
            "--token-file",
            &file,
            "--at",
            NOW,
            "--format",
            "markdown",
        ],
        &[],
        None,
    );
    assert_eq!(m.code, 4);
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("token_incomplete_markdown", m.first_lines(10)));
}

#[test]
fn first_screens_of_failing_network_commands() {
    let sim = Sim::start("prm-missing");
    let mut args = sim.args();
    args.extend(["--timeout", "5", "discovery"].map(String::from));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&argv, &[], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.lines().nth(2).unwrap().contains("Fix this first:"));
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("discovery_fail_text", r.first_lines(10)));

    let sim = Sim::start("gateway-rejects");
    let mut args = sim.args();
    args.extend(["--timeout", "5", "probe"].map(String::from));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let token = sim.client_token();
    let r = run(&argv, &[("C7DOCTOR_TOKEN", token.as_str())], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.lines().nth(2).unwrap().contains("Fix this first:"));
    snapshot::screen_settings()
        .bind(|| insta::assert_snapshot!("probe_fail_text", r.first_lines(10)));

    let sim = Sim::start("obo-consent-missing");
    let mut args = sim.args();
    args.extend(["--timeout", "5", "obo", "--format", "markdown"].map(String::from));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let token = sim.client_token();
    let r = run(
        &argv,
        &[
            ("C7DOCTOR_TOKEN", token.as_str()),
            ("C7DOCTOR_GATEWAY_SECRET", entra_token::GATEWAY_SECRET),
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    // The AADSTS code, trace ID and correlation ID are in the answer, above the fold.
    let head = r.first_lines(12);
    assert!(head.contains("AADSTS65001"), "{head}");
    assert!(head.contains("trace ID"), "{head}");
    assert!(head.contains("correlation ID"), "{head}");
    snapshot::screen_settings().bind(|| insta::assert_snapshot!("obo_fail_markdown", head));

    let sim = Sim::start("public-client-disabled");
    let mut args = sim.args();
    args.extend(["--timeout", "5", "login"].map(String::from));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&argv, &[("C7DOCTOR_TIME_SCALE", "0.001")], None);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let head = r.first_lines(10);
    assert!(head.contains("Fix this first:"), "{head}");
    assert!(head.contains("AADSTS7000218"), "{head}");
    snapshot::screen_settings().bind(|| insta::assert_snapshot!("login_fail_text", head));
}

// ---- the pattern the gateway really has ----

#[test]
fn a_healthy_shared_key_gateway_passes_under_the_default_pattern() {
    let sim = Sim::start("healthy-shared-key");
    let mut args = sim.args();
    let at = args.iter().position(|a| a == "--pattern").unwrap();
    args.drain(at..at + 2); // the user did not say which pattern: obo is the default
    args.extend(["--timeout", "5", "e2e"].map(String::from));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let token = sim.client_token();
    let r = run(&argv, &[("C7DOCTOR_TOKEN", token.as_str())], None);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let head = r.first_lines(3);
    assert!(head.contains("shared-key"), "{head}");
    assert!(
        !r.stdout.contains("Mcp.Gateway.Access"),
        "advice to change a working shared-key gateway:\n{}",
        r.stdout
    );
}

/// The simulator's global options without `--pattern`: the user did not say, obo is the default.
fn args_with_the_default_pattern(sim: &Sim, more: &[&str]) -> Vec<String> {
    let mut args = sim.args();
    let at = args.iter().position(|a| a == "--pattern").unwrap();
    args.drain(at..at + 2);
    args.extend(["--timeout", "5"].map(String::from));
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

#[test]
fn a_shared_key_gateway_is_read_from_its_prm_when_no_token_says_so() {
    // No token, no policy: the scopes the gateway's PRM advertises (mcp.access) say which
    // pattern it has, and discovery is judged by it instead of the default's gateway scope.
    let sim = Sim::start("healthy-shared-key");
    let args = args_with_the_default_pattern(&sim, &["e2e", "--format", "json"]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&argv, &[], None);
    let doc = r.report();
    assert_eq!(doc.verdict(), "incomplete", "{doc}");
    let c = doc.check("config.pattern");
    assert_eq!(c["status"], "info");
    assert_eq!(c["evidence"]["seen"], "shared-key");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("protected resource metadata"),
        "{c}"
    );
    assert!(
        doc["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("Judged as the shared-key pattern"),
        "{doc}"
    );
    assert!(!doc.has("discovery.prm-scope"), "{doc}");
    assert!(
        !r.stdout.contains("Mcp.Gateway.Access"),
        "advice to change a working shared-key gateway:\n{}",
        r.stdout
    );
}

#[test]
fn a_wrong_hop_token_does_not_make_an_obo_gateway_shared_key() {
    // The most common wrong-scope token (a client asked for mcp.access) against a gateway
    // whose PRM advertises Mcp.Gateway.Access: the token is wrong, the gateway is obo.
    let sim = Sim::start("healthy");
    let mcp_token = crate::support::sim::tokens::backend_token(&sim.state).sign();
    let args = args_with_the_default_pattern(&sim, &["probe", "--format", "json"]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&argv, &[("C7DOCTOR_TOKEN", mcp_token.as_str())], None);
    let doc = r.report();
    assert_eq!(doc.verdict(), "fail", "{doc}");
    assert!(doc.find("config.pattern").is_none(), "{doc}");
    assert_eq!(
        doc.check("token.audience")["code"],
        "token.audience-other-hop"
    );
    assert_eq!(doc["context"]["pattern"], "obo");
}

#[test]
fn probe_reads_context7_in_the_pattern_it_detected() {
    // A shared-key gateway under the default obo: "check your API key" is about the key the
    // gateway swaps in, not an unprovisioned user.
    let sim = Sim::start("api-key-invalid");
    let args = args_with_the_default_pattern(&sim, &["probe", "--era", "2025", "--format", "json"]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let token = sim.client_token();
    let r = run(&argv, &[("C7DOCTOR_TOKEN", token.as_str())], None);
    let doc = r.report();
    assert_eq!(
        doc.check("config.pattern")["evidence"]["seen"],
        "shared-key"
    );
    assert_eq!(
        doc.check("probe.tools-call")["code"],
        "mcp.api-key-rejected",
        "{doc}"
    );
}

// ---- help and docs ----

#[test]
fn token_help_is_short_and_headed() {
    let r = run(&["token", "--help"], &[], None);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("\nToken options:\n"), "{}", r.stdout);
    assert!(r.stdout.contains("\nGlobal options:\n"), "{}", r.stdout);
    let token_opts = r.stdout.find("Token options:").unwrap();
    let global = r.stdout.find("Global options:").unwrap();
    assert!(token_opts < global);
    let hop = r.stdout.find("--hop").unwrap();
    assert!(hop < global, "--hop is not under Token options");
    assert!(
        r.stdout.lines().count() <= 80,
        "{} lines",
        r.stdout.lines().count()
    );
}

#[test]
fn the_man_page_names_no_missing_pages() {
    let r = run(&["man"], &[], None);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("c7doctor-token(1)"), "{}", r.stdout);
    assert!(r.stdout.contains("token"));
}

#[test]
fn timeout_bounds_are_named() {
    for t in ["0", "0.5", "3601"] {
        let r = run(&["--timeout", t, "token", "x.y.z"], &[], None);
        assert_eq!(r.code, 2, "{t}");
        assert!(
            r.stderr.contains("must be between 1 and 3600"),
            "{}",
            r.stderr
        );
    }
}

// ---- unreachable: the right thing named ----

#[test]
fn a_refusing_proxy_is_named_with_its_variable() {
    use std::io::{Read, Write};
    // A proxy that refuses every CONNECT.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let proxy = format!("http://{addr}");
    let r = run(
        &[
            "discovery",
            "https://apim-contoso.azure-api.net",
            "--timeout",
            "3",
            "--format",
            "json",
        ],
        &[("HTTPS_PROXY", proxy.as_str())],
        None,
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let doc = r.report();
    assert_eq!(
        doc["first_cause"]["code"], "discovery.unreachable",
        "{doc:#}"
    );
    let detail = doc["first_cause"]["detail"].as_str().unwrap();
    assert!(detail.contains(&proxy), "{detail}");
    assert!(detail.contains("HTTPS_PROXY"), "{detail}");
    assert!(detail.contains("NO_PROXY"), "{detail}");
}
