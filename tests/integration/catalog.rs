//! The finding catalog as a whole: every declared code is unique, well formed, documented,
//! and every troubleshooting cause of both guides maps to one (DESIGN.md §5).

use c7doctor::catalog::{by_aadsts, get, lookup};

fn entries() -> Vec<c7doctor::findings::Code> {
    c7doctor::catalog::all().collect()
}

/// DESIGN.md §5, the contract list of codes.
const DESIGN_CODES: &[&str] = &[
    "token.malformed",
    "token.not-access-token",
    "token.graph-audience",
    "token.app-only",
    "token.issuer-v1",
    "token.issuer-tenant",
    "token.issuer-foreign",
    "token.audience-uri",
    "token.audience-other-hop",
    "token.audience-mismatch",
    "token.scope-missing",
    "token.expired",
    "token.not-yet-valid",
    "token.no-expiry",
    "token.short-lifetime",
    "token.oid-missing",
    "token.personal-account",
    "token.oid-not-provisioned",
    "token.alg-unexpected",
    "token.signature-invalid",
    "token.key-unknown",
    "token.signature-unchecked",
    "token.hops-user-mismatch",
    "apikey.format",
    "apikey.placeholder",
    "discovery.unreachable",
    "discovery.endpoint-open",
    "discovery.endpoint-missing",
    "discovery.challenge-missing",
    "discovery.challenge-malformed",
    "discovery.challenge-upstream",
    "discovery.prm-missing",
    "discovery.prm-invalid",
    "discovery.prm-placeholder",
    "discovery.prm-resource",
    "discovery.prm-scope",
    "discovery.as-missing",
    "discovery.as-invalid",
    "discovery.as-issuer",
    "discovery.as-pkce",
    "discovery.as-placeholder",
    "discovery.no-dcr",
    "discovery.offline-access",
    "discovery.authorize-proxied",
    "discovery.authorize-target",
    "discovery.authorize-query",
    "discovery.token-route",
    "discovery.tenant-missing",
    "discovery.jwks-mismatch",
    "entra.public-client-disabled",
    "entra.app-not-found",
    "entra.tenant-not-found",
    "entra.invalid-scope",
    "entra.resource-not-permitted",
    "entra.consent-required",
    "entra.declined",
    "entra.code-expired",
    "entra.conditional-access",
    "entra.user-not-in-tenant",
    "entra.obo-audience",
    "entra.invalid-assertion",
    "entra.assertion-expired",
    "entra.secret-invalid",
    "entra.secret-expired",
    "entra.unknown-error",
    "mcp.rejected-at-gateway",
    "mcp.rejected-by-context7",
    "mcp.api-key-rejected",
    "mcp.user-not-provisioned",
    "mcp.gateway-error",
    "mcp.not-acceptable",
    "mcp.session",
    "mcp.initialize-failed",
    "mcp.tools-missing",
    "mcp.tool-error",
    "sse.truncated",
    "sse.buffered",
    "sse.content-type",
    "sse.framing",
    "sse.stalled",
    "sse.id-mismatch",
    "policy.xml-invalid",
    "policy.named-value-in-expression",
    "policy.named-value-in-cdata",
    "policy.placeholder",
    "policy.no-token-validation",
    "policy.audience-uri",
    "policy.scope-claim",
    "policy.obo-cache-key",
    "policy.obo-cache-duration",
    "policy.challenge-missing",
    "policy.secret-inline",
    "policy.pattern-mixed",
    "policy.buffering",
    "policy.diagnostics-payload",
    "config.missing",
    "config.invalid",
    "apps.not-found",
    "apps.token-version",
    "apps.identifier-uri",
    "apps.scope-missing",
    "apps.preauthorized",
    "apps.permission-missing",
    "apps.consent-missing",
    "apps.secret-missing",
    "apps.secret-expired",
    "apps.secret-expiring",
    "apps.redirect-uri",
    "apps.sign-in-audience",
    "apps.resource-identifier",
];

/// Every cause the two guides' "Troubleshooting" sections document, with the code that
/// reports it (reference/README.md: each must be a finding code).
const GUIDE_CAUSES: &[(&str, &str, &str)] = &[
    // guide-per-user-obo
    (
        "401 Unauthorized at APIM",
        "iss is sts.windows.net: gateway app manifest lacks requestedAccessTokenVersion 2",
        "token.issuer-v1",
    ),
    (
        "401 Unauthorized at APIM",
        "aud is the MCP API app's, not the gateway app's",
        "token.audience-other-hop",
    ),
    (
        "401 Unauthorized at APIM",
        "aud is not the gateway app's client ID",
        "token.audience-mismatch",
    ),
    (
        "401 Unauthorized at APIM",
        "scp lacks Mcp.Gateway.Access",
        "token.scope-missing",
    ),
    (
        "401 Unauthorized at APIM",
        "exp is not in the future",
        "token.expired",
    ),
    (
        "401 Unauthorized at APIM",
        "the inbound token failed validate-azure-ad-token",
        "mcp.rejected-at-gateway",
    ),
    (
        "OBO exchange returns AADSTS50013 or AADSTS65001",
        "AADSTS50013",
        "entra.invalid-assertion",
    ),
    (
        "OBO exchange returns AADSTS50013 or AADSTS65001",
        "AADSTS65001: admin consent not granted",
        "entra.consent-required",
    ),
    (
        "OBO exchange returns AADSTS50013 or AADSTS65001",
        "gateway app lacks the mcp.access permission",
        "entra.resource-not-permitted",
    ),
    (
        "OBO exchange returns AADSTS70011: Invalid scope",
        "scope is not api://<guid>/.default",
        "entra.invalid-scope",
    ),
    (
        "OBO exchange returns AADSTS70011: Invalid scope",
        "mcp-api-app-id named value is not a GUID",
        "config.invalid",
    ),
    (
        "401 Unauthorized from Context7 with a valid OBO token",
        "Tenant ID differs from the token's tid",
        "token.issuer-tenant",
    ),
    (
        "401 Unauthorized from Context7 with a valid OBO token",
        "Audience differs from the OBO token's aud",
        "mcp.rejected-by-context7",
    ),
    (
        "401 Unauthorized from Context7 with a valid OBO token",
        "Required scope is not in scp",
        "mcp.rejected-by-context7",
    ),
    (
        "401 Unauthorized from Context7 with a valid OBO token",
        "tenant not reachable (Test connection)",
        "discovery.tenant-missing",
    ),
    (
        "401 Unauthorized from Context7 with a valid OBO token",
        "user's oid not pre-provisioned",
        "mcp.user-not-provisioned",
    ),
    (
        "401 Unauthorized from Context7 with a valid OBO token",
        "user's oid not in the provisioned list",
        "token.oid-not-provisioned",
    ),
    (
        "Streaming responses get cut off",
        "Number of payload bytes to log > 0 truncates SSE",
        "sse.truncated",
    ),
    (
        "Streaming responses get cut off",
        "diagnostics settings log frontend response bytes",
        "policy.diagnostics-payload",
    ),
    (
        "Wrong client ID returned to MCP clients",
        "AADSTS65005: client not in Authorized client applications",
        "entra.resource-not-permitted",
    ),
    // guide-shared-identity
    (
        "401 Unauthorized with valid-looking token",
        "iss is the v1 form",
        "token.issuer-v1",
    ),
    (
        "401 Unauthorized with valid-looking token",
        "aud does not match <audiences>",
        "token.audience-mismatch",
    ),
    (
        "401 Unauthorized with valid-looking token",
        "aud is api://… instead of the GUID",
        "token.audience-uri",
    ),
    (
        "401 Unauthorized with valid-looking token",
        "<audience> is api://… in the policy",
        "policy.audience-uri",
    ),
    (
        "401 Unauthorized with valid-looking token",
        "scp lacks mcp.access",
        "token.scope-missing",
    ),
    (
        "401 Unauthorized with valid-looking token",
        "exp is not in the future",
        "token.expired",
    ),
    (
        "Invalid API key. Please check your API key.",
        "key rejected by the backend",
        "mcp.api-key-rejected",
    ),
    (
        "Invalid API key. Please check your API key.",
        "named value set to a placeholder",
        "apikey.placeholder",
    ),
    (
        "Invalid API key. Please check your API key.",
        "not a ctx7sk key",
        "apikey.format",
    ),
    (
        "AADSTS650057: Invalid resource",
        "MCP API not an allowed resource of the client",
        "entra.resource-not-permitted",
    ),
    (
        "Streaming responses get cut off",
        "payload logging breaks SSE",
        "sse.truncated",
    ),
];

#[test]
fn codes_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for e in entries() {
        assert!(seen.insert(e.code), "duplicate code {}", e.code);
    }
}

#[test]
fn codes_are_family_dot_lowercase_kebab() {
    let kebab = |s: &str| {
        !s.is_empty()
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    for e in entries() {
        let (family, name) = e
            .code
            .split_once('.')
            .unwrap_or_else(|| panic!("{} has no family", e.code));
        assert!(
            kebab(family) && kebab(name),
            "{} is not family.lowercase-kebab",
            e.code
        );
    }
}

#[test]
fn entries_have_title_cause_fix() {
    for e in entries() {
        for (what, text) in [("title", e.title), ("cause", e.cause), ("fix", e.fix)] {
            assert!(!text.trim().is_empty(), "{} has an empty {what}", e.code);
        }
        assert!(!e.title.contains('\n'), "{} title is not one line", e.code);
    }
}

/// `explain` has no configuration and no check to fill a fix from, so every placeholder must
/// show its display form (`<gateway-app-id>`, `<app-id>`), never `{app_id}`.
#[test]
fn explain_shows_no_raw_placeholder() {
    let placeholder = |s: &str| {
        s.match_indices('{').find_map(|(i, _)| {
            let rest = &s[i + 1..];
            let end = rest.find('}')?;
            let name = &rest[..end];
            (name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
            .then(|| name.to_string())
        })
    };
    for e in entries() {
        let shown = c7doctor::explain::format_entry(e, e.code);
        assert_eq!(
            placeholder(&shown),
            None,
            "explain {} shows a raw placeholder:\n{shown}",
            e.code
        );
    }
}

#[test]
fn every_design_code_is_present() {
    for code in DESIGN_CODES {
        assert!(get(code).is_some(), "{code} from DESIGN.md §5 is missing");
    }
    for code in [
        "config.unknown-key",
        "config.portal-host",
        "run.interrupted",
        "run.prerequisite-failed",
    ] {
        assert!(get(code).is_some(), "{code} missing");
    }
}

#[test]
fn every_guide_troubleshooting_cause_maps_to_a_code() {
    for (heading, cause, code) in GUIDE_CAUSES {
        assert!(
            get(code).is_some(),
            "{heading} › {cause}: {code} is not in the catalog"
        );
    }
    // Each heading of both guides is covered at least once.
    for heading in [
        "401 Unauthorized at APIM",
        "OBO exchange returns AADSTS50013 or AADSTS65001",
        "OBO exchange returns AADSTS70011: Invalid scope",
        "401 Unauthorized from Context7 with a valid OBO token",
        "Streaming responses get cut off",
        "Wrong client ID returned to MCP clients",
        "401 Unauthorized with valid-looking token",
        "Invalid API key. Please check your API key.",
        "AADSTS650057: Invalid resource",
    ] {
        assert!(
            GUIDE_CAUSES.iter().any(|(h, _, _)| *h == heading),
            "{heading} has no code"
        );
        assert!(
            entries().iter().any(|e| e.see.contains(heading)),
            "no entry cites the guide section {heading:?}"
        );
    }
}

#[test]
fn see_names_a_guide_or_spec() {
    for e in entries().into_iter().filter(|e| !e.see.is_empty()) {
        for part in e.see.split("; ") {
            assert!(
                part.starts_with("guide-per-user-obo: ")
                    || part.starts_with("guide-shared-identity: ")
                    || part.starts_with("MCP spec ")
                    || part.starts_with("RFC "),
                "{}: see {part:?} names no guide or spec",
                e.code
            );
        }
    }
}

#[test]
fn aadsts_numbers_map_to_the_design_codes() {
    for (n, code) in [
        (7000218, "entra.public-client-disabled"),
        (700016, "entra.app-not-found"),
        (90002, "entra.tenant-not-found"),
        (70011, "entra.invalid-scope"),
        (650053, "entra.invalid-scope"),
        (650057, "entra.resource-not-permitted"),
        (65005, "entra.resource-not-permitted"),
        (500011, "entra.resource-not-permitted"),
        (65001, "entra.consent-required"),
        (70019, "entra.code-expired"),
        (70020, "entra.code-expired"),
        (53003, "entra.conditional-access"),
        (50076, "entra.conditional-access"),
        (50079, "entra.conditional-access"),
        (50020, "entra.user-not-in-tenant"),
        (500131, "entra.obo-audience"),
        (50013, "entra.invalid-assertion"),
        (50027, "entra.invalid-assertion"),
        (240002, "entra.invalid-assertion"),
        (500133, "entra.assertion-expired"),
        (7000215, "entra.secret-invalid"),
        (7000222, "entra.secret-expired"),
        (700025, "entra.public-client-secret"),
        (7000114, "entra.obo-not-allowed"),
        (9010010, "entra.resource-parameter"),
        (9002326, "entra.origin-header"),
        (9001023, "entra.obo-common-endpoint"),
        (70018, "entra.bad-user-code"),
        (70016, "entra.authorization-pending"),
    ] {
        assert_eq!(by_aadsts(n).map(|e| e.code), Some(code), "AADSTS{n}");
    }
    // A number belongs to one code only.
    let mut seen = std::collections::HashMap::new();
    for e in entries() {
        for n in e.aadsts {
            if let Some(other) = seen.insert(*n, e.code) {
                panic!("AADSTS{n} is on both {other} and {}", e.code);
            }
        }
    }
}

#[test]
fn lookup_accepts_codes_and_aadsts_forms() {
    assert_eq!(
        lookup("token.issuer-v1").map(|e| e.code),
        Some("token.issuer-v1")
    );
    assert_eq!(
        lookup(" token.issuer-v1 ").map(|e| e.code),
        Some("token.issuer-v1")
    );
    assert_eq!(
        lookup("AADSTS65001").map(|e| e.code),
        Some("entra.consent-required")
    );
    assert_eq!(
        lookup("aadsts65001").map(|e| e.code),
        Some("entra.consent-required")
    );
    assert_eq!(
        lookup("65001").map(|e| e.code),
        Some("entra.consent-required")
    );
    assert_eq!(
        lookup("AADSTS1234567").map(|e| e.code),
        Some("entra.unknown-error")
    );
    assert_eq!(
        lookup("AADSTS99999999999999").map(|e| e.code),
        Some("entra.unknown-error")
    );
    assert_eq!(lookup("AADSTS"), None);
    assert_eq!(lookup("nonsense"), None);
    assert_eq!(lookup(""), None);
}
