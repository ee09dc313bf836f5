use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::{BoolControl, DAEMON_CHECK, judge_bool};
use crate::check::{Check, Runner};
use crate::context::HostContext;

pub static DAEMON_NO_NEW_PRIVILEGES_DISABLED: Check = Check {
    meta: CheckMeta {
        id: "daemon-no-new-privileges-disabled",
        title: "Containers are restricted from acquiring new privileges by default",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("2.18", "1.1.0", "1.1.0"),
            CisRef::docker_until("2.17", "1.2.0", "1.2.0"),
            CisRef::docker("2.14", "1.3.1"),
        ],
        rationale: "Without no-new-privileges, a process in a container can gain privileges through setuid or setgid binaries or file capabilities. Setting it daemon-wide protects every container, including those started without --security-opt.",
        audit: "Reads --no-new-privileges from dockerd's command line or \"no-new-privileges\" from daemon.json (default: false).",
        remediation: "Set \"no-new-privileges\": true in daemon.json (or add --no-new-privileges to dockerd's flags) and restart dockerd; new containers inherit it.",
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
                flag: "no-new-privileges",
                key: "no-new-privileges",
                default: false,
                secure: true,
                pass: "containers get no-new-privileges by default",
                fail: "containers may gain privileges through setuid binaries unless each one sets no-new-privileges",
            },
        )],
    }
}
