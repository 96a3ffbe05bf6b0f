//! `--format json`: exactly one JSON document, schema `c7doctor.report.v1` (DESIGN.md §3).

use serde_json::{Value, json};

use super::Report;

pub fn render_json(report: &Report) -> String {
    let mut doc = json!({
        "schema": "c7doctor.report.v1",
        "tool": {"name": "c7doctor", "version": env!("CARGO_PKG_VERSION")},
        "command": report.command,
        "verdict": report.verdict(),
        "context": Value::Object(report.context.clone()),
        "checks": report.checks,
        "summary": report.summary(),
        "generated_at": report.generated_at,
    });
    if let Some(obj) = doc.as_object_mut() {
        if !report.sections.is_empty() {
            obj.insert("sections".into(), json!(report.sections));
        }
        if !report.config.is_empty() {
            obj.insert("config".into(), json!(report.config));
        }
        if let Some(first) = &report.first_cause {
            obj.insert("first_cause".into(), json!(first));
        }
    }
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}
