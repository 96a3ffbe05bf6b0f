//! The client matrix: how each real MCP client walks the discovery chain, replayed over what
//! c7doctor fetched, so the report can say per client whether it gets through and, if not,
//! at which link and with which error.
//!
//! The model is read from the clients' own code (`client/auth` of the TypeScript SDK,
//! `@modelcontextprotocol/sdk` 1.32 "v1" and `@modelcontextprotocol/client` 2.4 "v2", whose
//! auth code VS Code, Claude Code and Cursor use or mirror) and is checked against the real
//! clients on every simulator profile by `tests/integration/ts_clients.rs`, so it cannot
//! drift from them. What it encodes (FACTS.md, "What the official TypeScript SDK clients do"):
//!
//! - `WWW-Authenticate` is read as `header.split(' ')`: only the first scheme of the first
//!   (joined) header counts; a `Basic realm=…` ahead of the Bearer challenge loses the PRM.
//! - A `resource_metadata` URL is the only PRM location tried; without one, the
//!   path-suffixed well-known URL, then the root one. When the PRM cannot be had, the
//!   gateway origin is taken as the authorization server, with no `resource` and no scope
//!   except the challenge's.
//! - AS metadata is schema-checked (`response_types_supported` required; an OpenID
//!   document also needs `subject_types_supported` and
//!   `id_token_signing_alg_values_supported`); v2 compares `issuer` with the identifier it
//!   was found from (`IssuerMismatchError`), v1 does not. With no metadata at all,
//!   `/authorize` and `/token` on the authorization server's origin are used.
//! - PKCE is refused only when `code_challenge_methods_supported` is present without
//!   `S256`. The PRM `resource` must share the MCP URL's origin and be a path prefix of it,
//!   and is sent verbatim. The scope is the challenge's, else the PRM `scopes_supported`;
//!   v2 adds `offline_access` (and `prompt=consent`) when the metadata lists it.
//!
//! VS Code does not run the SDK: its MCP client has its own discovery ([`vscode`]), read
//! from microsoft/vscode, and differs where that module says. No real VS Code runs in the
//! test suite, so its row is a model of that code only.
//!
//! The walk first asks [`plan`] what each client will send to `/authorize`, probes exactly
//! that request (with the client's redirect URI — one per shape: VS Code's broker
//! `https://vscode.dev/redirect`, the loopback `http://127.0.0.1:<port>/` and
//! `http://localhost:<port>/callback`), and hands the answer to [`finish`].

mod vscode;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::fetch::{Attempt, DocOutcome};

/// A client of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    TsSdkV1,
    TsSdkV2,
    VsCode,
}

/// Every modelled client, in report order. The first is c7doctor's own `/authorize` probe.
pub const ALL: [Client; 3] = [Client::TsSdkV1, Client::TsSdkV2, Client::VsCode];

impl Client {
    /// The name in the JSON evidence.
    pub fn name(self) -> &'static str {
        match self {
            Client::TsSdkV1 => "ts-sdk-v1",
            Client::TsSdkV2 => "ts-sdk-v2",
            Client::VsCode => "vscode",
        }
    }
    /// The name a reader knows.
    pub fn label(self) -> &'static str {
        match self {
            Client::TsSdkV1 => "TypeScript SDK v1 (@modelcontextprotocol/sdk 1.32)",
            Client::TsSdkV2 => "TypeScript SDK v2 (@modelcontextprotocol/client 2.4)",
            Client::VsCode => "VS Code (its own MCP client, modelled from microsoft/vscode)",
        }
    }
    /// The redirect URI shape this client's sign-in uses: the loopback form VS Code also
    /// uses for v1 (microsoft/vscode#322126), Claude Code's for v2
    /// (anthropics/claude-code#47975), and VS Code's hosted broker, which the guide registers
    /// as a Web redirect URI of the Gateway app (Part 2 Step 2.7).
    pub fn redirect_uri(self) -> &'static str {
        match self {
            Client::TsSdkV1 => "http://127.0.0.1:33418/",
            Client::TsSdkV2 => "http://localhost:47891/callback",
            Client::VsCode => super::authorize::VSCODE_BROKER_REDIRECT_URI,
        }
    }
    /// What is known only after sign-in for this client's redirect URI, for its row.
    fn after_sign_in(self) -> Option<&'static str> {
        match self {
            Client::VsCode => Some(
                "https://vscode.dev/redirect is a Web redirect URI: unless the app lets public clients redeem codes, Entra asks for a client secret at the code exchange (AADSTS7000218) — not confirmed before sign-in",
            ),
            _ => None,
        }
    }
    fn checks_issuer(self) -> bool {
        self == Client::TsSdkV2
    }
    fn adds_offline_access(self) -> bool {
        self == Client::TsSdkV2
    }
}

/// A link of the chain, as the matrix names it.
pub type Link = &'static str;

/// What the walk saw before `/authorize`.
pub struct Seen<'a> {
    pub mcp_url: &'a Url,
    /// The status of the unauthenticated POST (`None`: no HTTP answer).
    pub endpoint_status: Option<u16>,
    /// Its `Content-Type`.
    pub endpoint_content_type: Option<String>,
    /// Its `WWW-Authenticate` header lines, in order.
    pub challenge_headers: &'a [String],
    /// Every metadata GET c7doctor made (PRM and AS candidates).
    pub attempts: Vec<&'a Attempt>,
}

/// What a client will send to the authorization endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    pub scope: Option<String>,
    /// The RFC 8707 `resource`, as the client sends it (the PRM's, verbatim).
    pub resource: Option<String>,
    pub redirect_uri: &'static str,
    /// The client adds `prompt=consent` (it asks for `offline_access`).
    pub prompt_consent: bool,
    /// What the model cannot settle for this client (its versions differ here).
    pub caveat: Option<String>,
}

/// Where and why a client stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub link: Link,
    pub error: String,
}

pub(super) fn stop(link: Link, error: impl Into<String>) -> Stop {
    Stop {
        link,
        error: error.into(),
    }
}

/// What came back for a client's authorize request.
#[derive(Debug, Clone)]
pub enum AuthorizeAnswer {
    /// The façade or Entra refused it before any sign-in (the error as seen).
    Refused { link: Link, error: String },
    /// It reached Entra's sign-in page; `predicted` names an error expected after sign-in.
    SignIn { predicted: Option<String> },
    /// Not checked (why).
    Unchecked(String),
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub client: &'static str,
    pub label: &'static str,
    pub gets_through: bool,
    /// Where it stops (`none` when it gets through).
    pub link: Link,
    pub error: Option<String>,
    /// What it sends to `/authorize`, when it gets that far.
    pub sends: Option<Value>,
    /// A caveat: what is predicted but could not be confirmed before sign-in.
    pub caveat: Option<String>,
}

impl Row {
    /// One line: "TypeScript SDK v2: IssuerMismatchError … at as-metadata".
    pub fn line(&self) -> String {
        match (&self.error, self.gets_through) {
            (_, true) => match &self.caveat {
                Some(c) => format!("{}: gets through ({c})", self.label),
                None => format!("{}: gets through", self.label),
            },
            (Some(e), false) => format!("{}: fails at {} — {e}", self.label, self.link),
            (None, false) => format!("{}: fails at {}", self.label, self.link),
        }
    }
}

pub(super) fn attempt<'a>(seen: &'a Seen<'_>, url: &Url) -> Option<&'a Attempt> {
    seen.attempts.iter().copied().find(|a| &a.url == url)
}

/// `name=(?:"([^"]+)"|([^\s,]+))` over the whole header, as the SDKs match it.
fn auth_param(header: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=");
    let at = header.find(&needle)?;
    let rest = &header[at + needle.len()..];
    if let Some(q) = rest.strip_prefix('"') {
        let end = q.find('"')?;
        (end > 0).then(|| q[..end].to_string())
    } else {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(rest.len());
        (end > 0).then(|| rest[..end].to_string())
    }
}

/// `(resource_metadata, scope)` as the SDK's `extractWWWAuthenticateParams` reads them.
fn challenge_params(
    client: Client,
    headers: &[String],
) -> (Option<Url>, Option<String>, Option<String>) {
    // fetch's Headers.get joins repeated header lines with ", ".
    let header = headers.join(", ");
    let mut parts = header.split(' ');
    let scheme = parts.next().unwrap_or("").to_ascii_lowercase();
    let second = parts.next().unwrap_or("");
    let recognised = match client {
        Client::TsSdkV2 => scheme == "bearer" || scheme == "dpop",
        _ => scheme == "bearer",
    };
    if header.is_empty() || !recognised || second.is_empty() {
        return (None, None, None);
    }
    let rm = auth_param(&header, "resource_metadata").and_then(|u| Url::parse(&u).ok());
    (
        rm,
        auth_param(&header, "scope"),
        auth_param(&header, "error"),
    )
}

/// The PRM document the client ends up with (`None`: it falls back to the gateway).
fn prm_doc<'a>(seen: &'a Seen<'_>, header_url: Option<&Url>) -> Result<Option<&'a Value>, Stop> {
    let from = |u: &Url| -> Result<Option<&'a Value>, Stop> {
        match attempt(seen, u) {
            Some(a) => Ok(a.doc().filter(|d| prm_schema_ok(d))),
            None => Err(stop(
                "prm",
                format!(
                    "resource_metadata names {u} on another host; c7doctor does not fetch it, so where it leads is unknown"
                ),
            )),
        }
    };
    if let Some(u) = header_url {
        return from(u);
    }
    let mut path_url = seen.mcp_url.clone();
    let path = seen.mcp_url.path().trim_end_matches('/').to_string();
    path_url.set_path(&format!("/.well-known/oauth-protected-resource{path}"));
    let first = attempt(seen, &path_url);
    let fall_back = match first.map(|a| &a.outcome) {
        Some(DocOutcome::Doc(_)) => false,
        Some(DocOutcome::NotServed(s)) | Some(DocOutcome::Redirect(s, _)) => *s < 500,
        _ => true,
    };
    if !fall_back || path.is_empty() {
        return Ok(first.and_then(|a| a.doc()).filter(|d| prm_schema_ok(d)));
    }
    let mut root = seen.mcp_url.clone();
    root.set_path("/.well-known/oauth-protected-resource");
    root.set_query(None);
    Ok(attempt(seen, &root)
        .and_then(|a| a.doc())
        .filter(|d| prm_schema_ok(d)))
}

pub(super) fn is_url(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .is_some_and(|u| matches!(u.scheme(), "http" | "https"))
}

fn string_array(v: Option<&Value>) -> bool {
    v.and_then(Value::as_array)
        .is_some_and(|a| a.iter().all(Value::is_string))
}

fn optional_string_array(doc: &Value, field: &str) -> bool {
    doc.get(field).is_none() || string_array(doc.get(field))
}

/// `OAuthProtectedResourceMetadataSchema`: `resource` a URL, `authorization_servers` and
/// `scopes_supported` optional arrays.
fn prm_schema_ok(doc: &Value) -> bool {
    doc.is_object()
        && is_url(doc.get("resource"))
        && (doc.get("authorization_servers").is_none()
            || doc
                .get("authorization_servers")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().all(|v| is_url(Some(v)))))
        && optional_string_array(doc, "scopes_supported")
}

/// `OAuthMetadataSchema` / `OpenIdProviderDiscoveryMetadataSchema`: the first field that
/// fails, as the SDK's error names it.
fn as_schema_problem(doc: &Value, openid: bool) -> Option<String> {
    if !doc.is_object() {
        return Some("the document is not a JSON object".into());
    }
    if !doc.get("issuer").is_some_and(Value::is_string) {
        return Some("`issuer` is required (a string)".into());
    }
    for f in ["authorization_endpoint", "token_endpoint"] {
        if !is_url(doc.get(f)) {
            return Some(format!("`{f}` is required (a URL)"));
        }
    }
    if openid && !is_url(doc.get("jwks_uri")) {
        return Some("`jwks_uri` is required in an OpenID document".into());
    }
    if !string_array(doc.get("response_types_supported")) {
        return Some("`response_types_supported` is required (RFC 8414)".into());
    }
    if openid {
        for f in [
            "subject_types_supported",
            "id_token_signing_alg_values_supported",
        ] {
            if !string_array(doc.get(f)) {
                return Some(format!("`{f}` is required in an OpenID document"));
            }
        }
    }
    for f in [
        "scopes_supported",
        "code_challenge_methods_supported",
        "grant_types_supported",
    ] {
        if !optional_string_array(doc, f) {
            return Some(format!("`{f}` must be an array of strings"));
        }
    }
    None
}

/// `buildDiscoveryUrls`: the AS metadata URLs, with whether each is an OpenID document.
pub(super) fn as_urls(issuer: &Url) -> Vec<(Url, bool)> {
    let origin = |p: &str| {
        let mut u = issuer.clone();
        u.set_path(p);
        u.set_query(None);
        u.set_fragment(None);
        u
    };
    let path = issuer.path().trim_end_matches('/');
    if path.is_empty() {
        return vec![
            (origin("/.well-known/oauth-authorization-server"), false),
            (origin("/.well-known/openid-configuration"), true),
        ];
    }
    vec![
        (
            origin(&format!("/.well-known/oauth-authorization-server{path}")),
            false,
        ),
        (
            origin(&format!("/.well-known/openid-configuration{path}")),
            true,
        ),
        (
            origin(&format!("{path}/.well-known/openid-configuration")),
            true,
        ),
    ]
}

/// The AS metadata the client ends up with (`None`: no metadata, it uses the defaults).
fn as_doc<'a>(client: Client, seen: &'a Seen<'_>, as_id: &str) -> Result<Option<&'a Value>, Stop> {
    let Ok(issuer) = Url::parse(as_id) else {
        return Err(stop(
            "as-metadata",
            format!("authorization server {as_id:?} is not a URL"),
        ));
    };
    for (url, openid) in as_urls(&issuer) {
        let Some(a) = attempt(seen, &url) else {
            return Err(stop(
                "as-metadata",
                format!(
                    "{url} is on another host; c7doctor does not fetch it, so where it leads is unknown"
                ),
            ));
        };
        let doc = match &a.outcome {
            DocOutcome::Doc(d) => d,
            DocOutcome::NotServed(s) if *s >= 500 => {
                return Err(stop(
                    "as-metadata",
                    format!("HTTP {s} trying to load metadata from {url}"),
                ));
            }
            DocOutcome::Invalid(why) => {
                return Err(stop(
                    "as-metadata",
                    format!("{url} is not usable JSON ({why})"),
                ));
            }
            DocOutcome::Net(e) if e.kind == crate::http::NetErrorKind::Timeout => {
                return Err(stop(
                    "as-metadata",
                    format!("{url}: no answer within the deadline"),
                ));
            }
            _ => continue,
        };
        if let Some(p) = as_schema_problem(doc, openid) {
            let what = if openid { "OpenID provider" } else { "OAuth" };
            return Err(stop(
                "as-metadata",
                format!("{what} metadata at {url} fails the SDK's schema: {p}"),
            ));
        }
        if client.checks_issuer() {
            let got = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
            let ok = got == as_id || (as_id.ends_with('/') && got == &as_id[..as_id.len() - 1]);
            if !ok {
                return Err(stop(
                    "as-metadata",
                    format!(
                        "IssuerMismatchError: issuer mismatch in authorization server metadata (RFC 8414 §3.3): expected {as_id:?}, received {got:?}"
                    ),
                ));
            }
        }
        return Ok(Some(doc));
    }
    Ok(None)
}

/// `checkResourceAllowed`: same origin, and the PRM path a prefix of the MCP URL's path.
pub fn resource_allowed(mcp_url: &Url, resource: &str) -> bool {
    let Ok(r) = Url::parse(resource) else {
        return false;
    };
    if r.origin() != mcp_url.origin() {
        return false;
    }
    let with_slash = |p: &str| {
        if p.ends_with('/') {
            p.to_string()
        } else {
            format!("{p}/")
        }
    };
    mcp_url.path().len() >= r.path().len()
        && with_slash(mcp_url.path()).starts_with(&with_slash(r.path()))
}

/// What `client` sends to `/authorize`, or where it stops before that. `Ok(None)`: the
/// endpoint answered without asking for sign-in.
pub fn plan(client: Client, seen: &Seen<'_>) -> Result<Option<Plan>, Stop> {
    if client == Client::VsCode {
        return vscode::plan(seen);
    }
    let (rm, challenge_scope, error) = challenge_params(client, seen.challenge_headers);
    match seen.endpoint_status {
        None => return Err(stop("endpoint", "no HTTP answer from the MCP endpoint")),
        // A 2xx needs an MCP answer (JSON or an event stream): the SDKs stop at anything else.
        Some(s) if (200..300).contains(&s) => {
            let ct = seen.endpoint_content_type.as_deref().unwrap_or("");
            let mcp = ["application/json", "text/event-stream"]
                .iter()
                .any(|t| ct.to_ascii_lowercase().starts_with(t));
            if s != 202 && !mcp {
                return Err(stop("endpoint", format!("Unexpected content type: {ct}")));
            }
            return Ok(None);
        }
        Some(401) => {}
        // A 403 with error="insufficient_scope" starts a step-up sign-in (both lines).
        Some(403) if error.as_deref() == Some("insufficient_scope") => {}
        Some(s) => {
            return Err(stop(
                "endpoint",
                format!(
                    "the MCP endpoint answered {s}; sign-in starts only on a 401 (or a 403 insufficient_scope)"
                ),
            ));
        }
    }
    let prm = prm_doc(seen, rm.as_ref())?;
    let gateway_root = {
        let mut u = seen.mcp_url.clone();
        u.set_path("/");
        u.set_query(None);
        u.set_fragment(None);
        u.to_string()
    };
    let as_id = prm
        .and_then(|d| d.get("authorization_servers"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or(gateway_root);
    let meta = as_doc(client, seen, &as_id)?;
    let resource = match prm.and_then(|d| d.get("resource")).and_then(Value::as_str) {
        Some(r) if !resource_allowed(seen.mcp_url, r) => {
            return Err(stop(
                "prm",
                format!(
                    "Protected resource {r} does not match expected {} (or origin)",
                    seen.mcp_url
                ),
            ));
        }
        Some(r) => Some(r.to_string()),
        None => None,
    };
    let prm_scopes = prm
        .and_then(|d| d.get("scopes_supported"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty());
    let mut scope = challenge_scope.or(prm_scopes);
    if client.adds_offline_access()
        && let Some(s) = &scope
        && !s.split(' ').any(|x| x == "offline_access")
        && meta
            .and_then(|m| m.get("scopes_supported"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "offline_access"))
    {
        scope = Some(format!("{s} offline_access"));
    }
    let endpoint = |field: &str, default: &str| -> Result<Url, Stop> {
        match meta {
            Some(m) => m
                .get(field)
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok())
                .ok_or_else(|| stop("as-metadata", format!("`{field}` is not a URL"))),
            None => Url::parse(&as_id)
                .and_then(|u| u.join(default))
                .map_err(|_| stop("as-metadata", format!("{as_id:?} is not a URL"))),
        }
    };
    let authorization_endpoint = endpoint("authorization_endpoint", "/authorize")?;
    let token_endpoint = endpoint("token_endpoint", "/token")?;
    if let Some(m) = meta {
        let has = |field: &str, v: &str| {
            m.get(field)
                .and_then(Value::as_array)
                .map(|a| a.iter().any(|x| x == v))
        };
        if has("response_types_supported", "code") != Some(true) {
            return Err(stop(
                "as-metadata",
                "Incompatible auth server: does not support response type code",
            ));
        }
        if has("code_challenge_methods_supported", "S256") == Some(false) {
            return Err(stop(
                "as-metadata",
                "Incompatible auth server: does not support code challenge method S256",
            ));
        }
    }
    let prompt_consent = scope
        .as_deref()
        .is_some_and(|s| s.contains("offline_access"));
    Ok(Some(Plan {
        authorization_endpoint,
        token_endpoint,
        scope,
        resource,
        redirect_uri: client.redirect_uri(),
        prompt_consent,
        caveat: None,
    }))
}

/// The row of `client`, from its plan, the answer to its authorize request, and whether
/// its token endpoint reaches Entra (`Err(why)` when it does not).
pub fn finish(
    client: Client,
    planned: &Result<Option<Plan>, Stop>,
    answer: Option<&AuthorizeAnswer>,
    token: Option<&Result<(), String>>,
) -> Row {
    let row = |gets_through: bool, link: Link, error: Option<String>| Row {
        client: client.name(),
        label: client.label(),
        gets_through,
        link,
        error,
        sends: None,
        caveat: None,
    };
    let plan = match planned {
        Err(s) => return row(false, s.link, Some(s.error.clone())),
        Ok(None) => {
            let mut r = row(true, "none", None);
            r.caveat = Some("the endpoint answers without a token: no sign-in is asked for".into());
            return r;
        }
        Ok(Some(p)) => p,
    };
    let sends = serde_json::json!({
        "authorization_endpoint": plan.authorization_endpoint.as_str(),
        "scope": plan.scope,
        "resource": plan.resource,
        "redirect_uri": plan.redirect_uri,
        "prompt": if plan.prompt_consent { Some("consent") } else { None },
    });
    let mut r = match answer {
        Some(AuthorizeAnswer::Refused { link, error }) => row(false, link, Some(error.clone())),
        Some(AuthorizeAnswer::Unchecked(why)) => {
            let mut r = row(true, "none", None);
            r.caveat = Some(format!("the authorize request was not checked: {why}"));
            r
        }
        Some(AuthorizeAnswer::SignIn { predicted }) => match token {
            Some(Err(why)) => row(false, "token", Some(why.clone())),
            _ => {
                let mut r = row(true, "none", None);
                let predicted = predicted
                    .as_ref()
                    .map(|p| format!("{p} — not confirmed before sign-in"));
                let caveats: Vec<String> = predicted
                    .into_iter()
                    .chain(plan.caveat.clone())
                    .chain(client.after_sign_in().map(str::to_string))
                    .collect();
                r.caveat = (!caveats.is_empty()).then(|| caveats.join("; "));
                r
            }
        },
        None => {
            let mut r = row(true, "none", None);
            r.caveat = Some("the authorize request was not checked".into());
            r
        }
    };
    if !r.gets_through && r.caveat.is_none() {
        r.caveat = plan.caveat.clone();
    }
    r.sends = Some(sends);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SDK lines (VS Code has its own replay, tested in `vscode`).
    const SDKS: [Client; 2] = [Client::TsSdkV1, Client::TsSdkV2];

    /// The gateway's PRM and AS metadata, both served and sound.
    fn healthy_documents() -> [Attempt; 2] {
        documents(prm(), Some(as_meta("https://gw.example")))
    }

    /// The gateway's root PRM and AS metadata as fetched (`None`: a 404). The client
    /// replays here and in `vscode` read them.
    pub(super) fn documents(prm: Value, as_meta: Option<Value>) -> [Attempt; 2] {
        [
            at(
                "https://gw.example/.well-known/oauth-protected-resource",
                Some(prm),
            ),
            at(
                "https://gw.example/.well-known/oauth-authorization-server",
                as_meta,
            ),
        ]
    }

    pub(super) fn at(url: &str, doc: Option<Value>) -> Attempt {
        Attempt {
            url: Url::parse(url).unwrap(),
            why: "test",
            outcome: match doc {
                Some(d) => DocOutcome::Doc(d),
                None => DocOutcome::NotServed(404),
            },
            elapsed_ms: 0,
        }
    }

    fn as_meta(issuer: &str) -> Value {
        serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": "https://gw.example/authorize",
            "token_endpoint": "https://gw.example/token",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
        })
    }

    fn prm() -> Value {
        serde_json::json!({
            "resource": "https://gw.example/context7/mcp",
            "authorization_servers": ["https://gw.example"],
            "scopes_supported": ["api://g/Mcp.Gateway.Access"],
        })
    }

    fn run(headers: &[&str], attempts: &[Attempt], client: Client) -> Result<Option<Plan>, Stop> {
        let mcp = Url::parse("https://gw.example/context7/mcp").unwrap();
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        plan(
            client,
            &Seen {
                mcp_url: &mcp,
                endpoint_status: Some(401),
                endpoint_content_type: None,
                challenge_headers: &headers,
                attempts: attempts.iter().collect(),
            },
        )
    }

    const RM: &str =
        r#"Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource""#;

    #[test]
    fn healthy_chain_plans_the_prm_resource_and_scope() {
        let a = healthy_documents();
        for c in SDKS {
            let p = run(&[RM], &a, c).unwrap().unwrap();
            assert_eq!(
                p.resource.as_deref(),
                Some("https://gw.example/context7/mcp")
            );
            assert_eq!(p.scope.as_deref(), Some("api://g/Mcp.Gateway.Access"));
            assert_eq!(
                p.authorization_endpoint.as_str(),
                "https://gw.example/authorize"
            );
        }
    }

    #[test]
    fn basic_first_loses_the_prm_and_the_scope() {
        let a = healthy_documents();
        let joined = format!(r#"Basic realm="apim", {RM} scope="api://g/from-challenge""#);
        // Not a Bearer first scheme: neither resource_metadata nor scope is read.
        for c in SDKS {
            assert_eq!(
                challenge_params(c, std::slice::from_ref(&joined)),
                (None, None, None)
            );
            assert_eq!(
                challenge_params(c, &[r#"Basic realm="apim""#.into(), RM.into()]),
                (None, None, None)
            );
        }
        // The well-known fallback still finds the root PRM: the scope is the PRM's.
        let p = run(&[&joined], &a, Client::TsSdkV1).unwrap().unwrap();
        assert_eq!(p.scope.as_deref(), Some("api://g/Mcp.Gateway.Access"));
        // Without a PRM at the well-known URLs they go on with no scope at all.
        let bare = [at(
            "https://gw.example/.well-known/oauth-authorization-server",
            Some(as_meta("https://gw.example/")),
        )];
        let p = run(&[&joined], &bare, Client::TsSdkV2).unwrap().unwrap();
        assert_eq!((p.scope, p.resource), (None, None));
    }

    #[test]
    fn v2_refuses_a_trailing_slash_issuer_and_v1_does_not() {
        let a = documents(prm(), Some(as_meta("https://gw.example/")));
        assert!(run(&[RM], &a, Client::TsSdkV1).is_ok());
        let e = run(&[RM], &a, Client::TsSdkV2).unwrap_err();
        assert_eq!(e.link, "as-metadata");
        assert!(e.error.contains("IssuerMismatchError"), "{e:?}");
    }

    #[test]
    fn missing_response_types_fails_the_schema() {
        let mut m = as_meta("https://gw.example");
        m.as_object_mut()
            .unwrap()
            .remove("response_types_supported");
        let a = documents(prm(), Some(m));
        for c in SDKS {
            let e = run(&[RM], &a, c).unwrap_err();
            assert!(e.error.contains("response_types_supported"), "{e:?}");
        }
    }

    #[test]
    fn no_metadata_uses_authorize_and_token_on_the_origin() {
        let a = [
            at(
                "https://gw.example/.well-known/oauth-protected-resource",
                Some(prm()),
            ),
            at(
                "https://gw.example/.well-known/oauth-authorization-server",
                None,
            ),
            at("https://gw.example/.well-known/openid-configuration", None),
        ];
        let p = run(&[RM], &a, Client::TsSdkV1).unwrap().unwrap();
        assert_eq!(
            p.authorization_endpoint.as_str(),
            "https://gw.example/authorize"
        );
        assert_eq!(p.token_endpoint.as_str(), "https://gw.example/token");
    }

    #[test]
    fn insufficient_scope_403_starts_sign_in() {
        let mcp = Url::parse("https://gw.example/context7/mcp").unwrap();
        let headers = vec![format!(
            r#"{RM}, error="insufficient_scope", scope="api://g/x""#
        )];
        let a = healthy_documents();
        let p = plan(
            Client::TsSdkV1,
            &Seen {
                mcp_url: &mcp,
                endpoint_status: Some(403),
                endpoint_content_type: None,
                challenge_headers: &headers,
                attempts: a.iter().collect(),
            },
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.scope.as_deref(), Some("api://g/x"));
    }

    #[test]
    fn resource_prefix_rule() {
        let mcp = Url::parse("https://gw.example/context7/mcp").unwrap();
        assert!(resource_allowed(&mcp, "https://gw.example/context7"));
        assert!(resource_allowed(&mcp, "https://gw.example/context7/mcp"));
        assert!(!resource_allowed(&mcp, "https://gw.example/context"));
        assert!(!resource_allowed(
            &mcp,
            "https://other.example/context7/mcp"
        ));
    }
}
