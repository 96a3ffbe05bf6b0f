//! One integration-test binary (linking once keeps the suite fast). Each area owns one
//! module; `support` holds the shared helpers and the gateway simulator (DESIGN.md §7).

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod apps;
mod catalog;
mod cli;
mod context7;
mod coverage;
mod detected_pattern;
mod discovery;
mod e2e;
mod entra;
mod hostile;
mod key;
mod leaks;
mod login;
mod policy;
mod probe;
mod props;
mod reports;
mod structure;
mod terminal;
mod token;
mod ts_clients;
