//! Real clients as judges (DESIGN.md §8): both lines of the official TypeScript MCP SDK
//! (`@modelcontextprotocol/sdk` 1.x and `@modelcontextprotocol/client` 2.x, pinned in
//! `tests/ts-clients/package-lock.json`) sign in through every discovery profile of the
//! simulator with their own `auth()` (`tests/ts-clients/judge.mjs`), and c7doctor's
//! `discovery` verdict must agree:
//!
//! - a client that cannot sign in → c7doctor fails, and its client matrix says that client
//!   fails;
//! - a client that signs in → c7doctor passes, or the profile is in the README table
//!   "Discovery: where c7doctor is stricter than the TypeScript SDK clients", which this
//!   test keeps exact (a row too many or too few is a failure).
//!
//! Node.js is needed. Without it (or without `npm ci` in `tests/ts-clients`) the tests say
//! so on stderr and stop — outside CI only; under `CI` they fail.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::c7doctor;
use crate::support::sim::Sim;

const README_HEADING: &str =
    "## Discovery: where c7doctor is stricter than the TypeScript SDK clients";

fn harness_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ts-clients")
}

/// `Some(node)` when the judges can run; `None` (after saying so loudly) when they cannot
/// outside CI. Under CI a missing Node.js or package install is a failure.
fn judges_available() -> Option<PathBuf> {
    let node = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("node"))
            .find(|p| p.is_file())
    });
    let installed = harness_dir()
        .join("node_modules/@modelcontextprotocol/client/package.json")
        .is_file()
        && harness_dir()
            .join("node_modules/@modelcontextprotocol/sdk/package.json")
            .is_file();
    let why = match (&node, installed) {
        (None, _) => "node is not on PATH (apt-get install nodejs npm)",
        (Some(_), false) => "the SDK packages are not installed (npm ci --prefix tests/ts-clients)",
        (Some(n), true) => return Some(n.clone()),
    };
    if std::env::var_os("CI").is_some() {
        panic!("the TypeScript SDK judges cannot run under CI: {why}");
    }
    eprintln!("SKIPPED: TypeScript SDK agreement not checked: {why}");
    None
}

/// What one TypeScript client made of a profile.
#[derive(Debug, Clone)]
struct Judged {
    client: String,
    ok: bool,
    link: String,
    error: String,
    raw: Value,
}

fn run_judges(node: &PathBuf, sim: &Sim) -> Vec<Judged> {
    let args = json!({
        "mcp_url": sim.mcp_url(),
        "client_id": if sim.state.profile.pattern == "obo" { &sim.gateway_app_id } else { &sim.mcp_app_id },
        "authority": sim.authority,
        "clients": ["v1", "v2"],
    });
    let mut child = Command::new(node)
        .arg(harness_dir().join("judge.mjs"))
        .arg(args.to_string())
        .current_dir(harness_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start node");
    // The judge stops itself after 40 s; this is the backstop.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait node").is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the judge did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("judge output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let verdicts: Vec<Judged> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("judge line {l}: {e}"));
            Judged {
                client: v["client"].as_str().unwrap_or("").to_string(),
                ok: v["ok"].as_bool().unwrap_or(false),
                link: v["link"].as_str().unwrap_or("").to_string(),
                error: v["error"].as_str().unwrap_or("").to_string(),
                raw: v,
            }
        })
        .collect();
    assert_eq!(
        verdicts
            .iter()
            .map(|v| v.client.as_str())
            .collect::<Vec<_>>(),
        ["ts-sdk-v1", "ts-sdk-v2"],
        "judge output: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for v in &verdicts {
        assert!(
            v.link != "judge" && v.link != "timeout",
            "the judge itself failed: {}",
            v.raw
        );
    }
    verdicts
}

fn discover(sim: &Sim) -> Value {
    let out = c7doctor()
        .arg("discovery")
        .args(sim.args())
        .args(["--format", "json", "--timeout", "5"])
        .output()
        .expect("run c7doctor");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// The client matrix c7doctor reports: client name → gets through.
fn matrix(report: &Value) -> BTreeMap<String, (bool, String)> {
    let check = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "discovery.clients")
        .unwrap_or_else(|| panic!("no discovery.clients check: {report}"));
    check["evidence"]["clients"]
        .as_array()
        .unwrap_or_else(|| panic!("discovery.clients has no clients evidence: {check}"))
        .iter()
        .map(|c| {
            (
                c["client"].as_str().unwrap_or("").to_string(),
                (
                    c["gets_through"].as_bool().unwrap_or(false),
                    c["link"].as_str().unwrap_or("").to_string(),
                ),
            )
        })
        .collect()
}

/// The README table rows: profile → (clients it is stricter than, c7doctor's verdict).
fn readme_table() -> BTreeMap<String, (Vec<String>, String)> {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md");
    let start = readme
        .find(README_HEADING)
        .unwrap_or_else(|| panic!("README.md has no section {README_HEADING:?}"));
    let section = &readme[start + README_HEADING.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            assert!(
                cells.len() >= 4,
                "README row needs profile | clients | verdict | because: {l}"
            );
            assert!(!cells[3].is_empty(), "README row without a reason: {l}");
            let clients = cells[1]
                .split(',')
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect();
            (
                cells[0].trim_matches('`').to_string(),
                (clients, cells[2].to_string()),
            )
        })
        .collect()
}

fn check_agreement(name: &str) {
    let Some(node) = judges_available() else {
        return;
    };
    let sim = Sim::start(name);
    let judged = run_judges(&node, &sim);
    let report = discover(&sim);
    let verdict = report["verdict"].as_str().unwrap_or("").to_string();
    let model = matrix(&report);
    let mut through = Vec::new();
    for j in &judged {
        let (predicted, link) = model
            .get(&j.client)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: the client matrix has no {}: {model:?}", j.client));
        assert_eq!(
            predicted,
            j.ok,
            "{name}: c7doctor's model says {} {} (link {link}); the real client {} ({} at {}: {})",
            j.client,
            if predicted { "gets through" } else { "fails" },
            if j.ok { "signed in" } else { "failed" },
            j.client,
            j.link,
            j.error
        );
        if j.ok {
            through.push(j.client.clone());
        } else {
            assert_eq!(
                verdict, "fail",
                "{name}: {} cannot sign in ({} at {}) but c7doctor's verdict is {verdict}: more lenient than a real client",
                j.client, j.error, j.link
            );
        }
    }
    let table = readme_table();
    let stricter = verdict != "pass" && !through.is_empty();
    match table.get(name) {
        Some((clients, v)) => {
            assert!(
                stricter,
                "{name}: README says c7doctor is stricter than {clients:?} here, but c7doctor's verdict is {verdict} and {through:?} signed in; remove the row"
            );
            assert_eq!(clients, &through, "{name}: README clients column");
            assert_eq!(v, &verdict, "{name}: README verdict column");
        }
        None => assert!(
            !stricter,
            "{name}: c7doctor says {verdict} but {through:?} signed in: add a README row under {README_HEADING:?} saying why c7doctor is stricter, or fix the verdict"
        ),
    }
}

macro_rules! agreement_tests {
    ($($f:ident => $name:literal),* $(,)?) => {
        $( #[test] fn $f() { check_agreement($name); } )*

        /// Every discovery profile is judged, and every README row names one of them.
        #[test]
        fn every_discovery_profile_is_judged() {
            let judged = [$($name),*];
            for p in crate::support::expected::discovery_profiles() {
                assert!(judged.contains(&p), "profile {p} is not judged by the TypeScript clients");
            }
            for p in readme_table().keys() {
                assert!(judged.contains(&p.as_str()), "README stricter table names {p}, which is not a judged profile");
            }
        }
    };
}

agreement_tests! {
    ts_healthy => "healthy",
    ts_healthy_passthrough => "healthy-passthrough",
    ts_guide_verbatim => "guide-verbatim",
    ts_challenge_missing => "challenge-missing",
    ts_challenge_missing_no_prm => "challenge-missing-no-prm",
    ts_challenge_without_resource_metadata => "challenge-without-resource-metadata",
    ts_challenge_malformed => "challenge-malformed",
    ts_challenge_upstream => "challenge-upstream",
    ts_prm_missing => "prm-missing",
    ts_prm_invalid => "prm-invalid",
    ts_prm_path_only => "prm-path-only",
    ts_prm_placeholder => "prm-placeholder",
    ts_prm_resource_mismatch => "prm-resource-mismatch",
    ts_prm_scope_unqualified => "prm-scope-unqualified",
    ts_as_missing => "as-missing",
    ts_as_invalid => "as-invalid",
    ts_as_placeholder => "as-placeholder",
    ts_as_no_pkce => "as-no-pkce",
    ts_as_issuer_mismatch => "as-issuer-mismatch",
    ts_as_offline_access => "as-offline-access",
    ts_authorize_proxied => "authorize-proxied",
    ts_authorize_drops_query => "authorize-drops-query",
    ts_authorize_v1 => "authorize-v1",
    ts_token_route_missing => "token-route-missing",
    ts_tenant_missing => "tenant-missing",
    ts_jwks_mismatch => "jwks-mismatch",
    ts_endpoint_open => "endpoint-open",
    ts_endpoint_404 => "endpoint-404",
    ts_endpoint_html => "endpoint-html",
    ts_redirect_elsewhere => "redirect-elsewhere",
    ts_huge_body => "huge-body",
    ts_black_hole => "black-hole",
    ts_v1_tokens => "v1-tokens",
    ts_gateway_rejects => "gateway-rejects",
    ts_as_no_response_types => "as-no-response-types",
    ts_as_openid_only => "as-openid-only",
    ts_as_issuer_trailing_slash => "as-issuer-trailing-slash",
    ts_prm_path_suffixed_only => "prm-path-suffixed-only",
    ts_challenge_basic_first => "challenge-basic-first",
    ts_challenge_basic_two_headers => "challenge-basic-two-headers",
    ts_resource_forwarded => "resource-forwarded",
    ts_resource_identifier_uri => "resource-identifier-uri",
    ts_redirect_uri_unregistered => "redirect-uri-unregistered",
    ts_redirect_uri_no_vscode => "redirect-uri-no-vscode",
    ts_challenge_insufficient_claims => "challenge-insufficient-claims",
    ts_challenge_claims_with_metadata => "challenge-claims-with-metadata",
}
