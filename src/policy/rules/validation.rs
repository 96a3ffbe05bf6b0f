//! Token validation before anything is forwarded (`policy.no-token-validation`), with what
//! the rest of the run provides: a fragment the policy includes, or a parent-scope policy
//! it inherits through `<base />`; and validation that any tenant's token passes
//! (`policy.tenant-unpinned`).

use roxmltree::Node;

use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::Kind;
use crate::policy::lint::Lint;
use crate::policy::xml::{self, attr, descendants_named};

pub fn check(l: &Lint) -> Vec<Check> {
    if l.f.kind.is_proxy() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if l.has_inbound() {
        out.extend(validation_checks(l));
    }
    for v in &l.f.validations {
        out.extend(tenant_checks(l, *v));
    }
    out
}

fn new() -> Check {
    Check::new(
        "policy.token-validation",
        "The token is validated before the request is forwarded",
    )
}

fn validation_checks(l: &Lint) -> Vec<Check> {
    let f = &l.f;
    let Some(&v) = f.validations.first() else {
        if f.returns.is_some() {
            // Answers itself; nothing is forwarded.
            return Vec::new();
        }
        let inbound = l.section("inbound").unwrap_or(l.root);
        // Validated in an included fragment given in this run.
        if let Some((id, at)) = f.includes.iter().find_map(|(_, id)| {
            l.peers
                .fragment(id)
                .and_then(|p| p.provides.validation.clone())
                .map(|at| (id.clone(), at))
        }) {
            return vec![l.at_node(
                new().pass(format!("validated in the included fragment {id:?} at {at}")),
                inbound,
            )];
        }
        if !l.carries_mcp_stream() && f.oauth_operation {
            return vec![l.at_node(
                new().pass("an OAuth operation (token or callback façade): it forwards to the authority, which checks the request itself"),
                inbound,
            )];
        }
        if f.inbound_base {
            if let Some((label, at)) = l.peers.policies_except(&l.src.label).find_map(|p| {
                p.provides
                    .validation
                    .clone()
                    .map(|at| (p.label.clone(), at))
            }) {
                return vec![l.at_node(
                    new().pass(format!(
                        "validated through <base /> by the policy linted with it: {label} at {at}"
                    )),
                    inbound,
                )];
            }
            return vec![l.at_node(
                new().info(
                    codes::NO_TOKEN_VALIDATION,
                    "no validate-azure-ad-token here: this policy relies on <base /> — the API, product or global policy must validate. Lint them together (c7doctor policy api-policy.xml operation-policy.xml) to check it",
                ),
                inbound,
            )];
        }
        let unresolved: Vec<&str> = f
            .includes
            .iter()
            .filter(|(_, id)| l.peers.fragment(id).is_none())
            .map(|(_, id)| id.as_str())
            .collect();
        if !unresolved.is_empty() {
            return vec![l.at_node(
                new().info(
                    codes::NO_TOKEN_VALIDATION,
                    format!(
                        "no validation in this file; it may be in the included fragment(s) {}, which were not given: lint them together",
                        unresolved.join(", ")
                    ),
                ),
                inbound,
            )];
        }
        return vec![l.at_node(
            new().fail(
                codes::NO_TOKEN_VALIDATION,
                "no validate-azure-ad-token or validate-jwt in <inbound>: requests are forwarded without any check of who sent them",
            ),
            inbound,
        )];
    };
    let mut out = Vec::new();
    let tag = xml::name(v);
    if v.ancestors().any(|a| a.has_tag_name("choose")) {
        out.push(l.at_node(
            new().warn(
                codes::NO_TOKEN_VALIDATION,
                format!("{tag} is inside a <choose>: requests taking another branch are forwarded without validation"),
            ),
            v,
        ));
    }
    if let Some(first) = f
        .obo_requests
        .iter()
        .chain(f.key_swaps.iter())
        .filter(|n| n.range().start < v.range().start)
        .min_by_key(|n| n.range().start)
    {
        let loc = l.loc_of(first.range().start);
        out.push(l.at_node(
            new().warn(
                codes::NO_TOKEN_VALIDATION,
                format!(
                    "<{}> at {}:{} runs before {tag}: unauthenticated requests reach it",
                    xml::name(*first),
                    loc.line,
                    loc.col
                ),
            ),
            v,
        ));
    }
    if descendants_named(v, "audience").next().is_none() && f.kind != Kind::Unknown {
        out.push(l.at_node(
            new().warn(
                codes::NO_TOKEN_VALIDATION,
                format!(
                    "{tag} has no <audiences>: a token issued for any app of the tenant is accepted"
                ),
            ),
            v,
        ));
    }
    if out.is_empty() {
        let loc = l.loc_of(v.range().start);
        out.push(l.at_node(new().pass(format!("{tag} at {}:{}", loc.line, loc.col)), v));
    }
    out
}

/// `/common` or `/organizations` validation with no issuer pinned.
fn tenant_checks(l: &Lint, v: Node) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.tenant",
            "Only tokens of your tenant pass validation",
        )
    };
    let multi = |s: &str| {
        let s = s.to_ascii_lowercase();
        ["common", "organizations"]
            .into_iter()
            .find(|t| s.contains(&format!("/{t}/")) || s.trim() == *t)
    };
    let issuer_line =
        "<issuers><issuer>https://login.microsoftonline.com/{tenant_id}/v2.0</issuer></issuers>";
    match xml::name(v) {
        "validate-jwt" => {
            let Some(cfg) = descendants_named(v, "openid-config")
                .find_map(|o| attr(o, "url").and_then(|u| multi(u).map(|t| (o, t))))
            else {
                return Vec::new();
            };
            let pinned = descendants_named(v, "issuer").next().is_some()
                || descendants_named(v, "claim")
                    .any(|c| attr(c, "name").is_some_and(|n| n == "tid" || n == "iss"));
            if pinned {
                return vec![l.at_node(
                    new().pass(format!(
                        "/{} metadata, with the issuer (or tid) pinned",
                        cfg.1
                    )),
                    v,
                )];
            }
            let tenant = l
                .ctx
                .cfg
                .tenant_id
                .clone()
                .unwrap_or_else(|| "<tenant-id>".into());
            vec![l.at_node(
                new()
                    .warn(
                        codes::TENANT_UNPINNED,
                        format!(
                            "validate-jwt reads the /{} metadata and pins no <issuers>: a token from any Entra tenant for this audience passes. Harmless only while the app stays single-tenant; add {} inside validate-jwt",
                            cfg.1,
                            issuer_line.replace("{tenant_id}", &tenant)
                        ),
                    )
                    .evidence("openid_config", attr(cfg.0, "url").unwrap_or("").to_string()),
                cfg.0,
            )]
        }
        _ => {
            let Some(t) = attr(v, "tenant-id").and_then(multi) else {
                return Vec::new();
            };
            vec![l.at_attr(
                new().warn(
                    codes::TENANT_UNPINNED,
                    format!(
                        "validate-azure-ad-token tenant-id=\"{t}\": tokens from any Entra tenant for this audience pass. Harmless only while the app stays single-tenant; set tenant-id to your tenant's ID"
                    ),
                ),
                v,
                "tenant-id",
            )]
        }
    }
}
