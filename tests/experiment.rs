//! The experiment engine: determinism across threads and shards, merge errors, paired
//! comparisons, the report's shape, and the frictionless preset against the closed form.

mod common;

use negcycle::analytic::{self, MismatchParams};
use negcycle::prelude::*;
use negcycle::run::BLOCK_TRIALS;
use std::sync::{Arc, Mutex};

fn flagship() -> Scenario {
    Scenario::preset("us_rok_sma").expect("preset")
}

/// 1,300 trials: five full blocks and a partial one, so block edges are exercised.
fn experiment() -> Experiment {
    Experiment::new(flagship())
        .cycle_years([1.0, 2.0, 5.0])
        .trials(1_300)
        .seed(7)
}

#[test]
fn reports_are_bit_identical_for_any_thread_count() {
    let reference = experiment()
        .threads(1)
        .run()
        .unwrap()
        .to_json_string()
        .unwrap();
    for threads in [2, 3, 8] {
        let json = experiment()
            .threads(threads)
            .run()
            .unwrap()
            .to_json_string()
            .unwrap();
        assert_eq!(json, reference, "{threads} threads");
    }
    // The global pool too.
    assert_eq!(
        experiment().run().unwrap().to_json_string().unwrap(),
        reference
    );
}

#[test]
fn shards_merge_to_exactly_the_unsharded_report() {
    let whole = experiment().run().unwrap().to_json_string().unwrap();
    for count in [1u64, 2, 3, 7] {
        // Through JSON, as a cluster job would hand them over, in reverse order.
        let merged = common::merged_shards(count, || experiment().threads(2))
            .to_json_string()
            .unwrap();
        assert_eq!(merged, whole, "{count} shards");
    }
}

#[test]
fn merge_rejects_foreign_overlapping_and_missing_parts() {
    let part = |seed: u64, i: u64, n: u64| {
        Experiment::new(flagship())
            .cycle_years([1.0, 5.0])
            .trials(600)
            .seed(seed)
            .run_shard(i, n)
            .unwrap()
    };
    let msg = |parts: &[PartialReport]| Report::merge(parts).unwrap_err().to_string();

    assert!(msg(&[]).contains("no partial reports"));
    let foreign = msg(&[part(1, 0, 2), part(2, 1, 2)]);
    assert!(foreign.contains("different experiment"), "{foreign}");
    let overlap = msg(&[part(1, 0, 2), part(1, 0, 2), part(1, 1, 2)]);
    assert!(overlap.contains("overlap"), "{overlap}");
    let gap = msg(&[part(1, 0, 3), part(1, 2, 3)]);
    assert!(gap.contains("gap: trials [200, 400) are missing"), "{gap}");
    let tail = msg(&[part(1, 0, 3), part(1, 1, 3)]);
    assert!(
        tail.contains("gap: trials [400, 600) are missing"),
        "{tail}"
    );

    // A part whose header was edited no longer matches its checksum; with the checksum
    // recomputed, it no longer matches its fingerprint.
    let mut edited = part(1, 0, 1);
    edited.header.trials = 10;
    let e = msg(std::slice::from_ref(&edited));
    assert!(e.contains("checksum: does not match"), "{e}");
    edited.checksum = edited.compute_checksum().unwrap();
    let e = msg(&[edited]);
    assert!(e.contains("header.fingerprint: does not match"), "{e}");

    // A part whose statistics do not hold the trials its range claims (with its checksum
    // recomputed, so that the count check must catch it).
    let mut hollow = part(1, 1, 2);
    hollow.tally = part(1, 1, 3).tally;
    let e = msg(&[part(1, 0, 2), hollow.clone()]);
    assert!(e.contains("part [300, 600): checksum"), "{e}");
    hollow.checksum = hollow.compute_checksum().unwrap();
    let e = msg(&[part(1, 0, 2), hollow]);
    assert!(
        e.contains("part [300, 600)") && e.contains("holds 200 values for 300 trials"),
        "{e}"
    );
}

#[test]
fn paired_differences_are_tighter_than_unpaired_ones() {
    let report = Experiment::new(flagship())
        .cycle_years([5.0, 1.0, 10.0])
        .trials(2_000)
        .seed(3)
        .run()
        .unwrap();
    let reference = report.cycle(5.0).unwrap();
    for cycle in [1.0, 10.0] {
        let arm = report.cycle(cycle).unwrap();
        for metric in ["payments", "payments_vs_fair", "mismatch", "support_min"] {
            let a = arm.metric(metric).unwrap();
            let r = reference.metric(metric).unwrap();
            let unpaired_se = (a.se.powi(2) + r.se.powi(2)).sqrt();
            let paired = arm.vs_reference(metric).unwrap().unwrap();
            assert!(
                paired.se < unpaired_se,
                "L={cycle} {metric}: paired se {} vs unpaired {unpaired_se}",
                paired.se
            );
            // The paired mean is the difference of the means (same trials).
            assert!((paired.mean - (a.mean - r.mean)).abs() <= 1e-9 * (1.0 + r.mean.abs()));
        }
    }
    assert!(reference.vs_reference("payments").unwrap().is_none());
}

#[test]
fn frictionless_mismatch_matches_the_closed_form_within_four_standard_errors() {
    let scenario = Scenario::preset("frictionless").unwrap();
    let cycles = [1.0, 2.0, 3.0, 5.0, 10.0];
    let report = Experiment::new(scenario.clone())
        .cycle_years(cycles)
        .trials(3_000)
        .seed(11)
        .run()
        .unwrap();
    let p = MismatchParams {
        index_drift: scenario.terms.index.drift,
        index_volatility: scenario.terms.index.volatility,
        residual_drift: scenario.terms.residual.drift,
        residual_volatility: scenario.terms.residual.volatility,
        indexation: 0.0,
        escalator: 0.0,
    };
    for cycle in cycles {
        let s = report.cycle(cycle).unwrap().metric("mismatch").unwrap();
        let n = (cycle * 12.0) as u32;
        let expected = analytic::expected_mismatch_discrete(&p, n, 1.0 / 12.0).unwrap();
        let z = (s.mean - expected) / s.se;
        assert!(s.se > 0.0);
        assert!(
            z.abs() < 4.0,
            "L={cycle}: {} ± {} vs {expected} (z={z:.2})",
            s.mean,
            s.se
        );
        let lapses = report.cycle(cycle).unwrap().metric("lapses").unwrap();
        assert_eq!(lapses.max, 0.0, "no lapses without friction");
    }
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let report = experiment().trials(300).run().unwrap();
    let v: serde_json::Value = serde_json::from_str(&report.to_json_string().unwrap()).unwrap();
    for key in [
        "negcycle",
        "scenario",
        "units",
        "fingerprint",
        "seed",
        "trials",
        "hosts",
        "variants",
        "reference",
        "quantile_relative_error",
        "arms",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["trials"], 300);
    // The default reference is the first arm, the 1-year one.
    assert_eq!(v["reference"], "base/1");
    assert_eq!(v["hosts"], serde_json::json!(["host"]));
    let arms = v["arms"].as_array().unwrap();
    assert_eq!(arms.len(), 3);
    for (i, (arm, cycle)) in arms.iter().zip([1.0, 2.0, 5.0]).enumerate() {
        assert_eq!(arm["label"], format!("base/{cycle}"));
        assert_eq!(arm["variant"], "base");
        assert_eq!(arm["cycle_years"], serde_json::json!([cycle]));
        assert!(
            arm["totals"].as_array().unwrap().is_empty(),
            "one host: no totals"
        );
        let hosts = arm["hosts"].as_array().unwrap();
        assert_eq!(hosts.len(), 1);
        let host = &hosts[0];
        assert_eq!(host["host"], "host");
        assert_eq!(host["cycle_years"], cycle);
        let metrics = host["metrics"].as_array().unwrap();
        assert_eq!(metrics.len(), METRICS.len());
        for (info, m) in METRICS.iter().zip(metrics) {
            assert_eq!(m["metric"], info.name);
            for k in [
                "n", "mean", "sd", "se", "ci95_lo", "ci95_hi", "min", "max", "p05", "p25", "p50",
                "p75", "p95",
            ] {
                assert!(m[k].is_number(), "{} {k}", info.name);
            }
            assert_eq!(m["n"], 300);
            // The paired differences: none in the reference arm, all four in the others.
            for k in ["diff_mean", "diff_se", "diff_ci95_lo", "diff_ci95_hi"] {
                if i == 0 {
                    assert!(m[k].is_null(), "{} {k}", info.name);
                } else {
                    assert!(m[k].is_number(), "{} {k}", info.name);
                }
            }
        }
        for h in ["signing_vs_deadline_months", "lapse_months_histogram"] {
            let edges = host[h]["edges"].as_array().unwrap();
            let counts = host[h]["counts"].as_array().unwrap();
            assert_eq!(edges.len(), counts.len() + 1, "{h}");
        }
    }
    // And back.
    let again = Report::from_json_str(&report.to_json_string().unwrap(), "test").unwrap();
    assert_eq!(again, report);
}

#[test]
fn histograms_count_every_completed_negotiation() {
    let report = experiment().trials(500).run().unwrap();
    for arm in &report.arms {
        let host = &arm.hosts[0];
        let signing: u64 = host.signing_vs_deadline_months.counts.iter().sum();
        let lapse: u64 = host.lapse_months_histogram.counts.iter().sum();
        assert_eq!(signing, lapse);
        // Completed negotiations are at most the negotiations opened.
        let opened = arm.metric("negotiations").unwrap().mean * 500.0;
        assert!(signing as f64 <= opened + 1e-6);
        assert!(
            signing as f64 >= opened - 500.0,
            "at most one open per trial"
        );
        // The lapse histogram's first bin holds the deals without a lapse.
        let lapses = arm.metric("lapses").unwrap().mean * 500.0;
        let no_lapse = host.lapse_months_histogram.counts[0] as f64;
        assert!((signing as f64 - no_lapse - lapses).abs() <= 500.0);
    }
}

#[test]
fn csv_has_one_row_per_arm_and_metric() {
    let report = experiment().trials(300).run().unwrap();
    let csv = report.to_csv_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 3 * METRICS.len());
    let columns = lines[0].split(',').count();
    assert!(lines.iter().all(|l| l.split(',').count() == columns));
    assert!(
        lines[1].starts_with("us_rok_sma,base/1,base,1,host,negotiations,friction,count,300,"),
        "{}",
        lines[1]
    );
}

#[test]
fn observers_see_every_block_in_order() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    experiment()
        .observer(move |p: Progress| log.lock().unwrap().push(p))
        .run()
        .unwrap();
    let seen = seen.lock().unwrap();
    let blocks = 1_300u64.div_ceil(BLOCK_TRIALS);
    assert_eq!(seen.len() as u64, blocks);
    assert!(seen.windows(2).all(|w| w[0].trials_done < w[1].trials_done));
    let last = seen.last().unwrap();
    assert_eq!((last.trials_done, last.trials_total), (1_300, 1_300));
}

#[test]
fn precision_target_stops_deterministically() {
    let run = |threads| {
        Experiment::new(flagship())
            .cycle_years([1.0, 5.0])
            .seed(5)
            .threads(threads)
            .until_precision("payments", 0.005, 50_000)
            .run()
            .unwrap()
    };
    let a = run(1);
    let b = run(2);
    assert_eq!(a.to_json_string().unwrap(), b.to_json_string().unwrap());
    assert!(a.trials < 50_000 && a.trials % BLOCK_TRIALS == 0);
    for arm in &a.arms {
        let s = arm.metric("payments").unwrap();
        assert!(s.se <= 0.005 * s.mean.abs());
    }
    // One block fewer would not have been enough in at least one arm (it stopped at the first
    // block that met the target).
    let fewer = Experiment::new(flagship())
        .cycle_years([1.0, 5.0])
        .seed(5)
        .trials(a.trials - BLOCK_TRIALS)
        .run()
        .unwrap();
    assert!(fewer.arms.iter().any(|arm| {
        let s = arm.metric("payments").unwrap();
        s.se > 0.005 * s.mean.abs()
    }));
}

#[test]
fn bad_settings_are_rejected_with_the_field_and_rule() {
    let err = |e: Experiment| e.run().unwrap_err().to_string();
    let base = || Experiment::new(flagship()).trials(10);
    assert!(err(base().cycle_years([])).contains("cycles: at least one arm"));
    assert!(err(base().cycle_years([1.0, 1.0])).contains("cycles: arms must be distinct"));
    assert!(err(base().cycle_years([1.0, -2.0])).contains("cycle_years: must be > 0, got -2"));
    assert!(err(base().cycle_years([0.01])).contains("cycle_years: must be a positive whole"));
    assert!(err(base().cycle_years([1.0]).reference(2.0)).contains("reference: must be one of"));
    assert!(err(base().trials(0)).contains("trials: must be >= 1"));
    assert!(err(base().threads(0)).contains("threads: must be >= 1"));
    assert!(err(base().until_precision("nope", 0.01, 100)).contains("unknown metric \"nope\""));
    assert!(err(base().until_precision("payments", 0.0, 100)).contains("relative_se"));
    let shard = base().run_shard(3, 3).unwrap_err().to_string();
    assert!(shard.contains("shard: must be I/N"), "{shard}");
    let mut bad = flagship();
    bad.host.margin = -0.1;
    assert!(err(Experiment::new(bad)).contains("host.margin: must be >= 0, got -0.1"));
    let report = base().run().unwrap();
    assert!(
        report
            .cycle(7.0)
            .unwrap_err()
            .to_string()
            .contains("no arm")
    );
    assert!(
        report.arms[0]
            .metric("nope")
            .unwrap_err()
            .to_string()
            .contains("available: negotiations")
    );
}
