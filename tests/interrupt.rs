//! Interrupted work loses nothing: killing `negcycle run --out DIR` mid-run (Ctrl-C, or a batch
//! scheduler's SIGTERM) leaves no report that looks complete and no temporary files behind, and
//! a run killed after writing leaves complete files.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("negcycle-interrupt-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Starts a long run, sends `signal` once it is well under way, and checks what is left.
fn interrupt_with(signal: &str) {
    let out = temp_dir(signal);
    let mut child = Command::new(env!("CARGO_BIN_EXE_negcycle"))
        .args(["run", "--trials", "5000000", "--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start negcycle");
    // Let it get into the simulation (validation and start-up take milliseconds).
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        child.try_wait().expect("poll").is_none(),
        "the run finished before it could be interrupted; make it longer"
    );
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(s) = child.try_wait().expect("poll") {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "negcycle did not stop after SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        !exit.success(),
        "an interrupted run must not report success"
    );
    let left = entries(&out);
    assert!(
        !left.iter().any(|f| f == "report.json" || f == "report.csv"),
        "an interrupted run left {left:?}"
    );
    assert!(
        !left.iter().any(|f| f.contains(".tmp")),
        "temporary files left behind: {left:?}"
    );
    // Killed before its files were staged: no staging folder or temporary, and no manifest
    // claiming a complete set (only the lock file of the dead run may stay).
    assert!(
        !left
            .iter()
            .any(|f| f.starts_with(".negcycle-") || f == "manifest.json"),
        "an interrupted run left {left:?}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn ctrl_c_mid_run_leaves_no_half_written_report() {
    interrupt_with("INT");
}

#[test]
fn sigterm_mid_run_leaves_no_half_written_report() {
    interrupt_with("TERM");
}

#[test]
fn a_finished_run_leaves_complete_files_only() {
    let out = temp_dir("done");
    let status = Command::new(env!("CARGO_BIN_EXE_negcycle"))
        .args(["run", "--trials", "300", "--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .expect("run");
    assert!(status.success());
    let mut left = entries(&out);
    left.sort();
    assert!(left.iter().all(|f| !f.contains(".tmp")), "{left:?}");
    assert!(left.iter().all(|f| !f.starts_with(".negcycle")), "{left:?}");
    negcycle::report::write::verify_manifest(&out).expect("a complete set");
    let json = std::fs::read_to_string(out.join("report.json")).expect("report.json");
    assert!(json.trim_end().ends_with('}'));
    let report = negcycle::Report::from_json_str(&json, "report.json").expect("complete JSON");
    assert_eq!(report.trials, 300);
    let _ = std::fs::remove_dir_all(&out);
}
