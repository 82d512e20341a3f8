//! The points file (`points.jsonl`): a header line (the plan and the shard), then one line per
//! design point in run order, appended and flushed to disk as points finish, so memory stays
//! flat in the number of points, a killed run loses at most the points in flight, and
//! [`run_points`] with `resume` continues from what was written (after checking that the header
//! is exactly the one this plan writes). [`merge_points`] joins the files of `--shard I/N` runs
//! into exactly the file of the unsharded run.
//!
//! Points run in waves of a few per worker thread; each point is a pure function of the plan
//! and its index, and lines are written in index order, so the bytes do not depend on the
//! thread count, on sharding or on interruptions.

use super::plan::{POINTS_FORMAT, Plan, PointRecord};
use crate::error::Error;
use crate::run::shard_range;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// Points per worker thread in one wave (written together).
const WAVE_PER_THREAD: usize = 4;

/// The first line of a points file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsHeader {
    /// The points format ([`POINTS_FORMAT`]).
    pub negcycle_explore_points: u32,
    /// `[I, N]` for shard I of N; null for the whole design.
    pub shard: Option<[u64; 2]>,
    /// The plan.
    pub plan: Plan,
}

impl PointsHeader {
    /// The header line (compact JSON, no newline).
    ///
    /// # Errors
    /// [`Error::Internal`] if it cannot be serialised.
    pub fn line(&self) -> Result<String, Error> {
        serde_json::to_string(self).map_err(|e| Error::Internal(format!("points header: {e}")))
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The design points `[start, end)` that a shard (or the whole run) covers.
///
/// # Errors
/// As [`shard_range`].
pub fn point_range(plan: &Plan, shard: Option<(u64, u64)>) -> Result<(usize, usize), Error> {
    match shard {
        None => Ok((0, plan.points)),
        Some((i, n)) => {
            let (a, b) = shard_range(plan.points as u64, i, n)?;
            Ok((a as usize, b as usize))
        }
    }
}

/// What [`run_points`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunCount {
    /// Points found already written (resume).
    pub skipped: usize,
    /// Points simulated now.
    pub simulated: usize,
}

/// Reads a points file record by record, without holding them: `visit` gets each complete
/// point line in order. Returns the header line's text, the header, the number of records and
/// the byte length of the valid prefix (a last line cut off by a killed run is not part of it).
///
/// # Errors
/// [`Error::Io`] for reading; [`Error::Json`] naming the file and line for a line that is not a
/// point record (other than a cut-off last line); whatever `visit` returns.
pub fn visit_points(
    path: &Path,
    visit: &mut dyn FnMut(&PointsHeader, PointRecord) -> Result<(), Error>,
) -> Result<(String, PointsHeader, usize, u64), Error> {
    let file = File::open(path).map_err(|e| io(path, e))?;
    let mut reader = BufReader::new(file);
    let origin = path.display().to_string();
    let json_err = |line: usize, e: serde_json::Error| Error::Json {
        origin: format!("{origin}, line {line}"),
        message: e.to_string(),
    };
    let mut header_text = String::new();
    reader
        .read_line(&mut header_text)
        .map_err(|e| io(path, e))?;
    if !header_text.ends_with('\n') {
        return Err(Error::Json {
            origin: format!("{origin}, line 1"),
            message: "no complete header line".into(),
        });
    }
    header_text.pop();
    let header: PointsHeader = serde_json::from_str(&header_text).map_err(|e| json_err(1, e))?;
    let mut valid = header_text.len() as u64 + 1;
    let mut count = 0;
    let mut line = String::new();
    let mut number = 1;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| io(path, e))?;
        if n == 0 {
            break;
        }
        number += 1;
        if !line.ends_with('\n') {
            // A line cut off by a killed run: not part of the file's valid prefix.
            break;
        }
        let rec: PointRecord =
            serde_json::from_str(line.trim_end()).map_err(|e| json_err(number, e))?;
        visit(&header, rec)?;
        count += 1;
        valid += n as u64;
    }
    Ok((header_text, header, count, valid))
}

/// Reads a whole points file into memory (see [`visit_points`], which does not): the header
/// line's text, the header, the records, and the byte length of the valid prefix.
///
/// # Errors
/// As [`visit_points`].
pub fn read_points(path: &Path) -> Result<(String, PointsHeader, Vec<PointRecord>, u64), Error> {
    let mut records = Vec::new();
    let (text, header, _, valid) = visit_points(path, &mut |_, r| {
        records.push(r);
        Ok(())
    })?;
    Ok((text, header, records, valid))
}

/// Simulates the points of `shard` (all of them if `None`) into the points file `path`,
/// appending and flushing after each wave; `progress(done, total)` after each wave. With
/// `resume`, an existing file must have exactly this plan's header; its complete points are
/// kept and the rest run. Without it, an existing non-empty file is refused.
///
/// # Errors
/// [`Error::Refused`] for an existing file without `resume`, or a file of another plan or
/// shard; [`Error::Io`]; [`Error::Json`] for a damaged file; the points' own errors.
pub fn run_points(
    plan: &Plan,
    path: &Path,
    shard: Option<(u64, u64)>,
    resume: bool,
    threads: Option<usize>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<RunCount, Error> {
    let (start, end) = point_range(plan, shard)?;
    let header = PointsHeader {
        negcycle_explore_points: POINTS_FORMAT,
        shard: shard.map(|(i, n)| [i, n]),
        plan: plan.clone(),
    };
    let header_line = header.line()?;
    let exists = std::fs::symlink_metadata(path).is_ok();
    if exists && std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(io(path, "exists and is not a regular file"));
    }
    let mut done = start;
    let mut file = if exists && std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        if !resume {
            return Err(Error::Refused {
                what: path.display().to_string(),
                rule: "a points file is already there: add --resume to continue it, or choose \
                       another output folder"
                    .into(),
            });
        }
        let mut first = String::new();
        BufReader::new(File::open(path).map_err(|e| io(path, e))?)
            .read_line(&mut first)
            .map_err(|e| io(path, e))?;
        if first.trim_end_matches('\n') != header_line {
            return Err(Error::Refused {
                what: path.display().to_string(),
                rule: "it was written by another exploration (a different plan, version or \
                       shard); --resume continues only the same command"
                    .into(),
            });
        }
        let mut expected = start;
        let (text, _, count, valid) = visit_points(path, &mut |_, r| {
            if r.point != expected || r.point >= end {
                return Err(Error::Json {
                    origin: path.display().to_string(),
                    message: format!(
                        "line {} holds point {}, expected {expected}",
                        expected - start + 2,
                        r.point
                    ),
                });
            }
            expected += 1;
            Ok(())
        })?;
        if text != header_line {
            return Err(Error::Refused {
                what: path.display().to_string(),
                rule: "it was written by another exploration (a different plan, version or \
                       shard); --resume continues only the same command"
                    .into(),
            });
        }
        done = start + count;
        let f = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        f.set_len(valid).map_err(|e| io(path, e))?;
        drop(f);
        OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| io(path, e))?
    } else {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        f.write_all(header_line.as_bytes())
            .and_then(|()| f.write_all(b"\n"))
            .and_then(|()| f.sync_data())
            .map_err(|e| io(path, e))?;
        f
    };
    let skipped = done - start;
    let unit = plan.unit_points()?;
    let total = end - start;
    progress(skipped, total);
    let pool = match threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::Internal(format!("thread pool: {e}")))?,
        ),
        None => None,
    };
    let workers = pool
        .as_ref()
        .map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    let wave = (workers * WAVE_PER_THREAD).max(1);
    while done < end {
        let upto = (done + wave).min(end);
        let compute = || {
            (done..upto)
                .into_par_iter()
                .map(|i| plan.run_point(i, &unit[i]))
                .collect::<Vec<_>>()
        };
        let results = match &pool {
            Some(p) => p.install(compute),
            None => compute(),
        };
        let mut text = String::new();
        for r in results {
            let rec = r?;
            let line = serde_json::to_string(&rec)
                .map_err(|e| Error::Internal(format!("point record: {e}")))?;
            text.push_str(&line);
            text.push('\n');
        }
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| io(path, e))?;
        done = upto;
        progress(done - start, total);
    }
    Ok(RunCount {
        skipped,
        simulated: end - start - skipped,
    })
}

/// Joins the points files of shards `0/N … N−1/N` of one plan (in any order) into `out`:
/// exactly the file the unsharded run writes.
///
/// # Errors
/// [`Error::Merge`] for files of different plans, a missing, repeated or incomplete shard, or
/// an unsharded file; [`Error::Io`], [`Error::Json`].
pub fn merge_points(files: &[&Path], out: &Path) -> Result<Plan, Error> {
    let merge = |rule: String| Error::Merge { rule };
    let mut parts = Vec::with_capacity(files.len());
    for path in files {
        let (_, header, count, _) = visit_points(path, &mut |_, _| Ok(()))?;
        let Some([i, n]) = header.shard else {
            return Err(merge(format!(
                "{} is not a shard's points file",
                path.display()
            )));
        };
        parts.push((i, n, header.plan, count, *path));
    }
    let Some(first) = parts.first() else {
        return Err(merge("no files given".into()));
    };
    let (n, plan) = (first.1, first.2.clone());
    if parts.iter().any(|p| p.1 != n || p.2 != plan) {
        return Err(merge(
            "the files come from different explorations or shard counts".into(),
        ));
    }
    parts.sort_by_key(|p| p.0);
    let indices: Vec<u64> = parts.iter().map(|p| p.0).collect();
    if indices != (0..n).collect::<Vec<_>>() {
        return Err(merge(format!(
            "shards 0..{n} are each needed once; got {indices:?}"
        )));
    }
    for (i, _, _, count, path) in &parts {
        let (a, b) = point_range(&plan, Some((*i, n)))?;
        if *count != b - a {
            return Err(merge(format!(
                "{} (shard {i}/{n}) holds {count} of its {} points: finish it with --resume",
                path.display(),
                b - a
            )));
        }
    }
    let header = PointsHeader {
        negcycle_explore_points: POINTS_FORMAT,
        shard: None,
        plan: plan.clone(),
    };
    let mut f = File::create(out).map_err(|e| io(out, e))?;
    let mut w = std::io::BufWriter::new(&mut f);
    writeln!(w, "{}", header.line()?).map_err(|e| io(out, e))?;
    for (_, _, _, count, path) in &parts {
        let reader = BufReader::new(File::open(path).map_err(|e| io(path, e))?);
        for line in reader.lines().skip(1).take(*count) {
            let line = line.map_err(|e| io(path, e))?;
            writeln!(w, "{line}").map_err(|e| io(out, e))?;
        }
    }
    w.flush().map_err(|e| io(out, e))?;
    drop(w);
    f.sync_all().map_err(|e| io(out, e))?;
    Ok(plan)
}
