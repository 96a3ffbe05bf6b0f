//! The RFC 7235 `WWW-Authenticate` parser on arbitrary header values.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = c7doctor::discovery::www_authenticate::parse(text);
    }
});
