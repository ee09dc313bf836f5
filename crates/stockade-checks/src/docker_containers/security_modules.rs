use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, daemon_security_options, security_opt, state_note};
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};
use crate::workload::{container_field, each_container};

pub static CONTAINER_APPARMOR_MISSING: Check = Check {
    meta: CheckMeta {
        id: "container-apparmor-missing",
        title: "Containers run under an AppArmor profile",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.1", "1.13.0", "1.5.0"),
            CisRef::docker("5.2", "1.6.0"),
        ],
        rationale: "AppArmor confines what a container's processes may touch even when they run as root: Docker's default profile denies writes to /proc and /sys, mounting, and raw access to kernel interfaces. A container without a profile loses that layer.",
        audit: "Applies when the kernel runs AppArmor or the daemon reports `name=apparmor` in GET /info SecurityOptions; otherwise not-applicable. Reads each container's AppArmorProfile: empty or `unconfined` fail (privileged containers are always unconfined).",
        remediation: "Keep the daemon's default profile (do not pass `--security-opt apparmor=unconfined`), or load a tailored profile with apparmor_parser and start the container with `--security-opt apparmor=PROFILE`. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(apparmor),
};

fn apparmor(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let daemon_options = daemon_security_options(ctx);
    let daemon_applies = daemon_options
        .as_ref()
        .is_some_and(|o| o.iter().any(|o| o.contains("name=apparmor")));
    let kernel = &ctx.snapshot.host.security_modules;
    if !daemon_applies {
        match kernel {
            Probe::Ok(modules) if !modules.apparmor => {
                return vec![
                    Finding::not_applicable(
                        meta,
                        "the kernel runs no AppArmor, so there is no AppArmor profile to apply",
                    )
                    .evidence(Evidence::observed(format!(
                        "AppArmor not enabled ({})",
                        modules.source
                    ))),
                ];
            }
            Probe::Error(_) if daemon_options.is_some() => {
                return vec![Finding::not_applicable(
                    meta,
                    "the daemon reports no AppArmor support (no name=apparmor in GET /info SecurityOptions)",
                )];
            }
            _ => {}
        }
    }
    each_container(meta, ctx.workload(), |container, inspect| {
        let profile = inspect.app_armor_profile.as_str();
        let shown = if profile.is_empty() {
            "(empty)"
        } else {
            profile
        };
        let evidence = container_field(
            container,
            "AppArmorProfile",
            shown,
            "docker-default or a custom profile",
        );
        if !daemon_applies {
            return Finding::fail(
                meta,
                format!(
                    "runs without AppArmor: the kernel supports it but the daemon does not apply profiles{}",
                    state_note(container)
                ),
            )
            .evidence(evidence);
        }
        if profile.is_empty() || profile == "unconfined" {
            Finding::fail(
                meta,
                format!("runs without an AppArmor profile{}", state_note(container)),
            )
            .evidence(evidence)
        } else {
            Finding::pass(meta, format!("runs under the AppArmor profile {profile}"))
                .evidence(evidence)
        }
    })
}

pub static CONTAINER_SELINUX_MISSING: Check = Check {
    meta: CheckMeta {
        id: "container-selinux-missing",
        title: "Containers run with SELinux separation",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        cis: &[
            CisRef::docker_until("5.2", "1.13.0", "1.5.0"),
            CisRef::docker("5.3", "1.6.0"),
        ],
        rationale: "On SELinux hosts, the daemon gives every container its own MCS label, so a process escaping one container still cannot read another container's files or the host's. `--security-opt label=disable` or a daemon started without SELinux support removes that separation.",
        audit: "Applies when the kernel runs SELinux or the daemon reports `name=selinux` in GET /info SecurityOptions; otherwise not-applicable. A container passes with a ProcessLabel and no `label=disable` in HostConfig.SecurityOpt. Any other security option does not count: `label=disable` fails.",
        remediation: "Start dockerd with `--selinux-enabled` (\"selinux-enabled\": true), do not pass `--security-opt label=disable`, and use `--security-opt label=type:...` only for reviewed policy types. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(selinux),
};

fn selinux(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let daemon_options = daemon_security_options(ctx);
    let daemon_applies = daemon_options
        .as_ref()
        .is_some_and(|o| o.iter().any(|o| o.contains("name=selinux")));
    let kernel = &ctx.snapshot.host.security_modules;
    if !daemon_applies {
        match kernel {
            Probe::Ok(modules) if !modules.selinux => {
                return vec![
                    Finding::not_applicable(
                        meta,
                        "the kernel runs no SELinux, so there are no SELinux labels to apply",
                    )
                    .evidence(Evidence::observed(format!(
                        "SELinux not enabled ({})",
                        modules.source
                    ))),
                ];
            }
            Probe::Error(_) if daemon_options.is_some() => {
                return vec![Finding::not_applicable(
                    meta,
                    "the daemon reports no SELinux support (no name=selinux in GET /info SecurityOptions)",
                )];
            }
            _ => {}
        }
    }
    let daemon_evidence = daemon_options.map(|options| {
        api_evidence(
            "/info",
            "SecurityOptions",
            options.join(" "),
            "name=selinux (dockerd --selinux-enabled)",
        )
    });
    each_container(meta, ctx.workload(), |container, inspect| {
        let options = &inspect.host_config.security_opt;
        if security_opt(options, "label") == Some("disable") {
            return Finding::fail(
                meta,
                format!(
                    "SELinux separation is disabled with label=disable{}",
                    state_note(container)
                ),
            )
            .evidence(container_field(
                container,
                "HostConfig.SecurityOpt",
                options.join(" "),
                "no label=disable",
            ));
        }
        if !daemon_applies {
            let mut finding = Finding::fail(
                meta,
                format!(
                    "runs without an SELinux label: the kernel enforces SELinux but the daemon does not apply it{}",
                    state_note(container)
                ),
            );
            if let Some(evidence) = &daemon_evidence {
                finding = finding.evidence(evidence.clone());
            }
            return finding;
        }
        let label = inspect.process_label.as_str();
        let evidence = container_field(
            container,
            "ProcessLabel",
            if label.is_empty() { "(empty)" } else { label },
            "an SELinux process label such as system_u:system_r:container_t:s0:c1,c2",
        );
        if label.is_empty() {
            Finding::fail(
                meta,
                format!("runs without an SELinux label{}", state_note(container)),
            )
            .evidence(evidence)
        } else {
            Finding::pass(meta, format!("runs with the SELinux label {label}")).evidence(evidence)
        }
    })
}
