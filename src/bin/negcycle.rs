//! The negcycle command line: run experiments, shard and merge them, sweep a parameter, list,
//! show and check scenarios. `run`, `merge`, `presets`, `show` and `check` also handle alliances
//! (one patron, several hosts: [`negcycle::alliance`]).
//!
//! Exit status: 0 success, 2 invalid input or usage, 1 any other failure. Every input is
//! checked before anything runs or any output file or directory is created. The `--out` folder
//! is then opened (created, locked against concurrent runs, checked writable:
//! [`negcycle::report::write::OutputDir`]) before the simulation starts, and its files are
//! staged and committed as one set with a manifest written last. Text from the user (names,
//! paths) is printed through [`negcycle::report::escape::terminal_text`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use negcycle::alliance::Alliance;
use negcycle::metrics::METRICS;
use negcycle::report::escape::terminal_text;
use negcycle::report::write::{OutputDir, SharedOutputDir};
use negcycle::run::sweep::{DEFAULT_SWEEP_METRICS, sweep_variants};
use negcycle::{
    Error, Experiment, Input, PartialReport, Progress, Report, Scenario, ScenarioError, Variant,
};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The preset used when neither `--preset` nor `--scenario` is given.
const DEFAULT_PRESET: &str = "us_rok_sma";
/// The cycle lengths compared when `--cycles` is not given.
const DEFAULT_CYCLES: &str = "1,2,3,5,10";
/// Trials of `run` when `--trials` is not given.
const DEFAULT_RUN_TRIALS: u64 = 10_000;
/// Trials per value of `sweep` when `--trials` is not given.
const DEFAULT_SWEEP_TRIALS: u64 = 2_000;
/// Seed when `--seed` is not given.
const DEFAULT_SEED: u64 = 2019;
/// Largest accepted `--threads`.
const MAX_THREADS: usize = 1024;
/// Largest number of joint arms of an alliance run (the product of the per-host grids).
const MAX_JOINT_ARMS: usize = 1000;
/// The progress bar appears only for runs that take longer than this.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

const ABOUT: &str = "Monte Carlo simulation of repeated negotiations between allies whose \
agreements expire: friction, uncertainty and cost by cycle length";

const LONG_ABOUT: &str = "\
Monte Carlo simulation of repeated negotiations between allies whose agreements expire: \
friction, uncertainty and cost by cycle length (the model: MODEL.md).

Without a command, negcycle runs the flagship comparison (the same as `negcycle run`): the \
us_rok_sma preset, 1, 2, 3, 5 and 10-year cycles on the same 10,000 simulated 30-year \
histories, seed 2019. It finishes in about a second on two cores (release build).";

const AFTER_HELP: &str = "\
Exit status: 0 success; 2 invalid input or usage (the message names the file, the field path \
and the rule; also an --out that exists and is not a directory, or lies under a regular file); \
1 any other failure (an --out that cannot be created or written, or that another negcycle run \
is writing; internal errors). Both are found before the simulation starts.";

const RUN_LONG_ABOUT: &str = "\
Simulates one scenario for several cycle lengths (arms) on the same simulated worlds (common \
random numbers) and reports, per arm and metric, the mean, spread, 95% CI and quantiles, and \
the paired difference against the reference arm.

With no options (`negcycle` or `negcycle run`) this is the flagship comparison: preset \
us_rok_sma, cycles 1, 2, 3, 5 and 10 years, 10,000 trials, seed 2019, reference arm 1 year. It \
finishes in about a second on two cores (release build).

Output: stdout gets the report in the chosen --format (a table by default). --out DIR also \
writes report.json and report.csv (byte for byte what --format json / csv print) and the charts \
metrics_by_cycle.svg and deadline_effect.svg (when built with the `plot` feature) into DIR, \
created if missing, and last manifest.json (each file's size and SHA-256: the set is complete \
when it is there). DIR is created, locked against a concurrent run and checked writable before \
the simulation starts (see SECURITY.md). --quiet silences only the progress bar and the informational lines on \
stderr (\"wrote ...\"), never the report on stdout. The progress bar appears on stderr for runs \
longer than about a second, and only when stderr is a terminal.

Sharding: --shard I/N runs the I-th (0-based) of N slices of the trials and prints the partial \
report as JSON (the default format with --shard; table and csv are refused). With --out it is \
written to DIR/shard_I_of_N.json (shards may share DIR while they run). `negcycle merge` combines the N parts into exactly (byte for \
byte) the report of the unsharded run with the same options.

Alliances (one patron, several hosts: --preset us_alliances, or a --scenario file with \
[[hosts]]): each joint arm gives every host its own cycle length, and the report has the patron's \
totals over all hosts plus a level per host. Give a host's cycle lengths with \
--cycles NAME=YEARS,... (repeatable, e.g. --cycles korea=1,5 --cycles japan=5); hosts not named \
keep their own agreement.cycle_years, and the joint arms are the product of the per-host lists \
(first host in the file varies slowest; at most 1000 arms). A plain --cycles 1,5 is refused for \
an alliance. --reference K is then the 0-based index of the reference joint arm, as numbered in \
the report (default 0, the first value of every list: --cycles korea=5,1 makes Korea at five \
years the reference). --set reaches a host's keys through its name \
(hosts.japan.agreement.cycle_years=1, hosts.korea.party.margin=0.1), the links through \
linkage.* (linkage.leverage=0) and shared keys as for one host (patron.opening=0.2). --out DIR \
writes report.json, report.csv and manifest.json (no charts); --shard and `negcycle merge` work as for one host.

Everything (scenario, --set keys and values, cycles, trials, threads, shard, --out) is checked \
before the simulation starts; invalid input exits with status 2 and creates no file.";

const MERGE_LONG_ABOUT: &str = "\
Merges the partial reports written by `negcycle run --shard I/N --format json` (all N of them, \
in any order) into the full report, identical to the report of the unsharded run. Parts of \
different experiments, overlapping parts and missing parts are refused (exit status 2). Parts \
of an alliance run (marked by the key negcycle_alliance_partial) merge into the alliance report; \
mixing single-host and alliance parts is refused (exit status 2).

Output as for `run`: stdout gets the chosen --format; --out DIR also writes report.json, \
report.csv and the charts (feature `plot`; none for alliances).";

const SWEEP_LONG_ABOUT: &str = "\
Runs one experiment per value of a scenario key (--param, a dotted path as for --set) on the \
same seed, hence the same simulated worlds, and tabulates the chosen metrics by value and cycle \
length (mean ± 95% CI half-width). Default metrics: lapse_months, unsettled_share, \
payments_vs_fair, joint_loss; default trials: 2,000 per value.

Output: stdout gets the chosen --format (table: the chosen metrics; csv: one row per value, \
cycle length and chosen metric; json: every report in full). --out DIR also writes sweep.json, \
sweep.csv, the chart sweep.svg (feature `plot`) and manifest.json, as for `run`. --quiet silences only the progress bar and \
the informational lines on stderr.";

#[derive(Debug, Parser)]
#[command(
    name = "negcycle",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare cycle lengths on one scenario or alliance (the default command)
    #[command(long_about = RUN_LONG_ABOUT, after_help = AFTER_HELP)]
    Run(RunArgs),
    /// Merge the partial reports of `run --shard` into the full report
    #[command(long_about = MERGE_LONG_ABOUT, after_help = AFTER_HELP)]
    Merge(MergeArgs),
    /// Run one experiment per value of a scenario key and compare them
    #[command(long_about = SWEEP_LONG_ABOUT, after_help = AFTER_HELP)]
    Sweep(SweepArgs),
    /// List the built-in scenarios (single-host and alliances) with their descriptions
    Presets,
    /// Print a built-in scenario or alliance as TOML, ready to edit and use with --scenario
    Show {
        /// The preset's name (see `negcycle presets`)
        #[arg(value_name = "PRESET")]
        preset: String,
    },
    /// Validate a scenario or alliance file (.toml or .json) and list every problem with its
    /// field path
    #[command(after_help = AFTER_HELP)]
    Check {
        /// The scenario file
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// Output format of a report or sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A text table
    Table,
    /// JSON (the stable shape of negcycle::report)
    Json,
    /// Tidy CSV, one row per arm, host and metric (OUTPUT.md)
    Csv,
    /// JSON lines: the tidy table, one object per row
    Jsonl,
}

/// Where the scenario comes from.
#[derive(Debug, Clone, Args)]
struct ScenarioArgs {
    /// Built-in scenario or alliance (see `negcycle presets`) [default: us_rok_sma]
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "scenario",
        display_order = 1
    )]
    preset: Option<String>,
    /// Scenario file, .toml or .json (see `negcycle show` for the keys); a file with
    /// [[hosts]] is an alliance
    #[arg(long, value_name = "FILE", display_order = 2)]
    scenario: Option<PathBuf>,
    /// Override a scenario key by its dotted path, e.g. --set host.margin=0.1
    /// --set lapse.model=attrition (alliances: --set hosts.japan.agreement.cycle_years=1
    /// --set linkage.leverage=0); repeatable, applied in order, validated like a file
    #[arg(long = "set", value_name = "KEY=VALUE", display_order = 7)]
    set: Vec<String>,
}

/// The experiment's settings shared by `run` and `sweep`.
#[derive(Debug, Clone, Args)]
struct ExperimentArgs {
    /// The reference arm for paired differences: an arm label (base/5, tough/1) or a cycle
    /// length of the first variant in years [default: the first arm]. For an alliance also the
    /// 0-based index K of a joint arm, as numbered in the report
    #[arg(
        long,
        value_name = "ARM|YEARS|K",
        allow_hyphen_values = true,
        display_order = 5
    )]
    reference: Option<String>,
    /// Seed of every random stream (same seed, same worlds, same numbers)
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED, display_order = 8)]
    seed: u64,
    /// Worker threads, 1 to 1024 [default: one per core]; results do not depend on it
    #[arg(long, value_name = "N", display_order = 9)]
    threads: Option<usize>,
    /// Also write the results (JSON, CSV, charts) into DIR, created if missing (see --help)
    #[arg(long, value_name = "DIR", display_order = 12)]
    out: Option<PathBuf>,
    /// No progress bar and no informational lines on stderr (the result still goes to stdout)
    #[arg(long, short, display_order = 13)]
    quiet: bool,
}

#[derive(Debug, Clone, Args)]
struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Cycle lengths (arms) in years, comma-separated; each a positive whole number of steps
    /// [default: 1,2,3,5,10]. For an alliance: NAME=YEARS,... per host, repeatable (e.g.
    /// --cycles korea=1,5 --cycles japan=5); hosts not named keep their own cycle; the joint
    /// arms are the product of the lists
    #[arg(
        long,
        value_name = "YEARS,...|NAME=YEARS,...",
        allow_hyphen_values = true,
        display_order = 4
    )]
    cycles: Vec<String>,
    /// A variant to compare on the same worlds: NAME:KEY=VALUE[,KEY=VALUE...] (repeatable),
    /// e.g. --variant tough:patron.opening=0.6 or --variant rubinstein:protocol.kind=complete_information;
    /// the arms are every variant (base, with no overrides, first) × every cycle
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,...", display_order = 4)]
    variants: Vec<String>,
    #[command(flatten)]
    experiment: ExperimentArgs,
    /// Trials: simulated histories per arm
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RUN_TRIALS, display_order = 6)]
    trials: u64,
    /// Run only slice I of N (0-based) of the trials and print the partial report (JSON)
    #[arg(long, value_name = "I/N", display_order = 10)]
    shard: Option<String>,
    /// Output format on stdout [default: table; json with --shard]
    #[arg(long, value_enum, value_name = "FORMAT", display_order = 11)]
    format: Option<Format>,
}

#[derive(Debug, Clone, Args)]
struct MergeArgs {
    /// The partial reports (JSON files written by `run --shard I/N`)
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Output format on stdout
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "table")]
    format: Format,
    /// Write report.json, report.csv and the charts into this directory (created if missing)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// No informational lines on stderr
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Clone, Args)]
struct SweepArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The scenario key to vary, a dotted path (e.g. patron.opening)
    #[arg(long, value_name = "KEY", required = true, display_order = 3)]
    param: String,
    /// Its values, comma-separated (e.g. 0.1,0.3,1.6)
    #[arg(
        long,
        value_name = "V1,V2,...",
        required = true,
        allow_hyphen_values = true,
        display_order = 3
    )]
    values: String,
    /// Cycle lengths (arms) in years, comma-separated [default: 1,2,3,5,10]; for an alliance
    /// NAME=YEARS,... per host, repeatable
    #[arg(
        long,
        value_name = "YEARS,...|NAME=YEARS,...",
        allow_hyphen_values = true,
        display_order = 4
    )]
    cycles: Vec<String>,
    /// A metric to show (repeatable) [default: lapse_months, unsettled_share,
    /// payments_vs_fair, joint_loss]
    #[arg(long = "metric", value_name = "NAME", display_order = 4)]
    metrics: Vec<String>,
    #[command(flatten)]
    experiment: ExperimentArgs,
    /// Trials per value: simulated histories per arm
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SWEEP_TRIALS, display_order = 6)]
    trials: u64,
    /// Output format on stdout
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value = "table",
        display_order = 11
    )]
    format: Format,
}

/// Why a command failed, and so its exit status.
#[derive(Debug)]
enum Failure {
    /// Invalid input or usage: exit status 2.
    Invalid(String),
    /// Anything else (writing output, internal errors): exit status 1.
    Failed(String),
}

impl Failure {
    fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Invalid(_) => ExitCode::from(2),
            Failure::Failed(_) => ExitCode::from(1),
        }
    }

    fn message(&self) -> &str {
        match self {
            Failure::Invalid(m) | Failure::Failed(m) => m,
        }
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::Invalid(message.into())
}

/// A library error met while reading input or running: invalid input, except I/O and internal
/// errors.
fn from_lib(e: Error) -> Failure {
    match e {
        Error::Io { .. } | Error::Internal(_) => Failure::Failed(e.to_string()),
        _ => Failure::Invalid(e.to_string()),
    }
}

/// A library error met while checking or running an experiment: as [`from_lib`], naming the
/// option `--reference` when the reference arm is refused.
fn from_run(e: Error) -> Failure {
    match &e {
        Error::InvalidExperiment { field, rule, got } if field == "reference" => {
            invalid(format!("--reference: {rule}, got {got}"))
        }
        Error::Variant { name, source } => invalid(format!("--variant {name}: {source}")),
        _ => from_lib(e),
    }
}

/// A library error met while writing output: always a failure (exit status 1).
fn output_failure(e: Error) -> Failure {
    Failure::Failed(e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(c) => c,
        // `negcycle` alone is `negcycle run` with every default.
        None => match Cli::try_parse_from(["negcycle", "run"]) {
            Ok(Cli { command: Some(c) }) => c,
            _ => {
                note_error("internal error: cannot build the default run command");
                return ExitCode::from(1);
            }
        },
    };
    let result = match command {
        Command::Run(args) => cmd_run(args),
        Command::Merge(args) => cmd_merge(args),
        Command::Sweep(args) => cmd_sweep(args),
        Command::Presets => cmd_presets(),
        Command::Show { preset } => cmd_show(&preset),
        Command::Check { file } => cmd_check(&file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            note_error(f.message());
            f.exit_code()
        }
    }
}

/// `text` for a terminal: each line through [`terminal_text`] (control characters, such as an
/// escape sequence in a scenario name, shown as visible escapes), the line breaks kept.
fn terminal_lines(text: &str) -> String {
    text.split('\n')
        .map(terminal_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes `negcycle: <message>` to stderr (ignoring a closed stderr).
fn note_error(message: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "negcycle: {}",
        terminal_lines(message)
    );
}

/// Writes an informational line to stderr unless `quiet`.
fn note(quiet: bool, message: &str) {
    if !quiet {
        let _ = writeln!(std::io::stderr().lock(), "{}", terminal_lines(message));
    }
}

/// Writes the result to stdout. A closed pipe (`negcycle | head`) is not an error.
fn emit(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Failed(format!("writing to stdout: {e}"))),
    }
}

/// Writes text for people (a table, a list) to stdout through [`terminal_lines`]; JSON and
/// CSV go through [`emit`] unchanged (they are data, identical to the files).
fn emit_text(text: &str) -> Result<(), Failure> {
    emit(&terminal_lines(text))
}

/// `text` with exactly one final newline.
fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Input parsing and validation
// ---------------------------------------------------------------------------------------------

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
fn read_input(path: &Path) -> Result<Input, Failure> {
    check_input_file(path)?;
    let shown = path.display().to_string();
    Input::from_path(path).map_err(|e| invalid(scenario_error(&shown, &e)))
}

/// Every preset name: the single-host presets, then the alliances.
fn all_preset_names() -> Vec<String> {
    Input::presets().into_iter().map(str::to_string).collect()
}

/// The error for a preset name that is neither a scenario nor an alliance.
fn unknown_preset(name: &str) -> ScenarioError {
    ScenarioError::UnknownPreset {
        name: name.to_string(),
        available: all_preset_names(),
    }
}

/// Reads an input file as UTF-8 text.
fn read_text(path: &Path) -> Result<String, Failure> {
    check_input_file(path)?;
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| invalid(format!("{shown}: cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        invalid(format!(
            "{shown}: not valid UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(invalid(format!("{shown}: the file is empty")));
    }
    Ok(text)
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
fn load_input(args: &ScenarioArgs) -> Result<Input, Failure> {
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
fn split_list<'a>(option: &str, text: &'a str) -> Result<Vec<&'a str>, Failure> {
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
fn parse_cycles(text: &str) -> Result<Vec<f64>, Failure> {
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

/// Parses `--shard I/N` with `0 <= I < N`.
fn parse_shard(text: &str) -> Result<(u64, u64), Failure> {
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

fn check_trials(trials: u64) -> Result<(), Failure> {
    if trials == 0 {
        return Err(invalid("--trials: must be >= 1, got 0"));
    }
    Ok(())
}

fn check_threads(threads: Option<usize>) -> Result<(), Failure> {
    match threads {
        Some(n) if n == 0 || n > MAX_THREADS => Err(invalid(format!(
            "--threads: must be in [1, {MAX_THREADS}], got {n}"
        ))),
        _ => Ok(()),
    }
}

/// Checks that every cycle length is valid for `scenario` (a whole number of its steps).
fn check_cycles(scenario: &Scenario, cycles: &[f64], context: &str) -> Result<(), Failure> {
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

/// Checks that `--out` is absent, or a directory, or does not exist yet (it is created only
/// once the results are ready).
fn check_out_dir(out: Option<&Path>) -> Result<(), Failure> {
    if let Some(dir) = out {
        if dir.as_os_str().is_empty() {
            return Err(invalid("--out: the directory name is empty"));
        }
        match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(invalid(format!(
                    "--out: {} exists and is not a directory",
                    dir.display()
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if std::fs::symlink_metadata(dir).is_ok() {
                    return Err(invalid(format!(
                        "--out: {} is a symbolic link to nothing (no directory is created \
                         through a link)",
                        dir.display()
                    )));
                }
            }
            // E.g. a path through a regular file (`report.csv/out`).
            Err(e) => {
                return Err(invalid(format!(
                    "--out: {} cannot be used as a directory: {e}",
                    dir.display()
                )));
            }
        }
    }
    Ok(())
}

/// Opens `--out` for a run's set of files, before the simulation starts: created if missing,
/// locked against a concurrent run, leftovers of killed runs removed, checked writable. A
/// failure here is an output failure (exit status 1); [`check_out_dir`] has already refused an
/// `--out` that cannot be a directory (exit status 2).
fn open_out(out: Option<&Path>) -> Result<Option<OutputDir>, Failure> {
    out.map(OutputDir::open).transpose().map_err(output_failure)
}

/// Opens `--out` for a shard's partial report, before the simulation starts (a shared lock:
/// shards may run into one directory at the same time).
fn open_shard_out(out: Option<&Path>) -> Result<Option<SharedOutputDir>, Failure> {
    out.map(OutputDir::open_shared)
        .transpose()
        .map_err(output_failure)
}

/// Stages `files` (name, content) into `out`, commits them as one set with its manifest, and
/// reports every file written unless `quiet`.
fn write_set(mut out: OutputDir, files: &[(&str, &[u8])], quiet: bool) -> Result<(), Failure> {
    for (name, bytes) in files {
        out.stage(name, bytes).map_err(output_failure)?;
    }
    for path in out.commit().map_err(output_failure)? {
        note(quiet, &format!("wrote {}", path.display()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Progress bar
// ---------------------------------------------------------------------------------------------

/// A progress bar on stderr that stays hidden for the first second, and always when disabled
/// (--quiet, or stderr not a terminal).
#[derive(Clone)]
struct Bar {
    bar: ProgressBar,
    enabled: bool,
}

impl Bar {
    fn new(quiet: bool, total: u64) -> Bar {
        let enabled = !quiet && std::io::stderr().is_terminal();
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} trials, {eta} left",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar { bar, enabled }
    }

    fn set(&self, done: u64) {
        self.bar.set_position(done);
        if self.enabled && self.bar.is_hidden() && self.bar.elapsed() >= PROGRESS_DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

fn cmd_run(args: RunArgs) -> Result<(), Failure> {
    // Everything is checked before the simulation starts and before any file is created.
    let input = load_input(&args.scenario)?;
    let exp = &args.experiment;
    let experiment = build_experiment(&input, &args.cycles, &args.variants, exp)?;
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

/// The experiment of `run` and `sweep`: input, arms (`--cycles`), variants and reference.
fn build_experiment(
    input: &Input,
    cycles: &[String],
    variants: &[String],
    exp: &ExperimentArgs,
) -> Result<Experiment, Failure> {
    let mut experiment = Experiment::new(input.clone());
    let arms = match input {
        Input::Single(scenario) => {
            let cycles = parse_cycles(single_cycles_text(cycles, scenario)?)?;
            check_cycles(scenario, &cycles, "")?;
            experiment = experiment.cycle_years(cycles.iter().copied());
            cycles.len()
        }
        Input::Alliance(alliance) => {
            let grids = parse_host_cycles(alliance, cycles)?;
            experiment = experiment.grid(&grids);
            grids.iter().map(Vec::len).product()
        }
    };
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

/// Sets trials, seed, threads and the progress bar.
fn configure(experiment: Experiment, trials: u64, exp: &ExperimentArgs, bar: &Bar) -> Experiment {
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

/// Prints a shard's partial report (JSON), also written to DIR/shard_I_of_N.json with --out.
fn output_shard(
    json: String,
    (index, count): (u64, u64),
    out: Option<SharedOutputDir>,
    quiet: bool,
) -> Result<(), Failure> {
    let json = with_newline(json);
    if let Some(dir) = out {
        let name = format!("shard_{index}_of_{count}.json");
        let path = dir.write(&name, json.as_bytes()).map_err(output_failure)?;
        note(quiet, &format!("wrote {}", path.display()));
    }
    emit(&json)
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Table => "table",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
    }
}

/// Writes the report's files into `out` (if given: report.json, report.csv and, for one host,
/// the charts), then prints it in `format`.
fn output_report(
    report: &Report,
    format: Format,
    out: Option<OutputDir>,
    quiet: bool,
) -> Result<(), Failure> {
    output_files(
        report,
        "report",
        format,
        out,
        quiet,
        &report.table().to_string(),
        &[],
    )
}

/// Writes `STEM.json`, `STEM.csv` (and, for one host, the charts) into `out` as one set with
/// its manifest, then prints `table` or the chosen format. Given `metrics` (a sweep's chosen
/// metrics), the CSV, the JSON lines and the sweep chart hold only those (the JSON every
/// metric); empty, everything.
fn output_files(
    report: &Report,
    stem: &str,
    format: Format,
    out: Option<OutputDir>,
    quiet: bool,
    table: &str,
    metrics: &[&str],
) -> Result<(), Failure> {
    let json = with_newline(report.to_json_string().map_err(output_failure)?);
    let tidy = only_metrics(report, metrics);
    let csv = tidy.to_csv_string();
    if let Some(dir) = out {
        let mut files: Vec<(String, Vec<u8>)> = vec![
            (format!("{stem}.json"), json.clone().into_bytes()),
            (format!("{stem}.csv"), csv.clone().into_bytes()),
        ];
        #[cfg(feature = "plot")]
        if report.hosts.len() == 1 {
            if stem == "sweep" {
                let svg =
                    negcycle::plot::sweep_chart_svg(report, metrics).map_err(output_failure)?;
                files.push(("sweep.svg".to_string(), svg.into_bytes()));
            } else {
                for (name, svg) in negcycle::plot::run_charts_svg(report).map_err(output_failure)? {
                    files.push((name.to_string(), svg.into_bytes()));
                }
            }
        }
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        write_set(dir, &borrowed, quiet)?;
    }
    match format {
        Format::Table => emit_text(&with_newline(table.to_string())),
        Format::Json => emit(&json),
        Format::Jsonl => emit(&tidy.to_jsonl_string().map_err(output_failure)?),
        Format::Csv => emit(&csv),
    }
}

/// `report` with only the rows of `metrics` (host metrics and the patron's totals); all of
/// them if `metrics` is empty.
fn only_metrics(report: &Report, metrics: &[&str]) -> Report {
    let mut r = report.clone();
    if !metrics.is_empty() {
        let keep = |name: &str| metrics.contains(&name);
        for arm in &mut r.arms {
            for host in &mut arm.hosts {
                host.metrics.retain(|m| keep(&m.metric));
            }
            arm.totals.retain(|m| keep(&m.metric));
        }
    }
    r
}

/// The message for a full report given to `merge`.
fn full_report_given(origin: &str) -> Failure {
    invalid(format!(
        "{origin}: this is a full report, not a partial report of \
         `negcycle run --shard I/N --format json`"
    ))
}

fn cmd_merge(args: MergeArgs) -> Result<(), Failure> {
    check_out_dir(args.out.as_deref())?;
    let mut parts: Vec<PartialReport> = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let text = read_text(path)?;
        let origin = path.display().to_string();
        let part = PartialReport::from_json_str(&text, &origin).map_err(|e| {
            if Report::from_json_str(&text, &origin).is_ok() {
                full_report_given(&origin)
            } else {
                from_lib(e)
            }
        })?;
        parts.push(part);
    }
    // Every message about a part names its file (several files can hold the same trials).
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let report = Report::merge_named(&parts, &names).map_err(from_lib)?;
    // Every part is read and checked before --out is created.
    let out = open_out(args.out.as_deref())?;
    output_report(&report, args.format, out, args.quiet)
}

fn cmd_sweep(args: SweepArgs) -> Result<(), Failure> {
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

fn cmd_presets() -> Result<(), Failure> {
    let width = all_preset_names()
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    let internal = |name: &str, e: ScenarioError| {
        Failure::Failed(format!("internal error: preset {name}: {e}"))
    };
    let mut text = String::new();
    for name in Scenario::presets() {
        let scenario = Scenario::preset(name).map_err(|e| internal(name, e))?;
        text.push_str(&format!("{name:<width$}  {}\n", scenario.description));
    }
    for name in Alliance::presets() {
        let alliance = Alliance::preset(name).map_err(|e| internal(name, e))?;
        text.push_str(&format!(
            "{name:<width$}  {} (alliance: {})\n",
            alliance.description,
            alliance.host_names().join(", ")
        ));
    }
    emit_text(&text)
}

fn cmd_show(preset: &str) -> Result<(), Failure> {
    let text =
        Input::preset_toml(preset).map_err(|_| invalid(unknown_preset(preset).to_string()))?;
    emit(&with_newline(text.to_string()))
}

fn cmd_check(file: &Path) -> Result<(), Failure> {
    let text = match read_input(file)? {
        Input::Single(scenario) => {
            format!("{}: valid (scenario {})\n", file.display(), scenario.name)
        }
        Input::Alliance(alliance) => format!(
            "{}: valid (alliance {}; hosts {})\n",
            file.display(),
            alliance.name,
            alliance.host_names().join(", ")
        ),
    };
    emit_text(&text)
}
