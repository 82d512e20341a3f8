//! The parties' positions in one negotiation (MODEL.md §4).
//!
//! At a negotiation opening at step `τ`, with status quo `q = ln(X_τ / X*_τ)` (the log premium
//! of the payment in force over the efficient terms), the reservation premia are
//! `R_P = −m_P + ε_P` (the patron's floor) and
//! `R_H = m_H + ε_H + θ(S_τ − S̄) − trend_H·τΔ` (the host's ceiling), and the openings are
//! `O_P = max(q + a_P, R_P)` and `O_H = min(q − a_H, R_H)`. In an alliance the patron adds the
//! leverage of precedents to its demand, `O_P = max(q + a_P + λ·prec, R_P)`, and a benchmarking
//! host moves its ceiling toward the others' agreed premia, `R_H ← (1 − β)R_H + β·p̄_others`. All are log premia relative to the
//! efficient terms `X*`; an agreed premium `p` means a payment of `X*·e^p`.

use crate::analytic::annuity_factor;
use crate::scenario::{OpeningReference, Party, Side};

/// One side's position in one negotiation: where it opens, where it stops, how it concedes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stance {
    /// Opening position `O`, log premium over `X*`.
    pub opening: f64,
    /// Reservation `R` (the patron's floor, the host's ceiling), log premium over `X*`.
    pub reservation: f64,
    /// Concession exponent `e` (> 1 Boulware, 1 linear, < 1 Conceder).
    pub exponent: f64,
}

impl Stance {
    /// The time-dependent target `O + (R − O)·t^e` at relative time `t ∈ [0, 1]`
    /// (Faratin, Sierra & Jennings 1998).
    #[inline]
    pub fn target(&self, t: f64) -> f64 {
        self.opening + (self.reservation - self.opening) * t.powf(self.exponent)
    }
}

/// Is `offer` at least as good for `side` as `own` (its current target)? The patron wants a
/// higher premium, the host a lower one.
#[inline]
pub fn acceptable(side: Side, offer: f64, own: f64) -> bool {
    match side {
        Side::Patron => offer >= own,
        Side::Host => offer <= own,
    }
}

/// Inputs of [`positions`] that come from the state of the history at the opening.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpeningState {
    /// Status quo `q = ln(X_τ/X*_τ)`, log units.
    pub status_quo: f64,
    /// Host public support at the opening, `S_τ ∈ [0, 1]`.
    pub support: f64,
    /// Support baseline `S̄`.
    pub support_baseline: f64,
    /// `θ`, log units of ceiling per unit of support.
    pub support_sensitivity: f64,
    /// Years since the start of the history, `τΔ`.
    pub years: f64,
    /// Standard-normal private shock of the patron.
    pub z_patron: f64,
    /// Standard-normal private shock of the host.
    pub z_host: f64,
    /// Added to the patron's opening demand (leverage from other agreements), log units; 0 for
    /// a single host.
    pub extra_demand: f64,
    /// Benchmarking: `(β, target)` moves the host's ceiling to `(1 − β)·R_H + β·target`; `None`
    /// for a single host.
    pub benchmark: Option<(f64, f64)>,
}

/// The patron's and the host's stances for one negotiation.
pub fn positions(patron: &Party, host: &Party, s: &OpeningState) -> (Stance, Stance) {
    let r_p = -patron.margin + patron.private_sd * s.z_patron;
    let mut r_h = host.margin
        + host.private_sd * s.z_host
        + s.support_sensitivity * (s.support - s.support_baseline)
        - host.margin_trend * s.years;
    if let Some((beta, target)) = s.benchmark {
        r_h = (1.0 - beta) * r_h + beta * target;
    }
    let reference = |p: &Party| match p.opening_reference {
        OpeningReference::StatusQuo => s.status_quo,
        OpeningReference::Fair => 0.0,
    };
    let patron_stance = Stance {
        opening: (reference(patron) + patron.opening + s.extra_demand).max(r_p),
        reservation: r_p,
        exponent: patron.concession_exponent,
    };
    let host_stance = Stance {
        opening: (reference(host) - host.opening).min(r_h),
        reservation: r_h,
        exponent: host.concession_exponent,
    };
    (patron_stance, host_stance)
}

/// The stakes factor `(A(1)/A(L))^η` that scales lapse pressure for an agreement of
/// `cycle_years` (Fearon 1998: the longer the agreement, the slower each side gives way).
#[inline]
pub fn stakes_factor(rate: f64, cycle_years: f64, elasticity: f64) -> f64 {
    (annuity_factor(rate, 1.0) / annuity_factor(rate, cycle_years)).powf(elasticity)
}
