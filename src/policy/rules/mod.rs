//! The `policy.*` rules (DESIGN.md §5), one module per rule or rule family. Each is a
//! function from the rule context ([`super::lint::Lint`]) to its checks; the order they run
//! in is the list in [`super::RULES`].
//!
//! Every rule reports the exact place to change: each finding's evidence has `location`
//! (`file:line:column`), `line`, `column` and the `snippet` of that line (secrets masked).
//! A rule that applies and finds nothing wrong reports a `pass`, so the report shows what
//! was checked; a rule that cannot run says why.

pub mod audience;
pub mod buffering;
pub mod challenge;
pub mod claims;
pub mod fragments;
pub mod named_values;
pub mod oauth_proxy;
pub mod obo;
pub mod pattern;
pub mod placeholders;
pub mod scope;
pub mod secrets;
pub mod trace;
pub mod validation;
