//! Sobol variance-based sensitivity indices from a Saltelli design ([`super::Design::Sobol`]).
//!
//! With `f_A`, `f_B`, `f_ABi` the outputs at the rows of A, B and AB^(i), and `V` the variance
//! of the outputs at A and B together (divisor 2N):
//!
//! - first order (Saltelli et al. 2010, *Computer Physics Communications* 181(2), 259–270,
//!   table 2 (b)): `S_i = (1/N) Σ_j f_B(j) (f_ABi(j) − f_A(j)) / V`;
//! - total (Jansen 1999, *Computer Physics Communications* 117(1–2), 35–43; Saltelli et al.
//!   2010, table 2 (f)): `ST_i = (1/(2N)) Σ_j (f_A(j) − f_ABi(j))² / V`.
//!
//! Confidence intervals: a bootstrap over the N rows (each resample draws N rows with
//! replacement and recomputes both indices, V included), `ci95 = estimate ± 1.96·sd` of the
//! resampled estimates, as SALib reports them. The resampling is seeded, so the same data and
//! seed give the same intervals on every recomputation.
//!
//! ```
//! use negcycle::explore::{Design, sobol_indices};
//!
//! // y = x0 + 2·x1 (additive: S = ST = (1/5, 4/5)).
//! let design = Design::Sobol { base: 1024, second_order: false };
//! let x = design.unit_points(&[None, None], 1)?;
//! let y: Vec<f64> = x.iter().map(|p| p[0] + 2.0 * p[1]).collect();
//! let s = sobol_indices(&y, 2, false, 200, 1)?;
//! assert!((s[1].first.estimate - 0.8).abs() < 0.05);
//! # Ok::<(), negcycle::Error>(())
//! ```

use super::design::seeded;
use crate::error::Error;
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// The 97.5 % standard normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// An estimate with its bootstrap standard error and 95 % interval (unitless: a share of the
/// output's variance).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate from all rows.
    pub estimate: f64,
    /// Standard deviation of the bootstrap estimates.
    pub se: f64,
    /// `[estimate − 1.96·se, estimate + 1.96·se]`.
    pub ci95: [f64; 2],
}

impl Estimate {
    pub(crate) fn from_bootstrap(estimate: f64, boot: &[f64]) -> Estimate {
        let se = sd(boot);
        Estimate {
            estimate,
            se,
            ci95: [estimate - Z95 * se, estimate + Z95 * se],
        }
    }
}

/// The first-order and total index of one input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SobolIndices {
    /// First-order index S_i.
    pub first: Estimate,
    /// Total index ST_i.
    pub total: Estimate,
}

/// Sample standard deviation (divisor n − 1; 0 for fewer than two values).
pub(crate) fn sd(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 2 {
        return 0.0;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// Both estimators on the rows `rows` (indices into the base sample).
fn estimate(y: &[f64], d: usize, block: usize, rows: &[usize]) -> Vec<(f64, f64)> {
    let n = rows.len() as f64;
    let (mut sum, mut sum2) = (0.0, 0.0);
    for &j in rows {
        let (a, b) = (y[j * block], y[j * block + block - 1]);
        sum += a + b;
        sum2 += a * a + b * b;
    }
    let mean = sum / (2.0 * n);
    let var = sum2 / (2.0 * n) - mean * mean;
    (0..d)
        .map(|i| {
            let (mut first, mut total) = (0.0, 0.0);
            for &j in rows {
                let (a, b, ab) = (y[j * block], y[j * block + block - 1], y[j * block + 1 + i]);
                first += b * (ab - a);
                total += (a - ab) * (a - ab);
            }
            (first / n / var, total / (2.0 * n) / var)
        })
        .collect()
}

/// First-order and total Sobol indices of each of `d` inputs from outputs `y` in the run order
/// of [`super::Design::Sobol`] (`second_order` as in the design), with `resamples` bootstrap
/// resamples seeded by `seed`.
///
/// Outputs are centred before estimating (which leaves the indices unchanged in exact
/// arithmetic and reduces rounding).
///
/// # Errors
/// [`Error::InvalidExperiment`] if `y` does not have the design's length, or the outputs at A
/// and B have no variance (the indices are undefined).
pub fn sobol_indices(
    y: &[f64],
    d: usize,
    second_order: bool,
    resamples: usize,
    seed: u64,
) -> Result<Vec<SobolIndices>, Error> {
    let block = if second_order { 2 * d + 2 } else { d + 2 };
    if d == 0 || y.is_empty() || y.len() % block != 0 {
        return Err(Error::InvalidExperiment {
            field: "sobol".into(),
            rule: format!("outputs must come in blocks of {block} (D = {d})"),
            got: y.len().to_string(),
        });
    }
    let n = y.len() / block;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let y: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(&y, d, block, &all);
    if point.iter().any(|(s, t)| !s.is_finite() || !t.is_finite()) {
        return Err(Error::InvalidExperiment {
            field: "sobol".into(),
            rule: "the output has no variance over the design (or is not finite): the indices \
                   are undefined"
                .into(),
            got: format!("{n} base rows"),
        });
    }
    let mut rng = seeded(seed, 0x424f_4f54);
    let mut boot_first = vec![Vec::with_capacity(resamples); d];
    let mut boot_total = vec![Vec::with_capacity(resamples); d];
    let mut rows = vec![0usize; n];
    for _ in 0..resamples {
        for r in &mut rows {
            *r = rng.random_range(0..n);
        }
        for (i, (s, t)) in estimate(&y, d, block, &rows).into_iter().enumerate() {
            // A resample with no variance (all rows equal) gives no information.
            if s.is_finite() && t.is_finite() {
                boot_first[i].push(s);
                boot_total[i].push(t);
            }
        }
    }
    Ok(point
        .into_iter()
        .enumerate()
        .map(|(i, (s, t))| SobolIndices {
            first: Estimate::from_bootstrap(s, &boot_first[i]),
            total: Estimate::from_bootstrap(t, &boot_total[i]),
        })
        .collect())
}

/// The second-order index of one pair of inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairIndex {
    /// The first input's index.
    pub i: usize,
    /// The second input's index (`> i`).
    pub j: usize,
    /// `S_ij`: the share of variance due to the interaction of inputs i and j alone.
    pub estimate: Estimate,
}

/// `S_ij` for all pairs on the rows `rows`.
fn estimate_pairs(y: &[f64], d: usize, rows: &[usize]) -> Vec<f64> {
    let block = 2 * d + 2;
    let n = rows.len() as f64;
    let first = estimate(y, d, block, rows);
    let (mut sum, mut sum2) = (0.0, 0.0);
    for &r in rows {
        let (a, b) = (y[r * block], y[r * block + block - 1]);
        sum += a + b;
        sum2 += a * a + b * b;
    }
    let mean = sum / (2.0 * n);
    let var = sum2 / (2.0 * n) - mean * mean;
    let mut out = Vec::with_capacity(d * (d - 1) / 2);
    for i in 0..d {
        for j in i + 1..d {
            let mut v = 0.0;
            for &r in rows {
                let o = r * block;
                let (a, b) = (y[o], y[o + block - 1]);
                let (ba_i, ab_j) = (y[o + 1 + d + i], y[o + 1 + j]);
                v += ba_i * ab_j - a * b;
            }
            out.push(v / n / var - first[i].0 - first[j].0);
        }
    }
    out
}

/// Second-order Sobol indices `S_ij` of every pair of the `d` inputs from outputs `y` in the run
/// order of [`super::Design::Sobol`] with `second_order = true`: with `f_BAi` the output at B
/// with column i from A, `S_ij = (1/N) Σ (f_BAi·f_ABj − f_A·f_B) / V − S_i − S_j` (Saltelli
/// 2002, *Computer Physics Communications* 145(2), 280–297, as SALib computes it), with a
/// seeded bootstrap over the base rows as for [`sobol_indices`].
///
/// # Errors
/// As [`sobol_indices`].
pub fn second_order_indices(
    y: &[f64],
    d: usize,
    resamples: usize,
    seed: u64,
) -> Result<Vec<PairIndex>, Error> {
    let block = 2 * d + 2;
    if d < 2 || y.is_empty() || y.len() % block != 0 {
        return Err(Error::InvalidExperiment {
            field: "sobol".into(),
            rule: format!("second-order outputs must come in blocks of {block} (D = {d} >= 2)"),
            got: y.len().to_string(),
        });
    }
    let n = y.len() / block;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let y: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let all: Vec<usize> = (0..n).collect();
    let point = estimate_pairs(&y, d, &all);
    if point.iter().any(|s| !s.is_finite()) {
        return Err(Error::InvalidExperiment {
            field: "sobol".into(),
            rule: "the output has no variance over the design: the indices are undefined".into(),
            got: format!("{n} base rows"),
        });
    }
    let mut rng = seeded(seed, 0x5332_424f);
    let mut boot = vec![Vec::with_capacity(resamples); point.len()];
    let mut rows = vec![0usize; n];
    for _ in 0..resamples {
        for r in &mut rows {
            *r = rng.random_range(0..n);
        }
        for (k, s) in estimate_pairs(&y, d, &rows).into_iter().enumerate() {
            if s.is_finite() {
                boot[k].push(s);
            }
        }
    }
    let mut out = Vec::with_capacity(point.len());
    let mut k = 0;
    for i in 0..d {
        for j in i + 1..d {
            out.push(PairIndex {
                i,
                j,
                estimate: Estimate::from_bootstrap(point[k], &boot[k]),
            });
            k += 1;
        }
    }
    Ok(out)
}
