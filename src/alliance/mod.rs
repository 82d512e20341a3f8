//! One patron, several allies: linked negotiations (the article's point that a one-year deal
//! with South Korea gives the patron leverage with Japan and NATO, and back).
//!
//! An [`Alliance`] is a scenario with one patron and a list of hosts (`[[hosts]]`), each with its
//! own efficient terms, agreement (cycle and phase), bargaining parameters and public support.
//! The hosts' efficient terms may share a common shock (`linkage.correlation`), and their
//! negotiations are linked:
//!
//! - **Precedent (leverage).** When the patron opens a negotiation with host `i` at step `τ`, its
//!   opening demand rises by `λ·max(0, max_j Δ_j)`, where `Δ_j = p_j − q_j` is the increase (log
//!   premium of the agreed payment over the status quo) the patron obtained from another host `j`
//!   in an agreement signed in `[τ − P, τ)`: `O_P = max(q + a_P + λ·prec, R_P)`.
//!   `λ = linkage.leverage` (default 0), `P = linkage.precedent_years` (default 3).
//! - **Benchmarking.** A host's ceiling moves toward what the others pay:
//!   `R_H ← (1 − β)·R_H + β·p̄`, with `p̄` the mean of the other hosts' latest agreed premia
//!   (over their efficient terms) signed before `τ`. `β = linkage.benchmarking` (default 0).
//!
//! With one host, or with `leverage = 0`, `benchmarking = 0` and `correlation = 0`, every host
//! behaves exactly as a single-host [`Scenario`](crate::Scenario) run with the host's seed
//! ([`crate::rng::host_seed`]; host 0 uses the experiment's seed itself).

mod linked;

pub use crate::scenario::{Alliance, HostSpec, Linkage, MAX_HOST_STEPS, MAX_HOSTS};
pub use linked::{AllianceModel, AllianceTotals, AllianceTrial, AllianceWorkspace, TOTALS};
