//! Live progress on stderr: one line per step while it runs (indicatif), silent when stderr
//! is not a terminal so logs and CI output stay clean. Steps finish with their status mark.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

use crate::report::Status;

/// A set of step lines. Cheap to clone and share between concurrent steps.
#[derive(Clone)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

/// One running step.
pub struct Step {
    bar: Option<ProgressBar>,
    name: String,
}

impl Progress {
    /// Progress on stderr when it is a terminal; otherwise a no-op.
    pub fn stderr() -> Progress {
        if std::io::stderr().is_terminal() {
            Progress {
                multi: Some(MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            }
        } else {
            Progress::hidden()
        }
    }

    pub fn hidden() -> Progress {
        Progress { multi: None }
    }

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
        }
    }

    /// Print a line above the live steps (e.g. the device-code prompt) without tearing them.
    pub fn println(&self, line: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => eprintln!("{line}"),
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
