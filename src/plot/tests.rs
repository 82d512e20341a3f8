//! Unit tests of the charts.

use super::axis::{
    cycle_axis, difference_axis, padded, thousands, tick_label, truncation_note, value_axis,
};
use super::deadline_effect::{drawn_bins, percent};
use super::design::{Design, Rows};
use super::draw::shorten_desc;
use super::metrics_by_cycle::{ALLIANCE_METRICS, RUN_ROWS};
use super::paired_difference::paired_bars;
use super::titles::metric_title;
use super::{
    DEADLINE_FILE, METRICS_FILE, PAIRED_FILE, all_run_charts_svg, paired_difference_svg,
    run_charts_svg, sweep_chart_svg, write_run_charts,
};
use crate::error::Error;
use crate::metrics::METRICS;
use crate::report::Report;
use crate::run::sweep::{DEFAULT_SWEEP_METRICS, sweep_variants};
use crate::{Experiment, Input, Scenario, Variant};

/// Checks the SVG's shape (one root, balanced text elements, no NaN, only the five XML
/// entities) and that it holds every string of `must_contain`.
fn check_svg(svg: &str, must_contain: &[&str]) {
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    assert!(
        !svg.contains("NaN") && !svg.contains("inf"),
        "a non-finite value"
    );
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    for (i, _) in svg.match_indices('&') {
        let rest = &svg[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "a bare & at {}",
            &rest[..rest.len().min(20)]
        );
    }
    for s in must_contain {
        assert!(
            svg.contains(s) || svg.contains(&markup_escaped(s)),
            "the chart lacks {s:?}"
        );
    }
}

/// `s` as plotters writes it into an SVG: the five markup characters as entities.
fn markup_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The texts of an SVG's text elements.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, r)| r))
        .filter_map(|r| r.split_once("</text>").map(|(t, _)| t.trim()))
        .collect()
}

fn flagship(cycles: &[f64], trials: u64) -> Report {
    Experiment::new(Scenario::preset("us_rok_sma").unwrap())
        .cycle_years(cycles.iter().copied())
        .trials(trials)
        .seed(7)
        .run()
        .unwrap()
}

fn alliance(trials: u64) -> Report {
    Experiment::new(Input::preset("us_alliances").unwrap())
        .arms(vec![vec![1.0, 5.0, 2.0], vec![5.0, 5.0, 2.0]])
        .trials(trials)
        .seed(7)
        .run()
        .unwrap()
}

fn chart<'a>(charts: &'a [(&str, String)], name: &str) -> &'a str {
    charts
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn run_charts_have_titles_in_words_a_support_section_and_no_metric_keys() {
    let report = flagship(&[1.0, 2.0, 5.0], 300);
    let charts = all_run_charts_svg(&report).unwrap();
    let names: Vec<&str> = charts.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, [METRICS_FILE, PAIRED_FILE, DEADLINE_FILE]);
    let metrics = chart(&charts, METRICS_FILE);
    let mut needed = vec![
        "Headline metrics by agreement cycle length",
        "Friction",
        "Uncertainty",
        "Agreement cost",
        "Support",
        "cycle length, years",
        "KRW bn, present value",
        "level 0 to 1",
        "1 (ref)",
        "reference arm (ref): 1-year agreements",
        "lowest mean joint loss",
        "widest 95% CI",
    ];
    let titles: Vec<&str> = RUN_ROWS
        .iter()
        .flat_map(|(_, names)| names.iter().map(|n| metric_title(n)))
        .collect();
    needed.extend(&titles);
    check_svg(metrics, &needed);
    let paired = chart(&charts, PAIRED_FILE);
    check_svg(paired, &titles);
    // Every metric has a title in words, and no chart text is a metric key.
    for m in METRICS {
        assert_ne!(metric_title(m.name), m.name);
        for (name, svg) in &charts {
            assert!(
                texts(svg).iter().all(|t| *t != m.name),
                "{name} shows the key {}",
                m.name
            );
        }
    }
    // The support panels use the whole level scale.
    let labels = texts(metrics);
    assert!(labels.contains(&"1.0") && labels.contains(&"0.0"));
}

#[test]
fn truncated_axes_say_so_and_others_start_at_zero() {
    let a = value_axis(&[0.78, 0.91], "ratio".into(), 5.0);
    assert!(a.lo > 0.0);
    assert_eq!(a.ticks.first().map(|t| t.0), Some(a.lo), "starts at a tick");
    let note = truncation_note(&a).unwrap();
    assert!(note.starts_with("axis truncated: starts at 0.7"), "{note}");
    let a = value_axis(&[4374.0, 18067.0], "x".into(), 5.0);
    assert_eq!(a.lo, 0.0);
    assert_eq!(truncation_note(&a), None);
    let a = value_axis(&[-0.2, -0.1], "x".into(), 5.0);
    assert!(truncation_note(&a).unwrap().contains("ends at"));
    let d = difference_axis(&[3.0, 5.0], "x".into(), 5.0);
    assert!(d.lo <= 0.0 && d.hi >= 5.0);
    let d = difference_axis(&[-3.0, -5.0], "x".into(), 5.0);
    assert!(d.lo <= -5.0 && d.hi >= 0.0);
    // The flagship's payments_vs_fair axis is truncated, and the chart says so.
    let svg = &run_charts_svg(&flagship(&[1.0, 5.0, 10.0], 200)).unwrap()[0].1;
    assert!(svg.contains("axis truncated: starts at"));
}

#[test]
fn the_paired_difference_chart_has_one_bar_per_non_reference_arm() {
    let report = flagship(&[1.0, 2.0, 3.0, 5.0], 200);
    let design = Design::new(&report);
    for (_, names) in RUN_ROWS {
        for m in names {
            let bars = paired_bars(&design, Rows::Host(0), m).unwrap();
            assert_eq!(bars.len(), 3, "{m}");
            let arm = report.arm("base/5").unwrap();
            let row = arm.hosts[0].row(m).unwrap();
            assert_eq!(bars[2].mean, row.diff_mean.unwrap());
            assert!(bars.windows(2).all(|w| w[0].x < w[1].x));
        }
    }
    // Variants × cycles: the reference (tough/5) is left out, the others all drawn.
    let report = Experiment::new(Scenario::preset("us_rok_sma").unwrap())
        .variant(Variant::new("tough").set("patron.opening", "0.6"))
        .cycle_years([1.0, 5.0])
        .reference("tough/5")
        .trials(200)
        .run()
        .unwrap();
    let design = Design::new(&report);
    assert_eq!(design.variants, ["base", "tough"]);
    let bars = paired_bars(&design, Rows::Host(0), "joint_loss").unwrap();
    assert_eq!(bars.len(), report.arms.len() - 1);
    assert!(bars.iter().all(|b| b.mean.is_finite() && b.lo <= b.hi));
    let svg = paired_difference_svg(&report).unwrap().unwrap();
    check_svg(
        &svg,
        &[
            "Each arm minus the reference (tough, 5-year agreements)",
            "variant base",
            "variant tough",
            "zero: no difference",
            "5 (ref)",
        ],
    );
    // One arm: nothing to compare.
    let single = flagship(&[3.0], 50);
    assert!(paired_difference_svg(&single).unwrap().is_none());
    assert_eq!(all_run_charts_svg(&single).unwrap().len(), 2);
}

#[test]
fn the_deadline_chart_has_no_empty_bin_at_the_deadline() {
    let report = flagship(&[1.0, 5.0], 300);
    for arm in &report.arms {
        let h = &arm.hosts[0].signing_vs_deadline_months;
        // The report's bin [0, 1) holds only deals signed exactly at the deadline: none here.
        let at = h.edges.iter().position(|&e| e == 0.0).unwrap();
        assert_eq!(h.counts[at], 0);
        let bins: Vec<(f64, f64, u64)> = h
            .edges
            .windows(2)
            .zip(&h.counts)
            .map(|(e, &c)| (e[0], e[1], c))
            .collect();
        let total = bins.iter().map(|b| b.2).sum();
        let drawn = drawn_bins(&bins, total);
        // The first lapse month is drawn from the deadline on, right next to the last window
        // month: no gap.
        let first_late = drawn
            .iter()
            .filter(|d| d.0 >= 0.0)
            .map(|d| d.0)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(first_late, 0.0);
        assert!(
            drawn.iter().any(|d| d.1 == 0.0),
            "a bar ends at the deadline"
        );
        let shares: f64 = drawn.iter().map(|d| d.3).sum();
        assert!((shares - 1.0).abs() < 1e-9);
    }
    // Without a negotiation window every deal in time is signed at the deadline: drawn just
    // left of it, in its own colour and key entry.
    let report = Experiment::new(Scenario::preset("frictionless").unwrap())
        .cycle_years([1.0])
        .trials(50)
        .run()
        .unwrap();
    let svg = &run_charts_svg(&report).unwrap()[1].1;
    check_svg(
        svg,
        &[
            "When agreements are reached",
            "signed at the deadline (no negotiation window)",
        ],
    );
    let h = &report.arms[0].hosts[0].signing_vs_deadline_months;
    let bins: Vec<(f64, f64, u64)> = h
        .edges
        .windows(2)
        .zip(&h.counts)
        .map(|(e, &c)| (e[0], e[1], c))
        .collect();
    let total = bins.iter().map(|b| b.2).sum();
    let drawn = drawn_bins(&bins, total);
    assert!(drawn.iter().any(|d| d.0 < 0.0 && d.1 == 0.0 && d.3 > 0.0));
}

#[test]
fn alliances_get_every_chart_with_a_section_per_host_and_for_the_patron() {
    let report = alliance(200);
    let charts = all_run_charts_svg(&report).unwrap();
    assert_eq!(charts.len(), 3);
    let mut needed = vec![
        "Patron's totals over all hosts",
        "korea",
        "japan",
        "nato",
        "korea's cycle length, years (japan 5, nato 2)",
    ];
    let titles: Vec<&str> = ALLIANCE_METRICS.iter().map(|m| metric_title(m)).collect();
    needed.extend(&titles);
    check_svg(chart(&charts, METRICS_FILE), &needed);
    check_svg(chart(&charts, PAIRED_FILE), &needed);
    check_svg(
        chart(&charts, DEADLINE_FILE),
        &[
            "korea: 1-year agreements; korea at 1 year (reference)",
            "nato",
        ],
    );
    let design = Design::new(&report);
    for rows in design.row_sets() {
        assert_eq!(paired_bars(&design, rows, "joint_loss").unwrap().len(), 1);
    }
    // A sweep of an alliance: one section per host, the totals among the chosen metrics.
    let sweep = Experiment::new(Input::preset("us_alliances").unwrap())
        .variants(sweep_variants("patron.opening", &["0.1", "0.3"]).unwrap())
        .arms(vec![vec![1.0, 5.0, 2.0], vec![5.0, 5.0, 2.0]])
        .trials(100)
        .run()
        .unwrap();
    let svg = sweep_chart_svg(&sweep, &["lapse_months", "unsettled_share"]).unwrap();
    check_svg(
        &svg,
        &[
            "Sweep of patron.opening",
            "Patron's totals over all hosts",
            "japan",
            "korea at 1 year",
            "korea at 5 years",
            metric_title("unsettled_share"),
            "<polygon",
        ],
    );
}

#[test]
fn sweep_charts_show_ci_bands_and_refuse_what_they_cannot_draw() {
    let report = Experiment::new(Scenario::preset("us_rok_sma").unwrap())
        .variants(sweep_variants("patron.opening", &["0.1", "0.3"]).unwrap())
        .cycle_years([1.0, 5.0])
        .trials(200)
        .seed(1)
        .run()
        .unwrap();
    let svg = sweep_chart_svg(&report, &DEFAULT_SWEEP_METRICS).unwrap();
    let mut needed = vec![
        "Sweep of patron.opening",
        "1 year",
        "5 years",
        "95% CI of the mean (band and bars)",
        "widest 95% CI",
        "0.1",
        "0.3",
    ];
    let titles: Vec<&str> = DEFAULT_SWEEP_METRICS
        .iter()
        .map(|m| metric_title(m))
        .collect();
    needed.extend(&titles);
    check_svg(&svg, &needed);
    // One band per cycle length and metric.
    assert_eq!(
        svg.matches("<polygon").count(),
        2 * DEFAULT_SWEEP_METRICS.len()
    );
    let svg = sweep_chart_svg(&report, &["ruptured", "support_min"]).unwrap();
    check_svg(&svg, &["share of histories", "level 0 to 1"]);
    assert!(matches!(
        sweep_chart_svg(&report, &["no_such_metric"]),
        Err(Error::UnknownMetric { .. })
    ));
    assert!(matches!(
        sweep_chart_svg(&report, &[]),
        Err(Error::InvalidExperiment { .. })
    ));
    // A run that is not a sweep.
    assert!(matches!(
        sweep_chart_svg(&flagship(&[1.0], 20), &["joint_loss"]),
        Err(Error::InvalidExperiment { .. })
    ));
}

#[test]
fn degenerate_data_and_user_text_do_not_break_the_charts() {
    let mut report = flagship(&[1.0, 2.0], 20);
    report.scenario = "A<&>\"q' Z".into();
    report.units = "u<b>".into();
    for arm in &mut report.arms {
        for h in &mut arm.hosts {
            for m in &mut h.metrics {
                m.mean = 1.0;
                m.ci95_lo = 1.0;
                m.ci95_hi = 1.0;
                m.diff_mean = m.diff_mean.map(|_| 0.0);
                m.diff_ci95_lo = m.diff_mean;
                m.diff_ci95_hi = m.diff_mean;
            }
            h.signing_vs_deadline_months.counts.fill(0);
        }
    }
    for (_, svg) in all_run_charts_svg(&report).unwrap() {
        check_svg(&svg, &["A&lt;&amp;&gt;&quot;q&apos; Z"]);
        assert!(!svg.contains("<b>"));
    }
    for arm in &mut report.arms {
        for h in &mut arm.hosts {
            for m in &mut h.metrics {
                m.mean = f64::NAN;
                m.diff_mean = Some(f64::INFINITY);
            }
            h.signing_vs_deadline_months.edges.clear();
        }
    }
    for (_, svg) in all_run_charts_svg(&report).unwrap() {
        check_svg(&svg, &[]);
    }
    report.arms.clear();
    for (_, svg) in all_run_charts_svg(&report).unwrap() {
        check_svg(&svg, &[]);
    }
    // A missing metric is an error; an unwritable folder too.
    let mut report = flagship(&[1.0, 5.0], 20);
    report.arms[0].hosts[0]
        .metrics
        .retain(|m| m.metric != "joint_loss");
    assert!(matches!(
        run_charts_svg(&report),
        Err(Error::UnknownMetric { .. })
    ));
    let report = flagship(&[1.0, 5.0], 20);
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        write_run_charts(&report, &dir.path().join("no_such_dir")),
        Err(Error::Io { .. })
    ));
    let written = write_run_charts(&report, dir.path()).unwrap();
    assert_eq!(written.len(), 3);
    for p in written {
        check_svg(&std::fs::read_to_string(p).unwrap(), &[]);
    }
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
