//! (feature `calibrate`) `calibration_fit.svg`: the record against the model at the estimate,
//! one panel per moment. The record's 95% band is a grey band across the panel and its value a
//! dark dot; the model's mean over the replicas is a blue dot with, as a whisker, the central
//! 95% of single replicas (what a record of the record's size would show under the model). The
//! panel's note says whether the model's mean is inside the record's band (in vermillion when
//! it is not).

use super::axis::{category_axis, truncation_note, value_axis};
use super::draw::{
    Area, BLUE_OI, INK, MARKER_RADIUS, MIN_WIDTH, MUTED, PANEL_SUBTITLE_SIZE, SUBTITLE_SIZE,
    VERMILLION_OI, axis_break, build_chart, capitalised, draw_err, figure_header, fit,
    header_height, panel_header, render, sub_area, text, text_width,
};
use super::grid::{Swatch, draw_key, key_height};
use crate::calibrate::{Calibration, FitRow, MomentKind};
use crate::error::Error;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// File name of the calibration chart.
pub const CALIBRATION_FIT_FILE: &str = "calibration_fit.svg";

const COLS: i32 = 3;
const PANEL_W: i32 = 400;
const PANEL_H: i32 = 310;
/// The grey of the record's band.
const BAND: RGBColor = RGBColor(150, 150, 150);

/// A number with four significant digits, in positional notation down to 1e-4.
fn short(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v != 0.0 && v.abs() < 1e-4 {
        return format!("{v:.3e}");
    }
    let magnitude = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let decimals = (3 - magnitude).max(0) as usize;
    format!("{v:.decimals$}")
}

/// `items` joined by "; " into lines no wider than `max_px` at the subtitle size, each line
/// after the first indented by two spaces.
fn wrap(items: &[String], max_px: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line}; {item}"), SUBTITLE_SIZE) <= max_px => {
                line.push_str("; ");
                line.push_str(item);
            }
            Some(_) => lines.push(format!("  {item}")),
            None => lines.push(item.clone()),
        }
    }
    lines
}

/// Draws one moment's panel into `area`.
fn panel(area: &Area<'_>, row: &FitRow) -> Result<(), Error> {
    let kind = MomentKind::from_key(&row.moment);
    let title = kind.map_or(row.moment.clone(), |k| k.title().to_string());
    let (w, _) = area.dim_in_pixel();
    let room = f64::from(w) - 16.0;
    let definition = kind.map_or(String::new(), |k| {
        let full = capitalised(k.definition());
        match full.split_once(" (") {
            Some((plain, _)) if text_width(&full, PANEL_SUBTITLE_SIZE) > room => plain.to_string(),
            _ => full,
        }
    });
    let body = panel_header(area, &title, Some(&definition))?;
    let (w, h) = body.dim_in_pixel();
    let mut values = vec![row.record, row.band.0, row.band.1, row.simulated];
    if let Some((lo, hi)) = row.replica_range {
        values.extend([lo, hi]);
    }
    let y = value_axis(&values, row.unit.clone(), 5.0);
    let truncated = truncation_note(&y);
    let (verdict, colour) = if row.inside_band {
        ("model mean inside the record's 95% band", &MUTED)
    } else {
        ("model mean outside the record's 95% band", &VERMILLION_OI)
    };
    let notes = [
        (Some(verdict.to_string()), colour),
        (truncated.clone(), &VERMILLION_OI),
    ];
    for (i, (note, colour)) in notes.iter().enumerate() {
        if let Some(note) = note {
            text(
                &body,
                &fit(note, PANEL_SUBTITLE_SIZE, room),
                (8, i as i32 * 19),
                PANEL_SUBTITLE_SIZE,
                colour,
                false,
                HPos::Left,
            )?;
        }
    }
    let plot = sub_area(&body, (0, 40), (w as i32, h as i32 - 40));
    let x = category_axis(
        &["record".to_string(), "model".to_string()],
        String::new(),
        f64::from(w) - 120.0,
    );
    let mut chart = build_chart(&plot, &x, &y)?;
    let (band_lo, band_hi) = row.band;
    if band_lo.is_finite() && band_hi.is_finite() {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x.lo, band_lo.max(y.lo)), (x.hi, band_hi.min(y.hi))],
                BAND.mix(0.3).filled(),
            )))
            .map_err(draw_err)?;
    }
    if let Some((lo, hi)) = row.replica_range
        && lo.is_finite()
        && hi.is_finite()
    {
        let stroke = BLUE_OI.stroke_width(2);
        chart
            .draw_series([
                PathElement::new(vec![(1.0, lo), (1.0, hi)], stroke),
                PathElement::new(vec![(0.92, lo), (1.08, lo)], stroke),
                PathElement::new(vec![(0.92, hi), (1.08, hi)], stroke),
            ])
            .map_err(draw_err)?;
    }
    let dots = [(0.0, row.record, INK), (1.0, row.simulated, BLUE_OI)];
    chart
        .draw_series(
            dots.into_iter()
                .filter(|(_, v, _)| v.is_finite())
                .map(|(x, v, c)| Circle::new((x, v), MARKER_RADIUS + 1, c.filled())),
        )
        .map_err(draw_err)?;
    if truncated.is_some() {
        axis_break(&mut chart, &x, &y)?;
    }
    Ok(())
}

/// The calibration chart (SVG text): one panel per moment of the fit table, the record (its
/// value and 95% band) beside the model at the estimate (the replicas' mean and the central 95%
/// of single replicas), with the estimates, the objective and the J test in the header.
///
/// # Errors
/// [`Error::Internal`] if drawing fails.
pub fn calibration_fit_svg(c: &Calibration) -> Result<String, Error> {
    let p = &c.provenance;
    let width = (COLS * PANEL_W + 40).max(MIN_WIDTH);
    let max_px = f64::from(width) - 40.0;
    let mut estimates: Vec<String> = c
        .estimates
        .iter()
        .filter(|e| e.free)
        .map(|e| match e.se {
            Some(se) => format!("{} = {} (SE {})", e.key, short(e.value), short(se)),
            None => format!("{} = {}", e.key, short(e.value)),
        })
        .collect();
    if let Some(first) = estimates.first_mut() {
        *first = format!("Estimates: {first}");
    }
    let test = match (c.j, c.df, c.p_value) {
        (Some(j), Some(df), Some(pv)) => {
            format!("J = {} on {df} df (p = {})", short(j), short(pv))
        }
        _ => "no J test (as many parameters as moments)".to_string(),
    };
    let mut about = vec![format!(
        "{} against the {} record by simulated method of moments: {} replicas, seed {}",
        c.scenario, p.record, p.replicas, p.seed
    )];
    about.extend(p.options.iter().map(|(k, v)| format!("{k} = {v}")));
    let mut subtitles = wrap(&about, max_px);
    subtitles.extend(wrap(&estimates, max_px));
    subtitles.push(format!("Objective Q = {}; {test}", short(c.objective)));
    let key = vec![
        (Swatch::Band(BAND), "the record's 95% band".to_string()),
        (Swatch::Dot(INK), "the record".to_string()),
        (
            Swatch::Dot(BLUE_OI),
            "the model's mean at the estimate".to_string(),
        ),
        (
            Swatch::Ci(BLUE_OI),
            "central 95% of single replicas (a record's worth of simulated negotiations)"
                .to_string(),
        ),
    ];
    let key_h = key_height(&key, width);
    let rows = (c.fit.len() as i32 + COLS - 1) / COLS;
    let height = header_height(subtitles.len()) + key_h + 16 + rows.max(1) * PANEL_H;
    render(width as u32, height as u32, |root| {
        let top = figure_header(
            root,
            "Calibration: the record against the model at the estimate",
            &subtitles,
        )?;
        draw_key(root, &key, top, width)?;
        let y0 = top + key_h;
        for (i, row) in c.fit.iter().enumerate() {
            let (r, col) = (i as i32 / COLS, i as i32 % COLS);
            let area = sub_area(
                root,
                (20 + col * PANEL_W, y0 + r * PANEL_H),
                (PANEL_W, PANEL_H),
            );
            panel(&area, row)?;
        }
        Ok(())
    })
}
