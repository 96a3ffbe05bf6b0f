//! Apps area: audit the two Entra app registrations of the per-user guide (Part 2) before
//! any token exists — the Gateway app and the MCP API app, and the permission chain
//! between them.
//!
//! Most failures on the OBO path start here and are otherwise seen only as their symptoms
//! after a user failed: a v1.0 token (`requestedAccessTokenVersion`), AADSTS65001 on the OBO
//! exchange (no delegated permission, no admin consent, no pre-authorization), an expired
//! secret (AADSTS7000222), VS Code's redirect URI missing (AADSTS500113/50011), the PRM
//! resource that is no identifier of the app (AADSTS9010010).
//!
//! Inputs, either offline or live:
//! - files as the Azure CLI prints them ([`documents`]): `az ad app show`, `az ad sp show`,
//!   the `oauth2PermissionGrants` answer of `az rest`, `az ad app federated-credential list`;
//!   each file's kind is recognised by its shape, each app by its `appId`;
//! - Microsoft Graph ([`graph`]), read-only, with a token from `C7DOCTOR_GRAPH_TOKEN` or stdin.
//!
//! [`checks`] holds the `apps.*` rules, [`codes`] their declarations.

pub mod checks;
pub mod codes;
pub mod documents;
pub mod export;
pub mod graph;

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use checks::Found;
pub use checks::{AuditOptions, Registrations, Role};
use documents::{Application, Document};

use crate::cli::AppsArgs;
use crate::context::{Ctx, Outcome};
use crate::error::Error;
use crate::report::Check;
use crate::report::redact::Secret;

/// One file given: its name, its bytes (at most [`documents::MAX_FILE_BYTES`]) and
/// whether that was all of it.
pub type Input = (String, (Vec<u8>, bool));

/// Where the documents come from.
pub enum Source {
    Files(Vec<Input>),
    Graph { base: url::Url, token: Secret },
}

/// `c7doctor apps [FILE...]`
pub async fn command(ctx: &Ctx, args: &AppsArgs) -> Result<Outcome, Error> {
    let opts = audit_options(ctx, args)?;
    let source = source(args)?;
    let mut report = ctx.report("apps");
    let (checks, context) = run(ctx, &source, &opts).await?;
    for (k, v) in context {
        report.context(&k, v);
    }
    report.extend(checks);
    Ok(report.into())
}

/// The audit options for this run: the configuration, `--at`, `--client`.
pub fn audit_options(ctx: &Ctx, args: &AppsArgs) -> Result<AuditOptions, Error> {
    let mut opts = default_options(ctx);
    if let Some(s) = &args.at {
        opts.now = s
            .parse::<jiff::Timestamp>()
            .map_err(|e| Error::usage(format!("--at {s:?} is not an RFC 3339 time: {e}")))?;
    }
    opts.clients = args.client.clone();
    Ok(opts)
}

/// The audit options from the configuration alone (what `e2e` uses).
pub fn default_options(ctx: &Ctx) -> AuditOptions {
    AuditOptions {
        pattern: ctx.cfg.pattern,
        now: ctx.now,
        gateway_app_id: ctx.cfg.gateway_app_id.clone(),
        mcp_app_id: ctx.cfg.mcp_app_id.clone(),
        host: ctx.gateway_url(),
        api_path: ctx.cfg.api_path.clone(),
        clients: Vec::new(),
        live: false,
        nothing_given: false,
    }
}

/// Read the inputs the arguments name: the files, or the Graph token. Unreadable files and
/// a missing token are usage errors, before anything runs.
pub fn source(args: &AppsArgs) -> Result<Source, Error> {
    let live =
        args.graph || (args.files.is_empty() && std::env::var_os(graph::TOKEN_VAR).is_some());
    if live && !args.files.is_empty() {
        return Err(Error::usage(
            "give either FILE… (offline documents) or --graph (read Microsoft Graph), not both",
        ));
    }
    if live {
        return Ok(Source::Graph {
            base: graph::base_url(args.graph_url.as_deref())?,
            token: graph::token()?,
        });
    }
    Ok(Source::Files(read_files(&args.files)?))
}

/// Read every file (`-` for stdin, once), each up to the size cap.
pub fn read_files(paths: &[std::path::PathBuf]) -> Result<Vec<Input>, Error> {
    let mut inputs = Vec::new();
    let mut stdin_read = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if stdin_read {
                return Err(Error::usage("`-` (stdin) can be given only once"));
            }
            stdin_read = true;
        }
        inputs.push((path.display().to_string(), read_input(path)?));
    }
    Ok(inputs)
}

/// Audit the registrations from this source: the checks, and context entries for the
/// report. For `apps` and `e2e`.
pub async fn run(
    ctx: &Ctx,
    source: &Source,
    opts: &AuditOptions,
) -> Result<(Vec<Check>, Vec<(String, Value)>), Error> {
    let mut opts = opts.clone();
    let mut context = Vec::new();
    let mut checks = Vec::new();
    let reg = match source {
        Source::Graph { base, token } => {
            opts.live = true;
            context.push(("graph".to_string(), Value::from(base.as_str())));
            let (reg, graph_checks) = graph::read(ctx, base, token, &opts).await?;
            checks.extend(graph_checks);
            reg
        }
        Source::Files(inputs) => {
            opts.nothing_given = inputs.is_empty();
            context.push((
                "files".to_string(),
                Value::from(inputs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()),
            ));
            let (reg, input_checks) = from_files(inputs, &opts);
            checks.extend(input_checks);
            reg
        }
    };
    checks.extend(checks::audit(&reg, &opts));
    Ok((checks, context))
}

/// Read at most [`documents::MAX_FILE_BYTES`] (+1 to know there was more).
fn read_input(path: &Path) -> Result<(Vec<u8>, bool), Error> {
    let limit = documents::MAX_FILE_BYTES + 1;
    let mut buf = Vec::new();
    let res = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        let f = std::fs::File::open(path)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
        f.take(limit).read_to_end(&mut buf)
    };
    res.map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
    let complete = buf.len() as u64 <= documents::MAX_FILE_BYTES;
    buf.truncate(documents::MAX_FILE_BYTES as usize);
    Ok((buf, complete))
}

fn input_check(i: usize, name: &str) -> Check {
    Check::new(
        format!("apps.input.{}", i + 1),
        "The file is an app registration document",
    )
    .evidence("file", name.to_string())
}

/// Parse every file, then sort the documents into the two registrations. Unreadable
/// files, unrelated apps, duplicates and conflicts are findings naming the file.
pub fn from_files(inputs: &[Input], opts: &AuditOptions) -> (Registrations, Vec<Check>) {
    let mut checks = Vec::new();
    let mut docs: Vec<(usize, &str, Document)> = Vec::new();
    for (i, (name, (bytes, complete))) in inputs.iter().enumerate() {
        let c = input_check(i, name);
        if !complete {
            checks.push(c.fail(
                codes::INPUT_INVALID,
                format!(
                    "{name} is larger than {} MiB (reading stopped there): not an az ad app show document (a few KiB) — a whole az ad app list?",
                    documents::MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
            continue;
        }
        let parsed = std::str::from_utf8(bytes)
            .map_err(|e| {
                format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                )
            })
            .and_then(documents::parse);
        match parsed {
            Ok(doc) => docs.push((i, name.as_str(), doc)),
            Err(why) => checks.push(c.fail(codes::INPUT_INVALID, format!("{name}: {why}"))),
        }
    }
    let apps: Vec<&Application> = docs
        .iter()
        .filter_map(|(_, _, d)| match d {
            Document::Application(a) => Some(a.as_ref()),
            _ => None,
        })
        .collect();
    let (gw_id, mcp_id, inferred) = role_ids(&apps, opts);
    let mut reg = Registrations::default();
    for (i, name, doc) in docs {
        let c = input_check(i, name);
        let source = name.to_string();
        let placed = match doc {
            Document::Application(a) => {
                let id = a.app_id.clone().unwrap_or_default();
                let slot = if same(&id, gw_id.as_deref()) {
                    Some(("Gateway", &mut reg.gateway))
                } else if same(&id, mcp_id.as_deref()) {
                    Some(("MCP API", &mut reg.mcp))
                } else {
                    None
                };
                match slot {
                    Some((role, slot)) => place(slot, *a, source, role, &id),
                    None => Err(unrelated("application", &id, a.display_name.as_deref())),
                }
            }
            Document::ServicePrincipal(sp) => {
                let id = sp.app_id.clone().unwrap_or_default();
                if same(&id, gw_id.as_deref()) {
                    place(&mut reg.gateway_sp, sp, source, "Gateway", &id)
                } else if same(&id, mcp_id.as_deref()) {
                    place(&mut reg.mcp_sp, sp, source, "MCP API", &id)
                } else {
                    Err(unrelated(
                        "service principal",
                        &id,
                        sp.display_name.as_deref(),
                    ))
                }
            }
            Document::Grants(g) => {
                let n = g.len();
                match &mut reg.grants {
                    None => {
                        reg.grants = Some(Found { doc: g, source });
                        Ok(format!("delegated permission grants ({n})"))
                    }
                    Some(existing) => {
                        // Grants may come in pages or per client: keep them all, once.
                        for gr in g {
                            if !existing.doc.contains(&gr) {
                                existing.doc.push(gr);
                            }
                        }
                        existing.source = format!("{}, {source}", existing.source);
                        Ok(format!(
                            "delegated permission grants ({n}), added to the others"
                        ))
                    }
                }
            }
            Document::FederatedCredentials(f) => Ok(format!(
                "federated credentials ({}): recognised; they serve Context7's group auto-provisioning, which this audit does not check",
                f.len()
            )),
        };
        checks.push(match placed {
            Ok(what) => c.pass(format!("{name}: {what}")),
            Err((status_fail, why)) => {
                if status_fail {
                    c.fail(codes::INPUT_INVALID, format!("{name}: {why}"))
                } else {
                    c.warn(codes::INPUT_INVALID, format!("{name}: {why}"))
                }
            }
        });
    }
    if inferred {
        checks.push(
            Check::new("apps.input.roles", "The two apps were told apart")
                .info(
                    crate::config::codes::MISSING,
                    format!(
                        "--gateway-app-id / --mcp-app-id not set: the Gateway app taken to be {} and the MCP API app {} from their scopes and permissions; set both to be sure",
                        gw_id.as_deref().unwrap_or("(none)"),
                        mcp_id.as_deref().unwrap_or("(none)")
                    ),
                ),
        );
    }
    (reg, checks)
}

fn same(id: &str, want: Option<&str>) -> bool {
    want.is_some_and(|w| !id.is_empty() && w.eq_ignore_ascii_case(id))
}

fn unrelated(kind: &str, id: &str, name: Option<&str>) -> (bool, String) {
    (
        false,
        format!(
            "the {kind} {id} ({}) is neither --gateway-app-id nor --mcp-app-id: ignored",
            name.unwrap_or("no name")
        ),
    )
}

/// Put a document in its slot: a second identical document is noted, a different one
/// for the same app is a conflict (which of the two is the truth is unknown).
fn place<T: PartialEq>(
    slot: &mut Option<Found<T>>,
    doc: T,
    source: String,
    role: &str,
    id: &str,
) -> Result<String, (bool, String)> {
    match slot {
        None => {
            *slot = Some(Found { doc, source });
            Ok(format!("the {role} app {id}"))
        }
        Some(existing) if existing.doc == doc => Ok(format!(
            "the {role} app {id} again, identical to {}: ignored",
            existing.source
        )),
        Some(existing) => Err((
            true,
            format!(
                "a second, different document for the {role} app {id} (the first is {}): c7doctor used the first; give one export per app",
                existing.source
            ),
        )),
    }
}

/// The Gateway and MCP API app IDs: configured, or told apart from the documents (the
/// app whose permissions name the other, else the scope each exposes). The flag says
/// whether anything was inferred.
fn role_ids(apps: &[&Application], opts: &AuditOptions) -> (Option<String>, Option<String>, bool) {
    let mut gw = opts.gateway_app_id.clone();
    let mut mcp = opts.mcp_app_id.clone();
    let mut inferred = false;
    let exposes = |a: &Application, scope: &str| {
        a.api.oauth2_permission_scopes.iter().any(|s| {
            s.value
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case(scope))
        })
    };
    if mcp.is_none() {
        let by_permission = gw.as_deref().and_then(|g| {
            apps.iter()
                .find(|a| same(g, a.app_id.as_deref()))
                .and_then(|ga| {
                    apps.iter().find(|m| {
                        m.app_id.as_deref().is_some_and(|mid| {
                            ga.required_resource_access
                                .iter()
                                .any(|r| same(mid, r.resource_app_id.as_deref()))
                        })
                    })
                })
        });
        if let Some(a) = by_permission.or_else(|| apps.iter().find(|a| exposes(a, "mcp.access")))
            && !same(a.app_id.as_deref().unwrap_or(""), gw.as_deref())
        {
            mcp = a.app_id.clone();
            inferred = true;
        }
    }
    let names_mcp = |a: &Application| {
        mcp.as_deref().is_some_and(|m| {
            a.required_resource_access
                .iter()
                .any(|r| same(m, r.resource_app_id.as_deref()))
        })
    };
    if gw.is_none()
        && opts.pattern == crate::deployment::Pattern::Obo
        && let Some(a) = apps
            .iter()
            .find(|a| exposes(a, "Mcp.Gateway.Access") || names_mcp(a))
        && !same(a.app_id.as_deref().unwrap_or(""), mcp.as_deref())
    {
        gw = a.app_id.clone();
        inferred = true;
    }
    (gw, mcp, inferred)
}
