//! The conversation's closing `GET` on the MCP URL (2025 era): sent beside the tool calls,
//! judged after them.

use super::{Client, codes};
use crate::http::{NetError, Request, status_text};
use crate::mcp::transport::Exchange;
use crate::report::Check;

impl<'a> Client<'a> {
    /// Send the `GET` on the MCP URL and keep only its head: a server offering the
    /// stream would keep it open. Borrows nothing of the client, to run beside the calls.
    pub(super) fn get_head(
        &self,
    ) -> impl std::future::Future<Output = Result<GetHead, NetError>> + use<'a> {
        let req = self
            .authorize(Request::get(self.cfg.url.clone()))
            .header("accept", "text/event-stream")
            .timeout(self.cfg.deadline);
        let req = match (&self.session, &self.version) {
            (Some(s), Some(v)) => req
                .header("mcp-session-id", s)
                .header("mcp-protocol-version", v),
            (None, Some(v)) => req.header("mcp-protocol-version", v),
            _ => req,
        };
        let http = self.http;
        async move {
            let resp = http.open(req).await?;
            Ok(GetHead {
                status: resp.status,
                content_type: resp.header("content-type").unwrap_or_default(),
                elapsed: resp.head_elapsed,
            })
        }
    }

    /// The `GET` (its head given): 405 expected (no server-initiated stream); APIM's 404 is a note.
    pub(super) fn get_check(&mut self, head: Result<GetHead, NetError>) {
        let id = self.j.id("get");
        let title = "GET on the MCP URL answers 405 (no standalone stream)";
        let resp = match head {
            Ok(r) => r,
            Err(e) => {
                self.conv.exchanges.push(Exchange {
                    request: "GET".into(),
                    status: format!("no answer ({})", e.kind.as_str()),
                    content_type: "–".into(),
                    bytes: "0".into(),
                    events: "–".into(),
                    time_ms: e.elapsed.as_millis().to_string(),
                    note: String::new(),
                });
                self.push(
                    Check::new(id, title)
                        .info(codes::GET_404, format!("GET got no answer: {}", e.detail))
                        .evidence("failure", e.kind.as_str()),
                );
                return;
            }
        };
        let ct = resp.content_type;
        self.conv.exchanges.push(Exchange {
            request: "GET".into(),
            status: status_text(resp.status),
            content_type: if ct.is_empty() {
                "–".into()
            } else {
                ct.clone()
            },
            bytes: "–".into(),
            events: "–".into(),
            time_ms: resp.elapsed.as_millis().to_string(),
            note: "head only".into(),
        });
        let check = Check::new(id, title)
            .evidence("status", resp.status)
            .duration(resp.elapsed);
        let check = match resp.status {
            405 => check.pass(
                "405 Method Not Allowed: the server offers no GET stream (as \
                Context7 4.x)",
            ),
            404 => check.info(
                codes::GET_404,
                "404: the gateway has no GET operation for the MCP URL (APIM \
                    answers a method without an operation with 404); clients \
                    treat it like 405",
            ),
            200..=299 if ct.to_ascii_lowercase().starts_with("text/event-stream") => {
                check.pass("the server offers a GET event stream for server-initiated messages")
            }
            s => check.info(
                codes::GET_404,
                format!(
                    "{}: neither 405 nor an event stream; clients that open the \
                    GET stream may log an error",
                    status_text(s)
                ),
            ),
        };
        self.push(check);
    }
}

/// What the `GET` check keeps of the response.
pub(super) struct GetHead {
    status: u16,
    content_type: String,
    elapsed: std::time::Duration,
}
