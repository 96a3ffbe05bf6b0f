//! Bounded evidence (DESIGN.md §4): no input amplifies into the report or memory.
//!
//! A server can send a 300 KB `WWW-Authenticate`, a JWKS of 10,001 keys, a policy of a
//! million repeated attributes; a check quoting what it saw would copy all of it into the
//! report. Every evidence value and every detail goes through here when it is set on a
//! [`super::Check`]: strings keep their first [`MAX_STRING_BYTES`] bytes, arrays their first
//! [`MAX_ITEMS`] items and objects their first [`MAX_ITEMS`] keys, nested values at most
//! [`MAX_DEPTH`] levels deep — and each cut says how much was left out.

use serde_json::{Map, Value};

/// Longest evidence string or detail kept, in bytes (cut at a character boundary).
pub const MAX_STRING_BYTES: usize = 2048;
/// Most items of an evidence list, or keys of an evidence object, kept.
pub const MAX_ITEMS: usize = 32;
/// Deepest nesting of evidence kept.
pub const MAX_DEPTH: usize = 8;

/// `text` cut to [`MAX_STRING_BYTES`], with `… (N more bytes)` when it was longer.
pub fn text(text: String) -> String {
    if text.len() <= MAX_STRING_BYTES {
        return text;
    }
    let kept = prefix(&text, MAX_STRING_BYTES);
    format!("{kept}… ({} more bytes)", text.len() - kept.len())
}

/// The longest start of `text` of at most `max` bytes that ends on a character boundary.
pub fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` cut to at most `max` bytes on a character boundary, with `…` when it was cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    format!("{}…", prefix(text, max))
}

/// An evidence value within the bounds.
pub fn value(v: Value) -> Value {
    bounded(v, 0)
}

fn bounded(v: Value, depth: usize) -> Value {
    match v {
        Value::String(s) => Value::String(text(s)),
        Value::Array(items) if depth >= MAX_DEPTH => Value::String(format!(
            "‹a list of {} items, nested too deep›",
            items.len()
        )),
        Value::Object(map) if depth >= MAX_DEPTH => Value::String(format!(
            "‹an object of {} keys, nested too deep›",
            map.len()
        )),
        Value::Array(items) => {
            let total = items.len();
            let mut kept: Vec<Value> = items
                .into_iter()
                .take(MAX_ITEMS)
                .map(|i| bounded(i, depth + 1))
                .collect();
            if total > MAX_ITEMS {
                kept.push(Value::String(format!("… and {} more", total - MAX_ITEMS)));
            }
            Value::Array(kept)
        }
        Value::Object(map) => {
            let total = map.len();
            let mut kept: Map<String, Value> = map
                .into_iter()
                .take(MAX_ITEMS)
                .map(|(k, v)| (text(k), bounded(v, depth + 1)))
                .collect();
            if total > MAX_ITEMS {
                kept.insert(
                    "…".into(),
                    Value::String(format!("{} more keys", total - MAX_ITEMS)),
                );
            }
            Value::Object(kept)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_and_lists_are_cut_with_a_count() {
        let s = text("é".repeat(200_000));
        assert!(s.len() < MAX_STRING_BYTES + 40, "{}", s.len());
        assert!(
            s.ends_with("… (397952 more bytes)"),
            "{}",
            &s[s.len() - 30..]
        );
        let kids: Vec<Value> = (0..10_001)
            .map(|i| Value::from(format!("kid-{i}")))
            .collect();
        let v = value(Value::Array(kids));
        let items = v.as_array().expect("array");
        assert_eq!(items.len(), MAX_ITEMS + 1);
        assert_eq!(items[MAX_ITEMS], "… and 9969 more");
        let mut deep = Value::from(1);
        for _ in 0..100 {
            deep = Value::Array(vec![deep]);
        }
        assert!(value(deep).to_string().contains("nested too deep"));
        assert_eq!(value(Value::from("short")), "short");
    }
}
