//! Golden outputs: a small report per preset (and per variant that exercises a mechanism the
//! presets leave off) is checked in under `tests/golden/` and regenerated here byte for byte. Any
//! change to any number a seeded run produces fails this test.
//!
//! When a change is intended (and listed in the CHANGELOG), bless the new outputs with
//!
//! ```sh
//! NEGCYCLE_BLESS=1 cargo test --release --test golden
//! ```
//!
//! and commit the updated files together with the change.

mod common;

use negcycle::alliance::Alliance;
use negcycle::prelude::*;
use std::path::PathBuf;

const SEED: u64 = 20_190_308;

/// Small but not trivial: two blocks (one partial), three arms.
fn golden_report(scenario: Scenario) -> String {
    Experiment::new(scenario)
        .cycle_years([1.0, 2.0, 5.0])
        .trials(300)
        .seed(SEED)
        .run()
        .expect("golden run")
        .to_json_string()
        .expect("json")
        + "\n"
}

fn with(preset: &str, overrides: &[(&str, &str)]) -> Scenario {
    let mut s = Scenario::preset(preset).expect("preset");
    for (k, v) in overrides {
        s = s.with_override(k, v).expect("override");
    }
    s
}

/// Every golden: (file stem, its JSON now).
fn goldens() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Scenario::presets()
        .into_iter()
        .map(|p| (p.to_string(), golden_report(with(p, &[]))))
        .collect();
    // The war-of-attrition lapse model (MODEL.md §5.3), off in every preset.
    out.push((
        "us_rok_sma_attrition".into(),
        golden_report(with("us_rok_sma", &[("lapse.model", "attrition")])),
    ));
    // Ståhl's finite-horizon split under complete information.
    out.push((
        "frictionless_stahl".into(),
        golden_report(with("frictionless", &[("protocol.horizon", "finite")])),
    ));
    // Every option of model 0.2 at once (MODEL.md §10), with a schedule arm beside the cycles.
    let v02 = with(
        "us_rok_sma",
        &[
            ("protocol.rounds", "8"),
            ("protocol.lapse_round_months", "2"),
            ("protocol.clock", "deadline"),
            ("patron.opening_reference", "fair"),
            ("host.opening_reference", "fair"),
            ("support.erosion", "demanded_increase"),
            ("agreement.schedule", "[1, 2]"),
            ("patron.regimes.first_change_years", "2"),
            ("patron.regimes.hardline_probability", "0.3"),
            ("patron.regimes.opening", "1.6"),
            ("patron.regimes.margin", "0.0"),
            ("patron.regimes.lapse_pressure", "0.12"),
            ("patron.regimes.lock_in", "true"),
        ],
    );
    let report = Experiment::new(v02)
        .cycle_years([1.0, 5.0])
        .schedule("once_annual", [5.0, 1.0])
        .trials(300)
        .seed(SEED)
        .run()
        .expect("0.2 options golden run");
    out.push((
        "us_rok_sma_v02_options".into(),
        report.to_json_string().expect("json") + "\n",
    ));
    // The alliance preset: Korea annual against five years, Japan and NATO fixed.
    let alliance = Alliance::preset("us_alliances").expect("alliance preset");
    let grids = common::korea_grid(&alliance);
    let report = Experiment::new(alliance)
        .grid(&grids)
        .trials(300)
        .seed(SEED)
        .run()
        .expect("alliance golden run");
    out.push((
        "us_alliances".into(),
        report.to_json_string().expect("json") + "\n",
    ));
    // The same with the premium precedent rule (MODEL.md §10.7).
    let premium = Alliance::preset("us_alliances")
        .and_then(|a| a.with_override("linkage.precedent", "premium"))
        .expect("premium rule");
    let report = Experiment::new(premium)
        .grid(&grids)
        .trials(300)
        .seed(SEED)
        .run()
        .expect("alliance premium golden run");
    out.push((
        "us_alliances_premium".into(),
        report.to_json_string().expect("json") + "\n",
    ));
    out
}

fn golden_path(stem: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(format!("{stem}.json"))
}

#[test]
fn every_golden_report_is_reproduced_byte_for_byte() {
    let bless = std::env::var_os("NEGCYCLE_BLESS").is_some();
    let mut failures = Vec::new();
    for (stem, json) in goldens() {
        let path = golden_path(&stem);
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
                    "{stem}: differs from {} (first difference at line {line})",
                    path.display()
                ));
            }
            Err(e) => failures.push(format!("{stem}: cannot read {}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "golden outputs changed:\n  {}\nIf the change is intended, list it in CHANGELOG.md and run \
         `NEGCYCLE_BLESS=1 cargo test --release --test golden`.",
        failures.join("\n  ")
    );
}
