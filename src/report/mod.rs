//! Reports: the summary of an experiment per arm, host and metric, with paired differences
//! against the reference arm; partial reports of shards and their merge; output as a table
//! ([`std::fmt::Display`]), JSON, JSON lines and tidy CSV in one schema (`OUTPUT.md`).
//!
//! # JSON shape
//! ```text
//! {"negcycle": version, "scenario": name, "units": units, "fingerprint": hex, "seed": n,
//!  "trials": n, "hosts": [name, ...], "variants": [{"name", "overrides": [[key, value]],
//!  "protocol"}], "reference": label, "quantile_relative_error": 0.005,
//!  "arms": [{"label": "base/5", "variant": "base", "cycle_years": [5.0],
//!            "hosts": [{"host": "host", "cycle_years": 5.0,
//!                       "metrics": [{"metric", "group", "unit", "n", "mean", "sd", "se",
//!                                    "ci95_lo", "ci95_hi", "min", "p05", "p25", "p50",
//!                                    "p75", "p95", "max", "diff_mean", "diff_se",
//!                                    "diff_ci95_lo", "diff_ci95_hi"}],
//!                       "signing_vs_deadline_months": {"edges": [...], "counts": [...]},
//!                       "lapse_months_histogram": {"edges": [...], "counts": [...]}}],
//!            "totals": [metric rows: the patron's totals over hosts, alliances only]}]}
//! ```
//! The `diff_*` fields are the mean of the per-trial difference `arm − reference` (same trial,
//! same world) with its standard error and 95% CI; `null` in the reference arm. In pandas,
//! `pd.json_normalize(report, record_path=["arms", "hosts", "metrics"], meta=[["arms",
//! "label"], ["arms", "variant"], ["arms", "hosts", "host"]])` is the tidy table; `--format
//! jsonl` writes its rows one object per line (`pd.read_json(path, lines=True)`).
//!
//! Quantiles come from a sketch with relative error at most `quantile_relative_error`
//! ([`crate::stats::QuantileSketch`]) and are clamped to the exact `[min, max]`; every other
//! statistic is exact up to the final rounding.

mod csv;
pub mod escape;
mod header;
mod json;
mod partial;
mod table;
mod tidy;
pub mod write;

pub use header::{ArmInfo, Header, PrecisionTarget, VERSION, VariantInfo, arm_label, full_label};
pub use partial::{PARTIAL_FORMAT, PartialReport};
pub use table::{Table, years_label};
pub use tidy::{Cell, Row, columns};
pub use write::write_atomic;

use crate::alliance::TOTALS;
use crate::error::Error;
use crate::metrics::{METRICS, metric_index};
use crate::stats::{MetricTally, Paired, PairedSummary, QUANTILE_RELATIVE_ERROR, Summary};
use crate::tally::{HostTally, Tally};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The host column's value for the patron's totals over all hosts (no host name can contain
/// parentheses).
pub const ALL_HOSTS: &str = "(all)";

/// One metric of one host in one arm: its summary and its paired difference against the same
/// host in the reference arm. Field names are the tidy schema's column names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRow {
    /// The metric's key.
    pub metric: String,
    /// Its group (`friction`, `uncertainty`, `agreement cost`, `support`, `patron totals`).
    pub group: String,
    /// Its unit.
    pub unit: String,
    /// Values summarised (the trial count).
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1).
    pub sd: f64,
    /// Standard error of the mean.
    pub se: f64,
    /// Lower end of the 95% CI of the mean.
    pub ci95_lo: f64,
    /// Upper end of the 95% CI of the mean.
    pub ci95_hi: f64,
    /// Exact minimum.
    pub min: f64,
    /// 5th percentile (sketch, clamped to [min, max]).
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Exact maximum.
    pub max: f64,
    /// Mean of `arm − reference` per trial (`None` in the reference arm).
    pub diff_mean: Option<f64>,
    /// Its standard error.
    pub diff_se: Option<f64>,
    /// Lower end of its 95% CI.
    pub diff_ci95_lo: Option<f64>,
    /// Upper end of its 95% CI.
    pub diff_ci95_hi: Option<f64>,
}

impl MetricRow {
    fn new(
        metric: &str,
        group: &str,
        unit: &str,
        tally: &MetricTally,
        paired: Option<&Paired>,
    ) -> MetricRow {
        let s = tally.summary();
        let d = paired.map(Paired::summary);
        MetricRow {
            metric: metric.to_string(),
            group: group.to_string(),
            unit: unit.to_string(),
            n: s.n,
            mean: s.mean,
            sd: s.sd,
            se: s.se,
            ci95_lo: s.ci95[0],
            ci95_hi: s.ci95[1],
            min: s.min,
            p05: s.p05,
            p25: s.p25,
            p50: s.p50,
            p75: s.p75,
            p95: s.p95,
            max: s.max,
            diff_mean: d.as_ref().map(|d| d.mean),
            diff_se: d.as_ref().map(|d| d.se),
            diff_ci95_lo: d.as_ref().map(|d| d.ci95[0]),
            diff_ci95_hi: d.as_ref().map(|d| d.ci95[1]),
        }
    }

    /// The summary statistics.
    pub fn summary(&self) -> Summary {
        Summary {
            n: self.n,
            mean: self.mean,
            sd: self.sd,
            se: self.se,
            ci95: [self.ci95_lo, self.ci95_hi],
            min: self.min,
            max: self.max,
            p05: self.p05,
            p25: self.p25,
            p50: self.p50,
            p75: self.p75,
            p95: self.p95,
        }
    }

    /// The paired difference against the reference arm (`None` in the reference arm).
    pub fn paired(&self) -> Option<PairedSummary> {
        Some(PairedSummary {
            mean: self.diff_mean?,
            se: self.diff_se?,
            ci95: [self.diff_ci95_lo?, self.diff_ci95_hi?],
        })
    }

    /// Half the width of the 95% CI of the mean.
    pub fn half_width(&self) -> f64 {
        (self.ci95_hi - self.ci95_lo) / 2.0
    }
}

/// A histogram in the report: `counts[i]` values fell in `[edges[i], edges[i+1])`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistogramReport {
    /// Bin edges, months.
    pub edges: Vec<f64>,
    /// Counts per bin.
    pub counts: Vec<u64>,
}

/// One host in one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostReport {
    /// The host's name (`host` for a single scenario).
    pub host: String,
    /// The host's cycle length in this arm, years.
    pub cycle_years: f64,
    /// One row per metric, in [`METRICS`] order.
    pub metrics: Vec<MetricRow>,
    /// Signing time relative to the deadline of completed negotiations, months.
    pub signing_vs_deadline_months: HistogramReport,
    /// Lapse length of completed negotiations, months (first bin: no lapse).
    pub lapse_months_histogram: HistogramReport,
}

impl HostReport {
    fn from_tally(host: &str, cycle_years: f64, t: &HostTally) -> HostReport {
        HostReport {
            host: host.to_string(),
            cycle_years,
            metrics: METRICS
                .iter()
                .zip(&t.metrics)
                .enumerate()
                .map(|(i, (info, m))| {
                    MetricRow::new(info.name, info.group.label(), info.unit, m, t.paired.get(i))
                })
                .collect(),
            signing_vs_deadline_months: HistogramReport {
                edges: t.signing.edges().to_vec(),
                counts: t.signing.counts().to_vec(),
            },
            lapse_months_histogram: HistogramReport {
                edges: t.lapse.edges().to_vec(),
                counts: t.lapse.counts().to_vec(),
            },
        }
    }

    /// The row of one metric.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] listing the metric names.
    pub fn row(&self, name: &str) -> Result<&MetricRow, Error> {
        self.metrics
            .iter()
            .find(|r| r.metric == name)
            .ok_or_else(|| unknown_metric(name))
    }

    /// The summary of one metric.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] listing the metric names.
    pub fn metric(&self, name: &str) -> Result<Summary, Error> {
        self.row(name).map(MetricRow::summary)
    }

    /// The paired difference against the reference arm for one metric; `None` in the
    /// reference arm.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] listing the metric names.
    pub fn vs_reference(&self, name: &str) -> Result<Option<PairedSummary>, Error> {
        self.row(name).map(MetricRow::paired)
    }
}

/// One arm of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmReport {
    /// The label (`base/5`; `base/korea=1,japan=5` with several hosts).
    pub label: String,
    /// The variant's name.
    pub variant: String,
    /// Cycle length per host, years (for a schedule arm: the cycle after the schedule).
    pub cycle_years: Vec<f64>,
    /// A schedule arm's agreement lengths, years (MODEL.md §10.6); absent for a cycle arm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<f64>>,
    /// Per host, in the hosts' order.
    pub hosts: Vec<HostReport>,
    /// The patron's totals over all hosts (alliances only; empty with one host).
    pub totals: Vec<MetricRow>,
}

impl ArmReport {
    /// The host named `name`.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `host` and listing the hosts.
    pub fn host(&self, name: &str) -> Result<&HostReport, Error> {
        self.hosts
            .iter()
            .find(|h| h.host == name)
            .ok_or_else(|| Error::InvalidExperiment {
                field: "host".into(),
                rule: format!(
                    "must be one of {}",
                    self.hosts
                        .iter()
                        .map(|h| h.host.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                got: name.to_string(),
            })
    }

    fn only_host(&self) -> Result<&HostReport, Error> {
        match self.hosts.as_slice() {
            [h] => Ok(h),
            _ => Err(Error::InvalidExperiment {
                field: "host".into(),
                rule: "an alliance arm has several hosts: use .host(NAME) or .total(METRIC)".into(),
                got: self.label.clone(),
            }),
        }
    }

    /// The cycle length of a single-host arm, years (the first host's in an alliance).
    pub fn cycle(&self) -> f64 {
        self.cycle_years.first().copied().unwrap_or(f64::NAN)
    }

    /// The summary of one metric of the arm's only host.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`]; [`Error::InvalidExperiment`] for an alliance arm.
    pub fn metric(&self, name: &str) -> Result<Summary, Error> {
        self.only_host()?.metric(name)
    }

    /// The paired difference of one metric of the arm's only host against the reference arm.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`]; [`Error::InvalidExperiment`] for an alliance arm.
    pub fn vs_reference(&self, name: &str) -> Result<Option<PairedSummary>, Error> {
        self.only_host()?.vs_reference(name)
    }

    /// The row of one of the patron's totals (alliances).
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] listing the totals.
    pub fn total(&self, name: &str) -> Result<&MetricRow, Error> {
        self.totals
            .iter()
            .find(|r| r.metric == name)
            .ok_or_else(|| Error::UnknownMetric {
                name: name.to_string(),
                available: TOTALS.iter().map(|(n, ..)| n.to_string()).collect(),
            })
    }
}

fn unknown_metric(name: &str) -> Error {
    Error::UnknownMetric {
        name: name.to_string(),
        available: METRICS.iter().map(|m| m.name.to_string()).collect(),
    }
}

/// The report of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Crate version that produced it.
    pub negcycle: String,
    /// Scenario name.
    pub scenario: String,
    /// Money unit of the scenario.
    pub units: String,
    /// Fingerprint of the experiment (see [`Header`]).
    pub fingerprint: String,
    /// Seed.
    pub seed: u64,
    /// Trials run.
    pub trials: u64,
    /// The hosts' names (`["host"]` for a single scenario).
    pub hosts: Vec<String>,
    /// The variants.
    pub variants: Vec<VariantInfo>,
    /// The reference arm's label.
    pub reference: String,
    /// The quantile sketch's relative error bound α.
    pub quantile_relative_error: f64,
    /// One entry per arm, in the experiment's order (variant-major).
    pub arms: Vec<ArmReport>,
}

impl Report {
    /// The report of `tally` (all or some trials of the experiment `header`).
    ///
    /// # Errors
    /// [`Error::Internal`] if the tally does not fit the header.
    pub fn from_tally(header: &Header, tally: &Tally) -> Result<Report, Error> {
        if tally.arms.len() != header.arms.len() {
            return Err(Error::Internal(
                "tally and header have different arms".into(),
            ));
        }
        let arms = header
            .arms
            .iter()
            .zip(&tally.arms)
            .map(|(info, t)| ArmReport {
                label: info.label.clone(),
                variant: info.variant.clone(),
                cycle_years: info.cycle_years.clone(),
                schedule: info.schedule.clone(),
                hosts: header
                    .hosts
                    .iter()
                    .zip(&info.cycle_years)
                    .zip(&t.hosts)
                    .map(|((name, &c), h)| HostReport::from_tally(name, c, h))
                    .collect(),
                totals: TOTALS
                    .iter()
                    .zip(&t.totals)
                    .enumerate()
                    .map(|(i, ((name, unit, _), m))| {
                        MetricRow::new(name, "patron totals", unit, m, t.totals_paired.get(i))
                    })
                    .collect(),
            })
            .collect();
        Ok(Report {
            negcycle: header.negcycle.clone(),
            scenario: header.input.name().to_string(),
            units: header.input.units().to_string(),
            fingerprint: header.fingerprint.clone(),
            seed: header.seed,
            trials: tally.trials(),
            hosts: header.hosts.clone(),
            variants: header.variants.clone(),
            reference: header
                .reference_arm()
                .map_or(String::new(), |a| a.label.clone()),
            quantile_relative_error: QUANTILE_RELATIVE_ERROR,
            arms,
        })
    }

    /// Merges the partial reports of all shards of one experiment into its full report, which
    /// is bit-identical to the report of the unsharded run.
    ///
    /// # Errors
    /// [`Error::Merge`] naming the part and the field: no parts, parts of different
    /// experiments, a checksum or fingerprint that does not match the contents, statistics
    /// that do not hold their trial range or contradict themselves, overlaps or gaps.
    pub fn merge(parts: &[PartialReport]) -> Result<Report, Error> {
        let (header, tally) = partial::merge(parts, None)?;
        Report::from_tally(header, &tally)
    }

    /// As [`Report::merge`], with one name per part (its file, say): every message about a part
    /// starts with its name, and a part of another experiment is named beside the first part.
    ///
    /// # Errors
    /// As [`Report::merge`]; [`Error::InvalidExperiment`] if the names are not one per part.
    pub fn merge_named(parts: &[PartialReport], names: &[&str]) -> Result<Report, Error> {
        if names.len() != parts.len() {
            return Err(Error::InvalidExperiment {
                field: "names".into(),
                rule: format!("one name per part ({})", parts.len()),
                got: names.len().to_string(),
            });
        }
        let (header, tally) = partial::merge(parts, Some(names))?;
        Report::from_tally(header, &tally)
    }

    /// The arm with label `label` (`"tough/5"`; a bare `"5"` means the first variant's arm).
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] listing the labels.
    pub fn arm(&self, label: &str) -> Result<&ArmReport, Error> {
        let first = self.arms.first().map_or("", |a| a.variant.as_str());
        let full = full_label(label, first);
        self.arms
            .iter()
            .find(|a| a.label == full)
            .ok_or_else(|| Error::InvalidExperiment {
                field: "arm".into(),
                rule: format!(
                    "must be one of {}",
                    self.arms
                        .iter()
                        .map(|a| a.label.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                got: label.to_string(),
            })
    }

    /// The first variant's single-host arm with cycle length `cycle_years`.
    ///
    /// # Errors
    /// [`Error::UnknownArm`] listing the first variant's cycle lengths.
    pub fn cycle(&self, cycle_years: f64) -> Result<&ArmReport, Error> {
        let first = self.arms.first().map_or("", |a| a.variant.as_str());
        let mine = || self.arms.iter().filter(|a| a.variant == first);
        mine()
            .find(|a| a.cycle_years.iter().all(|&c| c == cycle_years))
            .ok_or_else(|| Error::UnknownArm {
                cycle_years,
                available: mine().map(ArmReport::cycle).collect(),
            })
    }

    /// The reference arm.
    ///
    /// # Errors
    /// [`Error::Internal`] if the report names a reference it does not hold.
    pub fn reference_arm(&self) -> Result<&ArmReport, Error> {
        self.arms
            .iter()
            .find(|a| a.label == self.reference)
            .ok_or_else(|| Error::Internal("the reference arm is missing".into()))
    }

    /// The arm with the lowest mean of `metric` (summed over hosts in an alliance: the
    /// patron's total when `metric` is one of the totals).
    ///
    /// # Errors
    /// [`Error::UnknownMetric`].
    pub fn best_arm(&self, metric: &str) -> Result<&ArmReport, Error> {
        if metric_index(metric).is_none() && !TOTALS.iter().any(|(n, ..)| *n == metric) {
            return Err(unknown_metric(metric));
        }
        let value = |a: &ArmReport| -> f64 {
            if let Ok(t) = a.total(metric) {
                return t.mean;
            }
            a.hosts
                .iter()
                .filter_map(|h| h.row(metric).ok())
                .map(|r| r.mean)
                .sum()
        };
        let mut best: Option<(&ArmReport, f64)> = None;
        for a in &self.arms {
            let m = value(a);
            if best.is_none_or(|(_, b)| m < b) {
                best = Some((a, m));
            }
        }
        best.map(|(a, _)| a).ok_or_else(|| unknown_metric(metric))
    }

    /// Writes the JSON report to `path` atomically (temporary file, then rename).
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), self.to_json_string()?.as_bytes())
    }

    /// Writes the CSV report to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), self.to_csv_string().as_bytes())
    }
}
