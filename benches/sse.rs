//! Throughput of the SSE integrity parser (`c7doctor::mcp::sse`), fed in 16 KiB chunks as
//! a socket delivers them: many ordinary events (alike, and not alike), one huge data line,
//! and CR-only framing;
//! and the same events through the parser with its fast paths off (the reference the fast
//! paths are tested against), to show what they save. Run with `cargo bench --bench sse`.

use std::hint::black_box;
use std::time::Duration;

use c7doctor::mcp::sse::{DEFAULT_MAX_EVENT_BYTES, SseIntegrity};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;

const CHUNK: usize = 16 * 1024;
const SIZE: usize = 16 * 1024 * 1024;

/// `SIZE` bytes of notification events with `sep` line ends, then the response.
fn events(sep: &str) -> Vec<u8> {
    let event = format!(
        "data: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{{\"level\":\"info\",\"data\":\"{}\"}}}}{sep}{sep}",
        "x".repeat(900)
    );
    let mut body = Vec::with_capacity(SIZE + 1024);
    while body.len() < SIZE {
        body.extend_from_slice(event.as_bytes());
    }
    body.extend_from_slice(
        format!("data: {{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{{}}}}{sep}{sep}").as_bytes(),
    );
    body
}

/// `SIZE` bytes of notification events that are not alike: the level alternates and the
/// text's length varies, so no event has the last one's shape and each is scanned whole.
fn varied_events() -> Vec<u8> {
    let mut body = Vec::with_capacity(SIZE + 1024);
    let mut n = 0usize;
    while body.len() < SIZE {
        let level = if n.is_multiple_of(2) { "info" } else { "debug" };
        body.extend_from_slice(
            format!(
                "data: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{{\"level\":\"{level}\",\"data\":\"{}\"}}}}\n\n",
                "x".repeat(800 + n % 200)
            )
            .as_bytes(),
        );
        n += 1;
    }
    body.extend_from_slice(b"data: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n");
    body
}

/// One `SIZE`-byte data line (over the cap), then the response.
fn huge_line() -> Vec<u8> {
    let mut body = b"data: ".to_vec();
    body.resize(SIZE, b'x');
    body.extend_from_slice(b"\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n");
    body
}

fn parse(body: &[u8], fast: bool) -> u64 {
    let mut p = SseIntegrity::new(json!(3), DEFAULT_MAX_EVENT_BYTES);
    if !fast {
        p = p.without_fast_paths();
    }
    for (i, chunk) in body.chunks(CHUNK).enumerate() {
        p.feed(chunk, Duration::from_micros(i as u64));
    }
    let o = p.finish(Duration::from_secs(1));
    assert!(o.response.is_some());
    o.events
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sse");
    g.sample_size(20);
    let lf = events("\n");
    for (name, body, fast) in [
        ("events-lf", &lf, true),
        ("events-cr", &events("\r"), true),
        ("events-crlf", &events("\r\n"), true),
        ("events-varied", &varied_events(), true),
        ("huge-line", &huge_line(), true),
        ("events-lf-reference", &lf, false),
    ] {
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function(name, |b| b.iter(|| parse(black_box(body), fast)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
