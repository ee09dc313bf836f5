use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::snapshot::{FileRole, FileState};
use stockade_core::workload::{Container, MountPoint};
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, state_note};
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::host_paths::{self, is_within, normalize};
use crate::workload::{container_field, each_container};

/// Host directories whose contents control the host (CIS Docker 5.6).
const SENSITIVE_DIRS: [&str; 8] = [
    "/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr",
];

fn binds(mounts: &[MountPoint]) -> impl Iterator<Item = (usize, &MountPoint)> {
    mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| m.r#type == "bind")
}

fn mount_evidence(
    container: &Container,
    index: usize,
    mount: &MountPoint,
    expected: &str,
) -> Evidence {
    container_field(
        container,
        &format!("Mounts[{index}]"),
        format!(
            "{} mounted at {} ({}, propagation {})",
            mount.source,
            mount.destination,
            if mount.rw { "read-write" } else { "read-only" },
            if mount.propagation.is_empty() {
                "default"
            } else {
                &mount.propagation
            }
        ),
        expected,
    )
}

pub static CONTAINER_SENSITIVE_HOST_PATH_MOUNTED: Check = Check {
    meta: CheckMeta {
        id: "container-sensitive-host-path-mounted",
        title: "No sensitive host directory is mounted into a container",
        severity: Severity::High,
        stride: &[
            Stride::Tampering,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        cis: &[
            CisRef::docker_until("5.5", "1.13.0", "1.5.0"),
            CisRef::docker("5.6", "1.6.0"),
        ],
        rationale: "A container that can write /etc, /usr, /lib, /boot, /dev, /proc or /sys of the host can plant a cron job, replace a binary or a library, or reach kernel interfaces: it is the host. Mounted read-only they still leak secrets (/etc/shadow, keys) and the host's layout.",
        audit: "Reads the container's bind mounts (Mounts with Type bind) and flags every source that is /, /boot, /dev, /etc, /lib, /proc, /sys or /usr, or lies below one of them (/etc/shadow counts as /etc). Read-write mounts fail; read-only mounts warn. The finding is rated by what the paths hold: critical for credentials and keys (/etc/shadow, /etc/ssh, /etc/kubernetes) and the directories holding them (/, /etc), and for a writable /proc, /sys, /dev or /boot; low for a read-only CA bundle; the time zone (/etc/localtime, /usr/share/zoneinfo) mounted read-only is info, not a warning.",
        remediation: "Mount only the specific files the workload needs, from a directory made for it, read-only (`-v /srv/app/config.yml:/config.yml:ro`). Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(sensitive),
};

fn sensitive(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        // CIS 5.6's directories decide what is judged; what the path holds
        // decides how serious it is.
        let judged: Vec<(usize, &MountPoint, &str, Severity)> = binds(&inspect.mounts)
            .filter_map(|(i, m)| {
                let source = normalize(&m.source);
                let dir = SENSITIVE_DIRS
                    .iter()
                    .rev()
                    .find(|dir| is_within(&source, dir) && (**dir != "/" || source == "/"))?;
                let severity =
                    host_paths::exposure(&source, !m.rw).map_or(meta.severity, |e| e.severity);
                Some((i, m, *dir, severity))
            })
            .collect();
        let (harmless, found): (Vec<_>, Vec<_>) = judged
            .into_iter()
            .partition(|(_, _, _, severity)| *severity == Severity::Info);
        if found.is_empty() {
            if harmless.is_empty() {
                return Finding::pass(meta, "mounts no sensitive host directory");
            }
            let paths: Vec<&str> = harmless
                .iter()
                .map(|(_, m, _, _)| m.source.as_str())
                .collect();
            let mut finding = Finding::info(
                meta,
                format!(
                    "mounts only {} read-only, which discloses nothing of note{}",
                    paths.join(", "),
                    state_note(container)
                ),
            );
            finding.severity = Severity::Info;
            return finding.evidences(harmless.iter().map(|(i, m, _, _)| {
                mount_evidence(container, *i, m, "read-only time zone data, or nothing")
            }));
        }
        let severity = found
            .iter()
            .map(|(_, _, _, severity)| *severity)
            .max()
            .unwrap_or(meta.severity);
        let found: Vec<(usize, &MountPoint, &str)> = found
            .into_iter()
            .map(|(i, m, dir, _)| (i, m, dir))
            .collect();
        let writable: Vec<&str> = found
            .iter()
            .filter(|(_, m, _)| m.rw)
            .map(|(_, m, _)| m.source.as_str())
            .collect();
        let read_only: Vec<&str> = found
            .iter()
            .filter(|(_, m, _)| !m.rw)
            .map(|(_, m, _)| m.source.as_str())
            .collect();
        let evidence = found.iter().map(|(i, m, dir)| {
            mount_evidence(container, *i, m, &format!("nothing from {dir} of the host"))
        });
        let finding = if writable.is_empty() {
            Finding::warn(
                meta,
                format!(
                    "mounts {} read-only{}",
                    read_only.join(", "),
                    state_note(container)
                ),
            )
        } else {
            let also = if read_only.is_empty() {
                String::new()
            } else {
                format!(", and {} read-only", read_only.join(", "))
            };
            Finding::fail(
                meta,
                format!(
                    "mounts {} read-write{also}{}",
                    writable.join(", "),
                    state_note(container)
                ),
            )
        };
        let mut finding = finding.evidences(evidence);
        finding.severity = severity;
        finding
    })
}

pub static CONTAINER_MOUNT_PROPAGATION_SHARED: Check = Check {
    meta: CheckMeta {
        id: "container-mount-propagation-shared",
        title: "No container mount uses shared propagation",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.19", "1.13.0", "1.5.0"),
            CisRef::docker("5.20", "1.6.0"),
        ],
        rationale: "With shared propagation, mounts made inside the container appear on the host (and the other way round): a container with mount rights can graft filesystems into the host's tree.",
        audit: "Reads Mounts[].Propagation of each container: `shared` or `rshared` fail.",
        remediation: "Mount volumes with the default private propagation (drop `:shared`/`:rshared`, or use `slave` when host mounts must show inside). Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(propagation),
};

fn propagation(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let shared: Vec<Evidence> = inspect
            .mounts
            .iter()
            .enumerate()
            .filter(|(_, m)| m.propagation == "shared" || m.propagation == "rshared")
            .map(|(i, m)| {
                mount_evidence(
                    container,
                    i,
                    m,
                    "private, rprivate, slave or rslave propagation",
                )
            })
            .collect();
        if shared.is_empty() {
            Finding::pass(meta, "no mount uses shared propagation")
        } else {
            Finding::fail(
                meta,
                format!(
                    "{} mount(s) propagate mounts back to the host{}",
                    shared.len(),
                    state_note(container)
                ),
            )
            .evidences(shared)
        }
    })
}

pub static DOCKER_SOCK_MOUNTED: Check = Check {
    meta: CheckMeta {
        id: "docker-sock-mounted",
        title: "The Docker socket is not mounted into any container",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.31", "1.13.0", "1.5.0"),
            CisRef::docker("5.32", "1.6.0"),
        ],
        rationale: "Whoever can talk to docker.sock can start a privileged container with the host's root filesystem mounted: a container holding the socket can take the host.",
        audit: "Reads each container's bind mounts and fails any whose source is a docker.sock, the audited daemon's own socket, or a directory holding that socket (mounting /var/run or / exposes it too). /var/run and /run are treated as the same directory.",
        remediation: "Remove the socket mount. Tools that need the Engine API should reach it through an authorization plugin or a filtering proxy that allows only the calls they need. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(docker_sock),
};

fn docker_sock(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let sockets = daemon_sockets(ctx);
    each_container(meta, ctx.workload(), |container, inspect| {
        let exposing: Vec<Evidence> = binds(&inspect.mounts)
            .filter(|(_, m)| {
                let source = normalize(&m.source);
                source.rsplit('/').next() == Some("docker.sock")
                    || sockets.iter().any(|socket| is_within(socket, &source))
            })
            .map(|(i, m)| {
                mount_evidence(
                    container,
                    i,
                    m,
                    "no mount of the Docker socket or of a directory holding it",
                )
            })
            .collect();
        if exposing.is_empty() {
            Finding::pass(meta, "has no access to the Docker socket through a mount")
        } else {
            Finding::fail(
                meta,
                format!(
                    "can reach the Docker socket through a mount{}",
                    state_note(container)
                ),
            )
            .evidences(exposing)
        }
    })
}

/// Where the audited daemon's socket lives, as the host sees it.
fn daemon_sockets(ctx: &HostContext<'_>) -> Vec<String> {
    let mut sockets = vec!["/run/docker.sock".to_owned()];
    if let Some(docker) = ctx.snapshot.docker.as_ref() {
        for file in docker.files_for(FileRole::DockerSock) {
            sockets.push(normalize(&file.facts.path));
            if let FileState::Present(stat) = &file.facts.state
                && let Some(canonical) = &stat.canonical
            {
                sockets.push(normalize(canonical));
            }
        }
    }
    sockets.sort();
    sockets.dedup();
    sockets
}

pub static CONTAINER_HOST_DEVICES: Check = Check {
    meta: CheckMeta {
        id: "container-host-devices",
        title: "Host devices are not exposed to containers",
        severity: Severity::Medium,
        stride: &[
            Stride::Tampering,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("5.17", "1.13.0", "1.5.0"),
            CisRef::docker("5.18", "1.6.0"),
        ],
        rationale: "A host device inside a container (a disk, /dev/mem, a GPU, /dev/kvm) bypasses the container's filesystem isolation: with `rwm` on a block device the container can read and rewrite the host's disk.",
        audit: "Lists HostConfig.Devices and DeviceCgroupRules of each container (privileged containers see every device). Any device warns: whether the workload needs it is a human decision.",
        remediation: "Remove `--device` flags the workload does not need; give the rest the narrowest permissions (`--device /dev/x:/dev/x:r`). Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(devices),
};

fn devices(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let config = &inspect.host_config;
        if config.privileged {
            return Finding::warn(
                meta,
                format!(
                    "is privileged, so every host device is exposed{}",
                    state_note(container)
                ),
            )
            .evidence(container_field(
                container,
                "HostConfig.Privileged",
                "true",
                "false",
            ));
        }
        let devices: Vec<String> = config
            .devices
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{}",
                    d.path_on_host, d.path_in_container, d.cgroup_permissions
                )
            })
            .collect();
        if devices.is_empty() && config.device_cgroup_rules.is_empty() {
            return Finding::pass(meta, "has no host device");
        }
        let mut finding = Finding::warn(
            meta,
            format!(
                "has host devices: {}{}",
                devices
                    .iter()
                    .chain(&config.device_cgroup_rules)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                state_note(container)
            ),
        );
        if !devices.is_empty() {
            finding = finding.evidence(container_field(
                container,
                "HostConfig.Devices",
                devices.join(", "),
                "only devices the workload needs, with the narrowest permissions",
            ));
        }
        if !config.device_cgroup_rules.is_empty() {
            finding = finding.evidence(container_field(
                container,
                "HostConfig.DeviceCgroupRules",
                config.device_cgroup_rules.join(", "),
                "no device cgroup rules",
            ));
        }
        finding
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_compared_as_the_kernel_resolves_them() {
        assert_eq!(normalize("/var/run/docker.sock"), "/run/docker.sock");
        assert_eq!(normalize("/var/running"), "/var/running");
        assert_eq!(normalize("/etc/"), "/etc");
        assert_eq!(normalize("/"), "/");
        assert!(is_within("/etc/shadow", "/etc"));
        assert!(!is_within("/etcetera", "/etc"));
        assert!(is_within("/run/docker.sock", "/run"));
        assert!(is_within("/run/docker.sock", "/"));
    }
}
