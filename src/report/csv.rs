//! The tidy table as CSV (RFC 4180; numbers in Rust's shortest round-trip form).

use super::Report;
use super::tidy::{Cell, columns};

/// Quotes a CSV text field if it needs it.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Report {
    /// The report as tidy CSV: the header of [`super::tidy::columns`], then one row per arm,
    /// host and metric.
    pub fn to_csv_string(&self) -> String {
        let mut out = columns(&self.hosts)
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for row in self.tidy_rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => csv_field(s),
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
