//! The `apps.*` findings: what the two app registrations of the per-user guide (Part 2) can
//! get wrong, each with the portal path and the `az` command that fixes it.
//!
//! Per-check placeholders: `{app_id}` (the app the check looked at), `{app_role}` ("Gateway"
//! or "MCP API"), `{scope}` (the scope the check expected), `{client_id}` (a client app),
//! `{resource}` (the PRM resource URL), `{export}` (the `az` command that exports a
//! missing document).

crate::declare_findings! {
    /// An app registration could not be read: no document for it, or Graph has no such app.
    NOT_FOUND = "apps.not-found" {
        title: "An app registration of the chain was not found",
        cause: "c7doctor audits the Gateway app and the MCP API app; one of them was not among the files given, or Microsoft Graph has no application with that Application (client) ID in the signed-in tenant (a typo, the Object ID instead of the Application ID, or another tenant).",
        fix: "Export the app and give the file: `{export}`. In the portal: Microsoft Entra admin center › App registrations › All applications, search the Application (client) ID {app_id}; if it is not there, the ID or the tenant is wrong.",
        see: "guide-per-user-obo: Part 2 › Register Entra applications",
    }
    /// `api.requestedAccessTokenVersion` is not 2: Entra issues v1.0 tokens for the app.
    TOKEN_VERSION = "apps.token-version" {
        title: "The app issues v1.0 access tokens (requestedAccessTokenVersion is not 2)",
        cause: "The API's own registration decides the token version: with api.requestedAccessTokenVersion null or 1, Entra issues v1.0 tokens (iss https://sts.windows.net/<tid>/), which APIM's validation and Context7 refuse. The current guide warns that the Manifest editor sometimes silently does not save this value.",
        fix: "Run `az ad app update --id {app_id} --set api.requestedAccessTokenVersion=2`, then check it with `az ad app show --id {app_id} --query api.requestedAccessTokenVersion -o tsv` (prints 2). Portal: App registrations › {app_role} app › Manifest › \"requestedAccessTokenVersion\": 2 › Save — and reopen the manifest to see that it stuck.",
        see: "guide-per-user-obo: Part 2 › Step 1: Register the MCP API app",
    }
    /// `identifierUris` lacks `api://<appId>`: the guide's scope names do not resolve.
    IDENTIFIER_URI = "apps.identifier-uri" {
        title: "The Application ID URI api://<app-id> is not set",
        cause: "The guide's scopes (api://<app-id>/Mcp.Gateway.Access, api://<app-id>/.default in the OBO call, the PRM scopes_supported) name the app by its Application ID URI. Without api://<app-id> in identifierUris Entra cannot resolve those scopes (AADSTS500011 'resource principal not found').",
        fix: "Run `az ad app update --id {app_id} --identifier-uris api://{app_id}` (add any URIs you also use to the same command: it replaces the list). Portal: App registrations › {app_role} app › Expose an API › Application ID URI › Add › accept api://{app_id} › Save.",
        see: "guide-per-user-obo: Part 2 › Step 1: Register the MCP API app",
    }
    /// The scope the chain needs is missing, disabled, misspelt or admin-only.
    SCOPE_MISSING = "apps.scope-missing" {
        title: "The app does not expose the scope the chain asks for",
        cause: "Clients ask for api://<gateway-app-id>/Mcp.Gateway.Access and APIM's OBO call for the MCP API's mcp.access; Entra only issues a scope the app exposes, enabled, under exactly that (case-sensitive) value, and APIM and Context7 compare the scp claim with that exact string.",
        fix: "Expose the scope {scope}, enabled, consentable by admins and users. Portal: App registrations › {app_role} app › Expose an API › Scopes defined by this API › + Add a scope (or edit the existing one: Scope name {scope}, Who can consent: Admins and users, State: Enabled). With az: read the scopes with `az ad app show --id {app_id} --query api.oauth2PermissionScopes`, edit the value/isEnabled/type, and write them back with `az ad app update --id {app_id} --set api.oauth2PermissionScopes=@scopes.json` (a scope must be disabled before its value can change).",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
    }
    /// A client (or the Gateway app) is not pre-authorized on the scope it uses.
    PREAUTHORIZED = "apps.preauthorized" {
        title: "A client is not pre-authorized on the scope it asks for",
        cause: "An app listed under 'Authorized client applications' with the scope ticked gets tokens without a consent prompt. Without it, users are asked to consent (or need admin consent where user consent is restricted); for the OBO exchange the Gateway app then depends on the tenant-wide admin consent alone.",
        fix: "Portal: App registrations › {app_role} app › Expose an API › Authorized client applications › + Add a client application › Client ID {client_id} › tick {scope} › Add application. With az the list lives in api.preAuthorizedApplications (`az ad app show --id {app_id} --query api.preAuthorizedApplications`; write it back with `az ad app update --id {app_id} --set api.preAuthorizedApplications=@preauth.json`).",
        see: "guide-per-user-obo: Part 2 › Step 3: Wire the permission chain",
    }
    /// The Gateway app does not request the MCP API's delegated `mcp.access`.
    PERMISSION_MISSING = "apps.permission-missing" {
        title: "The Gateway app does not have the MCP API's mcp.access delegated permission",
        cause: "The OBO exchange asks Entra for api://<mcp-app-id>/.default on behalf of the user: the Gateway app must hold the MCP API's mcp.access as a delegated API permission (requiredResourceAccess), and that permission must be consented. Without it, and without a pre-authorization, Entra answers AADSTS65001 on the OBO exchange.",
        fix: "Run `az ad app permission add --id {gateway_app_id} --api {mcp_app_id} --api-permissions {scope_id}=Scope`, then `az ad app permission admin-consent --id {gateway_app_id}`. Portal: App registrations › Gateway app › API permissions › + Add a permission › My APIs › the MCP API app › Delegated permissions › mcp.access › Add permissions, then Grant admin consent for the tenant.",
        see: "guide-per-user-obo: Part 2 › Step 3: Wire the permission chain",
    }
    /// No tenant-wide consent for the Gateway app's use of `mcp.access`.
    CONSENT_MISSING = "apps.consent-missing" {
        title: "No admin consent for the Gateway app's mcp.access permission",
        cause: "The OBO exchange cannot prompt the user: the Gateway app's delegated mcp.access must be consented tenant-wide (an oauth2PermissionGrant with consentType AllPrincipals) or the Gateway app pre-authorized on the MCP API. Without either, Entra answers AADSTS65001 'The user or administrator has not consented'.",
        fix: "Run `az ad app permission admin-consent --id {gateway_app_id}` (as a Global, Application or Cloud Application Administrator). Portal: App registrations › Gateway app › API permissions › Grant admin consent for the tenant › Yes; the Status column then shows 'Granted'.",
        see: "guide-per-user-obo: Part 2 › Step 3: Wire the permission chain",
    }
    /// The Gateway app has neither a client secret nor a certificate.
    SECRET_MISSING = "apps.secret-missing" {
        title: "The Gateway app has no client secret or certificate",
        cause: "APIM authenticates the OBO exchange as the Gateway app with the client secret kept in its named value; an app without any credential cannot make that call (AADSTS7000215 / 'invalid_client').",
        fix: "Run `az ad app credential reset --id {gateway_app_id} --append --display-name apim-obo --years 1` (it prints the new value once), then store the value in APIM's named value (Part 3 Step 1). Portal: App registrations › Gateway app › Certificates & secrets › + New client secret › Add, copy the Value column.",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
    }
    /// Every credential of the Gateway app has expired.
    SECRET_EXPIRED = "apps.secret-expired" {
        title: "The Gateway app's client secret has expired",
        cause: "A client secret stops working at its endDateTime: APIM's OBO call then fails with AADSTS7000222 'The provided client secret keys are expired' and every MCP request gets a 5xx from the gateway.",
        fix: "Create a new secret with `az ad app credential reset --id {gateway_app_id} --append --display-name apim-obo --years 1`, put the printed value in APIM's named value (Part 3 Step 1; or the Key Vault secret it references), then delete the expired one. Portal: App registrations › Gateway app › Certificates & secrets.",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
    }
    /// The Gateway app's newest credential expires within 30 days.
    SECRET_EXPIRING = "apps.secret-expiring" {
        title: "The Gateway app's client secret expires soon",
        cause: "The newest credential of the Gateway app ends within 30 days; when it does, APIM's OBO call fails with AADSTS7000222 until the named value holds a new secret.",
        fix: "Before {expires}, create a new secret with `az ad app credential reset --id {gateway_app_id} --append --display-name apim-obo --years 1`, rotate APIM's named value (Part 3 Step 1) to it, then delete the old one. Portal: App registrations › Gateway app › Certificates & secrets.",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
    }
    /// VS Code's redirect URI is missing or registered on the wrong platform.
    REDIRECT_URI = "apps.redirect-uri" {
        title: "https://vscode.dev/redirect is not a Web redirect URI of the app clients sign in with",
        cause: "VS Code signs in through Microsoft's hosted broker https://vscode.dev/redirect: it must be a Web redirect URI of the app whose client ID VS Code uses, else Entra answers AADSTS500113 'No reply address is registered' or AADSTS50011 'The redirect URI … does not match'. A Web redirect URI makes the code exchange need the client secret; clients that sign in as public clients use loopback redirect URIs (http://127.0.0.1, http://localhost) of the Mobile and desktop platform instead.",
        fix: "Run `az ad app update --id {app_id} --web-redirect-uris https://vscode.dev/redirect` (list every Web URI you keep: the option replaces them). Portal: App registrations › {app_role} app › Authentication › + Add a platform › Web › Redirect URI https://vscode.dev/redirect › Configure (remove it from a Single-page application or Mobile and desktop platform).",
        see: "guide-per-user-obo: Part 2 › Step 2: Register the APIM Gateway app",
    }
    /// The app accepts sign-ins from other tenants or personal accounts.
    SIGN_IN_AUDIENCE = "apps.sign-in-audience" {
        title: "The app is not single-tenant (signInAudience is not AzureADMyOrg)",
        cause: "The guide registers both apps as 'Single tenant only'. A multi-tenant app lets users of any organisation get tokens for it, which a validate-jwt without a pinned issuer accepts; personal Microsoft accounts get tokens from the consumers tenant that Context7 does not accept.",
        fix: "Run `az ad app update --id {app_id} --sign-in-audience AzureADMyOrg`. Portal: App registrations › {app_role} app › Authentication › Supported account types › Accounts in this organizational directory only › Save.",
        see: "guide-per-user-obo: Part 2 › Step 1: Register the MCP API app",
    }
    /// The PRM `resource` URL is not an identifier URI of the app the scopes name.
    RESOURCE_IDENTIFIER = "apps.resource-identifier" {
        title: "The PRM resource URL is not an identifier of the app the scopes name",
        cause: "MCP clients (VS Code, Claude Code, the TypeScript SDK) send the PRM resource as the RFC 8707 resource parameter; Entra's v2.0 endpoints refuse a resource that is not an identifier of the API the scopes name (AADSTS9010010). It works when the OAuth façade drops resource on /authorize and /token, or when the URL is an identifier URI of the app.",
        fix: "Either drop the resource parameter in the oauth-proxy API's /authorize and /token policies, or add the URL as an identifier: `az ad app update --id {app_id} --identifier-uris api://{app_id} {resource}` — Entra accepts an https identifier URI only on a domain verified in the tenant, so this needs a custom APIM domain (a *.azure-api.net host cannot be verified). Portal: App registrations › {app_role} app › Expose an API › Application ID URI.",
        see: "RFC 8707 §2 (resource parameter); guide-per-user-obo: Part 5 › Step 2: Attach the discovery + redirect policies",
    }
    /// A file given to `apps` is not a document it reads, or conflicts with another.
    INPUT_INVALID = "apps.input-invalid" {
        title: "A file is not an app registration document c7doctor reads",
        cause: "c7doctor apps reads JSON as the Azure CLI prints it: az ad app show (an application), az ad sp show (a service principal), the oauth2PermissionGrants answer of az rest, az ad app federated-credential list. The file is something else (a whole az ad app list, an ARM template, a proxy's HTML page, a Graph error), is too large or broken, or says something different about an app than another file does.",
        fix: "Export each document on its own: `az ad app show --id <app-id> > <name>-app.json`, `az ad sp show --id <app-id> > <name>-sp.json`, and the grants with `az rest --url \"https://graph.microsoft.com/v1.0/oauth2PermissionGrants?\\$filter=clientId eq '<gateway-sp-object-id>'\" > grants.json` (`c7doctor init --az-commands` prints them for your IDs); give one document per app.",
        see: "",
    }
    /// Microsoft Graph refused the read: the token or the signed-in user lacks a permission.
    GRAPH_DENIED = "apps.graph-denied" {
        title: "Microsoft Graph refused to read the app registrations",
        cause: "Graph answered 401 (the token is expired, not a Graph token, or for another cloud) or 403 Authorization_RequestDenied (the signed-in user may not read applications, service principals or permission grants: tenants can restrict users from reading other users' app registrations, and grants need Directory.Read.All).",
        fix: "Get a fresh Graph token as a user who can read the directory (Directory Readers, Application Administrator or Global Reader role): `az login --tenant {tenant_id}` then `az account get-access-token --resource-type ms-graph --query accessToken -o tsv | c7doctor apps --graph`. Or export the documents offline with the az commands `c7doctor init --az-commands` prints and give the files.",
        see: "",
    }
    /// Microsoft Graph did not answer usefully: throttled, a server error, the network, a broken answer.
    GRAPH_FAILED = "apps.graph-failed" {
        title: "Microsoft Graph did not give a usable answer",
        cause: "Graph throttled the requests (429 with Retry-After), failed (5xx), could not be reached (DNS, proxy, TLS, timeout), or its answer was not the JSON expected (a proxy page, a pagination link that loops or never ends).",
        fix: "Retry after the time Graph asked for; check the network path to the Graph endpoint (--graph-url for sovereign clouds: https://graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn), or export the documents with az and give the files.",
        see: "",
    }
}
