//! Named values: where APIM substitutes them, and the real risks of using them inside
//! expressions.
//!
//! The guide says `{{named-value}}` is not substituted inside `@(…)`/`@{…}` and copies each
//! into a variable first. Microsoft documents the opposite (api-management-howto-properties,
//! "Use a named value": `@($"… {System.Net.WebUtility.UrlEncode("{{ContosoHeaderValue2}}")}")`
//! evaluates with the value), and Microsoft's own MCP samples rely on it. So a named value
//! in an expression is at most `info`, naming the two real risks: a value holding `"` or
//! `\` breaks the C# string literal it is pasted into, and a secret named value used in an
//! expression is visible to whoever may trace the API. CDATA, in contrast, does disable
//! substitution.

use crate::report::Check;

use crate::policy::codes;
use crate::policy::lint::{Lint, MAX_FINDINGS};
use crate::policy::named_values::Lookup;
use crate::policy::xml::{self, content_range, is_expression, named_values, text_of};

pub fn check(l: &Lint) -> Vec<Check> {
    let title = "Named values are used where APIM substitutes them";
    let new = || Check::new("policy.named-values", title);
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let mut in_expression = |where_: String, name: &str, off: usize, out: &mut Vec<Check>| {
        if seen.contains(&off) || out.len() >= MAX_FINDINGS {
            return;
        }
        seen.push(off);
        let nv = &l.opts.named_values;
        let breaks =
            matches!(nv.lookup(name), Lookup::Known(v) if v.contains('"') || v.contains('\\'));
        let c = if breaks {
            new().warn(
                codes::NAMED_VALUE_IN_EXPRESSION,
                format!(
                    "{{{{{name}}}}} is inside the expression of {where_}, and its value (--named-values) holds a \" or \\: APIM pastes it into the C# string literal as it is, which ends the literal early or escapes the next character"
                ),
            )
        } else {
            let secret = if nv.is_secret(name) {
                " It looks like a secret: whoever may trace this API sees expressions' values in the trace."
            } else {
                ""
            };
            new().info(
                codes::NAMED_VALUE_IN_EXPRESSION,
                format!(
                    "{{{{{name}}}}} is inside the expression of {where_}: APIM substitutes named values inside expressions too (Microsoft's named-values documentation shows it), so this works; the guide's set-variable indirection is style. The real risks: a value holding \" or \\ breaks the C# string literal.{secret}"
                ),
            )
        };
        out.push(l.at(c, off).evidence("named_value", name.to_string()));
    };
    for el in l.elements() {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        for a in el.attributes() {
            if !is_expression(a.value()) {
                continue;
            }
            let mut cursor = a.range_value().start;
            for (_, name) in named_values(a.value()).into_iter().take(MAX_FINDINGS) {
                let needle = format!("{{{{{name}}}}}");
                let off = l
                    .find_raw(cursor..a.range_value().end, &needle)
                    .unwrap_or(cursor);
                cursor = off + 1;
                in_expression(
                    format!("<{} {}=\"…\">", xml::name(el), a.name()),
                    &name,
                    off,
                    &mut out,
                );
            }
        }
        let text = text_of(el);
        if is_expression(&text) {
            let content = content_range(el, l.text());
            let mut cursor = content.start;
            for (_, name) in named_values(&text).into_iter().take(MAX_FINDINGS) {
                let off = l
                    .find_raw(cursor..content.end, &format!("{{{{{name}}}}}"))
                    .unwrap_or(cursor);
                cursor = off + 1;
                in_expression(format!("<{}>", xml::name(el)), &name, off, &mut out);
            }
        }
    }
    // CDATA sections (outside comments).
    let text = l.text();
    let comments: Vec<_> = l
        .doc
        .descendants()
        .filter(|n| n.is_comment())
        .map(|n| n.range())
        .collect();
    let mut from = 0;
    while let Some(start) = xml::find_from(text, "<![CDATA[", from) {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        let inner_start = start + "<![CDATA[".len();
        let end = xml::find_from(text, "]]>", inner_start).unwrap_or(text.len());
        from = end;
        if comments.iter().any(|r| r.contains(&start)) {
            continue;
        }
        for (off, name) in named_values(&text[inner_start..end])
            .into_iter()
            .take(MAX_FINDINGS)
        {
            if out.len() >= MAX_FINDINGS {
                break;
            }
            out.push(
                l.at(
                    new().fail(
                        codes::NAMED_VALUE_IN_CDATA,
                        format!(
                            "{{{{{name}}}}} is inside a CDATA section: CDATA disables named-value substitution, so \"{{{{{name}}}}}\" reaches the backend literally"
                        ),
                    ),
                    inner_start + off,
                )
                .evidence("named_value", name),
            );
        }
    }
    if out.is_empty() {
        out.push(
            l.src
                .whole(new().pass("no named value inside an expression or CDATA")),
        );
    }
    out
}
