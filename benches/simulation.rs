//! Criterion benchmarks of the simulator's hot paths, on the flagship `us_rok_sma` preset.
//!
//! Groups (run one with `cargo bench --bench simulation -- <group>`):
//! - `negotiation`: one 12-round alternating-offers negotiation with the flagship's stances,
//!   with and without precomputed concession schedules, and one complete-information
//!   negotiation (Rubinstein and Ståhl splits). Throughput: negotiations.
//! - `environment`: one 30-year monthly environment path. Throughput: paths.
//! - `trial`: one trial of one arm ([`Model::run`] on a pre-generated path) for cycle lengths of
//!   1, 2, 3, 5 and 10 years. Throughput: arm-trials. The trial cycles through 64 pre-generated
//!   paths so that the branch predictor cannot learn one history.
//! - `experiment`: the whole flagship experiment (5 arms × 10,000 trials) on 1 and 2 threads.
//!   Throughput: arm-trials, so criterion reports arm-trials per second.
//!
//! Measurement times keep the whole run (without plots, see the `criterion_group!` below) at about
//! a minute and a half on a 2-core machine.

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use negcycle::alliance::{Alliance, AllianceModel, AllianceTrial, AllianceWorkspace};
use negcycle::party::Stance;
use negcycle::protocol::{Alternating, CompleteInformation};
use negcycle::rng::{Purpose, stream};
use negcycle::scenario::{BargainingHorizon, Side};
use negcycle::{Arm, EnvironmentPath, Experiment, Model, Protocol, Scenario, Talks, WindowOutcome};
use std::hint::black_box;
use std::time::Duration;

/// The flagship preset.
const PRESET: &str = "us_rok_sma";
/// Seed of every benchmark (the crate's default seed).
const SEED: u64 = 2019;
/// The flagship arms: cycle lengths in years.
const ARMS: [f64; 5] = [1.0, 2.0, 3.0, 5.0, 10.0];
/// Trials of the whole-experiment benchmark.
const EXPERIMENT_TRIALS: u64 = 10_000;
/// Pre-generated paths the `trial` group cycles through.
const PATHS: usize = 64;
/// Rounds of the hand-built negotiation: a 12-month window with one round a month.
const ROUNDS: u32 = 12;

fn flagship() -> Scenario {
    Scenario::preset(PRESET).expect("the flagship preset parses")
}

/// `t_k^e` for `k = 0..rounds`, as the model precomputes it.
fn schedule(rounds: u32, exponent: f64) -> Vec<f64> {
    (0..rounds)
        .map(|k| (f64::from(k + 1) / f64::from(rounds + 1)).powf(exponent))
        .collect()
}

/// A negotiation of the flagship's parties: the patron opens 30% above fair and would go to 4%
/// below, the host opens 5% below and would go to 4% above; both Boulware (exponent 3); a
/// 12-month window closing at month 60 of the history.
fn flagship_talks<'a>(scenario: &Scenario, schedules: [Option<&'a [f64]>; 2]) -> Talks<'a> {
    let round_dt = scenario.dt() / f64::from(scenario.protocol.rounds_per_step);
    Talks {
        patron: Stance {
            opening: 0.3,
            reservation: -0.04,
            exponent: 3.0,
        },
        host: Stance {
            opening: -0.05,
            reservation: 0.04,
            exponent: 3.0,
        },
        opener: Side::Patron,
        rounds: ROUNDS,
        rounds_per_step: scenario.protocol.rounds_per_step,
        clock: scenario.protocol.clock,
        opening_step: 48,
        deadline_step: 60,
        delta_patron: (-scenario.patron_rate() * round_dt).exp(),
        delta_host: (-scenario.host_rate() * round_dt).exp(),
        tick: scenario.protocol.tick,
        log_fair_at_opening: scenario.terms.initial.ln(),
        schedules,
    }
}

fn negotiation(c: &mut Criterion) {
    let scenario = flagship();
    let patron_schedule = schedule(ROUNDS, 3.0);
    let host_schedule = schedule(ROUNDS, 3.0);
    let with = flagship_talks(
        &scenario,
        [
            Some(patron_schedule.as_slice()),
            Some(host_schedule.as_slice()),
        ],
    );
    let without = flagship_talks(&scenario, [None, None]);
    let mut rng = stream(SEED, 0, Purpose::Protocol, 60);
    // Both variants must play the same negotiation (here: all 12 rounds, no deal by the
    // deadline, since Boulware targets only cross after round 12).
    let outcome = Alternating.negotiate(&with, &mut rng);
    assert_eq!(outcome, Alternating.negotiate(&without, &mut rng));
    assert!(matches!(outcome, WindowOutcome::NoDeal { .. }));

    let mut group = c.benchmark_group("negotiation");
    group
        .throughput(Throughput::Elements(1))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("alternating_12_rounds/schedules", |b| {
        b.iter(|| Alternating.negotiate(black_box(&with), &mut rng))
    });
    group.bench_function("alternating_12_rounds/powf", |b| {
        b.iter(|| Alternating.negotiate(black_box(&without), &mut rng))
    });
    for (name, horizon) in [
        ("rubinstein", BargainingHorizon::Infinite),
        ("stahl_12_rounds", BargainingHorizon::Finite),
    ] {
        let protocol = CompleteInformation::new(horizon);
        assert!(matches!(
            protocol.negotiate(&without, &mut rng),
            WindowOutcome::Agreed { round: 0, .. }
        ));
        group.bench_function(BenchmarkId::new("complete_information", name), |b| {
            b.iter(|| protocol.negotiate(black_box(&without), &mut rng))
        });
    }
    group.finish();
}

fn environment(c: &mut Criterion) {
    let scenario = flagship();
    let mut path = EnvironmentPath::new();
    let mut trial = 0u64;
    let mut group = c.benchmark_group("environment");
    group
        .throughput(Throughput::Elements(1))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("path_30y_monthly", |b| {
        b.iter(|| {
            // Reuses the buffers, as the experiment engine does.
            path.generate(black_box(&scenario), SEED, trial);
            trial = trial.wrapping_add(1);
            black_box(path.log_fair(path.steps()))
        })
    });
    group.finish();
}

fn trial(c: &mut Criterion) {
    let model = Model::new(flagship()).expect("the flagship preset is valid");
    let paths: Vec<EnvironmentPath> = (0..PATHS as u64).map(|i| model.path(SEED, i)).collect();
    let mut records = Vec::new();
    let mut group = c.benchmark_group("trial");
    group
        .throughput(Throughput::Elements(1))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    for years in ARMS {
        let arm = model.arm(years).expect("a whole number of steps");
        let mut i = 0usize;
        group.bench_with_input(BenchmarkId::new("cycle_years", years), &arm, |b, arm| {
            b.iter(|| {
                let metrics = model.run(arm, &paths[i], SEED, i as u64, &mut records);
                i = (i + 1) % PATHS;
                metrics
            })
        });
    }
    group.finish();
}

fn experiment(c: &mut Criterion) {
    let scenario = flagship();
    let mut group = c.benchmark_group("experiment");
    group
        .throughput(Throughput::Elements(EXPERIMENT_TRIALS * ARMS.len() as u64))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for threads in [1usize, 2] {
        group.bench_with_input(
            BenchmarkId::new("flagship_10k_trials/threads", threads),
            &threads,
            |b, &threads| {
                b.iter(|| {
                    Experiment::new(scenario.clone())
                        .cycle_years(ARMS)
                        .trials(EXPERIMENT_TRIALS)
                        .seed(SEED)
                        .threads(threads)
                        .run()
                        .expect("the flagship experiment runs")
                })
            },
        );
    }
    group.finish();
}

/// One trial of the three-host `us_alliances` preset (paths, lockstep histories, precedents)
/// against the same three hosts simulated alone, both per host-trial: the cost of linking.
fn alliance(c: &mut Criterion) {
    let alliance = Alliance::preset("us_alliances").expect("the alliance preset is valid");
    let cycles = [5.0, 5.0, 2.0];
    let linked = AllianceModel::new(alliance.clone()).expect("valid");
    let arms = linked.arms(&cycles).expect("valid cycles");
    let alone: Vec<(Model, Arm)> = cycles
        .iter()
        .enumerate()
        .map(|(i, &years)| {
            let model = Model::new(alliance.host_scenario(i)).expect("valid host");
            let arm = model.arm(years).expect("valid cycle");
            (model, arm)
        })
        .collect();
    let mut group = c.benchmark_group("alliance");
    group
        .throughput(Throughput::Elements(cycles.len() as u64))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    let (mut ws, mut out) = (AllianceWorkspace::default(), AllianceTrial::default());
    let mut trial = 0u64;
    group.bench_function("three_hosts_linked", |b| {
        b.iter(|| {
            linked.run(&arms, SEED, trial, &mut ws, &mut out);
            trial = (trial + 1) % PATHS as u64;
            out.totals.payments
        })
    });
    let (mut path, mut records) = (EnvironmentPath::new(), Vec::new());
    let mut trial = 0u64;
    group.bench_function("three_hosts_alone", |b| {
        b.iter(|| {
            let mut payments = 0.0;
            for (model, arm) in &alone {
                path.generate(model.scenario(), SEED, trial);
                payments += model.run(arm, &path, SEED, trial, &mut records).payments;
            }
            trial = (trial + 1) % PATHS as u64;
            payments
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Plots take longer to draw than most of these benchmarks take to run (about 10 s each with
    // the plotters backend); turn them back on with `-- --plotting-backend plotters`.
    config = Criterion::default().without_plots();
    targets = negotiation, environment, trial, experiment, alliance
}
criterion_main!(benches);
