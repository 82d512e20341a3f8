//! The floor: the flagship's own random numbers and nothing else, paired with the engine on the
//! same inputs, so one run gives the ratio engine / floor.
//!
//! `cargo bench --bench floor -- floor` runs the group `floor` at monthly steps (the flagship,
//! `us_rok_sma`) and at weekly steps (`steps_per_year = 52`). One iteration is one trial of the
//! five flagship arms (1, 2, 3, 5, 10 years); throughput is arm-trials (5 per iteration). Trials
//! cycle through 64 trial indices.
//!
//! - `floor`: per trial, the environment stream's draws (per step two normals, the jump uniform
//!   and, on a jump, its normal), and per negotiation of every arm the seeding of its private
//!   stream and its two normals. The deadlines are those the engine produced for the same trial
//!   (recorded before timing). The flagship's protocol (alternating offers) and lapse model
//!   (drift) draw nothing else.
//! - `events`: [`EnvironmentPath::generate`] and [`Model::run_events`] for every arm (the engine).
//! - `steps`: the same with [`Model::run_steps`] (the reference step loop).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use negcycle::rng::{Purpose, stream};
use negcycle::{EnvironmentPath, Model, Scenario};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;
use std::time::Duration;

/// Seed of every benchmark (the crate's default seed).
const SEED: u64 = 2019;
/// The flagship arms: cycle lengths in years.
const ARMS: [f64; 5] = [1.0, 2.0, 3.0, 5.0, 10.0];
/// Trial indices the benchmarks cycle through.
const TRIALS: u64 = 64;

/// Draws exactly what the engine draws for `trial`: the environment path's numbers and, for each
/// deadline in `deadlines`, the private stream's two normals. Returns their sum.
fn floor_trial(s: &Scenario, trial: u64, deadlines: &[u64]) -> f64 {
    let steps = s.horizon_steps();
    let jump_p = s.terms.residual.jump_rate * s.dt();
    let jumps = s.terms.residual.jump_rate > 0.0;
    let mut rng = stream(SEED, trial, Purpose::Environment, 0);
    let mut acc = 0.0;
    for _ in 0..steps {
        let z: f64 = StandardNormal.sample(&mut rng);
        let z2: f64 = StandardNormal.sample(&mut rng);
        acc += z + z2;
        if jumps {
            let coin: f64 = rng.random();
            if coin < jump_p {
                let size: f64 = StandardNormal.sample(&mut rng);
                acc += size;
            }
        }
    }
    for &d in deadlines {
        let mut private = stream(SEED, trial, Purpose::Private, d);
        let a: f64 = StandardNormal.sample(&mut private);
        let b: f64 = StandardNormal.sample(&mut private);
        acc += a + b;
    }
    acc
}

fn floor(c: &mut Criterion) {
    let mut group = c.benchmark_group("floor");
    group
        .throughput(Throughput::Elements(ARMS.len() as u64))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, steps_per_year) in [("monthly", 12u32), ("weekly", 52)] {
        let mut s = Scenario::preset("us_rok_sma").expect("the flagship preset parses");
        s.steps_per_year = steps_per_year;
        let model = Model::new(s.clone()).expect("valid");
        let arms: Vec<_> = ARMS
            .iter()
            .map(|&y| model.arm(y).expect("whole steps"))
            .collect();
        let (mut path, mut records) = (EnvironmentPath::new(), Vec::new());
        // The deadlines of every arm's negotiations, per trial, as the engine plays them.
        let deadlines: Vec<Vec<u64>> = (0..TRIALS)
            .map(|trial| {
                path.generate(&s, SEED, trial);
                let mut d = Vec::new();
                for arm in &arms {
                    model.run_events(arm, &path, SEED, trial, &mut records);
                    d.extend(records.iter().map(|r| r.deadline_step as u64));
                }
                d
            })
            .collect();
        let mut trial = 0u64;
        group.bench_function(BenchmarkId::new(name, "floor"), |b| {
            b.iter(|| {
                let x = floor_trial(black_box(&s), trial, &deadlines[trial as usize]);
                trial = (trial + 1) % TRIALS;
                x
            })
        });
        for (engine, events) in [("events", true), ("steps", false)] {
            let mut trial = 0u64;
            group.bench_function(BenchmarkId::new(name, engine), |b| {
                b.iter(|| {
                    path.generate(black_box(&s), SEED, trial);
                    let mut x = 0.0;
                    for arm in &arms {
                        let m = if events {
                            model.run_events(arm, &path, SEED, trial, &mut records)
                        } else {
                            model.run_steps(arm, &path, SEED, trial, &mut records)
                        };
                        x += m.payments;
                    }
                    trial = (trial + 1) % TRIALS;
                    x
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = floor
}
criterion_main!(benches);
