//! PRIM scenario discovery (Friedman & Fisher 1999, "Bump hunting in high-dimensional data",
//! *Statistics and Computing* 9(2), 123–143), as the EMA Workbench uses it for a binary
//! outcome (Bryant & Lempert 2010, *Technological Forecasting and Social Change* 77(1), 34–49).
//!
//! Starting from the box holding every point, each peeling step considers, per input, removing
//! the `alpha` share of the box's points with the lowest or the highest values of that input,
//! and keeps the candidate whose remaining box has the highest density (share of points of
//! interest); peeling stops when a further peel would leave less than `mass_min` of all points
//! (or no peel removes anything). Each box on this *peeling trajectory* has
//!
//! - coverage: the share of all points of interest that lie in the box,
//! - density: the share of the box's points that are of interest,
//! - mass: the share of all points in the box.
//!
//! The *chosen box* is the one of highest coverage among those with density at least
//! `threshold`; if none reaches it, the densest. For each input the chosen box restricts, the
//! quasi-p-value (Bryant & Lempert 2010) is the one-sided binomial probability of seeing at
//! least the box's number of points of interest among its points if the density were that of
//! the box without this restriction: small values mean the restriction matters. Choices are
//! peeled as ordered indices.
//!
//! Pasting (Friedman & Fisher 1999, §4, "bottom-up pasting"; the EMA Workbench's `_paste`):
//! peeling is greedy, so the chosen box may have cut too far along some input. From the chosen
//! box, each pasting step considers, per restricted input and each side, widening the limit to
//! take in the nearest `max(1, ⌊paste_alpha·n_B⌋)` points outside it (within the other
//! inputs' limits; `n_B` the box's points), and keeps the candidate of highest density (ties:
//! more points). The paste is made if the density does not fall and the box grows (F&F: "until
//! the next paste would cause the box mean to decrease"); otherwise pasting stops. The pasted
//! boxes are [`PrimResult::pasting`]; the last one (or the chosen box if no paste was made) is
//! the result, [`PrimResult::final_box`], whose restrictions get the quasi-p-values.

use crate::error::Error;
use serde::{Deserialize, Serialize};

/// PRIM's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrimOptions {
    /// Share of the box's points removed by one peel (default 0.05, Friedman & Fisher's α).
    pub alpha: f64,
    /// The smallest mass (share of all points) a box may keep (default 0.05).
    pub mass_min: f64,
    /// The density a chosen box should reach (default 0.8).
    pub threshold: f64,
    /// Share of the box's points one paste adds (default 0.05, as `alpha`; 0: no pasting).
    pub paste_alpha: f64,
}

impl Default for PrimOptions {
    fn default() -> PrimOptions {
        PrimOptions {
            alpha: 0.05,
            mass_min: 0.05,
            threshold: 0.8,
            paste_alpha: 0.05,
        }
    }
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimBox {
    /// Per input `[lo, hi]`, inclusive, in the input's unit (choices: value indices).
    pub limits: Vec<[f64; 2]>,
    /// Points in the box.
    pub points: usize,
    /// Points of interest in the box.
    pub of_interest: usize,
    /// Share of all points of interest in the box, in [0, 1].
    pub coverage: f64,
    /// Share of the box's points of interest, in [0, 1].
    pub density: f64,
    /// Share of all points in the box, in [0, 1].
    pub mass: f64,
    /// The inputs whose limits are narrower than the data's (indices).
    pub restricted: Vec<usize>,
}

/// The result of PRIM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimResult {
    /// The peeling trajectory, from the box of all points.
    pub trajectory: Vec<PrimBox>,
    /// Index of the chosen box in the trajectory (where pasting starts).
    pub chosen: usize,
    /// The pasting phase: one box per paste made, from the chosen box (empty if none helped).
    pub pasting: Vec<PrimBox>,
    /// Quasi-p-value of each input the final box ([`PrimResult::final_box`]) restricts:
    /// (input index, p).
    pub quasi_p: Vec<(usize, f64)>,
    /// Points of interest among all points.
    pub of_interest: usize,
}

impl PrimResult {
    /// The result: the last pasted box, or the chosen box if no paste was made.
    pub fn final_box(&self) -> &PrimBox {
        self.pasting.last().unwrap_or(&self.trajectory[self.chosen])
    }
}

/// Whether `candidate` beats the best box so far: denser, or as dense with more points.
fn denser(candidate: &PrimBox, best: Option<&PrimBox>) -> bool {
    best.is_none_or(|b| {
        candidate.density > b.density
            || (candidate.density == b.density && candidate.points > b.points)
    })
}

fn in_box(x: &[f64], limits: &[[f64; 2]]) -> bool {
    x.iter().zip(limits).all(|(v, [lo, hi])| lo <= v && v <= hi)
}

fn make_box(x: &[Vec<f64>], y: &[bool], limits: Vec<[f64; 2]>, init: &[[f64; 2]]) -> PrimBox {
    let total = x.len();
    let all_interest = y.iter().filter(|b| **b).count();
    let (mut points, mut of_interest) = (0, 0);
    for (p, &b) in x.iter().zip(y) {
        if in_box(p, &limits) {
            points += 1;
            of_interest += usize::from(b);
        }
    }
    let restricted = limits
        .iter()
        .zip(init)
        .enumerate()
        .filter(|(_, (l, i))| l != i)
        .map(|(k, _)| k)
        .collect();
    PrimBox {
        points,
        of_interest,
        coverage: if all_interest == 0 {
            0.0
        } else {
            of_interest as f64 / all_interest as f64
        },
        density: if points == 0 {
            0.0
        } else {
            of_interest as f64 / points as f64
        },
        mass: points as f64 / total.max(1) as f64,
        limits,
        restricted,
    }
}

/// `ln k!` for k = 0..=n.
fn ln_factorials(n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    let mut acc = 0.0;
    out.push(0.0);
    for k in 1..=n {
        acc += (k as f64).ln();
        out.push(acc);
    }
    out
}

/// `P(X ≥ h)` for `X ~ Binomial(n, p)`.
pub fn binomial_sf(h: usize, n: usize, p: f64) -> f64 {
    if h == 0 {
        return 1.0;
    }
    if h > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let lf = ln_factorials(n);
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let s: f64 = (h..=n)
        .map(|k| (lf[n] - lf[k] - lf[n - k] + k as f64 * lp + (n - k) as f64 * lq).exp())
        .sum();
    s.min(1.0)
}

/// Runs PRIM on points `x` (per point, one value per input) with outcome `y` (point of
/// interest or not).
///
/// # Errors
/// [`Error::InvalidExperiment`] naming `prim` for mismatched lengths, no points, or settings
/// outside (0, 1).
pub fn prim(x: &[Vec<f64>], y: &[bool], options: PrimOptions) -> Result<PrimResult, Error> {
    let bad = |rule: &str, got: String| Error::InvalidExperiment {
        field: "prim".into(),
        rule: rule.into(),
        got,
    };
    if x.is_empty() || x.len() != y.len() {
        return Err(bad(
            "one outcome per point, and at least one point",
            format!("{} points, {} outcomes", x.len(), y.len()),
        ));
    }
    for (name, v) in [
        ("alpha", options.alpha),
        ("mass_min", options.mass_min),
        ("threshold", options.threshold),
    ] {
        if !(v > 0.0 && v < 1.0) {
            return Err(bad(&format!("{name} must be in (0, 1)"), v.to_string()));
        }
    }
    if !(0.0..1.0).contains(&options.paste_alpha) {
        return Err(bad(
            "paste_alpha must be in [0, 1)",
            options.paste_alpha.to_string(),
        ));
    }
    let d = x[0].len();
    if x.iter().any(|p| p.len() != d) {
        return Err(bad("every point has the same inputs", "ragged".into()));
    }
    let init: Vec<[f64; 2]> = (0..d)
        .map(|k| {
            x.iter()
                .fold([f64::INFINITY, f64::NEG_INFINITY], |[lo, hi], p| {
                    [lo.min(p[k]), hi.max(p[k])]
                })
        })
        .collect();
    let n = x.len();
    let min_points = (options.mass_min * n as f64).ceil() as usize;
    let mut trajectory = vec![make_box(x, y, init.clone(), &init)];
    while let Some(current) = trajectory.last() {
        let inside: Vec<usize> = (0..n).filter(|&i| in_box(&x[i], &current.limits)).collect();
        let k = ((options.alpha * inside.len() as f64).floor() as usize).max(1);
        let mut best: Option<PrimBox> = None;
        for dim in 0..d {
            let mut vals: Vec<f64> = inside.iter().map(|&i| x[i][dim]).collect();
            vals.sort_by(f64::total_cmp);
            if vals.len() <= k {
                continue;
            }
            // Lower peel: keep values >= the k-th smallest; upper: <= the k-th largest.
            for (lo, hi) in [
                (vals[k], current.limits[dim][1]),
                (current.limits[dim][0], vals[vals.len() - 1 - k]),
            ] {
                let mut limits = current.limits.clone();
                limits[dim] = [lo, hi];
                if limits == current.limits {
                    continue;
                }
                let candidate = make_box(x, y, limits, &init);
                if candidate.points >= current.points
                    || candidate.points < min_points
                    || candidate.points == 0
                {
                    continue;
                }
                if denser(&candidate, best.as_ref()) {
                    best = Some(candidate);
                }
            }
        }
        match best {
            Some(b) => trajectory.push(b),
            None => break,
        }
    }
    let chosen = trajectory
        .iter()
        .enumerate()
        .filter(|(_, b)| b.density >= options.threshold)
        .max_by(|(i, a), (j, b)| a.coverage.total_cmp(&b.coverage).then(j.cmp(i)))
        .map(|(i, _)| i)
        .unwrap_or_else(|| {
            trajectory
                .iter()
                .enumerate()
                .max_by(|(i, a), (j, b)| a.density.total_cmp(&b.density).then(j.cmp(i)))
                .map_or(0, |(i, _)| i)
        });
    let pasting = paste(x, y, &trajectory[chosen], &init, options.paste_alpha);
    let b = pasting.last().unwrap_or(&trajectory[chosen]);
    let quasi_p = b
        .restricted
        .iter()
        .map(|&dim| {
            let mut limits = b.limits.clone();
            limits[dim] = init[dim];
            let relaxed = make_box(x, y, limits, &init);
            let p = relaxed.of_interest as f64 / relaxed.points.max(1) as f64;
            (dim, binomial_sf(b.of_interest, b.points, p))
        })
        .collect();
    Ok(PrimResult {
        of_interest: y.iter().filter(|v| **v).count(),
        trajectory,
        chosen,
        pasting,
        quasi_p,
    })
}

/// The pasting phase from `start` (see the module's documentation): the boxes of the pastes
/// made, in order.
fn paste(
    x: &[Vec<f64>],
    y: &[bool],
    start: &PrimBox,
    init: &[[f64; 2]],
    paste_alpha: f64,
) -> Vec<PrimBox> {
    let mut out: Vec<PrimBox> = Vec::new();
    if paste_alpha <= 0.0 {
        return out;
    }
    loop {
        let current = out.last().unwrap_or(start);
        let k = ((paste_alpha * current.points as f64).floor() as usize).max(1);
        let mut best: Option<PrimBox> = None;
        for &dim in &current.restricted {
            // The points outside the box along `dim` only, on each side.
            let [lo, hi] = current.limits[dim];
            let mut below: Vec<f64> = Vec::new();
            let mut above: Vec<f64> = Vec::new();
            for p in x {
                let others = p
                    .iter()
                    .zip(&current.limits)
                    .enumerate()
                    .all(|(j, (v, [a, b]))| j == dim || (a <= v && v <= b));
                if others {
                    if p[dim] < lo {
                        below.push(p[dim]);
                    } else if p[dim] > hi {
                        above.push(p[dim]);
                    }
                }
            }
            // Nearest first: the k-th nearest value is the new limit (ties come in with it).
            below.sort_by(|a, b| b.total_cmp(a));
            above.sort_by(f64::total_cmp);
            for (side, values) in [(0, &below), (1, &above)] {
                if values.is_empty() {
                    continue;
                }
                let edge = values[k.min(values.len()) - 1];
                let mut limits = current.limits.clone();
                // Back to the data's own limit when the last outside points come in.
                limits[dim][side] = if k >= values.len() {
                    init[dim][side]
                } else {
                    edge
                };
                let candidate = make_box(x, y, limits, init);
                if denser(&candidate, best.as_ref()) {
                    best = Some(candidate);
                }
            }
        }
        match best {
            Some(b) if b.points > current.points && b.density >= current.density => out.push(b),
            _ => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_tail() {
        assert!((binomial_sf(1, 2, 0.5) - 0.75).abs() < 1e-12);
        assert!((binomial_sf(2, 2, 0.5) - 0.25).abs() < 1e-12);
        assert_eq!(binomial_sf(0, 5, 0.1), 1.0);
    }
}
