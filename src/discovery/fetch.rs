//! Fetching discovery documents: one GET per candidate URL through [`crate::http`], each
//! attempt kept (URL, status or failure) for the evidence, and the answer classified as a
//! document, "not served here", a redirect, an invalid body, or no answer.

use serde_json::{Value, json};
use url::Url;

use crate::http::{Http, NetError, NetErrorKind, Request, Response};

/// What one GET of a metadata URL gave.
#[derive(Debug, Clone)]
pub enum DocOutcome {
    /// 200 with a JSON body.
    Doc(Value),
    /// An HTTP status that means "no document here" (404, 401, 5xx …).
    NotServed(u16),
    /// A 3xx; the `Location` (absolute when it could be resolved).
    Redirect(u16, Option<String>),
    /// 200, but the body is not a usable JSON document (why).
    Invalid(String),
    /// No usable HTTP answer.
    Net(NetError),
}

/// One attempt at one URL.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub url: Url,
    /// Why this URL was tried ("resource_metadata", "path-inserted well-known" …).
    pub why: &'static str,
    pub outcome: DocOutcome,
    pub elapsed_ms: u64,
}

impl Attempt {
    /// A short label: "200", "404", "302 → https://…", "invalid: …", "timeout".
    pub fn status_label(&self) -> String {
        match &self.outcome {
            DocOutcome::Doc(_) => "200 (document)".into(),
            DocOutcome::NotServed(s) => crate::http::status_text(*s),
            DocOutcome::Redirect(s, Some(l)) => format!("{s} → {l}"),
            DocOutcome::Redirect(s, None) => format!("{s} without Location"),
            DocOutcome::Invalid(why) => format!("200, invalid: {why}"),
            DocOutcome::Net(e) => format!("no answer ({}): {}", e.kind.as_str(), e.detail),
        }
    }

    pub fn evidence(&self) -> Value {
        json!({"url": self.url.as_str(), "why": self.why, "result": self.status_label()})
    }

    pub fn doc(&self) -> Option<&Value> {
        match &self.outcome {
            DocOutcome::Doc(v) => Some(v),
            _ => None,
        }
    }
}

/// Classify a response to a metadata GET.
pub fn classify(resp: &Response) -> DocOutcome {
    if resp.is_redirect() {
        let loc = resp.header("location").map(|l| {
            resp.url
                .join(&l)
                .map(|u| u.to_string())
                .unwrap_or(l.clone())
        });
        return DocOutcome::Redirect(resp.status, loc);
    }
    if resp.status != 200 {
        return DocOutcome::NotServed(resp.status);
    }
    if resp.truncated {
        return DocOutcome::Invalid(format!(
            "the body is larger than the {} MiB cap for metadata",
            crate::http::METADATA_CAP / (1024 * 1024)
        ));
    }
    if resp.body.is_empty() {
        return DocOutcome::Invalid("the body is empty".into());
    }
    match resp.json() {
        Ok(v) => DocOutcome::Doc(v),
        Err(why) => {
            let html = resp
                .header("content-type")
                .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
                || resp.body.trim_ascii_start().starts_with(b"<");
            if html {
                DocOutcome::Invalid("an HTML page, not JSON".into())
            } else {
                DocOutcome::Invalid(why)
            }
        }
    }
}

/// GET one metadata URL (no credentials, 1 MiB cap, no redirects).
pub async fn get_doc(http: &Http, url: Url, why: &'static str) -> Attempt {
    let started = std::time::Instant::now();
    let req = Request::get(url.clone()).header("accept", "application/json");
    let outcome = match http.send(req).await {
        Ok(resp) => classify(&resp),
        Err(e) => DocOutcome::Net(e),
    };
    Attempt {
        url,
        why,
        outcome,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// GET several candidates concurrently; the attempts come back in the given order.
pub async fn get_docs(http: &Http, candidates: Vec<(Url, &'static str)>) -> Vec<Attempt> {
    futures_util::future::join_all(candidates.into_iter().map(|(u, why)| get_doc(http, u, why)))
        .await
}

/// Does this failure mean the host is gone (so further requests to it would only wait)?
pub fn host_is_down(e: &NetError) -> bool {
    matches!(
        e.kind,
        NetErrorKind::Dns | NetErrorKind::Connect | NetErrorKind::Tls | NetErrorKind::Timeout
    )
}

/// Same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}
