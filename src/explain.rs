//! `c7doctor explain [CODE]`: print a catalog entry — the cause, the fix and the guide
//! section — for a finding code or an Entra error number (`AADSTS65001`, `65001`).
//! Without an argument, list every code grouped by family. An unknown code is a usage
//! error (exit 2) that suggests the closest codes.

use crate::catalog;
use crate::error::Error;
use crate::findings::Code;

/// What each family of codes is about, in catalog order.
const FAMILIES: &[(&str, &str)] = &[
    ("config", "c7doctor's own configuration"),
    ("run", "how the run went"),
    (
        "token",
        "the JWT a client sends the gateway, or the gateway sends Context7",
    ),
    ("apikey", "the Context7 API key (shared-key pattern)"),
    (
        "discovery",
        "the gateway's OAuth discovery surface and Entra's tenant metadata",
    ),
    (
        "entra",
        "errors from Entra ID's token endpoint (device code, OBO)",
    ),
    (
        "mcp",
        "the MCP handshake and tool calls through the gateway",
    ),
    ("sse", "the integrity of the Server-Sent Events stream"),
    ("policy", "the APIM policy XML and diagnostics settings"),
    (
        "apps",
        "the two Entra app registrations and the permission chain between them",
    ),
];

pub fn command(code: Option<&str>) -> Result<i32, Error> {
    match code {
        None => {
            crate::output::stdout(list().as_bytes())?;
            Ok(0)
        }
        Some(q) => {
            crate::output::stdout(explain(q)?.as_bytes())?;
            Ok(0)
        }
    }
}

/// What a pasted query names: a code or number as typed, else the Entra error it quotes — a
/// whole Entra error JSON (its `error_codes`, then the AADSTS number in `error_description`)
/// or a pasted line such as `AADSTS50011: The redirect URI …`.
fn normalise(query: &str) -> String {
    let q = query.trim();
    if catalog::lookup(q).is_some() {
        return q.to_string();
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(q) {
        let first = v
            .get("error_codes")
            .and_then(|c| c.as_array())
            .and_then(|a| a.first())
            .and_then(|n| n.as_u64());
        if let Some(n) = first {
            return format!("AADSTS{n}");
        }
        if let Some(n) = v
            .get("error_description")
            .and_then(|d| d.as_str())
            .and_then(crate::entra::errors::aadsts_in)
        {
            return format!("AADSTS{n}");
        }
    }
    match crate::entra::errors::aadsts_in(q) {
        Some(n) => format!("AADSTS{n}"),
        None => q.to_string(),
    }
}

/// The text `explain QUERY` prints, or the usage error for an unknown query.
pub fn explain(query: &str) -> Result<String, Error> {
    let normalised = normalise(query);
    let query = normalised.as_str();
    match catalog::lookup(query) {
        Some(e) => Ok(format_entry(e, query)),
        None => {
            let close = suggestions(query);
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", close.join(", "))
            };
            Err(Error::usage(format!(
                "unknown code {:?}{hint} (run `c7doctor explain` for the list of codes)",
                query.trim()
            )))
        }
    }
}

/// Every code, grouped by family, one line each.
pub fn list() -> String {
    let width = catalog::all().map(|e| e.code.len()).max().unwrap_or(0);
    let mut families: Vec<&str> = Vec::new();
    for e in catalog::all() {
        let fam = e.family();
        if !families.contains(&fam) {
            families.push(fam);
        }
    }
    let mut s = String::new();
    for fam in families {
        let about = FAMILIES
            .iter()
            .find(|(f, _)| *f == fam)
            .map(|(_, a)| format!(" — {a}"))
            .unwrap_or_default();
        s.push_str(&format!("{fam}{about}\n"));
        for e in catalog::all().filter(|e| e.family() == fam) {
            let aadsts = if e.aadsts.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = e.aadsts.iter().map(|n| n.to_string()).collect();
                format!(" (AADSTS {})", list.join(", "))
            };
            s.push_str(&format!("  {:<width$}  {}{aadsts}\n", e.code, e.title));
        }
        s.push('\n');
    }
    s.push_str(
        "c7doctor explain CODE prints the cause and the fix; CODE may also be an AADSTS number.\n",
    );
    s
}

pub fn format_entry(e: Code, query: &str) -> String {
    // No configuration and no check here: every placeholder shows its display form.
    let fix = crate::findings::display_form(e.fix);
    let mut s = format!(
        "{} — {}\n\nCause: {}\nFix:   {}\n",
        e.code, e.title, e.cause, fix
    );
    if !e.see.is_empty() {
        s.push_str(&format!("See:   {}\n", e.see));
    }
    if !e.aadsts.is_empty() {
        let list: Vec<String> = e.aadsts.iter().map(|n| format!("AADSTS{n}")).collect();
        s.push_str(&format!("Entra: {}\n", list.join(", ")));
    }
    let q = query.trim();
    let lower = q.to_ascii_lowercase();
    let digits = lower.strip_prefix("aadsts").unwrap_or(&lower);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        if e == crate::entra::codes::UNKNOWN_ERROR {
            s.push_str(&format!(
                "({q} is not in c7doctor's catalog: the advice above is general)\n"
            ));
        } else {
            s.push_str(&format!("(looked up from {q})\n"));
        }
    }
    s
}

/// Up to three codes close to what was typed: containing it, contained in it, or within
/// a small edit distance of the code or of its name without the family.
pub fn suggestions(query: &str) -> Vec<&'static str> {
    let q = query.trim().to_ascii_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &'static str)> = catalog::all()
        .filter_map(|e| {
            let name = e.code.split_once('.').map(|(_, n)| n).unwrap_or(e.code);
            let d = edit_distance(&q, e.code).min(edit_distance(&q, name));
            let limit = (q.chars().count() / 3).clamp(1, 4);
            if q.len() >= 3 && (e.code.contains(&q) || (q.contains(name) && name.len() >= 4)) {
                Some((0, e.code))
            } else if d <= limit {
                Some((d, e.code))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_groups_codes_by_family() {
        let l = list();
        let token = l.find("\ntoken — ").expect("token family header");
        let entra = l.find("\nentra — ").expect("entra family header");
        assert!(token < entra);
        let issuer = l.find(crate::token::codes::ISSUER_V1.code).unwrap();
        assert!(token < issuer && issuer < entra);
        for e in catalog::all() {
            assert!(l.contains(e.code), "{} not listed", e.code);
        }
    }

    #[test]
    fn pasted_entra_lines_and_json_are_understood() {
        let line = explain("AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.").unwrap();
        assert!(
            line.starts_with(crate::entra::codes::RESOURCE_PARAMETER.code),
            "{line}"
        );
        let json = r#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented.","error_codes":[65001],"suberror":"consent_required"}"#;
        assert!(
            explain(json)
                .unwrap()
                .starts_with(crate::entra::codes::CONSENT_REQUIRED.code)
        );
        let no_codes = r#"{"error":"invalid_grant","error_description":"AADSTS7000222: The provided client secret keys are expired."}"#;
        assert!(
            explain(no_codes)
                .unwrap()
                .starts_with(crate::entra::codes::SECRET_EXPIRED.code)
        );
        assert!(explain("no such thing").is_err());
    }

    /// `explain AADSTS9010010` and discovery's resource finding give the same APIM policy.
    #[test]
    fn the_resource_fix_is_one_text() {
        let policy = crate::discovery::codes::STRIP_RESOURCE_POLICY;
        assert!(explain("AADSTS9010010").unwrap().contains(policy));
        assert!(
            explain(crate::discovery::codes::RESOURCE_REJECTED.code)
                .unwrap()
                .contains(policy)
        );
    }

    #[test]
    fn every_family_is_described() {
        for e in catalog::all() {
            let fam = e.family();
            assert!(
                FAMILIES.iter().any(|(f, _)| *f == fam),
                "family {fam} has no description"
            );
        }
    }

    #[test]
    fn typos_suggest_the_closest_codes() {
        assert_eq!(
            suggestions("token.issuer-v2").first(),
            Some(&crate::token::codes::ISSUER_V1.code)
        );
        assert_eq!(
            suggestions("issuer-v1").first(),
            Some(&crate::token::codes::ISSUER_V1.code)
        );
        assert!(suggestions("consent").contains(&crate::entra::codes::CONSENT_REQUIRED.code));
        assert!(suggestions("qqqqqqqqqqqqqqqq").is_empty());
    }

    #[test]
    fn unknown_code_is_a_usage_error_with_suggestions() {
        let err = explain("token.expird").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains(crate::token::codes::EXPIRED.code),
            "{err}"
        );
    }

    #[test]
    fn aadsts_lookup_is_labelled() {
        let s = explain("AADSTS65001").unwrap();
        assert!(s.starts_with(crate::entra::codes::CONSENT_REQUIRED.code));
        assert!(s.contains("(looked up from AADSTS65001)"));
        let s = explain("AADSTS1234567").unwrap();
        assert!(s.starts_with(crate::entra::codes::UNKNOWN_ERROR.code));
        assert!(s.contains("not in c7doctor's catalog"));
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
