use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};

use super::{WORKLOAD_CHECK, anchor, label};
use crate::check::{Check, Runner};
use crate::scan::input::PodInput;

pub static K8S_ROOT_FILESYSTEM_WRITABLE: Check = Check {
    meta: CheckMeta {
        id: "k8s-root-filesystem-writable",
        title: "Containers run with a read-only root filesystem",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        rationale: "A writable root filesystem lets an intruder drop tools and change the application's code and configuration in place; read-only forces writes into declared volumes.",
        audit: "Fails containers whose `securityContext.readOnlyRootFilesystem` is not `true`.",
        remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` at the paths the application writes (/tmp, caches).",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(run),
};

fn run(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| match c.security("readOnlyRootFilesystem") {
            Some(node) if node.as_bool_k8s() == Some(true) => None,
            Some(node) => Some(input.finding(
                meta,
                Status::Fail,
                format!("{} has a writable root filesystem", label(&c)),
                node,
                format!("readOnlyRootFilesystem: {}", node.as_str().unwrap_or("")),
                "readOnlyRootFilesystem: true",
            )),
            None => Some(input.finding(
                meta,
                Status::Fail,
                format!("{} has a writable root filesystem", label(&c)),
                c.node.key("securityContext").unwrap_or(anchor(&c)),
                "readOnlyRootFilesystem unset",
                "readOnlyRootFilesystem: true",
            )),
        })
        .collect()
}
