//! Small dense matrices for the estimator's inference (a handful of parameters and moments):
//! row-major `Vec<Vec<f64>>`, products, and the eigen-decomposition of a symmetric matrix by
//! cyclic Jacobi rotations (exact to rounding for the sizes here, deterministic, no allocation
//! beyond the result).

#![allow(clippy::needless_range_loop)] // index arithmetic reads as the formulas

/// A dense matrix, row-major.
pub type Matrix = Vec<Vec<f64>>;

/// `rows × cols` zeros.
pub fn zeros(rows: usize, cols: usize) -> Matrix {
    vec![vec![0.0; cols]; rows]
}

/// The transpose.
pub fn transpose(a: &Matrix) -> Matrix {
    let rows = a.len();
    let cols = a.first().map_or(0, Vec::len);
    let mut t = zeros(cols, rows);
    for (i, row) in a.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            t[j][i] = *x;
        }
    }
    t
}

/// The product `a·b`.
pub fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    let n = b.first().map_or(0, Vec::len);
    a.iter()
        .map(|row| {
            (0..n)
                .map(|j| row.iter().zip(b).map(|(x, brow)| x * brow[j]).sum())
                .collect()
        })
        .collect()
}

/// The product `a·v`.
pub fn mul_vec(a: &Matrix, v: &[f64]) -> Vec<f64> {
    a.iter()
        .map(|row| row.iter().zip(v).map(|(x, y)| x * y).sum())
        .collect()
}

/// Eigenvalues (descending) and eigenvectors (columns of the returned matrix, in the same
/// order) of the symmetric matrix `a`, by cyclic Jacobi rotations.
pub fn symmetric_eigen(a: &Matrix) -> (Vec<f64>, Matrix) {
    let n = a.len();
    let mut m = a.clone();
    let mut v = zeros(n, n);
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i][j] * m[i][j])
            .sum();
        let scale: f64 = (0..n).map(|i| m[i][i] * m[i][i]).sum::<f64>() + off;
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if m[p][q] == 0.0 {
                    continue;
                }
                let theta = (m[q][q] - m[p][p]) / (2.0 * m[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k][p], m[k][q]);
                    m[k][p] = c * mkp - s * mkq;
                    m[k][q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p][k], m[q][k]);
                    m[p][k] = c * mpk - s * mqk;
                    m[q][k] = s * mpk + c * mqk;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j][j].total_cmp(&m[i][i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| m[i][i]).collect();
    let vectors = (0..n)
        .map(|r| order.iter().map(|&c| v[r][c]).collect())
        .collect();
    (values, vectors)
}

/// The pseudo-inverse of the symmetric matrix `a` keeping its `rank` largest eigenvalues (all
/// positive ones if `rank` is larger than their number).
pub fn pseudo_inverse(a: &Matrix, rank: usize) -> Matrix {
    let n = a.len();
    let (values, vectors) = symmetric_eigen(a);
    let mut out = zeros(n, n);
    for (k, &lambda) in values.iter().enumerate().take(rank) {
        if lambda <= 0.0 {
            break;
        }
        for i in 0..n {
            for j in 0..n {
                out[i][j] += vectors[i][k] * vectors[j][k] / lambda;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_and_inverse_of_a_known_matrix() {
        let a = vec![vec![2.0, 1.0], vec![1.0, 2.0]];
        let (values, vectors) = symmetric_eigen(&a);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
        let v0 = [vectors[0][0], vectors[1][0]];
        assert!((v0[0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        let inv = pseudo_inverse(&a, 2);
        let id = mul(&a, &inv);
        for (i, row) in id.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((x - want).abs() < 1e-12, "{id:?}");
            }
        }
        assert_eq!(transpose(&vec![vec![1.0, 2.0]]), vec![vec![1.0], vec![2.0]]);
        assert_eq!(mul_vec(&a, &[1.0, 0.0]), vec![2.0, 1.0]);
    }
}
