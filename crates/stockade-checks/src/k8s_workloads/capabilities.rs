use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};

use super::{WORKLOAD_CHECK, anchor, capabilities_in, label};
use crate::check::{Check, Runner};
use crate::scan::input::PodInput;

pub static K8S_CAPABILITIES_ADDED: Check = Check {
    meta: CheckMeta {
        id: "k8s-capabilities-added",
        title: "Containers add no Linux capabilities",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes_until("5.2.9", "1.10", "1.11")],
        rationale: "Each added capability is a slice of root: SYS_ADMIN is nearly all of it, NET_ADMIN rewrites pod networking, SYS_PTRACE reads other processes.",
        audit: "Fails containers with `securityContext.capabilities.add`; SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, NET_ADMIN, NET_RAW, SYS_RAWIO, BPF and ALL raise the finding to high. (CIS Kubernetes 1.12 folded this control into 5.2.9, judged by k8s-capabilities-not-dropped.)",
        remediation: "Remove the added capabilities the workload can do without; keep at most NET_BIND_SERVICE together with `drop: [ALL]`.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(added),
};

pub static K8S_NET_RAW_NOT_DROPPED: Check = Check {
    meta: CheckMeta {
        id: "k8s-net-raw-not-dropped",
        title: "Containers drop NET_RAW (or ALL capabilities)",
        severity: Severity::Low,
        stride: &[Stride::Spoofing, Stride::Tampering],
        cis: &[CisRef::kubernetes("5.2.8", "1.10")],
        rationale: "Container runtimes grant NET_RAW by default. It lets a compromised pod craft raw packets: ARP and DNS spoofing against other pods on the node.",
        audit: "Fails containers whose `capabilities.drop` lists neither NET_RAW nor ALL, or that add NET_RAW back. Privileged containers are left to k8s-privileged-container.",
        remediation: "Add `securityContext.capabilities.drop: [ALL]` (or at least `[NET_RAW]`).",
        fix: FixAvailability::Sometimes,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(net_raw),
};

pub static K8S_CAPABILITIES_NOT_DROPPED: Check = Check {
    meta: CheckMeta {
        id: "k8s-capabilities-not-dropped",
        title: "Containers drop ALL capabilities",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::kubernetes_until("5.2.10", "1.10", "1.11"),
            CisRef::kubernetes("5.2.9", "1.12"),
        ],
        rationale: "Most applications need no capability at all; the runtime's default set (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW, …) only helps an intruder. The restricted Pod Security Standard requires dropping ALL.",
        audit: "Fails containers whose `capabilities.drop` does not contain ALL. Warns when it is spelled otherwise (`all`, `CAP_ALL`): the runtime drops every capability, but Pod Security Admission's restricted level matches `ALL` exactly and refuses the pod.",
        remediation: "Set `securityContext.capabilities.drop: [ALL]` and add back only what is needed (`add: [NET_BIND_SERVICE]`).",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(not_dropped),
};

const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "NET_RAW",
    "SYS_RAWIO",
    "BPF",
    "SYS_BOOT",
];

fn added(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| {
            let caps = capabilities_in(&c, "add");
            if caps.is_empty() {
                return None;
            }
            let node = c.security("capabilities")?.get("add")?;
            let mut finding = input.finding(
                meta,
                Status::Fail,
                format!("{} adds capabilities {}", label(&c), caps.join(", ")),
                node,
                format!("capabilities.add: [{}]", caps.join(", ")),
                "no added capabilities",
            );
            if caps.iter().any(|c| DANGEROUS.contains(&c.as_str())) {
                finding.severity = Severity::High;
            }
            Some(finding)
        })
        .collect()
}

fn net_raw(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter(|c| c.security("privileged").and_then(|n| n.as_bool_k8s()) != Some(true))
        .filter_map(|c| {
            let dropped = capabilities_in(&c, "drop");
            let re_added = capabilities_in(&c, "add")
                .iter()
                .any(|cap| cap == "NET_RAW" || cap == "ALL");
            if dropped.iter().any(|d| d == "NET_RAW" || d == "ALL") && !re_added {
                return None;
            }
            let node = capabilities_key(&c);
            Some(input.finding(
                meta,
                Status::Fail,
                format!("{} keeps NET_RAW", label(&c)),
                node,
                if re_added {
                    "NET_RAW added".to_owned()
                } else if dropped.is_empty() {
                    "no capabilities dropped".to_owned()
                } else {
                    format!("capabilities.drop: [{}]", dropped.join(", "))
                },
                "capabilities.drop: [ALL] (or [NET_RAW])",
            ))
        })
        .collect()
}

fn not_dropped(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| {
            let dropped = capabilities_in(&c, "drop");
            if dropped.iter().any(|d| d == "ALL") {
                return not_spelled_all(meta, input, &c);
            }
            let node = capabilities_key(&c);
            Some(input.finding(
                meta,
                Status::Fail,
                format!("{} does not drop ALL capabilities", label(&c)),
                node,
                if dropped.is_empty() {
                    "no capabilities dropped".to_owned()
                } else {
                    format!("capabilities.drop: [{}]", dropped.join(", "))
                },
                "capabilities.drop: [ALL]",
            ))
        })
        .collect()
}

/// `drop: [all]`: the runtime drops every capability whatever the case,
/// but Pod Security Admission's restricted level matches `ALL` exactly and
/// refuses the pod.
fn not_spelled_all(
    meta: &CheckMeta,
    input: &PodInput<'_>,
    c: &stockade_parse::k8s::Container<'_>,
) -> Option<Finding> {
    let drop = c.security("capabilities")?.get("drop")?;
    if drop.items().iter().any(|d| d.as_str() == Some("ALL")) {
        return None;
    }
    let spelled = drop
        .items()
        .iter()
        .filter_map(|d| d.as_str())
        .find(|d| d.trim().eq_ignore_ascii_case("all") || d.trim().eq_ignore_ascii_case("cap_all"))?
        .to_owned();
    Some(input.finding(
        meta,
        Status::Warn,
        format!(
            "{} drops `{spelled}`: the runtime drops every capability, but Pod Security Admission's restricted level accepts only `ALL` and refuses the pod",
            label(c)
        ),
        drop,
        format!("capabilities.drop: [{spelled}]"),
        "capabilities.drop: [ALL] (upper case)",
    ))
}

/// Where a capability finding points: the `capabilities` key, else the
/// `securityContext` key, else the container's name.
fn capabilities_key<'a>(c: &stockade_parse::k8s::Container<'a>) -> &'a stockade_parse::yaml::Node {
    c.security_context()
        .and_then(|s| s.key("capabilities"))
        .or_else(|| c.node.key("securityContext"))
        .unwrap_or(anchor(c))
}
