//! Regression tests from fuzzing scenario parsing and validation (`fuzz/`, see fuzz/README.md).
//!
//! Each test feeds one exact input to the API a fuzz target drives (`Scenario::from_toml_str`,
//! `from_json_str`, `with_override`, then `Model::new`/`arm`/`run`) and asserts what must hold:
//! an error naming the field, or a run with finite metrics. The first five tests are the five
//! findings, fixed in commit 8729da2 (a new, still open finding gets `#[ignore = "bug: …"]` until
//! it is fixed). The others pin interesting inputs from the fuzz corpus that are not bugs.

use negcycle::metrics::TrialMetrics;
use negcycle::{METRICS, Model, NegotiationRecord, Scenario, ScenarioError};
use std::sync::mpsc;
use std::time::Duration;

const SEED: u64 = 2019;

/// Runs `trials` trials of the arm `cycle_years` and returns each trial's metrics and records.
fn run(s: &Scenario, cycle_years: f64, trials: u64) -> Vec<(TrialMetrics, Vec<NegotiationRecord>)> {
    let model = Model::new(s.clone()).expect("a valid scenario builds a model");
    let arm = model.arm(cycle_years).expect("a valid arm");
    (0..trials)
        .map(|trial| {
            let mut records = Vec::new();
            let m = model.run(&arm, &model.path(SEED, trial), SEED, trial, &mut records);
            (m, records)
        })
        .collect()
}

/// The checks of the fuzz harness: every metric finite, shares in [0, 1], records finite, for
/// the scenario's own cycle length and one step, 2 trials each.
fn assert_runs_finite(s: &Scenario) {
    let one_step = 1.0 / f64::from(s.steps_per_year);
    for cycle in [s.agreement.cycle_years, one_step] {
        for (trial, (m, records)) in run(s, cycle, 2).into_iter().enumerate() {
            let at = format!("{}: arm {cycle}, trial {trial}", s.name);
            for (info, x) in METRICS.iter().zip(m.values()) {
                assert!(x.is_finite(), "{at}: {} = {x}", info.name);
            }
            for (name, x) in [
                ("negotiation_share", m.negotiation_share),
                ("unsettled_share", m.unsettled_share),
                ("support_final", m.support_final),
                ("support_min", m.support_min),
            ] {
                assert!((0.0..=1.0).contains(&x), "{at}: {name} = {x}");
            }
            for r in &records {
                assert!(
                    r.signing_months.is_finite()
                        && r.opening_gap.is_finite()
                        && r.premium.is_none_or(f64::is_finite),
                    "{at}: {r:?}"
                );
            }
        }
    }
}

fn preset_with(key: &str, value: &str) -> Scenario {
    Scenario::preset("us_rok_sma")
        .unwrap()
        .with_override(key, value)
        .unwrap_or_else(|e| panic!("{key}={value} should be accepted: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Findings (fixed in 8729da2; each doc comment describes the bug as it was).

/// Finding 1. A positive discount rate so small that `rate · cycle_years` underflows to 0 (here
/// 5e-324, the smallest subnormal, with a one-month arm) makes `analytic::annuity_factor` return
/// `-expm1(-0)/rate = 0`. The arm then has infinite lapse steps and cost rates, the first lapse
/// agrees at a premium of −∞, and mismatch, mean_premium, rigidity_cost, joint_loss (and the
/// records' premia) are ±∞.
#[test]
fn subnormal_discount_rate_gives_finite_metrics() {
    for key in [
        "discount_rate",
        "patron.discount_rate",
        "host.discount_rate",
    ] {
        assert_runs_finite(&preset_with(key, "5e-324"));
    }
    // The same through a file, with the scenario's own cycle: 5e-324 · 0.5 rounds to 0.
    let s = Scenario::from_toml_str(
        "name = \"tiny_rate\"\ndiscount_rate = 5e-324\n[agreement]\ncycle_years = 0.5\n",
    )
    .unwrap();
    let outcome = negcycle::simulate_trial(&s, 0.5, SEED, 0).unwrap();
    for (info, x) in METRICS.iter().zip(outcome.metrics.values()) {
        assert!(x.is_finite(), "{} = {x}", info.name);
    }
    // A tiny rate means no discounting: the annuity factor of L years is L.
    assert_eq!(negcycle::analytic::annuity_factor(5e-324, 0.5), 0.5);
}

/// Finding 2. `support_min` is the lowest anchor (the initial level and each level right after
/// an erosion), which is the minimum only while support sits below its baseline. Above the
/// baseline support relaxes *down* after the last anchor, so the reported minimum exceeds the
/// final level. Found by the `scenario_json` target (minimised input below: support decays from
/// 0.75 toward a baseline of 0 over a one-year horizon); the TOML input is the plain case
/// without erosion (1.0 against 0.5).
#[test]
fn support_min_is_at_most_support_final() {
    let found = Scenario::from_json_str(
        "{\n \"name\": \"es\",\n \"horizon_years\": 1,\n \n\"support\": {\n \"baseline\": 0,\n   \
         \"lapse_hit\": 0.2}\n}\n",
    )
    .unwrap();
    let plain = Scenario::from_toml_str(
        "name = \"support_above_baseline\"\n[support]\ninitial = 1.0\nbaseline = 0.5\n\
         gap_hit = 0\nlapse_hit = 0\n",
    )
    .unwrap();
    for s in [found, plain] {
        for cycle in [s.agreement.cycle_years, 1.0 / 12.0] {
            for (m, _) in run(&s, cycle, 2) {
                assert!(
                    m.support_min <= m.support_final,
                    "{}, arm {cycle}: support_min {} > support_final {}",
                    s.name,
                    m.support_min,
                    m.support_final
                );
            }
        }
    }
}

/// Finding 3. A subnormal `support.half_life_years` (valid: it is > 0) makes the per-step rate
/// `−Δ/h` equal to −∞, and `SupportState::level_at` at its own anchor step evaluates
/// `exp2(−∞ · 0) = NaN`. With a one-month arm the first window opens at step 0, the host's
/// ceiling is NaN, nothing is ever acceptable and the history ruptures at the first deadline;
/// no metric shows a NaN. A half-life of 1e-300 (the same instant relaxation, finite rate) runs
/// normally: both must give the same history.
#[test]
fn subnormal_support_half_life_relaxes_like_a_tiny_one() {
    let tiny = preset_with("support.half_life_years", "1e-300");
    let subnormal = preset_with("support.half_life_years", "5e-324");
    for cycle in [5.0, 1.0 / 12.0] {
        let a = run(&tiny, cycle, 2);
        let b = run(&subnormal, cycle, 2);
        for ((ma, _), (mb, _)) in a.iter().zip(&b) {
            assert_eq!(ma.ruptured, mb.ruptured, "arm {cycle}");
            assert_eq!(ma.negotiations, mb.negotiations, "arm {cycle}");
            assert_eq!(ma.payments, mb.payments, "arm {cycle}");
        }
    }
}

/// Finding 4. Under the attrition lapse model with no lapse cost on either side nobody ever
/// gives in, and `LapseSetup::attrition` draws two uniforms per lapse step up to
/// `max_lapse_months` (capped at u32::MAX steps), far past the 30-year horizon: one trial of a
/// valid scenario takes about half a minute (about 4.3e9 steps) instead of microseconds.
#[test]
fn attrition_lapse_without_give_in_ends_quickly() {
    let s = Scenario::from_toml_str(
        "name = \"endless_attrition\"\n[agreement]\nmax_lapse_months = 1e12\n\
         [lapse]\nmodel = \"attrition\"\n[patron]\nlapse_cost = 0\n[host]\nlapse_cost = 0\n",
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(negcycle::simulate_trial(&s, 5.0, SEED, 0));
    });
    let outcome = match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(outcome) => outcome.unwrap(),
        Err(_) => panic!("one trial took more than 5 s"),
    };
    // Nobody gives in, so the first lapse runs until the rupture, which falls after the horizon:
    // one lapse, the rest of the horizon lapsed, no rupture counted, a censored record.
    let m = &outcome.metrics;
    assert_eq!((m.lapses, m.ruptured), (1.0, 0.0));
    assert!(m.lapse_months > 0.0);
    let last = outcome.negotiations.last().unwrap();
    assert!(last.ruptured && !last.completed, "{last:?}");
}

/// Finding 5. `ScenarioError::Parse` documents 1-based columns, but serde_json reports column 0
/// for an error before the first character of a line is consumed (a value of the wrong type at
/// the very start, or end of input right after a newline), and `from_json_str` passes it on:
/// "JSON error at line 1, column 0".
#[test]
fn json_error_at_the_start_of_a_line_has_a_1_based_column() {
    for text in ["[\"x\"]", "{\"name\": \"x\",\n", "[1]"] {
        match Scenario::from_json_str(text) {
            Err(ScenarioError::Parse { line, column, .. }) => {
                assert!(line.is_some_and(|l| l >= 1), "{text:?}: line {line:?}");
                assert!(
                    column.is_some_and(|c| c >= 1),
                    "{text:?}: column {column:?}"
                );
            }
            other => panic!("{text:?}: expected a parse error, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Interesting inputs from the corpus (not bugs): they pass today and pin the behaviour.

/// The smallest valid inputs: every default but the name.
#[test]
fn smallest_valid_scenarios_run_finite() {
    for s in [
        Scenario::from_toml_str("name=\"x\"").unwrap(),
        Scenario::from_json_str("{\"name\":\"x\"}").unwrap(),
    ] {
        assert_eq!(s, Scenario::with_name("x"));
        assert_runs_finite(&s);
    }
}

/// Small valid inputs from the corpus at an edge of a rule: a margin written `-0` (the TOML
/// integer −0, which is 0), a huge initial level, yearly steps.
#[test]
fn corpus_edge_inputs_run_finite_and_round_trip() {
    let scenarios = [
        Scenario::from_toml_str("name = \"x\"\n[patron]\nmargin = -0\n").unwrap(),
        Scenario::from_json_str("{\"name\": \"x\", \"terms\":{\"initial\": 1e24}}").unwrap(),
        Scenario::from_toml_str("name = \"x\"\nhorizon_years = 5\nsteps_per_year = 1").unwrap(),
    ];
    assert_eq!(scenarios[0].patron.margin.to_bits(), 0.0f64.to_bits());
    for s in &scenarios {
        let toml = s.to_toml_string().unwrap();
        let back = Scenario::from_toml_str(&toml).unwrap();
        assert_eq!(&back, s);
        assert_eq!(back.patron.margin.to_bits(), s.patron.margin.to_bits());
        assert_eq!(
            &Scenario::from_json_str(&s.to_json_string().unwrap()).unwrap(),
            s
        );
        assert_runs_finite(s);
    }
}

/// Nesting far deeper than any parser stack: an error naming where it is, never a stack
/// overflow.
#[test]
fn deeply_nested_junk_is_an_error_not_a_crash() {
    let n = 100_000;
    let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let tables = format!("{}1{}", "{a=".repeat(n), "}".repeat(n));
    for text in [
        format!("name = \"x\"\nterms = {arrays}\n"),
        format!("name = \"x\"\ndescription = {arrays}\n"),
        format!("name = \"x\"\nhorizon_years = {tables}\n"),
    ] {
        match Scenario::from_toml_str(&text) {
            Err(ScenarioError::Parse { line, .. }) => assert_eq!(line, Some(2)),
            other => panic!("expected a TOML parse error, got {other:?}"),
        }
    }
    for text in [
        format!("{{\"name\": \"x\", \"terms\": {arrays}}}"),
        format!("{{\"name\": \"x\", \"description\": {arrays}}}"),
        format!("{{\"name\": {}\"x\"{}}}", "[".repeat(n), "]".repeat(n)),
    ] {
        match Scenario::from_json_str(&text) {
            Err(ScenarioError::Parse { line, .. }) => assert_eq!(line, Some(1)),
            other => panic!("expected a JSON parse error, got {other:?}"),
        }
    }
    let base = Scenario::preset("us_rok_sma").unwrap();
    for (key, value) in [("terms", &arrays), ("host.margin", &tables)] {
        match base.with_override(key, value) {
            Err(ScenarioError::Override { key: k, .. }) => assert_eq!(k, key),
            other => panic!("{key}: expected an override error, got {other:?}"),
        }
    }
}

/// Every key at or near the edge the rules allow (the `edges` seed of the fuzz corpus): tiny
/// rates and half-life, a near-zero concession exponent, zero lapse costs under attrition, a
/// steep margin trend, support starting at 0 with baseline 1.
#[test]
fn edge_values_seed_runs_finite() {
    let s = Scenario::from_toml_str(include_str!("../fuzz/seeds/scenario_toml/edges.toml"))
        .expect("the edges seed is valid");
    assert_runs_finite(&s);
    let json = Scenario::from_json_str(include_str!("../fuzz/seeds/scenario_json/edges.json"))
        .expect("the JSON edges seed is valid");
    assert_eq!(json, s);
}

/// Malformed override keys and values found in the corpus: each is an error naming the key as
/// given, never a panic.
#[test]
fn malformed_overrides_name_the_key() {
    let base = Scenario::preset("us_rok_sma").unwrap();
    for (key, value) in [
        ("", ""),
        (".", "1"),
        ("host.", "1"),
        (" host.margin", "0.1"),
        ("host.margin.x", "1"),
        ("terms", "1"),
        ("terms.index", "[1, 2]"),
        ("lapse.model", "\"\""),
        ("steps_per_year", "-1"),
        ("steps_per_year", "4294967296"),
        ("host.margin", "nan"),
        ("name", "[\"x\"]"),
    ] {
        match base.with_override(key, value) {
            Err(ScenarioError::Override { key: k, message }) => {
                assert_eq!(k, key);
                assert!(!message.trim().is_empty(), "{key}={value}");
            }
            Err(ScenarioError::Invalid(v)) => {
                assert!(!v.is_empty());
                assert!(
                    v.iter().all(|v| key.trim() == v.field),
                    "{key}={value}: {v:?}"
                );
            }
            other => panic!("{key}={value}: expected an error, got {other:?}"),
        }
    }
}
