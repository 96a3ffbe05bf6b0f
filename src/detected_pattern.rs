//! Which integration pattern a gateway really has, from what `probe` and `e2e` see — the
//! client token's `aud`/`scp` and the MCP API's policy — rather than from `--pattern` or its
//! default. A healthy shared-key gateway checked under the default `obo` would otherwise
//! fail, with advice (request `Mcp.Gateway.Access`) that breaks it.
//!
//! When what is seen differs from the configured pattern, the run is judged by what was
//! seen, and the report says so first ([`crate::report::Report::notes`]) and in a check
//! (`config.pattern`): `info` when the pattern was only the default, `warn` when it was
//! configured (the configuration, the README or a teammate holds a wrong belief).

use crate::config::{Config, codes};
use crate::deployment::Pattern;
use crate::report::{Check, Source, Status};
use crate::token::Decoded;
use crate::token::claims::{GATEWAY_SCOPE, MCP_SCOPE};

/// A pattern and the evidence for it, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub pattern: Pattern,
    pub why: String,
}

fn same_app(aud: &str, id: &str) -> bool {
    let aud = aud.trim();
    aud.eq_ignore_ascii_case(id)
        || aud
            .strip_prefix("api://")
            .and_then(|r| r.split('/').next())
            .is_some_and(|g| g.eq_ignore_ascii_case(id))
}

/// From the client token. A gateway-app token (`aud` the gateway app, `scp`
/// `Mcp.Gateway.Access`) means OBO; an MCP-API token (`aud` the MCP API app, `scp`
/// `mcp.access`) means the client talks to APIM with the token guide 1 describes — the
/// shared-key or the passthrough pattern, which the token cannot tell apart (`policy`
/// can; `passthrough` when `--pattern` already says so).
pub fn from_token(d: &Decoded, cfg: &Config) -> Option<Seen> {
    let scopes = d.scopes();
    let auds = d.audiences();
    let aud_is = |id: &Option<String>| {
        id.as_deref()
            .is_some_and(|id| auds.iter().any(|a| same_app(a, id)))
    };
    let gateway = scopes.iter().any(|s| s == GATEWAY_SCOPE) || aud_is(&cfg.gateway_app_id);
    let mcp = scopes.iter().any(|s| s == MCP_SCOPE) || aud_is(&cfg.mcp_app_id);
    match (gateway, mcp) {
        (true, false) => Some(Seen {
            pattern: Pattern::Obo,
            why: format!(
                "the client token is for the gateway app (scp {})",
                scopes.join(" ")
            ),
        }),
        (false, true) => Some(Seen {
            pattern: if cfg.pattern == Pattern::Passthrough {
                Pattern::Passthrough
            } else {
                Pattern::SharedKey
            },
            why: format!(
                "the client token is for the MCP API app (scp {}), as guide 1's patterns \
                 send it — no OBO exchange",
                scopes.join(" ")
            ),
        }),
        _ => None,
    }
}

/// From policy checks: the MCP API policy's recognised pattern (`policy.pattern`).
pub fn from_policy(checks: &[Check]) -> Option<Seen> {
    checks
        .iter()
        .filter(|c| c.id == "policy.pattern")
        .find_map(|c| {
            let pattern = match c.evidence.get("recognised")?.as_str()? {
                "obo" => Pattern::Obo,
                "shared-key" => Pattern::SharedKey,
                "passthrough" => Pattern::Passthrough,
                _ => return None,
            };
            let file = c
                .evidence
                .get("location")
                .or_else(|| c.evidence.get("file"))
                .and_then(|v| v.as_str())
                .unwrap_or("the policy");
            Some(Seen {
                pattern,
                why: format!("{file} implements it"),
            })
        })
}

/// The policy decides between shared-key and passthrough; otherwise the first thing seen.
pub fn combine(policy: Option<Seen>, token: Option<Seen>) -> Option<Seen> {
    match (policy, token) {
        (Some(p), Some(t)) if p.pattern != Pattern::Obo && t.pattern != Pattern::Obo => {
            Some(Seen {
                pattern: p.pattern,
                why: format!("{}; {}", t.why, p.why),
            })
        }
        (Some(p), _) => Some(p),
        (None, t) => t,
    }
}

/// Was `--pattern` configured (flag, environment, file) rather than defaulted?
pub fn configured(cfg: &Config) -> bool {
    cfg.entries
        .iter()
        .any(|e| e.name == "pattern" && e.source != Source::Default)
}

/// Judge by what was seen: the configuration to run with, the check that records it and the
/// note the report shows first. `None` when what was seen is what was configured (or
/// nothing was seen).
pub fn apply(cfg: &Config, seen: Option<Seen>) -> Option<(Config, Check, String)> {
    let seen = seen?;
    if seen.pattern == cfg.pattern {
        return None;
    }
    let (was, status) = if configured(cfg) {
        ("--pattern says", Status::Warn)
    } else {
        ("not the default", Status::Info)
    };
    let note = format!(
        "Judged as the {} pattern: {} — {was} {}.",
        seen.pattern.as_str(),
        seen.why,
        cfg.pattern.as_str()
    );
    let check = Check::new("config.pattern", "The pattern the gateway really has")
        .finding(
            status,
            codes::PATTERN_DETECTED,
            format!(
                "the gateway uses {}: {} ({was} {}); checked as {}",
                seen.pattern.as_str(),
                seen.why,
                cfg.pattern.as_str(),
                seen.pattern.as_str()
            ),
        )
        .evidence("seen", seen.pattern.as_str())
        .evidence("configured", cfg.pattern.as_str());
    let mut run_with = cfg.clone();
    run_with.pattern = seen.pattern;
    if let Some(e) = run_with.entries.iter_mut().find(|e| e.name == "pattern") {
        e.value = format!(
            "{} (seen; {} {})",
            seen.pattern.as_str(),
            e.source.as_str(),
            cfg.pattern.as_str()
        );
    }
    Some((run_with, check, note))
}
