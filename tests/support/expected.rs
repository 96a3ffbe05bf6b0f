//! THE table of what each simulator profile must produce, per command: one row per profile
//! (the faults themselves are in [`super::sim::profiles`]). The per-command tests iterate it
//! — `discovery.rs` runs `c7doctor discovery` on every row with a discovery column, `probe.rs`
//! runs `c7doctor probe --era 2025` and `--era 2026` on every row with a probe column — and
//! the coverage completeness test counts every code a row expects as raised through the
//! binary, so a code a profile raises needs no second row in `coverage/`.
//!
//! - **discovery**: the warn and fail findings `(code, status)` the report must hold; any
//!   other warn or fail is an error (info and skip are allowed), and the verdict follows
//!   (a fail → `fail`, else a warn → `warn`, else `pass`).
//! - **probe**: what a client of each protocol era gets ([`Gets`]): per step a status or a
//!   code (`first` is the era's first request: initialize for 2025, server/discover for
//!   2026), a code anywhere with the byte its stream was cut at, and the exit code.
//!
//! Adding a profile: its faults in `sim/profiles.rs`, then a row here with a column for each
//! command it is meant for (a discovery profile also gets its line in `discovery.rs`'s
//! `profile_tests!`, which a test keeps complete). A code the row expects needs no row in
//! `coverage/`; an info, or a code only another command line raises, still does.

/// `(code, status)` pairs.
pub type Findings = &'static [(&'static str, &'static str)];

/// What one protocol era of client gets from `c7doctor probe`.
#[derive(Debug, Clone, Copy)]
pub struct Gets {
    /// `(step, status or code)`: `("first", "pass")`, `("tools-call", "mcp.tool-error")`.
    pub steps: &'static [(&'static str, &'static str)],
    /// A code that must be on some check.
    pub code: Option<&'static str>,
    /// The `cut_at` evidence on that check (the byte the stream ended at).
    pub cut_at: Option<u64>,
    /// The exit code, when the row says.
    pub exit: Option<i32>,
}

/// The whole conversation passes, in this era.
pub const PASS: Gets = Gets {
    steps: &[
        ("first", "pass"),
        ("tools-call", "pass"),
        ("tools-call.stream", "pass"),
    ],
    code: None,
    cut_at: None,
    exit: Some(0),
};

/// These steps end so.
pub const fn at(steps: &'static [(&'static str, &'static str)]) -> Gets {
    Gets {
        steps,
        code: None,
        cut_at: None,
        exit: None,
    }
}

/// The stream is cut at byte `n`, and `code` says so.
pub const fn cut(code: &'static str, n: u64) -> Gets {
    Gets {
        steps: &[],
        code: Some(code),
        cut_at: Some(n),
        exit: Some(1),
    }
}

/// What `c7doctor probe` must report for one profile.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    /// Extra `probe` arguments for this profile (stream caps).
    pub args: &'static [&'static str],
    pub e2025: Gets,
    pub e2026: Gets,
}

/// One profile and what each command must report against it (`None`: the command's tests
/// do not run it).
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    pub profile: &'static str,
    pub discovery: Option<Findings>,
    pub probe: Option<Probe>,
}

/// A row for `name`, with no command yet.
const fn profile(name: &'static str) -> Expected {
    Expected {
        profile: name,
        discovery: None,
        probe: None,
    }
}

impl Expected {
    const fn discovery(self, findings: Findings) -> Expected {
        Expected {
            discovery: Some(findings),
            ..self
        }
    }

    const fn probe_with(self, args: &'static [&'static str], e2025: Gets, e2026: Gets) -> Expected {
        Expected {
            probe: Some(Probe { args, e2025, e2026 }),
            ..self
        }
    }

    const fn probe(self, e2025: Gets, e2026: Gets) -> Expected {
        self.probe_with(&[], e2025, e2026)
    }

    /// Both eras get the same.
    const fn probe_both(self, gets: Gets) -> Expected {
        self.probe_with(&[], gets, gets)
    }
}

/// THE table. A JSON answer (what 2026-07-28 clients get from Context7 4.x) that is
/// buffered, compressed or re-framed is fine; the same on an event stream is not — the
/// probe rows say so.
pub const PROFILES: &[Expected] = &[
    profile("healthy").discovery(&[]).probe_both(PASS),
    profile("healthy-passthrough")
        .discovery(&[])
        .probe_both(PASS),
    profile("v1-tokens").discovery(&[]),
    profile("gateway-rejects")
        .discovery(&[])
        .probe_both(at(&[("first", "mcp.rejected-at-gateway")])),
    // The guide's /authorize 302 keeps `resource`: Entra refuses it (confirmed).
    profile("guide-verbatim").discovery(&[
        ("discovery.prm-resource", "warn"),
        ("discovery.offline-access", "warn"),
        ("discovery.resource-rejected", "fail"),
    ]),
    profile("challenge-missing").discovery(&[("discovery.challenge-missing", "warn")]),
    // Without a PRM the clients ask for no scope: Entra refuses (AADSTS900144).
    profile("challenge-missing-no-prm").discovery(&[
        ("discovery.challenge-missing", "fail"),
        ("discovery.prm-missing", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("challenge-without-resource-metadata")
        .discovery(&[("discovery.challenge-missing", "warn")]),
    profile("challenge-malformed").discovery(&[("discovery.challenge-malformed", "warn")]),
    profile("challenge-upstream").discovery(&[("discovery.challenge-upstream", "fail")]),
    profile("prm-missing").discovery(&[
        ("discovery.prm-missing", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("prm-invalid").discovery(&[
        ("discovery.prm-invalid", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("prm-path-only").discovery(&[("discovery.prm-resource", "warn")]),
    profile("prm-placeholder").discovery(&[
        ("discovery.prm-placeholder", "fail"),
        ("discovery.prm-resource", "fail"),
        ("discovery.prm-scope", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("prm-resource-mismatch").discovery(&[("discovery.prm-resource", "fail")]),
    // The client's unqualified scope: Entra answers AADSTS650053 before sign-in.
    profile("prm-scope-unqualified").discovery(&[
        ("discovery.prm-scope", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("as-missing").discovery(&[("discovery.as-missing", "fail")]),
    profile("as-invalid").discovery(&[
        ("discovery.as-invalid", "fail"),
        ("discovery.as-pkce", "warn"),
    ]),
    // Clients go nowhere: the issuer, endpoints and jwks_uri are all templates.
    profile("as-placeholder").discovery(&[
        ("discovery.as-placeholder", "fail"),
        ("discovery.as-issuer", "fail"),
        ("discovery.offline-access", "warn"),
        ("discovery.jwks-mismatch", "fail"),
    ]),
    profile("as-no-pkce").discovery(&[("discovery.as-pkce", "warn")]),
    profile("as-issuer-mismatch").discovery(&[("discovery.as-issuer", "fail")]),
    profile("as-offline-access").discovery(&[("discovery.offline-access", "warn")]),
    profile("authorize-proxied").discovery(&[("discovery.authorize-proxied", "fail")]),
    profile("authorize-drops-query").discovery(&[
        ("discovery.authorize-query", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("authorize-v1").discovery(&[
        ("discovery.authorize-target", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("token-route-missing").discovery(&[("discovery.token-route", "fail")]),
    // The tenant does not exist: its OIDC document and the /token route both say 90002.
    profile("tenant-missing").discovery(&[
        ("discovery.tenant-missing", "fail"),
        ("discovery.token-route", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("jwks-mismatch").discovery(&[("discovery.jwks-mismatch", "warn")]),
    profile("endpoint-open").discovery(&[("discovery.endpoint-open", "fail")]),
    profile("endpoint-404").discovery(&[("discovery.endpoint-missing", "fail")]),
    profile("endpoint-html").discovery(&[("discovery.html-response", "fail")]),
    profile("redirect-elsewhere")
        .discovery(&[("discovery.redirect", "fail")])
        .probe_both(at(&[("first", "discovery.redirect")])),
    profile("huge-body").discovery(&[
        ("discovery.prm-invalid", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("black-hole").discovery(&[("discovery.unreachable", "fail")]),
    profile("as-no-response-types").discovery(&[("discovery.as-invalid", "fail")]),
    profile("as-openid-only").discovery(&[("discovery.as-invalid", "fail")]),
    profile("as-issuer-trailing-slash").discovery(&[("discovery.as-issuer", "fail")]),
    // The challenge names the root PRM URL (404); the SDKs do not fall back.
    profile("prm-path-suffixed-only").discovery(&[
        ("discovery.prm-missing", "fail"),
        ("discovery.authorize-refused", "fail"),
    ]),
    profile("challenge-basic-first").discovery(&[("discovery.challenge-malformed", "warn")]),
    profile("challenge-basic-two-headers").discovery(&[("discovery.challenge-malformed", "warn")]),
    profile("resource-forwarded").discovery(&[("discovery.resource-rejected", "fail")]),
    // Entra takes it (the MCP URL is an identifier URI), but nothing confirms that before
    // sign-in: the prediction stands.
    profile("resource-identifier-uri").discovery(&[("discovery.resource-rejected", "warn")]),
    profile("redirect-uri-unregistered").discovery(&[("discovery.authorize-refused", "fail")]),
    // The SDKs' loopback redirect URIs are registered, VS Code's broker is not.
    profile("redirect-uri-no-vscode").discovery(&[("discovery.authorize-refused", "fail")]),
    // Entra's claims challenge replaces the MCP one: clients fall back to the well-known PRM
    // URL. Beside an intact resource_metadata it is only explained (info).
    profile("challenge-insufficient-claims").discovery(&[("discovery.claims-challenge", "warn")]),
    profile("challenge-claims-with-metadata").discovery(&[]),
    // The MCP conversation and its stream.
    profile("healthy-shared-key").probe_both(PASS),
    profile("healthy-json").probe_both(PASS),
    profile("sse-truncated-1024").probe_both(cut("sse.truncated", 1024)),
    profile("sse-truncated-8192").probe_both(cut("sse.truncated", 8192)),
    profile("json-truncated-1024").probe_both(cut("sse.truncated", 1024)),
    profile("json-cut-content-length").probe_both(cut("sse.truncated", 8192)),
    profile("sse-buffered").probe(
        at(&[
            ("tools-call", "pass"),
            ("tools-call.buffering", "sse.buffered"),
        ]),
        PASS,
    ),
    profile("sse-gzip").probe(
        at(&[
            ("tools-call", "pass"),
            ("tools-call.buffering", "sse.buffered"),
        ]),
        PASS,
    ),
    profile("sse-stalled").probe_both(at(&[("tools-call.stream", "sse.stalled")])),
    profile("sse-reset").probe_both(cut("sse.truncated", 3000)),
    profile("sse-huge").probe_with(
        &["--max-stream-mib", "8", "--stream-deadline", "30"],
        at(&[("tools-call.stream", "sse.oversized")]),
        at(&[("tools-call.stream", "sse.oversized")]),
    ),
    // A BOM before the first event is legal: stripped, by c7doctor and by the WHATWG
    // reference it runs beside (whose crate panicked on one).
    profile("sse-bom").probe_both(PASS),
    profile("sse-huge-line").probe_with(
        &["--max-stream-mib", "4", "--stream-deadline", "30"],
        at(&[("tools-call.stream", "sse.oversized")]),
        at(&[("tools-call.stream", "sse.oversized")]),
    ),
    profile("api-key-invalid").probe_both(at(&[
        ("first", "pass"),
        ("tools-list", "pass"),
        ("tools-call", "mcp.api-key-rejected"),
    ])),
    profile("user-not-provisioned").probe_both(at(&[
        ("first", "pass"),
        ("tools-call", "mcp.user-not-provisioned"),
    ])),
    profile("context7-rejects-audience").probe_both(at(&[
        ("first", "mcp.rejected-by-context7"),
        ("challenge", "discovery.challenge-upstream"),
    ])),
    profile("context7-rejects-scope").probe_both(at(&[("first", "mcp.rejected-by-context7")])),
    profile("context7-audience-taken").probe_both(at(&[("first", "mcp.audience-other-teamspace")])),
    profile("context7-no-credential").probe_both(at(&[
        ("first", "mcp.no-credential-at-context7"),
        ("challenge", "discovery.challenge-upstream"),
    ])),
    profile("gateway-500").probe_both(at(&[("first", "mcp.gateway-error")])),
    profile("not-acceptable").probe_both(at(&[("first", "mcp.not-acceptable")])),
    profile("mcp-2026").probe(at(&[("first", "mcp.protocol-2026")]), PASS),
    profile("healthy-sessions").probe(PASS, at(&[("first", "mcp.protocol-2025-only")])),
    profile("session-dropped").probe(
        at(&[("initialized", "mcp.session")]),
        at(&[("first", "mcp.protocol-2025-only")]),
    ),
    profile("initialize-error").probe(at(&[("first", "mcp.initialize-failed")]), PASS),
    profile("backend-html").probe_both(at(&[("first", "sse.content-type")])),
    profile("tools-old").probe_both(at(&[("tools-list", "mcp.tools-missing")])),
    profile("tool-error").probe_both(at(&[("tools-call", "mcp.tool-error")])),
    profile("get-404").probe(at(&[("tools-call", "pass"), ("get", "mcp.get-404")]), PASS),
    profile("sse-framing").probe(at(&[("initialize.stream", "sse.framing")]), PASS),
    profile("sse-id-mismatch").probe(at(&[("initialize.stream", "sse.id-mismatch")]), PASS),
    profile("mcp-headers-dropped").probe(PASS, at(&[("first", "mcp.protocol-headers")])),
    profile("mcp-2025-only-operation").probe(PASS, at(&[("first", "discovery.endpoint-missing")])),
    profile("sse-keepalive-forever").probe_both(at(&[("tools-call.stream", "sse.stalled")])),
];

/// The row of profile `name`; panics when the table has none (a test typo).
pub fn of(name: &str) -> &'static Expected {
    PROFILES
        .iter()
        .find(|e| e.profile == name)
        .unwrap_or_else(|| panic!("profile {name} has no row in support/expected.rs"))
}

/// The profiles `c7doctor discovery` is run on.
pub fn discovery_profiles() -> impl Iterator<Item = &'static str> {
    PROFILES
        .iter()
        .filter(|e| e.discovery.is_some())
        .map(|e| e.profile)
}

/// The rows `c7doctor probe` is run on.
pub fn probe_rows() -> impl Iterator<Item = (&'static str, &'static Probe)> {
    PROFILES
        .iter()
        .filter_map(|e| e.probe.as_ref().map(|p| (e.profile, p)))
}

/// Is this a status (`pass` … `skip`) rather than a code?
pub fn is_status(s: &str) -> bool {
    matches!(s, "pass" | "info" | "warn" | "fail" | "skip")
}

/// Every code a row expects, with its profile and command (`discovery`, `probe`).
pub fn codes() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    for e in PROFILES {
        for (code, _) in e.discovery.unwrap_or_default() {
            out.push((*code, e.profile, "discovery"));
        }
        if let Some(p) = &e.probe {
            for gets in [&p.e2025, &p.e2026] {
                let steps = gets.steps.iter().map(|(_, v)| *v).filter(|v| !is_status(v));
                for code in steps.chain(gets.code) {
                    out.push((code, e.profile, "probe"));
                }
            }
        }
    }
    out
}
