//! Bytes → UTF-8 → `key=value` (split at the first `=`) → `Scenario::with_override` on the
//! `us_rok_sma` preset; an accepted override is round-tripped and simulated.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        negcycle_fuzz::check_override(text);
    }
});
