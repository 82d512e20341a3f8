//! One history of one arm over the horizon: the step loop (MODEL.md §1–§7).
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

use crate::contract::{Contract, next_expiry, window_opens};
use crate::environment::EnvironmentPath;
use crate::error::Error;
use crate::lapse::{AttritionArm, DriftArm, LapseOutcome, LapseSetup};
use crate::metrics::{NegotiationRecord, TrialMetrics};
use crate::party::{OpeningState, positions};
use crate::protocol::{self, Protocol, Talks, WindowOutcome};
use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;
use crate::support::SupportState;
use rand_distr::{Distribution, StandardNormal};
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
    /// Handed to protocols that draw nothing ([`Protocol::uses_rng`] false), instead of seeding
    /// their stream.
    idle_rng: crate::rng::StreamRng,
    /// `t_k^e` for windows of `N` rounds, patron and host: `schedules[N]` for every `N` up to
    /// the full window's rounds when that is at most [`SCHEDULE_TABLE_ROUNDS`] (clipped windows
    /// too), else for the full window only. Empty entries fall back to `powf`.
    schedules: Vec<[Vec<f64>; 2]>,
}

/// One arm: a cycle length and the per-arm constants derived from it. The lapse constants are
/// computed by each lapse model's own file ([`DriftArm`], [`AttritionArm`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arm {
    /// Agreement duration `L`, years.
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
        let round_dt = dt / f64::from(scenario.protocol.rounds_per_step);
        let full_rounds = window.max(1) * scenario.protocol.rounds_per_step as usize;
        let schedule = |n: usize, e: f64| -> Vec<f64> {
            (0..n)
                .map(|k| ((k + 1) as f64 / (n + 1) as f64).powf(e))
                .collect()
        };
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
            idle_rng: stream(0, 0, Purpose::Protocol, 0),
            schedules,
            delta_patron: (-scenario.patron_rate() * round_dt).exp(),
            delta_host: (-scenario.host_rate() * round_dt).exp(),
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

    /// The arm for cycle length `cycle_years`.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming `cycle_years` if it is not a positive whole number of steps.
    pub fn arm(&self, cycle_years: f64) -> Result<Arm, Error> {
        let s = &self.scenario;
        s.check_cycle_years("cycle_years", cycle_years)?;
        let term_steps = s.years_to_steps(cycle_years).unwrap_or(1).max(1) as usize;
        let drift = DriftArm::new(s, cycle_years);
        let attrition = AttritionArm::new(s, cycle_years);
        Ok(Arm {
            cycle_years,
            term_steps,
            patron_lapse_step: drift.patron_step,
            host_lapse_step: drift.host_step,
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
    /// one record per negotiation.
    pub fn run(
        &self,
        arm: &Arm,
        path: &EnvironmentPath,
        seed: u64,
        trial: u64,
        records: &mut Vec<NegotiationRecord>,
    ) -> TrialMetrics {
        History::new(self, arm, path, seed, trial, records, arm.term_steps, 0).run()
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

/// The per-step values of the environment path and the model that a step needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepInput {
    fair: f64,
    mismatch_base: f64,
    index_factor: f64,
    dt_discount: f64,
}

impl StepInput {
    /// The inputs of step `t` (bounds-checked; for loops over several paths).
    #[inline]
    pub(crate) fn at(path: &EnvironmentPath, m: &Model, t: usize) -> StepInput {
        StepInput {
            fair: path.fair(t),
            mismatch_base: path.mismatch_base_path()[t],
            index_factor: path.index_factor(t),
            dt_discount: m.dt_discount[t],
        }
    }

    /// The inputs of steps `0..horizon`, read without bounds checks.
    pub(crate) fn iter<'p>(
        path: &'p EnvironmentPath,
        m: &'p Model,
    ) -> impl Iterator<Item = StepInput> + 'p {
        let h = m.horizon;
        path.fair_path()[..h]
            .iter()
            .zip(&path.mismatch_base_path()[..h])
            .zip(&path.index_factor_path()[..h])
            .zip(&m.dt_discount[..h])
            .map(
                |(((&fair, &mismatch_base), &index_factor), &dt_discount)| StepInput {
                    fair,
                    mismatch_base,
                    index_factor,
                    dt_discount,
                },
            )
    }
}

/// The running sums of one history's step loop.
#[derive(Debug, Clone)]
pub(crate) struct Accum {
    lapse_payment: f64,
    eligible: u64,
    n_force: u64,
    sum_d: f64,
    sum_d2: f64,
    pv_pay: f64,
    pv_fair: f64,
    rigidity_pv: f64,
    lapse_pv: f64,
    lapse_steps: u64,
    unsettled: u64,
    annual: f64,
    to_year_end: usize,
    prev_annual_log: Option<f64>,
    prev_annual: f64,
    vol_n: u64,
    vol_mean: f64,
    vol_m2: f64,
}

impl Accum {
    pub(crate) fn new(m: &Model) -> Accum {
        Accum {
            lapse_payment: m.scenario.agreement.lapse_payment,
            eligible: m.horizon.saturating_sub(m.steps_per_year) as u64,
            n_force: 0,
            sum_d: 0.0,
            sum_d2: 0.0,
            pv_pay: 0.0,
            pv_fair: 0.0,
            rigidity_pv: 0.0,
            lapse_pv: 0.0,
            lapse_steps: 0,
            unsettled: 0,
            annual: 0.0,
            to_year_end: m.steps_per_year,
            prev_annual_log: None,
            prev_annual: f64::NAN,
            vol_n: 0,
            vol_mean: 0.0,
            vol_m2: 0.0,
        }
    }
}

/// One concluded agreement, as other hosts' negotiations see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Precedent {
    /// Step at which it was signed.
    pub(crate) sign: usize,
    /// The agreed increase over the status quo, `p − q`, log units.
    pub(crate) increase: f64,
    /// The agreed premium over the efficient terms, `p`, log units.
    pub(crate) premium: f64,
}

/// What the patron's negotiations with the hosts of an alliance can see of each other
/// (MODEL.md, linked negotiations): every concluded agreement, by host.
#[derive(Debug, Clone, Default)]
pub(crate) struct Board {
    /// Per host, its agreements in signing order.
    pub(crate) hosts: Vec<Vec<Precedent>>,
    /// `λ`: how much of the largest recent increase the patron adds to its opening demand.
    pub(crate) leverage: f64,
    /// Window of precedents, steps.
    pub(crate) precedent_steps: usize,
    /// `β ∈ [0, 1]`: how far a host's ceiling moves toward the others' agreed premia.
    pub(crate) benchmarking: f64,
}

impl Board {
    /// Clears the agreements, keeping the buffers.
    pub(crate) fn reset(&mut self, hosts: usize) {
        self.hosts.resize_with(hosts, Vec::new);
        for h in &mut self.hosts {
            h.clear();
        }
    }

    /// Records an agreement of host `host` signed at step `sign`.
    pub(crate) fn record(&mut self, host: usize, sign: usize, increase: f64, premium: f64) {
        if let Some(h) = self.hosts.get_mut(host) {
            h.push(Precedent {
                sign,
                increase,
                premium,
            });
        }
    }

    /// The context of host `me`'s opening at step `tau`: the extra opening demand
    /// `λ·max(0, largest increase any other host agreed in [τ − P, τ))` and the benchmark
    /// `(β, mean of the other hosts' latest agreed premia before τ)` (`None` if `β = 0` or no
    /// other host has agreed yet). Only agreements signed strictly before `τ` count, so the
    /// order in which hosts are stepped within a step does not matter.
    pub(crate) fn context(&self, me: usize, tau: usize) -> (f64, Option<(f64, f64)>) {
        let since = tau.saturating_sub(self.precedent_steps);
        let mut largest = 0.0f64;
        let (mut sum, mut n) = (0.0f64, 0u32);
        for (j, agreements) in self.hosts.iter().enumerate() {
            if j == me {
                continue;
            }
            let mut latest = None;
            for a in agreements.iter().rev() {
                if a.sign >= tau {
                    continue;
                }
                if latest.is_none() {
                    latest = Some(a.premium);
                }
                if a.sign < since {
                    break;
                }
                largest = largest.max(a.increase);
            }
            if let Some(p) = latest {
                sum += p;
                n += 1;
            }
        }
        let benchmark =
            (self.benchmarking > 0.0 && n > 0).then(|| (self.benchmarking, sum / f64::from(n)));
        (self.leverage * largest, benchmark)
    }
}

/// A negotiation whose outcome is known but not yet fully played out in the step loop.
#[derive(Debug, Clone, Copy)]
struct Pending {
    deadline: usize,
    /// Step at whose start the agreement is signed (or the rupture happens).
    sign: usize,
    /// Step at which the new terms take effect.
    effective: usize,
    premium: f64,
    ruptured: bool,
    signed: Option<Contract>,
}

/// The mutable state of one history.
pub(crate) struct History<'a> {
    m: &'a Model,
    arm: &'a Arm,
    path: &'a EnvironmentPath,
    seed: u64,
    trial: u64,
    records: &'a mut Vec<NegotiationRecord>,
    contract: Contract,
    covered_until: usize,
    /// Step at which the next window opens (`usize::MAX` while a negotiation runs or after a
    /// rupture).
    next_open: usize,
    pending: Option<Pending>,
    /// Step of the pending negotiation's next event (`usize::MAX` if none).
    next_event: usize,
    /// Steps of talks within the horizon, counted when each negotiation opens.
    talk_steps: u64,
    /// The steps `[talk_from, talk_until)` of the latest negotiation's talks.
    talk_from: usize,
    talk_until: usize,
    /// Sum over negotiations of the patron's opening demand over the status quo, `O_P − q`.
    demand_sum: f64,
    /// Index of this host in its alliance (0 for a single host).
    host_index: usize,
    /// The support erosion of the last negotiation: (step, opening gap, lapse years);
    /// `usize::MAX` as step when none is due.
    hit: (usize, f64, f64),
    ruptured: bool,
    support: SupportState,
    last_payment: f64,
    out: TrialMetrics,
}

impl<'a> History<'a> {
    /// A history whose first agreement starts at step 0 at the efficient terms and expires at
    /// `first_expiry` (the arm's term for a single host; an alliance host's phase may differ).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        m: &'a Model,
        arm: &'a Arm,
        path: &'a EnvironmentPath,
        seed: u64,
        trial: u64,
        records: &'a mut Vec<NegotiationRecord>,
        first_expiry: usize,
        host_index: usize,
    ) -> History<'a> {
        records.clear();
        let term = first_expiry.max(1);
        let contract = Contract::new(
            path.log_fair(0),
            m.scenario.agreement.indexation,
            path.index(0),
            path.index_factor(0),
            0,
            term,
        );
        History {
            m,
            arm,
            path,
            seed,
            trial,
            records,
            contract,
            covered_until: term,
            next_open: window_opens(term, m.window, 0),
            pending: None,
            next_event: usize::MAX,
            talk_steps: 0,
            talk_from: 0,
            talk_until: 0,
            demand_sum: 0.0,
            host_index,
            hit: (usize::MAX, 0.0, 0.0),
            ruptured: false,
            support: SupportState::new(&m.scenario.support, m.dt),
            last_payment: contract.level,
            out: TrialMetrics::default(),
        }
    }

    /// Simulates every step and returns the metrics (the single-history loop).
    fn run(mut self) -> TrialMetrics {
        let mut acc = Accum::new(self.m);
        let path = self.path;
        for (t, input) in StepInput::iter(path, self.m).enumerate() {
            self.step(t, input, &mut acc, None);
        }
        self.finish(&acc)
    }

    /// Whether talks are open at step `t` (a round is held or the step is a lapse step).
    #[inline]
    pub(crate) fn in_talks(&self, t: usize) -> bool {
        t >= self.talk_from && t < self.talk_until
    }

    /// One step of the history. `board` links it to the other hosts of an alliance (precedent
    /// and benchmarking); `None` for a single host.
    #[inline(always)]
    pub(crate) fn step(
        &mut self,
        t: usize,
        input: StepInput,
        acc: &mut Accum,
        board: Option<&mut Board>,
    ) {
        let m = self.m;
        if t == self.next_event {
            self.events(t);
        }
        if t == self.next_open {
            self.open(t, board);
            if t == self.next_event {
                self.events(t);
            }
        }

        let w = input.fair * input.dt_discount;
        let mut pay = 0.0;
        if !self.ruptured {
            let c = &self.contract;
            if t < c.expiry {
                let age = t - c.start;
                let d = c.mismatch(m.escalator_log[age], input.mismatch_base);
                pay = c.payment(input.index_factor, m.escalator[age]);
                self.last_payment = pay;
                acc.n_force += 1;
                acc.sum_d += d;
                acc.sum_d2 += d * d;
                acc.rigidity_pv += d * d * w;
            } else {
                pay = acc.lapse_payment * self.last_payment;
                acc.lapse_steps += 1;
                acc.lapse_pv += w;
            }
            acc.pv_pay += pay * input.dt_discount;
            acc.pv_fair += w;
        }
        if (t as u64) < acc.eligible
            && (self.ruptured || t + m.steps_per_year >= self.covered_until)
        {
            acc.unsettled += 1;
        }
        acc.annual += pay * m.dt;
        acc.to_year_end -= 1;
        if acc.to_year_end == 0 {
            acc.to_year_end = m.steps_per_year;
            // A year paid exactly like the previous one (fixed terms) has the same log: skip ln.
            let this = if acc.annual == acc.prev_annual && acc.annual > 0.0 {
                acc.prev_annual_log
            } else {
                (acc.annual > 0.0).then(|| acc.annual.ln())
            };
            acc.prev_annual = acc.annual;
            if let (Some(a), Some(b)) = (acc.prev_annual_log, this) {
                let x = b - a;
                acc.vol_n += 1;
                let delta = x - acc.vol_mean;
                acc.vol_mean += delta / acc.vol_n as f64;
                acc.vol_m2 += delta * (x - acc.vol_mean);
            }
            acc.prev_annual_log = this;
            acc.annual = 0.0;
        }
        if t == self.hit.0 {
            let (_, gap, lapse_years) = self.hit;
            self.support.negotiation_ended(t, gap, lapse_years);
            self.hit.0 = usize::MAX;
        }
    }

    /// The metrics after the last step.
    pub(crate) fn finish(mut self, acc: &Accum) -> TrialMetrics {
        let m = self.m;
        let s = &m.scenario;
        let (h, dt) = (m.horizon, m.dt);
        let o = &mut self.out;
        o.lapse_months = acc.lapse_steps as f64 * 12.0 * dt;
        o.negotiation_share = self.talk_steps as f64 / h as f64;
        o.ruptured = if self.ruptured { 1.0 } else { 0.0 };
        o.unsettled_share = if acc.eligible > 0 {
            acc.unsettled as f64 / acc.eligible as f64
        } else {
            0.0
        };
        if acc.n_force > 0 {
            o.mismatch = acc.sum_d2 / acc.n_force as f64;
            o.mean_premium = acc.sum_d / acc.n_force as f64;
        }
        o.payment_volatility = if acc.vol_n > 1 {
            (acc.vol_m2 / (acc.vol_n - 1) as f64).sqrt()
        } else {
            0.0
        };
        o.rigidity_cost = s.rigidity_weight * acc.rigidity_pv;
        o.lapse_cost = (s.patron.lapse_cost + s.host.lapse_cost) * acc.lapse_pv;
        o.payments = acc.pv_pay;
        o.payments_vs_fair = if acc.pv_fair > 0.0 {
            acc.pv_pay / acc.pv_fair
        } else {
            0.0
        };
        // `joint_loss` already holds the rupture cost, if any.
        o.joint_loss += o.transaction_cost + o.lapse_cost + o.rigidity_cost;
        o.support_final = self.support.level_at(h);
        o.support_min = self.support.min_until(h);
        if o.negotiations > 0.0 {
            o.opening_demand = self.demand_sum / o.negotiations;
        }
        self.out
    }

    /// Applies the signing, taking effect, or rupture of the pending negotiation at step `t`.
    fn events(&mut self, t: usize) {
        let Some(mut p) = self.pending else { return };
        if p.ruptured {
            if t == p.sign {
                self.ruptured = true;
                self.pending = None;
                self.next_event = usize::MAX;
                self.next_open = usize::MAX;
                self.support.collapse();
                let cost =
                    self.m.scenario.agreement.rupture_cost * self.path.fair(t) * self.m.discount[t];
                self.out.joint_loss += cost;
            }
            return;
        }
        if t == p.sign {
            let start = if self.m.scenario.agreement.retroactive {
                p.deadline
            } else {
                p.effective
            };
            let expiry = next_expiry(
                p.deadline,
                p.effective,
                self.arm.term_steps,
                self.m.scenario.agreement.retroactive,
            );
            let c = Contract::new(
                self.path.log_fair(t) + p.premium,
                self.m.scenario.agreement.indexation,
                self.path.index(t),
                self.path.index_factor(t),
                start,
                expiry,
            );
            self.covered_until = expiry;
            p.signed = Some(c);
            self.pending = Some(p);
            self.next_event = p.effective;
        }
        if t == p.effective {
            if let Some(c) = p.signed {
                self.contract = c;
                self.pending = None;
                self.next_event = usize::MAX;
                self.next_open = window_opens(c.expiry, self.m.window, t);
            }
        }
    }

    /// Opens the negotiation for the current expiry at step `tau` and plays it out.
    fn open(&mut self, tau: usize, board: Option<&mut Board>) {
        let m = self.m;
        let s = &m.scenario;
        let h = m.horizon;
        let deadline = self.contract.expiry;
        let window = deadline - tau;
        let rps = s.protocol.rounds_per_step;
        let n_rounds = if window == 0 {
            rps
        } else {
            u32::try_from(window).unwrap_or(u32::MAX / rps) * rps
        };
        let status_quo = self.contract.mismatch(
            m.escalator_log[tau - self.contract.start],
            self.path.mismatch_base_path()[tau],
        );
        let (extra_demand, benchmark) = match board.as_deref() {
            Some(b) => b.context(self.host_index, tau),
            None => (0.0, None),
        };
        let mut private = stream(self.seed, self.trial, Purpose::Private, deadline as u64);
        let z_patron: f64 = StandardNormal.sample(&mut private);
        let z_host: f64 = StandardNormal.sample(&mut private);
        let (patron, host) = positions(
            &s.patron,
            &s.host,
            &OpeningState {
                status_quo,
                support: self.support.level_at(tau),
                support_baseline: s.support.baseline,
                support_sensitivity: s.support.sensitivity,
                years: tau as f64 * m.dt,
                z_patron,
                z_host,
                extra_demand,
                benchmark,
            },
        );
        self.demand_sum += patron.opening - status_quo;
        let talks = Talks {
            patron,
            host,
            opener: s.protocol.opener,
            rounds: n_rounds,
            rounds_per_step: rps,
            opening_step: tau,
            deadline_step: deadline,
            delta_patron: m.delta_patron,
            delta_host: m.delta_host,
            tick: s.protocol.tick,
            log_fair_at_opening: self.path.log_fair(tau),
            schedules: match m.schedules.get(n_rounds as usize) {
                Some([p, h]) if !p.is_empty() => [Some(p.as_slice()), Some(h.as_slice())],
                _ => [None, None],
            },
        };
        let mut prng = if m.protocol.uses_rng() {
            stream(self.seed, self.trial, Purpose::Protocol, deadline as u64)
        } else {
            m.idle_rng.clone()
        };
        let mut outcome = m.protocol.negotiate(&talks, &mut prng);
        if let WindowOutcome::Agreed { premium, .. } = outcome {
            if !premium.is_finite() {
                // A user protocol returned a non-finite price: treat it as no deal.
                outcome = WindowOutcome::NoDeal {
                    patron_offer: patron.reservation,
                    host_offer: host.reservation,
                };
            }
        }
        let round_step = |k: u32| {
            if window == 0 {
                deadline
            } else {
                tau + (k / rps) as usize
            }
        };

        let lapsed = matches!(outcome, WindowOutcome::NoDeal { .. });
        let (window_rounds, lapse_steps, pending, signing_months, talk_until) = match outcome {
            WindowOutcome::Agreed { round, premium } => {
                let k = round.min(n_rounds - 1);
                let sign = round_step(k);
                let months = if window == 0 {
                    0.0
                } else {
                    (tau as f64 + f64::from(k) / f64::from(rps) - deadline as f64) * 12.0 * m.dt
                };
                let p = Pending {
                    deadline,
                    sign,
                    effective: deadline,
                    premium,
                    ruptured: false,
                    signed: None,
                };
                (k + 1, 0, p, months, sign + 1)
            }
            WindowOutcome::NoDeal {
                patron_offer,
                host_offer,
            } => {
                let setup = LapseSetup {
                    model: s.lapse.model,
                    opener: s.protocol.opener,
                    patron_reservation: patron.reservation,
                    host_reservation: host.reservation,
                    patron_offer,
                    host_offer,
                    patron_step: self.arm.patron_lapse_step,
                    host_step: self.arm.host_lapse_step,
                    patron_cost_rate: self.arm.patron_cost_rate,
                    host_cost_rate: self.arm.host_cost_rate,
                    dt: m.dt,
                    max_steps: m.max_lapse,
                    observable_steps: u32::try_from(h.saturating_sub(deadline) + 1)
                        .unwrap_or(u32::MAX),
                };
                let mut lrng = stream(self.seed, self.trial, Purpose::Lapse, deadline as u64);
                let (j, premium, ruptured) = match setup.run(&mut lrng) {
                    LapseOutcome::Agreed { steps, premium } => (steps, premium, false),
                    LapseOutcome::Rupture => (m.max_lapse, f64::NAN, true),
                    // Still lapsing at the horizon: its end is never observed.
                    LapseOutcome::Unresolved => (
                        u32::try_from(h.saturating_sub(deadline) + 1).unwrap_or(u32::MAX),
                        f64::NAN,
                        false,
                    ),
                };
                let end = deadline + j as usize;
                let p = Pending {
                    deadline,
                    sign: end,
                    effective: end,
                    premium,
                    ruptured,
                    signed: None,
                };
                (n_rounds, j, p, f64::from(j) * 12.0 * m.dt, end)
            }
        };

        // Costs and counts, cut at the horizon.
        let o = &mut self.out;
        let both = |a: f64, b: f64| a + b;
        let neg_cost = both(s.patron.negotiation_cost, s.host.negotiation_cost);
        let round_cost = both(s.patron.round_cost, s.host.round_cost);
        o.negotiations += 1.0;
        o.transaction_cost += neg_cost * self.path.fair(tau) * m.discount[tau];
        let charge_round = |step: usize, o: &mut TrialMetrics| {
            if step < h {
                o.rounds += 1.0;
                o.transaction_cost += round_cost * self.path.fair(step) * m.discount[step];
            }
        };
        for k in 0..window_rounds {
            charge_round(round_step(k), o);
        }
        for i in 0..(lapse_steps as usize).min(h.saturating_sub(deadline)) {
            charge_round(deadline + i, o);
        }
        if lapsed && deadline < h {
            o.lapses += 1.0;
        }

        let opening_gap = patron.opening - host.opening;
        let hit_step = talk_until.max(tau + 1) - 1;
        self.hit = (hit_step, opening_gap, f64::from(lapse_steps) * m.dt);
        self.talk_steps += (talk_until.min(h).saturating_sub(tau)) as u64;
        self.talk_from = tau;
        self.talk_until = talk_until;
        if let Some(b) = board {
            if !pending.ruptured && pending.premium.is_finite() {
                b.record(
                    self.host_index,
                    pending.sign,
                    pending.premium - status_quo,
                    pending.premium,
                );
            }
        }
        self.next_open = usize::MAX;
        self.next_event = pending.sign;
        self.pending = Some(pending);
        self.records.push(NegotiationRecord {
            opening_step: tau,
            deadline_step: deadline,
            signing_months,
            premium: (!pending.ruptured && pending.premium.is_finite()).then_some(pending.premium),
            rounds: window_rounds + lapse_steps,
            lapse_steps,
            ruptured: pending.ruptured,
            opening_gap,
            status_quo,
            patron_opening: patron.opening,
            completed: pending.sign < h,
        });
    }
}
