use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location};
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::{Finding, Severity};

use crate::check::{Check, Runner};
use crate::context::HostContext;

pub static DOCKER_GROUP_UNTRUSTED_MEMBERS: Check = Check {
    meta: CheckMeta {
        id: "docker-group-untrusted-members",
        title: "Only trusted users are allowed to control the Docker daemon",
        family: "docker_host",
        scope: Scope::Host,
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("1.4", "1.13.0", "1.1.0"),
            CisRef::docker_until("1.2.2", "1.2.0", "1.2.0"),
            CisRef::docker("1.1.2", "1.3.1"),
        ],
        rationale: "Members of the docker group can open the Engine API socket, and anyone who can start a container with the host's root filesystem mounted is root. Membership is root access without sudo or its logs.",
        audit: "Lists the members of the docker group from the audited host's /etc/group. An empty group passes; members need a human to confirm each one.",
        remediation: "Remove everyone who does not need to run containers: `gpasswd -d USER docker`. Give the others rootless Docker or sudo rules that leave a trail.",
        fix: FixAvailability::None,
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let location = Location::file("/etc/group");
    let finding = match &ctx.snapshot.host.docker_group {
        Probe::Error(reason) => Finding::error(meta, format!("cannot read the host's groups: {reason}")),
        Probe::Ok(None) => Finding::pass(meta, "there is no docker group: only root can use the daemon's socket")
            .evidence(Evidence::observed("no `docker` line in /etc/group").at(location)),
        Probe::Ok(Some(group)) if group.members.is_empty() => {
            Finding::pass(meta, "the docker group has no members").evidence(
                Evidence::observed(format!("docker:x:{}: (no members)", group.gid)).at(location),
            )
        }
        Probe::Ok(Some(group)) => Finding::manual(
            meta,
            format!(
                "{} user(s) can control the daemon through the docker group: confirm each is trusted",
                group.members.len()
            ),
        )
        .evidence(
            Evidence::observed(format!("docker group (gid {}) members: {}", group.gid, group.members.join(", ")))
                .expected("only users trusted with root on this host")
                .at(location),
        ),
    };
    vec![finding]
}
