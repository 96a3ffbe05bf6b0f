//! Secrets recognisable by their form anywhere in a policy text (comments included), found
//! before anything is parsed so that every snippet — even of a parse error — shows them
//! masked: Context7 API keys, JWTs, Entra client secrets (current `…Q~…` and old formats),
//! literal bearer tokens, SAS signatures (`sig=`), `password=` / `client_secret=` /
//! `clientSecret` values in bodies and URLs.
//!
//! Secrets only the structure reveals (a literal in a secret-named variable, a key header,
//! a basic-auth password, a signing key) are found by the secrets rule on the parsed
//! policy.
//!
//! Memory stays bounded whatever the input: each shape stops after a fixed number of hits,
//! and every hit is a short copy of the secret.

use crate::report::redact;

/// Hits kept per shape; a hostile file with thousands of secrets is not worth more.
pub const MAX_HITS: usize = 50;

/// A secret written in the policy.
#[derive(Debug, Clone)]
pub struct SecretHit {
    /// Offset in the text as written.
    pub offset: usize,
    pub value: String,
    /// How it is shown (masked key or fingerprint).
    pub shown: String,
    /// What it looks like, for the detail.
    pub what: &'static str,
}

/// Mask a secret for display: an API key keeps its prefix and last four, anything else is
/// named by its fingerprint.
pub fn shown_secret(value: &str) -> String {
    if value.starts_with("ctx7sk") {
        redact::mask_key(value)
    } else {
        format!("‹secret {}›", redact::fingerprint(value))
    }
}

pub fn hit(offset: usize, value: &str, what: &'static str) -> SecretHit {
    SecretHit {
        offset,
        value: value.to_string(),
        shown: shown_secret(value),
        what,
    }
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn run_len(b: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    b[from.min(b.len())..]
        .iter()
        .take_while(|c| ok(**c))
        .count()
}

/// Is this value a literal (not an expression, a named value or a placeholder)?
pub fn is_literal_secret(v: &str) -> bool {
    let v = v.trim();
    v.len() >= 8
        && !v.starts_with('@')
        && !v.contains("{{")
        && !v.contains('<')
        && !v.to_ascii_lowercase().starts_with("your")
        && !v.contains("Variables")
        // Interpolation holes, calls and concatenation are code, not a literal.
        && !v.contains(['{', '(', '$'])
        && !v.chars().any(char::is_whitespace)
}

/// Secrets recognisable by their form anywhere in the text.
pub fn scan_secrets(text: &str) -> Vec<SecretHit> {
    let b = text.as_bytes();
    let mut out: Vec<SecretHit> = Vec::new();
    let overlaps = |out: &[SecretHit], at: usize| {
        out.iter()
            .any(|h| at >= h.offset && at < h.offset + h.value.len())
    };
    for (i, _) in text.match_indices("ctx7sk").take(MAX_HITS) {
        let len = run_len(b, i, is_b64url);
        if len >= 16 {
            out.push(hit(i, &text[i..i + len], "a Context7 API key"));
        }
    }
    let mut n = 0;
    for (i, _) in text.match_indices("eyJ") {
        if n >= MAX_HITS {
            break;
        }
        if (i > 0 && is_b64url(b[i - 1])) || overlaps(&out, i) {
            continue;
        }
        let h = run_len(b, i, is_b64url);
        if h < 10 || b.get(i + h) != Some(&b'.') {
            continue;
        }
        let p = run_len(b, i + h + 1, is_b64url);
        if p < 10 || b.get(i + h + 1 + p) != Some(&b'.') {
            continue;
        }
        let s = run_len(b, i + h + p + 2, is_b64url);
        out.push(hit(
            i,
            &text[i..i + h + p + 2 + s],
            "a JWT (an access token)",
        ));
        n += 1;
    }
    // Entra client secrets: 40 characters, the 5th and 6th are "Q~".
    let secret_char = |c: u8| c.is_ascii_alphanumeric() || b"-_.~".contains(&c);
    let mut n = 0;
    for (i, _) in text.match_indices("Q~") {
        if n >= MAX_HITS {
            break;
        }
        if i < 4 {
            continue;
        }
        let start = i - 4;
        if (start > 0 && secret_char(b[start - 1])) || !b[start..i].iter().all(|c| secret_char(*c))
        {
            continue;
        }
        let len = run_len(b, start, secret_char);
        if (36..=44).contains(&len) && !overlaps(&out, start) {
            out.push(hit(
                start,
                &text[start..start + len],
                "an Entra client secret",
            ));
            n += 1;
        }
    }
    let mut n = 0;
    for (i, _) in text.match_indices("Bearer ") {
        if n >= MAX_HITS {
            break;
        }
        let at = i + "Bearer ".len();
        let tok_char = |c: u8| c.is_ascii_alphanumeric() || b"-_.~+/=".contains(&c);
        let len = run_len(b, at, tok_char);
        let tok = &text[at..at + len];
        if len >= 32
            && !overlaps(&out, at)
            && tok.bytes().any(|c| c.is_ascii_digit())
            && !tok.contains("resource_metadata")
        {
            out.push(hit(at, tok, "a bearer token"));
            n += 1;
        }
    }
    // `name=value` in a form body or a URL query (also JSON-ish `"name": "value"`).
    for (key, what) in [
        ("client_secret", "a literal client_secret"),
        ("clientSecret", "a literal clientSecret"),
        ("password", "a literal password"),
        ("sig", "a SAS signature (sig=)"),
        ("subscription-key", "a subscription key in a URL"),
    ] {
        let mut n = 0;
        for (i, _) in text.match_indices(key) {
            if n >= MAX_HITS {
                break;
            }
            // A whole word: `sig` must not match `signature` or `design`.
            if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
                continue;
            }
            let rest = &text[i + key.len()..];
            let (sep_len, json) = match rest.as_bytes() {
                [b'=', ..] => (1, false),
                [b'"', ..] | [b'\'', ..] | [b':', ..] | [b' ', ..] if key != "sig" => {
                    // `"clientSecret": "value"` / `client_secret: 'value'`
                    let skip = rest
                        .find(|c: char| !matches!(c, '"' | '\'' | ' ' | ':' | '\\'))
                        .unwrap_or(rest.len());
                    if !rest[..skip].contains(':') {
                        continue;
                    }
                    (skip, true)
                }
                _ => continue,
            };
            let start = i + key.len() + sep_len;
            let len = run_len(b, start, |c| {
                !matches!(
                    c,
                    b'&' | b'"' | b'\'' | b'\\' | b'<' | b';' | b',' | b')' | b'}'
                ) && !c.is_ascii_whitespace()
            });
            let value = &text[start..start + len];
            // A JSON value must have been quoted; a form value is what runs to `&`.
            if json && !matches!(b.get(start.wrapping_sub(1)), Some(b'"') | Some(b'\'')) {
                continue;
            }
            if !is_literal_secret(value) || overlaps(&out, start) {
                continue;
            }
            out.push(hit(start, value, what));
            n += 1;
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

/// An old-format Entra client secret (before the `Q~` format: 44 characters of base64
/// ending in `=`, or 32–34 random characters with `[`, `]`, `@`, `:`, `*`), judged only
/// where a value is known to be a secret.
pub fn old_entra_secret(v: &str) -> bool {
    let v = v.trim();
    let b64 = v.len() == 44
        && v.ends_with('=')
        && v[..43]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/');
    let symbols = (32..=34).contains(&v.len())
        && v.bytes().any(|c| b"[]@:*?.-_".contains(&c))
        && v.bytes().all(|c| c.is_ascii_graphic());
    b64 || symbols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_by_form() {
        let text = "a ctx7sk-11112222-3333-4444-5555-666677778888 b eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2ln c Abc8Q~abcdefghijklmnopqrstuvwxyz0123456_ d ctx7sk e";
        let hits = scan_secrets(text);
        let what: Vec<_> = hits.iter().map(|h| h.what).collect();
        assert_eq!(
            what,
            [
                "a Context7 API key",
                "a JWT (an access token)",
                "an Entra client secret"
            ]
        );
        assert!(hits[0].shown.starts_with("ctx7sk…"));
    }

    #[test]
    fn form_and_url_shapes() {
        let text = r#"client_secret=s3cr3tValue99&amp;x=1 "clientSecret": "AnotherSecret12" ?sv=2022&sig=AbCdEf%2Bgh12345678 password=hunter2hunter2 signature=notasecret1234 design=x"#;
        let hits = scan_secrets(text);
        let what: Vec<_> = hits.iter().map(|h| (h.what, h.value.as_str())).collect();
        assert_eq!(
            what,
            [
                ("a literal client_secret", "s3cr3tValue99"),
                ("a literal clientSecret", "AnotherSecret12"),
                ("a SAS signature (sig=)", "AbCdEf%2Bgh12345678"),
                ("a literal password", "hunter2hunter2"),
            ]
        );
        // Named values and expressions are not literals.
        assert!(scan_secrets("client_secret={{gw-secret}} password=@(x)").is_empty());
    }

    #[test]
    fn old_secret_formats() {
        assert!(old_entra_secret(
            "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/AbCdE="
        ));
        assert!(old_entra_secret("k[7Lq]mZ@x:9*bQ2-Rt_8vN.wE4yH1sP"));
        assert!(!old_entra_secret("11111111-2222-4333-8444-555555555555"));
    }
}
