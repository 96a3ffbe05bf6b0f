//! `policy.*`: each code raised by `c7doctor policy` on a policy or diagnostics file of
//! `fixtures/policy/` (where the code is at which line and column is `tests/integration/
//! policy.rs`'s business).

use super::{Row, fixture_row};

/// `policy FIXTURE` with the IDs and the gateway the fixtures are written for.
const POLICY: &[&str] = &[
    "policy",
    "{ids}",
    "--host",
    "apim-c7doctor-test.azure-api.net",
    "{fixture}",
];

pub const ROWS: &[Row] = &[
    fixture_row("policy.xml-invalid", "policy/xml-invalid-quote.xml", POLICY),
    fixture_row("policy.xml-invalid", "policy/xml-bomb.xml", POLICY),
    fixture_row(
        "policy.named-value-in-expression",
        "policy/named-value-in-expression.xml",
        POLICY,
    ),
    fixture_row(
        "policy.named-value-in-cdata",
        "policy/named-value-in-cdata.xml",
        POLICY,
    ),
    fixture_row("policy.placeholder", "policy/placeholder.xml", POLICY),
    fixture_row(
        "policy.no-token-validation",
        "policy/no-token-validation.xml",
        POLICY,
    ),
    fixture_row("policy.audience-uri", "policy/audience-uri.xml", POLICY),
    fixture_row("policy.scope-claim", "policy/scope-claim.xml", POLICY),
    fixture_row("policy.obo-cache-key", "policy/obo-cache-key.xml", POLICY),
    fixture_row(
        "policy.obo-cache-duration",
        "policy/obo-cache-duration.xml",
        POLICY,
    ),
    fixture_row(
        "policy.challenge-missing",
        "policy/challenge-missing.xml",
        POLICY,
    ),
    fixture_row("policy.secret-inline", "policy/secret-inline.xml", POLICY),
    fixture_row("policy.pattern-mixed", "policy/pattern-mixed.xml", POLICY),
    fixture_row("policy.buffering", "policy/buffering.xml", POLICY),
    fixture_row(
        "policy.diagnostics-payload",
        "policy/diagnostics-service-8192.json",
        POLICY,
    ),
    fixture_row("policy.not-policy", "policy/not-a-policy.xml", POLICY),
    fixture_row(
        "policy.tenant-unpinned",
        "policy/real-world/tenant-common.xml",
        POLICY,
    ),
    fixture_row(
        "policy.required-claims-impossible",
        "policy/real-world/required-claims-impossible.xml",
        POLICY,
    ),
    fixture_row(
        "policy.secret-in-trace",
        "policy/real-world/token-in-trace.xml",
        POLICY,
    ),
    fixture_row(
        "policy.fragment-missing",
        "policy/real-world/fragments/mcp-api.xml",
        POLICY,
    ),
    fixture_row(
        "policy.runtime-value",
        "policy/real-world/challenge-runtime.xml",
        POLICY,
    ),
    fixture_row(
        "policy.diagnostics-payload",
        "policy/real-world/diagnostics.tf",
        POLICY,
    ),
];
