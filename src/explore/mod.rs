//! Exploration under deep uncertainty (MODEL.md §12): which cycle length is best across the
//! plausible values of what the calibration leaves open, which inputs drive the choice, and
//! where in the space of inputs the choice flips.
//!
//! The pieces, one concept per file:
//! - [`uncertainty`]: uncertain scenario keys (ranges and choices) and the unit-cube map;
//! - [`design`]: Latin hypercube, Saltelli/Sobol, Morris and factorial designs;
//! - [`plan`]: the exploration's plan (its fingerprint) and the simulation of one point, one
//!   [`crate::Experiment`] per point with the same seed (common random numbers);
//! - [`points`]: the streamed points file, resume, shards and their merge;
//! - [`spread`]: the choice of Morris trajectories with maximal spread;
//! - [`sobol`], [`morris`], [`mod@robustness`], [`mod@prim`]: the estimators;
//! - [`analysis`]: all of them on a finished points file, and their tables;
//! - [`defaults`]: each preset's default uncertainty set.
//!
//! ```
//! use negcycle::explore::{Design, Plan, PlanSpec, Uncertainty};
//! use negcycle::Scenario;
//!
//! let plan = Plan::new(PlanSpec {
//!     scenario: Scenario::preset("us_rok_sma")?.into(),
//!     uncertainties: vec![Uncertainty::log_uniform("rigidity_weight", 0.25, 4.0)],
//!     design: Design::Lhs { points: 4 },
//!     cycles: vec![vec![1.0], vec![5.0]], // per arm, one cycle per host
//!     reference: None, // the scenario's own 5 years
//!     objective: None, // joint_loss
//!     metrics: vec![],
//!     trials: 50,
//!     seed: 2019,
//! })?;
//! let unit = plan.unit_points()?;
//! let point = plan.run_point(0, &unit[0])?;
//! assert_eq!(point.arms.len(), 2);
//! # Ok::<(), negcycle::Error>(())
//! ```

pub mod analysis;
/// (feature `plot`) The exploration's charts (file `src/plot/explore_charts.rs`).
#[cfg(feature = "plot")]
#[path = "../plot/explore_charts.rs"]
pub mod charts;
pub mod defaults;
pub mod design;
pub mod morris;
pub mod plan;
pub mod points;
pub mod prim;
pub mod robustness;
pub mod sobol;
pub mod spread;
pub mod uncertainty;

pub use analysis::{Analysis, AnalysisOptions, points_csv, write_points_csv};
pub use defaults::default_uncertainties;
pub use design::{Design, MAX_MORRIS_CANDIDATES, default_morris_candidates};
pub use morris::{MorrisIndices, morris_indices};
pub use plan::{ArmRecord, MAX_ARMS, Plan, PlanSpec, PointRecord, find_arm};
pub use points::{PointsHeader, merge_points, read_points, run_points};
pub use prim::{PrimBox, PrimOptions, PrimResult, prim};
pub use robustness::{ArmRobustness, robustness};
pub use sobol::{Estimate, PairIndex, SobolIndices, second_order_indices, sobol_indices};
pub use uncertainty::{Distribution, Uncertainty, parse_uncertainties, read_uncertainties};
