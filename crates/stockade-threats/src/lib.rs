//! stockade's STRIDE threat model of Docker and Kubernetes.
//!
//! The catalog is data (`catalog/*.yaml`, embedded in the binary): trust
//! boundaries, components, data flows, and threats, each threat on one
//! component with one STRIDE letter and mitigations linked to the checks
//! that verify them. [`evaluate`] turns audit results into a status per
//! threat: open (with the failing findings), mitigated, unverified,
//! not-applicable or accepted.

pub mod catalog;
pub mod evaluate;
mod load;
pub mod presence;
pub mod risk;
pub mod summary;
pub mod topology;

pub use catalog::{Catalog, CheckLink, Component, Flow, MitigationKind, Presence, Threat};
pub use evaluate::{
    AcceptanceNote, AcceptanceProblem, Assessment, CheckOutcome, CheckState, ControlState,
    MitigationAssessment, ThreatModel, ThreatStatus, evaluate,
};
pub use load::{LoadError, builtin, load_user_model};
pub use risk::{Rating, RiskBand};
