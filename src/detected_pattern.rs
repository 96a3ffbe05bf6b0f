//! Which integration pattern a gateway really has, from what `probe` and `e2e` see — the
//! MCP API's policy (an OBO exchange, a backend API-key swap), the scopes the gateway's
//! Protected Resource Metadata advertises, and the client token's `aud`/`scp` — rather than
//! from `--pattern` or its default. A healthy shared-key gateway checked under the default
//! `obo` would otherwise fail, with advice (request `Mcp.Gateway.Access`) that breaks it.
//!
//! What the gateway itself says outranks what one client holds: the policy first (it is
//! what runs), then the PRM (what every client is told to ask for), then the token. A
//! client holding an MCP-API token for a gateway whose PRM advertises `Mcp.Gateway.Access`
//! has the wrong token (`token.audience-other-hop`); the gateway is not shared-key for it.
//!
//! When what is seen differs from the configured pattern, the run is judged by what was
//! seen, and the report says so first ([`crate::report::Report::notes`]) and in a check
//! (`config.pattern`): `info` when the pattern was only the default, `warn` when it was
//! configured (the configuration, the README or a teammate holds a wrong belief).

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::config::{Config, codes};
use crate::context::Ctx;
use crate::deployment::Pattern;
use crate::discovery::{fetch, prm};
use crate::report::{Check, Source, Status};
use crate::token::Decoded;
use crate::token::claims::{GATEWAY_SCOPE, MCP_SCOPE};

/// The longest the PRM look may take (or `--timeout`, when that is shorter). It runs beside
/// the run's first requests (the conversation's `initialize`, the discovery walk's first
/// stage), and only the steps that judge by the pattern wait for it: a dead gateway costs
/// this at most, once, beside the steps' own deadlines; the discovery and probe checks then
/// say what is wrong with it.
pub const PRM_DEADLINE: Duration = Duration::from_secs(3);

/// The cap on the PRM look for this configuration.
pub fn prm_deadline(cfg: &Config) -> Duration {
    cfg.timeout.min(PRM_DEADLINE)
}

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
            pattern: guide_1_pattern(cfg),
            why: format!(
                "the client token is for the MCP API app (scp {}), as guide 1's patterns \
                 send it — no OBO exchange",
                scopes.join(" ")
            ),
        }),
        _ => None,
    }
}

/// Guide 1's patterns (the client holds an MCP-API token) cannot be told apart without
/// the policy: `passthrough` when `--pattern` already says so, else `shared-key`.
fn guide_1_pattern(cfg: &Config) -> Pattern {
    if cfg.pattern == Pattern::Passthrough {
        Pattern::Passthrough
    } else {
        Pattern::SharedKey
    }
}

/// From the gateway's Protected Resource Metadata document (found at `url`): its
/// `scopes_supported` names the scope every client is told to request — the gateway app's
/// `Mcp.Gateway.Access` (obo) or the MCP API app's `mcp.access` (guide 1's patterns).
pub fn from_prm_document(doc: &Value, url: &Url, cfg: &Config) -> Option<Seen> {
    let scopes: Vec<&str> = doc
        .get("scopes_supported")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // `api://<app>/Mcp.Gateway.Access` or the bare name; Entra's scope names are
    // case-insensitive.
    let names = |want: &str| {
        scopes.iter().any(|s| {
            s.rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(want))
        })
    };
    let pattern = match (names(GATEWAY_SCOPE), names(MCP_SCOPE)) {
        (true, false) => Pattern::Obo,
        (false, true) => guide_1_pattern(cfg),
        _ => return None,
    };
    Some(Seen {
        pattern,
        why: format!(
            "the gateway's protected resource metadata ({url}) advertises {}",
            scopes.join(" ")
        ),
    })
}

/// From the PRM the gateway serves at the well-known locations for `mcp_url` (the
/// path-inserted one first), fetched without credentials within [`prm_deadline`]. `None`
/// when none answers with a document or its scopes say nothing about the pattern.
pub async fn from_prm(ctx: &Ctx, mcp_url: &Url) -> Option<Seen> {
    let mut cfg = ctx.cfg.clone();
    cfg.timeout = prm_deadline(&ctx.cfg);
    let http = Ctx { cfg, now: ctx.now }.http(Some(mcp_url)).ok()?;
    let attempts = fetch::get_docs(&http, prm::wellknown_candidates(mcp_url)).await;
    from_prm_attempts(&attempts, &ctx.cfg)
}

/// [`from_prm`] over fetches another step makes anyway (`e2e`'s discovery walk GETs the
/// same well-known URLs, each once, with its own `--timeout` deadline): each is waited for
/// at most [`prm_deadline`], and one still running then counts as no answer, as in
/// [`from_prm`]; the fetch itself goes on for the step that made it.
pub async fn from_prm_fetches<F>(fetches: impl IntoIterator<Item = F>, cfg: &Config) -> Option<Seen>
where
    F: std::future::Future<Output = fetch::Attempt>,
{
    let cap = prm_deadline(cfg);
    let answered = futures_util::future::join_all(
        fetches
            .into_iter()
            .map(|f| async move { tokio::time::timeout(cap, f).await.ok() }),
    )
    .await;
    let attempts: Vec<fetch::Attempt> = answered.into_iter().flatten().collect();
    from_prm_attempts(&attempts, cfg)
}

/// The first well-known attempt (in the order given) that answered with a document, read
/// for its scopes.
fn from_prm_attempts(attempts: &[fetch::Attempt], cfg: &Config) -> Option<Seen> {
    attempts
        .iter()
        .find_map(|a| a.doc().map(|d| (&a.url, d)))
        .and_then(|(url, doc)| from_prm_document(doc, url, cfg))
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

/// What the gateway says outranks what a client holds: the policy, then the PRM, then the
/// token. When guide 1's patterns are seen, the policy tells shared-key from passthrough.
/// A token that disagrees with the gateway is said beside it (its own checks fail it).
pub fn combine(policy: Option<Seen>, prm: Option<Seen>, token: Option<Seen>) -> Option<Seen> {
    let per_client = |p: Pattern| p != Pattern::Obo;
    let gateway = match (policy, prm) {
        (Some(p), Some(m)) if per_client(p.pattern) && per_client(m.pattern) => Some(Seen {
            pattern: p.pattern,
            why: format!("{}; {}", m.why, p.why),
        }),
        (Some(p), _) => Some(p),
        (None, m) => m,
    };
    match (gateway, token) {
        (Some(g), Some(t))
            if g.pattern == t.pattern || (per_client(g.pattern) && per_client(t.pattern)) =>
        {
            Some(Seen {
                pattern: g.pattern,
                why: format!("{}; {}", t.why, g.why),
            })
        }
        (Some(g), Some(t)) => Some(Seen {
            pattern: g.pattern,
            why: format!("{} (but {}, which is the wrong token for it)", g.why, t.why),
        }),
        (Some(g), None) => Some(g),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url() -> Url {
        Url::parse("https://apim.example/.well-known/oauth-protected-resource").unwrap()
    }

    fn seen(p: Pattern) -> Option<Seen> {
        Some(Seen {
            pattern: p,
            why: p.as_str().into(),
        })
    }

    #[test]
    fn prm_scopes_name_the_pattern() {
        let cfg = Config::defaults();
        let doc = |s: Value| json!({ "resource": "https://apim.example/context7", "scopes_supported": s });
        let p = |d: Value| from_prm_document(&d, &url(), &cfg).map(|s| s.pattern);
        assert_eq!(
            p(doc(json!(["api://g/Mcp.Gateway.Access"]))),
            Some(Pattern::Obo)
        );
        assert_eq!(
            p(doc(json!(["api://m/mcp.access"]))),
            Some(Pattern::SharedKey)
        );
        assert_eq!(
            p(doc(json!(["mcp.access", "openid"]))),
            Some(Pattern::SharedKey)
        );
        // Both, neither, or no list at all: nothing is said.
        assert_eq!(
            p(doc(json!([
                "api://g/Mcp.Gateway.Access",
                "api://m/mcp.access"
            ]))),
            None
        );
        assert_eq!(p(doc(json!(["openid"]))), None);
        assert_eq!(p(json!({ "resource": "x" })), None);
        // Passthrough is what --pattern says when the PRM shows guide 1's scope.
        let mut cfg = Config::defaults();
        cfg.pattern = Pattern::Passthrough;
        assert_eq!(
            from_prm_document(&doc(json!(["api://m/mcp.access"])), &url(), &cfg).map(|s| s.pattern),
            Some(Pattern::Passthrough)
        );
    }

    #[test]
    fn the_gateway_outranks_the_token() {
        let p = |s: Option<Seen>| s.map(|s| s.pattern);
        // The PRM says obo, the token is an MCP-API token: obo, and the token is named.
        let c = combine(None, seen(Pattern::Obo), seen(Pattern::SharedKey)).unwrap();
        assert_eq!(c.pattern, Pattern::Obo);
        assert!(c.why.contains("wrong token"), "{}", c.why);
        // The policy outranks the PRM; it tells passthrough from shared-key.
        assert_eq!(
            p(combine(seen(Pattern::Obo), seen(Pattern::SharedKey), None)),
            Some(Pattern::Obo)
        );
        assert_eq!(
            p(combine(
                seen(Pattern::Passthrough),
                seen(Pattern::SharedKey),
                seen(Pattern::SharedKey)
            )),
            Some(Pattern::Passthrough)
        );
        // Only the token: the token.
        assert_eq!(
            p(combine(None, None, seen(Pattern::SharedKey))),
            Some(Pattern::SharedKey)
        );
        assert_eq!(p(combine(None, None, None)), None);
    }
}
