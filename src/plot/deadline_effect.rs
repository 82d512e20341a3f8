//! `deadline_effect.svg`: per arm (and host), when the agreements are reached relative to the
//! deadline.
//!
//! The report's histogram has bins `[k, k + w)` of signing times, months (`w` = one step, at
//! least a month). Deals in the window are signed before the deadline (negative times); a deal
//! in lapse month `j` is signed at the end of that month, `j` months late, so the bin `[0, w)`
//! holds only deals signed exactly at the deadline (possible only without a negotiation
//! window) and would otherwise always be empty. The chart therefore draws every bar over the
//! month in which the deal was reached: window bins as they are, the lapse bins one bin to the
//! left (`(j − 1, j]`: the `j`-th month of lapse), and deals at the deadline just left of it.

use super::axis::{
    Axis, multiples, nice_step, short_number, thin_ticks, thousands, tick_label, value_axis_with,
    year_adjective,
};
use super::design::Design;
use super::draw::{
    BLUE_OI, GREEN_OI, INK, KEY_ROW, KEY_SIZE, MIN_WIDTH, VERMILLION_OI, build_chart, draw_err,
    figure_header, flow, header_height, panel_header, render, sub_area, text, text_width,
    vertical_marker,
};
use crate::error::Error;
use crate::report::HistogramReport;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// Colour of deals reached in the window before the deadline.
const EARLY: RGBColor = BLUE_OI;
/// Colour of deals signed exactly at the deadline.
const ON_TIME: RGBColor = GREEN_OI;
/// Colour of deals reached in a lapse.
const LATE: RGBColor = VERMILLION_OI;
/// Panel width (at least), pixels.
const DEADLINE_PANEL_W: i32 = 520;
/// Panel height, pixels.
const DEADLINE_PANEL_H: i32 = 352;

/// A histogram bin: `(lo, hi, count)`.
pub(super) type Bin = (f64, f64, u64);

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

/// A month step (1, 2, 3, 6, 12, 24, ...) giving at most `target` intervals.
fn month_step(span: f64, target: f64) -> f64 {
    for s in [1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 36.0, 60.0, 120.0] {
        if span / s <= target {
            return s;
        }
    }
    nice_step(span, target)
}

/// Where a bar is drawn: `(lo, hi, base share, share, colour)`.
pub(super) type Drawn = (f64, f64, f64, f64, RGBColor);

/// The bars of one histogram, each over the month in which its deals were reached (module
/// docs): window bins as they are, the bin holding the deadline just left of it (stacked on
/// any window bar there), lapse bins moved left so that the first starts at the deadline.
pub(super) fn drawn_bins(bins: &[Bin], total: u64) -> Vec<Drawn> {
    let t = total.max(1) as f64;
    let shift = bins.iter().find(|b| b.0 > 0.0).map_or(0.0, |b| b.0);
    let mut out: Vec<Drawn> = Vec::new();
    for &(lo, hi, c) in bins {
        let share = c as f64 / t;
        if c == 0 {
            continue;
        }
        if hi <= 0.0 {
            out.push((lo, hi, 0.0, share, EARLY));
        } else if lo <= 0.0 {
            let w = hi - lo;
            let (a, b) = if lo < 0.0 { (lo, 0.0) } else { (-w, 0.0) };
            let base = out
                .iter()
                .filter(|d| d.4 == EARLY && (d.0 - a).abs() < 1e-9)
                .map(|d| d.3)
                .sum();
            out.push((a, b, base, share, ON_TIME));
        } else {
            out.push((lo - shift, hi - shift, 0.0, share, LATE));
        }
    }
    out
}

/// At most this many panels (arms × hosts) are drawn.
const MAX_PANELS: usize = 30;

/// A share as a whole percentage (`<1%` and `>99%` near the ends).
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

/// The chart (SVG text): at most [`MAX_PANELS`] panels.
///
/// # Errors
/// [`Error::Internal`] if drawing fails.
pub(super) fn deadline_effect_svg(design: &Design<'_>) -> Result<String, Error> {
    let report = design.report;
    // One panel per arm (and host): its title, histogram bins and drawn bars.
    let mut all: Vec<(String, Vec<Bin>)> = Vec::new();
    for (v, _) in design.variants.iter().enumerate() {
        for c in 0..design.cycles.len() {
            let Some(arm) = design.arm(v, c) else {
                continue;
            };
            let mut words = design.arm_words(v, c);
            if design.reference_cell() == Some((v, c)) {
                words.push_str(" (reference)");
            }
            for h in &arm.hosts {
                let title = if design.single_host() {
                    words.clone()
                } else {
                    format!(
                        "{}: {} agreements; {words}",
                        h.host,
                        year_adjective(h.cycle_years)
                    )
                };
                all.push((title, bins(&h.signing_vs_deadline_months)));
            }
        }
    }
    let shown = all.len().min(MAX_PANELS);
    let arms: Vec<(String, Vec<Bin>, u64, Vec<Drawn>)> = all
        .iter()
        .take(shown)
        .map(|(t, b)| {
            let total: u64 = b.iter().map(|x| x.2).sum();
            (t.clone(), b.clone(), total, drawn_bins(b, total))
        })
        .collect();
    // Common x range: the drawn bars of all panels, always showing the deadline.
    let mut x_lo = f64::INFINITY;
    let mut x_hi = f64::NEG_INFINITY;
    let mut y_max: f64 = 0.0;
    let mut bin_w = f64::INFINITY;
    for (_, b, _, drawn) in &arms {
        for &(lo, hi, _) in b {
            bin_w = bin_w.min(hi - lo);
        }
        for &(lo, hi, base, share, _) in drawn {
            x_lo = x_lo.min(lo);
            x_hi = x_hi.max(hi);
            y_max = y_max.max(base + share);
        }
    }
    let bin_w = if bin_w.is_finite() && bin_w > 0.0 {
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
    let cols = if design.single_host() {
        // Several variants: one row per variant, one column per cycle length.
        let cycles = design.cycles.len() as i32;
        if design.variants.len() > 1 && (1..=4).contains(&cycles) {
            cycles
        } else {
            n.min(3)
        }
    } else {
        (report.hosts.len() as i32).clamp(1, 4)
    };
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
        desc: "months relative to the deadline".into(),
    };
    let y_axis = value_axis_with(
        &[0.0, if y_max > 0.0 { y_max } else { 1.0 }],
        "share of negotiations".into(),
        4.0,
        |v, step| format!("{}%", tick_label(v * 100.0, step * 100.0)),
    );

    let width = cols * panel_w + 40;
    let single_month = (bin_w - 1.0).abs() < 1e-9;
    let any_on_time = arms
        .iter()
        .any(|(_, b, total, _)| split_shares(b, *total).1 > 0.0);
    let month = if single_month {
        "month".to_string()
    } else {
        format!("{}-month bin", short_number(bin_w))
    };
    let mut entries = vec![(
        Some(EARLY),
        format!("agreed before the deadline (bar: the {month} of the deal)"),
    )];
    if any_on_time {
        entries.push((
            Some(ON_TIME),
            "signed at the deadline (no negotiation window)".to_string(),
        ));
    }
    entries.push((
        Some(LATE),
        "agreed in a lapse (bar from j − 1 to j: signed j months late)".to_string(),
    ));
    entries.push((None, "deadline".to_string()));
    let entry_w: Vec<i32> = entries
        .iter()
        .map(|(_, l)| 30 + text_width(l, KEY_SIZE) as i32 + 34)
        .collect();
    let places = flow(&entry_w, 20, width - 20);
    let key_rows = places.last().map_or(1, |p| p.1 + 1);
    let key_h = key_rows * KEY_ROW + 12;
    let mut subtitles = vec![
        format!(
            "{}: share of each arm's completed negotiations by the month in which they were \
             reached; {} trials",
            report.scenario,
            thousands(report.trials)
        ),
        "A rupture counts in the last month of lapse. Every panel has the same scales.".into(),
    ];
    if shown < all.len() {
        subtitles.push(format!(
            "The first {shown} of {} panels (arms × hosts) are shown.",
            all.len()
        ));
    }
    let height = header_height(subtitles.len()) + key_h + rows * DEADLINE_PANEL_H + 16;

    render(width as u32, height as u32, |root| {
        let top = figure_header(root, "When agreements are reached", &subtitles)?;
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
        for (i, (title, b, total, drawn)) in arms.iter().enumerate() {
            let (r, c) = (i as i32 / cols, i as i32 % cols);
            let area = sub_area(
                root,
                (20 + c * panel_w, y0 + r * DEADLINE_PANEL_H),
                (panel_w, DEADLINE_PANEL_H),
            );
            let subtitle = if *total == 0 {
                "no completed negotiations".to_string()
            } else {
                let (e, o, l) = split_shares(b, *total);
                let on_time = if any_on_time {
                    format!(", {} at it", percent(o))
                } else {
                    String::new()
                };
                format!(
                    "{} signed: {} before the deadline{on_time}, {} after a lapse",
                    thousands(*total),
                    percent(e),
                    percent(l)
                )
            };
            let body = panel_header(&area, title, Some(&subtitle))?;
            let mut chart = build_chart(&body, &x_axis, &y_axis)?;
            let gap = bin_w * 0.08;
            chart
                .draw_series(
                    drawn
                        .iter()
                        .filter(|d| d.1 > x_axis.lo && d.0 < x_axis.hi)
                        .map(|&(lo, hi, base, share, color)| {
                            Rectangle::new(
                                [
                                    (lo.max(x_axis.lo) + gap, base),
                                    (hi.min(x_axis.hi) - gap, base + share),
                                ],
                                color.mix(0.85).filled(),
                            )
                        }),
                )
                .map_err(draw_err)?;
            vertical_marker(&mut chart, 0.0, &y_axis, &INK)?;
        }
        Ok(())
    })
}
