//! `--format markdown`: for a support ticket. Pasted into a GitHub issue it renders the
//! answer above the fold (DESIGN.md §3): the verdict, the first cause with its fix (and
//! Entra's AADSTS code, trace ID and correlation ID), then a table of the other failures
//! and warnings (grouped by file, each at its `file:line:col`); then the header (version,
//! OS, time, context), and folded in `<details>`: the configuration with where each value
//! came from, the passed and skipped checks, one block per finding (cause, fix, guide
//! section, evidence) and the long displays.
//!
//! Personal claims are masked (fields marked `pii`, evidence keys named like a personal
//! claim) unless `--show-pii`: a ticket travels further than a terminal.
//!
//! Prose is escaped for GitHub-flavoured markdown by the primitives in
//! [`super::sanitize::markdown`]: `<tid>`-style placeholders would otherwise vanish as unknown
//! HTML tags, `|` would break table cells, and a value's `[text](url)` would become a live
//! link. Text inside backticks is left as a code span.

use serde_json::Value;

use super::redact;
use super::render_text::{by_file, location, summary_line, summary_of};
use super::sanitize::markdown::{cell, code_cell, fenced, html, inline};
use super::{Check, RenderOptions, Report, Section, SectionBody, Status, Verdict};

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("| {} |\n", headers.join(" | "));
    s.push_str(&format!(
        "|{}\n",
        headers.iter().map(|_| "---|").collect::<String>()
    ));
    for r in rows {
        s.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    s
}

/// One finding's collapsed block: detail, cause, fix, guide section, evidence.
fn finding_details(c: &Check, opts: RenderOptions, out: &mut String) {
    let code = c.code.map_or("", |code| code.code);
    out.push_str(&format!(
        "<details><summary>{} <code>{}</code> — {}</summary>\n\n",
        c.status.mark(),
        html(code),
        html(&c.title)
    ));
    if let Some(loc) = location(c) {
        out.push_str(&format!("**Where:** {}\n\n", code_cell(loc)));
    }
    if !c.detail.is_empty() {
        out.push_str(&format!("**Detail:** {}\n\n", inline(&c.detail, false)));
    }
    if let Some(entry) = c.code {
        out.push_str(&format!("**Cause:** {}\n\n", inline(entry.cause, false)));
    }
    if let Some(fix) = &c.fix {
        out.push_str(&format!("**Fix:** {}\n\n", inline(fix, false)));
    }
    if let Some(see) = &c.see {
        out.push_str(&format!("**See:** {}\n\n", inline(see, false)));
    }
    if !c.evidence.is_empty() {
        let mut ev = Value::Object(c.evidence.clone());
        if !opts.show_pii {
            redact::mask_json_pii(&mut ev);
        }
        let json = serde_json::to_string_pretty(&ev).unwrap_or_default();
        out.push_str("**Evidence:**\n\n");
        out.push_str(&fenced("json", &json));
        out.push('\n');
    }
    out.push_str("</details>\n\n");
}

/// The table of checks: mark, where (when any is located), check, code, detail.
fn checks_table(checks: &[&Check]) -> String {
    let located = checks.iter().any(|c| location(c).is_some());
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            let mut row = vec![c.status.mark().to_string()];
            if located {
                row.push(location(c).map(code_cell).unwrap_or_default());
            }
            row.extend([
                cell(&c.title),
                c.code.map(|code| code_cell(code.code)).unwrap_or_default(),
                cell(&c.detail),
            ]);
            row
        })
        .collect();
    let headers: &[&str] = if located {
        &["", "where", "check", "code", "detail"]
    } else {
        &["", "check", "code", "detail"]
    };
    table(headers, &rows)
}

/// The answer: the first cause with its fix (and Entra's identifiers), or what would
/// complete the run.
fn answer(report: &Report, out: &mut String) -> Option<String> {
    let first = report.first_cause()?;
    let (label, fix_label) = match report.verdict() {
        Verdict::Incomplete => ("Not checked", "Complete it"),
        Verdict::Warn => ("Look at this first", "Fix"),
        _ => ("Fix this first", "Fix"),
    };
    let check = report.checks.iter().find(|c| c.id == first.check)?;
    // A leading `-` would start a list.
    let mark = match check.status {
        Status::Skip => "\\-",
        other => other.mark(),
    };
    let mut line = format!("{mark} **{label}:** {}", inline(&first.title, false));
    if let Some(code) = first.code {
        line.push_str(&format!(" ({})", code_cell(code)));
    }
    if let Some(loc) = location(check) {
        line.push_str(&format!(" at {}", code_cell(loc)));
    }
    out.push_str(&line);
    out.push_str("\n\n");
    if !first.detail.is_empty() {
        out.push_str(&format!("{}\n\n", inline(&first.detail, false)));
    }
    // For an incomplete run the headline above already says what completes it.
    if let Some(fix) = first.fix.as_ref().filter(|_| fix_label == "Fix") {
        out.push_str(&format!("**{fix_label}:** {}\n\n", inline(fix, false)));
    }
    if let Some(ids) = &first.entra {
        let mut parts: Vec<String> = ids.aadsts.iter().map(|a| code_cell(a)).collect();
        if let Some(t) = &ids.trace_id {
            parts.push(format!("trace ID {}", code_cell(t)));
        }
        if let Some(c) = &ids.correlation_id {
            parts.push(format!("correlation ID {}", code_cell(c)));
        }
        if let Some(t) = &ids.timestamp {
            parts.push(format!("at {}", code_cell(t)));
        }
        out.push_str(&format!("**Entra:** {}\n\n", parts.join(" · ")));
    }
    if let Some(see) = &first.see {
        out.push_str(&format!("**See:** {}\n\n", inline(see, false)));
    }
    Some(first.check)
}

fn section(s: &Section, opts: RenderOptions, out: &mut String) {
    match &s.body {
        SectionBody::Fields { rows } => {
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|f| {
                    let value = if f.pii && !opts.show_pii {
                        redact::mask_pii(&f.shown())
                    } else {
                        f.shown()
                    };
                    vec![cell(&f.name), code_cell(&value)]
                })
                .collect();
            out.push_str(&table(&["name", "value"], &rows));
        }
        SectionBody::Table { headers, rows } => {
            let headers: Vec<String> = headers.iter().map(|h| cell(h)).collect();
            let header_refs: Vec<&str> = headers.iter().map(|h| h.as_str()).collect();
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    // Pad or cut to the header width so the table stays a table.
                    (0..header_refs.len().max(1))
                        .map(|i| r.get(i).map(|c| cell(c)).unwrap_or_default())
                        .collect()
                })
                .collect();
            out.push_str(&table(&header_refs, &rows));
        }
        SectionBody::Code { lang, text } => {
            let lang: String = lang
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '+')
                .collect();
            out.push_str(&fenced(&lang, text));
        }
        SectionBody::Text { text } => {
            let paragraphs: Vec<String> = text
                .split("\n\n")
                .map(|p| inline(p.trim_end(), false))
                .collect();
            out.push_str(&paragraphs.join("\n\n"));
            out.push('\n');
        }
    }
}

pub fn render_markdown(report: &Report, opts: RenderOptions) -> String {
    let verdict = report.verdict();
    let mut out = String::new();

    // The answer first: verdict, what it means, the first cause and its fix.
    out.push_str(&format!(
        "## c7doctor {} — {}\n\n",
        inline(&report.command, false),
        verdict.as_str().to_ascii_uppercase()
    ));
    out.push_str(&format!("**{}**\n\n", inline(&report.headline(), false)));
    for note in &report.notes {
        out.push_str(&format!("**Note:** {}\n\n", inline(note, false)));
    }
    let first = answer(report, &mut out);

    // The other failures and warnings, as a table (grouped by file for several files).
    let findings: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .filter(|c| Some(&c.id) != first.as_ref())
        .collect();
    if !findings.is_empty() {
        out.push_str(if first.is_some() {
            "### Also failed or warned\n\n"
        } else {
            "### Failed or warned\n\n"
        });
        for (file, group) in by_file(&findings) {
            if let Some(f) = file {
                out.push_str(&format!("{}\n\n", code_cell(f)));
            }
            out.push_str(&checks_table(&group));
            out.push('\n');
        }
    }

    // Where it ran: version, OS, time, context; the configuration folded.
    let mut meta = vec![
        format!("c7doctor {}", env!("CARGO_PKG_VERSION")),
        format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    ];
    if !report.generated_at.is_empty() {
        meta.push(inline(&report.generated_at, false));
    }
    out.push_str(&meta.join(" · "));
    out.push_str("\n\n");
    let items: Vec<String> = report
        .context
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{} {}", inline(k, false), code_cell(&v))
        })
        .collect();
    if !items.is_empty() {
        out.push_str(&format!("**Context:** {}\n\n", items.join(" · ")));
    }
    if !report.config.is_empty() {
        out.push_str(
            "<details><summary>Configuration and where each value came from</summary>\n\n",
        );
        let rows: Vec<Vec<String>> = report
            .config
            .iter()
            .map(|c| {
                vec![
                    cell(&c.name),
                    code_cell(&c.value),
                    c.source.as_str().to_string(),
                ]
            })
            .collect();
        out.push_str(&table(&["name", "value", "source"], &rows));
        out.push_str("\n</details>\n\n");
    }

    // Everything else, folded.
    let rest: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| !matches!(c.status, Status::Fail | Status::Warn))
        .collect();
    if report.checks.is_empty() {
        out.push_str("No checks ran.\n\n");
    } else if !rest.is_empty() {
        out.push_str(&format!(
            "<details><summary>Passed, info and skipped: {}</summary>\n\n",
            html(&summary_line(&summary_of(&rest)))
        ));
        out.push_str(&checks_table(&rest));
        out.push_str("\n</details>\n\n");
    }
    for c in report.checks.iter().filter(|c| c.status != Status::Pass) {
        finding_details(c, opts, &mut out);
    }

    // Displays: the long ones folded.
    for s in &report.sections {
        if s.folded {
            out.push_str(&format!(
                "<details><summary>{}</summary>\n\n",
                html(&s.title)
            ));
            section(s, opts, &mut out);
            out.push_str("\n</details>\n\n");
        } else {
            out.push_str(&format!("### {}\n\n", inline(&s.title, false)));
            section(s, opts, &mut out);
            out.push('\n');
        }
    }

    out.push_str(&format!(
        "**Summary:** {} — verdict: **{}**\n",
        summary_line(&report.summary()),
        verdict.as_str()
    ));
    out
}
