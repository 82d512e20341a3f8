//! Helpers shared by the integration tests (each test file uses the ones it needs).
#![allow(dead_code)]

use negcycle::alliance::Alliance;
use negcycle::{Experiment, PartialReport, Report};
use std::path::{Path, PathBuf};

/// A fresh temporary directory (tempfile: unique, unpredictable name), removed on drop.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    /// A new directory whose name starts with `negcycle-TAG-`.
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("negcycle-{tag}-"))
            .tempdir()
            .expect("create a temporary directory");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// The path of `name` inside it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    /// The path of `name` inside it, as a command-line argument.
    pub fn arg(&self, name: &str) -> String {
        self.join(name)
            .to_str()
            .expect("temporary paths are UTF-8")
            .to_string()
    }

    /// Writes `bytes` to `name` inside it and returns the path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, bytes).expect("write a temporary file");
        path
    }
}

/// The `count` shards of `experiment()`, run in reverse order and read back from their JSON,
/// merged: what a cluster run gives.
pub fn merged_shards(count: u64, experiment: impl Fn() -> Experiment) -> Report {
    let parts: Vec<PartialReport> = (0..count)
        .rev()
        .map(|i| {
            let text = experiment()
                .run_shard(i, count)
                .expect("shard")
                .to_json_string()
                .expect("part json");
            PartialReport::from_json_str(&text, "part").expect("read part")
        })
        .collect();
    Report::merge(&parts).expect("merge")
}

/// Host `korea` at five years and at one year, every other host at its own cycle (the joint
/// arms of the article's question, Korea five-year first).
pub fn korea_grid(a: &Alliance) -> Vec<Vec<f64>> {
    a.hosts
        .iter()
        .map(|h| {
            if h.name == "korea" {
                vec![5.0, 1.0]
            } else {
                vec![h.agreement.cycle_years]
            }
        })
        .collect()
}

/// Sample mean and its standard error.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The sample mean is within 4 of its standard errors of `expected` (and the SE is not 0, so
/// the check can fail).
pub fn assert_within_4se(what: &str, sample: &[f64], expected: f64) {
    let (mean, se) = mean_se(sample);
    assert!(
        se > 0.0,
        "{what}: zero standard error, the test cannot fail"
    );
    let z = (mean - expected) / se;
    assert!(
        z.abs() < 4.0,
        "{what}: simulated {mean:.6} ± {se:.2e} vs {expected:.6} (z = {z:.2})"
    );
}

/// The files of a finished `negcycle explore` folder that a merge of its shards must reproduce
/// byte for byte.
pub const EXPLORE_FILES: [&str; 8] = [
    "points.jsonl",
    "points.csv",
    "robustness.csv",
    "indices.csv",
    "prim.csv",
    "explore.json",
    "summary.txt",
    "manifest.json",
];

/// Fails the test with the command's stderr unless it exited with status 0.
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `negcycle explore merge --resamples R` on the two shards in `shards` (given in reverse
/// order) into `merged`, and checks that every [`EXPLORE_FILES`] file equals `single`'s.
#[cfg(feature = "cli")]
pub fn assert_explore_merge_matches(single: &Path, shards: &Path, merged: &Path, resamples: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_negcycle"))
        .args(["explore", "merge", "--resamples", resamples, "-q", "--out"])
        .arg(merged)
        .arg(shards.join("points_1_of_2.jsonl"))
        .arg(shards.join("points_0_of_2.jsonl"))
        .output()
        .unwrap();
    assert_success(&out);
    for name in EXPLORE_FILES {
        assert_eq!(
            std::fs::read(single.join(name)).unwrap(),
            std::fs::read(merged.join(name)).unwrap(),
            "{name} differs"
        );
    }
}

/// Runs `plan`'s points into `dir` on one thread, on two, and as `count` shards merged in
/// reverse order, and checks the three files are the same bytes: (single run, shards, merge).
#[cfg(feature = "explore")]
pub fn assert_points_same_on_threads_and_shards(
    plan: &negcycle::explore::Plan,
    dir: &Path,
    count: u64,
) -> (PathBuf, Vec<PathBuf>, PathBuf) {
    use negcycle::explore::{merge_points, run_points};
    let one = dir.join("one.jsonl");
    let two = dir.join("two.jsonl");
    run_points(plan, &one, None, false, Some(1), &mut |_, _| {}).unwrap();
    run_points(plan, &two, None, false, Some(2), &mut |_, _| {}).unwrap();
    let read = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(read(&one), read(&two));
    let shards: Vec<PathBuf> = (0..count)
        .map(|i| {
            let p = dir.join(format!("shard_{i}.jsonl"));
            run_points(plan, &p, Some((i, count)), false, Some(2), &mut |_, _| {}).unwrap();
            p
        })
        .collect();
    let merged = dir.join("merged.jsonl");
    let refs: Vec<&Path> = shards.iter().rev().map(PathBuf::as_path).collect();
    merge_points(&refs, &merged).unwrap();
    assert_eq!(read(&merged), read(&one));
    (one, shards, merged)
}
