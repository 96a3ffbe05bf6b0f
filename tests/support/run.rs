//! Running the real binary: one builder for every integration test, in the manner of just's
//! `Test` and ripgrep's `rgtest!`. Arguments, environment, stdin and the expected exit code
//! go in; [`Run::report`] gives back the parsed `--format json` report, [`Run::output`] the
//! raw streams.
//!
//! ```ignore
//! let r = Run::new().sim(&sim).args(["probe"]).token(&sim).report();
//! assert!(r.has("sse.truncated"), "{r}");
//! ```
//!
//! stdin is always a pipe (empty unless given) and stdout/stderr are always captured, so a
//! device-code prompt, progress line or wire trace never reaches the test output; both
//! streams are shown in the panic message when an expectation fails.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use super::report::Report;
use super::sim::{Sim, entra_token};

/// The waits of Entra's flows (device-code polling) ×0.001: a 5 s interval takes 5 ms.
pub const FAST: &str = "0.001";

/// One run of c7doctor, built up before it starts.
#[must_use = "a Run does nothing until .report(), .output() or .interrupt_when()"]
pub struct Run {
    /// Options the simulator implies (`--host`, `--tenant-id` …); a pair whose flag the test
    /// gives itself is dropped (clap refuses an option given twice).
    implied: Vec<String>,
    args: Vec<OsString>,
    env: Vec<(String, Option<String>)>,
    stdin: Vec<u8>,
    dir: Option<std::path::PathBuf>,
    code: Option<i32>,
    timeout: Duration,
}

impl Default for Run {
    fn default() -> Self {
        Run::new()
    }
}

impl Run {
    /// A run with the deterministic test environment of [`super::c7doctor`] and no
    /// arguments yet.
    pub fn new() -> Run {
        Run {
            implied: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            dir: None,
            code: None,
            timeout: Duration::from_secs(60),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// The simulator's global options ([`Sim::args`]). Options the test passes itself win.
    pub fn sim(mut self, sim: &Sim) -> Run {
        self.implied.extend(sim.args());
        self
    }

    /// An option the run gets unless the test gives the flag itself (e.g. a short
    /// `--timeout` most runs of a suite share).
    pub fn default_arg(mut self, flag: &str, value: &str) -> Run {
        self.implied.extend([flag.to_string(), value.to_string()]);
        self
    }

    /// The simulator's client-hop token as `C7DOCTOR_TOKEN`.
    pub fn token(self, sim: &Sim) -> Run {
        self.env("C7DOCTOR_TOKEN", sim.client_token())
    }

    /// The simulated gateway app's client secret as `C7DOCTOR_GATEWAY_SECRET`.
    pub fn secret(self) -> Run {
        self.env("C7DOCTOR_GATEWAY_SECRET", entra_token::GATEWAY_SECRET)
    }

    /// Entra's waits scaled down ([`FAST`]).
    pub fn fast(self) -> Run {
        self.env("C7DOCTOR_TIME_SCALE", FAST)
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Run {
        self.env.push((key.into(), Some(value.into())));
        self
    }

    pub fn env_remove(mut self, key: impl Into<String>) -> Run {
        self.env.push((key.into(), None));
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Run {
        self.stdin = input.into();
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Run {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Kill the run after this long (default 60 s); a killed run fails the test.
    pub fn timeout(mut self, limit: Duration) -> Run {
        self.timeout = limit;
        self
    }

    /// The exit code the run must end with. Without it, [`Run::report`] expects the code
    /// the verdict implies (DESIGN.md §2) and [`Run::output`] expects nothing.
    pub fn code(mut self, code: i32) -> Run {
        self.code = Some(code);
        self
    }

    /// The argument vector the binary gets.
    fn argv(&self, json: bool) -> Vec<OsString> {
        let given = |flag: &str| self.args.iter().any(|a| a == flag);
        let mut argv: Vec<OsString> = self
            .implied
            .chunks(2)
            .filter(|pair| !given(&pair[0]))
            .flatten()
            .map(OsString::from)
            .collect();
        argv.extend(self.args.iter().cloned());
        if json && !given("--format") {
            argv.extend(["--format".into(), "json".into()]);
        }
        argv
    }

    fn command(&self, argv: &[OsString]) -> assert_cmd::Command {
        let mut cmd = super::c7doctor();
        cmd.args(argv)
            .write_stdin(self.stdin.clone())
            .timeout(self.timeout);
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd
    }

    /// Run to the end; the raw streams. Asserts the exit code if one was set.
    pub fn output(self) -> Output {
        let argv = self.argv(false);
        let out = self.finish(&argv);
        if let Some(want) = self.code {
            out.assert_code(want);
        }
        out
    }

    fn finish(&self, argv: &[OsString]) -> Output {
        let started = Instant::now();
        let out = self.command(argv).output().expect("c7doctor runs");
        Output {
            command: shown(argv),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }

    /// Run with `--format json` (unless the test chose a format) and parse the report.
    /// Asserts the exit code: the one set with [`Run::code`], or else the one the verdict
    /// implies (`fail` → 1, `incomplete` → 4, otherwise 0; `warn` → 1 under `--strict`);
    /// and that every fix is filled in (no `{placeholder}` of a declaration left over).
    pub fn report(self) -> Report {
        let argv = self.argv(true);
        let strict = argv.iter().any(|a| a == "--strict");
        let out = self.finish(&argv);
        let report = out.report();
        let want = self.code.unwrap_or_else(|| report.implied_code(strict));
        out.assert_code(want);
        let unfilled = report.unfilled_placeholders();
        assert!(
            unfilled.is_empty(),
            "{}: fixes with a placeholder nothing filled (a fix_var the check does not set): {unfilled:?}\n{out}",
            out.command
        );
        report
    }

    /// Start the run, wait until `ready()` holds (polled every 20 ms, at most 10 s) and
    /// 200 ms more (the run settles into what it waits on), send SIGINT (Ctrl-C) and return
    /// what the run printed (`--format json` unless the test chose a format: read it with
    /// [`Output::report`]). `kill(1)` sends the signal.
    pub fn interrupt_when(self, ready: impl Fn() -> bool) -> Output {
        let argv = self.argv(true);
        let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("c7doctor"));
        for (k, _) in std::env::vars() {
            if k.starts_with("C7DOCTOR_") || k.to_ascii_lowercase().ends_with("_proxy") {
                cmd.env_remove(k);
            }
        }
        cmd.args(&argv)
            .env("C7DOCTOR_NOW", super::NOW)
            .env("NO_COLOR", "1")
            .current_dir(
                self.dir
                    .clone()
                    .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let started = Instant::now();
        let mut child = cmd.spawn().expect("spawn c7doctor");
        // Drain both pipes while the run goes on, so a full pipe never blocks it.
        let mut out_pipe = child.stdout.take().expect("stdout");
        let mut err_pipe = child.stderr.take().expect("stderr");
        let out_t = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = std::io::Read::read_to_end(&mut out_pipe, &mut s);
            s
        });
        let err_t = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = std::io::Read::read_to_end(&mut err_pipe, &mut s);
            s
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ready() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{}: never got ready to be interrupted", shown(&argv));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        let sent = StdCommand::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(sent.success(), "kill -INT failed");
        let deadline = Instant::now() + self.timeout.min(Duration::from_secs(10));
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{}: did not stop on SIGINT", shown(&argv));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = Output {
            command: shown(&argv),
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned(),
            stderr: String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned(),
            elapsed: started.elapsed(),
        };
        if let Some(want) = self.code {
            out.assert_code(want);
        }
        out
    }
}

/// What a finished run printed.
#[derive(Debug, Clone)]
pub struct Output {
    /// The arguments, for messages.
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    /// stdout parsed as the one JSON report it must be.
    pub fn report(&self) -> Report {
        Report::parse(&self.stdout, self.code)
            .map(|r| r.with_stderr(&self.stderr))
            .unwrap_or_else(|e| {
                panic!(
                    "{}: stdout is not one JSON report ({e})\n{self}",
                    self.command
                )
            })
    }

    /// stdout and stderr together (what a leak or panic check scans).
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The first `n` lines of stdout (what a first screen shows).
    pub fn first_lines(&self, n: usize) -> String {
        self.stdout.lines().take(n).collect::<Vec<_>>().join("\n")
    }

    pub fn assert_code(&self, want: i32) {
        assert_eq!(self.code, want, "{}: exit code\n{self}", self.command);
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit {} after {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.code,
            self.elapsed,
            cut(&self.stdout),
            cut(&self.stderr)
        )
    }
}

/// At most 8 KiB of a stream in a message.
fn cut(s: &str) -> &str {
    let mut end = s.len().min(8 * 1024);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn shown(argv: &[OsString]) -> String {
    let mut s = String::from("c7doctor");
    for a in argv {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
