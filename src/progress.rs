//! Progress on stderr. At a terminal: one live line per step while it runs (indicatif),
//! finished with its status mark. Elsewhere (CI, a log file): one plain line per finished
//! step with its mark — failures as well as passes — and nothing that redraws.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::report::Status;

/// A set of step lines. Cheap to clone and share between concurrent steps.
#[derive(Clone)]
pub struct Progress {
    multi: Option<MultiProgress>,
    /// Not a terminal: print a plain line when a step finishes.
    plain: bool,
}

/// One running step.
pub struct Step {
    bar: Option<ProgressBar>,
    name: String,
    /// Set when the step's end is printed as a plain line.
    plain: Option<Instant>,
}

impl Progress {
    /// Live lines on stderr when it is a terminal; one plain line per finished step otherwise.
    pub fn stderr() -> Progress {
        if std::io::stderr().is_terminal() {
            Progress {
                multi: Some(MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
                plain: false,
            }
        } else {
            Progress {
                multi: None,
                plain: true,
            }
        }
    }

    /// No progress at all (a prompt owns the terminal).
    pub fn hidden() -> Progress {
        Progress {
            multi: None,
            plain: false,
        }
    }

    /// Live lines are drawn (a terminal).
    pub fn is_visible(&self) -> bool {
        self.multi.is_some()
    }

    pub fn start(&self, name: &str) -> Step {
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(name.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Step {
            bar,
            name: name.to_string(),
            plain: self.plain.then(Instant::now),
        }
    }

    /// Print a line above the live steps (e.g. the device-code prompt) without tearing them.
    pub fn println(&self, line: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => crate::output::stderr_line(line),
        }
    }
}

impl Step {
    /// Update the step's message (e.g. a countdown).
    pub fn message(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{} — {msg}", self.name));
        }
    }

    /// Finish with the worst status of the step's checks.
    pub fn finish(self, status: Status) {
        if let Some(started) = self.plain {
            eprintln!(
                "{} {} ({:.1} s)",
                status.mark(),
                self.name,
                started.elapsed().as_secs_f64()
            );
        }
        if let Some(b) = &self.bar {
            let mark = status.mark();
            b.set_style(
                ProgressStyle::with_template("{msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.finish_with_message(format!(
                "{mark} {} ({:.1} s)",
                self.name,
                b.elapsed().as_secs_f64()
            ));
        }
    }
}
