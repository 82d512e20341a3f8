//! The linked simulation: every host's history stepped in lockstep, so that each opening sees the
//! agreements the patron concluded with the other hosts before it.

use super::Alliance;
use crate::EnvironmentPath;
use crate::error::Error;
use crate::metrics::{NegotiationRecord, TrialMetrics};
use crate::protocol::Protocol;
use crate::rng::{Purpose, host_seed, stream};
use crate::trial::{Accum, Arm, Board, History, Model, StepInput};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The patron's totals over all hosts for one trial (the alliance-level metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct AllianceTotals {
    /// Present value of the payments from all hosts (money).
    pub payments: f64,
    /// Sum of the hosts' joint losses (money, PV).
    pub joint_loss: f64,
    /// Months without an agreement in force, summed over hosts.
    pub lapse_months: f64,
    /// Negotiations per year with any host.
    pub negotiations_per_year: f64,
    /// Share of steps with talks open with at least one host.
    pub talks_share: f64,
    /// Mean over all negotiations of the patron's opening demand over the status quo (log units).
    pub opening_demand: f64,
    /// Lowest public support reached in any host.
    pub support_min: f64,
    /// Number of hosts whose relationship ruptured.
    pub ruptures: f64,
}

/// The alliance-level metrics: (report key, unit, definition), in [`AllianceTotals`] order.
pub const TOTALS: &[(&str, &str, &str)] = &[
    ("payments", "money (PV)", "Payments from all hosts"),
    ("joint_loss", "money (PV)", "Joint losses summed over hosts"),
    (
        "lapse_months",
        "months",
        "Months without an agreement, summed over hosts",
    ),
    (
        "negotiations_per_year",
        "count per year",
        "Negotiations with any host per year",
    ),
    (
        "talks_share",
        "share of steps",
        "Share of steps with talks open with any host",
    ),
    (
        "opening_demand",
        "log units",
        "Mean opening demand over the status quo, all negotiations",
    ),
    (
        "support_min",
        "level 0 to 1",
        "Lowest public support in any host",
    ),
    ("ruptures", "count", "Hosts whose relationship ruptured"),
];

impl AllianceTotals {
    /// The values in [`TOTALS`] order.
    pub fn values(&self) -> [f64; 8] {
        [
            self.payments,
            self.joint_loss,
            self.lapse_months,
            self.negotiations_per_year,
            self.talks_share,
            self.opening_demand,
            self.support_min,
            self.ruptures,
        ]
    }
}

/// A validated alliance with one [`Model`] per host.
#[derive(Debug, Clone)]
pub struct AllianceModel {
    alliance: Alliance,
    models: Vec<Model>,
    phase_steps: Vec<usize>,
    precedent_steps: usize,
}

/// One trial of an alliance: per-host metrics and records, and the patron's totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllianceTrial {
    /// Per host, in the alliance's order.
    pub hosts: Vec<TrialMetrics>,
    /// Per host, its negotiations.
    pub records: Vec<Vec<NegotiationRecord>>,
    /// The patron's totals.
    pub totals: AllianceTotals,
}

/// Reusable buffers for [`AllianceModel::run`].
#[derive(Debug, Clone, Default)]
pub struct AllianceWorkspace {
    paths: Vec<EnvironmentPath>,
    common: Vec<f64>,
    board: Board,
}

impl AllianceModel {
    /// Validates the alliance and builds the hosts' models.
    ///
    /// # Errors
    /// [`Error::Scenario`] listing every violation with its field path.
    pub fn new(alliance: Alliance) -> Result<AllianceModel, Error> {
        AllianceModel::with_protocol(alliance, None)
    }

    /// As [`AllianceModel::new`], with a user protocol for every host instead of the built-in
    /// one (`None`: the built-in protocol of `protocol.kind`).
    ///
    /// # Errors
    /// [`Error::Scenario`] listing every violation with its field path.
    pub fn with_protocol(
        alliance: Alliance,
        protocol: Option<Arc<dyn Protocol>>,
    ) -> Result<AllianceModel, Error> {
        alliance.validate()?;
        let mut models = Vec::with_capacity(alliance.hosts.len());
        let mut phase_steps = Vec::with_capacity(alliance.hosts.len());
        for (i, h) in alliance.hosts.iter().enumerate() {
            let s = alliance.host_scenario(i);
            phase_steps.push(s.years_to_steps(h.phase_years).unwrap_or(0) as usize);
            models.push(match &protocol {
                Some(p) => Model::with_protocol(s, Arc::clone(p))?,
                None => Model::new(s)?,
            });
        }
        let precedent_steps = (alliance.linkage.precedent_years
            * f64::from(alliance.steps_per_year))
        .round() as usize;
        Ok(AllianceModel {
            alliance,
            models,
            phase_steps,
            precedent_steps,
        })
    }

    /// A one-host "alliance" around a validated single-host model: the host is named `host`
    /// and the linkage is off, so every trial equals [`Model::run`] on the same seed.
    pub fn single(model: Model) -> AllianceModel {
        let alliance = Alliance::from_scenario(model.scenario());
        let precedent_steps = (alliance.linkage.precedent_years
            * f64::from(alliance.steps_per_year))
        .round() as usize;
        AllianceModel {
            alliance,
            models: vec![model],
            phase_steps: vec![0],
            precedent_steps,
        }
    }

    /// The one host's model when this alliance is a single host whose first agreement runs a
    /// full term: its trials are then exactly [`Model::run`] on the host's path (no lockstep
    /// needed). `None` with several hosts or a phase offset.
    pub fn lone_host(&self) -> Option<&Model> {
        match (self.models.as_slice(), self.phase_steps.as_slice()) {
            ([model], [0]) => Some(model),
            _ => None,
        }
    }

    /// The alliance.
    pub fn alliance(&self) -> &Alliance {
        &self.alliance
    }

    /// The hosts' models.
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// The arms of one joint arm: `cycles[i]` years for host `i`.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] if the count differs from the hosts', [`Error::Scenario`]
    /// naming `hosts.NAME.cycle_years` for an invalid length.
    pub fn arms(&self, cycles: &[f64]) -> Result<Vec<Arm>, Error> {
        if cycles.len() != self.models.len() {
            return Err(Error::InvalidExperiment {
                field: "cycles".into(),
                rule: format!("one cycle length per host ({})", self.models.len()),
                got: format!("{cycles:?}"),
            });
        }
        self.models
            .iter()
            .zip(cycles)
            .zip(&self.alliance.hosts)
            .map(|((m, &c), h)| {
                m.scenario()
                    .check_cycle_years(&format!("hosts.{}.cycle_years", h.name), c)?;
                m.arm(c)
            })
            .collect()
    }

    /// Simulates trial `trial` of the joint arm `arms` (from [`AllianceModel::arms`]); every host
    /// is stepped in lockstep and its openings see the others' earlier agreements. The same as
    /// [`AllianceModel::generate`] followed by [`AllianceModel::run_generated`].
    pub fn run(
        &self,
        arms: &[Arm],
        seed: u64,
        trial: u64,
        ws: &mut AllianceWorkspace,
        out: &mut AllianceTrial,
    ) {
        self.generate(seed, trial, ws);
        self.run_generated(arms, seed, trial, ws, out);
    }

    /// Draws every host's environment path of trial `trial` into `ws` (the worlds every joint arm
    /// of the trial shares).
    pub fn generate(&self, seed: u64, trial: u64, ws: &mut AllianceWorkspace) {
        let n = self.models.len();
        let rho = self.alliance.linkage.correlation;
        let h = self.models.first().map_or(0, Model::horizon_steps);
        if rho > 0.0 {
            let mut rng = stream(seed, trial, Purpose::Common, 0);
            ws.common.clear();
            ws.common
                .extend((0..2 * h).map(|_| -> f64 { StandardNormal.sample(&mut rng) }));
        }
        ws.paths.resize_with(n, EnvironmentPath::new);
        for (i, (path, m)) in ws.paths.iter_mut().zip(&self.models).enumerate() {
            let common = (rho > 0.0).then_some((ws.common.as_slice(), rho));
            path.generate_linked(m.scenario(), host_seed(seed, i), trial, common);
        }
    }

    /// The environment path of host `i` drawn by the last [`AllianceModel::generate`].
    pub fn path<'w>(&self, ws: &'w AllianceWorkspace, i: usize) -> Option<&'w EnvironmentPath> {
        ws.paths.get(i)
    }

    /// Simulates the joint arm `arms` on the paths of the last [`AllianceModel::generate`] call
    /// for the same `(seed, trial)`.
    pub fn run_generated(
        &self,
        arms: &[Arm],
        seed: u64,
        trial: u64,
        ws: &mut AllianceWorkspace,
        out: &mut AllianceTrial,
    ) {
        let n = self.models.len();
        let h = self.models.first().map_or(0, Model::horizon_steps);
        let l = &self.alliance.linkage;
        ws.board.reset(n);
        ws.board.leverage = l.leverage;
        ws.board.benchmarking = l.benchmarking;
        ws.board.premium_precedent = l.precedent == crate::scenario::PrecedentRule::Premium;
        ws.board.precedent_steps = self.precedent_steps;
        out.records.resize_with(n, Vec::new);
        out.hosts.clear();

        let mut histories: Vec<History> = Vec::with_capacity(n);
        let mut accums: Vec<Accum> = Vec::with_capacity(n);
        for (i, ((m, arm), (path, records))) in self
            .models
            .iter()
            .zip(arms)
            .zip(ws.paths.iter().zip(out.records.iter_mut()))
            .enumerate()
        {
            let first = match self.phase_steps[i] {
                0 => arm.term(0).term_steps,
                p => p,
            };
            let mut history =
                History::new(m, arm, path, host_seed(seed, i), trial, records, first, i);
            // One patron: every host faces the same administrations.
            history.regime_seed = seed;
            histories.push(history);
            accums.push(Accum::new(m));
        }
        let mut talk_any = 0u64;
        for t in 0..h {
            let mut any = false;
            for (i, (hist, acc)) in histories.iter_mut().zip(accums.iter_mut()).enumerate() {
                let input = StepInput::at(&ws.paths[i], &self.models[i], t);
                hist.step(t, input, acc, Some(&mut ws.board));
                any |= hist.in_talks(t);
            }
            talk_any += u64::from(any);
        }
        for (hist, acc) in histories.into_iter().zip(&accums) {
            out.hosts.push(hist.finish(acc));
        }

        let years = self.alliance.horizon_years;
        let mut t = AllianceTotals {
            support_min: 1.0,
            ..AllianceTotals::default()
        };
        let (mut negotiations, mut demand) = (0.0, 0.0);
        for m in &out.hosts {
            t.payments += m.payments;
            t.joint_loss += m.joint_loss;
            t.lapse_months += m.lapse_months;
            t.support_min = t.support_min.min(m.support_min);
            t.ruptures += m.ruptured;
            negotiations += m.negotiations;
            demand += m.opening_demand * m.negotiations;
        }
        t.negotiations_per_year = negotiations / years;
        t.talks_share = talk_any as f64 / h.max(1) as f64;
        t.opening_demand = if negotiations > 0.0 {
            demand / negotiations
        } else {
            0.0
        };
        out.totals = t;
    }
}
