//! The required scope is the one clients' tokens carry (`policy.scope-claim`).
//!
//! The scope names (`Mcp.Gateway.Access` for the gateway hop, `mcp.access` for the MCP API)
//! are Context7's guide's: a policy for another MCP server names its own. They are compared
//! only when the policy targets Context7 or the configuration says it is the Context7
//! deployment; otherwise a different name is a hint, never a failure. Mistakes any scope
//! check makes (several scopes in one `<value>`, a fully qualified scope, `match="all"`
//! over alternatives) are found whatever the names.

use roxmltree::Node;

use crate::deployment::Pattern;
use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::{expected_pattern, is_dynamic};
use crate::policy::lint::Lint;
use crate::policy::xml::{self, attr, descendants_named, text_of};

const FAIL: u8 = 2;
const WARN: u8 = 1;
/// A Context7-specific expectation on a policy that may be for another MCP server.
const HINT: u8 = 0;

pub fn check(l: &Lint) -> Vec<Check> {
    if l.f.kind.is_proxy() {
        return Vec::new();
    }
    let p = expected_pattern(l.ctx, &l.f);
    l.f.validations
        .iter()
        .flat_map(|v| scope_checks(l, *v, p))
        .collect()
}

fn scope_checks(l: &Lint, v: Node, p: Pattern) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.scope",
            "The required scope is the one clients' tokens carry",
        )
    };
    let (want, other) = match p {
        Pattern::Obo => ("Mcp.Gateway.Access", "mcp.access"),
        _ => ("mcp.access", "Mcp.Gateway.Access"),
    };
    let hop = |s: &str| {
        if s == "mcp.access" {
            "backend (MCP API)"
        } else {
            "client (gateway)"
        }
    };
    let claims: Vec<Node> = descendants_named(v, "claim").collect();
    let scp: Vec<Node> = claims
        .iter()
        .copied()
        .filter(|c| {
            attr(*c, "name").is_some_and(|n| {
                n == "scp" || n == "http://schemas.microsoft.com/identity/claims/scope"
            })
        })
        .collect();
    let c7 = l.targets_context7();
    let carry = if c7 {
        format!("; clients' tokens carry scp {want}")
    } else {
        String::new()
    };
    if scp.is_empty() {
        let at = descendants_named(v, "required-claims").next().unwrap_or(v);
        let detail = if claims.iter().any(|c| attr(*c, "name") == Some("roles")) {
            format!(
                "<required-claims> checks roles, not scp: roles are app permissions (app-only tokens){carry}"
            )
        } else {
            format!(
                "no required scp claim: any token for the audience passes, app-only tokens included{carry}"
            )
        };
        return vec![l.at_node(new().warn(codes::SCOPE_CLAIM, detail), at)];
    }
    let mut out = Vec::new();
    for claim in scp {
        let values: Vec<(Node, String)> = xml::children_named(claim, "value")
            .map(|n| (n, text_of(n).trim().to_string()))
            .collect();
        let match_ = attr(claim, "match");
        let mut found = Vec::new();
        if let Some(m) = match_
            && m != "all"
            && m != "any"
        {
            found.push((
                claim,
                FAIL,
                format!("match=\"{m}\" is not valid: use \"any\" (or \"all\")"),
            ));
        }
        for (n, s) in &values {
            if is_dynamic(s) {
                continue;
            }
            if s.contains(char::is_whitespace) || s.contains(',') {
                found.push((*n, FAIL, format!("one <value> holds several scopes ({s}): each <value> is compared with one scope, so it never matches; write one <value> per scope")));
            } else if s.contains('/') {
                found.push((*n, FAIL, format!("{s} is a fully qualified scope: scp carries only the scope name (the part after the last /), so it never matches")));
            } else if c7 && s != want && s.eq_ignore_ascii_case(want) {
                found.push((
                    *n,
                    FAIL,
                    format!(
                        "{s} differs from the scope {want} in case; scp values are compared exactly"
                    ),
                ));
            }
        }
        let plain: Vec<&str> = values.iter().map(|(_, s)| s.as_str()).collect();
        let has_want = plain.contains(&want);
        let has_other = plain.contains(&other);
        let dynamic = plain.iter().any(|s| is_dynamic(s));
        if found.is_empty() {
            if !has_want && !dynamic {
                if has_other {
                    found.push((claim, if c7 { FAIL } else { HINT }, format!(
                        "requires scp {other}, the {} hop's scope: the tokens clients send here carry {want}",
                        hop(other)
                    )));
                } else {
                    found.push((
                        claim,
                        if c7 { WARN } else { HINT },
                        format!(
                            "requires scp {}; the guide's scope for --pattern {} is {want}",
                            plain.join(", "),
                            p.as_str()
                        ),
                    ));
                }
            } else if has_want && plain.len() > 1 && match_.unwrap_or("all") == "all" {
                found.push((
                    claim,
                    if has_other { FAIL } else { WARN },
                    format!(
                        "match=\"{}\" requires every listed scope ({}) in one token{}",
                        match_.unwrap_or("all (the default)"),
                        plain.join(", "),
                        if has_other {
                            ": no client token carries both hops' scopes"
                        } else {
                            ""
                        }
                    ),
                ));
            } else if has_want && has_other {
                found.push((claim, WARN, format!(
                    "also accepts {other}, the {} hop's scope: tokens meant for the other hop pass",
                    hop(other)
                )));
            }
        }
        if let Some(sep) = attr(claim, "separator")
            && sep != " "
        {
            found.push((claim, WARN, format!("separator=\"{sep}\": scp is a space-separated list; use separator=\" \" or none")));
        }
        if found.is_empty() {
            out.push(l.at_node(
                new().pass(format!(
                    "requires scp {}{}",
                    plain.join(", "),
                    if dynamic {
                        " (from a named value or expression: not compared)"
                    } else {
                        ""
                    }
                )),
                claim,
            ));
        }
        for (node, sev, detail) in found {
            let c = match sev {
                FAIL => new().fail(codes::SCOPE_CLAIM, detail),
                WARN => new().warn(codes::SCOPE_CLAIM, detail),
                _ => new().info(
                    codes::SCOPE_CLAIM,
                    format!(
                        "{detail} (a hint: this policy does not target Context7 and --pattern/app IDs are not set, so the guide's scope names are not required)"
                    ),
                ),
            };
            out.push(l.at_node(c.fix_var("scope", want), node));
        }
    }
    out
}
