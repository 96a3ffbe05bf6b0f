//! Decoding a compact JWS without trusting it: split, base64url-decode (with or without `=`
//! padding, as Microsoft's published samples use it), parse the header and payload as JSON.
//! Whatever is not a JWS becomes a [`Malformed`] sentence saying what was pasted instead.
//!
//! Header and payload are read member by member, each value first as written
//! ([`RawValue`]): a plain `serde_json::Value` parse refuses a number beyond a 64-bit float
//! (`"exp": 1e309`) — which would make a token with one odd claim "not JSON" — and keeps only
//! the last of repeated keys without a word. Both are kept for the checks to name
//! ([`Decoded::unrepresentable`], [`Decoded::duplicates`]).

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::collections::HashMap;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
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
    /// Members whose value no validator's JSON numbers can hold (`1e309`), left out of
    /// `header`/`claims` and kept as written.
    pub unrepresentable: Vec<RawMember>,
    /// Keys written more than once; `header`/`claims` hold the last value, as serde_json
    /// and JavaScript's `JSON.parse` keep it.
    pub duplicates: Vec<Duplicate>,
}

/// A header or payload member kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMember {
    /// `header` or `payload`.
    pub segment: &'static str,
    pub key: String,
    /// The value's JSON text, as in the token (at most [`RAW_SHOWN`] bytes).
    pub raw: String,
}

/// A key written more than once in the header or the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// `header` or `payload`.
    pub segment: &'static str,
    pub key: String,
    /// How many times the key is written.
    pub count: usize,
    /// The values' JSON text in the order written: the first [`MAX_DUPLICATE_VALUES`], each
    /// at most [`RAW_SHOWN`] bytes.
    pub values: Vec<String>,
}

/// How many values of one repeated key are kept for the finding.
pub const MAX_DUPLICATE_VALUES: usize = 4;

/// How much of a raw value is kept for a finding (a token is at most 128 KiB anyway).
pub const RAW_SHOWN: usize = 120;

/// A JSON object read in one pass, when no key is repeated and every value fits serde_json's
/// numbers (every token Entra issues). Anything else is an error, and [`Members`] reads the
/// object again to say what.
struct Plain(Map<String, Value>);

impl<'de> Deserialize<'de> for Plain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = Plain;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object without repeated keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Plain, A::Error> {
                let mut members = Map::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    if members.insert(key, value).is_some() {
                        return Err(serde::de::Error::custom("a repeated key"));
                    }
                }
                Ok(Plain(members))
            }
        }
        d.deserialize_map(Each)
    }
}

/// A JSON object's members in the order written, each value as its raw JSON text.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Each)
    }
}

/// A raw JSON text cut to [`RAW_SHOWN`] bytes (on a character boundary), `…` when cut.
fn shown(raw: &str) -> String {
    crate::report::bounds::cut(raw, RAW_SHOWN)
}

/// One decoded segment: the members serde_json can hold, the ones it cannot, and the keys
/// written twice.
struct Segment {
    map: Map<String, Value>,
    unrepresentable: Vec<RawMember>,
    duplicates: Vec<Duplicate>,
}

impl Segment {
    /// The members as serde_json would keep them (the last of repeated keys, at the place of
    /// the first), with the ones it cannot hold and the repeated keys on the side. Linear in
    /// the number of members: a hostile 128 KiB payload holds tens of thousands.
    fn from_members(segment: &'static str, members: Members) -> Segment {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for (key, _) in &members.0 {
            *count.entry(key.as_str()).or_default() += 1;
        }
        let mut map = Map::new();
        // Keys whose last value no JSON number holds (1e309), with that value.
        let mut odd: HashMap<&str, &RawValue> = HashMap::new();
        let mut repeated: HashMap<&str, usize> = HashMap::new();
        let mut duplicates: Vec<Duplicate> = Vec::new();
        for (key, raw) in &members.0 {
            let times = count.get(key.as_str()).copied().unwrap_or(1);
            if times > 1 {
                let at = *repeated.entry(key.as_str()).or_insert_with(|| {
                    duplicates.push(Duplicate {
                        segment,
                        key: key.clone(),
                        count: times,
                        values: Vec::new(),
                    });
                    duplicates.len() - 1
                });
                let values = &mut duplicates[at].values;
                if values.len() < MAX_DUPLICATE_VALUES {
                    values.push(shown(raw.get()));
                }
            }
            // RawValue checked the syntax: what fails here is a number out of f64's range.
            match serde_json::from_str::<Value>(raw.get()) {
                Ok(v) => {
                    map.insert(key.clone(), v);
                    odd.remove(key.as_str());
                }
                Err(_) => {
                    if times > 1 {
                        // Not `remove`: under `preserve_order` that is a swap-remove, which
                        // would move the last claim into this one's place.
                        map.shift_remove(key);
                    }
                    odd.insert(key.as_str(), raw);
                }
            }
        }
        let mut unrepresentable = Vec::new();
        for (key, _) in &members.0 {
            if let Some(raw) = odd.remove(key.as_str()) {
                unrepresentable.push(RawMember {
                    segment,
                    key: key.clone(),
                    raw: shown(raw.get()),
                });
            }
        }
        Segment {
            map,
            unrepresentable,
            duplicates,
        }
    }
}

/// The normalised compact form of what was pasted: trimmed, `Bearer `/quotes/JSON removed,
/// and line breaks or spaces inside (a wrapped paste) dropped — base64url has none.
pub fn compact(raw: &str) -> String {
    let token = normalize_token(raw);
    // A token pasted whole (the usual case) has no whitespace left: copy it as it is.
    if token.bytes().all(|b| b.is_ascii_graphic()) {
        return token.to_string();
    }
    token.chars().filter(|c| !c.is_whitespace()).collect()
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
    let mut unrepresentable = header.unrepresentable;
    unrepresentable.extend(claims.unrepresentable);
    let mut duplicates = header.duplicates;
    duplicates.extend(claims.duplicates);
    Ok(Decoded {
        header: header.map,
        claims: claims.map,
        fingerprint: redact::fingerprint(&token),
        padded,
        len: token.len(),
        unsigned: segments[2].is_empty(),
        unrepresentable,
        duplicates,
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

fn segment_json(segment: &str, name: &'static str) -> Result<Segment, Malformed> {
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
    if let Ok(Plain(map)) = serde_json::from_str::<Plain>(text) {
        return Ok(Segment {
            map,
            unrepresentable: Vec::new(),
            duplicates: Vec::new(),
        });
    }
    if let Ok(members) = serde_json::from_str::<Members>(text) {
        return Ok(Segment::from_members(name, members));
    }
    // Not an object (members read any object serde_json can): say what it is instead.
    match serde_json::from_str::<Value>(text) {
        Ok(other) if !other.is_object() => Err(Malformed::new(format!(
            "the {name} is JSON but not an object (a {})",
            crate::input::json_type(&other, false)
        ))),
        _ => Err(Malformed::new(format!(
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

    /// A payload claim left out of [`Decoded::claims`] because no JSON number type holds
    /// its value (`1e309`).
    pub fn unrepresentable_claim(&self, name: &str) -> Option<&RawMember> {
        self.unrepresentable
            .iter()
            .find(|m| m.segment == "payload" && m.key == name)
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

    #[test]
    fn numbers_beyond_f64_and_repeated_keys_are_kept_for_the_checks() {
        let t = token(
            r#"{"alg":"RS256","kid":"a","kid":"b"}"#,
            r#"{"aud":"x","exp":1e309,"deep":{"n":[1,-1e400]},"aud":"y"}"#,
        );
        let d = decode(&t).unwrap();
        assert_eq!(d.claim_str("aud"), Some("y"));
        assert_eq!(d.kid(), Some("b"));
        assert!(!d.claims.contains_key("exp"));
        assert_eq!(
            d.unrepresentable_claim("exp").map(|m| m.raw.as_str()),
            Some("1e309")
        );
        assert!(d.unrepresentable.iter().any(|m| m.key == "deep"));
        let keys: Vec<(&str, &str)> = d
            .duplicates
            .iter()
            .map(|x| (x.segment, x.key.as_str()))
            .collect();
        assert_eq!(keys, [("header", "kid"), ("payload", "aud")]);
        assert_eq!(d.duplicates[1].values, [r#""x""#, r#""y""#]);
        // Still not JSON, still not an object.
        assert!(
            decode(&token("{}", "{\"a\":}"))
                .unwrap_err()
                .sentence
                .contains("not JSON")
        );
        assert!(decode(&token("{}", "[1e309]")).is_err());
    }

    proptest::proptest! {
        /// The one-pass read of an object gives what the member-by-member read gives, and
        /// declines exactly the objects with a repeated key or an out-of-range number.
        #[test]
        fn the_one_pass_read_agrees_with_the_member_by_member_read(
            members in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["aud", "exp", "scp", "a\\u00e9", "x"]),
                    proptest::sample::select(vec![
                        "1", "-0", "1e309", "1.5e3", "18446744073709551616", "\"s\"",
                        "null", "[1,{\"n\":-1e400}]", "{\"k\":[true]}", "[]",
                    ]),
                ),
                0..7,
            )
        ) {
            let text = format!(
                "{{{}}}",
                members
                    .iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let slow = Segment::from_members(
                "payload",
                serde_json::from_str::<Members>(&text).expect("an object"),
            );
            match serde_json::from_str::<Plain>(&text) {
                Ok(Plain(map)) => {
                    proptest::prop_assert!(slow.duplicates.is_empty(), "{}", text);
                    proptest::prop_assert!(slow.unrepresentable.is_empty(), "{}", text);
                    proptest::prop_assert_eq!(&map, &slow.map, "{}", text);
                    let order: Vec<&String> = map.keys().collect();
                    let slow_order: Vec<&String> = slow.map.keys().collect();
                    proptest::prop_assert_eq!(order, slow_order, "{}", text);
                }
                Err(_) => proptest::prop_assert!(
                    !slow.duplicates.is_empty() || !slow.unrepresentable.is_empty(),
                    "{}",
                    text
                ),
            }
        }
    }

    #[test]
    fn a_repeated_key_whose_last_value_is_out_of_range_leaves_the_other_claims_in_order() {
        let d = decode(&token("{}", r#"{"x":1,"b":2,"c":3,"d":4,"x":1e309}"#)).unwrap();
        let keys: Vec<&str> = d.claims.keys().map(String::as_str).collect();
        assert_eq!(keys, ["b", "c", "d"]);
        assert_eq!(
            d.unrepresentable_claim("x").map(|m| m.raw.as_str()),
            Some("1e309")
        );
    }

    #[test]
    fn a_payload_of_many_repeated_keys_keeps_the_last_and_bounded_values() {
        // ~75 KiB: 6 000 members, every key written 3 times, every third value 1e309.
        let mut p = String::from("{");
        for i in 0..6_000 {
            let v = if i % 3 == 0 {
                "1e309".to_string()
            } else {
                i.to_string()
            };
            p.push_str(&format!("\"k{}\":{v},", i % 2_000));
        }
        for i in 0..10 {
            p.push_str(&format!("\"ten\":{i},"));
        }
        p.push_str("\"end\":0}");
        let d = decode(&token("{}", &p)).unwrap();
        assert_eq!(d.duplicates.len(), 2_001);
        let ten = d.duplicates.iter().find(|x| x.key == "ten").unwrap();
        assert_eq!((ten.count, ten.values.len()), (10, MAX_DUPLICATE_VALUES));
        assert!(
            d.duplicates
                .iter()
                .filter(|x| x.key != "ten")
                .all(|x| x.count == 3 && x.values.len() == 3)
        );
        // The last value of k0 is 4000 (i = 4000 is not a multiple of 3): kept, not odd.
        assert_eq!(d.claims.get("k0").and_then(Value::as_i64), Some(4000));
        assert!(d.unrepresentable_claim("k0").is_none());
    }
}
