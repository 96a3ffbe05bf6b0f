//! Findings of the discovery walk (`discovery.*`).

/// The APIM policy change that removes the RFC 8707 `resource` parameter on `/authorize` and
/// `/token` — the one text `discovery.resource-rejected`, `entra.resource-parameter`
/// (`explain AADSTS9010010`) and the policy linter give. A macro so declarations can
/// `concat!` it.
#[macro_export]
macro_rules! strip_resource_policy {
    () => {
        "In the oauth-proxy API, authorize operation: add <set-query-parameter name=\"resource\" exists-action=\"delete\" /> before the <return-response> and build the Location from context.Request.Url.QueryString (OriginalUrl keeps the parameter); token operation: add <set-body>@(string.Join(\"&\", context.Request.Body.As<string>(preserveContent: true).Split('&').Where(p => !p.StartsWith(\"resource=\"))))</set-body> before the request is forwarded to Entra."
    };
}

/// [`strip_resource_policy!`] as a value.
pub const STRIP_RESOURCE_POLICY: &str = crate::strip_resource_policy!();

crate::declare_findings! {
    UNREACHABLE = "discovery.unreachable" {
        title: "The host cannot be reached",
        cause: "No HTTP answer: DNS, TCP, TLS or the deadline failed (which one is in the evidence). A typo in the host, an APIM instance reachable only from a VNet, a corporate proxy (HTTPS_PROXY not set), a TLS-inspecting proxy whose CA is not trusted, or a firewall.",
        fix: "Check the host the detail names: for the gateway, --host is its URL (`az apim show -g $RG -n $APIM --query gatewayUrl -o tsv`); for Entra, --authority is your cloud's login host; through a proxy the detail names it (HTTPS_PROXY; add hosts reached directly to NO_PROXY) and --cacert takes its CA; raise --timeout on slow links.",
        see: "guide-per-user-obo: Part 1: Provision API Management",
    }
    ENDPOINT_OPEN = "discovery.endpoint-open" {
        title: "The MCP endpoint answers without a token",
        cause: "A POST to the MCP endpoint without a token got a 2xx: nothing validates the caller, so anyone who reaches the gateway reaches Context7 with your API key or identity. validate-azure-ad-token is missing, sits in another scope, or the request hits another API or operation.",
        fix: "Put validate-azure-ad-token (with <audiences> and <required-claims>) first in <inbound> of the context7-mcp API policy and re-apply it; check with `c7doctor policy policy.xml`.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    ENDPOINT_MISSING = "discovery.endpoint-missing" {
        title: "No MCP endpoint at this host and API path",
        cause: "The MCP URL answered 404 or 405: the host is not the gateway, the API path is wrong (--api-path, default context7), or the API has no POST /mcp operation (APIM answers a method without an operation with 404 \"Resource not found\").",
        fix: "Check `az apim api show --api-id context7-mcp --query path` and the post-mcp operation (--method POST --url-template \"/mcp\"); set --api-path to the API's path.",
        see: "guide-per-user-obo: Part 3 › Step 2: Create the API and the MCP operation",
    }
    CHALLENGE_MISSING = "discovery.challenge-missing" {
        title: "401 without a WWW-Authenticate challenge",
        cause: "The unauthenticated 401 carries no WWW-Authenticate header, so MCP clients cannot learn where to sign in (2025-06-18 clients require it; 2025-11-25 clients fall back to the well-known URLs). The <on-error> block of the context7-mcp policy does not set it.",
        fix: "Add to <on-error> of the context7-mcp policy: <choose><when condition=\"@(context.Response.StatusCode == 401)\"> with <set-header name=\"WWW-Authenticate\" exists-action=\"override\"><value>Bearer resource_metadata=\"{host}/.well-known/oauth-protected-resource\"</value></set-header></when></choose>, and re-apply the policy.",
        see: "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401",
    }
    CHALLENGE_MALFORMED = "discovery.challenge-malformed" {
        title: "The WWW-Authenticate challenge cannot be parsed",
        cause: "The header is not a Bearer challenge with a quoted resource_metadata URL: another scheme, an unquoted or unterminated value, a missing comma between parameters, or an expression printed literally.",
        fix: "Set the value exactly to Bearer resource_metadata=\"{host}/.well-known/oauth-protected-resource\", alone in the header (exists-action=\"override\", no other scheme before it).",
        see: "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401; RFC 9728 §5.1",
    }
    CHALLENGE_UPSTREAM = "discovery.challenge-upstream" {
        title: "resource_metadata points at another host",
        cause: "resource_metadata names a host other than the gateway, typically https://mcp.context7.com/.well-known/oauth-protected-resource: Context7 sends its own challenge on every /mcp response and APIM passes it through. Clients then follow Context7's metadata to Context7's authorization server instead of your Entra tenant.",
        fix: "Override the header in the context7-mcp policy with exists-action=\"override\" and the gateway's own PRM URL: Bearer resource_metadata=\"{host}/.well-known/oauth-protected-resource\", in <on-error> and for 401s coming back from the backend.",
        see: "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401",
    }
    CLAIMS_CHALLENGE = "discovery.claims-challenge" {
        title: "The 401 carries Entra's claims challenge (insufficient_claims)",
        cause: "The Bearer challenge says error=\"insufficient_claims\" with claims=\"…\" (base64 JSON): Entra's way of asking for a token with more claims — a Conditional Access authentication context (acrs), MFA after an OBO call answered AADSTS50076, 50079 or 53003, or Continuous Access Evaluation (nbf, after a revocation). It is meant for a client whose token lacks those claims; the MCP clients c7doctor models (the TypeScript SDK v1 and v2, VS Code's own client) read resource_metadata and scope from the challenge but do not pass claims on to /authorize, so they sign in again the same way. Info: the MCP challenge is intact beside it. Warn or fail: it replaces the MCP challenge (no resource_metadata), so clients can only find the PRM through the well-known URLs (warn) or not at all (fail).",
        fix: "Send the claims challenge only on a 401 for a token that lacks the claims (the claims of the OBO error), never on the token-less 401, and keep resource_metadata in the same Bearer challenge: Bearer resource_metadata=\"{host}/.well-known/oauth-protected-resource\", error=\"insufficient_claims\", claims=\"…\". Users then meet the claims by satisfying the Conditional Access policy they name (Entra sign-in logs › Conditional Access).",
        see: "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401; RFC 6750 §3",
    }
    PRM_MISSING = "discovery.prm-missing" {
        title: "No protected resource metadata",
        cause: "No PRM document at the resource_metadata URL nor at /.well-known/oauth-protected-resource[/<path>]: the oauth-proxy API at the host root, its prm-metadata operation or its policy is missing.",
        fix: "Create the oauth-proxy API with path \"\" and the GET /.well-known/oauth-protected-resource operation, and attach prm-policy.xml.",
        see: "guide-per-user-obo: Part 5 › Step 1: Create the OAuth proxy API at the host root; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    PRM_INVALID = "discovery.prm-invalid" {
        title: "Protected resource metadata is not valid",
        cause: "The PRM answer is not a JSON object with `resource` and `authorization_servers` (HTML, a syntax error such as a trailing comma, or a wrong Content-Type).",
        fix: "Return the prm-policy.xml body with Content-Type: application/json; validate the JSON (e.g. with jq) before pasting it into <set-body>.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; RFC 9728 §3.2",
    }
    PRM_PLACEHOLDER = "discovery.prm-placeholder" {
        title: "Protected resource metadata still contains a placeholder",
        cause: "The PRM still holds <your-apim-host>, <gateway-app-id> or another placeholder from the guide, so clients go to a host or request a scope that does not exist.",
        fix: "Replace the placeholders in prm-policy.xml with the gateway host and the Context7 APIM Gateway app's client ID, then re-apply it.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    PRM_RESOURCE = "discovery.prm-resource" {
        title: "PRM resource does not match the MCP URL",
        cause: "RFC 9728 §3.3: the PRM `resource` must be identical to the URL the client used. Fail: it differs even by origin and path prefix (another host, a placeholder, Context7's URL). Warn: only a prefix matches (https://<apim-host>/context7 for …/context7/mcp) — the TypeScript SDK accepts that, strict clients reject it.",
        fix: "Set \"resource\" in the PRM policy (prm-policy.xml) to exactly the MCP URL clients are configured with, \"{mcp_url}\" (a path prefix is not enough for strict clients), or configure clients with the URL the PRM names.",
        see: "RFC 9728 §3.3; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    PRM_SCOPE = "discovery.prm-scope" {
        title: "PRM scopes lack the fully qualified gateway scope",
        cause: "scopes_supported lacks the scope clients must request, or lists it unqualified (Mcp.Gateway.Access instead of api://<gateway-app-id>/Mcp.Gateway.Access). Clients request what the metadata advertises; an unqualified scope is resolved against Microsoft Graph (AADSTS650053) and yields a Graph token.",
        fix: "List the fully qualified scope \"{scope}\" in {scope_list} (the obo pattern's is api://<gateway-app-id>/Mcp.Gateway.Access; shared-key and passthrough: api://<mcp-api-app-id>/mcp.access).",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; MCP spec 2025-11-25: Authorization › Scope Selection Strategy",
    }
    AS_MISSING = "discovery.as-missing" {
        title: "No authorization server metadata found",
        cause: "None of the locations the MCP spec has clients try for the PRM's authorization server (/.well-known/oauth-authorization-server[/path], /.well-known/openid-configuration[/path], <path>/.well-known/openid-configuration) returned metadata: the as-metadata operation or its policy is missing.",
        fix: "Add the GET /.well-known/oauth-authorization-server operation to the oauth-proxy API and attach as-metadata-policy.xml.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; MCP spec 2025-11-25: Authorization › Authorization Server Metadata Discovery",
    }
    AS_INVALID = "discovery.as-invalid" {
        title: "Authorization server metadata is not valid",
        cause: "The AS metadata is not a JSON object with issuer, authorization_endpoint and token_endpoint (HTML, a JSON syntax error, or fields missing).",
        fix: "Return the as-metadata-policy.xml body with Content-Type: application/json and all its fields; validate the JSON before pasting it.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies; RFC 8414 §2",
    }
    AS_ISSUER = "discovery.as-issuer" {
        title: "AS metadata issuer differs from where it was found",
        cause: "The metadata's `issuer` is not identical to the authorization server identifier it was discovered from (the PRM's authorization_servers entry); RFC 8414 §3.3 makes clients reject it. Usually a trailing slash, or Entra's own issuer copied in.",
        fix: "Set \"issuer\" in the AS metadata policy (as-metadata-policy.xml) to exactly \"{expected_issuer}\", the identifier clients discovered it from (the PRM's authorization_servers entry; for the guide's façade, the gateway origin without a trailing slash).",
        see: "RFC 8414 §3.3; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    AS_PKCE = "discovery.as-pkce" {
        title: "AS metadata does not advertise PKCE S256",
        cause: "code_challenge_methods_supported is absent or lacks S256; MCP clients must refuse to continue without it. Entra's own openid-configuration does not list it, so pointing clients straight at Entra fails this way.",
        fix: "Serve the gateway's as-metadata façade with \"code_challenge_methods_supported\": [\"S256\"] as in as-metadata-policy.xml.",
        see: "MCP spec 2025-11-25: Authorization › Authorization Code Protection; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    AS_PLACEHOLDER = "discovery.as-placeholder" {
        title: "AS metadata still contains a placeholder",
        cause: "The AS metadata still holds <your-apim-host>, <your-tenant-id> or <gateway-app-id> from the guide, so clients are sent to endpoints that do not exist.",
        fix: "Replace the placeholders in as-metadata-policy.xml with the gateway host, tenant ID and the Context7 APIM Gateway app's client ID, then re-apply it.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    NO_DCR = "discovery.no-dcr" {
        title: "No dynamic client registration",
        cause: "The metadata has no registration_endpoint: Entra does not implement Dynamic Client Registration (RFC 7591), so clients such as VS Code ask for a client ID (\"Dynamic Client Registration not supported…\"). Expected with this setup.",
        fix: "Give users the client ID {client_id} to paste when a client such as VS Code asks (in the obo pattern, the Context7 APIM Gateway app's Application (client) ID), and pre-authorize other client IDs on the gateway scope (Expose an API › Authorized client applications).",
        see: "guide-per-user-obo: Part 6: Connect an MCP client",
    }
    OFFLINE_ACCESS = "discovery.offline-access" {
        title: "offline_access among the advertised scopes",
        cause: "The advertised scopes include offline_access. Some clients then request every advertised scope and add prompt=consent, so users see a consent prompt on each sign-in, or fail where user consent is disabled.",
        fix: "If users are prompted repeatedly, remove offline_access from scopes_supported in as-metadata-policy.xml, or grant admin consent for it on the Context7 APIM Gateway app.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    AUTHORIZE_PROXIED = "discovery.authorize-proxied" {
        title: "/authorize answers with a page instead of a redirect",
        cause: "GET /authorize answered 200 with HTML: the gateway proxies Microsoft's sign-in page instead of redirecting to it. That page's relative URLs and cookies belong to login.microsoftonline.com, so the form submission breaks.",
        fix: "Attach authorize-policy.xml to the authorize operation: a return-response with status 302 and Location = https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/authorize{context.Request.OriginalUrl.QueryString}.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    AUTHORIZE_TARGET = "discovery.authorize-target" {
        title: "/authorize redirects somewhere other than the tenant's v2.0 endpoint",
        cause: "The 302's Location is not <authority>/<tenant-id>/oauth2/v2.0/authorize: the v1 endpoint (/oauth2/authorize), another tenant, /common, another cloud, or a placeholder left in.",
        fix: "In authorize-policy.xml, set the Location to @($\"{authority}/{tenant_id}/oauth2/v2.0/authorize{context.Request.OriginalUrl.QueryString}\"): the tenant's v2.0 authorize endpoint at your authority, followed by the original query string.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    AUTHORIZE_QUERY = "discovery.authorize-query" {
        title: "/authorize drops or alters the query string",
        cause: "The redirect loses or changes the client's parameters (client_id, redirect_uri, code_challenge, state, scope), so Entra refuses the request or the client cannot finish PKCE. Removing only the RFC 8707 `resource` parameter is correct (Entra's v2.0 endpoint refuses it, AADSTS9010010) and is not this finding.",
        fix: "Append the request's query string unchanged to the Location, as authorize-policy.xml does: @($\"…/oauth2/v2.0/authorize{context.Request.OriginalUrl.QueryString}\") — QueryString already starts with '?'.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    RESOURCE_REJECTED = "discovery.resource-rejected" {
        title: "Entra refuses the resource parameter clients send",
        cause: "MCP clients send RFC 8707 `resource` = the PRM `resource`, verbatim, on /authorize and /token (VS Code, Claude Code, the TypeScript SDK v1 and v2). The façade passes it on to Entra, and it is not an identifier of the API the requested scopes name (api://<app-id>/…), so Entra's v2.0 endpoint answers AADSTS9010010 \"The resource parameter provided in the request doesn't match with the requested scopes\". Warn: predicted from the documents (Entra's answer before sign-in did not confirm it); fail: Entra's own answer confirmed it. The guide's /authorize 302 keeps the whole query string, so it forwards `resource`.",
        fix: concat!("Remove `resource` in the façade — ", crate::strip_resource_policy!(), " Alternatively add {resource} to the Application ID URIs (identifierUris) of the app the scopes name."),
        see: "MCP spec 2025-11-25: Authorization › Resource Parameter Implementation; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    AUTHORIZE_REFUSED = "discovery.authorize-refused" {
        title: "Entra refuses the sign-in request before sign-in",
        cause: "Following the façade's redirect one hop to the configured authority (a GET, no cookies, no credentials), Entra answered with an error instead of its sign-in page: an unknown client ID (AADSTS700016), a redirect URI the app does not have (AADSTS50011, AADSTS500113), a missing or unqualified scope (AADSTS900144, AADSTS650053), or another AADSTS code shown in the evidence. Entra's code names the cause; `c7doctor explain AADSTS<n>` gives its fix.",
        fix: "Fix what Entra's AADSTS{aadsts} names: `c7doctor explain AADSTS{aadsts}`.",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
    }
    CLIENTS_BLOCKED = "discovery.clients-blocked" {
        title: "MCP clients cannot sign in through this gateway",
        cause: "Replaying each client's discovery over what the gateway served shows where it stops: the TypeScript SDK v1 (@modelcontextprotocol/sdk 1.32) and v2 (@modelcontextprotocol/client 2.4), whose auth code Claude Code and Cursor use or mirror, and VS Code's own MCP client (modelled from microsoft/vscode; it signs in through https://vscode.dev/redirect). The row of each client names the link and the error it meets; the finding of that link has the fix.",
        fix: "Fix the link the first failing client names (the finding for that link is in this report).",
        see: "MCP spec 2025-11-25: Authorization",
    }
    HOST_NOT_CONFIGURED = "discovery.host-not-configured" {
        title: "A metadata document points at a host nobody configured",
        cause: "A URL that only a fetched document names (a PRM authorization_servers entry, an AS or tenant jwks_uri) is outside the configured gateway's and authority's origins. c7doctor does not fetch it (a document is not a destination): clients that follow it leave your deployment — possibly to an internal address such as 169.254.169.254.",
        fix: "Point {field} at the gateway ({host}) or the authority ({authority}); if the host is yours, configure it with --host or --authority.",
        see: "RFC 9728 §7.6; guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    TOKEN_ROUTE = "discovery.token-route" {
        title: "/token does not reach Entra",
        cause: "POST /token did not come back with an answer from Entra's token endpoint (an Entra error JSON proves the route works): the token operation is missing, or the oauth-proxy API's service URL is not https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0.",
        fix: "Create the POST /token operation on the oauth-proxy API and set the API's service URL to the tenant's v2.0 base (`az apim api update --api-id oauth-proxy --service-url https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0`).",
        see: "guide-per-user-obo: Part 5 › Step 1: Create the OAuth proxy API at the host root",
    }
    TENANT_MISSING = "discovery.tenant-missing" {
        title: "The tenant's OpenID configuration cannot be found",
        cause: "<authority>/<tenant-id>/v2.0/.well-known/openid-configuration is not found (AADSTS90002): the tenant ID is wrong, or the tenant lives in another cloud than --authority.",
        fix: "Use the Directory (tenant) ID from an app registration's Overview; for US Government or China set --authority (https://login.microsoftonline.us, https://login.partner.microsoftonline.cn).",
        see: "guide-per-user-obo: Part 4 › Step 1: Configure the tenant",
    }
    JWKS_MISMATCH = "discovery.jwks-mismatch" {
        title: "Signing keys do not match the tenant's",
        cause: "The jwks_uri the gateway advertises, or the keys it serves, are not the tenant's <authority>/<tenant-id>/discovery/v2.0/keys: another tenant, a placeholder, or a stale copy.",
        fix: "Set jwks_uri in as-metadata-policy.xml to https://login.microsoftonline.com/<tenant-id>/discovery/v2.0/keys.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    REDIRECT = "discovery.redirect" {
        title: "A discovery URL answers with a redirect",
        cause: "The MCP endpoint or a metadata URL answered 3xx instead of the document or the 401. c7doctor never follows redirects (a redirect is data): a client that follows one to another host may send its token there, and clients that do not follow it find nothing. Typical causes: a custom domain or HTTP→HTTPS rule in front of APIM, a trailing-slash rewrite, or an operation that redirects.",
        fix: "Serve the MCP API and the oauth-proxy operations directly at the URL clients use (no redirect in front of APIM); configure clients with the final URL.",
        see: "guide-per-user-obo: Part 5 › Step 4: Verify the discovery surface",
    }
    PLAIN_HTTP = "discovery.plain-http" {
        title: "The gateway is addressed over plain http",
        cause: "The MCP URL uses http:// on a host that is not loopback: tokens and authorization codes would cross the network unencrypted, and MCP clients require https for authorization endpoints.",
        fix: "Use the gateway's https:// URL (APIM gateways serve https; `az apim show --query gatewayUrl`).",
        see: "MCP spec 2025-11-25: Authorization › Communication Security",
    }
    HTML_RESPONSE = "discovery.html-response" {
        title: "An HTML page answers where the gateway's MCP API should",
        cause: "The MCP URL answered with an HTML page (HTTP 200 or a redirect to a sign-in form) instead of APIM's 401 or an MCP answer: a corporate proxy's login or block page, a captive portal, TLS inspection that rewrites answers, or a host that is a portal rather than the APIM gateway.",
        fix: "Open the MCP URL in a browser on the same network to see who answers; set HTTPS_PROXY (and --cacert for a TLS-inspecting proxy's CA) or ask for the gateway host to be allowed; check --host is APIM's Gateway URL.",
        see: "",
    }
}
