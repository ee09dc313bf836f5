use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::compose::{Mount, mount};
use stockade_parse::yaml::Node;

use super::COMPOSE_CHECK;
use crate::check::{Check, Runner};
use crate::host_paths;
use crate::scan::input::{Resolved, ServiceInput};

pub static COMPOSE_DOCKER_SOCKET_MOUNTED: Check = Check {
    meta: CheckMeta {
        id: "compose-docker-socket-mounted",
        title: "Services do not mount the Docker socket",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.31", "1.13.0", "1.5.0"),
            CisRef::docker("5.32", "1.6.0"),
        ],
        rationale: "Whoever can talk to the Docker socket can start a privileged container with the host's root filesystem mounted: the socket is root on the host, read-only mount or not.",
        audit: "Fails a bind mount of docker.sock (or containerd.sock, podman.sock, crio.sock) in `volumes`, in short or long syntax.",
        remediation: "Remove the mount. If the service must manage containers, put a filtering proxy in front of the API (allowing only the calls it needs) or use rootless Docker.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(docker_socket),
};

pub static COMPOSE_SENSITIVE_HOST_PATH: Check = Check {
    meta: CheckMeta {
        id: "compose-sensitive-host-path",
        title: "Services do not mount sensitive host directories",
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
        rationale: "Mounting /, /etc, /proc, /sys, /boot, /dev, /usr, /lib, /root or Docker's data directory hands the container the host's credentials, binaries and kernel interfaces; writable, it can change how the host boots or who can log in.",
        audit: "Fails bind mounts of system paths of the host, rated by what they hold: critical for credentials and keys (/etc/shadow, /etc/ssh, /root, /etc/kubernetes), the kubelet's, etcd's and the container runtimes' state, and the directories holding them (/, /etc, /var/lib, /run), and for a writable /proc, /sys, /dev or /boot; high for the other system directories (/usr, /lib, /bin, /var/log, …); low for a read-only CA bundle; info (not a failure) for the time zone mounted read-only. Read-only mounts are warnings; /dev/shm and the sockets judged by compose-docker-socket-mounted are left out.",
        remediation: "Mount only the file or directory the service needs, read-only (`:ro`), from a dedicated location rather than a system directory.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(sensitive_path),
};

pub static COMPOSE_ROOT_FILESYSTEM_WRITABLE: Check = Check {
    meta: CheckMeta {
        id: "compose-root-filesystem-writable",
        title: "Services run with a read-only root filesystem",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.12", "1.13.0", "1.5.0"),
            CisRef::docker("5.13", "1.6.0"),
        ],
        rationale: "A writable root filesystem lets an intruder drop tools and modify the application's own code and configuration; read-only forces writes into declared volumes.",
        audit: "Fails a service without `read_only: true`.",
        remediation: "Set `read_only: true` and give the service `tmpfs:` entries or volumes for the paths it writes.",
        fix: FixAvailability::Always,
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(root_writable),
};

const SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "podman.sock", "crio.sock"];

fn mounts<'a>(input: &ServiceInput<'a>) -> Vec<(&'a Node, Mount)> {
    input
        .service
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|node| mount(node).map(|m| (node, m)))
        .filter(|(_, m)| m.bind)
        .collect()
}

fn is_socket(source: &str) -> bool {
    SOCKETS.iter().any(|s| source.ends_with(s))
}

fn docker_socket(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    mounts(input)
        .into_iter()
        .filter(|(_, m)| m.source.as_deref().is_some_and(is_socket))
        .map(|(node, m)| {
            let source = m.source.unwrap_or_default();
            input.finding(
                meta,
                Status::Fail,
                format!(
                    "service `{}` mounts the container runtime socket {source}",
                    input.service.name
                ),
                node,
                format!("{source}:{}", m.target),
                "no runtime socket in the container",
            )
        })
        .collect()
}

fn sensitive_path(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    mounts(input)
        .into_iter()
        .filter_map(|(node, m)| {
            let source = m.source.clone()?;
            if is_socket(&source) {
                // compose-docker-socket-mounted judges runtime sockets.
                return None;
            }
            let exposure = host_paths::exposure(&source, m.read_only)?;
            let how = if m.read_only { "read-only" } else { "writable" };
            let status = match (exposure.severity, m.read_only) {
                (Severity::Info, _) => Status::Info,
                (_, true) => Status::Warn,
                (_, false) => Status::Fail,
            };
            let mut finding = input.finding(
                meta,
                status,
                format!(
                    "service `{}` mounts host path {source} ({how}): {}",
                    input.service.name,
                    exposure.describe()
                ),
                node,
                format!(
                    "{source}:{}{}",
                    m.target,
                    if m.read_only { ":ro" } else { "" }
                ),
                "no system directory of the host",
            );
            finding.severity = exposure.severity;
            Some(finding)
        })
        .collect()
}

fn root_writable(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    match input.flag("read_only") {
        Some((_, Resolved::Known(Some(true)))) => Vec::new(),
        Some((node, Resolved::Unset(variable))) => {
            vec![input.unset_variable(meta, node, "read_only", &variable)]
        }
        Some((node, _)) => vec![input.finding(
            meta,
            Status::Fail,
            format!(
                "service `{}` has a writable root filesystem",
                input.service.name
            ),
            node,
            format!("read_only: {}", node.as_str().unwrap_or("")),
            "read_only: true",
        )],
        None => vec![input.finding(
            meta,
            Status::Fail,
            format!(
                "service `{}` has a writable root filesystem",
                input.service.name
            ),
            input.service.key,
            "no read_only",
            "read_only: true",
        )],
    }
}
