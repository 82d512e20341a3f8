//! One history of one arm: its state ([`History`]) and the step loop, with the signing, taking
//! effect and rupture of agreements. Opening and playing out a negotiation is in
//! [`negotiation`](super::negotiation).

use super::{Accum, Arm, Board, Model, StepInput};
use crate::contract::{Contract, next_expiry, window_opens};
use crate::environment::EnvironmentPath;
use crate::metrics::{NegotiationRecord, TrialMetrics};
use crate::support::SupportState;

/// A negotiation whose outcome is known but not yet fully played out in the step loop.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pending {
    pub(super) deadline: usize,
    /// Step at whose start the agreement is signed (or the rupture happens).
    pub(super) sign: usize,
    /// Step at which the new terms take effect.
    pub(super) effective: usize,
    pub(super) premium: f64,
    pub(super) ruptured: bool,
    pub(super) signed: Option<Contract>,
}

/// The mutable state of one history.
pub(crate) struct History<'a> {
    pub(super) m: &'a Model,
    pub(super) arm: &'a Arm,
    pub(super) path: &'a EnvironmentPath,
    pub(super) seed: u64,
    pub(super) trial: u64,
    pub(super) records: &'a mut Vec<NegotiationRecord>,
    pub(super) contract: Contract,
    pub(super) covered_until: usize,
    /// Step at which the next window opens (`usize::MAX` while a negotiation runs or after a
    /// rupture).
    pub(super) next_open: usize,
    pub(super) pending: Option<Pending>,
    /// Step of the pending negotiation's next event (`usize::MAX` if none).
    pub(super) next_event: usize,
    /// Steps of talks within the horizon, counted when each negotiation opens.
    pub(super) talk_steps: u64,
    /// The steps `[talk_from, talk_until)` of the latest negotiation's talks.
    pub(super) talk_from: usize,
    pub(super) talk_until: usize,
    /// Sum over negotiations of the patron's opening demand over the status quo, `O_P − q`.
    pub(super) demand_sum: f64,
    /// Index of this host in its alliance (0 for a single host).
    pub(super) host_index: usize,
    /// The support erosion of the last negotiation: (step, opening gap, lapse years);
    /// `usize::MAX` as step when none is due.
    pub(super) hit: (usize, f64, f64),
    pub(super) ruptured: bool,
    /// Index of the agreement in force (0: the one at the start), which picks its term from
    /// the arm's schedule.
    pub(super) agreement: usize,
    /// The seed of the patron's administrations: the experiment's seed, shared by every host.
    pub(crate) regime_seed: u64,
    /// Negotiations opened under a hardline administration.
    pub(super) hardline_negotiations: u32,
    /// Negotiations with a change of administration inside their window.
    pub(super) pending_changes: u32,
    /// Of those, the ones signed before the change.
    pub(super) signed_before_change: u32,
    pub(super) support: SupportState,
    pub(super) last_payment: f64,
    pub(super) out: TrialMetrics,
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
            agreement: 0,
            regime_seed: seed,
            hardline_negotiations: 0,
            pending_changes: 0,
            signed_before_change: 0,
            support: SupportState::new(&m.scenario.support, m.dt),
            last_payment: contract.level,
            out: TrialMetrics::default(),
        }
    }

    /// Simulates every step and returns the metrics (the single-history loop).
    pub(super) fn run(mut self) -> TrialMetrics {
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
            acc.close_year(m.steps_per_year);
        }
        if t == self.hit.0 {
            let (_, gap, lapse_years) = self.hit;
            self.support
                .negotiation_ended_in(t, gap, lapse_years, &m.support_relaxation);
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
            o.hardline_share = f64::from(self.hardline_negotiations) / o.negotiations;
        }
        if self.pending_changes > 0 {
            o.signed_before_change =
                f64::from(self.signed_before_change) / f64::from(self.pending_changes);
        }
        self.out
    }

    /// Applies the signing, taking effect, or rupture of the pending negotiation at step `t`.
    pub(super) fn events(&mut self, t: usize) {
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
                self.arm.term(self.agreement + 1).term_steps,
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
                self.agreement += 1;
                self.pending = None;
                self.next_event = usize::MAX;
                self.next_open = window_opens(c.expiry, self.m.window, t);
            }
        }
    }
}
