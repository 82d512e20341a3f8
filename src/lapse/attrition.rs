//! The attrition lapse model (MODEL.md §5.3; Hendricks, Weiss & Wilson 1988; Fearon 1998): after
//! a missed deadline each side gives in at random, at a hazard that falls with the stake.

use super::{LapseOutcome, LapseSetup};
use crate::analytic::annuity_factor;
use crate::rng::StreamRng;
use crate::scenario::Scenario;
use rand::RngExt;

/// The per-arm constants of the attrition model: each side's lapse cost over its annuity factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttritionArm {
    /// `c_P / A_P(L)`, per year (divide by the stake to get the patron's hazard `λ_P`).
    pub patron_cost_rate: f64,
    /// `c_H / A_H(L)`, per year.
    pub host_cost_rate: f64,
}

impl AttritionArm {
    /// The constants for agreements of `cycle_years` under `scenario`.
    pub fn new(scenario: &Scenario, cycle_years: f64) -> AttritionArm {
        let s = scenario;
        let (rp, rh) = (s.patron_rate(), s.host_rate());
        AttritionArm {
            patron_cost_rate: s.patron.lapse_cost / annuity_factor(rp, cycle_years),
            host_cost_rate: s.host.lapse_cost / annuity_factor(rh, cycle_years),
        }
    }
}

impl LapseSetup {
    /// Attrition (Hendricks, Weiss & Wilson 1988; Fearon 1998): at each meeting (every `m` lapse
    /// steps) side `i` gives in with probability `1 − exp(−λ_i·mΔ)`, `λ_i = c_i/(stake·A_i(L))`, where the stake is the gap
    /// between the last offers. Whoever gives in accepts the other's last offer; both at once
    /// split the difference. A non-positive stake (offers already crossed) ends the lapse in the
    /// first step at the midpoint.
    pub(super) fn attrition(&self, rng: &mut StreamRng) -> LapseOutcome {
        let stake = self.patron_offer - self.host_offer;
        let mid = 0.5 * (self.patron_offer + self.host_offer);
        if stake <= 0.0 {
            return if self.max_steps >= self.meeting() {
                LapseOutcome::Agreed {
                    steps: self.meeting(),
                    premium: mid,
                }
            } else {
                LapseOutcome::Rupture
            };
        }
        // One chance to give in per meeting, at the hazard accumulated since the last one.
        let meeting = self.meeting();
        let interval = self.dt * f64::from(meeting);
        let give_in = |cost_rate: f64| -(-(cost_rate / stake) * interval).exp_m1();
        let (pp, ph) = (give_in(self.patron_cost_rate), give_in(self.host_cost_rate));
        if pp <= 0.0 && ph <= 0.0 {
            // Nobody ever gives in: the rupture is certain.
            return LapseOutcome::Rupture;
        }
        for j in (meeting..=self.max_steps.min(self.observable_steps)).step_by(meeting as usize) {
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
