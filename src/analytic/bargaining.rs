//! Bargaining splits: the proposer's share of the zone of agreement with alternating offers,
//! infinite (Rubinstein 1982) and finite (Ståhl 1972) horizons.

use super::{AnalyticError, Result, invalid, unit_interval};

/// Proposer's subgame-perfect share of the zone of agreement in the
/// infinite-horizon alternating-offers game (Rubinstein 1982):
/// `(1 − δ_r) / (1 − δ_p δ_r)`.
///
/// `delta_proposer` and `delta_responder` are per-round discount factors
/// (dimensionless, in `[0, 1]`; in the model `δ_i = e^{−r_i Δ}`, see
/// [`discount_factor`](super::discount_factor)); they must not both be 1 (no
/// unique equilibrium). Returns a fraction in `[0, 1]` of the zone `[R_P, R_H]`
/// (MODEL.md §5.2).
/// The denominator is evaluated as `(1 − δ_p) + δ_p (1 − δ_r)` to stay accurate
/// when both factors are close to 1.
///
/// # Errors
///
/// - [`AnalyticError::InvalidArgument`] if `delta_proposer` or `delta_responder` is not in
///   `[0, 1]` (NaN included), checked in that order;
/// - [`AnalyticError::Inconsistent`] if both are exactly 1.
pub fn rubinstein_share(delta_proposer: f64, delta_responder: f64) -> Result<f64> {
    let dp = unit_interval("delta_proposer", delta_proposer)?;
    let dr = unit_interval("delta_responder", delta_responder)?;
    if dp == 1.0 && dr == 1.0 {
        return Err(AnalyticError::Inconsistent {
            names: "delta_proposer, delta_responder",
            rule: "must not both be 1 (no unique equilibrium without discounting)",
        });
    }
    let share = (1.0 - dr) / ((1.0 - dp) + dp * (1.0 - dr));
    Ok(share.clamp(0.0, 1.0))
}

/// First proposer's subgame-perfect share of the zone with a finite number of
/// alternating proposals, the last proposer taking everything (Ståhl 1972).
///
/// Backward induction: `x_1 = 1`, `x_n(A) = 1 − δ_B · x_{n−1}(B)`, roles
/// alternating, where `B` is the responder in the first of the `n` remaining
/// rounds. `delta_proposer` / `delta_responder` are the per-round discount
/// factors (dimensionless, in `[0, 1]`; both equal to 1 is allowed here: the
/// last proposer then takes all) of the first proposer and first responder;
/// `rounds >= 1` is the number of proposals. Evaluated in closed form
/// (O(1) in `rounds`): with `q = δ_p δ_r`, an odd `N = 2m + 1` gives
/// `R + q^m (1 − R)` and an even `N = 2m + 2` gives `R (1 − q^{m+1})`, where
/// `R` is [`rubinstein_share`]; hence even `N` lie below and odd `N` above the
/// Rubinstein share, converging to it. Example: δ = 0.9 for both, `N = 4` →
/// 0.1810, `N = 5` → 0.8371. Returns a fraction in `[0, 1]`.
///
/// # Errors
///
/// [`AnalyticError::InvalidArgument`], checked in this order, if `delta_proposer` or
/// `delta_responder` is not in `[0, 1]` (NaN included), or if `rounds` is 0. Both
/// factors equal to 1 is not an error.
pub fn stahl_share(delta_proposer: f64, delta_responder: f64, rounds: u32) -> Result<f64> {
    let dp = unit_interval("delta_proposer", delta_proposer)?;
    let dr = unit_interval("delta_responder", delta_responder)?;
    if rounds == 0 {
        return Err(invalid("rounds", "must be >= 1", 0.0));
    }
    // Two rounds back: s_k = (1 − δ_r) + q s_{k+2}, so
    // s_1 = (1 − δ_r) g(m) + q^m s_{1+2m}, with g(m) = Σ_{i<m} q^i.
    let m = (rounds - 1) / 2;
    let one_minus_q = (1.0 - dp) + dp * (1.0 - dr);
    let (g, q_m) = if m == 0 {
        (0.0, 1.0)
    } else if one_minus_q == 0.0 {
        (f64::from(m), 1.0)
    } else {
        // ln q may be −∞ (a zero factor): then q^m = 0 and g = 1, as required.
        let ln_q = dp.ln() + dr.ln();
        let m_ln_q = f64::from(m) * ln_q;
        (-m_ln_q.exp_m1() / one_minus_q, m_ln_q.exp())
    };
    let share = if rounds % 2 == 1 {
        // s_{2m+1} = 1: the first proposer also makes the last proposal.
        (1.0 - dr) * g + q_m
    } else {
        // s_{2m+1} = 1 − δ_r (two rounds left, the responder proposes last).
        (1.0 - dr) * (g + q_m)
    };
    Ok(share.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain backward induction, the definition the closed form must match.
    fn stahl_backward(dp: f64, dr: f64, rounds: u32) -> f64 {
        // share of the proposer of the last round = 1; walk back to round 1.
        let mut s = 1.0;
        for k in (1..rounds).rev() {
            // round k+1 proposer: first proposer iff k+1 is odd.
            let delta_next = if (k + 1) % 2 == 1 { dp } else { dr };
            s = 1.0 - delta_next * s;
        }
        s
    }

    #[test]
    fn stahl_closed_form_matches_backward_induction() {
        for &(dp, dr) in &[
            (0.9, 0.9),
            (0.9, 0.8),
            (0.5, 0.99),
            (0.0, 0.7),
            (0.7, 0.0),
            (1.0, 1.0),
            (1.0, 0.3),
        ] {
            for n in 1..60 {
                let a = stahl_share(dp, dr, n).unwrap();
                let b = stahl_backward(dp, dr, n);
                assert!((a - b).abs() < 1e-13, "dp={dp} dr={dr} n={n}: {a} vs {b}");
            }
        }
    }
}
