//! War of attrition (Hendricks, Weiss & Wilson 1988; Fearon 1998): concession hazards, the
//! length of the standoff and the probability of rupture.

use super::{AnalyticError, Result, annuity_factor, finite_result, non_negative, positive, times};

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
