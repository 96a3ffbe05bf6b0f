//! `discovery.*`: the codes `c7doctor discovery` raises against a simulator profile (the
//! profile's fault is in the discovery chain), or the target alone raises. The warnings and
//! failures each profile must produce are its discovery column in the profile table
//! (`support/expected.rs`), which `discovery.rs` runs; the rows here are the codes no row
//! of that table expects (an info, a finding the table tolerates beside its own, a target).

use super::{Row, config_row, fixture_row, profile_row};

const DISCOVERY: &[&str] = &["discovery"];

pub const ROWS: &[Row] = &[
    profile_row("discovery.no-dcr", "healthy", DISCOVERY),
    // Beside an intact resource_metadata, Entra's claims challenge is explained (info).
    profile_row("discovery.claims-challenge", "challenge-claims-with-metadata", DISCOVERY),
    // The policy linter raises it on the guide's /authorize 302, which forwards the query.
    fixture_row(
        "discovery.resource-rejected",
        "policy/authorize-policy.xml",
        &["policy", "{fixture}"],
    ),
    profile_row("discovery.clients-blocked", "as-no-response-types", DISCOVERY),
    profile_row("discovery.host-not-configured", "prm-foreign-authorization-server", DISCOVERY),
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
];
