//! The choice of Morris trajectories with maximal spread (Campolongo, Cariboni & Saltelli 2007,
//! "An effective screening design for sensitivity analysis of large models", *Environmental
//! Modelling & Software* 22(10), 1509–1518, §3): from M candidate trajectories, the r whose
//! points cover the unit cube best.
//!
//! The distance between trajectories `m` and `l` (each of `d + 1` points) is
//! `d_ml = Σ_i Σ_j ‖X_i^m − X_j^l‖` (Euclidean, over every pair of their points), and the
//! spread of a set is `D = sqrt(Σ_{m<l} d_ml²)` over its pairs (Campolongo et al.'s eq. 5).
//! Searching all `C(M, r)` sets is out of reach, so, like SALib's local optimisation
//! (`SALib/sample/morris/local.py`), the choice is greedy and then improved locally: start from
//! the farthest pair, add the candidate that raises `D²` most until there are r, then swap a
//! chosen trajectory for an unchosen one while a swap raises `D²`. The same swap search also
//! starts from the first r candidates, and the larger spread wins, so the chosen set is never
//! less spread than the first r (the unselected design). Ties go to the lower index, so the
//! choice is a pure function of the candidates.

/// `d_ml`: the sum of the Euclidean distances between every point of `a` and every point of
/// `b` (unit-cube coordinates).
pub fn trajectory_distance(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .map(|p| {
            b.iter()
                .map(|q| {
                    p.iter()
                        .zip(q)
                        .map(|(x, y)| (x - y) * (x - y))
                        .sum::<f64>()
                        .sqrt()
                })
                .sum::<f64>()
        })
        .sum()
}

/// `D`, the spread of a set of trajectories: `sqrt(Σ_{m<l} d_ml²)`.
pub fn spread(trajectories: &[&[Vec<f64>]]) -> f64 {
    let mut s = 0.0;
    for (m, a) in trajectories.iter().enumerate() {
        for b in &trajectories[m + 1..] {
            s += trajectory_distance(a, b).powi(2);
        }
    }
    s.sqrt()
}

/// `D²` of the set `chosen` from the matrix of squared distances.
fn spread2(d2: &[Vec<f64>], chosen: &[usize]) -> f64 {
    let mut s = 0.0;
    for (k, &m) in chosen.iter().enumerate() {
        for &l in &chosen[k + 1..] {
            s += d2[m][l];
        }
    }
    s
}

/// Swaps chosen for unchosen trajectories while a swap raises `D²` (the first best swap of
/// each pass, lowest indices first).
fn improve(d2: &[Vec<f64>], mut chosen: Vec<usize>) -> Vec<usize> {
    let n = d2.len();
    loop {
        // Each chosen trajectory's contribution to D²: the sum over the others.
        let contribution = |set: &[usize], m: usize| -> f64 {
            set.iter().filter(|&&l| l != m).map(|&l| d2[m][l]).sum()
        };
        let mut best: Option<(f64, usize, usize)> = None;
        for slot in 0..chosen.len() {
            let out = chosen[slot];
            let lost = contribution(&chosen, out);
            for cand in (0..n).filter(|c| !chosen.contains(c)) {
                let gained: f64 = chosen
                    .iter()
                    .filter(|&&l| l != out)
                    .map(|&l| d2[cand][l])
                    .sum();
                let gain = gained - lost;
                if gain > 1e-12 * (1.0 + lost) && best.is_none_or(|(g, ..)| gain > g) {
                    best = Some((gain, slot, cand));
                }
            }
        }
        match best {
            Some((_, slot, cand)) => chosen[slot] = cand,
            None => {
                chosen.sort_unstable();
                return chosen;
            }
        }
    }
}

/// The indices (ascending) of the `r` of `candidates` chosen for maximal spread; all of them
/// when `r >= candidates.len()`.
pub fn select_spread(candidates: &[&[Vec<f64>]], r: usize) -> Vec<usize> {
    let n = candidates.len();
    if r >= n {
        return (0..n).collect();
    }
    let mut d2 = vec![vec![0.0; n]; n];
    for m in 0..n {
        for l in m + 1..n {
            let d = trajectory_distance(candidates[m], candidates[l]).powi(2);
            d2[m][l] = d;
            d2[l][m] = d;
        }
    }
    // Greedy: the farthest pair, then the candidate adding most to D².
    let mut greedy: Vec<usize> = Vec::with_capacity(r);
    let mut far = (0, 1.min(n - 1), f64::NEG_INFINITY);
    for (m, row) in d2.iter().enumerate() {
        for (l, &v) in row.iter().enumerate().skip(m + 1) {
            if v > far.2 {
                far = (m, l, v);
            }
        }
    }
    greedy.push(far.0);
    if r > 1 {
        greedy.push(far.1);
    }
    while greedy.len() < r {
        let next = (0..n)
            .filter(|c| !greedy.contains(c))
            .map(|c| (c, greedy.iter().map(|&l| d2[c][l]).sum::<f64>()))
            .fold(None, |best: Option<(usize, f64)>, (c, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((c, s)),
            });
        match next {
            Some((c, _)) => greedy.push(c),
            None => break,
        }
    }
    let from_greedy = improve(&d2, greedy);
    let from_first = improve(&d2, (0..r).collect());
    if spread2(&d2, &from_first) > spread2(&d2, &from_greedy) {
        from_first
    } else {
        from_greedy
    }
}
