//! Host public support and its feedback (MODEL.md §6).
//!
//! Each step `S ← S̄ + (S − S̄)·2^{−Δ/h}`. When a negotiation ends,
//! `S ← clamp(S − γ_gap·max(0, O_P − O_H) − γ_lapse·lapse_years, 0, 1)`. A rupture sets `S = 0`
//! for good (it is absorbing: support does not recover after a drawdown). Support enters the
//! host's ceiling at the next opening through `θ(S − S̄)`.

use crate::scenario::Support;

/// The support level of one history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupportState {
    level: f64,
    min: f64,
    baseline: f64,
    decay: f64,
    gap_hit: f64,
    lapse_hit: f64,
    collapsed: bool,
}

impl SupportState {
    /// Initial state for step length `dt` years.
    pub fn new(p: &Support, dt: f64) -> SupportState {
        SupportState {
            level: p.initial,
            min: p.initial,
            baseline: p.baseline,
            decay: (-dt / p.half_life_years).exp2(),
            gap_hit: p.gap_hit,
            lapse_hit: p.lapse_hit,
            collapsed: false,
        }
    }

    /// Current level `S ∈ [0, 1]`.
    #[inline]
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Lowest level so far.
    #[inline]
    pub fn min(&self) -> f64 {
        self.min
    }

    /// One step of relaxation toward the baseline (none after a rupture).
    #[inline]
    pub fn relax(&mut self) {
        if !self.collapsed {
            self.level = self.baseline + (self.level - self.baseline) * self.decay;
        }
    }

    /// The erosion at the end of a negotiation with opening gap `O_P − O_H` (log units) and
    /// `lapse_years` of lapse.
    #[inline]
    pub fn negotiation_ended(&mut self, opening_gap: f64, lapse_years: f64) {
        if self.collapsed {
            return;
        }
        let hit = self.gap_hit * opening_gap.max(0.0) + self.lapse_hit * lapse_years;
        self.level = (self.level - hit).clamp(0.0, 1.0);
        self.min = self.min.min(self.level);
    }

    /// Rupture: support drops to 0 and stays there.
    #[inline]
    pub fn collapse(&mut self) {
        self.collapsed = true;
        self.level = 0.0;
        self.min = 0.0;
    }
}
