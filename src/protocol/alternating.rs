//! Stacked alternating offers with time-dependent targets (Genius/NegMAS "SAO").

use super::{Protocol, Talks, WindowOutcome};
use crate::party::acceptable;
use crate::rng::StreamRng;
use crate::scenario::Side;

/// The default protocol: `N` rounds; in round `k` both sides see relative time
/// `t_k = (k+1)/(N+1)` and aim at their targets `O + (R − O)·t_k^e`.
///
/// In each round the opener moves first: it accepts the responder's pending counter-offer if that
/// is at least as good for it as its own target at `t_k`, otherwise it proposes its target. The
/// responder then accepts if the proposal is at least as good as its own target at `t_k`,
/// otherwise it counters with that target. The responder's counter in the last round goes
/// unanswered (the deadline has come). The price is the accepted offer. Deterministic: it draws
/// nothing from the stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Alternating;

impl Protocol for Alternating {
    fn name(&self) -> &str {
        "alternating"
    }

    fn uses_rng(&self) -> bool {
        false
    }

    fn negotiate(&self, talks: &Talks, _rng: &mut StreamRng) -> WindowOutcome {
        match crossing(talks) {
            Some(outcome) => outcome,
            None => round_by_round(talks),
        }
    }
}

/// The talks played round by round: every round's targets in turn (the definition).
pub(crate) fn round_by_round(talks: &Talks) -> WindowOutcome {
    let opener = talks.opener;
    let responder = opener.other();
    let mut pending: Option<f64> = None;
    let mut last_opener = talks.stance(opener).opening;
    for k in 0..talks.rounds {
        let own = talks.target(opener, k);
        if let Some(counter) = pending {
            if acceptable(opener, counter, own) {
                return WindowOutcome::Agreed {
                    round: k,
                    premium: counter,
                };
            }
        }
        last_opener = own;
        let theirs = talks.target(responder, k);
        if acceptable(responder, own, theirs) {
            return WindowOutcome::Agreed {
                round: k,
                premium: own,
            };
        }
        pending = Some(theirs);
    }
    let last_responder = pending.unwrap_or(talks.stance(responder).opening);
    no_deal(opener, last_opener, last_responder)
}

/// The last offers of talks that ended without a deal, as (patron's, host's).
fn no_deal(opener: Side, last_opener: f64, last_responder: f64) -> WindowOutcome {
    let (patron_offer, host_offer) = match opener {
        Side::Patron => (last_opener, last_responder),
        Side::Host => (last_responder, last_opener),
    };
    WindowOutcome::NoDeal {
        patron_offer,
        host_offer,
    }
}

/// The same outcome as [`round_by_round`], found by bisection on the round where the targets
/// cross, when that is valid; `None` otherwise.
///
/// With the concession schedules of both sides given for every round (non-decreasing, as every
/// `t_k^e` is), no price grid, the patron opening at or above its reservation and the host at or
/// below its own, the patron's target never rises and the host's never falls, in floating point
/// too (each target is the same monotone expression of its schedule). Then the responder
/// accepts in the first round `k*` where the two targets have crossed, and the opener never
/// accepts earlier: accepting the pending counter in round `k` (the responder's target of round
/// `k − 1`) implies that the targets of round `k` have crossed. In round `k*` the opener takes
/// the pending counter if it is acceptable, as in the round-by-round play. The rounds before
/// `k*` change nothing, so O(log N) rounds are evaluated instead of N.
fn crossing(talks: &Talks) -> Option<WindowOutcome> {
    let ([Some(patron), Some(host)], true) = (talks.schedules, talks.tick <= 0.0) else {
        return None;
    };
    let n = talks.rounds as usize;
    let (p, h) = (&talks.patron, &talks.host);
    if patron.len() < n
        || host.len() < n
        || !(p.opening >= p.reservation && h.opening <= h.reservation)
    {
        return None;
    }
    // The same expression as `Talks::target` without a grid.
    let target = |st: &crate::party::Stance, c: f64| st.opening + (st.reservation - st.opening) * c;
    let opener = talks.opener;
    let responder = opener.other();
    let (own_stance, own_schedule, their_stance, their_schedule) = match opener {
        Side::Patron => (p, patron, h, host),
        Side::Host => (h, host, p, patron),
    };
    let own = |k: usize| target(own_stance, own_schedule[k]);
    let theirs = |k: usize| target(their_stance, their_schedule[k]);
    // The first round whose targets have crossed (`n` if none).
    let (mut k, mut hi) = (0, n);
    while k < hi {
        let mid = k + (hi - k) / 2;
        if acceptable(responder, own(mid), theirs(mid)) {
            hi = mid;
        } else {
            k = mid + 1;
        }
    }
    if k == n {
        return Some(match n {
            0 => no_deal(opener, own_stance.opening, their_stance.opening),
            _ => no_deal(opener, own(n - 1), theirs(n - 1)),
        });
    }
    let round = k as u32;
    let here = own(k);
    if k > 0 {
        let counter = theirs(k - 1);
        if acceptable(opener, counter, here) {
            return Some(WindowOutcome::Agreed {
                round,
                premium: counter,
            });
        }
    }
    Some(WindowOutcome::Agreed {
        round,
        premium: here,
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::party::Stance;
    use crate::rng::{Purpose, stream};
    use crate::scenario::Clock;
    use rand::RngExt;

    /// Bisection and round-by-round play agree exactly on random talks, both openers, and
    /// windows of 0 to 40 rounds (some that cross, some that never do).
    #[test]
    fn crossing_is_the_round_by_round_outcome() {
        let mut rng = stream(1, 2, Purpose::Protocol, 3);
        let mut both = 0;
        for case in 0..20_000 {
            let rounds: u32 = rng.random_range(0..=40);
            let mut u = |scale: f64| scale * (rng.random::<f64>() - 0.3);
            let (rp, rh) = (u(0.2), u(0.2));
            let patron = Stance {
                reservation: rp,
                opening: rp + u(0.5).abs(),
                exponent: 1.0 + u(4.0).abs(),
            };
            let host = Stance {
                reservation: rh,
                opening: rh - u(0.5).abs(),
                exponent: 0.2 + u(4.0).abs(),
            };
            let clock = if case % 2 == 0 {
                Clock::Negmas
            } else {
                Clock::Deadline
            };
            let schedule = |e: f64| -> Vec<f64> {
                (0..rounds)
                    .map(|k| clock.relative_time(k, rounds).powf(e))
                    .collect()
            };
            let (ps, hs) = (schedule(patron.exponent), schedule(host.exponent));
            let talks = Talks {
                patron,
                host,
                opener: if case % 3 == 0 {
                    Side::Host
                } else {
                    Side::Patron
                },
                rounds,
                rounds_per_step: 1,
                clock,
                opening_step: 0,
                deadline_step: rounds as usize,
                delta_patron: 0.99,
                delta_host: 0.99,
                tick: 0.0,
                log_fair_at_opening: 0.0,
                schedules: [Some(&ps), Some(&hs)],
            };
            let fast = crossing(&talks).expect("bisection applies");
            assert_eq!(fast, round_by_round(&talks), "case {case}: {talks:?}");
            if matches!(fast, WindowOutcome::Agreed { .. }) {
                both += 1;
            }
        }
        assert!(both > 1000 && both < 19_000, "{both} agreements");
    }
}
