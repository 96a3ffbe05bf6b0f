//! Link 2: the Protected Resource Metadata (RFC 9728). Clients read it from the
//! challenge's `resource_metadata` URL, else (2025-11-25 spec) from
//! `/.well-known/oauth-protected-resource/<mcp-path>`, then `/.well-known/oauth-protected-resource`.

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
        let mut u = super::documents::origin_of(mcp_url);
        u.set_path(&format!("{WELL_KNOWN}{path}"));
        out.push((u, "path-inserted well-known URL"));
    }
    let mut u = super::documents::origin_of(mcp_url);
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
            check
                .warn(
                    code,
                    format!(
                        "the advertised resource_metadata URL fails: {what}. Clients following the 2025-11-25 spec fall back to {} and find it; clients that only follow the header cannot sign in",
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
