//! Integration tests: `c7doctor key`, the shared-key pattern's Context7 API key.

use serde_json::Value;

use crate::support::c7doctor;
use crate::support::codes;

/// A key of the right form (not a real one).
const GOOD_KEY: &str = "ctx7sk-3f9a1c2b-77de-4e10-9b55-0a1b2c3dWXYZ";

fn run_key(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = c7doctor()
        .arg("key")
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .expect("run c7doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn key_json(stdin: &str) -> (i32, Value) {
    let (code, out, err) = run_key(&["--format", "json"], stdin);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, doc)
}

#[test]
fn well_formed_key_passes_and_is_masked() {
    let (code, doc) = key_json(&format!("{GOOD_KEY}\n"));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["verdict"], "pass");
    assert_eq!(doc["context"]["api_key"], "ctx7sk…WXYZ");
    let ws = doc["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "apikey.whitespace"))
        .expect("whitespace check");
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
        let (code, doc) = key_json(key);
        assert_eq!(code, 1, "{key:?}: {doc:#}");
        assert!(
            codes(&doc).iter().any(|c| c == want),
            "{key:?}: {:?}",
            codes(&doc)
        );
    }
}

#[test]
fn key_arrives_by_argument_file_and_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("key.txt");
    std::fs::write(&file, format!("{GOOD_KEY}\n")).expect("write");
    let (code, out, err) = run_key(
        &["--format", "json", "--key-file", &file.to_string_lossy()],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    let out = c7doctor()
        .args(["key", "--format", "json"])
        .env("C7DOCTOR_API_KEY", GOOD_KEY)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["context"]["key_source"], "$C7DOCTOR_API_KEY");
    let (code, _, err) = run_key(&["--key-file", "no/such/key.txt"], "");
    assert_eq!(code, 2);
    assert!(err.contains("no/such/key.txt"), "{err}");
}

#[test]
fn odd_input_is_a_finding_not_a_crash() {
    let out = c7doctor()
        .args(["key", "--format", "json"])
        .write_stdin(vec![0xffu8, 0xfe, 0x00, 0x41])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(codes(&doc).contains(&"apikey.format".to_string()));
    let (code, doc) = key_json("");
    assert_eq!(code, 1);
    assert!(
        codes(&doc).contains(&"apikey.format".to_string()),
        "{doc:#}"
    );
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
                let mut cmd = c7doctor();
                cmd.args(["key", "--format", format]);
                if via_arg {
                    cmd.arg(key);
                } else {
                    cmd.write_stdin(key.to_string());
                }
                let out = cmd.output().expect("run");
                let all = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
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
