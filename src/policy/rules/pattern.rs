//! Which integration pattern the policy implements, and whether that is what `--pattern`
//! says (`policy.pattern-mixed`).

use roxmltree::Node;

use crate::deployment::Pattern;
use crate::report::Check;

use crate::policy::codes;
use crate::policy::features::{Kind, pattern_explicit};
use crate::policy::lint::Lint;
use crate::policy::xml;

pub fn check(l: &Lint) -> Vec<Check> {
    vec![pattern_check(l)]
}

fn pattern_check(lint: &Lint) -> Check {
    let f = &lint.f;
    let check = Check::new(
        "policy.pattern",
        "The policy implements one integration pattern",
    )
    .evidence("recognised", f.kind.name());
    let where_ = |n: Node| {
        let loc = lint.loc_of(n.range().start);
        format!("{} at {}:{}", xml::name(n), loc.line, loc.col)
    };
    let mut seen = Vec::new();
    if let Some(v) = f.validations.first() {
        seen.push(where_(*v));
    }
    if let Some(n) = f.key_swaps.first() {
        seen.push(format!("API-key {}", where_(*n)));
    }
    if let Some(n) = f.obo_requests.first() {
        seen.push(format!("OBO {}", where_(*n)));
    }
    if let Some(n) = f.cache_lookups.first() {
        seen.push(where_(*n));
    }
    if let Some(n) = f.rewrite_oauth.first() {
        seen.push(where_(*n));
    }
    if let Some(n) = f.returns {
        seen.push(where_(n));
    }
    let seen = if seen.is_empty() {
        String::new()
    } else {
        format!(" ({})", seen.join(", "))
    };

    if f.kind == Kind::Mixed {
        let swap = f.key_swaps[0];
        let obo = f.obo_requests[0];
        return lint.at_node(
            check.fail(
                codes::PATTERN_MIXED,
                format!(
                    "the policy does both the shared-key swap ({}) and the OBO exchange ({}): Context7 receives the API key, and the per-user identity is lost (or the other way round, depending on order)",
                    where_(swap),
                    where_(obo)
                ),
            ),
            swap,
        );
    }
    if f.kind.is_proxy() {
        return lint.at_node(
            check.pass(format!("this is {}{seen}", f.kind.describe())),
            f.returns.unwrap_or(lint.root),
        );
    }
    let configured = lint.ctx.cfg.pattern;
    let explicit = pattern_explicit(lint.ctx);
    if let Some(found) = f.kind.pattern()
        && explicit
        && found != configured
    {
        if configured == Pattern::Passthrough && found == Pattern::SharedKey {
            let swap = f.key_swaps[0];
            let rewrite = f
                .rewrite_oauth
                .first()
                .map(|r| format!(" and the rewrite-uri ({})", where_(*r)))
                .unwrap_or_default();
            return lint.at_node(
                check
                    .fail(
                        codes::PATTERN_MIXED,
                        format!(
                            "--pattern is passthrough, but the policy keeps Pattern 1's API-key swap ({}){rewrite}: Context7 receives the shared key, not the user's token",
                            where_(swap)
                        ),
                    ),
                swap,
            );
        }
        let at = f
            .obo_requests
            .first()
            .or(f.key_swaps.first())
            .or(f.validations.first())
            .copied()
            .unwrap_or(lint.root);
        return lint.at_node(
            check.fail(
                codes::PATTERN_MIXED,
                format!(
                    "--pattern is {}, but the policy implements {}{seen}",
                    configured.as_str(),
                    f.kind.describe()
                ),
            ),
            at,
        );
    }
    if configured == Pattern::Passthrough
        && explicit
        && f.kind == Kind::Passthrough
        && let Some(r) = f.rewrite_oauth.first()
    {
        return lint.at_node(
            check.info(
                codes::PATTERN_MIXED,
                format!(
                    "passthrough, but the policy keeps Pattern 1's rewrite-uri ({}); the migration drops it",
                    where_(*r)
                ),
            ),
            *r,
        );
    }
    let detail = if f.kind == Kind::Unknown {
        let what = if lint.is_fragment() {
            "a fragment"
        } else {
            "no integration pattern recognised"
        };
        format!(
            "{what}: no token validation, API-key swap, OBO exchange or OAuth-proxy response here"
        )
    } else {
        format!("recognised {}{seen}", f.kind.describe())
    };
    lint.at_node(
        check.pass(detail),
        f.validations.first().copied().unwrap_or(lint.root),
    )
}
