//! The lapse phase after a missed deadline (MODEL.md §5.3), common to every protocol.
//!
//! Lapse step `j = 1, 2, …` covers step `deadline + j − 1`; an agreement reached in lapse step
//! `j` takes effect at step `deadline + j`, so the history lapsed for `j` steps. With no agreement
//! after `max_steps` lapse steps the relationship ruptures at step `deadline + max_steps`.

use crate::rng::StreamRng;
use crate::scenario::{LapseModel, Side};
use rand::RngExt;

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

    /// Drift: in lapse step `j` the floor is `R_P − j·ρ_PΔ` and the ceiling `R_H + j·ρ_HΔ`; both
    /// offer their reservations and agree as soon as floor <= ceiling, at the opener's offer.
    /// Closed form: with gap `G = R_P − R_H > 0` and closing speed `ρ` per step, the agreement
    /// comes in lapse step `⌈G/ρ⌉` (rupture if that exceeds `M`).
    fn drift(&self) -> LapseOutcome {
        let gap = self.patron_reservation - self.host_reservation;
        let closing = self.patron_step + self.host_step;
        let needed = if gap <= 0.0 {
            1.0
        } else if closing > 0.0 {
            (gap / closing).ceil().max(1.0)
        } else {
            f64::INFINITY
        };
        if needed > f64::from(self.max_steps) {
            return LapseOutcome::Rupture;
        }
        let j = needed as u32;
        // Check the crossing with the same arithmetic the closed form implies; the ceil above can
        // be off by one ulp, so step forward until floor <= ceiling holds exactly.
        let mut steps = j;
        loop {
            let floor = self.patron_reservation - f64::from(steps) * self.patron_step;
            let ceiling = self.host_reservation + f64::from(steps) * self.host_step;
            if floor <= ceiling {
                let premium = match self.opener {
                    Side::Patron => floor,
                    Side::Host => ceiling,
                };
                return LapseOutcome::Agreed { steps, premium };
            }
            if steps >= self.max_steps {
                return LapseOutcome::Rupture;
            }
            steps += 1;
        }
    }

    /// Attrition (Hendricks, Weiss & Wilson 1988; Fearon 1998): each lapse step side `i` gives in
    /// with probability `1 − exp(−λ_i Δ)`, `λ_i = c_i/(stake·A_i(L))`, where the stake is the gap
    /// between the last offers. Whoever gives in accepts the other's last offer; both at once
    /// split the difference. A non-positive stake (offers already crossed) ends the lapse in the
    /// first step at the midpoint.
    fn attrition(&self, rng: &mut StreamRng) -> LapseOutcome {
        let stake = self.patron_offer - self.host_offer;
        let mid = 0.5 * (self.patron_offer + self.host_offer);
        if stake <= 0.0 {
            return if self.max_steps >= 1 {
                LapseOutcome::Agreed {
                    steps: 1,
                    premium: mid,
                }
            } else {
                LapseOutcome::Rupture
            };
        }
        let give_in = |cost_rate: f64| -(-(cost_rate / stake) * self.dt).exp_m1();
        let (pp, ph) = (give_in(self.patron_cost_rate), give_in(self.host_cost_rate));
        if pp <= 0.0 && ph <= 0.0 {
            // Nobody ever gives in: the rupture is certain.
            return LapseOutcome::Rupture;
        }
        for j in 1..=self.max_steps.min(self.observable_steps) {
            let up: f64 = rng.random();
            let uh: f64 = rng.random();
            let (patron_yields, host_yields) = (up < pp, uh < ph);
            let premium = match (patron_yields, host_yields) {
                (true, true) => mid,
                (true, false) => self.host_offer,
                (false, true) => self.patron_offer,
                (false, false) => continue,
            };
            return LapseOutcome::Agreed { steps: j, premium };
        }
        if self.max_steps <= self.observable_steps {
            LapseOutcome::Rupture
        } else {
            LapseOutcome::Unresolved
        }
    }
}
