//! `metrics_by_cycle.svg`: the headline metrics against the cycle length.

use super::axis::{cycle_axis, thousands, unit_label, value_axis, year_adjective};
use super::draw::{
    AXIS, Area, BLUE_OI, GROUP_SIZE, INK, KEY_SIZE, Line, MUTED, PANEL_TITLE_SIZE, Pt,
    VERMILLION_OI, build_chart, capitalised, draw_err, draw_lines, figure_header, fit,
    header_height, line_values, panel_header, render, sub_area, text, vertical_marker,
};
use super::view::{ArmReport, Report, metric_info};
use crate::error::Error;
use crate::metrics::MetricGroup;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// The headline metrics of the run chart, one row per group.
pub(super) const RUN_ROWS: [(MetricGroup, &[&str]); 3] = [
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
        &["payments_vs_fair", "joint_loss"],
    ),
];

const RUN_COLS: i32 = 3;
const RUN_PANEL_W: i32 = 520;
const RUN_PANEL_H: i32 = 368;
const RUN_GROUP_H: i32 = 48;

pub(super) fn metrics_by_cycle_svg(report: &Report) -> Result<String, Error> {
    // Look everything up first, so that a missing metric is an error before drawing.
    let mut rows = Vec::new();
    for (group, names) in RUN_ROWS {
        let mut panels = Vec::new();
        for &name in names {
            let info = metric_info(name)?;
            let summaries = report
                .arms
                .iter()
                .map(|a| Ok((a.cycle_years, a.metric(name)?.clone())))
                .collect::<Result<Vec<_>, Error>>()?;
            panels.push((info, summaries));
        }
        rows.push((group, panels));
    }
    let best = lowest_mean(&report.arms, "joint_loss")?;
    let reference = report
        .arms
        .iter()
        .map(|a| a.cycle_years)
        .find(|&c| c == report.reference_cycle_years);

    let width = RUN_COLS * RUN_PANEL_W + 40;
    let height = header_height(1) + rows.len() as i32 * (RUN_GROUP_H + RUN_PANEL_H) + 16;
    let cycles: Vec<f64> = report.arms.iter().map(|a| a.cycle_years).collect();
    let (x_axis, scale) = cycle_axis(&cycles, reference, f64::from(RUN_PANEL_W - 120));

    render(width as u32, height as u32, |root| {
        let subtitle = format!(
            "{}: mean per simulated history with 95% confidence interval; {} trials, seed {}",
            report.scenario,
            thousands(report.trials),
            report.seed
        );
        let top = figure_header(
            root,
            "Headline metrics by agreement cycle length",
            &[subtitle],
        )?;
        let mut y0 = top;
        let mut free_slot = None;
        for (group, panels) in &rows {
            text(
                root,
                &capitalised(group.label()),
                (20, y0 + 18),
                GROUP_SIZE,
                &INK,
                true,
                HPos::Left,
            )?;
            root.draw(&PathElement::new(
                vec![(20, y0 + 46), (width - 20, y0 + 46)],
                AXIS.stroke_width(1),
            ))
            .map_err(draw_err)?;
            y0 += RUN_GROUP_H;
            for (i, (info, summaries)) in panels.iter().enumerate() {
                let area = sub_area(
                    root,
                    (20 + i as i32 * RUN_PANEL_W, y0),
                    (RUN_PANEL_W, RUN_PANEL_H),
                );
                let line = Line {
                    color: BLUE_OI,
                    pts: summaries
                        .iter()
                        .map(|(c, s)| Pt {
                            x: scale.pos(*c),
                            mean: s.mean,
                            lo: s.ci95[0],
                            hi: s.ci95[1],
                            ring: Some(*c) == best,
                        })
                        .collect(),
                };
                let lines = [line];
                let y_axis = value_axis(&line_values(&lines), unit_label(info, &report.units), 5.0);
                let body = panel_header(&area, info.name, Some(info.definition))?;
                let mut chart = build_chart(&body, &x_axis, &y_axis)?;
                if let Some(r) = reference {
                    let x = scale.pos(r);
                    if x_axis.contains(x) {
                        vertical_marker(&mut chart, x, &y_axis, &MUTED)?;
                    }
                }
                draw_lines(&mut chart, &lines)?;
            }
            if panels.len() < RUN_COLS as usize && free_slot.is_none() {
                free_slot = Some((20 + panels.len() as i32 * RUN_PANEL_W, y0));
            }
            y0 += RUN_PANEL_H;
        }
        if let Some((x, y)) = free_slot {
            let area = sub_area(root, (x, y), (RUN_PANEL_W, RUN_PANEL_H));
            run_key(&area, report, reference, best)?;
        }
        Ok(())
    })
}

/// The cycle length of the arm with the lowest finite mean of `metric`, if any.
fn lowest_mean(arms: &[ArmReport], metric: &str) -> Result<Option<f64>, Error> {
    let mut best: Option<(f64, f64)> = None;
    for a in arms {
        let m = a.metric(metric)?.mean;
        if m.is_finite() && best.is_none_or(|(_, b)| m < b) {
            best = Some((a.cycle_years, m));
        }
    }
    Ok(best.map(|(c, _)| c))
}

/// The key of the metrics chart, drawn in the free panel slot.
fn run_key(
    area: &Area<'_>,
    report: &Report,
    reference: Option<f64>,
    best: Option<f64>,
) -> Result<(), Error> {
    let (w, _) = area.dim_in_pixel();
    let max_px = f64::from(w) - 90.0;
    let x0 = 30;
    let tx = x0 + 44;
    let mut y = 56;
    let step = 40;
    text(
        area,
        "Key",
        (x0, 16),
        PANEL_TITLE_SIZE,
        &INK,
        true,
        HPos::Left,
    )?;
    let key_text = |s: &str, y: i32| {
        text(
            area,
            &fit(s, KEY_SIZE, max_px),
            (tx, y - 9),
            KEY_SIZE,
            &INK,
            false,
            HPos::Left,
        )
    };
    let cx = x0 + 16;
    // Mean marker and joining line.
    area.draw(&PathElement::new(
        vec![(x0, y), (x0 + 32, y)],
        BLUE_OI.mix(0.55).stroke_width(2),
    ))
    .map_err(draw_err)?;
    area.draw(&Circle::new((cx, y), 5, BLUE_OI.filled()))
        .map_err(draw_err)?;
    key_text("mean over the simulated histories", y)?;
    y += step;
    // CI bar.
    let bar = BLUE_OI.stroke_width(2);
    area.draw(&PathElement::new(vec![(cx, y - 12), (cx, y + 12)], bar))
        .map_err(draw_err)?;
    for yy in [y - 12, y + 12] {
        area.draw(&PathElement::new(vec![(cx - 5, yy), (cx + 5, yy)], bar))
            .map_err(draw_err)?;
    }
    key_text("95% CI of the mean (hidden if shorter than the dot)", y)?;
    y += step;
    if let Some(r) = reference {
        area.draw(&DashedPathElement::new(
            vec![(cx, y - 14), (cx, y + 14)],
            6,
            4,
            MUTED.stroke_width(2),
        ))
        .map_err(draw_err)?;
        key_text(
            &format!("reference arm (ref): {} agreements", year_adjective(r)),
            y,
        )?;
        y += step;
    }
    if let Some(b) = best {
        area.draw(&Circle::new((cx, y), 11, VERMILLION_OI.stroke_width(2)))
            .map_err(draw_err)?;
        area.draw(&Circle::new((cx, y), 5, BLUE_OI.filled()))
            .map_err(draw_err)?;
        key_text(
            &format!("lowest mean joint loss: {} agreements", year_adjective(b)),
            y,
        )?;
        y += step;
    }
    y += 6;
    let notes = [
        format!(
            "Money: {}, present value.",
            if report.units.trim().is_empty() {
                "scenario units"
            } else {
                report.units.trim()
            }
        ),
        "Shares: fractions of the simulated time steps.".to_string(),
        format!("Experiment fingerprint {}.", report.fingerprint),
    ];
    for note in notes {
        text(
            area,
            &fit(&note, KEY_SIZE - 1.0, f64::from(w) - 40.0),
            (x0, y - 9),
            KEY_SIZE - 1.0,
            &MUTED,
            false,
            HPos::Left,
        )?;
        y += 26;
    }
    Ok(())
}
