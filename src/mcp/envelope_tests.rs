//! The envelope scanner against serde_json, the reference: whenever it answers, serde_json
//! gives the same envelope; and it does answer for the messages a stream is made of.
use super::*;
use proptest::prelude::*;

fn reference(data: &[u8]) -> Option<Envelope> {
    serde_json::from_slice::<Envelope>(data).ok()
}

/// The scanner either declines or agrees with serde_json.
fn agrees(data: &[u8]) -> bool {
    match skim(data) {
        None => true,
        Some(env) => reference(data).as_ref() == Some(&env),
    }
}

#[test]
fn ordinary_messages_are_skimmed_like_serde_json() {
    for m in [
        r#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"xx"}}"#,
        r#"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"a\"b\\c\u00e9\n"}],"isError":false}}"#,
        r#"{"jsonrpc":"2.0","id":"abc","method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad","data":[1,2.5e-3,-0.0,true,false,null,{}]}}"#,
        r#"{"jsonrpc":"2.0","id":1.0,"result":{}}"#,
        " \t\r\n{ \"id\" : 7 , \"result\" : [ ] } \n",
        "{}",
        "{\"text\":\"caf\u{e9} \u{1f600}\"}",
    ] {
        let got = skim(m.as_bytes());
        assert!(got.is_some(), "declined {m}");
        assert_eq!(got, reference(m.as_bytes()), "{m}");
    }
}

#[test]
fn what_serde_json_rejects_is_declined() {
    for m in [
        "",
        "{",
        r#"{"id":1,}"#,
        r#"{"id":1 "method":"x"}"#,
        r#"{"id":01,"result":{}}"#,
        r#"{"a":-}"#,
        r#"{"a":1.}"#,
        r#"{"a":1e}"#,
        r#"{"a":.5}"#,
        r#"{"a":tru}"#,
        r#"{"a":nul}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":"\u12g4"}"#,
        "{\"a\":\"tab\there\"}",
        "{\"a\":\"nl\nhere\"}",
        r#"{"a":[1,]}"#,
        r#"{"a":{"b"}}"#,
        r#"{"a":1} x"#,
        "\x0c{}",
        r#"{"id":1,"id":2}"#,
        r#"{"method":"a","method":"b"}"#,
        r#"{"result":1,"result":2}"#,
        r#"{"error":1,"error":2}"#,
        r#"{"id":1e999,"result":{}}"#,
        r#"{1:2}"#,
        r#"{"a":"unterminated}"#,
    ] {
        assert!(skim(m.as_bytes()).is_none(), "accepted {m}");
        assert!(agrees(m.as_bytes()), "{m}");
    }
}

#[test]
fn what_it_cannot_be_sure_of_goes_to_serde_json() {
    // Escaped or non-ASCII keys, object and array ids, deep nesting: serde_json decides.
    let deep = format!(
        "{{\"a\":{}{}}}",
        "[".repeat(MAX_DEPTH + 1),
        "]".repeat(MAX_DEPTH + 1)
    );
    for m in [
        r#"{"\u0069d":1,"result":{}}"#,
        "{\"i\u{e9}\":1}",
        r#"{"id":[1],"result":{}}"#,
        r#"{"id":{"a":1},"result":{}}"#,
        deep.as_str(),
    ] {
        assert!(skim(m.as_bytes()).is_none(), "accepted {m}");
    }
    // serde_json reads the escaped key as `id`: declining is what keeps the answers equal.
    let env = reference(br#"{"\u0069d":1,"result":{}}"#).unwrap();
    assert_eq!(env.id, Some(serde_json::json!(1)));
}

#[test]
fn invalid_utf8_in_an_ignored_string_is_accepted_as_serde_json_does() {
    let m = b"{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{\"d\":\"\xff\xfe\"}}";
    assert!(reference(m).is_some());
    assert_eq!(skim(m), reference(m));
    // In the id, serde_json parses the string and rejects it; so does the scanner.
    let m = b"{\"id\":\"\xff\",\"result\":{}}";
    assert!(reference(m).is_none());
    assert!(skim(m).is_none());
}

/// What `skim_line` must answer: `skim` of the line `rest` begins with, and where that line
/// ends; nothing when no line end follows.
fn line_reference(rest: &[u8]) -> Option<(Envelope, usize)> {
    let n = rest.iter().position(|&c| c == b'\n' || c == b'\r')?;
    skim(&rest[..n]).map(|env| (env, n))
}

#[test]
fn a_line_is_skimmed_up_to_its_end_as_the_line_alone_would_be() {
    let long = format!(
        r#"{{"jsonrpc":"2.0","method":"notifications/message","params":{{"data":"{}"}}}}"#,
        "x".repeat(900)
    );
    for (line, skimmed) in [
        (r#"{"jsonrpc":"2.0","method":"n"}"#, true),
        ("  {\"id\":3,\"result\":{\"a\":[1,\"b\"]}} \t ", true),
        (long.as_str(), true),
        (r#"{"id":1,"result":{}} x"#, false),
        (r#"{"id":1,"#, false),
        (r#"{"id":"\u0031","error":{}}"#, true),
        ("[1]", false),
        ("", false),
    ] {
        for end in ["\n", "\r", "\r\n", "\n\n{\"id\":1}"] {
            let rest = format!("{line}{end}");
            let got = skim_line(rest.as_bytes());
            assert_eq!(got.is_some(), skimmed, "{rest:?}");
            assert_eq!(got, line_reference(rest.as_bytes()), "{rest:?}");
        }
        // The line goes on in the next chunk: no answer yet.
        assert_eq!(skim_line(line.as_bytes()), None, "{line:?}");
    }
    // A line end inside the message is where the line ends: the message is cut there.
    for rest in [
        "{\"id\":1,\n\"result\":{}}\n",
        "{\"id\":1,\"result\":{}\r}\n",
        "{\"a\":\"x\ny\"}\n",
        "\n{\"id\":1,\"result\":{}}",
    ] {
        assert_eq!(skim_line(rest.as_bytes()), None, "{rest:?}");
        assert_eq!(line_reference(rest.as_bytes()), None, "{rest:?}");
    }
}

#[test]
fn a_line_shaped_like_the_last_is_answered_as_the_scanner_would() {
    let run = |c: &str, n: usize| c.repeat(n);
    let note =
        |text: &str| format!(r#"{{"jsonrpc":"2.0","method":"n","params":{{"data":"{text}"}}}}"#);
    let mut shape = None;
    for (line, from_shape) in [
        (note(&run("x", 900)), false),
        (note(&run("y", 80)), true),
        (note(&run("é", 40)), true),
        // Any run fits the shape, however short; a short run is not remembered as one.
        (note("short"), true),
        (note(&run("x", 100)), true),
        // A special byte inside the run, a line end inside the run, a cut-short line.
        (
            note(&format!("{}\\\"{}", run("x", 70), run("x", 70))),
            false,
        ),
        (note(&format!("{}\n", run("x", 70))), false),
        (note(&run("x", 70)).replace("}}", "}"), false),
        // The id is never the run: ids that differ only there are different envelopes.
        (
            format!(r#"{{"id":"{}","result":{{}}}}"#, run("a", 90)),
            false,
        ),
        (
            format!(r#"{{"id":"{}","result":{{}}}}"#, run("b", 90)),
            false,
        ),
        // A long string as the id's neighbour: the shape's run, the id in the suffix.
        (format!(r#"{{"result":"{}","id":1}}"#, run("a", 90)), false),
        (format!(r#"{{"result":"{}","id":2}}"#, run("c", 70)), false),
        (format!(r#"{{"result":"{}","id":2}}"#, run("d", 75)), true),
    ] {
        let rest = format!("{line}\n");
        let before = shape.clone();
        let got = skim_line_shaped(rest.as_bytes(), &mut shape);
        assert_eq!(got, line_reference(rest.as_bytes()), "{rest:?}");
        let answered_by_shape = before
            .as_ref()
            .and_then(|s: &Shape| s.line_end(rest.as_bytes()))
            .is_some();
        assert_eq!(answered_by_shape, from_shape, "{rest:?}");
    }
}

fn naive_special(s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)
}

#[test]
fn the_word_at_a_time_search_finds_the_first_special_byte() {
    // Every length, every position, every special byte, over backgrounds that tempt the
    // bit tricks (bytes just above the thresholds, high bytes, another special after it).
    for background in [b'a', 0x20, 0x21, b'#', 0x5d, 0x7f, 0x80, 0xa0, 0xff] {
        // The word-at-a-time head, two 32-byte blocks and a remainder.
        for len in 0..112 {
            let plain = vec![background; len];
            assert_eq!(
                first_special(&plain),
                naive_special(&plain),
                "{background:#x} {len}"
            );
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut s = plain.clone();
                    s[at] = special;
                    if at + 1 < len {
                        s[at + 1] = 0x00;
                    }
                    assert_eq!(
                        first_special(&s),
                        Some(at),
                        "{background:#x} {len} {at} {special:#x}"
                    );
                }
            }
        }
    }
}

/// Pieces JSON-RPC messages (and broken ones) are made of.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b":".to_vec()),
        Just(b",".to_vec()),
        Just(b"\"id\"".to_vec()),
        Just(b"\"method\"".to_vec()),
        Just(b"\"result\"".to_vec()),
        Just(b"\"error\"".to_vec()),
        Just(b"\"jsonrpc\":\"2.0\",".to_vec()),
        Just(b"\"a\\\"b\\\\c\\u00e9\\/\"".to_vec()),
        Just(b"\"\\ud800\"".to_vec()),
        Just(b"\"\\q\"".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\x0c".to_vec()),
        Just(b"\x01".to_vec()),
        Just(b"\xff".to_vec()),
        Just("é".as_bytes().to_vec()),
        Just(b"0".to_vec()),
        Just(b"-".to_vec()),
        Just(b".".to_vec()),
        Just(b"e".to_vec()),
        Just(b"+".to_vec()),
        Just(b"1".to_vec()),
        Just(b"12.5e-3".to_vec()),
        Just(b"1e999".to_vec()),
        Just(b"true".to_vec()),
        Just(b"fals".to_vec()),
        Just(b"null".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ]
}

/// Arbitrary JSON values (serde_json's own output) to build valid messages from.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("(id|method|result|error|[a-z]{1,3}|.{0,3})", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Any bytes: the word-at-a-time search agrees with a byte loop.
    #[test]
    fn special_byte_search_agrees_with_a_byte_loop(s in proptest::collection::vec(any::<u8>(), 0..200)) {
        prop_assert_eq!(first_special(&s), naive_special(&s));
    }

    /// Random token soup: whenever the scanner answers, serde_json gives the same envelope.
    #[test]
    fn token_soup_never_disagrees(
        parts in proptest::collection::vec(piece(), 0..24).prop_map(|v| v.concat()),
    ) {
        let mut data = b"{".to_vec();
        data.extend_from_slice(&parts);
        prop_assert!(agrees(&parts), "{:?}", String::from_utf8_lossy(&parts));
        prop_assert!(agrees(&data), "{:?}", String::from_utf8_lossy(&data));
        prop_assert_eq!(skim_line(&data), line_reference(&data), "{:?}", String::from_utf8_lossy(&data));
    }

    /// Lines mostly alike (one prefix and suffix, runs of any bytes between them), some
    /// changed by a byte, some of another shape, read one after the other with the shape
    /// remembered: every answer is the scanner's own.
    #[test]
    fn alike_lines_are_answered_as_the_scanner_would(
        prefix in prop_oneof![
            Just(r#"{"jsonrpc":"2.0","method":"n","params":{"data":""#),
            Just(r#" {"id":1,"result":{"content":[{"text":""#),
            Just(r#"{"id":""#),
            Just(r#"{"method":"m","params":[1,""#),
            Just(r#"{"error":{"b":""#),
            Just(r#"{""#),
        ],
        suffix in prop_oneof![
            Just(r#""}}"#),
            Just("\"}} \t"),
            Just(r#"","id":2}"#),
            Just(r#""}]}}"#),
            Just(r#""]}"#),
            Just(r#"":1}"#),
            Just(r#""}"#),
        ],
        lines in proptest::collection::vec(
            (
                // A run of plain bytes, with a special byte in it now and then.
                (
                    proptest::collection::vec(prop_oneof![Just("x"), Just("y"), Just("é")], 0..120)
                        .prop_map(|v| v.concat().into_bytes()),
                    proptest::option::of((
                        any::<proptest::sample::Index>(),
                        prop_oneof![
                            Just(b'"'),
                            Just(b'\\'),
                            Just(b'\n'),
                            Just(b'\r'),
                            Just(0x01u8),
                            Just(0xffu8),
                        ],
                    )),
                )
                    .prop_map(|(mut run, special)| {
                        if let Some((at, c)) = special {
                            run.insert(at.index(run.len() + 1), c);
                        }
                        run
                    }),
                0u8..8,
                any::<proptest::sample::Index>(),
                any::<u8>(),
                proptest::collection::vec(piece(), 0..8).prop_map(|v| v.concat()),
            ),
            1..12,
        ),
    ) {
        let mut shape = None;
        for (run, how, at, byte, other) in lines {
            let mut line = match how {
                // Another message altogether.
                0 => other,
                _ => [prefix.as_bytes(), &run, suffix.as_bytes()].concat(),
            };
            // Some alike lines changed by one byte (in the prefix, the run or the suffix).
            if how == 1 && !line.is_empty() {
                let i = at.index(line.len());
                line[i] = byte;
            }
            line.push(b'\n');
            let got = skim_line_shaped(&line, &mut shape);
            prop_assert_eq!(got, line_reference(&line), "{:?}", String::from_utf8_lossy(&line));
        }
    }

    /// A message (valid or one byte changed), a line end and whatever follows: the line is
    /// skimmed exactly as the line alone would be.
    #[test]
    fn a_line_skims_like_the_line_alone(
        v in json_value(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
        change in any::<bool>(),
        pad in "[ \t]{0,2}",
        end in prop_oneof![Just("\n"), Just("\r"), Just("\r\n"), Just("")],
        after in proptest::collection::vec(piece(), 0..4).prop_map(|v| v.concat()),
    ) {
        let mut line = serde_json::to_vec(&v).unwrap();
        if change && !line.is_empty() {
            let i = at.index(line.len());
            line[i] = byte;
        }
        let mut rest = [pad.as_bytes(), &line, pad.as_bytes(), end.as_bytes()].concat();
        rest.extend_from_slice(&after);
        prop_assert_eq!(skim_line(&rest), line_reference(&rest), "{:?}", String::from_utf8_lossy(&rest));
    }

    /// Valid JSON is skimmed (when it is an object) and agrees; every one-byte change of
    /// it still never disagrees.
    #[test]
    fn valid_json_and_its_mutations_agree(
        v in json_value(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
        how in 0u8..3,
    ) {
        let text = serde_json::to_vec(&v).unwrap();
        prop_assert!(agrees(&text));
        if v.is_object() && v.as_object().unwrap().keys().all(|k| k.bytes().all(|c| (0x20..0x7f).contains(&c) && c != b'\\' && c != b'"'))
            && !v.get("id").is_some_and(|id| id.is_object() || id.is_array())
        {
            prop_assert!(skim(&text).is_some(), "declined {}", v);
        }
        let mut m = text.clone();
        let i = at.index(m.len() + 1);
        match how {
            0 if i < m.len() => m[i] = byte,
            1 => m.insert(i, byte),
            _ if i < m.len() => { m.remove(i); }
            _ => {}
        }
        prop_assert!(agrees(&m), "{:?}", String::from_utf8_lossy(&m));
    }
}
