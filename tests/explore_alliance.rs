//! `negcycle explore` on an alliance (`us_alliances`): per-host uncertain keys, joint arms (a
//! cycle per host), the patron's total joint loss as the objective; the same bytes on any thread
//! count and through shards and their merge; a point equal to the base alliance reproduces the
//! plain alliance run; bad host keys and too many joint arms are refused with the rule.
#![cfg(feature = "explore")]

mod common;

use negcycle::explore::{Design, MAX_ARMS, Plan, PlanSpec, Uncertainty, default_uncertainties};
use negcycle::run::grid_product;
use negcycle::{Experiment, Input};
use std::path::Path;

/// Korea at 1 or 5 years, Japan and NATO at their own 5 and 2: two joint arms.
fn grids() -> Vec<Vec<f64>> {
    vec![vec![1.0, 5.0], vec![5.0], vec![2.0]]
}

fn spec(uncertainties: Vec<Uncertainty>, design: Design) -> PlanSpec {
    PlanSpec {
        scenario: Input::preset("us_alliances").unwrap(),
        uncertainties,
        design,
        cycles: grid_product(&grids()),
        reference: None,
        objective: None,
        metrics: vec!["lapse_months".into()],
        trials: 12,
        seed: 2019,
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn an_alliance_plan_has_joint_arms_and_the_patrons_totals() {
    let plan = Plan::new(spec(
        vec![
            Uncertainty::uniform("hosts.japan.party.margin", 0.0, 0.3),
            Uncertainty::uniform("linkage.leverage", 0.0, 1.0),
        ],
        Design::Lhs { points: 3 },
    ))
    .unwrap();
    assert_eq!(
        plan.arm_labels(),
        ["base/korea=1,japan=5,nato=2", "base/korea=5,japan=5,nato=2"]
    );
    // The default reference is every host at its own cycle.
    assert_eq!(plan.reference, [5.0, 5.0, 2.0]);
    assert_eq!(
        plan.arm_index("--prim-arm", "korea=1,japan=5,nato=2"),
        Ok(0)
    );
    assert!(plan.arm_index("--prim-arm", "1").is_err());
    let unit = plan.unit_points().unwrap();
    let point = plan.run_point(0, &unit[0]).unwrap();
    assert_eq!(point.arms[0].cycle_years, [1.0, 5.0, 2.0]);
    assert!(point.arms[0].mean[0] > 0.0);
    // The metrics are the patron's totals: a host-only metric is refused, naming the totals.
    let mut bad = spec(
        vec![Uncertainty::uniform("linkage.leverage", 0.0, 1.0)],
        Design::Lhs { points: 2 },
    );
    bad.metrics = vec!["support_final".into()];
    let e = Plan::new(bad).unwrap_err().to_string();
    assert!(
        e.contains("support_final") && e.contains("talks_share"),
        "{e}"
    );
}

#[test]
fn alliance_points_do_not_depend_on_threads_or_shards() {
    let dir = tempfile::tempdir().unwrap();
    let plan = Plan::new(spec(
        vec![
            Uncertainty::uniform("hosts.japan.party.margin", 0.0, 0.3),
            Uncertainty::uniform("hosts.korea.support.sensitivity", 0.0, 1.0),
            Uncertainty::choice("linkage.precedent", &["increase", "premium"]),
        ],
        Design::Lhs { points: 5 },
    ))
    .unwrap();
    common::assert_points_same_on_threads_and_shards(&plan, dir.path(), 2);
}

#[test]
fn a_point_equal_to_the_base_alliance_reproduces_the_plain_run() {
    let base = Input::preset("us_alliances").unwrap();
    // linkage.leverage = 0.5 and Japan's margin 0.05 are the preset's own values.
    let plan = Plan::new(spec(
        vec![
            Uncertainty::choice("linkage.leverage", &["0.5", "0.9"]),
            Uncertainty::choice("hosts.japan.party.margin", &["0.05", "0.2"]),
        ],
        Design::Factorial { levels: 2 },
    ))
    .unwrap();
    let unit = plan.unit_points().unwrap();
    let at_base = unit
        .iter()
        .position(|u| plan.values(u) == [0.0, 0.0])
        .unwrap();
    let point = plan.run_point(at_base, &unit[at_base]).unwrap();
    assert_eq!(point.values, ["0.5", "0.05"]);
    let report = Experiment::new(base)
        .grid(&grids())
        .reference(1usize)
        .trials(12)
        .seed(2019)
        .run()
        .unwrap();
    assert_eq!(point.arms.len(), report.arms.len());
    for (rec, arm) in point.arms.iter().zip(&report.arms) {
        assert_eq!(rec.arm, arm.label);
        for (m, name) in plan.metrics.iter().enumerate() {
            let row = arm.total(name).unwrap();
            assert_eq!(
                rec.mean[m].to_bits(),
                row.mean.to_bits(),
                "{} {name}",
                rec.arm
            );
            assert_eq!(rec.se[m].to_bits(), row.se.to_bits());
            assert_eq!(rec.diff_mean[m], row.diff_mean);
            assert_eq!(rec.diff_se[m], row.diff_se);
        }
    }
    let best = if report.arms[0].total("joint_loss").unwrap().mean
        <= report.arms[1].total("joint_loss").unwrap().mean
    {
        &report.arms[0]
    } else {
        &report.arms[1]
    };
    assert_eq!(point.best, best.label);
}

#[test]
fn bad_host_keys_and_too_many_arms_are_refused_with_the_rule() {
    let plan = |u: Uncertainty| Plan::new(spec(vec![u], Design::Lhs { points: 2 }));
    let e = plan(Uncertainty::uniform("hosts.japan.party.margin", -1.0, 0.3))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("uncertainty hosts.japan.party.margin")
            && e.contains("hosts.japan.party.margin: must be >= 0"),
        "{e}"
    );
    let e = plan(Uncertainty::uniform("hosts.germany.party.margin", 0.0, 0.1))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("uncertainty hosts.germany.party.margin") && e.contains("no host named"),
        "{e}"
    );
    let e = plan(Uncertainty::uniform("hosts.japan.party.margn", 0.0, 0.1))
        .unwrap_err()
        .to_string();
    assert!(e.contains("hosts.japan.party.margn"), "{e}");
    let mut many = spec(
        vec![Uncertainty::uniform("linkage.leverage", 0.0, 1.0)],
        Design::Lhs { points: 2 },
    );
    let list: Vec<f64> = (1..=5).map(f64::from).collect();
    many.cycles = grid_product(&[list.clone(), list.clone(), vec![1.0, 2.0, 3.0]]);
    assert!(many.cycles.len() > MAX_ARMS);
    let e = Plan::new(many).unwrap_err().to_string();
    assert!(
        e.contains("75 arms") && e.contains(&MAX_ARMS.to_string()),
        "{e}"
    );
}

#[test]
fn the_default_alliance_set_is_valid() {
    let set = default_uncertainties("us_alliances").unwrap();
    assert!(set.iter().any(|u| u.key.starts_with("hosts.japan.")));
    let plan = Plan::new(spec(set, Design::Lhs { points: 2 })).unwrap();
    assert_eq!(plan.metrics[0], "joint_loss");
}

#[cfg(feature = "cli")]
#[test]
fn cli_explores_an_alliance_and_its_shards_merge_to_the_same_files() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let common = [
        "explore",
        "--preset",
        "us_alliances",
        "--range",
        "hosts.japan.party.margin=0:0.3",
        "--range",
        "linkage.leverage=0:1",
        "--design",
        "lhs",
        "--points",
        "4",
        "--cycles",
        "korea=1,5",
        "--cycles",
        "japan=5",
        "--trials",
        "10",
        "--resamples",
        "20",
        "-q",
    ];
    let negcycle = || Command::new(env!("CARGO_BIN_EXE_negcycle"));
    let run = |extra: &[&str]| {
        let out = negcycle().args(common).args(extra).output().unwrap();
        common::assert_success(&out);
        out.stdout
    };
    let single = dir.path().join("single");
    let printed = String::from_utf8(run(&["--out", single.to_str().unwrap()])).unwrap();
    assert!(printed.contains("base/korea=1,japan=5,nato=2"), "{printed}");
    let csv = String::from_utf8(read(&single.join("points.csv"))).unwrap();
    assert!(
        csv.starts_with(
            "point,hosts.japan.party.margin,linkage.leverage,arm,cycle_years,cycle_years.korea,\
             cycle_years.japan,cycle_years.nato,metric,"
        ),
        "{csv}"
    );
    let shards = dir.path().join("shards");
    for i in 0..2 {
        let shard = format!("{i}/2");
        run(&["--out", shards.to_str().unwrap(), "--shard", &shard]);
    }
    let merged = dir.path().join("merged");
    common::assert_explore_merge_matches(&single, &shards, &merged, "20");
    // A bad host key is refused before anything runs, naming the key and the rule.
    let bad = negcycle()
        .args([
            "explore",
            "--preset",
            "us_alliances",
            "--cycles",
            "korea=1,5",
        ])
        .args(["--range", "hosts.japan.party.margin=-1:0.3", "-q", "--out"])
        .arg(dir.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let text = String::from_utf8_lossy(&bad.stderr);
    assert!(
        text.contains("hosts.japan.party.margin") && text.contains(">= 0"),
        "{text}"
    );
    assert!(!dir.path().join("bad").exists());
    // A plain list of years names no host.
    let plain = negcycle()
        .args([
            "explore",
            "--preset",
            "us_alliances",
            "--cycles",
            "1,5",
            "-q",
        ])
        .arg("--out")
        .arg(dir.path().join("plain"))
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&plain.stderr).contains("names no host"));
}
