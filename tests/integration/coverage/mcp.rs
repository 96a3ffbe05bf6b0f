//! `mcp.*` and `sse.*`: the codes `c7doctor probe` raises against a simulator profile whose
//! fault is in the MCP conversation or its stream (a real rmcp Context7 behind the simulated
//! gateway). Most are expected of their profile by the probe column of the profile table
//! (`support/expected.rs`), which `probe.rs` runs in each era; the rows here are the codes
//! only a run of both eras side by side raises.

use super::{Row, profile_row};

const PROBE: &[&str] = &["probe"];

pub const ROWS: &[Row] = &[
    profile_row("mcp.era-refused", "mcp-headers-dropped", PROBE),
    profile_row("mcp.era-refused", "mcp-2025-only-operation", PROBE),
];
