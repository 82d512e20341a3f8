//! Uncertainties: scenario keys whose values are not known, each with a range (uniform or
//! log-uniform) or a list of discrete choices, and the map from a design's unit-cube coordinate
//! to a value (MODEL.md §12).
//!
//! From a TOML file:
//!
//! ```toml
//! [[uncertainty]]
//! key = "rigidity_weight"
//! uniform = [0.5, 2.0]
//! reason = "k_rig is not estimated; half to twice the calibrated cost of a mismatch"
//!
//! [[uncertainty]]
//! key = "lapse.model"
//! choice = ["drift", "attrition"]
//! ```
//!
//! or from the command line: `--range rigidity_weight=0.5:2`, `--range host.margin=0.01:0.1:log`,
//! `--choice lapse.model=drift|attrition`.
//!
//! ```
//! use negcycle::explore::{Distribution, Uncertainty};
//!
//! let u = Uncertainty::parse_range("rigidity_weight=0.5:2")?;
//! assert_eq!(u.distribution, Distribution::Uniform { lo: 0.5, hi: 2.0 });
//! assert_eq!(u.value_text(0.5), "1.25");
//! # Ok::<(), negcycle::Error>(())
//! ```

use crate::error::Error;
use crate::scenario::Input;
use serde::{Deserialize, Serialize};

/// The most uncertainties one exploration takes (a Saltelli design needs 2·D dimensions of the
/// Sobol sequence, which has 256).
pub const MAX_UNCERTAINTIES: usize = 64;
/// The most values of one discrete choice.
pub const MAX_CHOICES: usize = 64;

/// How an uncertain key's value is drawn from a unit-cube coordinate `u ∈ [0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// `lo + u·(hi − lo)`, in the key's own unit.
    Uniform {
        /// Lower end, the key's unit.
        lo: f64,
        /// Upper end, the key's unit.
        hi: f64,
    },
    /// `exp(ln lo + u·(ln hi − ln lo))`: uniform in the logarithm (for scale parameters that
    /// span orders of magnitude); `0 < lo < hi`.
    LogUniform {
        /// Lower end (> 0), the key's unit.
        lo: f64,
        /// Upper end, the key's unit.
        hi: f64,
    },
    /// One of the values, each with probability `1/k`: value `⌊u·k⌋` (the last one for `u = 1`).
    /// Values are given to the scenario as `--set` takes them.
    Choice {
        /// The values, as text (`"drift"`, `"0.5"`, `"true"`).
        values: Vec<String>,
    },
}

/// One uncertain scenario key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uncertainty {
    /// The dotted scenario key (as `--set` takes it), e.g. `host.margin_trend`.
    pub key: String,
    /// Its range or choices.
    pub distribution: Distribution,
    /// Why this range (documentation only; empty if not given).
    #[serde(default)]
    pub reason: String,
}

fn invalid(field: &str, rule: &str, got: impl Into<String>) -> Error {
    Error::InvalidExperiment {
        field: field.to_string(),
        rule: rule.to_string(),
        got: got.into(),
    }
}

/// Shortest text that reads back as the same `f64` and that TOML reads as a float (`1.0`, not
/// `1`; `1e-7`).
pub fn float_text(x: f64) -> String {
    format!("{x:?}")
}

impl Uncertainty {
    /// A uniform range.
    #[must_use]
    pub fn uniform(key: &str, lo: f64, hi: f64) -> Uncertainty {
        Uncertainty {
            key: key.to_string(),
            distribution: Distribution::Uniform { lo, hi },
            reason: String::new(),
        }
    }

    /// A log-uniform range.
    #[must_use]
    pub fn log_uniform(key: &str, lo: f64, hi: f64) -> Uncertainty {
        Uncertainty {
            key: key.to_string(),
            distribution: Distribution::LogUniform { lo, hi },
            reason: String::new(),
        }
    }

    /// A discrete choice.
    #[must_use]
    pub fn choice(key: &str, values: &[&str]) -> Uncertainty {
        Uncertainty {
            key: key.to_string(),
            distribution: Distribution::Choice {
                values: values.iter().map(|v| v.to_string()).collect(),
            },
            reason: String::new(),
        }
    }

    /// With a reason for its range.
    #[must_use]
    pub fn because(mut self, reason: &str) -> Uncertainty {
        self.reason = reason.to_string();
        self
    }

    /// Parses `KEY=LO:HI` (uniform) or `KEY=LO:HI:log` (log-uniform), as `--range` takes it.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `--range` and the rule.
    pub fn parse_range(text: &str) -> Result<Uncertainty, Error> {
        let bad = |rule: &str| invalid("--range", rule, format!("{text:?}"));
        let (key, range) = text
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=LO:HI or KEY=LO:HI:log"))?;
        let parts: Vec<&str> = range.split(':').map(str::trim).collect();
        let number = |s: &str| {
            s.parse::<f64>()
                .map_err(|_| bad(&format!("{s:?} is not a number")))
        };
        let u = match parts.as_slice() {
            [lo, hi] => Uncertainty::uniform(key.trim(), number(lo)?, number(hi)?),
            [lo, hi, "log"] => Uncertainty::log_uniform(key.trim(), number(lo)?, number(hi)?),
            _ => return Err(bad("expected KEY=LO:HI or KEY=LO:HI:log")),
        };
        u.check_shape()?;
        Ok(u)
    }

    /// Parses `KEY=A|B|...`, as `--choice` takes it.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `--choice` and the rule.
    pub fn parse_choice(text: &str) -> Result<Uncertainty, Error> {
        let (key, values) = text
            .split_once('=')
            .ok_or_else(|| invalid("--choice", "expected KEY=A|B|...", format!("{text:?}")))?;
        let values: Vec<&str> = values.split('|').map(str::trim).collect();
        let u = Uncertainty::choice(key.trim(), &values);
        u.check_shape()?;
        Ok(u)
    }

    /// Checks the key's form and the range or choices on their own (not against a scenario).
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `uncertainty KEY` and the rule.
    pub fn check_shape(&self) -> Result<(), Error> {
        let field = format!("uncertainty {}", self.key);
        if self.key.is_empty() || self.key.split('.').any(|p| p.trim().is_empty()) {
            return Err(invalid(
                "uncertainty",
                "key must be a dotted scenario key (e.g. host.margin)",
                format!("{:?}", self.key),
            ));
        }
        match &self.distribution {
            Distribution::Uniform { lo, hi } | Distribution::LogUniform { lo, hi } => {
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    return Err(invalid(
                        &field,
                        "a range needs finite lo < hi",
                        format!("{lo}:{hi}"),
                    ));
                }
                if matches!(self.distribution, Distribution::LogUniform { .. }) && *lo <= 0.0 {
                    return Err(invalid(
                        &field,
                        "a log-uniform range needs lo > 0",
                        format!("{lo}:{hi}"),
                    ));
                }
            }
            Distribution::Choice { values } => {
                if values.is_empty() || values.len() > MAX_CHOICES {
                    return Err(invalid(
                        &field,
                        &format!("a choice needs 1 to {MAX_CHOICES} values"),
                        values.len().to_string(),
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if v.is_empty() {
                        return Err(invalid(&field, "a choice value is empty", "\"\""));
                    }
                    if values[..i].contains(v) {
                        return Err(invalid(
                            &field,
                            "choice values must be distinct",
                            format!("{v:?} twice"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks the key and every end of its range (or every choice) against `base`: each must
    /// give a valid scenario.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `uncertainty KEY`, with the scenario's own message.
    pub fn check_against(&self, base: &Input) -> Result<(), Error> {
        self.check_shape()?;
        let texts: Vec<String> = match &self.distribution {
            Distribution::Uniform { lo, hi } | Distribution::LogUniform { lo, hi } => {
                vec![float_text(*lo), float_text(*hi)]
            }
            Distribution::Choice { values } => values.clone(),
        };
        for t in texts {
            base.with_override(&self.key, &t).map_err(|e| {
                invalid(
                    &format!("uncertainty {}", self.key),
                    "every end of the range (every choice) must give a valid scenario",
                    format!("{t}: {e}"),
                )
            })?;
        }
        Ok(())
    }

    /// The number of distinct values (`None` for a continuous range).
    pub fn levels(&self) -> Option<usize> {
        match &self.distribution {
            Distribution::Choice { values } => Some(values.len()),
            _ => None,
        }
    }

    /// The value at unit-cube coordinate `u` (clamped to `[0, 1]`) as a number: the value of a
    /// range, in the key's unit; a choice's index (0-based) as a number.
    pub fn value(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
        match &self.distribution {
            Distribution::Uniform { lo, hi } => {
                if u >= 1.0 {
                    *hi
                } else {
                    lo + u * (hi - lo)
                }
            }
            Distribution::LogUniform { lo, hi } => {
                if u >= 1.0 {
                    *hi
                } else if u <= 0.0 {
                    *lo
                } else {
                    (lo.ln() + u * (hi.ln() - lo.ln())).exp()
                }
            }
            Distribution::Choice { values } => choice_index(u, values.len()) as f64,
        }
    }

    /// The value at `u` as the text given to the scenario ([`float_text`] of [`Self::value`]
    /// for a range; the chosen value for a choice).
    pub fn value_text(&self, u: f64) -> String {
        match &self.distribution {
            Distribution::Choice { values } => {
                let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
                values[choice_index(u, values.len())].clone()
            }
            _ => float_text(self.value(u)),
        }
    }
}

/// `⌊u·k⌋`, at most `k − 1`.
fn choice_index(u: f64, k: usize) -> usize {
    ((u * k as f64).floor() as usize).min(k.saturating_sub(1))
}

/// One `[[uncertainty]]` table as written in a file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUncertainty {
    key: String,
    uniform: Option<[f64; 2]>,
    log_uniform: Option<[f64; 2]>,
    choice: Option<Vec<toml::Value>>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    uncertainty: Vec<RawUncertainty>,
}

/// A TOML value as `--set` text: strings as they are, numbers and booleans as TOML writes them.
fn toml_text(v: &toml::Value) -> Result<String, String> {
    match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(x) => Ok(float_text(*x)),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        other => Err(format!("{other} is not a string, number or boolean")),
    }
}

/// Reads `[[uncertainty]]` tables from TOML text (`origin` names the file in errors). Each table
/// has `key`, exactly one of `uniform = [lo, hi]`, `log_uniform = [lo, hi]` or
/// `choice = [values]`, and optionally `reason`.
///
/// # Errors
/// [`Error::InvalidExperiment`] naming the file and the table (`uncertainty[i]`) and the rule.
pub fn parse_uncertainties(text: &str, origin: &str) -> Result<Vec<Uncertainty>, Error> {
    parse_uncertainty_text(text, origin)
}

/// Reads and parses an uncertainty file (`[[uncertainty]]` tables): a regular file of at most
/// [`crate::scenario::MAX_SCENARIO_BYTES`], read once, UTF-8, with the crate's one input reader.
///
/// # Errors
/// [`Error::Input`] naming the path and the rule it breaks; then as [`parse_uncertainties`].
pub fn read_uncertainties(path: &std::path::Path) -> Result<Vec<Uncertainty>, Error> {
    let rule = crate::report::write::FileRule {
        what: "an uncertainty file",
        max_bytes: crate::scenario::MAX_SCENARIO_BYTES,
        cap_name: "MAX_SCENARIO_BYTES",
    };
    let shown = path.display().to_string();
    let text =
        crate::report::write::read_text_file(path, &rule).map_err(|message| Error::Input {
            path: shown.clone(),
            message,
        })?;
    parse_uncertainty_text(&text, &shown)
}

fn parse_uncertainty_text(text: &str, origin: &str) -> Result<Vec<Uncertainty>, Error> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        invalid(
            origin,
            "expected [[uncertainty]] tables with key and one of uniform, log_uniform, choice",
            e.message().to_string(),
        )
    })?;
    let mut out = Vec::with_capacity(raw.uncertainty.len());
    for (i, r) in raw.uncertainty.into_iter().enumerate() {
        let field = format!("{origin}: uncertainty[{i}] ({})", r.key);
        let distribution = match (r.uniform, r.log_uniform, r.choice) {
            (Some([lo, hi]), None, None) => Distribution::Uniform { lo, hi },
            (None, Some([lo, hi]), None) => Distribution::LogUniform { lo, hi },
            (None, None, Some(values)) => Distribution::Choice {
                values: values
                    .iter()
                    .map(toml_text)
                    .collect::<Result<_, _>>()
                    .map_err(|e| invalid(&field, "choice values", e))?,
            },
            _ => {
                return Err(invalid(
                    &field,
                    "exactly one of uniform, log_uniform or choice is needed",
                    "none or several",
                ));
            }
        };
        let u = Uncertainty {
            key: r.key,
            distribution,
            reason: r.reason.unwrap_or_default(),
        };
        u.check_shape().map_err(|e| match e {
            Error::InvalidExperiment { rule, got, .. } => invalid(&field, &rule, got),
            other => other,
        })?;
        out.push(u);
    }
    Ok(out)
}

/// Checks a whole set: 1 to [`MAX_UNCERTAINTIES`], distinct keys, each valid against `base`.
///
/// # Errors
/// [`Error::InvalidExperiment`] naming the uncertainty.
pub fn check_set(set: &[Uncertainty], base: &Input) -> Result<(), Error> {
    if set.is_empty() || set.len() > MAX_UNCERTAINTIES {
        return Err(invalid(
            "uncertainties",
            &format!("an exploration needs 1 to {MAX_UNCERTAINTIES} uncertainties"),
            set.len().to_string(),
        ));
    }
    for (i, u) in set.iter().enumerate() {
        if set[..i].iter().any(|w| w.key == u.key) {
            return Err(invalid(
                "uncertainties",
                "keys must be distinct",
                format!("{} twice", u.key),
            ));
        }
        u.check_against(base)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_unit_coordinates() {
        let u = Uncertainty::uniform("a", 1.0, 3.0);
        assert_eq!(u.value(0.0), 1.0);
        assert_eq!(u.value(1.0), 3.0);
        assert_eq!(u.value(0.5), 2.0);
        let l = Uncertainty::log_uniform("a", 0.01, 1.0);
        assert!((l.value(0.5) - 0.1).abs() < 1e-12);
        assert_eq!(l.value(1.0), 1.0);
        let c = Uncertainty::choice("a", &["x", "y", "z"]);
        assert_eq!(c.value_text(0.0), "x");
        assert_eq!(c.value_text(0.34), "y");
        assert_eq!(c.value_text(1.0), "z");
        assert_eq!(float_text(1.0), "1.0");
    }

    #[test]
    fn parses_and_names_the_field() {
        let u = Uncertainty::parse_range("host.margin=0.01:0.1:log").unwrap();
        assert_eq!(
            u.distribution,
            Distribution::LogUniform { lo: 0.01, hi: 0.1 }
        );
        let e = Uncertainty::parse_range("host.margin=2:1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("uncertainty host.margin"), "{e}");
        let e = Uncertainty::parse_choice("lapse.model=drift|drift")
            .unwrap_err()
            .to_string();
        assert!(e.contains("distinct"), "{e}");
        let text = "[[uncertainty]]\nkey = \"rigidity_weight\"\nuniform = [0.5, 2.0]\n\
                    reason = \"r\"\n[[uncertainty]]\nkey = \"lapse.model\"\n\
                    choice = [\"drift\", \"attrition\"]\n";
        let set = parse_uncertainties(text, "u.toml").unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set[0].reason, "r");
        let base = Input::preset("us_rok_sma").unwrap();
        check_set(&set, &base).unwrap();
        let bad = "[[uncertainty]]\nkey = \"host.margn\"\nuniform = [0.0, 1.0]\n";
        let set = parse_uncertainties(bad, "u.toml").unwrap();
        let e = check_set(&set, &base).unwrap_err().to_string();
        assert!(e.contains("uncertainty host.margn"), "{e}");
        let both = "[[uncertainty]]\nkey = \"a\"\nuniform = [0.0, 1.0]\nchoice = [1]\n";
        let e = parse_uncertainties(both, "u.toml").unwrap_err().to_string();
        assert!(e.contains("uncertainty[0] (a)"), "{e}");
    }
}
