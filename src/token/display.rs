//! What a decoded token shows in a report: its header, every claim (personal ones flagged
//! so markdown masks them), and its times in UTC and relative to the evaluation instant.
//! Never the signature, never the token itself: it is named by its fingerprint.

use serde_json::Value;

use super::Expect;
use super::decode::Decoded;
use crate::report::redact::is_pii_claim;
use crate::report::{Field, Section};

/// Claims holding Unix times.
const TIME_CLAIMS: &[&str] = &["exp", "nbf", "iat", "auth_time", "pwd_exp", "xms_tcdt"];

/// A Unix time as `2026-11-23T10:00:00Z` (or the raw number when out of range).
pub fn utc(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => format!("{secs} (out of range)"),
    }
}

/// A span in words: "45 s", "54 min", "2 h 13 min", "3 d 4 h".
pub fn human_duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        let (h, m) = (s / 3600, (s % 3600) / 60);
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else {
        let (d, h) = (s / 86_400, (s % 86_400) / 3600);
        if h == 0 {
            format!("{d} d")
        } else {
            format!("{d} d {h} h")
        }
    }
}

/// `ts` relative to `reference`: "in 54 min", "2 h 13 min ago", "now".
pub fn relative(ts: i64, reference: i64) -> String {
    match ts.saturating_sub(reference) {
        0 => "now".into(),
        d if d > 0 => format!("in {}", human_duration(d)),
        d => format!("{} ago", human_duration(-d)),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field(name: &str, value: String) -> Field {
    if is_pii_claim(name) {
        Field::pii(name, value)
    } else {
        Field::new(name, value)
    }
}

/// The header, payload and times sections. `prefix` names them (`token`, `backend`), `label`
/// titles them ("Token", "Backend token").
pub fn sections(d: &Decoded, exp: &Expect, prefix: &str, label: &str) -> Vec<Section> {
    // Members no JSON number holds (1e309) are shown as written, in their segment.
    let raw_fields = |segment: &str| -> Vec<Field> {
        d.unrepresentable
            .iter()
            .filter(|m| m.segment == segment)
            .map(|m| {
                field(
                    &m.key,
                    format!("{} (a number no validator can read)", m.raw),
                )
            })
            .collect()
    };
    let mut header: Vec<Field> = d
        .header
        .iter()
        .map(|(k, v)| field(k, value_text(v)))
        .collect();
    header.extend(raw_fields("header"));
    // Each claim keeps its JSON value (`exp` a number) beside the text shown.
    let claims = d
        .claims
        .iter()
        .map(|(k, v)| {
            let text = match (TIME_CLAIMS.contains(&k.as_str()), v.as_i64()) {
                (true, Some(t)) => format!("{t} ({})", utc(t)),
                _ => value_text(v),
            };
            let f = Field::typed(k.as_str(), v.clone(), text);
            if is_pii_claim(k) { f.personal() } else { f }
        })
        .chain(raw_fields("payload"))
        .collect();
    let at = exp.at.as_second();
    let now = exp.now.as_second();
    let mut times = vec![Field::new("fingerprint", d.fingerprint.clone())];
    if at == now {
        times.push(Field::new("evaluated at", format!("{} (now)", utc(at))));
    } else {
        times.push(Field::new(
            "evaluated at",
            format!("{} (--at; now is {})", utc(at), utc(now)),
        ));
    }
    for (name, t) in [("iat", d.iat()), ("nbf", d.nbf()), ("exp", d.exp())] {
        if let Some(t) = t {
            times.push(Field::new(
                name,
                format!("{} ({})", utc(t), relative(t, at)),
            ));
        } else if d.claims.contains_key(name) || d.unrepresentable_claim(name).is_some() {
            times.push(Field::new(name, "present, not a usable date"));
        } else {
            times.push(Field::new(name, "absent"));
        }
    }
    if let (Some(e), Some(start)) = (d.exp(), d.nbf().or(d.iat())) {
        let life = e.saturating_sub(start);
        times.push(Field::new(
            "lifetime",
            format!("{} ({life} s)", human_duration(life)),
        ));
    }
    times.push(Field::new("leeway", format!("{} s", exp.leeway_secs)));
    if d.padded {
        times.push(Field::new(
            "encoding",
            "base64url with '=' padding (accepted)",
        ));
    }
    vec![
        Section::fields(
            &format!("{prefix}.times"),
            &format!("{label}: validity"),
            times,
        ),
        Section::fields(
            &format!("{prefix}.header"),
            &format!("{label}: header"),
            header,
        ),
        Section::fields(
            &format!("{prefix}.claims"),
            &format!("{label}: payload claims"),
            claims,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(54 * 60 + 10), "54 min");
        assert_eq!(human_duration(2 * 3600 + 13 * 60), "2 h 13 min");
        assert_eq!(human_duration(7200), "2 h");
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600 + 5), "3 d 4 h");
        assert_eq!(relative(100, 40), "in 1 min");
        assert_eq!(relative(0, 7980), "2 h 13 min ago");
        assert_eq!(relative(5, 5), "now");
        assert_eq!(utc(1_795_428_000), "2026-11-23T10:00:00Z");
    }
}
