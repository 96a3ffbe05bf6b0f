//! Two hops side by side: the client's token and the one APIM forwards must name the same
//! user (`oid`, `tid`) and — with OBO — different audiences. Renders the guide's
//! "End-to-end token claims" table (hop × iss/aud/oid/scp) with a mark per cell.

use super::Expect;
use super::claims::{App, expected_app};
use super::decode::Decoded;
use crate::deployment::{Hop, Pattern};
use crate::report::{Check, Section};
use crate::token::codes;

const OK: &str = "✓";
const BAD: &str = "✗";
const UNKNOWN: &str = "?";

/// Compare the client and backend tokens; returns the `token.hops` checks and the table.
pub fn compare_hops(client: &Decoded, backend: &Decoded, exp: &Expect) -> (Vec<Check>, Section) {
    let mut checks = Vec::new();
    let c = Check::new("token.hops", "Both hops carry the same user (oid, tid)");
    let get = |d: &Decoded, k: &str| d.claim_str(k).unwrap_or("").to_string();
    let (co, bo) = (get(client, "oid"), get(backend, "oid"));
    let (ct, bt) = (get(client, "tid"), get(backend, "tid"));
    let mut diffs = Vec::new();
    if !co.eq_ignore_ascii_case(&bo) || co.is_empty() {
        diffs.push(format!(
            "oid {} on the client hop, {} on the backend hop",
            or_absent(&co),
            or_absent(&bo)
        ));
    }
    if !ct.eq_ignore_ascii_case(&bt) || ct.is_empty() {
        diffs.push(format!(
            "tid {} on the client hop, {} on the backend hop",
            or_absent(&ct),
            or_absent(&bt)
        ));
    }
    let c = if diffs.is_empty() {
        c.pass(format!("oid {co} and tid {ct} on both hops"))
    } else {
        c.fail(
            codes::HOPS_USER_MISMATCH,
            format!(
                "{}: the backend token is not the OBO result of this client token (another \
                 user's cached token, or tokens from different sign-ins)",
                diffs.join("; ")
            ),
        )
        .evidence("client_oid", co.clone())
        .evidence("backend_oid", bo.clone())
    };
    checks.push(c);

    if exp.pattern == Pattern::Obo {
        let ca = client.audiences().join(" ");
        let ba = backend.audiences().join(" ");
        let c = Check::new(
            "token.hops-audience",
            "The OBO exchange changed the audience",
        );
        checks.push(if !ca.is_empty() && ca == ba {
            c.fail(
                codes::AUDIENCE_OTHER_HOP,
                format!(
                    "both hops carry aud {ca}: APIM forwarded the client's token without the \
                     On-Behalf-Of exchange"
                ),
            )
        } else {
            c.pass(format!("client aud {ca}, backend aud {ba}"))
        });
    }

    let issuer = |d: &Decoded| {
        let tid = exp
            .tenant_id
            .clone()
            .or_else(|| d.claim_str("tid").map(str::to_string))
            .unwrap_or_default();
        format!("{}/{}/v2.0", exp.authority.trim_end_matches('/'), tid)
    };
    let row = |d: &Decoded, hop: Hop, label: &str| -> Vec<String> {
        let app = expected_app(exp.pattern, hop);
        let iss = d.claim_str("iss").unwrap_or("");
        let iss_mark = if iss.is_empty() {
            BAD
        } else if iss.eq_ignore_ascii_case(&issuer(d)) {
            OK
        } else {
            BAD
        };
        let aud = d.audiences().join(" ");
        let aud_mark = match app.configured(exp) {
            Some(id) if aud.eq_ignore_ascii_case(id) => OK,
            Some(_) => BAD,
            None => UNKNOWN,
        };
        let oid = d.claim_str("oid").unwrap_or("");
        let oid_mark = if !oid.is_empty() && co.eq_ignore_ascii_case(&bo) {
            OK
        } else {
            BAD
        };
        let scp = d.scopes().join(" ");
        let scp_mark = if d.scopes().iter().any(|s| s == app.scope()) {
            OK
        } else {
            BAD
        };
        vec![
            label.to_string(),
            cell(iss, iss_mark),
            cell(&aud, aud_mark),
            cell(oid, oid_mark),
            cell(&scp, scp_mark),
        ]
    };
    let backend_label = match exp.pattern {
        Pattern::Obo => "APIM → Context7 (after OBO)",
        _ => "APIM → Context7",
    };
    let expected_row = |hop: Hop, label: &str| -> Vec<String> {
        let app = expected_app(exp.pattern, hop);
        vec![
            format!("{label}, expected"),
            format!(
                "{}/{}/v2.0",
                exp.authority.trim_end_matches('/'),
                exp.tenant_id.as_deref().unwrap_or("<tid>")
            ),
            app.configured(exp)
                .map(str::to_string)
                .unwrap_or_else(|| placeholder(app)),
            "user's Entra object ID".into(),
            app.scope().into(),
        ]
    };
    let table = Section::table(
        "token.hops",
        "End-to-end token claims",
        ["hop", "iss", "aud", "oid", "scp"]
            .into_iter()
            .map(String::from)
            .collect(),
        vec![
            row(client, Hop::Client, "Client → APIM"),
            expected_row(Hop::Client, "Client → APIM"),
            row(backend, Hop::Backend, backend_label),
            expected_row(Hop::Backend, backend_label),
        ],
    );
    (checks, table)
}

fn placeholder(app: App) -> String {
    match app {
        App::Gateway => "<apim-gateway-app-id>".into(),
        App::Mcp => "<mcp-api-app-id>".into(),
    }
}

fn cell(value: &str, mark: &str) -> String {
    if value.is_empty() {
        format!("{mark} (absent)")
    } else {
        format!("{mark} {value}")
    }
}

fn or_absent(s: &str) -> &str {
    if s.is_empty() { "absent" } else { s }
}
