//! Raw TCP servers that misbehave, for the "never hang, never panic, bounded memory" tests.
//!
//! Kinds that break the connection itself (black hole, trickle, 0-byte reply, TLS failure)
//! do so for every request. The others play a gateway whose MCP endpoint answers 401 with
//! a challenge pointing at its own PRM URL, and misbehave on every GET (the metadata
//! fetches), so the hostile bytes reach c7doctor's metadata parsing.
//!
//! Every request head is recorded (server `hostile`, and `elsewhere` for the recorder that
//! redirects point at), to prove no credential was sent anywhere.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Background, Recorded, RequestLog};

/// One misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Accepts, reads, never answers.
    BlackHole,
    /// Answers one byte a second.
    Trickle,
    /// 200 with a 1 GiB JSON body, streamed (never allocated).
    HugeBody,
    /// 200 `application/json` whose bytes are not UTF-8.
    InvalidUtf8,
    /// 200 `application/json` that is not JSON.
    InvalidJson,
    /// 200 with JSON arrays nested 100 000 deep.
    DeepJson,
    /// 302 to the same URL.
    RedirectLoop,
    /// 302 to another host (the recorder).
    RedirectElsewhere,
    /// Headers, part of the body, then a TCP reset.
    ResetMidBody,
    /// Closes the connection without a byte.
    ZeroByte,
    /// Plain TCP garbage where TLS is expected (use an `https://` URL).
    TlsGarbage,
    /// Well-formed metadata whose every URL (`authorization_servers`, the AS and OIDC
    /// endpoints, `jwks_uri`) points at another host (the recorder); other GETs and, on an
    /// authority, POSTs are redirected there.
    ForeignMetadata,
    /// Well-formed answers whose every text — the challenge, the APIM error message, the PRM
    /// `resource` and scopes, the AS `issuer`, Entra's `error_description`, non-JSON
    /// bodies — is full of terminal control sequences ([`CONTROL_PAYLOAD`]). Not in
    /// [`Kind::ALL`]: it is no failure of the connection but an attack on the output.
    ControlChars,
    /// An authority whose every POST answers 400 with an `error_description` that echoes
    /// the request's form body as received (percent-encoded client secret included).
    EchoingAuthority,
    /// An authority whose every POST answers 200 with the tokens form-encoded
    /// (`access_token=…&refresh_token=…`, GitHub style).
    FormTokens,
    /// An authority whose every POST answers 200 with camelCase JSON tokens
    /// (`accessToken`, `refreshToken`, `idToken`).
    CamelTokens,
    /// Every POST answers 401 with a 300 KB `WWW-Authenticate` challenge.
    HugeChallenge,
}

/// The tokens [`Kind::FormTokens`] and [`Kind::CamelTokens`] hand out (never valid, always secret).
pub const SHAPED_ACCESS_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzaGFwZWQtdG9rZW4tcmVzcG9uc2UifQ.c2hhcGVkLWFjY2Vzcy10b2tlbi1zaWduYXR1cmUtc2VnbWVudA";
pub const SHAPED_REFRESH_TOKEN: &str = "0.AXkAshapedRefresh~Token_form/camel+shape.9f8e7d6c5b";
pub const SHAPED_ID_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJub25jZSI6InNoYXBlZCJ9.c2hhcGVkLWlkLXRva2VuLXNpZ25hdHVyZS1zZWdtZW50LXg";

/// What [`Kind::ControlChars`] puts in every text: a window retitle (OSC … BEL), clear
/// screen and home, a carriage return and backspaces over the line, a fake pass, NUL, a C1
/// CSI (U+009B) recolouring, a bidi override and a zero-width space.
pub const CONTROL_PAYLOAD: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[H\r\u{8}\u{8}✓ Audience is fine — verdict: pass\u{0}\u{9b}32m\u{202e}ssap\u{200b}\u{7f}";

/// [`CONTROL_PAYLOAD`] as an HTTP header value may carry it: without the C0 bytes and DEL
/// (an HTTP client refuses those), with the C1 and bidi characters as UTF-8 (obs-text).
pub const CONTROL_PAYLOAD_HEADER: &str =
    "\u{9b}2J\u{9b}H\u{202e}ssap-tahw\u{200b} \u{9b}32m✓ verdict: pass";

impl Kind {
    pub const ALL: &[Kind] = &[
        Kind::BlackHole,
        Kind::Trickle,
        Kind::HugeBody,
        Kind::InvalidUtf8,
        Kind::InvalidJson,
        Kind::DeepJson,
        Kind::RedirectLoop,
        Kind::RedirectElsewhere,
        Kind::ResetMidBody,
        Kind::ZeroByte,
        Kind::TlsGarbage,
        Kind::ForeignMetadata,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::BlackHole => "black-hole",
            Kind::Trickle => "trickle",
            Kind::HugeBody => "huge-body",
            Kind::InvalidUtf8 => "invalid-utf8",
            Kind::InvalidJson => "invalid-json",
            Kind::DeepJson => "deep-json",
            Kind::RedirectLoop => "redirect-loop",
            Kind::RedirectElsewhere => "redirect-elsewhere",
            Kind::ResetMidBody => "reset-mid-body",
            Kind::ZeroByte => "zero-byte",
            Kind::TlsGarbage => "tls-garbage",
            Kind::ForeignMetadata => "foreign-metadata",
            Kind::ControlChars => "control-chars",
            Kind::EchoingAuthority => "echoing-authority",
            Kind::FormTokens => "form-tokens",
            Kind::CamelTokens => "camel-tokens",
            Kind::HugeChallenge => "huge-challenge",
        }
    }

    /// Does this kind break every request (rather than only metadata GETs)?
    fn everywhere(self) -> bool {
        matches!(
            self,
            Kind::BlackHole | Kind::Trickle | Kind::ZeroByte | Kind::TlsGarbage
        )
    }
}

/// Where a hostile server is and where it sends redirects.
#[derive(Debug, Clone)]
pub struct Context {
    pub me: String,
    pub elsewhere: String,
    /// Misbehave on every request, POSTs included (an Entra authority, or a gateway whose
    /// MCP endpoint itself is hostile), instead of answering POSTs with the 401 challenge.
    pub every_request: bool,
}

impl Context {
    pub fn for_gateway(me: &str, elsewhere: &str) -> Context {
        Context {
            me: me.to_string(),
            elsewhere: elsewhere.to_string(),
            every_request: false,
        }
    }
    /// Every request misbehaves (see [`Context::every_request`]).
    pub fn for_every_request(me: &str, elsewhere: &str) -> Context {
        Context {
            every_request: true,
            ..Context::for_gateway(me, elsewhere)
        }
    }
}

const GIB: u64 = 1024 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// A 1 GiB JSON-ish body, streamed in 64 KiB chunks (for axum servers).
pub fn huge_json_response() -> Response {
    let chunks = (GIB as usize) / CHUNK;
    let first = {
        let mut v = b"{\"pad\":\"".to_vec();
        v.resize(CHUNK, b'a');
        Bytes::from(v)
    };
    let rest = Bytes::from(vec![b'a'; CHUNK]);
    let stream =
        futures_util::stream::iter((0..chunks).map(move |i| {
            Ok::<Bytes, Infallible>(if i == 0 { first.clone() } else { rest.clone() })
        }));
    let mut r = Body::from_stream(stream).into_response();
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, header::HeaderValue::from(GIB));
    r
}

/// Serve `kind` on `listener` until the runtime stops.
pub async fn serve(
    listener: TcpListener,
    kind: Kind,
    name: &'static str,
    log: RequestLog,
    ctx: Context,
) {
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        let log = log.clone();
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let _ = connection(sock, kind, name, log, ctx).await;
        });
    }
}

/// Read one request head (and a `Content-Length` body up to 1 MiB). `None` if the peer
/// sent nothing that looks like HTTP.
async fn read_request(sock: &mut TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = tokio::time::timeout(Duration::from_secs(30), sock.read(&mut tmp))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let uri = parts.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = tokio::time::timeout(Duration::from_secs(30), sock.read(&mut tmp))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Some(Recorded {
        server: "hostile",
        method,
        uri,
        headers,
        body,
    })
}

async fn write_head(
    sock: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
) -> std::io::Result<()> {
    let mut h = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    sock.write_all(h.as_bytes()).await
}

async fn respond(
    sock: &mut TcpStream,
    status: &str,
    ctype: &str,
    body: &[u8],
) -> std::io::Result<()> {
    write_head(
        sock,
        status,
        &[
            ("content-type", ctype.to_string()),
            ("content-length", body.len().to_string()),
        ],
    )
    .await?;
    sock.write_all(body).await?;
    sock.flush().await
}

async fn connection(
    mut sock: TcpStream,
    kind: Kind,
    name: &'static str,
    log: RequestLog,
    ctx: Context,
) -> std::io::Result<()> {
    if kind == Kind::TlsGarbage {
        // Read whatever arrives (a TLS ClientHello), answer garbage, close.
        let mut tmp = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut tmp)).await;
        sock.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 14\r\n\r\nthis is no TLS")
            .await?;
        return sock.shutdown().await;
    }
    let Some(mut req) = read_request(&mut sock).await else {
        return Ok(());
    };
    req.server = name;
    let is_get = req.method == "GET";
    let path = req.path().to_string();
    let body = req.body.clone();
    log.push(req);
    if !is_get && kind == Kind::HugeChallenge {
        let challenge = format!(
            "Bearer realm=\"{}\", resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
            "r".repeat(300 * 1024),
            ctx.me
        );
        write_head(
            &mut sock,
            "401 Unauthorized",
            &[
                ("www-authenticate", challenge),
                ("content-length", "0".into()),
            ],
        )
        .await?;
        return sock.flush().await;
    }
    if !is_get
        && matches!(
            kind,
            Kind::EchoingAuthority | Kind::FormTokens | Kind::CamelTokens
        )
    {
        return shaped_answer(&mut sock, kind, &body).await;
    }

    if kind.everywhere() || is_get || ctx.every_request {
        match kind {
            Kind::BlackHole => {
                // Hold the connection open, say nothing.
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            Kind::Trickle => {
                let msg = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                for b in msg {
                    sock.write_all(&[*b]).await?;
                    sock.flush().await?;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                return Ok(());
            }
            Kind::ZeroByte => return sock.shutdown().await,
            Kind::HugeBody => {
                write_head(
                    &mut sock,
                    "200 OK",
                    &[
                        ("content-type", "application/json".into()),
                        ("content-length", GIB.to_string()),
                    ],
                )
                .await?;
                let mut chunk = vec![b'a'; CHUNK];
                chunk[..8].copy_from_slice(b"{\"pad\":\"");
                sock.write_all(&chunk).await?;
                chunk[..8].copy_from_slice(b"aaaaaaaa");
                for _ in 1..(GIB as usize / CHUNK) {
                    // Stops as soon as the client hangs up.
                    sock.write_all(&chunk).await?;
                }
                return Ok(());
            }
            Kind::InvalidUtf8 => {
                return respond(
                    &mut sock,
                    "200 OK",
                    "application/json",
                    b"{\"resource\": \"\xff\xfe\xc3\x28 not utf-8\"}",
                )
                .await;
            }
            Kind::InvalidJson => {
                return respond(
                    &mut sock,
                    "200 OK",
                    "application/json",
                    b"{\"resource\": \"https://x\", \"authorization_servers\": [",
                )
                .await;
            }
            Kind::DeepJson => {
                let depth = 100_000;
                let mut body = vec![b'['; depth];
                body.extend(std::iter::repeat_n(b']', depth));
                return respond(&mut sock, "200 OK", "application/json", &body).await;
            }
            Kind::RedirectLoop => {
                write_head(
                    &mut sock,
                    "302 Found",
                    &[
                        ("location", format!("{}{}", ctx.me, path)),
                        ("content-length", "0".into()),
                    ],
                )
                .await?;
                return sock.flush().await;
            }
            Kind::RedirectElsewhere => {
                write_head(
                    &mut sock,
                    "302 Found",
                    &[
                        ("location", format!("{}{}", ctx.elsewhere, path)),
                        ("content-length", "0".into()),
                    ],
                )
                .await?;
                return sock.flush().await;
            }
            Kind::ResetMidBody => {
                write_head(
                    &mut sock,
                    "200 OK",
                    &[
                        ("content-type", "application/json".into()),
                        ("content-length", "100000".into()),
                    ],
                )
                .await?;
                sock.write_all(&[b' '; 1000]).await?;
                sock.flush().await?;
                tokio::time::sleep(Duration::from_millis(50)).await;
                // SO_LINGER 0: close with a RST instead of a FIN.
                #[allow(deprecated)]
                let _ = sock.set_linger(Some(Duration::ZERO));
                drop(sock);
                return Ok(());
            }
            Kind::ForeignMetadata => return foreign_metadata(&mut sock, &ctx, &path, is_get).await,
            Kind::ControlChars => return control_chars(&mut sock, &ctx, &path, is_get).await,
            // GETs of these authorities: nothing there.
            Kind::EchoingAuthority | Kind::FormTokens | Kind::CamelTokens | Kind::HugeChallenge => {
                return respond(&mut sock, "404 Not Found", "application/json", b"{}").await;
            }
            Kind::TlsGarbage => unreachable!("handled above"),
        }
    }
    // A POST (the MCP endpoint): 401 with a challenge pointing at our own PRM URL.
    let body =
        br#"{"statusCode":401,"message":"Unauthorized. Access token is missing or invalid."}"#;
    write_head(
        &mut sock,
        "401 Unauthorized",
        &[
            ("content-type", "application/json".into()),
            ("content-length", body.len().to_string()),
            (
                "www-authenticate",
                format!(
                    "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
                    ctx.me
                ),
            ),
        ],
    )
    .await?;
    sock.write_all(body).await?;
    sock.flush().await
}

/// [`Kind::ForeignMetadata`]: documents naming the other host, redirects to it otherwise.
async fn foreign_metadata(
    sock: &mut TcpStream,
    ctx: &Context,
    path: &str,
    is_get: bool,
) -> std::io::Result<()> {
    let (me, other) = (&ctx.me, &ctx.elsewhere);
    let doc = if !is_get {
        None
    } else if path.contains("oauth-protected-resource") {
        Some(serde_json::json!({
            "resource": format!("{me}/context7/mcp"),
            "authorization_servers": [other],
            "scopes_supported": ["api://3b9e6a14-8f2d-4c7b-a5e1-6d0c9f2b7a41/Mcp.Gateway.Access"],
            "bearer_methods_supported": ["header"]
        }))
    } else if path.contains("oauth-authorization-server") || path.contains("openid-configuration") {
        Some(serde_json::json!({
            "issuer": other,
            "authorization_endpoint": format!("{other}/authorize"),
            "token_endpoint": format!("{other}/token"),
            "device_authorization_endpoint": format!("{other}/devicecode"),
            "jwks_uri": format!("{other}/keys"),
            "registration_endpoint": format!("{other}/register"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"]
        }))
    } else {
        None
    };
    match doc {
        Some(d) => respond(sock, "200 OK", "application/json", d.to_string().as_bytes()).await,
        None => {
            // 307 keeps the method and body: a client that followed it would re-send its form.
            write_head(
                sock,
                if is_get {
                    "302 Found"
                } else {
                    "307 Temporary Redirect"
                },
                &[
                    ("location", format!("{other}{path}")),
                    ("content-length", "0".into()),
                ],
            )
            .await?;
            sock.flush().await
        }
    }
}

/// The POST answers of [`Kind::EchoingAuthority`], [`Kind::FormTokens`], [`Kind::CamelTokens`].
async fn shaped_answer(sock: &mut TcpStream, kind: Kind, body: &[u8]) -> std::io::Result<()> {
    let received = String::from_utf8_lossy(body);
    match kind {
        Kind::EchoingAuthority => {
            let doc = serde_json::json!({
                "error": "invalid_client",
                "error_description": format!("AADSTS7000215: Invalid client secret provided. Request: {received}\r\nTrace ID: 0"),
                "error_codes": [7000215],
                "error_uri": format!("https://login.microsoftonline.com/error?code=7000215&{received}"),
            });
            respond(
                sock,
                "400 Bad Request",
                "application/json",
                doc.to_string().as_bytes(),
            )
            .await
        }
        Kind::FormTokens => {
            let form: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("access_token", SHAPED_ACCESS_TOKEN)
                .append_pair("refresh_token", SHAPED_REFRESH_TOKEN)
                .append_pair("id_token", SHAPED_ID_TOKEN)
                .append_pair("token_type", "bearer")
                .append_pair("scope", "api://x/Mcp.Gateway.Access")
                .finish();
            respond(
                sock,
                "200 OK",
                "application/x-www-form-urlencoded",
                form.as_bytes(),
            )
            .await
        }
        _ => {
            let doc = serde_json::json!({
                "tokenType": "Bearer",
                "expiresIn": 3599,
                "accessToken": SHAPED_ACCESS_TOKEN,
                "refreshToken": SHAPED_REFRESH_TOKEN,
                "idToken": SHAPED_ID_TOKEN,
                "deviceCode": SHAPED_REFRESH_TOKEN,
            });
            respond(
                sock,
                "200 OK",
                "application/json",
                doc.to_string().as_bytes(),
            )
            .await
        }
    }
}

/// [`Kind::ControlChars`]: a plausible gateway and authority whose texts attack the terminal.
async fn control_chars(
    sock: &mut TcpStream,
    ctx: &Context,
    path: &str,
    is_get: bool,
) -> std::io::Result<()> {
    let me = &ctx.me;
    let evil = CONTROL_PAYLOAD;
    let json = |v: serde_json::Value| v.to_string().into_bytes();
    if !is_get {
        let (status, body) = if path.contains("/token") || path.contains("devicecode") {
            (
                "400 Bad Request",
                json(serde_json::json!({
                    "error": format!("invalid_client{evil}"),
                    "error_description": format!("AADSTS7000215: Invalid client secret provided.{evil}"),
                    "error_codes": [7000215],
                    "trace_id": evil,
                    "correlation_id": evil,
                })),
            )
        } else {
            (
                "401 Unauthorized",
                json(
                    serde_json::json!({"statusCode": 401, "message": format!("Unauthorized. {evil}")}),
                ),
            )
        };
        write_head(
            sock,
            status,
            &[
                ("content-type", "application/json".into()),
                ("content-length", body.len().to_string()),
                (
                    "www-authenticate",
                    format!(
                        "Bearer resource_metadata=\"{me}/.well-known/oauth-protected-resource\", error=\"invalid_token\", error_description=\"{CONTROL_PAYLOAD_HEADER}\""
                    ),
                ),
                ("x-evil", CONTROL_PAYLOAD_HEADER.to_string()),
            ],
        )
        .await?;
        sock.write_all(&body).await?;
        return sock.flush().await;
    }
    let doc = if path.contains("oauth-protected-resource") {
        Some(serde_json::json!({
            "resource": format!("{me}/context7/mcp{evil}"),
            "authorization_servers": [format!("{me}/tenant")],
            "scopes_supported": [format!("api://3b9e6a14-8f2d-4c7b-a5e1-6d0c9f2b7a41/Mcp.Gateway.Access{evil}")],
            "bearer_methods_supported": ["header"],
            "resource_name": evil,
        }))
    } else if path.contains("oauth-authorization-server") || path.contains("openid-configuration") {
        Some(serde_json::json!({
            "issuer": format!("{me}/tenant{evil}"),
            "authorization_endpoint": format!("{me}/authorize{evil}"),
            "token_endpoint": format!("{me}/token"),
            "device_authorization_endpoint": format!("{me}/devicecode"),
            "jwks_uri": format!("{me}/keys"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": [evil]
        }))
    } else if path.contains("keys") {
        Some(
            serde_json::json!({"keys": [{"kty": "RSA", "kid": evil, "use": "sig", "n": "AQAB", "e": "AQAB"}]}),
        )
    } else {
        None
    };
    match doc {
        Some(d) => respond(sock, "200 OK", "application/json", &json(d)).await,
        None => {
            respond(
                sock,
                "404 Not Found",
                "text/html",
                format!("<html><title>{evil}</title>{evil}</html>").as_bytes(),
            )
            .await
        }
    }
}

/// A recorder: answers `{}` to everything and records the request (server `elsewhere`).
pub async fn serve_recorder(listener: TcpListener, log: RequestLog) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            continue;
        };
        let log = log.clone();
        tokio::spawn(async move {
            if let Some(mut req) = read_request(&mut sock).await {
                req.server = "elsewhere";
                log.push(req);
                let _ = respond(&mut sock, "200 OK", "application/json", b"{}").await;
            }
        });
    }
}

/// A standalone hostile server (with its own runtime and a recorder for redirects).
pub struct HostileServer {
    /// `http://127.0.0.1:P` (`https://…` for [`Kind::TlsGarbage`]).
    pub url: String,
    /// The recorder redirects point at.
    pub elsewhere: String,
    pub log: RequestLog,
    _bg: Background,
}

impl HostileServer {
    pub fn start(kind: Kind) -> HostileServer {
        HostileServer::start_with(kind, false)
    }

    /// A server that misbehaves on every request, POSTs included (an Entra authority, or a
    /// gateway for commands that only POST).
    pub fn start_every_request(kind: Kind) -> HostileServer {
        HostileServer::start_with(kind, true)
    }

    fn start_with(kind: Kind, every_request: bool) -> HostileServer {
        let bg = Background::start();
        let l = bg.bind();
        let rec = bg.bind();
        let port = l.local_addr().expect("addr").port();
        let me = format!("http://127.0.0.1:{port}");
        let elsewhere = format!("http://{}", rec.local_addr().expect("addr"));
        let url = if kind == Kind::TlsGarbage {
            format!("https://127.0.0.1:{port}")
        } else {
            me.clone()
        };
        let log = RequestLog::default();
        let ctx = if every_request {
            Context::for_every_request(&me, &elsewhere)
        } else {
            Context::for_gateway(&me, &elsewhere)
        };
        bg.handle.spawn(serve(l, kind, "hostile", log.clone(), ctx));
        bg.handle.spawn(serve_recorder(rec, log.clone()));
        HostileServer {
            url,
            elsewhere,
            log,
            _bg: bg,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.all()
    }
}
