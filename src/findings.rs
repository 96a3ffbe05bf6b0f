//! Finding codes as typed values.
//!
//! Every code c7doctor can report is declared once, next to the checks that raise it, with
//! [`declare_findings!`](crate::declare_findings): its `family.name`, a one-line title, the
//! cause in the guides' terms, the fix, and the guide section. A check raises a code by
//! naming that value (`.fail(codes::EXPIRED, …)`), so a misspelt code does not compile; the
//! catalog (`crate::catalog`) is assembled from each area's `ALL` list, and `explain` and
//! the renderers read it.
//!
//! Fix texts may name the deployment with placeholders — `{tenant_id}`, `{gateway_app_id}`,
//! `{mcp_app_id}`, `{host}`, `{api_path}`, `{authority}` — which the report fills from the
//! configuration (or shows as `<gateway-app-id>` … when a value is not configured), and
//! per-finding values a check supplies with [`Check::fix_var`](crate::report::Check::fix_var).
//! That keeps one text per code: call sites give values, not advice.

use serde::Serialize;

/// One finding code and what it means.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    /// `family.name`, e.g. `token.issuer-v1`.
    pub code: &'static str,
    /// One line: what is wrong.
    pub title: &'static str,
    /// Why it happens, in the guides' terms.
    pub cause: &'static str,
    /// What to change, and where (may hold `{placeholders}`, see the module doc).
    pub fix: &'static str,
    /// Guide section (`guide-per-user-obo: Troubleshooting › …`), or a public spec.
    pub see: &'static str,
    /// Entra AADSTS numbers that map to this code (the one AADSTS table).
    pub aadsts: &'static [u32],
}

/// How a check names a finding: a reference to its declaration.
pub type Code = &'static Finding;

impl Finding {
    /// The family (`token`, `discovery`, …).
    pub fn family(&self) -> &'static str {
        self.code.split_once('.').map_or(self.code, |(f, _)| f)
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

/// Declare an area's findings: one `NAME = "family.name" { title, cause, fix, see[, aadsts] }`
/// block each. Defines a `pub const NAME: Code` per finding and `pub const ALL`, the area's
/// list for the catalog.
///
/// ```
/// mod codes {
///     c7doctor::declare_findings! {
///         /// The token has expired.
///         EXPIRED = "token.expired" {
///             title: "The token has expired",
///             cause: "exp is in the past.",
///             fix: "Sign in again.",
///             see: "",
///         }
///     }
/// }
/// assert_eq!(codes::EXPIRED.code, "token.expired");
/// assert_eq!(codes::ALL.len(), 1);
/// ```
#[macro_export]
macro_rules! declare_findings {
    ($(
        $(#[$meta:meta])*
        $name:ident = $code:literal {
            title: $title:expr,
            cause: $cause:expr,
            fix: $fix:expr,
            see: $see:expr
            $(, aadsts: [$($n:literal),* $(,)?])?
            $(,)?
        }
    )*) => {
        $(
            $(#[$meta])*
            pub const $name: $crate::findings::Code = &$crate::findings::Finding {
                code: $code,
                title: $title,
                cause: $cause,
                fix: $fix,
                see: $see,
                aadsts: &[$($($n),*)?],
            };
        )*
        /// Every finding this area declares, in catalog order.
        pub const ALL: &[$crate::findings::Code] = &[$($name),*];
    };
}

/// Configuration placeholders a fix text may hold, with what is shown when the value is unset.
pub const CONFIG_PLACEHOLDERS: &[(&str, &str)] = &[
    ("tenant_id", "<tenant-id>"),
    ("gateway_app_id", "<gateway-app-id>"),
    ("mcp_app_id", "<mcp-api-app-id>"),
    ("host", "https://<apim-name>.azure-api.net"),
    ("api_path", "context7"),
    ("authority", "https://login.microsoftonline.com"),
];

/// Fill `{name}` placeholders in a fix text: first from `vars` (a check's own values), then
/// from `config` (name → configured value), else the placeholder's display form. Unknown
/// `{…}` text is left as it is (fix texts quote JSON and policy expressions).
pub fn fill(
    template: &str,
    vars: &[(String, String)],
    config: &dyn Fn(&str) -> Option<String>,
) -> String {
    if !template.contains('{') {
        return template.to_string();
    }
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|c| &after[..c]);
        let known = name.filter(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
        });
        match (known, close) {
            (Some(n), Some(c)) => {
                if let Some((_, v)) = vars.iter().find(|(k, _)| k == n) {
                    out.push_str(v);
                } else if let Some(v) = config(n) {
                    out.push_str(&v);
                } else if let Some((_, shown)) = CONFIG_PLACEHOLDERS.iter().find(|(k, _)| *k == n) {
                    out.push_str(shown);
                } else {
                    out.push('{');
                    out.push_str(n);
                    out.push('}');
                }
                rest = &after[c + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A fix text as `explain` shows it, with no configuration and no check: configuration
/// placeholders in their display form (`<gateway-app-id>`), a check's own values as
/// `<app-id>`-style names, so a reader sees what goes there rather than `{app_id}`.
/// Placeholder names start with a letter; `{36}` (a regex repeat) stays as written.
pub fn display_form(template: &str) -> String {
    fill(template, &[], &|name| {
        let configured = CONFIG_PLACEHOLDERS.iter().any(|(k, _)| *k == name);
        let named = name.starts_with(|c: char| c.is_ascii_lowercase());
        (!configured && named).then(|| format!("<{}>", name.replace('_', "-")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_form_names_every_placeholder_and_keeps_regex_repeats() {
        assert_eq!(
            display_form("{app} in {tenant_id}: [0-9a-f-]{36} {app_id}"),
            "<app> in <tenant-id>: [0-9a-f-]{36} <app-id>"
        );
    }

    #[test]
    fn fill_takes_vars_then_config_then_display_form() {
        let cfg = |n: &str| (n == "tenant_id").then(|| "t-1".to_string());
        let vars = vec![("aud".to_string(), "abc".to_string())];
        assert_eq!(
            fill(
                "aud {aud}, tenant {tenant_id}, gw {gateway_app_id}",
                &vars,
                &cfg
            ),
            "aud abc, tenant t-1, gw <gateway-app-id>"
        );
        // JSON and expressions in fix texts stay as written.
        assert_eq!(fill(r#"{"a":1} @{ x }"#, &[], &cfg), r#"{"a":1} @{ x }"#);
        assert_eq!(fill("{unknown_name}", &[], &cfg), "{unknown_name}");
    }
}
