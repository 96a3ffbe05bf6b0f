//! The authorize request of each client of the matrix: sent through the façade, followed
//! one hop to the configured authority ([`super::preflight`]), and read back as the client
//! matrix's answer; plus the two checks built from those answers — what Entra said per
//! redirect URI shape (`discovery.authorize.entra`) and the matrix itself
//! (`discovery.clients`).

use serde_json::Value;
use url::Url;

use super::{authorize, clients, codes, fetch, preflight};
use crate::http::{self, Http};
use crate::report::Check;

/// What one client's authorize request met: the façade's redirect, the one hop to the
/// authority, and the answer for the client matrix.
pub(super) struct ClientProbe {
    pub(super) location: Option<Url>,
    pub(super) preflight: Option<preflight::Answer>,
    pub(super) answer: clients::AuthorizeAnswer,
}

/// Send the authorize request a client would send and follow one hop to the authority.
pub(super) async fn probe_client(
    http: &Http,
    plan: &Result<Option<clients::Plan>, clients::Stop>,
    client_id: &str,
    pkce: &authorize::Pkce,
    gateway: &Url,
    authority: Option<&Url>,
    probe_gateway: bool,
) -> Option<ClientProbe> {
    use clients::AuthorizeAnswer as A;
    let Ok(Some(p)) = plan else {
        return None;
    };
    let only = |answer: A| {
        Some(ClientProbe {
            location: None,
            preflight: None,
            answer,
        })
    };
    let refused = |error: String| {
        only(A::Refused {
            link: "authorize",
            error,
        })
    };
    let query = authorize::query(
        client_id,
        p.scope.as_deref(),
        p.resource.as_deref(),
        p.redirect_uri,
        p.prompt_consent,
        pkce,
    );
    let ep = &p.authorization_endpoint;
    let location = if fetch::same_origin(ep, gateway) {
        if !probe_gateway {
            return only(A::Unchecked("the gateway stopped answering".into()));
        }
        match authorize::run(http, ep, &query).await {
            Err(e) => return refused(format!("GET {ep}: no answer ({})", e.kind.as_str())),
            Ok(r) if r.is_redirect() => {
                match r.header("location").and_then(|l| r.url.join(&l).ok()) {
                    Some(u) => u,
                    None => return refused(format!("GET {ep}: a redirect without a Location")),
                }
            }
            Ok(r) => {
                return refused(format!(
                    "GET {ep} answered {} instead of a redirect to Entra",
                    http::status_text(r.status)
                ));
            }
        }
    } else if authority.is_some_and(|a| fetch::same_origin(ep, a)) {
        let mut u = ep.clone();
        u.set_query(Some(&query));
        u
    } else {
        return only(A::Unchecked(format!(
            "{ep} is on neither the gateway nor the authority: not contacted"
        )));
    };
    let Some(a) = authority else {
        return only(A::Unchecked("no authority configured".into()));
    };
    let answer = preflight::run(http, &location, a).await;
    let matrix = match &answer {
        preflight::Answer::Refused { error, .. } => A::Refused {
            link: "authorize",
            error: error.clone(),
        },
        preflight::Answer::NotAsked(_) if !fetch::same_origin(&location, a) => A::Refused {
            link: "authorize",
            error: format!(
                "the redirect leads to {}, not the configured authority",
                location.origin().ascii_serialization()
            ),
        },
        preflight::Answer::NotAsked(why) => A::Unchecked(why.clone()),
        // Entra needs a scope (AADSTS900144): a client with none cannot sign in.
        preflight::Answer::SignIn if p.scope.is_none() => A::Refused {
            link: "authorize",
            error: "no scope to ask for (no PRM scopes_supported, no challenge scope): Entra requires one (AADSTS900144)".into(),
        },
        preflight::Answer::SignIn => A::SignIn {
            predicted: authorize::forwarded_resource(location.as_str())
                .filter(|r| !authorize::resource_matches_scopes(r, p.scope.as_deref().unwrap_or("")))
                .map(|r| format!("Entra is predicted to refuse resource={r} (AADSTS9010010)")),
        },
    };
    Some(ClientProbe {
        location: Some(location),
        preflight: Some(answer),
        answer: matrix,
    })
}

/// One redirect URI shape's hop to the authority.
pub(super) struct Shape {
    pub(super) redirect_uri: &'static str,
    /// The client that sends it.
    pub(super) client: &'static str,
    pub(super) location: Url,
    pub(super) answer: preflight::Answer,
}

/// What Entra answered, before sign-in, to the authorize request of each redirect URI
/// shape: fail when it refused any of them (other than the `resource` refusal, which the
/// resource check reports), pass only when it showed its sign-in page for all.
pub(super) fn preflight_check(shapes: &[Shape]) -> Check {
    let first = &shapes[0];
    let check = Check::new(
        "discovery.authorize.entra",
        "Entra accepts the sign-in request (before sign-in)",
    )
    .evidence(
        "authorize_url",
        format!(
            "{}{}",
            first.location.origin().ascii_serialization(),
            first.location.path()
        ),
    )
    .evidence("answer", first.answer.describe())
    .evidence(
        "redirect_uris",
        shapes
            .iter()
            .map(|s| {
                serde_json::json!({
                    "redirect_uri": s.redirect_uri,
                    "client": s.client,
                    "answer": s.answer.describe(),
                })
            })
            .collect::<Vec<_>>(),
    );
    let refused: Vec<(&Shape, Option<u32>, &str)> = shapes
        .iter()
        .filter_map(|s| match &s.answer {
            preflight::Answer::Refused { aadsts, error } if *aadsts != Some(9010010) => {
                Some((s, *aadsts, error.as_str()))
            }
            _ => None,
        })
        .collect();
    if let Some((_, aadsts, _)) = refused.first() {
        let each: Vec<String> = refused
            .iter()
            .map(|(s, _, e)| format!("redirect URI {} ({}): {e}", s.redirect_uri, s.client))
            .collect();
        let check = check.fail(
            codes::AUTHORIZE_REFUSED,
            format!(
                "Entra refused the authorize request before sign-in for {}",
                each.join("; ")
            ),
        );
        let Some(n) = *aadsts else {
            return check.fix_var("aadsts", "<n>");
        };
        let check = check.fix_var("aadsts", n.to_string()).evidence("aadsts", n);
        return match crate::catalog::by_aadsts(n) {
            Some(code) => check.evidence("entra_code", code.code),
            None => check,
        };
    }
    let signed_in: Vec<&str> = shapes
        .iter()
        .filter(|s| matches!(s.answer, preflight::Answer::SignIn))
        .map(|s| s.redirect_uri)
        .collect();
    if signed_in.is_empty() {
        let why = match &first.answer {
            preflight::Answer::NotAsked(why) => why.clone(),
            other => other.describe(),
        };
        return check.skip(
            crate::report::codes::PREREQUISITE_FAILED,
            format!("Entra was not asked: {why}"),
        );
    }
    check.pass(format!(
        "Entra shows its sign-in page for the redirect URI{} {}: nothing refused before sign-in (what Entra checks after sign-in is not confirmed before sign-in)",
        if signed_in.len() == 1 { "" } else { "s" },
        signed_in.join(", ")
    ))
}

/// The client matrix as a check: fail when a client the guide names (VS Code and the
/// TypeScript SDKs it mirrors) cannot sign in.
pub(super) fn matrix_check(rows: &[clients::Row]) -> Check {
    let check = Check::new(
        "discovery.clients",
        "MCP clients get through the sign-in chain (client matrix)",
    )
    .evidence("clients", serde_json::to_value(rows).unwrap_or(Value::Null));
    let lines: Vec<String> = rows.iter().map(clients::Row::line).collect();
    if rows.iter().all(|r| r.gets_through) {
        check.pass(lines.join("; "))
    } else {
        check.fail(codes::CLIENTS_BLOCKED, lines.join("; "))
    }
}
