//! Findings of the token checks (`token.*`): what each code means and how to fix it.

crate::declare_findings! {
    MALFORMED = "token.malformed" {
        title: "Not a readable JWT access token",
        cause: "The value is not a compact JWS: not three base64url segments with a JSON header and payload. Usual reasons: a truncated copy, extra text pasted with it, an encrypted token (JWE, five segments) or an opaque token such as a refresh token.",
        fix: "Copy the access_token value again in full, e.g. `az account get-access-token --scope api://<gateway-app-id>/Mcp.Gateway.Access --query accessToken -o tsv`. c7doctor accepts a `Bearer ` prefix, surrounding quotes and a whole token-endpoint JSON response.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    NOT_ACCESS_TOKEN = "token.not-access-token" {
        title: "An ID token, not an access token",
        cause: "The token has no `scp` or `roles`, carries a `nonce`, and its `aud` is the client app itself: it is an ID token, which proves the sign-in to the client. APIM's validate-azure-ad-token rejects it and Entra refuses it as an OBO assertion (AADSTS240002).",
        fix: "Send the access_token from the token response, requested with the scope api://<gateway-app-id>/Mcp.Gateway.Access (obo) or api://<mcp-api-app-id>/mcp.access (shared-key, passthrough), not the id_token.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    NOT_ENTRA = "token.not-entra" {
        title: "Not a token Entra ID issued",
        cause: "The token has none of what every Entra token carries: no aud, no scp or roles, and none of an ID token's nonce, at_hash or c_hash. It was made by another identity provider, a library's sample (the jwt.io example token is one) or by hand, and APIM's validate-azure-ad-token and Context7 refuse it.",
        fix: "Get an access token from your Entra tenant for the gateway's scope: `az account get-access-token --scope api://{gateway_app_id}/Mcp.Gateway.Access --query accessToken -o tsv` (obo), or api://{mcp_app_id}/mcp.access (shared-key, passthrough).",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    GRAPH_AUDIENCE = "token.graph-audience" {
        title: "A Microsoft Graph token, not one for this API",
        cause: "`aud` is Microsoft Graph (00000003-0000-0000-c000-000000000000 or https://graph.microsoft.com) and the header carries a `nonce`. The client asked for Graph scopes (openid, profile, User.Read) or a short scope name without its api://…/ prefix, which Entra resolves against Graph. Only Graph can validate such a token, so APIM and the OBO exchange reject it.",
        fix: "Have the client request the fully qualified scope: api://{gateway_app_id}/Mcp.Gateway.Access (obo) or api://{mcp_app_id}/mcp.access (shared-key, passthrough) — not User.Read, and not a bare scope name Entra resolves against Graph. Nothing is changed on Graph's side: its tokens are v1.0 and carry Graph's own audience, whatever your app registrations say.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    APP_ONLY = "token.app-only" {
        title: "An app-only token: no signed-in user",
        cause: "The token has `roles` but no `scp` (or `idtyp` is app): it was issued with client credentials, so there is no user, no delegated scope and no user `oid` for the OBO exchange or Context7's per-user mapping (Entra answers OBO with AADSTS7000114).",
        fix: "Sign in as a user (device code, authorization code with PKCE, or `az login` as a user then `az account get-access-token --scope …`) and request the delegated scope Mcp.Gateway.Access (obo) or mcp.access.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    ISSUER_V1 = "token.issuer-v1" {
        title: "A v1.0 token where v2.0 is required",
        cause: "`iss` is https://sts.windows.net/<tid>/ (or `ver` is 1.0). The token version is chosen by the registration of the API the token is for: its manifest still has requestedAccessTokenVersion null or 1. APIM's validate-azure-ad-token (audience = the GUID) and Context7 (v2 issuer required) reject v1 tokens.",
        fix: "Entra admin center › App registrations › the app in `aud` (Context7 APIM Gateway for the client hop, Context7 MCP API for the backend hop) › Manifest › set \"requestedAccessTokenVersion\": 2 under \"api\" › Save. The Manifest editor may silently not persist it: set it with `az ad app update --id <app-id> --set api.requestedAccessTokenVersion=2` and check with `az ad app show --id <app-id> --query api.requestedAccessTokenVersion -o tsv` (prints 2). Then get a new token; tokens already issued stay v1 until they expire.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    }
    ISSUER_TENANT = "token.issuer-tenant" {
        title: "Issued by another tenant than the configured one",
        cause: "The tenant in `iss` or `tid` is not the configured tenant, or `iss` and `tid` disagree: the user signed in to another directory (a guest's home tenant, another subscription's tenant) or the client used /common and landed elsewhere. APIM validates against the named value entra-tenant-id and Context7 against the teamspace's Tenant ID.",
        fix: "Request tokens from <authority>/<tenant-id>/oauth2/v2.0/… of the tenant that holds the app registrations, and make --tenant-id, the APIM named value entra-tenant-id and the Context7 dashboard's Tenant ID the same Directory (tenant) ID.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    }
    ISSUER_FOREIGN = "token.issuer-foreign" {
        title: "Not issued by Entra ID of the configured cloud",
        cause: "`iss` is not an Entra ID v2.0 issuer of the configured authority (https://login.microsoftonline.com/<tid>/v2.0, or the sovereign cloud's login host): the token came from another identity provider (Context7's own OAuth, a B2C or external tenant) or from another cloud.",
        fix: "Sign in through the gateway (/authorize redirects to Entra) or request the token from Entra directly. For a sovereign cloud set --authority (e.g. https://login.microsoftonline.us) and the authentication-endpoint attribute of validate-azure-ad-token.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    AUDIENCE_URI = "token.audience-uri" {
        title: "Audience is an App ID URI instead of the app's GUID",
        cause: "`aud` is an api://… URI. v2.0 tokens always carry the application (client) ID GUID; an api:// audience means a v1.0 token, and APIM's <audiences> and Context7's Audience compare against the GUID.",
        fix: "Make the API app issue v2 tokens (App registrations › the API app › Manifest › requestedAccessTokenVersion: 2) and configure the GUID everywhere: <audience>{{apim-gateway-app-id}}</audience> in validate-azure-ad-token, and the GUID in the Context7 dashboard's Audience field.",
        see: "guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    }
    AUDIENCE_OTHER_HOP = "token.audience-other-hop" {
        title: "Audience is the other hop's app",
        cause: "`aud` is the other configured app: a token for the Context7 MCP API sent to the gateway (which expects the Context7 APIM Gateway app in the obo pattern), or the gateway token forwarded to Context7 without the OBO exchange.",
        fix: "Client hop: request api://{gateway_app_id}/Mcp.Gateway.Access, not mcp.access. Backend hop: make sure the policy performs the OBO send-request and overrides the Authorization header with the OBO token before <rewrite-uri template=\"/mcp/oauth\" />.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: End-to-end token claims",
    }
    AUDIENCE_MISMATCH = "token.audience-mismatch" {
        title: "Audience is not the expected app",
        cause: "`aud` is neither configured app: the client requested a token for another API, or --gateway-app-id / --mcp-app-id (and with them APIM's <audiences> or Context7's Audience) hold another app's ID.",
        fix: "Compare `aud` with App registrations › Context7 APIM Gateway (client hop) or Context7 MCP API (backend hop) › Overview › Application (client) ID. Request that app's scope, or correct the configured ID.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    }
    SCOPE_MISSING = "token.scope-missing" {
        title: "The required delegated scope is missing",
        cause: "`scp` lacks the scope this hop requires: Mcp.Gateway.Access for the gateway (obo), mcp.access for the MCP API. The client asked for another scope, the scope is not defined or not Enabled under Expose an API, or the other hop's scope is present (a token for the wrong app).",
        fix: "Request api://<app-id>/<scope> for the right app; check App registrations › the app › Expose an API lists the scope with State Enabled; APIM's <required-claims><claim name=\"scp\"> and the dashboard's Required scope must name the same value.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    }
    EXPIRED = "token.expired" {
        title: "The token has expired",
        cause: "`exp` is in the past. Entra access tokens live about an hour; a copied token goes stale, and a client that does not refresh keeps sending it.",
        fix: "Get a new token (sign in again, or `az account get-access-token --scope …`). If it expired only seconds ago, check this machine's clock.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    NOT_YET_VALID = "token.not-yet-valid" {
        title: "The token is not valid yet",
        cause: "`nbf` (or `iat`) is in the future by more than the allowed clock skew: the clock of this machine, or of the machine that minted the token, is wrong.",
        fix: "Synchronise the clock (NTP: `timedatectl set-ntp true`, `w32tm /resync`) and try again.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    NO_EXPIRY = "token.no-expiry" {
        title: "The token has no expiry",
        cause: "The token has no `exp` claim. Entra always sets one, so this token was not issued by Entra (a hand-built or test token); APIM rejects it.",
        fix: "Use an access token issued by your Entra tenant for the gateway's scope.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    TIME_NOT_NUMERIC = "token.time-not-numeric" {
        title: "A time claim is not a NumericDate",
        cause: "`exp`, `nbf` or `iat` is present but is not a JSON number of seconds (RFC 7519 §2 NumericDate): a string such as \"1e10\", true, null, an array or an object. Entra always writes numbers, so the token was not minted by Entra; what a validator does with such a claim differs (reject the token, or ignore the claim as if absent), so the token's lifetime is not what it appears to be.",
        fix: "Use an access token issued by your Entra tenant; a token built by hand must write exp, nbf and iat as JSON numbers (seconds since 1970-01-01T00:00:00Z).",
        see: "RFC 7519 §2 (NumericDate), §4.1.4",
    }
    TIME_OUT_OF_RANGE = "token.time-out-of-range" {
        title: "A time claim is a number no validator can read as a date",
        cause: "`exp`, `nbf` or `iat` is a JSON number beyond any date: 1e309 overflows a 64-bit float (serde_json refuses it; JavaScript's JSON.parse and Python's json read it as Infinity, so a validator that only compares numbers sees a token that never expires), or a value past the year 9999. Entra writes whole seconds of the present, so the token was not minted by Entra, and validators disagree about what it means.",
        fix: "Use an access token issued by your Entra tenant; a token built by hand must write exp, nbf and iat as whole seconds since 1970-01-01T00:00:00Z.",
        see: "RFC 7519 §2 (NumericDate), §4.1.4",
    }
    CRIT_UNKNOWN = "token.crit-unknown" {
        title: "The header lists critical extensions no validator understands",
        cause: "The JOSE header has `crit`: extensions the recipient must understand, or else reject the token (RFC 7515 §4.1.11). Entra never sets `crit`; APIM and Context7 implement none of the listed extensions, so a conforming validator rejects the token.",
        fix: "Use an access token issued by your Entra tenant; a token without `crit` in its header.",
        see: "RFC 7515 §4.1.11",
    }
    DUPLICATE_KEY = "token.duplicate-key" {
        title: "A header or payload key is written twice",
        cause: "The token's header or payload names the same key more than once. RFC 7515 §4 and RFC 7519 §4 let a validator refuse such a token or take the last value; serde_json (c7doctor), JavaScript's JSON.parse and Python's json keep the last, a parser that stops at the first match takes the first, so APIM, Context7 and this report may each act on another value. Entra never writes a key twice: the token was built or altered by hand.",
        fix: "Use an access token issued by your Entra tenant, unchanged; a token built by hand must write each header parameter and claim once.",
        see: "RFC 7519 §4; RFC 7515 §4",
    }
    INEXACT_MATCH = "token.inexact-match" {
        title: "A claim matches only when compared loosely; Context7 compares exactly",
        cause: "A claim equals the expected value only when case, a default :443 port, the kind of space between scopes or an invisible character is ignored. Entra writes these claims in one exact form — lower-case GUIDs in aud, tid and oid, iss as https://login.microsoftonline.com/<tenant-guid>/v2.0, scopes in scp separated by single spaces — and Context7's validator compares exactly: its issuer pattern is lower-case and has no port, the teamspace is looked up by the aud string, scp is split on single spaces, and users are found by oid. A token with such a value was altered or not minted by Entra, or the expected value was configured in another spelling.",
        fix: "Use an access token issued by your Entra tenant, unchanged. Where c7doctor compared with a configured value, write it exactly as Entra does: the lower-case GUIDs of Overview › Application (client) ID and Directory (tenant) ID, in --gateway-app-id / --mcp-app-id / --tenant-id, APIM's <audiences> and the Context7 dashboard's Audience and Tenant ID.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    }
    SHORT_LIFETIME = "token.short-lifetime" {
        title: "Token lifetime is shorter than APIM's OBO cache duration",
        cause: "The token lives (exp − iat) less than the 3000 s the guide's policy caches the OBO token (cache-store-value duration). With shorter tokens (a token-lifetime or sign-in-frequency policy) APIM keeps forwarding an expired OBO token from its cache, and Context7 answers 'Token expired'.",
        fix: "Lower the duration of cache-store-value in the OBO policy below the token lifetime (e.g. lifetime − 300 s), or derive it from the OBO response's expires_in.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    OID_MISSING = "token.oid-missing" {
        title: "The token has no oid claim",
        cause: "There is no `oid`: the OBO policy keys its cache on it and Context7 maps users by it. Delegated access tokens for your own API always carry one, so this is an app-only token or not a work-account token of your tenant.",
        fix: "Use a delegated user token from your tenant (request the gateway's scope after signing in as a user).",
        see: "guide-per-user-obo: End-to-end token claims",
    }
    PERSONAL_ACCOUNT = "token.personal-account" {
        title: "Issued to a personal Microsoft account",
        cause: "`tid` is 9188040d-6c67-4c5b-b112-36a304b66dad, the consumer tenant: the user signed in with a personal Microsoft account (outlook.com, live.com). The app registrations are single tenant; APIM and Context7 accept your directory only.",
        fix: "Sign in with a work account of your tenant, and request tokens from <authority>/<tenant-id>/… rather than /common or /consumers.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    CONTEXT7_ISSUER = "token.context7-issuer" {
        title: "Context7 will refuse this token although APIM accepts it",
        cause: "Context7's own validator (4.x) takes an Entra token only when iss matches ^https://login\\.microsoftonline\\.com/[0-9a-f-]{36}/v2\\.0$ — the public cloud, v2, a lower-case tenant GUID —, aud is one string, nbf/iat are not in the future (no clock tolerance) and scp split on spaces holds the required scope. A sovereign-cloud, v1 or upper-case-tenant issuer, or an array aud, passes APIM's validate-azure-ad-token and is refused by Context7.",
        fix: "Context7 would answer \"{context7_message}\". For a v1 token make the Context7 MCP API app issue v2 (`az ad app update --id {mcp_app_id} --set api.requestedAccessTokenVersion=2`); a sovereign-cloud tenant cannot use Context7's per-user validation (obo, passthrough) — use the shared-key pattern (guide-shared-identity, Pattern 1); for clock errors sync the clock of whatever minted the token.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    }
    OID_NOT_PROVISIONED = "token.oid-not-provisioned" {
        title: "The user (oid) is not provisioned in the Context7 teamspace",
        cause: "The token's `oid` is not in the list given with --provisioned. Context7 resolves `oid` against the teamspace's pre-provisioned users and rejects anyone missing with 401 even when the token is otherwise valid: there is no auto-provisioning.",
        fix: "context7.com/dashboard › Settings › Microsoft Entra ID users › Add user: the user's email and Object ID (Entra admin center › Users › <name> › Overview › Object ID, or `az ad signed-in-user show --query id -o tsv`).",
        see: "guide-per-user-obo: Part 4 › Step 2: Pre-provision your developers; guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    }
    ALG_UNEXPECTED = "token.alg-unexpected" {
        title: "Unexpected signing algorithm",
        cause: "The header's `alg` is not RS256 (e.g. none or HS256). Entra signs access tokens with RS256; anything else is a forged, test or non-Entra token, and APIM rejects it.",
        fix: "Use an access token issued by your Entra tenant.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    SIGNATURE_INVALID = "token.signature-invalid" {
        title: "The signature does not verify",
        cause: "The signature does not verify with the tenant's published key for the header's `kid`: the token was altered or truncated, built by hand, or is a Microsoft Graph token (header nonce), which only Graph can validate.",
        fix: "Get a fresh token from Entra for your API's scope and copy it whole.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    KEY_UNKNOWN = "token.key-unknown" {
        title: "Signed with a key the tenant does not publish",
        cause: "The header's `kid` is not among the tenant's signing keys (<authority>/<tid>/discovery/v2.0/keys): the token was signed by another tenant or cloud, by a test key, or with an app-specific signing key (claims mapping), which is only listed with ?appid=<app-id>.",
        fix: "Check the token's `tid` and issuer host against --tenant-id and --authority; request a new token from the right tenant.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
    }
    SIGNATURE_UNCHECKED = "token.signature-unchecked" {
        title: "Signature not checked: no signing keys available",
        cause: "The signature was not verified: no keys were given (--jwks) or asked for (--verify), or the tenant's keys could not be fetched (no tenant in the token or --tenant-id, offline, or the JWKS request failed). The claim checks still ran; a forged token would pass them.",
        fix: "Run again with --verify, which fetches the signing keys of the token's tenant (its tid, else --tenant-id) from {authority} — behind a proxy set HTTPS_PROXY —, or with --jwks FILE offline (a saved {authority}/{tenant_id}/discovery/v2.0/keys). Commands that fetch the keys themselves (login, e2e) need --tenant-id or a token that names its tenant, and access to the authority.",
        see: "",
    }
    HOPS_USER_MISMATCH = "token.hops-user-mismatch" {
        title: "Client and backend tokens are for different users",
        cause: "The token the client sent and the token APIM forwarded differ in `oid` or `tid`: the OBO token belongs to someone else. Typically the cache key lacks the user's oid, so all users share one cached OBO token.",
        fix: "Key cache-lookup-value and cache-store-value on \"obo-mcp-\" + the user's oid as in the guide's policy, re-apply it, and wait for (or purge) the cached entries.",
        see: "guide-per-user-obo: End-to-end token claims; guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
}
