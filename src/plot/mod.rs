//! SVG charts of reports (feature `plot`), read from the [`Report`] directly: arms (variant ×
//! cycle setting) → hosts → metric rows with their paired differences.
//!
//! Four charts, drawn with the SVG backend of `plotters` only (no system libraries, no fonts at
//! build time; text is laid out from estimated widths and rendered by the viewer in a sans-serif
//! font):
//!
//! - `metrics_by_cycle.svg`: the headline metrics against the cycle setting, one small panel per
//!   metric titled in words, with its definition and unit. One host: one section per metric
//!   group (friction, uncertainty, agreement cost, support), the cycle length on the x axis
//!   (logarithmic when the longest is at least 8 times the shortest). An alliance: one section
//!   for the patron's totals and one per host, the joint cycle settings on the x axis. One line
//!   per variant; each point is the mean over the simulated histories with its 95% confidence
//!   interval; the reference arm is a dashed vertical line and the arm with the lowest mean
//!   joint loss is ringed.
//! - `paired_difference.svg` ([`paired_difference_svg`]): each arm minus the reference arm,
//!   trial by trial on the same simulated worlds: one bar per non-reference arm (the mean
//!   difference, from zero) with its 95% CI, per headline metric, with the zero line.
//! - `deadline_effect.svg`: per arm (and host), the share of negotiations by the month in which
//!   they were reached relative to the deadline, on a common scale, the deadline marked.
//! - a sweep chart ([`write_sweep_chart`]): per metric, its mean against the swept value, one
//!   line with a 95% CI band per cycle setting (one section per host for an alliance).
//! - `calibration_fit.svg` (feature `calibrate`, `calibration_fit_svg`): a calibration's fit
//!   table, one panel per moment, the record's value and 95% band beside the model's mean at
//!   the estimate and the central 95% of single replicas.
//!
//! Value axes start at zero, or at a level scale's ends, unless the panel says it is
//! truncated (a note and an axis break); difference axes always show zero. Every panel states
//! its widest 95% CI, so intervals narrower than the dots are still reported.
//!
//! Every file is rendered in memory and written atomically ([`crate::report::write_atomic`]).
//! Every text drawn (scenario, host and variant names, units, parameter, swept values, titles
//! made from them) passes through [`crate::report::escape::xml_text`], and plotters escapes the
//! markup characters, so any name gives a well-formed SVG. Degenerate data (one arm, equal
//! values, zero-width intervals, no negotiations) gives padded axes, never a panic; non-finite
//! values are left out of the charts.
//!
//! [`Report`]: crate::report::Report

pub(crate) mod axis;
#[cfg(feature = "calibrate")]
mod calibration_fit;
mod deadline_effect;
mod design;
mod draw;
mod grid;
mod metrics_by_cycle;
mod paired_difference;
mod sweep;
#[cfg(test)]
mod tests;
pub(crate) mod titles;

use crate::error::Error;
use crate::report::{Report, write_atomic};
#[cfg(feature = "calibrate")]
pub use calibration_fit::{CALIBRATION_FIT_FILE, calibration_fit_svg};
use deadline_effect::deadline_effect_svg;
use design::Design;
use metrics_by_cycle::metrics_by_cycle_svg;
use std::path::{Path, PathBuf};
use sweep::sweep_svg;

/// File name of the headline-metrics chart.
pub const METRICS_FILE: &str = "metrics_by_cycle.svg";
/// File name of the paired-difference chart.
pub const PAIRED_FILE: &str = "paired_difference.svg";
/// File name of the signing-time chart.
pub const DEADLINE_FILE: &str = "deadline_effect.svg";

/// Writes every chart of one experiment ([`all_run_charts_svg`]) into the existing directory
/// `dir`; returns the paths written, in order.
///
/// # Errors
/// [`Error::UnknownMetric`] if the report lacks a headline metric; [`Error::Io`] naming the
/// path if a file cannot be written; [`Error::Internal`] if drawing fails.
pub fn write_run_charts(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    for (name, svg) in all_run_charts_svg(report)? {
        let path = dir.join(name);
        write_atomic(&path, svg.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// The headline-metrics and signing-time charts, rendered in memory: `(file name, SVG text)`
/// for [`METRICS_FILE`] and [`DEADLINE_FILE`], in that order (the charts `negcycle run --out`
/// writes for one host).
///
/// # Errors
/// [`Error::UnknownMetric`] if the report lacks a headline metric; [`Error::Internal`] if
/// drawing fails.
pub fn run_charts_svg(report: &Report) -> Result<Vec<(&'static str, String)>, Error> {
    let design = Design::new(report);
    Ok(vec![
        (METRICS_FILE, metrics_by_cycle_svg(&design)?),
        (DEADLINE_FILE, deadline_effect_svg(&design)?),
    ])
}

/// Every chart of one experiment, rendered in memory: [`METRICS_FILE`], [`PAIRED_FILE`]
/// (unless the reference is the only arm) and [`DEADLINE_FILE`], in that order.
///
/// # Errors
/// As [`run_charts_svg`].
pub fn all_run_charts_svg(report: &Report) -> Result<Vec<(&'static str, String)>, Error> {
    let mut charts = run_charts_svg(report)?;
    if let Some(svg) = paired_difference_svg(report)? {
        charts.insert(1, (PAIRED_FILE, svg));
    }
    Ok(charts)
}

/// The paired-difference chart (SVG text): per headline metric (for an alliance: per host and
/// for the patron's totals), one bar per non-reference arm, the mean of `arm − reference` over
/// the trials with its 95% CI, and the zero line. `None` if the reference is the only arm.
///
/// # Errors
/// As [`run_charts_svg`].
pub fn paired_difference_svg(report: &Report) -> Result<Option<String>, Error> {
    paired_difference::paired_difference_svg(&Design::new(report))
}

/// Writes the chart of a parameter sweep to `path`: one panel per metric of `metrics` (for an
/// alliance, per host and for the patron's totals among them), the metric's mean against the
/// swept value (a numeric axis if every value is a number, otherwise evenly spaced positions
/// labelled by the values), one line with a 95% CI band per cycle setting, and a key naming
/// them.
///
/// # Errors
/// [`Error::InvalidExperiment`] if `metrics` is empty or the report is not a sweep (variants
/// that each set the same one key); [`Error::UnknownMetric`] for an unknown metric name;
/// [`Error::Io`] naming the path if it cannot be written; [`Error::Internal`] if drawing fails.
pub fn write_sweep_chart(report: &Report, metrics: &[&str], path: &Path) -> Result<(), Error> {
    let svg = sweep_chart_svg(report, metrics)?;
    write_atomic(path, svg.as_bytes())
}

/// The chart of [`write_sweep_chart`] rendered in memory (SVG text).
///
/// # Errors
/// As [`write_sweep_chart`], without [`Error::Io`].
pub fn sweep_chart_svg(report: &Report, metrics: &[&str]) -> Result<String, Error> {
    sweep_svg(&Design::new(report), metrics)
}
