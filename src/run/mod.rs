//! Running experiments: the [`Experiment`] builder (arms as treatments on common random
//! numbers), the block engine with its [`Observer`]s, variants and sweeps.

mod engine;
mod experiment;
pub mod sweep;
mod variant;

pub use engine::{BLOCK_TRIALS, Observer, Progress, State, shard_range};
pub use experiment::{
    ArmRef, DEFAULT_SEED, DEFAULT_TRIALS, Experiment, MAX_ARM_HOSTS, grid_product,
};
pub use variant::{BASE, Variant};
