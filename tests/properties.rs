//! Property tests over random scenarios: valid ones always simulate to finite, consistent
//! metrics; invalid ones always give a validation error; nothing ever panics.

use negcycle::prelude::*;
use proptest::prelude::*;

mod strategies;
use strategies::{valid_scenario, valid_scenario_v02};

fn check_history(s: &Scenario, cycle: f64, trial: u64) -> Result<(), TestCaseError> {
    let model = Model::new(s.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let arm = model
        .arm(cycle)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = model.path(9, trial);
    let mut records = Vec::new();
    let m = model.run(&arm, &path, 9, trial, &mut records);
    for (info, v) in METRICS.iter().zip(m.values()) {
        prop_assert!(v.is_finite(), "{} = {v}", info.name);
        // A fair-referenced opening `a_P` can lie below the status quo `q`, so the demanded
        // increase `O_P − q` can be negative then.
        let fair = s.patron.opening_reference == negcycle::scenario::OpeningReference::Fair;
        prop_assert!(
            v >= 0.0 || info.name == "mean_premium" || (fair && info.name == "opening_demand"),
            "{} = {v}",
            info.name
        );
    }
    prop_assert!(m.payments > 0.0, "payments {}", m.payments);
    for share in [m.negotiation_share, m.unsettled_share] {
        prop_assert!((0.0..=1.0).contains(&share));
    }
    for level in [m.support_final, m.support_min] {
        prop_assert!((0.0..=1.0).contains(&level));
    }
    prop_assert!(m.lapses <= m.negotiations);
    prop_assert_eq!(records.len() as f64, m.negotiations);
    // Rupture is absorbing: at most one, the last negotiation, and support ends at 0.
    let ruptures = records.iter().filter(|r| r.ruptured).count();
    prop_assert!(ruptures <= 1);
    if ruptures == 1 {
        prop_assert!(records.last().is_some_and(|r| r.ruptured));
        if records.last().is_some_and(|r| r.completed) {
            prop_assert_eq!(m.ruptured, 1.0);
            prop_assert_eq!(m.support_final, 0.0);
        }
    }
    for r in &records {
        prop_assert!(r.signing_months.is_finite() && r.opening_gap.is_finite());
        prop_assert!(r.premium.is_none_or(f64::is_finite));
        // A lapse holds one formal meeting every `lapse_round_months` (default: every step).
        let meeting = s
            .protocol
            .lapse_round_months
            .and_then(|m| s.months_to_steps(m))
            .unwrap_or(1) as u32;
        prop_assert!(r.lapse_steps / meeting <= r.rounds);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_scenarios_simulate_to_finite_consistent_metrics(
        s in valid_scenario(),
        trial in 0u64..1000,
        other in 1u32..=40,
    ) {
        prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
        check_history(&s, s.agreement.cycle_years, trial)?;
        // Another arm on the same world: the path does not depend on the cycle length.
        let other_cycle = f64::from(other) / f64::from(s.steps_per_year);
        check_history(&s, other_cycle, trial)?;
        let mut t = s.clone();
        t.agreement.cycle_years = other_cycle;
        prop_assert_eq!(
            negcycle::EnvironmentPath::sample(&s, 9, trial),
            negcycle::EnvironmentPath::sample(&t, 9, trial)
        );
    }

    #[test]
    fn valid_v02_scenarios_keep_every_invariant(
        s in valid_scenario_v02(),
        trial in 0u64..1000,
        other in 1u32..=40,
    ) {
        prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
        check_history(&s, s.agreement.cycle_years, trial)?;
        check_history(&s, f64::from(other) / f64::from(s.steps_per_year), trial)?;
        // The politics metrics are shares.
        let model = Model::new(s.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let arm = model.arm(s.agreement.cycle_years).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let m = model.run(&arm, &model.path(9, trial), 9, trial, &mut Vec::new());
        prop_assert!((0.0..=1.0).contains(&m.hardline_share));
        prop_assert!((0.0..=1.0).contains(&m.signed_before_change));
    }

    #[test]
    fn a_broken_rule_always_gives_a_validation_error_naming_the_field(
        s in valid_scenario(),
        which in 0usize..12,
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(-1e-9), Just(1e300)],
    ) {
        let mut t = s.clone();
        let field = match which {
            0 => { t.patron.margin = bad; "patron.margin" }
            1 => { t.host.private_sd = bad; "host.private_sd" }
            2 => { t.terms.index.volatility = bad; "terms.index.volatility" }
            3 => { t.support.half_life_years = if bad > 0.0 { -bad } else { bad }; "support.half_life_years" }
            4 => { t.agreement.lapse_payment = bad; "agreement.lapse_payment" }
            5 => { t.discount_rate = bad; "discount_rate" }
            6 => { t.host.concession_exponent = if bad > 0.0 { -bad } else { bad }; "host.concession_exponent" }
            7 => { t.agreement.cycle_years = if bad > 0.0 { -bad } else { bad }; "agreement.cycle_years" }
            8 => { t.terms.initial = if bad > 0.0 { -bad } else { bad }; "terms.initial" }
            9 => { t.patron.lapse_cost = bad; "patron.lapse_cost" }
            10 => { t.support.gap_hit = bad; "support.gap_hit" }
            _ => { t.agreement.rupture_cost = bad; "agreement.rupture_cost" }
        };
        // Support erosion is clamped to [0, 1], so an enormous gap_hit is harmless and valid.
        if bad == 1e300 && which == 10 {
            return Ok(());
        }
        let err = t.validate();
        prop_assert!(err.is_err(), "{field} = {bad} accepted");
        let text = err.err().map(|e| e.to_string()).unwrap_or_default();
        prop_assert!(text.contains(field), "{text}");
        // And the model refuses it too.
        prop_assert!(Model::new(t).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics_the_parsers(text in ".{0,400}") {
        let _ = Scenario::from_toml_str(&text);
        let _ = Scenario::from_json_str(&text);
    }

    #[test]
    fn arbitrary_overrides_never_panic(key in "[a-z_.]{0,30}", value in ".{0,30}") {
        let s = Scenario::preset("us_rok_sma").map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Ok(t) = s.with_override(&key, &value) {
            prop_assert!(t.validate().is_ok());
        }
    }
}
