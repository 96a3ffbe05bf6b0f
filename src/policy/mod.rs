//! Policy area: lint APIM policy XML and APIM diagnostics settings before they are deployed
//! (issue 6).
//!
//! Half of the per-user guide's policy section is about XML traps (named values are not
//! substituted inside expressions or CDATA, attribute expressions must be escaped); other
//! mistakes are silent and dangerous (an OBO cache key without the user's `oid`, a cache
//! that outlives the token, an `on-error` without the `WWW-Authenticate` challenge,
//! payload logging that truncates SSE). All of them are visible in the files that
//! `az apim … policy show`, the management API and `az apim diagnostic show` return.
//!
//! Inputs: raw policy XML (format `xml`, or `rawxml` with unescaped expressions), the
//! management API's JSON envelope (`{"properties":{"value":"<policies>…","format":"xml"}}`,
//! also `rawxml`, a list of them, or the bare `{"value":…,"format":…}`), and the APIM
//! diagnostics resource (service or API scope, management-API or flattened az CLI shape).
//!
//! - [`source`]: positions and snippets (every finding has `file:line:column`),
//! - [`xml`]: parsing, the `rawxml` escaper, parse-error explanations,
//! - [`pattern`]: which integration pattern (or OAuth-proxy operation) the policy implements,
//! - [`checks`]: the `policy.*` rules,
//! - [`oauth_proxy`]: PRM / AS metadata / `/authorize` operations, checked with the same
//!   rules `discovery` applies to the live documents,
//! - [`diagnostics`]: payload logging in the diagnostics resource.

pub mod codes;

pub mod checks;
pub mod diagnostics;
pub mod oauth_proxy;
pub mod pattern;
pub mod source;
pub mod xml;

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::cli::PolicyArgs;
use crate::context::{Ctx, Outcome};
use crate::error::Error;
use crate::report::{Check, redact};

use source::Source;

/// Largest input read. APIM policies are a few KiB; a larger file is refused with a
/// finding after reading this much, never loaded whole.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Options of a lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Lifetime of the backend tokens in seconds (`--token-lifetime`), for the OBO cache
    /// duration. Without it the guide's one hour applies.
    pub token_lifetime: Option<u64>,
}

/// How a policy text is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A file: must be well-formed XML (what the guide's `jq … format: "xml"` deploys).
    File,
    /// Management-API format `xml`.
    Xml,
    /// Management-API format `rawxml`: expressions need no escaping, APIM escapes them.
    RawXml,
}

/// `c7doctor policy FILE...`
pub fn command(ctx: &Ctx, args: &PolicyArgs) -> Result<Outcome, Error> {
    let opts = LintOptions {
        token_lifetime: args.token_lifetime,
    };
    // Read everything first: an unreadable path is a usage error before any output.
    let mut inputs = Vec::new();
    let mut stdin_read = false;
    for path in &args.files {
        if path.as_os_str() == "-" {
            if stdin_read {
                return Err(Error::usage("`-` (stdin) can be given only once"));
            }
            stdin_read = true;
        }
        inputs.push((path.display().to_string(), read_input(path)?));
    }
    let mut report = ctx.report("policy");
    report.context(
        "files",
        Value::from(inputs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()),
    );
    for (name, (bytes, complete)) in &inputs {
        report.extend(lint_input(name, bytes, *complete, ctx, &opts));
    }
    Ok(report.into())
}

/// Lint one document given as bytes (a policy XML, an envelope, a diagnostics JSON); `name`
/// labels its locations. For `e2e --policy` and the fuzzer.
pub fn lint_text(name: &str, text: &[u8], ctx: &Ctx, opts: &LintOptions) -> Vec<Check> {
    let complete = text.len() as u64 <= MAX_INPUT_BYTES;
    let cut = text.len().min(MAX_INPUT_BYTES as usize + 1);
    lint_input(name, &text[..cut], complete, ctx, opts)
}

/// Read and lint one file (`-` for stdin). An unreadable path is a usage error naming it.
pub fn lint_file(path: &Path, ctx: &Ctx, opts: &LintOptions) -> Result<Vec<Check>, Error> {
    let (bytes, complete) = read_input(path)?;
    Ok(lint_input(
        &path.display().to_string(),
        &bytes,
        complete,
        ctx,
        opts,
    ))
}

/// Read at most [`MAX_INPUT_BYTES`] (+1 to know there was more). Returns the bytes and
/// whether that was all of it.
fn read_input(path: &Path) -> Result<(Vec<u8>, bool), Error> {
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

fn input_check(name: &str) -> Check {
    Check::new(
        "policy.input",
        "The file is a policy, a policy envelope or a diagnostics resource",
    )
    .evidence("location", name.to_string())
    .evidence("file", name.to_string())
}

/// Lint one input: decide what it is, then lint it.
fn lint_input(
    name: &str,
    bytes: &[u8],
    complete: bool,
    ctx: &Ctx,
    opts: &LintOptions,
) -> Vec<Check> {
    if !complete {
        return vec![input_check(name).fail(
            codes::NOT_POLICY,
            format!(
                "the file is larger than {} MiB (reading stopped there); an APIM policy is a few KiB",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        )];
    }
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(why) => {
            return vec![input_check(name).fail(
                codes::NOT_POLICY,
                format!("the file is not text ({why}): not a policy XML or JSON document"),
            )];
        }
    };
    let first = text.trim_start().chars().next();
    match first {
        None => vec![
            input_check(name).fail(codes::NOT_POLICY, "the file is empty (or only whitespace)"),
        ],
        Some('{') | Some('[') => lint_json(name, text, ctx, opts),
        Some(_) => {
            let src = Source::new(name, name.to_string(), text);
            lint_xml(src, Format::File, ctx, opts)
        }
    }
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
    /// A policy envelope: path of `value`, the value, and the `format`.
    Envelope {
        path: String,
        value: &'v Value,
        format: Option<&'v str>,
    },
    /// A diagnostics resource: path prefix of its properties (`properties.` or ``).
    Diagnostics {
        prefix: String,
        obj: &'v Value,
        props: &'v Value,
    },
    Unknown {
        path: String,
    },
}

/// Most list elements looked at in one JSON file.
const JSON_ITEMS_LIMIT: usize = 1000;

fn classify<'v>(v: &'v Value, path: &str, out: &mut Vec<JsonItem<'v>>) {
    if out.len() >= JSON_ITEMS_LIMIT {
        return;
    }
    let join = |p: &str, k: &str| {
        if p.is_empty() {
            k.to_string()
        } else {
            format!("{p}.{k}")
        }
    };
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                classify(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            let (props, ppath) = match o.get("properties") {
                Some(p @ Value::Object(_)) => (p, join(path, "properties")),
                _ => (v, path.to_string()),
            };
            let is_diag_type = o
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.to_ascii_lowercase().ends_with("/diagnostics"));
            if props.get("value").is_some_and(|x| !x.is_array())
                || props.get("format").is_some_and(Value::is_string)
            {
                out.push(JsonItem::Envelope {
                    path: join(&ppath, "value"),
                    value: props.get("value").unwrap_or(&Value::Null),
                    format: props.get("format").and_then(Value::as_str),
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
                out.push(JsonItem::Diagnostics {
                    prefix,
                    obj: v,
                    props,
                });
            } else if let Some(list @ Value::Array(_)) = o.get("value") {
                classify(list, &join(path, "value"), out);
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

fn lint_json(name: &str, text: String, ctx: &Ctx, opts: &LintOptions) -> Vec<Check> {
    let src = Source::new(name, name.to_string(), text);
    let value: Value = match serde_json::from_str(&src.text) {
        Ok(v) => v,
        Err(e) => {
            let off = src.offset_of(e.line(), e.column());
            return vec![src.at(
                Check::new("policy.input", "The file is valid JSON").fail(
                    codes::NOT_POLICY,
                    format!("the file starts like JSON but does not parse: {e}"),
                ),
                off,
            )];
        }
    };
    let mut items = Vec::new();
    classify(&value, "", &mut items);
    let mut out = Vec::new();
    let mut cursor = 0;
    for item in items {
        match item {
            JsonItem::Envelope {
                path,
                value,
                format,
            } => out.extend(lint_envelope(&src, &path, value, format, ctx, opts)),
            JsonItem::Diagnostics { prefix, obj, props } => {
                out.extend(diagnostics::lint(&src, &prefix, obj, props, &mut cursor))
            }
            JsonItem::Unknown { path } => {
                let at = if path.is_empty() {
                    "the document".to_string()
                } else {
                    path
                };
                out.push(src.whole(input_check(name).fail(
                    codes::NOT_POLICY,
                    format!(
                        "{at} is JSON but neither a policy envelope ({{\"properties\":{{\"value\":\"<policies>…\",\"format\":\"xml\"}}}}) nor an APIM diagnostics resource"
                    ),
                )));
            }
        }
    }
    out
}

fn lint_envelope(
    src: &Source,
    path: &str,
    value: &Value,
    format: Option<&str>,
    ctx: &Ctx,
    opts: &LintOptions,
) -> Vec<Check> {
    let label = format!("{}[{path}]", src.label);
    let envelope_check = || {
        src.whole(Check::new(
            "policy.input",
            "The envelope holds a policy document",
        ))
        .evidence("location", label.clone())
    };
    let Some(xml_text) = value.as_str() else {
        return vec![envelope_check().fail(
            codes::XML_INVALID,
            format!("{path} is not a string holding the policy XML"),
        )];
    };
    let format_lower = format.map(str::to_ascii_lowercase);
    let fmt = match format_lower.as_deref() {
        None | Some("xml") => Format::Xml,
        Some("rawxml") => Format::RawXml,
        Some(f @ ("xml-link" | "rawxml-link")) => {
            return vec![envelope_check().info(
                codes::NOT_POLICY,
                format!(
                    "the envelope's format is {f}: {path} is a link to the policy, not the policy. Download it and lint the XML."
                ),
            )];
        }
        Some(other) => {
            return vec![envelope_check().fail(
                codes::XML_INVALID,
                format!(
                    "unknown format {other:?}: the management API accepts xml, rawxml, xml-link and rawxml-link"
                ),
            )];
        }
    };
    // A secret in the envelope file is a secret in the policy: the inner source registers it.
    let inner = Source::new(&src.file, label, xml_text.to_string());
    lint_xml(inner, fmt, ctx, opts)
}

// ---------------------------------------------------------------------------------------
// XML inputs

/// Lint one policy text.
pub fn lint_xml(mut src: Source, format: Format, ctx: &Ctx, opts: &LintOptions) -> Vec<Check> {
    let mut out = Vec::new();
    // Secrets first, so every snippet below (even of a parse error) shows them masked.
    let mut secrets = checks::scan_secrets(&src.text);
    for s in &secrets {
        src.add_secret(&s.value, s.shown.clone());
    }

    let xml_check = || Check::new("policy.xml", "The policy is well-formed XML");
    let strict_err = xml::parse(&src.text).err();
    let escaped = match &strict_err {
        None => Some(xml::Escaped::identity(&src.text)),
        Some(roxmltree::Error::DtdDetected)
        | Some(roxmltree::Error::NodesLimitReached)
        | Some(roxmltree::Error::EntityReferenceLoop(_)) => None,
        Some(_) => xml::escape_expressions(&src.text).filter(|e| xml::parse(&e.text).is_ok()),
    };

    // Report what does not parse.
    let mut reported_placeholders = Vec::new();
    if let Some(err) = &strict_err {
        let rawxml_fixes_it = format == Format::RawXml && escaped.is_some();
        let problem = xml::explain(&src.text, err, |l, c| src.offset_of(l, c));
        let report_problem = |p: &xml::XmlProblem| -> Check {
            let detail = if p.escaping {
                format!("{} {}", p.reason, xml::ESCAPING_RULE)
            } else {
                p.reason.clone()
            };
            let mut c = src
                .at(xml_check().fail(codes::XML_INVALID, detail), p.offset)
                .evidence("parser", p.parser_message.clone())
                .evidence(
                    "parser_position",
                    format!("{}:{}", p.parser_pos.0, p.parser_pos.1),
                );
            if let Some(ph) = &p.placeholder {
                c = c.evidence("placeholder", ph.clone()).fix(
                    "Replace the placeholder with your value (or a named value such as {{entra-tenant-id}} in plain text) and re-apply the policy.",
                );
            }
            c
        };
        match (&escaped, rawxml_fixes_it) {
            // rawxml: APIM escapes expressions itself; placeholders are reported below.
            (Some(_), true) => {}
            (Some(esc), false) => {
                out.push(report_problem(&problem));
                if problem.placeholder.is_some() {
                    reported_placeholders.push(problem.offset);
                }
                // Every other place that needed escaping is an error of its own (the
                // parser stops at the first; the escaper found them all).
                let covered =
                    |e: &xml::Escape| e.offset == problem.offset || e.region == problem.offset;
                for e in esc
                    .escapes
                    .iter()
                    .filter(|e| !covered(e))
                    .take(checks::MAX_FINDINGS)
                {
                    let placeholder = (e.kind == xml::EscapeKind::Placeholder)
                        .then(|| xml::placeholder_tag_at(&src.text[e.offset..]))
                        .flatten()
                        .map(|(_, n)| format!("<{n}>"));
                    let reason = xml::escape_reason(e.kind);
                    let detail = match &placeholder {
                        Some(ph) => format!("{ph} is {reason}"),
                        None => format!("{reason} {}", xml::ESCAPING_RULE),
                    };
                    let mut c = src.at(xml_check().fail(codes::XML_INVALID, detail), e.offset);
                    if let Some(ph) = placeholder {
                        c = c.evidence("placeholder", ph);
                    }
                    out.push(c);
                }
                reported_placeholders.extend(
                    esc.escapes
                        .iter()
                        .filter(|e| e.kind == xml::EscapeKind::Placeholder)
                        .take(checks::MAX_FINDINGS)
                        .map(|e| e.offset),
                );
                if format == Format::Xml || format == Format::File {
                    out.push(src.whole(xml_check().info(
                        codes::XML_INVALID,
                        "the rest of the policy was linted with its expressions escaped the way APIM's rawxml format escapes them (if this file is deployed with format rawxml, as APIOps does, APIM escapes expressions itself and only the placeholders are errors)",
                    )));
                }
            }
            (None, _) => {
                out.push(report_problem(&problem));
                out.extend(checks::secret_checks(&src, &secrets));
                return out;
            }
        }
    }
    let Some(esc) = escaped else {
        out.extend(checks::secret_checks(&src, &secrets));
        return out;
    };
    let doc = match xml::parse(&esc.text) {
        Ok(d) => d,
        Err(e) => {
            // Cannot happen (checked above); report rather than panic.
            out.push(src.whole(xml_check().fail(codes::XML_INVALID, e.to_string())));
            return out;
        }
    };
    if strict_err.is_none() {
        out.push(src.whole(xml_check().pass("the policy parses")));
    }

    let depth = xml::max_depth(&doc);
    if depth > xml::DEPTH_LIMIT {
        out.push(src.whole(Check::new("policy.input", "The file is a policy").fail(
            codes::NOT_POLICY,
            format!(
                "elements nest {depth} levels deep; policies nest a handful. Not linted further."
            ),
        )));
        out.extend(checks::secret_checks(&src, &secrets));
        return out;
    }
    let root = doc.root_element();
    let root_name = xml::name(root);
    if !xml::POLICY_ROOTS.contains(&root_name) {
        out.push(src.at(
            Check::new("policy.input", "The document's root is <policies>").fail(
                codes::NOT_POLICY,
                format!(
                    "the root element is <{root_name}>, not <policies> (or <fragment>, or one section such as <on-error>): this is not an APIM policy"
                ),
            ),
            esc.orig(root.range().start),
        ));
        out.extend(checks::secret_checks(&src, &secrets));
        return out;
    }

    // Secrets only the structure reveals (a literal in a secret-named variable, a key header).
    let structural =
        checks::structural_secrets(&checks::Lint::new(&src, &esc, &doc, ctx, opts, format));
    for s in structural {
        if !secrets
            .iter()
            .any(|x| x.offset == s.offset || x.value == s.value)
        {
            secrets.push(s);
        }
    }
    for s in &secrets {
        src.add_secret(&s.value, s.shown.clone());
    }
    let lint = checks::Lint::new(&src, &esc, &doc, ctx, opts, format);
    out.extend(lint.run(&secrets, &reported_placeholders));
    out
}

/// Mask a secret for display: an API key keeps its prefix and last four, anything else is
/// named by its fingerprint.
pub fn shown_secret(value: &str) -> String {
    if value.starts_with("ctx7sk") {
        redact::mask_key(value)
    } else {
        format!("‹secret {}›", redact::fingerprint(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx() -> Ctx {
        let mut cfg = crate::config::Config::defaults();
        cfg.set_host(Some("apim.example.net".into()));
        Ctx {
            cfg,
            now: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    /// Pieces of policies, expressions, envelopes and traps, shuffled by the generator.
    const PIECES: &[&str] = &[
        "<policies>",
        "</policies>",
        "<inbound>",
        "</inbound>",
        "<outbound>",
        "</outbound>",
        "<on-error>",
        "</on-error>",
        "<base />",
        "<set-header name=\"WWW-Authenticate\">",
        "<set-header name=\"Authorization\">",
        "</set-header>",
        "<value>",
        "</value>",
        "@(",
        "@{",
        ")",
        "}",
        "\"",
        "&quot;",
        "&",
        "&lt;",
        "<",
        ">",
        "{{x}}",
        "<your-tenant-id>",
        "<![CDATA[",
        "]]>",
        "ctx7sk-0123456789abcdef",
        "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.c2ln",
        "Bearer ",
        "$\"",
        "{",
        "'",
        "\n",
        " ",
        "é",
        "<return-response>",
        "</return-response>",
        "<set-body>",
        "</set-body>",
        "{\"resource\": \"https://h/x\", \"issuer\": 1}",
        "<validate-azure-ad-token tenant-id=\"t\">",
        "</validate-azure-ad-token>",
        "<audience>",
        "</audience>",
        "api://",
        "<claim name=\"scp\" match=\"all\">",
        "</claim>",
        "<cache-store-value key=\"@(k)\" duration=\"x\"/>",
        "<send-request>on_behalf_of",
        "</send-request>",
        "<set-status code=\"302\"/>",
        "<set-header name=\"Location\">",
        "context.Request.OriginalUrl.QueryString",
        "(string)context.Variables[\"t\"]",
        "+",
        "<!--",
        "-->",
        "<!DOCTYPE x>",
        "{\"properties\":{\"value\":\"",
        "\",\"format\":\"rawxml\"}}",
        "\\\"",
        "resource_metadata=\"https://",
        "Q~abcdefghijklmnopqrstuvwxyz0123456789",
        "{\"frontend\":{\"response\":{\"body\":{\"bytes\":",
        "8192}}}}",
        "[",
        "]",
    ];

    fn assert_located(checks: &[Check]) {
        for c in checks {
            if c.status != crate::report::Status::Pass {
                assert!(c.evidence.contains_key("location"), "{c:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn lint_never_panics_on_policy_pieces(parts in prop::collection::vec(0..PIECES.len(), 0..80)) {
            let text: String = parts.iter().map(|i| PIECES[*i]).collect();
            assert_located(&lint_text("fuzz.xml", text.as_bytes(), &ctx(), &LintOptions::default()));
        }

        #[test]
        fn lint_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            assert_located(&lint_text("fuzz.bin", &bytes, &ctx(), &LintOptions::default()));
        }
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let xml = "<policies><inbound><base /></inbound></policies>";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(xml.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let checks = lint_text("u16.xml", &bytes, &ctx(), &LintOptions::default());
        assert!(
            checks
                .iter()
                .any(|c| c.id == "policy.xml" && c.status == crate::report::Status::Pass)
        );
    }
}
