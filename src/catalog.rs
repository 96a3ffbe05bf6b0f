//! The finding catalog (DESIGN.md §5, a contract): every code c7doctor can report, with its
//! title, cause, fix and the guide section it comes from. `c7doctor explain CODE` prints an
//! entry; `explain AADSTS65001` finds the entry for an Entra error number.
//!
//! A check decides *whether* a code applies (search the code in `src/` to find where); this
//! table says what it means. Checks may replace the fix with one naming configured values.

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// `family.name`, e.g. `token.issuer-v1`.
    pub code: &'static str,
    /// One line: what is wrong.
    pub title: &'static str,
    /// Why it happens, in the guides' terms.
    pub cause: &'static str,
    /// What to change, and where.
    pub fix: &'static str,
    /// Guide section (`guide-per-user-obo: Troubleshooting › …`), or a public spec.
    pub see: &'static str,
    /// Entra AADSTS numbers that map to this code.
    pub aadsts: &'static [u32],
}

const fn e(
    code: &'static str,
    title: &'static str,
    cause: &'static str,
    fix: &'static str,
    see: &'static str,
) -> Entry {
    Entry {
        code,
        title,
        cause,
        fix,
        see,
        aadsts: &[],
    }
}

const fn ea(
    code: &'static str,
    aadsts: &'static [u32],
    title: &'static str,
    cause: &'static str,
    fix: &'static str,
    see: &'static str,
) -> Entry {
    Entry {
        code,
        title,
        cause,
        fix,
        see,
        aadsts,
    }
}

pub static ENTRIES: &[Entry] = &[
    // ---- config ----
    e(
        "config.missing",
        "A value this check needs is not configured",
        "The check compares against a value (tenant, app ID, host) that was not given.",
        "Set the option named in the detail (flag, C7DOCTOR_* variable or c7doctor.toml).",
        "",
    ),
    e(
        "config.invalid",
        "A configured value has the wrong form",
        "An app ID that is not a GUID, a host that is not a host name or URL, or similar.",
        "Correct the value named in the detail; app IDs are the GUIDs shown as 'Application (client) ID' in Entra admin center › App registrations.",
        "",
    ),
    e(
        "config.unknown-key",
        "Unknown key in c7doctor.toml",
        "The config file holds a key c7doctor does not know, usually a typo; the key is ignored, so the value you meant to set is not in effect.",
        "Rename the key to one of the global option names (host, api_path, pattern, tenant_id, gateway_app_id, mcp_app_id, authority, timeout, format, color, strict, show_pii, cacert; dashes are accepted) or remove it.",
        "",
    ),
    e(
        "config.portal-host",
        "The host is a developer portal or management endpoint, not the APIM gateway",
        "The configured host is the APIM developer portal (*.developer.azure-api.net, *.portal.azure-api.net), the management API (management.azure.com) or another non-gateway host. Those serve web pages or Azure Resource Manager, never the MCP API, so every check against them fails in misleading ways.",
        "Use the gateway URL: Azure portal › API Management › Overview › Gateway URL, or `az apim show -g $RG -n $APIM --query gatewayUrl -o tsv` (https://<apim-name>.azure-api.net).",
        "guide-per-user-obo: Part 1: Provision API Management",
    ),
    // ---- run ----
    e(
        "run.prerequisite-failed",
        "Not run: an earlier step it depends on failed",
        "This step needs the result of an earlier step, which failed or was skipped.",
        "Fix the earlier failure first; this step runs again once it passes.",
        "",
    ),
    e(
        "run.interrupted",
        "Interrupted: the report is partial",
        "c7doctor was stopped (Ctrl-C) while running; the checks after that point did not run and are not in the report.",
        "Run the command again and let it finish; if a step hangs against a slow host, lower --timeout so every step ends on its own.",
        "",
    ),
    // ---- token ----
    e(
        "token.malformed",
        "Not a readable JWT access token",
        "The value is not a compact JWS: not three base64url segments with a JSON header and payload. Usual reasons: a truncated copy, extra text pasted with it, an encrypted token (JWE, five segments) or an opaque token such as a refresh token.",
        "Copy the access_token value again in full, e.g. `az account get-access-token --scope api://<gateway-app-id>/Mcp.Gateway.Access --query accessToken -o tsv`. c7doctor accepts a `Bearer ` prefix, surrounding quotes and a whole token-endpoint JSON response.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.not-access-token",
        "An ID token, not an access token",
        "The token has no `scp` or `roles`, carries a `nonce`, and its `aud` is the client app itself: it is an ID token, which proves the sign-in to the client. APIM's validate-azure-ad-token rejects it and Entra refuses it as an OBO assertion (AADSTS240002).",
        "Send the access_token from the token response, requested with the scope api://<gateway-app-id>/Mcp.Gateway.Access (obo) or api://<mcp-api-app-id>/mcp.access (shared-key, passthrough), not the id_token.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.graph-audience",
        "A Microsoft Graph token, not one for this API",
        "`aud` is Microsoft Graph (00000003-0000-0000-c000-000000000000 or https://graph.microsoft.com) and the header carries a `nonce`. The client asked for Graph scopes (openid, profile, User.Read) or a short scope name without its api://…/ prefix, which Entra resolves against Graph. Only Graph can validate such a token, so APIM and the OBO exchange reject it.",
        "Request the fully qualified scope: api://<gateway-app-id>/Mcp.Gateway.Access (obo) or api://<mcp-api-app-id>/mcp.access (shared-key, passthrough).",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.app-only",
        "An app-only token: no signed-in user",
        "The token has `roles` but no `scp` (or `idtyp` is app): it was issued with client credentials, so there is no user, no delegated scope and no user `oid` for the OBO exchange or Context7's per-user mapping (Entra answers OBO with AADSTS7000114).",
        "Sign in as a user (device code, authorization code with PKCE, or `az login` as a user then `az account get-access-token --scope …`) and request the delegated scope Mcp.Gateway.Access (obo) or mcp.access.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.issuer-v1",
        "A v1.0 token where v2.0 is required",
        "`iss` is https://sts.windows.net/<tid>/ (or `ver` is 1.0). The token version is chosen by the registration of the API the token is for: its manifest still has requestedAccessTokenVersion null or 1. APIM's validate-azure-ad-token (audience = the GUID) and Context7 (v2 issuer required) reject v1 tokens.",
        "Entra admin center › App registrations › the app in `aud` (Context7 APIM Gateway for the client hop, Context7 MCP API for the backend hop) › Manifest › set \"requestedAccessTokenVersion\": 2 under \"api\" › Save. Then get a new token; tokens already issued stay v1 until they expire.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    ),
    e(
        "token.issuer-tenant",
        "Issued by another tenant than the configured one",
        "The tenant in `iss` or `tid` is not the configured tenant, or `iss` and `tid` disagree: the user signed in to another directory (a guest's home tenant, another subscription's tenant) or the client used /common and landed elsewhere. APIM validates against the named value entra-tenant-id and Context7 against the teamspace's Tenant ID.",
        "Request tokens from <authority>/<tenant-id>/oauth2/v2.0/… of the tenant that holds the app registrations, and make --tenant-id, the APIM named value entra-tenant-id and the Context7 dashboard's Tenant ID the same Directory (tenant) ID.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    ),
    e(
        "token.issuer-foreign",
        "Not issued by Entra ID of the configured cloud",
        "`iss` is not an Entra ID v2.0 issuer of the configured authority (https://login.microsoftonline.com/<tid>/v2.0, or the sovereign cloud's login host): the token came from another identity provider (Context7's own OAuth, a B2C or external tenant) or from another cloud.",
        "Sign in through the gateway (/authorize redirects to Entra) or request the token from Entra directly. For a sovereign cloud set --authority (e.g. https://login.microsoftonline.us) and the authentication-endpoint attribute of validate-azure-ad-token.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.audience-uri",
        "Audience is an App ID URI instead of the app's GUID",
        "`aud` is an api://… URI. v2.0 tokens always carry the application (client) ID GUID; an api:// audience means a v1.0 token, and APIM's <audiences> and Context7's Audience compare against the GUID.",
        "Make the API app issue v2 tokens (App registrations › the API app › Manifest › requestedAccessTokenVersion: 2) and configure the GUID everywhere: <audience>{{apim-gateway-app-id}}</audience> in validate-azure-ad-token, and the GUID in the Context7 dashboard's Audience field.",
        "guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    ),
    e(
        "token.audience-other-hop",
        "Audience is the other hop's app",
        "`aud` is the other configured app: a token for the Context7 MCP API sent to the gateway (which expects the Context7 APIM Gateway app in the obo pattern), or the gateway token forwarded to Context7 without the OBO exchange.",
        "Client hop: request api://<gateway-app-id>/Mcp.Gateway.Access, not mcp.access. Backend hop: make sure the policy performs the OBO send-request and overrides the Authorization header with the OBO token before <rewrite-uri template=\"/mcp/oauth\" />.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: End-to-end token claims",
    ),
    e(
        "token.audience-mismatch",
        "Audience is not the expected app",
        "`aud` is neither configured app: the client requested a token for another API, or --gateway-app-id / --mcp-app-id (and with them APIM's <audiences> or Context7's Audience) hold another app's ID.",
        "Compare `aud` with App registrations › Context7 APIM Gateway (client hop) or Context7 MCP API (backend hop) › Overview › Application (client) ID. Request that app's scope, or correct the configured ID.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    ),
    e(
        "token.scope-missing",
        "The required delegated scope is missing",
        "`scp` lacks the scope this hop requires: Mcp.Gateway.Access for the gateway (obo), mcp.access for the MCP API. The client asked for another scope, the scope is not defined or not Enabled under Expose an API, or the other hop's scope is present (a token for the wrong app).",
        "Request api://<app-id>/<scope> for the right app; check App registrations › the app › Expose an API lists the scope with State Enabled; APIM's <required-claims><claim name=\"scp\"> and the dashboard's Required scope must name the same value.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    ),
    e(
        "token.expired",
        "The token has expired",
        "`exp` is in the past. Entra access tokens live about an hour; a copied token goes stale, and a client that does not refresh keeps sending it.",
        "Get a new token (sign in again, or `az account get-access-token --scope …`). If it expired only seconds ago, check this machine's clock.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.not-yet-valid",
        "The token is not valid yet",
        "`nbf` (or `iat`) is in the future by more than the allowed clock skew: the clock of this machine, or of the machine that minted the token, is wrong.",
        "Synchronise the clock (NTP: `timedatectl set-ntp true`, `w32tm /resync`) and try again.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.no-expiry",
        "The token has no expiry",
        "The token has no `exp` claim. Entra always sets one, so this token was not issued by Entra (a hand-built or test token); APIM rejects it.",
        "Use an access token issued by your Entra tenant for the gateway's scope.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.short-lifetime",
        "Token lifetime is shorter than APIM's OBO cache duration",
        "The token lives (exp − iat) less than the 3000 s the guide's policy caches the OBO token (cache-store-value duration). With shorter tokens (a token-lifetime or sign-in-frequency policy) APIM keeps forwarding an expired OBO token from its cache, and Context7 answers 'Token expired'.",
        "Lower the duration of cache-store-value in the OBO policy below the token lifetime (e.g. lifetime − 300 s), or derive it from the OBO response's expires_in.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "token.oid-missing",
        "The token has no oid claim",
        "There is no `oid`: the OBO policy keys its cache on it and Context7 maps users by it. Delegated access tokens for your own API always carry one, so this is an app-only token or not a work-account token of your tenant.",
        "Use a delegated user token from your tenant (request the gateway's scope after signing in as a user).",
        "guide-per-user-obo: End-to-end token claims",
    ),
    e(
        "token.personal-account",
        "Issued to a personal Microsoft account",
        "`tid` is 9188040d-6c67-4c5b-b112-36a304b66dad, the consumer tenant: the user signed in with a personal Microsoft account (outlook.com, live.com). The app registrations are single tenant; APIM and Context7 accept your directory only.",
        "Sign in with a work account of your tenant, and request tokens from <authority>/<tenant-id>/… rather than /common or /consumers.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.oid-not-provisioned",
        "The user (oid) is not provisioned in the Context7 teamspace",
        "The token's `oid` is not in the list given with --provisioned. Context7 resolves `oid` against the teamspace's pre-provisioned users and rejects anyone missing with 401 even when the token is otherwise valid: there is no auto-provisioning.",
        "context7.com/dashboard › Overview › Microsoft Entra ID users › Add user: the user's email and Object ID (Entra admin center › Users › <name> › Overview › Object ID, or `az ad signed-in-user show --query id -o tsv`).",
        "guide-per-user-obo: Part 4 › Step 2: Pre-provision your developers; guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    ),
    e(
        "token.alg-unexpected",
        "Unexpected signing algorithm",
        "The header's `alg` is not RS256 (e.g. none or HS256). Entra signs access tokens with RS256; anything else is a forged, test or non-Entra token, and APIM rejects it.",
        "Use an access token issued by your Entra tenant.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.signature-invalid",
        "The signature does not verify",
        "The signature does not verify with the tenant's published key for the header's `kid`: the token was altered or truncated, built by hand, or is a Microsoft Graph token (header nonce), which only Graph can validate.",
        "Get a fresh token from Entra for your API's scope and copy it whole.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.key-unknown",
        "Signed with a key the tenant does not publish",
        "The header's `kid` is not among the tenant's signing keys (<authority>/<tid>/discovery/v2.0/keys): the token was signed by another tenant or cloud, by a test key, or with an app-specific signing key (claims mapping), which is only listed with ?appid=<app-id>.",
        "Check the token's `tid` and issuer host against --tenant-id and --authority; request a new token from the right tenant.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    e(
        "token.signature-unchecked",
        "Signature not checked: no signing keys available",
        "The signature was not verified: the tenant's keys could not be fetched (no --tenant-id, offline, or the JWKS request failed). The claim checks still ran; a forged or Graph token would pass them.",
        "Set --tenant-id and allow access to the authority (or set HTTPS_PROXY) so c7doctor can fetch the tenant's signing keys.",
        "",
    ),
    e(
        "token.hops-user-mismatch",
        "Client and backend tokens are for different users",
        "The token the client sent and the token APIM forwarded differ in `oid` or `tid`: the OBO token belongs to someone else. Typically the cache key lacks the user's oid, so all users share one cached OBO token.",
        "Key cache-lookup-value and cache-store-value on \"obo-mcp-\" + the user's oid as in the guide's policy, re-apply it, and wait for (or purge) the cached entries.",
        "guide-per-user-obo: End-to-end token claims; guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    // ---- apikey ----
    e(
        "apikey.format",
        "Not a Context7 API key",
        "The value does not start with ctx7sk: Context7 answers HTTP 200 with the tool text \"Invalid API key. Please check your API key. API keys should start with 'ctx7sk' prefix.\"",
        "Generate a key at context7.com/dashboard › API Keys (it starts with ctx7sk) and store it in the APIM named value context7-api-key as a secret.",
        "guide-shared-identity: Troubleshooting › Invalid API key. Please check your API key.",
    ),
    e(
        "apikey.placeholder",
        "A placeholder instead of a real API key",
        "The value is a placeholder: a literal {{context7-api-key}} (a named value that was never substituted, e.g. used inside a policy expression), <your-api-key> or sample text from the guide.",
        "Put the real key from context7.com/dashboard › API Keys into the APIM named value context7-api-key, and reference it in plain attribute or element text, not inside @(…).",
        "guide-shared-identity: Troubleshooting › Invalid API key. Please check your API key.",
    ),
    // ---- discovery ----
    e(
        "discovery.unreachable",
        "The host cannot be reached",
        "No HTTP answer: DNS, TCP, TLS or the deadline failed (which one is in the evidence). A typo in the host, an APIM instance reachable only from a VNet, a corporate proxy (HTTPS_PROXY not set), a TLS-inspecting proxy whose CA is not trusted, or a firewall.",
        "Check --host is the gateway URL (`az apim show -g $RG -n $APIM --query gatewayUrl -o tsv`); behind a proxy set HTTPS_PROXY and --cacert for its CA; raise --timeout on slow links.",
        "guide-per-user-obo: Part 1: Provision API Management",
    ),
    e(
        "discovery.endpoint-open",
        "The MCP endpoint answers without a token",
        "A POST to the MCP endpoint without a token got a 2xx: nothing validates the caller, so anyone who reaches the gateway reaches Context7 with your API key or identity. validate-azure-ad-token is missing, sits in another scope, or the request hits another API or operation.",
        "Put validate-azure-ad-token (with <audiences> and <required-claims>) first in <inbound> of the context7-mcp API policy and re-apply it; check with `c7doctor policy policy.xml`.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "discovery.endpoint-missing",
        "No MCP endpoint at this host and API path",
        "The MCP URL answered 404 or 405: the host is not the gateway, the API path is wrong (--api-path, default context7), or the API has no POST /mcp operation (APIM answers a method without an operation with 404 \"Resource not found\").",
        "Check `az apim api show --api-id context7-mcp --query path` and the post-mcp operation (--method POST --url-template \"/mcp\"); set --api-path to the API's path.",
        "guide-per-user-obo: Part 3 › Step 2: Create the API and the MCP operation",
    ),
    e(
        "discovery.challenge-missing",
        "401 without a WWW-Authenticate challenge",
        "The unauthenticated 401 carries no WWW-Authenticate header, so MCP clients cannot learn where to sign in (2025-06-18 clients require it; 2025-11-25 clients fall back to the well-known URLs). The <on-error> block of the context7-mcp policy does not set it.",
        "Add to <on-error> of the context7-mcp policy: <choose><when condition=\"@(context.Response.StatusCode == 401)\"> with <set-header name=\"WWW-Authenticate\" exists-action=\"override\"><value>Bearer resource_metadata=\"https://<apim-host>/.well-known/oauth-protected-resource\"</value></set-header>, and re-apply the policy.",
        "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401",
    ),
    e(
        "discovery.challenge-malformed",
        "The WWW-Authenticate challenge cannot be parsed",
        "The header is not a Bearer challenge with a quoted resource_metadata URL: another scheme, an unquoted or unterminated value, a missing comma between parameters, or an expression printed literally.",
        "Set the value exactly to Bearer resource_metadata=\"https://<apim-host>/.well-known/oauth-protected-resource\".",
        "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401; RFC 9728 §5.1",
    ),
    e(
        "discovery.challenge-upstream",
        "resource_metadata points at another host",
        "resource_metadata names a host other than the gateway, typically https://mcp.context7.com/.well-known/oauth-protected-resource: Context7 sends its own challenge on every /mcp response and APIM passes it through. Clients then follow Context7's metadata to Context7's authorization server instead of your Entra tenant.",
        "Override the header in the context7-mcp policy with exists-action=\"override\" and the gateway's own PRM URL (https://<apim-host>/.well-known/oauth-protected-resource), in <on-error> and for 401s coming back from the backend.",
        "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401",
    ),
    e(
        "discovery.prm-missing",
        "No protected resource metadata",
        "No PRM document at the resource_metadata URL nor at /.well-known/oauth-protected-resource[/<path>]: the oauth-proxy API at the host root, its prm-metadata operation or its policy is missing.",
        "Create the oauth-proxy API with path \"\" and the GET /.well-known/oauth-protected-resource operation, and attach prm-policy.xml.",
        "guide-per-user-obo: Part 5 › Step 1: Create the OAuth proxy API at the host root; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.prm-invalid",
        "Protected resource metadata is not valid",
        "The PRM answer is not a JSON object with `resource` and `authorization_servers` (HTML, a syntax error such as a trailing comma, or a wrong Content-Type).",
        "Return the prm-policy.xml body with Content-Type: application/json; validate the JSON (e.g. with jq) before pasting it into <set-body>.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; RFC 9728 §3.2",
    ),
    e(
        "discovery.prm-placeholder",
        "Protected resource metadata still contains a placeholder",
        "The PRM still holds <your-apim-host>, <gateway-app-id> or another placeholder from the guide, so clients go to a host or request a scope that does not exist.",
        "Replace the placeholders in prm-policy.xml with the gateway host and the Context7 APIM Gateway app's client ID, then re-apply it.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.prm-resource",
        "PRM resource does not match the MCP URL",
        "RFC 9728 §3.3: the PRM `resource` must be identical to the URL the client used. Fail: it differs even by origin and path prefix (another host, a placeholder, Context7's URL). Warn: only a prefix matches (https://<apim-host>/context7 for …/context7/mcp) — the TypeScript SDK accepts that, strict clients reject it.",
        "Set `resource` in prm-policy.xml to exactly the MCP URL clients are configured with (https://<apim-host>/<api-path>/mcp), or configure clients with the URL the PRM names.",
        "RFC 9728 §3.3; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.prm-scope",
        "PRM scopes lack the fully qualified gateway scope",
        "scopes_supported lacks the scope clients must request, or lists it unqualified (Mcp.Gateway.Access instead of api://<gateway-app-id>/Mcp.Gateway.Access). Clients request what the metadata advertises; an unqualified scope is resolved against Microsoft Graph (AADSTS650053) and yields a Graph token.",
        "List api://<gateway-app-id>/Mcp.Gateway.Access in scopes_supported of prm-policy.xml (shared-key and passthrough: api://<mcp-api-app-id>/mcp.access).",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; MCP spec 2025-11-25: Authorization › Scope Selection Strategy",
    ),
    e(
        "discovery.as-missing",
        "No authorization server metadata found",
        "None of the locations the MCP spec has clients try for the PRM's authorization server (/.well-known/oauth-authorization-server[/path], /.well-known/openid-configuration[/path], <path>/.well-known/openid-configuration) returned metadata: the as-metadata operation or its policy is missing.",
        "Add the GET /.well-known/oauth-authorization-server operation to the oauth-proxy API and attach as-metadata-policy.xml.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; MCP spec 2025-11-25: Authorization › Authorization Server Metadata Discovery",
    ),
    e(
        "discovery.as-invalid",
        "Authorization server metadata is not valid",
        "The AS metadata is not a JSON object with issuer, authorization_endpoint and token_endpoint (HTML, a JSON syntax error, or fields missing).",
        "Return the as-metadata-policy.xml body with Content-Type: application/json and all its fields; validate the JSON before pasting it.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; RFC 8414 §2",
    ),
    e(
        "discovery.as-issuer",
        "AS metadata issuer differs from where it was found",
        "The metadata's `issuer` is not identical to the authorization server identifier it was discovered from (the PRM's authorization_servers entry); RFC 8414 §3.3 makes clients reject it. Usually a trailing slash, or Entra's own issuer copied in.",
        "Make `issuer` in as-metadata-policy.xml and the entry in authorization_servers of prm-policy.xml the same string, e.g. https://<apim-host> without a trailing slash.",
        "RFC 8414 §3.3; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.as-pkce",
        "AS metadata does not advertise PKCE S256",
        "code_challenge_methods_supported is absent or lacks S256; MCP clients must refuse to continue without it. Entra's own openid-configuration does not list it, so pointing clients straight at Entra fails this way.",
        "Serve the gateway's as-metadata façade with \"code_challenge_methods_supported\": [\"S256\"] as in as-metadata-policy.xml.",
        "MCP spec 2025-11-25: Authorization › Authorization Code Protection; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.as-placeholder",
        "AS metadata still contains a placeholder",
        "The AS metadata still holds <your-apim-host>, <your-tenant-id> or <gateway-app-id> from the guide, so clients are sent to endpoints that do not exist.",
        "Replace the placeholders in as-metadata-policy.xml with the gateway host, tenant ID and the Context7 APIM Gateway app's client ID, then re-apply it.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.no-dcr",
        "No dynamic client registration",
        "The metadata has no registration_endpoint: Entra does not implement Dynamic Client Registration (RFC 7591), so clients such as VS Code ask for a client ID (\"Dynamic Client Registration not supported…\"). Expected with this setup.",
        "Give users the Context7 APIM Gateway app's Application (client) ID to paste when asked, and add each client tool under Expose an API › Authorized client applications.",
        "guide-per-user-obo: Part 6: Connect an MCP client",
    ),
    e(
        "discovery.offline-access",
        "offline_access among the advertised scopes",
        "The advertised scopes include offline_access. Some clients then request every advertised scope and add prompt=consent, so users see a consent prompt on each sign-in, or fail where user consent is disabled.",
        "If users are prompted repeatedly, remove offline_access from scopes_supported in as-metadata-policy.xml, or grant admin consent for it on the Context7 APIM Gateway app.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.authorize-proxied",
        "/authorize answers with a page instead of a redirect",
        "GET /authorize answered 200 with HTML: the gateway proxies Microsoft's sign-in page instead of redirecting to it. That page's relative URLs and cookies belong to login.microsoftonline.com, so the form submission breaks.",
        "Attach authorize-policy.xml to the authorize operation: a return-response with status 302 and Location = https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/authorize{context.Request.OriginalUrl.QueryString}.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.authorize-target",
        "/authorize redirects somewhere other than the tenant's v2.0 endpoint",
        "The 302's Location is not <authority>/<tenant-id>/oauth2/v2.0/authorize: the v1 endpoint (/oauth2/authorize), another tenant, /common, another cloud, or a placeholder left in.",
        "Set the Location in authorize-policy.xml to https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/authorize (your authority for sovereign clouds) followed by the original query string.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.authorize-query",
        "/authorize drops or alters the query string",
        "The redirect loses or changes the client's parameters (client_id, redirect_uri, code_challenge, state, scope), so Entra refuses the request or the client cannot finish PKCE.",
        "Append {context.Request.OriginalUrl.QueryString} unchanged to the Location, as authorize-policy.xml does.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.token-route",
        "/token does not reach Entra",
        "POST /token did not come back with an answer from Entra's token endpoint (an Entra error JSON proves the route works): the token operation is missing, or the oauth-proxy API's service URL is not https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0.",
        "Create the POST /token operation on the oauth-proxy API and set the API's service URL to the tenant's v2.0 base (`az apim api update --api-id oauth-proxy --service-url https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0`).",
        "guide-per-user-obo: Part 5 › Step 1: Create the OAuth proxy API at the host root",
    ),
    e(
        "discovery.tenant-missing",
        "The tenant's OpenID configuration cannot be found",
        "<authority>/<tenant-id>/v2.0/.well-known/openid-configuration is not found (AADSTS90002): the tenant ID is wrong, or the tenant lives in another cloud than --authority.",
        "Use the Directory (tenant) ID from an app registration's Overview; for US Government or China set --authority (https://login.microsoftonline.us, https://login.partner.microsoftonline.cn).",
        "guide-per-user-obo: Part 4 › Step 1: Configure the tenant",
    ),
    e(
        "discovery.jwks-mismatch",
        "Signing keys do not match the tenant's",
        "The jwks_uri the gateway advertises, or the keys it serves, are not the tenant's <authority>/<tenant-id>/discovery/v2.0/keys: another tenant, a placeholder, or a stale copy.",
        "Set jwks_uri in as-metadata-policy.xml to https://login.microsoftonline.com/<tenant-id>/discovery/v2.0/keys.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    e(
        "discovery.redirect",
        "A discovery URL answers with a redirect",
        "The MCP endpoint or a metadata URL answered 3xx instead of the document or the 401. c7doctor never follows redirects (a redirect is data): a client that follows one to another host may send its token there, and clients that do not follow it find nothing. Typical causes: a custom domain or HTTP→HTTPS rule in front of APIM, a trailing-slash rewrite, or an operation that redirects.",
        "Serve the MCP API and the oauth-proxy operations directly at the URL clients use (no redirect in front of APIM); configure clients with the final URL.",
        "guide-per-user-obo: Part 5 › Step 4: Verify the discovery surface",
    ),
    e(
        "discovery.plain-http",
        "The gateway is addressed over plain http",
        "The MCP URL uses http:// on a host that is not loopback: tokens and authorization codes would cross the network unencrypted, and MCP clients require https for authorization endpoints.",
        "Use the gateway's https:// URL (APIM gateways serve https; `az apim show --query gatewayUrl`).",
        "MCP spec 2025-11-25: Authorization › Communication Security",
    ),
    e(
        "discovery.html-response",
        "An HTML page answers where the gateway's MCP API should",
        "The MCP URL answered with an HTML page (HTTP 200 or a redirect to a sign-in form) instead of APIM's 401 or an MCP answer: a corporate proxy's login or block page, a captive portal, TLS inspection that rewrites answers, or a host that is a portal rather than the APIM gateway.",
        "Open the MCP URL in a browser on the same network to see who answers; set HTTPS_PROXY (and --cacert for a TLS-inspecting proxy's CA) or ask for the gateway host to be allowed; check --host is APIM's Gateway URL.",
        "",
    ),
    // ---- entra ----
    ea(
        "entra.public-client-disabled",
        &[7000218],
        "Public client flows are not enabled",
        "The device code flow needs the client app to allow public client flows; this app does not, so Entra answers invalid_client (HTTP 401) and asks for a client_assertion or client_secret.",
        "Entra admin center › App registrations › the app used to sign in › Authentication › Advanced settings › Allow public client flows = Yes › Save.",
        "guide-shared-identity: Pattern 1 › Test end-to-end",
    ),
    ea(
        "entra.app-not-found",
        &[700016],
        "Application not found in the directory",
        "The client_id is not an application in this tenant: a typo, an app registered in another tenant, or the wrong tenant ID.",
        "Copy the Application (client) ID from App registrations › the app › Overview; check --tenant-id. For the OBO exchange check the APIM named value apim-gateway-app-id.",
        "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app; guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    ),
    ea(
        "entra.tenant-not-found",
        &[90002],
        "Tenant not found",
        "Entra does not know the tenant in the URL (AADSTS90002 on the token endpoint): a wrong tenant ID, or a tenant in another cloud than --authority.",
        "Use the Directory (tenant) ID from an app registration's Overview in --tenant-id and in the APIM named value entra-tenant-id; for sovereign clouds set --authority.",
        "guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    ),
    ea(
        "entra.invalid-scope",
        &[70011, 650053],
        "The requested scope is invalid",
        "The scope is malformed or not found: the OBO request must ask for api://<mcp-api-app-id>/.default, and a short scope name (mcp.access, Mcp.Gateway.Access) without its api://<guid>/ prefix is resolved against Microsoft Graph (AADSTS650053).",
        "Check the APIM named value mcp-api-app-id holds the MCP API app's client ID (a GUID) and that the policy expression renders api://<guid>/.default; clients request the fully qualified api://<gateway-app-id>/Mcp.Gateway.Access.",
        "guide-per-user-obo: Troubleshooting › OBO exchange returns AADSTS70011: Invalid scope",
    ),
    ea(
        "entra.resource-not-permitted",
        &[650057, 65005, 500011],
        "The API is not among the calling app's permissions",
        "The calling app's registration does not list the requested API as an allowed resource (650057, 65005), or the API's service principal does not exist in the tenant (500011: scope typo, wrong tenant). For client sign-in: the client's app ID is not in the API app's Authorized client applications.",
        "OBO: Context7 APIM Gateway › API permissions › + Add a permission › My APIs › Context7 MCP API › Delegated › mcp.access, then Grant admin consent. Client sign-in: Context7 APIM Gateway (shared-key: Context7 MCP) › Expose an API › Authorized client applications › add the client's app ID and tick the scope.",
        "guide-shared-identity: Troubleshooting › AADSTS650057: Invalid resource; guide-per-user-obo: Troubleshooting › Wrong client ID returned to MCP clients",
    ),
    ea(
        "entra.consent-required",
        &[65001],
        "Consent has not been granted",
        "Nobody consented to the app using the API on users' behalf: the Context7 APIM Gateway app lacks admin consent for mcp.access, or the calling client is not pre-authorized and user consent is blocked.",
        "Context7 APIM Gateway › API permissions: Context7 MCP API → mcp.access (Delegated) must show Granted for <your tenant>; if not, click Grant admin consent. Also add the gateway app under Context7 MCP API › Expose an API › Authorized client applications with mcp.access ticked.",
        "guide-per-user-obo: Troubleshooting › OBO exchange returns AADSTS50013 or AADSTS65001; guide-per-user-obo: Part 2 › Step 3: Wire the permission chain",
    ),
    ea(
        "entra.declined",
        &[],
        "The user declined the sign-in",
        "Entra answered authorization_declined or access_denied: the user cancelled or refused the consent prompt, or the consent needs an admin.",
        "Run `c7doctor login` again and accept; if the prompt asks for admin approval, an admin grants consent (App registrations › the app › API permissions › Grant admin consent).",
        "guide-per-user-obo: Part 2 › Step 3: Wire the permission chain",
    ),
    ea(
        "entra.code-expired",
        &[70019, 70020],
        "The device code expired",
        "The sign-in was not completed within the device code's lifetime (expires_in, 15 minutes), so Entra answered expired_token.",
        "Run `c7doctor login` again and finish the sign-in at the verification URL before the code expires.",
        "guide-shared-identity: Pattern 1 › Test end-to-end",
    ),
    ea(
        "entra.conditional-access",
        &[53003, 50076, 50079],
        "Blocked or challenged by Conditional Access",
        "A Conditional Access policy blocked the sign-in (53003) or requires multi-factor authentication or its registration (50076, 50079): device compliance, location, or a policy that blocks the device code flow. A `claims` challenge in the evidence says what is required.",
        "Look up the correlation_id in Entra admin center › Monitoring › Sign-in logs › Conditional Access to see the policy; sign in interactively where MFA can be satisfied, or ask the Conditional Access admin for an exception.",
        "",
    ),
    ea(
        "entra.user-not-in-tenant",
        &[50020],
        "The user is not in the tenant",
        "The signed-in account does not exist in the tenant (an external account that was never invited, or the wrong tenant).",
        "Invite the user as a guest (Entra admin center › Users › Invite external user) or sign in with an account of the tenant.",
        "",
    ),
    ea(
        "entra.obo-audience",
        &[500131],
        "The OBO assertion is for another app",
        "The token APIM sends as the OBO assertion has an `aud` that is not the app making the OBO call (client_id = the Context7 APIM Gateway app): the client requested a token for the MCP API or another app. AADSTS50013 with an audience message means the same.",
        "Clients must request api://<gateway-app-id>/Mcp.Gateway.Access; the OBO request's client_id (named value apim-gateway-app-id) must be the app named in the token's `aud`.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    ea(
        "entra.invalid-assertion",
        &[50013, 50027, 240002],
        "The OBO assertion is not a valid token",
        "Entra refused the OBO assertion: bad signature (e.g. a Microsoft Graph token), wrong audience, expired (50013), malformed (50027: a Bearer prefix left in, truncated) or an ID token (240002). The guide lists AADSTS50013 with missing consent too. c7doctor maps 50013 here and refines it by Entra's description: an audience message becomes entra.obo-audience.",
        "Check the client token with `c7doctor token`; make sure the policy strips \"Bearer \" before using it as the assertion; then verify Context7 APIM Gateway › API permissions lists Context7 MCP API → mcp.access as Granted for <your tenant>.",
        "guide-per-user-obo: Troubleshooting › OBO exchange returns AADSTS50013 or AADSTS65001",
    ),
    ea(
        "entra.assertion-expired",
        &[500133],
        "The OBO assertion has expired",
        "The assertion token's exp has passed: the client sent a stale token, or a clock is wrong.",
        "Have the client get a fresh token (sign in again); check this machine's clock when testing with `c7doctor obo`.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    ),
    ea(
        "entra.secret-invalid",
        &[7000215],
        "The client secret is wrong",
        "The client secret is not valid for the app; most often the secret's ID (the GUID in the Secret ID column) was copied instead of its Value.",
        "Context7 APIM Gateway › Certificates & secrets › + New client secret › copy the Value column at once (it is shown only once), then update the APIM named value apim-gateway-client-secret (or its Key Vault secret) and C7DOCTOR_GATEWAY_SECRET.",
        "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app; guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    ),
    ea(
        "entra.secret-expired",
        &[7000222],
        "The client secret has expired",
        "The client secret APIM uses for the OBO exchange is past its expiry date.",
        "Context7 APIM Gateway › Certificates & secrets › + New client secret, then update the APIM named value apim-gateway-client-secret (or the Key Vault secret it references); delete the expired secret afterwards.",
        "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app; guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    ),
    ea(
        "entra.public-client-secret",
        &[700025],
        "A public client sent a client secret",
        "A client secret (or assertion) was sent for an app that Entra treats as a public client (Allow public client flows = Yes, or a mobile/desktop redirect URI): public clients must not authenticate with a secret.",
        "Send no client_secret for device code or PKCE sign-ins (the gateway's /token forward must not add one); if the app is meant to be confidential, set Authentication › Allow public client flows = No.",
        "",
    ),
    ea(
        "entra.obo-not-allowed",
        &[7000114],
        "The app is not allowed to make OBO calls",
        "Entra refuses the On-Behalf-Of call: the assertion is an app-only token (no user) or the calling app may not make on-behalf-of calls for it. OBO needs a delegated user token whose audience is the calling app.",
        "Send a user's delegated token (it has scp) requested for api://<gateway-app-id>/Mcp.Gateway.Access; check it with `c7doctor token`.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    ea(
        "entra.resource-parameter",
        &[9010010],
        "The resource parameter does not match the scopes",
        "The request carries an RFC 8707 `resource` parameter (MCP clients add the MCP URL) that is not an identifier of the API named in the scopes; Entra's v2.0 endpoint rejects the mismatch.",
        "Drop the `resource` parameter in the gateway's /authorize and /token forwarding, or add the MCP URL to the Context7 APIM Gateway app's Application ID URIs (identifierUris in the manifest).",
        "MCP spec 2025-11-25: Authorization › Resource Parameter Implementation",
    ),
    ea(
        "entra.origin-header",
        &[9002326],
        "A browser Origin header on a token request",
        "The token request carries a browser Origin header, so Entra treats it as a cross-origin single-page-app request, which requires a redirect URI of the Single-page application platform.",
        "Remove the header in the /token forward (<set-header name=\"Origin\" exists-action=\"delete\" />), or register the client's redirect URI under Authentication › Single-page application.",
        "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    ),
    ea(
        "entra.obo-common-endpoint",
        &[9001023],
        "OBO over /common or /consumers",
        "The OBO request went to /common or /consumers; On-Behalf-Of needs the tenant-specific token endpoint.",
        "POST the OBO request to <authority>/<tenant-id>/oauth2/v2.0/token: the guide's policy builds the URL from the named value entra-tenant-id, which must hold the tenant GUID.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    ea(
        "entra.bad-user-code",
        &[70018],
        "Wrong user code entered",
        "The code typed at the verification page did not match (bad_verification_code).",
        "Run `c7doctor login` again and enter the user code exactly as printed.",
        "guide-shared-identity: Pattern 1 › Test end-to-end",
    ),
    ea(
        "entra.html-response",
        &[],
        "The token endpoint answered with something other than Entra JSON",
        "The answer was HTML or other non-JSON: a corporate proxy, captive portal or TLS-inspecting firewall intercepted the request, or --authority (or the gateway's /token route) points at something that is not Entra.",
        "Check --authority; set HTTPS_PROXY and --cacert for a corporate proxy; open the URL in a browser on the same network to see who answers.",
        "",
    ),
    ea(
        "entra.authorization-pending",
        &[70016],
        "Waiting for the user to finish signing in",
        "The device code sign-in is not finished yet (authorization_pending); c7doctor keeps polling at the interval Entra gave.",
        "Open the verification URL, enter the code and sign in.",
        "",
    ),
    e(
        "entra.bad-response",
        "Entra's answer is missing fields or has unusable values",
        "A device-code answer without device_code, user_code or verification_uri, an interval or expiry out of range (0, 10 000 s), or a token answer (HTTP 200) without access_token: something other than Entra answered, or a proxy rewrote the body.",
        "Check --authority (it must be the Entra login host of your cloud) and any proxy between c7doctor and Entra (HTTPS_PROXY, TLS inspection); run with -v to see the redacted answer.",
        "",
    ),
    e(
        "entra.secret-trimmed",
        "The client secret had surrounding whitespace, trimmed",
        "The gateway app's secret arrived with a trailing newline or spaces (echo, a file saved by an editor). Entra would refuse it as sent (AADSTS7000215); c7doctor trims it, APIM does not.",
        "Nothing to change for c7doctor; make sure APIM's apim-gateway-client-secret named value (or its Key Vault secret) holds the value without a trailing newline.",
        "guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    ),
    ea(
        "entra.unknown-error",
        &[],
        "Entra returned an error c7doctor has no specific advice for",
        "The token endpoint answered with an AADSTS code not in c7doctor's catalog.",
        "Read Entra's description in the evidence and look the code up in Microsoft's AADSTS error reference; quote trace_id and correlation_id to Microsoft support.",
        "",
    ),
    // ---- mcp ----
    e(
        "mcp.rejected-at-gateway",
        "The gateway rejected the request",
        "APIM answered {\"statusCode\":401,\"message\":…}: validate-azure-ad-token refused the client's token (issuer, audience, scope, expiry or signature) before anything reached Context7.",
        "Run `c7doctor token` on the same token with the right --pattern: it names the failing claim. Compare with <audiences> and <required-claims> in the context7-mcp policy.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    ),
    e(
        "mcp.rejected-by-context7",
        "Context7 rejected the Entra token",
        "Context7 answered JSON-RPC -32001 or a token message (Missing audience, Unknown audience, Missing required scope, Token expired, Invalid signature, Invalid token): the token that reached it does not match the teamspace's Microsoft Entra ID configuration (tenant, audience, required scope), or it is a v1 token.",
        "context7.com/dashboard › Overview › Microsoft Entra ID: Tenant ID = the backend token's tid, Audience = its aud (the Context7 MCP API app's GUID, not the gateway app), Required scope = a value in its scp (mcp.access); click Test connection.",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    ),
    e(
        "mcp.api-key-rejected",
        "Context7 rejected the API key",
        "tools/call came back HTTP 200 with the tool text \"Invalid API key…\" or \"Unauthorized. Please check your API key.\": APIM forwarded the request, but the key the policy injects is missing, a placeholder or revoked. Only a tools/call reveals it.",
        "Generate a fresh key at context7.com/dashboard › API Keys and update the APIM named value context7-api-key (`az apim nv update … --named-value-id context7-api-key --value <key> --secret true`).",
        "guide-shared-identity: Troubleshooting › Invalid API key. Please check your API key.",
    ),
    e(
        "mcp.user-not-provisioned",
        "The user is not provisioned in Context7",
        "Context7 accepted the Entra token but refused the user: the token's oid is not in the teamspace's Microsoft Entra ID users list, and there is no auto-provisioning.",
        "context7.com/dashboard › Overview › Microsoft Entra ID users › Add user with the email and the oid of the backend token (Entra admin center › Users › <name> › Overview › Object ID).",
        "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token; guide-per-user-obo: Part 4 › Step 2: Pre-provision your developers",
    ),
    e(
        "mcp.gateway-error",
        "The gateway returned a server error",
        "The gateway answered 5xx: a policy expression threw (a {{named-value}} inside an expression, a null OBO response), the OBO send-request failed or timed out, or the backend could not be reached.",
        "Trace the request in APIM (the API's Test tab with tracing, or Application Insights) to see which policy failed; test the exchange with `c7doctor obo`; lint the policy with `c7doctor policy policy.xml`.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "mcp.not-acceptable",
        "The server refused the Accept or Content-Type",
        "406 or 415: the MCP server requires Accept: application/json, text/event-stream and Content-Type: application/json. A policy that rewrites these headers, or a client that omits one, causes it.",
        "Do not override Accept or Content-Type in the gateway policy; clients must send both media types in Accept.",
        "MCP spec 2025-11-25: Transports › Sending Messages to the Server",
    ),
    e(
        "mcp.session",
        "Session or protocol version refused",
        "400 or 404 about the session or protocol version: Mcp-Session-Id missing, expired or unknown, or the MCP-Protocol-Version header refused. A gateway that drops these headers, or balances across backends without affinity, causes it.",
        "Forward Mcp-Session-Id and MCP-Protocol-Version unchanged in both directions; clients start a new session on 404.",
        "MCP spec 2025-11-25: Transports › Session Management",
    ),
    e(
        "mcp.initialize-failed",
        "MCP initialize failed",
        "The initialize request did not return a JSON-RPC result: an error, HTML (a portal or error page), or another server's answer.",
        "Check the detail: the body shows who answered. Make sure the API's service URL is https://mcp.context7.com and the policy ends with <rewrite-uri template=\"/mcp/oauth\" /> (obo, shared-key).",
        "guide-per-user-obo: Part 3 › Step 2: Create the API and the MCP operation",
    ),
    e(
        "mcp.tools-missing",
        "Context7's tools are missing",
        "tools/list lacks resolve-library-id or query-docs: the request reached another MCP server, or an old Context7 (get-library-docs was removed).",
        "Check the API's service URL (https://mcp.context7.com) and the rewrite-uri template (/mcp/oauth).",
        "guide-per-user-obo: Part 3 › Step 2: Create the API and the MCP operation",
    ),
    e(
        "mcp.tool-error",
        "A tool call returned an error",
        "tools/call returned isError or a JSON-RPC error that is not about authentication.",
        "Read the tool's text in the detail; retry with another query; if it persists, report it to Context7 with the request time.",
        "",
    ),
    e(
        "mcp.protocol-2026",
        "The server speaks the 2026-07-28 MCP revision (no initialize)",
        "initialize was refused as an unsupported protocol version (or an unknown method) and the server lists only 2026-07-28 or later: that revision drops initialize and sessions; clients send server/discover and per-request _meta instead. Clients that only know the 2025 handshake cannot connect.",
        "Nothing to fix at the gateway: make sure it forwards MCP-Protocol-Version, Mcp-Method and Mcp-Name unchanged, and use clients that support the 2026-07-28 revision (c7doctor continued with server/discover).",
        "MCP spec 2026-07-28: Lifecycle (server/discover)",
    ),
    e(
        "mcp.get-404",
        "GET on the MCP URL does not answer 405",
        "A GET on the MCP endpoint (the optional server-to-client stream) answered something other than 405 or an event stream. APIM answers a method without an operation with 404 \"Resource not found\"; clients treat 404 like 405 and go on.",
        "Usually nothing: POST works. To answer like Context7 (405), add a GET operation for /mcp to the API, or leave it.",
        "MCP spec 2025-11-25: Transports › Listening for Messages from the Server",
    ),
    // ---- sse ----
    e(
        "sse.truncated",
        "The event stream ended before the response was complete",
        "The stream ended before the JSON-RPC response was complete. A cut at a round size (1024, 4096, 8192 bytes) points at APIM diagnostics' \"Number of payload bytes to log\" for Frontend Response, which breaks MCP's SSE streams.",
        "APIM › APIs › All APIs › Settings › Diagnostics Logs (Azure Monitor and Application Insights) › Frontend Response › Number of payload bytes to log = 0, at the service level.",
        "guide-per-user-obo: Troubleshooting › Streaming responses get cut off; guide-shared-identity: Troubleshooting › Streaming responses get cut off",
    ),
    e(
        "sse.buffered",
        "The event stream is buffered",
        "The event stream carries Content-Length or Content-Encoding, or all events arrive in one burst: response body logging, a policy that reads context.Response.Body, or compression buffers it, so clients wait and may time out.",
        "Set Frontend Response payload bytes to log to 0, use buffer-response=\"false\" on forward-request, and remove body access from <outbound>.",
        "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    ),
    e(
        "sse.content-type",
        "Wrong Content-Type for an event stream",
        "The response is neither application/json nor text/event-stream (e.g. text/html or text/plain): a policy or an error page replaced the MCP answer.",
        "Do not set Content-Type in <outbound>; trace the request in APIM to see which policy produced the body.",
        "MCP spec 2025-11-25: Transports › Sending Messages to the Server",
    ),
    e(
        "sse.framing",
        "Malformed SSE framing",
        "The event stream breaks SSE framing: lines that are not field: value, events not separated by a blank line, or data that is not JSON-RPC.",
        "Remove any policy that rewrites the response body of the MCP operation; the gateway must pass the stream through unchanged.",
        "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    ),
    e(
        "sse.stalled",
        "The event stream stalled",
        "No byte arrived within the deadline: the response is buffered somewhere, or the backend is slow. Idle gaps over the load balancer's 4 minutes close the connection.",
        "Check for buffering (payload logging, body access in policies); raise --timeout if the backend is only slow.",
        "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    ),
    e(
        "sse.id-mismatch",
        "The response id does not match the request",
        "The JSON-RPC response's id is not the request's: a cache or policy returned another request's answer.",
        "Remove response caching from the MCP operation; MCP responses must never be cached.",
        "MCP spec 2025-11-25: Transports",
    ),
    e(
        "sse.oversized",
        "The response is larger than c7doctor reads",
        "An event's data (one line, or the lines of one event) or the whole stream went over c7doctor's cap before the response arrived; c7doctor kept counting and dropped the rest, so memory stays bounded. A single data line of many MiB points at a server or gateway that fills the stream with garbage.",
        "If the response is really that large, raise --max-stream-mib; otherwise find what produces the oversized event (a policy writing the body, a misbehaving backend).",
        "MCP spec 2025-11-25: Transports",
    ),
    // ---- policy ----
    e(
        "policy.xml-invalid",
        "The policy is not well-formed XML",
        "The policy does not parse at the line:column shown; usually a raw \", < or & inside an attribute-form expression.",
        "Escape attribute values as &quot;, &lt;, &gt;, &amp; (in element content only <, >, & need escaping), as in the guide's policy.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.named-value-in-expression",
        "A named value inside a policy expression",
        "APIM substitutes {{named-value}} only in plain element and attribute text. Inside @(…) or @{…} it stays a literal C# string, so e.g. the OBO request sends \"{{apim-gateway-client-secret}}\" as the secret.",
        "Copy the named value into a variable first (<set-variable name=\"gatewaySecret\" value=\"{{apim-gateway-client-secret}}\" />) and use (string)context.Variables[\"gatewaySecret\"] inside the expression.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.named-value-in-cdata",
        "A named value inside CDATA",
        "CDATA sections disable named-value substitution, so {{…}} inside them reaches the backend literally.",
        "Use plain element content with &lt;, &gt;, &amp; escapes instead of CDATA.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.placeholder",
        "A placeholder left in the policy",
        "The policy still holds <your-tenant-id>, <your-apim-host>, <gateway-app-id> or another placeholder from the guide.",
        "Replace every placeholder with your value (better: a named value such as {{entra-tenant-id}} in plain text) and re-apply the policy.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.no-token-validation",
        "The policy does not validate the token",
        "No validate-azure-ad-token (or validate-jwt) in <inbound>: the gateway forwards requests without checking who sent them.",
        "Add validate-azure-ad-token with tenant-id, <audiences> and <required-claims> first in <inbound>, as in the guide's policy.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.audience-uri",
        "validate-azure-ad-token audience is an App ID URI",
        "An <audience> is an api://… URI; v2.0 tokens carry the app's GUID, so validation fails for every valid token.",
        "Use the GUID: <audience>{{apim-gateway-app-id}}</audience> (obo) or the MCP API app's client ID (shared-key, passthrough).",
        "guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    ),
    e(
        "policy.scope-claim",
        "The required scope claim is missing or wrong",
        "<required-claims> has no <claim name=\"scp\"> with the pattern's scope (Mcp.Gateway.Access for obo, mcp.access for shared-key and passthrough), names the other hop's scope, or checks another claim.",
        "Add <claim name=\"scp\" match=\"any\"><value>Mcp.Gateway.Access</value></claim> (obo; mcp.access for the other patterns) to <required-claims>.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.obo-cache-key",
        "The OBO cache key does not include the user's oid",
        "cache-lookup-value / cache-store-value use a key without the user's oid, so all users share one cached OBO token: every request runs as whoever came first.",
        "Use key=\"@(&quot;obo-mcp-&quot; + (string)context.Variables[&quot;userOid&quot;])\" on both elements, as in the guide's policy.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.obo-cache-duration",
        "The OBO cache outlives the token",
        "cache-store-value's duration is at least the OBO token's lifetime (Entra's default is one hour), so APIM forwards expired tokens from the cache.",
        "Set duration below the token lifetime: the guide uses 3000 seconds; lower it if Conditional Access issues shorter-lived tokens.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
    e(
        "policy.challenge-missing",
        "The policy does not return the discovery challenge",
        "<on-error> does not set WWW-Authenticate with resource_metadata on 401, so MCP clients cannot discover how to sign in.",
        "Add the <choose> block on context.Response.StatusCode == 401 that sets WWW-Authenticate: Bearer resource_metadata=\"https://<apim-host>/.well-known/oauth-protected-resource\".",
        "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401",
    ),
    e(
        "policy.secret-inline",
        "A secret written inline in the policy",
        "A literal client secret or ctx7sk… key appears in the policy: everyone who can read the policy, its exports and source control has it.",
        "Move it to a secret named value (az apim nv create … --secret true), ideally backed by Key Vault, reference it as {{name}}, and rotate the exposed secret.",
        "guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    ),
    e(
        "policy.pattern-mixed",
        "Elements of different patterns in one policy",
        "The policy mixes patterns: e.g. the OBO exchange together with an API-key header, or a key swap without rewrite-uri to /mcp/oauth; --pattern disagrees with what the policy does.",
        "Pick one pattern and keep only its elements: shared-key = validate + set-header key + rewrite-uri; passthrough = validate only; obo = validate + OBO send-request + cache + set-header Authorization + rewrite-uri.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy; guide-shared-identity: Pattern 2 › Migration from Pattern 1",
    ),
    e(
        "policy.buffering",
        "The policy buffers or reads the response body",
        "Response body access (context.Response.Body, set-body in <outbound>), buffer-response=\"true\" or body logging buffers the SSE stream or truncates it.",
        "Remove body access from <outbound> of the MCP API and use <forward-request buffer-response=\"false\" />.",
        "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    ),
    e(
        "policy.diagnostics-payload",
        "APIM diagnostics log frontend response bodies",
        "The diagnostics settings log more than 0 bytes of the frontend response body; this truncates MCP's Server-Sent Events streams.",
        "Set Frontend Response › Number of payload bytes to log to 0 at the service level (All APIs › Settings › Diagnostics Logs).",
        "guide-per-user-obo: Troubleshooting › Streaming responses get cut off; guide-shared-identity: Troubleshooting › Streaming responses get cut off",
    ),
    e(
        "policy.not-policy",
        "The file is not an APIM policy or diagnostics resource",
        "`c7doctor policy` reads policy XML (root <policies>, or <fragment>), the management API's JSON envelope ({\"properties\":{\"value\":\"<policies>…\",\"format\":\"xml\"}}) and APIM diagnostics JSON. This file is none of them: binary, empty, larger than 16 MiB, nested absurdly deep, another XML document, or JSON of another shape.",
        "Export the policy with `az apim api policy show` or the management API (…/policies/policy?format=rawxml), or the diagnostics with `az apim diagnostic show`, and lint that file.",
        "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    ),
];

/// The entry for a code.
pub fn get(code: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.code == code)
}

/// The entry an AADSTS number maps to. Each number belongs to one entry; where Entra uses one
/// number for several causes (AADSTS50013: bad signature, audience or expiry of an OBO
/// assertion) this returns the general entry (`entra.invalid-assertion`) and the error mapper
/// in `entra` refines it by the description (an audience message gives `entra.obo-audience`).
pub fn by_aadsts(number: u32) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.aadsts.contains(&number))
}

/// Look up what a user typed: a code (`token.issuer-v1`, any case), or an Entra error
/// (`AADSTS65001`, `aadsts65001`, `65001`). Unknown AADSTS numbers give `entra.unknown-error`.
pub fn lookup(query: &str) -> Option<&'static Entry> {
    let lower = query.trim().to_ascii_lowercase();
    if let Some(entry) = get(&lower) {
        return Some(entry);
    }
    let digits = lower.strip_prefix("aadsts").unwrap_or(&lower);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return digits
            .parse::<u32>()
            .ok()
            .and_then(by_aadsts)
            .or_else(|| get("entra.unknown-error"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for e in ENTRIES {
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
        for e in ENTRIES {
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
        for e in ENTRIES {
            for (what, text) in [("title", e.title), ("cause", e.cause), ("fix", e.fix)] {
                assert!(!text.trim().is_empty(), "{} has an empty {what}", e.code);
            }
            assert!(!e.title.contains('\n'), "{} title is not one line", e.code);
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
                ENTRIES.iter().any(|e| e.see.contains(heading)),
                "no entry cites the guide section {heading:?}"
            );
        }
    }

    #[test]
    fn see_names_a_guide_or_spec() {
        for e in ENTRIES.iter().filter(|e| !e.see.is_empty()) {
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
        for e in ENTRIES {
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
}
