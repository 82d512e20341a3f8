//! The agreement in force and its calendar (MODEL.md §3).
//!
//! While an agreement is in force the payment for step `t` is
//! `X_t = X · exp(κ(I_t − I_a) + g·age_t)`, with `I_a` the index when the terms were set and
//! `age_t = (t − start)Δ` the years since the term started.
//!
//! Calendar rules (choices where MODEL.md leaves room, documented here):
//! - A window opens `window` steps before the expiry, but never before the agreement in force
//!   took effect: a window longer than the term is clipped to the term.
//! - Retroactive agreements keep the original calendar: the next expiry is the old expiry plus
//!   `L`; if a lapse lasted so long that this date has already passed when the new terms take
//!   effect, the term runs to the first calendar expiry after that (whole multiples of `L`).
//! - Non-retroactive agreements run `L` from the step they take effect.

/// The terms in force.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contract {
    /// `ln X`, log of the base payment level (money units per year).
    pub log_level: f64,
    /// `X`, the base payment level, money units per year.
    pub level: f64,
    /// `I_a`, the index when the terms were set (log units).
    pub index_at_signing: f64,
    /// `e^{κ I_a}`.
    pub index_factor_at_signing: f64,
    /// `ln X − κ I_a`: with the path's `κ I_t − ln X*_t` and `g·age` it gives the mismatch.
    pub mismatch_offset: f64,
    /// `X / e^{κ I_a}`: times `e^{κ I_t}` and `e^{g·age}` it gives the payment.
    pub level_per_index: f64,
    /// First step of the term (age 0).
    pub start: usize,
    /// The expiry: first step no longer covered.
    pub expiry: usize,
}

impl Contract {
    /// Terms set at log level `log_level` when the index was `index` (with indexation `kappa`
    /// and `index_factor = e^{κ·index}`), running over steps `[start, expiry)`.
    pub fn new(
        log_level: f64,
        kappa: f64,
        index: f64,
        index_factor: f64,
        start: usize,
        expiry: usize,
    ) -> Contract {
        let level = log_level.exp();
        Contract {
            log_level,
            level,
            index_at_signing: index,
            index_factor_at_signing: index_factor,
            mismatch_offset: log_level - kappa * index,
            level_per_index: level / index_factor,
            start,
            expiry,
        }
    }

    /// The mismatch `D_t = ln X_t − ln X*_t` from precomputed parts: `escalator_log = g·age·Δ`
    /// and `mismatch_base = κ I_t − ln X*_t`.
    #[inline]
    pub fn mismatch(&self, escalator_log: f64, mismatch_base: f64) -> f64 {
        self.mismatch_offset + escalator_log + mismatch_base
    }

    /// `X_t`, money units per year, from precomputed factors: `e^{κ I_t}` and `e^{g·age}`.
    #[inline]
    pub fn payment(&self, index_factor: f64, escalator_factor: f64) -> f64 {
        self.level_per_index * index_factor * escalator_factor
    }
}

/// The expiry of an agreement concluded for deadline `deadline` that takes effect at step
/// `effective` (>= deadline), for a term of `term` steps.
pub fn next_expiry(deadline: usize, effective: usize, term: usize, retroactive: bool) -> usize {
    if retroactive {
        let late = effective - deadline;
        deadline + term * (late / term + 1)
    } else {
        effective + term
    }
}

/// The step at which the window for `expiry` opens: `expiry − window`, but not before the
/// agreement in force took effect (`in_force_since`).
pub fn window_opens(expiry: usize, window: usize, in_force_since: usize) -> usize {
    expiry.saturating_sub(window).max(in_force_since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_rules() {
        assert_eq!(next_expiry(60, 60, 12, true), 72);
        assert_eq!(next_expiry(60, 63, 12, true), 72);
        assert_eq!(next_expiry(60, 72, 12, true), 84);
        assert_eq!(next_expiry(60, 75, 12, true), 84);
        assert_eq!(next_expiry(60, 63, 12, false), 75);
        assert_eq!(window_opens(60, 12, 0), 48);
        assert_eq!(window_opens(6, 12, 0), 0);
        assert_eq!(window_opens(66, 12, 60), 60);
    }
}
