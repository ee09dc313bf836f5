//! The host running Docker (CIS Docker section 1).

pub mod audit_rules;
mod docker_group;
mod docker_version;
mod host_hardening;
mod partition;

pub use audit_rules::*;
pub use docker_group::DOCKER_GROUP_UNTRUSTED_MEMBERS;
pub use docker_version::DOCKER_VERSION_OUTDATED;
pub use host_hardening::HOST_NOT_HARDENED;
pub use partition::DATA_ROOT_NOT_SEPARATE_PARTITION;
