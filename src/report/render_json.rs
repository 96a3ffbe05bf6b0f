//! `--format json`: exactly one JSON document, schema `c7doctor.report.v1` (DESIGN.md §3).
//!
//! Serialized straight from the report (no intermediate `serde_json::Value`): the JSON
//! renderer is on every scripted run's path, and building the tree first doubled its cost.

use serde::Serialize;
use serde_json::{Map, Value};

use super::answer::FirstCause;
use super::{Check, ConfigEntry, Report, Section, Summary, Verdict};

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    command: &'a str,
    verdict: Verdict,
    /// What the verdict means for this run (for `incomplete`: what would complete it).
    headline: String,
    /// The check to fix first (null on a pass).
    first_cause: Option<FirstCause>,
    /// For `incomplete`: the options and inputs that would complete the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<String>,
    /// What a reader must know before the checks (the pattern judged by what was seen).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [String],
    context: &'a Map<String, Value>,
    checks: &'a [Check],
    summary: Summary,
    generated_at: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sections: &'a [Section],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    config: &'a [ConfigEntry],
}

pub fn render_json(report: &Report) -> String {
    let doc = Document {
        schema: "c7doctor.report.v1",
        tool: Tool {
            name: "c7doctor",
            version: env!("CARGO_PKG_VERSION"),
        },
        command: &report.command,
        verdict: report.verdict(),
        headline: report.headline(),
        first_cause: report.first_cause(),
        needs: if report.verdict() == Verdict::Incomplete {
            report.needs()
        } else {
            Vec::new()
        },
        notes: &report.notes,
        context: &report.context,
        checks: &report.checks,
        summary: report.summary(),
        generated_at: &report.generated_at,
        sections: &report.sections,
        config: &report.config,
    };
    let mut out = super::sanitize::json_pretty(&doc).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}
