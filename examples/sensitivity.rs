//! How hard should the patron open? The article warns that "a continued push for sharp
//! increases in South Korean contributions could erode support for the alliance". This sweep
//! asks how much, and whether shorter agreements make it worse.
//!
//! Sweeps the patron's opening demand `patron.opening` (a log premium over the status quo) over
//! 0.1, 0.3 (the preset: ~35% above), 0.6, 1.0 and 1.6 (ln 5 ≈ 1.61: the five-fold demand of
//! 2019) on the `us_rok_sma` preset with one- and five-year agreements. Every value is a variant
//! of one experiment (`sweep_variants`), so every value runs on the same simulated worlds. Prints how public support erodes (`support_min`,
//! `support_final`), how lapses grow (`lapse_months`, `lapses`) and the joint loss, then a
//! reading of the numbers in plain words.
//!
//! Run: `cargo run --release --example sensitivity`

use negcycle::prelude::*;
use negcycle::report::years_label;
use negcycle::run::sweep::sweep_variants;

/// The arm of the `i`-th swept value (variant) with `cycle`-year agreements.
fn arm(report: &Report, i: usize, cycle: f64) -> Result<&ArmReport, Error> {
    let variant = report
        .variants
        .get(i)
        .ok_or_else(|| Error::InvalidExperiment {
            field: "values".into(),
            rule: "one variant per value".into(),
            got: format!("no variant for value #{i}"),
        })?;
    report.arm(&format!("{}/{cycle}", variant.name))
}

/// The mean of `metric` for `cycle`-year agreements at the `i`-th swept value.
fn mean(report: &Report, i: usize, cycle: f64, metric: &str) -> Result<f64, Error> {
    Ok(arm(report, i, cycle)?.metric(metric)?.mean)
}

/// One block per metric: a row per swept value, a column per cycle length, mean ± 95% CI
/// half-width.
fn table(
    report: &Report,
    values: &[&str],
    cycles: &[f64],
    metrics: &[&str],
) -> Result<String, Error> {
    let mut out = String::new();
    for metric in metrics {
        out.push_str(&format!("{metric} by patron.opening and cycle length\n"));
        out.push_str(&format!("{:>16}", "patron.opening"));
        for &c in cycles {
            out.push_str(&format!("{:>24}", years_label(c)));
        }
        out.push('\n');
        for (i, value) in values.iter().enumerate() {
            out.push_str(&format!("{value:>16}"));
            for &c in cycles {
                let row = arm(report, i, c)?.hosts[0].row(metric)?;
                let cell = format!("{:.4} ± {:.2e}", row.mean, row.half_width());
                out.push_str(&format!("{cell:>24}"));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    Ok(out)
}

/// "falls" / "rises" / "stays flat", and whether it does so at every step of the sweep.
fn trend(values: &[f64]) -> String {
    let (first, last) = (values[0], values[values.len() - 1]);
    let steps = values.windows(2);
    let monotone = if last < first {
        steps.clone().all(|w| w[1] <= w[0])
    } else {
        steps.clone().all(|w| w[1] >= w[0])
    };
    let direction = if (last - first).abs() <= 1e-9 * first.abs().max(1.0) {
        "stays flat"
    } else if last < first {
        "falls"
    } else {
        "rises"
    };
    if monotone {
        format!("{direction} steadily")
    } else {
        format!("{direction}, though not at every step")
    }
}

fn main() -> Result<(), Error> {
    let base = Scenario::preset("us_rok_sma")?;
    let openings: [f64; 5] = [0.1, 0.3, 0.6, 1.0, 1.6];
    let cycles = [1.0, 5.0];
    // Variants take values as text, as on the command line (`{:?}` keeps the ".0" of 1.0).
    let values = openings.map(|a| format!("{a:?}"));
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    // One variant per value, all in one experiment: every value on the same simulated worlds.
    let report = Experiment::new(base.clone())
        .variants(sweep_variants("patron.opening", &values)?)
        .cycle_years(cycles)
        .trials(10_000)
        .seed(2019)
        .run()?;
    print!(
        "{}",
        table(
            &report,
            &values,
            &cycles,
            &[
                "support_min",
                "support_final",
                "lapse_months",
                "lapses",
                "joint_loss",
            ],
        )?
    );

    // The reading, computed from the table: from the mildest to the harshest opening, per cycle
    // length.
    let (lo, hi) = (openings[0], openings[openings.len() - 1]);
    let n = openings.len();
    println!(
        "Reading: raising the patron's opening demand from {lo} (a demand {:.0}% above the status \
         quo) to {hi} ({:.1}-fold):",
        100.0 * (lo.exp() - 1.0),
        hi.exp()
    );
    for cycle in cycles {
        let series = |metric: &str| -> Result<Vec<f64>, Error> {
            (0..n).map(|i| mean(&report, i, cycle, metric)).collect()
        };
        let (smin, sfin) = (series("support_min")?, series("support_final")?);
        let (months, lapses) = (series("lapse_months")?, series("lapses")?);
        let (loss, negotiations) = (series("joint_loss")?, series("negotiations")?);
        println!(
            "  with {cycle}-year agreements the lowest public support {} ({:.2} -> {:.2}) and \
             support at the end {} ({:.2} -> {:.2}); the time without an agreement {} \
             ({:.1} -> {:.1} months over {} years), with {:.0}% -> {:.0}% of negotiations missing their \
             deadline; the joint loss {} ({:.0} -> {:.0} {}, {:.1}x).",
            trend(&smin),
            smin[0],
            smin[n - 1],
            trend(&sfin),
            sfin[0],
            sfin[n - 1],
            trend(&months),
            months[0],
            months[n - 1],
            base.horizon_years,
            100.0 * lapses[0] / negotiations[0],
            100.0 * lapses[n - 1] / negotiations[n - 1],
            trend(&loss),
            loss[0],
            loss[n - 1],
            base.units,
            loss[n - 1] / loss[0],
        );
    }
    // Does the cycle length amplify the damage of a hard opening?
    let drop = |cycle: f64| -> Result<f64, Error> {
        Ok(mean(&report, 0, cycle, "support_min")? - mean(&report, n - 1, cycle, "support_min")?)
    };
    let (drop_short, drop_long) = (drop(cycles[0])?, drop(cycles[1])?);
    println!(
        "  The harshest opening costs {:.2} of minimum support with {}-year agreements and {:.2} \
         with {}-year ones: {}.",
        drop_short,
        cycles[0],
        drop_long,
        cycles[1],
        if drop_short > drop_long {
            "frequent renegotiation repeats the damage"
        } else {
            "longer agreements do not soften the damage here"
        }
    );
    Ok(())
}
