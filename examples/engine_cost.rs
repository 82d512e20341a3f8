//! A fixed workload for instruction counts (`valgrind --tool=callgrind`): the flagship's five
//! arms (1, 2, 3, 5, 10 years) over `TRIALS` trials, by one engine, at monthly or weekly steps.
//!
//! ```sh
//! cargo build --release --example engine_cost
//! valgrind --tool=callgrind target/release/examples/engine_cost events monthly 1000
//! ```
//!
//! The first argument picks what runs per trial: `events` (path and [`Model::run_events`] per
//! arm, the engine), `steps` (path and [`Model::run_steps`], the reference step loop), `floor`
//! (the same random numbers only: the path's draws and per negotiation the private stream's
//! seeding and two normals; see `benches/floor.rs`) or `path` (the path alone).

use negcycle::rng::{Purpose, stream};
use negcycle::{EnvironmentPath, Model, Scenario};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

const SEED: u64 = 2019;
const ARMS: [f64; 5] = [1.0, 2.0, 3.0, 5.0, 10.0];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("events", String::as_str);
    let steps_per_year = match args.get(2).map(String::as_str) {
        Some("weekly") => 52,
        _ => 12,
    };
    let trials: u64 = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(1000);
    let mut s = Scenario::preset("us_rok_sma").expect("the flagship preset parses");
    s.steps_per_year = steps_per_year;
    let model = Model::new(s.clone()).expect("valid");
    let arms: Vec<_> = ARMS
        .iter()
        .map(|&y| model.arm(y).expect("whole steps"))
        .collect();
    let (mut path, mut records) = (EnvironmentPath::new(), Vec::new());
    let mut total = 0.0;
    if what == "floor" {
        // The deadlines come from the engine, before and outside the counted pass.
        let deadlines: Vec<Vec<u64>> = (0..trials)
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
        total = floor_pass(&s, &deadlines);
    } else {
        total += engine_pass(what, &model, &arms, trials, &mut path, &mut records);
    }
    println!("{what} {steps_per_year} {trials} {total}");
}

/// Every trial's random numbers only (count with `--toggle-collect='*floor_pass*'`).
#[inline(never)]
fn floor_pass(s: &Scenario, deadlines: &[Vec<u64>]) -> f64 {
    let jump_p = s.terms.residual.jump_rate * s.dt();
    let mut total = 0.0;
    for (trial, ds) in deadlines.iter().enumerate() {
        let trial = trial as u64;
        let mut rng = stream(SEED, trial, Purpose::Environment, 0);
        for _ in 0..s.horizon_steps() {
            let z: f64 = StandardNormal.sample(&mut rng);
            let z2: f64 = StandardNormal.sample(&mut rng);
            total += z + z2;
            let coin: f64 = rng.random();
            if coin < jump_p {
                let size: f64 = StandardNormal.sample(&mut rng);
                total += size;
            }
        }
        for &d in ds {
            let mut private = stream(SEED, trial, Purpose::Private, d);
            let a: f64 = StandardNormal.sample(&mut private);
            let b: f64 = StandardNormal.sample(&mut private);
            total += a + b;
        }
    }
    total
}

/// Every trial's path and arms by one engine (count with `--toggle-collect='*engine_pass*'`).
#[inline(never)]
fn engine_pass(
    what: &str,
    model: &Model,
    arms: &[negcycle::Arm],
    trials: u64,
    path: &mut EnvironmentPath,
    records: &mut Vec<negcycle::metrics::NegotiationRecord>,
) -> f64 {
    let mut total = 0.0;
    for trial in 0..trials {
        path.generate(model.scenario(), SEED, trial);
        for arm in arms {
            total += match what {
                "steps" => model.run_steps(arm, path, SEED, trial, records).payments,
                "path" => 0.0,
                _ => model.run_events(arm, path, SEED, trial, records).payments,
            };
        }
    }
    total
}
