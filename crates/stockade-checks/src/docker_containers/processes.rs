use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location};
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::ProcessSource;
use stockade_core::{Finding, Severity};

use super::CONTAINER_CHECK;
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::each_container;

pub static CONTAINER_SSHD_RUNNING: Check = Check {
    meta: CheckMeta {
        id: "container-sshd-running",
        title: "No container runs an SSH daemon",
        severity: Severity::Medium,
        stride: &[
            Stride::Spoofing,
            Stride::ElevationOfPrivilege,
            Stride::Repudiation,
        ],
        cis: &[
            CisRef::docker_until("5.6", "1.13.0", "1.5.0"),
            CisRef::docker("5.7", "1.6.0"),
        ],
        rationale: "An sshd inside a container is one more network service with its own keys, passwords and patch level to manage, and a way in that bypasses the host's access control and audit trail. `docker exec` already gives administrators a shell.",
        audit: "Lists each running container's processes: for a daemon on this machine, every process whose cgroup names the container, read from /proc; for a remote daemon, GET /containers/{id}/top. No command is run inside containers. A process named sshd fails. Containers that are not running have no processes and are not applicable.",
        remediation: "Remove the SSH server from the image and its entrypoint; use `docker exec` (over an authenticated, audited channel) to get a shell.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, _| {
        let processes = match &container.processes {
            None => {
                return Finding::not_applicable(
                    meta,
                    format!(
                        "is not running ({}), so no process can be listed",
                        container.state
                    ),
                );
            }
            Some(Probe::Error(reason)) => {
                return Finding::error(meta, format!("could not list its processes: {reason}"));
            }
            Some(Probe::Ok(processes)) => processes,
        };
        let source = match processes.source {
            ProcessSource::HostProc => "the host's /proc",
            ProcessSource::EngineTop => "GET /containers/{id}/top",
        };
        let sshd: Vec<Evidence> = processes
            .processes
            .iter()
            .filter(|p| p.runs("sshd"))
            .map(|p| {
                Evidence::observed(p.command.join(" "))
                    .expected("no sshd process")
                    .at(Location::Process {
                        pid: p.pid,
                        name: "sshd".to_owned(),
                        argument: None,
                    })
            })
            .collect();
        if sshd.is_empty() {
            Finding::pass(
                meta,
                format!(
                    "runs no sshd among its {} process(es) (seen in {source})",
                    processes.processes.len()
                ),
            )
        } else {
            Finding::fail(meta, format!("runs sshd (seen in {source})")).evidences(sshd)
        }
    })
}
