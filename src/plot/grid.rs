//! A figure of panels in sections: the title and subtitles, a key strip, then sections (a
//! group of metrics, a host, the patron's totals), each with a heading and its panels in rows.
//! Every panel has a title in words, a grey definition, and a note line that states where the
//! value axis starts when it is truncated and how wide the widest 95% CI is.

use super::axis::{Axis, difference_axis, level_axis, tick_label, truncation_note, value_axis};
use super::draw::{
    AXIS, Area, Bar, GROUP_SIZE, INK, KEY_ROW, KEY_SIZE, Line, MARKER_RADIUS, MUTED,
    PANEL_SUBTITLE_SIZE, PANEL_TITLE_SIZE, SMALL_MARKER_RADIUS, VERMILLION_OI, axis_break,
    bar_values, build_chart, draw_bands, draw_bars, draw_err, draw_lines, figure_header, fit, flow,
    header_height, horizontal_line, line_values, render, sub_area, text, text_width,
    vertical_marker,
};
use crate::error::Error;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// How a line panel's value axis is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    /// From zero when the values are non-negative and zero is near; truncated (and marked)
    /// otherwise.
    Free,
    /// A level between 0 and 1: always `[0, 1]`.
    Level,
}

/// What a panel draws.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// Means with CI bars joined by lines (and CI bands if `bands`).
    Lines {
        lines: Vec<Line>,
        scale: Scale,
        bands: bool,
    },
    /// Paired differences: bars from zero with CI whiskers, and the zero line.
    Bars(Vec<Bar>),
}

/// One panel.
#[derive(Debug, Clone)]
pub(super) struct Panel {
    /// The title in words.
    pub(super) title: String,
    /// The definition (grey).
    pub(super) subtitle: String,
    /// The value axis's description (the unit).
    pub(super) y_desc: String,
    /// The data.
    pub(super) body: Body,
}

impl Panel {
    /// A panel of means with CIs for `metric`: its title in words, its `definition`, the value
    /// axis in `unit` (support levels on the whole 0-to-1 scale), CI bands if `bands`.
    pub(super) fn metric_lines(
        design: &super::design::Design,
        metric: &str,
        definition: &str,
        unit: &str,
        lines: Vec<Line>,
        bands: bool,
    ) -> Panel {
        Panel {
            title: super::titles::metric_title(metric).to_string(),
            subtitle: definition.to_string(),
            y_desc: super::axis::unit_label(unit, &design.report.units),
            body: Body::Lines {
                lines,
                scale: if unit == "level 0 to 1" {
                    Scale::Level
                } else {
                    Scale::Free
                },
                bands,
            },
        }
    }
}

/// A section: an optional heading and its panels, `cols` per row.
#[derive(Debug, Clone)]
pub(super) struct Section {
    pub(super) heading: Option<String>,
    pub(super) panels: Vec<Panel>,
}

/// The swatch of a key entry.
#[derive(Debug, Clone, Copy)]
pub(super) enum Swatch {
    /// A series: line with a dot.
    Series(RGBColor),
    /// A filled bar.
    Bar(RGBColor),
    /// A CI bar with caps.
    Ci(RGBColor),
    /// A translucent CI band.
    Band(RGBColor),
    /// A dashed vertical line.
    Dashed(RGBColor),
    /// A solid horizontal line.
    Zero,
    /// A ring around a dot.
    Ring(RGBColor),
    /// A dot alone.
    Dot(RGBColor),
}

/// A figure of sections of panels.
#[derive(Debug, Clone)]
pub(super) struct Figure {
    pub(super) title: String,
    pub(super) subtitles: Vec<String>,
    /// The key strip.
    pub(super) key: Vec<(Swatch, String)>,
    /// The x axis shared by every panel.
    pub(super) x_axis: Axis,
    /// A dashed vertical line (the reference arm) at this x.
    pub(super) marker_x: Option<f64>,
    pub(super) sections: Vec<Section>,
    pub(super) cols: i32,
    pub(super) panel_w: i32,
    pub(super) panel_h: i32,
}

/// Height of a section heading with its rule, pixels.
const HEADING_H: i32 = 48;
/// Height of a panel's header: title, definition and note lines, pixels.
const PANEL_HEAD_H: i32 = 72;

/// The panel's value axis.
fn y_axis(panel: &Panel) -> Axis {
    match &panel.body {
        Body::Lines {
            scale: Scale::Level,
            ..
        } => level_axis(panel.y_desc.clone()),
        Body::Lines { lines, .. } => value_axis(&line_values(lines), panel.y_desc.clone(), 5.0),
        Body::Bars(bars) => difference_axis(&bar_values(bars), panel.y_desc.clone(), 5.0),
    }
}

/// The widest 95% CI half-width of a panel's data, formatted for its axis.
fn widest_ci(panel: &Panel, axis: &Axis) -> Option<String> {
    let halves: Vec<f64> = match &panel.body {
        Body::Lines { lines, .. } => lines
            .iter()
            .flat_map(|l| &l.pts)
            .map(|p| (p.hi - p.lo) / 2.0)
            .collect(),
        Body::Bars(bars) => bars.iter().map(|b| (b.hi - b.lo) / 2.0).collect(),
    };
    let w = halves
        .into_iter()
        .filter(|w| w.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if !w.is_finite() {
        return None;
    }
    // Two significant digits.
    let step = if w > 0.0 {
        10f64.powf(w.log10().floor() - 1.0)
    } else {
        (axis.hi - axis.lo).abs() / 100.0
    };
    Some(format!("widest 95% CI ±{}", tick_label(w, step)))
}

/// Draws one panel into `area`.
fn draw_panel(area: &Area<'_>, fig: &Figure, panel: &Panel) -> Result<(), Error> {
    let (w, h) = area.dim_in_pixel();
    let max_px = f64::from(w) - 16.0;
    text(
        area,
        &fit(&panel.title, PANEL_TITLE_SIZE, max_px),
        (8, 10),
        PANEL_TITLE_SIZE,
        &INK,
        true,
        HPos::Left,
    )?;
    let subtitle = if panel.subtitle.eq_ignore_ascii_case(&panel.title) {
        ""
    } else {
        panel.subtitle.as_str()
    };
    text(
        area,
        &fit(subtitle, PANEL_SUBTITLE_SIZE, max_px),
        (8, 34),
        PANEL_SUBTITLE_SIZE,
        &MUTED,
        false,
        HPos::Left,
    )?;
    let y = y_axis(panel);
    let truncated = truncation_note(&y);
    let mut notes: Vec<String> = truncated.iter().cloned().collect();
    notes.extend(widest_ci(panel, &y));
    text(
        area,
        &fit(&notes.join("; "), PANEL_SUBTITLE_SIZE, max_px),
        (8, 53),
        PANEL_SUBTITLE_SIZE,
        if truncated.is_some() {
            &VERMILLION_OI
        } else {
            &MUTED
        },
        false,
        HPos::Left,
    )?;
    let body = sub_area(area, (0, PANEL_HEAD_H), (w as i32, h as i32 - PANEL_HEAD_H));
    let mut chart = build_chart(&body, &fig.x_axis, &y)?;
    if let Some(x) = fig.marker_x
        && fig.x_axis.contains(x)
    {
        vertical_marker(&mut chart, x, &y, &MUTED)?;
    }
    match &panel.body {
        Body::Lines { lines, bands, .. } => {
            if *bands {
                draw_bands(&mut chart, lines)?;
                draw_lines(&mut chart, lines, SMALL_MARKER_RADIUS)?;
            } else {
                draw_lines(&mut chart, lines, MARKER_RADIUS)?;
            }
        }
        Body::Bars(bars) => {
            draw_bars(&mut chart, bars)?;
            horizontal_line(&mut chart, 0.0, &fig.x_axis, &INK)?;
        }
    }
    if truncated.is_some() {
        axis_break(&mut chart, &fig.x_axis, &y)?;
    }
    Ok(())
}

/// Draws a key swatch with its left edge at `x`, centred on `y`.
fn swatch(root: &Area<'_>, s: Swatch, (x, y): (i32, i32)) -> Result<(), Error> {
    match s {
        Swatch::Series(c) => {
            root.draw(&PathElement::new(
                vec![(x, y), (x + 30, y)],
                c.mix(0.55).stroke_width(2),
            ))
            .map_err(draw_err)?;
            root.draw(&Circle::new((x + 15, y), 5, c.filled()))
                .map_err(draw_err)?;
        }
        Swatch::Bar(c) => root
            .draw(&Rectangle::new(
                [(x + 4, y - 8), (x + 26, y + 8)],
                c.mix(0.8).filled(),
            ))
            .map_err(draw_err)?,
        Swatch::Ci(c) => {
            let bar = c.stroke_width(2);
            root.draw(&PathElement::new(
                vec![(x + 15, y - 11), (x + 15, y + 11)],
                bar,
            ))
            .map_err(draw_err)?;
            for yy in [y - 11, y + 11] {
                root.draw(&PathElement::new(vec![(x + 10, yy), (x + 20, yy)], bar))
                    .map_err(draw_err)?;
            }
        }
        Swatch::Band(c) => root
            .draw(&Rectangle::new(
                [(x, y - 8), (x + 30, y + 8)],
                c.mix(0.28).filled(),
            ))
            .map_err(draw_err)?,
        Swatch::Dashed(c) => root
            .draw(&DashedPathElement::new(
                vec![(x + 15, y - 12), (x + 15, y + 12)],
                5,
                3,
                c.stroke_width(2),
            ))
            .map_err(draw_err)?,
        Swatch::Zero => root
            .draw(&PathElement::new(
                vec![(x, y), (x + 30, y)],
                INK.stroke_width(1),
            ))
            .map_err(draw_err)?,
        Swatch::Dot(c) => root
            .draw(&Circle::new((x + 15, y), MARKER_RADIUS, c.filled()))
            .map_err(draw_err)?,
        Swatch::Ring(c) => {
            root.draw(&Circle::new((x + 15, y), 11, c.stroke_width(2)))
                .map_err(draw_err)?;
            root.draw(&Circle::new((x + 15, y), 5, MUTED.filled()))
                .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Where each entry of a key strip goes in a figure `width` pixels wide (`(x, row)`), and
/// the strip's height, pixels.
fn key_layout(key: &[(Swatch, String)], width: i32) -> (Vec<(i32, i32)>, i32) {
    let entry_w: Vec<i32> = key
        .iter()
        .map(|(_, l)| 38 + text_width(l, KEY_SIZE) as i32 + 30)
        .collect();
    let places = flow(&entry_w, 20, width - 20);
    let key_rows = if key.is_empty() {
        0
    } else {
        places.last().map_or(1, |p| p.1 + 1)
    };
    (places, key_rows * KEY_ROW + 12)
}

/// The height of the key strip of `key` in a figure `width` pixels wide, pixels.
pub(super) fn key_height(key: &[(Swatch, String)], width: i32) -> i32 {
    key_layout(key, width).1
}

/// Draws the key strip of `key` below `top` across a figure `width` pixels wide.
pub(super) fn draw_key(
    root: &Area<'_>,
    key: &[(Swatch, String)],
    top: i32,
    width: i32,
) -> Result<(), Error> {
    let (places, _) = key_layout(key, width);
    for ((s, label), &(kx, row)) in key.iter().zip(&places) {
        let ky = top + 16 + row * KEY_ROW;
        swatch(root, *s, (kx, ky))?;
        text(
            root,
            &fit(label, KEY_SIZE, f64::from(width - kx - 60)),
            (kx + 38, ky - 9),
            KEY_SIZE,
            &INK,
            false,
            HPos::Left,
        )?;
    }
    Ok(())
}

/// Renders the figure.
pub(super) fn figure_svg(fig: &Figure) -> Result<String, Error> {
    let width = fig.cols * fig.panel_w + 40;
    let key_h = key_height(&fig.key, width);
    let mut height = header_height(fig.subtitles.len()) + key_h + 16;
    for s in &fig.sections {
        let rows = (s.panels.len() as i32 + fig.cols - 1) / fig.cols;
        height += rows.max(1) * fig.panel_h;
        if s.heading.is_some() {
            height += HEADING_H;
        }
    }
    render(width as u32, height as u32, |root| {
        let top = figure_header(root, &fig.title, &fig.subtitles)?;
        draw_key(root, &fig.key, top, width)?;
        let mut y0 = top + key_h;
        for s in &fig.sections {
            if let Some(heading) = &s.heading {
                text(
                    root,
                    &fit(heading, GROUP_SIZE, f64::from(width - 40)),
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
                y0 += HEADING_H;
            }
            for (i, panel) in s.panels.iter().enumerate() {
                let (r, c) = (i as i32 / fig.cols, i as i32 % fig.cols);
                let area = sub_area(
                    root,
                    (20 + c * fig.panel_w, y0 + r * fig.panel_h),
                    (fig.panel_w, fig.panel_h),
                );
                draw_panel(&area, fig, panel)?;
            }
            let rows = (s.panels.len() as i32 + fig.cols - 1) / fig.cols;
            y0 += rows.max(1) * fig.panel_h;
        }
        Ok(())
    })
}
