//! Shared drawing pieces: rendering, text, panels, the figure header, lines and markers,
//! colours and sizes.

use super::axis::{Axis, TickCoord};
use crate::error::Error;
use crate::report::escape::xml_text;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawing area of the SVG backend, pixels.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A chart with tick coordinates on both axes.
pub(super) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<TickCoord, TickCoord>>;

const FONT: &str = "sans-serif";
/// Plotters font sizes (the SVG gets `size / 1.24` px).
const TITLE_SIZE: f64 = 27.0;
pub(super) const SUBTITLE_SIZE: f64 = 17.0;
pub(super) const GROUP_SIZE: f64 = 22.0;
pub(super) const PANEL_TITLE_SIZE: f64 = 19.0;
pub(super) const PANEL_SUBTITLE_SIZE: f64 = 14.5;
pub(super) const LABEL_SIZE: f64 = 15.0;
const DESC_SIZE: f64 = 15.5;
pub(super) const KEY_SIZE: f64 = 16.0;
/// Height of one row of a key strip, pixels.
pub(super) const KEY_ROW: i32 = 30;
/// Radius of the mean markers, pixels.
pub(super) const MARKER_RADIUS: i32 = 5;
/// Radius of the smaller mean markers of charts with CI bands, pixels.
pub(super) const SMALL_MARKER_RADIUS: i32 = 3;

pub(super) const INK: RGBColor = RGBColor(34, 34, 34);
pub(super) const MUTED: RGBColor = RGBColor(105, 105, 105);
const GRID: RGBColor = RGBColor(228, 228, 228);
pub(super) const AXIS: RGBColor = RGBColor(120, 120, 120);
/// Okabe–Ito colours (distinguishable with colour-vision deficiencies).
pub(super) const BLUE_OI: RGBColor = RGBColor(0, 114, 178);
const ORANGE_OI: RGBColor = RGBColor(230, 159, 0);
pub(super) const GREEN_OI: RGBColor = RGBColor(0, 158, 115);
pub(super) const VERMILLION_OI: RGBColor = RGBColor(213, 94, 0);
const PURPLE_OI: RGBColor = RGBColor(204, 121, 167);
const SKY_OI: RGBColor = RGBColor(86, 180, 233);
pub(super) const SERIES: [RGBColor; 7] = [
    BLUE_OI,
    ORANGE_OI,
    GREEN_OI,
    VERMILLION_OI,
    PURPLE_OI,
    SKY_OI,
    INK,
];

/// A plotters error as the crate's [`Error::Internal`].
pub(super) fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("drawing a chart: {e}"))
}

/// Renders a `width × height` SVG with `draw` into a string.
pub(super) fn render(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<'_>) -> Result<(), Error>,
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    if !svg.trim_end().ends_with("</svg>") {
        return Err(Error::Internal("chart: the SVG was not closed".into()));
    }
    Ok(svg)
}

/// A rough width of `s` in pixels at plotters font size `size` (a sans-serif font renders at
/// `size / 1.24` px; an average glyph is about 0.6 em wide).
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.49
}

/// `s` shortened with "..." to fit `max_px`.
pub(super) fn fit(s: &str, size: f64, max_px: f64) -> String {
    if text_width(s, size) <= max_px {
        return s.to_string();
    }
    let per_char = size * 0.49;
    let keep = ((max_px / per_char).floor() as usize).saturating_sub(3);
    let mut out: String = s.chars().take(keep).collect();
    out = out.trim_end().to_string();
    out.push_str("...");
    out
}

fn style<'a>(size: f64, color: &RGBColor, bold: bool, h: HPos, v: VPos) -> TextStyle<'a> {
    let font = if bold {
        (FONT, size, FontStyle::Bold).into_font()
    } else {
        (FONT, size).into_font()
    };
    font.color(color).pos(Pos::new(h, v))
}

/// Draws `s` (made safe for XML by [`xml_text`]) at pixel `(x, y)` of `area`, anchored at its
/// left (or `h`) and top.
#[allow(clippy::too_many_arguments)]
pub(super) fn text(
    area: &Area<'_>,
    s: &str,
    (x, y): (i32, i32),
    size: f64,
    color: &RGBColor,
    bold: bool,
    h: HPos,
) -> Result<(), Error> {
    area.draw_text(
        &xml_text(s),
        &style(size, color, bold, h, VPos::Top),
        (x, y),
    )
    .map_err(draw_err)
}

/// A sub-area of `area` at pixel offset `(x, y)` with size `(w, h)`, clamped to `area`.
pub(super) fn sub_area<'a>(area: &Area<'a>, (x, y): (i32, i32), (w, h): (i32, i32)) -> Area<'a> {
    let (aw, ah) = area.dim_in_pixel();
    let (aw, ah) = (aw as i32, ah as i32);
    let x = x.clamp(0, aw);
    let y = y.clamp(0, ah);
    let w = w.clamp(1, (aw - x).max(1));
    let h = h.clamp(1, (ah - y).max(1));
    area.clone().shrink((x, y), (w as u32, h as u32))
}

/// Draws a panel title (bold) and an optional grey subtitle, and returns the area below them.
pub(super) fn panel_header<'a>(
    area: &Area<'a>,
    title: &str,
    subtitle: Option<&str>,
) -> Result<Area<'a>, Error> {
    let (w, h) = area.dim_in_pixel();
    let max_px = f64::from(w) - 16.0;
    text(
        area,
        &fit(title, PANEL_TITLE_SIZE, max_px),
        (8, 12),
        PANEL_TITLE_SIZE,
        &INK,
        true,
        HPos::Left,
    )?;
    let mut used = 12 + PANEL_TITLE_SIZE as i32 + 4;
    if let Some(sub) = subtitle {
        text(
            area,
            &fit(sub, PANEL_SUBTITLE_SIZE, max_px),
            (8, used),
            PANEL_SUBTITLE_SIZE,
            &MUTED,
            false,
            HPos::Left,
        )?;
        used += PANEL_SUBTITLE_SIZE as i32 + 4;
    }
    Ok(sub_area(area, (0, used), (w as i32, h as i32 - used)))
}

/// `desc` fitted to `max_px`: parenthetical remarks dropped first, then shortened.
pub(super) fn shorten_desc(desc: &str, max_px: f64) -> String {
    if text_width(desc, DESC_SIZE) <= max_px {
        return desc.to_string();
    }
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in desc.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let plain = plain.replace(" ,", ",");
    fit(&plain, DESC_SIZE, max_px)
}

/// Builds a chart with its mesh, tick labels and axis descriptions in `area`.
pub(super) fn build_chart<'a, 'b>(
    area: &'a Area<'b>,
    x: &Axis,
    y: &Axis,
) -> Result<Chart<'a, 'b>, Error> {
    let widest = y
        .ticks
        .iter()
        .map(|(_, l)| text_width(l, LABEL_SIZE))
        .fold(0.0, f64::max);
    let y_area = (widest + DESC_SIZE + 20.0).ceil() as u32;
    let x_area = (LABEL_SIZE + DESC_SIZE + 12.0).ceil() as u32;
    let (w, h) = area.dim_in_pixel();
    let x_desc = xml_text(&shorten_desc(
        &x.desc,
        f64::from(w) - f64::from(y_area) - 30.0,
    ));
    let y_desc = xml_text(&shorten_desc(
        &y.desc,
        f64::from(h) - f64::from(x_area) - 16.0,
    ));
    let mut chart = ChartBuilder::on(area)
        .margin_top(10)
        .margin_right(18)
        .margin_left(4)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(TickCoord::from(x), TickCoord::from(y))
        .map_err(draw_err)?;
    let fx = |v: &f64| xml_text(&x.label(*v));
    let fy = |v: &f64| xml_text(&y.label(*v));
    chart
        .configure_mesh()
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, DESC_SIZE).into_font().color(&INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .set_all_tick_mark_size(4)
        .draw()
        .map_err(draw_err)?;
    Ok(chart)
}

/// A vertical dashed line across the chart at `x`.
pub(super) fn vertical_marker(
    chart: &mut Chart<'_, '_>,
    x: f64,
    y: &Axis,
    color: &RGBColor,
) -> Result<(), Error> {
    chart
        .draw_series(std::iter::once(DashedPathElement::new(
            vec![(x, y.lo), (x, y.hi)],
            6,
            4,
            color.stroke_width(2),
        )))
        .map_err(draw_err)?;
    Ok(())
}

/// One point of a line: mean and 95% CI at position `x`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pt {
    pub(super) x: f64,
    pub(super) mean: f64,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ring: bool,
}

/// Points joined by a line, with CI bars.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) color: RGBColor,
    pub(super) pts: Vec<Pt>,
}

/// Draws the lines, CI bars, markers of `radius` pixels and rings (finite values only).
pub(super) fn draw_lines(
    chart: &mut Chart<'_, '_>,
    lines: &[Line],
    radius: i32,
) -> Result<(), Error> {
    for line in lines {
        let pts: Vec<Pt> = line
            .pts
            .iter()
            .copied()
            .filter(|p| p.x.is_finite() && p.mean.is_finite())
            .collect();
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|p| (p.x, p.mean)),
                line.color.mix(0.55).stroke_width(2),
            ))
            .map_err(draw_err)?;
        let bar = line.color.stroke_width(2);
        // Intervals shorter than the dot would only peek out as a smudge: the dot stands for
        // them (the key says so).
        let visible = |p: &&Pt| {
            p.lo.is_finite()
                && p.hi.is_finite()
                && (chart.backend_coord(&(p.x, p.hi)).1 - chart.backend_coord(&(p.x, p.lo)).1).abs()
                    > 2 * radius + 2
        };
        let bars: Vec<Pt> = pts.iter().filter(visible).copied().collect();
        for p in &bars {
            chart
                .draw_series([
                    EmptyElement::at((p.x, p.lo)) + PathElement::new(vec![(-4, 0), (4, 0)], bar),
                    EmptyElement::at((p.x, p.hi)) + PathElement::new(vec![(-4, 0), (4, 0)], bar),
                ])
                .map_err(draw_err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(p.x, p.lo), (p.x, p.hi)],
                    bar,
                )))
                .map_err(draw_err)?;
        }
        chart
            .draw_series(
                pts.iter()
                    .map(|p| Circle::new((p.x, p.mean), radius, line.color.filled())),
            )
            .map_err(draw_err)?;
        chart
            .draw_series(
                pts.iter()
                    .filter(|p| p.ring)
                    .map(|p| Circle::new((p.x, p.mean), 11, VERMILLION_OI.stroke_width(2))),
            )
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The values a line panel's y axis must show.
pub(super) fn line_values(lines: &[Line]) -> Vec<f64> {
    lines
        .iter()
        .flat_map(|l| l.pts.iter())
        .flat_map(|p| [p.mean, p.lo, p.hi])
        .collect()
}

/// Figures are at least this wide, pixels (room for the title and the key).
pub(super) const MIN_WIDTH: i32 = 1100;
const SUBTITLE_LINE: i32 = SUBTITLE_SIZE as i32 + 6;

/// The height of a figure header with `lines` subtitle lines.
pub(super) fn header_height(lines: usize) -> i32 {
    14 + TITLE_SIZE as i32 + 6 + lines as i32 * SUBTITLE_LINE + 8
}

/// Draws the figure title and subtitle lines at the top of `root`; returns the height used.
pub(super) fn figure_header(
    root: &Area<'_>,
    title: &str,
    subtitles: &[String],
) -> Result<i32, Error> {
    let (w, _) = root.dim_in_pixel();
    let max_px = f64::from(w) - 40.0;
    text(
        root,
        &fit(title, TITLE_SIZE, max_px),
        (20, 14),
        TITLE_SIZE,
        &INK,
        true,
        HPos::Left,
    )?;
    for (i, line) in subtitles.iter().enumerate() {
        text(
            root,
            &fit(line, SUBTITLE_SIZE, max_px),
            (20, 14 + TITLE_SIZE as i32 + 6 + i as i32 * SUBTITLE_LINE),
            SUBTITLE_SIZE,
            &MUTED,
            false,
            HPos::Left,
        )?;
    }
    Ok(header_height(subtitles.len()))
}

/// Places items of the given widths left to right from `x0`, wrapping before `x_max`: the
/// `(x, row)` of each.
pub(super) fn flow(widths: &[i32], x0: i32, x_max: i32) -> Vec<(i32, i32)> {
    let mut out = Vec::with_capacity(widths.len());
    let (mut x, mut row) = (x0, 0);
    for &w in widths {
        if x > x0 && x + w > x_max {
            x = x0;
            row += 1;
        }
        out.push((x, row));
        x += w;
    }
    out
}

/// `s` with its first letter in upper case.
pub(super) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Draws each line's 95% confidence band: a translucent area between the CI ends (finite
/// points only), under the lines.
pub(super) fn draw_bands(chart: &mut Chart<'_, '_>, lines: &[Line]) -> Result<(), Error> {
    for line in lines {
        let pts: Vec<Pt> = line
            .pts
            .iter()
            .copied()
            .filter(|p| p.x.is_finite() && p.lo.is_finite() && p.hi.is_finite())
            .collect();
        if pts.len() < 2 {
            continue;
        }
        let mut outline: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, p.hi)).collect();
        outline.extend(pts.iter().rev().map(|p| (p.x, p.lo)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                line.color.mix(0.28).filled(),
            )))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// A horizontal line across the chart at `y` (a zero line).
pub(super) fn horizontal_line(
    chart: &mut Chart<'_, '_>,
    y: f64,
    x: &Axis,
    color: &RGBColor,
) -> Result<(), Error> {
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(x.lo, y), (x.hi, y)],
            color.stroke_width(1),
        )))
        .map_err(draw_err)?;
    Ok(())
}

/// The break mark of a truncated value axis: the axis line cut by two slanted strokes near
/// its bottom.
pub(super) fn axis_break(chart: &mut Chart<'_, '_>, x: &Axis, y: &Axis) -> Result<(), Error> {
    let at = (x.lo, y.lo);
    let stroke = INK.stroke_width(2);
    chart
        .draw_series(std::iter::once(
            EmptyElement::at(at)
                + Rectangle::new([(-8, -16), (8, -8)], WHITE.filled())
                + PathElement::new(vec![(-7, -11), (7, -17)], stroke)
                + PathElement::new(vec![(-7, -5), (7, -11)], stroke),
        ))
        .map_err(draw_err)?;
    Ok(())
}

/// One bar of a paired-difference panel: the mean difference from zero at `x`, `half` wide on
/// each side (axis units), with its 95% CI.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bar {
    pub(super) x: f64,
    pub(super) half: f64,
    pub(super) mean: f64,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) color: RGBColor,
}

/// Draws the bars (finite means only) and their CI whiskers with caps.
pub(super) fn draw_bars(chart: &mut Chart<'_, '_>, bars: &[Bar]) -> Result<(), Error> {
    let finite: Vec<&Bar> = bars
        .iter()
        .filter(|b| b.x.is_finite() && b.mean.is_finite())
        .collect();
    chart
        .draw_series(finite.iter().map(|b| {
            Rectangle::new(
                [(b.x - b.half, 0.0), (b.x + b.half, b.mean)],
                b.color.mix(0.8).filled(),
            )
        }))
        .map_err(draw_err)?;
    let whisker = INK.stroke_width(2);
    for b in finite
        .iter()
        .filter(|b| b.lo.is_finite() && b.hi.is_finite())
    {
        chart
            .draw_series([
                PathElement::new(vec![(b.x, b.lo), (b.x, b.hi)], whisker),
                PathElement::new(
                    vec![(b.x - b.half * 0.4, b.lo), (b.x + b.half * 0.4, b.lo)],
                    whisker,
                ),
                PathElement::new(
                    vec![(b.x - b.half * 0.4, b.hi), (b.x + b.half * 0.4, b.hi)],
                    whisker,
                ),
            ])
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The values a bar panel's axis must show.
pub(super) fn bar_values(bars: &[Bar]) -> Vec<f64> {
    bars.iter().flat_map(|b| [b.mean, b.lo, b.hi]).collect()
}
