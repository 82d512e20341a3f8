//! The analysis of a finished points file: robustness per arm, Sobol or Morris indices of every
//! outcome, PRIM on "this arm beats the reference", and their tables (CSV, JSON, text).
//!
//! Outcomes (one number per point), for the objective and every other recorded metric:
//! `METRIC@ARM`, an arm's mean, and `METRIC@ARM-REF`, its paired difference against the
//! reference arm (for the objective, negative: the arm does better than the reference). Only the points' summary numbers are held in memory (a few per
//! point and arm), never the simulations.

use super::design::Design;
use super::morris::{MorrisIndices, morris_indices};
use super::plan::Plan;
use super::points::{PointsHeader, visit_points};
use super::prim::{PrimBox, PrimOptions, prim};
use super::robustness::{ArmRobustness, robustness};
use super::sobol::{PairIndex, SobolIndices, second_order_indices, sobol_indices};
use crate::error::Error;
use crate::report::escape::csv_value;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// Bootstrap resamples of the Sobol and Morris intervals by default.
pub const DEFAULT_RESAMPLES: usize = 1000;

/// The analysis settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Bootstrap resamples for the intervals.
    pub resamples: usize,
    /// PRIM's settings.
    pub prim: PrimOptions,
    /// The arm whose win over the reference PRIM explains, as [`super::plan::find_arm`] reads
    /// it (`5`, `base/5`, `korea=1,japan=5,nato=2`; default: the first arm that is not the
    /// reference).
    pub prim_arm: Option<String>,
}

impl Default for AnalysisOptions {
    fn default() -> AnalysisOptions {
        AnalysisOptions {
            resamples: DEFAULT_RESAMPLES,
            prim: PrimOptions::default(),
            prim_arm: None,
        }
    }
}

/// One row of the indices table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    /// The outcome (`joint_loss@base/1-base/5`).
    pub outcome: String,
    /// The uncertain key.
    pub input: String,
    /// `sobol` or `morris`.
    pub method: String,
    /// `S1`, `ST`, `S2` (Sobol, shares of variance; `S2` names the pair `KEY1:KEY2` as its
    /// input) or `mu_star`, `mu`, `sigma` (Morris, the
    /// outcome's unit per whole range of the input).
    pub index: String,
    /// The estimate.
    pub estimate: f64,
    /// Bootstrap standard error (none for μ and σ).
    pub se: Option<f64>,
    /// 95 % interval, lower end.
    pub ci95_lo: Option<f64>,
    /// 95 % interval, upper end.
    pub ci95_hi: Option<f64>,
}

/// One restricted input of the chosen PRIM box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxLimit {
    /// The uncertain key.
    pub input: String,
    /// Lower limit (the key's unit; for a choice, the lowest value kept).
    pub lo: String,
    /// Upper limit.
    pub hi: String,
    /// The range over the whole design, lower end.
    pub full_lo: String,
    /// The range over the whole design, upper end.
    pub full_hi: String,
    /// Quasi-p-value of this restriction.
    pub quasi_p: f64,
}

/// PRIM's result in the inputs' terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimReport {
    /// What a point of interest is, in words.
    pub outcome: String,
    /// The outcome whose sign PRIM explains (`joint_loss@base/1-base/5`: negative is of
    /// interest).
    pub key: String,
    /// Points of interest, of `points`.
    pub of_interest: usize,
    /// Points.
    pub points: usize,
    /// The peeling trajectory.
    pub trajectory: Vec<PrimBox>,
    /// The chosen box's index in the trajectory (where pasting starts).
    pub chosen: usize,
    /// The pasting phase from the chosen box, one box per paste (empty if no paste helped);
    /// the last is the result.
    pub pasting: Vec<PrimBox>,
    /// The result's restricted inputs (the last pasted box, else the chosen box), smallest
    /// quasi-p-value first.
    pub limits: Vec<BoxLimit>,
}

impl PrimReport {
    /// The result: the last pasted box, or the chosen box if no paste was made.
    pub fn final_box(&self) -> &PrimBox {
        self.pasting.last().unwrap_or(&self.trajectory[self.chosen])
    }

    /// The result's index in the rows of `prim.csv` (the trajectory, then the pastes).
    pub fn final_index(&self) -> usize {
        match self.pasting.len() {
            0 => self.chosen,
            n => self.trajectory.len() + n - 1,
        }
    }
}

/// The analysis of a points file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The scenario's name.
    pub scenario: String,
    /// The plan's fingerprint.
    pub fingerprint: String,
    /// The design's name.
    pub design: String,
    /// Design points.
    pub points: usize,
    /// Trials per point and arm.
    pub trials: u64,
    /// The simulation seed.
    pub seed: u64,
    /// The objective (lower is better).
    pub objective: String,
    /// The reference arm's label.
    pub reference: String,
    /// `points.jsonl`'s size, bytes.
    pub points_bytes: u64,
    /// `points.jsonl`'s SHA-256 (hex).
    pub points_sha256: String,
    /// Per arm, robustness over the design points.
    pub robustness: Vec<ArmRobustness>,
    /// Sobol or Morris indices of every outcome (empty for other designs).
    pub indices: Vec<IndexRow>,
    /// PRIM on "the arm beats the reference".
    pub prim: Option<PrimReport>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

fn num(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), num)
}

/// The tidy per-point table (CSV): one row per point × arm × recorded metric.
///
/// Columns: `point`, one column per uncertain key (its value at the point), `arm`,
/// `cycle_years` (the arm's cycle, years; empty for an alliance), for an alliance one
/// `cycle_years.HOST` per host (that host's cycle in the arm), `metric` (an alliance's: the
/// patron's total over hosts), `mean`, `se`, `reference`, `diff_mean`, `diff_se` (arm − reference,
/// paired; empty in the reference arm), `best_arm` (the point's best arm by the objective),
/// `regret` (the arm's objective minus the best arm's).
///
/// # Errors
/// As [`visit_points`].
pub fn points_csv(path: &Path) -> Result<String, Error> {
    let mut out = Vec::new();
    write_points_csv(path, &mut out)?;
    String::from_utf8(out).map_err(|e| Error::Internal(format!("points.csv: {e}")))
}

/// Writes the table of [`points_csv`] to `out` point by point, without holding it in memory.
///
/// # Errors
/// As [`visit_points`]; [`Error::Io`] naming `points.csv` if `out` fails.
pub fn write_points_csv(path: &Path, out: &mut dyn std::io::Write) -> Result<(), Error> {
    let mut first = true;
    let mut line = String::new();
    let mut failed: Option<std::io::Error> = None;
    visit_points(path, &mut |header, r| {
        let plan = &header.plan;
        line.clear();
        if first {
            first = false;
            line.push_str("point");
            for u in &plan.uncertainties {
                line.push(',');
                line.push_str(&csv_value(&u.key));
            }
            line.push_str(",arm,cycle_years");
            if plan.scenario.is_alliance() {
                for h in plan.scenario.host_names() {
                    line.push(',');
                    line.push_str(&csv_value(&format!("cycle_years.{h}")));
                }
            }
            line.push_str(",metric,mean,se,reference,diff_mean,diff_se,best_arm,regret\n");
        }
        let reference = r
            .arms
            .get(plan.reference_index())
            .map_or("", |a| a.arm.as_str());
        for a in &r.arms {
            for (m, metric) in plan.metrics.iter().enumerate() {
                let _ = write!(line, "{}", r.point);
                for v in &r.values {
                    let _ = write!(line, ",{}", csv_value(v));
                }
                let _ = write!(line, ",{},", csv_value(&a.arm));
                match a.cycle_years.as_slice() {
                    [one] => {
                        let _ = write!(line, "{one}");
                    }
                    per_host => {
                        for c in per_host {
                            let _ = write!(line, ",{c}");
                        }
                    }
                }
                let _ = writeln!(
                    line,
                    ",{},{},{},{},{},{},{},{}",
                    csv_value(metric),
                    num(a.mean[m]),
                    num(a.se[m]),
                    csv_value(reference),
                    opt(a.diff_mean[m]),
                    opt(a.diff_se[m]),
                    csv_value(&r.best),
                    num(a.regret)
                );
            }
        }
        if failed.is_none() {
            if let Err(e) = out.write_all(line.as_bytes()) {
                failed = Some(e);
            }
        }
        Ok(())
    })?;
    match failed {
        Some(e) => Err(Error::Io {
            path: "points.csv".into(),
            message: e.to_string(),
        }),
        None => Ok(()),
    }
}

/// The numbers the analysis needs from a points file, by column: `mean[m·A + k][p]` is
/// recorded metric `m`'s mean in arm `k` at point `p` (A arms); `diff` likewise for the paired
/// difference against the reference (NaN in the reference arm).
struct Columns {
    arms: Vec<String>,
    count: usize,
    mean: Vec<Vec<f64>>,
    diff: Vec<Vec<f64>>,
}

impl Columns {
    fn read(path: &Path) -> Result<(PointsHeader, Columns), Error> {
        let mut c = Columns {
            arms: Vec::new(),
            count: 0,
            mean: Vec::new(),
            diff: Vec::new(),
        };
        let (_, header, _, _) = visit_points(path, &mut |header, r| {
            let metrics = header.plan.metrics.len();
            if c.count == 0 {
                c.arms = r.arms.iter().map(|a| a.arm.clone()).collect();
                c.mean = vec![Vec::new(); metrics * c.arms.len()];
                c.diff = vec![Vec::new(); metrics * c.arms.len()];
            }
            if r.arms.len() != c.arms.len() || r.arms.iter().any(|a| a.mean.len() != metrics) {
                return Err(Error::Json {
                    origin: path.display().to_string(),
                    message: format!(
                        "point {} does not have the plan's arms and metrics",
                        r.point
                    ),
                });
            }
            let n = c.arms.len();
            for (k, a) in r.arms.iter().enumerate() {
                for m in 0..metrics {
                    c.mean[m * n + k].push(a.mean[m]);
                    c.diff[m * n + k].push(a.diff_mean[m].unwrap_or(f64::NAN));
                }
            }
            c.count += 1;
            Ok(())
        })?;
        Ok((header, c))
    }
}

fn sha256_of_file(path: &Path) -> Result<(u64, String), Error> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        h.update(&buf[..n]);
    }
    Ok((
        bytes,
        h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
    ))
}

impl Analysis {
    /// Analyses the complete points file of an unsharded run (or of a merge).
    ///
    /// # Errors
    /// [`Error::Refused`] for a shard's file or an incomplete file; as [`visit_points`].
    pub fn from_points_file(path: &Path, options: AnalysisOptions) -> Result<Analysis, Error> {
        let (header, columns) = Columns::read(path)?;
        let plan = header.plan;
        if header.shard.is_some() || columns.count != plan.points {
            return Err(Error::Refused {
                what: path.display().to_string(),
                rule: format!(
                    "the analysis needs every design point ({} of {} written{}); finish the run \
                     with --resume, or merge the shards",
                    columns.count,
                    plan.points,
                    if header.shard.is_some() {
                        ", one shard"
                    } else {
                        ""
                    }
                ),
            });
        }
        let (points_bytes, points_sha256) = sha256_of_file(path)?;
        let unit = plan.unit_points()?;
        let arms = columns.arms.clone();
        let n_arms = arms.len();
        let ref_index = plan.reference_index();
        let reference = arms.get(ref_index).cloned().unwrap_or_default();
        let objectives: Vec<Vec<f64>> = (0..columns.count)
            .map(|p| (0..n_arms).map(|k| columns.mean[k][p]).collect())
            .collect();
        let mut notes = Vec::new();
        // Outcomes, per recorded metric (the objective first): each arm's mean, then each
        // non-reference arm minus the reference.
        let mut outcomes: Vec<(String, &[f64])> = Vec::new();
        for (m, metric) in plan.metrics.iter().enumerate() {
            for (k, arm) in arms.iter().enumerate() {
                outcomes.push((format!("{metric}@{arm}"), &columns.mean[m * n_arms + k]));
            }
            for (k, arm) in arms.iter().enumerate() {
                if k != ref_index {
                    outcomes.push((
                        format!("{metric}@{arm}-{reference}"),
                        &columns.diff[m * n_arms + k],
                    ));
                }
            }
        }
        let d = plan.uncertainties.len();
        let mut indices = Vec::new();
        for (name, y) in &outcomes {
            match &plan.design {
                Design::Sobol { second_order, .. } => {
                    match sobol_indices(y, d, *second_order, options.resamples, plan.design_seed) {
                        Ok(s) => push_sobol(&mut indices, name, &plan, &s),
                        Err(e) => notes.push(format!("{name}: no Sobol indices: {e}")),
                    }
                    if *second_order && d >= 2 {
                        match second_order_indices(y, d, options.resamples, plan.design_seed) {
                            Ok(pairs) => push_pairs(&mut indices, name, &plan, &pairs),
                            Err(e) => notes.push(format!("{name}: no second-order indices: {e}")),
                        }
                    }
                }
                Design::Morris { .. } => {
                    match morris_indices(&unit, y, d, options.resamples, plan.design_seed) {
                        Ok(m) => push_morris(&mut indices, name, &plan, &m),
                        Err(e) => notes.push(format!("{name}: no Morris indices: {e}")),
                    }
                }
                _ => {}
            }
        }
        let prim_report = prim_report(&plan, &columns, &unit, &reference, options)?;
        match &prim_report {
            None => notes.push("PRIM needs an arm other than the reference".into()),
            Some(p) if p.of_interest == 0 => notes.push(format!(
                "PRIM: no point where {}: there is no box to find",
                p.outcome
            )),
            Some(p) if p.of_interest == p.points => notes.push(format!(
                "PRIM: at every point {}: there is no box to find",
                p.outcome
            )),
            Some(_) => {}
        }
        Ok(Analysis {
            scenario: plan.scenario.name().to_string(),
            fingerprint: plan.fingerprint.clone(),
            design: plan.design.name().to_string(),
            points: plan.points,
            trials: plan.trials,
            seed: plan.seed,
            objective: plan.objective.clone(),
            reference,
            points_bytes,
            points_sha256,
            robustness: robustness(&arms, &objectives),
            indices,
            prim: prim_report,
            notes,
        })
    }

    /// The robustness table (CSV): per arm `arm, objective, points, win_share, mean_regret,
    /// max_regret, mean, p05, p25, p50, p75, p95` (the objective's unit, shares in [0, 1]).
    pub fn robustness_csv(&self) -> String {
        let mut out = String::from(
            "arm,objective,points,win_share,mean_regret,max_regret,mean,p05,p25,p50,p75,p95\n",
        );
        for r in &self.robustness {
            let _ = write!(
                out,
                "{},{},{},{},{},{},{}",
                csv_value(&r.arm),
                csv_value(&self.objective),
                self.points,
                num(r.win_share),
                num(r.mean_regret),
                num(r.max_regret),
                num(r.mean)
            );
            for p in r.percentiles {
                let _ = write!(out, ",{}", num(p));
            }
            out.push('\n');
        }
        out
    }

    /// The indices table (CSV): `outcome, input, method, index, estimate, se, ci95_lo,
    /// ci95_hi`.
    pub fn indices_csv(&self) -> String {
        let mut out = String::from("outcome,input,method,index,estimate,se,ci95_lo,ci95_hi\n");
        for r in &self.indices {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                csv_value(&r.outcome),
                csv_value(&r.input),
                r.method,
                r.index,
                num(r.estimate),
                opt(r.se),
                opt(r.ci95_lo),
                opt(r.ci95_hi)
            );
        }
        out
    }

    /// The PRIM peeling trajectory (CSV): `box, points, of_interest, coverage, density, mass,
    /// restricted, chosen`.
    pub fn prim_csv(&self) -> String {
        let mut out =
            String::from("box,phase,points,of_interest,coverage,density,mass,restricted,chosen\n");
        if let Some(p) = &self.prim {
            let peel = p.trajectory.iter().map(|b| ("peel", b));
            let paste = p.pasting.iter().map(|b| ("paste", b));
            let last = p.final_index();
            for (i, (phase, b)) in peel.chain(paste).enumerate() {
                let _ = writeln!(
                    out,
                    "{i},{phase},{},{},{},{},{},{},{}",
                    b.points,
                    b.of_interest,
                    num(b.coverage),
                    num(b.density),
                    num(b.mass),
                    b.restricted.len(),
                    i == last
                );
            }
        }
        out
    }

    /// The whole analysis as pretty JSON.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Internal(format!("analysis: {e}")))
    }

    /// The inputs ranked by an index of one outcome, largest first: (input, row).
    pub fn ranked(&self, outcome: &str, index: &str) -> Vec<&IndexRow> {
        let mut rows: Vec<&IndexRow> = self
            .indices
            .iter()
            .filter(|r| r.outcome == outcome && r.index == index)
            .collect();
        rows.sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
        rows
    }

    /// A summary for people: win shares and regrets, the top inputs of the choice, the PRIM box.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "explore {}: {} design, {} points × {} arms, {} trials per point, seed {}",
            self.scenario,
            self.design,
            self.points,
            self.robustness.len(),
            self.trials,
            self.seed
        );
        let _ = writeln!(
            out,
            "objective {} (lower is better); regret = arm minus the point's best arm",
            self.objective
        );
        let _ = writeln!(
            out,
            "{:<14} {:>9} {:>13} {:>13} {:>13}",
            "arm", "win share", "mean regret", "max regret", "median"
        );
        for r in &self.robustness {
            let _ = writeln!(
                out,
                "{:<14} {:>9.3} {:>13.4} {:>13.4} {:>13.4}",
                r.arm, r.win_share, r.mean_regret, r.max_regret, r.percentiles[2]
            );
        }
        if let Some(p) = &self.prim {
            let key = &p.key;
            if self.indices.iter().any(|r| &r.outcome == key) {
                let (index, label) = if self.design == "sobol" {
                    ("ST", "Sobol total index")
                } else {
                    ("mu_star", "Morris mu*")
                };
                let _ = writeln!(out, "what drives {key} ({label}, 95% CI):");
                for r in self.ranked(key, index).iter().take(5) {
                    let _ = writeln!(
                        out,
                        "  {:<32} {:>10.4} [{:.4}, {:.4}]",
                        r.input,
                        r.estimate,
                        r.ci95_lo.unwrap_or(f64::NAN),
                        r.ci95_hi.unwrap_or(f64::NAN)
                    );
                }
            }
            let b = p.final_box();
            if p.of_interest == 0 || p.of_interest == p.points {
                let _ = writeln!(
                    out,
                    "PRIM, {}: {} of {} points",
                    p.outcome, p.of_interest, p.points
                );
            } else {
                let _ = writeln!(
                    out,
                    "PRIM, {}: {} of {} points; chosen box {}{}: coverage {:.3}, density {:.3}, mass {:.3}",
                    p.outcome,
                    p.of_interest,
                    p.points,
                    p.chosen,
                    after_pastes(p.pasting.len()),
                    b.coverage,
                    b.density,
                    b.mass
                );
                for l in &p.limits {
                    let _ = writeln!(
                        out,
                        "  {:<32} {} .. {} (of {} .. {}), quasi-p {:.2e}",
                        l.input, l.lo, l.hi, l.full_lo, l.full_hi, l.quasi_p
                    );
                }
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        out
    }
}

fn push_sobol(out: &mut Vec<IndexRow>, outcome: &str, plan: &Plan, s: &[SobolIndices]) {
    for (u, s) in plan.uncertainties.iter().zip(s) {
        for (index, e) in [("S1", s.first), ("ST", s.total)] {
            out.push(IndexRow {
                outcome: outcome.to_string(),
                input: u.key.clone(),
                method: "sobol".into(),
                index: index.into(),
                estimate: e.estimate,
                se: Some(e.se),
                ci95_lo: Some(e.ci95[0]),
                ci95_hi: Some(e.ci95[1]),
            });
        }
    }
}

fn push_pairs(out: &mut Vec<IndexRow>, outcome: &str, plan: &Plan, pairs: &[PairIndex]) {
    for p in pairs {
        let e = p.estimate;
        out.push(IndexRow {
            outcome: outcome.to_string(),
            input: format!(
                "{}:{}",
                plan.uncertainties[p.i].key, plan.uncertainties[p.j].key
            ),
            method: "sobol".into(),
            index: "S2".into(),
            estimate: e.estimate,
            se: Some(e.se),
            ci95_lo: Some(e.ci95[0]),
            ci95_hi: Some(e.ci95[1]),
        });
    }
}

fn push_morris(out: &mut Vec<IndexRow>, outcome: &str, plan: &Plan, m: &[MorrisIndices]) {
    for (u, m) in plan.uncertainties.iter().zip(m) {
        out.push(IndexRow {
            outcome: outcome.to_string(),
            input: u.key.clone(),
            method: "morris".into(),
            index: "mu_star".into(),
            estimate: m.mu_star.estimate,
            se: Some(m.mu_star.se),
            ci95_lo: Some(m.mu_star.ci95[0]),
            ci95_hi: Some(m.mu_star.ci95[1]),
        });
        for (index, v) in [("mu", m.mu), ("sigma", m.sigma)] {
            out.push(IndexRow {
                outcome: outcome.to_string(),
                input: u.key.clone(),
                method: "morris".into(),
                index: index.into(),
                estimate: v,
                se: None,
                ci95_lo: None,
                ci95_hi: None,
            });
        }
    }
}

/// A limit as text: a range's number, or a choice's value.
fn limit_text(plan: &Plan, dim: usize, x: f64) -> String {
    match &plan.uncertainties[dim].distribution {
        super::uncertainty::Distribution::Choice { values } => {
            values.get(x.max(0.0) as usize).cloned().unwrap_or_default()
        }
        _ => format!("{x:.6}"),
    }
}

fn prim_report(
    plan: &Plan,
    columns: &Columns,
    unit: &[Vec<f64>],
    reference: &str,
    options: AnalysisOptions,
) -> Result<Option<PrimReport>, Error> {
    let ref_index = plan.reference_index();
    let arm = match &options.prim_arm {
        Some(text) => plan.arm_index("--prim-arm", text)?,
        None => match (0..plan.cycles.len()).find(|&k| k != ref_index) {
            Some(k) => k,
            None => return Ok(None),
        },
    };
    if arm == ref_index {
        return Ok(None);
    }
    let x: Vec<Vec<f64>> = unit.iter().map(|u| plan.values(u)).collect();
    let arms = &columns.arms;
    // The objective's difference (metric 0) of the arm against the reference; NaN is not < 0.
    let y: Vec<bool> = columns.diff[arm].iter().map(|d| *d < 0.0).collect();
    let result = prim(&x, &y, options.prim)?;
    let init = &result.trajectory[0].limits;
    let chosen = result.final_box();
    let mut by_p = result.quasi_p.clone();
    by_p.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let limits = by_p
        .iter()
        .map(|&(dim, p)| BoxLimit {
            input: plan.uncertainties[dim].key.clone(),
            lo: limit_text(plan, dim, chosen.limits[dim][0]),
            hi: limit_text(plan, dim, chosen.limits[dim][1]),
            full_lo: limit_text(plan, dim, init[dim][0]),
            full_hi: limit_text(plan, dim, init[dim][1]),
            quasi_p: p,
        })
        .collect();
    Ok(Some(PrimReport {
        key: format!("{}@{}-{}", plan.objective, arms[arm], reference),
        outcome: format!(
            "{} beats {} on {} ({}@{}-{} < 0)",
            arms[arm], reference, plan.objective, plan.objective, arms[arm], reference
        ),
        of_interest: result.of_interest,
        points: columns.count,
        chosen: result.chosen,
        limits,
        pasting: result.pasting,
        trajectory: result.trajectory,
    }))
}

/// How a PRIM result was reached after peeling, in words: "" with no paste, " after 1 paste",
/// " after N pastes".
pub fn after_pastes(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " after 1 paste".to_string(),
        n => format!(" after {n} pastes"),
    }
}
