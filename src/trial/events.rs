//! The event-driven trial: the same history as the step loop ([`History::run`]), integrated
//! between events instead of step by step.
//!
//! Between two events that change what is summed (a signing, a taking effect, a rupture, an
//! expiry) the summed state of a history is constant (an opening or a support erosion inside the
//! interval changes none of it), so every running sum over the steps `[a, b)` in between is O(1)
//! from the path's prefix sums ([`PathSums`]): with the contract's
//! `C = ln X − κ I_a − g·sΔ + (κ I_0 − ln X*_0)` the mismatch is `D_t = C + b_t`, so
//! `Σ D = nC + Σ b`, `Σ D² = nC² + 2C Σ b + Σ b²`, the rigidity PV is
//! `C² Σ w + 2C Σ bw + Σ b²w`, and the PV of payments is `K Σ e·Δe^{−rtΔ}` with
//! `K = X e^{−κ I_a} e^{−g sΔ}`. Lapse payments are constant. Annual payments are summed per
//! calendar year over the pieces of each interval, so a history costs
//! O(negotiations × rounds + years), not O(steps).
//!
//! The results agree with the step loop to rounding (`tests/agreement.rs` pins 1e-9 relative on
//! every metric); the negotiations themselves run through the same code
//! ([`History::open`], [`History::events`]) and are identical. Alliances (a precedent board
//! between hosts) keep the step loop.

use super::{Accum, History};
use crate::environment::PathSums;
use crate::metrics::TrialMetrics;

impl History<'_> {
    /// Simulates the history event by event and returns the metrics (the single-host engine).
    ///
    /// The integrated state (contract, cover, rupture) changes only at the events of the
    /// pending negotiation and at an expiry, so those are the only boundaries between
    /// intervals. An opening changes none of it: a window that opens before the next boundary is
    /// opened at once (nothing it reads changes before it: the contract is the one in force
    /// until that boundary, and any due support erosion is applied first), and a support erosion, read by
    /// nothing until the next opening or the end, is applied lazily before them.
    pub(super) fn run_events(mut self) -> TrialMetrics {
        let m = self.m;
        let h = m.horizon;
        let path = self.path;
        let sums = path.sums();
        let mut acc = Accum::new(m);
        let mut t = 0;
        while t < h {
            self.erode_before(t);
            // The step loop's order within step `t`.
            if t == self.next_event {
                self.events(t);
            }
            let mut next = self.boundary_after(t);
            let tau = self.next_open;
            if tau >= t && tau < next {
                self.erode_before(tau);
                self.open(tau, None);
                if tau == t && t == self.next_event {
                    self.events(t);
                }
                next = self.boundary_after(t);
            }
            self.interval(t, next, &mut acc, sums);
            t = next;
        }
        self.erode_before(h);
        self.finish(&acc)
    }

    /// The first step after `t` at which the integrated state may change: the pending
    /// negotiation's next event or the expiry of the contract (the horizon if neither comes).
    /// Events at or before `t` that are still set are never reached by the step loop either.
    #[inline]
    fn boundary_after(&self, t: usize) -> usize {
        let h = self.m.horizon;
        let after = |e: usize| if e > t { e.min(h) } else { h };
        after(self.next_event).min(after(self.contract.expiry))
    }

    /// Applies the pending support erosion if it is due at the end of a step before `t` (the
    /// step loop applies it at the end of its step; nothing reads the support in between).
    #[inline]
    fn erode_before(&mut self, t: usize) {
        if self.hit.0 < t {
            let (step, gap, lapse_years) = self.hit;
            self.support
                .negotiation_ended_in(step, gap, lapse_years, &self.m.support_relaxation);
            self.hit.0 = usize::MAX;
        }
    }

    /// Adds the steps `[a, b)`, over which the state is constant, to the running sums.
    #[inline]
    fn interval(&mut self, a: usize, b: usize, acc: &mut Accum, s: &PathSums) {
        let m = self.m;
        let n = (b - a) as f64;
        let (ra, rb) = (&s.rows[a], &s.rows[b]);
        let diff = |k: usize| rb[k] - ra[k];
        // Money per year per unit of `e_t` (in force), or the constant lapse payment.
        let mut rate = 0.0;
        let mut in_force = false;
        if !self.ruptured {
            let c = &self.contract;
            if a < c.expiry {
                let w = diff(PathSums::W);
                in_force = true;
                let base0 = self.path.mismatch_base_path()[0];
                let cc = c.mismatch_offset - m.escalator_log[c.start] + base0;
                let (sb, sb2) = (diff(PathSums::B), diff(PathSums::B2));
                acc.n_force += (b - a) as u64;
                acc.sum_d += n * cc + sb;
                acc.sum_d2 += n * cc * cc + 2.0 * cc * sb + sb2;
                acc.rigidity_pv +=
                    cc * cc * w + 2.0 * cc * diff(PathSums::BW) + diff(PathSums::B2W);
                rate = c.level_per_index / m.escalator[c.start];
                acc.pv_pay += rate * diff(PathSums::PAY_PV);
                let last = b - 1;
                self.last_payment =
                    c.payment(self.path.index_factor(last), m.escalator[last - c.start]);
                acc.pv_fair += w;
            } else {
                // Summed step by step, not as a difference of prefix sums: a lapse late in a
                // long horizon whose fair value has fallen far is a tiny difference of two
                // large sums, and the lapse's own metrics (its cost, its payments) would keep
                // only the digits the cancellation leaves.
                let (w, discount) = self.path.fair_path()[a..b]
                    .iter()
                    .zip(&m.dt_discount[a..b])
                    .fold((0.0, 0.0), |(w, d), (&fair, &x)| (w + fair * x, d + x));
                rate = acc.lapse_payment * self.last_payment;
                acc.lapse_steps += (b - a) as u64;
                acc.lapse_pv += w;
                acc.pv_pay += rate * discount;
                acc.pv_fair += w;
            }
        }
        // Steps `t < eligible` whose payment a year ahead was not yet agreed.
        let end = b.min(acc.eligible as usize);
        let from = if self.ruptured {
            a
        } else {
            a.max(self.covered_until.saturating_sub(m.steps_per_year))
        };
        acc.unsettled += end.saturating_sub(from) as u64;
        // Annual payments, by calendar year.
        let spy = m.steps_per_year;
        let mut t = a;
        while t < b {
            let year_end = (t / spy + 1) * spy;
            let e = b.min(year_end);
            if rate != 0.0 {
                acc.annual += if in_force {
                    rate * (s.rows[e][PathSums::PAY] - s.rows[t][PathSums::PAY]) * m.dt
                } else {
                    rate * m.dt * (e - t) as f64
                };
            }
            if e == year_end {
                acc.close_year(spy);
            } else {
                acc.to_year_end -= e - t;
            }
            t = e;
        }
    }
}
