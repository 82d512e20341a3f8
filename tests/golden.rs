//! Golden outputs: a small report per preset is checked in under `tests/golden/` and regenerated
//! here byte for byte. Any change to any number a seeded run produces fails this test.
//!
//! When a change is intended (and listed in the CHANGELOG), bless the new outputs with
//!
//! ```sh
//! NEGCYCLE_BLESS=1 cargo test --release --test golden
//! ```
//!
//! and commit the updated files together with the change.

use negcycle::prelude::*;
use std::path::PathBuf;

/// Small but not trivial: two blocks (one partial), three arms, every preset.
fn golden_report(preset: &str) -> Report {
    Experiment::new(Scenario::preset(preset).expect("preset"))
        .cycle_years([1.0, 2.0, 5.0])
        .trials(300)
        .seed(20_190_308)
        .run()
        .expect("golden run")
}

fn golden_path(preset: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(format!("{preset}.json"))
}

#[test]
fn every_preset_reproduces_its_golden_report_byte_for_byte() {
    let bless = std::env::var_os("NEGCYCLE_BLESS").is_some();
    let mut failures = Vec::new();
    for preset in Scenario::presets() {
        let json = golden_report(preset).to_json_string().expect("json") + "\n";
        let path = golden_path(preset);
        if bless {
            std::fs::write(&path, &json).expect("write golden file");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == json => {}
            Ok(expected) => {
                let line = expected
                    .lines()
                    .zip(json.lines())
                    .position(|(a, b)| a != b)
                    .map_or(0, |i| i + 1);
                failures.push(format!(
                    "{preset}: differs from {} (first difference at line {line})",
                    path.display()
                ));
            }
            Err(e) => failures.push(format!("{preset}: cannot read {}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "golden outputs changed:\n  {}\nIf the change is intended, list it in CHANGELOG.md and run \
         `NEGCYCLE_BLESS=1 cargo test --release --test golden`.",
        failures.join("\n  ")
    );
}
