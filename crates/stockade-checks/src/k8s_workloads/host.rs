use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::{WORKLOAD_CHECK, label};
use crate::check::{Check, Runner};
use crate::host_paths;
use crate::scan::input::PodInput;

macro_rules! host_namespace_check {
    ($name:ident, $id:literal, $key:literal, $what:literal, $cis:literal, $why:literal) => {
        pub static $name: Check = Check {
            meta: CheckMeta {
                id: $id,
                title: concat!("Pods do not share the node's ", $what, " namespace"),
                severity: Severity::High,
                stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
                cis: &[CisRef::kubernetes($cis, "1.10")],
                rationale: $why,
                audit: concat!(
                    "Fails pod specs with `",
                    $key,
                    ": true` (YAML 1.1 spellings such as `yes` count)."
                ),
                remediation: concat!(
                    "Remove `",
                    $key,
                    ": true`; run node agents that need it in a namespace reserved for them."
                ),
                ..WORKLOAD_CHECK
            },
            runner: Runner::K8sPod(|meta, input| host_namespace(meta, input, $key, $what)),
        };
    };
}

host_namespace_check!(
    K8S_HOST_NETWORK,
    "k8s-host-network",
    "hostNetwork",
    "network",
    "5.2.5",
    "On the node's network the pod reaches services bound to the node's localhost (kubelet read-only port, metadata endpoints), bypasses NetworkPolicies and can sniff node traffic."
);
host_namespace_check!(
    K8S_HOST_PID,
    "k8s-host-pid",
    "hostPID",
    "process",
    "5.2.3",
    "In the node's PID namespace the pod sees every process of the node and other pods, with their environments, and can signal or ptrace them."
);
host_namespace_check!(
    K8S_HOST_IPC,
    "k8s-host-ipc",
    "hostIPC",
    "IPC",
    "5.2.4",
    "Sharing the node's IPC namespace exposes the shared memory and semaphores of host processes and other host-IPC pods."
);

fn host_namespace(meta: &CheckMeta, input: &PodInput<'_>, key: &str, what: &str) -> Vec<Finding> {
    match input.pod.spec.get(key) {
        Some(node) if node.as_bool_k8s() == Some(true) => vec![input.finding(
            meta,
            Status::Fail,
            format!("the pod shares the node's {what} namespace"),
            node,
            format!("{key}: {}", node.as_str().unwrap_or("true")),
            format!("{key}: false (or unset)"),
        )],
        _ => Vec::new(),
    }
}

pub static K8S_HOST_PATH_VOLUME: Check = Check {
    meta: CheckMeta {
        id: "k8s-host-path-volume",
        title: "Pods mount no hostPath volumes",
        severity: Severity::Medium,
        stride: &[
            Stride::Tampering,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        cis: &[
            CisRef::kubernetes_until("5.2.12", "1.10", "1.11"),
            CisRef::kubernetes("5.2.11", "1.12"),
        ],
        rationale: "A hostPath volume gives the pod a directory of the node: container runtime sockets, kubelet credentials and other pods' data are one path away, and writes survive the pod.",
        audit: "Fails every `volumes[].hostPath` (Pod Security's baseline level forbids them all), rated by what the path holds and named in the message: critical for credentials and keys (/etc/shadow, /etc/ssh, /root, /etc/kubernetes), the kubelet's, etcd's and the container runtimes' state and sockets, and the directories holding them (/, /etc, /var/lib, /run), and for a writable /proc, /sys, /dev or /boot; high for the other system directories (/usr, /lib, /bin, /var/log, …); low for a read-only CA bundle; info for the time zone mounted read-only (`readOnly: true` in every container that mounts it); medium for other paths.",
        remediation: "Use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead; if a node agent truly needs a host path, mount the narrowest one with `readOnly: true`.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(host_path),
};

pub static K8S_HOST_PORT: Check = Check {
    meta: CheckMeta {
        id: "k8s-host-port",
        title: "Containers do not bind host ports",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Spoofing],
        cis: &[
            CisRef::kubernetes_until("5.2.13", "1.10", "1.11"),
            CisRef::kubernetes("5.2.12", "1.12"),
        ],
        rationale: "A hostPort opens the port on the node's address, outside Services and often outside NetworkPolicy, and ties the pod to nodes where the port is free.",
        audit: "Fails `ports[].hostPort` set to a non-zero value on any container.",
        remediation: "Remove `hostPort` and expose the pod through a Service (ClusterIP, NodePort or LoadBalancer).",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(host_port),
};

/// Whether every container that mounts volume `name` mounts it with
/// `readOnly: true` (and at least one does).
fn mounted_read_only(input: &PodInput<'_>, name: &str) -> bool {
    let mounts: Vec<&Node> = input
        .containers()
        .iter()
        .flat_map(|c| {
            c.node
                .get("volumeMounts")
                .map(Node::items)
                .unwrap_or_default()
        })
        .filter(|m| m.get("name").and_then(Node::as_str) == Some(name))
        .collect();
    !mounts.is_empty()
        && mounts
            .iter()
            .all(|m| m.get("readOnly").and_then(Node::as_bool) == Some(true))
}

fn host_path(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .pod
        .spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|volume| {
            let host_path = volume.get("hostPath")?;
            let path = host_path.get("path").and_then(Node::as_str).unwrap_or("");
            let name = volume
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("(unnamed)");
            let exposure = host_paths::exposure(path, mounted_read_only(input, name));
            let message = match &exposure {
                Some(exposure) => format!(
                    "volume `{name}` mounts hostPath {path}, exposing {}",
                    exposure.describe()
                ),
                None => format!("volume `{name}` mounts hostPath {path}"),
            };
            let mut finding = input.finding(
                meta,
                Status::Fail,
                message,
                host_path.get("path").unwrap_or(host_path),
                format!("hostPath: {path}"),
                "emptyDir, configMap, secret or a PersistentVolumeClaim",
            );
            if let Some(exposure) = exposure {
                finding.severity = exposure.severity;
            }
            Some(finding)
        })
        .collect()
}

fn host_port(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in input.containers() {
        for port in c.node.get("ports").map(Node::items).unwrap_or_default() {
            let Some(node) = port.get("hostPort") else {
                continue;
            };
            if node.as_i64().is_some_and(|p| p != 0) || node.as_i64().is_none() && !node.is_null() {
                findings.push(input.finding(
                    meta,
                    Status::Fail,
                    format!(
                        "{} binds host port {}",
                        label(&c),
                        node.as_str().unwrap_or("")
                    ),
                    node,
                    format!("hostPort: {}", node.as_str().unwrap_or("")),
                    "no hostPort; a Service instead",
                ));
            }
        }
    }
    findings
}
