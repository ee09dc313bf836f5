use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup};

pub static DAEMON_CGROUP_PARENT_CHANGED: Check = Check {
    meta: CheckMeta {
        id: "daemon-cgroup-parent-changed",
        title: "The daemon's default cgroup parent is left unchanged unless needed",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("2.9", "1.13.0", "1.2.0"),
            CisRef::docker("2.10", "1.3.1"),
        ],
        rationale: "The cgroup parent decides which resource limits apply to all containers. A custom parent is legitimate, but a wrong one silently removes containers from the limits and accounting the host relies on.",
        audit: "Reads --cgroup-parent or \"cgroup-parent\". A custom value is reported as warn with the value, for a human to confirm.",
        remediation: "Remove \"cgroup-parent\" from daemon.json unless a deliberate cgroup layout needs it; if it does, confirm the parent carries the intended limits.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "the default cgroup parent";
    vec![match docker.setting("cgroup-parent", "cgroup-parent") {
        Lookup::Unknown(reason) => Finding::error(meta, reason),
        Lookup::Set(setting) if setting.value.as_str().is_some_and(|v| !v.is_empty()) => {
            Finding::warn(
                meta,
                "containers use a custom cgroup parent: confirm it carries the intended limits",
            )
            .evidence(docker.evidence(&setting, expected))
        }
        Lookup::Set(_) | Lookup::Unset => {
            Finding::pass(meta, "containers use the default cgroup parent").evidence(
                docker.unset_evidence(
                    "cgroup-parent",
                    "cgroup-parent",
                    "docker (or system.slice)",
                    expected,
                ),
            )
        }
    }]
}
