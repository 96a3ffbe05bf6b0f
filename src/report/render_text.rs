//! `--format text`: for a terminal, in the style of `flutter doctor`: one line per check
//! with a mark, the finding's code, fix and guide section under it, then the displays
//! (sections) and a one-line summary.
//!
//! Colour comes from `colored`'s colour table but is applied here, only when
//! `opts.color` says so: `colored`'s own switch is process-global and would leak between
//! reports (and tests) rendered in one process.

use colored::Color;
use serde_json::Value;
use tabled::builder::Builder;
use tabled::settings::Style;

use super::{Check, RenderOptions, Report, SectionBody, Status, Summary, Verdict};

fn status_color(status: Status) -> Color {
    match status {
        Status::Pass => Color::Green,
        Status::Info => Color::Blue,
        Status::Warn => Color::Yellow,
        Status::Fail => Color::Red,
        Status::Skip => Color::BrightBlack,
    }
}

fn verdict_color(verdict: Verdict) -> Color {
    match verdict {
        Verdict::Pass => Color::Green,
        Verdict::Warn => Color::Yellow,
        Verdict::Fail => Color::Red,
    }
}

pub(crate) fn verdict_str(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
    }
}

/// Styles `text` with ANSI codes when `on`; plain text otherwise.
struct Painter {
    on: bool,
}

impl Painter {
    fn paint(&self, text: &str, color: Option<Color>, bold: bool) -> String {
        if !self.on || text.is_empty() {
            return text.to_string();
        }
        let mut codes = Vec::new();
        if bold {
            codes.push("1".to_string());
        }
        if let Some(c) = color {
            codes.push(c.to_fg_str().into_owned());
        }
        if codes.is_empty() {
            return text.to_string();
        }
        format!("\x1b[{}m{text}\x1b[0m", codes.join(";"))
    }
    fn color(&self, text: &str, color: Color) -> String {
        self.paint(text, Some(color), false)
    }
    fn bold(&self, text: &str) -> String {
        self.paint(text, None, true)
    }
    fn dim(&self, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("\x1b[2m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The one-line summary: `2 failed, 1 warning, 9 passed, 1 skipped`.
pub(crate) fn summary_line(s: &Summary) -> String {
    let mut parts = Vec::new();
    if s.fail > 0 {
        parts.push(format!("{} failed", s.fail));
    }
    if s.warn > 0 {
        parts.push(format!(
            "{} warning{}",
            s.warn,
            if s.warn == 1 { "" } else { "s" }
        ));
    }
    if s.pass > 0 {
        parts.push(format!("{} passed", s.pass));
    }
    if s.info > 0 {
        parts.push(format!("{} info", s.info));
    }
    if s.skip > 0 {
        parts.push(format!("{} skipped", s.skip));
    }
    if parts.is_empty() {
        "no checks ran".to_string()
    } else {
        parts.join(", ")
    }
}

/// Evidence on one line: `key=value key2=value2`. Strings unquoted, the rest as JSON.
pub(crate) fn evidence_line(check: &Check) -> String {
    check
        .evidence
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.replace('\n', " "),
                other => other.to_string(),
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text for "Fix this first": the named check's title, code and fix when
/// `first_cause` is a check id of this report, else the text as given.
pub(crate) fn first_cause_text(report: &Report) -> Option<String> {
    let first = report.first_cause.as_deref()?;
    let text = match report.checks.iter().find(|c| c.id == first) {
        Some(c) => {
            let mut s = c.title.clone();
            if let Some(code) = c.code {
                s.push_str(&format!(" [{code}]"));
            }
            if let Some(fix) = &c.fix {
                s.push_str(&format!(" — {fix}"));
            }
            s
        }
        None => first.to_string(),
    };
    Some(text)
}

fn context_line(report: &Report) -> String {
    report
        .context
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn push_check(out: &mut String, c: &Check, p: &Painter) {
    let color = status_color(c.status);
    let mut line = format!(
        "{} {}",
        p.paint(c.status.mark(), Some(color), true),
        c.title
    );
    match c.status {
        Status::Pass => {
            if !c.detail.is_empty() {
                line.push_str(&p.dim(&format!(" ({})", c.detail)));
            }
        }
        _ => {
            if let Some(code) = c.code {
                line.push(' ');
                line.push_str(&p.color(&format!("[{code}]"), color));
            }
            if !c.detail.is_empty() {
                line.push_str(" — ");
                line.push_str(&c.detail);
            }
        }
    }
    out.push_str(&line);
    out.push('\n');

    if matches!(c.status, Status::Fail | Status::Warn) {
        if !c.evidence.is_empty() {
            out.push_str(&format!(
                "    {}\n",
                p.dim(&format!("evidence: {}", evidence_line(c)))
            ));
        }
        if let Some(fix) = &c.fix {
            out.push_str(&format!("    {} {fix}\n", p.bold("→ fix:")));
        }
        if let Some(see) = &c.see {
            out.push_str(&format!("    {}\n", p.dim(&format!("see: {see}"))));
        }
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{by}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn push_section(out: &mut String, title: &str, body: &SectionBody, p: &Painter) {
    out.push('\n');
    out.push_str(&p.bold(title));
    out.push('\n');
    match body {
        SectionBody::Fields { rows } => {
            let width = rows
                .iter()
                .map(|f| f.name.chars().count())
                .max()
                .unwrap_or(0);
            for f in rows {
                let pad = width - f.name.chars().count();
                let value = f.value.replace('\n', " ");
                out.push_str(&format!("  {}{}  {value}\n", f.name, " ".repeat(pad)));
            }
        }
        SectionBody::Table { headers, rows } => {
            let mut b = Builder::default();
            b.push_record(headers.iter().map(|h| h.as_str()));
            for r in rows {
                b.push_record(r.iter().map(|c| c.as_str()));
            }
            let mut table = b.build();
            table.with(Style::sharp());
            out.push_str(&indent(&table.to_string(), "  "));
            out.push('\n');
        }
        SectionBody::Code { text, .. } => {
            out.push_str(&indent(text.trim_end_matches('\n'), "    "));
            out.push('\n');
        }
        SectionBody::Text { text } => {
            out.push_str(&indent(text.trim_end_matches('\n'), "  "));
            out.push('\n');
        }
    }
}

pub fn render_text(report: &Report, opts: RenderOptions) -> String {
    let p = Painter { on: opts.color };
    let verdict = report.verdict();
    let mut out = String::new();

    out.push_str(&format!(
        "{} {} — {}\n",
        p.bold("c7doctor"),
        p.bold(&report.command),
        p.paint(verdict_str(verdict), Some(verdict_color(verdict)), true)
    ));
    let ctx = context_line(report);
    if !ctx.is_empty() {
        out.push_str(&p.dim(&ctx));
        out.push('\n');
    }
    out.push('\n');

    for c in &report.checks {
        push_check(&mut out, c, &p);
    }

    for s in &report.sections {
        push_section(&mut out, &s.title, &s.body, &p);
    }

    out.push('\n');
    out.push_str(&format!(
        "{} — verdict: {}\n",
        summary_line(&report.summary()),
        p.paint(verdict_str(verdict), Some(verdict_color(verdict)), true)
    ));
    if let Some(first) = first_cause_text(report) {
        out.push_str(&format!("{} {first}\n", p.bold("Fix this first:")));
    }
    out
}
