//! Decoding a compact JWS without trusting it: split, base64url-decode (with or without `=`
//! padding, as Microsoft's published samples use it), parse the header and payload as JSON.
//! Whatever is not a JWS becomes a [`Malformed`] sentence saying what was pasted instead.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use crate::input::normalize_token;
use crate::report::redact;

/// Longest input still treated as a token. Entra access tokens are a few KiB (group
/// overage keeps them under ~16 KiB); request headers this large are refused by servers.
pub const MAX_TOKEN_BYTES: usize = 128 * 1024;

/// base64url that accepts `=` padding or none, and non-canonical trailing bits.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decode one base64url segment (padding optional).
pub(crate) fn b64url_decode(segment: &str) -> Result<Vec<u8>, base64::DecodeError> {
    B64URL.decode(segment)
}

/// What was pasted instead of a JWS, as a sentence for the `token.malformed` finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub sentence: String,
}

impl Malformed {
    fn new(sentence: impl Into<String>) -> Self {
        Malformed {
            sentence: sentence.into(),
        }
    }

    /// Input that is not UTF-8 (found before decoding, by whoever read the bytes).
    pub fn invalid_utf8(bytes: &[u8]) -> Self {
        let at = std::str::from_utf8(bytes)
            .err()
            .map(|e| e.valid_up_to())
            .unwrap_or(0);
        let byte = bytes.get(at).copied().unwrap_or(0);
        Malformed::new(format!(
            "invalid UTF-8 (byte 0x{byte:02x} at offset {at}): binary data, not a token"
        ))
    }

    /// Input longer than any token.
    pub fn too_large(len: usize) -> Self {
        Malformed::new(format!(
            "a {len}-byte input: far longer than any access token (c7doctor reads at most \
             {MAX_TOKEN_BYTES} bytes as a token; servers refuse headers this large)"
        ))
    }
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sentence)
    }
}

/// A decoded (not verified) JWS.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `sha256:` + 12 hex of the normalised token: how the token is named in reports.
    pub fingerprint: String,
    /// At least one segment carried `=` padding.
    pub padded: bool,
    /// Length of the normalised token in bytes.
    pub len: usize,
    /// The signature segment is empty (an unsigned token).
    pub unsigned: bool,
}

/// The normalised compact form of what was pasted: trimmed, `Bearer `/quotes/JSON removed,
/// and line breaks or spaces inside (a wrapped paste) dropped — base64url has none.
pub fn compact(raw: &str) -> String {
    normalize_token(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Decode a token. `raw` may still carry whitespace, a `Bearer ` prefix, quotes, or be a
/// whole token-endpoint JSON response.
pub fn decode(raw: &str) -> Result<Decoded, Malformed> {
    if raw.len() > MAX_TOKEN_BYTES {
        return Err(Malformed::too_large(raw.len()));
    }
    let token = compact(raw);
    if token.is_empty() {
        return Err(Malformed::new(if raw.trim().is_empty() {
            "empty input: no token was given (an empty file, variable or stdin)"
        } else {
            "no token inside the input (an empty access_token, or only `Bearer`/quotes)"
        }));
    }
    let segments: Vec<&str> = token.split('.').collect();
    match segments.len() {
        3 => {}
        1 => return Err(opaque(&token)),
        2 => {
            return Err(Malformed::new(
                "2 segments: a JWT has 3 (header.payload.signature) — the token was cut off \
                 after the payload, or only part of it was copied",
            ));
        }
        5 => {
            return Err(Malformed::new(
                "a JWE (5 segments): an encrypted token that only its audience can read — \
                 Entra encrypts tokens only when the API's app registration configures a \
                 token-encryption key; APIM and Context7 expect a signed JWS (3 segments)",
            ));
        }
        n => {
            return Err(Malformed::new(format!(
                "{n} segments separated by '.': a JWT has 3 (header.payload.signature)"
            )));
        }
    }
    let padded = segments.iter().any(|s| s.contains('='));
    let header = segment_json(segments[0], "header")?;
    let claims = segment_json(segments[1], "payload")?;
    Ok(Decoded {
        header,
        claims,
        fingerprint: redact::fingerprint(&token),
        padded,
        len: token.len(),
        unsigned: segments[2].is_empty(),
    })
}

/// A single segment: say what it most likely is.
fn opaque(token: &str) -> Malformed {
    let lower = token.to_ascii_lowercase();
    let what = if lower.starts_with("ctx7sk") {
        "a Context7 API key (ctx7sk…), not a token: check it with `c7doctor key`".to_string()
    } else if is_guid(token) {
        "a GUID (an app, tenant or object ID), not a token".to_string()
    } else if token.len() >= 20 && token.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!(
            "an opaque token ({} characters, no '.'): a reference token, subscription key or \
             random string — Entra access tokens for your APIs are JWTs (three base64url parts)",
            token.len()
        )
    } else {
        format!(
            "an opaque token or other text ({} characters, no '.'): not a JWT (three base64url \
             parts separated by '.')",
            token.chars().count()
        )
    };
    Malformed::new(what)
}

fn segment_json(segment: &str, name: &str) -> Result<Map<String, Value>, Malformed> {
    if segment.is_empty() {
        return Err(Malformed::new(format!("the {name} segment is empty")));
    }
    if let Some((i, c)) = segment
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '='))
    {
        let hint = if c == '+' || c == '/' {
            " (standard base64, not base64url: the token was re-encoded)"
        } else if c == '%' {
            " (URL-encoded: decode it first)"
        } else {
            ""
        };
        return Err(Malformed::new(format!(
            "the {name} is not base64url: character {c:?} at position {i}{hint}"
        )));
    }
    let bytes = b64url_decode(segment).map_err(|e| {
        Malformed::new(format!(
            "the {name} is not valid base64url ({e}): the token is truncated or altered"
        ))
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Malformed::new(format!(
            "the {name} decodes to binary data, not JSON text: not a JWT"
        ))
    })?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Malformed::new(format!(
            "the {name} is JSON but not an object (a {})",
            crate::input::json_type(&other, false)
        ))),
        Err(_) => Err(Malformed::new(format!(
            "the {name} is not JSON: base64url that decodes to {} bytes of other text",
            bytes.len()
        ))),
    }
}

pub use crate::config::is_guid;

impl Decoded {
    /// A claim as a string (`None` when absent or not a string).
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A header parameter as a string.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn alg(&self) -> Option<&str> {
        self.header_str("alg")
    }

    pub fn kid(&self) -> Option<&str> {
        self.header_str("kid")
    }

    /// `scp`, split on spaces (delegated scopes).
    pub fn scopes(&self) -> Vec<String> {
        match self.claims.get("scp") {
            Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `roles` (app permissions or app roles).
    pub fn roles(&self) -> Vec<String> {
        match self.claims.get("roles") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
            _ => Vec::new(),
        }
    }

    /// The audiences (`aud` may be a string or an array).
    pub fn audiences(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn time(&self, name: &str) -> Option<i64> {
        match self.claims.get(name)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn exp(&self) -> Option<i64> {
        self.time("exp")
    }

    pub fn nbf(&self) -> Option<i64> {
        self.time("nbf")
    }

    pub fn iat(&self) -> Option<i64> {
        self.time("iat")
    }

    /// The tenant: `tid`, else the tenant segment of a v1/v2 Entra issuer.
    pub fn tenant(&self) -> Option<String> {
        self.claim_str("tid")
            .map(str::to_string)
            .or_else(|| self.claim_str("iss").and_then(issuer_tenant))
    }
}

/// The tenant segment of an Entra issuer (`https://host/<tenant>/…`).
pub fn issuer_tenant(iss: &str) -> Option<String> {
    let url = url::Url::parse(iss).ok()?;
    url.path_segments()?
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    fn b64_padded(s: &str) -> String {
        base64::engine::general_purpose::URL_SAFE.encode(s)
    }

    fn token(h: &str, p: &str) -> String {
        format!("{}.{}.c2lnbmF0dXJl", b64(h), b64(p))
    }

    #[test]
    fn decodes_unpadded_and_padded() {
        let h = r#"{"alg":"RS256","kid":"k"}"#;
        let p = r#"{"aud":"a","scp":"x y","exp":10}"#; // 33 bytes: padded form ends in '='
        let plain = token(h, p);
        let d = decode(&plain).unwrap();
        assert_eq!(d.alg(), Some("RS256"));
        assert_eq!(d.scopes(), vec!["x", "y"]);
        assert_eq!(d.exp(), Some(10));
        assert!(!d.padded);
        let padded = format!("{}.{}.c2lnbmF0dXJl", b64_padded(h), b64_padded(p));
        assert!(padded.contains('='));
        let d2 = decode(&padded).unwrap();
        assert!(d2.padded);
        assert_eq!(d2.claims, d.claims);
    }

    #[test]
    fn whitespace_bearer_and_wrapping_are_ignored() {
        let t = token(r#"{"alg":"RS256"}"#, r#"{"aud":"a"}"#);
        let (a, b) = t.split_at(20);
        for input in [
            format!("  {t}\n"),
            format!("Bearer {t}"),
            format!("\"{t}\""),
            format!("{a}\n{b}"),
            format!("{{\"access_token\":\"{t}\",\"token_type\":\"Bearer\"}}"),
        ] {
            let d = decode(&input).unwrap();
            assert_eq!(d.claim_str("aud"), Some("a"), "{input:?}");
            assert_eq!(d.fingerprint, redact::fingerprint(&t));
        }
    }

    #[test]
    fn malformed_inputs_say_what_they_are() {
        let cases = [
            ("", "empty input"),
            ("   \n", "empty input"),
            ("abc.def", "2 segments"),
            ("a.b.c.d.e", "JWE"),
            ("a.b.c.d", "4 segments"),
            ("ctx7sk-1234567890abcdef", "Context7 API key"),
            ("hello world this is text", "opaque"),
            ("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "GUID"),
            ("eyJ+.eyJ.x", "standard base64"),
        ];
        for (input, want) in cases {
            let e = decode(input).unwrap_err();
            assert!(e.sentence.contains(want), "{input:?}: {}", e.sentence);
        }
        let not_json = format!("{}.{}.sig", b64(r#"{"alg":"RS256"}"#), b64("not json"));
        assert!(
            decode(&not_json)
                .unwrap_err()
                .sentence
                .contains("payload is not JSON")
        );
        let array = format!("{}.{}.sig", b64(r#"{"alg":"RS256"}"#), b64("[1]"));
        assert!(decode(&array).unwrap_err().sentence.contains("array"));
        let big = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert!(decode(&big).unwrap_err().sentence.contains("bytes"));
        let m = Malformed::invalid_utf8(b"ab\xffcd");
        assert!(m.sentence.contains("0xff at offset 2"), "{}", m.sentence);
    }

    #[test]
    fn unsigned_token_decodes() {
        let t = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64(r#"{"aud":"a"}"#));
        let d = decode(&t).unwrap();
        assert!(d.unsigned);
        assert_eq!(d.alg(), Some("none"));
    }

    #[test]
    fn claims_helpers() {
        let t = token(
            r#"{"alg":"RS256"}"#,
            r#"{"aud":["x","y"],"roles":["A","B"],"exp":1.5e9,"nbf":"12","iss":"https://login.microsoftonline.com/t1/v2.0"}"#,
        );
        let d = decode(&t).unwrap();
        assert_eq!(d.audiences(), vec!["x", "y"]);
        assert_eq!(d.roles(), vec!["A", "B"]);
        assert_eq!(d.exp(), Some(1_500_000_000));
        assert_eq!(d.nbf(), Some(12));
        assert_eq!(d.tenant().as_deref(), Some("t1"));
        assert!(is_guid("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"));
        assert!(!is_guid("api://9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"));
    }
}
