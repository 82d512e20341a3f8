//! Morris elementary effects from a [`super::Design::Morris`] design: per input the mean μ, the
//! mean of absolute values μ* (Campolongo, Cariboni & Saltelli 2007, *Environmental Modelling &
//! Software* 22(10), 1509–1518) and the standard deviation σ (Morris 1991, *Technometrics*
//! 33(2), 161–174) of the elementary effects `EE_i = (y(x + Δe_i) − y(x)) / Δ`.
//!
//! Δ is in unit-cube coordinates, so an effect is the output's change per whole range of the
//! input (the output's unit). μ* ranks inputs by overall influence; σ large against μ* signals
//! interactions or non-linearity. μ*'s 95 % interval is a seeded bootstrap over trajectories.
//! The design's trajectories are the most spread-out r of M candidates ([`super::spread`]).

use super::design::seeded;
use super::sobol::{Estimate, sd};
use crate::error::Error;
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// The Morris measures of one input (in the output's unit per whole range of the input).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndices {
    /// μ*: mean absolute elementary effect, with a bootstrap interval.
    pub mu_star: Estimate,
    /// μ: mean elementary effect.
    pub mu: f64,
    /// σ: standard deviation of the elementary effects (divisor r − 1).
    pub sigma: f64,
}

/// The Morris measures of each input from the unit points `x` of a Morris design (in run
/// order: trajectories of `d + 1` points) and the outputs `y` there; `resamples` bootstrap
/// resamples of the trajectories, seeded by `seed`.
///
/// # Errors
/// [`Error::InvalidExperiment`] if the lengths do not fit trajectories of `d + 1` points, or a
/// step does not move exactly one coordinate.
pub fn morris_indices(
    x: &[Vec<f64>],
    y: &[f64],
    d: usize,
    resamples: usize,
    seed: u64,
) -> Result<Vec<MorrisIndices>, Error> {
    let bad = |rule: &str, got: String| Error::InvalidExperiment {
        field: "morris".into(),
        rule: rule.into(),
        got,
    };
    let len = d + 1;
    if d == 0 || x.len() != y.len() || y.is_empty() || y.len() % len != 0 {
        return Err(bad(
            &format!("points must come in trajectories of {len} (D = {d})"),
            y.len().to_string(),
        ));
    }
    let r = y.len() / len;
    // effects[i][t]: input i's effect in trajectory t.
    let mut effects = vec![vec![0.0; r]; d];
    for t in 0..r {
        for s in 1..len {
            let (p, q) = (&x[t * len + s - 1], &x[t * len + s]);
            let moved: Vec<usize> = (0..d).filter(|&i| p[i] != q[i]).collect();
            let [i] = moved[..] else {
                return Err(bad(
                    "each step of a trajectory moves exactly one input",
                    format!("trajectory {t}, step {s}: {} moved", moved.len()),
                ));
            };
            effects[i][t] = (y[t * len + s] - y[t * len + s - 1]) / (q[i] - p[i]);
        }
    }
    let mut rng = seeded(seed, 0x4d4f_4f54);
    let mut picks = vec![0usize; r];
    let mut boot = vec![Vec::with_capacity(resamples); d];
    for _ in 0..resamples {
        for p in &mut picks {
            *p = rng.random_range(0..r);
        }
        for (i, e) in effects.iter().enumerate() {
            boot[i].push(picks.iter().map(|&t| e[t].abs()).sum::<f64>() / r as f64);
        }
    }
    Ok(effects
        .iter()
        .zip(&boot)
        .map(|(e, b)| MorrisIndices {
            mu_star: Estimate::from_bootstrap(e.iter().map(|v| v.abs()).sum::<f64>() / r as f64, b),
            mu: e.iter().sum::<f64>() / r as f64,
            sigma: sd(e),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Design;

    #[test]
    fn linear_effects_are_the_slopes() {
        let x = Design::Morris {
            trajectories: 20,
            levels: 4,
            candidates: 200,
        }
        .unit_points(&[None; 3], 5)
        .unwrap();
        let y: Vec<f64> = x.iter().map(|p| 3.0 * p[0] - 2.0 * p[1]).collect();
        let m = morris_indices(&x, &y, 3, 100, 1).unwrap();
        assert!((m[0].mu - 3.0).abs() < 1e-9 && (m[0].mu_star.estimate - 3.0).abs() < 1e-9);
        assert!((m[1].mu + 2.0).abs() < 1e-9 && m[1].sigma < 1e-9);
        assert_eq!(m[2].mu_star.estimate, 0.0);
    }
}
