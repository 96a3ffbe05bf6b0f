//! The process's output channels, with exit codes that say what happened (DESIGN.md §2).
//!
//! - stdout carries the report. A reader that went away (`c7doctor … | head -3`: a broken
//!   pipe) is not a failure — the run ends quietly, as ripgrep does. Any other write error
//!   (a full disk, `>/dev/full`) is the environment's problem: exit 2 with a message, never
//!   a panic or exit 3.
//! - stderr carries prompts, progress, warnings and the `-v` trace. It is best-effort: a
//!   closed or full stderr never stops a run or panics (`eprintln!` would), because the
//!   report on stdout is what matters.
//!
//! Every line for stderr goes through [`crate::report::sanitize::terminal`] and
//! [`crate::report::redact::scrub`]: no control character from a server and no registered
//! secret reaches the terminal from here.

use std::io::Write;

use crate::error::Error;
use crate::report::{redact, sanitize};

/// Write `bytes` to stdout and flush. `Ok(true)` when written, `Ok(false)` when the reader
/// went away (broken pipe: stop quietly), an error (exit 2) for anything else.
pub fn stdout(bytes: &[u8]) -> Result<bool, Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Error::usage(format!(
            "cannot write the output to stdout: {e}"
        ))),
    }
}

/// Write text to stderr as it is (already rendered and scrubbed), ignoring any error.
pub fn stderr_raw(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// One line of c7doctor's own on stderr (a warning, an error, a prompt), made safe: hidden
/// characters escaped, secrets masked. Never fails and never panics.
pub fn stderr_line(text: &str) {
    let mut line = redact::scrub(&sanitize::terminal(text));
    line.push('\n');
    stderr_raw(&line);
}
