//! Reading secrets: tokens and keys come from an argument, `-`/piped stdin, a file or the
//! environment — never required on the command line (DESIGN.md §2). Every secret read is
//! registered with the redaction scrubber.

use std::io::IsTerminal;
use std::path::Path;

use crate::error::Error;
use crate::report::redact;

/// Largest input read from stdin or a file: a token is a few KiB; anything larger is
/// read up to this size and then reported as malformed, not loaded whole.
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

/// Where a secret came from (reported in the context, never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Argument,
    Stdin,
    File(String),
    Env(&'static str),
}

impl Origin {
    pub fn describe(&self) -> String {
        match self {
            Origin::Argument => "argument".into(),
            Origin::Stdin => "stdin".into(),
            Origin::File(p) => format!("file {p}"),
            Origin::Env(v) => format!("${v}"),
        }
    }
}

/// Raw input bytes as read; decoding to text is the caller's concern (invalid UTF-8 is a
/// finding for a token, not an error).
#[derive(Debug, Clone)]
pub struct RawInput {
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

impl RawInput {
    /// The input as text (lossy) — for callers that report invalid text separately.
    /// UTF-16 with a byte-order mark (PowerShell's `>` and `Out-File`) is decoded.
    pub fn text(&self) -> String {
        decode_text(&self.bytes)
            .unwrap_or_else(|| String::from_utf8_lossy(&self.bytes).into_owned())
    }
    pub fn is_utf8(&self) -> bool {
        decode_text(&self.bytes).is_some()
    }
    /// Nothing but whitespace: typically a command in a pipe that failed (`az … | c7doctor`).
    pub fn is_blank(&self) -> bool {
        self.text()
            .trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .is_empty()
    }
}

/// Input bytes as text: UTF-8 (a UTF-8 byte-order mark removed), or UTF-16 LE/BE when it
/// starts with that byte-order mark — what Windows PowerShell writes with `>` or `Out-File`.
/// `None` when the bytes are neither.
pub fn decode_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |rest: &[u8], le: bool| {
        if !rest.len().is_multiple_of(2) {
            return None;
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|b| {
                if le {
                    u16::from_le_bytes([b[0], b[1]])
                } else {
                    u16::from_be_bytes([b[0], b[1]])
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest).ok().map(str::to_string),
        _ => std::str::from_utf8(bytes).ok().map(str::to_string),
    }
}

/// What to say when a token was expected on stdin and nothing came: usually the command
/// before the pipe failed (not signed in) and printed its error on the terminal.
pub const EMPTY_STDIN: &str = "stdin was empty (empty input): the command piped into c7doctor printed no \
token. If it was `az account get-access-token`, it has most likely failed because the Azure CLI \
is not signed in (its error is above): run `az login --tenant <tenant-id>` (add \
`--allow-no-subscriptions` for a tenant without subscriptions), then run the pipe again";

/// Read stdin, at most [`MAX_INPUT_BYTES`]; more is a usage error that says so (a token,
/// a key or a JWKS is never that large), never a silent cut that would then read as "not
/// JSON".
pub fn read_stdin() -> Result<Vec<u8>, Error> {
    crate::files::read_capped_from(std::io::stdin().lock(), MAX_INPUT_BYTES)
        .map_err(|e| Error::usage(format!("cannot read stdin: {e}")))
}

/// Read a file (`-` for stdin), at most [`MAX_INPUT_BYTES`] (see [`read_stdin`]).
pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    if path == Path::new("-") {
        return read_stdin();
    }
    crate::files::read_capped(path, MAX_INPUT_BYTES)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))
}

/// Find a secret: the argument (`-` = stdin), then the file, then the environment variable,
/// then piped stdin (only when stdin is not a terminal). `None` when there is none anywhere.
pub fn read_secret(
    arg: Option<&str>,
    file: Option<&Path>,
    env_var: &'static str,
) -> Result<Option<RawInput>, Error> {
    let raw = if let Some(a) = arg {
        if a == "-" {
            Some(RawInput {
                bytes: read_stdin()?,
                origin: Origin::Stdin,
            })
        } else {
            Some(RawInput {
                bytes: a.as_bytes().to_vec(),
                origin: Origin::Argument,
            })
        }
    } else if let Some(p) = file {
        let origin = if p == Path::new("-") {
            Origin::Stdin
        } else {
            Origin::File(p.display().to_string())
        };
        Some(RawInput {
            bytes: read_file(p)?,
            origin,
        })
    } else if let Some(v) = std::env::var_os(env_var) {
        Some(RawInput {
            bytes: v.as_encoded_bytes().to_vec(),
            origin: Origin::Env(env_var),
        })
    } else if !std::io::stdin().is_terminal() {
        let bytes = read_stdin()?;
        Some(RawInput {
            bytes,
            origin: Origin::Stdin,
        })
    } else {
        None
    };
    if let Some(r) = &raw {
        let text = r.text();
        redact::register_secret(text.trim());
        redact::register_secret(&normalize_token(&text));
    }
    Ok(raw)
}

/// Normalise what a user pasted as a token: trim, strip a `Bearer ` prefix and surrounding
/// quotes, and take the token from a whole JSON response: `access_token` (a token
/// endpoint's answer) or `accessToken` (`az account get-access-token` without `--query`).
pub fn normalize_token(input: &str) -> String {
    let mut s = input.trim().trim_start_matches('\u{feff}').trim();
    if s.starts_with('{')
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(s)
        && let Some(tok) = ["access_token", "accessToken"]
            .iter()
            .find_map(|k| v.get(*k).and_then(|t| t.as_str()))
    {
        return normalize_token(tok);
    }
    for _ in 0..3 {
        let before = s;
        if s.len() >= 2
            && ((s.starts_with('"') && s.ends_with('"'))
                || (s.starts_with('\'') && s.ends_with('\'')))
        {
            s = s[1..s.len() - 1].trim();
        }
        // `get` rather than slicing: the input may start with a multi-byte character.
        if s.len() > 7
            && s.get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
        {
            s = s[7..].trim();
        }
        if let Some(rest) = s
            .strip_prefix("Authorization:")
            .or_else(|| s.strip_prefix("authorization:"))
        {
            s = rest.trim();
        }
        if s == before {
            break;
        }
    }
    s.to_string()
}

/// The JSON type of an outside value, for findings ("the document is an array, not a JSON
/// object"); `with_article` gives "an array", else "array".
pub fn json_type(v: &serde_json::Value, with_article: bool) -> &'static str {
    use serde_json::Value;
    match (v, with_article) {
        (Value::Null, _) => "null",
        (Value::Bool(_), false) => "boolean",
        (Value::Bool(_), true) => "a boolean",
        (Value::Number(_), false) => "number",
        (Value::Number(_), true) => "a number",
        (Value::String(_), false) => "string",
        (Value::String(_), true) => "a string",
        (Value::Array(_), false) => "array",
        (Value::Array(_), true) => "an array",
        (Value::Object(_), false) => "object",
        (Value::Object(_), true) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_token;

    #[test]
    fn strips_bearer_quotes_and_json() {
        assert_eq!(normalize_token("  Bearer a.b.c\n"), "a.b.c");
        assert_eq!(normalize_token("\"Bearer a.b.c\""), "a.b.c");
        assert_eq!(normalize_token("'a.b.c'"), "a.b.c");
        assert_eq!(
            normalize_token(r#"{"token_type":"Bearer","access_token":"a.b.c"}"#),
            "a.b.c"
        );
        assert_eq!(normalize_token("Authorization: Bearer a.b.c"), "a.b.c");
        // `az account get-access-token` prints this shape by default.
        assert_eq!(
            normalize_token(
                r#"{"accessToken":"a.b.c","expiresOn":"2026-11-23 11:00:00.000000","expires_on":1795431600,"subscription":"s","tenant":"t","tokenType":"Bearer"}"#
            ),
            "a.b.c"
        );
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_text() {
        use super::decode_text;
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a.b.c\r\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(&le).as_deref(), Some("a.b.c\r\n"));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("a.b.c".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_text(&be).as_deref(), Some("a.b.c"));
        assert_eq!(decode_text(b"\xEF\xBB\xBFa.b.c").as_deref(), Some("a.b.c"));
        assert_eq!(decode_text(&[0xFF, 0xFE, 0x61]), None);
        assert_eq!(decode_text(&[0xC3, 0x28]), None);
    }
}
