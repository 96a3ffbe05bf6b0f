//! `--format text`: for a terminal.

use super::{RenderOptions, Report};

pub fn render_text(report: &Report, _opts: RenderOptions) -> String {
    let mut s = String::new();
    for c in &report.checks {
        s.push_str(&format!(
            "[{}] {} {}\n",
            c.status.as_str(),
            c.title,
            c.detail
        ));
    }
    s
}
