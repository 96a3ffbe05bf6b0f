//! Policy area: lint APIM policies and diagnostics settings before they are deployed, the
//! way APIM itself reads them.
//!
//! Half of the guides' policy advice is about XML traps; other mistakes are silent and
//! dangerous (an OBO cache key without the user's `oid`, a cache that outlives the token, a
//! 401 without the `WWW-Authenticate` challenge, payload logging that truncates SSE, a
//! token written to a trace). All of them are visible in the files that `az apim … policy
//! show`, the management API, templates and `az apim diagnostic show` give.
//!
//! Real-world policies are judged as APIM judges them: expressions are tokenised before the
//! XML is parsed (raw quotes inside `@(…)` are fine unless the policy is deployed with
//! format `xml`), named values are substituted inside expressions too, fragments and
//! `<base />` are resolved against the other files of the run, stream rules apply only to
//! the operation that carries the MCP stream, and the guide's Context7-specific names are
//! required only when the policy targets Context7 (or the configuration says so).
//!
//! - [`input`]: what each file is (policy XML, envelope, diagnostics, ARM/Bicep/Terraform),
//! - [`source`]: positions and snippets (every finding has `file:line:column`),
//! - [`xml`]: expression tokenising, parsing, parse-error explanations,
//! - [`secrets`]: secrets recognised by their form, registered before anything is shown,
//! - [`features`]: what the policy does (pattern, variables, 401s, includes),
//! - [`lint`]: the rule context, [`eval`]: the values that matter, evaluated symbolically,
//! - [`named_values`]: the deployment's named values, read from `--named-values`,
//! - [`rules`]: the `policy.*` rules, in the order of [`RULES`],
//! - [`diagnostics`]: payload logging in the diagnostics resources.

pub mod codes;
pub mod diagnostics;
pub mod eval;
pub mod features;
pub mod input;
pub mod lint;
pub mod named_values;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod xml;

use std::path::Path;

use serde_json::Value;

use crate::cli::{DeployFormat, PolicyArgs};
use crate::context::{Ctx, Outcome};
use crate::error::Error;
use crate::report::{Check, Status};

pub use lint::{Format, LintOptions};
use lint::{Lint, MAX_FINDINGS, Peer, Peers, Provides};
use named_values::NamedValues;
use secrets::SecretHit;
use source::Source;
use xml::Escaped;

/// A rule: the checks it makes on one policy.
pub type Rule = fn(&Lint) -> Vec<Check>;

/// Every rule, in report order.
pub const RULES: &[Rule] = &[
    rules::pattern::check,
    rules::named_values::check,
    rules::placeholders::check,
    rules::secrets::check,
    rules::trace::check,
    rules::fragments::check,
    rules::oauth_proxy::check,
    rules::validation::check,
    rules::audience::check,
    rules::scope::check,
    rules::claims::check,
    rules::obo::check,
    rules::challenge::check,
    rules::buffering::check,
];

/// `c7doctor policy FILE...`
pub fn command(ctx: &Ctx, args: &PolicyArgs) -> Result<Outcome, Error> {
    let opts = LintOptions {
        token_lifetime: args.token_lifetime,
        deploy_format: args.deploy_format.map(|f| match f {
            DeployFormat::Xml => Format::Xml,
            DeployFormat::Rawxml => Format::RawXml,
        }),
        named_values: match &args.named_values {
            Some(p) => NamedValues::load(p)?,
            None => NamedValues::default(),
        },
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
        inputs.push((path.display().to_string(), input::read_input(path)?));
    }
    let mut report = ctx.report("policy");
    report.context(
        "files",
        Value::from(inputs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()),
    );
    if let Some(nv) = &opts.named_values.source {
        report.context("named_values", Value::from(nv.clone()));
    }
    let units = inputs
        .iter()
        .flat_map(|(name, (bytes, complete))| {
            input::units(name, bytes, *complete, opts.deploy_format)
        })
        .collect();
    report.extend(lint_units(units, ctx, &opts));
    Ok(report.into())
}

/// Lint one document given as bytes (a policy XML, an envelope, a diagnostics file);
/// `name` labels its locations. For the fuzzer and tests.
pub fn lint_text(name: &str, text: &[u8], ctx: &Ctx, opts: &LintOptions) -> Vec<Check> {
    let complete = text.len() as u64 <= input::MAX_INPUT_BYTES;
    let cut = text.len().min(input::MAX_INPUT_BYTES as usize + 1);
    let units = input::units(name, &text[..cut], complete, opts.deploy_format);
    lint_units(units, ctx, opts)
}

/// Read and lint one file (`-` for stdin). An unreadable path is a usage error naming it.
pub fn lint_file(path: &Path, ctx: &Ctx, opts: &LintOptions) -> Result<Vec<Check>, Error> {
    lint_files(std::slice::from_ref(&path.to_path_buf()), ctx, opts)
}

/// Read and lint files together (fragments and scopes resolved across them).
pub fn lint_files(
    paths: &[std::path::PathBuf],
    ctx: &Ctx,
    opts: &LintOptions,
) -> Result<Vec<Check>, Error> {
    let mut units = Vec::new();
    for p in paths {
        let (bytes, complete) = input::read_input(p)?;
        units.extend(input::units(
            &p.display().to_string(),
            &bytes,
            complete,
            opts.deploy_format,
        ));
    }
    Ok(lint_units(units, ctx, opts))
}

// ---------------------------------------------------------------------------------------
// Parsing

/// A policy text made ready to parse: secrets registered, expressions tokenised, and what
/// parsing found.
struct Prepared {
    format: Format,
    name: String,
    /// Parse-stage findings (XML errors, the format note).
    checks: Vec<Check>,
    /// Placeholders already reported as XML errors.
    placeholders: Vec<usize>,
    secrets: Vec<SecretHit>,
}

fn xml_check() -> Check {
    Check::new("policy.xml", "The policy is well-formed XML")
}

/// A parse error of `text` (the text as written, or `esc` of it), located in the text as
/// written and explained.
fn problem(src: &Source, err: &roxmltree::Error, esc: Option<&Escaped>) -> (Check, Option<usize>) {
    let p = match esc {
        None => xml::explain(&src.text, err, |l, c| src.offset_of(l, c)),
        Some(e) => {
            let lines = Source::new("", String::new(), e.text.clone());
            let mut p = xml::explain(&e.text, err, |l, c| lines.offset_of(l, c));
            p.offset = e.orig(p.offset);
            // The position the parser reports is in the tokenised text: show the original.
            let loc = src.loc(p.offset);
            p.parser_pos = (loc.line as u32, loc.col as u32);
            p
        }
    };
    let mut c = src
        .at(
            xml_check().fail(codes::XML_INVALID, p.reason.clone()),
            p.offset,
        )
        .evidence("parser", p.parser_message.clone())
        .evidence(
            "parser_position",
            format!("{}:{}", p.parser_pos.0, p.parser_pos.1),
        );
    let placeholder = p.placeholder.is_some().then_some(p.offset);
    if let Some(ph) = &p.placeholder {
        c = c.evidence("placeholder", ph.clone());
    }
    (c, placeholder)
}

/// Register the secrets found by form, tokenise and parse. Returns the tokenised text when
/// it parses.
fn prepare(src: &mut Source, format: Format, name: String) -> (Prepared, Option<Escaped>) {
    let secrets = secrets::scan_secrets(&src.text);
    for s in &secrets {
        src.add_secret(&s.value, s.shown.clone());
    }
    let mut p = Prepared {
        format,
        name,
        checks: Vec::new(),
        placeholders: Vec::new(),
        secrets,
    };
    let strict = xml::parse(&src.text).err();
    let esc = match &strict {
        None => {
            p.checks
                .push(src.whole(xml_check().pass("the policy parses")));
            return (p, Some(Escaped::identity(&src.text)));
        }
        Some(
            err @ (roxmltree::Error::DtdDetected
            | roxmltree::Error::NodesLimitReached
            | roxmltree::Error::EntityReferenceLoop(_)),
        ) => {
            p.checks.push(problem(src, err, None).0);
            return (p, None);
        }
        Some(err) => match xml::escape_expressions(&src.text) {
            // Nothing to tokenise: the error is the document's own.
            None => {
                let (c, ph) = problem(src, err, None);
                p.checks.push(c);
                p.placeholders.extend(ph);
                return (p, None);
            }
            Some(esc) => match xml::parse(&esc.text) {
                Ok(_) => esc,
                Err(e2) => {
                    let (c, ph) = problem(src, &e2, Some(&esc));
                    p.checks.push(c);
                    p.placeholders.extend(ph);
                    return (p, None);
                }
            },
        },
    };
    report_escapes(src, &esc, &mut p);
    (p, Some(esc))
}

/// What tokenising had to change: real XML errors (a placeholder read as a tag, a raw `<`
/// or `&` outside an expression) fail in any format; raw characters inside expressions
/// fail only for format `xml`, and are one `info` when the format is not known.
fn report_escapes(src: &Source, esc: &Escaped, p: &mut Prepared) {
    let mut failed = false;
    for e in esc
        .escapes
        .iter()
        .filter(|e| !e.in_expression)
        .take(MAX_FINDINGS)
    {
        let placeholder = (e.kind == xml::EscapeKind::Placeholder)
            .then(|| xml::placeholder_tag_at(&src.text[e.offset..]))
            .flatten()
            .map(|(_, n)| format!("<{n}>"));
        let reason = xml::escape_reason(e.kind);
        let detail = match &placeholder {
            Some(ph) => format!("{ph} is {reason}"),
            None => format!(
                "{reason} This is outside any policy expression, so APIM refuses it in every format."
            ),
        };
        let mut c = src.at(xml_check().fail(codes::XML_INVALID, detail), e.offset);
        if let Some(ph) = placeholder {
            c = c.evidence("placeholder", ph);
            p.placeholders.push(e.offset);
        }
        p.checks.push(c);
        failed = true;
    }
    let in_expr: Vec<&xml::Escape> = esc.escapes.iter().filter(|e| e.in_expression).collect();
    if !in_expr.is_empty() {
        match p.format {
            Format::Xml => {
                for e in in_expr.iter().take(MAX_FINDINGS) {
                    // An attribute's expression is pointed at where it starts; a `<` or `&`
                    // in element content at the character itself.
                    let at = match e.kind {
                        xml::EscapeKind::QuoteInAttribute | xml::EscapeKind::LtInAttribute => {
                            e.region
                        }
                        _ => e.offset,
                    };
                    p.checks.push(src.at(
                        xml_check().fail(
                            codes::XML_INVALID,
                            format!(
                                "{} The policy is deployed with format xml (its envelope or --deploy-format says so), which takes the text as XML: {}",
                                xml::escape_reason(e.kind),
                                xml::ESCAPING_RULE
                            ),
                        ),
                        at,
                    ));
                }
                failed = true;
            }
            Format::RawXml => {}
            Format::Unknown => {
                let first = src.location(in_expr[0].offset);
                p.checks.push(
                    src.at(
                        xml_check().info(
                            codes::XML_INVALID,
                            format!(
                                "{} policy expression(s) hold a raw \", < or & (first at {first}). APIM's portal editor, format rawxml, Bicep (format: 'rawxml'), Terraform (xml_content) and APIOps accept that; deployed with format xml — the guide's jq … format: \"xml\" — they must be escaped as &quot;, &lt;, &amp;. Give --deploy-format xml|rawxml to decide",
                                in_expr.len()
                            ),
                        ),
                        in_expr[0].offset,
                    )
                    .evidence("expressions", Value::from(in_expr.len())),
                );
            }
        }
    }
    if !failed {
        p.checks.push(src.whole(xml_check().pass(format!(
            "the policy parses as APIM reads it ({} expression(s) with raw characters tokenised{})",
            in_expr.len(),
            if p.format == Format::RawXml {
                ", as format rawxml does"
            } else {
                ""
            }
        ))));
    }
}

// ---------------------------------------------------------------------------------------
// Linting a run

/// Lint the units of a run, fragments and scopes resolved across them.
fn lint_units(units: Vec<input::Unit>, ctx: &Ctx, opts: &LintOptions) -> Vec<Check> {
    // What each unit becomes, in order.
    enum Slot {
        Done(Vec<Check>),
        Policy(usize),
    }
    let mut slots = Vec::new();
    let mut srcs: Vec<Source> = Vec::new();
    let mut preps: Vec<Prepared> = Vec::new();
    let mut escs: Vec<Option<Escaped>> = Vec::new();
    for u in units {
        match u {
            input::Unit::Checks(c) => slots.push(Slot::Done(c)),
            input::Unit::Policy {
                mut src,
                format,
                name,
            } => {
                let (p, esc) = prepare(&mut src, format, name);
                slots.push(Slot::Policy(srcs.len()));
                srcs.push(src);
                preps.push(p);
                escs.push(esc);
            }
        }
    }
    let docs: Vec<Option<roxmltree::Document>> = escs
        .iter()
        .map(|e| e.as_ref().and_then(|e| xml::parse(&e.text).ok()))
        .collect();
    // What each document provides to the others.
    let mut peers = Peers::default();
    for (i, doc) in docs.iter().enumerate() {
        let (Some(doc), Some(esc)) = (doc, &escs[i]) else {
            continue;
        };
        let root = doc.root_element();
        if !xml::POLICY_ROOTS.contains(&xml::name(root)) || xml::max_depth(doc) > xml::DEPTH_LIMIT {
            continue;
        }
        let f = features::features(root);
        peers.docs.push(Peer {
            fragment_id: (xml::name(root) == "fragment").then(|| preps[i].name.clone()),
            label: srcs[i].label.clone(),
            provides: Provides::of(&srcs[i], esc, &f),
        });
    }
    let mut out = Vec::new();
    for slot in slots {
        match slot {
            Slot::Done(c) => out.extend(merge(c)),
            Slot::Policy(i) => {
                let checks = lint_policy(
                    &mut srcs[i],
                    &mut preps[i],
                    escs[i].as_ref(),
                    docs[i].as_ref(),
                    ctx,
                    opts,
                    &peers,
                );
                out.extend(merge(checks));
            }
        }
    }
    out
}

/// Lint one parsed policy with the rules.
fn lint_policy(
    src: &mut Source,
    p: &mut Prepared,
    esc: Option<&Escaped>,
    doc: Option<&roxmltree::Document>,
    ctx: &Ctx,
    opts: &LintOptions,
    peers: &Peers,
) -> Vec<Check> {
    let mut out = std::mem::take(&mut p.checks);
    let (Some(esc), Some(doc)) = (esc, doc) else {
        out.extend(rules::secrets::secret_checks(src, &p.secrets));
        return out;
    };
    let depth = xml::max_depth(doc);
    if depth > xml::DEPTH_LIMIT {
        out.push(src.whole(Check::new("policy.input", "The file is a policy").fail(
            codes::NOT_POLICY,
            format!(
                "elements nest {depth} levels deep; policies nest a handful. Not linted further."
            ),
        )));
        out.extend(rules::secrets::secret_checks(src, &p.secrets));
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
        out.extend(rules::secrets::secret_checks(src, &p.secrets));
        return out;
    }
    let format = p.format;
    // Secrets only the structure reveals (a literal in a secret-named variable, a key header).
    let structural = {
        let l = Lint::new(
            src,
            esc,
            doc,
            ctx,
            opts,
            format,
            peers,
            &[],
            &p.placeholders,
        );
        rules::secrets::structural(&l)
    };
    for s in structural {
        if !p
            .secrets
            .iter()
            .any(|x| x.offset == s.offset || x.value == s.value)
        {
            p.secrets.push(s);
        }
    }
    p.secrets.sort_by_key(|s| s.offset);
    for s in &p.secrets {
        src.add_secret(&s.value, s.shown.clone());
    }
    let l = Lint::new(
        src,
        esc,
        doc,
        ctx,
        opts,
        format,
        peers,
        &p.secrets,
        &p.placeholders,
    );
    for rule in RULES {
        out.extend(rule(&l));
    }
    out
}

// ---------------------------------------------------------------------------------------
// One finding per rule per file

/// Locations listed in a merged finding's evidence.
const MAX_LOCATIONS: usize = 50;

/// Merge repeated findings of one file: checks with the same id, status and code become
/// one, whose evidence lists every location (and the count), its detail the first's.
pub fn merge(checks: Vec<Check>) -> Vec<Check> {
    let key = |c: &Check| (c.id.clone(), c.status, c.code);
    let mut out: Vec<(Check, Vec<Value>, Vec<String>, usize)> = Vec::new();
    for c in checks {
        let loc = c.evidence.get("location").cloned();
        match out.iter_mut().find(|(o, ..)| key(o) == key(&c)) {
            Some((_, locs, details, n)) => {
                *n += 1;
                if let Some(l) = loc
                    && locs.len() < MAX_LOCATIONS
                {
                    locs.push(l);
                }
                if details.len() < 10 && !details.contains(&c.detail) {
                    details.push(c.detail.clone());
                }
            }
            None => {
                let details = vec![c.detail.clone()];
                out.push((c, loc.into_iter().collect(), details, 1));
            }
        }
    }
    out.into_iter()
        .map(|(mut c, locs, details, n)| {
            if n > 1 {
                let more = n - 1;
                if c.status != Status::Pass {
                    c.detail = format!(
                        "{} (and {more} more place{} like it: see locations)",
                        c.detail,
                        if more == 1 { "" } else { "s" }
                    );
                }
                c.evidence.insert("count".into(), Value::from(n));
                c.evidence.insert("locations".into(), Value::from(locs));
                if details.len() > 1 {
                    c.evidence.insert("details".into(), Value::from(details));
                }
            }
            c
        })
        .collect()
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
        "<fragment>",
        "</fragment>",
        "<base />",
        "<include-fragment fragment-id=\"f\" />",
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
        "<trace source=\"x\"><message>",
        "</message></trace>",
        "{\"resource\": \"https://h/x\", \"issuer\": 1}",
        "<validate-azure-ad-token tenant-id=\"t\">",
        "</validate-azure-ad-token>",
        "<validate-jwt><openid-config url=\"https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration\" />",
        "</validate-jwt>",
        "<required-claims>",
        "</required-claims>",
        "<audience>",
        "</audience>",
        "api://",
        "<claim name=\"scp\" match=\"all\">",
        "<claim name=\"tid\" match=\"all\">",
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
        "client_secret=abcdefgh12345",
        "{\"frontend\":{\"response\":{\"body\":{\"bytes\":",
        "8192}}}}",
        "resource d 'Microsoft.ApiManagement/service/diagnostics@2022-08-01' = {",
        "resource \"azurerm_api_management_diagnostic\" \"d\" {",
        "frontend_response {",
        "body_bytes = 8192",
        "<<XML\n",
        "\nXML\n",
        "bytes: 8192",
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

    #[test]
    fn repeated_findings_merge_into_one_with_every_location() {
        let text = "<policies><inbound><set-variable name=\"a\" value=\"x &amp y\" /><set-variable name=\"b\" value=\"x &amp y\" /></inbound></policies>";
        let checks = lint_text("m.xml", text.as_bytes(), &ctx(), &LintOptions::default());
        let xml: Vec<_> = checks
            .iter()
            .filter(|c| c.code == Some(codes::XML_INVALID))
            .collect();
        assert_eq!(xml.len(), 1, "{xml:?}");
        assert_eq!(xml[0].evidence["count"], 2);
        assert_eq!(xml[0].evidence["locations"].as_array().unwrap().len(), 2);
    }

    fn codes_of(text: &str) -> Vec<(Status, &'static str)> {
        let mut v: Vec<(Status, &'static str)> =
            lint_text("t.xml", text.as_bytes(), &ctx(), &LintOptions::default())
                .iter()
                .filter(|c| c.status != Status::Pass)
                .filter_map(|c| c.code.map(|k| (c.status, k.code)))
                .collect();
        v.sort_by_key(|x| x.1);
        v
    }

    #[test]
    fn tokens_in_event_hub_logs_and_response_headers_are_secret_in_trace() {
        let text = r#"<policies><inbound>
            <log-to-eventhub logger-id="hub">@(context.Request.Headers.GetValueOrDefault("Authorization", ""))</log-to-eventhub>
            <log-to-eventhub logger-id="hub">@(context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Claims.GetValueOrDefault("oid", ""))</log-to-eventhub>
            </inbound><outbound>
            <set-header name="x-debug-token" exists-action="override"><value>@((string)context.Variables["oboToken"])</value></set-header>
            </outbound></policies>"#;
        let text = text.replace(
            "<policies><inbound>",
            r#"<policies><inbound><send-request mode="new" response-variable-name="r"><set-body>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&amp;requested_token_use=on_behalf_of</set-body></send-request><set-variable name="oboToken" value='@((string)((IResponse)context.Variables["r"]).Body.As&lt;JObject&gt;()["access_token"])' />"#,
        );
        let checks = lint_text("t.xml", text.as_bytes(), &ctx(), &LintOptions::default());
        let trace: Vec<_> = checks
            .iter()
            .filter(|c| c.code == Some(codes::SECRET_IN_TRACE))
            .collect();
        assert_eq!(trace.len(), 1, "{trace:?}");
        // The Authorization log and the emitted header; not the oid log.
        assert_eq!(trace[0].evidence["count"], 2, "{:?}", trace[0]);
    }

    #[test]
    fn azure_ad_token_for_common_is_tenant_unpinned_and_a_foreign_tid_is_impossible() {
        let found = codes_of(
            r#"<policies><inbound><validate-azure-ad-token tenant-id="organizations"><audiences><audience>a</audience></audiences></validate-azure-ad-token></inbound></policies>"#,
        );
        assert!(
            found.contains(&(Status::Warn, codes::TENANT_UNPINNED.code)),
            "{found:?}"
        );
        let found = codes_of(
            r#"<policies><inbound><validate-azure-ad-token tenant-id="7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f"><audiences><audience>a</audience></audiences><required-claims><claim name="tid"><value>0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f</value></claim><claim name="roles" match="all"><value>A</value><value>B</value></claim></required-claims></validate-azure-ad-token></inbound></policies>"#,
        );
        let impossible: Vec<_> = found
            .iter()
            .filter(|(_, c)| *c == codes::REQUIRED_CLAIMS_IMPOSSIBLE.code)
            .collect();
        // The foreign tid only: roles is multi-valued, two under match="all" is satisfiable.
        assert_eq!(impossible.len(), 1, "{found:?}");
    }

    #[test]
    fn a_fragment_id_comes_from_the_envelope_name() {
        let frag = serde_json::json!({
            "name": "entra-validate",
            "properties": {"format": "rawxml", "value": "<fragment><validate-azure-ad-token tenant-id=\"t\"><audiences><audience>a</audience></audiences></validate-azure-ad-token></fragment>"}
        });
        let units = vec![
            input::units(
                "api.xml",
                b"<policies><inbound><include-fragment fragment-id=\"entra-validate\" /><rewrite-uri template=\"/mcp\" /></inbound></policies>",
                true,
                None,
            ),
            input::units("frag.json", frag.to_string().as_bytes(), true, None),
        ]
        .into_iter()
        .flatten()
        .collect();
        let checks = lint_units(units, &ctx(), &LintOptions::default());
        let v = checks
            .iter()
            .find(|c| c.id == "policy.token-validation")
            .expect("validation check");
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(v.detail.contains("entra-validate"), "{v:?}");
    }
}
