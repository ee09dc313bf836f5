//! Hardening: turn findings into a ranked plan of fixes, show them as
//! diffs and commands, and apply the safe ones on request.
//!
//! - [`generate`] writes a [`Fix`](stockade_core::fix::Fix) for a failing
//!   finding, editing the file where the setting actually lives (daemon.json,
//!   a systemd drop-in for a dockerd flag, a file's mode or owner...).
//! - [`plan`] ranks fixes by the threats they close, severity and effort.
//! - [`apply`] writes atomically with a backup, is idempotent, and refuses
//!   files it cannot parse; [`atomic`] is how each file is written, and how
//!   the leftovers of a killed run are found and removed.

pub mod apply;
pub mod atomic;
pub mod diff;
pub mod edit;
pub mod generate;
pub mod plan;
pub mod shell;
pub mod sources;
pub mod yaml_edit;

pub use plan::{Plan, PlanEntry, build_plan};
