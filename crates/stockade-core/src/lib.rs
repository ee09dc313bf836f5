//! The data model shared by every stockade crate.
//!
//! Nothing here performs I/O: collectors fill a [`Snapshot`], checks read it
//! (or a parsed document) and return [`Finding`]s, renderers print them.

pub mod cis;
pub mod finding;
pub mod fix;
pub mod kubernetes;
pub mod mask;
pub mod meta;
pub mod snapshot;
pub mod status;
pub mod workload;

pub use cis::{Benchmark, CisRef};
pub use finding::{Evidence, Finding, Location};
pub use meta::{CheckMeta, CheckMode, Scope, Stride};
pub use snapshot::Snapshot;
pub use status::{Severity, Status};
