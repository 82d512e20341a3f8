//! The experiment engine: variants on common random numbers, the time-grid rule, built-in
//! protocols as variants, paired differences, determinism across threads and shards for single
//! hosts and alliances, tamper-proof merges, complete tallies (or an overflow error), observers,
//! quantiles inside [min, max], and the tidy CSV / JSON lines schema.

mod common;

use common::korea_grid;

use negcycle::alliance::{Alliance, TOTALS};
use negcycle::prelude::*;
use negcycle::run::BLOCK_TRIALS;
use negcycle::stats::MAX_ABS_VALUE;
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};

fn flagship() -> Scenario {
    Scenario::preset("us_rok_sma").expect("preset")
}

fn alliance() -> Alliance {
    Alliance::preset("us_alliances").expect("alliance preset")
}

/// Every metric row of a report (hosts and totals) with a name for messages.
fn rows(report: &Report) -> Vec<(String, &MetricRow)> {
    let mut out = Vec::new();
    for arm in &report.arms {
        for host in &arm.hosts {
            for r in &host.metrics {
                out.push((format!("{} {} {}", arm.label, host.host, r.metric), r));
            }
        }
        for r in &arm.totals {
            out.push((format!("{} (all) {}", arm.label, r.metric), r));
        }
    }
    out
}

/// A row without its paired difference (which depends on the reference arm).
fn summary_only(r: &MetricRow) -> MetricRow {
    MetricRow {
        diff_mean: None,
        diff_se: None,
        diff_ci95_lo: None,
        diff_ci95_hi: None,
        ..r.clone()
    }
}

/// A host's report without its paired differences.
fn host_summaries(h: &HostReport) -> HostReport {
    HostReport {
        metrics: h.metrics.iter().map(summary_only).collect(),
        ..h.clone()
    }
}

// (1) ------------------------------------------------------------------------------------------

#[test]
fn a_variant_without_overrides_has_zero_paired_differences_and_identical_summaries() {
    let report = Experiment::new(flagship())
        .variant(Variant::base())
        .variant(Variant::new("same"))
        .cycle_years([1.0, 5.0])
        .reference("base/5")
        .trials(700)
        .seed(4)
        .run()
        .unwrap();
    assert_eq!(report.reference, "base/5");
    assert_eq!(report.arms.len(), 4);
    let same5 = report.arm("same/5").unwrap();
    let base5 = report.arm("base/5").unwrap();
    for (r, b) in same5.hosts[0].metrics.iter().zip(&base5.hosts[0].metrics) {
        assert_eq!(r.metric, b.metric);
        let d = r.paired().expect("same/5 is not the reference");
        assert_eq!(
            (d.mean, d.se, d.ci95),
            (0.0, 0.0, [0.0, 0.0]),
            "{}",
            r.metric
        );
        assert!(b.paired().is_none(), "{}: the reference has none", b.metric);
        assert_eq!(summary_only(r), summary_only(b), "{}", r.metric);
    }
    // The 1-year arms: the same summaries, and the same differences against base/5.
    let (same1, base1) = (report.arm("same/1").unwrap(), report.arm("base/1").unwrap());
    assert_eq!(same1.hosts, base1.hosts);
    // Histograms too.
    assert_eq!(
        same5.hosts[0].signing_vs_deadline_months,
        base5.hosts[0].signing_vs_deadline_months
    );
    assert_eq!(
        same5.hosts[0].lapse_months_histogram,
        base5.hosts[0].lapse_months_histogram
    );
    // Not vacuous: the 1-year arm does differ from the reference.
    let d = base1.vs_reference("negotiations").unwrap().unwrap();
    assert!(d.mean > 0.0, "{d:?}");
}

// (2) ------------------------------------------------------------------------------------------

#[test]
fn a_variant_that_changes_the_time_grid_is_rejected_naming_it() {
    for (name, key, value) in [
        ("fine", "steps_per_year", "24"),
        ("short", "horizon_years", "20"),
    ] {
        // The override alone is a valid scenario: only the experiment refuses it.
        flagship()
            .with_override(key, value)
            .unwrap()
            .validate()
            .unwrap();
        let e = Experiment::new(flagship())
            .variant(Variant::base())
            .variant(Variant::new(name).set(key, value))
            .trials(10)
            .run()
            .unwrap_err();
        match &e {
            Error::InvalidExperiment { field, rule, got } => {
                assert_eq!(field, &format!("variant {name}"), "{e}");
                assert!(
                    rule.contains("steps_per_year") && rule.contains("horizon_years"),
                    "{e}"
                );
                assert!(got.contains(&format!("{key} {value}")), "{e}");
            }
            other => panic!("{name}: expected InvalidExperiment, got {other:?}"),
        }
    }
    // The same for an alliance.
    let e = Experiment::new(alliance())
        .variant(Variant::new("fine").set("steps_per_year", "24"))
        .trials(10)
        .run()
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidExperiment { field, .. } if field == "variant fine"),
        "{e:?}"
    );
}

// (3) ------------------------------------------------------------------------------------------

#[test]
fn a_variant_with_a_built_in_protocol_equals_a_separate_run_of_that_scenario() {
    let cycles = [1.0, 5.0];
    let report = Experiment::new(flagship())
        .variant(Variant::base())
        .variant(Variant::new("ci").set("protocol.kind", "complete_information"))
        .cycle_years(cycles)
        .trials(600)
        .seed(9)
        .run()
        .unwrap();
    let overridden = flagship()
        .with_override("protocol.kind", "complete_information")
        .unwrap();
    let separate = Experiment::new(overridden)
        .cycle_years(cycles)
        .trials(600)
        .seed(9)
        .run()
        .unwrap();
    assert_eq!(report.variants[1].protocol, separate.variants[0].protocol);
    assert_ne!(report.variants[0].protocol, report.variants[1].protocol);
    for cycle in cycles {
        let mine = report.arm(&format!("ci/{cycle}")).unwrap();
        let alone = separate.cycle(cycle).unwrap();
        assert_eq!(mine.cycle_years, alone.cycle_years);
        // Same numbers, metric by metric, and the same histograms (the paired differences
        // differ only because the references differ).
        assert_eq!(
            host_summaries(&mine.hosts[0]),
            host_summaries(&alone.hosts[0]),
            "L = {cycle}"
        );
        // Not vacuous: the protocol changes the outcome.
        let base = report.arm(&format!("base/{cycle}")).unwrap();
        assert_ne!(
            base.metric("rounds").unwrap().mean,
            mine.metric("rounds").unwrap().mean,
            "L = {cycle}"
        );
    }
    // And the paired differences within the separate run (ci/5 − ci/1) are those of the
    // difference of the same arms' means in the combined run.
    let d = separate
        .cycle(5.0)
        .unwrap()
        .vs_reference("payments")
        .unwrap()
        .unwrap();
    let (a, b) = (
        report.arm("ci/5").unwrap().metric("payments").unwrap(),
        report.arm("ci/1").unwrap().metric("payments").unwrap(),
    );
    assert!((d.mean - (a.mean - b.mean)).abs() <= 1e-9 * a.mean.abs().max(b.mean.abs()));
}

// (4) ------------------------------------------------------------------------------------------

#[test]
fn paired_differences_of_variants_are_differences_of_means_with_a_smaller_se() {
    let report = Experiment::new(flagship())
        .variant(Variant::new("soft").set("patron.opening", "0.1"))
        .variant(Variant::base())
        .variant(Variant::new("tough").set("patron.opening", "0.6"))
        .cycle_years([5.0])
        .reference("soft/5")
        .trials(2_000)
        .seed(3)
        .run()
        .unwrap();
    let reference = report.arm("soft/5").unwrap();
    assert_eq!(report.reference_arm().unwrap(), reference);
    for label in ["base/5", "tough/5"] {
        let arm = report.arm(label).unwrap();
        for info in METRICS {
            let a = arm.metric(info.name).unwrap();
            let r = reference.metric(info.name).unwrap();
            let d = arm.vs_reference(info.name).unwrap().expect("paired");
            let scale = a.mean.abs().max(r.mean.abs());
            assert!(
                (d.mean - (a.mean - r.mean)).abs() <= 1e-9 * scale,
                "{label} {}: mean of differences {} vs difference of means {}",
                info.name,
                d.mean,
                a.mean - r.mean
            );
        }
        // Payments are positively correlated across variants (same worlds): pairing helps.
        let a = arm.metric("payments").unwrap();
        let r = reference.metric("payments").unwrap();
        let d = arm.vs_reference("payments").unwrap().unwrap();
        let unpaired = (a.se.powi(2) + r.se.powi(2)).sqrt();
        assert!(
            d.se > 0.0 && d.se < unpaired,
            "{label}: paired se {} vs unpaired {unpaired}",
            d.se
        );
    }
    assert!(reference.vs_reference("payments").unwrap().is_none());
}

// (5) ------------------------------------------------------------------------------------------

/// Two variants on one host: 1,300 trials (five full blocks and a partial one).
fn two_variants() -> Experiment {
    Experiment::new(flagship())
        .variant(Variant::base())
        .variant(Variant::new("tough").set("patron.opening", "0.6"))
        .cycle_years([1.0, 5.0])
        .reference("base/5")
        .trials(1_300)
        .seed(7)
}

/// The alliance, Korea at 5 and 1 years, with and without leverage.
fn alliance_experiment() -> Experiment {
    let a = alliance();
    let grid = korea_grid(&a);
    Experiment::new(a)
        .variant(Variant::base())
        .variant(Variant::new("flat").set("linkage.leverage", "0"))
        .grid(&grid)
        .trials(700)
        .seed(5)
}

fn assert_deterministic(experiment: impl Fn() -> Experiment, what: &str) {
    let whole = experiment()
        .threads(1)
        .run()
        .unwrap()
        .to_json_string()
        .unwrap();
    for threads in [2, 3] {
        let json = experiment()
            .threads(threads)
            .run()
            .unwrap()
            .to_json_string()
            .unwrap();
        assert!(json == whole, "{what}: {threads} threads differ from 1");
    }
    for count in [1u64, 3, 7] {
        let merged = common::merged_shards(count, &experiment)
            .to_json_string()
            .unwrap();
        assert!(
            merged == whole,
            "{what}: {count} shards merged in reverse order differ"
        );
    }
}

#[test]
fn single_host_variants_are_bit_identical_for_any_threads_and_shards() {
    assert_deterministic(two_variants, "us_rok_sma, two variants");
}

#[test]
fn alliance_reports_are_bit_identical_for_any_threads_and_shards() {
    let report = alliance_experiment().run().unwrap();
    assert_eq!(report.arms.len(), 4);
    assert_eq!(report.arms[0].cycle_years[0], 5.0);
    assert_eq!(report.arms[1].cycle_years[0], 1.0);
    assert_deterministic(alliance_experiment, "us_alliances, korea [5, 1]");
}

// (6) ------------------------------------------------------------------------------------------

/// Shard 0 and shard 1 of a two-variant experiment of 600 trials (4 arms).
fn parts() -> (PartialReport, PartialReport) {
    let e = || {
        Experiment::new(flagship())
            .variant(Variant::base())
            .variant(Variant::new("tough").set("patron.opening", "0.6"))
            .cycle_years([1.0, 5.0])
            .trials(600)
            .seed(2)
    };
    (e().run_shard(0, 2).unwrap(), e().run_shard(1, 2).unwrap())
}

/// What the attacker recomputes after editing the JSON.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Recompute {
    Nothing,
    Checksum,
    FingerprintAndChecksum,
}

/// `part` through JSON with `edit` applied to the JSON value, read back.
fn edit(
    part: &PartialReport,
    recompute: Recompute,
    edit: impl FnOnce(&mut Value),
) -> Result<PartialReport, Error> {
    let mut v: Value = serde_json::from_str(&part.to_json_string().unwrap()).unwrap();
    edit(&mut v);
    let text = serde_json::to_string(&v).unwrap();
    let mut p = PartialReport::from_json_str(&text, "edited.json")?;
    if recompute == Recompute::FingerprintAndChecksum {
        p.header.fingerprint = p.header.compute_fingerprint().unwrap();
    }
    if recompute != Recompute::Nothing {
        p.checksum = p.compute_checksum().unwrap();
    }
    Ok(p)
}

/// The merge error's rule (panics unless the merge fails with [`Error::Merge`]).
fn merge_rule(parts: &[PartialReport]) -> String {
    match Report::merge(parts) {
        Err(Error::Merge { rule }) => rule,
        Err(other) => panic!("expected Error::Merge, got {other:?}"),
        Ok(_) => panic!("a tampered part was merged"),
    }
}

/// The edited part 0 merged with part 1 fails naming the part and `field`, and the same edit
/// without the recomputation fails on the checksum.
fn assert_caught(recompute: Recompute, field: &str, also: &str, change: impl Fn(&mut Value)) {
    let (p0, p1) = parts();
    let plain = edit(&p0, Recompute::Nothing, &change).unwrap();
    let rule = merge_rule(&[plain, p1.clone()]);
    assert!(
        rule.contains("part [0, 300): checksum: does not match"),
        "{field}, checksum not recomputed: {rule}"
    );
    let forged = edit(&p0, recompute, &change).unwrap();
    assert!(
        forged.verify().is_err(),
        "{field}: verify() accepts the forged part"
    );
    let rule = merge_rule(&[forged, p1]);
    assert!(
        rule.contains(&format!("part [0, 300): {field}")) && rule.contains(also),
        "{field} ({recompute:?}): {rule}"
    );
}

/// The first host of arm `k`'s tally of metric `m`, in the part's JSON.
fn metric_at(v: &mut Value, k: usize, m: usize) -> &mut Value {
    &mut v["tally"]["arms"][k]["hosts"][0]["metrics"][m]
}

fn metric_index(name: &str) -> usize {
    METRICS.iter().position(|m| m.name == name).expect("metric")
}

#[test]
fn an_untampered_part_survives_the_json_round_trip_and_merges() {
    let (p0, p1) = parts();
    let again = edit(&p0, Recompute::Nothing, |_| {}).unwrap();
    assert_eq!(again, p0);
    again.verify().unwrap();
    let whole = Experiment::new(flagship())
        .variant(Variant::base())
        .variant(Variant::new("tough").set("patron.opening", "0.6"))
        .cycle_years([1.0, 5.0])
        .trials(600)
        .seed(2)
        .run()
        .unwrap();
    assert_eq!(Report::merge(&[p1, again]).unwrap(), whole);
}

#[test]
fn merge_refuses_a_part_with_metrics_removed() {
    // One metric fewer in arm 1's host.
    assert_caught(
        Recompute::Checksum,
        "tally.arms[1].hosts[0].metrics",
        &format!(
            "must hold {} metrics, got {}",
            METRICS.len(),
            METRICS.len() - 1
        ),
        |v| {
            v["tally"]["arms"][1]["hosts"][0]["metrics"]
                .as_array_mut()
                .unwrap()
                .pop();
        },
    );
    // One paired difference fewer.
    assert_caught(
        Recompute::Checksum,
        "tally.arms[1].hosts[0].paired",
        &format!(
            "must hold {} entries, got {}",
            METRICS.len(),
            METRICS.len() - 1
        ),
        |v| {
            v["tally"]["arms"][1]["hosts"][0]["paired"]
                .as_array_mut()
                .unwrap()
                .pop();
        },
    );
    // The whole list gone: not a partial report at all.
    let (p0, _) = parts();
    let e = edit(&p0, Recompute::Nothing, |v| {
        v["tally"]["arms"][1]["hosts"][0]
            .as_object_mut()
            .unwrap()
            .remove("metrics");
    })
    .unwrap_err();
    assert!(
        matches!(&e, Error::Json { message, .. } if message.contains("missing field `metrics`")),
        "{e:?}"
    );
}

#[test]
fn merge_refuses_edited_moments() {
    let payments = metric_index("payments");
    // min raised to max: the mean now lies below min.
    assert_caught(
        Recompute::Checksum,
        "tally.arms[0].hosts[0].metrics.payments",
        "inconsistent moments",
        |v| {
            let m = &mut metric_at(v, 0, payments)["moments"];
            m["min"] = m["max"].clone();
        },
    );
    // max lowered to min: the mean now lies above max.
    assert_caught(
        Recompute::Checksum,
        "tally.arms[2].hosts[0].metrics.payments",
        "inconsistent moments",
        |v| {
            let m = &mut metric_at(v, 2, payments)["moments"];
            m["max"] = m["min"].clone();
        },
    );
    // A high limb of the exact sum Σx edited: the mean leaves [min, max].
    assert_caught(
        Recompute::Checksum,
        "tally.arms[3].hosts[0].metrics.payments",
        "inconsistent moments",
        |v| {
            let limb = &mut metric_at(v, 3, payments)["moments"]["sum"][20];
            *limb = Value::from(limb.as_u64().unwrap() + 1);
        },
    );
    // The count of one metric no longer the trial range.
    assert_caught(
        Recompute::Checksum,
        "tally.arms[1].hosts[0].metrics.lapses",
        "holds 301 values for 300 trials",
        |v| {
            let m = &mut metric_at(v, 1, metric_index("lapses"))["moments"];
            m["count"] = Value::from(301);
        },
    );
    // Nor that of a paired difference.
    assert_caught(
        Recompute::Checksum,
        "tally.arms[1].hosts[0].paired.lapses",
        "holds 299 values for 300 trials",
        |v| {
            let d = &mut v["tally"]["arms"][1]["hosts"][0]["paired"][metric_index("lapses")];
            d["diffs"]["count"] = Value::from(299);
        },
    );
    // min > max cannot even be read back (whatever the checksum).
    let (p0, _) = parts();
    let e = edit(&p0, Recompute::Nothing, |v| {
        let m = &mut metric_at(v, 0, payments)["moments"];
        let max = m["max"].as_f64().unwrap();
        m["min"] = Value::from(max + 1.0);
    })
    .unwrap_err();
    assert!(
        matches!(&e, Error::Json { message, .. } if message.contains("min > max")),
        "{e:?}"
    );
}

#[test]
fn merge_refuses_edited_sketch_counts() {
    assert_caught(
        Recompute::Checksum,
        "tally.arms[0].hosts[0].metrics.payments",
        "its quantile sketch holds 301 values for 300 trials",
        |v| {
            let sketch = &mut metric_at(v, 0, metric_index("payments"))["sketch"];
            let c = &mut sketch["positive"]["counts"][0];
            *c = Value::from(c.as_u64().unwrap() + 1);
        },
    );
}

#[test]
fn merge_refuses_a_changed_format_marker_and_unknown_keys() {
    let (p0, p1) = parts();
    // From JSON: refused on reading.
    for recompute in [Recompute::Nothing, Recompute::Checksum] {
        let e = edit(&p0, recompute, |v| v["negcycle_partial"] = Value::from(1)).unwrap_err();
        assert!(
            matches!(&e, Error::Json { message, .. } if message.contains("negcycle_partial")),
            "{e:?}"
        );
    }
    // In memory (with the checksum recomputed): refused by the merge, naming the field.
    let mut forged = p0.clone();
    forged.negcycle_partial = 1;
    forged.checksum = forged.compute_checksum().unwrap();
    let rule = merge_rule(&[forged, p1.clone()]);
    assert!(
        rule.contains("part [0, 300): negcycle_partial: must be 2, got 1"),
        "{rule}"
    );
    // An unknown top-level key.
    let e = edit(&p0, Recompute::Nothing, |v| {
        v.as_object_mut()
            .unwrap()
            .insert("extra".into(), Value::from(true));
    })
    .unwrap_err();
    assert!(
        matches!(&e, Error::Json { message, .. } if message.contains("unknown field `extra`")),
        "{e:?}"
    );
    // An unknown key deeper down.
    let e = edit(&p0, Recompute::Nothing, |v| {
        v["tally"]["arms"][0]
            .as_object_mut()
            .unwrap()
            .insert("extra".into(), Value::from(1));
    })
    .unwrap_err();
    assert!(matches!(e, Error::Json { .. }), "{e:?}");
}

#[test]
fn merge_refuses_fewer_arms_and_bad_references() {
    // One arm fewer in the statistics.
    assert_caught(
        Recompute::Checksum,
        "tally.arms",
        "must hold 4 arms, got 3",
        |v| {
            v["tally"]["arms"].as_array_mut().unwrap().pop();
        },
    );
    // One arm fewer in the header: its fingerprint no longer matches...
    assert_caught(
        Recompute::Checksum,
        "header.fingerprint",
        "does not match the header",
        |v| {
            v["header"]["arms"].as_array_mut().unwrap().pop();
        },
    );
    // ...and with the fingerprint recomputed too, the statistics do not fit the header.
    assert_caught(
        Recompute::FingerprintAndChecksum,
        "tally.arms",
        "must hold 3 arms, got 4",
        |v| {
            v["header"]["arms"].as_array_mut().unwrap().pop();
        },
    );
    // A reference index past the arms.
    assert_caught(
        Recompute::FingerprintAndChecksum,
        "header.reference",
        "must be < 4 arms, got 99",
        |v| v["header"]["reference"] = Value::from(99),
    );
    // The statistics' reference not the header's.
    assert_caught(
        Recompute::Checksum,
        "tally.reference",
        "must be the header's 0, got 1",
        |v| v["tally"]["reference"] = Value::from(1),
    );
}

// (7) ------------------------------------------------------------------------------------------

/// Every preset's report: the single-host presets at 1, 2 and 5 years, the alliance with Korea
/// at 5 and 1 years; 300 trials (a full block and a partial one).
fn preset_reports() -> &'static [(String, Report)] {
    static REPORTS: OnceLock<Vec<(String, Report)>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let mut out: Vec<(String, Report)> = Scenario::presets()
            .into_iter()
            .map(|p| {
                let report = Experiment::new(Scenario::preset(p).unwrap())
                    .cycle_years([1.0, 2.0, 5.0])
                    .trials(300)
                    .seed(17)
                    .run()
                    .unwrap_or_else(|e| panic!("{p}: {e}"));
                (p.to_string(), report)
            })
            .collect();
        for p in Alliance::presets() {
            let a = Alliance::preset(p).unwrap();
            let grid = korea_grid(&a);
            let report = Experiment::new(a)
                .grid(&grid)
                .trials(300)
                .seed(17)
                .run()
                .unwrap_or_else(|e| panic!("{p}: {e}"));
            out.push((p.to_string(), report));
        }
        out
    })
}

#[test]
fn every_metric_of_every_preset_summarises_every_trial() {
    let reports = preset_reports();
    assert_eq!(
        reports.len(),
        Scenario::presets().len() + Alliance::presets().len()
    );
    for (name, report) in reports {
        assert_eq!(report.trials, 300, "{name}");
        for arm in &report.arms {
            assert_eq!(arm.hosts.len(), report.hosts.len(), "{name}");
            for host in &arm.hosts {
                assert_eq!(host.metrics.len(), METRICS.len(), "{name}");
            }
            let totals = if report.hosts.len() > 1 {
                TOTALS.len()
            } else {
                0
            };
            assert_eq!(arm.totals.len(), totals, "{name}");
        }
        for (place, r) in rows(report) {
            assert_eq!(r.n, 300, "{name}: {place}");
        }
    }
}

#[test]
fn values_beyond_the_exact_sum_range_stop_the_run_with_an_overflow_error() {
    // Valid (|ln 1e150| ≈ 345 is inside the scenario's log range), but payments of ~1e150
    // exceed what the exact sums hold.
    let huge = flagship().with_override("terms.initial", "1e150").unwrap();
    huge.validate().unwrap();
    assert!(huge.terms.initial > MAX_ABS_VALUE);
    let run = |e: Experiment| e.trials(300).seed(1).cycle_years([1.0, 5.0]);
    for result in [
        run(Experiment::new(huge.clone())).run().map(|r| r.trials),
        run(Experiment::new(huge.clone()))
            .run_shard(0, 2)
            .map(|p| p.end - p.start),
        // As a variant, too.
        run(Experiment::new(flagship())
            .variant(Variant::base())
            .variant(Variant::new("huge").set("terms.initial", "1e150")))
        .run()
        .map(|r| r.trials),
    ] {
        match result {
            Err(Error::Overflow {
                place,
                rejected,
                limit,
            }) => {
                assert!(rejected > 0, "{place}");
                assert_eq!(limit, MAX_ABS_VALUE);
                assert!(place.contains("arm"), "{place}");
            }
            other => panic!("expected Error::Overflow, got {other:?}"),
        }
    }
}

// (8) ------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Start(Progress),
    /// Progress, the interim report's trial count, and the smallest and largest `n` in it.
    Block(Progress, u64, u64, u64),
    Finish(Progress),
}

/// The events an observer saw.
type Events = Arc<Mutex<Vec<Event>>>;
/// The interim report after the last block, as JSON.
type Last = Arc<Mutex<String>>;

struct Recorder {
    events: Events,
    last: Last,
}

impl Observer for Recorder {
    fn start(&mut self, state: &State<'_>) -> Result<(), Error> {
        self.events
            .lock()
            .unwrap()
            .push(Event::Start(state.progress));
        Ok(())
    }

    fn block(&mut self, state: &State<'_>) -> Result<(), Error> {
        let report = state.report()?;
        let ns: Vec<u64> = rows(&report).iter().map(|(_, r)| r.n).collect();
        let (lo, hi) = (
            ns.iter().copied().min().unwrap(),
            ns.iter().copied().max().unwrap(),
        );
        self.events
            .lock()
            .unwrap()
            .push(Event::Block(state.progress, report.trials, lo, hi));
        *self.last.lock().unwrap() = report.to_json_string()?;
        Ok(())
    }

    fn finish(&mut self, state: &State<'_>) -> Result<(), Error> {
        self.events
            .lock()
            .unwrap()
            .push(Event::Finish(state.progress));
        Ok(())
    }
}

fn recorder() -> (Recorder, Events, Last) {
    let events: Events = Arc::new(Mutex::new(Vec::new()));
    let last: Last = Arc::new(Mutex::new(String::new()));
    (
        Recorder {
            events: Arc::clone(&events),
            last: Arc::clone(&last),
        },
        events,
        last,
    )
}

/// Start once with nothing done, one block event per block with increasing progress and an
/// interim report of exactly the trials done, then finish once with everything done.
fn check_events(events: &[Event], blocks: u64, total: u64) {
    assert_eq!(events.len() as u64, blocks + 2, "{events:?}");
    assert_eq!(
        events[0],
        Event::Start(Progress {
            trials_done: 0,
            trials_total: total
        })
    );
    let mut done = 0;
    for e in &events[1..events.len() - 1] {
        match e {
            Event::Block(p, trials, lo, hi) => {
                assert!(p.trials_done > done, "{events:?}");
                assert!(p.trials_done - done <= BLOCK_TRIALS);
                assert_eq!(p.trials_total, total);
                assert_eq!(*trials, p.trials_done, "interim report's trials");
                assert_eq!((*lo, *hi), (p.trials_done, p.trials_done), "interim n");
                done = p.trials_done;
            }
            other => panic!("expected a block, got {other:?}"),
        }
    }
    assert_eq!(done, total);
    assert_eq!(
        events[events.len() - 1],
        Event::Finish(Progress {
            trials_done: total,
            trials_total: total
        })
    );
}

#[test]
fn observers_see_start_every_block_with_an_interim_report_and_finish() {
    let (rec, events, last) = recorder();
    let report = two_variants().threads(2).observer(rec).run().unwrap();
    check_events(
        &events.lock().unwrap(),
        1_300u64.div_ceil(BLOCK_TRIALS),
        1_300,
    );
    // The interim report after the last block is the final report.
    assert_eq!(*last.lock().unwrap(), report.to_json_string().unwrap());

    // A shard: trials [433, 866) of 1,300, cut at the block boundaries 512 and 768.
    let (rec, events, _) = recorder();
    let part = two_variants().observer(rec).run_shard(1, 3).unwrap();
    assert_eq!((part.start, part.end), (433, 866));
    let events = events.lock().unwrap();
    check_events(&events, 3, 433);
    let done: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Block(p, ..) => Some(p.trials_done),
            _ => None,
        })
        .collect();
    assert_eq!(done, [512 - 433, 768 - 433, 433]);

    // An alliance.
    let (rec, events, last) = recorder();
    let report = alliance_experiment()
        .trials(300)
        .observer(rec)
        .run()
        .unwrap();
    check_events(&events.lock().unwrap(), 2, 300);
    assert_eq!(*last.lock().unwrap(), report.to_json_string().unwrap());
}

/// Calls of `start`, `block` and `finish`.
type Calls = Arc<Mutex<(u64, u64, u64)>>;

/// Fails at the `fail_at`-th call of `block` (0 = already at `start`), counting the calls.
struct Failing {
    fail_at: u64,
    calls: Calls,
}

fn stop(at: u64) -> Error {
    Error::Refused {
        what: format!("observer at {at}"),
        rule: "stop".into(),
    }
}

impl Observer for Failing {
    fn start(&mut self, _: &State<'_>) -> Result<(), Error> {
        self.calls.lock().unwrap().0 += 1;
        if self.fail_at == 0 {
            return Err(stop(0));
        }
        Ok(())
    }

    fn block(&mut self, _: &State<'_>) -> Result<(), Error> {
        let mut c = self.calls.lock().unwrap();
        c.1 += 1;
        if c.1 == self.fail_at {
            return Err(stop(self.fail_at));
        }
        Ok(())
    }

    fn finish(&mut self, _: &State<'_>) -> Result<(), Error> {
        self.calls.lock().unwrap().2 += 1;
        Ok(())
    }
}

#[test]
fn an_observer_error_stops_the_run_with_that_error() {
    for fail_at in [0u64, 1, 2] {
        let calls: Calls = Arc::new(Mutex::new((0, 0, 0)));
        let failing = Failing {
            fail_at,
            calls: Arc::clone(&calls),
        };
        let e = two_variants().observer(failing).run().unwrap_err();
        assert_eq!(e, stop(fail_at));
        // No block after the failing call, and no finish.
        assert_eq!(*calls.lock().unwrap(), (1, fail_at, 0), "fail at {fail_at}");
        // The same for a shard.
        let calls: Calls = Arc::new(Mutex::new((0, 0, 0)));
        let failing = Failing {
            fail_at,
            calls: Arc::clone(&calls),
        };
        let e = two_variants()
            .observer(failing)
            .run_shard(0, 2)
            .unwrap_err();
        assert_eq!(e, stop(fail_at));
        assert_eq!(
            *calls.lock().unwrap(),
            (1, fail_at, 0),
            "shard, fail at {fail_at}"
        );
    }
}

// (9) ------------------------------------------------------------------------------------------

#[test]
fn quantiles_lie_in_min_max_for_every_row_of_every_preset() {
    for (name, report) in preset_reports() {
        for (place, r) in rows(report) {
            let q = [r.min, r.p05, r.p25, r.p50, r.p75, r.p95, r.max];
            assert!(
                q.windows(2).all(|w| w[0] <= w[1]),
                "{name}: {place}: min, p05..p95, max = {q:?}"
            );
        }
    }
}

/// `Moments::mean` used to round twice (the exact `Σx` to an `f64`, then the division by `n`),
/// so the mean of 300 copies of 14/29 in `frictionless` (`unsettled_share` at two years) was one
/// ulp above its min and max. See `tests/stats.rs`,
/// `the_mean_of_copies_of_one_value_is_that_value`.
#[test]
fn means_lie_in_min_max_for_every_row_of_every_preset() {
    for (name, report) in preset_reports() {
        for (place, r) in rows(report) {
            assert!(
                r.min <= r.mean && r.mean <= r.max,
                "{name}: {place}: min {} mean {} max {}",
                r.min,
                r.mean,
                r.max
            );
        }
    }
}

// (10) -----------------------------------------------------------------------------------------

const SINGLE_HEADER: &str = "scenario,arm,variant,cycle_years,host,metric,group,unit,n,mean,sd,\
se,ci95_lo,ci95_hi,min,p05,p25,p50,p75,p95,max,reference,diff_mean,diff_se,diff_ci95_lo,\
diff_ci95_hi";

/// The fields of one CSV line (RFC 4180 quoting).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().unwrap().push(c),
        }
    }
    out
}

fn check_tidy(report: &Report, header: &str) {
    let csv = report.to_csv_string();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), header);
    let columns: Vec<&str> = header.split(',').collect();
    let data: Vec<&str> = lines.collect();
    let hosts = report.hosts.len();
    let totals = if hosts > 1 { TOTALS.len() } else { 0 };
    assert_eq!(
        data.len(),
        report.arms.len() * (hosts * METRICS.len() + totals)
    );
    let jsonl = report.to_jsonl_string().unwrap();
    let objects: Vec<serde_json::Map<String, Value>> = jsonl
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l).unwrap() {
            Value::Object(o) => o,
            other => panic!("not an object: {other}"),
        })
        .collect();
    assert_eq!(objects.len(), data.len());
    let mut want: Vec<&str> = columns.clone();
    want.sort_unstable();
    for (o, line) in objects.iter().zip(&data) {
        let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, want);
        // The same row as the CSV line.
        let cells = split_csv(line);
        assert_eq!(cells.len(), columns.len(), "{line}");
        for (c, cell) in columns.iter().zip(&cells) {
            let v = &o[*c];
            match v {
                Value::Null => assert_eq!(cell, "", "{c}"),
                Value::String(s) => assert_eq!(s, cell, "{c}"),
                Value::Number(_) => {
                    assert_eq!(v.as_f64().unwrap(), cell.parse::<f64>().unwrap(), "{c}")
                }
                other => panic!("{c}: {other}"),
            }
        }
        assert_eq!(o["n"], report.trials);
    }
}

#[test]
fn the_tidy_csv_and_json_lines_have_the_documented_columns() {
    let report = two_variants().trials(300).run().unwrap();
    check_tidy(&report, SINGLE_HEADER);
    let alliance = alliance_experiment().trials(300).run().unwrap();
    assert_eq!(alliance.hosts, ["korea", "japan", "nato"]);
    let header = SINGLE_HEADER.replace(
        "cycle_years,host",
        "cycle_years,cycle_years.korea,cycle_years.japan,cycle_years.nato,host",
    );
    check_tidy(&alliance, &header);
}
