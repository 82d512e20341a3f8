//! What one step of a history reads ([`StepInput`]) and the running sums its step loop keeps
//! ([`Accum`]), turned into metrics at the end.

use super::Model;
use crate::environment::EnvironmentPath;

/// The per-step values of the environment path and the model that a step needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepInput {
    pub(super) fair: f64,
    pub(super) mismatch_base: f64,
    pub(super) index_factor: f64,
    pub(super) dt_discount: f64,
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
    pub(super) lapse_payment: f64,
    pub(super) eligible: u64,
    pub(super) n_force: u64,
    pub(super) sum_d: f64,
    pub(super) sum_d2: f64,
    pub(super) pv_pay: f64,
    pub(super) pv_fair: f64,
    pub(super) rigidity_pv: f64,
    pub(super) lapse_pv: f64,
    pub(super) lapse_steps: u64,
    pub(super) unsettled: u64,
    pub(super) annual: f64,
    pub(super) to_year_end: usize,
    pub(super) prev_annual_log: Option<f64>,
    pub(super) prev_annual: f64,
    pub(super) vol_n: u64,
    pub(super) vol_mean: f64,
    pub(super) vol_m2: f64,
}

impl Accum {
    /// Empty sums for a history of `m`.
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

    /// Closes a calendar year of `annual` payments (money): its year-over-year log change
    /// joins the volatility moments, and the next year starts `steps_per_year` steps long.
    #[inline]
    pub(super) fn close_year(&mut self, steps_per_year: usize) {
        self.to_year_end = steps_per_year;
        // A year paid exactly like the previous one (fixed terms) has the same log: skip ln.
        let this = if self.annual == self.prev_annual && self.annual > 0.0 {
            self.prev_annual_log
        } else {
            (self.annual > 0.0).then(|| self.annual.ln())
        };
        self.prev_annual = self.annual;
        if let (Some(a), Some(b)) = (self.prev_annual_log, this) {
            let x = b - a;
            self.vol_n += 1;
            let delta = x - self.vol_mean;
            self.vol_mean += delta / self.vol_n as f64;
            self.vol_m2 += delta * (x - self.vol_mean);
        }
        self.prev_annual_log = this;
        self.annual = 0.0;
    }
}
