use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::workload::HostConfig;
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, list, state_note};
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::{container_field, each_container};

/// The capabilities Docker grants a container by default.
const DEFAULT_CAPABILITIES: [&str; 14] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// `cap_sys_admin` and `CAP_SYS_ADMIN` both as `SYS_ADMIN`.
fn normalize(capability: &str) -> String {
    let upper = capability.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_owned()
}

fn normalized(capabilities: &[String]) -> Vec<String> {
    capabilities.iter().map(|c| normalize(c)).collect()
}

pub static CONTAINER_CAPABILITIES_ADDED: Check = Check {
    meta: CheckMeta {
        id: "container-capabilities-added",
        title: "Containers get no capabilities beyond Docker's defaults",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.3", "1.13.0", "1.5.0"),
            CisRef::docker("5.4", "1.6.0"),
        ],
        rationale: "Capabilities split root's power. Adding SYS_ADMIN, SYS_MODULE, SYS_PTRACE, NET_ADMIN, DAC_READ_SEARCH and the like hands a container the kernel interfaces most container escapes go through.",
        audit: "Reads HostConfig.CapAdd and lists every capability outside Docker's 14 defaults (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, NET_RAW, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT). `ALL` and privileged containers (every capability) fail too.",
        remediation: "Start the container with `--cap-drop ALL` and add back only the capabilities it needs with `--cap-add`; never `--cap-add ALL` or `--privileged`. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(capabilities_added),
};

fn capabilities_added(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let config = &inspect.host_config;
        if config.privileged {
            return Finding::fail(
                meta,
                format!(
                    "is privileged, so it holds every capability{}",
                    state_note(container)
                ),
            )
            .evidence(container_field(
                container,
                "HostConfig.Privileged",
                "true",
                "false, and only the capabilities the workload needs",
            ));
        }
        let added: Vec<String> = normalized(&config.cap_add)
            .into_iter()
            .filter(|c| !DEFAULT_CAPABILITIES.contains(&c.as_str()))
            .collect();
        let evidence = container_field(
            container,
            "HostConfig.CapAdd",
            list(&config.cap_add),
            "nothing beyond Docker's default capabilities",
        );
        if added.is_empty() {
            Finding::pass(meta, "adds no capability beyond Docker's defaults").evidence(evidence)
        } else {
            Finding::fail(
                meta,
                format!("adds {}{}", added.join(", "), state_note(container)),
            )
            .evidence(evidence)
        }
    })
}

pub static CONTAINER_NET_RAW_KEPT: Check = Check {
    meta: CheckMeta {
        id: "container-net-raw-kept",
        title: "Containers drop the NET_RAW capability",
        severity: Severity::Low,
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "NET_RAW is in Docker's default set. It lets a process open raw sockets and forge packets: ARP and DNS spoofing of its neighbours on the same bridge, or crafted packets against the host. Few workloads need it (ping does, on old kernels).",
        audit: "Reads HostConfig.CapDrop and CapAdd: NET_RAW is kept unless dropped (by name or with ALL) and not added back. Privileged containers keep it. This is part of CIS Docker's capability control (5.4 in 1.6.0), reported on its own so it can be fixed on its own.",
        remediation: "Start the container with `--cap-drop NET_RAW` (or `--cap-drop ALL` and add back what it needs). Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(net_raw),
};

fn net_raw(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let config = &inspect.host_config;
        let evidence = container_field(
            container,
            "HostConfig.CapDrop",
            list(&config.cap_drop),
            "NET_RAW or ALL",
        );
        if keeps_net_raw(config) {
            Finding::warn(
                meta,
                format!(
                    "keeps NET_RAW and can forge packets{}",
                    if config.privileged {
                        " (privileged)".to_owned()
                    } else {
                        state_note(container)
                    }
                ),
            )
            .evidence(evidence)
        } else {
            Finding::pass(meta, "drops NET_RAW").evidence(evidence)
        }
    })
}

fn keeps_net_raw(config: &HostConfig) -> bool {
    let dropped = normalized(&config.cap_drop);
    let added = normalized(&config.cap_add);
    let mentions = |caps: &[String]| caps.iter().any(|c| c == "NET_RAW" || c == "ALL");
    config.privileged || mentions(&added) || !mentions(&dropped)
}

pub static CONTAINER_PRIVILEGED: Check = Check {
    meta: CheckMeta {
        id: "container-privileged",
        title: "No container is privileged",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.4", "1.13.0", "1.5.0"),
            CisRef::docker("5.5", "1.6.0"),
        ],
        rationale: "`--privileged` gives a container every capability, every host device, no seccomp filter and no AppArmor or SELinux confinement. Root in such a container is root on the host: mounting the host's disk is one command.",
        audit: "Reads HostConfig.Privileged of every container, including containers that are created but not running: starting one is all it takes.",
        remediation: "Recreate the container without `--privileged`, granting only the capabilities (`--cap-add`) and devices (`--device`) it needs; remove privileged containers that are not needed.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(privileged),
};

fn privileged(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let evidence = container_field(
            container,
            "HostConfig.Privileged",
            inspect.host_config.privileged.to_string(),
            "false",
        );
        if inspect.host_config.privileged {
            Finding::fail(meta, format!("is privileged{}", state_note(container)))
                .evidence(evidence)
        } else {
            Finding::pass(meta, "is not privileged").evidence(evidence)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(add: &[&str], drop: &[&str]) -> HostConfig {
        HostConfig {
            cap_add: add.iter().map(|s| (*s).to_owned()).collect(),
            cap_drop: drop.iter().map(|s| (*s).to_owned()).collect(),
            ..HostConfig::default()
        }
    }

    #[test]
    fn net_raw_is_kept_unless_dropped() {
        assert!(keeps_net_raw(&config(&[], &[])));
        assert!(!keeps_net_raw(&config(&[], &["ALL"])));
        assert!(!keeps_net_raw(&config(&[], &["cap_net_raw"])));
        assert!(keeps_net_raw(&config(&["NET_RAW"], &["ALL"])));
    }

    #[test]
    fn capability_names_are_normalised() {
        assert_eq!(normalize("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalize("NET_ADMIN"), "NET_ADMIN");
    }
}
