//! A calibration's results and their outputs: the text table, JSON, tidy CSV and the calibrated
//! scenario as TOML with its provenance. Every output is a pure function of the results, so the
//! same inputs give the same bytes on any thread count (the run time is kept out of them).

use super::inference::{Identification, Profile};
use super::moments::{FlagPolicy, FlaggedRow};
use super::optimise::StartResult;
use crate::error::Error;
use crate::report::escape::{csv_field, csv_value};
use crate::scenario::Scenario;
use serde::Serialize;
use std::fmt::Write as _;

/// One parameter's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The scenario key.
    pub key: String,
    /// The estimate (or the held value of a fixed parameter), in the key's units.
    pub value: f64,
    /// Sandwich standard error (`None` for fixed or jointly unidentified parameters).
    pub se: Option<f64>,
    /// 95% interval `value ± 1.96·se`.
    pub ci95: Option<(f64, f64)>,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// The base scenario's value (the first start).
    pub start: f64,
    /// Whether it was estimated.
    pub free: bool,
    /// `free`, or why not / what limits it.
    pub status: String,
    /// The Jacobian's central-difference step used for it.
    pub jacobian_step: Option<f64>,
}

/// One moment's fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitRow {
    /// The moment's key.
    pub moment: String,
    /// Its unit.
    pub unit: String,
    /// The record's value.
    pub record: f64,
    /// The record's 95% band.
    pub band: (f64, f64),
    /// Its weight `1 / Var`.
    pub weight: f64,
    /// The simulated mean at the estimate.
    pub simulated: f64,
    /// Its Monte Carlo standard error.
    pub mc_se: f64,
    /// The central 95% range of one replica's value (2.5% and 97.5% quantiles over the
    /// replicas that have it, linear interpolation): what a record of this size would show
    /// under the model at the estimate, to set beside the record's value (`None` if no
    /// replica has it).
    pub replica_range: Option<(f64, f64)>,
    /// Replicas that had it.
    pub replicas_with_it: u64,
    /// Whether the simulated mean is inside the record's band.
    pub inside_band: bool,
    /// Where its variance in the standard errors and J comes from: `replicas` (the model's
    /// spread at the estimate) or `record` (the record's own, where larger:
    /// [`super::inference::conservative_covariance`]).
    pub variance_source: &'static str,
}

/// Where a calibration came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// The crate version.
    pub negcycle: String,
    /// The record's origin.
    pub record: String,
    /// SHA-256 of the record's bytes.
    pub record_sha256: String,
    /// The replicas' seed.
    pub seed: u64,
    /// Replicas `S`.
    pub replicas: u64,
    /// Optimiser starts.
    pub starts: usize,
    /// Nelder–Mead iterations per start.
    pub max_iters: u64,
    /// The flag policy.
    pub flagged: FlagPolicy,
    /// The discrete options applied, (key, value).
    pub options: Vec<(String, String)>,
    /// The free parameters asked for.
    pub free: Vec<String>,
}

/// A calibration's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// The base scenario's name.
    pub scenario: String,
    /// Every parameter asked for, estimated or fixed.
    pub estimates: Vec<Estimate>,
    /// The fit, per moment.
    pub fit: Vec<FitRow>,
    /// `Q` at the estimate.
    pub objective: f64,
    /// The J statistic (overidentified models only).
    pub j: Option<f64>,
    /// Its degrees of freedom `M − K`.
    pub df: Option<usize>,
    /// `P(χ²_df > J)`.
    pub p_value: Option<f64>,
    /// Rank, condition number and column norms at the estimate.
    pub identification: Identification,
    /// Every start of the optimiser.
    pub starts: Vec<StartResult>,
    /// The index of the best start.
    pub best_start: usize,
    /// The objective along each estimated parameter.
    pub profiles: Vec<Profile>,
    /// What was done with each flagged record row.
    pub flagged: Vec<FlaggedRow>,
    /// Provenance.
    pub provenance: Provenance,
    /// The calibrated scenario.
    #[serde(skip)]
    pub calibrated: Scenario,
    /// Objective evaluations over all starts.
    pub evaluations: u64,
    /// Wall-clock seconds (not part of any output file: they would differ run to run).
    #[serde(skip)]
    pub seconds: f64,
}

fn opt(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |v| format!("{v:.4}"))
}

impl Calibration {
    /// The estimates of the free parameters, in order: `(key, value, se)`.
    pub fn free_estimates(&self) -> Vec<(&str, f64, Option<f64>)> {
        self.estimates
            .iter()
            .filter(|e| e.free)
            .map(|e| (e.key.as_str(), e.value, e.se))
            .collect()
    }

    /// The text table: estimates, fit, tests and identification, flagged rows.
    pub fn table(&self) -> String {
        let p = &self.provenance;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "calibration of {} to {} (sha256 {}): S = {} replicas, seed {}, {} starts, \
             simulated method of moments",
            self.scenario,
            p.record,
            &p.record_sha256[..12.min(p.record_sha256.len())],
            p.replicas,
            p.seed,
            p.starts
        );
        if !p.options.is_empty() {
            let o: Vec<String> = p.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(s, "options: {}", o.join(", "));
        }
        let _ = writeln!(
            s,
            "\n{:<24} {:>10} {:>10} {:>23} {:>17}  status",
            "parameter", "estimate", "se", "95% CI", "bounds"
        );
        for e in &self.estimates {
            let ci = e
                .ci95
                .map_or("—".to_string(), |(a, b)| format!("[{a:.4}, {b:.4}]"));
            let _ = writeln!(
                s,
                "{:<24} {:>10.4} {:>10} {:>23} {:>17}  {}",
                e.key,
                e.value,
                opt(e.se),
                ci,
                format!("[{}, {}]", e.lo, e.hi),
                e.status
            );
        }
        let _ = writeln!(
            s,
            "\n{:<20} {:>9} {:>21} {:>10} {:>9} {:>21}  inside band  variance from",
            "moment", "record", "record 95% band", "simulated", "MC se", "replicas' 95% range"
        );
        for f in &self.fit {
            let _ = writeln!(
                s,
                "{:<20} {:>9.4} {:>21} {:>10.4} {:>9.4} {:>21}  {:<11}  {}",
                f.moment,
                f.record,
                format!("[{:.4}, {:.4}]", f.band.0, f.band.1),
                f.simulated,
                f.mc_se,
                f.replica_range
                    .map_or("-".to_string(), |r| format!("[{:.4}, {:.4}]", r.0, r.1)),
                if f.inside_band { "yes" } else { "no" },
                f.variance_source
            );
        }
        let _ = write!(s, "\nobjective Q = {:.4}", self.objective);
        match (self.j, self.df, self.p_value) {
            (Some(j), Some(df), Some(pv)) => {
                let _ = writeln!(s, "; J = {j:.4} on {df} df, p = {pv:.4}");
            }
            _ if self.fit.len() > self.identification.column_norms.len() => {
                let _ = writeln!(
                    s,
                    "; J not computed: the Jacobian is rank-deficient at the estimate"
                );
            }
            _ => {
                let _ = writeln!(s, "; J not computed (not overidentified)");
            }
        }
        let id = &self.identification;
        let _ = writeln!(
            s,
            "identification: Jacobian rank {} of {}, condition number {:.3e} (scaled by the \
             parameters' widths)",
            id.rank,
            id.column_norms.len(),
            id.condition_number
        );
        for (i, r) in self.starts.iter().enumerate() {
            let _ = writeln!(
                s,
                "start {i}: Q = {:.4} after {} iterations{}",
                r.objective,
                r.iterations,
                if i == self.best_start { " (best)" } else { "" }
            );
        }
        if !self.flagged.is_empty() {
            let _ = writeln!(s, "\nflagged record rows:");
            for f in &self.flagged {
                let _ = writeln!(s, "  {:>3}: {} ({})", f.ordinal, f.action, f.flags);
            }
        }
        s
    }

    /// The results as pretty JSON.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails (it does not for finite numbers; non-finite
    /// ones are written as `null`).
    pub fn to_json_string(&self) -> Result<String, Error> {
        let v = serde_json::to_value(self).map_err(|e| Error::Internal(e.to_string()))?;
        let mut out =
            serde_json::to_string_pretty(&v).map_err(|e| Error::Internal(e.to_string()))?;
        out.push('\n');
        Ok(out)
    }

    /// The results as tidy CSV: one row per parameter (`kind = parameter`) and per moment
    /// (`kind = moment`), with the columns of [`CSV_COLUMNS`]; fields that do not apply are
    /// empty. The last row (`kind = fit`) holds the objective and J.
    pub fn to_csv_string(&self) -> String {
        let mut out = CSV_COLUMNS
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        let num = |x: f64| x.to_string();
        let onum = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
        for e in &self.estimates {
            let row = [
                self.scenario.clone(),
                "parameter".into(),
                e.key.clone(),
                "".into(),
                num(e.value),
                onum(e.se),
                onum(e.ci95.map(|c| c.0)),
                onum(e.ci95.map(|c| c.1)),
                num(e.lo),
                num(e.hi),
                e.free.to_string(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                e.status.clone(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
            ];
            push_row(&mut out, &row);
        }
        for f in &self.fit {
            let row = [
                self.scenario.clone(),
                "moment".into(),
                f.moment.clone(),
                f.unit.clone(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                num(f.record),
                num(f.band.0),
                num(f.band.1),
                num(f.weight),
                num(f.simulated),
                num(f.mc_se),
                f.inside_band.to_string(),
                format!("variance from {}", f.variance_source),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                onum(f.replica_range.map(|r| r.0)),
                onum(f.replica_range.map(|r| r.1)),
            ];
            push_row(&mut out, &row);
        }
        let mut row = vec![String::new(); CSV_COLUMNS.len()];
        row[0] = self.scenario.clone();
        row[1] = "fit".into();
        row[2] = "objective".into();
        row[19] = self.objective.to_string();
        row[20] = self.j.map_or(String::new(), |x| x.to_string());
        row[21] = self.df.map_or(String::new(), |x| x.to_string());
        row[22] = self.p_value.map_or(String::new(), |x| x.to_string());
        push_row(&mut out, &row);
        out
    }

    /// The calibrated scenario as TOML, its provenance and estimates in comments at the top.
    ///
    /// # Errors
    /// [`Error::Scenario`] if the scenario cannot be written as TOML.
    pub fn scenario_toml(&self) -> Result<String, Error> {
        let p = &self.provenance;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Calibrated by negcycle {} (simulated method of moments) to {}",
            p.negcycle, p.record
        );
        let _ = writeln!(s, "# record sha256 {}", p.record_sha256);
        let _ = writeln!(
            s,
            "# seed {}, S = {} replicas, {} starts of at most {} Nelder–Mead iterations, flagged \
             rows: {:?}",
            p.seed, p.replicas, p.starts, p.max_iters, p.flagged
        );
        if !p.options.is_empty() {
            let o: Vec<String> = p.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(s, "# options: {}", o.join(", "));
        }
        let _ = writeln!(s, "# free: {}", p.free.join(","));
        for e in &self.estimates {
            match (e.free, e.se) {
                (true, Some(se)) => {
                    let _ = writeln!(s, "# {} = {} (se {se:.4})", e.key, e.value);
                }
                _ => {
                    let _ = writeln!(s, "# {} = {} ({})", e.key, e.value, e.status);
                }
            }
        }
        match (self.j, self.df, self.p_value) {
            (Some(j), Some(df), Some(pv)) => {
                let _ = writeln!(
                    s,
                    "# objective {:.6}, J = {j:.4} on {df} df (p = {pv:.4})",
                    self.objective
                );
            }
            _ => {
                let _ = writeln!(s, "# objective {:.6}", self.objective);
            }
        }
        s.push_str(&self.calibrated.to_toml_string()?);
        Ok(s)
    }
}

/// The columns of [`Calibration::to_csv_string`] (and of the selection rows of
/// [`super::Selection::to_csv_string`]).
pub const CSV_COLUMNS: [&str; 25] = [
    "scenario",
    "kind",
    "name",
    "unit",
    "estimate",
    "se",
    "ci95_lo",
    "ci95_hi",
    "bound_lo",
    "bound_hi",
    "free",
    "record",
    "band_lo",
    "band_hi",
    "weight",
    "simulated",
    "mc_se",
    "inside_band",
    "status",
    "objective",
    "j",
    "df",
    "p_value",
    "replica_lo",
    "replica_hi",
];

pub(crate) fn push_row(out: &mut String, row: &[String]) {
    // Numbers are written as they are; text is escaped (quoted, formula-guarded).
    let cells: Vec<String> = row
        .iter()
        .map(|c| {
            if c.parse::<f64>().is_ok() {
                c.clone()
            } else {
                csv_value(c).into_owned()
            }
        })
        .collect();
    out.push_str(&cells.join(","));
    out.push('\n');
}
