//! Diagnostics in Terraform (azurerm): `resource "azurerm_api_management_diagnostic"` and
//! `"azurerm_api_management_api_diagnostic"` with `frontend_response { body_bytes = N }`
//! (and `backend_response`, `frontend_request`, `backend_request`), `N` a literal or
//! `var.x` with a literal `default`. A purpose-built reader for just these fields, not an
//! HCL parser: strings, comments and heredocs are skipped so their braces do not count.

use crate::report::Check;

use super::super::source::Source;
use super::{Found, Resource, judge, setting_index};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Eq,
    Open,
    Close,
    Other,
}

fn tokens(text: &str, max: usize) -> Vec<(usize, Tok)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < max {
        let c = b[i];
        let start = i;
        match c {
            b'#' => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
                continue;
            }
            b'<' if text[i..].starts_with("<<") => {
                // A heredoc: <<EOT or <<-EOT, to a line holding only the marker.
                let rest = text[i + 2..].trim_start_matches('-');
                let marker: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if marker.is_empty() {
                    out.push((start, Tok::Other));
                    i += 2;
                    continue;
                }
                let body_start = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p + 1);
                let mut j = body_start;
                let mut end = b.len();
                while j < b.len() {
                    let line_end = memchr::memchr(b'\n', &b[j..]).map_or(b.len(), |p| j + p);
                    if text[j..line_end].trim() == marker {
                        end = line_end;
                        break;
                    }
                    j = line_end + 1;
                }
                out.push((start, Tok::Str(text[body_start.min(end)..end].to_string())));
                i = end;
                continue;
            }
            b'"' => {
                let end = super::quoted_end(b, i, b'"');
                out.push((start, Tok::Str(text[i + 1..end].to_string())));
                i = (end + 1).min(b.len());
                continue;
            }
            b'{' => out.push((start, Tok::Open)),
            b'}' => out.push((start, Tok::Close)),
            b'=' => out.push((start, Tok::Eq)),
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let mut j = i;
                while j < b.len()
                    && (b[j].is_ascii_alphanumeric()
                        || b[j] == b'_'
                        || b[j] == b'.'
                        || b[j] == b'-')
                {
                    j += 1;
                }
                out.push((start, Tok::Ident(text[i..j].to_string())));
                i = j;
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => out.push((start, Tok::Other)),
        }
        i += 1;
    }
    out
}

/// `variable "x" { default = N }`.
fn variable_default(toks: &[(usize, Tok)], name: &str) -> Option<u64> {
    for (i, (_, t)) in toks.iter().enumerate() {
        if *t != Tok::Ident("variable".into())
            || toks.get(i + 1).map(|x| &x.1) != Some(&Tok::Str(name.into()))
        {
            continue;
        }
        let mut depth = 0;
        for (k, (_, t)) in toks[i + 2..].iter().enumerate() {
            match t {
                Tok::Open => depth += 1,
                Tok::Close => {
                    depth -= 1;
                    if depth == 0 {
                        return None;
                    }
                }
                Tok::Ident(d) if d == "default" && depth == 1 => {
                    if let Some((_, Tok::Ident(v))) = toks.get(i + 2 + k + 2) {
                        return v.parse().ok();
                    }
                }
                _ => {}
            }
        }
    }
    None
}

const TYPES: &[&str] = &[
    "azurerm_api_management_diagnostic",
    "azurerm_api_management_api_diagnostic",
];

/// `Some(checks)` when the file holds APIM diagnostics resources, else `None`.
pub fn lint(src: &Source) -> Option<Vec<Check>> {
    let toks = tokens(&src.text, 200_000);
    let mut resources = Vec::new();
    let mut i = 0;
    while i + 3 < toks.len() {
        let ty = match (&toks[i].1, &toks[i + 1].1, &toks[i + 2].1, &toks[i + 3].1) {
            (Tok::Ident(r), Tok::Str(t), Tok::Str(_), Tok::Open)
                if r == "resource" && TYPES.contains(&t.as_str()) =>
            {
                t.clone()
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let Tok::Str(res_name) = &toks[i + 2].1 else {
            unreachable!("matched above")
        };
        let start = toks[i].0;
        let mut stack: Vec<String> = Vec::new();
        let mut found = Vec::new();
        let mut identifier = None;
        let mut j = i + 3;
        while j < toks.len() {
            match &toks[j].1 {
                Tok::Open => {
                    let block = match toks.get(j.wrapping_sub(1)).map(|x| &x.1) {
                        Some(Tok::Ident(b)) => b.clone(),
                        _ => String::new(),
                    };
                    stack.push(block);
                }
                Tok::Close => {
                    stack.pop();
                    if stack.is_empty() {
                        break;
                    }
                }
                Tok::Ident(k) if toks.get(j + 1).map(|x| &x.1) == Some(&Tok::Eq) => {
                    let value = toks.get(j + 2);
                    if k == "identifier"
                        && stack.len() == 1
                        && let Some((_, Tok::Str(s))) = value
                    {
                        identifier = Some(s.clone());
                    }
                    if k == "body_bytes"
                        && let Some(block) = stack.last()
                        && let Some((side, direction)) = block.split_once('_')
                        && let Some(idx) = setting_index(side, direction)
                        && let Some((at, v)) = value
                    {
                        let raw = match v {
                            Tok::Ident(s) | Tok::Str(s) => s.clone(),
                            _ => "?".into(),
                        };
                        let bytes = raw.parse().ok().or_else(|| {
                            raw.strip_prefix("var.")
                                .and_then(|n| variable_default(&toks, n))
                        });
                        found.push(Found {
                            setting: idx,
                            path: format!("{block}.body_bytes"),
                            bytes,
                            raw,
                            offset: Some(*at),
                        });
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let api_scope = ty.contains("_api_diagnostic");
        resources.push(Resource {
            scope: format!(
                "{} diagnostics {ty}.{res_name}{} (Terraform)",
                if api_scope {
                    "API-scope"
                } else {
                    "service-scope"
                },
                identifier.map(|i| format!(" '{i}'")).unwrap_or_default()
            ),
            api_scope,
            found,
            at: Some(start),
        });
        i = j + 1;
    }
    if resources.is_empty() {
        return None;
    }
    Some(resources.iter().flat_map(|r| judge(src, r)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_body_bytes_and_variables() {
        let text = r#"variable "log_bytes" {
  type    = number
  default = 8192
}
resource "azurerm_api_management_policy" "p" {
  xml_content = <<XML
<policies><inbound>{ not a block }</inbound></policies>
XML
}
resource "azurerm_api_management_diagnostic" "d" {
  identifier = "applicationinsights"
  frontend_response {
    body_bytes = var.log_bytes
  }
  backend_request {
    body_bytes = 0
  }
}
"#;
        let src = Source::new("d.tf", "d.tf".into(), text.into());
        let checks = lint(&src).expect("diagnostics");
        assert_eq!(checks.len(), 1, "{checks:?}");
        assert_eq!(checks[0].evidence["bytes"], 8192);
        assert_eq!(checks[0].evidence["line"], 13);
    }
}
