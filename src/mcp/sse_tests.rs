//! Tests of the SSE integrity parser (kept beside it, in their own file).
use super::*;
use serde_json::json;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn run(chunks: &[&[u8]]) -> SseOutcome {
    let mut p = SseIntegrity::new(json!(1), DEFAULT_MAX_EVENT_BYTES);
    for (i, c) in chunks.iter().enumerate() {
        p.feed(c, ms(i as u64 * 10));
    }
    p.finish(ms(1000))
}

const RESP: &str = r#"{"jsonrpc":"2.0","id":1,"result":{"ok":true}}"#;

#[test]
fn healthy_lf_stream() {
    let s = format!("id: 0\nretry: 3000\ndata:\n\n: comment\nevent: message\ndata: {RESP}\n\n");
    let o = run(&[s.as_bytes()]);
    assert_eq!(o.response.as_ref().unwrap()["result"]["ok"], json!(true));
    assert_eq!(o.events, 2);
    assert_eq!(o.empty_events, 1);
    assert_eq!(o.comments, 1);
    assert!(o.problems.is_empty(), "{:?}", o.problems);
    assert!(o.truncation.is_none());
    assert_eq!(o.response_end, Some(s.len() as u64));
}

#[test]
fn cr_only_and_crlf_line_ends_are_legal() {
    for sep in ["\r", "\r\n", "\n"] {
        let s = format!(": c{sep}data: {RESP}{sep}{sep}");
        let o = run(&[s.as_bytes()]);
        assert!(o.response.is_some(), "sep {sep:?}");
        assert!(o.problems.is_empty(), "{sep:?}: {:?}", o.problems);
    }
    let o = run(&[format!("data: {RESP}\r\n\r\n").as_bytes()]);
    assert_eq!(o.line_ends.crlf, 2);
    assert_eq!(o.line_ends.cr, 0);
}

#[test]
fn crlf_split_across_chunks_is_one_line_end() {
    let s = format!("data: {RESP}\r");
    let o = run(&[s.as_bytes(), b"\n\r", b"\n"]);
    assert!(o.response.is_some());
    assert_eq!(o.line_ends.crlf, 2);
    assert_eq!(o.events, 1);
}

#[test]
fn every_split_point_gives_the_same_result() {
    let s = "\u{feff}: hi\r\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":1,\"result\":{}}\r\r";
    let bytes = s.as_bytes();
    for i in 0..bytes.len() {
        for j in i..bytes.len() {
            let o = run(&[&bytes[..i], &bytes[i..j], &bytes[j..]]);
            assert!(o.response.is_some(), "split {i},{j}");
            assert!(o.bom);
            assert!(o.problems.is_empty(), "split {i},{j}: {:?}", o.problems);
        }
    }
}

#[test]
fn bom_at_start_is_stripped() {
    let s = format!("\u{feff}data: {RESP}\n\n");
    let o = run(&[&s.as_bytes()[..1], &s.as_bytes()[1..]]);
    assert!(o.bom);
    assert!(o.response.is_some());
    // Not a BOM: the held bytes are data.
    let o = run(&[b"\xEF", b"\xBBx"]);
    assert!(!o.bom);
    assert_eq!(o.bytes, 3);
}

#[test]
fn multi_line_data_is_joined_with_lf() {
    let o = run(&[b"data: {\"jsonrpc\":\"2.0\",\"id\":1,\ndata: \"result\":\"a\"}\n\n"]);
    assert_eq!(o.response.unwrap()["result"], json!("a"));
}

#[test]
fn data_that_is_not_json_is_reported() {
    let o = run(&[b"data: hello world\n\n"]);
    assert_eq!(o.problems[0].kind, ProblemKind::NotJson);
    let t = o.truncation.unwrap();
    assert_eq!(t.kind, TruncationKind::UnparsableJson);
    let o = run(&[b"data: \"just a string\"\n\n"]);
    assert_eq!(o.problems[0].kind, ProblemKind::NotJson);
    assert!(o.problems[0].detail.contains("not a JSON-RPC"));
    let o = run(&[b"data: \xff\xfe\n\n"]);
    assert_eq!(o.problems[0].kind, ProblemKind::NotUtf8);
}

#[test]
fn event_without_blank_line_before_eof() {
    let s = format!("data: {RESP}\n");
    let o = run(&[s.as_bytes()]);
    assert!(o.response.is_none());
    assert!(o.unterminated_response);
    assert_eq!(o.truncation.unwrap().kind, TruncationKind::EofInsideEvent);
    assert_eq!(o.problems[0].kind, ProblemKind::Framing);
    // Without even the line end.
    let s = format!("data: {RESP}");
    let o = run(&[s.as_bytes()]);
    assert!(o.unterminated_response);
    assert_eq!(o.truncation.unwrap().kind, TruncationKind::EofInsideEvent);
}

#[test]
fn cut_at_round_size_is_flagged() {
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"result":{{"text":"{}"}}}}"#,
        "x".repeat(5000)
    );
    let s = format!("data: {big}\n\n");
    let o = run(&[&s.as_bytes()[..4096]]);
    let t = o.truncation.unwrap();
    assert_eq!(t.kind, TruncationKind::EofInsideEvent);
    assert_eq!(t.cut_at, 4096);
    assert!(t.round_size);
    // Cut and then terminated with a blank line: unparsable JSON.
    let mut cut = s.as_bytes()[..1024].to_vec();
    cut.extend_from_slice(b"\n\n");
    let o = run(&[&cut]);
    assert_eq!(o.truncation.unwrap().kind, TruncationKind::UnparsableJson);
    assert!(o.problems[0].detail.contains("cut short"));
    assert!(is_round_size(8192) && is_round_size(3072) && !is_round_size(1000));
}

#[test]
fn wrong_id_type_is_an_id_mismatch() {
    let o = run(&[b"data: {\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{}}\n\n"]);
    assert!(o.response.is_none());
    let p = o.problem(ProblemKind::IdMismatch).unwrap();
    assert!(p.detail.contains("a string"), "{}", p.detail);
    assert_eq!(
        o.truncation.unwrap().kind,
        TruncationKind::EofBeforeResponse
    );
    // 1.0 is the same id as 1.
    let o = run(&[b"data: {\"jsonrpc\":\"2.0\",\"id\":1.0,\"result\":{}}\n\n"]);
    assert!(o.response.is_some());
}

#[test]
fn notifications_and_server_requests_are_counted() {
    let s = format!(
        "data: \
            {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}}\n\ndata: \
            {{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}}\n\ndata: \
            {RESP}\n\n"
    );
    let o = run(&[s.as_bytes()]);
    assert_eq!(o.notifications, 1);
    assert_eq!(o.server_requests, 1);
    assert_eq!(o.response_event, Some(2));
}

#[test]
fn huge_line_is_capped_and_memory_stays_bounded() {
    let mut p = SseIntegrity::new(json!(1), 1024);
    p.feed(b"data: ", ms(0));
    let chunk = vec![b'a'; 64 * 1024];
    for i in 0..200 {
        p.feed(&chunk, ms(i));
        assert!(p.line.capacity() < 4096);
    }
    p.feed(b"\n\n", ms(300));
    p.feed(format!("data: {RESP}\n\n").as_bytes(), ms(301));
    let o = p.finish(ms(400));
    let prob = o.problem(ProblemKind::Oversized).unwrap();
    assert!(prob.detail.contains("13107206"), "{}", prob.detail);
    assert!(o.response.is_some());
    assert_eq!(o.events, 2);
}

#[test]
fn many_data_lines_over_the_cap_are_capped() {
    let mut p = SseIntegrity::new(json!(1), 100);
    for _ in 0..100 {
        p.feed(b"data: 0123456789\n", ms(0));
    }
    p.feed(b"\n", ms(0));
    let o = p.finish(ms(1));
    assert_eq!(o.problems.len(), 1);
    assert_eq!(o.problems[0].kind, ProblemKind::Oversized);
}

#[test]
fn timing_is_recorded() {
    let mut p = SseIntegrity::new(json!(1), 1024);
    p.feed(b": a\n\n", ms(50));
    p.feed(b": b\n\n", ms(60));
    p.feed(format!("data: {RESP}\n\n").as_bytes(), ms(560));
    let o = p.finish(ms(600));
    assert_eq!(o.ttfb, Some(ms(50)));
    assert_eq!(o.max_gap, ms(500));
    assert_eq!(o.max_gap_after_bytes, 10);
    assert_eq!(o.response_at, Some(ms(560)));
    assert_eq!(o.total, ms(600));
}

#[test]
fn other_event_type_is_flagged() {
    let s = format!("event: result\ndata: {RESP}\n\n");
    let o = run(&[s.as_bytes()]);
    assert_eq!(o.problems[0].kind, ProblemKind::Framing);
}

#[test]
fn empty_stream_is_truncated_before_response() {
    let o = run(&[]);
    let t = o.truncation.unwrap();
    assert_eq!(t.kind, TruncationKind::EofBeforeResponse);
    assert_eq!(t.cut_at, 0);
}

#[test]
fn problems_are_bounded() {
    let mut p = SseIntegrity::new(json!(1), 1024);
    for _ in 0..1000 {
        p.feed(b"data: nope\n\n", ms(0));
    }
    let o = p.finish(ms(1));
    assert_eq!(o.problems.len(), MAX_PROBLEMS);
    assert_eq!(o.problems_dropped, 1000 - MAX_PROBLEMS as u64);
}

/// The whole outcome, as the report would carry it, but for the number of chunks.
fn outcome_json(o: &SseOutcome) -> String {
    let mut o = o.clone();
    o.chunks = 0;
    serde_json::to_string(&o).unwrap()
}

/// `body` fed in the pieces `cuts` makes (all at the same time), fast paths on or off.
fn feed_split(body: &[u8], cuts: &[usize], fast: bool, cap: usize) -> SseOutcome {
    let mut p = SseIntegrity::new(json!(1), cap);
    if !fast {
        p = p.without_fast_paths();
    }
    let mut last = 0;
    for &c in cuts.iter().chain(std::iter::once(&body.len())) {
        p.feed(&body[last..c], ms(5));
        last = c;
    }
    p.finish(ms(1000))
}

/// One event: `data: {"jsonrpc":"2.0",` + `head` + `n` times `c` + `tail`.
fn alike(head: &str, c: char, n: usize, tail: &str) -> String {
    format!(
        "data: {{\"jsonrpc\":\"2.0\",{head}{}{tail}\n\n",
        c.to_string().repeat(n)
    )
}

#[test]
fn fast_paths_agree_with_the_reference_at_every_split() {
    let big = format!(
        "data: {{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":\"{}\"}}\n\n",
        "y".repeat(80)
    );
    let streams: Vec<Vec<u8>> = vec![
        format!("\u{feff}data: {RESP}\n\n").into_bytes(),
        format!(": c\r\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"n\"}}\r\n\r\ndata: {RESP}\r\n\r\n").into_bytes(),
        format!("data: {{\"jsonrpc\":\"2.0\",\"method\":\"n\"}}\r\rdata: {RESP}\r\r").into_bytes(),
        b"data: {\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":\"\xff\"}\n\ndata: \xff\n\ndata: {\"id\":1,\"id\":1,\"result\":{}}\n\n".to_vec(),
        b"data: {\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{}}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":1.0,\"result\":{}}\n\ndata: {\"id\":1,\"result\":2}\n\n".to_vec(),
        b"data: {\"a\":1,}\n\ndata: {\"id\":01}\n\ndata:{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}\n\ndata: [1]\n\n".to_vec(),
        [big.as_bytes(), big.as_bytes(), format!("data: {RESP}\n").as_bytes()].concat(),
        // The envelope read in the pass that finds the line end: spaces and tabs after the
        // message, no space or two after the colon, something after the message on its line,
        // a line end inside the message, a control character or escape in a long string.
        format!("data: {{\"jsonrpc\":\"2.0\",\"method\":\"n\"}} \t\n\ndata:{RESP}\r\rdata:  {RESP}\n\n").into_bytes(),
        format!("data: {RESP} x\n\ndata: {{\"id\":1,\n\"result\":{{}}}}\n\ndata: {RESP}\r\n\r\n").into_bytes(),
        format!("data: {{\"method\":\"n\",\"params\":\"{}\x01{}\"}}\n\ndata: {{\"method\":\"n\",\"params\":\"{}\\\"\"}}\n\ndata: {{\"id\":1,\"result\":\"{}\"}}\n\n", "z".repeat(40), "z".repeat(40), "z".repeat(70), "z".repeat(100)).into_bytes(),
        // Events alike but for a long string (answered from the last one's shape), the same
        // with an escape in it, ids that differ only in a long string, a response twice.
        [
            alike("\"method\":\"n\",\"params\":\"", 'z', 70, "\"}"),
            alike("\"method\":\"n\",\"params\":\"", 'y', 75, "\"}"),
            alike("\"method\":\"n\",\"params\":\"", 'y', 30, "\\\"y\"}"),
            alike("\"id\":\"", 'a', 70, "\",\"result\":{}}"),
            alike("\"id\":\"", 'b', 70, "\",\"result\":{}}"),
            alike("\"id\":1,\"result\":\"", 'c', 70, "\"}"),
            alike("\"id\":1,\"result\":\"", 'd', 90, "\"}"),
        ]
        .concat()
        .into_bytes(),
    ];
    for body in &streams {
        // 64: the long events go over the cap (the general path); 4096: all fit.
        for cap in [64, 4096] {
            let reference = outcome_json(&feed_split(body, &[], false, cap));
            for i in 0..=body.len() {
                let fast = outcome_json(&feed_split(body, &[i], true, cap));
                assert_eq!(
                    fast,
                    reference,
                    "cap {cap}, split at {i} of {:?}",
                    String::from_utf8_lossy(body)
                );
                for j in [i + 1, i + 2, i + 7] {
                    if j <= body.len() {
                        let fast = outcome_json(&feed_split(body, &[i, j], true, cap));
                        assert_eq!(fast, reference, "cap {cap}, split at {i},{j}");
                    }
                }
            }
        }
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    type Summary = (
        u64,
        u64,
        u64,
        bool,
        Vec<(ProblemKind, u64)>,
        Option<Truncation>,
    );

    fn summary(o: &SseOutcome) -> Summary {
        (
            o.bytes,
            o.events,
            o.comments,
            o.response.is_some(),
            o.problems.iter().map(|p| (p.kind, p.offset)).collect(),
            o.truncation,
        )
    }

    proptest! {
        /// Any bytes, any chunking: no panic, and the verdict does not depend on where
        /// the chunks were split.
        #[test]
        fn chunking_does_not_change_the_verdict(
            body in proptest::collection::vec(
                prop_oneof![
                    Just(b"data: ".to_vec()),
                    Just(b"\r".to_vec()),
                    Just(b"\n".to_vec()),
                    Just(b":".to_vec()),
                    Just(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}".to_vec()),
                    Just(vec![0xEF, 0xBB, 0xBF]),
                    proptest::collection::vec(any::<u8>(), 0..8),
                ],
                0..40,
            ).prop_map(|v: Vec<Vec<u8>>| v.concat()),
            cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
        ) {
            let mut whole = SseIntegrity::new(json!(1), 64);
            whole.feed(&body, ms(0));
            let whole = whole.finish(ms(1));
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
            points.sort_unstable();
            let mut split = SseIntegrity::new(json!(1), 64);
            let mut last = 0;
            for p in points.into_iter().chain(std::iter::once(body.len())) {
                split.feed(&body[last..p], ms(0));
                last = p;
            }
            let split = split.finish(ms(1));
            prop_assert_eq!(summary(&whole), summary(&split));
        }

        /// The fast paths (events read in place, the envelope scanner) give exactly the
        /// reference's outcome, whatever the stream and wherever it is split.
        #[test]
        fn fast_paths_give_the_reference_outcome(
            body in proptest::collection::vec(
                prop_oneof![
                    Just(b"data: ".to_vec()),
                    Just(b"data:".to_vec()),
                    Just(b"event: x\n".to_vec()),
                    Just(b": c\n".to_vec()),
                    Just(b"\r".to_vec()),
                    Just(b"\n".to_vec()),
                    Just(b"\r\n".to_vec()),
                    Just(b"\n\n".to_vec()),
                    Just(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}".to_vec()),
                    Just(b"{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{}}".to_vec()),
                    Just(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":1}}".to_vec()),
                    Just(b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}".to_vec()),
                    Just(b"{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{\"d\":\"a\\\"\xff\"}}".to_vec()),
                    Just(b"{\"id\":1,\"id\":1,\"result\":0}".to_vec()),
                    Just(b"{\"result\":1}".to_vec()),
                    Just(b"{\"a\":".to_vec()),
                    Just(b"\"x\"".to_vec()),
                    Just(b"}".to_vec()),
                    Just(vec![0xEF, 0xBB, 0xBF]),
                    Just(vec![b'z'; 70]),
                    Just(b" \t".to_vec()),
                    Just(format!("{{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":\"{}\"}}", "z".repeat(90)).into_bytes()),
                    Just(format!("{{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":\"{}\"}}", "y".repeat(70)).into_bytes()),
                    Just(format!("{{\"jsonrpc\":\"2.0\",\"id\":\"{}\",\"result\":{{}}}}", "z".repeat(70)).into_bytes()),
                    Just(format!("{{\"jsonrpc\":\"2.0\",\"id\":\"{}\",\"result\":{{}}}}", "y".repeat(70)).into_bytes()),
                    Just(format!("{{\"id\":1,\"result\":\"{}\"}}", "y".repeat(70)).into_bytes()),
                    proptest::collection::vec(any::<u8>(), 0..6),
                ],
                0..32,
            ).prop_map(|v: Vec<Vec<u8>>| v.concat()),
            cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
            cap in prop_oneof![Just(64usize), Just(4096)],
        ) {
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
            points.sort_unstable();
            let reference = outcome_json(&feed_split(&body, &[], false, cap));
            prop_assert_eq!(&outcome_json(&feed_split(&body, &[], true, cap)), &reference);
            prop_assert_eq!(&outcome_json(&feed_split(&body, &points, true, cap)), &reference);
        }
    }
}
