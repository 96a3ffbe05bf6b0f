//! Integration tests: `c7doctor policy` (issue 6), through the real binary.
//!
//! Every `policy.*` code is triggered by its fixture under `fixtures/policy/`, and the
//! location (`file:line:column`) of the finding is asserted from `--format json`. The
//! guide's own policies (with test values filled in) are the passing baseline.

use serde_json::Value;
use std::time::{Duration, Instant};

use crate::support::{Report, Run, fixture};

// fixtures/tokens/ids.env
const TENANT_ID: &str = "7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f";
const GATEWAY_APP_ID: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const MCP_APP_ID: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const HOST: &str = "apim-c7doctor-test.azure-api.net";

/// The secrets planted in the leak fixtures.
const CLIENT_SECRET: &str = "Zq58Q~cD7doctorTestSecretNotRealAbCdEf012";
const API_KEY: &str = "ctx7sk-5f0c2a9e-7b1d-4c3e-9a8f-c7d0c70c7e57";

/// Run `policy` on fixtures with the test configuration; the report (its exit code
/// checked against the verdict).
fn lint_args(files: &[&str], extra: &[&str]) -> Report {
    Run::new()
        .arg("policy")
        .args(["--host", HOST, "--tenant-id", TENANT_ID])
        .args([
            "--gateway-app-id",
            GATEWAY_APP_ID,
            "--mcp-app-id",
            MCP_APP_ID,
        ])
        .args(extra)
        .args(files.iter().map(|f| fixture(&format!("policy/{f}"))))
        .report()
}

fn lint(file: &str) -> Report {
    lint_args(&[file], &[])
}

/// The one check with this code, asserted to be at `line:col` of `file` with `status`.
fn assert_finding(report: &Report, code: &str, status: &str, file: &str, line: u64, col: u64) {
    let found = report.with_code(code);
    // Repeated findings are one check: the place is its own or one of its `locations`.
    let at = format!("{file}:{line}:{col}");
    let hit = found.iter().find(|c| {
        c["status"] == status
            && ((c["evidence"]["line"] == line && c["evidence"]["column"] == col)
                || c["evidence"]["locations"].as_array().is_some_and(|l| {
                    l.iter()
                        .any(|x| x.as_str().is_some_and(|x| x.ends_with(&at)))
                }))
    });
    assert!(
        hit.is_some(),
        "no {status} {code} at {line}:{col}; found: {}",
        serde_json::to_string_pretty(&found).unwrap()
    );
    let c = hit.unwrap();
    let loc = c["evidence"]["location"].as_str().unwrap();
    assert!(loc.contains(file), "location {loc} is not in {file}");
    assert!(
        c["evidence"]["snippet"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "no snippet: {c}"
    );
}

fn no_failures(report: &Report) {
    let bad: Vec<_> = report
        .checks()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert!(
        bad.is_empty(),
        "failures: {}",
        serde_json::to_string_pretty(&bad).unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// The guide's policies pass

#[test]
fn guide_obo_policy_passes() {
    let r = lint("obo-policy.xml");
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r["verdict"], "pass", "{r}");
    let pattern = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.pattern")
        .unwrap();
    assert_eq!(pattern["evidence"]["recognised"], "obo");
    // The rules that apply to it all ran.
    for id in [
        "policy.token-validation",
        "policy.audience",
        "policy.scope",
        "policy.obo-cache-key",
        "policy.obo-cache-duration",
        "policy.challenge",
        "policy.buffering",
    ] {
        assert!(r.checks().iter().any(|c| c["id"] == id), "no {id} check");
    }
}

#[test]
fn guide_oauth_proxy_policies_pass() {
    for (file, recognised) in [
        ("prm-policy.xml", "oauth-proxy-prm"),
        ("as-metadata-policy.xml", "oauth-proxy-as-metadata"),
        ("authorize-policy.xml", "oauth-proxy-authorize"),
        ("authorize-named-values.xml", "oauth-proxy-authorize"),
    ] {
        let r = lint(file);
        assert_eq!(r.code, 0, "{file}: {r}");
        no_failures(&r);
        let pattern = r
            .checks()
            .iter()
            .find(|c| c["id"] == "policy.pattern")
            .unwrap();
        assert_eq!(pattern["evidence"]["recognised"], recognised, "{file}");
        // The discovery rules ran on the documents the policy serves.
        assert!(
            r.checks()
                .iter()
                .any(|c| c["id"].as_str().unwrap().starts_with("discovery.")),
            "{file}: no discovery check"
        );
    }
}

#[test]
fn shared_key_and_passthrough_policies_pass() {
    for (file, pattern, recognised) in [
        ("shared-key-policy.xml", "shared-key", "shared-key"),
        ("passthrough-policy.xml", "passthrough", "passthrough"),
    ] {
        let r = lint_args(&[file], &["--pattern", pattern]);
        assert_eq!(r.code, 0, "{file}: {r}");
        assert_eq!(r["verdict"], "pass", "{file}: {r}");
        let p = r
            .checks()
            .iter()
            .find(|c| c["id"] == "policy.pattern")
            .unwrap();
        assert_eq!(p["evidence"]["recognised"], recognised);
    }
}

#[test]
fn envelopes_are_linted_like_the_xml() {
    // The guide's jq envelope (format xml) and an exported rawxml envelope.
    for file in ["obo-policy-body.json", "obo-policy-rawxml.json"] {
        let r = lint(file);
        assert_eq!(r.code, 0, "{file}: {r}");
        assert_eq!(r["verdict"], "pass", "{file}: {r}");
    }
    // Locations inside an envelope point into its XML.
    let r = lint_args(&["obo-policy-body.json"], &["--token-lifetime", "1800"]);
    let c = r.with_code("policy.obo-cache-duration")[0];
    assert_eq!(
        c["evidence"]["location"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap(),
        "obo-policy-body.json[properties.value]:69:23"
    );
}

#[test]
fn the_envelope_fixture_is_the_obo_policy() {
    let xml = std::fs::read_to_string(fixture("policy/obo-policy.xml")).unwrap();
    let env: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("policy/obo-policy-body.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(env["properties"]["value"], xml);
    assert_eq!(env["properties"]["format"], "xml");
}

#[test]
fn stdin_is_read_with_dash() {
    let r = Run::new()
        .args(["policy", "-"])
        .stdin(std::fs::read(fixture("policy/obo-policy.xml")).unwrap())
        .code(0)
        .report();
    assert_eq!(r["verdict"], "pass");
    let loc = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.token-validation")
        .unwrap()["evidence"]["location"]
        .clone();
    assert_eq!(loc, "-:5:5");
}

#[test]
fn several_files_make_one_report() {
    let r = lint_args(&["obo-policy.xml", "obo-cache-key.xml"], &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r["context"]["files"].as_array().unwrap().len(), 2);
    // One finding per rule per file: the cache-key file's lookup and store are one check.
    let keys = r.with_code("policy.obo-cache-key");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["evidence"]["count"], 2);
}

// ---------------------------------------------------------------------------------------
// Every policy.* code, at its line and column

#[test]
fn xml_invalid_raw_quote_in_attribute() {
    // Read like the portal and rawxml: one note, not an error.
    let r = lint("xml-invalid-quote.xml");
    assert_eq!(r.code, 0, "{r}");
    let note = r.with_code("policy.xml-invalid");
    assert_eq!(note.len(), 1);
    assert_eq!(note[0]["status"], "info");
    // Deployed with format xml, the raw quote is the error.
    let r = lint_args(&["xml-invalid-quote.xml"], &["--deploy-format", "xml"]);
    assert_eq!(r.code, 1);
    assert_finding(
        &r,
        "policy.xml-invalid",
        "fail",
        "xml-invalid-quote.xml",
        31,
        14,
    );
    let c = r.with_code("policy.xml-invalid")[0];
    let detail = c["detail"].as_str().unwrap();
    assert!(detail.contains("&quot;"), "{detail}");
    assert!(
        detail.contains("Two XML quirks"),
        "the escaping rule: {detail}"
    );
    // The rest of the policy is still linted (with the expression escaped).
    assert!(r.checks().iter().any(|c| c["id"] == "policy.obo-cache-key"));
}

#[test]
fn xml_invalid_generic_in_element_text() {
    let r = lint_args(&["xml-invalid-generic.xml"], &["--deploy-format", "xml"]);
    assert_finding(
        &r,
        "policy.xml-invalid",
        "fail",
        "xml-invalid-generic.xml",
        53,
        60,
    );
    let detail = r.with_code("policy.xml-invalid")[0]["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("&lt;"), "{detail}");
}

#[test]
fn xml_invalid_placeholder_says_it_is_a_placeholder() {
    let r = lint("xml-invalid-placeholder.xml");
    assert_finding(
        &r,
        "policy.xml-invalid",
        "fail",
        "xml-invalid-placeholder.xml",
        89,
        52,
    );
    let c = r.with_code("policy.xml-invalid")[0];
    assert_eq!(c["evidence"]["placeholder"], "<your-apim-host>");
    assert!(c["detail"].as_str().unwrap().contains("placeholder"));
    // Not reported twice as policy.placeholder.
    assert!(r.with_code("policy.placeholder").is_empty());
}

#[test]
fn unfilled_prm_policy_reports_each_placeholder_and_the_prm_rules() {
    let r = lint("prm-policy-unfilled.xml");
    for (line, col) in [(9, 24), (10, 38), (11, 31)] {
        assert_finding(
            &r,
            "policy.xml-invalid",
            "fail",
            "prm-policy-unfilled.xml",
            line,
            col,
        );
    }
    assert!(!r.with_code("discovery.prm-placeholder").is_empty());
}

#[test]
fn envelope_whose_value_is_not_xml() {
    let r = lint("envelope-not-xml.json");
    assert_eq!(r.code, 1);
    let c = r.with_code("policy.xml-invalid")[0];
    assert!(
        c["evidence"]["location"]
            .as_str()
            .unwrap()
            .ends_with("envelope-not-xml.json[properties.value]:1:1")
    );
}

#[test]
fn named_value_in_expression() {
    let r = lint("named-value-in-expression.xml");
    // APIM substitutes named values inside expressions (Microsoft documents it): info.
    assert_finding(
        &r,
        "policy.named-value-in-expression",
        "info",
        "named-value-in-expression.xml",
        48,
        35,
    );
    let c = r.with_code("policy.named-value-in-expression")[0];
    let detail = c["detail"].as_str().unwrap();
    assert!(
        detail.contains("substitutes named values inside expressions"),
        "{detail}"
    );
    assert!(detail.contains("breaks the C# string literal"), "{detail}");
    assert_eq!(
        r.with_code("policy.named-value-in-expression")[0]["evidence"]["named_value"],
        "apim-gateway-client-secret"
    );
}

#[test]
fn named_value_in_cdata() {
    let r = lint("named-value-in-cdata.xml");
    assert_finding(
        &r,
        "policy.named-value-in-cdata",
        "fail",
        "named-value-in-cdata.xml",
        40,
        71,
    );
}

#[test]
fn placeholder_in_attribute() {
    let r = lint("placeholder.xml");
    assert_finding(&r, "policy.placeholder", "fail", "placeholder.xml", 5, 41);
    assert_eq!(
        r.with_code("policy.placeholder")[0]["evidence"]["placeholder"],
        "<your-tenant-id>"
    );
}

#[test]
fn no_token_validation() {
    let r = lint("no-token-validation.xml");
    assert_finding(
        &r,
        "policy.no-token-validation",
        "fail",
        "no-token-validation.xml",
        2,
        3,
    );
}

#[test]
fn audience_uri_and_both_forms() {
    let r = lint("audience-uri.xml");
    assert_finding(&r, "policy.audience-uri", "fail", "audience-uri.xml", 10, 9);
    // The declaration's advice, filled with the app the pattern validates and its client ID.
    let fix = r.by_code("policy.audience-uri")["fix"].as_str().unwrap();
    assert!(
        fix.starts_with(&format!(
            "Keep only the client ID of the APIM Gateway app in <audiences>: <audience>{GATEWAY_APP_ID}</audience>"
        )),
        "{fix}"
    );
    let r = lint("audience-both-forms.xml");
    assert_eq!(r.code, 0);
    assert_finding(
        &r,
        "policy.audience-uri",
        "info",
        "audience-both-forms.xml",
        11,
        9,
    );
}

#[test]
fn scope_claim_of_the_other_hop_and_match_misuse() {
    let r = lint("scope-claim.xml");
    assert_finding(&r, "policy.scope-claim", "fail", "scope-claim.xml", 13, 9);
    let r = lint("scope-claim-match.xml");
    assert_finding(
        &r,
        "policy.scope-claim",
        "fail",
        "scope-claim-match.xml",
        13,
        9,
    );
    assert_finding(
        &r,
        "policy.scope-claim",
        "warn",
        "scope-claim-match.xml",
        13,
        9,
    );
}

#[test]
fn obo_cache_key_without_oid() {
    let r = lint("obo-cache-key.xml");
    assert_finding(
        &r,
        "policy.obo-cache-key",
        "fail",
        "obo-cache-key.xml",
        31,
        14,
    );
    assert_finding(
        &r,
        "policy.obo-cache-key",
        "fail",
        "obo-cache-key.xml",
        67,
        18,
    );
}

#[test]
fn obo_cache_duration_against_default_and_configured_lifetime() {
    let r = lint("obo-cache-duration.xml");
    assert_finding(
        &r,
        "policy.obo-cache-duration",
        "fail",
        "obo-cache-duration.xml",
        69,
        23,
    );
    // The guide's 3000 s passes by default, fails against a 45-minute lifetime.
    let r = lint_args(&["obo-policy.xml"], &["--token-lifetime", "2700"]);
    assert_eq!(r.code, 1);
    assert_finding(
        &r,
        "policy.obo-cache-duration",
        "fail",
        "obo-policy.xml",
        69,
        23,
    );
}

#[test]
fn challenge_missing_and_pointing_elsewhere() {
    let r = lint("challenge-missing.xml");
    assert_finding(
        &r,
        "policy.challenge-missing",
        "fail",
        "challenge-missing.xml",
        84,
        3,
    );
    let r = lint("challenge-wrong-host.xml");
    assert_finding(
        &r,
        "policy.challenge-missing",
        "fail",
        "challenge-wrong-host.xml",
        89,
        44,
    );
    // A gateway other than the one in the policy.
    let r = Run::new()
        .args(["policy", "--host", "other.azure-api.net"])
        .arg(fixture("policy/obo-policy.xml"))
        .report();
    assert_finding(
        &r,
        "policy.challenge-missing",
        "fail",
        "obo-policy.xml",
        89,
        44,
    );
}

#[test]
fn secret_inline_is_reported_masked() {
    let r = lint("secret-inline.xml");
    assert_finding(
        &r,
        "policy.secret-inline",
        "fail",
        "secret-inline.xml",
        21,
        47,
    );
    let r = lint("secret-inline-api-key.xml");
    assert_finding(
        &r,
        "policy.secret-inline",
        "fail",
        "secret-inline-api-key.xml",
        21,
        21,
    );
    assert_eq!(
        r.with_code("policy.secret-inline")[0]["evidence"]["secret"],
        "ctx7sk…7e57"
    );
}

#[test]
fn pattern_mixed_obo_and_key_swap() {
    let r = lint("pattern-mixed.xml");
    assert_finding(
        &r,
        "policy.pattern-mixed",
        "fail",
        "pattern-mixed.xml",
        76,
        5,
    );
}

#[test]
fn pattern_mixed_after_migration_and_pattern_mismatch() {
    // Guide 1 "Migration from Pattern 1": passthrough must drop the swap.
    let r = lint_args(&["shared-key-policy.xml"], &["--pattern", "passthrough"]);
    assert_eq!(r.code, 1);
    assert_finding(
        &r,
        "policy.pattern-mixed",
        "fail",
        "shared-key-policy.xml",
        20,
        5,
    );
    // An explicit --pattern that disagrees with the policy.
    let r = lint_args(&["obo-policy.xml"], &["--pattern", "shared-key"]);
    assert_finding(&r, "policy.pattern-mixed", "fail", "obo-policy.xml", 36, 9);
    // The default pattern is not a claim: a shared-key policy is fine without --pattern.
    assert_eq!(lint("shared-key-policy.xml").code, 0);
}

#[test]
fn buffering() {
    let r = lint("buffering.xml");
    assert_finding(&r, "policy.buffering", "fail", "buffering.xml", 83, 48);
    assert_finding(&r, "policy.buffering", "fail", "buffering.xml", 79, 53);
    let r = lint("buffering-validate-content.xml");
    assert_finding(
        &r,
        "policy.buffering",
        "fail",
        "buffering-validate-content.xml",
        83,
        5,
    );
}

#[test]
fn diagnostics_payload() {
    let r = lint("diagnostics-service-8192.json");
    assert_eq!(r.code, 1);
    assert_finding(
        &r,
        "policy.diagnostics-payload",
        "fail",
        "diagnostics-service-8192.json",
        25,
        11,
    );
    let c = r.with_code("policy.diagnostics-payload")[0];
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .starts_with("properties.frontend.response.body.bytes = 8192"),
        "{c}"
    );
    let r = lint("diagnostics-api-0.json");
    assert_eq!(r.code, 0);
    assert_eq!(r["verdict"], "pass");
    let r = lint("diagnostics-request-logging.json");
    assert_eq!(r.code, 0);
    assert_finding(
        &r,
        "policy.diagnostics-payload",
        "warn",
        "diagnostics-request-logging.json",
        8,
        28,
    );
    assert!(
        r.with_code("policy.diagnostics-payload")[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("frontend.request.body.bytes = 1024")
    );
}

#[test]
fn oauth_proxy_rules_are_discoverys() {
    let r = lint("prm-resource-mismatch.xml");
    assert_finding(
        &r,
        "discovery.prm-resource",
        "fail",
        "prm-resource-mismatch.xml",
        9,
        3,
    );
    let r = lint("as-metadata-issuer-pkce.xml");
    assert_finding(
        &r,
        "discovery.as-issuer",
        "fail",
        "as-metadata-issuer-pkce.xml",
        9,
        3,
    );
    assert!(!r.with_code("discovery.as-pkce").is_empty());
    let r = lint("authorize-drops-query.xml");
    assert_finding(
        &r,
        "discovery.authorize-query",
        "fail",
        "authorize-drops-query.xml",
        6,
        16,
    );
}

// ---------------------------------------------------------------------------------------
// Bad input: findings or usage errors, never a panic or a hang

#[test]
fn not_a_policy() {
    let r = lint("not-a-policy.xml");
    assert_eq!(r.code, 1);
    assert_finding(&r, "policy.not-policy", "fail", "not-a-policy.xml", 2, 1);
}

#[test]
fn xml_bomb_is_rejected_quickly() {
    let start = Instant::now();
    let r = lint("xml-bomb.xml");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(r.code, 1);
    assert_finding(&r, "policy.xml-invalid", "fail", "xml-bomb.xml", 2, 1);
    assert!(
        r.with_code("policy.xml-invalid")[0]["detail"]
            .as_str()
            .unwrap()
            .contains("DTD")
    );
}

fn lint_path(path: &std::path::Path) -> Report {
    Run::new()
        .arg("policy")
        .arg(path)
        .timeout(Duration::from_secs(20))
        .report()
}

#[test]
fn huge_file_is_refused_without_loading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.xml");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"<policies><inbound>").unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..50 {
            f.write_all(&block).unwrap();
        }
        f.write_all(b"</inbound></policies>").unwrap();
    }
    let start = Instant::now();
    let r = lint_path(&path);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(r.code, 1);
    assert!(
        r.with_code("policy.not-policy")[0]["detail"]
            .as_str()
            .unwrap()
            .contains("16 MiB")
    );
}

#[test]
fn binary_and_empty_files_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("policy.bin");
    std::fs::write(&bin, [0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff, 0xfe, 0]).unwrap();
    let r = lint_path(&bin);
    assert_eq!(r.code, 1);
    assert_eq!(r.with_code("policy.not-policy").len(), 1);
    let empty = dir.path().join("empty.xml");
    std::fs::write(&empty, "  \n").unwrap();
    let r = lint_path(&empty);
    assert_eq!(r.code, 1);
    assert_eq!(r.with_code("policy.not-policy").len(), 1);
}

#[test]
fn deep_nesting_and_many_nodes_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.xml");
    std::fs::write(
        &deep,
        format!(
            "<policies>{}{}</policies>",
            "<a>".repeat(50_000),
            "</a>".repeat(50_000)
        ),
    )
    .unwrap();
    let r = lint_path(&deep);
    assert_eq!(r.code, 1);
    assert_eq!(r.with_code("policy.not-policy").len(), 1);
    let wide = dir.path().join("wide.xml");
    std::fs::write(
        &wide,
        format!("<policies>{}</policies>", "<a/>".repeat(200_000)),
    )
    .unwrap();
    let r = lint_path(&wide);
    assert_eq!(r.code, 1);
    assert_eq!(r.with_code("policy.xml-invalid").len(), 1);
}

#[test]
fn unknown_json_and_bad_json_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"name": "not a policy"}"#).unwrap();
    let r = lint_path(&other);
    assert_eq!(r.code, 1);
    assert_eq!(r.with_code("policy.not-policy").len(), 1);
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"properties\": {\"value\": \"<policies/>\",\n}",
    )
    .unwrap();
    let r = lint_path(&broken);
    assert_eq!(r.code, 1);
    assert_eq!(r.with_code("policy.not-policy")[0]["evidence"]["line"], 3);
}

#[test]
fn unreadable_path_is_a_usage_error_naming_it() {
    let out = Run::new()
        .args(["policy", "fixtures/policy/does-not-exist.xml"])
        .code(2)
        .output();
    assert!(out.stderr.contains("does-not-exist.xml"), "{out}");
    assert!(out.stdout.is_empty());
}

// ---------------------------------------------------------------------------------------
// Inline secrets are found (and shown masked) where a parser meets them first. That no
// secret leaks in any format, with and without -v, is the one leak suite's job
// (tests/integration/leaks.rs), which plants these same secrets.

#[test]
fn inline_secrets_are_found_on_an_error_line_and_in_an_envelope() {
    // The secret sits on the line of a parse error, and inside an envelope.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        format!("<policies><inbound><set-header name=\"Context7-API-Key\" exists-action=\"override\"><value>{API_KEY}</value></set-header><set-variable name=\"x\" value=\"@(\"a\")\" /></inbound></policies>"),
    )
    .unwrap();
    let env = dir.path().join("env.json");
    std::fs::write(
        &env,
        serde_json::json!({"properties": {"format": "rawxml", "value": format!("<policies><inbound><set-variable name=\"s\" value=\"{CLIENT_SECRET}\" /></inbound></policies>")}}).to_string(),
    )
    .unwrap();
    for path in [&broken, &env] {
        for format in ["text", "json", "markdown"] {
            let out = Run::new()
                .args(["policy", "--format", format])
                .arg(path)
                .output();
            let s = &out.stdout;
            assert!(
                !s.contains(API_KEY) && !s.contains(CLIENT_SECRET),
                "{format}: {s}"
            );
            assert!(s.contains("secret-inline"), "{format}: {s}");
        }
    }
}

#[test]
fn a_lone_on_error_section_is_linted() {
    // The guide prints the Part 5 Step 3 block on its own.
    let r = lint("on-error-challenge.xml");
    assert_eq!(r.code, 0, "{r}");
    assert!(r.with_code("policy.no-token-validation").is_empty());
    let c = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.challenge")
        .unwrap();
    assert_eq!(c["status"], "pass");
    let r = Run::new()
        .args(["policy", "--host", "other.example.net"])
        .arg(fixture("policy/on-error-challenge.xml"))
        .report();
    assert_finding(
        &r,
        "policy.challenge-missing",
        "fail",
        "on-error-challenge.xml",
        6,
        42,
    );
}

// ---------------------------------------------------------------------------------------
// Real-world shapes (fixtures/policy/real-world/): what APIM, Entra and real clients
// accept is never failed; the traps people really hit are found.

/// `policy` with only these arguments (no test configuration), on real-world fixtures.
fn bare(files: &[&str], args: &[&str]) -> Run {
    Run::new().arg("policy").args(args).args(
        files
            .iter()
            .map(|f| fixture(&format!("policy/real-world/{f}"))),
    )
}

/// [`bare`]'s report, its exit code checked against the verdict.
fn lint_bare(files: &[&str], args: &[&str]) -> Report {
    bare(files, args).report()
}

/// [`bare`] in JSON: the report and the raw stdout (what a leak check scans).
fn lint_bare_stdout(files: &[&str], args: &[&str]) -> (Report, String) {
    let out = bare(files, args).args(["--format", "json"]).output();
    let report = out.report();
    out.assert_code(report.implied_code(false));
    (report, out.stdout)
}

/// Real-world fixture with the test configuration (host, tenant, both app IDs).
fn lint_real(files: &[&str], extra: &[&str]) -> Report {
    let mut args = vec![
        "--host",
        HOST,
        "--tenant-id",
        TENANT_ID,
        "--gateway-app-id",
        GATEWAY_APP_ID,
        "--mcp-app-id",
        MCP_APP_ID,
    ];
    args.extend_from_slice(extra);
    lint_bare(files, &args)
}

/// The codes of the checks with this status, sorted and deduplicated.
fn codes_with(report: &Report, status: &str) -> Vec<String> {
    let mut v: Vec<String> = report
        .checks()
        .iter()
        .filter(|c| c["status"] == status)
        .filter_map(|c| c["code"].as_str().map(str::to_string))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Every non-pass code of the report with its status, sorted: the exact expected verdict.
fn findings(report: &Report) -> Vec<String> {
    let mut v: Vec<String> = report
        .checks()
        .iter()
        .filter(|c| c["status"] != "pass")
        .map(|c| {
            format!(
                "{} {}",
                c["status"].as_str().unwrap(),
                c["code"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn rawxml_quotes_parse_like_apim_with_one_format_note() {
    let r = lint_real(&["rawxml-obo.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r["verdict"], "pass", "{r}");
    assert_eq!(
        findings(&r),
        [
            "info policy.named-value-in-expression",
            "info policy.xml-invalid"
        ],
        "{r}"
    );
    let note = r.with_code("policy.xml-invalid");
    assert_eq!(note.len(), 1, "one note, not one per expression");
    let n = note[0]["evidence"]["expressions"].as_u64().unwrap();
    assert_eq!(n, 7, "{}", note[0]);
    assert!(note[0]["detail"].as_str().unwrap().contains("format xml"));
    let p = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.pattern")
        .unwrap();
    assert_eq!(p["evidence"]["recognised"], "obo");
    // Named values inside expressions: one info with every place counted.
    let nv = r.with_code("policy.named-value-in-expression");
    assert_eq!(nv.len(), 1);
    assert!(
        nv[0]["evidence"]["count"].as_u64().unwrap() >= 3,
        "{}",
        nv[0]
    );

    // Deployed with format xml, the same expressions are errors: one finding, all places.
    let r = lint_real(&["rawxml-obo.xml"], &["--deploy-format", "xml"]);
    assert_eq!(r.code, 1);
    let bad = r.with_code("policy.xml-invalid");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0]["status"], "fail");
    assert_eq!(bad[0]["evidence"]["count"].as_u64(), Some(n));
    assert_eq!(
        bad[0]["evidence"]["locations"].as_array().unwrap().len() as u64,
        n
    );
    assert_eq!(bad[0]["evidence"]["line"], 17, "{}", bad[0]);

    // Deployed with rawxml: nothing to say about escaping.
    let r = lint_real(&["rawxml-obo.xml"], &["--deploy-format", "rawxml"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.with_code("policy.xml-invalid").is_empty(), "{r}");
}

#[test]
fn envelope_format_decides_escaping() {
    let xml = std::fs::read_to_string(fixture("policy/real-world/rawxml-obo.xml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (format, verdict) in [("rawxml", "pass"), ("xml", "fail")] {
        let path = dir.path().join(format!("envelope-{format}.json"));
        let env = serde_json::json!({"properties": {"format": format, "value": xml}});
        std::fs::write(&path, env.to_string()).unwrap();
        let r = Run::new()
            .args(["policy", "--host", HOST])
            .arg(&path)
            .report();
        assert_eq!(r["verdict"], verdict, "{format}: {r}");
        let xml_findings = r.with_code("policy.xml-invalid");
        match format {
            "rawxml" => assert!(xml_findings.is_empty(), "{r}"),
            _ => assert_eq!(xml_findings[0]["status"], "fail"),
        }
    }
}

#[test]
fn real_xml_errors_stay_errors_with_the_right_fix() {
    let dir = tempfile::tempdir().unwrap();
    // Raw quotes inside expressions are fine; the unclosed <set-header> is not.
    let path = dir.path().join("unclosed.xml");
    std::fs::write(
        &path,
        "<policies>\n  <inbound>\n    <set-variable name=\"a\" value=\"@(context.Request.Headers.GetValueOrDefault(\"x\", \"\"))\" />\n    <set-header name=\"x\" exists-action=\"override\">\n      <value>1</value>\n  </inbound>\n</policies>\n",
    )
    .unwrap();
    let r = Run::new().arg("policy").arg(&path).code(1).report();
    let bad = r.with_code("policy.xml-invalid");
    assert_eq!(bad.len(), 1, "{r}");
    assert_eq!(bad[0]["status"], "fail");
    assert_eq!(bad[0]["evidence"]["line"], 4, "{}", bad[0]);
    assert_eq!(bad[0]["evidence"]["column"], 5, "{}", bad[0]);
    let detail = bad[0]["detail"].as_str().unwrap();
    assert!(detail.contains("never closed"), "{detail}");
    assert!(
        !detail.contains("&quot;"),
        "no escaping advice for an unclosed tag: {detail}"
    );
}

#[test]
fn named_values_are_substituted_never_invented() {
    // With --host the concatenated challenge evaluates to the PRM URL.
    let r = lint_real(&["challenge-concat.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        findings(&r),
        ["info policy.named-value-in-expression"],
        "{r}"
    );
    let ch = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.challenge")
        .unwrap();
    assert_eq!(
        ch["evidence"]["resource_metadata"],
        format!("https://{HOST}/.well-known/oauth-protected-resource")
    );
    // Without it, {{apim-host}} is unknown: built at run time, never an invented host.
    let (r, stdout) = lint_bare_stdout(&["challenge-concat.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        findings(&r),
        [
            "info policy.named-value-in-expression",
            "info policy.runtime-value"
        ],
        "{r}"
    );
    assert!(!stdout.contains("example.invalid"), "{stdout}");
    // --named-values (az apim nv list) resolves it.
    let nv = fixture("policy/real-world/named-values.json");
    let r = lint_bare(
        &["challenge-concat.xml"],
        &["--named-values", nv.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        findings(&r),
        ["info policy.named-value-in-expression"],
        "{r}"
    );
    let ch = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.challenge")
        .unwrap();
    assert!(
        ch["evidence"]["assumed"]
            .as_str()
            .unwrap()
            .contains("--named-values"),
        "{ch}"
    );
    assert_eq!(r["context"]["named_values"], nv.to_str().unwrap());
}

#[test]
fn secret_named_values_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let nv = dir.path().join("nv.json");
    let secret = "NvSecretValue-7f2a9c-NotReal";
    std::fs::write(
        &nv,
        serde_json::json!([
            {"displayName": "apim-host", "secret": true, "value": secret},
        ])
        .to_string(),
    )
    .unwrap();
    for format in ["json", "text", "markdown"] {
        let all = Run::new()
            .args(["policy", "--format", format, "--named-values"])
            .arg(&nv)
            .arg(fixture("policy/real-world/challenge-concat.xml"))
            .output()
            .all();
        assert!(!all.contains(secret), "{format}: {all}");
        if format == "json" {
            // The value that needed it is opaque (text folds info checks away).
            assert!(all.contains("runtime-value"), "{format}: {all}");
        }
    }
    // A file that is not az apim nv list output is a usage error naming it.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"a\": 1}").unwrap();
    let out = Run::new()
        .args(["policy", "--named-values"])
        .arg(&bad)
        .arg(fixture("policy/real-world/challenge-concat.xml"))
        .code(2)
        .output();
    assert!(out.stderr.contains("bad.json"), "{out}");
}

#[test]
fn fragments_are_resolved_when_linted_together() {
    // Alone, the API policy cannot see what its fragments do: info, never fail.
    let r = lint_real(&["fragments/mcp-api.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        findings(&r),
        [
            "info policy.fragment-missing",
            "info policy.no-token-validation"
        ],
        "{r}"
    );
    let missing = r.with_code("policy.fragment-missing");
    assert_eq!(
        missing[0]["evidence"]["count"], 2,
        "one finding for both includes"
    );
    // Together, validation is found in the fragment; the fragments need no sections.
    let r = lint_real(
        &[
            "fragments/mcp-api.xml",
            "fragments/entra-validate.xml",
            "fragments/obo-exchange.xml",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r["verdict"], "pass", "{r}");
    assert_eq!(
        findings(&r),
        [
            "info policy.named-value-in-expression",
            "info policy.xml-invalid"
        ],
        "{r}"
    );
    let v = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.token-validation" && c["status"] == "pass")
        .unwrap();
    assert!(
        v["detail"].as_str().unwrap().contains("entra-validate"),
        "{v}"
    );
    // A fragment alone: no <on-error>, no Authorization of its own required.
    let r = lint_real(&["fragments/obo-exchange.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(codes_with(&r, "fail"), Vec::<String>::new(), "{r}");
    assert_eq!(codes_with(&r, "warn"), Vec::<String>::new(), "{r}");
}

#[test]
fn base_inheritance_is_info_alone_and_resolved_with_the_parent() {
    let r = lint_real(&["base-operation.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        findings(&r),
        [
            "info policy.challenge-missing",
            "info policy.no-token-validation"
        ],
        "{r}"
    );
    let r = lint_real(&["base-operation.xml", "rawxml-obo.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    let ok: Vec<&Value> = r
        .checks()
        .iter()
        .filter(|c| {
            (c["id"] == "policy.token-validation" || c["id"] == "policy.challenge")
                && c["detail"].as_str().unwrap().contains("<base />")
        })
        .collect();
    assert_eq!(ok.len(), 2, "{r}");
    assert!(ok.iter().all(|c| c["status"] == "pass"));
}

#[test]
fn obo_grant_assembled_in_variables_with_an_oid_cache_key_passes() {
    let r = lint_real(&["obo-variables.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        findings(&r),
        ["info policy.named-value-in-expression"],
        "{r}"
    );
    let p = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.pattern")
        .unwrap();
    assert_eq!(p["evidence"]["recognised"], "obo");
    let key = r
        .checks()
        .iter()
        .find(|c| c["id"] == "policy.obo-cache-key")
        .unwrap();
    assert_eq!(key["status"], "pass");
    assert!(key["detail"].as_str().unwrap().contains("oid"), "{key}");
}

#[test]
fn challenge_built_at_run_time_is_info() {
    let r = lint_real(&["challenge-runtime.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(findings(&r), ["info policy.runtime-value"], "{r}");
    let c = r.with_code("policy.runtime-value")[0];
    assert!(c["detail"].as_str().unwrap().contains("discovery"), "{c}");
}

#[test]
fn stream_rules_skip_an_oauth_token_operation() {
    let r = lint_real(&["oauth-callback-buffering.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        findings(&r),
        ["info policy.buffering", "info policy.xml-invalid"],
        "{r}"
    );
    let b = r.with_code("policy.buffering");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0]["evidence"]["count"], 3, "{}", b[0]);
    assert!(
        b[0]["detail"]
            .as_str()
            .unwrap()
            .contains("does not forward the MCP stream")
    );
}

#[test]
fn generic_mcp_policy_gets_hints_not_failures() {
    let r = lint_bare(&["generic-mcp.xml"], &["--host", HOST]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r["verdict"], "pass", "{r}");
    assert_eq!(findings(&r), ["info policy.scope-claim"], "{r}");
    // Configured for Context7, the guide's scope name is expected.
    let r = lint_real(&["generic-mcp.xml"], &["--pattern", "passthrough"]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(findings(&r), ["warn policy.scope-claim"], "{r}");
}

#[test]
fn common_metadata_without_issuers_is_tenant_unpinned() {
    let r = lint_real(&["tenant-common.xml"], &[]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r["verdict"], "warn", "{r}");
    assert_eq!(findings(&r), ["warn policy.tenant-unpinned"], "{r}");
    let c = r.with_code("policy.tenant-unpinned")[0];
    assert_eq!(c["evidence"]["line"], 7);
    assert!(
        c["detail"].as_str().unwrap().contains(&format!(
            "<issuer>https://login.microsoftonline.com/{TENANT_ID}/v2.0</issuer>"
        )),
        "{c}"
    );
}

#[test]
fn impossible_required_claims_fail() {
    let r = lint_real(&["required-claims-impossible.xml"], &[]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(
        findings(&r),
        ["fail policy.required-claims-impossible"],
        "{r}"
    );
    let c = r.with_code("policy.required-claims-impossible")[0];
    assert_eq!(
        c["evidence"]["count"], 2,
        "tid under match=all and exp: {c}"
    );
    assert_eq!(c["evidence"]["line"], 14);
}

#[test]
fn token_written_to_trace_fails_and_an_oid_trace_does_not() {
    let r = lint_real(&["token-in-trace.xml"], &[]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(
        findings(&r),
        [
            "fail policy.secret-in-trace",
            "info policy.named-value-in-expression",
            "info policy.xml-invalid"
        ],
        "{r}"
    );
    let c = r.with_code("policy.secret-in-trace");
    assert_eq!(c.len(), 1);
    assert_eq!(
        c[0]["evidence"]["line"], 25,
        "the second trace only: {}",
        c[0]
    );
    assert!(c[0].get("evidence").unwrap().get("count").is_none());
}

#[test]
fn diagnostics_in_arm_bicep_and_terraform() {
    for (file, line) in [
        ("diagnostics-arm.json", 22),
        ("diagnostics.bicep", 23),
        ("diagnostics.tf", 19),
    ] {
        let r = lint_real(&[file], &[]);
        assert_eq!(r.code, 1, "{file}: {r}");
        assert_eq!(
            findings(&r),
            ["fail policy.diagnostics-payload"],
            "{file}: {r}"
        );
        let c = r.with_code("policy.diagnostics-payload")[0];
        assert_eq!(c["evidence"]["bytes"], 8192, "{file}: {c}");
        assert_eq!(c["evidence"]["line"], line, "{file}: {c}");
    }
    // A Bicep file without diagnostics is an unsupported format, never invalid XML.
    let r = lint_real(&["policy-only.bicep"], &[]);
    assert_eq!(r.code, 1);
    assert_eq!(findings(&r), ["fail policy.not-policy"], "{r}");
    let c = r.with_code("policy.not-policy")[0];
    assert!(
        c["detail"].as_str().unwrap().contains("unsupported format"),
        "{c}"
    );
    assert!(!c["fix"].as_str().unwrap_or("").contains("&quot;"), "{c}");
}

#[test]
fn more_secret_shapes_are_found_masked() {
    let (r, stdout) = lint_bare_stdout(&["secret-shapes.xml"], &[]);
    assert_eq!(r.code, 1, "{r}");
    let s = r.with_code("policy.secret-inline");
    assert_eq!(s.len(), 1, "one finding for all: {s:?}");
    assert_eq!(s[0]["evidence"]["count"], 7, "{}", s[0]);
    for secret in [
        "Pa55w0rd-NotReal-2026",
        "0123456789abcdef0123456789abcdef",
        "fnKeyNotReal0123456789abcdefABCDEF==",
        "k[7Lq]mZ@x:9*bQ2-Rt_8vN.wE4yH1sP",
        "AbCdEfNotReal%2Bsig0123456789%3D",
        "CamelCaseSecretNotReal0123",
        "c2lnbmluZy1rZXktbm90LXJlYWwtMDEyMzQ1Njc4OQ==",
    ] {
        assert!(!stdout.contains(secret), "{secret} leaked: {stdout}");
    }
}

#[test]
fn facade_that_strips_resource_is_correct() {
    for file in ["authorize-strips-resource.xml", "token-strips-resource.xml"] {
        let r = lint_real(&[file], &[]);
        assert_eq!(r.code, 0, "{file}: {r}");
        assert_eq!(codes_with(&r, "fail"), Vec::<String>::new(), "{file}: {r}");
        assert_eq!(codes_with(&r, "warn"), Vec::<String>::new(), "{file}: {r}");
        let c = r
            .checks()
            .iter()
            .find(|c| c["id"] == "policy.oauth-proxy.resource")
            .unwrap_or_else(|| panic!("{file}: {r}"));
        assert_eq!(c["status"], "pass");
    }
}

#[test]
fn four_mib_of_repeated_secrets_stays_bounded() {
    let time = std::path::Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "/usr/bin/time is needed to measure peak memory (.ci/run installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.xml");
    let unit = format!("client_secret={CLIENT_SECRET}&amp;password=hunter2hunter2&amp;{API_KEY} ");
    let mut body = String::from("<policies><inbound><set-body>");
    while body.len() < 4 * 1024 * 1024 {
        body.push_str(&unit);
    }
    body.push_str("</set-body></inbound></policies>");
    std::fs::write(&path, &body).unwrap();
    let rss = dir.path().join("rss");
    let out = std::process::Command::new(time)
        .args(["-f", "%M", "-o"])
        .arg(&rss)
        .arg(assert_cmd::cargo::cargo_bin("c7doctor"))
        .args(["policy", "--format", "json"])
        .arg(&path)
        .env("C7DOCTOR_NOW", crate::support::NOW)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(CLIENT_SECRET) && !stdout.contains(API_KEY));
    let kib: u64 = std::fs::read_to_string(&rss)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(kib < 64 * 1024, "peak {} MiB", kib / 1024);
}
