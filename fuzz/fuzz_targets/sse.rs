//! The SSE integrity parser on arbitrary bytes, fed in chunks whose sizes the input picks
//! (so CR/LF pairs and UTF-8 sequences are split across chunk boundaries), against the same
//! parser with its fast paths off, fed the bytes whole: the outcomes must be the same (but
//! for the number of chunks).
#![no_main]
use c7doctor::mcp::sse::SseIntegrity;
use libfuzzer_sys::fuzz_target;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let step = (data[0] as usize % 17) + 1;
    let at = Duration::from_millis(1);
    let mut parser = SseIntegrity::new(serde_json::json!(1), 4096);
    for chunk in data[1..].chunks(step) {
        parser.feed(chunk, at);
    }
    let mut fast = parser.finish(Duration::from_secs(1));
    let mut reference = SseIntegrity::new(serde_json::json!(1), 4096).without_fast_paths();
    reference.feed(&data[1..], at);
    let mut reference = reference.finish(Duration::from_secs(1));
    fast.chunks = 0;
    reference.chunks = 0;
    assert_eq!(
        serde_json::to_string(&fast).unwrap(),
        serde_json::to_string(&reference).unwrap()
    );
});
