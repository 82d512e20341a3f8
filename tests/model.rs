//! The simulator against the closed forms of `negcycle::analytic` (MODEL.md §9), the deadline
//! effect, and the invariants of one history. Monte Carlo tolerances are 4 standard errors
//! computed from the simulated sample itself.

mod common;

use common::{assert_within_4se, mean_se};
use negcycle::analytic::{self, LapseParams, MismatchParams};
use negcycle::protocol::lapse::{LapseOutcome, LapseSetup};
use negcycle::rng::{Purpose, stream};
use negcycle::scenario::{BargainingHorizon, Clock, LapseModel, ProtocolKind};
use negcycle::{EnvironmentPath, METRICS, Model, NegotiationRecord, Scenario, simulate_trial};

/// Complete information, no noise, no opening gap, terms set at the deadline: p = 0 at every
/// deadline, so the only mismatch is the drift of X* while terms are fixed.
fn gray_scenario(kappa: f64, escalator: f64) -> Scenario {
    let mut s = Scenario::preset("frictionless").expect("preset");
    s.agreement.indexation = kappa;
    s.agreement.escalator = escalator;
    s
}

#[test]
fn mismatch_matches_gray_closed_form() {
    let trials = 4000u64;
    for &(cycle, kappa, g) in &[
        (1.0, 0.0, 0.0),
        (5.0, 0.5, 0.01),
        (2.0, 1.0, 0.03),
        (10.0, 0.0, 0.02),
    ] {
        let mut s = gray_scenario(kappa, g);
        s.horizon_years = 30.0;
        let model = Model::new(s.clone()).unwrap();
        let arm = model.arm(cycle).unwrap();
        let mut path = EnvironmentPath::new();
        let mut recs = Vec::new();
        let sample: Vec<f64> = (0..trials)
            .map(|t| {
                path.generate(&s, 11, t);
                let m = model.run(&arm, &path, 11, t, &mut recs);
                assert_eq!(m.lapses, 0.0, "the frictionless model never lapses");
                for r in &recs {
                    assert_eq!(r.premium, Some(0.0));
                }
                m.mismatch
            })
            .collect();
        let p = MismatchParams {
            index_drift: s.terms.index.drift,
            index_volatility: s.terms.index.volatility,
            residual_drift: s.terms.residual.drift,
            residual_volatility: s.terms.residual.volatility,
            indexation: kappa,
            escalator: g,
        };
        let n = (cycle * 12.0) as u32;
        let expected = analytic::expected_mismatch_discrete(&p, n, 1.0 / 12.0).unwrap();
        assert_within_4se(
            &format!("mismatch L={cycle} κ={kappa} g={g}"),
            &sample,
            expected,
        );
    }
}

/// Scenario for the lapse closed form: θ = 0, η = 0, drift lapses, with protocol `kind` and
/// `clock` (the closed forms hold for complete information, and for the alternating protocol
/// under the deadline clock, MODEL.md §10.2).
fn lapse_scenario(kind: ProtocolKind, clock: Clock) -> Scenario {
    let mut s = Scenario::with_name("lapse");
    s.protocol.kind = kind;
    s.protocol.clock = clock;
    s.support.sensitivity = 0.0;
    s.lapse.stakes_elasticity = 0.0;
    s.lapse.model = LapseModel::Drift;
    s.agreement.max_lapse_months = 2.0;
    s.agreement.cycle_years = 1.0;
    for p in [&mut s.patron, &mut s.host] {
        p.margin = 0.02;
        p.private_sd = 0.05;
        p.lapse_pressure = 0.24;
    }
    s
}

fn completed_records(s: &Scenario, cycle: f64, trials: u64) -> Vec<NegotiationRecord> {
    let model = Model::new(s.clone()).unwrap();
    let arm = model.arm(cycle).unwrap();
    let mut path = EnvironmentPath::new();
    let mut recs = Vec::new();
    let mut all = Vec::new();
    for t in 0..trials {
        path.generate(s, 5, t);
        model.run(&arm, &path, 5, t, &mut recs);
        all.extend(recs.iter().filter(|r| r.completed).copied());
    }
    all
}

#[test]
fn lapse_probability_length_and_rupture_match_closed_form() {
    check_lapse_closed_forms(&lapse_scenario(
        ProtocolKind::CompleteInformation,
        Clock::Negmas,
    ));
}

#[test]
fn deadline_clock_makes_the_alternating_protocol_meet_the_lapse_closed_forms() {
    check_lapse_closed_forms(&lapse_scenario(ProtocolKind::Alternating, Clock::Deadline));
    // The NegMAS clock stops short of the reservations, so it lapses far more often.
    let negmas: Vec<f64> = completed_records(
        &lapse_scenario(ProtocolKind::Alternating, Clock::Negmas),
        1.0,
        300,
    )
    .iter()
    .map(|r| f64::from(u8::from(r.lapse_steps > 0)))
    .collect();
    let (m, se) = mean_se(&negmas);
    let expected = analytic::lapse_probability(&lapse_params()).unwrap();
    assert!(m - expected > 4.0 * se, "negmas {m} ± {se} vs {expected}");
}

/// The parameters of [`lapse_scenario`] as the closed forms take them.
fn lapse_params() -> LapseParams {
    LapseParams {
        margin_patron: 0.02,
        margin_host: 0.02,
        sd_patron: 0.05,
        sd_host: 0.05,
        pressure_patron: 0.24,
        pressure_host: 0.24,
        dt_years: 1.0 / 12.0,
        max_lapse_steps: 2,
    }
}

/// Lapse probability, expected lapse steps and rupture probability of `s` (a
/// [`lapse_scenario`]) within 4 SE of the §9 closed forms.
fn check_lapse_closed_forms(s: &Scenario) {
    let recs = completed_records(s, 1.0, 1500);
    assert!(recs.len() > 20_000, "{} records", recs.len());
    let p = lapse_params();
    let lapsed: Vec<f64> = recs
        .iter()
        .map(|r| f64::from(u8::from(r.lapse_steps > 0)))
        .collect();
    let steps: Vec<f64> = recs.iter().map(|r| f64::from(r.lapse_steps)).collect();
    let ruptured: Vec<f64> = recs
        .iter()
        .map(|r| f64::from(u8::from(r.ruptured)))
        .collect();
    assert_within_4se(
        "P(lapse)",
        &lapsed,
        analytic::lapse_probability(&p).unwrap(),
    );
    assert_within_4se(
        "E[lapse steps]",
        &steps,
        analytic::expected_lapse_steps(&p).unwrap(),
    );
    assert_within_4se(
        "P(rupture)",
        &ruptured,
        analytic::rupture_probability(&p).unwrap(),
    );
}

#[test]
fn attrition_delay_matches_fearon_closed_form() {
    // Stake 0.2, c_P = c_H = 0.5, r = 0.05: the longer the agreement, the longer the standoff.
    let mut s = Scenario::with_name("attrition");
    s.lapse.model = LapseModel::Attrition;
    s.discount_rate = 0.05;
    s.patron.lapse_cost = 0.5;
    s.host.lapse_cost = 0.5;
    let model = Model::new(s.clone()).unwrap();
    let dt = 1.0 / 12.0;
    let mut means = Vec::new();
    for (cycle, reference_years) in [(1.0, 0.1951), (5.0, 0.8848), (10.0, 1.574)] {
        let arm = model.arm(cycle).unwrap();
        let setup = LapseSetup {
            model: LapseModel::Attrition,
            opener: negcycle::scenario::Side::Patron,
            patron_reservation: 0.1,
            host_reservation: -0.1,
            patron_offer: 0.1,
            host_offer: -0.1,
            patron_step: arm.patron_lapse_step,
            host_step: arm.host_lapse_step,
            patron_cost_rate: arm.patron_cost_rate,
            host_cost_rate: arm.host_cost_rate,
            meeting_steps: 1,
            patron_change: None,
            dt,
            max_steps: 10_000,
            observable_steps: 10_000,
        };
        let sample: Vec<f64> = (0..40_000u64)
            .map(|i| match setup.run(&mut stream(3, i, Purpose::Lapse, 0)) {
                LapseOutcome::Agreed { steps, .. } => f64::from(steps),
                LapseOutcome::Rupture | LapseOutcome::Unresolved => {
                    panic!("no agreement within 10,000 steps")
                }
            })
            .collect();
        let lambda_p = analytic::attrition_hazard(0.5, 0.2, 0.05, cycle).unwrap();
        let lambda_h = analytic::attrition_hazard(0.5, 0.2, 0.05, cycle).unwrap();
        let expected = analytic::attrition_expected_steps(lambda_p, lambda_h, dt, 10_000).unwrap();
        assert_within_4se(&format!("attrition steps L={cycle}"), &sample, expected);
        // The discrete-step mean converts to the continuous-time delay:
        // E[steps]·Δ = Δ/(1 − e^{−λΔ}) = 1/λ + Δ/2 + λΔ²/12 + O(λ²Δ³).
        let continuous =
            analytic::attrition_expected_delay_years(0.2, 0.5, 0.5, 0.05, cycle).unwrap();
        assert!((continuous - reference_years).abs() < 5e-4 * reference_years.max(1.0));
        let lambda = lambda_p + lambda_h;
        let gap = expected * dt - (continuous + dt / 2.0);
        assert!((gap - lambda * dt * dt / 12.0).abs() < 0.05 * lambda * dt * dt / 12.0);
        means.push(mean_se(&sample).0);
    }
    assert!(means[0] < means[1] && means[1] < means[2]);
}

fn crossing_scenario(exponent: f64) -> Scenario {
    let mut s = Scenario::with_name("crossing");
    s.terms.index.drift = 0.0;
    s.terms.index.volatility = 0.0;
    s.terms.residual.drift = 0.0;
    s.terms.residual.volatility = 0.0;
    s.terms.residual.jump_rate = 0.0;
    s.support.sensitivity = 0.0;
    s.protocol.rounds_per_step = 100;
    s.patron.margin = 0.05;
    s.host.margin = 0.05;
    s.patron.private_sd = 0.0;
    s.host.private_sd = 0.0;
    s.patron.opening = 0.3;
    s.host.opening = 0.0;
    s.patron.concession_exponent = exponent;
    s.host.concession_exponent = exponent;
    s
}

#[test]
fn alternating_offers_cross_where_theory_says() {
    for (e, t_ref) in [(5.0, 0.9441), (1.0, 0.75), (0.2, 0.2373)] {
        let s = crossing_scenario(e);
        let out = simulate_trial(&s, 5.0, 1, 0).unwrap();
        let first = out.negotiations[0];
        let c = analytic::crossing_time(0.3, 0.0, -0.05, 0.05, e).unwrap();
        assert!((c.relative_time - t_ref).abs() < 5e-5);
        let n = 12 * 100; // window months × rounds per step
        let k = first.rounds - 1;
        let t_k = f64::from(k + 1) / f64::from(n + 1);
        let t_prev = f64::from(k) / f64::from(n + 1);
        assert!(
            t_k >= c.relative_time && t_prev < c.relative_time,
            "e={e}: agreed at t={t_k}, theory {}",
            c.relative_time
        );
        // The price is a target at a grid point within one round of t*; the targets move at most
        // |R − O|·e per unit of relative time (e >= 1) or are within one grid step in t^e.
        let premium = first.premium.unwrap();
        let slope = 0.35 * e.max(1.0) / c.relative_time.min(1.0).powf(1.0 - e.min(1.0));
        let bound = slope * 2.0 / f64::from(n + 1);
        assert!(
            (premium - c.premium).abs() <= bound,
            "e={e}: premium {premium} vs {} (bound {bound})",
            c.premium
        );
        // Signing time in months: round k is held at step τ + k/100, τ = deadline − 12.
        let expected_months = f64::from(k) / 100.0 - 12.0;
        assert!((first.signing_months - expected_months).abs() < 1e-9);
    }
}

#[test]
fn complete_information_splits_the_zone_as_rubinstein_and_stahl() {
    for horizon in [BargainingHorizon::Infinite, BargainingHorizon::Finite] {
        let mut s = crossing_scenario(1.0);
        s.protocol.kind = ProtocolKind::CompleteInformation;
        s.protocol.horizon = horizon;
        s.protocol.rounds_per_step = 1;
        s.patron.discount_rate = Some(0.10);
        s.host.discount_rate = Some(0.20);
        let out = simulate_trial(&s, 5.0, 1, 0).unwrap();
        let dp = (-0.10f64 / 12.0).exp();
        let dh = (-0.20f64 / 12.0).exp();
        let share = match horizon {
            BargainingHorizon::Infinite => analytic::rubinstein_share(dp, dh).unwrap(),
            BargainingHorizon::Finite => analytic::stahl_share(dp, dh, 12).unwrap(),
        };
        for r in &out.negotiations {
            assert_eq!(r.rounds, 1, "agreement in the first round");
            assert_eq!(r.lapse_steps, 0);
            let p = r.premium.unwrap();
            assert!(
                (p - (-0.05 + share * 0.1)).abs() < 1e-12,
                "{horizon:?}: {p}"
            );
        }
    }
}

/// Share of in-window agreements signed in the last fifth of the window, and in its first half.
fn deadline_profile(exponent: f64) -> (f64, f64, usize) {
    let mut s = Scenario::preset("us_rok_sma").unwrap();
    s.patron.concession_exponent = exponent;
    s.host.concession_exponent = exponent;
    let recs = completed_records(&s, 5.0, 2000);
    let in_window: Vec<f64> = recs
        .iter()
        .filter(|r| r.lapse_steps == 0 && !r.ruptured)
        .map(|r| r.signing_months)
        .collect();
    let n = in_window.len();
    let late = in_window.iter().filter(|&&m| m >= -12.0 / 5.0).count();
    let early = in_window.iter().filter(|&&m| m < -6.0).count();
    (late as f64 / n as f64, early as f64 / n as f64, n)
}

#[test]
fn boulware_deals_come_at_the_deadline_conceder_deals_early() {
    let (late, _, n) = deadline_profile(5.0);
    assert!(n > 500, "{n} in-window deals");
    assert!(late > 0.5, "Boulware: {late:.3} of deals in the last fifth");
    let (late_c, early_c, n_c) = deadline_profile(0.2);
    assert!(n_c > 500);
    assert!(
        early_c > 0.5,
        "Conceder: {early_c:.3} in the first half, {late_c:.3} in the last fifth"
    );
}

#[test]
fn invariants_hold_for_every_preset_and_arm() {
    for name in Scenario::presets() {
        let s = Scenario::preset(name).unwrap();
        let model = Model::new(s.clone()).unwrap();
        let mut path = EnvironmentPath::new();
        let mut recs = Vec::new();
        for cycle in [0.5, 1.0, 2.0, 5.0, 10.0, 40.0] {
            let arm = model.arm(cycle).unwrap();
            for t in 0..200 {
                path.generate(&s, 99, t);
                let m = model.run(&arm, &path, 99, t, &mut recs);
                for (info, v) in METRICS.iter().zip(m.values()) {
                    assert!(
                        v.is_finite(),
                        "{name} L={cycle} trial {t}: {} = {v}",
                        info.name
                    );
                }
                assert!(m.payments > 0.0);
                for share in [m.negotiation_share, m.unsettled_share] {
                    assert!((0.0..=1.0).contains(&share));
                }
                for level in [m.support_final, m.support_min] {
                    assert!((0.0..=1.0).contains(&level));
                }
                assert!(m.support_min <= m.support_final);
                assert!(m.lapses <= m.negotiations);
                assert!(m.ruptured == 0.0 || m.ruptured == 1.0);
                assert!(m.joint_loss >= m.transaction_cost + m.lapse_cost + m.rigidity_cost - 1e-9);
                if m.ruptured == 1.0 {
                    assert_eq!(m.support_final, 0.0, "rupture is absorbing");
                    assert!(recs.last().unwrap().ruptured);
                    assert_eq!(recs.iter().filter(|r| r.ruptured).count(), 1);
                }
                assert_eq!(recs.len() as f64, m.negotiations);
                let again = model.run(&arm, &path, 99, t, &mut recs);
                assert_eq!(
                    format!("{m:?}"),
                    format!("{again:?}"),
                    "same inputs, same outcome"
                );
            }
        }
    }
}

#[test]
fn the_environment_path_does_not_depend_on_the_cycle_length() {
    let mut a = Scenario::preset("us_rok_sma").unwrap();
    let mut b = a.clone();
    a.agreement.cycle_years = 1.0;
    b.agreement.cycle_years = 5.0;
    for t in 0..20 {
        let pa = EnvironmentPath::sample(&a, 7, t);
        let pb = EnvironmentPath::sample(&b, 7, t);
        assert_eq!(pa, pb);
        assert_eq!(pa.steps(), 360);
    }
    // Different trials and seeds give different worlds.
    assert_ne!(
        EnvironmentPath::sample(&a, 7, 0),
        EnvironmentPath::sample(&a, 7, 1)
    );
    assert_ne!(
        EnvironmentPath::sample(&a, 7, 0),
        EnvironmentPath::sample(&a, 8, 0)
    );
}

#[test]
fn arms_share_private_draws_at_common_deadlines() {
    // With complete information and no lapses, the agreed premium at a deadline depends only on
    // the private draws keyed by that deadline: the 1-year and 5-year arms agree at the same
    // premium at their common deadlines (years 5, 10, ...).
    let mut s = Scenario::preset("frictionless").unwrap();
    s.patron.private_sd = 0.01;
    s.host.private_sd = 0.01;
    s.patron.margin = 0.1;
    s.host.margin = 0.1;
    let one = simulate_trial(&s, 1.0, 4, 2).unwrap();
    let five = simulate_trial(&s, 5.0, 4, 2).unwrap();
    let mut common = 0;
    for r5 in &five.negotiations {
        let r1 = one
            .negotiations
            .iter()
            .find(|r| r.deadline_step == r5.deadline_step)
            .unwrap();
        assert_eq!(r1.premium, r5.premium);
        common += 1;
    }
    assert!(common >= 5);
}
