//! `entra.*`: each code raised by `login` (the device-code flow) or `obo` (the exchange
//! APIM performs) against a simulator profile whose tenant answers with that error, or by a
//! token or option the OBO forecast refuses before anything is sent.

use super::{Row, profile_row};

const LOGIN: &[&str] = &["login"];
const OBO: &[&str] = &["obo"];

pub const ROWS: &[Row] = &[
    profile_row("entra.public-client-disabled", "public-client-disabled", LOGIN),
    profile_row("entra.app-not-found", "app-not-found", LOGIN),
    profile_row("entra.app-not-found", "app-not-found", OBO),
    profile_row("entra.tenant-not-found", "tenant-not-found", LOGIN),
    profile_row("entra.tenant-not-found", "tenant-not-found", OBO),
    profile_row("entra.invalid-scope", "invalid-scope", LOGIN),
    profile_row("entra.invalid-scope", "invalid-scope", OBO),
    profile_row(
        "entra.resource-not-permitted",
        "obo-resource-not-permitted",
        OBO,
    ),
    profile_row("entra.consent-required", "obo-consent-missing", OBO),
    profile_row(
        "entra.cli-not-preauthorized",
        "azure-cli-not-preauthorized",
        &["login", "--client", "azure-cli"],
    ),
    profile_row("entra.declined", "device-code-declined", LOGIN),
    profile_row("entra.code-expired", "device-code-expired", LOGIN),
    profile_row("entra.conditional-access", "conditional-access", LOGIN),
    profile_row("entra.conditional-access", "conditional-access", OBO),
    profile_row("entra.user-not-in-tenant", "user-not-in-tenant", LOGIN),
    profile_row("entra.obo-audience", "obo-audience", OBO),
    profile_row(
        "entra.invalid-assertion",
        "healthy",
        &["obo", "--token-file", "{fixtures}/tokens/graph-token.jwt"],
    ),
    profile_row(
        "entra.assertion-expired",
        "healthy",
        &["obo", "--token-file", "{fixtures}/tokens/expired.jwt"],
    ),
    profile_row("entra.secret-invalid", "obo-secret-invalid", OBO),
    profile_row("entra.secret-expired", "obo-secret-expired", OBO),
    profile_row("entra.public-client-secret", "obo-public-client-secret", OBO),
    profile_row(
        "entra.obo-not-allowed",
        "healthy",
        &["obo", "--token-file", "{fixtures}/tokens/app-only.jwt"],
    ),
    profile_row("entra.resource-parameter", "obo-resource-parameter", OBO),
    profile_row("entra.origin-header", "obo-origin-header", OBO),
    profile_row("entra.redirect-uri", "obo-redirect-uri", OBO),
    profile_row("entra.response-type-disabled", "obo-response-type", OBO),
    profile_row("entra.invalid-assertion", "obo-bad-token", OBO),
    profile_row("entra.invalid-request", "obo-invalid-request", OBO),
    profile_row("entra.pkce-mismatch", "obo-pkce-mismatch", OBO),
    profile_row("entra.user-not-assigned", "obo-user-not-assigned", OBO),
    profile_row("entra.code-invalid", "obo-code-redeemed", OBO),
    profile_row("entra.refresh-token-expired", "obo-refresh-expired", OBO),
    profile_row("entra.single-tenant-endpoint", "obo-single-tenant", OBO),
    // Refused before sending: OBO is not possible on the multi-tenant endpoints.
    profile_row(
        "entra.obo-common-endpoint",
        "healthy",
        &["obo", "--tenant-id", "common"],
    ),
    profile_row("entra.bad-user-code", "device-code-bad-user-code", LOGIN),
    profile_row("entra.html-response", "entra-html", LOGIN),
    profile_row("entra.html-response", "entra-html", OBO),
    // Entra's last answer before the code ran out.
    profile_row(
        "entra.authorization-pending",
        "device-code-never-signed-in",
        LOGIN,
    ),
    profile_row("entra.bad-response", "token-answer-incomplete", LOGIN),
    profile_row("entra.bad-response", "token-answer-incomplete", OBO),
    // The secret piped with a trailing newline: trimmed, and said so.
    profile_row("entra.secret-trimmed", "healthy", &["obo", "--secret-stdin"]).stdin("{secret}\n"),
    profile_row("entra.unknown-error", "entra-unknown-error", LOGIN),
];
