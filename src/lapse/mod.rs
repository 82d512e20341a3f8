//! The lapse phase after a missed deadline (MODEL.md §5.3), common to every protocol.
//!
//! Lapse step `j = 1, 2, …` covers step `deadline + j − 1`; an agreement reached in lapse step
//! `j` takes effect at step `deadline + j`, so the history lapsed for `j` steps. With no agreement
//! after `max_steps` lapse steps the relationship ruptures at step `deadline + max_steps`.
//!
//! Each lapse model lives in its own file together with the per-arm constants it uses:
//! [`drift`](DriftArm) (reservations drift until they cross) and [`attrition`](AttritionArm)
//! (a war of attrition between the last offers). [`LapseSetup::run`] dispatches on
//! [`LapseModel`]. A new model adds its file, a variant of [`LapseModel`] and one arm of that
//! match; if it needs per-arm constants other than those already in [`LapseSetup`], it also adds
//! fields there and to [`Arm`](crate::trial::Arm).

mod attrition;
mod drift;

pub use attrition::AttritionArm;
pub use drift::DriftArm;

impl LapseSetup {
    /// `m`, at least 1.
    #[inline]
    fn meeting(&self) -> u32 {
        self.meeting_steps.max(1)
    }
}

use crate::rng::StreamRng;
use crate::scenario::{LapseModel, Side};

/// A change of the patron's administration during a lapse (MODEL.md §10.5): from the meeting of
/// lapse step `at` on, the patron's floor starts from `reservation` and falls by `step` per
/// lapse step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatronChange {
    /// The lapse step (a meeting, `>= 1`) from which the new administration's parameters apply.
    pub at: u32,
    /// The patron's reservation under the new administration, log premium.
    pub reservation: f64,
    /// The patron's floor falls this much per lapse step under it, log units.
    pub step: f64,
}

/// Everything the lapse phase needs, fixed when the window closed without a deal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LapseSetup {
    /// The model.
    pub model: LapseModel,
    /// Who makes the offer each lapse step (its offer is the one accepted under `drift`).
    pub opener: Side,
    /// Patron's floor at the deadline, log premium.
    pub patron_reservation: f64,
    /// Host's ceiling at the deadline, log premium.
    pub host_reservation: f64,
    /// Patron's last offer in the window, log premium.
    pub patron_offer: f64,
    /// Host's last offer in the window, log premium.
    pub host_offer: f64,
    /// How far the patron's floor falls per lapse step, `ρ_P(L)·Δ`, log units.
    pub patron_step: f64,
    /// How far the host's ceiling rises per lapse step, `ρ_H(L)·Δ`, log units.
    pub host_step: f64,
    /// Attrition: `c_P / A_P(L)`, the patron's lapse cost over its annuity factor, per year
    /// (divide by the stake to get its hazard `λ_P`).
    pub patron_cost_rate: f64,
    /// Attrition: `c_H / A_H(L)`, per year.
    pub host_cost_rate: f64,
    /// Lapse steps between formal meetings, `m >= 1` (MODEL.md §10.1): an agreement is signed
    /// only at a meeting, in lapse steps `m, 2m, …`. 1: every step (0.1).
    pub meeting_steps: u32,
    /// A change of the patron's administration during the lapse, if one flips its regime
    /// (drift only: under attrition the last offers and the costs do not depend on it).
    pub patron_change: Option<PatronChange>,
    /// Step length `Δ`, years.
    pub dt: f64,
    /// Lapse steps before rupture, `M`.
    pub max_steps: u32,
    /// Lapse steps that can still be observed (those before the horizon). The attrition draws
    /// stop there: what happens after the horizon is never reported.
    pub observable_steps: u32,
}

/// What the lapse phase ended in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LapseOutcome {
    /// Agreement in lapse step `steps` (>= 1) at log premium `premium`.
    Agreed {
        /// Lapse steps endured, `j >= 1`.
        steps: u32,
        /// Agreed log premium over `X*` at signing.
        premium: f64,
    },
    /// No agreement within `max_steps` lapse steps.
    Rupture,
    /// No agreement within the observable steps, and no rupture by then (attrition only): the
    /// negotiation is still lapsing at the horizon.
    Unresolved,
}

impl LapseSetup {
    /// Runs the lapse phase. `rng` is only drawn from by the attrition model (two uniforms per
    /// lapse step: the patron's, then the host's).
    pub fn run(&self, rng: &mut StreamRng) -> LapseOutcome {
        match self.model {
            LapseModel::Drift => self.drift(),
            LapseModel::Attrition => self.attrition(rng),
        }
    }
}
