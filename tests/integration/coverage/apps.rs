//! `apps.*`: each code raised by `c7doctor apps` on the documents of `fixtures/apps/` — the
//! healthy pair with one document replaced by its broken version from `fixtures/apps/broken/`
//! (the same mistakes `tests/support/sim/graph.rs` plays through the simulated Graph, where
//! `tests/integration/apps.rs` checks every code a second time).

use super::{Row, Via, fixture_row};

/// `apps` on the row's fixture (the Gateway app) and the healthy MCP API side.
const WITH_GATEWAY: &[&str] = &[
    "apps",
    "{ids}",
    "{fixture}",
    "{fixtures}/apps/mcp-app.json",
    "{fixtures}/apps/gateway-sp.json",
    "{fixtures}/apps/mcp-sp.json",
    "{fixtures}/apps/grants.json",
];

/// `apps` on the row's fixture (the MCP API app) and the healthy Gateway side.
const WITH_MCP: &[&str] = &[
    "apps",
    "{ids}",
    "{fixtures}/apps/gateway-app.json",
    "{fixture}",
    "{fixtures}/apps/gateway-sp.json",
    "{fixtures}/apps/mcp-sp.json",
    "{fixtures}/apps/grants.json",
];

pub const ROWS: &[Row] = &[
    fixture_row("apps.not-found", "apps/mcp-app.json", &["apps", "{ids}", "{fixture}"]),
    fixture_row("apps.token-version", "apps/broken/gateway-token-v1.json", WITH_GATEWAY),
    fixture_row("apps.identifier-uri", "apps/broken/mcp-no-identifier-uri.json", WITH_MCP),
    fixture_row("apps.scope-missing", "apps/broken/mcp-scope-case.json", WITH_MCP),
    fixture_row("apps.preauthorized", "apps/broken/gateway-no-client-preauth.json", WITH_GATEWAY),
    fixture_row(
        "apps.permission-missing",
        "apps/broken/gateway-no-permission.json",
        &[
            "apps",
            "{ids}",
            "{fixture}",
            "{fixtures}/apps/broken/mcp-no-gateway-preauth.json",
            "{fixtures}/apps/gateway-sp.json",
            "{fixtures}/apps/mcp-sp.json",
            "{fixtures}/apps/broken/grants-no-mcp-access.json",
        ],
    ),
    fixture_row(
        "apps.consent-missing",
        "apps/broken/grants-no-mcp-access.json",
        &[
            "apps",
            "{ids}",
            "{fixtures}/apps/gateway-app.json",
            "{fixtures}/apps/broken/mcp-no-gateway-preauth.json",
            "{fixtures}/apps/gateway-sp.json",
            "{fixtures}/apps/mcp-sp.json",
            "{fixture}",
        ],
    ),
    fixture_row("apps.secret-missing", "apps/broken/gateway-no-secret.json", WITH_GATEWAY),
    fixture_row("apps.secret-expired", "apps/broken/gateway-secret-expired.json", WITH_GATEWAY),
    fixture_row("apps.secret-expiring", "apps/broken/gateway-secret-expiring.json", WITH_GATEWAY),
    fixture_row("apps.redirect-uri", "apps/broken/gateway-redirect-spa.json", WITH_GATEWAY),
    fixture_row("apps.sign-in-audience", "apps/broken/gateway-multi-tenant.json", WITH_GATEWAY),
    fixture_row(
        "apps.resource-identifier",
        "apps/gateway-app.json",
        &[
            "apps",
            "{ids}",
            "--host",
            "contoso.azure-api.net",
            "{fixture}",
            "{fixtures}/apps/mcp-app.json",
        ],
    ),
    fixture_row("apps.input-invalid", "apps/az-ad-app-list.json", &["apps", "{ids}", "{fixture}"]),
    Row {
        code: "apps.graph-denied",
        via: Via::Config {
            args: &["apps", "{ids}", "--graph", "--graph-url", "{graph-refusing}"],
        },
        stdin: Some("eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lt"),
    },
    Row {
        code: "apps.graph-failed",
        via: Via::Config {
            args: &["apps", "{ids}", "--graph", "--graph-url", "http://127.0.0.1:9"],
        },
        stdin: Some("eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lt"),
    },
];
