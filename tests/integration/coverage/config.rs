//! `config.*`: each code raised by the configuration a command runs with.

use super::{Row, config_row, fixture_row, profile_row};

pub const ROWS: &[Row] = &[
    // No tenant or app IDs: the checks that need them are skipped naming the option.
    fixture_row(
        "config.missing",
        "tokens/obo-client-valid.jwt",
        &["token", "--token-file", "{fixture}"],
    ),
    // A multi-tenant alias where a tenant belongs.
    fixture_row(
        "config.invalid",
        "tokens/obo-client-valid.jwt",
        &["token", "--token-file", "{fixture}", "--tenant-id", "common"],
    ),
    fixture_row(
        "config.unknown-key",
        "config/unknown-key.toml",
        &["--config", "{fixture}", "e2e", "--timeout", "1"],
    ),
    // The developer portal's host instead of the gateway's.
    config_row(
        "config.portal-host",
        &["e2e", "--host", "contoso.portal.azure-api.net", "--timeout", "1"],
    ),
    // A shared-key gateway checked as OBO: the client token says which pattern it is.
    profile_row(
        "config.pattern-detected",
        "healthy-shared-key",
        &["probe", "--pattern", "obo"],
    ),
];
