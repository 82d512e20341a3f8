//! Plugging your own negotiation protocol into an experiment: does a "split the difference"
//! bargaining rule settle the US–South Korea talks sooner, and cheaper, than the Boulware
//! alternating offers that the `us_rok_sma` preset uses?
//!
//! The protocol below implements the [`Protocol`] trait and is passed to the experiment with
//! `.protocol(Arc::new(SplitTheDifference))`. Two experiments with the same seed (so the same
//! simulated worlds and the same private reservations) compare it with the built-in protocol
//! at one- and five-year agreements: lapses, when deals are signed relative to the deadline, and
//! the joint loss, side by side.
//!
//! Run: `cargo run --release --example custom_protocol`

use negcycle::prelude::*;
use std::sync::Arc;

/// Split the difference: both sides table their openings in round 0; in every later round each
/// side moves halfway from its last offer toward its reservation (the patron down toward its
/// floor, the host up toward its ceiling), both at once. As soon as the patron's demand is no
/// higher than the host's offer the offers have crossed, and they agree at the midpoint of the
/// two. The midpoint lies between the host's offer and the patron's demand, hence inside the
/// zone of agreement: neither side ever signs past its reservation.
///
/// Offers converge to the reservations geometrically, so the offers cross within a few rounds
/// when the zone of agreement `[R_P, R_H]` is open and wide; with an empty zone (or one too
/// narrow to reach within the window's rounds) there is no deal by the deadline and the lapse
/// phase, common to every protocol, takes over with the last offers on the table.
///
/// The trait's contract: the outcome is a pure function of `talks` (and of draws from `rng`,
/// which this rule does not need), so runs are reproducible and arms stay comparable.
#[derive(Debug, Clone, Copy)]
struct SplitTheDifference;

impl Protocol for SplitTheDifference {
    fn name(&self) -> &str {
        "split_the_difference"
    }

    fn negotiate(&self, talks: &Talks, _rng: &mut StreamRng) -> WindowOutcome {
        let (floor, ceiling) = (talks.patron.reservation, talks.host.reservation);
        let mut demand = talks.patron.opening; // the patron's offer, a log premium over X*
        let mut offer = talks.host.opening; // the host's offer
        // With a price grid (`protocol.tick`), each side rounds its offer in its own favour.
        let on_grid = |demand: f64, offer: f64| {
            (
                talks.on_grid(Side::Patron, demand),
                talks.on_grid(Side::Host, offer),
            )
        };
        // The offers on the table (on the grid); round 0 tables the openings.
        let mut on_table = on_grid(demand, offer);
        for round in 0..talks.rounds {
            on_table = on_grid(demand, offer);
            let (d, o) = on_table;
            if d <= o {
                return WindowOutcome::Agreed {
                    round,
                    premium: 0.5 * (d + o),
                };
            }
            // Not yet: both sides halve the distance to their reservations.
            demand = 0.5 * (demand + floor);
            offer = 0.5 * (offer + ceiling);
        }
        // The deadline has come: the last round's offers stay on the table for the lapse phase.
        let (patron_offer, host_offer) = on_table;
        WindowOutcome::NoDeal {
            patron_offer,
            host_offer,
        }
    }
}

/// Mean signing time relative to the deadline (months; negative: early) and the share of deals
/// signed before the deadline, from the report's histogram of completed negotiations. A value
/// `v` falls in the bin `[edge_i, edge_i+1)`; with one round a month, signing times are whole
/// months, so the bin's lower edge is the value itself.
fn signing(arm: &ArmReport) -> (f64, f64) {
    let h = &arm.signing_vs_deadline_months;
    let total: u64 = h.counts.iter().sum();
    if total == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut sum = 0.0;
    let mut early = 0u64;
    for (&count, &lower) in h.counts.iter().zip(&h.edges) {
        sum += count as f64 * lower;
        if lower < 0.0 {
            early += count;
        }
    }
    (sum / total as f64, early as f64 / total as f64)
}

/// Prints one row of the comparison table.
fn print_row(label: &str, values: &[f64], decimals: usize) {
    print!("{label:<44}");
    for v in values {
        print!("{v:>16.decimals$}");
    }
    println!();
}

fn main() -> Result<(), Error> {
    let scenario = Scenario::preset("us_rok_sma")?;
    // The same experiment twice: same arms, trials and seed, so both protocols bargain over the
    // same worlds with the same private reservations at common deadlines.
    let experiment = || {
        Experiment::new(scenario.clone())
            .cycle_years([1.0, 5.0])
            .trials(10_000)
            .seed(2019)
    };
    let built_in = experiment().run()?;
    let split = experiment().protocol(Arc::new(SplitTheDifference)).run()?;

    println!(
        "us_rok_sma, {} trials, seed {}: the built-in protocol (Boulware alternating offers) \
         vs split-the-difference (mean per 30-year history)",
        built_in.trials, built_in.seed
    );
    println!(
        "{:<44}{:>16}{:>16}{:>16}{:>16}",
        "", "1 y built-in", "1 y split", "5 y built-in", "5 y split"
    );
    let arms = [
        built_in.arm(1.0)?,
        split.arm(1.0)?,
        built_in.arm(5.0)?,
        split.arm(5.0)?,
    ];
    // One row per quantity, one column per protocol and cycle length.
    let mean = |metric: &str| -> Result<Vec<f64>, Error> {
        arms.iter().map(|a| Ok(a.metric(metric)?.mean)).collect()
    };
    let (negotiations, lapses) = (mean("negotiations")?, mean("lapses")?);
    let lapse_share: Vec<f64> = lapses
        .iter()
        .zip(&negotiations)
        .map(|(l, n)| l / n)
        .collect();
    let signing_mean: Vec<f64> = arms.iter().map(|a| signing(a).0).collect();
    let signed_early: Vec<f64> = arms.iter().map(|a| signing(a).1).collect();
    print_row("negotiations", &negotiations, 2);
    print_row("lapses (deadline passed)", &lapses, 2);
    print_row("share of negotiations that lapse", &lapse_share, 3);
    print_row("lapse months", &mean("lapse_months")?, 1);
    print_row("signing vs deadline, mean months", &signing_mean, 2);
    print_row(
        "share of deals signed before the deadline",
        &signed_early,
        3,
    );
    print_row("rupture (drawdown) probability", &mean("ruptured")?, 4);
    print_row(
        "mean premium (host overpays if > 0)",
        &mean("mean_premium")?,
        4,
    );
    print_row("support_min", &mean("support_min")?, 3);
    print_row("joint loss (KRW bn, PV)", &mean("joint_loss")?, 0);

    // Which protocol is cheaper at each cycle length? The two experiments share their worlds,
    // but their reports are separate, so this compares the two means with their own 95% CIs
    // (conservative: a paired difference would be tighter).
    for cycle in [1.0, 5.0] {
        let a = built_in.arm(cycle)?.metric("joint_loss")?;
        let b = split.arm(cycle)?.metric("joint_loss")?;
        let overlap = a.ci95[0] <= b.ci95[1] && b.ci95[0] <= a.ci95[1];
        println!(
            "{cycle}-year agreements: split-the-difference has {:.0}% {} joint loss than the \
             built-in protocol ({:.0} [{:.0}, {:.0}] vs {:.0} [{:.0}, {:.0}] {}){}.",
            100.0 * ((b.mean - a.mean) / a.mean).abs(),
            if b.mean < a.mean { "less" } else { "more" },
            b.mean,
            b.ci95[0],
            b.ci95[1],
            a.mean,
            a.ci95[0],
            a.ci95[1],
            built_in.units,
            if overlap { "; the 95% CIs overlap" } else { "" }
        );
    }
    Ok(())
}
