//! What each input file is: a policy XML text, the management API's JSON envelope (one or a
//! list; `format` says how it is deployed), an APIM diagnostics resource in one of its
//! shapes (REST/`az` JSON, an ARM template, Bicep, Terraform), or something else — which is
//! a finding saying what it looks like, never "invalid XML".
//!
//! Every read is capped at [`MAX_INPUT_BYTES`].

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::Error;
use crate::report::Check;

use super::codes;
use super::diagnostics;
use super::lint::Format;
use super::source::Source;

/// Largest input read. APIM policies are a few KiB; a larger file is refused with a
/// finding after reading this much, never loaded whole.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Most list elements looked at in one JSON file.
const JSON_ITEMS_LIMIT: usize = 1000;

/// One thing to lint, in input order.
pub enum Unit {
    /// Findings already decided (not a policy, a diagnostics resource).
    Checks(Vec<Check>),
    /// A policy text to parse and lint.
    Policy {
        src: Source,
        format: Format,
        /// The name an `include-fragment` would use for it (file stem or envelope name).
        name: String,
    },
}

/// Read at most [`MAX_INPUT_BYTES`] (+1 to know there was more). Returns the bytes and
/// whether that was all of it.
pub fn read_input(path: &Path) -> Result<(Vec<u8>, bool), Error> {
    let mut buf = Vec::new();
    let limit = MAX_INPUT_BYTES + 1;
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut buf)
            .map_err(|e| Error::usage(format!("cannot read stdin: {e}")))?;
    } else {
        let f = std::fs::File::open(path)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
        f.take(limit)
            .read_to_end(&mut buf)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
    }
    let complete = buf.len() as u64 <= MAX_INPUT_BYTES;
    buf.truncate(MAX_INPUT_BYTES as usize);
    Ok((buf, complete))
}

pub fn input_check(name: &str) -> Check {
    Check::new(
        "policy.input",
        "The file is a policy, a policy envelope or a diagnostics resource",
    )
    .evidence("location", name.to_string())
    .evidence("file", name.to_string())
}

/// The fragment id a file would have: its name without directories and extension.
fn stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('.').next().unwrap_or(base).to_string()
}

/// Decide what one input is.
pub fn units(name: &str, bytes: &[u8], complete: bool, deploy: Option<Format>) -> Vec<Unit> {
    if !complete {
        return vec![Unit::Checks(vec![input_check(name).fail(
            codes::NOT_POLICY,
            format!(
                "the file is larger than {} MiB (reading stopped there); an APIM policy is a few KiB",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        )])];
    }
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(why) => {
            return vec![Unit::Checks(vec![input_check(name).fail(
                codes::NOT_POLICY,
                format!("the file is not text ({why}): not a policy XML or JSON document"),
            )])];
        }
    };
    let first = text.trim_start().chars().next();
    match first {
        None => {
            vec![Unit::Checks(vec![input_check(name).fail(
                codes::NOT_POLICY,
                "the file is empty (or only whitespace)",
            )])]
        }
        Some('{') | Some('[') => json_units(name, text),
        Some('<') => vec![Unit::Policy {
            src: Source::new(name, name.to_string(), text),
            format: deploy.unwrap_or(Format::Unknown),
            name: stem(name),
        }],
        Some(_) => other_text(name, text),
    }
}

/// Text that is neither XML nor JSON: Bicep or Terraform diagnostics, or an unsupported
/// format (never "invalid XML").
fn other_text(name: &str, text: String) -> Vec<Unit> {
    let src = Source::new(name, name.to_string(), text);
    if let Some(checks) = diagnostics::bicep::lint(&src) {
        return vec![Unit::Checks(checks)];
    }
    if let Some(checks) = diagnostics::terraform::lint(&src) {
        return vec![Unit::Checks(checks)];
    }
    let looks_like = if src.text.contains("resource ") && src.text.contains("'Microsoft.") {
        "a Bicep file without APIM diagnostics resources"
    } else if src.text.contains("resource \"azurerm_") || src.text.contains("provider \"azurerm\"")
    {
        "a Terraform file without APIM diagnostics resources"
    } else {
        "neither XML nor JSON"
    };
    vec![Unit::Checks(vec![src.whole(input_check(name).fail(
        codes::NOT_POLICY,
        format!(
            "unsupported format: this is {looks_like}. c7doctor reads policy XML, the management API's JSON (policies and diagnostics), ARM templates, and Bicep/Terraform APIM diagnostics: export with `az apim api policy show` or `az apim diagnostic show`"
        ),
    ))])]
}

/// Bytes to text: UTF-8 (BOM allowed) or UTF-16 with a BOM (what some Windows tools
/// write). Anything else, or NUL bytes, is binary.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |be: bool| -> Result<String, String> {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "invalid UTF-16".to_string())
    };
    let text = match bytes {
        [0xFF, 0xFE, ..] => utf16(false)?,
        [0xFE, 0xFF, ..] => utf16(true)?,
        _ => {
            let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            match std::str::from_utf8(b) {
                Ok(s) => s.to_string(),
                Err(e) => {
                    return Err(format!("invalid UTF-8 at byte {}", e.valid_up_to()));
                }
            }
        }
    };
    if let Some(p) = text.find('\0') {
        return Err(format!("a NUL byte at offset {p}"));
    }
    Ok(text)
}

// ---------------------------------------------------------------------------------------
// JSON inputs

/// What a JSON value (or an element of a list) is.
enum JsonItem<'v> {
    /// A policy envelope: path of `value`, the value, the `format`, the resource name.
    Envelope {
        path: String,
        value: &'v Value,
        format: Option<&'v str>,
        name: Option<&'v str>,
    },
    /// A diagnostics resource: path prefix of its properties (`properties.` or ``).
    Diagnostics {
        prefix: String,
        obj: &'v Value,
        props: Value,
    },
    Unknown {
        path: String,
    },
}

fn join(p: &str, k: &str) -> String {
    if p.is_empty() {
        k.to_string()
    } else {
        format!("{p}.{k}")
    }
}

fn classify<'v>(v: &'v Value, path: &str, arm: Option<&'v Value>, out: &mut Vec<JsonItem<'v>>) {
    if out.len() >= JSON_ITEMS_LIMIT {
        return;
    }
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                classify(item, &format!("{path}[{i}]"), arm, out);
            }
        }
        Value::Object(o) => {
            // An ARM template: its resources, with the template for [variables()] /
            // [parameters()] resolution.
            if let Some(Value::Array(res)) = o.get("resources")
                && (o.contains_key("$schema") || o.contains_key("contentVersion"))
            {
                for (i, r) in res.iter().enumerate() {
                    classify(
                        r,
                        &format!("{}[{i}]", join(path, "resources")),
                        Some(v),
                        out,
                    );
                }
                return;
            }
            let (props, ppath) = match o.get("properties") {
                Some(p @ Value::Object(_)) => (p, join(path, "properties")),
                _ => (v, path.to_string()),
            };
            let ty = o
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase);
            let is_diag_type = ty.as_deref().is_some_and(|t| t.ends_with("/diagnostics"));
            if props.get("value").is_some_and(|x| !x.is_array())
                || props.get("format").is_some_and(Value::is_string)
            {
                out.push(JsonItem::Envelope {
                    path: join(&ppath, "value"),
                    value: props.get("value").unwrap_or(&Value::Null),
                    format: props.get("format").and_then(Value::as_str),
                    name: o.get("name").and_then(Value::as_str),
                });
            } else if is_diag_type
                || props.get("frontend").is_some()
                || props.get("backend").is_some_and(Value::is_object)
                || props.get("loggerId").is_some()
            {
                let prefix = if ppath.is_empty() {
                    String::new()
                } else {
                    format!("{ppath}.")
                };
                let mut props = props.clone();
                if let Some(t) = arm {
                    diagnostics::json::resolve_arm(&mut props, t);
                }
                out.push(JsonItem::Diagnostics {
                    prefix,
                    obj: v,
                    props,
                });
            } else if let Some(list @ Value::Array(_)) = o.get("value") {
                classify(list, &join(path, "value"), arm, out);
            } else if arm.is_some() {
                // Other resources of a template (the service, APIs, loggers): not ours.
                if let Some(Value::Array(nested)) = o.get("resources") {
                    for (i, r) in nested.iter().enumerate() {
                        classify(r, &format!("{}[{i}]", join(path, "resources")), arm, out);
                    }
                }
            } else {
                out.push(JsonItem::Unknown {
                    path: path.to_string(),
                });
            }
        }
        _ => out.push(JsonItem::Unknown {
            path: path.to_string(),
        }),
    }
}

fn json_units(name: &str, text: String) -> Vec<Unit> {
    let src = Source::new(name, name.to_string(), text);
    let value: Value = match serde_json::from_str(&src.text) {
        Ok(v) => v,
        Err(e) => {
            let off = src.offset_of(e.line(), e.column());
            return vec![Unit::Checks(vec![src.at(
                Check::new("policy.input", "The file is valid JSON").fail(
                    codes::NOT_POLICY,
                    format!("the file starts like JSON but does not parse: {e}"),
                ),
                off,
            )])];
        }
    };
    let mut items = Vec::new();
    classify(&value, "", None, &mut items);
    let mut out = Vec::new();
    let mut cursor = 0;
    let mut diagnostics_found = false;
    for item in items {
        match item {
            JsonItem::Envelope {
                path,
                value,
                format,
                name: res_name,
            } => out.push(envelope(&src, &path, value, format, res_name)),
            JsonItem::Diagnostics { prefix, obj, props } => {
                diagnostics_found = true;
                out.push(Unit::Checks(diagnostics::json::lint(
                    &src,
                    &prefix,
                    obj,
                    &props,
                    &mut cursor,
                )))
            }
            JsonItem::Unknown { path } => {
                let at = if path.is_empty() {
                    "the document".to_string()
                } else {
                    path
                };
                out.push(Unit::Checks(vec![src.whole(input_check(name).fail(
                    codes::NOT_POLICY,
                    format!(
                        "{at} is JSON but neither a policy envelope ({{\"properties\":{{\"value\":\"<policies>…\",\"format\":\"xml\"}}}}), an APIM diagnostics resource nor an ARM template holding one"
                    ),
                ))]));
            }
        }
    }
    if out.is_empty() && !diagnostics_found {
        out.push(Unit::Checks(vec![src.whole(input_check(name).fail(
            codes::NOT_POLICY,
            "an ARM template without APIM diagnostics or policy resources",
        ))]));
    }
    out
}

fn envelope(
    src: &Source,
    path: &str,
    value: &Value,
    format: Option<&str>,
    res_name: Option<&str>,
) -> Unit {
    let label = format!("{}[{path}]", src.label);
    let envelope_check = || {
        src.whole(Check::new(
            "policy.input",
            "The envelope holds a policy document",
        ))
        .evidence("location", label.clone())
    };
    let Some(xml_text) = value.as_str() else {
        return Unit::Checks(vec![envelope_check().fail(
            codes::XML_INVALID,
            format!("{path} is not a string holding the policy XML"),
        )]);
    };
    let format_lower = format.map(str::to_ascii_lowercase);
    let fmt = match format_lower.as_deref() {
        // The management API's default format is xml.
        None | Some("xml") => Format::Xml,
        Some("rawxml") => Format::RawXml,
        Some(f @ ("xml-link" | "rawxml-link")) => {
            return Unit::Checks(vec![envelope_check().info(
                codes::NOT_POLICY,
                format!(
                    "the envelope's format is {f}: {path} is a link to the policy, not the policy. Download it and lint the XML."
                ),
            )]);
        }
        Some(other) => {
            return Unit::Checks(vec![envelope_check().fail(
                codes::XML_INVALID,
                format!(
                    "unknown format {other:?}: the management API accepts xml, rawxml, xml-link and rawxml-link"
                ),
            )]);
        }
    };
    // A fragment resource's name is its id (`…/policyFragments/<id>`).
    let name = res_name
        .map(|n| n.rsplit('/').next().unwrap_or(n).to_string())
        .unwrap_or_else(|| stem(&src.file));
    Unit::Policy {
        src: Source::new(&src.file, label, xml_text.to_string()),
        format: fmt,
        name,
    }
}
