//! `--format text`: for a terminal, in the style of `flutter doctor`, the answer first
//! (DESIGN.md §3):
//!
//! 1. the verdict and what it means for this run (for `incomplete`, what would complete it);
//! 2. the check to fix first, with its detail, fix, Entra's identifiers and guide section;
//! 3. the other failures and warnings, each with its evidence and fix (policy findings
//!    grouped by file, each at its `file:line:col`);
//! 4. the passed and skipped checks folded to one line per area — every check with `-v`;
//! 5. the displays (decoded claims, tables; the long ones only with `-v`) and a one-line summary.
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
        Verdict::Warn | Verdict::Incomplete => Color::Yellow,
        Verdict::Fail => Color::Red,
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

/// Where a finding in a file is (`file:line:col`), from its evidence (`file` beside
/// `location`: a `location` alone is an HTTP redirect's, not a place in a file).
pub(crate) fn location(check: &Check) -> Option<&str> {
    file_of(check)?;
    check.evidence.get("location").and_then(Value::as_str)
}

/// The file a located finding is in.
pub(crate) fn file_of(check: &Check) -> Option<&str> {
    check.evidence.get("file").and_then(Value::as_str)
}

/// Findings grouped by file when they come from more than one (multi-file `policy`), in
/// first-seen order; one unnamed group otherwise.
pub(crate) fn by_file<'a>(checks: &[&'a Check]) -> Vec<(Option<&'a str>, Vec<&'a Check>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Check>)> = Vec::new();
    let files: Vec<&str> = checks.iter().filter_map(|c| file_of(c)).collect();
    let several = files.iter().any(|f| *f != files[0]);
    for c in checks {
        let key = if several { file_of(c) } else { None };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(c),
            None => groups.push((key, vec![c])),
        }
    }
    groups
}

/// The area a check belongs to: its id's first segment (`token`, `discovery`, `probe` …).
pub(crate) fn area(check: &Check) -> &str {
    check.id.split('.').next().unwrap_or(&check.id)
}

/// Checks grouped by area, in first-seen order.
pub(crate) fn by_area<'a>(
    checks: impl Iterator<Item = &'a Check>,
) -> Vec<(&'a str, Vec<&'a Check>)> {
    let mut areas: Vec<(&str, Vec<&Check>)> = Vec::new();
    for c in checks {
        let a = area(c);
        match areas.iter_mut().find(|(k, _)| *k == a) {
            Some((_, v)) => v.push(c),
            None => areas.push((a, vec![c])),
        }
    }
    areas
}

pub(crate) fn summary_of(checks: &[&Check]) -> Summary {
    let mut s = Summary::default();
    for c in checks {
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

/// The worst status among checks, for an area's mark.
fn worst(checks: &[&Check]) -> Status {
    let has = |s| checks.iter().any(|c| c.status == s);
    if has(Status::Fail) {
        Status::Fail
    } else if has(Status::Warn) {
        Status::Warn
    } else if checks.iter().all(|c| c.status == Status::Skip) {
        Status::Skip
    } else if has(Status::Pass) {
        Status::Pass
    } else {
        Status::Info
    }
}

/// The width the text report keeps to (a 100-column terminal).
const WIDTH: usize = 100;

/// Items joined by `sep`, broken into lines of at most [`WIDTH`] columns (an item longer
/// than that gets a line of its own).
fn wrap(items: &[String], sep: &str, indent: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for item in items {
        let width = cur.chars().count() + sep.chars().count() + item.chars().count();
        if !cur.is_empty() && width > WIDTH {
            lines.push(std::mem::take(&mut cur));
        }
        if cur.is_empty() {
            if !lines.is_empty() {
                cur.push_str(indent);
            }
        } else {
            cur.push_str(sep);
        }
        cur.push_str(item);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Prose broken at spaces into lines of at most [`WIDTH`] columns: the first line starts
/// with `first`, the others with `rest`.
fn wrap_words(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ') {
        let fits = line.chars().count() + 1 + word.chars().count() <= WIDTH;
        if !empty && !fits {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

fn context_lines(report: &Report) -> Vec<String> {
    let items: Vec<String> = report
        .context
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    wrap(&items, "  ", "")
}

/// One check's line: mark, location, title, code and detail.
fn check_line(c: &Check, p: &Painter) -> String {
    let color = status_color(c.status);
    let mut line = format!("{} ", p.paint(c.status.mark(), Some(color), true));
    if let Some(loc) = location(c) {
        line.push_str(&p.bold(loc));
        line.push(' ');
    }
    line.push_str(&c.title);
    match c.status {
        Status::Pass => {
            if !c.detail.is_empty() {
                line.push_str(&p.dim(&format!(" ({})", c.detail)));
            }
        }
        _ => {
            if let Some(code) = c.code {
                line.push(' ');
                line.push_str(&p.color(&format!("[{}]", code.code), color));
            }
            if !c.detail.is_empty() {
                line.push_str(" — ");
                line.push_str(&c.detail);
            }
        }
    }
    line
}

/// A finding with what to do about it: evidence, fix, guide section.
fn push_finding(out: &mut String, c: &Check, p: &Painter) {
    out.push_str(&check_line(c, p));
    out.push('\n');
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
                let value = f.shown().replace('\n', " ");
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

/// The first cause as the text report shows it, under the title.
fn push_first_cause(out: &mut String, report: &Report, p: &Painter) -> Option<String> {
    let first = report.first_cause()?;
    let check = report.checks.iter().find(|c| c.id == first.check)?;
    let (label, fix_label) = match report.verdict() {
        Verdict::Incomplete => ("Not checked:", "→ to complete it:"),
        Verdict::Warn => ("Look at this first:", "→ fix:"),
        _ => ("Fix this first:", "→ fix:"),
    };
    let color = status_color(check.status);
    let mut line = format!(
        "{} {} ",
        p.paint(check.status.mark(), Some(color), true),
        p.bold(label)
    );
    if let Some(loc) = location(check) {
        line.push_str(&format!("{loc} "));
    }
    line.push_str(&check.title);
    if let Some(code) = first.code {
        line.push_str(&format!(" [{}]", p.color(code, color)));
    }
    out.push_str(&line);
    out.push('\n');
    if !first.detail.is_empty() {
        out.push_str(&wrap_words(&first.detail, "  ", "  "));
    }
    // For an incomplete run the headline already says what completes it.
    if let Some(fix) = first.fix.as_ref().filter(|_| fix_label == "→ fix:") {
        out.push_str(&wrap_words(
            fix,
            &format!("  {} ", p.bold(fix_label)),
            "    ",
        ));
    }
    if let Some(ids) = &first.entra {
        out.push_str(&wrap_words(&ids.line(), "  Entra: ", "    "));
    }
    if let Some(see) = &first.see {
        out.push_str(&format!("  {}\n", p.dim(&format!("see: {see}"))));
    }
    Some(first.check)
}

pub fn render_text(report: &Report, opts: RenderOptions) -> String {
    let p = Painter { on: opts.color };
    let verdict = report.verdict();
    let mut out = String::new();

    // 1. The verdict and what it means.
    out.push_str(&format!(
        "{} {} — {}\n",
        p.bold("c7doctor"),
        p.bold(&report.command),
        p.paint(
            &verdict.as_str().to_ascii_uppercase(),
            Some(verdict_color(verdict)),
            true
        )
    ));
    let (what, complete) = report.headline_parts();
    out.push_str(&wrap_words(&what, "", "  "));
    if let Some(c) = complete {
        out.push_str(&wrap_words(
            &c,
            &format!("{} ", p.bold("→ to complete it:")),
            "  ",
        ));
    }
    for note in &report.notes {
        out.push_str(&wrap_words(
            note,
            &format!("{} ", p.color(Status::Info.mark(), Color::Blue)),
            "  ",
        ));
    }

    // 2. The first cause.
    let first = push_first_cause(&mut out, report, &p);
    for line in context_lines(report) {
        out.push_str(&p.dim(&line));
        out.push('\n');
    }

    // 3. The other failures and warnings.
    let findings: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .filter(|c| Some(&c.id) != first.as_ref())
        .collect();
    if !findings.is_empty() {
        out.push('\n');
        let label = if first.is_some() {
            "Also failed or warned:"
        } else {
            "Failed or warned:"
        };
        out.push_str(&p.bold(label));
        out.push('\n');
        for (file, group) in by_file(&findings) {
            if let Some(f) = file {
                out.push_str(&format!("{}\n", p.bold(f)));
            }
            for c in group {
                push_finding(&mut out, c, &p);
            }
        }
    }

    // 4. The rest, folded to one line per area (every check with -v).
    let rest: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| !matches!(c.status, Status::Fail | Status::Warn))
        .collect();
    if !rest.is_empty() {
        out.push('\n');
        if opts.verbose {
            out.push_str(&p.bold("Passed, info and skipped:"));
            out.push('\n');
            for c in &rest {
                out.push_str(&check_line(c, &p));
                out.push('\n');
                if c.status == Status::Skip
                    && let Some(fix) = &c.fix
                {
                    out.push_str(&format!("    {}\n", p.dim(&format!("→ {fix}"))));
                }
            }
        } else {
            out.push_str(&p.bold("Passed, info and skipped (-v lists each check):"));
            out.push('\n');
            for (area, checks) in by_area(rest.iter().copied()) {
                let mark = worst(&checks);
                let line = format!(
                    "  {} {area}: {}",
                    p.paint(mark.mark(), Some(status_color(mark)), true),
                    summary_line(&summary_of(&checks))
                );
                let mut skipped: Vec<String> = checks
                    .iter()
                    .filter(|c| c.status == Status::Skip)
                    .map(|c| c.id.clone())
                    .collect();
                let last = skipped.len().saturating_sub(1);
                for (i, id) in skipped.iter_mut().enumerate() {
                    if i == 0 {
                        *id = format!("— not run: {id}");
                    }
                    if i < last {
                        id.push(',');
                    }
                }
                let mut items = vec![line];
                items.extend(skipped);
                for (i, l) in wrap(&items, " ", "      ").into_iter().enumerate() {
                    if i == 0 {
                        out.push_str(&l);
                    } else {
                        out.push_str(&p.dim(&l));
                    }
                    out.push('\n');
                }
            }
        }
    }

    // 5. The displays, then the summary.
    let mut folded = Vec::new();
    for s in &report.sections {
        if s.folded && !opts.verbose {
            folded.push(s.title.as_str());
        } else {
            push_section(&mut out, &s.title, &s.body, &p);
        }
    }
    if !folded.is_empty() {
        out.push('\n');
        let mut items = vec!["-v also shows:".to_string()];
        items.extend(folded.iter().enumerate().map(|(i, t)| {
            if i + 1 < folded.len() {
                format!("{t},")
            } else {
                t.to_string()
            }
        }));
        for l in wrap(&items, " ", "  ") {
            out.push_str(&p.dim(&l));
            out.push('\n');
        }
    }

    out.push('\n');
    out.push_str(&format!(
        "{} — verdict: {}\n",
        summary_line(&report.summary()),
        p.paint(verdict.as_str(), Some(verdict_color(verdict)), true)
    ));
    out
}
