//! The tidy table every report command writes (CSV and JSON lines): one row per arm × host ×
//! metric. The columns are documented in `OUTPUT.md` and listed by [`columns`].

use super::{ALL_HOSTS, MetricRow, Report};

/// The columns before the per-host cycle columns.
const LEAD: &[&str] = &["scenario", "arm", "variant", "cycle_years"];
/// The columns after them.
const TAIL: &[&str] = &[
    "host",
    "metric",
    "group",
    "unit",
    "n",
    "mean",
    "sd",
    "se",
    "ci95_lo",
    "ci95_hi",
    "min",
    "p05",
    "p25",
    "p50",
    "p75",
    "p95",
    "max",
    "reference",
    "diff_mean",
    "diff_se",
    "diff_ci95_lo",
    "diff_ci95_hi",
];

/// The tidy table's columns for a report with these hosts: with several hosts, one
/// `cycle_years.HOST` column per host follows `cycle_years` (the row's own host's cycle).
pub fn columns(hosts: &[String]) -> Vec<String> {
    columns_with(hosts, false)
}

/// [`columns`], with a `schedule_years` column after the cycle columns when `schedules` (some
/// arm is an agreement schedule: its lengths, comma-separated; empty for cycle arms).
pub fn columns_with(hosts: &[String], schedules: bool) -> Vec<String> {
    let mut out: Vec<String> = LEAD.iter().map(|s| s.to_string()).collect();
    if hosts.len() > 1 {
        out.extend(hosts.iter().map(|h| format!("cycle_years.{h}")));
    }
    if schedules {
        out.push("schedule_years".to_string());
    }
    out.extend(TAIL.iter().map(|s| s.to_string()));
    out
}

/// A cell of the tidy table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Text.
    Text(&'a str),
    /// Text owned by the row.
    Owned(String),
    /// A number.
    Number(f64),
    /// A count.
    Count(u64),
    /// No value (the reference arm's differences; the totals' own cycle).
    Empty,
}

/// One row of the tidy table, cells in [`columns`] order.
pub type Row<'a> = Vec<Cell<'a>>;

fn metric_cells<'a>(r: &'a MetricRow, reference: &'a str, out: &mut Row<'a>) {
    let opt = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    out.extend([
        Cell::Text(&r.metric),
        Cell::Text(&r.group),
        Cell::Text(&r.unit),
        Cell::Count(r.n),
        Cell::Number(r.mean),
        Cell::Number(r.sd),
        Cell::Number(r.se),
        Cell::Number(r.ci95_lo),
        Cell::Number(r.ci95_hi),
        Cell::Number(r.min),
        Cell::Number(r.p05),
        Cell::Number(r.p25),
        Cell::Number(r.p50),
        Cell::Number(r.p75),
        Cell::Number(r.p95),
        Cell::Number(r.max),
        Cell::Text(reference),
        opt(r.diff_mean),
        opt(r.diff_se),
        opt(r.diff_ci95_lo),
        opt(r.diff_ci95_hi),
    ]);
}

impl Report {
    /// Whether some arm is an agreement schedule (the tidy table then has `schedule_years`).
    pub fn has_schedules(&self) -> bool {
        self.arms.iter().any(|a| a.schedule.is_some())
    }

    /// The tidy table's columns for this report.
    pub fn tidy_columns(&self) -> Vec<String> {
        columns_with(&self.hosts, self.has_schedules())
    }

    /// The tidy table's rows, in arm, host (the totals last), metric order.
    pub fn tidy_rows(&self) -> Vec<Row<'_>> {
        let several = self.hosts.len() > 1;
        let schedules = self.has_schedules();
        let mut rows = Vec::new();
        for arm in &self.arms {
            let lead = |own: Option<f64>| {
                let mut row: Row<'_> = vec![
                    Cell::Text(&self.scenario),
                    Cell::Text(&arm.label),
                    Cell::Text(&arm.variant),
                    own.map_or(Cell::Empty, Cell::Number),
                ];
                if several {
                    row.extend(arm.cycle_years.iter().map(|&c| Cell::Number(c)));
                }
                if schedules {
                    row.push(match &arm.schedule {
                        Some(years) => Cell::Owned(
                            years
                                .iter()
                                .map(|y| y.to_string())
                                .collect::<Vec<_>>()
                                .join(","),
                        ),
                        None => Cell::Empty,
                    });
                }
                row
            };
            for h in &arm.hosts {
                for r in &h.metrics {
                    let mut row = lead(Some(h.cycle_years));
                    row.push(Cell::Text(&h.host));
                    metric_cells(r, &self.reference, &mut row);
                    rows.push(row);
                }
            }
            for r in &arm.totals {
                let mut row = lead(None);
                row.push(Cell::Text(ALL_HOSTS));
                metric_cells(r, &self.reference, &mut row);
                rows.push(row);
            }
        }
        rows
    }
}
