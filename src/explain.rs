//! `c7doctor explain CODE`: print a catalog entry (or list all).

use crate::catalog;
use crate::error::Error;

pub fn command(code: Option<&str>) -> Result<i32, Error> {
    let Some(q) = code else {
        for e in catalog::ENTRIES {
            println!("{:<36} {}", e.code, e.title);
        }
        return Ok(0);
    };
    match catalog::lookup(q) {
        Some(e) => {
            println!("{}", format_entry(e, q));
            Ok(0)
        }
        None => Err(Error::usage(format!(
            "unknown code {q:?}: run `c7doctor explain` for the list of codes"
        ))),
    }
}

pub fn format_entry(e: &catalog::Entry, query: &str) -> String {
    let mut s = format!(
        "{} — {}\n\nCause: {}\nFix:   {}\n",
        e.code, e.title, e.cause, e.fix
    );
    if !e.see.is_empty() {
        s.push_str(&format!("See:   {}\n", e.see));
    }
    if !e.aadsts.is_empty() {
        let list: Vec<String> = e.aadsts.iter().map(|n| format!("AADSTS{n}")).collect();
        s.push_str(&format!("Entra: {}\n", list.join(", ")));
    }
    if query.to_ascii_lowercase().contains("aadsts") || query.chars().all(|c| c.is_ascii_digit()) {
        s.push_str(&format!("(looked up from {query})\n"));
    }
    s
}
