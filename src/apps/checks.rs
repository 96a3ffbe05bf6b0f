//! The `apps.*` checks on the two registrations (guide 2 Part 2), whatever the documents
//! came from (files or Microsoft Graph).
//!
//! Severity follows what Entra does with the registration: a `fail` only where a sign-in or
//! the OBO exchange is predicted to be refused; a `warn` where it works for some clients or
//! only until something changes; an `info` for a note.

use jiff::Timestamp;
use url::Url;

use super::codes;
use super::documents::{Application, Grant, PermissionScope, ServicePrincipal};
use crate::deployment::{ClientApp, Pattern};
use crate::report::Check;

/// VS Code's well-known client ID (guide 2 Part 2 Step 3).
pub const VSCODE_CLIENT_ID: &str = "aebc6443-996d-45c2-90f0-388ff96faa56";
/// The Azure CLI's client ID (the guide's Part 6 smoke test).
pub use crate::deployment::AZURE_CLI_CLIENT_ID;
/// VS Code's hosted sign-in broker.
pub const VSCODE_REDIRECT: &str = "https://vscode.dev/redirect";
/// A credential ending within this many days is `apps.secret-expiring`.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Which registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Gateway,
    Mcp,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Gateway => "Gateway",
            Role::Mcp => "MCP API",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Role::Gateway => "gateway",
            Role::Mcp => "mcp",
        }
    }
    /// The scope the chain asks this app for.
    pub fn scope(self) -> &'static str {
        match self {
            Role::Gateway => "Mcp.Gateway.Access",
            Role::Mcp => "mcp.access",
        }
    }
    pub fn option(self) -> &'static str {
        match self {
            Role::Gateway => "--gateway-app-id",
            Role::Mcp => "--mcp-app-id",
        }
    }
}

impl ClientApp {
    fn known() -> [(ClientApp, &'static str, &'static str); 2] {
        [
            (ClientApp::Vscode, VSCODE_CLIENT_ID, "VS Code"),
            (ClientApp::AzureCli, AZURE_CLI_CLIENT_ID, "the Azure CLI"),
        ]
    }
}

/// One document and where it came from (a file name, or `Microsoft Graph`).
#[derive(Debug, Clone)]
pub struct Found<T> {
    pub doc: T,
    pub source: String,
}

/// What is known about the two registrations.
#[derive(Debug, Clone, Default)]
pub struct Registrations {
    pub gateway: Option<Found<Application>>,
    pub mcp: Option<Found<Application>>,
    pub gateway_sp: Option<Found<ServicePrincipal>>,
    pub mcp_sp: Option<Found<ServicePrincipal>>,
    /// The Gateway app's delegated grants; `None` when they were not given or read.
    pub grants: Option<Found<Vec<Grant>>>,
    /// Roles whose application Graph did not answer for (a refusal or failure, not "none").
    pub unread: Vec<Role>,
}

impl Registrations {
    fn app(&self, role: Role) -> Option<&Found<Application>> {
        match role {
            Role::Gateway => self.gateway.as_ref(),
            Role::Mcp => self.mcp.as_ref(),
        }
    }
}

/// What the audit runs with.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub pattern: Pattern,
    pub now: Timestamp,
    pub gateway_app_id: Option<String>,
    pub mcp_app_id: Option<String>,
    /// The gateway origin (`--host`), for the PRM resource.
    pub host: Option<Url>,
    pub api_path: String,
    /// The clients the user says they use (`--client`); empty: not said.
    pub clients: Vec<ClientApp>,
    /// The documents come from Microsoft Graph (else from files).
    pub live: bool,
    /// No file was given and Graph was not asked: nothing was looked for.
    pub nothing_given: bool,
}

impl AuditOptions {
    fn app_id(&self, role: Role) -> Option<&str> {
        match role {
            Role::Gateway => self.gateway_app_id.as_deref(),
            Role::Mcp => self.mcp_app_id.as_deref(),
        }
    }
    /// The roles this pattern has: the Gateway app exists only with OBO.
    fn roles(&self) -> &'static [Role] {
        match self.pattern {
            Pattern::Obo => &[Role::Gateway, Role::Mcp],
            _ => &[Role::Mcp],
        }
    }
    /// The app clients sign in to: the Gateway app (OBO) or the MCP API app.
    fn client_role(&self) -> Role {
        match self.pattern {
            Pattern::Obo => Role::Gateway,
            _ => Role::Mcp,
        }
    }
}

fn check(role: Role, what: &str, title: String) -> Check {
    Check::new(format!("apps.{}.{what}", role.key()), title)
}

fn prerequisite(c: Check, role: Role) -> Check {
    c.skip(
        crate::report::codes::PREREQUISITE_FAILED,
        format!(
            "the {} app registration was not read (see apps.{}.found)",
            role.label(),
            role.key()
        ),
    )
}

/// Every check of the audit, in the guide's order.
pub fn audit(reg: &Registrations, opts: &AuditOptions) -> Vec<Check> {
    let mut out = Vec::new();
    for &role in opts.roles() {
        out.push(found(role, reg, opts));
    }
    for &role in opts.roles() {
        let Some(app) = reg.app(role) else {
            for (what, title) in [
                ("token-version", "issues v2.0 tokens"),
                (
                    "identifier-uri",
                    "has the Application ID URI api://<app-id>",
                ),
                ("scope", "exposes its scope"),
                ("sign-in-audience", "is single-tenant"),
            ] {
                out.push(prerequisite(
                    check(role, what, format!("{} app {title}", role.label())),
                    role,
                ));
            }
            continue;
        };
        out.push(token_version(role, &app.doc));
        out.push(identifier_uri(role, &app.doc));
        out.push(scope(role, &app.doc).0);
        out.push(sign_in_audience(role, &app.doc));
    }
    if opts.pattern == Pattern::Obo {
        out.extend(obo_chain(reg));
    }
    let client_role = opts.client_role();
    match reg.app(client_role) {
        Some(app) => {
            out.extend(clients_preauthorized(client_role, &app.doc, opts));
            out.push(redirect_uris(client_role, &app.doc, opts));
            out.push(resource_identifier(client_role, &app.doc, opts));
        }
        None => {
            for (what, title) in [
                ("clients", "clients are pre-authorized"),
                ("redirect-uri", "has VS Code's Web redirect URI"),
                (
                    "resource-identifier",
                    "has the PRM resource as an identifier",
                ),
            ] {
                out.push(prerequisite(
                    check(
                        client_role,
                        what,
                        format!("{} app {title}", client_role.label()),
                    ),
                    client_role,
                ));
            }
        }
    }
    if opts.pattern == Pattern::Obo {
        out.push(match &reg.gateway {
            Some(g) => credentials(&g.doc, opts.now),
            None => prerequisite(
                check(
                    Role::Gateway,
                    "credential",
                    "Gateway app has a valid client secret".into(),
                ),
                Role::Gateway,
            ),
        });
    }
    out
}

fn export_command(role: Role, id: &str) -> String {
    format!("az ad app show --id {id} > {}-app.json", role.key())
}

fn found(role: Role, reg: &Registrations, opts: &AuditOptions) -> Check {
    let c = check(
        role,
        "found",
        format!("{} app registration was read", role.label()),
    );
    if reg.app(role).is_none() && reg.unread.contains(&role) {
        return c.skip(
            crate::report::codes::PREREQUISITE_FAILED,
            format!(
                "Microsoft Graph did not answer for the {} app (see apps.graph.{}-app)",
                role.label(),
                role.key()
            ),
        );
    }
    if opts.nothing_given {
        return c.skip(
            crate::config::codes::MISSING,
            format!(
                "no document given: export the {} app with `az ad app show --id <app-id>` and give the file, or read Graph with --graph",
                role.label()
            ),
        );
    }
    match (reg.app(role), opts.app_id(role)) {
        (Some(app), _) => {
            let name = app.doc.display_name.as_deref().unwrap_or("(no name)");
            c.pass(format!(
                "{} ({}) from {}",
                app.doc.app_id.as_deref().unwrap_or("?"),
                name,
                app.source
            ))
            .evidence("app_id", app.doc.app_id.clone().unwrap_or_default())
            .evidence("display_name", name.to_string())
            .evidence("source", app.source.clone())
        }
        (None, Some(id)) => {
            let detail = if opts.live {
                format!(
                    "Microsoft Graph has no application with Application (client) ID {id} in the signed-in tenant"
                )
            } else {
                format!(
                    "no az ad app show document for the {} app {id} among the files given",
                    role.label()
                )
            };
            c.fail(codes::NOT_FOUND, detail)
                .fix_var("app_id", id.to_string())
                .fix_var("export", export_command(role, id))
                .evidence("app_id", id.to_string())
        }
        (None, None) => c.skip(
            crate::config::codes::MISSING,
            format!(
                "{} is not set and no file could be recognised as the {} app (it exposes {})",
                role.option(),
                role.label(),
                role.scope()
            ),
        ),
    }
}

fn app_id(app: &Application) -> String {
    app.app_id.clone().unwrap_or_default()
}

fn vars(c: Check, role: Role, app: &Application) -> Check {
    c.fix_var("app_id", app_id(app))
        .fix_var("app_role", role.label().to_string())
        .fix_var("scope", role.scope().to_string())
}

fn token_version(role: Role, app: &Application) -> Check {
    let c = check(
        role,
        "token-version",
        format!("{} app issues v2.0 tokens", role.label()),
    );
    match app.api.requested_access_token_version {
        Some(2) => c
            .pass("api.requestedAccessTokenVersion is 2")
            .evidence("requestedAccessTokenVersion", 2),
        v => {
            let shown = v.map(|n| n.to_string()).unwrap_or_else(|| "null".into());
            let hop = match role {
                Role::Gateway => "the tokens clients send APIM",
                Role::Mcp => "the tokens Context7 receives",
            };
            vars(
                c.fail(
                    codes::TOKEN_VERSION,
                    format!(
                        "api.requestedAccessTokenVersion is {shown}: Entra issues v1.0 tokens for this app ({hop}), with iss https://sts.windows.net/<tid>/"
                    ),
                ),
                role,
                app,
            )
            .evidence(
                "requestedAccessTokenVersion",
                v.map(serde_json::Value::from)
                    .unwrap_or(serde_json::Value::Null),
            )
        }
    }
}

fn identifier_uri(role: Role, app: &Application) -> Check {
    let id = app_id(app);
    let expected = format!("api://{id}");
    let c = check(
        role,
        "identifier-uri",
        format!(
            "{} app has the Application ID URI api://<app-id>",
            role.label()
        ),
    )
    .evidence("identifierUris", app.identifier_uris.clone());
    if app
        .identifier_uris
        .iter()
        .any(|u| u.trim_end_matches('/').eq_ignore_ascii_case(&expected))
    {
        return c.pass(format!("identifierUris holds {expected}"));
    }
    if app.identifier_uris.is_empty() {
        return vars(
            c.fail(
                codes::IDENTIFIER_URI,
                format!(
                    "identifierUris is empty: the scope api://{id}/{} cannot be resolved (Expose an API › Application ID URI was never set)",
                    role.scope()
                ),
            ),
            role,
            app,
        );
    }
    // Another URI works for clients and policies that use it consistently; the guide's
    // scope names and c7doctor's other checks expect api://<app-id>.
    vars(
        c.warn(
            codes::IDENTIFIER_URI,
            format!(
                "identifierUris is {} without {expected}: scopes named api://{id}/… (the guide's PRM scope, the OBO call's api://<mcp-app-id>/.default) do not resolve; only scopes named with {} do",
                app.identifier_uris.join(", "),
                app.identifier_uris[0]
            ),
        ),
        role,
        app,
    )
}

/// The scope check, and the scope when it is usable (its ID is what permissions name).
fn scope(role: Role, app: &Application) -> (Check, Option<&PermissionScope>) {
    let want = role.scope();
    let c = check(
        role,
        "scope",
        format!("{} app exposes the scope {want}", role.label()),
    );
    let scopes = &app.api.oauth2_permission_scopes;
    let values: Vec<String> = scopes.iter().filter_map(|s| s.value.clone()).collect();
    let c = c.evidence("scopes", values.clone());
    let fail = |c: Check, detail: String| vars(c.fail(codes::SCOPE_MISSING, detail), role, app);
    if let Some(s) = scopes.iter().find(|s| s.value.as_deref() == Some(want)) {
        if s.is_enabled == Some(false) {
            return (
                fail(
                    c,
                    format!("the scope {want} exists but is disabled: Entra does not issue it"),
                ),
                None,
            );
        }
        if s.kind.as_deref() == Some("Admin") {
            return (
                vars(
                    c.warn(
                        codes::SCOPE_MISSING,
                        format!(
                            "the scope {want} is admin-consent only (Who can consent: Admins): users cannot consent themselves, so every client not pre-authorized needs an administrator's consent; the guide sets Admins and users"
                        ),
                    ),
                    role,
                    app,
                ),
                Some(s),
            );
        }
        return (
            c.pass(format!("{want} is exposed, enabled, consentable by users")),
            Some(s),
        );
    }
    // A near miss: the same letters in another case, or a small typo.
    let near = values
        .iter()
        .map(|v| {
            (
                v,
                strsim::levenshtein(&v.to_lowercase(), &want.to_lowercase()),
            )
        })
        .filter(|(v, d)| *d <= 3 || v.eq_ignore_ascii_case(want))
        .min_by_key(|(_, d)| *d);
    let detail = match near {
        Some((v, 0)) => format!(
            "the app exposes {v}, not {want}: scope values are case-sensitive — clients ask for {want} and APIM and Context7 compare scp with {want}, so the tokens never match"
        ),
        Some((v, d)) => format!(
            "the app exposes {v}, not {want} ({d} character{} apart): a typo in the scope name",
            if d == 1 { "" } else { "s" }
        ),
        None if values.is_empty() => {
            "the app exposes no scope at all (Expose an API › Scopes defined by this API is empty)"
                .to_string()
        }
        None => format!("the app exposes {} but not {want}", values.join(", ")),
    };
    (fail(c, detail), None)
}

fn sign_in_audience(role: Role, app: &Application) -> Check {
    let c = check(
        role,
        "sign-in-audience",
        format!("{} app is single-tenant", role.label()),
    );
    match app.sign_in_audience.as_deref() {
        Some("AzureADMyOrg") => c
            .pass("signInAudience is AzureADMyOrg")
            .evidence("signInAudience", "AzureADMyOrg"),
        other => {
            let shown = other.unwrap_or("(not set)");
            let why = match other {
                Some("AzureADMultipleOrgs") => {
                    "users of any Entra organisation can get tokens for it"
                }
                Some(s) if s.contains("Personal") => {
                    "personal Microsoft accounts can get tokens for it (tenant 9188040d-…), which Context7 does not accept"
                }
                _ => "it is not the guide's 'Single tenant only'",
            };
            vars(
                c.warn(
                    codes::SIGN_IN_AUDIENCE,
                    format!("signInAudience is {shown}: {why}"),
                ),
                role,
                app,
            )
            .evidence("signInAudience", shown.to_string())
        }
    }
}

/// The OBO chain: permission, consent, pre-authorization. A `fail` only when no path to
/// the permission remains (Entra then answers AADSTS65001 on the OBO exchange).
fn obo_chain(reg: &Registrations) -> Vec<Check> {
    let perm = check(
        Role::Gateway,
        "permission",
        "Gateway app holds the MCP API's delegated mcp.access".into(),
    );
    let consent = check(
        Role::Gateway,
        "consent",
        "Gateway app's mcp.access is consented (admin consent or pre-authorization)".into(),
    );
    let preauth = check(
        Role::Mcp,
        "preauthorized",
        "Gateway app is pre-authorized on the MCP API's mcp.access".into(),
    );
    let (Some(g), Some(m)) = (&reg.gateway, &reg.mcp) else {
        let role = if reg.gateway.is_none() {
            Role::Gateway
        } else {
            Role::Mcp
        };
        return vec![
            prerequisite(perm, role),
            prerequisite(consent, role),
            prerequisite(preauth, role),
        ];
    };
    let (g, m) = (&g.doc, &m.doc);
    let (gid, mid) = (app_id(g), app_id(m));
    let scope_id = scope(Role::Mcp, m).1.and_then(|s| s.id.clone());
    let Some(scope_id) = scope_id else {
        let why = "the MCP API app does not expose a usable mcp.access (see apps.mcp.scope)";
        return vec![
            perm.skip(crate::report::codes::PREREQUISITE_FAILED, why),
            consent.skip(crate::report::codes::PREREQUISITE_FAILED, why),
            preauth.skip(crate::report::codes::PREREQUISITE_FAILED, why),
        ];
    };
    let has_permission = g.required_resource_access.iter().any(|r| {
        r.resource_app_id
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(&mid))
            && r.resource_access.iter().any(|a| {
                a.id.as_deref()
                    .is_some_and(|i| i.eq_ignore_ascii_case(&scope_id))
                    && a.kind.as_deref() == Some("Scope")
            })
    });
    let has_preauth = m.api.pre_authorized_applications.iter().any(|p| {
        p.app_id
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(&gid))
            && p.delegated_permission_ids
                .iter()
                .any(|i| i.eq_ignore_ascii_case(&scope_id))
    });
    // Consent: a grant from the Gateway app's service principal to the MCP API's, for
    // mcp.access. `None`: the grants were not given (or the Gateway's SP is unknown).
    let consent_state: Option<(bool, usize)> = reg.grants.as_ref().map(|grants| {
        let from_gateway = |gr: &&Grant| match &reg.gateway_sp {
            Some(sp) => gr.client_id == sp.doc.id,
            None => true,
        };
        let to_mcp = |gr: &&Grant| match &reg.mcp_sp {
            Some(sp) => gr.resource_id == sp.doc.id,
            None => true,
        };
        let relevant: Vec<&Grant> = grants
            .doc
            .iter()
            .filter(from_gateway)
            .filter(to_mcp)
            .filter(|g| g.has_scope("mcp.access"))
            .collect();
        (
            relevant.iter().any(|g| g.tenant_wide()),
            relevant.iter().filter(|g| !g.tenant_wide()).count(),
        )
    });
    let has_grant = consent_state.is_some_and(|(all, _)| all);
    let no_path = !has_preauth && consent_state.is_some() && !has_grant;
    let perm_vars = |c: Check| {
        c.fix_var("scope_id", scope_id.clone())
            .fix_var("app_id", gid.clone())
            .fix_var("app_role", "Gateway")
            .fix_var("scope", "mcp.access")
    };

    let perm = if has_permission {
        perm.pass(format!(
            "requiredResourceAccess lists the MCP API {mid} with mcp.access ({scope_id}) as a delegated permission"
        ))
    } else if no_path {
        perm_vars(perm.fail(
            codes::PERMISSION_MISSING,
            "the Gateway app's requiredResourceAccess does not hold the MCP API's mcp.access, there is no admin consent and the Gateway app is not pre-authorized: the OBO exchange will be refused with AADSTS65001",
        ))
    } else if consent_state.is_none() && !has_preauth {
        perm_vars(perm.warn(
            codes::PERMISSION_MISSING,
            "the Gateway app's requiredResourceAccess does not hold the MCP API's mcp.access and the Gateway app is not pre-authorized: unless a grant was made outside the portal (the grants were not given), the OBO exchange is refused with AADSTS65001",
        ))
    } else {
        let path = if has_preauth {
            "the pre-authorization"
        } else {
            "the existing admin-consent grant"
        };
        perm_vars(perm.info(
            codes::PERMISSION_MISSING,
            format!(
                "the Gateway app's requiredResourceAccess does not list mcp.access; the OBO exchange works through {path}, but the API permissions page does not show it and 'Grant admin consent' will not renew it"
            ),
        ))
    };

    let grants_source = reg.grants.as_ref().map(|g| g.source.clone());
    let consent = match consent_state {
        Some((true, _)) => consent.pass("an AllPrincipals oauth2PermissionGrant from the Gateway app to the MCP API holds mcp.access"),
        Some((false, users)) => {
            let base = if users > 0 {
                format!("no tenant-wide (AllPrincipals) grant for mcp.access; {users} per-user grant(s) only")
            } else {
                "no oauth2PermissionGrant from the Gateway app to the MCP API holds mcp.access".to_string()
            };
            if has_preauth {
                consent.info(
                    codes::CONSENT_MISSING,
                    format!("{base}; the pre-authorization of the Gateway app covers the OBO exchange"),
                )
            } else if has_permission {
                consent.fail(
                    codes::CONSENT_MISSING,
                    format!("{base} and the Gateway app is not pre-authorized: the OBO exchange will be refused with AADSTS65001 (the permission is listed, admin consent was never granted)"),
                )
            } else {
                // The permission itself is missing: that check carries the failure.
                consent.warn(
                    codes::CONSENT_MISSING,
                    format!("{base} (add the permission first: apps.gateway.permission)"),
                )
            }
        }
        None if has_preauth => consent.pass(
            "the grants were not given; the pre-authorization of the Gateway app covers the OBO exchange",
        ),
        None => consent.skip(
            crate::config::codes::MISSING,
            format!(
                "the Gateway app's grants were not given: export them with `az rest --url \"https://graph.microsoft.com/v1.0/oauth2PermissionGrants?$filter=clientId eq '<gateway-sp-object-id>'\"` (the object ID is `az ad sp show --id {gid} --query id -o tsv`)"
            ),
        ),
    }
    .evidence("grants_from", grants_source.unwrap_or_default());

    let preauth = if has_preauth {
        preauth.pass(format!(
            "api.preAuthorizedApplications of the MCP API lists {gid} with mcp.access"
        ))
    } else {
        let c = if has_grant {
            preauth.info(
                codes::PREAUTHORIZED,
                "the Gateway app is not pre-authorized on mcp.access; admin consent covers the OBO exchange (the guide also pre-authorizes it)",
            )
        } else {
            preauth.info(
                codes::PREAUTHORIZED,
                "the Gateway app is not pre-authorized on mcp.access (a note: admin consent is the other path, see apps.gateway.consent)",
            )
        };
        c.fix_var("app_id", mid.clone())
            .fix_var("app_role", "MCP API")
            .fix_var("client_id", gid.clone())
            .fix_var("scope", "mcp.access")
    };
    vec![perm, consent, preauth]
}

/// VS Code and the Azure CLI pre-authorized on the scope clients ask for.
fn clients_preauthorized(role: Role, app: &Application, opts: &AuditOptions) -> Vec<Check> {
    let scope_id = scope(role, app).1.and_then(|s| s.id.clone());
    ClientApp::known()
        .into_iter()
        .map(|(client, client_id, name)| {
            let key = match client {
                ClientApp::Vscode => "vscode",
                _ => "azure-cli",
            };
            let c = check(
                role,
                &format!("client.{key}"),
                format!("{name} is pre-authorized on {}", role.scope()),
            )
            .evidence("client_id", client_id);
            let Some(scope_id) = &scope_id else {
                return c.skip(
                    crate::report::codes::PREREQUISITE_FAILED,
                    format!(
                        "the app does not expose a usable {} (see apps.{}.scope)",
                        role.scope(),
                        role.key()
                    ),
                );
            };
            let listed = app.api.pre_authorized_applications.iter().any(|p| {
                p.app_id
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(client_id))
                    && p
                        .delegated_permission_ids
                        .iter()
                        .any(|i| i.eq_ignore_ascii_case(scope_id))
            });
            if listed {
                return c.pass(format!(
                    "api.preAuthorizedApplications lists {client_id} with {}",
                    role.scope()
                ));
            }
            let used = opts.clients.contains(&client);
            let consequence = match client {
                ClientApp::Vscode => "VS Code users see a consent prompt (or need an administrator where user consent is restricted)",
                _ => "the guide's Part 6 smoke test (`az login --scope api://<gateway-app-id>/.default`) asks for consent and fails where user consent is restricted",
            };
            let detail = format!("{name} ({client_id}) is not an authorized client application on {}: {consequence}", role.scope());
            let c = if used {
                c.warn(codes::PREAUTHORIZED, detail)
            } else {
                c.info(
                    codes::PREAUTHORIZED,
                    format!("{detail} (a note: --client {key} makes it a warning)"),
                )
            };
            vars(c, role, app).fix_var("client_id", client_id)
        })
        .collect()
}

fn redirect_uris(role: Role, app: &Application, opts: &AuditOptions) -> Check {
    let c = check(
        role,
        "redirect-uri",
        format!("{} app has VS Code's Web redirect URI", role.label()),
    )
    .evidence("web", app.web.redirect_uris.clone())
    .evidence("spa", app.spa.redirect_uris.clone())
    .evidence("publicClient", app.public_client.redirect_uris.clone());
    let is_vscode = |u: &String| u.trim_end_matches('/') == VSCODE_REDIRECT;
    let loopback: Vec<&String> = app
        .public_client
        .redirect_uris
        .iter()
        .chain(&app.web.redirect_uris)
        .filter(|u| u.starts_with("http://localhost") || u.starts_with("http://127.0.0.1"))
        .collect();
    let others = if loopback.is_empty() {
        "no loopback redirect URI (http://localhost, http://127.0.0.1) for other clients"
            .to_string()
    } else {
        format!(
            "loopback redirect URIs for other clients: {}",
            loopback
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if app.web.redirect_uris.iter().any(is_vscode) {
        return c.pass(format!(
            "{VSCODE_REDIRECT} is a Web redirect URI (guide Part 2 Step 2.7); Entra then expects the client secret when the code is redeemed — a client redeeming without it gets AADSTS7000218; {others}"
        ));
    }
    let wrong_platform = if app.spa.redirect_uris.iter().any(is_vscode) {
        Some("Single-page application")
    } else if app.public_client.redirect_uris.iter().any(is_vscode) {
        Some("Mobile and desktop applications")
    } else {
        None
    };
    let says_vscode = opts.clients.contains(&ClientApp::Vscode);
    let others_only = !opts.clients.is_empty() && !says_vscode;
    let detail = match wrong_platform {
        Some(platform) => format!(
            "{VSCODE_REDIRECT} is registered under the {platform} platform, not Web: VS Code's sign-in is refused with AADSTS50011 (redirect URI mismatch); {others}"
        ),
        None => format!(
            "{VSCODE_REDIRECT} is not a redirect URI of the app: VS Code's sign-in is refused with AADSTS500113 (no reply address) or AADSTS50011; {others}"
        ),
    };
    let c = if others_only {
        c.info(
            codes::REDIRECT_URI,
            format!("{detail} (a note: VS Code is not among --client)"),
        )
    } else if says_vscode || wrong_platform.is_some() {
        c.fail(codes::REDIRECT_URI, detail)
    } else {
        c.warn(
            codes::REDIRECT_URI,
            format!("{detail} (say --client vscode to make this a failure, or --client other when VS Code is not used)"),
        )
    };
    vars(c, role, app)
}

/// The URLs a client may send as `resource`: the guide's PRM resource (`<host>/<api-path>`)
/// and the MCP endpoint itself.
fn resource_urls(opts: &AuditOptions) -> Option<(String, String)> {
    let host = opts.host.as_ref()?;
    let origin = host.origin().ascii_serialization();
    let path = opts.api_path.trim_matches('/');
    Some((format!("{origin}/{path}"), format!("{origin}/{path}/mcp")))
}

fn resource_identifier(role: Role, app: &Application, opts: &AuditOptions) -> Check {
    let c = check(
        role,
        "resource-identifier",
        format!(
            "{} app has the PRM resource URL as an identifier",
            role.label()
        ),
    );
    let Some((prm, mcp)) = resource_urls(opts) else {
        return c.skip(
            crate::config::codes::MISSING,
            "--host is not set: the PRM resource URL (https://<host>/<api-path>) is not known",
        );
    };
    let norm = |s: &str| s.trim_end_matches('/').to_ascii_lowercase();
    let hit = app
        .identifier_uris
        .iter()
        .find(|u| norm(u) == norm(&prm) || norm(u) == norm(&mcp));
    let c = c
        .evidence("resource", prm.clone())
        .evidence("identifierUris", app.identifier_uris.clone());
    match hit {
        Some(u) => c.pass(format!(
            "{u} is an identifier URI of the app: Entra accepts it as the resource parameter with the app's scopes"
        )),
        None => vars(
            c.warn(
                codes::RESOURCE_IDENTIFIER,
                format!(
                    "{prm} (the guide's PRM resource) is not an identifier URI of the app: clients that send it as resource (VS Code, Claude Code, the TypeScript SDK) are refused with AADSTS9010010 unless the OAuth façade drops resource (discovery shows whether it does)"
                ),
            ),
            role,
            app,
        )
        .fix_var("resource", prm),
    }
}

/// The Gateway app's secret or certificate: present, not expired, not expiring soon.
fn credentials(app: &Application, now: Timestamp) -> Check {
    let c = check(
        Role::Gateway,
        "credential",
        "Gateway app has a valid client secret".into(),
    );
    let all: Vec<(&str, &super::documents::Credential)> = app
        .password_credentials
        .iter()
        .map(|k| ("secret", k))
        .chain(app.key_credentials.iter().map(|k| ("certificate", k)))
        .collect();
    if all.is_empty() {
        return c.fail(
            codes::SECRET_MISSING,
            "the Gateway app has no client secret and no certificate (passwordCredentials and keyCredentials are empty): APIM cannot authenticate the OBO exchange",
        );
    }
    let mut valid: Vec<(Timestamp, String)> = Vec::new();
    let mut expired: Vec<String> = Vec::new();
    let mut unreadable = 0;
    for (kind, k) in &all {
        let name = format!(
            "{kind} {}",
            k.display_name
                .as_deref()
                .or(k.key_id.as_deref())
                .unwrap_or("(unnamed)")
        );
        match k.end_date_time.as_deref().map(parse_time) {
            Some(Some(end)) if end > now => valid.push((end, name)),
            Some(Some(end)) => expired.push(format!("{name} (ended {})", day(end))),
            _ => unreadable += 1,
        }
    }
    let c = c
        .evidence("credentials", all.len() as u64)
        .evidence("expired", expired.clone());
    valid.sort();
    let Some((end, name)) = valid.last().cloned() else {
        if unreadable > 0 && expired.is_empty() {
            return c.warn(
                codes::SECRET_EXPIRED,
                "no credential of the Gateway app has a readable endDateTime: its expiry cannot be checked",
            );
        }
        return c.fail(
            codes::SECRET_EXPIRED,
            format!(
                "every credential of the Gateway app has expired: {} — APIM's OBO call is refused with AADSTS7000222",
                expired.join(", ")
            ),
        );
    };
    let c = c.evidence("expires", end.to_string());
    let days_left = (end.as_second() - now.as_second()) / 86_400;
    if days_left < EXPIRY_WARNING_DAYS {
        return c
            .warn(
                codes::SECRET_EXPIRING,
                format!(
                    "the newest credential ({name}) expires on {} — in {days_left} day(s); rotate APIM's named value before then",
                    day(end)
                ),
            )
            .fix_var("expires", day(end));
    }
    if !expired.is_empty() {
        return c.info(
            codes::SECRET_EXPIRED,
            format!(
                "{name} is valid until {}, but {} expired: make sure APIM's named value holds the current one",
                day(end),
                expired.join(", ")
            ),
        );
    }
    c.pass(format!("{name} is valid until {}", day(end)))
}

fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>()
        .ok()
        .or_else(|| format!("{s}Z").parse::<Timestamp>().ok())
}

fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}
