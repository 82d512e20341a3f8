//! The plan of an exploration (what identifies it, with its fingerprint) and the simulation of
//! one design point.
//!
//! A design point is the base scenario with the point's values of the uncertain keys set in
//! order (as `--set` sets them). Every point runs one [`Experiment`] with every arm (the cycle
//! lengths), the plan's trials and the plan's seed: all points face the same simulated worlds
//! (common random numbers, MODEL.md §12), so differences between points and between arms are
//! paired, and a point equal to the base scenario reproduces the plain run's numbers exactly.

use super::design::Design;
use super::robustness::{best_index, regrets};
use super::uncertainty::{Uncertainty, check_set};
use crate::alliance::TOTALS;
use crate::error::Error;
use crate::metrics::METRICS;
use crate::report::write::sha256_hex;
use crate::report::{ArmReport, MetricRow, VERSION, arm_label};
use crate::run::{BASE, Experiment};
use crate::scenario::{Alliance, Input, Scenario};
use serde::{Deserialize, Serialize};

/// The version of the points file format (`points.jsonl`; 2: alliances, an arm's cycle per
/// host).
pub const POINTS_FORMAT: u32 = 2;
/// The default objective (lower is better): for an alliance, the patron's total over hosts.
pub const DEFAULT_OBJECTIVE: &str = "joint_loss";
/// The most arms one exploration runs at every point (for an alliance, the joint arms: the
/// product of the per-host cycle lists).
pub const MAX_ARMS: usize = 64;

/// Everything that identifies an exploration. Two runs with equal plans write the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The negcycle version.
    pub negcycle: String,
    /// The base scenario (one host) or alliance, in its file form (an alliance has `hosts`).
    #[serde(with = "bare_input")]
    pub scenario: Input,
    /// The uncertain keys, in the design's dimension order.
    pub uncertainties: Vec<Uncertainty>,
    /// The design.
    pub design: Design,
    /// The seed of the design and of its analysis (bootstraps).
    pub design_seed: u64,
    /// The arms: per arm, one cycle length per host (years, in the hosts' order).
    pub cycles: Vec<Vec<f64>>,
    /// The reference arm's cycle lengths, years (paired differences are arm − reference).
    pub reference: Vec<f64>,
    /// The objective metric (lower is better): best arm and regret. For an alliance, one of the
    /// patron's totals over hosts ([`TOTALS`]).
    pub objective: String,
    /// The metrics recorded per arm and point, the objective first (an alliance's: totals).
    pub metrics: Vec<String>,
    /// Trials per point (every arm).
    pub trials: u64,
    /// The simulation seed (the same for every point: common random numbers).
    pub seed: u64,
    /// The number of design points.
    pub points: usize,
    /// SHA-256 (hex) of this plan's JSON with an empty fingerprint.
    pub fingerprint: String,
}

/// What [`Plan::new`] takes.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    /// The base scenario or alliance (`Scenario::preset(..)?.into()`).
    pub scenario: Input,
    /// The uncertain keys (an alliance's host keys as `hosts.NAME.party.margin`).
    pub uncertainties: Vec<Uncertainty>,
    /// The design.
    pub design: Design,
    /// The arms: per arm, one cycle length per host, years (`vec![vec![1.0], vec![5.0]]` for
    /// one host; [`crate::run::grid_product`] of per-host lists for an alliance). At most
    /// [`MAX_ARMS`].
    pub cycles: Vec<Vec<f64>>,
    /// The reference arm's cycle lengths (default: the input's own `agreement.cycle_years`,
    /// every host's, if that is an arm, else the last arm).
    pub reference: Option<Vec<f64>>,
    /// The objective (default [`DEFAULT_OBJECTIVE`]; an alliance's: one of [`TOTALS`]).
    pub objective: Option<String>,
    /// More metrics to record per arm (an alliance's: [`TOTALS`]).
    pub metrics: Vec<String>,
    /// Trials per point.
    pub trials: u64,
    /// The seed of the simulation, the design and the bootstraps.
    pub seed: u64,
}

fn invalid(field: &str, rule: &str, got: impl Into<String>) -> Error {
    Error::InvalidExperiment {
        field: field.into(),
        rule: rule.into(),
        got: got.into(),
    }
}

impl Plan {
    /// Checks a specification and seals it into a plan.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming the field (an uncertainty, `design`, `cycles`,
    /// `reference`, `objective`, `trials`); [`Error::UnknownMetric`]; the experiment's own
    /// errors for the base scenario.
    pub fn new(spec: PlanSpec) -> Result<Plan, Error> {
        spec.scenario.validate()?;
        check_set(&spec.uncertainties, &spec.scenario)?;
        let levels: Vec<Option<usize>> = spec.uncertainties.iter().map(|u| u.levels()).collect();
        spec.design.check(&levels)?;
        let hosts = spec.scenario.host_names().len();
        if spec.cycles.is_empty() || spec.cycles.len() > MAX_ARMS {
            return Err(invalid(
                "cycles",
                &format!(
                    "an exploration runs 1 to {MAX_ARMS} arms at every point (an alliance's \
                     joint arms are the product of its per-host cycle lists: shorten them)"
                ),
                format!("{} arms", spec.cycles.len()),
            ));
        }
        if let Some(a) = spec.cycles.iter().find(|a| a.len() != hosts) {
            return Err(invalid(
                "cycles",
                &format!("every arm needs one cycle length per host ({hosts})"),
                format!("{a:?}"),
            ));
        }
        let reference = match spec.reference {
            Some(r) => r,
            None => {
                let own = spec.scenario.cycle_years();
                if spec.cycles.contains(&own) {
                    own
                } else {
                    spec.cycles[spec.cycles.len() - 1].clone()
                }
            }
        };
        let Some(ref_index) = spec.cycles.iter().position(|c| *c == reference) else {
            return Err(invalid(
                "reference",
                "must be one of the arms",
                format!("{reference:?}"),
            ));
        };
        let objective = spec
            .objective
            .unwrap_or_else(|| DEFAULT_OBJECTIVE.to_string());
        let mut metrics = vec![objective.clone()];
        for m in spec.metrics {
            if !metrics.contains(&m) {
                metrics.push(m);
            }
        }
        let available: Vec<&str> = if spec.scenario.is_alliance() {
            TOTALS.iter().map(|(n, ..)| *n).collect()
        } else {
            METRICS.iter().map(|x| x.name).collect()
        };
        for m in &metrics {
            if !available.contains(&m.as_str()) {
                return Err(Error::UnknownMetric {
                    name: m.clone(),
                    available: available.iter().map(ToString::to_string).collect(),
                });
            }
        }
        if spec.trials < 2 {
            return Err(invalid(
                "trials",
                "an exploration needs at least 2 trials per point (standard errors)",
                spec.trials.to_string(),
            ));
        }
        Experiment::new(spec.scenario.clone())
            .arms(spec.cycles.clone())
            .reference(ref_index)
            .trials(spec.trials)
            .seed(spec.seed)
            .validate()?;
        let points = spec.design.len(&levels);
        let mut plan = Plan {
            negcycle: VERSION.to_string(),
            scenario: spec.scenario,
            uncertainties: spec.uncertainties,
            design: spec.design,
            design_seed: spec.seed,
            cycles: spec.cycles,
            reference,
            objective,
            metrics,
            trials: spec.trials,
            seed: spec.seed,
            points,
            fingerprint: String::new(),
        };
        plan.fingerprint = plan.compute_fingerprint()?;
        Ok(plan)
    }

    /// SHA-256 of the plan's JSON with an empty fingerprint.
    ///
    /// # Errors
    /// [`Error::Internal`] if the plan cannot be serialised.
    pub fn compute_fingerprint(&self) -> Result<String, Error> {
        let mut blank = self.clone();
        blank.fingerprint = String::new();
        let text =
            serde_json::to_string(&blank).map_err(|e| Error::Internal(format!("plan: {e}")))?;
        Ok(sha256_hex(text.as_bytes()))
    }

    /// Per uncertainty: `Some(k)` for a choice of k values, `None` for a range.
    pub fn levels(&self) -> Vec<Option<usize>> {
        self.uncertainties.iter().map(|u| u.levels()).collect()
    }

    /// The design's points in the unit cube, in run order.
    ///
    /// # Errors
    /// As [`Design::unit_points`].
    pub fn unit_points(&self) -> Result<Vec<Vec<f64>>, Error> {
        self.design.unit_points(&self.levels(), self.design_seed)
    }

    /// The point's values as numbers (a range's value in its unit; a choice's index).
    pub fn values(&self, unit: &[f64]) -> Vec<f64> {
        self.uncertainties
            .iter()
            .zip(unit)
            .map(|(u, &x)| u.value(x))
            .collect()
    }

    /// The reference arm's index.
    pub fn reference_index(&self) -> usize {
        self.cycles
            .iter()
            .position(|c| *c == self.reference)
            .unwrap_or(0)
    }

    /// The index of the arm `text` names ([`find_arm`]); `option` names the option in errors.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `option` and listing the arms.
    pub fn arm_index(&self, option: &str, text: &str) -> Result<usize, Error> {
        find_arm(text, &self.scenario.host_names(), &self.cycles).ok_or_else(|| {
            invalid(
                option,
                &format!(
                    "must name an arm: {} (a label, with or without base/, or one host's cycle \
                     in years)",
                    self.arm_labels().join(", ")
                ),
                text,
            )
        })
    }

    /// The arms' labels, as the report and the points file name them (`base/5`;
    /// `base/korea=1,japan=5,nato=2` for an alliance).
    pub fn arm_labels(&self) -> Vec<String> {
        let hosts = self.scenario.host_names();
        self.cycles
            .iter()
            .map(|c| arm_label(BASE, &hosts, c))
            .collect()
    }

    /// The scenario of design point `index` at unit coordinates `unit`.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming the point and key if a value gives an invalid
    /// scenario.
    pub fn point_scenario(&self, index: usize, unit: &[f64]) -> Result<Input, Error> {
        let mut s = self.scenario.clone();
        for (u, &x) in self.uncertainties.iter().zip(unit) {
            let text = u.value_text(x);
            s = s.with_override(&u.key, &text).map_err(|e| {
                invalid(
                    &format!("design point {index}"),
                    "every point must give a valid scenario (narrow the ranges)",
                    format!("{} = {text}: {e}", u.key),
                )
            })?;
        }
        Ok(s)
    }

    /// Simulates design point `index` (every arm, the plan's trials and seed).
    ///
    /// # Errors
    /// As [`Plan::point_scenario`] and [`Experiment::run`].
    pub fn run_point(&self, index: usize, unit: &[f64]) -> Result<PointRecord, Error> {
        let scenario = self.point_scenario(index, unit)?;
        let report = Experiment::new(scenario)
            .arms(self.cycles.clone())
            .reference(self.reference_index())
            .trials(self.trials)
            .seed(self.seed)
            .run()?;
        let mut arms = Vec::with_capacity(report.arms.len());
        for arm in &report.arms {
            let mut rec = ArmRecord {
                arm: arm.label.clone(),
                cycle_years: arm.cycle_years.clone(),
                mean: Vec::with_capacity(self.metrics.len()),
                se: Vec::with_capacity(self.metrics.len()),
                diff_mean: Vec::with_capacity(self.metrics.len()),
                diff_se: Vec::with_capacity(self.metrics.len()),
                regret: 0.0,
            };
            for m in &self.metrics {
                let row = arm_row(arm, m)?;
                rec.mean.push(row.mean);
                rec.se.push(row.se);
                rec.diff_mean.push(row.diff_mean);
                rec.diff_se.push(row.diff_se);
            }
            arms.push(rec);
        }
        let objectives: Vec<f64> = arms.iter().map(|a| a.mean[0]).collect();
        for (a, r) in arms.iter_mut().zip(regrets(&objectives)) {
            a.regret = r;
        }
        Ok(PointRecord {
            point: index,
            values: self
                .uncertainties
                .iter()
                .zip(unit)
                .map(|(u, &x)| u.value_text(x))
                .collect(),
            best: arms[best_index(&objectives)].arm.clone(),
            arms,
        })
    }
}

/// The arm that `text` names among `arms` (per arm one cycle per host of `hosts`): its label
/// with or without the `base/` prefix (`korea=1,japan=5,nato=2`), or for one host its cycle
/// length in years (`5`). `None` if it names none.
pub fn find_arm(text: &str, hosts: &[String], arms: &[Vec<f64>]) -> Option<usize> {
    let text = text.trim();
    let full = crate::report::full_label(text, BASE);
    arms.iter()
        .position(|a| arm_label(BASE, hosts, a) == full)
        .or_else(|| {
            let years: f64 = text.parse().ok()?;
            (hosts.len() == 1)
                .then(|| arms.iter().position(|a| a.as_slice() == [years]))
                .flatten()
        })
}

/// The row of metric `name` of an arm: its only host's, or the patron's total in an alliance.
fn arm_row<'r>(arm: &'r ArmReport, name: &str) -> Result<&'r MetricRow, Error> {
    match arm.hosts.as_slice() {
        [host] => host.row(name),
        _ => arm.total(name),
    }
}

/// The plan's input in its bare file form: a [`Scenario`], or an [`Alliance`] (told apart by
/// its `hosts`: both refuse unknown keys), so that a single host's plan reads as before.
mod bare_input {
    use super::{Alliance, Input, Scenario};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    #[allow(
        clippy::large_enum_variant,
        reason = "one value per plan read, converted at once into an Input (unboxed as well)"
    )]
    enum Bare {
        Single(Scenario),
        Alliance(Alliance),
    }

    pub(super) fn serialize<S: Serializer>(input: &Input, s: S) -> Result<S::Ok, S::Error> {
        match input {
            Input::Single(x) => x.serialize(s),
            Input::Alliance(x) => x.serialize(s),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Input, D::Error> {
        Ok(match Bare::deserialize(d)? {
            Bare::Single(x) => Input::Single(x),
            Bare::Alliance(x) => Input::Alliance(x),
        })
    }
}

/// One arm at one design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmRecord {
    /// The arm's label (`base/5`).
    pub arm: String,
    /// Its cycle length per host, years (in the hosts' order; one for a single host).
    pub cycle_years: Vec<f64>,
    /// Per recorded metric (the plan's `metrics`): mean over trials, the metric's unit.
    pub mean: Vec<f64>,
    /// Per recorded metric: standard error of the mean.
    pub se: Vec<f64>,
    /// Per recorded metric: mean paired difference arm − reference (null in the reference).
    pub diff_mean: Vec<Option<f64>>,
    /// Per recorded metric: its standard error (null in the reference).
    pub diff_se: Vec<Option<f64>>,
    /// The objective's mean minus the point's best arm's (≥ 0, the objective's unit).
    pub regret: f64,
}

/// One design point's results: a line of `points.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    /// The point's index in the design's run order.
    pub point: usize,
    /// The uncertain keys' values, as set in the scenario.
    pub values: Vec<String>,
    /// The label of the best arm (lowest objective; the first of ties).
    pub best: String,
    /// Every arm, in the plan's cycle order.
    pub arms: Vec<ArmRecord>,
}
