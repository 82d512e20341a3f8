//! The report as a plain-text table: mean ± 95% CI half-width per arm, then the paired
//! differences against the reference arm, in one number format for every command.

use super::{ArmReport, MetricRow, Report};
use crate::metrics::{METRICS, MetricGroup};
use std::fmt;

/// The host metrics an alliance table shows by default (every metric is in the CSV and JSON).
const ALLIANCE_METRICS: &[&str] = &[
    "opening_demand",
    "payments",
    "lapse_months",
    "support_min",
    "joint_loss",
];

/// `digits` significant digits, without exponent for ordinary magnitudes.
pub(crate) fn sig(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        let d = (digits - 1).max(0) as usize;
        return format!("{x:.d$e}");
    }
    let decimals = (digits - 1 - mag).max(0) as usize;
    format!("{x:.decimals$}")
}

/// `"1 year"`, `"2.5 years"`.
pub fn years_label(c: f64) -> String {
    if c == 1.0 {
        "1 year".into()
    } else {
        format!("{c} years")
    }
}

/// `mean ± half` in the table's one number format.
fn cell(mean: f64, half: f64) -> String {
    format!("{} ± {}", sig(mean, 4), sig(half, 2))
}

/// A table of a report, with the metrics to show (default: all for one host; the totals and
/// five key metrics per host for an alliance) and whether to add the paired differences.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    report: &'a Report,
    metrics: Option<Vec<String>>,
    differences: bool,
}

impl Report {
    /// A table of this report (its [`fmt::Display`] is `self.table()`).
    pub fn table(&self) -> Table<'_> {
        Table {
            report: self,
            metrics: None,
            differences: true,
        }
    }
}

impl<'a> Table<'a> {
    /// Shows only these metrics (host metrics and, in alliances, totals), in this order.
    #[must_use]
    pub fn metrics(mut self, metrics: &[&str]) -> Table<'a> {
        self.metrics = Some(metrics.iter().map(|m| m.to_string()).collect());
        self
    }

    /// Whether to add the block of paired differences against the reference arm (default on).
    #[must_use]
    pub fn differences(mut self, on: bool) -> Table<'a> {
        self.differences = on;
        self
    }

    fn shown(&self, name: &str, default: bool) -> bool {
        match &self.metrics {
            Some(list) => list.iter().any(|m| m == name),
            None => default,
        }
    }

    fn labels(&self) -> Vec<String> {
        let r = self.report;
        let one_variant = r.variants.len() <= 1;
        r.arms
            .iter()
            .enumerate()
            .map(|(k, a)| {
                let mut label = if r.hosts.len() > 1 {
                    format!("arm {k}")
                } else if one_variant && a.schedule.is_some() {
                    // The schedule's name (the label after the variant).
                    a.label
                        .split_once('/')
                        .map_or(a.label.clone(), |(_, n)| format!("schedule {n}"))
                } else if one_variant {
                    years_label(a.cycle())
                } else {
                    a.label.clone()
                };
                if a.label == r.reference {
                    label.push_str(" (ref)");
                }
                label
            })
            .collect()
    }

    /// Writes one block: rows of `(name, per-arm cell)`.
    fn block(
        &self,
        f: &mut fmt::Formatter<'_>,
        rows: &[(String, Vec<String>)],
        width: usize,
    ) -> fmt::Result {
        for (name, cells) in rows {
            write!(f, "  {name:<26}")?;
            for c in cells {
                write!(f, "{c:>width$}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }

    /// The rows of a metric source, as values or as differences.
    fn rows(
        &self,
        diff: bool,
        pick: impl Fn(&ArmReport) -> Option<&MetricRow>,
        name: &str,
        best: Option<&str>,
    ) -> (String, Vec<String>) {
        let r = self.report;
        let cells = r
            .arms
            .iter()
            .map(|a| match pick(a) {
                None => "-".to_string(),
                Some(m) if diff => match m.paired() {
                    Some(d) => format!("{}  ", cell(d.mean, (d.ci95[1] - d.ci95[0]) / 2.0)),
                    None => "(ref)  ".to_string(),
                },
                Some(m) => {
                    let mark = if best == Some(a.label.as_str()) {
                        " *"
                    } else {
                        "  "
                    };
                    format!("{}{mark}", cell(m.mean, m.half_width()))
                }
            })
            .collect();
        (name.to_string(), cells)
    }

    /// Whether any arm has a nonzero politics metric (MODEL.md §10.5).
    fn politics_seen(&self) -> bool {
        self.report.arms.iter().any(|a| {
            a.hosts.iter().any(|h| {
                METRICS
                    .iter()
                    .filter(|m| m.group == MetricGroup::Politics)
                    .any(|m| h.row(m.name).is_ok_and(|r| r.max != 0.0))
            })
        })
    }

    fn body(&self, f: &mut fmt::Formatter<'_>, diff: bool, width: usize) -> fmt::Result {
        let r = self.report;
        let best = r.best_arm("joint_loss").ok().map(|a| a.label.clone());
        let best = if diff { None } else { best.as_deref() };
        let several = r.hosts.len() > 1;
        if several {
            let rows: Vec<_> = crate::alliance::TOTALS
                .iter()
                .filter(|(n, ..)| self.shown(n, true))
                .map(|(n, ..)| self.rows(diff, |a| a.total(n).ok(), n, best))
                .collect();
            if !rows.is_empty() {
                writeln!(f, "patron totals (all hosts)")?;
                self.block(f, &rows, width)?;
            }
            for (h, host) in r.hosts.iter().enumerate() {
                let rows: Vec<_> = METRICS
                    .iter()
                    .filter(|m| self.shown(m.name, ALLIANCE_METRICS.contains(&m.name)))
                    .map(|m| {
                        self.rows(
                            diff,
                            |a| a.hosts.get(h).and_then(|x| x.row(m.name).ok()),
                            m.name,
                            None,
                        )
                    })
                    .collect();
                if !rows.is_empty() {
                    writeln!(f, "{host}")?;
                    self.block(f, &rows, width)?;
                }
            }
            return Ok(());
        }
        for group in [
            MetricGroup::Friction,
            MetricGroup::Uncertainty,
            MetricGroup::AgreementCost,
            MetricGroup::Support,
            MetricGroup::Politics,
        ] {
            // The politics rows are identically zero without `[patron.regimes]`: shown only when
            // some arm has a nonzero value.
            if group == MetricGroup::Politics && !self.politics_seen() {
                continue;
            }
            let rows: Vec<_> = METRICS
                .iter()
                .filter(|m| m.group == group && self.shown(m.name, true))
                .map(|m| {
                    let mark = if m.name == "joint_loss" { best } else { None };
                    self.rows(
                        diff,
                        |a| a.hosts.first().and_then(|x| x.row(m.name).ok()),
                        m.name,
                        mark,
                    )
                })
                .collect();
            if !rows.is_empty() {
                writeln!(f, "{}", group.label())?;
                self.block(f, &rows, width)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.report;
        writeln!(
            f,
            "{} ({}): {} trials, seed {}; mean ± 95% CI half-width over one simulated history",
            r.scenario, r.units, r.trials, r.seed,
        )?;
        if r.variants.len() > 1 || r.variants.iter().any(|v| !v.overrides.is_empty()) {
            for v in &r.variants {
                let sets: Vec<String> = v
                    .overrides
                    .iter()
                    .map(|[k, val]| format!("{k}={val}"))
                    .collect();
                let sets = if sets.is_empty() {
                    "no overrides".to_string()
                } else {
                    sets.join(", ")
                };
                writeln!(f, "variant {}: {sets}; protocol {}", v.name, v.protocol)?;
            }
        }
        let labels = self.labels();
        if r.hosts.len() > 1 {
            for (k, a) in r.arms.iter().enumerate() {
                writeln!(f, "{}: {}", labels[k], a.label)?;
            }
        }
        let width = labels
            .iter()
            .map(|l| l.chars().count() + 2)
            .max()
            .unwrap_or(0)
            .max(22);
        let header = |f: &mut fmt::Formatter<'_>, title: &str| -> fmt::Result {
            write!(f, "{title:<28}")?;
            for l in &labels {
                write!(f, "{l:>width$}")?;
            }
            writeln!(f)
        };
        header(f, if r.hosts.len() > 1 { "arm" } else { "cycle" })?;
        self.body(f, false, width)?;
        if self.differences && r.arms.len() > 1 {
            writeln!(f)?;
            header(f, "minus the reference (paired)")?;
            self.body(f, true, width)?;
        }
        let best_note = if self.shown("joint_loss", true) {
            "* lowest joint loss. "
        } else {
            ""
        };
        writeln!(
            f,
            "{best_note}(ref) = the reference arm; the second block is each arm minus it, trial by \
             trial on the same simulated worlds (mean ± 95% CI half-width).\nMoney in {}, present \
             values; lapse in months; shares of steps.",
            r.units
        )
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.table().fmt(f)
    }
}
