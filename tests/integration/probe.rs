//! Integration tests: `c7doctor probe` against the simulated gateway, with a real `rmcp`
//! Context7 behind it. Every `mcp.*` and `sse.*` code is reached by the real binary.

use serde_json::Value;

use crate::support::c7doctor;
use crate::support::sim::Sim;
use crate::support::{checks, codes, ids};

/// Run `probe` against a simulator with the client token, `--format json`, and return the
/// report and the exit code.
fn probe(sim: &Sim, extra: &[&str]) -> (Value, i32) {
    probe_env(sim, extra, &[])
}

fn probe_env(sim: &Sim, extra: &[&str], env: &[(&str, &str)]) -> (Value, i32) {
    let mut cmd = c7doctor();
    cmd.args(sim.args())
        .args(["--format", "json", "--timeout", "3", "probe"])
        .args(extra)
        .env("C7DOCTOR_TOKEN", sim.client_token());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run c7doctor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap_or(-1))
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    checks(report)
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {}", ids(report)))
}

fn has_code(report: &Value, code: &str) -> bool {
    codes(report).iter().any(|c| c == code)
}

fn assert_code(report: &Value, code: &str) {
    assert!(
        has_code(report, code),
        "expected {code} in: {}",
        ids(report)
    );
}

#[test]
fn healthy_conversation_passes_with_the_whole_conversation_shown() {
    let sim = Sim::start("healthy");
    let (r, code) = probe(&sim, &["--query-docs"]);
    assert_eq!(r["verdict"], "pass", "{}", ids(&r));
    assert_eq!(code, 0);
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
        assert_eq!(check(&r, id)["status"], "pass", "{id}: {}", ids(&r));
    }
    // The local token check ran on the client hop.
    assert!(
        checks(&r)
            .iter()
            .any(|c| c["id"].as_str().is_some_and(|i| i.starts_with("token.")))
    );
    // A real rmcp server answered: Context7, stateless, over SSE.
    let init = check(&r, "probe.initialize");
    assert_eq!(init["evidence"]["server"], "Context7");
    assert_eq!(init["evidence"]["session"], false);
    let stream = check(&r, "probe.tools-call.stream");
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
        let (r, code) = probe(&sim, &[]);
        assert_eq!(code, 1, "{name}");
        let c = checks(&r)
            .iter()
            .find(|c| c["code"] == "sse.truncated")
            .unwrap_or_else(|| panic!("{name}: {}", ids(&r)));
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
    let (r, code) = probe(&sim, &[]);
    assert_code(&r, "sse.buffered");
    assert_eq!(r["verdict"], "warn", "{}", ids(&r));
    assert_eq!(code, 0);
    let b = checks(&r)
        .iter()
        .find(|c| c["code"] == "sse.buffered")
        .unwrap();
    assert!(b["fix"].as_str().unwrap().contains("buffer-response"));

    let sim = Sim::start("sse-gzip");
    let (r, _) = probe(&sim, &[]);
    assert_code(&r, "sse.buffered");
    // The stream is decoded and the conversation still completes.
    assert_eq!(
        check(&r, "probe.tools-call")["status"],
        "pass",
        "{}",
        ids(&r)
    );
}

#[test]
fn a_stalled_stream_is_reported_within_the_deadline() {
    let sim = Sim::start("sse-stalled");
    let start = std::time::Instant::now();
    let mut cmd = c7doctor();
    cmd.args(sim.args())
        .args(["--format", "json", "--timeout", "1", "probe"])
        .env("C7DOCTOR_TOKEN", sim.client_token());
    let out = cmd.output().unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(8));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = check(&r, "probe.tools-call.stream");
    assert_eq!(c["code"], "sse.stalled", "{}", ids(&r));
    assert_eq!(c["evidence"]["stalled_after_bytes"], 512);
}

#[test]
fn a_reset_mid_stream_is_a_truncation() {
    let sim = Sim::start("sse-reset");
    let (r, code) = probe(&sim, &[]);
    assert_eq!(code, 1);
    let c = check(&r, "probe.tools-call.stream");
    assert_eq!(c["code"], "sse.truncated", "{}", ids(&r));
    assert_eq!(c["evidence"]["cut_at"], 3000);
}

#[test]
fn a_huge_stream_stops_at_the_cap() {
    let sim = Sim::start("sse-huge");
    let (r, code) = probe(&sim, &["--max-stream-mib", "8"]);
    assert_eq!(code, 1);
    let c = check(&r, "probe.tools-call.stream");
    assert_eq!(c["code"], "sse.oversized", "{}", ids(&r));
    assert!(c["evidence"]["notifications"].as_u64().unwrap() > 1000);
}

#[test]
fn a_huge_data_line_is_capped_and_reported() {
    let sim = Sim::start("sse-huge-line");
    let (r, _) = probe(&sim, &["--max-stream-mib", "4"]);
    let c = check(&r, "probe.tools-call.stream");
    assert_eq!(c["code"], "sse.oversized", "{}", ids(&r));
}

#[test]
fn api_key_text_is_api_key_rejected() {
    let sim = Sim::start("api-key-invalid");
    let (r, code) = probe(&sim, &[]);
    assert_eq!(code, 1);
    // initialize and tools/list pass: only the tool call shows it.
    assert_eq!(check(&r, "probe.initialize")["status"], "pass");
    assert_eq!(check(&r, "probe.tools-list")["status"], "pass");
    let c = check(&r, "probe.tools-call");
    assert_eq!(c["code"], "mcp.api-key-rejected", "{}", ids(&r));
    assert!(c["fix"].as_str().unwrap().contains("context7-api-key"));
}

#[test]
fn an_unprovisioned_user_is_refused_on_tools_call_only() {
    let sim = Sim::start("user-not-provisioned");
    let (r, _) = probe(&sim, &[]);
    assert_eq!(check(&r, "probe.initialize")["status"], "pass");
    assert_eq!(
        check(&r, "probe.tools-call")["code"],
        "mcp.user-not-provisioned",
        "{}",
        ids(&r)
    );
}

#[test]
fn apim_401_is_rejected_at_gateway_with_the_token_check() {
    let sim = Sim::start("gateway-rejects");
    let (r, code) = probe(&sim, &[]);
    assert_eq!(code, 1);
    let c = check(&r, "probe.initialize");
    assert_eq!(c["code"], "mcp.rejected-at-gateway", "{}", ids(&r));
    assert!(c["detail"].as_str().unwrap().contains("token"));
}

#[test]
fn context7_401_is_rejected_by_context7_and_its_challenge_leaks() {
    let sim = Sim::start("context7-rejects-audience");
    let (r, _) = probe(&sim, &[]);
    let c = check(&r, "probe.initialize");
    assert_eq!(c["code"], "mcp.rejected-by-context7", "{}", ids(&r));
    assert!(c["fix"].as_str().unwrap().contains("Audience"));
    assert_eq!(
        check(&r, "probe.challenge")["code"],
        "discovery.challenge-upstream"
    );
}

#[test]
fn gateway_500_and_406() {
    let sim = Sim::start("gateway-500");
    let (r, _) = probe(&sim, &[]);
    let c = check(&r, "probe.initialize");
    assert_eq!(c["code"], "mcp.gateway-error", "{}", ids(&r));
    assert!(c["detail"].as_str().unwrap().contains("activityId"));

    let sim = Sim::start("not-acceptable");
    let (r, _) = probe(&sim, &[]);
    assert_eq!(
        check(&r, "probe.initialize")["code"],
        "mcp.not-acceptable",
        "{}",
        ids(&r)
    );
}

#[test]
fn a_2026_server_is_recognised_not_failed() {
    let sim = Sim::start("mcp-2026");
    let (r, code) = probe(&sim, &[]);
    let c = check(&r, "probe.initialize");
    assert_eq!(c["status"], "info", "{}", ids(&r));
    assert_eq!(c["code"], "mcp.protocol-2026");
    assert_eq!(check(&r, "probe.discover")["status"], "pass", "{}", ids(&r));
    assert_eq!(
        check(&r, "probe.tools-call")["status"],
        "pass",
        "{}",
        ids(&r)
    );
    assert_eq!(code, 0, "{}", ids(&r));
}

#[test]
fn sessions_are_echoed_and_a_dropped_session_is_reported() {
    let sim = Sim::start("healthy-sessions");
    let (r, code) = probe(&sim, &[]);
    assert_eq!(code, 0, "{}", ids(&r));
    assert_eq!(check(&r, "probe.initialize")["evidence"]["session"], true);
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
    let (r, _) = probe(&sim, &[]);
    assert_eq!(
        check(&r, "probe.initialized")["code"],
        "mcp.session",
        "{}",
        ids(&r)
    );
}

#[test]
fn initialize_errors_and_other_backends() {
    let sim = Sim::start("initialize-error");
    let (r, _) = probe(&sim, &[]);
    assert_eq!(
        check(&r, "probe.initialize")["code"],
        "mcp.initialize-failed",
        "{}",
        ids(&r)
    );

    let sim = Sim::start("backend-html");
    let (r, _) = probe(&sim, &[]);
    assert_eq!(
        check(&r, "probe.initialize")["code"],
        "sse.content-type",
        "{}",
        ids(&r)
    );
}

#[test]
fn old_tools_and_tool_errors() {
    let sim = Sim::start("tools-old");
    let (r, _) = probe(&sim, &[]);
    let c = check(&r, "probe.tools-list");
    assert_eq!(c["code"], "mcp.tools-missing", "{}", ids(&r));
    assert!(c["detail"].as_str().unwrap().contains("get-library-docs"));

    let sim = Sim::start("tool-error");
    let (r, _) = probe(&sim, &[]);
    assert_eq!(
        check(&r, "probe.tools-call")["code"],
        "mcp.tool-error",
        "{}",
        ids(&r)
    );
}

#[test]
fn get_404_is_a_note() {
    let sim = Sim::start("get-404");
    let (r, code) = probe(&sim, &[]);
    let c = check(&r, "probe.get");
    assert_eq!(c["status"], "info");
    assert_eq!(c["code"], "mcp.get-404");
    assert_eq!(code, 0, "{}", ids(&r));
}

#[test]
fn framing_and_id_mismatch() {
    let sim = Sim::start("sse-framing");
    let (r, _) = probe(&sim, &[]);
    let c = check(&r, "probe.initialize.stream");
    assert_eq!(c["code"], "sse.framing", "{}", ids(&r));
    assert!(c["detail"].as_str().unwrap().contains("blank line"));

    let sim = Sim::start("sse-id-mismatch");
    let (r, _) = probe(&sim, &[]);
    let c = check(&r, "probe.initialize.stream");
    assert_eq!(c["code"], "sse.id-mismatch", "{}", ids(&r));
    assert!(c["detail"].as_str().unwrap().contains("string"));
}

#[test]
fn api_key_direct_tells_a_gateway_problem_from_a_key_problem() {
    use crate::support::sim::context7::VALID_KEY;
    // The key works directly; the gateway injects a placeholder: a gateway problem.
    let sim = Sim::start("api-key-invalid");
    let direct = format!("{}/mcp", sim.state.proxy.context7);
    let (r, _) = probe_env(
        &sim,
        &["--api-key", "--context7-url", &direct],
        &[("C7DOCTOR_API_KEY", VALID_KEY)],
    );
    assert_eq!(
        check(&r, "probe.tools-call")["code"],
        "mcp.api-key-rejected"
    );
    assert_eq!(
        check(&r, "probe.direct.tools-call")["status"],
        "pass",
        "{}",
        ids(&r)
    );
    let cmp = check(&r, "probe.compare");
    assert_eq!(cmp["code"], "mcp.api-key-rejected");
    assert!(cmp["fix"].as_str().unwrap().contains("named value"));
    assert!(
        checks(&r)
            .iter()
            .any(|c| c["id"].as_str().is_some_and(|i| i.starts_with("apikey.")))
    );
    assert_eq!(r["context"]["api_key"], "ctx7sk…2a58");

    // A revoked key fails directly too: a key problem.
    let bad = "ctx7sk-00000000-0000-0000-0000-000000000000";
    let (r, _) = probe_env(
        &sim,
        &["--api-key", "--context7-url", &direct],
        &[("C7DOCTOR_API_KEY", bad)],
    );
    assert_eq!(
        check(&r, "probe.direct.tools-call")["code"],
        "mcp.api-key-rejected"
    );
    assert!(
        check(&r, "probe.compare")["detail"]
            .as_str()
            .unwrap()
            .contains("key itself")
    );
}

#[test]
fn no_token_is_a_skip_not_a_crash() {
    let sim = Sim::start("healthy");
    let out = c7doctor()
        .args(sim.args())
        .args(["--format", "json", "probe"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&r, "probe.credential")["code"], "config.missing");
    assert!(sim.requests_to("gateway").is_empty());
}

#[test]
fn bad_args_are_usage_errors() {
    let sim = Sim::start("healthy");
    let out = c7doctor()
        .args(sim.args())
        .args(["probe", "--args", "[1,2]"])
        .env("C7DOCTOR_TOKEN", sim.client_token())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn probe_never_leaks_the_token_or_the_key() {
    use crate::support::sim::context7::VALID_KEY;
    let sim = Sim::start("healthy-sessions");
    let token = sim.client_token();
    let signature = token.rsplit('.').next().unwrap().to_string();
    let direct = format!("{}/mcp", sim.state.proxy.context7);
    for format in ["text", "json", "markdown"] {
        let out = c7doctor()
            .args(sim.args())
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
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
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
    let out = c7doctor()
        .args(sim.args())
        .args(["--format", "json", "--timeout", "3", "probe", "--login"])
        .env("C7DOCTOR_TIME_SCALE", "0.01")
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["context"]["token_source"], "device-code sign-in");
    assert_eq!(
        check(&r, "probe.tools-call")["status"],
        "pass",
        "{}",
        ids(&r)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("devicelogin"));
}

#[test]
fn json_responses_are_accepted_and_checked() {
    let sim = Sim::start("healthy-json");
    let (r, code) = probe(&sim, &[]);
    assert_eq!(code, 0, "{}", ids(&r));
    let s = check(&r, "probe.tools-call.stream");
    assert_eq!(s["status"], "pass");
    assert!(
        s["evidence"]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );

    let sim = Sim::start("json-truncated-1024");
    let (r, _) = probe(&sim, &[]);
    let c = checks(&r)
        .iter()
        .find(|c| c["code"] == "sse.truncated")
        .unwrap_or_else(|| panic!("{}", ids(&r)));
    assert_eq!(c["evidence"]["cut_at"], 1024);
    assert_eq!(c["evidence"]["round_size"], true);
}

#[test]
fn the_token_comes_from_stdin_or_a_file() {
    let sim = Sim::start("healthy");
    let token = sim.client_token();
    let out = c7doctor()
        .args(sim.args())
        .args(["--format", "json", "probe"])
        .write_stdin(format!("Bearer {token}\n"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["context"]["token_source"], "stdin");
    assert_eq!(
        check(&r, "probe.tools-call")["status"],
        "pass",
        "{}",
        ids(&r)
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    std::fs::write(&path, format!("{{\"access_token\":\"{token}\"}}")).unwrap();
    let out = c7doctor()
        .args(sim.args())
        .args(["--format", "json", "probe", "--token-file"])
        .arg(&path)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["context"]["token_source"]
            .as_str()
            .unwrap()
            .starts_with("file ")
    );
    assert_eq!(
        check(&r, "probe.tools-call")["status"],
        "pass",
        "{}",
        ids(&r)
    );
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
