//! Integration tests: the pattern detection's look at the gateway's PRM in `probe` and
//! `e2e` — sent beside the run's first requests rather than before them, shared with the
//! discovery walk in `e2e` (each well-known URL requested once), and still right when the
//! PRM is dead or slower than the detection's cap.

use serde_json::Value;
use std::time::Duration;

use crate::support::sim::{Profile, Sim, entra_token, profile};
use crate::support::{Report, Run};

/// The simulator's global options without `--pattern` (the user did not say: obo is the
/// default), so what is detected shows as `config.pattern`.
fn default_pattern_args(sim: &Sim) -> Vec<String> {
    let mut args = sim.args();
    let at = args.iter().position(|a| a == "--pattern").unwrap();
    args.drain(at..at + 2);
    args
}

/// `c7doctor <global> --timeout <t> <command> --format json <extra>` with the simulator's
/// client token and gateway secret.
fn run(sim: &Sim, timeout: &str, command: &str, extra: &[&str]) -> Report {
    let token = sim.client_token();
    run_with(sim, timeout, command, extra)
        .env("C7DOCTOR_TOKEN", token)
        .report()
}

/// The same without a client token.
fn run_with(sim: &Sim, timeout: &str, command: &str, extra: &[&str]) -> Run {
    Run::new()
        .args(default_pattern_args(sim))
        .args(["--timeout", timeout, command, "--format", "json"])
        .args(extra)
        .env("C7DOCTOR_GATEWAY_SECRET", entra_token::GATEWAY_SECRET)
        .fast()
        .timeout(Duration::from_secs(40))
}

/// A shared-key gateway (its PRM advertises `mcp.access`) with `faults` applied.
fn shared_key(faults: impl FnOnce(&mut Profile)) -> Sim {
    let mut p = profile("healthy-shared-key");
    faults(&mut p);
    Sim::with(p)
}

/// How many times the gateway was asked for each well-known PRM URL.
fn prm_gets(sim: &Sim) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for q in sim.requests_to("gateway") {
        if q.method != "GET"
            || !q
                .path()
                .starts_with("/.well-known/oauth-protected-resource")
        {
            continue;
        }
        match counts.iter_mut().find(|(p, _)| p == q.path()) {
            Some((_, n)) => *n += 1,
            None => counts.push((q.path().to_string(), 1)),
        }
    }
    counts
}

/// The `config.pattern` check's detail, which says what the pattern was read from.
fn detected_from(doc: &Report) -> String {
    let c = doc.check("config.pattern");
    assert_eq!(c["evidence"]["seen"], "shared-key", "{doc}");
    c["detail"].as_str().unwrap_or_default().to_string()
}

#[test]
fn e2e_asks_for_each_prm_url_once_and_detects_the_pattern_from_it() {
    // Detection and the discovery walk read the same GETs: one per well-known URL.
    let sim = shared_key(|_| {});
    let doc = run(&sim, "5", "e2e", &[]);
    let why = detected_from(&doc);
    assert!(why.contains("protected resource metadata"), "{why}");
    assert_eq!(doc.status("discovery.prm"), "pass", "{doc}");
    assert_eq!(doc.status("probe.tools-call"), "pass", "{doc}");
    let gets = prm_gets(&sim);
    let mut paths: Vec<&str> = gets.iter().map(|(p, _)| p.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/.well-known/oauth-protected-resource",
            "/.well-known/oauth-protected-resource/context7/mcp"
        ],
        "{gets:?}"
    );
    for (path, n) in &gets {
        assert_eq!(*n, 1, "{path} requested {n} times: {gets:?}");
    }
}

#[test]
fn a_dead_prm_leaves_the_pattern_to_the_token() {
    // No PRM (404): the detection answers at once from the client token, and the walk
    // reports the missing document as before.
    let sim = shared_key(|p| p.apim.prm_missing = true);
    for command in ["probe", "e2e"] {
        let doc = run(&sim, "5", command, &[]);
        let why = detected_from(&doc);
        assert!(why.contains("client token"), "{command}: {why}");
        assert!(
            !why.contains("protected resource metadata"),
            "{command}: {why}"
        );
        assert_eq!(doc.status("probe.tools-call"), "pass", "{command}: {doc}");
        if command == "e2e" {
            assert_eq!(doc.status("discovery.prm"), "fail", "{doc}");
        }
    }
}

#[test]
fn a_prm_slower_than_the_detection_cap_is_still_judged_by_the_walk() {
    // The PRM answers after 4.5 s: past the detection's 3 s cap (the pattern comes from the
    // token), within the walk's own --timeout (the document is found and judged). The one
    // GET per URL serves both.
    let sim = shared_key(|p| p.apim.prm_delay = Some(Duration::from_millis(4500)));
    let doc = run(&sim, "10", "e2e", &[]);
    let why = detected_from(&doc);
    assert!(why.contains("client token"), "{why}");
    assert!(!why.contains("protected resource metadata"), "{why}");
    assert_eq!(doc.status("discovery.prm"), "pass", "{doc}");
    assert_eq!(doc.status("probe.tools-call"), "pass", "{doc}");
    for (path, n) in prm_gets(&sim) {
        assert_eq!(n, 1, "{path} requested {n} times");
    }
}

#[test]
fn probe_speaks_to_the_mcp_endpoint_while_the_prm_look_is_out() {
    // This PRM answers only once the MCP endpoint has been asked something (else after
    // 10 s). A probe that waited for the PRM before its initialize would hit the
    // detection's 3 s cap and judge by the token alone; one that sends initialize beside
    // the look gets the PRM's answer.
    let sim = shared_key(|p| p.apim.prm_until_mcp = true);
    let doc = run(&sim, "5", "probe", &["--era", "2025"]);
    let why = detected_from(&doc);
    assert!(why.contains("protected resource metadata"), "{why}");
    assert_eq!(doc.status("probe.tools-call"), "pass", "{doc}");
    let first_mcp = sim
        .requests_to("gateway")
        .into_iter()
        .find(|q| q.path() == "/context7/mcp")
        .map(|q| {
            serde_json::from_slice::<Value>(&q.body).unwrap_or_default()["method"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
    assert_eq!(first_mcp.as_deref(), Some("initialize"));
}

#[test]
fn the_forged_token_is_shaped_for_the_pattern_the_prm_shows() {
    // No token, no policy, the default obo: the forged token goes out at once shaped for
    // obo, the PRM then says shared-key, and it is sent again for the MCP API app — the
    // one the check is judged by.
    let sim = shared_key(|_| {});
    let doc = run_with(&sim, "5", "e2e", &[])
        .env_remove("C7DOCTOR_TOKEN")
        .report();
    assert!(detected_from(&doc).contains("protected resource metadata"));
    assert_eq!(doc.status("e2e.negative.forged-token"), "pass", "{doc}");
    let claims = |q: &crate::support::sim::Recorded| -> Option<Value> {
        let bearer = q
            .header("authorization")?
            .strip_prefix("Bearer ")?
            .to_string();
        let mut parts = bearer.split('.');
        let header = parts.next()?;
        let payload = parts.next()?;
        let decode = |p: &str| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        };
        (decode(header)?["kid"] == "c7doctor-forged-key").then(|| decode(payload))?
    };
    let forged: Vec<Value> = sim
        .requests_to("gateway")
        .iter()
        .filter(|q| q.path() == "/context7/mcp")
        .filter_map(claims)
        .collect();
    assert!(!forged.is_empty() && forged.len() <= 2, "{forged:?}");
    let last = forged.last().unwrap();
    assert_eq!(last["aud"], sim.mcp_app_id.as_str(), "{forged:?}");
    assert_eq!(last["scp"], "mcp.access", "{forged:?}");
}
