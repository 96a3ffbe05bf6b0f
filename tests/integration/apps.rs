//! `c7doctor apps`: the two app registrations, from `az` documents and through the
//! simulated Microsoft Graph. Every `apps.*` code is raised both ways from the same
//! mistake ([`Broken`]), so the offline and the live path agree.

use crate::support::sim::Ids;
use crate::support::sim::graph::{Broken, Docs, GRAPH_TOKEN, GraphError, GraphFaults, GraphSim};
use crate::support::{Report, Run, fixture};

const GATEWAY_FILES: [&str; 5] = [
    "apps/gateway-app.json",
    "apps/mcp-app.json",
    "apps/gateway-sp.json",
    "apps/mcp-sp.json",
    "apps/grants.json",
];

fn id_args() -> Vec<String> {
    let ids = Ids::load();
    vec![
        "--tenant-id".into(),
        ids.tenant_id,
        "--gateway-app-id".into(),
        ids.gateway_app_id,
        "--mcp-app-id".into(),
        ids.mcp_app_id,
    ]
}

/// Run `c7doctor apps` with these arguments (and env); the report, its exit code checked
/// against the verdict.
fn apps(args: &[String], env: &[(&str, &str)]) -> Report {
    let mut run = Run::new().arg("apps").args(args);
    for (k, v) in env {
        run = run.env(*k, *v);
    }
    run.report()
}

fn offline(docs: &Docs, extra: &[&str]) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args: Vec<String> = docs
        .write(dir.path())
        .into_iter()
        .map(|p| p.display().to_string())
        .collect();
    args.extend(id_args());
    args.extend(extra.iter().map(|s| s.to_string()));
    apps(&args, &[])
}

fn live(faults: GraphFaults, extra: &[&str]) -> (Report, GraphSim) {
    let graph = GraphSim::start(faults);
    let mut args = vec![
        "--graph".to_string(),
        "--graph-url".into(),
        graph.url.clone(),
    ];
    args.extend(id_args());
    args.extend(extra.iter().map(|s| s.to_string()));
    let report = apps(&args, &[("C7DOCTOR_GRAPH_TOKEN", GRAPH_TOKEN)]);
    (report, graph)
}

fn assert_finding(report: &Report, id: &str, code: &str, status: &str) {
    let c = report.check(id);
    assert_eq!(c["code"], code, "{id}:\n{report}");
    assert_eq!(c["status"], status, "{id}:\n{report}");
    assert!(
        c["fix"]
            .as_str()
            .is_some_and(|f| !f.is_empty() && !f.contains('{')),
        "{id} has a filled-in fix: {c}"
    );
}

fn no_warnings(report: &Report) {
    assert!(
        report
            .findings()
            .iter()
            .all(|(_, s)| *s != "warn" && *s != "fail"),
        "warnings or failures:\n{report}"
    );
}

#[test]
fn healthy_pair_from_files_has_no_warning() {
    let mut args: Vec<String> = GATEWAY_FILES
        .iter()
        .map(|f| fixture(f).display().to_string())
        .collect();
    args.extend(id_args());
    let report = apps(&args, &[]);
    no_warnings(&report);
    assert_eq!(report.code, 0, "{}", report);
    for id in [
        "apps.gateway.token-version",
        "apps.mcp.token-version",
        "apps.gateway.scope",
        "apps.mcp.scope",
        "apps.gateway.permission",
        "apps.gateway.consent",
        "apps.mcp.preauthorized",
        "apps.gateway.client.vscode",
        "apps.gateway.client.azure-cli",
        "apps.gateway.credential",
        "apps.gateway.redirect-uri",
        "apps.gateway.sign-in-audience",
    ] {
        assert_eq!(report.check(id)["status"], "pass", "{id}: {}", report);
    }
}

#[test]
fn healthy_pair_through_graph_has_no_warning() {
    let (report, graph) = live(GraphFaults::default(), &[]);
    no_warnings(&report);
    assert_eq!(report.code, 0, "{}", report);
    assert_eq!(report.check("apps.gateway.consent")["status"], "pass");
    // Read-only: every request a GET, each with the Graph token.
    let lines = graph.log.lines();
    assert!(lines.len() >= 5, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.starts_with("GET /v1.0/")),
        "{lines:?}"
    );
}

/// One mistake, the finding it must produce, with its extra arguments.
struct Case {
    broken: &'static [Broken],
    extra: &'static [&'static str],
    id: &'static str,
    code: &'static str,
    status: &'static str,
}

const CASES: &[Case] = &[
    Case {
        broken: &[Broken::GatewayTokenV1],
        extra: &[],
        id: "apps.gateway.token-version",
        code: "apps.token-version",
        status: "fail",
    },
    Case {
        broken: &[Broken::McpNoIdentifierUri],
        extra: &[],
        id: "apps.mcp.identifier-uri",
        code: "apps.identifier-uri",
        status: "fail",
    },
    Case {
        broken: &[Broken::McpScopeCase],
        extra: &[],
        id: "apps.mcp.scope",
        code: "apps.scope-missing",
        status: "fail",
    },
    Case {
        broken: &[Broken::GatewayScopeTypo],
        extra: &[],
        id: "apps.gateway.scope",
        code: "apps.scope-missing",
        status: "fail",
    },
    Case {
        broken: &[Broken::McpScopeDisabled],
        extra: &[],
        id: "apps.mcp.scope",
        code: "apps.scope-missing",
        status: "fail",
    },
    Case {
        broken: &[Broken::NoPermission],
        extra: &[],
        id: "apps.gateway.permission",
        code: "apps.permission-missing",
        status: "fail",
    },
    Case {
        broken: &[Broken::NoConsent],
        extra: &[],
        id: "apps.gateway.consent",
        code: "apps.consent-missing",
        status: "fail",
    },
    Case {
        broken: &[Broken::NoGatewayPreauth],
        extra: &[],
        id: "apps.mcp.preauthorized",
        code: "apps.preauthorized",
        status: "info",
    },
    Case {
        broken: &[Broken::NoClientPreauth],
        extra: &[],
        id: "apps.gateway.client.vscode",
        code: "apps.preauthorized",
        status: "info",
    },
    Case {
        broken: &[Broken::NoClientPreauth],
        extra: &["--client", "azure-cli"],
        id: "apps.gateway.client.azure-cli",
        code: "apps.preauthorized",
        status: "warn",
    },
    Case {
        broken: &[Broken::NoSecret],
        extra: &[],
        id: "apps.gateway.credential",
        code: "apps.secret-missing",
        status: "fail",
    },
    Case {
        broken: &[Broken::SecretExpired],
        extra: &[],
        id: "apps.gateway.credential",
        code: "apps.secret-expired",
        status: "fail",
    },
    Case {
        broken: &[Broken::SecretExpiring],
        extra: &[],
        id: "apps.gateway.credential",
        code: "apps.secret-expiring",
        status: "warn",
    },
    Case {
        broken: &[Broken::NoRedirect],
        extra: &[],
        id: "apps.gateway.redirect-uri",
        code: "apps.redirect-uri",
        status: "warn",
    },
    Case {
        broken: &[Broken::NoRedirect],
        extra: &["--client", "vscode"],
        id: "apps.gateway.redirect-uri",
        code: "apps.redirect-uri",
        status: "fail",
    },
    Case {
        broken: &[Broken::RedirectAsSpa],
        extra: &[],
        id: "apps.gateway.redirect-uri",
        code: "apps.redirect-uri",
        status: "fail",
    },
    Case {
        broken: &[Broken::MultiTenant],
        extra: &[],
        id: "apps.gateway.sign-in-audience",
        code: "apps.sign-in-audience",
        status: "warn",
    },
    Case {
        broken: &[],
        extra: &["--host", "https://contoso.azure-api.net"],
        id: "apps.gateway.resource-identifier",
        code: "apps.resource-identifier",
        status: "warn",
    },
];

#[test]
fn every_code_from_documents() {
    for case in CASES {
        let report = offline(&Docs::broken(case.broken), case.extra);
        assert_finding(&report, case.id, case.code, case.status);
        let expected_exit = if case.status == "fail" { 1 } else { 0 };
        assert_eq!(report.code, expected_exit, "{:?}: {}", case.broken, report);
    }
}

#[test]
fn every_code_through_graph() {
    for case in CASES {
        let faults = GraphFaults {
            broken: case.broken.to_vec(),
            ..GraphFaults::default()
        };
        let (report, _g) = live(faults, case.extra);
        assert_finding(&report, case.id, case.code, case.status);
    }
}

#[test]
fn scope_near_misses_are_named() {
    let report = offline(&Docs::broken(&[Broken::McpScopeCase]), &[]);
    let detail = report.check("apps.mcp.scope")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("mcp.Access") && detail.contains("case-sensitive"),
        "{detail}"
    );
    let report = offline(&Docs::broken(&[Broken::GatewayScopeTypo]), &[]);
    let detail = report.check("apps.gateway.scope")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("Mcp.Gateway.Acess") && detail.contains("1 character"),
        "{detail}"
    );
}

#[test]
fn obo_chain_fails_only_when_no_path_remains() {
    // Admin consent alone: the missing pre-authorization is a note, nothing fails.
    let report = offline(&Docs::broken(&[Broken::NoGatewayPreauth]), &[]);
    assert_eq!(report.code, 0, "{}", report);
    assert_eq!(report.check("apps.gateway.consent")["status"], "pass");
    // Pre-authorization alone (no grant): still a path; consent is a note.
    let mut docs = Docs::healthy();
    docs.grants["value"] = serde_json::json!([]);
    let report = offline(&docs, &[]);
    assert_eq!(report.code, 0, "{}", report);
    assert_eq!(report.check("apps.gateway.consent")["status"], "info");
    // Neither: AADSTS65001 predicted, exactly one failure in the chain.
    let report = offline(&Docs::broken(&[Broken::NoConsent]), &[]);
    let c = report.check("apps.gateway.consent");
    assert!(c["detail"].as_str().unwrap().contains("AADSTS65001"), "{c}");
    assert_eq!(report.check("apps.gateway.permission")["status"], "pass");
    // Without the grants document the consent is unknown, not failed.
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = Docs::broken(&[Broken::NoGatewayPreauth])
        .write(dir.path())
        .into_iter()
        .filter(|p| !p.ends_with("grants.json"))
        .map(|p| p.display().to_string())
        .collect();
    args.extend(id_args());
    let report = apps(&args, &[]);
    assert_eq!(
        report.check("apps.gateway.consent")["status"],
        "skip",
        "{}",
        report
    );
}

#[test]
fn at_sets_now_for_the_secret() {
    let report = offline(&Docs::healthy(), &["--at", "2027-08-20T00:00:00Z"]);
    assert_finding(
        &report,
        "apps.gateway.credential",
        "apps.secret-expiring",
        "warn",
    );
    let c = report.check("apps.gateway.credential");
    assert!(c["detail"].as_str().unwrap().contains("2027-09-02"), "{c}");
    let report = offline(&Docs::healthy(), &["--at", "2027-10-01T00:00:00Z"]);
    assert_finding(
        &report,
        "apps.gateway.credential",
        "apps.secret-expired",
        "fail",
    );
}

#[test]
fn resource_identifier_passes_when_the_url_is_an_identifier() {
    let mut docs = Docs::healthy();
    docs.gateway_app["identifierUris"] = serde_json::json!([
        "api://1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "https://mcp.contoso.com/context7"
    ]);
    let report = offline(&docs, &["--host", "https://mcp.contoso.com"]);
    assert_eq!(
        report.check("apps.gateway.resource-identifier")["status"],
        "pass"
    );
}

#[test]
fn missing_app_is_not_found_with_the_export_command() {
    let args: Vec<String> = ["apps/mcp-app.json", "apps/mcp-sp.json"]
        .iter()
        .map(|f| fixture(f).display().to_string())
        .chain(id_args())
        .collect();
    let report = apps(&args, &[]);
    assert_eq!(report.code, 1);
    assert_finding(&report, "apps.gateway.found", "apps.not-found", "fail");
    let fix = report.check("apps.gateway.found")["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        fix.contains("az ad app show --id 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
        "{fix}"
    );
    // Through Graph: the tenant has no such application.
    let (report, _g) = live(
        GraphFaults {
            broken: vec![Broken::GatewayMissing],
            ..GraphFaults::default()
        },
        &[],
    );
    assert_finding(&report, "apps.gateway.found", "apps.not-found", "fail");
}

#[test]
fn passthrough_audits_the_mcp_api_app_only() {
    let args: Vec<String> = ["apps/mcp-app.json", "apps/mcp-sp.json"]
        .iter()
        .map(|f| fixture(f).display().to_string())
        .chain(id_args())
        .chain(["--pattern".to_string(), "passthrough".to_string()])
        .collect();
    let report = apps(&args, &[]);
    assert!(
        report
            .checks()
            .iter()
            .all(|c| !c["id"].as_str().unwrap().starts_with("apps.gateway.")),
        "{}",
        report
    );
    assert_eq!(report.check("apps.mcp.token-version")["status"], "pass");
}

#[test]
fn roles_are_inferred_without_app_ids() {
    let args: Vec<String> = GATEWAY_FILES
        .iter()
        .map(|f| fixture(f).display().to_string())
        .collect();
    let report = apps(&args, &[]);
    assert_eq!(
        report.check("apps.gateway.found")["status"],
        "pass",
        "{}",
        report
    );
    assert_eq!(report.check("apps.mcp.found")["status"], "pass");
    assert_eq!(report.check("apps.input.roles")["status"], "info");
}

// ---- bad input ----

fn input_findings(files: &[String]) -> Report {
    let mut args = files.to_vec();
    args.extend(id_args());
    apps(&args, &[])
}

#[test]
fn files_that_are_not_documents_are_named() {
    for (file, needle) in [
        ("apps/az-ad-app-list.json", "az ad app list"),
        ("apps/arm-template.json", "ARM template"),
        ("apps/proxy-page.html", "HTML"),
    ] {
        let path = fixture(file).display().to_string();
        let report = input_findings(std::slice::from_ref(&path));
        let c = report.check("apps.input.1");
        assert_eq!(c["code"], "apps.input-invalid", "{file}");
        assert_eq!(c["status"], "fail");
        let detail = c["detail"].as_str().unwrap();
        assert!(
            detail.contains(&path) && detail.contains(needle),
            "{detail}"
        );
    }
}

#[test]
fn federated_credentials_are_recognised() {
    let report = input_findings(&[fixture("apps/federated-credentials.json")
        .display()
        .to_string()]);
    let c = report.check("apps.input.1");
    assert_eq!(c["status"], "pass", "{c}");
}

#[test]
fn conflicting_and_duplicate_documents() {
    let dir = tempfile::tempdir().unwrap();
    let healthy = fixture("apps/gateway-app.json").display().to_string();
    let copy = dir.path().join("copy.json");
    std::fs::copy(&healthy, &copy).unwrap();
    let mut other = Docs::broken(&[Broken::GatewayTokenV1]).gateway_app;
    other["displayName"] = "Context7 APIM Gateway (old export)".into();
    let conflicting = dir.path().join("old.json");
    std::fs::write(&conflicting, other.to_string()).unwrap();
    let report = input_findings(&[
        healthy,
        copy.display().to_string(),
        conflicting.display().to_string(),
    ]);
    assert_eq!(report.check("apps.input.2")["status"], "pass", "{}", report);
    let c = report.check("apps.input.3");
    assert_eq!(
        (c["code"].as_str(), c["status"].as_str()),
        (Some("apps.input-invalid"), Some("fail"))
    );
    assert!(c["detail"].as_str().unwrap().contains("old.json"), "{c}");
    // The first document is the one audited.
    assert_eq!(report.check("apps.gateway.token-version")["status"], "pass");
}

#[test]
fn huge_deep_and_broken_files_are_bounded_findings() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.json");
    // A 5 MiB list: more than the 4 MiB read.
    let item = r#"{"appId":"00000000-0000-4000-8000-000000000000","api":{}},"#;
    let mut text = String::from("[");
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(item);
    }
    text.push_str("{}]");
    std::fs::write(&huge, text).unwrap();
    let deep = dir.path().join("deep.json");
    std::fs::write(&deep, "[".repeat(100_000)).unwrap();
    let typed = dir.path().join("typed.json");
    std::fs::write(
        &typed,
        r#"{"appId":"x","api":{"requestedAccessTokenVersion":"two"}}"#,
    )
    .unwrap();
    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let report = input_findings(&[&huge, &deep, &typed, &binary].map(|p| p.display().to_string()));
    for (n, needle) in [
        (1, "larger than 4 MiB"),
        (2, "not valid JSON"),
        (3, "invalid type: string \"two\""),
        (4, "not UTF-8"),
    ] {
        let c = report.check(&format!("apps.input.{n}"));
        assert_eq!(c["code"], "apps.input-invalid", "{c}");
        assert!(c["detail"].as_str().unwrap().contains(needle), "{c}");
    }
}

#[test]
fn unreadable_path_is_a_usage_error() {
    let out = Run::new()
        .args(["apps", "/nonexistent/gateway-app.json"])
        .code(2)
        .output();
    assert!(
        out.stderr.contains("/nonexistent/gateway-app.json"),
        "{out}"
    );
}

// ---- Graph errors ----

fn graph_error(
    collection: &'static str,
    status: u16,
    code: &'static str,
    retry_after: Option<u32>,
) -> GraphFaults {
    GraphFaults {
        error: Some(GraphError {
            collection,
            status,
            code,
            retry_after,
        }),
        ..GraphFaults::default()
    }
}

#[test]
fn graph_refusals_say_which_permission_is_missing() {
    let (report, _g) = live(
        graph_error(
            "oauth2PermissionGrants",
            403,
            "Authorization_RequestDenied",
            None,
        ),
        &[],
    );
    let c = report.check("apps.graph.grants");
    assert_eq!(
        (c["code"].as_str(), c["status"].as_str()),
        (Some("apps.graph-denied"), Some("fail"))
    );
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("DelegatedPermissionGrant.Read.All"),
        "{c}"
    );
    assert_eq!(c["evidence"]["error"], "Authorization_RequestDenied");
    // The grants are unknown, not missing.
    assert_eq!(
        report.check("apps.gateway.consent")["status"],
        "pass",
        "pre-authorized"
    );

    let (report, _g) = live(
        graph_error("applications", 403, "Authorization_RequestDenied", None),
        &[],
    );
    let c = report.check("apps.graph.gateway-app");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("Application.Read.All"),
        "{c}"
    );
    assert_eq!(report.check("apps.gateway.found")["status"], "skip");
}

#[test]
fn graph_401_429_5xx_html_are_findings() {
    // A token Graph does not accept.
    let graph = GraphSim::start(GraphFaults::default());
    let mut args = vec![
        "--graph".to_string(),
        "--graph-url".into(),
        graph.url.clone(),
    ];
    args.extend(id_args());
    let report = apps(
        &args,
        &[(
            "C7DOCTOR_GRAPH_TOKEN",
            "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.not-the-graph-token",
        )],
    );
    assert_eq!(
        report.check("apps.graph.gateway-app")["code"],
        "apps.graph-denied"
    );

    let (report, _g) = live(graph_error("*", 429, "TooManyRequests", Some(7)), &[]);
    let c = report.check("apps.graph.gateway-app");
    assert_eq!(c["code"], "apps.graph-failed");
    assert_eq!(c["evidence"]["retry_after"], "7");
    assert!(c["detail"].as_str().unwrap().contains("7 s"), "{c}");

    let (report, _g) = live(
        graph_error("servicePrincipals", 503, "ServiceUnavailable", None),
        &[],
    );
    assert_eq!(
        report.check("apps.graph.gateway-sp")["code"],
        "apps.graph-failed"
    );

    let (report, _g) = live(
        GraphFaults {
            html: true,
            ..GraphFaults::default()
        },
        &[],
    );
    let c = report.check("apps.graph.gateway-app");
    assert!(c["detail"].as_str().unwrap().contains("not JSON"), "{c}");
}

#[test]
fn graph_pagination_is_followed_and_loops_stop() {
    let (report, graph) = live(
        GraphFaults {
            page_size: Some(1),
            ..GraphFaults::default()
        },
        &[],
    );
    // The mcp.access grant is on the second page.
    assert_eq!(
        report.check("apps.gateway.consent")["status"],
        "pass",
        "{}",
        report
    );
    let grant_reads = graph
        .log
        .lines()
        .iter()
        .filter(|l| l.contains("oauth2PermissionGrants"))
        .count();
    assert_eq!(grant_reads, 2);

    let (report, graph) = live(
        GraphFaults {
            page_size: Some(1),
            next_link_loop: true,
            ..GraphFaults::default()
        },
        &[],
    );
    let c = report.check("apps.graph.grants");
    assert_eq!(c["code"], "apps.graph-failed");
    assert!(c["detail"].as_str().unwrap().contains("loop"), "{c}");
    assert!(graph.log.lines().len() < 30);
}

#[test]
fn graph_needs_a_token() {
    let out = Run::new()
        .args(["apps", "--graph", "--graph-url", "http://127.0.0.1:9"])
        .args(id_args())
        .code(2)
        .output();
    assert!(out.stderr.contains("C7DOCTOR_GRAPH_TOKEN"), "{out}");
}

#[test]
fn graph_token_from_stdin() {
    let graph = GraphSim::start(GraphFaults::default());
    let report = Run::new()
        .args(["apps", "--graph", "--graph-url", &graph.url])
        .args(id_args())
        .stdin(format!("{GRAPH_TOKEN}\n"))
        .code(0)
        .report();
    assert!(report.with_code("apps.graph-denied").is_empty(), "{report}");
}

// ---- init and e2e ----

#[test]
fn init_prints_the_az_export_commands() {
    let out = Run::new()
        .args(["init", "--az-commands"])
        .args(id_args())
        .code(0)
        .output();
    let script = out.stdout;
    let ids = Ids::load();
    for want in [
        format!(
            "az ad app show --id {} > gateway-app.json",
            ids.gateway_app_id
        ),
        format!("az ad app show --id {} > mcp-app.json", ids.mcp_app_id),
        format!(
            "az ad sp show --id {} > gateway-sp.json",
            ids.gateway_app_id
        ),
        "oauth2PermissionGrants".to_string(),
        format!("az login --tenant {}", ids.tenant_id),
    ] {
        assert!(script.contains(&want), "{want} in\n{script}");
    }
    // Nothing written: no c7doctor.toml appears.
    assert!(!script.contains("tenant_id ="));
}

fn e2e_with_apps(profile: &str, docs: &Docs, env: &[(&str, &str)]) -> Report {
    use crate::support::sim::Sim;
    let sim = Sim::start(profile);
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new()
        .sim(&sim)
        .args(["--timeout", "3", "e2e"])
        .token(&sim)
        .secret()
        .fast();
    if env.is_empty() {
        run = run.arg("--apps").args(docs.write(dir.path()));
    }
    for (k, v) in env {
        run = run.env(*k, *v);
    }
    run.report()
}

#[test]
fn e2e_ranks_the_token_version_above_the_v1_token() {
    let report = e2e_with_apps("v1-tokens", &Docs::broken(&[Broken::GatewayTokenV1]), &[]);
    assert!(
        !report.with_code("token.issuer-v1").is_empty(),
        "the symptom is there: {}",
        report
    );
    assert_eq!(
        report["first_cause"]["check"], "apps.gateway.token-version",
        "{}",
        report
    );
}

#[test]
fn e2e_ranks_the_missing_consent_above_entra_consent_required() {
    let report = e2e_with_apps(
        "obo-consent-missing",
        &Docs::broken(&[Broken::NoConsent]),
        &[],
    );
    assert!(
        !report.with_code("entra.consent-required").is_empty(),
        "the symptom is there: {}",
        report
    );
    assert_eq!(
        report["first_cause"]["check"], "apps.gateway.consent",
        "{}",
        report
    );
}

#[test]
fn e2e_reads_graph_when_a_token_is_given() {
    let graph = GraphSim::start(GraphFaults::default());
    let report = e2e_with_apps(
        "healthy",
        &Docs::healthy(),
        &[
            ("C7DOCTOR_GRAPH_TOKEN", GRAPH_TOKEN),
            ("C7DOCTOR_GRAPH_URL", &graph.url),
        ],
    );
    assert_eq!(
        report.check("apps.gateway.consent")["status"],
        "pass",
        "{}",
        report
    );
    assert!(!graph.log.lines().is_empty());
}

#[test]
fn e2e_without_documents_skips_the_audit() {
    let report = e2e_with_apps(
        "healthy",
        &Docs::healthy(),
        &[("C7DOCTOR_E2E_NO_APPS", "1")],
    );
    let c = report.check("apps.audit");
    assert_eq!(c["status"], "skip");
    assert_eq!(c["code"], "config.missing");
}

#[test]
fn nothing_given_is_incomplete_not_a_failure() {
    let report = apps(&id_args(), &[]);
    assert_eq!(report.code, 4, "{}", report);
    assert_eq!(report["verdict"], "incomplete");
    assert_eq!(report.check("apps.gateway.found")["status"], "skip");
}
