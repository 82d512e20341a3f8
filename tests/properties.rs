//! Property tests over random scenarios: valid ones always simulate to finite, consistent
//! metrics; invalid ones always give a validation error; nothing ever panics.

use negcycle::prelude::*;
use negcycle::scenario::{BargainingHorizon, LapseModel, ProtocolKind};
use proptest::prelude::*;

/// A random valid scenario (ranges wide enough to reach the corners: zero noise, huge noise,
/// zero pressure, annual or weekly steps, short and long horizons).
fn valid_scenario() -> impl Strategy<Value = Scenario> {
    let time = (
        prop_oneof![Just(1u32), Just(4), Just(12), Just(52)],
        1u32..=60,
    );
    let terms = (
        0.01f64..1e6,
        -0.1f64..0.1,
        0.0f64..0.3,
        -0.1f64..0.1,
        0.0f64..0.5,
        0.0f64..1.0,
        -0.2f64..0.2,
        0.0f64..0.5,
    );
    let agreement = (
        1u32..=40,
        0.0f64..=1.0,
        -0.05f64..0.05,
        any::<bool>(),
        0u32..=4,
        0u32..=8,
        0.0f64..2.0,
        0.0f64..10.0,
    );
    let party = || {
        (
            0.0f64..0.5,
            prop_oneof![Just(0.0), 0.0f64..0.5, Just(10.0)],
            0.0f64..2.0,
            0.05f64..8.0,
            0.0f64..3.0,
            0.0f64..0.05,
            0.0f64..0.01,
            0.0f64..3.0,
        )
    };
    let protocol = (
        any::<bool>(),
        any::<bool>(),
        1u32..=3,
        any::<bool>(),
        any::<bool>(),
        0.0f64..2.0,
    );
    let support = (
        0.0f64..=1.0,
        0.0f64..=1.0,
        0.1f64..10.0,
        0.0f64..1.0,
        0.0f64..1.0,
        0.0f64..1.0,
    );
    (
        time,
        terms,
        agreement,
        party(),
        party(),
        protocol,
        support,
        0.0f64..0.1,
    )
        .prop_map(|((spy, years), t, a, p, h, pr, su, trend)| {
            let mut s = Scenario::with_name("random");
            s.steps_per_year = spy;
            s.horizon_years = f64::from(years);
            s.terms.initial = t.0;
            s.terms.index.drift = t.1;
            s.terms.index.volatility = t.2;
            s.terms.residual.drift = t.3;
            s.terms.residual.volatility = t.4;
            s.terms.residual.jump_rate = t.5.min(f64::from(spy));
            s.terms.residual.jump_mean = t.6;
            s.terms.residual.jump_sd = t.7;
            let step = 1.0 / f64::from(spy);
            s.agreement.cycle_years = f64::from(a.0) * step;
            s.agreement.indexation = a.1;
            s.agreement.escalator = a.2;
            s.agreement.retroactive = a.3;
            let step_months = 12.0 / f64::from(spy);
            s.agreement.window_months = f64::from(a.4) * step_months;
            s.agreement.max_lapse_months = f64::from(a.5) * step_months;
            s.agreement.lapse_payment = a.6;
            s.agreement.rupture_cost = a.7;
            for (party, v) in [(&mut s.patron, p), (&mut s.host, h)] {
                party.margin = v.0;
                party.private_sd = v.1;
                party.opening = v.2;
                party.concession_exponent = v.3;
                party.lapse_pressure = v.4;
                party.negotiation_cost = v.5;
                party.round_cost = v.6;
                party.lapse_cost = v.7;
            }
            s.host.margin_trend = trend;
            s.protocol.kind = if pr.0 {
                ProtocolKind::Alternating
            } else {
                ProtocolKind::CompleteInformation
            };
            s.protocol.opener = if pr.1 { Side::Patron } else { Side::Host };
            s.protocol.rounds_per_step = pr.2;
            s.protocol.horizon = if pr.3 {
                BargainingHorizon::Infinite
            } else {
                BargainingHorizon::Finite
            };
            s.lapse.model = if pr.4 {
                LapseModel::Drift
            } else {
                LapseModel::Attrition
            };
            s.lapse.stakes_elasticity = pr.5;
            s.support.initial = su.0;
            s.support.baseline = su.1;
            s.support.half_life_years = su.2;
            s.support.gap_hit = su.3;
            s.support.lapse_hit = su.4;
            s.support.sensitivity = su.5;
            s
        })
}

/// A random valid scenario with the options of model 0.2 (MODEL.md §10) switched on at random:
/// formal rounds, lapse meetings, the clock, opening references, the erosion measure, an
/// agreement schedule and patron regimes with or without lock-in.
fn valid_scenario_v02() -> impl Strategy<Value = Scenario> {
    use negcycle::scenario::{Clock, Erosion, OpeningReference, Regimes};
    let options = (
        prop::option::of(1u32..=30),
        prop::option::of(1u32..=4),
        any::<bool>(),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop::collection::vec(1u32..=30, 0..5),
        prop::option::of((
            1u32..=60,
            0u32..=20,
            0.0f64..=1.0,
            0.0f64..2.0,
            any::<bool>(),
        )),
    );
    (valid_scenario(), options).prop_map(|(mut s, (rounds, meet, clock, refs, sched, reg))| {
        let step = 1.0 / f64::from(s.steps_per_year);
        let step_months = 12.0 * step;
        if s.protocol.rounds_per_step == 1 {
            s.protocol.rounds = rounds;
        }
        s.protocol.lapse_round_months = meet.map(|m| f64::from(m) * step_months);
        s.protocol.clock = if clock {
            Clock::Deadline
        } else {
            Clock::Negmas
        };
        let reference = |fair| {
            if fair {
                OpeningReference::Fair
            } else {
                OpeningReference::StatusQuo
            }
        };
        s.patron.opening_reference = reference(refs.0);
        s.host.opening_reference = reference(refs.1);
        s.support.erosion = if refs.2 {
            Erosion::DemandedIncrease
        } else {
            Erosion::OpeningGap
        };
        s.agreement.schedule = sched.iter().map(|&n| f64::from(n) * step).collect();
        if let Some((extra, first, p, opening, lock_in)) = reg {
            // Longer than window + longest lapse: at most one change per negotiation.
            let span = (s.agreement.window_months + s.agreement.max_lapse_months) / step_months;
            let term = span.round() as u32 + extra;
            s.patron.regimes = Some(Regimes {
                term_years: f64::from(term) * step,
                first_change_years: Some(f64::from(first.max(1)) * step),
                hardline_probability: p,
                opening: Some(opening),
                margin: Some(0.0),
                lapse_pressure: Some(s.patron.lapse_pressure * 0.5),
                lock_in,
            });
        }
        s
    })
}

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
