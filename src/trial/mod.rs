//! One history of one arm over the horizon (MODEL.md §1–§7): the step loop (the reference) and
//! the event-driven trial (the engine for single hosts).
//!
//! A [`Model`] is a validated scenario with its protocol and precomputed tables; an [`Arm`] is one
//! cycle length; [`Model::run`] simulates one trial of one arm on a given environment path and
//! returns its [`TrialMetrics`], writing the per-negotiation records into a caller-owned buffer.
//! Nothing is allocated per step or per negotiation once the buffers have grown.
//!
//! # Timing conventions (choices where MODEL.md leaves room)
//! - Step `t` covers `[t, t+1)`; `X*_t` and `I_t` are the values at its start.
//! - Round `k` of a window that opens at `τ` is held at the start of step `τ + ⌊k/rounds_per_step⌋`;
//!   with `window_months = 0` all rounds are held at the deadline itself. An agreement in the
//!   window sets `X = X*_s·e^p` with `s` the step of the accepting round, and takes effect at the
//!   deadline `D`. Its signing time relative to the deadline is `(τ + k/rounds_per_step − D)` steps,
//!   in months (fractional with several rounds per step).
//! - Lapse step `j` covers step `D + j − 1` and counts as one round of talks; an agreement in lapse
//!   step `j` is signed at `D + j` (at `X*_{D+j}`), takes effect then, and is reported `j` steps
//!   late. A rupture happens at step `D + max_lapse`.
//! - A step counts toward `negotiation_share` if a round was held in it or it was a lapse step.
//! - Support erodes at the end of the last step of talks, after that step's relaxation.
//! - Everything at or after the horizon is cut off: negotiations count if they opened within it,
//!   rounds and costs if they fell within it, lapses if their deadline did; records of
//!   negotiations still running at the horizon are marked not completed.
//! - `payment_volatility` uses whole calendar years; years with no payment (after a rupture, or a
//!   full year of lapse with `lapse_payment = 0`) break the chain of year-over-year changes.
//! - `unsettled_share` is over steps `t` with `t + steps_per_year < horizon` (0 if there are
//!   none); a step is unsettled if the payment of step `t + steps_per_year` was not agreed by
//!   the start of step `t`.
//!
//! # Files
//! - `mod.rs`: [`Model`] (the validated scenario and its tables), [`Arm`], [`simulate_trial`];
//! - `history.rs`: `History`, one arm's state and the step loop (payments, running sums, the
//!   signing, taking effect and rupture of agreements);
//! - `negotiation.rs`: one negotiation, opened by the step loop, in named steps: the opening
//!   stances, the talks in the window, the lapse phase, the costs and the record;
//! - `events.rs`: the event-driven trial, the step loop's history integrated between events
//!   from the path's prefix sums ([`Model::run_events`]);
//! - `accum.rs`: `StepInput` (what a step reads) and `Accum` (the running sums);
//! - `board.rs`: the precedent `Board` that links the hosts of an alliance.

mod accum;
mod board;
mod events;
mod history;
mod negotiation;

pub(crate) use accum::{Accum, StepInput};
pub(crate) use board::Board;
pub(crate) use history::History;

use crate::environment::EnvironmentPath;
use crate::error::Error;
use crate::lapse::{AttritionArm, DriftArm};
use crate::metrics::{NegotiationRecord, TrialMetrics};
use crate::protocol::{self, Protocol};
use crate::regime::RegimeModel;
use crate::rng::{Purpose, stream};
use crate::scenario::{Clock, Scenario};
use crate::support::SupportState;
use std::sync::Arc;

/// Windows of up to this many rounds get precomputed concession schedules for every clipped
/// length too (a table of `N(N+1)/2` entries per side).
pub const SCHEDULE_TABLE_ROUNDS: usize = 256;

/// A validated scenario with its protocol and the tables every trial shares.
#[derive(Debug, Clone)]
pub struct Model {
    scenario: Scenario,
    protocol: Arc<dyn Protocol>,
    horizon: usize,
    steps_per_year: usize,
    dt: f64,
    window: usize,
    max_lapse: u32,
    discount: Vec<f64>,
    /// `Δ·e^{−r tΔ}` per step.
    dt_discount: Vec<f64>,
    /// `e^{g·aΔ}` per age `a` in steps.
    escalator: Vec<f64>,
    /// `g·aΔ` per age `a` in steps.
    escalator_log: Vec<f64>,
    delta_patron: f64,
    delta_host: f64,
    /// The support's relaxation factors `2^{−kΔ/h}` for `k = 0..=horizon + 1` steps.
    pub(crate) support_relaxation: Vec<f64>,
    /// Handed to protocols that draw nothing ([`Protocol::uses_rng`] false), instead of seeding
    /// their stream.
    idle_rng: crate::rng::StreamRng,
    /// The patron's administrations, if the scenario has `[patron.regimes]`.
    pub(crate) regimes: Option<RegimeModel>,
    /// The relative-time convention of the rounds.
    pub(crate) clock: Clock,
    /// `protocol.rounds`: formal rounds in a full window, if set (else steps × rounds_per_step).
    pub(crate) formal_rounds: Option<u32>,
    /// Steps between lapse meetings (1: every step).
    pub(crate) meeting_steps: u32,
    /// `t_k^e` for windows of `N` rounds, patron and host: `schedules[N]` for every `N` up to
    /// the full window's rounds when that is at most [`SCHEDULE_TABLE_ROUNDS`] (clipped windows
    /// too), else for the full window only. Empty entries fall back to `powf`.
    schedules: Vec<[Vec<f64>; 2]>,
}

/// The constants of one agreement length: its term and the lapse constants of a negotiation
/// over an agreement of that length, computed by each lapse model's own file ([`DriftArm`],
/// [`AttritionArm`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmTerm {
    /// Agreement duration `L`, years.
    pub years: f64,
    /// `L` in steps.
    pub term_steps: usize,
    /// `ρ_P(L)·Δ`: the patron's floor falls this much per lapse step, log units
    /// ([`DriftArm::patron_step`]).
    pub patron_lapse_step: f64,
    /// `ρ_H(L)·Δ`: the host's ceiling rises this much per lapse step, log units.
    pub host_lapse_step: f64,
    /// The patron's `ρ_P(L)·Δ` while its administration is hardline (MODEL.md §10.5); equal to
    /// `patron_lapse_step` without regimes.
    pub hardline_patron_lapse_step: f64,
    /// `c_P / A_P(L)`, per year ([`AttritionArm::patron_cost_rate`]).
    pub patron_cost_rate: f64,
    /// `c_H / A_H(L)`, per year ([`AttritionArm::host_cost_rate`]).
    pub host_cost_rate: f64,
}

/// One arm: a cycle length, optionally after a schedule of agreement lengths (MODEL.md §10.6),
/// and the constants derived from them. The fields other than `schedule` describe the repeating
/// cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Agreement duration `L` once the schedule is used up, years.
    pub cycle_years: f64,
    /// `L` in steps.
    pub term_steps: usize,
    /// `ρ_P(L)·Δ`: the patron's floor falls this much per lapse step, log units
    /// ([`DriftArm::patron_step`]).
    pub patron_lapse_step: f64,
    /// `ρ_H(L)·Δ`: the host's ceiling rises this much per lapse step, log units
    /// ([`DriftArm::host_step`]).
    pub host_lapse_step: f64,
    /// `c_P / A_P(L)`, per year ([`AttritionArm::patron_cost_rate`]).
    pub patron_cost_rate: f64,
    /// `c_H / A_H(L)`, per year ([`AttritionArm::host_cost_rate`]).
    pub host_cost_rate: f64,
    /// The repeating cycle's constants.
    pub cycle: ArmTerm,
    /// The agreements before the cycle repeats: entry 0 is the agreement in force at the start.
    pub schedule: Vec<ArmTerm>,
}

impl Arm {
    /// The constants of agreement `k` (0: the agreement in force at the start).
    #[inline]
    pub fn term(&self, k: usize) -> &ArmTerm {
        self.schedule.get(k).unwrap_or(&self.cycle)
    }
}

impl Model {
    /// A model with the scenario's built-in protocol (`protocol.kind`).
    ///
    /// # Errors
    /// [`Error::Scenario`] if the scenario breaks any rule.
    pub fn new(scenario: Scenario) -> Result<Model, Error> {
        let protocol: Arc<dyn Protocol> = Arc::from(protocol::from_scenario(&scenario));
        Model::with_protocol(scenario, protocol)
    }

    /// A model with a user-supplied protocol (the scenario's `protocol.kind` is ignored; its
    /// `opener`, `rounds_per_step` and `tick` still apply).
    ///
    /// # Errors
    /// [`Error::Scenario`] if the scenario breaks any rule.
    pub fn with_protocol(scenario: Scenario, protocol: Arc<dyn Protocol>) -> Result<Model, Error> {
        scenario.validate()?;
        let horizon = scenario.horizon_steps();
        let dt = scenario.dt();
        let r = scenario.discount_rate;
        let g = scenario.agreement.escalator;
        let discount: Vec<f64> = (0..=horizon)
            .map(|t| crate::environment::discount_factor(r, t, dt))
            .collect();
        let dt_discount = discount.iter().map(|d| dt * d).collect();
        let escalator_log: Vec<f64> = (0..=horizon).map(|a| g * (a as f64 * dt)).collect();
        let escalator = escalator_log.iter().map(|x| x.exp()).collect();
        let window = scenario
            .months_to_steps(scenario.agreement.window_months)
            .unwrap_or(0) as usize;
        let max_lapse = scenario
            .months_to_steps(scenario.agreement.max_lapse_months)
            .unwrap_or(0)
            .min(u64::from(u32::MAX)) as u32;
        let formal_rounds = scenario.protocol.rounds;
        let full_rounds = match formal_rounds {
            Some(n) => n as usize,
            None => window.max(1) * scenario.protocol.rounds_per_step as usize,
        };
        // Per-round discounting: a round lasts the window's length over its rounds (0.1: a step
        // over rounds_per_step).
        let round_dt = match formal_rounds {
            Some(n) => dt * window.max(1) as f64 / f64::from(n.max(1)),
            None => dt / f64::from(scenario.protocol.rounds_per_step),
        };
        let clock = scenario.protocol.clock;
        let schedule = |n: usize, e: f64| -> Vec<f64> {
            (0..n)
                .map(|k| match clock {
                    // The 0.1 expression, kept bit for bit.
                    Clock::Negmas => ((k + 1) as f64 / (n + 1) as f64).powf(e),
                    Clock::Deadline => ((k + 1) as f64 / n as f64).powf(e),
                })
                .collect()
        };
        let meeting_steps = scenario
            .protocol
            .lapse_round_months
            .and_then(|m| scenario.months_to_steps(m))
            .unwrap_or(1)
            .clamp(1, u64::from(u32::MAX)) as u32;
        let both = |n: usize| {
            [
                schedule(n, scenario.patron.concession_exponent),
                schedule(n, scenario.host.concession_exponent),
            ]
        };
        let schedules = (0..=full_rounds)
            .map(|n| {
                if n == full_rounds || (n > 0 && full_rounds <= SCHEDULE_TABLE_ROUNDS) {
                    both(n)
                } else {
                    [Vec::new(), Vec::new()]
                }
            })
            .collect();
        Ok(Model {
            regimes: RegimeModel::new(&scenario),
            clock,
            formal_rounds,
            meeting_steps,
            idle_rng: stream(0, 0, Purpose::Protocol, 0),
            schedules,
            delta_patron: (-scenario.patron_rate() * round_dt).exp(),
            delta_host: (-scenario.host_rate() * round_dt).exp(),
            support_relaxation: SupportState::relaxation_table(&scenario.support, dt, horizon + 1),
            steps_per_year: scenario.steps_per_year as usize,
            scenario,
            protocol,
            horizon,
            dt,
            window,
            max_lapse,
            discount,
            dt_discount,
            escalator,
            escalator_log,
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The protocol.
    pub fn protocol(&self) -> &dyn Protocol {
        self.protocol.as_ref()
    }

    /// Steps in the horizon.
    pub fn horizon_steps(&self) -> usize {
        self.horizon
    }

    /// The arm for cycle length `cycle_years`, after the scenario's `agreement.schedule` if it
    /// has one.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming `cycle_years` if it is not a positive whole number of steps.
    pub fn arm(&self, cycle_years: f64) -> Result<Arm, Error> {
        self.arm_with_schedule(&self.scenario.agreement.schedule, cycle_years)
    }

    /// The arm whose agreements last `schedule[0]`, `schedule[1]`, … years (the first is in
    /// force at the start), then `cycle_years` repeatedly (MODEL.md §10.6). Replaces the
    /// scenario's own `agreement.schedule`.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming `cycle_years` or `schedule[i]` if it is not a positive whole
    /// number of steps.
    pub fn arm_with_schedule(&self, schedule: &[f64], cycle_years: f64) -> Result<Arm, Error> {
        let cycle = self.arm_term("cycle_years", cycle_years)?;
        let schedule = schedule
            .iter()
            .enumerate()
            .map(|(i, &y)| self.arm_term(&format!("schedule[{i}]"), y))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Arm {
            cycle_years,
            term_steps: cycle.term_steps,
            patron_lapse_step: cycle.patron_lapse_step,
            host_lapse_step: cycle.host_lapse_step,
            patron_cost_rate: cycle.patron_cost_rate,
            host_cost_rate: cycle.host_cost_rate,
            cycle,
            schedule,
        })
    }

    fn arm_term(&self, field: &str, years: f64) -> Result<ArmTerm, Error> {
        let s = &self.scenario;
        s.check_cycle_years(field, years)?;
        let term_steps = s.years_to_steps(years).unwrap_or(1).max(1) as usize;
        let drift = DriftArm::new(s, years);
        let attrition = AttritionArm::new(s, years);
        let hardline_patron_lapse_step = match &self.regimes {
            Some(r) => DriftArm::for_patron(s, &r.hardline_patron, years),
            None => drift.patron_step,
        };
        Ok(ArmTerm {
            years,
            term_steps,
            patron_lapse_step: drift.patron_step,
            host_lapse_step: drift.host_step,
            hardline_patron_lapse_step,
            patron_cost_rate: attrition.patron_cost_rate,
            host_cost_rate: attrition.host_cost_rate,
        })
    }

    /// A fresh environment path for (seed, trial).
    pub fn path(&self, seed: u64, trial: u64) -> EnvironmentPath {
        EnvironmentPath::sample(&self.scenario, seed, trial)
    }

    /// Simulates one history of `arm` on `path` (which must come from this model's scenario,
    /// e.g. [`Model::path`] or [`EnvironmentPath::generate`]). `records` is cleared and receives
    /// one record per negotiation. The engine: [`Model::run_events`]; the step loop
    /// [`Model::run_steps`] is the reference it is tested against.
    pub fn run(
        &self,
        arm: &Arm,
        path: &EnvironmentPath,
        seed: u64,
        trial: u64,
        records: &mut Vec<NegotiationRecord>,
    ) -> TrialMetrics {
        self.run_events(arm, path, seed, trial, records)
    }

    /// [`Model::run`] by the step loop: every step of the horizon in turn (MODEL.md §1–§7). The
    /// reference implementation, O(steps) per arm.
    pub fn run_steps(
        &self,
        arm: &Arm,
        path: &EnvironmentPath,
        seed: u64,
        trial: u64,
        records: &mut Vec<NegotiationRecord>,
    ) -> TrialMetrics {
        self.history(arm, path, seed, trial, records).run()
    }

    /// [`Model::run`] event by event: the step loop's history, integrated between events from
    /// the path's prefix sums, O(negotiations × rounds + years) per arm. Agrees with
    /// [`Model::run_steps`] to rounding (1e-9 relative, `tests/agreement.rs`); the negotiation
    /// records are identical.
    pub fn run_events(
        &self,
        arm: &Arm,
        path: &EnvironmentPath,
        seed: u64,
        trial: u64,
        records: &mut Vec<NegotiationRecord>,
    ) -> TrialMetrics {
        self.history(arm, path, seed, trial, records).run_events()
    }

    fn history<'a>(
        &'a self,
        arm: &'a Arm,
        path: &'a EnvironmentPath,
        seed: u64,
        trial: u64,
        records: &'a mut Vec<NegotiationRecord>,
    ) -> History<'a> {
        History::new(
            self,
            arm,
            path,
            seed,
            trial,
            records,
            arm.term(0).term_steps,
            0,
        )
    }
}

/// Simulates one trial of one cycle length: a convenience wrapper that validates, samples the
/// path and allocates the outcome. For many trials, reuse a [`Model`], an [`EnvironmentPath`]
/// and a record buffer instead (as the experiment engine does).
///
/// # Errors
/// [`Error::Scenario`] for an invalid scenario or cycle length.
pub fn simulate_trial(
    scenario: &Scenario,
    cycle_years: f64,
    seed: u64,
    trial: u64,
) -> Result<TrialOutcome, Error> {
    let model = Model::new(scenario.clone())?;
    let arm = model.arm(cycle_years)?;
    let path = model.path(seed, trial);
    let mut negotiations = Vec::new();
    let metrics = model.run(&arm, &path, seed, trial, &mut negotiations);
    Ok(TrialOutcome {
        metrics,
        negotiations,
    })
}

/// Everything one trial of one arm reports.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialOutcome {
    /// The metrics of MODEL.md §7.
    pub metrics: TrialMetrics,
    /// One record per negotiation, in order.
    pub negotiations: Vec<NegotiationRecord>,
}
