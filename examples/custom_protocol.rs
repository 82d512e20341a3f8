//! Plugging your own negotiation protocol into an experiment: does a "split the difference"
//! bargaining rule settle the US–South Korea talks sooner, and cheaper, than the Boulware
//! alternating offers that the `us_rok_sma` preset uses?
//!
//! The protocol below implements the [`Protocol`] trait and enters the experiment as a variant,
//! `Variant::new("split").protocol(Arc::new(SplitTheDifference))`, next to the built-in protocol
//! (`Variant::new("built_in")`). Variants of one experiment run on the same simulated worlds
//! with the same private reservations, so the report holds, per trial, the difference "split
//! minus built-in" (paired differences, whose confidence intervals are much tighter than those
//! of two separate runs). One experiment per cycle length (one and five years, the built-in arm
//! as the reference) prints lapses, when deals are signed relative to the deadline and the joint
//! loss side by side, then the paired differences.
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
fn signing(host: &HostReport) -> (f64, f64) {
    let h = &host.signing_vs_deadline_months;
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

/// Higher, lower, or no clear change: whether the 95% CI of a paired difference excludes zero.
fn direction(d: &PairedSummary) -> &'static str {
    if d.ci95[0] > 0.0 {
        "higher"
    } else if d.ci95[1] < 0.0 {
        "lower"
    } else {
        "not distinguishable from zero"
    }
}

const CYCLES: [f64; 2] = [1.0, 5.0];

fn main() -> Result<(), Error> {
    let scenario = Scenario::preset("us_rok_sma")?;
    // Per cycle length, one experiment with two variants on the same worlds: the scenario's own
    // protocol and split-the-difference. The built-in arm is the reference, so the split arm's
    // paired differences are "split minus built-in", trial by trial.
    let reports = CYCLES
        .iter()
        .map(|&cycle| {
            Experiment::new(scenario.clone())
                .variant(Variant::new("built_in"))
                .variant(Variant::new("split").protocol(Arc::new(SplitTheDifference)))
                .cycle_years([cycle])
                .reference(format!("built_in/{cycle}"))
                .trials(10_000)
                .seed(2019)
                .run()
        })
        .collect::<Result<Vec<Report>, Error>>()?;
    let first = &reports[0];
    let protocol_of = |variant: &str| -> String {
        first
            .variants
            .iter()
            .find(|v| v.name == variant)
            .map_or_else(|| "?".to_string(), |v| v.protocol.clone())
    };
    println!(
        "us_rok_sma, {} trials, seed {}: the built-in protocol ({}) vs split-the-difference \
         ({}), on the same worlds (mean per {}-year history)",
        first.trials,
        first.seed,
        protocol_of("built_in"),
        protocol_of("split"),
        scenario.horizon_years
    );
    println!(
        "{:<44}{:>16}{:>16}{:>16}{:>16}",
        "", "1 y built-in", "1 y split", "5 y built-in", "5 y split"
    );
    let mut arms = Vec::new();
    for (report, cycle) in reports.iter().zip(CYCLES) {
        arms.push(report.arm(&format!("built_in/{cycle}"))?);
        arms.push(report.arm(&format!("split/{cycle}"))?);
    }
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
    let signing_mean: Vec<f64> = arms.iter().map(|a| signing(&a.hosts[0]).0).collect();
    let signed_early: Vec<f64> = arms.iter().map(|a| signing(&a.hosts[0]).1).collect();
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

    // Split minus built-in, trial by trial on the same worlds: mean and 95% CI.
    println!("\nSplit-the-difference minus the built-in protocol (paired, mean [95% CI]):");
    for (report, cycle) in reports.iter().zip(CYCLES) {
        let split = report.arm(&format!("split/{cycle}"))?;
        print!("  {cycle}-year agreements:");
        for metric in ["lapses", "lapse_months", "ruptured", "support_min"] {
            if let Some(d) = split.vs_reference(metric)? {
                print!(
                    "  {metric} {:+.3} [{:+.3}, {:+.3}]",
                    d.mean, d.ci95[0], d.ci95[1]
                );
            }
        }
        println!();
    }

    // Which protocol is cheaper at each cycle length? The paired difference of the joint loss,
    // with its standard error next to the one two independent runs would have had.
    for (report, cycle) in reports.iter().zip(CYCLES) {
        let built_in = report.arm(&format!("built_in/{cycle}"))?;
        let split = report.arm(&format!("split/{cycle}"))?;
        let a = built_in.metric("joint_loss")?;
        let b = split.metric("joint_loss")?;
        let d = split
            .vs_reference("joint_loss")?
            .ok_or_else(|| Error::Internal("the split arm has no paired difference".into()))?;
        let unpaired_se = (a.se.powi(2) + b.se.powi(2)).sqrt();
        println!(
            "{cycle}-year agreements: split-the-difference changes the joint loss by {:+.0} {} \
             ({:+.1}% of the built-in protocol's {:.0}; 95% CI of the paired difference {:+.0} \
             to {:+.0}): {}. Paired standard error {:.1}, against {:.1} for two independent \
             runs.",
            d.mean,
            report.units,
            100.0 * d.mean / a.mean,
            a.mean,
            d.ci95[0],
            d.ci95[1],
            direction(&d),
            d.se,
            unpaired_se
        );
    }
    Ok(())
}
