//! Integration tests: `c7doctor token`, through the real binary.
//!
//! Every `token.*` code is triggered by a fixture in `fixtures/tokens/` (the rows of
//! `coverage/token.rs`); the fixtures are minted by [`mint`] with the test key. Re-mint them (after changing
//! `fixtures/tokens/ids.env` or adding a case) with:
//!
//! ```text
//! cargo test --test integration token::regenerate_fixtures -- --ignored
//! ```
//!
//! `fixtures_are_current` fails when a fixture on disk differs from what the generator
//! mints (RS256 signatures are deterministic, so re-minting is byte-for-byte stable).

use serde_json::Value;
use std::path::PathBuf;

use crate::support::{Output, Report, Run, fixture, snapshot};

/// The fixture tokens: how each is minted.
pub mod mint {
    use base64::Engine;
    use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
    use jsonwebtoken::{Algorithm, EncodingKey};
    use serde_json::{Map, Value, json};
    use std::collections::BTreeMap;

    use crate::support::fixture;

    /// The shared identifiers of `fixtures/tokens/ids.env`.
    #[derive(Debug, Clone)]
    pub struct Ids {
        pub tenant: String,
        pub gateway: String,
        pub mcp: String,
        pub client_app: String,
        pub user_oid: String,
        pub other_oid: String,
        pub other_tenant: String,
        pub msa_tenant: String,
        pub kid: String,
        /// The test clock as Unix seconds.
        pub now: i64,
    }

    pub fn env() -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(fixture("tokens/ids.env")).expect("ids.env");
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    }

    pub fn ids() -> Ids {
        let e = env();
        let get = |k: &str| {
            e.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("{k} in ids.env"))
        };
        let now: jiff::Timestamp = get("NOW").parse().expect("NOW is RFC 3339");
        Ids {
            tenant: get("TENANT_ID"),
            gateway: get("GATEWAY_APP_ID"),
            mcp: get("MCP_APP_ID"),
            client_app: get("CLIENT_APP_ID"),
            user_oid: get("USER_OID"),
            other_oid: get("OTHER_USER_OID"),
            other_tenant: get("OTHER_TENANT_ID"),
            msa_tenant: get("MSA_TENANT_ID"),
            kid: get("KID"),
            now: now.as_second(),
        }
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn key(file: &str) -> EncodingKey {
        let pem = std::fs::read(fixture(file)).expect("test key");
        EncodingKey::from_rsa_pem(&pem).expect("RSA PEM")
    }

    /// Sign `header.payload` (segments as given) with RS256.
    fn sign(signing_input: &str, key: &EncodingKey) -> String {
        jsonwebtoken::crypto::sign(signing_input.as_bytes(), key, Algorithm::RS256)
            .expect("RS256 signature")
    }

    fn json_bytes(v: &Value) -> Vec<u8> {
        serde_json::to_vec(v).expect("JSON")
    }

    /// A compact JWS signed with the test key.
    pub fn jws(header: &Value, claims: &Value) -> String {
        jws_with(header, claims, &key("keys/test-signing-key.pem"))
    }

    /// A compact JWS of header and payload JSON *text* as written (a repeated key, a number
    /// serde_json cannot write), signed with the test key.
    fn jws_text(header: &str, payload: &str) -> String {
        let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let sig = sign(&input, &key("keys/test-signing-key.pem"));
        format!("{input}.{sig}")
    }

    fn jws_with(header: &Value, claims: &Value, key: &EncodingKey) -> String {
        let input = format!("{}.{}", b64(&json_bytes(header)), b64(&json_bytes(claims)));
        let sig = sign(&input, key);
        format!("{input}.{sig}")
    }

    fn header(ids: &Ids) -> Value {
        json!({"typ": "JWT", "alg": "RS256", "kid": ids.kid})
    }

    fn with(mut base: Value, changes: Value) -> Value {
        if let (Some(b), Some(c)) = (base.as_object_mut(), changes.as_object()) {
            for (k, v) in c {
                if v.is_null() {
                    b.remove(k);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        base
    }

    /// A healthy v2.0 delegated token as Entra issues it, for `aud`/`scp`/`azp`.
    pub fn access(ids: &Ids, aud: &str, scp: &str, azp: &str, uti: &str) -> Value {
        let t = ids.now;
        let mut m = Map::new();
        for (k, v) in [
            ("aud", json!(aud)),
            (
                "iss",
                json!(format!(
                    "https://login.microsoftonline.com/{}/v2.0",
                    ids.tenant
                )),
            ),
            ("iat", json!(t - 600)),
            ("nbf", json!(t - 600)),
            ("exp", json!(t + 3900)),
            ("aio", json!("AWQAm/8aAAAAtestonlyc7doctorfixtureaio==")),
            ("azp", json!(azp)),
            ("azpacr", json!(if azp == ids.gateway { "1" } else { "0" })),
            ("name", json!("Ada Lovelace")),
            ("oid", json!(ids.user_oid)),
            ("preferred_username", json!("ada@contoso.example")),
            ("rh", json!("1.AWQAtestonly.")),
            ("scp", json!(scp)),
            ("sid", json!("00a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b")),
            ("sub", json!("c7dTestSubjectPairwiseIdentifier0000000001")),
            ("tid", json!(ids.tenant)),
            ("uti", json!(uti)),
            ("ver", json!("2.0")),
        ] {
            m.insert(k.to_string(), v);
        }
        Value::Object(m)
    }

    fn obo_client(ids: &Ids) -> Value {
        access(
            ids,
            &ids.gateway,
            "Mcp.Gateway.Access",
            &ids.gateway,
            "c7dClientHopUti0001",
        )
    }

    fn obo_backend(ids: &Ids) -> Value {
        access(
            ids,
            &ids.mcp,
            "mcp.access",
            &ids.gateway,
            "c7dBackendHopUti001",
        )
    }

    /// The Microsoft samples (verbatim, from MicrosoftDocs/entra-docs
    /// docs/identity-platform/access-tokens.md). Not generated: read from disk.
    pub const MS_SAMPLES: &[&str] = &["ms-sample-v1.jwt", "ms-sample-v2.jwt"];

    /// Every generated fixture: (file name under fixtures/tokens/, content).
    pub fn all() -> Vec<(&'static str, String)> {
        let ids = ids();
        let t = ids.now;
        let h = header(&ids);
        let client = obo_client(&ids);
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut tok = |name: &'static str, claims: Value| {
            out.push((name, format!("{}\n", jws(&h, &claims))));
        };

        // Healthy tokens: each pattern × hop.
        tok("obo-client-valid.jwt", client.clone());
        tok("obo-backend-valid.jwt", obo_backend(&ids));
        tok(
            "passthrough-valid.jwt",
            access(
                &ids,
                &ids.mcp,
                "mcp.access",
                &ids.client_app,
                "c7dPassthroughUti01",
            ),
        );
        tok(
            "shared-key-client-valid.jwt",
            access(
                &ids,
                &ids.mcp,
                "mcp.access",
                &ids.client_app,
                "c7dSharedKeyUti0001",
            ),
        );

        // One per finding.
        tok(
            "issuer-wrong-tenant.jwt",
            with(
                client.clone(),
                json!({
                    "iss": format!("https://login.microsoftonline.com/{}/v2.0", ids.other_tenant),
                    "tid": ids.other_tenant,
                }),
            ),
        );
        tok(
            "issuer-tid-mismatch.jwt",
            with(client.clone(), json!({"tid": ids.other_tenant})),
        );
        tok(
            "issuer-foreign.jwt",
            with(
                client.clone(),
                json!({"iss": format!("https://login.microsoftonline.us/{}/v2.0", ids.tenant)}),
            ),
        );
        tok(
            "audience-uri.jwt",
            with(
                client.clone(),
                json!({"aud": format!("api://{}", ids.gateway)}),
            ),
        );
        tok(
            "obo-client-mcp-audience.jwt",
            access(
                &ids,
                &ids.mcp,
                "mcp.access",
                &ids.client_app,
                "c7dWrongHopUti00001",
            ),
        );
        tok(
            "audience-mismatch.jwt",
            with(
                client.clone(),
                json!({"aud": "11111111-2222-4333-8444-555555555555"}),
            ),
        );
        tok(
            "scope-missing.jwt",
            with(client.clone(), json!({"scp": "openid profile User.Read"})),
        );
        tok(
            "scope-other-hop.jwt",
            with(client.clone(), json!({"scp": "mcp.access"})),
        );
        let expired_at = t - (2 * 3600 + 13 * 60);
        tok(
            "expired.jwt",
            with(
                client.clone(),
                json!({"iat": expired_at - 4500, "nbf": expired_at - 4500, "exp": expired_at}),
            ),
        );
        tok(
            "not-yet-valid.jwt",
            with(
                client.clone(),
                json!({"iat": t + 600, "nbf": t + 600, "exp": t + 5100}),
            ),
        );
        tok("no-expiry.jwt", with(client.clone(), json!({"exp": null})));
        // exp present but a string: not a NumericDate.
        tok(
            "exp-not-numeric.jwt",
            with(client.clone(), json!({"exp": "1e10"})),
        );
        tok(
            "short-lifetime.jwt",
            with(
                client.clone(),
                json!({"iat": t - 300, "nbf": t - 300, "exp": t + 900}),
            ),
        );
        tok("no-oid.jwt", with(client.clone(), json!({"oid": null})));
        tok(
            "personal-account.jwt",
            with(
                client.clone(),
                json!({
                    "iss": format!("https://login.microsoftonline.com/{}/v2.0", ids.msa_tenant),
                    "tid": ids.msa_tenant,
                    "preferred_username": "ada@outlook.example",
                }),
            ),
        );
        tok(
            "backend-other-user.jwt",
            with(obo_backend(&ids), json!({"oid": ids.other_oid})),
        );
        let unknown = jws(
            &json!({"typ": "JWT", "alg": "RS256", "kid": "c7doctor-unknown-kid"}),
            &client,
        );
        out.push(("unknown-kid.jwt", format!("{unknown}\n")));
        // `crit` in the header (RFC 7515: reject what you do not understand).
        let crit = jws(
            &json!({"typ": "JWT", "alg": "RS256", "kid": ids.kid, "crit": ["c7doctor-ext"], "c7doctor-ext": 1}),
            &client,
        );
        out.push(("crit-header.jwt", format!("{crit}\n")));

        let signed = |name: &'static str, claims: Value| (name, format!("{}\n", jws(&h, &claims)));
        // Microsoft's pre-production cloud: a v2.0 issuer shape on login.windows-ppe.net.
        out.push(signed(
            "issuer-ppe.jwt",
            with(
                client.clone(),
                json!({"iss": format!("https://login.windows-ppe.net/{}/v2.0", ids.tenant)}),
            ),
        ));
        // Exact comparison: values Entra never writes, equal to the expected ones only
        // when compared loosely.
        out.push(signed(
            "inexact-issuer-port.jwt",
            with(
                client.clone(),
                json!({"iss": format!("https://login.microsoftonline.com:443/{}/v2.0", ids.tenant)}),
            ),
        ));
        out.push(signed(
            "inexact-issuer-case.jwt",
            with(
                obo_backend(&ids),
                json!({"iss": format!("https://Login.MicrosoftOnline.com/{}/v2.0", ids.tenant)}),
            ),
        ));
        out.push(signed(
            "inexact-audience.jwt",
            with(
                obo_backend(&ids),
                json!({"aud": ids.mcp.to_ascii_uppercase()}),
            ),
        ));
        out.push(signed(
            "inexact-scope-nbsp.jwt",
            with(obo_backend(&ids), json!({"scp": "openid\u{a0}mcp.access"})),
        ));
        out.push(signed(
            "inexact-oid-rlo.jwt",
            with(
                obo_backend(&ids),
                json!({"oid": format!("{}\u{202e}", ids.user_oid)}),
            ),
        ));
        // Claims written as text: a number beyond f64, and a key written twice.
        let client_text = serde_json::to_string(&client).expect("JSON");
        let exp_field = format!("\"exp\":{}", t + 3900);
        assert!(client_text.contains(&exp_field), "exp in the client token");
        let header_text = serde_json::to_string(&h).expect("JSON");
        out.push((
            "exp-out-of-range.jwt",
            format!(
                "{}\n",
                jws_text(
                    &header_text,
                    &client_text.replace(&exp_field, "\"exp\":1e309")
                )
            ),
        ));
        let oid_field = format!("\"oid\":\"{}\"", ids.user_oid);
        assert!(client_text.contains(&oid_field), "oid in the client token");
        let twice = client_text.replacen(
            &oid_field,
            &format!("{oid_field},\"oid\":\"{}\"", ids.other_oid),
            1,
        );
        out.push((
            "duplicate-claims.jwt",
            format!("{}\n", jws_text(&header_text, &twice)),
        ));
        // A personal claim written twice: neither value may reach a markdown ticket.
        let upn_field = "\"preferred_username\":\"ada@contoso.example\"";
        assert!(
            client_text.contains(upn_field),
            "preferred_username in the client token"
        );
        let personal_twice = client_text.replacen(
            upn_field,
            "\"preferred_username\":\"planted.first@pii-leak.example\",\"preferred_username\":\"planted.last@pii-leak.example\"",
            1,
        );
        out.push((
            "duplicate-personal-claim.jwt",
            format!("{}\n", jws_text(&header_text, &personal_twice)),
        ));
        // The shape of jwt.io's example token (HS256, sub/name/iat only), with our own secret.
        let sample = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &json!({"sub": "1234567890", "name": "John Doe", "iat": 1516239022}),
            &EncodingKey::from_secret(b"c7doctor-test-hmac-secret-not-for-use"),
        )
        .expect("HS256");
        out.push(("jwtio-sample.jwt", format!("{sample}\n")));

        // v1.0 token: sts.windows.net issuer, appid instead of azp, x5t in the header.
        let v1 = json!({
            "aud": ids.gateway,
            "iss": format!("https://sts.windows.net/{}/", ids.tenant),
            "iat": t - 600, "nbf": t - 600, "exp": t + 3900,
            "acr": "1",
            "aio": "E2testonlyc7doctorv1fixture=",
            "amr": ["pwd"],
            "appid": ids.gateway,
            "appidacr": "0",
            "family_name": "Lovelace",
            "given_name": "Ada",
            "ipaddr": "203.0.113.7",
            "name": "Ada Lovelace",
            "oid": ids.user_oid,
            "rh": "1.AWQAtestonly.",
            "scp": "Mcp.Gateway.Access",
            "sub": "c7dTestSubjectPairwiseIdentifier0000000001",
            "tid": ids.tenant,
            "unique_name": "ada@contoso.example",
            "upn": "ada@contoso.example",
            "uti": "c7dV1TokenUti000001",
            "ver": "1.0",
        });
        let v1_header = json!({"typ": "JWT", "alg": "RS256", "x5t": ids.kid, "kid": ids.kid});
        out.push(("issuer-v1.jwt", format!("{}\n", jws(&v1_header, &v1))));

        // A Microsoft Graph token: Graph's audience, a header nonce, v1 claims.
        let graph = with(
            v1.clone(),
            json!({
                "aud": "00000003-0000-0000-c000-000000000000",
                "scp": "openid profile User.Read email",
                "app_displayname": "Contoso MCP Gateway",
                "idtyp": "user",
                "uti": "c7dGraphTokenUti001",
            }),
        );
        let graph_header = json!({
            "typ": "JWT",
            "nonce": "c7dTestOnlyGraphHeaderNonce0000000000000001",
            "alg": "RS256",
            "x5t": ids.kid,
            "kid": ids.kid,
        });
        out.push((
            "graph-token.jwt",
            format!("{}\n", jws(&graph_header, &graph)),
        ));

        // An ID token: aud is the client (the gateway app signs users in), nonce, no scp.
        let id_token = json!({
            "aud": ids.gateway,
            "iss": format!("https://login.microsoftonline.com/{}/v2.0", ids.tenant),
            "iat": t - 600, "nbf": t - 600, "exp": t + 3000,
            "aio": "AWQAm/8aAAAAtestonlyc7doctoridtoken==",
            "name": "Ada Lovelace",
            "nonce": "c7dTestNonce0001",
            "oid": ids.user_oid,
            "preferred_username": "ada@contoso.example",
            "rh": "1.AWQAtestonly.",
            "sid": "00a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b",
            "sub": "c7dTestSubjectPairwiseIdentifier0000000002",
            "tid": ids.tenant,
            "uti": "c7dIdTokenUti000001",
            "ver": "2.0",
        });
        out.push(("id-token.jwt", format!("{}\n", jws(&h, &id_token))));

        // An app-only token (client credentials): roles, idtyp app, no scp.
        let app_only = json!({
            "aud": ids.gateway,
            "iss": format!("https://login.microsoftonline.com/{}/v2.0", ids.tenant),
            "iat": t - 600, "nbf": t - 600, "exp": t + 3900,
            "aio": "k2testonlyc7doctorapponly=",
            "azp": ids.client_app,
            "azpacr": "1",
            "idtyp": "app",
            "oid": "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0",
            "rh": "1.AWQAtestonly.",
            "roles": ["Mcp.Gateway.Access"],
            "sub": "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0",
            "tid": ids.tenant,
            "uti": "c7dAppOnlyUti000001",
            "ver": "2.0",
        });
        out.push(("app-only.jwt", format!("{}\n", jws(&h, &app_only))));

        // alg none (empty signature) and HS256 (a shared secret).
        let none_input = format!(
            "{}.{}.",
            b64(&json_bytes(&json!({"typ": "JWT", "alg": "none"}))),
            b64(&json_bytes(&client))
        );
        out.push(("alg-none.jwt", format!("{none_input}\n")));
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &client,
            &EncodingKey::from_secret(b"c7doctor-test-hmac-secret-not-for-use"),
        )
        .expect("HS256");
        out.push(("alg-hs256.jwt", format!("{hs}\n")));

        // Signed by the other key under the same kid; and altered after signing.
        let wrong = jws_with(&h, &client, &key("keys/other-signing-key.pem"));
        out.push(("signature-wrong-key.jwt", format!("{wrong}\n")));
        let good = jws(&h, &client);
        let sig = good.rsplit('.').next().unwrap_or("");
        let altered = with(client.clone(), json!({"oid": ids.other_oid}));
        let tampered = format!(
            "{}.{}.{sig}",
            b64(&json_bytes(&h)),
            b64(&json_bytes(&altered))
        );
        out.push(("signature-tampered.jwt", format!("{tampered}\n")));

        // base64url with '=' padding, signed over the padded segments.
        let padded_input = format!(
            "{}.{}",
            URL_SAFE.encode(json_bytes(&h)),
            URL_SAFE.encode(json_bytes(&client))
        );
        assert!(padded_input.contains('='), "padding must show");
        let padded_sig = URL_SAFE.encode(
            URL_SAFE_NO_PAD
                .decode(sign(&padded_input, &key("keys/test-signing-key.pem")))
                .expect("signature"),
        );
        out.push(("padded.jwt", format!("{padded_input}.{padded_sig}\n")));

        // Not tokens.
        let client_tok = jws(&h, &client);
        let mut parts = client_tok.split('.');
        let (ph, pp) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        out.push(("two-segments.jwt", format!("{ph}.{pp}\n")));
        let jwe_header = json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": ids.kid});
        let filler = |n: usize, seed: u8| -> String {
            b64(&(0..n)
                .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
                .collect::<Vec<_>>())
        };
        out.push((
            "jwe.jwt",
            format!(
                "{}.{}.{}.{}.{}\n",
                b64(&json_bytes(&jwe_header)),
                filler(256, 7),
                filler(12, 11),
                filler(600, 13),
                filler(16, 17)
            ),
        ));
        let nj_input = format!(
            "{}.{}",
            b64(&json_bytes(&h)),
            b64(b"<html><title>Sign in to your account</title></html>")
        );
        let nj_sig = sign(&nj_input, &key("keys/test-signing-key.pem"));
        out.push(("payload-not-json.jwt", format!("{nj_input}.{nj_sig}\n")));
        out.push((
            "garbage.txt",
            "Copy this code: H7QK-2M9P (not a token: what a clipboard holds after copying the wrong thing)\n"
                .to_string(),
        ));

        // A whole token-endpoint response, as `az rest` or curl prints it.
        let response = json!({
            "token_type": "Bearer",
            "scope": format!("api://{}/Mcp.Gateway.Access", ids.gateway),
            "expires_in": 3899,
            "ext_expires_in": 3899,
            "access_token": client_tok,
        });
        out.push((
            "token-response.json",
            format!(
                "{}\n",
                serde_json::to_string_pretty(&response).expect("JSON")
            ),
        ));

        // Microsoft's v1 sample re-encoded with '=' padding (the published one has none today).
        let sample = std::fs::read_to_string(fixture("tokens/ms-sample-v1.jwt")).expect("sample");
        let segs: Vec<&str> = sample.trim().split('.').collect();
        let repad = |s: &str| URL_SAFE.encode(URL_SAFE_NO_PAD.decode(s).expect("sample base64url"));
        out.push((
            "ms-sample-v1-padded.jwt",
            format!("{}.{}.{}\n", repad(segs[0]), repad(segs[1]), segs[2]),
        ));

        // Provisioned-user lists (guide 2 Part 4 Step 2).
        out.push((
            "provisioned.csv",
            format!(
                "displayName,oid,userPrincipalName\n\"Lovelace, Ada\",{},ada@contoso.example\nGrace Hopper,{},grace@contoso.example\n",
                ids.user_oid, ids.other_oid
            ),
        ));
        out.push((
            "provisioned-without-user.txt",
            format!(
                "# oids of the teamspace's provisioned users, one per line\n{}\n2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f\n",
                ids.other_oid
            ),
        ));
        out
    }
}

// ---------------------------------------------------------------- helpers

fn tok(name: &str) -> PathBuf {
    fixture(&format!("tokens/{name}"))
}

/// `--tenant-id …  --gateway-app-id … --mcp-app-id …` from ids.env.
fn configured() -> Vec<String> {
    let ids = mint::ids();
    vec![
        "--tenant-id".into(),
        ids.tenant,
        "--gateway-app-id".into(),
        ids.gateway,
        "--mcp-app-id".into(),
        ids.mcp,
    ]
}

fn run(args: &[&str], stdin: Option<Vec<u8>>) -> Output {
    let mut run = Run::new().args(args);
    if let Some(input) = stdin {
        run = run.stdin(input);
    }
    run.output()
}

/// `token --format json --token-file FIXTURE <configured> <extra>`; the report (its exit
/// code checked against the verdict).
fn token_json(fixture_name: &str, extra: &[&str]) -> Report {
    Run::new()
        .args(["token", "--token-file"])
        .arg(tok(fixture_name))
        .args(configured())
        .args(extra)
        .report()
}

// ---------------------------------------------------------------- fixtures

#[test]
#[ignore = "writes fixtures/tokens/: run to re-mint after changing ids.env or the cases"]
fn regenerate_fixtures() {
    for (name, content) in mint::all() {
        std::fs::write(tok(name), content).expect("write fixture");
    }
}

#[test]
fn fixtures_are_current() {
    let stale: Vec<&str> = mint::all()
        .iter()
        .filter(|(name, content)| std::fs::read_to_string(tok(name)).ok().as_ref() != Some(content))
        .map(|(name, _)| *name)
        .collect();
    assert!(
        stale.is_empty(),
        "stale fixtures {stale:?}: run cargo test --test integration token::regenerate_fixtures -- --ignored"
    );
    for sample in mint::MS_SAMPLES {
        assert!(tok(sample).exists(), "{sample} missing");
    }
}

// ---------------------------------------------------------------- healthy tokens

#[test]
fn healthy_token_of_each_pattern_and_hop_passes() {
    let cases: &[(&str, &[&str])] = &[
        ("obo-client-valid.jwt", &["--pattern", "obo"]),
        (
            "obo-client-valid.jwt",
            &["--pattern", "obo", "--hop", "client"],
        ),
        (
            "obo-backend-valid.jwt",
            &["--pattern", "obo", "--hop", "backend"],
        ),
        ("passthrough-valid.jwt", &["--pattern", "passthrough"]),
        (
            "passthrough-valid.jwt",
            &["--pattern", "passthrough", "--hop", "backend"],
        ),
        ("shared-key-client-valid.jwt", &["--pattern", "shared-key"]),
        ("padded.jwt", &["--jwks", "fixtures/keys/jwks.json"]),
        (
            "obo-client-valid.jwt",
            &["--jwks", "fixtures/keys/jwks.json"],
        ),
    ];
    for (name, extra) in cases {
        let mut extra = extra.to_vec();
        extra.extend(["--provisioned", "fixtures/tokens/provisioned.csv"]);
        let doc = token_json(name, &extra);
        assert_eq!(doc["verdict"], "pass", "{name} {extra:?}: {doc:#}");
        assert_eq!(doc.code, 0, "{name} {extra:?}");
        let statuses: Vec<String> = doc
            .checks()
            .iter()
            .filter_map(|c| c["status"].as_str().map(str::to_string))
            .collect();
        assert!(
            !statuses.iter().any(|s| s == "skip" || s == "warn"),
            "{name}: {statuses:?}"
        );
    }
}

#[test]
fn hop_is_the_client_unless_given() {
    // The token APIM forwards, checked without --hop: judged as the client hop it is not.
    let doc = token_json("obo-backend-valid.jwt", &[]);
    assert_eq!(doc.code, 1);
    assert_eq!(doc["context"]["hop"], "client");
    assert_eq!(doc["context"]["hop_guessed"], false);
    assert_eq!(
        doc.check("token.audience")["code"],
        "token.audience-other-hop"
    );
    let doc = token_json("obo-backend-valid.jwt", &["--hop", "backend"]);
    assert_eq!(doc.code, 0, "{doc}");
    assert_eq!(doc["context"]["hop"], "backend");
    let hop = doc.check("token.hop");
    assert!(
        hop["detail"].as_str().unwrap_or("").contains("--hop"),
        "{hop}"
    );
}

#[test]
fn signature_is_unchecked_without_keys() {
    let doc = token_json("obo-client-valid.jwt", &[]);
    assert_eq!(doc.code, 0);
    let sig = doc.check("token.signature");
    assert_eq!(sig["status"], "info");
    assert_eq!(sig["code"], "token.signature-unchecked");
}

#[test]
fn unconfigured_values_skip_naming_the_option() {
    let r = run(
        &[
            "token",
            "--format",
            "json",
            "--token-file",
            "fixtures/tokens/obo-client-valid.jwt",
        ],
        None,
    );
    let doc = r.report();
    for (id, option) in [
        ("token.tenant", "--tenant-id"),
        ("token.audience", "--gateway-app-id"),
        ("token.provisioned", "--provisioned"),
    ] {
        let c = doc.check(id);
        assert_eq!(c["status"], "skip", "{c}");
        assert_eq!(c["code"], "config.missing");
        assert!(c["detail"].as_str().unwrap_or("").contains(option), "{c}");
    }
    // Unconfigured is not a failure, and not a pass either: the essential checks did not run.
    assert_eq!(doc["verdict"], "incomplete");
    assert_eq!(r.code, 4);
}

#[test]
fn all_failures_are_reported_at_once() {
    // The MCP-API token sent to the gateway: wrong audience AND the other hop's scope.
    let doc = token_json("obo-client-mcp-audience.jwt", &["--hop", "client"]);
    let f = doc.codes_with("fail");
    assert!(f.contains(&"token.audience-other-hop"), "{f:?}");
    assert!(f.contains(&"token.scope-missing"), "{f:?}");
    let scope = doc.check("token.scope");
    assert!(
        scope["detail"].as_str().unwrap_or("").contains("other hop"),
        "{scope}"
    );
    // Microsoft's v1 sample: v1 issuer, a tenant that contradicts tid, expired years ago.
    let doc = token_json("ms-sample-v1.jwt", &[]);
    let f = doc.codes_with("fail");
    for want in ["token.issuer-v1", "token.issuer-tenant", "token.expired"] {
        assert!(f.contains(&want), "{want} not in {f:?}");
    }
}

#[test]
fn expired_says_how_long_ago_and_at_moves_the_clock() {
    let doc = token_json("expired.jwt", &[]);
    let c = doc.check("token.expiry");
    assert!(
        c["detail"]
            .as_str()
            .unwrap_or("")
            .contains("expired 2 h 13 min ago"),
        "{c}"
    );
    // At the time of the ticket (3 h earlier) the same token was valid.
    let doc = token_json("expired.jwt", &["--at", "2026-11-23T07:00:00Z"]);
    assert_eq!(doc.check("token.expiry")["status"], "pass");
    assert_eq!(doc.code, 0, "{doc:#}");
    assert_eq!(doc["context"]["at"], "2026-11-23T07:00:00Z");
    // And a valid token is expired two hours later.
    let doc = token_json("obo-client-valid.jwt", &["--at", "2026-11-23T12:00:00Z"]);
    assert_eq!(doc.check("token.expiry")["code"], "token.expired");
    assert_eq!(doc.code, 1);
}

#[test]
fn leeway_is_applied_and_shown() {
    // expired.jwt expired 7980 s before NOW: a leeway larger than that accepts it (as a warning).
    let doc = token_json("expired.jwt", &["--leeway", "8000"]);
    let c = doc.check("token.expiry");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(doc["context"]["leeway_s"], 8000);
}

#[test]
fn sovereign_cloud_issuer_follows_the_authority() {
    let doc = token_json(
        "issuer-foreign.jwt",
        &["--authority", "https://login.microsoftonline.us"],
    );
    assert_eq!(doc.check("token.issuer")["status"], "pass", "{doc:#}");
    let doc = token_json(
        "obo-client-valid.jwt",
        &["--authority", "https://login.microsoftonline.us"],
    );
    assert_eq!(doc.check("token.issuer")["code"], "token.issuer-foreign");
}

#[test]
fn provisioned_csv_with_oid_column_passes() {
    let doc = token_json(
        "obo-backend-valid.jwt",
        &[
            "--provisioned",
            "fixtures/tokens/provisioned.csv",
            "--hop",
            "backend",
        ],
    );
    assert_eq!(doc.check("token.provisioned")["status"], "pass");
    assert_eq!(doc.code, 0);
    let r = run(
        &[
            "token",
            "--token-file",
            "fixtures/tokens/obo-backend-valid.jwt",
            "--provisioned",
            "no/such/file.csv",
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no/such/file.csv"), "{}", r.stderr);
}

#[test]
fn microsoft_samples_decode_padded_or_not() {
    for name in [
        "ms-sample-v1.jwt",
        "ms-sample-v2.jwt",
        "ms-sample-v1-padded.jwt",
    ] {
        let doc = token_json(name, &[]);
        assert_eq!(
            doc.check("token.decode")["status"],
            "pass",
            "{name}: {doc:#}"
        );
    }
    let doc = token_json("ms-sample-v1-padded.jwt", &[]);
    assert!(
        doc.check("token.decode")["detail"]
            .as_str()
            .unwrap_or("")
            .contains("padding"),
        "{doc:#}"
    );
}

// ---------------------------------------------------------------- tokens from elsewhere

#[test]
fn pre_production_cloud_issuers_are_foreign_to_the_public_authority() {
    let doc = token_json("issuer-ppe.jwt", &[]);
    let iss = doc.check("token.issuer");
    assert_eq!(iss["code"], "token.issuer-foreign", "{iss}");
    assert!(
        iss["detail"]
            .as_str()
            .unwrap_or("")
            .contains("pre-production cloud"),
        "{iss}"
    );
    assert_eq!(doc.code, 1);
}

#[test]
fn the_jwt_io_sample_is_not_an_entra_token_and_not_called_an_id_token() {
    let doc = token_json("jwtio-sample.jwt", &[]);
    assert_eq!(doc.code, 1);
    let (id, code) = doc.first_cause();
    assert!(
        ["token.not-entra", "token.alg-unexpected"].contains(&code.as_str()),
        "first cause {id} [{code}]"
    );
    // Its missing claims and its alg are one cause (get a token from the tenant), not eight.
    let headline = doc["headline"].as_str().unwrap_or_default();
    assert!(headline.contains("one cause"), "headline: {headline}");
    assert_eq!(doc.check("token.alg")["code"], "token.alg-unexpected");
    assert!(!doc.has("token.not-access-token"), "{doc:#}");
    for c in doc.checks() {
        let detail = c["detail"].as_str().unwrap_or("");
        assert!(!detail.contains("ID token"), "{c}");
    }
    // An ID token (nonce, aud the client app) keeps its name.
    let doc = token_json("id-token.jwt", &[]);
    assert_eq!(doc.check("token.type")["code"], "token.not-access-token");
}

#[test]
fn a_graph_tokens_fixes_request_the_gateway_scope_and_never_edit_a_manifest() {
    let ids = mint::ids();
    for extra in [
        &[][..],
        &["--hop", "backend"][..],
        &["--pattern", "passthrough"][..],
    ] {
        let doc = token_json("graph-token.jwt", extra);
        assert_eq!(doc.code, 1, "{extra:?}");
        assert_eq!(
            doc.check("token.type")["code"],
            "token.graph-audience",
            "{extra:?}"
        );
        assert_eq!(doc.check("token.issuer")["code"], "token.graph-audience");
        assert!(!doc.has("token.issuer-v1"), "{extra:?}: {doc:#}");
        for c in doc.checks() {
            let fix = c["fix"].as_str().unwrap_or("");
            for never in ["anifest", "requestedAccessTokenVersion", "az ad app update"] {
                assert!(
                    !fix.contains(never),
                    "{extra:?}: {} fix says {never}: {fix}",
                    c["id"]
                );
            }
        }
        let fix = doc.check("token.type")["fix"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            fix.contains(&format!("api://{}/Mcp.Gateway.Access", ids.gateway)),
            "{fix}"
        );
    }
    // Its signature is explained as the Graph token's, not as missing keys.
    let sig = token_json("graph-token.jwt", &[])
        .check("token.signature")
        .clone();
    assert_eq!(sig["status"], "info");
    assert_eq!(sig["code"], "token.graph-audience");
}

// ---------------------------------------------------------------- diagnoses under attack

#[test]
fn a_time_claim_beyond_any_number_is_its_own_finding_not_unreadable_json() {
    let doc = token_json("exp-out-of-range.jwt", &[]);
    assert_eq!(doc.check("token.decode")["status"], "pass", "{doc:#}");
    let exp = doc.check("token.expiry");
    assert_eq!(exp["code"], "token.time-out-of-range", "{exp}");
    assert_eq!(exp["status"], "fail");
    assert!(
        exp["detail"]
            .as_str()
            .unwrap_or("")
            .contains("exp is 1e309"),
        "{exp}"
    );
    assert_eq!(
        doc.check("token.lifetime")["code"],
        "token.time-out-of-range"
    );
    // The claim is shown as written, in every format.
    let claims = doc.section("token.claims").to_string();
    assert!(claims.contains("1e309"), "{claims}");
    for format in ["text", "markdown"] {
        let r = Run::new()
            .args(["token", "--format", format, "--token-file"])
            .arg(tok("exp-out-of-range.jwt"))
            .args(configured())
            .output();
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(r.stdout.contains("1e309"), "{format}: {}", r.stdout);
        assert!(!r.stdout.contains("not JSON"), "{format}: {}", r.stdout);
    }
}

#[test]
fn loose_matches_say_context7_compares_exactly() {
    // (fixture, hop, check, status, what the detail must show)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "inexact-audience.jwt",
            "backend",
            "token.audience",
            "fail",
            "case is ignored",
        ),
        (
            "inexact-issuer-port.jwt",
            "client",
            "token.issuer",
            "warn",
            "default port",
        ),
        (
            "inexact-issuer-case.jwt",
            "backend",
            "token.issuer",
            "fail",
            "host in upper case",
        ),
        (
            "inexact-scope-nbsp.jwt",
            "backend",
            "token.scope",
            "fail",
            "openid\\u{a0}mcp.access",
        ),
        (
            "inexact-oid-rlo.jwt",
            "backend",
            "token.oid",
            "fail",
            "\\u{202e}",
        ),
    ];
    for (fixture, hop, id, status, shows) in cases {
        let doc = token_json(fixture, &["--hop", hop]);
        let c = doc.check(id);
        assert_eq!(c["code"], "token.inexact-match", "{fixture}: {c}");
        assert_eq!(c["status"], *status, "{fixture}: {c}");
        let detail = c["detail"].as_str().unwrap_or("");
        assert!(detail.contains("Context7"), "{fixture}: {detail}");
        assert!(detail.contains("compares exactly"), "{fixture}: {detail}");
        assert!(detail.contains(shows), "{fixture}: {detail}");
    }
    // The same claims in Entra's form pass, on both hops.
    for (fixture, hop) in [
        ("obo-client-valid.jwt", "client"),
        ("obo-backend-valid.jwt", "backend"),
    ] {
        let doc = token_json(fixture, &["--hop", hop]);
        assert!(!doc.has("token.inexact-match"), "{fixture}: {doc:#}");
    }
    // Configured in upper case, the token in Entra's lower case: still a pass.
    let ids = mint::ids();
    let doc = Run::new()
        .args(["token", "--token-file"])
        .arg(tok("obo-client-valid.jwt"))
        .args(["--tenant-id", &ids.tenant, "--mcp-app-id", &ids.mcp])
        .args(["--gateway-app-id", &ids.gateway.to_ascii_uppercase()])
        .report();
    assert_eq!(doc.check("token.audience")["status"], "pass", "{doc:#}");
    // The override character never reaches the terminal raw.
    let r = Run::new()
        .args(["token", "--hop", "backend", "--token-file"])
        .arg(tok("inexact-oid-rlo.jwt"))
        .args(configured())
        .output();
    assert!(!r.stdout.contains('\u{202e}'), "{}", r.stdout);
    assert!(r.stdout.contains("U+202E"), "{}", r.stdout);
}

#[test]
fn a_key_written_twice_is_a_warning_naming_it_and_its_values() {
    let ids = mint::ids();
    let doc = token_json(
        "duplicate-claims.jwt",
        &["--provisioned", "fixtures/tokens/provisioned.csv"],
    );
    let c = doc.check("token.duplicates");
    assert_eq!(c["code"], "token.duplicate-key", "{c}");
    assert_eq!(c["status"], "warn");
    let detail = c["detail"].as_str().unwrap_or("");
    assert!(detail.contains("the payload has oid 2 times"), "{detail}");
    assert!(
        detail.contains(&ids.user_oid) && detail.contains(&ids.other_oid),
        "{detail}"
    );
    assert!(
        detail.contains("validators take different values"),
        "{detail}"
    );
    // The last value is the one read (serde_json's choice, shown as such).
    assert_eq!(
        doc.check("token.oid")["detail"],
        format!("oid {}", ids.other_oid)
    );
    assert_eq!(doc["verdict"], "warn", "{doc:#}");
    assert!(!token_json("obo-client-valid.jwt", &[]).has("token.duplicate-key"));
}

// ---------------------------------------------------------------- input

#[test]
fn token_arrives_every_documented_way() {
    let ids_cfg = configured();
    let cfg: Vec<&str> = ids_cfg.iter().map(String::as_str).collect();
    let token = std::fs::read_to_string(tok("obo-client-valid.jwt")).expect("fixture");
    let want = c7doctor::report::redact::fingerprint(token.trim());
    let expect_pass = |r: Output, how: &str| {
        let doc = r.report();
        assert_eq!(doc["verdict"], "pass", "{how}: {doc:#}");
        assert_eq!(doc["context"]["token"], want.as_str(), "{how}");
    };
    // Piped stdin with `Bearer ` and a trailing newline.
    let mut args = vec!["token", "--format", "json"];
    args.extend(&cfg);
    expect_pass(
        run(&args, Some(format!("Bearer {token}").into_bytes())),
        "stdin",
    );
    // `-`.
    let mut args = vec!["token", "-", "--format", "json"];
    args.extend(&cfg);
    expect_pass(run(&args, Some(token.clone().into_bytes())), "dash");
    // A whole token-endpoint response.
    let mut args = vec![
        "token",
        "--format",
        "json",
        "--token-file",
        "fixtures/tokens/token-response.json",
    ];
    args.extend(&cfg);
    expect_pass(run(&args, None), "token response JSON");
    // The environment.
    let doc = Run::new()
        .arg("token")
        .args(&cfg)
        .env("C7DOCTOR_TOKEN", token.trim())
        .report();
    assert_eq!(doc["verdict"], "pass");
    assert_eq!(doc["context"]["token_source"], "$C7DOCTOR_TOKEN");
}

#[test]
fn bad_input_is_malformed_not_a_crash() {
    let big = {
        let mut t = String::from("eyJhbGciOiJSUzI1NiJ9.");
        t.push_str(&"A".repeat(2 * 1024 * 1024));
        t.push_str(".sig");
        t.into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty stdin", Vec::new(), "empty input"),
        ("whitespace", b"  \n\t".to_vec(), "empty input"),
        (
            "invalid UTF-8",
            vec![0x65, 0x79, 0xff, 0xfe, 0x2e, 0x00],
            "UTF-8",
        ),
        ("2 MB", big, "bytes"),
        ("garbage", b"hello, world".to_vec(), "not a JWT"),
        (
            "two segments",
            b"eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0".to_vec(),
            "2 segments",
        ),
        ("five segments", b"a.b.c.d.e".to_vec(), "JWE"),
        ("base64 with +", b"eyJ+bGci.eyJ.c2ln".to_vec(), "base64url"),
        (
            "payload not JSON",
            b"eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln".to_vec(),
            "not JSON",
        ),
        (
            "api key",
            b"ctx7sk-0123456789abcdef0123".to_vec(),
            "c7doctor key",
        ),
    ];
    for (what, input, sentence) in cases {
        for format in ["json", "text", "markdown"] {
            let r = run(&["token", "--format", format], Some(input.clone()));
            assert_eq!(r.code, 1, "{what} ({format}): {}", r.stderr);
            assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
            if format == "json" {
                let doc = r.report();
                let c = doc.check("token.decode");
                assert_eq!(c["code"], "token.malformed", "{what}");
                assert!(
                    c["detail"].as_str().unwrap_or("").contains(sentence),
                    "{what}: {c}"
                );
            }
        }
    }
    for f in [
        "two-segments.jwt",
        "jwe.jwt",
        "payload-not-json.jwt",
        "garbage.txt",
    ] {
        let doc = token_json(f, &[]);
        assert_eq!(doc.code, 1);
        assert_eq!(doc.check("token.decode")["code"], "token.malformed", "{f}");
    }
}

#[test]
fn missing_token_file_is_a_usage_error_naming_the_path() {
    let r = run(&["token", "--token-file", "no/such/token.jwt"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no/such/token.jwt"), "{}", r.stderr);
    let r = run(
        &[
            "token",
            "--token-file",
            "fixtures/tokens/obo-client-valid.jwt",
            "--backend-token",
            "no/such/backend.jwt",
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no/such/backend.jwt"), "{}", r.stderr);
    let r = run(
        &[
            "token",
            "--token-file",
            "fixtures/tokens/obo-client-valid.jwt",
            "--at",
            "yesterday",
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--at"), "{}", r.stderr);
}

// ---------------------------------------------------------------- two hops

#[test]
fn two_hops_are_compared_in_the_guides_table() {
    let doc = token_json(
        "obo-client-valid.jwt",
        &["--backend-token", "fixtures/tokens/obo-backend-valid.jwt"],
    );
    assert_eq!(doc["verdict"], "pass", "{doc:#}");
    assert_eq!(doc.code, 0);
    assert_eq!(doc.check("token.hops")["status"], "pass");
    assert_eq!(doc.check("token.backend.audience")["status"], "pass");
    let table = doc["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "token.hops"))
        .expect("hop table");
    assert_eq!(
        table["headers"],
        serde_json::json!(["hop", "iss", "aud", "oid", "scp"])
    );
    let rows = table["rows"].as_array().expect("rows");
    assert!(rows.iter().any(|r| r[0] == "Client → APIM"));
    assert!(
        rows[0][2].as_str().unwrap_or("").starts_with('✓'),
        "{rows:?}"
    );

    let doc = token_json(
        "obo-client-valid.jwt",
        &["--backend-token", "fixtures/tokens/backend-other-user.jwt"],
    );
    assert_eq!(doc.code, 1);
    assert_eq!(doc.check("token.hops")["code"], "token.hops-user-mismatch");
    let table = doc["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "token.hops"))
        .expect("hop table");
    let text = table.to_string();
    assert!(text.contains('✗'), "{text}");

    // The client token forwarded without OBO.
    let doc = token_json(
        "obo-client-valid.jwt",
        &["--backend-token", "fixtures/tokens/obo-client-valid.jwt"],
    );
    let f = doc.codes_with("fail");
    assert!(f.contains(&"token.audience-other-hop"), "{f:?}");

    // Text output shows the table.
    let cfg = configured();
    let mut args = vec![
        "token",
        "--token-file",
        "fixtures/tokens/obo-client-valid.jwt",
        "--backend-token",
        "fixtures/tokens/obo-backend-valid.jwt",
    ];
    args.extend(cfg.iter().map(String::as_str));
    let r = run(&args, None);
    assert!(r.stdout.contains("End-to-end token claims"), "{}", r.stdout);
}

// ---------------------------------------------------------------- --verify

mod loopback {
    use axum::Router;
    use axum::extract::Path;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use serde_json::{Value, json};

    /// A loopback Entra: the tenant's OIDC document and keys; other tenants get AADSTS90002.
    pub struct Server {
        pub authority: String,
        _rt: tokio::runtime::Runtime,
    }

    pub fn start(tenant: &str, jwks: Value) -> Server {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let authority = format!("http://{addr}");
        let tenant = tenant.to_string();
        let base = authority.clone();
        let t1 = tenant.clone();
        let app = Router::new()
            .route(
                "/{tenant}/v2.0/.well-known/openid-configuration",
                get(move |Path(t): Path<String>| {
                    let base = base.clone();
                    let ok = t == t1;
                    async move {
                        if !ok {
                            return (
                                StatusCode::BAD_REQUEST,
                                axum::Json(json!({
                                    "error": "invalid_tenant",
                                    "error_description": format!("AADSTS90002: Tenant '{t}' not found."),
                                    "error_codes": [90002],
                                })),
                            )
                                .into_response();
                        }
                        axum::Json(json!({
                            "issuer": format!("{base}/{t}/v2.0"),
                            "jwks_uri": format!("{base}/{t}/discovery/v2.0/keys"),
                            "authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/authorize"),
                            "token_endpoint": format!("{base}/{t}/oauth2/v2.0/token"),
                        }))
                        .into_response()
                    }
                }),
            )
            .route(
                "/{tenant}/discovery/v2.0/keys",
                get(move || {
                    let jwks = jwks.clone();
                    async move { axum::Json(jwks) }
                }),
            );
        rt.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server { authority, _rt: rt }
    }
}

fn jwks_file(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(&format!("keys/{name}"))).expect("jwks"))
        .expect("jwks json")
}

#[test]
fn verify_fetches_the_tenants_keys_over_loopback() {
    let ids = mint::ids();
    let good = loopback::start(&ids.tenant, jwks_file("jwks.json"));
    let doc = token_json(
        "obo-client-valid.jwt",
        &["--verify", "--authority", &good.authority],
    );
    assert_eq!(doc.check("token.signature")["status"], "pass", "{doc:#}");
    let doc = token_json(
        "unknown-kid.jwt",
        &["--verify", "--authority", &good.authority],
    );
    assert_eq!(doc.check("token.signature")["code"], "token.key-unknown");
    let doc = token_json(
        "signature-tampered.jwt",
        &["--verify", "--authority", &good.authority],
    );
    assert_eq!(
        doc.check("token.signature")["code"],
        "token.signature-invalid"
    );
    // A token from a tenant the authority does not know: AADSTS90002.
    let doc = token_json(
        "issuer-wrong-tenant.jwt",
        &["--verify", "--authority", &good.authority],
    );
    assert_eq!(
        doc.check("token.signature")["code"],
        "discovery.tenant-missing",
        "{doc:#}"
    );
    // A Graph token is explained, not called forged.
    let doc = token_json(
        "graph-token.jwt",
        &["--verify", "--authority", &good.authority],
    );
    let sig = doc.check("token.signature");
    assert_eq!(sig["status"], "info");
    assert_eq!(sig["code"], "token.graph-audience");
    assert!(
        sig["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not a forgery"),
        "{sig}"
    );

    let wrong = loopback::start(&ids.tenant, jwks_file("jwks-other-key-same-kid.json"));
    let doc = token_json(
        "obo-client-valid.jwt",
        &["--verify", "--authority", &wrong.authority],
    );
    assert_eq!(
        doc.check("token.signature")["code"],
        "token.signature-invalid",
        "{doc:#}"
    );
}

#[test]
fn verify_against_a_dead_authority_is_a_finding() {
    // Bind and drop a port so nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let authority = format!("http://127.0.0.1:{port}");
    let doc = token_json(
        "obo-client-valid.jwt",
        &["--verify", "--authority", &authority, "--timeout", "2"],
    );
    assert_eq!(doc.code, 1);
    assert_eq!(
        doc.check("token.signature")["code"],
        "discovery.unreachable"
    );
}

// Leaks: the one leak suite (tests/integration/leaks.rs) runs `token` (client and backend
// tokens, --verify, a pasted token response) in every format, with and without -v, and checks
// that markdown masks personal claims unless --show-pii.

// ---------------------------------------------------------------- snapshots

fn snapshot_output(fixture_name: &str, format: &str) -> String {
    let cfg = configured();
    let path = format!("fixtures/tokens/{fixture_name}");
    let mut args = vec!["token", "--format", format, "--token-file", &path];
    args.extend(cfg.iter().map(String::as_str));
    let r = run(&args, None);
    r.stdout
}

#[test]
fn snapshots_of_a_passing_and_a_failing_token() {
    let settings = snapshot::settings();
    settings.bind(|| {
        for (name, label) in [("obo-client-valid.jwt", "pass"), ("expired.jwt", "fail")] {
            for format in ["text", "json", "markdown"] {
                insta::assert_snapshot!(
                    format!("token_{label}_{format}"),
                    snapshot_output(name, format)
                );
            }
        }
    });
}
