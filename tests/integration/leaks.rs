//! The one leak suite (issue 8, DESIGN.md §4): every command in every format, with and
//! without the wire trace (`-v`), against fixtures and the gateway simulator, with known
//! secrets planted everywhere c7doctor can meet them — the client token, a backend/OBO token,
//! a pasted token-endpoint response, the API key, the gateway's client secret, the device
//! code, refresh, ID and access tokens the simulated Entra issues, an authorization code
//! handed back by a broken `/authorize`, tokens from a `/token` route that redeems any code,
//! inline secrets in policies — and personal claims in every token.
//!
//! stdout and stderr of every run are scanned for every planted value. A value counts as
//! leaked when any run of `window` consecutive characters of it appears, so the allowed
//! forms (a `sha256:` fingerprint, `ctx7sk…` + the last 4, masked markers) pass and a
//! truncated or partial print does not. Personal claims must be absent from markdown's
//! stdout (no `--show-pii`). Runs go in parallel threads; a failure names command × format ×
//! verbosity × the secret and the stream it leaked into.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::sim::context7::VALID_KEY;
use crate::support::sim::entra_token::{
    AUTHORIZATION_CODE, DEVICE_CODE, GATEWAY_SECRET, REFRESH_TOKEN,
};
use crate::support::sim::hostile::{
    HostileServer, Kind, SHAPED_ACCESS_TOKEN, SHAPED_ID_TOKEN, SHAPED_REFRESH_TOKEN,
};
use crate::support::sim::tokens::{self, TokenBuilder};
use crate::support::sim::{Recorded, Sim, profile};
use crate::support::{c7doctor, fixture};

/// The inline secrets of `fixtures/policy/secret-inline*.xml`.
const POLICY_CLIENT_SECRET: &str = "Zq58Q~cD7doctorTestSecretNotRealAbCdEf012";
const POLICY_API_KEY: &str = "ctx7sk-5f0c2a9e-7b1d-4c3e-9a8f-c7d0c70c7e57";
/// A subscription key and a SAS signature in `--host`'s query string.
const HOST_SUBSCRIPTION_KEY: &str = "hostQuerySubscriptionKey0123456789abcdef";
const HOST_SIG: &str = "hostQuerySasSig%2BAbCdEfGhIjKlMnOp%3D";
/// A refresh token inside a token-endpoint response pasted as the token input.
const PASTED_REFRESH_TOKEN: &str = "0.AXkAPastedRefreshToken_leak-suite_7c1e9b3a5d2f8e4c6a0b";

/// Personal claims planted in the client and backend tokens (claim, value).
const PII: &[(&str, &str)] = &[
    ("name", "Zyxwvu Plantedname"),
    ("upn", "planted.upn@pii-leak.example"),
    ("email", "planted.email@pii-leak.example"),
    ("unique_name", "planted.unique@pii-leak.example"),
    ("preferred_username", "planted.preferred@pii-leak.example"),
    ("given_name", "Zyxwvugiven"),
    ("family_name", "Qponmlfamily"),
    ("ipaddr", "203.0.113.77"),
];

const FORMATS: &[&str] = &["text", "json", "markdown"];
const WORKERS: usize = 4;

/// A value that must never appear: `window` consecutive characters of it are a leak.
struct Planted {
    what: String,
    value: String,
    window: usize,
}

impl Planted {
    fn new(what: impl Into<String>, value: impl Into<String>, window: usize) -> Planted {
        Planted {
            what: what.into(),
            value: value.into(),
            window,
        }
    }

    /// A JWT: the whole token and its signature segment (any 16 characters of it).
    fn jwt(what: &str, token: &str) -> Vec<Planted> {
        let sig = token.rsplit('.').next().unwrap_or_default();
        vec![
            Planted::new(what, token, token.len()),
            Planted::new(format!("{what} (signature segment)"), sig, 16),
        ]
    }

    /// Where in `text` the value shows, if it does.
    fn find_in(&self, text: &str) -> Option<usize> {
        let chars: Vec<char> = self.value.chars().collect();
        let w = self.window.min(chars.len());
        chars.windows(w).find_map(|win| {
            let s: String = win.iter().collect();
            text.find(&s)
        })
    }
}

/// One command line of the matrix (run in every format, with and without `-v`).
struct Case {
    command: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    stdin: Vec<u8>,
    /// It talks to the network: `-v` must show a wire trace.
    network: bool,
    /// It prints a report (`--format json` is one JSON document); `explain` prints text.
    report: bool,
}

impl Case {
    fn new(command: &'static str, args: Vec<String>) -> Case {
        Case {
            command,
            args,
            env: Vec::new(),
            stdin: Vec::new(),
            network: true,
            report: true,
        }
    }
    fn env(mut self, k: &'static str, v: &str) -> Case {
        self.env.push((k, v.to_string()));
        self
    }
    fn stdin(mut self, s: &str) -> Case {
        self.stdin = s.as_bytes().to_vec();
        self
    }
    fn offline(mut self) -> Case {
        self.network = false;
        self
    }
    fn not_a_report(mut self) -> Case {
        self.report = false;
        self
    }
}

struct Run {
    label: String,
    /// The report written with `--out FILE`, if the case asked for one.
    out_file: Option<String>,
    format: &'static str,
    verbose: bool,
    network: bool,
    report: bool,
    code: i32,
    stdout: String,
    stderr: String,
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The simulator's options plus `extra`.
fn with_sim(sim: &Sim, extra: &[&str]) -> Vec<String> {
    let mut a = sim.args();
    a.extend(strs(extra));
    a
}

/// A client-hop token for `sim` carrying every planted personal claim.
fn client_token_with_pii(sim: &Sim) -> String {
    PII.iter()
        .fold(tokens::client_token(&sim.state), |b, (k, v)| b.claim(k, *v))
        .sign()
}

/// A backend-hop (post-OBO) token for `sim` carrying every planted personal claim.
fn backend_token_with_pii(sim: &Sim) -> String {
    PII.iter()
        .fold(tokens::backend_token(&sim.state), |b, (k, v)| {
            b.claim(k, *v)
        })
        .sign()
}

/// Run one case. `{out}` in its arguments becomes a fresh file path, read back after.
fn run_one(case: &Case, format: &'static str, verbose: bool, out_dir: &std::path::Path) -> Run {
    let out_path = out_dir.join(format!(
        "{}-{format}-{verbose}.out",
        case.command
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ));
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| a.replace("{out}", &out_path.to_string_lossy()))
        .collect();
    let mut cmd = c7doctor();
    cmd.args(&args)
        .args(["--format", format, "--timeout", "5"])
        .env("C7DOCTOR_TIME_SCALE", "0.001")
        .write_stdin(case.stdin.clone())
        .timeout(Duration::from_secs(60));
    if verbose {
        cmd.arg("-v");
    }
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("c7doctor runs");
    let out_file = case
        .args
        .iter()
        .any(|a| a.contains("{out}"))
        .then(|| std::fs::read_to_string(&out_path).unwrap_or_default());
    Run {
        out_file,
        label: format!(
            "`{}` × {format} × {}",
            case.command,
            if verbose { "-v" } else { "quiet" }
        ),
        format,
        verbose,
        network: case.network,
        report: case.report,
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run every case in every format × verbosity, `WORKERS` at a time.
fn run_all(cases: &[Case], out_dir: &std::path::Path) -> Vec<Run> {
    let jobs: Vec<(usize, &'static str, bool)> = (0..cases.len())
        .flat_map(|i| {
            FORMATS
                .iter()
                .flat_map(move |f| [false, true].map(move |v| (i, *f, v)))
        })
        .collect();
    let next = AtomicUsize::new(0);
    let runs = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(i, format, verbose)) = jobs.get(n) else {
                        break;
                    };
                    let run = run_one(&cases[i], format, verbose, out_dir);
                    runs.lock().unwrap_or_else(|e| e.into_inner()).push(run);
                }
            });
        }
    });
    runs.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// `…context…` around a hit, on one line.
fn context(text: &str, at: usize) -> String {
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(40)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let end = text[at..]
        .char_indices()
        .nth(100)
        .map(|(i, _)| at + i)
        .unwrap_or(text.len());
    text[start..end].replace('\n', "⏎")
}

/// Every `field=value` of the wire trace's requests (URLs, form bodies) and `Location`s whose
/// field is a secret form field (DESIGN.md §4) and whose value is not masked (`‹redacted›`,
/// `‹secret sha256:…›`). Response bodies are JSON (an Entra `error_uri` has `?code=<AADSTS>`).
fn unmasked_form_fields(trace: &str) -> Vec<String> {
    let trace: String = trace
        .lines()
        .filter(|l| l.starts_with("> ") || l.to_ascii_lowercase().starts_with("< location:"))
        .collect::<Vec<_>>()
        .join("\n");
    const FIELDS: &[&str] = &[
        "client_secret",
        "assertion",
        "device_code",
        "code",
        "refresh_token",
        "code_verifier",
    ];
    let mut out = Vec::new();
    for f in FIELDS {
        let pat = format!("{f}=");
        for (at, _) in trace.match_indices(pat.as_str()) {
            let before = trace[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue; // part of a longer name (`device_code=` for `code=`)
            }
            let value = &trace[at + pat.len()..];
            if !value.starts_with('‹') {
                out.push(format!(
                    "{pat}{}",
                    value.chars().take(24).collect::<String>()
                ));
            }
        }
    }
    out
}

/// Every problem with one run: a usage error or crash, a missing wire trace, a leak.
fn problems(run: &Run, secrets: &[Planted]) -> Vec<String> {
    let mut out = Vec::new();
    if !matches!(run.code, 0 | 1) {
        out.push(format!(
            "{}: exit {} (not a report): {}",
            run.label,
            run.code,
            run.stderr.lines().take(5).collect::<Vec<_>>().join(" ⏎ ")
        ));
    }
    // With `--out FILE` the report in the chosen format is the file; stdout is the text
    // summary for the terminal.
    let report = run.out_file.as_ref().unwrap_or(&run.stdout);
    if run.out_file.as_ref().is_some_and(|f| f.trim().is_empty()) {
        out.push(format!("{}: --out wrote no report", run.label));
    }
    if run.report && run.format == "json" && serde_json::from_str::<Value>(report).is_err() {
        out.push(format!(
            "{}: the report is not one JSON document",
            run.label
        ));
    }
    if run.verbose && run.network && !run.stderr.contains("> ") {
        out.push(format!("{}: -v printed no wire trace", run.label));
    }
    for field in unmasked_form_fields(&run.stderr) {
        out.push(format!(
            "{}: the wire trace shows a secret form field: {field}",
            run.label
        ));
    }
    let empty = String::new();
    let file = run.out_file.as_ref().unwrap_or(&empty);
    for (stream, text) in [
        ("stdout", &run.stdout),
        ("stderr", &run.stderr),
        ("the --out file", file),
    ] {
        // Markdown may escape characters; look at the text without backslashes too.
        let unescaped = text.replace('\\', "");
        for p in secrets {
            if let Some(at) = p.find_in(text) {
                out.push(format!(
                    "{}: {} leaked on {stream}: …{}…",
                    run.label,
                    p.what,
                    context(text, at)
                ));
            } else if let Some(at) = p.find_in(&unescaped) {
                out.push(format!(
                    "{}: {} leaked (escaped) on {stream}: …{}…",
                    run.label,
                    p.what,
                    context(&unescaped, at)
                ));
            }
        }
    }
    if run.format == "markdown" {
        let personal = PII
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([
                ("name (simulator)".into(), tokens::USER_NAME.to_string()),
                (
                    "preferred_username (simulator)".into(),
                    tokens::USER_UPN.to_string(),
                ),
            ]);
        for (claim, value) in personal {
            if let Some(at) = report.find(&value) {
                out.push(format!(
                    "{}: personal claim {claim} unmasked in the markdown report: …{}…",
                    run.label,
                    context(report, at)
                ));
            }
        }
    }
    out
}

#[test]
fn no_command_leaks_a_secret_in_any_format() {
    let started = Instant::now();
    // The healthy deployment every network command runs against.
    let sim = Sim::start("healthy");
    // A broken OAuth proxy: /authorize hands back an authorization code and /token redeems
    // any code, so discovery receives a code, tokens and a refresh token.
    let mut broken = profile("healthy");
    broken.name = "leaky-oauth-proxy".into();
    broken.apim.authorize_code = true;
    broken.entra.code_grant_answers = true;
    let leaky = Sim::with(broken);
    // Entra refuses the exchange: the error paths hold the secret too.
    let refusing = Sim::start("obo-secret-invalid");
    // The user takes a few polls to sign in.
    let pending = Sim::start("device-code-pending");

    let token = client_token_with_pii(&sim);
    let refusing_token = client_token_with_pii(&refusing);
    let backend = backend_token_with_pii(&sim);
    let dir = tempfile::tempdir().expect("temp dir");
    let backend_file = dir.path().join("backend.jwt");
    std::fs::write(&backend_file, &backend).expect("write backend token");
    let backend_path = backend_file.to_string_lossy().into_owned();
    // A whole token-endpoint response pasted as the token.
    let pasted_access = PII
        .iter()
        .fold(tokens::client_token(&sim.state), |b, (k, v)| b.claim(k, *v))
        .claim("uti", "leakSuitePastedAccess1")
        .sign();
    let pasted_id = TokenBuilder::v2(&sim.authority, &sim.tenant_id, &sim.gateway_app_id, "")
        .without("scp")
        .claim("nonce", "leak-suite-nonce")
        .sign();
    let pasted = serde_json::json!({
        "token_type": "Bearer",
        "scope": format!("api://{}/Mcp.Gateway.Access", sim.gateway_app_id),
        "expires_in": 3599,
        "access_token": pasted_access,
        "refresh_token": PASTED_REFRESH_TOKEN,
        "id_token": pasted_id,
    })
    .to_string();
    let policies = [
        fixture("policy/secret-inline.xml"),
        fixture("policy/secret-inline-api-key.xml"),
    ]
    .map(|p: PathBuf| p.to_string_lossy().into_owned());
    let direct = format!("{}/mcp", sim.state.proxy.context7);
    // Inline secrets where a parser meets them first: on the line of an XML error, and in a
    // management-API envelope.
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        format!(
            "<policies><inbound><set-header name=\"Context7-API-Key\" exists-action=\"override\"><value>{POLICY_API_KEY}</value></set-header><set-variable name=\"x\" value=\"@(\"a\")\" /></inbound></policies>"
        ),
    )
    .expect("write policy");
    let envelope = dir.path().join("envelope.json");
    std::fs::write(
        &envelope,
        serde_json::json!({"properties": {"format": "rawxml", "value": format!("<policies><inbound><set-variable name=\"s\" value=\"{POLICY_CLIENT_SECRET}\" /></inbound></policies>")}}).to_string(),
    )
    .expect("write envelope");
    let broken = broken.to_string_lossy().into_owned();
    let envelope = envelope.to_string_lossy().into_owned();

    // Every secret in the environment of every run: none is ever needed in an argument.
    let all_env = |c: Case, t: &str| {
        c.env("C7DOCTOR_TOKEN", t)
            .env("C7DOCTOR_API_KEY", VALID_KEY)
            .env("C7DOCTOR_GATEWAY_SECRET", GATEWAY_SECRET)
    };
    // Authorities that answer in other shapes: an `error_description` echoing the form body
    // (the client secret percent-encoded, `~` as `%7E`), tokens form-encoded, tokens in
    // camelCase JSON.
    let echoing = HostileServer::start_every_request(Kind::EchoingAuthority);
    let form_tokens = HostileServer::start_every_request(Kind::FormTokens);
    let camel_tokens = HostileServer::start_every_request(Kind::CamelTokens);
    let at_authority = |authority: &str, rest: &[&str]| -> Vec<String> {
        let mut a = strs(&[
            "--tenant-id",
            &sim.tenant_id,
            "--gateway-app-id",
            &sim.gateway_app_id,
            "--mcp-app-id",
            &sim.mcp_app_id,
            "--authority",
            authority,
        ]);
        a.extend(strs(rest));
        a
    };
    // Context7 with sessions: the `Mcp-Session-Id` is a secret from its first appearance.
    let sessions = Sim::start("healthy-sessions");
    let sessions_token = client_token_with_pii(&sessions);
    let host_with_secrets = format!(
        "{}/?subscription-key={HOST_SUBSCRIPTION_KEY}&sig={HOST_SIG}",
        sim.gateway
    );

    let cases = vec![
        all_env(
            Case::new(
                "obo (the authority echoes the form body)",
                at_authority(&echoing.url, &["obo"]),
            ),
            &token,
        ),
        all_env(
            Case::new(
                "obo (tokens form-encoded)",
                at_authority(&form_tokens.url, &["obo"]),
            ),
            &token,
        ),
        all_env(
            Case::new(
                "obo (camelCase tokens)",
                at_authority(&camel_tokens.url, &["obo"]),
            ),
            &token,
        ),
        Case::new(
            "login (camelCase tokens)",
            at_authority(&camel_tokens.url, &["login"]),
        ),
        Case::new(
            "login (tokens form-encoded)",
            at_authority(&form_tokens.url, &["login"]),
        ),
        all_env(
            Case::new("probe (sessions)", with_sim(&sessions, &["probe"])),
            &sessions_token,
        ),
        all_env(
            Case::new(
                "discovery (secrets in --host's query)",
                strs(&["discovery", "--host", &host_with_secrets]),
            ),
            &token,
        ),
        Case::new(
            "token --backend-token --verify",
            with_sim(
                &sim,
                &["token", "-", "--backend-token", &backend_path, "--verify"],
            ),
        )
        .stdin(&format!("Bearer {token}\n")),
        Case::new(
            "token (pasted token response)",
            with_sim(
                &sim,
                &[
                    "token",
                    "--hop",
                    "client",
                    "--jwks",
                    &fixture("keys/jwks.json").to_string_lossy(),
                ],
            ),
        )
        .stdin(&pasted)
        .offline(),
        Case::new("key", strs(&["key"]))
            .env("C7DOCTOR_API_KEY", VALID_KEY)
            .offline(),
        // Secrets pasted into the wrong command are not echoed back as "bad input".
        Case::new(
            "token (the client secret pasted by mistake)",
            strs(&["token", "-"]),
        )
        .stdin(&format!("{GATEWAY_SECRET}\n"))
        .offline(),
        Case::new("key (a token pasted by mistake)", strs(&["key", "-"]))
            .stdin(&token)
            .offline(),
        all_env(
            Case::new(
                "discovery (leaky OAuth proxy)",
                with_sim(&leaky, &["discovery"]),
            ),
            &token,
        ),
        Case::new("login", with_sim(&pending, &["login"])),
        all_env(Case::new("obo", with_sim(&sim, &["obo"])), &token),
        all_env(
            Case::new(
                "obo (Entra refuses the secret)",
                with_sim(&refusing, &["obo"]),
            ),
            &refusing_token,
        ),
        Case::new(
            "obo --secret-stdin (Entra refuses the secret)",
            with_sim(&refusing, &["obo", "--secret-stdin"]),
        )
        .env("C7DOCTOR_TOKEN", &refusing_token)
        .stdin(&format!("{GATEWAY_SECRET}\r\n")),
        all_env(
            Case::new(
                "probe --query-docs",
                with_sim(&sim, &["probe", "--query-docs"]),
            ),
            &token,
        ),
        all_env(
            Case::new(
                "probe --api-key",
                with_sim(&sim, &["probe", "--api-key", "--context7-url", &direct]),
            ),
            &token,
        ),
        Case::new(
            "policy",
            strs(&["policy", "--show-pii", &policies[0], &policies[1]]),
        )
        .offline(),
        Case::new(
            "policy (a secret on an XML error's line, in an envelope)",
            strs(&["policy", &broken, &envelope]),
        )
        .offline(),
        all_env(
            Case::new(
                "e2e --policy",
                with_sim(&sim, &["e2e", "--policy", &policies[0], &policies[1]]),
            ),
            &token,
        ),
        Case::new(
            "e2e --login --out",
            with_sim(&sim, &["e2e", "--login", "--out", "{out}"]),
        )
        .env("C7DOCTOR_GATEWAY_SECRET", GATEWAY_SECRET),
        all_env(
            Case::new("explain", strs(&["explain", "entra.secret-invalid"])),
            &token,
        )
        .offline()
        .not_a_report(),
    ];

    let runs = run_all(&cases, dir.path());

    // Everything planted, and everything the simulated Entra issued during the runs.
    let mut secrets = Vec::new();
    secrets.extend(Planted::jwt("client token", &token));
    secrets.extend(Planted::jwt("client token (refused OBO)", &refusing_token));
    secrets.extend(Planted::jwt("backend token", &backend));
    secrets.extend(Planted::jwt("pasted access token", &pasted_access));
    secrets.extend(Planted::jwt("pasted ID token", &pasted_id));
    secrets.push(Planted::new(
        "pasted refresh token",
        PASTED_REFRESH_TOKEN,
        16,
    ));
    secrets.push(Planted::new("API key", VALID_KEY, 10));
    secrets.push(Planted::new("gateway client secret", GATEWAY_SECRET, 12));
    secrets.push(Planted::new("device code", DEVICE_CODE, 16));
    secrets.push(Planted::new("refresh token", REFRESH_TOKEN, 16));
    secrets.push(Planted::new("authorization code", AUTHORIZATION_CODE, 16));
    secrets.push(Planted::new(
        "policy client secret",
        POLICY_CLIENT_SECRET,
        10,
    ));
    secrets.push(Planted::new("policy API key", POLICY_API_KEY, 10));
    secrets.push(Planted::new(
        "discovery's deliberately invalid code",
        c7doctor::discovery::token_route::INVALID_CODE,
        16,
    ));
    // The same secrets in the encodings they travel in.
    let form_encoded =
        |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    secrets.push(Planted::new(
        "gateway client secret (form-encoded)",
        form_encoded(GATEWAY_SECRET),
        12,
    ));
    secrets.extend(Planted::jwt(
        "form/camelCase access token",
        SHAPED_ACCESS_TOKEN,
    ));
    secrets.extend(Planted::jwt("form/camelCase ID token", SHAPED_ID_TOKEN));
    secrets.push(Planted::new(
        "form/camelCase refresh token",
        SHAPED_REFRESH_TOKEN,
        16,
    ));
    secrets.push(Planted::new(
        "form/camelCase refresh token (form-encoded)",
        form_encoded(SHAPED_REFRESH_TOKEN),
        16,
    ));
    secrets.push(Planted::new(
        "subscription key in --host",
        HOST_SUBSCRIPTION_KEY,
        12,
    ));
    secrets.push(Planted::new("SAS sig in --host", HOST_SIG, 12));
    let session_ids: BTreeSet<String> = sessions
        .requests()
        .iter()
        .filter_map(|r| r.header("mcp-session-id").map(str::to_string))
        .collect();
    assert!(
        !session_ids.is_empty(),
        "probe never used an MCP session: the session-id case tested nothing"
    );
    for (i, id) in session_ids.iter().enumerate() {
        secrets.push(Planted::new(format!("MCP session id #{i}"), id, 12));
    }
    assert!(
        echoing
            .requests()
            .iter()
            .any(|r| r.body_text().contains("client_secret=")),
        "the echoing authority never received the OBO form"
    );
    let mut issued = BTreeSet::new();
    for s in [&sim, &leaky, &refusing, &pending, &sessions] {
        issued.extend(s.state.entra_token.issued_tokens());
        issued.extend(s.state.entra_token.issued_id_tokens());
    }
    for (i, t) in issued.iter().enumerate() {
        secrets.extend(Planted::jwt(&format!("token #{i} issued by Entra"), t));
    }
    // The runs did reach the flows that issue them.
    let access = sim.state.entra_token.issued_tokens().len();
    assert!(
        access >= 4,
        "Entra issued only {access} tokens: login or OBO did not run"
    );
    assert!(
        !leaky.state.entra_token.issued_id_tokens().is_empty(),
        "discovery never redeemed a code at the leaky /token"
    );

    let mut all: Vec<String> = runs.iter().flat_map(|r| problems(r, &secrets)).collect();
    // Control: the personal claims are in the tokens and markdown shows them on request, so
    // their absence above is masking, not a report that never shows claims.
    let shown = c7doctor()
        .args(with_sim(
            &sim,
            &["token", "-", "--format", "markdown", "--show-pii"],
        ))
        .write_stdin(token.clone())
        .output()
        .expect("c7doctor runs");
    let shown = String::from_utf8_lossy(&shown.stdout);
    for (claim, value) in PII {
        if !shown.contains(value) {
            all.push(format!(
                "control: `token --format markdown --show-pii` does not show {claim}"
            ));
        }
    }
    // No token reached the OAuth proxy or another host, and no secret left for anywhere but
    // the tenant's token endpoint.
    let requests = |s: &Sim| -> Vec<Recorded> { s.requests() };
    for r in requests(&leaky) {
        if r.header("authorization").is_some() {
            all.push(format!("discovery sent a token: {} {}", r.method, r.uri));
        }
    }
    for s in [&sim, &leaky, &refusing, &pending] {
        for r in requests(s) {
            let to_token_endpoint = r.server == "entra" && r.path().ends_with("/oauth2/v2.0/token");
            if r.body_text().contains(GATEWAY_SECRET) && !to_token_endpoint {
                all.push(format!(
                    "the client secret was sent to {} {} {}",
                    r.server, r.method, r.uri
                ));
            }
        }
    }
    all.sort();
    eprintln!(
        "leak suite: {} commands × {} formats × 2 verbosities = {} runs, {} planted secrets, {} personal claims, {:?}",
        cases.len(),
        FORMATS.len(),
        runs.len(),
        secrets.len(),
        PII.len() + 2,
        started.elapsed()
    );
    assert!(
        all.is_empty(),
        "{} problem(s):\n{}",
        all.len(),
        all.join("\n")
    );
}

/// A personal claim written twice (`token.duplicate-key`): the finding names the key, never
/// the values, so markdown shows neither of them without `--show-pii` — and shows the one read
/// (the last) with it.
#[test]
fn a_personal_claim_written_twice_stays_masked_in_markdown() {
    let file = fixture("tokens/duplicate-personal-claim.jwt");
    let run = |extra: &[&str]| {
        let out = c7doctor()
            .args(["token", "--format", "markdown", "--token-file"])
            .arg(&file)
            .args(extra)
            .output()
            .expect("c7doctor runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let masked = run(&[]);
    assert!(masked.contains("token.duplicate-key"), "{masked}");
    assert!(
        masked.contains("preferred\\_username") || masked.contains("preferred_username"),
        "{masked}"
    );
    for planted in [
        "planted.first@pii-leak.example",
        "planted.last@pii-leak.example",
    ] {
        assert!(!masked.contains(planted), "{planted} in:\n{masked}");
    }
    let shown = run(&["--show-pii"]);
    assert!(shown.contains("planted.last@pii-leak.example"), "{shown}");
}

/// A password in `--host` (or a target, or `--authority`) is a configuration error: exit 2,
/// the password never printed, nothing sent — APIM takes no Basic credentials there.
#[test]
fn credentials_in_a_url_are_refused_not_sent() {
    const PASSWORD: &str = "urlPassw0rdNeverShown";
    let sim = Sim::start("healthy");
    let origin = sim.gateway.trim_start_matches("http://");
    let with_userinfo = format!("http://alice:{PASSWORD}@{origin}");
    let token = tokens::client_token(&sim.state).sign();
    let runs: Vec<Vec<String>> = vec![
        strs(&["discovery", "--host", &with_userinfo]),
        strs(&["discovery", &with_userinfo]),
        strs(&["probe", "--host", &with_userinfo]),
        strs(&["probe", &format!("{with_userinfo}/context7/mcp")]),
        strs(&["e2e", "--host", &with_userinfo]),
        strs(&[
            "obo",
            "--authority",
            &format!("http://bob:{PASSWORD}@127.0.0.1:9"),
        ]),
    ];
    for args in runs {
        for format in FORMATS {
            let out = c7doctor()
                .args(&args)
                .args(["--format", format, "-v"])
                .env("C7DOCTOR_TOKEN", &token)
                .output()
                .expect("c7doctor runs");
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(2), "{args:?} {format}: {all}");
            assert!(!all.contains(PASSWORD), "{args:?} {format}: {all}");
            assert!(all.contains("user name or password"), "{args:?}: {all}");
        }
    }
    assert!(
        sim.requests().is_empty(),
        "a request went out: {:?}",
        sim.requests().iter().map(|r| &r.uri).collect::<Vec<_>>()
    );
}

/// The Microsoft Graph token of `apps --graph` (from the environment and from stdin, against
/// a Graph that accepts it and one that refuses it), in every format and verbosity.
#[test]
fn apps_graph_token_never_leaks() {
    use crate::support::sim::graph::{GRAPH_TOKEN, GraphError, GraphFaults, GraphSim};
    let ok = GraphSim::start(GraphFaults::default());
    let refusing = GraphSim::start(GraphFaults {
        error: Some(GraphError {
            collection: "*",
            status: 403,
            code: "Authorization_RequestDenied",
            retry_after: None,
        }),
        ..GraphFaults::default()
    });
    let ids = crate::support::sim::Ids::load();
    let args = |graph: &GraphSim| {
        strs(&[
            "apps",
            "--graph",
            "--graph-url",
            &graph.url,
            "--gateway-app-id",
            &ids.gateway_app_id,
            "--mcp-app-id",
            &ids.mcp_app_id,
        ])
    };
    let cases = vec![
        Case::new("apps --graph (env)", args(&ok)).env("C7DOCTOR_GRAPH_TOKEN", GRAPH_TOKEN),
        Case::new("apps --graph (stdin)", args(&ok)).stdin(&format!("Bearer {GRAPH_TOKEN}\n")),
        Case::new("apps --graph (refused)", args(&refusing))
            .env("C7DOCTOR_GRAPH_TOKEN", GRAPH_TOKEN),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let runs = run_all(&cases, dir.path());
    let secrets = Planted::jwt("Graph token", GRAPH_TOKEN);
    let mut all: Vec<String> = runs.iter().flat_map(|r| problems(r, &secrets)).collect();
    // The reads did happen, with the token, to Graph only.
    let lines = ok.log.lines();
    if !lines.iter().any(|l| l.contains("/v1.0/applications")) {
        all.push(format!("Graph was never read: {lines:?}"));
    }
    all.sort();
    assert!(
        all.is_empty(),
        "{} problem(s):\n{}",
        all.len(),
        all.join("\n")
    );
}

// ---------------------------------------------------------------- the authorize preflight
// (discovery's one hop to the authority; rows kept apart from the suite above)

/// The preflight follows one hop to the configured authority with a plain GET: no token, no
/// cookie, no secret goes out, no second hop is taken, and an authorization code in Entra's
/// answer never reaches any output, in any format, with or without `-v`.
#[test]
fn discovery_preflight_leaks_nothing_and_takes_one_hop() {
    let mut p = profile("healthy");
    p.entra.authorize_leaks_code = true;
    let sim = Sim::with(p);
    for format in FORMATS {
        for verbose in [false, true] {
            let mut args = with_sim(&sim, &["discovery", "--format", format, "--timeout", "5"]);
            if verbose {
                args.push("-v".into());
            }
            let out = c7doctor()
                .args(&args)
                .env("C7DOCTOR_GATEWAY_SECRET", GATEWAY_SECRET)
                .output()
                .expect("c7doctor runs");
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !all.contains(AUTHORIZATION_CODE),
                "discovery --format {format} (-v {verbose}) printed the authorization code"
            );
            assert!(!all.contains(GATEWAY_SECRET), "{format}: the client secret");
            // Entra's refusal is reported (the answer was read), with its AADSTS code.
            assert!(
                all.contains("AADSTS50105"),
                "{format}: Entra's answer is not reported"
            );
        }
    }
    for r in sim.requests_to("entra") {
        assert!(
            r.header("authorization").is_none(),
            "token sent to {}",
            r.uri
        );
        assert!(r.header("cookie").is_none(), "cookie sent to {}", r.uri);
        assert!(
            !r.body_text().contains(GATEWAY_SECRET) || r.path().ends_with("/oauth2/v2.0/token"),
            "secret sent to {}",
            r.uri
        );
        if r.path().ends_with("/oauth2/v2.0/authorize") {
            assert_eq!(r.method, "GET", "{}", r.uri);
        }
    }
    // One hop: Entra's redirect back (to the client's loopback redirect URI) is never
    // followed — nothing but the simulated servers was asked, and only Entra's authorize
    // endpoint after the façade's redirect.
    assert!(sim.requests_to("elsewhere").is_empty());
}
