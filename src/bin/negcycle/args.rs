//! The command line's arguments: the clap structs and enums, their help texts and defaults.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The preset used when neither `--preset` nor `--scenario` is given.
pub(crate) const DEFAULT_PRESET: &str = "us_rok_sma";
/// The cycle lengths compared when `--cycles` is not given.
pub(crate) const DEFAULT_CYCLES: &str = "1,2,3,5,10";
/// Trials of `run` when `--trials` is not given.
const DEFAULT_RUN_TRIALS: u64 = 10_000;
/// Trials per value of `sweep` when `--trials` is not given.
const DEFAULT_SWEEP_TRIALS: u64 = 2_000;
/// Seed when `--seed` is not given.
const DEFAULT_SEED: u64 = 2019;

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
metrics_by_cycle.svg, paired_difference.svg (with two arms or more) and deadline_effect.svg \
(when built with the `plot` feature) into DIR, \
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
writes report.json, report.csv, the charts (a section per host and for the patron's totals) and manifest.json; --shard and `negcycle merge` work as for one host.

Everything (scenario, --set keys and values, cycles, trials, threads, shard, --out) is checked \
before the simulation starts; invalid input exits with status 2 and creates no file.";

const MERGE_LONG_ABOUT: &str = "\
Merges the partial reports written by `negcycle run --shard I/N --format json` (all N of them, \
in any order) into the full report, identical to the report of the unsharded run. Parts of \
different experiments, overlapping parts and missing parts are refused (exit status 2). Parts \
of an alliance run (marked by the key negcycle_alliance_partial) merge into the alliance report; \
mixing single-host and alliance parts is refused (exit status 2).

Output as for `run`: stdout gets the chosen --format; --out DIR also writes report.json, \
report.csv and the sweep chart sweep.svg (feature `plot`).";

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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compare cycle lengths on one scenario or alliance (the default command)
    #[command(long_about = RUN_LONG_ABOUT, after_help = AFTER_HELP)]
    Run(RunArgs),
    /// Merge the partial reports of `run --shard` into the full report
    #[command(long_about = MERGE_LONG_ABOUT, after_help = AFTER_HELP)]
    Merge(MergeArgs),
    /// Run one experiment per value of a scenario key and compare them
    #[command(long_about = SWEEP_LONG_ABOUT, after_help = AFTER_HELP)]
    Sweep(SweepArgs),
    /// Explore under deep uncertainty: a design over uncertain keys, every cycle length at
    /// every point on the same worlds; robustness, Sobol/Morris indices, PRIM
    #[cfg(feature = "explore")]
    #[command(long_about = EXPLORE_LONG_ABOUT, after_help = AFTER_HELP)]
    Explore(Box<ExploreArgs>),
    /// Calibrate free parameters to a record by simulated method of moments (MODEL.md §11)
    #[command(long_about = CALIBRATE_LONG_ABOUT, after_help = AFTER_HELP)]
    Calibrate(CalibrateArgs),
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
pub(crate) enum Format {
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
pub(crate) struct ScenarioArgs {
    /// Built-in scenario or alliance (see `negcycle presets`) [default: us_rok_sma]
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "scenario",
        display_order = 1
    )]
    pub(crate) preset: Option<String>,
    /// Scenario file, .toml or .json (see `negcycle show` for the keys); a file with
    /// [[hosts]] is an alliance
    #[arg(long, value_name = "FILE", display_order = 2)]
    pub(crate) scenario: Option<PathBuf>,
    /// Override a scenario key by its dotted path, e.g. --set host.margin=0.1
    /// --set lapse.model=attrition (alliances: --set hosts.japan.agreement.cycle_years=1
    /// --set linkage.leverage=0); repeatable, applied in order, validated like a file
    #[arg(long = "set", value_name = "KEY=VALUE", display_order = 7)]
    pub(crate) set: Vec<String>,
}

/// The experiment's settings shared by `run` and `sweep`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ExperimentArgs {
    /// The reference arm for paired differences: an arm label (base/5, tough/1) or a cycle
    /// length of the first variant in years [default: the first arm]. For an alliance also the
    /// 0-based index K of a joint arm, as numbered in the report
    #[arg(
        long,
        value_name = "ARM|YEARS|K",
        allow_hyphen_values = true,
        display_order = 5
    )]
    pub(crate) reference: Option<String>,
    /// Seed of every random stream (same seed, same worlds, same numbers)
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED, display_order = 8)]
    pub(crate) seed: u64,
    /// Worker threads, 1 to 1024 [default: one per core]; results do not depend on it
    #[arg(long, value_name = "N", display_order = 9)]
    pub(crate) threads: Option<usize>,
    /// Also write the results (JSON, CSV, charts) into DIR, created if missing (see --help)
    #[arg(long, value_name = "DIR", display_order = 12)]
    pub(crate) out: Option<PathBuf>,
    /// No progress bar and no informational lines on stderr (the result still goes to stdout)
    #[arg(long, short, display_order = 13)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) scenario: ScenarioArgs,
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
    pub(crate) cycles: Vec<String>,
    /// A variant to compare on the same worlds: NAME:KEY=VALUE[,KEY=VALUE...] (repeatable),
    /// e.g. --variant tough:patron.opening=0.6 or --variant rubinstein:protocol.kind=complete_information;
    /// the arms are every variant (base, with no overrides, first) × every cycle
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,...", display_order = 4)]
    pub(crate) variants: Vec<String>,
    /// An agreement schedule as an arm: NAME=YEARS,YEARS,... (repeatable), e.g. --schedule
    /// sma=3,2,3,3,3,2,2,5,5,1,6; the agreement in force at the start runs the first length,
    /// the next the second, ..., then agreement.cycle_years repeats; one arm per variant,
    /// labelled VARIANT/NAME (one host only)
    #[arg(long = "schedule", value_name = "NAME=YEARS,...", display_order = 4)]
    pub(crate) schedules: Vec<String>,
    #[command(flatten)]
    pub(crate) experiment: ExperimentArgs,
    /// Trials: simulated histories per arm
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RUN_TRIALS, display_order = 6)]
    pub(crate) trials: u64,
    /// Run only slice I of N (0-based) of the trials and print the partial report (JSON)
    #[arg(long, value_name = "I/N", display_order = 10)]
    pub(crate) shard: Option<String>,
    /// Output format on stdout [default: table; json with --shard]
    #[arg(long, value_enum, value_name = "FORMAT", display_order = 11)]
    pub(crate) format: Option<Format>,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct MergeArgs {
    /// The partial reports (JSON files written by `run --shard I/N`)
    #[arg(value_name = "FILE", required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Output format on stdout
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "table")]
    pub(crate) format: Format,
    /// Write report.json, report.csv and the charts into this directory (created if missing)
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// No informational lines on stderr
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct SweepArgs {
    #[command(flatten)]
    pub(crate) scenario: ScenarioArgs,
    /// The scenario key to vary, a dotted path (e.g. patron.opening)
    #[arg(long, value_name = "KEY", required = true, display_order = 3)]
    pub(crate) param: String,
    /// Its values, comma-separated (e.g. 0.1,0.3,1.6)
    #[arg(
        long,
        value_name = "V1,V2,...",
        required = true,
        allow_hyphen_values = true,
        display_order = 3
    )]
    pub(crate) values: String,
    /// Cycle lengths (arms) in years, comma-separated [default: 1,2,3,5,10]; for an alliance
    /// NAME=YEARS,... per host, repeatable
    #[arg(
        long,
        value_name = "YEARS,...|NAME=YEARS,...",
        allow_hyphen_values = true,
        display_order = 4
    )]
    pub(crate) cycles: Vec<String>,
    /// A metric to show (repeatable) [default: lapse_months, unsettled_share,
    /// payments_vs_fair, joint_loss]
    #[arg(long = "metric", value_name = "NAME", display_order = 4)]
    pub(crate) metrics: Vec<String>,
    #[command(flatten)]
    pub(crate) experiment: ExperimentArgs,
    /// Trials per value: simulated histories per arm
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SWEEP_TRIALS, display_order = 6)]
    pub(crate) trials: u64,
    /// Output format on stdout
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value = "table",
        display_order = 11
    )]
    pub(crate) format: Format,
}

#[cfg(feature = "explore")]
const EXPLORE_LONG_ABOUT: &str = "\
Runs a design over uncertain scenario keys (EXPLORE.md): each design point is the base scenario \
with the point's values set, and runs every cycle length (--cycles) with the same --trials and \
--seed, so all points and arms share the same simulated worlds (common random numbers). An \
alliance (us_alliances) is explored too: host keys as hosts.NAME.party.margin, arms from \
--cycles NAME=YEARS,... per host (their product, at most 64 joint arms), the objective the \
patron's total over hosts.

Uncertainties: --uncertainties FILE ([[uncertainty]] tables), --range KEY=LO:HI[:log], \
--choice KEY=A|B|...; with none of them, the preset's default set (EXPLORE.md gives each range \
and its reason). Designs: lhs (--points N points), sobol (base sample N: N·(D+2) points, \
N·(2D+2) with --second-order), morris (N trajectories of D+1 points on --levels p, default 4), \
factorial (--levels per range, default 3; every value of a choice).

Output into --out DIR (required): points.jsonl, written point by point as the run goes (a \
killed run continues with --resume, to the same bytes); then points.csv (tidy: point × arm × \
metric), robustness.csv (per arm: win share, mean and max regret, percentiles of the objective), \
indices.csv (Sobol S1/ST with bootstrap CIs, or Morris mu*/mu/sigma), prim.csv (the peeling \
trajectory), explore.json (all of it, with the chosen PRIM box and its quasi-p-values), \
summary.txt, and last manifest.json. The summary is printed on stdout.

Sharding: --shard I/N runs slice I of the design's points into DIR/points_I_of_N.jsonl (shards \
may share DIR); `negcycle explore merge FILES... --out DIR` joins the N files into exactly the \
points.jsonl of the unsharded run and writes the same tables.";

/// The design of `explore`.
#[cfg(feature = "explore")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DesignKind {
    /// Latin hypercube, --points points
    Lhs,
    /// Saltelli's scheme on a scrambled Sobol sequence, base sample --points
    Sobol,
    /// Morris trajectories (--points of them)
    Morris,
    /// Full factorial (--levels per range)
    Factorial,
}

#[cfg(feature = "explore")]
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ExploreArgs {
    #[command(subcommand)]
    pub(crate) command: Option<ExploreCommand>,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArgs,
    /// A TOML file of [[uncertainty]] tables (key, uniform|log_uniform|choice, reason)
    #[arg(long, value_name = "FILE", display_order = 3)]
    pub(crate) uncertainties: Option<PathBuf>,
    /// An uncertain key with a uniform range, or log-uniform with :log (repeatable)
    #[arg(
        long = "range",
        value_name = "KEY=LO:HI[:log]",
        allow_hyphen_values = true,
        display_order = 3
    )]
    pub(crate) ranges: Vec<String>,
    /// An uncertain key with discrete values (repeatable)
    #[arg(long = "choice", value_name = "KEY=A|B|...", display_order = 3)]
    pub(crate) choices: Vec<String>,
    /// The design
    #[arg(long, value_enum, default_value = "sobol", display_order = 4)]
    pub(crate) design: DesignKind,
    /// Points (lhs), base sample size N (sobol) or trajectories (morris)
    #[arg(long, value_name = "N", default_value_t = 64, display_order = 4)]
    pub(crate) points: usize,
    /// Grid levels: Morris p (even, default 4) or factorial values per range (default 3)
    #[arg(long, value_name = "L", display_order = 4)]
    pub(crate) levels: Option<u32>,
    /// Morris: candidate trajectories M, of which the --points with maximal spread are run
    /// (Campolongo et al. 2007) [default: 10 × --points, at most 2000; M = --points: as drawn]
    #[arg(long, value_name = "M", display_order = 4)]
    pub(crate) morris_candidates: Option<usize>,
    /// Sobol: also the BA block for second-order indices (N·(2D+2) points)
    #[arg(long, display_order = 4)]
    pub(crate) second_order: bool,
    /// Cycle lengths (arms) in years, comma-separated [default: 1,2,3,5,10]; for an alliance
    /// NAME=YEARS,... per host (repeatable; the joint arms are the product, at most 64; hosts
    /// not named keep their own cycle)
    #[arg(long, value_name = "YEARS,...", display_order = 5)]
    pub(crate) cycles: Vec<String>,
    /// The reference arm: a cycle length in years, or an arm's label (an alliance:
    /// korea=5,japan=5,nato=2) [default: the scenario's own cycle_years if it is an arm, else
    /// the last arm]
    #[arg(long, value_name = "ARM", display_order = 5)]
    pub(crate) reference: Option<String>,
    /// The objective metric, lower is better [default: joint_loss; for an alliance the
    /// patron's total over hosts]
    #[arg(long, value_name = "NAME", display_order = 5)]
    pub(crate) objective: Option<String>,
    /// Another metric to record per point and arm (repeatable)
    #[arg(long = "metric", value_name = "NAME", display_order = 5)]
    pub(crate) metrics: Vec<String>,
    /// Trials per design point (every arm)
    #[arg(long, value_name = "T", default_value_t = 200, display_order = 6)]
    pub(crate) trials: u64,
    /// Seed of the simulation, the design and the bootstraps
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED, display_order = 8)]
    pub(crate) seed: u64,
    /// Worker threads [default: one per core]; results do not depend on it
    #[arg(long, value_name = "N", display_order = 9)]
    pub(crate) threads: Option<usize>,
    /// The output folder (created if missing; required)
    #[arg(long, value_name = "DIR", display_order = 10)]
    pub(crate) out: Option<PathBuf>,
    /// Run only slice I of N (0-based) of the design points into DIR/points_I_of_N.jsonl
    #[arg(long, value_name = "I/N", display_order = 10)]
    pub(crate) shard: Option<String>,
    /// Continue the points file of an interrupted run of the same command
    #[arg(long, display_order = 10)]
    pub(crate) resume: bool,
    /// Bootstrap resamples of the Sobol and Morris intervals
    #[arg(long, value_name = "R", default_value_t = 1000, display_order = 11)]
    pub(crate) resamples: usize,
    /// PRIM: the density the chosen box should reach
    #[arg(long, value_name = "D", default_value_t = 0.8, display_order = 11)]
    pub(crate) prim_threshold: f64,
    /// PRIM: explain where this arm (a cycle in years, or an arm's label) beats the reference
    /// [default: the first other arm]
    #[arg(long, value_name = "ARM", display_order = 11)]
    pub(crate) prim_arm: Option<String>,
    /// No progress bar and no informational lines on stderr
    #[arg(long, short, display_order = 13)]
    pub(crate) quiet: bool,
}

#[cfg(feature = "explore")]
#[derive(Debug, Clone, Subcommand)]
pub(crate) enum ExploreCommand {
    /// Join the points files of `explore --shard I/N` (all N) and analyse them
    Merge(ExploreMergeArgs),
}

#[cfg(feature = "explore")]
#[derive(Debug, Clone, Args)]
pub(crate) struct ExploreMergeArgs {
    /// The shards' points files (DIR/points_I_of_N.jsonl)
    #[arg(value_name = "FILE", required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// The output folder
    #[arg(long, value_name = "DIR", required = true)]
    pub(crate) out: PathBuf,
    /// Bootstrap resamples (as given to the runs' analysis)
    #[arg(long, value_name = "R", default_value_t = 1000)]
    pub(crate) resamples: usize,
    /// PRIM: the density the chosen box should reach
    #[arg(long, value_name = "D", default_value_t = 0.8)]
    pub(crate) prim_threshold: f64,
    /// PRIM: the arm (a cycle in years, or an arm's label) whose win over the reference it
    /// explains
    #[arg(long, value_name = "ARM")]
    pub(crate) prim_arm: Option<String>,
    /// No informational lines on stderr
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

const CALIBRATE_LONG_ABOUT: &str = "\
Calibrate free scenario parameters to a record of agreements by simulated method of moments \
(MODEL.md §11): S replicas of the record on its calendar with common random numbers, moments \
with inverse-variance weights from the record, several starts of Nelder-Mead under a \
logit/log transform of the bounds, sandwich standard errors scaled by (1 + 1/S), the J \
statistic, the Jacobian's rank and condition number, and a profile of the objective per \
parameter. Parameters the record cannot identify are held fixed and listed with the reason. \
With --select, every combination of the listed option values is calibrated and compared. \
Output: the table on stdout; with --out DIR also calibration.json, calibration.csv, \
calibrated.toml (the scenario with its provenance), calibration_fit.svg (the record against the \
model, moment by moment) and manifest.json. Same inputs give the \
same bytes on any thread count.";

/// Replicas of `calibrate` when `--replicas` is not given.
const DEFAULT_REPLICAS: u64 = 400;

#[derive(Debug, Clone, Args)]
pub(crate) struct CalibrateArgs {
    /// Built-in scenario to calibrate [default: us_rok_sma_history]
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "scenario",
        display_order = 1
    )]
    pub(crate) preset: Option<String>,
    /// Scenario file to calibrate, .toml or .json (single host)
    #[arg(long, value_name = "FILE", display_order = 2)]
    pub(crate) scenario: Option<PathBuf>,
    /// Override a scenario key before calibrating (repeatable), e.g. --set protocol.rounds=8
    #[arg(long = "set", value_name = "KEY=VALUE", display_order = 2)]
    pub(crate) set: Vec<String>,
    /// Free parameters, comma-separated scenario keys, each optionally with bounds
    /// KEY=LO:HI (default bounds for margin, private_sd, lapse_pressure, opening,
    /// concession_exponent and support's hits)
    #[arg(
        long,
        value_name = "KEY[=LO:HI],...",
        required = true,
        display_order = 3
    )]
    pub(crate) free: String,
    /// The record, a CSV file in the SMA or the lapse layout [default: the SMA record]
    #[arg(long, value_name = "FILE", display_order = 3)]
    pub(crate) record: Option<PathBuf>,
    /// Leave the record's flagged rows out of every moment (default: kept with full weight)
    #[arg(long, display_order = 3)]
    pub(crate) exclude_flagged: bool,
    /// A discrete option to select over, KEY=V1|V2|... (repeatable; every combination is
    /// calibrated), e.g. --select protocol.clock=negmas|deadline
    #[arg(long, value_name = "KEY=V1|V2", display_order = 4)]
    pub(crate) select: Vec<String>,
    /// Simulated replicas S of the record
    #[arg(long, value_name = "S", default_value_t = DEFAULT_REPLICAS, display_order = 5)]
    pub(crate) replicas: u64,
    /// Seed of the replicas' common random numbers
    #[arg(long, value_name = "SEED", default_value_t = 1, display_order = 5)]
    pub(crate) seed: u64,
    /// Optimiser starts
    #[arg(long, value_name = "K", default_value_t = 4, display_order = 5)]
    pub(crate) starts: usize,
    /// Nelder-Mead iterations per start
    #[arg(long, value_name = "N", default_value_t = 150, display_order = 5)]
    pub(crate) max_iters: u64,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_name = "N", display_order = 6)]
    pub(crate) threads: Option<usize>,
    /// Write calibration.json, calibration.csv, calibrated.toml, calibration_fit.svg and
    /// manifest.json into DIR
    #[arg(long, value_name = "DIR", display_order = 6)]
    pub(crate) out: Option<PathBuf>,
    /// Print nothing on stderr
    #[arg(long, display_order = 7)]
    pub(crate) quiet: bool,
}
