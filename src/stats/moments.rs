//! Exact mergeable moments: count, min, max, `Σx` and `Σx²` as fixed-point integers.

use serde::{Deserialize, Serialize};

use super::fixed::{
    add_at, add_limbs, decompose, div_small, ldexp, mul_limbs, sub_at, sub_limbs, to_f64_rounded,
    to_mant_exp, twos_abs,
};
use super::{StatsError, Z95, accepted, invalid_state};

/// Limbs of the exact `Σx`, stored as `Σx · 2¹⁰⁷⁴` in two's complement. Accepted values
/// are below 2⁴⁶⁶, so a sum of up to 2⁶⁴ of them needs 1074 + 466 + 64 + 1 (sign) bits.
const SUM_LIMBS: usize = 26;
/// Binary scale of the `Σx` limbs.
const SUM_SCALE: i64 = 1074;
/// Limbs of the exact `Σx²`, stored as `Σx² · 2²¹⁴⁸` (unsigned): 2148 + 932 + 64 bits.
const SQ_LIMBS: usize = 50;
/// Binary scale of the `Σx²` limbs.
const SQ_SCALE: i64 = 2148;
/// Zero limbs put below `|Σx|` before dividing it by `n < 2⁶⁴`, so that the quotient of
/// any non-zero sum keeps at least 65 significant bits (it is above `2¹²⁸ / n`).
const MEAN_FRACTION_LIMBS: usize = 2;
/// Zero limbs put below the variance's numerator before dividing it by `n(n−1) < 2¹²⁸`:
/// the quotient of a non-zero numerator is above `2¹⁹² / 2¹²⁸`, so keeps 65 bits.
const VAR_FRACTION_LIMBS: usize = 3;
/// Limbs of the variance's numerator `n·Σx² − (Σx)²`: at most those of `n·Σx²` (`SQ_LIMBS`
/// and one for `n`, plus the spare limb of `mul_limbs`) or of `(Σx)²` (`2·SUM_LIMBS + 1`).
const VAR_NUMERATOR_LIMBS: usize = if SQ_LIMBS + 2 > 2 * SUM_LIMBS + 1 {
    SQ_LIMBS + 2
} else {
    2 * SUM_LIMBS + 1
};

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

    /// Arithmetic mean (0 when empty): the exact mean `Σx / n`, rounded once to the nearest
    /// `f64` (ties to even). Hence `min ≤ mean ≤ max`, and `n` copies of `x` have mean `x`.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let (negative, magnitude) = twos_abs(&self.sum);
        // `⌊|Σx| · 2^(1074 + 128) / n⌋` by exact long division; a non-zero remainder is the
        // sticky bit of the one rounding.
        let mut quotient = [0u64; SUM_LIMBS + MEAN_FRACTION_LIMBS];
        quotient[MEAN_FRACTION_LIMBS..].copy_from_slice(&magnitude);
        let remainder = div_small(&mut quotient, self.count);
        let scale = SUM_SCALE + 64 * MEAN_FRACTION_LIMBS as i64;
        let v = to_f64_rounded(&quotient, remainder != 0, -scale);
        // A negative mean below half the smallest subnormal rounds to 0, reported as +0.
        if negative && v != 0.0 { -v } else { v }
    }

    /// Sample variance with divisor `n − 1` (units²); 0 when fewer than 2 values. The exact
    /// `(n·Σx² − (Σx)²) / (n(n−1))`, rounded once to the nearest `f64` (ties to even).
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
        // `⌊numerator · 2¹⁹² / (n(n−1))⌋` as `⌊⌊· / n⌋ / (n−1)⌋` (the same integer); the
        // quotient is exact iff both remainders are 0.
        let mut quotient = [0u64; VAR_NUMERATOR_LIMBS + VAR_FRACTION_LIMBS];
        quotient[VAR_FRACTION_LIMBS..][..numerator.len()].copy_from_slice(&numerator);
        let r1 = div_small(&mut quotient, self.count);
        let r2 = div_small(&mut quotient, self.count - 1);
        let scale = SQ_SCALE + 64 * VAR_FRACTION_LIMBS as i64;
        to_f64_rounded(&quotient, r1 != 0 || r2 != 0, -scale)
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
