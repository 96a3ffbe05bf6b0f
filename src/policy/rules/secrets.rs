//! Secrets written in the policy (`policy.secret-inline`), always shown masked.
//!
//! The shapes found by their form anywhere in the text are in [`crate::policy::secrets`];
//! this rule adds what only the structure reveals: a literal in a secret-named variable, a
//! literal API-key, subscription-key, function-key or `Authorization` header value, a
//! basic-auth or certificate password, a symmetric signing or decryption key in
//! `validate-jwt`.

use roxmltree::Node;

use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::KEY_HEADERS;
use crate::policy::lint::{Lint, MAX_FINDINGS};
use crate::policy::secrets::{SecretHit, hit, is_literal_secret, old_entra_secret};
use crate::policy::source::Source;
use crate::policy::xml::{self, attr, is_expression, text_of};

/// Other headers whose value is a credential.
const CREDENTIAL_HEADERS: &[&str] = &["ocp-apim-subscription-key", "x-functions-key"];

/// Secrets the structure reveals, not already found by their form.
pub fn structural(l: &Lint) -> Vec<SecretHit> {
    let mut out: Vec<SecretHit> = Vec::new();
    let at_attr = |n: Node, name: &str, needle: &str| l.esc.orig(l.find_in_attr(n, name, needle));
    for el in l.elements() {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        match xml::name(el) {
            "set-variable" => {
                let name = attr(el, "name").unwrap_or("").to_ascii_lowercase();
                let secretish = ["secret", "password", "apikey", "api-key", "api_key"]
                    .iter()
                    .any(|w| name.contains(w))
                    || name.ends_with("key");
                if let Some(v) = attr(el, "value")
                    && (secretish || old_entra_secret(v))
                    && is_literal_secret(v)
                {
                    let v = v.trim();
                    let what = if old_entra_secret(v) {
                        "an old-format Entra client secret in a set-variable"
                    } else {
                        "a secret in a set-variable"
                    };
                    out.push(hit(at_attr(el, "value", v), v, what));
                }
            }
            "set-header" => {
                let name = attr(el, "name").unwrap_or("").to_ascii_lowercase();
                for v in xml::children_named(el, "value") {
                    let text = text_of(v);
                    let t = text.trim();
                    let literal = if KEY_HEADERS.contains(&name.as_str())
                        || CREDENTIAL_HEADERS.contains(&name.as_str())
                    {
                        Some(t)
                    } else if name == "authorization" {
                        t.strip_prefix("Bearer ")
                            .or_else(|| t.strip_prefix("bearer "))
                            .or_else(|| t.strip_prefix("Basic "))
                            .map(str::trim)
                    } else {
                        None
                    };
                    if let Some(lit) = literal
                        && !is_expression(t)
                        && is_literal_secret(lit)
                    {
                        out.push(hit(
                            l.esc.orig(l.find_in_content(v, lit)),
                            lit,
                            "a literal credential in a header",
                        ));
                    }
                }
            }
            "authentication-basic" | "authentication-certificate" => {
                if let Some(p) = attr(el, "password")
                    && is_literal_secret(p)
                {
                    let p = p.trim();
                    out.push(hit(at_attr(el, "password", p), p, "a literal password"));
                }
            }
            "key"
                if el.parent().is_some_and(|p| {
                    matches!(xml::name(p), "issuer-signing-keys" | "decryption-keys")
                }) =>
            {
                // Text content is a symmetric key (base64); RSA keys are attributes n/e and
                // certificates are referenced by id: neither is secret.
                let k = text_of(el);
                let k = k.trim();
                if k.len() >= 16 && is_literal_secret(k) {
                    out.push(hit(
                        l.esc.orig(l.find_in_content(el, k)),
                        k,
                        "a symmetric signing key in validate-jwt",
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// Locations listed for the secrets of one file (all of them are counted).
const MAX_LISTED: usize = 50;

/// One failing check for all the secrets of a file (every place in its evidence), or a
/// pass. Built merged: a file of thousands of secrets costs fifty locations, not thousands.
pub fn secret_checks(src: &Source, hits: &[SecretHit]) -> Vec<Check> {
    let new = || Check::new("policy.secrets", "No secret is written in the policy");
    let Some(first) = hits.first() else {
        return vec![src.whole(new().pass("no API key, client secret, password or token literal"))];
    };
    let more = hits.len() - 1;
    let detail = if more == 0 {
        format!(
            "{} is written inline: {} (shown masked)",
            first.what, first.shown
        )
    } else {
        format!(
            "{} is written inline: {} (shown masked), and {more} more secret{} (see locations)",
            first.what,
            first.shown,
            if more == 1 { "" } else { "s" }
        )
    };
    let mut c = src
        .at(new().fail(codes::SECRET_INLINE, detail), first.offset)
        .evidence("secret", first.shown.clone());
    if more > 0 {
        let mut kinds: Vec<&str> = Vec::new();
        for h in hits {
            if !kinds.contains(&h.what) {
                kinds.push(h.what);
            }
        }
        let locations: Vec<String> = hits
            .iter()
            .take(MAX_LISTED)
            .map(|h| src.location(h.offset))
            .collect();
        c = c
            .evidence("count", hits.len())
            .evidence("locations", locations)
            .evidence("kinds", kinds);
    }
    vec![c]
}

pub fn check(l: &Lint) -> Vec<Check> {
    secret_checks(l.src, l.secrets)
}
