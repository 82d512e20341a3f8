//! Complete information: Rubinstein (1982) and Ståhl (1972).

use super::{Protocol, Talks, WindowOutcome};
use crate::analytic::{rubinstein_share, stahl_share};
use crate::rng::StreamRng;
use crate::scenario::{BargainingHorizon, Side};

/// Both sides know everything: agreement in the first round at the subgame-perfect split of the
/// zone `[R_P, R_H]`. The proposer (the opener) gets share `(1−δ_r)/(1−δ_p δ_r)` (infinite
/// horizon) or the Ståhl share for the window's `N` rounds, with per-round discount factors
/// `δ_i = e^{−r_i Δ/rounds_per_step}`. With an empty zone (`R_P > R_H`) nobody can agree before
/// the deadline; the last offers are the reservations. The frictionless baseline: no delay ever
/// when the zone is non-empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompleteInformation {
    horizon: BargainingHorizon,
}

impl CompleteInformation {
    /// The protocol with the given bargaining horizon.
    pub fn new(horizon: BargainingHorizon) -> CompleteInformation {
        CompleteInformation { horizon }
    }

    /// The proposer's share of the zone for these talks.
    pub fn proposer_share(&self, talks: &Talks) -> f64 {
        let (dp, dr) = match talks.opener {
            Side::Patron => (talks.delta_patron, talks.delta_host),
            Side::Host => (talks.delta_host, talks.delta_patron),
        };
        let share = match self.horizon {
            BargainingHorizon::Infinite => rubinstein_share(dp, dr),
            BargainingHorizon::Finite => stahl_share(dp, dr, talks.rounds.max(1)),
        };
        // Both discount factors are in (0, 1] for valid scenarios; with both equal to 1
        // (zero discount rates) the Rubinstein split is undefined and the proposer's limit
        // share is 1/2 by symmetry.
        share.unwrap_or(0.5)
    }
}

impl Protocol for CompleteInformation {
    fn name(&self) -> &str {
        match self.horizon {
            BargainingHorizon::Infinite => "complete_information (Rubinstein)",
            BargainingHorizon::Finite => "complete_information (Ståhl)",
        }
    }

    fn uses_rng(&self) -> bool {
        false
    }

    fn negotiate(&self, talks: &Talks, _rng: &mut StreamRng) -> WindowOutcome {
        let (rp, rh) = (talks.patron.reservation, talks.host.reservation);
        if rp > rh {
            return WindowOutcome::NoDeal {
                patron_offer: rp,
                host_offer: rh,
            };
        }
        let share = self.proposer_share(talks);
        let premium = match talks.opener {
            Side::Patron => talks.on_grid(Side::Patron, rp + share * (rh - rp)),
            Side::Host => talks.on_grid(Side::Host, rh - share * (rh - rp)),
        };
        WindowOutcome::Agreed { round: 0, premium }
    }
}
