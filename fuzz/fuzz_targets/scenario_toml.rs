//! Bytes → UTF-8 → `Scenario::from_toml_str`; a valid scenario is round-tripped and simulated.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        negcycle_fuzz::check_parsed(text, negcycle::Scenario::from_toml_str(text));
    }
});
