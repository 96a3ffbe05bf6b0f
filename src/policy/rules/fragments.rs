//! Policy fragments: `<include-fragment fragment-id="…"/>` resolved against the fragments
//! given in the same run (by fragment id: the file name without extension, or the
//! envelope's `name`), and `info` when a referenced fragment was not given, since the
//! checks that depend on what it does (validation, the OBO exchange, the challenge) cannot
//! see it.

use crate::report::Check;

use crate::policy::codes;
use crate::policy::lint::Lint;

pub fn check(l: &Lint) -> Vec<Check> {
    let new = || {
        Check::new(
            "policy.fragments",
            "Included fragments are linted with the policy",
        )
    };
    let mut out = Vec::new();
    for (node, id) in &l.f.includes {
        let c = match l.peers.fragment(id) {
            Some(p) => new().pass(format!(
                "include-fragment {id:?} is {} (linted in this run; what it does counts for this policy)",
                p.label
            )),
            None => new().info(
                codes::FRAGMENT_MISSING,
                format!(
                    "include-fragment {id:?} was not given: what it does (token validation, the OBO exchange, the challenge) is not seen here. Lint it with this policy: c7doctor policy <this file> {id}.xml"
                ),
            ),
        };
        out.push(l.at_node(c.evidence("fragment_id", id.clone()), *node));
    }
    out
}
