//! THE table of simulator profiles: one named fault (or none) each. To add a profile, add
//! its name to [`NAMES`] and an arm to [`profile`]; faults live in [`ApimFaults`] (the
//! gateway), [`EntraFaults`] (the tenant) and [`McpFaults`] (Context7 and the stream).
//! What each profile must produce, per command, is the other table:
//! [`crate::support::expected`].

pub use super::apim::{ApimFaults, Hostile};
pub use super::entra::EntraFaults;
pub use super::entra_token::SimError;
pub use super::gateway_proxy::McpFaults;

/// One simulated deployment.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// `obo`, `passthrough` or `shared-key` (c7doctor's `--pattern`).
    pub pattern: &'static str,
    /// Added to every response of every simulated server (benchmarks use 50).
    pub latency_ms: u64,
    pub apim: ApimFaults,
    pub entra: EntraFaults,
    pub mcp: McpFaults,
}

/// Every profile name [`profile`] knows.
pub const NAMES: &[&str] = &[
    "healthy",
    "healthy-passthrough",
    "guide-verbatim",
    "challenge-missing",
    "challenge-missing-no-prm",
    "challenge-without-resource-metadata",
    "challenge-malformed",
    "challenge-upstream",
    "prm-missing",
    "prm-invalid",
    "prm-path-only",
    "prm-placeholder",
    "prm-resource-mismatch",
    "prm-scope-unqualified",
    "as-missing",
    "as-invalid",
    "as-placeholder",
    "as-no-pkce",
    "as-issuer-mismatch",
    "as-offline-access",
    "authorize-proxied",
    "authorize-drops-query",
    "authorize-v1",
    "token-route-missing",
    "tenant-missing",
    "jwks-mismatch",
    "endpoint-open",
    "endpoint-404",
    "endpoint-html",
    "redirect-elsewhere",
    "huge-body",
    "black-hole",
    "v1-tokens",
    "gateway-rejects",
    // discovery as the TypeScript SDK clients judge it
    "as-no-response-types",
    "as-openid-only",
    "as-issuer-trailing-slash",
    "prm-path-suffixed-only",
    "challenge-basic-first",
    "challenge-basic-two-headers",
    "resource-forwarded",
    "resource-identifier-uri",
    "redirect-uri-unregistered",
    "redirect-uri-no-vscode",
    "challenge-insufficient-claims",
    "challenge-claims-with-metadata",
    "prm-foreign-authorization-server",
    // device code and OBO (helper E)
    "device-code-pending",
    "device-code-slow-down",
    "device-code-declined",
    "device-code-expired",
    "public-client-disabled",
    "app-not-found",
    "tenant-not-found",
    "invalid-scope",
    "obo-consent-missing",
    "obo-resource-not-permitted",
    "obo-audience",
    "obo-secret-invalid",
    "obo-secret-expired",
    "conditional-access",
    "entra-html",
    "entra-black-hole",
    "device-code-bad-user-code",
    "device-code-never-signed-in",
    "azure-cli-not-preauthorized",
    "user-not-in-tenant",
    "entra-unknown-error",
    "token-answer-incomplete",
    "obo-public-client-secret",
    "obo-resource-parameter",
    "obo-origin-header",
    "obo-redirect-uri",
    "obo-response-type",
    "obo-bad-token",
    "obo-invalid-request",
    "obo-pkce-mismatch",
    "obo-user-not-assigned",
    "obo-code-redeemed",
    "obo-refresh-expired",
    "obo-single-tenant",
    // the MCP conversation and the stream (helper F)
    "sse-truncated-1024",
    "sse-truncated-8192",
    "sse-buffered",
    "sse-gzip",
    "sse-stalled",
    "sse-reset",
    "sse-huge",
    "sse-huge-line",
    "sse-bom",
    "api-key-invalid",
    "healthy-shared-key",
    "user-not-provisioned",
    "context7-rejects-audience",
    "gateway-500",
    "not-acceptable",
    "mcp-2026",
    "healthy-sessions",
    "session-dropped",
    "initialize-error",
    "backend-html",
    "tools-old",
    "tool-error",
    "get-404",
    "sse-framing",
    "sse-id-mismatch",
    "healthy-json",
    "json-truncated-1024",
    "json-cut-content-length",
    "context7-rejects-scope",
    "context7-audience-taken",
    "context7-no-credential",
    "mcp-headers-dropped",
    "mcp-2025-only-operation",
    "sse-keepalive-forever",
    // composite faults for e2e (helper G)
    "e2e-v1-no-challenge",
    "e2e-consent-truncated",
    "e2e-api-key-buffered",
];

/// An audience no app of the simulated tenant has (a teamspace configured for another app).
pub const OTHER_AUDIENCE: &str = "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0";

/// A profile with MCP faults set by `f` (helper F's profiles).
fn mcp(p: Profile, f: impl FnOnce(&mut McpFaults)) -> Profile {
    let mut m = McpFaults::default();
    f(&mut m);
    Profile { mcp: m, ..p }
}

/// A profile with tenant faults set by `f` (helper E's profiles).
fn entra(p: Profile, f: impl FnOnce(&mut EntraFaults)) -> Profile {
    let mut e = EntraFaults::default();
    f(&mut e);
    Profile { entra: e, ..p }
}

fn base(name: &str) -> Profile {
    Profile {
        name: name.to_string(),
        pattern: "obo",
        latency_ms: 0,
        apim: ApimFaults::default(),
        entra: EntraFaults::default(),
        mcp: McpFaults::default(),
    }
}

/// The profile of this name. Panics on an unknown name (a test typo).
pub fn profile(name: &str) -> Profile {
    let p = base(name);
    let apim = ApimFaults::default();
    match name {
        // Guide 2 done right: every discovery check passes.
        "healthy" => p,
        "healthy-passthrough" => Profile {
            pattern: "passthrough",
            ..p
        },
        // Guide 2 Part 5 policies as printed: PRM `resource` is the API path only, the AS
        // metadata lists offline_access, and the /authorize 302 keeps the whole query, so
        // the RFC 8707 `resource` clients send reaches Entra (AADSTS9010010).
        "guide-verbatim" => Profile {
            apim: ApimFaults {
                prm_resource_path: Some("/context7".into()),
                as_offline_access: true,
                forward_resource: true,
                ..apim
            },
            ..p
        },
        // Part 5 Step 3 skipped: 401 without WWW-Authenticate; the PRM is still at the
        // root well-known URL (clients of the 2025-11 spec find it, 2025-06 clients do not).
        "challenge-missing" => Profile {
            apim: ApimFaults {
                challenge: Some(String::new()),
                ..apim
            },
            ..p
        },
        // No challenge and no PRM anywhere: nothing to discover.
        "challenge-missing-no-prm" => Profile {
            apim: ApimFaults {
                challenge: Some(String::new()),
                prm_missing: true,
                ..apim
            },
            ..p
        },
        "challenge-without-resource-metadata" => Profile {
            apim: ApimFaults {
                challenge: Some(r#"Bearer realm="context7", error="invalid_token""#.into()),
                ..apim
            },
            ..p
        },
        // Entra's claims challenge (a Conditional Access authentication context) in place of
        // the MCP challenge, as a resource server such as Graph sends it.
        "challenge-insufficient-claims" => Profile {
            apim: ApimFaults {
                challenge: Some(
                    r#"Bearer realm="", authorization_uri="{authority}/{tenant}/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19""#
                        .into(),
                ),
                ..apim
            },
            ..p
        },
        // The same claims challenge beside an intact resource_metadata.
        "challenge-claims-with-metadata" => Profile {
            apim: ApimFaults {
                challenge: Some(
                    r#"Bearer resource_metadata="{gateway}/.well-known/oauth-protected-resource", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19""#
                        .into(),
                ),
                ..apim
            },
            ..p
        },
        // An unclosed quote (a policy value with a stray '"').
        "challenge-malformed" => Profile {
            apim: ApimFaults {
                challenge: Some(
                    r#"Bearer resource_metadata="{gateway}/.well-known/oauth-protected-resource"#
                        .into(),
                ),
                ..apim
            },
            ..p
        },
        // Context7's own header passed through: it points at mcp.context7.com's metadata.
        "challenge-upstream" => Profile {
            apim: ApimFaults {
                challenge: Some(
                    r#"Bearer resource_metadata="{elsewhere}/.well-known/oauth-protected-resource""#
                        .into(),
                ),
                ..apim
            },
            ..p
        },
        "prm-missing" => Profile {
            apim: ApimFaults {
                prm_missing: true,
                ..apim
            },
            ..p
        },
        "prm-invalid" => Profile {
            apim: ApimFaults {
                prm_body: Some(r#"{"resource": "{gateway}/context7/mcp", "authorization_servers": "{gateway}""#.into()),
                ..apim
            },
            ..p
        },
        // `resource` names only the API path (`…/context7`), a prefix of the MCP URL.
        "prm-path-only" => Profile {
            apim: ApimFaults {
                prm_resource_path: Some("/context7".into()),
                ..apim
            },
            ..p
        },
        // The guide's template pasted unchanged.
        "prm-placeholder" => Profile {
            apim: ApimFaults {
                prm_body: Some(
                    r#"{
  "resource": "https://<your-apim-host>/context7",
  "authorization_servers": ["https://<your-apim-host>"],
  "scopes_supported": ["api://<gateway-app-id>/Mcp.Gateway.Access"],
  "bearer_methods_supported": ["header"]
}"#
                    .into(),
                ),
                ..apim
            },
            ..p
        },
        "prm-resource-mismatch" => Profile {
            apim: ApimFaults {
                prm_resource: Some("https://mcp.context7.com/mcp".into()),
                ..apim
            },
            ..p
        },
        "prm-scope-unqualified" => Profile {
            apim: ApimFaults {
                prm_scopes: Some(vec!["Mcp.Gateway.Access".into()]),
                ..apim
            },
            ..p
        },
        "as-missing" => Profile {
            apim: ApimFaults {
                as_missing: true,
                ..apim
            },
            ..p
        },
        "as-invalid" => Profile {
            apim: ApimFaults {
                as_body: Some(r#"{"issuer": "{gateway}", "authorization_endpoint": 42}"#.into()),
                ..apim
            },
            ..p
        },
        // The guide's as-metadata-policy.xml body pasted unchanged.
        "as-placeholder" => Profile {
            apim: ApimFaults {
                as_body: Some(
                    r#"{
  "issuer": "https://<your-apim-host>",
  "authorization_endpoint": "https://<your-apim-host>/authorize",
  "token_endpoint": "https://<your-apim-host>/token",
  "jwks_uri": "https://login.microsoftonline.com/<your-tenant-id>/discovery/v2.0/keys",
  "response_types_supported": ["code"],
  "grant_types_supported": ["authorization_code", "refresh_token"],
  "code_challenge_methods_supported": ["S256"],
  "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
  "scopes_supported": ["openid", "profile", "email", "offline_access", "api://<gateway-app-id>/Mcp.Gateway.Access"]
}"#
                    .into(),
                ),
                ..apim
            },
            ..p
        },
        "as-no-pkce" => Profile {
            apim: ApimFaults {
                as_no_pkce: true,
                ..apim
            },
            ..p
        },
        // The façade copies Entra's issuer.
        "as-issuer-mismatch" => Profile {
            apim: ApimFaults {
                as_issuer: Some("{authority}/{tenant}/v2.0".into()),
                ..apim
            },
            ..p
        },
        "as-offline-access" => Profile {
            apim: ApimFaults {
                as_offline_access: true,
                ..apim
            },
            ..p
        },
        // /authorize proxies Entra's sign-in page instead of redirecting.
        "authorize-proxied" => Profile {
            apim: ApimFaults {
                authorize_proxied: true,
                ..apim
            },
            ..p
        },
        "authorize-drops-query" => Profile {
            apim: ApimFaults {
                authorize_drops_query: true,
                ..apim
            },
            ..p
        },
        "authorize-v1" => Profile {
            apim: ApimFaults {
                authorize_path: Some("/{tenant}/oauth2/authorize".into()),
                ..apim
            },
            ..p
        },
        // The /token operation was never created in the OAuth proxy API.
        "token-route-missing" => Profile {
            apim: ApimFaults {
                token_missing: true,
                ..apim
            },
            ..p
        },
        // The tenant does not exist in this cloud (AADSTS90002).
        "tenant-missing" => Profile {
            entra: EntraFaults {
                unknown_tenant: true,
                ..EntraFaults::default()
            },
            ..p
        },
        // The façade's jwks_uri is not the tenant's.
        "jwks-mismatch" => Profile {
            apim: ApimFaults {
                jwks_uri: Some("{authority}/common/discovery/keys".into()),
                ..apim
            },
            ..p
        },
        // No validate-azure-ad-token: the MCP endpoint answers without a token.
        "endpoint-open" => Profile {
            apim: ApimFaults {
                mcp_open: true,
                ..apim
            },
            ..p
        },
        // No MCP API at /context7 (wrong API path or operation).
        "endpoint-404" => Profile {
            apim: ApimFaults {
                mcp_missing: true,
                ..apim
            },
            ..p
        },
        // A proxy's block page answers at the MCP URL.
        "endpoint-html" => Profile {
            apim: ApimFaults {
                mcp_html: true,
                ..apim
            },
            ..p
        },
        // The MCP endpoint and the PRM redirect to another host.
        "redirect-elsewhere" => Profile {
            apim: ApimFaults {
                mcp_redirect: Some("{elsewhere}/mcp".into()),
                prm_redirect: Some("{elsewhere}/.well-known/oauth-protected-resource".into()),
                ..apim
            },
            ..p
        },
        // The PRM URL streams a 1 GiB body.
        "huge-body" => Profile {
            apim: ApimFaults {
                prm_huge: true,
                ..apim
            },
            ..p
        },
        // The gateway accepts connections and never answers.
        "black-hole" => Profile {
            apim: ApimFaults {
                hostile: Some(Hostile::BlackHole),
                ..apim
            },
            ..p
        },
        // The gateway app still issues v1.0 tokens (requestedAccessTokenVersion null):
        // the simulated Entra mints v1 tokens, which APIM's v2 validation rejects.
        "v1-tokens" => Profile {
            entra: EntraFaults {
                v1_tokens: true,
                ..EntraFaults::default()
            },
            ..p
        },
        // APIM rejects every token (e.g. the audiences in validate-azure-ad-token are wrong).
        "gateway-rejects" => Profile {
            apim: ApimFaults {
                reject_all_tokens: true,
                ..apim
            },
            ..p
        },
        // ---- discovery as the TypeScript SDK clients judge it ----
        // RFC 8414 requires response_types_supported; both SDKs' schemas refuse without it.
        "as-no-response-types" => Profile {
            apim: ApimFaults {
                as_no_response_types: true,
                ..apim
            },
            ..p
        },
        // Metadata only as an OpenID document, without the OpenID-required fields.
        "as-openid-only" => Profile {
            apim: ApimFaults {
                as_openid_only: true,
                ..apim
            },
            ..p
        },
        // The façade's issuer is the gateway origin with a trailing slash.
        "as-issuer-trailing-slash" => Profile {
            apim: ApimFaults {
                as_issuer: Some("{gateway}/".into()),
                ..apim
            },
            ..p
        },
        // The PRM operation's URL template is the path-suffixed form, while the challenge
        // names the root well-known URL.
        "prm-path-suffixed-only" => Profile {
            apim: ApimFaults {
                prm_path_suffixed_only: true,
                ..apim
            },
            ..p
        },
        // A Basic challenge (e.g. from a subscription-key product) ahead of the Bearer one.
        "challenge-basic-first" => Profile {
            apim: ApimFaults {
                challenge_first: Some(r#"Basic realm="apim""#.into()),
                ..apim
            },
            ..p
        },
        "challenge-basic-two-headers" => Profile {
            apim: ApimFaults {
                challenge_first: Some(r#"Basic realm="apim""#.into()),
                challenge_first_separate: true,
                ..apim
            },
            ..p
        },
        // The façade passes RFC 8707 `resource` on (the guide's 302 keeps the whole query):
        // Entra refuses it before sign-in with AADSTS9010010.
        "resource-forwarded" => Profile {
            apim: ApimFaults {
                forward_resource: true,
                ..apim
            },
            ..p
        },
        // `resource` passed on, and the gateway app has the MCP URL among its identifierUris
        // (the field workaround): Entra accepts it.
        "resource-identifier-uri" => Profile {
            apim: ApimFaults {
                forward_resource: true,
                ..apim
            },
            ..entra(p, |e| {
                e.extra_identifier_uri = Some("{gateway}/context7/mcp".into());
            })
        },
        // The gateway app has only the Web redirect URI https://vscode.dev/redirect: the
        // loopback redirect URIs of the SDKs are refused (AADSTS50011).
        "redirect-uri-unregistered" => entra(p, |e| e.redirect_uris = Some(vec![])),
        // Guide Part 2 Step 2.7 skipped: the loopback redirect URIs are there, VS Code's
        // broker https://vscode.dev/redirect is not (AADSTS50011 for VS Code only).
        "redirect-uri-no-vscode" => entra(p, |e| e.no_vscode_redirect = true),
        // The PRM names an authorization server nobody configured (reported, not fetched).
        "prm-foreign-authorization-server" => Profile {
            apim: ApimFaults {
                prm_body: Some(
                    r#"{"resource": "{gateway}/context7/mcp", "authorization_servers": ["{elsewhere}"], "scopes_supported": ["api://x/Mcp.Gateway.Access"]}"#
                        .into(),
                ),
                ..apim
            },
            ..p
        },
        // ---- device code and OBO (helper E) ----
        // The user takes three polls to sign in, then succeeds.
        "device-code-pending" => entra(p, |e| e.device_pending = 3),
        // Entra asks to slow down twice, then issues the token.
        "device-code-slow-down" => entra(p, |e| {
            e.device_pending = 1;
            e.device_slow_down = 2;
        }),
        "device-code-declined" => entra(p, |e| {
            e.device_pending = 1;
            e.device_end = Some(SimError::declined());
        }),
        "device-code-expired" => entra(p, |e| {
            e.device_pending = 1;
            e.device_end = Some(SimError::expired());
        }),
        // "Allow public client flows" is No on the app: the poll is refused (HTTP 401).
        "public-client-disabled" => entra(p, |e| {
            e.device_end = Some(SimError::public_client_disabled());
        }),
        // The client ID is not an app of this tenant (at the device-code request).
        "app-not-found" => entra(p, |e| {
            e.device_code_error = Some(SimError::app_not_found("{gateway}", "{tenant}"));
            e.obo_error = e.device_code_error.clone();
        }),
        // Wrong tenant or wrong cloud (AADSTS90002) on every tenant URL.
        "tenant-not-found" => entra(p, |e| e.unknown_tenant = true),
        // The requested scope does not exist on the app.
        "invalid-scope" => entra(p, |e| {
            e.device_code_error = Some(SimError::invalid_scope("api://{gateway}/Mcp.Gateway.Access"));
            e.obo_error = Some(SimError::invalid_scope("api://{mcp}/.default"));
        }),
        // No admin consent for the gateway app's mcp.access permission (AADSTS65001).
        "obo-consent-missing" => entra(p, |e| {
            e.obo_error = Some(SimError::consent_required("{gateway}"));
        }),
        // mcp.access is not among the gateway app's API permissions (AADSTS650057).
        "obo-resource-not-permitted" => entra(p, |e| {
            e.obo_error = Some(SimError::resource_not_permitted());
        }),
        // Entra says the assertion is for another app (AADSTS500131).
        "obo-audience" => entra(p, |e| {
            e.obo_error = Some(SimError::obo_audience("{mcp}", "{gateway}"));
        }),
        // The secret's ID was configured instead of its value (AADSTS7000215).
        "obo-secret-invalid" => entra(p, |e| {
            e.obo_error = Some(SimError::secret_invalid("{gateway}"));
        }),
        // The gateway app's secret expired (AADSTS7000222).
        "obo-secret-expired" => entra(p, |e| {
            e.obo_error = Some(SimError::secret_expired("{gateway}"));
        }),
        // A Conditional Access policy blocks the sign-in and the exchange (AADSTS53003).
        "conditional-access" => entra(p, |e| {
            e.device_end = Some(SimError::conditional_access());
            e.obo_error = Some(SimError::conditional_access());
        }),
        // A corporate proxy answers Entra's token endpoints with an HTML page.
        "entra-html" => entra(p, |e| e.token_html = true),
        // Entra's token endpoints accept the connection and never answer.
        "entra-black-hole" => entra(p, |e| e.token_black_hole = true),
        // The user typed the code wrong (AADSTS70000: bad_verification_code).
        "device-code-bad-user-code" => entra(p, |e| {
            e.device_end = Some(SimError::bad_verification_code());
        }),
        // Nobody signs in: a 300 s code runs out while Entra keeps answering "pending".
        "device-code-never-signed-in" => entra(p, |e| {
            e.device_pending = 1_000_000;
            e.device_expires_in = Some(300);
        }),
        // The Gateway app does not list the Azure CLI under Authorized client applications
        // (the guide's Part 6 Step 1 not done): its sign-in ends with AADSTS65001.
        "azure-cli-not-preauthorized" => entra(p, |e| {
            e.device_pending = 1;
            e.azure_cli_not_preauthorized = true;
        }),
        // A guest account the tenant does not know (AADSTS50020).
        "user-not-in-tenant" => entra(p, |e| {
            e.device_end = Some(SimError::new(
                400,
                "invalid_grant",
                50020,
                "User account 'guest@fabrikam.example' from identity provider 'live.com' does not exist in tenant 'Contoso' and cannot access the application.",
            ));
        }),
        // An AADSTS number c7doctor has never seen, at the device-code request.
        "entra-unknown-error" => entra(p, |e| {
            e.device_code_error = Some(SimError::new(
                400,
                "invalid_request",
                4242424,
                "Something Entra added last week.",
            ));
        }),
        // A token endpoint answer without an access_token (sign-in and exchange).
        "token-answer-incomplete" => entra(p, |e| {
            e.token_body = Some(r#"{"token_type":"Bearer","expires_in":3599}"#.into());
        }),
        // The gateway app is registered as a public client, so its secret is refused
        // (AADSTS700025).
        "obo-public-client-secret" => entra(p, |e| {
            e.obo_error = Some(SimError::new(
                401,
                "invalid_client",
                700025,
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
            ));
        }),
        // A v1 `resource` parameter sent with v2 scopes (AADSTS9010010).
        "obo-resource-parameter" => entra(p, |e| {
            e.obo_error = Some(SimError::new(
                400,
                "invalid_target",
                9010010,
                "The resource parameter provided in the request doesn't match with the requested scopes.",
            ));
        }),
        // An Origin header on the exchange: Entra takes it for a SPA (AADSTS9002326).
        "obo-origin-header" => entra(p, |e| {
            e.obo_error = Some(SimError::new(
                400,
                "invalid_request",
                9002326,
                "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
            ));
        }),
        // Entra answers the exchange with AADSTS50011 (entra.redirect-uri).
        "obo-redirect-uri" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_request", 50011, "The redirect URI 'http://127.0.0.1:33418/' specified in the request does not match the redirect URIs configured for the application."),
            );
        }),
        // Entra answers the exchange with AADSTS700054 (entra.response-type-disabled).
        "obo-response-type" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "unsupported_response_type", 700054, "response_type 'id_token' is not enabled for the application."),
            );
        }),
        // Entra answers the exchange with AADSTS70000 (entra.invalid-assertion).
        "obo-bad-token" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.").suberror("bad_token"),
            );
        }),
        // Entra answers the exchange with AADSTS9002313 (entra.invalid-request).
        "obo-invalid-request" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."),
            );
        }),
        // Entra answers the exchange with AADSTS501481 (entra.pkce-mismatch).
        "obo-pkce-mismatch" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."),
            );
        }),
        // Entra answers the exchange with AADSTS50105 (entra.user-not-assigned).
        "obo-user-not-assigned" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_grant", 50105, "Your administrator has configured the application to block users unless they are specifically granted access."),
            );
        }),
        // Entra answers the exchange with AADSTS54005 (entra.code-invalid).
        "obo-code-redeemed" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed."),
            );
        }),
        // Entra answers the exchange with AADSTS700082 (entra.refresh-token-expired).
        "obo-refresh-expired" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_grant", 700082, "The refresh token has expired due to inactivity."),
            );
        }),
        // Entra answers the exchange with AADSTS50194 (entra.single-tenant-endpoint).
        "obo-single-tenant" => entra(p, |e| {
            e.obo_error = Some(
                SimError::new(400, "invalid_request", 50194, "Application is not configured as a multi-tenant application."),
            );
        }),
        // ---- the MCP conversation and the stream (helper F) ----
        // APIM diagnostics log 1024 / 8192 bytes of the frontend response: the stream is cut.
        "sse-truncated-1024" => mcp(p, |m| m.truncate_after = Some(1024)),
        "sse-truncated-8192" => mcp(p, |m| m.truncate_after = Some(8192)),
        // Response body logging buffers the whole stream and sends it with Content-Length.
        "sse-buffered" => mcp(p, |m| m.buffer = true),
        // Compression on the event stream.
        "sse-gzip" => mcp(p, |m| m.gzip = true),
        // tools/call: 512 bytes, then silence.
        "sse-stalled" => mcp(p, |m| m.stall_after = Some(512)),
        // tools/call: 3000 bytes, then the connection breaks.
        "sse-reset" => mcp(p, |m| m.reset_after = Some(3000)),
        // tools/call: 256 MiB of notifications before the response.
        "sse-huge" => mcp(p, |m| m.huge_stream = Some(256 * 1024 * 1024)),
        // tools/call: one 100 MiB data line before the response.
        "sse-huge-line" => mcp(p, |m| m.huge_line = Some(100 * 1024 * 1024)),
        // tools/call: the event stream begins with a UTF-8 BOM.
        "sse-bom" => mcp(p, |m| m.sse_bom = true),
        // Shared key: the context7-api-key named value is a placeholder.
        "api-key-invalid" => Profile {
            pattern: "shared-key",
            ..mcp(p, |m| m.api_key_invalid = true)
        },
        "healthy-shared-key" => Profile {
            pattern: "shared-key",
            ..p
        },
        // The user's oid is not in the teamspace: refused on tools/call only.
        "user-not-provisioned" => mcp(p, |m| m.user_not_provisioned = true),
        // Context7's audience setting does not match; its 401 and WWW-Authenticate pass
        // through the gateway.
        "context7-rejects-audience" => mcp(p, |m| {
            m.teamspace_audience = Some(OTHER_AUDIENCE);
        }),
        // The teamspace requires another scope than the backend token carries.
        "context7-rejects-scope" => mcp(p, |m| m.teamspace_scope = Some("mcp.read")),
        // The MCP API app (the audience) is already configured for another teamspace.
        "context7-audience-taken" => mcp(p, |m| m.audience_taken = true),
        // The policy forwards no credential to /mcp/oauth (obo here; the tests set the
        // other patterns on the same fault).
        "context7-no-credential" => mcp(p, |m| m.forward_no_credential = true),
        // A policy strips MCP-Protocol-Version, Mcp-Method and Mcp-Name: 2026-07-28 clients
        // are refused, 2025-era clients are not.
        "mcp-headers-dropped" => mcp(p, |m| m.drop_mcp_headers = true),
        // The MCP operation only matches the 2025 handshake's requests.
        "mcp-2025-only-operation" => mcp(p, |m| m.only_2025_shape = true),
        // A JSON answer cut at 8192 bytes with its Content-Length kept.
        "json-cut-content-length" => mcp(p, |m| {
            m.truncate_after = Some(8192);
            m.keep_content_length = true;
        }),
        // tools/call: a `:` comment every second, never the response.
        "sse-keepalive-forever" => mcp(p, |m| m.keepalive_forever = true),
        // A policy expression throws: 500 on every MCP request.
        "gateway-500" => mcp(p, |m| m.policy_500 = true),
        // The policy sets Accept: application/json; the server answers 406.
        "not-acceptable" => mcp(p, |m| m.accept_override = Some("application/json")),
        // Context7 speaks only the 2026-07-28 revision (no initialize).
        "mcp-2026" => mcp(p, |m| m.only_2026 = true),
        // Context7 with sessions (before 4.x), forwarded correctly: the id is echoed.
        "healthy-sessions" => mcp(p, |m| m.sessions = true),
        // Context7 with sessions, and the gateway drops Mcp-Session-Id on the way in.
        "session-dropped" => mcp(p, |m| {
            m.sessions = true;
            m.drop_session_header = true;
        }),
        // initialize answered with a JSON-RPC error.
        "initialize-error" => mcp(p, |m| m.initialize_error = true),
        // The API's backend is a web server, not Context7.
        "backend-html" => mcp(p, |m| m.backend_html = true),
        // An old Context7: get-library-docs instead of query-docs.
        "tools-old" => mcp(p, |m| m.old_tools = true),
        // Context7's tools fail (an upstream error, not authentication).
        "tool-error" => mcp(p, |m| m.tool_error = true),
        // No GET operation on the MCP API: APIM answers 404.
        "get-404" => mcp(p, |m| m.get_404 = true),
        // A policy rewrites the body and trims it: the last event loses its blank line.
        "sse-framing" => mcp(p, |m| m.trim_body = true),
        // A policy re-serialises responses with the id as a string.
        "sse-id-mismatch" => mcp(p, |m| m.id_as_string = true),
        // Context7 answering with application/json (allowed by the spec).
        "healthy-json" => mcp(p, |m| m.json_response = true),
        // JSON answers cut by payload logging too.
        "json-truncated-1024" => mcp(p, |m| {
            m.json_response = true;
            m.truncate_after = Some(1024);
        }),
        // ---- composite faults for e2e (helper G) ----
        // v1 tokens (the gateway app's manifest) and no challenge on the 401.
        "e2e-v1-no-challenge" => Profile {
            apim: ApimFaults {
                challenge: Some(String::new()),
                ..apim
            },
            ..entra(p, |e| e.v1_tokens = true)
        },
        // No admin consent for the OBO exchange, and payload logging cutting the stream.
        "e2e-consent-truncated" => mcp(
            entra(p, |e| {
                e.obo_error = Some(SimError::consent_required("{gateway}"));
            }),
            |m| m.truncate_after = Some(8192),
        ),
        // Shared key: the named value is a placeholder, and the stream is buffered.
        "e2e-api-key-buffered" => Profile {
            pattern: "shared-key",
            ..mcp(p, |m| {
                m.api_key_invalid = true;
                m.buffer = true;
            })
        },
        other => panic!("unknown simulator profile {other:?}; known: {NAMES:?}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_name_resolves() {
        for n in super::NAMES {
            assert_eq!(super::profile(n).name, *n);
        }
    }
}
