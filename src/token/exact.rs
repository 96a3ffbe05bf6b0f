//! Exact comparison, as Context7 makes it (FACTS.md, "Context7's MCP server 4.x"): its issuer
//! pattern is lower-case and has no port, the teamspace is looked up by the `aud` string,
//! `scp` is split on single spaces, and users are found by `oid`. Entra writes each of these
//! claims in one exact form, so a value that equals the expected one only when compared
//! loosely — case, a default `:443`, a no-break space between scopes, an invisible character
//! — is `token.inexact-match`, never a pass.
//!
//! The finding is a failure where Context7 receives the token (obo's backend hop,
//! passthrough) and a warning on the hop only APIM sees, whose own comparison c7doctor does
//! not model exactly. Invisible or non-ASCII characters are spelled out code point by code
//! point ([`written`], in the output sanitiser's `\u{202e}` notation), because printed
//! plainly the value looks like the expected one.

use super::Expect;
use super::codes;
use super::decode::is_guid;
use crate::deployment::Hop;
use crate::report::sanitize::{is_hidden, spell_out};
use crate::report::{Check, Status};

/// `c` as the inexact-match finding for this hop, with `detail` and the sentence that
/// says what Context7 does with it.
pub fn inexact(c: Check, exp: &Expect, hop: Hop, detail: String) -> Check {
    let (status, consequence) = if exp.pattern.context7_receives(hop) {
        (
            Status::Fail,
            "Context7 compares exactly and refuses this token",
        )
    } else {
        (
            Status::Warn,
            "this token goes to APIM only, whose comparison c7doctor does not know exactly; \
             Entra never writes the claim this way, and Context7, which compares exactly, \
             would refuse it",
        )
    };
    c.finding(
        status,
        codes::INEXACT_MATCH,
        format!("{detail} — {consequence}"),
    )
}

/// A GUID with upper-case letters: Entra writes GUIDs in lower case.
pub fn upper_case_guid(value: &str) -> bool {
    is_guid(value) && value.bytes().any(|b| b.is_ascii_uppercase())
}

/// The characters of `value` that Entra never writes in an identifier (hidden or non-ASCII),
/// as `U+202E`, each once, in order.
pub fn odd_characters(value: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for c in value.chars() {
        if is_hidden(c) || !c.is_ascii() {
            let name = format!("U+{:04X}", c as u32);
            if !seen.contains(&name) {
                seen.push(name);
            }
        }
    }
    seen
}

/// `value` with every character but printable ASCII written as its code point, the way the
/// output sanitiser escapes hidden ones (`openid\u{a0}mcp.access`), so that a no-break space
/// or a bidi override shows wherever the detail is read.
pub fn written(value: &str) -> String {
    spell_out(value, |c| format!("\\u{{{:x}}}", c as u32))
}

/// Why an identifier (`oid`, a tenant or app GUID) is not in Entra's exact form, or `None`.
pub fn identifier_spelling(value: &str) -> Option<String> {
    let odd = odd_characters(value);
    if !odd.is_empty() {
        return Some(format!(
            "it holds {}, which Entra never writes in an identifier: {}",
            odd.join(", "),
            written(value)
        ));
    }
    upper_case_guid(value).then(|| {
        format!(
            "a GUID with upper-case letters ({value}): Entra writes {} in lower case",
            value.to_ascii_lowercase()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_in_entras_form_pass() {
        assert_eq!(
            identifier_spelling("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"),
            None
        );
        assert_eq!(identifier_spelling("not-a-guid"), None);
        let upper = identifier_spelling("9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D").unwrap();
        assert!(
            upper.contains("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"),
            "{upper}"
        );
        let rlo = identifier_spelling("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b\u{202e}7c6d").unwrap();
        assert!(rlo.contains("U+202E"), "{rlo}");
        assert!(rlo.contains("9a8b\\u{202e}7c6d"), "{rlo}");
        assert_eq!(written("a\u{a0}b c"), "a\\u{a0}b c");
        assert_eq!(
            odd_characters("a\u{a0}b\u{a0}c\u{200b}"),
            ["U+00A0", "U+200B"]
        );
    }
}
