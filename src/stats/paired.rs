//! Paired differences `arm − reference` ([`Paired`], [`PairedSummary`]).

use serde::{Deserialize, Serialize};

use super::Moments;

/// Summary of per-trial paired differences `arm − reference` (same trial, same world),
/// in the units of the metric. Wraps [`Moments`], so it is exactly mergeable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    diffs: Moments,
}

/// What the report shows for a paired difference (units of the metric).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedSummary {
    /// Mean of `arm − reference` (0 when empty).
    pub mean: f64,
    /// Standard error of that mean (0 with fewer than 2 pairs).
    pub se: f64,
    /// 95 % confidence interval `[mean − Z95·se, mean + Z95·se]`.
    pub ci95: [f64; 2],
}

impl Paired {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Absorbs one trial's pair. The pair is rejected (counted by [`Paired::rejected`])
    /// if the rounded difference `arm − reference` is NaN, ±∞ or above `MAX_ABS_VALUE`.
    pub fn push(&mut self, arm: f64, reference: f64) {
        self.diffs.push(arm - reference);
    }

    /// Absorbs another paired summary (exact, see [`Moments::merge`]).
    pub fn merge(&mut self, other: &Paired) {
        self.diffs.merge(&other.diffs);
    }

    /// Number of absorbed pairs.
    pub fn count(&self) -> u64 {
        self.diffs.count()
    }

    /// Number of rejected pairs.
    pub fn rejected(&self) -> u64 {
        self.diffs.rejected()
    }

    /// Mean difference (0 when empty).
    pub fn mean(&self) -> f64 {
        self.diffs.mean()
    }

    /// Sample standard deviation of the differences (0 with fewer than 2 pairs).
    pub fn sd(&self) -> f64 {
        self.diffs.sd()
    }

    /// Standard error of the mean difference (0 with fewer than 2 pairs).
    pub fn standard_error(&self) -> f64 {
        self.diffs.standard_error()
    }

    /// 95 % confidence interval of the mean difference, `mean ± Z95·se`.
    pub fn ci95(&self) -> (f64, f64) {
        self.diffs.ci95()
    }

    /// The moments of the differences.
    pub fn moments(&self) -> &Moments {
        &self.diffs
    }

    /// Mean, standard error and CI for the report.
    pub fn summary(&self) -> PairedSummary {
        let (lo, hi) = self.ci95();
        PairedSummary {
            mean: self.mean(),
            se: self.standard_error(),
            ci95: [lo, hi],
        }
    }
}
