//! The article's analogy, taken literally: yearly wage talks between a union and a firm. Would
//! two- or three-year collective agreements (common in many countries) do better than the annual
//! wage round?
//!
//! Simulates the `wage_round` preset (the union is the patron, the firm the host; its agreements
//! are annual) with agreements of 1, 2 and 3 years on the same simulated worlds, prints the
//! table, the paired differences against the annual round, and a conclusion in plain words
//! computed from the numbers: which length minimises the joint loss, how many months per decade
//! pass without an agreement (talks dragging on past the deadline, short of a strike), how often
//! the talks end in a strike, and how the workforce's trust differs.
//!
//! Run: `cargo run --release --example wage_round`

use negcycle::prelude::*;

fn main() -> Result<(), Error> {
    let scenario = Scenario::preset("wage_round")?;
    let horizon = scenario.horizon_years;
    let report = Experiment::new(scenario)
        .cycle_years([1.0, 2.0, 3.0])
        .reference(1.0) // compare everything with today's annual round
        .trials(20_000)
        .seed(2019)
        .run()?;
    println!("{report}");

    // Paired differences: the same trial faces the same economy in every arm, so the noise of
    // the world cancels and the confidence intervals are tight.
    println!("Difference from the annual round (mean, 95% CI):");
    for arm in report.arms.iter().filter(|a| a.cycle() != 1.0) {
        print!("  {}-year agreements:", arm.cycle());
        for metric in ["lapse_months", "ruptured", "support_final", "joint_loss"] {
            if let Some(d) = arm.vs_reference(metric)? {
                print!(
                    "  {metric} {:+.3} [{:+.3}, {:+.3}]",
                    d.mean, d.ci95[0], d.ci95[1]
                );
            }
        }
        println!();
    }

    // The conclusion, in words, from the numbers above.
    let best = report.best_arm("joint_loss")?;
    let annual = report.cycle(1.0)?;
    let per_decade = |arm: &ArmReport| -> Result<f64, Error> {
        Ok(arm.metric("lapse_months")?.mean / horizon * 10.0)
    };
    println!("\nIn plain words:");
    println!(
        "  Lowest joint loss (talks, lapses, wages out of line with productivity, strikes): \
         {}-year agreements, {:.1} {} in present value over {horizon} years.",
        best.cycle(),
        best.metric("joint_loss")?.mean,
        report.units
    );
    if let Some(d) = best.vs_reference("joint_loss")? {
        let (verdict, amount) = if d.mean < 0.0 {
            ("saves", -d.mean)
        } else {
            ("costs", d.mean)
        };
        println!(
            "  Against the annual round it {verdict} {amount:.1} {} (95% CI of the paired \
             difference: {:+.1} to {:+.1}){}.",
            report.units,
            d.ci95[0],
            d.ci95[1],
            if d.ci95[0] > 0.0 || d.ci95[1] < 0.0 {
                ""
            } else {
                ", not distinguishable from zero"
            }
        );
    }
    for arm in &report.arms {
        println!(
            "  {}-year agreements: {:.1} months per decade without an agreement (no strike), \
             a strike in {:.1}% of histories, support at least {:.2} and {:.2} at the end \
             (joint loss {:.1}).",
            arm.cycle(),
            per_decade(arm)?,
            100.0 * arm.metric("ruptured")?.mean,
            arm.metric("support_min")?.mean,
            arm.metric("support_final")?.mean,
            arm.metric("joint_loss")?.mean
        );
    }
    let annual_support = annual.metric("support_final")?.mean;
    let best_support = best.metric("support_final")?.mean;
    let annual_strike = annual.metric("ruptured")?.mean;
    let best_strike = best.metric("ruptured")?.mean;
    if best.cycle() != 1.0 {
        // Whether strikes are more likely: the paired difference against the annual round (the
        // reference) must exclude zero, not just the two means differ.
        let more_strikes = best
            .vs_reference("ruptured")?
            .is_some_and(|d| d.ci95[0] > 0.0);
        println!(
            "  Moving from annual to {}-year agreements changes final support by {:+.2} \
             ({:.2} -> {:.2}), lapse months per decade by {:+.1}, and the chance of a strike \
             within {horizon} years by {:+.1} points ({:.1}% -> {:.1}%){}.",
            best.cycle(),
            best_support - annual_support,
            annual_support,
            best_support,
            per_decade(best)? - per_decade(annual)?,
            100.0 * (best_strike - annual_strike),
            100.0 * annual_strike,
            100.0 * best_strike,
            if more_strikes {
                ": fewer rounds, but each is fought harder because more is at stake (Fearon 1998)"
            } else {
                ""
            }
        );
    } else {
        println!("  The annual round itself has the lowest joint loss in this scenario.");
    }
    Ok(())
}
