//! One metric's statistics: [`MetricTally`] (moments plus sketch) and the
//! [`Summary`] the report shows.

use serde::{Deserialize, Serialize};

use super::{Moments, QuantileSketch, StatsError};

/// The per-metric statistics the report shows (units of the metric).
///
/// A quantile `pXX` is the quantile sketch's estimate of the sample value of 0-based rank
/// `⌊q·(n−1)⌋`, clamped to the exact `[min, max]`: within relative error α of that value
/// (α = [`QUANTILE_RELATIVE_ERROR`](super::QUANTILE_RELATIVE_ERROR) for
/// [`MetricTally::new`], as in every report), and `min ≤ p05 ≤ p25 ≤ p50 ≤ p75 ≤ p95 ≤ max`.
/// See the module documentation for the exact guarantee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of absorbed values.
    pub n: u64,
    /// Mean (0 when empty).
    pub mean: f64,
    /// Sample standard deviation, divisor `n − 1` (0 when `n < 2`).
    pub sd: f64,
    /// Standard error of the mean, `sd / sqrt(n)` (0 when `n < 2`).
    pub se: f64,
    /// 95 % confidence interval of the mean, `[mean − Z95·se, mean + Z95·se]`.
    pub ci95: [f64; 2],
    /// Exact minimum (0 when empty).
    pub min: f64,
    /// Exact maximum (0 when empty).
    pub max: f64,
    /// 5th percentile: value of rank `⌊0.05·(n−1)⌋`, within relative error α, in
    /// `[min, max]` (0 when empty).
    pub p05: f64,
    /// 25th percentile: value of rank `⌊0.25·(n−1)⌋`, within relative error α, in
    /// `[min, max]` (0 when empty).
    pub p25: f64,
    /// Median: value of rank `⌊0.50·(n−1)⌋`, within relative error α, in
    /// `[min, max]` (0 when empty).
    pub p50: f64,
    /// 75th percentile: value of rank `⌊0.75·(n−1)⌋`, within relative error α, in
    /// `[min, max]` (0 when empty).
    pub p75: f64,
    /// 95th percentile: value of rank `⌊0.95·(n−1)⌋`, within relative error α, in
    /// `[min, max]` (0 when empty).
    pub p95: f64,
}

/// Accumulates one metric: exact moments plus a quantile sketch. Both absorb exactly the
/// same values (see the module documentation on accepted values).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricTally {
    moments: Moments,
    sketch: QuantileSketch,
}

impl MetricTally {
    /// An empty tally with the default sketch accuracy.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty tally whose sketch has relative accuracy `alpha`
    /// (see [`QuantileSketch::with_relative_accuracy`]).
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidRelativeAccuracy`] unless
    /// [`MIN_RELATIVE_ACCURACY`](super::MIN_RELATIVE_ACCURACY) `≤ alpha < 1` (NaN is rejected).
    pub fn with_relative_accuracy(alpha: f64) -> Result<Self, StatsError> {
        Ok(MetricTally {
            moments: Moments::new(),
            sketch: QuantileSketch::with_relative_accuracy(alpha)?,
        })
    }

    /// Absorbs one value.
    pub fn push(&mut self, x: f64) {
        self.moments.push(x);
        self.sketch.push(x);
    }

    /// Absorbs another tally (exact).
    ///
    /// # Errors
    ///
    /// [`StatsError::SketchMismatch`], leaving `self` unchanged (moments included), if
    /// the sketches' relative accuracies (compared bit for bit) or `max_buckets`
    /// differ.
    pub fn merge(&mut self, other: &MetricTally) -> Result<(), StatsError> {
        self.sketch.merge(&other.sketch)?;
        self.moments.merge(&other.moments);
        Ok(())
    }

    /// Number of absorbed values.
    pub fn count(&self) -> u64 {
        self.moments.count()
    }

    /// Number of rejected values (NaN, ±∞, `|x| > MAX_ABS_VALUE`).
    pub fn rejected(&self) -> u64 {
        self.moments.rejected()
    }

    /// The exact moments.
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// The quantile sketch.
    pub fn sketch(&self) -> &QuantileSketch {
        &self.sketch
    }

    /// The report's statistics; quantiles are 0 when empty.
    ///
    /// Each quantile is the sketch's estimate clamped to the exact `[min, max]`, which can
    /// only move it closer to the true sample quantile (see the module documentation), and
    /// makes `min ≤ p05 ≤ p25 ≤ p50 ≤ p75 ≤ p95 ≤ max` hold always.
    pub fn summary(&self) -> Summary {
        let m = &self.moments;
        let (lo, hi) = m.ci95();
        let (min, max) = (m.min(), m.max());
        // `max`/`min` rather than `f64::clamp`, which panics unless `min <= max`: that holds
        // (a `Moments` invariant, checked on deserialisation too), but need not be relied on.
        let q = |p: f64| self.sketch.quantile(p).unwrap_or(0.0).max(min).min(max);
        Summary {
            n: m.count(),
            mean: m.mean(),
            sd: m.sd(),
            se: m.standard_error(),
            ci95: [lo, hi],
            min,
            max,
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p95: q(0.95),
        }
    }
}
