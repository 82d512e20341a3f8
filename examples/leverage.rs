//! The article's question: does moving South Korea from five-year to annual cost-sharing deals
//! give the US more leverage with Japan and NATO, and what does it cost across the alliance?
//!
//! Runs the `us_alliances` preset (one patron, three hosts: korea, japan, nato) on two joint
//! arms that differ only in Korea's cycle: five years (the reference) and one year; Japan and
//! NATO keep their own cycles. Both arms run on the same simulated worlds, so the paired
//! differences isolate the effect of Korea's cycle. The same pair runs three times:
//!
//! 1. the preset as it is (leverage 0.5: the patron adds half of a recent increase won from
//!    one ally to its opening demand on the others; benchmarking 0.2);
//! 2. with `linkage.leverage = 0`: the no-leverage baseline;
//! 3. with `linkage.benchmarking = 0` too: the hosts are unlinked, so Japan and NATO cannot
//!    move at all (a check of the paired design);
//! 4. the preset under the other precedent rule (MODEL.md §10.7), `linkage.precedent =
//!    "premium"`: a precedent is the premium over fair terms another ally agreed, not its
//!    increase over the status quo;
//! 5. the same with agreements above fair (every host's margin 0.4), where that rule has
//!    precedents to cite.
//!
//! The reading is computed from the numbers, not assumed: under the model's precedent rule the
//! patron carries over the *increase* it won elsewhere (agreed payment over the status quo), and
//! that increase grows with how long the replaced terms ran, so annual deals may well make
//! smaller precedents than five-year ones.
//!
//! Run: `cargo run --release --example leverage`

use negcycle::alliance::Alliance;
use negcycle::stats::PairedSummary;
use negcycle::{Error, Experiment, Report};

/// Simulated 30-year histories per arm, and the seed (same seed, same worlds in every run).
const TRIALS: u64 = 20_000;
const SEED: u64 = 2019;
/// The host whose cycle changes; the others are where leverage would show.
const MOVED: &str = "korea";
/// Arm 0 is Korea at five years (the reference), arm 1 Korea at one year.
const ANNUAL: usize = 1;

fn main() -> Result<(), Error> {
    let preset = Alliance::preset("us_alliances")?;
    let no_leverage = preset.with_override("linkage.leverage", "0")?;
    let unlinked = no_leverage.with_override("linkage.benchmarking", "0")?;

    let with = run(preset.clone())?;
    println!("{with}");
    explain("1. The preset (linkage.leverage = 0.5)", &with)?;
    let without = run(no_leverage)?;
    explain("2. No leverage (linkage.leverage = 0)", &without)?;
    let apart = run(unlinked)?;
    explain("3. Unlinked (leverage = 0, benchmarking = 0)", &apart)?;
    let premium = preset.with_override("linkage.precedent", "premium")?;
    let mut above_fair = premium.clone();
    for host in ["korea", "japan", "nato"] {
        above_fair = above_fair.with_override(&format!("hosts.{host}.party.margin"), "0.4")?;
    }
    let by_premium = run(premium)?;
    explain(
        "4. Premium precedents (linkage.precedent = \"premium\")",
        &by_premium,
    )?;
    let by_premium_above = run(above_fair)?;
    explain(
        "5. Premium precedents, agreements above fair (host margins 0.4)",
        &by_premium_above,
    )?;

    // What leverage itself does: the change with leverage minus the change without it (both on
    // the same worlds; a difference of two paired means, so no CI here).
    println!("Leverage's own share of the change (run 1 minus run 2):");
    let mut demand = Vec::new();
    for other in others(&with) {
        for metric in ["opening_demand", "payments"] {
            let a = paired(&with, other, metric)?;
            let b = paired(&without, other, metric)?;
            println!("  {other:<6} {metric:<15} {:+.4}", a.mean - b.mean);
            if metric == "opening_demand" {
                let sign = if a.mean < b.mean { "lower" } else { "raise" };
                demand.push(format!("{sign} the opening demand on {other}"));
            }
        }
    }
    println!(
        "Reading: through the precedent rule alone, annual deals with Korea {}; see runs 1 \
         and 2 for what the others pay and what the alliance loses in friction and support.",
        demand.join(" and ")
    );
    // The two precedent rules side by side: the paired change in the opening demand on Japan.
    println!(
        "The precedent rule decides the direction (opening demand on Japan, annual minus five-year):"
    );
    for (rule, report) in [
        ("increase (preset)", &with),
        ("premium (preset)", &by_premium),
        ("premium, agreements above fair", &by_premium_above),
    ] {
        let d = paired(report, "japan", "opening_demand")?;
        println!(
            "  {rule:<32} {:+.4} [{:+.4}, {:+.4}]: {}",
            d.mean,
            d.ci95[0],
            d.ci95[1],
            direction(&d)
        );
    }
    Ok(())
}

/// Korea at five years (arm 0, the reference) and at one year (arm 1); every other host keeps
/// its own `agreement.cycle_years`.
fn run(alliance: Alliance) -> Result<Report, Error> {
    let grids: Vec<Vec<f64>> = alliance
        .hosts
        .iter()
        .map(|h| {
            if h.name == MOVED {
                vec![5.0, 1.0]
            } else {
                vec![h.agreement.cycle_years]
            }
        })
        .collect();
    Experiment::new(alliance)
        .grid(&grids)
        .reference(0usize)
        .trials(TRIALS)
        .seed(SEED)
        .run()
}

/// The hosts other than Korea.
fn others(report: &Report) -> impl Iterator<Item = &str> {
    report
        .hosts
        .iter()
        .map(String::as_str)
        .filter(|h| *h != MOVED)
}

/// The paired difference "Korea annual minus Korea five-year" of one host's metric.
fn paired(report: &Report, host: &str, metric: &str) -> Result<PairedSummary, Error> {
    let missing = || Error::Internal(format!("no paired difference for {host} {metric}"));
    let d = report.arms[ANNUAL].host(host)?.vs_reference(metric)?;
    d.ok_or_else(missing)
}

/// Prints the paired differences in plain words, with each change as a percentage of the
/// reference arm's mean for scale.
fn explain(title: &str, report: &Report) -> Result<(), Error> {
    println!("{title}: Korea annual minus Korea five-year, mean [95% CI], same worlds");
    let mut up = Vec::new();
    let mut down = Vec::new();
    for other in others(report) {
        for metric in ["opening_demand", "payments"] {
            let d = paired(report, other, metric)?;
            let base = report.arms[0].host(other)?.metric(metric)?.mean;
            println!("  {other:<6} {metric:<22} {}", words(&d, base));
            if metric == "payments" {
                match direction(&d) {
                    "higher" => up.push(other),
                    "lower" => down.push(other),
                    _ => {}
                }
            }
        }
    }
    let (annual, five) = (&report.arms[ANNUAL], &report.arms[0]);
    for metric in [
        "payments",
        "talks_share",
        "negotiations_per_year",
        "support_min",
        "joint_loss",
    ] {
        if let (Some(d), Ok(s)) = (
            annual.total(metric).ok().and_then(|t| t.paired()),
            five.total(metric),
        ) {
            println!("  {:<6} {metric:<22} {}", "all", words(&d, s.mean));
        }
    }

    // The one-sentence answer, from the other hosts' payment differences.
    let answer = match (up.is_empty(), down.is_empty()) {
        (true, true) => "no detectable change in what the patron extracts from the others".into(),
        (false, true) => format!("the patron extracts more from {}", up.join(" and ")),
        (true, false) => format!("the patron extracts less from {}", down.join(" and ")),
        (false, false) => format!(
            "the patron extracts more from {} but less from {}",
            up.join(" and "),
            down.join(" and ")
        ),
    };
    println!("  => With annual deals with Korea, {answer}.\n");
    Ok(())
}

/// `+mean [lo, hi] (+x.xx% of base): higher|lower|no clear change`.
fn words(d: &PairedSummary, base: f64) -> String {
    // Money to the unit, shares and log units to four decimals.
    let digits = if base.abs() >= 100.0 { 0 } else { 4 };
    let share = if base != 0.0 {
        format!(" ({:+.2}% of {base:.digits$})", 100.0 * d.mean / base)
    } else {
        String::new()
    };
    format!(
        "{:+.digits$} [{:+.digits$}, {:+.digits$}]{share}: {}",
        d.mean,
        d.ci95[0],
        d.ci95[1],
        direction(d)
    )
}

/// Higher, lower, or no clear change: whether the 95% CI excludes zero.
fn direction(d: &PairedSummary) -> &'static str {
    if d.ci95[0] > 0.0 {
        "higher"
    } else if d.ci95[1] < 0.0 {
        "lower"
    } else {
        "no clear change"
    }
}
