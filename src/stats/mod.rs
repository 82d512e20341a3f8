//! Mergeable summary statistics for Monte Carlo results.
//!
//! Every type here is a *summary*: it absorbs values one at a time (`push`), combines
//! with another summary of the same kind (`merge`), uses memory that does not grow with
//! the number of values, and serialises with serde (a JSON round trip reproduces it
//! bit for bit, provided serde_json parses floats exactly; see the crate's `Cargo.toml`).
//!
//! # Determinism contract
//!
//! Trials run in fixed-size blocks, possibly on many threads, and block summaries are
//! merged in block order; runs may also be split into shards (contiguous ranges of
//! blocks) that are merged later. The report must be bit-identical in all of these
//! cases. This module guarantees something stronger: **the state of every summary is
//! an exact function of the multiset of values it has absorbed**, so `push` and
//! `merge` in any order and any grouping give bit-identical states, hence bit-identical
//! derived statistics and identical serialised JSON.
//!
//! * [`Moments`] keeps the count, the exact minimum and maximum, and the sums
//!   `Σx` and `Σx²` *exactly*, as wide fixed-point integers (every `f64` and the exact
//!   square of every `f64` is an integer multiple of 2⁻¹⁰⁷⁴ resp. 2⁻²¹⁴⁸). Merging adds
//!   integers, which is associative. The mean and the variance are computed from the
//!   exact sums at query time: the mean is the exact `Σx / n` (long division of the
//!   fixed-point integer by `n`) rounded once to the nearest `f64`, ties to even, so
//!   `min ≤ mean ≤ max` always and `n` copies of `x` have mean exactly `x`; likewise the
//!   variance is the exact `(n·Σx² − (Σx)²) / (n(n−1))` rounded once (0 for a constant
//!   sample). The standard deviation is the `f64` square root of that variance and the
//!   standard error `sd / √n`, a few roundings more. So they are at least as accurate as
//!   a two-pass computation and suffer no cancellation. A Welford/Chan
//!   accumulator was deliberately *not* used: Chan's merge formula is not associative in
//!   floating point, so merging shards (`(b₀+b₁)+(b₂+b₃)`) would not reproduce the
//!   single-run result (`((b₀+b₁)+b₂)+b₃`) bit for bit.
//! * [`QuantileSketch`] is a DDSketch whose state is integer bucket counts in a
//!   canonical layout; collapsing of the lowest buckets depends only on the largest
//!   bucket seen, so it too is order- and grouping-independent.
//! * [`Histogram`] holds integer counts only.
//!
//! # Accepted values
//!
//! [`Moments`], [`QuantileSketch`], [`Paired`] and [`MetricTally`] accept a value
//! `x` only when `|x| ≤` [`MAX_ABS_VALUE`] (which excludes NaN and ±∞). Any other value
//! is *not* absorbed; it is counted in `rejected()` instead, so it can never turn a
//! statistic into NaN or ∞ (the bound keeps `Σ(x − x̄)²` finite for any `u64` count).
//! [`Histogram`] counts −∞ as underflow, +∞ as overflow and NaN separately.
//!
//! # What a reported quantile guarantees
//!
//! A [`Summary`]'s quantiles `p05 … p95` are the [`QuantileSketch`]'s estimates clamped to
//! the exact minimum and maximum of the [`Moments`]. Let `x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎` be the
//! absorbed values sorted and `q` the quantile's level; its sample value is the one of
//! rank `r = ⌊q·(n−1)⌋`, `x₍ᵣ₎` (no interpolation between ranks). The returned `q̂`
//! satisfies
//!
//! ```text
//! |q̂ − x₍ᵣ₎| ≤ α·|x₍ᵣ₎|,   α = QUANTILE_RELATIVE_ERROR = 0.005 (0.5 %)
//! ```
//!
//! for every [`MetricTally::new`] (which every report uses; a tally built with
//! [`MetricTally::with_relative_accuracy`] has its own α), with three qualifications: the
//! rounding of `ln`/`exp` in the bucket mapping adds at most
//! [`QUANTILE_ROUNDING_SLACK`]`·|x₍ᵣ₎|`; the sketch counts subnormal magnitudes
//! (`|x| < f64::MIN_POSITIVE` ≈ 2.2·10⁻³⁰⁸) as 0, so there the error is `|x₍ᵣ₎|` itself;
//! and the bound needs the sketch never to have collapsed its lowest buckets
//! ([`QuantileSketch::is_collapsed`]; with the defaults that takes values of one sign
//! spanning more than a factor 6·10¹⁷ in magnitude). The error is
//! *relative*: a quantile near 30 may be off by up to 0.15, one near 0 by almost nothing,
//! and zeros are exact. It bounds the distance to the *sample* quantile only; how far that
//! is from the population quantile is Monte Carlo error, which shrinks with `n`.
//!
//! Clamping to `[min, max]` can only reduce the error: `x₍ᵣ₎` lies in `[min, max]` and `min`
//! and `max` are exact, so clamping moves `q̂` toward `x₍ᵣ₎` or leaves it alone. It also
//! makes the reported numbers consistent: `min ≤ p05 ≤ p25 ≤ p50 ≤ p75 ≤ p95 ≤ max` always
//! (the sketch's quantile is non-decreasing in `q` and clamping keeps the order), a sample
//! of one repeated value reports that value exactly as every quantile, and no quantile
//! exceeds the largest value (before clamping, a count whose median and maximum were both
//! 30 reported a median of 30.11). A quantile strictly between `min` and `max` is still
//! only within α: the sample value 10 is reported as 10.02 (its bucket's representative).
//!
//! # Why a hand-written sketch
//!
//! The `sketches-ddsketch` crate (0.4.2) was considered and rejected: its dense stores
//! keep an insertion-order-dependent layout and it keeps an `f64` running sum, so a
//! merged sketch is not bit-identical to the sketch of the whole sample; NaN is counted
//! as zero and ±∞ overflow its key arithmetic; and deserialisation is unchecked.

#![warn(missing_docs)]

mod fixed;
mod histogram;
mod moments;
mod paired;
mod sketch;
mod summary;

pub use histogram::Histogram;
pub use moments::Moments;
pub use paired::{Paired, PairedSummary};
pub use sketch::{
    DEFAULT_MAX_BUCKETS, DEFAULT_RELATIVE_ACCURACY, MAX_MAX_BUCKETS, MIN_RELATIVE_ACCURACY,
    QUANTILE_ROUNDING_SLACK, QuantileSketch,
};
pub use summary::{MetricTally, Summary};

/// Two-sided 95 % standard normal quantile, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959963984540054;

/// Largest magnitude a [`Moments`] / [`QuantileSketch`] accepts; larger values, NaN and
/// ±∞ are counted as rejected. Chosen so that `Σx²` stays below `f64::MAX` for any
/// `u64` number of values (`(2·10¹⁴⁰)² · 2⁶⁴ ≈ 7·10²⁹⁹`).
pub const MAX_ABS_VALUE: f64 = 1e140;

/// Relative error bound α of every quantile a report shows (a fraction: 0.005 = 0.5 %):
/// the relative accuracy of [`MetricTally::new`]'s sketch, [`DEFAULT_RELATIVE_ACCURACY`].
/// See the module documentation for the exact guarantee.
pub const QUANTILE_RELATIVE_ERROR: f64 = DEFAULT_RELATIVE_ACCURACY;

/// Whether a value is absorbed by the moment and quantile summaries.
#[inline]
fn accepted(x: f64) -> bool {
    x.abs() <= MAX_ABS_VALUE
}

/// Errors of this module.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// The relative accuracy of a quantile sketch is outside `[MIN_RELATIVE_ACCURACY, 1)`.
    #[error("relative accuracy must be finite and in [{MIN_RELATIVE_ACCURACY}, 1), got {alpha}")]
    InvalidRelativeAccuracy {
        /// The rejected relative accuracy.
        alpha: f64,
    },
    /// The bucket limit of a quantile sketch is outside `[1, MAX_MAX_BUCKETS]`.
    #[error("maximum number of buckets must be in [1, {MAX_MAX_BUCKETS}], got {max_buckets}")]
    InvalidMaxBuckets {
        /// The rejected bucket limit.
        max_buckets: usize,
    },
    /// Two quantile sketches with different parameters cannot be merged.
    #[error(
        "cannot merge quantile sketches with different parameters: \
         relative accuracy {left_alpha} vs {right_alpha}, \
         max buckets {left_max_buckets} vs {right_max_buckets}"
    )]
    SketchMismatch {
        /// Relative accuracy of the receiving sketch.
        left_alpha: f64,
        /// Relative accuracy of the merged-in sketch.
        right_alpha: f64,
        /// Bucket limit of the receiving sketch.
        left_max_buckets: usize,
        /// Bucket limit of the merged-in sketch.
        right_max_buckets: usize,
    },
    /// A histogram needs at least two edges.
    #[error("a histogram needs at least 2 bin edges, got {len}")]
    TooFewEdges {
        /// Number of edges given.
        len: usize,
    },
    /// Histogram edges must be finite and strictly increasing.
    #[error("histogram edge {index} is invalid: {reason}")]
    InvalidEdges {
        /// Index of the offending edge.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Two histograms with different edges cannot be merged.
    #[error("cannot merge histograms with different bin edges")]
    EdgesMismatch,
    /// `Histogram::uniform` needs finite `lo < hi` and at least one bin.
    #[error(
        "uniform histogram needs finite lo < hi and bins >= 1, got lo={lo}, hi={hi}, bins={bins}"
    )]
    InvalidUniformRange {
        /// Requested lower edge.
        lo: f64,
        /// Requested upper edge.
        hi: f64,
        /// Requested number of bins.
        bins: usize,
    },
    /// Deserialised data violates an invariant of the summary type.
    #[error("invalid serialised {what}: {reason}")]
    InvalidState {
        /// The summary type.
        what: &'static str,
        /// The violated invariant.
        reason: String,
    },
}

fn invalid_state(what: &'static str, reason: impl Into<String>) -> StatsError {
    StatsError::InvalidState {
        what,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_serialised_state_is_rejected() {
        let json = r#"{"alpha":0.005,"max_buckets":4096,"positive":{"offset":3,"counts":[0,1]},"negative":{"offset":0,"counts":[]},"zero_count":0,"rejected":0,"collapsed":false}"#;
        assert!(serde_json::from_str::<QuantileSketch>(json).is_err());
        let json = r#"{"edges":[0.0,1.0],"counts":[1,2],"underflow":0,"overflow":0,"nan":0}"#;
        assert!(serde_json::from_str::<Histogram>(json).is_err());
        let mut m = serde_json::to_value(Moments::new()).unwrap();
        m["min"] = serde_json::json!(1.0);
        assert!(serde_json::from_value::<Moments>(m).is_err());
    }
}
