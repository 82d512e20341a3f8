//! Robustness of each arm over the points of a design (MODEL.md §12): the share of points where
//! it is best, its regret (its objective minus the point's best, in the objective's unit; Savage
//! 1951, *Journal of the American Statistical Association* 46(253)) on average and at worst
//! (minimax regret), and percentiles of its objective across points.
//!
//! Points count equally (the design's own weighting: every design here samples the unit cube
//! evenly, except Morris trajectories, which are only roughly even).

use serde::{Deserialize, Serialize};

/// One arm's robustness over the design (objective: lower is better).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmRobustness {
    /// The arm's label.
    pub arm: String,
    /// Share of points where the arm is best (ties split equally), in [0, 1].
    pub win_share: f64,
    /// Mean regret over points (objective's unit, ≥ 0).
    pub mean_regret: f64,
    /// Largest regret over points (objective's unit).
    pub max_regret: f64,
    /// Mean objective over points.
    pub mean: f64,
    /// 5th, 25th, 50th, 75th and 95th percentiles of the objective over points (linear
    /// interpolation between order statistics, Hyndman & Fan 1996 type 7).
    pub percentiles: [f64; 5],
}

/// The regret of each arm at one point: its objective minus the smallest (lower is better).
pub fn regrets(objectives: &[f64]) -> Vec<f64> {
    let best = objectives.iter().copied().fold(f64::INFINITY, f64::min);
    objectives.iter().map(|x| x - best).collect()
}

/// The index of the best arm (lowest objective; the first of ties).
pub fn best_index(objectives: &[f64]) -> usize {
    let mut best = 0;
    for (i, x) in objectives.iter().enumerate() {
        if *x < objectives[best] {
            best = i;
        }
    }
    best
}

/// Type-7 percentile of sorted values.
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = q * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Robustness of every arm: `objectives[p][a]` is arm `a`'s objective at point `p`.
pub fn robustness(arms: &[String], objectives: &[Vec<f64>]) -> Vec<ArmRobustness> {
    let n = objectives.len().max(1) as f64;
    let mut wins = vec![0.0; arms.len()];
    let mut regret_sum = vec![0.0; arms.len()];
    let mut regret_max = vec![0.0f64; arms.len()];
    for row in objectives {
        let r = regrets(row);
        let tied = r.iter().filter(|x| **x == 0.0).count().max(1) as f64;
        for (a, x) in r.iter().enumerate() {
            if *x == 0.0 {
                wins[a] += 1.0 / tied;
            }
            regret_sum[a] += x;
            regret_max[a] = regret_max[a].max(*x);
        }
    }
    arms.iter()
        .enumerate()
        .map(|(a, label)| {
            let mut col: Vec<f64> = objectives.iter().map(|row| row[a]).collect();
            col.sort_by(f64::total_cmp);
            ArmRobustness {
                arm: label.clone(),
                win_share: wins[a] / n,
                mean_regret: regret_sum[a] / n,
                max_regret: regret_max[a],
                mean: col.iter().sum::<f64>() / n,
                percentiles: [0.05, 0.25, 0.5, 0.75, 0.95].map(|q| percentile(&col, q)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_regrets() {
        let arms = vec!["a".to_string(), "b".to_string()];
        let obj = vec![
            vec![1.0, 2.0],
            vec![3.0, 1.0],
            vec![2.0, 2.0],
            vec![0.0, 4.0],
        ];
        let r = robustness(&arms, &obj);
        assert_eq!(r[0].win_share, 2.5 / 4.0);
        assert_eq!(r[1].win_share, 1.5 / 4.0);
        assert_eq!(r[0].max_regret, 2.0);
        assert_eq!(r[1].mean_regret, (1.0 + 0.0 + 0.0 + 4.0) / 4.0);
        assert_eq!(r[0].percentiles[2], 1.5);
        assert_eq!(best_index(&[2.0, 1.0, 1.0]), 1);
    }
}
