//! The standard normal distribution: upper tail and CDF, accurate in the far tail (Cody 1969).

// W. J. Cody (1969), "Rational Chebyshev approximations for the error
// function", Math. Comp. 23, 631–637; coefficients as in Netlib SPECFUN
// `calerf`. The tables keep their published digits (more than an f64 holds).
#[allow(clippy::excessive_precision)]
const CODY_A: [f64; 5] = [
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
];
#[allow(clippy::excessive_precision)]
const CODY_B: [f64; 4] = [
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
];
#[allow(clippy::excessive_precision)]
const CODY_C: [f64; 9] = [
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
];
#[allow(clippy::excessive_precision)]
const CODY_D: [f64; 8] = [
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
];
#[allow(clippy::excessive_precision)]
const CODY_P: [f64; 6] = [
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
];
#[allow(clippy::excessive_precision)]
const CODY_Q: [f64; 5] = [
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
];
/// 1/√π.
#[allow(clippy::excessive_precision)]
const FRAC_1_SQRT_PI: f64 = 5.6418958354775628695e-1;

/// `erf(y)` for `|y| <= 0.46875` (Cody's first interval).
fn cody_erf_small(y: f64) -> f64 {
    let ysq = y * y;
    let mut num = CODY_A[4] * ysq;
    let mut den = ysq;
    for i in 0..3 {
        num = (num + CODY_A[i]) * ysq;
        den = (den + CODY_B[i]) * ysq;
    }
    y * (num + CODY_A[3]) / (den + CODY_B[3])
}

/// `erfc(y) · exp(y²)` for `y >= 0.46875` (Cody's second and third intervals).
fn cody_erfc_scaled(y: f64) -> f64 {
    if y <= 4.0 {
        let mut num = CODY_C[8] * y;
        let mut den = y;
        for i in 0..7 {
            num = (num + CODY_C[i]) * y;
            den = (den + CODY_D[i]) * y;
        }
        (num + CODY_C[7]) / (den + CODY_D[7])
    } else {
        let z = 1.0 / (y * y);
        let mut num = CODY_P[5] * z;
        let mut den = z;
        for i in 0..4 {
            num = (num + CODY_P[i]) * z;
            den = (den + CODY_Q[i]) * z;
        }
        let r = z * (num + CODY_P[4]) / (den + CODY_Q[4]);
        (FRAC_1_SQRT_PI - r) / y
    }
}

/// `exp(−x²/2)` for `0 <= x <= 64` with the square split so that the exponent
/// keeps full relative accuracy in the tail (as in Cody's `calerf`, with a finer
/// split): `xs` has at most 26 significant bits, so `xs²` is exact, and the
/// remainder `(x − xs)(x + xs)` is tiny.
fn exp_minus_half_sq(x: f64) -> f64 {
    const SPLIT: f64 = 1_048_576.0; // 2^20
    let xs = (x * SPLIT).trunc() / SPLIT;
    let del = (x - xs) * (x + xs);
    (-0.5 * xs * xs).exp() * (-0.5 * del).exp()
}

/// Upper tail of the standard normal distribution, `1 − Φ(x) = P(Z > x)`
/// (dimensionless probability), accurate to a small relative error in the far
/// tail.
///
/// Uses the rational Chebyshev approximations of W. J. Cody (1969, Math. Comp.
/// 23; Netlib SPECFUN `calerf`) for `erf`/`erfc` at `x/√2`, with the Gaussian
/// factor `exp(−x²/2)` computed directly from `x` (split square) so that the
/// rounding of `x/√2` does not degrade the tail. Verified against 50-digit
/// `mpmath` values on a grid of 10 400 points in `[−38, 38]`: relative error
/// below 8e-16 wherever the result is a normal `f64` (`x <= 37.5`, down to
/// about 1e-307; results below 2.2e-308 are subnormal and keep only their
/// absolute accuracy), absolute error below 1e-16 everywhere. Returns exactly 0
/// for `x > 38.5` (below the smallest subnormal) and 1 for `x < −38.5`; NaN for
/// NaN.
pub fn normal_sf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 38.5 {
        return 0.0;
    }
    if x < -38.5 {
        return 1.0;
    }
    let y = x * std::f64::consts::FRAC_1_SQRT_2;
    if y.abs() <= 0.46875 {
        0.5 - 0.5 * cody_erf_small(y)
    } else {
        let ax = x.abs();
        let tail =
            0.5 * exp_minus_half_sq(ax) * cody_erfc_scaled(ax * std::f64::consts::FRAC_1_SQRT_2);
        if x > 0.0 { tail } else { 1.0 - tail }
    }
}

/// Standard normal cumulative distribution function `Φ(x) = P(Z <= x)`
/// (dimensionless probability), computed as [`normal_sf`]`(−x)`.
///
/// Same accuracy as [`normal_sf`] (Cody 1969): relative error below 8e-16
/// verified against 50-digit `mpmath` values for `x >= −37.5`, including the
/// lower tail (e.g. `Φ(−8) = 6.22096057427178e-16`), absolute error below 1e-16
/// everywhere.
pub fn normal_cdf(x: f64) -> f64 {
    normal_sf(-x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_split_matches_plain_exp() {
        for i in 0..400 {
            let x = f64::from(i) * 0.0937;
            let a = exp_minus_half_sq(x);
            let b = (-0.5 * x * x).exp();
            assert!(((a - b) / b).abs() < 1e-13 || b == 0.0);
        }
    }
}
