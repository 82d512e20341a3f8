//! Checks shared by the fuzz targets: what must hold for any text given to the scenario API.
//!
//! - Parsing never panics; an error names where it is (a TOML/JSON error's line is inside the
//!   text, every violation names a real key path).
//! - A scenario that parses is valid, round-trips through `to_toml_string`/`to_json_string`, and
//!   builds a `Model`.
//! - A short simulation of it (2 trials × 2 arms: its `cycle_years` and one step) gives finite
//!   metrics, shares in [0, 1], non-negative counts and costs, and finite records.
//!
//! The five bugs these checks found are fixed (commit 8729da2; tests/fuzz_regressions.rs). A new
//! known bug can be tolerated here for a while, next to an `#[ignore = "bug: …"]` regression
//! test, so that fuzzing goes on past it.

use negcycle::metrics::TrialMetrics;
use negcycle::{Model, NegotiationRecord, Scenario, ScenarioError};
use std::sync::OnceLock;

/// Simulation is skipped above this many steps in the horizon (one input must stay fast).
pub const MAX_SIMULATED_STEPS: usize = 20_000;
/// ... and above this many rounds of talks over the horizon (`horizon_steps · rounds_per_step`).
pub const MAX_SIMULATED_ROUNDS: u64 = 1_000_000;
/// ... and above this many rounds in one window (`window steps · rounds_per_step`).
pub const MAX_WINDOW_ROUNDS: u64 = 10_000;

/// Seeds and trials simulated per valid scenario.
const SEED: u64 = 2019;
const TRIALS: u64 = 2;

/// Checks the result of parsing `text` (TOML or JSON).
pub fn check_parsed(text: &str, result: Result<Scenario, ScenarioError>) {
    match result {
        Ok(s) => check_valid(&s),
        Err(e) => check_error(text, &e),
    }
}

/// Checks an error: its message is not empty, a parse error's line is inside the text, and every
/// violation names a key path of the schema.
pub fn check_error(text: &str, e: &ScenarioError) {
    assert!(!e.to_string().trim().is_empty(), "empty error message");
    match e {
        ScenarioError::Parse { line, column, .. } => {
            let lines = text.split('\n').count();
            if let Some(l) = line {
                assert!(
                    *l >= 1 && *l <= lines,
                    "line {l} outside a {lines}-line text: {e}"
                );
            }
            if let Some(c) = column {
                assert!(*c >= 1, "column {c}: {e}");
            }
        }
        ScenarioError::Invalid(violations) => {
            assert!(!violations.is_empty(), "Invalid without violations");
            for v in violations {
                assert!(is_key_path(&v.field), "violation names no key: {v}");
            }
        }
        _ => {}
    }
}

/// Whether `path` is a key path of the scenario schema (asked of the crate's own override
/// machinery, so the list cannot drift).
pub fn is_key_path(path: &str) -> bool {
    static TEMPLATE: OnceLock<Scenario> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| Scenario::with_name("template"));
    !matches!(
        template.with_override(path, "0"),
        Err(ScenarioError::Override { ref message, .. }) if message.starts_with("no such key")
            || message.starts_with("not a dotted key path")
    )
}

/// Checks a scenario that the API accepted.
pub fn check_valid(s: &Scenario) {
    if let Err(e) = s.validate() {
        panic!("accepted scenario does not validate: {e}");
    }
    let toml = s
        .to_toml_string()
        .unwrap_or_else(|e| panic!("valid scenario has no TOML form: {e}"));
    match Scenario::from_toml_str(&toml) {
        Ok(back) => assert_eq!(&back, s, "TOML round trip changed the scenario:\n{toml}"),
        Err(e) => panic!("TOML form does not parse back: {e}\n{toml}"),
    }
    let json = s
        .to_json_string()
        .unwrap_or_else(|e| panic!("valid scenario has no JSON form: {e}"));
    match Scenario::from_json_str(&json) {
        Ok(back) => assert_eq!(&back, s, "JSON round trip changed the scenario:\n{json}"),
        Err(e) => panic!("JSON form does not parse back: {e}\n{json}"),
    }
    simulate(s);
}

/// Whether [`simulate`] runs `s` (or skips it as too slow for fuzzing).
pub fn small_enough(s: &Scenario) -> bool {
    let h = s.horizon_steps();
    let rps = u64::from(s.protocol.rounds_per_step);
    let window = s
        .months_to_steps(s.agreement.window_months)
        .unwrap_or(0)
        .max(1);
    h <= MAX_SIMULATED_STEPS
        && (h as u64).saturating_mul(rps) <= MAX_SIMULATED_ROUNDS
        && window.saturating_mul(rps) <= MAX_WINDOW_ROUNDS
}

/// Runs 2 trials of 2 arms (the scenario's `cycle_years` and one step) and checks the metrics.
pub fn simulate(s: &Scenario) {
    if !small_enough(s) {
        return;
    }
    let model = match Model::new(s.clone()) {
        Ok(m) => m,
        Err(e) => panic!("valid scenario fails Model::new: {e}"),
    };
    let one_step = 1.0 / f64::from(s.steps_per_year);
    let mut records = Vec::new();
    for cycle in [s.agreement.cycle_years, one_step] {
        let arm = match model.arm(cycle) {
            Ok(a) => a,
            Err(e) => panic!("valid scenario rejects arm {cycle}: {e}"),
        };
        for trial in 0..TRIALS {
            let path = model.path(SEED, trial);
            let m = model.run(&arm, &path, SEED, trial, &mut records);
            check_metrics(&m, cycle, trial);
            check_records(&records, cycle, trial);
        }
    }
}

/// Every metric finite; shares in [0, 1]; counts, months and costs non-negative.
pub fn check_metrics(m: &TrialMetrics, cycle: f64, trial: u64) {
    let at = format!("arm {cycle}, trial {trial}");
    for (info, x) in negcycle::METRICS.iter().zip(m.values()) {
        assert!(x.is_finite(), "{at}: {} = {x}", info.name);
    }
    for (name, x) in [
        ("negotiation_share", m.negotiation_share),
        ("unsettled_share", m.unsettled_share),
        ("support_final", m.support_final),
        ("support_min", m.support_min),
        ("ruptured", m.ruptured),
    ] {
        assert!(
            (0.0..=1.0).contains(&x),
            "{at}: {name} = {x} outside [0, 1]"
        );
    }
    for (name, x) in [
        ("negotiations", m.negotiations),
        ("rounds", m.rounds),
        ("lapses", m.lapses),
        ("lapse_months", m.lapse_months),
        ("transaction_cost", m.transaction_cost),
        ("lapse_cost", m.lapse_cost),
        ("mismatch", m.mismatch),
        ("payment_volatility", m.payment_volatility),
        ("rigidity_cost", m.rigidity_cost),
        ("payments", m.payments),
        ("payments_vs_fair", m.payments_vs_fair),
        ("joint_loss", m.joint_loss),
    ] {
        assert!(x >= 0.0, "{at}: {name} = {x} < 0");
    }
    // The lowest level over the horizon cannot exceed the level at its end.
    assert!(
        m.support_min <= m.support_final,
        "{at}: support_min {} > support_final {}",
        m.support_min,
        m.support_final
    );
}

/// Every record's numbers finite.
pub fn check_records(records: &[NegotiationRecord], cycle: f64, trial: u64) {
    for r in records {
        assert!(
            r.signing_months.is_finite()
                && r.opening_gap.is_finite()
                && r.premium.is_none_or(f64::is_finite),
            "arm {cycle}, trial {trial}: non-finite record {r:?}"
        );
    }
}

/// The preset that override inputs modify.
pub fn base_preset() -> &'static Scenario {
    static BASE: OnceLock<Scenario> = OnceLock::new();
    BASE.get_or_init(|| Scenario::preset("us_rok_sma").expect("preset"))
}

/// Checks `key=value` applied to [`base_preset`].
pub fn check_override(input: &str) {
    let (key, value) = input.split_once('=').unwrap_or((input, ""));
    match base_preset().with_override(key, value) {
        Ok(s) => check_valid(&s),
        Err(ScenarioError::Override { key: k, message }) => {
            assert_eq!(k, key, "override error names another key");
            assert!(!message.trim().is_empty(), "empty override message");
        }
        Err(e) => check_error(value, &e),
    }
}
