//! The finding catalog (DESIGN.md §5, a contract), assembled from the areas' declarations.
//!
//! Each area declares its codes beside its checks (`token::codes`, `discovery::codes`, …,
//! see [`crate::findings`]); this module only lists the areas, so adding a finding never
//! touches it. `c7doctor explain CODE` prints an entry; `explain AADSTS65001` finds the entry
//! owning that Entra error number.

use crate::findings::Code;

/// Every area's declarations, in the order `explain --list` and the tests read them.
const AREAS: &[&[Code]] = &[
    crate::config::codes::ALL,
    crate::report::codes::ALL,
    crate::token::codes::ALL,
    crate::apikey::codes::ALL,
    crate::discovery::codes::ALL,
    crate::entra::codes::ALL,
    crate::mcp::codes::ALL,
    crate::policy::codes::ALL,
    crate::apps::codes::ALL,
];

/// Every declared finding.
pub fn all() -> impl Iterator<Item = Code> {
    AREAS.iter().flat_map(|area| area.iter().copied())
}

/// The declaration of a code (`token.issuer-v1`), if there is one.
pub fn get(code: &str) -> Option<Code> {
    all().find(|e| e.code == code)
}

/// The entry an AADSTS number maps to. Each number belongs to one entry; where Entra uses one
/// number for several causes (AADSTS50013: bad signature, audience or expiry of an OBO
/// assertion) this returns the general entry (`entra.invalid-assertion`) and the error mapper
/// in `entra` refines it by the description (an audience message gives `entra.obo-audience`).
pub fn by_aadsts(number: u32) -> Option<Code> {
    all().find(|e| e.aadsts.contains(&number))
}

/// Look up what a user typed: a code (`token.issuer-v1`, any case), or an Entra error
/// (`AADSTS65001`, `aadsts65001`, `65001`). Unknown AADSTS numbers give `entra.unknown-error`.
pub fn lookup(query: &str) -> Option<Code> {
    let lower = query.trim().to_ascii_lowercase();
    if let Some(entry) = get(&lower) {
        return Some(entry);
    }
    let digits = lower.strip_prefix("aadsts").unwrap_or(&lower);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return digits
            .parse::<u32>()
            .ok()
            .and_then(by_aadsts)
            .or(Some(crate::entra::codes::UNKNOWN_ERROR));
    }
    None
}
