//! The drift lapse model (MODEL.md §5.3): after a missed deadline both reservations keep moving,
//! the patron's floor down and the host's ceiling up, until they cross.

use super::{LapseOutcome, LapseSetup};
use crate::party::stakes_factor;
use crate::scenario::{Scenario, Side};

/// The per-arm constants of the drift model: how far each reservation moves per lapse step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftArm {
    /// `ρ_P(L)·Δ`: the patron's floor falls this much per lapse step, log units.
    pub patron_step: f64,
    /// `ρ_H(L)·Δ`: the host's ceiling rises this much per lapse step, log units.
    pub host_step: f64,
}

impl DriftArm {
    /// The constants for agreements of `cycle_years` under `scenario`: each side's lapse pressure
    /// scaled by its stakes factor `(A(1)/A(L))^η`, times the step length.
    pub fn new(scenario: &Scenario, cycle_years: f64) -> DriftArm {
        let s = scenario;
        let dt = s.dt();
        let eta = s.lapse.stakes_elasticity;
        let (rp, rh) = (s.patron_rate(), s.host_rate());
        DriftArm {
            patron_step: s.patron.lapse_pressure * stakes_factor(rp, cycle_years, eta) * dt,
            host_step: s.host.lapse_pressure * stakes_factor(rh, cycle_years, eta) * dt,
        }
    }
}

impl LapseSetup {
    /// Drift: in lapse step `j` the floor is `R_P − j·ρ_PΔ` and the ceiling `R_H + j·ρ_HΔ`; both
    /// offer their reservations and agree as soon as floor <= ceiling, at the opener's offer.
    /// Closed form: with gap `G = R_P − R_H > 0` and closing speed `ρ` per step, the agreement
    /// comes in lapse step `⌈G/ρ⌉` (rupture if that exceeds `M`).
    pub(super) fn drift(&self) -> LapseOutcome {
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
}
