//! The hostile-server suite (issue 8; issues 3 and 5, DESIGN.md §4), in one place: every
//! misbehaviour a broken or hostile server can show, against every network command.
//!
//! Servers (`tests/support/sim/hostile.rs`): black hole, a byte a second, a 1 GiB body,
//! invalid UTF-8, invalid JSON, JSON nested 100 000 deep, a redirect loop, a redirect to
//! another host, metadata whose `authorization_servers` / endpoints / `jwks_uri` name another
//! host, a TLS failure, a reset mid-body, a 0-byte reply. Every command is pointed at the
//! server as both gateway (`--host`) and Entra authority (`--authority`): `discovery` meets
//! the hostile bytes on its metadata GETs (the MCP endpoint answers the 401 challenge that
//! leads there), `token --verify`, `login`, `obo`, `probe` and `e2e` on every request.
//! Streams (simulator profiles): a stall mid-stream, a 256 MiB stream and a 100 MiB single
//! `data:` line, against `probe` and `e2e`.
//!
//! Each cell asserts: exit code 1 (a finding, not a usage error or a crash) with no panic
//! text; a failed check with a finding code in `--format json`; the wall time within
//! `--timeout 2` + a margin (whatever the number of requests); the peak memory of the process
//! (`/usr/bin/time -f %M`, else `VmHWM` polled from `/proc`) under 200 MiB; and that no token
//! or secret reached the other host.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::NOW;
use crate::support::sim::entra_token::GATEWAY_SECRET;
use crate::support::sim::hostile::{HostileServer, Kind};
use crate::support::sim::tokens::TokenBuilder;
use crate::support::sim::{Ids, Recorded, Sim};

/// `--timeout` of every run.
const TIMEOUT_SECS: u64 = 2;
/// Allowed on top of `--timeout`: start-up, the steps that do not wait on the hostile
/// server, and a loaded machine (a healthy run takes --timeout + ~0.3 s).
const MARGIN_SECS: u64 = 6;
/// Peak resident memory allowed to any run (a 1 GiB body or a 256 MiB stream included).
const MAX_RSS_KIB: u64 = 200 * 1024;

/// The network commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Discovery,
    TokenVerify,
    Login,
    Obo,
    Probe,
    E2e,
}

const COMMANDS: &[Cmd] = &[
    Cmd::Discovery,
    Cmd::TokenVerify,
    Cmd::Login,
    Cmd::Obo,
    Cmd::Probe,
    Cmd::E2e,
];

impl Cmd {
    fn name(self) -> &'static str {
        match self {
            Cmd::Discovery => "discovery",
            Cmd::TokenVerify => "token --verify",
            Cmd::Login => "login",
            Cmd::Obo => "obo",
            Cmd::Probe => "probe",
            Cmd::E2e => "e2e",
        }
    }
}

/// What misbehaves.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// A hostile server as the gateway (`discovery`, `probe`, `e2e`) or the authority.
    Server(Kind),
    /// A simulator profile whose MCP stream misbehaves (`probe`, `e2e`).
    Stream(&'static str),
}

impl Behaviour {
    fn name(self) -> String {
        match self {
            Behaviour::Server(k) => k.name().to_string(),
            Behaviour::Stream(p) => p.to_string(),
        }
    }
    fn commands(self) -> &'static [Cmd] {
        match self {
            Behaviour::Server(_) => COMMANDS,
            Behaviour::Stream(_) => &[Cmd::Probe, Cmd::E2e],
        }
    }
}

/// What one run showed.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// Peak resident set, KiB (None when it could not be measured).
    peak_kib: Option<u64>,
    timed_out: bool,
}

/// The c7doctor binary, run the way `support::c7doctor()` does (clean `C7DOCTOR_*`
/// environment, fixed clock, no proxy), wrapped in `/usr/bin/time -f %M` when it exists.
fn run_measured(args: &[String], env: &[(&str, String)], stdin: &str) -> Outcome {
    let bin: PathBuf = assert_cmd::cargo::cargo_bin("c7doctor");
    let time = std::path::Path::new("/usr/bin/time");
    let rss_file = tempfile::NamedTempFile::new().expect("temp file");
    let mut cmd = if time.exists() {
        let mut c = StdCommand::new(time);
        c.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(rss_file.path())
            .arg(&bin);
        c
    } else {
        StdCommand::new(&bin)
    };
    for (k, _) in std::env::vars() {
        if k.starts_with("C7DOCTOR_") || k.to_ascii_lowercase().ends_with("_proxy") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .env("C7DOCTOR_NOW", NOW)
        .env("C7DOCTOR_TIME_SCALE", "0.001")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    // Its own process group, so a hang can be killed with everything under it.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn c7doctor");
    let pid = child.id();
    if let Some(mut w) = child.stdin.take() {
        let _ = w.write_all(stdin.as_bytes());
    }
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    // Without /usr/bin/time: poll the high-water mark of the child itself.
    let mut hwm: Option<u64> = None;
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break Some(st);
        }
        if !time.exists()
            && let Some(kib) = vm_hwm_kib(pid)
        {
            hwm = Some(hwm.unwrap_or(0).max(kib));
        }
        if started.elapsed() > Duration::from_secs(60) {
            timed_out = true;
            let _ = StdCommand::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    let peak_kib = if time.exists() {
        std::fs::read_to_string(rss_file.path())
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
    } else {
        hwm
    };
    Outcome {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        elapsed,
        peak_kib,
        timed_out,
    }
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The app and tenant IDs every run is configured with.
fn id_args(ids: &Ids) -> Vec<String> {
    [
        "--tenant-id",
        &ids.tenant_id,
        "--gateway-app-id",
        &ids.gateway_app_id,
        "--mcp-app-id",
        &ids.mcp_app_id,
    ]
    .map(String::from)
    .to_vec()
}

/// A valid-looking client-hop token issued by `authority` (so only the network can fail).
fn client_token(authority: &str, ids: &Ids) -> String {
    TokenBuilder::v2(
        authority,
        &ids.tenant_id,
        &ids.gateway_app_id,
        "Mcp.Gateway.Access",
    )
    .claim("oid", ids.user_oid.as_str())
    .sign()
}

/// Run one cell; every problem found, and a one-line summary.
fn cell(behaviour: Behaviour, cmd: Cmd) -> (Vec<String>, String) {
    let ids = Ids::load();
    let label = format!("{} × {}", behaviour.name(), cmd.name());
    let timeout = TIMEOUT_SECS.to_string();
    let mut args: Vec<String> = vec![
        "--format".into(),
        "json".into(),
        "--timeout".into(),
        timeout,
    ];
    let mut env: Vec<(&str, String)> = Vec::new();
    let mut stdin = String::new();
    // Keep the servers alive for the run; what they recorded is checked after.
    let mut _server: Option<HostileServer> = None;
    let mut _sim: Option<Sim> = None;
    let token;
    match behaviour {
        Behaviour::Server(kind) => {
            // discovery meets the hostile bytes on its metadata GETs (the MCP endpoint's
            // 401 challenge points at them); everything else on every request.
            let server = if cmd == Cmd::Discovery {
                HostileServer::start(kind)
            } else {
                HostileServer::start_every_request(kind)
            };
            let url = server.url.clone();
            token = client_token(&url, &ids);
            args.extend(id_args(&ids));
            args.extend(["--authority".into(), url.clone(), "--host".into(), url]);
            _server = Some(server);
        }
        Behaviour::Stream(profile) => {
            let sim = Sim::start(profile);
            token = sim.client_token();
            args.extend(sim.args());
            _sim = Some(sim);
        }
    }
    match cmd {
        Cmd::Discovery => args.push("discovery".into()),
        Cmd::TokenVerify => {
            args.extend(["token", "-", "--verify"].map(String::from));
            stdin = token.clone();
        }
        Cmd::Login => args.push("login".into()),
        Cmd::Obo => {
            args.push("obo".into());
            env.push(("C7DOCTOR_TOKEN", token.clone()));
            env.push(("C7DOCTOR_GATEWAY_SECRET", GATEWAY_SECRET.into()));
        }
        Cmd::Probe => {
            args.push("probe".into());
            env.push(("C7DOCTOR_TOKEN", token.clone()));
        }
        Cmd::E2e => {
            args.push("e2e".into());
            env.push(("C7DOCTOR_TOKEN", token.clone()));
            env.push(("C7DOCTOR_GATEWAY_SECRET", GATEWAY_SECRET.into()));
        }
    }

    let o = run_measured(&args, &env, &stdin);
    let mut problems = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    if o.timed_out {
        problems.push(format!("{label}: still running after 60 s (killed)"));
    }
    if o.code != Some(1) {
        problems.push(format!(
            "{label}: exit {:?}, want 1; stderr: {}",
            o.code,
            o.stderr.lines().take(6).collect::<Vec<_>>().join(" ⏎ ")
        ));
    }
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        if o.stderr.contains(bad) {
            problems.push(format!("{label}: {bad:?} on stderr: {}", o.stderr));
        }
    }
    match serde_json::from_str::<Value>(&o.stdout) {
        Ok(report) => {
            for c in report["checks"].as_array().into_iter().flatten() {
                if c["status"] == "fail"
                    && let Some(code) = c["code"].as_str()
                {
                    codes.push(code.to_string());
                }
            }
            if !codes.iter().any(|c| !c.starts_with("run.")) {
                problems.push(format!("{label}: no failed check with a finding code"));
            }
        }
        Err(e) => problems.push(format!(
            "{label}: stdout is not one JSON document ({e}): {}",
            o.stdout.chars().take(300).collect::<String>()
        )),
    }
    // probe and e2e speak both MCP eras side by side (two conversations at once, each
    // exchange with its own --timeout deadline): one more --timeout for the second one.
    let eras = if label.contains("probe") || label.contains("e2e") {
        TIMEOUT_SECS
    } else {
        0
    };
    let budget = Duration::from_secs(TIMEOUT_SECS + eras + MARGIN_SECS);
    if o.elapsed > budget {
        problems.push(format!(
            "{label}: took {:?}, over --timeout {TIMEOUT_SECS} s (+ {eras} s) + {MARGIN_SECS} s",
            o.elapsed
        ));
    }
    match o.peak_kib {
        Some(kib) if kib > MAX_RSS_KIB => problems.push(format!(
            "{label}: peak memory {} MiB, over {} MiB",
            kib / 1024,
            MAX_RSS_KIB / 1024
        )),
        Some(_) => {}
        None => problems.push(format!("{label}: peak memory not measured")),
    }
    // Nothing credential-bearing ever reached the other host.
    let elsewhere: Vec<Recorded> = match (&_server, &_sim) {
        (Some(s), _) => s.requests(),
        (_, Some(s)) => s.requests(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|r| r.server == "elsewhere")
    .collect();
    for r in &elsewhere {
        let body = r.body_text();
        if r.header("authorization").is_some()
            || body.contains(GATEWAY_SECRET)
            || body.contains(&token)
            || r.uri.contains(&token)
        {
            problems.push(format!(
                "{label}: a credential was sent to the other host: {} {}",
                r.method, r.uri
            ));
        }
    }
    codes.sort();
    codes.dedup();
    let summary = format!(
        "{label}: exit {:?}, {:.1} s, {} MiB, requests elsewhere {:?}, {}",
        o.code,
        o.elapsed.as_secs_f64(),
        o.peak_kib.unwrap_or(0) / 1024,
        elsewhere
            .iter()
            .map(|r| format!("{} {}", r.method, r.path()))
            .collect::<Vec<_>>(),
        codes.join(" ")
    );
    (problems, summary)
}

/// Every command against one behaviour, in parallel (the servers are independent).
fn check_behaviour(behaviour: Behaviour) {
    let results: Vec<(Vec<String>, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = behaviour
            .commands()
            .iter()
            .map(|&cmd| s.spawn(move || cell(behaviour, cmd)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("cell thread"))
            .collect()
    });
    let mut problems = Vec::new();
    for (p, summary) in results {
        eprintln!("{summary}");
        problems.extend(p);
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The 256 MiB stream read to its end (the cap raised above it): the probe keeps counts and
/// the JSON-RPC response, not the stream, so memory stays flat while every byte is parsed.
#[test]
fn a_whole_256_mib_stream_is_parsed_in_bounded_memory() {
    let sim = Sim::start("sse-huge");
    let mut args = sim.args();
    args.extend(
        [
            "--format",
            "json",
            "--timeout",
            "5",
            "probe",
            "--era",
            "2025",
            "--stream-deadline",
            "120",
            "--max-stream-mib",
            "300",
        ]
        .map(String::from),
    );
    let o = run_measured(&args, &[("C7DOCTOR_TOKEN", sim.client_token())], "");
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    let report: Value = serde_json::from_str(&o.stdout).expect("one JSON document");
    assert_eq!(report["verdict"], "pass", "{}", o.stdout);
    let kib = o.peak_kib.expect("peak memory measured");
    eprintln!(
        "256 MiB stream parsed in {:?}, peak {} MiB",
        o.elapsed,
        kib / 1024
    );
    assert!(kib < MAX_RSS_KIB, "peak memory {} MiB", kib / 1024);
}

macro_rules! hostile_matrix {
    ($($f:ident => $b:expr),* $(,)?) => {
        $( #[test] fn $f() { check_behaviour($b); } )*

        /// Every server misbehaviour of the simulator is in the matrix.
        #[test]
        fn every_hostile_kind_is_in_the_matrix() {
            let covered: Vec<String> = [$($b),*].iter().map(|b| b.name()).collect();
            for k in Kind::ALL {
                assert!(covered.contains(&k.name().to_string()), "{} is not tested", k.name());
            }
        }
    };
}

hostile_matrix! {
    black_hole => Behaviour::Server(Kind::BlackHole),
    trickle => Behaviour::Server(Kind::Trickle),
    huge_body => Behaviour::Server(Kind::HugeBody),
    invalid_utf8 => Behaviour::Server(Kind::InvalidUtf8),
    invalid_json => Behaviour::Server(Kind::InvalidJson),
    deep_json => Behaviour::Server(Kind::DeepJson),
    redirect_loop => Behaviour::Server(Kind::RedirectLoop),
    redirect_elsewhere => Behaviour::Server(Kind::RedirectElsewhere),
    foreign_metadata => Behaviour::Server(Kind::ForeignMetadata),
    tls_failure => Behaviour::Server(Kind::TlsGarbage),
    reset_mid_body => Behaviour::Server(Kind::ResetMidBody),
    zero_byte => Behaviour::Server(Kind::ZeroByte),
    stream_stalled => Behaviour::Stream("sse-stalled"),
    stream_256_mib => Behaviour::Stream("sse-huge"),
    stream_100_mib_line => Behaviour::Stream("sse-huge-line"),
}

/// Run the binary with a shell redirection (`>/dev/full`, `2>&-`) around it, measured.
fn run_redirected(args: &[&str], redirect: &str, env: &[(&str, &str)]) -> Outcome {
    let bin = assert_cmd::cargo::cargo_bin("c7doctor");
    let mut script = String::from("exec \"$0\"");
    for i in 1..=args.len() {
        script.push_str(&format!(" \"${{{i}}}\""));
    }
    script.push(' ');
    script.push_str(redirect);
    let mut argv = vec![script, bin.to_string_lossy().into_owned()];
    argv.extend(args.iter().map(|a| a.to_string()));
    let mut sh = vec!["-c".to_string()];
    sh.extend(argv);
    let mut full = vec!["sh".to_string()];
    full.extend(sh);
    // `run_measured` runs the c7doctor binary; here the measured process is the shell that
    // execs it, so /usr/bin/time measures c7doctor itself.
    let time = std::path::Path::new("/usr/bin/time");
    let rss = tempfile::NamedTempFile::new().expect("temp file");
    let mut cmd = if time.exists() {
        let mut c = StdCommand::new(time);
        c.args(["-f", "%M", "-o"]).arg(rss.path()).args(&full);
        c
    } else {
        let mut c = StdCommand::new(&full[0]);
        c.args(&full[1..]);
        c
    };
    for (k, _) in std::env::vars() {
        if k.starts_with("C7DOCTOR_") || k.to_ascii_lowercase().ends_with("_proxy") {
            cmd.env_remove(k);
        }
    }
    cmd.env("C7DOCTOR_NOW", NOW)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().expect("run");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
        peak_kib: std::fs::read_to_string(rss.path())
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok())),
        timed_out: false,
    }
}

/// Peak memory allowed to a run that meets an endless file.
const MAX_FILE_RSS_KIB: u64 = 64 * 1024;

fn no_panic(label: &str, o: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    if o.stderr.contains("panicked") || o.stderr.contains("internal error") {
        out.push(format!("{label}: panicked or a bug: {}", o.stderr.trim()));
    }
    if let Some(kib) = o.peak_kib
        && kib > MAX_FILE_RSS_KIB
    {
        out.push(format!(
            "{label}: peak RSS {kib} KiB > {MAX_FILE_RSS_KIB} KiB"
        ));
    }
    if o.elapsed > Duration::from_secs(20) {
        out.push(format!("{label}: took {:?}", o.elapsed));
    }
    out
}

#[test]
fn endless_files_stop_at_their_cap_with_a_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("c7doctor.toml");
    std::fs::write(&config, "cacert = \"/dev/zero\"\nhost = \"127.0.0.1:9\"\n").expect("write");
    let config = config.to_string_lossy().into_owned();
    let token = TokenBuilder::new().claim("aud", "x").sign();
    // (label, args, env, exit code, what stderr or stdout says)
    type Case<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>, i32, &'a str);
    let cases: Vec<Case> = vec![
        (
            "--config /dev/zero",
            vec!["--config", "/dev/zero", "key", "x"],
            vec![],
            2,
            "larger than 1 MiB",
        ),
        (
            "C7DOCTOR_CONFIG=/dev/zero",
            vec!["key", "x"],
            vec![("C7DOCTOR_CONFIG", "/dev/zero")],
            2,
            "larger than 1 MiB",
        ),
        (
            "--cacert /dev/zero",
            vec![
                "--cacert",
                "/dev/zero",
                "discovery",
                "--host",
                "127.0.0.1:9",
            ],
            vec![],
            2,
            "larger than 4 MiB",
        ),
        (
            "C7DOCTOR_CACERT=/dev/zero",
            vec!["discovery", "--host", "127.0.0.1:9"],
            vec![("C7DOCTOR_CACERT", "/dev/zero")],
            2,
            "larger than 4 MiB",
        ),
        (
            "cacert = /dev/zero in the config file",
            vec!["--config", &config, "discovery"],
            vec![],
            2,
            "larger than 4 MiB",
        ),
        (
            "token --token-file /dev/zero",
            vec!["token", "--token-file", "/dev/zero"],
            vec![],
            2,
            "larger than 4 MiB",
        ),
        (
            "token --jwks /dev/zero",
            vec!["token", &token, "--jwks", "/dev/zero"],
            vec![],
            2,
            "larger than 4 MiB",
        ),
        (
            "key --key-file /dev/zero",
            vec!["key", "--key-file", "/dev/zero"],
            vec![],
            2,
            "larger than 4 MiB",
        ),
        (
            "policy /dev/zero",
            vec!["policy", "/dev/zero"],
            vec![],
            1,
            "larger than 16 MiB",
        ),
    ];
    let mut problems = Vec::new();
    for (label, args, env, code, says) in &cases {
        let o = run_redirected(args, "", env);
        if o.code != Some(*code) {
            problems.push(format!(
                "{label}: exit {:?}, want {code}: {}",
                o.code,
                o.stderr.trim()
            ));
        }
        if !o.stderr.contains(says) && !o.stdout.contains(says) {
            problems.push(format!(
                "{label}: does not say {says:?}: {} {}",
                o.stderr.trim(),
                o.stdout.trim()
            ));
        }
        problems.extend(no_panic(label, &o));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_full_or_closed_output_never_panics_and_exits_honestly() {
    // Nothing listens on port 9: discovery fails fast with a finding (exit 1).
    let discovery = [
        "-v",
        "discovery",
        "--host",
        "http://127.0.0.1:9",
        "--timeout",
        "2",
    ];
    let mut problems = Vec::new();
    // A full disk on stdout: exit 2 with a message, whatever the command.
    for args in [
        &["key", "ctx7sk-00000000-0000-0000-0000-000000000000"][..],
        &["explain"][..],
        &["explain", "token.audience-mismatch"][..],
        &["completions", "bash"][..],
        &["--help"][..],
        &discovery[..],
    ] {
        let label = format!("{} >/dev/full", args.join(" "));
        let o = run_redirected(args, ">/dev/full", &[]);
        if o.code != Some(2) || !o.stderr.contains("No space left") {
            problems.push(format!("{label}: exit {:?}: {}", o.code, o.stderr.trim()));
        }
        problems.extend(no_panic(&label, &o));
    }
    // A reader that goes away (`| head`): quiet, exit 0 — stdout alone and with the trace.
    for redirect in ["| true", "2>&1 | true"] {
        let label = format!("discovery -v {redirect}");
        // `true` may exit before or after the first write; either way no panic, and the exit
        // code is 0 (the reader left) or the report's own 1 (everything was written).
        let o = run_redirected(&discovery, &format!("{redirect}; exit $?"), &[]);
        problems.extend(no_panic(&label, &o));
    }
    // stderr closed (`2>&-`) or full: the report is still written and the exit code is the
    // report's.
    for redirect in ["2>&-", "2>/dev/full"] {
        let label = format!("discovery -v {redirect}");
        let o = run_redirected(&discovery, redirect, &[]);
        if o.code != Some(1) || !o.stdout.contains("verdict: fail") {
            problems.push(format!("{label}: exit {:?}, stdout {:?}", o.code, o.stdout));
        }
        problems.extend(no_panic(&label, &o));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_reader_that_left_ends_the_run_quietly_with_0() {
    // The read end is closed before c7doctor writes: every write gets EPIPE.
    let bin = assert_cmd::cargo::cargo_bin("c7doctor");
    for streams in ["stdout", "stdout and stderr"] {
        let mut cmd = StdCommand::new(&bin);
        cmd.args([
            "-v",
            "discovery",
            "--host",
            "http://127.0.0.1:9",
            "--timeout",
            "2",
        ])
        .env("C7DOCTOR_NOW", NOW)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if streams == "stdout" {
            Stdio::null()
        } else {
            Stdio::piped()
        });
        let mut child = cmd.spawn().expect("spawn");
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(0), "{streams} closed: {status:?}");
    }
}

/// Ctrl-C during `discovery`, `probe` or `obo` against a black hole: the report says the
/// run was interrupted and the exit code is 130, as for `e2e` — not death by the signal.
#[test]
fn ctrl_c_prints_a_report_and_exits_130() {
    let hole = HostileServer::start_every_request(Kind::BlackHole);
    let ids = Ids::load();
    let bin = assert_cmd::cargo::cargo_bin("c7doctor");
    let token = client_token(&hole.url, &ids);
    for command in ["discovery", "probe", "obo"] {
        let mut cmd = StdCommand::new(&bin);
        cmd.args(id_args(&ids))
            .args([command, "--format", "json", "--timeout", "30"])
            .args(["--host", &hole.url, "--authority", &hole.url])
            .env("C7DOCTOR_NOW", NOW)
            .env("C7DOCTOR_TOKEN", &token)
            .env("C7DOCTOR_GATEWAY_SECRET", GATEWAY_SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("spawn");
        std::thread::sleep(Duration::from_millis(700));
        let sent = StdCommand::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let out = child.wait_with_output().expect("wait");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(130), "{command}: {stdout}");
        let report: Value = serde_json::from_str(&stdout).expect("one JSON report");
        assert!(stdout.contains("run.interrupted"), "{command}: {report}");
    }
}

/// Amplification: a 300 KB `WWW-Authenticate` and an unknown `kid` against 10,001 keys are
/// quoted within the evidence bounds (with the count of what was left out), and the run
/// stays small in memory.
#[test]
fn amplifying_inputs_stay_bounded_in_the_report_and_memory() {
    let mut problems = Vec::new();
    let huge = HostileServer::start(Kind::HugeChallenge);
    let dir = tempfile::tempdir().expect("temp dir");
    let jwks = dir.path().join("jwks.json");
    let keys: Vec<Value> = (0..10_001)
        .map(|i| serde_json::json!({"kty": "RSA", "kid": format!("kid-{i:05}"), "use": "sig", "n": "AQAB", "e": "AQAB"}))
        .collect();
    std::fs::write(&jwks, serde_json::json!({ "keys": keys }).to_string()).expect("write");
    let token = TokenBuilder::new()
        .kid(Some("not-published"))
        .claim("aud", "x")
        .sign();
    let jwks = jwks.to_string_lossy().into_owned();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "discovery, 300 KB WWW-Authenticate",
            vec![
                "discovery",
                "--host",
                &huge.url,
                "--format",
                "json",
                "--timeout",
                "5",
            ],
            "more bytes",
        ),
        (
            "token, unknown kid among 10,001 keys",
            vec!["token", &token, "--jwks", &jwks, "--format", "json"],
            "and 9969 more",
        ),
    ];
    for (label, args, says) in cases {
        for format in ["json", "text", "markdown"] {
            let mut args = args.clone();
            let at = args.iter().position(|a| *a == "--format").expect("format") + 1;
            args[at] = format;
            let o = run_redirected(&args, "", &[]);
            if o.stdout.len() > 64 * 1024 {
                problems.push(format!(
                    "{label} × {format}: a {} byte report",
                    o.stdout.len()
                ));
            }
            if format == "json" && !o.stdout.contains(says) {
                problems.push(format!(
                    "{label}: the cut is not counted ({says:?}): {}",
                    o.stdout
                ));
            }
            problems.extend(no_panic(&format!("{label} × {format}"), &o));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A 4 MiB policy of repeated `client_secret=` — one per element, about 30 000 elements,
/// the secret raw and percent-encoded (`~` as `%7E`, as a form body carries it) — is one
/// bounded finding in every format, never echoes the secret, and stays under 64 MiB peak
/// resident memory. The peak is measured, not assumed: `/usr/bin/time`'s maximum RSS, else the
/// child's `VmHWM` polled from `/proc`; a run whose peak could not be read fails.
#[test]
fn a_4_mib_policy_of_repeated_client_secrets_stays_under_64_mib_peak() {
    const SECRET: &str = "Zq9~8Q~c7dTestOnlySecretValue0123456789ab";
    let encoded = SECRET.replace('~', "%7E");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("client-secrets.xml");
    let mut policy = String::from("<policies><inbound><base />");
    let mut n = 0usize;
    while policy.len() < 4 * 1024 * 1024 {
        let value = if n.is_multiple_of(2) {
            SECRET
        } else {
            encoded.as_str()
        };
        policy.push_str(&format!(
            "<set-header name=\"x-c7d-{n}\" exists-action=\"override\"><value>client_secret={value}</value></set-header>"
        ));
        n += 1;
    }
    policy.push_str(
        "</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
    );
    std::fs::write(&path, &policy).expect("write policy");
    let path = path.to_string_lossy().into_owned();
    let mut problems = Vec::new();
    for format in ["json", "text", "markdown"] {
        let args: Vec<String> = ["policy", "--format", format, &path]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let o = run_measured(&args, &[], "");
        let label = format!("policy of {n} client_secret elements × {format}");
        match o.peak_kib {
            None => problems.push(format!("{label}: the peak memory could not be measured")),
            Some(kib) if kib >= MAX_FILE_RSS_KIB => problems.push(format!(
                "{label}: peak RSS {} MiB, over {} MiB",
                kib / 1024,
                MAX_FILE_RSS_KIB / 1024
            )),
            Some(_) => {}
        }
        if o.code != Some(1) || o.timed_out {
            problems.push(format!("{label}: exit {:?}: {}", o.code, o.stderr.trim()));
        }
        if o.stderr.contains("panicked") {
            problems.push(format!("{label}: panicked: {}", o.stderr.trim()));
        }
        if !o.stdout.contains("policy.secret-inline") {
            problems.push(format!("{label}: no policy.secret-inline: {}", o.stdout));
        }
        for shown in [
            SECRET,
            encoded.as_str(),
            "8Q~c7dTestOnly",
            "8Q%7Ec7dTestOnly",
        ] {
            if o.stdout.contains(shown) || o.stderr.contains(shown) {
                problems.push(format!("{label}: the secret appears as {shown:?}"));
            }
        }
        if o.stdout.len() > 64 * 1024 {
            problems.push(format!("{label}: a {} byte report", o.stdout.len()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
