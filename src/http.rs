//! The one HTTP module every network call in c7doctor goes through (DESIGN.md §4):
//!
//! - a deadline per request (`--timeout`) covering connect, headers and body;
//! - a body-size cap (1 MiB for metadata; streams choose their own);
//! - redirects are never followed: a redirect is data for the check to judge;
//! - credentials only to their own destination: a bearer token or API key only to the
//!   configured gateway (or an origin explicitly allowed), a client secret only to the
//!   configured authority — anything else is refused before a byte is sent;
//! - `HTTPS_PROXY`/`NO_PROXY` honoured, `--cacert` for corporate TLS inspection;
//! - a classified error (DNS, connect, TLS, timeout, reset …) instead of a panic or a hang;
//! - the redacted wire trace on stderr under `-v`.

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::pin::Pin;
use std::time::{Duration, Instant};
use url::Url;

use crate::error::Error;
use crate::findings::Code;
use crate::report::Check;
use crate::report::redact::{self, Secret};

/// Cap for metadata documents and error bodies.
pub const METADATA_CAP: usize = 1024 * 1024;

/// How a failed request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetErrorKind {
    InvalidUrl,
    /// c7doctor refused to send a credential to this destination.
    CredentialRefused,
    Dns,
    Connect,
    Tls,
    Timeout,
    Reset,
    Body,
    Other,
}

impl NetErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NetErrorKind::InvalidUrl => "invalid-url",
            NetErrorKind::CredentialRefused => "credential-refused",
            NetErrorKind::Dns => "dns",
            NetErrorKind::Connect => "connect",
            NetErrorKind::Tls => "tls",
            NetErrorKind::Timeout => "timeout",
            NetErrorKind::Reset => "reset",
            NetErrorKind::Body => "body",
            NetErrorKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NetError {
    pub kind: NetErrorKind,
    pub url: String,
    /// A human sentence: what happened, naming the certificate problem for TLS.
    pub detail: String,
    pub elapsed: Duration,
}

impl NetError {
    /// The failed check for a request that got no usable answer, raising the finding the
    /// calling area chose (`code`): this module only says how the transport failed — the
    /// URL, the kind of failure and the time it took.
    pub fn to_check(&self, code: Code, id: &str, title: &str) -> Check {
        Check::new(id, title)
            .fail(code, format!("{} — {}", self.url, self.detail))
            .evidence("url", self.url.clone())
            .evidence("failure", self.kind.as_str())
            .evidence("elapsed_ms", self.elapsed.as_millis() as u64)
            .duration(self.elapsed)
    }
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.url, self.detail)
    }
}

/// Where a credential on a request may go.
#[derive(Debug, Clone)]
enum Credential {
    /// `Authorization: Bearer` — only to the gateway or an allowed origin.
    Bearer(Secret),
    /// An API-key header — only to the gateway or an allowed origin.
    Header(&'static str, Secret),
    /// The body contains a client secret — only to the authority.
    ClientSecretInBody,
}

/// One request. Build with [`Request::get`] / [`Request::post_json`] / [`Request::post_form`].
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    credential: Option<Credential>,
    /// Largest body read; the rest is dropped and `truncated` set.
    pub cap: usize,
    /// Overrides the client's per-request deadline.
    pub timeout: Option<Duration>,
}

impl Request {
    pub fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: None,
            credential: None,
            cap: METADATA_CAP,
            timeout: None,
        }
    }
    pub fn get(url: Url) -> Self {
        Request::new(Method::GET, url)
    }
    pub fn post_json(url: Url, body: &Value) -> Self {
        let mut r = Request::new(Method::POST, url);
        r.body = Some(serde_json::to_vec(body).unwrap_or_default());
        r.header("content-type", "application/json")
    }
    /// A form POST. Fields named in [`redact::SECRET_FORM_FIELDS`] are masked in the trace.
    pub fn post_form(url: Url, fields: &[(&str, &str)]) -> Self {
        let mut r = Request::new(Method::POST, url);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        if fields.iter().any(|(k, _)| *k == "client_secret") {
            r.credential = Some(Credential::ClientSecretInBody);
        }
        r.body = Some(body.into_bytes());
        r.header("content-type", "application/x-www-form-urlencoded")
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn bearer(mut self, token: &Secret) -> Self {
        self.credential = Some(Credential::Bearer(token.clone()));
        self
    }
    pub fn api_key_header(mut self, header: &'static str, key: &Secret) -> Self {
        self.credential = Some(Credential::Header(header, key.clone()));
        self
    }
    pub fn cap(mut self, cap: usize) -> Self {
        self.cap = cap;
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }
}

/// A response whose body was read (up to the cap).
#[derive(Debug, Clone)]
pub struct Response {
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The body was longer than the cap; only the first `cap` bytes are kept.
    pub truncated: bool,
    pub elapsed: Duration,
}

impl Response {
    /// First value of a header, as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
    /// All values of a header (e.g. several `WWW-Authenticate`).
    pub fn headers_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The body as JSON, or a sentence saying why it is not.
    pub fn json(&self) -> Result<Value, String> {
        if self.truncated {
            return Err(format!(
                "the body is larger than the {} byte cap",
                self.body.len()
            ));
        }
        let text =
            std::str::from_utf8(&self.body).map_err(|e| format!("the body is not UTF-8 ({e})"))?;
        serde_json::from_str(text).map_err(|e| format!("the body is not JSON ({e})"))
    }
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }
    /// A short, redacted preview of the body for evidence.
    pub fn preview(&self, max: usize) -> String {
        let text = self.text();
        let text = redact::json_for_trace(&text);
        let mut p: String = text.chars().take(max).collect();
        if text.chars().count() > max {
            p.push('…');
        }
        redact::scrub(&p)
    }
}

/// A response whose body is read chunk by chunk (event streams).
pub struct StreamResponse {
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    /// Time from sending the request to the response head.
    pub head_elapsed: Duration,
    stream: Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<Bytes>> + Send>>,
}

impl StreamResponse {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
    /// The next chunk, `None` at end of stream; a chunk that does not arrive within `idle`
    /// is a `Timeout` error (the caller reports a stall).
    pub async fn next_chunk(&mut self, idle: Duration) -> Result<Option<Bytes>, NetError> {
        let start = Instant::now();
        match tokio::time::timeout(idle, self.stream.next()).await {
            Err(_) => Err(NetError {
                kind: NetErrorKind::Timeout,
                url: self.url.to_string(),
                detail: format!("no data for {} s", idle.as_secs_f64()),
                elapsed: start.elapsed(),
            }),
            Ok(None) => Ok(None),
            Ok(Some(Ok(b))) => Ok(Some(b)),
            Ok(Some(Err(e))) => Err(classify(&e, &self.url, start.elapsed())),
        }
    }
    /// The next chunk if the connection has one ready now, without waiting (and without
    /// setting a timer): `None` when nothing is ready.
    pub fn ready_chunk(&mut self) -> Option<Result<Option<Bytes>, NetError>> {
        let start = Instant::now();
        // Polled once with a no-op waker; a caller that gets `None` polls again with
        // `next_chunk` (its own waker) before it waits, so no wake-up is lost.
        let next = futures_util::FutureExt::now_or_never(self.stream.next())?;
        Some(match next {
            None => Ok(None),
            Some(Ok(b)) => Ok(Some(b)),
            Some(Err(e)) => Err(classify(&e, &self.url, start.elapsed())),
        })
    }
}

/// Options for building the client.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub trace: bool,
    pub cacert: Option<std::path::PathBuf>,
    /// The configured gateway: where bearer tokens and API keys may go.
    pub gateway: Option<Url>,
    /// The configured authority: where client secrets may go.
    pub authority: Option<Url>,
}

/// Whether the system's root certificates are needed: any https destination, or an
/// unknown one.
fn needs_native_roots(opts: &HttpOptions) -> bool {
    let plain = |u: &Option<Url>| u.as_ref().is_some_and(|u| u.scheme() == "http");
    !(plain(&opts.gateway) && plain(&opts.authority))
}

/// The HTTP client. Cheap to clone.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
    trace: bool,
    credential_origins: Vec<url::Origin>,
    secret_origin: Option<url::Origin>,
}

impl Http {
    pub fn new(opts: &HttpOptions) -> Result<Http, Error> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.timeout)
            .user_agent(concat!("c7doctor/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(4)
            // Reading the system's root store costs ~250 ms in a debug build; skip it when
            // neither the gateway nor the authority speaks TLS (loopback simulators). The
            // bundled web PKI roots stay, so public https hosts still verify.
            .tls_built_in_native_certs(needs_native_roots(opts));
        if let Some(path) = &opts.cacert {
            let pem = crate::files::read_named("--cacert", path, crate::files::CACERT_CAP)?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::usage(format!(
                    "--cacert {} is not a PEM certificate: {e}",
                    path.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(Error::usage(format!(
                    "--cacert {} holds no PEM certificate",
                    path.display()
                )));
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        // With a CA bundle, a failure to build is the bundle's fault (a PEM block that is
        // no certificate): the user's input, exit 2 — not a c7doctor bug.
        let client = b.build().map_err(|e| match &opts.cacert {
            Some(path) => Error::usage(format!(
                "--cacert {}: a PEM block in it is not a usable certificate ({e})",
                path.display()
            )),
            None => Error::internal(format!("HTTP client: {e}")),
        })?;
        Ok(Http {
            client,
            timeout: opts.timeout,
            trace: opts.trace,
            credential_origins: opts.gateway.iter().map(|u| u.origin()).collect(),
            secret_origin: opts.authority.as_ref().map(|u| u.origin()),
        })
    }

    /// Allow bearer tokens and API keys to one more origin (e.g. Context7 itself for
    /// `probe --api-key`). Only for origins the user named.
    pub fn allow_credentials_to(&mut self, url: &Url) {
        self.credential_origins.push(url.origin());
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn check_credential(&self, req: &Request) -> Result<(), NetError> {
        let origin = req.url.origin();
        let refused = |what: &str, allowed: &str| NetError {
            kind: NetErrorKind::CredentialRefused,
            url: req.url.to_string(),
            detail: format!(
                "refused to send {what} to {}: only {allowed} may receive it",
                origin.ascii_serialization()
            ),
            elapsed: Duration::ZERO,
        };
        match &req.credential {
            None => Ok(()),
            Some(Credential::Bearer(_)) | Some(Credential::Header(..)) => {
                if self.credential_origins.contains(&origin) {
                    Ok(())
                } else {
                    Err(refused("a token or API key", "the configured gateway"))
                }
            }
            Some(Credential::ClientSecretInBody) => {
                if self.secret_origin.as_ref() == Some(&origin) {
                    Ok(())
                } else {
                    Err(refused("a client secret", "the configured authority"))
                }
            }
        }
    }

    fn build(&self, req: &Request) -> reqwest::RequestBuilder {
        let mut rb = self.client.request(req.method.clone(), req.url.clone());
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        match &req.credential {
            Some(Credential::Bearer(t)) => rb = rb.bearer_auth(t.expose()),
            Some(Credential::Header(h, k)) => rb = rb.header(*h, k.expose()),
            _ => {}
        }
        if let Some(body) = &req.body {
            rb = rb.body(body.clone());
        }
        rb
    }

    fn trace_request(&self, req: &Request) {
        if !self.trace {
            return;
        }
        let mut lines = vec![format!("> {} {}", req.method, req.url)];
        for (k, v) in &req.headers {
            lines.push(format!("> {k}: {}", redact::header_for_trace(k, v)));
        }
        match &req.credential {
            Some(Credential::Bearer(t)) => {
                lines.push(format!("> authorization: Bearer ‹{}›", t.fingerprint()))
            }
            Some(Credential::Header(h, k)) => {
                lines.push(format!("> {h}: {}", redact::mask_key(k.expose())))
            }
            _ => {}
        }
        if let Some(body) = &req.body {
            let text = String::from_utf8_lossy(body);
            let shown = if req.headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("content-type") && v.contains("x-www-form-urlencoded")
            }) {
                redact::form_for_trace(&text)
            } else {
                redact::json_for_trace(&text)
            };
            lines.push(format!(">\n> {}", truncate_chars(&shown, 2000)));
        }
        trace(&lines.join("\n"));
    }

    fn trace_head(&self, url: &Url, status: u16, headers: &HeaderMap, elapsed: Duration) {
        // A redirect may carry an authorization code or tokens (a façade that hands back
        // the client's redirect): register them before anything can show the Location.
        for v in headers.get_all(reqwest::header::LOCATION) {
            redact::register_url_secrets(&String::from_utf8_lossy(v.as_bytes()));
        }
        // An MCP session id is a bearer of the session: registered before the trace shows it.
        for v in headers.get_all("mcp-session-id") {
            redact::register_secret(&String::from_utf8_lossy(v.as_bytes()));
        }
        if !self.trace {
            return;
        }
        let mut lines = vec![format!("< {status} {url} ({} ms)", elapsed.as_millis())];
        for (k, v) in headers {
            let v = String::from_utf8_lossy(v.as_bytes());
            lines.push(format!(
                "< {k}: {}",
                redact::header_for_trace(k.as_str(), &v)
            ));
        }
        trace(&lines.join("\n"));
    }

    /// Send a request and read its body up to `req.cap`, all within the deadline.
    pub async fn send(&self, req: Request) -> Result<Response, NetError> {
        self.check_credential(&req)?;
        self.trace_request(&req);
        let deadline = req.timeout.unwrap_or(self.timeout);
        let start = Instant::now();
        let url = req.url.clone();
        let fut = async {
            let resp = self
                .build(&req)
                .send()
                .await
                .map_err(|e| classify(&e, &url, start.elapsed()))?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            self.trace_head(&url, status, &headers, start.elapsed());
            let mut body = BytesMut::new();
            let mut truncated = false;
            let mut stream = resp.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| classify(&e, &url, start.elapsed()))?;
                let room = req.cap.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Response {
                url: url.clone(),
                status,
                headers,
                body: body.freeze(),
                truncated,
                elapsed: start.elapsed(),
            })
        };
        let result = match tokio::time::timeout(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(NetError {
                kind: NetErrorKind::Timeout,
                url: req.url.to_string(),
                detail: format!("no complete answer within {} s", deadline.as_secs_f64()),
                elapsed: start.elapsed(),
            }),
        };
        // Entra not answering is not the gateway's fault: say which host it was.
        let result = result.map_err(|mut e| {
            if self.secret_origin.as_ref() == Some(&req.url.origin()) {
                e.detail = format!("{} — the Entra authority (--authority)", e.detail);
            }
            e
        });
        if let Ok(r) = &result {
            // Tokens in any shape of answer (JSON, camelCase, form-encoded) are secrets
            // before anything can show the body.
            redact::register_body_secrets(&r.body);
        }
        if self.trace {
            match &result {
                Ok(r) => trace(&format!("< {}", truncate_chars(&r.preview(2000), 2000))),
                Err(e) => trace(&format!("! {e}")),
            }
        }
        result
    }

    /// Send a request and return once the response head arrived (within the deadline); the
    /// body is read with [`StreamResponse::next_chunk`].
    pub async fn open(&self, req: Request) -> Result<StreamResponse, NetError> {
        self.check_credential(&req)?;
        self.trace_request(&req);
        let deadline = req.timeout.unwrap_or(self.timeout);
        let start = Instant::now();
        let url = req.url.clone();
        let resp = match tokio::time::timeout(deadline, self.build(&req).send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(classify(&e, &url, start.elapsed())),
            Err(_) => {
                return Err(NetError {
                    kind: NetErrorKind::Timeout,
                    url: url.to_string(),
                    detail: format!("no response head within {} s", deadline.as_secs_f64()),
                    elapsed: start.elapsed(),
                });
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let head_elapsed = start.elapsed();
        self.trace_head(&url, status, &headers, head_elapsed);
        Ok(StreamResponse {
            url,
            status,
            headers,
            head_elapsed,
            stream: Box::pin(resp.bytes_stream()),
        })
    }
}

fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// Write one wire-trace block to stderr, scrubbed of every registered secret, with every
/// control and invisible character a server sent shown escaped (a response body or header
/// may hold ESC sequences aimed at the terminal).
pub fn trace(text: &str) {
    crate::output::stderr_line(text);
}

/// Classify a reqwest error by walking its source chain.
fn classify(e: &reqwest::Error, url: &Url, elapsed: Duration) -> NetError {
    let mut chain = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    let mut io_kind = None;
    while let Some(s) = src {
        chain.push(s.to_string());
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        src = s.source();
    }
    let all = chain.join(": ").to_ascii_lowercase();
    let host = url.host_str().unwrap_or("?").to_string();
    let (kind, detail) = if e.is_timeout() {
        (NetErrorKind::Timeout, "timed out".to_string())
    } else if all.contains("dns error")
        || all.contains("failed to lookup address")
        || all.contains("name or service not known")
    {
        (NetErrorKind::Dns, format!("DNS lookup of {host} failed"))
    } else if all.contains("certificate")
        || all.contains("tls")
        || all.contains("handshake")
        // rustls' own wording, which names neither TLS nor the handshake.
        || all.contains("corrupt message")
        || all.contains("peer is incompatible")
        || all.contains("peer misbehaved")
        || all.contains("fatal alert")
    {
        let what = if all.contains("corrupt message") || all.contains("invalidcontenttype") {
            "the server does not speak TLS on this port (a plain-HTTP port, or something else answered): check the scheme and port"
        } else if all.contains("fatal alert") {
            "the server aborted the TLS handshake (a fatal alert: no common protocol version or cipher, or a client certificate is required)"
        } else if all.contains("unknownissuer") || all.contains("unknown issuer") {
            "the certificate is issued by an unknown CA (TLS inspection? pass its root with --cacert)"
        } else if all.contains("expired") {
            "the certificate has expired"
        } else if all.contains("notvalidforname") || all.contains("not valid for name") {
            "the certificate is not valid for this host name"
        } else if all.contains("selfsigned")
            || all.contains("self-signed")
            || all.contains("self signed")
        {
            "the certificate is self-signed"
        } else {
            "the TLS handshake failed"
        };
        (NetErrorKind::Tls, format!("TLS with {host}: {what}"))
    } else if matches!(
        io_kind,
        Some(std::io::ErrorKind::ConnectionReset) | Some(std::io::ErrorKind::BrokenPipe)
    ) || all.contains("connection reset")
    {
        (NetErrorKind::Reset, "the connection was reset".to_string())
    } else if e.is_connect() {
        let why = if matches!(io_kind, Some(std::io::ErrorKind::ConnectionRefused))
            || all.contains("refused")
        {
            "connection refused"
        } else {
            "could not connect"
        };
        (
            NetErrorKind::Connect,
            format!(
                "{why} ({host}:{})",
                url.port_or_known_default().unwrap_or(0)
            ),
        )
    } else if e.is_body()
        || e.is_decode()
        || all.contains("incomplete")
        || all.contains("closed before")
    {
        (
            NetErrorKind::Body,
            "the connection closed before the whole body arrived".to_string(),
        )
    } else if e.is_builder() {
        (
            NetErrorKind::InvalidUrl,
            "the URL cannot be requested".to_string(),
        )
    } else {
        (
            NetErrorKind::Other,
            chain.last().cloned().unwrap_or_else(|| e.to_string()),
        )
    };
    // Through a proxy, the proxy is what answered (or refused): name it and where it came from.
    let detail = match proxy_for(url) {
        Some((var, proxy)) if kind != NetErrorKind::InvalidUrl => {
            let refused = all.contains("tunnel") || all.contains("proxy");
            format!(
                "{detail} — through the proxy {proxy} ({var}{}); if {host} must be reached \
                 directly, add it to NO_PROXY",
                if refused {
                    ", which refused the connection"
                } else {
                    ""
                },
            )
        }
        _ => detail,
    };
    NetError {
        kind,
        url: url.to_string(),
        detail,
        elapsed,
    }
}

/// The proxy a request to `url` goes through, and the variable that set it: `HTTPS_PROXY`
/// (or `HTTP_PROXY` for http), then `ALL_PROXY`, unless `NO_PROXY` lists the host — the
/// variables reqwest honours. Credentials in the proxy URL are not shown.
fn proxy_for(url: &Url) -> Option<(&'static str, String)> {
    let env = |name: &str| {
        std::env::var(name)
            .or_else(|_| std::env::var(name.to_ascii_lowercase()))
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    let host = url.host_str()?.to_ascii_lowercase();
    if let Some(no) = env("NO_PROXY") {
        let listed = no
            .split(',')
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .any(|e| {
                e == "*" || (!e.is_empty() && (host == e || host.ends_with(&format!(".{e}"))))
            });
        if listed {
            return None;
        }
    }
    let vars: &[&'static str] = if url.scheme() == "https" {
        &["HTTPS_PROXY", "ALL_PROXY"]
    } else {
        &["HTTP_PROXY", "ALL_PROXY"]
    };
    vars.iter().find_map(|v| {
        env(v).map(|p| {
            let shown = match Url::parse(&p) {
                Ok(mut u) => {
                    let _ = u.set_username("");
                    let _ = u.set_password(None);
                    u.to_string().trim_end_matches('/').to_string()
                }
                Err(_) => "(unparsable)".to_string(),
            };
            (*v, shown)
        })
    })
}

/// Parse what a user gave as a host: a bare host, an origin, or a URL. Bare hosts get https.
pub fn parse_target(input: &str) -> Result<Url, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("the host is empty".into());
    }
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    };
    let url =
        Url::parse(&with_scheme).map_err(|e| format!("{s:?} is not a host name or URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{s:?}: only http and https URLs are supported"));
    }
    if url.host_str().is_none_or(|h| h.is_empty()) {
        return Err(format!("{s:?} has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(format!(
            "{shown} was given with a user name or password in it (user:password@): APIM takes no \
             Basic credentials on the MCP URL and c7doctor never sends them — remove them (a \
             subscription key goes in C7DOCTOR_API_KEY)"
        ));
    }
    Ok(url)
}

/// Refuse a configured URL that carries credentials (`https://user:pass@host`): a
/// configuration error (exit 2), before anything is sent anywhere.
pub fn refuse_credentials_in(option: &str, value: &str) -> Result<(), Error> {
    let with_scheme = if value.contains("://") {
        value.trim().to_string()
    } else {
        format!("https://{}", value.trim())
    };
    match Url::parse(&with_scheme) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => Err(Error::usage(format!(
            "{option}: {}",
            parse_target(value).err().unwrap_or_default()
        ))),
        _ => Ok(()),
    }
}

/// `true` for loopback hosts, where plain http is expected (tests, local simulators).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Status text for evidence ("401 Unauthorized").
pub fn status_text(status: u16) -> String {
    match StatusCode::from_u16(status) {
        Ok(s) => format!("{} {}", status, s.canonical_reason().unwrap_or(""))
            .trim()
            .to_string(),
        Err(_) => status.to_string(),
    }
}
