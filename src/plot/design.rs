//! The experiment's design as the charts see it, read from the report directly: the variants
//! (one series each) × the cycle settings (one position each: a cycle length for one host, a
//! joint setting of every host's cycle for an alliance), the reference arm, and metric look-ups
//! per host or for the patron's totals.

use super::axis::{short_number, year_adjective, years_label};
use crate::error::Error;
use crate::report::{ArmReport, HostReport, MetricRow, Report};

/// Which rows of an arm a panel shows: one host's, or the patron's totals over all hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rows {
    /// The host with this index in the report's hosts.
    Host(usize),
    /// The patron's totals (alliances).
    Totals,
}

/// Variants × cycle settings of a report.
#[derive(Debug, Clone)]
pub(super) struct Design<'a> {
    /// The report.
    pub(super) report: &'a Report,
    /// The variants' names in the report's order: one series each.
    pub(super) variants: Vec<&'a str>,
    /// The distinct cycle settings (years per host) in order of first appearance.
    pub(super) cycles: Vec<&'a [f64]>,
    /// `cells[v][c]`: the index of the arm of variant `v` at cycle setting `c`, if run.
    cells: Vec<Vec<Option<usize>>>,
    /// The reference arm's index.
    pub(super) reference: Option<usize>,
}

impl<'a> Design<'a> {
    pub(super) fn new(report: &'a Report) -> Design<'a> {
        let mut variants: Vec<&str> = Vec::new();
        let mut cycles: Vec<&[f64]> = Vec::new();
        for a in &report.arms {
            if !variants.contains(&a.variant.as_str()) {
                variants.push(&a.variant);
            }
            if !cycles.contains(&a.cycle_years.as_slice()) {
                cycles.push(&a.cycle_years);
            }
        }
        let mut cells = vec![vec![None; cycles.len()]; variants.len()];
        for (i, a) in report.arms.iter().enumerate() {
            let v = variants.iter().position(|&n| n == a.variant);
            let c = cycles.iter().position(|&c| c == a.cycle_years.as_slice());
            if let (Some(v), Some(c)) = (v, c) {
                cells[v][c] = Some(i);
            }
        }
        let reference = report.arms.iter().position(|a| a.label == report.reference);
        Design {
            report,
            variants,
            cycles,
            cells,
            reference,
        }
    }

    /// The arm of variant `v` at cycle setting `c`.
    pub(super) fn arm(&self, v: usize, c: usize) -> Option<&'a ArmReport> {
        let i = (*self.cells.get(v)?.get(c)?)?;
        self.report.arms.get(i)
    }

    /// The reference arm's (variant, cycle setting).
    pub(super) fn reference_cell(&self) -> Option<(usize, usize)> {
        let r = self.reference?;
        self.cells
            .iter()
            .enumerate()
            .find_map(|(v, row)| row.iter().position(|&i| i == Some(r)).map(|c| (v, c)))
    }

    /// The (variant, cycle setting) of `arm`, if it is one of the report's arms.
    pub(super) fn cell_of(&self, arm: &ArmReport) -> Option<(usize, usize)> {
        let v = self.variants.iter().position(|n| *n == arm.variant)?;
        let c = self
            .cycles
            .iter()
            .position(|c| *c == arm.cycle_years.as_slice())?;
        Some((v, c))
    }

    /// Whether the report has one host.
    pub(super) fn single_host(&self) -> bool {
        self.report.hosts.len() == 1
    }

    /// The single host's cycle length at setting `c`, years (the first host's in an alliance).
    pub(super) fn cycle(&self, c: usize) -> f64 {
        self.cycles
            .get(c)
            .and_then(|v| v.first())
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// The hosts whose cycle differs between the settings (all of them if none does).
    fn varying_hosts(&self) -> Vec<usize> {
        let n = self.report.hosts.len();
        let varying: Vec<usize> = (0..n)
            .filter(|&h| {
                let first = self.cycles.first().and_then(|c| c.get(h));
                self.cycles.iter().any(|c| c.get(h) != first)
            })
            .collect();
        if varying.is_empty() {
            (0..n).collect()
        } else {
            varying
        }
    }

    /// A short label of cycle setting `c`: the cycle length for one host; for an alliance the
    /// varying hosts' cycles joined by `/` (`1/5`).
    pub(super) fn cycle_label(&self, c: usize) -> String {
        let Some(cycle) = self.cycles.get(c) else {
            return String::new();
        };
        self.varying_hosts()
            .iter()
            .filter_map(|&h| cycle.get(h))
            .map(|&y| short_number(y))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// What the cycle-setting positions mean (an axis description or legend heading).
    pub(super) fn cycle_desc(&self) -> String {
        if self.single_host() {
            return "cycle length, years".into();
        }
        let varying = self.varying_hosts();
        let names: Vec<&str> = varying
            .iter()
            .filter_map(|&h| self.report.hosts.get(h).map(String::as_str))
            .collect();
        let fixed: Vec<String> = (0..self.report.hosts.len())
            .filter(|h| !varying.contains(h))
            .filter_map(|h| {
                let name = self.report.hosts.get(h)?;
                let y = self.cycles.first()?.get(h)?;
                Some(format!("{name} {}", short_number(*y)))
            })
            .collect();
        let mut desc = if names.len() == 1 {
            format!("{}'s cycle length, years", names.join(""))
        } else {
            format!("cycle lengths, years: {}", names.join("/"))
        };
        if !fixed.is_empty() {
            desc.push_str(&format!(" ({})", fixed.join(", ")));
        }
        desc
    }

    /// Cycle setting `c` in words: `1 year`, `5 years`; `korea/japan at 1/5 years`.
    pub(super) fn cycle_words(&self, c: usize) -> String {
        if self.single_host() {
            return years_label(self.cycle(c));
        }
        let names: Vec<&str> = self
            .varying_hosts()
            .iter()
            .filter_map(|&h| self.report.hosts.get(h).map(String::as_str))
            .collect();
        match (names.as_slice(), self.cycles.get(c)) {
            ([one], Some(cycle)) => {
                let h = self.varying_hosts().first().copied().unwrap_or(0);
                let y = cycle.get(h).copied().unwrap_or(f64::NAN);
                format!("{one} at {}", years_label(y))
            }
            _ => format!("{} at {} years", names.join("/"), self.cycle_label(c)),
        }
    }

    /// A panel or key name for the arm of variant `v` at setting `c`: `5-year agreements`,
    /// `tough, 5-year agreements`, `korea/japan at 1/5 years`.
    pub(super) fn arm_words(&self, v: usize, c: usize) -> String {
        let cycle = if self.single_host() {
            format!("{} agreements", year_adjective(self.cycle(c)))
        } else {
            self.cycle_words(c)
        };
        if self.variants.len() > 1 {
            format!("{}, {cycle}", self.variants.get(v).copied().unwrap_or(""))
        } else {
            cycle
        }
    }

    /// The reference arm in words, for keys and subtitles.
    pub(super) fn reference_words(&self) -> Option<String> {
        let (v, c) = self.reference_cell()?;
        Some(self.arm_words(v, c))
    }

    /// The rows a panel can show: `Totals` first for an alliance, then every host.
    pub(super) fn row_sets(&self) -> Vec<Rows> {
        let hosts = (0..self.report.hosts.len()).map(Rows::Host);
        if self.single_host() {
            hosts.collect()
        } else {
            std::iter::once(Rows::Totals).chain(hosts).collect()
        }
    }

    /// The name of a row set: the host's name, or the patron's totals.
    pub(super) fn rows_name(&self, rows: Rows) -> String {
        match rows {
            Rows::Host(h) => self.report.hosts.get(h).cloned().unwrap_or_default(),
            Rows::Totals => "Patron's totals over all hosts".to_string(),
        }
    }
}

/// The host report of `arm` for host `h`.
pub(super) fn host(arm: &ArmReport, h: usize) -> Option<&HostReport> {
    arm.hosts.get(h)
}

/// The row of `metric` in `arm` for `rows`.
///
/// # Errors
/// [`Error::UnknownMetric`] if the arm has no such row.
pub(super) fn metric_row<'r>(
    arm: &'r ArmReport,
    rows: Rows,
    metric: &str,
) -> Result<&'r MetricRow, Error> {
    match rows {
        Rows::Host(h) => match host(arm, h) {
            Some(hr) => hr.row(metric),
            None => Err(Error::Internal(format!(
                "arm {} has no host {h}",
                arm.label
            ))),
        },
        Rows::Totals => arm.total(metric),
    }
}
