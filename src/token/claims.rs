//! The offline checks on a decoded token, against what its hop expects (DESIGN.md §1):
//!
//! | pattern / hop | `aud` | `scp` has |
//! |---|---|---|
//! | obo client | gateway app GUID | `Mcp.Gateway.Access` |
//! | obo backend, passthrough, shared-key client | MCP API app GUID | `mcp.access` |
//!
//! Here: which app and scope a hop expects, what kind of token it is (access, ID, Graph,
//! app-only), its algorithm and `crit`, and the claims naming the app and the user (`aud`,
//! `scp`, `oid`). The issuer and tenant are in [`super::issuer`], the time claims in
//! [`super::times`].
//!
//! Each function returns one check; every failing condition is reported, never only the
//! first. A value that is not configured makes its check `skip` with the option to set.

use crate::token::codes;
use serde_json::Value;

use super::Expect;
use super::decode::{Decoded, is_guid};
use super::exact;
use crate::deployment::{Hop, Pattern};
use crate::report::Check;

/// The gateway app's delegated scope (guide 2).
pub const GATEWAY_SCOPE: &str = "Mcp.Gateway.Access";
/// The MCP API app's delegated scope (both guides).
pub const MCP_SCOPE: &str = "mcp.access";
/// Microsoft Graph's application ID, the `aud` of Graph tokens.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Which app registration a hop's token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    Gateway,
    Mcp,
}

impl App {
    pub fn name(self) -> &'static str {
        match self {
            App::Gateway => "the APIM Gateway app",
            App::Mcp => "the MCP API app",
        }
    }
    pub fn option(self) -> &'static str {
        match self {
            App::Gateway => "--gateway-app-id",
            App::Mcp => "--mcp-app-id",
        }
    }
    pub fn scope(self) -> &'static str {
        match self {
            App::Gateway => GATEWAY_SCOPE,
            App::Mcp => MCP_SCOPE,
        }
    }
    pub fn other(self) -> App {
        match self {
            App::Gateway => App::Mcp,
            App::Mcp => App::Gateway,
        }
    }
    pub fn configured(self, exp: &Expect) -> Option<&str> {
        match self {
            App::Gateway => exp.gateway_app_id.as_deref(),
            App::Mcp => exp.mcp_app_id.as_deref(),
        }
        .map(str::trim)
        .filter(|s| !s.is_empty())
    }
}

/// The app a hop's token must be for.
pub fn expected_app(pattern: Pattern, hop: Hop) -> App {
    match (pattern, hop) {
        (Pattern::Obo, Hop::Client) => App::Gateway,
        _ => App::Mcp,
    }
}

/// How the hop was decided: (hop, guessed, why).
pub fn guess_hop(d: &Decoded, exp: &Expect) -> (Hop, bool, String) {
    if let Some(h) = exp.hop {
        return (h, false, exp.hop_reason.into());
    }
    match exp.pattern {
        Pattern::Passthrough => {
            return (
                Hop::Client,
                true,
                "passthrough: APIM forwards the client's token unchanged, so both hops carry it"
                    .into(),
            );
        }
        Pattern::SharedKey => {
            return (
                Hop::Client,
                true,
                "shared-key: only the client hop carries a token (APIM sends Context7 the API key)"
                    .into(),
            );
        }
        Pattern::Obo => {}
    }
    let auds = d.audiences();
    let is_aud = |app: App| {
        app.configured(exp)
            .is_some_and(|id| auds.iter().any(|a| same_app(a, id)))
    };
    if is_aud(App::Gateway) {
        return (Hop::Client, true, "aud is the gateway app".into());
    }
    if is_aud(App::Mcp) {
        return (Hop::Backend, true, "aud is the MCP API app".into());
    }
    let scopes = d.scopes();
    if scopes.iter().any(|s| s == GATEWAY_SCOPE) {
        return (Hop::Client, true, format!("scp has {GATEWAY_SCOPE}"));
    }
    if scopes.iter().any(|s| s == MCP_SCOPE) {
        return (Hop::Backend, true, format!("scp has {MCP_SCOPE}"));
    }
    (
        Hop::Client,
        true,
        "neither aud nor scp names a hop: assumed the client hop".into(),
    )
}

/// `aud` value names the app: the GUID itself, or an `api://<guid>` App ID URI.
pub(super) fn same_app(aud: &str, app_id: &str) -> bool {
    let aud = aud.trim();
    aud.eq_ignore_ascii_case(app_id)
        || uri_guid(aud).is_some_and(|g| g.eq_ignore_ascii_case(app_id))
}

/// The GUID inside `api://<guid>[/…]`.
fn uri_guid(aud: &str) -> Option<&str> {
    let rest = aud.strip_prefix("api://")?;
    let g = rest.split('/').next()?;
    is_guid(g).then_some(g)
}

pub fn is_graph_audience(aud: &str) -> bool {
    let a = aud.trim().trim_end_matches('/').to_ascii_lowercase();
    a == GRAPH_APP_ID
        || a == "https://graph.microsoft.com"
        || a == "https://graph.microsoft.us"
        || a == "https://microsoftgraph.chinacloudapi.cn"
}

/// A Microsoft Graph token: Graph's audience, or the header `nonce` only Graph tokens carry.
pub fn is_graph_token(d: &Decoded) -> bool {
    d.audiences().iter().any(|a| is_graph_audience(a)) || d.header.contains_key("nonce")
}

// ---- checks ----

pub fn check_alg(d: &Decoded) -> Check {
    let c = Check::new(
        "token.alg",
        "Signed with RS256, as Entra signs access tokens",
    );
    match d.alg() {
        Some("RS256") => c.pass("alg RS256"),
        None => c.fail(codes::ALG_UNEXPECTED, "the header has no alg"),
        Some("none") => c.fail(
            codes::ALG_UNEXPECTED,
            "alg none: the token is unsigned — anyone could have written it",
        ),
        Some(a) if a.starts_with("HS") => c.fail(
            codes::ALG_UNEXPECTED,
            format!("alg {a}: a shared-secret signature, which Entra never issues — this token was not minted by Entra"),
        ),
        Some(a) => c.fail(
            codes::ALG_UNEXPECTED,
            format!("alg {a}: Entra signs access tokens with RS256, APIM and Context7 expect it"),
        ),
    }
    .evidence("alg", d.alg().unwrap_or(""))
}

/// `crit` in the header (RFC 7515 §4.1.11): extensions a recipient must understand or
/// reject the token. Entra never sets it, and no validator on this path implements any, so
/// its presence fails. `None` without `crit` (no check to show).
pub fn check_crit(d: &Decoded) -> Option<Check> {
    let crit = d.header.get("crit")?;
    Some(
        Check::new("token.crit", "No critical header extensions (crit)")
            .fail(
                codes::CRIT_UNKNOWN,
                format!(
                    "the header's crit lists {}: RFC 7515 requires a validator that does not \
                     understand them to reject the token, and Entra never sets crit",
                    crate::report::bounds::text(crit.to_string())
                ),
            )
            .evidence("crit", crit.clone()),
    )
}

/// Keys written twice in the header or payload (RFC 7519 §4: refuse, or take the last).
/// Parsers differ, so the value c7doctor shows may not be the one a validator acts on.
/// `None` when every key is written once.
pub fn check_duplicates(d: &Decoded) -> Option<Check> {
    if d.duplicates.is_empty() {
        return None;
    }
    let each: Vec<String> = d
        .duplicates
        .iter()
        .take(8)
        .map(|dup| {
            format!(
                "the {} has {} {} times ({})",
                dup.segment,
                dup.key,
                dup.count,
                shown_values(dup)
            )
        })
        .collect();
    let more = d.duplicates.len().saturating_sub(each.len());
    let evidence: Vec<Value> = d
        .duplicates
        .iter()
        .take(8)
        .map(|dup| {
            let values: Vec<&str> = if personal(dup) {
                Vec::new()
            } else {
                dup.values.iter().map(String::as_str).collect()
            };
            serde_json::json!({"segment": dup.segment, "key": dup.key, "count": dup.count, "values": values})
        })
        .collect();
    Some(
        Check::new(
            "token.duplicates",
            "Each header parameter and claim written once",
        )
        .warn(
            codes::DUPLICATE_KEY,
            format!(
                "{}{}: c7doctor read the last value of each, as serde_json and JavaScript's \
                     JSON.parse do; a parser that takes the first reads another token, and RFC \
                     7519 lets a validator refuse it — validators take different values",
                each.join("; "),
                if more > 0 {
                    format!("; and {more} more keys")
                } else {
                    String::new()
                }
            ),
        )
        .evidence("duplicates", evidence),
    )
}

/// A personal claim (`name`, `upn`, …) written twice: its values stay in the claims
/// section, where markdown masks them, and out of the finding.
fn personal(dup: &super::decode::Duplicate) -> bool {
    dup.segment == "payload" && crate::report::redact::is_pii_claim(&dup.key)
}

fn shown_values(dup: &super::decode::Duplicate) -> String {
    if personal(dup) {
        return "a personal claim: its values are not repeated here".to_string();
    }
    let more = dup.count.saturating_sub(dup.values.len());
    format!(
        "{}{}",
        dup.values.join(", then "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        }
    )
}

/// Access token, or an ID token / Graph token / app-only token sent by mistake.
pub fn check_type(d: &Decoded) -> Check {
    let c = Check::new("token.type", "A delegated user access token for your API");
    let scopes = d.scopes();
    let roles = d.roles();
    if is_graph_token(d) {
        let aud = d.audiences().join(" ");
        let why = if d.header.contains_key("nonce") {
            "its header carries a nonce"
        } else {
            "its audience is Graph"
        };
        return c
            .fail(
                codes::GRAPH_AUDIENCE,
                format!(
                    "a Microsoft Graph token (aud {aud}; {why}): the client requested Graph's scope \
                     — e.g. User.Read, or a scope name without its api://<app-id>/ prefix, which \
                     Entra resolves against Graph"
                ),
            )
            .evidence("aud", aud);
    }
    let has = |k: &str| d.claims.contains_key(k);
    let id_marks = has("nonce") || has("at_hash") || has("c_hash");
    // No audience and nothing of an ID token: not Entra's at all (the jwt.io sample), which
    // calling it an ID token would hide.
    if scopes.is_empty() && roles.is_empty() && !id_marks && !has("aud") {
        let absent: Vec<&str> = ["aud", "iss", "tid", "ver", "scp", "roles"]
            .into_iter()
            .filter(|k| !has(k))
            .collect();
        let present: Vec<&str> = d.claims.keys().map(String::as_str).take(12).collect();
        return c
            .fail(
                codes::NOT_ENTRA,
                format!(
                    "not a token Entra issued: no {} — {}; every token Entra issues carries \
                     aud, iss and tid",
                    absent.join(", "),
                    if present.is_empty() {
                        "the payload is empty".to_string()
                    } else {
                        format!("the payload has only {}", present.join(", "))
                    }
                ),
            )
            .evidence("claims", present);
    }
    if scopes.is_empty() && roles.is_empty() && (id_marks || (!has("azp") && !has("appid"))) {
        let marks: Vec<&str> = ["nonce", "at_hash", "c_hash"]
            .into_iter()
            .filter(|k| has(k))
            .collect();
        let why = if marks.is_empty() {
            "no scp, no roles, no azp/appid".to_string()
        } else {
            format!("no scp or roles; has {}", marks.join(", "))
        };
        return c.fail(
            codes::NOT_ACCESS_TOKEN,
            format!(
                "an ID token ({why}): it proves a sign-in to the client app and is not accepted by \
                 APIs — the client sent id_token instead of access_token"
            ),
        );
    }
    if d.claim_str("idtyp") == Some("app") || (!roles.is_empty() && scopes.is_empty()) {
        return c
            .fail(
                codes::APP_ONLY,
                format!(
                    "an app-only token (client credentials: roles [{}]{}, no scp): it carries no \
                     user, so Context7 cannot resolve one — sign in as a user (authorization code \
                     or device code) to get a delegated token",
                    roles.join(", "),
                    if d.claim_str("idtyp") == Some("app") {
                        ", idtyp app"
                    } else {
                        ""
                    }
                ),
            )
            .evidence("roles", roles);
    }
    let ver = d.claim_str("ver").unwrap_or("?");
    c.pass(format!(
        "a delegated access token (ver {ver}, scp {})",
        if scopes.is_empty() {
            "absent".to_string()
        } else {
            scopes.join(" ")
        }
    ))
}

pub fn check_audience(d: &Decoded, exp: &Expect, hop: Hop, app: App) -> Check {
    let c = Check::new(
        "token.audience",
        format!("Audience is {} (GUID)", app.name()),
    );
    let auds = d.audiences();
    if auds.is_empty() {
        return c.fail(
            codes::AUDIENCE_MISMATCH,
            format!("no aud claim: expected {}", app.name()),
        );
    }
    let shown = auds.join(" ");
    let c = c.evidence("aud", shown.clone());
    let expected = app.configured(exp);
    let other = app.other().configured(exp);
    // The other hop's app, as GUID or api:// URI: the commonest wiring mistake.
    if let Some(o) = other
        && auds.iter().any(|a| same_app(a, o))
    {
        let why = match (exp.pattern, hop) {
            (Pattern::Obo, Hop::Client) => format!(
                "a token for the MCP API (backend hop) was sent to the gateway: the client must \
                 request api://{}/{GATEWAY_SCOPE}",
                expected.unwrap_or("<gateway-app-id>")
            ),
            (Pattern::Obo, Hop::Backend) => "the client's gateway token was forwarded without \
                 the On-Behalf-Of exchange: APIM's OBO step did not run or its result was not used"
                .to_string(),
            _ => "a token for the other app registration: the client requested the wrong scope"
                .to_string(),
        };
        let c = c.fail(
            codes::AUDIENCE_OTHER_HOP,
            format!("aud is {shown} — {} ({o}): {why}", app.other().name()),
        );
        return match expected {
            Some(e) => c.evidence("expected", e),
            None => c,
        };
    }
    if let Some(a) = auds.iter().find(|a| a.starts_with("api://")) {
        let inner = uri_guid(a);
        let matches = match (inner, expected) {
            (Some(g), Some(e)) => g.eq_ignore_ascii_case(e),
            // A URI without a GUID (api://contoso/mcp) may still be the app's App ID URI.
            _ => true,
        };
        if matches {
            return c.fail(
                codes::AUDIENCE_URI,
                format!(
                    "aud is {a}, an App ID URI: v2.0 tokens carry the app's GUID{} — APIM's \
                     <audiences> and Context7 compare the GUID",
                    match inner {
                        Some(g) => format!(" ({g})"),
                        None => String::new(),
                    }
                ),
            );
        }
    }
    let Some(expected) = expected else {
        return c.skip(
            crate::config::codes::MISSING,
            format!(
                "set {} to compare (the token's aud is {shown})",
                app.option()
            ),
        );
    };
    let expected = expected.trim();
    if auds.iter().any(|a| a == expected) {
        return c.pass(format!("aud is {} ({expected})", app.name()));
    }
    if let Some(a) = auds.iter().find(|a| a.eq_ignore_ascii_case(expected)) {
        if exact::upper_case_guid(a) {
            return exact::inexact(
                c.evidence("expected", expected),
                exp,
                hop,
                format!(
                    "aud is {a}, {} ({expected}) only when case is ignored: Entra writes the \
                     app's GUID in lower case, and Context7 looks the teamspace up by the exact \
                     aud string (\"Unknown audience\")",
                    app.name()
                ),
            );
        }
        // The token is in Entra's form; only the configured value is spelled otherwise.
        return c.pass(format!(
            "aud is {} ({a}; {} is written in upper case — Context7's Audience field must \
             hold the GUID as Entra writes it, in lower case)",
            app.name(),
            app.option()
        ));
    }
    let what = if auds.iter().any(|a| is_graph_audience(a)) {
        " — Microsoft Graph"
    } else {
        ""
    };
    // Printed plainly, a look-alike aud (a Cyrillic `а`, a zero-width space) reads as the
    // expected value: spell it out.
    let lookalike = auds
        .iter()
        .find_map(|a| crate::report::sanitize::lookalike_note(a, expected))
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    c.fail(
        codes::AUDIENCE_MISMATCH,
        format!(
            "aud is {shown}{what}, expected {} ({expected}, {}){lookalike}",
            app.name(),
            app.option()
        ),
    )
    .evidence("expected", expected)
}

pub fn check_scope(d: &Decoded, exp: &Expect, hop: Hop, app: App) -> Check {
    let want = app.scope();
    let c = Check::new("token.scope", format!("scp contains {want}"));
    let scopes = d.scopes();
    if scopes.is_empty() {
        let roles = d.roles();
        let detail = if roles.is_empty() {
            format!("no scp claim: expected {want}")
        } else {
            format!(
                "no scp claim (roles [{}] instead: an app-only token): expected {want}",
                roles.join(", ")
            )
        };
        return c.fail(codes::SCOPE_MISSING, detail);
    }
    let shown = scopes.join(" ");
    let c = c.evidence("scp", shown.clone());
    if scopes.iter().any(|s| s == want) {
        // Entra separates scopes with single spaces, and Context7 splits on them: a scope
        // found only by splitting on other whitespace is not found there.
        if let Some(scp) = d.claim_str("scp")
            && !scp.split(' ').any(|s| s == want)
        {
            let separators = exact::odd_characters(scp);
            return exact::inexact(
                c.evidence("scp_code_points", exact::odd_characters(scp)),
                exp,
                hop,
                format!(
                    "scp holds {want} only when split on other whitespace ({}): {}; Entra \
                     separates scopes with single spaces and Context7 splits on them, so it \
                     does not find {want}",
                    separators.join(", "),
                    exact::written(scp)
                ),
            );
        }
        return c.pass(format!("scp {shown}"));
    }
    let other = app.other().scope();
    if scopes.iter().any(|s| s == other) {
        return c.fail(
            codes::SCOPE_MISSING,
            format!(
                "scp is {shown}: {other} is {}'s scope (the other hop) — {want} is missing",
                app.other().name()
            ),
        );
    }
    if let Some(s) = scopes.iter().find(|s| s.eq_ignore_ascii_case(want)) {
        return c.fail(
            codes::SCOPE_MISSING,
            format!(
                "scp has {s}, which differs from {want} in case: scope names are case-sensitive"
            ),
        );
    }
    let lookalike = scopes
        .iter()
        .find_map(|s| crate::report::sanitize::lookalike_note(s, want))
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    c.fail(
        codes::SCOPE_MISSING,
        format!("scp is {shown}: {want} is missing{lookalike}"),
    )
}

pub fn check_oid(d: &Decoded, exp: &Expect, hop: Hop) -> Check {
    let c = Check::new("token.oid", "Names the user (oid)");
    match d.claims.get("oid") {
        Some(Value::String(o)) if !o.trim().is_empty() => match exact::identifier_spelling(o) {
            Some(why) => exact::inexact(
                c.evidence("oid_code_points", exact::odd_characters(o)),
                exp,
                hop,
                format!(
                    "oid is not in Entra's form: {why}; Context7 finds users by the exact oid, \
                     so it finds no one for this token"
                ),
            ),
            None => c.pass(format!("oid {o}")),
        },
        _ => c.fail(
            codes::OID_MISSING,
            "no oid claim: Context7 resolves the user from oid, so it cannot serve this token",
        ),
    }
}

pub fn check_provisioned(d: &Decoded, exp: &Expect) -> Option<Check> {
    let c = Check::new(
        "token.provisioned",
        "The user (oid) is on the teamspace's provisioned list",
    );
    let Some(set) = &exp.provisioned else {
        return (exp.pattern == Pattern::Obo).then(|| {
            c.skip(
                crate::config::codes::MISSING,
                "set --provisioned FILE (the teamspace's provisioned users) to check the oid",
            )
        });
    };
    let Some(oid) = d.claim_str("oid") else {
        return Some(c.skip(codes::OID_MISSING, "no oid claim to look up"));
    };
    let c = c.evidence("oid", oid);
    Some(if set.contains(&oid.trim().to_ascii_lowercase()) {
        c.pass(format!(
            "oid {oid} is among the {} provisioned users",
            set.len()
        ))
    } else {
        c.fail(
            codes::OID_NOT_PROVISIONED,
            format!(
                "oid {oid} is not among the {} provisioned users: Context7 refuses this user",
                set.len()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::testing::{GW, MCP, expect, token};
    use serde_json::json;

    #[test]
    fn audience_forms() {
        let e = expect();
        let code = |aud: Value, hop| {
            check_audience(
                &token(json!({ "aud": aud })),
                &e,
                hop,
                expected_app(e.pattern, hop),
            )
            .code
        };
        assert_eq!(code(json!(GW), Hop::Client), None);
        assert_eq!(code(json!([GW]), Hop::Client), None);
        assert_eq!(
            code(json!(format!("api://{GW}")), Hop::Client),
            Some(codes::AUDIENCE_URI)
        );
        assert_eq!(
            code(json!("api://contoso.example/mcp"), Hop::Client),
            Some(codes::AUDIENCE_URI)
        );
        assert_eq!(
            code(json!(format!("api://{MCP}")), Hop::Client),
            Some(codes::AUDIENCE_OTHER_HOP)
        );
        assert_eq!(
            code(json!(GW), Hop::Backend),
            Some(codes::AUDIENCE_OTHER_HOP)
        );
        assert_eq!(
            code(json!(GRAPH_APP_ID), Hop::Client),
            Some(codes::AUDIENCE_MISMATCH)
        );
        assert_eq!(
            code(json!(null), Hop::Client),
            Some(codes::AUDIENCE_MISMATCH)
        );
    }

    #[test]
    fn scope_case_and_other_hop() {
        let c = check_scope(
            &token(json!({"scp": "mcp.gateway.access"})),
            &expect(),
            Hop::Client,
            App::Gateway,
        );
        assert!(c.detail.contains("case"), "{}", c.detail);
        let c = check_scope(
            &token(json!({"scp": "openid mcp.access"})),
            &expect(),
            Hop::Client,
            App::Gateway,
        );
        assert!(c.detail.contains("other hop"), "{}", c.detail);
        let c = check_scope(
            &token(json!({"roles": ["Mcp.Gateway.Access"]})),
            &expect(),
            Hop::Client,
            App::Gateway,
        );
        assert!(c.detail.contains("app-only"), "{}", c.detail);
    }

    #[test]
    fn hop_guess_prefers_aud_then_scp() {
        let e = expect();
        let (h, g, _) = guess_hop(&token(json!({"aud": GW, "scp": "mcp.access"})), &e);
        assert_eq!((h, g), (Hop::Client, true));
        let (h, _, _) = guess_hop(&token(json!({"aud": "x", "scp": "mcp.access"})), &e);
        assert_eq!(h, Hop::Backend);
        let mut p = expect();
        p.pattern = Pattern::Passthrough;
        let (h, _, why) = guess_hop(&token(json!({"aud": MCP})), &p);
        assert_eq!(h, Hop::Client);
        assert!(why.contains("passthrough"));
    }

    #[test]
    fn type_recognition() {
        let ty = |c: Value| check_type(&token(c)).code;
        assert_eq!(ty(json!({"scp": "a", "azp": "x"})), None);
        assert_eq!(
            ty(json!({"aud": "x", "nonce": "n"})),
            Some(codes::NOT_ACCESS_TOKEN)
        );
        assert_eq!(ty(json!({"aud": "x"})), Some(codes::NOT_ACCESS_TOKEN));
        assert_eq!(
            ty(json!({"roles": ["r"], "azp": "x"})),
            Some(codes::APP_ONLY)
        );
        assert_eq!(
            ty(json!({"scp": "a", "idtyp": "app"})),
            Some(codes::APP_ONLY)
        );
        assert_eq!(
            ty(json!({"aud": "https://graph.microsoft.com", "scp": "User.Read"})),
            Some(codes::GRAPH_AUDIENCE)
        );
    }

    #[test]
    fn crit_and_look_alikes_are_precise_findings() {
        let d = token(json!({"aud": "a"}));
        assert!(check_crit(&d).is_none());
        let mut d = token(json!({"aud": "a"}));
        d.header.insert("crit".into(), json!(["exp-ext"]));
        assert_eq!(
            check_crit(&d).and_then(|c| c.code),
            Some(codes::CRIT_UNKNOWN)
        );
        // A look-alike aud or scp is spelled out code point by code point.
        let mut e = expect();
        e.gateway_app_id = Some("3b9e6a14-8f2d-4c7b-a5e1-6d0c9f2b7a41".into());
        let d = token(
            json!({"aud": "3b9e6a14-8f2d-4c7b-a5e1-6d0c9f2b7a41\u{200b}", "scp": "Mcp.Gateway.Acc\u{435}ss"}),
        );
        let aud = check_audience(&d, &e, Hop::Client, App::Gateway);
        assert_eq!(aud.code, Some(codes::AUDIENCE_MISMATCH));
        assert!(
            aud.detail
                .contains("3b9e6a14-8f2d-4c7b-a5e1-6d0c9f2b7a41<U+200B>"),
            "{}",
            aud.detail
        );
        let scp = check_scope(&d, &e, Hop::Client, App::Gateway);
        assert!(
            scp.detail.contains("Mcp.Gateway.Acc<U+0435>ss"),
            "{}",
            scp.detail
        );
    }

    #[test]
    fn a_token_with_nothing_of_entra_is_not_called_an_id_token() {
        // The jwt.io sample's payload.
        let d = token(json!({"sub": "1234567890", "name": "John Doe", "iat": 1516239022}));
        let c = check_type(&d);
        assert_eq!(c.code, Some(codes::NOT_ENTRA), "{}", c.detail);
        assert!(!c.detail.contains("ID token"), "{}", c.detail);
        // An ID token keeps its name: a nonce, or an aud without azp/appid.
        assert_eq!(
            check_type(&token(json!({"sub": "s", "nonce": "n"}))).code,
            Some(codes::NOT_ACCESS_TOKEN)
        );
    }

    #[test]
    fn loose_matches_are_inexact_where_context7_compares() {
        let e = expect();
        let upper = token(json!({"aud": GW.to_ascii_uppercase()}));
        let c = check_audience(&upper, &e, Hop::Client, App::Gateway);
        assert_eq!(c.code, Some(codes::INEXACT_MATCH), "{}", c.detail);
        assert_eq!(c.status, crate::report::Status::Warn);
        let mcp_upper = token(json!({"aud": MCP.to_ascii_uppercase()}));
        let c = check_audience(&mcp_upper, &e, Hop::Backend, App::Mcp);
        assert_eq!(c.status, crate::report::Status::Fail, "{}", c.detail);
        // Configured in upper case, the token in Entra's form: a pass.
        let mut upper_cfg = expect();
        upper_cfg.gateway_app_id = Some(GW.to_ascii_uppercase());
        let c = check_audience(
            &token(json!({"aud": GW})),
            &upper_cfg,
            Hop::Client,
            App::Gateway,
        );
        assert_eq!(c.code, None, "{}", c.detail);
        // No-break spaces between scopes.
        let nbsp = token(json!({"scp": "openid\u{a0}mcp.access\u{a0}profile"}));
        let c = check_scope(&nbsp, &e, Hop::Backend, App::Mcp);
        assert_eq!(c.code, Some(codes::INEXACT_MATCH), "{}", c.detail);
        assert!(c.detail.contains("U+00A0"), "{}", c.detail);
        assert!(c.detail.contains("openid\\u{a0}mcp.access"), "{}", c.detail);
        let spaced = token(json!({"scp": "openid mcp.access profile"}));
        assert_eq!(check_scope(&spaced, &e, Hop::Backend, App::Mcp).code, None);
        // An oid with a right-to-left override.
        let rlo = token(json!({"oid": "0c1d2e3f-4a5b-4c6d-8e7f-\u{202e}9a0b1c2d3e4f"}));
        let c = check_oid(&rlo, &e, Hop::Backend);
        assert_eq!(c.code, Some(codes::INEXACT_MATCH), "{}", c.detail);
        assert!(c.detail.contains("\\u{202e}"), "{}", c.detail);
        let plain = token(json!({"oid": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}));
        assert_eq!(check_oid(&plain, &e, Hop::Backend).code, None);
    }

    #[test]
    fn duplicate_keys_are_named_with_each_value() {
        use base64::Engine;
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let d = crate::token::decode::decode(&format!(
            "{}.{}.c2ln",
            b(r#"{"alg":"RS256","alg":"none"}"#),
            b(r#"{"aud":"first","scp":"x","aud":"last"}"#)
        ))
        .unwrap();
        assert_eq!(d.claim_str("aud"), Some("last"));
        let c = check_duplicates(&d).unwrap();
        assert_eq!(c.code, Some(codes::DUPLICATE_KEY));
        assert_eq!(c.status, crate::report::Status::Warn);
        assert!(
            c.detail.contains(r#"aud 2 times ("first", then "last")"#),
            "{}",
            c.detail
        );
        assert!(c.detail.contains("the header has alg"), "{}", c.detail);
        assert!(check_duplicates(&token(json!({"aud": "a"}))).is_none());
        // A personal claim's values stay out of the finding (markdown masks them elsewhere).
        let d = crate::token::decode::decode(&format!(
            "{}.{}.c2ln",
            b(r#"{"alg":"RS256"}"#),
            b(r#"{"upn":"ada@contoso.example","upn":"eve@contoso.example"}"#)
        ))
        .unwrap();
        let c = check_duplicates(&d).unwrap();
        assert!(!c.detail.contains("contoso"), "{}", c.detail);
        assert!(
            !serde_json::Value::Object(c.evidence.clone())
                .to_string()
                .contains("contoso"),
            "{:?}",
            c.evidence
        );
    }
}
