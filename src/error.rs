//! The crate's error type.

use crate::scenario::ScenarioError;

/// Everything that can go wrong in negcycle.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A scenario (or a value checked against its rules, such as a cycle length) is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}
