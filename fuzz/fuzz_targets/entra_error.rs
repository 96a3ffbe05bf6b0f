//! The Entra token-endpoint error mapper on arbitrary bodies and content types.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let status = if data.first().is_some_and(|b| b & 1 == 1) { 400 } else { 401 };
    let ct = if data.len() % 2 == 0 { Some("application/json; charset=utf-8") } else { Some("text/html") };
    let _ = c7doctor::entra::errors::parse_entra_error(status, ct, data);
});
