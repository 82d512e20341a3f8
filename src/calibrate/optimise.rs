//! The optimiser: several starts of Nelder–Mead (argmin, pure Rust) in an unbounded space.
//!
//! Why a transform: Nelder–Mead has no bounds, and clamping a vertex to a bound makes the
//! objective flat beyond it, where the simplex collapses onto the bound and stalls. Each
//! parameter is optimised as `u ∈ ℝ` with `θ = lo + (hi − lo)·σ(u)` (`σ` the logistic function)
//! when both bounds are finite, and `θ = lo + e^u` when `hi = ∞`: every vertex maps to an
//! admissible scenario, the map is smooth and monotone, and a bound is approached only
//! asymptotically. Why derivative-free: with common random numbers the simulated moments of
//! discrete outcomes (a lapse, a round) are step functions of `θ`, so gradients are zero almost
//! everywhere; Nelder–Mead only compares values.
//!
//! Starts: the first is the base scenario's values (moved inside the bounds); the others are
//! points of a Halton sequence over the bounds (bases 2, 3, 5, …; in the transformed space for
//! an infinite bound), so the starts are deterministic. The best of the starts (lowest `Q`, the
//! earliest start on a tie) is the estimate.

use super::objective::{FreeParam, Objective, PENALTY};
use crate::error::Error;
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use serde::Serialize;

/// `θ` from the unbounded `u`.
pub fn to_theta(p: &FreeParam, u: f64) -> f64 {
    if p.hi.is_finite() {
        let s = 1.0 / (1.0 + (-u).exp());
        p.lo + (p.hi - p.lo) * s
    } else {
        p.lo + u.exp()
    }
}

/// `u` from `θ` (θ is first moved strictly inside the bounds, by 0.1% of the width or of
/// `max(1, |lo|)` for an infinite bound).
pub fn to_u(p: &FreeParam, theta: f64) -> f64 {
    if p.hi.is_finite() {
        let eps = 1e-3 * (p.hi - p.lo);
        let t = theta.clamp(p.lo + eps, p.hi - eps);
        let s = (t - p.lo) / (p.hi - p.lo);
        (s / (1.0 - s)).ln()
    } else {
        let eps = 1e-3 * p.lo.abs().max(1.0);
        (theta - p.lo).max(eps).ln()
    }
}

/// The result of one start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartResult {
    /// Where it started.
    pub start: Vec<f64>,
    /// Where it ended.
    pub theta: Vec<f64>,
    /// `Q` there.
    pub objective: f64,
    /// Nelder–Mead iterations run.
    pub iterations: u64,
    /// Objective evaluations.
    pub evaluations: u64,
}

/// Optimiser settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OptimiserSettings {
    /// Number of starts (at least 1).
    pub starts: usize,
    /// Nelder–Mead iterations per start.
    pub max_iters: u64,
    /// Stop when the standard deviation of `Q` over the simplex falls below this.
    pub sd_tolerance: f64,
    /// Initial simplex: each vertex moves one coordinate by this in `u` (logit) units.
    pub simplex_step: f64,
}

impl Default for OptimiserSettings {
    fn default() -> OptimiserSettings {
        OptimiserSettings {
            starts: 4,
            max_iters: 150,
            sd_tolerance: 1e-4,
            simplex_step: 0.6,
        }
    }
}

struct Cost<'a> {
    objective: &'a Objective,
    /// Evaluations so far.
    count: &'a std::cell::Cell<u64>,
}

impl CostFunction for Cost<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, u: &Self::Param) -> Result<f64, argmin::core::Error> {
        self.count.set(self.count.get() + 1);
        let theta: Vec<f64> = self
            .objective
            .free
            .iter()
            .zip(u)
            .map(|(p, &x)| to_theta(p, x))
            .collect();
        let q = self.objective.value(&theta);
        Ok(if q.is_finite() { q } else { PENALTY })
    }
}

/// The `i`-th point of the Halton sequence in base `b` (i ≥ 1).
fn halton(mut i: u64, b: u64) -> f64 {
    let (mut f, mut r) = (1.0, 0.0);
    while i > 0 {
        f /= b as f64;
        r += f * (i % b) as f64;
        i /= b;
    }
    r
}

const PRIMES: [u64; 16] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53];

/// The starting points (see the module docs).
pub fn starts(free: &[FreeParam], first: &[f64], count: usize) -> Vec<Vec<f64>> {
    let mut out = vec![first.to_vec()];
    for i in 1..count.max(1) {
        out.push(
            free.iter()
                .enumerate()
                .map(|(j, p)| {
                    let h = halton(i as u64, PRIMES[j % PRIMES.len()]);
                    if p.hi.is_finite() {
                        p.lo + (p.hi - p.lo) * (0.05 + 0.9 * h)
                    } else {
                        to_theta(p, to_u(p, first[j]) + 4.0 * (h - 0.5))
                    }
                })
                .collect(),
        );
    }
    out
}

/// Minimises `objective` from each start; returns every start's result, best first is not
/// implied (see [`best`]).
///
/// # Errors
/// [`Error::Internal`] if the optimiser fails to run.
pub fn minimise(
    objective: &Objective,
    from: &[Vec<f64>],
    settings: &OptimiserSettings,
) -> Result<Vec<StartResult>, Error> {
    let free = &objective.free;
    let mut results = Vec::new();
    for start in from {
        let u0: Vec<f64> = free.iter().zip(start).map(|(p, &t)| to_u(p, t)).collect();
        let mut simplex = vec![u0.clone()];
        for j in 0..u0.len() {
            let mut v = u0.clone();
            v[j] += settings.simplex_step;
            simplex.push(v);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(settings.sd_tolerance)
            .map_err(|e| Error::Internal(format!("Nelder–Mead: {e}")))?;
        let count = std::cell::Cell::new(0);
        let cost = Cost {
            objective,
            count: &count,
        };
        let res = Executor::new(cost, solver)
            .configure(|s| s.max_iters(settings.max_iters))
            .timer(false)
            .run()
            .map_err(|e| Error::Internal(format!("Nelder–Mead: {e}")))?;
        let state = res.state();
        let u = state.get_best_param().cloned().unwrap_or(u0);
        let theta: Vec<f64> = free.iter().zip(&u).map(|(p, &x)| to_theta(p, x)).collect();
        let evaluations = count.get();
        results.push(StartResult {
            start: start.clone(),
            objective: state.get_best_cost(),
            theta,
            iterations: state.get_iter(),
            evaluations,
        });
    }
    Ok(results)
}

/// The index of the best start: lowest `Q`, the earliest on a tie.
pub fn best(results: &[StartResult]) -> usize {
    let mut b = 0;
    for (i, r) in results.iter().enumerate() {
        if r.objective < results[b].objective {
            b = i;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transform_maps_the_line_onto_the_bounds_and_back() {
        let p = FreeParam {
            key: "x".into(),
            lo: 0.1,
            hi: 2.0,
        };
        for t in [0.2, 1.0, 1.9] {
            assert!((to_theta(&p, to_u(&p, t)) - t).abs() < 1e-12);
        }
        assert!(to_theta(&p, -50.0) >= 0.1 && to_theta(&p, 50.0) <= 2.0);
        let q = FreeParam {
            key: "y".into(),
            lo: 0.0,
            hi: f64::INFINITY,
        };
        assert!((to_theta(&q, to_u(&q, 3.0)) - 3.0).abs() < 1e-12);
        let s = starts(&[p.clone(), q], &[1.0, 1.0], 3);
        assert_eq!(s.len(), 3);
        assert!(s.iter().all(|v| v[0] > p.lo && v[0] < p.hi && v[1] > 0.0));
        assert_eq!(halton(1, 2), 0.5);
        assert_eq!(halton(3, 2), 0.75);
    }
}
