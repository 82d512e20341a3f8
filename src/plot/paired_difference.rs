//! `paired_difference.svg`: each arm minus the reference arm, trial by trial on the same
//! simulated worlds: the mean difference as a bar from zero with its 95% CI, one bar per
//! non-reference arm (grouped by cycle setting, one colour per variant), per headline metric.
//! One host: one section per metric group; an alliance: the patron's totals and each host.

use super::axis::{category_axis, thousands, unit_label};
use super::design::{Design, Rows, metric_row};
use super::draw::{BLUE_OI, Bar, MIN_WIDTH};
use super::grid::{Body, Figure, Panel, Swatch, figure_svg};
use super::metrics_by_cycle::{headline_sections, unit_and_definition, variant_color, variant_key};
use super::titles::metric_title;
use crate::error::Error;

/// Panel width, pixels.
const PANEL_W: i32 = 520;
/// Panel height, pixels.
const PANEL_H: i32 = 400;

/// The cycle settings that have at least one non-reference arm, in order.
fn positions(design: &Design<'_>) -> Vec<usize> {
    let reference = design.reference_cell();
    (0..design.cycles.len())
        .filter(|&c| {
            (0..design.variants.len())
                .any(|v| design.arm(v, c).is_some() && Some((v, c)) != reference)
        })
        .collect()
}

/// The bars of `metric` in `rows`: one per non-reference arm, at its cycle setting's slot,
/// dodged by variant.
pub(super) fn paired_bars(
    design: &Design<'_>,
    rows: Rows,
    metric: &str,
) -> Result<Vec<Bar>, Error> {
    let reference = design.reference_cell();
    let n = design.variants.len().max(1) as f64;
    let slot = (0.8 / n).min(0.5);
    let mut bars = Vec::new();
    for (x, c) in positions(design).into_iter().enumerate() {
        for v in 0..design.variants.len() {
            if Some((v, c)) == reference {
                continue;
            }
            let Some(arm) = design.arm(v, c) else {
                continue;
            };
            let row = metric_row(arm, rows, metric)?;
            let center = x as f64 + (v as f64 - (n - 1.0) / 2.0) * slot;
            bars.push(Bar {
                x: center,
                half: slot * 0.42,
                mean: row.diff_mean.unwrap_or(f64::NAN),
                lo: row.diff_ci95_lo.unwrap_or(f64::NAN),
                hi: row.diff_ci95_hi.unwrap_or(f64::NAN),
                color: if design.variants.len() == 1 {
                    BLUE_OI
                } else {
                    variant_color(v)
                },
            });
        }
    }
    Ok(bars)
}

/// The panel of `metric` in `rows`: its bars, title in words, definition and unit.
fn panel(design: &Design<'_>, rows: Rows, metric: &str) -> Result<Panel, Error> {
    let (unit, definition) = unit_and_definition(rows, metric)?;
    Ok(Panel {
        title: metric_title(metric).to_string(),
        subtitle: definition.to_string(),
        y_desc: format!("difference, {}", unit_label(unit, &design.report.units)),
        body: Body::Bars(paired_bars(design, rows, metric)?),
    })
}

/// The chart, or `None` when the report has no arm besides the reference.
pub(super) fn paired_difference_svg(design: &Design<'_>) -> Result<Option<String>, Error> {
    let report = design.report;
    let slots = positions(design);
    if slots.is_empty() {
        return Ok(None);
    }
    let (cols, panel_w) = if design.single_host() {
        (3, PANEL_W)
    } else {
        (4, PANEL_W.max((MIN_WIDTH - 40) / 4))
    };
    let reference = design.reference_cell();
    let labels: Vec<String> = slots
        .iter()
        .map(|&c| {
            let l = design.cycle_label(c);
            if reference.map(|r| r.1) == Some(c) {
                format!("{l} (ref)")
            } else {
                l
            }
        })
        .collect();
    let x_axis = category_axis(&labels, design.cycle_desc(), f64::from(panel_w - 120));
    let sections = headline_sections(design, |rows, m| panel(design, rows, m))?;
    let mut key = variant_key(design, Swatch::Bar);
    if key.is_empty() {
        key.push((
            Swatch::Bar(BLUE_OI),
            "mean difference from the reference".into(),
        ));
    }
    key.push((
        Swatch::Ci(super::draw::INK),
        "95% CI of the mean difference".into(),
    ));
    key.push((Swatch::Zero, "zero: no difference".into()));
    let reference_words = design
        .reference_words()
        .unwrap_or_else(|| report.reference.clone());
    let figure = Figure {
        title: format!("Each arm minus the reference ({reference_words})"),
        subtitles: vec![
            format!(
                "{}: paired difference per simulated history, the same trial (the same simulated \
                 world) in both arms; mean with 95% confidence interval; {} trials, seed {}",
                report.scenario,
                thousands(report.trials),
                report.seed
            ),
            "Below zero: less than in the reference arm. Every value axis shows zero.".into(),
        ],
        key,
        x_axis,
        marker_x: None,
        sections,
        cols,
        panel_w,
        panel_h: PANEL_H,
    };
    figure_svg(&figure).map(Some)
}
