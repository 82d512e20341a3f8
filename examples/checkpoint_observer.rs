//! An observer written outside the crate: a running CSV and a checkpoint of the interim report.
//!
//! `Experiment::observer` takes anything that implements `negcycle::run::Observer`. The engine
//! calls it at the start, after each block of 256 trials is merged (in block order, on the
//! calling thread) and at the end, each time with the `State`: the experiment's header, the
//! progress and the statistics merged so far. This observer
//!
//! - keeps a running CSV, one line per block: the trials done, then the mean and standard error
//!   of one chosen metric in every arm (`trials_done,mean base/1,se base/1,...`), so a long run
//!   can be watched converging (`tail -f`, or a plot of the file while it grows);
//! - keeps a checkpoint, the interim report as JSON (the same shape as `report.json`), replaced
//!   after every `every` blocks and once more at the end.
//!
//! Both files are written atomically: into a temporary file in the same folder (`tempfile`),
//! flushed, then renamed over the old one, so a reader (or a crash) never sees half a file.
//! An error here (a full disk, a folder that went away) stops the run and is returned by
//! `Experiment::run`.
//!
//! Run: `cargo run --release --example checkpoint_observer [OUT_DIR]` (default: a folder
//! `negcycle_checkpoint` in the system's temporary folder); `cargo test --release --example
//! checkpoint_observer` runs a short check of both files.

use negcycle::prelude::*;
use negcycle::report::escape::csv_field;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A running CSV of one metric per arm, and a checkpoint of the interim report.
struct CheckpointObserver {
    /// The metric followed in the CSV (a key of `METRICS`).
    metric: String,
    /// The running CSV.
    csv_path: PathBuf,
    /// The checkpoint (interim report, JSON).
    checkpoint_path: PathBuf,
    /// Blocks between two checkpoints.
    every: u64,
    /// The CSV so far (rewritten in full at each block: a few kilobytes).
    csv: String,
    /// Blocks seen.
    blocks: u64,
}

impl CheckpointObserver {
    fn new(metric: &str, dir: &Path, every: u64) -> CheckpointObserver {
        CheckpointObserver {
            metric: metric.to_string(),
            csv_path: dir.join(format!("running_{metric}.csv")),
            checkpoint_path: dir.join("checkpoint.json"),
            every: every.max(1),
            csv: String::new(),
            blocks: 0,
        }
    }

    fn checkpoint(&self, state: &State<'_>) -> Result<(), Error> {
        let mut json = state.report()?.to_json_string()?;
        json.push('\n');
        write_atomically(&self.checkpoint_path, json.as_bytes())
    }
}

impl Observer for CheckpointObserver {
    fn start(&mut self, state: &State<'_>) -> Result<(), Error> {
        // The header names every arm (labels of alliances hold commas: quoted).
        self.csv = String::from("trials_done");
        for arm in &state.header.arms {
            for stat in ["mean", "se"] {
                self.csv.push(',');
                self.csv
                    .push_str(&csv_field(&format!("{stat} {}", arm.label)));
            }
        }
        self.csv.push('\n');
        write_atomically(&self.csv_path, self.csv.as_bytes())
    }

    fn block(&mut self, state: &State<'_>) -> Result<(), Error> {
        let report = state.report()?;
        self.csv.push_str(&state.progress.trials_done.to_string());
        for arm in &report.arms {
            // The host's row for one host; the patron's total for an alliance (when the
            // metric is one of the totals), else the first host's row.
            let row = match arm.hosts.as_slice() {
                [only] => only.row(&self.metric)?,
                _ => match arm.total(&self.metric) {
                    Ok(total) => total,
                    Err(_) => arm
                        .hosts
                        .first()
                        .ok_or_else(|| Error::Internal("an arm without hosts".into()))?
                        .row(&self.metric)?,
                },
            };
            self.csv.push_str(&format!(",{},{}", row.mean, row.se));
        }
        self.csv.push('\n');
        write_atomically(&self.csv_path, self.csv.as_bytes())?;
        self.blocks += 1;
        if self.blocks % self.every == 0 {
            self.checkpoint(state)?;
        }
        Ok(())
    }

    fn finish(&mut self, state: &State<'_>) -> Result<(), Error> {
        self.checkpoint(state)
    }
}

/// Runs the flagship comparison (1 and 5 years) for `trials` trials with the observer writing
/// into `dir`, checks that the files agree with the final report, and returns a summary.
fn run(dir: &Path, trials: u64) -> Result<String, Error> {
    let observer = CheckpointObserver::new("joint_loss", dir, 4);
    let (csv_path, checkpoint_path) = (observer.csv_path.clone(), observer.checkpoint_path.clone());
    let report = Experiment::new(Scenario::preset("us_rok_sma")?)
        .cycle_years([1.0, 5.0])
        .trials(trials)
        .seed(2019)
        .observer(observer)
        .run()?;

    // The last line of the running CSV and the last checkpoint are the final report's.
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| Error::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        })
    };
    let csv = read(&csv_path)?;
    let checkpoint = read(&checkpoint_path)?;
    let mut final_json = report.to_json_string()?;
    final_json.push('\n');
    if checkpoint != final_json {
        return Err(Error::Internal(
            "the last checkpoint is not the final report".into(),
        ));
    }
    let lines: Vec<&str> = csv.lines().collect();
    // A header, then one line per block of 256 trials (the last one shorter).
    let blocks = trials.div_ceil(256);
    if lines.len() as u64 != 1 + blocks {
        return Err(Error::Internal(format!(
            "expected a header and {blocks} lines, got {} lines",
            lines.len()
        )));
    }
    let last = lines.len() - 1;
    let mut out = String::new();
    // The header, every fifth block and the last.
    for (i, line) in lines.iter().enumerate() {
        if i == 0 || i % 5 == 1 || i == last {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "wrote {} ({blocks} blocks) and {} (the interim report, replaced every 4 blocks; the \
         last one is the final report)",
        csv_path.display(),
        checkpoint_path.display()
    ));
    Ok(out)
}

fn main() -> Result<(), Error> {
    let dir = std::env::args_os().nth(1).map_or_else(
        || std::env::temp_dir().join("negcycle_checkpoint"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    println!("{}", run(&dir, 4_000)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_running_csv_has_one_line_per_block_and_the_last_checkpoint_is_the_report() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let summary = super::run(dir.path(), 600).expect("the run and its files");
        assert!(summary.starts_with("trials_done,mean base/1,se base/1,mean base/5,se base/5\n"));
        assert!(summary.contains("\n600,"), "{summary}");
    }
}
