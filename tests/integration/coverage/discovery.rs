//! `discovery.*`: each code raised by `c7doctor discovery` against a simulator profile
//! (the profile's fault is in the discovery chain), or by the target alone.

use super::{Row, config_row, profile_row};

const DISCOVERY: &[&str] = &["discovery"];
/// For profiles that never answer: the verdict comes within the timeout.
const DISCOVERY_SHORT: &[&str] = &["discovery", "--timeout", "1"];

pub const ROWS: &[Row] = &[
    profile_row("discovery.unreachable", "black-hole", DISCOVERY_SHORT),
    profile_row("discovery.endpoint-open", "endpoint-open", DISCOVERY),
    profile_row("discovery.endpoint-missing", "endpoint-404", DISCOVERY),
    profile_row("discovery.challenge-missing", "challenge-missing", DISCOVERY),
    profile_row(
        "discovery.challenge-missing",
        "challenge-without-resource-metadata",
        DISCOVERY,
    ),
    profile_row("discovery.challenge-malformed", "challenge-malformed", DISCOVERY),
    profile_row("discovery.challenge-upstream", "challenge-upstream", DISCOVERY),
    profile_row("discovery.prm-missing", "prm-missing", DISCOVERY),
    profile_row("discovery.prm-invalid", "prm-invalid", DISCOVERY),
    profile_row("discovery.prm-invalid", "huge-body", DISCOVERY),
    profile_row("discovery.prm-placeholder", "prm-placeholder", DISCOVERY),
    profile_row("discovery.prm-resource", "prm-resource-mismatch", DISCOVERY),
    profile_row("discovery.prm-resource", "prm-path-only", DISCOVERY),
    profile_row("discovery.prm-scope", "prm-scope-unqualified", DISCOVERY),
    profile_row("discovery.as-missing", "as-missing", DISCOVERY),
    profile_row("discovery.as-invalid", "as-invalid", DISCOVERY),
    profile_row("discovery.as-issuer", "as-issuer-mismatch", DISCOVERY),
    profile_row("discovery.as-pkce", "as-no-pkce", DISCOVERY),
    profile_row("discovery.as-placeholder", "as-placeholder", DISCOVERY),
    profile_row("discovery.no-dcr", "healthy", DISCOVERY),
    profile_row("discovery.offline-access", "as-offline-access", DISCOVERY),
    profile_row("discovery.authorize-proxied", "authorize-proxied", DISCOVERY),
    profile_row("discovery.authorize-target", "authorize-v1", DISCOVERY),
    profile_row("discovery.authorize-query", "authorize-drops-query", DISCOVERY),
    profile_row("discovery.token-route", "token-route-missing", DISCOVERY),
    profile_row("discovery.tenant-missing", "tenant-missing", DISCOVERY),
    profile_row("discovery.resource-rejected", "resource-forwarded", DISCOVERY),
    profile_row("discovery.resource-rejected", "resource-identifier-uri", DISCOVERY),
    profile_row("discovery.authorize-refused", "redirect-uri-unregistered", DISCOVERY),
    profile_row("discovery.clients-blocked", "as-no-response-types", DISCOVERY),
    profile_row("discovery.host-not-configured", "prm-foreign-authorization-server", DISCOVERY),
    profile_row("discovery.jwks-mismatch", "jwks-mismatch", DISCOVERY),
    profile_row("discovery.redirect", "redirect-elsewhere", DISCOVERY),
    // Plain http to a host that is not loopback: warned before any request (nothing
    // listens at the .invalid name, so the run also ends unreachable).
    config_row(
        "discovery.plain-http",
        &[
            "discovery",
            "http://c7doctor-plain-http.invalid",
            "--timeout",
            "2",
        ],
    ),
    profile_row("discovery.html-response", "endpoint-html", DISCOVERY),
];
