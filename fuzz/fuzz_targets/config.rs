//! The config-file loader (TOML, known keys, types) on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = c7doctor::config::parse_config_text(std::path::Path::new("fuzz.toml"), text);
    }
});
