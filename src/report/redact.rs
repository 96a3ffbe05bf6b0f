//! Redaction helpers (DESIGN.md §4): fingerprints, masked keys, masked personal claims, the
//! redacted wire trace, and a last-line scrubber.
//!
//! Checks must already keep secrets out of what they produce; [`scrub`] is the safety net
//! applied to everything c7doctor writes: every secret c7doctor read or received is
//! registered with [`register_secret`] and replaced by its masked form on output.

use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// Claims that identify a person; masked in markdown unless `--show-pii`.
pub const PII_CLAIMS: &[&str] = &[
    "name",
    "upn",
    "email",
    "unique_name",
    "preferred_username",
    "given_name",
    "family_name",
    "ipaddr",
];

/// Form fields whose values never reach the wire trace.
pub const SECRET_FORM_FIELDS: &[&str] = &[
    "client_secret",
    "assertion",
    "device_code",
    "code",
    "refresh_token",
    "code_verifier",
    "access_token",
    "id_token",
];

/// Headers whose values never reach the wire trace.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "context7-api-key",
    "x-api-key",
    "context7_api_key",
    "x_api_key",
    "ocp-apim-subscription-key",
];

/// Text shown in place of a masked personal claim.
pub const PII_MASK: &str = "‹masked: --show-pii›";

/// `sha256:` + the first 12 hex digits of the SHA-256 of `secret`: names a token without showing it.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// An API key as it may be shown: its first 6 characters (`ctx7sk` for a real key) + `…` + last 4.
/// Short or oddly formed keys show less, never more than half of the key.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 16 {
        return format!("‹{} chars›", chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Mask a personal value.
pub fn mask_pii(_value: &str) -> String {
    PII_MASK.to_string()
}

pub fn is_pii_claim(name: &str) -> bool {
    PII_CLAIMS.contains(&name)
}

/// A secret value whose `Debug`/`Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap and register the value so [`scrub`] removes it from any output.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register_secret(&value);
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", fingerprint(&self.0))
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", fingerprint(&self.0))
    }
}

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remember a secret so [`scrub`] masks it wherever it would appear. A JWT is also
/// registered by its signature segment, which must never appear even alone. Values shorter
/// than 8 characters are ignored (they would mask ordinary words).
pub fn register_secret(secret: &str) {
    let secret = secret.trim();
    if secret.len() < 8 {
        return;
    }
    let mut list = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if !list.iter().any(|s| s == secret) {
        list.push(secret.to_string());
    }
    let parts: Vec<&str> = secret.split('.').collect();
    if parts.len() == 3 && parts[2].len() >= 8 && !list.iter().any(|s| s == parts[2]) {
        list.push(parts[2].to_string());
    }
}

/// Register the values of secret-named parameters ([`SECRET_FORM_FIELDS`]: `code`,
/// `access_token`, `id_token` …) in a URL's query and fragment — a `Location` that hands back
/// an authorization code or tokens — so [`scrub`] masks them wherever the URL is shown.
pub fn register_url_secrets(url: &str) {
    let parsed = url::Url::parse(url)
        .or_else(|_| url::Url::parse("http://relative.invalid/").and_then(|base| base.join(url)));
    let Ok(parsed) = parsed else {
        return;
    };
    let parts = [parsed.query(), parsed.fragment()];
    for part in parts.into_iter().flatten() {
        for (k, v) in url::form_urlencoded::parse(part.as_bytes()) {
            if SECRET_FORM_FIELDS.contains(&k.as_ref()) {
                register_secret(&v);
                // As it appears in the URL itself (percent-encoded), too.
                if let Some(raw) = part
                    .split('&')
                    .find_map(|p| p.strip_prefix(&format!("{k}=")))
                {
                    register_secret(raw);
                }
            }
        }
    }
}

/// Replace every registered secret in `text` with its fingerprint (longest first, so a
/// token is replaced whole before its signature alone is).
pub fn scrub(text: &str) -> String {
    let mut list = SECRETS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if list.is_empty() {
        return text.to_string();
    }
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for s in &list {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), &format!("‹secret {}›", fingerprint(s)));
        }
    }
    out
}

/// A header value as the wire trace may show it.
pub fn header_for_trace(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&lower.as_str()) {
        let (scheme, rest) = match value.split_once(' ') {
            Some((s, r)) if s.eq_ignore_ascii_case("bearer") || s.eq_ignore_ascii_case("basic") => {
                (format!("{s} "), r)
            }
            _ => (String::new(), value),
        };
        return format!("{scheme}‹{}›", fingerprint(rest.trim()));
    }
    value.to_string()
}

/// An `application/x-www-form-urlencoded` body with secret fields masked.
pub fn form_for_trace(body: &str) -> String {
    body.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_FORM_FIELDS.contains(&k) => format!("{k}=‹redacted›"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A JSON body with secret-named fields masked (token responses, device-code responses).
pub fn json_for_trace(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) => {
            mask_json_secrets(&mut v);
            serde_json::to_string(&v).unwrap_or_default()
        }
        Err(_) => body.to_string(),
    }
}

/// Mask secret-named fields of a JSON value in place.
pub fn mask_json_secrets(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_FORM_FIELDS.contains(&k.as_str()) && val.is_string() {
                    *val = serde_json::Value::String("‹redacted›".into());
                } else {
                    mask_json_secrets(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_json_secrets),
        _ => {}
    }
}

/// Mask personal-claim-named fields of a JSON value in place (markdown evidence).
pub fn mask_json_pii(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_pii_claim(k) && !val.is_object() && !val.is_array() {
                    *val = serde_json::Value::String(PII_MASK.into());
                } else {
                    mask_json_pii(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_json_pii),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_sha256_prefix() {
        // sha256("abc") = ba7816bf8f01cfea…
        assert_eq!(fingerprint("abc"), "sha256:ba7816bf8f01");
    }

    #[test]
    fn key_mask_keeps_prefix_and_last_four() {
        assert_eq!(mask_key("ctx7sk-0123456789abcdefWXYZ"), "ctx7sk…WXYZ");
        assert_eq!(mask_key("short"), "‹5 chars›");
    }

    #[test]
    fn scrub_removes_token_and_signature() {
        let tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlZ21lbnQtdGVzdA";
        register_secret(tok);
        let out = scrub(&format!(
            "whole {tok} and sig c2lnbmF0dXJlLXNlZ21lbnQtdGVzdA"
        ));
        assert!(!out.contains(tok));
        assert!(!out.contains("c2lnbmF0dXJlLXNlZ21lbnQtdGVzdA"));
    }

    #[test]
    fn secrets_in_a_location_are_registered() {
        register_url_secrets(
            "http://127.0.0.1:33418/?code=0.AQ4AlocationCode%2Bplus&state=abcdefghij#id_token=eyJfragmentIdToken",
        );
        let out = scrub(
            "Location: http://127.0.0.1:33418/?code=0.AQ4AlocationCode%2Bplus&state=abcdefghij and 0.AQ4AlocationCode+plus, eyJfragmentIdToken",
        );
        assert!(!out.contains("0.AQ4AlocationCode"), "{out}");
        assert!(!out.contains("eyJfragmentIdToken"), "{out}");
        assert!(out.contains("state=abcdefghij"), "{out}");
        register_url_secrets("/relative?access_token=relativeAccessToken1");
        assert!(!scrub("relativeAccessToken1").contains("relativeAccessToken1"));
    }

    #[test]
    fn form_and_headers_are_masked() {
        let f = form_for_trace("grant_type=x&client_secret=s3cr3t&assertion=abc&scope=y");
        assert_eq!(
            f,
            "grant_type=x&client_secret=‹redacted›&assertion=‹redacted›&scope=y"
        );
        let h = header_for_trace("Authorization", "Bearer abc.def.ghi");
        assert!(h.starts_with("Bearer ‹sha256:") && !h.contains("abc.def"));
    }
}
