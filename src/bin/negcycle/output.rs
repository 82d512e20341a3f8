//! Output: checking and opening `--out`, writing its set of files, and printing a report in
//! the chosen format.

use crate::args::Format;
use crate::{Failure, emit, emit_text, invalid, note, output_failure, with_newline};
use negcycle::Report;
use negcycle::report::write::{OutputDir, SharedOutputDir};
use std::path::Path;

/// Checks that `--out` is absent, or a directory, or does not exist yet (it is created only
/// once the results are ready).
pub(crate) fn check_out_dir(out: Option<&Path>) -> Result<(), Failure> {
    if let Some(dir) = out {
        negcycle::report::write::check_output_folder(dir)
            .map_err(|rule| invalid(format!("--out: {}: {rule}", dir.display())))?;
    }
    Ok(())
}

/// Opens `--out` for a run's set of files, before the simulation starts: created if missing,
/// locked against a concurrent run, leftovers of killed runs removed, checked writable. A
/// failure here is an output failure (exit status 1); [`check_out_dir`] has already refused an
/// `--out` that cannot be a directory (exit status 2).
pub(crate) fn open_out(out: Option<&Path>) -> Result<Option<OutputDir>, Failure> {
    out.map(OutputDir::open).transpose().map_err(output_failure)
}

/// Opens `--out` for a shard's partial report, before the simulation starts (a shared lock:
/// shards may run into one directory at the same time).
pub(crate) fn open_shard_out(out: Option<&Path>) -> Result<Option<SharedOutputDir>, Failure> {
    out.map(OutputDir::open_shared)
        .transpose()
        .map_err(output_failure)
}

/// Stages `files` (name, content) into `out`, commits them as one set with its manifest, and
/// reports every file written unless `quiet`.
fn write_set(mut out: OutputDir, files: &[(&str, &[u8])], quiet: bool) -> Result<(), Failure> {
    for (name, bytes) in files {
        out.stage(name, bytes).map_err(output_failure)?;
    }
    for path in out.commit().map_err(output_failure)? {
        note(quiet, &format!("wrote {}", path.display()));
    }
    Ok(())
}

/// Prints a shard's partial report (JSON), also written to DIR/shard_I_of_N.json with --out.
pub(crate) fn output_shard(
    json: String,
    (index, count): (u64, u64),
    out: Option<SharedOutputDir>,
    quiet: bool,
) -> Result<(), Failure> {
    let json = with_newline(json);
    if let Some(dir) = out {
        let name = format!("shard_{index}_of_{count}.json");
        let path = dir.write(&name, json.as_bytes()).map_err(output_failure)?;
        note(quiet, &format!("wrote {}", path.display()));
    }
    emit(&json)
}

pub(crate) fn format_name(f: Format) -> &'static str {
    match f {
        Format::Table => "table",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
    }
}

/// Writes the report's files into `out` (if given: report.json, report.csv and, for one host,
/// the charts), then prints it in `format`.
pub(crate) fn output_report(
    report: &Report,
    format: Format,
    out: Option<OutputDir>,
    quiet: bool,
) -> Result<(), Failure> {
    output_files(
        report,
        "report",
        format,
        out,
        quiet,
        &report.table().to_string(),
        &[],
    )
}

/// Writes `STEM.json`, `STEM.csv` and the charts into `out` as one set with
/// its manifest, then prints `table` or the chosen format. Given `metrics` (a sweep's chosen
/// metrics), the CSV, the JSON lines and the sweep chart hold only those (the JSON every
/// metric); empty, everything.
pub(crate) fn output_files(
    report: &Report,
    stem: &str,
    format: Format,
    out: Option<OutputDir>,
    quiet: bool,
    table: &str,
    metrics: &[&str],
) -> Result<(), Failure> {
    let json = with_newline(report.to_json_string().map_err(output_failure)?);
    let tidy = only_metrics(report, metrics);
    let csv = tidy.to_csv_string();
    if let Some(dir) = out {
        // Mutated only by the charts (feature `plot`).
        #[cfg_attr(not(feature = "plot"), allow(unused_mut))]
        let mut files: Vec<(String, Vec<u8>)> = vec![
            (format!("{stem}.json"), json.clone().into_bytes()),
            (format!("{stem}.csv"), csv.clone().into_bytes()),
        ];
        #[cfg(feature = "plot")]
        if stem == "sweep" {
            let svg = negcycle::plot::sweep_chart_svg(report, metrics).map_err(output_failure)?;
            files.push(("sweep.svg".to_string(), svg.into_bytes()));
        } else {
            // Metrics by cycle, the paired differences (when there is more than one arm) and
            // the deadline effect; alliances get a section per host and for the patron.
            for (name, svg) in negcycle::plot::all_run_charts_svg(report).map_err(output_failure)? {
                files.push((name.to_string(), svg.into_bytes()));
            }
        }
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        write_set(dir, &borrowed, quiet)?;
    }
    match format {
        Format::Table => emit_text(&with_newline(table.to_string())),
        Format::Json => emit(&json),
        Format::Jsonl => emit(&tidy.to_jsonl_string().map_err(output_failure)?),
        Format::Csv => emit(&csv),
    }
}

/// `report` with only the rows of `metrics` (host metrics and the patron's totals); all of
/// them if `metrics` is empty.
fn only_metrics(report: &Report, metrics: &[&str]) -> Report {
    let mut r = report.clone();
    if !metrics.is_empty() {
        let keep = |name: &str| metrics.contains(&name);
        for arm in &mut r.arms {
            for host in &mut arm.hosts {
                host.metrics.retain(|m| keep(&m.metric));
            }
            arm.totals.retain(|m| keep(&m.metric));
        }
    }
    r
}
