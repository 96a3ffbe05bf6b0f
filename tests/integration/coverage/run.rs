//! `run.*`: what happens to the run itself (a step that could not run, Ctrl-C).

use super::{Row, config_row, interrupted_row};

pub const ROWS: &[Row] = &[
    // The portal host stops every step that needs the gateway.
    config_row(
        "run.prerequisite-failed",
        &["e2e", "--host", "contoso.portal.azure-api.net", "--timeout", "1"],
    ),
    // Ctrl-C while the tool call's stream stalls.
    interrupted_row("run.interrupted", "sse-stalled", &["e2e", "--timeout", "20"]),
];
