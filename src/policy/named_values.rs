//! The deployment's named values (`--named-values FILE`: the JSON `az apim nv list`
//! prints, or the management API's `{"value": [...]}` list), so that `{{name}}` in a policy
//! can be read as APIM will substitute it — in plain text and inside expressions alike.
//!
//! Secret named values are never substituted into anything c7doctor shows: `az apim nv
//! list` prints them without a value, and when a file does hold one, it is registered with
//! the output scrubber and treated as opaque. A name the file does not know stays an opaque
//! symbol too: c7doctor never invents a value (a host, an ID) for it.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::Error;
use crate::report::redact;

/// Largest named-values file read (`az apim nv list` of a big service is a few hundred KiB).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone)]
struct Entry {
    /// `displayName` (what `{{…}}` references) and the resource `name`.
    names: Vec<String>,
    value: Option<String>,
    secret: bool,
}

/// What `{{name}}` is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A plain named value and its value.
    Known(&'a str),
    /// A secret named value (or one backed by Key Vault): never shown.
    Secret,
    /// Not in the file (or no file given).
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct NamedValues {
    entries: Vec<Entry>,
    /// The file they came from, for evidence.
    pub source: Option<String>,
}

impl NamedValues {
    /// Read `az apim nv list` JSON (capped). A file that is not that shape is a usage error
    /// naming it.
    pub fn load(path: &Path) -> Result<NamedValues, Error> {
        let shown = path.display().to_string();
        let f = std::fs::File::open(path)
            .map_err(|e| Error::usage(format!("cannot read {shown}: {e}")))?;
        let mut buf = Vec::new();
        f.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::usage(format!("cannot read {shown}: {e}")))?;
        if buf.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::usage(format!(
                "--named-values {shown} is larger than {} MiB; `az apim nv list` output is far smaller",
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        let v: Value = serde_json::from_slice(&buf).map_err(|e| {
            Error::usage(format!(
                "--named-values {shown} is not JSON ({e}): give the output of `az apim nv list`"
            ))
        })?;
        let mut nv = NamedValues::parse(&v).ok_or_else(|| {
            Error::usage(format!(
                "--named-values {shown} is not a list of named values (the output of `az apim nv list`)"
            ))
        })?;
        nv.source = Some(shown);
        Ok(nv)
    }

    /// The list itself, or `{"value": [...]}`.
    pub fn parse(v: &Value) -> Option<NamedValues> {
        let list = match v {
            Value::Array(a) => a,
            Value::Object(o) => o.get("value")?.as_array()?,
            _ => return None,
        };
        let mut entries = Vec::new();
        for item in list {
            let props = item.get("properties").unwrap_or(item);
            let mut names = Vec::new();
            for key in ["displayName", "name"] {
                if let Some(n) = props
                    .get(key)
                    .or_else(|| item.get(key))
                    .and_then(Value::as_str)
                {
                    names.push(n.to_string());
                }
            }
            if names.is_empty() {
                return None;
            }
            let secret = props
                .get("secret")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || props.get("keyVault").is_some_and(|k| !k.is_null());
            let value = props
                .get("value")
                .and_then(Value::as_str)
                .map(str::to_string);
            if secret && let Some(v) = &value {
                // Whatever the file holds for a secret never reaches the output.
                redact::register_secret(v);
            }
            entries.push(Entry {
                names,
                value,
                secret,
            });
        }
        Some(NamedValues {
            entries,
            source: None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What `{{name}}` is (names compare case-insensitively, as APIM's do).
    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        let Some(e) = self
            .entries
            .iter()
            .find(|e| e.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        else {
            return Lookup::Unknown;
        };
        match (&e.value, e.secret) {
            (_, true) => Lookup::Secret,
            (Some(v), false) => Lookup::Known(v),
            (None, false) => Lookup::Unknown,
        }
    }

    /// Is `{{name}}` a secret named value (known from the file, or by its name)?
    pub fn is_secret(&self, name: &str) -> bool {
        match self.lookup(name) {
            Lookup::Secret => true,
            Lookup::Known(_) => false,
            Lookup::Unknown => {
                let n = name.to_ascii_lowercase();
                ["secret", "password", "key", "token", "credential"]
                    .iter()
                    .any(|w| n.contains(w))
                    && !n.contains("id")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn az_cli_list_is_read_and_secrets_stay_opaque() {
        let v: Value = serde_json::from_str(
            r#"[{"displayName":"entra-tenant-id","name":"entra-tenant-id","secret":false,"value":"7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f"},
                {"displayName":"apim-gateway-client-secret","name":"gw-secret","secret":true,"value":null},
                {"displayName":"kv-backed","name":"kv","secret":true,"keyVault":{"secretIdentifier":"https://kv.vault.azure.net/secrets/x"}}]"#,
        )
        .unwrap();
        let nv = NamedValues::parse(&v).unwrap();
        assert_eq!(
            nv.lookup("Entra-Tenant-Id"),
            Lookup::Known("7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f")
        );
        assert_eq!(nv.lookup("apim-gateway-client-secret"), Lookup::Secret);
        assert_eq!(nv.lookup("gw-secret"), Lookup::Secret);
        assert_eq!(nv.lookup("kv-backed"), Lookup::Secret);
        assert_eq!(nv.lookup("other"), Lookup::Unknown);
        assert!(NamedValues::parse(&serde_json::json!({"a": 1})).is_none());
    }
}
