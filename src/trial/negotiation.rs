//! One negotiation, from its opening to its record (MODEL.md §4–§5.3), in the steps
//! [`History::open`] takes in order: the opening stances, the talks in the window, the lapse
//! phase after a missed deadline, the costs (cut at the horizon) and the record, which schedules
//! the outcome in the step loop.

use super::history::Pending;
use super::{Board, History, Model};
use crate::lapse::{LapseOutcome, LapseSetup, PatronChange};
use crate::metrics::{NegotiationRecord, TrialMetrics};
use crate::party::{OpeningState, Stance, positions};
use crate::protocol::{Talks, WindowOutcome};
use crate::rng::{Purpose, stream};
use crate::scenario::{Erosion, LapseModel};

/// The calendar of one negotiation's window.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Step at which the window opened, `τ`.
    tau: usize,
    /// The deadline `D`: the step at which the current agreement expires.
    deadline: usize,
    /// `D − τ`, steps (0: every round is held at the deadline).
    steps: usize,
    /// Rounds per step (the 0.1 layout).
    rps: u32,
    /// Rounds before the deadline, `N`.
    rounds: u32,
    /// Steps from `τ` over which the rounds are spread: `D − τ`, or up to a pending change of
    /// administration under lock-in (MODEL.md §10.5).
    span: usize,
    /// Whether the rounds are spread over `span` by the formal-round rule (MODEL.md §10.1)
    /// rather than held `rps` to a step (0.1).
    spread: bool,
}

impl Window {
    /// The window that opens at `tau` for the agreement expiring at `deadline`; `lock_end` is
    /// the step of a change of administration the sides try to sign before.
    fn new(m: &Model, tau: usize, deadline: usize, lock_end: Option<usize>) -> Window {
        let window = deadline - tau;
        let rps = m.scenario.protocol.rounds_per_step;
        let n_rounds = match m.formal_rounds {
            None if window == 0 => rps,
            None => u32::try_from(window).unwrap_or(u32::MAX / rps) * rps,
            // A full window holds N rounds; a clipped one max(1, round(N·W'/W)).
            Some(n) if m.window == 0 || window >= m.window => n,
            Some(n) => {
                let clipped = (f64::from(n) * window as f64 / m.window as f64).round();
                (clipped as u32).clamp(1, n)
            }
        };
        let span = match lock_end {
            Some(c) if c > tau && c <= deadline => c - tau,
            _ => window,
        };
        Window {
            tau,
            deadline,
            steps: window,
            rps,
            rounds: n_rounds,
            span,
            spread: m.formal_rounds.is_some() || span != window,
        }
    }

    /// The step in which round `k` is held: `τ + ⌊k/rps⌋` (0.1), or `τ + ⌈(k+1)·S/N⌉ − 1` over
    /// the span `S` (formal rounds, lock-in).
    #[inline]
    fn round_step(&self, k: u32) -> usize {
        if self.steps == 0 {
            self.deadline
        } else if !self.spread {
            self.tau + (k / self.rps) as usize
        } else {
            // In 64 bits whenever `(k+1)·S` fits (always, at any real horizon): the same
            // integers as in 128 bits, without the 128-bit division's call.
            let n = u64::from(self.rounds.max(1));
            let offset = match u64::try_from(self.span)
                .ok()
                .and_then(|span| u64::from(k + 1).checked_mul(span))
            {
                Some(num) => usize::try_from(num.div_ceil(n).saturating_sub(1)),
                None => {
                    let num = u128::from(k + 1) * self.span as u128;
                    usize::try_from(num.div_ceil(u128::from(n)).saturating_sub(1))
                }
            };
            self.tau + offset.unwrap_or(usize::MAX).min(self.span - 1)
        }
    }

    /// The steps of rounds `0..rounds`, in order: the same steps as [`Window::round_step`] for
    /// each `k`, with the spread rule's `⌈(k+1)·S/N⌉` carried from round to round as a quotient
    /// and a remainder (integers, no division per round).
    #[inline]
    fn round_steps(&self, rounds: u32) -> impl Iterator<Item = usize> + '_ {
        let spread = self.steps != 0 && self.spread;
        let n = if spread {
            self.rounds.max(1) as usize
        } else {
            1
        };
        let (q_step, r_step) = if spread {
            (self.span / n, self.span % n)
        } else {
            (0, 0)
        };
        // `(k+1)·S = q·N + r` with `0 ≤ r < N`, for the round `k` about to be yielded.
        let (mut q, mut r) = (q_step, r_step);
        (0..rounds).map(move |k| {
            if !spread {
                return self.round_step(k);
            }
            let offset = (q + usize::from(r != 0)).saturating_sub(1);
            q += q_step;
            r += r_step;
            if r >= n {
                r -= n;
                q += 1;
            }
            self.tau + offset.min(self.span - 1)
        })
    }
}

/// The patron's administration at a negotiation (MODEL.md §10.5).
#[derive(Debug, Clone, Copy)]
struct Politics {
    /// Whether the administration at the opening is hardline.
    hardline: bool,
    /// The next change of administration after the opening, and whether the next
    /// administration is hardline (`None` without regimes).
    change: Option<(usize, bool)>,
}

/// How a negotiation played out, before it is scheduled in the step loop.
#[derive(Debug, Clone, Copy)]
struct Played {
    /// Rounds held in the window.
    window_rounds: u32,
    /// Lapse steps (0 if agreed in the window).
    lapse_steps: u32,
    /// The outcome, applied at its signing step.
    pending: Pending,
    /// Signing time relative to the deadline, months.
    signing_months: f64,
    /// The first step after the talks.
    talk_until: usize,
    /// Whether the deadline passed without a deal.
    lapsed: bool,
}

impl History<'_> {
    /// Opens the negotiation for the current expiry at step `tau` and plays it out.
    #[inline]
    pub(super) fn open(&mut self, tau: usize, board: Option<&mut Board>) {
        let deadline = self.contract.expiry;
        let politics = self.politics(tau, deadline);
        let lock_end = match (&self.m.regimes, politics.change) {
            (Some(r), Some((c, _))) if r.lock_in && !politics.hardline => Some(c),
            _ => None,
        };
        let w = Window::new(self.m, tau, deadline, lock_end);
        let status_quo = self.contract.mismatch(
            self.m.escalator_log[tau - self.contract.start],
            self.path.mismatch_base_path()[tau],
        );
        let (patron, host) =
            self.opening_stances(&w, status_quo, politics.hardline, board.as_deref());
        self.demand_sum += patron.opening - status_quo;
        let played = match self.talks(&w, patron, host) {
            WindowOutcome::Agreed { round, premium } => self.agreed_in_window(&w, round, premium),
            WindowOutcome::NoDeal {
                patron_offer,
                host_offer,
            } => self.lapse_phase(&w, &patron, &host, patron_offer, host_offer, politics),
        };
        self.charge_costs(&w, &played);
        self.count_politics(&w, &played, politics);
        self.record(&w, &played, &patron, &host, status_quo, board);
    }

    /// The administration at the opening `tau` and the next change (none without regimes).
    #[inline]
    fn politics(&self, tau: usize, deadline: usize) -> Politics {
        let Some(r) = &self.m.regimes else {
            return Politics {
                hardline: false,
                change: None,
            };
        };
        let admin = r.administration(tau);
        let hardline = r.hardline(self.regime_seed, self.trial, admin);
        let c = r.next_change(tau);
        // Only a change before the end of the longest lapse can matter to this negotiation, and
        // only if the next administration may be hardline (p > 0): with p = 0 every
        // administration is the same and nothing is pending.
        let change = (r.probability > 0.0
            && c <= deadline.saturating_add(self.m.max_lapse as usize))
        .then(|| (c, r.hardline(self.regime_seed, self.trial, admin + 1)));
        Politics { hardline, change }
    }

    /// Counts the negotiation for `hardline_share` and `signed_before_change`.
    #[inline]
    fn count_politics(&mut self, w: &Window, played: &Played, politics: Politics) {
        if politics.hardline {
            self.hardline_negotiations += 1;
        }
        if let Some((c, _)) = politics.change {
            if c > w.tau && c <= w.deadline {
                self.pending_changes += 1;
                if !played.pending.ruptured && played.pending.sign < c {
                    self.signed_before_change += 1;
                }
            }
        }
    }

    /// The opening stances (MODEL.md §4) from the status quo, public support, this deadline's
    /// private draws and, for a linked host, the other hosts' precedents on the board.
    #[inline]
    fn opening_stances(
        &self,
        w: &Window,
        status_quo: f64,
        hardline: bool,
        board: Option<&Board>,
    ) -> (Stance, Stance) {
        let m = self.m;
        let s = &m.scenario;
        let (extra_demand, benchmark) = match board {
            Some(b) => b.context(self.host_index, w.tau),
            None => (0.0, None),
        };
        let (z_patron, z_host) = self.path.private_draws(self.seed, self.trial, w.deadline);
        let patron = match &m.regimes {
            Some(r) if hardline => &r.hardline_patron,
            _ => &s.patron,
        };
        positions(
            patron,
            &s.host,
            &OpeningState {
                status_quo,
                support: self.support.level_in(w.tau, &m.support_relaxation),
                support_baseline: s.support.baseline,
                support_sensitivity: s.support.sensitivity,
                years: w.tau as f64 * m.dt,
                z_patron,
                z_host,
                extra_demand,
                benchmark,
            },
        )
    }

    /// The talks in the window, run by the protocol on its own stream. A non-finite agreed price
    /// (from a user protocol) counts as no deal.
    #[inline]
    fn talks(&self, w: &Window, patron: Stance, host: Stance) -> WindowOutcome {
        let m = self.m;
        let s = &m.scenario;
        let talks = Talks {
            patron,
            host,
            opener: s.protocol.opener,
            rounds: w.rounds,
            rounds_per_step: w.rps,
            clock: m.clock,
            opening_step: w.tau,
            deadline_step: w.deadline,
            delta_patron: m.delta_patron,
            delta_host: m.delta_host,
            tick: s.protocol.tick,
            log_fair_at_opening: self.path.log_fair(w.tau),
            schedules: match m.schedules.get(w.rounds as usize) {
                Some([p, h]) if !p.is_empty() => [Some(p.as_slice()), Some(h.as_slice())],
                _ => [None, None],
            },
        };
        let mut prng = if m.protocol.uses_rng() {
            stream(self.seed, self.trial, Purpose::Protocol, w.deadline as u64)
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
        outcome
    }

    /// An agreement in round `round` of the window: signed in that round's step, in force from
    /// the deadline.
    #[inline]
    fn agreed_in_window(&self, w: &Window, round: u32, premium: f64) -> Played {
        let k = round.min(w.rounds - 1);
        let sign = w.round_step(k);
        let months = if w.steps == 0 {
            0.0
        } else if w.spread {
            (sign as f64 - w.deadline as f64) * 12.0 * self.m.dt
        } else {
            (w.tau as f64 + f64::from(k) / f64::from(w.rps) - w.deadline as f64) * 12.0 * self.m.dt
        };
        let p = Pending {
            deadline: w.deadline,
            sign,
            effective: w.deadline,
            premium,
            ruptured: false,
            signed: None,
        };
        Played {
            window_rounds: k + 1,
            lapse_steps: 0,
            pending: p,
            signing_months: months,
            talk_until: sign + 1,
            lapsed: false,
        }
    }

    /// The lapse phase after a missed deadline (MODEL.md §5.3), on the lapse stream of this
    /// deadline: agreement after some lapse steps, rupture, or still lapsing at the horizon.
    #[inline]
    fn lapse_phase(
        &self,
        w: &Window,
        patron: &Stance,
        host: &Stance,
        patron_offer: f64,
        host_offer: f64,
        politics: Politics,
    ) -> Played {
        let m = self.m;
        let s = &m.scenario;
        let h = m.horizon;
        let deadline = w.deadline;
        let term = self.arm.term(self.agreement + 1);
        let meeting = m.meeting_steps;
        // A change of administration that flips the regime takes effect at the first meeting
        // at or after it (MODEL.md §10.5).
        let patron_change = match (&m.regimes, politics.change) {
            (Some(r), Some((c, next))) if next != politics.hardline => {
                let (old, new, step) = if next {
                    (
                        &s.patron,
                        &r.hardline_patron,
                        term.hardline_patron_lapse_step,
                    )
                } else {
                    (&r.hardline_patron, &s.patron, term.patron_lapse_step)
                };
                let first =
                    u32::try_from((c + 1).saturating_sub(deadline).max(1)).unwrap_or(u32::MAX);
                let at = first.div_ceil(meeting).saturating_mul(meeting);
                Some(PatronChange {
                    at,
                    reservation: patron.reservation + old.margin - new.margin,
                    step,
                })
            }
            _ => None,
        };
        let patron_step = if politics.hardline {
            term.hardline_patron_lapse_step
        } else {
            term.patron_lapse_step
        };
        let setup = LapseSetup {
            model: s.lapse.model,
            opener: s.protocol.opener,
            patron_reservation: patron.reservation,
            host_reservation: host.reservation,
            patron_offer,
            host_offer,
            patron_step,
            host_step: term.host_lapse_step,
            patron_cost_rate: term.patron_cost_rate,
            host_cost_rate: term.host_cost_rate,
            meeting_steps: meeting,
            patron_change,
            dt: m.dt,
            max_steps: m.max_lapse,
            observable_steps: u32::try_from(h.saturating_sub(deadline) + 1).unwrap_or(u32::MAX),
        };
        // Only attrition draws from the lapse stream: drift is not handed a seeded one.
        let mut lrng = match s.lapse.model {
            LapseModel::Attrition => stream(self.seed, self.trial, Purpose::Lapse, deadline as u64),
            LapseModel::Drift => m.idle_rng.clone(),
        };
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
        Played {
            window_rounds: w.rounds,
            lapse_steps: j,
            pending: p,
            signing_months: f64::from(j) * 12.0 * m.dt,
            talk_until: end,
            lapsed: true,
        }
    }

    /// Costs and counts, cut at the horizon: the negotiation's fixed cost at the opening, then a
    /// round cost for each round in the window and each lapse step.
    #[inline]
    fn charge_costs(&mut self, w: &Window, played: &Played) {
        let m = self.m;
        let s = &m.scenario;
        let h = m.horizon;
        let o = &mut self.out;
        let both = |a: f64, b: f64| a + b;
        let neg_cost = both(s.patron.negotiation_cost, s.host.negotiation_cost);
        let round_cost = both(s.patron.round_cost, s.host.round_cost);
        o.negotiations += 1.0;
        o.transaction_cost += neg_cost * self.path.fair(w.tau) * m.discount[w.tau];
        let charge_round = |step: usize, o: &mut TrialMetrics| {
            if step < h {
                o.rounds += 1.0;
                o.transaction_cost += round_cost * self.path.fair(step) * m.discount[step];
            }
        };
        if w.rps == 1 && w.steps != 0 && !w.spread {
            // One round a step from `τ` (the 0.1 layout): the same additions in the same order
            // as round by round, over the steps' slices.
            let end = (w.tau + played.window_rounds as usize).min(h);
            let fair = &self.path.fair_path()[w.tau..end];
            let mut cost = o.transaction_cost;
            for (&f, &d) in fair.iter().zip(&m.discount[w.tau..end]) {
                cost += round_cost * f * d;
            }
            o.transaction_cost = cost;
            // Whole numbers: the same sum as adding 1 per round.
            o.rounds += fair.len() as f64;
        } else {
            for step in w.round_steps(played.window_rounds) {
                charge_round(step, o);
            }
        }
        // One formal meeting every `meeting_steps` lapse steps, at the end of each interval.
        let meeting = self.m.meeting_steps as usize;
        let meetings = played.lapse_steps as usize / meeting;
        for q in 1..=meetings.min(h.saturating_sub(w.deadline) / meeting + 1) {
            charge_round(w.deadline + q * meeting - 1, o);
        }
        if played.lapsed && w.deadline < h {
            o.lapses += 1.0;
        }
    }

    /// The record: schedules the outcome in the step loop (its signing, the support erosion,
    /// the steps of talks), posts an agreement to the board of a linked host, and appends the
    /// negotiation's record.
    #[inline]
    fn record(
        &mut self,
        w: &Window,
        played: &Played,
        patron: &Stance,
        host: &Stance,
        status_quo: f64,
        board: Option<&mut Board>,
    ) {
        let m = self.m;
        let h = m.horizon;
        let tau = w.tau;
        let Played {
            window_rounds,
            lapse_steps,
            pending,
            signing_months,
            talk_until,
            ..
        } = *played;
        let opening_gap = patron.opening - host.opening;
        let erosion = match m.scenario.support.erosion {
            Erosion::OpeningGap => opening_gap,
            Erosion::DemandedIncrease => patron.opening - status_quo,
        };
        let hit_step = talk_until.max(tau + 1) - 1;
        self.hit = (hit_step, erosion, f64::from(lapse_steps) * m.dt);
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
            deadline_step: w.deadline,
            signing_months,
            premium: (!pending.ruptured && pending.premium.is_finite()).then_some(pending.premium),
            rounds: window_rounds.saturating_add(lapse_steps / m.meeting_steps),
            lapse_steps,
            ruptured: pending.ruptured,
            opening_gap,
            status_quo,
            patron_opening: patron.opening,
            completed: pending.sign < h,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Window;

    /// The carried quotient and remainder give every round the step of the division.
    #[test]
    fn round_steps_match_round_step() {
        for tau in [0, 7] {
            for steps in 0..40 {
                for span in 1..=steps.max(1) {
                    for rounds in 1..50 {
                        for (rps, spread) in [(1, true), (2, false), (1, false)] {
                            let w = Window {
                                tau,
                                deadline: tau + steps,
                                steps,
                                rps,
                                rounds,
                                span: if spread { span } else { steps },
                                spread,
                            };
                            let walked: Vec<usize> = w.round_steps(rounds).collect();
                            let direct: Vec<usize> = (0..rounds).map(|k| w.round_step(k)).collect();
                            assert_eq!(walked, direct, "{tau} {steps} {span} {rounds} {rps}");
                        }
                    }
                }
            }
        }
    }
}
