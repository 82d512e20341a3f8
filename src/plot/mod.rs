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

mod axis;
mod deadline_effect;
mod draw;
mod metrics_by_cycle;
mod sweep;
#[cfg(test)]
mod tests;
mod view;

use crate::error::Error;
use crate::report::write_atomic;
use deadline_effect::deadline_effect_svg;
use metrics_by_cycle::metrics_by_cycle_svg;
use std::path::{Path, PathBuf};
use sweep::sweep_svg;
use view::{Report, SweepReport};

/// File name of the metrics chart in [`write_run_charts`].
const METRICS_FILE: &str = "metrics_by_cycle.svg";
/// File name of the signing-time chart in [`write_run_charts`].
const DEADLINE_FILE: &str = "deadline_effect.svg";

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
