//! `--format markdown`: for a support ticket.

use super::{RenderOptions, Report};

pub fn render_markdown(report: &Report, opts: RenderOptions) -> String {
    super::render_text(report, opts)
}
