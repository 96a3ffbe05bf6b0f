//! Ranking failures, for every command's first cause: a report is in dependency order, so
//! the first failure is usually the first broken link — but later failures are often its
//! consequences (a v1 token explains APIM's 401, which explains the tool call that never
//! ran). Each failure is either a root cause or explained by an earlier one; the first
//! root is "fix this first", and the causes section (e2e) lists every root with what it
//! explains.

use crate::findings::Code;
use crate::report::{Check, Section, Status};

/// Codes an MCP step reports when the stream, not the server, broke the step.
const GENERIC_MCP: &[Code] = &[
    crate::mcp::codes::TOOL_ERROR,
    crate::mcp::codes::INITIALIZE_FAILED,
    crate::mcp::codes::TOOLS_MISSING,
];

/// Codes of an OBO exchange refused because of the assertion (the client token).
const ASSERTION_CODES: &[Code] = &[
    crate::entra::codes::OBO_AUDIENCE,
    crate::entra::codes::INVALID_ASSERTION,
    crate::entra::codes::ASSERTION_EXPIRED,
    crate::entra::codes::OBO_NOT_ALLOWED,
];

fn starts(id: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| id.starts_with(p))
}

fn is_client_token(id: &str) -> bool {
    id.starts_with("token.") && !id.starts_with("token.backend.")
}

fn host_of(c: &Check) -> Option<String> {
    c.evidence
        .get("url")
        .and_then(|v| v.as_str())
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
}

/// Does the earlier failure `cause` explain the later failure `effect`?
pub fn explains(cause: &Check, effect: &Check) -> bool {
    let (cid, eid) = (cause.id.as_str(), effect.id.as_str());
    let (ccode, ecode) = (cause.code, effect.code);
    // The same finding seen again (the negative check mirroring discovery, a host that
    // did not answer one step and then the next).
    if ccode == ecode {
        return ecode != Some(crate::discovery::codes::UNREACHABLE)
            || host_of(cause) == host_of(effect);
    }
    // A v1 token carries the App ID URI as aud: one fix (the manifest) for both.
    if ccode == Some(crate::token::codes::ISSUER_V1)
        && ecode == Some(crate::token::codes::AUDIENCE_URI)
        && cid.starts_with("token.backend.") == eid.starts_with("token.backend.")
    {
        return true;
    }
    // A token Entra never issued (the jwt.io sample) explains every other finding about the
    // same token: its missing iss, tid, aud, scp and exp and its alg are one fix — get a
    // token from the tenant.
    if ccode == Some(crate::token::codes::NOT_ENTRA)
        && eid.starts_with("token.")
        && cid.starts_with("token.backend.") == eid.starts_with("token.backend.")
    {
        return true;
    }
    if apps_explains(ccode, effect) {
        return true;
    }
    // A wrong configured value taints every check that uses it.
    match cid {
        "config.host" => {
            return starts(eid, &["discovery.", "probe.", "e2e.negative."])
                && !starts(eid, &["discovery.tenant", "discovery.jwks"]);
        }
        "config.tenant" | "config.authority" => {
            return starts(
                eid,
                &[
                    "discovery.tenant",
                    "discovery.jwks",
                    "token.issuer",
                    "token.tenant",
                    "token.signature",
                    "token.backend.",
                    "obo.",
                    "login.",
                ],
            );
        }
        "config.gateway_app_id" | "config.mcp_app_id" | "config.apps-distinct" => {
            return starts(eid, &["token.", "obo.", "login."]);
        }
        _ => {}
    }
    // The client matrix restates the links that stop the clients, and Entra refusing the
    // clients' request (no scope without a PRM, a dropped query …) follows from an earlier
    // broken link: an earlier discovery failure explains both.
    if starts(cid, &["discovery."])
        && (eid == "discovery.clients" || eid == "discovery.authorize.entra")
    {
        return true;
    }
    // The tenant's keys missing explain every signature and key comparison after them.
    if cid == "discovery.tenant"
        && (eid == "discovery.jwks" || eid.ends_with(".signature") || eid == "token.signature")
    {
        return true;
    }
    // A client token the gateway must refuse explains APIM's 401 …
    if is_client_token(cid) && ecode == Some(crate::mcp::codes::REJECTED_AT_GATEWAY) {
        return true;
    }
    // … and Entra refusing it as an OBO assertion.
    if is_client_token(cid)
        && eid.starts_with("obo.")
        && ecode.is_some_and(|c| ASSERTION_CODES.contains(&c))
    {
        return true;
    }
    // A token Context7 must refuse explains Context7's refusal.
    if cid.starts_with("token.")
        && matches!(
            ecode,
            Some(crate::mcp::codes::REJECTED_BY_CONTEXT7 | crate::mcp::codes::USER_NOT_PROVISIONED)
        )
    {
        return true;
    }
    // A broken stream explains the step it carried.
    if ccode.is_some_and(|c| c.family() == "sse")
        && eid.starts_with("probe.")
        && ecode.is_some_and(|c| GENERIC_MCP.contains(&c))
    {
        return true;
    }
    false
}

// ---- The app registration audit (`apps`): its findings come early in the report and are
// the root causes of the symptoms later steps see.

/// The Entra error numbers a check's evidence carries (`error_codes`).
fn aadsts(c: &Check) -> Vec<u64> {
    c.evidence
        .get("error_codes")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|n| n.as_u64()).collect())
        .unwrap_or_default()
}

/// Does the app registration finding `cause` explain `effect`?
fn apps_explains(cause: Option<Code>, effect: &Check) -> bool {
    use crate::apps::codes as apps;
    use crate::{entra::codes as entra, mcp::codes as mcp, token::codes as token};
    let (Some(cause), Some(ecode)) = (cause, effect.code) else {
        return false;
    };
    let codes = aadsts(effect);
    let entra_said = |n: &[u64]| codes.iter().any(|c| n.contains(c));
    let gateway_5xx = ecode == mcp::GATEWAY_ERROR && effect.id.starts_with("probe.");
    if cause == apps::TOKEN_VERSION {
        // The manifest's token version: the v1 token and everything refusing it.
        [
            token::ISSUER_V1,
            token::AUDIENCE_URI,
            mcp::REJECTED_AT_GATEWAY,
            mcp::REJECTED_BY_CONTEXT7,
        ]
        .contains(&ecode)
    } else if cause == apps::CONSENT_MISSING || cause == apps::PERMISSION_MISSING {
        // No path to mcp.access: the OBO exchange's AADSTS65001 and the gateway's 5xx.
        [entra::CONSENT_REQUIRED, entra::RESOURCE_NOT_PERMITTED].contains(&ecode)
            || entra_said(&[65001, 650057, 65005])
            || gateway_5xx
    } else if cause == apps::SECRET_EXPIRED {
        ecode == entra::SECRET_EXPIRED || entra_said(&[7000222]) || gateway_5xx
    } else if cause == apps::SECRET_MISSING {
        ecode == entra::SECRET_INVALID || entra_said(&[7000215])
    } else if cause == apps::REDIRECT_URI {
        entra_said(&[50011, 500113])
    } else if cause == apps::SCOPE_MISSING {
        [entra::INVALID_SCOPE, token::SCOPE_MISSING].contains(&ecode) || entra_said(&[70011])
    } else if cause == apps::IDENTIFIER_URI {
        [entra::RESOURCE_NOT_PERMITTED, entra::INVALID_SCOPE].contains(&ecode)
            || entra_said(&[500011])
    } else if cause == apps::RESOURCE_IDENTIFIER {
        ecode == entra::RESOURCE_PARAMETER || entra_said(&[9010010, 901002])
    } else if cause == apps::NOT_FOUND {
        ecode == entra::APP_NOT_FOUND || entra_said(&[700016])
    } else {
        false
    }
}

/// One root cause and the failures it explains (indices into the checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    pub index: usize,
    pub explains: Vec<usize>,
}

/// The root causes among the failures, in report (dependency) order.
pub fn roots(checks: &[Check]) -> Vec<Root> {
    let mut roots: Vec<Root> = Vec::new();
    for (j, effect) in checks.iter().enumerate() {
        if effect.status != Status::Fail || effect.code == Some(crate::report::codes::INTERRUPTED) {
            continue;
        }
        let explained = roots.iter_mut().find(|r| {
            explains(&checks[r.index], effect)
                || r.explains.iter().any(|&k| explains(&checks[k], effect))
        });
        match explained {
            Some(r) => r.explains.push(j),
            None => roots.push(Root {
                index: j,
                explains: Vec::new(),
            }),
        }
    }
    // A later root that explains an earlier one takes its place: an HTML page where the
    // gateway should be explains every gateway finding before it; a broken stream explains
    // the step it carried, wherever the conversation put the two. Each merge removes one.
    while let Some((cause_at, effect_at)) = (0..roots.len()).find_map(|a| {
        (0..roots.len())
            .find(|&b| b != a && explains_back(&checks[roots[a].index], &checks[roots[b].index]))
            .map(|b| (a, b))
    }) {
        let cause = roots[cause_at].clone();
        let absorbed = roots[effect_at].clone();
        let mut explains = vec![absorbed.index];
        explains.extend(absorbed.explains);
        explains.extend(cause.explains);
        explains.sort_unstable();
        let at = cause_at.min(effect_at);
        roots[at] = Root {
            index: cause.index,
            explains,
        };
        roots.remove(cause_at.max(effect_at));
    }
    roots
}

/// Causes found after their consequences (see [`roots`]).
fn explains_back(cause: &Check, effect: &Check) -> bool {
    let (cid, eid) = (cause.id.as_str(), effect.id.as_str());
    let (ccode, ecode) = (cause.code, effect.code);
    if ccode == Some(crate::discovery::codes::HTML_RESPONSE) {
        return starts(eid, &["discovery.", "probe.", "e2e.negative."])
            && !starts(eid, &["discovery.tenant", "discovery.jwks"]);
    }
    ccode.is_some_and(|c| c.family() == "sse")
        && ecode.is_some_and(|c| GENERIC_MCP.contains(&c))
        && cid.starts_with(&format!("{eid}."))
}

/// The id of the check to fix first: the first root cause; the interruption only when
/// nothing else failed.
pub fn first_cause(checks: &[Check]) -> Option<String> {
    roots(checks)
        .first()
        .map(|r| checks[r.index].id.clone())
        .or_else(|| {
            checks
                .iter()
                .find(|c| c.status == Status::Fail)
                .map(|c| c.id.clone())
        })
}

fn label(c: &Check) -> String {
    match c.code {
        Some(code) => format!("{} [{code}]", c.id),
        None => c.id.clone(),
    }
}

/// "Causes, in the order to fix them": every root with what it explains, then the
/// warnings. `None` when nothing failed or warned.
pub fn causes_section(checks: &[Check]) -> Option<Section> {
    let roots = roots(checks);
    let warns: Vec<&Check> = checks.iter().filter(|c| c.status == Status::Warn).collect();
    if roots.is_empty() && warns.is_empty() {
        return None;
    }
    let mut lines = Vec::new();
    for (n, r) in roots.iter().enumerate() {
        let c = &checks[r.index];
        lines.push(format!(
            "{}. {} — {}: {}",
            n + 1,
            label(c),
            c.title,
            c.detail
        ));
        if !r.explains.is_empty() {
            let list: Vec<String> = r.explains.iter().map(|&k| label(&checks[k])).collect();
            lines.push(format!("   explains: {}", list.join("; ")));
        }
        let skipped: Vec<String> = checks
            .iter()
            .filter(|s| {
                s.status == Status::Skip
                    && s.code == Some(crate::report::codes::PREREQUISITE_FAILED)
            })
            .filter(|s| {
                s.detail.contains(&c.id)
                    || r.explains.iter().any(|&k| s.detail.contains(&checks[k].id))
            })
            .map(|s| s.id.clone())
            .collect();
        if !skipped.is_empty() {
            lines.push(format!("   not run because of it: {}", skipped.join(", ")));
        }
    }
    if !warns.is_empty() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push("Warnings (some clients or setups break):".into());
        for w in warns {
            lines.push(format!("- {} — {}", label(w), w.detail));
        }
    }
    Some(Section::text(
        "e2e.causes",
        "Causes, in the order to fix them",
        lines.join("\n"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(id: &str, code: crate::findings::Code) -> Check {
        Check::new(id, id).fail(code, "x")
    }

    #[test]
    fn a_token_entra_never_issued_explains_the_rest_of_that_token_only() {
        use crate::token::codes as token;
        let not_entra = fail("token.type", token::NOT_ENTRA);
        for effect in [
            fail("token.alg", token::ALG_UNEXPECTED),
            fail("token.issuer", token::ISSUER_FOREIGN),
            fail("token.audience", token::AUDIENCE_MISMATCH),
        ] {
            assert!(explains(&not_entra, &effect), "{}", effect.id);
        }
        // The backend hop's token is another token, with its own causes.
        assert!(!explains(
            &not_entra,
            &fail("token.backend.audience", token::AUDIENCE_MISMATCH)
        ));
        assert!(!explains(
            &not_entra,
            &fail("config.host", crate::config::codes::INVALID)
        ));
    }

    #[test]
    fn app_registration_findings_are_the_roots_of_their_symptoms() {
        // Each pair: the audit's finding (early in the report) and the symptom a later step saw.
        use crate::{apps::codes as apps, entra::codes as entra, token::codes as token};
        let redirect = fail("login.authorize", entra::UNKNOWN_ERROR)
            .evidence("error_codes", serde_json::json!([50011]));
        for (cause, effect) in [
            (
                fail("apps.gateway.token-version", apps::TOKEN_VERSION),
                fail("token.issuer", token::ISSUER_V1),
            ),
            (
                fail("apps.gateway.consent", apps::CONSENT_MISSING),
                fail("obo.exchange", entra::CONSENT_REQUIRED),
            ),
            (
                fail("apps.gateway.permission", apps::PERMISSION_MISSING),
                fail("obo.exchange", entra::CONSENT_REQUIRED),
            ),
            (
                fail("apps.gateway.credential", apps::SECRET_EXPIRED),
                fail("obo.exchange", entra::SECRET_EXPIRED),
            ),
            (
                fail("apps.gateway.redirect-uri", apps::REDIRECT_URI),
                redirect,
            ),
        ] {
            let checks = vec![cause.clone(), effect.clone()];
            assert_eq!(first_cause(&checks).as_deref(), Some(cause.id.as_str()));
            assert_eq!(
                roots(&checks),
                vec![Root {
                    index: 0,
                    explains: vec![1]
                }],
                "{}",
                cause.id
            );
        }
        // An unrelated finding is not explained.
        let checks = vec![
            fail("apps.gateway.redirect-uri", apps::REDIRECT_URI),
            fail("token.issuer", token::ISSUER_V1),
        ];
        assert_eq!(roots(&checks).len(), 2);
    }

    #[test]
    fn v1_token_explains_the_gateway_401() {
        let checks = vec![
            Check::new("config.host", "h").pass("ok"),
            Check::new("discovery.challenge", "c")
                .warn(crate::discovery::codes::CHALLENGE_MISSING, "no header"),
            fail("token.issuer", crate::token::codes::ISSUER_V1),
            fail("token.audience", crate::token::codes::AUDIENCE_URI),
            fail("probe.initialize", crate::mcp::codes::REJECTED_AT_GATEWAY),
            Check::new("probe.tools-call", "t").skip(
                crate::report::codes::PREREQUISITE_FAILED,
                "not called: the conversation stopped at probe.initialize",
            ),
        ];
        assert_eq!(first_cause(&checks).as_deref(), Some("token.issuer"));
        let r = roots(&checks);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].index, 2);
        assert_eq!(r[0].explains, vec![3, 4]);
        let s = causes_section(&checks).unwrap();
        let text = format!("{s:?}");
        assert!(text.contains("probe.tools-call"), "{text}");
        assert!(
            text.contains(crate::discovery::codes::CHALLENGE_MISSING.code),
            "{text}"
        );
    }

    #[test]
    fn config_failure_comes_first_and_explains_the_gateway_steps() {
        let checks = vec![
            fail("config.host", crate::config::codes::PORTAL_HOST),
            fail(
                "discovery.endpoint",
                crate::discovery::codes::ENDPOINT_MISSING,
            ),
            fail("probe.initialize", crate::mcp::codes::INITIALIZE_FAILED),
        ];
        let r = roots(&checks);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].explains, vec![1, 2]);
    }

    #[test]
    fn stream_check_beats_the_generic_step_failure() {
        let checks = vec![
            fail("probe.tools-call", crate::mcp::codes::TOOL_ERROR),
            fail("probe.tools-call.stream", crate::mcp::codes::SSE_TRUNCATED),
        ];
        assert_eq!(
            first_cause(&checks).as_deref(),
            Some("probe.tools-call.stream")
        );
        assert_eq!(roots(&checks).len(), 1);
    }

    #[test]
    fn an_html_page_explains_the_gateway_findings_before_it() {
        let checks = vec![
            fail("discovery.endpoint", crate::discovery::codes::ENDPOINT_OPEN),
            fail("discovery.prm", crate::discovery::codes::PRM_INVALID),
            fail("probe.initialize", crate::mcp::codes::SSE_CONTENT_TYPE),
            fail(
                "e2e.negative.forged-token",
                crate::discovery::codes::HTML_RESPONSE,
            ),
        ];
        let r = roots(&checks);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].index, 3);
        assert_eq!(r[0].explains, vec![0, 1, 2]);
    }

    #[test]
    fn interruption_is_the_cause_only_alone() {
        let int = fail("e2e.interrupted", crate::report::codes::INTERRUPTED);
        assert_eq!(
            first_cause(std::slice::from_ref(&int)).as_deref(),
            Some("e2e.interrupted")
        );
        let checks = vec![fail("token.expiry", crate::token::codes::EXPIRED), int];
        assert_eq!(first_cause(&checks).as_deref(), Some("token.expiry"));
    }

    #[test]
    fn unreachable_hosts_differ() {
        let a = fail("discovery.endpoint", crate::discovery::codes::UNREACHABLE)
            .evidence("url", "https://gw.example/x");
        let b = fail("obo.exchange", crate::discovery::codes::UNREACHABLE)
            .evidence("url", "https://login.example/t");
        let c = fail("probe.initialize", crate::discovery::codes::UNREACHABLE)
            .evidence("url", "https://gw.example/y");
        let r = roots(&[a, b, c]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].explains, vec![2]);
    }
}
