//! Diagnostics in Bicep: `resource <name> 'Microsoft.ApiManagement/service/…diagnostics@…'
//! = { … properties: { frontend: { response: { body: { bytes: N } } } } }` (also the
//! nested-child form `'diagnostics@…'`), with `bytes` a literal or a `param`/`var` whose
//! value is a literal. A purpose-built reader for just these fields, not a Bicep parser.

use crate::report::Check;

use super::super::source::Source;
use super::{Found, Resource, judge, setting_index};

/// Tokens the reader needs.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Colon,
    Eq,
    Open,
    Close,
    Other,
}

/// Tokenise Bicep: identifiers, numbers (as identifiers), single-quoted and
/// triple-quoted strings, braces; comments skipped. Stops after `max` tokens.
fn tokens(text: &str, max: usize) -> Vec<(usize, Tok)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < max {
        let c = b[i];
        let start = i;
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
                continue;
            }
            b'\'' if text[i..].starts_with("'''") => {
                let end = text[i + 3..].find("'''").map_or(b.len(), |p| i + 3 + p);
                out.push((start, Tok::Str(text[i + 3..end].to_string())));
                i = (end + 3).min(b.len());
                continue;
            }
            b'\'' => {
                let end = super::quoted_end(b, i, b'\'');
                out.push((start, Tok::Str(text[i + 1..end].to_string())));
                i = (end + 1).min(b.len());
                continue;
            }
            b'{' => out.push((start, Tok::Open)),
            b'}' => out.push((start, Tok::Close)),
            b':' => out.push((start, Tok::Colon)),
            b'=' => out.push((start, Tok::Eq)),
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let mut j = i;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.')
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

/// `param name int = 8192` / `var name = 8192`.
fn declared_number(toks: &[(usize, Tok)], name: &str) -> Option<u64> {
    for (i, (_, t)) in toks.iter().enumerate() {
        let Tok::Ident(kw) = t else { continue };
        if (kw != "param" && kw != "var")
            || toks.get(i + 1).map(|x| &x.1) != Some(&Tok::Ident(name.to_string()))
        {
            continue;
        }
        // The first `=` after, then its value.
        let eq = toks[i + 2..]
            .iter()
            .take(3)
            .position(|(_, t)| *t == Tok::Eq)?;
        if let Some((_, Tok::Ident(v))) = toks.get(i + 2 + eq + 1) {
            return v.parse().ok();
        }
    }
    None
}

/// `Some(checks)` when the file holds APIM diagnostics resources, else `None`.
pub fn lint(src: &Source) -> Option<Vec<Check>> {
    let toks = tokens(&src.text, 200_000);
    let mut resources = Vec::new();
    let mut i = 0;
    while i + 2 < toks.len() {
        let is_diag = matches!(&toks[i].1, Tok::Ident(k) if k == "resource")
            && matches!(&toks[i + 2].1, Tok::Str(t) if {
                let t = t.to_ascii_lowercase();
                t.contains("diagnostics@") && (t.contains("microsoft.apimanagement/service") || !t.contains('/'))
            });
        if !is_diag {
            i += 1;
            continue;
        }
        let Tok::Str(ty) = &toks[i + 2].1 else {
            i += 1;
            continue;
        };
        let api_scope = ty.to_ascii_lowercase().contains("/apis/");
        let start = toks[i].0;
        // To the resource's `{`, then read its block.
        let Some(open) = toks[i..].iter().position(|(_, t)| *t == Tok::Open) else {
            break;
        };
        let mut j = i + open;
        let mut stack: Vec<String> = Vec::new();
        let mut pending: Option<String> = None;
        let mut name = None;
        let mut found = Vec::new();
        while j < toks.len() {
            match &toks[j].1 {
                Tok::Open => {
                    stack.push(pending.take().unwrap_or_default());
                }
                Tok::Close => {
                    stack.pop();
                    if stack.is_empty() {
                        break;
                    }
                }
                Tok::Ident(k) if toks.get(j + 1).map(|x| &x.1) == Some(&Tok::Colon) => {
                    let value = toks.get(j + 2);
                    match (k.as_str(), value) {
                        ("name", Some((_, Tok::Str(n)))) if stack.len() == 1 => {
                            name = Some(n.clone())
                        }
                        ("bytes", Some((at, v))) if stack.len() >= 4 => {
                            let n = stack.len();
                            if stack[n - 1] == "body"
                                && let Some(idx) = setting_index(&stack[n - 3], &stack[n - 2])
                            {
                                let raw = match v {
                                    Tok::Ident(s) | Tok::Str(s) => s.clone(),
                                    _ => "?".into(),
                                };
                                let bytes =
                                    raw.parse().ok().or_else(|| declared_number(&toks, &raw));
                                found.push(Found {
                                    setting: idx,
                                    path: format!("{}.{}.body.bytes", stack[n - 3], stack[n - 2]),
                                    bytes,
                                    raw,
                                    offset: Some(*at),
                                });
                            }
                        }
                        _ => {}
                    }
                    pending = matches!(value, Some((_, Tok::Open))).then(|| k.clone());
                    j += 1;
                }
                _ => {}
            }
            j += 1;
        }
        let name = name.unwrap_or_else(|| "diagnostics".into());
        resources.push(Resource {
            scope: format!(
                "{} diagnostics '{name}' (Bicep)",
                if api_scope {
                    "API-scope"
                } else {
                    "service-scope"
                }
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
    fn reads_bytes_and_params() {
        let text = "param logBytes int = 8192\n// resource x 'Microsoft.ApiManagement/service/diagnostics@2022-08-01' = {}\nresource d 'Microsoft.ApiManagement/service/diagnostics@2022-08-01' = {\n  name: 'applicationinsights'\n  properties: {\n    frontend: { response: { body: { bytes: logBytes } } }\n    backend: { request: { body: { bytes: 0 } } }\n  }\n}\n";
        let src = Source::new("d.bicep", "d.bicep".into(), text.into());
        let checks = lint(&src).expect("diagnostics");
        assert_eq!(checks.len(), 1, "{checks:?}");
        assert_eq!(
            checks[0].code,
            Some(crate::policy::codes::DIAGNOSTICS_PAYLOAD)
        );
        assert_eq!(checks[0].evidence["bytes"], 8192);
        assert_eq!(checks[0].evidence["line"], 6);
    }
}
