//! Integration tests: `c7doctor probe` against the simulated gateway, with a real `rmcp`
//! Context7 4.x behind it. Every simulator profile of the MCP conversation is a row of the
//! profile table ([`crate::support::expected`]), and every row runs in both protocol eras
//! (`--era 2025`: the initialize handshake, `--era 2026`: server/discover and the 2026-07-28
//! headers): what a client of each era gets through the gateway. The tests after that cover
//! what is not one profile's answer.

use serde_json::Value;
use std::time::{Duration, Instant};

use crate::support::expected::{self, Gets, is_status};
use crate::support::sim::Sim;
use crate::support::sim::profiles::{Profile, profile};
use crate::support::{Report, Run};

/// `probe` against a simulator with the client token and `--timeout 3` (unless `extra` sets
/// one); the report, its exit code checked against the verdict.
fn probe(sim: &Sim, extra: &[&str]) -> Report {
    probe_env(sim, extra, &[])
}

fn probe_env(sim: &Sim, extra: &[&str], env: &[(&str, &str)]) -> Report {
    let mut run = Run::new()
        .sim(sim)
        .default_arg("--timeout", "3")
        .arg("probe")
        .args(extra)
        .token(sim);
    for (k, v) in env {
        run = run.env(*k, *v);
    }
    run.report()
}

/// One era: the first request's step name and the `--era` value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Era {
    E2025,
    E2026,
}

impl Era {
    fn flag(self) -> &'static str {
        match self {
            Era::E2025 => "2025",
            Era::E2026 => "2026",
        }
    }
    /// `first` names the era's first request: initialize or server/discover.
    fn step(self, step: &str) -> String {
        let step = match (step, self) {
            ("first", Era::E2025) => "initialize",
            ("first", Era::E2026) => "discover",
            (s, _) => s,
        };
        format!("probe.{step}")
    }
}

fn assert_era(profile: &str, era: Era, e: &Gets, r: &Report) {
    let ctx = || format!("{profile} --era {}:\n{r}", era.flag());
    for (step, want) in e.steps {
        let c = r
            .find(&era.step(step))
            .unwrap_or_else(|| panic!("no {step}: {}", ctx()));
        if is_status(want) {
            assert_eq!(c["status"], *want, "{step}: {}", ctx());
        } else {
            assert_eq!(c["code"], *want, "{step}: {}", ctx());
        }
    }
    if let Some(code) = e.code {
        let c = r
            .with_code(code)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no {code}: {}", ctx()));
        if let Some(n) = e.cut_at {
            assert_eq!(c["evidence"]["cut_at"], n, "{}", ctx());
            assert_eq!(
                c["evidence"]["round_size"],
                n.is_power_of_two(),
                "{}",
                ctx()
            );
        }
    }
    if let Some(x) = e.exit {
        assert_eq!(r.code, x, "exit: {}", ctx());
    }
    assert_eq!(r["command"], "probe");
}

/// Every probe row of the profile table, as a client of `era`.
fn run_rows(era: Era) {
    for (name, row) in expected::probe_rows() {
        let sim = Sim::start(name);
        let mut args = vec!["--era", era.flag()];
        args.extend_from_slice(row.args);
        let r = probe(&sim, &args);
        let gets = match era {
            Era::E2025 => &row.e2025,
            Era::E2026 => &row.e2026,
        };
        assert_era(name, era, gets, &r);
        // Nothing went to the other host (a redirect is data, not a destination).
        assert!(
            sim.requests_to("elsewhere").is_empty(),
            "{name}: a request went to another host"
        );
    }
}

#[test]
fn every_profile_as_a_2025_era_client() {
    run_rows(Era::E2025);
}

#[test]
fn every_profile_as_a_2026_era_client() {
    run_rows(Era::E2026);
}

#[test]
fn healthy_speaks_both_eras_with_the_whole_conversation_shown() {
    let sim = Sim::start("healthy");
    let r = probe(&sim, &["--query-docs"]);
    assert_eq!(r["verdict"], "pass", "{}", r);
    assert_eq!(r.code, 0);
    for id in [
        "probe.target",
        "probe.eras",
        "probe.initialize",
        "probe.initialize.stream",
        "probe.initialized",
        "probe.tools-list",
        "probe.tools-call",
        "probe.tools-call.stream",
        "probe.query-docs",
        "probe.get",
        "probe.2026.discover",
        "probe.2026.tools-list",
        "probe.2026.tools-call",
        "probe.2026.tools-call.stream",
        "probe.2026.query-docs",
    ] {
        assert_eq!(r.check(id)["status"], "pass", "{id}: {}", r);
    }
    // A real rmcp server answered: Context7, stateless; SSE for the 2025 era, plain JSON
    // for 2026-07-28 (Context7 4.0.1).
    let init = r.check("probe.initialize");
    assert_eq!(init["evidence"]["server"], "Context7");
    assert_eq!(init["evidence"]["session"], false);
    assert!(
        r.check("probe.tools-call.stream")["evidence"]["events"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let modern = r.check("probe.2026.tools-call.stream");
    assert!(
        modern["evidence"]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    // The WHATWG reference saw the response the exact parser saw.
    let w = &r.check("probe.tools-call.stream")["evidence"]["whatwg"];
    assert_eq!(w["compared"], true);
    assert_eq!(w["response"], true);
    // The conversation table: every request with status and content type.
    let section = r.section("probe.conversation");
    let rows = section["rows"].as_array().unwrap();
    let requests: Vec<&str> = rows.iter().map(|row| row[1].as_str().unwrap()).collect();
    assert_eq!(
        requests,
        [
            "POST initialize",
            "POST notifications/initialized",
            "POST tools/list",
            "POST tools/call resolve-library-id",
            "POST tools/call query-docs",
            "GET",
            "POST server/discover (2026-07-28)",
            "POST tools/list (2026-07-28)",
            "POST tools/call resolve-library-id (2026-07-28)",
            "POST tools/call query-docs (2026-07-28)",
        ]
    );
    assert!(
        rows[0][3]
            .as_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(rows[1][2].as_str().unwrap().starts_with("202"));
    assert!(rows[5][2].as_str().unwrap().starts_with("405"));
    assert!(rows[6][3].as_str().unwrap().starts_with("application/json"));
    // What went to the gateway: Accept with both types; the 2025 era sends the protocol
    // version after initialize, the 2026 era the version, method and name on every request
    // and _meta in every body.
    let posts: Vec<_> = sim
        .requests_to("gateway")
        .into_iter()
        .filter(|q| q.method == "POST")
        .collect();
    assert!(posts.iter().all(|q| {
        q.header("accept")
            .is_some_and(|a| a.contains("text/event-stream") && a.contains("application/json"))
    }));
    // The two eras run side by side: tell their requests apart by the version header.
    let (modern, legacy): (Vec<_>, Vec<_>) = posts
        .iter()
        .partition(|q| q.header("mcp-protocol-version") == Some("2026-07-28"));
    assert_eq!((legacy.len(), modern.len()), (5, 4));
    let body =
        |q: &crate::support::sim::Recorded| -> Value { serde_json::from_slice(&q.body).unwrap() };
    for q in &legacy {
        let b = body(q);
        assert_eq!(
            q.header("mcp-protocol-version").is_none(),
            b["method"] == "initialize",
            "the 2025 era sends the version after initialize"
        );
        assert!(b["params"].get("_meta").is_none());
    }
    for q in &modern {
        let b = body(q);
        assert_eq!(q.header("mcp-method"), b["method"].as_str());
        assert_eq!(
            b["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
        if b["method"] == "tools/call" {
            assert_eq!(q.header("mcp-name"), b["params"]["name"].as_str());
        }
    }
    assert!(sim.requests_to("elsewhere").is_empty());
}

#[test]
fn a_gateway_that_breaks_one_era_is_named() {
    for (name, at) in [
        ("mcp-headers-dropped", "probe.2026.discover"),
        ("mcp-2025-only-operation", "probe.2026.discover"),
    ] {
        let sim = Sim::start(name);
        let r = probe(&sim, &[]);
        assert_eq!(r.code, 1, "{name}");
        let c = r.check("probe.eras");
        assert_eq!(c["code"], "mcp.era-refused", "{name}: {}", r);
        assert_eq!(c["evidence"]["failed_at"], at);
        assert!(
            c["detail"]
                .as_str()
                .unwrap()
                .contains("2025-era clients (initialize) get the tool answer")
        );
        assert_eq!(r.check("probe.tools-call")["status"], "pass");
    }
    // A server that speaks one era only is not the gateway's doing.
    let sim = Sim::start("healthy-sessions");
    let r = probe(&sim, &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r.check("probe.eras")["code"], "mcp.protocol-2025-only");
    assert_eq!(r.check("probe.eras")["status"], "info");
}

#[test]
fn a_json_body_cut_at_8192_bytes_is_named_with_its_content_length() {
    let sim = Sim::start("json-cut-content-length");
    let r = probe(&sim, &["--era", "2026"]);
    assert_eq!(r.code, 1);
    let c = r.by_code("sse.truncated");
    assert_eq!(c["evidence"]["cut_at"], 8192, "{}", r);
    assert_eq!(c["evidence"]["round_size"], true);
    let cl = c["evidence"]["content_length"]
        .as_u64()
        .expect("content_length");
    assert!(cl > 8192, "{cl}");
    let detail = c["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("8192 of the {cl} bytes")),
        "{detail}"
    );
    assert!(
        detail.contains("Number of payload bytes to log"),
        "{detail}"
    );
    assert!(c["fix"].as_str().unwrap().contains("0"));
}

#[test]
fn comment_keep_alives_do_not_outlive_the_timeout() {
    let sim = Sim::start("sse-keepalive-forever");
    let start = Instant::now();
    let r = probe(&sim, &["--timeout", "2", "--era", "2025"]);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(12), "took {took:?}");
    let c = r.check("probe.tools-call.stream");
    assert_eq!(c["code"], "sse.stalled", "{}", r);
    let detail = c["detail"].as_str().unwrap();
    assert!(detail.contains("comments"), "{detail}");
    assert!(detail.contains("--timeout"), "{detail}");
    // The real gaps: a comment about every second, never "no byte for 2 s".
    let gap = c["evidence"]["max_gap_ms"].as_u64().unwrap();
    assert!((500..1900).contains(&gap), "largest gap {gap} ms");
    assert!(c["evidence"]["comments"].as_u64().unwrap() >= 1);
}

#[test]
fn a_redirect_on_the_mcp_endpoint_is_named_and_not_followed() {
    let sim = Sim::start("redirect-elsewhere");
    let r = probe(&sim, &[]);
    assert_eq!(r.code, 1);
    let c = r.check("probe.initialize");
    assert_eq!(c["code"], "discovery.redirect", "{}", r);
    assert!(c["detail"].as_str().unwrap().contains("307"));
    assert!(c["detail"].as_str().unwrap().contains("another host"));
    assert!(
        c["evidence"]["location"]
            .as_str()
            .unwrap()
            .ends_with("/mcp")
    );
    assert!(sim.requests_to("elsewhere").is_empty());
}

/// The tool text "Unauthorized. Please check your API key." read in each pattern.
#[test]
fn check_your_api_key_is_read_by_pattern() {
    for pattern in ["obo", "passthrough"] {
        let sim = Sim::with(Profile {
            pattern,
            ..profile("user-not-provisioned")
        });
        let r = probe(&sim, &["--era", "2025"]);
        let c = r.check("probe.tools-call");
        assert_eq!(c["code"], "mcp.user-not-provisioned", "{pattern}: {}", r);
        let detail = c["detail"].as_str().unwrap();
        assert!(detail.contains("Please check your API key"), "{detail}");
        assert!(detail.contains("no API key"), "{detail}");
        let fix = c["fix"].as_str().unwrap();
        for part in [
            "Settings",
            "members",
            "nested",
            "30 minutes",
            "User.ReadBasic.All",
            "Remove",
        ] {
            assert!(fix.contains(part), "{pattern}: {part} not in {fix}");
        }
    }
    // Shared key: the same words are about the key.
    let sim = Sim::start("api-key-invalid");
    let r = probe(&sim, &["--era", "2025"]);
    let c = r.check("probe.tools-call");
    assert_eq!(c["code"], "mcp.api-key-rejected", "{}", r);
    assert!(c["fix"].as_str().unwrap().contains("context7-api-key"));
}

/// Context7's "Authentication required" (the policy forwarded no credential) has its own
/// code in every pattern, and its fix names what that pattern's policy must send.
#[test]
fn no_credential_at_context7_is_fixed_by_pattern() {
    for (pattern, wants, not) in [
        (
            "obo",
            &["oboToken", "Bearer", "get-authorization-context"][..],
            "{{context7-api-key}}",
        ),
        (
            "passthrough",
            &["forward the client's Authorization header unchanged"][..],
            "oboToken",
        ),
        (
            "shared-key",
            &["Bearer {{context7-api-key}}", "secret named value"][..],
            "oboToken",
        ),
    ] {
        let sim = Sim::with(Profile {
            pattern,
            ..profile("context7-no-credential")
        });
        for era in ["2025", "2026"] {
            let r = probe(&sim, &["--era", era]);
            assert_eq!(r["context"]["pattern"], pattern, "{pattern}: {r}");
            let step = if era == "2025" {
                "probe.initialize"
            } else {
                "probe.discover"
            };
            let c = r.check(step);
            assert_eq!(
                c["code"], "mcp.no-credential-at-context7",
                "{pattern} {era}: {r}"
            );
            assert_eq!(c["status"], "fail");
            assert!(
                c["detail"]
                    .as_str()
                    .unwrap()
                    .contains("Authentication required")
            );
            let fix = c["fix"].as_str().unwrap();
            for part in wants.iter().chain(&["/mcp/oauth", "c7doctor policy"]) {
                assert!(fix.contains(part), "{pattern}: {part} not in {fix}");
            }
            assert!(!fix.contains(not), "{pattern}: {not} in {fix}");
            assert!(!fix.contains("pattern_credential"), "{fix}");
            assert!(fix.contains(&format!("header — {pattern}: ")), "{fix}");
            // The token-mismatch advice is not given for a token that never arrived.
            assert!(!fix.contains("Test connection"), "{fix}");
            assert!(r.with_code("mcp.rejected-by-context7").is_empty(), "{r}");
            assert_eq!(r.code, 1);
        }
    }
    // The token-mismatch code keeps the dashboard comparison and no longer carries the
    // no-credential advice.
    let sim = Sim::start("context7-rejects-audience");
    let r = probe(&sim, &["--era", "2025"]);
    let fix = r.check("probe.initialize")["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fix.contains("Test connection"), "{fix}");
    assert!(!fix.contains("Authentication required"), "{fix}");
}

#[test]
fn context7_rejections_name_the_setting() {
    let sim = Sim::start("context7-rejects-audience");
    let r = probe(&sim, &["--era", "2025"]);
    let c = r.check("probe.initialize");
    assert_eq!(c["code"], "mcp.rejected-by-context7", "{}", r);
    assert!(c["detail"].as_str().unwrap().contains("Unknown audience"));
    assert!(c["fix"].as_str().unwrap().contains("Settings"));
    assert!(
        !c["fix"]
            .as_str()
            .unwrap()
            .contains("Overview › Microsoft Entra")
    );
    let sim = Sim::start("context7-rejects-scope");
    let r = probe(&sim, &["--era", "2026"]);
    let c = r.check("probe.discover");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("Missing required scope"),
        "{}",
        r
    );
    let sim = Sim::start("context7-audience-taken");
    let r = probe(&sim, &["--era", "2025"]);
    let c = r.check("probe.initialize");
    assert_eq!(c["code"], "mcp.audience-other-teamspace");
    assert!(c["fix"].as_str().unwrap().contains("one teamspace"));
}

#[test]
fn api_key_direct_tells_a_gateway_problem_from_a_key_problem() {
    use crate::support::sim::context7::VALID_KEY;
    // The key works directly; the gateway injects a placeholder: a gateway problem.
    let sim = Sim::start("api-key-invalid");
    let direct = format!("{}/mcp", sim.state.proxy.context7);
    let r = probe_env(
        &sim,
        &["--api-key", "--context7-url", &direct],
        &[("C7DOCTOR_API_KEY", VALID_KEY)],
    );
    assert_eq!(r.check("probe.tools-call")["code"], "mcp.api-key-rejected");
    assert_eq!(
        r.check("probe.direct.tools-call")["status"],
        "pass",
        "{}",
        r
    );
    let cmp = r.check("probe.compare");
    assert_eq!(cmp["code"], "mcp.api-key-rejected");
    assert!(cmp["fix"].as_str().unwrap().contains("named value"));
    assert!(
        r.checks()
            .iter()
            .any(|c| c["id"].as_str().is_some_and(|i| i.starts_with("apikey.")))
    );
    assert_eq!(r["context"]["api_key"], "ctx7sk…2a58");

    // A revoked key fails directly too: a key problem.
    let bad = "ctx7sk-00000000-0000-0000-0000-000000000000";
    let r = probe_env(
        &sim,
        &["--api-key", "--context7-url", &direct],
        &[("C7DOCTOR_API_KEY", bad)],
    );
    assert_eq!(
        r.check("probe.direct.tools-call")["code"],
        "mcp.api-key-rejected"
    );
    assert!(
        r.check("probe.compare")["detail"]
            .as_str()
            .unwrap()
            .contains("key itself")
    );
}

#[test]
fn no_token_is_a_skip_not_a_crash() {
    let sim = Sim::start("healthy");
    let r = Run::new().sim(&sim).arg("probe").report();
    assert_eq!(r.check("probe.credential")["code"], "config.missing");
    assert!(sim.requests_to("gateway").is_empty());
}

#[test]
fn bad_args_are_usage_errors() {
    let sim = Sim::start("healthy");
    Run::new()
        .sim(&sim)
        .args(["probe", "--args", "[1,2]"])
        .token(&sim)
        .code(2)
        .output();
}

#[test]
fn probe_never_leaks_the_token_or_the_key() {
    use crate::support::sim::context7::VALID_KEY;
    let sim = Sim::start("healthy-sessions");
    let token = sim.client_token();
    let signature = token.rsplit('.').next().unwrap().to_string();
    let direct = format!("{}/mcp", sim.state.proxy.context7);
    for format in ["text", "json", "markdown"] {
        let all = Run::new()
            .sim(&sim)
            .args([
                "--format",
                format,
                "-v",
                "probe",
                "--api-key",
                "--query-docs",
            ])
            .args(["--context7-url", &direct])
            .env("C7DOCTOR_TOKEN", &token)
            .env("C7DOCTOR_API_KEY", VALID_KEY)
            .output()
            .all();
        assert!(all.contains("> POST"), "{format}: no wire trace");
        assert!(!all.contains(&token), "{format}: token leaked");
        assert!(!all.contains(&signature), "{format}: signature leaked");
        assert!(!all.contains(VALID_KEY), "{format}: key leaked");
        assert!(!all.contains(&VALID_KEY[7..]), "{format}: key body leaked");
    }
}

#[test]
fn login_first_then_probe() {
    let sim = Sim::start("healthy");
    let r = Run::new()
        .sim(&sim)
        .args(["--timeout", "3", "probe", "--login"])
        .env("C7DOCTOR_TIME_SCALE", "0.01")
        .report();
    assert_eq!(r["context"]["token_source"], "device-code sign-in");
    assert_eq!(r.check("probe.tools-call")["status"], "pass", "{}", r);
    assert!(r.stderr.contains("devicelogin"));
}

/// `probe --login` and `e2e --login` have no --client-id or --scope: the advice names what
/// those commands take (the pattern's app) and `login` for another client.
#[test]
fn login_advice_names_options_the_command_has() {
    for args in [
        &["probe", "--login", "--host", "https://127.0.0.1:9"][..],
        &["e2e", "--login"][..],
    ] {
        let r = Run::new()
            .default_arg("--timeout", "2")
            .args(args)
            .code(4)
            .report();
        let c = r.check("login.client");
        assert_eq!(c["status"], "skip", "{args:?}: {r}");
        let detail = c["detail"].as_str().unwrap();
        assert!(detail.contains("set --gateway-app-id"), "{detail}");
        assert!(!detail.contains("or --client-id"), "{detail}");
        assert!(
            detail.contains("c7doctor login --client-id") && detail.contains("--token-file"),
            "{detail}"
        );
    }
    // `login` itself still offers its own option.
    let r = Run::new().arg("login").code(4).report();
    let detail = r.check("login.client")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("or --client-id"), "{detail}");
}

#[test]
fn the_token_comes_from_stdin_or_a_file() {
    let sim = Sim::start("healthy");
    let token = sim.client_token();
    let r = Run::new()
        .sim(&sim)
        .arg("probe")
        .stdin(format!("Bearer {token}\n"))
        .report();
    assert_eq!(r["context"]["token_source"], "stdin");
    assert_eq!(r.check("probe.tools-call")["status"], "pass", "{}", r);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    std::fs::write(&path, format!("{{\"access_token\":\"{token}\"}}")).unwrap();
    let r = Run::new()
        .sim(&sim)
        .args(["probe", "--token-file"])
        .arg(&path)
        .report();
    assert!(
        r["context"]["token_source"]
            .as_str()
            .unwrap()
            .starts_with("file ")
    );
    assert_eq!(r.check("probe.tools-call")["status"], "pass", "{}", r);
}

/// Not a test: serves the `sse-huge` simulator (256 MiB of events before the tools/call
/// response; `$C7_PERF_PROFILE` picks another) for the measurement in docs/perf-sse.md.
/// Writes the URL and a token to `$C7_PERF_ENV` (default /tmp/c7doctor-perf.env) and
/// serves for `$C7_PERF_SECS` seconds.
#[test]
#[ignore]
fn perf_serve_huge_stream() {
    let name = std::env::var("C7_PERF_PROFILE").unwrap_or_else(|_| "sse-huge".into());
    let sim = Sim::start(&name);
    let path = std::env::var("C7_PERF_ENV").unwrap_or_else(|_| "/tmp/c7doctor-perf.env".into());
    let secs: u64 = std::env::var("C7_PERF_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let env = format!(
        "MCP_URL={}\nTOKEN={}\nARGS=\"{}\"\n",
        sim.mcp_url(),
        sim.client_token(),
        sim.args().join(" ")
    );
    std::fs::write(&path, env).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(secs));
}

/// The 2025 conversation sends each of its requests once, the notification and the `GET`
/// included (a stateless server gets the notification beside tools/list and the `GET`
/// beside tools/call), and a server that keeps sessions gets the notification before the
/// next request.
#[test]
fn each_request_is_sent_once_and_a_session_server_gets_the_notification_first() {
    for profile in ["healthy", "healthy-sessions"] {
        let sim = Sim::start(profile);
        let r = probe(&sim, &["--era", "2025"]);
        for id in [
            "probe.initialized",
            "probe.tools-list",
            "probe.tools-call",
            "probe.get",
        ] {
            assert_eq!(r.status(id), "pass", "{profile} {id}:\n{r}");
        }
        let sent: Vec<String> = sim
            .requests_to("gateway")
            .iter()
            // The conversation's GET carries the negotiated version; a GET of the URL
            // outside the conversation does not.
            .filter(|q| q.path().ends_with("/mcp"))
            .filter(|q| q.method != "GET" || q.header("mcp-protocol-version").is_some())
            .map(|q| match q.method.as_str() {
                "GET" => "GET".to_string(),
                _ => serde_json::from_slice::<Value>(&q.body)
                    .ok()
                    .and_then(|b| b["method"].as_str().map(String::from))
                    .unwrap_or_default(),
            })
            .collect();
        for method in [
            "initialize",
            "notifications/initialized",
            "tools/list",
            "tools/call",
            "GET",
        ] {
            let n = sent.iter().filter(|s| *s == method).count();
            assert_eq!(n, 1, "{profile}: {method} sent {n} times: {sent:?}");
        }
        if profile == "healthy-sessions" {
            let at = |m: &str| sent.iter().position(|s| s == m).unwrap();
            assert!(
                at("notifications/initialized") < at("tools/list"),
                "{profile}: {sent:?}"
            );
        }
    }
}
