//! `negcycle calibrate`: free parameters estimated from a record by simulated method of moments
//! ([`negcycle::calibrate`]), optionally over combinations of discrete options.

use crate::args::{CalibrateArgs, ScenarioArgs};
use crate::input::{check_threads, load_input, split_list};
use crate::output::{check_out_dir, open_out};
use crate::{Failure, emit_text, from_lib, invalid, note, output_failure};
use negcycle::Input;
use negcycle::calibrate::selection::parse_option;
use negcycle::calibrate::{FlagPolicy, FreeParam, OptimiserSettings, Settings, calibrate, select};
use negcycle::record::Record;

/// The preset calibrated when neither `--preset` nor `--scenario` is given.
const DEFAULT_CALIBRATE_PRESET: &str = "us_rok_sma_history";
/// The most replicas accepted.
const MAX_REPLICAS: u64 = 1_000_000;
/// The most starts accepted.
const MAX_STARTS: usize = 64;

pub(crate) fn cmd_calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    let scenario_args = ScenarioArgs {
        preset: match (&args.preset, &args.scenario) {
            (None, None) => Some(DEFAULT_CALIBRATE_PRESET.to_string()),
            (p, _) => p.clone(),
        },
        scenario: args.scenario.clone(),
        set: args.set.clone(),
    };
    let base = match load_input(&scenario_args)? {
        Input::Single(s) => s,
        Input::Alliance(_) => {
            return Err(invalid(
                "--scenario: calibrate takes a single-host scenario, not an alliance",
            ));
        }
    };
    let free = split_list("--free", &args.free)?
        .into_iter()
        .map(|f| FreeParam::parse(f).map_err(|e| invalid(format!("--{e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let record = match &args.record {
        Some(path) => Record::from_path(path).map_err(|e| invalid(format!("--record {e}")))?,
        None => Record::sma().map_err(from_lib)?,
    };
    let options = args
        .select
        .iter()
        .map(|s| parse_option(s).map_err(|e| invalid(format!("--{e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if args.replicas == 0 || args.replicas > MAX_REPLICAS {
        return Err(invalid(format!(
            "--replicas: must be in [1, {MAX_REPLICAS}], got {}",
            args.replicas
        )));
    }
    if args.starts == 0 || args.starts > MAX_STARTS {
        return Err(invalid(format!(
            "--starts: must be in [1, {MAX_STARTS}], got {}",
            args.starts
        )));
    }
    if args.max_iters == 0 {
        return Err(invalid("--max-iters: must be at least 1, got 0"));
    }
    check_threads(args.threads)?;
    let settings = Settings {
        replicas: args.replicas,
        seed: args.seed,
        threads: args.threads,
        flagged: if args.exclude_flagged {
            FlagPolicy::Exclude
        } else {
            FlagPolicy::Keep
        },
        optimiser: OptimiserSettings {
            starts: args.starts,
            max_iters: args.max_iters,
            ..OptimiserSettings::default()
        },
        profiles: true,
        options: Vec::new(),
    };
    check_out_dir(args.out.as_deref())?;
    let out = open_out(args.out.as_deref())?;
    let start = std::time::Instant::now();
    let (calibration, selection) = if options.is_empty() {
        let c = calibrate(&base, &record, &free, &settings).map_err(calibrate_failure)?;
        (c, None)
    } else {
        let s = select(&base, &record, &free, &settings, &options).map_err(calibrate_failure)?;
        (s.calibration.clone(), Some(s))
    };
    let mut table = String::new();
    if let Some(s) = &selection {
        table.push_str(&s.table());
        table.push('\n');
    }
    table.push_str(&calibration.table());
    emit_text(&table)?;
    note(
        args.quiet,
        &format!(
            "{} objective evaluations of {} replicas in {:.1} s",
            calibration.evaluations,
            args.replicas,
            start.elapsed().as_secs_f64()
        ),
    );
    if let Some(mut out) = out {
        let json = match &selection {
            Some(s) => {
                let mut t = serde_json::to_string_pretty(s)
                    .map_err(|e| Failure::Failed(format!("JSON: {e}")))?;
                t.push('\n');
                t
            }
            None => calibration.to_json_string().map_err(output_failure)?,
        };
        let toml = calibration.scenario_toml().map_err(output_failure)?;
        let csv = match &selection {
            Some(s) => s.to_csv_string(),
            None => calibration.to_csv_string(),
        };
        #[allow(unused_mut)]
        let mut files: Vec<(&str, Vec<u8>)> = vec![
            ("calibration.json", json.into_bytes()),
            ("calibration.csv", csv.into_bytes()),
            ("calibrated.toml", toml.into_bytes()),
        ];
        #[cfg(feature = "plot")]
        files.push((
            negcycle::plot::CALIBRATION_FIT_FILE,
            negcycle::plot::calibration_fit_svg(&calibration)
                .map_err(output_failure)?
                .into_bytes(),
        ));
        for (name, bytes) in &files {
            out.stage(name, bytes).map_err(output_failure)?;
        }
        for path in out.commit().map_err(output_failure)? {
            note(args.quiet, &format!("wrote {}", path.display()));
        }
    }
    Ok(())
}

/// A calibration error: invalid input (the free parameters, the options, the record) or a
/// refusal, both exit status 2, except I/O and internal errors.
fn calibrate_failure(e: negcycle::Error) -> Failure {
    match &e {
        negcycle::Error::InvalidExperiment { .. } => invalid(format!("--{e}")),
        _ => from_lib(e),
    }
}
