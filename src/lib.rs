//! # negcycle
//!
//! Monte Carlo simulation of repeated negotiations between two allies whose agreements expire:
//! how often to renegotiate, and what that costs in friction, uncertainty and money. The flagship
//! case is the US–South Korea Special Measures Agreement on sharing the cost of US forces.
//!
//! The model (the crate's `MODEL.md`): an efficient contribution `X*` drifts and jumps; an
//! agreement fixes a payment for `cycle_years`; before each expiry the patron and the host
//! negotiate with private reservations and time-dependent concession tactics; missed deadlines
//! lapse and may rupture; public support erodes with hard bargaining and feeds back on the host's
//! ceiling.
//!
//! ```
//! use negcycle::prelude::*;
//!
//! let scenario = Scenario::preset("us_rok_sma")?;
//! let one_year = simulate_trial(&scenario, 1.0, 2019, 0)?;
//! let five_year = simulate_trial(&scenario, 5.0, 2019, 0)?;
//! // Annual deals mean more negotiations over the same 30 years.
//! assert!(one_year.metrics.negotiations > five_year.metrics.negotiations);
//! # Ok::<(), negcycle::Error>(())
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod alliance;
pub mod analytic;
#[cfg(feature = "calibrate")]
pub mod calibrate;
pub mod contract;
pub mod environment;
mod error;
#[cfg(feature = "explore")]
pub mod explore;
mod fastexp;
pub mod lapse;
pub mod metrics;
pub mod party;
#[cfg(feature = "plot")]
pub mod plot;
mod private_draws;
pub mod protocol;
pub mod record;
pub mod regime;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod stats;
pub mod support;
pub mod tally;
pub mod trial;

pub use environment::EnvironmentPath;
pub use error::Error;
pub use metrics::{METRICS, MetricGroup, MetricInfo, NegotiationRecord, TrialMetrics};
pub use protocol::{Protocol, Talks, WindowOutcome};
pub use report::{ArmReport, HostReport, MetricRow, PartialReport, Report};
pub use run::{Experiment, Observer, Progress, State, Variant};
pub use scenario::{Input, Scenario, ScenarioError};
pub use trial::{Arm, Model, TrialOutcome, simulate_trial};

/// The items most programs need.
pub mod prelude {
    pub use crate::alliance::Alliance;
    pub use crate::environment::EnvironmentPath;
    pub use crate::error::Error;
    pub use crate::metrics::{METRICS, NegotiationRecord, TrialMetrics};
    pub use crate::party::Stance;
    pub use crate::protocol::{Protocol, Talks, WindowOutcome};
    pub use crate::report::{ArmReport, HostReport, MetricRow, PartialReport, Report};
    pub use crate::rng::StreamRng;
    pub use crate::run::{Experiment, Observer, Progress, State, Variant};
    pub use crate::scenario::{Input, Scenario, ScenarioError, Side};
    pub use crate::stats::{PairedSummary, Summary};
    pub use crate::trial::{Arm, Model, TrialOutcome, simulate_trial};
}
