//! The `negcycle` command line, run as a user runs it: every command, the JSON shape, shards
//! merged through files, output directories, and bad input (exit status 2, a message naming the
//! problem, no panic, no output file).

mod common;

use common::TempDir;
use negcycle::METRICS;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

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

/// The tidy schema's header for one host (OUTPUT.md).
const SCHEMA: &str = "scenario,arm,variant,cycle_years,host,metric,group,unit,n,mean,sd,se,\
ci95_lo,ci95_hi,min,p05,p25,p50,p75,p95,max,reference,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi";

/// The tidy schema's header for an alliance: one `cycle_years.HOST` column per host after
/// `cycle_years`.
fn alliance_schema(hosts: &[&str]) -> String {
    let per_host: Vec<String> = hosts.iter().map(|h| format!("cycle_years.{h}")).collect();
    SCHEMA.replacen(
        "cycle_years,",
        &format!("cycle_years,{},", per_host.join(",")),
        1,
    )
}

/// The keys of one metric row in the JSON report: the schema's columns that belong to a row.
fn row_keys() -> BTreeSet<String> {
    strings(&[
        "metric",
        "group",
        "unit",
        "n",
        "mean",
        "sd",
        "se",
        "ci95_lo",
        "ci95_hi",
        "min",
        "p05",
        "p25",
        "p50",
        "p75",
        "p95",
        "max",
        "diff_mean",
        "diff_se",
        "diff_ci95_lo",
        "diff_ci95_hi",
    ])
    .into_iter()
    .collect()
}

const DIFF_KEYS: [&str; 4] = ["diff_mean", "diff_se", "diff_ci95_lo", "diff_ci95_hi"];

/// The row of metric `name` in a JSON list of metric rows.
fn row<'a>(rows: &'a Value, name: &str) -> &'a Value {
    rows.as_array()
        .unwrap_or_else(|| panic!("expected a list of metric rows, got {rows}"))
        .iter()
        .find(|r| r["metric"] == name)
        .unwrap_or_else(|| panic!("no row for {name} in {rows}"))
}

/// The metric names of a JSON list of metric rows, in order.
fn row_names(rows: &Value) -> Vec<String> {
    rows.as_array()
        .unwrap_or_else(|| panic!("expected a list of metric rows, got {rows}"))
        .iter()
        .map(|r| {
            r["metric"]
                .as_str()
                .expect("metric is a string")
                .to_string()
        })
        .collect()
}

/// The mean of metric `name` of host `h` in arm `k` of a JSON report.
fn host_mean(v: &Value, k: usize, h: usize, name: &str) -> f64 {
    row(&v["arms"][k]["hosts"][h]["metrics"], name)["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("arm {k}, host {h}: {name}.mean is not a number"))
}

/// Whether every paired-difference field of every row is null (`true`) or a number (`false`);
/// panics on a mix.
fn diffs_are_null(rows: &Value) -> bool {
    let mut nulls = BTreeSet::new();
    for r in rows.as_array().expect("a list of metric rows") {
        for k in DIFF_KEYS {
            assert!(
                r[k].is_null() || r[k].is_number(),
                "{k} is neither null nor a number: {r}"
            );
            nulls.insert(r[k].is_null());
        }
    }
    assert_eq!(
        nulls.len(),
        1,
        "some differences are null, some not: {rows}"
    );
    nulls.contains(&true)
}

/// Parses CSV text (RFC 4180 quoting) into rows of fields.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        assert!(!quoted, "unbalanced quotes in {line:?}");
        fields.push(field);
        rows.push(fields);
    }
    rows
}

/// The data rows of a CSV as maps from column to field (every row as long as the header).
fn csv_records(text: &str) -> Vec<BTreeMap<String, String>> {
    let rows = csv_rows(text);
    let (header, data) = rows.split_first().expect("a CSV header");
    data.iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "a row of another length: {r:?}");
            header.iter().cloned().zip(r.iter().cloned()).collect()
        })
        .collect()
}

/// The distinct values of `column`, in order of first appearance.
fn distinct(records: &[BTreeMap<String, String>], column: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in records {
        let v = &r[column];
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
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
    // Every metric is shown, except the politics group, which is identically zero without
    // `[patron.regimes]` and left out of the table then.
    for m in METRICS
        .iter()
        .filter(|m| m.group != negcycle::MetricGroup::Politics)
    {
        assert!(table.contains(m.name), "{} missing:\n{table}", m.name);
    }
    assert!(!table.contains("hardline_share"), "{table}");
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
        "hosts",
        "variants",
        "reference",
        "quantile_relative_error",
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
    assert_eq!(v["hosts"], serde_json::json!(["host"]));
    let variants = v["variants"].as_array().expect("variants is an array");
    assert_eq!(variants.len(), 1, "only the base variant");
    let variant_keys: BTreeSet<String> = strings(&["name", "overrides", "protocol"])
        .into_iter()
        .collect();
    assert_eq!(keys(&variants[0]), variant_keys);
    assert_eq!(variants[0]["name"], "base");
    assert_eq!(variants[0]["overrides"], serde_json::json!([]));
    assert!(
        variants[0]["protocol"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );
    // The reference arm: the first, 1 year.
    assert_eq!(v["reference"], "base/1");
    assert!(
        v["quantile_relative_error"]
            .as_f64()
            .is_some_and(|a| a > 0.0 && a < 0.1),
        "{}",
        v["quantile_relative_error"]
    );
    let arms = v["arms"].as_array().expect("arms is an array");
    assert_eq!(arms.len(), 2);
    let arm_keys: BTreeSet<String> =
        strings(&["label", "variant", "cycle_years", "hosts", "totals"])
            .into_iter()
            .collect();
    let host_keys: BTreeSet<String> = strings(&[
        "host",
        "cycle_years",
        "metrics",
        "signing_vs_deadline_months",
        "lapse_months_histogram",
    ])
    .into_iter()
    .collect();
    let order: Vec<String> = METRICS.iter().map(|m| m.name.to_string()).collect();
    for (arm, (cycle, label)) in arms.iter().zip([(1.0, "base/1"), (5.0, "base/5")]) {
        assert_eq!(keys(arm), arm_keys, "{label}");
        assert_eq!(arm["label"], label);
        assert_eq!(arm["variant"], "base");
        assert_eq!(arm["cycle_years"], serde_json::json!([cycle]));
        assert_eq!(arm["totals"], serde_json::json!([]), "one host: no totals");
        let hosts = arm["hosts"].as_array().expect("hosts is an array");
        assert_eq!(hosts.len(), 1, "{label}");
        let h = &hosts[0];
        assert_eq!(keys(h), host_keys, "{label}");
        assert_eq!(h["host"], "host");
        assert_eq!(h["cycle_years"], cycle);
        assert_eq!(
            row_names(&h["metrics"]),
            order,
            "{label}: every metric, in order"
        );
        for s in h["metrics"].as_array().expect("metrics is a list") {
            let name = s["metric"].as_str().unwrap_or("?");
            assert_eq!(keys(s), row_keys(), "{label}: {name}");
            assert!(s["group"].as_str().is_some_and(|g| !g.is_empty()), "{s}");
            assert!(s["unit"].as_str().is_some_and(|u| !u.is_empty()), "{s}");
            for k in [
                "n", "mean", "sd", "se", "min", "max", "p05", "p25", "p50", "p75", "p95",
                "ci95_lo", "ci95_hi",
            ] {
                assert!(s[k].is_number(), "{name}.{k} is not a number: {s}");
            }
            let n = s["n"].as_u64().expect("n is a count");
            assert!(n > 0 && n <= 300, "{name}.n = {n}");
            let (lo, hi, mean) = (
                s["min"].as_f64().unwrap_or(f64::NAN),
                s["max"].as_f64().unwrap_or(f64::NAN),
                s["mean"].as_f64().unwrap_or(f64::NAN),
            );
            assert!(lo <= mean && mean <= hi, "{name}: {s}");
            let (ci_lo, ci_hi) = (
                s["ci95_lo"].as_f64().unwrap_or(f64::NAN),
                s["ci95_hi"].as_f64().unwrap_or(f64::NAN),
            );
            assert!(ci_lo <= mean && mean <= ci_hi, "{name}: {s}");
        }
        if cycle == 1.0 {
            assert!(
                diffs_are_null(&h["metrics"]),
                "the reference arm has no differences"
            );
        } else {
            assert!(!diffs_are_null(&h["metrics"]), "{label} has differences");
        }
        for name in ["signing_vs_deadline_months", "lapse_months_histogram"] {
            let edges = h[name]["edges"].as_array().expect("edges");
            let counts = h[name]["counts"].as_array().expect("counts");
            assert!(!counts.is_empty(), "{name}");
            assert_eq!(edges.len(), counts.len() + 1, "{name}");
            assert!(edges.iter().all(Value::is_number), "{name}");
            assert!(counts.iter().all(Value::is_u64), "{name}");
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
    // The second block: the paired differences, and the footnote explaining "(ref)".
    assert!(
        table.contains("minus the reference (paired)"),
        "no block of differences:\n{table}"
    );
    assert!(table.contains("(ref) = the reference arm"), "{table}");
    let csv = run_small(&["--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], SCHEMA);
    assert_eq!(lines.len(), 1 + 2 * METRICS.len());
    assert!(lines[1..].iter().all(|l| l.starts_with("us_rok_sma,")));
    // --reference picks another arm; the paired differences follow it.
    let v: Value =
        serde_json::from_str(&run_small(&["--format", "json", "--reference", "5"])).expect("JSON");
    assert_eq!(v["reference"], "base/5");
    assert_eq!(v["arms"][1]["label"], "base/5");
    assert!(diffs_are_null(&v["arms"][1]["hosts"][0]["metrics"]));
    assert!(!diffs_are_null(&v["arms"][0]["hosts"][0]["metrics"]));
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
    let lapse = |v: &Value| host_mean(v, 0, 0, "lapse_months");
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
    let mut expected: BTreeSet<String> = strings(&["report.json", "report.csv", "manifest.json"])
        .into_iter()
        .collect();
    if cfg!(feature = "plot") {
        for svg in [
            "metrics_by_cycle.svg",
            "paired_difference.svg",
            "deadline_effect.svg",
        ] {
            assert!(read(&out.join(svg)).contains("<svg"), "{svg} is not an SVG");
            expected.insert(svg.to_string());
        }
    }
    assert_eq!(files_in(&out), expected, "no stray or temporary files");

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
    // One experiment whose variants are the values, named after them.
    for needle in [
        "sweep of patron.opening over 2 values (0.1, 0.5)",
        "variant 0.1: patron.opening=0.1",
        "variant 0.5: patron.opening=0.5",
        "0.1/1 (ref)",
        "0.5/5",
        "lapse_months",
        "joint_loss",
        "300 trials",
    ] {
        assert!(table.contains(needle), "{needle} missing:\n{table}");
    }
    assert!(!table.contains("unsettled_share"), "{table}");
    let mut json_args = args.clone();
    json_args.extend(strings(&["--format", "json", "--out", &path_arg(&out)]));
    let json = ok(&json_args);
    assert_eq!(read(&out.join("sweep.json")), json);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    // The swept key and its values: one variant per value, each setting the key.
    let variants = v["variants"].as_array().expect("variants");
    let names: Vec<&str> = variants.iter().filter_map(|x| x["name"].as_str()).collect();
    assert_eq!(names, ["0.1", "0.5"]);
    for x in variants {
        assert_eq!(
            x["overrides"],
            serde_json::json!([["patron.opening", x["name"]]]),
            "{x}"
        );
    }
    let labels: Vec<&str> = v["arms"]
        .as_array()
        .expect("arms")
        .iter()
        .filter_map(|a| a["label"].as_str())
        .collect();
    assert_eq!(labels, ["0.1/1", "0.1/5", "0.5/1", "0.5/5"]);
    let csv = read(&out.join("sweep.csv"));
    // One row per value, cycle length and chosen metric.
    assert_eq!(csv.lines().next(), Some(SCHEMA), "{csv}");
    assert_eq!(csv.lines().count(), 1 + 2 * 2 * 2, "{csv}");
    let chosen: BTreeSet<String> = distinct(&csv_records(&csv), "metric").into_iter().collect();
    assert_eq!(
        chosen,
        strings(&["lapse_months", "joint_loss"])
            .into_iter()
            .collect()
    );
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
    let metrics: BTreeSet<String> = distinct(&csv_records(&csv), "metric").into_iter().collect();
    let defaults: BTreeSet<String> = negcycle::run::sweep::DEFAULT_SWEEP_METRICS
        .into_iter()
        .map(String::from)
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
        "--variant",
        "jsonl",
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
            "10 MB of garbage (over the size cap)",
            run(&["--scenario", &p("garbage.toml")]),
            vec!["garbage.toml", "MAX_SCENARIO_BYTES"],
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
        (vec!["check".to_string(), p("garbage_1mb.toml")], "UTF-8"),
        (
            vec!["check".to_string(), p("garbage.toml")],
            "MAX_SCENARIO_BYTES",
        ),
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
    let left: BTreeSet<String> = files_in(dir.path());
    assert!(left.iter().all(|f| !f.starts_with("out_")), "{left:?}");
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
    let hosts = v["hosts"].as_array().expect("hosts is an array");
    let index = |h: &str| {
        hosts
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("no host {h} in {}", v["hosts"]))
    };
    v["arms"]
        .as_array()
        .expect("arms is an array")
        .iter()
        .map(|a| {
            let c = |h: &str| a["cycle_years"][index(h)].as_f64().unwrap_or(f64::NAN);
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
        "variants",
        "reference",
        "quantile_relative_error",
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
    // The reference is the first joint arm.
    assert_eq!(v["reference"], "base/korea=1,japan=5,nato=2");
    assert_eq!(v["arms"][0]["label"], v["reference"]);
    // Hosts not named in --cycles keep their own cycles (Japan 5, NATO 2).
    assert_eq!(joint_cycles(&v), vec![(1.0, 5.0, 2.0), (5.0, 5.0, 2.0)]);
    for (k, arm) in v["arms"].as_array().expect("arms").iter().enumerate() {
        let totals: BTreeSet<String> = row_names(&arm["totals"]).into_iter().collect();
        assert_eq!(totals, total_names(), "arm {k}");
        for t in arm["totals"].as_array().expect("totals") {
            assert_eq!(keys(t), row_keys(), "arm {k}: {t}");
            assert_eq!(t["group"], "patron totals", "arm {k}: {t}");
        }
        if k == 0 {
            assert!(diffs_are_null(&arm["totals"]), "the reference arm");
        } else {
            assert!(!diffs_are_null(&arm["totals"]), "arm {k}");
        }
        let hosts = arm["hosts"].as_array().expect("hosts is an array");
        let names: Vec<&str> = hosts.iter().filter_map(|h| h["host"].as_str()).collect();
        assert_eq!(names, ["korea", "japan", "nato"], "arm {k}");
        for (i, h) in hosts.iter().enumerate() {
            let metrics: BTreeSet<String> = row_names(&h["metrics"]).into_iter().collect();
            assert_eq!(metrics, metric_names(), "arm {k}: {}", h["host"]);
            let n = row(&h["metrics"], "payments")["n"].as_u64().expect("n");
            assert!(n > 0 && n <= 200, "arm {k}: {}: n = {n}", h["host"]);
            if k == 0 {
                assert!(diffs_are_null(&h["metrics"]), "arm {k}: {}", h["host"]);
            } else {
                assert!(!diffs_are_null(&h["metrics"]), "arm {k}: {}", h["host"]);
            }
            assert_eq!(
                h["cycle_years"], arm["cycle_years"][i],
                "arm {k}: {}",
                h["host"]
            );
        }
    }

    // The table and the CSV.
    let table = run_alliance(&[]);
    for needle in [
        "us_alliances (USD m): 200 trials, seed 2019",
        "arm 0 (ref): base/korea=1,japan=5,nato=2",
        "arm 1: base/korea=5,japan=5,nato=2",
        "patron totals",
        "japan",
        "nato",
        "minus the reference (paired)",
    ] {
        assert!(table.contains(needle), "{needle} missing:\n{table}");
    }
    let csv = run_alliance(&["--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], alliance_schema(&["korea", "japan", "nato"]));
    assert_eq!(
        lines.len(),
        1 + 2 * (total_names().len() + 3 * METRICS.len())
    );
    assert!(
        lines[1].starts_with("us_alliances,\"base/korea=1,japan=5,nato=2\",base,1,1,5,2,korea,"),
        "{}",
        lines[1]
    );
    // The patron's totals: host (all), no cycle of their own, every host's cycle.
    let records = csv_records(&csv);
    let totals: Vec<_> = records.iter().filter(|r| r["host"] == "(all)").collect();
    assert_eq!(totals.len(), 2 * total_names().len());
    assert!(
        totals.iter().all(|r| r["cycle_years"].is_empty()
            && r["cycle_years.japan"] == "5"
            && r["cycle_years.nato"] == "2"),
        "{totals:?}"
    );
    // The thread count does not change a bit.
    assert_eq!(
        run_alliance(&["--format", "json", "--threads", "1"]),
        run_alliance(&["--format", "json", "--threads", "2"])
    );

    // --out writes the report's JSON and CSV, and the charts (a section per host and for the
    // patron's totals).
    let dir = TempDir::new("alliance-out");
    let out = dir.join("results");
    let json = run_alliance(&["--format", "json", "--out", &path_arg(&out)]);
    assert_eq!(read(&out.join("report.json")), json);
    assert_eq!(read(&out.join("report.csv")), csv);
    let mut expected: BTreeSet<String> = strings(&["report.json", "report.csv", "manifest.json"])
        .into_iter()
        .collect();
    if cfg!(feature = "plot") {
        for svg in [
            "metrics_by_cycle.svg",
            "paired_difference.svg",
            "deadline_effect.svg",
        ] {
            let text = read(&out.join(svg));
            assert!(text.contains("<svg") && text.contains("japan"), "{svg}");
            expected.insert(svg.to_string());
        }
    }
    assert_eq!(files_in(&out), expected);
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
    let korea_lapse = |v: &Value| host_mean(v, 0, 0, "lapse_months");
    assert_ne!(korea_lapse(&margin), korea_lapse(&base));
    // Without leverage the patron opens lower with Japan.
    let flat = alliance_json(&["--set", "linkage.leverage=0"]);
    let japan_demand = |v: &Value| host_mean(v, 0, 1, "opening_demand");
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
    assert_eq!(grid["reference"], "base/korea=5,japan=1,nato=2");
    assert_eq!(grid["arms"][2]["label"], grid["reference"]);
    assert!(diffs_are_null(&grid["arms"][2]["totals"]));
    let totals: BTreeSet<String> = row_names(&grid["arms"][0]["totals"]).into_iter().collect();
    assert_eq!(totals, total_names());
    assert!(!diffs_are_null(&grid["arms"][0]["totals"]));
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
        // The one kind of partial report (format 2), here of the alliance's hosts.
        assert_eq!(v["negcycle_partial"], 2);
        assert_eq!(
            v["header"]["hosts"],
            serde_json::json!(["korea", "japan", "nato"])
        );
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
            "merging alliance and single-host parts",
            strings(&["merge", &p("alliance_0.json"), &p("single_1.json")]),
            vec![
                "cannot merge",
                "alliance_0.json",
                "single_1.json",
                "different experiment",
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
// Variants (`--variant NAME:KEY=VALUE,...`), JSON lines, the tidy CSV schema of every command,
// and shards of a run with variants
// ---------------------------------------------------------------------------------------------

/// The variants of the two tests below: a tough and a soft patron.
const VARIANTS: &[&str] = &[
    "--variant",
    "tough:patron.opening=0.6",
    "--variant",
    "soft:patron.opening=0.1,host.margin=0.1",
];

fn run_variants(extra: &[&str]) -> String {
    let mut args = strings(&["run"]);
    args.extend(strings(VARIANTS));
    args.extend(strings(SMALL));
    args.extend(strings(extra));
    ok(&args)
}

#[test]
fn variants_make_arms_of_every_variant_and_cycle_against_a_labelled_reference() {
    let csv = ok(&[
        "run",
        "--variant",
        "tough:patron.opening=0.6",
        "--variant",
        "soft:patron.opening=0.1,host.margin=0.1",
        "--cycles",
        "1,5",
        "--reference",
        "base/5",
        "--trials",
        "300",
        "--format",
        "csv",
    ]);
    assert_eq!(csv.lines().next(), Some(SCHEMA));
    let records = csv_records(&csv);
    let arms = ["base/1", "base/5", "tough/1", "tough/5", "soft/1", "soft/5"];
    assert_eq!(distinct(&records, "arm"), arms);
    assert_eq!(records.len(), arms.len() * METRICS.len());
    for r in &records {
        let (variant, cycle) = r["arm"].split_once('/').expect("VARIANT/CYCLE");
        assert_eq!(r["variant"], variant, "{r:?}");
        assert_eq!(r["cycle_years"], cycle, "{r:?}");
        assert_eq!(r["reference"], "base/5", "{r:?}");
        let empty: Vec<bool> = DIFF_KEYS.iter().map(|k| r[*k].is_empty()).collect();
        if r["arm"] == "base/5" {
            assert_eq!(
                empty, [true; 4],
                "the reference arm has no differences: {r:?}"
            );
        } else {
            assert_eq!(
                empty, [false; 4],
                "{}: differences missing: {r:?}",
                r["arm"]
            );
            for k in DIFF_KEYS {
                assert!(r[k].parse::<f64>().is_ok(), "{k}: {r:?}");
            }
        }
    }
    // Every arm holds every metric, in order.
    let order: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
    for arm in arms {
        let names: Vec<&str> = records
            .iter()
            .filter(|r| r["arm"] == arm)
            .map(|r| r["metric"].as_str())
            .collect();
        assert_eq!(names, order, "{arm}");
    }
    // The JSON records the variants and their overrides; the table names them.
    let v: Value = serde_json::from_str(&run_variants(&[
        "--format",
        "json",
        "--reference",
        "base/5",
    ]))
    .expect("JSON");
    assert_eq!(v["reference"], "base/5");
    let overrides: Vec<(&str, &Value)> = v["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|x| (x["name"].as_str().unwrap_or("?"), &x["overrides"]))
        .collect();
    assert_eq!(
        overrides,
        [
            ("base", &serde_json::json!([])),
            ("tough", &serde_json::json!([["patron.opening", "0.6"]])),
            (
                "soft",
                &serde_json::json!([["patron.opening", "0.1"], ["host.margin", "0.1"]])
            ),
        ]
    );
    let table = run_variants(&["--reference", "base/5"]);
    for needle in [
        "variant base: no overrides",
        "variant tough: patron.opening=0.6",
        "variant soft: patron.opening=0.1, host.margin=0.1",
        "base/5 (ref)",
        "tough/1",
        "soft/5",
        "minus the reference (paired)",
    ] {
        assert!(table.contains(needle), "{needle} missing:\n{table}");
    }
    // A bare cycle is the first variant's arm.
    assert_eq!(
        run_variants(&["--format", "csv", "--reference", "5"]),
        run_variants(&["--format", "csv", "--reference", "base/5"])
    );
}

#[test]
fn a_variant_without_overrides_differs_from_the_base_by_exactly_zero() {
    // One cycle: every arm but the reference is the variant `same`, and every difference is 0.
    let csv = ok(&[
        "run",
        "--variant",
        "same",
        "--cycles",
        "5",
        "--trials",
        "300",
        "--quiet",
        "--format",
        "csv",
    ]);
    let records = csv_records(&csv);
    assert_eq!(distinct(&records, "arm"), ["base/5", "same/5"]);
    let same: Vec<_> = records.iter().filter(|r| r["arm"] == "same/5").collect();
    assert_eq!(same.len(), METRICS.len());
    for r in &same {
        for k in ["diff_mean", "diff_se", "diff_ci95_lo", "diff_ci95_hi"] {
            let d: f64 = r[k].parse().unwrap_or_else(|_| panic!("{k}: {r:?}"));
            assert_eq!(d, 0.0, "{}: {k} = {d}", r["metric"]);
        }
    }
    // Two cycles: each arm of `same` has exactly the statistics of the base arm of its cycle.
    let csv = ok(&[
        "run",
        "--variant",
        "same",
        "--cycles",
        "1,5",
        "--trials",
        "300",
        "--quiet",
        "--format",
        "csv",
    ]);
    let records = csv_records(&csv);
    let stats = |arm: &str| -> Vec<BTreeMap<String, String>> {
        records
            .iter()
            .filter(|r| r["arm"] == arm)
            .map(|r| {
                let mut r = r.clone();
                for k in ["arm", "variant"].into_iter().chain(DIFF_KEYS) {
                    r.remove(k);
                }
                r
            })
            .collect()
    };
    for cycle in ["1", "5"] {
        let base = stats(&format!("base/{cycle}"));
        assert_eq!(base.len(), METRICS.len());
        assert_eq!(stats(&format!("same/{cycle}")), base, "cycle {cycle}");
    }
    // The differences of same/1 against base/1 (the reference) are exactly 0 too.
    for r in records.iter().filter(|r| r["arm"] == "same/1") {
        assert_eq!(r["diff_mean"].parse::<f64>().ok(), Some(0.0), "{r:?}");
    }
}

#[test]
fn a_variant_changing_the_time_grid_exits_2_naming_it() {
    let dir = TempDir::new("variant-bad");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "bad:steps_per_year=52",
            vec!["variant bad", "time grid", "steps_per_year"],
        ),
        (
            "bad:horizon_years=20",
            vec!["variant bad", "time grid", "horizon_years"],
        ),
        (
            "bad:host.margn=0.1",
            vec!["--variant bad", "host.margn", "no such key"],
        ),
        (
            "bad:host.margin=-1",
            vec!["--variant bad", "host.margin: must be >= 0, got -1"],
        ),
        ("bad:host.margin", vec!["--variant", "NAME:key=value"]),
        ("b/d:host.margin=0.1", vec!["--variant", "\"b/d\""]),
    ];
    for (i, (variant, needles)) in cases.into_iter().enumerate() {
        let out = dir.join(&format!("out_{i}"));
        let args = [
            "run",
            "--trials",
            "300",
            "--cycles",
            "1,5",
            "--variant",
            variant,
            "--out",
            &path_arg(&out),
        ];
        let r = negcycle(&args);
        assert_eq!(r.code, Some(2), "{variant}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("negcycle: "),
            "{variant}: {}",
            r.stderr
        );
        for needle in needles {
            assert!(
                r.stderr.contains(needle),
                "{variant}: {needle:?} missing from:\n{}",
                r.stderr
            );
        }
        assert!(r.stdout.is_empty(), "{variant}: printed {}", r.stdout);
        assert!(!out.exists(), "{variant}: {} was created", out.display());
    }
    // A variant name given twice.
    let r = negcycle(&[
        "run",
        "--trials",
        "300",
        "--variant",
        "a:host.margin=0.1",
        "--variant",
        "a:host.margin=0.2",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("--variant") && r.stderr.contains("twice"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn a_protocol_variant_runs() {
    let v: Value = serde_json::from_str(&ok(&[
        "run",
        "--variant",
        "rubinstein:protocol.kind=complete_information",
        "--cycles",
        "1,5",
        "--trials",
        "300",
        "--quiet",
        "--format",
        "json",
    ]))
    .expect("JSON");
    let labels: Vec<&str> = v["arms"]
        .as_array()
        .expect("arms")
        .iter()
        .filter_map(|a| a["label"].as_str())
        .collect();
    assert_eq!(labels, ["base/1", "base/5", "rubinstein/1", "rubinstein/5"]);
    let protocols: Vec<&str> = v["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .filter_map(|x| x["protocol"].as_str())
        .collect();
    assert_eq!(protocols.len(), 2);
    assert!(
        protocols[1].contains("complete_information") && protocols[0] != protocols[1],
        "{protocols:?}"
    );
    for k in 1..4 {
        for r in v["arms"][k]["hosts"][0]["metrics"]
            .as_array()
            .expect("rows")
        {
            assert!(
                r["diff_mean"].as_f64().is_some_and(f64::is_finite),
                "arm {k}: {r}"
            );
        }
    }
    // The protocol changes the result.
    assert_ne!(
        host_mean(&v, 0, 0, "lapse_months"),
        host_mean(&v, 2, 0, "lapse_months")
    );
}

/// Checks that `jsonl` holds exactly the rows of `csv`: one JSON object per line whose keys
/// are exactly the CSV header's columns and whose values are the CSV's fields (null for an
/// empty field).
fn assert_jsonl_matches_csv(jsonl: &str, csv: &str) {
    let header: BTreeSet<String> = csv_rows(csv)[0].iter().cloned().collect();
    let records = csv_records(csv);
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), records.len(), "one line per CSV row");
    assert!(jsonl.ends_with('\n'));
    for (line, record) in lines.iter().zip(&records) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(keys(&v), header, "{line}");
        for (column, field) in record {
            let x = &v[column.as_str()];
            match x {
                Value::Null => assert!(field.is_empty(), "{column}: {field:?} vs null"),
                Value::String(s) => assert_eq!(s, field, "{column}"),
                Value::Number(n) => {
                    let parsed: f64 = field
                        .parse()
                        .unwrap_or_else(|_| panic!("{column}: {field:?} vs {n}"));
                    assert_eq!(n.as_f64(), Some(parsed), "{column}: {field:?} vs {n}");
                }
                other => panic!("{column}: unexpected {other}"),
            }
        }
    }
}

#[test]
fn jsonl_lines_parse_and_have_exactly_the_csv_columns() {
    // One host, with variants.
    let jsonl = run_variants(&["--format", "jsonl"]);
    let csv = run_variants(&["--format", "csv"]);
    assert_eq!(csv.lines().next(), Some(SCHEMA));
    assert_jsonl_matches_csv(&jsonl, &csv);
    // An alliance: the per-host cycle columns and the patron's totals.
    let jsonl = run_alliance(&["--format", "jsonl"]);
    let csv = run_alliance(&["--format", "csv"]);
    assert_eq!(
        csv.lines().next(),
        Some(alliance_schema(&["korea", "japan", "nato"]).as_str())
    );
    assert_jsonl_matches_csv(&jsonl, &csv);
    // A sweep: the chosen metrics, as in its CSV.
    let sweep = |format: &str| {
        ok(&[
            "sweep",
            "--param",
            "host.margin",
            "--values",
            "0.05,0.2",
            "--cycles",
            "1,5",
            "--trials",
            "300",
            "--metric",
            "lapse_months",
            "--quiet",
            "--format",
            format,
        ])
    };
    assert_jsonl_matches_csv(&sweep("jsonl"), &sweep("csv"));
}

#[test]
fn run_csv_header_is_the_tidy_schema() {
    let dir = TempDir::new("schema-run");
    let out = dir.join("out");
    let csv = run_small(&["--format", "csv", "--out", &path_arg(&out)]);
    assert_eq!(read(&out.join("report.csv")), csv);
    assert_eq!(csv.lines().next(), Some(SCHEMA));
    let records = csv_records(&csv);
    assert_eq!(records.len(), 2 * METRICS.len());
    assert!(
        records
            .iter()
            .all(|r| r["host"] == "host" && r["reference"] == "base/1")
    );
}

#[test]
fn alliance_run_csv_header_is_the_tidy_schema_with_one_cycle_column_per_host() {
    let dir = TempDir::new("schema-alliance");
    let out = dir.join("out");
    let csv = ok(&[
        "run",
        "--preset",
        "us_alliances",
        "--cycles",
        "korea=5,1",
        "--trials",
        "200",
        "--quiet",
        "--format",
        "csv",
        "--out",
        &path_arg(&out),
    ]);
    assert_eq!(read(&out.join("report.csv")), csv);
    assert_eq!(
        csv.lines().next(),
        Some(alliance_schema(&["korea", "japan", "nato"]).as_str())
    );
    let records = csv_records(&csv);
    assert_eq!(
        distinct(&records, "arm"),
        ["base/korea=5,japan=5,nato=2", "base/korea=1,japan=5,nato=2"]
    );
    // The first value of every list is the reference: Korea at five years.
    assert!(
        records
            .iter()
            .all(|r| r["reference"] == "base/korea=5,japan=5,nato=2")
    );
    assert_eq!(
        distinct(&records, "host"),
        ["korea", "japan", "nato", "(all)"]
    );
    for r in &records {
        let own = match r["host"].as_str() {
            "(all)" => String::new(),
            h => r[&format!("cycle_years.{h}")].clone(),
        };
        assert_eq!(
            r["cycle_years"], own,
            "a row's cycle_years is its own host's: {r:?}"
        );
    }
}

#[test]
fn sweep_csv_header_is_the_tidy_schema_for_one_host_and_alliances() {
    let dir = TempDir::new("schema-sweep");
    let out = dir.join("one");
    let csv = ok(&[
        "sweep",
        "--param",
        "patron.opening",
        "--values",
        "0.1,0.5",
        "--cycles",
        "1,5",
        "--trials",
        "300",
        "--quiet",
        "--format",
        "csv",
        "--out",
        &path_arg(&out),
    ]);
    assert_eq!(read(&out.join("sweep.csv")), csv);
    assert_eq!(csv.lines().next(), Some(SCHEMA));
    assert_eq!(
        distinct(&csv_records(&csv), "arm"),
        ["0.1/1", "0.1/5", "0.5/1", "0.5/5"]
    );
    // Sweeps work on alliances too: the alliance schema, sweep.json and sweep.csv, no chart.
    let out = dir.join("alliance");
    let csv = ok(&[
        "sweep",
        "--preset",
        "us_alliances",
        "--param",
        "patron.opening",
        "--values",
        "0.1,0.5",
        "--cycles",
        "korea=1,5",
        "--trials",
        "200",
        "--quiet",
        "--format",
        "csv",
        "--out",
        &path_arg(&out),
    ]);
    assert_eq!(read(&out.join("sweep.csv")), csv);
    assert_eq!(
        csv.lines().next(),
        Some(alliance_schema(&["korea", "japan", "nato"]).as_str())
    );
    let records = csv_records(&csv);
    assert_eq!(
        distinct(&records, "arm"),
        [
            "0.1/korea=1,japan=5,nato=2",
            "0.1/korea=5,japan=5,nato=2",
            "0.5/korea=1,japan=5,nato=2",
            "0.5/korea=5,japan=5,nato=2"
        ]
    );
    let metrics: BTreeSet<String> = distinct(&records, "metric").into_iter().collect();
    let defaults: BTreeSet<String> = negcycle::run::sweep::DEFAULT_SWEEP_METRICS
        .into_iter()
        .map(String::from)
        .collect();
    assert!(metrics.is_subset(&defaults), "{metrics:?}");
    let mut expected: BTreeSet<String> = strings(&["sweep.json", "sweep.csv", "manifest.json"])
        .into_iter()
        .collect();
    if cfg!(feature = "plot") {
        assert!(read(&out.join("sweep.svg")).contains("<svg"));
        expected.insert("sweep.svg".to_string());
    }
    assert_eq!(files_in(&out), expected);
    let v: Value = serde_json::from_str(&read(&out.join("sweep.json"))).expect("JSON");
    assert_eq!(v["hosts"], serde_json::json!(["korea", "japan", "nato"]));
}

#[test]
fn merge_csv_header_is_the_tidy_schema() {
    let dir = TempDir::new("schema-merge");
    let common = ["--trials", "300", "--cycles", "1,5", "--quiet"];
    let mut parts = Vec::new();
    for i in 0..2 {
        let shard = format!("{i}/2");
        let mut args = strings(&["run", "--shard", &shard, "--out", &dir.arg("parts")]);
        args.extend(strings(&common));
        ok(&args);
        parts.push(path_arg(
            &dir.join("parts").join(format!("shard_{i}_of_2.json")),
        ));
    }
    let mut merge = strings(&[
        "merge",
        "--format",
        "csv",
        "--quiet",
        "--out",
        &dir.arg("m"),
    ]);
    merge.extend(parts);
    let csv = ok(&merge);
    assert_eq!(read(&dir.join("m").join("report.csv")), csv);
    assert_eq!(csv.lines().next(), Some(SCHEMA));
    assert_eq!(csv.lines().count(), 1 + 2 * METRICS.len());
}

#[test]
fn shards_of_a_run_with_variants_merge_byte_identically() {
    let dir = TempDir::new("variant-shards");
    let mut common = strings(VARIANTS);
    common.extend(strings(&[
        "--cycles",
        "1,5",
        "--reference",
        "tough/5",
        "--trials",
        "700",
        "--seed",
        "11",
        "--quiet",
    ]));
    let run = |format: &str| {
        let mut args = strings(&["run", "--format", format]);
        args.extend(common.iter().cloned());
        ok(&args)
    };
    let mut parts = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut args = strings(&["run", "--shard", &shard, "--out", &dir.arg("parts")]);
        args.extend(common.iter().cloned());
        let stdout = ok(&args);
        let file = dir.join("parts").join(format!("shard_{i}_of_3.json"));
        assert_eq!(read(&file), stdout, "the shard file is what stdout printed");
        parts.push(path_arg(&file));
    }
    parts.reverse();
    let merge = |format: &str| {
        let mut args = strings(&["merge", "--format", format]);
        args.extend(parts.iter().cloned());
        ok(&args)
    };
    for format in ["json", "csv", "jsonl", "table"] {
        assert_eq!(merge(format), run(format), "--format {format}");
    }
    let mut merge_out = strings(&["merge", "--quiet", "--out", &dir.arg("merged")]);
    merge_out.extend(parts.iter().cloned());
    ok(&merge_out);
    assert_eq!(read(&dir.join("merged").join("report.json")), run("json"));
    assert_eq!(read(&dir.join("merged").join("report.csv")), run("csv"));
}

/// `text` with the first number after `"tally"` that follows `"max":` raised by 0.5: one edit
/// of one number, the JSON still valid and its statistics still plausible.
fn tamper(text: &str) -> String {
    let tally = text.find("\"tally\"").expect("a tally");
    let at = tally + text[tally..].find("\"max\":").expect("a max") + "\"max\":".len();
    let len = text[at..].find([',', '}']).expect("the number ends");
    let x: f64 = text[at..at + len].trim().parse().expect("a number");
    let edited = format!("{}{}{}", &text[..at], x + 0.5, &text[at + len..]);
    assert_ne!(edited, text);
    serde_json::from_str::<Value>(&edited).expect("still JSON");
    edited
}

#[test]
fn a_tampered_part_makes_merge_exit_2_naming_the_file() {
    let dir = TempDir::new("tampered");
    let mut files = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut args = strings(&["run", "--shard", &shard, "--quiet"]);
        args.extend(strings(VARIANTS));
        args.extend(strings(&["--trials", "300", "--cycles", "1,5"]));
        let name = format!("part{i}.json");
        std::fs::write(dir.join(&name), ok(&args)).expect("write the part");
        files.push(name);
    }
    let original = read(&dir.join("part1.json"));
    std::fs::write(dir.join("tampered.json"), tamper(&original)).expect("write");
    let check = |names: &[&str], tag: &str| {
        let out = dir.join(&format!("out_{tag}"));
        let mut args = strings(&["merge"]);
        args.extend(names.iter().map(|n| dir.arg(n)));
        args.extend([String::from("--out"), path_arg(&out)]);
        let r = negcycle(&args);
        assert_eq!(r.code, Some(2), "{names:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("negcycle: "), "{}", r.stderr);
        assert!(
            r.stderr.contains("tampered.json"),
            "the file is not named: {}",
            r.stderr
        );
        assert!(r.stderr.contains("checksum"), "{}", r.stderr);
        for other in ["part0.json", "part1.json", "part2.json"] {
            assert!(!r.stderr.contains(other), "{other} is named: {}", r.stderr);
        }
        assert!(r.stdout.is_empty(), "printed {}", r.stdout);
        assert!(!out.exists(), "{} was created", out.display());
    };
    check(&["part0.json", "tampered.json", "part2.json"], "in_place");
    // The tampered file is named even when a good file holds the same trials.
    check(
        &["part1.json", "tampered.json", "part0.json", "part2.json"],
        "twice",
    );
    // Untampered, the parts merge.
    let mut merge = strings(&["merge", "--format", "csv"]);
    merge.extend(files.iter().map(|n| dir.arg(n)));
    assert_eq!(ok(&merge).lines().next(), Some(SCHEMA));
}
