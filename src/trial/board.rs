//! The precedent board of linked hosts (MODEL.md, linked negotiations): the agreements the
//! patron concluded with every host of an alliance, as each opening sees them.

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
    /// What a precedent measures: the agreed increase (false, 0.1) or the agreed premium (true).
    pub(crate) premium_precedent: bool,
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
    /// `λ·max(0, largest precedent any other host agreed in [τ − P, τ))`, a precedent being the
    /// agreed increase `p − q` or, under the premium rule, the agreed premium `p`, and the benchmark
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
                largest = largest.max(if self.premium_precedent {
                    a.premium
                } else {
                    a.increase
                });
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
