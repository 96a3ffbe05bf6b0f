//! Redaction helpers (DESIGN.md §4): fingerprints, masked keys, masked personal claims, the
//! redacted wire trace, and a last-line scrubber.
//!
//! Checks must already keep secrets out of what they produce; [`scrub`] is the safety net
//! applied to everything c7doctor writes: every secret c7doctor read or received is
//! registered with [`register_secret`] and replaced by its masked form on output.

use sha2::{Digest, Sha256};
use std::borrow::Cow;
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
    // Optional claims that carry the user's e-mail addresses (arrays of strings).
    "verified_primary_email",
    "verified_secondary_email",
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

/// Remember a secret so [`scrub`] masks it wherever it would appear, in every encoding
/// it travels in ([`match_encoded`]). A JWT is also registered by its signature segment,
/// which must never appear even alone. Values shorter than 8 characters are ignored (they
/// would mask ordinary words).
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

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let s = std::str::from_utf8(pair).ok()?;
    u8::from_str_radix(s, 16).ok()
}

/// Where `secret` ends if it is written at `text[at..]` in any of the encodings it travels
/// in, character by character: as itself, percent-encoded (either case of hex, whatever
/// set of characters the encoder chose — a real Entra secret's `~` arrives as `%7E` from one
/// encoder and as `~` from the next), form-encoded (space as `+`), JSON-escaped (`\"`,
/// `\\`, `\/`, `\n`, `\uXXXX`), or escaped for markdown (`\*`, `&amp;`).
fn match_encoded(text: &[u8], at: usize, secret: &str) -> Option<usize> {
    let mut j = at;
    for ch in secret.chars() {
        let mut buf = [0u8; 4];
        let raw = ch.encode_utf8(&mut buf).as_bytes();
        if text[j..].starts_with(raw) {
            j += raw.len();
            continue;
        }
        let mut k = j;
        let percent = raw.iter().all(|b| {
            let ok =
                text.get(k) == Some(&b'%') && text.get(k + 1..k + 3).and_then(hex_byte) == Some(*b);
            k += 3;
            ok
        });
        if percent {
            j = k;
            continue;
        }
        if ch == ' ' && text.get(j) == Some(&b'+') {
            j += 1;
            continue;
        }
        // HTML entities markdown writes for `&`, `<`, `>`.
        let entity: &[u8] = match ch {
            '&' => b"&amp;",
            '<' => b"&lt;",
            '>' => b"&gt;",
            _ => b"",
        };
        if !entity.is_empty() && text[j..].starts_with(entity) {
            j += entity.len();
            continue;
        }
        if text.get(j) == Some(&b'\\') {
            let escaped = match text.get(j + 1) {
                Some(b'"') if ch == '"' => Some(2),
                Some(b'\\') if ch == '\\' => Some(2),
                Some(b'/') if ch == '/' => Some(2),
                Some(b'n') if ch == '\n' => Some(2),
                Some(b'r') if ch == '\r' => Some(2),
                Some(b't') if ch == '\t' => Some(2),
                // Markdown's backslash escape of punctuation (`\*`, `\[`, `\|`).
                Some(c) if ch.is_ascii_punctuation() && *c == ch as u8 => Some(2),
                Some(b'u') => text
                    .get(j + 2..j + 6)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .filter(|cp| *cp == ch as u32)
                    .map(|_| 6),
                _ => None,
            };
            if let Some(n) = escaped {
                j += n;
                continue;
            }
        }
        return None;
    }
    Some(j)
}

/// `text` with every occurrence of `secret`, in any encoding, replaced by `mask`.
fn replace_encoded(text: &str, secret: &str, mask: impl FnOnce() -> String) -> Option<String> {
    let bytes = text.as_bytes();
    let mut mask = Some(mask);
    let mut made = String::new();
    let mut out = String::new();
    let mut copied = 0;
    for i in encoding_starts(bytes, secret) {
        if i < copied || !text.is_char_boundary(i) {
            continue;
        }
        let Some(end) = match_encoded(bytes, i, secret) else {
            continue;
        };
        out.push_str(&text[copied..i]);
        if let Some(make) = mask.take() {
            made = make();
        }
        out.push_str(&made);
        copied = end;
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Every position of `text` where [`match_encoded`] could find `secret`, in order: where
/// its first character is percent-encoded (`%`) or escaped (`\\`), or written as itself
/// and followed by its second character in any encoding (as itself, or starting `%`, `\\`,
/// `&` or `+`), and, for the characters that have them, form-encoded (a space as `+`) or as
/// an HTML entity (`&`). Found with `memchr` instead of trying every byte: a token's first
/// byte is the `e` of `eyJ`, so trying every `e` made the scrub a sixth of a `token` run.
fn encoding_starts(text: &[u8], secret: &str) -> Vec<usize> {
    let bytes = secret.as_bytes();
    let (first, second) = (bytes[0], bytes.get(1).copied().unwrap_or(bytes[0]));
    let mut starts: Vec<usize> = memchr::memchr2_iter(b'%', b'\\', text).collect();
    for next in [second, b'%', b'\\', b'&', b'+'] {
        // Overlapping matches too (`<<<` holds `<<` at 0 and at 1): `find_iter` skips them.
        let pair = memchr::memmem::Finder::new(&[first, next]).into_owned();
        let mut from = 0;
        while let Some(at) = pair.find(&text[from..]) {
            starts.push(from + at);
            from += at + 1;
        }
    }
    if matches!(secret.chars().next(), Some(' ' | '<' | '>')) {
        // Rare (a registered secret is trimmed): a space as `+`, `&lt;`, `&gt;`.
        starts.extend(memchr::memchr2_iter(b'+', b'&', text));
    }
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// Field and parameter names are compared this way: lower case without `_` and `-`, so
/// `refresh_token`, `refreshToken` and `Refresh-Token` are one name.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Secret-bearing fields of a token, device-code or error response body, normalized
/// ([`normalized`]). `code` is left out: in JSON it is an error code (Graph's
/// `"code": "InvalidAuthenticationToken"`), not an authorization code.
const SECRET_BODY_FIELDS: &[&str] = &[
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "clientsecret",
    "clientassertion",
    "assertion",
    "devicecode",
    "codeverifier",
    "password",
];

/// Secret-bearing query parameters of a URL, normalized: the body fields, an
/// authorization `code`, an Azure SAS `sig`, APIM's `subscription-key`, and generic
/// `token`, `key`, `secret`, `apikey`.
const SECRET_URL_PARAMS: &[&str] = &[
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "clientsecret",
    "clientassertion",
    "assertion",
    "devicecode",
    "codeverifier",
    "password",
    "code",
    "sig",
    "subscriptionkey",
    "token",
    "key",
    "secret",
    "apikey",
];

/// A field of a JSON body or form that holds a secret, however it is spelled.
pub fn is_secret_field(name: &str) -> bool {
    SECRET_BODY_FIELDS.contains(&normalized(name).as_str())
}

fn is_secret_param(name: &str) -> bool {
    SECRET_URL_PARAMS.contains(&normalized(name).as_str())
}

/// Register every secret a response body carries, whatever its shape: a JSON object with
/// `access_token` / `refreshToken` / `id_token` … at any depth, or a form-encoded
/// `access_token=…&refresh_token=…` (GitHub-style token endpoints, misconfigured proxies).
/// Called on every body before the trace or a check can show it.
pub fn register_body_secrets(body: &[u8]) {
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let trimmed = text.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) {
            register_json_secrets(&v);
        }
        return;
    }
    if looks_like_form(trimmed) {
        for (k, v) in url::form_urlencoded::parse(trimmed.as_bytes()) {
            if is_secret_field(&k) || normalized(&k) == "code" {
                register_secret(&v);
            }
        }
    }
}

fn register_json_secrets(v: &serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map {
                match val {
                    serde_json::Value::String(s) if is_secret_field(k) => register_secret(s),
                    other => register_json_secrets(other),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(register_json_secrets),
        _ => {}
    }
}

/// `name=value&name=value` with no spaces or line breaks: a form-encoded body.
fn looks_like_form(text: &str) -> bool {
    !text.is_empty()
        && text.len() < 64 * 1024
        && !text.contains(char::is_whitespace)
        && text.split('&').all(|p| {
            p.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
            })
        })
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
/// token is replaced whole before its signature alone is), then mask what any URL in it
/// carries: `user:password@` and secret-bearing query parameters ([`mask_url_credentials`]).
pub fn scrub(text: &str) -> String {
    let mut list = SECRETS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = std::borrow::Cow::Borrowed(text);
    for s in &list {
        // The mask (a SHA-256) is made only for a secret that is there to mask.
        if let Some(masked) = replace_encoded(&out, s, || format!("‹secret {}›", fingerprint(s)))
        {
            out = std::borrow::Cow::Owned(masked);
        }
    }
    masked_url_credentials(&out).into_owned()
}

/// Characters that end a URL part in running text, JSON and markdown.
fn ends_url_part(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '\\' | '`' | ')' | ']' | '‹' | '|'
        )
}

/// Mask credentials in every URL of `text`: the userinfo of `scheme://user:pass@host`
/// becomes `‹userinfo›@`, and the value of a secret-bearing query parameter
/// (`subscription-key`, `sig`, `code`, `client_secret`, `token` …, however spelled)
/// becomes `‹redacted›`. A `code` of digits only is left alone: it is an error number in an
/// Entra `error_uri`, not an authorization code.
pub fn mask_url_credentials(text: &str) -> String {
    masked_url_credentials(text).into_owned()
}

/// [`mask_url_credentials`], borrowing the text when nothing in it is masked (a report
/// usually has nothing to mask: no copy of it is made).
fn masked_url_credentials(text: &str) -> Cow<'_, str> {
    let scheme_end = memchr::memmem::Finder::new("://");
    if scheme_end.find(text.as_bytes()).is_none() && !text.contains('=') {
        return Cow::Borrowed(text);
    }
    // Userinfo, copied into `out` only once there is one to mask. "://" cannot overlap
    // itself or an `@`, so a match before `copied` lies inside a userinfo already masked.
    let mut out = String::new();
    let mut copied = 0;
    for at in scheme_end.find_iter(text.as_bytes()) {
        let authority = at + 3;
        if at < copied {
            continue;
        }
        if let Some(end) = userinfo_end(&text[authority..]) {
            out.push_str(&text[copied..authority]);
            out.push_str("‹userinfo›");
            copied = authority + end;
        }
    }
    if copied == 0 {
        return mask_secret_params(text);
    }
    out.push_str(&text[copied..]);
    if let Cow::Owned(masked) = mask_secret_params(&out) {
        return Cow::Owned(masked);
    }
    Cow::Owned(out)
}

/// Where the userinfo of the authority that starts `tail` (what follows `://`) ends: the
/// position of its `@`, if it has a non-empty one.
fn userinfo_end(tail: &str) -> Option<usize> {
    let authority_end = tail
        .find(|c: char| ends_url_part(c) || matches!(c, '/' | '?' | '#'))
        .unwrap_or(tail.len());
    tail[..authority_end].rfind('@').filter(|&end| end > 0)
}

/// The query-parameter half of [`mask_url_credentials`]: a secret parameter's value after
/// `?`, `&` or `;` (markdown writes `&` as `&amp;`).
fn mask_secret_params(text: &str) -> Cow<'_, str> {
    let is_name = |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.');
    let mut out = String::new();
    let mut copied = 0;
    // The three are ASCII: their byte positions are their char positions.
    for at in memchr::memchr3_iter(b'?', b'&', b';', text.as_bytes()) {
        if at < copied {
            continue;
        }
        let rest = &text[at + 1..];
        let name_len = rest.find(|ch: char| !is_name(ch)).unwrap_or(rest.len());
        let name = &rest[..name_len];
        if name.is_empty() || !rest[name_len..].starts_with('=') || !is_secret_param(name) {
            continue;
        }
        let value_start = at + 1 + name_len + 1;
        let tail = &text[value_start..];
        let value_len = tail
            .find(|ch: char| ends_url_part(ch) || matches!(ch, '&' | '#'))
            .unwrap_or(tail.len());
        let value = &tail[..value_len];
        let error_number = normalized(name) == "code" && value.bytes().all(|b| b.is_ascii_digit());
        if value.is_empty() || error_number {
            continue;
        }
        if out.is_empty() {
            out.reserve(text.len());
        }
        out.push_str(&text[copied..value_start]);
        out.push_str("‹redacted›");
        copied = value_start + value_len;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
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
            Some((k, _)) if SECRET_FORM_FIELDS.contains(&k) || is_secret_field(k) => {
                format!("{k}=‹redacted›")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A body with secret-named fields masked (token responses, device-code responses): JSON
/// with its secret fields (any spelling: `refresh_token`, `refreshToken`) masked, a
/// form-encoded body with its secret fields masked, anything else as it is.
pub fn json_for_trace(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) => {
            mask_json_secrets(&mut v);
            serde_json::to_string(&v).unwrap_or_default()
        }
        Err(_) if looks_like_form(body.trim()) => form_for_trace(body.trim()),
        Err(_) => body.to_string(),
    }
}

/// Mask secret-named fields of a JSON value in place.
pub fn mask_json_secrets(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if (SECRET_FORM_FIELDS.contains(&k.as_str()) || is_secret_field(k))
                    && val.is_string()
                {
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
                let scalars = match val {
                    serde_json::Value::Object(_) => false,
                    serde_json::Value::Array(items) => items.iter().all(|i| !i.is_object()),
                    _ => true,
                };
                if is_pii_claim(k) && scalars {
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

    /// [`replace_encoded`] as it was before [`encoding_starts`]: every byte tried.
    fn replace_trying_every_byte(text: &str, secret: &str) -> Option<String> {
        let bytes = text.as_bytes();
        let (mut out, mut copied, mut i) = (String::new(), 0, 0);
        while i < bytes.len() {
            if text.is_char_boundary(i)
                && let Some(end) = match_encoded(bytes, i, secret)
            {
                out.push_str(&text[copied..i]);
                out.push_str("MASK");
                (copied, i) = (end, end);
                continue;
            }
            i += 1;
        }
        (copied != 0).then(|| out + &text[copied..])
    }

    proptest::proptest! {
        /// Skipping to the positions an encoding can start at finds every occurrence the
        /// byte-by-byte scan finds: secrets written raw, percent-encoded, JSON- and
        /// markdown-escaped, as entities, between and inside arbitrary text.
        #[test]
        fn the_memchr_scan_masks_what_trying_every_byte_masks(
            secret in "[ &<>%\\\\a-zA-Z0-9._~/*\"é-]{8,16}",
            pieces in proptest::collection::vec(0usize..6, 0..6),
            noise in "[ -~é\n]{0,12}",
        ) {
            let encodings = [
                secret.clone(),
                secret.bytes().map(|b| format!("%{b:02X}")).collect::<String>(),
                serde_json::to_string(&secret).unwrap().trim_matches('"').to_string(),
                secret.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"),
                secret.replace('*', "\\*").replace(' ', "+"),
                secret.chars().map(|c| format!("\\u{:04x}", c as u32)).collect::<String>(),
            ];
            let mut text = noise.clone();
            for p in &pieces {
                text.push_str(&encodings[*p]);
                text.push_str(&noise);
            }
            let fast = replace_encoded(&text, &secret, || "MASK".to_string());
            proptest::prop_assert_eq!(fast, replace_trying_every_byte(&text, &secret));
        }
    }

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

    #[test]
    fn a_secret_is_masked_in_every_encoding() {
        let secret = "Zq9~8Q.x/yz+Ab\"cD7 secret";
        register_secret(secret);
        for shown in [
            "Zq9%7E8Q.x%2Fyz%2BAb%22cD7%20secret",
            "Zq9%7e8Q.x%2fyz%2bAb%22cD7%20secret",
            "Zq9~8Q.x%2Fyz%2BAb%22cD7%20secret",
            "Zq9%7E8Q.x%2Fyz%2BAb%22cD7+secret",
            "Zq9~8Q.x/yz+Ab\\\"cD7 secret",
            "Zq9~8Q.x\\/yz+Ab\\\"cD7 secret",
        ] {
            let out = scrub(&format!("error_description: client_secret={shown}&x=1"));
            assert!(out.contains("‹secret sha256:"), "{shown} → {out}");
            assert!(!out.contains("cD7"), "{shown} → {out}");
        }
    }

    #[test]
    fn token_responses_in_any_shape_register_their_tokens() {
        register_body_secrets(br#"{"tokenType":"Bearer","refreshToken":"camelRefreshToken123","nested":{"Access_Token":"nestedAccess456"}}"#);
        register_body_secrets(
            b"access_token=formAccessToken789&refresh_token=formRefresh%7E012&scope=x",
        );
        let out = scrub("camelRefreshToken123 nestedAccess456 formAccessToken789 formRefresh~012");
        for s in ["camelRefresh", "nestedAccess", "formAccess", "formRefresh"] {
            assert!(!out.contains(s), "{out}");
        }
        // A Graph error's `code` is not a secret.
        register_body_secrets(br#"{"error":{"code":"InvalidAuthenticationTokenX"}}"#);
        assert!(scrub("InvalidAuthenticationTokenX").contains("InvalidAuthentication"));
        assert_eq!(
            json_for_trace("access_token=a1&refreshToken=b2&scope=x"),
            "access_token=‹redacted›&refreshToken=‹redacted›&scope=x"
        );
        assert_eq!(
            json_for_trace(r#"{"refreshToken":"r","idToken":"i","scope":"s"}"#),
            r#"{"refreshToken":"‹redacted›","idToken":"‹redacted›","scope":"s"}"#
        );
    }

    #[test]
    fn urls_lose_userinfo_and_secret_parameters() {
        // Several URLs, one with a "://" before its userinfo, one without userinfo.
        assert_eq!(
            mask_url_credentials("see http://a://b@h/p and https://u:p@h2/ and ftp://h3/"),
            "see http://a://‹userinfo›@h/p and https://‹userinfo›@h2/ and ftp://h3/"
        );
        assert_eq!(
            mask_url_credentials(
                "GET https://alice:pa55w0rd@gw.example/context7/mcp?subscription-key=abc123&x=1"
            ),
            "GET https://‹userinfo›@gw.example/context7/mcp?subscription-key=‹redacted›&x=1"
        );
        assert_eq!(
            mask_url_credentials(r#"{"url":"https://s.blob.example/c?sv=1&sig=AbC%2Bd&se=2"}"#),
            r#"{"url":"https://s.blob.example/c?sv=1&sig=‹redacted›&se=2"}"#
        );
        assert_eq!(
            mask_url_credentials("http://h/cb?state=s&amp;code=0.AQ4Asecret&amp;Client_Secret=x y"),
            "http://h/cb?state=s&amp;code=‹redacted›&amp;Client_Secret=‹redacted› y"
        );
        // An Entra error number is not an authorization code; no value, nothing to mask.
        let entra = "https://login.microsoftonline.com/error?code=700016 and ?code=";
        assert_eq!(mask_url_credentials(entra), entra);
        let plain = "mailto:a@b.example, https://gw.example/x?state=ok ✓";
        assert_eq!(mask_url_credentials(plain), plain);
    }
}
