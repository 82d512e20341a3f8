//! The event-driven trial ([`Model::run_events`]) against the step loop ([`Model::run_steps`]):
//! the same negotiation records and every metric within 1e-9 relative (1e-12 absolute near 0),
//! for every preset, each lapse model and protocol, every option of model 0.2, and random valid
//! scenarios.

mod strategies;

use negcycle::metrics::{METRICS, NegotiationRecord};
use negcycle::prelude::*;
use negcycle::scenario::{
    BargainingHorizon, Clock, Erosion, LapseModel, OpeningReference, ProtocolKind, Regimes,
};
use proptest::prelude::*;
use strategies::{valid_scenario, valid_scenario_v02};

/// Whether two metric values agree: 1e-9 relative or 1e-12 absolute.
fn close(a: f64, b: f64) -> bool {
    a == b
        || (a.is_nan() && b.is_nan())
        || (a - b).abs() <= 1e-12_f64.max(1e-9 * a.abs().max(b.abs()))
}

/// Compares both engines on `trials` trials of the arm `cycle` (skipped if it is not a whole
/// number of steps); the first disagreement, if any.
fn compare(s: &Scenario, cycle: f64, trials: std::ops::Range<u64>) -> Result<(), String> {
    let model = Model::new(s.clone()).map_err(|e| e.to_string())?;
    let Ok(arm) = model.arm(cycle) else {
        return Ok(());
    };
    let (mut a, mut b): (Vec<NegotiationRecord>, Vec<NegotiationRecord>) = (vec![], vec![]);
    for trial in trials {
        let path = model.path(7, trial);
        let steps = model.run_steps(&arm, &path, 7, trial, &mut a).values();
        let events = model.run_events(&arm, &path, 7, trial, &mut b).values();
        if a != b {
            return Err(format!(
                "{}: records differ, trial {trial}, cycle {cycle}",
                s.name
            ));
        }
        for ((x, y), info) in steps.iter().zip(&events).zip(METRICS) {
            if !close(*x, *y) {
                return Err(format!(
                    "{}: {} step loop {x:e} vs events {y:e}, trial {trial}, cycle {cycle}",
                    s.name, info.name
                ));
            }
        }
    }
    Ok(())
}

/// The options of model 0.2, one at a time (MODEL.md §10), and the 0.1 defaults.
fn options(s: &Scenario) -> Vec<Scenario> {
    let step = 1.0 / f64::from(s.steps_per_year);
    let mut out = vec![s.clone()];
    let mut v = s.clone();
    v.protocol.rounds_per_step = 1;
    v.protocol.rounds = Some(4);
    out.push(v);
    let mut v = s.clone();
    v.protocol.lapse_round_months = Some(3.0 * 12.0 * step);
    out.push(v);
    let mut v = s.clone();
    v.protocol.clock = Clock::Deadline;
    out.push(v);
    let mut v = s.clone();
    v.patron.opening_reference = OpeningReference::Fair;
    v.host.opening_reference = OpeningReference::Fair;
    out.push(v);
    let mut v = s.clone();
    v.support.erosion = Erosion::DemandedIncrease;
    out.push(v);
    let mut v = s.clone();
    v.agreement.schedule = vec![2.0, 1.0];
    out.push(v);
    for lock_in in [false, true] {
        let mut v = s.clone();
        v.patron.regimes = Some(Regimes {
            term_years: 4.0,
            first_change_years: Some(1.0),
            hardline_probability: 0.5,
            opening: Some(0.5),
            margin: Some(0.0),
            lapse_pressure: Some(s.patron.lapse_pressure * 0.5),
            lock_in,
        });
        out.push(v);
    }
    out.into_iter().filter(|v| v.validate().is_ok()).collect()
}

#[test]
fn every_preset_lapse_model_protocol_and_option_agrees() {
    let mut cases = 0;
    for name in Scenario::presets() {
        let base = Scenario::preset(name).expect("preset");
        for lapse in [LapseModel::Drift, LapseModel::Attrition] {
            for (kind, horizon) in [
                (ProtocolKind::Alternating, BargainingHorizon::Infinite),
                (
                    ProtocolKind::CompleteInformation,
                    BargainingHorizon::Infinite,
                ),
                (ProtocolKind::CompleteInformation, BargainingHorizon::Finite),
            ] {
                let mut s = base.clone();
                s.lapse.model = lapse;
                s.protocol.kind = kind;
                s.protocol.horizon = horizon;
                for v in options(&s) {
                    for cycle in [1.0, 2.0, 3.0, 5.0, 10.0, v.agreement.cycle_years] {
                        compare(&v, cycle, 0..12).unwrap();
                        cases += 1;
                    }
                }
            }
        }
    }
    assert!(cases > 100, "{cases}");
}

#[test]
fn weekly_steps_and_indexed_escalating_terms_agree() {
    let mut s = Scenario::preset("us_rok_sma").expect("preset");
    s.steps_per_year = 52;
    for (kappa, g, lapse_payment) in [(0.0, 0.0, 1.0), (1.0, 0.02, 0.0), (0.5, -0.01, 0.5)] {
        s.agreement.indexation = kappa;
        s.agreement.escalator = g;
        s.agreement.lapse_payment = lapse_payment;
        for cycle in [1.0, 5.0] {
            compare(&s, cycle, 0..20).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_scenarios_agree(s in valid_scenario(), other in 1u32..=40) {
        prop_assert!(s.validate().is_ok());
        compare(&s, s.agreement.cycle_years, 0..3).map_err(TestCaseError::fail)?;
        compare(&s, f64::from(other) / f64::from(s.steps_per_year), 0..3)
            .map_err(TestCaseError::fail)?;
    }

    #[test]
    fn random_v02_scenarios_agree(s in valid_scenario_v02()) {
        prop_assert!(s.validate().is_ok());
        compare(&s, s.agreement.cycle_years, 0..3).map_err(TestCaseError::fail)?;
    }
}
