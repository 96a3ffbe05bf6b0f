//! Link 2: the Protected Resource Metadata (RFC 9728). Clients read it from the
//! challenge's `resource_metadata` URL, else (2025-11-25 spec) from
//! `/.well-known/oauth-protected-resource/<mcp-path>`, then `/.well-known/oauth-protected-resource`.

use super::documents::{DocExpect, is_http_url, is_placeholder, placeholder_check, string_array};
use crate::deployment::Pattern;
use crate::discovery::codes;
use crate::findings::Code;
use serde_json::Value;
use url::Url;

use super::fetch::{Attempt, DocOutcome};
use crate::report::Check;

pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The well-known candidates in the spec's order: path-inserted, then root.
pub fn wellknown_candidates(mcp_url: &Url) -> Vec<(Url, &'static str)> {
    let mut out = Vec::new();
    let path = mcp_url.path().trim_end_matches('/');
    if !path.is_empty() && path != "/" {
        let mut u = crate::config::origin_of(mcp_url);
        u.set_path(&format!("{WELL_KNOWN}{path}"));
        out.push((u, "path-inserted well-known URL"));
    }
    let mut u = crate::config::origin_of(mcp_url);
    u.set_path(WELL_KNOWN);
    out.push((u, "root well-known URL"));
    out
}

/// Where the PRM was found.
#[derive(Debug, Clone)]
pub struct PrmFound {
    pub url: Url,
    pub doc: Value,
    /// Found through the challenge's `resource_metadata` (else a well-known fallback).
    pub via_header: bool,
}

/// Every attempt in the order a client makes them, and the document found first.
#[derive(Debug, Clone)]
pub struct PrmResult {
    pub header: Option<Attempt>,
    pub wellknown: Vec<Attempt>,
    pub found: Option<PrmFound>,
}

impl PrmResult {
    pub fn new(header: Option<Attempt>, wellknown: Vec<Attempt>) -> PrmResult {
        let found = header
            .iter()
            .filter_map(|a| a.doc().map(|d| (a, d, true)))
            .chain(
                wellknown
                    .iter()
                    .filter_map(|a| a.doc().map(|d| (a, d, false))),
            )
            .map(|(a, d, via_header)| PrmFound {
                url: a.url.clone(),
                doc: d.clone(),
                via_header,
            })
            .next();
        PrmResult {
            header,
            wellknown,
            found,
        }
    }

    /// The well-known URL that serves the PRM (what header-less clients find).
    pub fn fallback(&self) -> Option<&Url> {
        self.wellknown
            .iter()
            .find(|a| a.doc().is_some())
            .map(|a| &a.url)
    }

    pub fn attempts(&self) -> impl Iterator<Item = &Attempt> {
        self.header.iter().chain(self.wellknown.iter())
    }
}

/// The code and sentence for an attempt that found no document.
fn failure_of(a: &Attempt) -> (Code, String) {
    match &a.outcome {
        DocOutcome::Invalid(why) => (
            codes::PRM_INVALID,
            format!("{} answers 200 but {why}", a.url),
        ),
        DocOutcome::Redirect(s, loc) => (
            codes::REDIRECT,
            format!(
                "{} answers {s} to {} (c7doctor does not follow redirects; clients that do may leave the gateway)",
                a.url,
                loc.as_deref().unwrap_or("nowhere")
            ),
        ),
        DocOutcome::Net(e) => (codes::UNREACHABLE, format!("{} — {}", a.url, e.detail)),
        DocOutcome::NotServed(s) => (
            codes::PRM_MISSING,
            format!("{} answers {}", a.url, crate::http::status_text(*s)),
        ),
        DocOutcome::Doc(_) => (codes::PRM_MISSING, String::new()),
    }
}

/// Is the PRM served where clients look?
pub fn served_check(r: &PrmResult) -> Check {
    let check = Check::new(
        "discovery.prm",
        "Protected resource metadata is served where clients look",
    )
    .evidence(
        "attempts",
        Value::Array(r.attempts().map(Attempt::evidence).collect()),
    );
    match (&r.found, &r.header) {
        (Some(f), _) if f.via_header => check
            .pass(format!(
                "served at {} (the challenge's resource_metadata)",
                f.url
            ))
            .evidence("url", f.url.as_str()),
        (Some(f), Some(h)) => {
            let (code, what) = failure_of(h);
            // A client that got a resource_metadata URL tries only that URL: the TypeScript
            // SDK v1 and v2 do not fall back to the well-known ones (they go on without a
            // PRM: no scope, no resource, and Entra refuses the sign-in).
            check
                .fail(
                    code,
                    format!(
                        "the advertised resource_metadata URL fails: {what}. The PRM is served at {}, but clients given a resource_metadata URL (TypeScript SDK v1 and v2) do not fall back to it: they continue without a PRM, ask for no scope and cannot sign in",
                        f.url
                    ),
                )
                .evidence("url", f.url.as_str())
        }
        (Some(f), None) => check
            .pass(format!(
                "served at {} (found by the well-known fallback, not through the challenge)",
                f.url
            ))
            .evidence("url", f.url.as_str()),
        (None, _) => {
            let failures: Vec<(Code, String)> = r.attempts().map(failure_of).collect();
            // The most specific cause wins: a broken document, then a redirect, then no
            // answer at all, then "not there".
            let rank = |c: Code| match c {
                codes::PRM_INVALID => 0,
                codes::REDIRECT => 1,
                codes::PRM_MISSING => 3,
                _ => 2,
            };
            let code = failures
                .iter()
                .map(|(c, _)| *c)
                .min_by_key(|c| rank(c))
                .unwrap_or(codes::PRM_MISSING);
            let code = if code == codes::UNREACHABLE
                && failures.iter().any(|(c, _)| *c == codes::PRM_MISSING)
            {
                codes::PRM_MISSING
            } else {
                code
            };
            let sentences: Vec<String> = failures.into_iter().map(|(_, s)| s).collect();
            check.fail(
                code,
                format!(
                    "no protected resource metadata where clients look: {}",
                    sentences.join("; ")
                ),
            )
        }
    }
}

// ---------------------------------------------------------------- PRM (RFC 9728)

/// How a PRM `resource` relates to the MCP URL a client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceMatch {
    Exact,
    /// Same origin, and the resource's path is a segment prefix of the MCP URL's path.
    Prefix,
    Mismatch,
}

/// Compare a PRM `resource` with the MCP URL (RFC 9728 §3.3 wants them identical; the
/// TypeScript and Rust SDKs accept an origin + path-prefix match).
pub fn resource_match(resource: &Url, mcp_url: &Url) -> ResourceMatch {
    if resource == mcp_url {
        return ResourceMatch::Exact;
    }
    if resource.origin() != mcp_url.origin() || resource.fragment().is_some() {
        return ResourceMatch::Mismatch;
    }
    let (rp, mp) = (resource.path(), mcp_url.path());
    if rp == mp {
        // Only the query differs: clients compare path identity.
        return ResourceMatch::Exact;
    }
    if mp.starts_with(rp) && (rp.ends_with('/') || mp.as_bytes().get(rp.len()) == Some(&b'/')) {
        ResourceMatch::Prefix
    } else {
        ResourceMatch::Mismatch
    }
}

/// Checks on a Protected Resource Metadata document: `prm-invalid`, `prm-placeholder`,
/// `prm-resource`, `prm-scope` (in that order, one check each).
pub fn check_prm_document(doc: &Value, exp: &DocExpect) -> Vec<Check> {
    vec![
        prm_shape(doc),
        placeholder_check(
            "discovery.prm.placeholder",
            "Protected resource metadata has no template placeholder",
            codes::PRM_PLACEHOLDER,
            doc,
        ),
        prm_resource(doc, exp),
        prm_scope(doc, exp),
    ]
}

fn prm_shape(doc: &Value) -> Check {
    let check = Check::new(
        "discovery.prm.valid",
        "Protected resource metadata is a valid RFC 9728 document",
    );
    let Some(obj) = doc.as_object() else {
        return check.fail(
            codes::PRM_INVALID,
            format!(
                "the document is {}, not a JSON object",
                crate::input::json_type(doc, true)
            ),
        );
    };
    let mut problems = Vec::new();
    match obj.get("resource") {
        None => problems.push("`resource` is missing (RFC 9728 requires it)".to_string()),
        Some(Value::String(_)) => {}
        Some(v) => problems.push(format!(
            "`resource` is {}, not a string",
            crate::input::json_type(v, true)
        )),
    }
    let servers = match string_array(doc, "authorization_servers") {
        Ok(Some(list)) if list.is_empty() => {
            problems.push("`authorization_servers` is empty".into());
            Vec::new()
        }
        Ok(Some(list)) => list,
        Ok(None) => {
            problems.push(
                "`authorization_servers` is missing: MCP clients cannot find where to sign in"
                    .into(),
            );
            Vec::new()
        }
        Err(e) => {
            problems.push(e);
            Vec::new()
        }
    };
    for s in &servers {
        if !is_http_url(s) && !is_placeholder(s) {
            problems.push(format!("authorization server {s:?} is not an absolute URL"));
        }
    }
    if let Err(e) = string_array(doc, "scopes_supported") {
        problems.push(e);
    }
    if let Ok(Some(methods)) = string_array(doc, "bearer_methods_supported")
        && !methods.is_empty()
        && !methods.contains(&"header")
    {
        problems.push(format!(
            "`bearer_methods_supported` is {methods:?} without \"header\": MCP clients send the token in the Authorization header"
        ));
    }
    if problems.is_empty() {
        check
            .pass(format!(
                "resource and {} authorization server(s) present",
                servers.len()
            ))
            .evidence("authorization_servers", servers)
    } else {
        check
            .fail(codes::PRM_INVALID, problems.join("; "))
            .evidence("problems", problems)
    }
}

fn prm_resource(doc: &Value, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.prm.resource",
        "PRM `resource` is the MCP URL clients use",
    );
    let Some(resource) = doc.get("resource").and_then(Value::as_str) else {
        return check.skip(
            crate::report::codes::PREREQUISITE_FAILED,
            "the document has no string `resource` (see the PRM validity check)",
        );
    };
    let check = check.evidence("resource", resource);
    let Some(mcp_url) = &exp.mcp_url else {
        return check.skip(
            crate::config::codes::MISSING,
            "set --host (and --api-path) to compare `resource` with the MCP URL",
        );
    };
    let check = check
        .evidence("mcp_url", mcp_url.as_str())
        .fix_var("mcp_url", mcp_url.as_str());
    if is_placeholder(resource) {
        return check.fail(
            codes::PRM_RESOURCE,
            format!("`resource` is the template value {resource:?}, not {mcp_url}"),
        );
    }
    let Ok(res_url) = Url::parse(resource) else {
        return check.fail(
            codes::PRM_RESOURCE,
            format!(
                "`resource` {resource:?} is not an absolute URL; clients compare it with {mcp_url}"
            ),
        );
    };
    match resource_match(&res_url, mcp_url) {
        ResourceMatch::Exact => check.pass(format!("`resource` is {resource}")),
        ResourceMatch::Prefix => check
            .warn(
                codes::PRM_RESOURCE,
                format!(
                    "`resource` {resource} is only a path prefix of the MCP URL {mcp_url}: the TypeScript and Rust SDKs accept it, clients that follow RFC 9728 §3.3 strictly reject the metadata"
                ),
            ),
        ResourceMatch::Mismatch => {
            let why = if res_url.host_str() != mcp_url.host_str() {
                format!(
                    " (another host: {}; clients reject the metadata as belonging to another resource)",
                    res_url.host_str().unwrap_or("?")
                )
            } else {
                " (clients reject metadata for another resource)".to_string()
            };
            check.fail(
                codes::PRM_RESOURCE,
                format!("`resource` {resource} does not match the MCP URL {mcp_url}{why}"),
            )
        }
    }
}

/// Scope names that are OIDC/Entra built-ins, valid without an `api://` prefix.
const BUILTIN_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

fn prm_scope(doc: &Value, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.prm.scope",
        "PRM advertises the fully qualified scope clients must request",
    );
    let scopes = match string_array(doc, "scopes_supported") {
        Ok(Some(s)) => s,
        Ok(None) => {
            return scope_fix_vars(check, exp, "`scopes_supported`", "prm-policy.xml").fail(
                codes::PRM_SCOPE,
                format!(
                    "`scopes_supported` is missing: clients request no {} scope and Entra issues a token the gateway rejects",
                    exp.scope_name()
                ),
            );
        }
        Err(e) => {
            return check.skip(
                crate::report::codes::PREREQUISITE_FAILED,
                format!("{e} (see the PRM validity check)"),
            );
        }
    };
    scope_list_check(check, &scopes, exp, "`scopes_supported`", "prm-policy.xml")
}

/// The scope `discovery.prm-scope`'s fix names, and the list it goes in.
fn scope_fix_vars(check: Check, exp: &DocExpect, what: &str, where_: &str) -> Check {
    let want = exp.expected_scope().unwrap_or_else(|| {
        format!(
            "api://<{}>/{}",
            exp.client_app_flag().trim_start_matches("--"),
            exp.scope_name()
        )
    });
    check
        .fix_var("scope", want)
        .fix_var("scope_list", format!("{what} ({where_})"))
}

/// Judge a list of scopes a client will request (PRM `scopes_supported` or a challenge's
/// `scope=`): the expected `api://…/<scope>` must be there and nothing left unqualified.
pub fn scope_list_check(
    check: Check,
    scopes: &[&str],
    exp: &DocExpect,
    what: &str,
    where_: &str,
) -> Check {
    let check = scope_fix_vars(check.evidence("scopes", scopes.to_vec()), exp, what, where_);
    let name = exp.scope_name();
    let unqualified: Vec<&str> = scopes
        .iter()
        .copied()
        .filter(|s| !s.contains("://") && !BUILTIN_SCOPES.contains(s) && !s.starts_with("api:"))
        .collect();
    if !unqualified.is_empty() {
        return check
            .fail(
                codes::PRM_SCOPE,
                format!(
                    "{what} has {} without the api://<app-id>/ prefix: Entra resolves a bare scope against Microsoft Graph (AADSTS650053)",
                    unqualified.join(", ")
                ),
            );
    }
    if let Some(expected) = exp.expected_scope() {
        if scopes.iter().any(|s| s.eq_ignore_ascii_case(&expected)) {
            return check.pass(format!("{what} has {expected}"));
        }
        // The other hop's scope in its place (obo: the MCP API's mcp.access).
        let other = match exp.pattern {
            Pattern::Obo => exp
                .mcp_app_id
                .as_deref()
                .map(|id| format!("api://{id}/mcp.access")),
            _ => exp
                .gateway_app_id
                .as_deref()
                .map(|id| format!("api://{id}/Mcp.Gateway.Access")),
        };
        let detail = match other.filter(|o| scopes.iter().any(|s| s.eq_ignore_ascii_case(o))) {
            Some(o) => format!(
                "{what} lists {o}, the other hop's scope, instead of {expected}: clients get a token the gateway rejects"
            ),
            None => format!("{what} ({}) does not include {expected}", scopes.join(" ")),
        };
        return check.fail(codes::PRM_SCOPE, detail);
    }
    let suffix = format!("/{name}");
    match scopes
        .iter()
        .find(|s| s.starts_with("api://") && s.ends_with(&suffix))
    {
        Some(s) => check.pass(format!(
            "{what} has {s} (set {} to check its app ID)",
            exp.client_app_flag()
        )),
        None => check.fail(
            codes::PRM_SCOPE,
            format!("{what} ({}) has no api://…{suffix} scope", scopes.join(" ")),
        ),
    }
}
