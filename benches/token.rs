//! In-process cost of `c7doctor token`'s hot path: decoding a fixture token and running every
//! offline check for its hop, plus the JSON rendering of the report. Whole-process timing
//! (start-up included) is in the README's performance section. Run with `cargo bench --bench token`.

use std::hint::black_box;

use c7doctor::deployment::{Hop, Pattern};
use c7doctor::report::{Format, RenderOptions, Report, render};
use c7doctor::token::{Expect, check_token, decode};
use criterion::{Criterion, criterion_group, criterion_main};

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/tokens/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .expect("fixture token")
        .trim()
        .to_string()
}

fn expect() -> Expect {
    let ids = std::fs::read_to_string(format!(
        "{}/fixtures/tokens/ids.env",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("ids.env");
    let id = |k: &str| {
        ids.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(str::to_string)
    };
    let now: c7doctor::Timestamp = id("NOW").expect("NOW").parse().expect("time");
    Expect {
        pattern: Pattern::Obo,
        hop: Some(Hop::Client),
        hop_reason: "given with --hop",
        tenant_id: id("TENANT_ID"),
        gateway_app_id: id("GATEWAY_APP_ID"),
        mcp_app_id: id("MCP_APP_ID"),
        authority: "https://login.microsoftonline.com".into(),
        at: now,
        now,
        leeway_secs: 60,
        provisioned: None,
    }
}

fn bench_token(c: &mut Criterion) {
    let valid = fixture("obo-client-valid.jwt");
    let v1 = fixture("issuer-v1.jwt");
    let exp = expect();
    c.bench_function("decode", |b| b.iter(|| decode(black_box(&valid))));
    c.bench_function("check_token/valid", |b| {
        b.iter(|| check_token(black_box(&valid), &exp))
    });
    c.bench_function("check_token/v1-issuer", |b| {
        b.iter(|| check_token(black_box(&v1), &exp))
    });
    let checked = check_token(&valid, &exp);
    let mut report = Report::new("token");
    report.extend(checked.checks);
    report.sections = checked.sections;
    let opts = RenderOptions {
        color: false,
        show_pii: false,
        verbose: false,
    };
    c.bench_function("render/json", |b| {
        b.iter(|| render(black_box(&report), Format::Json, opts))
    });
    c.bench_function("render/markdown", |b| {
        b.iter(|| render(black_box(&report), Format::Markdown, opts))
    });
}

criterion_group!(benches, bench_token);
criterion_main!(benches);
