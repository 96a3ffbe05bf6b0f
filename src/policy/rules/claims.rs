//! `<required-claims>` that no token can satisfy (`policy.required-claims-impossible`):
//! two different values under `match="all"` for a claim Entra issues once (`tid`, `oid`,
//! `azp`, `ver`, …), a claim required to equal a time (`exp`, `nbf`, `iat`: a new value on
//! every token), or a `tid` other than the tenant `validate-azure-ad-token` validates for.
//! Every request is then refused with 401 although the token is right.

use roxmltree::Node;

use crate::config::is_guid;
use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::is_dynamic;
use crate::policy::lint::Lint;
use crate::policy::xml::{self, attr, descendants_named, text_of};

/// Claims an Entra token carries at most once, with one value.
const SINGLE_VALUED: &[&str] = &[
    "aud",
    "iss",
    "tid",
    "oid",
    "sub",
    "azp",
    "appid",
    "ver",
    "idtyp",
    "upn",
    "preferred_username",
    "unique_name",
    "email",
    "name",
    "ipaddr",
    "uti",
    "http://schemas.microsoft.com/identity/claims/tenantid",
    "http://schemas.microsoft.com/identity/claims/objectidentifier",
];

/// Claims that hold a time, different on every token.
const TIMES: &[&str] = &["exp", "nbf", "iat", "auth_time"];

pub fn check(l: &Lint) -> Vec<Check> {
    if l.f.kind.is_proxy() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for v in &l.f.validations {
        out.extend(claims_of(l, *v));
    }
    out
}

fn new() -> Check {
    Check::new(
        "policy.required-claims",
        "A token can satisfy the required claims",
    )
}

fn claims_of(l: &Lint, v: Node) -> Vec<Check> {
    let Some(rc) = descendants_named(v, "required-claims").next() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut count = 0;
    for claim in xml::children_named(rc, "claim") {
        count += 1;
        let Some(name) = attr(claim, "name") else {
            continue;
        };
        let values: Vec<String> = xml::children_named(claim, "value")
            .map(|n| text_of(n).trim().to_string())
            .filter(|s| !s.is_empty() && !is_dynamic(s))
            .collect();
        let all = attr(claim, "match").unwrap_or("all") == "all";
        let lower = name.to_ascii_lowercase();
        let mut distinct: Vec<&str> = Vec::new();
        for s in &values {
            if !distinct.iter().any(|d| d.eq_ignore_ascii_case(s)) {
                distinct.push(s);
            }
        }
        let problem = if TIMES.contains(&lower.as_str()) && !values.is_empty() {
            Some(format!(
                "<claim name=\"{name}\"> requires {name} to equal {}: {name} is a time, different on every token, so no token passes",
                values.join(", ")
            ))
        } else if all && distinct.len() > 1 && SINGLE_VALUED.contains(&lower.as_str()) {
            Some(format!(
                "<claim name=\"{name}\" match=\"all\"> requires the values {} at once, but a token carries one {name}: no token passes. Use match=\"any\" if any of them may pass",
                distinct.join(", ")
            ))
        } else if (lower == "tid" || lower.ends_with("/tenantid"))
            && let Some(t) = attr(v, "tenant-id").map(str::trim)
            && is_guid(t)
            && !values.is_empty()
            && values
                .iter()
                .all(|s| is_guid(s) && !s.eq_ignore_ascii_case(t))
        {
            Some(format!(
                "<claim name=\"{name}\"> requires {} but the policy validates tokens of tenant {t}: no token has both",
                values.join(", ")
            ))
        } else {
            None
        };
        if let Some(detail) = problem {
            out.push(
                l.at_node(new().fail(codes::REQUIRED_CLAIMS_IMPOSSIBLE, detail), claim)
                    .evidence("claim", name.to_string()),
            );
        }
    }
    if out.is_empty() && count > 0 {
        out.push(l.at_node(
            new().pass(format!("{count} required claim(s), each satisfiable")),
            rc,
        ));
    }
    out
}
