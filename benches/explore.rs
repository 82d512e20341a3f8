//! Criterion benchmark of the exploration machinery (issue: "the design machinery adds at most
//! 10% to the cost of simulating its points"), on the flagship `us_rok_sma` preset with its
//! default uncertainty set.
//!
//! Group `explore_overhead` (run with `cargo bench --bench explore`), measured together in one
//! run so that the ratio is what counts on a noisy machine:
//! - `design`: [`Plan::run_point`] for the design's points: each point's scenario from its unit
//!   coordinates (overrides applied and validated), one experiment per point, its record (means,
//!   SEs, differences, regret);
//! - `plain`: the same points' scenarios, built beforehand, run as plain experiments with the same
//!   arms, trials and seed.
//!
//! Throughput: design points, so criterion reports points per second; `design / plain` is the
//! machinery's overhead.

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use negcycle::explore::{Design, Plan, PlanSpec, default_uncertainties};
use negcycle::{Experiment, Scenario};
use std::hint::black_box;
use std::time::Duration;

/// Design points per iteration.
const POINTS: usize = 16;
/// Trials per point and arm (as the README's flagship exploration).
const TRIALS: u64 = 200;
const SEED: u64 = 2019;
const ARMS: [f64; 5] = [1.0, 2.0, 3.0, 5.0, 10.0];

fn explore_overhead(c: &mut Criterion) {
    let scenario = Scenario::preset("us_rok_sma").expect("preset");
    let plan = Plan::new(PlanSpec {
        scenario: scenario.into(),
        uncertainties: default_uncertainties("us_rok_sma").expect("default set"),
        design: Design::Lhs { points: POINTS },
        cycles: ARMS.iter().map(|&c| vec![c]).collect(),
        reference: None,
        objective: None,
        metrics: vec![],
        trials: TRIALS,
        seed: SEED,
    })
    .expect("plan");
    let unit = plan.unit_points().expect("design");
    let scenarios: Vec<negcycle::Input> = unit
        .iter()
        .enumerate()
        .map(|(i, u)| plan.point_scenario(i, u).expect("valid point"))
        .collect();
    let mut group = c.benchmark_group("explore_overhead");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(POINTS as u64));
    group.bench_function("design", |b| {
        b.iter(|| {
            for (i, u) in unit.iter().enumerate() {
                black_box(plan.run_point(i, u).expect("point"));
            }
        })
    });
    group.bench_function("plain", |b| {
        b.iter(|| {
            for s in &scenarios {
                let report = Experiment::new(s.clone())
                    .cycle_years(ARMS)
                    .trials(TRIALS)
                    .seed(SEED)
                    .run()
                    .expect("run");
                black_box(report);
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = explore_overhead
}
criterion_main!(benches);
