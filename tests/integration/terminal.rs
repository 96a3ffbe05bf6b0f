//! Terminal injection (DESIGN.md §4): a token and a server full of control characters —
//! ESC sequences that retitle the window and clear the screen, BEL, CR and backspaces over a
//! line, NUL, the C1 CSI (U+009B), a bidi override (U+202E), a zero-width space, DEL — must
//! not reach stdout or stderr raw, in any format, with or without colour and the `-v` trace.
//!
//! The assertion is on bytes: apart from `\n`, the only control bytes allowed are the SGR
//! colour sequences c7doctor itself writes (`ESC [ digits ; … m`, and only with
//! `--color always`); no C1, DEL, bidi or zero-width character appears at all (JSON writes
//! them as `\uXXXX`, which a parser reads back exactly). And a failing report never shows
//! the attacker's "✓ … verdict: pass" as a line of its own: every such text stays on the
//! line of the check that quotes it, visibly escaped.

use serde_json::Value;

use crate::support::c7doctor;
use crate::support::sim::hostile::{CONTROL_PAYLOAD, HostileServer, Kind};
use crate::support::sim::tokens::TokenBuilder;

const TENANT: &str = "7d3f0b2a-4c1e-4b8a-9f6d-2e5c8a1b3d70";
const GATEWAY_APP: &str = "3b9e6a14-8f2d-4c7b-a5e1-6d0c9f2b7a41";
const MCP_APP: &str = "c1a8f3e5-2b7d-4e9a-8c6f-0d4b2a9e5f17";

/// Characters that must never appear raw (an independent list, not c7doctor's own).
fn forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{9}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{feff}')
}

/// Every problem with one stream: a raw control character outside c7doctor's own SGR
/// colour sequences (allowed only when `color`).
fn raw_controls(stream: &str, text: &str, color: bool) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\u{1b}' && color && chars.get(i + 1) == Some(&'[') {
            // ESC [ (digits|;)* m — a colour, nothing else.
            let mut j = i + 2;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == ';') {
                j += 1;
            }
            if chars.get(j) == Some(&'m') {
                i = j + 1;
                continue;
            }
        }
        if forbidden(c) {
            let around: String = chars[i.saturating_sub(30)..(i + 30).min(chars.len())]
                .iter()
                .collect();
            out.push(format!("{stream}: raw U+{:04X} near {around:?}", c as u32));
            if out.len() > 5 {
                break;
            }
        }
        i += 1;
    }
    out
}

/// The attacker's fake pass must not stand as a line of its own: every line that shows
/// "verdict: pass" also shows a visible escape of the payload (`\u{…}`, `\u001b`, `\r`, `\0`) —
/// a wrapped detail may start a line, but never a clean one.
fn fake_pass_lines(stream: &str, text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            l.find("verdict: pass")?;
            let escaped = ["\\u", "\\r", "\\b", "\\0"].iter().any(|e| l.contains(e));
            (!escaped).then(|| format!("{stream}: a line says verdict: pass: {l:?}"))
        })
        .collect()
}

/// A token whose every displayed field carries the payload, and whose audience is wrong.
fn hostile_token() -> String {
    let evil = CONTROL_PAYLOAD;
    TokenBuilder::v2(
        "https://login.microsoftonline.com",
        TENANT,
        &format!("{GATEWAY_APP}{evil}"),
        &format!("Mcp.Gateway.Access {evil}"),
    )
    .claim("name", evil)
    .claim("oid", format!("0f9c2b1a{evil}"))
    .claim("appid", evil)
    .claim("idtyp", evil)
    .kid(Some(evil))
    .sign()
}

struct Run {
    label: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    color: bool,
    format: &'static str,
}

fn run(label: &str, args: &[String], stdin: &str, format: &'static str, color: bool) -> Run {
    let mut cmd = c7doctor();
    cmd.args(args)
        .args(["--format", format, "--timeout", "3", "-v"])
        .args(["--color", if color { "always" } else { "never" }])
        .env("C7DOCTOR_TIME_SCALE", "0.001")
        .env("C7DOCTOR_GATEWAY_SECRET", "Tq8~terminalSuiteSecret.0123")
        .write_stdin(stdin.to_string())
        .timeout(std::time::Duration::from_secs(60));
    if color {
        cmd.env_remove("NO_COLOR");
    }
    let out = cmd.output().expect("c7doctor runs");
    Run {
        label: format!("{label} × {format}{}", if color { " × colour" } else { "" }),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        color,
        format,
    }
}

fn problems(r: &Run) -> Vec<String> {
    let mut out = Vec::new();
    if r.code != Some(1) {
        out.push(format!(
            "{}: exit {:?}, not 1 (a failing report): {}",
            r.label,
            r.code,
            r.stderr
                .lines()
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ⏎ ")
        ));
    }
    for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        for p in raw_controls(stream, text, r.color)
            .into_iter()
            .chain(fake_pass_lines(stream, text))
        {
            out.push(format!("{}: {p}", r.label));
        }
    }
    match r.format {
        "json" => match serde_json::from_str::<Value>(&r.stdout) {
            Ok(v) if v["verdict"] == "fail" => {}
            Ok(v) => out.push(format!("{}: verdict {}", r.label, v["verdict"])),
            Err(e) => out.push(format!("{}: stdout is not JSON: {e}", r.label)),
        },
        "text" => {
            let plain = strip_sgr(&r.stdout);
            if !plain.lines().any(|l| l.ends_with("verdict: fail")) {
                out.push(format!("{}: no `verdict: fail` line", r.label));
            }
        }
        _ => {
            if !r.stdout.contains("verdict: **fail**") {
                out.push(format!("{}: no `verdict: **fail**`", r.label));
            }
        }
    }
    out
}

fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn no_control_character_reaches_the_terminal_from_a_token_or_a_server() {
    let gateway = HostileServer::start(Kind::ControlChars);
    let authority = HostileServer::start_every_request(Kind::ControlChars);
    let token = hostile_token();
    let ids = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "--tenant-id",
            TENANT,
            "--gateway-app-id",
            GATEWAY_APP,
            "--mcp-app-id",
            MCP_APP,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let host = ["--host", gateway.url.as_str()];
    let auth = ["--authority", authority.url.as_str()];
    let cases: Vec<(&str, Vec<String>, String)> = vec![
        ("token", ids(&["token", "-"]), token.clone()),
        (
            "token --verify",
            ids(&[&["token", "-", "--verify"][..], &auth].concat()),
            token.clone(),
        ),
        (
            "discovery",
            ids(&[&["discovery"][..], &host].concat()),
            String::new(),
        ),
        (
            "probe",
            ids(&[&["probe"][..], &host].concat()),
            token.clone(),
        ),
        (
            "obo",
            ids(&[&["obo", "-"][..], &auth].concat()),
            token.clone(),
        ),
        (
            "login",
            ids(&[&["login"][..], &auth].concat()),
            String::new(),
        ),
        (
            "e2e",
            ids(&[&["e2e"][..], &host, &auth].concat()),
            token.clone(),
        ),
    ];
    let mut all = Vec::new();
    let mut runs = 0;
    for (label, args, stdin) in &cases {
        for format in ["text", "markdown", "json"] {
            for color in [false, true] {
                if color && format != "text" {
                    continue;
                }
                let r = run(label, args, stdin, format, color);
                runs += 1;
                all.extend(problems(&r));
            }
        }
    }
    // The payload did reach the output (escaped), so its absence above is the sanitiser's
    // work, not a report that never quotes what it saw.
    let shown = run("token", &cases[0].1, &token, "text", false);
    assert!(
        shown.stdout.contains("\\u{1b}]0;pwned\\u{7}"),
        "the token's payload is not shown escaped:\n{}",
        shown.stdout
    );
    let json = run("token", &cases[0].1, &token, "json", false);
    assert!(
        json.stdout
            .contains(&serde_json::to_string(CONTROL_PAYLOAD).unwrap()[1..20]),
        "JSON does not keep the exact value:\n{}",
        json.stdout
    );
    eprintln!("terminal suite: {runs} runs");
    assert!(
        all.is_empty(),
        "{} problem(s):\n{}",
        all.len(),
        all.join("\n")
    );
}
