//! The flagship question: one-year versus multi-year cost-sharing deals between the US and
//! South Korea (the article's worry about "a perpetual negotiating cycle").
//!
//! Simulates the `us_rok_sma` preset for cycles of 1, 2, 3, 5 and 10 years on the same simulated
//! worlds (common random numbers), prints the table, the paired differences against the
//! five-year deals of 2009–2018, and which cycle length minimises the joint loss.
//!
//! Run: `cargo run --release --example sma_cycles`

use negcycle::prelude::*;

fn main() -> Result<(), Error> {
    let scenario = Scenario::preset("us_rok_sma")?;
    let horizon = scenario.horizon_years;
    let report = Experiment::new(scenario)
        .cycle_years([1.0, 2.0, 3.0, 5.0, 10.0])
        .reference(5.0) // compare everything with five-year deals
        .trials(20_000)
        .seed(2019)
        .run()?;
    println!("{report}");

    // Paired differences: same trial, same world, so the noise of the world cancels.
    println!("Difference from five-year deals (mean, 95% CI):");
    for arm in report.arms.iter().filter(|a| a.cycle() != 5.0) {
        print!("  {:>4} years:", arm.cycle());
        for metric in [
            "lapse_months",
            "unsettled_share",
            "payments_vs_fair",
            "joint_loss",
        ] {
            if let Some(d) = arm.vs_reference(metric)? {
                print!(
                    "  {metric} {:+.3} [{:+.3}, {:+.3}]",
                    d.mean, d.ci95[0], d.ci95[1]
                );
            }
        }
        println!();
    }

    let best = report.best_arm("joint_loss")?;
    let one = report.cycle(1.0)?.metric("joint_loss")?;
    let best_loss = best.metric("joint_loss")?;
    println!(
        "\nLowest joint loss: {}-year agreements ({:.0} {} in present value over {} years); \
         annual deals lose {:.0} more ({:.1}x).",
        best.cycle(),
        best_loss.mean,
        report.units,
        horizon,
        one.mean - best_loss.mean,
        one.mean / best_loss.mean
    );
    Ok(())
}
