//! What a report answers first, where it needs to know the areas: which failure is the root
//! cause ([`rank`], which names the areas' codes to tell a cause from its consequences) and
//! which checks each command cannot promise anything without ([`essentials`], which reads the
//! configuration to say what would complete a run).
//!
//! This sits above the diagnostic areas and below `lib.rs`, which [`settle`]s every report
//! before it is rendered; the report module below the areas then only reads what was
//! settled (`Report::first_cause`, `Report::root_causes`, `Report::essentials`).

pub mod essentials;
pub mod rank;

use crate::config::Config;
use crate::report::Report;

/// Declare the command's essential checks and rank its failures. A first cause the command
/// chose itself (e2e ranks its steps as they finish) is kept.
pub fn settle(report: &mut Report, cfg: &Config) {
    essentials::declare(report, cfg);
    if report.first_cause.is_none() {
        report.first_cause = rank::first_cause(&report.checks);
    }
    report.root_causes = rank::roots(&report.checks).len();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Check;

    fn fail(id: &str, code: crate::findings::Code) -> Check {
        Check::new(id, id).fail(code, "x")
    }

    /// The report reads the ranking settled on it: a consequence after its cause is one
    /// cause, and the cause is named first even when a consequence comes first in order.
    #[test]
    fn settling_ranks_the_failures_for_the_headline_and_first_cause() {
        use crate::{mcp::codes as mcp, token::codes as token};
        let mut r = Report::new("token");
        r.push(fail("token.issuer", token::ISSUER_V1));
        r.push(fail("token.audience", token::AUDIENCE_URI));
        settle(&mut r, &Config::defaults());
        assert_eq!(r.root_causes, 1);
        assert_eq!(r.first_cause.as_deref(), Some("token.issuer"));
        assert!(
            r.headline().contains("one cause to fix first"),
            "{}",
            r.headline()
        );

        r.push(fail("probe.tools", mcp::TOOLS_MISSING));
        r.first_cause = None;
        settle(&mut r, &Config::defaults());
        assert_eq!(r.root_causes, 2);
        assert!(
            r.headline().contains("2 separate causes"),
            "{}",
            r.headline()
        );
    }

    /// e2e ranks its own steps: the first cause it chose stays.
    #[test]
    fn a_first_cause_the_command_chose_is_kept() {
        let mut r = Report::new("e2e");
        r.push(fail("token.issuer", crate::token::codes::ISSUER_V1));
        r.push(fail("probe.tools", crate::mcp::codes::TOOLS_MISSING));
        r.first_cause = Some("probe.tools".into());
        settle(&mut r, &Config::defaults());
        assert_eq!(r.first_cause.as_deref(), Some("probe.tools"));
        assert_eq!(
            r.first_cause().map(|f| f.check).as_deref(),
            Some("probe.tools")
        );
    }

    /// A report nobody settled still names a failure first (the first one).
    #[test]
    fn an_unranked_report_names_its_first_failure() {
        let mut r = Report::new("token");
        r.push(Check::new("token.decode", "d").pass("ok"));
        r.push(fail("token.expiry", crate::token::codes::EXPIRED));
        assert_eq!(
            r.first_cause().map(|f| f.check).as_deref(),
            Some("token.expiry")
        );
        assert!(r.headline().contains("one cause to fix first"));
    }
}
