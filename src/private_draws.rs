//! The private draws of each deadline (MODEL.md §4), drawn once per trial and shared by every
//! arm whose negotiation has that deadline.
//!
//! The two standard normals `(z_P, z_H)` of deadline `D` come from the stream
//! (seed, trial, [`Purpose::Private`], `D`) whichever arm asks, so an arm can take what an
//! earlier arm of the same trial drew (with retroactive terms every deadline of the flagship's
//! five arms is a whole year, and 63 negotiations share 30 deadlines). The cache belongs to the
//! trial's [`EnvironmentPath`](crate::EnvironmentPath) and is filled on first use, through
//! atomics so that a path shared between threads stays `Sync` (a race only draws the same
//! numbers twice). It changes no number: a draw is a pure function of its stream.

use crate::rng::{Purpose, stream};
use rand_distr::{Distribution, StandardNormal};
use std::sync::atomic::{AtomicU64, Ordering};

/// One deadline's draws: the two normals' bits and the generation that drew them.
#[derive(Debug, Default)]
struct Slot {
    patron: AtomicU64,
    host: AtomicU64,
    /// The cache's generation when the slot was filled (0: never).
    generation: AtomicU64,
}

/// The private draws of one trial by deadline step, filled on first use.
#[derive(Debug, Default)]
pub(crate) struct PrivateDraws {
    seed: u64,
    trial: u64,
    /// Bumped by every [`PrivateDraws::reset`]: slots of older generations are empty.
    generation: u64,
    slots: Vec<Slot>,
}

impl PrivateDraws {
    /// Empties the cache for (seed, trial), with slots for deadlines `0..steps` (later deadlines
    /// are drawn each time). Allocates only when `steps` grows.
    pub(crate) fn reset(&mut self, seed: u64, trial: u64, steps: usize) {
        self.seed = seed;
        self.trial = trial;
        self.generation += 1;
        if self.slots.len() < steps {
            self.slots.resize_with(steps, Slot::default);
        }
    }

    /// `(z_P, z_H)` of `deadline` for (seed, trial): from the cache when this trial's stream
    /// already gave them, else drawn (and kept if the cache is this trial's).
    #[inline]
    pub(crate) fn get(&self, seed: u64, trial: u64, deadline: usize) -> (f64, f64) {
        let slot = if seed == self.seed && trial == self.trial && self.generation > 0 {
            self.slots.get(deadline)
        } else {
            None
        };
        let Some(slot) = slot else {
            return draw(seed, trial, deadline);
        };
        if slot.generation.load(Ordering::Acquire) == self.generation {
            return (
                f64::from_bits(slot.patron.load(Ordering::Relaxed)),
                f64::from_bits(slot.host.load(Ordering::Relaxed)),
            );
        }
        let (z_patron, z_host) = draw(seed, trial, deadline);
        slot.patron.store(z_patron.to_bits(), Ordering::Relaxed);
        slot.host.store(z_host.to_bits(), Ordering::Relaxed);
        slot.generation.store(self.generation, Ordering::Release);
        (z_patron, z_host)
    }
}

/// The two normals of the private stream of `deadline`, in order (patron, host).
#[inline]
fn draw(seed: u64, trial: u64, deadline: usize) -> (f64, f64) {
    let mut private = stream(seed, trial, Purpose::Private, deadline as u64);
    let z_patron: f64 = StandardNormal.sample(&mut private);
    let z_host: f64 = StandardNormal.sample(&mut private);
    (z_patron, z_host)
}

/// A copy starts empty for the same trial (its draws are the same on demand).
impl Clone for PrivateDraws {
    fn clone(&self) -> PrivateDraws {
        let mut c = PrivateDraws::default();
        c.reset(self.seed, self.trial, self.slots.len());
        c
    }
}

/// A cache is no part of a path's value: any two are equal.
impl PartialEq for PrivateDraws {
    fn eq(&self, _: &PrivateDraws) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_draws_are_the_streams_draws() {
        let mut c = PrivateDraws::default();
        c.reset(7, 3, 100);
        for d in [12, 24, 12, 99, 100, 150, 24] {
            assert_eq!(c.get(7, 3, d), draw(7, 3, d));
            // Another trial or seed is drawn, not taken from the cache.
            assert_eq!(c.get(7, 4, d), draw(7, 4, d));
            assert_eq!(c.get(8, 3, d), draw(8, 3, d));
        }
        c.reset(7, 4, 100);
        assert_eq!(c.get(7, 4, 12), draw(7, 4, 12));
        assert_eq!(c.clone().get(7, 4, 24), draw(7, 4, 24));
    }
}
