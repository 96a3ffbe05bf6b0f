//! `token.*`: each code raised by a fixture token of `fixtures/tokens/` (minted by
//! `token::mint`), checked with the IDs of `fixtures/tokens/ids.env`.

use super::{Row, fixture_row};

/// `token --token-file FIXTURE` with the tenant and app IDs.
const TOKEN: &[&str] = &["token", "--token-file", "{fixture}", "{ids}"];
const AS_CLIENT: &[&str] = &["token", "--token-file", "{fixture}", "{ids}", "--hop", "client"];
const AS_BACKEND: &[&str] = &["token", "--token-file", "{fixture}", "{ids}", "--hop", "backend"];
const WITH_KEYS: &[&str] = &[
    "token",
    "--token-file",
    "{fixture}",
    "{ids}",
    "--jwks",
    "{fixtures}/keys/jwks.json",
];

pub const ROWS: &[Row] = &[
    fixture_row("token.malformed", "tokens/garbage.txt", TOKEN),
    fixture_row("token.malformed", "tokens/two-segments.jwt", TOKEN),
    fixture_row("token.malformed", "tokens/jwe.jwt", TOKEN),
    fixture_row("token.malformed", "tokens/payload-not-json.jwt", TOKEN),
    fixture_row("token.not-access-token", "tokens/id-token.jwt", TOKEN),
    fixture_row("token.graph-audience", "tokens/graph-token.jwt", TOKEN),
    fixture_row("token.app-only", "tokens/app-only.jwt", TOKEN),
    fixture_row("token.issuer-v1", "tokens/issuer-v1.jwt", TOKEN),
    fixture_row("token.issuer-v1", "tokens/ms-sample-v1.jwt", TOKEN),
    // A v1 token where Context7 receives it: its own validator answers "Invalid token".
    fixture_row("token.context7-issuer", "tokens/issuer-v1.jwt", AS_BACKEND),
    fixture_row("token.issuer-tenant", "tokens/issuer-wrong-tenant.jwt", TOKEN),
    fixture_row("token.issuer-tenant", "tokens/issuer-tid-mismatch.jwt", TOKEN),
    fixture_row("token.issuer-foreign", "tokens/issuer-foreign.jwt", TOKEN),
    fixture_row("token.issuer-foreign", "tokens/issuer-ppe.jwt", TOKEN),
    fixture_row("token.not-entra", "tokens/jwtio-sample.jwt", TOKEN),
    fixture_row("token.time-out-of-range", "tokens/exp-out-of-range.jwt", TOKEN),
    fixture_row("token.duplicate-key", "tokens/duplicate-claims.jwt", TOKEN),
    fixture_row("token.inexact-match", "tokens/inexact-issuer-port.jwt", TOKEN),
    fixture_row("token.inexact-match", "tokens/inexact-issuer-case.jwt", AS_BACKEND),
    fixture_row("token.inexact-match", "tokens/inexact-audience.jwt", AS_BACKEND),
    fixture_row("token.inexact-match", "tokens/inexact-scope-nbsp.jwt", AS_BACKEND),
    fixture_row("token.inexact-match", "tokens/inexact-oid-rlo.jwt", AS_BACKEND),
    fixture_row("token.audience-uri", "tokens/audience-uri.jwt", TOKEN),
    fixture_row(
        "token.audience-other-hop",
        "tokens/obo-client-mcp-audience.jwt",
        AS_CLIENT,
    ),
    fixture_row(
        "token.audience-other-hop",
        "tokens/obo-client-valid.jwt",
        AS_BACKEND,
    ),
    fixture_row("token.audience-mismatch", "tokens/audience-mismatch.jwt", TOKEN),
    fixture_row("token.scope-missing", "tokens/scope-missing.jwt", TOKEN),
    fixture_row("token.scope-missing", "tokens/scope-other-hop.jwt", TOKEN),
    fixture_row("token.expired", "tokens/expired.jwt", TOKEN),
    fixture_row("token.not-yet-valid", "tokens/not-yet-valid.jwt", TOKEN),
    fixture_row("token.no-expiry", "tokens/no-expiry.jwt", TOKEN),
    fixture_row("token.time-not-numeric", "tokens/exp-not-numeric.jwt", TOKEN),
    fixture_row("token.crit-unknown", "tokens/crit-header.jwt", TOKEN),
    fixture_row("token.short-lifetime", "tokens/short-lifetime.jwt", TOKEN),
    fixture_row("token.oid-missing", "tokens/no-oid.jwt", TOKEN),
    fixture_row("token.personal-account", "tokens/personal-account.jwt", TOKEN),
    fixture_row(
        "token.oid-not-provisioned",
        "tokens/provisioned-without-user.txt",
        &[
            "token",
            "--token-file",
            "{fixtures}/tokens/obo-client-valid.jwt",
            "{ids}",
            "--provisioned",
            "{fixture}",
        ],
    ),
    fixture_row("token.alg-unexpected", "tokens/alg-none.jwt", TOKEN),
    fixture_row("token.alg-unexpected", "tokens/alg-hs256.jwt", TOKEN),
    fixture_row("token.signature-invalid", "tokens/signature-wrong-key.jwt", WITH_KEYS),
    fixture_row("token.signature-invalid", "tokens/signature-tampered.jwt", WITH_KEYS),
    fixture_row(
        "token.signature-invalid",
        "keys/jwks-other-key-same-kid.json",
        &[
            "token",
            "--token-file",
            "{fixtures}/tokens/obo-client-valid.jwt",
            "{ids}",
            "--jwks",
            "{fixture}",
        ],
    ),
    fixture_row("token.key-unknown", "tokens/unknown-kid.jwt", WITH_KEYS),
    fixture_row("token.signature-unchecked", "tokens/obo-client-valid.jwt", TOKEN),
    fixture_row(
        "token.hops-user-mismatch",
        "tokens/backend-other-user.jwt",
        &[
            "token",
            "--token-file",
            "{fixtures}/tokens/obo-client-valid.jwt",
            "{ids}",
            "--backend-token",
            "{fixture}",
        ],
    ),
];
