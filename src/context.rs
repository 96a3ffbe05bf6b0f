//! What every command runs with: the resolved configuration, the injected clock, the HTTP
//! client scoped to the configured hosts, and what a command hands back.

use crate::config::Config;
use crate::error::Error;
use crate::http;
use crate::report::Report;

/// Everything a command runs with.
pub struct Ctx {
    pub cfg: Config,
    /// "Now", injectable for tests through `C7DOCTOR_NOW` (RFC 3339).
    pub now: jiff::Timestamp,
}

impl Ctx {
    pub fn new(cfg: Config) -> Result<Ctx, Error> {
        let now = match std::env::var("C7DOCTOR_NOW") {
            Ok(s) if !s.is_empty() => s.parse::<jiff::Timestamp>().map_err(|e| {
                Error::usage(format!("C7DOCTOR_NOW={s:?} is not an RFC 3339 time: {e}"))
            })?,
            _ => jiff::Timestamp::now(),
        };
        Ok(Ctx { cfg, now })
    }

    /// A context for library callers (fuzzers, benches): this configuration, the real clock.
    pub fn for_library(cfg: Config) -> Ctx {
        Ctx {
            cfg,
            now: jiff::Timestamp::now(),
        }
    }

    /// The gateway origin from `--host`, if configured and well-formed.
    pub fn gateway_url(&self) -> Option<url::Url> {
        self.cfg.gateway().map(|g| g.origin.clone())
    }

    /// The authority as a URL.
    pub fn authority_url(&self) -> Option<url::Url> {
        url::Url::parse(&self.cfg.authority).ok()
    }

    /// The HTTP client, allowed to send credentials to the configured gateway and
    /// secrets to the configured authority only. `gateway` overrides `--host` (for a
    /// command given an explicit target).
    pub fn http(&self, gateway: Option<&url::Url>) -> Result<http::Http, Error> {
        http::Http::new(&http::HttpOptions {
            timeout: self.cfg.timeout,
            trace: self.cfg.verbose > 0,
            cacert: self.cfg.cacert.clone(),
            gateway: gateway.cloned().or_else(|| self.gateway_url()),
            authority: self.authority_url(),
        })
    }

    /// A new report for `command`, with the context and configuration filled in.
    pub fn report(&self, command: &str) -> Report {
        let mut r = Report::new(command);
        r.context = self.cfg.context();
        r.config = self.cfg.entries.clone();
        r.generated_at = self.now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        r
    }
}

/// What a command hands back: its report, and (for `login --print-token`) text that must
/// be the only thing on stdout — the report then goes to stderr.
pub struct Outcome {
    pub report: Report,
    pub raw_stdout: Option<String>,
}

impl From<Report> for Outcome {
    fn from(report: Report) -> Self {
        Outcome {
            report,
            raw_stdout: None,
        }
    }
}
