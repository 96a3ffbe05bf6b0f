//! `WWW-Authenticate` parsing per RFC 7235 §4.1 (with RFC 9110 §11.6.1 grammar):
//! one header value may hold several challenges, each a scheme followed by a token68 or a
//! comma-separated list of `name=value` parameters, where a value is a token or a quoted
//! string with `\` escapes. Scheme and parameter names are case-insensitive.
//!
//! The parser is total: any input yields `Ok` or a sentence saying where it went wrong,
//! in time linear in the input (it is a fuzzing target).

/// One challenge: `Bearer resource_metadata="…", scope="…"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme as sent (compare with [`Challenge::is`]).
    pub scheme: String,
    /// A token68 credential hint (`Negotiate abc==`), when the challenge carries one.
    pub token68: Option<String>,
    /// Parameters in order; names lower-cased, values unquoted and unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// Case-insensitive scheme comparison.
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The first value of a parameter (name compared case-insensitively).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn is_token68_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~+/".contains(c)
}

struct Cursor<'a> {
    chars: Vec<(usize, char)>,
    pos: usize,
    src: &'a str,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }
    /// Byte offset of the cursor, for messages.
    fn offset(&self) -> usize {
        self.chars
            .get(self.pos)
            .map(|&(i, _)| i)
            .unwrap_or(self.src.len())
    }
    fn skip_ows(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
        self.pos > start
    }
    fn skip_ows_and_commas(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | ',')) {
            self.pos += 1;
        }
    }
    fn token(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if !is_tchar(c) {
                break;
            }
            s.push(c);
            self.pos += 1;
        }
        s
    }
    fn describe_here(&self) -> String {
        match self.peek() {
            Some(c) => format!("{c:?} at byte {}", self.offset()),
            None => "the end of the header".to_string(),
        }
    }
    /// A quoted string, the opening quote under the cursor.
    fn quoted(&mut self) -> Result<String, String> {
        let start = self.offset();
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(format!(
                        "the quoted string opened at byte {start} is not closed"
                    ));
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(s);
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c) if c == '\t' || !c.is_control() => {
                            s.push(c);
                            self.pos += 1;
                        }
                        Some(c) => {
                            return Err(format!(
                                "control character {c:?} escaped at byte {} in a quoted string",
                                self.offset()
                            ));
                        }
                        None => {
                            return Err(format!(
                                "the quoted string opened at byte {start} ends in a lone backslash"
                            ));
                        }
                    }
                }
                Some(c) if c == '\t' || !c.is_control() => {
                    s.push(c);
                    self.pos += 1;
                }
                Some(c) => {
                    return Err(format!(
                        "control character {c:?} at byte {} in a quoted string",
                        self.offset()
                    ));
                }
            }
        }
    }
}

/// Parse one `WWW-Authenticate` header value into its challenges. Several header lines are
/// parsed one by one and their challenges concatenated by the caller.
pub fn parse(header: &str) -> Result<Vec<Challenge>, String> {
    let mut cur = Cursor {
        chars: header.char_indices().collect(),
        pos: 0,
        src: header,
    };
    let mut out: Vec<Challenge> = Vec::new();
    loop {
        cur.skip_ows_and_commas();
        if cur.at_end() {
            break;
        }
        let scheme = cur.token();
        if scheme.is_empty() {
            return Err(format!(
                "expected an authentication scheme, found {}",
                cur.describe_here()
            ));
        }
        let mut ch = Challenge {
            scheme,
            token68: None,
            params: Vec::new(),
        };
        let spaced = cur.skip_ows();
        if cur.at_end() || cur.peek() == Some(',') {
            out.push(ch);
            continue;
        }
        if !spaced {
            return Err(format!(
                "expected a space after the scheme {:?}, found {}",
                ch.scheme,
                cur.describe_here()
            ));
        }
        // token68: token68 chars, then '=' padding, then the end of this challenge.
        let save = cur.pos;
        let mut t68 = String::new();
        while let Some(c) = cur.peek() {
            if !is_token68_char(c) {
                break;
            }
            t68.push(c);
            cur.pos += 1;
        }
        while cur.peek() == Some('=') {
            t68.push('=');
            cur.pos += 1;
        }
        cur.skip_ows();
        if !t68.is_empty() && !t68.starts_with('=') && (cur.at_end() || cur.peek() == Some(',')) {
            // `name=` alone would also match; a lone token followed by `=` and nothing is
            // read as token68, as the grammar allows.
            ch.token68 = Some(t68);
            out.push(ch);
            continue;
        }
        cur.pos = save;
        // auth-params.
        loop {
            let name_at = cur.pos;
            let name = cur.token();
            if name.is_empty() {
                return Err(format!(
                    "expected a parameter name in the {:?} challenge, found {}",
                    ch.scheme,
                    cur.describe_here()
                ));
            }
            cur.skip_ows();
            if cur.peek() != Some('=') {
                if ch.params.is_empty() {
                    return Err(format!(
                        "expected '=' after the parameter {name:?} of the {:?} challenge, found {}",
                        ch.scheme,
                        cur.describe_here()
                    ));
                }
                // Not a parameter: the next challenge begins here.
                cur.pos = name_at;
                break;
            }
            cur.pos += 1;
            cur.skip_ows();
            let value = match cur.peek() {
                Some('"') => cur.quoted()?,
                _ => {
                    let v = cur.token();
                    if v.is_empty() {
                        return Err(format!(
                            "the parameter {name:?} has no value (found {})",
                            cur.describe_here()
                        ));
                    }
                    v
                }
            };
            let lname = name.to_ascii_lowercase();
            if ch.params.iter().any(|(k, _)| *k == lname) {
                return Err(format!(
                    "the parameter {lname:?} appears twice in the {:?} challenge",
                    ch.scheme
                ));
            }
            ch.params.push((lname, value));
            cur.skip_ows();
            if cur.at_end() {
                break;
            }
            if cur.peek() != Some(',') {
                return Err(format!(
                    "expected ',' after the value of {name:?}, found {}",
                    cur.describe_here()
                ));
            }
            cur.skip_ows_and_commas();
            if cur.at_end() {
                break;
            }
            // Is the next item a parameter of this challenge or a new challenge?
            let look = cur.pos;
            let next = cur.token();
            cur.skip_ows();
            let is_param = !next.is_empty() && cur.peek() == Some('=');
            cur.pos = look;
            if !is_param {
                break;
            }
        }
        out.push(ch);
    }
    if out.is_empty() {
        return Err("the header is empty".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apim_challenge() {
        let c =
            parse(r#"Bearer resource_metadata="https://h/.well-known/oauth-protected-resource""#)
                .unwrap();
        assert_eq!(c.len(), 1);
        assert!(c[0].is("bearer"));
        assert_eq!(
            c[0].param("Resource_Metadata"),
            Some("https://h/.well-known/oauth-protected-resource")
        );
    }

    #[test]
    fn several_challenges_and_escapes() {
        let c = parse(
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple", Bearer error=invalid_token, scope="a b""#,
        )
        .unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].param("title"), Some(r#"Login to "apps""#));
        assert_eq!(c[0].param("type"), Some("1"));
        assert!(c[1].is("Basic"));
        assert_eq!(c[2].param("error"), Some("invalid_token"));
        assert_eq!(c[2].param("scope"), Some("a b"));
    }

    #[test]
    fn token68_and_bare_schemes() {
        let c = parse("Negotiate abc+/==, Bearer, Basic").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].token68.as_deref(), Some("abc+/=="));
        assert!(c[1].params.is_empty() && c[1].token68.is_none());
    }

    #[test]
    fn bws_around_equals() {
        let c = parse("Bearer realm = \"x\" ,  scope=y").unwrap();
        assert_eq!(c[0].param("realm"), Some("x"));
        assert_eq!(c[0].param("scope"), Some("y"));
    }

    #[test]
    fn malformed_inputs() {
        for bad in [
            "",
            "  ,  ",
            r#"Bearer resource_metadata="https://h"#,
            r#"Bearer realm="a" "b""#,
            "=foo",
            r#"Bearer realm="a", realm="b""#,
            "Bearer\"x\"",
            "Bearer a\u{1}=b",
            "Bearer resource_metadata=\"x\\",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be malformed");
        }
    }

    #[test]
    fn unusual_but_valid() {
        // Unquoted URL values are not tokens ('/' and ':' are not tchar): malformed.
        assert!(parse("Bearer resource_metadata=https://h/x").is_err());
        // Non-ASCII inside a quoted string is obs-text.
        assert_eq!(
            parse("Bearer realm=\"é\"").unwrap()[0].param("realm"),
            Some("é")
        );
    }

    proptest::proptest! {
        /// Total: any input parses or is refused with a sentence, never a panic.
        #[test]
        fn never_panics(input in "\\PC{0,200}") {
            let _ = parse(&input);
        }

        /// A challenge written by the grammar parses back to its parameters.
        #[test]
        fn round_trip(
            scheme in "[A-Za-z][A-Za-z0-9-]{0,10}",
            params in proptest::collection::btree_map("[a-z_]{1,12}", "[ -~]{0,30}", 0..5),
        ) {
            let quoted = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
            let list: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", quoted(v))).collect();
            let header = if list.is_empty() { scheme.clone() } else { format!("{scheme} {}", list.join(", ")) };
            let c = parse(&header).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{header}: {e}")))?;
            proptest::prop_assert_eq!(c.len(), 1);
            for (k, v) in &params {
                proptest::prop_assert_eq!(c[0].param(k), Some(v.as_str()));
            }
        }
    }
}
