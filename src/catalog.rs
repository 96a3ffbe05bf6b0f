//! The finding catalog (DESIGN.md §5, a contract): every code c7doctor can report, with its
//! title, cause, fix and the guide section it comes from. `c7doctor explain CODE` prints an
//! entry; `explain AADSTS65001` finds the entry for an Entra error number.
//!
//! A check decides *whether* a code applies (search the code in `src/` to find where); this
//! table says what it means. Checks may replace the fix with one naming configured values.

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// `family.name`, e.g. `token.issuer-v1`.
    pub code: &'static str,
    /// One line: what is wrong.
    pub title: &'static str,
    /// Why it happens, in the guides' terms.
    pub cause: &'static str,
    /// What to change, and where.
    pub fix: &'static str,
    /// Guide section (`guide-per-user-obo: Troubleshooting › …`), or a public spec.
    pub see: &'static str,
    /// Entra AADSTS numbers that map to this code.
    pub aadsts: &'static [u32],
}

const fn e(
    code: &'static str,
    title: &'static str,
    cause: &'static str,
    fix: &'static str,
    see: &'static str,
) -> Entry {
    Entry {
        code,
        title,
        cause,
        fix,
        see,
        aadsts: &[],
    }
}

const fn ea(
    code: &'static str,
    aadsts: &'static [u32],
    title: &'static str,
    cause: &'static str,
    fix: &'static str,
    see: &'static str,
) -> Entry {
    Entry {
        code,
        title,
        cause,
        fix,
        see,
        aadsts,
    }
}

pub static ENTRIES: &[Entry] = &[
    // ---- config ----
    e(
        "config.missing",
        "A value this check needs is not configured",
        "The check compares against a value (tenant, app ID, host) that was not given.",
        "Set the option named in the detail (flag, C7DOCTOR_* variable or c7doctor.toml).",
        "",
    ),
    e(
        "config.invalid",
        "A configured value has the wrong form",
        "An app ID that is not a GUID, a host that is not a host name or URL, or similar.",
        "Correct the value named in the detail; app IDs are the GUIDs shown as 'Application (client) ID' in Entra admin center › App registrations.",
        "",
    ),
    e(
        "run.prerequisite-failed",
        "Not run: an earlier step it depends on failed",
        "This step needs the result of an earlier step, which failed or was skipped.",
        "Fix the earlier failure first; this step runs again once it passes.",
        "",
    ),
    ea(
        "entra.unknown-error",
        &[],
        "Entra returned an error c7doctor has no specific advice for",
        "The token endpoint answered with an AADSTS code not in c7doctor's catalog.",
        "Read Entra's description in the evidence and look the code up in Microsoft's AADSTS error reference; quote trace_id and correlation_id to Microsoft support.",
        "",
    ),
];

/// The entry for a code.
pub fn get(code: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.code == code)
}

/// The entry an AADSTS number maps to.
pub fn by_aadsts(number: u32) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.aadsts.contains(&number))
}

/// Look up what a user typed: a code (`token.issuer-v1`), or an Entra error
/// (`AADSTS65001`, `aadsts65001`, `65001`). Unknown AADSTS numbers give `entra.unknown-error`.
pub fn lookup(query: &str) -> Option<&'static Entry> {
    let q = query.trim();
    if let Some(entry) = get(q) {
        return Some(entry);
    }
    let lower = q.to_ascii_lowercase();
    let digits = lower.strip_prefix("aadsts").unwrap_or(&lower);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let n: u32 = digits.parse().ok()?;
        return by_aadsts(n).or_else(|| get("entra.unknown-error"));
    }
    None
}
