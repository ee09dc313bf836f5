use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::{COMPOSE_CHECK, capability, security_opt};
use crate::check::{Check, Runner};
use crate::scan::input::{Resolved, ServiceInput};

pub static COMPOSE_PRIVILEGED: Check = Check {
    meta: CheckMeta {
        id: "compose-privileged",
        title: "Services do not run privileged",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.4", "1.13.0", "1.5.0"),
            CisRef::docker("5.5", "1.6.0"),
        ],
        rationale: "A privileged container has every capability, every device and no seccomp or AppArmor confinement: root in it is root on the host (mount the host disk, load kernel modules).",
        audit: "Fails a service with `privileged: true`, read as Compose reads booleans: `yes`, `on`, `y` and the strings `\"true\"`, `\"yes\"` in any case count too.",
        remediation: "Remove `privileged: true`; grant the one capability or device the service needs (`cap_add`, `devices`) instead.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(privileged),
};

pub static COMPOSE_CAPABILITIES_ADDED: Check = Check {
    meta: CheckMeta {
        id: "compose-capabilities-added",
        title: "Services add no Linux capabilities",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.3", "1.13.0", "1.5.0"),
            CisRef::docker("5.4", "1.6.0"),
        ],
        rationale: "Each added capability is a slice of root: SYS_ADMIN is nearly all of it, NET_ADMIN rewrites the network, SYS_PTRACE reads other processes. The default set is already generous.",
        audit: "Fails a service with `cap_add`; SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, NET_ADMIN, SYS_RAWIO, BPF and ALL raise the finding to high.",
        remediation: "Remove the `cap_add` entries the service can do without; prefer `cap_drop: [ALL]` plus the one capability it needs (often NET_BIND_SERVICE).",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(capabilities_added),
};

pub static COMPOSE_NET_RAW_NOT_DROPPED: Check = Check {
    meta: CheckMeta {
        id: "compose-net-raw-not-dropped",
        title: "Services drop NET_RAW (or ALL capabilities)",
        severity: Severity::Low,
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "NET_RAW is in Docker's default capability set. It lets a compromised container craft packets: ARP and DNS spoofing of its neighbours on the same bridge.",
        audit: "Fails a service whose `cap_drop` lists neither NET_RAW nor ALL, or that adds NET_RAW back.",
        remediation: "Add `cap_drop: [ALL]` (then `cap_add` what is needed), or at least `cap_drop: [NET_RAW]`.",
        fix: FixAvailability::Sometimes,
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(net_raw),
};

pub static COMPOSE_RUNS_AS_ROOT: Check = Check {
    meta: CheckMeta {
        id: "compose-runs-as-root",
        title: "Services run as a non-root user",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        rationale: "A process running as root in the container turns any code-execution bug into root in the container, which shares the host kernel.",
        audit: "Fails `user: root`, `user: 0` and `user: \"0:0\"`. Warns when `user` is not set, since the service then runs as the image's USER, which is root unless the image changes it (check the image with dockerfile-runs-as-root).",
        remediation: "Set `user: \"10001:10001\"` (or a named user the image defines).",
        fix: FixAvailability::Always,
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(runs_as_root),
};

pub static COMPOSE_NO_NEW_PRIVILEGES_MISSING: Check = Check {
    meta: CheckMeta {
        id: "compose-no-new-privileges-missing",
        title: "Services set no-new-privileges",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.25", "1.13.0", "1.5.0"),
            CisRef::docker("5.26", "1.6.0"),
        ],
        rationale: "Without no-new-privileges, setuid binaries in the image (su, sudo, ping on old images) still raise privileges inside the container.",
        audit: "Fails a service without `no-new-privileges` (or `no-new-privileges:true`) in `security_opt`. A daemon-wide `no-new-privileges` in daemon.json also protects it; that is judged by daemon-no-new-privileges-disabled.",
        remediation: "Add `security_opt: [\"no-new-privileges:true\"]`.",
        fix: FixAvailability::Always,
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(no_new_privileges),
};

pub static COMPOSE_SECCOMP_UNCONFINED: Check = Check {
    meta: CheckMeta {
        id: "compose-seccomp-unconfined",
        title: "Services keep a seccomp profile",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.21", "1.13.0", "1.5.0"),
            CisRef::docker("5.22", "1.6.0"),
        ],
        rationale: "Docker's default seccomp profile blocks about 50 rarely used system calls that have a history of kernel exploits (keyctl, unshare, mount, bpf …). Unconfined gives them all back.",
        audit: "Fails `security_opt` entries `seccomp:unconfined` / `seccomp=unconfined`.",
        remediation: "Remove the option, or ship a custom profile that allows just the extra calls: `seccomp=./profile.json`.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(seccomp),
};

pub static COMPOSE_APPARMOR_UNCONFINED: Check = Check {
    meta: CheckMeta {
        id: "compose-apparmor-unconfined",
        title: "Services keep an AppArmor profile",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.1", "1.13.0", "1.5.0"),
            CisRef::docker("5.2", "1.6.0"),
        ],
        rationale: "On AppArmor hosts the docker-default profile denies writes to /proc and /sys and mounts; unconfined removes that layer.",
        audit: "Fails `security_opt` entries `apparmor:unconfined` / `apparmor=unconfined`.",
        remediation: "Remove the option or name a tailored profile: `apparmor=my-profile`.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(apparmor),
};

pub static COMPOSE_DEVICES_EXPOSED: Check = Check {
    meta: CheckMeta {
        id: "compose-devices-exposed",
        title: "Services get no host devices",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.17", "1.13.0", "1.5.0"),
            CisRef::docker("5.18", "1.6.0"),
        ],
        rationale: "A host device in a container bypasses the filesystem's permissions: raw disks can be read or rewritten, /dev/mem exposes kernel memory.",
        audit: "Fails each entry of `devices`; review it and keep only what the service needs, read-only where possible.",
        remediation: "Remove the device, or grant it with the narrowest permissions (`/dev/ttyUSB0:/dev/ttyUSB0:r`).",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(devices),
};

const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "SYS_RAWIO",
    "BPF",
    "SYS_BOOT",
    "SYS_TIME",
];

fn privileged(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    match input.flag("privileged") {
        Some((node, Resolved::Unset(variable))) => {
            vec![input.unset_variable(meta, node, "privileged", &variable)]
        }
        Some((node, Resolved::Known(Some(true)))) => vec![input.finding(
            meta,
            Status::Fail,
            format!("service `{}` runs privileged", input.service.name),
            node,
            format!("privileged: {}", node.as_str().unwrap_or("true")),
            "privileged unset or false",
        )],
        _ => Vec::new(),
    }
}

fn capabilities_added(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    let Some(node) = input.service.get("cap_add") else {
        return Vec::new();
    };
    let added: Vec<String> = node
        .items()
        .iter()
        .filter_map(Node::as_str)
        .map(capability)
        .collect();
    if added.is_empty() {
        return Vec::new();
    }
    let mut finding = input.finding(
        meta,
        Status::Fail,
        format!(
            "service `{}` adds capabilities {}",
            input.service.name,
            added.join(", ")
        ),
        node,
        format!("cap_add: [{}]", added.join(", ")),
        "no cap_add beyond what the service needs",
    );
    if added
        .iter()
        .any(|c| DANGEROUS_CAPABILITIES.contains(&c.as_str()))
    {
        finding.severity = Severity::High;
    }
    vec![finding]
}

fn net_raw(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    if matches!(
        input.flag("privileged"),
        Some((_, Resolved::Known(Some(true))))
    ) {
        return Vec::new();
    }
    let listed = |key: &str| -> Vec<String> {
        input
            .service
            .get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .map(capability)
            .collect()
    };
    let dropped = listed("cap_drop");
    let re_added = listed("cap_add")
        .iter()
        .any(|c| c == "NET_RAW" || c == "ALL");
    if dropped.iter().any(|c| c == "NET_RAW" || c == "ALL") && !re_added {
        return Vec::new();
    }
    let node = input.service.get("cap_drop").unwrap_or(input.service.key);
    vec![input.finding(
        meta,
        Status::Fail,
        format!("service `{}` keeps NET_RAW", input.service.name),
        node,
        if dropped.is_empty() {
            "no cap_drop".to_owned()
        } else {
            format!("cap_drop: [{}]", dropped.join(", "))
        },
        "cap_drop: [ALL] or [NET_RAW]",
    )]
}

fn runs_as_root(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    match input.service.get("user") {
        Some(node) => {
            let user = node.as_str().unwrap_or("");
            let name = user.split(':').next().unwrap_or("").trim();
            if name == "root" || name == "0" {
                vec![input.finding(
                    meta,
                    Status::Fail,
                    format!("service `{}` runs as root", input.service.name),
                    node,
                    format!("user: {user}"),
                    "a non-root user or UID",
                )]
            } else {
                Vec::new()
            }
        }
        None => vec![input.finding(
            meta,
            Status::Warn,
            format!(
                "service `{}` sets no user: it runs as the image's USER, root unless the image sets one",
                input.service.name
            ),
            input.service.key,
            "no user",
            "user: \"<uid>:<gid>\"",
        )],
    }
}

fn no_new_privileges(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    let set = input.service.security_opts().iter().any(|(_, text)| {
        let text = text.trim().to_ascii_lowercase();
        text == "no-new-privileges"
            || text == "no-new-privileges:true"
            || text == "no-new-privileges=true"
    });
    if set {
        return Vec::new();
    }
    let node = input
        .service
        .get("security_opt")
        .unwrap_or(input.service.key);
    vec![input.finding(
        meta,
        Status::Fail,
        format!(
            "service `{}` does not set no-new-privileges",
            input.service.name
        ),
        node,
        "no no-new-privileges in security_opt",
        "security_opt: [\"no-new-privileges:true\"]",
    )]
}

fn unconfined(meta: &CheckMeta, input: &ServiceInput<'_>, option: &str) -> Vec<Finding> {
    match security_opt(input, option) {
        Some((node, value)) if value.eq_ignore_ascii_case("unconfined") => vec![input.finding(
            meta,
            Status::Fail,
            format!(
                "service `{}` runs without a {option} profile",
                input.service.name
            ),
            node,
            format!("{option}:unconfined"),
            format!("the default {option} profile or a custom one"),
        )],
        _ => Vec::new(),
    }
}

fn seccomp(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    unconfined(meta, input, "seccomp")
}

fn apparmor(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    unconfined(meta, input, "apparmor")
}

fn devices(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    let Some(node) = input.service.get("devices") else {
        return Vec::new();
    };
    node.items()
        .iter()
        .map(|device| {
            let text = device
                .as_str()
                .map(str::to_owned)
                .or_else(|| {
                    device
                        .get("source")
                        .and_then(Node::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "(device)".to_owned());
            input.finding(
                meta,
                Status::Fail,
                format!("service `{}` gets host device {text}", input.service.name),
                device,
                format!("devices: {text}"),
                "no host devices, or the narrowest one read-only",
            )
        })
        .collect()
}
