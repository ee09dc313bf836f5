use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::{WORKLOAD_CHECK, anchor, label};
use crate::check::{Check, Runner};
use crate::scan::input::PodInput;

pub static K8S_PRIVILEGED_CONTAINER: Check = Check {
    meta: CheckMeta {
        id: "k8s-privileged-container",
        title: "Containers do not run privileged",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes("5.2.2", "1.10")],
        rationale: "A privileged container sees every host device and holds every capability without seccomp or AppArmor: root in it is root on the node, and from the node on the cluster's secrets that node can read.",
        audit: "Fails containers (init and ephemeral included) with `securityContext.privileged: true` (YAML 1.1 spellings such as `yes` count).",
        remediation: "Remove `privileged: true`; add only the capability the workload needs under `securityContext.capabilities.add`.",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(privileged),
};

pub static K8S_PRIVILEGE_ESCALATION_ALLOWED: Check = Check {
    meta: CheckMeta {
        id: "k8s-privilege-escalation-allowed",
        title: "Containers set allowPrivilegeEscalation: false",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes("5.2.6", "1.10")],
        rationale: "Unless it is switched off, a process can gain privileges through setuid binaries or file capabilities (the kernel's no_new_privs flag is not set). Kubernetes allows escalation by default.",
        audit: "Fails containers whose `securityContext.allowPrivilegeEscalation` is not `false`: explicitly `true`, or unset (the default allows it).",
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(privilege_escalation),
};

pub static K8S_PROC_MOUNT_UNMASKED: Check = Check {
    meta: CheckMeta {
        id: "k8s-proc-mount-unmasked",
        title: "Containers keep the default masked /proc",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::ElevationOfPrivilege],
        rationale: "The runtime hides and makes read-only the sensitive parts of /proc (kcore, sysrq-trigger, …). `procMount: Unmasked` exposes them to the container.",
        audit: "Fails containers with `securityContext.procMount` set to anything but `Default`.",
        remediation: "Remove `procMount` (or set `procMount: Default`).",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(proc_mount),
};

pub static K8S_WINDOWS_HOST_PROCESS: Check = Check {
    meta: CheckMeta {
        id: "k8s-windows-host-process",
        title: "Windows pods do not run as HostProcess containers",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::kubernetes_until("5.2.11", "1.10", "1.11"),
            CisRef::kubernetes("5.2.10", "1.12"),
        ],
        rationale: "A Windows HostProcess container runs directly on the node, with the node's network and filesystem: it is the Windows equivalent of a privileged container.",
        audit: "Fails pods or containers with `securityContext.windowsOptions.hostProcess: true`.",
        remediation: "Remove `hostProcess: true`; run node agents only in namespaces reserved for them.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(windows_host_process),
};

pub static K8S_SELINUX_CUSTOM_OPTIONS: Check = Check {
    meta: CheckMeta {
        id: "k8s-selinux-custom-options",
        title: "Pods keep the runtime's SELinux container type",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        rationale: "A custom SELinux type, user or role can lift the container out of the `container_t` confinement that keeps it away from host files (spc_t is unconfined).",
        audit: "Fails `seLinuxOptions` (pod or container) with a type other than container_t, container_init_t, container_kvm_t or container_engine_t, or with a user or role set, as the Pod Security Standards baseline does.",
        remediation: "Remove `seLinuxOptions.type/user/role`; set only `level` where MCS categories are needed.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(selinux),
};

pub static K8S_UNSAFE_SYSCTLS: Check = Check {
    meta: CheckMeta {
        id: "k8s-unsafe-sysctls",
        title: "Pods set only namespaced, safe sysctls",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService, Stride::ElevationOfPrivilege],
        rationale: "Sysctls outside the safe set can affect the whole node (kernel memory, networking of other pods) or weaken isolation; the kubelet refuses them unless explicitly allowed.",
        audit: "Fails `securityContext.sysctls` names outside the Pod Security Standards safe set: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes.",
        remediation: "Remove the sysctl, or tune it on the node for the workloads that need it.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(sysctls),
};

fn privileged(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| {
            let node = c.security("privileged")?;
            (node.as_bool_k8s() == Some(true)).then(|| {
                input.finding(
                    meta,
                    Status::Fail,
                    format!("{} runs privileged", label(&c)),
                    node,
                    format!("privileged: {}", node.as_str().unwrap_or("true")),
                    "privileged: false (or unset)",
                )
            })
        })
        .collect()
}

fn privilege_escalation(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| match c.security("allowPrivilegeEscalation") {
            Some(node) if node.as_bool_k8s() == Some(false) => None,
            Some(node) => Some(input.finding(
                meta,
                Status::Fail,
                format!("{} allows privilege escalation", label(&c)),
                node,
                format!("allowPrivilegeEscalation: {}", node.as_str().unwrap_or("")),
                "allowPrivilegeEscalation: false",
            )),
            None => Some(input.finding(
                meta,
                Status::Fail,
                format!(
                    "{} does not forbid privilege escalation (allowed by default)",
                    label(&c)
                ),
                c.node.key("securityContext").unwrap_or(anchor(&c)),
                "allowPrivilegeEscalation unset",
                "allowPrivilegeEscalation: false",
            )),
        })
        .collect()
}

fn proc_mount(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| {
            let node = c.security("procMount")?;
            let value = node.as_str()?;
            (value != "Default").then(|| {
                input.finding(
                    meta,
                    Status::Fail,
                    format!("{} mounts /proc unmasked", label(&c)),
                    node,
                    format!("procMount: {value}"),
                    "procMount: Default",
                )
            })
        })
        .collect()
}

fn windows_host_process(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    fn host_process(node: Option<&Node>) -> Option<&Node> {
        node.and_then(|s| s.path(&["windowsOptions", "hostProcess"]))
            .filter(|n| n.as_bool_k8s() == Some(true))
    }
    let mut findings = Vec::new();
    if let Some(node) = host_process(input.pod.security_context()) {
        findings.push(input.finding(
            meta,
            Status::Fail,
            "the pod runs as a Windows HostProcess pod",
            node,
            "windowsOptions.hostProcess: true",
            "hostProcess unset or false",
        ));
    }
    for c in input.containers() {
        if let Some(node) = host_process(c.security_context()) {
            findings.push(input.finding(
                meta,
                Status::Fail,
                format!("{} runs as a Windows HostProcess container", label(&c)),
                node,
                "windowsOptions.hostProcess: true",
                "hostProcess unset or false",
            ));
        }
    }
    findings
}

const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn selinux(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    let mut contexts: Vec<(String, &Node)> = Vec::new();
    if let Some(node) = input.pod.security("seLinuxOptions") {
        contexts.push(("the pod".to_owned(), node));
    }
    for c in input.containers() {
        if let Some(node) = c.security("seLinuxOptions") {
            contexts.push((label(&c), node));
        }
    }
    let mut findings = Vec::new();
    for (who, options) in contexts {
        for entry in options.entries() {
            let key = entry.key.as_str().unwrap_or("");
            let value = entry.value.as_str().unwrap_or("");
            let custom = match key {
                "type" => !value.is_empty() && !SELINUX_TYPES.contains(&value),
                "user" | "role" => !value.is_empty(),
                _ => false,
            };
            if custom {
                findings.push(input.finding(
                    meta,
                    Status::Fail,
                    format!("{who} sets a custom SELinux {key} `{value}`"),
                    &entry.value,
                    format!("seLinuxOptions.{key}: {value}"),
                    "type container_t (or unset), no user or role",
                ));
            }
        }
    }
    findings
}

const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn sysctls(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .pod
        .security("sysctls")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|sysctl| {
            let name = sysctl.get("name")?.as_str()?;
            let canonical = name.replace('/', ".");
            (!SAFE_SYSCTLS.contains(&canonical.as_str())).then(|| {
                input.finding(
                    meta,
                    Status::Fail,
                    format!("the pod sets the unsafe sysctl {name}"),
                    sysctl,
                    format!("sysctl {name}"),
                    "only sysctls of the safe set",
                )
            })
        })
        .collect()
}
