//! The OAuth-proxy operations of guide 2 Part 5 (PRM, AS metadata, `/authorize`), checked
//! with the same rules `discovery` applies to the live documents
//! ([`crate::discovery::documents`]): the JSON in `<set-body>` and the `Location` the
//! policy would send are reconstructed, then handed to those checks.
//!
//! Named values (`{{entra-tenant-id}}`) are substituted from `--named-values`, else with the
//! configured value their name points at (a neutral stand-in for an unconfigured ID; never
//! an invented host); a field made of an unknown named value is left out and listed.
//! `context.Request.OriginalUrl.QueryString` is evaluated with a sample authorize query.
//!
//! A façade that removes the RFC 8707 `resource` parameter on `/authorize` (a
//! `set-query-parameter … exists-action="delete"`) or the `resource` form field on
//! `/token` is the field workaround for Entra's AADSTS9010010, and is recognised as such.
//! An `/authorize` redirect that passes the query string on without it (the guide's) is
//! `discovery.resource-rejected`, predicted — the code `discovery` and `explain
//! AADSTS9010010` give, so the fix is the one declared text
//! ([`crate::discovery::codes::STRIP_RESOURCE_POLICY`]).

use roxmltree::Node;
use serde_json::Value;

use crate::discovery::documents::DocExpect;
use crate::discovery::{check_as_document, check_authorize_location, check_prm_document};
use crate::report::Check;

use crate::policy::codes;

use crate::policy::eval::{STAND_IN_GUID, evaluate, substitute};
use crate::policy::features::{Kind, header_value};
use crate::policy::lint::Lint;
use crate::policy::xml::{self, attr, descendants_named, is_expression, text_of};

/// The checks for an OAuth-proxy operation policy.
pub fn check(l: &Lint) -> Vec<Check> {
    let f = &l.f;
    let mut out = resource_checks(l);
    let Some(ret) = f.returns.filter(|_| f.kind.is_proxy()) else {
        return out;
    };
    let exp = DocExpect::from_ctx(l.ctx, None);
    let checks = match f.kind {
        Kind::Prm => body_checks(l, ret, crate::discovery::codes::PRM_INVALID, |doc| {
            check_prm_document(doc, &exp)
        }),
        Kind::AsMetadata => body_checks(l, ret, crate::discovery::codes::AS_INVALID, |doc| {
            check_as_document(doc, None, &exp)
        }),
        Kind::Authorize => authorize_checks(l, ret, &exp),
        _ => Vec::new(),
    };
    out.splice(0..0, checks);
    out
}

/// Substitute named values throughout a JSON document; drop what cannot be substituted.
fn substitute_json(l: &Lint, v: &mut Value, assumed: &mut Vec<String>, dropped: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                let keep = match map.get_mut(&k) {
                    Some(Value::String(s)) => match substitute(l, s, assumed) {
                        Some(new) => {
                            *s = new;
                            true
                        }
                        None => false,
                    },
                    Some(child) => {
                        substitute_json(l, child, assumed, dropped);
                        true
                    }
                    None => true,
                };
                if !keep {
                    map.remove(&k);
                    dropped.push(k);
                }
            }
        }
        Value::Array(items) => {
            items.retain_mut(|item| match item {
                Value::String(s) => match substitute(l, s, assumed) {
                    Some(new) => {
                        *s = new;
                        true
                    }
                    None => {
                        dropped.push(s.clone());
                        false
                    }
                },
                other => {
                    substitute_json(l, other, assumed, dropped);
                    true
                }
            });
        }
        _ => {}
    }
}

/// The JSON key a document check is about, to point at its line.
fn key_for(check_id: &str) -> Option<&'static str> {
    Some(match check_id.rsplit('.').next()? {
        "resource" => "\"resource\"",
        "scope" => "\"scopes_supported\"",
        "issuer" => "\"issuer\"",
        "pkce" => "\"code_challenge_methods_supported\"",
        "offline-access" | "offline_access" => "offline_access",
        _ => return None,
    })
}

/// Put a discovery check at its place in the policy: its own `location` evidence (a URL)
/// moves to `location_header`.
fn place(l: &Lint, mut c: Check, node: Node, fallback: usize) -> Check {
    if let Some(v) = c.evidence.remove("location") {
        c.evidence.insert("location_header".into(), v);
    }
    let at = key_for(&c.id)
        .and_then(|k| l.find_raw(xml::content_range(node, l.text()), k))
        .unwrap_or(fallback);
    l.at(c, at)
}

fn status_of<'a, 'i>(ret: Node<'a, 'i>) -> Option<(Node<'a, 'i>, Option<u16>)> {
    descendants_named(ret, "set-status")
        .next()
        .map(|s| (s, attr(s, "code").and_then(|c| c.trim().parse().ok())))
}

fn body_checks(
    l: &Lint,
    ret: Node,
    invalid: crate::findings::Code,
    run: impl FnOnce(&Value) -> Vec<Check>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let new = || {
        Check::new(
            "policy.oauth-proxy.body",
            "The operation returns its metadata JSON",
        )
    };
    if let Some((node, code)) = status_of(ret)
        && code != Some(200)
    {
        out.push(l.at_attr(
            new().fail(
                invalid,
                format!(
                    "set-status code is {}, not 200: clients treat the metadata as missing",
                    attr(node, "code").unwrap_or("?")
                ),
            ),
            node,
            "code",
        ));
    }
    let Some(body) = descendants_named(ret, "set-body").next() else {
        out.push(l.at_node(
            new().fail(invalid, "the return-response has no <set-body>"),
            ret,
        ));
        return out;
    };
    let text = text_of(body);
    let start = xml::content_range(body, l.text()).start;
    if is_expression(&text) {
        out.push(l.at(
            new().info(
                codes::RUNTIME_VALUE,
                "the body is built at run time by an expression: `c7doctor discovery` checks its JSON live",
            ),
            start,
        ));
        return out;
    }
    let mut doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            // Point at the JSON error inside the body.
            let line_start = text
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum::<usize>();
            let needle = text[line_start..]
                .chars()
                .take(e.column().max(1) - 1)
                .map(char::len_utf8)
                .sum::<usize>();
            let first = text[line_start + needle..]
                .chars()
                .take(12)
                .collect::<String>();
            let at = l
                .find_raw(xml::content_range(body, l.text()), &first)
                .unwrap_or(start);
            out.push(l.at(
                new().fail(invalid, format!("the <set-body> is not valid JSON: {e}")),
                at,
            ));
            return out;
        }
    };
    let mut assumed = Vec::new();
    let mut dropped = Vec::new();
    substitute_json(l, &mut doc, &mut assumed, &mut dropped);
    for c in run(&doc) {
        let mut c = place(l, c, body, start);
        if !assumed.is_empty() {
            c = c.evidence("assumed", assumed.join("; "));
        }
        if !dropped.is_empty() {
            c = c.evidence("not_checked", dropped.join(", "));
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------
// /authorize

/// A plausible query string of an MCP client's authorize request (PKCE, loopback redirect).
fn sample_query(l: &Lint) -> String {
    let client = l
        .ctx
        .cfg
        .gateway_app_id
        .clone()
        .unwrap_or_else(|| STAND_IN_GUID.into());
    format!(
        "?client_id={client}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A33418%2F&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=api%3A%2F%2F{client}%2FMcp.Gateway.Access&state=c7doctor"
    )
}

fn authorize_checks(l: &Lint, ret: Node, exp: &DocExpect) -> Vec<Check> {
    let mut out = Vec::new();
    let new = || {
        Check::new(
            "policy.oauth-proxy.redirect",
            "/authorize answers with a redirect",
        )
    };
    match status_of(ret) {
        Some((_, Some(301 | 302 | 303 | 307 | 308))) => {}
        Some((node, _)) => out.push(l.at_attr(
            new().fail(
                crate::discovery::codes::AUTHORIZE_PROXIED,
                format!(
                    "set-status code is {}: /authorize must answer 302 with a Location, so the browser lands on Entra's own sign-in page",
                    attr(node, "code").unwrap_or("?")
                ),
            ),
            node,
            "code",
        )),
        None => out.push(l.at_node(
            new().fail(
                crate::discovery::codes::AUTHORIZE_PROXIED,
                "the return-response has no set-status: it answers 200, not the 302 that sends the browser to Entra",
            ),
            ret,
        )),
    }
    let Some(header) = descendants_named(ret, "set-header")
        .find(|h| attr(*h, "name").is_some_and(|n| n.eq_ignore_ascii_case("location")))
    else {
        out.push(
            l.at_node(
                Check::new(
                    "policy.oauth-proxy.location",
                    "The redirect's Location is Entra's authorize endpoint",
                )
                .fail(
                    crate::discovery::codes::AUTHORIZE_TARGET,
                    "the return-response sets no Location header",
                ),
                ret,
            ),
        );
        return out;
    };
    let value = header_value(header);
    let value_node = xml::children_named(header, "value")
        .next()
        .unwrap_or(header);
    let at = xml::content_range(value_node, l.text()).start;
    let query = sample_query(l);
    let mut assumed = Vec::new();
    let Some(location) = evaluate(l, &value, &query, &mut assumed) else {
        out.push(l.at(
            Check::new("policy.oauth-proxy.location", "The redirect's Location is Entra's authorize endpoint")
                .info(
                    codes::RUNTIME_VALUE,
                    "the Location is built at run time from values c7doctor cannot know here: `c7doctor discovery` checks it live",
                ),
            at,
        ));
        return out;
    };
    for c in check_authorize_location(&location, Some(&query), exp) {
        let mut c = place(l, c, value_node, at).evidence("evaluated_location", location.clone());
        if !assumed.is_empty() {
            c = c.evidence("assumed", assumed.join("; "));
        }
        out.push(c);
    }
    out
}

/// Does the policy remove the RFC 8707 `resource` parameter (query or form field)?
fn resource_checks(l: &Lint) -> Vec<Check> {
    let location = authorize_location(l);
    let new = || {
        Check::new(
            "policy.oauth-proxy.resource",
            "The façade removes the RFC 8707 resource parameter Entra refuses",
        )
    };
    let mut out = Vec::new();
    for n in l.elements() {
        let deletes_query = xml::name(n) == "set-query-parameter"
            && attr(n, "name").is_some_and(|q| q.eq_ignore_ascii_case("resource"))
            && attr(n, "exists-action") == Some("delete");
        let strips_form = xml::name(n) == "set-body" && {
            let t = text_of(n);
            is_expression(&t)
                && t.contains("resource")
                && ["Remove", "Replace", "Where", "!=", "StartsWith"]
                    .iter()
                    .any(|w| t.contains(w))
        };
        // set-query-parameter changes context.Request.Url; a Location built from
        // OriginalUrl still carries the parameter.
        if deletes_query
            && location
                .as_ref()
                .is_some_and(|(v, _)| v.contains("OriginalUrl"))
        {
            out.push(l.at_node(
                forwarded(new(), l).warn(
                    crate::discovery::codes::RESOURCE_REJECTED,
                    "deletes the resource query parameter, but the Location is built from context.Request.OriginalUrl, which keeps it: Entra still gets the RFC 8707 resource MCP clients send and answers AADSTS9010010 unless it is an Application ID URI of the API the scopes name (predicted; `c7doctor discovery` confirms it live)",
                ),
                n,
            ));
            continue;
        }
        if deletes_query || strips_form {
            let what = if deletes_query {
                "deletes the resource query parameter"
            } else {
                "removes the resource form field from the body"
            };
            out.push(l.at_node(
                new().pass(format!(
                    "{what}: Entra's v2.0 endpoints never see the RFC 8707 resource that MCP clients send, so AADSTS9010010 cannot happen here (the field workaround; the query is otherwise kept)"
                )),
                n,
            ));
        }
    }
    // The guide's /authorize 302 passes the whole query string on, `resource` included.
    if out.is_empty()
        && let Some((value, node)) = location
        && value.contains("QueryString")
    {
        out.push(l.at_node(
            forwarded(new(), l).warn(
                crate::discovery::codes::RESOURCE_REJECTED,
                "the Location passes the client's whole query string on to Entra, with the RFC 8707 resource MCP clients send (VS Code, Claude Code, the TypeScript SDK v1 and v2 send the PRM resource): unless that URL is an Application ID URI of the API the scopes name, Entra's v2.0 endpoint answers AADSTS9010010 and they cannot sign in (predicted; `c7doctor discovery` confirms it live)",
            ),
            node,
        ));
    }
    out
}

/// The `Location` value of an `/authorize` façade's redirect, with its header element.
fn authorize_location<'a, 'i>(l: &Lint<'a, 'i>) -> Option<(String, Node<'a, 'i>)> {
    let f = &l.f;
    let ret = f.returns.filter(|_| f.kind == Kind::Authorize)?;
    let header = descendants_named(ret, "set-header")
        .find(|h| attr(*h, "name").is_some_and(|n| n.eq_ignore_ascii_case("location")))?;
    Some((header_value(header), header))
}

/// The resource the fix names: the configured MCP URL (what the PRM should name), else its
/// shape.
fn forwarded(check: Check, l: &Lint) -> Check {
    let resource = match &l.ctx.cfg.gateway {
        Some(Ok(g)) => g.mcp_url.to_string(),
        _ => "https://<apim-host>/<api-path>/mcp (the PRM resource)".into(),
    };
    check.fix_var("resource", resource)
}
