//! Run the gateway simulator by hand: `cargo run --example simulator -- <profile>`.
//!
//! Prints the simulated gateway and authority URLs and a c7doctor command line to try,
//! then serves until Ctrl-C. `--latency MS` adds a delay to every response; `--list`
//! prints the profile names.

#[path = "../tests/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use support::sim::{Sim, profiles};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut name = None;
    let mut latency = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => {
                for n in profiles::NAMES {
                    println!("{n}");
                }
                return;
            }
            "--latency" => latency = args.next().and_then(|v| v.parse::<u64>().ok()),
            "-h" | "--help" => {
                eprintln!(
                    "usage: cargo run --example simulator -- [--latency MS] [--list] <profile>"
                );
                return;
            }
            other => name = Some(other.to_string()),
        }
    }
    let name = name.unwrap_or_else(|| "healthy".into());
    if !profiles::NAMES.contains(&name.as_str()) {
        eprintln!("unknown profile {name:?}; try --list");
        std::process::exit(2);
    }
    let mut profile = profiles::profile(&name);
    if let Some(ms) = latency {
        profile.latency_ms = ms;
    }
    let sim = Sim::with(profile);
    println!("profile    {name}");
    println!("gateway    {}", sim.gateway);
    println!("MCP URL    {}", sim.mcp_url());
    println!("authority  {}", sim.authority);
    println!("elsewhere  {}", sim.elsewhere);
    println!();
    println!("try:");
    println!("  cargo run -- discovery {}", sim.args().join(" "));
    println!();
    println!(
        "a valid client token for this gateway (test key, fixed clock {}):",
        support::NOW
    );
    println!("  {}", sim.client_token());
    println!();
    println!("serving until Ctrl-C");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    drop(sim);
}
