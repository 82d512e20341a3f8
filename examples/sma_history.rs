//! Simulated against recorded, negotiation by negotiation: the `us_rok_sma_history` preset
//! replays the SMA calendar from 1991 (the record's durations), so that simulated negotiation
//! `k` has the same deadline as the real one. For each of the eleven negotiations since 1993 it
//! prints, over many simulated histories, the share that lapsed, the mean lapse in months, the
//! share signed before the deadline and the mean number of formal rounds, beside what the record
//! says (`data/sma_history.csv`, with its flags). It does this under both clocks of MODEL.md
//! §10.2, with the flagship's parameters as they are (nothing here is fitted: `negcycle
//! calibrate` is where parameters are estimated).
//!
//! Run: `cargo run --release --example sma_history`

use negcycle::record::Record;
use negcycle::scenario::Clock;
use negcycle::{EnvironmentPath, Error, Model, Scenario};

/// Simulated 40-year histories per clock, and the seed.
const TRIALS: u64 = 4_000;
const SEED: u64 = 1991;
/// The calendar's first year (step 0 is January of it).
const START_YEAR: i32 = 1991;

/// What the simulated negotiations with one deadline did, summed over trials.
#[derive(Default, Clone, Copy)]
struct Tally {
    n: u64,
    lapsed: u64,
    lapse_months: f64,
    early: u64,
    rounds: f64,
}

fn main() -> Result<(), Error> {
    let record = Record::sma()?;
    let base = Scenario::preset("us_rok_sma_history")?;
    for clock in [Clock::Negmas, Clock::Deadline] {
        let mut s = base.clone();
        s.protocol.clock = clock;
        let tallies = simulate(&s, &record)?;
        println!(
            "clock = {:?}: {TRIALS} simulated histories of 1991–2030, flagship parameters",
            clock
        );
        println!(
            "{:>3} {:>7}  {:>9} {:>9}  {:>9} {:>9}  {:>9} {:>9}  {:>6} {:>6}  flags",
            "#",
            "deadline",
            "lapse sim",
            "rec",
            "months sim",
            "rec",
            "early sim",
            "rec",
            "rounds",
            "rec"
        );
        let (mut sim_rounds, mut rec_rounds, mut rec_n) = (0.0, 0.0, 0.0);
        for (a, t) in record.agreements.iter().skip(1).zip(&tallies) {
            let lag = a.signing_lag_months;
            let share = |k: u64| k as f64 / t.n.max(1) as f64;
            let rec_lapse = lag.map_or("?".to_string(), |l| yes_no(l > 0.0));
            let rec_months = lag.map_or("?".to_string(), |l| format!("{:.1}", l.max(0.0)));
            let rec_early = lag.map_or("?".to_string(), |l| yes_no(l < 0.0));
            let rec_r = a
                .negotiation_rounds
                .map_or("?".to_string(), |r| r.to_string());
            let mean_rounds = t.rounds / t.n.max(1) as f64;
            if let Some(r) = a.negotiation_rounds {
                sim_rounds += mean_rounds;
                rec_rounds += f64::from(r);
                rec_n += 1.0;
            }
            println!(
                "{:>3} {:>4}-01  {:>9.2} {:>9}  {:>9.1} {:>9}  {:>9.2} {:>9}  {:>6.1} {:>6}  {}",
                a.ordinal,
                a.first_year,
                share(t.lapsed),
                rec_lapse,
                t.lapse_months / t.n.max(1) as f64,
                rec_months,
                share(t.early),
                rec_early,
                mean_rounds,
                rec_r,
                a.flags
            );
        }
        let lapsed_rec = record
            .agreements
            .iter()
            .skip(1)
            .filter(|a| a.signing_lag_months.is_some_and(|l| l > 0.0))
            .count();
        let sim_lapse: f64 = tallies
            .iter()
            .map(|t| t.lapsed as f64 / t.n.max(1) as f64)
            .sum::<f64>()
            / tallies.len() as f64;
        println!(
            "all: simulated lapse share {:.2} against {lapsed_rec} of {} recorded; mean rounds \
             {:.1} simulated against {:.1} recorded (the {} negotiations with a known count)\n",
            sim_lapse,
            tallies.len(),
            sim_rounds / rec_n,
            rec_rounds / rec_n,
            rec_n
        );
    }
    println!(
        "Reading: a lapse is a signing after the old agreement's expiry; early is a signing \
         before it. Simulated shares are over the histories in which that deadline occurred (a \
         lapse longer than a term moves later deadlines)."
    );
    Ok(())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// Per recorded negotiation (ordinals 2, 3, …), the simulated negotiations with its deadline.
fn simulate(s: &Scenario, record: &Record) -> Result<Vec<Tally>, Error> {
    let model = Model::new(s.clone())?;
    let arm = model.arm(s.agreement.cycle_years)?;
    let deadlines: Vec<usize> = record
        .agreements
        .iter()
        .skip(1)
        .map(|a| ((a.first_year - START_YEAR) * 12) as usize)
        .collect();
    let mut tallies = vec![Tally::default(); deadlines.len()];
    let mut path = EnvironmentPath::new();
    let mut recs = Vec::new();
    let months_per_step = 12.0 / f64::from(s.steps_per_year);
    for trial in 0..TRIALS {
        path.generate(s, SEED, trial);
        model.run(&arm, &path, SEED, trial, &mut recs);
        for r in recs.iter().filter(|r| r.completed) {
            let Some(k) = deadlines.iter().position(|&d| d == r.deadline_step) else {
                continue;
            };
            let t = &mut tallies[k];
            t.n += 1;
            t.rounds += f64::from(r.rounds);
            if r.lapse_steps > 0 {
                t.lapsed += 1;
                t.lapse_months += f64::from(r.lapse_steps) * months_per_step;
            } else if r.signing_months < 0.0 {
                t.early += 1;
            }
        }
    }
    Ok(tallies)
}
