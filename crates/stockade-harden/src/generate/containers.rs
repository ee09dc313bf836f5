//! Running containers: `docker update` for the resource limits and the
//! restart policy (CIS Docker 5.11, 5.12, 5.15, 5.29), run with
//! `--apply --live`. A container recreated by Compose, a swarm service or
//! an orchestrator loses the change: the fix says where to make it last.

use stockade_checks::{Check, HostContext};
use stockade_core::Finding;
use stockade_core::finding::SubjectKind;
use stockade_core::fix::{Applicability, Change, Effort, Fix};

/// The socket `docker` talks to when given no `--host`.
const DEFAULT_ENDPOINT: &str = "unix:///var/run/docker.sock";

struct Update {
    check: &'static str,
    flags: &'static [&'static str],
    title: &'static str,
    applicability: Applicability,
    risk: &'static str,
    /// Where the setting lives in Compose, to make it outlive a recreate.
    compose: &'static str,
}

const UPDATES: &[Update] = &[
    Update {
        check: "container-memory-unlimited",
        flags: &["--memory", "512m", "--memory-swap", "512m"],
        title: "Limit the memory of container",
        applicability: Applicability::Unsafe,
        risk: "512m is a placeholder: a container that needs more is OOM-killed. Choose the value from its real use (`docker stats`) before applying.",
        compose: "mem_limit",
    },
    Update {
        check: "container-cpu-priority-unset",
        flags: &["--cpu-shares", "512"],
        title: "Give a CPU share to container",
        applicability: Applicability::Unsafe,
        risk: "512 halves the container's weight against containers at the default 1024; a latency-sensitive service may need more. Choose the share (or a --cpus cap) for the workload.",
        compose: "cpu_shares",
    },
    Update {
        check: "container-pids-limit-missing",
        flags: &["--pids-limit", "200"],
        title: "Limit the processes of container",
        applicability: Applicability::Unsafe,
        risk: "200 is a placeholder: a service forking more workers or threads fails to start new ones. Check its process count (`docker top`) before applying.",
        compose: "pids_limit",
    },
    Update {
        check: "container-restart-policy-unbounded",
        flags: &["--restart", "on-failure:5"],
        title: "Bound the restarts of container",
        applicability: Applicability::Safe,
        risk: "The container is no longer restarted after a clean exit or a daemon restart, and stays down after five failed restarts in a row until someone starts it. A container started with --rm cannot take a restart policy (docker refuses).",
        compose: "restart",
    },
];

pub fn handles(check: &str) -> bool {
    UPDATES.iter().any(|u| u.check == check)
}

pub fn update(check: &Check, finding: &Finding, ctx: &HostContext<'_>) -> Option<Fix> {
    let spec = UPDATES.iter().find(|u| u.check == check.meta.id)?;
    let subject = finding.subject.as_ref()?;
    if subject.kind != SubjectKind::Container {
        return None;
    }
    let name = subject.name.as_str();
    let mut argv = vec!["docker".to_owned()];
    let endpoint = ctx
        .snapshot
        .docker
        .as_ref()
        .map(|d| d.endpoint.as_str())
        .unwrap_or(DEFAULT_ENDPOINT);
    if !endpoint.is_empty() && endpoint != DEFAULT_ENDPOINT {
        argv.push("--host".to_owned());
        argv.push(endpoint.to_owned());
    }
    argv.push("update".to_owned());
    argv.extend(spec.flags.iter().map(|f| (*f).to_owned()));
    argv.push(name.to_owned());
    let mut changes = vec![Change::Command { argv }];
    if let Some(note) = lasting_note(ctx, subject.id.as_deref(), spec) {
        changes.push(Change::Instruction { text: note });
    }
    Some(Fix {
        title: format!("{} {name}", spec.title),
        applicability: spec.applicability,
        changes,
        effort: Effort::Low,
        risk: spec.risk.to_owned(),
        needs_daemon_restart: false,
    })
}

/// Where to make the change last when something recreates the container.
fn lasting_note(ctx: &HostContext<'_>, id: Option<&str>, spec: &Update) -> Option<String> {
    let workload = ctx.workload().collected()?;
    let container = workload
        .containers
        .iter()
        .find(|c| Some(c.id.as_str()) == id)?;
    let label = |key: &str| container.labels.get(key).map(String::as_str);
    if let Some(service) = label("com.docker.swarm.service.name") {
        return Some(format!(
            "Container {} is a task of swarm service `{service}`: swarm replaces it with the old settings; change the service instead (`docker service update`).",
            container.name
        ));
    }
    if let (Some(project), Some(service)) = (
        label("com.docker.compose.project"),
        label("com.docker.compose.service"),
    ) {
        return Some(format!(
            "Container {} belongs to Compose project `{project}`: set `{}` on service `{service}` too, or the next `docker compose up` recreates it without the limit.",
            container.name, spec.compose
        ));
    }
    None
}
