//! The response stream is not buffered or read (`policy.buffering`): body access or
//! rewriting in `<outbound>`, `buffer-response="true"`, `validate-content`.
//!
//! These break MCP's Server-Sent Events only on the API or operation that forwards the MCP
//! stream (to Context7 or an MCP path). On an OAuth callback, token or metadata operation
//! the same elements are harmless, so there they are `info` at most.

use crate::report::{Check, Status};

use crate::policy::codes;
use crate::policy::lint::Lint;
use crate::policy::xml::{self, attr, text_of};

pub fn check(l: &Lint) -> Vec<Check> {
    let out = buffering_checks(l);
    if l.carries_mcp_stream() {
        return out;
    }
    out.into_iter()
        .map(|c| {
            if matches!(c.status, Status::Fail | Status::Warn) {
                let detail = format!(
                    "{} — but this policy does not forward the MCP stream (an OAuth or metadata operation, or no MCP backend recognised), so it does not break SSE here; it would on the MCP API",
                    c.detail
                );
                c.info(codes::BUFFERING, detail)
            } else {
                c
            }
        })
        .collect()
}

fn buffering_checks(l: &Lint) -> Vec<Check> {
    let new = || {
        Check::new(
            codes::BUFFERING.code,
            "The response stream is not buffered or read",
        )
    };
    let mut out = Vec::new();
    let body = "context.Response.Body";
    if let Some(outbound) = l.section("outbound") {
        for el in outbound.descendants().filter(|n| n.is_element()) {
            for a in el.attributes() {
                if a.value().contains(body) {
                    let off = l
                        .find_raw(a.range_value(), body)
                        .unwrap_or(a.range_value().start);
                    out.push(l.at(
                        new().fail(
                            codes::BUFFERING,
                            format!("<{}> reads context.Response.Body in <outbound>: APIM waits for the whole SSE stream before the client sees a byte", xml::name(el)),
                        ),
                        off,
                    ));
                }
            }
            if text_of(el).contains(body) {
                let off = l.find_in_content(el, body);
                out.push(l.at(
                    new().fail(
                        codes::BUFFERING,
                        format!("<{}> reads context.Response.Body in <outbound>: APIM waits for the whole SSE stream before the client sees a byte", xml::name(el)),
                    ),
                    off,
                ));
            }
            match xml::name(el) {
                "set-body" | "find-and-replace" | "json-to-xml" | "xml-to-json"
                | "xsl-transform" => {
                    out.push(l.at_node(
                        new().fail(
                            codes::BUFFERING,
                            format!("<{}> in <outbound> rewrites the response body: APIM buffers the whole SSE stream to do it", xml::name(el)),
                        ),
                        el,
                    ));
                }
                _ => {}
            }
        }
    }
    for el in l.elements() {
        match xml::name(el) {
            "forward-request"
                if attr(el, "buffer-response").is_some_and(|v| v.trim() == "true") =>
            {
                out.push(l.at_attr(
                    new().fail(
                        codes::BUFFERING,
                        "forward-request buffer-response=\"true\" holds the SSE stream until it ends",
                    ),
                    el,
                    "buffer-response",
                ));
            }
            "validate-content" => {
                let outbound = l.section_of(el) == Some("outbound");
                let c = if outbound {
                    new().fail(
                        codes::BUFFERING,
                        "validate-content in <outbound> reads the whole response body: the SSE stream is buffered",
                    )
                } else {
                    new().warn(
                        codes::BUFFERING,
                        "validate-content on the MCP API reads the body to validate it; keep it off the streaming responses",
                    )
                };
                out.push(l.at_node(c, el));
            }
            _ => {}
        }
    }
    if out.is_empty() {
        out.push(
            l.src
                .whole(new().pass("no response-body access, body rewriting or forced buffering")),
        );
    }
    out
}
