//! `c7doctor discovery`: walk the OAuth discovery chain an MCP client follows through the
//! gateway (MCP authorization spec 2025-11-25; guide 2 Part 5), and say which
//! link is broken and how to fix it.
//!
//! The links, in the order of the report:
//!
//! 1. [`endpoint`]: `POST initialize` without a token → 401 with a `WWW-Authenticate`
//!    challenge naming `resource_metadata` ([`www_authenticate`] parses it, RFC 7235).
//! 2. [`prm`]: the Protected Resource Metadata, from the header's URL, else the
//!    path-inserted and root well-known URLs; judged by [`documents`].
//! 3. [`as_metadata`]: the authorization server's metadata at each location clients try.
//! 4. [`authorize`]: `GET /authorize` must 302 to the tenant's v2.0 endpoint, query intact.
//! 5. [`token_route`]: `POST /token` must reach Entra (its error JSON proves it).
//! 6. [`tenant`]: the tenant's OpenID configuration and keys vs the façade's `jwks_uri`.
//!
//! Requests that do not depend on each other run concurrently, in stages: (endpoint,
//! well-known PRM URLs) → the header's PRM URL if it is another one → every AS metadata
//! candidate → (/authorize, /token, the façade's keys); the configured tenant's OIDC
//! document and keys are fetched alongside the whole chain, a tenant only the redirect
//! names after it. A redirect is never followed, no credential is ever sent (the
//! `/token` probe carries a deliberately invalid code), and a gateway that does not answer
//! ends the walk after one deadline.
//!
//! A `fail` breaks sign-in for MCP clients (or, for `endpoint-open`, security); a `warn`
//! breaks some clients only (older or stricter spec revisions) — each finding says which in
//! its detail and in its `impact` evidence.

pub mod codes;

pub mod as_metadata;
pub mod authorize;
mod client_probe;
pub mod clients;
pub mod documents;
pub mod endpoint;
pub mod fetch;
pub mod preflight;
pub mod prm;
pub mod tenant;
pub mod token_route;
pub mod www_authenticate;

use serde_json::Value;
use url::Url;

use crate::cli::DiscoveryArgs;
use crate::config::origin_of;
use crate::context::{Ctx, Outcome};
use crate::deployment::Pattern;
use crate::error::Error;
use crate::http::{self, Http};
use crate::report::{Check, Report, Section, Status};
use client_probe::{ClientProbe, Shape, matrix_check, preflight_check, probe_client};
use documents::DocExpect;
// The document checks, for the policy linter (which feeds them the bodies it finds).
pub use as_metadata::check_as_document;
pub use authorize::{check_authorize_location, tenant_from_entra_url};
use fetch::Attempt;
pub use prm::{check_prm_document, scope_list_check};

/// Most authorization servers a PRM may name that are followed.
const MAX_AUTH_SERVERS: usize = 3;

pub async fn command(ctx: &Ctx, args: &DiscoveryArgs) -> Result<Outcome, Error> {
    // The gateway: HOST as given here, else --host as the configuration parsed it.
    let target = match &args.target {
        Some(t) => Some(crate::config::Gateway::parse(t, &ctx.cfg.api_path)),
        None => ctx.cfg.gateway.clone(),
    };
    let Some(target) = target else {
        return Err(Error::usage(
            "discovery needs the gateway: give HOST (a host name, origin or the MCP URL) or set --host",
        ));
    };
    let target = target.map_err(|e| Error::usage(format!("discovery: {e}")))?;
    let mcp_url = target.mcp_url;
    let gateway = target.origin;
    let exp = DocExpect::from_ctx(ctx, Some(mcp_url.clone()));
    let http = ctx.http(Some(&gateway))?;

    let mut report = ctx.report("discovery");
    report.context("host", gateway.as_str().trim_end_matches('/'));
    report.context("mcp_url", mcp_url.as_str());
    let checks = walk(&http, &exp, &mcp_url).await;
    report.extend(checks.into_iter().map(with_impact));
    let sections = next_steps(&report, &exp, &mcp_url);
    report.sections.extend(sections);
    Ok(report.into())
}

/// Where a URL named by the metadata points.
enum Dest {
    /// On the gateway: c7doctor sends its probe.
    Gateway(Url),
    /// Entra itself (the configured authority).
    Authority(Url),
    /// Anywhere else: a finding, never a destination.
    Elsewhere(Url),
}

fn dest(u: Url, gateway: &Url, authority: Option<&Url>) -> Dest {
    if fetch::same_origin(&u, gateway) {
        Dest::Gateway(u)
    } else if authority.is_some_and(|a| fetch::same_origin(&u, a)) {
        Dest::Authority(u)
    } else {
        Dest::Elsewhere(u)
    }
}

/// The endpoint the AS metadata names in `field`, or the gateway's `path` when there is
/// no metadata (the guide's façade layout), with a note saying which.
fn metadata_endpoint(
    as_doc: Option<&Value>,
    field: &str,
    gateway: &Url,
    path: &str,
) -> (Option<Url>, bool) {
    match as_doc {
        Some(d) => (
            d.get(field)
                .and_then(Value::as_str)
                .filter(|s| !documents::is_placeholder(s))
                .and_then(|s| Url::parse(s).ok()),
            false,
        ),
        None => {
            let mut u = gateway.clone();
            u.set_path(path);
            (Some(u), true)
        }
    }
}

fn target_check(mcp_url: &Url) -> Check {
    let check = Check::new("discovery.target", "MCP URL clients are configured with")
        .evidence("mcp_url", mcp_url.as_str());
    if mcp_url.scheme() == "http" && !http::is_loopback(mcp_url) {
        return check.warn(
            codes::PLAIN_HTTP,
            format!("{mcp_url} is plain http on a non-loopback host: tokens would cross the network unencrypted"),
        );
    }
    check.pass(mcp_url.as_str().to_string())
}

/// The scopes a client will request: the challenge's `scope` (authoritative), else the
/// PRM's `scopes_supported`, else the expected scope.
fn requested_scope(
    challenge: Option<&endpoint::ChallengeInfo>,
    prm_doc: Option<&Value>,
    exp: &DocExpect,
) -> String {
    if let Some(s) = challenge.and_then(|c| c.scope.clone()) {
        return s;
    }
    let from_prm: Vec<&str> = prm_doc
        .and_then(|d| d.get("scopes_supported"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !from_prm.is_empty() {
        return from_prm.join(" ");
    }
    exp.expected_scope().unwrap_or_else(|| "openid".into())
}

/// The authorization servers to follow, and whether they were assumed (no PRM named one).
fn auth_servers(prm_doc: Option<&Value>, gateway: &Url) -> (Vec<String>, bool) {
    let named: Vec<String> = prm_doc
        .and_then(|d| d.get("authorization_servers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !documents::is_placeholder(s) && Url::parse(s).is_ok())
                .take(MAX_AUTH_SERVERS)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if named.is_empty() {
        (
            vec![gateway.as_str().trim_end_matches('/').to_string()],
            true,
        )
    } else {
        (named, false)
    }
}

/// What the gateway part of the walk found, for the tenant part.
#[derive(Default)]
struct Chain {
    checks: Vec<Check>,
    /// The gateway never answered: nothing after the endpoint was walked.
    gateway_down: bool,
    facade_jwks_uri: Option<String>,
    facade_jwks: Option<Attempt>,
    /// The tenant the /authorize redirect (or the metadata's endpoint) names.
    location_tenant: Option<String>,
}

/// Walk the chain and return the checks in logical order. The configured tenant is
/// fetched alongside the whole gateway chain (it depends on nothing there).
pub async fn walk(http: &Http, exp: &DocExpect, mcp_url: &Url) -> Vec<Check> {
    let tenant = async {
        match &exp.tenant_id {
            Some(t) => tenant::fetch(http, &exp.authority, t, "--tenant-id").await,
            None => None,
        }
    };
    walk_with_tenant(http, exp, mcp_url, tenant).await
}

/// The walk's first stage, which needs nothing from the documents' expectations: the
/// endpoint's answer without a token, and the well-known PRM URLs
/// ([`prm::wellknown_candidates`], in that order).
pub struct FirstStage {
    pub endpoint: Result<http::Response, http::NetError>,
    pub wellknown: Vec<Attempt>,
}

impl FirstStage {
    /// The endpoint POST beside `wellknown`: the well-known fetches as the caller makes
    /// them (e2e shares them with pattern detection, so each URL is requested once).
    pub async fn fetch(
        http: &Http,
        mcp_url: &Url,
        wellknown: impl std::future::Future<Output = Vec<Attempt>>,
    ) -> FirstStage {
        // The challenge usually names one of the well-known URLs, so its document is
        // already there when the 401 arrives.
        let (endpoint, wellknown) =
            tokio::join!(endpoint::post_unauthenticated(http, mcp_url), wellknown);
        FirstStage {
            endpoint,
            wellknown,
        }
    }
}

/// [`walk`] with the configured tenant's fetch supplied by the caller (e2e shares one
/// fetch between several steps). When it yields `None`, the tenant the redirect or the
/// façade's `jwks_uri` names is fetched instead.
pub async fn walk_with_tenant(
    http: &Http,
    exp: &DocExpect,
    mcp_url: &Url,
    tenant: impl std::future::Future<Output = Option<tenant::TenantResult>>,
) -> Vec<Check> {
    let chain = async {
        let wellknown = fetch::get_docs(http, prm::wellknown_candidates(mcp_url));
        let first = FirstStage::fetch(http, mcp_url, wellknown).await;
        gateway_chain(http, exp, mcp_url, first).await
    };
    let (tenant_cfg, chain) = tokio::join!(tenant, chain);
    finish_walk(http, exp, tenant_cfg, chain).await
}

/// [`walk_with_tenant`] after its first stage, fetched by the caller (e2e starts it before
/// it knows the pattern the documents are judged by; the tenant's fetch, shared, is
/// already under way).
pub async fn walk_from(
    http: &Http,
    exp: &DocExpect,
    mcp_url: &Url,
    first: FirstStage,
    tenant: impl std::future::Future<Output = Option<tenant::TenantResult>>,
) -> Vec<Check> {
    let (tenant_cfg, chain) = tokio::join!(tenant, gateway_chain(http, exp, mcp_url, first));
    finish_walk(http, exp, tenant_cfg, chain).await
}

/// The tenant links after the gateway's, and the checks in logical order.
async fn finish_walk(
    http: &Http,
    exp: &DocExpect,
    tenant_cfg: Option<tenant::TenantResult>,
    chain: Chain,
) -> Vec<Check> {
    let mut checks = chain.checks;
    if chain.gateway_down {
        if let Some(t) = &tenant_cfg {
            checks.push(tenant::tenant_check(t, &exp.authority));
            checks.push(tenant::jwks_check(t, None, None));
        }
        return checks;
    }

    // Last stage: the tenant, from --tenant-id, else from the redirect or the jwks_uri.
    let tenant_res = match tenant_cfg {
        Some(t) => Some(t),
        None => {
            let from_jwks = chain
                .facade_jwks_uri
                .as_deref()
                .and_then(|u| Url::parse(u).ok())
                .and_then(|u| tenant_from_entra_url(&u, &exp.authority))
                .filter(|t| t != "common");
            let guess = chain
                .location_tenant
                .map(|t| (t, "the /authorize Location"))
                .or(from_jwks.map(|t| (t, "the façade's jwks_uri")));
            match guess {
                Some((t, src)) => tenant::fetch(http, &exp.authority, &t, src).await,
                None => None,
            }
        }
    };
    match &tenant_res {
        Some(t) => {
            checks.push(tenant::tenant_check(t, &exp.authority));
            checks.push(tenant::jwks_check(
                t,
                chain.facade_jwks_uri.as_deref(),
                chain.facade_jwks.as_ref(),
            ));
        }
        None => checks.push(
            Check::new("discovery.tenant", "Tenant exists at the authority").skip(
                crate::config::codes::MISSING,
                "set --tenant-id to check the tenant's OpenID configuration and keys",
            ),
        ),
    }
    checks
}

/// The gateway links: endpoint, challenge, PRM, AS metadata, /authorize, /token.
async fn gateway_chain(http: &Http, exp: &DocExpect, mcp_url: &Url, first: FirstStage) -> Chain {
    let gateway = origin_of(mcp_url);
    let authority = Url::parse(&exp.authority).ok();
    let mut checks = vec![target_check(mcp_url)];

    // Stage 1 (fetched by the caller): the endpoint and the well-known PRM URLs.
    let FirstStage {
        endpoint: endpoint_res,
        wellknown,
    } = first;
    checks.push(endpoint::endpoint_check(&endpoint_res, mcp_url));
    if let Err(e) = &endpoint_res
        && fetch::host_is_down(e)
    {
        checks.push(
            Check::new("discovery.chain", "The rest of the discovery chain").skip(
                crate::report::codes::PREREQUISITE_FAILED,
                format!(
                    "the gateway did not answer ({}): the PRM, metadata, /authorize and /token links were not walked",
                    e.kind.as_str()
                ),
            ),
        );
        let rows: Vec<clients::Row> = clients::ALL
            .iter()
            .map(|c| {
                clients::finish(
                    *c,
                    &Err(clients::Stop {
                        link: "endpoint",
                        error: format!("no answer from the MCP endpoint ({})", e.kind.as_str()),
                    }),
                    None,
                    None,
                )
            })
            .collect();
        checks.push(matrix_check(&rows));
        return Chain {
            checks,
            gateway_down: true,
            ..Chain::default()
        };
    }
    let challenge = match &endpoint_res {
        Ok(r) if r.status == 401 || (r.status == 403 && endpoint::insufficient_scope(r)) => {
            Some(endpoint::analyze(r, &gateway))
        }
        _ => None,
    };

    // Stage 2: the challenge's PRM URL, unless a well-known fetch already covered it.
    let header_attempt = match challenge.as_ref().and_then(|c| c.usable_url()) {
        Some(u) => match wellknown.iter().find(|a| &a.url == u) {
            Some(a) => Some(Attempt {
                why: "resource_metadata",
                ..a.clone()
            }),
            None => Some(fetch::get_doc(http, u.clone(), "resource_metadata").await),
        },
        None => None,
    };
    let prm = prm::PrmResult::new(header_attempt, wellknown);
    let prm_doc = prm.found.as_ref().map(|f| &f.doc);

    match &challenge {
        Some(c) => {
            checks.push(endpoint::challenge_check(c, &gateway, prm.fallback()));
            checks.extend(endpoint::claims_check(c, &gateway));
            if let Some(s) = &c.scope {
                let scopes: Vec<&str> = s.split_whitespace().collect();
                checks.push(scope_list_check(
                    Check::new(
                        "discovery.challenge.scope",
                        "The challenge's scope is the fully qualified scope",
                    ),
                    &scopes,
                    exp,
                    "the challenge's scope",
                    "the WWW-Authenticate value in <on-error>",
                ));
            }
        }
        None => checks.push(
            Check::new(
                "discovery.challenge",
                "401 carries a Bearer challenge with resource_metadata",
            )
            .skip(
                crate::report::codes::PREREQUISITE_FAILED,
                "the endpoint did not answer 401, so there is no challenge to read",
            ),
        ),
    }
    checks.push(prm::served_check(&prm));
    if let Some(doc) = prm_doc {
        checks.extend(check_prm_document(doc, exp));
    }

    // Stage 3: AS metadata, every candidate of every server at once.
    let (servers, assumed) = auth_servers(prm_doc, &gateway);
    // Only configured hosts: an authorization server on neither the gateway's nor the
    // authority's origin is a finding, not a destination.
    let (servers, foreign): (Vec<String>, Vec<String>) = servers.into_iter().partition(|s| {
        Url::parse(s).is_ok_and(|u| {
            fetch::same_origin(&u, &gateway)
                || authority
                    .as_ref()
                    .is_some_and(|a| fetch::same_origin(&u, a))
        })
    });
    for f in &foreign {
        checks.push(host_not_configured(
            "discovery.as.host",
            "The PRM's authorization servers are on configured hosts",
            "authorization_servers in prm-policy.xml",
            f,
            exp,
        ));
    }
    let as_results = futures_util::future::join_all(
        servers
            .iter()
            .map(|id| as_metadata::discover(http, id, assumed)),
    )
    .await;
    for r in &as_results {
        checks.push(as_metadata::served_check(r));
        if let Some((url, doc)) = &r.found {
            checks.extend(check_as_document(doc, Some(&r.identifier), exp));
            if url.path().contains("openid-configuration") {
                checks.push(as_metadata::openid_fields_check(doc, url));
            }
        }
    }
    let as_doc = as_results
        .iter()
        .find_map(|r| r.found.as_ref().map(|(_, d)| d));
    let gateway_down = as_results.iter().all(|r| {
        !r.attempts.is_empty()
            && r.attempts
                .iter()
                .all(|a| matches!(&a.outcome, fetch::DocOutcome::Net(e) if fetch::host_is_down(e)))
    }) && prm
        .attempts()
        .all(|a| matches!(&a.outcome, fetch::DocOutcome::Net(e) if fetch::host_is_down(e)));

    // Stage 4: /authorize, /token and the façade's keys.
    let (auth_ep, auth_assumed) =
        metadata_endpoint(as_doc, "authorization_endpoint", &gateway, "/authorize");
    let (token_ep, token_assumed) = metadata_endpoint(as_doc, "token_endpoint", &gateway, "/token");
    let auth_dest = auth_ep
        .clone()
        .map(|u| dest(u, &gateway, authority.as_ref()));
    let token_dest = token_ep.map(|u| dest(u, &gateway, authority.as_ref()));
    let client_id = exp
        .client_audience_app()
        .or(exp.gateway_app_id.as_deref())
        .or(exp.mcp_app_id.as_deref())
        .unwrap_or("00000000-0000-0000-0000-000000000000")
        .to_string();
    // What each client of the matrix sends to /authorize; the first one's request is
    // c7doctor's own probe (a guess from the documents when no client gets that far).
    let challenge_headers: Vec<String> = match &endpoint_res {
        Ok(r) => r.headers_all("www-authenticate"),
        Err(_) => Vec::new(),
    };
    let seen = clients::Seen {
        mcp_url,
        endpoint_status: endpoint_res.as_ref().ok().map(|r| r.status),
        endpoint_content_type: endpoint_res
            .as_ref()
            .ok()
            .and_then(|r| r.header("content-type")),
        challenge_headers: &challenge_headers,
        attempts: prm
            .attempts()
            .chain(as_results.iter().flat_map(|r| r.attempts.iter()))
            .collect(),
    };
    let plans: Vec<(
        clients::Client,
        Result<Option<clients::Plan>, clients::Stop>,
    )> = clients::ALL
        .iter()
        .map(|c| (*c, clients::plan(*c, &seen)))
        .collect();
    let pkce = authorize::Pkce::new();
    let guessed_scope = requested_scope(challenge.as_ref(), prm_doc, exp);
    let prm_resource = prm_doc
        .and_then(|d| d.get("resource"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let lead = plans
        .iter()
        .position(|(_, p)| matches!(p, Ok(Some(plan)) if Some(&plan.authorization_endpoint) == auth_ep.as_ref()));
    let query = match lead.and_then(|i| plans[i].1.as_ref().ok().and_then(|p| p.as_ref())) {
        Some(p) => authorize::query(
            &client_id,
            p.scope.as_deref(),
            p.resource.as_deref(),
            p.redirect_uri,
            p.prompt_consent,
            &pkce,
        ),
        None => authorize::query(
            &client_id,
            Some(&guessed_scope),
            prm_resource.as_deref(),
            authorize::REDIRECT_URI,
            false,
            &pkce,
        ),
    };
    let facade_jwks_uri = as_doc
        .and_then(|d| d.get("jwks_uri"))
        .and_then(Value::as_str)
        .map(str::to_string);
    // The configured tenant's keys URL is predictable; anything else is fetched to compare.
    let tenant_jwks_uri = exp.tenant_id.as_ref().map(|t| {
        format!(
            "{}/{t}/discovery/v2.0/keys",
            exp.authority.trim_end_matches('/')
        )
    });
    let facade_jwks_url = facade_jwks_uri
        .as_deref()
        .filter(|f| Some(*f) != tenant_jwks_uri.as_deref() && !documents::is_placeholder(f))
        .and_then(|f| Url::parse(f).ok());
    // Only configured hosts: a jwks_uri elsewhere is reported, not fetched.
    let facade_jwks_url = match facade_jwks_url {
        Some(u)
            if !fetch::same_origin(&u, &gateway)
                && !authority
                    .as_ref()
                    .is_some_and(|a| fetch::same_origin(&u, a)) =>
        {
            checks.push(host_not_configured(
                "discovery.as.jwks-host",
                "The façade's jwks_uri is on a configured host",
                "jwks_uri in as-metadata-policy.xml",
                u.as_str(),
                exp,
            ));
            None
        }
        other => other,
    };
    let probe_gateway = !gateway_down;
    let (auth_res, client_probes, token_res, facade_jwks) = tokio::join!(
        async {
            match &auth_dest {
                Some(Dest::Gateway(u)) if probe_gateway => {
                    Some(authorize::run(http, u, &query).await)
                }
                _ => None,
            }
        },
        futures_util::future::join_all(plans.iter().map(|(_, p)| {
            probe_client(
                http,
                p,
                &client_id,
                &pkce,
                &gateway,
                authority.as_ref(),
                probe_gateway,
            )
        })),
        async {
            match &token_dest {
                Some(Dest::Gateway(u)) if probe_gateway => {
                    Some(token_route::run(http, u, &client_id, &pkce).await)
                }
                Some(Dest::Authority(u)) => {
                    Some(token_route::run(http, u, &client_id, &pkce).await)
                }
                _ => None,
            }
        },
        async {
            match facade_jwks_url {
                Some(u) => Some(fetch::get_doc(http, u, "the façade's jwks_uri").await),
                None => None,
            }
        },
    );

    let note = |c: Check, assumed: bool| {
        if assumed {
            c.evidence(
                "assumed",
                "no authorization server metadata: probed the guide's path on the gateway",
            )
        } else {
            c
        }
    };
    let mut location_tenant = None;
    match (&auth_dest, &auth_res) {
        (Some(Dest::Gateway(u)), Some(res)) => {
            if let Ok(r) = res
                && let Some(loc) = r.header("location")
                && let Ok(lu) = r.url.join(&loc)
            {
                location_tenant = tenant_from_entra_url(&lu, &exp.authority);
            }
            checks.extend(
                authorize::checks(res, u, &query, exp)
                    .into_iter()
                    .map(|c| note(c, auth_assumed)),
            );
        }
        (Some(Dest::Authority(u)), _) => {
            location_tenant = tenant_from_entra_url(u, &exp.authority);
            checks.extend(authorize::direct_checks(u, exp));
        }
        (Some(Dest::Elsewhere(u)), _) => checks.push(
            Check::new(
                "discovery.authorize",
                "/authorize redirects the browser to Entra (302)",
            )
            .fail(
                codes::AUTHORIZE_TARGET,
                format!(
                    "authorization_endpoint {u} is on {}, neither the gateway nor the authority {}: not contacted",
                    u.host_str().unwrap_or("?"),
                    exp.authority
                ),
            ),
        ),
        (Some(Dest::Gateway(_)), None) => checks.push(
            Check::new(
                "discovery.authorize",
                "/authorize redirects the browser to Entra (302)",
            )
            .skip(crate::report::codes::PREREQUISITE_FAILED, "the gateway stopped answering"),
        ),
        (None, _) => checks.push(
            Check::new(
                "discovery.authorize",
                "/authorize redirects the browser to Entra (302)",
            )
            .skip(
                crate::report::codes::PREREQUISITE_FAILED,
                "the authorization server metadata names no usable authorization_endpoint",
            ),
        ),
    }
    // The one hop to the authority: what Entra answers, before sign-in, to the request the
    // first client of the matrix sends (or to c7doctor's guess when none gets that far).
    let main_preflight: Option<(Url, preflight::Answer)> = match lead {
        Some(i) => client_probes[i]
            .as_ref()
            .and_then(|p| Some((p.location.clone()?, p.preflight.clone()?))),
        None => {
            let loc = match (&auth_dest, &auth_res) {
                (Some(Dest::Gateway(_)), Some(Ok(r))) if r.is_redirect() => {
                    r.header("location").and_then(|l| r.url.join(&l).ok())
                }
                (Some(Dest::Authority(u)), _) => {
                    let mut u = u.clone();
                    u.set_query(Some(&query));
                    Some(u)
                }
                _ => None,
            };
            match (loc, authority.as_ref()) {
                (Some(l), Some(a)) => {
                    let answer = preflight::run(http, &l, a).await;
                    Some((l, answer))
                }
                _ => None,
            }
        }
    };
    if let Some((loc, answer)) = &main_preflight {
        let sent_scope = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.into_owned());
        let confirmed = match answer {
            preflight::Answer::Refused {
                aadsts: Some(9010010),
                error,
            } => Some(error.as_str()),
            _ => None,
        };
        checks.push(authorize::resource_check(
            loc.as_str(),
            sent_scope.as_deref(),
            confirmed,
        ));
        // Every redirect URI shape of the matrix got its own hop; c7doctor's guess stands
        // in when no client got that far.
        let mut shapes: Vec<Shape> = Vec::new();
        for ((c, _), probe) in plans.iter().zip(&client_probes) {
            if let Some(ClientProbe {
                location: Some(l),
                preflight: Some(a),
                ..
            }) = probe
                && !shapes.iter().any(|s| s.redirect_uri == c.redirect_uri())
            {
                shapes.push(Shape {
                    redirect_uri: c.redirect_uri(),
                    client: c.label(),
                    location: l.clone(),
                    answer: a.clone(),
                });
            }
        }
        if shapes.is_empty() {
            shapes.push(Shape {
                redirect_uri: authorize::REDIRECT_URI,
                client: "c7doctor's probe",
                location: loc.clone(),
                answer: answer.clone(),
            });
        }
        // A confirmed AADSTS9010010 is reported by the resource check, with its fix.
        let refused_otherwise = shapes.iter().any(|s| {
            matches!(&s.answer, preflight::Answer::Refused { aadsts, .. } if *aadsts != Some(9010010))
        });
        if confirmed.is_none() || refused_otherwise {
            checks.push(preflight_check(&shapes));
        }
    }
    match (&token_dest, &token_res) {
        (Some(Dest::Gateway(u) | Dest::Authority(u)), Some(res)) => {
            checks.push(note(token_route::check(res, u, &client_id, exp), token_assumed))
        }
        (Some(Dest::Elsewhere(u)), _) => checks.push(
            Check::new(codes::TOKEN_ROUTE.code, "/token reaches Entra's token endpoint").fail(
                codes::TOKEN_ROUTE,
                format!(
                    "token_endpoint {u} is on {}, neither the gateway nor the authority: not contacted",
                    u.host_str().unwrap_or("?")
                ),
            ),
        ),
        (Some(_), None) => checks.push(
            Check::new(codes::TOKEN_ROUTE.code, "/token reaches Entra's token endpoint")
                .skip(crate::report::codes::PREREQUISITE_FAILED, "the gateway stopped answering"),
        ),
        (None, _) => checks.push(
            Check::new(codes::TOKEN_ROUTE.code, "/token reaches Entra's token endpoint").skip(
                crate::report::codes::PREREQUISITE_FAILED,
                "the authorization server metadata names no usable token_endpoint",
            ),
        ),
    }

    // The client matrix: per client, through or stopped where, with which error.
    let token_outcome: Option<Result<(), String>> = checks
        .iter()
        .find(|c| c.id == codes::TOKEN_ROUTE.code)
        .filter(|c| c.status != Status::Skip)
        .map(|c| {
            if c.status == Status::Fail {
                Err(c.detail.clone())
            } else {
                Ok(())
            }
        });
    let rows: Vec<clients::Row> = plans
        .iter()
        .zip(&client_probes)
        .map(|((c, p), probe)| {
            clients::finish(
                *c,
                p,
                probe.as_ref().map(|x| &x.answer),
                token_outcome.as_ref(),
            )
        })
        .collect();
    checks.push(matrix_check(&rows));

    Chain {
        checks,
        gateway_down: false,
        facade_jwks_uri,
        facade_jwks,
        location_tenant,
    }
}

/// A document names a URL outside the configured hosts: reported, not fetched.
fn host_not_configured(id: &str, title: &str, field: &str, url: &str, _exp: &DocExpect) -> Check {
    Check::new(id, title)
        .fail(
            codes::HOST_NOT_CONFIGURED,
            format!(
                "{url} is outside the configured gateway's and authority's origins: not fetched"
            ),
        )
        .evidence("url", url)
        .fix_var("field", field)
}

/// Say in the evidence whether a finding breaks clients or only some.
fn with_impact(c: Check) -> Check {
    let impact = match (c.status, c.code) {
        (Status::Fail, Some(codes::ENDPOINT_OPEN)) => {
            "security: anyone who reaches the gateway reaches Context7"
        }
        (Status::Fail, _) => "breaks sign-in for MCP clients",
        (Status::Warn, _) => "breaks some clients (older or stricter spec revisions)",
        _ => return c,
    };
    c.evidence("impact", impact)
}

/// The closing sections: the VS Code configuration and what to do next.
fn next_steps(report: &Report, exp: &DocExpect, mcp_url: &Url) -> Vec<Section> {
    let snippet = serde_json::to_string_pretty(&serde_json::json!({
        "servers": {"context7": {"type": "http", "url": mcp_url.as_str()}}
    }))
    .unwrap_or_default();
    let mut lines = Vec::new();
    if let Some(first) = report.checks.iter().find(|c| c.status == Status::Fail) {
        lines.push(format!(
            "Fix the first broken link: {} — {}",
            first.title, first.detail
        ));
        if let Some(fix) = &first.fix {
            lines.push(format!("How: {fix}"));
        }
        lines.push(String::new());
    }
    lines.push(format!(
        "Configure VS Code with the snippet above (user or .vscode/mcp.json); clients must use exactly {mcp_url}."
    ));
    let client = match (exp.pattern, &exp.gateway_app_id) {
        (Pattern::Obo, Some(id)) => format!(
            "When VS Code shows \"Dynamic Client Registration not supported\", choose \"Copy URIs & Proceed\" and paste the client ID {id} (the APIM Gateway app)."
        ),
        (Pattern::Obo, None) => "When VS Code shows \"Dynamic Client Registration not supported\", choose \"Copy URIs & Proceed\" and paste the APIM Gateway app's Application (client) ID (set --gateway-app-id to print it here).".to_string(),
        _ => "When a client asks for a client ID, give the Application (client) ID of an app registration pre-authorized on the MCP API's mcp.access scope.".to_string(),
    };
    lines.push(client);
    vec![
        Section::code("discovery.mcp-json", "VS Code mcp.json", "json", snippet),
        Section::text("discovery.next", "What to do next", lines.join("\n")),
    ]
}
