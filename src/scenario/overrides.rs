//! Dotted-path overrides of scenario keys (`host.margin=0.1`), as the CLI's `--set` uses them.

use crate::scenario::{Scenario, ScenarioError};
use serde::Deserialize;
use toml::{Table, Value};

impl Scenario {
    /// A copy of the scenario with the key at dotted path `key` (e.g. `host.margin`,
    /// `terms.residual.jump_rate`, `lapse.model`) set to `value`, validated like a file.
    ///
    /// `value` is read as a TOML value (`0.1`, `true`, `"text"`, `[1, 2]`); anything that is not
    /// valid TOML is taken as a string, so `lapse.model=attrition` works unquoted.
    ///
    /// # Errors
    /// [`ScenarioError::Override`] naming the key if it does not exist or the value has the wrong
    /// type; [`ScenarioError::Invalid`] if the result breaks a rule.
    pub fn with_override(&self, key: &str, value: &str) -> Result<Scenario, ScenarioError> {
        let err = |message: String| ScenarioError::Override {
            key: key.to_string(),
            message,
        };
        let parts: Vec<&str> = key.split('.').collect();
        if parts.iter().any(|p| p.trim().is_empty()) {
            return Err(err("not a dotted key path (e.g. host.margin)".into()));
        }
        let mut root = Value::try_from(self)
            .map_err(|e| err(format!("cannot represent the scenario: {e}")))?;
        let known = Value::try_from(schema_template())
            .map_err(|e| err(format!("cannot represent the scenario: {e}")))?;
        // The key must exist in the schema (optional keys included).
        if !schema_has(&known, &parts) {
            return Err(err(format!(
                "no such key; valid keys at this level: {}",
                keys_at(&known, &parts[..parts.len() - 1]).join(", ")
            )));
        }
        let parsed = parse_value(value);
        let mut table = match &mut root {
            Value::Table(t) => t,
            _ => return Err(err("the scenario is not a table".into())),
        };
        for part in &parts[..parts.len() - 1] {
            table = match table
                .entry(part.to_string())
                .or_insert_with(|| Value::Table(Table::new()))
            {
                Value::Table(t) => t,
                _ => return Err(err(format!("{part} is not a table"))),
            };
        }
        table.insert(parts[parts.len() - 1].to_string(), parsed);
        let scenario = Scenario::deserialize(root).map_err(|e| err(e.message().to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }
}

fn parse_value(text: &str) -> Value {
    let doc = format!("v = {text}");
    match doc.parse::<Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

/// A scenario with every optional key present (serialised defaults leave them out), so that
/// the schema check and the list of valid keys see them.
fn schema_template() -> Scenario {
    use crate::scenario::{Clock, Erosion, OpeningReference, Regimes};
    let mut s = Scenario::with_name("template");
    s.agreement.schedule = vec![1.0];
    s.protocol.rounds = Some(1);
    s.protocol.lapse_round_months = Some(1.0);
    s.protocol.clock = Clock::Deadline;
    s.support.erosion = Erosion::DemandedIncrease;
    for p in [&mut s.patron, &mut s.host] {
        p.discount_rate = Some(0.0);
        p.margin_trend = 1.0;
        p.opening_reference = OpeningReference::Fair;
    }
    let regimes = Regimes {
        first_change_years: Some(1.0),
        opening: Some(0.0),
        margin: Some(0.0),
        lapse_pressure: Some(0.0),
        ..Regimes::default()
    };
    // The host's table is in the schema so that validation, not the parser, explains the rule.
    s.patron.regimes = Some(regimes.clone());
    s.host.regimes = Some(regimes);
    s
}

/// Whether the dotted path exists in the schema (optional keys included).
fn schema_has(known: &Value, parts: &[&str]) -> bool {
    let mut v = known;
    for p in parts {
        match v {
            Value::Table(t) => match t.get(*p) {
                Some(next) => v = next,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}

fn keys_at(known: &Value, parts: &[&str]) -> Vec<String> {
    let mut v = known;
    for p in parts {
        match v {
            Value::Table(t) => match t.get(*p) {
                Some(next) => v = next,
                None => return Vec::new(),
            },
            _ => return Vec::new(),
        }
    }
    let mut keys: Vec<String> = match v {
        Value::Table(t) => t.keys().cloned().collect(),
        _ => Vec::new(),
    };
    // Keys only one side may set are listed for that side only.
    match parts {
        ["patron"] => keys.retain(|k| k != "margin_trend"),
        ["host"] => keys.retain(|k| k != "regimes"),
        _ => {}
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_set_nested_keys_and_reject_typos() {
        let s = Scenario::preset("us_rok_sma").unwrap();
        let t = s.with_override("host.margin", "0.1").unwrap();
        assert_eq!(t.host.margin, 0.1);
        let t = s.with_override("lapse.model", "attrition").unwrap();
        assert_eq!(t.lapse.model, crate::scenario::LapseModel::Attrition);
        let t = s.with_override("terms.residual.jump_rate", "1").unwrap();
        assert_eq!(t.terms.residual.jump_rate, 1.0);
        let t = s.with_override("patron.discount_rate", "0.1").unwrap();
        assert_eq!(t.patron.discount_rate, Some(0.1));
        let t = s.with_override("host.margin_trend", "0.01").unwrap();
        assert_eq!(t.host.margin_trend, 0.01);
        let e = s
            .with_override("host.margn", "0.1")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("host.margn: no such key"), "{e}");
        assert!(e.contains("margin"), "{e}");
        let e = s
            .with_override("host.margin", "abc")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("host.margin:"), "{e}");
        let e = s
            .with_override("host.margin", "-1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("host.margin: must be >= 0, got -1"), "{e}");
        assert!(s.with_override("", "1").is_err());
        assert!(s.with_override("host..margin", "1").is_err());
        assert!(s.with_override("lapse.model", "magic").is_err());
    }
}
