//! Rules on the services of Compose files (CIS Docker section 5 controls,
//! judged on the configuration before any container exists).

mod mounts;
mod namespaces;
mod privileges;
mod resources;
mod secrets;

pub use mounts::{
    COMPOSE_DOCKER_SOCKET_MOUNTED, COMPOSE_ROOT_FILESYSTEM_WRITABLE, COMPOSE_SENSITIVE_HOST_PATH,
};
pub use namespaces::{
    COMPOSE_HOST_IPC, COMPOSE_HOST_NETWORK, COMPOSE_HOST_PID, COMPOSE_HOST_USERNS, COMPOSE_HOST_UTS,
};
pub use privileges::{
    COMPOSE_APPARMOR_UNCONFINED, COMPOSE_CAPABILITIES_ADDED, COMPOSE_DEVICES_EXPOSED,
    COMPOSE_NET_RAW_NOT_DROPPED, COMPOSE_NO_NEW_PRIVILEGES_MISSING, COMPOSE_PRIVILEGED,
    COMPOSE_RUNS_AS_ROOT, COMPOSE_SECCOMP_UNCONFINED,
};
pub use resources::{
    COMPOSE_MEMORY_UNLIMITED, COMPOSE_PIDS_UNLIMITED, COMPOSE_PORT_ALL_INTERFACES,
    COMPOSE_RESTART_UNBOUNDED,
};
pub use secrets::COMPOSE_HARDCODED_SECRET;

use stockade_core::Severity;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};
use stockade_parse::yaml::Node;

use crate::scan::input::ServiceInput;

/// Fields every Compose rule shares.
const COMPOSE_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "compose",
    scope: Scope::Container,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

/// The value of a `security_opt` entry (`seccomp:unconfined`,
/// `seccomp=unconfined`), with its node.
fn security_opt<'a>(input: &ServiceInput<'a>, name: &str) -> Option<(&'a Node, String)> {
    input
        .service
        .security_opts()
        .into_iter()
        .find_map(|(node, text)| {
            let (key, value) = text.split_once([':', '='])?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| (node, value.trim().to_owned()))
        })
}

/// A capability name without its `CAP_` prefix, upper-cased.
fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_owned()
}
