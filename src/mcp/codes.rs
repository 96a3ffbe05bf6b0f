//! Findings of the MCP conversation (`mcp.*`) and of SSE stream integrity (`sse.*`).

crate::declare_findings! {
    REJECTED_AT_GATEWAY = "mcp.rejected-at-gateway" {
        title: "The gateway rejected the request",
        cause: "APIM answered {\"statusCode\":401,\"message\":…}: validate-azure-ad-token refused the client's token (issuer, audience, scope, expiry or signature) before anything reached Context7.",
        fix: "Run `c7doctor token` on the same token with the right --pattern: it names the failing claim. Compare with <audiences> and <required-claims> in the context7-mcp policy.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized at APIM; guide-shared-identity: Troubleshooting › 401 Unauthorized with valid-looking token",
    }
    REJECTED_BY_CONTEXT7 = "mcp.rejected-by-context7" {
        title: "Context7 rejected the Entra token",
        cause: "Context7 answered JSON-RPC -32001 with a token message (Missing audience, Unknown audience, Missing required scope, Token expired, Invalid token claims, Invalid signature, Invalid token): the token that reached it does not match the teamspace's Microsoft Entra ID configuration (tenant, audience, required scope), or it is a v1 token.",
        fix: "Compare the backend token (`c7doctor token --hop backend` decodes it) with context7.com/dashboard › Settings › Microsoft Entra ID, starting with what Context7's message names: Tenant ID = its tid; Audience = its aud exactly (case-sensitive: the Context7 MCP API app's GUID {mcp_app_id}, not the gateway app — one MCP API app serves one teamspace only); Required scope = a value in its scp (mcp.access; in the obo pattern APIM requests api://{mcp_app_id}/.default); then click Test connection. Context7 takes only unexpired public-cloud v2 tokens (iss https://login.microsoftonline.com/<lower-case tenant>/v2.0: requestedAccessTokenVersion 2 on the Context7 MCP API app; an OBO cache duration below the token lifetime, 3000 s).",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token",
    }
    NO_CREDENTIAL_AT_CONTEXT7 = "mcp.no-credential-at-context7" {
        title: "No credential reached Context7",
        cause: "Context7 answered 401 with JSON-RPC -32001 \"Authentication required. Please authenticate to use this MCP server.\": APIM accepted the client and forwarded the request to Context7's /mcp/oauth without a key or token on it — the policy does not put the pattern's credential in the backend request's Authorization header (never sets it, sets it empty, or deletes the client's). No token was judged: this is not a tenant, audience or scope mismatch.",
        fix: "Make the policy put the pattern's credential in the backend request's Authorization header — {pattern_credential}. The request did reach the endpoint that checks credentials (this answer comes from Context7's /mcp/oauth; its /mcp is anonymous and never says this), so the backend URL is not the problem. Check the policy with `c7doctor policy policy.xml`: it names a missing or deleted set-header Authorization and elements of another pattern.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy; guide-shared-identity: Pattern 1 › Configure APIM › Attach the policy; guide-shared-identity: Pattern 2 › Migration from Pattern 1",
    }
    API_KEY_REJECTED = "mcp.api-key-rejected" {
        title: "Context7 rejected the API key",
        cause: "tools/call came back HTTP 200 with the tool text \"Invalid API key…\" or \"Unauthorized. Please check your API key.\": APIM forwarded the request, but the key the policy injects is missing, a placeholder or revoked. Only a tools/call reveals it.",
        fix: "Put a key Context7 accepts in the APIM named value context7-api-key, as a secret named value: a fresh one from context7.com/dashboard › API Keys, or the one `c7doctor probe --api-key` shows working directly (`az apim nv update … --named-value-id context7-api-key --value <key> --secret true`). The policy must send it as Bearer {{context7-api-key}}, never a placeholder or literal text.",
        see: "guide-shared-identity: Troubleshooting › Invalid API key. Please check your API key.",
    }
    USER_NOT_PROVISIONED = "mcp.user-not-provisioned" {
        title: "The user is not provisioned in Context7",
        cause: "Context7 accepted the Entra token but could not resolve the user: the token's oid is not among the teamspace's users. In the obo and passthrough patterns there is no API key, so Context7's tool text \"Unauthorized. Please check your API key.\" on tools/call means exactly this.",
        fix: "Two ways to add users, both on context7.com/dashboard › Settings: the Microsoft Entra ID users card › Add user with the email and the oid of the backend token (Entra admin center › Users › <name> › Overview › Object ID); or group auto-provisioning (Part 4 Step 3): only direct members of the security group are synced — not owners, and nested groups are not expanded —, the sync runs every 30 minutes, and the sync app needs the Graph application permissions GroupMember.Read.All and User.ReadBasic.All with admin consent (without User.ReadBasic.All users sync with empty profiles and are dropped: \"0 members\"). Do not click Remove on the Entra card to start over: it deletes the tenant configuration and every provisioned user.",
        see: "guide-per-user-obo: Troubleshooting › 401 Unauthorized from Context7 with a valid OBO token; guide-per-user-obo: Part 4 › Step 2: Pre-provision your developers; guide-per-user-obo: Part 4 › Step 3: Auto-provision from an Entra security group",
    }
    GATEWAY_ERROR = "mcp.gateway-error" {
        title: "The gateway returned a server error",
        cause: "The gateway answered 5xx: a policy expression threw (a {{named-value}} inside an expression, a null OBO response), the OBO send-request failed or timed out, or the backend could not be reached.",
        fix: "Trace the request in APIM (the API's Test tab with tracing, or Application Insights) to see which policy failed; test the exchange with `c7doctor obo`; lint the policy with `c7doctor policy policy.xml`.",
        see: "guide-per-user-obo: Part 3 › Step 3: Attach the OBO policy",
    }
    NOT_ACCEPTABLE = "mcp.not-acceptable" {
        title: "The server refused the Accept or Content-Type",
        cause: "406 or 415: the MCP server requires Accept: application/json, text/event-stream and Content-Type: application/json. A policy that rewrites these headers, or a client that omits one, causes it.",
        fix: "Do not override Accept or Content-Type in the gateway policy; clients must send both media types in Accept.",
        see: "MCP spec 2025-11-25: Transports › Sending Messages to the Server",
    }
    SESSION = "mcp.session" {
        title: "Session or protocol version refused",
        cause: "400 or 404 about the session or protocol version: Mcp-Session-Id missing, expired or unknown, or the MCP-Protocol-Version header refused. A gateway that drops these headers, or balances across backends without affinity, causes it.",
        fix: "Forward Mcp-Session-Id and MCP-Protocol-Version unchanged in both directions; clients start a new session on 404.",
        see: "MCP spec 2025-11-25: Transports › Session Management",
    }
    INITIALIZE_FAILED = "mcp.initialize-failed" {
        title: "MCP initialize failed",
        cause: "The initialize request did not return a JSON-RPC result: an error, HTML (a portal or error page), or another server's answer.",
        fix: "Check the detail: the body shows who answered. Make sure the API's service URL is https://mcp.context7.com and the policy ends with <rewrite-uri template=\"/mcp/oauth\" /> (obo, shared-key).",
        see: "guide-per-user-obo: Part 3 › Step 2: Create the API and the MCP operation",
    }
    TOOLS_MISSING = "mcp.tools-missing" {
        title: "Context7's tools are missing",
        cause: "tools/list lacks resolve-library-id or query-docs: the request reached another MCP server, or an old Context7 (get-library-docs was removed).",
        fix: "Check the API's service URL (https://mcp.context7.com) and the rewrite-uri template (/mcp/oauth).",
        see: "guide-per-user-obo: Part 3 › Step 2: Create the API and the MCP operation",
    }
    TOOL_ERROR = "mcp.tool-error" {
        title: "A tool call returned an error",
        cause: "tools/call returned isError or a JSON-RPC error that is not about authentication.",
        fix: "Read the tool's text in the detail; retry with another query; if it persists, report it to Context7 with the request time.",
        see: "",
    }
    PROTOCOL_2026 = "mcp.protocol-2026" {
        title: "The server speaks the 2026-07-28 MCP revision (no initialize)",
        cause: "initialize was refused as an unsupported protocol version (or an unknown method) and the server lists only 2026-07-28 or later: that revision drops initialize and sessions; clients send server/discover and per-request _meta instead. Clients that only know the 2025 handshake cannot connect.",
        fix: "Nothing to fix at the gateway: make sure it forwards MCP-Protocol-Version, Mcp-Method and Mcp-Name unchanged, and use clients that support the 2026-07-28 revision (c7doctor spoke to it with server/discover).",
        see: "MCP spec 2026-07-28: Lifecycle (server/discover)",
    }
    PROTOCOL_2025_ONLY = "mcp.protocol-2025-only" {
        title: "The server speaks only the 2025 MCP revisions (no server/discover)",
        cause: "server/discover was answered with Method not found (or an unsupported-version error): the server predates the 2026-07-28 revision, as Context7 before 4.0 does. 2026-07-28 clients fall back to the initialize handshake.",
        fix: "Nothing to fix at the gateway. Context7 4.x speaks 2026-07-28: if the gateway reaches another server or an old deployment, check the API's service URL (https://mcp.context7.com).",
        see: "MCP spec 2026-07-28: Lifecycle (server/discover)",
    }
    PROTOCOL_HEADERS = "mcp.protocol-headers" {
        title: "The gateway drops or rewrites the 2026-07-28 MCP headers",
        cause: "The server refused a 2026-07-28 request because MCP-Protocol-Version, Mcp-Method or Mcp-Name did not arrive as the client sent them (JSON-RPC -32020, or a message naming the header): a policy that removes or overrides headers (set-header exists-action=\"delete\"/\"override\", a header allow-list) sits between client and server. 2025-era clients, which do not need them, still get through.",
        fix: "Forward MCP-Protocol-Version, Mcp-Method and Mcp-Name unchanged in the MCP API's policy (no set-header for them; no header allow-list that leaves them out).",
        see: "MCP spec 2026-07-28: Transports",
    }
    ERA_REFUSED = "mcp.era-refused" {
        title: "One protocol era of client is refused through the gateway",
        cause: "2025-era clients (initialize) and 2026-07-28 clients (server/discover) get different answers through the gateway although the server speaks both: an operation that matches only one request shape, or a policy that handles the two differently (headers, body rewrites).",
        fix: "Make the MCP operation accept every POST to /mcp whatever its JSON-RPC method, and forward MCP-Protocol-Version, Mcp-Method and Mcp-Name unchanged; the check named in the detail shows where the refused era stopped.",
        see: "MCP spec 2026-07-28: Transports; guide-per-user-obo: Part 3 › Step 2: Create the API and the MCP operation",
    }
    AUDIENCE_OTHER_TEAMSPACE = "mcp.audience-other-teamspace" {
        title: "The MCP API app is already configured for another teamspace",
        cause: "Context7 (its answer, or the dashboard when saving) says \"This audience is already configured for another teamspace\": each MCP API app registration — the audience — can be configured for one teamspace only.",
        fix: "An MCP API app serves one teamspace only: use the Context7 MCP API app registered for this teamspace, or create a new MCP API app registration (Part 2) for it and configure its client ID as the Audience on context7.com/dashboard › Settings › Microsoft Entra ID. Removing the configuration from the other teamspace (Remove on its Entra card) also deletes every user provisioned there.",
        see: "guide-per-user-obo: Part 4 › Step 1: Configure the tenant",
    }
    GET_404 = "mcp.get-404" {
        title: "GET on the MCP URL does not answer 405",
        cause: "A GET on the MCP endpoint (the optional server-to-client stream) answered something other than 405 or an event stream. APIM answers a method without an operation with 404 \"Resource not found\"; clients treat 404 like 405 and go on.",
        fix: "Usually nothing: POST works. To answer like Context7 (405), add a GET operation for /mcp to the API, or leave it.",
        see: "MCP spec 2025-11-25: Transports › Listening for Messages from the Server",
    }
    SSE_TRUNCATED = "sse.truncated" {
        title: "The event stream ended before the response was complete",
        cause: "The stream ended before the JSON-RPC response was complete. A cut at a round size (1024, 4096, 8192 bytes) points at APIM diagnostics' \"Number of payload bytes to log\" for Frontend Response, which breaks MCP's SSE streams.",
        fix: "APIM › APIs › All APIs › Settings › Diagnostics Logs (Azure Monitor and Application Insights) › Frontend Response › Number of payload bytes to log = 0, at the service level.",
        see: "guide-per-user-obo: Troubleshooting › Streaming responses get cut off; guide-shared-identity: Troubleshooting › Streaming responses get cut off",
    }
    SSE_BUFFERED = "sse.buffered" {
        title: "The event stream is buffered",
        cause: "The event stream carries Content-Length or Content-Encoding, or all events arrive in one burst: response body logging, a policy that reads context.Response.Body, or compression buffers it, so clients wait and may time out.",
        fix: "Set Frontend Response payload bytes to log to 0, use buffer-response=\"false\" on forward-request, and remove body access from <outbound>.",
        see: "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    }
    SSE_CONTENT_TYPE = "sse.content-type" {
        title: "Wrong Content-Type for an event stream",
        cause: "The response is neither application/json nor text/event-stream (e.g. text/html or text/plain): a policy or an error page replaced the MCP answer.",
        fix: "Do not set Content-Type in <outbound>; trace the request in APIM to see which policy produced the body.",
        see: "MCP spec 2025-11-25: Transports › Sending Messages to the Server",
    }
    SSE_FRAMING = "sse.framing" {
        title: "Malformed SSE framing",
        cause: "The event stream breaks SSE framing: lines that are not field: value, events not separated by a blank line, or data that is not JSON-RPC.",
        fix: "Remove any policy that rewrites the response body of the MCP operation; the gateway must pass the stream through unchanged.",
        see: "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    }
    SSE_STALLED = "sse.stalled" {
        title: "The event stream stalled",
        cause: "No byte arrived within the deadline: the response is buffered somewhere, or the backend is slow. Idle gaps over the load balancer's 4 minutes close the connection.",
        fix: "Check for buffering (payload logging, body access in policies); raise --timeout if the backend is only slow.",
        see: "guide-per-user-obo: Troubleshooting › Streaming responses get cut off",
    }
    SSE_ID_MISMATCH = "sse.id-mismatch" {
        title: "The response id does not match the request",
        cause: "The JSON-RPC response's id is not the request's: a cache or policy returned another request's answer.",
        fix: "Remove response caching from the MCP operation; MCP responses must never be cached.",
        see: "MCP spec 2025-11-25: Transports",
    }
    SSE_OVERSIZED = "sse.oversized" {
        title: "The response is larger than c7doctor reads",
        cause: "An event's data (one line, or the lines of one event) or the whole stream went over c7doctor's cap before the response arrived; c7doctor kept counting and dropped the rest, so memory stays bounded. A single data line of many MiB points at a server or gateway that fills the stream with garbage.",
        fix: "If the response is really that large, raise --max-stream-mib; otherwise find what produces the oversized event (a policy writing the body, a misbehaving backend).",
        see: "MCP spec 2025-11-25: Transports",
    }
}
