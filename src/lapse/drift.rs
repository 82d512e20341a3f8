//! The drift lapse model (MODEL.md §5.3): after a missed deadline both reservations keep moving,
//! the patron's floor down and the host's ceiling up, until they cross.

use super::{LapseOutcome, LapseSetup, PatronChange};
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

    /// The patron's step with the parameters `patron` (e.g. a hardline administration's) in
    /// place of the scenario's patron, by the same formula as [`DriftArm::new`].
    pub fn for_patron(
        scenario: &Scenario,
        patron: &crate::scenario::Party,
        cycle_years: f64,
    ) -> f64 {
        let s = scenario;
        patron.lapse_pressure
            * stakes_factor(s.patron_rate(), cycle_years, s.lapse.stakes_elasticity)
            * s.dt()
    }
}

impl LapseSetup {
    /// Drift: in lapse step `j` the floor is `R_P − j·ρ_PΔ` and the ceiling `R_H + j·ρ_HΔ`; both
    /// offer their reservations and agree at the first meeting where floor <= ceiling, at the
    /// opener's offer. Closed form: with gap `G = R_P − R_H > 0` and closing speed `ρ` per step,
    /// the reservations cross in lapse step `⌈G/ρ⌉`, and the agreement comes at the first meeting
    /// from then on, `m·⌈⌈G/ρ⌉/m⌉` (rupture if that exceeds `M`). A change of administration
    /// ([`LapseSetup::patron_change`]) is played meeting by meeting.
    pub(super) fn drift(&self) -> LapseOutcome {
        if let Some(change) = self.patron_change {
            return self.drift_with_change(change);
        }
        let gap = self.patron_reservation - self.host_reservation;
        let closing = self.patron_step + self.host_step;
        let needed = if gap <= 0.0 {
            1.0
        } else if closing > 0.0 {
            (gap / closing).ceil().max(1.0)
        } else {
            f64::INFINITY
        };
        let meeting = self.meeting();
        let needed = if meeting == 1 {
            needed
        } else {
            (needed / f64::from(meeting)).ceil() * f64::from(meeting)
        };
        if needed > f64::from(self.max_steps) {
            return LapseOutcome::Rupture;
        }
        let j = needed as u32;
        // Check the crossing with the same arithmetic the closed form implies; the ceil above can
        // be off by one ulp, so step forward (a meeting at a time) until floor <= ceiling holds
        // exactly.
        let mut steps = j;
        loop {
            let floor = self.patron_reservation - f64::from(steps) * self.patron_step;
            let ceiling = self.host_reservation + f64::from(steps) * self.host_step;
            if floor <= ceiling {
                return LapseOutcome::Agreed {
                    steps,
                    premium: self.drift_price(floor, ceiling),
                };
            }
            if steps >= self.max_steps || self.max_steps - steps < meeting {
                return LapseOutcome::Rupture;
            }
            steps += meeting;
        }
    }

    /// The price at a crossing: the opener's offer.
    #[inline]
    fn drift_price(&self, floor: f64, ceiling: f64) -> f64 {
        match self.opener {
            Side::Patron => floor,
            Side::Host => ceiling,
        }
    }

    /// Drift when the patron's administration changes at lapse step `change.at`: before it the
    /// floor is `R_P − j·ρ_PΔ`; from it on `R'_P − (at − 1)·ρ_PΔ − (j − at + 1)·ρ'_PΔ`.
    fn drift_with_change(&self, change: PatronChange) -> LapseOutcome {
        let meeting = self.meeting();
        let mut j = meeting;
        while j <= self.max_steps {
            let floor = if j < change.at {
                self.patron_reservation - f64::from(j) * self.patron_step
            } else {
                change.reservation
                    - f64::from(change.at - 1) * self.patron_step
                    - f64::from(j - change.at + 1) * change.step
            };
            let ceiling = self.host_reservation + f64::from(j) * self.host_step;
            if floor <= ceiling {
                return LapseOutcome::Agreed {
                    steps: j,
                    premium: self.drift_price(floor, ceiling),
                };
            }
            j = match j.checked_add(meeting) {
                Some(next) => next,
                None => break,
            };
        }
        LapseOutcome::Rupture
    }
}
