//! Contract length (Gray 1978): the expected squared mismatch of a fixed, partly indexed
//! agreement, the annual cost of a contract length and its minimiser.

use super::{
    AnalyticError, Result, finite, finite_result, invalid, non_negative, positive, unit_interval,
};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
