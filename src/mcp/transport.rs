//! The transport of one MCP exchange: send a POST (or GET) through [`crate::http`] and read
//! its body — JSON, an event stream or anything else — within one total deadline and a size
//! cap, decompressing `gzip`/`deflate` on the fly, timing every chunk.
//!
//! One deadline per exchange, not per chunk: Context7 4.x sends no SSE keep-alives, so a
//! silent pause is normal while a tool runs, and a server that sends a `:` comment every
//! second must not keep an exchange alive past what `--timeout` allows. What happened in
//! that time (the real gaps, the comments, the bytes) is recorded for the judgement in
//! [`super::judge`]; nothing here decides what a reply means.
//!
//! Event streams are parsed twice as they arrive, chunk by chunk on the reading thread: by
//! the exact integrity parser ([`super::sse`]) and by the WHATWG reference
//! ([`super::whatwg`]), which says what an EventSource client gets from the same bytes.

use reqwest::header::HeaderMap;
use serde_json::Value;
use std::io::Write;
use std::time::{Duration, Instant};

use super::sse::{SseIntegrity, SseOutcome};
use super::whatwg::{SpecReference, SpecView};
use crate::http::{Http, NetError, NetErrorKind, Request, status_text};

/// How long to keep reading a stream after the response arrived (servers should close it).
const AFTER_RESPONSE_GRACE: Duration = Duration::from_millis(500);

/// The first bytes of a body kept for classification (error pages, APIM's JSON errors).
pub const HEAD_BYTES: usize = 64 * 1024;

/// The limits of one exchange.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest body read, in bytes on the wire and decoded.
    pub stream_cap: u64,
    /// Largest single event (or JSON body) kept.
    pub max_event_bytes: usize,
    /// The whole exchange — response head and body — must complete within this.
    pub deadline: Duration,
}

/// How a body read ended.
#[derive(Debug, Clone)]
pub enum End {
    Eof,
    /// The exchange's deadline passed before the body ended.
    Deadline(Duration),
    /// The connection broke (reset, closed mid-body, shorter than its Content-Length).
    Broken(NetError),
    /// The size cap was reached.
    Cap,
    /// We stopped reading shortly after the response arrived; the server kept the stream open.
    LeftOpen,
}

#[derive(Debug)]
pub enum Body {
    Empty,
    Json(Result<Value, String>),
    /// The exact parser's outcome, and what a WHATWG EventSource client saw.
    Sse(Box<SseOutcome>, SpecView),
    /// Another content type: the first bytes, for classification.
    Other(Vec<u8>),
}

/// Timing of the bytes of one body, whatever its type.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timing {
    pub chunks: u64,
    pub first_byte: Option<Duration>,
    pub last_byte: Option<Duration>,
    /// Largest gap between two chunks (or between the head and the first chunk).
    pub max_gap: Duration,
}

/// One response, read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub content_type: String,
    /// Bytes received on the wire.
    pub wire_bytes: u64,
    /// The first bytes of the body (for classification of errors), at most [`HEAD_BYTES`].
    pub head: Vec<u8>,
    pub body: Body,
    pub end: End,
    pub elapsed: Duration,
    /// When the response head arrived.
    pub head_at: Duration,
    pub timing: Timing,
    pub encoding: Option<String>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
    pub fn is_sse(&self) -> bool {
        matches!(self.body, Body::Sse(..))
    }
    /// The JSON-RPC response to our request, if it arrived whole.
    pub fn message(&self) -> Option<&Value> {
        match &self.body {
            Body::Json(Ok(v)) => Some(v),
            Body::Sse(o, _) => o.response.as_ref(),
            _ => None,
        }
    }
    /// `Content-Length` as a number, when the response announced one.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
    }
}

/// Where decoded body bytes go.
enum Sink {
    Sse(Box<SseIntegrity>, Box<SpecReference>),
    Json(Vec<u8>, bool),
    Other(Vec<u8>),
}

impl Sink {
    fn feed(&mut self, bytes: &[u8], at: Duration, cap: usize) {
        match self {
            Sink::Sse(p, spec) => {
                p.feed(bytes, at);
                spec.feed(bytes);
            }
            Sink::Json(buf, over) => {
                let room = cap.saturating_sub(buf.len());
                if bytes.len() > room {
                    *over = true;
                }
                buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
            Sink::Other(buf) => {
                let room = cap.saturating_sub(buf.len());
                buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
        }
    }
}

/// A `Write` that feeds decompressed bytes into the sink (gzip/deflate on a body): memory
/// stays bounded because flate2 writes in small pieces.
struct DecodedSink {
    sink: Sink,
    at: Duration,
    cap: usize,
    decoded: u64,
    limit: u64,
}

impl Write for DecodedSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.decoded += buf.len() as u64;
        if self.decoded > self.limit {
            return Err(std::io::Error::other("decoded body over the cap"));
        }
        self.sink.feed(buf, self.at, self.cap);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Decoder {
    Identity(Sink),
    Gzip(Box<flate2::write::GzDecoder<DecodedSink>>),
    Deflate(Box<flate2::write::ZlibDecoder<DecodedSink>>),
}

impl Decoder {
    fn new(sink: Sink, encoding: Option<&str>, cap: usize, limit: u64) -> Decoder {
        let decoded = |sink| DecodedSink {
            sink,
            at: Duration::ZERO,
            cap,
            decoded: 0,
            limit,
        };
        match encoding {
            Some("gzip") | Some("x-gzip") => {
                Decoder::Gzip(Box::new(flate2::write::GzDecoder::new(decoded(sink))))
            }
            Some("deflate") => {
                Decoder::Deflate(Box::new(flate2::write::ZlibDecoder::new(decoded(sink))))
            }
            _ => Decoder::Identity(sink),
        }
    }

    /// Decode and parse one chunk; `false` when the decoded body went over the cap or the
    /// compressed data is broken.
    fn feed(&mut self, bytes: &[u8], at: Duration, sink_cap: usize) -> bool {
        match self {
            Decoder::Identity(s) => {
                s.feed(bytes, at, sink_cap);
                true
            }
            Decoder::Gzip(d) => {
                d.get_mut().at = at;
                d.write_all(bytes).is_ok()
            }
            Decoder::Deflate(d) => {
                d.get_mut().at = at;
                d.write_all(bytes).is_ok()
            }
        }
    }

    fn sink(&self) -> &Sink {
        match self {
            Decoder::Identity(s) => s,
            Decoder::Gzip(d) => &d.get_ref().sink,
            Decoder::Deflate(d) => &d.get_ref().sink,
        }
    }

    fn has_response(&self) -> bool {
        matches!(self.sink(), Sink::Sse(p, _) if p.has_response())
    }

    fn into_sink(self) -> Sink {
        match self {
            Decoder::Identity(s) => s,
            // A stream cut mid-way fails to finish: keep what was decoded anyway.
            Decoder::Gzip(mut d) => {
                let _ = d.try_finish();
                std::mem::replace(&mut d.get_mut().sink, Sink::Other(Vec::new()))
            }
            Decoder::Deflate(mut d) => {
                let _ = d.try_finish();
                std::mem::replace(&mut d.get_mut().sink, Sink::Other(Vec::new()))
            }
        }
    }
}

/// Send one request and read its body, whatever its type, within every limit. The request's
/// own timeout is set to the exchange's deadline.
pub async fn exchange(
    http: &Http,
    req: Request,
    expected_id: Value,
    limits: &Limits,
) -> Result<Reply, NetError> {
    let start = Instant::now();
    let mut resp = http.open(req.timeout(limits.deadline)).await?;
    let head_at = start.elapsed();
    let status = resp.status;
    let headers = resp.headers.clone();
    let content_type = resp
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let encoding = resp
        .header("content-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity");
    let event_stream = content_type.starts_with("text/event-stream");
    let json_type = content_type.starts_with("application/json")
        || (content_type.starts_with("application/") && content_type.contains("+json"));
    let success = (200..300).contains(&status);
    let max_event = limits.max_event_bytes;
    let sink = if event_stream && success {
        Sink::Sse(
            Box::new(SseIntegrity::new(expected_id.clone(), max_event)),
            Box::new(SpecReference::new(expected_id)),
        )
    } else if json_type && success {
        Sink::Json(Vec::new(), false)
    } else {
        Sink::Other(Vec::new())
    };
    let sink_cap = match &sink {
        Sink::Json(..) => max_event,
        _ => HEAD_BYTES,
    };
    let limit = limits.stream_cap;
    // Each chunk is parsed as it arrives, on this thread: while the bytes are still in the
    // cache, and dropped before the next read so the HTTP stack reuses its buffer. (A parser
    // thread fed in batches used about an eighth more CPU, and the chunks queued for it kept
    // the HTTP stack's buffers alive; it only paid off when a core was otherwise idle. See
    // docs/perf-sse.md.)
    let mut decoder = Decoder::new(sink, encoding.as_deref(), sink_cap, limit);
    let mut head = Vec::new();
    let mut wire: u64 = 0;
    let mut timing = Timing::default();
    let mut previous = head_at;
    let mut response_seen_at: Option<Instant> = None;
    let end = loop {
        let elapsed = start.elapsed();
        if elapsed >= limits.deadline {
            break End::Deadline(elapsed);
        }
        let mut wait = limits.deadline - elapsed;
        if response_seen_at.is_none() && decoder.has_response() {
            response_seen_at = Some(Instant::now());
        }
        if let Some(t) = response_seen_at {
            let since = t.elapsed();
            if since >= AFTER_RESPONSE_GRACE {
                break End::LeftOpen;
            }
            wait = wait.min(AFTER_RESPONSE_GRACE - since);
        }
        // Take what the network has ready without setting a timer; wait only when nothing is.
        let next = match resp.ready_chunk() {
            Some(ready) => ready,
            None => resp.next_chunk(wait).await,
        };
        match next {
            Ok(None) => break End::Eof,
            Ok(Some(chunk)) => {
                let at = start.elapsed();
                timing.chunks += 1;
                timing.first_byte.get_or_insert(at);
                timing.last_byte = Some(at);
                timing.max_gap = timing.max_gap.max(at.saturating_sub(previous));
                previous = at;
                wire += chunk.len() as u64;
                if head.len() < HEAD_BYTES {
                    let room = HEAD_BYTES - head.len();
                    head.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                let over = wire > limit;
                let usable = if over {
                    chunk.slice(..chunk.len() - (wire - limit) as usize)
                } else {
                    chunk
                };
                if !decoder.feed(&usable, at, sink_cap) || over {
                    break End::Cap;
                }
                // An error page or other body: its first 64 KiB are all that is looked at.
                if matches!(decoder.sink(), Sink::Other(_)) && head.len() >= HEAD_BYTES {
                    break End::Eof;
                }
            }
            Err(e) if e.kind == NetErrorKind::Timeout => {
                if response_seen_at.is_some() || decoder.has_response() {
                    break End::LeftOpen;
                }
                break End::Deadline(start.elapsed());
            }
            Err(e) => break End::Broken(e),
        }
    };
    let elapsed = start.elapsed();
    let sink = decoder.into_sink();
    let mut end = end;
    let body = match sink {
        Sink::Sse(p, spec) => {
            let outcome = p.finish(elapsed);
            // The parser may have found the response after the reader gave up waiting.
            if outcome.response.is_some() && matches!(end, End::Deadline(_)) {
                end = End::LeftOpen;
            }
            Body::Sse(Box::new(outcome), spec.finish())
        }
        Sink::Json(buf, over) => {
            if buf.is_empty() {
                Body::Empty
            } else if over {
                Body::Json(Err(format!(
                    "the JSON body is larger than the {max_event} byte cap"
                )))
            } else {
                Body::Json(serde_json::from_slice(&buf).map_err(|e| {
                    if e.is_eof() {
                        format!("the JSON body is cut short after {} bytes ({e})", buf.len())
                    } else {
                        format!("the body is not JSON ({e})")
                    }
                }))
            }
        }
        Sink::Other(buf) if buf.is_empty() => Body::Empty,
        Sink::Other(buf) => Body::Other(buf),
    };
    Ok(Reply {
        status,
        headers,
        content_type,
        wire_bytes: wire,
        head,
        body,
        end,
        elapsed,
        head_at,
        timing,
        encoding,
    })
}

/// One HTTP exchange, as shown in the conversation table (nothing secret in it).
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: String,
    pub status: String,
    pub content_type: String,
    pub bytes: String,
    pub events: String,
    pub time_ms: String,
    pub note: String,
}

impl Exchange {
    /// The table row of one exchange (or of a request that got no answer).
    pub fn of(request: String, reply: Result<&Reply, &NetError>, note: &str) -> Exchange {
        match reply {
            Ok(r) => Exchange {
                request,
                status: status_text(r.status),
                content_type: if r.content_type.is_empty() {
                    "–".into()
                } else {
                    match &r.encoding {
                        Some(e) => format!("{} ({e})", r.content_type),
                        None => r.content_type.clone(),
                    }
                },
                bytes: r.wire_bytes.to_string(),
                events: match &r.body {
                    Body::Sse(o, _) => o.events.to_string(),
                    _ => "–".into(),
                },
                time_ms: r.elapsed.as_millis().to_string(),
                note: note.to_string(),
            },
            Err(e) => Exchange {
                request,
                status: format!("no answer ({})", e.kind.as_str()),
                content_type: "–".into(),
                bytes: "0".into(),
                events: "–".into(),
                time_ms: e.elapsed.as_millis().to_string(),
                note: note.to_string(),
            },
        }
    }
}
