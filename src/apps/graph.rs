//! The live input: read-only Microsoft Graph GETs of the two applications, their service
//! principals and the Gateway app's delegated grants, through [`crate::http`].
//!
//! The Graph token is a secret: it is registered with the redaction scrubber when read, sent
//! only to the Graph origin, and named in output by its fingerprint. Graph's refusals are
//! findings saying which permission the signed-in user lacks; `@odata.nextLink` is followed
//! on the Graph origin only, with a page cap and loop detection.

use std::collections::HashSet;

use serde_json::Value;
use url::Url;

use super::checks::{AuditOptions, Found, Registrations, Role};
use super::codes;
use super::documents::{Application, Grant, MAX_LIST_ITEMS, ServicePrincipal};
use crate::context::Ctx;
use crate::error::Error;
use crate::http::{Http, Request};
use crate::input;
use crate::report::Check;
use crate::report::redact::Secret;

/// Where the Graph token comes from (else piped stdin).
pub const TOKEN_VAR: &str = "C7DOCTOR_GRAPH_TOKEN";
/// The public cloud's Graph endpoint (`--graph-url` for sovereign clouds).
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";
/// Most pages of one collection followed.
pub const MAX_PAGES: usize = 20;

/// The Graph endpoint: `--graph-url` (origin, optionally with a path) or the public cloud.
pub fn base_url(arg: Option<&str>) -> Result<Url, Error> {
    let raw = arg.unwrap_or(DEFAULT_GRAPH_URL);
    let mut url = Url::parse(raw)
        .map_err(|e| Error::usage(format!("--graph-url {raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(Error::usage(format!(
            "--graph-url {raw:?} must be an https URL such as {DEFAULT_GRAPH_URL}"
        )));
    }
    if url.query().is_some() || url.username() != "" || url.password().is_some() {
        return Err(Error::usage(
            "--graph-url takes the endpoint only (no query string or credentials)",
        ));
    }
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

/// The Graph token: `C7DOCTOR_GRAPH_TOKEN`, else piped stdin. Registered as a secret.
pub fn token() -> Result<Secret, Error> {
    let raw = input::read_secret(None, None, TOKEN_VAR)?.ok_or_else(|| {
        Error::usage(format!(
            "--graph needs a Microsoft Graph token: pipe `az account get-access-token --resource-type ms-graph --query accessToken -o tsv` into c7doctor, or set {TOKEN_VAR}"
        ))
    })?;
    let token = input::normalize_token(&raw.text());
    if token.is_empty() {
        return Err(Error::usage(format!(
            "the Graph token from {} is empty: pipe `az account get-access-token --resource-type ms-graph --query accessToken -o tsv` into c7doctor, or set {TOKEN_VAR}",
            raw.origin.describe()
        )));
    }
    Ok(Secret::new(token))
}

/// What one read asks for, for the findings.
#[derive(Clone, Copy)]
enum What {
    Application(Role),
    ServicePrincipal(Role),
    Grants,
}

impl What {
    fn id(self) -> String {
        match self {
            What::Application(r) => format!("apps.graph.{}-app", key(r)),
            What::ServicePrincipal(r) => format!("apps.graph.{}-sp", key(r)),
            What::Grants => "apps.graph.grants".into(),
        }
    }
    fn title(self) -> String {
        match self {
            What::Application(r) => {
                format!("Microsoft Graph answers for the {} application", r.label())
            }
            What::ServicePrincipal(r) => {
                format!(
                    "Microsoft Graph answers for the {} service principal",
                    r.label()
                )
            }
            What::Grants => "Microsoft Graph answers for the Gateway app's grants".into(),
        }
    }
    /// The permission a user needs for this read.
    fn permission(self) -> &'static str {
        match self {
            What::Application(_) => {
                "Application.Read.All (or a directory role that can read app registrations: Directory Readers, Global Reader, Application Administrator)"
            }
            What::ServicePrincipal(_) => {
                "Application.Read.All (or Directory Readers / Global Reader) to read service principals"
            }
            What::Grants => {
                "DelegatedPermissionGrant.Read.All or Directory.Read.All (Directory Readers / Global Reader) to read oauth2PermissionGrants"
            }
        }
    }
}

fn key(r: Role) -> &'static str {
    match r {
        Role::Gateway => "gateway",
        Role::Mcp => "mcp",
    }
}

/// A GUID-shaped ID only: it goes into an OData `$filter`.
fn filter_safe(id: &str) -> bool {
    crate::config::is_guid(id)
}

fn collection(base: &Url, path: &str, filter: &str) -> Result<Url, Error> {
    let mut u = base
        .join(path)
        .map_err(|e| Error::usage(format!("--graph-url {base}: {e}")))?;
    // The filter holds only a GUID, spaces and quotes: encode them as Graph's own examples
    // do (%20, %27), not as form data (`+` is not a space to every OData parser).
    u.set_query(Some(&format!(
        "$filter={}",
        filter.replace(' ', "%20").replace('\'', "%27")
    )));
    Ok(u)
}

/// Read everything the audit needs from Graph: the registrations found, and one check per
/// read that Graph refused or failed (none when every read worked).
pub async fn read(
    ctx: &Ctx,
    base: &Url,
    token: &Secret,
    opts: &AuditOptions,
) -> Result<(Registrations, Vec<Check>), Error> {
    let mut http = ctx.http(None)?;
    http.allow_credentials_to(base);
    let mut reg = Registrations::default();
    let mut checks = Vec::new();
    let roles: &[Role] = match opts.pattern {
        crate::deployment::Pattern::Obo => &[Role::Gateway, Role::Mcp],
        _ => &[Role::Mcp],
    };
    let source = format!("Microsoft Graph ({})", base.origin().ascii_serialization());
    for &role in roles {
        let id = match role {
            Role::Gateway => opts.gateway_app_id.as_deref(),
            Role::Mcp => opts.mcp_app_id.as_deref(),
        };
        let Some(id) = id.filter(|i| filter_safe(i)) else {
            continue;
        };
        let filter = format!("appId eq '{id}'");
        let app_url = collection(base, "v1.0/applications", &filter)?;
        match get_all(&http, token, app_url, What::Application(role)).await {
            Ok(items) => {
                if let Some(v) = items.first() {
                    match Application::deserialize_from(v) {
                        Ok(app) => set_app(&mut reg, role, app, &source),
                        Err(e) => checks.push(broken(What::Application(role), e)),
                    }
                }
            }
            Err(c) => {
                reg.unread.push(role);
                checks.push(*c);
            }
        }
        let sp_url = collection(base, "v1.0/servicePrincipals", &filter)?;
        match get_all(&http, token, sp_url, What::ServicePrincipal(role)).await {
            Ok(items) => {
                if let Some(v) = items.first() {
                    match serde_json::from_value::<ServicePrincipal>(v.clone()) {
                        Ok(sp) => {
                            let f = Some(Found {
                                doc: sp,
                                source: source.clone(),
                            });
                            match role {
                                Role::Gateway => reg.gateway_sp = f,
                                Role::Mcp => reg.mcp_sp = f,
                            }
                        }
                        Err(e) => checks.push(broken(What::ServicePrincipal(role), e.to_string())),
                    }
                }
            }
            Err(c) => checks.push(*c),
        }
    }
    // Grants name service principals by object ID: the Gateway's SP must be known.
    if let Some(sp_id) = reg
        .gateway_sp
        .as_ref()
        .and_then(|sp| sp.doc.id.clone())
        .filter(|i| filter_safe(i))
    {
        let url = collection(
            base,
            "v1.0/oauth2PermissionGrants",
            &format!("clientId eq '{sp_id}'"),
        )?;
        match get_all(&http, token, url, What::Grants).await {
            Ok(items) => {
                let grants: Result<Vec<Grant>, _> = items
                    .into_iter()
                    .map(serde_json::from_value::<Grant>)
                    .collect();
                match grants {
                    Ok(g) => {
                        reg.grants = Some(Found {
                            doc: g,
                            source: source.clone(),
                        })
                    }
                    Err(e) => checks.push(broken(What::Grants, e.to_string())),
                }
            }
            Err(c) => checks.push(*c),
        }
    }
    Ok((reg, checks))
}

impl Application {
    fn deserialize_from(v: &Value) -> Result<Application, String> {
        serde_json::from_value(v.clone()).map_err(|e| format!("application: {e}"))
    }
}

fn set_app(reg: &mut Registrations, role: Role, app: Application, source: &str) {
    let f = Some(Found {
        doc: app,
        source: source.to_string(),
    });
    match role {
        Role::Gateway => reg.gateway = f,
        Role::Mcp => reg.mcp = f,
    }
}

fn broken(what: What, why: String) -> Check {
    Check::new(what.id(), what.title()).fail(
        codes::GRAPH_FAILED,
        format!("Graph's answer is not the document expected: {why}"),
    )
}

/// GET a collection and every page after it. `Err` is the finding.
async fn get_all(
    http: &Http,
    token: &Secret,
    first: Url,
    what: What,
) -> Result<Vec<Value>, Box<Check>> {
    let origin = first.origin();
    let mut url = first;
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for page in 0.. {
        if page >= MAX_PAGES {
            return Err(Box::new(
                Check::new(what.id(), what.title())
                    .fail(
                        codes::GRAPH_FAILED,
                        format!("more than {MAX_PAGES} pages of @odata.nextLink: reading stopped (a paging loop, or far more objects than one app has)"),
                    )
                    .evidence("pages", page as u64),
            ));
        }
        if !seen.insert(url.to_string()) {
            return Err(Box::new(
                Check::new(what.id(), what.title())
                    .fail(
                        codes::GRAPH_FAILED,
                        "@odata.nextLink points back at a page already read: a paging loop, reading stopped",
                    )
                    .evidence("url", url.to_string()),
            ));
        }
        let body = get_one(http, token, &url, what).await?;
        let Some(Value::Array(values)) = body.get("value") else {
            return Err(Box::new(
                Check::new(what.id(), what.title())
                    .fail(
                        codes::GRAPH_FAILED,
                        "the answer has no `value` list: not a Graph collection",
                    )
                    .evidence("url", url.to_string()),
            ));
        };
        items.extend(values.iter().cloned());
        if items.len() > MAX_LIST_ITEMS {
            return Err(Box::new(Check::new(what.id(), what.title()).fail(
                codes::GRAPH_FAILED,
                format!("more than {MAX_LIST_ITEMS} objects: reading stopped"),
            )));
        }
        match body.get("@odata.nextLink").and_then(Value::as_str) {
            None => break,
            Some(next) => {
                let next = Url::parse(next).ok().filter(|n| n.origin() == origin);
                let Some(next) = next else {
                    return Err(Box::new(
                        Check::new(what.id(), what.title()).fail(
                            codes::GRAPH_FAILED,
                            "@odata.nextLink is not on the Graph endpoint: not followed (the token goes to Graph only)",
                        ),
                    ));
                };
                url = next;
            }
        }
    }
    Ok(items)
}

/// One GET; any answer but a 200 with JSON is the finding.
async fn get_one(http: &Http, token: &Secret, url: &Url, what: What) -> Result<Value, Box<Check>> {
    let c = || Check::new(what.id(), what.title());
    let req = Request::get(url.clone())
        .bearer(token)
        .header("Accept", "application/json");
    let resp = match http.send(req).await {
        Ok(r) => r,
        Err(e) => {
            return Err(Box::new(
                c().fail(codes::GRAPH_FAILED, format!("{} — {}", e.url, e.detail))
                    .evidence("url", e.url.clone())
                    .evidence("failure", e.kind.as_str())
                    .duration(e.elapsed),
            ));
        }
    };
    let status = resp.status;
    let body = resp.json();
    let (code, message) = match &body {
        Ok(v) => (
            v.pointer("/error/code")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            v.pointer("/error/message")
                .and_then(Value::as_str)
                .map(|m| m.chars().take(300).collect::<String>())
                .unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    };
    let said = if code.is_empty() {
        String::new()
    } else {
        format!(" ({code}: {message})")
    };
    let finding = |c: Check| {
        let c = c
            .evidence("url", url.to_string())
            .evidence("status", status)
            .duration(resp.elapsed);
        if code.is_empty() {
            c
        } else {
            c.evidence("error", code.clone())
        }
    };
    match status {
        200 => match body {
            Ok(v) => Ok(v),
            Err(e) => Err(Box::new(finding(c().fail(
                codes::GRAPH_FAILED,
                format!("HTTP 200 but not JSON ({e}): a proxy's page instead of Graph?"),
            )))),
        },
        401 => Err(Box::new(finding(c().fail(
            codes::GRAPH_DENIED,
            format!("HTTP 401{said}: Graph refused the token — expired, not a Microsoft Graph token (get it with --resource-type ms-graph), or for another cloud than --graph-url"),
        )))),
        403 => Err(Box::new(finding(c().fail(
            codes::GRAPH_DENIED,
            format!(
                "HTTP 403{said}: the signed-in user may not read this; it needs {}",
                what.permission()
            ),
        )))),
        404 => Err(Box::new(finding(c().fail(
            codes::GRAPH_FAILED,
            format!("HTTP 404{said}: no such Graph resource — is --graph-url the Graph endpoint (e.g. {DEFAULT_GRAPH_URL})?"),
        )))),
        429 => {
            let after = resp.header("retry-after").unwrap_or_else(|| "?".into());
            Err(Box::new(
                finding(c().fail(
                    codes::GRAPH_FAILED,
                    format!("HTTP 429{said}: Graph throttled the requests; it asks to retry after {after} s"),
                ))
                .evidence("retry_after", after),
            ))
        }
        s if s >= 500 => Err(Box::new(finding(c().fail(
            codes::GRAPH_FAILED,
            format!("HTTP {s}{said}: Graph failed; retry later"),
        )))),
        s => Err(Box::new(finding(c().fail(
            codes::GRAPH_FAILED,
            format!("HTTP {s}{said}: not the answer a read-only GET expects"),
        )))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_url_forms() {
        assert_eq!(
            base_url(None).unwrap().as_str(),
            "https://graph.microsoft.com/"
        );
        assert_eq!(
            base_url(Some("https://graph.microsoft.us"))
                .unwrap()
                .as_str(),
            "https://graph.microsoft.us/"
        );
        assert!(base_url(Some("graph.microsoft.com")).is_err());
        assert!(base_url(Some("https://u:p@graph.microsoft.com")).is_err());
        assert!(base_url(Some("ftp://graph.microsoft.com")).is_err());
    }

    #[test]
    fn only_guids_go_into_filters() {
        assert!(filter_safe("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"));
        assert!(!filter_safe("x' or appId ne '"));
    }
}
