//! Integration tests: `c7doctor probe` against the simulated gateway, with a real `rmcp`
//! Context7 behind it. Every `mcp.*` and `sse.*` code is reached by the real binary.

use crate::support::sim::Sim;
use crate::support::{Report, Run};

/// Run `probe` against a simulator with the client token and `--timeout 3`; the report.
fn probe(sim: &Sim, extra: &[&str]) -> Report {
    probe_env(sim, extra, &[])
}

fn probe_env(sim: &Sim, extra: &[&str], env: &[(&str, &str)]) -> Report {
    let mut run = Run::new()
        .sim(sim)
        .args(["--timeout", "3", "probe"])
        .args(extra)
        .token(sim);
    for (k, v) in env {
        run = run.env(*k, *v);
    }
    run.report()
}

#[test]
fn healthy_conversation_passes_with_the_whole_conversation_shown() {
    let sim = Sim::start("healthy");
    let r = probe(&sim, &["--query-docs"]);
    assert_eq!(r["verdict"], "pass", "{}", r);
    assert_eq!(r.code, 0);
    for id in [
        "probe.target",
        "probe.initialize",
        "probe.initialize.stream",
        "probe.initialized",
        "probe.tools-list",
        "probe.tools-list.stream",
        "probe.tools-call",
        "probe.tools-call.stream",
        "probe.query-docs",
        "probe.get",
    ] {
        assert_eq!(r.check(id)["status"], "pass", "{id}: {}", r);
    }
    // The local token check ran on the client hop.
    assert!(
        r.checks()
            .iter()
            .any(|c| c["id"].as_str().is_some_and(|i| i.starts_with("token.")))
    );
    // A real rmcp server answered: Context7, stateless, over SSE.
    let init = r.check("probe.initialize");
    assert_eq!(init["evidence"]["server"], "Context7");
    assert_eq!(init["evidence"]["session"], false);
    let stream = r.check("probe.tools-call.stream");
    assert!(stream["evidence"]["events"].as_u64().unwrap() >= 1);
    // The conversation table: every request with status and content type.
    let section = r["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "probe.conversation"))
        .expect("conversation section");
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
            "GET"
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
    // What went to the gateway: Accept with both types, the protocol version after
    // initialize, the token only to the gateway.
    let posts: Vec<_> = sim
        .requests_to("gateway")
        .into_iter()
        .filter(|q| q.method == "POST")
        .collect();
    assert!(posts.iter().all(|q| {
        q.header("accept")
            .is_some_and(|a| a.contains("text/event-stream") && a.contains("application/json"))
    }));
    assert!(posts[0].header("mcp-protocol-version").is_none());
    assert!(
        posts[1..]
            .iter()
            .all(|q| q.header("mcp-protocol-version").is_some())
    );
    assert!(sim.requests_to("elsewhere").is_empty());
}

#[test]
fn truncation_at_1024_and_8192_is_the_payload_logging_signature() {
    for (name, cut) in [
        ("sse-truncated-1024", 1024u64),
        ("sse-truncated-8192", 8192),
    ] {
        let sim = Sim::start(name);
        let r = probe(&sim, &[]);
        assert_eq!(r.code, 1, "{name}");
        let c = r
            .checks()
            .iter()
            .find(|c| c["code"] == "sse.truncated")
            .unwrap_or_else(|| panic!("{name}: {}", r));
        assert_eq!(c["evidence"]["cut_at"], cut, "{name}");
        assert_eq!(c["evidence"]["round_size"], true);
        assert!(
            c["detail"]
                .as_str()
                .unwrap()
                .contains("Number of payload bytes to log")
        );
        assert!(c["fix"].as_str().unwrap().contains("0"));
    }
}

#[test]
fn buffered_and_compressed_streams_are_reported() {
    let sim = Sim::start("sse-buffered");
    let r = probe(&sim, &[]);
    assert!(r.has("sse.buffered"), "{r}");
    assert_eq!(r["verdict"], "warn", "{}", r);
    assert_eq!(r.code, 0);
    let b = r
        .checks()
        .iter()
        .find(|c| c["code"] == "sse.buffered")
        .unwrap();
    assert!(b["fix"].as_str().unwrap().contains("buffer-response"));

    let sim = Sim::start("sse-gzip");
    let r = probe(&sim, &[]);
    assert!(r.has("sse.buffered"), "{r}");
    // The stream is decoded and the conversation still completes.
    assert_eq!(r.check("probe.tools-call")["status"], "pass", "{}", r);
}

#[test]
fn a_stalled_stream_is_reported_within_the_deadline() {
    let sim = Sim::start("sse-stalled");
    let start = std::time::Instant::now();
    let r = Run::new()
        .sim(&sim)
        .args(["--timeout", "1", "probe"])
        .token(&sim)
        .report();
    assert!(start.elapsed() < std::time::Duration::from_secs(8));
    let c = r.check("probe.tools-call.stream");
    assert_eq!(c["code"], "sse.stalled", "{}", r);
    assert_eq!(c["evidence"]["stalled_after_bytes"], 512);
}

#[test]
fn a_reset_mid_stream_is_a_truncation() {
    let sim = Sim::start("sse-reset");
    let r = probe(&sim, &[]);
    assert_eq!(r.code, 1);
    let c = r.check("probe.tools-call.stream");
    assert_eq!(c["code"], "sse.truncated", "{}", r);
    assert_eq!(c["evidence"]["cut_at"], 3000);
}

#[test]
fn a_huge_stream_stops_at_the_cap() {
    let sim = Sim::start("sse-huge");
    let r = probe(&sim, &["--max-stream-mib", "8"]);
    assert_eq!(r.code, 1);
    let c = r.check("probe.tools-call.stream");
    assert_eq!(c["code"], "sse.oversized", "{}", r);
    assert!(c["evidence"]["notifications"].as_u64().unwrap() > 1000);
}

#[test]
fn a_huge_data_line_is_capped_and_reported() {
    let sim = Sim::start("sse-huge-line");
    let r = probe(&sim, &["--max-stream-mib", "4"]);
    let c = r.check("probe.tools-call.stream");
    assert_eq!(c["code"], "sse.oversized", "{}", r);
}

#[test]
fn api_key_text_is_api_key_rejected() {
    let sim = Sim::start("api-key-invalid");
    let r = probe(&sim, &[]);
    assert_eq!(r.code, 1);
    // initialize and tools/list pass: only the tool call shows it.
    assert_eq!(r.check("probe.initialize")["status"], "pass");
    assert_eq!(r.check("probe.tools-list")["status"], "pass");
    let c = r.check("probe.tools-call");
    assert_eq!(c["code"], "mcp.api-key-rejected", "{}", r);
    assert!(c["fix"].as_str().unwrap().contains("context7-api-key"));
}

#[test]
fn an_unprovisioned_user_is_refused_on_tools_call_only() {
    let sim = Sim::start("user-not-provisioned");
    let r = probe(&sim, &[]);
    assert_eq!(r.check("probe.initialize")["status"], "pass");
    assert_eq!(
        r.check("probe.tools-call")["code"],
        "mcp.user-not-provisioned",
        "{}",
        r
    );
}

#[test]
fn apim_401_is_rejected_at_gateway_with_the_token_check() {
    let sim = Sim::start("gateway-rejects");
    let r = probe(&sim, &[]);
    assert_eq!(r.code, 1);
    let c = r.check("probe.initialize");
    assert_eq!(c["code"], "mcp.rejected-at-gateway", "{}", r);
    assert!(c["detail"].as_str().unwrap().contains("token"));
}

#[test]
fn context7_401_is_rejected_by_context7_and_its_challenge_leaks() {
    let sim = Sim::start("context7-rejects-audience");
    let r = probe(&sim, &[]);
    let c = r.check("probe.initialize");
    assert_eq!(c["code"], "mcp.rejected-by-context7", "{}", r);
    assert!(c["fix"].as_str().unwrap().contains("Audience"));
    assert_eq!(
        r.check("probe.challenge")["code"],
        "discovery.challenge-upstream"
    );
}

#[test]
fn gateway_500_and_406() {
    let sim = Sim::start("gateway-500");
    let r = probe(&sim, &[]);
    let c = r.check("probe.initialize");
    assert_eq!(c["code"], "mcp.gateway-error", "{}", r);
    assert!(c["detail"].as_str().unwrap().contains("activityId"));

    let sim = Sim::start("not-acceptable");
    let r = probe(&sim, &[]);
    assert_eq!(
        r.check("probe.initialize")["code"],
        "mcp.not-acceptable",
        "{}",
        r
    );
}

#[test]
fn a_2026_server_is_recognised_not_failed() {
    let sim = Sim::start("mcp-2026");
    let r = probe(&sim, &[]);
    let c = r.check("probe.initialize");
    assert_eq!(c["status"], "info", "{}", r);
    assert_eq!(c["code"], "mcp.protocol-2026");
    assert_eq!(r.check("probe.discover")["status"], "pass", "{}", r);
    assert_eq!(r.check("probe.tools-call")["status"], "pass", "{}", r);
    assert_eq!(r.code, 0, "{}", r);
}

#[test]
fn sessions_are_echoed_and_a_dropped_session_is_reported() {
    let sim = Sim::start("healthy-sessions");
    let r = probe(&sim, &[]);
    assert_eq!(r.code, 0, "{}", r);
    assert_eq!(r.check("probe.initialize")["evidence"]["session"], true);
    let posts: Vec<_> = sim
        .requests_to("gateway")
        .into_iter()
        .filter(|q| q.method == "POST")
        .collect();
    assert!(posts[0].header("mcp-session-id").is_none());
    assert!(
        posts[1..]
            .iter()
            .all(|q| q.header("mcp-session-id").is_some())
    );

    let sim = Sim::start("session-dropped");
    let r = probe(&sim, &[]);
    assert_eq!(r.check("probe.initialized")["code"], "mcp.session", "{}", r);
}

#[test]
fn initialize_errors_and_other_backends() {
    let sim = Sim::start("initialize-error");
    let r = probe(&sim, &[]);
    assert_eq!(
        r.check("probe.initialize")["code"],
        "mcp.initialize-failed",
        "{}",
        r
    );

    let sim = Sim::start("backend-html");
    let r = probe(&sim, &[]);
    assert_eq!(
        r.check("probe.initialize")["code"],
        "sse.content-type",
        "{}",
        r
    );
}

#[test]
fn old_tools_and_tool_errors() {
    let sim = Sim::start("tools-old");
    let r = probe(&sim, &[]);
    let c = r.check("probe.tools-list");
    assert_eq!(c["code"], "mcp.tools-missing", "{}", r);
    assert!(c["detail"].as_str().unwrap().contains("get-library-docs"));

    let sim = Sim::start("tool-error");
    let r = probe(&sim, &[]);
    assert_eq!(
        r.check("probe.tools-call")["code"],
        "mcp.tool-error",
        "{}",
        r
    );
}

#[test]
fn get_404_is_a_note() {
    let sim = Sim::start("get-404");
    let r = probe(&sim, &[]);
    let c = r.check("probe.get");
    assert_eq!(c["status"], "info");
    assert_eq!(c["code"], "mcp.get-404");
    assert_eq!(r.code, 0, "{}", r);
}

#[test]
fn framing_and_id_mismatch() {
    let sim = Sim::start("sse-framing");
    let r = probe(&sim, &[]);
    let c = r.check("probe.initialize.stream");
    assert_eq!(c["code"], "sse.framing", "{}", r);
    assert!(c["detail"].as_str().unwrap().contains("blank line"));

    let sim = Sim::start("sse-id-mismatch");
    let r = probe(&sim, &[]);
    let c = r.check("probe.initialize.stream");
    assert_eq!(c["code"], "sse.id-mismatch", "{}", r);
    assert!(c["detail"].as_str().unwrap().contains("string"));
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

#[test]
fn json_responses_are_accepted_and_checked() {
    let sim = Sim::start("healthy-json");
    let r = probe(&sim, &[]);
    assert_eq!(r.code, 0, "{}", r);
    let s = r.check("probe.tools-call.stream");
    assert_eq!(s["status"], "pass");
    assert!(
        s["evidence"]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );

    let sim = Sim::start("json-truncated-1024");
    let r = probe(&sim, &[]);
    let c = r
        .checks()
        .iter()
        .find(|c| c["code"] == "sse.truncated")
        .unwrap_or_else(|| panic!("{}", r));
    assert_eq!(c["evidence"]["cut_at"], 1024);
    assert_eq!(c["evidence"]["round_size"], true);
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
