//! The charts' view of a report: one arm per cycle length of one host.

use crate::error::Error;
use crate::metrics::{METRICS, MetricInfo};
use crate::report::HistogramReport;
use crate::stats::Summary;
use std::collections::BTreeMap;

/// One arm as the charts see it.
#[derive(Clone)]
pub(super) struct ArmReport {
    pub(super) cycle_years: f64,
    pub(super) metrics: BTreeMap<String, Summary>,
    pub(super) signing_vs_deadline_months: HistogramReport,
}

impl ArmReport {
    pub(super) fn metric(&self, name: &str) -> Result<&Summary, Error> {
        self.metrics.get(name).ok_or_else(|| unknown_metric(name))
    }
}

/// A single-host report as the charts see it.
#[derive(Clone)]
pub(super) struct Report {
    pub(super) scenario: String,
    pub(super) units: String,
    pub(super) fingerprint: String,
    pub(super) seed: u64,
    pub(super) trials: u64,
    pub(super) reference_cycle_years: f64,
    pub(super) arms: Vec<ArmReport>,
}

impl Report {
    /// The arms of `variant` (all arms when `None`), first host.
    fn of_variant(r: &crate::report::Report, variant: Option<&str>) -> Report {
        let arms = r
            .arms
            .iter()
            .filter(|a| variant.is_none_or(|v| a.variant == v))
            .filter_map(|a| {
                let h = a.hosts.first()?;
                Some(ArmReport {
                    cycle_years: h.cycle_years,
                    metrics: h
                        .metrics
                        .iter()
                        .map(|m| (m.metric.clone(), m.summary()))
                        .collect(),
                    signing_vs_deadline_months: h.signing_vs_deadline_months.clone(),
                })
            })
            .collect();
        Report {
            scenario: r.scenario.clone(),
            units: r.units.clone(),
            fingerprint: r.fingerprint.clone(),
            seed: r.seed,
            trials: r.trials,
            reference_cycle_years: r.reference_arm().map_or(f64::NAN, |a| a.cycle()),
            arms,
        }
    }

    pub(super) fn view(r: &crate::report::Report) -> Report {
        let first = r.arms.first().map(|a| a.variant.clone());
        Report::of_variant(r, first.as_deref())
    }
}

/// A sweep as the charts see it: one single-variant report per value.
#[derive(Clone)]
pub(super) struct SweepReport {
    pub(super) parameter: String,
    pub(super) values: Vec<String>,
    pub(super) reports: Vec<Report>,
}

impl SweepReport {
    pub(super) fn view(r: &crate::report::Report) -> Result<SweepReport, Error> {
        let (parameter, values) =
            crate::run::sweep::swept(r).ok_or_else(|| Error::InvalidExperiment {
                field: "variants".into(),
                rule: "a sweep chart needs variants that each set the same one key".into(),
                got: format!("{} variants", r.variants.len()),
            })?;
        let reports = r
            .variants
            .iter()
            .map(|v| Report::of_variant(r, Some(&v.name)))
            .collect();
        Ok(SweepReport {
            parameter,
            values,
            reports,
        })
    }

    pub(super) fn numeric_values(&self) -> Option<Vec<f64>> {
        self.values.iter().map(|v| v.trim().parse().ok()).collect()
    }

    pub(super) fn cycle_years(&self) -> Vec<f64> {
        let mut out: Vec<f64> = Vec::new();
        for r in &self.reports {
            for a in &r.arms {
                if !out.contains(&a.cycle_years) {
                    out.push(a.cycle_years);
                }
            }
        }
        out
    }
}

fn unknown_metric(name: &str) -> Error {
    Error::UnknownMetric {
        name: name.to_string(),
        available: METRICS.iter().map(|m| m.name.to_string()).collect(),
    }
}

pub(super) fn metric_info(name: &str) -> Result<&'static MetricInfo, Error> {
    METRICS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| unknown_metric(name))
}
