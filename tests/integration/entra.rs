//! Integration tests: `login` (device code), `obo`, and Entra errors → `entra.*` findings,
//! against the simulated tenant. Polling runs under `C7DOCTOR_TIME_SCALE` so Entra's 5 s
//! interval takes milliseconds; the simulator times every poll.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::sim::entra_token::{self, GATEWAY_SECRET, SimError, TENANT_DOMAIN};
use crate::support::sim::tokens::TokenBuilder;
use crate::support::sim::{Profile, Sim, now_unix, profile};
use crate::support::{self, Output, Run};

/// Run c7doctor against the simulator: its global options and `--timeout 2` (unless `args`
/// gives one), Entra's waits ×0.001 (a 5 s interval is 5 ms, a 900 s code 0.9 s), the
/// command and its arguments, extra environment, stdin.
fn run(sim: &Sim, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut run = Run::new()
        .sim(sim)
        .default_arg("--timeout", "2")
        .args(args)
        .fast()
        .stdin(stdin)
        .timeout(Duration::from_secs(20));
    for (k, v) in env {
        run = run.env(*k, *v);
    }
    run.output()
}

fn login(sim: &Sim, extra: &[&str]) -> Output {
    let mut args = vec!["login", "--format", "json"];
    args.extend_from_slice(extra);
    run(sim, &args, &[], "")
}

/// `obo` with the simulator's secret in the environment and the token as C7DOCTOR_TOKEN.
fn obo(sim: &Sim, token: &str, extra: &[&str]) -> Output {
    let mut args = vec!["obo", "--format", "json"];
    args.extend_from_slice(extra);
    run(
        sim,
        &args,
        &[
            ("C7DOCTOR_GATEWAY_SECRET", GATEWAY_SECRET),
            ("C7DOCTOR_TOKEN", token),
        ],
        "",
    )
}

fn with_entra(name: &str, f: impl FnOnce(&mut support::sim::profiles::EntraFaults)) -> Profile {
    let mut p = profile(name);
    f(&mut p.entra);
    p
}

// ---------------------------------------------------------------- login

#[test]
fn login_healthy_signs_in_checks_and_verifies_the_token() {
    let sim = Sim::start("healthy");
    let r = login(&sim, &[]);
    let doc = r.report();
    assert_eq!(doc["verdict"], "pass", "{}\n{}", doc, r.stderr);
    assert_eq!(r.code, 0);
    assert_eq!(doc.check("login.sign-in")["status"], "pass");
    assert_eq!(doc.check("token.audience")["status"], "pass");
    // --verify is the default: the signature is checked against the tenant's keys.
    assert_eq!(doc.check("token.signature")["status"], "pass");
    assert!(
        doc["context"]["token"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // The prompt (URL and user code) is on stderr, not in the report.
    assert!(r.stderr.contains("microsoft.com/devicelogin"));
    assert!(r.stderr.contains(entra_token::USER_CODE));
    // Requests: device code with the gateway app and its scope, then the poll.
    let reqs = sim.requests_to("entra");
    let dc = reqs
        .iter()
        .find(|q| q.path().ends_with("/oauth2/v2.0/devicecode"))
        .unwrap();
    let body = dc.body_text();
    assert!(body.contains(&format!("client_id={}", sim.gateway_app_id)));
    assert!(body.contains("Mcp.Gateway.Access"));
}

#[test]
fn login_no_verify_leaves_signature_unchecked() {
    let sim = Sim::start("healthy");
    let doc = login(&sim, &["--no-verify"]).report();
    doc.assert_code("token.signature-unchecked", "info");
}

#[test]
fn login_client_and_scope_overrides_and_passthrough_defaults() {
    let sim = Sim::start("healthy-passthrough");
    let doc = login(&sim, &[]).report();
    assert_eq!(doc["verdict"], "pass", "{}", doc);
    assert_eq!(
        doc["context"]["scope"],
        format!("api://{}/mcp.access", sim.mcp_app_id)
    );
    let sim = Sim::start("healthy");
    let doc = login(
        &sim,
        &[
            "--client-id",
            entra_token::AZURE_CLI_CLIENT_ID,
            "--scope",
            &format!("api://{}/Mcp.Gateway.Access", sim.gateway_app_id),
        ],
    )
    .report();
    assert_eq!(
        doc["context"]["client_id"],
        entra_token::AZURE_CLI_CLIENT_ID
    );
    assert_eq!(doc.check("login.sign-in")["status"], "pass");
}

#[test]
fn login_waits_while_pending() {
    let sim = Sim::start("device-code-pending");
    let doc = login(&sim, &[]).report();
    assert_eq!(doc["verdict"], "pass", "{}", doc);
    let ev = &doc.check("login.sign-in")["evidence"];
    assert_eq!(ev["polls"], 4);
    assert_eq!(ev["pending"], 3);
    assert_eq!(sim.state.entra_token.poll_times().len(), 4);
}

#[test]
fn login_honours_interval_and_slow_down_growth() {
    // ×0.01: the 5 s interval is 50 ms; each slow_down adds 5 s (50 ms) for good.
    let sim = Sim::start("device-code-slow-down");
    let doc = Run::new()
        .sim(&sim)
        .arg("login")
        .env("C7DOCTOR_TIME_SCALE", "0.01")
        .timeout(Duration::from_secs(20))
        .report();
    assert_eq!(doc["verdict"], "pass", "{}", doc);
    let ev = &doc.check("login.sign-in")["evidence"];
    assert_eq!(ev["slow_down"], 2);
    assert_eq!(ev["interval_s"], 15);
    assert_eq!(ev["polls"], 4);
    // Polls: pending, slow_down, slow_down, token → gaps of 5 s, 10 s, 15 s (scaled).
    let gaps = sim.state.entra_token.poll_gaps_ms();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    assert!(gaps[0] >= 48, "interval not honoured: {gaps:?}");
    assert!(gaps[1] >= 98, "slow_down did not add 5 s: {gaps:?}");
    assert!(
        gaps[2] >= 148,
        "slow_down increase did not persist: {gaps:?}"
    );
    // The first wait before any poll honours the interval too.
    let dc = sim
        .requests_to("entra")
        .iter()
        .position(|q| q.path().ends_with("/devicecode"));
    assert!(dc.is_some());
}

#[test]
fn login_stops_on_declined_and_expired() {
    for (name, code) in [
        ("device-code-declined", "entra.declined"),
        ("device-code-expired", "entra.code-expired"),
    ] {
        let sim = Sim::start(name);
        let r = login(&sim, &[]);
        let doc = r.report();
        doc.assert_code(code, "fail");
        assert_eq!(r.code, 1);
        // Stopped at once: one pending poll, then the end.
        assert_eq!(sim.state.entra_token.poll_times().len(), 2, "{name}");
        let c = doc.check("login.sign-in");
        assert_eq!(c["evidence"]["trace_id"], entra_token::TRACE_ID);
        assert_eq!(c["evidence"]["correlation_id"], entra_token::CORRELATION_ID);
    }
}

#[test]
fn login_expires_locally_and_keeps_entras_last_answer() {
    // Nobody signs in: the 30 s code (30 ms here) runs out while Entra says "pending".
    let sim = Sim::with(with_entra("healthy", |e| {
        e.device_pending = 1_000_000;
        e.device_expires_in = Some(30);
    }));
    let started = Instant::now();
    // ×0.01 (300 ms): round trips stay small next to the 50 ms interval even under load.
    let doc = run(
        &sim,
        &["login", "--format", "json"],
        &[("C7DOCTOR_TIME_SCALE", "0.01")],
        "",
    )
    .report();
    assert!(started.elapsed() < Duration::from_secs(10));
    doc.assert_code("entra.code-expired", "fail");
    let last = doc.check("login.last-answer");
    assert_eq!(last["status"], "info");
    assert_eq!(last["code"], "entra.authorization-pending");
    assert_eq!(last["evidence"]["error_codes"][0], 70016);
    let polls = sim.state.entra_token.poll_times().len();
    assert!(
        (2..=6).contains(&polls),
        "{polls} polls in a 30 s window at 5 s"
    );
    let waited = doc.check("login.sign-in")["evidence"]["waited_s"]
        .as_f64()
        .unwrap();
    assert!(waited >= 29.0, "waited {waited} nominal seconds");
}

#[test]
fn login_interrupted_by_ctrl_c_exits_cleanly() {
    let sim = Sim::with(with_entra("healthy", |e| e.device_pending = 1_000_000));
    // Ctrl-C once a few polls have happened (50 ms interval).
    let doc = Run::new()
        .sim(&sim)
        .args(["login", "--format", "json"])
        .env("C7DOCTOR_TIME_SCALE", "0.01")
        // Interrupted runs exit 130 whichever command was stopped (the report says so).
        .code(130)
        .interrupt_when(|| !sim.state.entra_token.poll_times().is_empty())
        .report();
    doc.assert_code("run.interrupted", "fail");
    doc.assert_code("entra.authorization-pending", "info");
    assert!(!sim.state.entra_token.poll_times().is_empty());
}

#[test]
fn login_print_token_is_the_whole_stdout() {
    let sim = Sim::start("healthy");
    let r = login(&sim, &["--print-token"]);
    let issued = sim.state.entra_token.issued_tokens();
    assert_eq!(issued.len(), 1);
    assert_eq!(r.stdout, format!("{}\n", issued[0]));
    // The report went to stderr (after the prompt), with the token by fingerprint only.
    let start = r.stderr.find("\n{").expect("a JSON report on stderr") + 1;
    let report: Value = serde_json::from_str(&r.stderr[start..]).unwrap();
    assert_eq!(report["verdict"], "pass");
    assert!(!r.stderr.contains(&issued[0]));
    assert_eq!(r.code, 0);
}

#[test]
fn login_print_token_failure_leaves_stdout_empty() {
    let sim = Sim::start("device-code-declined");
    let r = login(&sim, &["--print-token"]);
    assert_eq!(r.stdout, "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("entra.declined"));
}

#[test]
fn login_save_writes_a_0600_file() {
    use std::os::unix::fs::PermissionsExt;
    let sim = Sim::start("healthy");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.txt");
    // An existing, world-readable file is tightened too.
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = login(&sim, &["--save", path.to_str().unwrap()]);
    let doc = r.report();
    assert_eq!(doc.check("login.save")["status"], "pass");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert_eq!(saved.trim(), sim.state.entra_token.issued_tokens()[0]);
    assert!(!r.all().contains(saved.trim()));

    let fresh = dir.path().join("new.txt");
    login(&sim, &["--save", fresh.to_str().unwrap()]);
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn login_errors_map_to_entra_codes() {
    let cases: Vec<(Profile, &str)> = vec![
        (
            profile("public-client-disabled"),
            "entra.public-client-disabled",
        ),
        (profile("app-not-found"), "entra.app-not-found"),
        (profile("tenant-not-found"), "entra.tenant-not-found"),
        (profile("invalid-scope"), "entra.invalid-scope"),
        (profile("conditional-access"), "entra.conditional-access"),
        (profile("entra-html"), "entra.html-response"),
        (
            with_entra("healthy", |e| {
                e.device_end = Some(SimError::bad_verification_code())
            }),
            "entra.bad-user-code",
        ),
        (
            with_entra("healthy", |e| {
                e.device_end = Some(SimError::new(
                    400,
                    "invalid_grant",
                    50020,
                    "User account 'guest@fabrikam.example' from identity provider 'live.com' does not exist in tenant 'Contoso' and cannot access the application.",
                ))
            }),
            "entra.user-not-in-tenant",
        ),
        (
            with_entra("healthy", |e| {
                e.device_code_error = Some(SimError::new(
                    400,
                    "invalid_request",
                    4242424,
                    "Something Entra added last week.",
                ))
            }),
            "entra.unknown-error",
        ),
        (
            with_entra("healthy", |e| {
                e.device_code_body = Some(r#"{"user_code":"X","expires_in":900}"#.into())
            }),
            "entra.bad-response",
        ),
        (
            with_entra("healthy", |e| {
                e.token_body = Some(r#"{"token_type":"Bearer","expires_in":3599}"#.into())
            }),
            "entra.bad-response",
        ),
    ];
    for (p, code) in cases {
        let name = p.name.clone();
        let sim = Sim::with(p);
        let r = login(&sim, &[]);
        let doc = r.report();
        doc.assert_code(code, "fail");
        assert_eq!(r.code, 1, "{name}");
        assert!(!r.all().contains("panicked"), "{name}: {}", r.stderr);
    }
}

#[test]
fn login_fixes_name_the_app_and_blade() {
    let sim = Sim::start("public-client-disabled");
    let doc = login(&sim, &[]).report();
    let c = doc.check("login.sign-in");
    assert_eq!(c["code"], "entra.public-client-disabled");
    let fix = c["fix"].as_str().unwrap();
    assert!(fix.contains("Allow public client flows"), "{fix}");
    assert!(fix.contains(&sim.gateway_app_id), "{fix}");
    assert_eq!(c["evidence"]["http_status"], 401);
    for k in [
        "error",
        "error_codes",
        "error_description",
        "trace_id",
        "correlation_id",
        "timestamp",
    ] {
        assert!(!c["evidence"][k].is_null(), "evidence {k}");
    }
    let sim = Sim::start("conditional-access");
    let doc = login(&sim, &[]).report();
    let c = doc.check("login.sign-in");
    assert!(
        c["evidence"]["claims"]
            .as_str()
            .unwrap()
            .contains("capolids")
    );
    assert!(
        c["fix"]
            .as_str()
            .unwrap()
            .contains(entra_token::CORRELATION_ID)
    );
}

#[test]
fn login_black_hole_times_out() {
    let sim = Sim::start("entra-black-hole");
    let started = Instant::now();
    let doc = run(
        &sim,
        &["login", "--format", "json", "--timeout", "1"],
        &[],
        "",
    )
    .report();
    assert!(started.elapsed() < Duration::from_secs(5));
    doc.assert_code("discovery.unreachable", "fail");
    assert_eq!(
        doc.check("login.device-code")["evidence"]["failure"],
        "timeout"
    );
}

#[test]
fn login_bad_device_code_answers_are_findings() {
    // interval 0 and 10 000 are clamped and reported; the sign-in still completes.
    for interval in [0, 10_000] {
        let sim = Sim::with(with_entra("healthy", |e| {
            e.device_interval = Some(interval)
        }));
        let doc = login(&sim, &[]).report();
        let c = doc.check("login.device-code-fields");
        assert_eq!(c["status"], "warn");
        assert_eq!(c["code"], "entra.bad-response");
        assert_eq!(doc.check("login.sign-in")["status"], "pass", "{}", doc);
    }
    // An access token that is not a JWT goes to the token checks.
    let sim = Sim::with(with_entra("healthy", |e| {
        e.token_body = Some(
            r#"{"token_type":"Bearer","access_token":"opaque-access-token-0123456789abcdef"}"#
                .into(),
        )
    }));
    let r = login(&sim, &[]);
    let doc = r.report();
    doc.assert_code("token.malformed", "fail");
    assert!(!r.all().contains("opaque-access-token-0123456789abcdef"));
    // Not JSON at all.
    let sim = Sim::with(with_entra("healthy", |e| {
        e.device_code_body = Some("this is not json".into())
    }));
    login(&sim, &[])
        .report()
        .assert_code("entra.html-response", "fail");
}

#[test]
fn login_accepts_a_domain_tenant() {
    let sim = Sim::start("healthy");
    let doc = run(
        &sim,
        &["login", "--format", "json", "--tenant-id", TENANT_DOMAIN],
        &[],
        "",
    )
    .report();
    assert_eq!(doc.check("login.tenant")["status"], "pass");
    assert_eq!(doc.check("login.sign-in")["status"], "pass", "{}", doc);
}

// ---------------------------------------------------------------- obo

fn client_token(sim: &Sim) -> String {
    sim.client_token()
}

#[test]
fn obo_healthy_exchanges_and_compares_hops() {
    let sim = Sim::start("healthy");
    let r = obo(&sim, &client_token(&sim), &[]);
    let doc = r.report();
    assert_eq!(doc["verdict"], "pass", "{}\n{}", doc, r.stderr);
    assert_eq!(doc.check("obo.forecast")["status"], "pass");
    assert_eq!(doc.check("obo.exchange")["status"], "pass");
    assert_eq!(doc.check("token.backend.audience")["status"], "pass");
    assert!(
        doc["context"]["backend_token"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // The exchange APIM performs, to the tenant endpoint.
    let req = sim
        .requests_to("entra")
        .into_iter()
        .find(|q| q.path().ends_with("/oauth2/v2.0/token"))
        .unwrap();
    assert_eq!(req.path(), format!("/{}/oauth2/v2.0/token", sim.tenant_id));
    let form = entra_token::form(&req.body);
    let f = |k: &str| entra_token::field(&form, k).unwrap_or("").to_string();
    assert_eq!(
        f("grant_type"),
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(f("client_id"), sim.gateway_app_id);
    assert_eq!(f("scope"), format!("api://{}/.default", sim.mcp_app_id));
    assert_eq!(f("requested_token_use"), "on_behalf_of");
    // The two-hop table is a section.
    assert!(
        doc.get("sections")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty()),
        "no sections in the report"
    );
}

#[test]
fn obo_secret_from_stdin_is_trimmed_and_said() {
    let sim = Sim::start("healthy");
    let r = run(
        &sim,
        &["obo", "--format", "json", "--secret-stdin"],
        &[("C7DOCTOR_TOKEN", &client_token(&sim))],
        &format!("{GATEWAY_SECRET}\n"),
    );
    let doc = r.report();
    doc.assert_code("entra.secret-trimmed", "info");
    assert_eq!(doc.check("obo.exchange")["status"], "pass", "{}", doc);
    assert!(!r.all().contains(GATEWAY_SECRET));
}

#[test]
fn obo_secret_is_never_an_argument() {
    let sim = Sim::start("healthy");
    let r = run(&sim, &["obo", "--secret", GATEWAY_SECRET], &[], "");
    assert_eq!(r.code, 2);
    // stdin cannot carry both the secret and the token.
    let r = run(&sim, &["obo", "-", "--secret-stdin"], &[], "x");
    assert_eq!(r.code, 2);
    assert!(!r.all().contains("panicked"));
}

#[test]
fn obo_refuses_multi_tenant_endpoints_before_sending() {
    let sim = Sim::start("healthy");
    for t in ["common", "organizations", "consumers"] {
        let r = obo(&sim, &client_token(&sim), &["--tenant-id", t]);
        let doc = r.report();
        doc.assert_code("entra.obo-common-endpoint", "fail");
        assert!(
            doc.check("obo.tenant")["detail"]
                .as_str()
                .unwrap()
                .contains("9001023")
        );
    }
    assert!(
        sim.requests_to("entra").is_empty(),
        "an OBO request went to /common"
    );
    // A domain name is a tenant like the GUID.
    let doc = obo(&sim, &client_token(&sim), &["--tenant-id", TENANT_DOMAIN]).report();
    assert_eq!(doc.check("obo.exchange")["status"], "pass", "{}", doc);
}

#[test]
fn obo_forecast_before_and_entra_after() {
    let sim = Sim::start("healthy");
    let now = now_unix();
    let cases: Vec<(String, &str)> = vec![
        // A token for the MCP API app: the client asked for mcp.access.
        (
            TokenBuilder::v2(
                &sim.authority,
                &sim.tenant_id,
                &sim.mcp_app_id,
                "mcp.access",
            )
            .sign(),
            "entra.obo-audience",
        ),
        // Expired.
        (
            TokenBuilder::v2(
                &sim.authority,
                &sim.tenant_id,
                &sim.gateway_app_id,
                "Mcp.Gateway.Access",
            )
            .claim("exp", now - 600)
            .sign(),
            "entra.assertion-expired",
        ),
        // A Microsoft Graph token.
        (
            TokenBuilder::v2(
                &sim.authority,
                &sim.tenant_id,
                "00000003-0000-0000-c000-000000000000",
                "User.Read",
            )
            .sign(),
            "entra.invalid-assertion",
        ),
        // An ID token.
        (
            TokenBuilder::v2(&sim.authority, &sim.tenant_id, &sim.gateway_app_id, "")
                .without("scp")
                .claim("nonce", "n-0S6_WzA2Mj")
                .sign(),
            "entra.invalid-assertion",
        ),
        // An app-only token: nobody to act for.
        (
            TokenBuilder::v2(&sim.authority, &sim.tenant_id, &sim.gateway_app_id, "")
                .without("scp")
                .claim("roles", serde_json::json!(["Mcp.Gateway.Access"]))
                .claim("idtyp", "app")
                .sign(),
            "entra.obo-not-allowed",
        ),
        // Not a JWT.
        (
            "not-a-jwt-just-some-opaque-string".to_string(),
            "entra.invalid-assertion",
        ),
    ];
    for (token, code) in cases {
        let r = obo(&sim, &token, &[]);
        let doc = r.report();
        let forecast = doc.check("obo.forecast");
        assert_eq!(forecast["code"], code, "forecast: {}", doc);
        assert!(forecast["detail"].as_str().unwrap().contains("Entra will"));
        let exchange = doc.check("obo.exchange");
        assert_eq!(exchange["status"], "fail");
        assert_eq!(exchange["code"], code, "Entra's answer: {}", doc);
        assert!(!r.all().contains(&token));
    }
}

#[test]
fn obo_errors_map_to_entra_codes() {
    let cases: Vec<(Profile, &str)> = vec![
        (profile("obo-consent-missing"), "entra.consent-required"),
        (
            profile("obo-resource-not-permitted"),
            "entra.resource-not-permitted",
        ),
        (profile("obo-audience"), "entra.obo-audience"),
        (profile("obo-secret-invalid"), "entra.secret-invalid"),
        (profile("obo-secret-expired"), "entra.secret-expired"),
        (profile("conditional-access"), "entra.conditional-access"),
        (profile("tenant-not-found"), "entra.tenant-not-found"),
        (profile("app-not-found"), "entra.app-not-found"),
        (profile("invalid-scope"), "entra.invalid-scope"),
        (profile("entra-html"), "entra.html-response"),
        (
            with_entra("healthy", |e| {
                e.obo_error = Some(SimError::new(
                    401,
                    "invalid_client",
                    700025,
                    "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
                ))
            }),
            "entra.public-client-secret",
        ),
        (
            with_entra("healthy", |e| {
                e.obo_error = Some(SimError::new(
                    400,
                    "invalid_target",
                    9010010,
                    "The resource parameter provided in the request doesn't match with the requested scopes.",
                ))
            }),
            "entra.resource-parameter",
        ),
        (
            with_entra("healthy", |e| {
                e.obo_error = Some(SimError::new(
                    400,
                    "invalid_request",
                    9002326,
                    "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
                ))
            }),
            "entra.origin-header",
        ),
        (
            with_entra("healthy", |e| {
                e.obo_error = Some(SimError::new(
                    400,
                    "invalid_request",
                    9001023,
                    "The grant type isn't supported over the /common or /consumers endpoints.",
                ))
            }),
            "entra.obo-common-endpoint",
        ),
        (
            with_entra("healthy", |e| {
                e.token_body = Some(r#"{"token_type":"Bearer"}"#.into())
            }),
            "entra.bad-response",
        ),
    ];
    for (p, code) in cases {
        let name = p.name.clone();
        let sim = Sim::with(p);
        let r = obo(&sim, &client_token(&sim), &[]);
        let doc = r.report();
        doc.assert_code(code, "fail");
        assert_eq!(r.code, 1, "{name}");
    }
}

#[test]
fn obo_consent_fix_names_the_blade_and_keeps_suberror() {
    let sim = Sim::start("obo-consent-missing");
    let doc = obo(&sim, &client_token(&sim), &[]).report();
    let c = doc.check("obo.exchange");
    assert_eq!(c["evidence"]["suberror"], "consent_required");
    let fix = c["fix"].as_str().unwrap();
    assert!(
        fix.contains("API permissions") && fix.contains("Grant admin consent"),
        "{fix}"
    );
    assert!(fix.contains(&sim.gateway_app_id), "{fix}");
    let sim = Sim::start("obo-secret-invalid");
    let doc = obo(&sim, &client_token(&sim), &[]).report();
    let fix = doc.check("obo.exchange")["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        fix.contains("Certificates & secrets") && fix.contains("Value"),
        "{fix}"
    );
}

#[test]
fn obo_wrong_secret_and_secret_id() {
    let sim = Sim::start("healthy");
    let r = run(
        &sim,
        &["obo", "--format", "json"],
        &[
            ("C7DOCTOR_TOKEN", &client_token(&sim)),
            (
                "C7DOCTOR_GATEWAY_SECRET",
                "5f0c7b52-3c1e-4a8e-9d3f-0a1b2c3d4e5f",
            ),
        ],
        "",
    );
    let doc = r.report();
    // Predicted before sending (a GUID is the secret's ID), confirmed by Entra.
    assert_eq!(doc.check("obo.secret")["code"], "entra.secret-invalid");
    assert_eq!(doc.check("obo.exchange")["code"], "entra.secret-invalid");
}

#[test]
fn obo_black_hole_times_out() {
    let sim = Sim::start("entra-black-hole");
    let started = Instant::now();
    let r = obo(&sim, &client_token(&sim), &["--timeout", "1"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    r.report().assert_code("discovery.unreachable", "fail");
}

/// The Entra errors met on the sign-in path (FACTS.md "More Entra errors"), each from an
/// error body through the real binary: the mapping keys on `error_codes`, then `error` plus
/// `suberror` (bad_token on an OBO is the assertion).
#[test]
fn more_entra_errors_map_from_their_bodies() {
    let e =
        |status: u16, error: &'static str, n: u32, msg: &str| SimError::new(status, error, n, msg);
    let cases: Vec<(SimError, &str)> = vec![
        (
            e(
                400,
                "invalid_request",
                50011,
                "The redirect URI 'http://127.0.0.1:33418/' specified in the request does not match the redirect URIs configured for the application.",
            ),
            "entra.redirect-uri",
        ),
        (
            e(
                400,
                "invalid_request",
                500113,
                "No reply address is registered for the application.",
            ),
            "entra.redirect-uri",
        ),
        (
            e(400, "invalid_request", 900971, "No reply address provided."),
            "entra.redirect-uri",
        ),
        (
            e(
                400,
                "unsupported_response_type",
                700054,
                "response_type 'id_token' is not enabled for the application.",
            ),
            "entra.response-type-disabled",
        ),
        (
            e(
                400,
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
            )
            .suberror("bad_token"),
            "entra.invalid-assertion",
        ),
        (
            e(
                400,
                "invalid_grant",
                70000,
                "Provided grant is invalid or malformed.",
            )
            .suberror("bad_token"),
            "entra.invalid-assertion",
        ),
        (
            e(
                400,
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
            ),
            "entra.invalid-request",
        ),
        (
            e(
                400,
                "invalid_request",
                90014,
                "The required field 'assertion' is missing from the credential.",
            ),
            "entra.invalid-request",
        ),
        (
            e(
                400,
                "invalid_resource",
                90009,
                "Application is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier.",
            ),
            "entra.invalid-scope",
        ),
        (
            e(
                400,
                "invalid_request",
                650052,
                "The app needs access to a service that your organization has not subscribed to or enabled.",
            ),
            "entra.resource-not-permitted",
        ),
        (
            e(
                400,
                "invalid_grant",
                700082,
                "The refresh token has expired due to inactivity.",
            ),
            "entra.refresh-token-expired",
        ),
        (
            e(
                400,
                "invalid_grant",
                50148,
                "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
            ),
            "entra.pkce-mismatch",
        ),
        (
            e(
                400,
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            ),
            "entra.pkce-mismatch",
        ),
        (
            e(
                400,
                "invalid_grant",
                50105,
                "Your administrator has configured the application to block users unless they are specifically granted access.",
            ),
            "entra.user-not-assigned",
        ),
        (
            e(
                400,
                "invalid_request",
                901002,
                "The 'resource' request parameter is not supported.",
            ),
            "entra.resource-parameter",
        ),
        (
            e(
                400,
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed.",
            ),
            "entra.code-invalid",
        ),
        (
            e(
                400,
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity.",
            ),
            "entra.code-invalid",
        ),
        (
            e(
                400,
                "invalid_request",
                50194,
                "Application is not configured as a multi-tenant application.",
            ),
            "entra.single-tenant-endpoint",
        ),
        (
            e(
                400,
                "invalid_request",
                501491,
                "Invalid client for the multi-tenant endpoint.",
            ),
            "entra.single-tenant-endpoint",
        ),
        (
            e(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ),
            "entra.public-client-disabled",
        ),
    ];
    for (err, code) in cases {
        let n = err.code;
        let sim = Sim::with(with_entra("healthy", |f| f.obo_error = Some(err)));
        let doc = obo(&sim, &client_token(&sim), &[]).report();
        doc.assert_code(code, "fail");
        let c = doc.check("obo.exchange");
        assert!(
            c["evidence"].to_string().contains(&n.to_string()),
            "AADSTS{n}: evidence keeps error_codes: {c}"
        );
    }
}

// Leaks: the one leak suite (tests/integration/leaks.rs) runs login and obo (healthy and
// refused, secret from the environment and from stdin) in every format, with and without -v.
