//! Every check stockade has, in one list.

use crate::check::Check;
use crate::{
    compose, docker_containers as containers, docker_daemon as daemon, docker_files as files,
    docker_host as host, docker_images as images, docker_ops as ops, docker_swarm as swarm,
    dockerfile, k8s_node as k8s, k8s_rbac as rbac, k8s_workloads as workloads, scan,
};

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
    // Section 4: images and their builds.
    &containers::CONTAINER_RUNS_AS_ROOT,
    &images::IMAGE_BASE_UNTRUSTED,
    &images::IMAGE_UNNEEDED_PACKAGES,
    &images::IMAGE_NOT_REBUILT,
    &images::CONTENT_TRUST_DISABLED,
    &images::IMAGE_HEALTHCHECK_MISSING,
    &images::IMAGE_UPDATE_INSTRUCTION_ALONE,
    &images::IMAGE_SETUID_FILES,
    &images::IMAGE_ADD_INSTRUCTION,
    &images::IMAGE_SECRETS_IN_BUILD,
    &images::IMAGE_PACKAGES_UNVERIFIED,
    &images::IMAGE_SIGNATURES_UNVALIDATED,
    // Section 5: how containers run.
    &swarm::SWARM_MODE_ENABLED,
    &containers::CONTAINER_APPARMOR_MISSING,
    &containers::CONTAINER_SELINUX_MISSING,
    &containers::CONTAINER_CAPABILITIES_ADDED,
    &containers::CONTAINER_NET_RAW_KEPT,
    &containers::CONTAINER_PRIVILEGED,
    &containers::CONTAINER_SENSITIVE_HOST_PATH_MOUNTED,
    &containers::CONTAINER_SSHD_RUNNING,
    &containers::CONTAINER_PRIVILEGED_PORT_MAPPED,
    &containers::CONTAINER_PORTS_PUBLISHED,
    &containers::CONTAINER_HOST_NETWORK,
    &containers::CONTAINER_MEMORY_UNLIMITED,
    &containers::CONTAINER_CPU_PRIORITY_UNSET,
    &containers::CONTAINER_ROOT_FS_WRITABLE,
    &containers::CONTAINER_PORT_BOUND_TO_ALL_INTERFACES,
    &containers::CONTAINER_RESTART_POLICY_UNBOUNDED,
    &containers::CONTAINER_HOST_PID,
    &containers::CONTAINER_HOST_IPC,
    &containers::CONTAINER_HOST_DEVICES,
    &containers::CONTAINER_DEFAULT_ULIMITS,
    &containers::CONTAINER_MOUNT_PROPAGATION_SHARED,
    &containers::CONTAINER_HOST_UTS,
    &containers::CONTAINER_SECCOMP_UNCONFINED,
    &containers::CONTAINER_EXEC_PRIVILEGED,
    &containers::CONTAINER_EXEC_AS_ROOT,
    &containers::CONTAINER_CGROUP_PARENT_CHANGED,
    &containers::CONTAINER_NO_NEW_PRIVILEGES_MISSING,
    &containers::CONTAINER_HEALTHCHECK_MISSING,
    &containers::CONTAINER_IMAGE_OUTDATED,
    &containers::CONTAINER_PIDS_LIMIT_MISSING,
    &containers::CONTAINER_DEFAULT_BRIDGE,
    &containers::CONTAINER_HOST_USERNS,
    &containers::DOCKER_SOCK_MOUNTED,
    // Section 6: operations.
    &ops::IMAGE_SPRAWL,
    &ops::CONTAINER_SPRAWL,
    // Section 7: swarm.
    &swarm::SWARM_MANAGERS_NOT_MINIMAL,
    &swarm::SWARM_LISTENS_ON_ALL_INTERFACES,
    &swarm::OVERLAY_NETWORK_UNENCRYPTED,
    &swarm::SWARM_SECRETS_UNUSED,
    &swarm::SWARM_AUTOLOCK_DISABLED,
    &swarm::SWARM_UNLOCK_KEY_NOT_ROTATED,
    &swarm::SWARM_NODE_CERTS_NOT_ROTATED,
    &swarm::SWARM_CA_NOT_ROTATED,
    &swarm::SWARM_PLANES_NOT_SEPARATED,
    // CIS Kubernetes section 1.1: control-plane files.
    &k8s::APISERVER_MANIFEST_PERMISSIVE,
    &k8s::APISERVER_MANIFEST_NOT_ROOT_OWNED,
    &k8s::CONTROLLER_MANAGER_MANIFEST_PERMISSIVE,
    &k8s::CONTROLLER_MANAGER_MANIFEST_NOT_ROOT_OWNED,
    &k8s::SCHEDULER_MANIFEST_PERMISSIVE,
    &k8s::SCHEDULER_MANIFEST_NOT_ROOT_OWNED,
    &k8s::ETCD_MANIFEST_PERMISSIVE,
    &k8s::ETCD_MANIFEST_NOT_ROOT_OWNED,
    &k8s::CNI_FILES_PERMISSIVE,
    &k8s::CNI_FILES_NOT_ROOT_OWNED,
    &k8s::ETCD_DATA_DIR_PERMISSIVE,
    &k8s::ETCD_DATA_DIR_WRONG_OWNER,
    &k8s::ADMIN_KUBECONFIG_PERMISSIVE,
    &k8s::ADMIN_KUBECONFIG_NOT_ROOT_OWNED,
    &k8s::SCHEDULER_KUBECONFIG_PERMISSIVE,
    &k8s::SCHEDULER_KUBECONFIG_NOT_ROOT_OWNED,
    &k8s::CONTROLLER_MANAGER_KUBECONFIG_PERMISSIVE,
    &k8s::CONTROLLER_MANAGER_KUBECONFIG_NOT_ROOT_OWNED,
    &k8s::PKI_NOT_ROOT_OWNED,
    &k8s::PKI_CERT_PERMISSIVE,
    &k8s::PKI_KEY_PERMISSIVE,
    // Section 1.2: the API server.
    &k8s::APISERVER_ANONYMOUS_AUTH_ENABLED,
    &k8s::APISERVER_STATIC_TOKEN_FILE,
    &k8s::APISERVER_DENY_SERVICE_EXTERNAL_IPS_OFF,
    &k8s::APISERVER_KUBELET_CLIENT_CERT_MISSING,
    &k8s::APISERVER_KUBELET_CA_MISSING,
    &k8s::APISERVER_AUTHORIZATION_ALWAYS_ALLOW,
    &k8s::APISERVER_NODE_AUTHORIZER_MISSING,
    &k8s::APISERVER_RBAC_MISSING,
    &k8s::APISERVER_EVENT_RATE_LIMIT_OFF,
    &k8s::APISERVER_ALWAYS_ADMIT_ENABLED,
    &k8s::APISERVER_ALWAYS_PULL_IMAGES_OFF,
    &k8s::APISERVER_SERVICE_ACCOUNT_ADMISSION_DISABLED,
    &k8s::APISERVER_NAMESPACE_LIFECYCLE_DISABLED,
    &k8s::APISERVER_NODE_RESTRICTION_OFF,
    &k8s::APISERVER_PROFILING_ENABLED,
    &k8s::APISERVER_AUDIT_LOG_MISSING,
    &k8s::APISERVER_AUDIT_LOG_MAXAGE_SHORT,
    &k8s::APISERVER_AUDIT_LOG_MAXBACKUP_LOW,
    &k8s::APISERVER_AUDIT_LOG_MAXSIZE_SMALL,
    &k8s::APISERVER_REQUEST_TIMEOUT_REVIEW,
    &k8s::APISERVER_SERVICE_ACCOUNT_LOOKUP_DISABLED,
    &k8s::APISERVER_SERVICE_ACCOUNT_KEY_MISSING,
    &k8s::APISERVER_ETCD_CLIENT_CERT_MISSING,
    &k8s::APISERVER_TLS_CERT_MISSING,
    &k8s::APISERVER_CLIENT_CA_MISSING,
    &k8s::APISERVER_ETCD_CA_MISSING,
    &k8s::APISERVER_ENCRYPTION_CONFIG_MISSING,
    &k8s::APISERVER_ENCRYPTION_PROVIDER_WEAK,
    &k8s::APISERVER_WEAK_TLS_CIPHERS,
    &k8s::APISERVER_TOKEN_EXPIRATION_EXTENDED,
    // Section 1.3: the controller manager.
    &k8s::CONTROLLER_MANAGER_POD_GC_THRESHOLD_UNSET,
    &k8s::CONTROLLER_MANAGER_PROFILING_ENABLED,
    &k8s::CONTROLLER_MANAGER_SHARED_SERVICE_ACCOUNT,
    &k8s::CONTROLLER_MANAGER_SA_SIGNING_KEY_MISSING,
    &k8s::CONTROLLER_MANAGER_ROOT_CA_MISSING,
    &k8s::CONTROLLER_MANAGER_SERVING_CERT_ROTATION_OFF,
    &k8s::CONTROLLER_MANAGER_NOT_LOOPBACK,
    // Section 1.4: the scheduler.
    &k8s::SCHEDULER_PROFILING_ENABLED,
    &k8s::SCHEDULER_NOT_LOOPBACK,
    // Section 2: etcd.
    &k8s::ETCD_CLIENT_TLS_MISSING,
    &k8s::ETCD_CLIENT_CERT_AUTH_DISABLED,
    &k8s::ETCD_AUTO_TLS_ENABLED,
    &k8s::ETCD_PEER_TLS_MISSING,
    &k8s::ETCD_PEER_CLIENT_CERT_AUTH_DISABLED,
    &k8s::ETCD_PEER_AUTO_TLS_ENABLED,
    &k8s::ETCD_TRUSTED_CA_MISSING,
    // Section 3: control-plane configuration.
    &k8s::USERS_AUTHENTICATE_WITH_CLIENT_CERTS,
    &k8s::USERS_AUTHENTICATE_WITH_SERVICE_ACCOUNT_TOKENS,
    &k8s::USERS_AUTHENTICATE_WITH_BOOTSTRAP_TOKENS,
    &k8s::APISERVER_AUDIT_POLICY_MISSING,
    &k8s::AUDIT_POLICY_COVERAGE_REVIEW,
    // Section 4.1: worker node files.
    &k8s::KUBELET_UNIT_PERMISSIVE,
    &k8s::KUBELET_UNIT_NOT_ROOT_OWNED,
    &k8s::PROXY_KUBECONFIG_PERMISSIVE,
    &k8s::PROXY_KUBECONFIG_NOT_ROOT_OWNED,
    &k8s::KUBELET_KUBECONFIG_PERMISSIVE,
    &k8s::KUBELET_KUBECONFIG_NOT_ROOT_OWNED,
    &k8s::KUBELET_CLIENT_CA_PERMISSIVE,
    &k8s::KUBELET_CLIENT_CA_NOT_ROOT_OWNED,
    &k8s::KUBELET_CONFIG_FILE_PERMISSIVE,
    &k8s::KUBELET_CONFIG_FILE_NOT_ROOT_OWNED,
    // Section 4.2: the kubelet.
    &k8s::KUBELET_ANONYMOUS_AUTH_ENABLED,
    &k8s::KUBELET_AUTHORIZATION_ALWAYS_ALLOW,
    &k8s::KUBELET_CLIENT_CA_MISSING,
    &k8s::KUBELET_READ_ONLY_PORT_OPEN,
    &k8s::KUBELET_STREAMING_TIMEOUT_DISABLED,
    &k8s::KUBELET_IPTABLES_CHAINS_UNMANAGED,
    &k8s::KUBELET_HOSTNAME_OVERRIDE,
    &k8s::KUBELET_EVENT_QPS_INVALID,
    &k8s::KUBELET_SERVING_CERT_MISSING,
    &k8s::KUBELET_CERT_ROTATION_DISABLED,
    &k8s::KUBELET_SERVING_CERT_ROTATION_OFF,
    &k8s::KUBELET_WEAK_TLS_CIPHERS,
    &k8s::KUBELET_POD_PIDS_UNLIMITED,
    &k8s::KUBELET_SECCOMP_DEFAULT_OFF,
    // Section 4.3: kube-proxy.
    &k8s::PROXY_METRICS_NOT_LOOPBACK,
    // Section 5 reviews that no file shows.
    &k8s::CNI_NETWORK_POLICY_SUPPORT,
    &k8s::EXTERNAL_SECRET_STORE,
    &k8s::IMAGE_PROVENANCE_UNENFORCED,
    &k8s::NAMESPACE_BOUNDARIES,
    &k8s::SECURITY_CONTEXT_UNREVIEWED,
    // `stockade scan`: what the scan itself reports.
    &scan::FILE_PARSE_ERROR,
    &scan::TEMPLATE_NOT_SCANNED,
    &scan::YAML_DUPLICATE_KEY,
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
    &workloads::K8S_PRIVILEGED_CONTAINER,
    &workloads::K8S_PRIVILEGE_ESCALATION_ALLOWED,
    &workloads::K8S_RUNS_AS_ROOT,
    &workloads::K8S_CAPABILITIES_ADDED,
    &workloads::K8S_NET_RAW_NOT_DROPPED,
    &workloads::K8S_CAPABILITIES_NOT_DROPPED,
    &workloads::K8S_HOST_NETWORK,
    &workloads::K8S_HOST_PID,
    &workloads::K8S_HOST_IPC,
    &workloads::K8S_HOST_PATH_VOLUME,
    &workloads::K8S_HOST_PORT,
    &workloads::K8S_ROOT_FILESYSTEM_WRITABLE,
    &workloads::K8S_SECCOMP_UNCONFINED,
    &workloads::K8S_APPARMOR_UNCONFINED,
    &workloads::K8S_SELINUX_CUSTOM_OPTIONS,
    &workloads::K8S_PROC_MOUNT_UNMASKED,
    &workloads::K8S_UNSAFE_SYSCTLS,
    &workloads::K8S_WINDOWS_HOST_PROCESS,
    &workloads::K8S_MEMORY_LIMIT_MISSING,
    &workloads::K8S_CPU_LIMIT_MISSING,
    &workloads::K8S_RESOURCE_REQUESTS_MISSING,
    &workloads::K8S_SERVICE_ACCOUNT_TOKEN_MOUNTED,
    &workloads::K8S_DEFAULT_SERVICE_ACCOUNT,
    &workloads::K8S_SECRET_IN_ENV,
    &workloads::K8S_HARDCODED_SECRET,
    &workloads::K8S_SECRET_IN_CONFIGMAP,
    &workloads::K8S_SERVICE_EXTERNAL_IPS,
    &workloads::K8S_IMAGE_LATEST_TAG,
    &workloads::K8S_IMAGE_NOT_PINNED,
    &workloads::K8S_DEFAULT_NAMESPACE,
    &workloads::K8S_NAMESPACE_WITHOUT_POD_SECURITY,
    &workloads::K8S_NAMESPACE_WITHOUT_NETWORK_POLICY,
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
            .filter(|c| c.input() == crate::check::Input::Host)
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

    /// Each CIS Docker 1.6.0 control of sections 4–7 has exactly one check.
    #[test]
    fn cis_docker_sections_four_to_seven_are_complete() {
        let mut numbers: Vec<&str> = all()
            .iter()
            .filter(|c| c.input() == crate::check::Input::Host)
            .filter_map(|c| c.meta.cis_number(Benchmark::Docker, "1.6.0"))
            .filter(|n| ["4.", "5.", "6.", "7."].iter().any(|s| n.starts_with(s)))
            .collect();
        numbers.sort_by(|a, b| stockade_core::cis::compare_numbers(a, b));
        let mut expected: Vec<String> = (1..=12).map(|n| format!("4.{n}")).collect();
        expected.extend((1..=32).map(|n| format!("5.{n}")));
        expected.extend((1..=2).map(|n| format!("6.{n}")));
        expected.extend((1..=9).map(|n| format!("7.{n}")));
        assert_eq!(numbers, expected);
    }

    /// The numbers of section 5 moved by one in 1.6.0 (swarm mode became
    /// 5.1), and section 7 lost its first control to it.
    #[test]
    fn sections_five_and_seven_follow_the_one_six_renumbering() {
        let number = |id: &str, version: &str| {
            by_id(id)
                .unwrap()
                .meta
                .cis_number(Benchmark::Docker, version)
        };
        assert_eq!(number("container-memory-unlimited", "1.5.0"), Some("5.10"));
        assert_eq!(number("container-memory-unlimited", "1.6.0"), Some("5.11"));
        assert_eq!(number("container-host-network", "1.5.0"), Some("5.9"));
        assert_eq!(number("container-host-network", "1.6.0"), Some("5.10"));
        assert_eq!(number("swarm-mode-enabled", "1.13.0"), Some("2.15"));
        assert_eq!(number("swarm-mode-enabled", "1.5.0"), Some("7.1"));
        assert_eq!(number("swarm-mode-enabled", "1.6.0"), Some("5.1"));
        assert_eq!(number("swarm-managers-not-minimal", "1.5.0"), Some("7.2"));
        assert_eq!(number("swarm-managers-not-minimal", "1.6.0"), Some("7.1"));
        assert_eq!(number("image-sprawl", "1.13.0"), Some("6.4"));
        assert_eq!(number("image-sprawl", "1.2.0"), Some("6.1"));
        assert_eq!(number("image-signatures-unvalidated", "1.3.1"), None);
        assert_eq!(
            number("image-signatures-unvalidated", "1.4.0"),
            Some("4.12")
        );
    }

    /// Each CIS Kubernetes control of sections 1-4 has exactly one check,
    /// in every benchmark version stockade maps.
    #[test]
    fn cis_kubernetes_sections_one_to_four_are_complete() {
        let mut expected: Vec<String> = Vec::new();
        expected.extend((1..=21).map(|n| format!("1.1.{n}")));
        expected.extend((1..=30).map(|n| format!("1.2.{n}")));
        expected.extend((1..=7).map(|n| format!("1.3.{n}")));
        expected.extend((1..=2).map(|n| format!("1.4.{n}")));
        expected.extend((1..=7).map(|n| format!("2.{n}")));
        expected.extend((1..=3).map(|n| format!("3.1.{n}")));
        expected.extend((1..=2).map(|n| format!("3.2.{n}")));
        expected.extend((1..=10).map(|n| format!("4.1.{n}")));
        expected.extend((1..=14).map(|n| format!("4.2.{n}")));
        expected.push("4.3.1".to_owned());
        for version in Benchmark::Kubernetes.versions() {
            let mut numbers: Vec<&str> = all()
                .iter()
                .filter(|c| c.input() == crate::check::Input::Host)
                .filter_map(|c| c.meta.cis_number(Benchmark::Kubernetes, version))
                .filter(|n| !n.starts_with("5."))
                .collect();
            numbers.sort_by(|a, b| stockade_core::cis::compare_numbers(a, b));
            let mut want = expected.clone();
            // 1.2.30 and 4.2.14 arrived in CIS Kubernetes 1.11.
            if *version == "1.10" {
                want.retain(|n| n != "1.2.30" && n != "4.2.14");
            }
            assert_eq!(numbers, want, "CIS Kubernetes {version}");
        }
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
        // No two checks of the same input share a number in any version.
        for (benchmark, version) in Benchmark::Docker
            .versions()
            .iter()
            .map(|v| (Benchmark::Docker, v))
            .chain(
                Benchmark::Kubernetes
                    .versions()
                    .iter()
                    .map(|v| (Benchmark::Kubernetes, v)),
            )
        {
            let mut seen = BTreeSet::new();
            for check in all() {
                if let Some(n) = check.meta.cis_number(benchmark, version) {
                    assert!(
                        seen.insert((n, check.input())),
                        "{version}: {n} used twice (by {})",
                        check.meta.id
                    );
                }
            }
        }
    }
}
