//! `deadline_effect.svg`: per arm, the signing times relative to the deadline.

use super::axis::{
    Axis, multiples, nice_step, short_number, thin_ticks, thousands, tick_label, value_axis_with,
    year_adjective,
};
use super::draw::{
    BLUE_OI, GREEN_OI, INK, KEY_ROW, KEY_SIZE, MIN_WIDTH, VERMILLION_OI, build_chart, draw_err,
    figure_header, flow, header_height, panel_header, render, sub_area, text, text_width,
    vertical_marker,
};
use super::view::Report;
use crate::error::Error;
use crate::report::HistogramReport;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

const EARLY: RGBColor = BLUE_OI;
const ON_TIME: RGBColor = GREEN_OI;
const LATE: RGBColor = VERMILLION_OI;
const DEADLINE_PANEL_W: i32 = 520;
const DEADLINE_PANEL_H: i32 = 352;

/// A histogram bin: `(lo, hi, count)`.
type Bin = (f64, f64, u64);

/// Bins of a histogram, finite and increasing edges only.
fn bins(h: &HistogramReport) -> Vec<Bin> {
    h.edges
        .windows(2)
        .zip(&h.counts)
        .filter(|(e, _)| e[0].is_finite() && e[1].is_finite() && e[1] > e[0])
        .map(|(e, &c)| (e[0], e[1], c))
        .collect()
}

/// Shares of the negotiations signed early, in the bin containing the deadline, and after it.
fn split_shares(bins: &[Bin], total: u64) -> (f64, f64, f64) {
    if total == 0 {
        return (0.0, 0.0, 0.0);
    }
    let (mut early, mut on, mut late) = (0u64, 0u64, 0u64);
    for &(lo, hi, c) in bins {
        if hi <= 0.0 {
            early += c;
        } else if lo <= 0.0 {
            on += c;
        } else {
            late += c;
        }
    }
    let t = total as f64;
    (early as f64 / t, on as f64 / t, late as f64 / t)
}

fn bin_color(lo: f64, hi: f64) -> RGBColor {
    if hi <= 0.0 {
        EARLY
    } else if lo <= 0.0 {
        ON_TIME
    } else {
        LATE
    }
}

/// A month step (1, 2, 3, 6, 12, 24, ...) giving at most `target` intervals.
fn month_step(span: f64, target: f64) -> f64 {
    for s in [1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 36.0, 60.0, 120.0] {
        if span / s <= target {
            return s;
        }
    }
    nice_step(span, target)
}

pub(super) fn percent(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let p = x * 100.0;
    if p > 0.0 && p < 1.0 {
        "<1%".into()
    } else if p > 99.0 && p < 100.0 {
        ">99%".into()
    } else {
        format!("{p:.0}%")
    }
}

pub(super) fn deadline_effect_svg(report: &Report) -> Result<String, Error> {
    let arms: Vec<(f64, Vec<Bin>)> = report
        .arms
        .iter()
        .map(|a| (a.cycle_years, bins(&a.signing_vs_deadline_months)))
        .collect();
    // Common x range: the occupied bins of all arms, always showing the deadline.
    let mut x_lo = f64::INFINITY;
    let mut x_hi = f64::NEG_INFINITY;
    let mut widths = Vec::new();
    let mut y_max: f64 = 0.0;
    for (_, b) in &arms {
        let total: u64 = b.iter().map(|t| t.2).sum();
        for &(lo, hi, c) in b {
            widths.push(hi - lo);
            if c > 0 {
                x_lo = x_lo.min(lo);
                x_hi = x_hi.max(hi);
                y_max = y_max.max(c as f64 / total.max(1) as f64);
            }
        }
    }
    let bin_w = widths
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .clamp(1e-9, f64::MAX);
    let bin_w = if bin_w.is_finite() && bin_w < f64::MAX {
        bin_w
    } else {
        1.0
    };
    if !x_lo.is_finite() || !x_hi.is_finite() {
        (x_lo, x_hi) = (-bin_w, bin_w);
    }
    let x_lo = x_lo.min(-bin_w) - bin_w * 0.5;
    let x_hi = x_hi.max(bin_w) + bin_w * 0.5;
    let n = arms.len().max(1) as i32;
    let cols = n.min(3);
    let rows = (n + cols - 1) / cols;
    let panel_w = DEADLINE_PANEL_W.max((MIN_WIDTH - 40) / cols);
    let plot_px = f64::from(panel_w - 110);
    let step = month_step(x_hi - x_lo, (plot_px / 50.0).clamp(4.0, 12.0));
    let x_ticks = multiples(x_lo, x_hi, step)
        .into_iter()
        .map(|v| (v, tick_label(v, step)))
        .collect();
    let x_axis = Axis {
        lo: x_lo,
        hi: x_hi,
        ticks: thin_ticks(x_ticks, x_lo, x_hi, plot_px, Some(0.0)),
        desc: "signing month relative to the deadline (negative: early)".into(),
    };
    let y_axis = value_axis_with(
        &[0.0, if y_max > 0.0 { y_max } else { 1.0 }],
        "share of negotiations".into(),
        4.0,
        |v, step| format!("{}%", tick_label(v * 100.0, step * 100.0)),
    );

    let width = cols * panel_w + 40;
    let single_month = (bin_w - 1.0).abs() < 1e-9;
    // Deals exactly at the deadline exist only without a window; show that class if used.
    let any_on_time = arms.iter().any(|(_, b)| {
        let total: u64 = b.iter().map(|t| t.2).sum();
        split_shares(b, total).1 > 0.0
    });
    let on_label = if single_month {
        "signed at the deadline (month 0)".to_string()
    } else {
        format!(
            "signed within {} months of the deadline",
            short_number(bin_w)
        )
    };
    let mut entries = vec![(Some(EARLY), "signed before the deadline".to_string())];
    if any_on_time {
        entries.push((Some(ON_TIME), on_label));
    }
    entries.push((Some(LATE), "signed after a lapse (months late)".to_string()));
    entries.push((None, "deadline".to_string()));
    let entry_w: Vec<i32> = entries
        .iter()
        .map(|(_, l)| 30 + text_width(l, KEY_SIZE) as i32 + 34)
        .collect();
    let places = flow(&entry_w, 20, width - 20);
    let key_rows = places.last().map_or(1, |p| p.1 + 1);
    let key_h = key_rows * KEY_ROW + 12;
    let height = header_height(1) + key_h + rows * DEADLINE_PANEL_H + 16;

    render(width as u32, height as u32, |root| {
        let subtitle = format!(
            "{}: share of each arm's completed negotiations by signing month (a rupture counts \
             at the longest lapse); {} trials",
            report.scenario,
            thousands(report.trials)
        );
        let top = figure_header(root, "When agreements are signed", &[subtitle])?;
        // Key strip.
        for ((color, label), &(kx, row)) in entries.iter().zip(&places) {
            let ky = top + 8 + row * KEY_ROW;
            match color {
                Some(c) => root
                    .draw(&Rectangle::new([(kx, ky), (kx + 22, ky + 16)], c.filled()))
                    .map_err(draw_err)?,
                None => root
                    .draw(&DashedPathElement::new(
                        vec![(kx + 11, ky - 4), (kx + 11, ky + 20)],
                        5,
                        3,
                        INK.stroke_width(2),
                    ))
                    .map_err(draw_err)?,
            }
            text(
                root,
                label,
                (kx + 30, ky),
                KEY_SIZE,
                &INK,
                false,
                HPos::Left,
            )?;
        }
        let y0 = top + key_h;
        for (i, (cycle, b)) in arms.iter().enumerate() {
            let (r, c) = (i as i32 / cols, i as i32 % cols);
            let area = sub_area(
                root,
                (20 + c * panel_w, y0 + r * DEADLINE_PANEL_H),
                (panel_w, DEADLINE_PANEL_H),
            );
            let total: u64 = b.iter().map(|t| t.2).sum();
            let mut title = format!("{} agreements", year_adjective(*cycle));
            if *cycle == report.reference_cycle_years {
                title.push_str(" (reference)");
            }
            let subtitle = if total == 0 {
                "no completed negotiations".to_string()
            } else {
                let (e, o, l) = split_shares(b, total);
                let on_time = if any_on_time {
                    format!(", {} at it", percent(o))
                } else {
                    String::new()
                };
                format!(
                    "{} signed: {} before the deadline{on_time}, {} after a lapse",
                    thousands(total),
                    percent(e),
                    percent(l)
                )
            };
            let body = panel_header(&area, &title, Some(&subtitle))?;
            let mut chart = build_chart(&body, &x_axis, &y_axis)?;
            let t = total.max(1) as f64;
            let gap = bin_w * 0.08;
            chart
                .draw_series(
                    b.iter()
                        .filter(|&&(lo, hi, c)| c > 0 && hi > x_axis.lo && lo < x_axis.hi)
                        .map(|&(lo, hi, c)| {
                            Rectangle::new(
                                [
                                    (lo.max(x_axis.lo) + gap, 0.0),
                                    (hi.min(x_axis.hi) - gap, c as f64 / t),
                                ],
                                bin_color(lo, hi).mix(0.85).filled(),
                            )
                        }),
                )
                .map_err(draw_err)?;
            vertical_marker(&mut chart, 0.0, &y_axis, &INK)?;
        }
        Ok(())
    })
}
