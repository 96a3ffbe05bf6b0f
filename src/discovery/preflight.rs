//! The authorize preflight: when the façade's `/authorize` redirect points at the
//! configured authority, follow exactly that one hop with a GET — no cookies, no
//! credentials, no sign-in — and read what Entra answers before anyone signs in.
//!
//! Entra refuses some requests at once: an unknown `client_id` (AADSTS700016), a
//! `redirect_uri` the app does not have (AADSTS50011, AADSTS500113), a `resource` that does
//! not match the scopes (AADSTS9010010), a missing scope (AADSTS900144) — either as a redirect
//! back to the client with `error=` / `error_description=AADSTS…`, or as an error page holding
//! the AADSTS code. Other problems only show after sign-in. Which answers real Entra gives
//! before sign-in is not documented, so the reading is tolerant: an AADSTS code anywhere in
//! the `Location` or the page counts, and a sign-in page without one means "not confirmed
//! before sign-in" — never a pass for what Entra checks later. A second hop, or a hop to any
//! other host, is never followed.

use url::Url;

use super::fetch::same_origin;
use crate::http::{Http, Request, Response};

/// What the authority answered to the one hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Refused before sign-in: the AADSTS number (when one was given) and Entra's text.
    Refused { aadsts: Option<u32>, error: String },
    /// A sign-in page (or a redirect onwards) without an error: nothing confirmed.
    SignIn,
    /// The authority could not be asked (why).
    NotAsked(String),
}

impl Answer {
    /// One line for the evidence.
    pub fn describe(&self) -> String {
        match self {
            Answer::Refused { error, .. } => format!("refused before sign-in: {error}"),
            Answer::SignIn => {
                "the sign-in page, no error before sign-in (not confirmed before sign-in)".into()
            }
            Answer::NotAsked(why) => format!("not asked: {why}"),
        }
    }
}

/// Follow the one hop `location` to the configured `authority`, if it points there.
pub async fn run(http: &Http, location: &Url, authority: &Url) -> Answer {
    if !same_origin(location, authority) {
        return Answer::NotAsked(format!(
            "the redirect goes to {}, not the configured authority {}",
            location.origin().ascii_serialization(),
            authority.origin().ascii_serialization()
        ));
    }
    match http
        .send(Request::get(location.clone()).header("accept", "text/html"))
        .await
    {
        Ok(resp) => read(&resp),
        Err(e) => Answer::NotAsked(format!("the authority did not answer: {}", e.detail)),
    }
}

/// Read Entra's answer: a redirect carrying `error=`, a page with an AADSTS code, or the
/// sign-in page.
pub fn read(resp: &Response) -> Answer {
    if resp.is_redirect() {
        let loc = resp.header("location").unwrap_or_default();
        let parsed = resp.url.join(&loc).ok();
        let pairs: Vec<(String, String)> = parsed
            .as_ref()
            .map(|u| {
                u.query_pairs()
                    .chain(
                        u.fragment()
                            .map(|f| url::form_urlencoded::parse(f.as_bytes()))
                            .into_iter()
                            .flatten(),
                    )
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let desc = get("error_description").unwrap_or_default();
        let aadsts = crate::entra::errors::aadsts_in(&desc)
            .or_else(|| crate::entra::errors::aadsts_in(&loc));
        return match (get("error"), aadsts) {
            (Some(e), n) => Answer::Refused {
                aadsts: n,
                error: short(&format!("{e}: {desc}")),
            },
            (None, Some(n)) => Answer::Refused {
                aadsts: Some(n),
                error: format!("AADSTS{n} in the redirect"),
            },
            (None, None) => Answer::SignIn,
        };
    }
    let text = resp.text();
    if let Some(n) = crate::entra::errors::aadsts_in(&text) {
        return Answer::Refused {
            aadsts: Some(n),
            error: short(&page_error(&text, n)),
        };
    }
    if (200..300).contains(&resp.status) {
        return Answer::SignIn;
    }
    Answer::Refused {
        aadsts: None,
        error: format!(
            "the authority answered {} to the authorize request",
            crate::http::status_text(resp.status)
        ),
    }
}

/// The sentence around `AADSTSn` on an error page, without markup.
fn page_error(html: &str, n: u32) -> String {
    let needle = format!("AADSTS{n}");
    let at = html.find(&needle).unwrap_or(0);
    let rest = &html[at..];
    let end = rest.find('<').unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

fn short(s: &str) -> String {
    crate::report::bounds::cut(s, 300)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn resp(status: u16, location: Option<&str>, body: &str) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(l) = location {
            headers.insert("location", HeaderValue::from_str(l).unwrap());
        }
        Response {
            url: Url::parse("https://login.example/t/oauth2/v2.0/authorize?x=1").unwrap(),
            status,
            headers,
            body: body.as_bytes().to_vec().into(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn error_redirect_carries_the_aadsts_code() {
        let r = resp(
            302,
            Some(
                "http://127.0.0.1:33418/?error=invalid_target&error_description=AADSTS9010010%3A+The+resource+parameter+provided+in+the+request+doesn%27t+match&state=s",
            ),
            "",
        );
        match read(&r) {
            Answer::Refused { aadsts, error } => {
                assert_eq!(aadsts, Some(9010010));
                assert!(
                    error.starts_with("invalid_target: AADSTS9010010"),
                    "{error}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn error_in_the_fragment_is_read_too() {
        let r = resp(
            302,
            Some(
                "https://vscode.dev/redirect#error=invalid_request&error_description=AADSTS50011%3A+redirect",
            ),
            "",
        );
        assert!(matches!(
            read(&r),
            Answer::Refused {
                aadsts: Some(50011),
                ..
            }
        ));
    }

    #[test]
    fn error_page_holds_the_code() {
        let r = resp(
            400,
            None,
            "<html><body><div>AADSTS700016: Application with identifier 'x' was not found.</div></body></html>",
        );
        match read(&r) {
            Answer::Refused { aadsts, error } => {
                assert_eq!(aadsts, Some(700016));
                assert_eq!(
                    error,
                    "AADSTS700016: Application with identifier 'x' was not found."
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sign_in_page_confirms_nothing() {
        let r = resp(
            200,
            None,
            "<html><title>Sign in to your account</title></html>",
        );
        assert_eq!(read(&r), Answer::SignIn);
        let onwards = resp(302, Some("https://login.example/login?ctx=abc"), "");
        assert_eq!(read(&onwards), Answer::SignIn);
    }

    #[test]
    fn a_bare_error_status_is_a_refusal_without_a_code() {
        let r = resp(404, None, "<html>Not found</html>");
        assert!(matches!(read(&r), Answer::Refused { aadsts: None, .. }));
    }
}
