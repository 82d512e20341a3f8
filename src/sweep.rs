//! Parameter sweeps: one experiment per value of a scenario key, every value on the same seed
//! (so the same simulated worlds), compared on chosen metrics.
//!
//! ```
//! use negcycle::prelude::*;
//! use negcycle::sweep::sweep;
//!
//! let base = Scenario::preset("us_rok_sma")?;
//! let result = sweep(&base, "patron.opening", &["0.1", "0.3"], |s| {
//!     Experiment::new(s).cycle_years([1.0, 5.0]).trials(500).seed(1)
//! })?;
//! assert_eq!(result.reports.len(), 2);
//! println!("{}", result.table(&["lapse_months", "support_min"])?);
//! # Ok::<(), negcycle::Error>(())
//! ```

use crate::error::Error;
use crate::experiment::Experiment;
use crate::report::Report;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// The headline metrics a sweep shows by default.
pub const DEFAULT_SWEEP_METRICS: [&str; 4] = [
    "lapse_months",
    "unsettled_share",
    "payments_vs_fair",
    "joint_loss",
];

/// The reports of a sweep, one per value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// The swept key (dotted path).
    pub parameter: String,
    /// The values, as given.
    pub values: Vec<String>,
    /// One report per value, in the same order.
    pub reports: Vec<Report>,
}

/// Runs one experiment per value of `parameter`: the scenario is `base` with the key overridden
/// ([`Scenario::with_override`]), and `experiment` builds the experiment for it (arms, trials,
/// seed; use the same seed for every value to compare them on the same worlds).
///
/// # Errors
/// [`Error::InvalidExperiment`] if `values` is empty; the override's [`Error::Scenario`] naming
/// the key; any error of [`Experiment::run`].
pub fn sweep(
    base: &Scenario,
    parameter: &str,
    values: &[&str],
    experiment: impl Fn(Scenario) -> Experiment,
) -> Result<SweepReport, Error> {
    if values.is_empty() {
        return Err(Error::InvalidExperiment {
            field: "values".into(),
            rule: "at least one value is needed".into(),
            got: "none".into(),
        });
    }
    // Validate every value before running anything.
    let scenarios = values
        .iter()
        .map(|v| base.with_override(parameter, v))
        .collect::<Result<Vec<_>, _>>()?;
    let reports = scenarios
        .into_iter()
        .map(|s| experiment(s).run())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SweepReport {
        parameter: parameter.to_string(),
        values: values.iter().map(|v| v.to_string()).collect(),
        reports,
    })
}

impl SweepReport {
    /// The values as numbers, if all of them are numbers.
    pub fn numeric_values(&self) -> Option<Vec<f64>> {
        self.values
            .iter()
            .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect()
    }

    /// The cycle lengths (years) of the arms, taken from the first report.
    pub fn cycle_years(&self) -> Vec<f64> {
        self.reports
            .first()
            .map(|r| r.arms.iter().map(|a| a.cycle_years).collect())
            .unwrap_or_default()
    }

    /// A text table: one block per metric, one row per value, one column per cycle length,
    /// mean ± 95% CI half-width.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] for an unknown metric name.
    pub fn table(&self, metrics: &[&str]) -> Result<String, Error> {
        let cycles = self.cycle_years();
        let mut out = String::new();
        for metric in metrics {
            out.push_str(&format!(
                "{metric} by {} and cycle length\n",
                self.parameter
            ));
            out.push_str(&format!("{:>16}", self.parameter));
            for c in &cycles {
                out.push_str(&format!("{:>24}", crate::report::years_label(*c)));
            }
            out.push('\n');
            for (value, report) in self.values.iter().zip(&self.reports) {
                out.push_str(&format!("{value:>16}"));
                for arm in &report.arms {
                    let s = arm.metric(metric)?;
                    let half = (s.ci95[1] - s.ci95[0]) / 2.0;
                    out.push_str(&format!("{:>24}", format!("{:.4} ± {:.2e}", s.mean, half)));
                }
                out.push('\n');
            }
            out.push('\n');
        }
        Ok(out)
    }

    /// Tidy CSV: one row per value, cycle length and metric, with the full summary.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] for an unknown metric name.
    pub fn to_csv_string(&self, metrics: &[&str]) -> Result<String, Error> {
        let mut out = String::from(
            "parameter,value,cycle_years,metric,n,mean,sd,se,ci95_lo,ci95_hi,p05,p50,p95\n",
        );
        for (value, report) in self.values.iter().zip(&self.reports) {
            for arm in &report.arms {
                for metric in metrics {
                    let s = arm.metric(metric)?;
                    out.push_str(&format!(
                        "{},{},{},{},{}\n",
                        crate::report::escape::csv_field(&self.parameter),
                        crate::report::escape::csv_value(value),
                        arm.cycle_years,
                        metric,
                        crate::report::csv_summary(s, false)
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The sweep as pretty JSON.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        crate::report::to_json(self, "sweep", true)
    }
}
