//! The answer a report gives first (DESIGN.md §3): the verdict, then the check to fix first
//! with its fix — or, when a check the command cannot promise anything without did not run,
//! what would complete the run.
//!
//! Each command names its *essential* checks (declared by `crate::verdict::essentials`). The
//! verdict is `fail` when any check failed; else `incomplete` when an essential check was
//! skipped or never ran, or when nothing at all was checked; else `warn` or `pass`. A report
//! that checked nothing is never a pass.
//!
//! The first cause is chosen by one ranking for every command (`crate::verdict::rank`, which
//! knows the areas' codes and so sits above them; it leaves its result in
//! [`Report::first_cause`](super::Report) and [`Report::root_causes`](super::Report)): the
//! first root cause among the failures, so a consequence (APIM's 401) never hides its cause
//! (a v1 token). Without a failure it is the first unmet essential (with what completes it),
//! or the first warning; a pass has none.

use serde::Serialize;
use serde_json::Value;

use super::{Check, Report, Status, Verdict};

/// A check a command cannot promise anything without, and what would let it run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Essential {
    /// The check's id.
    pub id: String,
    /// What would let it run, in the words a user acts on: options (`--tenant-id`) or
    /// inputs (`a client token (--token-file, stdin or C7DOCTOR_TOKEN)`).
    pub needs: Vec<String>,
}

/// The options `c7doctor init` asks for (and writes to `c7doctor.toml`).
const INIT_OPTIONS: &[&str] = &[
    "--host",
    "--api-path",
    "--pattern",
    "--tenant-id",
    "--gateway-app-id",
    "--mcp-app-id",
];

/// The identifiers Entra puts in an error response, which support asks for first.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct EntraIds {
    /// `AADSTS65001`, … (from `error_codes`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aadsts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl EntraIds {
    /// The identifiers in a check's evidence (the `entra.*` findings keep Entra's fields).
    pub fn of(check: &Check) -> Option<EntraIds> {
        let ev = &check.evidence;
        let text = |k: &str| ev.get(k).and_then(Value::as_str).map(str::to_string);
        let aadsts = ev
            .get("error_codes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_u64)
                    .map(|n| format!("AADSTS{n}"))
                    .collect()
            })
            .unwrap_or_default();
        let ids = EntraIds {
            aadsts,
            trace_id: text("trace_id"),
            correlation_id: text("correlation_id"),
            timestamp: text("timestamp"),
        };
        (ids != EntraIds::default()).then_some(ids)
    }

    /// `AADSTS65001 · trace ID … · correlation ID …`
    pub fn line(&self) -> String {
        let mut parts: Vec<String> = self.aadsts.clone();
        if let Some(t) = &self.trace_id {
            parts.push(format!("trace ID {t}"));
        }
        if let Some(c) = &self.correlation_id {
            parts.push(format!("correlation ID {c}"));
        }
        if let Some(t) = &self.timestamp {
            parts.push(format!("at {t}"));
        }
        parts.join(" · ")
    }
}

/// The check to fix first, as every format shows it (JSON `first_cause`).
#[derive(Debug, Clone, Serialize)]
pub struct FirstCause {
    /// The check's id.
    pub check: String,
    pub status: Status,
    /// The finding code (`token.audience-other-hop`).
    pub code: Option<&'static str>,
    /// The check's title.
    pub title: String,
    pub detail: String,
    /// What to do: the check's fix, or for an unmet essential what would let it run.
    pub fix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub see: Option<String>,
    /// Entra's identifiers, for a finding made from an Entra error response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entra: Option<EntraIds>,
}

impl FirstCause {
    fn of(check: &Check, fix: Option<String>) -> FirstCause {
        FirstCause {
            check: check.id.clone(),
            status: check.status,
            code: check.code.map(|c| c.code),
            title: check.title.clone(),
            detail: check.detail.clone(),
            fix,
            see: check.see.clone(),
            entra: EntraIds::of(check),
        }
    }
}

/// "a", "a and b", "a, b and c".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where an option sorts in a completion sentence: the order `init` asks in, then the rest.
fn need_rank(need: &str) -> usize {
    INIT_OPTIONS
        .iter()
        .position(|o| *o == need)
        .unwrap_or(INIT_OPTIONS.len())
}

/// The sentence that says what would complete a run: `set --tenant-id, --gateway-app-id
/// and --mcp-app-id, or run c7doctor init`, then any other input (`; give a client token …`).
pub fn completion(needs: &[String]) -> String {
    let mut options: Vec<String> = needs
        .iter()
        .filter(|n| n.starts_with("--"))
        .cloned()
        .collect();
    options.sort_by_key(|n| need_rank(n));
    let other: Vec<String> = needs
        .iter()
        .filter(|n| !n.starts_with("--"))
        .cloned()
        .collect();
    let mut parts = Vec::new();
    if !options.is_empty() {
        let initable = options.iter().all(|o| INIT_OPTIONS.contains(&o.as_str()));
        parts.push(format!(
            "set {}{}",
            join_and(&options),
            if initable {
                ", or run c7doctor init"
            } else {
                ""
            }
        ));
    }
    if !other.is_empty() {
        parts.push(format!("give {}", join_and(&other)));
    }
    parts.join("; ")
}

impl Report {
    /// Declare an essential check (see the module doc).
    pub fn essential(&mut self, id: impl Into<String>, needs: Vec<String>) {
        let id = id.into();
        if !self.essentials.iter().any(|e| e.id == id) {
            self.essentials.push(Essential { id, needs });
        }
    }

    /// The essential checks that were skipped or never ran.
    pub fn unmet_essentials(&self) -> Vec<&Essential> {
        self.essentials
            .iter()
            .filter(|e| {
                let mut found = self.checks.iter().filter(|c| c.id == e.id).peekable();
                found.peek().is_none() || found.all(|c| c.status == Status::Skip)
            })
            .collect()
    }

    /// Did any check reach a decision (anything but `skip`)?
    pub fn checked_anything(&self) -> bool {
        self.checks.iter().any(|c| c.status != Status::Skip)
    }

    pub fn verdict(&self) -> Verdict {
        let has = |s| self.checks.iter().any(|c| c.status == s);
        if has(Status::Fail) {
            Verdict::Fail
        } else if !self.checked_anything() || !self.unmet_essentials().is_empty() {
            Verdict::Incomplete
        } else if has(Status::Warn) {
            Verdict::Warn
        } else {
            Verdict::Pass
        }
    }

    /// What would complete an incomplete run, de-duplicated, in declaration order.
    pub fn needs(&self) -> Vec<String> {
        let mut needs: Vec<String> = Vec::new();
        for e in self.unmet_essentials() {
            for n in &e.needs {
                if !needs.contains(n) {
                    needs.push(n.clone());
                }
            }
        }
        needs
    }

    /// The completion sentence for an incomplete run ("" when it is not incomplete).
    pub fn completion(&self) -> String {
        if self.verdict() != Verdict::Incomplete {
            return String::new();
        }
        let needs = self.needs();
        if !needs.is_empty() {
            return completion(&needs);
        }
        // Nothing declared says what is missing: the skipped checks' own reasons do.
        self.checks
            .iter()
            .find(|c| c.status == Status::Skip)
            .map(|c| c.detail.clone())
            .unwrap_or_else(|| "nothing was checked".into())
    }

    /// The check to fix first (see the module doc); `None` on a pass.
    pub fn first_cause(&self) -> Option<FirstCause> {
        match self.verdict() {
            Verdict::Pass => None,
            Verdict::Fail => {
                // Unranked (a report never settled): the first failure.
                let c = match &self.first_cause {
                    Some(id) => self.checks.iter().find(|c| &c.id == id)?,
                    None => self.checks.iter().find(|c| c.status == Status::Fail)?,
                };
                Some(FirstCause::of(c, c.fix.clone()))
            }
            Verdict::Incomplete => {
                let unmet = self.unmet_essentials();
                let c = unmet
                    .iter()
                    .find_map(|e| self.checks.iter().find(|c| c.id == e.id))
                    .or_else(|| self.checks.iter().find(|c| c.status == Status::Skip))?;
                Some(FirstCause::of(c, Some(self.completion())))
            }
            Verdict::Warn => {
                let c = self.checks.iter().find(|c| c.status == Status::Warn)?;
                Some(FirstCause::of(c, c.fix.clone()))
            }
        }
    }

    /// The line under the title: what the verdict means for this run.
    pub fn headline(&self) -> String {
        match self.headline_parts() {
            (what, Some(complete)) => format!("{what} — to complete it: {complete}"),
            (what, None) => what,
        }
    }

    /// The headline in two parts: what the verdict means, and for `incomplete` what would
    /// complete the run (text shows it on a line of its own).
    pub fn headline_parts(&self) -> (String, Option<String>) {
        let s = self.summary();
        let what = match self.verdict() {
            Verdict::Pass => format!("every essential check passed ({})", super::summary_line(&s)),
            Verdict::Warn => format!(
                "works, with {} warning{} to look at",
                s.warn,
                if s.warn == 1 { "" } else { "s" }
            ),
            Verdict::Fail => {
                let roots = self.root_causes.max(1);
                if roots == 1 {
                    format!(
                        "{} failed — one cause to fix first",
                        plural(s.fail, "check")
                    )
                } else {
                    format!(
                        "{} failed — {roots} separate causes, the first one first",
                        plural(s.fail, "check")
                    )
                }
            }
            Verdict::Incomplete => {
                let what = if self.checked_anything() {
                    format!(
                        "checked what needs nothing more ({}), but not everything essential",
                        super::summary_line(&s)
                    )
                } else {
                    "nothing could be checked".to_string()
                };
                return (what, Some(self.completion()));
            }
        };
        (what, None)
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_sentences() {
        let s = |v: &[&str]| completion(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            s(&["--mcp-app-id", "--tenant-id", "--gateway-app-id"]),
            "set --tenant-id, --gateway-app-id and --mcp-app-id, or run c7doctor init"
        );
        assert_eq!(
            s(&["--host", "a client token"]),
            "set --host, or run c7doctor init; give a client token"
        );
        assert_eq!(
            s(&["C7DOCTOR_GATEWAY_SECRET"]),
            "give C7DOCTOR_GATEWAY_SECRET"
        );
    }

    #[test]
    fn repeated_ids_are_numbered() {
        let mut r = Report::new("policy");
        for id in [
            "policy.xml",
            "policy.secrets",
            "policy.xml",
            "policy.xml#2",
            "policy.xml",
        ] {
            r.push(Check::new(id, id).pass("ok"));
        }
        r.unique_ids();
        let ids: Vec<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "policy.xml",
                "policy.secrets",
                "policy.xml#3",
                "policy.xml#2",
                "policy.xml#4"
            ]
        );
    }

    #[test]
    fn entra_ids_come_from_the_evidence() {
        let c = Check::new("obo.exchange", "x")
            .evidence("error_codes", serde_json::json!([65001]))
            .evidence("trace_id", "t-1")
            .evidence("correlation_id", "c-1");
        let ids = EntraIds::of(&c).expect("ids");
        assert_eq!(
            ids.line(),
            "AADSTS65001 · trace ID t-1 · correlation ID c-1"
        );
        assert!(EntraIds::of(&Check::new("a", "b")).is_none());
    }
}
