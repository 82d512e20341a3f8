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
use crate::stats::{
    DEFAULT_MAX_BUCKETS, DEFAULT_RELATIVE_ACCURACY, MetricTally, Moments, Paired,
    QUANTILE_ROUNDING_SLACK,
};
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
    /// Largest accepted partial-report file, bytes (512 MiB).
    ///
    /// A part holds a fixed number of values per arm, host and metric (moments, a quantile
    /// sketch of at most 4096 buckets per sign, two histograms), so its size follows the
    /// experiment's shape, not its trials: 64 hosts × 64 arms (the limit of
    /// [`crate::run::MAX_ARM_HOSTS`]) over 1000 trials write a part of 112 MB. The cap leaves
    /// room for that, bounds the memory of parsing one part to a few GiB, and stops a mistaken
    /// path from being read into memory whole.
    pub const MAX_FILE_BYTES: u64 = 512 << 20;

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
        let p: PartialReport = serde_json::from_str(text).map_err(|e| {
            let path = json_path_at(text, offset_of(text, e.line(), e.column()));
            let at = if path.is_empty() {
                String::new()
            } else {
                format!("{path}: ")
            };
            Error::Json {
                origin: origin.to_string(),
                message: format!("{at}{e}"),
            }
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
        // The engine runs no larger experiment: a header past the caps is not one it wrote.
        if h.hosts.len() > crate::alliance::MAX_HOSTS
            || h.arms.len().saturating_mul(h.hosts.len()) > crate::run::MAX_ARM_HOSTS
        {
            return Err(bad(
                "header.arms",
                format!(
                    "{} arms × {} hosts; an experiment has at most {} hosts (MAX_HOSTS) and {} \
                     arm-host histories (MAX_ARM_HOSTS)",
                    h.arms.len(),
                    h.hosts.len(),
                    crate::alliance::MAX_HOSTS,
                    crate::run::MAX_ARM_HOSTS
                ),
            ));
        }
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
        // Shapes are checked above: every index below exists.
        let reference = &t.arms[h.reference];
        for (k, arm) in t.arms.iter().enumerate() {
            for (i, host) in arm.hosts.iter().enumerate() {
                let at = |what: &str| format!("tally.arms[{k}].hosts[{i}].{what}");
                check_histograms(host, n).map_err(|r| bad(&at("signing/lapse"), r))?;
                for (j, p) in host.paired.iter().enumerate() {
                    let name = crate::METRICS[j].name;
                    check_paired(p, &host.metrics[j], &reference.hosts[i].metrics[j], n)
                        .map_err(|r| bad(&at(&format!("paired.{name}")), r))?;
                }
            }
            for (j, p) in arm.totals_paired.iter().enumerate() {
                let name = crate::alliance::TOTALS[j].0;
                check_paired(p, &arm.totals[j], &reference.totals[j], n)
                    .map_err(|r| bad(&format!("tally.arms[{k}].totals_paired.{name}"), r))?;
            }
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

/// Relative rounding allowance of the consistency checks: sums over at most 2·4096 sketch
/// buckets and a few roundings of f64 (each ≤ 2⁻⁵³ ≈ 1.1·10⁻¹⁶) stay far below it.
const CHECK_SLACK: f64 = 1e-12;

/// Moments that a real sample of `n` values could have: min ≤ mean ≤ max, and a sample
/// variance of at most n/(n−1)·(max−min)²/4 (Popoviciu's bound).
fn check_moments(mo: &Moments, n: u64) -> Result<(), String> {
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
    Ok(())
}

/// A metric tally's internal consistency: its count, its sketch's count and settings,
/// moments that a real sample could have ([`check_moments`]), and moments that agree with the
/// sketch.
///
/// Every value lies within relative error α (the sketch's accuracy) of its bucket's
/// representative `v`: `|v − x| ≤ α·|x| ≤ α/(1−α)·|v|`. So, unless low buckets were collapsed,
/// the lowest and highest representatives are within α of the exact min and max, the mean of
/// the representatives is within α/(1−α)·mean|v| of the exact mean, and the mean of their
/// squares within (2α+α²)/(1−α)²·mean(v²) of the exact mean of squares. An edit of the
/// moments (a `min`, a `sum` limb) or of the bucket counts that moves a statistic by more than
/// the sketch's accuracy breaks one of these; a collapsed sketch keeps only the bounds that
/// collapsing cannot break.
fn check_metric(m: &MetricTally, n: u64) -> Result<(), String> {
    check_count(m.count(), m.rejected(), n)?;
    let sketch = m.sketch();
    if sketch.count() != n {
        return Err(format!(
            "its quantile sketch holds {} values for {n} trials",
            sketch.count()
        ));
    }
    if sketch.relative_accuracy().to_bits() != DEFAULT_RELATIVE_ACCURACY.to_bits()
        || sketch.max_buckets() != DEFAULT_MAX_BUCKETS
    {
        return Err(format!(
            "its quantile sketch has alpha {} and max_buckets {}; this version writes \
             {DEFAULT_RELATIVE_ACCURACY} and {DEFAULT_MAX_BUCKETS}",
            sketch.relative_accuracy(),
            sketch.max_buckets()
        ));
    }
    let mo = m.moments();
    check_moments(mo, n)?;
    if n == 0 {
        return Ok(());
    }
    let (lo, hi, mean) = (mo.min(), mo.max(), mo.mean());
    let (Some(q0), Some(q1)) = (sketch.quantile(0.0), sketch.quantile(1.0)) else {
        return Err("its quantile sketch is empty".into());
    };
    let alpha = sketch.relative_accuracy() + QUANTILE_ROUNDING_SLACK;
    // Values below f64::MIN_POSITIVE in magnitude are counted as exact zeros.
    let off = |x: f64| alpha * x.abs() + f64::MIN_POSITIVE;
    if sketch.is_collapsed() {
        // Collapsing only raises the magnitude of the smallest representatives.
        if q0 < lo - off(lo) || q1 > hi + off(hi) {
            return Err(format!(
                "its quantile sketch spans [{q0}, {q1}] outside min {lo} and max {hi}"
            ));
        }
        return Ok(());
    }
    if (q0 - lo).abs() > off(lo) || (q1 - hi).abs() > off(hi) {
        return Err(format!(
            "its quantile sketch spans [{q0}, {q1}], not min {lo} and max {hi} within its \
             relative accuracy {}",
            sketch.relative_accuracy()
        ));
    }
    let nf = n as f64;
    let (mut s1, mut a1, mut s2) = (0.0, 0.0, 0.0);
    for (v, c) in sketch.buckets() {
        let c = c as f64;
        s1 += c * v;
        a1 += c * v.abs();
        s2 += c * v * v;
    }
    let (s1, a1, s2) = (s1 / nf, a1 / nf, s2 / nf);
    let r1 = alpha / (1.0 - alpha) + CHECK_SLACK;
    if (s1 - mean).abs() > r1 * a1 + CHECK_SLACK * mean.abs() + f64::MIN_POSITIVE {
        return Err(format!(
            "mean {mean} differs from its quantile sketch's {s1} by more than the sketch's \
             relative accuracy allows"
        ));
    }
    let squares = ((nf - 1.0) * mo.variance() + nf * mean * mean) / nf;
    let r2 = (2.0 * alpha + alpha * alpha) / ((1.0 - alpha) * (1.0 - alpha)) + CHECK_SLACK;
    if (s2 - squares).abs() > r2 * s2 + CHECK_SLACK * squares + f64::MIN_POSITIVE {
        return Err(format!(
            "mean of squares {squares} (from mean and variance) differs from its quantile \
             sketch's {s2} by more than the sketch's relative accuracy allows"
        ));
    }
    Ok(())
}

/// A paired-difference tally against the two metric tallies it pairs (`arm − reference`, per
/// trial, each difference rounded once): its moments are a real sample's, its range lies
/// within `[min_arm − max_ref, max_arm − min_ref]`, and its mean is the difference of the two
/// means up to the rounding of the differences (each at most 2⁻⁵³·|x − r| ≤ 2⁻⁵³·M with `M`
/// the largest magnitude of either) and of the three means.
fn check_paired(
    p: &Paired,
    arm: &MetricTally,
    reference: &MetricTally,
    n: u64,
) -> Result<(), String> {
    check_count(p.count(), p.rejected(), n)?;
    let d = p.moments();
    check_moments(d, n)?;
    if n == 0 {
        return Ok(());
    }
    let (x, r) = (arm.moments(), reference.moments());
    let big = x.min().abs().max(x.max().abs()) + r.min().abs().max(r.max().abs());
    let eps = 2.0 * f64::EPSILON;
    let lo = x.min() - r.max();
    let hi = x.max() - r.min();
    if d.min() < lo - eps * big || d.max() > hi + eps * big {
        return Err(format!(
            "differences span [{}, {}], outside [{lo}, {hi}] that the paired metrics allow",
            d.min(),
            d.max()
        ));
    }
    let expected = x.mean() - r.mean();
    let tol = eps * (big + d.mean().abs() + x.mean().abs() + r.mean().abs()) + f64::MIN_POSITIVE;
    if (d.mean() - expected).abs() > tol {
        return Err(format!(
            "mean difference {} is not the difference {expected} of the paired metrics' means",
            d.mean()
        ));
    }
    Ok(())
}

/// A host's two histograms: both hold one value per completed negotiation (so equal, non-NaN
/// totals), at most the negotiations the host's `negotiations` metric counts.
fn check_histograms(host: &crate::tally::HostTally, n: u64) -> Result<(), String> {
    let (s, l) = (&host.signing, &host.lapse);
    if s.nan() != 0 || l.nan() != 0 {
        return Err("a histogram holds NaN values (this version records none)".into());
    }
    if s.total() != l.total() {
        return Err(format!(
            "signing and lapse histograms hold {} and {} negotiations (one each per completed \
             negotiation)",
            s.total(),
            l.total()
        ));
    }
    if let Some(neg) =
        crate::metrics::metric_index("negotiations").and_then(|j| host.metrics.get(j))
    {
        let opened = neg.moments().mean() * n as f64;
        if s.total() as f64 > opened.round() + 0.5 {
            return Err(format!(
                "the histograms hold {} completed negotiations, more than the {opened} opened",
                s.total()
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
    let name = |i: usize| {
        names.and_then(|n| n.get(i)).map_or_else(
            || format!("part [{}, {})", parts[i].start, parts[i].end),
            |n| (*n).to_string(),
        )
    };
    let order = covering_order(parts.iter().map(|p| (p.start, p.end)), header.trials, name)?;
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
/// returns the parts' indices in trial order. `name(i)` names part `i` in messages (its file, or
/// its range).
///
/// # Errors
/// [`Error::Merge`] naming the first gap or overlap and the parts around it.
fn covering_order(
    ranges: impl Iterator<Item = (u64, u64)>,
    trials: u64,
    name: impl Fn(usize) -> String,
) -> Result<Vec<usize>, Error> {
    let ranges: Vec<(u64, u64)> = ranges.collect();
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i]);
    let mut next = 0u64;
    let mut previous: Option<usize> = None;
    let after = |p: Option<usize>| p.map_or(String::new(), |p| format!(" after {}", name(p)));
    for &i in &order {
        let (start, end) = ranges[i];
        if start > next {
            return Err(Error::Merge {
                rule: format!(
                    "gap: trials [{next}, {start}) are missing{} and before {}",
                    after(previous),
                    name(i)
                ),
            });
        }
        if start < next {
            let other = previous.map_or(String::new(), |p| format!(" and {}", name(p)));
            return Err(Error::Merge {
                rule: format!(
                    "overlap: trials [{start}, {}) appear in more than one part ({}{other})",
                    next.min(end),
                    name(i)
                ),
            });
        }
        next = end;
        previous = Some(i);
    }
    if next != trials {
        return Err(Error::Merge {
            rule: format!(
                "gap: trials [{next}, {trials}) are missing{}",
                after(previous)
            ),
        });
    }
    Ok(order)
}

/// The field path (`tally.arms[0].hosts[1].metrics[3].sketch`) at byte `offset` of JSON
/// `text`: the keys and array indices open there. A best effort for messages about text that
/// failed to parse; it needs no valid JSON after `offset`.
fn json_path_at(text: &str, offset: usize) -> String {
    enum Frame {
        Object { key: Option<String>, want_key: bool },
        Array { index: usize },
    }
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                let from = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, want_key }) = stack.last_mut() {
                    if *want_key {
                        *key = text.get(from..i.min(bytes.len())).map(str::to_string);
                    }
                }
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                want_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { want_key, .. }) => *want_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// The byte offset of 1-based `line` and byte `column` (as serde_json reports them) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    start + column.saturating_sub(1)
}
