//! Integration tests: `c7doctor probe` against the simulated gateway, with a real `rmcp`
//! Context7 4.x behind it. Every simulator profile of the MCP conversation is a row of one
//! table, and every row runs in both protocol eras (`--era 2025`: the initialize handshake,
//! `--era 2026`: server/discover and the 2026-07-28 headers): what a client of each era gets
//! through the gateway. The tests after the table cover what is not one profile's answer.

use serde_json::Value;

use crate::support::report::{checks_of as checks, ids_of as ids};
use std::time::{Duration, Instant};

use crate::support::c7doctor;
use crate::support::sim::Sim;
use crate::support::sim::profiles::{Profile, profile};

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

fn find<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    checks(report).iter().find(|c| c["id"] == id)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    find(report, id).unwrap_or_else(|| panic!("no check {id} in {}", ids(report)))
}

fn with_code<'a>(report: &'a Value, code: &str) -> &'a Value {
    checks(report)
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {}", ids(report)))
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

/// What one era of client must get: `(step, status or code)` pairs (`first` is initialize or
/// server/discover), a code that must appear anywhere, and `cut_at` evidence on that code.
#[derive(Debug, Clone, Copy)]
struct Expect {
    steps: &'static [(&'static str, &'static str)],
    code: Option<&'static str>,
    cut_at: Option<u64>,
    exit: Option<i32>,
}

const PASS: Expect = Expect {
    steps: &[
        ("first", "pass"),
        ("tools-call", "pass"),
        ("tools-call.stream", "pass"),
    ],
    code: None,
    cut_at: None,
    exit: Some(0),
};

const fn at(steps: &'static [(&'static str, &'static str)]) -> Expect {
    Expect {
        steps,
        code: None,
        cut_at: None,
        exit: None,
    }
}

const fn cut(code: &'static str, n: u64) -> Expect {
    Expect {
        steps: &[],
        code: Some(code),
        cut_at: Some(n),
        exit: Some(1),
    }
}

/// A row: a profile (with extra probe arguments) and what each era gets.
struct Row {
    profile: &'static str,
    args: &'static [&'static str],
    e2025: Expect,
    e2026: Expect,
}

const fn row(profile: &'static str, e2025: Expect, e2026: Expect) -> Row {
    Row {
        profile,
        args: &[],
        e2025,
        e2026,
    }
}

/// THE table: every MCP profile, in both eras. A JSON answer (what 2026-07-28 clients get
/// from Context7 4.x) that is buffered, compressed or re-framed is fine; the same on an event
/// stream is not — the rows say so.
const ROWS: &[Row] = &[
    row("healthy", PASS, PASS),
    row("healthy-passthrough", PASS, PASS),
    row("healthy-shared-key", PASS, PASS),
    row("healthy-json", PASS, PASS),
    row(
        "sse-truncated-1024",
        cut("sse.truncated", 1024),
        cut("sse.truncated", 1024),
    ),
    row(
        "sse-truncated-8192",
        cut("sse.truncated", 8192),
        cut("sse.truncated", 8192),
    ),
    row(
        "json-truncated-1024",
        cut("sse.truncated", 1024),
        cut("sse.truncated", 1024),
    ),
    row(
        "json-cut-content-length",
        cut("sse.truncated", 8192),
        cut("sse.truncated", 8192),
    ),
    row(
        "sse-buffered",
        at(&[
            ("tools-call", "pass"),
            ("tools-call.buffering", "sse.buffered"),
        ]),
        PASS,
    ),
    row(
        "sse-gzip",
        at(&[
            ("tools-call", "pass"),
            ("tools-call.buffering", "sse.buffered"),
        ]),
        PASS,
    ),
    row(
        "sse-stalled",
        at(&[("tools-call.stream", "sse.stalled")]),
        at(&[("tools-call.stream", "sse.stalled")]),
    ),
    row(
        "sse-reset",
        cut("sse.truncated", 3000),
        cut("sse.truncated", 3000),
    ),
    Row {
        profile: "sse-huge",
        args: &["--max-stream-mib", "8", "--stream-deadline", "30"],
        e2025: at(&[("tools-call.stream", "sse.oversized")]),
        e2026: at(&[("tools-call.stream", "sse.oversized")]),
    },
    Row {
        profile: "sse-huge-line",
        args: &["--max-stream-mib", "4", "--stream-deadline", "30"],
        e2025: at(&[("tools-call.stream", "sse.oversized")]),
        e2026: at(&[("tools-call.stream", "sse.oversized")]),
    },
    row(
        "api-key-invalid",
        at(&[
            ("first", "pass"),
            ("tools-list", "pass"),
            ("tools-call", "mcp.api-key-rejected"),
        ]),
        at(&[
            ("first", "pass"),
            ("tools-list", "pass"),
            ("tools-call", "mcp.api-key-rejected"),
        ]),
    ),
    row(
        "user-not-provisioned",
        at(&[
            ("first", "pass"),
            ("tools-call", "mcp.user-not-provisioned"),
        ]),
        at(&[
            ("first", "pass"),
            ("tools-call", "mcp.user-not-provisioned"),
        ]),
    ),
    row(
        "context7-rejects-audience",
        at(&[
            ("first", "mcp.rejected-by-context7"),
            ("challenge", "discovery.challenge-upstream"),
        ]),
        at(&[
            ("first", "mcp.rejected-by-context7"),
            ("challenge", "discovery.challenge-upstream"),
        ]),
    ),
    row(
        "context7-rejects-scope",
        at(&[("first", "mcp.rejected-by-context7")]),
        at(&[("first", "mcp.rejected-by-context7")]),
    ),
    row(
        "context7-audience-taken",
        at(&[("first", "mcp.audience-other-teamspace")]),
        at(&[("first", "mcp.audience-other-teamspace")]),
    ),
    row(
        "gateway-rejects",
        at(&[("first", "mcp.rejected-at-gateway")]),
        at(&[("first", "mcp.rejected-at-gateway")]),
    ),
    row(
        "gateway-500",
        at(&[("first", "mcp.gateway-error")]),
        at(&[("first", "mcp.gateway-error")]),
    ),
    row(
        "not-acceptable",
        at(&[("first", "mcp.not-acceptable")]),
        at(&[("first", "mcp.not-acceptable")]),
    ),
    row("mcp-2026", at(&[("first", "mcp.protocol-2026")]), PASS),
    row(
        "healthy-sessions",
        PASS,
        at(&[("first", "mcp.protocol-2025-only")]),
    ),
    row(
        "session-dropped",
        at(&[("initialized", "mcp.session")]),
        at(&[("first", "mcp.protocol-2025-only")]),
    ),
    row(
        "initialize-error",
        at(&[("first", "mcp.initialize-failed")]),
        PASS,
    ),
    row(
        "backend-html",
        at(&[("first", "sse.content-type")]),
        at(&[("first", "sse.content-type")]),
    ),
    row(
        "tools-old",
        at(&[("tools-list", "mcp.tools-missing")]),
        at(&[("tools-list", "mcp.tools-missing")]),
    ),
    row(
        "tool-error",
        at(&[("tools-call", "mcp.tool-error")]),
        at(&[("tools-call", "mcp.tool-error")]),
    ),
    row(
        "get-404",
        at(&[("tools-call", "pass"), ("get", "mcp.get-404")]),
        PASS,
    ),
    row(
        "sse-framing",
        at(&[("initialize.stream", "sse.framing")]),
        PASS,
    ),
    row(
        "sse-id-mismatch",
        at(&[("initialize.stream", "sse.id-mismatch")]),
        PASS,
    ),
    row(
        "mcp-headers-dropped",
        PASS,
        at(&[("first", "mcp.protocol-headers")]),
    ),
    row(
        "mcp-2025-only-operation",
        PASS,
        at(&[("first", "discovery.endpoint-missing")]),
    ),
    row(
        "sse-keepalive-forever",
        at(&[("tools-call.stream", "sse.stalled")]),
        at(&[("tools-call.stream", "sse.stalled")]),
    ),
    row(
        "redirect-elsewhere",
        at(&[("first", "discovery.redirect")]),
        at(&[("first", "discovery.redirect")]),
    ),
];

fn assert_era(row: &Row, era: Era, r: &Value, exit: i32) {
    let e = match era {
        Era::E2025 => &row.e2025,
        Era::E2026 => &row.e2026,
    };
    let ctx = || format!("{} --era {}: {}", row.profile, era.flag(), ids(r));
    for (step, want) in e.steps {
        let c = find(r, &era.step(step)).unwrap_or_else(|| panic!("no {step}: {}", ctx()));
        if matches!(*want, "pass" | "info" | "warn" | "fail" | "skip") {
            assert_eq!(c["status"], *want, "{step}: {}", ctx());
        } else {
            assert_eq!(c["code"], *want, "{step}: {}", ctx());
        }
    }
    if let Some(code) = e.code {
        let c = checks(r)
            .iter()
            .find(|c| c["code"] == code)
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
        assert_eq!(exit, x, "exit: {}", ctx());
    }
    // Nothing went to the other host (a redirect is data, not a destination).
    assert_eq!(r["command"], "probe");
}

fn run_rows(era: Era) {
    for row in ROWS {
        let sim = Sim::start(row.profile);
        let mut args = vec!["--era", era.flag()];
        args.extend_from_slice(row.args);
        let (r, exit) = probe(&sim, &args);
        assert_era(row, era, &r, exit);
        assert!(
            sim.requests_to("elsewhere").is_empty(),
            "{}: a request went to another host",
            row.profile
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
fn every_mcp_profile_has_a_row() {
    for name in crate::support::sim::profiles::MCP {
        assert!(
            ROWS.iter().any(|r| r.profile == *name),
            "profile {name} has no row in the probe table"
        );
    }
}

#[test]
fn healthy_speaks_both_eras_with_the_whole_conversation_shown() {
    let sim = Sim::start("healthy");
    let (r, code) = probe(&sim, &["--query-docs"]);
    assert_eq!(r["verdict"], "pass", "{}", ids(&r));
    assert_eq!(code, 0);
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
        assert_eq!(check(&r, id)["status"], "pass", "{id}: {}", ids(&r));
    }
    // A real rmcp server answered: Context7, stateless; SSE for the 2025 era, plain JSON
    // for 2026-07-28 (Context7 4.0.1).
    let init = check(&r, "probe.initialize");
    assert_eq!(init["evidence"]["server"], "Context7");
    assert_eq!(init["evidence"]["session"], false);
    assert!(
        check(&r, "probe.tools-call.stream")["evidence"]["events"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let modern = check(&r, "probe.2026.tools-call.stream");
    assert!(
        modern["evidence"]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    // The WHATWG reference saw the response the exact parser saw.
    let w = &check(&r, "probe.tools-call.stream")["evidence"]["whatwg"];
    assert_eq!(w["compared"], true);
    assert_eq!(w["response"], true);
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
        let (r, code) = probe(&sim, &[]);
        assert_eq!(code, 1, "{name}");
        let c = check(&r, "probe.eras");
        assert_eq!(c["code"], "mcp.era-refused", "{name}: {}", ids(&r));
        assert_eq!(c["evidence"]["failed_at"], at);
        assert!(
            c["detail"]
                .as_str()
                .unwrap()
                .contains("2025-era clients (initialize) get the tool answer")
        );
        assert_eq!(check(&r, "probe.tools-call")["status"], "pass");
    }
    // A server that speaks one era only is not the gateway's doing.
    let sim = Sim::start("healthy-sessions");
    let (r, code) = probe(&sim, &[]);
    assert_eq!(code, 0, "{} {}", ids(&r), check(&r, "probe.2026.discover"));
    assert_eq!(check(&r, "probe.eras")["code"], "mcp.protocol-2025-only");
    assert_eq!(check(&r, "probe.eras")["status"], "info");
}

#[test]
fn a_json_body_cut_at_8192_bytes_is_named_with_its_content_length() {
    let sim = Sim::start("json-cut-content-length");
    let (r, code) = probe(&sim, &["--era", "2026"]);
    assert_eq!(code, 1);
    let c = with_code(&r, "sse.truncated");
    assert_eq!(c["evidence"]["cut_at"], 8192, "{}", ids(&r));
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
    let out = c7doctor()
        .args(sim.args())
        .args([
            "--format",
            "json",
            "--timeout",
            "2",
            "probe",
            "--era",
            "2025",
        ])
        .env("C7DOCTOR_TOKEN", sim.client_token())
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(12), "took {took:?}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = check(&r, "probe.tools-call.stream");
    assert_eq!(c["code"], "sse.stalled", "{}", ids(&r));
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
    let (r, code) = probe(&sim, &[]);
    assert_eq!(code, 1);
    let c = check(&r, "probe.initialize");
    assert_eq!(c["code"], "discovery.redirect", "{}", ids(&r));
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
        let (r, _) = probe(&sim, &["--era", "2025"]);
        let c = check(&r, "probe.tools-call");
        assert_eq!(
            c["code"],
            "mcp.user-not-provisioned",
            "{pattern}: {}",
            ids(&r)
        );
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
    let (r, _) = probe(&sim, &["--era", "2025"]);
    let c = check(&r, "probe.tools-call");
    assert_eq!(c["code"], "mcp.api-key-rejected", "{}", ids(&r));
    assert!(c["fix"].as_str().unwrap().contains("context7-api-key"));
}

#[test]
fn context7_rejections_name_the_setting() {
    let sim = Sim::start("context7-rejects-audience");
    let (r, _) = probe(&sim, &["--era", "2025"]);
    let c = check(&r, "probe.initialize");
    assert_eq!(c["code"], "mcp.rejected-by-context7", "{}", ids(&r));
    assert!(c["detail"].as_str().unwrap().contains("Unknown audience"));
    assert!(c["fix"].as_str().unwrap().contains("Settings"));
    assert!(
        !c["fix"]
            .as_str()
            .unwrap()
            .contains("Overview › Microsoft Entra")
    );
    let sim = Sim::start("context7-rejects-scope");
    let (r, _) = probe(&sim, &["--era", "2026"]);
    let c = check(&r, "probe.discover");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("Missing required scope"),
        "{}",
        ids(&r)
    );
    let sim = Sim::start("context7-audience-taken");
    let (r, _) = probe(&sim, &["--era", "2025"]);
    let c = check(&r, "probe.initialize");
    assert_eq!(c["code"], "mcp.audience-other-teamspace");
    assert!(c["fix"].as_str().unwrap().contains("one teamspace"));
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
