//! The mechanisms of model 0.2 (MODEL.md §10), each against a closed form, a case computed by
//! hand or an invariant: formal rounds and lapse meetings, the deadline clock, the opening
//! reference, the erosion measure, patron regimes with lock-in, agreement schedules and the
//! precedent rule. Monte Carlo tolerances are 4 standard errors of the simulated sample.

mod common;

use common::{assert_within_4se, korea_grid};
use negcycle::alliance::Alliance;
use negcycle::regime::RegimeModel;
use negcycle::scenario::{Clock, Erosion, OpeningReference, ProtocolKind, Regimes};
use negcycle::{EnvironmentPath, Experiment, Model, NegotiationRecord, Report, Scenario};

/// The flagship's numbers with every model 0.2 option off (the calibrated preset turns on
/// eight formal rounds and erosion by the demanded increase): each test below turns on the
/// one option it checks.
fn flagship_0_1() -> Scenario {
    let mut s = Scenario::preset("us_rok_sma").unwrap();
    s.protocol.rounds = None;
    s.protocol.clock = Clock::Negmas;
    s.support.erosion = Erosion::OpeningGap;
    s
}

/// [`flagship_0_1`] as a `Result`, for chains of overrides.
fn flagship_0_1_result() -> Result<Scenario, negcycle::Error> {
    Ok(flagship_0_1())
}

/// Every record of `trials` histories of one arm, with the trial index.
fn records(s: &Scenario, cycle: f64, seed: u64, trials: u64) -> Vec<(u64, NegotiationRecord)> {
    let model = Model::new(s.clone()).expect("valid scenario");
    let arm = model.arm(cycle).expect("valid cycle");
    let mut path = EnvironmentPath::new();
    let mut recs = Vec::new();
    let mut all = Vec::new();
    for t in 0..trials {
        path.generate(s, seed, t);
        model.run(&arm, &path, seed, t, &mut recs);
        all.extend(recs.iter().map(|r| (t, *r)));
    }
    all
}

fn report(s: &Scenario, cycles: &[f64], trials: u64) -> Report {
    Experiment::new(s.clone())
        .cycle_years(cycles.iter().copied())
        .trials(trials)
        .seed(77)
        .run()
        .expect("run")
}

/// Every metric row of every arm, host by host (labels aside).
fn same_numbers(a: &Report, b: &Report) {
    assert_eq!(a.arms.len(), b.arms.len());
    for (x, y) in a.arms.iter().zip(&b.arms) {
        for (hx, hy) in x.hosts.iter().zip(&y.hosts) {
            assert_eq!(hx.metrics, hy.metrics, "{} vs {}", x.label, y.label);
            assert_eq!(hx.signing_vs_deadline_months, hy.signing_vs_deadline_months);
            assert_eq!(hx.lapse_months_histogram, hy.lapse_months_histogram);
        }
    }
}

// ---- 10.1 formal rounds and lapse meetings ----

#[test]
fn formal_rounds_equal_to_the_window_steps_reproduce_0_1_bit_for_bit() {
    let base = flagship_0_1();
    let formal = base.with_override("protocol.rounds", "12").unwrap();
    // 0.5-year cycles clip the 12-month window to 6 steps: round(12·6/12) = 6 rounds, as 0.1.
    let cycles = [0.5, 1.0, 5.0];
    same_numbers(&report(&base, &cycles, 400), &report(&formal, &cycles, 400));
}

#[test]
fn eight_formal_rounds_are_spread_over_the_window() {
    let s = flagship_0_1_result()
        .unwrap()
        .with_override("protocol.rounds", "8")
        .unwrap();
    // Round k of 8 over 12 monthly steps is held ⌈(k+1)·12/8⌉ − 1 steps after the opening:
    // 1, 2, 4, 5, 7, 8, 10, 11, i.e. signed 11, 10, 8, 7, 5, 4, 2 or 1 months before the deadline.
    let allowed = [-11.0, -10.0, -8.0, -7.0, -5.0, -4.0, -2.0, -1.0];
    let recs = records(&s, 5.0, 3, 300);
    let (mut early, mut lapsed) = (0, 0);
    for (_, r) in recs.iter().filter(|(_, r)| r.completed) {
        let full_window = r.deadline_step - r.opening_step == 12;
        if r.lapse_steps == 0 {
            assert!(r.rounds >= 1 && r.rounds <= 8, "{r:?}");
            if full_window {
                assert!(
                    allowed.iter().any(|&m| (r.signing_months - m).abs() < 1e-9),
                    "{r:?}"
                );
                early += 1;
            }
        } else {
            // All 8 window rounds, then one meeting per lapse month.
            assert_eq!(r.rounds, 8 + r.lapse_steps, "{r:?}");
            lapsed += 1;
        }
    }
    assert!(early > 50 && lapsed > 50, "{early} early, {lapsed} lapsed");
}

#[test]
fn lapse_agreements_are_signed_only_at_meetings() {
    for model in ["drift", "attrition"] {
        let s = flagship_0_1_result()
            .unwrap()
            .with_override("lapse.model", model)
            .unwrap()
            .with_override("protocol.lapse_round_months", "3")
            .unwrap();
        let recs = records(&s, 1.0, 4, 200);
        let mut lapsed = 0;
        for (_, r) in recs
            .iter()
            .filter(|(_, r)| r.completed && r.lapse_steps > 0)
        {
            if !r.ruptured {
                assert_eq!(r.lapse_steps % 3, 0, "{model}: {r:?}");
                lapsed += 1;
            }
            // One window round per step (clipped windows have fewer), plus one meeting every 3
            // lapse months.
            let window = (r.deadline_step - r.opening_step) as u32;
            assert_eq!(r.rounds, window + r.lapse_steps / 3, "{model}: {r:?}");
        }
        assert!(lapsed > 100, "{model}: {lapsed} lapses");
    }
}

// ---- 10.2 the clock ----

// The deadline clock against the §9 lapse closed forms: tests/model.rs.

#[test]
fn without_private_noise_the_deadline_clock_never_lapses_and_negmas_always_does() {
    let mut s = flagship_0_1();
    s.patron.private_sd = 0.0;
    s.host.private_sd = 0.0;
    s.support.sensitivity = 0.0;
    // A narrow zone (both margins 0.04, the 0.1 flagship's): the negmas clock's last targets
    // stop short of the reservations by more than the zone is wide, so it never closes in
    // the window. (With Seoul's estimated margin, 0.16, the zone is wide enough for it to.)
    s.host.margin = 0.04;
    let lapses = |clock: Clock| {
        let mut s = s.clone();
        s.protocol.clock = clock;
        let recs = records(&s, 5.0, 9, 20);
        let n = recs.len() as f64;
        recs.iter().filter(|(_, r)| r.lapse_steps > 0).count() as f64 / n
    };
    assert_eq!(lapses(Clock::Deadline), 0.0);
    assert_eq!(lapses(Clock::Negmas), 1.0);
}

// ---- 10.3 opening reference, 10.4 erosion measure ----

/// Noise-free and frozen: one five-year history with one negotiation, X* constant, complete
/// information, support that does not relax within the horizon.
fn frozen() -> Scenario {
    let mut s = Scenario::preset("frictionless").unwrap();
    s.terms.index.drift = 0.0;
    s.terms.index.volatility = 0.0;
    s.terms.residual.drift = 0.0;
    s.terms.residual.volatility = 0.0;
    s.terms.residual.jump_rate = 0.0;
    s.horizon_years = 5.0;
    s.agreement.cycle_years = 4.0;
    s.support.half_life_years = 1e12;
    s.support.gap_hit = 0.1;
    s.support.lapse_hit = 0.0;
    s.patron.opening = 0.3;
    s.host.opening = 0.05;
    s.patron.margin = 0.05;
    s.host.margin = 0.04;
    s
}

#[test]
fn the_fair_opening_reference_opens_at_the_premium_over_efficient_terms() {
    use negcycle::party::{OpeningState, positions};
    let mut patron = Scenario::with_name("x").patron;
    patron.margin = 0.05;
    patron.private_sd = 0.0;
    patron.opening = 0.3;
    let mut host = patron.clone();
    host.margin = 0.04;
    host.opening = 0.05;
    let state = OpeningState {
        status_quo: 0.2,
        support: 0.75,
        support_baseline: 0.75,
        support_sensitivity: 0.5,
        years: 0.0,
        z_patron: 0.0,
        z_host: 0.0,
        extra_demand: 0.0,
        benchmark: None,
    };
    // Status quo (0.1): O_P = max(0.2 + 0.3, −0.05) = 0.5, O_H = min(0.2 − 0.05, 0.04) = 0.04.
    let (p, h) = positions(&patron, &host, &state);
    assert!((p.opening - 0.5).abs() < 1e-15 && (h.opening - 0.04).abs() < 1e-15);
    // Fair: O_P = max(0.3, −0.05) = 0.3, O_H = min(−0.05, 0.04) = −0.05.
    patron.opening_reference = OpeningReference::Fair;
    host.opening_reference = OpeningReference::Fair;
    let (p, h) = positions(&patron, &host, &state);
    assert!((p.opening - 0.3).abs() < 1e-15, "{p:?}");
    assert!((h.opening + 0.05).abs() < 1e-15, "{h:?}");
    assert_eq!((p.reservation, h.reservation), (-0.05, 0.04));
}

#[test]
fn the_erosion_measure_is_the_opening_gap_or_the_demanded_increase() {
    // One negotiation at q = 0 (X* never moves): O_P = 0.3, O_H = −0.05, a deal in round 0,
    // no lapse. The hit is 0.1·0.35 on the opening gap, 0.1·0.3 on the demanded increase.
    for (erosion, hit) in [
        (Erosion::OpeningGap, 0.035),
        (Erosion::DemandedIncrease, 0.03),
    ] {
        let mut s = frozen();
        s.support.erosion = erosion;
        let r = report(&s, &[4.0], 20);
        let host = &r.arms[0].hosts[0];
        assert_eq!(host.row("negotiations").unwrap().mean, 1.0);
        assert_eq!(host.row("lapses").unwrap().mean, 0.0);
        let min = host.row("support_min").unwrap();
        assert!(
            (min.mean - (0.75 - hit)).abs() < 1e-9 && min.sd < 1e-12,
            "{erosion:?}: {min:?}"
        );
    }
}

// ---- 10.5 patron regimes ----

fn with_regimes(s: &Scenario, regimes: Regimes) -> Scenario {
    let mut s = s.clone();
    s.patron.regimes = Some(regimes);
    s.validate().expect("valid regimes");
    s
}

#[test]
fn the_share_of_steps_under_a_hardline_administration_is_p() {
    let s = with_regimes(
        &flagship_0_1(),
        Regimes {
            term_years: 4.0,
            first_change_years: Some(2.0),
            hardline_probability: 0.3,
            ..Regimes::default()
        },
    );
    let r = RegimeModel::new(&s).unwrap();
    let h = s.horizon_steps();
    let sample: Vec<f64> = (0..4000u64)
        .map(|t| (0..h).filter(|&step| r.hardline_at(1, t, step)).count() as f64 / h as f64)
        .collect();
    assert_within_4se("hardline share of steps", &sample, 0.3);
}

#[test]
fn every_arm_faces_the_same_administrations() {
    let mut s = flagship_0_1();
    s.patron.private_sd = 0.0;
    s.host.private_sd = 0.0;
    let s = with_regimes(
        &s,
        Regimes {
            hardline_probability: 0.5,
            opening: Some(1.6),
            ..Regimes::default()
        },
    );
    let r = RegimeModel::new(&s).unwrap();
    let mut hard = 0;
    for cycle in [1.0, 2.0, 5.0] {
        for (t, rec) in records(&s, cycle, 8, 40) {
            // The patron opens at max(q + a, R_P) with the hardline demand a = 1.6 exactly when
            // the administration at the opening step is hardline (one function for every arm).
            let a = if r.hardline_at(8, t, rec.opening_step) {
                hard += 1;
                1.6
            } else {
                s.patron.opening
            };
            let expected = (rec.status_quo + a).max(-s.patron.margin);
            assert!(
                (rec.patron_opening - expected).abs() < 1e-9,
                "cycle {cycle}: {rec:?}"
            );
        }
    }
    assert!(hard > 100, "{hard} hardline negotiations");
}

#[test]
fn regimes_with_p_0_change_no_number() {
    let base = flagship_0_1();
    let never = with_regimes(
        &base,
        Regimes {
            hardline_probability: 0.0,
            opening: Some(1.6),
            margin: Some(0.0),
            lapse_pressure: Some(1.0),
            ..Regimes::default()
        },
    );
    same_numbers(
        &report(&base, &[1.0, 5.0], 400),
        &report(&never, &[1.0, 5.0], 400),
    );
    // p = 1 with the patron's own parameters is the same patron throughout.
    let always_same = with_regimes(
        &base,
        Regimes {
            hardline_probability: 1.0,
            ..Regimes::default()
        },
    );
    let a = report(&always_same, &[1.0, 5.0], 400);
    let b = report(&base, &[1.0, 5.0], 400);
    for (x, y) in a.arms.iter().zip(&b.arms) {
        for name in ["lapse_months", "joint_loss", "payments", "support_min"] {
            assert_eq!(x.hosts[0].row(name).unwrap(), y.hosts[0].row(name).unwrap());
        }
        assert_eq!(x.hosts[0].row("hardline_share").unwrap().mean, 1.0);
    }
}

#[test]
fn lock_in_signs_before_a_change_of_administration() {
    // No noise, X* frozen, Boulware concessions: the first negotiation (window months 48–59,
    // deadline 60) agrees in its last round, at step 59. The administration changes at step 54.
    // Under lock-in the 12 rounds run on a clock that ends at the change, so the last round is
    // held at step 48 + ⌈12·6/12⌉ − 1 = 53, before it.
    let mut s = frozen();
    s.horizon_years = 6.0;
    s.agreement.cycle_years = 5.0;
    s.agreement.window_months = 12.0;
    s.protocol.kind = ProtocolKind::Alternating;
    s.patron.opening = 0.3;
    s.host.opening = 0.05;
    s.patron.margin = 0.1;
    s.host.margin = 0.1;
    s.patron.concession_exponent = 3.0;
    s.host.concession_exponent = 3.0;
    // p > 0, so the change is pending; in trial 0 of seed 1 neither administration is hardline.
    let regimes = |lock_in| Regimes {
        term_years: 4.0,
        first_change_years: Some(4.5),
        hardline_probability: 0.01,
        lock_in,
        ..Regimes::default()
    };
    let calendar = RegimeModel::new(&with_regimes(&s, regimes(true))).unwrap();
    assert!(!calendar.hardline(1, 0, 0) && !calendar.hardline(1, 0, 1));
    let free = records(&with_regimes(&s, regimes(false)), 5.0, 1, 1);
    let locked = records(&with_regimes(&s, regimes(true)), 5.0, 1, 1);
    let (free, locked) = (free[0].1, locked[0].1);
    assert_eq!((free.opening_step, free.deadline_step), (48, 60));
    assert_eq!(free.lapse_steps, 0);
    assert!((free.signing_months - (-1.0)).abs() < 1e-9, "{free:?}");
    assert!((locked.signing_months - (-7.0)).abs() < 1e-9, "{locked:?}");
    assert_eq!(
        free.premium, locked.premium,
        "the same concessions, earlier"
    );
    let r = report(&with_regimes(&s, regimes(true)), &[5.0], 5);
    assert_eq!(
        r.arms[0].hosts[0].row("signed_before_change").unwrap().mean,
        1.0
    );
    let r = report(&with_regimes(&s, regimes(false)), &[5.0], 5);
    assert_eq!(
        r.arms[0].hosts[0].row("signed_before_change").unwrap().mean,
        0.0
    );
}

#[test]
fn regimes_are_validated_with_field_paths() {
    let s = flagship_0_1();
    let e = s
        .with_override("patron.regimes.hardline_probability", "1.5")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("patron.regimes.hardline_probability: must be in [0, 1]"),
        "{e}"
    );
    let e = s
        .with_override("patron.regimes.term_years", "2")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("patron.regimes.term_years: must be longer than"),
        "{e}"
    );
    let e = s
        .with_override("host.regimes.hardline_probability", "0.5")
        .unwrap_err()
        .to_string();
    assert!(e.contains("host.regimes: only the patron"), "{e}");
    let e = s
        .with_override("protocol.rounds", "0")
        .unwrap_err()
        .to_string();
    assert!(e.contains("protocol.rounds: must be in [1, "), "{e}");
    let e = s
        .with_override("agreement.schedule", "[1, 0.01]")
        .unwrap_err()
        .to_string();
    assert!(e.contains("agreement.schedule[1]"), "{e}");
    let e = s
        .with_override("protocol.lapse_round_months", "0.5")
        .unwrap_err()
        .to_string();
    assert!(e.contains("protocol.lapse_round_months"), "{e}");
}

// ---- 10.6 agreement schedules ----

#[test]
fn a_schedule_of_constant_length_equals_the_cycle_arm_exactly() {
    let s = flagship_0_1();
    let r = Experiment::new(s)
        .cycle_years([5.0])
        .schedule("five", [5.0; 7])
        .schedule("three_then_five", [5.0, 5.0])
        .trials(500)
        .seed(3)
        .run()
        .unwrap();
    let labels: Vec<&str> = r.arms.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["base/5", "base/five", "base/three_then_five"]);
    for arm in &r.arms[1..] {
        assert_eq!(arm.hosts[0].metrics.len(), r.arms[0].hosts[0].metrics.len());
        for (a, b) in arm.hosts[0].metrics.iter().zip(&r.arms[0].hosts[0].metrics) {
            // Same numbers; the paired difference against the identical reference is 0.
            assert_eq!(
                (a.n, a.mean, a.sd, a.min, a.max),
                (b.n, b.mean, b.sd, b.min, b.max)
            );
            assert_eq!(a.diff_mean, Some(0.0), "{}", a.metric);
        }
    }
    let csv = r.to_csv_string();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains(",cycle_years,schedule_years,host,")
    );
    assert!(
        csv.contains("\"5,5,5,5,5,5,5\""),
        "the schedule column quotes its commas"
    );
}

#[test]
fn a_schedule_sets_the_calendar_of_deadlines() {
    let mut s = Scenario::preset("frictionless").unwrap();
    s.agreement.schedule = vec![3.0, 2.0, 1.0];
    let recs = records(&s, 5.0, 2, 1);
    let deadlines: Vec<usize> = recs.iter().map(|(_, r)| r.deadline_step).collect();
    // 3, then 2, then 1 year, then 5-year agreements (frictionless: never late).
    assert_eq!(deadlines, [36, 60, 72, 132, 192, 252, 312]);
}

// ---- 10.7 the precedent rule ----

/// Korea at five years (reference) and annual, Japan and NATO at their own cycles: the paired
/// change in the patron's opening demand on Japan, under precedent rule `precedent`, with every
/// host's margin set to `margin` if given.
fn demand_on_japan(precedent: &str, margin: Option<&str>) -> (f64, f64) {
    let mut a = Alliance::preset("us_alliances")
        .unwrap()
        .with_override("linkage.precedent", precedent)
        .unwrap();
    if let Some(m) = margin {
        for host in ["korea", "japan", "nato"] {
            a = a
                .with_override(&format!("hosts.{host}.party.margin"), m)
                .unwrap();
        }
    }
    let grids = korea_grid(&a);
    let r = Experiment::new(a)
        .grid(&grids)
        .trials(3000)
        .seed(5)
        .run()
        .unwrap();
    let d = r.arms[1]
        .host("japan")
        .unwrap()
        .vs_reference("opening_demand")
        .unwrap()
        .expect("paired");
    (d.mean, d.se)
}

#[test]
fn the_precedent_rule_sets_the_direction_of_the_leverage_effect() {
    // "increase": a five-year deal is the bigger precedent (its terms drifted longer), so
    // annual deals with Korea lower the demand on Japan.
    let (inc, inc_se) = demand_on_japan("increase", None);
    assert!(inc < -4.0 * inc_se, "increase: {inc} ± {inc_se}");
    // "premium" with agreements above fair (every host's margin 0.4): fresh annual agreements
    // are frequent benchmarks, so annual deals with Korea raise the demand on Japan.
    let (pre, pre_se) = demand_on_japan("premium", Some("0.4"));
    assert!(pre > 4.0 * pre_se, "premium, above fair: {pre} ± {pre_se}");
    // "premium" in the preset: agreements are below fair (mean premium < 0) and a negative
    // precedent adds nothing, so the channel almost vanishes: under a tenth of "increase".
    let (flat, flat_se) = demand_on_japan("premium", None);
    assert!(
        flat.abs() + 4.0 * flat_se < 0.1 * inc.abs(),
        "premium, preset: {flat} ± {flat_se} against increase {inc}"
    );
}
