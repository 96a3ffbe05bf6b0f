//! The judgement: what a reply read by [`super::transport`] means, as `mcp.*` and `sse.*`
//! findings. Who refused is [`super::classify`]'s question; this module turns its answer, the
//! body's integrity and the exchange's timing into checks. It never talks to the network.
//!
//! Timing is judged against what the two ends do: Context7 4.x sends no keep-alives, so a
//! silent pause while a tool runs is normal and is not a stall by itself; APIM (through its
//! load balancer) closes a connection idle for about 4 minutes. What fails is an exchange
//! that did not deliver its response within its deadline, and the finding says what the
//! time was spent on: silence, or comments that kept the stream open without the response.

use super::codes;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::time::Duration;
use url::Url;

use super::classify::{self, Cause, Step};
use super::sse::{ProblemKind, SseOutcome, TruncationKind, is_round_size};
use super::transport::{Body, End, Reply};
use super::whatwg::SpecView;
use crate::deployment::Pattern;
use crate::http::status_text;
use crate::report::Check;
use crate::report::redact;

/// The idle time after which APIM's load balancer closes a connection (FACTS.md, APIM:
/// "keep idle gaps under the load balancer's 4 minutes").
pub const APIM_IDLE_LIMIT: Duration = Duration::from_secs(240);

/// What the policy of `pattern` must put in the backend request's Authorization header when
/// Context7 saw no credential (the guides' policies), for the fix's `{pattern_credential}`.
fn pattern_credential(pattern: Pattern) -> &'static str {
    match pattern {
        Pattern::Obo => {
            "obo: the OBO token, set after the exchange and the cache lookup with \
             <set-header name=\"Authorization\" exists-action=\"override\"><value>@(\"Bearer \" \
             + (string)context.Variables[\"oboToken\"])</value></set-header>, the variable \
             holding the OBO response's access_token (or the get-authorization-context \
             result's AccessToken), never empty and never one the policy does not set"
        }
        Pattern::Passthrough => {
            "passthrough: forward the client's Authorization header unchanged; \
             validate-azure-ad-token leaves it in place, so remove any set-header that deletes \
             or overrides Authorization (in this policy, in a fragment it includes, or at a \
             scope its <base /> pulls in)"
        }
        Pattern::SharedKey => {
            "shared-key: the teamspace key, <set-header name=\"Authorization\" \
             exists-action=\"override\"><value>Bearer {{context7-api-key}}</value></set-header>, \
             context7-api-key a secret named value holding the ctx7sk… key"
        }
    }
}

/// Who is judged, and against what.
#[derive(Debug, Clone)]
pub struct Judge {
    /// Check id prefix (`probe`, `probe.2026`, `probe.direct` …).
    pub prefix: String,
    /// Who is being spoken to ("the gateway", "Context7 directly").
    pub peer: String,
    /// The gateway's MCP URL (`None`: Context7 directly).
    pub gateway: Option<Url>,
    pub pattern: Pattern,
    /// The credential is the shared-key API key (sent to Context7 directly).
    pub api_key: bool,
    /// The exchange's deadline.
    pub deadline: Duration,
    /// Whether `--stream-deadline` set it (else `--timeout`).
    pub deadline_flag: &'static str,
    pub stream_cap: u64,
}

/// What a reply to a request is.
pub enum Judged {
    Result(Value),
    Cause(Cause),
    /// The response did not arrive; the stream check says why.
    Stream,
    Failed(Box<Check>),
}

impl Judge {
    pub fn id(&self, step: &str) -> String {
        format!("{}.{step}", self.prefix)
    }

    /// Decide what a reply to a request means.
    pub fn judge(
        &self,
        step: Step,
        id: &str,
        title: &str,
        reply: &Reply,
        accepted: bool,
    ) -> Judged {
        let gw = self.gateway.as_ref();
        if !(200..300).contains(&reply.status) {
            return Judged::Cause(classify::classify_http(
                step,
                reply.status,
                &reply.headers,
                &reply.head,
                accepted,
                gw,
                self.pattern,
            ));
        }
        match &reply.body {
            Body::Sse(o, _) if o.response.is_none() => Judged::Stream,
            Body::Json(Err(e)) => {
                let cut = e.contains("cut short")
                    || reply
                        .content_length()
                        .is_some_and(|cl| cl > reply.wire_bytes);
                if matches!(reply.end, End::Eof | End::LeftOpen) && !cut {
                    Judged::Failed(Box::new(
                        Check::new(id, title)
                            .fail(
                                step.generic_code(),
                                format!("{} {e}", status_text(reply.status)),
                            )
                            .evidence("status", reply.status)
                            .evidence("body", preview_bytes(&reply.head)),
                    ))
                } else {
                    Judged::Stream
                }
            }
            Body::Empty => Judged::Failed(Box::new(
                Check::new(id, title)
                    .fail(
                        step.generic_code(),
                        format!(
                            "{} with an empty body: no JSON-RPC response",
                            status_text(reply.status)
                        ),
                    )
                    .evidence("status", reply.status)
                    .evidence("content_type", reply.content_type.clone()),
            )),
            Body::Other(bytes) => Judged::Failed(Box::new(
                Check::new(id, title)
                    .fail(
                        codes::SSE_CONTENT_TYPE,
                        format!(
                            "{} with Content-Type {:?}: neither application/json nor \
                                text/event-stream",
                            status_text(reply.status),
                            if reply.content_type.is_empty() {
                                "none"
                            } else {
                                &reply.content_type
                            }
                        ),
                    )
                    .evidence("status", reply.status)
                    .evidence("body", preview_bytes(bytes)),
            )),
            _ => {
                let Some(msg) = reply.message() else {
                    return Judged::Stream;
                };
                if let Some((code, message, data)) = classify::jsonrpc_error(msg) {
                    return Judged::Cause(classify::classify_rpc_error(
                        step,
                        reply.status,
                        code,
                        &message,
                        data.as_ref(),
                        accepted,
                        self.pattern,
                    ));
                }
                match msg.get("result") {
                    Some(r) => Judged::Result(r.clone()),
                    None => Judged::Failed(Box::new(
                        Check::new(id, title)
                            .fail(
                                step.generic_code(),
                                "a JSON-RPC message without result or error",
                            )
                            .evidence("status", reply.status),
                    )),
                }
            }
        }
    }

    /// The check for a classified failure.
    pub fn cause_check(
        &self,
        step: Step,
        id: &str,
        title: &str,
        reply: &Reply,
        cause: &Cause,
    ) -> Check {
        let code = cause.code(step);
        let mut check = Check::new(id, title)
            .fail(code, cause.describe())
            .evidence("status", reply.status)
            .evidence("peer", self.peer.clone())
            .duration(reply.elapsed);
        if !reply.head.is_empty() && !(200..300).contains(&reply.status) {
            check = check.evidence("body", preview_bytes(&reply.head));
        }
        if let Some(www) = reply.header("www-authenticate") {
            check = check.evidence("www_authenticate", classify::short(&www));
        }
        if let Cause::Redirect { location, .. } = cause {
            check = check.evidence("location", location.clone());
        }
        if let Cause::NoCredential { .. } = cause {
            check = check.fix_var("pattern_credential", pattern_credential(self.pattern));
        }
        check
    }

    /// Context7's own `WWW-Authenticate` on a refusal seen through the gateway: clients
    /// that follow it go to Context7's authorization server. Only a 401/403 counts — clients
    /// read the challenge on a refusal, and Context7 sends its header on every response.
    pub fn challenge_check(&self, reply: &Reply) -> Option<Check> {
        self.gateway.as_ref()?;
        if !matches!(reply.status, 401 | 403) {
            return None;
        }
        let url = classify::upstream_challenge(&reply.headers, self.gateway.as_ref())?;
        Some(
            Check::new(
                self.id("challenge"),
                "The gateway does not pass Context7's own WWW-Authenticate through",
            )
            .fail(
                crate::discovery::codes::CHALLENGE_UPSTREAM,
                format!(
                    "the {} refusal carries WWW-Authenticate with resource_metadata {url}: \
                        Context7's own metadata leaks through the gateway, and clients that \
                        follow it go to Context7's authorization server instead of Entra",
                    reply.status
                ),
            )
            .evidence("resource_metadata", url)
            .evidence("status", reply.status),
        )
    }

    /// Checks on how the response was delivered: integrity, buffering, framing, timing.
    pub fn stream_checks(&self, step: &str, reply: &Reply) -> Vec<Check> {
        let mut out = Vec::new();
        let id = self.id(&format!("{step}.stream"));
        if !(200..300).contains(&reply.status) {
            return out;
        }
        let is_sse = reply.is_sse();
        let cl = reply.header("content-length");
        // Buffering signs on an event stream.
        if is_sse && (cl.is_some() || reply.encoding.is_some()) {
            let mut what = Vec::new();
            if let Some(cl) = &cl {
                what.push(format!("Content-Length: {cl}"));
            }
            if let Some(e) = &reply.encoding {
                what.push(format!("Content-Encoding: {e}"));
            }
            out.push(
                Check::new(
                    self.id(&format!("{step}.buffering")),
                    "The event stream is passed through, not buffered",
                )
                .warn(
                    codes::SSE_BUFFERED,
                    format!(
                        "the event stream carries {}: something between client and \
                                server buffers (or compresses) the whole response before \
                                sending it, so clients see nothing until it is complete",
                        what.join(" and ")
                    ),
                )
                .evidence("content_length", cl.clone().unwrap_or_default())
                .evidence(
                    "content_encoding",
                    reply.encoding.clone().unwrap_or_default(),
                ),
            );
        }
        match &reply.body {
            Body::Sse(o, spec) => {
                out.push(self.sse_check(&id, reply, o, spec));
                // Problems that did not stop the response from arriving.
                if o.response.is_some() {
                    for kind in [
                        ProblemKind::Framing,
                        ProblemKind::NotJson,
                        ProblemKind::NotUtf8,
                        ProblemKind::IdMismatch,
                        ProblemKind::Oversized,
                    ] {
                        if let Some(p) = o.problem(kind) {
                            let n = o.problems.iter().filter(|q| q.kind == kind).count();
                            out.push(
                                Check::new(
                                    self.id(&format!("{step}.stream-{}", kind_slug(kind))),
                                    "The event stream is well formed",
                                )
                                .warn(
                                    kind.code(),
                                    format!(
                                        "at byte {}: {}{}",
                                        p.offset,
                                        p.detail,
                                        if n > 1 {
                                            format!(" (and {} more)", n - 1)
                                        } else {
                                            String::new()
                                        }
                                    ),
                                )
                                .evidence("offset", p.offset),
                            );
                        }
                    }
                }
            }
            Body::Json(r) => {
                if let Some(c) = self.json_check(&id, reply, r) {
                    out.push(c);
                }
            }
            _ => {}
        }
        if let Some(c) = self.idle_check(step, reply) {
            out.push(c);
        }
        out
    }

    /// A pause near APIM's idle limit: the response arrived, but a longer one is reaped.
    fn idle_check(&self, step: &str, reply: &Reply) -> Option<Check> {
        let gap = reply.timing.max_gap;
        if reply.message().is_none() || gap < APIM_IDLE_LIMIT - Duration::from_secs(30) {
            return None;
        }
        Some(
            Check::new(
                self.id(&format!("{step}.idle")),
                "Idle gaps stay under APIM's 4-minute limit",
            )
            .warn(
                codes::SSE_STALLED,
                format!(
                    "a {} s gap without a byte: Context7 sends no keep-alives, and APIM's load \
                     balancer closes a connection idle for about 4 minutes, so a slightly \
                     slower answer is cut",
                    gap.as_secs()
                ),
            )
            .evidence("max_gap_ms", gap.as_millis() as u64),
        )
    }

    /// The integrity of a JSON body: `Content-Length` against the bytes received, a cut at
    /// a round size, JSON that ends early.
    fn json_check(&self, id: &str, reply: &Reply, r: &Result<Value, String>) -> Option<Check> {
        let title = "The JSON response arrived whole";
        let cl = reply.content_length();
        let mut check = Check::new(id, title)
            .evidence("bytes", reply.wire_bytes)
            .evidence("content_type", reply.content_type.clone())
            .duration(reply.elapsed);
        if let Some(cl) = cl {
            check = check.evidence("content_length", cl);
        }
        let short_of_length = cl.is_some_and(|cl| cl > reply.wire_bytes);
        let round = is_round_size(reply.wire_bytes);
        let round_note = if round {
            " — a round size: the signature of APIM's \"Number of payload bytes to log\""
        } else {
            ""
        };
        Some(match (r, &reply.end) {
            (Ok(_), _) if !short_of_length => check.pass(format!(
                "application/json, {} bytes in {} ms{}",
                reply.wire_bytes,
                reply.elapsed.as_millis(),
                match cl {
                    Some(cl) => format!(", as its Content-Length ({cl}) says"),
                    None => String::new(),
                }
            )),
            (_, End::Cap) => check.fail(
                codes::SSE_OVERSIZED,
                format!(
                    "the JSON body is larger than c7doctor's cap ({} bytes read)",
                    reply.wire_bytes
                ),
            ),
            (Err(_), End::Deadline(t)) if !short_of_length => check
                .fail(
                    codes::SSE_STALLED,
                    format!(
                        "the JSON body stopped after {} bytes: {} s ({}) passed before it \
                         ended; {}",
                        reply.wire_bytes,
                        t.as_secs_f64(),
                        self.deadline_flag,
                        self.gaps(reply)
                    ),
                )
                .evidence("max_gap_ms", reply.timing.max_gap.as_millis() as u64),
            (r, end)
                if short_of_length
                    || r.as_ref().is_err_and(|e| e.contains("cut short"))
                    || matches!(end, End::Broken(_)) =>
            {
                let how = match cl {
                    Some(cl) if cl > reply.wire_bytes => format!(
                        "the JSON body ended after {} of the {cl} bytes its Content-Length \
                         announced",
                        reply.wire_bytes
                    ),
                    _ => format!(
                        "the JSON body ended after {} bytes, before the JSON was complete",
                        reply.wire_bytes
                    ),
                };
                check
                    .fail(
                        codes::SSE_TRUNCATED,
                        format!("{how}{}{round_note}", end_note(end)),
                    )
                    .evidence("cut_at", reply.wire_bytes)
                    .evidence("round_size", round)
            }
            // A complete body that is not JSON: the step's own check says so.
            _ => return None,
        })
    }

    /// "largest gap N ms, K chunks" — what the time of an exchange was spent on.
    fn gaps(&self, reply: &Reply) -> String {
        let t = &reply.timing;
        match t.last_byte {
            None => format!(
                "not one byte of the body arrived (head after {} ms)",
                reply.head_at.as_millis()
            ),
            Some(last) => format!(
                "{} chunks, the last at {} ms; largest gap {} ms",
                t.chunks,
                last.as_millis(),
                t.max_gap.as_millis()
            ),
        }
    }

    fn sse_check(&self, id: &str, reply: &Reply, o: &SseOutcome, spec: &SpecView) -> Check {
        let title = "The event stream delivers the JSON-RPC response whole";
        let ms = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
        let mut check = Check::new(id, title)
            .evidence("bytes", o.bytes)
            .evidence("wire_bytes", reply.wire_bytes)
            .evidence("chunks", o.chunks)
            .evidence("events", o.events)
            .evidence("empty_events", o.empty_events)
            .evidence("comments", o.comments)
            .evidence("notifications", o.notifications)
            .evidence("ttfb_ms", ms(o.ttfb))
            .evidence("max_gap_ms", o.max_gap.as_millis() as u64)
            .evidence("total_ms", o.total.as_millis() as u64)
            .evidence(
                "line_ends",
                json!({"lf": o.line_ends.lf, "crlf": o.line_ends.crlf, "cr": o.line_ends.cr}),
            )
            .evidence("whatwg", spec_evidence(spec))
            .duration(reply.elapsed);
        if o.bom {
            check = check.evidence("bom", true);
        }
        if o.response.is_some() {
            if spec.compared && !spec.response {
                // The exact parser saw it; an EventSource client does not.
                return check.fail(
                    codes::SSE_FRAMING,
                    format!(
                        "c7doctor's parser found the JSON-RPC response, but a WHATWG EventSource \
                         parser (eventsource-stream) over the same {} bytes does not deliver it{}: \
                         clients that parse by those rules — the TypeScript SDK's eventsource-parser \
                         does — lose the response",
                        o.bytes,
                        spec.error
                            .as_ref()
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    ),
                );
            }
            let left_open = matches!(reply.end, End::LeftOpen);
            let mut detail = format!(
                "{} events, {} bytes; first byte after {} ms, largest gap {} \
                    ms, response in event {} after {} ms{}",
                o.events,
                o.bytes,
                ms(o.ttfb).unwrap_or(0),
                o.max_gap.as_millis(),
                o.response_event.map(|e| e + 1).unwrap_or(0),
                ms(o.response_at).unwrap_or(0),
                if left_open {
                    "; the server kept the stream open after the response \
                        (c7doctor stopped reading)"
                } else {
                    "; stream closed after it"
                }
            );
            if o.events > 1
                && o.single_burst()
                && o.ttfb.is_some_and(|t| t > Duration::from_secs(2))
            {
                detail.push_str("; every event arrived in one burst after a long wait");
                return check.warn(codes::SSE_BUFFERED, detail);
            }
            return check.pass(detail);
        }
        // The response did not arrive: say why, most specific first.
        let cut = o.bytes;
        let tail = format!(
            "{} bytes, {} events received{}",
            cut,
            o.events,
            if reply.wire_bytes != o.bytes {
                format!(" ({} bytes on the wire, compressed)", reply.wire_bytes)
            } else {
                String::new()
            }
        );
        match &reply.end {
            End::Deadline(at) => {
                let secs = at.as_secs_f64();
                let detail = if o.comments > 0 && o.events <= o.empty_events {
                    format!(
                        "the stream was kept open with {} `:` comments for {secs:.1} s without \
                         the response ({} deadline; largest gap {} ms) — keep-alives are not an \
                         answer, and Context7 4.x sends none, so something between client and \
                         server holds the response back; {tail}",
                        o.comments,
                        self.deadline_flag,
                        o.max_gap.as_millis()
                    )
                } else if o.bytes == 0 {
                    format!(
                        "no byte of the body for {secs:.1} s ({}): Context7 sends no \
                         keep-alives, so a slow tool is silent until it answers — raise \
                         --timeout if the backend is only slow; APIM closes a connection idle \
                         for about 4 minutes",
                        self.deadline_flag
                    )
                } else {
                    format!(
                        "the response had not arrived after {secs:.1} s ({}); the last byte came \
                         at {} ms, largest gap {} ms; {tail}",
                        self.deadline_flag,
                        o.last_chunk_at.map(|d| d.as_millis()).unwrap_or(0),
                        o.max_gap.as_millis()
                    )
                };
                return check
                    .fail(codes::SSE_STALLED, detail)
                    .evidence("stalled_after_bytes", cut);
            }
            End::Cap => {
                return check.fail(
                    codes::SSE_OVERSIZED,
                    format!(
                        "c7doctor stopped reading at the {} MiB cap (--max-stream-mib) \
                            before the response arrived; {tail}",
                        self.stream_cap / (1024 * 1024)
                    ),
                );
            }
            _ => {}
        }
        if o.unterminated_response {
            let reference = if spec.compared && !spec.response {
                " — a WHATWG EventSource parser (eventsource-stream) run over the same bytes drops \
                 it too, as clients that parse by those rules (the TypeScript SDK's \
                 eventsource-parser) do"
            } else {
                ""
            };
            return check.fail(
                codes::SSE_FRAMING,
                format!(
                    "the response event is not followed by a blank line before the \
                        stream ends{reference}; {tail}"
                ),
            );
        }
        if let Some(p) = o.problem(ProblemKind::Oversized) {
            return check
                .fail(
                    codes::SSE_OVERSIZED,
                    format!("at byte {}: {}; {tail}", p.offset, p.detail),
                )
                .evidence("offset", p.offset);
        }
        if let (Some(p), Some(TruncationKind::EofBeforeResponse)) = (
            o.problem(ProblemKind::IdMismatch),
            o.truncation.map(|t| t.kind),
        ) {
            return check.fail(codes::SSE_ID_MISMATCH, format!("{}; {tail}", p.detail));
        }
        let t = o.truncation;
        let kind = t.map(|t| t.kind.as_str()).unwrap_or("eof-before-response");
        let round = t.is_some_and(|t| t.round_size);
        let how = match t.map(|t| t.kind) {
            Some(TruncationKind::EofInsideEvent) => "inside an event",
            Some(TruncationKind::UnparsableJson) => {
                "with JSON that does not parse in the last event"
            }
            _ => "between events, before the response",
        };
        let mut check = check
            .fail(
                codes::SSE_TRUNCATED,
                format!(
                    "the stream ended {how} after {cut} bytes{}{}",
                    end_note(&reply.end),
                    if round {
                        " — a round size: the signature of APIM diagnostics' \"Number \
                            of payload bytes to log\""
                    } else {
                        ""
                    }
                ),
            )
            .evidence("cut_at", cut)
            .evidence("truncation", kind)
            .evidence("round_size", round);
        if let End::Broken(e) = &reply.end {
            check = check.evidence("failure", e.kind.as_str());
        }
        if let Some(p) = o.problems.last() {
            check = check.evidence("last_problem", p.detail.clone());
        }
        check
    }
}

fn spec_evidence(spec: &SpecView) -> Value {
    json!({
        "compared": spec.compared,
        "events": spec.events,
        "response": spec.response,
        "error": spec.error,
    })
}

fn end_note(end: &End) -> String {
    match end {
        End::Broken(e) => format!(" ({})", e.detail),
        _ => String::new(),
    }
}

fn kind_slug(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Framing => "framing",
        ProblemKind::Oversized => "oversized",
        ProblemKind::NotUtf8 => "utf8",
        ProblemKind::NotJson => "json",
        ProblemKind::IdMismatch => "id",
    }
}

/// A short, scrubbed preview of body bytes for evidence.
pub fn preview_bytes(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = redact::json_for_trace(&text);
    redact::scrub(&classify::short(&text))
}

/// The `Location` of a redirect, resolved against the request URL, and whether it leaves
/// the origin.
pub fn redirect_target(headers: &HeaderMap, from: &Url) -> (String, Option<Url>) {
    let loc = headers
        .get("location")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let target = from.join(&loc).ok();
    (loc, target)
}
