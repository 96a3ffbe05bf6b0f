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
    profile_redirect_uri_no_vscode => "redirect-uri-no-vscode",
    profile_challenge_insufficient_claims => "challenge-insufficient-claims",
    profile_challenge_claims_with_metadata => "challenge-claims-with-metadata",
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
    "redirect-uri-no-vscode",
    "challenge-insufficient-claims",
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

// ---------------------------------------------------------------- authorize preflight

/// The redirect URI shapes of the client matrix, one hop each to the authority.
const REDIRECT_SHAPES: [&str; 3] = [
    "http://127.0.0.1:33418/",
    "http://localhost:47891/callback",
    "https://vscode.dev/redirect",
];

/// The `redirect_uri` of each authorize GET the simulated Entra received.
fn authorize_hops(sim: &Sim) -> Vec<String> {
    sim.requests_to("entra")
        .iter()
        .filter(|r| r.path().ends_with("/oauth2/v2.0/authorize"))
        .map(|r| {
            assert_eq!(r.method, "GET", "{}", r.uri);
            assert!(
                r.header("authorization").is_none(),
                "credential sent: {}",
                r.uri
            );
            assert!(r.header("cookie").is_none(), "cookie sent: {}", r.uri);
            let q = r.uri.split_once('?').map(|(_, q)| q).unwrap_or("");
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "redirect_uri")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Every redirect URI shape gets exactly its one GET to the authority — nothing signs in,
/// no second hop — and the preflight passes only when Entra shows its page for all.
#[test]
fn preflight_asks_entra_once_per_redirect_uri_shape() {
    let sim = Sim::start("healthy");
    let report = discover(&sim, &[]);
    let mut hops = authorize_hops(&sim);
    hops.sort();
    let mut want: Vec<String> = REDIRECT_SHAPES.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(hops, want, "one authorize GET per shape");
    assert!(
        !sim.requests_to("entra")
            .iter()
            .any(|r| r.path().ends_with("/sim-sign-in")
                || r.method == "POST" && r.path().ends_with("/authorize")),
        "the preflight went past the first hop"
    );
    let entra = report.check("discovery.authorize.entra");
    assert_eq!(entra["status"], "pass", "{entra}");
    let shapes = entra["evidence"]["redirect_uris"].as_array().unwrap();
    assert_eq!(shapes.len(), 3, "{entra}");
    for s in REDIRECT_SHAPES {
        assert!(entra["detail"].as_str().unwrap().contains(s), "{entra}");
    }
}

/// VS Code's broker redirect URI missing from the app (guide Part 2 Step 2.7 skipped): the
/// SDKs' loopback shapes sign in, Entra's error page refuses the broker (AADSTS50011), and
/// the VS Code row of the matrix names it.
#[test]
fn preflight_reads_the_error_page_for_the_vscode_broker() {
    let sim = Sim::start("redirect-uri-no-vscode");
    let report = discover(&sim, &[]);
    let entra = report.check("discovery.authorize.entra");
    assert_eq!(entra["code"], "discovery.authorize-refused", "{entra}");
    assert_eq!(entra["evidence"]["aadsts"], 50011, "{entra}");
    let detail = entra["detail"].as_str().unwrap();
    assert!(
        detail.contains("https://vscode.dev/redirect (VS Code")
            && !detail.contains("127.0.0.1:33418"),
        "{detail}"
    );
    assert!(
        entra["fix"]
            .as_str()
            .unwrap()
            .contains("explain AADSTS50011"),
        "{entra}"
    );
    let rows = report.check("discovery.clients")["evidence"]["clients"]
        .as_array()
        .unwrap()
        .clone();
    let row = |name: &str| rows.iter().find(|r| r["client"] == name).unwrap().clone();
    assert_eq!(row("ts-sdk-v1")["gets_through"], true);
    assert_eq!(row("ts-sdk-v2")["gets_through"], true);
    let vscode = row("vscode");
    assert_eq!(vscode["gets_through"], false, "{vscode}");
    assert_eq!(vscode["link"], "authorize");
    assert_eq!(
        vscode["sends"]["redirect_uri"],
        "https://vscode.dev/redirect"
    );
    assert!(
        vscode["error"].as_str().unwrap().starts_with("AADSTS50011"),
        "{vscode}"
    );
}

/// The other answer shapes: a redirect back with `error=`/`error_description=AADSTS…` in
/// the query (a missing scope, AADSTS900144; an unqualified one, AADSTS650053), and the
/// error page for every shape at once (no reply address at all, AADSTS500113).
#[test]
fn preflight_reads_error_redirects_and_pages_for_every_shape() {
    for (profile, aadsts) in [
        ("challenge-missing-no-prm", 900144),
        ("prm-scope-unqualified", 650053),
    ] {
        let sim = Sim::start(profile);
        let report = discover(&sim, &[]);
        let entra = report.check("discovery.authorize.entra");
        assert_eq!(
            entra["code"], "discovery.authorize-refused",
            "{profile}: {entra}"
        );
        assert_eq!(entra["evidence"]["aadsts"], aadsts, "{profile}: {entra}");
    }
    let mut p = crate::support::sim::profiles::profile("healthy");
    p.entra.no_redirect_uris = true;
    let sim = Sim::with(p);
    let report = discover(&sim, &[]);
    let entra = report.check("discovery.authorize.entra");
    assert_eq!(entra["evidence"]["aadsts"], 500113, "{entra}");
    let detail = entra["detail"].as_str().unwrap();
    for s in REDIRECT_SHAPES {
        assert!(detail.contains(s), "{s} not named: {detail}");
    }
    let rows = report.check("discovery.clients")["evidence"]["clients"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        rows.iter()
            .all(|r| r["gets_through"] == false && r["link"] == "authorize"),
        "{rows:?}"
    );
}

/// The client matrix, VS Code's row included, in all three formats.
#[test]
fn client_matrix_in_text_json_and_markdown() {
    let sim = Sim::start("redirect-uri-no-vscode");
    let json = discover(&sim, &[]);
    let rows = json.check("discovery.clients")["evidence"]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["client"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(rows, ["ts-sdk-v1", "ts-sdk-v2", "vscode"]);
    for format in ["text", "markdown"] {
        let out = Run::new()
            .sim(&sim)
            .args(["discovery", "--format", format])
            .code(1)
            .output();
        let text = out.stdout.clone();
        for line in [
            "TypeScript SDK v1 (@modelcontextprotocol/sdk 1.32): gets through",
            "TypeScript SDK v2 (@modelcontextprotocol/client 2.4): gets through",
            "VS Code (its own MCP client, modelled from microsoft/vscode): fails at authorize — AADSTS50011",
        ] {
            assert!(text.contains(line), "{format}: no {line:?} in\n{text}");
        }
    }
}

/// Entra's claims challenge is recognised and its claims named, whether it replaces the MCP
/// challenge (warn, with the well-known fallback) or stands beside it (info).
#[test]
fn claims_challenge_is_explained_not_called_missing() {
    let sim = Sim::start("challenge-insufficient-claims");
    let report = discover(&sim, &[]);
    assert!(!report.has("discovery.challenge-missing"), "{report}");
    let c = report.by_code("discovery.claims-challenge");
    assert_eq!(c["status"], "warn", "{c}");
    let detail = c["detail"].as_str().unwrap();
    assert!(
        detail
            .contains(r#"access_token.acrs = "c1" — a Conditional Access authentication context"#),
        "{detail}"
    );
    assert!(detail.contains("fall back to"), "{detail}");
    assert!(
        c["fix"].as_str().unwrap().contains(&format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
            sim.gateway
        )),
        "{c}"
    );

    let sim = Sim::start("challenge-claims-with-metadata");
    let report = discover(&sim, &[]);
    let c = report.check("discovery.challenge.claims");
    assert_eq!(c["status"], "info", "{c}");
    assert_eq!(c["code"], "discovery.claims-challenge");
    assert_eq!(report.status("discovery.challenge"), "pass");
    assert_eq!(report.verdict(), "pass", "{report}");
}

// ---------------------------------------------------------------- the resource parameter

/// `explain AADSTS9010010`, `discovery` (Entra confirms the refusal) and `policy` (the
/// guide's /authorize 302, which forwards the query) give one fix: the declared strip
/// snippet. A façade that deletes `resource` but builds the Location from OriginalUrl
/// still forwards it; the one that builds it from Url passes.
#[test]
fn resource_parameter_is_one_story() {
    use c7doctor::discovery::codes::STRIP_RESOURCE_POLICY;
    let explain = Run::new().args(["explain", "AADSTS9010010"]).output();
    assert!(
        explain.stdout.contains(STRIP_RESOURCE_POLICY),
        "{}",
        explain.stdout
    );

    let sim = Sim::start("resource-forwarded");
    let discovery = discover(&sim, &[]);
    let live = discovery.by_code("discovery.resource-rejected");
    assert_eq!(live["status"], "fail", "{live}");

    let fixture = |f: &str| format!("{}/fixtures/policy/{f}", env!("CARGO_MANIFEST_DIR"));
    let policy = Run::new()
        .args([
            "policy",
            &fixture("authorize-policy.xml"),
            "--host",
            &sim.gateway,
        ])
        .report();
    let linted = policy.by_code("discovery.resource-rejected");
    assert_eq!(linted["status"], "warn", "{linted}");
    assert!(
        linted["detail"].as_str().unwrap().contains("predicted"),
        "{linted}"
    );
    // The same declared fix, filled with the same resource (the MCP URL).
    assert_eq!(linted["fix"], live["fix"], "policy vs discovery fix");
    assert!(
        live["fix"]
            .as_str()
            .unwrap()
            .contains(STRIP_RESOURCE_POLICY)
    );
    assert!(live["fix"].as_str().unwrap().contains(&sim.mcp_url()));

    let original = Run::new()
        .args([
            "policy",
            &fixture("authorize-strips-resource-original-url.xml"),
        ])
        .report();
    let c = original.by_code("discovery.resource-rejected");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(c["detail"].as_str().unwrap().contains("OriginalUrl"), "{c}");
    let stripped = Run::new()
        .args([
            "policy",
            &fixture("real-world/authorize-strips-resource.xml"),
        ])
        .report();
    assert!(!stripped.has("discovery.resource-rejected"), "{stripped}");
    assert_eq!(stripped.status("policy.oauth-proxy.resource"), "pass");
}

/// A PRM sent with a Content-Encoding nobody asked for: gzip is decoded as the clients'
/// HTTP stacks do (the chain passes); an encoding c7doctor cannot decode is named in the
/// finding, not reported as "not UTF-8".
#[test]
fn unsolicited_content_encoding_is_decoded_or_named() {
    use crate::support::sim::profiles::profile;
    let mut p = profile("healthy");
    p.apim.prm_encoding = Some("gzip");
    let sim = Sim::with(p);
    let report = discover(&sim, &[]);
    assert_eq!(report.verdict(), "pass", "{report}");

    let mut p = profile("healthy");
    p.apim.prm_encoding = Some("br");
    let sim = Sim::with(p);
    let report = discover(&sim, &[]);
    let c = report.by_code("discovery.prm-invalid");
    let text = c.to_string();
    assert!(text.contains("Content-Encoding: br"), "{c}");
    assert!(!text.contains("UTF-8"), "{c}");
}
