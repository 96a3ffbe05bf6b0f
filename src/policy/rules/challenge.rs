//! A 401 carries the `WWW-Authenticate` discovery challenge (`policy.challenge-missing`):
//! checked wherever the policy answers 401 — `validate-*` failures, `check-header`,
//! `return-response` / `set-status` 401, the `<on-error>` section — whether or not its
//! token validation is recognised.
//!
//! The header's value is evaluated as APIM builds it (literals, concatenation,
//! interpolation, variables and named values); what cannot be known before run time is
//! `info` (`policy.runtime-value`): `c7doctor discovery` checks the live header.

use crate::deployment::Pattern;
use crate::report::Check;

use crate::policy::codes;
use crate::policy::eval;
use crate::policy::features::{Kind, expected_pattern, header_value, is_dynamic};
use crate::policy::lint::Lint;
use crate::policy::xml::{self, attr};

/// The `resource_metadata` parameter of a `WWW-Authenticate` value.
pub fn resource_metadata(value: &str) -> Option<String> {
    let i = value.find("resource_metadata")?;
    let rest = value[i + "resource_metadata".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches('\\');
    let (quoted, rest) = match rest.strip_prefix('"') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let end = rest
        .find(|c: char| c == '"' || c == '\\' || (!quoted && (c == ',' || c.is_whitespace())))
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

fn new() -> Check {
    Check::new(
        "policy.challenge",
        "A 401 carries the WWW-Authenticate discovery challenge",
    )
}

pub fn check(l: &Lint) -> Vec<Check> {
    let f = &l.f;
    if f.kind.is_proxy() || (!l.carries_mcp_stream() && f.oauth_operation) {
        return Vec::new();
    }
    let on_error_alone = xml::name(l.root) == "on-error";
    let applies = !f.validations.is_empty()
        || !matches!(f.kind, Kind::Unknown)
        || on_error_alone
        || !f.unauthorized.is_empty()
        || !f.challenge_headers.is_empty()
        || l.carries_mcp_stream();
    if !applies {
        return Vec::new();
    }
    let p = expected_pattern(l.ctx, f);
    let mut out = Vec::new();
    for v in &f.validations {
        if let Some(code) = attr(*v, "failed-validation-httpcode")
            && code.trim() != "401"
            && !is_dynamic(code)
        {
            out.push(l.at_attr(
                new().fail(
                    codes::CHALLENGE_MISSING,
                    format!(
                        "failed-validation-httpcode is {code}: MCP clients start sign-in only on 401 (and the guide's on-error challenge is set on 401)"
                    ),
                ),
                *v,
                "failed-validation-httpcode",
            ));
        }
    }
    if f.challenge_headers.is_empty() {
        out.push(missing(l, p));
        return out;
    }
    for &h in &f.challenge_headers {
        out.push(header_check(l, h));
    }
    out
}

/// No `WWW-Authenticate` in this policy: provided elsewhere in the run, inherited, or
/// missing.
fn missing(l: &Lint, p: Pattern) -> Check {
    let f = &l.f;
    let on_error = l.section("on-error");
    let at = on_error.unwrap_or(l.root);
    if let Some((id, where_)) = f.includes.iter().find_map(|(_, id)| {
        l.peers
            .fragment(id)
            .and_then(|p| p.provides.challenge.clone())
            .map(|w| (id.clone(), w))
    }) {
        return l.at_node(
            new().pass(format!("set in the included fragment {id:?} at {where_}")),
            at,
        );
    }
    let inherits = on_error.is_some_and(|s| xml::children_named(s, "base").next().is_some());
    // A policy that validates itself owns its challenge (the guide's API policy, Part 5
    // Step 3); one that inherits validation through <base /> inherits the challenge too.
    if inherits && f.validations.is_empty() {
        if let Some((label, where_)) = l
            .peers
            .policies_except(&l.src.label)
            .find_map(|p| p.provides.challenge.clone().map(|w| (p.label.clone(), w)))
        {
            return l.at_node(
                new().pass(format!(
                    "set through <base /> by the policy linted with it: {label} at {where_}"
                )),
                at,
            );
        }
        return l.at_node(
            new().info(
                codes::CHALLENGE_MISSING,
                "this policy sets no WWW-Authenticate; its <on-error> runs <base />, so the API, product or global policy may. Lint them together to check it (c7doctor discovery checks the live 401)",
            ),
            at,
        );
    }
    if l.is_fragment() {
        return l.at_node(
            new().pass("a fragment: the challenge belongs to the policy that includes it"),
            at,
        );
    }
    let base_note = if inherits {
        " (unless the API, product or global policy sets it through <base />: lint it with this one)"
    } else {
        ""
    };
    let detail = match on_error {
        None => format!(
            "the policy has no <on-error> section and sets no WWW-Authenticate, so a 401 carries no resource_metadata: MCP clients cannot discover where to sign in{base_note}"
        ),
        Some(_) => format!(
            "no WWW-Authenticate is set (neither in <on-error> nor on a 401 response), so a 401 carries no resource_metadata: MCP clients cannot discover where to sign in{base_note}"
        ),
    };
    // Guide 1 (shared-key, passthrough) has no discovery surface: clients are given a
    // token, so a missing challenge is only worth knowing there.
    let c = if p == Pattern::Obo {
        new().fail(codes::CHALLENGE_MISSING, detail)
    } else {
        new().info(codes::CHALLENGE_MISSING, detail)
    };
    l.at_node(c, at)
}

fn header_check(l: &Lint, h: roxmltree::Node) -> Check {
    let value = header_value(h);
    let value_node = xml::children_named(h, "value").next().unwrap_or(h);
    let at_value = l.find_in_content(value_node, value.trim());
    let mut assumed = Vec::new();
    let Some(evaluated) = eval::evaluate(l, &value, "", &mut assumed) else {
        return l
            .at(
                new().info(
                    codes::RUNTIME_VALUE,
                    "the WWW-Authenticate value is built at run time (from a value c7doctor cannot know before the request): `c7doctor discovery` checks the live header",
                ),
                at_value,
            )
            .evidence("value", value.trim().chars().take(200).collect::<String>());
    };
    let with_assumed = |c: Check| {
        if assumed.is_empty() {
            c
        } else {
            c.evidence("assumed", assumed.join("; "))
        }
    };
    let Some(rm) = resource_metadata(&evaluated) else {
        return with_assumed(l.at_node(
            new().fail(
                codes::CHALLENGE_MISSING,
                format!("WWW-Authenticate is {evaluated:?}, without resource_metadata=\"https://<apim-host>/.well-known/oauth-protected-resource\""),
            ),
            h,
        ));
    };
    let at = l
        .find_escaped(xml::content_range(value_node, l.text()), &rm)
        .unwrap_or(at_value);
    let gateway = l.ctx.gateway_url();
    let url = match url::Url::parse(&rm) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => u,
        _ => {
            return with_assumed(l.at(
                new().fail(
                    codes::CHALLENGE_MISSING,
                    format!("resource_metadata {rm:?} is not an absolute URL"),
                ),
                at,
            ));
        }
    };
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let c = if host == "mcp.context7.com" || host.ends_with(".context7.com") {
        new().fail(
            codes::CHALLENGE_MISSING,
            format!("resource_metadata points at {host}, Context7's own metadata: clients would be sent to Context7's authorization server instead of your Entra tenant"),
        )
    } else if let Some(g) = &gateway
        && (g.host_str().unwrap_or("").to_ascii_lowercase() != host
            || g.port_or_known_default() != url.port_or_known_default())
    {
        new().fail(
            codes::CHALLENGE_MISSING,
            format!(
                "resource_metadata points at {}, but the gateway is {} (--host): clients fetch the metadata from the wrong place",
                url.origin().ascii_serialization(),
                g.origin().ascii_serialization()
            ),
        )
    } else if !url
        .path()
        .starts_with("/.well-known/oauth-protected-resource")
    {
        new().warn(
            codes::CHALLENGE_MISSING,
            format!("resource_metadata has the path {}; the guide's PRM operation is /.well-known/oauth-protected-resource", url.path()),
        )
    } else if gateway.is_none() {
        new().pass(format!(
            "resource_metadata is {rm} (set --host to compare it with the gateway)"
        ))
    } else {
        new().pass(format!("resource_metadata is {rm}"))
    };
    with_assumed(l.at(c.evidence("resource_metadata", rm.clone()), at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_metadata_parameter() {
        assert_eq!(
            resource_metadata(
                r#"Bearer resource_metadata="https://h/.well-known/oauth-protected-resource""#
            )
            .as_deref(),
            Some("https://h/.well-known/oauth-protected-resource")
        );
        assert_eq!(
            resource_metadata(r#"Bearer resource_metadata=\"https://h/x\""#).as_deref(),
            Some("https://h/x")
        );
        assert_eq!(resource_metadata("Bearer realm=x"), None);
    }
}
