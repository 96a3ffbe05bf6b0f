//! Checks on the discovery documents themselves, independent of how they were fetched:
//! the Protected Resource Metadata (RFC 9728), the authorization-server metadata façade
//! (RFC 8414) and the `Location` of the `/authorize` redirect.
//!
//! The discovery walk feeds them what it fetched; the policy linter feeds them the bodies
//! found in `<return-response>`/`<set-body>` and `Location` headers of APIM policies.
//! Each function returns its checks in a fixed order so reports stay comparable.

use crate::discovery::codes;
use serde_json::Value;
use url::Url;

use crate::context::Ctx;
use crate::deployment::Pattern;
use crate::report::Check;

/// What the documents are compared against.
#[derive(Debug, Clone)]
pub struct DocExpect {
    /// The MCP endpoint a client is configured with (`https://<host>/<api-path>/mcp`).
    pub mcp_url: Option<Url>,
    /// The gateway origin (`https://<host>/`), the façade's issuer.
    pub gateway: Option<Url>,
    pub gateway_app_id: Option<String>,
    pub mcp_app_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The Entra authority (`https://login.microsoftonline.com`).
    pub authority: String,
    pub pattern: Pattern,
}

impl DocExpect {
    /// Expectations from the configuration. `mcp_url` overrides the MCP URL derived from
    /// `--host` and `--api-path` (a command given an explicit target).
    pub fn from_ctx(ctx: &Ctx, mcp_url: Option<Url>) -> Self {
        let mcp_url = mcp_url.or_else(|| ctx.cfg.gateway().map(|g| g.mcp_url.clone()));
        let gateway = mcp_url
            .as_ref()
            .map(origin_of)
            .or_else(|| ctx.gateway_url());
        DocExpect {
            mcp_url,
            gateway,
            gateway_app_id: ctx.cfg.gateway_app_id.clone(),
            mcp_app_id: ctx.cfg.mcp_app_id.clone(),
            tenant_id: ctx.cfg.tenant_id.clone(),
            authority: ctx.cfg.authority.clone(),
            pattern: ctx.cfg.pattern,
        }
    }

    /// The app whose scope a client requests: the gateway app (obo) or the MCP API app.
    pub fn client_audience_app(&self) -> Option<&str> {
        match self.pattern {
            Pattern::Obo => self.gateway_app_id.as_deref(),
            Pattern::Passthrough | Pattern::SharedKey => self.mcp_app_id.as_deref(),
        }
    }

    /// The scope name clients request (`Mcp.Gateway.Access` or `mcp.access`).
    pub fn scope_name(&self) -> &'static str {
        match self.pattern {
            Pattern::Obo => "Mcp.Gateway.Access",
            Pattern::Passthrough | Pattern::SharedKey => "mcp.access",
        }
    }

    /// The fully qualified scope clients must request, when the app ID is known.
    pub fn expected_scope(&self) -> Option<String> {
        self.client_audience_app()
            .map(|id| format!("api://{id}/{}", self.scope_name()))
    }

    /// The option that names the app of [`Self::client_audience_app`].
    fn client_app_flag(&self) -> &'static str {
        match self.pattern {
            Pattern::Obo => "--gateway-app-id",
            Pattern::Passthrough | Pattern::SharedKey => "--mcp-app-id",
        }
    }

    /// The authority without a trailing slash.
    fn authority_trimmed(&self) -> &str {
        self.authority.trim_end_matches('/')
    }
}

/// The MCP URL for what a user gave: a bare host or an origin gets `/<api-path>/mcp`; a URL
/// with a path is taken as the MCP URL itself.
pub fn mcp_url_for(target: &Url, api_path: &str) -> Url {
    if target.path().trim_matches('/').is_empty() {
        let mut u = origin_of(target);
        let api = api_path.trim_matches('/');
        let path = if api.is_empty() {
            "/mcp".to_string()
        } else {
            format!("/{api}/mcp")
        };
        u.set_path(&path);
        u
    } else {
        let mut u = target.clone();
        u.set_fragment(None);
        u
    }
}

/// `scheme://host[:port]/` of a URL.
pub fn origin_of(u: &Url) -> Url {
    let mut o = u.clone();
    o.set_path("/");
    o.set_query(None);
    o.set_fragment(None);
    let _ = o.set_username("");
    let _ = o.set_password(None);
    o
}

/// Does this string still hold a template placeholder (`<your-apim-host>`, `{{named-value}}`,
/// the all-zero GUID)?
pub fn is_placeholder(s: &str) -> bool {
    if s.contains("{{") && s.contains("}}") {
        return true;
    }
    if let Some(open) = s.find('<')
        && s[open..].contains('>')
    {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    lower.contains("00000000-0000-0000-0000-000000000000")
        || lower.contains("your-apim-host")
        || lower.contains("your-tenant-id")
        || lower.contains("%3cyour-")
}

/// Every string value holding a placeholder, with its JSON pointer.
pub fn find_placeholders(doc: &Value) -> Vec<(String, String)> {
    fn walk(v: &Value, path: &mut String, out: &mut Vec<(String, String)>) {
        match v {
            Value::String(s) if is_placeholder(s) => out.push((path.clone(), s.clone())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    walk(item, path, out);
                    path.truncate(len);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    path.push('/');
                    path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    walk(item, path, out);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut String::new(), &mut out);
    out
}

fn placeholder_check(id: &str, title: &str, code: crate::findings::Code, doc: &Value) -> Check {
    let found = find_placeholders(doc);
    let check = Check::new(id, title);
    if found.is_empty() {
        return check.pass("no template placeholder left in the document");
    }
    let list: Vec<String> = found.iter().map(|(p, v)| format!("{p} = {v}")).collect();
    check
        .fail(
            code,
            format!(
                "{} value(s) still hold a template placeholder: {}",
                found.len(),
                list.join("; ")
            ),
        )
        .evidence(
            "placeholders",
            Value::Array(
                found
                    .iter()
                    .map(|(p, v)| serde_json::json!({"pointer": p, "value": v}))
                    .collect(),
            ),
        )
}

/// Strings of a JSON array field, `None` when the field is absent, `Err` when it is not an
/// array of strings.
fn string_array<'a>(doc: &'a Value, field: &str) -> Result<Option<Vec<&'a str>>, String> {
    match doc.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| format!("`{field}` holds a non-string value {v}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(format!(
            "`{field}` is {} instead of an array of strings",
            crate::input::json_type(other, true)
        )),
    }
}

fn is_http_url(s: &str) -> bool {
    Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

// ---------------------------------------------------------------- PRM (RFC 9728)

/// How a PRM `resource` relates to the MCP URL a client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceMatch {
    Exact,
    /// Same origin, and the resource's path is a segment prefix of the MCP URL's path.
    Prefix,
    Mismatch,
}

/// Compare a PRM `resource` with the MCP URL (RFC 9728 §3.3 wants them identical; the
/// TypeScript and Rust SDKs accept an origin + path-prefix match).
pub fn resource_match(resource: &Url, mcp_url: &Url) -> ResourceMatch {
    if resource == mcp_url {
        return ResourceMatch::Exact;
    }
    if resource.origin() != mcp_url.origin() || resource.fragment().is_some() {
        return ResourceMatch::Mismatch;
    }
    let (rp, mp) = (resource.path(), mcp_url.path());
    if rp == mp {
        // Only the query differs: clients compare path identity.
        return ResourceMatch::Exact;
    }
    if mp.starts_with(rp) && (rp.ends_with('/') || mp.as_bytes().get(rp.len()) == Some(&b'/')) {
        ResourceMatch::Prefix
    } else {
        ResourceMatch::Mismatch
    }
}

/// Checks on a Protected Resource Metadata document: `prm-invalid`, `prm-placeholder`,
/// `prm-resource`, `prm-scope` (in that order, one check each).
pub fn check_prm_document(doc: &Value, exp: &DocExpect) -> Vec<Check> {
    vec![
        prm_shape(doc),
        placeholder_check(
            "discovery.prm.placeholder",
            "Protected resource metadata has no template placeholder",
            codes::PRM_PLACEHOLDER,
            doc,
        ),
        prm_resource(doc, exp),
        prm_scope(doc, exp),
    ]
}

fn prm_shape(doc: &Value) -> Check {
    let check = Check::new(
        "discovery.prm.valid",
        "Protected resource metadata is a valid RFC 9728 document",
    );
    let Some(obj) = doc.as_object() else {
        return check.fail(
            codes::PRM_INVALID,
            format!(
                "the document is {}, not a JSON object",
                crate::input::json_type(doc, true)
            ),
        );
    };
    let mut problems = Vec::new();
    match obj.get("resource") {
        None => problems.push("`resource` is missing (RFC 9728 requires it)".to_string()),
        Some(Value::String(_)) => {}
        Some(v) => problems.push(format!(
            "`resource` is {}, not a string",
            crate::input::json_type(v, true)
        )),
    }
    let servers = match string_array(doc, "authorization_servers") {
        Ok(Some(list)) if list.is_empty() => {
            problems.push("`authorization_servers` is empty".into());
            Vec::new()
        }
        Ok(Some(list)) => list,
        Ok(None) => {
            problems.push(
                "`authorization_servers` is missing: MCP clients cannot find where to sign in"
                    .into(),
            );
            Vec::new()
        }
        Err(e) => {
            problems.push(e);
            Vec::new()
        }
    };
    for s in &servers {
        if !is_http_url(s) && !is_placeholder(s) {
            problems.push(format!("authorization server {s:?} is not an absolute URL"));
        }
    }
    if let Err(e) = string_array(doc, "scopes_supported") {
        problems.push(e);
    }
    if let Ok(Some(methods)) = string_array(doc, "bearer_methods_supported")
        && !methods.is_empty()
        && !methods.contains(&"header")
    {
        problems.push(format!(
            "`bearer_methods_supported` is {methods:?} without \"header\": MCP clients send the token in the Authorization header"
        ));
    }
    if problems.is_empty() {
        check
            .pass(format!(
                "resource and {} authorization server(s) present",
                servers.len()
            ))
            .evidence("authorization_servers", servers)
    } else {
        check
            .fail(codes::PRM_INVALID, problems.join("; "))
            .evidence("problems", problems)
    }
}

fn prm_resource(doc: &Value, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.prm.resource",
        "PRM `resource` is the MCP URL clients use",
    );
    let Some(resource) = doc.get("resource").and_then(Value::as_str) else {
        return check.skip(
            crate::report::codes::PREREQUISITE_FAILED,
            "the document has no string `resource` (see the PRM validity check)",
        );
    };
    let check = check.evidence("resource", resource);
    let Some(mcp_url) = &exp.mcp_url else {
        return check.skip(
            crate::config::codes::MISSING,
            "set --host (and --api-path) to compare `resource` with the MCP URL",
        );
    };
    let check = check.evidence("mcp_url", mcp_url.as_str());
    if is_placeholder(resource) {
        return check
            .fail(
                codes::PRM_RESOURCE,
                format!("`resource` is the template value {resource:?}, not {mcp_url}"),
            )
            .fix(format!(
                "Set \"resource\" in the PRM policy (prm-policy.xml) to \"{mcp_url}\"."
            ));
    }
    let Ok(res_url) = Url::parse(resource) else {
        return check
            .fail(
                codes::PRM_RESOURCE,
                format!("`resource` {resource:?} is not an absolute URL; clients compare it with {mcp_url}"),
            )
            .fix(format!(
                "Set \"resource\" in the PRM policy (prm-policy.xml) to \"{mcp_url}\"."
            ));
    };
    match resource_match(&res_url, mcp_url) {
        ResourceMatch::Exact => check.pass(format!("`resource` is {resource}")),
        ResourceMatch::Prefix => check
            .warn(
                codes::PRM_RESOURCE,
                format!(
                    "`resource` {resource} is only a path prefix of the MCP URL {mcp_url}: the TypeScript and Rust SDKs accept it, clients that follow RFC 9728 §3.3 strictly reject the metadata"
                ),
            )
            .fix(format!(
                "Set \"resource\" in the PRM policy (prm-policy.xml) to the full MCP URL \"{mcp_url}\"."
            )),
        ResourceMatch::Mismatch => {
            let why = if res_url.host_str() != mcp_url.host_str() {
                format!(
                    " (another host: {}; clients reject the metadata as belonging to another resource)",
                    res_url.host_str().unwrap_or("?")
                )
            } else {
                " (clients reject metadata for another resource)".to_string()
            };
            check
                .fail(
                    codes::PRM_RESOURCE,
                    format!("`resource` {resource} does not match the MCP URL {mcp_url}{why}"),
                )
                .fix(format!(
                    "Set \"resource\" in the PRM policy (prm-policy.xml) to \"{mcp_url}\"."
                ))
        }
    }
}

/// Scope names that are OIDC/Entra built-ins, valid without an `api://` prefix.
const BUILTIN_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

fn prm_scope(doc: &Value, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.prm.scope",
        "PRM advertises the fully qualified scope clients must request",
    );
    let scopes = match string_array(doc, "scopes_supported") {
        Ok(Some(s)) => s,
        Ok(None) => {
            return check.fail(
                codes::PRM_SCOPE,
                format!(
                    "`scopes_supported` is missing: clients request no {} scope and Entra issues a token the gateway rejects",
                    exp.scope_name()
                ),
            );
        }
        Err(e) => {
            return check.skip(
                crate::report::codes::PREREQUISITE_FAILED,
                format!("{e} (see the PRM validity check)"),
            );
        }
    };
    scope_list_check(check, &scopes, exp, "`scopes_supported`", "prm-policy.xml")
}

/// Judge a list of scopes a client will request (PRM `scopes_supported` or a challenge's
/// `scope=`): the expected `api://…/<scope>` must be there and nothing left unqualified.
pub fn scope_list_check(
    check: Check,
    scopes: &[&str],
    exp: &DocExpect,
    what: &str,
    where_: &str,
) -> Check {
    let check = check.evidence("scopes", scopes.to_vec());
    let name = exp.scope_name();
    let unqualified: Vec<&str> = scopes
        .iter()
        .copied()
        .filter(|s| !s.contains("://") && !BUILTIN_SCOPES.contains(s) && !s.starts_with("api:"))
        .collect();
    let fix_for = |want: &str| format!("List \"{want}\" in {what} ({where_}).");
    let want = exp.expected_scope().unwrap_or_else(|| {
        format!(
            "api://<{}>/{name}",
            exp.client_app_flag().trim_start_matches("--")
        )
    });
    if !unqualified.is_empty() {
        return check
            .fail(
                codes::PRM_SCOPE,
                format!(
                    "{what} has {} without the api://<app-id>/ prefix: Entra resolves a bare scope against Microsoft Graph (AADSTS650053)",
                    unqualified.join(", ")
                ),
            )
            .fix(fix_for(&want));
    }
    if let Some(expected) = exp.expected_scope() {
        if scopes.iter().any(|s| s.eq_ignore_ascii_case(&expected)) {
            return check.pass(format!("{what} has {expected}"));
        }
        // The other hop's scope in its place (obo: the MCP API's mcp.access).
        let other = match exp.pattern {
            Pattern::Obo => exp
                .mcp_app_id
                .as_deref()
                .map(|id| format!("api://{id}/mcp.access")),
            _ => exp
                .gateway_app_id
                .as_deref()
                .map(|id| format!("api://{id}/Mcp.Gateway.Access")),
        };
        let detail = match other.filter(|o| scopes.iter().any(|s| s.eq_ignore_ascii_case(o))) {
            Some(o) => format!(
                "{what} lists {o}, the other hop's scope, instead of {expected}: clients get a token the gateway rejects"
            ),
            None => format!("{what} ({}) does not include {expected}", scopes.join(" ")),
        };
        return check.fail(codes::PRM_SCOPE, detail).fix(fix_for(&expected));
    }
    let suffix = format!("/{name}");
    match scopes
        .iter()
        .find(|s| s.starts_with("api://") && s.ends_with(&suffix))
    {
        Some(s) => check.pass(format!(
            "{what} has {s} (set {} to check its app ID)",
            exp.client_app_flag()
        )),
        None => check
            .fail(
                codes::PRM_SCOPE,
                format!("{what} ({}) has no api://…{suffix} scope", scopes.join(" ")),
            )
            .fix(fix_for(&want)),
    }
}

// ---------------------------------------------------------------- AS metadata (RFC 8414)

/// Checks on an authorization-server metadata document (the gateway's façade):
/// `as-invalid`, `as-issuer`, `as-pkce`, `as-placeholder`, `no-dcr`, `offline-access`.
///
/// `issuer_identifier` is the identifier the document was discovered from (an entry of
/// PRM `authorization_servers`); without it the issuer is compared with the gateway origin.
pub fn check_as_document(
    doc: &Value,
    issuer_identifier: Option<&str>,
    exp: &DocExpect,
) -> Vec<Check> {
    vec![
        as_shape(doc),
        as_issuer(doc, issuer_identifier, exp),
        as_pkce(doc),
        placeholder_check(
            "discovery.as.placeholder",
            "Authorization server metadata has no template placeholder",
            codes::AS_PLACEHOLDER,
            doc,
        ),
        as_registration(doc, exp),
        as_offline_access(doc),
    ]
}

fn as_shape(doc: &Value) -> Check {
    let check = Check::new(
        "discovery.as.valid",
        "Authorization server metadata is a valid RFC 8414 document",
    );
    let Some(obj) = doc.as_object() else {
        return check.fail(
            codes::AS_INVALID,
            format!(
                "the document is {}, not a JSON object",
                crate::input::json_type(doc, true)
            ),
        );
    };
    let mut problems = Vec::new();
    for field in ["issuer", "authorization_endpoint", "token_endpoint"] {
        match obj.get(field) {
            None => problems.push(format!("`{field}` is missing")),
            Some(Value::String(s)) if is_placeholder(s) => {}
            Some(Value::String(s)) if !is_http_url(s) => {
                problems.push(format!("`{field}` {s:?} is not an absolute URL"))
            }
            Some(Value::String(_)) => {}
            Some(v) => problems.push(format!(
                "`{field}` is {}, not a string",
                crate::input::json_type(v, true)
            )),
        }
    }
    for field in [
        "response_types_supported",
        "scopes_supported",
        "code_challenge_methods_supported",
        "grant_types_supported",
    ] {
        if let Err(e) = string_array(doc, field) {
            problems.push(e);
        }
    }
    if let Ok(Some(types)) = string_array(doc, "response_types_supported")
        && !types.contains(&"code")
    {
        problems.push(format!(
            "`response_types_supported` is {types:?} without \"code\": MCP clients use the authorization-code flow"
        ));
    }
    if let Ok(Some(grants)) = string_array(doc, "grant_types_supported")
        && !grants.contains(&"authorization_code")
    {
        problems.push(format!(
            "`grant_types_supported` is {grants:?} without \"authorization_code\""
        ));
    }
    if problems.is_empty() {
        check.pass("issuer, authorization_endpoint and token_endpoint present")
    } else {
        check
            .fail(codes::AS_INVALID, problems.join("; "))
            .evidence("problems", problems)
    }
}

fn as_issuer(doc: &Value, issuer_identifier: Option<&str>, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.as.issuer",
        "AS metadata `issuer` is the identifier it was discovered from",
    );
    let Some(issuer) = doc.get("issuer").and_then(Value::as_str) else {
        return check.skip(
            crate::report::codes::PREREQUISITE_FAILED,
            "the document has no string `issuer` (see the AS metadata validity check)",
        );
    };
    let check = check.evidence("issuer", issuer);
    let expected: String = match issuer_identifier {
        Some(id) => id.to_string(),
        None => match &exp.gateway {
            Some(g) => g.as_str().trim_end_matches('/').to_string(),
            None => {
                return check.skip(
                    crate::config::codes::MISSING,
                    "set --host to compare `issuer` with the gateway origin",
                );
            }
        },
    };
    let check = check.evidence("expected", expected.clone());
    let fix = format!(
        "Set \"issuer\" in the AS metadata policy (as-metadata-policy.xml) to exactly \"{expected}\"."
    );
    if issuer == expected {
        return check.pass(format!("`issuer` is {issuer}"));
    }
    if is_placeholder(issuer) {
        return check
            .fail(
                codes::AS_ISSUER,
                format!("`issuer` is the template value {issuer:?}, not {expected}"),
            )
            .fix(fix);
    }
    // Only a trailing slash on a root issuer differs: the Rust SDK tolerates it, RFC 8414
    // §3.3 (identical strings) does not.
    let root_trim = |s: &str| -> String {
        match s.strip_suffix('/') {
            Some(t) if Url::parse(t).is_ok_and(|u| u.path() == "/" || u.path().is_empty()) => {
                t.to_string()
            }
            _ => s.to_string(),
        }
    };
    if root_trim(issuer) == root_trim(&expected) {
        return check
            .warn(
                codes::AS_ISSUER,
                format!(
                    "`issuer` {issuer} differs from {expected} only by a trailing slash: RFC 8414 requires identical strings, some clients reject it"
                ),
            )
            .fix(fix);
    }
    let hint = if issuer.contains(exp.authority_trimmed()) || issuer.contains("/v2.0") {
        " — that is Entra's issuer; the façade served from the gateway must name the gateway"
    } else {
        ""
    };
    check
        .fail(
            codes::AS_ISSUER,
            format!(
                "`issuer` is {issuer}, but the document was discovered from {expected}{hint}: clients reject it (RFC 8414 §3.3)"
            ),
        )
        .fix(fix)
}

fn as_pkce(doc: &Value) -> Check {
    let check = Check::new("discovery.as.pkce", "AS metadata advertises PKCE with S256");
    match string_array(doc, "code_challenge_methods_supported") {
        Ok(Some(m)) if m.contains(&"S256") => check.pass("code_challenge_methods_supported has S256"),
        Ok(Some(m)) => check
            .fail(
                codes::AS_PKCE,
                format!(
                    "code_challenge_methods_supported is {m:?} without \"S256\": MCP clients must refuse to sign in"
                ),
            )
            .evidence("code_challenge_methods_supported", m),
        Ok(None) => check.fail(
            codes::AS_PKCE,
            "code_challenge_methods_supported is missing: MCP clients must refuse to sign in without it (Entra's own OIDC document does not list it, so the façade has to)",
        ),
        Err(e) => check.fail(codes::AS_PKCE, e),
    }
}

fn as_registration(doc: &Value, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.as.registration",
        "How clients get a client ID (Dynamic Client Registration)",
    );
    if let Some(reg) = doc.get("registration_endpoint").and_then(Value::as_str) {
        return check
            .pass(format!("registration_endpoint is {reg}"))
            .evidence("registration_endpoint", reg);
    }
    let who = match exp.pattern {
        Pattern::Obo => "the APIM Gateway app",
        _ => "the app registration clients sign in with",
    };
    let id = match exp.pattern {
        Pattern::Obo => exp.gateway_app_id.as_deref(),
        _ => None,
    };
    let detail = match id {
        Some(id) => format!(
            "no registration_endpoint (Entra has no Dynamic Client Registration): when VS Code shows \"Dynamic Client Registration not supported\", choose \"Copy URIs & Proceed\" and paste the client ID {id} ({who})"
        ),
        None => format!(
            "no registration_endpoint (Entra has no Dynamic Client Registration): when VS Code shows \"Dynamic Client Registration not supported\", choose \"Copy URIs & Proceed\" and paste the Application (client) ID of {who}"
        ),
    };
    let check = check.info(codes::NO_DCR, detail);
    match id {
        Some(id) => check
            .evidence("client_id", id)
            .fix(format!("Give MCP clients the client ID {id} when they ask (and pre-authorize other client IDs on the gateway scope).")),
        None => check,
    }
}

fn as_offline_access(doc: &Value) -> Check {
    let check = Check::new(
        "discovery.as.offline-access",
        "AS metadata does not advertise offline_access",
    );
    match string_array(doc, "scopes_supported") {
        Ok(Some(s)) if s.contains(&"offline_access") => check.warn(
            codes::OFFLINE_ACCESS,
            "scopes_supported lists offline_access: some clients then add prompt=consent, so users see the consent page at every sign-in (and cannot sign in where user consent is disabled)",
        ),
        _ => check.pass("offline_access is not advertised"),
    }
}

// ---------------------------------------------------------------- /authorize redirect

/// Checks on the `Location` of the `/authorize` redirect: `authorize-target` (Entra's v2.0
/// authorize endpoint of the tenant), and with `sent_query`, `authorize-query` (the query
/// string arrives unchanged).
pub fn check_authorize_location(
    location: &str,
    sent_query: Option<&str>,
    exp: &DocExpect,
) -> Vec<Check> {
    let mut checks = vec![authorize_target(location, exp)];
    if let Some(q) = sent_query {
        checks.push(authorize_query(location, q));
    }
    checks
}

/// The tenant segment of an Entra authorize/OIDC URL under `authority`, if it has one.
pub fn tenant_from_entra_url(u: &Url, authority: &str) -> Option<String> {
    let auth = Url::parse(authority).ok()?;
    if u.origin() != auth.origin() {
        return None;
    }
    let base = auth.path().trim_end_matches('/');
    let rest = u.path().strip_prefix(base)?;
    rest.trim_start_matches('/')
        .split('/')
        .next()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn authorize_target(location: &str, exp: &DocExpect) -> Check {
    let check = Check::new(
        "discovery.authorize.target",
        "/authorize redirects to the tenant's v2.0 authorize endpoint",
    )
    .evidence("location", location);
    let authority = exp.authority_trimmed();
    let want = match &exp.tenant_id {
        Some(t) => format!("{authority}/{t}/oauth2/v2.0/authorize"),
        None => format!("{authority}/<tenant-id>/oauth2/v2.0/authorize"),
    };
    let fix = format!(
        "In authorize-policy.xml, set the Location to @($\"{want}{{context.Request.OriginalUrl.QueryString}}\")."
    );
    let target_part = location.split('?').next().unwrap_or("");
    if is_placeholder(target_part) {
        return check
            .fail(
                codes::AUTHORIZE_TARGET,
                format!("the Location still holds a template placeholder: {target_part}"),
            )
            .fix(fix);
    }
    let Ok(u) = Url::parse(location) else {
        return check
            .fail(
                codes::AUTHORIZE_TARGET,
                format!("the Location {location:?} is not an absolute URL"),
            )
            .fix(fix);
    };
    let Ok(auth_url) = Url::parse(authority) else {
        return check.skip(
            crate::config::codes::INVALID,
            format!("--authority {authority:?} is not a URL"),
        );
    };
    if u.origin() != auth_url.origin() {
        return check
            .fail(
                codes::AUTHORIZE_TARGET,
                format!(
                    "the Location points at {}, not the authority {authority}",
                    u.origin().ascii_serialization()
                ),
            )
            .fix(fix);
    }
    let tenant = tenant_from_entra_url(&u, authority).unwrap_or_default();
    let base = auth_url.path().trim_end_matches('/');
    let after_tenant = u
        .path()
        .strip_prefix(base)
        .unwrap_or("")
        .trim_start_matches('/')
        .split_once('/')
        .map(|(_, r)| r)
        .unwrap_or("");
    let check = check.evidence("tenant", tenant.clone());
    if after_tenant != "oauth2/v2.0/authorize" {
        let why = if after_tenant == "oauth2/authorize" {
            "the v1.0 endpoint (oauth2/authorize): it issues v1 tokens and ignores v2 scopes"
                .to_string()
        } else {
            format!("/{after_tenant} instead of /oauth2/v2.0/authorize")
        };
        return check
            .fail(
                codes::AUTHORIZE_TARGET,
                format!("the Location points at {why}"),
            )
            .fix(fix);
    }
    match &exp.tenant_id {
        Some(t) if !t.eq_ignore_ascii_case(&tenant) => {
            let multi = matches!(
                tenant.to_ascii_lowercase().as_str(),
                "common" | "organizations" | "consumers"
            );
            let detail = if multi {
                format!(
                    "the Location uses the multi-tenant endpoint /{tenant}/, not the tenant {t}: a single-tenant gateway app cannot sign in there (AADSTS50194)"
                )
            } else {
                format!("the Location names the tenant {tenant}, not {t}")
            };
            check.fail(codes::AUTHORIZE_TARGET, detail).fix(fix)
        }
        Some(_) => check.pass(format!("302 to {}", u.as_str().split('?').next().unwrap_or(""))),
        None => check.pass(format!(
            "302 to Entra's v2.0 authorize endpoint of tenant {tenant} (set --tenant-id to check the tenant)"
        )),
    }
}

fn authorize_query(location: &str, sent: &str) -> Check {
    let check = Check::new(
        "discovery.authorize.query",
        "/authorize keeps the query string",
    );
    let sent = sent.trim_start_matches('?');
    let got = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let got = got.split('#').next().unwrap_or("");
    let fix = "Append the request's query string unchanged: @($\"…/oauth2/v2.0/authorize{context.Request.OriginalUrl.QueryString}\") — QueryString already starts with '?'.";
    if got.is_empty() {
        return check
            .fail(
                codes::AUTHORIZE_QUERY,
                "the query string was dropped: Entra gets no client_id, redirect_uri, PKCE challenge or state",
            )
            .fix(fix);
    }
    if got.starts_with('?') {
        return check
            .fail(
                codes::AUTHORIZE_QUERY,
                "the Location has a doubled '?': the policy adds '?' before QueryString, which already has one",
            )
            .fix(fix);
    }
    let parse = |q: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        v.sort();
        v
    };
    let (want, have) = (parse(sent), parse(got));
    if want == have {
        return check.pass(format!(
            "all {} query parameters arrive unchanged",
            want.len()
        ));
    }
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for (k, v) in &want {
        match have.iter().find(|(hk, _)| hk == k) {
            None => missing.push(k.clone()),
            Some((_, hv)) if hv != v => changed.push(k.clone()),
            _ => {}
        }
    }
    let added: Vec<String> = have
        .iter()
        .filter(|(k, _)| !want.iter().any(|(wk, _)| wk == k))
        .map(|(k, _)| k.clone())
        .collect();
    if missing.is_empty() && changed.is_empty() {
        return check
            .pass(format!(
                "all {} query parameters arrive unchanged (the gateway adds {})",
                want.len(),
                added.join(", ")
            ))
            .evidence("added", added);
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("dropped {}", missing.join(", ")));
    }
    if !changed.is_empty() {
        parts.push(format!("changed {}", changed.join(", ")));
    }
    check
        .fail(
            codes::AUTHORIZE_QUERY,
            format!("the query string was altered: {}", parts.join("; ")),
        )
        .evidence("missing", missing)
        .evidence("changed", changed)
        .fix(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use serde_json::json;

    const GW: &str = "11111111-2222-3333-4444-555555555555";
    const TID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    fn exp() -> DocExpect {
        DocExpect {
            mcp_url: Some(Url::parse("https://apim.example.net/context7/mcp").unwrap()),
            gateway: Some(Url::parse("https://apim.example.net/").unwrap()),
            gateway_app_id: Some(GW.into()),
            mcp_app_id: Some("99999999-2222-3333-4444-555555555555".into()),
            tenant_id: Some(TID.into()),
            authority: "https://login.microsoftonline.com".into(),
            pattern: Pattern::Obo,
        }
    }

    fn status_of<'a>(checks: &'a [Check], id: &str) -> &'a Check {
        checks.iter().find(|c| c.id == id).expect(id)
    }

    #[test]
    fn healthy_prm_passes() {
        let doc = json!({
            "resource": "https://apim.example.net/context7/mcp",
            "authorization_servers": ["https://apim.example.net"],
            "scopes_supported": [format!("api://{GW}/Mcp.Gateway.Access")],
            "bearer_methods_supported": ["header"]
        });
        let c = check_prm_document(&doc, &exp());
        assert!(c.iter().all(|c| c.status == Status::Pass), "{c:#?}");
    }

    #[test]
    fn guide_prm_template_is_flagged() {
        let doc = json!({
            "resource": "https://<your-apim-host>/context7",
            "authorization_servers": ["https://<your-apim-host>"],
            "scopes_supported": ["api://<gateway-app-id>/Mcp.Gateway.Access"],
        });
        let c = check_prm_document(&doc, &exp());
        assert_eq!(
            status_of(&c, "discovery.prm.placeholder").code,
            Some(codes::PRM_PLACEHOLDER)
        );
        assert_eq!(status_of(&c, "discovery.prm.resource").status, Status::Fail);
    }

    #[test]
    fn prefix_resource_warns_and_other_host_fails() {
        let mut doc = json!({
            "resource": "https://apim.example.net/context7",
            "authorization_servers": ["https://apim.example.net"],
            "scopes_supported": [format!("api://{GW}/Mcp.Gateway.Access")],
        });
        let c = check_prm_document(&doc, &exp());
        assert_eq!(status_of(&c, "discovery.prm.resource").status, Status::Warn);
        doc["resource"] = json!("https://mcp.context7.com/mcp");
        let c = check_prm_document(&doc, &exp());
        assert_eq!(status_of(&c, "discovery.prm.resource").status, Status::Fail);
        // A sibling path is not a prefix.
        doc["resource"] = json!("https://apim.example.net/context");
        let c = check_prm_document(&doc, &exp());
        assert_eq!(status_of(&c, "discovery.prm.resource").status, Status::Fail);
    }

    #[test]
    fn unqualified_and_wrong_hop_scopes_fail() {
        let mut doc = json!({
            "resource": "https://apim.example.net/context7/mcp",
            "authorization_servers": ["https://apim.example.net"],
            "scopes_supported": ["Mcp.Gateway.Access"],
        });
        let c = check_prm_document(&doc, &exp());
        let s = status_of(&c, "discovery.prm.scope");
        assert_eq!(s.code, Some(codes::PRM_SCOPE));
        assert!(s.detail.contains("650053"));
        doc["scopes_supported"] = json!(["api://99999999-2222-3333-4444-555555555555/mcp.access"]);
        let c = check_prm_document(&doc, &exp());
        assert!(
            status_of(&c, "discovery.prm.scope")
                .detail
                .contains("other hop")
        );
    }

    #[test]
    fn prm_not_object_is_invalid() {
        let c = check_prm_document(&json!([1, 2]), &exp());
        assert_eq!(
            status_of(&c, "discovery.prm.valid").code,
            Some(codes::PRM_INVALID)
        );
    }

    fn guide_as() -> Value {
        json!({
            "issuer": "https://apim.example.net",
            "authorization_endpoint": "https://apim.example.net/authorize",
            "token_endpoint": "https://apim.example.net/token",
            "jwks_uri": format!("https://login.microsoftonline.com/{TID}/discovery/v2.0/keys"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
            "scopes_supported": ["openid", "profile", "email", "offline_access", format!("api://{GW}/Mcp.Gateway.Access")]
        })
    }

    #[test]
    fn guide_as_document() {
        let c = check_as_document(&guide_as(), Some("https://apim.example.net"), &exp());
        assert_eq!(status_of(&c, "discovery.as.valid").status, Status::Pass);
        assert_eq!(status_of(&c, "discovery.as.issuer").status, Status::Pass);
        assert_eq!(status_of(&c, "discovery.as.pkce").status, Status::Pass);
        let dcr = status_of(&c, "discovery.as.registration");
        assert_eq!(dcr.status, Status::Info);
        assert!(dcr.detail.contains(GW));
        assert_eq!(
            status_of(&c, "discovery.as.offline-access").status,
            Status::Warn
        );
        // Without an identifier, the gateway origin is expected.
        let c = check_as_document(&guide_as(), None, &exp());
        assert_eq!(status_of(&c, "discovery.as.issuer").status, Status::Pass);
    }

    #[test]
    fn as_issuer_and_pkce_failures() {
        let mut doc = guide_as();
        doc["issuer"] = json!(format!("https://login.microsoftonline.com/{TID}/v2.0"));
        doc.as_object_mut()
            .unwrap()
            .remove("code_challenge_methods_supported");
        let c = check_as_document(&doc, Some("https://apim.example.net"), &exp());
        assert_eq!(status_of(&c, "discovery.as.issuer").status, Status::Fail);
        assert_eq!(status_of(&c, "discovery.as.pkce").status, Status::Fail);
        doc["issuer"] = json!("https://apim.example.net/");
        let c = check_as_document(&doc, Some("https://apim.example.net"), &exp());
        assert_eq!(status_of(&c, "discovery.as.issuer").status, Status::Warn);
    }

    #[test]
    fn authorize_location() {
        let q = "client_id=x&response_type=code&state=s";
        let good = format!("https://login.microsoftonline.com/{TID}/oauth2/v2.0/authorize?{q}");
        let c = check_authorize_location(&good, Some(q), &exp());
        assert!(c.iter().all(|c| c.status == Status::Pass), "{c:#?}");
        let dropped = format!("https://login.microsoftonline.com/{TID}/oauth2/v2.0/authorize");
        let c = check_authorize_location(&dropped, Some(q), &exp());
        assert_eq!(
            status_of(&c, "discovery.authorize.query").status,
            Status::Fail
        );
        let doubled = format!("{dropped}??{q}");
        let c = check_authorize_location(&doubled, Some(q), &exp());
        assert!(
            status_of(&c, "discovery.authorize.query")
                .detail
                .contains("doubled")
        );
        let v1 = format!("https://login.microsoftonline.com/{TID}/oauth2/authorize?{q}");
        let c = check_authorize_location(&v1, Some(q), &exp());
        assert_eq!(
            status_of(&c, "discovery.authorize.target").status,
            Status::Fail
        );
        let other = format!("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?{q}");
        let c = check_authorize_location(&other, None, &exp());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].status, Status::Fail);
        let ph =
            format!("https://login.microsoftonline.com/<your-tenant-id>/oauth2/v2.0/authorize?{q}");
        let c = check_authorize_location(&ph, None, &exp());
        assert!(c[0].detail.contains("placeholder"));
    }

    #[test]
    fn mcp_url_derivation() {
        let u = mcp_url_for(&Url::parse("https://h.example").unwrap(), "context7");
        assert_eq!(u.as_str(), "https://h.example/context7/mcp");
        let u = mcp_url_for(&Url::parse("https://h.example/x/mcp").unwrap(), "context7");
        assert_eq!(u.as_str(), "https://h.example/x/mcp");
    }
}
