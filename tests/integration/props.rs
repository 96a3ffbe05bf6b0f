//! Property tests for the two fuzzed parsers without their own proptests (the WWW-Authenticate
//! parser, the SSE parser, the Entra error mapper and the policy linter have theirs beside
//! their code): the token decoder with every offline check, and the config-file loader.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use c7doctor::deployment::{Hop, Pattern};
use c7doctor::token::{Expect, check_token};
use proptest::prelude::*;

fn expect(pattern: Pattern, hop: Option<Hop>) -> Expect {
    let now: c7doctor::Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
    Expect {
        pattern,
        hop,
        hop_reason: "given with --hop",
        tenant_id: Some("7f3e9a12-5b6c-4d8e-9f01-2a3b4c5d6e7f".into()),
        gateway_app_id: Some("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f".into()),
        mcp_app_id: Some("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d".into()),
        authority: "https://login.microsoftonline.com".into(),
        at: now,
        now,
        leeway_secs: 60,
        provisioned: None,
    }
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        Just(Pattern::Obo),
        Just(Pattern::Passthrough),
        Just(Pattern::SharedKey)
    ]
}

fn hop() -> impl Strategy<Value = Option<Hop>> {
    prop_oneof![
        Just(None),
        Just(Some(Hop::Client)),
        Just(Some(Hop::Backend))
    ]
}

/// Claims of the kinds the checks read, with values of any JSON type.
fn claims() -> impl Strategy<Value = serde_json::Value> {
    let value = prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9:/._ -]{0,40}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        prop::collection::vec("[a-z.]{0,12}", 0..3).prop_map(serde_json::Value::from),
    ];
    let key = prop_oneof![
        Just("iss"),
        Just("aud"),
        Just("scp"),
        Just("roles"),
        Just("exp"),
        Just("nbf"),
        Just("iat"),
        Just("oid"),
        Just("tid"),
        Just("ver"),
        Just("idtyp"),
        Just("nonce"),
        Just("azp"),
        Just("upn"),
    ];
    prop::collection::btree_map(key, value, 0..12).prop_map(|m| {
        serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any text: never a panic, and something that does not decode is `token.malformed`.
    #[test]
    fn any_text_is_checked_without_panic(text in ".{0,300}", p in pattern(), h in hop()) {
        let raw = c7doctor::input::normalize_token(&text);
        let result = check_token(&raw, &expect(p, h));
        if result.decoded.is_none() {
            prop_assert!(result.checks.iter().any(|c| c.code.map(|c| c.code) == Some("token.malformed")));
        }
    }

    /// Well-formed JWS with arbitrary claims: decoded, every check decided, every
    /// non-pass check carries a catalog code, and the report never contains the signature.
    #[test]
    fn arbitrary_claims_get_decided_checks(
        claims in claims(),
        alg in prop_oneof![Just("RS256"), Just("none"), Just("HS256"), Just("ES256")],
        pad in any::<bool>(),
        p in pattern(),
        h in hop(),
    ) {
        let header = serde_json::json!({"typ": "JWT", "alg": alg, "kid": "k"});
        let enc = |v: &serde_json::Value| {
            let s = URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
            if pad { let n = (4 - s.len() % 4) % 4; format!("{s}{}", "=".repeat(n)) } else { s }
        };
        let sig = "c2lnbmF0dXJlLXNlZ21lbnQtbmV2ZXItcHJpbnRlZA";
        let raw = format!("{}.{}.{sig}", enc(&header), enc(&claims));
        let result = check_token(&raw, &expect(p, h));
        prop_assert!(result.decoded.is_some(), "a well-formed JWS decodes");
        for c in &result.checks {
            if c.status != c7doctor::report::Status::Pass {
                let code = c.code.expect("non-pass check has a code");
                prop_assert!(c7doctor::catalog::get(code.code).is_some(), "{code} in catalog");
            }
        }
        let json = serde_json::to_string(&result.checks).expect("json");
        prop_assert!(!json.contains(sig));
    }

    /// Any config text: a parse result or a usage error, never a panic.
    #[test]
    fn any_config_text_loads_or_errors(text in "[a-z_=\"\\[\\]{}., 0-9\n-]{0,200}") {
        let _ = c7doctor::config::parse_config_text(std::path::Path::new("c7doctor.toml"), &text);
    }

    /// Known keys with a value of the wrong type are a usage error naming the file.
    #[test]
    fn wrong_types_are_usage_errors(key in prop_oneof![Just("timeout"), Just("strict"), Just("pattern")]) {
        let text = format!("{key} = [1, 2]\n");
        let err = c7doctor::config::parse_config_text(std::path::Path::new("c7doctor.toml"), &text)
            .expect_err("wrong type");
        prop_assert!(err.to_string().contains("c7doctor.toml"));
        prop_assert_eq!(err.exit_code(), 2);
    }
}
