//! The token checks on what the Entra flows yield, through `crate::token`: the client hop
//! after `login`, both hops and their comparison after `obo`.

use std::path::Path;

use crate::context::Ctx;
use crate::deployment::Hop;
use crate::report::{Check, Section};
use crate::token::{self, Decoded, Expect};

/// The token checks for one hop.
pub struct HopChecks {
    pub checks: Vec<Check>,
    pub sections: Vec<Section>,
    pub decoded: Option<Decoded>,
}

/// What a hop's token is checked against: the configuration, this hop, and the
/// provisioned users when a file is given (an unreadable file is a finding here, not an
/// error: the token was already obtained).
fn expect(ctx: &Ctx, hop: Hop, provisioned: Option<&Path>, checks: &mut Vec<Check>) -> Expect {
    let mut exp = Expect::from_ctx(ctx);
    exp.hop = Some(hop);
    // The hop is known from where the token came from, not given with --hop.
    exp.hop_reason = match hop {
        Hop::Client => "the token a client presents to APIM",
        Hop::Backend => "the token APIM forwards after the exchange",
    };
    if let Some(p) = provisioned {
        match token::load_provisioned(p) {
            Ok(set) => exp.provisioned = Some(set),
            Err(e) => checks.push(
                Check::new("token.provisioned", "The user is on the provisioned list")
                    .skip(crate::config::codes::INVALID, e.to_string()),
            ),
        }
    }
    exp
}

/// Offline checks on `raw` for `hop`, and the signature against the tenant's published
/// keys when `verify`. Backend checks are renamed `token.backend.*` so both hops read apart.
pub async fn check_hop(
    ctx: &Ctx,
    raw: &str,
    hop: Hop,
    provisioned: Option<&Path>,
    verify: bool,
) -> HopChecks {
    let mut pre = Vec::new();
    let exp = expect(ctx, hop, provisioned, &mut pre);
    let mut tc = token::check_token(raw, &exp);
    if verify && let Some(d) = &tc.decoded {
        let tenant = d
            .tenant()
            .or_else(|| ctx.cfg.tenant_id.clone())
            .filter(|t| !t.is_empty());
        let check = match (tenant, ctx.http(None)) {
            (Some(t), Ok(http)) => {
                match token::fetch_tenant_jwks(&http, &ctx.cfg.authority, &t).await {
                    Ok(jwks) => token::verify_with_jwks(d, raw, &jwks)
                        .evidence("keys", format!("{}/{t} published keys", ctx.cfg.authority)),
                    Err(c) => c,
                }
            }
            (None, _) => token::jwks::unchecked(
                "no tenant in the token and no --tenant-id: no keys to fetch",
            ),
            (_, Err(e)) => token::jwks::unchecked(&format!("no HTTP client: {e}")),
        };
        tc.set_signature(check);
    }
    let mut sections = tc.sections;
    if hop == Hop::Backend {
        for c in &mut tc.checks {
            if let Some(rest) = c.id.strip_prefix("token.") {
                c.id = format!("token.backend.{rest}");
            }
            c.title = format!("{} (backend token)", c.title);
        }
        sections = match &tc.decoded {
            Some(d) => token::display::sections(d, &exp, "backend", "Backend token"),
            None => Vec::new(),
        };
    }
    pre.extend(tc.checks);
    HopChecks {
        checks: pre,
        sections,
        decoded: tc.decoded,
    }
}

/// The two-hop comparison table and its checks (same user, right audiences).
pub fn compare(ctx: &Ctx, client: &Decoded, backend: &Decoded) -> (Vec<Check>, Section) {
    let exp = Expect::from_ctx(ctx);
    token::compare_hops(client, backend, &exp)
}
