//! The `negcycle` command line, run as a user runs it: every command, the JSON shape, shards
//! merged through files, output directories, and bad input (exit status 2, a message naming the
//! problem, no panic, no output file).

use negcycle::METRICS;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_negcycle");

/// What one invocation did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn negcycle<S: AsRef<str>>(args: &[S]) -> Outcome {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let out = Command::new(BIN)
        .args(&args)
        .output()
        .expect("the negcycle binary starts");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "negcycle {args:?} panicked:\n{stderr}"
    );
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr,
    }
}

/// Runs negcycle, expects success, returns stdout.
fn ok<S: AsRef<str>>(args: &[S]) -> String {
    let r = negcycle(args);
    let shown: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    assert_eq!(r.code, Some(0), "negcycle {shown:?} failed:\n{}", r.stderr);
    r.stdout
}

/// A directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("negcycle-cli-{}-{n}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the temporary directory");
        TempDir(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The path of `name` inside the directory, as an argument.
    fn arg(&self, name: &str) -> String {
        path_arg(&self.join(name))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn path_arg(p: &Path) -> String {
    p.to_str().expect("temporary paths are UTF-8").to_string()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("expected an object, got {v}"))
        .keys()
        .cloned()
        .collect()
}

fn metric_names() -> BTreeSet<String> {
    METRICS.iter().map(|m| m.name.to_string()).collect()
}

/// Small and fast, but with every feature of a run: two arms, a reference, a seed.
const SMALL: &[&str] = &["--trials", "300", "--cycles", "1,5", "--quiet"];

fn run_small(extra: &[&str]) -> String {
    let mut args = strings(&["run"]);
    args.extend(strings(SMALL));
    args.extend(strings(extra));
    ok(&args)
}

#[test]
fn no_arguments_runs_the_flagship_comparison() {
    let start = Instant::now();
    let table = ok::<&str>(&[]);
    let elapsed = start.elapsed();
    eprintln!("`negcycle` with no arguments took {elapsed:.2?}");
    assert!(
        table.starts_with("us_rok_sma (KRW bn): 10000 trials, seed 2019;"),
        "{table}"
    );
    for label in [
        "1 year (ref)",
        "2 years",
        "3 years",
        "5 years",
        "10 years",
        "* lowest joint loss",
    ] {
        assert!(table.contains(label), "{label} missing:\n{table}");
    }
    for m in METRICS {
        assert!(table.contains(m.name), "{} missing:\n{table}", m.name);
    }
}

#[test]
fn run_json_has_the_documented_shape() {
    let text = run_small(&["--format", "json"]);
    let v: Value = serde_json::from_str(&text).expect("the report is JSON");
    let top: BTreeSet<String> = strings(&[
        "negcycle",
        "scenario",
        "units",
        "fingerprint",
        "seed",
        "trials",
        "reference_cycle_years",
        "arms",
    ])
    .into_iter()
    .collect();
    assert_eq!(keys(&v), top);
    assert_eq!(v["negcycle"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["scenario"], "us_rok_sma");
    assert_eq!(v["units"], "KRW bn");
    assert!(v["fingerprint"].as_str().is_some_and(|f| !f.is_empty()));
    assert_eq!(v["seed"], 2019);
    assert_eq!(v["trials"], 300);
    assert_eq!(v["reference_cycle_years"], 1.0);
    let arms = v["arms"].as_array().expect("arms is an array");
    assert_eq!(arms.len(), 2);
    for (arm, cycle) in arms.iter().zip([1.0, 5.0]) {
        assert_eq!(arm["cycle_years"], cycle);
        assert_eq!(keys(&arm["metrics"]), metric_names());
        for (name, s) in arm["metrics"].as_object().expect("metrics is an object") {
            for k in [
                "n", "mean", "sd", "se", "min", "max", "p05", "p25", "p50", "p75", "p95",
            ] {
                assert!(s[k].is_number(), "{name}.{k} is not a number: {s}");
            }
            let ci = s["ci95"].as_array().expect("ci95 is an array");
            assert_eq!(ci.len(), 2, "{name}.ci95");
            assert!(ci.iter().all(Value::is_number), "{name}.ci95: {s}");
            let n = s["n"].as_u64().expect("n is a count");
            assert!(n > 0 && n <= 300, "{name}.n = {n}");
            let (lo, hi, mean) = (
                s["min"].as_f64().unwrap_or(f64::NAN),
                s["max"].as_f64().unwrap_or(f64::NAN),
                s["mean"].as_f64().unwrap_or(f64::NAN),
            );
            assert!(lo <= mean && mean <= hi, "{name}: {s}");
        }
        let vs = &arm["vs_reference"];
        if cycle == 1.0 {
            assert!(keys(vs).is_empty(), "the reference arm has no differences");
        } else {
            assert_eq!(keys(vs), metric_names());
            for (name, d) in vs.as_object().expect("vs_reference is an object") {
                assert!(d["mean"].is_number() && d["se"].is_number(), "{name}: {d}");
                assert_eq!(d["ci95"].as_array().map(Vec::len), Some(2), "{name}: {d}");
            }
        }
        for h in ["signing_vs_deadline_months", "lapse_months_histogram"] {
            let edges = arm[h]["edges"].as_array().expect("edges");
            let counts = arm[h]["counts"].as_array().expect("counts");
            assert!(!counts.is_empty(), "{h}");
            assert_eq!(edges.len(), counts.len() + 1, "{h}");
            assert!(edges.iter().all(Value::is_number), "{h}");
            assert!(counts.iter().all(Value::is_u64), "{h}");
        }
    }
}

#[test]
fn run_prints_tables_and_csv() {
    let table = run_small(&[]);
    assert!(table.contains("300 trials, seed 2019"), "{table}");
    assert!(
        table.contains("1 year (ref)") && table.contains("5 years"),
        "{table}"
    );
    let csv = run_small(&["--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("scenario,cycle_years,"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 1 + 2 * METRICS.len());
    assert!(lines[1..].iter().all(|l| l.starts_with("us_rok_sma,")));
    // --reference picks another arm; the paired differences follow it.
    let v: Value =
        serde_json::from_str(&run_small(&["--format", "json", "--reference", "5"])).expect("JSON");
    assert_eq!(v["reference_cycle_years"], 5.0);
    assert!(keys(&v["arms"][1]["vs_reference"]).is_empty());
    // The thread count does not change a bit.
    assert_eq!(
        run_small(&["--format", "json", "--threads", "1"]),
        run_small(&["--format", "json", "--threads", "2"])
    );
}

#[test]
fn set_overrides_change_the_result_and_bad_paths_are_rejected() {
    let base: Value = serde_json::from_str(&run_small(&["--format", "json"])).expect("JSON");
    let changed: Value = serde_json::from_str(&run_small(&[
        "--format",
        "json",
        "--set",
        "lapse.model=attrition",
        "--set",
        "host.margin=0.3",
    ]))
    .expect("JSON");
    assert_ne!(base["fingerprint"], changed["fingerprint"]);
    let lapse = |v: &Value| v["arms"][0]["metrics"]["lapse_months"]["mean"].as_f64();
    assert_ne!(lapse(&base), lapse(&changed));
    // Overrides apply in order: the last one wins.
    let twice = run_small(&[
        "--format",
        "json",
        "--set",
        "host.margin=0.3",
        "--set",
        "host.margin=0.05",
    ]);
    let once = run_small(&["--format", "json", "--set", "host.margin=0.05"]);
    assert_eq!(twice, once);

    let r = negcycle(&["run", "--trials", "300", "--set", "host.margn=0.1"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.starts_with("negcycle: "), "{}", r.stderr);
    assert!(r.stderr.contains("host.margn: no such key"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn shards_merged_through_the_cli_equal_the_single_run() {
    let dir = TempDir::new("shards");
    let common = [
        "--trials", "1000", "--cycles", "1,3,5", "--seed", "7", "--quiet",
    ];
    let mut full_args = strings(&["run", "--format", "json"]);
    full_args.extend(strings(&common));
    let full = ok(&full_args);
    let mut parts = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut args = strings(&["run", "--shard", &shard, "--format", "json"]);
        args.extend(strings(&common));
        args.extend([String::from("--out"), dir.arg("parts")]);
        let stdout = ok(&args);
        let file = dir.join("parts").join(format!("shard_{i}_of_3.json"));
        assert_eq!(read(&file), stdout, "the shard file is what stdout printed");
        let saved = dir.join(&format!("part{i}.json"));
        std::fs::write(&saved, &stdout).expect("save the part");
        parts.push(path_arg(&saved));
        // Without --format a shard prints JSON too.
        let mut plain = strings(&["run", "--shard", &shard]);
        plain.extend(strings(&common));
        assert_eq!(ok(&plain), stdout);
    }
    // In any order.
    parts.reverse();
    let mut merge = strings(&["merge", "--format", "json"]);
    merge.extend(parts.iter().cloned());
    assert_eq!(ok(&merge), full, "merged shards differ from the single run");
    // The table too.
    let mut merge_table = strings(&["merge"]);
    merge_table.extend(parts.iter().cloned());
    let mut run_table = strings(&["run"]);
    run_table.extend(strings(&common));
    assert_eq!(ok(&merge_table), ok(&run_table));
    // And merge --out writes the same report.
    let mut merge_out = strings(&["merge", "--quiet", "--out", &dir.arg("merged")]);
    merge_out.extend(parts);
    ok(&merge_out);
    assert_eq!(read(&dir.join("merged").join("report.json")), full);
}

#[test]
fn out_dir_gets_report_json_csv_and_charts() {
    let dir = TempDir::new("out");
    let out = dir.join("nested").join("results");
    let r = negcycle(&[
        "run",
        "--trials",
        "300",
        "--cycles",
        "1,5",
        "--format",
        "json",
        "--out",
        &path_arg(&out),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains("wrote "),
        "informational lines: {}",
        r.stderr
    );
    assert_eq!(read(&out.join("report.json")), r.stdout);
    let csv = run_small(&["--format", "csv"]);
    assert_eq!(read(&out.join("report.csv")), csv);
    // The set ends with its manifest; the lock file goes with the run.
    let mut expected: BTreeSet<String> = strings(&["report.json", "report.csv", "manifest.json"])
        .into_iter()
        .collect();
    if cfg!(feature = "plot") {
        for svg in ["metrics_by_cycle.svg", "deadline_effect.svg"] {
            assert!(read(&out.join(svg)).contains("<svg"), "{svg} is not an SVG");
            expected.insert(svg.to_string());
        }
    }
    assert_eq!(files_in(&out), expected, "no stray or temporary files");
    negcycle::report::write::verify_manifest(&out).expect("the manifest verifies");
    assert!(r.stderr.contains("manifest.json"), "{}", r.stderr);

    // --quiet: nothing on stderr; a second run into the same directory replaces the files.
    let r = negcycle(&[
        "run",
        "--trials",
        "300",
        "--cycles",
        "1,5",
        "--seed",
        "3",
        "--quiet",
        "--out",
        &path_arg(&out),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.is_empty(), "--quiet printed: {}", r.stderr);
    assert!(r.stdout.contains("seed 3"), "stdout still gets the table");
    let v: Value = serde_json::from_str(&read(&out.join("report.json"))).expect("JSON");
    assert_eq!(v["seed"], 3);
    assert_eq!(files_in(&out), expected);
    negcycle::report::write::verify_manifest(&out).expect("the new manifest verifies");
}

#[test]
fn presets_show_and_check() {
    let list = ok(&["presets"]);
    for name in ["us_rok_sma", "wage_round", "frictionless"] {
        let line = list
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} missing:\n{list}"));
        assert!(line.len() > name.len() + 10, "{name} has no description");
    }
    let dir = TempDir::new("show");
    let toml = ok(&["show", "us_rok_sma"]);
    assert!(toml.contains("name = \"us_rok_sma\""), "{toml}");
    let file = dir.join("edited.toml");
    std::fs::write(&file, &toml).expect("write the scenario");
    assert_eq!(
        ok(&["check", &path_arg(&file)]),
        format!("{}: valid (scenario us_rok_sma)\n", path_arg(&file))
    );
    // The shown preset, run from its file, gives exactly the preset's report.
    assert_eq!(
        run_small(&["--format", "json", "--scenario", &path_arg(&file)]),
        run_small(&["--format", "json", "--preset", "us_rok_sma"])
    );
    // JSON scenarios work too.
    let json = dir.join("tiny.json");
    std::fs::write(&json, r#"{"name": "tiny"}"#).expect("write");
    assert_eq!(
        ok(&["check", &path_arg(&json)]),
        format!("{}: valid (scenario tiny)\n", path_arg(&json))
    );
    // Another preset runs.
    let wage = run_small(&["--preset", "wage_round"]);
    assert!(wage.starts_with("wage_round"), "{wage}");
}

#[test]
fn check_lists_every_problem_with_its_field_path() {
    let dir = TempDir::new("check");
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "name = \"bad\"\n[patron]\nmargin = -0.1\n[support]\ninitial = 2\n",
    )
    .expect("write");
    let r = negcycle(&["check", &path_arg(&file)]);
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.is_empty());
    for needle in [
        "negcycle: ",
        "bad.toml",
        "patron.margin: must be >= 0, got -0.1",
        "support.initial: must be in [0, 1], got 2",
    ] {
        assert!(r.stderr.contains(needle), "{needle} missing:\n{}", r.stderr);
    }
}

#[test]
fn sweep_tabulates_values_and_writes_files() {
    let dir = TempDir::new("sweep");
    let out = dir.join("sweep");
    let args = strings(&[
        "sweep",
        "--param",
        "patron.opening",
        "--values",
        "0.1,0.5",
        "--cycles",
        "1,5",
        "--trials",
        "300",
        "--metric",
        "lapse_months",
        "--metric",
        "joint_loss",
        "--quiet",
    ]);
    let table = ok(&args);
    for needle in [
        "patron.opening",
        "lapse_months by patron.opening",
        "joint_loss by patron.opening",
        "0.1",
        "0.5",
        "300 trials per value",
    ] {
        assert!(table.contains(needle), "{needle} missing:\n{table}");
    }
    assert!(!table.contains("unsettled_share"), "{table}");
    let mut json_args = args.clone();
    json_args.extend(strings(&["--format", "json", "--out", &path_arg(&out)]));
    let json = ok(&json_args);
    assert_eq!(read(&out.join("sweep.json")), json);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["parameter"], "patron.opening");
    assert_eq!(v["values"], serde_json::json!(["0.1", "0.5"]));
    assert_eq!(v["reports"].as_array().map(Vec::len), Some(2));
    let csv = read(&out.join("sweep.csv"));
    assert_eq!(csv.lines().count(), 1 + 2 * 2 * 2, "{csv}");
    let mut csv_args = args.clone();
    csv_args.extend(strings(&["--format", "csv"]));
    assert_eq!(ok(&csv_args), csv);
    let mut expected: BTreeSet<String> = strings(&["sweep.json", "sweep.csv", "manifest.json"])
        .into_iter()
        .collect();
    if cfg!(feature = "plot") {
        assert!(read(&out.join("sweep.svg")).contains("<svg"));
        expected.insert("sweep.svg".into());
    }
    assert_eq!(files_in(&out), expected);
    negcycle::report::write::verify_manifest(&out).expect("the manifest verifies");
    // Default metrics.
    let csv = ok(&[
        "sweep",
        "--param",
        "host.margin",
        "--values",
        "0.05",
        "--cycles",
        "2",
        "--trials",
        "300",
        "--format",
        "csv",
    ]);
    let metrics: BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(3))
        .collect();
    let defaults: BTreeSet<&str> = negcycle::run::sweep::DEFAULT_SWEEP_METRICS
        .into_iter()
        .collect();
    assert_eq!(metrics, defaults);
}

#[test]
fn help_version_and_usage_errors() {
    let help = ok(&["--help"]);
    for cmd in ["run", "merge", "sweep", "presets", "show", "check"] {
        assert!(help.contains(cmd), "{cmd} missing:\n{help}");
    }
    let run_help = ok(&["run", "--help"]);
    for needle in [
        "about a second",
        "--shard",
        "--quiet",
        "--reference",
        "--set",
    ] {
        assert!(run_help.contains(needle), "{needle} missing:\n{run_help}");
    }
    assert!(ok(&["--version"]).contains(env!("CARGO_PKG_VERSION")));
    for args in [
        vec!["frobnicate"],
        vec!["run", "--bogus"],
        vec!["run", "--trials", "many"],
        vec!["run", "--format", "xml"],
        vec!["run", "--preset", "us_rok_sma", "--scenario", "x.toml"],
        vec!["sweep", "--values", "1,2"],
        vec!["merge"],
        vec!["show"],
    ] {
        let r = negcycle(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty(), "{args:?}");
        assert!(r.stdout.is_empty(), "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn output_failures_exit_1() {
    // /proc refuses new directories, even for root.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let r = negcycle(&[
        "run",
        "--trials",
        "300",
        "--cycles",
        "1",
        "--quiet",
        "--out",
        "/proc/negcycle-cli-test/out",
    ]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("negcycle: /proc/negcycle-cli-test"),
        "{}",
        r.stderr
    );
    // Found before the simulation: a run of hours fails at once, and prints no report.
    let started = Instant::now();
    let r = negcycle(&[
        "run",
        "--trials",
        "1000000000",
        "--quiet",
        "--out",
        "/proc/negcycle-cli-test/out",
    ]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the unwritable --out was found only after {:?}",
        started.elapsed()
    );
}

/// A deterministic stream of pseudo-random bytes (xorshift64*).
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn bad_inputs_exit_2_with_a_message_and_no_output() {
    let dir = TempDir::new("bad");
    let p = |name: &str| dir.arg(name);
    std::fs::create_dir(dir.join("adir.toml")).expect("mkdir");
    std::fs::write(
        dir.join("syntax.toml"),
        "name = \"x\"\nhorizon_years = = 3\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("unknown_key.toml"),
        "name = \"x\"\n[patron]\nmargn = 0.1\n",
    )
    .expect("write");
    std::fs::write(dir.join("non_utf8.toml"), b"name = \"\xff\xfe\"\n").expect("write");
    std::fs::write(dir.join("empty.toml"), "").expect("write");
    std::fs::write(dir.join("garbage.toml"), garbage(10 << 20)).expect("write");
    std::fs::write(dir.join("garbage_1mb.toml"), garbage(1 << 20)).expect("write");
    std::fs::write(dir.join("notjson.json"), "hello, this is not JSON\n").expect("write");
    std::fs::write(dir.join("a_file"), "x").expect("write");
    // Parts of shards: two experiments (seeds 1 and 2) and a gap.
    let shard = |seed: &str, shard: &str, name: &str| {
        let text = ok(&[
            "run", "--trials", "300", "--cycles", "1,5", "--seed", seed, "--shard", shard,
            "--format", "json", "--quiet",
        ]);
        std::fs::write(dir.join(name), text).expect("write part");
        p(name)
    };
    let s1_0 = shard("1", "0/3", "s1_0.json");
    let s1_2 = shard("1", "2/3", "s1_2.json");
    let s2_1 = shard("2", "1/3", "s2_1.json");
    std::fs::write(dir.join("full.json"), run_small(&["--format", "json"])).expect("write");

    let run = |extra: &[&str]| {
        let mut v = strings(&["run", "--trials", "300", "--quiet"]);
        v.extend(strings(extra));
        v
    };
    let sweep = |extra: &[&str]| {
        let mut v = strings(&["sweep", "--trials", "300", "--quiet"]);
        v.extend(strings(extra));
        v
    };
    let cases: Vec<(&str, Vec<String>, Vec<&str>)> = vec![
        (
            "missing scenario file",
            run(&["--scenario", &p("missing.toml")]),
            vec!["missing.toml", "no such file"],
        ),
        (
            "a directory instead of a file",
            run(&["--scenario", &p("adir.toml")]),
            vec!["adir.toml", "is a directory"],
        ),
        (
            "invalid TOML",
            run(&["--scenario", &p("syntax.toml")]),
            vec!["syntax.toml", "TOML error", "line 2", "column 17"],
        ),
        (
            "unknown key",
            run(&["--scenario", &p("unknown_key.toml")]),
            vec!["unknown_key.toml", "margn", "line 3"],
        ),
        (
            "bad --set path",
            run(&["--set", "host.margn=0.1"]),
            vec!["host.margn", "no such key"],
        ),
        (
            "bad --set value type",
            run(&["--set", "host.margin=abc"]),
            vec!["host.margin", "invalid type"],
        ),
        (
            "--set value breaking a rule",
            run(&["--set", "host.margin=-1"]),
            vec!["host.margin: must be >= 0, got -1"],
        ),
        (
            "--set without a value",
            run(&["--set", "host.margin"]),
            vec!["--set", "KEY=VALUE"],
        ),
        (
            "--shard 5/4",
            run(&["--shard", "5/4"]),
            vec!["--shard", "5/4", "0 <= I < N"],
        ),
        (
            "--shard with a table",
            run(&["--shard", "0/2", "--format", "table"]),
            vec!["--shard", "--format table"],
        ),
        (
            "--trials 0",
            strings(&["run", "--trials", "0", "--quiet"]),
            vec!["--trials", ">= 1"],
        ),
        ("--threads 0", run(&["--threads", "0"]), vec!["--threads"]),
        (
            "--cycles with a negative value",
            run(&["--cycles", "-1,2"]),
            vec!["--cycles", "\"-1\"", "> 0"],
        ),
        (
            "--cycles with 0",
            run(&["--cycles", "0,1"]),
            vec!["--cycles", "\"0\"", "> 0"],
        ),
        (
            "--cycles with NaN",
            run(&["--cycles", "1,NaN"]),
            vec!["--cycles", "\"NaN\"", "finite"],
        ),
        (
            "--cycles with an empty item",
            run(&["--cycles", "1,,2"]),
            vec!["--cycles", "empty"],
        ),
        (
            "--cycles with a duplicate",
            run(&["--cycles", "1,2,1.0"]),
            vec!["--cycles", "\"1.0\"", "twice"],
        ),
        (
            "--cycles not a whole number of steps",
            run(&["--cycles", "1,0.3"]),
            vec!["cycle_years", "whole number of steps", "0.3"],
        ),
        (
            "--reference not an arm",
            run(&["--cycles", "1,5", "--reference", "2"]),
            vec!["--reference", "got 2"],
        ),
        (
            "non-UTF-8 scenario file",
            run(&["--scenario", &p("non_utf8.toml")]),
            vec!["non_utf8.toml", "UTF-8"],
        ),
        (
            "empty scenario file",
            run(&["--scenario", &p("empty.toml")]),
            vec!["empty.toml", "empty"],
        ),
        (
            "10 MB of garbage (over the 4 MiB cap: refused before it is read)",
            run(&["--scenario", &p("garbage.toml")]),
            vec!["garbage.toml", "10485760 bytes", "at most 4194304 bytes"],
        ),
        (
            "1 MB of garbage",
            run(&["--scenario", &p("garbage_1mb.toml")]),
            vec!["garbage_1mb.toml", "UTF-8"],
        ),
        (
            "unknown preset",
            run(&["--preset", "nope"]),
            vec!["unknown preset \"nope\"", "us_rok_sma"],
        ),
        (
            "unknown metric for sweep",
            sweep(&[
                "--param",
                "host.margin",
                "--values",
                "0.1",
                "--metric",
                "lapse_mnths",
            ]),
            vec!["--metric", "unknown metric \"lapse_mnths\"", "lapse_months"],
        ),
        (
            "unknown sweep parameter",
            sweep(&["--param", "host.margn", "--values", "0.1"]),
            vec!["host.margn", "no such key"],
        ),
        (
            "invalid sweep value",
            sweep(&["--param", "host.margin", "--values", "0.1,-1"]),
            vec!["host.margin: must be >= 0, got -1"],
        ),
        (
            "merging parts of different experiments",
            strings(&["merge", &s1_0, &s2_1, &s1_2]),
            vec!["cannot merge", "different experiment"],
        ),
        (
            "merging with a missing shard",
            strings(&["merge", &s1_0, &s1_2]),
            vec!["cannot merge", "gap", "missing"],
        ),
        (
            "merging a non-JSON file",
            strings(&["merge", &s1_0, &p("notjson.json")]),
            vec!["notjson.json", "not a valid negcycle report"],
        ),
        (
            "merging a full report",
            strings(&["merge", &p("full.json")]),
            vec!["full.json", "full report, not a partial report"],
        ),
        (
            "merging a missing file",
            strings(&["merge", &s1_0, &p("nothere.json")]),
            vec!["nothere.json", "no such file"],
        ),
        (
            "merging garbage",
            strings(&["merge", &p("garbage.toml")]),
            vec!["garbage.toml", "UTF-8"],
        ),
        (
            "merging an empty file",
            strings(&["merge", &p("empty.toml")]),
            vec!["empty.toml", "empty"],
        ),
        ("--out through a file", run(&[]), vec!["--out"]),
    ];
    for (i, (what, mut args, needles)) in cases.into_iter().enumerate() {
        let out = if what == "--out through a file" {
            dir.join("a_file").join("out")
        } else {
            dir.join(&format!("out_{i}"))
        };
        args.extend([String::from("--out"), path_arg(&out)]);
        let r = negcycle(&args);
        assert_eq!(r.code, Some(2), "{what}: {args:?}\n{}", r.stderr);
        assert!(r.stderr.starts_with("negcycle: "), "{what}: {}", r.stderr);
        for needle in needles {
            assert!(
                r.stderr.contains(needle),
                "{what}: {needle:?} missing from:\n{}",
                r.stderr
            );
        }
        assert!(r.stdout.is_empty(), "{what}: printed {}", r.stdout);
        assert!(!out.exists(), "{what}: {} was created", out.display());
    }
    // `check` and `show` on bad input.
    for (args, needle) in [
        (
            vec!["check".to_string(), p("syntax.toml")],
            "line 2, column 17",
        ),
        (
            vec!["check".to_string(), p("garbage.toml")],
            "at most 4194304 bytes",
        ),
        (vec!["check".to_string(), p("garbage_1mb.toml")], "UTF-8"),
        (vec!["check".to_string(), p("adir.toml")], "is a directory"),
        (
            vec!["show".to_string(), "nope".to_string()],
            "unknown preset",
        ),
    ] {
        let r = negcycle(&args);
        assert_eq!(r.code, Some(2), "{args:?}");
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
    // Nothing but the inputs in the directory.
    let left: BTreeSet<String> = files_in(&dir.0);
    assert!(left.iter().all(|f| !f.starts_with("out_")), "{left:?}");
}

/// A FIFO or a device given as the scenario is refused at once (exit status 2), never opened
/// or read: opening a FIFO would wait for a writer forever, and `/dev/zero` never ends.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_input_exits_2_without_blocking() {
    let dir = TempDir::new("special");
    let fifo = dir.join("pipe.toml");
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(status) if status.success() => {}
        other => {
            eprintln!("note: skipping the FIFO case: mkfifo is unavailable ({other:?})");
            return;
        }
    }
    let zero = dir.join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    for (path, kind) in [(&fifo, "FIFO"), (&zero, "character device")] {
        for args in [
            strings(&["check", &path_arg(path)]),
            strings(&["run", "--quiet", "--scenario", &path_arg(path)]),
        ] {
            let mut child = Command::new(BIN)
                .args(&args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the negcycle binary starts");
            let start = Instant::now();
            while child.try_wait().expect("wait").is_none() {
                if start.elapsed().as_secs() > 20 {
                    let _ = child.kill();
                    panic!("negcycle {args:?} blocked on a {kind}");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let out = child.wait_with_output().expect("output");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(out.stdout.is_empty(), "{args:?}");
            for needle in [path_arg(path).as_str(), "not a regular file", kind] {
                assert!(
                    stderr.contains(needle),
                    "{args:?}: {needle:?} missing: {stderr}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Alliances: one patron, several hosts (`--preset us_alliances`, or a file with [[hosts]])
// ---------------------------------------------------------------------------------------------

/// A small alliance run: Korea at one and five years, Japan and NATO at their own cycles.
const ALLIANCE_SMALL: &[&str] = &[
    "--preset",
    "us_alliances",
    "--cycles",
    "korea=1,5",
    "--trials",
    "200",
    "--quiet",
];

fn run_alliance(extra: &[&str]) -> String {
    let mut args = strings(&["run"]);
    args.extend(strings(ALLIANCE_SMALL));
    args.extend(strings(extra));
    ok(&args)
}

fn alliance_json(extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&run_alliance(&args)).expect("the alliance report is JSON")
}

fn total_names() -> BTreeSet<String> {
    negcycle::alliance::TOTALS
        .iter()
        .map(|(name, ..)| name.to_string())
        .collect()
}

/// The cycle lengths of every joint arm, as (korea, japan, nato).
fn joint_cycles(v: &Value) -> Vec<(f64, f64, f64)> {
    v["arms"]
        .as_array()
        .expect("arms is an array")
        .iter()
        .map(|a| {
            let c = |h: &str| a["cycle_years"][h].as_f64().unwrap_or(f64::NAN);
            (c("korea"), c("japan"), c("nato"))
        })
        .collect()
}

#[test]
fn alliance_run_json_has_the_hosts_level() {
    let v = alliance_json(&[]);
    let top: BTreeSet<String> = strings(&[
        "negcycle",
        "scenario",
        "units",
        "fingerprint",
        "seed",
        "trials",
        "hosts",
        "reference_arm",
        "arms",
    ])
    .into_iter()
    .collect();
    assert_eq!(keys(&v), top);
    assert_eq!(v["scenario"], "us_alliances");
    assert_eq!(v["units"], "USD m");
    assert_eq!(v["trials"], 200);
    assert_eq!(v["seed"], 2019);
    assert_eq!(v["hosts"], serde_json::json!(["korea", "japan", "nato"]));
    assert_eq!(v["reference_arm"], 0);
    // Hosts not named in --cycles keep their own cycles (Japan 5, NATO 2).
    assert_eq!(joint_cycles(&v), vec![(1.0, 5.0, 2.0), (5.0, 5.0, 2.0)]);
    for (k, arm) in v["arms"].as_array().expect("arms").iter().enumerate() {
        assert_eq!(keys(&arm["totals"]), total_names(), "arm {k}");
        if k == 0 {
            assert!(keys(&arm["totals_vs_reference"]).is_empty());
        } else {
            assert_eq!(keys(&arm["totals_vs_reference"]), total_names());
        }
        let hosts = arm["hosts"].as_array().expect("hosts is an array");
        let names: Vec<&str> = hosts.iter().filter_map(|h| h["name"].as_str()).collect();
        assert_eq!(names, ["korea", "japan", "nato"], "arm {k}");
        for h in hosts {
            assert_eq!(
                keys(&h["metrics"]),
                metric_names(),
                "arm {k}: {}",
                h["name"]
            );
            let n = h["metrics"]["payments"]["n"].as_u64().expect("n");
            assert!(n > 0 && n <= 200, "arm {k}: {}: n = {n}", h["name"]);
            if k == 0 {
                assert!(keys(&h["vs_reference"]).is_empty());
            } else {
                assert_eq!(keys(&h["vs_reference"]), metric_names());
            }
        }
        assert_eq!(arm["hosts"][0]["cycle_years"], arm["cycle_years"]["korea"]);
    }

    // The table and the CSV.
    let table = run_alliance(&[]);
    for needle in [
        "us_alliances (USD m): 200 trials, seed 2019",
        "arm 0 (reference): korea 1, japan 5, nato 2",
        "arm 1: korea 5, japan 5, nato 2",
        "patron totals",
        "japan",
        "nato",
    ] {
        assert!(table.contains(needle), "{needle} missing:\n{table}");
    }
    let csv = run_alliance(&["--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("scenario,arm,cycles,level,metric,"));
    assert_eq!(
        lines.len(),
        1 + 2 * (total_names().len() + 3 * METRICS.len())
    );
    assert!(
        lines[1].starts_with("us_alliances,0,korea=1;japan=5;nato=2,totals,"),
        "{}",
        lines[1]
    );
    // The thread count does not change a bit.
    assert_eq!(
        run_alliance(&["--format", "json", "--threads", "1"]),
        run_alliance(&["--format", "json", "--threads", "2"])
    );

    // --out writes the report's JSON and CSV (no charts for alliances).
    let dir = TempDir::new("alliance-out");
    let out = dir.join("results");
    let json = run_alliance(&["--format", "json", "--out", &path_arg(&out)]);
    assert_eq!(read(&out.join("report.json")), json);
    assert_eq!(read(&out.join("report.csv")), csv);
    let expected: BTreeSet<String> = strings(&["report.json", "report.csv", "manifest.json"])
        .into_iter()
        .collect();
    assert_eq!(files_in(&out), expected);
    negcycle::report::write::verify_manifest(&out).expect("the manifest verifies");
}

#[test]
fn alliance_presets_show_check_and_scenario_files() {
    let list = ok(&["presets"]);
    let line = list
        .lines()
        .find(|l| l.split_whitespace().next() == Some("us_alliances"))
        .unwrap_or_else(|| panic!("us_alliances missing:\n{list}"));
    assert!(line.contains("korea, japan, nato"), "{line}");
    let toml = ok(&["show", "us_alliances"]);
    assert!(toml.contains("name = \"us_alliances\""), "{toml}");
    assert!(toml.contains("[[hosts]]"), "{toml}");
    let dir = TempDir::new("alliance-show");
    let file = dir.join("alliance.toml");
    std::fs::write(&file, &toml).expect("write the alliance");
    assert_eq!(
        ok(&["check", &path_arg(&file)]),
        format!(
            "{}: valid (alliance us_alliances; hosts korea, japan, nato)\n",
            path_arg(&file)
        )
    );
    // The shown preset, run from its file, gives exactly the preset's report.
    let mut from_file = strings(&["run", "--scenario", &path_arg(&file)]);
    from_file.extend(strings(&ALLIANCE_SMALL[2..]));
    from_file.extend(strings(&["--format", "json"]));
    assert_eq!(ok(&from_file), run_alliance(&["--format", "json"]));
    // Without --cycles: one joint arm, every host at its own cycle.
    let v: Value = serde_json::from_str(&ok(&[
        "run",
        "--preset",
        "us_alliances",
        "--trials",
        "100",
        "--format",
        "json",
    ]))
    .expect("JSON");
    assert_eq!(joint_cycles(&v), vec![(5.0, 5.0, 2.0)]);
}

#[test]
fn alliance_overrides_reach_each_host() {
    let base = alliance_json(&[]);
    // A host's own cycle: Japan annual in every joint arm.
    let v = alliance_json(&["--set", "hosts.japan.agreement.cycle_years=1"]);
    assert_eq!(joint_cycles(&v), vec![(1.0, 1.0, 2.0), (5.0, 1.0, 2.0)]);
    assert_ne!(v["fingerprint"], base["fingerprint"]);
    // A host's bargaining parameter moves that host.
    let margin = alliance_json(&["--set", "hosts.korea.party.margin=0.2"]);
    let korea_lapse =
        |v: &Value| v["arms"][0]["hosts"][0]["metrics"]["lapse_months"]["mean"].as_f64();
    assert_ne!(korea_lapse(&margin), korea_lapse(&base));
    // Without leverage the patron opens lower with Japan.
    let flat = alliance_json(&["--set", "linkage.leverage=0"]);
    let japan_demand =
        |v: &Value| v["arms"][0]["hosts"][1]["metrics"]["opening_demand"]["mean"].as_f64();
    assert_ne!(japan_demand(&flat), japan_demand(&base));
    // A shared key.
    let shared = alliance_json(&["--set", "patron.opening=0.1"]);
    assert_ne!(shared["fingerprint"], base["fingerprint"]);
    // Overrides apply in order: the last one wins.
    assert_eq!(
        run_alliance(&[
            "--format",
            "json",
            "--set",
            "linkage.leverage=2",
            "--set",
            "linkage.leverage=0",
        ]),
        run_alliance(&["--format", "json", "--set", "linkage.leverage=0"])
    );
    // Per-host grids multiply (first host slowest); --reference K picks a joint arm.
    let grid = alliance_json(&["--cycles", "japan=1,5", "--reference", "2"]);
    assert_eq!(
        joint_cycles(&grid),
        vec![
            (1.0, 1.0, 2.0),
            (1.0, 5.0, 2.0),
            (5.0, 1.0, 2.0),
            (5.0, 5.0, 2.0)
        ]
    );
    assert_eq!(grid["reference_arm"], 2);
    assert!(keys(&grid["arms"][2]["totals_vs_reference"]).is_empty());
    assert_eq!(keys(&grid["arms"][0]["totals_vs_reference"]), total_names());
}

#[test]
fn alliance_shards_merged_through_the_cli_equal_the_single_run() {
    let dir = TempDir::new("alliance-shards");
    let common = [
        "--preset",
        "us_alliances",
        "--cycles",
        "korea=1,5",
        "--cycles",
        "nato=1,2",
        "--trials",
        "400",
        "--seed",
        "7",
        "--quiet",
    ];
    let mut full_args = strings(&["run", "--format", "json"]);
    full_args.extend(strings(&common));
    let full = ok(&full_args);
    let mut parts = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut args = strings(&["run", "--shard", &shard]);
        args.extend(strings(&common));
        args.extend([String::from("--out"), dir.arg("parts")]);
        let stdout = ok(&args);
        let v: Value = serde_json::from_str(&stdout).expect("a partial report is JSON");
        assert_eq!(v["negcycle_alliance_partial"], 1);
        let file = dir.join("parts").join(format!("shard_{i}_of_3.json"));
        assert_eq!(read(&file), stdout, "the shard file is what stdout printed");
        parts.push(path_arg(&file));
    }
    parts.reverse();
    let mut merge = strings(&["merge", "--format", "json"]);
    merge.extend(parts.iter().cloned());
    assert_eq!(ok(&merge), full, "merged shards differ from the single run");
    let mut merge_table = strings(&["merge"]);
    merge_table.extend(parts.iter().cloned());
    let mut run_table = strings(&["run"]);
    run_table.extend(strings(&common));
    assert_eq!(ok(&merge_table), ok(&run_table));
    let mut merge_csv = strings(&["merge", "--format", "csv"]);
    merge_csv.extend(parts.iter().cloned());
    let mut run_csv = strings(&["run", "--format", "csv"]);
    run_csv.extend(strings(&common));
    assert_eq!(ok(&merge_csv), ok(&run_csv));
    let mut merge_out = strings(&["merge", "--quiet", "--out", &dir.arg("merged")]);
    merge_out.extend(parts);
    ok(&merge_out);
    assert_eq!(read(&dir.join("merged").join("report.json")), full);
}

#[test]
fn alliance_bad_inputs_exit_2_with_a_message_and_no_output() {
    let dir = TempDir::new("alliance-bad");
    let p = |name: &str| dir.arg(name);
    let toml = ok(&["show", "us_alliances"]);
    let duplicate = toml.replacen("name = \"japan\"", "name = \"korea\"", 1);
    assert_ne!(duplicate, toml);
    std::fs::write(dir.join("duplicate.toml"), duplicate).expect("write");
    // Parts to mix: one alliance shard, one single-host shard, and a full alliance report.
    let alliance_part = ok(&[
        "run",
        "--preset",
        "us_alliances",
        "--trials",
        "100",
        "--shard",
        "0/2",
        "--quiet",
    ]);
    std::fs::write(dir.join("alliance_0.json"), alliance_part).expect("write");
    let single_part = ok(&[
        "run", "--trials", "100", "--cycles", "1,5", "--shard", "1/2", "--quiet",
    ]);
    std::fs::write(dir.join("single_1.json"), single_part).expect("write");
    std::fs::write(
        dir.join("alliance_full.json"),
        run_alliance(&["--format", "json"]),
    )
    .expect("write");

    let run = |extra: &[&str]| {
        let mut v = strings(&["run", "--preset", "us_alliances", "--trials", "100"]);
        v.extend(strings(extra));
        v
    };
    let cases: Vec<(&str, Vec<String>, Vec<&str>)> = vec![
        (
            "unknown host in --cycles",
            run(&["--cycles", "korea=1,5", "--cycles", "jpn=1"]),
            vec![
                "--cycles jpn=1",
                "no host named \"jpn\"",
                "korea, japan, nato",
            ],
        ),
        (
            "unknown host in --set",
            run(&["--set", "hosts.jpn.agreement.cycle_years=1"]),
            vec!["--set", "no host named \"jpn\"", "korea, japan, nato"],
        ),
        (
            "unknown key of a host in --set",
            run(&["--set", "hosts.japan.party.margn=0.1"]),
            vec!["hosts.japan.party.margn"],
        ),
        (
            "a host's key without its host in --set",
            run(&["--set", "host.margin=0.1"]),
            vec!["hosts.NAME", "korea, japan, nato"],
        ),
        (
            "--set breaking a host's rule",
            run(&["--set", "hosts.korea.party.margin=-1"]),
            vec!["hosts.korea.party.margin", ">= 0"],
        ),
        (
            "plain --cycles for an alliance",
            run(&["--cycles", "1,5"]),
            vec!["--cycles", "NAME=YEARS", "korea=1,5", "korea, japan, nato"],
        ),
        (
            "a host named twice in --cycles",
            run(&["--cycles", "korea=1", "--cycles", "korea=5"]),
            vec!["--cycles korea", "twice"],
        ),
        (
            "a host's cycle not a whole number of steps",
            run(&["--cycles", "korea=1,0.3"]),
            vec!["hosts.korea.cycle_years", "whole number of steps", "0.3"],
        ),
        (
            "a host's cycle not a number",
            run(&["--cycles", "korea=one"]),
            vec!["--cycles korea", "\"one\"", "not a number"],
        ),
        (
            "--reference beyond the joint arms",
            run(&["--cycles", "korea=1,5", "--reference", "2"]),
            vec!["--reference", "index of a joint arm", "0 to 1", "got 2"],
        ),
        (
            "--reference not a whole index",
            run(&["--cycles", "korea=1,5", "--reference", "0.5"]),
            vec!["--reference", "got 0.5"],
        ),
        (
            "too many joint arms",
            run(&[
                "--cycles",
                "korea=1,2,3,4,5,6,7,8,9,10,11",
                "--cycles",
                "japan=1,2,3,4,5,6,7,8,9,10,11",
                "--cycles",
                "nato=1,2,3,4,5,6,7,8,9,10",
            ]),
            vec!["--cycles", "1210 joint arms", "at most 1000"],
        ),
        (
            "--shard with csv",
            run(&["--shard", "0/2", "--format", "csv"]),
            vec!["--shard", "--format csv"],
        ),
        (
            "duplicate host names in a scenario file",
            strings(&["run", "--scenario", &p("duplicate.toml"), "--trials", "100"]),
            vec!["duplicate.toml", "hosts[1].name", "must be unique", "korea"],
        ),
        (
            "NAME=YEARS for a single-host scenario",
            strings(&["run", "--trials", "100", "--cycles", "host=1,5"]),
            vec!["--cycles", "alliances", "--cycles 1,5"],
        ),
        (
            "sweep on an alliance",
            strings(&[
                "sweep",
                "--preset",
                "us_alliances",
                "--param",
                "patron.opening",
                "--values",
                "0.1",
            ]),
            vec!["sweep", "us_alliances is an alliance"],
        ),
        (
            "merging alliance and single-host parts",
            strings(&["merge", &p("alliance_0.json"), &p("single_1.json")]),
            vec![
                "cannot merge",
                "alliance_0.json",
                "single_1.json",
                "single-host",
            ],
        ),
        (
            "merging a full alliance report",
            strings(&["merge", &p("alliance_full.json")]),
            vec!["alliance_full.json", "full report, not a partial report"],
        ),
        (
            "merging an incomplete alliance run",
            strings(&["merge", &p("alliance_0.json")]),
            vec!["cannot merge", "missing"],
        ),
    ];
    for (i, (what, mut args, needles)) in cases.into_iter().enumerate() {
        let out = dir.join(&format!("out_{i}"));
        args.extend([String::from("--out"), path_arg(&out)]);
        let r = negcycle(&args);
        assert_eq!(r.code, Some(2), "{what}: {args:?}\n{}", r.stderr);
        assert!(r.stderr.starts_with("negcycle: "), "{what}: {}", r.stderr);
        for needle in needles {
            assert!(
                r.stderr.contains(needle),
                "{what}: {needle:?} missing from:\n{}",
                r.stderr
            );
        }
        assert!(r.stdout.is_empty(), "{what}: printed {}", r.stdout);
        assert!(!out.exists(), "{what}: {} was created", out.display());
    }
    // `check` names the duplicate too.
    let r = negcycle(&["check", &p("duplicate.toml")]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("must be unique"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Output safety (see SECURITY.md and negcycle::report::write)
// ---------------------------------------------------------------------------------------------

const VICTIM: &str = "victim: must never change\n";

#[cfg(unix)]
#[test]
fn symlinks_planted_in_out_never_lead_to_the_victim_file() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("planted");
    let victim = dir.join("victim");
    std::fs::write(&victim, VICTIM).expect("write the victim");
    let out = dir.join("out");
    std::fs::create_dir(&out).expect("mkdir");
    // Every name a run might use: its files, the manifest, the temporary names of earlier
    // versions (.NAME.tmp-PID: the PID is guessable) and our temporary prefix.
    let mut planted = strings(&[
        "report.json",
        "report.csv",
        "manifest.json",
        "metrics_by_cycle.svg",
        ".negcycle-stage-x",
        ".negcycle-tmp",
    ]);
    for pid in 1..64u32 {
        planted.push(format!(".report.json.tmp-{pid}"));
    }
    for name in &planted {
        symlink(&victim, out.join(name)).expect("plant a link");
    }
    let mut args = strings(&["run"]);
    args.extend(strings(SMALL));
    args.extend([String::from("--out"), path_arg(&out)]);
    ok(&args);
    assert_eq!(read(&victim), VICTIM, "the victim was modified");
    for name in ["report.json", "report.csv", "manifest.json"] {
        let meta = std::fs::symlink_metadata(out.join(name)).expect("stat");
        assert!(meta.file_type().is_file(), "{name} is a regular file now");
    }
    assert_eq!(
        read(&out.join("report.csv")),
        run_small(&["--format", "csv"])
    );
    negcycle::report::write::verify_manifest(&out).expect("the manifest verifies");
    let left = files_in(&out);
    assert!(
        !left.iter().any(|n| n.starts_with(".negcycle")),
        "leftovers or the lock: {left:?}"
    );
    // A shard's file, and a second run over the same links.
    symlink(&victim, out.join("shard_0_of_2.json")).expect("plant a link");
    let mut shard = strings(&["run"]);
    shard.extend(strings(SMALL));
    shard.extend(strings(&["--shard", "0/2", "--out", &path_arg(&out)]));
    ok(&shard);
    assert_eq!(read(&victim), VICTIM, "the victim was modified by a shard");
    ok(&args);
    assert_eq!(read(&victim), VICTIM);
}

#[test]
fn leftovers_of_a_killed_run_are_removed_by_the_next_run() {
    let dir = TempDir::new("leftovers");
    let out = dir.join("out");
    let stage = out.join(".negcycle-stage-Killed123456");
    std::fs::create_dir_all(&stage).expect("mkdir");
    std::fs::write(stage.join("report.json"), "{\"half").expect("write");
    std::fs::write(out.join(".negcycle-Tmp123456789"), "half").expect("write");
    std::fs::write(out.join("notes.txt"), "mine").expect("write");
    let mut args = strings(&["run"]);
    args.extend(strings(SMALL));
    args.extend([String::from("--out"), path_arg(&out)]);
    ok(&args);
    let left = files_in(&out);
    assert!(!left.iter().any(|n| n.starts_with(".negcycle")), "{left:?}");
    assert_eq!(
        read(&out.join("notes.txt")),
        "mine",
        "the user's file stays"
    );
}

#[test]
fn a_concurrent_run_into_the_same_out_fails_at_once_with_a_clear_message() {
    let dir = TempDir::new("locked");
    let out = dir.join("out");
    // This process plays the first run, holding the folder.
    let held = negcycle::report::write::OutputDir::open(&out).expect("open");
    let started = Instant::now();
    let r = negcycle(&[
        "run",
        "--trials",
        "1000000000",
        "--quiet",
        "--out",
        &path_arg(&out),
    ]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "found only after the simulation"
    );
    assert!(
        r.stderr.contains(&path_arg(&out)) && r.stderr.contains("another negcycle run"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    drop(held);
    let mut args = strings(&["run"]);
    args.extend(strings(SMALL));
    args.extend([String::from("--out"), path_arg(&out)]);
    ok(&args);
    negcycle::report::write::verify_manifest(&out).expect("the run after it writes its set");
}

#[test]
fn an_out_under_a_regular_file_fails_before_the_simulation_with_status_2() {
    let dir = TempDir::new("under-file");
    std::fs::write(dir.join("a_file"), "x").expect("write");
    let started = Instant::now();
    for out in [dir.join("a_file").join("out"), dir.join("a_file")] {
        let r = negcycle(&[
            "run",
            "--trials",
            "1000000000",
            "--quiet",
            "--out",
            &path_arg(&out),
        ]);
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(r.stderr.contains("--out"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(read(&dir.join("a_file")), "x");
}

#[test]
fn control_characters_in_names_reach_the_terminal_escaped() {
    let dir = TempDir::new("escapes");
    let file = dir.join("evil.toml");
    let toml = ok(&["show", "us_rok_sma"]);
    let name_line = toml
        .lines()
        .find(|l| l.starts_with("name = "))
        .expect("the preset has a name line")
        .to_string();
    std::fs::write(
        &file,
        toml.replacen(
            &name_line,
            "name = \"evil\\u001b]0;pwned\\u0007\\u001b[2J\"",
            1,
        ),
    )
    .expect("write");
    for args in [
        strings(&["check", &path_arg(&file)]),
        strings(&[
            "run",
            "--scenario",
            &path_arg(&file),
            "--trials",
            "200",
            "--cycles",
            "1,5",
            "--quiet",
        ]),
        strings(&["run", "--scenario", &path_arg(&file), "--cycles", "k=1"]),
    ] {
        let r = negcycle(&args);
        for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            assert!(
                !text.contains(['\u{1b}', '\u{7}']),
                "{args:?}: a raw control character on {stream}: {text:?}"
            );
        }
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            all.contains("evil\\x1b]0;pwned\\x07\\x1b[2J"),
            "{args:?}: the name is shown escaped: {all}"
        );
    }
    // CSV and JSON are data: the name is kept (JSON-escaped, CSV-quoted), byte for byte.
    let csv = ok(&[
        "run",
        "--scenario",
        &path_arg(&file),
        "--trials",
        "200",
        "--cycles",
        "1",
        "--quiet",
        "--format",
        "csv",
    ]);
    assert!(
        csv.contains("\"evil\u{1b}]0;pwned\u{7}\u{1b}[2J\","),
        "{csv}"
    );
}
