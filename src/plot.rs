//! SVG charts of reports (feature `plot`).
//!
//! Three charts, drawn with the SVG backend of `plotters` only (no system libraries, no fonts at
//! build time; text is laid out from estimated widths and rendered by the viewer in a sans-serif
//! font):
//!
//! - `metrics_by_cycle.svg` ([`write_run_charts`]): the headline metrics against the cycle
//!   length, one small panel per metric (its own unit on the y axis), one row per metric group
//!   (friction, uncertainty, agreement cost). Each point is the mean over the simulated
//!   histories with its 95% confidence interval; the reference arm is a dashed vertical line and
//!   the arm with the lowest mean joint loss is ringed in every panel. The x axis is logarithmic
//!   when the longest cycle is at least 8 times the shortest.
//! - `deadline_effect.svg` ([`write_run_charts`]): per arm, the histogram of signing times of
//!   completed negotiations relative to the deadline (negative: early; positive: months of
//!   lapse) as shares of that arm's negotiations, on a common scale, with the deadline marked.
//! - a sweep chart ([`write_sweep_chart`]): per metric, its mean against the swept value, one
//!   line with 95% confidence intervals per cycle length.
//!
//! Every file is rendered in memory ([`run_charts_svg`], [`sweep_chart_svg`]) and written
//! atomically ([`crate::report::write_atomic`]). Every text drawn (scenario name, units,
//! parameter, swept values, titles made from them) passes through
//! [`crate::report::escape::xml_text`], and plotters escapes the markup characters, so any name
//! gives a well-formed SVG.
//! Degenerate data (one arm, equal values, zero-width intervals, no negotiations) gives padded
//! axes, never a panic; non-finite values are left out of the charts.

use crate::error::Error;
use crate::metrics::{METRICS, MetricGroup, MetricInfo};
use crate::report::escape::xml_text;
use crate::report::{HistogramReport, write_atomic};
use crate::stats::Summary;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<TickCoord, TickCoord>>;

/// File name of the metrics chart in [`write_run_charts`].
const METRICS_FILE: &str = "metrics_by_cycle.svg";
/// File name of the signing-time chart in [`write_run_charts`].
const DEADLINE_FILE: &str = "deadline_effect.svg";

/// The headline metrics of the run chart, one row per group.
const RUN_ROWS: [(MetricGroup, &[&str]); 3] = [
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

const FONT: &str = "sans-serif";
/// Plotters font sizes (the SVG gets `size / 1.24` px).
const TITLE_SIZE: f64 = 27.0;
const SUBTITLE_SIZE: f64 = 17.0;
const GROUP_SIZE: f64 = 22.0;
const PANEL_TITLE_SIZE: f64 = 19.0;
const PANEL_SUBTITLE_SIZE: f64 = 14.5;
const LABEL_SIZE: f64 = 15.0;
const DESC_SIZE: f64 = 15.5;
const KEY_SIZE: f64 = 16.0;
/// Height of one row of a key strip, pixels.
const KEY_ROW: i32 = 30;
/// Radius of the mean markers, pixels.
const MARKER_RADIUS: i32 = 5;

const INK: RGBColor = RGBColor(34, 34, 34);
const MUTED: RGBColor = RGBColor(105, 105, 105);
const GRID: RGBColor = RGBColor(228, 228, 228);
const AXIS: RGBColor = RGBColor(120, 120, 120);
/// Okabe–Ito colours (distinguishable with colour-vision deficiencies).
const BLUE_OI: RGBColor = RGBColor(0, 114, 178);
const ORANGE_OI: RGBColor = RGBColor(230, 159, 0);
const GREEN_OI: RGBColor = RGBColor(0, 158, 115);
const VERMILLION_OI: RGBColor = RGBColor(213, 94, 0);
const PURPLE_OI: RGBColor = RGBColor(204, 121, 167);
const SKY_OI: RGBColor = RGBColor(86, 180, 233);
const SERIES: [RGBColor; 7] = [
    BLUE_OI,
    ORANGE_OI,
    GREEN_OI,
    VERMILLION_OI,
    PURPLE_OI,
    SKY_OI,
    INK,
];

/// Writes the charts of one experiment into the existing directory `dir`:
/// `metrics_by_cycle.svg` (headline metrics against the cycle length, with 95% confidence
/// intervals, the reference arm and the arm with the lowest joint loss marked) and
/// `deadline_effect.svg` (signing times relative to the deadline, per arm). Returns the paths
/// written, in that order.
///
/// # Errors
/// [`Error::UnknownMetric`] if the report lacks a headline metric; [`Error::Io`] naming the
/// path if a file cannot be written; [`Error::Internal`] if drawing fails.
pub fn write_run_charts(report: &crate::report::Report, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    run_charts(&Report::view(report), dir)
}

fn run_charts(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    for (name, svg) in view_charts_svg(report)? {
        let path = dir.join(name);
        write_atomic(&path, svg.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// The charts of [`write_run_charts`] rendered in memory: `(file name, SVG text)` for
/// `metrics_by_cycle.svg` and `deadline_effect.svg`, in that order.
///
/// # Errors
/// [`Error::UnknownMetric`] if the report lacks a headline metric; [`Error::Internal`] if
/// drawing fails.
pub fn run_charts_svg(
    report: &crate::report::Report,
) -> Result<Vec<(&'static str, String)>, Error> {
    view_charts_svg(&Report::view(report))
}

fn view_charts_svg(report: &Report) -> Result<Vec<(&'static str, String)>, Error> {
    Ok(vec![
        (METRICS_FILE, metrics_by_cycle_svg(report)?),
        (DEADLINE_FILE, deadline_effect_svg(report)?),
    ])
}

/// Writes the chart of a parameter sweep to `path`: one panel per metric of `metrics`, the
/// metric's mean against the swept value (a numeric axis if every value is a number, otherwise
/// evenly spaced positions labelled by the values), one line with 95% confidence intervals per
/// cycle length, and a legend naming the cycle lengths.
///
/// # Errors
/// [`Error::InvalidExperiment`] if `metrics` is empty; [`Error::UnknownMetric`] for an unknown
/// metric name; [`Error::Io`] naming the path if it cannot be written; [`Error::Internal`] if
/// drawing fails.
pub fn write_sweep_chart(
    report: &crate::report::Report,
    metrics: &[&str],
    path: &Path,
) -> Result<(), Error> {
    sweep_chart(&SweepReport::view(report)?, metrics, path)
}

fn sweep_chart(sweep: &SweepReport, metrics: &[&str], path: &Path) -> Result<(), Error> {
    let svg = sweep_svg(sweep, metrics)?;
    write_atomic(path, svg.as_bytes())
}

/// The chart of [`write_sweep_chart`] rendered in memory (SVG text).
///
/// # Errors
/// [`Error::InvalidExperiment`] if `metrics` is empty; [`Error::UnknownMetric`] for an unknown
/// metric name; [`Error::Internal`] if drawing fails.
pub fn sweep_chart_svg(report: &crate::report::Report, metrics: &[&str]) -> Result<String, Error> {
    sweep_svg(&SweepReport::view(report)?, metrics)
}

// ---------------------------------------------------------------------------------------------
// The charts' view of a report: one arm per cycle length of one host.

/// One arm as the charts see it.
#[derive(Clone)]
struct ArmReport {
    cycle_years: f64,
    metrics: BTreeMap<String, Summary>,
    signing_vs_deadline_months: HistogramReport,
}

impl ArmReport {
    fn metric(&self, name: &str) -> Result<&Summary, Error> {
        self.metrics.get(name).ok_or_else(|| unknown_metric(name))
    }
}

/// A single-host report as the charts see it.
#[derive(Clone)]
struct Report {
    scenario: String,
    units: String,
    fingerprint: String,
    seed: u64,
    trials: u64,
    reference_cycle_years: f64,
    arms: Vec<ArmReport>,
}

impl Report {
    /// The arms of `variant` (all arms when `None`), first host.
    fn of_variant(r: &crate::report::Report, variant: Option<&str>) -> Report {
        let arms = r
            .arms
            .iter()
            .filter(|a| variant.is_none_or(|v| a.variant == v))
            .filter_map(|a| {
                let h = a.hosts.first()?;
                Some(ArmReport {
                    cycle_years: h.cycle_years,
                    metrics: h
                        .metrics
                        .iter()
                        .map(|m| (m.metric.clone(), m.summary()))
                        .collect(),
                    signing_vs_deadline_months: h.signing_vs_deadline_months.clone(),
                })
            })
            .collect();
        Report {
            scenario: r.scenario.clone(),
            units: r.units.clone(),
            fingerprint: r.fingerprint.clone(),
            seed: r.seed,
            trials: r.trials,
            reference_cycle_years: r.reference_arm().map_or(f64::NAN, |a| a.cycle()),
            arms,
        }
    }

    fn view(r: &crate::report::Report) -> Report {
        let first = r.arms.first().map(|a| a.variant.clone());
        Report::of_variant(r, first.as_deref())
    }
}

/// A sweep as the charts see it: one single-variant report per value.
#[derive(Clone)]
struct SweepReport {
    parameter: String,
    values: Vec<String>,
    reports: Vec<Report>,
}

impl SweepReport {
    fn view(r: &crate::report::Report) -> Result<SweepReport, Error> {
        let (parameter, values) =
            crate::run::sweep::swept(r).ok_or_else(|| Error::InvalidExperiment {
                field: "variants".into(),
                rule: "a sweep chart needs variants that each set the same one key".into(),
                got: format!("{} variants", r.variants.len()),
            })?;
        let reports = r
            .variants
            .iter()
            .map(|v| Report::of_variant(r, Some(&v.name)))
            .collect();
        Ok(SweepReport {
            parameter,
            values,
            reports,
        })
    }

    fn numeric_values(&self) -> Option<Vec<f64>> {
        self.values.iter().map(|v| v.trim().parse().ok()).collect()
    }

    fn cycle_years(&self) -> Vec<f64> {
        let mut out: Vec<f64> = Vec::new();
        for r in &self.reports {
            for a in &r.arms {
                if !out.contains(&a.cycle_years) {
                    out.push(a.cycle_years);
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces: errors, rendering, text, axes.

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("drawing a chart: {e}"))
}

fn unknown_metric(name: &str) -> Error {
    Error::UnknownMetric {
        name: name.to_string(),
        available: METRICS.iter().map(|m| m.name.to_string()).collect(),
    }
}

fn metric_info(name: &str) -> Result<&'static MetricInfo, Error> {
    METRICS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| unknown_metric(name))
}

/// Renders a `width × height` SVG with `draw` into a string.
fn render(
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
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.49
}

/// `s` shortened with "..." to fit `max_px`.
fn fit(s: &str, size: f64, max_px: f64) -> String {
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
fn text(
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
fn sub_area<'a>(area: &Area<'a>, (x, y): (i32, i32), (w, h): (i32, i32)) -> Area<'a> {
    let (aw, ah) = area.dim_in_pixel();
    let (aw, ah) = (aw as i32, ah as i32);
    let x = x.clamp(0, aw);
    let y = y.clamp(0, ah);
    let w = w.clamp(1, (aw - x).max(1));
    let h = h.clamp(1, (ah - y).max(1));
    area.clone().shrink((x, y), (w as u32, h as u32))
}

/// Draws a panel title (bold) and an optional grey subtitle, and returns the area below them.
fn panel_header<'a>(
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

/// One axis: its range, the ticks (position, label) and its description.
#[derive(Debug, Clone, PartialEq)]
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<(f64, String)>,
    desc: String,
}

impl Axis {
    fn label(&self, v: f64) -> String {
        let tol = (self.hi - self.lo).abs() * 1e-9;
        self.ticks
            .iter()
            .find(|(p, _)| (p - v).abs() <= tol)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }

    fn positions(&self) -> Vec<f64> {
        self.ticks.iter().map(|(p, _)| *p).collect()
    }

    fn contains(&self, v: f64) -> bool {
        v.is_finite() && v >= self.lo.min(self.hi) && v <= self.hi.max(self.lo)
    }
}

/// A linear coordinate whose ticks (and grid lines) are exactly the given positions.
#[derive(Debug, Clone)]
struct TickCoord {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl From<&Axis> for TickCoord {
    fn from(a: &Axis) -> TickCoord {
        TickCoord {
            lo: a.lo,
            hi: a.hi,
            ticks: a.positions(),
        }
    }
}

impl Ranged for TickCoord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let t = (*v - self.lo) / span;
        if !t.is_finite() {
            return (limit.0 + limit.1) / 2;
        }
        // Far outside points are clamped (drawing clips them); no overflow in the cast.
        let px = f64::from(limit.0) + t * f64::from(limit.1 - limit.0);
        px.round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// `[lo, hi]` widened by `frac` of its span on each side, or around the value if the span is
/// zero; `(0, 1)` without finite data.
fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() || lo > hi {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let scale = lo.abs().max(hi.abs());
    if !span.is_finite() {
        return (lo, hi);
    }
    if span <= scale * 1e-9 || span == 0.0 {
        let pad = if scale > 0.0 { scale * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    (lo - span * frac, hi + span * frac)
}

/// A step of 1, 2 or 5 times a power of ten giving about `target` intervals over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target.max(1.0);
    if !raw.is_finite() || raw <= 0.0 {
        return f64::NAN;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let nice = if m < 1.5 {
        1.0
    } else if m < 3.0 {
        2.0
    } else if m < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * p
}

/// Multiples of `step` in `[lo, hi]` (at most 200).
fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !step.is_finite() || step <= 0.0 || !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let first = (lo / step - 1e-9).ceil();
    let mut out = Vec::new();
    let mut k = first;
    while out.len() < 200 {
        let v = k * step;
        if v > hi + step * 1e-9 {
            break;
        }
        // Avoid "-0".
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        k += 1.0;
    }
    out
}

/// Decimal places that tick labels at multiples of `step` need.
fn decimals(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 || step >= 1.0 {
        return 0;
    }
    (-(step.log10() + 1e-9).floor()).clamp(0.0, 12.0) as usize
}

/// `n` with thousands separators.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A tick label for `v` on an axis with tick spacing `step`.
fn tick_label(v: f64, step: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let v = if v.abs() <= step.abs() * 1e-6 { 0.0 } else { v };
    let mag = v.abs().max(step.abs());
    if mag >= 1e9 || (step > 0.0 && step < 1e-4) {
        return format!("{v:.1e}");
    }
    let d = decimals(step);
    if d == 0 && v.abs() >= 1000.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        return format!("{sign}{}", thousands(v.abs().round() as u64));
    }
    format!("{v:.d$}")
}

/// A value axis over `values` (non-finite ones ignored) with about `target` ticks; starts at
/// zero if the values are non-negative and zero is close (at most twice the span away).
fn value_axis(values: &[f64], desc: String, target: f64) -> Axis {
    value_axis_with(values, desc, target, tick_label)
}

/// [`value_axis`] with tick labels from `label(value, step)`.
fn value_axis_with(
    values: &[f64],
    desc: String,
    target: f64,
    label: impl Fn(f64, f64) -> String,
) -> Axis {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (mut lo, mut hi) = padded(lo, hi, 0.07);
    let data_lo = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    if data_lo.is_finite() && data_lo >= 0.0 {
        if data_lo <= 0.5 * hi {
            lo = 0.0;
        } else {
            lo = lo.max(0.0);
        }
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let step = nice_step(hi - lo, target);
    let ticks = multiples(lo, hi, step)
        .into_iter()
        .map(|v| (v, label(v, step)))
        .collect();
    Axis {
        lo,
        hi,
        ticks,
        desc,
    }
}

/// Keeps ticks whose labels do not overlap along an axis `plot_px` wide: the tick at
/// `prefer` (if any) first, then the others from left to right.
fn thin_ticks(
    ticks: Vec<(f64, String)>,
    lo: f64,
    hi: f64,
    plot_px: f64,
    prefer: Option<f64>,
) -> Vec<(f64, String)> {
    let span = hi - lo;
    if ticks.len() < 2 || span <= 0.0 || !span.is_finite() {
        return ticks;
    }
    let px = |v: f64| (v - lo) / span * plot_px;
    let half = |s: &str| text_width(s, LABEL_SIZE) / 2.0 + 6.0;
    let mut order = ticks;
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some(p) = prefer
        && let Some(i) = order.iter().position(|t| t.0 == p)
    {
        let t = order.remove(i);
        order.insert(0, t);
    }
    let mut kept: Vec<(f64, String)> = Vec::new();
    for (p, l) in order {
        let fits = kept
            .iter()
            .all(|(q, m)| (px(p) - px(*q)).abs() >= half(&l) + half(m));
        if fits {
            kept.push((p, l));
        }
    }
    kept.sort_by(|a, b| a.0.total_cmp(&b.0));
    kept
}

/// How positions map to the x axis of cycle lengths.
#[derive(Debug, Clone, Copy)]
struct CycleScale {
    log: bool,
}

impl CycleScale {
    fn pos(self, c: f64) -> f64 {
        if self.log { c.ln() } else { c }
    }
}

/// `1`, `2.5`: a cycle length or swept value as written.
fn short_number(x: f64) -> String {
    if x.is_finite() && x.abs() < 1e15 && x == x.round() {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// `5-year`: a cycle length as an adjective.
fn year_adjective(c: f64) -> String {
    format!("{}-year", short_number(c))
}

fn years_label(c: f64) -> String {
    if c == 1.0 {
        "1 year".into()
    } else {
        format!("{} years", short_number(c))
    }
}

/// The x axis of cycle lengths: logarithmic if the longest is at least 8 times the shortest,
/// ticks at the arms.
fn cycle_axis(cycles: &[f64], reference: Option<f64>, plot_px: f64) -> (Axis, CycleScale) {
    let finite: Vec<f64> = cycles.iter().copied().filter(|c| c.is_finite()).collect();
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log = min > 0.0 && max / min >= 8.0;
    let scale = CycleScale { log };
    let (lo, hi) = if finite.is_empty() {
        (0.0, 1.0)
    } else {
        let (a, b) = (scale.pos(min), scale.pos(max));
        if b - a > 0.0 {
            padded(a, b, 0.08)
        } else {
            let pad = if log { 0.5 } else { (a.abs() * 0.5).max(0.5) };
            (a - pad, b + pad)
        }
    };
    let mut sorted = finite.clone();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let ticks = sorted
        .iter()
        .map(|&c| {
            let label = if Some(c) == reference {
                format!("{} (ref)", short_number(c))
            } else {
                short_number(c)
            };
            (scale.pos(c), label)
        })
        .collect();
    let desc = if log {
        "cycle length, years (log scale)"
    } else {
        "cycle length, years"
    };
    let axis = Axis {
        lo,
        hi,
        ticks: thin_ticks(ticks, lo, hi, plot_px, reference.map(|r| scale.pos(r))),
        desc: desc.into(),
    };
    (axis, scale)
}

/// The y-axis description of a metric: money in the report's units (present values), the
/// other units as in [`METRICS`].
fn unit_label(info: &MetricInfo, units: &str) -> String {
    let units = units.trim();
    if info.unit.starts_with("money") {
        let money = if units.is_empty() { "money" } else { units };
        if info.unit.contains("PV") {
            format!("{money}, present value")
        } else {
            money.to_string()
        }
    } else if info.unit == "0/1" {
        "share of histories".into()
    } else {
        info.unit.to_string()
    }
}

/// `desc` fitted to `max_px`: parenthetical remarks dropped first, then shortened.
fn shorten_desc(desc: &str, max_px: f64) -> String {
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
fn build_chart<'a, 'b>(area: &'a Area<'b>, x: &Axis, y: &Axis) -> Result<Chart<'a, 'b>, Error> {
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
fn vertical_marker(
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
struct Pt {
    x: f64,
    mean: f64,
    lo: f64,
    hi: f64,
    ring: bool,
}

/// Points joined by a line, with CI bars.
#[derive(Debug, Clone)]
struct Line {
    color: RGBColor,
    pts: Vec<Pt>,
}

/// Draws the lines, CI bars, markers and rings (finite values only).
fn draw_lines(chart: &mut Chart<'_, '_>, lines: &[Line]) -> Result<(), Error> {
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
                    > 2 * MARKER_RADIUS + 2
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
                    .map(|p| Circle::new((p.x, p.mean), MARKER_RADIUS, line.color.filled())),
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
fn line_values(lines: &[Line]) -> Vec<f64> {
    lines
        .iter()
        .flat_map(|l| l.pts.iter())
        .flat_map(|p| [p.mean, p.lo, p.hi])
        .collect()
}

/// Figures are at least this wide, pixels (room for the title and the key).
const MIN_WIDTH: i32 = 1100;
const SUBTITLE_LINE: i32 = SUBTITLE_SIZE as i32 + 6;

/// The height of a figure header with `lines` subtitle lines.
fn header_height(lines: usize) -> i32 {
    14 + TITLE_SIZE as i32 + 6 + lines as i32 * SUBTITLE_LINE + 8
}

/// Draws the figure title and subtitle lines at the top of `root`; returns the height used.
fn figure_header(root: &Area<'_>, title: &str, subtitles: &[String]) -> Result<i32, Error> {
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
fn flow(widths: &[i32], x0: i32, x_max: i32) -> Vec<(i32, i32)> {
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

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// metrics_by_cycle.svg

const RUN_COLS: i32 = 3;
const RUN_PANEL_W: i32 = 520;
const RUN_PANEL_H: i32 = 368;
const RUN_GROUP_H: i32 = 48;

fn metrics_by_cycle_svg(report: &Report) -> Result<String, Error> {
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

// ---------------------------------------------------------------------------------------------
// deadline_effect.svg

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

fn percent(x: f64) -> String {
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

fn deadline_effect_svg(report: &Report) -> Result<String, Error> {
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

// ---------------------------------------------------------------------------------------------
// Sweep chart

const SWEEP_PANEL_W: i32 = 640;
const SWEEP_PANEL_H: i32 = 428;

fn sweep_svg(sweep: &SweepReport, metrics: &[&str]) -> Result<String, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Experiment, Scenario};

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("negcycle_plot_{name}_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn check_svg(path: &Path, must_contain: &[&str]) -> String {
        let svg = std::fs::read_to_string(path).unwrap();
        assert!(svg.starts_with("<svg"), "{}", path.display());
        assert!(svg.trim_end().ends_with("</svg>"), "{}", path.display());
        assert!(!svg.contains("NaN"), "{}", path.display());
        assert_eq!(
            svg.matches("<text").count(),
            svg.matches("</text>").count(),
            "{}",
            path.display()
        );
        for s in must_contain {
            assert!(svg.contains(s), "{} lacks {s:?}", path.display());
        }
        svg
    }

    fn run(arms: &[f64], trials: u64) -> Report {
        Report::view(
            &Experiment::new(Scenario::preset("us_rok_sma").unwrap())
                .cycle_years(arms.iter().copied())
                .trials(trials)
                .run()
                .unwrap(),
        )
    }

    #[test]
    fn run_charts_are_written_and_labelled() {
        let report = run(&[1.0, 5.0], 300);
        let dir = temp_dir("run");
        let paths = run_charts(&report, &dir).unwrap();
        assert_eq!(
            paths,
            vec![
                dir.join("metrics_by_cycle.svg"),
                dir.join("deadline_effect.svg")
            ]
        );
        let mut needed = vec![
            "cycle length, years",
            "KRW bn, present value",
            "share of steps",
            "months",
            "Friction",
            "Uncertainty",
            "Agreement cost",
            "reference arm",
            "1 (ref)",
            "lowest mean joint loss",
        ];
        needed.extend(RUN_ROWS.iter().flat_map(|(_, names)| names.iter().copied()));
        check_svg(&paths[0], &needed);
        check_svg(
            &paths[1],
            &[
                "1-year agreements (reference)",
                "5-year agreements",
                "share of negotiations",
                "relative to the deadline",
            ],
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn single_arm_and_degenerate_data_do_not_break_the_charts() {
        let report = run(&[3.0], 50);
        let dir = temp_dir("single");
        let paths = run_charts(&report, &dir).unwrap();
        check_svg(&paths[0], &["joint_loss", "3 (ref)", "3-year agreements"]);
        check_svg(&paths[1], &["3-year agreements (reference)"]);

        // Equal values, zero-width intervals, no negotiations, no arms.
        let mut flat = run(&[1.0, 2.0], 20);
        for arm in &mut flat.arms {
            for s in arm.metrics.values_mut() {
                s.mean = 1.0;
                s.ci95 = [1.0, 1.0];
            }
            arm.signing_vs_deadline_months.counts.fill(0);
        }
        check_svg(&run_charts(&flat, &dir).unwrap()[1], &["no completed"]);
        for arm in &mut flat.arms {
            for s in arm.metrics.values_mut() {
                *s = crate::stats::Summary {
                    mean: 0.0,
                    ci95: [0.0, 0.0],
                    ..*s
                };
            }
            arm.signing_vs_deadline_months.edges.clear();
        }
        run_charts(&flat, &dir).unwrap();
        flat.arms.clear();
        for p in run_charts(&flat, &dir).unwrap() {
            check_svg(&p, &[]);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_metric_and_unwritable_path_are_errors() {
        let mut report = run(&[1.0, 5.0], 20);
        report.arms[0].metrics.remove("joint_loss");
        let dir = temp_dir("errors");
        assert!(matches!(
            run_charts(&report, &dir),
            Err(Error::UnknownMetric { .. })
        ));
        let report = run(&[1.0, 5.0], 20);
        assert!(matches!(
            run_charts(&report, &dir.join("no_such_dir")),
            Err(Error::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sweep_chart_is_written_and_labelled() {
        let base = Scenario::preset("us_rok_sma").unwrap();
        let full = Experiment::new(base)
            .variants(crate::run::sweep::sweep_variants("patron.opening", &["0.1", "0.3"]).unwrap())
            .cycle_years([1.0, 5.0])
            .trials(200)
            .seed(1)
            .run()
            .unwrap();
        let result = SweepReport::view(&full).unwrap();
        let dir = temp_dir("sweep");
        let path = dir.join("sweep.svg");
        let metrics = crate::run::sweep::DEFAULT_SWEEP_METRICS;
        sweep_chart(&result, &metrics, &path).unwrap();
        let mut needed = vec![
            "patron.opening",
            "1 year",
            "5 years",
            "cycle length:",
            "KRW bn, present value",
            "share of steps",
            "0.1",
            "0.3",
        ];
        needed.extend(metrics);
        check_svg(&path, &needed);

        // Categorical values, a single value, unknown metric, no metric.
        let mut cat = result.clone();
        cat.values = vec!["low".into(), "high".into()];
        sweep_chart(&cat, &["lapse_months"], &path).unwrap();
        check_svg(&path, &["low", "high", "lapse_months"]);
        cat.values.truncate(1);
        cat.reports.truncate(1);
        sweep_chart(&cat, &["ruptured", "support_min"], &path).unwrap();
        check_svg(&path, &["low", "share of histories"]);
        assert!(matches!(
            sweep_chart(&result, &["no_such_metric"], &path),
            Err(Error::UnknownMetric { .. })
        ));
        assert!(matches!(
            sweep_chart(&result, &[], &path),
            Err(Error::InvalidExperiment { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn axes_are_padded_and_ticks_are_readable() {
        assert_eq!(padded(2.0, 2.0, 0.1), (1.8, 2.2));
        assert_eq!(padded(0.0, 0.0, 0.1), (-1.0, 1.0));
        assert_eq!(padded(f64::NAN, 1.0, 0.1), (0.0, 1.0));
        let a = value_axis(&[0.5, 0.5], "x".into(), 5.0);
        assert!(a.hi > a.lo && !a.ticks.is_empty());
        let a = value_axis(&[18067.0, 4374.0], "x".into(), 5.0);
        assert_eq!(a.lo, 0.0);
        assert!(a.ticks.iter().any(|(_, l)| l == "10,000"), "{:?}", a.ticks);
        assert_eq!(tick_label(0.30000000000000004, 0.1), "0.3");
        assert_eq!(tick_label(-0.0, 0.5), "0.0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(
            shorten_desc("KRW bn (annual wage bill), present value", 200.0),
            "KRW bn, present value"
        );
        assert!(shorten_desc(&"x".repeat(200), 100.0).ends_with("..."));
        assert_eq!(percent(0.996), ">99%");
        assert_eq!(percent(0.004), "<1%");
        let (axis, scale) = cycle_axis(&[1.0, 2.0, 3.0, 5.0, 10.0], Some(5.0), 400.0);
        assert!(scale.log);
        assert_eq!(axis.label(scale.pos(10.0)), "10");
        assert_eq!(axis.label(scale.pos(5.0)), "5 (ref)");
        // Crowded ticks are thinned, the reference kept.
        let many: Vec<f64> = (1..=40).map(f64::from).collect();
        let (axis, scale) = cycle_axis(&many, Some(7.0), 300.0);
        assert!(axis.ticks.len() < 40);
        assert_eq!(axis.label(scale.pos(7.0)), "7 (ref)");
        let (axis, scale) = cycle_axis(&[4.0], None, 400.0);
        assert!(!scale.log && axis.lo < 4.0 && axis.hi > 4.0);
    }
}
