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
//!   exact sums at query time (the variance as `(n·Σx² − (Σx)²) / (n(n−1))` in exact
//!   integer arithmetic, rounded only at the end), so they are as accurate as a
//!   two-pass computation and suffer no cancellation. A Welford/Chan accumulator was
//!   deliberately *not* used: Chan's merge formula is not associative in floating
//!   point, so merging shards (`(b₀+b₁)+(b₂+b₃)`) would not reproduce the single-run
//!   result (`((b₀+b₁)+b₂)+b₃`) bit for bit.
//! * [`QuantileSketch`] is a DDSketch whose state is integer bucket counts in a
//!   canonical layout; collapsing of the lowest buckets depends only on the largest
//!   bucket seen, so it too is order- and grouping-independent.
//! * [`Histogram`] holds integer counts only.
//!
//! # Accepted values
//!
//! [`Moments`], [`QuantileSketch`], [`Paired`] and [`MetricAccumulator`] accept a value
//! `x` only when `|x| ≤` [`MAX_ABS_VALUE`] (which excludes NaN and ±∞). Any other value
//! is *not* absorbed; it is counted in `rejected()` instead, so it can never turn a
//! statistic into NaN or ∞ (the bound keeps `Σ(x − x̄)²` finite for any `u64` count).
//! [`Histogram`] counts −∞ as underflow, +∞ as overflow and NaN separately.
//!
//! # Why a hand-written sketch
//!
//! The `sketches-ddsketch` crate (0.4.2) was considered and rejected: its dense stores
//! keep an insertion-order-dependent layout and it keeps an `f64` running sum, so a
//! merged sketch is not bit-identical to the sketch of the whole sample; NaN is counted
//! as zero and ±∞ overflow its key arithmetic; and deserialisation is unchecked.

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

/// Two-sided 95 % standard normal quantile, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959963984540054;

/// Largest magnitude a [`Moments`] / [`QuantileSketch`] accepts; larger values, NaN and
/// ±∞ are counted as rejected. Chosen so that `Σx²` stays below `f64::MAX` for any
/// `u64` number of values (`(2·10¹⁴⁰)² · 2⁶⁴ ≈ 7·10²⁹⁹`).
pub const MAX_ABS_VALUE: f64 = 1e140;

/// Default relative accuracy α of [`QuantileSketch::new`] (0.5 %).
pub const DEFAULT_RELATIVE_ACCURACY: f64 = 0.005;

/// Smallest relative accuracy α a [`QuantileSketch`] accepts.
pub const MIN_RELATIVE_ACCURACY: f64 = 1e-6;

/// Default maximum number of buckets per sign of a [`QuantileSketch`]. With the default
/// α this covers magnitudes spanning a factor γ⁴⁰⁹⁵ ≈ 6·10¹⁷ without collapsing.
pub const DEFAULT_MAX_BUCKETS: usize = 4096;

/// Largest `max_buckets` a [`QuantileSketch`] accepts (bounds memory at 8 MiB per sign).
pub const MAX_MAX_BUCKETS: usize = 1 << 20;

/// Floating-point allowance of the sketch's error bound: a returned quantile `v` of a true
/// sample quantile `x` satisfies `|v − x| ≤ (α + QUANTILE_ROUNDING_SLACK)·|x|`. The slack
/// covers the rounding of `ln`/`exp` in the bucket mapping (at most ~10⁻¹³ for accepted
/// values, whose logarithms are below 710 in magnitude).
pub const QUANTILE_ROUNDING_SLACK: f64 = 1e-12;

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

// ---------------------------------------------------------------------------------------
// Exact fixed-point arithmetic on little-endian u64 limbs.
// ---------------------------------------------------------------------------------------

/// Limbs of the exact `Σx`, stored as `Σx · 2¹⁰⁷⁴` in two's complement. Accepted values
/// are below 2⁴⁶⁶, so a sum of up to 2⁶⁴ of them needs 1074 + 466 + 64 + 1 (sign) bits.
const SUM_LIMBS: usize = 26;
/// Binary scale of the `Σx` limbs.
const SUM_SCALE: i64 = 1074;
/// Limbs of the exact `Σx²`, stored as `Σx² · 2²¹⁴⁸` (unsigned): 2148 + 932 + 64 bits.
const SQ_LIMBS: usize = 50;
/// Binary scale of the `Σx²` limbs.
const SQ_SCALE: i64 = 2148;

/// Splits a finite `x` into sign, integer significand `m < 2⁵³` and exponent `k ≥ −1074`
/// with `|x| = m · 2ᵏ`.
fn decompose(x: f64) -> (bool, u64, i64) {
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let exp_field = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    if exp_field == 0 {
        (negative, frac, -1074)
    } else {
        (negative, frac | (1u64 << 52), exp_field - 1075)
    }
}

/// `v << bit` as three 64-bit words starting at limb `bit / 64`.
fn shifted_words(v: u128, bit: usize) -> (usize, [u64; 3]) {
    let limb = bit / 64;
    let b = (bit % 64) as u32;
    let lo = v << b;
    let hi = if b == 0 { 0 } else { v >> (128 - b) };
    (limb, [lo as u64, (lo >> 64) as u64, hi as u64])
}

/// `limbs += v · 2^bit` modulo 2^(64·len).
fn add_at(limbs: &mut [u64], v: u128, bit: usize) {
    let (start, words) = shifted_words(v, bit);
    let mut carry = false;
    for (j, w) in words.into_iter().enumerate() {
        let Some(l) = limbs.get_mut(start + j) else {
            return;
        };
        let (s1, c1) = l.overflowing_add(w);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *l = s2;
        carry = c1 | c2;
    }
    let mut i = start + 3;
    while carry {
        let Some(l) = limbs.get_mut(i) else {
            return;
        };
        let (s, c) = l.overflowing_add(1);
        *l = s;
        carry = c;
        i += 1;
    }
}

/// `limbs −= v · 2^bit` modulo 2^(64·len).
fn sub_at(limbs: &mut [u64], v: u128, bit: usize) {
    let (start, words) = shifted_words(v, bit);
    let mut borrow = false;
    for (j, w) in words.into_iter().enumerate() {
        let Some(l) = limbs.get_mut(start + j) else {
            return;
        };
        let (s1, b1) = l.overflowing_sub(w);
        let (s2, b2) = s1.overflowing_sub(u64::from(borrow));
        *l = s2;
        borrow = b1 | b2;
    }
    let mut i = start + 3;
    while borrow {
        let Some(l) = limbs.get_mut(i) else {
            return;
        };
        let (s, b) = l.overflowing_sub(1);
        *l = s;
        borrow = b;
        i += 1;
    }
}

/// `acc += other` modulo 2^(64·len) (equal lengths).
fn add_limbs(acc: &mut [u64], other: &[u64]) {
    let mut carry = false;
    for (a, &b) in acc.iter_mut().zip(other) {
        let (s1, c1) = a.overflowing_add(b);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *a = s2;
        carry = c1 || c2;
    }
}

/// Magnitude of a two's complement number, and whether it is negative.
fn twos_abs(limbs: &[u64]) -> (bool, Vec<u64>) {
    let negative = limbs.last().is_some_and(|&top| top >> 63 == 1);
    if !negative {
        return (false, limbs.to_vec());
    }
    let mut out: Vec<u64> = limbs.iter().map(|&l| !l).collect();
    let mut carry = true;
    for l in &mut out {
        if !carry {
            break;
        }
        let (s, c) = l.overflowing_add(1);
        *l = s;
        carry = c;
    }
    (true, out)
}

/// Drops the zero high limbs.
fn trimmed(limbs: &[u64]) -> &[u64] {
    let len = limbs.iter().rposition(|&l| l != 0).map_or(0, |p| p + 1);
    &limbs[..len]
}

/// Exact product of two unsigned numbers.
fn mul_limbs(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (a, b) = (trimmed(a), trimmed(b));
    let mut out = vec![0u64; a.len() + b.len() + 1];
    for (i, &x) in a.iter().enumerate() {
        let mut carry: u128 = 0;
        for (j, &y) in b.iter().enumerate() {
            let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        let mut k = i + b.len();
        while carry != 0 && k < out.len() {
            let t = u128::from(out[k]) + carry;
            out[k] = t as u64;
            carry = t >> 64;
            k += 1;
        }
    }
    out
}

/// `a − b` for unsigned numbers, or `None` if it would be negative.
fn sub_limbs(a: &[u64], b: &[u64]) -> Option<Vec<u64>> {
    let len = a.len().max(b.len());
    let mut out = Vec::with_capacity(len);
    let mut borrow = false;
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out.push(d2);
        borrow = b1 || b2;
    }
    (!borrow).then_some(out)
}

/// An unsigned number `N` as `(f, e)` with `f` = `N / 2^e` correctly rounded to `f64`
/// (`f < 2⁶⁴`); `None` when `N = 0`.
fn to_mant_exp(limbs: &[u64]) -> Option<(f64, i64)> {
    let limbs = trimmed(limbs);
    let top_index = limbs.len().checked_sub(1)?;
    let top = limbs[top_index];
    let bit_len = top_index as u64 * 64 + u64::from(64 - top.leading_zeros());
    let shift = bit_len.saturating_sub(64);
    // The 64 leading bits.
    let limb = (shift / 64) as usize;
    let b = (shift % 64) as u32;
    let low = limbs[limb];
    let mut lead = if b == 0 {
        low
    } else {
        let high = limbs.get(limb + 1).copied().unwrap_or(0);
        (low >> b) | (high << (64 - b))
    };
    // Sticky bit: any discarded bit set. Bit 0 lies below the rounding position of a
    // 64-bit to 53-bit conversion, so OR-ing it in makes `as f64` round correctly.
    let discarded_low = if b == 0 { 0 } else { low & ((1u64 << b) - 1) };
    if discarded_low != 0 || limbs[..limb].iter().any(|&l| l != 0) {
        lead |= 1;
    }
    Some((lead as f64, shift as i64))
}

/// `x · 2^e`, scaling in steps so that no intermediate overflows or underflows early.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    let two_pow = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
    while e > 1000 {
        x *= two_pow(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= two_pow(-1000);
        e += 1000;
    }
    x * two_pow(e)
}

// ---------------------------------------------------------------------------------------
// Moments
// ---------------------------------------------------------------------------------------

/// Count, mean, variance, minimum and maximum of a stream of values, mergeable exactly.
///
/// Internally it holds the exact `Σx` and `Σx²` as fixed-point integers (see the module
/// documentation), so `push`/`merge` in any order or grouping give bit-identical states.
/// Statistics are in the units of the pushed values (variance in units²).
///
/// An empty summary reports count 0, mean 0, variance 0, min 0 and max 0; no accessor
/// ever returns NaN or ∞. Values outside `[-MAX_ABS_VALUE, MAX_ABS_VALUE]` (and NaN) are
/// not absorbed but counted by [`Moments::rejected`]. `-0.0` is recorded as `+0.0`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MomentsRepr")]
pub struct Moments {
    count: u64,
    rejected: u64,
    min: f64,
    max: f64,
    /// `Σx · 2¹⁰⁷⁴`, two's complement, `SUM_LIMBS` little-endian limbs.
    sum: Vec<u64>,
    /// `Σx² · 2²¹⁴⁸`, unsigned, `SQ_LIMBS` little-endian limbs.
    sum_sq: Vec<u64>,
}

#[derive(Deserialize)]
struct MomentsRepr {
    count: u64,
    rejected: u64,
    min: f64,
    max: f64,
    sum: Vec<u64>,
    sum_sq: Vec<u64>,
}

impl TryFrom<MomentsRepr> for Moments {
    type Error = StatsError;

    fn try_from(r: MomentsRepr) -> Result<Self, StatsError> {
        const WHAT: &str = "Moments";
        if r.sum.len() != SUM_LIMBS || r.sum_sq.len() != SQ_LIMBS {
            return Err(invalid_state(WHAT, "wrong number of limbs"));
        }
        if !accepted(r.min) || !accepted(r.max) {
            return Err(invalid_state(WHAT, "min/max out of range"));
        }
        if r.count == 0 {
            let all_zero = r.sum.iter().chain(&r.sum_sq).all(|&l| l == 0);
            if r.min.to_bits() != 0 || r.max.to_bits() != 0 || !all_zero {
                return Err(invalid_state(WHAT, "empty summary with non-zero state"));
            }
        } else if r.min > r.max {
            return Err(invalid_state(WHAT, "min > max"));
        }
        Ok(Moments {
            count: r.count,
            rejected: r.rejected,
            min: r.min,
            max: r.max,
            sum: r.sum,
            sum_sq: r.sum_sq,
        })
    }
}

impl Default for Moments {
    fn default() -> Self {
        Self::new()
    }
}

impl Moments {
    /// An empty summary.
    pub fn new() -> Self {
        Moments {
            count: 0,
            rejected: 0,
            min: 0.0,
            max: 0.0,
            sum: vec![0; SUM_LIMBS],
            sum_sq: vec![0; SQ_LIMBS],
        }
    }

    /// Absorbs one value; counts it as rejected instead if `|x| > MAX_ABS_VALUE` or NaN.
    pub fn push(&mut self, x: f64) {
        if !accepted(x) {
            self.rejected = self.rejected.saturating_add(1);
            return;
        }
        let x = if x == 0.0 { 0.0 } else { x };
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            if x < self.min {
                self.min = x;
            }
            if x > self.max {
                self.max = x;
            }
        }
        self.count = self.count.saturating_add(1);
        let (negative, m, k) = decompose(x);
        if m == 0 {
            return;
        }
        let bit = (k + SUM_SCALE) as usize;
        if negative {
            sub_at(&mut self.sum, u128::from(m), bit);
        } else {
            add_at(&mut self.sum, u128::from(m), bit);
        }
        let m2 = u128::from(m) * u128::from(m);
        add_at(&mut self.sum_sq, m2, (2 * (k + SUM_SCALE)) as usize);
    }

    /// Absorbs another summary. Exact: the result does not depend on how values were
    /// grouped or ordered, and merging an empty summary (either side) changes nothing.
    pub fn merge(&mut self, other: &Moments) {
        self.rejected = self.rejected.saturating_add(other.rejected);
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            self.min = other.min;
            self.max = other.max;
        } else {
            if other.min < self.min {
                self.min = other.min;
            }
            if other.max > self.max {
                self.max = other.max;
            }
        }
        self.count = self.count.saturating_add(other.count);
        add_limbs(&mut self.sum, &other.sum);
        add_limbs(&mut self.sum_sq, &other.sum_sq);
    }

    /// Number of absorbed values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of values not absorbed (NaN, ±∞, `|x| > MAX_ABS_VALUE`).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Sum of the absorbed values, correctly rounded from the exact sum (0 when empty).
    pub fn sum(&self) -> f64 {
        let (negative, magnitude) = twos_abs(&self.sum);
        match to_mant_exp(&magnitude) {
            None => 0.0,
            Some((f, e)) => {
                let v = ldexp(f, e - SUM_SCALE);
                if negative { -v } else { v }
            }
        }
    }

    /// Arithmetic mean (0 when empty), within two roundings of the exact mean.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let (negative, magnitude) = twos_abs(&self.sum);
        match to_mant_exp(&magnitude) {
            None => 0.0,
            Some((f, e)) => {
                let v = ldexp(f / self.count as f64, e - SUM_SCALE);
                if negative { -v } else { v }
            }
        }
    }

    /// Sample variance with divisor `n − 1` (units²); 0 when fewer than 2 values.
    /// Computed from the exact `n·Σx² − (Σx)²`, so within a few roundings of exact.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let (_, sum_abs) = twos_abs(&self.sum);
        let square_of_sum = mul_limbs(&sum_abs, &sum_abs);
        let n_sum_sq = mul_limbs(&self.sum_sq, &[self.count]);
        // Non-negative by Cauchy-Schwarz, since both terms are exact.
        let Some(numerator) = sub_limbs(&n_sum_sq, &square_of_sum) else {
            return 0.0;
        };
        match to_mant_exp(&numerator) {
            None => 0.0,
            Some((f, e)) => {
                let n = self.count as f64;
                let n1 = (self.count - 1) as f64;
                ldexp(f / n / n1, e - SQ_SCALE)
            }
        }
    }

    /// Sample standard deviation `sqrt(variance())` (units of the values).
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Standard error of the mean, `sd / sqrt(n)`; 0 when fewer than 2 values.
    pub fn standard_error(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        self.sd() / (self.count as f64).sqrt()
    }

    /// Normal-approximation 95 % confidence interval of the mean, `mean ± Z95·se`.
    pub fn ci95(&self) -> (f64, f64) {
        let mean = self.mean();
        let half = Z95 * self.standard_error();
        (mean - half, mean + half)
    }

    /// Smallest absorbed value (0 when empty).
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Largest absorbed value (0 when empty).
    pub fn max(&self) -> f64 {
        self.max
    }
}

// ---------------------------------------------------------------------------------------
// Quantile sketch
// ---------------------------------------------------------------------------------------

/// Bucket counts for consecutive keys `offset, offset+1, …`, in canonical form: empty
/// (`offset == 0`) or with non-zero first and last counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Store {
    offset: i64,
    counts: Vec<u64>,
}

impl Store {
    fn new() -> Self {
        Store {
            offset: 0,
            counts: Vec::new(),
        }
    }

    fn total(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, &c| a.saturating_add(c))
    }

    fn max_key(&self) -> i64 {
        self.offset + self.counts.len() as i64 - 1
    }

    fn validate(&self, max_buckets: usize) -> Result<(), StatsError> {
        const WHAT: &str = "QuantileSketch";
        if self.counts.is_empty() {
            if self.offset != 0 {
                return Err(invalid_state(WHAT, "empty store with non-zero offset"));
            }
            return Ok(());
        }
        if self.counts.len() > max_buckets {
            return Err(invalid_state(WHAT, "more buckets than max_buckets"));
        }
        if self.offset.unsigned_abs() > 1 << 40 {
            return Err(invalid_state(WHAT, "bucket key out of range"));
        }
        if self.counts.first() == Some(&0) || self.counts.last() == Some(&0) {
            return Err(invalid_state(WHAT, "store not trimmed"));
        }
        Ok(())
    }

    /// Folds all keys below `floor` into `floor`. Returns whether anything was folded.
    fn collapse_below(&mut self, floor: i64) -> bool {
        if self.counts.is_empty() || self.offset >= floor {
            return false;
        }
        let cut = ((floor - self.offset) as usize).min(self.counts.len());
        let folded = self.counts[..cut]
            .iter()
            .fold(0u64, |a, &c| a.saturating_add(c));
        self.counts.drain(..cut);
        if self.counts.is_empty() {
            self.counts.push(folded);
        } else {
            self.counts[0] = self.counts[0].saturating_add(folded);
        }
        self.offset = floor;
        true
    }

    /// Grows the key range to include `[lo, hi]` (assumes a non-empty store).
    fn extend_to(&mut self, lo: i64, hi: i64) {
        if lo < self.offset {
            let extra = (self.offset - lo) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, extra));
            self.offset = lo;
        }
        let max_key = self.max_key();
        if hi > max_key {
            let new_len = self.counts.len() + (hi - max_key) as usize;
            self.counts.resize(new_len, 0);
        }
    }

    /// Adds one value at `key`, keeping at most `max_buckets` keys. Returns whether
    /// the lowest buckets were collapsed.
    fn add(&mut self, key: i64, max_buckets: usize) -> bool {
        // Fast path: the key is already in range.
        if let Some(slot) = usize::try_from(key.wrapping_sub(self.offset))
            .ok()
            .and_then(|i| self.counts.get_mut(i))
        {
            *slot = slot.saturating_add(1);
            return false;
        }
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(1);
            return false;
        }
        let new_max = self.max_key().max(key);
        let floor = new_max - max_buckets as i64 + 1;
        let mut collapsed = self.collapse_below(floor);
        let key = if key < floor {
            collapsed = true;
            floor
        } else {
            key
        };
        self.extend_to(key, key);
        let slot = &mut self.counts[(key - self.offset) as usize];
        *slot = slot.saturating_add(1);
        collapsed
    }

    /// Adds all counts of `other`. Returns whether the lowest buckets were collapsed.
    fn merge(&mut self, other: &Store, max_buckets: usize) -> bool {
        if other.counts.is_empty() {
            return false;
        }
        if self.counts.is_empty() {
            self.clone_from(other);
            return false;
        }
        let new_max = self.max_key().max(other.max_key());
        let floor = new_max - max_buckets as i64 + 1;
        let mut collapsed = self.collapse_below(floor);
        let new_min = self.offset.min(other.offset).max(floor);
        self.extend_to(new_min, new_max);
        for (i, &c) in other.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let mut key = other.offset + i as i64;
            if key < floor {
                collapsed = true;
                key = floor;
            }
            let slot = &mut self.counts[(key - self.offset) as usize];
            *slot = slot.saturating_add(c);
        }
        collapsed
    }

    /// Key of the value of 0-based rank `rank` in ascending key order.
    fn key_at_rank_ascending(&self, rank: u64) -> Option<i64> {
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen = seen.saturating_add(c);
            if seen > rank {
                return Some(self.offset + i as i64);
            }
        }
        None
    }

    /// Key of the value of 0-based rank `rank` in descending key order.
    fn key_at_rank_descending(&self, rank: u64) -> Option<i64> {
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate().rev() {
            seen = seen.saturating_add(c);
            if seen > rank {
                return Some(self.offset + i as i64);
            }
        }
        None
    }
}

/// A mergeable quantile sketch with relative-error guarantee (DDSketch, Masson, Rim & Lee,
/// VLDB 2019).
///
/// A value `x` with `|x| ≥ f64::MIN_POSITIVE` goes to bucket `k = ⌈ln|x| / ln γ⌉` of the
/// positive or negative store (by sign), where `γ = (1+α)/(1−α)`; bucket `k` covers
/// magnitudes in `(γᵏ⁻¹, γᵏ]` and is represented by `(1−α)·γᵏ`, which is within relative
/// error α of every magnitude in it. Values with `|x| < f64::MIN_POSITIVE` (including
/// ±0) are counted as exact zeros. Values that are NaN, ±∞ or above
/// [`MAX_ABS_VALUE`] in magnitude are not absorbed; they are counted by
/// [`QuantileSketch::rejected`].
///
/// **Quantile definition and error bound.** `quantile(q)` returns the representative of
/// the bucket holding the value of 0-based rank `r = ⌊q·(n−1)⌋` of the sorted absorbed
/// sample. Since the mapping is monotone, that bucket holds the true sample quantile
/// `x₍ᵣ₎`, so the result `v` satisfies `|v − x₍ᵣ₎| ≤ (α + QUANTILE_ROUNDING_SLACK)·|x₍ᵣ₎|`
/// (exact for zeros) — unless the lowest buckets were collapsed, see below.
///
/// **Bounded memory.** Each sign keeps at most `max_buckets` consecutive bucket keys
/// (dense, at most `8·max_buckets` bytes); when the span would exceed that, all buckets
/// below `max_key − max_buckets + 1` are folded into that bucket (smallest magnitudes
/// lose accuracy first; [`QuantileSketch::is_collapsed`] reports it). The bound above
/// holds for every quantile whose magnitude is at least `γ^(max_key − max_buckets)`,
/// i.e. within a factor `γ^(max_buckets−1)` of the largest magnitude of its sign.
///
/// **Determinism.** The state is integer counts in a canonical layout, and collapsing
/// depends only on the largest key seen, so `push` and `merge` in any order or grouping
/// give identical states (and identical serialised JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "QuantileSketchRepr")]
pub struct QuantileSketch {
    alpha: f64,
    max_buckets: usize,
    positive: Store,
    negative: Store,
    zero_count: u64,
    rejected: u64,
    collapsed: bool,
    /// `ln γ`, derived from `alpha`.
    #[serde(skip)]
    ln_gamma: f64,
}

#[derive(Deserialize)]
struct QuantileSketchRepr {
    alpha: f64,
    max_buckets: usize,
    positive: Store,
    negative: Store,
    zero_count: u64,
    rejected: u64,
    collapsed: bool,
}

impl TryFrom<QuantileSketchRepr> for QuantileSketch {
    type Error = StatsError;

    fn try_from(r: QuantileSketchRepr) -> Result<Self, StatsError> {
        let mut sketch =
            QuantileSketch::with_relative_accuracy_and_max_buckets(r.alpha, r.max_buckets)?;
        r.positive.validate(r.max_buckets)?;
        r.negative.validate(r.max_buckets)?;
        sketch.positive = r.positive;
        sketch.negative = r.negative;
        sketch.zero_count = r.zero_count;
        sketch.rejected = r.rejected;
        sketch.collapsed = r.collapsed;
        Ok(sketch)
    }
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new()
    }
}

impl QuantileSketch {
    /// An empty sketch with relative accuracy [`DEFAULT_RELATIVE_ACCURACY`] and
    /// [`DEFAULT_MAX_BUCKETS`] buckets per sign.
    pub fn new() -> Self {
        Self::build(DEFAULT_RELATIVE_ACCURACY, DEFAULT_MAX_BUCKETS)
    }

    /// An empty sketch with relative accuracy `alpha` (a fraction, e.g. 0.01 for 1 %) and
    /// [`DEFAULT_MAX_BUCKETS`].
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidRelativeAccuracy`] unless
    /// [`MIN_RELATIVE_ACCURACY`] `≤ alpha < 1` (NaN is rejected).
    pub fn with_relative_accuracy(alpha: f64) -> Result<Self, StatsError> {
        Self::with_relative_accuracy_and_max_buckets(alpha, DEFAULT_MAX_BUCKETS)
    }

    /// An empty sketch with relative accuracy `alpha` and at most `max_buckets` buckets
    /// per sign.
    ///
    /// # Errors
    ///
    /// Checked in this order:
    /// - [`StatsError::InvalidRelativeAccuracy`] unless
    ///   [`MIN_RELATIVE_ACCURACY`] `≤ alpha < 1` (NaN is rejected);
    /// - [`StatsError::InvalidMaxBuckets`] unless `1 ≤ max_buckets ≤`
    ///   [`MAX_MAX_BUCKETS`].
    pub fn with_relative_accuracy_and_max_buckets(
        alpha: f64,
        max_buckets: usize,
    ) -> Result<Self, StatsError> {
        if !(MIN_RELATIVE_ACCURACY..1.0).contains(&alpha) {
            return Err(StatsError::InvalidRelativeAccuracy { alpha });
        }
        if !(1..=MAX_MAX_BUCKETS).contains(&max_buckets) {
            return Err(StatsError::InvalidMaxBuckets { max_buckets });
        }
        Ok(Self::build(alpha, max_buckets))
    }

    fn build(alpha: f64, max_buckets: usize) -> Self {
        QuantileSketch {
            alpha,
            max_buckets,
            positive: Store::new(),
            negative: Store::new(),
            zero_count: 0,
            rejected: 0,
            collapsed: false,
            // ln γ = ln(1 + 2α/(1−α)).
            ln_gamma: (2.0 * alpha / (1.0 - alpha)).ln_1p(),
        }
    }

    fn key(&self, magnitude: f64) -> i64 {
        (magnitude.ln() / self.ln_gamma).ceil() as i64
    }

    fn representative(&self, key: i64) -> f64 {
        ((key as f64 * self.ln_gamma).exp() * (1.0 - self.alpha)).min(f64::MAX)
    }

    /// Absorbs one value (any units); NaN, ±∞ and `|x| > MAX_ABS_VALUE` are counted as
    /// rejected instead.
    pub fn push(&mut self, x: f64) {
        if !accepted(x) {
            self.rejected = self.rejected.saturating_add(1);
            return;
        }
        let magnitude = x.abs();
        if magnitude < f64::MIN_POSITIVE {
            self.zero_count = self.zero_count.saturating_add(1);
            return;
        }
        let key = self.key(magnitude);
        let collapsed = if x > 0.0 {
            self.positive.add(key, self.max_buckets)
        } else {
            self.negative.add(key, self.max_buckets)
        };
        self.collapsed |= collapsed;
    }

    /// Absorbs another sketch. Exact (bucket counts add), so order and grouping do not
    /// matter.
    ///
    /// # Errors
    ///
    /// [`StatsError::SketchMismatch`], leaving `self` unchanged, if the relative
    /// accuracies of `self` and `other` differ (compared bit for bit) or their
    /// `max_buckets` differ.
    pub fn merge(&mut self, other: &QuantileSketch) -> Result<(), StatsError> {
        if self.alpha.to_bits() != other.alpha.to_bits() || self.max_buckets != other.max_buckets {
            return Err(StatsError::SketchMismatch {
                left_alpha: self.alpha,
                right_alpha: other.alpha,
                left_max_buckets: self.max_buckets,
                right_max_buckets: other.max_buckets,
            });
        }
        let p = self.positive.merge(&other.positive, self.max_buckets);
        let n = self.negative.merge(&other.negative, self.max_buckets);
        self.collapsed |= other.collapsed || p || n;
        self.zero_count = self.zero_count.saturating_add(other.zero_count);
        self.rejected = self.rejected.saturating_add(other.rejected);
        Ok(())
    }

    /// The `q`-quantile (units of the values), or `None` when the sketch is empty or `q`
    /// is NaN. `q` is clamped to `[0, 1]`. See the type documentation for the definition
    /// (rank `⌊q·(n−1)⌋`) and the error bound.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if q.is_nan() {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        let negatives = self.negative.total();
        let n = negatives
            .saturating_add(self.zero_count)
            .saturating_add(self.positive.total());
        let last = n.checked_sub(1)?;
        let rank = ((q * last as f64).floor() as u64).min(last);
        if rank < negatives {
            let key = self.negative.key_at_rank_descending(rank)?;
            return Some(-self.representative(key));
        }
        let rank = rank - negatives;
        if rank < self.zero_count {
            return Some(0.0);
        }
        let key = self
            .positive
            .key_at_rank_ascending(rank - self.zero_count)?;
        Some(self.representative(key))
    }

    /// Number of absorbed values (zeros included, rejected values excluded).
    pub fn count(&self) -> u64 {
        self.negative
            .total()
            .saturating_add(self.zero_count)
            .saturating_add(self.positive.total())
    }

    /// Number of values not absorbed (NaN, ±∞, `|x| > MAX_ABS_VALUE`).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// The relative accuracy α (a fraction).
    pub fn relative_accuracy(&self) -> f64 {
        self.alpha
    }

    /// The maximum number of buckets per sign.
    pub fn max_buckets(&self) -> usize {
        self.max_buckets
    }

    /// Whether low-magnitude buckets were ever collapsed (then quantiles of magnitude
    /// below `γ^(max_buckets−1)` times the largest magnitude of their sign may be
    /// over-estimated in magnitude beyond α).
    pub fn is_collapsed(&self) -> bool {
        self.collapsed
    }
}

// ---------------------------------------------------------------------------------------
// Histogram
// ---------------------------------------------------------------------------------------

/// Counts per fixed bin.
///
/// Bin `i` is `[eᵢ, eᵢ₊₁)`, except the last bin, which is closed on the right
/// (`[e_{n−1}, e_n]`). Values below `e₀` (including −∞) count as underflow, values above
/// `e_n` (including +∞) as overflow, and NaN separately ([`Histogram::nan`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "HistogramRepr")]
pub struct Histogram {
    edges: Vec<f64>,
    counts: Vec<u64>,
    underflow: u64,
    overflow: u64,
    nan: u64,
}

#[derive(Deserialize)]
struct HistogramRepr {
    edges: Vec<f64>,
    counts: Vec<u64>,
    underflow: u64,
    overflow: u64,
    nan: u64,
}

impl TryFrom<HistogramRepr> for Histogram {
    type Error = StatsError;

    fn try_from(r: HistogramRepr) -> Result<Self, StatsError> {
        let mut h = Histogram::new(r.edges)?;
        if r.counts.len() != h.counts.len() {
            return Err(invalid_state(
                "Histogram",
                "counts length != edges length - 1",
            ));
        }
        h.counts = r.counts;
        h.underflow = r.underflow;
        h.overflow = r.overflow;
        h.nan = r.nan;
        Ok(h)
    }
}

impl Histogram {
    /// An empty histogram with the given bin edges (units of the values), which must be
    /// finite, strictly increasing and at least 2 (giving `edges.len() − 1` bins).
    ///
    /// # Errors
    ///
    /// - [`StatsError::TooFewEdges`] if `edges.len() < 2`;
    /// - otherwise [`StatsError::InvalidEdges`] with the index of the first offending
    ///   edge, scanning from index 0: an edge that is not finite (NaN or ±∞), or one
    ///   (index ≥ 1) that is `<=` its predecessor.
    pub fn new(edges: Vec<f64>) -> Result<Self, StatsError> {
        if edges.len() < 2 {
            return Err(StatsError::TooFewEdges { len: edges.len() });
        }
        for (index, &e) in edges.iter().enumerate() {
            if !e.is_finite() {
                return Err(StatsError::InvalidEdges {
                    index,
                    reason: format!("edge {e} is not finite"),
                });
            }
            if index > 0 && e <= edges[index - 1] {
                return Err(StatsError::InvalidEdges {
                    index,
                    reason: format!(
                        "edge {e} does not exceed the previous edge {}",
                        edges[index - 1]
                    ),
                });
            }
        }
        let bins = edges.len() - 1;
        Ok(Histogram {
            edges,
            counts: vec![0; bins],
            underflow: 0,
            overflow: 0,
            nan: 0,
        })
    }

    /// `bins` equal-width bins from `lo` to `hi` (edges `lo + (hi−lo)·i/bins`, the last
    /// exactly `hi`).
    ///
    /// # Errors
    ///
    /// - [`StatsError::InvalidUniformRange`] if `lo` or `hi` is not finite, `lo >= hi`,
    ///   `hi − lo` overflows to ±∞, or `bins == 0`;
    /// - [`StatsError::InvalidEdges`] (from [`Histogram::new`]) if the computed edges
    ///   are not strictly increasing, e.g. when `bins` is so large relative to
    ///   `hi − lo` that adjacent edges round to the same `f64`.
    pub fn uniform(lo: f64, hi: f64, bins: usize) -> Result<Self, StatsError> {
        let width = hi - lo;
        if !(lo.is_finite() && hi.is_finite() && lo < hi && width.is_finite()) || bins == 0 {
            return Err(StatsError::InvalidUniformRange { lo, hi, bins });
        }
        let mut edges: Vec<f64> = (0..bins)
            .map(|i| lo + width * (i as f64 / bins as f64))
            .collect();
        edges.push(hi);
        Self::new(edges)
    }

    /// Counts one value.
    pub fn push(&mut self, x: f64) {
        let (first, last) = match (self.edges.first(), self.edges.last()) {
            (Some(&f), Some(&l)) => (f, l),
            _ => return,
        };
        if x.is_nan() {
            self.nan = self.nan.saturating_add(1);
        } else if x < first {
            self.underflow = self.underflow.saturating_add(1);
        } else if x > last {
            self.overflow = self.overflow.saturating_add(1);
        } else {
            // Number of edges ≤ x is in [1, edges.len()]; x == last maps to the last bin.
            let above = self.edges.partition_point(|&e| e <= x);
            let bin = above
                .saturating_sub(1)
                .min(self.counts.len().saturating_sub(1));
            if let Some(c) = self.counts.get_mut(bin) {
                *c = c.saturating_add(1);
            }
        }
    }

    /// Adds the counts of `other`.
    ///
    /// # Errors
    ///
    /// [`StatsError::EdgesMismatch`], leaving `self` unchanged, if the edges of `self`
    /// and `other` differ (different lengths, or any pair of edges not `==`).
    pub fn merge(&mut self, other: &Histogram) -> Result<(), StatsError> {
        if self.edges != other.edges {
            return Err(StatsError::EdgesMismatch);
        }
        for (a, &b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(b);
        }
        self.underflow = self.underflow.saturating_add(other.underflow);
        self.overflow = self.overflow.saturating_add(other.overflow);
        self.nan = self.nan.saturating_add(other.nan);
        Ok(())
    }

    /// The bin edges.
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// Counts per bin (`edges().len() − 1` of them).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Number of values below the first edge.
    pub fn underflow(&self) -> u64 {
        self.underflow
    }

    /// Number of values above the last edge.
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    /// Number of NaN values pushed (not part of [`Histogram::total`]).
    pub fn nan(&self) -> u64 {
        self.nan
    }

    /// Number of non-NaN values pushed: all bins plus underflow and overflow.
    pub fn total(&self) -> u64 {
        self.counts
            .iter()
            .fold(self.underflow.saturating_add(self.overflow), |a, &c| {
                a.saturating_add(c)
            })
    }
}

// ---------------------------------------------------------------------------------------
// Paired differences
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Per-metric accumulator and summary
// ---------------------------------------------------------------------------------------

/// The per-metric statistics the report shows (units of the metric).
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
    /// 5th percentile from the sketch, within relative error α (0 when empty).
    pub p05: f64,
    /// 25th percentile from the sketch, within relative error α (0 when empty).
    pub p25: f64,
    /// Median from the sketch, within relative error α (0 when empty).
    pub p50: f64,
    /// 75th percentile from the sketch, within relative error α (0 when empty).
    pub p75: f64,
    /// 95th percentile from the sketch, within relative error α (0 when empty).
    pub p95: f64,
}

/// Accumulates one metric: exact moments plus a quantile sketch. Both absorb exactly the
/// same values (see the module documentation on accepted values).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricAccumulator {
    moments: Moments,
    sketch: QuantileSketch,
}

impl MetricAccumulator {
    /// An empty accumulator with the default sketch accuracy.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty accumulator whose sketch has relative accuracy `alpha`
    /// (see [`QuantileSketch::with_relative_accuracy`]).
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidRelativeAccuracy`] unless
    /// [`MIN_RELATIVE_ACCURACY`] `≤ alpha < 1` (NaN is rejected).
    pub fn with_relative_accuracy(alpha: f64) -> Result<Self, StatsError> {
        Ok(MetricAccumulator {
            moments: Moments::new(),
            sketch: QuantileSketch::with_relative_accuracy(alpha)?,
        })
    }

    /// Absorbs one value.
    pub fn push(&mut self, x: f64) {
        self.moments.push(x);
        self.sketch.push(x);
    }

    /// Absorbs another accumulator (exact).
    ///
    /// # Errors
    ///
    /// [`StatsError::SketchMismatch`], leaving `self` unchanged (moments included), if
    /// the sketches' relative accuracies (compared bit for bit) or `max_buckets`
    /// differ.
    pub fn merge(&mut self, other: &MetricAccumulator) -> Result<(), StatsError> {
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
    pub fn summary(&self) -> Summary {
        let m = &self.moments;
        let (lo, hi) = m.ci95();
        let q = |p: f64| self.sketch.quantile(p).unwrap_or(0.0);
        Summary {
            n: m.count(),
            mean: m.mean(),
            sd: m.sd(),
            se: m.standard_error(),
            ci95: [lo, hi],
            min: m.min(),
            max: m.max(),
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p95: q(0.95),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact rational value of the limbs as f64 via a slow reference path.
    fn limbs_from_u128(v: u128, len: usize) -> Vec<u64> {
        let mut out = vec![0; len];
        out[0] = v as u64;
        out[1] = (v >> 64) as u64;
        out
    }

    #[test]
    fn decompose_roundtrips() {
        for &x in &[
            1.0,
            -2.5,
            0.1,
            f64::MIN_POSITIVE,
            5e-324,
            -1e140,
            123456.789,
        ] {
            let (neg, m, k) = decompose(x);
            let back = ldexp(m as f64, k);
            assert_eq!(if neg { -back } else { back }, x);
        }
    }

    #[test]
    fn add_and_sub_at_cancel_and_carry() {
        let mut limbs = vec![u64::MAX, u64::MAX, 0, 0, 0];
        add_at(&mut limbs, 1, 0);
        assert_eq!(limbs, vec![0, 0, 1, 0, 0]);
        sub_at(&mut limbs, 1, 0);
        assert_eq!(limbs, vec![u64::MAX, u64::MAX, 0, 0, 0]);
        let mut z = vec![0u64; 6];
        add_at(&mut z, u128::MAX, 63);
        sub_at(&mut z, u128::MAX, 63);
        assert!(z.iter().all(|&l| l == 0));
        sub_at(&mut z, 5, 70);
        let (neg, mag) = twos_abs(&z);
        assert!(neg);
        let (f, e) = to_mant_exp(&mag).unwrap();
        assert_eq!(ldexp(f, e), 5.0 * 2f64.powi(70));
    }

    #[test]
    fn to_mant_exp_rounds_correctly_with_sticky_bit() {
        // 2^64 + 2^11 + 1: the tie at bit 11 of a 65-bit number is broken upward by the
        // sticky bit below it.
        let limbs = vec![(1u64 << 11) | 1, 1];
        let (f, e) = to_mant_exp(&limbs).unwrap();
        let exact = 2f64.powi(64) + 2f64.powi(12); // next representable above 2^64
        assert_eq!(ldexp(f, e), exact);
        assert_eq!(to_mant_exp(&[0, 0]), None);
    }

    #[test]
    fn mul_and_sub_limbs() {
        let a = limbs_from_u128(u128::from(u64::MAX) + 7, 3);
        let p = mul_limbs(&a, &a);
        let (f, e) = to_mant_exp(&p).unwrap();
        let v = (u64::MAX as f64 + 7.0).powi(2);
        assert!((ldexp(f, e) - v).abs() <= v * 1e-15);
        assert_eq!(sub_limbs(&[1], &[2]), None);
        assert_eq!(sub_limbs(&[0, 1], &[1]), Some(vec![u64::MAX, 0]));
    }

    #[test]
    fn store_collapse_is_order_independent() {
        let keys = [5i64, -30, 2, 40, 41, -100, 7, 39, 12];
        let limit = 20;
        let mut forward = Store::new();
        let mut fc = false;
        for &k in &keys {
            fc |= forward.add(k, limit);
        }
        let mut backward = Store::new();
        let mut bc = false;
        for &k in keys.iter().rev() {
            bc |= backward.add(k, limit);
        }
        assert_eq!(forward, backward);
        assert!(fc && bc);
        assert_eq!(forward.offset, 41 - 20 + 1);
        assert_eq!(forward.counts.len(), 20);
        assert_eq!(forward.total(), keys.len() as u64);
        // Merge of halves.
        let (mut a, mut b) = (Store::new(), Store::new());
        for &k in &keys[..4] {
            a.add(k, limit);
        }
        for &k in &keys[4..] {
            b.add(k, limit);
        }
        a.merge(&b, limit);
        assert_eq!(a, forward);
    }

    #[test]
    fn sketch_key_bounds_hold_at_bucket_edges() {
        let s = QuantileSketch::new();
        let bound = s.alpha + QUANTILE_ROUNDING_SLACK;
        for k in [-20000i64, -1, 0, 1, 500, 30000] {
            let edge = (k as f64 * s.ln_gamma).exp();
            for x in [edge, edge * (1.0 + 1e-15), edge * (1.0 - 1e-15)] {
                let rep = s.representative(s.key(x));
                assert!((rep - x).abs() <= bound * x, "k={k} x={x} rep={rep}");
            }
        }
    }

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
