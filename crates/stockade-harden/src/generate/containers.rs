//! Running containers: `docker update` for the resource limits and the
//! restart policy (CIS Docker 5.11, 5.12, 5.15, 5.29), run with
//! `--apply --live`. A container recreated by Compose, a swarm service or
//! an orchestrator loses the change: the fix says where to make it last.

use stockade_checks::{Check, HostContext};
use stockade_core::Finding;
use stockade_core::finding::SubjectKind;
use stockade_core::fix::{Applicability, Change, Effort, Fix};
use stockade_core::snapshot::Probe;

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
        risk: "200 is a placeholder (the container's task count is unknown): a service forking more workers or threads fails to start new ones. Check its process count (`docker top`) before applying.",
        compose: "pids_limit",
    },
    Update {
        check: "container-restart-policy-unbounded",
        flags: &["--restart", "on-failure:5"],
        title: "Bound the restarts of container",
        applicability: Applicability::Safe,
        risk: "The container is no longer restarted after a clean exit or a daemon restart, and stays down after five failed restarts in a row until someone starts it.",
        compose: "restart",
    },
];

/// `docker`, with `--host` when the audited daemon is not the default one.
pub fn docker_base(ctx: &HostContext<'_>) -> Vec<String> {
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
    argv
}

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
    let mut argv = docker_base(ctx);
    argv.push("update".to_owned());
    let container = ctx.workload().collected().and_then(|w| {
        w.containers
            .iter()
            .find(|c| Some(c.id.as_str()) == subject.id.as_deref())
    });
    let mut applicability = spec.applicability;
    let mut risk = spec.risk.to_owned();
    let mut flags: Vec<String> = spec.flags.iter().map(|f| (*f).to_owned()).collect();
    match spec.check {
        // A generous limit over what the kernel counts now is safe.
        "container-pids-limit-missing" => {
            if let Some(tasks) = container
                .and_then(|c| c.security.as_ref())
                .and_then(|s| s.ok())
                .and_then(|s| s.tasks)
            {
                let limit = (tasks * 8).max(1024);
                flags = vec!["--pids-limit".to_owned(), limit.to_string()];
                applicability = Applicability::Safe;
                risk = format!(
                    "{tasks} task(s) (processes and threads) run in it now; the limit is {limit}, 8 times that and at least 1024: only a fork bomb or a burst far beyond today's load reaches it."
                );
            } else {
                let why = if container.is_some_and(|c| !c.is_running()) {
                    "it is not running"
                } else {
                    "its daemon is not on this machine, or its cgroup could not be read"
                };
                risk = risk.replace(
                    "(the container's task count is unknown)",
                    &format!("(the container's task count is unknown: {why})"),
                );
            }
        }
        "container-restart-policy-unbounded" => {
            if let Some(Probe::Ok(inspect)) = container.map(|c| &c.inspect)
                && inspect.host_config.auto_remove
            {
                applicability = Applicability::DisplayOnly;
                risk = format!(
                    "{risk} On this host: {name} was started with --rm, so docker refuses the change; recreate it without --rm to give it a restart policy."
                );
            }
        }
        _ => {}
    }
    argv.extend(flags);
    argv.push(name.to_owned());
    let mut changes = vec![Change::Command { argv }];
    if let Some(note) = lasting_note(ctx, subject.id.as_deref(), spec) {
        changes.push(Change::Instruction { text: note });
    }
    Some(Fix {
        title: format!("{} {name}", spec.title),
        applicability,
        changes,
        effort: Effort::Low,
        risk,
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
