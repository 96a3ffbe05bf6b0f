//! The SSE integrity parser on arbitrary bytes, fed in chunks whose sizes the input picks
//! (so CR/LF pairs and UTF-8 sequences are split across chunk boundaries).
#![no_main]
use c7doctor::mcp::sse::SseIntegrity;
use libfuzzer_sys::fuzz_target;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let step = (data[0] as usize % 17) + 1;
    let mut parser = SseIntegrity::new(serde_json::json!(1), 4096);
    for (i, chunk) in data[1..].chunks(step).enumerate() {
        parser.feed(chunk, Duration::from_millis(i as u64));
    }
    let _ = parser.finish(Duration::from_secs(1));
});
