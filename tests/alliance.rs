//! One patron, several allies: the one-host case reproduces single-host runs, unlinked hosts are
//! independent single-host runs, leverage transmits across allies, and determinism, shards and
//! validation hold as for single-host experiments.

mod common;

use negcycle::alliance::{Alliance, AllianceModel};
use negcycle::prelude::*;
use negcycle::rng::host_seed;
use negcycle::scenario::Violation;

fn unlinked_alliance() -> Alliance {
    let mut a = Alliance::preset("us_alliances").unwrap();
    a.linkage.correlation = 0.0;
    a.linkage.leverage = 0.0;
    a.linkage.benchmarking = 0.0;
    for h in &mut a.hosts {
        h.phase_years = 0.0;
    }
    a
}

#[test]
fn a_one_host_alliance_reproduces_the_single_host_experiment_exactly() {
    let scenario = Scenario::preset("us_rok_sma").unwrap();
    for cycle in [1.0, 5.0] {
        let single = Experiment::new(scenario.clone())
            .cycle_years([cycle])
            .trials(600)
            .seed(8)
            .run()
            .unwrap();
        let linked = Experiment::new(Alliance::from_scenario(&scenario))
            .arms(vec![vec![cycle]])
            .trials(600)
            .seed(8)
            .run()
            .unwrap();
        let host = linked.arms[0].host("host").unwrap();
        assert_eq!(host, &single.arms[0].hosts[0], "L = {cycle}");
        // One host: no patron totals, as in the single-host report.
        assert!(linked.arms[0].totals.is_empty() && single.arms[0].totals.is_empty());
    }
}

#[test]
fn unlinked_hosts_equal_separate_single_host_runs_on_their_seed_streams() {
    let alliance = unlinked_alliance();
    let model = AllianceModel::new(alliance.clone()).unwrap();
    let cycles = [1.0, 5.0, 2.0];
    let arms = model.arms(&cycles).unwrap();
    let mut ws = Default::default();
    let mut out = Default::default();
    for trial in 0..40 {
        model.run(&arms, 13, trial, &mut ws, &mut out);
        for (i, &cycle) in cycles.iter().enumerate() {
            // Linked hosts run the step loop: compare with a lone host's step loop, bit for bit
            // (the event-driven engine agrees with it to rounding, tests/agreement.rs).
            let s = alliance.host_scenario(i);
            let lone = Model::new(s).unwrap();
            let arm = lone.arm(cycle).unwrap();
            let seed = host_seed(13, i);
            let mut negotiations = Vec::new();
            let metrics = lone.run_steps(
                &arm,
                &lone.path(seed, trial),
                seed,
                trial,
                &mut negotiations,
            );
            assert_eq!(out.hosts[i], metrics, "host {i}, trial {trial}");
            assert_eq!(out.records[i], negotiations, "host {i}, trial {trial}");
        }
    }
}

fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn leverage_raises_the_demands_on_the_other_allies() {
    // Same seeds and trials with and without leverage: the patron's opening demands on Japan and
    // NATO (over the status quo) rise by leverage × the largest recent increase won elsewhere.
    let linked = Alliance::preset("us_alliances").unwrap();
    let mut flat = linked.clone();
    flat.linkage.leverage = 0.0;
    let (with, without) = (
        AllianceModel::new(linked).unwrap(),
        AllianceModel::new(flat).unwrap(),
    );
    let cycles = [1.0, 5.0, 2.0];
    let (arms_with, arms_without) = (with.arms(&cycles).unwrap(), without.arms(&cycles).unwrap());
    let (mut ws, mut a, mut b) = (Default::default(), Default::default(), Default::default());
    for (h, name) in [(1usize, "japan"), (2, "nato")] {
        let diffs: Vec<f64> = (0..2_000)
            .map(|trial| {
                with.run(&arms_with, 11, trial, &mut ws, &mut a);
                without.run(&arms_without, 11, trial, &mut ws, &mut b);
                a.hosts[h].opening_demand - b.hosts[h].opening_demand
            })
            .collect();
        let (mean, se) = mean_se(&diffs);
        assert!(mean > 4.0 * se, "{name}: demand rises by {mean} ± {se}");
    }
}

#[test]
fn longer_deals_with_one_ally_make_bigger_precedents_for_the_others() {
    // The precedent is the agreed increase over the status quo, and the status quo of a
    // five-year deal has drifted five years behind the efficient terms: each five-year Korean
    // agreement is a bigger increase than an annual one. So moving Korea from annual to
    // five-year deals raises the demands on Japan and NATO (and their payments), and moving it
    // to annual deals lowers them. Without leverage the others do not move at all.
    let report = Experiment::new(Alliance::preset("us_alliances").unwrap())
        .arms(vec![vec![1.0, 5.0, 2.0], vec![5.0, 5.0, 2.0]])
        .trials(4_000)
        .seed(2019)
        .run()
        .unwrap();
    for other in ["japan", "nato"] {
        let host = report.arms[1].host(other).unwrap();
        for metric in ["opening_demand", "payments"] {
            let d = host.vs_reference(metric).unwrap().unwrap();
            assert!(
                d.ci95[0] > 0.0,
                "{other} {metric}: paired difference {} [{}, {}] should exclude 0",
                d.mean,
                d.ci95[0],
                d.ci95[1]
            );
        }
    }
    let mut unlinked = Alliance::preset("us_alliances").unwrap();
    unlinked.linkage.leverage = 0.0;
    unlinked.linkage.benchmarking = 0.0;
    let flat = Experiment::new(unlinked)
        .arms(vec![vec![1.0, 5.0, 2.0], vec![5.0, 5.0, 2.0]])
        .trials(500)
        .seed(2019)
        .run()
        .unwrap();
    for other in ["japan", "nato"] {
        let d = flat.arms[1]
            .host(other)
            .unwrap()
            .vs_reference("payments")
            .unwrap()
            .unwrap();
        assert_eq!((d.mean, d.se), (0.0, 0.0), "{other}");
    }
}

fn small() -> Experiment {
    Experiment::new(Alliance::preset("us_alliances").unwrap())
        .grid(&[vec![1.0, 5.0], vec![5.0], vec![2.0]])
        .trials(700)
        .seed(3)
}

#[test]
fn alliance_reports_are_bit_identical_for_any_thread_count_and_sharding() {
    let whole = small().threads(1).run().unwrap().to_json_string().unwrap();
    assert_eq!(
        small().threads(2).run().unwrap().to_json_string().unwrap(),
        whole
    );
    for count in [2u64, 3] {
        let merged = common::merged_shards(count, small);
        assert_eq!(merged.to_json_string().unwrap(), whole, "{count} shards");
    }
    let one = small().run_shard(0, 2).unwrap();
    let gap = Report::merge(&[one]).unwrap_err().to_string();
    assert!(gap.contains("gap"), "{gap}");
}

#[test]
fn the_alliance_report_has_a_host_level_and_patron_totals() {
    let report = small().trials(300).run().unwrap();
    assert_eq!(report.hosts, ["korea", "japan", "nato"]);
    assert_eq!(report.arms.len(), 2);
    let v: serde_json::Value = serde_json::from_str(&report.to_json_string().unwrap()).unwrap();
    assert_eq!(v["hosts"], serde_json::json!(["korea", "japan", "nato"]));
    let arm = &v["arms"][0];
    // Per host, in the hosts' order: korea 1, japan 5, nato 2.
    assert_eq!(arm["cycle_years"], serde_json::json!([1.0, 5.0, 2.0]));
    assert_eq!(arm["cycle_years"][0], 1.0);
    assert_eq!(arm["cycle_years"][1], 5.0);
    let totals = arm["totals"].as_array().unwrap();
    assert_eq!(totals.len(), negcycle::alliance::TOTALS.len());
    for key in [
        "payments",
        "negotiations_per_year",
        "talks_share",
        "opening_demand",
    ] {
        let row = totals
            .iter()
            .find(|r| r["metric"] == key)
            .unwrap_or_else(|| panic!("no total {key}"));
        assert!(row["mean"].is_number(), "{key}");
    }
    let host = &arm["hosts"][0];
    assert_eq!(host["host"], "korea");
    assert_eq!(host["cycle_years"], 1.0);
    assert_eq!(host["metrics"].as_array().unwrap().len(), METRICS.len());
    // Totals add up: the patron's payments are the hosts' payments.
    let a = &report.arms[1];
    let sum: f64 = a
        .hosts
        .iter()
        .map(|h| h.metric("payments").unwrap().mean)
        .sum();
    let total = a.total("payments").unwrap().mean;
    assert!((total - sum).abs() <= 1e-9 * total, "{total} vs {sum}");
    // Talks with anyone take at least as many steps as talks with the busiest host.
    let busiest = a
        .hosts
        .iter()
        .map(|h| h.metric("negotiation_share").unwrap().mean)
        .fold(0.0, f64::max);
    assert!(a.total("talks_share").unwrap().mean >= busiest - 1e-12);
    let csv = report.to_csv_string();
    assert_eq!(
        csv.lines().count(),
        1 + 2 * (negcycle::alliance::TOTALS.len() + 3 * METRICS.len())
    );
    assert!(!format!("{report}").is_empty());
}

#[test]
fn bad_host_lists_and_overrides_are_rejected_with_field_paths() {
    let base = Alliance::preset("us_alliances").unwrap();
    let err = |a: &Alliance| a.validate().unwrap_err().to_string();

    let mut dup = base.clone();
    dup.hosts[1].name = "korea".into();
    assert!(err(&dup).contains("hosts[1].name: must be unique"));
    let mut empty = base.clone();
    empty.hosts.clear();
    assert!(err(&empty).contains("hosts: at least one host is needed"));
    let mut bad = base.clone();
    bad.hosts[1].party.margin = -1.0;
    bad.linkage.correlation = 2.0;
    let text = err(&bad);
    assert!(
        text.contains("hosts.japan.party.margin: must be >= 0, got -1"),
        "{text}"
    );
    assert!(
        text.contains("linkage.correlation: must be in [0, 1]"),
        "{text}"
    );

    let o = base
        .with_override("hosts.japan.agreement.cycle_years", "1")
        .unwrap();
    assert_eq!(o.hosts[1].agreement.cycle_years, 1.0);
    let o = base
        .with_override("hosts.korea.party.margin", "0.1")
        .unwrap();
    assert_eq!(o.hosts[0].party.margin, 0.1);
    let o = base.with_override("linkage.leverage", "1.5").unwrap();
    assert_eq!(o.linkage.leverage, 1.5);
    let o = base.with_override("patron.opening", "0.6").unwrap();
    assert_eq!(o.patron.opening, 0.6);
    let e = base
        .with_override("hosts.germany.party.margin", "0.1")
        .unwrap_err();
    assert!(e.to_string().contains("no host named \"germany\""), "{e}");
    let e = base
        .with_override("hosts.japan.party.margn", "0.1")
        .unwrap_err();
    assert!(e.to_string().starts_with("hosts.japan.party.margn:"), "{e}");
    let e = base.with_override("terms.initial", "5").unwrap_err();
    assert!(e.to_string().contains("hosts.NAME.terms.initial"), "{e}");
    let e = base.with_override("host.margin", "0.1").unwrap_err();
    assert!(e.to_string().contains("hosts.NAME.party.margin"), "{e}");

    let toml = "name = \"x\"\nhosts = []\n";
    assert!(Alliance::from_toml_str(toml).is_err());
    let toml = "name = \"x\"\n[[hosts]]\nname = \"a\"\n[[hosts]]\nname = \"a\"\n";
    let e = Alliance::from_toml_str(toml).unwrap_err().to_string();
    assert!(e.contains("must be unique"), "{e}");
    let e = Experiment::new(base.clone())
        .arms(vec![vec![1.0, 5.0]])
        .run()
        .unwrap_err()
        .to_string();
    assert!(e.contains("one cycle length per host"), "{e}");
    let e = Experiment::new(base)
        .arms(vec![vec![1.0, 0.01, 2.0]])
        .run()
        .unwrap_err()
        .to_string();
    assert!(e.contains("hosts.japan.cycle_years"), "{e}");
}

/// An alliance of `n` default hosts (`h0`, `h1`, …) over `years` at `steps_per_year`.
fn default_hosts(n: usize, steps_per_year: u32, years: f64) -> Alliance {
    let mut s = Scenario::with_name("many");
    s.steps_per_year = steps_per_year;
    s.horizon_years = years;
    let mut a = Alliance::from_scenario(&s);
    let host = a.hosts[0].clone();
    a.hosts = (0..n)
        .map(|i| {
            let mut h = host.clone();
            h.name = format!("h{i}");
            h
        })
        .collect();
    a
}

fn violations(a: &Alliance) -> Vec<Violation> {
    match a.validate() {
        Err(ScenarioError::Invalid(v)) => v,
        other => panic!("expected ScenarioError::Invalid, got {other:?}"),
    }
}

#[test]
fn an_alliance_has_at_most_max_hosts_hosts() {
    use negcycle::alliance::MAX_HOSTS;
    assert_eq!(MAX_HOSTS, 64);
    assert_eq!(default_hosts(MAX_HOSTS, 12, 30.0).validate(), Ok(()));

    let v = violations(&default_hosts(MAX_HOSTS + 1, 12, 30.0));
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].field, "hosts");
    assert!(
        v[0].rule.starts_with("at most 64 hosts (MAX_HOSTS"),
        "{}",
        v[0]
    );
    assert!(v[0].rule.contains("hosts × horizon steps"), "{}", v[0]);
    assert_eq!(v[0].got, "65 hosts");
    assert!(
        v[0].to_string().starts_with("hosts: at most 64 hosts"),
        "{}",
        v[0]
    );

    // 10,000 hosts (which aborted the process at 3.5 GB) are refused before anything is built,
    // and only the first MAX_HOSTS hosts are checked further, however many are broken.
    let mut huge = default_hosts(10_000, 12, 30.0);
    for h in &mut huge.hosts {
        h.party.margin = -1.0;
    }
    let v = violations(&huge);
    assert_eq!(v[0].field, "hosts");
    assert_eq!(v[0].got, "10000 hosts");
    assert_eq!(v.len(), 1 + MAX_HOSTS, "{:?}", &v[..3]);
    assert_eq!(v[1].field, "hosts.h0.party.margin");
    assert_eq!(v[MAX_HOSTS].field, "hosts.h63.party.margin");
    match AllianceModel::new(huge) {
        Err(Error::Scenario(ScenarioError::Invalid(v))) => assert_eq!(v[0].field, "hosts"),
        other => panic!("expected the hosts rule, got {:?}", other.map(|_| ())),
    }
    // The same rule from a file's text.
    let mut toml = String::from("name = \"x\"\n");
    for i in 0..=MAX_HOSTS {
        toml.push_str(&format!("[[hosts]]\nname = \"h{i}\"\n"));
    }
    let e = Alliance::from_toml_str(&toml).unwrap_err().to_string();
    assert!(e.contains("hosts: at most 64 hosts"), "{e}");
}

#[test]
fn hosts_times_horizon_steps_is_bounded_by_max_host_steps() {
    use negcycle::alliance::{MAX_HOST_STEPS, MAX_HOSTS};
    use negcycle::scenario::MAX_HORIZON_STEPS;
    assert_eq!(MAX_HOST_STEPS, 16_000_000);
    // At the cap: 64 hosts × 250,000 steps (25 years at 10,000 steps a year).
    let at_cap = default_hosts(MAX_HOSTS, 10_000, 25.0);
    assert_eq!(at_cap.validate(), Ok(()));
    // One host at the single-scenario limit of steps.
    let one = default_hosts(1, 10_000, 1000.0);
    assert_eq!(MAX_HORIZON_STEPS, 10_000_000);
    assert_eq!(one.validate(), Ok(()));

    // Over it: the horizon is named, with the rule and the product.
    let over = default_hosts(MAX_HOSTS, 10_000, 25.1);
    let v = violations(&over);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].field, "horizon_years");
    assert!(
        v[0].rule
            .starts_with("horizon steps times hosts must be at most 16000000 (MAX_HOST_STEPS"),
        "{}",
        v[0]
    );
    assert_eq!(v[0].got, "251000 steps × 64 hosts = 16064000");
    // Fewer hosts over the same horizon are fine; more steps per year are not.
    assert_eq!(default_hosts(32, 10_000, 25.1).validate(), Ok(()));
    let v = violations(&default_hosts(2, 10_000, 900.0));
    assert_eq!(v[0].field, "horizon_years");
    assert_eq!(v[0].got, "9000000 steps × 2 hosts = 18000000");
    // Through an override as well.
    let e = at_cap
        .with_override("horizon_years", "26")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("horizon_years: horizon steps times hosts must be at most 16000000"),
        "{e}"
    );
}

#[test]
fn a_one_host_alliance_with_a_phase_offset_runs_its_phase() {
    // Japan alone, its first agreement with two years left: the engine must step it as the
    // alliance model does (the single-host shortcut would start with a full term).
    let mut alliance = Alliance::preset("us_alliances").unwrap();
    alliance.hosts.retain(|h| h.name == "japan");
    assert_eq!(alliance.hosts[0].phase_years, 2.0);
    let (trials, seed) = (64u64, 7u64);
    let report = Experiment::new(alliance.clone())
        .trials(trials)
        .seed(seed)
        .run()
        .unwrap();
    let model = AllianceModel::new(alliance.clone()).unwrap();
    let arms = model
        .arms(&[alliance.hosts[0].agreement.cycle_years])
        .unwrap();
    let mut ws = negcycle::alliance::AllianceWorkspace::default();
    let mut out = negcycle::alliance::AllianceTrial::default();
    let mut lo = [f64::INFINITY; negcycle::metrics::N_METRICS];
    let mut hi = [f64::NEG_INFINITY; negcycle::metrics::N_METRICS];
    for trial in 0..trials {
        model.run(&arms, seed, trial, &mut ws, &mut out);
        for (i, v) in out.hosts[0].values().into_iter().enumerate() {
            lo[i] = lo[i].min(v);
            hi[i] = hi[i].max(v);
        }
    }
    let host = &report.arms[0].hosts[0];
    for (i, info) in negcycle::METRICS.iter().enumerate() {
        let s = host.metric(info.name).unwrap();
        assert_eq!((s.min, s.max), (lo[i], hi[i]), "{}", info.name);
    }
}
