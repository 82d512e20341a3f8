//! (features `explore` and `plot`) The charts of an exploration, as SVG strings:
//!
//! - `explore_wins.svg`: each arm's share of design points where it is best;
//! - `explore_indices.svg`: the Sobol indices (S1 and ST, or Morris μ*) of the outcome PRIM
//!   explains, per input, with 95 % bootstrap intervals;
//! - `explore_prim.svg`: PRIM's peeling trajectory, density against coverage, with the chosen
//!   box marked;
//! - `explore_scatter.svg`: that outcome's sign at every point against the two most influential
//!   inputs.
//!
//! User text (keys, labels) is escaped for SVG.

use super::analysis::Analysis;
use super::points::visit_points;
use crate::error::Error;
use crate::report::escape::xml_text;
use plotters::prelude::*;
use std::path::Path;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 560;
const BLUE: RGBColor = RGBColor(0, 114, 178);
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const GREY: RGBColor = RGBColor(150, 150, 150);
const INK: RGBColor = RGBColor(34, 34, 34);

/// An arm label in words: `base/5` is "5 years", `tough/1` "tough, 1 year".
fn arm_words(label: &str) -> String {
    let (variant, rest) = label.split_once('/').unwrap_or(("", label));
    let arm = match rest.parse::<f64>() {
        Ok(c) => crate::plot::axis::years_label(c),
        Err(_) => rest.to_string(),
    };
    if variant.is_empty() || variant == crate::run::BASE {
        arm
    } else {
        format!("{variant}, {arm}")
    }
}

/// An outcome key in words: `joint_loss@base/1-base/5` is "Joint loss: 1 year minus 5 years";
/// a bare metric key its title.
fn outcome_words(key: &str) -> String {
    match key.split_once('@') {
        Some((metric, arms)) => {
            let title = crate::plot::titles::metric_title(metric);
            match arms.split_once('-') {
                Some((a, b)) => format!("{title}: {} minus {}", arm_words(a), arm_words(b)),
                None => format!("{title}: {}", arm_words(arms)),
            }
        }
        None => crate::plot::titles::metric_title(key).to_string(),
    }
}

/// The mesh of every chart: major grid lines only, light, with readable axis titles.
macro_rules! light_mesh {
    ($chart:expr) => {
        $chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GREY.mix(0.25))
            .axis_desc_style(("sans-serif", 15))
    };
}

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("drawing a chart: {e}"))
}

fn render(
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), Error>,
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Win share per arm (bars).
fn wins_svg(a: &Analysis) -> Result<String, Error> {
    let n = a.robustness.len();
    let labels: Vec<String> = a
        .robustness
        .iter()
        .map(|r| xml_text(&arm_words(&r.arm)))
        .collect();
    render(|root| {
        let title = format!(
            "{}: share of the {} design points where each arm has the lowest {}",
            xml_text(&a.scenario),
            a.points,
            xml_text(&outcome_words(&a.objective).to_lowercase())
        );
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20).into_font())
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..1f64)
            .map_err(draw_err)?;
        light_mesh!(chart)
            .disable_x_mesh()
            .x_labels(n.max(1))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc("win share (0 to 1)")
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(a.robustness.iter().enumerate().map(|(i, r)| {
                let x = i as f64;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, r.win_share)], BLUE.filled())
            }))
            .map_err(draw_err)?;
        Ok(())
    })
}

/// The outcome's indices per input (horizontal bars with CI whiskers).
fn indices_svg(a: &Analysis, key: &str) -> Result<String, Error> {
    let sobol = a.design == "sobol";
    let (main, second) = if sobol {
        ("ST", Some("S1"))
    } else {
        ("mu_star", None)
    };
    let ranked = a.ranked(key, main);
    let inputs: Vec<String> = ranked.iter().map(|r| r.input.clone()).collect();
    let value = |input: &str, index: &str| {
        a.indices
            .iter()
            .find(|r| r.outcome == key && r.input == input && r.index == index)
    };
    let hi = ranked
        .iter()
        .map(|r| r.ci95_hi.unwrap_or(r.estimate).max(r.estimate))
        .fold(0.0f64, f64::max)
        .max(if sobol { 1.0 } else { 1e-12 });
    let lo = ranked
        .iter()
        .map(|r| r.ci95_lo.unwrap_or(0.0).min(0.0))
        .fold(0.0f64, f64::min);
    let n = inputs.len();
    let names: Vec<String> = inputs.iter().map(|s| xml_text(s)).collect();
    render(|root| {
        let title = if sobol {
            format!(
                "What drives {}: Sobol total (blue) and first-order (orange) indices, 95% CI",
                xml_text(&outcome_words(key).to_lowercase())
            )
        } else {
            format!(
                "What drives {}: Morris mu* with 95% CI",
                xml_text(&outcome_words(key).to_lowercase())
            )
        };
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20).into_font())
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(220)
            .build_cartesian_2d(lo..hi * 1.05, -0.5f64..n.max(1) as f64 - 0.5)
            .map_err(draw_err)?;
        light_mesh!(chart)
            .disable_y_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    // The most influential input on top.
                    names
                        .get(n.saturating_sub(1).saturating_sub(i as usize))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(if sobol {
                "share of the outcome's variance (0 to 1)"
            } else {
                "mu*, the outcome's units"
            })
            .draw()
            .map_err(draw_err)?;
        for (rank, input) in inputs.iter().enumerate() {
            let y = (n - 1 - rank) as f64;
            let rows = [(main, 0.12, BLUE), (second.unwrap_or(""), -0.18, ORANGE)];
            for (index, offset, colour) in rows {
                let Some(r) = value(input, index) else {
                    continue;
                };
                let (y0, y1) = (y + offset - 0.14, y + offset + 0.14);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y0), (r.estimate, y1)],
                        colour.filled(),
                    )))
                    .map_err(draw_err)?;
                if let (Some(l), Some(h)) = (r.ci95_lo, r.ci95_hi) {
                    let yc = y + offset;
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(l, yc), (h, yc)],
                            INK.stroke_width(2),
                        )))
                        .map_err(draw_err)?;
                }
            }
        }
        Ok(())
    })
}

/// PRIM's outcome in words: "base/1 beats base/5 on joint_loss (…)" is "1 year beats 5 years
/// on joint loss".
fn prim_words(outcome: &str) -> String {
    let head = outcome.split(" (").next().unwrap_or(outcome);
    match (head.split_once(" beats "), head.rsplit_once(" on ")) {
        (Some((a, rest)), Some((_, metric))) => {
            let b = rest.split(" on ").next().unwrap_or(rest);
            format!(
                "{} beats {} on {}",
                arm_words(a),
                arm_words(b),
                crate::plot::titles::metric_title(metric).to_lowercase()
            )
        }
        _ => head.to_string(),
    }
}

/// PRIM's trajectory: density against coverage; the pastes from the chosen box; the result
/// (the last paste, or the chosen box) in vermillion.
fn prim_svg(a: &Analysis) -> Result<String, Error> {
    let Some(p) = &a.prim else {
        return Err(Error::Internal("no PRIM result".into()));
    };
    render(|root| {
        let title = format!(
            "Scenario discovery (PRIM): {} of {} points where {}",
            p.of_interest,
            p.points,
            xml_text(&prim_words(&p.outcome))
        );
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 17).into_font())
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..1.02f64, 0f64..1.02f64)
            .map_err(draw_err)?;
        light_mesh!(chart)
            .x_desc("coverage: share of those points inside the box")
            .y_desc("density: share of the box's points that are such points")
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(LineSeries::new(
                p.trajectory.iter().map(|b| (b.coverage, b.density)),
                GREY.stroke_width(1),
            ))
            .map_err(draw_err)?;
        chart
            .draw_series(
                p.trajectory
                    .iter()
                    .map(|b| Circle::new((b.coverage, b.density), 3, BLUE.filled())),
            )
            .map_err(draw_err)?;
        let start = &p.trajectory[p.chosen];
        chart
            .draw_series(LineSeries::new(
                std::iter::once(start)
                    .chain(&p.pasting)
                    .map(|b| (b.coverage, b.density)),
                BLUE.stroke_width(2),
            ))
            .map_err(draw_err)?;
        let b = p.final_box();
        chart
            .draw_series(std::iter::once(Circle::new(
                (b.coverage, b.density),
                7,
                VERMILLION.filled(),
            )))
            .map_err(draw_err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!(
                    "chosen box {}{}: mass {:.3}",
                    p.chosen,
                    super::analysis::after_pastes(p.pasting.len()),
                    b.mass
                ),
                (b.coverage.min(0.7), (b.density + 0.05).min(1.0)),
                ("sans-serif", 15).into_font(),
            )))
            .map_err(draw_err)?;
        Ok(())
    })
}

/// The PRIM outcome at every point against the two most influential inputs.
fn scatter_svg(a: &Analysis, key: &str, points_file: &Path) -> Result<Option<String>, Error> {
    let index = if a.design == "sobol" { "ST" } else { "mu_star" };
    let ranked = a.ranked(key, index);
    let (Some(prim), [x, y, ..]) = (&a.prim, ranked.as_slice()) else {
        return Ok(None);
    };
    let mut plan = None;
    let mut unit: Vec<Vec<f64>> = Vec::new();
    let mut pts: Vec<(f64, f64, bool)> = Vec::new();
    let mut dims = None;
    // Whether each axis is log-uniform: such an input is drawn on a log scale (its values are
    // spread evenly in log, so a linear axis would crowd most of them at one end).
    let mut logs = (false, false);
    let mut failed = None;
    visit_points(points_file, &mut |header, r| {
        if plan.is_none() {
            let p = header.plan.clone();
            unit = p.unit_points()?;
            let dim = |name: &str| p.uncertainties.iter().position(|u| u.key == name);
            dims = dim(&x.input).zip(dim(&y.input));
            let is_log = |i: Option<usize>| {
                i.and_then(|i| p.uncertainties.get(i)).is_some_and(|u| {
                    matches!(
                        u.distribution,
                        super::uncertainty::Distribution::LogUniform { .. }
                    )
                })
            };
            logs = (is_log(dim(&x.input)), is_log(dim(&y.input)));
            plan = Some(p);
        }
        let (Some(p), Some((ix, iy)), Some(u)) = (&plan, dims, unit.get(r.point)) else {
            failed = Some(r.point);
            return Ok(());
        };
        let v = p.values(u);
        let arm = a
            .robustness
            .iter()
            .position(|rb| prim.outcome.starts_with(&format!("{} ", rb.arm)))
            .unwrap_or(0);
        let win = r
            .arms
            .get(arm)
            .and_then(|x| x.diff_mean.first().copied().flatten())
            .is_some_and(|d| d < 0.0);
        let axis = |value: f64, log: bool| if log { value.log10() } else { value };
        pts.push((axis(v[ix], logs.0), axis(v[iy], logs.1), win));
        Ok(())
    })?;
    if failed.is_some() || pts.is_empty() {
        return Ok(None);
    }
    let range = |k: usize| {
        pts.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                let v = if k == 0 { p.0 } else { p.1 };
                (lo.min(v), hi.max(v))
            })
    };
    let ((x0, x1), (y0, y1)) = (range(0), range(1));
    let pad = |lo: f64, hi: f64| {
        let w = (hi - lo).abs().max(1e-12) * 0.03;
        lo - w..hi + w
    };
    let svg = render(|root| {
        let title = format!(
            "Vermillion where {}, against the two most influential inputs",
            xml_text(&prim_words(&prim.outcome))
        );
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18).into_font())
            .margin(20)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(pad(x0, x1), pad(y0, y1))
            .map_err(draw_err)?;
        let desc = |input: &str, log: bool| {
            xml_text(&if log {
                format!("{input} (log scale)")
            } else {
                input.to_string()
            })
        };
        // A log axis is drawn in log10 units and labelled with the values themselves.
        let label = |v: &f64, log: bool| {
            let x = if log { 10f64.powf(*v) } else { *v };
            three_significant(x)
        };
        light_mesh!(chart)
            .x_desc(desc(&x.input, logs.0))
            .y_desc(desc(&y.input, logs.1))
            .x_label_formatter(&|v| label(v, logs.0))
            .y_label_formatter(&|v| label(v, logs.1))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(
                pts.iter()
                    .filter(|p| !p.2)
                    .map(|p| Circle::new((p.0, p.1), 2, GREY.filled())),
            )
            .map_err(draw_err)?;
        chart
            .draw_series(
                pts.iter()
                    .filter(|p| p.2)
                    .map(|p| Circle::new((p.0, p.1), 4, VERMILLION.filled())),
            )
            .map_err(draw_err)?;
        Ok(())
    })?;
    Ok(Some(svg))
}

/// `x` with three significant digits and no trailing zeros (`0.0316`, `2.5`, `1200`; `0`).
fn three_significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".to_string();
    }
    let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The exploration's charts as (file name, SVG): win shares, always; the indices and the
/// scatter when the design has indices; PRIM's trajectory when it ran.
///
/// # Errors
/// [`Error::Internal`] if a chart cannot be drawn; as [`visit_points`].
pub fn explore_charts_svg(
    analysis: &Analysis,
    points_file: &Path,
) -> Result<Vec<(&'static str, String)>, Error> {
    let mut out = vec![("explore_wins.svg", wins_svg(analysis)?)];
    if let Some(p) = &analysis.prim {
        if analysis.indices.iter().any(|r| r.outcome == p.key) {
            out.push(("explore_indices.svg", indices_svg(analysis, &p.key)?));
            if let Some(svg) = scatter_svg(analysis, &p.key, points_file)? {
                out.push(("explore_scatter.svg", svg));
            }
        }
        out.push(("explore_prim.svg", prim_svg(analysis)?));
    }
    Ok(out)
}
