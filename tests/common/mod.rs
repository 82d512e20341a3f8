//! Helpers shared by the integration tests (each test file uses the ones it needs).
#![allow(dead_code)]

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
