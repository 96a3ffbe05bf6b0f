//! The time claims: `exp`, `nbf` and `iat` against the instant of the check (`--at`, else
//! now) with the clock-skew leeway, and the lifetime against the OBO cache of the guide's
//! policy. A time claim that is present but not a usable NumericDate is its own finding,
//! never taken for an absent one.

use serde_json::Value;

use crate::findings::Code;
use crate::token::codes;

use super::Expect;
use super::decode::Decoded;
use super::display::{human_duration, utc};
use crate::deployment::Pattern;
use crate::report::Check;

/// How long the guide's policy caches the OBO token (seconds).
pub const OBO_CACHE_SECS: i64 = 3000;

/// When is "at", in words for details: "" for now, " at 2026-… (--at)" otherwise.
fn at_phrase(exp: &Expect) -> String {
    if exp.at == exp.now {
        String::new()
    } else {
        format!(" at {} (--at)", utc(exp.at.as_second()))
    }
}

/// A time claim that is present but unusable as a date: not a JSON number (RFC 7519
/// NumericDate) — `"1e10"`, `true`, `null` —, or a number beyond any date — `1e309`, which
/// no 64-bit float holds, or past the year 9999. Each is its own finding, so neither is taken
/// for "no exp claim" nor the token for "not JSON". `None` when every named claim is absent
/// or a usable number. (code, detail, claim, the value as evidence)
fn unusable_time(d: &Decoded, names: &[&str]) -> Option<(Code, String, String, Value)> {
    for name in names {
        if let Some(raw) = d.unrepresentable_claim(name) {
            return Some((
                codes::TIME_OUT_OF_RANGE,
                format!(
                    "{name} is {}: a number beyond what a 64-bit float holds — serde_json \
                     refuses it, JavaScript's JSON.parse and Python's json read Infinity (a \
                     token that never expires, to a validator that only compares); Entra \
                     writes whole seconds",
                    raw.raw
                ),
                name.to_string(),
                Value::String(raw.raw.clone()),
            ));
        }
        let Some(v) = d.claims.get(*name) else {
            continue;
        };
        let Some(secs) = v.as_f64() else {
            return Some((
                codes::TIME_NOT_NUMERIC,
                format!(
                    "{name} is present but is {} {}, not a NumericDate (a JSON number of \
                     seconds): Entra writes numbers; validators reject such a token or ignore \
                     the claim",
                    crate::input::json_type(v, true),
                    crate::report::bounds::text(v.to_string())
                ),
                name.to_string(),
                v.clone(),
            ));
        };
        let range =
            jiff::Timestamp::MIN.as_second() as f64..=jiff::Timestamp::MAX.as_second() as f64;
        if !range.contains(&secs) {
            return Some((
                codes::TIME_OUT_OF_RANGE,
                format!(
                    "{name} is {v}: no date (beyond the years -9999 to 9999) — validators \
                     disagree about what it means; Entra writes whole seconds of the present"
                ),
                name.to_string(),
                v.clone(),
            ));
        }
    }
    None
}

/// `c` failed with the unusable time claim among `names`, if there is one.
fn not_numeric_date(c: &Check, d: &Decoded, names: &[&str]) -> Option<Check> {
    let (code, detail, name, value) = unusable_time(d, names)?;
    Some(c.clone().fail(code, detail).evidence(name, value))
}

pub fn check_expiry(d: &Decoded, exp: &Expect) -> Check {
    let c = Check::new("token.expiry", "Not expired (exp)");
    if let Some(finding) = not_numeric_date(&c, d, &["exp"]) {
        return finding;
    }
    let Some(e) = d.exp() else {
        return c.fail(
            codes::NO_EXPIRY,
            "no exp claim: Entra access tokens always expire — this token was not issued by Entra, \
             and validators reject it",
        );
    };
    let at = exp.at.as_second();
    let leeway = i64::try_from(exp.leeway_secs).unwrap_or(i64::MAX);
    let c = c.evidence("exp", e).evidence("exp_utc", utc(e));
    let when = at_phrase(exp);
    if e.saturating_add(leeway) <= at {
        return c.fail(
            codes::EXPIRED,
            format!(
                "expired {} ago{when} (exp {}, leeway {} s)",
                human_duration(at.saturating_sub(e)),
                utc(e),
                leeway
            ),
        );
    }
    if e <= at {
        return c.warn(
            codes::EXPIRED,
            format!(
                "expired {} ago{when}, accepted only within the {leeway} s clock-skew leeway",
                human_duration(at.saturating_sub(e))
            ),
        );
    }
    c.pass(format!(
        "valid for {} more{when} (until {})",
        human_duration(e.saturating_sub(at)),
        utc(e)
    ))
}

pub fn check_not_before(d: &Decoded, exp: &Expect) -> Check {
    let c = Check::new("token.not-before", "Already valid (nbf, iat)");
    if let Some(finding) = not_numeric_date(&c, d, &["nbf", "iat"]) {
        return finding;
    }
    let at = exp.at.as_second();
    let leeway = i64::try_from(exp.leeway_secs).unwrap_or(i64::MAX);
    let when = at_phrase(exp);
    if let Some(nbf) = d.nbf()
        && nbf > at.saturating_add(leeway)
    {
        return c
            .fail(
                codes::NOT_YET_VALID,
                format!(
                    "not valid for another {}{when} (nbf {}): this machine's clock or the \
                     issuer's is wrong",
                    human_duration(nbf.saturating_sub(at)),
                    utc(nbf)
                ),
            )
            .evidence("nbf", nbf)
            .evidence("nbf_utc", utc(nbf));
    }
    if let Some(iat) = d.iat()
        && iat > at.saturating_add(leeway)
    {
        return c
            .fail(
                codes::NOT_YET_VALID,
                format!(
                    "issued {} in the future{when} (iat {}): a clock is wrong",
                    human_duration(iat.saturating_sub(at)),
                    utc(iat)
                ),
            )
            .evidence("iat", iat)
            .evidence("iat_utc", utc(iat));
    }
    match d.nbf() {
        Some(nbf) => c.pass(format!("valid since {}", utc(nbf))),
        None => c.pass("no nbf claim"),
    }
}

pub fn check_lifetime(d: &Decoded, exp: &Expect) -> Check {
    let c = Check::new(
        "token.lifetime",
        format!("Lifetime covers the APIM OBO cache ({OBO_CACHE_SECS} s)"),
    );
    if let Some((code, _, name, _)) = unusable_time(d, &["exp", "nbf", "iat"]) {
        return c.skip(
            code,
            format!("{name} is not a usable date (see its check): the lifetime is unknown"),
        );
    }
    let Some(e) = d.exp() else {
        return c.skip(codes::NO_EXPIRY, "no exp claim: the lifetime is unknown");
    };
    let Some(start) = d.nbf().or(d.iat()) else {
        return c.pass("no nbf or iat: the lifetime is unknown");
    };
    let life = e.saturating_sub(start);
    let c = c.evidence("lifetime_s", life);
    if life < OBO_CACHE_SECS {
        if exp.pattern == Pattern::Obo {
            return c.warn(
                codes::SHORT_LIFETIME,
                format!(
                    "lifetime {} ({life} s) is shorter than the {OBO_CACHE_SECS} s the gateway \
                     caches the OBO token: cached tokens expire while still served — Context7 \
                     then answers \"Token expired\"",
                    human_duration(life.max(0))
                ),
            );
        }
        return c.pass(format!(
            "lifetime {} ({life} s); no OBO cache in the {} pattern",
            human_duration(life.max(0)),
            exp.pattern.as_str()
        ));
    }
    c.pass(format!("lifetime {} ({life} s)", human_duration(life)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::testing::{expect, token};
    use serde_json::json;

    #[test]
    fn malformed_time_claims_are_a_precise_finding() {
        for bad in [json!("1e10"), json!(true), json!(null), json!([1])] {
            let d = token(json!({"aud": "a", "exp": bad.clone()}));
            assert_eq!(
                check_expiry(&d, &expect()).code,
                Some(codes::TIME_NOT_NUMERIC),
                "{bad}"
            );
            let d = token(json!({"aud": "a", "exp": 1795431900, "nbf": bad.clone()}));
            assert_eq!(
                check_not_before(&d, &expect()).code,
                Some(codes::TIME_NOT_NUMERIC)
            );
        }
        let d = token(json!({"aud": "a"}));
        assert_eq!(check_expiry(&d, &expect()).code, Some(codes::NO_EXPIRY));
    }

    #[test]
    fn numbers_beyond_any_date_are_their_own_finding() {
        use base64::Engine;
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let d = crate::token::decode::decode(&format!(
            "{}.{}.c2ln",
            b(r#"{"alg":"RS256"}"#),
            b(r#"{"aud":"a","exp":1e309,"nbf":-1e309}"#)
        ))
        .unwrap();
        let c = check_expiry(&d, &expect());
        assert_eq!(c.code, Some(codes::TIME_OUT_OF_RANGE), "{}", c.detail);
        assert!(c.detail.contains("exp is 1e309"), "{}", c.detail);
        let c = check_not_before(&d, &expect());
        assert_eq!(c.code, Some(codes::TIME_OUT_OF_RANGE), "{}", c.detail);
        let c = check_lifetime(&d, &expect());
        assert_eq!(c.code, Some(codes::TIME_OUT_OF_RANGE), "{}", c.detail);
        for big in [json!(1e20), json!(-1e15), json!(253402300800_i64)] {
            let d = token(json!({"aud": "a", "exp": big.clone()}));
            assert_eq!(
                check_expiry(&d, &expect()).code,
                Some(codes::TIME_OUT_OF_RANGE),
                "{big}"
            );
        }
        // A fractional NumericDate is allowed (RFC 7519 §2) and stays usable.
        let d = token(json!({"aud": "a", "exp": 1795431600.5}));
        assert_eq!(check_expiry(&d, &expect()).code, None);
    }
}
