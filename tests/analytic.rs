//! Integration tests of the closed forms in `negcycle::analytic` (MODEL.md §9).
//!
//! Reference values quoted in MODEL.md are rounded to 4 significant digits, so
//! each is checked twice: against the quoted value to within half a unit of
//! its last digit, and against the unrounded value (computed independently with
//! 30-digit arithmetic) to near machine precision.

use negcycle::analytic::*;

/// `|x − quoted| <= 0.5·10^last_digit_exp`: `quoted` is `x` rounded at 10^last_digit_exp.
fn assert_quoted(x: f64, quoted: f64, last_digit_exp: i32, what: &str) {
    let tol = 0.5 * 10f64.powi(last_digit_exp) * (1.0 + 1e-9);
    assert!(
        (x - quoted).abs() <= tol,
        "{what}: got {x}, quoted {quoted} (tolerance {tol})"
    );
}

fn assert_rel(x: f64, exact: f64, rel: f64, what: &str) {
    let err = ((x - exact) / exact).abs();
    assert!(
        err <= rel,
        "{what}: got {x:e}, expected {exact:e}, rel err {err:e} > {rel:e}"
    );
}

fn assert_invalid(err: AnalyticError, expected_name: &str) {
    match err {
        AnalyticError::InvalidArgument { name, .. } => assert_eq!(name, expected_name),
        other => panic!("expected InvalidArgument({expected_name}), got {other:?}"),
    }
}

fn assert_inconsistent(err: AnalyticError) {
    assert!(
        matches!(err, AnalyticError::Inconsistent { .. }),
        "expected Inconsistent, got {err:?}"
    );
}

// ---------------------------------------------------------------------------
// Bargaining splits.

#[test]
fn rubinstein_reference_value() {
    let s = rubinstein_share(0.9, 0.8).unwrap();
    assert_quoted(s, 0.7143, -4, "Rubinstein (0.9, 0.8)");
    assert_rel(s, 5.0 / 7.0, 1e-14, "Rubinstein (0.9, 0.8)");
}

#[test]
fn rubinstein_limits() {
    assert_eq!(rubinstein_share(0.0, 0.0).unwrap(), 1.0);
    assert_eq!(rubinstein_share(0.5, 1.0).unwrap(), 0.0);
    assert_eq!(rubinstein_share(1.0, 0.5).unwrap(), 1.0);
    // Equal patience close to 1: half each, first-mover advantage vanishing.
    let d = discount_factor(0.03, 1.0 / 1200.0);
    let s = rubinstein_share(d, d).unwrap();
    assert_rel(s, 1.0 / (1.0 + d), 1e-12, "Rubinstein symmetric");
    assert!(s > 0.5 && s < 0.5001);
}

#[test]
fn stahl_reference_values() {
    let s4 = stahl_share(0.9, 0.9, 4).unwrap();
    let s5 = stahl_share(0.9, 0.9, 5).unwrap();
    assert_quoted(s4, 0.1810, -4, "Ståhl N=4");
    assert_quoted(s5, 0.8371, -4, "Ståhl N=5");
    assert!((s4 - 0.181).abs() < 1e-14);
    assert!((s5 - 0.8371).abs() < 1e-14);
}

#[test]
fn stahl_small_horizons() {
    assert_eq!(stahl_share(0.9, 0.8, 1).unwrap(), 1.0);
    assert!((stahl_share(0.9, 0.8, 2).unwrap() - 0.2).abs() < 1e-15);
    // N = 3: 1 − δ_r (1 − δ_p).
    assert!((stahl_share(0.9, 0.8, 3).unwrap() - (1.0 - 0.8 * 0.1)).abs() < 1e-15);
    // No discounting: the last proposer takes everything.
    assert_eq!(stahl_share(1.0, 1.0, 7).unwrap(), 1.0);
    assert_eq!(stahl_share(1.0, 1.0, 8).unwrap(), 0.0);
}

#[test]
fn stahl_matches_backward_induction() {
    for &(dp, dr) in &[(0.9, 0.9), (0.9, 0.8), (0.6, 0.95), (0.0, 0.5), (0.99, 0.0)] {
        let mut s_prev_b = 1.0; // share of whoever proposes first in a 1-round game
        let mut s_prev_a = 1.0;
        // Build x_n(A) and x_n(B) forward in n: x_n(A) = 1 − δ_B x_{n−1}(B).
        for n in 1..80u32 {
            let (xa, xb) = if n == 1 {
                (1.0, 1.0)
            } else {
                (1.0 - dr * s_prev_b, 1.0 - dp * s_prev_a)
            };
            let s = stahl_share(dp, dr, n).unwrap();
            assert!((s - xa).abs() < 1e-13, "dp={dp} dr={dr} n={n}: {s} vs {xa}");
            s_prev_a = xa;
            s_prev_b = xb;
        }
    }
}

#[test]
fn stahl_converges_to_rubinstein_with_even_odd_bracketing() {
    for &(dp, dr) in &[
        (0.9, 0.9),
        (0.9, 0.8),
        (0.8, 0.9),
        (0.5, 0.7),
        (0.99, 0.995),
    ] {
        let r = rubinstein_share(dp, dr).unwrap();
        let mut prev_gap = f64::INFINITY;
        for n in 1..=400u32 {
            let s = stahl_share(dp, dr, n).unwrap();
            if n % 2 == 0 {
                assert!(s <= r + 1e-15, "even N={n} must be below: {s} > {r}");
            } else {
                assert!(s >= r - 1e-15, "odd N={n} must be above: {s} < {r}");
            }
            // The distance to the limit shrinks every two rounds.
            if n % 2 == 1 && n > 1 {
                let gap = (s - r).abs();
                assert!(gap <= prev_gap + 1e-15, "N={n}: {gap} > {prev_gap}");
                prev_gap = gap;
            }
        }
        let far_even = stahl_share(dp, dr, 100_000).unwrap();
        let far_odd = stahl_share(dp, dr, 100_001).unwrap();
        assert!((far_even - r).abs() < 1e-12 && (far_odd - r).abs() < 1e-12);
    }
    // Huge horizons are O(1) and still exact.
    let r = rubinstein_share(0.9, 0.9).unwrap();
    assert!((stahl_share(0.9, 0.9, u32::MAX).unwrap() - r).abs() < 1e-15);
}

// ---------------------------------------------------------------------------
// Discounting.

#[test]
fn discount_and_annuity_factors() {
    assert_rel(
        discount_factor(0.05, 2.0),
        (-0.1f64).exp(),
        1e-15,
        "discount",
    );
    assert_eq!(annuity_factor(0.0, 5.0), 5.0);
    assert_rel(
        annuity_factor(0.05, 1.0),
        0.975_411_509_985_719_8,
        1e-14,
        "A(1)",
    );
    // Small rates: A(L) ≈ L (1 − rL/2), no cancellation.
    let a = annuity_factor(1e-12, 10.0);
    assert_rel(a, 10.0 * (1.0 - 5e-12), 1e-15, "A small r");
    // A is increasing in L and below L for r > 0.
    assert!(annuity_factor(0.03, 10.0) > annuity_factor(0.03, 5.0));
    assert!(annuity_factor(0.03, 10.0) < 10.0);
}

// ---------------------------------------------------------------------------
// Contract length (Gray 1978).

fn gray_params() -> MismatchParams {
    MismatchParams {
        index_drift: 0.025,
        index_volatility: 0.01,
        residual_drift: 0.02,
        residual_volatility: 0.06,
        indexation: 0.25,
        escalator: 0.01,
    }
}

#[test]
fn mismatch_parameters() {
    let p = gray_params();
    let v = 0.75f64.powi(2) * 0.01f64.powi(2) + 0.06f64.powi(2);
    let m = 0.75 * 0.025 + 0.02 - 0.01;
    assert!((p.variance_rate() - v).abs() < 1e-16);
    assert!((p.drift_gap() - m).abs() < 1e-16);
    // Full indexation removes the index from both.
    let full = MismatchParams {
        indexation: 1.0,
        ..p
    };
    assert!((full.variance_rate() - 0.0036).abs() < 1e-17);
    assert!((full.drift_gap() - 0.01).abs() < 1e-17);
}

#[test]
fn discrete_mismatch_equals_mean_over_term() {
    let p = gray_params();
    let (v, m) = (p.variance_rate(), p.drift_gap());
    for &(n, dt) in &[
        (1u32, 1.0 / 12.0),
        (2, 0.5),
        (12, 1.0 / 12.0),
        (60, 1.0 / 12.0),
        (7, 0.3),
    ] {
        let brute: f64 = (0..n)
            .map(|j| {
                let t = f64::from(j) * dt;
                v * t + m * m * t * t
            })
            .sum::<f64>()
            / f64::from(n);
        let closed = expected_mismatch_discrete(&p, n, dt).unwrap();
        assert!(
            (closed - brute).abs() <= 1e-14 * brute.max(1e-300),
            "n={n}: {closed} vs {brute}"
        );
    }
    assert_eq!(expected_mismatch_discrete(&p, 1, 0.25).unwrap(), 0.0);
}

#[test]
fn discrete_mismatch_tends_to_continuous_limit() {
    let p = gray_params();
    for &l in &[1.0, 2.5, 5.0, 10.0] {
        let cont = expected_mismatch_continuous(&p, l).unwrap();
        let v = p.variance_rate();
        let m = p.drift_gap();
        assert_rel(cont, v * l / 2.0 + m * m * l * l / 3.0, 1e-15, "continuous");
        let mut prev_err = f64::INFINITY;
        for &n in &[1u32, 10, 100, 1_000, 10_000, 100_000] {
            let dt = l / f64::from(n);
            let disc = expected_mismatch_discrete(&p, n, dt).unwrap();
            // The grid misses the end of the term: the discrete mean is below.
            assert!(disc <= cont);
            let err = (cont - disc) / cont;
            assert!(err < prev_err, "L={l} n={n}: error must fall");
            // First order in Δ: the relative gap is between 1/n (V term) and
            // 3/(2n) (M² term).
            assert!(err <= 1.5 / f64::from(n) + 1e-12, "L={l} n={n}: err {err}");
            prev_err = err;
        }
        assert!(prev_err < 1.5e-5);
    }
}

#[test]
fn optimal_cycle_length_reference() {
    let opt = optimal_cycle_length(0.05, 1.0, 0.01, 0.05).unwrap();
    assert_quoted(opt.cycle_years, 2.365, -3, "L*");
    assert_quoted(opt.cost, 0.03763, -5, "cost at L*");
    assert_rel(
        opt.cycle_years,
        2.364_752_895_650_624,
        1e-13,
        "L* unrounded",
    );
    assert_rel(opt.cost, 0.037_627_669_600_226_27, 1e-13, "cost unrounded");
    let direct = contract_length_cost(opt.cycle_years, 0.05, 1.0, 0.01, 0.05).unwrap();
    assert_rel(opt.cost, direct, 1e-15, "cost consistency");
}

#[test]
fn optimal_cycle_length_is_a_minimum_and_solves_foc() {
    let cases = [
        (0.05, 1.0, 0.01, 0.05),
        (0.005, 1.0, 0.0036, 0.0287),
        (0.5, 2.0, 0.1, -0.3),
        (1e-4, 10.0, 1e-2, 1e-3),
        (3.0, 0.1, 1e-6, 0.2),
        (0.02, 1.0, 0.04, 1e-9),
    ];
    for &(big_k, k, v, m) in &cases {
        let opt = optimal_cycle_length(big_k, k, v, m).unwrap();
        let l = opt.cycle_years;
        let foc = -big_k / (l * l) + k * (v / 2.0 + 2.0 * m * m * l / 3.0);
        assert!(
            foc.abs() <= 1e-12 * big_k / (l * l),
            "FOC residual {foc} at L={l}"
        );
        for &f in &[0.9, 0.99, 0.999, 1.001, 1.01, 1.1] {
            let c = contract_length_cost(l * f, big_k, k, v, m).unwrap();
            assert!(
                c >= opt.cost,
                "cost({}) = {c} < cost(L*) = {}",
                l * f,
                opt.cost
            );
        }
    }
}

#[test]
fn optimal_cycle_length_special_cases() {
    // M = 0: L* = sqrt(2K/(kV)).
    let opt = optimal_cycle_length(0.05, 2.0, 0.01, 0.0).unwrap();
    assert_rel(
        opt.cycle_years,
        (2.0 * 0.05 / (2.0 * 0.01f64)).sqrt(),
        1e-15,
        "M = 0",
    );
    // V = 0: L* = cbrt(3K/(2kM²)).
    let opt = optimal_cycle_length(0.05, 2.0, 0.0, 0.05).unwrap();
    assert_rel(
        opt.cycle_years,
        (3.0 * 0.05 / (2.0 * 2.0 * 0.0025f64)).cbrt(),
        1e-15,
        "V = 0",
    );
    // More noise or faster drift: shorter optimal contracts.
    let base = optimal_cycle_length(0.05, 1.0, 0.01, 0.05)
        .unwrap()
        .cycle_years;
    assert!(
        optimal_cycle_length(0.05, 1.0, 0.02, 0.05)
            .unwrap()
            .cycle_years
            < base
    );
    assert!(
        optimal_cycle_length(0.05, 1.0, 0.01, 0.10)
            .unwrap()
            .cycle_years
            < base
    );
    // Dearer negotiations: longer ones.
    assert!(
        optimal_cycle_length(0.10, 1.0, 0.01, 0.05)
            .unwrap()
            .cycle_years
            > base
    );
}

// ---------------------------------------------------------------------------
// Time-dependent tactics (Faratin, Sierra & Jennings 1998).

#[test]
fn crossing_time_reference_values() {
    let c5 = crossing_time(0.3, 0.0, -0.05, 0.05, 5.0).unwrap();
    let c1 = crossing_time(0.3, 0.0, -0.05, 0.05, 1.0).unwrap();
    let c02 = crossing_time(0.3, 0.0, -0.05, 0.05, 0.2).unwrap();
    assert_quoted(c5.relative_time, 0.9441, -4, "t* e=5");
    assert_quoted(c1.relative_time, 0.75, -4, "t* e=1");
    assert_quoted(c02.relative_time, 0.2373, -4, "t* e=0.2");
    assert_rel(
        c5.relative_time,
        0.944_087_511_294_902,
        1e-14,
        "t* e=5 unrounded",
    );
    assert_rel(c1.relative_time, 0.75, 1e-15, "t* e=1 unrounded");
    assert_rel(
        c02.relative_time,
        0.237_304_687_5,
        1e-14,
        "t* e=0.2 unrounded",
    );
    for c in [c5, c1, c02] {
        assert_rel(c.premium, 0.0375, 1e-13, "premium");
    }
    // Boulware puts the deal near the deadline.
    assert!(c5.relative_time > c1.relative_time && c1.relative_time > c02.relative_time);
}

#[test]
fn crossing_time_degenerate_cases() {
    // Same opening: agreement at once at that opening.
    let c = crossing_time(0.01, 0.01, -0.05, 0.05, 3.0).unwrap();
    assert_eq!(c.relative_time, 0.0);
    assert_eq!(c.premium, 0.01);
    // Zone of zero width: the targets meet only at the deadline, at R_P = R_H.
    let c = crossing_time(0.3, -0.2, 0.02, 0.02, 3.0).unwrap();
    assert_eq!(c.relative_time, 1.0);
    assert!((c.premium - 0.02).abs() < 1e-15);
    // Both targets agree at t*.
    let (op, oh, rp, rh, e) = (0.4, -0.1, -0.03, 0.08, 2.5);
    let c = crossing_time(op, oh, rp, rh, e).unwrap();
    let te = c.relative_time.powf(e);
    let host_target = oh + (rh - oh) * te;
    assert!((host_target - c.premium).abs() < 1e-14);
}

// ---------------------------------------------------------------------------
// Standard normal distribution.

#[test]
fn normal_cdf_known_values() {
    assert_eq!(normal_cdf(0.0), 0.5);
    assert_eq!(normal_sf(0.0), 0.5);
    assert_rel(normal_cdf(1.0), 0.841_344_746_068_542_9, 2e-16, "Phi(1)");
    assert_rel(normal_cdf(-3.0), 0.001_349_898_031_630_1, 1e-13, "Phi(-3)");
    assert_rel(normal_cdf(-8.0), 6.220_960_574_271_78e-16, 1e-14, "Phi(-8)");
    assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
    // Far tail, references from 30-digit mpmath at exactly representable points.
    assert_rel(normal_sf(8.0), 6.220_960_574_271_784e-16, 1e-15, "Q(8)");
    assert_rel(normal_sf(20.0), 2.753_624_118_606_233_7e-89, 2e-15, "Q(20)");
    assert_rel(
        normal_cdf(-37.0),
        5.725_571_222_524_577e-300,
        2e-15,
        "Phi(-37)",
    );
    assert_rel(normal_sf(0.5), 0.308_537_538_725_986_9, 1e-15, "Q(0.5)");
    assert_rel(normal_sf(2.5), 0.006_209_665_325_776_135, 1e-15, "Q(2.5)");
    assert_rel(normal_sf(5.75), 4.462_172_453_901_612e-9, 1e-15, "Q(5.75)");
    assert_eq!(normal_sf(40.0), 0.0);
    assert_eq!(normal_cdf(40.0), 1.0);
    assert_eq!(normal_sf(f64::INFINITY), 0.0);
    assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
    assert!(normal_cdf(f64::NAN).is_nan());
}

#[test]
fn normal_cdf_symmetry_and_monotonicity() {
    let mut prev = 0.0;
    let mut x = -10.0;
    while x <= 10.0 {
        let c = normal_cdf(x);
        assert!((c + normal_sf(x) - 1.0).abs() < 2e-16);
        assert_eq!(normal_sf(x), normal_cdf(-x));
        assert!(c >= prev, "Phi not monotone at {x}");
        prev = c;
        x += 0.001;
    }
}

// ---------------------------------------------------------------------------
// Lapses with complete information (drift model).

fn lapse_params(max_lapse_steps: u32) -> LapseParams {
    LapseParams {
        margin_patron: 0.05,
        margin_host: 0.05,
        sd_patron: 0.08,
        sd_host: 0.08,
        pressure_patron: 0.24,
        pressure_host: 0.24,
        dt_years: 1.0 / 12.0,
        max_lapse_steps,
    }
}

#[test]
fn lapse_degenerate_sd_zero() {
    // Non-negative margins and no noise: the zone is never empty.
    let p = LapseParams {
        sd_patron: 0.0,
        sd_host: 0.0,
        ..lapse_params(24)
    };
    assert_eq!(lapse_probability(&p).unwrap(), 0.0);
    assert_eq!(expected_lapse_steps(&p).unwrap(), 0.0);
    assert_eq!(expected_lapse_steps_sq(&p).unwrap(), 0.0);
    assert_eq!(rupture_probability(&p).unwrap(), 0.0);
    // Negative (effective) margins: constant gap G = 0.1, closing 0.04 a step,
    // so the lapse lasts ⌈0.1/0.04⌉ = 3 steps.
    let p = LapseParams {
        margin_patron: -0.05,
        margin_host: -0.05,
        ..p
    };
    assert_eq!(lapse_probability(&p).unwrap(), 1.0);
    assert_eq!(expected_lapse_steps(&p).unwrap(), 3.0);
    assert_eq!(expected_lapse_steps_sq(&p).unwrap(), 9.0);
    assert_eq!(rupture_probability(&p).unwrap(), 0.0);
    // Capped at M = 2: rupture.
    let capped = LapseParams {
        max_lapse_steps: 2,
        ..p
    };
    assert_eq!(expected_lapse_steps(&capped).unwrap(), 2.0);
    assert_eq!(expected_lapse_steps_sq(&capped).unwrap(), 4.0);
    assert_eq!(rupture_probability(&capped).unwrap(), 1.0);
    // No pressure: the lapse never closes by itself.
    let stuck = LapseParams {
        pressure_patron: 0.0,
        pressure_host: 0.0,
        ..p
    };
    assert_eq!(expected_lapse_steps(&stuck).unwrap(), 24.0);
    assert_eq!(rupture_probability(&stuck).unwrap(), 1.0);
}

#[test]
fn lapse_zero_pressure_gives_m_times_lapse_probability() {
    let p = LapseParams {
        pressure_patron: 0.0,
        pressure_host: 0.0,
        ..lapse_params(18)
    };
    let pl = lapse_probability(&p).unwrap();
    assert_rel(
        expected_lapse_steps(&p).unwrap(),
        18.0 * pl,
        1e-15,
        "rho=0 steps",
    );
    assert_rel(
        expected_lapse_steps_sq(&p).unwrap(),
        324.0 * pl,
        1e-15,
        "rho=0 sq",
    );
    assert_eq!(rupture_probability(&p).unwrap(), pl);
}

#[test]
fn lapse_probability_matches_normal_tail() {
    let p = lapse_params(24);
    // G ~ N(−0.1, 2·0.08²): P(G > 0) = Q(0.1 / (0.08 √2)).
    let expected = normal_sf(0.1 / (0.08 * std::f64::consts::SQRT_2));
    assert_rel(lapse_probability(&p).unwrap(), expected, 1e-15, "P(lapse)");
    assert_rel(expected, 0.188_379_558_905_791_03, 1e-12, "P(lapse) value");
}

#[test]
fn lapse_moments_monotone_in_max_steps() {
    let mut prev = (0.0, 0.0, 1.0);
    for m in 0..=60u32 {
        let p = lapse_params(m);
        let e = expected_lapse_steps(&p).unwrap();
        let e2 = expected_lapse_steps_sq(&p).unwrap();
        let r = rupture_probability(&p).unwrap();
        assert!(e >= prev.0 && e2 >= prev.1 && r <= prev.2, "M = {m}");
        // Bounds: E[steps] <= M·P(lapse); variance non-negative (lapse or not).
        assert!(e <= f64::from(m) * lapse_probability(&p).unwrap() + 1e-15);
        assert!(e2 >= e * e - 1e-15);
        prev = (e, e2, r);
    }
    assert_eq!(expected_lapse_steps(&lapse_params(0)).unwrap(), 0.0);
    assert_eq!(
        rupture_probability(&lapse_params(0)).unwrap(),
        lapse_probability(&lapse_params(0)).unwrap()
    );
}

#[test]
fn lapse_moments_match_numerical_integration() {
    // E[f(G)] with f(g) = min(⌈g/ρ⌉, M)^power for g > 0, by the midpoint rule on
    // the normal density (independent of the tail-sum formula and of normal_sf).
    let p = lapse_params(24);
    let mean = -(p.margin_patron + p.margin_host);
    let sd = (p.sd_patron.powi(2) + p.sd_host.powi(2)).sqrt();
    let rho = (p.pressure_patron + p.pressure_host) * p.dt_years;
    let m = f64::from(p.max_lapse_steps);
    // Cells aligned on the jumps of f at multiples of ρ: only the smooth O(h²) error remains.
    let h = rho / 20_000.0;
    let (lo, hi) = (0.0, mean + 12.0 * sd);
    let n = ((hi - lo) / h).ceil() as u32;
    let (mut e1, mut e2, mut rupt) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let g = lo + (f64::from(i) + 0.5) * h;
        let z = (g - mean) / sd;
        let dens = (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt()) * h;
        let steps = (g / rho).ceil().min(m);
        e1 += steps * dens;
        e2 += steps * steps * dens;
        if g > m * rho {
            rupt += dens;
        }
    }
    assert_rel(expected_lapse_steps(&p).unwrap(), e1, 1e-9, "E[steps]");
    assert_rel(expected_lapse_steps_sq(&p).unwrap(), e2, 1e-9, "E[steps²]");
    assert_rel(rupture_probability(&p).unwrap(), rupt, 1e-8, "P(rupture)");
}

#[test]
fn lapse_sum_handles_large_caps() {
    // A cap far beyond the support: the sum stops early and equals the uncapped value.
    let a = expected_lapse_steps(&lapse_params(1_000)).unwrap();
    let b = expected_lapse_steps(&lapse_params(u32::MAX)).unwrap();
    assert!((a - b).abs() <= 1e-15 * a);
    assert!(rupture_probability(&lapse_params(u32::MAX)).unwrap() == 0.0);
}

// ---------------------------------------------------------------------------
// War of attrition (Hendricks, Weiss & Wilson 1988; Fearon 1998).

#[test]
fn attrition_delay_reference_values() {
    let d1 = attrition_expected_delay_years(0.2, 0.5, 0.5, 0.05, 1.0).unwrap();
    let d5 = attrition_expected_delay_years(0.2, 0.5, 0.5, 0.05, 5.0).unwrap();
    let d10 = attrition_expected_delay_years(0.2, 0.5, 0.5, 0.05, 10.0).unwrap();
    assert_quoted(d1, 0.1951, -4, "delay L=1");
    assert_quoted(d5, 0.8848, -4, "delay L=5");
    assert_quoted(d10, 1.574, -3, "delay L=10");
    assert_rel(d1, 0.195_082_301_997_143_96, 1e-14, "delay L=1 unrounded");
    assert_rel(d5, 0.884_796_867_714_380_5, 1e-14, "delay L=5 unrounded");
    assert_rel(d10, 1.573_877_361_149_466_3, 1e-14, "delay L=10 unrounded");
    assert!(d1 < d5 && d5 < d10);
}

#[test]
fn attrition_hazard_is_inverse_delay() {
    for &l in &[0.5, 1.0, 5.0, 10.0] {
        let lp = attrition_hazard(0.5, 0.2, 0.05, l).unwrap();
        let lh = attrition_hazard(0.3, 0.2, 0.05, l).unwrap();
        assert_rel(lp, 0.5 / (0.2 * annuity_factor(0.05, l)), 1e-15, "hazard");
        let d = attrition_expected_delay_years(0.2, 0.5, 0.3, 0.05, l).unwrap();
        assert_rel(1.0 / (lp + lh), d, 1e-14, "1/(λP+λH)");
    }
}

#[test]
fn attrition_discrete_steps_and_rupture() {
    let (lp, lh, dt): (f64, f64, f64) = (0.8, 0.4, 1.0 / 12.0);
    let p = 1.0 - (-(lp + lh) * dt).exp();
    for &m in &[1u32, 2, 6, 24, 120] {
        let e = attrition_expected_steps(lp, lh, dt, m).unwrap();
        let brute: f64 = (0..m).map(|k| (1.0 - p).powi(k as i32)).sum();
        assert_rel(e, brute, 1e-13, "E[min(T, M)]");
        let r = attrition_rupture_probability(lp, lh, dt, m).unwrap();
        assert_rel(r, (1.0 - p).powi(m as i32), 1e-13, "rupture");
    }
    // No cap in practice: 1/p.
    let e = attrition_expected_steps(lp, lh, dt, u32::MAX).unwrap();
    assert_rel(e, 1.0 / p, 1e-13, "uncapped");
    assert_eq!(attrition_expected_steps(lp, lh, dt, 0).unwrap(), 0.0);
    assert_eq!(attrition_rupture_probability(lp, lh, dt, 0).unwrap(), 1.0);
    // Nobody ever gives in: the lapse runs to the cap and ruptures.
    assert_eq!(attrition_expected_steps(0.0, 0.0, dt, 24).unwrap(), 24.0);
    assert_eq!(
        attrition_rupture_probability(0.0, 0.0, dt, 24).unwrap(),
        1.0
    );
}

#[test]
fn attrition_discrete_tends_to_continuous_delay() {
    let (stake, cp, ch, r, l) = (0.2, 0.5, 0.5, 0.05, 5.0);
    let lp = attrition_hazard(cp, stake, r, l).unwrap();
    let lh = attrition_hazard(ch, stake, r, l).unwrap();
    let cont = attrition_expected_delay_years(stake, cp, ch, r, l).unwrap();
    let mut prev = f64::INFINITY;
    for &spy in &[12.0, 52.0, 365.0, 8760.0, 525_600.0] {
        let dt = 1.0 / spy;
        // Steps count whole periods, so the discrete delay exceeds the continuous one.
        let disc = attrition_expected_steps(lp, lh, dt, u32::MAX).unwrap() * dt;
        let err = (disc - cont) / cont;
        assert!(err > 0.0 && err < prev);
        prev = err;
    }
    assert!(prev < 1e-5);
}

// ---------------------------------------------------------------------------
// Invalid inputs.

#[test]
fn invalid_inputs_name_the_argument() {
    let e = rubinstein_share(1.2, 0.5).unwrap_err();
    assert_eq!(e.to_string(), "delta_proposer: must be in [0, 1], got 1.2");
    assert_invalid(e, "delta_proposer");
    assert_invalid(rubinstein_share(0.5, -0.1).unwrap_err(), "delta_responder");
    assert_invalid(
        rubinstein_share(f64::NAN, 0.5).unwrap_err(),
        "delta_proposer",
    );
    assert_inconsistent(rubinstein_share(1.0, 1.0).unwrap_err());

    let e = stahl_share(0.9, 0.9, 0).unwrap_err();
    assert_eq!(e.to_string(), "rounds: must be >= 1, got 0");
    assert_invalid(e, "rounds");
    assert_invalid(stahl_share(0.9, 1.5, 3).unwrap_err(), "delta_responder");

    let p = gray_params();
    assert_invalid(
        expected_mismatch_discrete(&p, 0, 0.1).unwrap_err(),
        "steps_per_term",
    );
    assert_invalid(
        expected_mismatch_discrete(&p, 12, 0.0).unwrap_err(),
        "dt_years",
    );
    assert_invalid(
        expected_mismatch_continuous(&p, -1.0).unwrap_err(),
        "cycle_years",
    );
    let bad = MismatchParams {
        indexation: 1.5,
        ..p
    };
    assert_invalid(
        expected_mismatch_continuous(&bad, 1.0).unwrap_err(),
        "indexation",
    );
    let bad = MismatchParams {
        residual_volatility: -0.1,
        ..p
    };
    assert_invalid(
        expected_mismatch_discrete(&bad, 12, 0.1).unwrap_err(),
        "residual_volatility",
    );
    let bad = MismatchParams {
        index_drift: f64::INFINITY,
        ..p
    };
    assert_invalid(
        expected_mismatch_continuous(&bad, 1.0).unwrap_err(),
        "index_drift",
    );

    assert_invalid(
        contract_length_cost(0.0, 0.05, 1.0, 0.01, 0.05).unwrap_err(),
        "cycle_years",
    );
    assert_invalid(
        contract_length_cost(1.0, -0.05, 1.0, 0.01, 0.05).unwrap_err(),
        "fixed_cost",
    );
    assert_invalid(
        optimal_cycle_length(0.0, 1.0, 0.01, 0.05).unwrap_err(),
        "fixed_cost",
    );
    assert_invalid(
        optimal_cycle_length(0.05, 0.0, 0.01, 0.05).unwrap_err(),
        "rigidity_weight",
    );
    assert_invalid(
        optimal_cycle_length(0.05, 1.0, -0.01, 0.05).unwrap_err(),
        "variance_rate",
    );
    assert_invalid(
        optimal_cycle_length(0.05, 1.0, 0.01, f64::NAN).unwrap_err(),
        "drift_gap",
    );
    assert_inconsistent(optimal_cycle_length(0.05, 1.0, 0.0, 0.0).unwrap_err());

    assert_inconsistent(crossing_time(0.3, 0.0, 0.06, 0.05, 1.0).unwrap_err());
    assert_inconsistent(crossing_time(0.0, 0.3, -0.05, 0.05, 1.0).unwrap_err());
    assert_invalid(
        crossing_time(0.3, 0.0, -0.05, 0.05, 0.0).unwrap_err(),
        "exponent",
    );
    assert_invalid(
        crossing_time(0.3, f64::NAN, -0.05, 0.05, 1.0).unwrap_err(),
        "opening_host",
    );

    let lp = lapse_params(24);
    for (bad, name) in [
        (
            LapseParams {
                sd_host: -0.1,
                ..lp
            },
            "sd_host",
        ),
        (
            LapseParams {
                pressure_patron: -1.0,
                ..lp
            },
            "pressure_patron",
        ),
        (
            LapseParams {
                dt_years: 0.0,
                ..lp
            },
            "dt_years",
        ),
        (
            LapseParams {
                margin_patron: f64::NAN,
                ..lp
            },
            "margin_patron",
        ),
    ] {
        assert_invalid(lapse_probability(&bad).unwrap_err(), name);
        assert_invalid(expected_lapse_steps(&bad).unwrap_err(), name);
        assert_invalid(expected_lapse_steps_sq(&bad).unwrap_err(), name);
        assert_invalid(rupture_probability(&bad).unwrap_err(), name);
    }

    assert_invalid(attrition_hazard(0.5, 0.0, 0.05, 1.0).unwrap_err(), "stake");
    assert_invalid(
        attrition_hazard(-0.5, 0.2, 0.05, 1.0).unwrap_err(),
        "lapse_cost",
    );
    assert_invalid(
        attrition_hazard(0.5, 0.2, 0.05, 0.0).unwrap_err(),
        "cycle_years",
    );
    assert_invalid(
        attrition_expected_steps(-1.0, 0.5, 0.1, 24).unwrap_err(),
        "lambda_patron",
    );
    assert_invalid(
        attrition_rupture_probability(1.0, 0.5, 0.0, 24).unwrap_err(),
        "dt_years",
    );
    assert_inconsistent(attrition_expected_delay_years(0.2, 0.0, 0.0, 0.05, 1.0).unwrap_err());
    assert_invalid(
        attrition_expected_delay_years(0.2, 0.5, 0.5, -0.05, 1.0).unwrap_err(),
        "rate",
    );
}

#[test]
fn valid_inputs_never_give_nan() {
    // Extreme but valid inputs: results are finite numbers or clean errors.
    let checks = [
        rubinstein_share(1.0, 0.0),
        rubinstein_share(0.0, 1.0),
        stahl_share(0.0, 0.0, u32::MAX),
        stahl_share(1.0, 0.999_999_999, u32::MAX),
        expected_mismatch_discrete(&gray_params(), u32::MAX, 1e-9),
        lapse_probability(&LapseParams {
            pressure_patron: f64::MAX,
            pressure_host: f64::MAX,
            ..lapse_params(24)
        }),
        expected_lapse_steps(&LapseParams {
            pressure_patron: f64::MAX,
            pressure_host: f64::MAX,
            ..lapse_params(24)
        }),
        rupture_probability(&LapseParams {
            pressure_patron: f64::MAX,
            pressure_host: f64::MAX,
            ..lapse_params(0)
        }),
        attrition_expected_steps(f64::MAX, f64::MAX, 1.0, 3),
        attrition_rupture_probability(f64::MAX, f64::MAX, 1.0, 0),
    ];
    for (i, c) in checks.iter().enumerate() {
        match c {
            Ok(x) => assert!(!x.is_nan(), "check {i} gave NaN"),
            Err(e) => assert!(
                matches!(e, AnalyticError::NotFinite { .. }),
                "check {i}: {e}"
            ),
        }
    }
    let opt = optimal_cycle_length(1e-300, 1e300, 1e-300, 1e-300);
    assert!(opt.is_err() || opt.unwrap().cycle_years.is_finite());
}
