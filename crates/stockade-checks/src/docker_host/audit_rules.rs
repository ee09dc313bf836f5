//! Audit watches on Docker's binaries, directories and files (CIS Docker
//! 1.1.3–1.1.18).
//!
//! The rules the kernel has loaded (`auditctl -l`) are the truth. When they
//! cannot be read (an offline audit of a mounted host, or no permission),
//! the rules files on disk are the evidence, and the finding says so. A watch
//! on a directory covers every file below it, and paths are matched after
//! resolving symlinks (`/var/run` → `/run`, `/lib` → `/usr/lib`).

use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location, Subject};
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::snapshot::{AuditFacts, FileRole, FileState, LoadedAuditRules, Probe};
use stockade_core::{Finding, Severity};
use stockade_parse::audit_rules::parse_watch;

use crate::check::{Check, Runner};
use crate::context::HostContext;

pub(crate) fn check_watch(meta: &CheckMeta, ctx: &HostContext<'_>, role: FileRole) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let Some(file) = docker.file(role) else {
        return vec![Finding::not_applicable(meta, "the file was not collected")];
    };
    let path = &file.facts.path;
    let mut targets = vec![path.clone()];
    if let FileState::Present(stat) = &file.facts.state
        && let Some(canonical) = &stat.canonical
    {
        targets.push(canonical.clone());
    }
    if matches!(file.facts.state, FileState::Absent) {
        return vec![
            Finding::not_applicable(
                meta,
                format!("{path} does not exist on this host ({})", file.origin),
            )
            .subject(Subject::file(path.clone())),
        ];
    }
    vec![
        judge_watch(meta, &ctx.snapshot.host.audit, path, &targets)
            .subject(Subject::file(path.clone())),
    ]
}

/// Where a matching rule was found.
struct Match {
    rule: String,
    location: Location,
}

fn find_in_files(audit: &AuditFacts, targets: &[String]) -> (Option<Match>, Vec<String>) {
    let mut unreadable = Vec::new();
    for file in &audit.rule_files {
        match &file.rules {
            Probe::Ok(lines) => {
                for line in lines {
                    if covers(&line.text, targets) {
                        return (
                            Some(Match {
                                rule: line.text.clone(),
                                location: Location::File {
                                    path: file.path.clone(),
                                    line: Some(line.line),
                                    column: None,
                                },
                            }),
                            unreadable,
                        );
                    }
                }
            }
            Probe::Error(reason) => unreadable.push(reason.clone()),
        }
    }
    (None, unreadable)
}

fn covers(rule: &str, targets: &[String]) -> bool {
    parse_watch(rule).is_some_and(|watch| targets.iter().any(|t| watch.covers(t)))
}

fn judge_watch(meta: &CheckMeta, audit: &AuditFacts, path: &str, targets: &[String]) -> Finding {
    let expected = format!("an audit rule watching {path}, e.g. `-w {path} -p rwxa -k docker`");
    if !audit.auditd_installed && audit.rule_files.is_empty() {
        return Finding::fail(
            meta,
            format!("auditd is not installed, so nothing records changes to {path}"),
        )
        .evidence(
            Evidence::observed("no auditctl, no auditd, no /etc/audit")
                .expected(format!("auditd installed and {expected}")),
        );
    }
    let (in_files, unreadable) = find_in_files(audit, targets);
    match &audit.loaded {
        LoadedAuditRules::Listed { rules } => {
            let command = Location::Command {
                command: "auditctl -l".to_owned(),
            };
            if let Some(rule) = rules.iter().find(|r| covers(r, targets)) {
                return Finding::pass(meta, format!("{path} is watched by a loaded audit rule"))
                    .evidence(Evidence::observed(format!("loaded rule `{rule}`")).at(command));
            }
            match in_files {
                Some(found) => Finding::fail(
                    meta,
                    format!("{path} has an audit rule on disk that is not loaded (reload with `augenrules --load`)"),
                )
                .evidence(
                    Evidence::observed(format!("`{}` configured but absent from the kernel's rules", found.rule))
                        .expected(expected)
                        .at(found.location),
                ),
                None => Finding::fail(meta, format!("no audit rule watches {path}")).evidence(
                    Evidence::observed(format!("{} loaded rules, none covering {path}", rules.len()))
                        .expected(expected)
                        .at(command),
                ),
            }
        }
        LoadedAuditRules::NotInstalled => match in_files {
            Some(found) => Finding::fail(
                meta,
                format!("{path} has an audit rule on disk, but auditctl is missing so it cannot be loaded"),
            )
            .evidence(Evidence::observed(format!("`{}`", found.rule)).at(found.location)),
            None => Finding::fail(meta, format!("no audit rule watches {path} (and auditctl is not installed)"))
                .evidence(Evidence::observed("no matching rule in the audit rules files").expected(expected)),
        },
        LoadedAuditRules::NotQueried { reason } | LoadedAuditRules::Failed { reason } => {
            let offline = matches!(audit.loaded, LoadedAuditRules::NotQueried { .. });
            match in_files {
                Some(found) if offline => {
                    Finding::pass(meta, format!("{path} is watched by a configured audit rule")).evidence(
                        Evidence::observed(format!("`{}` (loaded rules not visible: {reason})", found.rule))
                            .at(found.location),
                    )
                }
                Some(found) => Finding::manual(
                    meta,
                    format!("{path} has an audit rule on disk; confirm it is loaded with `auditctl -l`"),
                )
                .evidence(
                    Evidence::observed(format!("`{}` configured; loaded rules unreadable: {reason}", found.rule))
                        .at(found.location),
                ),
                None if !unreadable.is_empty() => Finding::error(
                    meta,
                    format!("cannot tell whether {path} is watched: {}", unreadable.join("; ")),
                ),
                None => Finding::fail(meta, format!("no audit rule watches {path}")).evidence(
                    Evidence::observed(format!(
                        "no matching rule in {} rules file(s); loaded rules not visible: {reason}",
                        audit.rule_files.len()
                    ))
                    .expected(expected),
                ),
            }
        }
    }
}

/// Fields every audit-watch check shares.
const AUDIT_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "docker_host",
    scope: Scope::Host,
    severity: Severity::Low,
    stride: &[Stride::Repudiation, Stride::Tampering],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "Looks for a `-w PATH` or `-a ... -F path=PATH` rule (or a watch on a directory above it) among the rules the kernel has loaded (`auditctl -l`); when those cannot be read, among /etc/audit/audit.rules and /etc/audit/rules.d/*.rules.",
    remediation: "",
    fix: FixAvailability::Always,
};

macro_rules! audit_watch {
    ($(#[$doc:meta])* $name:ident, $id:literal, $what:literal, $role:expr, [$($cis:expr),+ $(,)?], $why:literal, $rule:literal) => {
        $(#[$doc])*
        pub static $name: Check = Check {
            meta: CheckMeta {
                id: $id,
                title: concat!("Changes to ", $what, " are audited"),
                cis: &[$($cis),+],
                rationale: $why,
                remediation: concat!("Add `", $rule, "` to /etc/audit/rules.d/docker.rules, then load it with `augenrules --load`."),
                ..AUDIT_CHECK
            },
            runner: Runner::AuditWatch { role: $role },
        };
    };
}

audit_watch!(
    AUDIT_RULE_MISSING_DOCKERD,
    "audit-rule-missing-dockerd",
    "the dockerd binary",
    FileRole::DockerdBinary,
    [
        CisRef::docker_until("1.5", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.3", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.3", "1.3.1")
    ],
    "dockerd runs as root and manages every container. A replaced or trojaned binary is a full host compromise; an audit watch leaves a record of who touched it.",
    "-w /usr/bin/dockerd -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_RUN_CONTAINERD,
    "audit-rule-missing-run-containerd",
    "/run/containerd",
    FileRole::RunContainerdDir,
    [CisRef::docker("1.1.4", "1.3.1")],
    "/run/containerd holds containerd's socket and runtime state; tampering there reaches every container without going through dockerd.",
    "-w /run/containerd -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_DATA_ROOT,
    "audit-rule-missing-docker-data-root",
    "Docker's data root",
    FileRole::DataRoot,
    [
        CisRef::docker_until("1.6", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.4", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.5", "1.3.1")
    ],
    "The data root (/var/lib/docker by default) holds image layers, container filesystems and volumes. Changes made there behind the daemon's back alter what containers run.",
    "-w /var/lib/docker -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_ETC_DOCKER,
    "audit-rule-missing-etc-docker",
    "/etc/docker",
    FileRole::EtcDocker,
    [
        CisRef::docker_until("1.7", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.5", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.6", "1.3.1")
    ],
    "/etc/docker holds the daemon's configuration, TLS keys and registry certificates; every change to them should leave a trace.",
    "-w /etc/docker -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_DOCKER_SERVICE,
    "audit-rule-missing-docker-service",
    "the docker.service unit",
    FileRole::DockerServiceUnit,
    [
        CisRef::docker_until("1.8", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.6", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.7", "1.3.1")
    ],
    "The unit sets dockerd's command line. Edits to it change the daemon's security settings at the next start.",
    "-w /lib/systemd/system/docker.service -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_CONTAINERD_SOCK,
    "audit-rule-missing-containerd-sock",
    "containerd's socket",
    FileRole::ContainerdSock,
    [CisRef::docker("1.1.8", "1.3.1")],
    "containerd's socket is a root-equivalent control channel below dockerd; audit who opens or replaces it.",
    "-w /run/containerd/containerd.sock -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_DOCKER_SOCKET_UNIT,
    "audit-rule-missing-docker-socket-unit",
    "the docker.socket unit",
    FileRole::DockerSocketUnit,
    [
        CisRef::docker_until("1.9", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.7", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.9", "1.3.1")
    ],
    "The socket unit decides where the Engine API listens and who may open it; changes to it should be recorded.",
    "-w /lib/systemd/system/docker.socket -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_ETC_DEFAULT_DOCKER,
    "audit-rule-missing-etc-default-docker",
    "/etc/default/docker",
    FileRole::EtcDefaultDocker,
    [
        CisRef::docker_until("1.10", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.8", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.10", "1.3.1")
    ],
    "/etc/default/docker feeds options into dockerd's command line on Debian-style hosts.",
    "-w /etc/default/docker -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_DAEMON_JSON,
    "audit-rule-missing-daemon-json",
    "daemon.json",
    FileRole::DaemonJson,
    [
        CisRef::docker_until("1.11", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.10", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.11", "1.3.1")
    ],
    "daemon.json holds most of the daemon's security settings; who changed it, and when, matters after an incident.",
    "-w /etc/docker/daemon.json -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_CONTAINERD_CONFIG,
    "audit-rule-missing-containerd-config",
    "containerd's config.toml",
    FileRole::ContainerdConfig,
    [CisRef::docker("1.1.12", "1.3.1")],
    "containerd's configuration chooses runtimes, registries and plugins for every container on the host.",
    "-w /etc/containerd/config.toml -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_ETC_SYSCONFIG_DOCKER,
    "audit-rule-missing-etc-sysconfig-docker",
    "/etc/sysconfig/docker",
    FileRole::EtcSysconfigDocker,
    [
        CisRef::docker_until("1.2.9", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.13", "1.3.1")
    ],
    "/etc/sysconfig/docker feeds options into dockerd's command line on Red Hat-style hosts.",
    "-w /etc/sysconfig/docker -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_CONTAINERD,
    "audit-rule-missing-containerd",
    "the containerd binary",
    FileRole::ContainerdBinary,
    [
        CisRef::docker_until("1.12", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.11", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.14", "1.3.1")
    ],
    "containerd runs as root and starts every container; a replaced binary controls them all.",
    "-w /usr/bin/containerd -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_CONTAINERD_SHIM,
    "audit-rule-missing-containerd-shim",
    "the containerd-shim binary",
    FileRole::ContainerdShimBinary,
    [CisRef::docker("1.1.15", "1.3.1")],
    "A shim process sits beside each running container; a tampered shim sees and controls its container.",
    "-w /usr/bin/containerd-shim -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_CONTAINERD_SHIM_RUNC_V1,
    "audit-rule-missing-containerd-shim-runc-v1",
    "the containerd-shim-runc-v1 binary",
    FileRole::ContainerdShimRuncV1Binary,
    [CisRef::docker("1.1.16", "1.3.1")],
    "The runc v1 shim supervises containers; replacing it compromises each container it starts.",
    "-w /usr/bin/containerd-shim-runc-v1 -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_CONTAINERD_SHIM_RUNC_V2,
    "audit-rule-missing-containerd-shim-runc-v2",
    "the containerd-shim-runc-v2 binary",
    FileRole::ContainerdShimRuncV2Binary,
    [CisRef::docker("1.1.17", "1.3.1")],
    "The runc v2 shim supervises containers on current engines; replacing it compromises each container it starts.",
    "-w /usr/bin/containerd-shim-runc-v2 -p rwxa -k docker"
);
audit_watch!(
    AUDIT_RULE_MISSING_RUNC,
    "audit-rule-missing-runc",
    "the runc binary",
    FileRole::RuncBinary,
    [
        CisRef::docker_until("1.13", "1.13.0", "1.1.0"),
        CisRef::docker_until("1.2.12", "1.2.0", "1.2.0"),
        CisRef::docker("1.1.18", "1.3.1")
    ],
    "runc creates each container's namespaces and cgroups as root; a tampered runc escapes every container it starts (compare CVE-2019-5736).",
    "-w /usr/bin/runc -p rwxa -k docker"
);
