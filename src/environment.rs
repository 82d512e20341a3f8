//! The efficient-terms process `X*` (MODEL.md §2).
//!
//! In logs, `ln X*_t = ln initial + I_t + U_t` with
//! `I_{t+1} = I_t + μ_I Δ + σ_I √Δ Z` (the contractible index) and
//! `U_{t+1} = U_t + μ_U Δ + σ_U √Δ Z' + J_t` (the residual), where `J_t ~ N(jump_mean, jump_sd²)`
//! with probability `jump_rate·Δ` and 0 otherwise. `I_0 = U_0 = 0`.
//!
//! A path is a pure function of (scenario, seed, trial): it never depends on the cycle length,
//! so all arms of an experiment face the same world (common random numbers). Besides `I` and
//! `ln X*` the path holds the per-step quantities every arm needs (`X*`, `e^{κI}` and
//! `κI − ln X*`), computed once per trial.

use crate::private_draws::PrivateDraws;
use crate::rng::{Purpose, StreamRng, stream};
use crate::scenario::Scenario;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

/// One sampled path of the environment, `steps + 1` points (`t = 0..=steps`).
///
/// The buffers are reused across trials: [`EnvironmentPath::generate`] overwrites them without
/// allocating once their capacity suffices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvironmentPath {
    index: Vec<f64>,
    log_fair: Vec<f64>,
    fair: Vec<f64>,
    index_factor: Vec<f64>,
    mismatch_base: Vec<f64>,
    sums: PathSums,
    private: PrivateDraws,
}

/// Prefix sums over steps of the per-step quantities the event-driven trial integrates
/// (MODEL.md §7): row `t` holds the sums over steps `0..t`, so a sum over steps `[a, b)` is
/// `rows[b][k] − rows[a][k]`. Arm-independent: computed once per path and shared by every arm.
///
/// With `b_t = κ I_t − ln X*_t + g·tΔ − (κ I_0 − ln X*_0)` (log units), `w_t = X*_t·Δ·e^{−r tΔ}`
/// (money) and `e_t = e^{κ I_t + g·tΔ}` (dimensionless), the mismatch of a contract over its
/// term is `D_t = C + b_t` with `C` fixed by the contract, and its payment is `K·e_t`. The
/// columns are [`PathSums::B`] (`Σ b`, log units), [`PathSums::B2`] (`Σ b²`), [`PathSums::W`]
/// (`Σ w`: the present value of `X*`, money), [`PathSums::BW`] (`Σ b·w`), [`PathSums::B2W`]
/// (`Σ b²·w`), [`PathSums::PAY_PV`] (`Σ e·Δe^{−rtΔ}`, years) and [`PathSums::PAY`] (`Σ e`,
/// steps). Lapses are summed step by step instead (they are short, and
/// late in a long horizon a difference of two large prefix sums would keep few of their digits).
///
/// With `κ = 0` and no escalator `e_t = 1`, so the payment columns are `Σ Δe^{−rtΔ}` and `Σ 1`:
/// the same for every path of the scenario, they are filled once (with the same recurrence, so
/// the same bits) and kept while the horizon, `Δ` and `r` stay those of `pay_key`; the next
/// paths overwrite only the first five columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PathSums {
    pub(crate) rows: Vec<[f64; 7]>,
    /// `(steps, Δ bits, r bits)` of the path-independent payment columns in `rows`, or `None`
    /// when they were filled from a path.
    pay_key: Option<(usize, u64, u64)>,
}

impl PathSums {
    pub(crate) const B: usize = 0;
    pub(crate) const B2: usize = 1;
    pub(crate) const W: usize = 2;
    pub(crate) const BW: usize = 3;
    pub(crate) const B2W: usize = 4;
    pub(crate) const PAY_PV: usize = 5;
    pub(crate) const PAY: usize = 6;
}

impl EnvironmentPath {
    /// An empty path; call [`EnvironmentPath::generate`] to fill it.
    pub fn new() -> EnvironmentPath {
        EnvironmentPath::default()
    }

    /// A freshly generated path for (seed, trial).
    pub fn sample(scenario: &Scenario, seed: u64, trial: u64) -> EnvironmentPath {
        let mut p = EnvironmentPath::new();
        p.generate(scenario, seed, trial);
        p
    }

    /// Overwrites the path with the one of (seed, trial) for this scenario. The scenario must be
    /// valid.
    ///
    /// Draws per step from the environment stream: `Z`, `Z'`, and, when `jump_rate > 0`, a
    /// uniform deciding the jump and, only if there is one, a normal for its size.
    pub fn generate(&mut self, scenario: &Scenario, seed: u64, trial: u64) {
        self.generate_linked(scenario, seed, trial, None);
    }

    /// As [`EnvironmentPath::generate`], with a shock common to several hosts: with
    /// `common = Some((shocks, ρ))`, where `shocks` holds two standard normals per step
    /// (index, residual), the step's normals are `√(1−ρ)·Z + √ρ·C`, so two hosts' components
    /// have correlation `ρ`. With `None` (or `ρ = 0`) the path is exactly the unlinked one.
    pub fn generate_linked(
        &mut self,
        scenario: &Scenario,
        seed: u64,
        trial: u64,
        common: Option<(&[f64], f64)>,
    ) {
        let steps = scenario.horizon_steps();
        let dt = scenario.dt();
        let sq = dt.sqrt();
        let t = &scenario.terms;
        let (mi, si) = (t.index.drift * dt, t.index.volatility * sq);
        let r = &t.residual;
        let (mu, su) = (r.drift * dt, r.volatility * sq);
        let jump_p = r.jump_rate * dt;
        let jumps = r.jump_rate > 0.0;
        let log0 = t.initial.ln();
        let kappa = scenario.agreement.indexation;

        let mut rng: StreamRng = stream(seed, trial, Purpose::Environment, 0);
        let n = steps + 1;
        for v in [
            &mut self.index,
            &mut self.log_fair,
            &mut self.fair,
            &mut self.index_factor,
            &mut self.mismatch_base,
        ] {
            v.resize(n, 0.0);
        }
        let common = common.filter(|&(_, rho)| rho > 0.0);
        let (own, shared) = common.map_or((1.0, 0.0), |(_, rho)| ((1.0 - rho).sqrt(), rho.sqrt()));
        let (mut i, mut u) = (0.0_f64, 0.0_f64);
        let points = self
            .index
            .iter_mut()
            .zip(&mut self.log_fair)
            .zip(&mut self.fair)
            .zip(&mut self.index_factor)
            .zip(&mut self.mismatch_base);
        for (k, ((((index, log_fair), fair), index_factor), mismatch_base)) in points.enumerate() {
            if k > 0 {
                let mut z: f64 = StandardNormal.sample(&mut rng);
                let mut z2: f64 = StandardNormal.sample(&mut rng);
                if let Some((c, _)) = common {
                    let j = 2 * (k - 1);
                    z = own * z + shared * c.get(j).copied().unwrap_or(0.0);
                    z2 = own * z2 + shared * c.get(j + 1).copied().unwrap_or(0.0);
                }
                i += mi + si * z;
                u += mu + su * z2;
                if jumps {
                    let coin: f64 = rng.random();
                    if coin < jump_p {
                        let size: f64 = StandardNormal.sample(&mut rng);
                        u += r.jump_mean + r.jump_sd * size;
                    }
                }
            }
            let lf = log0 + i + u;
            *index = i;
            *log_fair = lf;
            // Not libm's: the same bits on every platform (REPRODUCIBILITY.md).
            *fair = crate::fastexp::exp(lf);
            *index_factor = if kappa == 0.0 { 1.0 } else { (kappa * i).exp() };
            *mismatch_base = kappa * i - lf;
        }
        self.fill_sums(scenario);
        self.private.reset(seed, trial, n);
    }

    /// Fills [`PathSums`] for the horizon's `steps` (discount and escalator by recurrence:
    /// within a few ulps of the model's tables, which the event-driven trial tolerates).
    fn fill_sums(&mut self, scenario: &Scenario) {
        let steps = self.steps();
        let dt = scenario.dt();
        let g = scenario.agreement.escalator;
        let r = scenario.discount_rate;
        let down = (-r * dt).exp();
        let up = (g * dt).exp();
        let sums = &mut self.sums;
        let constant_pay = scenario.agreement.indexation == 0.0 && g == 0.0;
        let key = (steps, dt.to_bits(), r.to_bits());
        let fill_pay = !constant_pay || sums.pay_key != Some(key);
        sums.pay_key = constant_pay.then_some(key);
        sums.rows.resize(steps + 1, [0.0; 7]);
        let base0 = self.mismatch_base.first().copied().unwrap_or(0.0);
        let (mut disc, mut esc) = (dt, 1.0_f64);
        let mut acc = [0.0_f64; 7];
        let Some((first, rest)) = sums.rows.split_first_mut() else {
            return;
        };
        *first = acc;
        let points = self.mismatch_base[..steps]
            .iter()
            .zip(&self.fair[..steps])
            .zip(&self.index_factor[..steps]);
        if fill_pay {
            for (t, (row, ((&base, &fair), &factor))) in rest.iter_mut().zip(points).enumerate() {
                let b = base + g * (t as f64 * dt) - base0;
                let w = fair * disc;
                let e = factor * esc;
                let x = [b, b * b, w, b * w, b * b * w, e * disc, e];
                for (a, x) in acc.iter_mut().zip(x) {
                    *a += x;
                }
                *row = acc;
                disc *= down;
                esc *= up;
            }
        } else {
            // `e_t = 1`: the payment columns are those already filled for this key.
            let mut acc = [0.0_f64; 5];
            for (row, (&base, &fair)) in rest.iter_mut().zip(points.map(|(p, _)| p)) {
                let b = base - base0;
                let w = fair * disc;
                for (a, x) in acc.iter_mut().zip([b, b * b, w, b * w, b * b * w]) {
                    *a += x;
                }
                row[..5].copy_from_slice(&acc);
                disc *= down;
            }
        }
    }

    /// The prefix sums of this path (filled by [`EnvironmentPath::generate`]).
    #[inline]
    pub(crate) fn sums(&self) -> &PathSums {
        &self.sums
    }

    /// The two private normals `(z_P, z_H)` of the negotiation with deadline `deadline` in
    /// trial `trial` under seed `seed`, drawn once per path for the arms that share it.
    #[inline]
    pub(crate) fn private_draws(&self, seed: u64, trial: u64, deadline: usize) -> (f64, f64) {
        self.private.get(seed, trial, deadline)
    }

    /// Number of steps (the path has one more point).
    pub fn steps(&self) -> usize {
        self.index.len().saturating_sub(1)
    }

    /// `I_t`, the index component at step `t` (log units).
    #[inline]
    pub fn index(&self, t: usize) -> f64 {
        self.index[t]
    }

    /// `ln X*_t` at step `t` (log of money units per year).
    #[inline]
    pub fn log_fair(&self, t: usize) -> f64 {
        self.log_fair[t]
    }

    /// `X*_t`, the efficient contribution at step `t`, money units per year.
    #[inline]
    pub fn fair(&self, t: usize) -> f64 {
        self.fair[t]
    }

    /// `e^{κ I_t}` for the scenario's indexation `κ` (1 when `κ = 0`).
    #[inline]
    pub fn index_factor(&self, t: usize) -> f64 {
        self.index_factor[t]
    }

    /// The whole `I` path (log units), `steps + 1` points.
    pub fn index_path(&self) -> &[f64] {
        &self.index
    }

    /// The whole `ln X*` path, `steps + 1` points.
    pub fn log_fair_path(&self) -> &[f64] {
        &self.log_fair
    }

    /// The whole `X*` path, money units per year, `steps + 1` points.
    pub fn fair_path(&self) -> &[f64] {
        &self.fair
    }

    /// The whole `e^{κ I}` path, `steps + 1` points.
    pub fn index_factor_path(&self) -> &[f64] {
        &self.index_factor
    }

    /// `κ I_t − ln X*_t` per step: the mismatch `D_t` of a contract is its
    /// `ln X − κ I_a + g·age` plus this.
    pub fn mismatch_base_path(&self) -> &[f64] {
        &self.mismatch_base
    }
}

/// `e^{−r·tΔ}`, the discount factor of step `t` (the one formula every present value uses).
#[inline]
pub fn discount_factor(rate: f64, step: usize, dt: f64) -> f64 {
    (-rate * step as f64 * dt).exp()
}
