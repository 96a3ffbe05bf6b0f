//! The Azure CLI as the client of a device-code sign-in (`login --client azure-cli`).
//!
//! The per-user guide's CLI smoke test (Part 6) pre-authorizes the Azure CLI's public
//! client ID on the Gateway app's `Mcp.Gateway.Access` (Step 1) and signs in with
//! `az login --scope api://<gateway-app-id>/.default`. The Azure CLI is a public client
//! Microsoft registers in every tenant, so the sign-in needs no change to the Gateway app
//! (no public client flows, no redirect URI). Its one failure of its own is that missing
//! pre-authorization: Entra answers AADSTS65001 (`consent_required`), whose fix is Part 6
//! Step 1 — not the admin consent of the OBO chain that `entra.consent-required` names.

use crate::config::Config;
use crate::entra::codes;
use crate::report::Check;
use crate::token::claims::{GATEWAY_SCOPE, MCP_SCOPE};

pub use crate::deployment::AZURE_CLI_CLIENT_ID;

/// Is `client_id` the Azure CLI's?
pub fn is_azure_cli(client_id: &str) -> bool {
    client_id.trim().eq_ignore_ascii_case(AZURE_CLI_CLIENT_ID)
}

/// `(app GUID, scope name)` of the first `api://<app>/<name>` scope in `scope`.
fn api_scope(scope: &str) -> Option<(&str, &str)> {
    scope
        .split_whitespace()
        .find_map(|s| s.strip_prefix("api://")?.split_once('/'))
}

/// Refine Entra's answer to a sign-in: when the Azure CLI asked and Entra wants consent,
/// the finding is the missing pre-authorization on the app whose scope was requested,
/// with that app and scope in the fix. Any other answer (or client) is left as it is.
pub fn refine(check: Check, client_id: &str, scope: &str, cfg: &Config) -> Check {
    if !is_azure_cli(client_id) || check.code != Some(codes::CONSENT_REQUIRED) {
        return check;
    }
    let (app_id, name) = api_scope(scope).unwrap_or(("<app-id>", ""));
    let same = |id: &Option<String>| {
        id.as_deref()
            .is_some_and(|i| i.eq_ignore_ascii_case(app_id))
    };
    let (app, default_scope) = if same(&cfg.gateway_app_id) {
        (format!("Context7 APIM Gateway ({app_id})"), GATEWAY_SCOPE)
    } else if same(&cfg.mcp_app_id) {
        (format!("Context7 MCP API ({app_id})"), MCP_SCOPE)
    } else {
        (format!("the app {app_id}"), GATEWAY_SCOPE)
    };
    // `.default` names no scope to tick: the one this pattern's clients request.
    let scope_name = if name.is_empty() || name == ".default" {
        default_scope
    } else {
        name
    };
    let detail = format!(
        "{} — the Azure CLI ({AZURE_CLI_CLIENT_ID}) is not pre-authorized on {scope_name} of {app}",
        check.detail
    );
    check
        .fail(codes::CLI_NOT_PREAUTHORIZED, detail)
        .fix_var("app", app)
        .fix_var("app_id", app_id)
        .fix_var("scope_name", scope_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent() -> Check {
        Check::new("login.sign-in", "t").fail(codes::CONSENT_REQUIRED, "AADSTS65001")
    }

    #[test]
    fn consent_for_the_azure_cli_is_the_missing_pre_authorization() {
        let mut cfg = Config::defaults();
        cfg.gateway_app_id = Some("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f".into());
        let c = refine(
            consent(),
            AZURE_CLI_CLIENT_ID,
            "api://1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/Mcp.Gateway.Access",
            &cfg,
        );
        assert_eq!(c.code, Some(codes::CLI_NOT_PREAUTHORIZED));
        assert!(
            c.fix_vars
                .contains(&("scope_name".into(), "Mcp.Gateway.Access".into()))
        );
        assert!(
            c.fix_vars
                .iter()
                .any(|(k, v)| k == "app" && v.starts_with("Context7 APIM Gateway"))
        );
        // `.default` names the pattern's scope to tick.
        let c = refine(
            consent(),
            AZURE_CLI_CLIENT_ID,
            "api://1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/.default",
            &cfg,
        );
        assert!(
            c.fix_vars
                .contains(&("scope_name".into(), GATEWAY_SCOPE.into()))
        );
    }

    #[test]
    fn other_clients_and_answers_are_left_alone() {
        let cfg = Config::defaults();
        let c = refine(
            consent(),
            "aebc6443-996d-45c2-90f0-388ff96faa56",
            "api://x/y",
            &cfg,
        );
        assert_eq!(c.code, Some(codes::CONSENT_REQUIRED));
        let declined = Check::new("login.sign-in", "t").fail(codes::DECLINED, "no");
        let c = refine(declined, AZURE_CLI_CLIENT_ID, "api://x/y", &cfg);
        assert_eq!(c.code, Some(codes::DECLINED));
    }
}
