//! Time-dependent tactics (Faratin, Sierra & Jennings 1998): where two concession curves cross.

use super::{AnalyticError, Result, finite, finite_result, positive};

/// Where the concession curves of two time-dependent negotiators cross
/// (output of [`crossing_time`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// `t*`: relative time of the crossing in `[0, 1]` (fraction of the
    /// negotiation window; 1 = the deadline).
    pub relative_time: f64,
    /// The premium both targets reach at `t*` (log premium over `X*`).
    pub premium: f64,
}

/// Crossing of the targets `O + (R − O)·t^e` of patron and host with the same
/// concession exponent, in continuous time (Faratin, Sierra & Jennings 1998;
/// MODEL.md §4 and §9).
///
/// `t*^e = (O_P − O_H) / ((O_P − O_H) + (R_H − R_P))` and the premium is
/// `O_P + (R_P − O_P)·t*^e`. Openings `O_P` (`opening_patron`), `O_H`
/// (`opening_host`) and reservations `R_P` (`reservation_patron`, the patron's
/// floor), `R_H` (`reservation_host`, the host's ceiling) are log premia over
/// `X*`; `exponent` is `e > 0` (dimensionless: `e > 1` Boulware, `e < 1`
/// Conceder). If `O_P == O_H` the sides agree at once (`t* = 0`).
///
/// Example: `O_P = 0.3, O_H = 0, R_P = −0.05, R_H = 0.05` → `t*^e = 0.75`,
/// `t* = 0.9441` (`e = 5`), 0.75 (`e = 1`), 0.2373 (`e = 0.2`); premium 0.0375.
///
/// # Errors
///
/// Checked in this order; the first violation is reported:
///
/// - [`AnalyticError::InvalidArgument`] if `opening_patron`, `opening_host`,
///   `reservation_patron` or `reservation_host` is not finite, or `exponent` is not
///   finite or is `<= 0` (in signature order);
/// - [`AnalyticError::Inconsistent`] if the zone of agreement is empty
///   (`reservation_patron > reservation_host`), then if the openings are inverted
///   (`opening_patron < opening_host`);
/// - [`AnalyticError::NotFinite`] if `opening_patron − opening_host` overflows
///   (`"opening gap"`), `reservation_host − reservation_patron` overflows
///   (`"zone width"`), or the crossing premium is not finite (`"crossing premium"`).
pub fn crossing_time(
    opening_patron: f64,
    opening_host: f64,
    reservation_patron: f64,
    reservation_host: f64,
    exponent: f64,
) -> Result<Crossing> {
    let op = finite("opening_patron", opening_patron)?;
    let oh = finite("opening_host", opening_host)?;
    let rp = finite("reservation_patron", reservation_patron)?;
    let rh = finite("reservation_host", reservation_host)?;
    let e = positive("exponent", exponent)?;
    if rp > rh {
        return Err(AnalyticError::Inconsistent {
            names: "reservation_patron, reservation_host",
            rule: "zone of agreement is empty (reservation_patron > reservation_host)",
        });
    }
    if op < oh {
        return Err(AnalyticError::Inconsistent {
            names: "opening_patron, opening_host",
            rule: "openings are inverted (opening_patron < opening_host)",
        });
    }
    let gap = finite_result("opening gap", op - oh)?;
    let zone = finite_result("zone width", rh - rp)?;
    let t_e = if gap == 0.0 { 0.0 } else { gap / (gap + zone) };
    let t = if t_e == 0.0 { 0.0 } else { t_e.powf(1.0 / e) };
    let premium = finite_result("crossing premium", op + (rp - op) * t_e)?;
    Ok(Crossing {
        relative_time: t.clamp(0.0, 1.0),
        premium,
    })
}
