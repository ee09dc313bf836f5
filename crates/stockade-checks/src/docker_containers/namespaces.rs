use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::workload::HostConfig;
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, daemon_security_options, state_note};
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};
use crate::workload::{container_field, each_container};

/// One of a container's namespaces, and the HostConfig field that sets it.
struct Namespace {
    name: &'static str,
    field: &'static str,
    mode: fn(&HostConfig) -> &str,
}

/// Fails containers whose `namespace` mode is `host`.
fn judge_host_namespace(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    namespace: &Namespace,
) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let mode = (namespace.mode)(&inspect.host_config);
        let shown = if mode.is_empty() { "(default)" } else { mode };
        let evidence = container_field(
            container,
            &format!("HostConfig.{}", namespace.field),
            shown,
            "not host",
        );
        if mode == "host" {
            Finding::fail(
                meta,
                format!(
                    "shares the host's {} namespace{}",
                    namespace.name,
                    state_note(container)
                ),
            )
            .evidence(evidence)
        } else if let Some(other) = mode.strip_prefix("container:") {
            let owner = container_named(ctx, meta, other);
            Finding::pass(
                meta,
                format!(
                    "shares the {} namespace of container {owner}, not the host's",
                    namespace.name
                ),
            )
            .evidence(evidence)
        } else {
            Finding::pass(meta, format!("has its own {} namespace", namespace.name))
                .evidence(evidence)
        }
    })
}

/// The container a `container:REF` mode names: its name when it is among
/// the containers seen, else the reference (an id shortened as `docker ps`
/// shows it).
fn container_named(ctx: &HostContext<'_>, meta: &CheckMeta, reference: &str) -> String {
    let seen = ctx
        .workload()
        .containers(meta)
        .ok()
        .and_then(|all| {
            all.iter().find(|c| {
                c.name == reference || (reference.len() >= 12 && c.id.starts_with(reference))
            })
        })
        .map(|c| c.name.clone());
    seen.unwrap_or_else(|| {
        if reference.len() == 64 && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
            reference[..12].to_owned()
        } else {
            reference.to_owned()
        }
    })
}

pub static CONTAINER_HOST_NETWORK: Check = Check {
    meta: CheckMeta {
        id: "container-host-network",
        title: "Containers do not share the host's network namespace",
        severity: Severity::High,
        stride: &[
            Stride::Spoofing,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        cis: &[
            CisRef::docker_until("5.9", "1.13.0", "1.5.0"),
            CisRef::docker("5.10", "1.6.0"),
        ],
        rationale: "With `--network host` the container sees every host interface, can bind any host port, reach services listening on localhost only (including a Docker TCP socket or a kubelet) and, with NET_RAW or NET_ADMIN, sniff or reconfigure the host's traffic.",
        audit: "Reads HostConfig.NetworkMode: `host` fails.",
        remediation: "Run the container on a user-defined bridge network and publish only the ports it serves (`-p 127.0.0.1:8080:80`). Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        judge_host_namespace(
            meta,
            ctx,
            &Namespace {
                name: "network",
                field: "NetworkMode",
                mode: |c| &c.network_mode,
            },
        )
    }),
};

pub static CONTAINER_HOST_PID: Check = Check {
    meta: CheckMeta {
        id: "container-host-pid",
        title: "Containers do not share the host's process namespace",
        severity: Severity::High,
        stride: &[
            Stride::InformationDisclosure,
            Stride::Tampering,
            Stride::ElevationOfPrivilege,
        ],
        cis: &[
            CisRef::docker_until("5.15", "1.13.0", "1.5.0"),
            CisRef::docker("5.16", "1.6.0"),
        ],
        rationale: "With `--pid host` the container sees every host process with its command line and environment, and root in it can signal or ptrace them: secrets leak and host processes can be killed or hijacked.",
        audit: "Reads HostConfig.PidMode: `host` fails.",
        remediation: "Recreate the container without `--pid host`; share a PID namespace with one specific container (`--pid container:NAME`) only when a debugging sidecar needs it.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        judge_host_namespace(
            meta,
            ctx,
            &Namespace {
                name: "process",
                field: "PidMode",
                mode: |c| &c.pid_mode,
            },
        )
    }),
};

pub static CONTAINER_HOST_IPC: Check = Check {
    meta: CheckMeta {
        id: "container-host-ipc",
        title: "Containers do not share the host's IPC namespace",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.16", "1.13.0", "1.5.0"),
            CisRef::docker("5.17", "1.6.0"),
        ],
        rationale: "With `--ipc host` the container can read and write the host's shared memory segments, semaphores and message queues, which databases and other services use to exchange data.",
        audit: "Reads HostConfig.IpcMode: `host` fails.",
        remediation: "Recreate the container without `--ipc host` (`--ipc private` or `shareable` between cooperating containers).",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        judge_host_namespace(
            meta,
            ctx,
            &Namespace {
                name: "IPC",
                field: "IpcMode",
                mode: |c| &c.ipc_mode,
            },
        )
    }),
};

pub static CONTAINER_HOST_UTS: Check = Check {
    meta: CheckMeta {
        id: "container-host-uts",
        title: "Containers do not share the host's UTS namespace",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::Spoofing],
        cis: &[
            CisRef::docker_until("5.20", "1.13.0", "1.5.0"),
            CisRef::docker("5.21", "1.6.0"),
        ],
        rationale: "With `--uts host` a container with enough privilege can change the host's hostname and domain name, which confuses logging, monitoring and anything that trusts the host's name.",
        audit: "Reads HostConfig.UTSMode: `host` fails.",
        remediation: "Recreate the container without `--uts host`; set its own name with `--hostname`.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        judge_host_namespace(
            meta,
            ctx,
            &Namespace {
                name: "UTS",
                field: "UTSMode",
                mode: |c| &c.uts_mode,
            },
        )
    }),
};

pub static CONTAINER_HOST_USERNS: Check = Check {
    meta: CheckMeta {
        id: "container-host-userns",
        title: "Containers do not share the host's user namespace",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.30", "1.13.0", "1.5.0"),
            CisRef::docker("5.31", "1.6.0"),
        ],
        rationale: "In the host's user namespace, uid 0 in the container is uid 0 on the host: an escape, or a writable host mount, is root on the host. A remapped user namespace turns container root into an unprivileged host uid.",
        audit: "Needs the daemon's user-namespace remapping (`name=userns` in GET /info SecurityOptions). Without it every container shares the host's user namespace and fails; with it, containers started with `--userns host` (HostConfig.UsernsMode) fail.",
        remediation: "Enable \"userns-remap\" on the daemon (see daemon-userns-remap-disabled) and do not start containers with `--userns host`.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(host_userns),
};

fn host_userns(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let options = daemon_security_options(ctx);
    let remapped = options
        .as_ref()
        .map(|o| o.iter().any(|o| o.contains("name=userns")));
    each_container(meta, ctx.workload(), |container, inspect| {
        let mode = inspect.host_config.userns_mode.as_str();
        match remapped {
            None => Finding::error(
                meta,
                "cannot tell whether the daemon remaps user namespaces: GET /info is unavailable",
            ),
            Some(false) => Finding::fail(
                meta,
                format!(
                    "shares the host's user namespace: the daemon does not remap user namespaces{}",
                    state_note(container)
                ),
            )
            .evidence(api_evidence(
                "/info",
                "SecurityOptions",
                options.as_ref().map(|o| o.join(" ")).unwrap_or_default(),
                "name=userns (\"userns-remap\" on the daemon)",
            )),
            Some(true) if mode == "host" => Finding::fail(
                meta,
                format!(
                    "opts out of user-namespace remapping with --userns host{}",
                    state_note(container)
                ),
            )
            .evidence(container_field(
                container,
                "HostConfig.UsernsMode",
                mode,
                "not host",
            )),
            Some(true) => Finding::pass(meta, "runs in the daemon's remapped user namespace")
                .evidence(container_field(
                    container,
                    "HostConfig.UsernsMode",
                    if mode.is_empty() { "(default)" } else { mode },
                    "not host",
                )),
        }
    })
}
