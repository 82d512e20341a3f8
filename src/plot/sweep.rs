//! The sweep chart: per metric, its mean against the swept value, one line with a 95% CI band
//! per cycle setting. One host: one row of panels; an alliance: a section per host (and one
//! for the patron's totals among the chosen metrics).

use super::axis::{Axis, padded, thin_ticks, thousands};
use super::design::{Design, Rows, metric_row};
use super::draw::{LABEL_SIZE, Line, MIN_WIDTH, MUTED, Pt, SERIES, fit};
use super::grid::{Figure, Panel, Section, Swatch, figure_svg};
use super::metrics_by_cycle::unit_and_definition;
use super::titles::total_metric;
use crate::error::Error;

/// Panel width, pixels.
const SWEEP_PANEL_W: i32 = 640;
/// Panel height, pixels.
const SWEEP_PANEL_H: i32 = 440;

/// The swept parameter, its values, and for each value the design's variant index.
struct Swept {
    parameter: String,
    values: Vec<String>,
    variant: Vec<Option<usize>>,
}

/// The swept key and values of a sweep report.
///
/// # Errors
/// [`Error::InvalidExperiment`] unless every variant sets the same one key.
fn swept(design: &Design<'_>) -> Result<Swept, Error> {
    let report = design.report;
    let (parameter, values) =
        crate::run::sweep::swept(report).ok_or_else(|| Error::InvalidExperiment {
            field: "variants".into(),
            rule: "a sweep chart needs variants that each set the same one key".into(),
            got: format!("{} variants", report.variants.len()),
        })?;
    let variant = report
        .variants
        .iter()
        .map(|v| design.variants.iter().position(|n| *n == v.name))
        .collect();
    Ok(Swept {
        parameter,
        values,
        variant,
    })
}

/// The x axis of the swept values (numeric if every value is a number, otherwise evenly
/// spaced labels) and each value's position.
fn value_axis(sw: &Swept, plot_px: f64) -> (Axis, Vec<f64>) {
    let numeric: Option<Vec<f64>> = sw.values.iter().map(|v| v.trim().parse().ok()).collect();
    match numeric.filter(|v| v.iter().all(|x: &f64| x.is_finite())) {
        Some(v) => {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (lo, hi) = padded(lo, hi, 0.06);
            let mut ticks: Vec<(f64, String)> = v
                .iter()
                .zip(&sw.values)
                .map(|(&p, s)| (p, s.trim().to_string()))
                .collect();
            ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
            ticks.dedup_by(|a, b| a.0 == b.0);
            let axis = Axis {
                lo,
                hi,
                ticks: thin_ticks(ticks, lo, hi, plot_px, None),
                desc: sw.parameter.clone(),
            };
            (axis, v)
        }
        None => {
            let n = sw.values.len();
            let max_label = plot_px / n.max(1) as f64;
            let ticks = sw
                .values
                .iter()
                .enumerate()
                .map(|(i, s)| (i as f64, fit(s.trim(), LABEL_SIZE, max_label.max(40.0))))
                .collect();
            let hi = n.max(1) as f64 - 0.5;
            let axis = Axis {
                lo: -0.5,
                hi,
                ticks: thin_ticks(ticks, -0.5, hi, plot_px, None),
                desc: sw.parameter.clone(),
            };
            (axis, (0..n).map(|i| i as f64).collect())
        }
    }
}

/// The panel of `metric` in `rows`: one line per cycle setting over the swept values.
fn panel(
    design: &Design<'_>,
    sw: &Swept,
    rows: Rows,
    metric: &str,
    positions: &[f64],
    dodge: f64,
) -> Result<Panel, Error> {
    let (unit, definition) = unit_and_definition(rows, metric)?;
    let k = design.cycles.len() as f64;
    let mut lines = Vec::new();
    for c in 0..design.cycles.len() {
        let offset = (c as f64 - (k - 1.0) / 2.0) * dodge;
        let mut pts = Vec::new();
        for (v, &x) in sw.variant.iter().zip(positions) {
            if let Some(arm) = v.and_then(|v| design.arm(v, c)) {
                let row = metric_row(arm, rows, metric)?;
                pts.push(Pt {
                    x: x + offset,
                    mean: row.mean,
                    lo: row.ci95_lo,
                    hi: row.ci95_hi,
                    ring: false,
                });
            }
        }
        lines.push(Line {
            color: SERIES[c % SERIES.len()],
            pts,
        });
    }
    Ok(Panel::metric_lines(
        design, metric, definition, unit, lines, true,
    ))
}

/// The chart (SVG text).
///
/// # Errors
/// As [`crate::plot::sweep_chart_svg`].
pub(super) fn sweep_svg(design: &Design<'_>, metrics: &[&str]) -> Result<String, Error> {
    if metrics.is_empty() {
        return Err(Error::InvalidExperiment {
            field: "metrics".into(),
            rule: "a sweep chart needs at least one metric".into(),
            got: "none".into(),
        });
    }
    for m in metrics {
        unit_and_definition(Rows::Host(0), m)?;
    }
    let sw = swept(design)?;
    let report = design.report;
    let n = metrics.len() as i32;
    let cols = match n {
        1..=3 => n,
        4 => 2,
        _ => 3,
    };
    let cols = if design.single_host() { cols } else { n.min(4) };
    let panel_w = SWEEP_PANEL_W.max((MIN_WIDTH - 40) / cols);
    let (x_axis, positions) = value_axis(&sw, f64::from(panel_w - 130));
    // Offset the lines sideways a little so that their intervals do not overlap.
    let min_gap = {
        let mut s = positions.clone();
        s.sort_by(f64::total_cmp);
        s.windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min)
    };
    let span = x_axis.hi - x_axis.lo;
    let k = design.cycles.len().max(1) as f64;
    let dodge = if min_gap.is_finite() {
        (0.25 * min_gap / k).min(0.005 * span)
    } else {
        0.005 * span
    };
    let mut sections = Vec::new();
    if design.single_host() {
        sections.push(Section {
            heading: None,
            panels: metrics
                .iter()
                .map(|m| panel(design, &sw, Rows::Host(0), m, &positions, dodge))
                .collect::<Result<Vec<_>, _>>()?,
        });
    } else {
        for rows in design.row_sets() {
            let chosen: Vec<&str> = metrics
                .iter()
                .copied()
                .filter(|m| rows != Rows::Totals || total_metric(m).is_some())
                .collect();
            if chosen.is_empty() {
                continue;
            }
            sections.push(Section {
                heading: Some(design.rows_name(rows)),
                panels: chosen
                    .iter()
                    .map(|m| panel(design, &sw, rows, m, &positions, dodge))
                    .collect::<Result<Vec<_>, _>>()?,
            });
        }
    }
    let mut key: Vec<(Swatch, String)> = (0..design.cycles.len())
        .map(|c| {
            (
                Swatch::Series(SERIES[c % SERIES.len()]),
                design.cycle_words(c),
            )
        })
        .collect();
    key.push((
        Swatch::Band(MUTED),
        "95% CI of the mean (band and bars)".into(),
    ));
    let mut subtitles = vec![format!(
        "{}: mean per simulated history with 95% confidence interval; {} trials per value, \
         seed {}, every value on the same simulated worlds",
        report.scenario,
        thousands(report.trials),
        report.seed
    )];
    let offset = if design.cycles.len() > 1 {
        "Lines offset slightly sideways. "
    } else {
        ""
    };
    subtitles.push(format!(
        "{offset}The band is the 95% CI; a bar is drawn where it is longer than its dot; each \
         panel states its widest CI."
    ));
    let figure = Figure {
        title: format!("Sweep of {}", sw.parameter),
        subtitles,
        key,
        x_axis,
        marker_x: None,
        sections,
        cols,
        panel_w,
        panel_h: SWEEP_PANEL_H,
    };
    figure_svg(&figure)
}
