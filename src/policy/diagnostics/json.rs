//! Diagnostics as JSON: the management API's resource (`…/diagnostics/{id}`, service or
//! API scope), the flattened `az apim diagnostic show` shape, and the same resource inside
//! an ARM template, where values may be `[variables('…')]` or `[parameters('…')]`
//! (resolved from the template's variables and parameter defaults).

use serde_json::Value;

use crate::report::Check;

use super::super::source::Source;
use super::{Found, Resource, SETTINGS, bytes_of, judge};

/// Offset of `"key":` for each key in turn, starting at `from` (keys nest in this order).
fn locate(text: &str, from: usize, keys: &[&str]) -> Option<usize> {
    let mut cursor = from;
    let mut found = None;
    for k in keys {
        let needle = format!("\"{k}\"");
        let mut search = cursor;
        loop {
            let p = text.get(search..)?.find(&needle)? + search;
            let after = text[p + needle.len()..].trim_start();
            if after.starts_with(':') {
                found = Some(p);
                cursor = p + needle.len();
                break;
            }
            search = p + needle.len();
        }
    }
    found
}

/// `[variables('x')]` / `[parameters('x')]` → the template's value (a parameter's
/// `defaultValue`); other expressions are left as they are.
fn resolve_one(s: &str, template: &Value) -> Option<Value> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    let (kind, rest) = if let Some(r) = inner.strip_prefix("variables(") {
        ("variables", r)
    } else if let Some(r) = inner.strip_prefix("parameters(") {
        ("parameters", r)
    } else {
        return None;
    };
    let name = rest.strip_suffix(')')?.trim().trim_matches('\'');
    let v = template.get(kind)?.get(name)?;
    let v = if kind == "parameters" {
        v.get("defaultValue")?
    } else {
        v
    };
    // A variable may itself be an expression: follow a few levels.
    match v {
        Value::String(s2) if s2.starts_with('[') => resolve_one(s2, template),
        other => Some(other.clone()),
    }
}

/// Resolve simple template expressions throughout `props`.
pub fn resolve_arm(props: &mut Value, template: &Value) {
    match props {
        Value::String(s) => {
            if let Some(v) = resolve_one(s, template) {
                *props = v;
            }
        }
        Value::Object(m) => m.values_mut().for_each(|v| resolve_arm(v, template)),
        Value::Array(a) => a.iter_mut().for_each(|v| resolve_arm(v, template)),
        _ => {}
    }
}

/// Lint one diagnostics resource. `prefix` is the JSON path of its properties
/// (`properties.`, `value[0].properties.` or empty for the flattened CLI shape); `from` is
/// where to start looking for its keys in the text, advanced past what was found.
pub fn lint(
    src: &Source,
    prefix: &str,
    obj: &Value,
    props: &Value,
    from: &mut usize,
) -> Vec<Check> {
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("diagnostics");
    let id = obj.get("id").and_then(Value::as_str).unwrap_or("");
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let api_scope = id.contains("/apis/") || ty.to_ascii_lowercase().contains("/apis/");
    let scope = match id.find("/apis/") {
        Some(p) => {
            let api = id[p + 6..].split('/').next().unwrap_or("");
            format!("API-scope diagnostics '{name}' of API {api}")
        }
        None if api_scope => format!("API-scope diagnostics '{name}'"),
        None if id.is_empty() && ty.is_empty() => format!("diagnostics '{name}'"),
        None => format!("service-scope diagnostics '{name}'"),
    };
    let start = *from;
    let mut found = Vec::new();
    for (i, s) in SETTINGS.iter().enumerate() {
        let Some(v) = props
            .get(s.side)
            .and_then(|x| x.get(s.direction))
            .and_then(|x| x.get("body"))
            .and_then(|x| x.get("bytes"))
        else {
            continue;
        };
        let at = locate(&src.text, start, &[s.side, s.direction, "body", "bytes"]);
        if let Some(at) = at {
            *from = (*from).max(at);
        }
        found.push(Found {
            setting: i,
            path: format!("{prefix}{}.{}.body.bytes", s.side, s.direction),
            bytes: bytes_of(v),
            raw: v.to_string(),
            offset: at,
        });
    }
    let r = Resource {
        scope,
        api_scope,
        found,
        at: locate(&src.text, start, &["frontend"]),
    };
    judge(src, &r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys() {
        let text = r#"{"properties":{"backend":{"response":{"body":{"bytes":0}}},"frontend":{"request":{"body":{"bytes":0}},"response":{"body":{"bytes":8192}}}}}"#;
        let at = locate(text, 0, &["frontend", "response", "body", "bytes"]).unwrap();
        assert!(text[at..].starts_with("\"bytes\":8192"));
    }

    #[test]
    fn arm_variables_and_parameters_resolve() {
        let t: Value = serde_json::json!({
            "parameters": {"logBytes": {"type": "int", "defaultValue": 8192}},
            "variables": {"bytes": "[parameters('logBytes')]", "zero": 0}
        });
        let mut p = serde_json::json!({"a": "[variables('bytes')]", "b": "[variables( 'zero' )]", "c": "[concat('x')]"});
        resolve_arm(&mut p, &t);
        assert_eq!(p["a"], 8192);
        assert_eq!(p["b"], 0);
        assert_eq!(p["c"], "[concat('x')]");
    }
}
