//! Integration tests: `c7doctor discovery` through the real binary, against the gateway
//! simulator (one test per profile), the hostile servers, the `rmcp` client's own
//! discovery (the leak test is the one suite in leaks.rs).

use std::time::{Duration, Instant};

use crate::support::sim::Sim;
use crate::support::sim::hostile::{HostileServer, Kind};
use crate::support::{Report, Run, c7doctor, expected};

/// Run `discovery` against a simulator; the report (its exit code checked against the
/// verdict).
fn discover(sim: &Sim, extra: &[&str]) -> Report {
    Run::new().sim(sim).arg("discovery").args(extra).report()
}

fn check_profile(name: &str) {
    let sim = Sim::start(name);
    // Black hole: the contract is a verdict within --timeout + 1 s.
    let extra: &[&str] = if name == "black-hole" {
        &["--timeout", "2"]
    } else {
        &["--timeout", "5"]
    };
    let started = Instant::now();
    let report = discover(&sim, extra);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(10),
        "{name}: took {elapsed:?}"
    );
    let got = report.findings();
    let want = expected::of(name)
        .discovery
        .unwrap_or_else(|| panic!("{name}: no discovery column in support/expected.rs"));
    for (c, s) in want {
        assert!(
            report.has_status(c, s),
            "{name}: expected {c} {s}, got {got:?}"
        );
    }
    let fails = want.iter().any(|(_, s)| *s == "fail");
    for (c, s) in &got {
        // The client matrix fails with the link that stops the clients (checked against
        // the real clients in ts_clients.rs).
        if fails && *c == "discovery.clients-blocked" {
            continue;
        }
        if *s == "warn" || *s == "fail" {
            assert!(
                want.iter().any(|(wc, _)| wc == c),
                "{name}: unexpected {c} {s}; all: {got:?}"
            );
        }
    }
    let verdict = report.verdict();
    let want_verdict = if want.iter().any(|(_, s)| *s == "fail") {
        "fail"
    } else if want.iter().any(|(_, s)| *s == "warn") {
        "warn"
    } else {
        "pass"
    };
    assert_eq!(verdict, want_verdict, "{name}: {got:?}");
    // Discovery never sends a credential, and never follows anything to another host.
    for r in sim.requests() {
        assert!(
            r.header("authorization").is_none(),
            "{name}: Authorization sent to {} {}",
            r.server,
            r.uri
        );
    }
    assert!(
        sim.requests_to("elsewhere").is_empty(),
        "{name}: requests reached another host: {:?}",
        sim.requests_to("elsewhere")
    );
}

macro_rules! profile_tests {
    ($($f:ident => $name:literal),* $(,)?) => {
        $(
            mod $f {
                #[test]
                fn report() {
                    super::check_profile($name);
                }
                #[test]
                fn rmcp_agrees() {
                    super::check_rmcp_agreement($name);
                }
            }
        )*

        /// Every profile with a discovery column in the table has a test above.
        #[test]
        fn every_discovery_profile_is_tested() {
            let tested = [$($name),*];
            for p in expected::discovery_profiles() {
                assert!(tested.contains(&p), "profile {p} has no discovery test");
            }
        }
    };
}

profile_tests! {
    profile_healthy => "healthy",
    profile_healthy_passthrough => "healthy-passthrough",
    profile_guide_verbatim => "guide-verbatim",
    profile_challenge_missing => "challenge-missing",
    profile_challenge_missing_no_prm => "challenge-missing-no-prm",
    profile_challenge_without_resource_metadata => "challenge-without-resource-metadata",
    profile_challenge_malformed => "challenge-malformed",
    profile_challenge_upstream => "challenge-upstream",
    profile_prm_missing => "prm-missing",
    profile_prm_invalid => "prm-invalid",
    profile_prm_path_only => "prm-path-only",
    profile_prm_placeholder => "prm-placeholder",
    profile_prm_resource_mismatch => "prm-resource-mismatch",
    profile_prm_scope_unqualified => "prm-scope-unqualified",
    profile_as_missing => "as-missing",
    profile_as_invalid => "as-invalid",
    profile_as_placeholder => "as-placeholder",
    profile_as_no_pkce => "as-no-pkce",
    profile_as_issuer_mismatch => "as-issuer-mismatch",
    profile_as_offline_access => "as-offline-access",
    profile_authorize_proxied => "authorize-proxied",
    profile_authorize_drops_query => "authorize-drops-query",
    profile_authorize_v1 => "authorize-v1",
    profile_token_route_missing => "token-route-missing",
    profile_tenant_missing => "tenant-missing",
    profile_jwks_mismatch => "jwks-mismatch",
    profile_endpoint_open => "endpoint-open",
    profile_endpoint_404 => "endpoint-404",
    profile_endpoint_html => "endpoint-html",
    profile_redirect_elsewhere => "redirect-elsewhere",
    profile_huge_body => "huge-body",
    profile_black_hole => "black-hole",
    profile_v1_tokens => "v1-tokens",
    profile_gateway_rejects => "gateway-rejects",
    profile_as_no_response_types => "as-no-response-types",
    profile_as_openid_only => "as-openid-only",
    profile_as_issuer_trailing_slash => "as-issuer-trailing-slash",
    profile_prm_path_suffixed_only => "prm-path-suffixed-only",
    profile_challenge_basic_first => "challenge-basic-first",
    profile_challenge_basic_two_headers => "challenge-basic-two-headers",
    profile_resource_forwarded => "resource-forwarded",
    profile_resource_identifier_uri => "resource-identifier-uri",
    profile_redirect_uri_unregistered => "redirect-uri-unregistered",
}

#[test]
fn healthy_reports_no_dcr_and_the_mcp_json() {
    let sim = Sim::start("healthy");
    let report = discover(&sim, &[]);
    let dcr = report.by_code("discovery.no-dcr");
    assert_eq!(dcr["status"], "info");
    assert!(
        dcr["detail"]
            .as_str()
            .unwrap()
            .contains(&sim.gateway_app_id)
    );
    let text = report.json.to_string();
    assert!(text.contains(r#"\"url\": \""#) || text.contains("mcp.json"));
    assert!(text.contains(&sim.mcp_url()));
}

#[test]
fn host_forms_are_equivalent() {
    let sim = Sim::start("healthy");
    // Origin (via --host, in sim.args()), full MCP URL as the argument.
    let report = Run::new()
        .arg("discovery")
        .arg(sim.mcp_url())
        .args(["--authority", &sim.authority, "--tenant-id", &sim.tenant_id])
        .args(["--gateway-app-id", &sim.gateway_app_id])
        .report();
    assert_eq!(report.verdict(), "pass", "{report}");
    assert_eq!(report["context"]["mcp_url"], sim.mcp_url());
}

#[test]
fn missing_host_is_a_usage_error() {
    c7doctor().arg("discovery").assert().code(2);
}

#[test]
fn plain_http_on_a_real_host_is_warned() {
    // Nothing listens there; the warning comes before any request.
    let report = Run::new()
        .args([
            "discovery",
            "http://c7doctor-plain-http.invalid",
            "--timeout",
            "2",
        ])
        .report();
    report.assert_code("discovery.plain-http", "warn");
    report.assert_code("discovery.unreachable", "fail");
}

// ---------------------------------------------------------------- hostile servers

/// The finding each hostile server must end with.
fn hostile_expected() -> Vec<(Kind, &'static str)> {
    vec![
        (Kind::BlackHole, "discovery.unreachable"),
        (Kind::Trickle, "discovery.unreachable"),
        (Kind::HugeBody, "discovery.prm-invalid"),
        (Kind::InvalidUtf8, "discovery.prm-invalid"),
        (Kind::InvalidJson, "discovery.prm-invalid"),
        (Kind::DeepJson, "discovery.prm-invalid"),
        (Kind::RedirectLoop, "discovery.redirect"),
        (Kind::RedirectElsewhere, "discovery.redirect"),
        (Kind::ResetMidBody, "discovery.unreachable"),
        (Kind::ZeroByte, "discovery.unreachable"),
        (Kind::TlsGarbage, "discovery.unreachable"),
    ]
}

fn check_hostile(kind: Kind) {
    let want = hostile_expected()
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| c)
        .unwrap();
    let server = HostileServer::start(kind);
    let started = Instant::now();
    let report = Run::new()
        .args(["discovery", &server.url, "--timeout", "2"])
        .env(
            "C7DOCTOR_TOKEN",
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWhvc3RpbGU",
        )
        .timeout(Duration::from_secs(30))
        .code(1)
        .report();
    let elapsed = started.elapsed();
    // --timeout 2 + 1 s is the contract; 10 s is a generous bound for a loaded machine.
    assert!(
        elapsed < Duration::from_secs(10),
        "{kind:?} took {elapsed:?}"
    );
    assert!(
        report.has_status(want, "fail"),
        "{kind:?}: expected {want} fail, got {:?}",
        report.findings()
    );
    for r in server.requests() {
        assert!(
            r.header("authorization").is_none(),
            "{kind:?}: Authorization sent to {} {}",
            r.server,
            r.uri
        );
        assert_ne!(
            r.server, "elsewhere",
            "{kind:?}: a redirect was followed to {}",
            r.uri
        );
    }
}

macro_rules! hostile_tests {
    ($($f:ident => $kind:expr),* $(,)?) => {
        $( #[test] fn $f() { check_hostile($kind); } )*
    };
}

hostile_tests! {
    hostile_black_hole => Kind::BlackHole,
    hostile_trickle => Kind::Trickle,
    hostile_huge_body => Kind::HugeBody,
    hostile_invalid_utf8 => Kind::InvalidUtf8,
    hostile_invalid_json => Kind::InvalidJson,
    hostile_deep_json => Kind::DeepJson,
    hostile_redirect_loop => Kind::RedirectLoop,
    hostile_redirect_elsewhere => Kind::RedirectElsewhere,
    hostile_reset_mid_body => Kind::ResetMidBody,
    hostile_zero_byte => Kind::ZeroByte,
    hostile_tls_garbage => Kind::TlsGarbage,
}

#[test]
fn tls_failure_is_named() {
    let server = HostileServer::start(Kind::TlsGarbage);
    let report = Run::new()
        .args(["discovery", &server.url, "--timeout", "2"])
        .report();
    let endpoint = report.check("discovery.endpoint");
    assert_eq!(endpoint["evidence"]["failure"], "tls", "{endpoint}");
}

// Leaks: the one leak suite (tests/integration/leaks.rs) runs discovery in every format.

// ---------------------------------------------------------------- rmcp agreement

/// What the official Rust MCP SDK's discovery makes of a profile: `Ok(source)` when it
/// found published metadata, `Err(why)` when it failed (or only synthesized endpoints).
fn rmcp_discovery(mcp_url: &str) -> Result<String, String> {
    use rmcp::transport::auth::AuthorizationManager;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let fut = async {
            let manager = AuthorizationManager::new(mcp_url)
                .await
                .map_err(|e| format!("new: {e}"))?;
            let res = manager
                .resolve_metadata()
                .await
                .map_err(|e| format!("{e}"))?;
            if res.source.is_discovered() {
                Ok(format!("{:?}", res.source))
            } else {
                Err("no metadata published (legacy endpoints synthesized)".to_string())
            }
        };
        match tokio::time::timeout(Duration::from_secs(3), fut).await {
            Ok(r) => r,
            Err(_) => Err("no answer within 3 s".into()),
        }
    })
}

/// Profiles where the SDK's discovery fails, with the `fail` c7doctor must report for the
/// same link.
const RMCP_FAILS: &[(&str, &str)] = &[
    ("challenge-upstream", "discovery.challenge-upstream"),
    ("prm-placeholder", "discovery.prm-resource"),
    ("prm-resource-mismatch", "discovery.prm-resource"),
    ("as-missing", "discovery.as-missing"),
    ("as-invalid", "discovery.as-invalid"),
    ("as-placeholder", "discovery.as-issuer"),
    ("as-issuer-mismatch", "discovery.as-issuer"),
    ("redirect-elsewhere", "discovery.redirect"),
    ("huge-body", "discovery.prm-invalid"),
    ("black-hole", "discovery.unreachable"),
];

/// Profiles where the SDK's discovery succeeds but c7doctor fails or warns: c7doctor is
/// stricter on purpose (other clients, older spec revisions, strict RFC 9728/8414, and the
/// links after metadata that the SDK's discovery does not walk). Each is explained in one
/// line in the README ("Discovery: where c7doctor is stricter than rmcp").
const STRICTER_THAN_RMCP: &[&str] = &[
    "guide-verbatim",
    "challenge-missing",
    "challenge-missing-no-prm",
    "challenge-without-resource-metadata",
    "challenge-malformed",
    "prm-missing",
    "prm-invalid",
    "prm-path-only",
    "prm-scope-unqualified",
    "as-no-pkce",
    "as-offline-access",
    "authorize-proxied",
    "authorize-drops-query",
    "authorize-v1",
    "token-route-missing",
    "tenant-missing",
    "jwks-mismatch",
    "endpoint-open",
    "endpoint-404",
    "endpoint-html",
    "as-no-response-types",
    "as-openid-only",
    "as-issuer-trailing-slash",
    "prm-path-suffixed-only",
    "challenge-basic-first",
    "challenge-basic-two-headers",
    "resource-forwarded",
    "resource-identifier-uri",
    "redirect-uri-unregistered",
];

fn check_rmcp_agreement(name: &str) {
    let sim = Sim::start(name);
    let rmcp = rmcp_discovery(&sim.mcp_url());
    let report = discover(&sim, &["--timeout", "2"]);
    let got = report.findings();
    match &rmcp {
        Err(why) => {
            let code = RMCP_FAILS
                .iter()
                .find(|(p, _)| *p == name)
                .map(|(_, c)| *c)
                .unwrap_or_else(|| {
                    panic!("{name}: rmcp fails ({why}) but the profile is not in RMCP_FAILS")
                });
            assert!(
                report.has_status(code, "fail"),
                "{name}: rmcp fails ({why}); c7doctor must fail with {code}, got {got:?}"
            );
        }
        Ok(source) => {
            assert!(
                !RMCP_FAILS.iter().any(|(p, _)| *p == name),
                "{name}: listed in RMCP_FAILS but rmcp succeeds ({source})"
            );
            let stricter = got.iter().any(|(_, s)| *s == "fail" || *s == "warn");
            assert_eq!(
                stricter,
                STRICTER_THAN_RMCP.contains(&name),
                "{name}: rmcp succeeds ({source}); c7doctor findings {got:?}; update STRICTER_THAN_RMCP and the README section"
            );
        }
    }
}

/// The README's section on the stricter cases explains each of them on its own line.
#[test]
fn stricter_cases_are_documented() {
    const HEADING: &str = "## Discovery: where c7doctor is stricter than rmcp";
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md");
    let start = readme
        .find(HEADING)
        .expect("README has the stricter-than-rmcp section");
    let section = &readme[start + HEADING.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    for p in STRICTER_THAN_RMCP {
        assert!(
            section.lines().any(|l| l.starts_with(&format!("- `{p}`"))),
            "README.md ({HEADING}) does not explain {p}"
        );
    }
}

// ---------------------------------------------------------------- only configured hosts

/// A PRM `authorization_servers` entry or an AS `jwks_uri` outside the gateway's and the
/// authority's origins is reported with its URL and never fetched.
#[test]
fn hosts_only_documents_name_are_reported_not_fetched() {
    use crate::support::sim::profiles::{ApimFaults, profile};
    for (field, faults) in [
        (
            "authorization_servers",
            ApimFaults {
                prm_body: Some(
                    r#"{"resource": "{gateway}/context7/mcp", "authorization_servers": ["{elsewhere}", "http://169.254.169.254/latest"], "scopes_supported": ["api://x/Mcp.Gateway.Access"]}"#
                        .into(),
                ),
                ..ApimFaults::default()
            },
        ),
        (
            "jwks_uri",
            ApimFaults {
                jwks_uri: Some("{elsewhere}/discovery/keys".into()),
                ..ApimFaults::default()
            },
        ),
    ] {
        let mut p = profile("healthy");
        p.apim = faults;
        let sim = Sim::with(p);
        let report = discover(&sim, &["--timeout", "3"]);
        let hits = report.with_code("discovery.host-not-configured");
        assert!(!hits.is_empty(), "{field}: no host-not-configured in {report}");
        for h in &hits {
            assert_eq!(h["status"], "fail", "{h}");
            let url = h["evidence"]["url"].as_str().unwrap();
            assert!(
                url.starts_with(&sim.elsewhere) || url.starts_with("http://169.254.169.254"),
                "{field}: {url}"
            );
        }
        if field == "authorization_servers" {
            assert_eq!(hits.len(), 2, "{field}: both foreign servers reported: {hits:?}");
        }
        assert!(
            sim.requests_to("elsewhere").is_empty(),
            "{field}: a document's host was fetched: {:?}",
            sim.requests_to("elsewhere")
        );
    }
}
