//! VS Code's MCP client, replayed over what c7doctor fetched. VS Code does not run the
//! TypeScript SDK's `auth()`: its discovery is its own code, read from microsoft/vscode
//! (`src/vs/base/common/oauth.ts`: `parseWWWAuthenticateHeader`, `fetchResourceMetadata`,
//! `fetchAuthorizationServerMetadata`, `getDefaultMetadataForUrl`;
//! `src/vs/workbench/api/common/extHostMcp.ts`: `createAuthMetadata`;
//! `mainThreadMcp.ts`: `$getTokenFromServerMetadata`). Where it differs from the SDK lines:
//!
//! - A 401 or any 403 starts sign-in.
//! - `WWW-Authenticate` is split into challenges; the first `Bearer` challenge with a
//!   `resource_metadata` (and the first with a `scope`) counts, so a `Basic realm=…` ahead
//!   of it does not lose the PRM.
//! - The PRM is taken from the challenge's URL only, else the path-suffixed and then the
//!   root well-known URL; a document whose `resource` is on another origin or path is
//!   skipped. Without a PRM VS Code goes on: no `resource`, the gateway origin as
//!   authorization server. For a `resource` that is only a path prefix of the MCP URL (the
//!   guide's PRM) its versions differ — the `oauth.ts` read requires the identical URL,
//!   while VS Code users of the guide report AADSTS9010010 (microsoft/vscode#321249), so
//!   theirs sent it: the model keeps and sends it, like the SDKs, and says so in the row.
//! - AS metadata needs only an `issuer` (no `response_types_supported`, no issuer
//!   comparison); a document that fails is skipped for the next location. When none is
//!   found at the PRM's server (or it is on another origin and the gateway origin has none
//!   either), VS Code uses `/authorize` and `/token` on the gateway origin.
//! - The scope is the challenge's, else the PRM's `scopes_supported`, else the AS
//!   metadata's `scopes_supported`.
//! - It signs in through its hosted broker `https://vscode.dev/redirect` (guide Part 2 Step
//!   2.7; upstash/context7 PR #2784), and sends the PRM `resource` (FACTS.md).
//!
//! Not modelled, because it was not read or cannot be seen from here: its PKCE checks, an
//! authorization server VS Code has a built-in provider for (Microsoft's own), and what
//! happens after sign-in. VS Code follows redirects while fetching; c7doctor does not, so a
//! redirect on the way is "unknown", not a pass.

use serde_json::Value;
use url::Url;

use super::{Plan, Seen, Stop, as_urls, attempt, is_url, resource_allowed, stop};
use crate::discovery::fetch::{Attempt, DocOutcome};

/// One challenge as `parseWWWAuthenticateHeader` splits it.
#[derive(Debug, PartialEq, Eq)]
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// VS Code's splitter: commas outside quotes end a token; a token without `=` is a scheme;
/// `Scheme k=v` starts a challenge; other `k=v` tokens are parameters of the current one
/// (values lose one leading and one trailing quote).
fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for c in header.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                current.push(c);
            }
            ',' if !in_quotes => {
                if !current.trim().is_empty() {
                    tokens.push(current.trim().to_string());
                }
                current.clear();
            }
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        tokens.push(current.trim().to_string());
    }
    let unquote = |v: &str| {
        let v = v.trim();
        let v = v.strip_prefix('"').unwrap_or(v);
        v.strip_suffix('"').unwrap_or(v).to_string()
    };
    let pair = |t: &str| -> Option<(String, String)> {
        let eq = t.find('=').filter(|&i| i > 0)?;
        let key = t[..eq].trim().to_string();
        (!key.is_empty()).then(|| (key, unquote(&t[eq + 1..])))
    };
    let mut out: Vec<Challenge> = Vec::new();
    for t in tokens {
        if !t.contains('=') {
            out.push(Challenge {
                scheme: t.trim().to_string(),
                params: Vec::new(),
            });
            continue;
        }
        if let Some(sp) = t.find(' ').filter(|&i| i > 0) {
            let (before, after) = (&t[..sp], &t[sp + 1..]);
            if !before.contains('=') && after.contains('=') {
                out.push(Challenge {
                    scheme: before.trim().to_string(),
                    params: pair(after).into_iter().collect(),
                });
                continue;
            }
        }
        if let (Some(c), Some(p)) = (out.last_mut(), pair(&t)) {
            c.params.push(p);
        }
    }
    out
}

/// `(resource_metadata, scope)` from the `Bearer` challenges, as `createAuthMetadata` reads
/// them (the scheme compared exactly).
fn challenge_params(headers: &[String]) -> (Option<String>, Option<Vec<String>>) {
    // fetch's Headers.get joins repeated header lines with ", ".
    let challenges = parse_challenges(&headers.join(", "));
    let bearer = || challenges.iter().filter(|c| c.scheme == "Bearer");
    let rm = bearer().find_map(|c| c.param("resource_metadata").map(str::to_string));
    let scope = bearer().find_map(|c| {
        let s: Vec<String> = c
            .param("scope")?
            .split(' ')
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .collect();
        (!s.is_empty()).then_some(s)
    });
    (rm, scope)
}

/// `isAuthorizationProtectedResourceMetadata`: an object with a `resource`, and
/// `scopes_supported` an array when present.
fn prm_shape_ok(doc: &Value) -> bool {
    doc.is_object()
        && doc
            .get("resource")
            .is_some_and(|r| r.as_str().is_some_and(|s| !s.is_empty()))
        && doc
            .get("scopes_supported")
            .is_none_or(|s| s.is_array() || s.is_null())
}

/// `isAuthorizationServerMetadata`: an `issuer`, and every endpoint it names an http(s)
/// string.
fn as_shape_ok(doc: &Value) -> bool {
    doc.is_object()
        && doc
            .get("issuer")
            .is_some_and(|i| i.as_str().is_some_and(|s| !s.is_empty()))
        && [
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "registration_endpoint",
            "jwks_uri",
        ]
        .iter()
        .all(|f| match doc.get(*f) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) if s.is_empty() => true,
            Some(Value::String(s)) => s.starts_with("https://") || s.starts_with("http://"),
            Some(_) => false,
        })
}

/// A URL c7doctor did not fetch, or a redirect VS Code would follow: where it leads is
/// unknown.
fn unknown(link: &'static str, url: &Url, a: Option<&Attempt>) -> Stop {
    match a.map(|a| &a.outcome) {
        Some(DocOutcome::Redirect(s, to)) => stop(
            link,
            format!(
                "{url} answers {s}{}; VS Code follows redirects, c7doctor does not, so where it leads is unknown",
                to.as_deref().map(|t| format!(" → {t}")).unwrap_or_default()
            ),
        ),
        _ => stop(
            link,
            format!(
                "{url} is on another host; c7doctor does not fetch it, so where it leads is unknown"
            ),
        ),
    }
}

/// The PRM VS Code ends up with (`None`: it goes on without one), and a caveat when
/// VS Code's versions disagree about it.
type PrmFound<'a> = (Option<&'a Value>, Option<String>);

fn prm_doc<'a>(seen: &'a Seen<'_>, header_url: Option<&str>) -> Result<PrmFound<'a>, Stop> {
    let urls: Vec<Url> = match header_url {
        // A resource_metadata that is not a URL fails the fetch: no PRM.
        Some(u) => match Url::parse(u) {
            Ok(u) => vec![u],
            Err(_) => return Ok((None, None)),
        },
        None => {
            let mut root = seen.mcp_url.clone();
            root.set_path("/.well-known/oauth-protected-resource");
            root.set_query(None);
            root.set_fragment(None);
            let path = seen.mcp_url.path();
            if path == "/" || path.is_empty() {
                vec![root]
            } else {
                let mut with_path = root.clone();
                with_path.set_path(&format!("/.well-known/oauth-protected-resource{path}"));
                vec![with_path, root]
            }
        }
    };
    for u in &urls {
        let a = attempt(seen, u);
        match a.map(|a| &a.outcome) {
            None | Some(DocOutcome::Redirect(..)) => return Err(unknown("prm", u, a)),
            Some(DocOutcome::Doc(d)) if prm_shape_ok(d) => {
                let resource = d.get("resource").and_then(Value::as_str).unwrap_or("");
                let same = Url::parse(resource).is_ok_and(|r| r.as_str() == seen.mcp_url.as_str());
                if same {
                    return Ok((Some(d), None));
                }
                // Versions differ here: the oauth.ts read skips the document, while VS Code
                // users of the guide's prefix PRM report AADSTS9010010, so their VS Code sent
                // it. The stricter reading (kept and sent, like the SDKs) is the model.
                if resource_allowed(seen.mcp_url, resource) {
                    return Ok((
                        Some(d),
                        Some(format!(
                            "the PRM resource {resource} is only a prefix of the MCP URL: VS Code versions that require the identical URL (microsoft/vscode src/vs/base/common/oauth.ts, fetchResourceMetadata) skip this PRM and send no resource; versions reported with AADSTS9010010 (microsoft/vscode#321249) send it, as modelled here"
                        )),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok((None, None))
}

/// `fetchAuthorizationServerMetadata(as_id)`: the first location with usable metadata.
fn as_doc<'a>(seen: &'a Seen<'_>, as_id: &Url) -> Result<Option<&'a Value>, Stop> {
    for (url, _) in as_urls(as_id) {
        let a = attempt(seen, &url);
        match a.map(|a| &a.outcome) {
            None | Some(DocOutcome::Redirect(..)) => return Err(unknown("as-metadata", &url, a)),
            Some(DocOutcome::Doc(d)) if as_shape_ok(d) => return Ok(Some(d)),
            _ => {}
        }
    }
    Ok(None)
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

/// What VS Code sends to `/authorize`, or where it stops before that. `Ok(None)`: the
/// endpoint answered without asking for sign-in.
pub(super) fn plan(seen: &Seen<'_>) -> Result<Option<Plan>, Stop> {
    match seen.endpoint_status {
        None => return Err(stop("endpoint", "no HTTP answer from the MCP endpoint")),
        Some(401 | 403) => {}
        Some(s) if (300..400).contains(&s) => {
            return Err(stop(
                "endpoint",
                format!(
                    "the MCP endpoint answered {s}; VS Code follows the redirect, c7doctor does not, so where it leads is unknown"
                ),
            ));
        }
        Some(s) if (200..300).contains(&s) => {
            let ct = seen
                .endpoint_content_type
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase();
            let mcp = ct.starts_with("application/json") || ct.starts_with("text/event-stream");
            if s != 202 && !mcp {
                return Err(stop(
                    "endpoint",
                    format!(
                        "a {s} answer that is not JSON or an event stream ({ct:?}): no MCP answer"
                    ),
                ));
            }
            return Ok(None);
        }
        Some(s) => {
            return Err(stop(
                "endpoint",
                format!(
                    "the MCP endpoint answered {s}; VS Code starts sign-in only on a 401 or 403"
                ),
            ));
        }
    }
    let (rm, challenge_scope) = challenge_params(seen.challenge_headers);
    let (prm, caveat) = prm_doc(seen, rm.as_deref())?;
    let base = {
        let mut u = seen.mcp_url.clone();
        u.set_path("/");
        u.set_query(None);
        u.set_fragment(None);
        u
    };
    let prm_as = prm
        .and_then(|d| d.get("authorization_servers"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str);
    // Flow 1: the PRM's server; flow 2: the gateway origin when that server is elsewhere
    // (or there is none); flow 3: the default endpoints on the gateway origin.
    let mut meta = None;
    let mut try_base = true;
    if let Some(id) = prm_as {
        let Ok(id) = Url::parse(id) else {
            return Err(stop(
                "as-metadata",
                format!("authorization server {id:?} is not a URL"),
            ));
        };
        meta = as_doc(seen, &id)?;
        try_base = id.origin() != base.origin();
    }
    if meta.is_none() && try_base {
        meta = as_doc(seen, &base)?;
    }
    let endpoint = |field: &str, default: &str| -> Result<Url, Stop> {
        match meta {
            Some(m) => m
                .get(field)
                .filter(|v| is_url(Some(v)))
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok())
                .ok_or_else(|| stop("as-metadata", format!("`{field}` is not a URL"))),
            None => base
                .join(default)
                .map_err(|_| stop("as-metadata", format!("{base} is not a URL"))),
        }
    };
    let authorization_endpoint = endpoint("authorization_endpoint", "/authorize")?;
    let token_endpoint = endpoint("token_endpoint", "/token")?;
    let scope = challenge_scope
        .or_else(|| strings(prm.and_then(|d| d.get("scopes_supported"))))
        .or_else(|| strings(meta.and_then(|d| d.get("scopes_supported"))))
        .map(|s| s.join(" "))
        .filter(|s| !s.is_empty());
    Ok(Some(Plan {
        authorization_endpoint,
        token_endpoint,
        scope,
        resource: prm
            .and_then(|d| d.get("resource"))
            .and_then(Value::as_str)
            .map(str::to_string),
        redirect_uri: super::Client::VsCode.redirect_uri(),
        prompt_consent: false,
        caveat,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::clients::tests::{at, documents};

    const MCP: &str = "https://gw.example/context7/mcp";
    const RM: &str =
        r#"Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource""#;

    fn prm(resource: &str) -> Value {
        serde_json::json!({
            "resource": resource,
            "authorization_servers": ["https://gw.example"],
            "scopes_supported": ["api://g/Mcp.Gateway.Access"],
        })
    }

    /// AS metadata without response_types_supported and with a trailing-slash issuer: the
    /// SDKs refuse both, VS Code needs only an issuer.
    fn loose_as() -> Value {
        serde_json::json!({
            "issuer": "https://gw.example/",
            "authorization_endpoint": "https://gw.example/authorize",
            "token_endpoint": "https://gw.example/token",
            "scopes_supported": ["api://g/Mcp.Gateway.Access", "offline_access"],
        })
    }

    fn run(headers: &[&str], attempts: &[Attempt]) -> Result<Option<Plan>, Stop> {
        let mcp = Url::parse(MCP).unwrap();
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        plan(&Seen {
            mcp_url: &mcp,
            endpoint_status: Some(401),
            endpoint_content_type: None,
            challenge_headers: &headers,
            attempts: attempts.iter().collect(),
        })
    }

    fn chain(prm_resource: &str) -> Vec<Attempt> {
        documents(prm(prm_resource), Some(loose_as())).to_vec()
    }

    #[test]
    fn the_splitter_finds_bearer_behind_basic() {
        let got = parse_challenges(&format!(r#"Basic realm="apim", {RM}, scope="api://g/x""#));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].scheme, "Basic");
        assert_eq!(got[1].scheme, "Bearer");
        assert_eq!(
            got[1].param("resource_metadata"),
            Some("https://gw.example/.well-known/oauth-protected-resource")
        );
        assert_eq!(got[1].param("scope"), Some("api://g/x"));
        // Two header lines, as fetch joins them.
        let (rm, scope) = challenge_params(&[r#"Basic realm="apim""#.into(), RM.into()]);
        assert_eq!(
            rm.as_deref(),
            Some("https://gw.example/.well-known/oauth-protected-resource")
        );
        assert_eq!(scope, None);
        // An unterminated quote still yields the URL (one leading quote is dropped).
        let (rm, _) = challenge_params(&[
            r#"Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource"#
                .into(),
        ]);
        assert_eq!(
            rm.as_deref(),
            Some("https://gw.example/.well-known/oauth-protected-resource")
        );
        // The scheme is compared exactly: "bearer" is not VS Code's Bearer.
        assert_eq!(
            challenge_params(&[RM.replace("Bearer", "bearer")]),
            (None, None)
        );
    }

    #[test]
    fn exact_prm_and_loose_metadata_plan_the_broker_redirect() {
        let p = run(&[RM], &chain(MCP)).unwrap().unwrap();
        assert_eq!(p.redirect_uri, "https://vscode.dev/redirect");
        assert_eq!(p.resource.as_deref(), Some(MCP));
        assert_eq!(p.scope.as_deref(), Some("api://g/Mcp.Gateway.Access"));
        assert_eq!(
            p.authorization_endpoint.as_str(),
            "https://gw.example/authorize"
        );
        assert!(!p.prompt_consent);
    }

    #[test]
    fn a_prefix_resource_is_kept_with_a_caveat_and_another_is_skipped() {
        // The guide's PRM names https://gw.example/context7 for …/context7/mcp: the
        // stricter reading (sent, as VS Code users report AADSTS9010010) with the caveat.
        let p = run(&[RM], &chain("https://gw.example/context7"))
            .unwrap()
            .unwrap();
        assert_eq!(p.resource.as_deref(), Some("https://gw.example/context7"));
        assert!(p.caveat.as_deref().unwrap().contains("#321249"), "{p:?}");
        // Another origin: skipped; no resource, and the AS metadata's scopes are asked for.
        let p = run(&[RM], &chain("https://mcp.context7.com/mcp"))
            .unwrap()
            .unwrap();
        assert_eq!((p.resource.as_deref(), p.caveat.as_deref()), (None, None));
        assert_eq!(
            p.scope.as_deref(),
            Some("api://g/Mcp.Gateway.Access offline_access")
        );
    }

    #[test]
    fn no_metadata_anywhere_uses_the_default_endpoints() {
        let a = [
            at(
                "https://gw.example/.well-known/oauth-protected-resource",
                Some(prm(MCP)),
            ),
            at(
                "https://gw.example/.well-known/oauth-authorization-server",
                None,
            ),
            at("https://gw.example/.well-known/openid-configuration", None),
        ];
        let p = run(&[RM], &a).unwrap().unwrap();
        assert_eq!(
            p.authorization_endpoint.as_str(),
            "https://gw.example/authorize"
        );
        assert_eq!(p.token_endpoint.as_str(), "https://gw.example/token");
    }

    #[test]
    fn a_url_not_fetched_is_unknown_not_a_pass() {
        let a = [at(
            "https://gw.example/.well-known/oauth-protected-resource",
            Some(serde_json::json!({
                "resource": MCP,
                "authorization_servers": ["https://elsewhere.example"],
            })),
        )];
        let e = run(&[RM], &a).unwrap_err();
        assert_eq!(e.link, "as-metadata");
        assert!(e.error.contains("unknown"), "{e:?}");
    }

    #[test]
    fn any_403_starts_sign_in_and_other_statuses_stop() {
        let mcp = Url::parse(MCP).unwrap();
        let mut a = chain(MCP);
        a.push(at(
            "https://gw.example/.well-known/oauth-protected-resource/context7/mcp",
            None,
        ));
        let seen = |status| Seen {
            mcp_url: &mcp,
            endpoint_status: Some(status),
            endpoint_content_type: Some("text/html".into()),
            challenge_headers: &[],
            attempts: a.iter().collect(),
        };
        assert!(plan(&seen(403)).unwrap().is_some());
        assert_eq!(plan(&seen(404)).unwrap_err().link, "endpoint");
        assert!(plan(&seen(302)).unwrap_err().error.contains("unknown"));
        assert_eq!(plan(&seen(200)).unwrap_err().link, "endpoint");
    }
}
