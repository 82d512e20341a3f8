//! The DDSketch quantile sketch ([`QuantileSketch`]) and its bucket `Store`.

use serde::{Deserialize, Serialize};

use super::{StatsError, accepted, invalid_state};

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
/// [`MAX_ABS_VALUE`](super::MAX_ABS_VALUE) in magnitude are not absorbed; they are counted by
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

    /// The non-empty buckets as `(representative, count)`, the representative signed (units of
    /// the values; exact zeros as `0.0`). Every absorbed value `x` lies within relative error
    /// α of its bucket's representative (`|v − x| ≤ α·|x|`), unless the sketch is collapsed.
    pub(crate) fn buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let store = |s: &'_ Store, sign: f64| {
            s.counts
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c > 0)
                .map(move |(i, &c)| (sign * self.representative(s.offset + i as i64), c))
                .collect::<Vec<_>>()
        };
        let zeros = (self.zero_count > 0).then_some((0.0, self.zero_count));
        store(&self.negative, -1.0)
            .into_iter()
            .chain(zeros)
            .chain(store(&self.positive, 1.0))
    }

    /// Whether low-magnitude buckets were ever collapsed (then quantiles of magnitude
    /// below `γ^(max_buckets−1)` times the largest magnitude of their sign may be
    /// over-estimated in magnitude beyond α).
    pub fn is_collapsed(&self) -> bool {
        self.collapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
