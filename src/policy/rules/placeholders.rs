//! Template placeholders from the guide left in the policy (`policy.placeholder`).

use crate::report::Check;

use crate::policy::codes;
use crate::policy::lint::{Lint, MAX_FINDINGS};
use crate::policy::xml::{self, content_range, is_placeholder_name, placeholders_in};

pub fn check(l: &Lint) -> Vec<Check> {
    let already = l.reported_placeholders;
    let new = || Check::new("policy.placeholders", "No template placeholder is left in");
    let mut out = Vec::new();
    let mut seen: Vec<usize> = already.to_vec();
    let mut push = |ph: &str, parsed_off: usize, out: &mut Vec<Check>| {
        let orig = l.esc.orig(parsed_off);
        if seen.contains(&orig) || out.len() >= MAX_FINDINGS {
            return;
        }
        seen.push(orig);
        out.push(
            l.src
                .at(
                    new().fail(
                        codes::PLACEHOLDER,
                        format!("{ph} is a placeholder from the guide, still in the policy"),
                    ),
                    orig,
                )
                .evidence("placeholder", ph.to_string()),
        );
    };
    for el in l.elements() {
        if out.len() >= MAX_FINDINGS {
            break;
        }
        if is_placeholder_name(xml::name(el)) {
            push(&format!("<{}>", xml::name(el)), el.range().start, &mut out);
        }
        for a in el.attributes() {
            let mut cursor = a.range_value().start;
            for (_, ph) in placeholders_in(a.value()).into_iter().take(MAX_FINDINGS) {
                let off = l
                    .find_escaped(cursor..a.range_value().end, &ph)
                    .unwrap_or(cursor);
                cursor = off + 1;
                push(&ph, off, &mut out);
            }
        }
        let content = content_range(el, l.text());
        let mut cursor = content.start;
        for t in el.children().filter(|c| c.is_text()) {
            for (_, ph) in placeholders_in(t.text().unwrap_or(""))
                .into_iter()
                .take(MAX_FINDINGS)
            {
                let off = l.find_escaped(cursor..content.end, &ph).unwrap_or(cursor);
                cursor = off + 1;
                push(&ph, off, &mut out);
            }
        }
    }
    if out.is_empty() && already.is_empty() {
        out.push(
            l.src
                .whole(new().pass("no <your-…> or similar placeholder")),
        );
    }
    out
}
