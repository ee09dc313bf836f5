use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{Container, ContainerInspect, rfc3339_seconds};
use stockade_core::{Evidence, Finding, Location, Severity};

use super::{CONTAINER_CHECK, daemon_security_options, security_opt, state_note};
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};
use crate::workload::{container_field, each_container};

pub static CONTAINER_ROOT_FS_WRITABLE: Check = Check {
    meta: CheckMeta {
        id: "container-root-fs-writable",
        title: "Containers' root filesystems are read-only",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::InformationDisclosure],
        cis: &[
            CisRef::docker_until("5.12", "1.13.0", "1.5.0"),
            CisRef::docker("5.13", "1.6.0"),
        ],
        rationale: "A writable root filesystem lets an intruder drop tools, modify binaries and persist in the container; everything the workload writes should go to declared volumes or tmpfs, where it can be seen and controlled.",
        audit: "Reads HostConfig.ReadonlyRootfs: false fails.",
        remediation: "Start the container with `--read-only`, adding `--tmpfs /tmp` and volumes for the paths it must write. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(root_fs),
};

fn root_fs(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let read_only = inspect.host_config.readonly_rootfs;
        let evidence = container_field(
            container,
            "HostConfig.ReadonlyRootfs",
            read_only.to_string(),
            "true",
        );
        if read_only {
            Finding::pass(meta, "has a read-only root filesystem").evidence(evidence)
        } else {
            Finding::fail(
                meta,
                format!("can write to its root filesystem{}", state_note(container)),
            )
            .evidence(evidence)
        }
    })
}

pub static CONTAINER_SECCOMP_UNCONFINED: Check = Check {
    meta: CheckMeta {
        id: "container-seccomp-unconfined",
        title: "Containers run with a seccomp profile",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.21", "1.13.0", "1.5.0"),
            CisRef::docker("5.22", "1.6.0"),
        ],
        rationale: "Docker's default seccomp profile blocks about 50 system calls containers never need (kexec, module loading, keyctl, mount, ptrace on old kernels...). Running unconfined exposes all of them, and with them most kernel privilege-escalation bugs.",
        audit: "Reads HostConfig.SecurityOpt: `seccomp=unconfined` (or `seccomp:unconfined`) fails. Privileged containers run without seccomp and fail. Containers that set no profile get the daemon's: they fail when GET /info SecurityOptions shows no seccomp or an unconfined daemon-wide profile. A running container on this machine passes only if the kernel agrees (`Seccomp: 2` in /proc/PID/status of its init process): a process keeps the filter it started with.",
        remediation: "Remove `--security-opt seccomp=unconfined` (and `--privileged`); if a system call is missing, start from Docker's default profile, allow that call, and pass the file with `--security-opt seccomp=profile.json`. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(seccomp),
};

fn seccomp(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let daemon_options = daemon_security_options(ctx);
    let daemon_profile: Option<Option<&str>> = daemon_options.as_ref().map(|options| {
        options
            .iter()
            .find(|o| o.contains("name=seccomp"))
            .map(|o| {
                o.split(',')
                    .find_map(|p| p.strip_prefix("profile="))
                    .unwrap_or("default")
            })
    });
    each_container(meta, ctx.workload(), |container, inspect| {
        let finding = seccomp_configured(
            meta,
            container,
            inspect,
            daemon_options.as_ref(),
            daemon_profile,
        );
        confirm_seccomp(meta, container, finding)
    })
}

/// A pass from the configuration holds only if the kernel agrees: a running
/// container keeps the profile it started with, whatever the daemon says now.
fn confirm_seccomp(meta: &CheckMeta, container: &Container, finding: Finding) -> Finding {
    let Some(Probe::Ok(live)) = &container.security else {
        return finding;
    };
    let Some(mode) = live.seccomp else {
        return finding;
    };
    let evidence = Evidence::observed(format!("Seccomp: {mode}"))
        .expected("Seccomp: 2 (filter)")
        .at(Location::file(live.source()));
    match (finding.status, mode) {
        (stockade_core::Status::Pass, 0) => Finding::fail(
            meta,
            "runs without a seccomp filter: its process started before the daemon's profile applied; recreate or restart it",
        )
        .evidence(evidence),
        (stockade_core::Status::Pass, _) => finding.evidence(evidence),
        _ => finding,
    }
}

fn seccomp_configured(
    meta: &CheckMeta,
    container: &Container,
    inspect: &ContainerInspect,
    daemon_options: Option<&Vec<&str>>,
    daemon_profile: Option<Option<&str>>,
) -> Finding {
    {
        let options = &inspect.host_config.security_opt;
        let note = state_note(container);
        if inspect.host_config.privileged {
            return Finding::fail(
                meta,
                format!("is privileged, so no seccomp filter applies{note}"),
            )
            .evidence(container_field(
                container,
                "HostConfig.Privileged",
                "true",
                "false",
            ));
        }
        if let Some(profile) = security_opt(options, "seccomp") {
            // As written (`seccomp=unconfined` or the old `seccomp:unconfined`).
            let written = options
                .iter()
                .find(|o| o.starts_with("seccomp"))
                .map_or("seccomp=unconfined", String::as_str);
            let evidence = container_field(
                container,
                "HostConfig.SecurityOpt",
                if profile == "unconfined" {
                    written.to_owned()
                } else {
                    format!("seccomp=<custom profile, {} bytes>", profile.len())
                },
                "Docker's default or a custom seccomp profile",
            );
            return if profile == "unconfined" {
                Finding::fail(meta, format!("runs with seccomp disabled{note}")).evidence(evidence)
            } else {
                Finding::pass(meta, "runs with a custom seccomp profile").evidence(evidence)
            };
        }
        let daemon = |observed: String| {
            api_evidence(
                "/info",
                "SecurityOptions",
                observed,
                "name=seccomp,profile=default",
            )
        };
        match daemon_profile {
            None => Finding::error(
                meta,
                "sets no seccomp profile, and the daemon's default is unknown (GET /info unavailable)",
            ),
            Some(None) => Finding::fail(
                meta,
                format!("runs without seccomp: the daemon does not apply any (kernel without seccomp support?){note}"),
            )
            .evidence(daemon(daemon_options.map(|o| o.join(" ")).unwrap_or_default())),
            Some(Some("unconfined")) => Finding::fail(
                meta,
                format!("runs without seccomp: the daemon-wide profile is unconfined{note}"),
            )
            .evidence(daemon("name=seccomp,profile=unconfined".to_owned())),
            Some(Some(profile)) => {
                Finding::pass(meta, format!("runs with the daemon's seccomp profile ({profile})"))
            }
        }
    }
}

pub static CONTAINER_NO_NEW_PRIVILEGES_MISSING: Check = Check {
    meta: CheckMeta {
        id: "container-no-new-privileges-missing",
        title: "Containers cannot gain new privileges",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.25", "1.13.0", "1.5.0"),
            CisRef::docker("5.26", "1.6.0"),
        ],
        rationale: "no-new-privileges stops setuid and setgid binaries and file capabilities from raising a process's privileges: a compromised unprivileged process in the container stays unprivileged.",
        audit: "Reads HostConfig.SecurityOpt: `no-new-privileges` (or `:true`/`=true`) passes, `no-new-privileges=false` fails. Without either, the daemon-wide setting (--no-new-privileges / \"no-new-privileges\" in daemon.json, see daemon-no-new-privileges-disabled) counts only if it reached the container: for a running container on this machine the kernel decides (`NoNewPrivs` in /proc/PID/status of its init process); otherwise the container must have been created after dockerd started, or the verdict is fail (created before) or manual (start time unknown).",
        remediation: "Start the container with `--security-opt no-new-privileges`, or set \"no-new-privileges\": true in daemon.json so every new container gets it. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(no_new_privileges),
};

/// A container that sets nothing itself while the daemon-wide setting is
/// on: the default reached it only if the container was created after the
/// daemon applied it. The kernel's view of a running container decides;
/// otherwise its creation time against the daemon's start.
fn daemon_default(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    container: &Container,
    inspect: &ContainerInspect,
    setting: Evidence,
) -> Finding {
    if let Some(Probe::Ok(live)) = &container.security
        && let Some(set) = live.no_new_privs
    {
        let evidence = Evidence::observed(format!("NoNewPrivs: {}", u8::from(set)))
            .expected("NoNewPrivs: 1")
            .at(Location::file(live.source()));
        return if set {
            Finding::pass(
                meta,
                "runs with no-new-privileges (the daemon-wide setting, confirmed by the kernel)",
            )
            .evidence(evidence)
        } else {
            Finding::fail(
                meta,
                "runs without no-new-privileges: the daemon-wide setting came after it was created; recreate it",
            )
            .evidence(evidence)
            .evidence(setting)
        };
    }
    let started = ctx
        .snapshot
        .docker
        .as_ref()
        .and_then(|d| d.daemon.ok())
        .and_then(|d| d.started_at.clone());
    let created = rfc3339_seconds(&inspect.created);
    let note = state_note(container);
    match (started.as_deref().and_then(rfc3339_seconds), created) {
        (Some(start), Some(created)) if created >= start => Finding::pass(
            meta,
            "gets no-new-privileges from the daemon-wide setting (created after the daemon started)",
        )
        .evidence(setting),
        (Some(_), Some(_)) => Finding::fail(
            meta,
            format!(
                "may lack no-new-privileges: created at {} before dockerd started at {}, so the daemon-wide setting may not have reached it; recreate it{note}",
                inspect.created,
                started.unwrap_or_default()
            ),
        )
        .evidence(container_field(
            container,
            "Created",
            inspect.created.clone(),
            "created after the daemon applied no-new-privileges",
        ))
        .evidence(setting),
        _ => Finding::manual(
            meta,
            format!(
                "relies on the daemon-wide no-new-privileges, which reaches only containers created after the daemon applied it, and neither the container's /proc nor the daemon's start time is known: check `NoNewPrivs` in /proc/PID/status of its process{note}"
            ),
        )
        .evidence(setting),
    }
}

fn no_new_privileges(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let daemon = ctx.docker(meta).ok().map(|docker| {
        docker
            .bool_setting("no-new-privileges", "no-new-privileges")
            .map(|found| found.map(|(value, setting)| (value, docker.evidence(&setting, "true"))))
    });
    each_container(meta, ctx.workload(), |container, inspect| {
        let options = &inspect.host_config.security_opt;
        let note = state_note(container);
        if let Some(value) = security_opt(options, "no-new-privileges") {
            let evidence = container_field(
                container,
                "HostConfig.SecurityOpt",
                options.join(" "),
                "no-new-privileges (or no-new-privileges=true)",
            );
            return if matches!(value, "" | "true") {
                Finding::pass(meta, "sets no-new-privileges").evidence(evidence)
            } else {
                Finding::fail(meta, format!("turns no-new-privileges off{note}")).evidence(evidence)
            };
        }
        match &daemon {
            Some(Ok(Some((true, evidence)))) => {
                daemon_default(meta, ctx, container, inspect, evidence.clone())
            }
            Some(Ok(found)) => {
                let mut finding = Finding::fail(
                    meta,
                    format!("may gain privileges through setuid binaries{note}"),
                )
                .evidence(container_field(
                    container,
                    "HostConfig.SecurityOpt",
                    if options.is_empty() {
                        "(none)".to_owned()
                    } else {
                        options.join(" ")
                    },
                    "no-new-privileges, here or daemon-wide",
                ));
                if let Some((_, evidence)) = found {
                    finding = finding.evidence(evidence.clone());
                }
                finding
            }
            Some(Err(reason)) => Finding::error(
                meta,
                format!(
                    "sets no no-new-privileges option and the daemon-wide setting is unknown: {reason}"
                ),
            ),
            None => Finding::error(meta, "the snapshot holds no Docker daemon facts"),
        }
    })
}
