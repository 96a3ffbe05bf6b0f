//! Findings of the APIM policy lint (`policy.*`), declared beside the rules that raise them
//! (`super::rules`).

crate::declare_findings! {
    XML_INVALID = "policy.xml-invalid" {
        title: "The policy is not well-formed XML",
        cause: "The policy does not parse at the line:column shown: an element never closed, a raw < or & outside any policy expression, a <placeholder> from the guide read as a tag. Raw \", < or & inside an @(…)/@{…} expression are an error only when the policy is deployed with format xml (the guide's jq … format: \"xml\"): the portal, format rawxml, Bicep, Terraform xml_content and APIOps accept them.",
        fix: "Fix the XML at the line:column shown as the detail says (close the element, replace the placeholder with your value, write &lt; / &amp; for a raw < / & outside expressions). For format xml, escape expressions in attributes as &quot;, &lt;, &amp; — or deploy with format rawxml.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    NAMED_VALUE_IN_EXPRESSION = "policy.named-value-in-expression" {
        title: "A named value inside a policy expression",
        cause: "The guide says {{named-value}} is not substituted inside @(…)/@{…} and copies each into a variable first. Microsoft documents the opposite (api-management-howto-properties, \"Use a named value\", with an example and its result) and its own MCP samples rely on it: APIM substitutes named values inside expressions too. The real risks: a value holding \" or \\ breaks the C# string literal it is pasted into, and a secret named value used in an expression is visible to whoever may trace the API.",
        fix: "Nothing to change for substitution. If the value can hold \" or \\, or is a secret, copy it into a variable first as the guide does (<set-variable name=\"gatewaySecret\" value=\"{{apim-gateway-client-secret}}\" />) and read (string)context.Variables[\"gatewaySecret\"].",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    NAMED_VALUE_IN_CDATA = "policy.named-value-in-cdata" {
        title: "A named value inside CDATA",
        cause: "CDATA sections disable named-value substitution, so {{…}} inside them reaches the backend literally.",
        fix: "Use plain element content with &lt;, &gt;, &amp; escapes instead of CDATA.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    PLACEHOLDER = "policy.placeholder" {
        title: "A placeholder left in the policy",
        cause: "The policy still holds <your-tenant-id>, <your-apim-host>, <gateway-app-id> or another placeholder from the guide.",
        fix: "Replace every placeholder with your value (better: a named value such as {{entra-tenant-id}} in plain text) and re-apply the policy.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    NO_TOKEN_VALIDATION = "policy.no-token-validation" {
        title: "The policy does not validate the token",
        cause: "No validate-azure-ad-token (or validate-jwt) in <inbound>: the gateway forwards requests without checking who sent them.",
        fix: "Add validate-azure-ad-token with tenant-id, <audiences> and <required-claims> first in <inbound>, as in the guide's policy.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    AUDIENCE_URI = "policy.audience-uri" {
        title: "validate-azure-ad-token audience is an App ID URI",
        cause: "An <audience> is an api://… URI; v2.0 tokens carry the app's GUID, so validation fails for every valid token.",
        fix: "Keep only the client ID of {app} in <audiences>: <audience>{audience}</audience> — v2.0 tokens carry the GUID, and an api:// entry matches only v1.0 tokens, which Context7 rejects — and keep requestedAccessTokenVersion 2 in its manifest.",
        see: "guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    }
    SCOPE_CLAIM = "policy.scope-claim" {
        title: "The required scope claim is missing or wrong",
        cause: "<required-claims> has no <claim name=\"scp\"> with the pattern's scope (Mcp.Gateway.Access for obo, mcp.access for shared-key and passthrough), names the other hop's scope, or checks another claim.",
        fix: "Add <claim name=\"scp\" match=\"any\"><value>{scope}</value></claim> to <required-claims> (the guide's scope: Mcp.Gateway.Access for obo, mcp.access for shared-key and passthrough).",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    OBO_CACHE_KEY = "policy.obo-cache-key" {
        title: "The OBO cache key does not include the user's oid",
        cause: "cache-lookup-value / cache-store-value use a key without the user's oid, so all users share one cached OBO token: every request runs as whoever came first.",
        fix: "Use key=\"@(&quot;obo-mcp-&quot; + (string)context.Variables[&quot;userOid&quot;])\" on both elements, as in the guide's policy.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    OBO_CACHE_DURATION = "policy.obo-cache-duration" {
        title: "The OBO cache outlives the token",
        cause: "cache-store-value's duration is at least the OBO token's lifetime (Entra's default is one hour), so APIM forwards expired tokens from the cache.",
        fix: "Set duration below the token lifetime: the guide uses 3000 seconds; lower it if Conditional Access issues shorter-lived tokens.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    CHALLENGE_MISSING = "policy.challenge-missing" {
        title: "The policy does not return the discovery challenge",
        cause: "No WWW-Authenticate with resource_metadata on the 401 the policy answers (validate-* failures, check-header, return-response 401, <on-error>), or it points elsewhere, so MCP clients cannot discover how to sign in.",
        fix: "Add the <choose> block on context.Response.StatusCode == 401 that sets WWW-Authenticate: Bearer resource_metadata=\"https://<apim-host>/.well-known/oauth-protected-resource\".",
        see: "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401",
    }
    SECRET_INLINE = "policy.secret-inline" {
        title: "A secret written inline in the policy",
        cause: "A literal client secret or ctx7sk… key appears in the policy: everyone who can read the policy, its exports and source control has it.",
        fix: "Move it to a secret named value (az apim nv create … --secret true), ideally backed by Key Vault, reference it as {{name}}, and rotate the exposed secret.",
        see: "guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    }
    PATTERN_MIXED = "policy.pattern-mixed" {
        title: "Elements of different patterns in one policy",
        cause: "The policy mixes patterns: e.g. the OBO exchange together with an API-key header, or a key swap without rewrite-uri to /mcp/oauth; --pattern disagrees with what the policy does.",
        fix: "Pick one pattern and keep only its elements: shared-key = validate + set-header key + rewrite-uri; passthrough = validate only; obo = validate + OBO send-request + cache + set-header Authorization + rewrite-uri. Moving from Pattern 1 to passthrough (guide-shared-identity): keep validate-azure-ad-token, drop the set-header swap and the rewrite-uri, then re-apply the policy. If the policy is the one you deploy, run with the --pattern it implements (the detail names it).",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy; guide-shared-identity: Pattern 2 › Migration from Pattern 1",
    }
    BUFFERING = "policy.buffering" {
        title: "The policy buffers or reads the response body",
        cause: "Response body access (context.Response.Body, set-body in <outbound>), buffer-response=\"true\" or body logging buffers the SSE stream or truncates it.",
        fix: "Remove body access from <outbound> of the MCP API and use <forward-request buffer-response=\"false\" />.",
        see: "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    }
    DIAGNOSTICS_PAYLOAD = "policy.diagnostics-payload" {
        title: "APIM diagnostics log frontend response bodies",
        cause: "The diagnostics settings log more than 0 bytes of the frontend response body; this truncates MCP's Server-Sent Events streams.",
        fix: "Set {property} to 0 (portal: {scope} › Settings › Diagnostics Logs › {setting} › Number of payload bytes to log = 0) — at the service level for all APIs — then re-check.",
        see: "guide-per-user-obo: Troubleshooting › Streaming responses get cut off; guide-shared-identity: Troubleshooting › Streaming responses get cut off",
    }
    NOT_POLICY = "policy.not-policy" {
        title: "The file is not an APIM policy or diagnostics resource",
        cause: "`c7doctor policy` reads policy XML (root <policies>, or <fragment>), the management API's JSON envelope ({\"properties\":{\"value\":\"<policies>…\",\"format\":\"xml\"}}) and APIM diagnostics (REST/az JSON, ARM templates, Bicep, Terraform azurerm). This file is none of them: binary, empty, larger than 16 MiB, nested absurdly deep, another XML document, JSON of another shape, or another text format.",
        fix: "Export the policy with `az apim api policy show` or the management API (…/policies/policy?format=rawxml), or the diagnostics with `az apim diagnostic show`, and lint that file.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    TENANT_UNPINNED = "policy.tenant-unpinned" {
        title: "Tokens of any Entra tenant pass validation",
        cause: "validate-jwt reads the /common or /organizations metadata (or validate-azure-ad-token names one of them) and no <issuers> is pinned: any tenant's token for that audience passes. Harmless only while the app registration stays single-tenant.",
        fix: "Pin the issuer inside validate-jwt: <issuers><issuer>https://login.microsoftonline.com/{tenant_id}/v2.0</issuer></issuers> — or use validate-azure-ad-token tenant-id=\"{tenant_id}\".",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    REQUIRED_CLAIMS_IMPOSSIBLE = "policy.required-claims-impossible" {
        title: "No token can satisfy the required claims",
        cause: "<required-claims> asks for something no token has: two different values under match=\"all\" for a claim Entra issues once (tid, oid, azp, ver, …), a time claim (exp, nbf, iat) equal to a fixed value, or a tid other than the tenant validated. Every request gets 401 although the token is right.",
        fix: "Use match=\"any\" for alternatives, drop claims that are times, and require the tid of the tenant-id you validate.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    SECRET_IN_TRACE = "policy.secret-in-trace" {
        title: "A token or secret is written to a trace, log or response header",
        cause: "<trace>, log-to-eventhub or a response header the policy emits holds the Authorization header, the token endpoint's response (the OBO token), client_secret or a secret named value: whoever may trace the API, read the event hub or see responses can replay it.",
        fix: "Trace what identifies the request instead (the user's oid, the token's jti/uti, a hash), never the token or the response body; remove the header.",
        see: "guide-per-user-obo: Part 3 › Step 1: Store credentials as named values",
    }
    FRAGMENT_MISSING = "policy.fragment-missing" {
        title: "An included policy fragment was not linted",
        cause: "<include-fragment fragment-id=\"…\"/> names a fragment that was not given in this run, so what it does (token validation, the OBO exchange, the challenge) is not seen.",
        fix: "Lint the fragment with the policy: c7doctor policy policy.xml <fragment-id>.xml (the fragment id is the file name without .xml, or the envelope's name).",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    RUNTIME_VALUE = "policy.runtime-value" {
        title: "A value the policy builds at run time",
        cause: "The value (a WWW-Authenticate challenge, a redirect Location, a metadata body) is built by an expression from something only known at run time — a request header, a method call, a named value not given — so the policy alone cannot say what clients receive.",
        fix: "Run `c7doctor discovery` against the gateway: it checks the live value. Give --named-values (az apim nv list) to resolve named values here.",
        see: "guide-per-user-obo: Part 5 › Step 3: Add WWW-Authenticate to the MCP API on 401",
    }
}
