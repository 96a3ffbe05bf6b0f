//! Token area: decode a JWT offline and check it against the hop it is meant for —
//! the step every troubleshooting section of the guides starts with ("decode the token and
//! check iss, aud, scp, exp"), without pasting a corporate token into a website.
//!
//! - [`decode`]: split and decode without trusting; what is not a JWS becomes a sentence.
//! - [`claims`]: what each pattern and hop expects, and the offline checks of the token's
//!   type, alg, audience, scope and oid, each with its catalog code.
//! - [`issuer`]: issuer, cloud, version and tenant.
//! - [`times`]: `exp`, `nbf`, `iat` and the lifetime.
//! - [`exact`]: claims that match only when compared loosely, where Context7 compares
//!   exactly.
//! - [`jwks`]: RS256 verification against a JWKS file or the tenant's published keys.
//! - [`hops`]: client and backend tokens side by side.
//! - [`context7`]: the token Context7 receives, through Context7's own validator.
//! - [`display`]: the decoded claims and times as report sections.
//!
//! Other commands (`login`, `obo`, `e2e`) reuse [`check_token`], [`compare_hops`] and
//! [`verify_with_jwks`] on the tokens they obtain.

pub mod codes;

pub mod claims;
pub mod context7;
pub mod decode;
pub mod display;
pub mod exact;
pub mod hops;
pub mod issuer;
pub mod jwks;
#[cfg(test)]
mod testing;
pub mod times;

use std::collections::HashSet;
use std::path::Path;

pub use decode::{Decoded, Malformed, decode};
pub use hops::compare_hops;
pub use jwks::{fetch_tenant_jwks, verify_with_jwks};

use crate::cli::TokenArgs;
use crate::context::{Ctx, Outcome};
use crate::deployment::{Hop, Pattern};
use crate::error::Error;
use crate::input::{self, RawInput};
use crate::report::{Check, Section, redact};
use claims::{App, expected_app, guess_hop};

/// What a token is checked against.
#[derive(Debug, Clone)]
pub struct Expect {
    pub pattern: Pattern,
    /// `None`: guessed from `aud`/`scp` (and the guess reported).
    pub hop: Option<Hop>,
    /// Why `hop` is what it is when it is set, shown in the `token.hop` check
    /// ("given with --hop"; e2e and the Entra flows know the hop from where the token came from).
    pub hop_reason: &'static str,
    pub tenant_id: Option<String>,
    pub gateway_app_id: Option<String>,
    pub mcp_app_id: Option<String>,
    /// `https://login.microsoftonline.com` or a sovereign cloud's; the v2 issuer's host follows it.
    pub authority: String,
    /// The instant `exp`/`nbf` are evaluated at (`--at`, else now).
    pub at: jiff::Timestamp,
    pub now: jiff::Timestamp,
    pub leeway_secs: u64,
    /// Lower-cased `oid`s of the provisioned users (`--provisioned`).
    pub provisioned: Option<HashSet<String>>,
}

impl Expect {
    /// Expectations from the configuration: evaluated now, 60 s leeway, hop guessed.
    pub fn from_ctx(ctx: &Ctx) -> Expect {
        Expect {
            pattern: ctx.cfg.pattern,
            hop: None,
            hop_reason: "given with --hop",
            tenant_id: ctx.cfg.tenant_id.clone(),
            gateway_app_id: ctx.cfg.gateway_app_id.clone(),
            mcp_app_id: ctx.cfg.mcp_app_id.clone(),
            authority: ctx.cfg.authority.clone(),
            at: ctx.now,
            now: ctx.now,
            leeway_secs: 60,
            provisioned: None,
        }
    }
}

/// The result of the offline checks on one token.
#[derive(Debug, Clone)]
pub struct TokenCheck {
    pub checks: Vec<Check>,
    /// `None` when the input is not a JWS (the checks then hold `token.malformed`).
    pub decoded: Option<Decoded>,
    pub hop: Hop,
    pub hop_guessed: bool,
    /// Header, claims and times (empty when malformed).
    pub sections: Vec<Section>,
}

impl TokenCheck {
    /// The result for input that is not a token at all.
    pub fn malformed(m: &Malformed, exp: &Expect) -> TokenCheck {
        TokenCheck {
            checks: vec![malformed_check(m)],
            decoded: None,
            hop: exp.hop.unwrap_or(Hop::Client),
            hop_guessed: exp.hop.is_none(),
            sections: Vec::new(),
        }
    }

    /// Replace the signature check (the offline checks leave `signature-unchecked`).
    pub fn set_signature(&mut self, check: Check) {
        match self.checks.iter_mut().find(|c| c.id == jwks::CHECK_ID) {
            Some(c) => *c = check,
            None => self.checks.push(check),
        }
    }
}

fn malformed_check(m: &Malformed) -> Check {
    Check::new("token.decode", "A signed JWT (JWS) that decodes")
        .fail(codes::MALFORMED, format!("not a JWT: {}", m.sentence))
}

/// Every offline check on `raw` (as pasted: whitespace, `Bearer `, quotes and a token
/// response JSON are accepted). All failing checks are reported, never only the first.
pub fn check_token(raw: &str, exp: &Expect) -> TokenCheck {
    let d = match decode(raw) {
        Ok(d) => d,
        Err(m) => return TokenCheck::malformed(&m, exp),
    };
    let (hop, guessed, why) = guess_hop(&d, exp);
    let app = expected_app(exp.pattern, hop);
    let mut checks = Vec::with_capacity(16);
    checks.push(
        Check::new("token.decode", "A signed JWT (JWS) that decodes")
            .pass(format!(
                "a JWS of {} bytes{}",
                d.len,
                if d.padded {
                    ", base64url with '=' padding (accepted)"
                } else {
                    ""
                }
            ))
            .evidence("fingerprint", d.fingerprint.clone()),
    );
    checks.push(hop_check(hop, guessed, &why, exp.pattern, app));
    checks.extend(context7::check_cloud(exp));
    checks.push(claims::check_type(&d));
    checks.push(claims::check_alg(&d));
    checks.extend(claims::check_crit(&d));
    checks.extend(claims::check_duplicates(&d));
    checks.push(issuer::check_issuer(&d, exp, hop, app));
    checks.push(issuer::check_tenant(&d, exp));
    checks.push(issuer::check_personal(&d));
    checks.push(claims::check_audience(&d, exp, hop, app));
    checks.push(claims::check_scope(&d, exp, hop, app));
    checks.push(times::check_expiry(&d, exp));
    checks.push(times::check_not_before(&d, exp));
    checks.push(times::check_lifetime(&d, exp));
    checks.push(claims::check_oid(&d, exp, hop));
    checks.extend(claims::check_provisioned(&d, exp));
    checks.extend(context7::check_context7_acceptance(&d, exp, hop));
    checks.push(if claims::is_graph_token(&d) {
        jwks::graph_explained()
    } else {
        jwks::unchecked(
            "no keys to check the signature with: pass --jwks FILE, or --verify to fetch the \
             tenant's published keys",
        )
    });
    let sections = display::sections(&d, exp, "token", "Token");
    TokenCheck {
        checks,
        decoded: Some(d),
        hop,
        hop_guessed: guessed,
        sections,
    }
}

fn hop_check(hop: Hop, guessed: bool, why: &str, pattern: Pattern, app: App) -> Check {
    let label = match hop {
        Hop::Client => "client: Client → APIM",
        Hop::Backend => "backend: APIM → Context7",
    };
    let mut detail = format!(
        "{label}{} — {why}; {} expects aud = {} and scp {}",
        if guessed { " (guessed)" } else { "" },
        pattern.as_str(),
        app.name(),
        app.scope()
    );
    if pattern == Pattern::SharedKey && hop == Hop::Backend {
        detail
            .push_str(" — in the shared-key pattern APIM sends Context7 the API key, not a token");
    }
    Check::new("token.hop", "Hop the token is checked against")
        .pass(detail)
        .evidence("hop", hop.as_str())
        .evidence("guessed", guessed)
}

/// Provisioned users: one `oid` per line (`#` comments allowed), or CSV with an `oid`
/// column (also `objectId`, `object_id`, `Object ID`). Returned lower-cased.
pub fn load_provisioned(path: &Path) -> Result<HashSet<String>, Error> {
    let bytes = input::read_file(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let split = |line: &str| -> Vec<String> {
        let sep = if line.contains(';') && !line.contains(',') {
            ';'
        } else if line.contains('\t') && !line.contains(',') {
            '\t'
        } else {
            ','
        };
        csv_cells(line, sep)
    };
    let mut set = HashSet::new();
    let header_col = lines.first().and_then(|first| {
        split(first).iter().position(|h| {
            let h = h.to_ascii_lowercase().replace([' ', '_', '-'], "");
            h == "oid" || h == "objectid"
        })
    });
    match header_col {
        Some(col) => {
            for line in &lines[1..] {
                if let Some(v) = split(line).get(col).filter(|v| !v.is_empty()) {
                    set.insert(v.to_ascii_lowercase());
                }
            }
        }
        None => {
            for (i, line) in lines.iter().enumerate() {
                let first = split(line).into_iter().next().unwrap_or_default();
                if decode::is_guid(&first) {
                    set.insert(first.to_ascii_lowercase());
                } else if i == 0 {
                    // A CSV header without an oid column: the list cannot be read reliably.
                    return Err(Error::usage(format!(
                        "--provisioned {}: the first line is neither an oid (GUID) nor a CSV \
                         header with an `oid` column",
                        path.display()
                    )));
                }
            }
        }
    }
    if set.is_empty() {
        return Err(Error::usage(format!(
            "--provisioned {}: no oid found (one GUID per line, or CSV with an `oid` column)",
            path.display()
        )));
    }
    Ok(set)
}

/// The cells of one CSV line; a quoted cell may hold the separator (`"Lovelace, Ada"`).
fn csv_cells(line: &str, sep: char) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => cells.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    cells.push(cell.trim().to_string());
    cells
}

/// Parse `--at`: RFC 3339 (`2026-11-23T09:14:00Z`), a civil time taken as UTC, or Unix seconds.
pub fn parse_at(s: &str) -> Result<jiff::Timestamp, Error> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts);
    }
    if let Ok(dt) = t.parse::<jiff::civil::DateTime>()
        && let Ok(z) = dt.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(z.timestamp());
    }
    if let Ok(secs) = t.parse::<i64>()
        && let Ok(ts) = jiff::Timestamp::from_second(secs)
    {
        return Ok(ts);
    }
    Err(Error::usage(format!(
        "--at {t:?} is not a time: use RFC 3339 such as 2026-11-23T09:14:00Z"
    )))
}

/// The input as token text, or what makes it no token (too large, not UTF-8).
fn token_text(raw: &RawInput) -> Result<String, Malformed> {
    if raw.bytes.len() > decode::MAX_TOKEN_BYTES {
        return Err(Malformed::too_large(raw.bytes.len()));
    }
    // UTF-8, or UTF-16 with a byte-order mark (PowerShell's `>`).
    input::decode_text(&raw.bytes).ok_or_else(|| Malformed::invalid_utf8(&raw.bytes))
}

fn check_input(raw: &RawInput, exp: &Expect) -> TokenCheck {
    match token_text(raw) {
        Ok(text) => check_token(&text, exp),
        Err(m) => TokenCheck::malformed(&m, exp),
    }
}

/// Rename a backend token's checks and title them so both hops read apart.
fn as_backend(mut tc: TokenCheck) -> TokenCheck {
    for c in &mut tc.checks {
        if let Some(rest) = c.id.strip_prefix("token.") {
            c.id = format!("token.backend.{rest}");
        }
        c.title = format!("{} (backend token)", c.title);
    }
    tc
}

/// Verify the signature of each decoded token, with the file's keys or the tenant's.
async fn verify_all(
    ctx: &Ctx,
    args: &TokenArgs,
    tokens: &mut [(&mut TokenCheck, String)],
) -> Result<(), Error> {
    if let Some(path) = &args.jwks {
        let bytes = input::read_file(path)?;
        let jwks: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::usage(format!("--jwks {} is not JSON: {e}", path.display())))?;
        if jwks.get("keys").is_none() {
            return Err(Error::usage(format!(
                "--jwks {} is not a JWKS (no \"keys\" array)",
                path.display()
            )));
        }
        for (tc, raw) in tokens.iter_mut() {
            if let Some(d) = &tc.decoded {
                let c = verify_with_jwks(d, raw, &jwks).evidence("keys", "--jwks file");
                tc.set_signature(c);
            }
        }
        return Ok(());
    }
    if !args.verify {
        return Ok(());
    }
    let http = ctx.http(None)?;
    let mut fetched: Vec<(String, Result<serde_json::Value, Check>)> = Vec::new();
    for (tc, raw) in tokens.iter_mut() {
        let Some(d) = &tc.decoded else { continue };
        if claims::is_graph_token(d) {
            continue; // explained by the offline check
        }
        let tenant = d.tenant().or_else(|| ctx.cfg.tenant_id.clone());
        let Some(tenant) = tenant.filter(|t| !t.is_empty()) else {
            tc.set_signature(jwks::unchecked(
                "no tenant in the token and no --tenant-id: no keys to fetch",
            ));
            continue;
        };
        if !fetched.iter().any(|(t, _)| *t == tenant) {
            let r = fetch_tenant_jwks(&http, &ctx.cfg.authority, &tenant).await;
            fetched.push((tenant.clone(), r));
        }
        let Some((_, result)) = fetched.iter().find(|(t, _)| *t == tenant) else {
            continue;
        };
        let c = match result {
            Ok(jwks) => verify_with_jwks(d, raw, jwks).evidence(
                "keys",
                format!("{}/{tenant}/discovery keys", ctx.cfg.authority),
            ),
            Err(c) => c.clone(),
        };
        tc.set_signature(c);
    }
    Ok(())
}

/// `c7doctor token`.
pub async fn command(ctx: &Ctx, args: &TokenArgs) -> Result<Outcome, Error> {
    let raw = input::read_secret(
        args.source.token.as_deref(),
        args.source.token_file.as_deref(),
        "C7DOCTOR_TOKEN",
    )?
    .ok_or_else(|| {
        Error::usage(
            "no token: pipe it on stdin, pass --token-file FILE, set C7DOCTOR_TOKEN, or give it \
             as an argument (`-` reads stdin)",
        )
    })?;
    let backend_from_stdin = args
        .backend_token
        .as_deref()
        .is_some_and(|p| p == Path::new("-"));
    if backend_from_stdin && raw.origin == input::Origin::Stdin {
        return Err(Error::usage(
            "the token and --backend-token cannot both come from stdin: put one in a file",
        ));
    }

    let mut exp = Expect::from_ctx(ctx);
    // The hop a user holds is the client's: only an explicit --hop says otherwise (a token
    // is never judged by a hop guessed from itself — a wrong-scope token would pass).
    exp.hop = Some(args.hop.unwrap_or(Hop::Client));
    if args.hop.is_none() {
        exp.hop_reason =
            "the token a client sends APIM (--hop backend checks the token APIM forwards)";
    }
    exp.leeway_secs = args.leeway;
    if let Some(at) = &args.at {
        exp.at = parse_at(at)?;
    }
    if let Some(p) = &args.provisioned {
        exp.provisioned = Some(load_provisioned(p)?);
    }

    let mut report = ctx.report("token");
    // An empty pipe is the command before it failing (`az …` not signed in), not a token.
    let mut client = if raw.origin == input::Origin::Stdin && raw.is_blank() {
        TokenCheck {
            checks: vec![
                Check::new("token.decode", "A signed JWT (JWS) that decodes")
                    .fail(codes::MALFORMED, input::EMPTY_STDIN),
            ],
            decoded: None,
            hop: exp.hop.unwrap_or(Hop::Client),
            hop_guessed: false,
            sections: Vec::new(),
        }
    } else {
        check_input(&raw, &exp)
    };
    let client_raw = String::from_utf8_lossy(&raw.bytes).into_owned();
    // A token wrapped over lines normalises differently from what read_secret registered.
    redact::register_secret(&decode::compact(&client_raw));
    let fingerprint = client
        .decoded
        .as_ref()
        .map(|d| d.fingerprint.clone())
        .unwrap_or_else(|| redact::fingerprint(client_raw.trim()));
    report.context("token", fingerprint);
    report.context("token_source", raw.origin.describe());
    report.context("hop", client.hop.as_str());
    report.context("hop_guessed", client.hop_guessed);
    report.context("leeway_s", exp.leeway_secs);
    if exp.at != exp.now {
        report.context("at", display::utc(exp.at.as_second()));
    }

    let mut backend = None;
    if let Some(path) = &args.backend_token {
        let bytes = input::read_file(path)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        redact::register_secret(text.trim());
        redact::register_secret(&decode::compact(&text));
        let origin = if backend_from_stdin {
            input::Origin::Stdin
        } else {
            input::Origin::File(path.display().to_string())
        };
        let braw = RawInput { bytes, origin };
        let mut bexp = exp.clone();
        bexp.hop = Some(Hop::Backend);
        let tc = check_input(&braw, &bexp);
        if let Some(d) = &tc.decoded {
            report.context("backend_token", d.fingerprint.clone());
        }
        backend = Some((tc, text, bexp));
    }

    {
        let mut list: Vec<(&mut TokenCheck, String)> = vec![(&mut client, client_raw)];
        if let Some((tc, text, _)) = backend.as_mut() {
            list.push((tc, text.clone()));
        }
        verify_all(ctx, args, &mut list).await?;
    }

    report.extend(std::mem::take(&mut client.checks));
    let mut sections = Vec::new();
    if let Some((tc, _, _)) = backend {
        if let (Some(c), Some(b)) = (&client.decoded, &tc.decoded) {
            let (checks, table) = compare_hops(c, b, &exp);
            report.extend(as_backend(tc.clone()).checks);
            report.extend(checks);
            sections.push(table);
        } else {
            report.extend(as_backend(tc.clone()).checks);
        }
        sections.extend(client.sections);
        if let Some(b) = &tc.decoded {
            sections.extend(display::sections(b, &exp, "backend", "Backend token"));
        }
    } else {
        sections.extend(client.sections);
    }
    report.sections = sections;
    Ok(report.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_respect_quotes() {
        assert_eq!(
            csv_cells(r#""Lovelace, Ada",abc,"say ""hi""""#, ','),
            vec!["Lovelace, Ada", "abc", r#"say "hi""#]
        );
        assert_eq!(csv_cells("a;b", ';'), vec!["a", "b"]);
    }

    #[test]
    fn provisioned_lists_in_both_forms() {
        let dir = std::env::temp_dir().join(format!("c7d-prov-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let oid = "0B1C2D3E-4F5A-4B6C-8D7E-9F0A1B2C3D4E";
        let lines = dir.join("list.txt");
        std::fs::write(&lines, format!("\u{feff}# users\n{oid}\n\n")).unwrap();
        assert!(
            load_provisioned(&lines)
                .unwrap()
                .contains(&oid.to_ascii_lowercase())
        );
        let csv = dir.join("users.csv");
        std::fs::write(&csv, format!("Name;Object ID\nAda;{oid}\n")).unwrap();
        assert_eq!(load_provisioned(&csv).unwrap().len(), 1);
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "name,mail\nAda,ada@x\n").unwrap();
        assert!(matches!(load_provisioned(&bad), Err(Error::Usage(_))));
        assert!(matches!(
            load_provisioned(&dir.join("missing")),
            Err(Error::Usage(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn at_accepts_rfc3339_civil_and_unix() {
        let want: jiff::Timestamp = "2026-11-23T09:14:00Z".parse().unwrap();
        assert_eq!(parse_at("2026-11-23T09:14:00Z").unwrap(), want);
        assert_eq!(parse_at("2026-11-23T10:14:00+01:00").unwrap(), want);
        assert_eq!(parse_at("2026-11-23 09:14:00").unwrap(), want);
        assert_eq!(parse_at(&want.as_second().to_string()).unwrap(), want);
        assert!(parse_at("yesterday").is_err());
    }
}
