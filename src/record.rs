//! The historical record of agreements (MODEL.md §11): one row per agreement, as in the SMA
//! record `data/sma_history.csv` (embedded: [`Record::sma`]), loadable from a user's file with
//! [`Record::from_path`]. Validation names the row and the column of a bad value.
//!
//! Two layouts are read (a header row is required; the order of columns is free; other columns
//! are kept out), told apart by the header:
//!
//! - **SMA layout** (`data/sma_history.csv`): `ordinal` (1, 2, … in order), `first_year`,
//!   `last_year`, `duration_years` (`last_year − first_year + 1`), `signing_lag_months` (months
//!   from the previous agreement's expiry to the signing: positive is a lapse, negative an early
//!   deal; empty if unknown), `negotiation_rounds` (empty if unknown), `flags` (what sources
//!   disagree on; kept verbatim); optionally `first_year_amount` (the first year's payment, a
//!   positive number, empty if unknown), `amount_unit` (its unit, e.g. `KRW_bn`) and
//!   `opening_demand` (the patron's opening demand, free text; read as an amount where it
//!   starts with one: [`OpeningDemand::parse`]).
//! - **Lapse layout** (Japan's Host Nation Support record, `data/japan_hns_history.csv`,
//!   embedded: [`Record::japan_hns`]): `ordinal`, `first_fy`, `last_fy` (fiscal years, read as
//!   `first_year` / `last_year`), `duration_years`, `lapsed` (`yes` or `no`), `lapse_months`
//!   (months without an agreement in force: `0` when `lapsed = no`, positive when `yes`),
//!   `flags`. Signing days and amounts are not in it.

use crate::error::Error;
use std::path::Path;

/// The SMA record 1991–2030 as shipped (`data/sma_history.csv`).
const SMA: &str = include_str!("../data/sma_history.csv");
/// Japan's Host Nation Support record FY1991–2026 as shipped (`data/japan_hns_history.csv`).
const JAPAN_HNS: &str = include_str!("../data/japan_hns_history.csv");
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
    /// Whether the previous agreement expired before this one was signed (a lapse); `None` if
    /// unknown. From `signing_lag_months > 0` (SMA layout) or `lapsed` (lapse layout).
    pub lapsed: Option<bool>,
    /// Months without an agreement in force before this one (0 without a lapse); `None` if
    /// unknown. From `max(0, signing_lag_months)` or `lapse_months`.
    pub lapse_months: Option<f64>,
    /// The first year's payment in `amount_unit`, if known.
    pub first_year_amount: Option<f64>,
    /// The unit of `first_year_amount` (empty if none).
    pub amount_unit: String,
    /// The patron's opening demand for this agreement where the record states it as an amount
    /// (`opening_demand` column; see [`OpeningDemand::parse`]); `None` where the column is
    /// absent, empty or a phrase such as `increase sought`.
    pub opening_demand: Option<OpeningDemand>,
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

    /// Japan's Host Nation Support record, FY1991–2026 (nine agreements, one lapse of about a
    /// month in April 2008): the out-of-sample check of a calibration (durations and lapses; no
    /// signing days, rounds or amounts).
    ///
    /// # Errors
    /// Never for the shipped file (a test pins it); [`Error::Record`] otherwise.
    pub fn japan_hns() -> Result<Record, Error> {
        Record::from_csv_str(JAPAN_HNS, "japan_hns_history.csv (embedded)")
    }

    /// The record's text, for hashing into a calibration's provenance: the embedded files' bytes
    /// for [`Record::sma`] and [`Record::japan_hns`], `None` for others (hash the file instead).
    pub fn embedded_text(&self) -> Option<&'static str> {
        match self.origin.as_str() {
            "sma_history.csv (embedded)" => Some(SMA),
            "japan_hns_history.csv (embedded)" => Some(JAPAN_HNS),
            _ => None,
        }
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
        let has = |name: &str| headers.iter().any(|h| h.trim() == name);
        let optional = |name: &str| headers.iter().position(|h| h.trim() == name);
        let c = if has("first_fy") {
            Columns {
                ordinal: col("ordinal")?,
                first_year: col("first_fy")?,
                last_year: col("last_fy")?,
                duration_years: col("duration_years")?,
                layout: Layout::Lapse {
                    lapsed: col("lapsed")?,
                    lapse_months: col("lapse_months")?,
                },
                flags: col("flags")?,
                names: ["first_fy", "last_fy"],
            }
        } else {
            Columns {
                ordinal: col("ordinal")?,
                first_year: col("first_year")?,
                last_year: col("last_year")?,
                duration_years: col("duration_years")?,
                layout: Layout::Sma {
                    lag: col("signing_lag_months")?,
                    rounds: col("negotiation_rounds")?,
                    amount: optional("first_year_amount"),
                    unit: optional("amount_unit"),
                    opening: optional("opening_demand"),
                },
                flags: col("flags")?,
                names: ["first_year", "last_year"],
            }
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
                        "row {line}, column {}: must follow the previous agreement's \
                         {} {} (no gaps or overlaps), got {}",
                        c.names[0], c.names[1], prev.last_year, a.first_year
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

/// An opening demand stated as an amount: `~1000 KRW_bn`, `>=440 USD_m`, `5 USD_bn`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpeningDemand {
    /// The amount in `unit`.
    pub amount: f64,
    /// The unit as written (`KRW_bn`, `USD_m`, …).
    pub unit: String,
}

impl OpeningDemand {
    /// Reads the amount at the start of an `opening_demand` cell: an optional `~` (about) or
    /// `>=` (at least), a positive number, a space and a unit token `CUR_m` or `CUR_bn` (a
    /// currency code of three capital letters, millions or billions); anything after the unit
    /// (`then 1 USD_bn floor`) is commentary. Any other text (`increase sought`,
    /// `>=50% cost share`, `none public`) is a description, not an amount: `None`. The column is
    /// free text, so this is never an error.
    pub fn parse(text: &str) -> Option<OpeningDemand> {
        let t = text.trim();
        let t = t
            .strip_prefix(">=")
            .or_else(|| t.strip_prefix('~'))
            .unwrap_or(t);
        let mut words = t.split_whitespace();
        let amount: f64 = words.next()?.parse().ok()?;
        let unit = words.next()?;
        let (currency, scale) = unit.split_once('_')?;
        let known_scale = matches!(scale, "m" | "bn");
        let currency_code = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
        (amount.is_finite() && amount > 0.0 && known_scale && currency_code).then(|| {
            OpeningDemand {
                amount,
                unit: unit.to_string(),
            }
        })
    }

    /// Its amount in `unit`: as written when `unit` is its own unit; otherwise converted
    /// between `CUR_m` and `CUR_bn` of one currency; `None` if the currencies differ or either
    /// unit is of another form (e.g. `USD_m_mixed`, which is not `USD_m`).
    pub fn in_unit(&self, unit: &str) -> Option<f64> {
        if unit == self.unit {
            return Some(self.amount);
        }
        let scale = |u: &str| -> Option<(String, f64)> {
            let (c, s) = u.split_once('_')?;
            let f = match s {
                "m" => 1e6,
                "bn" => 1e9,
                _ => return None,
            };
            Some((c.to_string(), f))
        };
        let (c0, f0) = scale(&self.unit)?;
        let (c1, f1) = scale(unit)?;
        (c0 == c1).then(|| self.amount * f0 / f1)
    }
}

/// Column positions.
struct Columns {
    ordinal: usize,
    first_year: usize,
    last_year: usize,
    duration_years: usize,
    layout: Layout,
    flags: usize,
    /// The names of the first- and last-year columns in this layout.
    names: [&'static str; 2],
}

/// The layout-specific columns.
enum Layout {
    /// The SMA layout: signing lag, rounds, optional amount and unit.
    Sma {
        lag: usize,
        rounds: usize,
        amount: Option<usize>,
        unit: Option<usize>,
        opening: Option<usize>,
    },
    /// The lapse layout: lapsed yes/no and lapse months.
    Lapse { lapsed: usize, lapse_months: usize },
}

impl Columns {
    fn parse(&self, row: &csv::StringRecord, line: usize) -> Result<Agreement, String> {
        let get = |i: usize| row.get(i).unwrap_or("").trim();
        let bad = |name: &str, rule: &str, got: &str| {
            format!("row {line}, column {name}: {rule}, got {got:?}")
        };
        let [first_name, last_name] = self.names;
        let int = |i: usize, name: &str| -> Result<i64, String> {
            get(i)
                .parse::<i64>()
                .map_err(|_| bad(name, "must be a whole number", get(i)))
        };
        let in_range = |i: usize, name: &str, lo: i64, hi: i64| -> Result<i64, String> {
            let x = int(i, name)?;
            if (lo..=hi).contains(&x) {
                Ok(x)
            } else {
                Err(bad(name, &format!("must be in [{lo}, {hi}]"), get(i)))
            }
        };
        let ordinal = in_range(self.ordinal, "ordinal", 1, 100_000)? as u32;
        let first_year = in_range(self.first_year, first_name, 1000, 9999)? as i32;
        let last_year = in_range(self.last_year, last_name, i64::from(first_year), 9999)? as i32;
        let duration = int(self.duration_years, "duration_years")?;
        if duration != i64::from(last_year - first_year + 1) {
            return Err(bad(
                "duration_years",
                &format!(
                    "must be {last_name} − {first_name} + 1 = {}",
                    last_year - first_year + 1
                ),
                get(self.duration_years),
            ));
        }
        let mut a = Agreement {
            ordinal,
            first_year,
            last_year,
            duration_years: duration as u32,
            signing_lag_months: None,
            negotiation_rounds: None,
            lapsed: None,
            lapse_months: None,
            first_year_amount: None,
            amount_unit: String::new(),
            opening_demand: None,
            flags: get(self.flags).to_string(),
        };
        match self.layout {
            Layout::Sma {
                lag,
                rounds,
                amount,
                unit,
                opening,
            } => {
                a.signing_lag_months = match get(lag) {
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
                a.lapsed = a.signing_lag_months.map(|l| l > 0.0);
                a.lapse_months = a.signing_lag_months.map(|l| l.max(0.0));
                a.negotiation_rounds = match get(rounds) {
                    "" => None,
                    t => Some(t.parse::<u32>().map_err(|_| {
                        bad(
                            "negotiation_rounds",
                            "must be empty or a whole number >= 0",
                            t,
                        )
                    })?),
                };
                if let Some(i) = amount {
                    a.first_year_amount = match get(i) {
                        "" => None,
                        t => match t.parse::<f64>() {
                            Ok(x) if x.is_finite() && x > 0.0 => Some(x),
                            _ => {
                                return Err(bad(
                                    "first_year_amount",
                                    "must be empty or a positive number",
                                    t,
                                ));
                            }
                        },
                    };
                }
                if let Some(i) = unit {
                    a.amount_unit = get(i).to_string();
                }
                if let Some(i) = opening {
                    a.opening_demand = OpeningDemand::parse(get(i));
                }
            }
            Layout::Lapse {
                lapsed,
                lapse_months,
            } => {
                let yes = match get(lapsed) {
                    "yes" => true,
                    "no" => false,
                    t => return Err(bad("lapsed", "must be yes or no", t)),
                };
                let t = get(lapse_months);
                let months = match t.parse::<f64>() {
                    Ok(x) if x.is_finite() && (0.0..=1200.0).contains(&x) => x,
                    _ => {
                        return Err(bad(
                            "lapse_months",
                            "must be a number of months in [0, 1200]",
                            t,
                        ));
                    }
                };
                if yes && months <= 0.0 {
                    return Err(bad("lapse_months", "must be > 0 when lapsed = yes", t));
                }
                if !yes && months != 0.0 {
                    return Err(bad("lapse_months", "must be 0 when lapsed = no", t));
                }
                a.lapsed = Some(yes);
                a.lapse_months = Some(months);
            }
        }
        Ok(a)
    }
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

    #[test]
    fn the_sma_record_has_its_won_amounts_and_lapses() {
        let r = Record::sma().unwrap();
        let a6 = &r.agreements[5];
        assert_eq!(
            (a6.first_year_amount, a6.amount_unit.as_str()),
            (Some(680.4), "KRW_bn")
        );
        assert_eq!((a6.lapsed, a6.lapse_months), (Some(true), Some(4.5)));
        let a12 = &r.agreements[11];
        assert_eq!((a12.lapsed, a12.lapse_months), (Some(false), Some(0.0)));
        assert_eq!(r.agreements[0].lapsed, None);
    }

    #[test]
    fn opening_demands_are_read_where_the_record_states_an_amount() {
        let r = Record::sma().unwrap();
        let demand = |k: usize| {
            r.agreements[k - 1]
                .opening_demand
                .as_ref()
                .map(|d| (d.amount, d.unit.as_str()))
        };
        assert_eq!(demand(1), None);
        assert_eq!(demand(2), Some((260.0, "USD_m")));
        assert_eq!(demand(4), Some((440.0, "USD_m")));
        assert_eq!(demand(5), Some((580.0, "USD_m")));
        // Phrases are descriptions, not amounts.
        for k in [6, 7, 8, 12] {
            assert_eq!(demand(k), None, "agreement {k}");
        }
        assert_eq!(demand(9), Some((1000.0, "KRW_bn")));
        assert_eq!(demand(10), Some((1400.0, "KRW_bn")));
        assert_eq!(demand(11), Some((5.0, "USD_bn")));
        let five = r.agreements[10].opening_demand.as_ref().unwrap();
        assert_eq!(five.in_unit("USD_m"), Some(5000.0));
        assert_eq!(five.in_unit("KRW_bn"), None);
        assert_eq!(five.in_unit("USD_m_mixed"), None);
        assert_eq!(OpeningDemand::parse(">=50% cost share"), None);
        assert_eq!(OpeningDemand::parse("-3 USD_m"), None);
        assert_eq!(OpeningDemand::parse("NaN USD_m"), None);
        assert_eq!(OpeningDemand::parse("12 usd_m"), None);
    }

    #[test]
    fn japans_record_loads_in_the_lapse_layout() {
        let r = Record::japan_hns().unwrap();
        assert_eq!(r.agreements.len(), 9);
        assert_eq!(r.durations(), [5.0, 5.0, 5.0, 2.0, 3.0, 5.0, 5.0, 1.0, 5.0]);
        let lapses: Vec<u32> = r
            .agreements
            .iter()
            .filter(|a| a.lapsed == Some(true))
            .map(|a| a.ordinal)
            .collect();
        assert_eq!(lapses, [5]);
        assert_eq!(r.agreements[4].lapse_months, Some(1.0));
        assert_eq!(r.agreements[0].signing_lag_months, None);
        assert!(r.agreements[7].flags.contains("extension"));
    }

    #[test]
    fn japans_bad_values_are_named_by_row_and_column() {
        let cases = [
            (
                "5,2008,2010,3,yes,1,",
                "5,2008,2010,3,maybe,1,",
                "row 6, column lapsed",
            ),
            (
                "5,2008,2010,3,yes,1,",
                "5,2008,2010,3,yes,0,",
                "row 6, column lapse_months",
            ),
            (
                "4,2006,2007,2,no,0,",
                "4,2006,2007,2,no,2,",
                "row 5, column lapse_months",
            ),
            (
                "4,2006,2007,2,no,0,",
                "4,2006,2007,3,no,0,",
                "row 5, column duration_years",
            ),
            (
                "4,2006,2007,2,no,0,",
                "4,2007,2007,1,no,0,",
                "row 5, column first_fy",
            ),
        ];
        for (from, to, want) in cases {
            let bad = JAPAN_HNS.replacen(from, to, 1);
            assert_ne!(bad, JAPAN_HNS, "{from}");
            let e = Record::from_csv_str(&bad, "j.csv").unwrap_err().to_string();
            assert!(e.contains("j.csv") && e.contains(want), "{want}: {e}");
        }
    }
}
