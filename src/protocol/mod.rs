//! Negotiation protocols (MODEL.md §5): what happens inside the window before the deadline.
//!
//! A [`Protocol`] receives the opening state of one negotiation ([`Talks`]) and a random stream
//! of its own, and returns a [`WindowOutcome`]: agreement at some round at some premium, or no
//! deal by the deadline (with the last offers on the table). What happens after a missed
//! deadline is the lapse phase ([`lapse`]), common to every protocol.
//!
//! Built in: [`Alternating`] (stacked alternating offers with time-dependent targets, the
//! default) and [`CompleteInformation`] (Rubinstein/Ståhl). Users add their own by implementing
//! the trait; see the `custom_protocol` example.

mod alternating;
mod complete_info;

/// The lapse phase, at its former path (it lives in [`crate::lapse`]).
pub use crate::lapse;

pub use alternating::Alternating;
pub use complete_info::CompleteInformation;

use crate::party::Stance;
use crate::rng::StreamRng;
use crate::scenario::{Clock, Scenario, Side};
use std::fmt::Debug;

/// The state a protocol sees when a negotiation opens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Talks<'a> {
    /// The patron's stance (opening, floor, exponent).
    pub patron: Stance,
    /// The host's stance (opening, ceiling, exponent).
    pub host: Stance,
    /// Who proposes first in every round.
    pub opener: Side,
    /// Number of rounds `N` before the deadline (>= 1).
    pub rounds: u32,
    /// Rounds per step (0.1 layout: round `k` is held in step `opening_step + k /
    /// rounds_per_step`; with `protocol.rounds` the rounds are spread over the window instead).
    pub rounds_per_step: u32,
    /// The relative-time convention of the rounds (MODEL.md §10.2).
    pub clock: Clock,
    /// Step at which the window opened.
    pub opening_step: usize,
    /// The deadline: the step at which the current agreement expires.
    pub deadline_step: usize,
    /// Per-round discount factor of the patron, `e^{−r_P Δ/rounds_per_step}`.
    pub delta_patron: f64,
    /// Per-round discount factor of the host.
    pub delta_host: f64,
    /// Price grid in money units per year (0: continuous prices).
    pub tick: f64,
    /// `ln X*` at the opening: the scale that converts a premium into money for the tick grid.
    pub log_fair_at_opening: f64,
    /// Optional precomputed concession schedules `t_k^e` for rounds `k = 0..rounds`, patron
    /// then host (a speed-up: the model precomputes them for full-length windows). `None`:
    /// computed with `powf`. A schedule must have exactly `rounds` entries, non-decreasing in
    /// the round (as `t_k^e` is: [`Alternating`] relies on it to find the crossing round by
    /// bisection).
    pub schedules: [Option<&'a [f64]>; 2],
}

impl Talks<'_> {
    /// The stance of `side`.
    pub fn stance(&self, side: Side) -> &Stance {
        match side {
            Side::Patron => &self.patron,
            Side::Host => &self.host,
        }
    }

    /// Relative time of round `k`: `t_k = (k+1)/(N+1)` (the Genius/NegMAS convention, clock
    /// `"negmas"`) or `(k+1)/N` (clock `"deadline"`).
    #[inline]
    pub fn relative_time(&self, round: u32) -> f64 {
        self.clock.relative_time(round, self.rounds)
    }

    /// Rounds `premium` to the tick grid in the offerer's favour: the patron's offers up, the
    /// host's down (the host never below one tick). The grid is applied to the offer in money at
    /// the opening's `X*`. Without a tick the premium is returned unchanged.
    #[inline]
    pub fn on_grid(&self, side: Side, premium: f64) -> f64 {
        if self.tick <= 0.0 {
            return premium;
        }
        let ticks = (self.log_fair_at_opening + premium).exp() / self.tick;
        let whole = match side {
            Side::Patron => ticks.ceil(),
            Side::Host => ticks.floor().max(1.0),
        };
        if !whole.is_finite() {
            return premium;
        }
        (whole * self.tick).ln() - self.log_fair_at_opening
    }

    /// `t_k^e` for `side` at round `k`: how far its target has moved from its opening toward its
    /// reservation (0 at the opening, 1 at the reservation).
    #[inline]
    pub fn concession(&self, side: Side, round: u32) -> f64 {
        let schedule = match side {
            Side::Patron => self.schedules[0],
            Side::Host => self.schedules[1],
        };
        match schedule.and_then(|s| s.get(round as usize)) {
            Some(&c) => c,
            None => self.relative_time(round).powf(self.stance(side).exponent),
        }
    }

    /// The target `O + (R − O)·t_k^e` of `side` at round `k`, on the tick grid.
    #[inline]
    pub fn target(&self, side: Side, round: u32) -> f64 {
        let st = self.stance(side);
        let raw = st.opening + (st.reservation - st.opening) * self.concession(side, round);
        self.on_grid(side, raw)
    }

    /// Is the zone of agreement `[R_P, R_H]` non-empty?
    pub fn zone_is_open(&self) -> bool {
        self.patron.reservation <= self.host.reservation
    }
}

/// What happened inside the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WindowOutcome {
    /// Agreement at round `round` (0-based) at log premium `premium` over `X*` at signing.
    Agreed {
        /// 0-based round of the acceptance.
        round: u32,
        /// Agreed log premium over the efficient terms.
        premium: f64,
    },
    /// No agreement by the deadline; the last offers on the table (log premia).
    NoDeal {
        /// The patron's last offer.
        patron_offer: f64,
        /// The host's last offer.
        host_offer: f64,
    },
}

/// A negotiation protocol: how the two sides move inside the window.
///
/// Implementations must be pure functions of `talks` and the draws taken from `rng` (the
/// stream keyed by seed, trial and deadline), so that results are reproducible.
pub trait Protocol: Send + Sync + Debug {
    /// A short name for reports.
    fn name(&self) -> &str;

    /// Runs the talks of one window.
    fn negotiate(&self, talks: &Talks, rng: &mut StreamRng) -> WindowOutcome;

    /// Whether [`Protocol::negotiate`] draws from its stream. Protocols that never do may
    /// return `false` to skip seeding it (a speed-up; the built-in protocols do). Default `true`.
    fn uses_rng(&self) -> bool {
        true
    }
}

/// The built-in protocol a scenario names in `protocol.kind`.
pub fn from_scenario(scenario: &Scenario) -> Box<dyn Protocol> {
    match scenario.protocol.kind {
        crate::scenario::ProtocolKind::Alternating => Box::new(Alternating),
        crate::scenario::ProtocolKind::CompleteInformation => {
            Box::new(CompleteInformation::new(scenario.protocol.horizon))
        }
    }
}
