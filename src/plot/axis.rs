//! Axes: ranges, ticks and their labels, number formatting.

use super::draw::{LABEL_SIZE, text_width};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

/// One axis: its range, the ticks (position, label) and its description.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<(f64, String)>,
    pub(super) desc: String,
}

impl Axis {
    pub(super) fn label(&self, v: f64) -> String {
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

    pub(super) fn contains(&self, v: f64) -> bool {
        v.is_finite() && v >= self.lo.min(self.hi) && v <= self.hi.max(self.lo)
    }
}

/// A linear coordinate whose ticks (and grid lines) are exactly the given positions.
#[derive(Debug, Clone)]
pub(super) struct TickCoord {
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
pub(super) fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
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
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
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
pub(super) fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
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
pub(super) fn thousands(n: u64) -> String {
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
pub(super) fn tick_label(v: f64, step: f64) -> String {
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
pub(super) fn value_axis(values: &[f64], desc: String, target: f64) -> Axis {
    value_axis_with(values, desc, target, tick_label)
}

/// [`value_axis`] with tick labels from `label(value, step)`.
pub(super) fn value_axis_with(
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
    // A truncated axis starts (or, all negative, ends) at a labelled tick.
    if step.is_finite() && step > 0.0 {
        if lo > 0.0 {
            lo = (lo / step).floor() * step;
        } else if hi < 0.0 {
            hi = (hi / step).ceil() * step;
        }
    }
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
pub(super) fn thin_ticks(
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
pub(super) struct CycleScale {
    pub(super) log: bool,
}

impl CycleScale {
    pub(super) fn pos(self, c: f64) -> f64 {
        if self.log { c.ln() } else { c }
    }
}

/// `1`, `2.5`: a cycle length or swept value as written.
pub(super) fn short_number(x: f64) -> String {
    if x.is_finite() && x.abs() < 1e15 && x == x.round() {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// `5-year`: a cycle length as an adjective.
pub(super) fn year_adjective(c: f64) -> String {
    format!("{}-year", short_number(c))
}

/// `1 year`, `5 years`: a cycle length in words.
pub(crate) fn years_label(c: f64) -> String {
    if c == 1.0 {
        "1 year".into()
    } else {
        format!("{} years", short_number(c))
    }
}

/// The x axis of cycle lengths: logarithmic if the longest is at least 8 times the shortest,
/// ticks at the arms.
pub(super) fn cycle_axis(
    cycles: &[f64],
    reference: Option<f64>,
    plot_px: f64,
) -> (Axis, CycleScale) {
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

/// The value-axis description of a metric's unit (`unit` as in
/// [`METRICS`](crate::metrics::METRICS) or the alliance totals): money in the report's units
/// (present values), a 0/1 indicator as a share of histories, the others as they are.
pub(super) fn unit_label(unit: &str, units: &str) -> String {
    let units = units.trim();
    if unit.starts_with("money") {
        let money = if units.is_empty() { "money" } else { units };
        if unit.contains("PV") {
            format!("{money}, present value")
        } else {
            money.to_string()
        }
    } else if unit == "0/1" {
        "share of histories".into()
    } else {
        unit.to_string()
    }
}

/// A categorical axis: `labels` at positions `0, 1, ...`, each fitted to its slot of a
/// `plot_px` wide axis.
pub(super) fn category_axis(labels: &[String], desc: String, plot_px: f64) -> Axis {
    let n = labels.len().max(1);
    let slot = plot_px / n as f64;
    let ticks = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                i as f64,
                super::draw::fit(l, LABEL_SIZE, (slot - 8.0).max(24.0)),
            )
        })
        .collect();
    Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        ticks,
        desc,
    }
}

/// A value axis that always shows zero (a difference's axis, with its zero line).
pub(super) fn difference_axis(values: &[f64], desc: String, target: f64) -> Axis {
    let mut with_zero: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    with_zero.push(0.0);
    let lo = with_zero.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = with_zero.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut lo, mut hi) = padded(lo, hi, 0.08);
    if lo > 0.0 {
        lo = 0.0;
    }
    if hi < 0.0 {
        hi = 0.0;
    }
    let step = nice_step(hi - lo, target);
    let ticks = multiples(lo, hi, step)
        .into_iter()
        .map(|v| (v, tick_label(v, step)))
        .collect();
    Axis {
        lo,
        hi,
        ticks,
        desc,
    }
}

/// The axis of a level between 0 and 1 (public support): always `[0, 1]`.
pub(super) fn level_axis(desc: String) -> Axis {
    Axis {
        lo: 0.0,
        hi: 1.0,
        ticks: multiples(0.0, 1.0, 0.2)
            .into_iter()
            .map(|v| (v, tick_label(v, 0.2)))
            .collect(),
        desc,
    }
}

/// What a reader must be told about where a value axis starts: `None` if it shows zero (or is
/// a fixed level scale), else that it is truncated and where it starts (or ends, for negative
/// values).
pub(super) fn truncation_note(a: &Axis) -> Option<String> {
    let step = a
        .ticks
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).abs())
        .find(|d| *d > 0.0)
        .unwrap_or((a.hi - a.lo).abs() / 5.0);
    if a.lo > 0.0 {
        Some(format!(
            "axis truncated: starts at {}, not at 0",
            tick_label(a.lo, step)
        ))
    } else if a.hi < 0.0 {
        Some(format!(
            "axis truncated: ends at {}, not at 0",
            tick_label(a.hi, step)
        ))
    } else {
        None
    }
}
