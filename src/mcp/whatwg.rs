//! What a WHATWG EventSource client sees: the same stream run through `eventsource-stream`,
//! a parser that follows the HTML standard's "server-sent events" rules — the rules the
//! TypeScript SDK's `eventsource-parser` follows too.
//!
//! [`super::sse::SseIntegrity`] is exact: it keeps byte offsets, bounded memory, and sees an
//! event that was never terminated. That exactness is also its blind spot: when it finds the
//! JSON-RPC response, the question a diagnosis must answer is whether a *client* gets it. The
//! reference parser answers that by construction: an event without the blank line that
//! dispatches it is dropped at EOF, a stream that is not UTF-8 is an error, and whatever it
//! dispatches is what a client's `onmessage` receives. When the two disagree, the finding says
//! what the reference saw.
//!
//! The reference holds whole lines in memory (that is how the crate works), so it only runs
//! over the first [`REFERENCE_CAP`] bytes of a stream: MCP responses are a few KiB to a few
//! hundred KiB. Past the cap it stops and says it did not compare.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use eventsource_stream::EventStream;
use futures_util::Stream;
use serde_json::Value;

/// Bytes of a stream the reference parser reads at most.
pub const REFERENCE_CAP: usize = 1024 * 1024;

/// What the reference parser saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecView {
    /// The whole stream went through the reference (it was not over [`REFERENCE_CAP`]).
    pub compared: bool,
    /// Events it dispatched (with data; the standard dispatches no event without data).
    pub events: u64,
    /// It dispatched the JSON-RPC response to the request.
    pub response: bool,
    /// It stopped with an error (not UTF-8, a line it cannot parse).
    pub error: Option<String>,
}

/// Chunks handed over but not yet parsed.
#[derive(Default)]
struct Queue {
    chunks: VecDeque<Bytes>,
    closed: bool,
}

/// The byte source of the reference parser: the chunks [`SpecReference::feed`] queued.
struct QueueStream(Arc<Mutex<Queue>>);

impl Stream for QueueStream {
    type Item = Result<Bytes, std::convert::Infallible>;

    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match q.chunks.pop_front() {
            Some(c) => Poll::Ready(Some(Ok(c))),
            None if q.closed => Poll::Ready(None),
            // Nothing queued yet: the caller polls again after the next feed.
            None => Poll::Pending,
        }
    }
}

/// The UTF-8 byte order mark, which may begin a stream (and is then not part of it).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The reference parser for one response stream.
pub struct SpecReference {
    queue: Arc<Mutex<Queue>>,
    events: Pin<Box<EventStream<QueueStream>>>,
    expected_id: Value,
    fed: usize,
    /// Bytes fed but not handed over yet: a line not ended (see [`SpecReference::feed`]).
    pending: Vec<u8>,
    /// The stream's first bytes were handed over (the BOM question is settled).
    started: bool,
    over_cap: bool,
    done: bool,
    view: SpecView,
}

impl SpecReference {
    pub fn new(expected_id: Value) -> Self {
        let queue = Arc::new(Mutex::new(Queue::default()));
        SpecReference {
            events: Box::pin(EventStream::new(QueueStream(queue.clone()))),
            queue,
            expected_id,
            fed: 0,
            pending: Vec::new(),
            started: false,
            over_cap: false,
            done: false,
            view: SpecView::default(),
        }
    }

    /// Hand over the next bytes of the stream (ignored past the cap or after an error).
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.over_cap || self.done || bytes.is_empty() {
            return;
        }
        if self.fed + bytes.len() > REFERENCE_CAP {
            self.over_cap = true;
            return;
        }
        self.fed += bytes.len();
        self.pending.extend_from_slice(bytes);
        // The parser reads its unfinished line again from its start on every chunk it is
        // given (quadratic in the line's length), and nothing can be dispatched before a
        // line ends: bytes without a CR or LF wait for the next chunk that has one. What
        // it reports does not depend on where the chunks were split.
        if memchr::memchr2(b'\n', b'\r', bytes).is_some() {
            self.hand_over();
            self.drain();
        }
    }

    /// The stream ended: what a client got.
    pub fn finish(mut self) -> SpecView {
        if !self.over_cap {
            self.hand_over();
            self.queue.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
            self.drain();
        }
        self.view.compared = !self.over_cap;
        self.view
    }

    /// Give the pending bytes to the parser. The stream's first bytes go with the BOM
    /// stripped here, as the standard says (one BOM), behind an empty line, which
    /// dispatches nothing: `eventsource-stream` 0.2.3 strips a leading BOM itself by
    /// slicing one byte into its three and panics, so it must never see one first.
    fn hand_over(&mut self) {
        let mut chunk = std::mem::take(&mut self.pending);
        if chunk.is_empty() && self.started {
            return;
        }
        if !self.started {
            self.started = true;
            if chunk.starts_with(BOM) {
                chunk.drain(..BOM.len());
            }
            chunk.insert(0, b'\n');
        }
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .chunks
            .push_back(Bytes::from(chunk));
    }

    /// Take every event the parser can dispatch now.
    fn drain(&mut self) {
        let mut cx = Context::from_waker(Waker::noop());
        while !self.done {
            match self.events.as_mut().poll_next(&mut cx) {
                Poll::Ready(Some(Ok(event))) => {
                    self.view.events += 1;
                    if is_response(&event.data, &self.expected_id) {
                        self.view.response = true;
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    self.view.error = Some(e.to_string());
                    self.done = true;
                }
                Poll::Ready(None) => self.done = true,
                Poll::Pending => break,
            }
        }
    }
}

/// A JSON-RPC response (result or error) to the request with `expected_id`.
fn is_response(data: &str, expected_id: &Value) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(data) else {
        return false;
    };
    (v.get("result").is_some() || v.get("error").is_some())
        && v.get("id").is_some_and(|id| id == expected_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(chunks: &[&[u8]]) -> SpecView {
        let mut r = SpecReference::new(json!(3));
        for c in chunks {
            r.feed(c);
        }
        r.finish()
    }

    const RESPONSE: &[u8] = br#"data: {"jsonrpc":"2.0","id":3,"result":{}}"#;

    #[test]
    fn a_terminated_response_is_dispatched() {
        let v = run(&[b"id: 0\nretry: 3000\ndata:\n\n", RESPONSE, b"\n\n"]);
        assert!(v.compared && v.response, "{v:?}");
    }

    #[test]
    fn an_unterminated_last_event_is_dropped() {
        // No blank line after the response: the standard discards the event at EOF.
        let v = run(&[RESPONSE, b"\n"]);
        assert!(v.compared);
        assert!(!v.response, "{v:?}");
        let v = run(&[RESPONSE]);
        assert!(!v.response, "{v:?}");
    }

    #[test]
    fn split_chunks_and_crlf_are_one_stream() {
        let v = run(&[
            b"data: {\"jsonrpc\":\"2.0\",",
            b"\"id\":3,\"result\":{}}\r",
            b"\n\r\n",
        ]);
        assert!(v.response, "{v:?}");
    }

    #[test]
    fn another_id_is_not_the_response() {
        let v = run(&[br#"data: {"jsonrpc":"2.0","id":"3","result":{}}"#, b"\n\n"]);
        assert_eq!(v.events, 1);
        assert!(!v.response);
    }

    #[test]
    fn a_leading_bom_is_stripped_once_without_a_panic() {
        let bom = b"\xEF\xBB\xBF";
        let whole = [&bom[..], RESPONSE, b"\n\n"].concat();
        assert!(run(&[&whole]).response);
        // Split inside the BOM, and the BOM alone.
        assert!(run(&[&whole[..1], &whole[1..5], &whole[5..]]).response);
        assert_eq!(run(&[bom]), run(&[]));
        // A second BOM is the start of the first line ("\u{feff}data", a field clients
        // ignore), as the standard has it.
        let two = [&bom[..], &bom[..], RESPONSE, b"\n\n", RESPONSE, b"\n\n"].concat();
        let v = run(&[&two]);
        assert_eq!(v.events, 1, "{v:?}");
        assert!(v.response && v.error.is_none(), "{v:?}");
    }

    #[test]
    fn a_long_unended_line_is_handed_over_once_it_ends() {
        let head = b"data: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"text\":\"";
        let mut chunks: Vec<Vec<u8>> = vec![head.to_vec()];
        chunks.extend(std::iter::repeat_n(vec![b'x'; 4096], 64));
        chunks.push(b"\"}}\n\n".to_vec());
        let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        let v = run(&refs);
        assert!(v.compared && v.response && v.events == 1, "{v:?}");
        // Past the cap with the line still open: nothing dispatched, nothing compared.
        let mut r = SpecReference::new(json!(3));
        r.feed(head);
        for _ in 0..(REFERENCE_CAP / 4096 + 1) {
            r.feed(&[b'x'; 4096]);
        }
        r.feed(b"\"}}\n\n");
        let v = r.finish();
        assert!(!v.compared && v.events == 0, "{v:?}");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// What the reference reports does not depend on how the stream was split
            /// into chunks (BOM, CR/LF pairs and multi-byte characters across a split,
            /// bytes that are not UTF-8, lines without an end).
            #[test]
            fn the_view_does_not_depend_on_the_chunking(
                body in proptest::collection::vec(
                    prop_oneof![
                        Just(b"data: ".to_vec()),
                        Just(b"data:".to_vec()),
                        Just(b": c".to_vec()),
                        Just(b"event: x".to_vec()),
                        Just(b"\r".to_vec()),
                        Just(b"\n".to_vec()),
                        Just(b"\r\n".to_vec()),
                        Just(br#"{"jsonrpc":"2.0","id":3,"result":{}}"#.to_vec()),
                        Just(br#"{"jsonrpc":"2.0","method":"n"}"#.to_vec()),
                        Just(vec![0xEF, 0xBB, 0xBF]),
                        Just("é€".as_bytes().to_vec()),
                        Just(vec![0xff]),
                        Just(vec![b'z'; 40]),
                    ],
                    0..24,
                ).prop_map(|v: Vec<Vec<u8>>| v.concat()),
                cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..8),
            ) {
                let mut points: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
                points.sort_unstable();
                let mut pieces = Vec::new();
                let mut last = 0;
                for p in points.into_iter().chain(std::iter::once(body.len())) {
                    pieces.push(&body[last..p]);
                    last = p;
                }
                prop_assert_eq!(run(&pieces), run(&[&body]));
            }
        }
    }

    #[test]
    fn past_the_cap_it_does_not_compare() {
        let mut r = SpecReference::new(json!(3));
        let big = vec![b':'; REFERENCE_CAP / 2 + 1];
        r.feed(&big);
        r.feed(&big);
        assert!(!r.finish().compared);
    }
}
