//! Parameter sweeps: one variant per value of a scenario key, all on the same simulated worlds,
//! run as one experiment (so paired differences compare values trial by trial).
//!
//! ```
//! use negcycle::prelude::*;
//! use negcycle::run::sweep::sweep_variants;
//!
//! let report = Experiment::new(Scenario::preset("us_rok_sma")?)
//!     .variants(sweep_variants("patron.opening", &["0.1", "0.3"])?)
//!     .cycle_years([1.0, 5.0])
//!     .trials(500)
//!     .seed(1)
//!     .run()?;
//! assert_eq!(report.arms.len(), 4); // 0.1/1, 0.1/5, 0.3/1, 0.3/5
//! println!("{}", report.table().metrics(&["lapse_months", "support_min"]));
//! # Ok::<(), negcycle::Error>(())
//! ```

use super::variant::Variant;
use crate::error::Error;
use crate::report::Report;

/// The headline metrics a sweep shows by default.
pub const DEFAULT_SWEEP_METRICS: [&str; 4] = [
    "lapse_months",
    "unsettled_share",
    "payments_vs_fair",
    "joint_loss",
];

/// One variant per value of `parameter`, named after the value (`0.3`), or `v1`, `v2`, ...
/// when a value is not a valid variant name.
///
/// # Errors
/// [`Error::InvalidExperiment`] if `values` is empty or lists a value twice.
pub fn sweep_variants(parameter: &str, values: &[&str]) -> Result<Vec<Variant>, Error> {
    if values.is_empty() {
        return Err(Error::InvalidExperiment {
            field: "values".into(),
            rule: "at least one value is needed".into(),
            got: "none".into(),
        });
    }
    let mut out: Vec<Variant> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(Error::InvalidExperiment {
                field: "values".into(),
                rule: "values must be distinct".into(),
                got: format!("{v:?} twice"),
            });
        }
        let named = Variant::new(v).set(parameter, v);
        out.push(if named.check_name().is_ok() {
            named
        } else {
            Variant::new(&format!("v{}", i + 1)).set(parameter, v)
        });
    }
    Ok(out)
}

/// The swept key and its values, if every variant of `report` sets exactly one and the same
/// key (as [`sweep_variants`] makes them).
pub fn swept(report: &Report) -> Option<(String, Vec<String>)> {
    let key = report.variants.first()?.overrides.first()?[0].clone();
    let values = report
        .variants
        .iter()
        .map(|v| match v.overrides.as_slice() {
            [[k, val]] if *k == key => Some(val.clone()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((key, values))
}
