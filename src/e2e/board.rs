//! The steps of an e2e run, their live lines on stderr and their results as they finish.
//!
//! Results are kept here rather than returned, so that a run stopped by Ctrl-C still has
//! every finished step's checks for the partial report.

use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::progress::{self, Progress};
use crate::report::{Check, Section, Status};

/// The steps, in the order the integration depends on them (the report's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepId {
    Config,
    Policy,
    Apps,
    Tenant,
    Discovery,
    Token,
    ClientHop,
    Obo,
    Mcp,
    Negative,
}

impl StepId {
    pub const ALL: [StepId; 10] = [
        StepId::Config,
        StepId::Policy,
        StepId::Apps,
        StepId::Tenant,
        StepId::Discovery,
        StepId::Token,
        StepId::ClientHop,
        StepId::Obo,
        StepId::Mcp,
        StepId::Negative,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StepId::Config => "configuration",
            StepId::Policy => "policy lint",
            StepId::Apps => "app registrations",
            StepId::Tenant => "tenant OIDC and keys",
            StepId::Discovery => "discovery chain",
            StepId::Token => "token",
            StepId::ClientHop => "client-hop token checks",
            StepId::Obo => "OBO exchange and backend hop",
            StepId::Mcp => "MCP conversation through the gateway",
            StepId::Negative => "negative checks",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What one step produced.
#[derive(Debug, Default)]
pub struct StepResult {
    pub checks: Vec<Check>,
    pub sections: Vec<Section>,
    /// Report context entries (fingerprints, URLs).
    pub context: Vec<(String, Value)>,
    /// A remark for the steps table ("not applicable to the passthrough pattern").
    pub note: Option<String>,
    pub elapsed: Duration,
}

impl StepResult {
    pub fn of(checks: Vec<Check>) -> StepResult {
        StepResult {
            checks,
            ..StepResult::default()
        }
    }

    pub fn one(check: Check) -> StepResult {
        StepResult::of(vec![check])
    }

    /// The step's status: its worst check (fail > warn > pass/info), `skip` when every
    /// check was skipped or there is none.
    pub fn status(&self) -> Status {
        let has = |s| self.checks.iter().any(|c| c.status == s);
        if has(Status::Fail) {
            Status::Fail
        } else if has(Status::Warn) {
            Status::Warn
        } else if self.checks.iter().all(|c| c.status == Status::Skip) {
            Status::Skip
        } else {
            Status::Pass
        }
    }
}

pub enum Slot {
    Waiting,
    Running {
        since: Instant,
        line: Option<progress::Step>,
        /// Started while lines were held back: announce the end with a plain line.
        held: bool,
    },
    Done(StepResult),
}

/// Every step's state, and the live lines.
pub struct Board {
    slots: Mutex<Vec<Slot>>,
    progress: Mutex<Progress>,
    /// Lines are held back (a device-code prompt owns the terminal) until [`Board::reveal`].
    held: Mutex<bool>,
    pub started: Instant,
}

impl Board {
    /// `hold`: start without live lines (the device-code prompt is on the terminal).
    pub fn new(hold: bool) -> Board {
        Board {
            slots: Mutex::new(StepId::ALL.iter().map(|_| Slot::Waiting).collect()),
            progress: Mutex::new(if hold {
                Progress::hidden()
            } else {
                Progress::stderr()
            }),
            held: Mutex::new(hold),
            started: Instant::now(),
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn progress(&self) -> Progress {
        self.progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn is_held(&self) -> bool {
        *self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A step starts: its live line appears.
    pub fn begin(&self, id: StepId) {
        let line = Some(self.progress().start(id.name()));
        let held = self.is_held();
        self.slots()[id.index()] = Slot::Running {
            since: Instant::now(),
            line,
            held,
        };
    }

    /// A step ends: its line shows the step's status, its result is kept.
    pub fn end(&self, id: StepId, mut result: StepResult) {
        let mut slots = self.slots();
        let slot = std::mem::replace(&mut slots[id.index()], Slot::Waiting);
        let (since, line, held) = match slot {
            Slot::Running { since, line, held } => (Some(since), line, held),
            _ => (None, None, false),
        };
        if let Some(since) = since {
            result.elapsed = since.elapsed();
        }
        let status = result.status();
        if let Some(line) = line {
            line.finish(status);
        }
        if held && !self.is_held() {
            self.progress().println(&format!(
                "{} {} ({:.1} s)",
                status.mark(),
                id.name(),
                result.elapsed.as_secs_f64()
            ));
        }
        slots[id.index()] = Slot::Done(result);
    }

    /// A step that ran before the board (or instantly): recorded as done.
    pub fn record(&self, id: StepId, result: StepResult) {
        let line = self.progress().start(id.name());
        line.finish(result.status());
        self.slots()[id.index()] = Slot::Done(result);
    }

    /// Show live lines from now on, with a line for each step that finished meanwhile.
    pub fn reveal(&self) {
        if !self.is_held() {
            return;
        }
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = false;
        let visible = Progress::stderr();
        for (i, slot) in self.slots().iter().enumerate() {
            if let Slot::Done(r) = slot {
                visible.println(&format!(
                    "{} {} ({:.1} s)",
                    r.status().mark(),
                    StepId::ALL[i].name(),
                    r.elapsed.as_secs_f64()
                ));
            }
        }
        *self.progress.lock().unwrap_or_else(|e| e.into_inner()) = visible;
    }

    /// Stop every running line (Ctrl-C) and hand back the slots: finished steps with
    /// their results, the others as they were left.
    pub fn take(&self) -> Vec<(StepId, Slot)> {
        let mut slots = self.slots();
        StepId::ALL
            .iter()
            .map(|id| {
                let slot = std::mem::replace(&mut slots[id.index()], Slot::Waiting);
                if let Slot::Running { since, line, held } = slot {
                    if let Some(line) = line {
                        line.finish(Status::Skip);
                    }
                    (
                        *id,
                        Slot::Running {
                            since,
                            line: None,
                            held,
                        },
                    )
                } else {
                    (*id, slot)
                }
            })
            .collect()
    }
}
