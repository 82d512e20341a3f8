//! Lapses with complete information (drift model): the probability, length and rupture of a
//! lapse when the reservation gap at the deadline is normal and closes at a constant speed.

use super::{Result, finite, finite_result, non_negative, normal_sf, positive, times};

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
///
/// [`AnalyticError::InvalidArgument`]: super::AnalyticError::InvalidArgument
/// [`AnalyticError::NotFinite`]: super::AnalyticError::NotFinite
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
///
/// [`AnalyticError::InvalidArgument`]: super::AnalyticError::InvalidArgument
/// [`AnalyticError::NotFinite`]: super::AnalyticError::NotFinite
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
///
/// [`AnalyticError::InvalidArgument`]: super::AnalyticError::InvalidArgument
/// [`AnalyticError::NotFinite`]: super::AnalyticError::NotFinite
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
///
/// [`AnalyticError::InvalidArgument`]: super::AnalyticError::InvalidArgument
/// [`AnalyticError::NotFinite`]: super::AnalyticError::NotFinite
pub fn rupture_probability(p: &LapseParams) -> Result<f64> {
    let law = GapLaw::new(p)?;
    Ok(law.tail(times(law.max_steps, law.rho)))
}
