//! API key area: the shared-key pattern's Context7 teamspace key, which APIM
//! swaps in for the user's token. A wrong key is not an HTTP error at Context7: the tool
//! call answers "Invalid API key. Please check your API key. API keys should start with
//! 'ctx7sk' prefix." — so its form is worth checking before anything is sent.
//!
//! The key is only ever shown as [`redact::mask_key`] (`ctx7sk…WXYZ`).

use crate::cli::KeyArgs;
use crate::context::{Ctx, Outcome};
use crate::error::Error;
use crate::input;
use crate::report::{Check, redact};

/// The `apikey.*` findings.
pub mod codes {
    crate::declare_findings! {
        FORMAT = "apikey.format" {
            title: "Not a Context7 API key",
            cause: "The value does not start with ctx7sk: Context7 answers HTTP 200 with the tool text \"Invalid API key. Please check your API key. API keys should start with 'ctx7sk' prefix.\"",
            fix: "Generate a key at context7.com/dashboard › API Keys (it starts with ctx7sk) and store it in the APIM named value context7-api-key as a secret.",
            see: "guide-shared-identity: Troubleshooting › Invalid API key. Please check your API key.",
        }
        PLACEHOLDER = "apikey.placeholder" {
            title: "A placeholder instead of a real API key",
            cause: "The value is a placeholder: a literal {{context7-api-key}} (a named value that was never substituted, e.g. used inside a policy expression), <your-api-key> or sample text from the guide.",
            fix: "Put the real key from context7.com/dashboard › API Keys into the APIM named value context7-api-key, and reference it in plain attribute or element text, not inside @(…).",
            see: "guide-shared-identity: Troubleshooting › Invalid API key. Please check your API key.",
        }
    }
}

/// The prefix every Context7 API key starts with.
pub const KEY_PREFIX: &str = "ctx7sk";

/// Words that mark sample or placeholder text rather than a generated key.
const SAMPLE_WORDS: &[&str] = &[
    "your-api-key",
    "your_api_key",
    "yourapikey",
    "your-key",
    "your_key",
    "api-key-here",
    "apikeyhere",
    "key-here",
    "insert",
    "replace",
    "changeme",
    "change-me",
    "placeholder",
    "example",
    "sample",
    "dummy",
    "redacted",
    "todo",
    "xxxx",
    "....",
    "…",
];

/// `apikey` checks on a key as received (surrounding whitespace is trimmed and reported).
/// Reused by `probe` and `policy`.
pub fn check_key(key: &str) -> Vec<Check> {
    let trimmed = key.trim();
    let masked = redact::mask_key(trimmed);
    let mut checks = Vec::with_capacity(3);

    let ws = Check::new("apikey.whitespace", "No whitespace in the key");
    let inner = trimmed.char_indices().find(|(_, c)| c.is_whitespace());
    checks.push(match inner {
        Some((i, c)) => ws.fail(
            codes::FORMAT,
            format!(
                "the key contains {} at character {}: it was wrapped or pasted with a break — \
                 Context7 compares the key exactly",
                describe_ws(c),
                trimmed[..i].chars().count() + 1
            ),
        ),
        None if trimmed.len() != key.len() => ws.pass(format!(
            "surrounding whitespace trimmed ({} characters, e.g. a trailing newline from a \
             file or echo) — make sure the APIM named value holds none",
            key.chars().count() - trimmed.chars().count()
        )),
        None => ws.pass("no whitespace"),
    });

    let fmt = Check::new(codes::FORMAT.code, "Key has the Context7 form (ctx7sk…)")
        .evidence("key", masked.clone());
    checks.push(format_check(fmt, trimmed));

    let ph = Check::new(
        codes::PLACEHOLDER.code,
        "Key is a real key, not a placeholder or sample",
    );
    checks.push(match placeholder(trimmed) {
        Some(why) => ph.fail(codes::PLACEHOLDER, why),
        None => ph.pass("no placeholder, named-value reference or sample text"),
    });
    checks
}

fn describe_ws(c: char) -> &'static str {
    match c {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        ' ' => "a space",
        _ => "a whitespace character",
    }
}

fn format_check(c: Check, key: &str) -> Check {
    const REJECTED: &str = "Context7 answers \"Invalid API key. Please check your API key. API \
                            keys should start with 'ctx7sk' prefix.\"";
    if key.is_empty() {
        return c.fail(codes::FORMAT, "the key is empty");
    }
    if let Some(rest) = key.strip_prefix(KEY_PREFIX) {
        let odd = rest
            .chars()
            .find(|ch| !(ch.is_ascii_alphanumeric() || *ch == '-' || *ch == '_'));
        if let Some(ch) = odd.filter(|ch| !ch.is_whitespace()) {
            return c.fail(
                codes::FORMAT,
                format!(
                    "starts with {KEY_PREFIX} but contains {ch:?}: keys are letters, digits, '-' \
                     and '_' — it was altered or is quoted"
                ),
            );
        }
        if key.chars().count() < 20 {
            return c.fail(
                codes::FORMAT,
                format!(
                    "starts with {KEY_PREFIX} but is only {} characters: truncated",
                    key.chars().count()
                ),
            );
        }
        return c.pass(format!(
            "{} ({} characters)",
            redact::mask_key(key),
            key.chars().count()
        ));
    }
    let lower = key.to_ascii_lowercase();
    let what = if lower.starts_with(KEY_PREFIX) {
        format!("it starts with {KEY_PREFIX} in another case: the prefix is lower-case")
    } else if key.starts_with("eyJ") && key.split('.').count() == 3 {
        "it is a JWT, not an API key: the shared-key pattern sends Context7 a ctx7sk key \
         (tokens belong to the passthrough and obo patterns)"
            .to_string()
    } else if crate::token::decode::is_guid(key) {
        "it is a GUID (an app, tenant or object ID), not an API key".to_string()
    } else if key.len() == 32 && key.chars().all(|ch| ch.is_ascii_hexdigit()) {
        "it looks like an APIM subscription key (32 hex digits), not a Context7 key".to_string()
    } else {
        format!("it does not start with {KEY_PREFIX}")
    };
    c.fail(codes::FORMAT, format!("{what}; {REJECTED}"))
}

/// Why the key is a placeholder, if it is one. Never quotes the key itself.
fn placeholder(key: &str) -> Option<String> {
    if let Some(start) = key.find("{{") {
        let name: String = key[start + 2..]
            .split("}}")
            .next()
            .unwrap_or("")
            .trim()
            .chars()
            .take(64)
            .collect();
        return Some(format!(
            "an unsubstituted APIM named-value reference ({{{{…}}}} around `{name}`): APIM \
             substitutes named values only in plain policy text — not inside @(…) / @{{…}} \
             expressions or CDATA — or the named value does not exist"
        ));
    }
    if key.contains('<') && key.contains('>') {
        return Some("an unfilled <…> placeholder from a template or guide".into());
    }
    if key.contains("${") || key.contains("$(") || (key.starts_with('%') && key.ends_with('%')) {
        return Some(
            "an unexpanded shell or environment-variable reference, not a key value".into(),
        );
    }
    let lower = key.to_ascii_lowercase();
    if let Some(w) = SAMPLE_WORDS.iter().find(|w| lower.contains(*w)) {
        return Some(format!(
            "sample text (contains \"{w}\"), not a generated key: paste the key from \
             context7.com/dashboard"
        ));
    }
    let body = lower.strip_prefix(KEY_PREFIX).unwrap_or(&lower);
    let body = body.trim_start_matches(['-', '_']);
    let mut chars = body.chars().filter(|c| *c != '-' && *c != '_');
    if let Some(first) = chars.next()
        && body.len() >= 4
        && chars.all(|c| c == first)
    {
        return Some(format!(
            "a filler key (one character repeated: {first:?}), the form of a sample in docs"
        ));
    }
    None
}

/// `c7doctor key`.
pub fn command(ctx: &Ctx, args: &KeyArgs) -> Result<Outcome, Error> {
    let raw = input::read_secret(
        args.key.as_deref(),
        args.key_file.as_deref(),
        "C7DOCTOR_API_KEY",
    )?
    .ok_or_else(|| {
        Error::usage(
            "no API key: pipe it on stdin, pass --key-file FILE, set C7DOCTOR_API_KEY, or give \
             it as an argument (`-` reads stdin)",
        )
    })?;
    let mut report = ctx.report("key");
    report.context("key_source", raw.origin.describe());
    match std::str::from_utf8(&raw.bytes) {
        Ok(text) => {
            redact::register_secret(text.trim());
            report.context("api_key", redact::mask_key(text.trim()));
            report.extend(check_key(text));
        }
        Err(_) => {
            report.push(
                Check::new(codes::FORMAT.code, "Key has the Context7 form (ctx7sk…)").fail(
                    codes::FORMAT,
                    format!(
                        "the input is not UTF-8 text ({} bytes of binary data): not a key",
                        raw.bytes.len()
                    ),
                ),
            );
        }
    }
    Ok(report.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;

    fn codes(key: &str) -> Vec<(String, Status, Option<crate::findings::Code>)> {
        check_key(key)
            .into_iter()
            .map(|c| (c.id, c.status, c.code))
            .collect()
    }

    fn failed(key: &str) -> Vec<crate::findings::Code> {
        check_key(key).into_iter().filter_map(|c| c.code).collect()
    }

    #[test]
    fn real_looking_key_passes() {
        let all = codes("ctx7sk-3f9a1c2b-77de-4e10-9b55-0a1b2c3d4e5f\n");
        assert!(all.iter().all(|(_, s, _)| *s == Status::Pass), "{all:?}");
    }

    #[test]
    fn bad_keys_get_codes() {
        assert_eq!(failed("sk-abcdef0123456789abcdef"), vec![codes::FORMAT]);
        assert_eq!(
            failed("{{context7-api-key}}"),
            vec![codes::FORMAT, codes::PLACEHOLDER]
        );
        assert_eq!(
            failed("<your-context7-api-key>"),
            vec![codes::FORMAT, codes::PLACEHOLDER]
        );
        assert_eq!(
            failed("ctx7sk-xxxxxxxxxxxxxxxxxxxx"),
            vec![codes::PLACEHOLDER]
        );
        assert_eq!(
            failed("ctx7sk-your-api-key-here-123"),
            vec![codes::PLACEHOLDER]
        );
        assert_eq!(
            failed("ctx7sk-3f9a1c2b77de\n4e109b550a1b2c3d"),
            vec![codes::FORMAT]
        );
        assert_eq!(
            failed("CTX7SK-3f9a1c2b77de4e109b550a1b2c3d"),
            vec![codes::FORMAT]
        );
        assert_eq!(failed("ctx7sk-abc"), vec![codes::FORMAT]);
    }

    #[test]
    fn details_never_quote_the_key() {
        let key = "ctx7sk-3f9a1c2b77de4e109b550a1b2c3dWXYZ";
        for c in check_key(key) {
            assert!(!c.detail.contains(key));
            assert!(!serde_json::to_string(&c.evidence).unwrap().contains(key));
        }
    }
}
