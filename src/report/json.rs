//! The report as JSON (the nested shape of the module docs) and as JSON lines (the tidy table,
//! one object per row).

use super::Report;
use super::tidy::Cell;
use crate::error::Error;

impl Report {
    /// The report as pretty JSON (the shape in the module docs).
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Internal(format!("report: {e}")))
    }

    /// Reads a report from JSON.
    ///
    /// # Errors
    /// [`Error::Json`] naming `origin` if the text is not a report of this version's shape.
    pub fn from_json_str(text: &str, origin: &str) -> Result<Report, Error> {
        serde_json::from_str(text).map_err(|e| Error::Json {
            origin: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// The tidy table as JSON lines: one object per row, keys the CSV columns, `null` for
    /// empty cells (`pd.read_json(path, lines=True)`).
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_jsonl_string(&self) -> Result<String, Error> {
        let cols = self.tidy_columns();
        let mut out = String::new();
        for row in self.tidy_rows() {
            let mut obj = serde_json::Map::with_capacity(cols.len());
            for (name, cell) in cols.iter().zip(row) {
                let v = match cell {
                    Cell::Text(s) => serde_json::Value::from(s),
                    Cell::Owned(s) => serde_json::Value::from(s.as_str()),
                    Cell::Number(x) => serde_json::Value::from(x),
                    Cell::Count(n) => serde_json::Value::from(n),
                    Cell::Empty => serde_json::Value::Null,
                };
                obj.insert(name.clone(), v);
            }
            let line =
                serde_json::to_string(&obj).map_err(|e| Error::Internal(format!("jsonl: {e}")))?;
            out.push_str(&line);
            out.push('\n');
        }
        Ok(out)
    }
}
