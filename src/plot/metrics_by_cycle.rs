//! `metrics_by_cycle.svg`: the headline metrics against the cycle setting, one series per
//! variant. One host: one section per metric group (friction, uncertainty, agreement cost,
//! support) on a cycle-length axis. An alliance: one section for the patron's totals and one
//! per host, on an axis of the joint cycle settings.

use super::axis::{Axis, category_axis, cycle_axis, thousands};
use super::design::{Design, Rows, metric_row};
use super::draw::{BLUE_OI, Line, MIN_WIDTH, MUTED, Pt, SERIES, VERMILLION_OI, capitalised};
use super::grid::{Figure, Panel, Section, Swatch, figure_svg};
use super::titles::{host_metric, total_metric};
use crate::error::Error;
use crate::metrics::MetricGroup;

/// The headline metrics of one host, one section per group.
pub(super) const RUN_ROWS: [(MetricGroup, &[&str]); 4] = [
    (
        MetricGroup::Friction,
        &["lapse_months", "negotiations", "transaction_cost"],
    ),
    (
        MetricGroup::Uncertainty,
        &["unsettled_share", "mismatch", "payment_volatility"],
    ),
    (
        MetricGroup::AgreementCost,
        &["payments", "payments_vs_fair", "joint_loss"],
    ),
    (MetricGroup::Support, &["support_final", "support_min"]),
];

/// The metrics of an alliance chart: each both a host metric and one of the patron's totals.
pub(super) const ALLIANCE_METRICS: [&str; 4] =
    ["lapse_months", "joint_loss", "payments", "support_min"];

/// The sections of a headline chart: for one host, one per metric group of [`RUN_ROWS`]; for
/// an alliance, one per row set (the patron's totals, then each host) with
/// [`ALLIANCE_METRICS`]. `panel` draws one metric of one row set.
pub(super) fn headline_sections(
    design: &Design,
    panel: impl Fn(Rows, &str) -> Result<Panel, Error>,
) -> Result<Vec<Section>, Error> {
    let mut sections = Vec::new();
    if design.single_host() {
        for (group, names) in RUN_ROWS {
            let panels = names
                .iter()
                .map(|m| panel(Rows::Host(0), m))
                .collect::<Result<Vec<_>, _>>()?;
            sections.push(Section {
                heading: Some(capitalised(group.label())),
                panels,
            });
        }
    } else {
        for rows in design.row_sets() {
            let panels = ALLIANCE_METRICS
                .iter()
                .map(|m| panel(rows, m))
                .collect::<Result<Vec<_>, _>>()?;
            sections.push(Section {
                heading: Some(design.rows_name(rows)),
                panels,
            });
        }
    }
    Ok(sections)
}

/// Panel width, pixels.
const PANEL_W: i32 = 520;
/// Panel height, pixels.
const PANEL_H: i32 = 420;

/// The colour of variant `v`'s series.
pub(super) fn variant_color(v: usize) -> plotters::style::RGBColor {
    SERIES[v % SERIES.len()]
}

/// The x axis of the cycle settings and the position of each: a cycle-length axis (log scale
/// from a ratio of 8) for one host, evenly spaced joint settings for an alliance.
pub(super) fn cycle_positions(design: &Design<'_>, plot_px: f64) -> (Axis, Vec<f64>) {
    let reference = design.reference_cell().map(|(_, c)| c);
    if design.single_host() {
        let cycles: Vec<f64> = (0..design.cycles.len()).map(|c| design.cycle(c)).collect();
        let (axis, scale) = cycle_axis(&cycles, reference.map(|c| design.cycle(c)), plot_px);
        let pos = cycles.iter().map(|&c| scale.pos(c)).collect();
        (axis, pos)
    } else {
        let labels: Vec<String> = (0..design.cycles.len())
            .map(|c| {
                let l = design.cycle_label(c);
                if Some(c) == reference {
                    format!("{l} (ref)")
                } else {
                    l
                }
            })
            .collect();
        let axis = category_axis(&labels, design.cycle_desc(), plot_px);
        let pos = (0..design.cycles.len()).map(|c| c as f64).collect();
        (axis, pos)
    }
}

/// The (unit, definition) of `metric` in `rows`.
pub(super) fn unit_and_definition(
    rows: Rows,
    metric: &str,
) -> Result<(&'static str, &'static str), Error> {
    let found = match rows {
        Rows::Host(_) => host_metric(metric).map(|m| (m.unit, m.definition)),
        Rows::Totals => total_metric(metric),
    };
    found.ok_or_else(|| Error::UnknownMetric {
        name: metric.to_string(),
        available: crate::metrics::METRICS
            .iter()
            .map(|m| m.name.to_string())
            .collect(),
    })
}

/// One panel: `metric` of `rows`, one line per variant over the cycle settings.
fn panel(
    design: &Design<'_>,
    rows: Rows,
    metric: &str,
    positions: &[f64],
    dodge: f64,
    best: Option<&str>,
) -> Result<Panel, Error> {
    let (unit, definition) = unit_and_definition(rows, metric)?;
    let n = design.variants.len() as f64;
    let mut lines = Vec::new();
    for v in 0..design.variants.len() {
        let offset = (v as f64 - (n - 1.0) / 2.0) * dodge;
        let mut pts = Vec::new();
        for (c, &x) in positions.iter().enumerate() {
            if let Some(arm) = design.arm(v, c) {
                let row = metric_row(arm, rows, metric)?;
                pts.push(Pt {
                    x: x + offset,
                    mean: row.mean,
                    lo: row.ci95_lo,
                    hi: row.ci95_hi,
                    ring: Some(arm.label.as_str()) == best,
                });
            }
        }
        lines.push(Line {
            color: if design.variants.len() == 1 {
                BLUE_OI
            } else {
                variant_color(v)
            },
            pts,
        });
    }
    Ok(Panel::metric_lines(
        design, metric, definition, unit, lines, false,
    ))
}

/// The key entries for the variants' series (none for a single variant).
pub(super) fn variant_key(
    design: &Design<'_>,
    swatch: fn(plotters::style::RGBColor) -> Swatch,
) -> Vec<(Swatch, String)> {
    if design.variants.len() < 2 {
        return Vec::new();
    }
    design
        .variants
        .iter()
        .enumerate()
        .map(|(v, name)| (swatch(variant_color(v)), format!("variant {name}")))
        .collect()
}

/// The chart (SVG text).
///
/// # Errors
/// [`Error::UnknownMetric`] if an arm lacks a headline metric; [`Error::Internal`] if drawing
/// fails.
pub(super) fn metrics_by_cycle_svg(design: &Design<'_>) -> Result<String, Error> {
    let report = design.report;
    let best = report.best_arm("joint_loss").ok().map(|a| a.label.as_str());
    let (cols, panel_w) = if design.single_host() {
        (3, PANEL_W)
    } else {
        (4, PANEL_W.max((MIN_WIDTH - 40) / 4))
    };
    let (x_axis, positions) = cycle_positions(design, f64::from(panel_w - 120));
    let dodge = if design.variants.len() > 1 {
        (x_axis.hi - x_axis.lo) * 0.008
    } else {
        0.0
    };
    let sections = headline_sections(design, |rows, m| {
        panel(design, rows, m, &positions, dodge, best)
    })?;
    let mut key = variant_key(design, Swatch::Series);
    if key.is_empty() {
        key.push((
            Swatch::Series(BLUE_OI),
            "mean over the simulated histories".into(),
        ));
    }
    key.push((
        Swatch::Ci(if design.variants.len() == 1 {
            BLUE_OI
        } else {
            MUTED
        }),
        "95% CI of the mean (hidden where shorter than the dot)".into(),
    ));
    let reference = design.reference_cell();
    if let Some(words) = design.reference_words() {
        key.push((
            Swatch::Dashed(MUTED),
            format!("reference arm (ref): {words}"),
        ));
    }
    if let Some(arm) = best.and_then(|l| report.arms.iter().find(|a| a.label == l)) {
        let words = design
            .cell_of(arm)
            .map_or_else(|| arm.label.clone(), |(v, c)| design.arm_words(v, c));
        let what = if design.single_host() {
            "lowest mean joint loss"
        } else {
            "lowest mean joint loss of the patron"
        };
        key.push((Swatch::Ring(VERMILLION_OI), format!("{what}: {words}")));
    }
    let units = if report.units.trim().is_empty() {
        "scenario units"
    } else {
        report.units.trim()
    };
    let title = if design.single_host() {
        "Headline metrics by agreement cycle length"
    } else {
        "Headline metrics by cycle setting, per host and for the patron"
    };
    let figure = Figure {
        title: title.into(),
        subtitles: vec![
            format!(
                "{}: mean per simulated history with 95% confidence interval; {} trials, seed {}, \
                 experiment {}",
                report.scenario,
                thousands(report.trials),
                report.seed,
                report.fingerprint
            ),
            format!(
                "Money in {units}, present values; shares are fractions of the simulated time steps. \
                 Value axes start at zero unless marked truncated (axis break)."
            ),
        ],
        key,
        marker_x: reference.and_then(|(_, c)| positions.get(c).copied()),
        x_axis,
        sections,
        cols,
        panel_w,
        panel_h: PANEL_H,
    };
    figure_svg(&figure)
}
