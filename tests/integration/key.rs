//! Integration tests: `c7doctor key`, the shared-key pattern's Context7 API key.

use crate::support::{Output, Report, Run};

/// A key of the right form (not a real one).
const GOOD_KEY: &str = "ctx7sk-3f9a1c2b-77de-4e10-9b55-0a1b2c3dWXYZ";

fn run_key(args: &[&str], stdin: &str) -> Output {
    Run::new().arg("key").args(args).stdin(stdin).output()
}

/// `key --format json` with the key on stdin; the report.
fn key_json(stdin: &str) -> Report {
    Run::new().arg("key").stdin(stdin).report()
}

#[test]
fn well_formed_key_passes_and_is_masked() {
    let doc = key_json(&format!("{GOOD_KEY}\n"));
    assert_eq!(doc.code, 0, "{doc}");
    assert_eq!(doc["verdict"], "pass");
    assert_eq!(doc["context"]["api_key"], "ctx7sk…WXYZ");
    let ws = doc.check("apikey.whitespace");
    assert!(
        ws["detail"].as_str().unwrap_or("").contains("trimmed"),
        "{ws}"
    );
}

#[test]
fn every_key_code_is_triggered() {
    let cases = [
        ("sk-proj-0123456789abcdef0123456789", "apikey.format"),
        ("ctx7sk-3f9a1c2b77de\n4e109b550a1b2c3d", "apikey.format"),
        ("CTX7SK-3F9A1C2B77DE4E109B550A1B2C3D", "apikey.format"),
        (
            "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl",
            "apikey.format",
        ),
        ("{{context7-api-key}}", "apikey.placeholder"),
        ("<your-context7-api-key>", "apikey.placeholder"),
        ("ctx7sk-xxxxxxxxxxxxxxxxxxxxxxxx", "apikey.placeholder"),
        ("your-api-key", "apikey.placeholder"),
    ];
    for (key, want) in cases {
        let doc = key_json(key);
        assert_eq!(doc.code, 1, "{key:?}: {doc}");
        assert!(doc.has(want), "{key:?}: {:?}", doc.codes());
    }
}

#[test]
fn key_arrives_by_argument_file_and_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("key.txt");
    std::fs::write(&file, format!("{GOOD_KEY}\n")).expect("write");
    Run::new()
        .args(["key", "--key-file"])
        .arg(&file)
        .code(0)
        .report();
    let doc = Run::new()
        .arg("key")
        .env("C7DOCTOR_API_KEY", GOOD_KEY)
        .code(0)
        .report();
    assert_eq!(doc["context"]["key_source"], "$C7DOCTOR_API_KEY");
    let out = run_key(&["--key-file", "no/such/key.txt"], "");
    out.assert_code(2);
    assert!(out.stderr.contains("no/such/key.txt"), "{out}");
}

#[test]
fn odd_input_is_a_finding_not_a_crash() {
    let doc = Run::new()
        .arg("key")
        .stdin(vec![0xffu8, 0xfe, 0x00, 0x41])
        .code(1)
        .report();
    assert!(doc.has("apikey.format"), "{doc}");
    let doc = key_json("");
    assert_eq!(doc.code, 1);
    assert!(doc.has("apikey.format"), "{doc}");
}

#[test]
fn the_key_never_appears_beyond_its_masked_form() {
    let keys = [
        GOOD_KEY,
        "ctx7sk-3f9a1c2b77de\n4e109b550a1b2c3dWXYZ",
        "sk-live-0123456789abcdefSECRET",
    ];
    for key in keys {
        for format in ["text", "json", "markdown"] {
            for via_arg in [false, true] {
                let run = Run::new().args(["key", "--format", format]);
                let run = if via_arg {
                    run.arg(key)
                } else {
                    run.stdin(key)
                };
                let all = run.output().all();
                let trimmed = key.trim();
                assert!(!all.contains(trimmed), "{format}: key printed:\n{all}");
                // No 12-character run of the key's body shows either.
                let body: Vec<char> = trimmed.chars().skip(6).collect();
                for w in body.windows(12) {
                    let s: String = w.iter().collect();
                    if !s.contains('\n') {
                        assert!(!all.contains(&s), "{format}: part {s:?} printed:\n{all}");
                    }
                }
            }
        }
    }
}
