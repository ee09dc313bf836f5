//! Images and how they were built (CIS Docker section 4).
//!
//! Images are judged from their inspect and their build history (GET
//! /images/{id}/history), the only trace of the Dockerfile a host keeps.
//! Build steps are masked before they are stored: a secret passed with ENV
//! or ARG shows as `NAME=****`.

mod build_history;
mod content_trust;
mod healthcheck;
mod manual;

pub use build_history::{
    IMAGE_ADD_INSTRUCTION, IMAGE_SECRETS_IN_BUILD, IMAGE_UPDATE_INSTRUCTION_ALONE,
};
pub use content_trust::CONTENT_TRUST_DISABLED;
pub use healthcheck::IMAGE_HEALTHCHECK_MISSING;
pub use manual::{
    IMAGE_BASE_UNTRUSTED, IMAGE_NOT_REBUILT, IMAGE_PACKAGES_UNVERIFIED, IMAGE_SETUID_FILES,
    IMAGE_SIGNATURES_UNVALIDATED, IMAGE_UNNEEDED_PACKAGES,
};

use stockade_core::Severity;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};

/// Fields every image check shares.
const IMAGE_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "docker_images",
    scope: Scope::Image,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};
