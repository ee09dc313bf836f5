use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::{BoolControl, DAEMON_CHECK, judge_bool};
use crate::check::{Check, Runner};
use crate::context::HostContext;

pub static DAEMON_USERLAND_PROXY_ENABLED: Check = Check {
    meta: CheckMeta {
        id: "daemon-userland-proxy-enabled",
        title: "The userland proxy is disabled",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("2.18", "1.13.0", "1.13.0"),
            CisRef::docker_until("2.15", "1.1.0", "1.1.0"),
            CisRef::docker_until("2.14", "1.2.0", "1.2.0"),
            CisRef::docker("2.16", "1.3.1"),
        ],
        rationale: "The userland proxy is a docker-proxy process per published port, running as root on the host. Hairpin NAT does the same job in the kernel; every extra root process is attack surface and memory.",
        audit: "Reads --userland-proxy from dockerd's command line or \"userland-proxy\" from daemon.json (default: true).",
        remediation: "Set \"userland-proxy\": false in daemon.json (or --userland-proxy=false) and restart dockerd. Check first that the kernel supports hairpin NAT on your setup.",
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
                flag: "userland-proxy",
                key: "userland-proxy",
                default: true,
                secure: false,
                pass: "the userland proxy is disabled",
                fail: "the userland proxy is enabled: a root docker-proxy runs for each published port",
            },
        )],
    }
}
