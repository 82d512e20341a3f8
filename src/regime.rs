//! The patron's administrations (MODEL.md §10.5) as the step loop sees them: the calendar of
//! changes, whether an administration is hardline, and the patron's parameters while it is.
//!
//! Administration 0 governs from the start to the first change at step `first`; administration
//! `a >= 1` governs `[first + (a−1)·term, first + a·term)`. Whether administration `a` is
//! hardline is one uniform from stream (seed, trial, [`Purpose::Regime`], `a`) compared with
//! `p`; the seed is the experiment's (not a host's), so in an alliance every host faces the same
//! administrations, and the stream involves no arm, so every arm does too.

use crate::rng::{Purpose, stream};
use crate::scenario::{Party, Regimes, Scenario};
use rand::RngExt;

/// The calendar and the hardline parameters of a scenario with `[patron.regimes]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegimeModel {
    /// Step of the first change of administration.
    pub first: usize,
    /// Steps per administration.
    pub term: usize,
    /// `p`: probability that an administration is hardline.
    pub probability: f64,
    /// Whether negotiations concede on a clock that ends at a pending change.
    pub lock_in: bool,
    /// The patron's parameters while hardline.
    pub hardline_patron: Party,
}

impl RegimeModel {
    /// The regime model of a validated scenario, `None` without `[patron.regimes]`.
    pub fn new(scenario: &Scenario) -> Option<RegimeModel> {
        let r: &Regimes = scenario.patron.regimes.as_ref()?;
        let steps = |years: f64| scenario.years_to_steps(years).unwrap_or(1).max(1) as usize;
        let mut hardline_patron = scenario.patron.clone();
        hardline_patron.regimes = None;
        if let Some(x) = r.opening {
            hardline_patron.opening = x;
        }
        if let Some(x) = r.margin {
            hardline_patron.margin = x;
        }
        if let Some(x) = r.lapse_pressure {
            hardline_patron.lapse_pressure = x;
        }
        Some(RegimeModel {
            first: steps(r.first_change()),
            term: steps(r.term_years),
            probability: r.hardline_probability,
            lock_in: r.lock_in,
            hardline_patron,
        })
    }

    /// The administration governing step `step`.
    #[inline]
    pub fn administration(&self, step: usize) -> u64 {
        if step < self.first {
            0
        } else {
            1 + ((step - self.first) / self.term) as u64
        }
    }

    /// The first change of administration strictly after step `step`.
    #[inline]
    pub fn next_change(&self, step: usize) -> usize {
        if step < self.first {
            self.first
        } else {
            self.first + ((step - self.first) / self.term + 1) * self.term
        }
    }

    /// Whether administration `admin` of trial `trial` is hardline (`seed`: the experiment's).
    #[inline]
    pub fn hardline(&self, seed: u64, trial: u64, admin: u64) -> bool {
        if self.probability <= 0.0 {
            false
        } else if self.probability >= 1.0 {
            true
        } else {
            let u: f64 = stream(seed, trial, Purpose::Regime, admin).random();
            u < self.probability
        }
    }

    /// Whether the administration governing step `step` of trial `trial` is hardline.
    #[inline]
    pub fn hardline_at(&self, seed: u64, trial: u64, step: usize) -> bool {
        self.hardline(seed, trial, self.administration(step))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_counts_administrations_from_the_first_change() {
        let mut s = Scenario::with_name("t");
        s.patron.regimes = Some(Regimes {
            term_years: 4.0,
            first_change_years: Some(2.0),
            ..Regimes::default()
        });
        let r = RegimeModel::new(&s).unwrap();
        assert_eq!((r.first, r.term), (24, 48));
        assert_eq!(r.administration(0), 0);
        assert_eq!(r.administration(23), 0);
        assert_eq!(r.administration(24), 1);
        assert_eq!(r.administration(71), 1);
        assert_eq!(r.administration(72), 2);
        assert_eq!(r.next_change(0), 24);
        assert_eq!(r.next_change(24), 72);
        assert_eq!(r.next_change(71), 72);
        assert!(!r.hardline(1, 2, 3), "p = 0 is never hardline");
    }
}
