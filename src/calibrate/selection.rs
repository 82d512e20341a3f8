//! Model selection over discrete options (MODEL.md §11): every combination of the values the
//! user lists for each option key (`protocol.clock = negmas | deadline`,
//! `patron.opening_reference`, `support.erosion`, or a regime key such as
//! `patron.regimes.hardline_probability = 0 | 0.5`) is calibrated with the same free
//! parameters, replicas and seed, and the combinations are compared by their objective `Q` and
//! J statistic. The combination with the lowest `Q` is selected (the earliest on a tie); with
//! the same moments and weights in every combination, `Q` is comparable across them, and J's
//! p-value says whether the selected one is itself rejected.

use super::objective::FreeParam;
use super::report::Calibration;
use super::{Settings, calibrate};
use crate::error::Error;
use crate::record::Record;
use crate::scenario::Scenario;
use serde::Serialize;

/// The most combinations one selection runs.
pub const MAX_COMBINATIONS: usize = 64;

/// One combination's fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectionRow {
    /// The options, (key, value).
    pub options: Vec<(String, String)>,
    /// `Q` at its estimate.
    pub objective: f64,
    /// Its J statistic.
    pub j: Option<f64>,
    /// J's degrees of freedom.
    pub df: Option<usize>,
    /// J's p-value.
    pub p_value: Option<f64>,
}

/// The comparison and the selected combination's calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// One row per combination, in the order of the options' values (the last key varies
    /// fastest).
    pub rows: Vec<SelectionRow>,
    /// The selected row.
    pub selected: usize,
    /// Its calibration.
    pub calibration: Calibration,
}

impl Selection {
    /// The selected calibration's CSV ([`Calibration::to_csv_string`]) followed by one row per
    /// combination (`kind = selection`, `name` the options as `key=value;key=value`, `status`
    /// `selected` on the selected one, and its `objective`, `j`, `df`, `p_value`).
    pub fn to_csv_string(&self) -> String {
        use super::report::{CSV_COLUMNS, push_row};
        let mut out = self.calibration.to_csv_string();
        for (i, r) in self.rows.iter().enumerate() {
            let mut row = vec![String::new(); CSV_COLUMNS.len()];
            row[0] = self.calibration.scenario.clone();
            row[1] = "selection".into();
            row[2] = r
                .options
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(";");
            if i == self.selected {
                row[18] = "selected".into();
            }
            row[19] = r.objective.to_string();
            row[20] = r.j.map_or(String::new(), |x| x.to_string());
            row[21] = r.df.map_or(String::new(), |x| x.to_string());
            row[22] = r.p_value.map_or(String::new(), |x| x.to_string());
            push_row(&mut out, &row);
        }
        out
    }

    /// The model-selection table as text.
    pub fn table(&self) -> String {
        let mut s = String::from("model selection (same moments, weights, replicas and seed):\n");
        for (i, r) in self.rows.iter().enumerate() {
            let o: Vec<String> = r.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let j = match (r.j, r.df, r.p_value) {
                (Some(j), Some(df), Some(p)) => format!("J = {j:.4} on {df} df, p = {p:.4}"),
                _ => "J not computed".to_string(),
            };
            s.push_str(&format!(
                "  {:<60} Q = {:>10.4}  {j}{}\n",
                o.join(", "),
                r.objective,
                if i == self.selected {
                    "  (selected)"
                } else {
                    ""
                }
            ));
        }
        s
    }
}

/// Parses `KEY=V1|V2|...`.
///
/// # Errors
/// [`Error::InvalidExperiment`] naming the field `select`.
pub fn parse_option(spec: &str) -> Result<(String, Vec<String>), Error> {
    let bad = |rule: &str| Error::InvalidExperiment {
        field: "select".into(),
        rule: rule.into(),
        got: format!("{spec:?}"),
    };
    let (k, v) = spec
        .split_once('=')
        .ok_or_else(|| bad("must be KEY=V1|V2|..., e.g. protocol.clock=negmas|deadline"))?;
    let values: Vec<String> = v.split('|').map(|x| x.trim().to_string()).collect();
    if k.trim().is_empty() || values.iter().any(String::is_empty) {
        return Err(bad("must be KEY=V1|V2|... with no empty key or value"));
    }
    Ok((k.trim().to_string(), values))
}

/// Calibrates every combination of `options` (see the module docs).
///
/// # Errors
/// [`Error::InvalidExperiment`] naming `select` for an option value the scenario rejects, or
/// more than [`MAX_COMBINATIONS`] combinations; any error of [`calibrate`].
pub fn select(
    base: &Scenario,
    record: &Record,
    free: &[FreeParam],
    settings: &Settings,
    options: &[(String, Vec<String>)],
) -> Result<Selection, Error> {
    let mut combos: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (k, values) in options {
        let mut next = Vec::new();
        for c in &combos {
            for v in values {
                let mut c = c.clone();
                c.push((k.clone(), v.clone()));
                next.push(c);
            }
        }
        combos = next;
        if combos.len() > MAX_COMBINATIONS {
            return Err(Error::InvalidExperiment {
                field: "select".into(),
                rule: format!("at most {MAX_COMBINATIONS} combinations"),
                got: format!("more than {MAX_COMBINATIONS}"),
            });
        }
    }
    let mut rows = Vec::new();
    let mut best: Option<(usize, Calibration)> = None;
    for c in combos {
        let mut s = base.clone();
        for (k, v) in &c {
            s = s
                .with_override(k, v)
                .map_err(|e| Error::InvalidExperiment {
                    field: "select".into(),
                    rule: e.to_string(),
                    got: format!("{k}={v}"),
                })?;
        }
        let mut st = settings.clone();
        st.options.extend(c.iter().cloned());
        let cal = calibrate(&s, record, free, &st)?;
        rows.push(SelectionRow {
            options: c,
            objective: cal.objective,
            j: cal.j,
            df: cal.df,
            p_value: cal.p_value,
        });
        let i = rows.len() - 1;
        if best
            .as_ref()
            .is_none_or(|(_, b)| cal.objective < b.objective)
        {
            best = Some((i, cal));
        }
    }
    let (selected, calibration) =
        best.ok_or_else(|| Error::Internal("no combination calibrated".into()))?;
    Ok(Selection {
        rows,
        selected,
        calibration,
    })
}
