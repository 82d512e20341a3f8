//! The objective: `Q(θ) = Σ_m w_m (m̂_m − m̃_m(θ))²`, the weighted squared distance between the
//! record's moments `m̂` and the simulated ones `m̃(θ)` (mean over the `S` replicas), with the
//! diagonal inverse-variance weights `w_m = 1 / Var(m̂_m)` of [`super::moments`] (Hansen 1982,
//! *Econometrica* 50(4), for the method of moments; McFadden 1989 for its simulated form).
//!
//! A free parameter `θ_j` is a scenario key (`patron.margin`) set with
//! [`Scenario::with_override`], so any numeric key can be calibrated and the result is
//! validated like a file.

use super::moments::RecordMoments;
use super::simulate::{Simulated, Simulator};
use crate::error::Error;
use crate::scenario::Scenario;
use serde::Serialize;

/// `Q` given to the optimiser where the scenario is invalid or a moment cannot be simulated
/// (no replica has it): far above any attainable fit, so the simplex moves away.
pub const PENALTY: f64 = 1e12;

/// A free parameter: a scenario key and its bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreeParam {
    /// The dotted scenario key.
    pub key: String,
    /// Lower bound (inclusive limit of the transform; the estimate stays strictly above it).
    pub lo: f64,
    /// Upper bound (`+∞` allowed).
    pub hi: f64,
}

impl FreeParam {
    /// Parses `KEY` (default bounds by the key's last part, [`FreeParam::default_bounds`]) or
    /// `KEY=LO:HI` (`HI` may be `inf`).
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming the field `free` and the rule.
    pub fn parse(spec: &str) -> Result<FreeParam, Error> {
        let bad = |rule: &str| Error::InvalidExperiment {
            field: "free".into(),
            rule: rule.into(),
            got: format!("{spec:?}"),
        };
        let spec_t = spec.trim();
        let (key, bounds) = match spec_t.split_once('=') {
            Some((k, b)) => (k.trim(), Some(b.trim())),
            None => (spec_t, None),
        };
        if key.is_empty() {
            return Err(bad(
                "a scenario key such as patron.margin, optionally =LO:HI",
            ));
        }
        let (lo, hi) = match bounds {
            None => FreeParam::default_bounds(key)
                .ok_or_else(|| bad("no default bounds for this key; give them as KEY=LO:HI"))?,
            Some(b) => {
                let (l, h) = b
                    .split_once(':')
                    .ok_or_else(|| bad("bounds must be LO:HI, e.g. patron.margin=0:0.3"))?;
                let num = |t: &str| -> Result<f64, Error> {
                    match t.trim() {
                        "inf" | "+inf" => Ok(f64::INFINITY),
                        t => t
                            .parse::<f64>()
                            .ok()
                            .filter(|x| x.is_finite())
                            .ok_or_else(|| bad("bounds must be finite numbers (HI may be inf)")),
                    }
                };
                (num(l)?, num(h)?)
            }
        };
        if !lo.is_finite() || hi.is_nan() || lo >= hi {
            return Err(bad("bounds must have LO < HI, LO finite"));
        }
        Ok(FreeParam {
            key: key.to_string(),
            lo,
            hi,
        })
    }

    /// Default bounds by the key's last part: `margin` [0, 0.5], `private_sd` [0.005, 0.5],
    /// `lapse_pressure` [0.005, 3] (per year), `opening` [0, 2] (log units),
    /// `concession_exponent` [0.2, 10], support's `gap_hit`, `lapse_hit`, `sensitivity`
    /// [0, 1]; `None` for other keys.
    pub fn default_bounds(key: &str) -> Option<(f64, f64)> {
        let last = key.rsplit('.').next().unwrap_or(key);
        Some(match last {
            "margin" => (0.0, 0.5),
            "private_sd" => (0.005, 0.5),
            "lapse_pressure" => (0.005, 3.0),
            "opening" => (0.0, 2.0),
            "concession_exponent" => (0.2, 10.0),
            "gap_hit" | "lapse_hit" | "sensitivity" => (0.0, 1.0),
            _ => return None,
        })
    }

    /// The parameter's value in `scenario` (read through its TOML form).
    pub fn value_in(&self, scenario: &Scenario) -> Option<f64> {
        let v = toml::Value::try_from(scenario).ok()?;
        let mut cur = &v;
        for part in self.key.split('.') {
            cur = cur.get(part)?;
        }
        cur.as_float()
            .or_else(|| cur.as_integer().map(|i| i as f64))
    }
}

/// `scenario` with each free parameter set to its value in `theta`.
///
/// # Errors
/// [`Error::Scenario`] naming the key if it does not exist or the value breaks a rule.
pub fn scenario_at(base: &Scenario, free: &[FreeParam], theta: &[f64]) -> Result<Scenario, Error> {
    let mut s = base.clone();
    for (p, &x) in free.iter().zip(theta) {
        s = s.with_override(&p.key, &format!("{x:?}"))?;
    }
    Ok(s)
}

/// The objective over the free parameters of a base scenario.
#[derive(Debug, Clone)]
pub struct Objective {
    /// The scenario the free parameters are set in.
    pub base: Scenario,
    /// The free parameters.
    pub free: Vec<FreeParam>,
    /// The replicas.
    pub simulator: Simulator,
}

impl Objective {
    /// The record's moments.
    pub fn data(&self) -> &RecordMoments {
        self.simulator.data()
    }

    /// `Q` and the simulated moments at `theta`.
    ///
    /// # Errors
    /// [`Error::Scenario`] if `theta` gives an invalid scenario.
    pub fn evaluate(&self, theta: &[f64]) -> Result<(f64, Simulated), Error> {
        let s = scenario_at(&self.base, &self.free, theta)?;
        let sim = self.simulator.simulate(&s)?;
        Ok((q_of(self.data(), &sim.mean), sim))
    }

    /// `Q` at `theta`, [`PENALTY`] where it cannot be computed.
    pub fn value(&self, theta: &[f64]) -> f64 {
        match self.evaluate(theta) {
            Ok((q, _)) => q,
            Err(_) => PENALTY,
        }
    }
}

/// `Σ w (m̂ − m̃)²`; [`PENALTY`] if a simulated moment is missing.
pub fn q_of(data: &RecordMoments, simulated: &[f64]) -> f64 {
    let mut q = 0.0;
    for (m, s) in data.moments.iter().zip(simulated) {
        if !s.is_finite() {
            return PENALTY;
        }
        q += m.weight * (m.value - s) * (m.value - s);
    }
    q.min(PENALTY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_parameters_parse_with_default_or_given_bounds() {
        let p = FreeParam::parse("patron.margin").unwrap();
        assert_eq!((p.lo, p.hi), (0.0, 0.5));
        let p = FreeParam::parse(" host.opening = 0.1:inf ").unwrap();
        assert_eq!(
            (p.key.as_str(), p.lo, p.hi),
            ("host.opening", 0.1, f64::INFINITY)
        );
        for bad in ["terms.initial", "x=1", "x=2:1", "x=a:1", "=0:1", "x=nan:1"] {
            let e = FreeParam::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("free: "), "{bad}: {e}");
        }
        let s = Scenario::preset("us_rok_sma_history").unwrap();
        assert_eq!(
            FreeParam::parse("patron.opening").unwrap().value_in(&s),
            Some(0.3763)
        );
    }
}
