use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::k8s::{Container, ContainerKind};

use super::{WORKLOAD_CHECK, anchor, label};
use crate::check::{Check, Runner};
use crate::scan::input::PodInput;

pub static K8S_MEMORY_LIMIT_MISSING: Check = Check {
    meta: CheckMeta {
        id: "k8s-memory-limit-missing",
        title: "Containers have a memory limit",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        rationale: "Without a limit one leaking or attacked container takes the node's memory; the kernel then kills processes of other pods.",
        audit: "Fails containers and init containers without `resources.limits.memory` (a LimitRange default in the namespace would supply one; it is not visible in the manifest).",
        remediation: "Set `resources.limits.memory` (and `requests.memory`) to what the container needs.",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(memory_limit),
};

pub static K8S_CPU_LIMIT_MISSING: Check = Check {
    meta: CheckMeta {
        id: "k8s-cpu-limit-missing",
        title: "Containers have a CPU limit",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        rationale: "A container without a CPU limit can take every idle core of the node, starving neighbours that only have requests.",
        audit: "Fails containers and init containers without `resources.limits.cpu`.",
        remediation: "Set `resources.limits.cpu` (for example `500m`).",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(cpu_limit),
};

pub static K8S_RESOURCE_REQUESTS_MISSING: Check = Check {
    meta: CheckMeta {
        id: "k8s-resource-requests-missing",
        title: "Containers request CPU and memory",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        rationale: "Without requests the scheduler cannot reserve capacity: pods land on full nodes and are the first to be evicted under pressure.",
        audit: "Fails containers and init containers missing `resources.requests.cpu` or `resources.requests.memory` (a limit without a request counts as a request of the same size, as Kubernetes does).",
        remediation: "Set `resources.requests.cpu` and `resources.requests.memory`.",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(requests),
};

fn resource<'a>(
    c: &Container<'a>,
    section: &str,
    key: &str,
) -> Option<&'a stockade_parse::yaml::Node> {
    c.node
        .path(&["resources", section, key])
        .filter(|n| !n.is_null())
}

fn sized<'a>(input: &PodInput<'a>) -> Vec<Container<'a>> {
    input
        .containers()
        .into_iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
        .collect()
}

fn missing(
    meta: &CheckMeta,
    input: &PodInput<'_>,
    c: &Container<'_>,
    what: &str,
    expected: &str,
) -> Finding {
    let node = c.node.get("resources").unwrap_or(anchor(c));
    input.finding(
        meta,
        Status::Fail,
        format!("{} has no {what}", label(c)),
        node,
        format!("{what} unset"),
        expected,
    )
}

fn memory_limit(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    sized(input)
        .iter()
        .filter(|c| resource(c, "limits", "memory").is_none())
        .map(|c| missing(meta, input, c, "memory limit", "resources.limits.memory"))
        .collect()
}

fn cpu_limit(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    sized(input)
        .iter()
        .filter(|c| resource(c, "limits", "cpu").is_none())
        .map(|c| missing(meta, input, c, "CPU limit", "resources.limits.cpu"))
        .collect()
}

fn requests(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    sized(input)
        .iter()
        .filter_map(|c| {
            let lacking: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| {
                    resource(c, "requests", k).is_none() && resource(c, "limits", k).is_none()
                })
                .collect();
            (!lacking.is_empty()).then(|| {
                missing(
                    meta,
                    input,
                    c,
                    &format!("{} request", lacking.join(" and ")),
                    "resources.requests.cpu and resources.requests.memory",
                )
            })
        })
        .collect()
}
