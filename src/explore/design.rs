//! Designs: where in the unit cube `[0, 1]^D` the exploration runs the model (MODEL.md §12).
//! Every design is a pure function of its settings, the number of dimensions and a seed.
//!
//! - [`Design::Lhs`]: Latin hypercube (McKay, Beckman & Conover 1979, *Technometrics* 21(2)):
//!   N points, each dimension cut into N equal strata with one point in each.
//! - [`Design::Sobol`]: the Saltelli scheme (Saltelli 2002, *Computer Physics Communications*
//!   145(2); Saltelli et al. 2010, *Computer Physics Communications* 181(2)) on an
//!   Owen-scrambled Sobol sequence (Burley 2020, *Journal of Computer Graphics Techniques*
//!   9(4), through the `sobol_burley` crate): two base matrices A and B (N × D each, from
//!   dimensions `0..D` and `D..2D` of one 2D-dimensional sequence), and per row `j` the points
//!   `A_j, AB_j^(1), …, AB_j^(D), [BA_j^(1), …, BA_j^(D)], B_j` (`AB^(i)` is A with column `i`
//!   from B), so N·(D+2) points, or N·(2D+2) with the second-order block. N at most 65,536
//!   (a power of two keeps the net property).
//! - [`Design::Morris`]: r one-at-a-time trajectories on a p-level grid (Morris 1991,
//!   *Technometrics* 33(2)), each of D+1 points; step `Δ = p / (2(p − 1))`.
//! - [`Design::Factorial`]: every combination; a range at `levels` evenly spaced values from
//!   its lower to its upper end, a choice at each of its values (first dimension slowest).
//!
//! ```
//! use negcycle::explore::Design;
//!
//! let d = Design::Sobol { base: 8, second_order: false };
//! let points = d.unit_points(&[None, None, None], 2019)?;
//! assert_eq!(points.len(), 8 * (3 + 2));
//! assert_eq!(points, d.unit_points(&[None, None, None], 2019)?); // seeded
//! # Ok::<(), negcycle::Error>(())
//! ```

use super::spread::select_spread;
use crate::error::Error;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// The most points a design may have.
pub const MAX_DESIGN_POINTS: usize = 10_000_000;
/// The longest base sample of a Sobol design (the scrambled sequence's length).
pub const MAX_SOBOL_BASE: usize = 1 << 16;

/// A design over the unit cube.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Design {
    /// Latin hypercube with `points` points.
    Lhs {
        /// Number of points.
        points: usize,
    },
    /// Saltelli's scheme on a scrambled Sobol sequence with base sample size `base` (N).
    Sobol {
        /// Base sample size N.
        base: usize,
        /// Also the `BA` block for second-order indices (N·(2D+2) points instead of N·(D+2)).
        second_order: bool,
    },
    /// Morris trajectories.
    Morris {
        /// Number of trajectories r.
        trajectories: usize,
        /// Grid levels p (even, at least 2).
        levels: u32,
        /// Candidate trajectories M ≥ r drawn, of which the r with maximal spread are run
        /// (Campolongo et al. 2007; [`super::spread`]); M = r runs the candidates as drawn.
        candidates: usize,
    },
    /// Full factorial.
    Factorial {
        /// Values per continuous range (at least 2); choices use all their values.
        levels: u32,
    },
}

fn invalid(rule: &str, got: String) -> Error {
    Error::InvalidExperiment {
        field: "design".into(),
        rule: rule.into(),
        got,
    }
}

/// SplitMix64's finaliser.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of a design or an analysis: seed and a purpose tag, through SplitMix64.
pub(crate) fn seeded(seed: u64, tag: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(mix(seed) ^ tag))
}

/// Purpose tags of the design streams.
const TAG_LHS: u64 = 0x4c48_5300;
const TAG_SOBOL: u64 = 0x534f_424c;
const TAG_MORRIS: u64 = 0x4d4f_5252;
/// The most Morris candidate trajectories (their M² distances are held in memory: 32 MB).
pub const MAX_MORRIS_CANDIDATES: usize = 2000;

impl Design {
    /// The design's name on the command line (`lhs`, `sobol`, `morris`, `factorial`).
    pub fn name(&self) -> &'static str {
        match self {
            Design::Lhs { .. } => "lhs",
            Design::Sobol { .. } => "sobol",
            Design::Morris { .. } => "morris",
            Design::Factorial { .. } => "factorial",
        }
    }

    /// The number of points for these dimensions (`levels[i]`: `Some(k)` for a choice of `k`
    /// values, `None` for a range); saturating.
    pub fn len(&self, levels: &[Option<usize>]) -> usize {
        let d = levels.len();
        match self {
            Design::Lhs { points } => *points,
            Design::Sobol { base, second_order } => {
                base.saturating_mul(if *second_order { 2 * d + 2 } else { d + 2 })
            }
            Design::Morris { trajectories, .. } => trajectories.saturating_mul(d + 1),
            Design::Factorial { levels: l } => levels
                .iter()
                .map(|k| k.unwrap_or(*l as usize))
                .fold(1usize, usize::saturating_mul),
        }
    }

    /// Whether the design has no points.
    pub fn is_empty(&self, levels: &[Option<usize>]) -> bool {
        self.len(levels) == 0
    }

    /// Checks the settings for `levels.len()` dimensions.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `design` and the rule.
    pub fn check(&self, levels: &[Option<usize>]) -> Result<(), Error> {
        let d = levels.len();
        if d == 0 {
            return Err(invalid("a design needs at least one dimension", "0".into()));
        }
        match self {
            Design::Lhs { points } if *points < 2 => {
                return Err(invalid(
                    "a Latin hypercube needs --points >= 2",
                    points.to_string(),
                ));
            }
            Design::Sobol { base, .. } if *base < 2 || *base > MAX_SOBOL_BASE => {
                return Err(invalid(
                    &format!(
                        "a Sobol design needs a base sample 2 <= --points <= {MAX_SOBOL_BASE}"
                    ),
                    base.to_string(),
                ));
            }
            Design::Sobol { .. } if 2 * d > 256 => {
                return Err(invalid(
                    "a Sobol design takes at most 128 dimensions",
                    d.to_string(),
                ));
            }
            Design::Morris {
                trajectories,
                levels: p,
                candidates,
            } => {
                if *trajectories < 2 {
                    return Err(invalid(
                        "a Morris design needs --points (trajectories) >= 2",
                        trajectories.to_string(),
                    ));
                }
                if *candidates < *trajectories
                    || (*candidates > MAX_MORRIS_CANDIDATES && candidates != trajectories)
                {
                    return Err(invalid(
                        &format!(
                            "Morris candidates (--morris-candidates) must be at least the \
                             trajectories ({trajectories}) and at most \
                             {MAX_MORRIS_CANDIDATES} (the distances between candidates are \
                             held in memory)"
                        ),
                        candidates.to_string(),
                    ));
                }
                if *p < 2 || p % 2 != 0 {
                    return Err(invalid(
                        "Morris levels must be even and at least 2",
                        p.to_string(),
                    ));
                }
            }
            Design::Factorial { levels: l } if *l < 2 => {
                return Err(invalid(
                    "factorial levels must be at least 2",
                    l.to_string(),
                ));
            }
            _ => {}
        }
        let n = self.len(levels);
        if n > MAX_DESIGN_POINTS {
            return Err(invalid(
                &format!("a design has at most {MAX_DESIGN_POINTS} points"),
                n.to_string(),
            ));
        }
        Ok(())
    }

    /// The design's points in the unit cube, in run order (each a vector of `levels.len()`
    /// coordinates).
    ///
    /// # Errors
    /// As [`Design::check`].
    pub fn unit_points(&self, levels: &[Option<usize>], seed: u64) -> Result<Vec<Vec<f64>>, Error> {
        self.check(levels)?;
        let d = levels.len();
        Ok(match self {
            Design::Lhs { points } => latin_hypercube(*points, d, seed),
            Design::Sobol { base, second_order } => saltelli(*base, d, *second_order, seed),
            Design::Morris {
                trajectories,
                levels: p,
                candidates,
            } => morris(*trajectories, *candidates, d, *p, seed),
            Design::Factorial { levels: l } => factorial(levels, *l),
        })
    }
}

/// Latin hypercube: per dimension a random permutation of the strata, a uniform draw in each.
fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = seeded(seed, TAG_LHS);
    let mut out = vec![vec![0.0; d]; n];
    let mut perm: Vec<usize> = (0..n).collect();
    for i in 0..d {
        // Fisher–Yates.
        for k in (1..n).rev() {
            let j = rng.random_range(0..=k);
            perm.swap(k, j);
        }
        for (row, &stratum) in out.iter_mut().zip(&perm) {
            let u: f64 = rng.random();
            row[i] = (stratum as f64 + u) / n as f64;
        }
    }
    out
}

/// Saltelli's A, AB^(i), [BA^(i)], B rows on an Owen-scrambled Sobol sequence.
fn saltelli(n: usize, d: usize, second_order: bool, seed: u64) -> Vec<Vec<f64>> {
    let scramble = (mix(mix(seed) ^ TAG_SOBOL) >> 32) as u32;
    let block = if second_order { 2 * d + 2 } else { d + 2 };
    let mut out = Vec::with_capacity(n * block);
    for j in 0..n {
        let row: Vec<f64> = (0..2 * d)
            .map(|k| f64::from(sobol_burley::sample(j as u32, k as u32, scramble)))
            .collect();
        let (a, b) = row.split_at(d);
        out.push(a.to_vec());
        for i in 0..d {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            out.push(ab);
        }
        if second_order {
            for i in 0..d {
                let mut ba = b.to_vec();
                ba[i] = a[i];
                out.push(ba);
            }
        }
        out.push(b.to_vec());
    }
    out
}

/// Morris trajectories: a random base point on the grid's lower part, random directions, one
/// dimension moved by Δ at a time in random order.
/// The default number of Morris candidate trajectories for `r` trajectories: ten times r
/// (Campolongo et al. 2007 chose 4 to 10 of 500 to 1000), at most [`MAX_MORRIS_CANDIDATES`].
pub fn default_morris_candidates(r: usize) -> usize {
    r.saturating_mul(10).min(MAX_MORRIS_CANDIDATES).max(r)
}

/// `r` of `m` candidate trajectories, chosen for spread; the candidates are drawn in order from
/// one stream, so the first `r` are the trajectories of `m = r`.
fn morris(r: usize, m: usize, d: usize, p: u32, seed: u64) -> Vec<Vec<f64>> {
    let candidates: Vec<Vec<Vec<f64>>> = morris_trajectories(m.max(r), d, p, seed)
        .chunks(d + 1)
        .map(<[Vec<f64>]>::to_vec)
        .collect();
    let refs: Vec<&[Vec<f64>]> = candidates.iter().map(Vec::as_slice).collect();
    select_spread(&refs, r)
        .into_iter()
        .flat_map(|k| candidates[k].iter().cloned())
        .collect()
}

fn morris_trajectories(r: usize, d: usize, p: u32, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = seeded(seed, TAG_MORRIS);
    let step = 1.0 / f64::from(p - 1);
    let delta = f64::from(p) / (2.0 * f64::from(p - 1));
    // Base levels j with j·step + Δ <= 1: j in 0..p/2.
    let base_levels = p / 2;
    let mut out = Vec::with_capacity(r * (d + 1));
    for _ in 0..r {
        let base: Vec<f64> = (0..d)
            .map(|_| f64::from(rng.random_range(0..base_levels)) * step)
            .collect();
        let up: Vec<bool> = (0..d).map(|_| rng.random::<bool>()).collect();
        let mut order: Vec<usize> = (0..d).collect();
        for k in (1..d).rev() {
            let j = rng.random_range(0..=k);
            order.swap(k, j);
        }
        // Moving up starts at the base, moving down starts Δ above it.
        let mut x: Vec<f64> = base
            .iter()
            .zip(&up)
            .map(|(&b, &u)| if u { b } else { (b + delta).min(1.0) })
            .collect();
        out.push(x.clone());
        for &i in &order {
            x[i] = if up[i] {
                (base[i] + delta).min(1.0)
            } else {
                base[i]
            };
            out.push(x.clone());
        }
    }
    out
}

/// Every combination (first dimension slowest).
fn factorial(levels: &[Option<usize>], l: u32) -> Vec<Vec<f64>> {
    let axes: Vec<Vec<f64>> = levels
        .iter()
        .map(|k| match k {
            Some(k) => (0..*k).map(|j| (j as f64 + 0.5) / *k as f64).collect(),
            None => (0..l).map(|j| f64::from(j) / f64::from(l - 1)).collect(),
        })
        .collect();
    let mut out: Vec<Vec<f64>> = vec![Vec::with_capacity(levels.len())];
    for axis in &axes {
        out = out
            .iter()
            .flat_map(|prefix| {
                axis.iter().map(move |&u| {
                    let mut p = prefix.clone();
                    p.push(u);
                    p
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lhs_has_one_point_per_stratum() {
        let pts = Design::Lhs { points: 10 }
            .unit_points(&[None; 3], 7)
            .unwrap();
        for i in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[i] * 10.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        assert_ne!(
            pts,
            Design::Lhs { points: 10 }
                .unit_points(&[None; 3], 8)
                .unwrap()
        );
    }

    #[test]
    fn saltelli_blocks() {
        let d = Design::Sobol {
            base: 4,
            second_order: true,
        };
        let pts = d.unit_points(&[None; 2], 1).unwrap();
        assert_eq!(pts.len(), 4 * 6);
        let (a, ab0, ab1, ba0, ba1, b) = (&pts[0], &pts[1], &pts[2], &pts[3], &pts[4], &pts[5]);
        assert_eq!(ab0, &vec![b[0], a[1]]);
        assert_eq!(ab1, &vec![a[0], b[1]]);
        assert_eq!(ba0, &vec![a[0], b[1]]);
        assert_eq!(ba1, &vec![b[0], a[1]]);
    }

    #[test]
    fn morris_moves_one_coordinate_by_delta() {
        let pts = Design::Morris {
            trajectories: 5,
            levels: 4,
            candidates: 50,
        }
        .unit_points(&[None; 3], 3)
        .unwrap();
        assert_eq!(pts.len(), 20);
        for t in 0..5 {
            for s in 1..4 {
                let (p, q) = (&pts[t * 4 + s - 1], &pts[t * 4 + s]);
                let moved: Vec<f64> = p
                    .iter()
                    .zip(q)
                    .map(|(a, b)| b - a)
                    .filter(|x| *x != 0.0)
                    .collect();
                assert_eq!(moved.len(), 1);
                assert!((moved[0].abs() - 2.0 / 3.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn factorial_enumerates() {
        let pts = Design::Factorial { levels: 3 }
            .unit_points(&[None, Some(2)], 0)
            .unwrap();
        assert_eq!(pts.len(), 6);
        assert_eq!(pts[0], vec![0.0, 0.25]);
        assert_eq!(pts[5], vec![1.0, 0.75]);
    }
}
