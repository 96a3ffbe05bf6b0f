//! Link 6: the tenant itself: `<authority>/<tid>/v2.0/.well-known/openid-configuration`
//! (AADSTS90002 when the tenant is wrong or in another cloud) and its `jwks_uri`, compared
//! with the `jwks_uri` the gateway's façade advertises.

use crate::config::is_guid;
use crate::discovery::codes;
use serde_json::Value;
use std::collections::BTreeSet;
use url::Url;

use super::fetch::{self, Attempt, DocOutcome};
use crate::entra::errors::parse_entra_error;
use crate::http::{Http, NetError, Request, Response};
use crate::report::Check;

/// What was fetched for one tenant.
#[derive(Debug, Clone)]
pub struct TenantResult {
    pub tenant: String,
    /// Where the tenant came from (`--tenant-id`, the /authorize Location, the jwks_uri).
    pub source: &'static str,
    pub oidc_url: Url,
    pub oidc: Result<Response, NetError>,
    /// The OIDC document, when it parsed.
    pub doc: Option<Value>,
    /// The keys at the document's `jwks_uri`.
    pub jwks: Option<Attempt>,
}

impl TenantResult {
    pub fn jwks_uri(&self) -> Option<&str> {
        self.doc.as_ref()?.get("jwks_uri")?.as_str()
    }
}

/// The OpenID configuration URL of a tenant under an authority.
pub fn oidc_url(authority: &str, tenant: &str) -> Option<Url> {
    let base = authority.trim_end_matches('/');
    let t: String = url::form_urlencoded::byte_serialize(tenant.trim().as_bytes()).collect();
    Url::parse(&format!("{base}/{t}/v2.0/.well-known/openid-configuration")).ok()
}

/// Fetch the tenant's OIDC document, then its keys.
pub async fn fetch(
    http: &Http,
    authority: &str,
    tenant: &str,
    source: &'static str,
) -> Option<TenantResult> {
    let url = oidc_url(authority, tenant)?;
    let oidc = http
        .send(Request::get(url.clone()).header("accept", "application/json"))
        .await;
    let doc = oidc
        .as_ref()
        .ok()
        .filter(|r| r.status == 200)
        .and_then(|r| r.json().ok())
        .filter(Value::is_object);
    let jwks_url = doc
        .as_ref()
        .and_then(|d| d.get("jwks_uri"))
        .and_then(Value::as_str)
        .and_then(|u| Url::parse(u).ok());
    // A jwks_uri on another origin than the authority is a finding, not a destination
    // (DESIGN.md §4): `jwks_check` reports it and nothing is fetched there.
    let jwks = match jwks_url {
        Some(u) if u.origin() == url.origin() => {
            Some(fetch::get_doc(http, u, "the tenant's jwks_uri").await)
        }
        _ => None,
    };
    Some(TenantResult {
        tenant: tenant.to_string(),
        source,
        oidc_url: url,
        oidc,
        doc,
        jwks,
    })
}

/// The tenant's OpenID configuration is there, with the expected issuer.
pub fn tenant_check(r: &TenantResult, authority: &str) -> Check {
    const ID: &str = "discovery.tenant";
    let title = format!("Tenant {} exists at the authority", r.tenant);
    let resp = match &r.oidc {
        Ok(resp) => resp,
        Err(e) => return e.to_check(codes::UNREACHABLE, ID, &title),
    };
    let check = Check::new(ID, title)
        .evidence("url", r.oidc_url.as_str())
        .evidence("tenant_from", r.source)
        .duration(resp.elapsed);
    let st = crate::http::status_text(resp.status);
    if let Some(doc) = &r.doc {
        let issuer = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
        let expected = format!("{}/{}/v2.0", authority.trim_end_matches('/'), r.tenant);
        let check = check.evidence("issuer", issuer);
        if issuer == expected || !is_guid(&r.tenant) && issuer.ends_with("/v2.0") {
            return check.pass(format!("OpenID configuration found; issuer {issuer}"));
        }
        return check.warn(
            codes::TENANT_MISSING,
            format!("the OpenID configuration's issuer is {issuer:?}, not {expected}"),
        );
    }
    let ct = resp.header("content-type");
    match parse_entra_error(resp.status, ct.as_deref(), &resp.body) {
        Ok(err) => {
            let said = err.short_description().unwrap_or_default();
            let mut c = check
                .fail(
                    codes::TENANT_MISSING,
                    format!("{} answered {st} {}: {said}", r.oidc_url, err.label()),
                )
                .evidence("error", err.error.clone())
                .evidence("error_codes", err.error_codes.clone());
            if let Some(t) = &err.trace_id {
                c = c.evidence("trace_id", t.clone());
            }
            if let Some(t) = &err.correlation_id {
                c = c.evidence("correlation_id", t.clone());
            }
            c
        }
        Err(not) => check.fail(
            codes::TENANT_MISSING,
            format!("{}: {}", r.oidc_url, not.sentence),
        ),
    }
}

/// The `kid`s of a JWKS document, or why it is not one.
fn kids(doc: &Value) -> Result<BTreeSet<String>, String> {
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("it has no `keys` array")?;
    if keys.is_empty() {
        return Err("its `keys` array is empty".into());
    }
    Ok(keys
        .iter()
        .filter_map(|k| k.get("kid").and_then(Value::as_str))
        .map(str::to_string)
        .collect())
}

/// The tenant's keys are served, and the façade's `jwks_uri` is the tenant's.
pub fn jwks_check(
    tenant: &TenantResult,
    facade_jwks_uri: Option<&str>,
    facade_jwks: Option<&Attempt>,
) -> Check {
    let check = Check::new(
        "discovery.jwks",
        "The façade's jwks_uri serves the tenant's signing keys",
    );
    let Some(tenant_uri) = tenant.jwks_uri() else {
        return check.skip(
            crate::report::codes::PREREQUISITE_FAILED,
            "the tenant's OpenID configuration is not available (see the tenant check)",
        );
    };
    let check = check.evidence("tenant_jwks_uri", tenant_uri);
    let same_origin = Url::parse(tenant_uri).is_ok_and(|u| u.origin() == tenant.oidc_url.origin());
    if !same_origin {
        return check.fail(
            codes::JWKS_MISMATCH,
            format!(
                "the tenant document's jwks_uri {tenant_uri} is not on the authority {}: not fetched",
                tenant.oidc_url.origin().ascii_serialization()
            ),
        );
    }
    let tenant_kids = match tenant.jwks.as_ref().map(|a| &a.outcome) {
        Some(DocOutcome::Doc(d)) => match kids(d) {
            Ok(k) => k,
            Err(why) => {
                return check.fail(
                    codes::JWKS_MISMATCH,
                    format!("the tenant's jwks_uri {tenant_uri} is not a key set: {why}"),
                );
            }
        },
        Some(DocOutcome::Net(e)) => {
            return e.to_check(
                codes::UNREACHABLE,
                "discovery.jwks",
                "The tenant's signing keys are served",
            );
        }
        Some(_) | None => {
            let label = tenant
                .jwks
                .as_ref()
                .map(Attempt::status_label)
                .unwrap_or_else(|| "not fetched".into());
            return check.fail(
                codes::JWKS_MISMATCH,
                format!("the tenant's jwks_uri {tenant_uri} gives no key set: {label}"),
            );
        }
    };
    let check = check.evidence("kids", tenant_kids.iter().cloned().collect::<Vec<_>>());
    let Some(facade) = facade_jwks_uri else {
        return check.pass(format!(
            "the tenant serves {} key(s); the gateway's metadata names no jwks_uri",
            tenant_kids.len()
        ));
    };
    let check = check.evidence("facade_jwks_uri", facade);
    if facade == tenant_uri {
        return check.pass(format!(
            "jwks_uri is the tenant's ({} key(s))",
            tenant_kids.len()
        ));
    }
    match facade_jwks.map(|a| &a.outcome) {
        Some(DocOutcome::Doc(d)) => match kids(d) {
            Ok(k) if k == tenant_kids => check.warn(
                codes::JWKS_MISMATCH,
                format!(
                    "jwks_uri is {facade}, not the tenant's {tenant_uri}; it serves the same keys today, but not necessarily after Entra rotates them"
                ),
            ),
            Ok(k) => check.fail(
                codes::JWKS_MISMATCH,
                format!(
                    "jwks_uri {facade} serves keys {:?}, the tenant's {tenant_uri} serves {:?}",
                    k, tenant_kids
                ),
            ),
            Err(why) => check.fail(
                codes::JWKS_MISMATCH,
                format!("jwks_uri {facade} is not a key set: {why}"),
            ),
        },
        Some(_) => check.fail(
            codes::JWKS_MISMATCH,
            format!(
                "jwks_uri is {facade}, not the tenant's {tenant_uri}, and it gives no keys: {}",
                facade_jwks.map(Attempt::status_label).unwrap_or_default()
            ),
        ),
        None => check.fail(
            codes::JWKS_MISMATCH,
            format!("jwks_uri is {facade:?}, not the tenant's {tenant_uri}"),
        ),
    }
}
