//! What the discovery checks share: the expected deployment ([`DocExpect`]) and the
//! template-placeholder and JSON-shape helpers (the MCP URL and origin derived from the
//! target are the configuration's, [`crate::config::mcp_url_for`]). The document checks
//! themselves live with their links — the PRM in [`super::prm`], the AS metadata in
//! [`super::as_metadata`], the `/authorize` Location in [`super::authorize`] — and are
//! re-exported by [`super`] for the policy linter, which feeds them the bodies it finds in
//! `<return-response>`/`<set-body>` and `Location` headers.

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
            .map(crate::config::origin_of)
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
    pub(super) fn client_app_flag(&self) -> &'static str {
        match self.pattern {
            Pattern::Obo => "--gateway-app-id",
            Pattern::Passthrough | Pattern::SharedKey => "--mcp-app-id",
        }
    }

    /// The authority without a trailing slash.
    pub(super) fn authority_trimmed(&self) -> &str {
        self.authority.trim_end_matches('/')
    }
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

pub(super) fn placeholder_check(
    id: &str,
    title: &str,
    code: crate::findings::Code,
    doc: &Value,
) -> Check {
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
pub(super) fn string_array<'a>(
    doc: &'a Value,
    field: &str,
) -> Result<Option<Vec<&'a str>>, String> {
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

pub(super) fn is_http_url(s: &str) -> bool {
    Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

// The document checks live with their links; re-exported here for the policy linter.

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::discovery::{as_metadata::*, authorize::*, codes, prm::*};
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
        // Absent: the TypeScript SDKs and rmcp go on (and send S256); spec-strict clients stop.
        assert_eq!(status_of(&c, "discovery.as.pkce").status, Status::Warn);
        doc["code_challenge_methods_supported"] = json!(["plain"]);
        let c = check_as_document(&doc, Some("https://apim.example.net"), &exp());
        assert_eq!(status_of(&c, "discovery.as.pkce").status, Status::Fail);
        // A trailing slash: the TypeScript SDK v2 stops with IssuerMismatchError.
        doc["issuer"] = json!("https://apim.example.net/");
        let c = check_as_document(&doc, Some("https://apim.example.net"), &exp());
        assert_eq!(status_of(&c, "discovery.as.issuer").status, Status::Fail);
    }

    #[test]
    fn a_removed_resource_is_not_an_altered_query() {
        let q = "client_id=x&response_type=code&state=s&resource=https%3A%2F%2Fapim.example.net%2Fcontext7%2Fmcp";
        let kept = "client_id=x&response_type=code&state=s";
        let loc = format!("https://login.microsoftonline.com/{TID}/oauth2/v2.0/authorize?{kept}");
        let c = check_authorize_location(&loc, Some(q), &exp());
        assert_eq!(
            status_of(&c, "discovery.authorize.query").status,
            Status::Pass,
            "{c:#?}"
        );
        // Anything else removed still is.
        let loc = format!(
            "https://login.microsoftonline.com/{TID}/oauth2/v2.0/authorize?client_id=x&response_type=code"
        );
        let c = check_authorize_location(&loc, Some(q), &exp());
        assert_eq!(
            status_of(&c, "discovery.authorize.query").status,
            Status::Fail
        );
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
}
