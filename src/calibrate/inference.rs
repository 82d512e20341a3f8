//! Inference for the simulated method of moments estimator.
//!
//! With `g(θ) = m̂ − m̃(θ)` (record minus the mean of `S` simulated replicas), diagonal weights
//! `W`, the Jacobian `G = ∂m̃/∂θ` and `Ω` the covariance of one replica's moment vector (each
//! replica is a synthetic record of the same size, so `Ω` is the sampling covariance of the
//! record's moments under the model, estimated at `θ̂`, with each moment's variance raised to
//! the record's own where that is larger: [`conservative_covariance`]), the estimator's
//! covariance is the sandwich
//!
//! `V = (1 + 1/S) · (GᵀWG)⁻¹ GᵀW Ω W G (GᵀWG)⁻¹`,
//!
//! the factor `1 + 1/S` for the simulation noise of `m̃` (McFadden 1989; Pakes & Pollard 1989;
//! Gouriéroux, Monfort & Renault 1993; Hansen 1982 for the sandwich and the J test).
//!
//! The J statistic is `J = rᵀ Σ_g⁺ r`, `r = (I − P) g` (equal to `g` at an interior minimum), with `Σ_g = (I − P) (1 + 1/S) Ω (I − P)ᵀ`,
//! `P = G (GᵀWG)⁻¹ GᵀW`, the covariance of `g(θ̂)`, and `Σ_g⁺` its pseudo-inverse of rank
//! `M − K`: chi-square with `M − K` degrees of freedom under the model whatever the (diagonal)
//! weights, and reported only when the model is overidentified (`M > K`).
//!
//! The Jacobian is a central difference under common random numbers (one-sided at a bound)
//! with a step of [`JACOBIAN_STEP`] of each parameter's width (`max(1, |θ|)` for an infinite
//! bound): the simulated moments of discrete outcomes are step functions of `θ`, and a step
//! that moves many replicas across a threshold measures the slope of their mean, where an
//! infinitesimal step would measure zero.
//!
//! Identification: the rank and condition number of `W^{1/2} G D`, `D` the diagonal of the
//! parameters' widths (so that both are unit-free: the change in the fit, in record standard
//! deviations, from moving each parameter across its range). A parameter whose column has a
//! norm below [`IDENTIFICATION_TOL`] moves no moment by a tenth of the record's standard
//! deviation across its whole range: the record cannot identify it, and it is held fixed.

use super::linalg::{Matrix, mul, mul_vec, pseudo_inverse, symmetric_eigen, transpose, zeros};
use super::objective::{FreeParam, Objective};
use crate::error::Error;
use serde::Serialize;

/// The Jacobian's step, as a share of each parameter's width.
pub const JACOBIAN_STEP: f64 = 0.02;
/// A parameter whose scaled Jacobian column is below this norm is not identified.
pub const IDENTIFICATION_TOL: f64 = 0.1;
/// Singular values below this share of the largest count as zero in the rank.
pub const RANK_TOL: f64 = 1e-6;

/// A parameter's width: `hi − lo`, or `max(1, |θ|)` for an infinite bound.
pub fn width(p: &FreeParam, theta: f64) -> f64 {
    if p.hi.is_finite() {
        p.hi - p.lo
    } else {
        theta.abs().max(1.0)
    }
}

/// The Jacobian `∂m̃/∂θ` (moments × parameters) at `theta`, and the steps used.
///
/// # Errors
/// As [`Objective::evaluate`].
pub fn jacobian(objective: &Objective, theta: &[f64]) -> Result<(Matrix, Vec<f64>), Error> {
    let m = objective.data().moments.len();
    let k = theta.len();
    let mut g = zeros(m, k);
    let mut steps = Vec::with_capacity(k);
    for (j, p) in objective.free.iter().enumerate() {
        let h = JACOBIAN_STEP * width(p, theta[j]);
        let up = (theta[j] + h).min(if p.hi.is_finite() {
            p.hi
        } else {
            f64::INFINITY
        });
        let down = (theta[j] - h).max(p.lo);
        let at = |x: f64| -> Result<Vec<f64>, Error> {
            let mut t = theta.to_vec();
            t[j] = x;
            Ok(objective.evaluate(&t)?.1.mean)
        };
        let (a, b) = (at(up)?, at(down)?);
        for i in 0..m {
            g[i][j] = (a[i] - b[i]) / (up - down);
        }
        steps.push(up - down);
    }
    Ok((g, steps))
}

/// `GᵀWG`.
fn gwg(g: &Matrix, w: &[f64]) -> Matrix {
    let k = g.first().map_or(0, Vec::len);
    let mut h = zeros(k, k);
    for (row, &wi) in g.iter().zip(w) {
        for a in 0..k {
            for b in 0..k {
                h[a][b] += row[a] * wi * row[b];
            }
        }
    }
    h
}

/// The sandwich covariance `(1 + 1/S)(GᵀWG)⁻¹GᵀWΩWG(GᵀWG)⁻¹` (`None` if `GᵀWG` is singular:
/// its smallest eigenvalue at most `RANK_TOL²` of its largest, the rank rule of
/// [`identification`] when `G`'s columns are scaled as there).
pub fn sandwich(g: &Matrix, w: &[f64], omega: &Matrix, replicas: u64) -> Option<Matrix> {
    let k = g.first().map_or(0, Vec::len);
    let h = gwg(g, w);
    let (values, _) = symmetric_eigen(&h);
    if values
        .last()
        .is_none_or(|&v| v <= RANK_TOL * RANK_TOL * values[0].max(0.0))
        || values[0] <= 0.0
    {
        return None;
    }
    let hinv = pseudo_inverse(&h, k);
    // B = WG (M × K).
    let wg: Matrix = g
        .iter()
        .zip(w)
        .map(|(row, &wi)| row.iter().map(|x| wi * x).collect())
        .collect();
    let meat = mul(&mul(&transpose(&wg), omega), &wg);
    let scale = 1.0 + 1.0 / replicas as f64;
    let v = mul(&mul(&hinv, &meat), &hinv);
    Some(
        v.into_iter()
            .map(|r| r.into_iter().map(|x| x * scale).collect())
            .collect(),
    )
}

#[allow(clippy::needless_range_loop)] // index arithmetic reads as the formulas
/// The J statistic and its degrees of freedom: `M − K`, less one for each direction in which
/// `g(θ̂)` has no variance at all (`None` unless `M > K`, `GᵀWG` is invertible and some
/// degree of freedom is left).
pub fn j_statistic(
    gap: &[f64],
    g: &Matrix,
    w: &[f64],
    omega: &Matrix,
    replicas: u64,
) -> Option<(f64, usize)> {
    let m = gap.len();
    let k = g.first().map_or(0, Vec::len);
    if m <= k {
        return None;
    }
    let h = gwg(g, w);
    let (values, _) = symmetric_eigen(&h);
    if values
        .last()
        .is_none_or(|&v| v <= RANK_TOL * RANK_TOL * values[0].max(0.0))
    {
        return None;
    }
    let hinv = pseudo_inverse(&h, k);
    // P = G H⁻¹ Gᵀ W; A = I − P.
    let gw: Matrix = transpose(g)
        .into_iter()
        .map(|row| row.into_iter().zip(w).map(|(x, wi)| x * wi).collect())
        .collect();
    let p = mul(&mul(g, &hinv), &gw);
    let mut a = zeros(m, m);
    for i in 0..m {
        for j in 0..m {
            a[i][j] = f64::from(u8::from(i == j)) - p[i][j];
        }
    }
    let scale = 1.0 + 1.0 / replicas as f64;
    let mut sg = mul(&mul(&a, omega), &transpose(&a));
    for row in &mut sg {
        for x in row.iter_mut() {
            *x *= scale;
        }
    }
    // Symmetrise against rounding.
    for i in 0..m {
        for j in 0..i {
            let s = 0.5 * (sg[i][j] + sg[j][i]);
            sg[i][j] = s;
            sg[j][i] = s;
        }
    }
    // Moments that barely vary across replicas (a share that is 0 in every replica, say) give
    // eigenvalues at rounding level: they are dropped, and with them degrees of freedom.
    let (values, _) = symmetric_eigen(&sg);
    let top = values.first().copied().unwrap_or(0.0);
    let df = values
        .iter()
        .take(m - k)
        .filter(|&&v| top > 0.0 && v > RANK_TOL * top)
        .count();
    if df == 0 {
        return None;
    }
    let pinv = pseudo_inverse(&sg, df);
    // The residual (I − P)g: equal to g at an interior minimum (GᵀWg = 0); where the
    // optimiser stopped short or at a bound, the part of g along G's columns, which Σ_g has no
    // variance for, is what a parameter would remove and is not tested.
    let r = mul_vec(&a, gap);
    let jv = mul_vec(&pinv, &r);
    Some((r.iter().zip(&jv).map(|(a, b)| a * b).sum(), df))
}

/// `P(χ²_df > x)`.
pub fn chi2_sf(x: f64, df: usize) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    upper_gamma_regularized(df as f64 / 2.0, x / 2.0)
}

/// `Q(a, x) = Γ(a, x) / Γ(a)`: series for `x < a + 1`, Lentz's continued fraction otherwise.
fn upper_gamma_regularized(a: f64, x: f64) -> f64 {
    let lg = ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (1.0 - sum * (-x + a * x.ln() - lg).exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        ((-x + a * x.ln() - lg).exp() * h).clamp(0.0, 1.0)
    }
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Rank, condition number and per-parameter column norms of `W^{1/2} G D`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identification {
    /// Numerical rank (singular values above [`RANK_TOL`] of the largest).
    pub rank: usize,
    /// Largest over smallest singular value (`∞` if rank-deficient).
    pub condition_number: f64,
    /// Singular values, descending.
    pub singular_values: Vec<f64>,
    /// Per parameter: the norm of its scaled column (record standard deviations moved across
    /// the parameter's width, to first order).
    pub column_norms: Vec<f64>,
}

/// `G` with each column multiplied by its parameter's [`width`] (the scaling of
/// [`identification`]); [`sandwich`] on it gives `D⁻¹VD⁻¹`.
pub fn scale_columns(g: &Matrix, free: &[FreeParam], theta: &[f64]) -> Matrix {
    g.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(j, x)| x * width(&free[j], theta[j]))
                .collect()
        })
        .collect()
}

/// The identification diagnostics of `G` at `theta`.
pub fn identification(g: &Matrix, w: &[f64], free: &[FreeParam], theta: &[f64]) -> Identification {
    let k = free.len();
    let scaled: Matrix = g
        .iter()
        .zip(w)
        .map(|(row, &wi)| {
            row.iter()
                .enumerate()
                .map(|(j, x)| wi.sqrt() * x * width(&free[j], theta[j]))
                .collect()
        })
        .collect();
    let column_norms = (0..k)
        .map(|j| scaled.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt())
        .collect();
    let (values, _) = symmetric_eigen(&gwg(&scaled, &vec![1.0; scaled.len()]));
    let singular_values: Vec<f64> = values.iter().map(|v| v.max(0.0).sqrt()).collect();
    let top = singular_values.first().copied().unwrap_or(0.0);
    let rank = singular_values
        .iter()
        .filter(|&&s| top > 0.0 && s > RANK_TOL * top)
        .count();
    let condition_number = match singular_values.last() {
        Some(&s) if rank == k && s > 0.0 => top / s,
        _ => f64::INFINITY,
    };
    Identification {
        rank,
        condition_number,
        singular_values,
        column_norms,
    }
}

/// The objective along one parameter, the others at the estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// The parameter's key.
    pub key: String,
    /// Its values.
    pub values: Vec<f64>,
    /// `Q` at each.
    pub objective: Vec<f64>,
}

/// Points of each profile.
pub const PROFILE_POINTS: usize = 9;

/// The profile of `Q` along each parameter over its bounds (for an infinite bound, from `lo`
/// to `θ̂ + 3·max(1, |θ̂|)`), the others held at `theta`, with [`PROFILE_POINTS`] points.
pub fn profiles(objective: &Objective, theta: &[f64]) -> Vec<Profile> {
    objective
        .free
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let hi = if p.hi.is_finite() {
                p.hi
            } else {
                theta[j] + 3.0 * theta[j].abs().max(1.0)
            };
            let values: Vec<f64> = (0..PROFILE_POINTS)
                .map(|i| {
                    let s = (i as f64 + 0.5) / PROFILE_POINTS as f64;
                    p.lo + (hi - p.lo) * s
                })
                .collect();
            let objective = values
                .iter()
                .map(|&x| {
                    let mut t = theta.to_vec();
                    t[j] = x;
                    objective.value(&t)
                })
                .collect();
            Profile {
                key: p.key.clone(),
                values,
                objective,
            }
        })
        .collect()
}

/// The covariance used for inference: the replicas' covariance `Ω` with each moment's variance
/// raised to the record's own sampling variance where that is larger, the model's
/// correlations kept (`Ω'_ab = d_a d_b Ω_ab`, `d_i = max(1, √(v_i / Ω_ii))`; a moment with no
/// spread in the replicas gets `v_i` and no covariance). Returns it and, per moment, whether
/// the record's variance was used.
///
/// Why: `Ω` estimated from replicas at `θ̂` is the model's sampling distribution of a record
/// (the usual simulated-method-of-moments choice: Gouriéroux & Monfort 1996, *Simulation-Based
/// Econometric Methods*, ch. 2), and a record-based variance is the usual GMM one (Hansen
/// 1982). Under the model the two agree; where the model draws a moment with far less spread
/// than the record shows (a constant opening premium against four demands that differ by 30
/// points), a model-based `Ω` alone would report a standard error from the model's certainty
/// rather than from the record's noise. Taking the larger is conservative: intervals do not
/// shrink below either source's.
pub fn conservative_covariance(omega: &Matrix, record_variance: &[f64]) -> (Matrix, Vec<bool>) {
    let m = omega.len();
    let mut d = vec![1.0; m];
    let mut from_record = vec![false; m];
    let mut out = omega.clone();
    for i in 0..m {
        let (model, record) = (omega[i][i], record_variance[i]);
        if record > model {
            from_record[i] = true;
            d[i] = if model > 0.0 {
                (record / model).sqrt()
            } else {
                0.0
            };
        }
    }
    for a in 0..m {
        for b in 0..m {
            out[a][b] = if a == b && from_record[a] {
                record_variance[a]
            } else {
                d[a] * d[b] * omega[a][b]
            };
        }
    }
    (out, from_record)
}

/// The 2.5% and 97.5% quantiles of moment `i` over the replicas that have it (linear
/// interpolation between order statistics, Hyndman & Fan 1996 type 7; `None` without any).
pub fn central_range95(replicas: &[Vec<f64>], i: usize) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = replicas
        .iter()
        .filter_map(|r| r.get(i).copied())
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (v.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    };
    Some((q(0.025), q(0.975)))
}

/// The covariance of the replicas' moment vectors (pairwise over the replicas that have both).
pub fn replica_covariance(replicas: &[Vec<f64>], m: usize) -> Matrix {
    let mut c = zeros(m, m);
    for a in 0..m {
        for b in 0..=a {
            let pairs: Vec<(f64, f64)> = replicas
                .iter()
                .map(|r| (r[a], r[b]))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            if pairs.len() < 2 {
                continue;
            }
            let n = pairs.len() as f64;
            let ma = pairs.iter().map(|p| p.0).sum::<f64>() / n;
            let mb = pairs.iter().map(|p| p.1).sum::<f64>() / n;
            let v = pairs.iter().map(|p| (p.0 - ma) * (p.1 - mb)).sum::<f64>() / (n - 1.0);
            c[a][b] = v;
            c[b][a] = v;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_central_range_is_the_type_7_quantiles() {
        // 0, 1, …, 40: h = 40·0.025 = 1 and 40·0.975 = 39 exactly.
        let reps: Vec<Vec<f64>> = (0..=40)
            .rev()
            .map(|x| vec![f64::from(x), f64::NAN])
            .collect();
        assert_eq!(central_range95(&reps, 0), Some((1.0, 39.0)));
        // Two values: interpolated; none: NaN.
        let two = vec![vec![0.0], vec![10.0]];
        let (lo, hi) = central_range95(&two, 0).unwrap();
        assert!((lo - 0.25).abs() < 1e-12 && (hi - 9.75).abs() < 1e-12);
        assert_eq!(central_range95(&reps, 1), None);
    }

    #[test]
    fn the_conservative_covariance_takes_the_larger_variance_and_keeps_correlations() {
        let omega = vec![
            vec![4.0, 1.0, 0.0],
            vec![1.0, 1.0, 0.0],
            vec![0.0, 0.0, 0.0],
        ];
        let (c, from) = conservative_covariance(&omega, &[1.0, 4.0, 0.5]);
        assert_eq!(from, [false, true, true]);
        // Moment 0 keeps the model's variance; moment 1 the record's (d = 2); moment 2 had no
        // spread in the replicas: the record's variance, no covariance.
        assert_eq!(c[0][0], 4.0);
        assert_eq!(c[1][1], 4.0);
        assert_eq!(c[2][2], 0.5);
        assert_eq!((c[0][1], c[1][0]), (2.0, 2.0));
        // Correlation of 0 and 1: 1/(2·1) = 0.5 before, 2/(2·2) = 0.5 after.
        assert!((c[0][1] / (c[0][0] * c[1][1]).sqrt() - 0.5).abs() < 1e-15);
        assert_eq!((c[0][2], c[2][1]), (0.0, 0.0));
    }

    #[test]
    fn chi_square_tail_matches_tables() {
        assert!((chi2_sf(3.841_458_820_694_124, 1) - 0.05).abs() < 1e-9);
        assert!((chi2_sf(5.991_464_547_107_979, 2) - 0.05).abs() < 1e-9);
        assert!((chi2_sf(11.070_497_693_516_35, 5) - 0.05).abs() < 1e-9);
        assert!((chi2_sf(2.0, 2) - (-1.0f64).exp()).abs() < 1e-12);
        assert_eq!(chi2_sf(0.0, 3), 1.0);
        assert!((ln_gamma(5.0) - 24.0f64.ln()).abs() < 1e-12);
    }
}
