//! `apikey.*`: each code raised by a key file of `fixtures/apikeys/`.

use super::{Row, fixture_row};

/// `key --key-file FIXTURE`.
const KEY: &[&str] = &["key", "--key-file", "{fixture}"];

pub const ROWS: &[Row] = &[
    fixture_row("apikey.format", "apikeys/openai-style.txt", KEY),
    fixture_row("apikey.format", "apikeys/jwt-instead.txt", KEY),
    fixture_row("apikey.placeholder", "apikeys/named-value-reference.txt", KEY),
    fixture_row("apikey.placeholder", "apikeys/template-placeholder.txt", KEY),
];
