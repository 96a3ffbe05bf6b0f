//! `mcp.*` and `sse.*`: each code raised by `c7doctor probe` against a simulator profile
//! whose fault is in the MCP conversation or its stream (a real rmcp Context7 behind the
//! simulated gateway).

use super::{Row, profile_row};

const PROBE: &[&str] = &["probe"];

pub const ROWS: &[Row] = &[
    profile_row("mcp.rejected-at-gateway", "gateway-rejects", PROBE),
    profile_row("mcp.rejected-by-context7", "context7-rejects-audience", PROBE),
    profile_row("mcp.api-key-rejected", "api-key-invalid", PROBE),
    profile_row("mcp.user-not-provisioned", "user-not-provisioned", PROBE),
    profile_row("mcp.gateway-error", "gateway-500", PROBE),
    profile_row("mcp.not-acceptable", "not-acceptable", PROBE),
    profile_row("mcp.session", "session-dropped", PROBE),
    profile_row("mcp.initialize-failed", "initialize-error", PROBE),
    profile_row("mcp.tools-missing", "tools-old", PROBE),
    profile_row("mcp.tool-error", "tool-error", PROBE),
    profile_row("mcp.protocol-2026", "mcp-2026", PROBE),
    profile_row("mcp.get-404", "get-404", PROBE),
    profile_row("mcp.protocol-2025-only", "healthy-sessions", PROBE),
    profile_row(
        "mcp.protocol-headers",
        "mcp-headers-dropped",
        &["probe", "--era", "2026"],
    ),
    profile_row("mcp.era-refused", "mcp-headers-dropped", PROBE),
    profile_row("mcp.era-refused", "mcp-2025-only-operation", PROBE),
    profile_row(
        "mcp.audience-other-teamspace",
        "context7-audience-taken",
        PROBE,
    ),
    profile_row("sse.truncated", "sse-truncated-1024", PROBE),
    profile_row("sse.truncated", "sse-truncated-8192", PROBE),
    profile_row("sse.truncated", "json-truncated-1024", PROBE),
    profile_row("sse.buffered", "sse-buffered", PROBE),
    profile_row("sse.buffered", "sse-gzip", PROBE),
    profile_row("sse.content-type", "backend-html", PROBE),
    profile_row("sse.framing", "sse-framing", PROBE),
    profile_row("sse.stalled", "sse-stalled", &["probe", "--timeout", "1"]),
    profile_row("sse.id-mismatch", "sse-id-mismatch", PROBE),
    profile_row(
        "sse.oversized",
        "sse-huge-line",
        &["probe", "--max-stream-mib", "4", "--stream-deadline", "30"],
    ),
];
