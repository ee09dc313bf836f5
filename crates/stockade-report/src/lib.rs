//! Renderers. They write to any `io::Write`; none of them prints.

pub mod baseline;
pub mod diagnostic;
pub mod diff;
pub mod fingerprint;
pub mod fleet;
pub mod harden;
pub mod json;
pub mod model;
pub mod rule_doc;
pub mod sarif;
pub mod sarif_audit;
pub mod scan;
pub mod scan_formats;
pub mod text;
pub mod threat_model;

pub use model::{AuditReport, CheckResult, Summary, Target};
pub use scan::{ScanReport, ScannedFile};
