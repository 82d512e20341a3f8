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
use crate::error::Error;
use crate::metrics::METRICS;
use crate::report::VERSION;
use crate::report::write::sha256_hex;
use crate::run::Experiment;
use crate::scenario::{Input, Scenario};
use serde::{Deserialize, Serialize};

/// The version of the points file format (`points.jsonl`).
pub const POINTS_FORMAT: u32 = 1;
/// The default objective (lower is better).
pub const DEFAULT_OBJECTIVE: &str = "joint_loss";

/// Everything that identifies an exploration. Two runs with equal plans write the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The negcycle version.
    pub negcycle: String,
    /// The base scenario (one host).
    pub scenario: Scenario,
    /// The uncertain keys, in the design's dimension order.
    pub uncertainties: Vec<Uncertainty>,
    /// The design.
    pub design: Design,
    /// The seed of the design and of its analysis (bootstraps).
    pub design_seed: u64,
    /// The arms: cycle lengths, years.
    pub cycles: Vec<f64>,
    /// The reference arm's cycle length, years (paired differences are arm − reference).
    pub reference: f64,
    /// The objective metric (lower is better): best arm and regret.
    pub objective: String,
    /// The metrics recorded per arm and point, the objective first.
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
    /// The base scenario.
    pub scenario: Scenario,
    /// The uncertain keys.
    pub uncertainties: Vec<Uncertainty>,
    /// The design.
    pub design: Design,
    /// The arms' cycle lengths, years.
    pub cycles: Vec<f64>,
    /// The reference arm's cycle (default: the scenario's own `agreement.cycle_years` if it is
    /// an arm, else the last arm).
    pub reference: Option<f64>,
    /// The objective (default [`DEFAULT_OBJECTIVE`]).
    pub objective: Option<String>,
    /// More metrics to record per arm.
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
        let base = Input::Single(spec.scenario.clone());
        check_set(&spec.uncertainties, &base)?;
        let levels: Vec<Option<usize>> = spec.uncertainties.iter().map(|u| u.levels()).collect();
        spec.design.check(&levels)?;
        if spec.cycles.is_empty() {
            return Err(invalid("cycles", "at least one arm is needed", "none"));
        }
        let reference = match spec.reference {
            Some(r) => r,
            None => {
                let own = spec.scenario.agreement.cycle_years;
                if spec.cycles.contains(&own) {
                    own
                } else {
                    spec.cycles[spec.cycles.len() - 1]
                }
            }
        };
        if !spec.cycles.contains(&reference) {
            return Err(invalid(
                "reference",
                "must be one of the cycle lengths",
                reference.to_string(),
            ));
        }
        let objective = spec
            .objective
            .unwrap_or_else(|| DEFAULT_OBJECTIVE.to_string());
        let mut metrics = vec![objective.clone()];
        for m in spec.metrics {
            if !metrics.contains(&m) {
                metrics.push(m);
            }
        }
        for m in &metrics {
            if !METRICS.iter().any(|x| x.name == m) {
                return Err(Error::UnknownMetric {
                    name: m.clone(),
                    available: METRICS.iter().map(|x| x.name.to_string()).collect(),
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
            .cycle_years(spec.cycles.clone())
            .reference(reference)
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
            .position(|&c| c == self.reference)
            .unwrap_or(0)
    }

    /// The scenario of design point `index` at unit coordinates `unit`.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming the point and key if a value gives an invalid
    /// scenario.
    pub fn point_scenario(&self, index: usize, unit: &[f64]) -> Result<Scenario, Error> {
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
            .cycle_years(self.cycles.clone())
            .reference(self.reference)
            .trials(self.trials)
            .seed(self.seed)
            .run()?;
        let mut arms = Vec::with_capacity(report.arms.len());
        for arm in &report.arms {
            let mut rec = ArmRecord {
                arm: arm.label.clone(),
                cycle_years: arm.cycle(),
                mean: Vec::with_capacity(self.metrics.len()),
                se: Vec::with_capacity(self.metrics.len()),
                diff_mean: Vec::with_capacity(self.metrics.len()),
                diff_se: Vec::with_capacity(self.metrics.len()),
                regret: 0.0,
            };
            for m in &self.metrics {
                let s = arm.metric(m)?;
                rec.mean.push(s.mean);
                rec.se.push(s.se);
                let d = arm.vs_reference(m)?;
                rec.diff_mean.push(d.as_ref().map(|d| d.mean));
                rec.diff_se.push(d.map(|d| d.se));
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

/// One arm at one design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmRecord {
    /// The arm's label (`base/5`).
    pub arm: String,
    /// Its cycle length, years.
    pub cycle_years: f64,
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
