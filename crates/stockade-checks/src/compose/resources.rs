use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::compose::port;
use stockade_parse::yaml::Node;

use super::COMPOSE_CHECK;
use crate::check::{Check, Runner};
use crate::scan::input::ServiceInput;

pub static COMPOSE_MEMORY_UNLIMITED: Check = Check {
    meta: CheckMeta {
        id: "compose-memory-unlimited",
        title: "Services have a memory limit",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.10", "1.13.0", "1.5.0"),
            CisRef::docker("5.11", "1.6.0"),
        ],
        rationale: "Without a limit one leaking or attacked container takes the host's memory and the kernel's OOM killer picks victims among every other service.",
        audit: "Fails a service with neither `mem_limit` nor `deploy.resources.limits.memory`.",
        remediation: "Set `deploy.resources.limits.memory: 512M` (or `mem_limit: 512m`) to what the service needs.",
        fix: FixAvailability::Always,
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(memory),
};

pub static COMPOSE_PIDS_UNLIMITED: Check = Check {
    meta: CheckMeta {
        id: "compose-pids-unlimited",
        title: "Services have a process (PIDs) limit",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.28", "1.13.0", "1.5.0"),
            CisRef::docker("5.29", "1.6.0"),
        ],
        rationale: "A fork bomb in one container exhausts the host's process table and stops every other service from starting processes.",
        audit: "Fails a service with neither `pids_limit` nor `deploy.resources.limits.pids` (0 and -1 mean unlimited).",
        remediation: "Set `pids_limit: 200` (or `deploy.resources.limits.pids`).",
        fix: FixAvailability::Always,
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(pids),
};

pub static COMPOSE_RESTART_UNBOUNDED: Check = Check {
    meta: CheckMeta {
        id: "compose-restart-unbounded",
        title: "Restart policies cap the number of retries",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.14", "1.13.0", "1.5.0"),
            CisRef::docker("5.15", "1.6.0"),
        ],
        rationale: "A container that restarts forever hides a crash loop and keeps burning resources, sometimes re-triggering the same exploit on every start.",
        audit: "Fails `restart: always` and `restart: unless-stopped`, and `deploy.restart_policy` with condition `any` (or none given) and no `max_attempts`.",
        remediation: "Use `restart: on-failure:5`, or `deploy.restart_policy: {condition: on-failure, max_attempts: 5}`.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(restart),
};

pub static COMPOSE_PORT_ALL_INTERFACES: Check = Check {
    meta: CheckMeta {
        id: "compose-port-all-interfaces",
        title: "Published ports are bound to a specific host address",
        severity: Severity::Low,
        stride: &[Stride::InformationDisclosure, Stride::Spoofing],
        cis: &[
            CisRef::docker_until("5.13", "1.13.0", "1.5.0"),
            CisRef::docker("5.14", "1.6.0"),
        ],
        rationale: "A port published without a host address listens on every interface, including public ones, and Docker's iptables rules bypass host firewalls such as ufw.",
        audit: "Fails `ports` entries that publish a host port without a host address (or with 0.0.0.0 / ::).",
        remediation: "Bind to the interface that should receive traffic: `\"127.0.0.1:8080:80\"` for local-only access.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(ports),
};

fn has_limit(node: Option<&Node>) -> bool {
    node.is_some_and(|n| {
        !n.is_null()
            && n.as_i64().is_none_or(|v| v > 0)
            && n.as_str().is_some_and(|s| !s.is_empty() && s != "-1")
    })
}

fn memory(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    if has_limit(input.service.get("mem_limit")) || has_limit(input.service.deploy_limit("memory"))
    {
        return Vec::new();
    }
    vec![input.finding(
        meta,
        Status::Fail,
        format!("service `{}` has no memory limit", input.service.name),
        input.service.key,
        "no mem_limit or deploy.resources.limits.memory",
        "deploy.resources.limits.memory: <size>",
    )]
}

fn pids(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    if has_limit(input.service.get("pids_limit")) || has_limit(input.service.deploy_limit("pids")) {
        return Vec::new();
    }
    let node = input.service.get("pids_limit").unwrap_or(input.service.key);
    vec![input.finding(
        meta,
        Status::Fail,
        format!("service `{}` has no PIDs limit", input.service.name),
        node,
        "no pids_limit or deploy.resources.limits.pids",
        "pids_limit: <count>",
    )]
}

fn restart(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(node) = input.service.get("restart") {
        let policy = node.as_str().unwrap_or("");
        if matches!(policy, "always" | "unless-stopped") {
            findings.push(input.finding(
                meta,
                Status::Fail,
                format!(
                    "service `{}` restarts forever (`restart: {policy}`)",
                    input.service.name
                ),
                node,
                format!("restart: {policy}"),
                "restart: on-failure:5",
            ));
        }
    }
    if let Some(policy) = input.service.node.path(&["deploy", "restart_policy"]) {
        let condition = policy
            .get("condition")
            .and_then(Node::as_str)
            .unwrap_or("any");
        if condition == "any" && policy.get("max_attempts").is_none() {
            findings.push(input.finding(
                meta,
                Status::Fail,
                format!(
                    "service `{}` restarts forever (deploy.restart_policy without max_attempts)",
                    input.service.name
                ),
                policy,
                format!("condition: {condition}, no max_attempts"),
                "condition: on-failure, max_attempts: 5",
            ));
        }
    }
    findings
}

fn ports(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    if input.service.get("network_mode").and_then(Node::as_str) == Some("host") {
        return Vec::new();
    }
    input
        .service
        .get("ports")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|node| {
            let published = port(node)?;
            if published.host_ip.is_some() || published.published.is_none() {
                return None;
            }
            let host = published.published.unwrap_or_default();
            Some(input.finding(
                meta,
                Status::Fail,
                format!(
                    "service `{}` publishes port {host} on every host interface",
                    input.service.name
                ),
                node,
                format!("{host}:{}", published.target),
                format!(
                    "127.0.0.1:{host}:{} (or the one interface meant to serve)",
                    published.target
                ),
            ))
        })
        .collect()
}
