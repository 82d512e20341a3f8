//! Integration tests of `negcycle::stats`. Tolerances come from the documented error
//! bounds: exact equality where the module promises exactness, `(α + slack)·|x|` for the
//! quantile sketch, and a derived sampling tolerance for population quantiles.

use negcycle::stats::*;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

const N: usize = 100_000;
const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

fn uniform_sample(seed: u64, n: usize) -> Vec<f64> {
    let mut r = rng(seed);
    (0..n).map(|_| r.random::<f64>()).collect()
}

fn normal_sample(seed: u64, n: usize) -> Vec<f64> {
    let mut r = rng(seed);
    (0..n).map(|_| StandardNormal.sample(&mut r)).collect()
}

fn moments_of(xs: &[f64]) -> Moments {
    let mut m = Moments::new();
    xs.iter().for_each(|&x| m.push(x));
    m
}

fn sketch_of(xs: &[f64]) -> QuantileSketch {
    let mut s = QuantileSketch::new();
    xs.iter().for_each(|&x| s.push(x));
    s
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs())
}

/// Sample quantile as the sketch defines it: 0-based rank ⌊q·(n−1)⌋ of the sorted sample.
fn sample_quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[(q * (sorted.len() - 1) as f64).floor() as usize]
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

// ------------------------------------------------------------------------ Moments

/// Fixed dataset: 10,000 normal values with mean 1000 and sd 3 (a large mean relative to
/// the spread, where naive Σx² formulas lose digits).
fn fixed_dataset() -> Vec<f64> {
    normal_sample(11, 10_000)
        .into_iter()
        .map(|z| 1000.0 + 3.0 * z)
        .collect()
}

#[test]
fn moments_match_two_pass_reference() {
    let xs = fixed_dataset();
    let m = moments_of(&xs);
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert_eq!(m.count(), xs.len() as u64);
    assert!(rel_close(m.mean(), mean, 1e-12), "{} vs {mean}", m.mean());
    assert!(
        rel_close(m.variance(), var, 1e-12),
        "{} vs {var}",
        m.variance()
    );
    assert!(rel_close(m.sd(), var.sqrt(), 1e-12));
    let se = (var / n).sqrt();
    assert!(rel_close(m.standard_error(), se, 1e-12));
    let (lo, hi) = m.ci95();
    assert!(rel_close(lo, mean - Z95 * se, 1e-12));
    assert!(rel_close(hi, mean + Z95 * se, 1e-12));
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(m.min(), min);
    assert_eq!(m.max(), max);
    assert!(rel_close(m.sum(), xs.iter().sum::<f64>(), 1e-12));
}

#[test]
fn moments_are_exact_on_integers_even_with_a_huge_offset() {
    // Values 1..=1000: mean 500.5, variance n(n+1)/12, both correctly rounded.
    let m = moments_of(&(1..=1000).map(f64::from).collect::<Vec<_>>());
    assert_eq!(m.mean(), 500.5);
    assert_eq!(m.variance(), 1000.0 * 1001.0 / 12.0);
    // Shifted by 1e9 (exactly representable): the same variance, no cancellation.
    let m = moments_of(&(1..=1000).map(|i| 1e9 + f64::from(i)).collect::<Vec<_>>());
    assert_eq!(m.mean(), 1e9 + 500.5);
    assert_eq!(m.variance(), 1000.0 * 1001.0 / 12.0);
}

/// The exact `Σx` of `n` copies of `x` is `n·x`, so a correctly rounded mean is `x` itself. The
/// mean used to divide `Σx` rounded to an `f64` by `n` (two roundings): 300 copies of
/// `0.4827586206896552` (14/29, the `unsettled_share` of every trial of `frictionless` at two
/// years) gave `0.48275862068965525`, one ulp above the min and the max.
#[test]
fn the_mean_of_copies_of_one_value_is_that_value() {
    let m = moments_of(&[0.4827586206896552; 300]);
    assert_eq!(m.mean().to_bits(), 0.4827586206896552f64.to_bits());
    for x in [
        0.4827586206896552,
        14.0 / 29.0,
        0.1,
        1.0 / 3.0,
        2.0 / 3.0,
        1e-5,
        12345.678,
    ] {
        for n in [3usize, 7, 300, 1_000, 10_000] {
            let m = moments_of(&vec![x; n]);
            assert_eq!((m.min(), m.max()), (x, x));
            assert_eq!(m.mean(), x, "{n} copies of {x}");
        }
    }
}

#[test]
fn moments_merge_at_every_split_point_equals_sequential() {
    let xs: Vec<f64> = fixed_dataset().into_iter().take(600).collect();
    let whole = moments_of(&xs);
    for k in 0..=xs.len() {
        let mut a = moments_of(&xs[..k]);
        a.merge(&moments_of(&xs[k..]));
        // The documented contract is exactness; this implies the 1e-12 tolerance.
        assert_eq!(a, whole, "split at {k}");
        assert!(rel_close(a.mean(), whole.mean(), 1e-12));
        assert!(rel_close(a.variance(), whole.variance(), 1e-12));
        assert_eq!(a.mean().to_bits(), whole.mean().to_bits());
        assert_eq!(a.variance().to_bits(), whole.variance().to_bits());
        assert_eq!(a.count(), whole.count());
        assert_eq!((a.min(), a.max()), (whole.min(), whole.max()));
    }
}

/// Per-block summaries computed on `threads` threads, merged in block order.
fn blocks_on_threads(xs: &[f64], block: usize, threads: usize) -> Vec<MetricTally> {
    let chunks: Vec<&[f64]> = xs.chunks(block).collect();
    let mut out: Vec<Option<MetricTally>> = vec![None; chunks.len()];
    std::thread::scope(|scope| {
        let per_thread = chunks.len().div_ceil(threads);
        for (slots, mine) in out.chunks_mut(per_thread).zip(chunks.chunks(per_thread)) {
            scope.spawn(move || {
                for (slot, data) in slots.iter_mut().zip(mine) {
                    let mut acc = MetricTally::new();
                    data.iter().for_each(|&x| acc.push(x));
                    *slot = Some(acc);
                }
            });
        }
    });
    out.into_iter().flatten().collect()
}

fn fold(blocks: &[MetricTally]) -> MetricTally {
    let mut acc = MetricTally::new();
    for b in blocks {
        acc.merge(b).expect("same parameters");
    }
    acc
}

#[test]
fn merges_are_bit_identical_across_runs_threads_and_shards() {
    let xs = normal_sample(3, 20_000);
    let reference = json(&fold(&blocks_on_threads(&xs, 1000, 1)));
    let reference_summary = json(&fold(&blocks_on_threads(&xs, 1000, 1)).summary());
    for threads in [1, 2, 3, 4, 8] {
        let blocks = blocks_on_threads(&xs, 1000, threads);
        assert_eq!(json(&fold(&blocks)), reference, "{threads} threads");
        // Shards: contiguous ranges of blocks, each folded (and sent through JSON, as a
        // shard file would be), then merged in block order.
        for cuts in [vec![0, 20], vec![0, 7, 20], vec![0, 1, 2, 13, 19, 20]] {
            let mut total = MetricTally::new();
            for w in cuts.windows(2) {
                let shard = fold(&blocks[w[0]..w[1]]);
                let shard: MetricTally = serde_json::from_str(&json(&shard)).unwrap();
                total.merge(&shard).unwrap();
            }
            assert_eq!(json(&total), reference, "shards {cuts:?}");
            assert_eq!(json(&total.summary()), reference_summary);
        }
    }
    // The whole sample pushed sequentially gives the same state too.
    let mut seq = MetricTally::new();
    xs.iter().for_each(|&x| seq.push(x));
    assert_eq!(json(&seq), reference);
}

#[test]
fn moments_empty_merge_is_identity_on_both_sides() {
    let xs = fixed_dataset();
    let m = moments_of(&xs);
    let mut left = m.clone();
    left.merge(&Moments::new());
    assert_eq!(json(&left), json(&m));
    let mut right = Moments::new();
    right.merge(&m);
    assert_eq!(json(&right), json(&m));
    assert_eq!(right.mean().to_bits(), m.mean().to_bits());
    assert_eq!(right.variance().to_bits(), m.variance().to_bits());
    let mut empty = Moments::new();
    empty.merge(&Moments::new());
    assert_eq!(empty, Moments::new());
}

#[test]
fn moments_empty_and_single_value_are_documented_zeros() {
    let e = Moments::new();
    assert_eq!(
        (
            e.count(),
            e.mean(),
            e.variance(),
            e.sd(),
            e.standard_error()
        ),
        (0, 0.0, 0.0, 0.0, 0.0)
    );
    assert_eq!((e.min(), e.max(), e.ci95()), (0.0, 0.0, (0.0, 0.0)));
    let s = moments_of(&[-2.5]);
    assert_eq!(
        (s.count(), s.mean(), s.variance(), s.standard_error()),
        (1, -2.5, 0.0, 0.0)
    );
    assert_eq!((s.min(), s.max(), s.ci95()), (-2.5, -2.5, (-2.5, -2.5)));
}

#[test]
fn moments_reject_non_finite_and_huge_values() {
    let mut m = moments_of(&[1.0, 2.0, 3.0]);
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e141, -f64::MAX] {
        m.push(x);
    }
    assert_eq!((m.count(), m.rejected()), (3, 5));
    assert_eq!(
        (m.mean(), m.variance(), m.min(), m.max()),
        (2.0, 1.0, 1.0, 3.0)
    );
    // Extreme accepted values stay finite.
    let mut big = moments_of(&[MAX_ABS_VALUE, -MAX_ABS_VALUE, MAX_ABS_VALUE]);
    big.merge(&big.clone());
    assert!(big.mean().is_finite() && big.variance().is_finite());
    assert!(rel_close(big.mean(), MAX_ABS_VALUE / 3.0, 1e-15));
    // Subnormals are summed exactly.
    let tiny = moments_of(&[5e-324, 5e-324, -5e-324]);
    assert_eq!(tiny.sum(), 5e-324);
}

#[test]
fn moments_serde_round_trip_is_exact() {
    let m = moments_of(&fixed_dataset());
    let back: Moments = serde_json::from_str(&json(&m)).unwrap();
    assert_eq!(back, m);
    assert_eq!(json(&back), json(&m));
    assert_eq!(back.mean().to_bits(), m.mean().to_bits());
}

// ---------------------------------------------------------------- Quantile sketch

fn assert_within_alpha_of_sample(xs: &[f64], what: &str) {
    let sketch = sketch_of(xs);
    let sorted = sorted(xs);
    let bound = sketch.relative_accuracy() + QUANTILE_ROUNDING_SLACK;
    let extra = [0.0, 0.001, 0.01, 0.5 - 1e-9, 0.99, 0.999, 1.0];
    for q in QS.iter().chain(&extra).copied() {
        let exact = sample_quantile(&sorted, q);
        let got = sketch.quantile(q).unwrap();
        assert!(
            (got - exact).abs() <= bound * exact.abs(),
            "{what} q={q}: sketch {got} vs sample {exact}"
        );
    }
}

#[test]
fn sketch_uniform_quantiles_within_alpha_of_sample_quantiles() {
    assert_within_alpha_of_sample(&uniform_sample(1, N), "uniform");
}

#[test]
fn sketch_normal_quantiles_within_alpha_of_sample_quantiles() {
    assert_within_alpha_of_sample(&normal_sample(2, N), "normal");
}

/// |sketch − x_q| ≤ α·|sample quantile| + 4·sd(sample quantile) + rank discretisation,
/// with sd ≈ sqrt(q(1−q)/n)/f(x_q) and the ⌊q(n−1)⌋ rank off by at most 1 from q·n,
/// i.e. 1/(n·f(x_q)) in value.
fn assert_matches_population(
    xs: &[f64],
    inverse_cdf: impl Fn(f64) -> f64,
    pdf: impl Fn(f64) -> f64,
) {
    let sketch = sketch_of(xs);
    let sorted = sorted(xs);
    let n = xs.len() as f64;
    let alpha = sketch.relative_accuracy() + QUANTILE_ROUNDING_SLACK;
    for q in QS {
        let truth = inverse_cdf(q);
        let density = pdf(truth);
        let sampling = 4.0 * (q * (1.0 - q) / n).sqrt() / density + 1.0 / (n * density);
        let tol = alpha * sample_quantile(&sorted, q).abs() + sampling;
        let got = sketch.quantile(q).unwrap();
        assert!(
            (got - truth).abs() <= tol,
            "q={q}: {got} vs {truth} (tol {tol})"
        );
    }
}

#[test]
fn sketch_matches_population_quantiles() {
    assert_matches_population(&uniform_sample(4, N), |q| q, |_| 1.0);
    let normal_quantile = |q: f64| match q {
        0.05 => -1.6448536269514722,
        0.25 => -0.6744897501960817,
        0.5 => 0.0,
        0.75 => 0.6744897501960817,
        0.95 => 1.6448536269514722,
        _ => f64::NAN,
    };
    let normal_pdf = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    assert_matches_population(&normal_sample(5, N), normal_quantile, normal_pdf);
}

#[test]
fn sketch_merge_of_shards_is_bit_identical_to_whole() {
    for xs in [uniform_sample(6, N), normal_sample(7, N)] {
        let whole = json(&sketch_of(&xs));
        let cuts = [0, 1, 17, 5_000, 33_333, 33_334, 90_000, N];
        let shards: Vec<QuantileSketch> = cuts
            .windows(2)
            .map(|w| sketch_of(&xs[w[0]..w[1]]))
            .collect();
        let mut forward = QuantileSketch::new();
        shards.iter().for_each(|s| forward.merge(s).unwrap());
        assert_eq!(json(&forward), whole);
        let mut backward = QuantileSketch::new();
        shards.iter().rev().for_each(|s| backward.merge(s).unwrap());
        assert_eq!(json(&backward), whole);
        // Nested grouping.
        let mut left = shards[0].clone();
        left.merge(&shards[1]).unwrap();
        let mut right = shards[2].clone();
        shards[3..].iter().for_each(|s| right.merge(s).unwrap());
        left.merge(&right).unwrap();
        assert_eq!(json(&left), whole);
    }
}

#[test]
fn sketch_handles_negatives_and_zeros() {
    let mut xs = normal_sample(8, 10_000);
    xs.extend(std::iter::repeat_n(0.0, 1_500));
    xs.extend(std::iter::repeat_n(-0.0, 500));
    xs.push(1e-310); // below f64::MIN_POSITIVE: counted as zero
    let sketch = sketch_of(&xs);
    assert_eq!(sketch.count(), xs.len() as u64);
    let sorted_xs = sorted(&xs);
    let bound = sketch.relative_accuracy() + QUANTILE_ROUNDING_SLACK;
    for i in 0..=200 {
        let q = f64::from(i) / 200.0;
        let exact = sample_quantile(&sorted_xs, q);
        let got = sketch.quantile(q).unwrap();
        if exact.abs() < f64::MIN_POSITIVE {
            assert_eq!(got, 0.0, "q={q}");
        } else {
            assert!(
                (got - exact).abs() <= bound * exact.abs(),
                "q={q}: {got} vs {exact}"
            );
            assert_eq!(got.signum(), exact.signum());
        }
    }
    // All-negative data: the order is mirrored correctly.
    let neg: Vec<f64> = (1..=1000).map(|i| -f64::from(i)).collect();
    let s = sketch_of(&neg);
    let sorted_neg = sorted(&neg);
    for q in QS {
        let exact = sample_quantile(&sorted_neg, q);
        assert!((s.quantile(q).unwrap() - exact).abs() <= bound * exact.abs());
    }
}

#[test]
fn sketch_empty_rejected_and_clamped_queries() {
    let mut s = QuantileSketch::new();
    assert_eq!((s.count(), s.quantile(0.5)), (0, None));
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2e140] {
        s.push(x);
    }
    assert_eq!((s.count(), s.rejected(), s.quantile(0.5)), (0, 4, None));
    s.push(3.0);
    assert_eq!(s.quantile(f64::NAN), None);
    assert_eq!(s.quantile(-1.0), s.quantile(0.0));
    assert_eq!(s.quantile(7.0), s.quantile(1.0));
    let v = s.quantile(0.5).unwrap();
    assert!((v - 3.0).abs() <= (DEFAULT_RELATIVE_ACCURACY + QUANTILE_ROUNDING_SLACK) * 3.0);
    assert!(!s.is_collapsed());
}

#[test]
fn sketch_parameters_are_validated_and_mismatched_merge_errors() {
    for alpha in [0.0, -0.1, 1.0, f64::NAN, 1e-9] {
        match QuantileSketch::with_relative_accuracy(alpha) {
            Err(StatsError::InvalidRelativeAccuracy { alpha: got }) => {
                assert_eq!(got.to_bits(), alpha.to_bits());
            }
            other => panic!("alpha {alpha} accepted: {other:?}"),
        }
    }
    assert!(QuantileSketch::with_relative_accuracy_and_max_buckets(0.01, 0).is_err());
    let mut a = QuantileSketch::with_relative_accuracy(0.01).unwrap();
    a.push(1.0);
    let before = a.clone();
    let b = QuantileSketch::new();
    let err = a.merge(&b).unwrap_err();
    assert!(matches!(err, StatsError::SketchMismatch { .. }));
    assert!(err.to_string().contains("different parameters"));
    assert_eq!(a, before);
    let mut acc = MetricTally::with_relative_accuracy(0.01).unwrap();
    acc.push(1.0);
    let acc_before = acc.clone();
    assert!(acc.merge(&MetricTally::new()).is_err());
    assert_eq!(acc, acc_before, "failed merge leaves the tally unchanged");
}

#[test]
fn sketch_memory_is_bounded_and_collapse_is_deterministic() {
    // Magnitudes spread over 200 decades with only 64 buckets per sign.
    let mut r = rng(9);
    let xs: Vec<f64> = (0..50_000)
        .map(|_| {
            let sign = if r.random::<bool>() { 1.0 } else { -1.0 };
            sign * 10f64.powf(r.random::<f64>() * 200.0 - 100.0)
        })
        .collect();
    let build = |data: &[f64]| {
        let mut s = QuantileSketch::with_relative_accuracy_and_max_buckets(0.01, 64).unwrap();
        data.iter().for_each(|&x| s.push(x));
        s
    };
    let whole = build(&xs);
    assert!(whole.is_collapsed());
    let value = serde_json::to_value(&whole).unwrap();
    for store in ["positive", "negative"] {
        let len = value[store]["counts"].as_array().unwrap().len();
        assert!(len <= 64, "{store} has {len} buckets");
    }
    // Quantiles of the largest magnitudes keep the guarantee.
    let sorted = sorted(&xs);
    for q in [0.0, 0.001, 0.999, 1.0] {
        let exact = sample_quantile(&sorted, q);
        let got = whole.quantile(q).unwrap();
        assert!((got - exact).abs() <= (0.01 + QUANTILE_ROUNDING_SLACK) * exact.abs());
    }
    // Shards collapse to the same state.
    let mut merged = build(&xs[..123]);
    merged.merge(&build(&xs[123..40_000])).unwrap();
    merged.merge(&build(&xs[40_000..])).unwrap();
    assert_eq!(json(&merged), json(&whole));
    // Default parameters: a million values of a plausible metric stay small.
    let s = sketch_of(&uniform_sample(10, 1_000_000));
    let len = serde_json::to_value(&s).unwrap()["positive"]["counts"]
        .as_array()
        .unwrap()
        .len();
    assert!(len <= DEFAULT_MAX_BUCKETS);
}

#[test]
fn sketch_serde_round_trip_is_exact() {
    let mut xs = normal_sample(12, 5_000);
    xs.extend([0.0, f64::NAN]);
    let s = sketch_of(&xs);
    let text = json(&s);
    let back: QuantileSketch = serde_json::from_str(&text).unwrap();
    assert_eq!(back, s);
    assert_eq!(json(&back), text);
    for q in QS {
        assert_eq!(
            back.quantile(q).unwrap().to_bits(),
            s.quantile(q).unwrap().to_bits()
        );
    }
    let bad = text.replace("\"alpha\":0.005", "\"alpha\":2.0");
    assert!(serde_json::from_str::<QuantileSketch>(&bad).is_err());
}

// ---------------------------------------------------------------------- Histogram

#[test]
fn histogram_bin_assignment_at_edges_and_out_of_range() {
    let mut h = Histogram::new(vec![0.0, 1.0, 2.0, 4.0]).unwrap();
    for x in [0.0, -0.0, 0.999, 1.0, 1.5, 2.0, 3.999, 4.0] {
        h.push(x);
    }
    assert_eq!(h.counts(), &[3, 2, 3]);
    for x in [-1e-300, -1.0, f64::NEG_INFINITY] {
        h.push(x);
    }
    for x in [4.000000000000001, 1e300, f64::INFINITY] {
        h.push(x);
    }
    h.push(f64::NAN);
    assert_eq!(
        (h.underflow(), h.overflow(), h.nan(), h.total()),
        (3, 3, 1, 14)
    );
    assert_eq!(h.edges(), &[0.0, 1.0, 2.0, 4.0]);
}

#[test]
fn histogram_uniform_edges() {
    let h = Histogram::uniform(-1.0, 1.0, 4).unwrap();
    assert_eq!(h.edges(), &[-1.0, -0.5, 0.0, 0.5, 1.0]);
    assert_eq!(h.counts().len(), 4);
    let h = Histogram::uniform(0.0, 0.3, 3).unwrap();
    assert_eq!(*h.edges().last().unwrap(), 0.3);
    for (lo, hi, bins) in [
        (1.0, 1.0, 3),
        (2.0, 1.0, 3),
        (0.0, 1.0, 0),
        (f64::NAN, 1.0, 2),
        (-f64::MAX, f64::MAX, 2),
    ] {
        assert!(matches!(
            Histogram::uniform(lo, hi, bins),
            Err(StatsError::InvalidUniformRange { .. })
        ));
    }
}

#[test]
fn histogram_merge_and_mismatched_edges() {
    let xs = uniform_sample(13, 10_000);
    let mut whole = Histogram::uniform(0.1, 0.9, 8).unwrap();
    xs.iter().for_each(|&x| whole.push(x));
    let mut a = Histogram::uniform(0.1, 0.9, 8).unwrap();
    let mut b = a.clone();
    xs[..3_000].iter().for_each(|&x| a.push(x));
    xs[3_000..].iter().for_each(|&x| b.push(x));
    a.merge(&b).unwrap();
    assert_eq!(a, whole);
    assert_eq!(whole.total(), 10_000);
    let other = Histogram::uniform(0.1, 0.9, 7).unwrap();
    assert_eq!(a.merge(&other), Err(StatsError::EdgesMismatch));
    let back: Histogram = serde_json::from_str(&json(&whole)).unwrap();
    assert_eq!(back, whole);
}

#[test]
fn histogram_rejects_invalid_edges() {
    assert_eq!(
        Histogram::new(vec![1.0]),
        Err(StatsError::TooFewEdges { len: 1 })
    );
    assert_eq!(
        Histogram::new(vec![]),
        Err(StatsError::TooFewEdges { len: 0 })
    );
    for edges in [
        vec![0.0, 0.0],
        vec![0.0, 2.0, 1.0],
        vec![0.0, f64::NAN],
        vec![f64::NEG_INFINITY, 0.0],
    ] {
        assert!(matches!(
            Histogram::new(edges),
            Err(StatsError::InvalidEdges { .. })
        ));
    }
}

// ------------------------------------------------------------------------- Paired

#[test]
fn paired_mean_and_se_on_known_data() {
    let mut p = Paired::new();
    for (arm, reference) in [(3.0, 1.0), (5.0, 2.0), (7.0, 3.0), (9.0, 4.0)] {
        p.push(arm, reference);
    }
    // Differences 2, 3, 4, 5: mean 3.5, sample variance 5/3, se = sqrt(5/3)/2.
    let se = (5.0f64 / 3.0).sqrt() / 2.0;
    assert_eq!(p.count(), 4);
    assert_eq!(p.mean(), 3.5);
    assert!(rel_close(p.standard_error(), se, 1e-15));
    let (lo, hi) = p.ci95();
    assert!(rel_close(lo, 3.5 - Z95 * se, 1e-15) && rel_close(hi, 3.5 + Z95 * se, 1e-15));
    let s = p.summary();
    assert_eq!(
        (s.mean, s.se, s.ci95),
        (p.mean(), p.standard_error(), [lo, hi])
    );
    // Merge equals sequential.
    let mut a = Paired::new();
    a.push(3.0, 1.0);
    let mut b = Paired::new();
    for (arm, reference) in [(5.0, 2.0), (7.0, 3.0), (9.0, 4.0)] {
        b.push(arm, reference);
    }
    a.merge(&b);
    assert_eq!(a, p);
    p.push(f64::NAN, 1.0);
    assert_eq!((p.count(), p.rejected()), (4, 1));
}

#[test]
fn paired_is_tighter_than_unpaired_under_common_noise() {
    // Same world per trial: arm = world + 0.1 + small noise, reference = world.
    let mut r = rng(14);
    let (mut p, mut arm, mut reference) = (Paired::new(), Moments::new(), Moments::new());
    for _ in 0..10_000 {
        let world: f64 = StandardNormal.sample(&mut r);
        let noise: f64 = StandardNormal.sample(&mut r);
        let (a, b) = (world + 0.1 + 0.01 * noise, world);
        p.push(a, b);
        arm.push(a);
        reference.push(b);
    }
    let unpaired_se = (arm.standard_error().powi(2) + reference.standard_error().powi(2)).sqrt();
    assert!(p.standard_error() < unpaired_se / 50.0);
    // se of the mean of 0.01·N(0,1) noise is 1e-4; 4 of them around 0.1.
    assert!((p.mean() - 0.1).abs() <= 4.0 * 0.01 / 100.0);
}

// ------------------------------------------------------------------------ Summary

#[test]
fn metric_tally_summary_on_known_data() {
    let mut acc = MetricTally::new();
    (1..=100).for_each(|i| acc.push(f64::from(i)));
    let s = acc.summary();
    assert_eq!((s.n, s.mean, s.min, s.max), (100, 50.5, 1.0, 100.0));
    assert_eq!(s.sd, (100.0f64 * 101.0 / 12.0).sqrt());
    assert_eq!(s.se, s.sd / 10.0);
    assert_eq!(s.ci95, [50.5 - Z95 * s.se, 50.5 + Z95 * s.se]);
    let bound = DEFAULT_RELATIVE_ACCURACY + QUANTILE_ROUNDING_SLACK;
    // Ranks ⌊q·99⌋: 4, 24, 49, 74, 94 → values 5, 25, 50, 75, 95.
    for (got, exact) in [
        (s.p05, 5.0),
        (s.p25, 25.0),
        (s.p50, 50.0),
        (s.p75, 75.0),
        (s.p95, 95.0),
    ] {
        assert!((got - exact).abs() <= bound * exact, "{got} vs {exact}");
    }
}

#[test]
fn metric_tally_empty_summary_is_zeros() {
    let s = MetricTally::new().summary();
    let zero = Summary {
        n: 0,
        mean: 0.0,
        sd: 0.0,
        se: 0.0,
        ci95: [0.0, 0.0],
        min: 0.0,
        max: 0.0,
        p05: 0.0,
        p25: 0.0,
        p50: 0.0,
        p75: 0.0,
        p95: 0.0,
    };
    assert_eq!(s, zero);
    let mut acc = MetricTally::new();
    acc.push(f64::NAN);
    assert_eq!((acc.summary(), acc.rejected(), acc.count()), (zero, 1, 0));
}

#[test]
fn summaries_serde_round_trip_is_exact() {
    let xs = normal_sample(15, 20_000);
    let mut acc = MetricTally::new();
    let mut p = Paired::new();
    for w in xs.chunks(2) {
        acc.push(w[0]);
        p.push(w[0], w[1]);
    }
    let s = acc.summary();
    let back: Summary = serde_json::from_str(&json(&s)).unwrap();
    assert_eq!(back, s);
    for (a, b) in [
        (back.mean, s.mean),
        (back.sd, s.sd),
        (back.ci95[0], s.ci95[0]),
        (back.p95, s.p95),
    ] {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    let acc_back: MetricTally = serde_json::from_str(&json(&acc)).unwrap();
    assert_eq!(acc_back, acc);
    assert_eq!(acc_back.summary(), s);
    let ps = p.summary();
    let ps_back: PairedSummary = serde_json::from_str(&json(&ps)).unwrap();
    assert_eq!(ps_back, ps);
    let p_back: Paired = serde_json::from_str(&json(&p)).unwrap();
    assert_eq!(p_back, p);
}

// ------------------------------------------------------ Summary quantiles: clamped, within α

fn summary_quantiles(s: &Summary) -> [f64; 5] {
    [s.p05, s.p25, s.p50, s.p75, s.p95]
}

#[test]
fn quantile_relative_error_is_the_default_sketch_accuracy() {
    assert_eq!(
        QUANTILE_RELATIVE_ERROR.to_bits(),
        QuantileSketch::new().relative_accuracy().to_bits()
    );
    assert_eq!(
        QUANTILE_RELATIVE_ERROR.to_bits(),
        MetricTally::new().sketch().relative_accuracy().to_bits()
    );
    assert_eq!(QUANTILE_RELATIVE_ERROR, 0.005);
}

#[test]
fn constant_sample_reports_its_value_as_every_quantile() {
    // 30 and 10 are reported as 30.117 and 10.025 by the sketch alone (their buckets'
    // representatives); negative, fractional and zero values are covered too.
    for v in [30.0, 10.0, 1.0, -2.5, 0.1, 0.0, 1e-300, 7e139] {
        let mut tally = MetricTally::new();
        (0..1000).for_each(|_| tally.push(v));
        let s = tally.summary();
        assert_eq!(
            (s.n, s.min.to_bits(), s.max.to_bits()),
            (1000, v.to_bits(), v.to_bits())
        );
        for got in summary_quantiles(&s) {
            assert_eq!(got.to_bits(), v.to_bits(), "value {v}: quantile {got}");
        }
    }
}

#[test]
fn quantile_at_the_maximum_of_a_count_is_the_maximum() {
    // A count metric with most trials at its maximum 30 and a tail down to 10: the sketch
    // alone reports 30.117 for the upper quantiles, above the maximum, and 10.024 for p05,
    // which lies inside [min, max] and so stays (within α of 10).
    let mut tally = MetricTally::new();
    (0..900).for_each(|_| tally.push(30.0));
    (0..100).for_each(|_| tally.push(10.0));
    let s = tally.summary();
    assert!(tally.sketch().quantile(0.5).unwrap() > 30.0);
    assert_eq!((s.min, s.max), (10.0, 30.0));
    assert_eq!([s.p25, s.p50, s.p75, s.p95], [30.0; 4]);
    assert_eq!(s.p05, tally.sketch().quantile(0.05).unwrap());
    assert!(s.p05 > 10.0 && s.p05 - 10.0 <= QUANTILE_RELATIVE_ERROR * 10.0);
}

/// Samples where clamping matters (integer counts, constants) and where it does not.
fn sample_strategy() -> impl proptest::strategy::Strategy<Value = Vec<f64>> {
    use proptest::prelude::*;
    prop_oneof![
        prop::collection::vec((0u32..=30).prop_map(f64::from), 1..400),
        prop::collection::vec(-1e6f64..1e6, 1..400),
        prop::collection::vec((-60i32..60).prop_map(|e| 2f64.powi(e) * 1.5), 1..400),
        (any::<f64>(), 1usize..50).prop_map(|(x, n)| vec![x; n]),
        prop::collection::vec(any::<f64>(), 1..100),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    #[test]
    fn summary_quantiles_are_ordered_in_min_max_and_within_alpha(xs in sample_strategy()) {
        let mut tally = MetricTally::new();
        xs.iter().for_each(|&x| tally.push(x));
        let s = tally.summary();
        let qs = summary_quantiles(&s);
        let chain = [s.min, qs[0], qs[1], qs[2], qs[3], qs[4], s.max];
        proptest::prop_assert!(
            chain.windows(2).all(|w| w[0] <= w[1]),
            "min ≤ p05 ≤ … ≤ p95 ≤ max fails: {chain:?}"
        );
        // Exact sample quantiles of the absorbed values (non-finite and huge ones are
        // rejected by the tally, and -0.0 is recorded as +0.0).
        let absorbed: Vec<f64> = xs
            .iter()
            .copied()
            .filter(|x| x.abs() <= MAX_ABS_VALUE)
            .map(|x| if x == 0.0 { 0.0 } else { x })
            .collect();
        proptest::prop_assert_eq!(s.n, absorbed.len() as u64);
        if absorbed.is_empty() {
            proptest::prop_assert!(chain.iter().all(|&v| v == 0.0));
        } else if !tally.sketch().is_collapsed() {
            let sorted = sorted(&absorbed);
            let bound = QUANTILE_RELATIVE_ERROR + QUANTILE_ROUNDING_SLACK;
            for (got, q) in qs.into_iter().zip(QS) {
                let exact = sample_quantile(&sorted, q);
                let raw = tally.sketch().quantile(q).unwrap();
                // The sketch counts subnormal magnitudes as 0 (documented): absolute error
                // below f64::MIN_POSITIVE there, relative error α everywhere else.
                let tol = if exact.abs() < f64::MIN_POSITIVE {
                    exact.abs()
                } else {
                    bound * exact.abs()
                };
                proptest::prop_assert!(
                    (got - exact).abs() <= tol,
                    "q={q}: summary {got} vs sample {exact}"
                );
                // Clamping never moves an estimate away from the sample value.
                proptest::prop_assert!((got - exact).abs() <= (raw - exact).abs());
            }
        }
    }
}

/// The mean is the exact mean rounded once, down to the subnormal range: `(3·2⁻¹⁰⁷⁴) / 2` is
/// the tie 1.5·2⁻¹⁰⁷⁴ (to even: 2·2⁻¹⁰⁷⁴), a third of 2⁻¹⁰⁷⁴ rounds to 0 (reported as +0, also
/// for a negative sum), two thirds to 2⁻¹⁰⁷⁴; and `1 + 2⁻⁵²` and `1` average to the tie
/// `1 + 2⁻⁵³`, which rounds to even, 1.
#[test]
fn the_mean_is_rounded_once_even_for_ties_and_subnormals() {
    let tiny = 5e-324;
    assert_eq!(moments_of(&[3.0 * tiny, 0.0]).mean(), 2.0 * tiny);
    assert_eq!(moments_of(&[tiny, 0.0, 0.0]).mean().to_bits(), 0);
    assert_eq!(moments_of(&[-tiny, 0.0, 0.0]).mean().to_bits(), 0);
    assert_eq!(moments_of(&[tiny, tiny, 0.0]).mean(), tiny);
    assert_eq!(moments_of(&[-tiny, -tiny, 0.0]).mean(), -tiny);
    let up = 1.0 + f64::EPSILON;
    assert_eq!(moments_of(&[up, 1.0]).mean(), 1.0);
    assert_eq!(moments_of(&[up, up, 1.0]).mean(), up);
    assert_eq!(moments_of(&[-up, -up, -1.0]).mean(), -up);
    // The largest accepted magnitudes: no overflow in the exact sum or the division.
    let m = moments_of(&[MAX_ABS_VALUE, MAX_ABS_VALUE, -MAX_ABS_VALUE]);
    assert_eq!(m.mean(), MAX_ABS_VALUE / 3.0);
}

/// `m` rounded to the nearest `f64`, ties to even, by an independent route: round to odd
/// (the sticky bit in bit 0, at least two bits below the rounding position), then Rust's
/// correctly rounded `u128 as f64`.
fn round_quotient(num: u128, den: u128) -> f64 {
    assert!(num >= den << 56, "the quotient needs 57 bits");
    let (q, r) = (num / den, num % den);
    (q | u128::from(r != 0)) as f64
}

/// The exact mean of `k · 2^s` (integers `k`) with `i128` sums, rounded once.
fn exact_mean(ks: &[i64], s: i32) -> f64 {
    let sum: i128 = ks.iter().map(|&k| i128::from(k)).sum();
    if sum == 0 {
        return 0.0;
    }
    // |Σk| < 2⁶¹ here, so |Σk| · 2⁶⁶ fits; the quotient is ≥ 2⁶⁶ / n > 2⁵⁷.
    let q = round_quotient(sum.unsigned_abs() << 66, ks.len() as u128);
    let v = q * 2f64.powi(s - 66);
    if sum < 0 { -v } else { v }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// The mean of integers scaled by a power of two equals the exact mean rounded once.
    #[test]
    fn the_mean_is_the_exact_mean_rounded_once(
        ks in proptest::collection::vec(-(1i64 << 52)..(1i64 << 52), 1..300),
        small in proptest::bool::ANY,
        s in -60i32..60,
    ) {
        // Small integers too, where ties and short quotients are common.
        let ks: Vec<i64> = if small { ks.iter().map(|k| k % 7).collect() } else { ks };
        let xs: Vec<f64> = ks.iter().map(|&k| k as f64 * 2f64.powi(s)).collect();
        let m = moments_of(&xs);
        proptest::prop_assert_eq!(m.mean().to_bits(), exact_mean(&ks, s).to_bits());
        proptest::prop_assert!(m.min() <= m.mean() && m.mean() <= m.max());
    }

    /// Any sample: the mean lies in [min, max]; a constant sample has that constant as mean.
    #[test]
    fn the_mean_lies_in_min_max_and_a_constant_is_its_own_mean(
        xs in sample_strategy(),
        x in proptest::num::f64::ANY,
        n in 1usize..3000,
    ) {
        let m = moments_of(&xs);
        proptest::prop_assert!(m.min() <= m.mean() && m.mean() <= m.max(), "{:?}", m);
        if x.abs() <= MAX_ABS_VALUE {
            let c = moments_of(&vec![x; n]);
            proptest::prop_assert_eq!(c.mean(), x);
            proptest::prop_assert_eq!(c.variance(), 0.0);
        }
    }
}

/// The exact sample variance of `k · 2^s` (integers `k`, at least two) with `i128` sums,
/// rounded once: `(n·Σk² − (Σk)²) / (n(n−1)) · 4^s`.
fn exact_variance(ks: &[i64], s: i32) -> f64 {
    let n = ks.len() as i128;
    let sum: i128 = ks.iter().map(|&k| i128::from(k)).sum();
    let sum_sq: i128 = ks.iter().map(|&k| i128::from(k) * i128::from(k)).sum();
    let numerator = (n * sum_sq - sum * sum) as u128;
    if numerator == 0 {
        return 0.0;
    }
    // Normalised to 127 bits: the quotient is ≥ 2¹²⁶ / n² > 2⁵⁷ for n < 2³⁴.
    let shift = numerator.leading_zeros() - 1;
    let q = round_quotient(numerator << shift, (n * (n - 1)) as u128);
    q * 2f64.powi(2 * s - shift as i32)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// The variance of integers scaled by a power of two equals the exact variance rounded
    /// once.
    #[test]
    fn the_variance_is_the_exact_variance_rounded_once(
        ks in proptest::collection::vec(-(1i64 << 40)..(1i64 << 40), 2..300),
        small in proptest::bool::ANY,
        s in -60i32..60,
    ) {
        let ks: Vec<i64> = if small { ks.iter().map(|k| k % 3).collect() } else { ks };
        let xs: Vec<f64> = ks.iter().map(|&k| k as f64 * 2f64.powi(s)).collect();
        let m = moments_of(&xs);
        proptest::prop_assert_eq!(m.variance().to_bits(), exact_variance(&ks, s).to_bits());
        proptest::prop_assert_eq!(m.sd(), m.variance().sqrt());
    }
}
