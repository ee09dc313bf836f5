//! Every check stockade has, in one list.

use crate::check::Check;
use crate::{compose, dockerfile, k8s_rbac as rbac, k8s_workloads as k8s, scan};
use crate::{docker_daemon as daemon, docker_files as files, docker_host as host};

static REGISTRY: &[&Check] = &[
    // CIS Docker section 1: the host.
    &host::DATA_ROOT_NOT_SEPARATE_PARTITION,
    &host::DOCKER_GROUP_UNTRUSTED_MEMBERS,
    &host::AUDIT_RULE_MISSING_DOCKERD,
    &host::AUDIT_RULE_MISSING_RUN_CONTAINERD,
    &host::AUDIT_RULE_MISSING_DATA_ROOT,
    &host::AUDIT_RULE_MISSING_ETC_DOCKER,
    &host::AUDIT_RULE_MISSING_DOCKER_SERVICE,
    &host::AUDIT_RULE_MISSING_CONTAINERD_SOCK,
    &host::AUDIT_RULE_MISSING_DOCKER_SOCKET_UNIT,
    &host::AUDIT_RULE_MISSING_ETC_DEFAULT_DOCKER,
    &host::AUDIT_RULE_MISSING_DAEMON_JSON,
    &host::AUDIT_RULE_MISSING_CONTAINERD_CONFIG,
    &host::AUDIT_RULE_MISSING_ETC_SYSCONFIG_DOCKER,
    &host::AUDIT_RULE_MISSING_CONTAINERD,
    &host::AUDIT_RULE_MISSING_CONTAINERD_SHIM,
    &host::AUDIT_RULE_MISSING_CONTAINERD_SHIM_RUNC_V1,
    &host::AUDIT_RULE_MISSING_CONTAINERD_SHIM_RUNC_V2,
    &host::AUDIT_RULE_MISSING_RUNC,
    &host::HOST_NOT_HARDENED,
    &host::DOCKER_VERSION_OUTDATED,
    // Section 2: the daemon's configuration.
    &daemon::DAEMON_RUNS_AS_ROOT,
    &daemon::DAEMON_ICC_ENABLED,
    &daemon::DAEMON_LOG_LEVEL_NOT_INFO,
    &daemon::DAEMON_IPTABLES_DISABLED,
    &daemon::DAEMON_INSECURE_REGISTRY,
    &daemon::DAEMON_AUFS_STORAGE_DRIVER,
    &daemon::DAEMON_TCP_WITHOUT_TLS,
    &daemon::DAEMON_DEFAULT_ULIMIT_UNSET,
    &daemon::DAEMON_USERNS_REMAP_DISABLED,
    &daemon::DAEMON_CGROUP_PARENT_CHANGED,
    &daemon::DAEMON_BASE_DEVICE_SIZE_CHANGED,
    &daemon::DAEMON_AUTHORIZATION_PLUGIN_MISSING,
    &daemon::DAEMON_LOGS_NOT_CENTRALIZED,
    &daemon::DAEMON_NO_NEW_PRIVILEGES_DISABLED,
    &daemon::DAEMON_LIVE_RESTORE_DISABLED,
    &daemon::DAEMON_USERLAND_PROXY_ENABLED,
    &daemon::DAEMON_SECCOMP_PROFILE_MISSING,
    &daemon::DAEMON_EXPERIMENTAL_ENABLED,
    // Section 3: the daemon's files.
    &files::DOCKER_SERVICE_NOT_ROOT_OWNED,
    &files::DOCKER_SERVICE_PERMISSIVE,
    &files::DOCKER_SOCKET_UNIT_NOT_ROOT_OWNED,
    &files::DOCKER_SOCKET_UNIT_PERMISSIVE,
    &files::ETC_DOCKER_NOT_ROOT_OWNED,
    &files::ETC_DOCKER_PERMISSIVE,
    &files::REGISTRY_CERTS_NOT_ROOT_OWNED,
    &files::REGISTRY_CERTS_PERMISSIVE,
    &files::TLS_CA_CERT_NOT_ROOT_OWNED,
    &files::TLS_CA_CERT_PERMISSIVE,
    &files::TLS_SERVER_CERT_NOT_ROOT_OWNED,
    &files::TLS_SERVER_CERT_PERMISSIVE,
    &files::TLS_SERVER_KEY_NOT_ROOT_OWNED,
    &files::TLS_SERVER_KEY_PERMISSIVE,
    &files::DOCKER_SOCK_WRONG_OWNER,
    &files::DOCKER_SOCK_PERMISSIVE,
    &files::DAEMON_JSON_NOT_ROOT_OWNED,
    &files::DAEMON_JSON_PERMISSIVE,
    &files::ETC_DEFAULT_DOCKER_NOT_ROOT_OWNED,
    &files::ETC_DEFAULT_DOCKER_PERMISSIVE,
    &files::ETC_SYSCONFIG_DOCKER_PERMISSIVE,
    &files::ETC_SYSCONFIG_DOCKER_NOT_ROOT_OWNED,
    &files::CONTAINERD_SOCK_NOT_ROOT_OWNED,
    &files::CONTAINERD_SOCK_PERMISSIVE,
    // `stockade scan`: what the scan itself reports.
    &scan::FILE_PARSE_ERROR,
    &scan::TEMPLATE_NOT_SCANNED,
    &scan::IGNORE_WITHOUT_REASON,
    &scan::IGNORE_UNUSED,
    // Dockerfiles (CIS Docker section 4).
    &dockerfile::DOCKERFILE_RUNS_AS_ROOT,
    &dockerfile::DOCKERFILE_NO_HEALTHCHECK,
    &dockerfile::DOCKERFILE_ADD_INSTEAD_OF_COPY,
    &dockerfile::DOCKERFILE_ADD_FROM_URL,
    &dockerfile::DOCKERFILE_HARDCODED_SECRET,
    &dockerfile::DOCKERFILE_UPDATE_WITHOUT_INSTALL,
    &dockerfile::DOCKERFILE_PACKAGE_SIGNATURE_UNCHECKED,
    &dockerfile::DOCKERFILE_TLS_VERIFICATION_DISABLED,
    &dockerfile::DOCKERFILE_BASE_IMAGE_LATEST,
    &dockerfile::DOCKERFILE_BASE_IMAGE_NOT_PINNED,
    &dockerfile::DOCKERFILE_PIPE_TO_SHELL,
    &dockerfile::DOCKERFILE_SUDO,
    &dockerfile::DOCKERFILE_CHMOD_WORLD_WRITABLE,
    &dockerfile::DOCKERFILE_EXPOSES_SSH,
    // Compose services (CIS Docker section 5, before containers exist).
    &compose::COMPOSE_PRIVILEGED,
    &compose::COMPOSE_CAPABILITIES_ADDED,
    &compose::COMPOSE_NET_RAW_NOT_DROPPED,
    &compose::COMPOSE_HOST_NETWORK,
    &compose::COMPOSE_HOST_PID,
    &compose::COMPOSE_HOST_IPC,
    &compose::COMPOSE_HOST_UTS,
    &compose::COMPOSE_HOST_USERNS,
    &compose::COMPOSE_RUNS_AS_ROOT,
    &compose::COMPOSE_DOCKER_SOCKET_MOUNTED,
    &compose::COMPOSE_SENSITIVE_HOST_PATH,
    &compose::COMPOSE_ROOT_FILESYSTEM_WRITABLE,
    &compose::COMPOSE_MEMORY_UNLIMITED,
    &compose::COMPOSE_PIDS_UNLIMITED,
    &compose::COMPOSE_NO_NEW_PRIVILEGES_MISSING,
    &compose::COMPOSE_SECCOMP_UNCONFINED,
    &compose::COMPOSE_APPARMOR_UNCONFINED,
    &compose::COMPOSE_PORT_ALL_INTERFACES,
    &compose::COMPOSE_RESTART_UNBOUNDED,
    &compose::COMPOSE_HARDCODED_SECRET,
    &compose::COMPOSE_DEVICES_EXPOSED,
    // Kubernetes workloads and namespaces (CIS Kubernetes section 5).
    &k8s::K8S_PRIVILEGED_CONTAINER,
    &k8s::K8S_PRIVILEGE_ESCALATION_ALLOWED,
    &k8s::K8S_RUNS_AS_ROOT,
    &k8s::K8S_CAPABILITIES_ADDED,
    &k8s::K8S_NET_RAW_NOT_DROPPED,
    &k8s::K8S_CAPABILITIES_NOT_DROPPED,
    &k8s::K8S_HOST_NETWORK,
    &k8s::K8S_HOST_PID,
    &k8s::K8S_HOST_IPC,
    &k8s::K8S_HOST_PATH_VOLUME,
    &k8s::K8S_HOST_PORT,
    &k8s::K8S_ROOT_FILESYSTEM_WRITABLE,
    &k8s::K8S_SECCOMP_UNCONFINED,
    &k8s::K8S_APPARMOR_UNCONFINED,
    &k8s::K8S_SELINUX_CUSTOM_OPTIONS,
    &k8s::K8S_PROC_MOUNT_UNMASKED,
    &k8s::K8S_UNSAFE_SYSCTLS,
    &k8s::K8S_WINDOWS_HOST_PROCESS,
    &k8s::K8S_MEMORY_LIMIT_MISSING,
    &k8s::K8S_CPU_LIMIT_MISSING,
    &k8s::K8S_RESOURCE_REQUESTS_MISSING,
    &k8s::K8S_SERVICE_ACCOUNT_TOKEN_MOUNTED,
    &k8s::K8S_DEFAULT_SERVICE_ACCOUNT,
    &k8s::K8S_SECRET_IN_ENV,
    &k8s::K8S_HARDCODED_SECRET,
    &k8s::K8S_SECRET_IN_CONFIGMAP,
    &k8s::K8S_SERVICE_EXTERNAL_IPS,
    &k8s::K8S_IMAGE_LATEST_TAG,
    &k8s::K8S_IMAGE_NOT_PINNED,
    &k8s::K8S_DEFAULT_NAMESPACE,
    &k8s::K8S_NAMESPACE_WITHOUT_POD_SECURITY,
    &k8s::K8S_NAMESPACE_WITHOUT_NETWORK_POLICY,
    // Kubernetes RBAC (CIS Kubernetes 5.1).
    &rbac::K8S_RBAC_CLUSTER_ADMIN_BINDING,
    &rbac::K8S_RBAC_SECRETS_READ,
    &rbac::K8S_RBAC_WILDCARD,
    &rbac::K8S_RBAC_CREATE_PODS,
    &rbac::K8S_RBAC_SYSTEM_MASTERS,
    &rbac::K8S_RBAC_ESCALATION_VERBS,
    &rbac::K8S_RBAC_PV_CREATE,
    &rbac::K8S_RBAC_NODES_PROXY,
    &rbac::K8S_RBAC_CSR_APPROVAL,
    &rbac::K8S_RBAC_WEBHOOK_CONFIG,
    &rbac::K8S_RBAC_TOKEN_CREATE,
    &rbac::K8S_RBAC_POD_EXEC,
    &rbac::K8S_RBAC_ANONYMOUS_ACCESS,
];

/// Every check, in registry order.
pub fn all() -> &'static [&'static Check] {
    REGISTRY
}

/// The check with this id.
pub fn by_id(id: &str) -> Option<&'static Check> {
    REGISTRY.iter().copied().find(|c| c.meta.id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use stockade_core::cis::Benchmark;

    use super::*;

    #[test]
    fn ids_are_unique_and_every_check_is_documented() {
        let mut seen = BTreeSet::new();
        let mut problems = Vec::new();
        for check in all() {
            if !seen.insert(check.meta.id) {
                problems.push(format!("{}: duplicate id", check.meta.id));
            }
            for problem in check.meta.validate() {
                problems.push(format!("{}: {problem}", check.meta.id));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// Renaming or removing an id breaks users' --check/--skip lists and
    /// suppressions: this snapshot makes every such change a visible diff.
    #[test]
    fn ids_snapshot() {
        let ids: Vec<&str> = {
            let mut ids: Vec<&str> = all().iter().map(|c| c.meta.id).collect();
            ids.sort_unstable();
            ids
        };
        insta::assert_snapshot!(ids.join("\n"));
    }

    /// Each CIS Docker 1.6.0 control of sections 1–3 has exactly one check.
    #[test]
    fn cis_docker_sections_one_to_three_are_complete() {
        let mut numbers: Vec<&str> = all()
            .iter()
            .filter_map(|c| c.meta.cis_number(Benchmark::Docker, "1.6.0"))
            .filter(|n| ["1.", "2.", "3."].iter().any(|s| n.starts_with(s)))
            .collect();
        numbers.sort_by(|a, b| stockade_core::cis::compare_numbers(a, b));
        let mut expected: Vec<String> = (1..=18).map(|n| format!("1.1.{n}")).collect();
        expected.extend(["1.2.1".to_owned(), "1.2.2".to_owned()]);
        expected.extend((1..=18).map(|n| format!("2.{n}")));
        expected.extend((1..=24).map(|n| format!("3.{n}")));
        assert_eq!(numbers, expected);
    }

    #[test]
    fn renumbered_controls_follow_the_benchmark_version() {
        let icc = by_id("daemon-icc-enabled").unwrap();
        assert_eq!(icc.meta.cis_number(Benchmark::Docker, "1.6.0"), Some("2.2"));
        assert_eq!(icc.meta.cis_number(Benchmark::Docker, "1.2.0"), Some("2.1"));
        let nnp = by_id("daemon-no-new-privileges-disabled").unwrap();
        assert_eq!(nnp.meta.cis_number(Benchmark::Docker, "1.13.0"), None);
        assert_eq!(
            nnp.meta.cis_number(Benchmark::Docker, "1.1.0"),
            Some("2.18")
        );
        assert_eq!(
            nnp.meta.cis_number(Benchmark::Docker, "1.2.0"),
            Some("2.17")
        );
        // No two checks reading the same input share a number in any version.
        for benchmark in [Benchmark::Docker, Benchmark::Kubernetes] {
            for version in benchmark.versions() {
                let mut seen = std::collections::HashSet::new();
                for check in all() {
                    if let Some(n) = check.meta.cis_number(benchmark, version) {
                        assert!(
                            seen.insert((check.input(), n)),
                            "{version}: {n} used twice for {:?} input (by {})",
                            check.input(),
                            check.meta.id
                        );
                    }
                }
            }
        }
    }
}
