//! Monte Carlo experiments (MODEL.md §8): many trials of several arms on common random numbers,
//! in parallel, with results that are bit-identical for any thread count and any sharding.
//!
//! ```
//! use negcycle::prelude::*;
//!
//! let report = Experiment::new(Scenario::preset("us_rok_sma")?)
//!     .cycle_years([1.0, 5.0])
//!     .trials(2_000)
//!     .seed(2019)
//!     .run()?;
//! let lapses = report.arm(1.0)?.metric("lapse_months")?;
//! assert!(lapses.mean > 0.0);
//! # Ok::<(), negcycle::Error>(())
//! ```
//!
//! # How determinism is achieved
//! Trial `i` is a pure function of (scenario, arms, seed, `i`): its environment path comes from
//! the stream (seed, `i`, environment) and every arm is simulated on that same path. Trials run in
//! blocks of [`BLOCK_TRIALS`]; blocks run in parallel (rayon) in waves and their summaries are
//! merged in block order. Every summary ([`crate::stats`]) merges exactly (integer sums and
//! counts), so the merged result does not even depend on the grouping: a shard of trials merged
//! later gives the same bits as the single run.

use crate::error::Error;
use crate::metrics::{METRICS, N_METRICS, metric_index};
use crate::protocol::Protocol;
use crate::report::{PartialReport, Report};
use crate::scenario::Scenario;
use crate::stats::{Histogram, MetricTally, Paired};
use crate::trial::{Arm, Model};
use crate::{EnvironmentPath, NegotiationRecord};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Trials per block: the unit of parallel work and of progress reports.
pub const BLOCK_TRIALS: u64 = 256;

/// Progress of a running experiment, passed to observers after each block is merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Trials merged so far.
    pub trials_done: u64,
    /// Trials planned (the cap, for a precision target).
    pub trials_total: u64,
}

/// Watches an experiment (progress bars, logging, checkpoints). Called on the calling thread,
/// in block order; the experiment itself never prints.
pub trait Observer: Send {
    /// A block of trials has been merged.
    fn block_done(&mut self, progress: Progress);
}

impl<F: FnMut(Progress) + Send> Observer for F {
    fn block_done(&mut self, progress: Progress) {
        self(progress)
    }
}

/// A stopping rule: run until `metric`'s standard error is at most `relative_se` times the
/// absolute value of its mean in every arm, or until `max_trials`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionTarget {
    /// Metric key.
    pub metric: String,
    /// Target relative standard error (e.g. 0.01 for 1%).
    pub relative_se: f64,
    /// Trial cap.
    pub max_trials: u64,
}

/// The experiment builder: scenario, arms, trials, seed, options; then [`Experiment::run`].
pub struct Experiment {
    scenario: Scenario,
    protocol: Option<Arc<dyn Protocol>>,
    arms: Vec<f64>,
    reference: Option<f64>,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
    observers: Vec<Box<dyn Observer>>,
    precision: Option<PrecisionTarget>,
}

impl std::fmt::Debug for Experiment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Experiment")
            .field("scenario", &self.scenario.name)
            .field("arms", &self.arms)
            .field("reference", &self.reference)
            .field("trials", &self.trials)
            .field("seed", &self.seed)
            .field("threads", &self.threads)
            .field("observers", &self.observers.len())
            .field("precision", &self.precision)
            .finish()
    }
}

/// Default number of trials.
pub const DEFAULT_TRIALS: u64 = 10_000;
/// Default seed.
pub const DEFAULT_SEED: u64 = 2019;

impl Experiment {
    /// An experiment on `scenario` with one arm (its `agreement.cycle_years`), 10,000 trials and
    /// seed 2019.
    pub fn new(scenario: Scenario) -> Experiment {
        let arms = vec![scenario.agreement.cycle_years];
        Experiment {
            scenario,
            protocol: None,
            arms,
            reference: None,
            trials: DEFAULT_TRIALS,
            seed: DEFAULT_SEED,
            threads: None,
            observers: Vec::new(),
            precision: None,
        }
    }

    /// The arms: cycle lengths in years. The first is the reference arm unless
    /// [`Experiment::reference`] names another.
    pub fn cycle_years(mut self, arms: impl IntoIterator<Item = f64>) -> Experiment {
        self.arms = arms.into_iter().collect();
        self
    }

    /// The reference arm for paired differences (must be one of the arms).
    pub fn reference(mut self, cycle_years: f64) -> Experiment {
        self.reference = Some(cycle_years);
        self
    }

    /// Number of trials (simulated histories per arm).
    pub fn trials(mut self, trials: u64) -> Experiment {
        self.trials = trials;
        self
    }

    /// The seed of every random stream.
    pub fn seed(mut self, seed: u64) -> Experiment {
        self.seed = seed;
        self
    }

    /// Worker threads (default: rayon's global pool, one per core). Results do not depend on it.
    pub fn threads(mut self, threads: usize) -> Experiment {
        self.threads = Some(threads);
        self
    }

    /// A user protocol instead of the scenario's built-in one.
    pub fn protocol(mut self, protocol: Arc<dyn Protocol>) -> Experiment {
        self.protocol = Some(protocol);
        self
    }

    /// Adds an observer, called after each merged block.
    pub fn observer(mut self, observer: impl Observer + 'static) -> Experiment {
        self.observers.push(Box::new(observer));
        self
    }

    /// Runs blocks until `metric`'s standard error is at most `relative_se·|mean|` in every arm,
    /// or `max_trials` trials (rounded up to whole blocks) have run. Deterministic for a given
    /// seed and target: the check happens after each block, in block order.
    pub fn until_precision(
        mut self,
        metric: &str,
        relative_se: f64,
        max_trials: u64,
    ) -> Experiment {
        self.precision = Some(PrecisionTarget {
            metric: metric.to_string(),
            relative_se,
            max_trials,
        });
        self
    }

    /// Checks the settings and builds the model and the arms.
    fn prepare(&self) -> Result<Prepared, Error> {
        let invalid = |field: &str, rule: &str, got: String| Error::InvalidExperiment {
            field: field.to_string(),
            rule: rule.to_string(),
            got,
        };
        let model = match &self.protocol {
            Some(p) => Model::with_protocol(self.scenario.clone(), Arc::clone(p))?,
            None => Model::new(self.scenario.clone())?,
        };
        if self.arms.is_empty() {
            return Err(invalid(
                "cycles",
                "at least one arm is needed",
                "none".into(),
            ));
        }
        let mut arms = Vec::with_capacity(self.arms.len());
        for (i, &c) in self.arms.iter().enumerate() {
            if self.arms[..i].contains(&c) {
                return Err(invalid(
                    "cycles",
                    "arms must be distinct",
                    format!("{c} twice"),
                ));
            }
            arms.push(model.arm(c)?);
        }
        let reference = match self.reference {
            None => 0,
            Some(r) => self.arms.iter().position(|&c| c == r).ok_or_else(|| {
                invalid(
                    "reference",
                    "must be one of the arms",
                    format!("{r} (arms: {:?})", self.arms),
                )
            })?,
        };
        if let Some(p) = &self.precision {
            if metric_index(&p.metric).is_none() {
                return Err(Error::UnknownMetric {
                    name: p.metric.clone(),
                    available: METRICS.iter().map(|m| m.name.to_string()).collect(),
                });
            }
            if !(p.relative_se.is_finite() && p.relative_se > 0.0) {
                return Err(invalid(
                    "relative_se",
                    "must be > 0",
                    p.relative_se.to_string(),
                ));
            }
            if p.max_trials == 0 {
                return Err(invalid("max_trials", "must be >= 1", "0".into()));
            }
        } else if self.trials == 0 {
            return Err(invalid("trials", "must be >= 1", "0".into()));
        }
        if self.threads == Some(0) {
            return Err(invalid("threads", "must be >= 1", "0".into()));
        }
        Ok(Prepared {
            model,
            arms,
            reference,
        })
    }

    /// The trial count the experiment plans (the cap, with a precision target).
    fn planned_trials(&self) -> u64 {
        match &self.precision {
            Some(p) => p.max_trials,
            None => self.trials,
        }
    }

    /// The header that identifies this experiment (and its shards).
    fn header(&self, prepared: &Prepared) -> Result<crate::report::Header, Error> {
        crate::report::Header::new(
            &self.scenario,
            prepared.model.protocol().name(),
            &self.arms,
            self.arms[prepared.reference],
            self.planned_trials(),
            self.seed,
            self.precision.clone(),
        )
    }

    /// Runs every trial and returns the report.
    ///
    /// # Errors
    /// [`Error::Scenario`] for an invalid scenario or arm, [`Error::InvalidExperiment`] for bad
    /// settings (no arms, duplicate arms, zero trials or threads, an unknown reference arm),
    /// [`Error::UnknownMetric`] for a precision target on an unknown metric.
    pub fn run(mut self) -> Result<Report, Error> {
        let prepared = self.prepare()?;
        let header = self.header(&prepared)?;
        let total = self.planned_trials();
        let stop = self.precision.clone();
        let acc = self.execute(&prepared, 0, total, stop.as_ref())?;
        Report::from_parts(header, acc)
    }

    /// Runs shard `index` of `count` (0-based): the trials
    /// `[index·trials/count, (index+1)·trials/count)`. Merge all shards with [`Report::merge`]
    /// to get exactly the report of [`Experiment::run`].
    ///
    /// # Errors
    /// As [`Experiment::run`], plus [`Error::InvalidExperiment`] if `count` is 0, `index >=
    /// count`, or a precision target is set (shards need a fixed trial count).
    pub fn run_shard(mut self, index: u64, count: u64) -> Result<PartialReport, Error> {
        let prepared = self.prepare()?;
        if count == 0 || index >= count {
            return Err(Error::InvalidExperiment {
                field: "shard".into(),
                rule: "must be I/N with 0 <= I < N".into(),
                got: format!("{index}/{count}"),
            });
        }
        if self.precision.is_some() {
            return Err(Error::InvalidExperiment {
                field: "shard".into(),
                rule: "shards need a fixed trial count, not a precision target".into(),
                got: format!("{index}/{count}"),
            });
        }
        let header = self.header(&prepared)?;
        let split = |i: u64| ((u128::from(self.trials) * u128::from(i)) / u128::from(count)) as u64;
        let (start, end) = (split(index), split(index + 1));
        let acc = self.execute(&prepared, start, end, None)?;
        Ok(PartialReport::new(header, start, end, acc))
    }

    /// Simulates trials `[start, end)` block by block and merges them in order.
    fn execute(
        &mut self,
        prepared: &Prepared,
        start: u64,
        end: u64,
        stop: Option<&PrecisionTarget>,
    ) -> Result<Accumulators, Error> {
        let stop_metric = stop.and_then(|p| metric_index(&p.metric).map(|i| (i, p.relative_se)));
        let seed = self.seed;
        run_blocks(
            self.threads,
            start,
            end,
            &mut self.observers,
            Accumulators::new(prepared)?,
            |a, b| simulate_block(prepared, seed, a, b),
            |total: &Accumulators| {
                stop_metric.is_some_and(|(metric, target)| total.precise_enough(metric, target))
            },
        )
    }
}

/// The block engine shared by every kind of experiment: simulates `[start, end)` in blocks of
/// [`BLOCK_TRIALS`] on `threads` workers (default: rayon's global pool), in waves of a few
/// blocks per worker, merges the block results into `total` in block order, calls the observers
/// after each block, and stops early after the first block at which `done` says so.
pub(crate) fn run_blocks<A: Mergeable + Send>(
    threads: Option<usize>,
    start: u64,
    end: u64,
    observers: &mut [Box<dyn Observer>],
    mut total: A,
    simulate: impl Fn(u64, u64) -> Result<A, Error> + Sync,
    done: impl Fn(&A) -> bool,
) -> Result<A, Error> {
    let pool = match threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::Internal(format!("thread pool: {e}")))?,
        ),
        None => None,
    };
    let workers = pool
        .as_ref()
        .map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    let wave = (4 * workers).max(1);
    let blocks = block_ranges(start, end);
    let planned = end - start;
    let mut trials_done = 0u64;
    for chunk in blocks.chunks(wave) {
        let run_chunk = || -> Vec<Result<A, Error>> {
            chunk.par_iter().map(|&(a, b)| simulate(a, b)).collect()
        };
        let results = match &pool {
            Some(p) => p.install(run_chunk),
            None => run_chunk(),
        };
        for (result, &(a, b)) in results.into_iter().zip(chunk) {
            total.merge_from(&result?)?;
            trials_done += b - a;
            for o in observers.iter_mut() {
                o.block_done(Progress {
                    trials_done,
                    trials_total: planned,
                });
            }
            if done(&total) {
                return Ok(total);
            }
        }
    }
    Ok(total)
}

/// Block results that merge exactly, in order.
pub(crate) trait Mergeable {
    /// Adds `other` (a later block or shard) to `self`.
    fn merge_from(&mut self, other: &Self) -> Result<(), Error>;
}

impl Mergeable for Accumulators {
    fn merge_from(&mut self, other: &Self) -> Result<(), Error> {
        self.merge(other)
    }
}

/// Blocks of [`BLOCK_TRIALS`] covering `[start, end)`, aligned to multiples of the block size so
/// that shards and single runs cut trials the same way.
fn block_ranges(start: u64, end: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut a = start;
    while a < end {
        let b = ((a / BLOCK_TRIALS + 1) * BLOCK_TRIALS).min(end);
        out.push((a, b));
        a = b;
    }
    out
}

/// A model with its arms and the reference arm's index.
struct Prepared {
    model: Model,
    arms: Vec<Arm>,
    reference: usize,
}

/// The mergeable statistics of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmAccumulator {
    /// One tally per metric, in [`METRICS`] order.
    pub metrics: Vec<MetricTally>,
    /// Paired differences against the reference arm, per metric (empty for the reference arm).
    pub paired: Vec<Paired>,
    /// Signing time relative to the deadline of every completed negotiation, months.
    pub signing: Histogram,
    /// Lapse length of every completed negotiation, months (the first bin counts deals without
    /// a lapse).
    pub lapse: Histogram,
}

impl ArmAccumulator {
    /// Empty statistics for an arm of `scenario` (no paired differences for the reference arm).
    ///
    /// # Errors
    /// [`Error::Stats`] if the histogram edges cannot be built (they always can for a valid
    /// scenario).
    pub fn new(scenario: &Scenario, is_reference: bool) -> Result<ArmAccumulator, Error> {
        Ok(ArmAccumulator {
            metrics: vec![MetricTally::new(); N_METRICS],
            paired: if is_reference {
                Vec::new()
            } else {
                vec![Paired::new(); N_METRICS]
            },
            signing: Histogram::new(signing_edges(scenario))?,
            lapse: Histogram::new(lapse_edges(scenario))?,
        })
    }

    /// Adds one trial: its metric values and the records of its completed negotiations.
    pub fn push_trial(
        &mut self,
        values: &[f64; N_METRICS],
        records: &[NegotiationRecord],
        months_per_step: f64,
    ) {
        for (m, &v) in self.metrics.iter_mut().zip(values) {
            m.push(v);
        }
        for r in records.iter().filter(|r| r.completed) {
            self.signing.push(r.signing_months);
            self.lapse.push(f64::from(r.lapse_steps) * months_per_step);
        }
    }

    /// Adds the paired differences of one trial against the reference arm's values.
    pub fn push_paired(&mut self, values: &[f64; N_METRICS], reference: &[f64; N_METRICS]) {
        for ((d, &x), &r) in self.paired.iter_mut().zip(values).zip(reference) {
            d.push(x, r);
        }
    }

    /// Adds `other` (the same arm, later trials).
    ///
    /// # Errors
    /// [`Error::Stats`] if the two were built with different settings.
    pub fn merge_from(&mut self, other: &ArmAccumulator) -> Result<(), Error> {
        for (x, y) in self.metrics.iter_mut().zip(&other.metrics) {
            x.merge(y)?;
        }
        for (x, y) in self.paired.iter_mut().zip(&other.paired) {
            x.merge(y);
        }
        self.signing.merge(&other.signing)?;
        self.lapse.merge(&other.lapse)?;
        Ok(())
    }
}

/// The mergeable statistics of all arms of an experiment (or of a shard of its trials).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accumulators {
    /// Index of the reference arm.
    pub reference: usize,
    /// Per arm, in the experiment's order.
    pub arms: Vec<ArmAccumulator>,
}

/// Histogram edges for signing times: from the window's opening to the longest lapse, in bins of
/// one step (at least a month; at most 240 bins).
fn signing_edges(s: &Scenario) -> Vec<f64> {
    let step_months = 12.0 / f64::from(s.steps_per_year);
    let lo = -s.agreement.window_months;
    let hi = s.agreement.max_lapse_months + step_months;
    edges(lo, hi, step_months)
}

fn lapse_edges(s: &Scenario) -> Vec<f64> {
    let step_months = 12.0 / f64::from(s.steps_per_year);
    edges(0.0, s.agreement.max_lapse_months + step_months, step_months)
}

fn edges(lo: f64, hi: f64, step_months: f64) -> Vec<f64> {
    let mut width = step_months.max(1.0);
    while (hi - lo) / width > 240.0 {
        width *= 2.0;
    }
    let bins = (((hi - lo) / width).ceil() as usize).max(1);
    (0..=bins).map(|i| lo + i as f64 * width).collect()
}

impl Accumulators {
    fn new(p: &Prepared) -> Result<Accumulators, Error> {
        let s = p.model.scenario();
        let arms = (0..p.arms.len())
            .map(|a| ArmAccumulator::new(s, a == p.reference))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Accumulators {
            reference: p.reference,
            arms,
        })
    }

    /// Adds `other` (a later block or shard) to `self`.
    ///
    /// # Errors
    /// [`Error::Merge`] if the two have different arms; [`Error::Stats`] if their summaries were
    /// built with different settings.
    pub fn merge(&mut self, other: &Accumulators) -> Result<(), Error> {
        if self.arms.len() != other.arms.len() || self.reference != other.reference {
            return Err(Error::Internal(
                "merging accumulators of different shapes".into(),
            ));
        }
        for (a, b) in self.arms.iter_mut().zip(&other.arms) {
            a.merge_from(b)?;
        }
        Ok(())
    }

    /// Trials merged so far.
    pub fn trials(&self) -> u64 {
        self.arms
            .first()
            .and_then(|a| a.metrics.first())
            .map_or(0, |m| m.count() + m.rejected())
    }

    fn precise_enough(&self, metric: usize, target: f64) -> bool {
        self.arms.iter().all(|a| {
            let m = a.metrics[metric].moments();
            m.count() >= 2 && m.standard_error() <= target * m.mean().abs()
        })
    }
}

/// Simulates trials `[start, end)`: one path per trial, every arm on it.
fn simulate_block(p: &Prepared, seed: u64, start: u64, end: u64) -> Result<Accumulators, Error> {
    let mut acc = Accumulators::new(p)?;
    let mut path = EnvironmentPath::new();
    let mut records: Vec<NegotiationRecord> = Vec::new();
    let mut values = vec![[0.0f64; N_METRICS]; p.arms.len()];
    let months_per_step = 12.0 * p.model.scenario().dt();
    for trial in start..end {
        path.generate(p.model.scenario(), seed, trial);
        for (a, arm) in p.arms.iter().enumerate() {
            values[a] = p.model.run(arm, &path, seed, trial, &mut records).values();
            let arm_acc = &mut acc.arms[a];
            for (m, &v) in arm_acc.metrics.iter_mut().zip(&values[a]) {
                m.push(v);
            }
            for r in records.iter().filter(|r| r.completed) {
                arm_acc.signing.push(r.signing_months);
                arm_acc
                    .lapse
                    .push(f64::from(r.lapse_steps) * months_per_step);
            }
        }
        let reference = values[p.reference];
        for (a, arm_acc) in acc.arms.iter_mut().enumerate() {
            if a != p.reference {
                for ((d, &x), &r) in arm_acc.paired.iter_mut().zip(&values[a]).zip(&reference) {
                    d.push(x, r);
                }
            }
        }
    }
    Ok(acc)
}
