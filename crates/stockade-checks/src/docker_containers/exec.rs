use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location, short_id};
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{Container, ContainerInspect, ExecSession};
use stockade_core::{Finding, Severity};

use super::CONTAINER_CHECK;
use super::user::is_root;
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::container_subject;

/// What the daemon cannot show, said on every exec check.
const HISTORY_GAP: &str = "the daemon forgets an exec session as soon as it ends, so only running or never-started sessions are visible: review exec history in the daemon's audit trail (an authorization plugin, or auditd watching docker.sock)";

/// A verdict on one exec session, or `None` when it is fine.
type SessionJudge = fn(&Container, &ContainerInspect, &ExecSession) -> Option<(bool, String)>;

/// Judges every visible exec session of the selected containers; ends with a
/// `manual` finding about the sessions the daemon no longer shows.
fn judge_sessions(meta: &CheckMeta, ctx: &HostContext<'_>, judge: SessionJudge) -> Vec<Finding> {
    let view = ctx.workload();
    let containers = match view.containers(meta) {
        Ok(containers) => containers,
        Err(finding) => return vec![finding],
    };
    let mut findings = Vec::new();
    let mut seen = 0;
    for container in containers {
        let Probe::Ok(inspect) = &container.inspect else {
            continue; // reported by every other container check
        };
        if container.execs.is_empty() {
            continue;
        }
        let mut problems: Vec<(bool, Evidence)> = Vec::new();
        let mut errors = Vec::new();
        for exec in &container.execs {
            match exec {
                Probe::Ok(session) => {
                    seen += 1;
                    if let Some((fails, observed)) = judge(container, inspect, session) {
                        problems.push((fails, session_evidence(container, session, observed)));
                    }
                }
                Probe::Error(reason) => errors.push(reason.clone()),
            }
        }
        let subject = container_subject(container);
        for reason in errors {
            findings.push(
                Finding::error(meta, format!("could not inspect an exec session: {reason}"))
                    .subject(subject.clone()),
            );
        }
        let count = container.execs.len();
        let finding = if problems.is_empty() {
            Finding::pass(
                meta,
                format!("none of its {count} visible exec session(s) is affected"),
            )
        } else if problems.iter().any(|(fails, _)| *fails) {
            Finding::fail(
                meta,
                format!(
                    "{} of its {count} visible exec session(s) affected",
                    problems.len()
                ),
            )
        } else {
            Finding::warn(
                meta,
                format!(
                    "{} of its {count} visible exec session(s) affected",
                    problems.len()
                ),
            )
        };
        findings.push(
            finding
                .evidences(problems.into_iter().map(|(_, e)| e))
                .subject(subject),
        );
    }
    let ended = view
        .collected()
        .map(|w| w.changed_during_collection.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|note| note.starts_with("exec session"))
        .map(|note| Evidence::observed(note.clone()));
    findings.push(
        Finding::manual(
            meta,
            format!("{seen} exec session(s) visible now; {HISTORY_GAP}"),
        )
        .evidences(ended),
    );
    findings
}

fn session_evidence(container: &Container, session: &ExecSession, observed: String) -> Evidence {
    let command = std::iter::once(session.process.entrypoint.as_str())
        .chain(session.process.arguments.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    Evidence::observed(format!(
        "{observed}: exec {} `{command}` ({})",
        short_id(&session.id),
        if session.running {
            "running"
        } else {
            "created, not started"
        }
    ))
    .at(Location::Api {
        endpoint: format!("/exec/{}/json", session.id),
        field: Some(format!(
            "ProcessConfig of an exec session in {}",
            container.name
        )),
    })
}

pub static CONTAINER_EXEC_PRIVILEGED: Check = Check {
    meta: CheckMeta {
        id: "container-exec-privileged",
        title: "docker exec is not used with --privileged",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        mode: CheckMode::Automated,
        cis: &[
            CisRef::docker_until("5.22", "1.13.0", "1.5.0"),
            CisRef::docker("5.23", "1.6.0"),
        ],
        rationale: "`docker exec --privileged` runs a command with every capability and without seccomp or AppArmor inside a container that was started confined: it undoes the container's hardening for whoever holds that shell.",
        audit: "Reads each container's exec sessions (ExecIDs, then GET /exec/{id}/json): ProcessConfig.privileged fails. The daemon drops a session when it ends, so past sessions cannot be seen: the check always adds a manual finding for them.",
        remediation: "Do not use `docker exec --privileged`; restrict who may call the exec endpoints with an authorization plugin, and audit docker.sock (auditd) to see past use.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        judge_sessions(meta, ctx, |_, _, session| {
            session
                .process
                .privileged
                .then(|| (true, "privileged".to_owned()))
        })
    }),
};

pub static CONTAINER_EXEC_AS_ROOT: Check = Check {
    meta: CheckMeta {
        id: "container-exec-as-root",
        title: "docker exec is not used with --user root",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Repudiation],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("5.23", "1.13.0", "1.5.0"),
            CisRef::docker("5.24", "1.6.0"),
        ],
        rationale: "A container built to run unprivileged is undone by `docker exec --user root`: the shell gets root inside it, with the container's capabilities and mounts.",
        audit: "Reads each container's exec sessions (GET /exec/{id}/json): `--user root` or `0` fails; a session without --user in a container whose user is root runs as root too and warns. Past sessions cannot be seen: the check always adds a manual finding for them.",
        remediation: "Run exec sessions as the container's unprivileged user; restrict the exec endpoints with an authorization plugin and audit docker.sock to see past use.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        judge_sessions(meta, ctx, |_, inspect, session| {
            let user = session.process.user.as_str();
            if user.is_empty() {
                is_root(&inspect.config.user).then(|| {
                    (
                        false,
                        "runs as root, inherited from the container's user".to_owned(),
                    )
                })
            } else {
                is_root(user).then(|| (true, format!("--user {user}")))
            }
        })
    }),
};
