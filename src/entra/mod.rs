//! Entra area: device-code sign-in (`login`), the On-Behalf-Of exchange APIM performs
//! (`obo`), and Entra's error JSON turned into findings.
//!
//! - [`errors`]: `error`/`error_codes`/`error_description`… → `entra.*` findings with a fix
//!   naming the app registration and blade to change; also used by `discovery`'s `/token`
//!   route check.
//! - [`device_code`]: `c7doctor login` and [`device_code_login`] for `probe`/`e2e --login`;
//!   [`azure_cli`]: signing in as the Azure CLI (`login --client azure-cli`).
//! - [`obo`]: `c7doctor obo` and [`obo_exchange`] for `e2e`.
//!
//! Every wait in this area (device-code polling, the countdown) goes through [`sleep`],
//! which honours the hidden `C7DOCTOR_TIME_SCALE` environment variable: a positive factor
//! applied to every wait (`0.001` turns Entra's 5 s polling interval into 5 ms). Tests use
//! it so polling behaviour is proven in milliseconds; reports still show Entra's nominal
//! seconds.

// Checks are the error values of this area's steps; boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod azure_cli;
pub mod codes;
pub mod device_code;
pub mod errors;
pub mod hops;
pub mod obo;

use std::time::Duration;

pub use device_code::{Progress, client_and_scope, device_code_login, login_command};
pub use errors::{
    EntraError, ErrorContext, Flow, NotEntra, entra_error_check, entra_error_check_in,
    not_entra_check, parse_entra_error,
};
pub use obo::{forecast, gateway_secret_from_env, obo_command, obo_exchange};

use crate::config::Config;
use crate::report::Check;

/// Environment variable scaling every wait of the Entra flows (tests only, hidden).
pub const TIME_SCALE_ENV: &str = "C7DOCTOR_TIME_SCALE";

/// The factor from `C7DOCTOR_TIME_SCALE`: 1 unless set to a positive finite number.
pub fn time_scale() -> f64 {
    std::env::var(TIME_SCALE_ENV)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|f| f.is_finite() && *f > 0.0 && *f <= 1000.0)
        .unwrap_or(1.0)
}

/// A nominal duration (Entra's seconds) as actually waited.
pub fn scaled(d: Duration) -> Duration {
    d.mul_f64(time_scale())
}

/// A waited duration back in Entra's nominal seconds.
pub fn unscaled(d: Duration) -> Duration {
    d.div_f64(time_scale())
}

/// Sleep for a nominal duration, scaled.
pub async fn sleep(nominal: Duration) {
    tokio::time::sleep(scaled(nominal)).await;
}

/// What a configured tenant is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantKind {
    /// A directory (tenant) ID.
    Guid,
    /// A verified domain (`contoso.onmicrosoft.com`): Entra accepts it like the GUID.
    Domain,
    /// `common`, `organizations` or `consumers`: not a tenant, and not usable for OBO.
    MultiTenant(&'static str),
    Invalid(String),
}

pub fn classify_tenant(t: &str) -> TenantKind {
    let t = t.trim();
    for alias in ["common", "organizations", "consumers"] {
        if t.eq_ignore_ascii_case(alias) {
            return TenantKind::MultiTenant(alias);
        }
    }
    if is_guid(t) {
        return TenantKind::Guid;
    }
    let domain_chars = t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !t.is_empty()
        && domain_chars
        && t.contains('.')
        && !t.starts_with('.')
        && !t.ends_with('.')
        && !t.contains("..")
    {
        return TenantKind::Domain;
    }
    TenantKind::Invalid(format!(
        "{t:?} is neither a directory (tenant) ID nor a domain name"
    ))
}

pub use crate::config::is_guid;

/// `<authority>/<tenant>/oauth2/v2.0/<leaf>`, or the finding that says why not.
pub fn endpoint(cfg: &Config, tenant: &str, leaf: &str, check_id: &str) -> Result<url::Url, Check> {
    let raw = format!(
        "{}/{}/oauth2/v2.0/{leaf}",
        cfg.authority.trim_end_matches('/'),
        tenant.trim()
    );
    match url::Url::parse(&raw) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => Ok(u),
        _ => Err(Check::new(
            check_id,
            "Entra endpoint can be built from the configuration",
        )
        .fail(
            crate::config::codes::INVALID,
            format!(
                "--authority {:?} with tenant {tenant:?} does not give a URL ({raw})",
                cfg.authority
            ),
        )
        .evidence("authority", cfg.authority.clone())),
    }
}

/// The tenant check shared by both flows: present, and a GUID or a domain. `obo` refuses
/// the multi-tenant aliases (AADSTS9001023); `login` accepts them with a note.
pub fn tenant_check(cfg: &Config, check_id: &str, for_obo: bool) -> Result<(String, Check), Check> {
    let title = "Tenant to sign in against";
    let Some(t) = cfg
        .tenant_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        // Unset is not wrong: the run is incomplete (the report says what completes it).
        return Err(Check::new(check_id, title).skip(
            crate::config::codes::MISSING,
            "no tenant configured: set --tenant-id (the Directory (tenant) ID on the app's Overview page)",
        ));
    };
    let t = t.to_string();
    let check = Check::new(check_id, title).evidence("tenant", t.clone());
    match classify_tenant(&t) {
        TenantKind::Guid => Ok((t.clone(), check.pass(format!("tenant {t}")))),
        TenantKind::Domain => Ok((
            t.clone(),
            check.pass(format!(
                "tenant {t} (a domain name: Entra accepts it like the tenant GUID)"
            )),
        )),
        TenantKind::MultiTenant(alias) if for_obo => Err(check.fail(
            codes::OBO_COMMON_ENDPOINT,
            format!(
                "--tenant-id is {alias:?}: Entra refuses On-Behalf-Of over /{alias} \
                 (AADSTS9001023) — the exchange must use the tenant's own endpoint; not sent"
            ),
        )),
        TenantKind::MultiTenant(alias) => Ok((
            t.clone(),
            check.pass(format!(
                "tenant {alias:?}: the token will come from the account's home tenant; the \
                 tenant checks compare it with nothing"
            )),
        )),
        TenantKind::Invalid(why) => {
            Err(check.fail(crate::config::codes::INVALID, format!("--tenant-id: {why}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants() {
        assert_eq!(
            classify_tenant("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            TenantKind::Guid
        );
        assert_eq!(
            classify_tenant("contoso.onmicrosoft.com"),
            TenantKind::Domain
        );
        assert_eq!(
            classify_tenant("Organizations"),
            TenantKind::MultiTenant("organizations")
        );
        assert!(matches!(classify_tenant("a/b"), TenantKind::Invalid(_)));
        assert!(matches!(classify_tenant("contoso"), TenantKind::Invalid(_)));
        assert!(matches!(classify_tenant(""), TenantKind::Invalid(_)));
    }
}
