//! Random valid scenarios for property tests (`tests/properties.rs`, `tests/agreement.rs`).

#![allow(dead_code)]

use negcycle::prelude::*;
use negcycle::scenario::{BargainingHorizon, LapseModel, ProtocolKind};
use proptest::prelude::*;

/// A random valid scenario (ranges wide enough to reach the corners: zero noise, huge noise,
/// zero pressure, annual or weekly steps, short and long horizons).
pub fn valid_scenario() -> impl Strategy<Value = Scenario> {
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
pub fn valid_scenario_v02() -> impl Strategy<Value = Scenario> {
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
