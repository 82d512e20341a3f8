//! The historical record of agreements (MODEL.md §11): one row per agreement, as in the SMA
//! record `data/sma_history.csv` (embedded: [`Record::sma`]), loadable from a user's file with
//! [`Record::from_path`]. Validation names the row and the column of a bad value.
//!
//! Columns (a header row is required; the order is free; other columns are kept out):
//! `ordinal` (1, 2, … in order), `first_year`, `last_year`, `duration_years`
//! (`last_year − first_year + 1`), `signing_lag_months` (months from the previous agreement's
//! expiry to the signing: positive is a lapse, negative an early deal; empty if unknown),
//! `negotiation_rounds` (empty if unknown), `flags` (what sources disagree on; kept verbatim).

use crate::error::Error;
use std::path::Path;

/// The SMA record 1991–2030 as shipped (`data/sma_history.csv`).
const SMA: &str = include_str!("../data/sma_history.csv");
/// Largest record file read, bytes.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// One agreement of the record.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// 1-based position in the record.
    pub ordinal: u32,
    /// First calendar year covered.
    pub first_year: i32,
    /// Last calendar year covered.
    pub last_year: i32,
    /// Years covered, `last_year − first_year + 1`.
    pub duration_years: u32,
    /// Months from the previous agreement's expiry to this one's signing (positive: the
    /// previous one had lapsed; negative: early); `None` if unknown.
    pub signing_lag_months: Option<f64>,
    /// Formal negotiation rounds, if known.
    pub negotiation_rounds: Option<u32>,
    /// What the sources disagree on (empty if nothing).
    pub flags: String,
}

/// A record of successive agreements between two parties.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Where it came from (a path, or `sma_history.csv (embedded)`).
    pub origin: String,
    /// The agreements in order.
    pub agreements: Vec<Agreement>,
}

impl Record {
    /// The US–South Korea SMA record, 1991–2030 (twelve agreements).
    ///
    /// # Errors
    /// Never for the shipped file (a test pins it); [`Error::Record`] otherwise.
    pub fn sma() -> Result<Record, Error> {
        Record::from_csv_str(SMA, "sma_history.csv (embedded)")
    }

    /// Reads a record from a CSV file (a regular file of at most [`MAX_RECORD_BYTES`]).
    ///
    /// # Errors
    /// [`Error::Record`] naming the file, and the row and column of a bad value.
    pub fn from_path(path: &Path) -> Result<Record, Error> {
        let origin = path.display().to_string();
        let fail = |message: String| Error::Record {
            origin: origin.clone(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        if !meta.is_file() {
            return Err(fail("not a regular file".into()));
        }
        if meta.len() > MAX_RECORD_BYTES {
            return Err(fail(format!(
                "larger than {MAX_RECORD_BYTES} bytes ({} bytes)",
                meta.len()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        Record::from_csv_str(&text, &origin)
    }

    /// Parses a record from CSV text; `origin` names it in errors.
    ///
    /// # Errors
    /// [`Error::Record`] naming `origin`, the row (1-based, the header is row 1) and the column.
    pub fn from_csv_str(text: &str, origin: &str) -> Result<Record, Error> {
        let fail = |message: String| Error::Record {
            origin: origin.to_string(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| fail(format!("header: {e}")))?
            .clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| fail(format!("header: no column {name:?}")))
        };
        let c = Columns {
            ordinal: col("ordinal")?,
            first_year: col("first_year")?,
            last_year: col("last_year")?,
            duration_years: col("duration_years")?,
            lag: col("signing_lag_months")?,
            rounds: col("negotiation_rounds")?,
            flags: col("flags")?,
        };
        let mut agreements: Vec<Agreement> = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| fail(format!("row {line}: {e}")))?;
            let a = c.parse(&row, line).map_err(fail)?;
            let expected = agreements.len() as u32 + 1;
            if a.ordinal != expected {
                return Err(fail(format!(
                    "row {line}, column ordinal: must be {expected} (rows in order), got {}",
                    a.ordinal
                )));
            }
            if let Some(prev) = agreements.last() {
                if a.first_year != prev.last_year + 1 {
                    return Err(fail(format!(
                        "row {line}, column first_year: must follow the previous agreement's \
                         last_year {} (no gaps or overlaps), got {}",
                        prev.last_year, a.first_year
                    )));
                }
            }
            agreements.push(a);
        }
        if agreements.is_empty() {
            return Err(fail("no agreements".into()));
        }
        Ok(Record {
            origin: origin.to_string(),
            agreements,
        })
    }

    /// The agreements' durations in years, in order (an agreement schedule, MODEL.md §10.6).
    pub fn durations(&self) -> Vec<f64> {
        self.agreements
            .iter()
            .map(|a| f64::from(a.duration_years))
            .collect()
    }
}

/// Column positions.
struct Columns {
    ordinal: usize,
    first_year: usize,
    last_year: usize,
    duration_years: usize,
    lag: usize,
    rounds: usize,
    flags: usize,
}

impl Columns {
    fn parse(&self, row: &csv::StringRecord, line: usize) -> Result<Agreement, String> {
        let get = |i: usize| row.get(i).unwrap_or("").trim();
        let bad = |name: &str, rule: &str, got: &str| {
            format!("row {line}, column {name}: {rule}, got {got:?}")
        };
        let int = |i: usize, name: &str| -> Result<i64, String> {
            get(i)
                .parse::<i64>()
                .map_err(|_| bad(name, "must be a whole number", get(i)))
        };
        let ordinal = int(self.ordinal, "ordinal")?;
        let first_year = int(self.first_year, "first_year")?;
        let last_year = int(self.last_year, "last_year")?;
        let duration = int(self.duration_years, "duration_years")?;
        let in_range = |x: i64, name: &str, lo: i64, hi: i64| {
            if (lo..=hi).contains(&x) {
                Ok(x)
            } else {
                Err(bad(
                    name,
                    &format!("must be in [{lo}, {hi}]"),
                    get_by(row, name, self),
                ))
            }
        };
        let ordinal = in_range(ordinal, "ordinal", 1, 100_000)? as u32;
        let first_year = in_range(first_year, "first_year", 1000, 9999)? as i32;
        let last_year = in_range(last_year, "last_year", i64::from(first_year), 9999)? as i32;
        if duration != i64::from(last_year - first_year + 1) {
            return Err(bad(
                "duration_years",
                &format!(
                    "must be last_year − first_year + 1 = {}",
                    last_year - first_year + 1
                ),
                get(self.duration_years),
            ));
        }
        let lag = match get(self.lag) {
            "" => None,
            t => match t.parse::<f64>() {
                Ok(x) if x.is_finite() && x.abs() <= 1200.0 => Some(x),
                _ => {
                    return Err(bad(
                        "signing_lag_months",
                        "must be empty or a number of months in [-1200, 1200]",
                        t,
                    ));
                }
            },
        };
        let rounds = match get(self.rounds) {
            "" => None,
            t => Some(t.parse::<u32>().map_err(|_| {
                bad(
                    "negotiation_rounds",
                    "must be empty or a whole number >= 0",
                    t,
                )
            })?),
        };
        Ok(Agreement {
            ordinal,
            first_year,
            last_year,
            duration_years: duration as u32,
            signing_lag_months: lag,
            negotiation_rounds: rounds,
            flags: get(self.flags).to_string(),
        })
    }
}

/// The text of column `name` in `row` (for error messages).
fn get_by<'a>(row: &'a csv::StringRecord, name: &str, c: &Columns) -> &'a str {
    let i = match name {
        "ordinal" => c.ordinal,
        "first_year" => c.first_year,
        "last_year" => c.last_year,
        _ => c.duration_years,
    };
    row.get(i).unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_sma_record_loads_with_its_twelve_agreements() {
        let r = Record::sma().unwrap();
        assert_eq!(r.agreements.len(), 12);
        assert_eq!(
            r.durations(),
            [3.0, 2.0, 3.0, 3.0, 3.0, 2.0, 2.0, 5.0, 5.0, 1.0, 6.0, 5.0]
        );
        let a11 = &r.agreements[10];
        assert_eq!(
            (a11.signing_lag_months, a11.negotiation_rounds),
            (Some(15.3), Some(9))
        );
        assert!(a11.flags.contains("furloughed"));
        assert_eq!(r.agreements[0].signing_lag_months, None);
    }

    #[test]
    fn a_bad_value_is_named_by_row_and_column() {
        let bad = SMA.replacen(
            "2019,2019,1,2019-03-08,2.3",
            "2019,2019,1,2019-03-08,soon",
            1,
        );
        let e = Record::from_csv_str(&bad, "x.csv").unwrap_err().to_string();
        assert!(
            e.contains("x.csv") && e.contains("row 11, column signing_lag_months"),
            "{e}"
        );
        let bad = SMA.replacen("2019,2019,1,", "2019,2019,2,", 1);
        let e = Record::from_csv_str(&bad, "x.csv").unwrap_err().to_string();
        assert!(e.contains("row 11, column duration_years"), "{e}");
        let e = Record::from_csv_str("ordinal,first_year\n1,1991\n", "y.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column \"last_year\""), "{e}");
    }
}
