//! Unit tests of the charts.

use super::axis::{cycle_axis, padded, thousands, tick_label, value_axis};
use super::deadline_effect::percent;
use super::draw::shorten_desc;
use super::metrics_by_cycle::RUN_ROWS;
use super::view::{Report, SweepReport};
use super::{run_charts, sweep_chart};
use crate::error::Error;
use crate::{Experiment, Scenario};
use std::path::{Path, PathBuf};

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
