//! The documents `apps` reads, as the Azure CLI prints them (Microsoft Graph's JSON), and
//! how a file's kind is recognised from its shape.
//!
//! Only the fields the checks need are read; every other field is ignored, since Graph
//! adds properties over time. A field of the wrong type (a string where Graph prints a
//! list) makes the document unreadable, with the path of the field in the finding.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Largest file read. An `az ad app show` document is a few KiB; a tenant-wide
/// `az ad app list` can be many MiB and is not what this command wants.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Most elements of one list looked at (grants, federated credentials).
pub const MAX_LIST_ITEMS: usize = 5_000;

/// `null` or absent → the type's default (Graph prints `null` for empty complex values).
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A Graph `application` (`az ad app show --id <appId>`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Application {
    /// The object ID (not used to match: the application ID is).
    pub id: Option<String>,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub sign_in_audience: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub identifier_uris: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub api: Api,
    #[serde(deserialize_with = "nullable")]
    pub required_resource_access: Vec<RequiredResourceAccess>,
    #[serde(deserialize_with = "nullable")]
    pub password_credentials: Vec<Credential>,
    #[serde(deserialize_with = "nullable")]
    pub key_credentials: Vec<Credential>,
    #[serde(deserialize_with = "nullable")]
    pub web: RedirectSet,
    #[serde(deserialize_with = "nullable")]
    pub spa: RedirectSet,
    #[serde(deserialize_with = "nullable")]
    pub public_client: RedirectSet,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Api {
    pub requested_access_token_version: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
    #[serde(deserialize_with = "nullable")]
    pub pre_authorized_applications: Vec<PreAuthorized>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PermissionScope {
    pub id: Option<String>,
    pub value: Option<String>,
    pub is_enabled: Option<bool>,
    /// `User` (admins and users may consent) or `Admin`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PreAuthorized {
    pub app_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub delegated_permission_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequiredResourceAccess {
    pub resource_app_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub resource_access: Vec<ResourceAccess>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceAccess {
    pub id: Option<String>,
    /// `Scope` (delegated) or `Role` (application).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A password or key credential. `az` never prints a secret's value; the `hint` (its first
/// characters) is not read, so it cannot reach a report.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Credential {
    pub key_id: Option<String>,
    pub display_name: Option<String>,
    pub end_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RedirectSet {
    #[serde(deserialize_with = "nullable")]
    pub redirect_uris: Vec<String>,
}

/// A Graph `servicePrincipal` (`az ad sp show --id <appId>`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePrincipal {
    /// The object ID: what grants name as `clientId` / `resourceId`.
    pub id: Option<String>,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
}

/// One `oauth2PermissionGrant` (delegated consent).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Grant {
    /// Object ID of the client's service principal.
    pub client_id: Option<String>,
    /// `AllPrincipals` (admin consent for everyone) or `Principal` (one user).
    pub consent_type: Option<String>,
    /// Object ID of the resource's service principal.
    pub resource_id: Option<String>,
    /// Space-separated scope values.
    pub scope: Option<String>,
}

impl Grant {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.split_whitespace().any(|v| v == scope))
    }
    pub fn tenant_wide(&self) -> bool {
        self.consent_type.as_deref() == Some("AllPrincipals")
    }
}

/// One federated identity credential (`az ad app federated-credential list`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FederatedCredential {
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub audiences: Vec<String>,
}

/// What one file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Application(Box<Application>),
    ServicePrincipal(ServicePrincipal),
    Grants(Vec<Grant>),
    FederatedCredentials(Vec<FederatedCredential>),
}

impl Document {
    pub fn kind(&self) -> &'static str {
        match self {
            Document::Application(_) => "application (az ad app show)",
            Document::ServicePrincipal(_) => "service principal (az ad sp show)",
            Document::Grants(_) => "delegated permission grants (oauth2PermissionGrants)",
            Document::FederatedCredentials(_) => {
                "federated credentials (az ad app federated-credential list)"
            }
        }
    }
}

fn is_object_with(v: &Value, keys: &[&str]) -> bool {
    v.as_object()
        .is_some_and(|o| keys.iter().any(|k| o.contains_key(*k)))
}

fn odata_context(v: &Value) -> &str {
    v.get("@odata.context")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn looks_like_sp(v: &Value) -> bool {
    is_object_with(v, &["appId"])
        && (is_object_with(
            v,
            &[
                "servicePrincipalType",
                "servicePrincipalNames",
                "appOwnerOrganizationId",
                "appRoleAssignmentRequired",
            ],
        ) || odata_context(v).contains("servicePrincipals"))
}

fn looks_like_app(v: &Value) -> bool {
    is_object_with(v, &["appId"])
        && !looks_like_sp(v)
        && (is_object_with(
            v,
            &[
                "api",
                "requiredResourceAccess",
                "identifierUris",
                "signInAudience",
                "web",
                "passwordCredentials",
            ],
        ) || odata_context(v).contains("applications"))
}

fn looks_like_grant(v: &Value) -> bool {
    is_object_with(v, &["clientId"]) && is_object_with(v, &["consentType", "scope"])
}

fn looks_like_federated(v: &Value) -> bool {
    is_object_with(v, &["issuer"]) && is_object_with(v, &["subject", "audiences"])
}

/// Deserialize with the JSON path of a bad field in the message.
fn typed<T: for<'de> Deserialize<'de>>(v: &Value, what: &str) -> Result<T, String> {
    T::deserialize(v).map_err(|e| format!("{what}: {e}"))
}

fn list<T: for<'de> Deserialize<'de>>(items: &[Value], what: &str) -> Result<Vec<T>, String> {
    if items.len() > MAX_LIST_ITEMS {
        return Err(format!(
            "a list of {} {what}: more than the {MAX_LIST_ITEMS} c7doctor reads from one file",
            items.len()
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| typed(v, &format!("{what} [{i}]")))
        .collect()
}

/// Recognise a document from its text. `Err` is the sentence for the finding.
pub fn parse(text: &str) -> Result<Document, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err("the file is empty".into());
    }
    if trimmed.starts_with('<') {
        return Err(
            "the file is HTML or XML, not JSON — a proxy's or sign-in page saved instead of the az output?"
                .into(),
        );
    }
    let v: Value = serde_json::from_str(trimmed).map_err(|e| format!("not valid JSON: {e}"))?;
    classify(&v)
}

fn classify(v: &Value) -> Result<Document, String> {
    match v {
        Value::Object(o) => {
            if let Some(err) = o.get("error").filter(|e| e.is_object()) {
                let code = err.get("code").and_then(Value::as_str).unwrap_or("?");
                let msg = err.get("message").and_then(Value::as_str).unwrap_or("");
                return Err(format!(
                    "a Microsoft Graph error answer, not a document: {code}: {msg}"
                ));
            }
            if o.get("$schema")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("deploymentTemplate"))
                || (o.contains_key("resources") && o.contains_key("contentVersion"))
            {
                return Err(
                    "an ARM template: it describes a deployment, not the app registration as Entra holds it"
                        .into(),
                );
            }
            if looks_like_sp(v) {
                return typed(v, "service principal").map(Document::ServicePrincipal);
            }
            if looks_like_app(v) {
                return typed::<Application>(v, "application")
                    .map(|a| Document::Application(Box::new(a)));
            }
            if let Some(Value::Array(items)) = o.get("value") {
                let ctx = odata_context(v);
                if items.iter().all(looks_like_grant)
                    && (!items.is_empty() || ctx.contains("oauth2PermissionGrants"))
                {
                    return list(items, "grant").map(Document::Grants);
                }
                if items.is_empty() {
                    return Err("an empty Graph collection (`value: []`) whose kind is unknown: nothing in it to read".into());
                }
                return Err(describe_array(items));
            }
            Err(format!(
                "a JSON object that is not an application, a service principal or a grants answer (its keys: {})",
                o.keys().take(8).cloned().collect::<Vec<_>>().join(", ")
            ))
        }
        Value::Array(items) => {
            if items.is_empty() {
                return Err(
                    "an empty JSON list: no document in it (an app without federated credentials prints [])"
                        .into(),
                );
            }
            if items.iter().all(looks_like_federated) {
                return list(items, "federated credential").map(Document::FederatedCredentials);
            }
            if items.iter().all(looks_like_grant) {
                return list(items, "grant").map(Document::Grants);
            }
            Err(describe_array(items))
        }
        other => Err(format!(
            "a JSON {} at the top level, not a document",
            crate::input::json_type(other, false)
        )),
    }
}

fn describe_array(items: &[Value]) -> String {
    if items.iter().any(looks_like_app) {
        format!(
            "a list of {} applications (az ad app list?); export the two apps one by one with `az ad app show --id <app-id>`",
            items.len()
        )
    } else if items.iter().any(looks_like_sp) {
        format!(
            "a list of {} service principals (az ad sp list?); export each with `az ad sp show --id <app-id>`",
            items.len()
        )
    } else {
        format!(
            "a list of {} items that are not grants or federated credentials",
            items.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_recognised_by_shape() {
        let app = r#"{"id":"o1","appId":"a1","api":{"requestedAccessTokenVersion":2},"unknownField":{"x":1}}"#;
        assert!(matches!(parse(app), Ok(Document::Application(_))));
        let sp = r#"{"id":"s1","appId":"a1","servicePrincipalType":"Application"}"#;
        assert!(matches!(parse(sp), Ok(Document::ServicePrincipal(_))));
        let grants = r#"{"@odata.context":"x/$metadata#oauth2PermissionGrants","value":[]}"#;
        assert_eq!(parse(grants), Ok(Document::Grants(vec![])));
        let fics = r#"[{"issuer":"https://context7.com","subject":"teamspace:1","audiences":["api://AzureADTokenExchange"]}]"#;
        assert!(matches!(parse(fics), Ok(Document::FederatedCredentials(_))));
    }

    #[test]
    fn nulls_read_as_empty() {
        let app = r#"{"appId":"a1","api":null,"identifierUris":null,"web":{"redirectUris":null}}"#;
        let Ok(Document::Application(a)) = parse(app) else {
            panic!("not an app")
        };
        assert!(a.identifier_uris.is_empty() && a.api.oauth2_permission_scopes.is_empty());
    }

    #[test]
    fn bad_inputs_are_named() {
        for (text, needle) in [
            ("", "empty"),
            ("<html><body>Sign in</body></html>", "HTML"),
            (r#"[{"appId":"a","api":{}}]"#, "az ad app list"),
            (
                r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","resources":[]}"#,
                "ARM template",
            ),
            (
                r#"{"error":{"code":"Request_ResourceNotFound","message":"gone"}}"#,
                "Request_ResourceNotFound",
            ),
            (
                r#"{"appId":"a","identifierUris":"api://a"}"#,
                "expected a sequence",
            ),
            ("[]", "empty JSON list"),
            ("42", "number"),
        ] {
            let e = parse(text).expect_err(text);
            assert!(e.contains(needle), "{text}: {e}");
        }
    }
}
