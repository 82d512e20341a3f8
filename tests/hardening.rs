//! Hostile inputs, one test per class: parts edited with their checksum recomputed, part files
//! that are FIFOs, devices or oversized, merge messages that name the file and the field, trial
//! and shard ranges at the edge of `u64`, alliances past the host cap, the previous set's
//! leftovers, runs killed while they write, concurrent runs, and control characters in names.

mod common;

use common::TempDir;
use negcycle::alliance::Alliance;
use negcycle::report::write::{OutputDir, TEMP_PREFIX, verify_manifest};
use negcycle::{Error, Experiment, METRICS, PartialReport, Report, Scenario, Variant};
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_negcycle");

/// What one invocation did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

fn negcycle<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Outcome {
    let out = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the negcycle binary starts");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "negcycle panicked:\n{stderr}");
    Outcome {
        code: out.status.code(),
        stdout: out.stdout,
        stderr,
    }
}

/// Runs negcycle with a deadline: a FIFO or a device must not make it wait or read forever.
fn negcycle_within(limit: Duration, args: &[&str]) -> Outcome {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the negcycle binary starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("negcycle {args:?} still runs after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Outcome {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn flagship() -> Scenario {
    Scenario::preset("us_rok_sma").expect("preset")
}

/// Shard 0 and shard 1 of a two-arm experiment of 400 trials.
fn parts() -> (PartialReport, PartialReport) {
    let e = || {
        Experiment::new(flagship())
            .cycle_years([1.0, 5.0])
            .trials(400)
            .seed(3)
    };
    (e().run_shard(0, 2).unwrap(), e().run_shard(1, 2).unwrap())
}

/// Shard 0 and shard 1 of the alliance preset (20 trials).
fn alliance_parts() -> (PartialReport, PartialReport) {
    let e = || {
        Experiment::new(Alliance::preset("us_alliances").unwrap())
            .trials(20)
            .seed(3)
    };
    (e().run_shard(0, 2).unwrap(), e().run_shard(1, 2).unwrap())
}

/// `part` through JSON with `change` applied, read back, its checksum recomputed (as anyone
/// can: the checksum is not authentication).
fn forge(part: &PartialReport, change: impl FnOnce(&mut Value)) -> PartialReport {
    let mut v: Value = serde_json::from_str(&part.to_json_string().unwrap()).unwrap();
    change(&mut v);
    let mut p = PartialReport::from_json_str(&serde_json::to_string(&v).unwrap(), "forged.json")
        .expect("the edit keeps the format");
    p.checksum = p.compute_checksum().unwrap();
    p
}

/// The merge of a forged part 0 with an untouched part 1 fails with exit-2 class
/// [`Error::Merge`], naming the file, the part and `field`, and mentioning `also`.
fn assert_refused(parts: [PartialReport; 2], field: &str, also: &str) {
    assert!(parts[0].verify().is_err(), "{field}: verify() accepts it");
    match Report::merge_named(&parts, &["forged.json", "good.json"]) {
        Err(Error::Merge { rule }) => assert!(
            rule.starts_with("forged.json: part [0, ")
                && rule.contains(field)
                && rule.contains(also),
            "{field}: {rule}"
        ),
        Err(other) => panic!("{field}: expected Error::Merge, got {other:?}"),
        Ok(_) => panic!("{field}: the forged part was merged"),
    }
}

fn metric(name: &str) -> usize {
    METRICS.iter().position(|m| m.name == name).expect("metric")
}

fn moments<'v>(v: &'v mut Value, arm: usize, name: &str) -> &'v mut Value {
    &mut v["tally"]["arms"][arm]["hosts"][0]["metrics"][metric(name)]["moments"]
}

// Class 2: parts edited with the checksum recomputed -------------------------------------------

#[test]
fn a_lowered_min_is_caught_by_the_sketch_extremes() {
    let (p0, p1) = parts();
    // Lowered by 10 %: still min <= mean <= max and within Popoviciu's bound, but the sketch's
    // lowest bucket now lies far outside its 0.5 % accuracy of the min.
    let forged = forge(&p0, |v| {
        let m = moments(v, 0, "payments");
        m["min"] = Value::from(m["min"].as_f64().unwrap() * 0.9);
    });
    assert_refused(
        [forged, p1],
        "tally.arms[0].hosts[0].metrics.payments",
        "quantile sketch spans",
    );
}

#[test]
fn an_alliance_part_with_a_min_of_minus_a_million_is_refused() {
    let (p0, p1) = alliance_parts();
    let forged = forge(&p0, |v| {
        v["tally"]["arms"][0]["hosts"][1]["metrics"][metric("payments")]["moments"]["min"] =
            Value::from(-1e6);
    });
    assert!(forged.verify().is_err());
    match Report::merge_named(&[forged, p1], &["a0.json", "a1.json"]) {
        Err(Error::Merge { rule }) => assert!(
            rule.starts_with("a0.json: ")
                && rule.contains("tally.arms[0].hosts[1].metrics.payments")
                && rule.contains("-1000000"),
            "{rule}"
        ),
        other => panic!("expected Error::Merge, got {other:?}"),
    }
}

/// Adds `units` to the exact sum `sum` (limb `k` holds units of 2^(64k − 1074); limbs 16 and
/// 17 hold 2⁻⁵⁰ to 2⁷⁸), carrying from limb 16 into limb 17.
fn add_to_sum(sum: &mut Value, units: u64) {
    let lo = sum[16].as_u64().unwrap();
    let hi = sum[17].as_u64().unwrap();
    let total = ((u128::from(hi) << 64) | u128::from(lo)) + (u128::from(units) << 50);
    sum[16] = Value::from(total as u64);
    sum[17] = Value::from((total >> 64) as u64);
}

#[test]
fn a_sum_limb_edit_that_keeps_the_mean_in_range_is_caught_by_the_pairs() {
    let (p0, p1) = parts();
    // Σ payments of the reference arm + 200: its mean moves by 1 (under 0.1 %), inside
    // [min, max], within the variance bound and within the sketch's 0.5 % accuracy, but arm 1's
    // paired differences no longer match the difference of the means.
    let forged = forge(&p0, |v| {
        add_to_sum(&mut moments(v, 0, "payments")["sum"], 200)
    });
    assert_refused(
        [forged, p1],
        "tally.arms[1].hosts[0].paired.payments",
        "mean difference",
    );
    // The paired sum itself edited the same way.
    let (p0, p1) = parts();
    let forged = forge(&p0, |v| {
        let diffs = &mut v["tally"]["arms"][1]["hosts"][0]["paired"][metric("negotiations")];
        let limb = &mut diffs["diffs"]["sum"][16];
        *limb = Value::from(limb.as_u64().unwrap().wrapping_add(1u64 << 50));
    });
    // (A carry out of the limb may instead move the mean out of [min, max].)
    assert_refused(
        [forged, p1],
        "tally.arms[1].hosts[0].paired.negotiations",
        "",
    );
}

#[test]
fn sketch_counts_moved_inside_the_range_are_caught_by_the_sketch_mean() {
    let (p0, p1) = parts();
    let target = metric("lapse_months");
    // Half of the values of the busiest bucket moved to the second-highest bucket: total, min
    // and max unchanged, the sketch's mean far from the exact one.
    let forged = forge(&p0, |v| {
        let counts = &mut v["tally"]["arms"][0]["hosts"][0]["metrics"][target]["sketch"]["positive"]
            ["counts"];
        let c: Vec<u64> = counts
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert!(c.len() >= 4, "a spread-out metric");
        let busiest = (1..c.len() - 2).max_by_key(|&i| c[i]).unwrap();
        let moved = c[busiest] / 2;
        let mut c = c;
        c[busiest] -= moved;
        let second = c.len() - 2;
        c[second] += moved;
        *counts = Value::from(c);
    });
    assert_refused(
        [forged, p1],
        "tally.arms[0].hosts[0].metrics.lapse_months",
        "quantile sketch",
    );
}

#[test]
fn sketch_settings_and_histograms_must_be_this_versions() {
    let (p0, p1) = parts();
    let forged = forge(&p0, |v| {
        v["tally"]["arms"][0]["hosts"][0]["metrics"][0]["sketch"]["alpha"] = Value::from(0.5);
    });
    assert_refused(
        [forged, p1.clone()],
        "tally.arms[0].hosts[0].metrics.negotiations",
        "alpha",
    );
    let forged = forge(&p0, |v| {
        let counts = &mut v["tally"]["arms"][0]["hosts"][0]["signing"]["counts"][13];
        *counts = Value::from(counts.as_u64().unwrap() + 5);
    });
    assert_refused(
        [forged, p1],
        "tally.arms[0].hosts[0].signing/lapse",
        "histograms",
    );
}

/// Builds one experiment afresh (a run consumes it).
type Build = Box<dyn Fn() -> Experiment>;

#[test]
fn a_part_whose_header_is_larger_than_any_experiment_is_refused() {
    let (p0, p1) = parts();
    let mut v: Value = serde_json::from_str(&p0.to_json_string().unwrap()).unwrap();
    v["header"]["hosts"] = Value::from((0..65).map(|i| format!("h{i}")).collect::<Vec<_>>());
    let mut forged =
        PartialReport::from_json_str(&serde_json::to_string(&v).unwrap(), "forged.json").unwrap();
    forged.header.fingerprint = forged.header.compute_fingerprint().unwrap();
    forged.checksum = forged.compute_checksum().unwrap();
    assert_refused([forged, p1], "header.arms", "MAX_HOSTS");
}

#[test]
fn an_untouched_part_passes_every_check_for_every_preset_and_shard_count() {
    // The checks must not refuse what the engine writes: presets, an alliance, variants, extreme
    // magnitudes, constant metrics.
    let cases: Vec<(&str, Build)> = vec![
        (
            "wage_round",
            Box::new(|| Experiment::new(Scenario::preset("wage_round").unwrap()).trials(90)),
        ),
        (
            "frictionless",
            Box::new(|| Experiment::new(Scenario::preset("frictionless").unwrap()).trials(90)),
        ),
        (
            "us_alliances",
            Box::new(|| Experiment::new(Alliance::preset("us_alliances").unwrap()).trials(30)),
        ),
        (
            "variants",
            Box::new(|| {
                Experiment::new(flagship())
                    .variant(Variant::base())
                    .variant(Variant::new("tough").set("patron.opening", "0.6"))
                    .cycle_years([1.0, 5.0])
                    .trials(90)
            }),
        ),
        (
            "1e130",
            Box::new(|| {
                Experiment::new(flagship().with_override("terms.initial", "1e130").unwrap())
                    .cycle_years([1.0, 2.0])
                    .trials(90)
            }),
        ),
        (
            "1e-100",
            Box::new(|| {
                Experiment::new(flagship().with_override("terms.initial", "1e-100").unwrap())
                    .cycle_years([1.0, 2.0])
                    .trials(90)
            }),
        ),
    ];
    for (name, e) in &cases {
        let whole = e().run().unwrap();
        for n in [1u64, 3, 7] {
            let parts: Vec<PartialReport> = (0..n)
                .map(|i| {
                    let text = e().run_shard(i, n).unwrap().to_json_string().unwrap();
                    PartialReport::from_json_str(&text, "part").unwrap()
                })
                .collect();
            for p in &parts {
                p.verify()
                    .unwrap_or_else(|err| panic!("{name}, {n} shards: {err}"));
            }
            assert_eq!(Report::merge(&parts).unwrap(), whole, "{name}, {n} shards");
        }
    }
}

#[test]
fn parse_errors_name_the_field_path_and_range_errors_the_files() {
    let (p0, p1) = parts();
    let text = p0.to_json_string().unwrap();
    let broken = text.replacen("\"rejected\":0,\"min\"", "\"rejected\":\"x\",\"min\"", 1);
    match PartialReport::from_json_str(&broken, "broken.json") {
        Err(Error::Json { origin, message }) => {
            assert_eq!(origin, "broken.json");
            assert!(
                message.starts_with("tally.arms[0].hosts[0].metrics[0].moments.rejected: "),
                "{message}"
            );
        }
        other => panic!("expected Error::Json, got {other:?}"),
    }
    let extra = format!("{},\"extra\":1}}", text.trim_end().trim_end_matches('}'));
    match PartialReport::from_json_str(&extra, "extra.json") {
        Err(Error::Json { message, .. }) => {
            assert!(message.contains("unknown field `extra`"), "{message}")
        }
        other => panic!("expected Error::Json, got {other:?}"),
    }
    let rule = |parts: &[PartialReport], names: &[&str]| match Report::merge_named(parts, names) {
        Err(Error::Merge { rule }) => rule,
        other => panic!("expected Error::Merge, got {other:?}"),
    };
    let r = rule(&[p0.clone(), p0.clone()], &["a.json", "b.json"]);
    assert!(
        r.contains("overlap") && r.contains("a.json") && r.contains("b.json"),
        "{r}"
    );
    let r = rule(std::slice::from_ref(&p1), &["late.json"]);
    assert!(
        r.contains("gap: trials [0, 200)") && r.contains("late.json"),
        "{r}"
    );
    let r = rule(std::slice::from_ref(&p0), &["early.json"]);
    assert!(
        r.contains("gap: trials [200, 400)") && r.contains("early.json"),
        "{r}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any one byte of a part changed: refused (parse error or checksum), never merged, never a
    /// panic.
    #[test]
    fn any_changed_byte_of_a_part_is_refused(at in 0.0f64..1.0, byte in 0u8..=255) {
        static PARTS: std::sync::OnceLock<(String, PartialReport)> = std::sync::OnceLock::new();
        static ORIGINAL: std::sync::OnceLock<PartialReport> = std::sync::OnceLock::new();
        let (text, p1) = PARTS.get_or_init(|| {
            let (p0, p1) = parts();
            (p0.to_json_string().unwrap(), p1)
        });
        let original = ORIGINAL.get_or_init(|| PartialReport::from_json_str(text, "p0").unwrap());
        let mut bytes = text.clone().into_bytes();
        let i = ((at * bytes.len() as f64) as usize).min(bytes.len() - 1);
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let Ok(edited) = String::from_utf8(bytes) else { return Ok(()) };
        if let Ok(p) = PartialReport::from_json_str(&edited, "edited.json") {
            // The same data written differently (`1e16` as `1E16`) is the same part.
            if &p == original {
                return Ok(());
            }
            prop_assert!(p.verify().is_err(), "byte {i} set to {byte} verifies");
            prop_assert!(Report::merge(&[p, p1.clone()]).is_err());
        }
    }

    /// Any one float of a part scaled, with the checksum recomputed: refused, or the merged
    /// report's min, mean and max stay within 2α (+ rounding) of the true ones, α = 0.5 % the
    /// sketch's accuracy: an accepted min or max lies within α of the sketch's extreme, which
    /// lies within α of the true one.
    #[test]
    fn a_scaled_number_is_refused_or_harmless(pick in 0usize..10_000, factor in prop_oneof![Just(0.0), Just(-1.0), 0.5f64..2.0, Just(1e6)]) {
        static PARTS: std::sync::OnceLock<(PartialReport, PartialReport, Report)> =
            std::sync::OnceLock::new();
        let (p0, p1, whole) = PARTS.get_or_init(|| {
            let (p0, p1) = parts();
            let whole = Report::merge(&[p0.clone(), p1.clone()]).unwrap();
            (p0, p1, whole)
        });
        let mut v: Value = serde_json::from_str(&p0.to_json_string().unwrap()).unwrap();
        let mut floats: Vec<&mut Value> = Vec::new();
        collect_floats(&mut v["tally"], &mut floats);
        let n = floats.len();
        let x = &mut floats[pick % n];
        let scaled = x.as_f64().unwrap() * factor;
        prop_assume!(scaled.is_finite());
        **x = Value::from(scaled);
        let Ok(mut p) = PartialReport::from_json_str(&serde_json::to_string(&v).unwrap(), "e") else {
            return Ok(());
        };
        p.checksum = p.compute_checksum().unwrap();
        if let Ok(merged) = Report::merge(&[p, p1.clone()]) {
            for (a, b) in merged.arms.iter().zip(&whole.arms) {
                for (h, g) in a.hosts.iter().zip(&b.hosts) {
                    for (r, s) in h.metrics.iter().zip(&g.metrics) {
                        let scale = s.min.abs().max(s.max.abs()).max(f64::MIN_POSITIVE);
                        for (got, want) in [(r.min, s.min), (r.mean, s.mean), (r.max, s.max)] {
                            prop_assert!((got - want).abs() <= 0.011 * scale,
                                "{}: {got} accepted for {want}", r.metric);
                        }
                    }
                }
            }
        }
    }
}

/// Every JSON float (not integer) under `v`.
fn collect_floats<'v>(v: &'v mut Value, out: &mut Vec<&'v mut Value>) {
    if v.as_number().is_some_and(serde_json::Number::is_f64) {
        out.push(v);
        return;
    }
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| collect_floats(x, out)),
        Value::Object(o) => o.values_mut().for_each(|x| collect_floats(x, out)),
        _ => {}
    }
}

// Class 7 for merge: part files that are not regular files or too large ----------------------

#[cfg(unix)]
#[test]
fn merge_refuses_fifo_device_and_oversized_parts_promptly_naming_the_file() {
    let dir = TempDir::new("merge-inputs");
    let (p0, p1) = parts();
    let good = dir.write("good.json", p1.to_json_string().unwrap().as_bytes());
    let good = good.to_str().unwrap();
    let fifo = dir.join("fifo.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo"
    );
    let zero = dir.join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo_link = dir.join("fifo_link.json");
    std::os::unix::fs::symlink(&fifo, &fifo_link).unwrap();
    let cases = [
        (fifo.clone(), "a FIFO"),
        (fifo_link.clone(), "a FIFO"),
        (zero.clone(), "a character device"),
        (dir.path().to_path_buf(), "a directory"),
    ];
    for (path, kind) in &cases {
        let p = path.to_str().unwrap();
        let r = negcycle_within(Duration::from_secs(20), &["merge", p, good, "-q"]);
        assert_eq!(r.code, Some(2), "{p}: {}", r.stderr);
        assert!(
            r.stderr.contains(p)
                && r.stderr.contains("not a regular file")
                && r.stderr.contains(kind),
            "{p}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    // Over the cap: a sparse file of MAX_FILE_BYTES + 1 bytes, refused from its size alone.
    let huge = dir.join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(PartialReport::MAX_FILE_BYTES + 1)
        .unwrap();
    let h = huge.to_str().unwrap();
    let r = negcycle_within(Duration::from_secs(20), &["merge", h, good, "-q"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains(h) && r.stderr.contains("PartialReport::MAX_FILE_BYTES"),
        "{}",
        r.stderr
    );
    // The library reader says the same, and reads a real part.
    assert!(matches!(
        PartialReport::read_text(&fifo),
        Err(Error::Input { message, .. }) if message.contains("FIFO")
    ));
    let p0_path = dir.write("p0.json", p0.to_json_string().unwrap().as_bytes());
    assert_eq!(PartialReport::from_path(&p0_path).unwrap(), p0);
    // Empty, not UTF-8, missing: exit 2 naming the file.
    let empty = dir.write("empty.json", b"  \n");
    let binary = dir.write("binary.json", &[0xff, 0xfe, 0x00]);
    for path in [empty, binary, dir.join("missing.json")] {
        let p = path.to_str().unwrap();
        let r = negcycle(&["merge", p, good, "-q"]);
        assert_eq!(r.code, Some(2), "{p}: {}", r.stderr);
        assert!(r.stderr.contains(p), "{p}: {}", r.stderr);
    }
}

// Class 2 through the command line: exit 2, the file and the field -------------------------------

#[test]
fn merge_of_a_forged_part_exits_2_naming_the_file_and_field() {
    let dir = TempDir::new("merge-forged");
    let (p0, p1) = parts();
    let forged = forge(&p0, |v| {
        let m = moments(v, 0, "payments");
        m["min"] = Value::from(m["min"].as_f64().unwrap() * 0.9);
    });
    let f = dir.write("forged.json", forged.to_json_string().unwrap().as_bytes());
    let g = dir.write("good.json", p1.to_json_string().unwrap().as_bytes());
    let out = dir.join("out");
    let r = negcycle(&[
        "merge".as_ref(),
        f.as_os_str(),
        g.as_os_str(),
        "-q".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains(f.to_str().unwrap())
            && r.stderr.contains("tally.arms[0].hosts[0].metrics.payments"),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "no output folder for a refused merge");
}

// Class 4: trial and shard ranges at the edge of u64, lazy blocks, host caps ---------------------

#[test]
fn the_last_shard_of_u64_max_trials_runs_one_trial() {
    let part = Experiment::new(flagship())
        .cycle_years([1.0])
        .trials(u64::MAX)
        .run_shard(u64::MAX - 1, u64::MAX)
        .unwrap();
    assert_eq!(part.end - part.start, 1);
    assert_eq!(part.end, u64::MAX);
    part.verify().unwrap();
    let r = negcycle(&[
        "run",
        "--trials",
        "18446744073709551615",
        "--shard",
        "18446744073709551614/18446744073709551615",
        "--cycles",
        "1",
        "--threads",
        "1",
        "-q",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["start"], Value::from(u64::MAX - 1));
    assert_eq!(v["end"], Value::from(u64::MAX));
}

/// Resident memory of process `pid`, bytes (Linux).
#[cfg(target_os = "linux")]
fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(target_os = "linux")]
#[test]
fn a_trillion_trials_run_in_bounded_memory_for_run_and_sweep() {
    let runs: [&[&str]; 2] = [
        &[
            "run",
            "--trials",
            "1000000000000",
            "--cycles",
            "1",
            "--threads",
            "1",
            "-q",
        ],
        &[
            "sweep",
            "--param",
            "patron.opening",
            "--values",
            "0.1,0.3",
            "--trials",
            "1000000000000",
            "--cycles",
            "1",
            "--threads",
            "1",
            "-q",
        ],
    ];
    for args in runs {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut peak = 0;
        for _ in 0..15 {
            std::thread::sleep(Duration::from_millis(100));
            assert!(child.try_wait().unwrap().is_none(), "{args:?} ended early");
            peak = peak.max(rss_bytes(child.id()).unwrap_or(0));
        }
        child.kill().unwrap();
        let _ = child.wait();
        // Blocks are produced as they run: a list of all blocks would take gigabytes.
        assert!(
            peak < 200 << 20,
            "{args:?}: {peak} bytes resident after 1.5 s"
        );
    }
}

/// An alliance file of `hosts` minimal hosts (each inherits the shared defaults).
fn many_hosts(hosts: usize) -> String {
    let preset = Alliance::preset("us_alliances")
        .unwrap()
        .to_toml_string()
        .unwrap();
    let head = &preset[..preset.find("[[hosts]]").unwrap()];
    let mut text = head.to_string();
    for i in 0..hosts {
        text.push_str(&format!("[[hosts]]\nname = \"h{i}\"\n"));
    }
    text
}

#[test]
fn ten_thousand_hosts_are_refused_with_exit_2_before_any_work() {
    let dir = TempDir::new("hosts");
    let file = dir.write("many.toml", many_hosts(10_000).as_bytes());
    assert!(std::fs::metadata(&file).unwrap().len() < negcycle::scenario::MAX_SCENARIO_BYTES);
    let out = dir.join("out");
    let start = Instant::now();
    let r = negcycle(&[
        "run".as_ref(),
        "--scenario".as_ref(),
        file.as_os_str(),
        "--trials".as_ref(),
        "2".as_ref(),
        "-q".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("MAX_HOSTS"), "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(!out.exists());
    // The arm × host limit: 64 hosts × 1000 joint arms.
    let file = dir.write("cap.toml", many_hosts(64).as_bytes());
    let r = negcycle(&[
        "run".as_ref(),
        "--scenario".as_ref(),
        file.as_os_str(),
        "--cycles".as_ref(),
        "h0=1,2,3,4,5,6,7,8,9,10".as_ref(),
        "--cycles".as_ref(),
        "h1=1,2,3,4,5,6,7,8,9,10".as_ref(),
        "--cycles".as_ref(),
        "h2=1,2,3,4,5,6,7,8,9,10".as_ref(),
        "--trials".as_ref(),
        "2".as_ref(),
        "-q".as_ref(),
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("4096 arm-host"), "{}", r.stderr);
}

#[test]
fn alliance_csv_rows_are_bounded_by_the_host_cap() {
    // Each row names every host's cycle length, so the CSV grows with arms × hosts²; the host
    // cap bounds a row. At 64 hosts a row stays under 2 KB.
    let dir = TempDir::new("csv-size");
    let file = dir.write("cap.toml", many_hosts(64).as_bytes());
    let out = dir.join("out");
    let r = negcycle(&[
        "run".as_ref(),
        "--scenario".as_ref(),
        file.as_os_str(),
        "--trials".as_ref(),
        "4".as_ref(),
        "-q".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
    let rows = csv.lines().count();
    let longest = csv.lines().map(str::len).max().unwrap();
    assert!(longest < 2048, "a row of {longest} bytes");
    // One row per host and metric, plus the totals: linear in hosts for one arm.
    assert!(rows <= 1 + 64 * METRICS.len() + 64, "{rows} rows");
}

// Class 5: the previous set, killed runs, concurrent runs ----------------------------------------

#[test]
fn a_new_set_removes_the_previous_sets_files_it_does_not_replace_unless_changed() {
    let dir = TempDir::new("previous-set");
    let out = dir.join("out");
    let mut o = OutputDir::open(&out).unwrap();
    for name in ["report.json", "chart.svg", "edited.svg"] {
        o.stage(name, name.as_bytes()).unwrap();
    }
    o.commit().unwrap();
    std::fs::write(out.join("edited.svg"), b"changed by hand").unwrap();
    std::fs::write(out.join("mine.txt"), b"not negcycle's").unwrap();
    let mut o = OutputDir::open(&out).unwrap();
    o.stage("report.json", b"new").unwrap();
    o.commit().unwrap();
    verify_manifest(&out).unwrap();
    assert!(
        !out.join("chart.svg").exists(),
        "the old chart left with its set"
    );
    assert_eq!(
        std::fs::read(out.join("edited.svg")).unwrap(),
        b"changed by hand"
    );
    assert_eq!(
        std::fs::read(out.join("mine.txt")).unwrap(),
        b"not negcycle's"
    );
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), b"new");
}

#[test]
fn an_alliance_run_after_a_single_host_run_leaves_no_stale_charts() {
    let dir = TempDir::new("alliance-after-single");
    let out = dir.arg("out");
    let r = negcycle(&[
        "run", "--trials", "20", "--cycles", "1,2", "-q", "--out", &out,
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = negcycle(&[
        "run",
        "--preset",
        "us_alliances",
        "--trials",
        "10",
        "-q",
        "--out",
        &out,
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    verify_manifest(&out).unwrap();
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    // The alliance's single arm has no paired differences, so the single-host run's
    // paired_difference.svg must be gone; every chart left is the alliance's own.
    assert!(
        !names.iter().any(|n| n == "paired_difference.svg"),
        "{names:?}"
    );
    for n in names.iter().filter(|n| n.ends_with(".svg")) {
        let text = std::fs::read_to_string(dir.path().join("out").join(n)).unwrap();
        assert!(text.contains("japan"), "{n} is not the alliance's chart");
    }
}

/// Whether `dir` holds a `.negcycle-stage-*` folder with at least `files` files.
fn staged(dir: &Path, files: usize) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".negcycle-stage-")
                && std::fs::read_dir(e.path()).is_ok_and(|f| f.count() >= files)
        })
    })
}

#[cfg(unix)]
#[test]
fn a_run_killed_while_writing_leaves_the_old_set_or_no_manifest_and_the_next_run_cleans_up() {
    let dir = TempDir::new("killed");
    let out = dir.arg("out");
    let file = dir.write("wide.toml", many_hosts(64).as_bytes());
    let file = file.to_str().unwrap();
    // A large set (tens of MB) so that the kill lands while files are written.
    let args = [
        "run",
        "--scenario",
        file,
        "--cycles",
        "h0=1,2,3,4,5,6,7,8",
        "--trials",
        "4",
        "-q",
        "--threads",
        "2",
        "--out",
        &out,
    ];
    for (signal, files) in [("KILL", 0), ("KILL", 1), ("TERM", 1), ("TERM", 2)] {
        let r = negcycle(&[
            "run", "--trials", "20", "--cycles", "1", "-q", "--out", &out,
        ]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while child.try_wait().unwrap().is_none()
            && !staged(Path::new(&out), files)
            && start.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status();
        let _ = child.wait();
        // Either the old complete set, or a new complete set, or no manifest: never a manifest
        // over files it does not list.
        match std::fs::read(Path::new(&out).join("manifest.json")) {
            Ok(_) => verify_manifest(&out).unwrap_or_else(|e| panic!("{signal}: {e}")),
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
        }
        let r = negcycle(&[
            "run", "--trials", "20", "--cycles", "1", "-q", "--out", &out,
        ]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        verify_manifest(&out).unwrap();
        let stale: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect();
        assert!(stale.is_empty(), "{signal}: {stale:?}");
    }
}

#[test]
fn concurrent_runs_into_one_folder_never_leave_a_mixed_set() {
    let dir = TempDir::new("concurrent");
    let out = dir.arg("out");
    for attempt in 0..10 {
        let spawn = |cycles: &str, seed: &str| {
            Command::new(BIN)
                .args([
                    "run",
                    "--trials",
                    "300",
                    "--cycles",
                    cycles,
                    "--seed",
                    seed,
                    "--threads",
                    "1",
                    "-q",
                    "--out",
                    &out,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("1,2", "1"), spawn("1,5", "2"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let codes = (a.status.code(), b.status.code());
        assert!(
            matches!(codes, (Some(0), Some(0) | Some(1)) | (Some(1), Some(0))),
            "attempt {attempt}: {codes:?}"
        );
        for o in [&a, &b] {
            if o.status.code() == Some(1) {
                let e = String::from_utf8_lossy(&o.stderr);
                assert!(e.contains("another negcycle run"), "{e}");
            }
        }
        verify_manifest(&out).unwrap_or_else(|e| panic!("attempt {attempt}: {e}"));
        // The JSON and the CSV come from one run.
        let json = std::fs::read_to_string(Path::new(&out).join("report.json")).unwrap();
        let csv = std::fs::read_to_string(Path::new(&out).join("report.csv")).unwrap();
        let five = json.contains("\"base/5\"");
        assert_eq!(
            five,
            csv.contains(",base/5,"),
            "attempt {attempt}: mixed set"
        );
    }
}

// Class 6: control characters and formulas in names ------------------------------------------

#[test]
fn hostile_names_are_quoted_in_csv_valid_in_svg_and_escaped_on_the_terminal() {
    let dir = TempDir::new("names");
    for (tag, name) in [
        ("cr", "a\rb"),
        ("nul", "a\u{0}b"),
        ("esc", "x\u{1b}[31mRED\u{1b}[0m"),
        ("ff", "a\u{c}b"),
        ("osc", "\u{1b}]0;title\u{7}t"),
        ("formula", "=cmd|' /C calc'!A0"),
        ("c1", "a\u{9b}b"),
    ] {
        let mut s = flagship();
        s.name = name.to_string();
        s.units = name.to_string();
        let file = dir.write(
            &format!("{tag}.toml"),
            s.to_toml_string().unwrap().as_bytes(),
        );
        let out = dir.join(&format!("out-{tag}"));
        let r = negcycle(&[
            "run".as_ref(),
            "--scenario".as_ref(),
            file.as_os_str(),
            "--trials".as_ref(),
            "20".as_ref(),
            "--cycles".as_ref(),
            "1,2".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(r.code, Some(0), "{tag}: {}", r.stderr);
        let check = negcycle(&["check".as_ref(), file.as_os_str()]);
        assert_eq!(check.code, Some(0), "{tag}: {}", check.stderr);
        for (what, bytes) in [("table", &r.stdout), ("check", &check.stdout)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n'),
                "{tag}: raw control character in the {what} output"
            );
        }
        let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
        for row in csv.split('\n').filter(|r| !r.is_empty()).skip(1).take(3) {
            let first = row.split(",base/").next().unwrap();
            assert!(
                first.starts_with('"') && first.ends_with('"'),
                "{tag}: {first:?}"
            );
            assert!(
                !first[1..].starts_with('='),
                "{tag}: formula not neutralised"
            );
        }
        for svg in ["metrics_by_cycle.svg", "deadline_effect.svg"] {
            let text = std::fs::read_to_string(out.join(svg)).unwrap();
            assert!(
                !text.chars().any(
                    |c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}')
                ),
                "{tag}: {svg} holds a character XML forbids"
            );
        }
    }
}
