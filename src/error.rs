//! The crate's error type.

use crate::scenario::ScenarioError;
use crate::stats::StatsError;

/// Everything that can go wrong in negcycle.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario (or a value checked against its rules, such as a cycle length) is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A variant's overrides do not give a valid scenario.
    #[error("variant {name}: {source}")]
    Variant {
        /// The variant's name.
        name: String,
        /// What is wrong with its overrides.
        source: ScenarioError,
    },
    /// A historical record (MODEL.md §11) could not be read or breaks a rule.
    #[error("{origin}: {message}")]
    Record {
        /// The file, or the embedded record's name.
        origin: String,
        /// What is wrong, naming the row and column of a bad value.
        message: String,
    },
    /// An experiment setting breaks a rule.
    #[error("{field}: {rule}, got {got}")]
    InvalidExperiment {
        /// The setting, e.g. `trials`.
        field: String,
        /// The rule it breaks.
        rule: String,
        /// The offending value.
        got: String,
    },
    /// No metric has this name.
    #[error("unknown metric {name:?}; available: {}", available.join(", "))]
    UnknownMetric {
        /// The name asked for.
        name: String,
        /// The metric names.
        available: Vec<String>,
    },
    /// The report has no arm with this cycle length.
    #[error("no arm with cycle_years = {cycle_years}; arms: {available:?}")]
    UnknownArm {
        /// The cycle length asked for, years.
        cycle_years: f64,
        /// The arms, years.
        available: Vec<f64>,
    },
    /// Partial reports cannot be merged.
    #[error("cannot merge: {rule}")]
    Merge {
        /// What is wrong.
        rule: String,
    },
    /// A file is not a valid report or partial report.
    #[error("{origin}: not a valid negcycle report: {message}")]
    Json {
        /// Where the text came from.
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// An input file cannot be used: not a regular file, larger than its cap, not UTF-8
    /// text, or unreadable (invalid input, unlike [`Error::Io`]).
    #[error("{path}: {message}")]
    Input {
        /// The path.
        path: String,
        /// What is wrong, with the rule it breaks.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// Another negcycle run holds the output folder's lock (see
    /// [`crate::report::write::OutputDir`]).
    #[error(
        "{path}: another negcycle run is writing there (it holds the lock file .negcycle.lock); \
         wait for it to finish or choose another output folder"
    )]
    OutputLocked {
        /// The output folder.
        path: String,
    },
    /// A file name given to an output folder is not a plain file name.
    #[error("output file name {name:?}: {rule}")]
    OutputName {
        /// The name as given.
        name: String,
        /// The rule it breaks.
        rule: String,
    },
    /// A folder's files do not match its `manifest.json` (see
    /// [`crate::report::write::verify_manifest`]).
    #[error("{path}: {problem}")]
    Manifest {
        /// The file that does not match, or the manifest itself.
        path: String,
        /// What does not match.
        problem: String,
    },
    /// Summaries built with different settings were combined.
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// A value could not be summarised exactly (NaN, infinite, or beyond the exact-sum range):
    /// the run stops instead of dropping it silently.
    #[error(
        "{place}: {rejected} value(s) outside the exact-sum range |x| <= {limit:e} (or not \
         finite); the scenario's money values are too large to summarise exactly: lower \
         terms.initial or the costs"
    )]
    Overflow {
        /// Which tally: arm, host and metric.
        place: String,
        /// How many values it could not absorb.
        rejected: u64,
        /// The largest absolute value a tally absorbs.
        limit: f64,
    },
    /// Another run holds the output folder, or an experiment is too large to hold in memory.
    #[error("{what}: {rule}")]
    Refused {
        /// What was refused.
        what: String,
        /// Why.
        rule: String,
    },
    /// A bug: an internal invariant failed. Please report it.
    #[error("internal error: {0}")]
    Internal(String),
}
