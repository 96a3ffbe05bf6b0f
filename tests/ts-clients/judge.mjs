// The official TypeScript MCP SDK clients as judges of c7doctor's discovery verdicts.
//
// For each SDK line (`@modelcontextprotocol/sdk` 1.x "v1", `@modelcontextprotocol/client`
// 2.x "v2") this runs the SDK's own client and transport against an MCP URL with a
// pre-registered client ID (Entra has no dynamic client registration):
//
//   1. `Client.connect` through `StreamableHTTPClientTransport` with an OAuth provider: the
//      SDK reads the 401 challenge and runs its own `auth()` (PRM, AS metadata, PKCE);
//   2. the authorization URL it would open in a browser is captured instead;
//   3. that URL is walked the way a browser would: redirects followed only on the gateway's
//      and the authority's origins, and the simulated Entra sign-in form submitted (the
//      "user" signs in) until the authority redirects back to the client's redirect URI;
//   4. the SDK's own code exchange (`transport.finishAuth(code)`) goes to the token route;
//   5. a fresh client connects with the tokens and lists the tools.
//
// It prints one JSON line per client: {client, version, ok, link, error, sent, mcp}.
// `ok` means the client signed in: it got tokens from the token route. `link` names where
// it stopped: endpoint | prm | as-metadata | authorize | sign-in | token (or "none").
// `mcp` says what the authenticated MCP call then met ("ok" or the error): that is the
// gateway's token validation and Context7, which `probe` and `e2e` judge, not discovery.
//
// Usage: node judge.mjs '{"mcp_url": "...", "client_id": "...", "authority": "...",
//                         "clients": ["v1", "v2"]}'
//
// Loopback only: every request has a 5 s deadline and the walk never leaves the two
// configured origins.

import { readFileSync } from 'node:fs';

const args = JSON.parse(process.argv[2] ?? '{}');
const mcpUrl = new URL(args.mcp_url);
const authority = new URL(args.authority);
const clientId = args.client_id;
const lines = args.clients ?? ['v1', 'v2'];
const DEADLINE_MS = 5000;

function versionOf(pkg) {
    const path = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(path, 'utf8')).version;
}

async function load(line) {
    if (line === 'v1') {
        const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
        const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
        const { UnauthorizedError } = await import('@modelcontextprotocol/sdk/client/auth.js');
        return {
            name: 'ts-sdk-v1',
            pkg: '@modelcontextprotocol/sdk',
            Client,
            StreamableHTTPClientTransport,
            UnauthorizedError,
            // VS Code's loopback redirect shape (microsoft/vscode#322126).
            redirectUrl: 'http://127.0.0.1:33418/'
        };
    }
    const m = await import('@modelcontextprotocol/client');
    return {
        name: 'ts-sdk-v2',
        pkg: '@modelcontextprotocol/client',
        Client: m.Client,
        StreamableHTTPClientTransport: m.StreamableHTTPClientTransport,
        UnauthorizedError: m.UnauthorizedError,
        // Claude Code's loopback redirect shape (anthropics/claude-code#47975).
        redirectUrl: 'http://localhost:47891/callback'
    };
}

/** A fetch with a deadline that records what the SDK asked for. */
function recordingFetch(log) {
    return (url, init = {}) => {
        log.push({ method: init.method ?? 'GET', url: String(url instanceof Request ? url.url : url) });
        const deadline = AbortSignal.timeout(DEADLINE_MS);
        const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
        return fetch(url, { ...init, signal });
    };
}

function provider(redirectUrl) {
    const state = { tokens: undefined, verifier: undefined, authUrl: undefined };
    return {
        // Not `state`: the SDK calls `provider.state()` for the OAuth state parameter.
        seen: state,
        get redirectUrl() {
            return redirectUrl;
        },
        get clientMetadata() {
            return {
                client_name: 'c7doctor judge',
                redirect_uris: [redirectUrl],
                grant_types: ['authorization_code', 'refresh_token'],
                response_types: ['code'],
                token_endpoint_auth_method: 'none'
            };
        },
        // Pre-registered: the gateway app's client ID, as VS Code users paste it.
        clientInformation() {
            return { client_id: clientId };
        },
        tokens() {
            return state.tokens;
        },
        saveTokens(t) {
            state.tokens = t;
        },
        redirectToAuthorization(u) {
            state.authUrl = new URL(String(u));
        },
        saveCodeVerifier(v) {
            state.verifier = v;
        },
        codeVerifier() {
            return state.verifier;
        }
    };
}

const AS_PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

/** Which link of the chain an error before the browser step belongs to. */
function classify(err, log) {
    const name = err?.name ?? '';
    const msg = String(err?.message ?? err);
    if (/IssuerMismatch/i.test(name) || /issuer/i.test(msg)) return 'as-metadata';
    if (/protected resource/i.test(msg) || /resource metadata/i.test(msg)) return 'prm';
    if (/S256|code_challenge|PKCE/i.test(msg)) return 'as-metadata';
    const last = log.length ? new URL(log[log.length - 1].url) : undefined;
    if (!last) return 'endpoint';
    if (last.pathname.startsWith('/.well-known/oauth-protected-resource')) return 'prm';
    if (AS_PATHS.some(p => last.pathname.includes(p))) return 'as-metadata';
    if (last.pathname.endsWith('/register')) return 'as-metadata';
    if (last.href.startsWith(mcpUrl.href)) return 'endpoint';
    return 'discovery';
}

function allowed(u) {
    return u.origin === mcpUrl.origin || u.origin === authority.origin;
}

function isRedirectBack(u, redirectUrl) {
    const r = new URL(redirectUrl);
    return u.origin === r.origin && u.pathname === r.pathname;
}

/** The AADSTS code anywhere in a text, or undefined. */
function aadsts(text) {
    const m = /AADSTS(\d{4,9})/.exec(text ?? '');
    return m ? `AADSTS${m[1]}` : undefined;
}

/**
 * Walk the authorization URL as a browser would, playing a user who signs in when the
 * authority shows its sign-in form. Returns {code} or {link, error}.
 */
async function walk(start, redirectUrl) {
    let url = start;
    let method = 'GET';
    let body;
    for (let hop = 0; hop < 8; hop++) {
        if (isRedirectBack(url, redirectUrl)) {
            const error = url.searchParams.get('error');
            if (error) {
                const desc = url.searchParams.get('error_description') ?? '';
                return { link: 'authorize', error: `${error}: ${desc}`.trim(), aadsts: aadsts(desc) };
            }
            const code = url.searchParams.get('code');
            if (!code) return { link: 'authorize', error: `redirected back without a code: ${url.search}` };
            return { code };
        }
        if (!allowed(url)) {
            return { link: 'authorize', error: `the authorization URL leads to ${url.origin}, neither the gateway nor the authority` };
        }
        let resp;
        try {
            resp = await fetch(url, {
                method,
                body,
                headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : undefined,
                redirect: 'manual',
                signal: AbortSignal.timeout(DEADLINE_MS)
            });
        } catch (e) {
            return { link: 'authorize', error: `${url.origin}${url.pathname}: ${e.message}` };
        }
        if (resp.status >= 300 && resp.status < 400) {
            const loc = resp.headers.get('location');
            if (!loc) return { link: 'authorize', error: `${resp.status} without Location at ${url.pathname}` };
            url = new URL(loc, url);
            method = 'GET';
            body = undefined;
            continue;
        }
        const text = await resp.text();
        const form = /<form[^>]*id="sim-sign-in"[^>]*action="([^"]+)"/.exec(text);
        if (resp.status === 200 && form) {
            // The user signs in: submit the sign-in form with its hidden fields.
            const fields = new URLSearchParams();
            for (const m of text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
                fields.append(m[1], m[2].replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
            }
            url = new URL(form[1], url);
            method = 'POST';
            body = fields.toString();
            continue;
        }
        const code = aadsts(text);
        return {
            link: url.origin === authority.origin ? 'sign-in' : 'authorize',
            error: `${resp.status} at ${url.origin === authority.origin ? 'the authority' : 'the gateway'} ${url.pathname}${code ? `: ${code}` : ''}`,
            aadsts: code
        };
    }
    return { link: 'authorize', error: 'more than 8 redirects' };
}

function errText(e) {
    const name = e?.constructor?.name && e.constructor.name !== 'Error' ? `${e.constructor.name}: ` : '';
    return `${name}${String(e?.message ?? e)}`.slice(0, 600);
}

async function judge(line) {
    const sdk = await load(line);
    const log = [];
    const verdict = { client: sdk.name, version: versionOf(sdk.pkg), ok: false, link: 'endpoint', error: null, sent: null };
    const p = provider(sdk.redirectUrl);
    const fetchFn = recordingFetch(log);
    const transport = new sdk.StreamableHTTPClientTransport(mcpUrl, { authProvider: p, fetch: fetchFn });
    const client = new sdk.Client({ name: 'c7doctor-judge', version: '1.0.0' });
    try {
        await client.connect(transport);
        await client.listTools();
        await client.close();
        return { ...verdict, ok: true, link: 'none', error: null, note: 'no sign-in was asked for' };
    } catch (e) {
        if (!(e instanceof sdk.UnauthorizedError) || !p.seen.authUrl) {
            await transport.close().catch(() => {});
            return { ...verdict, link: classify(e, log), error: errText(e), requests: log.slice(-4) };
        }
    }
    const authUrl = p.seen.authUrl;
    const sent = {
        authorization_endpoint: `${authUrl.origin}${authUrl.pathname}`,
        resource: authUrl.searchParams.get('resource'),
        scope: authUrl.searchParams.get('scope'),
        redirect_uri: authUrl.searchParams.get('redirect_uri'),
        code_challenge_method: authUrl.searchParams.get('code_challenge_method'),
        prompt: authUrl.searchParams.get('prompt')
    };
    const walked = await walk(authUrl, sdk.redirectUrl);
    if (!walked.code) {
        await transport.close().catch(() => {});
        return { ...verdict, sent, link: walked.link, error: walked.error, aadsts: walked.aadsts ?? null };
    }
    try {
        await transport.finishAuth(walked.code);
    } catch (e) {
        await transport.close().catch(() => {});
        const error = errText(e);
        return { ...verdict, sent, link: 'token', error, aadsts: aadsts(error) ?? null };
    }
    await transport.close().catch(() => {});
    const again = new sdk.StreamableHTTPClientTransport(mcpUrl, { authProvider: p, fetch: fetchFn });
    const client2 = new sdk.Client({ name: 'c7doctor-judge', version: '1.0.0' });
    try {
        await client2.connect(again);
        const tools = await client2.listTools();
        await client2.close();
        return { ...verdict, sent, ok: true, link: 'none', error: null, mcp: 'ok', tools: tools.tools.map(t => t.name) };
    } catch (e) {
        await again.close().catch(() => {});
        return { ...verdict, sent, ok: true, link: 'none', error: null, mcp: errText(e) };
    }
}

const overall = setTimeout(() => {
    console.log(JSON.stringify({ client: 'judge', ok: false, link: 'timeout', error: 'the judge ran over 40 s' }));
    process.exit(2);
}, 40000);

for (const line of lines) {
    let v;
    try {
        v = await Promise.race([
            judge(line),
            new Promise(resolve =>
                setTimeout(() => resolve({ client: line === 'v1' ? 'ts-sdk-v1' : 'ts-sdk-v2', ok: false, link: 'endpoint', error: 'no answer within 15 s' }), 15000)
            )
        ]);
    } catch (e) {
        v = { client: line, ok: false, link: 'judge', error: `judge error: ${errText(e)}` };
    }
    console.log(JSON.stringify(v));
}
clearTimeout(overall);
// Keep-alive sockets must not hold the process open.
process.exit(0);
