use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::{BoolControl, DAEMON_CHECK, judge_bool};
use crate::check::{Check, Runner};
use crate::context::HostContext;

pub static DAEMON_IPTABLES_DISABLED: Check = Check {
    meta: CheckMeta {
        id: "daemon-iptables-disabled",
        title: "Docker is allowed to make changes to iptables",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        cis: &[
            CisRef::docker_until("2.3", "1.13.0", "1.2.0"),
            CisRef::docker("2.4", "1.3.1"),
        ],
        rationale: "dockerd writes the firewall rules that isolate bridges and enforce icc=false and port publishing. With --iptables=false nothing enforces that isolation unless an administrator maintains equivalent rules by hand.",
        audit: "Reads --iptables from dockerd's command line or \"iptables\" from daemon.json (default: true).",
        remediation: "Remove \"iptables\": false from daemon.json and --iptables=false from dockerd's flags, then restart dockerd.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    match ctx.docker(meta) {
        Err(finding) => vec![finding],
        Ok(docker) => vec![judge_bool(
            meta,
            docker,
            &BoolControl {
                flag: "iptables",
                key: "iptables",
                default: true,
                secure: true,
                pass: "dockerd manages iptables rules",
                fail: "dockerd is not allowed to manage iptables: container network isolation is not enforced",
            },
        )],
    }
}
