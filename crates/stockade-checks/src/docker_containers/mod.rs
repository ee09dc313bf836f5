//! How containers run (CIS Docker section 5, and 4.1).
//!
//! Every container the daemon knows is judged, in every state: a privileged
//! container that was only created becomes privileged the moment someone
//! starts it. `--running-only` narrows this to what docker-bench looks at.
//! Each finding names the container (name and id) and the field of its
//! configuration that decided the verdict, as `docker inspect` spells it.

mod capabilities;
mod exec;
mod isolation;
mod mounts;
mod namespaces;
mod networking;
mod processes;
#[cfg(test)]
mod recorded;
mod resources;
mod runtime;
mod security_modules;
mod user;

pub use capabilities::{
    CONTAINER_CAPABILITIES_ADDED, CONTAINER_NET_RAW_KEPT, CONTAINER_PRIVILEGED,
};
pub use exec::{CONTAINER_EXEC_AS_ROOT, CONTAINER_EXEC_PRIVILEGED};
pub use isolation::{
    CONTAINER_NO_NEW_PRIVILEGES_MISSING, CONTAINER_ROOT_FS_WRITABLE, CONTAINER_SECCOMP_UNCONFINED,
};
pub use mounts::{
    CONTAINER_HOST_DEVICES, CONTAINER_MOUNT_PROPAGATION_SHARED,
    CONTAINER_SENSITIVE_HOST_PATH_MOUNTED, DOCKER_SOCK_MOUNTED,
};
pub use namespaces::{
    CONTAINER_HOST_IPC, CONTAINER_HOST_NETWORK, CONTAINER_HOST_PID, CONTAINER_HOST_USERNS,
    CONTAINER_HOST_UTS,
};
pub use networking::{
    CONTAINER_DEFAULT_BRIDGE, CONTAINER_PORT_BOUND_TO_ALL_INTERFACES, CONTAINER_PORTS_PUBLISHED,
    CONTAINER_PRIVILEGED_PORT_MAPPED,
};
pub use processes::CONTAINER_SSHD_RUNNING;
pub use resources::{
    CONTAINER_CPU_PRIORITY_UNSET, CONTAINER_DEFAULT_ULIMITS, CONTAINER_MEMORY_UNLIMITED,
    CONTAINER_PIDS_LIMIT_MISSING,
};
pub use runtime::{
    CONTAINER_CGROUP_PARENT_CHANGED, CONTAINER_HEALTHCHECK_MISSING, CONTAINER_IMAGE_OUTDATED,
    CONTAINER_RESTART_POLICY_UNBOUNDED,
};
pub use security_modules::{CONTAINER_APPARMOR_MISSING, CONTAINER_SELINUX_MISSING};
pub use user::CONTAINER_RUNS_AS_ROOT;

use serde_json::Value;
use stockade_core::Severity;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};
use stockade_core::workload::Container;

use crate::context::HostContext;

/// Fields every container check shares.
const CONTAINER_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "docker_containers",
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

/// ` (created, not running)` for containers that are not running, so a
/// reader knows the finding is about what *would* run.
fn state_note(container: &Container) -> String {
    if container.is_running() {
        String::new()
    } else {
        format!(" ({}, not running)", container.state)
    }
}

/// The daemon's `GET /info` SecurityOptions, e.g. `name=seccomp,profile=default`.
fn daemon_security_options<'a>(ctx: &HostContext<'a>) -> Option<Vec<&'a str>> {
    let engine = ctx.snapshot.docker.as_ref()?.engine.ok()?;
    Some(
        engine
            .info
            .get("SecurityOptions")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect(),
    )
}

/// Whether a `HostConfig.SecurityOpt` entry sets `key` (either `key=value`
/// or the older `key:value`), and to what.
fn security_opt<'a>(options: &'a [String], key: &str) -> Option<&'a str> {
    options.iter().find_map(|option| {
        let rest = option.strip_prefix(key)?;
        if rest.is_empty() {
            return Some("");
        }
        rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))
    })
}

/// `1.5 GiB` for a byte count.
fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `["a", "b"]` as `a, b`, or `(none)`.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_options_in_both_spellings() {
        let options = vec![
            "seccomp:unconfined".to_owned(),
            "no-new-privileges".to_owned(),
            "label=disable".to_owned(),
        ];
        assert_eq!(security_opt(&options, "seccomp"), Some("unconfined"));
        assert_eq!(security_opt(&options, "no-new-privileges"), Some(""));
        assert_eq!(security_opt(&options, "label"), Some("disable"));
        assert_eq!(security_opt(&options, "apparmor"), None);
    }

    #[test]
    fn byte_counts_read_like_docker_flags() {
        assert_eq!(human_bytes(64 * 1024 * 1024), "64 MiB");
        assert_eq!(human_bytes(1536 * 1024 * 1024), "1.5 GiB");
        assert_eq!(human_bytes(512), "512 B");
    }
}
