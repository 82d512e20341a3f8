//! Stacked alternating offers with time-dependent targets (Genius/NegMAS "SAO").

use super::{Protocol, Talks, WindowOutcome};
use crate::party::acceptable;
use crate::rng::StreamRng;

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
        let (patron_offer, host_offer) = match opener {
            crate::scenario::Side::Patron => (last_opener, last_responder),
            crate::scenario::Side::Host => (last_responder, last_opener),
        };
        WindowOutcome::NoDeal {
            patron_offer,
            host_offer,
        }
    }
}
