use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};

use super::{WORKLOAD_CHECK, anchor, label};
use crate::check::{Check, Runner};
use crate::scan::input::PodInput;

pub static K8S_RUNS_AS_ROOT: Check = Check {
    meta: CheckMeta {
        id: "k8s-runs-as-root",
        title: "Containers run as a non-root user",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes("5.2.7", "1.10")],
        rationale: "A container running as UID 0 turns any code-execution bug into root inside the container, one kernel or runtime bug away from root on the node.",
        audit: "For each container, takes `runAsUser` and `runAsNonRoot` from the container's securityContext, else from the pod's. Fails `runAsUser: 0`, `runAsNonRoot: false`, and containers with neither `runAsNonRoot: true` nor a non-zero `runAsUser` (they run as the image's USER, root by default).",
        remediation: "Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` (e.g. 10001) on the pod or each container.",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(run),
};

fn run(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in input.containers() {
        let user = input.pod.effective(&c, "runAsUser");
        let non_root = input.pod.effective(&c, "runAsNonRoot");
        let uid = user.and_then(|n| n.as_i64());
        if let (Some(node), Some(0)) = (user, uid) {
            findings.push(input.finding(
                meta,
                Status::Fail,
                format!("{} runs as root (runAsUser: 0)", label(&c)),
                node,
                "runAsUser: 0",
                "a non-zero runAsUser",
            ));
            continue;
        }
        match non_root.map(|n| (n, n.as_bool_k8s())) {
            Some((node, Some(false))) if uid.is_none() => findings.push(input.finding(
                meta,
                Status::Fail,
                format!("{} may run as root (runAsNonRoot: false)", label(&c)),
                node,
                "runAsNonRoot: false",
                "runAsNonRoot: true",
            )),
            Some((_, Some(true))) => {}
            _ if uid.is_some_and(|u| u > 0) => {}
            _ => findings.push(input.finding(
                meta,
                Status::Fail,
                format!(
                    "{} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser",
                    label(&c)
                ),
                anchor(&c),
                "runAsNonRoot and runAsUser unset (pod and container)",
                "runAsNonRoot: true and runAsUser: <non-zero>",
            )),
        }
    }
    findings
}
