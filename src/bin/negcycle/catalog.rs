//! `negcycle presets`, `show` and `check`: list, print and validate scenarios and alliances.

use crate::input::{all_preset_names, read_input, unknown_preset};
use crate::{Failure, emit, emit_text, invalid, with_newline};
use negcycle::alliance::Alliance;
use negcycle::{Input, Scenario, ScenarioError};
use std::path::Path;

pub(crate) fn cmd_presets() -> Result<(), Failure> {
    let width = all_preset_names()
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    let internal = |name: &str, e: ScenarioError| {
        Failure::Failed(format!("internal error: preset {name}: {e}"))
    };
    let mut text = String::new();
    for name in Scenario::presets() {
        let scenario = Scenario::preset(name).map_err(|e| internal(name, e))?;
        text.push_str(&format!("{name:<width$}  {}\n", scenario.description));
    }
    for name in Alliance::presets() {
        let alliance = Alliance::preset(name).map_err(|e| internal(name, e))?;
        text.push_str(&format!(
            "{name:<width$}  {} (alliance: {})\n",
            alliance.description,
            alliance.host_names().join(", ")
        ));
    }
    emit_text(&text)
}

pub(crate) fn cmd_show(preset: &str) -> Result<(), Failure> {
    let text =
        Input::preset_toml(preset).map_err(|_| invalid(unknown_preset(preset).to_string()))?;
    emit(&with_newline(text.to_string()))
}

pub(crate) fn cmd_check(file: &Path) -> Result<(), Failure> {
    let text = match read_input(file)? {
        Input::Single(scenario) => {
            format!("{}: valid (scenario {})\n", file.display(), scenario.name)
        }
        Input::Alliance(alliance) => format!(
            "{}: valid (alliance {}; hosts {})\n",
            file.display(),
            alliance.name,
            alliance.host_names().join(", ")
        ),
    };
    emit_text(&text)
}
