//! Host public support and its feedback (MODEL.md §6).
//!
//! Each step `S ← S̄ + (S − S̄)·2^{−Δ/h}`. When a negotiation ends,
//! `S ← clamp(S − γ_gap·max(0, O_P − O_H) − γ_lapse·lapse_years, 0, 1)`. A rupture sets `S = 0`
//! for good (it is absorbing: support does not recover after a drawdown). Support enters the
//! host's ceiling at the next opening through `θ(S − S̄)`.
//!
//! The relaxation is evaluated lazily in closed form, `S(t) = S̄ + (S_a − S̄)·2^{−(t − t_a)Δ/h}`
//! from the last anchor `(t_a, S_a)` (the start, or the last erosion), so a history costs nothing
//! per step. Relaxation moves monotonically toward the baseline (down when support is above it),
//! so the lowest level of each interval between anchors is at one of its ends: the minimum is
//! tracked at every anchor, just before and after each erosion, and at the end.

use crate::scenario::Support;

/// The support level of one history, with times in steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupportState {
    anchor_level: f64,
    anchor_step: usize,
    min: f64,
    baseline: f64,
    /// `−Δ/h`: the exponent of 2 per step.
    rate: f64,
    gap_hit: f64,
    lapse_hit: f64,
    collapsed: bool,
}

impl SupportState {
    /// The initial state for step length `dt` years.
    pub fn new(p: &Support, dt: f64) -> SupportState {
        SupportState {
            anchor_level: p.initial,
            anchor_step: 0,
            min: p.initial,
            baseline: p.baseline,
            rate: -dt / p.half_life_years,
            gap_hit: p.gap_hit,
            lapse_hit: p.lapse_hit,
            collapsed: false,
        }
    }

    /// The level `S ∈ [0, 1]` at the start of step `step` (after `step` relaxations).
    #[inline]
    pub fn level_at(&self, step: usize) -> f64 {
        self.level_in(step, &[])
    }

    /// `2^{−kΔ/h}` for `k = 0, 1, …` steps: the relaxation factors [`SupportState::level_in`]
    /// looks up, exactly as it would compute them, for a model's support and step length.
    pub(crate) fn relaxation_table(p: &Support, dt: f64, steps: usize) -> Vec<f64> {
        let rate = SupportState::new(p, dt).rate;
        (0..=steps).map(|k| (rate * k as f64).exp2()).collect()
    }

    /// [`SupportState::level_at`] with the relaxation factors of
    /// [`SupportState::relaxation_table`] (computed for those it does not hold).
    #[inline]
    pub(crate) fn level_in(&self, step: usize, relaxation: &[f64]) -> f64 {
        if self.collapsed {
            return 0.0;
        }
        let elapsed = step.saturating_sub(self.anchor_step);
        if elapsed == 0 {
            return self.anchor_level;
        }
        let factor = match relaxation.get(elapsed) {
            Some(&f) => f,
            None => (self.rate * elapsed as f64).exp2(),
        };
        self.baseline + (self.anchor_level - self.baseline) * factor
    }

    /// Lowest level over steps `0..=step` (support above its baseline relaxes *down*, so the
    /// level at `step` counts too).
    #[inline]
    pub fn min_until(&self, step: usize) -> f64 {
        self.min.min(self.level_at(step))
    }

    /// The erosion at the end of step `step` (after its relaxation) by a negotiation with
    /// opening gap `O_P − O_H` (log units) and `lapse_years` of lapse.
    pub fn negotiation_ended(&mut self, step: usize, opening_gap: f64, lapse_years: f64) {
        self.negotiation_ended_in(step, opening_gap, lapse_years, &[]);
    }

    /// [`SupportState::negotiation_ended`] with the relaxation factors of
    /// [`SupportState::relaxation_table`].
    pub(crate) fn negotiation_ended_in(
        &mut self,
        step: usize,
        opening_gap: f64,
        lapse_years: f64,
        relaxation: &[f64],
    ) {
        if self.collapsed {
            return;
        }
        let hit = self.gap_hit * opening_gap.max(0.0) + self.lapse_hit * lapse_years;
        let before = self.level_in(step + 1, relaxation);
        self.anchor_level = (before - hit).clamp(0.0, 1.0);
        self.anchor_step = step + 1;
        // Between anchors support moves monotonically toward the baseline, so the lowest level
        // of the interval is at one of its ends.
        self.min = self.min.min(before).min(self.anchor_level);
    }

    /// Rupture: support drops to 0 and stays there.
    pub fn collapse(&mut self) {
        self.collapsed = true;
        self.anchor_level = 0.0;
        self.min = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relaxation_halves_the_distance_to_baseline_each_half_life() {
        let p = Support {
            initial: 0.2,
            baseline: 0.6,
            half_life_years: 3.0,
            ..Support::default()
        };
        let s = SupportState::new(&p, 1.0 / 12.0);
        assert!((s.level_at(36) - 0.4).abs() < 1e-12);
        assert!((s.level_at(72) - 0.5).abs() < 1e-12);
        // The same as relaxing step by step.
        let mut x = 0.2;
        for _ in 0..50 {
            x = 0.6 + (x - 0.6) * (-1.0f64 / 36.0).exp2();
        }
        assert!((s.level_at(50) - x).abs() < 1e-12);
    }

    #[test]
    fn support_above_baseline_relaxes_down_and_the_minimum_follows() {
        let p = Support {
            initial: 1.0,
            baseline: 0.5,
            half_life_years: 1.0,
            ..Support::default()
        };
        let s = SupportState::new(&p, 1.0 / 12.0);
        assert!((s.level_at(12) - 0.75).abs() < 1e-12);
        assert!((s.min_until(12) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn erosion_clamps_and_tracks_the_minimum_and_rupture_is_absorbing() {
        let mut s = SupportState::new(&Support::default(), 1.0 / 12.0);
        s.negotiation_ended(10, 0.5, 1.0); // 0.1·0.5 + 0.2·1 = 0.25
        assert!((s.level_at(11) - 0.5).abs() < 1e-12);
        assert!((s.min_until(11) - 0.5).abs() < 1e-12);
        assert!(s.level_at(100) > 0.5 && s.level_at(100) < 0.75);
        s.negotiation_ended(20, 20.0, 0.0);
        assert_eq!(s.level_at(21), 0.0);
        assert!(s.level_at(40) > 0.0, "support recovers after a hit");
        s.collapse();
        assert_eq!((s.level_at(1000), s.min_until(1000)), (0.0, 0.0));
        s.negotiation_ended(50, 0.0, 0.0);
        assert_eq!(s.level_at(60), 0.0);
    }
}
