//! Closed-form theory anchors for the negotiation-cycle model (MODEL.md §9).
//!
//! The simulator is tested against these formulas: each function is the exact
//! (or limiting) value of a metric under the simplifying assumptions stated in
//! its documentation, so a Monte Carlo run under the same assumptions must agree
//! with it within its confidence interval.
//!
//! Contents (one file per group; everything is re-exported here):
//! - bargaining splits (`bargaining.rs`): [`rubinstein_share`] (Rubinstein 1982) and
//!   [`stahl_share`] (Ståhl 1972);
//! - contract-length trade-off (`gray.rs`): [`expected_mismatch_discrete`],
//!   [`expected_mismatch_continuous`], [`contract_length_cost`] and
//!   [`optimal_cycle_length`] (Gray 1978);
//! - deadline effect of time-dependent tactics (`tactics.rs`): [`crossing_time`]
//!   (Faratin, Sierra & Jennings 1998);
//! - lapses under complete information with drifting reservations (`lapse.rs`):
//!   [`lapse_probability`], [`expected_lapse_steps`],
//!   [`expected_lapse_steps_sq`], [`rupture_probability`];
//! - war of attrition (`attrition.rs`; Hendricks, Weiss & Wilson 1988; Fearon 1998):
//!   [`attrition_hazard`], [`attrition_expected_steps`],
//!   [`attrition_rupture_probability`], [`attrition_expected_delay_years`];
//! - helpers: [`discount_factor`], [`annuity_factor`] (here, with the error type and the
//!   argument checks every group shares), [`normal_cdf`], [`normal_sf`] (`normal.rs`).
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

mod attrition;
mod bargaining;
mod gray;
mod lapse;
mod normal;
mod tactics;

pub use attrition::{
    attrition_expected_delay_years, attrition_expected_steps, attrition_hazard,
    attrition_rupture_probability,
};
pub use bargaining::{rubinstein_share, stahl_share};
pub use gray::{
    MismatchParams, OptimalLength, contract_length_cost, expected_mismatch_continuous,
    expected_mismatch_discrete, optimal_cycle_length,
};
pub use lapse::{
    LapseParams, expected_lapse_steps, expected_lapse_steps_sq, lapse_probability,
    rupture_probability,
};
pub use normal::{normal_cdf, normal_sf};
pub use tactics::{Crossing, crossing_time};

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
