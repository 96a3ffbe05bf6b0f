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
    // A Content-Encoding nobody asked for (c7doctor sends no Accept-Encoding): gzip and
    // deflate are decoded as the clients' HTTP stacks do; anything else is named.
    if let Some(enc) = resp
        .header("content-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
    {
        return match decode(&enc, &resp.body) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(v) => DocOutcome::Doc(v),
                Err(e) => DocOutcome::Invalid(format!(
                    "the body (Content-Encoding: {enc}, decoded) is not JSON ({e})"
                )),
            },
            Err(why) => DocOutcome::Invalid(format!(
                "the body is sent with Content-Encoding: {enc}, which c7doctor did not ask for, and {why}: serve the document unencoded (or only when the client's Accept-Encoding asks for it)"
            )),
        };
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

/// Decode a gzip or deflate body, at most [`crate::http::METADATA_CAP`] bytes of output.
fn decode(encoding: &str, body: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cap = crate::http::METADATA_CAP as u64;
    let mut out = Vec::new();
    let read = match encoding {
        "gzip" | "x-gzip" => flate2::read::GzDecoder::new(body)
            .take(cap + 1)
            .read_to_end(&mut out),
        // HTTP's "deflate" is zlib-wrapped; some servers send raw deflate.
        "deflate" => flate2::read::ZlibDecoder::new(body)
            .take(cap + 1)
            .read_to_end(&mut out)
            .or_else(|_| {
                out.clear();
                flate2::read::DeflateDecoder::new(body)
                    .take(cap + 1)
                    .read_to_end(&mut out)
            }),
        other => {
            return Err(format!(
                "c7doctor cannot decode {other} (clients whose HTTP stack decodes it may read it)"
            ));
        }
    };
    match read {
        Ok(_) if out.len() as u64 > cap => Err(format!(
            "it decodes to more than the {} MiB cap for metadata",
            crate::http::METADATA_CAP / (1024 * 1024)
        )),
        Ok(_) => Ok(out),
        Err(e) => Err(format!("it does not decode as {encoding} ({e})")),
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn resp(encoding: &str, body: Vec<u8>) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", HeaderValue::from_str(encoding).unwrap());
        Response {
            url: Url::parse("https://gw.example/.well-known/oauth-protected-resource").unwrap(),
            status: 200,
            headers,
            body: body.into(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
        }
    }

    fn gzip(b: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn gzip_and_deflate_bodies_are_decoded() {
        let doc = br#"{"resource": "https://gw.example/context7/mcp"}"#;
        assert!(matches!(
            classify(&resp("gzip", gzip(doc))),
            DocOutcome::Doc(_)
        ));
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, doc).unwrap();
        assert!(matches!(
            classify(&resp("deflate", z.finish().unwrap())),
            DocOutcome::Doc(_)
        ));
    }

    #[test]
    fn an_encoding_that_does_not_decode_is_named() {
        for (enc, body) in [
            ("br", b"\x8b\x07\x80{}\x03".to_vec()),
            ("gzip", b"{\"not\": \"gzip\"}".to_vec()),
        ] {
            match classify(&resp(enc, body)) {
                DocOutcome::Invalid(why) => {
                    assert!(why.contains(&format!("Content-Encoding: {enc}")), "{why}");
                    assert!(!why.contains("UTF-8"), "{why}");
                }
                other => panic!("{enc}: {other:?}"),
            }
        }
        // A gzip bomb stops at the cap.
        let bomb = gzip(&vec![b' '; crate::http::METADATA_CAP + 10]);
        match classify(&resp("gzip", bomb)) {
            DocOutcome::Invalid(why) => assert!(why.contains("cap"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
