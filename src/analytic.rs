//! Closed-form theory anchors for the negotiation-cycle model (MODEL.md §9).
//!
//! The simulator is tested against these formulas: each function is the exact
//! (or limiting) value of a metric under the simplifying assumptions stated in
//! its documentation, so a Monte Carlo run under the same assumptions must agree
//! with it within its confidence interval.
//!
//! Contents:
//! - bargaining splits: [`rubinstein_share`] (Rubinstein 1982) and
//!   [`stahl_share`] (Ståhl 1972);
//! - contract-length trade-off: [`expected_mismatch_discrete`],
//!   [`expected_mismatch_continuous`], [`contract_length_cost`] and
//!   [`optimal_cycle_length`] (Gray 1978);
//! - deadline effect of time-dependent tactics: [`crossing_time`]
//!   (Faratin, Sierra & Jennings 1998);
//! - lapses under complete information with drifting reservations:
//!   [`lapse_probability`], [`expected_lapse_steps`],
//!   [`expected_lapse_steps_sq`], [`rupture_probability`];
//! - war of attrition (Hendricks, Weiss & Wilson 1988; Fearon 1998):
//!   [`attrition_hazard`], [`attrition_expected_steps`],
//!   [`attrition_rupture_probability`], [`attrition_expected_delay_years`];
//! - helpers: [`discount_factor`], [`annuity_factor`], [`normal_cdf`],
//!   [`normal_sf`].
//!
//! Premia and reservations are log premia over the efficient terms `X*`
//! (dimensionless); rates are per year; times are in years unless a name says
//! `steps`. Every function taking user values validates them (finite, sign and
//! range rules) and reports a violation as an [`AnalyticError`] naming the
//! argument; no function panics, and none returns NaN for valid input.
//!
//! ```
//! use negcycle::analytic::rubinstein_share;
//! // Proposer with δ = 0.9 against a responder with δ = 0.8 gets 5/7 of the zone.
//! let share = rubinstein_share(0.9, 0.8).unwrap();
//! assert!((share - 5.0 / 7.0).abs() < 1e-12);
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

/// Error returned by the closed forms when an input is outside its domain.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticError {
    /// A single argument violates its rule (not finite, wrong sign, out of range).
    #[error("{name}: {rule}, got {value}")]
    InvalidArgument {
        /// Name of the offending argument (as in the function signature).
        name: &'static str,
        /// The rule it breaks, e.g. `"must be in [0, 1]"`.
        rule: &'static str,
        /// The value received (integer arguments are converted to `f64`).
        value: f64,
    },
    /// Several arguments are individually valid but jointly inconsistent
    /// (e.g. an empty zone of agreement, or no finite optimum).
    #[error("{names}: {rule}")]
    Inconsistent {
        /// The arguments involved, comma separated.
        names: &'static str,
        /// The joint rule they break.
        rule: &'static str,
    },
    /// The inputs are valid but so extreme that the result overflows (or
    /// underflows to a degenerate value) in `f64`.
    #[error("{quantity}: result is not representable as a finite f64 (inputs too extreme)")]
    NotFinite {
        /// The quantity that could not be represented.
        quantity: &'static str,
    },
}

type Result<T> = std::result::Result<T, AnalyticError>;

// ---------------------------------------------------------------------------
// Validation helpers.

fn invalid(name: &'static str, rule: &'static str, value: f64) -> AnalyticError {
    AnalyticError::InvalidArgument { name, rule, value }
}

fn finite(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(invalid(name, "must be finite", x))
    }
}

fn non_negative(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(invalid(name, "must be finite and >= 0", x))
    }
}

fn positive(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(invalid(name, "must be finite and > 0", x))
    }
}

fn unit_interval(name: &'static str, x: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(invalid(name, "must be in [0, 1]", x))
    }
}

fn finite_result(quantity: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(AnalyticError::NotFinite { quantity })
    }
}

/// `k · x` with the convention `0 · x = 0` even when `x` is infinite.
fn times(k: u32, x: f64) -> f64 {
    if k == 0 { 0.0 } else { f64::from(k) * x }
}

// ---------------------------------------------------------------------------
// Bargaining splits.

/// Proposer's subgame-perfect share of the zone of agreement in the
/// infinite-horizon alternating-offers game (Rubinstein 1982):
/// `(1 − δ_r) / (1 − δ_p δ_r)`.
///
/// `delta_proposer` and `delta_responder` are per-round discount factors
/// (dimensionless, in `[0, 1]`; in the model `δ_i = e^{−r_i Δ}`, see
/// [`discount_factor`]); they must not both be 1 (no unique equilibrium).
/// Returns a fraction in `[0, 1]` of the zone `[R_P, R_H]` (MODEL.md §5.2).
/// The denominator is evaluated as `(1 − δ_p) + δ_p (1 − δ_r)` to stay accurate
/// when both factors are close to 1.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] if `delta_proposer` or `delta_responder` is not in
///   `[0, 1]` (NaN included), checked in that order;
/// - [`AnalyticError::Inconsistent`] if both are exactly 1.
pub fn rubinstein_share(delta_proposer: f64, delta_responder: f64) -> Result<f64> {
    let dp = unit_interval("delta_proposer", delta_proposer)?;
    let dr = unit_interval("delta_responder", delta_responder)?;
    if dp == 1.0 && dr == 1.0 {
        return Err(AnalyticError::Inconsistent {
            names: "delta_proposer, delta_responder",
            rule: "must not both be 1 (no unique equilibrium without discounting)",
        });
    }
    let share = (1.0 - dr) / ((1.0 - dp) + dp * (1.0 - dr));
    Ok(share.clamp(0.0, 1.0))
}

/// First proposer's subgame-perfect share of the zone with a finite number of
/// alternating proposals, the last proposer taking everything (Ståhl 1972).
///
/// Backward induction: `x_1 = 1`, `x_n(A) = 1 − δ_B · x_{n−1}(B)`, roles
/// alternating, where `B` is the responder in the first of the `n` remaining
/// rounds. `delta_proposer` / `delta_responder` are the per-round discount
/// factors (dimensionless, in `[0, 1]`; both equal to 1 is allowed here: the
/// last proposer then takes all) of the first proposer and first responder;
/// `rounds >= 1` is the number of proposals. Evaluated in closed form
/// (O(1) in `rounds`): with `q = δ_p δ_r`, an odd `N = 2m + 1` gives
/// `R + q^m (1 − R)` and an even `N = 2m + 2` gives `R (1 − q^{m+1})`, where
/// `R` is [`rubinstein_share`]; hence even `N` lie below and odd `N` above the
/// Rubinstein share, converging to it. Example: δ = 0.9 for both, `N = 4` →
/// 0.1810, `N = 5` → 0.8371. Returns a fraction in `[0, 1]`.
///
/// # Errors
///
/// [`AnalyticError::InvalidArgument`], checked in this order, if `delta_proposer` or
/// `delta_responder` is not in `[0, 1]` (NaN included), or if `rounds` is 0. Both
/// factors equal to 1 is not an error.
pub fn stahl_share(delta_proposer: f64, delta_responder: f64, rounds: u32) -> Result<f64> {
    let dp = unit_interval("delta_proposer", delta_proposer)?;
    let dr = unit_interval("delta_responder", delta_responder)?;
    if rounds == 0 {
        return Err(invalid("rounds", "must be >= 1", 0.0));
    }
    // Two rounds back: s_k = (1 − δ_r) + q s_{k+2}, so
    // s_1 = (1 − δ_r) g(m) + q^m s_{1+2m}, with g(m) = Σ_{i<m} q^i.
    let m = (rounds - 1) / 2;
    let one_minus_q = (1.0 - dp) + dp * (1.0 - dr);
    let (g, q_m) = if m == 0 {
        (0.0, 1.0)
    } else if one_minus_q == 0.0 {
        (f64::from(m), 1.0)
    } else {
        // ln q may be −∞ (a zero factor): then q^m = 0 and g = 1, as required.
        let ln_q = dp.ln() + dr.ln();
        let m_ln_q = f64::from(m) * ln_q;
        (-m_ln_q.exp_m1() / one_minus_q, m_ln_q.exp())
    };
    let share = if rounds % 2 == 1 {
        // s_{2m+1} = 1: the first proposer also makes the last proposal.
        (1.0 - dr) * g + q_m
    } else {
        // s_{2m+1} = 1 − δ_r (two rounds left, the responder proposes last).
        (1.0 - dr) * (g + q_m)
    };
    Ok(share.clamp(0.0, 1.0))
}

// ---------------------------------------------------------------------------
// Discounting.

/// Discount factor `e^{−r Δt}` (dimensionless) for a continuously compounded
/// `rate` (per year) over `dt_years` (years); e.g. the per-step factor
/// `δ = e^{−r Δ}` of the complete-information protocol (Rubinstein 1982,
/// MODEL.md §5.2). Not validated: non-finite input gives a non-finite or
/// degenerate result.
pub fn discount_factor(rate: f64, dt_years: f64) -> f64 {
    (-rate * dt_years).exp()
}

/// Annuity factor `A(L) = (1 − e^{−rL}) / r` (years): the present value of a
/// flow of 1 per year for `years` at continuously compounded `rate` (per year);
/// equals `years` when `rate == 0`. Evaluated as `−expm1(−rL)/r`, which is
/// accurate for small `r`. This is the stake multiplier of Fearon (1998) in
/// MODEL.md §4 and §5.3. Not validated: non-finite input gives a non-finite or
/// degenerate result.
pub fn annuity_factor(rate: f64, years: f64) -> f64 {
    let x = rate * years;
    if x.abs() < 1e-12 {
        // Second-order expansion: exact to rounding here, and safe when `rate·years` underflows.
        years * (1.0 - 0.5 * x)
    } else {
        -(-x).exp_m1() / rate
    }
}

// ---------------------------------------------------------------------------
// Contract length (Gray 1978).

/// Parameters of the mismatch `D = ln X − ln X*` between a fixed (partly
/// indexed) agreement and the efficient terms (MODEL.md §2–3, §9; Gray 1978).
///
/// All drifts and growth rates are per year in log units; volatilities are per
/// square-root year in log units.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MismatchParams {
    /// `μ_I`: drift of the contractible index (log units per year; any sign).
    pub index_drift: f64,
    /// `σ_I`: volatility of the index (log units per √year, >= 0).
    pub index_volatility: f64,
    /// `μ_U`: drift of the non-contractible residual (log units per year; any sign).
    pub residual_drift: f64,
    /// `σ_U`: volatility of the residual (log units per √year, >= 0). Jumps are
    /// not included; add `jump_rate·(jump_mean² + jump_sd²)` yourself if needed.
    pub residual_volatility: f64,
    /// `κ`: indexation of the payment to the index (dimensionless, in `[0, 1]`).
    pub indexation: f64,
    /// `g`: fixed escalator of the payment (log units per year; any sign).
    pub escalator: f64,
}

impl MismatchParams {
    /// Variance rate of the mismatch, `V = (1 − κ)² σ_I² + σ_U²`
    /// (log units² per year; Gray 1978).
    pub fn variance_rate(&self) -> f64 {
        let u = 1.0 - self.indexation;
        u * u * self.index_volatility * self.index_volatility
            + self.residual_volatility * self.residual_volatility
    }

    /// Drift gap of the mismatch, `M = (1 − κ) μ_I + μ_U − g` (log units per
    /// year): how fast the efficient terms run away from the fixed payment
    /// (Gray 1978).
    pub fn drift_gap(&self) -> f64 {
        (1.0 - self.indexation) * self.index_drift + self.residual_drift - self.escalator
    }

    fn validate(&self) -> Result<()> {
        finite("index_drift", self.index_drift)?;
        non_negative("index_volatility", self.index_volatility)?;
        finite("residual_drift", self.residual_drift)?;
        non_negative("residual_volatility", self.residual_volatility)?;
        unit_interval("indexation", self.indexation)?;
        finite("escalator", self.escalator)?;
        Ok(())
    }
}

/// Expected squared mismatch `E[D²]` averaged over the steps of one term, on the
/// discrete time grid (log units²; Gray 1978, MODEL.md §9).
///
/// Terms are set at the efficient level at the start of the term (complete
/// information, zero margins, no window), so at step `j` of the term
/// `E[D_j²] = V·jΔ + M²(jΔ)²`; the mean over `j = 0..n−1` is
/// `V(n−1)Δ/2 + M²(n−1)(2n−1)Δ²/6`, with `V` = [`MismatchParams::variance_rate`],
/// `M` = [`MismatchParams::drift_gap`], `n = steps_per_term >= 1` and
/// `Δ = dt_years > 0` (years per step). Tends to
/// [`expected_mismatch_continuous`] with `L = nΔ` as `Δ → 0`.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] naming the field, if a field of `p` breaks its rule:
///   `index_drift`, `residual_drift` or `escalator` not finite, `index_volatility` or
///   `residual_volatility` not finite or negative, `indexation` not in `[0, 1]` (NaN
///   included); then if `steps_per_term` is 0; then if `dt_years` is not finite or
///   is `<= 0`. Checked in that order; the first violation is reported.
/// - [`AnalyticError::NotFinite`] (`"expected mismatch"`) if the computed value is not
///   finite: `V`, `M` or the result overflows `f64` (even with `steps_per_term = 1`,
///   whose exact value is 0).
pub fn expected_mismatch_discrete(
    p: &MismatchParams,
    steps_per_term: u32,
    dt_years: f64,
) -> Result<f64> {
    p.validate()?;
    if steps_per_term == 0 {
        return Err(invalid("steps_per_term", "must be >= 1", 0.0));
    }
    let dt = positive("dt_years", dt_years)?;
    let n = f64::from(steps_per_term);
    let v = p.variance_rate();
    let m = p.drift_gap();
    let value = v * (n - 1.0) * dt / 2.0 + m * m * (n - 1.0) * (2.0 * n - 1.0) * dt * dt / 6.0;
    finite_result("expected mismatch", value)
}

/// Expected squared mismatch averaged over a term of `cycle_years` (`L > 0`,
/// years) in continuous time: `V L/2 + M² L²/3` (log units²; Gray 1978,
/// MODEL.md §9), the `Δ → 0` limit of [`expected_mismatch_discrete`].
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] naming the field, if a field of `p` breaks its rule (as
///   in [`expected_mismatch_discrete`]: `index_drift`, `residual_drift`, `escalator`
///   not finite; `index_volatility`, `residual_volatility` not finite or negative;
///   `indexation` not in `[0, 1]`), then if `cycle_years` is not finite or is `<= 0`.
///   The first violation is reported.
/// - [`AnalyticError::NotFinite`] (`"expected mismatch"`) if `V`, `M` or the result
///   overflows `f64`.
pub fn expected_mismatch_continuous(p: &MismatchParams, cycle_years: f64) -> Result<f64> {
    p.validate()?;
    let l = positive("cycle_years", cycle_years)?;
    let v = p.variance_rate();
    let m = p.drift_gap();
    finite_result("expected mismatch", v * l / 2.0 + m * m * l * l / 3.0)
}

/// Annual cost of a contract length (Gray 1978, MODEL.md §9):
/// `K/L + k (V L/2 + M² L²/3)`.
///
/// `cycle_years` = `L > 0` (years); `fixed_cost` = `K >= 0`, the cost of one
/// negotiation (in units of annual `X*`, so `K/L` is per year);
/// `rigidity_weight` = `k >= 0`, cost per unit of mean squared mismatch (units
/// of annual `X*` per log unit²); `variance_rate` = `V >= 0` (log units² per
/// year); `drift_gap` = `M` (log units per year, any sign). Result in units of
/// annual `X*` per year.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] if `cycle_years` is not finite or is `<= 0`;
///   `fixed_cost`, `rigidity_weight` or `variance_rate` is not finite or is negative;
///   or `drift_gap` is not finite. Arguments are checked in signature order and the first violation is reported.
/// - [`AnalyticError::NotFinite`] (`"contract length cost"`) if the computed cost is not
///   finite (it overflows `f64`, or `rigidity_weight = 0` times an overflowed
///   mismatch term gives NaN).
pub fn contract_length_cost(
    cycle_years: f64,
    fixed_cost: f64,
    rigidity_weight: f64,
    variance_rate: f64,
    drift_gap: f64,
) -> Result<f64> {
    let l = positive("cycle_years", cycle_years)?;
    let big_k = non_negative("fixed_cost", fixed_cost)?;
    let k = non_negative("rigidity_weight", rigidity_weight)?;
    let v = non_negative("variance_rate", variance_rate)?;
    let m = finite("drift_gap", drift_gap)?;
    let value = big_k / l + k * (v * l / 2.0 + m * m * l * l / 3.0);
    finite_result("contract length cost", value)
}

/// The optimal contract length and its cost (output of [`optimal_cycle_length`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimalLength {
    /// `L*`, the cost-minimising cycle length (years).
    pub cycle_years: f64,
    /// The minimal cost `K/L* + k(V L*/2 + M² L*²/3)` (units of annual `X*` per
    /// year), see [`contract_length_cost`].
    pub cost: f64,
}

/// Minimiser of [`contract_length_cost`] over `L > 0` (Gray 1978, MODEL.md §9).
///
/// Solves the first-order condition `−K/L² + k(V/2 + 2M²L/3) = 0`, i.e. the
/// cubic `(2M²/3) L³ + (V/2) L² − K/k = 0`, which has exactly one positive root
/// (its left side is increasing on `L > 0`). Closed forms for `M = 0`
/// (`L* = √(2K/(kV))`) and `V = 0` (`L* = ∛(3K/(2kM²))`); otherwise a
/// safeguarded Newton iteration (bisection fallback) on a bracket whose ends
/// differ by at most a factor √2, converging monotonically to a relative
/// accuracy of about 1e-15. Units as in [`contract_length_cost`].
///
/// Example: `k = 1, M = 0.05, V = 0.01, K = 0.05` → `L* = 2.365` years, cost
/// 0.03763.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] if `fixed_cost` or `rigidity_weight` is not finite or
///   is `<= 0`, `variance_rate` is not finite or is negative, or `drift_gap` is not
///   finite. Arguments are checked in signature order and the first violation is reported.
/// - [`AnalyticError::Inconsistent`] (`variance_rate, drift_gap`) if `V = M = 0` (the cost
///   falls forever with `L`: no finite optimum), or if both are so small that `V/2`
///   and `2M²/3` underflow to 0.
/// - [`AnalyticError::NotFinite`] if `fixed_cost / rigidity_weight` overflows or
///   underflows to 0 (quantity `"fixed_cost / rigidity_weight"`), if the computed
///   `L*` is not finite and positive (`"optimal cycle length"`), or if the cost at
///   `L*` is not finite (`"optimal cost"`).
pub fn optimal_cycle_length(
    fixed_cost: f64,
    rigidity_weight: f64,
    variance_rate: f64,
    drift_gap: f64,
) -> Result<OptimalLength> {
    let big_k = positive("fixed_cost", fixed_cost)?;
    let k = positive("rigidity_weight", rigidity_weight)?;
    let v = non_negative("variance_rate", variance_rate)?;
    let m = finite("drift_gap", drift_gap)?;
    let no_optimum = AnalyticError::Inconsistent {
        names: "variance_rate, drift_gap",
        rule: "must not both be zero (the cost K/L then has no finite minimiser)",
    };
    if v == 0.0 && m == 0.0 {
        return Err(no_optimum);
    }
    let c = big_k / k;
    if !(c.is_finite() && c > 0.0) {
        return Err(AnalyticError::NotFinite {
            quantity: "fixed_cost / rigidity_weight",
        });
    }
    let a = 2.0 * m * m / 3.0;
    let b = v / 2.0;
    let l = if a == 0.0 && b == 0.0 {
        return Err(no_optimum);
    } else if a == 0.0 {
        (c / b).sqrt()
    } else if b == 0.0 {
        (c / a).cbrt()
    } else {
        solve_cubic_fo(a, b, c)
    };
    if !(l.is_finite() && l > 0.0) {
        return Err(AnalyticError::NotFinite {
            quantity: "optimal cycle length",
        });
    }
    let cost = big_k / l + k * (v * l / 2.0 + m * m * l * l / 3.0);
    let cost = finite_result("optimal cost", cost)?;
    Ok(OptimalLength {
        cycle_years: l,
        cost,
    })
}

/// Positive root of `a L³ + b L² − c = 0` for `a, b, c > 0`.
fn solve_cubic_fo(a: f64, b: f64, c: f64) -> f64 {
    // At the root a L³ + b L² = c, so one of the terms is >= c/2, and each is <= c:
    // lo = min(√(c/2b), ∛(c/2a)) <= L* <= min(√(c/b), ∛(c/a)) = hi.
    let mut hi = (c / b).sqrt().min((c / a).cbrt());
    let mut lo = (c / (2.0 * b)).sqrt().min((c / (2.0 * a)).cbrt());
    if !hi.is_finite() {
        return hi;
    }
    // f is increasing and convex on L > 0: Newton from the right end descends
    // monotonically onto the root; the bracket guards against rounding.
    let mut l = hi;
    for _ in 0..200 {
        let f = l * l * (a * l + b) - c;
        if f == 0.0 {
            return l;
        }
        if f > 0.0 {
            hi = l;
        } else {
            lo = l;
        }
        let df = l * (3.0 * a * l + 2.0 * b);
        let mut next = l - f / df;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - l).abs() <= 4.0 * f64::EPSILON * l || hi - lo <= 4.0 * f64::EPSILON * hi {
            return next;
        }
        l = next;
    }
    l
}

// ---------------------------------------------------------------------------
// Time-dependent tactics (Faratin, Sierra & Jennings 1998).

/// Where the concession curves of two time-dependent negotiators cross
/// (output of [`crossing_time`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// `t*`: relative time of the crossing in `[0, 1]` (fraction of the
    /// negotiation window; 1 = the deadline).
    pub relative_time: f64,
    /// The premium both targets reach at `t*` (log premium over `X*`).
    pub premium: f64,
}

/// Crossing of the targets `O + (R − O)·t^e` of patron and host with the same
/// concession exponent, in continuous time (Faratin, Sierra & Jennings 1998;
/// MODEL.md §4 and §9).
///
/// `t*^e = (O_P − O_H) / ((O_P − O_H) + (R_H − R_P))` and the premium is
/// `O_P + (R_P − O_P)·t*^e`. Openings `O_P` (`opening_patron`), `O_H`
/// (`opening_host`) and reservations `R_P` (`reservation_patron`, the patron's
/// floor), `R_H` (`reservation_host`, the host's ceiling) are log premia over
/// `X*`; `exponent` is `e > 0` (dimensionless: `e > 1` Boulware, `e < 1`
/// Conceder). If `O_P == O_H` the sides agree at once (`t* = 0`).
///
/// Example: `O_P = 0.3, O_H = 0, R_P = −0.05, R_H = 0.05` → `t*^e = 0.75`,
/// `t* = 0.9441` (`e = 5`), 0.75 (`e = 1`), 0.2373 (`e = 0.2`); premium 0.0375.
///
/// # Errors
///
/// Checked in this order; the first violation is reported:
///
/// - [`AnalyticError::InvalidArgument`] if `opening_patron`, `opening_host`,
///   `reservation_patron` or `reservation_host` is not finite, or `exponent` is not
///   finite or is `<= 0` (in signature order);
/// - [`AnalyticError::Inconsistent`] if the zone of agreement is empty
///   (`reservation_patron > reservation_host`), then if the openings are inverted
///   (`opening_patron < opening_host`);
/// - [`AnalyticError::NotFinite`] if `opening_patron − opening_host` overflows
///   (`"opening gap"`), `reservation_host − reservation_patron` overflows
///   (`"zone width"`), or the crossing premium is not finite (`"crossing premium"`).
pub fn crossing_time(
    opening_patron: f64,
    opening_host: f64,
    reservation_patron: f64,
    reservation_host: f64,
    exponent: f64,
) -> Result<Crossing> {
    let op = finite("opening_patron", opening_patron)?;
    let oh = finite("opening_host", opening_host)?;
    let rp = finite("reservation_patron", reservation_patron)?;
    let rh = finite("reservation_host", reservation_host)?;
    let e = positive("exponent", exponent)?;
    if rp > rh {
        return Err(AnalyticError::Inconsistent {
            names: "reservation_patron, reservation_host",
            rule: "zone of agreement is empty (reservation_patron > reservation_host)",
        });
    }
    if op < oh {
        return Err(AnalyticError::Inconsistent {
            names: "opening_patron, opening_host",
            rule: "openings are inverted (opening_patron < opening_host)",
        });
    }
    let gap = finite_result("opening gap", op - oh)?;
    let zone = finite_result("zone width", rh - rp)?;
    let t_e = if gap == 0.0 { 0.0 } else { gap / (gap + zone) };
    let t = if t_e == 0.0 { 0.0 } else { t_e.powf(1.0 / e) };
    let premium = finite_result("crossing premium", op + (rp - op) * t_e)?;
    Ok(Crossing {
        relative_time: t.clamp(0.0, 1.0),
        premium,
    })
}

// ---------------------------------------------------------------------------
// Standard normal distribution.

// W. J. Cody (1969), "Rational Chebyshev approximations for the error
// function", Math. Comp. 23, 631–637; coefficients as in Netlib SPECFUN
// `calerf`. The tables keep their published digits (more than an f64 holds).
#[allow(clippy::excessive_precision)]
const CODY_A: [f64; 5] = [
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
];
#[allow(clippy::excessive_precision)]
const CODY_B: [f64; 4] = [
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
];
#[allow(clippy::excessive_precision)]
const CODY_C: [f64; 9] = [
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
];
#[allow(clippy::excessive_precision)]
const CODY_D: [f64; 8] = [
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
];
#[allow(clippy::excessive_precision)]
const CODY_P: [f64; 6] = [
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
];
#[allow(clippy::excessive_precision)]
const CODY_Q: [f64; 5] = [
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
];
/// 1/√π.
#[allow(clippy::excessive_precision)]
const FRAC_1_SQRT_PI: f64 = 5.6418958354775628695e-1;

/// `erf(y)` for `|y| <= 0.46875` (Cody's first interval).
fn cody_erf_small(y: f64) -> f64 {
    let ysq = y * y;
    let mut num = CODY_A[4] * ysq;
    let mut den = ysq;
    for i in 0..3 {
        num = (num + CODY_A[i]) * ysq;
        den = (den + CODY_B[i]) * ysq;
    }
    y * (num + CODY_A[3]) / (den + CODY_B[3])
}

/// `erfc(y) · exp(y²)` for `y >= 0.46875` (Cody's second and third intervals).
fn cody_erfc_scaled(y: f64) -> f64 {
    if y <= 4.0 {
        let mut num = CODY_C[8] * y;
        let mut den = y;
        for i in 0..7 {
            num = (num + CODY_C[i]) * y;
            den = (den + CODY_D[i]) * y;
        }
        (num + CODY_C[7]) / (den + CODY_D[7])
    } else {
        let z = 1.0 / (y * y);
        let mut num = CODY_P[5] * z;
        let mut den = z;
        for i in 0..4 {
            num = (num + CODY_P[i]) * z;
            den = (den + CODY_Q[i]) * z;
        }
        let r = z * (num + CODY_P[4]) / (den + CODY_Q[4]);
        (FRAC_1_SQRT_PI - r) / y
    }
}

/// `exp(−x²/2)` for `0 <= x <= 64` with the square split so that the exponent
/// keeps full relative accuracy in the tail (as in Cody's `calerf`, with a finer
/// split): `xs` has at most 26 significant bits, so `xs²` is exact, and the
/// remainder `(x − xs)(x + xs)` is tiny.
fn exp_minus_half_sq(x: f64) -> f64 {
    const SPLIT: f64 = 1_048_576.0; // 2^20
    let xs = (x * SPLIT).trunc() / SPLIT;
    let del = (x - xs) * (x + xs);
    (-0.5 * xs * xs).exp() * (-0.5 * del).exp()
}

/// Upper tail of the standard normal distribution, `1 − Φ(x) = P(Z > x)`
/// (dimensionless probability), accurate to a small relative error in the far
/// tail.
///
/// Uses the rational Chebyshev approximations of W. J. Cody (1969, Math. Comp.
/// 23; Netlib SPECFUN `calerf`) for `erf`/`erfc` at `x/√2`, with the Gaussian
/// factor `exp(−x²/2)` computed directly from `x` (split square) so that the
/// rounding of `x/√2` does not degrade the tail. Verified against 50-digit
/// `mpmath` values on a grid of 10 400 points in `[−38, 38]`: relative error
/// below 8e-16 wherever the result is a normal `f64` (`x <= 37.5`, down to
/// about 1e-307; results below 2.2e-308 are subnormal and keep only their
/// absolute accuracy), absolute error below 1e-16 everywhere. Returns exactly 0
/// for `x > 38.5` (below the smallest subnormal) and 1 for `x < −38.5`; NaN for
/// NaN.
pub fn normal_sf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 38.5 {
        return 0.0;
    }
    if x < -38.5 {
        return 1.0;
    }
    let y = x * std::f64::consts::FRAC_1_SQRT_2;
    if y.abs() <= 0.46875 {
        0.5 - 0.5 * cody_erf_small(y)
    } else {
        let ax = x.abs();
        let tail =
            0.5 * exp_minus_half_sq(ax) * cody_erfc_scaled(ax * std::f64::consts::FRAC_1_SQRT_2);
        if x > 0.0 { tail } else { 1.0 - tail }
    }
}

/// Standard normal cumulative distribution function `Φ(x) = P(Z <= x)`
/// (dimensionless probability), computed as [`normal_sf`]`(−x)`.
///
/// Same accuracy as [`normal_sf`] (Cody 1969): relative error below 8e-16
/// verified against 50-digit `mpmath` values for `x >= −37.5`, including the
/// lower tail (e.g. `Φ(−8) = 6.22096057427178e-16`), absolute error below 1e-16
/// everywhere.
pub fn normal_cdf(x: f64) -> f64 {
    normal_sf(-x)
}

// ---------------------------------------------------------------------------
// Lapses with complete information (drift model).

/// Inputs of the lapse closed forms: complete-information protocol, drift lapse
/// model, `θ = 0`, stakes elasticity `η = 0` (MODEL.md §4, §5.3 and §9).
///
/// The reservation gap at the deadline is `G = R_P − R_H ~ Normal(−(m_P + m_H),
/// s_P² + s_H²)`; each lapse step closes it by `ρ = (ρ_P + ρ_H)Δ`; after
/// `max_lapse_steps` lapse steps without agreement the relationship ruptures.
/// The lapse lasts `min(⌈G/ρ⌉, M)` steps when `G > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LapseParams {
    /// `m_P`: patron margin (log units, finite; the model uses `>= 0`, a negative
    /// value is accepted as an effective margin, e.g. after a trend).
    pub margin_patron: f64,
    /// `m_H`: host margin (log units, finite; negative accepted as for the patron).
    pub margin_host: f64,
    /// `s_P`: sd of the patron's private noise (log units, >= 0).
    pub sd_patron: f64,
    /// `s_H`: sd of the host's private noise (log units, >= 0).
    pub sd_host: f64,
    /// `ρ_P`: patron lapse pressure (log units per year of lapse, >= 0).
    pub pressure_patron: f64,
    /// `ρ_H`: host lapse pressure (log units per year of lapse, >= 0).
    pub pressure_host: f64,
    /// `Δ`: step length (years, > 0).
    pub dt_years: f64,
    /// `M`: maximum number of lapse steps before rupture (steps; 0 means any
    /// lapse is an immediate rupture).
    pub max_lapse_steps: u32,
}

/// Validated lapse distribution: `G ~ N(mean, sd²)`, closing `rho` per step.
struct GapLaw {
    mean: f64,
    sd: f64,
    rho: f64,
    max_steps: u32,
}

impl GapLaw {
    fn new(p: &LapseParams) -> Result<Self> {
        let mp = finite("margin_patron", p.margin_patron)?;
        let mh = finite("margin_host", p.margin_host)?;
        let sp = non_negative("sd_patron", p.sd_patron)?;
        let sh = non_negative("sd_host", p.sd_host)?;
        let rp = non_negative("pressure_patron", p.pressure_patron)?;
        let rh = non_negative("pressure_host", p.pressure_host)?;
        let dt = positive("dt_years", p.dt_years)?;
        let mean = finite_result("mean reservation gap", -(mp + mh))?;
        let sd = finite_result("sd of the reservation gap", sp.hypot(sh))?;
        // ρ may overflow to +∞: then any positive gap closes in one step, which
        // the formulas below handle (0·∞ is avoided by `times`).
        let rho = (rp + rh) * dt;
        Ok(Self {
            mean,
            sd,
            rho,
            max_steps: p.max_lapse_steps,
        })
    }

    /// `P(G > x)`.
    fn tail(&self, x: f64) -> f64 {
        if self.sd == 0.0 {
            if self.mean > x { 1.0 } else { 0.0 }
        } else {
            normal_sf((x - self.mean) / self.sd)
        }
    }

    /// `Σ_{k=1..M} w(k) P(G > (k−1)ρ)`; `rest(k, M)` bounds `Σ_{j=k+1..M} w(j)`
    /// and is used to stop early once the remaining terms are negligible.
    fn weighted_sum(&self, w: impl Fn(f64) -> f64, rest: impl Fn(f64, f64) -> f64) -> f64 {
        let big_m = self.max_steps;
        let mut sum = 0.0;
        for k in 1..=big_m {
            let t = self.tail(times(k - 1, self.rho));
            if t == 0.0 {
                break;
            }
            let kf = f64::from(k);
            sum += w(kf) * t;
            // Tail probabilities fall with k, so the remaining terms add at most
            // rest(k, M)·t.
            if rest(kf, f64::from(big_m)) * t <= 1e-17 * sum {
                break;
            }
        }
        sum
    }
}

/// Probability that a negotiation passes its deadline, `P(G > 0)`
/// (dimensionless; complete information with drifting reservations, MODEL.md
/// §9; the bargaining anchor is Rubinstein 1982). With `sd = 0` the gap is the
/// constant `−(m_P + m_H)`, so the result is 0 or 1.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] naming the field, if a field of `p` breaks its rule:
///   `margin_patron` or `margin_host` not finite; `sd_patron`, `sd_host`,
///   `pressure_patron` or `pressure_host` not finite or negative; `dt_years` not
///   finite or `<= 0`. Checked in field order; the first violation is reported.
///   `max_lapse_steps` is not checked (any value is valid).
/// - [`AnalyticError::NotFinite`] if `margin_patron + margin_host` overflows
///   (`"mean reservation gap"`) or `hypot(sd_patron, sd_host)` overflows
///   (`"sd of the reservation gap"`). An overflowing `ρ` is not an error.
pub fn lapse_probability(p: &LapseParams) -> Result<f64> {
    let law = GapLaw::new(p)?;
    Ok(law.tail(0.0))
}

/// Expected number of lapse steps per negotiation (steps, counting
/// non-lapsing negotiations as 0 and ruptures as `M`):
/// `E[min(⌈G/ρ⌉, M)·1{G > 0}] = Σ_{k=1..M} P(G > (k−1)ρ)` (MODEL.md §9;
/// complete information, Rubinstein 1982). With `ρ = 0` it is `M·P(G > 0)`.
/// Multiply by `dt_years` for years. Cost O(M) at most (stops once the
/// remaining terms are below 1e-17 of the sum).
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] naming the field, if a field of `p` breaks its rule:
///   `margin_patron` or `margin_host` not finite; `sd_patron`, `sd_host`,
///   `pressure_patron` or `pressure_host` not finite or negative; `dt_years` not
///   finite or `<= 0`. Checked in field order; the first violation is reported.
///   `max_lapse_steps` is not checked (any value is valid).
/// - [`AnalyticError::NotFinite`] if `margin_patron + margin_host` overflows
///   (`"mean reservation gap"`) or `hypot(sd_patron, sd_host)` overflows
///   (`"sd of the reservation gap"`). An overflowing `ρ` is not an error.
pub fn expected_lapse_steps(p: &LapseParams) -> Result<f64> {
    let law = GapLaw::new(p)?;
    if law.rho == 0.0 {
        return Ok(f64::from(law.max_steps) * law.tail(0.0));
    }
    Ok(law.weighted_sum(|_| 1.0, |k, m| m - k))
}

/// Second moment of the number of lapse steps (steps²):
/// `E[min(⌈G/ρ⌉, M)² · 1{G > 0}] = Σ_{k=1..M} (2k − 1) P(G > (k−1)ρ)`
/// (MODEL.md §9; complete information, Rubinstein 1982). With
/// [`expected_lapse_steps`] it gives the variance of the lapse length.
/// With `ρ = 0` it is `M²·P(G > 0)`.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] naming the field, if a field of `p` breaks its rule:
///   `margin_patron` or `margin_host` not finite; `sd_patron`, `sd_host`,
///   `pressure_patron` or `pressure_host` not finite or negative; `dt_years` not
///   finite or `<= 0`. Checked in field order; the first violation is reported.
///   `max_lapse_steps` is not checked (any value is valid).
/// - [`AnalyticError::NotFinite`] if `margin_patron + margin_host` overflows
///   (`"mean reservation gap"`) or `hypot(sd_patron, sd_host)` overflows
///   (`"sd of the reservation gap"`). An overflowing `ρ` is not an error.
pub fn expected_lapse_steps_sq(p: &LapseParams) -> Result<f64> {
    let law = GapLaw::new(p)?;
    if law.rho == 0.0 {
        let m = f64::from(law.max_steps);
        return Ok(m * m * law.tail(0.0));
    }
    Ok(law.weighted_sum(|k| 2.0 * k - 1.0, |k, m| m * m - k * k))
}

/// Probability that a negotiation ends in rupture, `P(G > Mρ)` (dimensionless;
/// MODEL.md §9, complete information, Rubinstein 1982): the gap is still open
/// after `M` = `max_lapse_steps` lapse steps. With `ρ = 0` (or `M = 0`) it is
/// `P(G > 0)`.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] naming the field, if a field of `p` breaks its rule:
///   `margin_patron` or `margin_host` not finite; `sd_patron`, `sd_host`,
///   `pressure_patron` or `pressure_host` not finite or negative; `dt_years` not
///   finite or `<= 0`. Checked in field order; the first violation is reported.
///   `max_lapse_steps` is not checked (any value is valid).
/// - [`AnalyticError::NotFinite`] if `margin_patron + margin_host` overflows
///   (`"mean reservation gap"`) or `hypot(sd_patron, sd_host)` overflows
///   (`"sd of the reservation gap"`). An overflowing `ρ` is not an error.
pub fn rupture_probability(p: &LapseParams) -> Result<f64> {
    let law = GapLaw::new(p)?;
    Ok(law.tail(times(law.max_steps, law.rho)))
}

// ---------------------------------------------------------------------------
// War of attrition (Hendricks, Weiss & Wilson 1988; Fearon 1998).

/// Concession hazard of one side in the war of attrition (per year):
/// `λ = c / (stake · A(L))` (Hendricks, Weiss & Wilson 1988; Fearon 1998;
/// MODEL.md §5.3).
///
/// `lapse_cost` = `c >= 0` (fraction of annual `X*` per year of lapse);
/// `stake > 0` (log units: the gap between the last offers at the deadline);
/// `rate` = `r >= 0` (per year); `cycle_years` = `L > 0` (years), entering
/// through the [`annuity_factor`] `A(L)`: longer agreements raise the stakes
/// and lower the hazard.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] if `lapse_cost` is not finite or is negative, `stake`
///   is not finite or is `<= 0`, `rate` is not finite or is negative, or
///   `cycle_years` is not finite or is `<= 0`. Arguments are checked in signature order and the first violation is reported.
/// - [`AnalyticError::NotFinite`] (`"attrition hazard"`) if `c / (stake · A(L))` is not
///   finite (the quotient overflows, or the denominator underflows to 0).
pub fn attrition_hazard(lapse_cost: f64, stake: f64, rate: f64, cycle_years: f64) -> Result<f64> {
    let c = non_negative("lapse_cost", lapse_cost)?;
    let s = positive("stake", stake)?;
    let r = non_negative("rate", rate)?;
    let l = positive("cycle_years", cycle_years)?;
    finite_result("attrition hazard", c / (s * annuity_factor(r, l)))
}

/// Validated `(λ_P + λ_H)Δ` (possibly +∞ after overflow).
fn attrition_exponent(lambda_patron: f64, lambda_host: f64, dt_years: f64) -> Result<f64> {
    let lp = non_negative("lambda_patron", lambda_patron)?;
    let lh = non_negative("lambda_host", lambda_host)?;
    let dt = positive("dt_years", dt_years)?;
    Ok((lp + lh) * dt)
}

/// Expected number of lapse steps in the discrete war of attrition, capped by
/// rupture (steps; Hendricks, Weiss & Wilson 1988; Fearon 1998; MODEL.md §9).
///
/// Each lapse step ends the standoff with probability
/// `p = 1 − exp(−(λ_P + λ_H)Δ)`, so the number of steps `T` is geometric and
/// `E[min(T, M)] = (1 − (1−p)^M)/p` (`→ 1/p` as `M → ∞`; `M` when `p = 0`).
/// `lambda_patron`, `lambda_host` >= 0 are hazards per year (see
/// [`attrition_hazard`]); `dt_years` = `Δ > 0` (years);
/// `max_lapse_steps` = `M` (steps). Evaluated as
/// `expm1(−Mx)/expm1(−x)`, `x = (λ_P+λ_H)Δ`, which is accurate for small `x`.
///
/// # Errors
///
/// [`AnalyticError::InvalidArgument`] if `lambda_patron` or `lambda_host` is not finite or is
/// negative, or `dt_years` is not finite or is `<= 0`. Arguments are checked in signature order and the first violation is reported. `max_lapse_steps` is
/// not checked (any value, including 0, is valid, but the other arguments are still
/// validated).
pub fn attrition_expected_steps(
    lambda_patron: f64,
    lambda_host: f64,
    dt_years: f64,
    max_lapse_steps: u32,
) -> Result<f64> {
    let x = attrition_exponent(lambda_patron, lambda_host, dt_years)?;
    if max_lapse_steps == 0 {
        return Ok(0.0);
    }
    let m = f64::from(max_lapse_steps);
    if x == 0.0 {
        return Ok(m);
    }
    Ok((-m * x).exp_m1() / (-x).exp_m1())
}

/// Probability that the discrete war of attrition ends in rupture, i.e. nobody
/// gives in during `M` lapse steps: `(1 − p)^M = exp(−M(λ_P + λ_H)Δ)`
/// (dimensionless; Hendricks, Weiss & Wilson 1988; Fearon 1998; MODEL.md §9).
/// Arguments as in [`attrition_expected_steps`].
///
/// # Errors
///
/// [`AnalyticError::InvalidArgument`] if `lambda_patron` or `lambda_host` is not finite or is
/// negative, or `dt_years` is not finite or is `<= 0`. Arguments are checked in signature order and the first violation is reported. `max_lapse_steps` is
/// not checked (any value, including 0, is valid, but the other arguments are still
/// validated).
pub fn attrition_rupture_probability(
    lambda_patron: f64,
    lambda_host: f64,
    dt_years: f64,
    max_lapse_steps: u32,
) -> Result<f64> {
    let x = attrition_exponent(lambda_patron, lambda_host, dt_years)?;
    Ok((-times(max_lapse_steps, x)).exp())
}

/// Expected delay of the continuous-time war of attrition without a rupture
/// cap (years): `stake · A(L) / (c_P + c_H)` = `1/(λ_P + λ_H)` (Fearon 1998;
/// Hendricks, Weiss & Wilson 1988; MODEL.md §9).
///
/// `stake >= 0` (log units); `cost_patron`, `cost_host` >= 0, not both 0
/// (fractions of annual `X*` per year of lapse); `rate` >= 0 (per year);
/// `cycle_years` > 0 (years). Example: stake 0.2, `c_P = c_H = 0.5`,
/// `r = 0.05` → 0.1951 y (L = 1), 0.8848 y (L = 5), 1.574 y (L = 10): the
/// longer the agreement, the longer the standoff.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] if `stake`, `cost_patron`, `cost_host` or `rate` is not
///   finite or is negative, or `cycle_years` is not finite or is `<= 0`. Arguments are checked in signature order and the first violation is reported.
/// - [`AnalyticError::Inconsistent`] (`cost_patron, cost_host`) if both costs are zero.
/// - [`AnalyticError::NotFinite`] (`"attrition delay"`) if
///   `stake · A(L) / (cost_patron + cost_host)` overflows `f64`.
pub fn attrition_expected_delay_years(
    stake: f64,
    cost_patron: f64,
    cost_host: f64,
    rate: f64,
    cycle_years: f64,
) -> Result<f64> {
    let s = non_negative("stake", stake)?;
    let cp = non_negative("cost_patron", cost_patron)?;
    let ch = non_negative("cost_host", cost_host)?;
    let r = non_negative("rate", rate)?;
    let l = positive("cycle_years", cycle_years)?;
    if cp + ch == 0.0 {
        return Err(AnalyticError::Inconsistent {
            names: "cost_patron, cost_host",
            rule: "must not both be zero (nobody ever gives in)",
        });
    }
    finite_result("attrition delay", s * annuity_factor(r, l) / (cp + ch))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain backward induction, the definition the closed form must match.
    fn stahl_backward(dp: f64, dr: f64, rounds: u32) -> f64 {
        // share of the proposer of the last round = 1; walk back to round 1.
        let mut s = 1.0;
        for k in (1..rounds).rev() {
            // round k+1 proposer: first proposer iff k+1 is odd.
            let delta_next = if (k + 1) % 2 == 1 { dp } else { dr };
            s = 1.0 - delta_next * s;
        }
        s
    }

    #[test]
    fn stahl_closed_form_matches_backward_induction() {
        for &(dp, dr) in &[
            (0.9, 0.9),
            (0.9, 0.8),
            (0.5, 0.99),
            (0.0, 0.7),
            (0.7, 0.0),
            (1.0, 1.0),
            (1.0, 0.3),
        ] {
            for n in 1..60 {
                let a = stahl_share(dp, dr, n).unwrap();
                let b = stahl_backward(dp, dr, n);
                assert!((a - b).abs() < 1e-13, "dp={dp} dr={dr} n={n}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn cubic_solver_satisfies_first_order_condition() {
        for &(a, b, c) in &[
            (1e-3, 5e-3, 0.05),
            (1.0, 1e-9, 1.0),
            (1e-9, 1.0, 1.0),
            (3.0, 7.0, 1e-6),
            (1e-4, 1e-4, 1e4),
        ] {
            let l = solve_cubic_fo(a, b, c);
            let f = l * l * (a * l + b) - c;
            assert!(f.abs() <= 1e-13 * c, "a={a} b={b} c={c}: L={l} f={f}");
        }
    }

    #[test]
    fn exp_split_matches_plain_exp() {
        for i in 0..400 {
            let x = f64::from(i) * 0.0937;
            let a = exp_minus_half_sq(x);
            let b = (-0.5 * x * x).exp();
            assert!(((a - b) / b).abs() < 1e-13 || b == 0.0);
        }
    }
}
