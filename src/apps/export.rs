//! The `az` commands that export the documents `c7doctor apps` reads (`c7doctor init
//! --az-commands`), so a customer can attach them to a ticket. `az` never prints a secret's
//! value (only its name, ID, dates and a three-character hint), so the files hold none.

use crate::config::Config;
use crate::deployment::Pattern;
use crate::report::Check;

/// Whether the printed commands name the configured apps, or hold `<…>` placeholders.
pub fn ids_check(cfg: &Config) -> Check {
    let c = Check::new(
        "init.az-commands",
        "The export commands name the configured app registrations",
    );
    let mut missing = Vec::new();
    if cfg.pattern == Pattern::Obo && cfg.gateway_app_id.is_none() {
        missing.push("--gateway-app-id");
    }
    if cfg.mcp_app_id.is_none() {
        missing.push("--mcp-app-id");
    }
    if cfg.tenant_id.is_none() {
        missing.push("--tenant-id");
    }
    if missing.is_empty() {
        c.pass("every app ID and the tenant are configured: the commands run as printed")
    } else {
        c.skip(
            crate::config::codes::MISSING,
            format!(
                "{} not set: the commands hold <…> placeholders to replace before running them",
                missing.join(", ")
            ),
        )
    }
}

/// A POSIX shell script exporting the app registrations of this configuration into the
/// current directory, then auditing them. Unset IDs are left as `<…>` placeholders.
pub fn az_commands(
    pattern: Pattern,
    gateway_app_id: Option<&str>,
    mcp_app_id: Option<&str>,
    tenant_id: Option<&str>,
) -> String {
    let gw = gateway_app_id.unwrap_or("<gateway-app-id>");
    let mcp = mcp_app_id.unwrap_or("<mcp-app-id>");
    let login = match tenant_id {
        Some(t) => format!("az login --tenant {t}"),
        None => "az login --tenant <tenant-id>".to_string(),
    };
    let mut s = String::from(
        "#!/bin/sh\n\
         # Export the Entra app registrations for `c7doctor apps` (read-only az commands).\n\
         # The files hold no secret values: az prints a secret's name, ID and dates only.\n\
         set -eu\n",
    );
    s.push_str(&format!("{login}\n"));
    s.push_str(&format!("az ad app show --id {mcp} > mcp-app.json\n"));
    s.push_str(&format!("az ad sp show --id {mcp} > mcp-sp.json\n"));
    if pattern == Pattern::Obo {
        s.push_str(&format!("az ad app show --id {gw} > gateway-app.json\n"));
        s.push_str(&format!("az ad sp show --id {gw} > gateway-sp.json\n"));
        s.push_str(&format!(
            "GATEWAY_SP=$(az ad sp show --id {gw} --query id -o tsv)\n"
        ));
        s.push_str(
            "az rest --method get --url \"https://graph.microsoft.com/v1.0/oauth2PermissionGrants?\\$filter=clientId eq '$GATEWAY_SP'\" > grants.json\n",
        );
        s.push_str(&format!(
            "c7doctor apps --gateway-app-id {gw} --mcp-app-id {mcp} gateway-app.json mcp-app.json gateway-sp.json mcp-sp.json grants.json\n"
        ));
    } else {
        s.push_str(&format!(
            "c7doctor apps --pattern {} --mcp-app-id {mcp} mcp-app.json mcp-sp.json\n",
            pattern.as_str()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obo_exports_five_documents_for_the_configured_ids() {
        let s = az_commands(Pattern::Obo, Some("g-id"), Some("m-id"), Some("t-id"));
        for want in [
            "az login --tenant t-id",
            "az ad app show --id g-id > gateway-app.json",
            "az ad app show --id m-id > mcp-app.json",
            "az ad sp show --id g-id > gateway-sp.json",
            "oauth2PermissionGrants?\\$filter=clientId eq '$GATEWAY_SP'",
            "c7doctor apps --gateway-app-id g-id --mcp-app-id m-id",
        ] {
            assert!(s.contains(want), "{want} in\n{s}");
        }
    }

    #[test]
    fn passthrough_exports_the_mcp_app_only_and_unset_ids_are_placeholders() {
        let s = az_commands(Pattern::Passthrough, None, None, None);
        assert!(s.contains("az ad app show --id <mcp-app-id>"));
        assert!(!s.contains("gateway-app.json"));
        assert!(s.contains("--pattern passthrough"));
    }
}
