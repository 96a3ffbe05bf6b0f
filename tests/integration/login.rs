//! Integration tests: `login` and `obo` with too little configured (`incomplete`, exit 4,
//! with what would complete them), and `login --client azure-cli` — the guide's Part 6
//! smoke test as a device-code flow — through the simulated Entra.

use std::time::Duration;

use crate::support::Run;
use crate::support::sim::{Sim, entra_token, profile};

/// A run with Entra's waits scaled down and a short per-request deadline.
fn run(sim: Option<&Sim>) -> Run {
    let run = Run::new()
        .fast()
        .default_arg("--timeout", "2")
        .timeout(Duration::from_secs(20));
    match sim {
        Some(s) => run.sim(s),
        None => run,
    }
}

// ---------------------------------------------------------------- incomplete

#[test]
fn login_with_nothing_configured_is_incomplete_and_names_what_completes_it() {
    let doc = run(None).arg("login").code(4).report();
    assert_eq!(doc.verdict(), "incomplete", "{doc}");
    assert_eq!(doc.status("login.client"), "skip");
    doc.assert_code("config.missing", "skip");
    assert_eq!(
        doc["needs"],
        serde_json::json!(["--tenant-id", "--gateway-app-id"])
    );
    assert_eq!(
        doc["headline"],
        "nothing could be checked — to complete it: set --tenant-id and --gateway-app-id, or run c7doctor init"
    );
    // The passthrough and shared-key patterns sign in with the MCP API app.
    let doc = run(None)
        .args(["login", "--pattern", "passthrough"])
        .code(4)
        .report();
    assert_eq!(
        doc["needs"],
        serde_json::json!(["--tenant-id", "--mcp-app-id"])
    );
    // The text headline says the same on its first lines.
    let out = run(None).arg("login").code(4).output();
    assert!(
        out.stdout.starts_with("c7doctor login — INCOMPLETE\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.first_lines(3)
            .contains("to complete it: set --tenant-id and --gateway-app-id, or run c7doctor init"),
        "{}",
        out.stdout
    );
}

#[test]
fn login_with_the_app_but_no_tenant_is_incomplete_and_asks_only_for_the_tenant() {
    let sim = Sim::start("healthy");
    let doc = run(None)
        .args(["login", "--gateway-app-id", &sim.gateway_app_id])
        .code(4)
        .report();
    assert_eq!(doc.status("login.client"), "pass");
    assert_eq!(doc.status("login.tenant"), "skip");
    assert_eq!(doc["needs"], serde_json::json!(["--tenant-id"]));
    assert!(sim.requests_to("entra").is_empty(), "nothing is sent");
}

#[test]
fn login_with_a_wrong_value_still_fails() {
    // Unset is incomplete; set to something that cannot work is a failure.
    let doc = run(None)
        .args(["login", "--client-id", "not-a-guid", "--scope", "x"])
        .code(1)
        .report();
    doc.assert_code("config.invalid", "fail");
}

#[test]
fn obo_with_nothing_configured_is_incomplete_and_names_every_input() {
    let doc = run(None).arg("obo").code(4).report();
    assert_eq!(doc.verdict(), "incomplete", "{doc}");
    assert_eq!(doc.status("obo.assertion"), "skip");
    assert_eq!(doc.status("obo.secret"), "skip");
    let headline = doc["headline"].as_str().unwrap();
    for need in [
        "--tenant-id",
        "--gateway-app-id",
        "--mcp-app-id",
        "c7doctor init",
        "C7DOCTOR_TOKEN",
        "C7DOCTOR_GATEWAY_SECRET",
        "--secret-stdin",
    ] {
        assert!(headline.contains(need), "{need} not in {headline}");
    }
    assert!(
        doc["first_cause"]["fix"]
            .as_str()
            .unwrap()
            .contains("C7DOCTOR_GATEWAY_SECRET")
    );
}

#[test]
fn obo_with_a_token_but_no_secret_forecasts_and_is_incomplete() {
    let sim = Sim::start("healthy");
    let doc = run(Some(&sim)).arg("obo").token(&sim).code(4).report();
    assert_eq!(doc.status("obo.forecast"), "pass", "{doc}");
    assert_eq!(doc.status("obo.secret"), "skip");
    assert_eq!(
        doc["needs"],
        serde_json::json!([
            "the gateway app's client secret (C7DOCTOR_GATEWAY_SECRET, or --secret-stdin)"
        ])
    );
    assert!(
        sim.requests_to("entra").is_empty(),
        "nothing is sent without a secret"
    );
}

#[test]
fn obo_with_token_and_secret_but_no_mcp_app_is_incomplete() {
    let sim = Sim::start("healthy");
    let doc = run(None)
        .args([
            "obo",
            "--tenant-id",
            &sim.tenant_id,
            "--gateway-app-id",
            &sim.gateway_app_id,
            "--authority",
            &sim.authority,
        ])
        .token(&sim)
        .secret()
        .code(4)
        .report();
    assert_eq!(doc.status("obo.exchange"), "skip", "{doc}");
    assert_eq!(doc["needs"], serde_json::json!(["--mcp-app-id"]));
    assert!(sim.requests_to("entra").is_empty());
}

#[test]
fn probe_and_e2e_login_with_nothing_configured_ask_for_the_sign_in_values() {
    // `--login` was given: the completion names what the sign-in needs, not another token source.
    let doc = run(None)
        .args(["probe", "--login", "--host", "https://127.0.0.1:9"])
        .code(4)
        .report();
    assert_eq!(
        doc["needs"],
        serde_json::json!(["--tenant-id", "--gateway-app-id"]),
        "{doc}"
    );
    let doc = run(None).args(["e2e", "--login"]).code(4).report();
    assert_eq!(doc.verdict(), "incomplete", "{doc}");
    assert_eq!(doc.status("login.client"), "skip");
}

// ---------------------------------------------------------------- --client azure-cli

/// The simulator with the Gateway app not listing the Azure CLI under Authorized client
/// applications (the guide's Part 6 Step 1 not done).
fn cli_not_preauthorized() -> Sim {
    Sim::start("azure-cli-not-preauthorized")
}

/// The device-code request c7doctor sent: `(client_id, scope)`.
fn device_code_request(sim: &Sim) -> (String, String) {
    let req = sim
        .requests_to("entra")
        .into_iter()
        .find(|q| q.path().ends_with("/oauth2/v2.0/devicecode"))
        .expect("a device-code request");
    let form = entra_token::form(&req.body);
    let f = |k: &str| entra_token::field(&form, k).unwrap_or("").to_string();
    (f("client_id"), f("scope"))
}

#[test]
fn login_as_the_azure_cli_signs_in_for_the_gateway_scope() {
    let sim = Sim::start("healthy");
    let doc = run(Some(&sim))
        .args(["login", "--client", "azure-cli"])
        .code(0)
        .report();
    assert_eq!(doc.verdict(), "pass", "{doc}");
    // The Azure CLI's public client ID, for the Gateway app's scope: nothing of the
    // Gateway app (public client flows, redirect URIs) is involved.
    assert_eq!(
        device_code_request(&sim),
        (
            entra_token::AZURE_CLI_CLIENT_ID.to_string(),
            format!("api://{}/Mcp.Gateway.Access", sim.gateway_app_id)
        )
    );
    assert!(
        doc.check("login.client")["detail"]
            .as_str()
            .unwrap()
            .contains("(the Azure CLI)"),
        "{doc}"
    );
    // The token is a client-hop token for the gateway, checked as such.
    assert_eq!(doc.status("token.audience"), "pass");
    assert_eq!(doc.status("token.scope"), "pass");
}

#[test]
fn login_as_the_azure_cli_not_pre_authorized_points_at_part_6_step_1() {
    let sim = cli_not_preauthorized();
    let doc = run(Some(&sim))
        .args(["login", "--client", "azure-cli"])
        .code(1)
        .report();
    let c = doc.check("login.sign-in");
    assert_eq!(c["code"], "entra.cli-not-preauthorized", "{doc}");
    assert_eq!(c["evidence"]["error_codes"], serde_json::json!([65001]));
    assert_eq!(c["evidence"]["suberror"], "consent_required");
    let fix = c["fix"].as_str().unwrap();
    for want in [
        // The app and the scope to tick, for this deployment.
        &format!("Context7 APIM Gateway ({})", sim.gateway_app_id) as &str,
        "Expose an API › Authorized client applications",
        entra_token::AZURE_CLI_CLIENT_ID,
        "tick Mcp.Gateway.Access",
        &format!(
            "az login --tenant {} --scope api://{}/.default",
            sim.tenant_id, sim.gateway_app_id
        ),
    ] {
        assert!(fix.contains(want), "{want:?} not in {fix}");
    }
    assert!(c["see"].as_str().unwrap().contains("Part 6 › Step 1"));
    // First on the screen, with Entra's identifiers for support.
    assert_eq!(doc["first_cause"]["check"], "login.sign-in");
    assert_eq!(
        doc["first_cause"]["entra"]["aadsts"],
        serde_json::json!(["AADSTS65001"])
    );
}

#[test]
fn consent_for_the_apps_own_sign_in_keeps_the_consent_finding() {
    // The same AADSTS65001 for the Gateway app's own client ID is the OBO chain's consent.
    let mut p = profile("healthy");
    p.entra.device_end = Some(entra_token::SimError::consent_required("{gateway}"));
    let sim = Sim::with(p);
    let doc = run(Some(&sim)).arg("login").code(1).report();
    assert_eq!(doc.check("login.sign-in")["code"], "entra.consent-required");
    // And the Azure CLI in a tenant where it was pre-authorized signs in.
    let doc = run(Some(&Sim::start("healthy")))
        .args(["login", "--client-id", entra_token::AZURE_CLI_CLIENT_ID])
        .code(0)
        .report();
    assert_eq!(doc.status("login.sign-in"), "pass");
}

#[test]
fn client_and_client_id_are_one_choice() {
    let out = run(None)
        .args([
            "login",
            "--client",
            "azure-cli",
            "--client-id",
            entra_token::AZURE_CLI_CLIENT_ID,
        ])
        .code(2)
        .output();
    assert!(out.stderr.contains("--client"), "{}", out.stderr);
}

/// What `az account get-access-token --resource api://<gw>` prints without `--query`.
fn az_json(token: &str, tenant: &str) -> String {
    serde_json::json!({
        "accessToken": token,
        "expiresOn": "2026-11-23 11:00:00.000000",
        "expires_on": 1795431600,
        "subscription": "00000000-0000-0000-0000-000000000000",
        "tenant": tenant,
        "tokenType": "Bearer",
    })
    .to_string()
}

#[test]
fn the_part_6_smoke_test_token_works_in_token_probe_and_e2e() {
    // The Azure CLI's token for the Gateway app (as `az login --scope api://<gw>/.default`
    // gets it), obtained by the same device-code sign-in.
    let sim = Sim::start("healthy");
    let out = run(Some(&sim))
        .args(["login", "--client", "azure-cli", "--print-token"])
        .code(0)
        .output();
    let token = out.stdout.trim().to_string();
    assert_eq!(token.split('.').count(), 3, "{}", out.stderr);
    for input in [token.clone(), az_json(&token, &sim.tenant_id)] {
        for command in ["token", "probe", "e2e"] {
            let doc = run(Some(&sim)).arg(command).stdin(input.clone()).report();
            assert!(
                matches!(doc.verdict(), "pass" | "warn"),
                "{command} with the Azure CLI's token: {doc}"
            );
            assert_eq!(doc.status("token.audience"), "pass", "{command}: {doc}");
        }
    }
    // The bare token with `--query accessToken -o tsv` is one line with a newline.
    let doc = run(Some(&sim))
        .args(["probe"])
        .stdin(format!("{token}\n"))
        .report();
    assert_eq!(doc.status("probe.initialize"), "pass", "{doc}");
}

// ---------------------------------------------------------------- the prompt

#[test]
fn a_hostile_device_code_message_reaches_stderr_escaped_and_bounded() {
    // Entra's `message` is printed as the sign-in prompt. A server that fills it with
    // escape sequences (retitle, clear screen, a fake "verdict: pass" line, bidi, C1) and
    // 100 KB of text gets it shown escaped, cut, and the report still says what happened.
    use crate::support::sim::hostile::CONTROL_PAYLOAD;
    let message = format!(
        "To sign in, open the page.{CONTROL_PAYLOAD}{}",
        "x".repeat(100_000)
    );
    let mut p = profile("healthy");
    p.entra.device_code_body = Some(
        serde_json::json!({
            "device_code": entra_token::DEVICE_CODE,
            "user_code": entra_token::USER_CODE,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": 5,
            "message": message,
        })
        .to_string(),
    );
    let sim = Sim::with(p);
    let out = run(Some(&sim))
        .args(["login", "--format", "json"])
        .code(0)
        .output();
    let raw: Vec<char> = out
        .stderr
        .chars()
        .filter(|c| {
            matches!(c,
                '\u{0}'..='\u{9}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
                | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}')
        })
        .collect();
    assert!(raw.is_empty(), "raw control characters on stderr: {raw:?}");
    assert!(
        out.stderr.contains("\\u{1b}]0;pwned\\u{7}"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr
            .lines()
            .any(|l| l.starts_with("✓ Audience is fine")),
        "the fake pass line stands on its own line: {}",
        out.stderr
    );
    assert!(
        out.stderr.len() < 10_000,
        "{} bytes on stderr",
        out.stderr.len()
    );
    assert_eq!(out.report().verdict(), "pass");
}
