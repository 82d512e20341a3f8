//! `negcycle run`: compare cycle lengths on one scenario or alliance, whole or one shard.

use crate::args::{ExperimentArgs, Format, RunArgs};
use crate::input::{build_experiment, check_threads, check_trials, load_input, parse_shard};
use crate::output::{
    check_out_dir, format_name, open_out, open_shard_out, output_report, output_shard,
};
use crate::progress::Bar;
use crate::{Failure, from_run, invalid, output_failure};
use negcycle::{Experiment, Progress};

pub(crate) fn cmd_run(args: RunArgs) -> Result<(), Failure> {
    // Everything is checked before the simulation starts and before any file is created.
    let input = load_input(&args.scenario)?;
    let exp = &args.experiment;
    let mut experiment = build_experiment(&input, &args.cycles, &args.variants, exp)?;
    for item in &args.schedules {
        let (name, years) = parse_schedule(item)?;
        experiment = experiment.schedule(&name, years);
    }
    check_trials(args.trials)?;
    check_threads(exp.threads)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let format = run_format(shard, args.format)?;
    experiment.validate().map_err(from_run)?;
    check_out_dir(exp.out.as_deref())?;
    // --out is opened (created, locked, checked writable) before the simulation starts.
    let (set_out, shard_out) = match shard {
        Some(_) => (None, open_shard_out(exp.out.as_deref())?),
        None => (open_out(exp.out.as_deref())?, None),
    };
    let bar = Bar::new(exp.quiet, planned_trials(args.trials, shard));
    let experiment = configure(experiment, args.trials, exp, &bar);
    match shard {
        Some((index, count)) => {
            let part = experiment.run_shard(index, count);
            bar.finish();
            let json = part
                .map_err(from_run)?
                .to_json_string()
                .map_err(output_failure)?;
            output_shard(json, (index, count), shard_out, exp.quiet)
        }
        None => {
            let report = experiment.run();
            bar.finish();
            output_report(&report.map_err(from_run)?, format, set_out, exp.quiet)
        }
    }
}

/// Sets trials, seed, threads and the progress bar.
pub(crate) fn configure(
    experiment: Experiment,
    trials: u64,
    exp: &ExperimentArgs,
    bar: &Bar,
) -> Experiment {
    let bar = bar.clone();
    let mut e = experiment
        .trials(trials)
        .seed(exp.seed)
        .observer(move |p: Progress| bar.set(p.trials_done));
    if let Some(n) = exp.threads {
        e = e.threads(n);
    }
    e
}

/// The output format of `run`: JSON for a shard (table and csv are refused), else `--format`
/// (a table by default).
fn run_format(shard: Option<(u64, u64)>, format: Option<Format>) -> Result<Format, Failure> {
    match (shard, format) {
        (Some(_), None | Some(Format::Json)) => Ok(Format::Json),
        (Some(_), Some(other)) => Err(invalid(format!(
            "--shard: a shard's partial report is JSON only; --format {} is not possible \
             (use --format json, then `negcycle merge` the parts)",
            format_name(other)
        ))),
        (None, f) => Ok(f.unwrap_or(Format::Table)),
    }
}

/// The trials this invocation runs (a shard's slice, or all of them), for the progress bar.
fn planned_trials(trials: u64, shard: Option<(u64, u64)>) -> u64 {
    match shard {
        Some((index, count)) => {
            negcycle::run::shard_range(trials, index, count).map_or(0, |(a, b)| b - a)
        }
        None => trials,
    }
}

/// One `--schedule NAME=YEARS,...`: the name and the agreement lengths in years.
fn parse_schedule(item: &str) -> Result<(String, Vec<f64>), Failure> {
    let fail = |rule: &str| {
        invalid(format!(
            "--schedule: {rule}; expected NAME=YEARS,YEARS,... (e.g. sma=3,2,1,5), got {item:?}"
        ))
    };
    let (name, list) = item
        .split_once('=')
        .ok_or_else(|| fail("no '=' after the name"))?;
    let years = list
        .split(',')
        .map(|y| {
            y.trim()
                .parse::<f64>()
                .map_err(|_| fail(&format!("{:?} is not a number of years", y.trim())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((name.trim().to_string(), years))
}
