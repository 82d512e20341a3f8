//! The flagship question: one-year versus multi-year cost-sharing deals between the US and
//! South Korea. Simulates the `us_rok_sma` preset for cycles of 1, 2, 3, 5 and 10 years on the
//! same simulated worlds and prints the mean of every metric per cycle length.
//!
//! Run: `cargo run --release --example sma_cycles`

use negcycle::prelude::*;

fn main() -> Result<(), Error> {
    let scenario = Scenario::preset("us_rok_sma")?;
    let model = Model::new(scenario)?;
    let cycles = [1.0, 2.0, 3.0, 5.0, 10.0];
    let arms = cycles
        .iter()
        .map(|&c| model.arm(c))
        .collect::<Result<Vec<_>, _>>()?;
    let (seed, trials) = (2019u64, 20_000u64);

    // One world per trial, shared by every arm (common random numbers).
    let mut sums = vec![[0.0f64; negcycle::metrics::N_METRICS]; arms.len()];
    let mut path = EnvironmentPath::new();
    let mut records = Vec::new();
    for trial in 0..trials {
        path.generate(model.scenario(), seed, trial);
        for (sum, arm) in sums.iter_mut().zip(&arms) {
            let m = model.run(arm, &path, seed, trial, &mut records);
            for (s, v) in sum.iter_mut().zip(m.values()) {
                *s += v;
            }
        }
    }

    println!(
        "{} ({}), {} trials, seed {}: means per history of {} years",
        model.scenario().name,
        model.scenario().units,
        trials,
        seed,
        model.scenario().horizon_years
    );
    print!("{:<20}", "cycle (years)");
    for c in cycles {
        print!("{c:>12}");
    }
    println!();
    for (i, info) in METRICS.iter().enumerate() {
        print!("{:<20}", info.name);
        for sum in &sums {
            print!("{:>12.4}", sum[i] / trials as f64);
        }
        println!();
    }
    Ok(())
}
