//! Findings of Entra token-endpoint answers (`entra.*`), with the AADSTS numbers each one owns:
//! the one AADSTS table, read by `explain AADSTSnnnn` and by the error mapper.

crate::declare_findings! {
    PUBLIC_CLIENT_DISABLED = "entra.public-client-disabled" {
        title: "Public client flows are not enabled",
        cause: "Entra wants a client secret from a public client (invalid_client, HTTP 401, \"must contain client_assertion or client_secret\"): for the device code flow the app does not allow public client flows; at sign-in, the client's redirect URI is registered on the Web platform, which makes the code exchange need a secret the MCP client (VS Code, Claude Code, the TypeScript SDKs) does not have.",
        fix: "In Entra admin center › App registrations › {client_app} › Authentication › Advanced settings, set \"Allow public client flows\" to Yes and save; or sign in with a client that is a public client already (--client-id 04b07795-8ddb-461a-bbee-02f9e1bf7b46, the Azure CLI). For an MCP client's sign-in, register its loopback redirect URIs (http://127.0.0.1, http://localhost) under Mobile and desktop applications instead of Web.",
        see: "guide-shared-identity: Pattern 1 › Test end-to-end",
        aadsts: [7000218],
    }
    APP_NOT_FOUND = "entra.app-not-found" {
        title: "Application not found in the directory",
        cause: "The client_id is not an application in this tenant: a typo, an app registered in another tenant, or the wrong tenant ID.",
        fix: "Client ID {client_id} is not an application in tenant {tenant_id}: compare it with the \"Application (client) ID\" on the Overview page of {client_app} (for the OBO exchange, the APIM named value apim-gateway-app-id), and check that --tenant-id is the Directory (tenant) ID the app is registered in (single-tenant apps exist only there).",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app; guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
        aadsts: [700016],
    }
    TENANT_NOT_FOUND = "entra.tenant-not-found" {
        title: "Tenant not found",
        cause: "Entra does not know the tenant in the URL (AADSTS90002 on the token endpoint): a wrong tenant ID, or a tenant in another cloud than --authority.",
        fix: "Tenant {tenant_id} does not exist at {authority}: use the Directory (tenant) ID from an app registration's Overview page (a GUID or a verified domain) in --tenant-id and in the APIM named value entra-tenant-id, and --authority for a sovereign cloud (https://login.microsoftonline.us, https://login.partner.microsoftonline.cn).",
        see: "guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
        aadsts: [90002],
    }
    INVALID_SCOPE = "entra.invalid-scope" {
        title: "The requested scope is invalid",
        cause: "The scope is malformed or not found: the OBO request must ask for api://<mcp-api-app-id>/.default, and a short scope name (mcp.access, Mcp.Gateway.Access) without its api://<guid>/ prefix is resolved against Microsoft Graph (AADSTS650053).",
        fix: "The scope sent ({scope_sent}) must be fully qualified and exist, Enabled, under Expose an API of the app it names — a bare scope name is resolved against Microsoft Graph (AADSTS650053). Clients request api://{gateway_app_id}/Mcp.Gateway.Access; the OBO exchange requests api://{mcp_app_id}/.default: check that the APIM named value mcp-api-app-id holds the Context7 MCP API app's client ID (a GUID) and that the policy renders api://<guid>/.default.",
        see: "guide-per-user-obo: Troubleshooting › OBO exchange returns AADSTS70011: Invalid scope",
        aadsts: [70011, 650053, 90009],
    }
    RESOURCE_NOT_PERMITTED = "entra.resource-not-permitted" {
        title: "The API is not among the calling app's permissions",
        cause: "The calling app's registration does not list the requested API as an allowed resource (650057, 65005), or the API's service principal does not exist in the tenant (500011: scope typo, wrong tenant). For client sign-in: the client's app ID is not in the API app's Authorized client applications.",
        fix: "OBO: in the Context7 APIM Gateway app ({gateway_app_id}) › API permissions › Add a permission › My APIs › Context7 MCP API › Delegated permissions, tick mcp.access, then \"Grant admin consent for <your tenant>\". Client sign-in: add the client's app ID to the Context7 APIM Gateway app (shared-key: Context7 MCP API) › Expose an API › Authorized client applications with the scope ticked (guide 2, Part 2 Step 3). If Entra says the resource principal was not found (AADSTS500011), the scope names an app with no service principal in tenant {tenant_id}, or the wrong app.",
        see: "guide-shared-identity: Troubleshooting › AADSTS650057: Invalid resource; guide-per-user-obo: Troubleshooting › Wrong client ID returned to MCP clients",
        aadsts: [650057, 65005, 500011, 650052],
    }
    CONSENT_REQUIRED = "entra.consent-required" {
        title: "Consent has not been granted",
        cause: "Nobody consented to the app using the API on users' behalf: the Context7 APIM Gateway app lacks admin consent for mcp.access, or the calling client is not pre-authorized and user consent is blocked.",
        fix: "OBO: in the Context7 APIM Gateway app ({gateway_app_id}) › API permissions, Context7 MCP API › mcp.access (Delegated) must show \"Granted for <your tenant>\": run Grant admin consent, or pre-authorize the gateway in the Context7 MCP API app ({mcp_app_id}) › Expose an API › Authorized client applications with mcp.access ticked. Client sign-in: pre-authorize the client's app ID in the Context7 APIM Gateway app › Expose an API › Authorized client applications (tick Mcp.Gateway.Access), or grant admin consent for it.",
        see: "guide-per-user-obo: Troubleshooting › OBO exchange returns AADSTS50013 or AADSTS65001; guide-per-user-obo: Part 2 › Step 3: Wire the permission chain",
        aadsts: [65001],
    }
    CLI_NOT_PREAUTHORIZED = "entra.cli-not-preauthorized" {
        title: "The Azure CLI is not pre-authorized on the scope it asked for",
        cause: "The sign-in used the Azure CLI's public client ID (04b07795-8ddb-461a-bbee-02f9e1bf7b46), as the per-user guide's CLI smoke test does, and Entra answered AADSTS65001 (consent_required): the app whose scope was requested does not list the Azure CLI under Authorized client applications, and nobody has consented to the Azure CLI using that scope. The app itself needs no other change for this sign-in (no public client flows, no redirect URI).",
        fix: "Entra admin center › App registrations › {app} › Expose an API › Authorized client applications › + Add a client application › Client ID 04b07795-8ddb-461a-bbee-02f9e1bf7b46 (the Azure CLI) › tick {scope_name} › Add application. Then sign in again: `c7doctor login --client azure-cli`, or as the guide does, `az login --tenant {tenant_id} --scope api://{app_id}/.default`.",
        see: "guide-per-user-obo: Part 6 › Step 1: Pre-authorize the Azure CLI (the CLI smoke test)",
    }
    DECLINED = "entra.declined" {
        title: "The user declined the sign-in",
        cause: "Entra answered authorization_declined or access_denied: the user cancelled or refused the consent prompt, or the consent needs an admin.",
        fix: "The user declined the sign-in (or chose \"No\" on the consent page): run `c7doctor login` again and accept; if the consent page is unexpected, pre-authorize the client in Expose an API › Authorized client applications; if it asks for admin approval, an admin grants consent (App registrations › the app › API permissions › Grant admin consent).",
        see: "guide-per-user-obo: Part 2 › Step 3: Wire the permission chain",
        aadsts: [],
    }
    CODE_EXPIRED = "entra.code-expired" {
        title: "The device code expired",
        cause: "The sign-in was not completed within the device code's lifetime (expires_in, 15 minutes), so Entra answered expired_token.",
        fix: "The code expired before sign-in finished: run `c7doctor login` again and complete the sign-in at the verification URL before the countdown ends.",
        see: "guide-shared-identity: Pattern 1 › Test end-to-end",
        aadsts: [70019, 70020],
    }
    CONDITIONAL_ACCESS = "entra.conditional-access" {
        title: "Blocked or challenged by Conditional Access",
        cause: "A Conditional Access policy blocked the sign-in (53003) or requires multi-factor authentication or its registration (50076, 50079): device compliance, location, or a policy that blocks the device code flow. A `claims` challenge in the evidence says what is required.",
        fix: "Find the sign-in in Entra admin center › Monitoring › Sign-in logs (correlation ID {correlation_id}) to see which Conditional Access policy applied. Sign-in: complete MFA or register a method as the policy requires, or sign in from a compliant device or location. OBO: the client must obtain a token that satisfies the policy (MFA interactively, passing the claims challenge back) — the gateway cannot — or exclude the Context7 MCP API app from the policy.",
        see: "",
        aadsts: [53003, 50076, 50079],
    }
    USER_NOT_IN_TENANT = "entra.user-not-in-tenant" {
        title: "The user is not in the tenant",
        cause: "The signed-in account does not exist in the tenant (an external account that was never invited, or the wrong tenant).",
        fix: "The account is not a member of tenant {tenant_id}: invite it as a guest (Entra admin center › Users › Invite external user) or sign in with an account of that tenant.",
        see: "",
        aadsts: [50020],
    }
    OBO_AUDIENCE = "entra.obo-audience" {
        title: "The OBO assertion is for another app",
        cause: "The token APIM sends as the OBO assertion has an `aud` that is not the app making the OBO call (client_id = the Context7 APIM Gateway app): the client requested a token for the MCP API or another app. AADSTS50013 with an audience message means the same.",
        fix: "The assertion's aud must be the Context7 APIM Gateway app ({gateway_app_id}): the client must request api://{gateway_app_id}/Mcp.Gateway.Access (not the MCP API app's scope), and the OBO request's client_id (named value apim-gateway-app-id) must be that app. Check the client-hop token with `c7doctor token --hop client`.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
        aadsts: [500131],
    }
    INVALID_ASSERTION = "entra.invalid-assertion" {
        title: "The OBO assertion is not a valid token",
        cause: "Entra refused the OBO assertion: bad signature (e.g. a Microsoft Graph token), wrong audience, expired (50013), malformed (50027: a Bearer prefix left in, truncated) or an ID token (240002). The guide lists AADSTS50013 with missing consent too. c7doctor maps 50013 here and refines it by Entra's description: an audience message becomes entra.obo-audience.",
        fix: "Send the client's access token for the Context7 APIM Gateway app ({gateway_app_id}) as the assertion — whole (no \"Bearer \" prefix, not truncated), not an ID token nor a Microsoft Graph token; check it with `c7doctor token --hop client`. Then verify Context7 APIM Gateway › API permissions lists Context7 MCP API → mcp.access as Granted for <your tenant>.",
        see: "guide-per-user-obo: Troubleshooting › OBO exchange returns AADSTS50013 or AADSTS65001",
        aadsts: [50013, 50027, 240002],
    }
    ASSERTION_EXPIRED = "entra.assertion-expired" {
        title: "The OBO assertion has expired",
        cause: "The assertion token's exp has passed: the client sent a stale token, or a clock is wrong.",
        fix: "The client token used as the assertion has expired: get a fresh one (sign in again, or `c7doctor login`) and check the machine's clock.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM",
        aadsts: [500133],
    }
    SECRET_INVALID = "entra.secret-invalid" {
        title: "The client secret is wrong",
        cause: "The client secret is not valid for the app; most often the secret's ID (the GUID in the Secret ID column) was copied instead of its Value.",
        fix: "In the Context7 APIM Gateway app ({gateway_app_id}) › Certificates & secrets, create a new client secret and copy its Value column at once (it is shown only once; the Secret ID column is not the secret); put it in APIM's apim-gateway-client-secret named value (or its Key Vault secret) and in C7DOCTOR_GATEWAY_SECRET.",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app; guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
        aadsts: [7000215],
    }
    SECRET_EXPIRED = "entra.secret-expired" {
        title: "The client secret has expired",
        cause: "The client secret APIM uses for the OBO exchange is past its expiry date.",
        fix: "The client secret of the Context7 APIM Gateway app ({gateway_app_id}) has expired: Certificates & secrets › New client secret, copy the Value, update APIM's apim-gateway-client-secret named value (or the Key Vault secret it references), then delete the expired secret.",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app; guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
        aadsts: [7000222],
    }
    PUBLIC_CLIENT_SECRET = "entra.public-client-secret" {
        title: "A public client sent a client secret",
        cause: "A client secret (or assertion) was sent for an app that Entra treats as a public client (Allow public client flows = Yes, or a mobile/desktop redirect URI): public clients must not authenticate with a secret.",
        fix: "Entra treated {client_app} as a public client, which must not send a secret. For OBO the gateway app must be a confidential client: in the Context7 APIM Gateway app ({gateway_app_id}) › Authentication, leave \"Allow public client flows\" at No and use a secret from Certificates & secrets. For device code or PKCE sign-ins send no client_secret (the gateway's /token forward must not add one); to test, sign in with another client (e.g. the Azure CLI's).",
        see: "",
        aadsts: [700025],
    }
    OBO_NOT_ALLOWED = "entra.obo-not-allowed" {
        title: "The app is not allowed to make OBO calls",
        cause: "Entra refuses the On-Behalf-Of call: the assertion is an app-only token (no user) or the calling app may not make on-behalf-of calls for it. OBO needs a delegated user token whose audience is the calling app.",
        fix: "The assertion is not a user's delegated token (an app-only token, without scp, cannot be exchanged On-Behalf-Of): sign in as a user with api://{gateway_app_id}/Mcp.Gateway.Access and exchange that token; check it with `c7doctor token`.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
        aadsts: [7000114],
    }
    RESOURCE_PARAMETER = "entra.resource-parameter" {
        title: "The resource parameter does not match the scopes",
        cause: "The request carries an RFC 8707 `resource` parameter (MCP clients add the MCP URL) that is not an identifier of the API named in the scopes; Entra's v2.0 endpoint rejects the mismatch.",
        fix: concat!("Remove `resource` in the façade — ", crate::strip_resource_policy!(), " Alternatively add the PRM `resource` (the MCP URL) to the Application ID URIs (identifierUris) of the app the scopes name."),
        see: "MCP spec 2025-11-25: Authorization › Resource Parameter Implementation",
        aadsts: [9010010, 901002],
    }
    ORIGIN_HEADER = "entra.origin-header" {
        title: "A browser Origin header on a token request",
        cause: "The token request carries a browser Origin header, so Entra treats it as a cross-origin single-page-app request, which requires a redirect URI of the Single-page application platform.",
        fix: "Remove the header in the /token forward (<set-header name=\"Origin\" exists-action=\"delete\" />), or register the client's redirect URI under Authentication › Single-page application.",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
        aadsts: [9002326],
    }
    OBO_COMMON_ENDPOINT = "entra.obo-common-endpoint" {
        title: "OBO over /common or /consumers",
        cause: "The OBO request went to /common or /consumers; On-Behalf-Of needs the tenant-specific token endpoint.",
        fix: "Set --tenant-id and APIM's entra-tenant-id named value to the Directory (tenant) ID (or a verified domain), not common, organizations or consumers: the OBO request must go to {authority}/{tenant_id}/oauth2/v2.0/token, and the guide's policy builds that URL from entra-tenant-id.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
        aadsts: [9001023],
    }
    BAD_USER_CODE = "entra.bad-user-code" {
        title: "Wrong user code entered",
        cause: "The code typed at the verification page did not match (bad_verification_code).",
        fix: "The code was not recognised: run `c7doctor login` again and enter the new code exactly as shown, at the URL shown.",
        see: "guide-shared-identity: Pattern 1 › Test end-to-end",
        aadsts: [70018],
    }
    HTML_RESPONSE = "entra.html-response" {
        title: "The token endpoint answered with something other than Entra JSON",
        cause: "The answer was HTML or other non-JSON: a corporate proxy, captive portal or TLS-inspecting firewall intercepted the request, or --authority (or the gateway's /token route) points at something that is not Entra.",
        fix: "Check --authority; set HTTPS_PROXY and --cacert for a corporate proxy; open the URL in a browser on the same network to see who answers.",
        see: "",
        aadsts: [],
    }
    AUTHORIZATION_PENDING = "entra.authorization-pending" {
        title: "Waiting for the user to finish signing in",
        cause: "The device code sign-in is not finished yet (authorization_pending); c7doctor keeps polling at the interval Entra gave.",
        fix: "Open the verification URL, enter the code and sign in; c7doctor keeps polling.",
        see: "",
        aadsts: [70016],
    }
    BAD_RESPONSE = "entra.bad-response" {
        title: "Entra's answer is missing fields or has unusable values",
        cause: "A device-code answer without device_code, user_code or verification_uri, an interval or expiry out of range (0, 10 000 s), or a token answer (HTTP 200) without access_token: something other than Entra answered, or a proxy rewrote the body.",
        fix: "Check --authority (it must be the Entra login host of your cloud) and any proxy between c7doctor and Entra (HTTPS_PROXY, TLS inspection); run with -v to see the redacted answer.",
        see: "",
    }
    SECRET_TRIMMED = "entra.secret-trimmed" {
        title: "The client secret had surrounding whitespace, trimmed",
        cause: "The gateway app's secret arrived with a trailing newline or spaces (echo, a file saved by an editor). Entra would refuse it as sent (AADSTS7000215); c7doctor trims it, APIM does not.",
        fix: "Nothing to change for c7doctor; make sure APIM's apim-gateway-client-secret named value (or its Key Vault secret) holds the value without a trailing newline.",
        see: "guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    }
    REDIRECT_URI = "entra.redirect-uri" {
        title: "The redirect URI is not registered on the app",
        cause: "Entra refused the sign-in because the client's redirect_uri is not among the app's redirect URIs (AADSTS50011), or the app has none (AADSTS500113, AADSTS900971). VS Code signs in through https://vscode.dev/redirect (a Web redirect URI) or a loopback http://127.0.0.1:<port>/; Claude Code uses http://localhost:<port>/callback.",
        fix: "Entra admin center › App registrations › Context7 APIM Gateway ({gateway_app_id}) › Authentication: add https://vscode.dev/redirect under Web, and http://127.0.0.1 and http://localhost under Mobile and desktop applications (Entra ignores the port of loopback redirect URIs).",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
        aadsts: [50011, 500113, 900971],
    }
    RESPONSE_TYPE_DISABLED = "entra.response-type-disabled" {
        title: "The response type is not enabled for the app",
        cause: "Entra refused response_type (AADSTS700054): an implicit-flow response type (id_token, token) the app does not allow. MCP clients use the authorization-code flow (response_type=code).",
        fix: "Make the client (or the façade) send response_type=code; enable ID tokens under Authentication only if an app really needs the implicit flow.",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
        aadsts: [700054],
    }
    INVALID_REQUEST = "entra.invalid-request" {
        title: "Entra found the token request malformed",
        cause: "Entra answered invalid_grant/invalid_request without a more specific code: a malformed request (AADSTS9002313), an invalid grant (AADSTS70000), or a required field missing (AADSTS90014). On an On-Behalf-Of call the same numbers with suberror bad_token mean the assertion itself is bad (entra.invalid-assertion).",
        fix: "Compare the request with Entra's reference for the grant (grant_type, client_id, scope, code/assertion, redirect_uri, code_verifier); for /token through the gateway, check the policy forwards the form body unchanged.",
        see: "guide-per-user-obo: Part 5 › Step 1: Create the OAuth proxy API at the host root",
        aadsts: [9002313, 70000, 90014],
    }
    PKCE_MISMATCH = "entra.pkce-mismatch" {
        title: "The PKCE code_verifier does not match",
        cause: "The code_verifier of the code exchange does not match the code_challenge of the authorization request (AADSTS50148, AADSTS501481): the gateway altered or dropped code_challenge on /authorize, or code_verifier on /token.",
        fix: "Forward the query string of /authorize and the form body of /token unchanged (except `resource`); check with `c7doctor discovery` (discovery.authorize-query).",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
        aadsts: [50148, 501481],
    }
    USER_NOT_ASSIGNED = "entra.user-not-assigned" {
        title: "The user is not assigned to the app",
        cause: "The app's enterprise application requires assignment and this user (or a group of theirs) is not assigned (AADSTS50105).",
        fix: "Entra admin center › Enterprise applications › Context7 APIM Gateway › Users and groups › Add user/group, or set Assignment required = No under Properties.",
        see: "",
        aadsts: [50105],
    }
    CODE_INVALID = "entra.code-invalid" {
        title: "The authorization code was already used, expired or revoked",
        cause: "The code exchange carries a code Entra will not redeem: already redeemed (AADSTS54005 — a client or proxy posted it twice), or expired or revoked (AADSTS70008).",
        fix: "Sign in again; make sure the gateway's /token forwards each request once (no retry policy on the token operation).",
        see: "guide-per-user-obo: Part 5 › Step 1: Create the OAuth proxy API at the host root",
        aadsts: [54005, 70008],
    }
    REFRESH_TOKEN_EXPIRED = "entra.refresh-token-expired" {
        title: "The refresh token expired from inactivity",
        cause: "The client's refresh token was not used within its inactivity lifetime (AADSTS700082), so Entra asks for a new sign-in.",
        fix: "Sign in again in the MCP client (VS Code: Accounts › sign out of the MCP server's account, then reconnect).",
        see: "",
        aadsts: [700082],
    }
    SINGLE_TENANT_ENDPOINT = "entra.single-tenant-endpoint" {
        title: "A single-tenant app signed in through a multi-tenant endpoint",
        cause: "The app is not configured as multi-tenant, but the request went to /common or /organizations (AADSTS50194), or the app is not multi-tenant for a sign-in from another tenant (AADSTS501491).",
        fix: "Use the tenant endpoint: {authority}/{tenant_id}/oauth2/v2.0/authorize and …/token in the gateway's policies (and in --authority/--tenant-id).",
        see: "guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
        aadsts: [501491, 50194],
    }
    UNKNOWN_ERROR = "entra.unknown-error" {
        title: "Entra returned an error c7doctor has no specific advice for",
        cause: "The token endpoint answered with an AADSTS code not in c7doctor's catalog.",
        fix: "Read Entra's description in the evidence and look up {aadsts_label} in Microsoft's AADSTS error reference ({error_reference}); quote trace_id and correlation_id to Microsoft support.",
        see: "",
        aadsts: [],
    }
}
