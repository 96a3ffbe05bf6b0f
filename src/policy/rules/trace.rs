//! A token, secret or `Authorization` header written where others read it
//! (`policy.secret-in-trace`): `<trace>` (shown to whoever may trace the API and kept in
//! Application Insights), `log-to-eventhub`, and response headers the policy emits.
//!
//! A small data flow decides what is sensitive: the `Authorization` header as a whole
//! (reading one claim of it with `AsJwt()` is not the token), the response of a
//! `send-request` to the token endpoint (the OBO exchange), `access_token` /
//! `refresh_token` / `client_secret`, secret named values, and every variable assigned
//! from any of these.

use roxmltree::Node;

use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::{expand_variables, variable_text, variables_read};
use crate::policy::lint::{Lint, MAX_FINDINGS};
use crate::policy::xml::{self, attr, descendants_named, named_values, text_of};

/// Why a value is sensitive, if it is.
fn sensitive(l: &Lint, text: &str, tainted: &[String]) -> Option<String> {
    let expanded = expand_variables(text, &l.f.variables);
    let lower = expanded.to_ascii_lowercase();
    if let Some(v) = variables_read(text)
        .into_iter()
        .chain(variables_read(&expanded))
        .find(|v| tainted.contains(v))
    {
        return Some(format!(
            "the variable {v:?}, which holds the token endpoint's response or a token"
        ));
    }
    for word in ["access_token", "refresh_token", "client_secret", "id_token"] {
        if lower.contains(word) {
            return Some(word.to_string());
        }
    }
    if lower.contains("\"authorization\"") && !(lower.contains("asjwt") && lower.contains("claims"))
    {
        return Some("the Authorization header (the caller's bearer token)".into());
    }
    if let Some((_, n)) = named_values(&expanded)
        .into_iter()
        .find(|(_, n)| l.opts.named_values.is_secret(n))
    {
        return Some(format!("the secret named value {{{{{n}}}}}"));
    }
    None
}

/// Variables that hold a token response or a token: the `response-variable-name` of a
/// `send-request` that talks to a token endpoint, and what is assigned from them.
fn tainted_variables(l: &Lint) -> Vec<String> {
    let mut tainted: Vec<String> = Vec::new();
    for sr in l
        .root
        .descendants()
        .filter(|n| n.has_tag_name("send-request"))
    {
        let all: String = sr
            .descendants()
            .filter_map(|n| if n.is_text() { n.text() } else { None })
            .chain(
                sr.descendants()
                    .filter(|n| n.is_element())
                    .flat_map(|n| n.attributes().map(|a| a.value())),
            )
            .collect();
        let all = expand_variables(&all, &l.f.variables);
        let token_call = l.f.obo_requests.contains(&sr)
            || all.contains("/token")
            || all.contains("grant_type")
            || all.contains("client_secret");
        if token_call && let Some(v) = attr(sr, "response-variable-name") {
            tainted.push(v.to_string());
        }
    }
    for _ in 0..4 {
        let mut grew = false;
        for (name, def) in &l.f.variables {
            if tainted.contains(name) {
                continue;
            }
            let t = variable_text(*def);
            let reads_tainted = variables_read(&t).iter().any(|v| tainted.contains(v));
            let lower = t.to_ascii_lowercase();
            let holds_token = lower.contains("access_token")
                || (lower.contains("\"authorization\"")
                    && !(lower.contains("asjwt") && lower.contains("claims")));
            if reads_tainted || holds_token {
                tainted.push(name.clone());
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    tainted
}

pub fn check(l: &Lint) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.trace",
            "No token or secret is written to traces, logs or response headers",
        )
    };
    let tainted = tainted_variables(l);
    let mut out = Vec::new();
    let mut looked = 0;
    let report = |node: Node, sink: String, text: &str, out: &mut Vec<Check>| {
        if out.len() >= MAX_FINDINGS {
            return;
        }
        if let Some(why) = sensitive(l, text, &tainted) {
            out.push(l.at_node(
                new().fail(
                    codes::SECRET_IN_TRACE,
                    format!("{sink} writes {why}: everyone who can read it can replay it"),
                ),
                node,
            ));
        }
    };
    for el in l.elements() {
        match xml::name(el) {
            "trace" => {
                looked += 1;
                let msg: String = xml::children_named(el, "message")
                    .map(text_of)
                    .chain(std::iter::once(text_of(el)))
                    .collect();
                let metadata: String = xml::children_named(el, "metadata")
                    .filter_map(|m| attr(m, "value"))
                    .collect();
                report(el, "<trace>".into(), &(msg + &metadata), &mut out);
            }
            "log-to-eventhub" => {
                looked += 1;
                report(el, "<log-to-eventhub>".into(), &text_of(el), &mut out);
            }
            "set-header" => {
                let section = l.section_of(el);
                let to_client = matches!(section, Some("outbound") | Some("on-error"))
                    || el.ancestors().any(|a| a.has_tag_name("return-response"));
                let name = attr(el, "name").unwrap_or("");
                if !to_client
                    || name.eq_ignore_ascii_case("authorization")
                    || name.eq_ignore_ascii_case("www-authenticate")
                    || attr(el, "exists-action") == Some("delete")
                {
                    continue;
                }
                looked += 1;
                let value: String = descendants_named(el, "value").map(text_of).collect();
                report(el, format!("the response header {name}"), &value, &mut out);
            }
            _ => {}
        }
    }
    if out.is_empty() {
        let detail = if looked == 0 {
            "no <trace>, log-to-eventhub or response header here".to_string()
        } else {
            format!(
                "{looked} trace, log or response-header value(s), none holding a token or secret"
            )
        };
        out.push(l.src.whole(new().pass(detail)));
    }
    out
}
