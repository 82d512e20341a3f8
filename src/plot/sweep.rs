//! The sweep chart: per metric, its mean against the swept value, one line per cycle length.

use super::axis::{Axis, padded, thin_ticks, thousands, unit_label, value_axis, years_label};
use super::draw::{
    INK, KEY_ROW, KEY_SIZE, LABEL_SIZE, Line, MIN_WIDTH, Pt, SERIES, build_chart, draw_err,
    draw_lines, figure_header, fit, flow, header_height, line_values, panel_header, render,
    sub_area, text, text_width,
};
use super::view::{SweepReport, metric_info};
use crate::error::Error;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

const SWEEP_PANEL_W: i32 = 640;
const SWEEP_PANEL_H: i32 = 428;

pub(super) fn sweep_svg(sweep: &SweepReport, metrics: &[&str]) -> Result<String, Error> {
    if metrics.is_empty() {
        return Err(Error::InvalidExperiment {
            field: "metrics".into(),
            rule: "a sweep chart needs at least one metric".into(),
            got: "none".into(),
        });
    }
    let infos = metrics
        .iter()
        .map(|m| metric_info(m))
        .collect::<Result<Vec<_>, _>>()?;
    let cycles = sweep.cycle_years();
    let first = sweep.reports.first();
    let units = first.map(|r| r.units.as_str()).unwrap_or("");
    let n_values = sweep.values.len().min(sweep.reports.len());

    let n = infos.len() as i32;
    let cols = match n {
        1..=3 => n,
        4 => 2,
        _ => 3,
    };
    let rows = (n + cols - 1) / cols;
    let panel_w = SWEEP_PANEL_W.max((MIN_WIDTH - 40) / cols);
    let width = cols * panel_w + 40;

    // x positions of the values: numeric or categorical.
    let numeric = sweep.numeric_values();
    let plot_px = f64::from(panel_w - 130);
    let (positions, x_axis) = match &numeric {
        Some(v) => {
            let v: Vec<f64> = v.iter().take(n_values).copied().collect();
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (lo, hi) = padded(lo, hi, 0.06);
            let mut ticks: Vec<(f64, String)> = v
                .iter()
                .zip(&sweep.values)
                .map(|(&p, s)| (p, s.trim().to_string()))
                .collect();
            ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
            ticks.dedup_by(|a, b| a.0 == b.0);
            let axis = Axis {
                lo,
                hi,
                ticks: thin_ticks(ticks, lo, hi, plot_px, None),
                desc: sweep.parameter.clone(),
            };
            (v, axis)
        }
        None => {
            let v: Vec<f64> = (0..n_values).map(|i| i as f64).collect();
            let max_label = plot_px / n_values.max(1) as f64;
            let ticks = sweep
                .values
                .iter()
                .take(n_values)
                .enumerate()
                .map(|(i, s)| (i as f64, fit(s.trim(), LABEL_SIZE, max_label.max(40.0))))
                .collect();
            let hi = n_values.max(1) as f64 - 0.5;
            let axis = Axis {
                lo: -0.5,
                hi,
                ticks: thin_ticks(ticks, -0.5, hi, plot_px, None),
                desc: sweep.parameter.clone(),
            };
            (v, axis)
        }
    };
    // Offset the lines sideways a little so that their CI bars do not overlap.
    let min_gap = {
        let mut s = positions.clone();
        s.sort_by(f64::total_cmp);
        s.windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min)
    };
    let span = x_axis.hi - x_axis.lo;
    let k = cycles.len().max(1) as f64;
    let dodge = if min_gap.is_finite() {
        (0.25 * min_gap / k).min(0.005 * span)
    } else {
        0.005 * span
    };

    // Lines per metric, looked up before drawing.
    let mut panels = Vec::new();
    for info in &infos {
        let mut lines = Vec::new();
        for (j, &c) in cycles.iter().enumerate() {
            let offset = (j as f64 - (k - 1.0) / 2.0) * dodge;
            let mut pts = Vec::new();
            for (report, &x) in sweep.reports.iter().zip(&positions) {
                if let Some(arm) = report.arms.iter().find(|a| a.cycle_years == c) {
                    let s = arm.metric(info.name)?;
                    pts.push(Pt {
                        x: x + offset,
                        mean: s.mean,
                        lo: s.ci95[0],
                        hi: s.ci95[1],
                        ring: false,
                    });
                }
            }
            lines.push(Line {
                color: SERIES[j % SERIES.len()],
                pts,
            });
        }
        panels.push((*info, lines));
    }

    let trials = first.map(|r| r.trials).unwrap_or(0);
    let scenario = first.map(|r| r.scenario.as_str()).unwrap_or("");
    let mut subtitles = vec![format!(
        "{scenario}: mean per simulated history with 95% confidence interval; {} trials per value",
        thousands(trials)
    )];
    if cycles.len() > 1 {
        subtitles.push(
            "The lines are offset slightly sideways so that their intervals do not overlap."
                .to_string(),
        );
    }
    // Legend: one entry per cycle length, wrapped to the width.
    let legend_x = 20 + text_width("cycle length:", KEY_SIZE) as i32 + 24;
    let labels: Vec<String> = cycles.iter().map(|&c| years_label(c)).collect();
    let entry_w: Vec<i32> = labels
        .iter()
        .map(|l| 38 + text_width(l, KEY_SIZE) as i32 + 30)
        .collect();
    let places = flow(&entry_w, legend_x, width - 20);
    let key_rows = places.last().map_or(1, |p| p.1 + 1);
    let key_h = key_rows * KEY_ROW + 14;
    let height = header_height(subtitles.len()) + key_h + rows * SWEEP_PANEL_H + 16;

    render(width as u32, height as u32, |root| {
        let title = format!("Sweep of {}", sweep.parameter);
        let top = figure_header(root, &title, &subtitles)?;
        text(
            root,
            "cycle length:",
            (20, top + 18 - 9),
            KEY_SIZE,
            &INK,
            true,
            HPos::Left,
        )?;
        for (j, (label, &(kx, row))) in labels.iter().zip(&places).enumerate() {
            let ky = top + 18 + row * KEY_ROW;
            let color = SERIES[j % SERIES.len()];
            root.draw(&PathElement::new(
                vec![(kx, ky), (kx + 30, ky)],
                color.mix(0.55).stroke_width(2),
            ))
            .map_err(draw_err)?;
            root.draw(&Circle::new((kx + 15, ky), 5, color.filled()))
                .map_err(draw_err)?;
            text(
                root,
                label,
                (kx + 38, ky - 9),
                KEY_SIZE,
                &INK,
                false,
                HPos::Left,
            )?;
        }
        let y0 = top + key_h;
        for (i, (info, lines)) in panels.iter().enumerate() {
            let (r, c) = (i as i32 / cols, i as i32 % cols);
            let area = sub_area(
                root,
                (20 + c * panel_w, y0 + r * SWEEP_PANEL_H),
                (panel_w, SWEEP_PANEL_H),
            );
            let y_axis = value_axis(&line_values(lines), unit_label(info, units), 5.0);
            let body = panel_header(&area, info.name, Some(info.definition))?;
            let mut chart = build_chart(&body, &x_axis, &y_axis)?;
            draw_lines(&mut chart, lines)?;
        }
        Ok(())
    })
}
