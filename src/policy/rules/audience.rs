//! The validated audience is the right app's client ID (`policy.audience-uri`, and the
//! token codes for the other hop's app or another app).

use roxmltree::Node;

use crate::config::is_guid;
use crate::deployment::Pattern;
use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::expected_pattern;
use crate::policy::lint::Lint;
use crate::policy::xml::{descendants_named, named_values, text_of};

pub fn check(l: &Lint) -> Vec<Check> {
    if l.f.kind.is_proxy() {
        return Vec::new();
    }
    let p = expected_pattern(l.ctx, &l.f);
    l.f.validations
        .iter()
        .flat_map(|v| audience_checks(l, *v, p))
        .collect()
}

/// The app a pattern's client token is for, its flag, and the other hop's app.
pub fn apps<'l>(l: &'l Lint, p: Pattern) -> (Option<&'l str>, &'static str, Option<&'l str>) {
    let cfg = &l.ctx.cfg;
    match p {
        Pattern::Obo => (
            cfg.gateway_app_id.as_deref(),
            "--gateway-app-id",
            cfg.mcp_app_id.as_deref(),
        ),
        _ => (
            cfg.mcp_app_id.as_deref(),
            "--mcp-app-id",
            cfg.gateway_app_id.as_deref(),
        ),
    }
}

fn audience_checks(l: &Lint, v: Node, p: Pattern) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.audience",
            "The validated audience is the right app's client ID",
        )
    };
    let audiences: Vec<(Node, String)> = descendants_named(v, "audience")
        .map(|a| (a, text_of(a).trim().to_string()))
        .collect();
    if audiences.is_empty() {
        return Vec::new();
    }
    let (want, flag, other) = apps(l, p);
    let which = if p == Pattern::Obo {
        "the APIM Gateway app"
    } else {
        "the MCP API app"
    };
    // The audience to keep: the configured client ID, else the guide's named value for it.
    let keep = want
        .unwrap_or(if p == Pattern::Obo {
            "{{apim-gateway-app-id}}"
        } else {
            "{{mcp-api-app-id}}"
        })
        .to_string();
    let mut out = Vec::new();
    let uris: Vec<&(Node, String)> = audiences
        .iter()
        .filter(|(_, s)| s.to_ascii_lowercase().starts_with("api://"))
        .collect();
    let plain = audiences.len() - uris.len();
    if let Some((node, value)) = uris.first() {
        if plain == 0 {
            out.push(
                l.at_node(
                    new().fail(
                        codes::AUDIENCE_URI,
                        format!(
                            "the audience is {value}: v2.0 tokens carry the app's client ID (a GUID) in aud, not the Application ID URI, so every valid token is rejected"
                        ),
                    ),
                    *node,
                )
                .fix_var("app", which)
                .fix_var("audience", keep.clone()),
            );
        } else {
            out.push(l.at_node(
                new()
                    .info(
                        codes::AUDIENCE_URI,
                        format!(
                            "both {value} and a client ID are listed: v2.0 tokens carry the GUID; the api:// entry only matches v1.0 tokens, which Context7 rejects anyway"
                        ),
                    )
                    .fix_var("app", which)
                    .fix_var("audience", keep.clone()),
                *node,
            ));
        }
    }
    for (node, value) in &audiences {
        let id = value
            .strip_prefix("api://")
            .unwrap_or(value)
            .trim_end_matches('/');
        if let [(_, name)] = named_values(value).as_slice() {
            let n = name.to_ascii_lowercase();
            let other_named = if p == Pattern::Obo {
                n.contains("mcp") && !n.contains("gateway")
            } else {
                n.contains("gateway")
            };
            if other_named {
                out.push(l.at_node(
                    new().warn(
                        crate::token::codes::AUDIENCE_OTHER_HOP,
                        format!(
                            "the audience is the named value {{{{{name}}}}}, which by its name is the other hop's app: with --pattern {} clients send tokens for {which}",
                            p.as_str()
                        ),
                    ),
                    *node,
                ));
            }
            continue;
        }
        if !is_guid(id) {
            continue;
        }
        if other.is_some_and(|o| o.eq_ignore_ascii_case(id)) {
            out.push(l.at_node(
                new().fail(
                    crate::token::codes::AUDIENCE_OTHER_HOP,
                    format!(
                        "the audience {id} is the other hop's app; with --pattern {} clients send tokens for {which}",
                        p.as_str()
                    ),
                ),
                *node,
            ));
        } else if let Some(w) = want
            && !w.eq_ignore_ascii_case(id)
        {
            out.push(l.at_node(
                new().warn(
                    crate::token::codes::AUDIENCE_MISMATCH,
                    format!("the audience {id} is not {which} ({flag} {w})"),
                ),
                *node,
            ));
        }
    }
    if out.is_empty() {
        let list: Vec<&str> = audiences.iter().map(|(_, s)| s.as_str()).collect();
        let note = if want.is_none() && list.iter().any(|s| is_guid(s)) {
            format!(" (set {flag} to compare)")
        } else {
            String::new()
        };
        out.push(l.at_node(
            new().pass(format!("audiences: {}{note}", list.join(", "))),
            audiences[0].0,
        ));
    }
    out
}
