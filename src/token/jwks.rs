//! Signature verification: RS256 against a JWKS given as a file (`--jwks`) or fetched from
//! the tenant's OpenID configuration (`--verify`), key selected by `kid`.
//!
//! Microsoft Graph tokens are the exception the guides run into: their header carries a
//! `nonce` that Graph hashes before verifying, so nobody else can verify them — that is
//! explained, never called a forgery.

use crate::token::codes;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::claims::is_graph_token;
use super::decode::{Decoded, compact};
use crate::http::{Http, Request};
use crate::report::Check;

pub const CHECK_ID: &str = "token.signature";
pub const CHECK_TITLE: &str = "Signature verifies with the tenant's published keys";

/// The check when no keys are available.
pub fn unchecked(reason: &str) -> Check {
    Check::new(CHECK_ID, CHECK_TITLE).info(codes::SIGNATURE_UNCHECKED, reason)
}

/// Why a Graph token's signature is not checked: not a forgery, the wrong token — so the
/// finding is the Graph token's own, whose fix is the scope to request.
pub(crate) fn graph_explained() -> Check {
    Check::new(CHECK_ID, CHECK_TITLE).info(
        codes::GRAPH_AUDIENCE,
        "a Microsoft Graph token: its header carries a nonce that only Graph can verify, so its \
         signature cannot be checked with the tenant's keys — not a forgery, but the wrong \
         token: the client must request the gateway's scope, not Graph's",
    )
}

/// Verify `raw` (the token as pasted; normalised here) with the keys in `jwks`.
pub fn verify_with_jwks(decoded: &Decoded, raw: &str, jwks: &Value) -> Check {
    let check = Check::new(CHECK_ID, CHECK_TITLE);
    if is_graph_token(decoded) {
        return graph_explained();
    }
    let alg = decoded.alg().unwrap_or("");
    if alg != "RS256" {
        let what = match alg {
            "" => "the header has no alg".to_string(),
            "none" => "alg none: the token is unsigned and proves nothing".to_string(),
            a if a.starts_with("HS") => format!(
                "alg {a}: signed with a shared secret, which Entra never does — it cannot be \
                 verified with the tenant's public keys"
            ),
            a => format!("alg {a}: Entra signs access tokens with RS256 only"),
        };
        return check.fail(codes::ALG_UNEXPECTED, what);
    }
    let keys = match jwks.get("keys").and_then(Value::as_array) {
        Some(k) => k,
        None => {
            return check.fail(
                codes::KEY_UNKNOWN,
                "the JWKS has no \"keys\" array: no key to verify with",
            );
        }
    };
    let Some(kid) = decoded.kid().or_else(|| decoded.header_str("x5t")) else {
        return check.fail(
            codes::KEY_UNKNOWN,
            "the header names no key (no kid or x5t): Entra tokens always do",
        );
    };
    let kids: Vec<String> = keys
        .iter()
        .filter_map(|k| k.get("kid").and_then(Value::as_str).map(str::to_string))
        .collect();
    let Some(jwk) = keys.iter().find(|k| {
        k.get("kid").and_then(Value::as_str) == Some(kid)
            || k.get("x5t").and_then(Value::as_str) == Some(kid)
    }) else {
        return check
            .fail(
                codes::KEY_UNKNOWN,
                format!(
                    "kid {kid} is not among the {} published keys: the token comes from \
                     another tenant or cloud, or its key was rotated out",
                    keys.len()
                ),
            )
            .evidence("kid", kid)
            .evidence("published_kids", kids);
    };
    if jwk.get("kty").and_then(Value::as_str) != Some("RSA") {
        return check
            .fail(
                codes::KEY_UNKNOWN,
                format!("the key {kid} is not an RSA key"),
            )
            .evidence("kid", kid);
    }
    let (Some(n), Some(e)) = (
        jwk.get("n").and_then(Value::as_str),
        jwk.get("e").and_then(Value::as_str),
    ) else {
        return check
            .fail(
                codes::KEY_UNKNOWN,
                format!("the key {kid} has no modulus/exponent (n, e)"),
            )
            .evidence("kid", kid);
    };
    let key = match DecodingKey::from_rsa_components(n, e) {
        Ok(k) => k,
        Err(err) => {
            return check
                .fail(
                    codes::KEY_UNKNOWN,
                    format!("the key {kid} is malformed ({err})"),
                )
                .evidence("kid", kid);
        }
    };
    let token = compact(raw);
    let Some((signing_input, signature)) = token.rsplit_once('.') else {
        return check.fail(codes::SIGNATURE_INVALID, "the token has no signature");
    };
    let signature = signature.trim_end_matches('=');
    if signature.is_empty() {
        return check
            .fail(codes::SIGNATURE_INVALID, "the signature segment is empty")
            .evidence("kid", kid);
    }
    match jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), &key, Algorithm::RS256)
    {
        Ok(true) => check
            .pass(format!("RS256 signature verified with key {kid}"))
            .evidence("kid", kid),
        Ok(false) => check
            .fail(
                codes::SIGNATURE_INVALID,
                format!(
                    "the RS256 signature does not verify with the published key {kid}: the \
                     token was altered or truncated, or signed by someone else under that kid"
                ),
            )
            .evidence("kid", kid),
        Err(err) => check
            .fail(
                codes::SIGNATURE_INVALID,
                format!("the signature segment cannot be decoded ({err}): truncated or altered"),
            )
            .evidence("kid", kid),
    }
}

/// Fetch the tenant's keys: `<authority>/<tenant>/v2.0/.well-known/openid-configuration`
/// → `jwks_uri` → the JWKS. Both requests use the deadline and the 1 MiB metadata cap. A
/// `jwks_uri` on another origin than the authority is a finding, not a destination.
pub async fn fetch_tenant_jwks(http: &Http, authority: &str, tenant: &str) -> Result<Value, Check> {
    let title = "Tenant keys can be fetched from the authority";
    let id = CHECK_ID;
    let base = authority.trim_end_matches('/');
    let oidc = format!("{base}/{tenant}/v2.0/.well-known/openid-configuration");
    let oidc_url = url::Url::parse(&oidc).map_err(|e| {
        Check::new(id, title).fail(
            crate::config::codes::INVALID,
            format!("--authority {authority:?} does not make a URL ({e})"),
        )
    })?;
    let resp = http
        .send(Request::get(oidc_url.clone()))
        .await
        .map_err(|e| e.to_check(crate::discovery::codes::UNREACHABLE, id, title))?;
    let missing = |detail: String| {
        Check::new(id, title)
            .fail(crate::discovery::codes::TENANT_MISSING, detail)
            .evidence("url", oidc.clone())
    };
    if resp.status >= 500 {
        return Err(Check::new(id, title)
            .fail(
                crate::discovery::codes::UNREACHABLE,
                format!(
                    "{oidc} answered {}: the authority failed, try again later",
                    crate::http::status_text(resp.status)
                ),
            )
            .evidence("url", oidc.clone())
            .evidence("failure", "http-status")
            .evidence("status", resp.status));
    }
    if resp.status != 200 {
        let body = resp.text();
        let aadsts = body.contains("AADSTS90002") || body.contains("90002");
        return Err(missing(format!(
            "{} answered {}{}: wrong tenant ({tenant}) or wrong cloud for this authority",
            oidc,
            crate::http::status_text(resp.status),
            if aadsts {
                " (AADSTS90002 tenant not found)"
            } else {
                ""
            }
        ))
        .evidence("status", resp.status));
    }
    let doc = resp.json().map_err(|why| {
        missing(format!(
            "the tenant's OpenID configuration is unusable: {why}"
        ))
    })?;
    let Some(jwks_uri) = doc.get("jwks_uri").and_then(Value::as_str) else {
        return Err(missing(
            "the tenant's OpenID configuration has no jwks_uri".into(),
        ));
    };
    let jwks_url = match url::Url::parse(jwks_uri) {
        Ok(u) if u.origin() == oidc_url.origin() => u,
        Ok(u) => {
            return Err(Check::new(id, title)
                .fail(
                    crate::discovery::codes::JWKS_MISMATCH,
                    format!(
                        "jwks_uri points at {} instead of the authority {}: not fetched",
                        u.origin().ascii_serialization(),
                        oidc_url.origin().ascii_serialization()
                    ),
                )
                .evidence("jwks_uri", jwks_uri));
        }
        Err(e) => {
            return Err(missing(format!("jwks_uri {jwks_uri:?} is not a URL ({e})")));
        }
    };
    let resp = http
        .send(Request::get(jwks_url))
        .await
        .map_err(|e| e.to_check(crate::discovery::codes::UNREACHABLE, id, title))?;
    if resp.status != 200 {
        return Err(Check::new(id, title)
            .fail(
                crate::discovery::codes::JWKS_MISMATCH,
                format!(
                    "the tenant's keys at {jwks_uri} answered {}",
                    crate::http::status_text(resp.status)
                ),
            )
            .evidence("jwks_uri", jwks_uri));
    }
    let jwks = resp.json().map_err(|why| {
        Check::new(id, title)
            .fail(
                crate::discovery::codes::JWKS_MISMATCH,
                format!("the tenant's keys at {jwks_uri} are unusable: {why}"),
            )
            .evidence("jwks_uri", jwks_uri)
    })?;
    if jwks.get("keys").and_then(Value::as_array).is_none() {
        return Err(Check::new(id, title)
            .fail(
                crate::discovery::codes::JWKS_MISMATCH,
                format!("{jwks_uri} holds no \"keys\" array"),
            )
            .evidence("jwks_uri", jwks_uri));
    }
    Ok(jwks)
}
