use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};

use super::COMPOSE_CHECK;
use crate::check::{Check, Runner};
use crate::scan::input::{Resolved, ServiceInput};

macro_rules! host_namespace_check {
    ($name:ident, $id:literal, $key:literal, $what:literal, $old:literal, $new:literal, $severity:expr, $why:literal) => {
        pub static $name: Check = Check {
            meta: CheckMeta {
                id: $id,
                title: concat!("Services do not share the host's ", $what, " namespace"),
                severity: $severity,
                stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
                cis: &[
                    CisRef::docker_until($old, "1.13.0", "1.5.0"),
                    CisRef::docker($new, "1.6.0"),
                ],
                rationale: $why,
                audit: concat!("Fails a service with `", $key, ": host`."),
                remediation: concat!("Remove `", $key, ": host` from the service; publish ports or use a shared network or volume for what it needs from other containers."),
                ..COMPOSE_CHECK
            },
            runner: Runner::ComposeService(|meta, input| host_mode(meta, input, $key, $what)),
        };
    };
}

host_namespace_check!(
    COMPOSE_HOST_NETWORK,
    "compose-host-network",
    "network_mode",
    "network",
    "5.9",
    "5.10",
    Severity::High,
    "With the host's network stack the container can bind any host port, reach services listening on localhost (including the Docker API if exposed there) and sniff host traffic with NET_RAW."
);
host_namespace_check!(
    COMPOSE_HOST_PID,
    "compose-host-pid",
    "pid",
    "process",
    "5.15",
    "5.16",
    Severity::High,
    "In the host's PID namespace the container sees every host process, their command lines and environments, and can signal or ptrace them with enough privilege."
);
host_namespace_check!(
    COMPOSE_HOST_IPC,
    "compose-host-ipc",
    "ipc",
    "IPC",
    "5.16",
    "5.17",
    Severity::High,
    "Sharing the host's IPC namespace exposes its shared memory segments and semaphores, which other processes use to exchange data."
);
host_namespace_check!(
    COMPOSE_HOST_UTS,
    "compose-host-uts",
    "uts",
    "UTS",
    "5.20",
    "5.21",
    Severity::Medium,
    "In the host's UTS namespace the container can change the host's hostname and domain name, which other services rely on."
);
host_namespace_check!(
    COMPOSE_HOST_USERNS,
    "compose-host-userns",
    "userns_mode",
    "user",
    "5.30",
    "5.31",
    Severity::High,
    "`userns_mode: host` opts the container out of user-namespace remapping: its root is the host's root again."
);

fn host_mode(meta: &CheckMeta, input: &ServiceInput<'_>, key: &str, what: &str) -> Vec<Finding> {
    let Some((node, value)) = input.text(key) else {
        return Vec::new();
    };
    match value {
        Resolved::Unset(variable) => return vec![input.unset_variable(meta, node, key, &variable)],
        Resolved::Known(value) if value != "host" => return Vec::new(),
        Resolved::Known(_) => {}
    }
    vec![input.finding(
        meta,
        Status::Fail,
        format!(
            "service `{}` shares the host's {what} namespace",
            input.service.name
        ),
        node,
        format!("{key}: host"),
        format!("no {key}: host"),
    )]
}
