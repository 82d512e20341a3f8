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
