//! Reading a [`Scenario`] from TOML or JSON text or a file, writing it back, and parse errors
//! with line, column and a snippet of the text.

use super::{Scenario, ScenarioError, table_only};
use crate::report::write::{FileRule, read_text_file};
use std::path::Path;

impl Scenario {
    /// Parses TOML and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Parse`] with line and column for syntax errors, wrong types, unknown keys
    /// or a missing `name`; [`ScenarioError::Invalid`] listing every broken rule.
    pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioError> {
        Self::parse_toml(text, "<string>")
    }

    /// Parses JSON and validates.
    ///
    /// # Errors
    /// As [`Scenario::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Scenario, ScenarioError> {
        Self::parse_json(text, "<string>")
    }

    /// Reads a `.toml` or `.json` file (chosen by extension, case-insensitive) and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Io`] if the file is not a regular file after following symlinks (a
    /// directory, FIFO, device or socket: refused before it is opened or read), is larger than
    /// [`MAX_SCENARIO_BYTES`], cannot be read or is not UTF-8,
    /// [`ScenarioError::UnknownFormat`] for another extension, and the parse/validation errors of
    /// [`Scenario::from_toml_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let (text, is_toml, shown) = read_scenario_file(path.as_ref())?;
        if is_toml {
            Self::parse_toml(&text, &shown)
        } else {
            Self::parse_json(&text, &shown)
        }
    }

    pub(super) fn parse_toml(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::de::Deserializer::parse(text)
            .and_then(table_only)
            .map_err(|e| toml_error(text, origin, &e))?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub(super) fn parse_json(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let scenario: Result<Scenario, serde_json::Error> =
            table_only(&mut de).and_then(|s| de.end().map(|()| s));
        let scenario = scenario.map_err(|e| json_error(origin, &e).with_text(text))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as TOML text (parsing it back gives an equal scenario).
    ///
    /// # Errors
    /// Only if a value cannot be represented in TOML (a non-finite number).
    pub fn to_toml_string(&self) -> Result<String, ScenarioError> {
        to_toml(self, &self.name)
    }

    /// The scenario as pretty JSON text (parsing it back gives an equal scenario).
    ///
    /// # Errors
    /// Only if serialisation fails (it does not for a validated scenario).
    pub fn to_json_string(&self) -> Result<String, ScenarioError> {
        serde_json::to_string_pretty(self).map_err(|e| ScenarioError::Parse {
            origin: self.name.clone(),
            format: "JSON",
            message: e.to_string(),
            line: None,
            column: None,
        })
    }
}

/// `value` as TOML text; an error names `origin` (the scenario's or alliance's name).
pub(crate) fn to_toml<T: serde::Serialize>(
    value: &T,
    origin: &str,
) -> Result<String, ScenarioError> {
    toml::to_string(value).map_err(|e| ScenarioError::Parse {
        origin: origin.to_string(),
        format: "TOML",
        message: e.to_string(),
        line: None,
        column: None,
    })
}

/// Largest accepted scenario or alliance file, bytes (4 MiB).
///
/// The largest preset is a few KiB and a 64-host alliance written out in full is well under
/// 100 KiB, so the cap never stands in the way of a real scenario; it stops a mistaken path (a
/// log, a disk image) from being read into memory whole. At most `MAX_SCENARIO_BYTES + 1` bytes
/// are ever read, so a file that grows while it is read cannot make the reader take more.
pub const MAX_SCENARIO_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a scenario file: its text, whether it is TOML (else JSON, by extension), and the path
/// as shown in messages. The one file reader of [`Scenario::from_path`],
/// [`super::Alliance::from_path`] and [`super::Input::from_path`]: the crate's one input reader
/// (`report::write::read_text_file`: regular files only, read once) with the cap
/// [`MAX_SCENARIO_BYTES`].
pub(crate) fn read_scenario_file(path: &Path) -> Result<(String, bool, String), ScenarioError> {
    let shown = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let is_toml = match ext.as_deref() {
        Some("toml") => true,
        Some("json") => false,
        _ => return Err(ScenarioError::UnknownFormat { path: shown }),
    };
    let rule = FileRule {
        what: "a scenario",
        max_bytes: MAX_SCENARIO_BYTES,
        cap_name: "MAX_SCENARIO_BYTES",
    };
    let text = read_text_file(path, &rule).map_err(|message| ScenarioError::Io {
        path: shown.clone(),
        message,
    })?;
    Ok((text, is_toml, shown))
}

/// A TOML parse error of `text` as a [`ScenarioError::Parse`] with line, column and snippet.
pub(crate) fn toml_error(text: &str, origin: &str, e: &toml::de::Error) -> ScenarioError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_column(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    ScenarioError::Parse {
        origin: origin.to_string(),
        format: "TOML",
        message: with_snippet(e.message().trim(), text, line, column),
        line,
        column,
    }
}

/// A JSON parse error as a [`ScenarioError::Parse`] with line and column (the snippet is added
/// by [`ScenarioError::with_text`]).
pub(crate) fn json_error(origin: &str, e: &serde_json::Error) -> ScenarioError {
    let known = e.line() > 0;
    // serde_json reports column 0 before the first character of a line; columns are 1-based.
    let (line, column) = (
        known.then_some(e.line()),
        known.then_some(e.column().max(1)),
    );
    let full = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    let bare = full.strip_suffix(&at).unwrap_or(&full);
    ScenarioError::Parse {
        origin: origin.to_string(),
        format: "JSON",
        message: bare.to_string(),
        line,
        column,
    }
}

impl ScenarioError {
    /// Adds the snippet of `text` around the error's position to a parse message.
    pub(crate) fn with_text(self, text: &str) -> ScenarioError {
        match self {
            ScenarioError::Parse {
                origin,
                format,
                message,
                line,
                column,
            } => ScenarioError::Parse {
                message: with_snippet(&message, text, line, column),
                origin,
                format,
                line,
                column,
            },
            other => other,
        }
    }
}

/// Appends the source text around the error (`horizon_years = "thirty"`), so that a type error,
/// whose parser message names no key, still shows which field it is about.
fn with_snippet(message: &str, text: &str, line: Option<usize>, column: Option<usize>) -> String {
    let (Some(line), Some(column)) = (line, column) else {
        return message.to_string();
    };
    let Some(src) = text.lines().nth(line.saturating_sub(1)) else {
        return message.to_string();
    };
    let chars: Vec<char> = src.chars().collect();
    let end = (column + 20).min(chars.len());
    let start = column.saturating_sub(41).min(end);
    let snippet: String = chars[start..end].iter().collect();
    let snippet = snippet.trim();
    if snippet.is_empty() {
        message.to_string()
    } else {
        format!("{message} (near `{snippet}`)")
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
