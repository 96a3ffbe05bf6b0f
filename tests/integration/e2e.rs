//! Integration tests: `c7doctor e2e` against the simulated gateway (APIM, Entra and a real
//! `rmcp` Context7 behind it), with tokens minted by the simulator: the healthy run end to
//! end, composite faults naming the right first cause, black holes that still end in
//! time, Ctrl-C, bad input and the markdown snapshot (the leak test is the one suite in
//! leaks.rs).

use serde_json::Value;
use std::time::Duration;

use crate::support::sim::{Sim, entra_token};
use crate::support::{Output, Report, Run, fixture, snapshot};

/// `sim.args()` with `--host` replaced.
fn args_with_host(sim: &Sim, host: &str) -> Vec<String> {
    let mut a = sim.args();
    if let Some(i) = a.iter().position(|x| x == "--host") {
        a[i + 1] = host.to_string();
    }
    a
}

/// Run `c7doctor <global> --timeout <t> e2e <extra>` with Entra's waits scaled down and
/// `env` (a variable set to "" is removed).
fn e2e_with(global: Vec<String>, timeout: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut run = Run::new()
        .args(global)
        .args(["--timeout", timeout, "e2e"])
        .args(extra)
        .fast()
        .timeout(Duration::from_secs(30));
    for (k, v) in env {
        run = if v.is_empty() {
            run.env_remove(*k)
        } else {
            run.env(*k, *v)
        };
    }
    run.output()
}

/// `e2e --format json` against `sim` with its client token and the gateway secret.
fn e2e(sim: &Sim, extra: &[&str]) -> Output {
    let token = sim.client_token();
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    e2e_with(
        sim.args(),
        "3",
        &args,
        &[
            ("C7DOCTOR_TOKEN", &token),
            ("C7DOCTOR_GATEWAY_SECRET", entra_token::GATEWAY_SECRET),
        ],
    )
}

fn steps_table(report: &Report) -> &Vec<Value> {
    report.section("e2e.steps")["rows"]
        .as_array()
        .expect("a steps table")
}

#[test]
fn healthy_passes_end_to_end_with_the_real_mcp_server() {
    let sim = Sim::start("healthy");
    let r = e2e(&sim, &[]);
    let doc = r.report();
    assert_eq!(r.code, 0, "{}\n{}", doc, r.stderr);
    assert_eq!(doc["verdict"], "pass", "{}", doc);
    assert!(doc["first_cause"].is_null());
    for (id, want) in [
        ("config.host", "pass"),
        ("discovery.tenant", "pass"),
        ("discovery.endpoint", "pass"),
        ("discovery.challenge", "pass"),
        ("discovery.jwks", "pass"),
        ("e2e.token", "pass"),
        ("token.issuer", "pass"),
        ("token.signature", "pass"),
        ("obo.forecast", "pass"),
        ("obo.exchange", "pass"),
        ("token.backend.audience", "pass"),
        ("token.backend.signature", "pass"),
        ("token.hops", "pass"),
        ("probe.initialize", "pass"),
        ("probe.tools-call", "pass"),
        ("e2e.negative.no-token", "pass"),
        ("e2e.negative.forged-token", "pass"),
    ] {
        assert_eq!(doc.status(id), want, "{id}: {}", doc);
    }
    // The report reads in dependency order.
    let order = [
        "config.host",
        "policy.lint",
        "discovery.tenant",
        "discovery.endpoint",
        "e2e.token",
        "token.decode",
        "obo.exchange",
        "probe.initialize",
        "e2e.negative.forged-token",
    ];
    for pair in order.windows(2) {
        assert!(
            doc.position(pair[0]) < doc.position(pair[1]),
            "{} before {}",
            pair[0],
            pair[1]
        );
    }
    // One steps table row per step, and the displays of every area.
    assert_eq!(steps_table(&doc).len(), 10);
    let sections: Vec<&str> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    for want in ["e2e.steps", "token.hops", "probe.conversation"] {
        assert!(sections.contains(&want), "{sections:?}");
    }
    assert_eq!(doc["context"]["token_source"], "$C7DOCTOR_TOKEN");
    assert!(
        doc["context"]["backend_token"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );

    // The tenant's OIDC document and keys were fetched once for every step that needs
    // them; the request without a token was sent once (discovery) and reused.
    let entra = sim.requests_to("entra");
    let oidc = entra
        .iter()
        .filter(|r| r.path().ends_with("/v2.0/.well-known/openid-configuration"))
        .count();
    let keys = entra
        .iter()
        .filter(|r| r.path().ends_with("/discovery/v2.0/keys"))
        .count();
    assert_eq!((oidc, keys), (1, 1), "{entra:?}");
    let unauthenticated = sim
        .requests_to("gateway")
        .iter()
        .filter(|r| r.method == "POST" && r.path().ends_with("/mcp"))
        .filter(|r| r.header("authorization").is_none())
        .count();
    assert_eq!(unauthenticated, 1);
    // stderr is not a terminal: one plain line per finished step, with its mark.
    let steps: Vec<&str> = r.stderr.lines().filter(|l| l.ends_with(" s)")).collect();
    assert_eq!(steps.len(), 10, "{}", r.stderr);
    assert!(
        steps
            .iter()
            .all(|l| l.starts_with("✓ ") || l.starts_with("- ")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains('\r'), "a redrawn line: {:?}", r.stderr);
}

#[test]
fn other_patterns_skip_what_does_not_apply() {
    let sim = Sim::start("healthy-passthrough");
    let r = e2e(&sim, &[]);
    let doc = r.report();
    assert_eq!(doc["verdict"], "pass", "{}", doc);
    assert!(
        !doc.checks()
            .iter()
            .any(|c| c["id"].as_str().unwrap_or("").starts_with("obo."))
    );
    let obo_row = steps_table(&doc)
        .iter()
        .find(|r| r[0] == "OBO exchange and backend hop")
        .unwrap();
    assert!(
        obo_row[4].as_str().unwrap().contains("not applicable"),
        "{obo_row:?}"
    );
}

#[test]
fn composite_faults_name_the_first_cause() {
    // (profile, first cause's code, codes that must also be reported)
    let cases: &[(&str, &str, &[&str])] = &[
        // A v1 token explains APIM's 401, which explains the tool call never made; the
        // missing challenge is a warning, not the cause.
        (
            "e2e-v1-no-challenge",
            "token.issuer-v1",
            &["mcp.rejected-at-gateway", "discovery.challenge-missing"],
        ),
        ("obo-consent-missing", "entra.consent-required", &[]),
        (
            "e2e-consent-truncated",
            "entra.consent-required",
            &["sse.truncated"],
        ),
        ("sse-truncated-8192", "sse.truncated", &[]),
        ("api-key-invalid", "mcp.api-key-rejected", &[]),
        (
            "e2e-api-key-buffered",
            "mcp.api-key-rejected",
            &["sse.buffered"],
        ),
    ];
    for (profile, first, also) in cases {
        let sim = Sim::start(profile);
        let r = e2e(&sim, &[]);
        let doc = r.report();
        assert_eq!(r.code, 1, "{profile}: {}", doc);
        let (_, code) = doc.first_cause();
        assert_eq!(&code, first, "{profile}: {}", doc);
        for c in *also {
            assert!(doc.has(c), "{profile}: {c} in {}", doc);
        }
    }

    // The ranking says what the first cause explains.
    let sim = Sim::start("e2e-v1-no-challenge");
    let doc = e2e(&sim, &[]).report();
    assert_eq!(doc.first_cause().0, "token.issuer");
    assert_eq!(
        doc.status("probe.tools-call"),
        "skip",
        "the tool call is not made after APIM's 401"
    );
    let causes = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "e2e.causes")
        .expect("a causes section");
    let text = causes["text"].as_str().unwrap();
    let first_line = text.lines().next().unwrap();
    assert!(first_line.starts_with("1. token.issuer"), "{text}");
    assert!(
        text.contains("probe.initialize [mcp.rejected-at-gateway]"),
        "{text}"
    );
    assert!(!text.contains("2. "), "one root cause: {text}");
}

#[test]
fn a_black_hole_at_one_step_ends_in_time_with_every_other_result() {
    // (profile, timeout s, the step's check that times out, checks of other steps that must pass)
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "black-hole",
            "1",
            "discovery.endpoint",
            &["discovery.tenant", "token.signature", "obo.exchange"],
        ),
        (
            "entra-black-hole",
            "1",
            "obo.exchange",
            &["discovery.endpoint", "token.signature", "probe.tools-call"],
        ),
        (
            "sse-stalled",
            "1",
            "probe.tools-call.stream",
            &[
                "discovery.endpoint",
                "obo.exchange",
                "e2e.negative.forged-token",
            ],
        ),
    ];
    for (profile, timeout, stuck, others) in cases {
        let sim = Sim::start(profile);
        let token = sim.client_token();
        let r = e2e_with(
            sim.args(),
            timeout,
            &["--format", "json"],
            &[
                ("C7DOCTOR_TOKEN", &token),
                ("C7DOCTOR_GATEWAY_SECRET", entra_token::GATEWAY_SECRET),
            ],
        );
        let doc = r.report();
        let limit = Duration::from_secs_f64(timeout.parse::<f64>().unwrap() + 2.5);
        assert!(r.elapsed < limit, "{profile}: took {:?}", r.elapsed);
        assert_eq!(doc.status(stuck), "fail", "{profile}: {}", doc);
        for o in *others {
            assert_eq!(doc.status(o), "pass", "{profile}: {o} in {}", doc);
        }
        assert_eq!(steps_table(&doc).len(), 10);
    }
}

#[test]
fn ctrl_c_prints_the_partial_report_and_exits_130() {
    let sim = Sim::start("sse-stalled");
    // Ctrl-C once the stalled tool call is under way (the simulator saw it).
    let out = Run::new()
        .sim(&sim)
        .args(["--timeout", "20", "--format", "json", "e2e"])
        .token(&sim)
        .code(130)
        .interrupt_when(|| {
            sim.requests_to("gateway")
                .iter()
                .any(|r| r.body_text().contains("tools/call"))
        });
    let doc = out.report();
    let int = doc.check("e2e.interrupted");
    assert_eq!(int["code"], "run.interrupted");
    assert!(
        int["evidence"]["running"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "MCP conversation through the gateway"),
        "{int}"
    );
    // The steps that finished are in the report.
    assert_eq!(doc.status("discovery.endpoint"), "pass");
    assert_eq!(doc.status("token.signature"), "pass");
    assert!(!doc.checks().iter().any(|c| c["id"] == "probe.initialize"));
}

#[test]
fn login_signs_in_with_the_device_code_flow() {
    let sim = Sim::start("healthy");
    let r = e2e_with(
        sim.args(),
        "3",
        &["--format", "json", "--login"],
        &[("C7DOCTOR_TOKEN", "")],
    );
    let doc = r.report();
    assert_eq!(doc["verdict"], "pass", "{}\n{}", doc, r.stderr);
    assert_eq!(doc["context"]["token_source"], "device-code sign-in");
    assert_eq!(doc.status("login.sign-in"), "pass");
    assert_eq!(doc.status("probe.tools-call"), "pass");
    // The prompt went to stderr.
    assert!(r.stderr.contains(entra_token::USER_CODE), "{}", r.stderr);

    // A refused sign-in: every token step says why it did not run.
    let sim = Sim::start("device-code-declined");
    let r = e2e_with(
        sim.args(),
        "3",
        &["--format", "json", "--login"],
        &[("C7DOCTOR_TOKEN", "")],
    );
    let doc = r.report();
    assert_eq!(doc.first_cause().1, "entra.declined", "{}", doc);
    for id in ["token.decode", "probe.initialize"] {
        let c = doc.check(id);
        assert_eq!(c["code"], "run.prerequisite-failed", "{id}: {c}");
        assert!(
            c["detail"].as_str().unwrap().contains("login.sign-in"),
            "{c}"
        );
    }
    assert_eq!(doc.status("discovery.endpoint"), "pass");
}

#[test]
fn nothing_configured_skips_every_step_with_the_option_to_set() {
    let r = e2e_with(Vec::new(), "2", &["--format", "json"], &[]);
    let doc = r.report();
    // Nothing checked is not a pass: incomplete, exit 4.
    assert_eq!(r.code, 4, "{}", doc);
    assert_eq!(doc["verdict"], "incomplete");
    assert!(!doc.has("run.prerequisite-failed"), "{}", doc);
    for id in [
        "config.host",
        "policy.lint",
        "e2e.tenant",
        "discovery.endpoint",
        "e2e.token",
        "token.decode",
        "probe.initialize",
        "e2e.negative.forged-token",
    ] {
        let c = doc.check(id);
        assert_eq!(c["status"], "skip", "{id}: {c}");
        assert_eq!(c["code"], "config.missing", "{id}: {c}");
    }
    assert!(
        doc.check("e2e.token")["detail"]
            .as_str()
            .unwrap()
            .contains("--login")
    );
}

#[test]
fn policy_files_are_linted_first() {
    let sim = Sim::start("healthy");
    let policy = fixture("policy/no-token-validation.xml");
    let r = e2e(&sim, &["--policy", policy.to_str().unwrap()]);
    let doc = r.report();
    assert_eq!(doc.first_cause().1, "policy.no-token-validation", "{}", doc);
    assert_eq!(doc.first_cause().0, "policy.token-validation");
    assert!(doc.position("policy.token-validation") < doc.position("discovery.endpoint"));
    assert_eq!(doc.status("probe.tools-call"), "pass", "{}", doc);
    // An unreadable file is a usage error before anything runs.
    let r = e2e(&sim, &["--policy", "/nonexistent/policy.xml"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stdout.is_empty());
}

#[test]
fn bad_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start("healthy");
    let token = sim.client_token();

    // Unknown keys: a warning naming them; the run goes on.
    let cfg = dir.path().join("c7doctor.toml");
    std::fs::write(&cfg, "tenant-idd = \"x\"\napi_path = \"context7\"\n").unwrap();
    let mut global = sim.args();
    global.extend(["--config".into(), cfg.display().to_string()]);
    let r = e2e_with(
        global,
        "3",
        &["--format", "json"],
        &[("C7DOCTOR_TOKEN", &token)],
    );
    let doc = r.report();
    let unknown = doc
        .checks()
        .iter()
        .find(|c| c["code"] == "config.unknown-key")
        .unwrap_or_else(|| panic!("{}", doc));
    assert_eq!(unknown["status"], "warn");
    assert!(unknown["detail"].as_str().unwrap().contains("tenant-idd"));
    assert_eq!(doc.status("probe.tools-call"), "pass");

    // Wrong types: a usage error with the line.
    std::fs::write(&cfg, "host = \"h\"\ntimeout = \"ten\"\n").unwrap();
    let mut global = sim.args();
    global.extend(["--config".into(), cfg.display().to_string()]);
    let r = e2e_with(
        global,
        "3",
        &["--format", "json"],
        &[("C7DOCTOR_TOKEN", &token)],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("line 2"), "{}", r.stderr);

    // A portal host: the configuration is the first cause, nothing is sent there.
    let r = e2e_with(
        args_with_host(&sim, "contoso.portal.azure-api.net"),
        "3",
        &["--format", "json"],
        &[("C7DOCTOR_TOKEN", &token)],
    );
    let doc = r.report();
    assert_eq!(
        doc.first_cause(),
        ("config.host".into(), "config.portal-host".into())
    );
    for id in [
        "discovery.endpoint",
        "probe.initialize",
        "e2e.negative.forged-token",
    ] {
        assert_eq!(doc.check(id)["code"], "run.prerequisite-failed", "{id}");
    }
    assert_eq!(doc.status("token.signature"), "pass");

    // A corporate proxy's HTML login page where the gateway should be.
    let html = html_gateway(&sim);
    let r = e2e_with(
        args_with_host(&sim, &html),
        "3",
        &["--format", "json"],
        &[("C7DOCTOR_TOKEN", &token)],
    );
    let doc = r.report();
    let (id, code) = doc.first_cause();
    assert_eq!(code, "discovery.html-response", "{}", doc);
    assert!(
        doc.check(&id)["detail"]
            .as_str()
            .unwrap()
            .contains("Corporate Web Gateway"),
        "{}",
        doc
    );
}

/// A host that answers every request with a corporate proxy's HTML sign-in page.
fn html_gateway(sim: &Sim) -> String {
    let _guard = sim.handle().enter();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
    let app = axum::Router::new().fallback(|| async {
        (
            [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Corporate Web Gateway - Sign in</title></head>\
             <body><form action=\"/login\"><input name=\"user\"></form></body></html>",
        )
    });
    sim.handle().spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[test]
fn write_config_asks_then_runs_with_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start("healthy");
    let answers = format!(
        "{}\n\nobo\n{}\n{}\n{}\n",
        sim.gateway, sim.tenant_id, sim.gateway_app_id, sim.mcp_app_id
    );
    let doc = Run::new()
        .args(["--authority", &sim.authority, "e2e", "--write-config"])
        .env("C7DOCTOR_TOKEN", sim.client_token())
        .current_dir(dir.path())
        .stdin(answers)
        .timeout(Duration::from_secs(30))
        .report();
    let written = std::fs::read_to_string(dir.path().join("c7doctor.toml")).unwrap();
    assert!(written.contains(&sim.gateway_app_id), "{written}");
    assert_eq!(doc.status("probe.tools-call"), "pass", "{}", doc);
    let host = doc["config"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "host")
        .unwrap();
    assert_eq!(host["source"], "file");
}

#[test]
fn out_file_gets_the_report_and_stdout_the_same() {
    let sim = Sim::start("healthy");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    let token = sim.client_token();
    let r = e2e_with(
        sim.args(),
        "3",
        &["--format", "markdown", "--out", path.to_str().unwrap()],
        &[("C7DOCTOR_TOKEN", &token)],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.starts_with("## c7doctor e2e — PASS"), "{md}");
    assert!(md.contains("### Steps"));
    // --out never changes what stdout holds.
    assert_eq!(r.stdout, md);
}

/// The markdown report of a run with findings, for the ticket: ports, durations, the
/// version and the platform filtered; the clock is fixed.
#[test]
fn markdown_report_snapshot() {
    let sim = Sim::start("e2e-v1-no-challenge");
    let token = sim.client_token();
    let r = e2e_with(
        sim.args(),
        "3",
        &["--format", "markdown"],
        &[
            ("C7DOCTOR_TOKEN", &token),
            ("C7DOCTOR_GATEWAY_SECRET", entra_token::GATEWAY_SECRET),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    let md = &r.stdout;
    snapshot::sim_settings(&sim).bind(|| {
        insta::assert_snapshot!("e2e_markdown_v1_no_challenge", md);
    });
}

// Leaks: the one leak suite (tests/integration/leaks.rs) runs e2e (with a token and the
// secret, and through --login, with --out) in every format, with and without -v.
