//! Input: scenario files and presets, `--set`, lists, cycle lengths, shards, trials and threads,
//! the reference arm and variants, and the experiment built from them.

use crate::args::{DEFAULT_CYCLES, DEFAULT_PRESET, ExperimentArgs, ScenarioArgs};
use crate::{Failure, invalid};
use negcycle::alliance::Alliance;
use negcycle::{Experiment, Input, Scenario, ScenarioError, Variant};
use std::path::Path;

/// Largest accepted `--threads`.
const MAX_THREADS: usize = 1024;
/// Largest number of joint arms of an alliance run (the product of the per-host grids).
const MAX_JOINT_ARMS: usize = 1000;

/// The text of a scenario error, with `origin` in front of rule violations (which do not name
/// their file themselves).
fn scenario_error(origin: &str, e: &ScenarioError) -> String {
    match e {
        ScenarioError::Invalid(_) => format!("{origin}: {e}"),
        _ => e.to_string(),
    }
}

/// Checks that `path` names a readable regular file, before anything else reads it.
fn check_input_file(path: &Path) -> Result<std::fs::Metadata, Failure> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => invalid(format!("{shown}: no such file")),
        _ => invalid(format!("{shown}: cannot read: {e}")),
    })?;
    if meta.is_dir() {
        return Err(invalid(format!("{shown}: is a directory, not a file")));
    }
    if meta.is_file() && meta.len() == 0 {
        return Err(invalid(format!("{shown}: the file is empty")));
    }
    Ok(meta)
}

/// Reads and validates a scenario or alliance file (read once; [`Input::from_path`] tells the
/// kinds apart by the text and refuses anything but a regular file of a bounded size).
pub(crate) fn read_input(path: &Path) -> Result<Input, Failure> {
    check_input_file(path)?;
    let shown = path.display().to_string();
    Input::from_path(path).map_err(|e| invalid(scenario_error(&shown, &e)))
}

/// Every preset name: the single-host presets, then the alliances.
pub(crate) fn all_preset_names() -> Vec<String> {
    Input::presets().into_iter().map(str::to_string).collect()
}

/// The error for a preset name that is neither a scenario nor an alliance.
pub(crate) fn unknown_preset(name: &str) -> ScenarioError {
    ScenarioError::UnknownPreset {
        name: name.to_string(),
        available: all_preset_names(),
    }
}

/// The scenario or alliance of `--preset`/`--scenario`, before any `--set`.
fn load_base(args: &ScenarioArgs) -> Result<Input, Failure> {
    match (&args.scenario, &args.preset) {
        (Some(path), _) => read_input(path),
        (None, name) => {
            let name = name.as_deref().unwrap_or(DEFAULT_PRESET);
            Input::preset(name).map_err(|e| invalid(format!("--preset: {e}")))
        }
    }
}

/// Splits one `--set` item into its key and value.
fn split_set(item: &str) -> Result<(&str, &str), Failure> {
    let (key, value) = item.split_once('=').ok_or_else(|| {
        invalid(format!(
            "--set: expected KEY=VALUE (e.g. host.margin=0.1), got {item:?}"
        ))
    })?;
    Ok((key.trim(), value.trim()))
}

/// The scenario or alliance of `--preset`/`--scenario` with every `--set` applied in order
/// ([`Input::with_override`]: for an alliance also `hosts.NAME.*` and `linkage.*`).
pub(crate) fn load_input(args: &ScenarioArgs) -> Result<Input, Failure> {
    let mut input = load_base(args)?;
    for item in &args.set {
        let (key, value) = split_set(item)?;
        input = input
            .with_override(key, value)
            .map_err(|e| invalid(format!("--set {item}: {e}")))?;
    }
    Ok(input)
}

/// Splits a comma-separated option value into trimmed, non-empty, distinct items.
pub(crate) fn split_list<'a>(option: &str, text: &'a str) -> Result<Vec<&'a str>, Failure> {
    let mut items: Vec<&str> = Vec::new();
    for (i, raw) in text.split(',').enumerate() {
        let item = raw.trim();
        if item.is_empty() {
            return Err(invalid(format!(
                "{option}: item {} of {text:?} is empty (expected a comma-separated list)",
                i + 1
            )));
        }
        if items.contains(&item) {
            return Err(invalid(format!("{option}: {item:?} is given twice")));
        }
        items.push(item);
    }
    Ok(items)
}

/// Parses `--cycles`: positive finite numbers of years, distinct.
pub(crate) fn parse_cycles(text: &str) -> Result<Vec<f64>, Failure> {
    parse_cycle_list("--cycles", text)
}

/// Parses a comma-separated list of cycle lengths (positive finite years, distinct); `option`
/// names it in messages.
fn parse_cycle_list(option: &str, text: &str) -> Result<Vec<f64>, Failure> {
    let mut cycles: Vec<f64> = Vec::new();
    for item in split_list(option, text)? {
        let years: f64 = item.parse().map_err(|_| {
            invalid(format!(
                "{option}: {item:?} is not a number (cycle lengths are in years, e.g. 1,2,5)"
            ))
        })?;
        if !years.is_finite() {
            return Err(invalid(format!(
                "{option}: {item:?} must be a finite number of years"
            )));
        }
        if years <= 0.0 {
            return Err(invalid(format!(
                "{option}: {item:?} must be > 0 (a cycle length in years)"
            )));
        }
        if cycles.contains(&years) {
            return Err(invalid(format!(
                "{option}: {item:?} is given twice (arms must be distinct)"
            )));
        }
        cycles.push(years);
    }
    Ok(cycles)
}

/// The single `--cycles` list of a single-host run (the default when not given).
fn single_cycles_text<'a>(items: &'a [String], scenario: &Scenario) -> Result<&'a str, Failure> {
    let text = match items {
        [] => DEFAULT_CYCLES,
        [one] => one.as_str(),
        more => {
            return Err(invalid(format!(
                "--cycles: given {} times; a single-host scenario takes one comma-separated \
                 list of years (e.g. --cycles 1,2,5)",
                more.len()
            )));
        }
    };
    if text.contains('=') {
        return Err(invalid(format!(
            "--cycles: {text:?}: NAME=YEARS,... lists are for alliances (scenarios with \
             [[hosts]]); {} has one host: give its cycle lengths in years, e.g. --cycles 1,5",
            scenario.name
        )));
    }
    Ok(text)
}

/// Parses an alliance's `--cycles NAME=YEARS,...` items into one grid per host (in the hosts'
/// order); a host not named keeps its own `agreement.cycle_years`. Every cycle length is
/// checked against its host's steps.
fn parse_host_cycles(alliance: &Alliance, items: &[String]) -> Result<Vec<Vec<f64>>, Failure> {
    let names = alliance.host_names();
    let hosts = names.join(", ");
    let mut given: Vec<Option<Vec<f64>>> = vec![None; names.len()];
    for item in items {
        let Some((name, list)) = item.split_once('=') else {
            let example = match names.as_slice() {
                [first, second, ..] => format!("--cycles {first}=1,5 --cycles {second}=5"),
                [first] => format!("--cycles {first}=1,5"),
                [] => "--cycles NAME=1,5".to_string(),
            };
            return Err(invalid(format!(
                "--cycles: {item:?} names no host; {} is an alliance (hosts {hosts}): give \
                 each host's cycle lengths as NAME=YEARS,... (repeatable), e.g. {example}; \
                 hosts not named keep their own agreement.cycle_years",
                alliance.name
            )));
        };
        let name = name.trim();
        let option = format!("--cycles {name}");
        let i = alliance.host_index(name).ok_or_else(|| {
            invalid(format!(
                "--cycles {item}: no host named {name:?}; hosts: {hosts}"
            ))
        })?;
        if given[i].is_some() {
            return Err(invalid(format!(
                "{option}: the host is given twice (list all its cycle lengths in one item, \
                 e.g. {name}=1,5)"
            )));
        }
        let cycles = parse_cycle_list(&option, list)?;
        let scenario = alliance.host_scenario(i);
        let field = format!("hosts.{name}.cycle_years");
        for &c in &cycles {
            scenario
                .check_cycle_years(&field, c)
                .map_err(|e| match &e {
                    ScenarioError::Invalid(v) => invalid(format!(
                        "{option}: {}",
                        v.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    )),
                    _ => invalid(format!("{option}: {e}")),
                })?;
        }
        given[i] = Some(cycles);
    }
    let grids: Vec<Vec<f64>> = given
        .into_iter()
        .zip(&alliance.hosts)
        .map(|(g, h)| g.unwrap_or_else(|| vec![h.agreement.cycle_years]))
        .collect();
    let arms = grids
        .iter()
        .try_fold(1usize, |n, g| n.checked_mul(g.len()))
        .unwrap_or(usize::MAX);
    if arms > MAX_JOINT_ARMS {
        return Err(invalid(format!(
            "--cycles: the per-host lists make {} joint arms; at most {MAX_JOINT_ARMS} are \
             allowed (shorten the lists)",
            if arms == usize::MAX {
                "too many".to_string()
            } else {
                arms.to_string()
            }
        )));
    }
    Ok(grids)
}

/// The arms of `--cycles` for either kind of input, per arm one cycle per host: a single
/// host's comma-separated list (each length `[c]`; the default list when not given), or the
/// joint arms of an alliance's `NAME=YEARS,...` items (the product of the per-host lists, the
/// first host varying slowest). Every length is checked against its host's steps.
pub(crate) fn parse_arms(input: &Input, items: &[String]) -> Result<Vec<Vec<f64>>, Failure> {
    match input {
        Input::Single(scenario) => {
            let cycles = parse_cycles(single_cycles_text(items, scenario)?)?;
            check_cycles(scenario, &cycles, "")?;
            Ok(cycles.into_iter().map(|c| vec![c]).collect())
        }
        Input::Alliance(alliance) => Ok(negcycle::run::grid_product(&parse_host_cycles(
            alliance, items,
        )?)),
    }
}

/// Parses `--shard I/N` with `0 <= I < N`.
pub(crate) fn parse_shard(text: &str) -> Result<(u64, u64), Failure> {
    let bad = || {
        invalid(format!(
            "--shard: expected I/N with 0 <= I < N (e.g. 0/4), got {text:?}"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let i: u64 = i.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

pub(crate) fn check_trials(trials: u64) -> Result<(), Failure> {
    if trials == 0 {
        return Err(invalid("--trials: must be >= 1, got 0"));
    }
    Ok(())
}

pub(crate) fn check_threads(threads: Option<usize>) -> Result<(), Failure> {
    match threads {
        Some(n) if n == 0 || n > MAX_THREADS => Err(invalid(format!(
            "--threads: must be in [1, {MAX_THREADS}], got {n}"
        ))),
        _ => Ok(()),
    }
}

/// Checks that every cycle length is valid for `scenario` (a whole number of its steps).
pub(crate) fn check_cycles(
    scenario: &Scenario,
    cycles: &[f64],
    context: &str,
) -> Result<(), Failure> {
    for &c in cycles {
        scenario
            .check_cycle_years("cycle_years", c)
            .map_err(|e| match &e {
                ScenarioError::Invalid(v) => invalid(format!(
                    "--cycles{context}: {}",
                    v.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                _ => invalid(format!("--cycles{context}: {e}")),
            })?;
    }
    Ok(())
}

/// The experiment of `run` and `sweep`: input, arms (`--cycles`), variants and reference.
pub(crate) fn build_experiment(
    input: &Input,
    cycles: &[String],
    variants: &[String],
    exp: &ExperimentArgs,
) -> Result<Experiment, Failure> {
    let joint = parse_arms(input, cycles)?;
    let arms = joint.len();
    let mut experiment = Experiment::new(input.clone()).arms(joint);
    let variants = parse_variants(variants)?;
    let n_variants = variants.len().max(1);
    if !variants.is_empty() {
        experiment = experiment.variants(variants);
    }
    if let Some(r) = &exp.reference {
        let r = r.trim();
        experiment = match (input, r.parse::<usize>()) {
            (Input::Alliance(_), Ok(k)) if k < arms * n_variants => experiment.reference(k),
            (Input::Alliance(_), Ok(k)) => {
                return Err(invalid(format!(
                    "--reference: for an alliance, the 0-based index of a joint arm as numbered \
                     in the report (0 to {}) or an arm label, got {k}",
                    (arms * n_variants).saturating_sub(1)
                )));
            }
            _ => experiment.reference(r),
        };
    }
    Ok(experiment)
}

/// The `--variant` list: `NAME:KEY=VALUE,...` each; the base variant (no overrides) comes first
/// unless one is named `base`.
fn parse_variants(items: &[String]) -> Result<Vec<Variant>, Failure> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(items.len() + 1);
    for item in items {
        let v = Variant::parse(item).map_err(|e| invalid(format!("--variant: {e}")))?;
        if out.iter().any(|w: &Variant| w.name() == v.name()) {
            return Err(invalid(format!(
                "--variant: {:?} is given twice (variant names must be distinct)",
                v.name()
            )));
        }
        out.push(v);
    }
    if !out.iter().any(|v| v.name() == negcycle::run::BASE) {
        out.insert(0, Variant::base());
    }
    Ok(out)
}
