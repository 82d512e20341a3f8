//! The tidy table as CSV (RFC 4180; numbers in Rust's shortest round-trip form).

use super::Report;
use super::escape::{csv_field, csv_value};
use super::tidy::Cell;

impl Report {
    /// The report as tidy CSV: the header of [`super::tidy::columns`], then one row per arm,
    /// host and metric.
    pub fn to_csv_string(&self) -> String {
        let mut out = self
            .tidy_columns()
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for row in self.tidy_rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => csv_value(s).into_owned(),
                    Cell::Owned(s) => csv_value(s).into_owned(),
                    Cell::Number(x) => x.to_string(),
                    Cell::Count(n) => n.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}
