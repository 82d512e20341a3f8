//! The experiment: arms as treatments on common random numbers (MODEL.md §8).
//!
//! An arm is a [`Variant`] (a named set of scenario overrides, and/or a protocol) × one cycle
//! length per host. One [`Experiment`] runs any set of arms, for one host or many, over the same
//! simulated worlds: trial `i`'s environment comes from the stream (seed, `i`, environment), so
//! every arm of trial `i` faces the same world, and paired differences against the reference arm
//! (variant against variant, protocol against protocol, cycle against cycle) have the small
//! standard errors of common random numbers.
//!
//! ```
//! use negcycle::prelude::*;
//!
//! let report = Experiment::new(Scenario::preset("us_rok_sma")?)
//!     .variant(Variant::new("tough").set("patron.opening", "0.6"))
//!     .cycle_years([1.0, 5.0])
//!     .reference("base/5")
//!     .trials(1_000)
//!     .seed(2019)
//!     .run()?;
//! let tough = report.arm("tough/5")?.vs_reference("lapse_months")?.expect("paired");
//! assert!(tough.mean.is_finite());
//! # Ok::<(), negcycle::Error>(())
//! ```
//!
//! # How determinism is achieved
//! Trial `i` is a pure function of (input, variants, arms, seed, `i`). Trials run in blocks of
//! [`BLOCK_TRIALS`](super::BLOCK_TRIALS); blocks run in parallel in waves and their statistics
//! merge exactly, in block order, so neither the thread count nor sharding changes a bit.

use super::engine::{Observer, run_blocks, shard_range};
use super::variant::{BASE, Variant};
use crate::alliance::{AllianceModel, AllianceTrial, AllianceWorkspace};
use crate::error::Error;
use crate::metrics::{METRICS, N_METRICS, metric_index};
use crate::protocol::Protocol;
use crate::report::{ArmInfo, Header, PartialReport, PrecisionTarget, Report, VERSION, full_label};
use crate::scenario::{Input, Scenario, ScenarioError as ScenarioErrorKind};
use crate::tally::Tally;
use crate::trial::{Arm, Model};
use std::sync::Arc;

/// Default number of trials.
pub const DEFAULT_TRIALS: u64 = 10_000;
/// Default seed.
pub const DEFAULT_SEED: u64 = 2019;
/// The most arm × host histories one experiment keeps statistics for (each holds 19 metric
/// tallies, their paired differences and two histograms, tens of kilobytes once the quantile
/// sketches fill, copied per block in flight): past this, [`Experiment::run`] refuses with
/// [`Error::Refused`] instead of exhausting memory.
pub const MAX_ARM_HOSTS: usize = 4096;

/// Which arm is the reference: by label (`"tough/5"`; a bare `"5"` means the first variant's
/// arm), by cycle length (the first variant, one host), or by index.
#[derive(Debug, Clone, PartialEq)]
pub enum ArmRef {
    /// An arm label, or a bare cycle for the first variant.
    Label(String),
    /// A cycle length in years (single host, first variant).
    Cycle(f64),
    /// An index into the arms.
    Index(usize),
}

impl From<&str> for ArmRef {
    fn from(s: &str) -> ArmRef {
        ArmRef::Label(s.to_string())
    }
}

impl From<String> for ArmRef {
    fn from(s: String) -> ArmRef {
        ArmRef::Label(s)
    }
}

impl From<f64> for ArmRef {
    fn from(c: f64) -> ArmRef {
        ArmRef::Cycle(c)
    }
}

impl From<usize> for ArmRef {
    fn from(i: usize) -> ArmRef {
        ArmRef::Index(i)
    }
}

/// The experiment builder: input, variants, arms, trials, seed, options; then
/// [`Experiment::run`] or [`Experiment::run_shard`].
pub struct Experiment {
    input: Input,
    protocol: Option<Arc<dyn Protocol>>,
    variants: Vec<Variant>,
    cycles: Vec<Vec<f64>>,
    /// Schedule arms: (name, agreement lengths in years), one host only.
    schedules: Vec<(String, Vec<f64>)>,
    reference: Option<ArmRef>,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
    observers: Vec<Box<dyn Observer>>,
    precision: Option<PrecisionTarget>,
}

impl std::fmt::Debug for Experiment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Experiment")
            .field("input", &self.input.name())
            .field("variants", &self.variants)
            .field("cycles", &self.cycles)
            .field("schedules", &self.schedules)
            .field("reference", &self.reference)
            .field("trials", &self.trials)
            .field("seed", &self.seed)
            .field("threads", &self.threads)
            .field("observers", &self.observers.len())
            .field("precision", &self.precision)
            .finish()
    }
}

/// A variant's model and the arms that run on it.
struct VariantRun {
    model: AllianceModel,
    /// Per arm of this variant: (arm index, per-host arms).
    arms: Vec<(usize, Vec<Arm>)>,
}

/// Everything a block needs.
struct Prepared {
    header: Header,
    variants: Vec<VariantRun>,
    months_per_step: f64,
    /// The empty statistics every block starts from (shape and histogram edges of every arm).
    empty: Tally,
}

impl Experiment {
    /// An experiment on `input` (a [`Scenario`] or an [`crate::alliance::Alliance`]) with the
    /// base variant, one arm (each host at its own `agreement.cycle_years`), 10,000 trials and
    /// seed 2019.
    #[must_use]
    pub fn new(input: impl Into<Input>) -> Experiment {
        let input = input.into();
        let cycles = vec![input.cycle_years()];
        Experiment {
            input,
            protocol: None,
            variants: Vec::new(),
            cycles,
            schedules: Vec::new(),
            reference: None,
            trials: DEFAULT_TRIALS,
            seed: DEFAULT_SEED,
            threads: None,
            observers: Vec::new(),
            precision: None,
        }
    }

    /// Adds a variant after the base variant (`base`, no overrides), which every experiment
    /// starts with; a variant named `base` replaces it. Use [`Experiment::variants`] to set the
    /// list exactly (without the base).
    #[must_use]
    pub fn variant(mut self, variant: Variant) -> Experiment {
        if self.variants.is_empty() {
            self.variants.push(Variant::base());
        }
        let base = (variant.name() == BASE)
            .then(|| self.variants.iter().position(|v| v.name() == BASE))
            .flatten();
        match base {
            Some(i) => self.variants[i] = variant,
            None => self.variants.push(variant),
        }
        self
    }

    /// Sets the variants exactly (replacing the base and any added before).
    #[must_use]
    pub fn variants(mut self, variants: impl IntoIterator<Item = Variant>) -> Experiment {
        self.variants = variants.into_iter().collect();
        self
    }

    /// The cycle lengths in years: one arm per length and variant (every host at that length
    /// in an alliance).
    #[must_use]
    pub fn cycle_years(mut self, cycles: impl IntoIterator<Item = f64>) -> Experiment {
        let hosts = self.input.host_names().len();
        self.cycles = cycles.into_iter().map(|c| vec![c; hosts]).collect();
        self
    }

    /// Adds a schedule arm per variant (MODEL.md §10.6), labelled `VARIANT/NAME`: the agreement
    /// in force at the start runs `years[0]`, the next `years[1]`, …, then the variant's
    /// `agreement.cycle_years` repeats. It replaces the scenario's own `agreement.schedule`.
    /// Single-host experiments only. A schedule of constant `L` gives exactly the cycle-`L` arm.
    #[must_use]
    pub fn schedule(mut self, name: &str, years: impl IntoIterator<Item = f64>) -> Experiment {
        self.schedules
            .push((name.to_string(), years.into_iter().collect()));
        self
    }

    /// The joint arms of an alliance: per arm, one cycle length (years) per host, in the
    /// hosts' order.
    #[must_use]
    pub fn arms(mut self, arms: Vec<Vec<f64>>) -> Experiment {
        self.cycles = arms;
        self
    }

    /// The joint arms as the product of per-host grids: `grids[i]` lists host `i`'s cycle
    /// lengths (the first host varies slowest). Korea `[1, 5]` and Japan `[5]` give the arms
    /// `[1, 5]` and `[5, 5]`.
    #[must_use]
    pub fn grid(mut self, grids: &[Vec<f64>]) -> Experiment {
        self.cycles = grid_product(grids);
        self
    }

    /// The reference arm for paired differences (default: the first arm): a label such as
    /// `"tough/5"`, a bare cycle (`5.0` or `"5"`, the first variant's arm) or an index.
    #[must_use]
    pub fn reference(mut self, arm: impl Into<ArmRef>) -> Experiment {
        self.reference = Some(arm.into());
        self
    }

    /// Number of trials (simulated histories per arm).
    #[must_use]
    pub fn trials(mut self, trials: u64) -> Experiment {
        self.trials = trials;
        self
    }

    /// The seed of every random stream.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Experiment {
        self.seed = seed;
        self
    }

    /// Worker threads (default: rayon's global pool, one per core). Results do not depend on it.
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Experiment {
        self.threads = Some(threads);
        self
    }

    /// A user protocol for every variant that does not bring its own (instead of the scenario's
    /// built-in `protocol.kind`).
    #[must_use]
    pub fn protocol(mut self, protocol: Arc<dyn Protocol>) -> Experiment {
        self.protocol = Some(protocol);
        self
    }

    /// Adds an observer (see [`Observer`]).
    #[must_use]
    pub fn observer(mut self, observer: impl Observer + 'static) -> Experiment {
        self.observers.push(Box::new(observer));
        self
    }

    /// Runs blocks until `metric`'s standard error is at most `relative_se·|mean|` for every
    /// host of every arm, or `max_trials` trials (rounded up to whole blocks) have run.
    /// Deterministic for a given seed and target: the check happens after each block, in order.
    #[must_use]
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

    fn planned_trials(&self) -> u64 {
        self.precision
            .as_ref()
            .map_or(self.trials, |p| p.max_trials)
    }

    /// Checks the settings and builds every variant's model and arms.
    fn prepare(&self) -> Result<Prepared, Error> {
        let invalid = |field: &str, rule: &str, got: String| Error::InvalidExperiment {
            field: field.to_string(),
            rule: rule.to_string(),
            got,
        };
        let hosts = self.input.host_names();
        let variants = if self.variants.is_empty() {
            vec![Variant::base()]
        } else {
            self.variants.clone()
        };
        for (i, v) in variants.iter().enumerate() {
            v.check_name()?;
            if variants[..i].iter().any(|w| w.name() == v.name()) {
                return Err(invalid(
                    "variant",
                    "names must be distinct",
                    format!("{:?} twice", v.name()),
                ));
            }
        }
        if self.cycles.is_empty() {
            return Err(invalid(
                "cycles",
                "at least one arm is needed",
                "none".into(),
            ));
        }
        for (i, c) in self.cycles.iter().enumerate() {
            if c.len() != hosts.len() {
                return Err(invalid(
                    "cycles",
                    &format!("one cycle length per host ({})", hosts.join(", ")),
                    format!("{c:?}"),
                ));
            }
            if self.cycles[..i].contains(c) {
                return Err(invalid(
                    "cycles",
                    "arms must be distinct",
                    format!("{c:?} twice"),
                ));
            }
        }
        for (i, (name, years)) in self.schedules.iter().enumerate() {
            if hosts.len() > 1 {
                return Err(invalid(
                    "schedule",
                    "schedule arms are for one host; give an alliance's hosts their own \
                     hosts.NAME.agreement.schedule",
                    name.clone(),
                ));
            }
            let ok_name = !name.is_empty()
                && name.len() <= 64
                && name.parse::<f64>().is_err()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok_name {
                return Err(invalid(
                    "schedule",
                    "a name of 1 to 64 letters, digits, '_' or '-' that is not a number",
                    format!("{name:?}"),
                ));
            }
            if self.schedules[..i].iter().any(|(n, _)| n == name) {
                return Err(invalid(
                    "schedule",
                    "names must be distinct",
                    format!("{name:?} twice"),
                ));
            }
            if years.is_empty() || years.len() > crate::scenario::MAX_SCHEDULE {
                return Err(invalid(
                    &format!("schedule {name}"),
                    &format!("1 to {} agreement lengths", crate::scenario::MAX_SCHEDULE),
                    format!("{} entries", years.len()),
                ));
            }
        }
        let arm_count = variants
            .len()
            .saturating_mul(self.cycles.len().saturating_add(self.schedules.len()));
        if arm_count.saturating_mul(hosts.len()) > MAX_ARM_HOSTS {
            return Err(Error::Refused {
                what: format!(
                    "{} variant(s) × {} cycle and schedule arm(s) × {} host(s)",
                    variants.len(),
                    self.cycles.len() + self.schedules.len(),
                    hosts.len()
                ),
                rule: format!(
                    "an experiment keeps statistics for at most {MAX_ARM_HOSTS} arm-host \
                     histories; split it into several experiments"
                ),
            });
        }
        let mut runs = Vec::with_capacity(variants.len());
        let mut arms_info = Vec::with_capacity(arm_count);
        let mut variant_info = Vec::with_capacity(variants.len());
        let mut arm_hosts: Vec<Vec<Scenario>> = Vec::with_capacity(arm_count);
        let mut pending_schedules: Vec<(Arm, ArmInfo)> = Vec::new();
        for v in &variants {
            let input = self.variant_input(v)?;
            let protocol = v.user_protocol().or(self.protocol.as_ref()).cloned();
            let model = match &input {
                Input::Single(s) => AllianceModel::single(match &protocol {
                    Some(p) => Model::with_protocol(s.clone(), Arc::clone(p))?,
                    None => Model::new(s.clone())?,
                }),
                Input::Alliance(a) => AllianceModel::with_protocol(a.clone(), protocol)?,
            };
            let protocol_name = model
                .models()
                .first()
                .map_or(String::new(), |m| m.protocol().name().to_string());
            variant_info.push(v.info(&protocol_name));
            let mut arms = Vec::with_capacity(self.cycles.len() + self.schedules.len());
            for (name, years) in &self.schedules {
                let (Input::Single(s), Some(m)) = (&input, model.models().first()) else {
                    continue;
                };
                let tail = s.agreement.cycle_years;
                let arm = m.arm_with_schedule(years, tail).map_err(|e| match e {
                    Error::Scenario(ScenarioErrorKind::Invalid(v)) => {
                        Error::Scenario(ScenarioErrorKind::Invalid(
                            v.into_iter()
                                .map(|mut x| {
                                    x.field = format!("schedule {name}: {}", x.field);
                                    x
                                })
                                .collect(),
                        ))
                    }
                    other => other,
                })?;
                pending_schedules.push((arm, ArmInfo::schedule(v.name(), name, years, tail)));
            }
            let mut built: Vec<(Vec<Arm>, ArmInfo)> = Vec::with_capacity(arms.capacity());
            for c in &self.cycles {
                let host_arms = match &input {
                    Input::Single(_) => vec![model.models()[0].arm(c[0])?],
                    Input::Alliance(_) => model.arms(c)?,
                };
                built.push((host_arms, ArmInfo::new(v.name(), &hosts, c)));
            }
            // Schedule arms after the cycle arms.
            built.extend(
                pending_schedules
                    .drain(..)
                    .map(|(arm, info)| (vec![arm], info)),
            );
            let scenarios: Vec<Scenario> = model
                .models()
                .iter()
                .map(|m| m.scenario().clone())
                .collect();
            for (host_arms, info) in built {
                arms.push((arms_info.len(), host_arms));
                arms_info.push(info);
                arm_hosts.push(scenarios.clone());
            }
            runs.push(VariantRun { model, arms });
        }
        let reference = self.reference_index(&arms_info, &variants)?;
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
        let header = Header {
            negcycle: VERSION.to_string(),
            input: self.input.clone(),
            hosts: hosts.clone(),
            variants: variant_info,
            arms: arms_info,
            reference,
            trials: self.planned_trials(),
            seed: self.seed,
            precision: self.precision.clone(),
            fingerprint: String::new(),
        }
        .sealed()?;
        let arm_hosts: Vec<Vec<&Scenario>> = arm_hosts.iter().map(|h| h.iter().collect()).collect();
        Ok(Prepared {
            header,
            variants: runs,
            months_per_step: 12.0 / f64::from(self.input.steps_per_year()),
            empty: Tally::new(&arm_hosts, reference)?,
        })
    }

    /// The base input with the variant's overrides; variants must keep the time grid and the
    /// hosts (else they cannot share worlds).
    fn variant_input(&self, v: &Variant) -> Result<Input, Error> {
        let mut input = self.input.clone();
        for (k, val) in v.overrides() {
            input = input
                .with_override(k, val)
                .map_err(|source| Error::Variant {
                    name: v.name().to_string(),
                    source,
                })?;
        }
        let same_grid = input.steps_per_year() == self.input.steps_per_year()
            && input.horizon_years().to_bits() == self.input.horizon_years().to_bits();
        if !same_grid {
            return Err(Error::InvalidExperiment {
                field: format!("variant {}", v.name()),
                rule: "variants share the base's simulated worlds, so they cannot change the \
                       time grid (steps_per_year, horizon_years); run a separate experiment"
                    .into(),
                got: format!(
                    "steps_per_year {} and horizon_years {} (base: {} and {})",
                    input.steps_per_year(),
                    input.horizon_years(),
                    self.input.steps_per_year(),
                    self.input.horizon_years()
                ),
            });
        }
        if input.host_names() != self.input.host_names() {
            return Err(Error::InvalidExperiment {
                field: format!("variant {}", v.name()),
                rule: "variants cannot change the hosts".into(),
                got: input.host_names().join(", "),
            });
        }
        Ok(input)
    }

    fn reference_index(&self, arms: &[ArmInfo], variants: &[Variant]) -> Result<usize, Error> {
        let labels = || {
            arms.iter()
                .map(|a| a.label.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let not_found = |got: String| Error::InvalidExperiment {
            field: "reference".into(),
            rule: format!("must be one of the arms ({})", labels()),
            got,
        };
        let first = variants.first().map_or(BASE, Variant::name);
        let by_cycle = |c: f64| {
            arms.iter().position(|a| {
                a.variant == first && a.schedule.is_none() && a.cycle_years.iter().all(|&x| x == c)
            })
        };
        match &self.reference {
            None => Ok(0),
            Some(ArmRef::Index(i)) if *i < arms.len() => Ok(*i),
            Some(ArmRef::Index(i)) => Err(not_found(format!("index {i}"))),
            Some(ArmRef::Cycle(c)) => by_cycle(*c).ok_or_else(|| not_found(c.to_string())),
            Some(ArmRef::Label(l)) => {
                let full = full_label(l, first);
                arms.iter()
                    .position(|a| a.label == full)
                    .or_else(|| l.parse::<f64>().ok().and_then(by_cycle))
                    .ok_or_else(|| not_found(l.clone()))
            }
        }
    }

    /// Checks every setting, builds every variant's model and arm, and simulates nothing: what
    /// [`Experiment::run`] would refuse, this refuses with the same error (a command line calls
    /// it before creating any output).
    ///
    /// # Errors
    /// As [`Experiment::run`], except errors that only the simulation can raise.
    pub fn validate(&self) -> Result<(), Error> {
        self.prepare().map(|_| ())
    }

    /// Runs every trial and returns the report.
    ///
    /// # Errors
    /// [`Error::Scenario`] for an invalid scenario or cycle length; [`Error::Variant`] for a
    /// variant whose overrides are invalid;
    /// [`Error::InvalidExperiment`] for bad settings (no arms, duplicates, zero trials or
    /// threads, an unknown reference arm, a variant that changes the time grid);
    /// [`Error::UnknownMetric`] for a precision target on an unknown metric; [`Error::Refused`]
    /// for more than [`MAX_ARM_HOSTS`] arm-host histories; [`Error::Overflow`] if a value could
    /// not be summarised exactly; whatever an observer returns.
    pub fn run(mut self) -> Result<Report, Error> {
        let prepared = self.prepare()?;
        let total = self.planned_trials();
        let tally = self.execute(&prepared, (0, total))?;
        Report::from_tally(&prepared.header, &tally)
    }

    /// Runs shard `index` of `count` (0-based): the trials
    /// `[⌊index·trials/count⌋, ⌊(index+1)·trials/count⌋)`. Merge all shards with
    /// [`Report::merge`] to get exactly the report of [`Experiment::run`].
    ///
    /// # Errors
    /// As [`Experiment::run`], plus [`Error::InvalidExperiment`] if `count` is 0, `index >=
    /// count`, or a precision target is set (shards need a fixed trial count).
    pub fn run_shard(mut self, index: u64, count: u64) -> Result<PartialReport, Error> {
        let prepared = self.prepare()?;
        let range = shard_range(self.trials, index, count)?;
        if self.precision.is_some() {
            return Err(Error::InvalidExperiment {
                field: "shard".into(),
                rule: "shards need a fixed trial count, not a precision target".into(),
                got: format!("{index}/{count}"),
            });
        }
        let tally = self.execute(&prepared, range)?;
        PartialReport::new(prepared.header, range, tally)
    }

    fn execute(&mut self, p: &Prepared, range: (u64, u64)) -> Result<Tally, Error> {
        let stop = self
            .precision
            .as_ref()
            .and_then(|t| metric_index(&t.metric).map(|i| (i, t.relative_se)));
        let seed = self.seed;
        let tally = run_blocks(
            self.threads,
            &p.header,
            range,
            &mut self.observers,
            p.empty.clone(),
            |a, b| simulate_block(p, seed, a, b),
            |total: &Tally| stop.is_some_and(|(m, target)| total.precise_enough(m, target)),
        )?;
        tally.check_complete(tally.trials())?;
        Ok(tally)
    }
}

/// The joint arms of per-host grids (the first host varies slowest).
pub fn grid_product(grids: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut arms: Vec<Vec<f64>> = vec![Vec::new()];
    for grid in grids {
        arms = arms
            .iter()
            .flat_map(|prefix| {
                grid.iter().map(move |&c| {
                    let mut a = prefix.clone();
                    a.push(c);
                    a
                })
            })
            .collect();
    }
    arms
}

/// Simulates trials `[start, end)`: per trial and variant one set of worlds, every arm on it.
fn simulate_block(p: &Prepared, seed: u64, start: u64, end: u64) -> Result<Tally, Error> {
    let (arm_count, hosts, reference) = (
        p.header.arms.len(),
        p.header.hosts.len(),
        p.header.reference,
    );
    let mut tally = p.empty.clone();
    let mut workspaces: Vec<AllianceWorkspace> = (0..p.variants.len())
        .map(|_| AllianceWorkspace::default())
        .collect();
    let mut outs = vec![AllianceTrial::default(); arm_count];
    for out in &mut outs {
        out.records.resize_with(hosts, Vec::new);
        out.hosts.resize(hosts, Default::default());
    }
    let mut values = vec![vec![[0.0f64; N_METRICS]; hosts]; arm_count];
    let mut totals = vec![[0.0f64; 8]; arm_count];
    for trial in start..end {
        for (v, ws) in p.variants.iter().zip(workspaces.iter_mut()) {
            v.model.generate(seed, trial, ws);
            for (k, host_arms) in &v.arms {
                let out = &mut outs[*k];
                match v.model.lone_host() {
                    // One host, no phase offset: the event-driven trial, without the lockstep
                    // board (the step loop's numbers to rounding, tests/agreement.rs).
                    Some(model) => {
                        let path = v.model.path(ws, 0).ok_or_else(|| {
                            Error::Internal("no environment path for host 0".into())
                        })?;
                        out.hosts[0] =
                            model.run(&host_arms[0], path, seed, trial, &mut out.records[0]);
                    }
                    None => {
                        v.model.run_generated(host_arms, seed, trial, ws, out);
                        totals[*k] = out.totals.values();
                    }
                }
                for (h, m) in out.hosts.iter().enumerate() {
                    values[*k][h] = m.values();
                }
            }
        }
        for (k, arm) in tally.arms.iter_mut().enumerate() {
            for (h, host) in arm.hosts.iter_mut().enumerate() {
                host.push_trial(&values[k][h], &outs[k].records[h], p.months_per_step);
                if k != reference {
                    host.push_paired(&values[k][h], &values[reference][h]);
                }
            }
            for (m, &x) in arm.totals.iter_mut().zip(&totals[k]) {
                m.push(x);
            }
            if k != reference {
                for ((d, &x), &r) in arm
                    .totals_paired
                    .iter_mut()
                    .zip(&totals[k])
                    .zip(&totals[reference])
                {
                    d.push(x, r);
                }
            }
        }
    }
    Ok(tally)
}
