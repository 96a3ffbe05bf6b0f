//! The report: an ordered list of checks, a verdict, and the context a command ran with.
//!
//! Checks never print and renderers never decide: every diagnostic area returns [`Check`]s
//! (and optional [`Section`]s for displays such as decoded claims), [`answer`] decides what
//! the report says first (verdict, first cause, what would complete it — from the ranking
//! and each command's essential checks, which `crate::verdict` settles on the report because
//! they name the areas' codes), and the renderers in this module turn a finished [`Report`]
//! into text, JSON or markdown. Nothing here imports an area: the report sits below them all.

pub mod answer;
pub mod bounds;
pub mod redact;
mod render_json;
mod render_markdown;
mod render_text;
pub mod sanitize;

use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Duration;

use crate::findings::Code;

pub use answer::{Essential, FirstCause};
pub use render_json::render_json;
pub use render_markdown::render_markdown;
pub use render_text::render_text;
pub(crate) use render_text::summary_line;

/// The `run.*` findings.
pub mod codes {
    crate::declare_findings! {
        PREREQUISITE_FAILED = "run.prerequisite-failed" {
            title: "Not run: an earlier step it depends on failed",
            cause: "This step needs the result of an earlier step, which failed or was skipped.",
            fix: "Fix the earlier failure first; this step runs again once it passes.",
            see: "",
        }
        INTERRUPTED = "run.interrupted" {
            title: "Interrupted: the report is partial",
            cause: "c7doctor was stopped (Ctrl-C) while running; the checks after that point did not run and are not in the report.",
            fix: "Run the command again and let it finish; if a step hangs against a slow host, lower --timeout so every step ends on its own.",
            see: "",
        }
    }
}

/// The outcome of one check. Ordered from best to worst for the verdict, with `Skip` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Info,
    Warn,
    Fail,
    Skip,
}

impl Status {
    /// The mark shown before a check (flutter-doctor style), in text, markdown and progress lines.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Info => "•",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Skip => "-",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Info => "info",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// The verdict of a whole report (DESIGN.md §3; decided in [`answer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    /// An essential check could not run (or nothing was checked): nothing can be promised.
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
        }
    }
}

/// One check. Build it with [`Check::new`] and one of the status setters:
///
/// ```
/// use c7doctor::report::Check;
/// let c = Check::new("token.issuer", "Issuer is the tenant's v2.0 endpoint")
///     .fail(c7doctor::token::codes::ISSUER_V1, "iss is https://sts.windows.net/<tid>/ — a v1.0 token")
///     .evidence("iss", "https://sts.windows.net/x/");
/// assert_eq!(c.code, Some(c7doctor::token::codes::ISSUER_V1));
/// assert!(c.fix.is_some()); // taken from the catalog
/// ```
///
/// Every status other than `pass` carries a catalog code; the setters take the fix and the
/// guide section from the catalog, and [`Check::fix`] / [`Check::see`] override them when a
/// check knows better (for example a fix naming the configured app ID).
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    pub detail: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub evidence: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub see: Option<String>,
    pub duration_ms: u64,
    /// Values for the `{placeholders}` of the fix text that only this check knows
    /// (see [`crate::findings`]); filled in when the report is finished.
    #[serde(skip)]
    pub fix_vars: Vec<(String, String)>,
}

impl Check {
    /// A check that has not been decided yet (status `pass`, no detail).
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Check {
            id: id.into(),
            title: title.into(),
            status: Status::Pass,
            code: None,
            detail: String::new(),
            evidence: Map::new(),
            fix: None,
            see: None,
            duration_ms: 0,
            fix_vars: Vec::new(),
        }
    }

    pub fn pass(mut self, detail: impl Into<String>) -> Self {
        self.status = Status::Pass;
        self.code = None;
        self.fix = None;
        self.see = None;
        self.detail = bounds::text(detail.into());
        self
    }

    pub fn info(self, code: Code, detail: impl Into<String>) -> Self {
        self.finding(Status::Info, code, detail)
    }

    pub fn warn(self, code: Code, detail: impl Into<String>) -> Self {
        self.finding(Status::Warn, code, detail)
    }

    pub fn fail(self, code: Code, detail: impl Into<String>) -> Self {
        self.finding(Status::Fail, code, detail)
    }

    /// Skipped: `code` says why (`config.missing` for an unset option,
    /// `run.prerequisite-failed` when an earlier step failed).
    pub fn skip(self, code: Code, detail: impl Into<String>) -> Self {
        self.finding(Status::Skip, code, detail)
    }

    /// Set any non-pass status with a catalog code; fix and guide section come from the catalog.
    pub fn finding(mut self, status: Status, code: Code, detail: impl Into<String>) -> Self {
        self.status = status;
        self.code = Some(code);
        self.detail = bounds::text(detail.into());
        self.fix = Some(code.fix.to_string());
        self.see = Some(code.see.to_string()).filter(|s| !s.is_empty());
        self
    }

    /// Replace the catalog's fix with one specific to this case.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// A value for a `{name}` placeholder in the declaration's fix text.
    pub fn fix_var(mut self, name: &str, value: impl Into<String>) -> Self {
        self.fix_vars.push((name.to_string(), value.into()));
        self
    }

    pub fn see(mut self, see: impl Into<String>) -> Self {
        self.see = Some(see.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = bounds::text(detail.into());
        self
    }

    /// Add one evidence value, within [`bounds`]. Never put a secret here: see [`redact`].
    pub fn evidence(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.evidence
            .insert(bounds::text(key.into()), bounds::value(value.into()));
        self
    }

    pub fn duration(mut self, d: Duration) -> Self {
        self.duration_ms = d.as_millis() as u64;
        self
    }

    pub fn is_failure(&self) -> bool {
        self.status == Status::Fail
    }
}

/// A display that is not a check: decoded claims, the hop table, the next steps.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(flatten)]
    pub body: SectionBody,
    /// Long detail kept off the first screen: shown with `-v` in text, inside `<details>`
    /// in markdown (always in JSON).
    #[serde(skip)]
    pub folded: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SectionBody {
    /// Name/value rows. `pii` rows are masked in markdown unless `--show-pii`.
    Fields { rows: Vec<Field> },
    /// A table whose cells are already final text (marks included).
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A block of code or data (`lang` as in a markdown fence: "json", "text").
    Code { lang: String, text: String },
    /// Plain paragraphs.
    Text { text: String },
}

/// One name/value row. `value` keeps the JSON type of what it came from (a claim's `exp` is
/// a number), `text` is how it is shown when that differs (`1795431900 (2026-11-23T…)`).
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: String,
    pub value: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pii: bool,
}

impl Field {
    /// A row whose value is text.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Field {
            name: name.into(),
            value: Value::String(value.into()),
            text: None,
            pii: false,
        }
    }
    pub fn pii(name: impl Into<String>, value: impl Into<String>) -> Self {
        Field {
            pii: true,
            ..Field::new(name, value)
        }
    }
    /// A row for a value from a token or a document: its JSON value, and the text shown.
    pub fn typed(name: impl Into<String>, value: Value, text: impl Into<String>) -> Self {
        let text = text.into();
        let same = value.as_str() == Some(text.as_str());
        Field {
            name: name.into(),
            value,
            text: (!same).then_some(text),
            pii: false,
        }
    }
    /// Mark the row personal (masked in markdown unless `--show-pii`).
    pub fn personal(mut self) -> Self {
        self.pii = true;
        self
    }
    /// The text a renderer shows.
    pub fn shown(&self) -> String {
        match (&self.text, &self.value) {
            (Some(t), _) => t.clone(),
            (None, Value::String(s)) => s.clone(),
            (None, v) => v.to_string(),
        }
    }
}

impl Section {
    pub fn fields(id: &str, title: &str, rows: Vec<Field>) -> Self {
        Section {
            id: id.into(),
            title: title.into(),
            body: SectionBody::Fields { rows },
            folded: false,
        }
    }
    pub fn table(id: &str, title: &str, headers: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        Section {
            id: id.into(),
            title: title.into(),
            body: SectionBody::Table { headers, rows },
            folded: false,
        }
    }
    pub fn code(id: &str, title: &str, lang: &str, text: impl Into<String>) -> Self {
        Section {
            id: id.into(),
            title: title.into(),
            body: SectionBody::Code {
                lang: lang.into(),
                text: text.into(),
            },
            folded: false,
        }
    }
    pub fn text(id: &str, title: &str, text: impl Into<String>) -> Self {
        Section {
            id: id.into(),
            title: title.into(),
            body: SectionBody::Text { text: text.into() },
            folded: false,
        }
    }
    /// Keep it off the first screen (see [`Section::folded`]).
    pub fn fold(mut self) -> Self {
        self.folded = true;
        self
    }
}

/// Where a configuration value came from (shown in the markdown header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Flag,
    Env,
    File,
    Default,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::Env => "env",
            Source::File => "file",
            Source::Default => "default",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigEntry {
    pub name: String,
    pub value: String,
    pub source: Source,
}

/// Rendering options: what the renderers need and nothing they could decide with.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub color: bool,
    pub show_pii: bool,
    /// `-v`: every check and every display in text, not one line per area.
    pub verbose: bool,
}

/// A finished run of one command.
#[derive(Debug, Clone)]
pub struct Report {
    pub command: String,
    /// `pattern`, `host`, `tenant_id`, `token` (fingerprint) … in insertion order.
    pub context: Map<String, Value>,
    pub checks: Vec<Check>,
    pub sections: Vec<Section>,
    /// Configuration values with their sources (markdown header, JSON `config`).
    pub config: Vec<ConfigEntry>,
    /// UTC time the report was made (RFC 3339), from the injected clock.
    pub generated_at: String,
    /// The check to fix first, as the ranking chose it (`crate::verdict`, or e2e itself);
    /// `None` until ranked, and then [`Report::first_cause`] names the first failure.
    pub first_cause: Option<String>,
    /// How many separate root causes the failures have (the headline's "N separate
    /// causes"), as the ranking counted them; 0 until ranked.
    pub root_causes: usize,
    /// The checks the command cannot promise anything without (`crate::verdict::essentials`).
    pub essentials: Vec<Essential>,
    /// What a reader must know before the checks (the pattern judged by what was seen).
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(command: &str) -> Self {
        Report {
            command: command.into(),
            context: Map::new(),
            checks: Vec::new(),
            sections: Vec::new(),
            config: Vec::new(),
            generated_at: String::new(),
            first_cause: None,
            root_causes: 0,
            essentials: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    pub fn extend(&mut self, checks: impl IntoIterator<Item = Check>) {
        self.checks.extend(checks);
    }

    pub fn context(&mut self, key: &str, value: impl Into<Value>) {
        self.context.insert(key.into(), value.into());
    }

    /// Make check ids unique: a repeated id gets `#2`, `#3` … in report order (a rule that
    /// fires twice in one file, the same rule over several files).
    pub fn unique_ids(&mut self) {
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        let mut taken: std::collections::HashSet<String> =
            self.checks.iter().map(|c| c.id.clone()).collect();
        for c in &mut self.checks {
            let n = seen.entry(c.id.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                let mut k = *n;
                while taken.contains(&format!("{}#{k}", c.id)) {
                    k += 1;
                }
                *n = k;
                c.id = format!("{}#{k}", c.id);
                taken.insert(c.id.clone());
            }
        }
    }

    /// Stopped by Ctrl-C: the report is partial (the exit code is then 130).
    pub fn interrupted(&self) -> bool {
        self.checks
            .iter()
            .any(|c| c.code == Some(codes::INTERRUPTED))
    }

    /// Fill the `{placeholders}` of every fix from the check's own values, then from the
    /// configuration (`config(name)`), else their display form.
    pub fn fill_fixes(&mut self, config: &dyn Fn(&str) -> Option<String>) {
        for c in &mut self.checks {
            if let Some(fix) = &c.fix {
                c.fix = Some(crate::findings::fill(fix, &c.fix_vars, config));
            }
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.checks {
            match c.status {
                Status::Pass => s.pass += 1,
                Status::Info => s.info += 1,
                Status::Warn => s.warn += 1,
                Status::Fail => s.fail += 1,
                Status::Skip => s.skip += 1,
            }
        }
        s
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub info: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

/// The format a report is printed in (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }
}

/// Render a report in the chosen format. Text and markdown render a copy whose untrusted
/// strings went through [`sanitize::report`] first; JSON renders the values exactly.
pub fn render(report: &Report, format: Format, opts: RenderOptions) -> String {
    match format {
        Format::Json => render_json(report),
        Format::Text | Format::Markdown => {
            let mut safe = report.clone();
            sanitize::report(&mut safe, format);
            match format {
                Format::Markdown => render_markdown(&safe, opts),
                _ => render_text(&safe, opts),
            }
        }
    }
}
