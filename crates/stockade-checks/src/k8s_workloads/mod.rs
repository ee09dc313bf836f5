//! Rules on Kubernetes workloads: the pod spec of Pods and of every kind
//! with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob), with init and ephemeral containers,
//! and on namespaces (CIS Kubernetes section 5).
//!
//! Booleans are read as Kubernetes reads them (YAML 1.1: `yes` is true).

mod capabilities;
mod filesystem;
mod host;
mod images;
mod namespaces;
mod objects;
mod privilege;
mod profiles;
mod resources;
mod secrets;
mod service_account;
mod user;

pub use capabilities::{
    K8S_CAPABILITIES_ADDED, K8S_CAPABILITIES_NOT_DROPPED, K8S_NET_RAW_NOT_DROPPED,
};
pub use filesystem::K8S_ROOT_FILESYSTEM_WRITABLE;
pub use host::{K8S_HOST_IPC, K8S_HOST_NETWORK, K8S_HOST_PATH_VOLUME, K8S_HOST_PID, K8S_HOST_PORT};
pub use images::{K8S_IMAGE_LATEST_TAG, K8S_IMAGE_NOT_PINNED};
pub use namespaces::{
    K8S_DEFAULT_NAMESPACE, K8S_NAMESPACE_WITHOUT_NETWORK_POLICY, K8S_NAMESPACE_WITHOUT_POD_SECURITY,
};
pub(crate) use objects::configmap_secrets;
pub use objects::{K8S_SECRET_IN_CONFIGMAP, K8S_SERVICE_EXTERNAL_IPS};
pub use privilege::{
    K8S_PRIVILEGE_ESCALATION_ALLOWED, K8S_PRIVILEGED_CONTAINER, K8S_PROC_MOUNT_UNMASKED,
    K8S_SELINUX_CUSTOM_OPTIONS, K8S_UNSAFE_SYSCTLS, K8S_WINDOWS_HOST_PROCESS,
};
pub use profiles::{K8S_APPARMOR_UNCONFINED, K8S_SECCOMP_UNCONFINED};
pub use resources::{
    K8S_CPU_LIMIT_MISSING, K8S_MEMORY_LIMIT_MISSING, K8S_RESOURCE_REQUESTS_MISSING,
};
pub use secrets::{K8S_HARDCODED_SECRET, K8S_SECRET_IN_ENV};
pub use service_account::{K8S_DEFAULT_SERVICE_ACCOUNT, K8S_SERVICE_ACCOUNT_TOKEN_MOUNTED};
pub use user::K8S_RUNS_AS_ROOT;

use stockade_core::Severity;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};
use stockade_parse::k8s::Container;
use stockade_parse::yaml::Node;

/// Fields every workload rule shares.
const WORKLOAD_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "k8s_workloads",
    scope: Scope::K8sWorkload,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

/// `container `app`` or `init container `setup``.
fn label(container: &Container<'_>) -> String {
    format!("{} `{}`", container.kind.label(), container.name())
}

/// Where a missing setting of a container is reported: its `name` key.
fn anchor<'a>(container: &Container<'a>) -> &'a Node {
    container
        .node
        .entry("name")
        .map_or(container.node, |e| &e.key)
}

/// A capability name without `CAP_`, upper-cased.
fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_owned()
}

/// The names listed under `securityContext.capabilities.<list>`.
fn capabilities_in(container: &Container<'_>, list: &str) -> Vec<String> {
    container
        .security("capabilities")
        .and_then(|c| c.get(list))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .map(capability)
        .collect()
}
