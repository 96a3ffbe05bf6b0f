//! SSE integrity: an exact, incremental parser for one MCP response stream.
//!
//! An MCP server answers a POST with `text/event-stream`: events separated by a blank line,
//! `:` comment lines, multi-line `data:` joined with `\n`, an optional empty priming event,
//! and one event carrying the JSON-RPC response with the request's `id`, after which the
//! stream ends (MCP transports spec; HTML "server-sent events" for the framing). Gateways
//! break this quietly: APIM's payload logging cuts the stream after "Number of payload bytes
//! to log" bytes, buffering delivers it all at once, a middlebox stalls or resets it. This
//! module says, byte by byte, what arrived and where it broke.
//!
//! [`SseIntegrity`] is a pure state machine: [`SseIntegrity::feed`] takes byte chunks as
//! they arrive (with the time they arrived), [`SseIntegrity::finish`] is called at EOF and
//! returns an [`SseOutcome`]. It does no I/O, so the fuzzer and the criterion bench drive it
//! directly.
//!
//! Why not `eventsource-stream` alone: it decodes to `String` lines before parsing, so a single
//! 100 MiB `data:` line is held whole (memory must stay bounded); it reports no byte
//! offsets, so "cut at N bytes" cannot be said; and it silently drops an event that is not
//! followed by a blank line at EOF, which is exactly the case a diagnosis must see — and
//! exactly what a WHATWG client does, so [`super::whatwg`] runs it beside this parser as the
//! reference for what clients get. This
//! parser follows the same spec rules (CR, LF and CRLF line ends, a CR at the end of one
//! chunk followed by LF at the start of the next is one line end, a leading BOM is
//! stripped, one space after the colon is removed, unknown fields are ignored) and keeps
//! only counters, the current event (capped at `max_event_bytes`) and the one JSON-RPC
//! response whose `id` matches the request.

use super::envelope::{self, Envelope};
use crate::mcp::codes;
use serde::{Serialize, de::IgnoredAny};
use serde_json::Value;
use std::time::Duration;

/// Default cap for one event's data (and one line): large documentation answers fit, a
/// runaway line does not.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 8 * 1024 * 1024;

/// Problems kept in full; later ones are only counted.
const MAX_PROBLEMS: usize = 32;

/// Longest event type or id kept (they are shown, never needed whole).
const MAX_SHORT_FIELD: usize = 128;

/// What kind of problem a stream had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// Framing: an event cut off at EOF, a line without its line end, an event type a
    /// JSON-RPC client ignores.
    Framing,
    /// A line or an event larger than the cap (the rest was dropped, not stored).
    Oversized,
    /// An event's data is not UTF-8.
    NotUtf8,
    /// An event's data is not JSON, or JSON that is not a JSON-RPC message.
    NotJson,
    /// A JSON-RPC response whose `id` is not the request's (other value or other type).
    IdMismatch,
}

impl ProblemKind {
    /// The catalog code for this problem.
    pub fn code(self) -> crate::findings::Code {
        match self {
            ProblemKind::Framing | ProblemKind::NotUtf8 | ProblemKind::NotJson => {
                codes::SSE_FRAMING
            }
            ProblemKind::Oversized => codes::SSE_OVERSIZED,
            ProblemKind::IdMismatch => codes::SSE_ID_MISMATCH,
        }
    }
}

/// One problem, at a byte offset of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SseProblem {
    pub kind: ProblemKind,
    /// Byte offset (from the first body byte, BOM included) where the line or event began.
    pub offset: u64,
    pub detail: String,
}

/// Why the response never arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TruncationKind {
    /// The stream ended cleanly between events, but the response had not come.
    EofBeforeResponse,
    /// The stream ended inside an event (no blank line after it).
    EofInsideEvent,
    /// The last event's data is not JSON (most likely cut and then closed).
    UnparsableJson,
}

impl TruncationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TruncationKind::EofBeforeResponse => "eof-before-response",
            TruncationKind::EofInsideEvent => "eof-inside-event",
            TruncationKind::UnparsableJson => "unparsable-json",
        }
    }
}

/// The truncation verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Truncation {
    pub kind: TruncationKind,
    /// Body bytes received before the end.
    pub cut_at: u64,
    /// `cut_at` is a round size (512, 1024, 2048, 4096, 8192 …): the signature of APIM's
    /// "Number of payload bytes to log".
    pub round_size: bool,
}

/// How lines ended (all three are legal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LineEnds {
    pub lf: u64,
    pub crlf: u64,
    pub cr: u64,
}

/// Everything the parser learnt about one stream. Bounded: counters, at most
/// [`MAX_PROBLEMS`] problems, and the one matching response.
#[derive(Debug, Clone, Serialize)]
pub struct SseOutcome {
    /// Body bytes received (BOM included).
    pub bytes: u64,
    /// Chunks received (reads from the connection).
    pub chunks: u64,
    /// Events dispatched (terminated by a blank line), including empty ones.
    pub events: u64,
    /// Events without data (priming events, keep-alive events).
    pub empty_events: u64,
    /// `:` comment lines.
    pub comments: u64,
    /// JSON-RPC notifications seen (e.g. progress, logging).
    pub notifications: u64,
    /// JSON-RPC requests from the server seen (e.g. ping, sampling).
    pub server_requests: u64,
    /// The JSON-RPC response with the request's id, when it arrived in a complete event.
    pub response: Option<Value>,
    /// Index (0-based) of the event that carried the response.
    pub response_event: Option<u64>,
    /// Byte offset just after the response event's blank line.
    pub response_end: Option<u64>,
    /// Time the response event completed.
    pub response_at: Option<Duration>,
    /// More responses with the request's id after the first.
    pub duplicate_responses: u64,
    /// The matching response was in an event the stream never terminated (no blank line
    /// before EOF): a spec-following client discards it.
    pub unterminated_response: bool,
    /// Time of the first byte (from when the request was sent).
    pub ttfb: Option<Duration>,
    /// Largest gap between two chunks.
    pub max_gap: Duration,
    /// Bytes received before the largest gap began.
    pub max_gap_after_bytes: u64,
    /// Time of the last chunk.
    pub last_chunk_at: Option<Duration>,
    /// Time `finish` was called.
    pub total: Duration,
    /// A UTF-8 BOM began the stream (stripped, legal).
    pub bom: bool,
    pub line_ends: LineEnds,
    /// Largest line seen, in bytes (without its line end).
    pub longest_line: u64,
    pub problems: Vec<SseProblem>,
    /// Problems beyond [`MAX_PROBLEMS`], counted only.
    pub problems_dropped: u64,
    /// Set when the response did not arrive in a complete event.
    pub truncation: Option<Truncation>,
}

impl SseOutcome {
    /// The first problem of a kind.
    pub fn problem(&self, kind: ProblemKind) -> Option<&SseProblem> {
        self.problems.iter().find(|p| p.kind == kind)
    }
    /// All events arrived in a single chunk (only meaningful with more than one event).
    pub fn single_burst(&self) -> bool {
        self.chunks <= 1
    }
}

/// `n` is a round size: a power of two from 512, or a multiple of 1024 up to 8192 (APIM
/// allows up to 8192 payload bytes to log).
pub fn is_round_size(n: u64) -> bool {
    n >= 512 && (n.is_power_of_two() || (n.is_multiple_of(1024) && n <= 8192))
}

/// The incremental parser. See the module documentation.
pub struct SseIntegrity {
    expected_id: Value,
    max_event_bytes: usize,
    /// Up to 3 first bytes held until the BOM question is decided.
    head: Vec<u8>,
    head_done: bool,
    /// The previous byte was a CR that ended a line (a following LF belongs to it).
    pending_cr: bool,
    /// The current, unfinished line (capped).
    line: Vec<u8>,
    /// Full length of the current line, including bytes beyond the cap.
    line_len: u64,
    line_start: u64,
    /// Current event.
    in_event: bool,
    event_start: u64,
    data: Vec<u8>,
    data_lines: u64,
    data_overflow: bool,
    event_type: String,
    /// Offset of the next byte to be processed (after the BOM decision).
    pos: u64,
    last_event_unparsable: bool,
    /// The fast paths are on (see [`SseIntegrity::without_fast_paths`]).
    fast_paths: bool,
    /// What the last event read in place looked like (see [`envelope::Shape`]).
    shape: Option<envelope::Shape>,
    out: SseOutcome,
}

impl SseIntegrity {
    /// A parser for the response to the request with `expected_id`; one event's data (and
    /// one line) is kept up to `max_event_bytes`, the rest counted and dropped.
    pub fn new(expected_id: Value, max_event_bytes: usize) -> Self {
        SseIntegrity {
            expected_id,
            max_event_bytes: max_event_bytes.max(64),
            head: Vec::with_capacity(3),
            head_done: false,
            pending_cr: false,
            line: Vec::new(),
            line_len: 0,
            line_start: 0,
            in_event: false,
            event_start: 0,
            data: Vec::new(),
            data_lines: 0,
            data_overflow: false,
            event_type: String::new(),
            pos: 0,
            last_event_unparsable: false,
            fast_paths: true,
            shape: None,
            out: SseOutcome {
                bytes: 0,
                chunks: 0,
                events: 0,
                empty_events: 0,
                comments: 0,
                notifications: 0,
                server_requests: 0,
                response: None,
                response_event: None,
                response_end: None,
                response_at: None,
                duplicate_responses: 0,
                unterminated_response: false,
                ttfb: None,
                max_gap: Duration::ZERO,
                max_gap_after_bytes: 0,
                last_chunk_at: None,
                total: Duration::ZERO,
                bom: false,
                line_ends: LineEnds::default(),
                longest_line: 0,
                problems: Vec::new(),
                problems_dropped: 0,
                truncation: None,
            },
        }
    }

    /// The same parser with its fast paths off (the event read in place from the chunk,
    /// the envelope scanner): the reference the fast paths are tested and benchmarked
    /// against. The outcome is the same, only slower.
    pub fn without_fast_paths(mut self) -> Self {
        self.fast_paths = false;
        self
    }

    /// Body bytes fed so far.
    pub fn bytes(&self) -> u64 {
        self.out.bytes
    }

    /// The matching response has arrived in a complete event.
    pub fn has_response(&self) -> bool {
        self.out.response.is_some()
    }

    /// Feed the next chunk of the body, received at `at` (time since the request was sent).
    pub fn feed(&mut self, chunk: &[u8], at: Duration) {
        if chunk.is_empty() {
            return;
        }
        let o = &mut self.out;
        o.chunks += 1;
        match o.last_chunk_at {
            None => o.ttfb = Some(at),
            Some(last) => {
                let gap = at.saturating_sub(last);
                if gap > o.max_gap {
                    o.max_gap = gap;
                    o.max_gap_after_bytes = o.bytes;
                }
            }
        }
        o.last_chunk_at = Some(at);
        o.bytes += chunk.len() as u64;

        let mut chunk = chunk;
        if !self.head_done {
            // Hold up to 3 bytes to see whether the stream starts with a UTF-8 BOM.
            const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
            while !chunk.is_empty() && self.head.len() < 3 {
                self.head.push(chunk[0]);
                chunk = &chunk[1..];
                if self.head[..] != BOM[..self.head.len()] {
                    break;
                }
            }
            if self.head.len() == 3 && self.head[..] == BOM {
                self.out.bom = true;
                self.head.clear();
                self.pos = 3;
                self.head_done = true;
            } else if self.head[..] != BOM[..self.head.len()] {
                let head = std::mem::take(&mut self.head);
                self.head_done = true;
                self.process(&head, at);
            } else {
                // Still a BOM prefix and the chunk is used up.
                return;
            }
        }
        self.process(chunk, at);
    }

    /// Split bytes into lines; complete lines within the chunk are handled in place.
    fn process(&mut self, mut buf: &[u8], at: Duration) {
        while !buf.is_empty() {
            if self.pending_cr {
                self.pending_cr = false;
                if buf[0] == b'\n' {
                    // The LF of a CRLF split across chunks (or just after the CR).
                    self.out.line_ends.cr -= 1;
                    self.out.line_ends.crlf += 1;
                    buf = &buf[1..];
                    self.pos += 1;
                    continue;
                }
            }
            if let Some(n) = self.fast_event(buf, at) {
                buf = &buf[n..];
                continue;
            }
            match memchr::memchr2(b'\n', b'\r', buf) {
                None => {
                    self.append_partial(buf);
                    self.pos += buf.len() as u64;
                    return;
                }
                Some(i) => {
                    let end = buf[i];
                    if self.line_len == 0 {
                        self.line_start = self.pos;
                        self.line_len = i as u64;
                        // Capped exactly like a buffered line, so chunking never matters.
                        let keep = i.min(self.line_cap());
                        self.handle_line_slice(&buf[..keep], at);
                    } else {
                        self.append_partial(&buf[..i]);
                        let line = std::mem::take(&mut self.line);
                        self.handle_line_slice(&line, at);
                        self.line = line;
                        self.line.clear();
                    }
                    self.line_len = 0;
                    self.pos += i as u64 + 1;
                    if end == b'\r' {
                        self.out.line_ends.cr += 1;
                        self.pending_cr = true;
                    } else {
                        self.out.line_ends.lf += 1;
                    }
                    buf = &buf[i + 1..];
                }
            }
        }
    }

    /// Keep part of a line that continues in the next chunk, up to the cap.
    fn append_partial(&mut self, part: &[u8]) {
        if self.line_len == 0 {
            self.line_start = self.pos;
        }
        self.line_len += part.len() as u64;
        let room = self.line_cap().saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..part.len().min(room)]);
    }

    /// Bytes of one line kept: the event cap plus room for the field name.
    fn line_cap(&self) -> usize {
        self.max_event_bytes + 16
    }

    fn problem(&mut self, kind: ProblemKind, offset: u64, detail: String) {
        if self.out.problems.len() < MAX_PROBLEMS {
            self.out.problems.push(SseProblem {
                kind,
                offset,
                detail,
            });
        } else {
            self.out.problems_dropped += 1;
        }
    }

    /// One complete line (`line` may be the capped prefix of a longer line: see `line_len`).
    fn handle_line_slice(&mut self, line: &[u8], at: Duration) {
        let full_len = self.line_len;
        self.out.longest_line = self.out.longest_line.max(full_len);
        if full_len == 0 {
            self.dispatch(at);
            return;
        }
        if line.first() == Some(&b':') {
            self.out.comments += 1;
            return;
        }
        let (name, value) = match memchr::memchr(b':', line) {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &line[line.len()..]),
        };
        if !self.in_event {
            self.in_event = true;
            self.event_start = self.line_start;
        }
        let overflow = full_len > line.len() as u64;
        match name {
            b"data" => {
                if overflow || self.data_overflow {
                    if !self.data_overflow {
                        self.problem(
                            ProblemKind::Oversized,
                            self.line_start,
                            format!(
                                "a data line of {full_len} bytes, over the {} byte cap: the \
                                    rest was dropped",
                                self.max_event_bytes
                            ),
                        );
                    }
                    self.data_overflow = true;
                    self.data.clear();
                    self.data_lines += 1;
                    return;
                }
                let needed = value.len() + usize::from(self.data_lines > 0);
                if self.data.len() + needed > self.max_event_bytes {
                    self.problem(
                        ProblemKind::Oversized,
                        self.event_start,
                        format!(
                            "an event whose data exceeds the {} byte cap: the rest was dropped",
                            self.max_event_bytes
                        ),
                    );
                    self.data_overflow = true;
                    self.data = Vec::new();
                    self.data_lines += 1;
                    return;
                }
                if self.data_lines > 0 {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.data_lines += 1;
            }
            b"event" => {
                let v = String::from_utf8_lossy(&value[..value.len().min(MAX_SHORT_FIELD)]);
                self.event_type = v.into_owned();
            }
            // `id` and `retry` are legal and need nothing here; unknown fields are ignored
            // (spec), as is an oversized line in any field but data.
            _ => {}
        }
    }

    /// A blank line: dispatch the current event.
    fn dispatch(&mut self, at: Duration) {
        if !self.in_event {
            // Blank lines between events are legal.
            return;
        }
        self.in_event = false;
        let event_type = std::mem::take(&mut self.event_type);
        let data = std::mem::take(&mut self.data);
        let data_lines = std::mem::replace(&mut self.data_lines, 0);
        let overflow = std::mem::replace(&mut self.data_overflow, false);
        if overflow {
            self.out.events += 1;
            self.last_event_unparsable = true;
        } else {
            self.dispatch_data(&data, None, data_lines, &event_type, self.event_start, at);
        }
        self.recycle(data);
    }

    /// Count and classify one complete event whose data is `data` (`skimmed`: its envelope,
    /// when the scanner has already read it).
    fn dispatch_data(
        &mut self,
        data: &[u8],
        skimmed: Option<Envelope>,
        data_lines: u64,
        event_type: &str,
        start: u64,
        at: Duration,
    ) {
        let index = self.out.events;
        self.out.events += 1;
        self.last_event_unparsable = false;
        if data_lines == 0 || data.is_empty() {
            self.out.empty_events += 1;
            return;
        }
        if !event_type.is_empty() && event_type != "message" {
            self.problem(
                ProblemKind::Framing,
                start,
                format!(
                    "event type {event_type:?}: MCP clients only read \"message\" \
                        events and ignore this one"
                ),
            );
        }
        let parsed = match skimmed {
            Some(env) => self.classify_envelope(env, Some(data)),
            None => self.classify(data),
        };
        match parsed {
            Parsed::Response(v) => {
                if self.out.response.is_none() {
                    self.out.response = Some(v);
                    self.out.response_event = Some(index);
                    self.out.response_end = Some(self.pos + 1);
                    self.out.response_at = Some(at);
                } else {
                    self.out.duplicate_responses += 1;
                }
            }
            Parsed::OtherId(id) => {
                let detail = describe_id_mismatch(&self.expected_id, &id);
                self.problem(ProblemKind::IdMismatch, start, detail);
            }
            Parsed::Notification => self.out.notifications += 1,
            Parsed::Request => self.out.server_requests += 1,
            Parsed::Bad(kind, detail) => {
                self.last_event_unparsable = true;
                self.problem(kind, start, detail);
            }
        }
    }

    /// The common case, handled without copying: at an event boundary, `data: …` on one
    /// line followed by a blank line, all inside this chunk. Returns the bytes consumed, or
    /// `None` to take the general path (which gives the same result, only slower).
    ///
    /// The envelope scanner reads the data in the same pass that finds the line's end, so
    /// an ordinary event's bytes are read once (and an event shaped like the last one only
    /// compared with it); data it declines is searched for the line end and classified as
    /// the general path does.
    fn fast_event(&mut self, buf: &[u8], at: Duration) -> Option<usize> {
        if !self.fast_paths
            || self.pending_cr
            || self.line_len != 0
            || self.in_event
            || !buf.starts_with(b"data:")
        {
            return None;
        }
        // The value starts after the colon and one optional space, as in the general path.
        let from = if buf.get(5) == Some(&b' ') { 6 } else { 5 };
        let (i, skimmed) = match envelope::skim_line_shaped(&buf[from..], &mut self.shape) {
            Some((env, n)) => (from + n, Some(env)),
            None => (memchr::memchr2(b'\n', b'\r', buf)?, None),
        };
        if i > self.line_cap() || i > self.max_event_bytes {
            return None;
        }
        // The line end and the blank line's end: LF LF, CRLF CRLF, or CR CR (whose second CR
        // may still pair with an LF in the next chunk).
        let (consumed, ends) = match (buf[i], buf.get(i + 1), buf.get(i + 2), buf.get(i + 3)) {
            (b'\n', Some(b'\n'), _, _) => (i + 2, [2u64, 0, 0]),
            (b'\r', Some(b'\n'), Some(b'\r'), Some(b'\n')) => (i + 4, [0, 2, 0]),
            (b'\r', Some(b'\r'), _, _) => (i + 2, [0, 0, 2]),
            _ => return None,
        };
        let value = &buf[from..i];
        let start = self.pos;
        self.out.longest_line = self.out.longest_line.max(i as u64);
        self.out.line_ends.lf += ends[0];
        self.out.line_ends.crlf += ends[1];
        self.out.line_ends.cr += ends[2];
        // Position of the blank line's end, as the general path has it when dispatching.
        self.pos = start + consumed as u64 - 1 - u64::from(ends[1] > 0);
        self.dispatch_data(value, skimmed, 1, "", start, at);
        self.pos = start + consumed as u64;
        self.pending_cr = ends[2] > 0;
        Some(consumed)
    }

    /// Reuse the event buffer unless it grew large (memory stays bounded between events).
    fn recycle(&mut self, mut data: Vec<u8>) {
        if data.capacity() <= 1024 * 1024 {
            data.clear();
            self.data = data;
        }
    }

    fn classify(&self, data: &[u8]) -> Parsed {
        // Straight from the bytes: serde_json validates what it parses, and UTF-8 is only
        // looked at when the data does not parse (to say why).
        match data.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {
                // The scanner answers for the common message; whatever it is not certain
                // of, serde_json reads (and words the problem).
                let env = self.fast_paths.then(|| envelope::skim(data)).flatten();
                match env.map_or_else(|| serde_json::from_slice::<Envelope>(data), Ok) {
                    Ok(env) => self.classify_envelope(env, Some(data)),
                    Err(e) => bad_data(data, &e),
                }
            }
            Some(b'[') => {
                // A batch (removed in 2025-06-18, still parsed): look for the response in it.
                match serde_json::from_slice::<Vec<Value>>(data) {
                    Ok(items) => {
                        let mut other = None;
                        for item in items {
                            if let Ok(env) = serde_json::from_value::<Envelope>(item.clone()) {
                                match self.classify_envelope(env, None) {
                                    Parsed::Response(_) => return Parsed::Response(item),
                                    Parsed::OtherId(id) => other = Some(id),
                                    _ => {}
                                }
                            }
                        }
                        match other {
                            Some(id) => Parsed::OtherId(id),
                            None => Parsed::Notification,
                        }
                    }
                    Err(e) => bad_data(data, &e),
                }
            }
            _ => match serde_json::from_slice::<IgnoredAny>(data) {
                Ok(_) => Parsed::Bad(
                    ProblemKind::NotJson,
                    format!(
                        "event data is JSON but not a JSON-RPC message: {}",
                        preview(&String::from_utf8_lossy(data))
                    ),
                ),
                Err(e) => bad_data(data, &e),
            },
        }
    }

    /// `data` is the event's bytes, to keep the whole response; `None` for a batch item.
    fn classify_envelope(&self, env: Envelope, data: Option<&[u8]>) -> Parsed {
        let is_response = env.result.is_some() || env.error.is_some();
        match (env.id, env.method.is_some(), is_response) {
            (Some(id), false, true) => {
                if !ids_match(&self.expected_id, &id) {
                    return Parsed::OtherId(id);
                }
                match data {
                    // Batch item: the caller keeps the value.
                    None => Parsed::Response(Value::Null),
                    Some(d) => match serde_json::from_slice::<Value>(d) {
                        Ok(v) => Parsed::Response(v),
                        Err(e) => bad_data(d, &e),
                    },
                }
            }
            (Some(_), true, _) => Parsed::Request,
            (None, true, _) => Parsed::Notification,
            _ => Parsed::Bad(
                ProblemKind::NotJson,
                format!(
                    "event data is a JSON object but not a JSON-RPC message (no method, or an \
                    id without result/error): {}",
                    preview(&String::from_utf8_lossy(data.unwrap_or(b"")))
                ),
            ),
        }
    }

    /// The stream ended (EOF) at `at`: the verdict.
    pub fn finish(mut self, at: Duration) -> SseOutcome {
        if !self.head_done && !self.head.is_empty() {
            // Fewer than 3 bytes, all a BOM prefix: they are data after all.
            let head = std::mem::take(&mut self.head);
            self.head_done = true;
            self.process(&head, at);
        }
        self.out.total = at;
        let partial_line = self.line_len > 0;
        if partial_line {
            self.out.longest_line = self.out.longest_line.max(self.line_len);
            // A final line without its line end: per spec it is discarded; look at it only
            // to say what was lost.
            let line = std::mem::take(&mut self.line);
            let start = self.line_start;
            self.problem(
                ProblemKind::Framing,
                start,
                format!(
                    "the stream ended inside a line ({} bytes without a line end)",
                    self.line_len
                ),
            );
            let capped = self.line_len > line.len() as u64;
            if !capped {
                // Treat it as if terminated, to learn whether it held the response.
                self.handle_line_slice(&line, at);
            }
        }
        let inside_event = self.in_event;
        if inside_event {
            let data = std::mem::take(&mut self.data);
            let held_response = !self.data_overflow
                && !data.is_empty()
                && matches!(self.classify(&data), Parsed::Response(_));
            if held_response && self.out.response.is_none() {
                self.out.unterminated_response = true;
            }
            if !partial_line {
                self.problem(
                    ProblemKind::Framing,
                    self.event_start,
                    format!(
                        "the stream ended inside an event: no blank line after the \
                            event that began at byte {}{}",
                        self.event_start,
                        if held_response {
                            " (it held the response, which clients discard without the blank line)"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }
        if self.out.response.is_none() {
            let kind = if inside_event || partial_line {
                TruncationKind::EofInsideEvent
            } else if self.last_event_unparsable {
                TruncationKind::UnparsableJson
            } else {
                TruncationKind::EofBeforeResponse
            };
            self.out.truncation = Some(Truncation {
                kind,
                cut_at: self.out.bytes,
                round_size: is_round_size(self.out.bytes),
            });
        }
        self.out
    }
}

enum Parsed {
    Response(Value),
    OtherId(Value),
    Notification,
    Request,
    Bad(ProblemKind, String),
}

/// JSON-RPC ids match when equal; numbers compare by value (1 and 1.0).
pub fn ids_match(expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        (Value::Number(a), Value::Number(b)) => a == b || a.as_f64() == b.as_f64(),
        _ => expected == got,
    }
}

fn describe_id_mismatch(expected: &Value, got: &Value) -> String {
    let shown = preview(&got.to_string());
    if crate::input::json_type(expected, false) != crate::input::json_type(got, false) {
        format!(
            "a response with id {shown} (a {}) where the request's id is \
                {expected} (a {}): clients match ids by type and value",
            crate::input::json_type(got, false),
            crate::input::json_type(expected, false)
        )
    } else {
        format!("a response with id {shown} where the request's id is {expected}")
    }
}

/// Why event data did not parse: not UTF-8, cut short, or not JSON.
fn bad_data(data: &[u8], e: &serde_json::Error) -> Parsed {
    match std::str::from_utf8(data) {
        Ok(text) => Parsed::Bad(ProblemKind::NotJson, not_json(text, e)),
        Err(u) => Parsed::Bad(
            ProblemKind::NotUtf8,
            format!(
                "event data is not UTF-8 (invalid byte at {} of {})",
                u.valid_up_to(),
                data.len()
            ),
        ),
    }
}

fn not_json(text: &str, e: &serde_json::Error) -> String {
    if e.is_eof() {
        format!(
            "event data is JSON cut short after {} bytes: {}",
            text.len(),
            preview(text)
        )
    } else {
        format!("event data is not JSON ({e}): {}", preview(text))
    }
}

/// The first 80 characters, for a problem's detail.
fn preview(text: &str) -> String {
    let mut p: String = text.chars().take(80).collect();
    if text.chars().nth(80).is_some() {
        p.push('…');
    }
    p
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
