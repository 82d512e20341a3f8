//! `negcycle sweep`: one experiment per value of a scenario key, on the same worlds.

use crate::args::SweepArgs;
use crate::input::{
    build_experiment, check_cycles, check_threads, check_trials, load_input, parse_cycles,
    split_list,
};
use crate::output::{check_out_dir, open_out, output_files};
use crate::progress::Bar;
use crate::run::configure;
use crate::{Failure, from_lib, from_run, invalid};
use negcycle::metrics::METRICS;
use negcycle::run::sweep::{DEFAULT_SWEEP_METRICS, sweep_variants};
use negcycle::{Error, Input};

pub(crate) fn cmd_sweep(args: SweepArgs) -> Result<(), Failure> {
    let exp = &args.experiment;
    let base = load_input(&args.scenario)?;
    let param = args.param.trim().to_string();
    let values = split_list("--values", &args.values)?;
    // Every value must give a valid scenario on which every cycle length is valid.
    for value in &values {
        let with = base
            .with_override(&param, value)
            .map_err(|e| invalid(format!("--param {param} with value {value:?}: {e}")))?;
        if let (Input::Single(s), [one]) = (&with, args.cycles.as_slice()) {
            if !one.contains('=') {
                check_cycles(
                    s,
                    &parse_cycles(one)?,
                    &format!(" (with {param} = {value})"),
                )?;
            }
        }
    }
    let experiment = build_experiment(&base, &args.cycles, &[], exp)?;
    let variants = sweep_variants(&param, &values).map_err(from_lib)?;
    let experiment = experiment.variants(variants);
    check_trials(args.trials)?;
    check_threads(exp.threads)?;
    let mut metrics: Vec<&str> = Vec::new();
    for name in &args.metrics {
        let name = name.trim();
        if !METRICS.iter().any(|m| m.name == name) {
            let e = Error::UnknownMetric {
                name: name.to_string(),
                available: METRICS.iter().map(|m| m.name.to_string()).collect(),
            };
            return Err(invalid(format!("--metric: {e}")));
        }
        if !metrics.contains(&name) {
            metrics.push(name);
        }
    }
    if metrics.is_empty() {
        metrics.extend(DEFAULT_SWEEP_METRICS);
    }
    experiment.validate().map_err(from_run)?;
    check_out_dir(exp.out.as_deref())?;
    let out = open_out(exp.out.as_deref())?;

    let bar = Bar::new(exp.quiet, args.trials);
    let report = configure(experiment, args.trials, exp, &bar).run();
    bar.finish();
    let report = report.map_err(from_run)?;
    let table = format!(
        "sweep of {param} over {} values ({}), on the same simulated worlds\n{}",
        values.len(),
        values.join(", "),
        report.table().metrics(&metrics)
    );
    output_files(
        &report,
        "sweep",
        args.format,
        out,
        exp.quiet,
        &table,
        &metrics,
    )
}
