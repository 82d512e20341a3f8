//! Partial reports: the statistics of one shard of an experiment, and their merge.
//!
//! A part is trusted only as far as it checks out: its `checksum` (SHA-256 of the canonical JSON
//! of everything else in the part) must match, its header's fingerprint must match the header,
//! every part must carry the same header, and its statistics must have exactly the shape the
//! header implies (arms, hosts, 19 metrics, paired entries, histogram edges), hold exactly its
//! trial range in every metric, and be internally consistent (min ≤ mean ≤ max, a variance no
//! larger than the range allows, histogram totals no larger than the negotiations). Every
//! failure names the part and the field.

use super::header::Header;
use crate::error::Error;
use crate::metrics::N_METRICS;
use crate::stats::{MetricTally, QUANTILE_ROUNDING_SLACK};
use crate::tally::Tally;
use serde::{Deserialize, Serialize};

/// The format marker of partial reports written by this version.
pub const PARTIAL_FORMAT: u32 = 2;

/// The result of one shard: trials `[start, end)` of an experiment, mergeable with the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialReport {
    /// Marks the file as a negcycle partial report, format [`PARTIAL_FORMAT`].
    pub negcycle_partial: u32,
    /// The experiment.
    pub header: Header,
    /// First trial of this shard.
    pub start: u64,
    /// One past its last trial.
    pub end: u64,
    /// Its statistics.
    pub tally: Tally,
    /// SHA-256 (hex) of the canonical JSON of the part with this field empty.
    pub checksum: String,
}

impl PartialReport {
    /// Largest accepted partial-report file, bytes (1 GiB).
    ///
    /// A part holds a fixed number of values per arm, host and metric (moments, a quantile
    /// sketch of at most 4096 buckets per sign, two histograms), so its size is bounded by the
    /// experiment's shape, not its trials: an experiment at the limit of
    /// [`crate::run::MAX_ARM_HOSTS`] writes parts of about 100 MiB. The cap leaves room for
    /// that and stops a mistaken path from being read into memory whole.
    pub const MAX_FILE_BYTES: u64 = 1 << 30;

    /// Reads the text of a partial-report file, with the same reader and rules as scenario
    /// files: a regular file (after following symlinks; a FIFO or device is refused before it
    /// is opened or read) of at most [`PartialReport::MAX_FILE_BYTES`], read once, UTF-8, not
    /// empty.
    ///
    /// # Errors
    /// [`Error::Input`] naming the path and the rule it breaks.
    pub fn read_text(path: impl AsRef<std::path::Path>) -> Result<String, Error> {
        let path = path.as_ref();
        let rule = super::write::FileRule {
            what: "a partial report",
            max_bytes: Self::MAX_FILE_BYTES,
            cap_name: "PartialReport::MAX_FILE_BYTES",
        };
        let input = |message: String| Error::Input {
            path: path.display().to_string(),
            message,
        };
        let text = super::write::read_text_file(path, &rule).map_err(input)?;
        if text.trim().is_empty() {
            return Err(input("the file is empty".into()));
        }
        Ok(text)
    }

    /// Reads and parses a partial-report file ([`PartialReport::read_text`], then
    /// [`PartialReport::from_json_str`] naming the path). It is not yet checked: see
    /// [`PartialReport::verify`].
    ///
    /// # Errors
    /// As [`PartialReport::read_text`] and [`PartialReport::from_json_str`].
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<PartialReport, Error> {
        let path = path.as_ref();
        Self::from_json_str(&Self::read_text(path)?, &path.display().to_string())
    }

    pub(crate) fn new(
        header: Header,
        (start, end): (u64, u64),
        tally: Tally,
    ) -> Result<PartialReport, Error> {
        let mut p = PartialReport {
            negcycle_partial: PARTIAL_FORMAT,
            header,
            start,
            end,
            tally,
            checksum: String::new(),
        };
        p.checksum = p.compute_checksum()?;
        Ok(p)
    }

    /// Recomputes the checksum from the other fields.
    ///
    /// # Errors
    /// [`Error::Internal`] if the part cannot be serialised (it always can).
    pub fn compute_checksum(&self) -> Result<String, Error> {
        let mut blank = self.clone();
        blank.checksum = String::new();
        let text =
            serde_json::to_vec(&blank).map_err(|e| Error::Internal(format!("checksum: {e}")))?;
        Ok(super::write::sha256_hex(&text))
    }

    /// The partial report as JSON (one line).
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        serde_json::to_string(self).map_err(|e| Error::Internal(format!("partial report: {e}")))
    }

    /// Reads a partial report from JSON written by this version.
    ///
    /// # Errors
    /// [`Error::Json`] naming `origin` if the text is not a partial report (unknown keys, a
    /// missing field, a format other than [`PARTIAL_FORMAT`], a mistyped value).
    pub fn from_json_str(text: &str, origin: &str) -> Result<PartialReport, Error> {
        let p: PartialReport = serde_json::from_str(text).map_err(|e| Error::Json {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        if p.negcycle_partial != PARTIAL_FORMAT {
            return Err(Error::Json {
                origin: origin.to_string(),
                message: format!(
                    "negcycle_partial: format {} is not this version's ({PARTIAL_FORMAT})",
                    p.negcycle_partial
                ),
            });
        }
        Ok(p)
    }

    /// Writes the partial report to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn write_json(&self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        super::write_atomic(path.as_ref(), self.to_json_string()?.as_bytes())
    }

    /// Checks this part on its own: checksum, fingerprint, range and statistics (see the
    /// module docs).
    ///
    /// # Errors
    /// [`Error::Merge`] naming the part `[start, end)` and the field.
    pub fn verify(&self) -> Result<(), Error> {
        let (start, end) = (self.start, self.end);
        let bad = |field: &str, rule: String| Error::Merge {
            rule: format!("part [{start}, {end}): {field}: {rule}"),
        };
        if self.negcycle_partial != PARTIAL_FORMAT {
            return Err(bad(
                "negcycle_partial",
                format!("must be {PARTIAL_FORMAT}, got {}", self.negcycle_partial),
            ));
        }
        if self.compute_checksum()? != self.checksum {
            return Err(bad(
                "checksum",
                "does not match the part's contents (edited or damaged file?)".into(),
            ));
        }
        if self.header.compute_fingerprint()? != self.header.fingerprint {
            return Err(bad(
                "header.fingerprint",
                "does not match the header (edited file?)".into(),
            ));
        }
        if start > end || end > self.header.trials {
            return Err(bad(
                "start/end",
                format!("outside the experiment's {} trials", self.header.trials),
            ));
        }
        let h = &self.header;
        if h.reference >= h.arms.len() {
            return Err(bad(
                "header.reference",
                format!("must be < {} arms, got {}", h.arms.len(), h.reference),
            ));
        }
        let t = &self.tally;
        if t.reference != h.reference {
            return Err(bad(
                "tally.reference",
                format!("must be the header's {}, got {}", h.reference, t.reference),
            ));
        }
        if t.arms.len() != h.arms.len() {
            return Err(bad(
                "tally.arms",
                format!("must hold {} arms, got {}", h.arms.len(), t.arms.len()),
            ));
        }
        let n = end - start;
        let totals = if h.hosts.len() > 1 {
            crate::alliance::TOTALS.len()
        } else {
            0
        };
        for (k, arm) in t.arms.iter().enumerate() {
            let paired = if k == h.reference { 0 } else { 1 };
            let at = |what: &str| format!("tally.arms[{k}].{what}");
            if arm.hosts.len() != h.hosts.len() {
                return Err(bad(
                    &at("hosts"),
                    format!("must hold {} hosts, got {}", h.hosts.len(), arm.hosts.len()),
                ));
            }
            if arm.totals.len() != totals || arm.totals_paired.len() != paired * totals {
                return Err(bad(&at("totals"), "wrong number of totals".into()));
            }
            for (i, host) in arm.hosts.iter().enumerate() {
                let at = |what: &str| format!("tally.arms[{k}].hosts[{i}].{what}");
                if host.metrics.len() != N_METRICS {
                    return Err(bad(
                        &at("metrics"),
                        format!("must hold {N_METRICS} metrics, got {}", host.metrics.len()),
                    ));
                }
                if host.paired.len() != paired * N_METRICS {
                    return Err(bad(
                        &at("paired"),
                        format!(
                            "must hold {} entries, got {}",
                            paired * N_METRICS,
                            host.paired.len()
                        ),
                    ));
                }
            }
        }
        for (place, m) in t.metric_tallies() {
            check_metric(m, n).map_err(|r| bad(&place, r))?;
        }
        for (place, p) in t.paired_tallies() {
            check_count(p.count(), p.rejected(), n).map_err(|r| bad(&place, r))?;
        }
        Ok(())
    }
}

fn check_count(count: u64, rejected: u64, n: u64) -> Result<(), String> {
    if rejected != 0 {
        return Err(format!(
            "{rejected} rejected values (this version rejects none)"
        ));
    }
    if count != n {
        return Err(format!("holds {count} values for {n} trials"));
    }
    Ok(())
}

/// A metric tally's internal consistency: its count, its sketch's count, and moments that a
/// real sample could have (min ≤ mean ≤ max; sample variance at most n/(n−1)·(max−min)²/4,
/// Popoviciu's bound).
fn check_metric(m: &MetricTally, n: u64) -> Result<(), String> {
    check_count(m.count(), m.rejected(), n)?;
    if m.sketch().count() != n {
        return Err(format!(
            "its quantile sketch holds {} values for {n} trials",
            m.sketch().count()
        ));
    }
    let mo = m.moments();
    if n == 0 {
        return Ok(());
    }
    let (lo, hi, mean) = (mo.min(), mo.max(), mo.mean());
    let slack = 1e-9 * lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE);
    let consistent = lo <= hi && mean >= lo - slack && mean <= hi + slack;
    if !consistent {
        return Err(format!(
            "inconsistent moments: min {lo}, mean {mean}, max {hi}"
        ));
    }
    if n >= 2 {
        let nf = n as f64;
        let bound = nf / (nf - 1.0) * (hi - lo).powi(2) / 4.0;
        let var = mo.variance();
        if !(var.is_finite() && var >= 0.0 && var <= bound * (1.0 + 1e-9) + slack * slack) {
            return Err(format!(
                "inconsistent moments: variance {var} exceeds what min {lo} and max {hi} allow"
            ));
        }
    } else if mo.variance() != 0.0 {
        return Err("inconsistent moments: one value with a non-zero variance".into());
    }
    // The sketch's extreme representatives lie within its relative error of the exact min and
    // max (subnormal magnitudes count as 0); a collapsed sketch has no such bound below.
    let sketch = m.sketch();
    if let (false, Some(q0), Some(q1)) = (
        sketch.is_collapsed(),
        sketch.quantile(0.0),
        sketch.quantile(1.0),
    ) {
        let alpha = sketch.relative_accuracy() + QUANTILE_ROUNDING_SLACK;
        let off = |x: f64| alpha * x.abs() + f64::MIN_POSITIVE;
        if q0 < lo - off(lo) || q1 > hi + off(hi) {
            return Err(format!(
                "its quantile sketch spans [{q0}, {q1}] outside min {lo} and max {hi}"
            ));
        }
    }
    Ok(())
}

/// Checks the parts of one experiment (each on its own, the same header, ranges tiling
/// `[0, trials)` exactly) and merges them in trial order. With `names` (one per part, e.g. its
/// file), every message about a part starts with its name.
///
/// # Errors
/// [`Error::Merge`] naming the first problem.
pub(crate) fn merge<'p>(
    parts: &'p [PartialReport],
    names: Option<&[&str]>,
) -> Result<(&'p Header, Tally), Error> {
    let named = |i: usize, e: Error| match (e, names.and_then(|n| n.get(i))) {
        (Error::Merge { rule }, Some(name)) => Error::Merge {
            rule: format!("{name}: {rule}"),
        },
        (e, _) => e,
    };
    let first = parts.first().ok_or_else(|| Error::Merge {
        rule: "no partial reports to merge".into(),
    })?;
    let header = &first.header;
    let than = names
        .and_then(|n| n.first())
        .map_or(String::new(), |f| format!(" than {f}"));
    for (i, p) in parts.iter().enumerate() {
        p.verify().map_err(|e| named(i, e))?;
        if &p.header != header {
            let e = Error::Merge {
                rule: format!(
                    "part [{}, {}) comes from a different experiment{than} (fingerprint {} vs \
                     {})",
                    p.start, p.end, p.header.fingerprint, header.fingerprint
                ),
            };
            return Err(named(i, e));
        }
    }
    let order = covering_order(parts.iter().map(|p| (p.start, p.end)), header.trials)?;
    let mut tally = parts[order[0]].tally.clone();
    for &i in &order[1..] {
        tally.merge_from(&parts[i].tally).map_err(|e| {
            let e = Error::Merge {
                rule: format!("part [{}, {}): {e}", parts[i].start, parts[i].end),
            };
            named(i, e)
        })?;
    }
    Ok((header, tally))
}

/// Checks that the trial ranges `[start, end)` of the parts tile `[0, trials)` exactly and
/// returns the parts' indices in trial order.
///
/// # Errors
/// [`Error::Merge`] naming the first gap or overlap.
fn covering_order(
    ranges: impl Iterator<Item = (u64, u64)>,
    trials: u64,
) -> Result<Vec<usize>, Error> {
    let ranges: Vec<(u64, u64)> = ranges.collect();
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i]);
    let mut next = 0u64;
    for &i in &order {
        let (start, end) = ranges[i];
        if start > next {
            return Err(Error::Merge {
                rule: format!("gap: trials [{next}, {start}) are missing"),
            });
        }
        if start < next {
            return Err(Error::Merge {
                rule: format!(
                    "overlap: trials [{start}, {}) appear in more than one part",
                    next.min(end)
                ),
            });
        }
        next = end;
    }
    if next != trials {
        return Err(Error::Merge {
            rule: format!("gap: trials [{next}, {trials}) are missing"),
        });
    }
    Ok(order)
}
