//! Each command's essential checks, in one table: the checks without which the command can
//! promise nothing (DESIGN.md §2–3). When one of them is skipped or never ran and nothing
//! failed, the verdict is `incomplete` (exit 4) and the report names what would let it run.
//!
//! The needs are computed from the configuration, so an option that is already set is never
//! asked for again.

use crate::config::Config;
use crate::deployment::Pattern;
use crate::report::{Report, Status};

/// What a client token can come from, as a completion sentence names it.
pub const CLIENT_TOKEN: &str =
    "a client token (--token-file FILE, piped on stdin, C7DOCTOR_TOKEN, or --login)";

/// What `obo` exchanges, as a completion sentence names it.
const OBO_ASSERTION: &str =
    "the client token to exchange (an argument, - for stdin, --token-file FILE or C7DOCTOR_TOKEN)";

/// What `obo` exchanges with, as a completion sentence names it (never an argument).
const GATEWAY_SECRET: &str =
    "the gateway app's client secret (C7DOCTOR_GATEWAY_SECRET, or --secret-stdin)";

/// Options among `opts` (`(flag, is set)`) that are not set.
fn unset(opts: &[(&str, bool)]) -> Vec<String> {
    opts.iter()
        .filter(|(_, set)| !set)
        .map(|(o, _)| o.to_string())
        .collect()
}

/// The app IDs the audience check compares with: the hop's own app and, in the OBO
/// pattern, the other hop's app (which tells a token sent to the wrong hop).
fn app_needs(cfg: &Config) -> Vec<String> {
    match cfg.pattern {
        Pattern::Obo => unset(&[
            ("--gateway-app-id", cfg.gateway_app_id.is_some()),
            ("--mcp-app-id", cfg.mcp_app_id.is_some()),
        ]),
        _ => unset(&[("--mcp-app-id", cfg.mcp_app_id.is_some())]),
    }
}

fn tenant_needs(cfg: &Config) -> Vec<String> {
    unset(&[("--tenant-id", cfg.tenant_id.is_some())])
}

/// The token checks that need the configuration: audience, issuer tenant and scope, for
/// the token ids under `prefix` (`token.`, `token.backend.`).
fn token_essentials(report: &mut Report, cfg: &Config, prefix: &str) {
    report.essential(format!("{prefix}audience"), app_needs(cfg));
    report.essential(format!("{prefix}tenant"), tenant_needs(cfg));
    report.essential(format!("{prefix}scope"), Vec::new());
}

/// What a device-code sign-in (`login`, `--login`) that could not start needs: the tenant
/// and the pattern's client-hop app (whose scope is requested). `None` when it started.
fn sign_in_needs(report: &Report, cfg: &Config) -> Option<Vec<String>> {
    let client = skipped(report, "login.client");
    if !client && !skipped(report, "login.tenant") {
        return None;
    }
    let mut needs = tenant_needs(cfg);
    if client {
        needs.extend(unset(&[match cfg.pattern {
            Pattern::Obo => ("--gateway-app-id", cfg.gateway_app_id.is_some()),
            _ => ("--mcp-app-id", cfg.mcp_app_id.is_some()),
        }]));
    }
    Some(needs)
}

/// Was check `id` present and skipped?
fn skipped(report: &Report, id: &str) -> bool {
    report
        .checks
        .iter()
        .any(|c| c.id == id && c.status == Status::Skip)
}

/// Declare the essential checks of `report.command`.
pub fn declare(report: &mut Report, cfg: &Config) {
    let has =
        |report: &Report, prefix: &str| report.checks.iter().any(|c| c.id.starts_with(prefix));
    match report.command.as_str() {
        "token" => {
            // A token that is not a JWT fails token.decode: nothing else is essential then.
            if has(report, "token.audience") || !has(report, "token.decode") {
                token_essentials(report, cfg, "token.");
            }
            if has(report, "token.backend.audience") {
                token_essentials(report, cfg, "token.backend.");
            }
        }
        "key" => report.essential(crate::apikey::codes::FORMAT.code, Vec::new()),
        "discovery" => {
            report.essential("discovery.endpoint", vec!["--host".into()]);
            report.essential("discovery.tenant", tenant_needs(cfg));
        }
        "login" => {
            let needs = sign_in_needs(report, cfg).unwrap_or_else(|| tenant_needs(cfg));
            report.essential("login.sign-in", needs);
        }
        "obo" => {
            let mut needs = tenant_needs(cfg);
            needs.extend(unset(&[
                ("--gateway-app-id", cfg.gateway_app_id.is_some()),
                ("--mcp-app-id", cfg.mcp_app_id.is_some()),
            ]));
            if skipped(report, "obo.assertion") {
                needs.push(OBO_ASSERTION.into());
            }
            if skipped(report, "obo.secret") {
                needs.push(GATEWAY_SECRET.into());
            }
            report.essential("obo.exchange", needs);
        }
        "probe" => {
            let direct_only = !has(report, "probe.target") && has(report, "probe.direct.");
            if direct_only {
                report.essential("probe.direct.initialize", Vec::new());
            } else {
                report.essential("probe.target", vec!["--host".into()]);
                let mut needs = Vec::new();
                if skipped(report, "probe.target") {
                    needs.push("--host".to_string());
                }
                match sign_in_needs(report, cfg) {
                    // `--login` could not start: what it needs, not another token source.
                    Some(sign_in) => needs.extend(sign_in),
                    None if has(report, "probe.credential") => needs.push(CLIENT_TOKEN.into()),
                    None => {}
                }
                // `--era 2026` has no initialize: its first request is server/discover.
                let first = if has(report, "probe.discover") && !has(report, "probe.initialize") {
                    "probe.discover"
                } else {
                    "probe.initialize"
                };
                report.essential(first, needs);
            }
        }
        "e2e" => {
            let host = unset(&[("--host", cfg.host.is_some())]);
            report.essential("discovery.endpoint", host.clone());
            let token: Vec<String> = if skipped(report, "e2e.token") {
                vec![CLIENT_TOKEN.to_string()]
            } else {
                Vec::new()
            };
            // With --login the sign-in's own checks stand where e2e.token would.
            if report.checks.iter().any(|c| c.id == "e2e.token") {
                report.essential("e2e.token", token.clone());
            }
            let with_token = |mut needs: Vec<String>| {
                needs.extend(token.iter().cloned());
                needs
            };
            report.essential("token.audience", with_token(app_needs(cfg)));
            report.essential("token.tenant", with_token(tenant_needs(cfg)));
            report.essential("probe.initialize", with_token(host));
        }
        "apps" => {
            // Nothing about the chain can be promised without the registrations read.
            let docs = "the az ad app show documents (FILE…) or --graph".to_string();
            let mut mcp = unset(&[("--mcp-app-id", cfg.mcp_app_id.is_some())]);
            mcp.push(docs.clone());
            report.essential("apps.mcp.found", mcp);
            if cfg.pattern == Pattern::Obo {
                let mut gw = unset(&[("--gateway-app-id", cfg.gateway_app_id.is_some())]);
                gw.push(docs);
                report.essential("apps.gateway.found", gw);
            }
        }
        // policy: at least one file read and linted (a report that checked nothing is
        // never a pass); init and the rest: the checks they make.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Check, Verdict};
    use crate::verdict::settle;

    fn skip(id: &str) -> Check {
        Check::new(id, id).skip(crate::config::codes::MISSING, "not set")
    }

    #[test]
    fn token_without_ids_is_incomplete_and_names_every_id() {
        let cfg = Config::defaults();
        let mut r = Report::new("token");
        r.push(Check::new("token.decode", "d").pass("ok"));
        r.push(skip("token.audience"));
        r.push(skip("token.tenant"));
        r.push(Check::new("token.scope", "s").pass("ok"));
        declare(&mut r, &cfg);
        assert_eq!(r.verdict(), Verdict::Incomplete);
        assert_eq!(
            r.completion(),
            "set --tenant-id, --gateway-app-id and --mcp-app-id, or run c7doctor init"
        );
    }

    #[test]
    fn token_with_ids_set_is_a_pass() {
        let mut cfg = Config::defaults();
        cfg.tenant_id = Some("t".into());
        cfg.gateway_app_id = Some("g".into());
        cfg.mcp_app_id = Some("m".into());
        let mut r = Report::new("token");
        for id in [
            "token.decode",
            "token.audience",
            "token.tenant",
            "token.scope",
        ] {
            r.push(Check::new(id, id).pass("ok"));
        }
        declare(&mut r, &cfg);
        assert_eq!(r.verdict(), Verdict::Pass);
        assert!(r.first_cause().is_none());
    }

    #[test]
    fn nothing_checked_is_never_a_pass() {
        let mut r = Report::new("policy");
        declare(&mut r, &Config::defaults());
        assert_eq!(r.verdict(), Verdict::Incomplete);
        r.push(skip("policy.input"));
        assert_eq!(r.verdict(), Verdict::Incomplete);
    }

    #[test]
    fn a_failure_beats_incomplete() {
        let mut r = Report::new("token");
        r.push(skip("token.audience"));
        r.push(Check::new("token.expiry", "e").fail(crate::token::codes::EXPIRED, "expired"));
        settle(&mut r, &Config::defaults());
        assert_eq!(r.verdict(), Verdict::Fail);
        assert_eq!(
            r.first_cause().map(|f| f.check),
            Some("token.expiry".into())
        );
    }
}
