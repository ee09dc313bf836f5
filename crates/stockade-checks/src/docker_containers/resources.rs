use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Stride};
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, human_bytes, state_note};
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::{container_field, each_container};

pub static CONTAINER_MEMORY_UNLIMITED: Check = Check {
    meta: CheckMeta {
        id: "container-memory-unlimited",
        title: "Containers have a memory limit",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.10", "1.13.0", "1.5.0"),
            CisRef::docker("5.11", "1.6.0"),
        ],
        rationale: "Without a limit one container (a leak, a load spike, an attacker) can take all of the host's memory, and the kernel's OOM killer then picks victims among every container and the host's own services.",
        audit: "Reads HostConfig.Memory: 0 means unlimited and fails.",
        remediation: "Set a limit: `docker update --memory 512m --memory-swap 512m NAME` for a running container, `--memory` on `docker run`, or `mem_limit`/`deploy.resources.limits.memory` in compose.",
        fix: FixAvailability::Always,
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(memory),
};

fn memory(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let limit = inspect.host_config.memory;
        let evidence = container_field(
            container,
            "HostConfig.Memory",
            if limit > 0 {
                format!("{limit} ({})", human_bytes(limit))
            } else {
                "0 (unlimited)".to_owned()
            },
            "a limit, e.g. --memory 512m",
        );
        if limit > 0 {
            Finding::pass(meta, format!("is limited to {}", human_bytes(limit))).evidence(evidence)
        } else {
            Finding::fail(
                meta,
                format!("can use all of the host's memory{}", state_note(container)),
            )
            .evidence(evidence)
        }
    })
}

pub static CONTAINER_CPU_PRIORITY_UNSET: Check = Check {
    meta: CheckMeta {
        id: "container-cpu-priority-unset",
        title: "Containers have a CPU share or limit",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.11", "1.13.0", "1.5.0"),
            CisRef::docker("5.12", "1.6.0"),
        ],
        rationale: "All containers get equal CPU weight by default, so a busy or hostile container starves the ones that matter. Shares set priorities; a quota (`--cpus`) caps what one container may burn.",
        audit: "Reads HostConfig.CpuShares, NanoCpus (`--cpus`) and CpuQuota: all zero fails.",
        remediation: "`docker update --cpu-shares 512 NAME` (relative weight, default 1024) or `docker update --cpus 1.5 NAME` (hard cap); the same flags on `docker run`, or `cpu_shares`/`cpus` in compose.",
        fix: FixAvailability::Always,
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(cpu),
};

fn cpu(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let config = &inspect.host_config;
        let mut settings = Vec::new();
        if config.cpu_shares > 0 {
            settings.push(format!("CpuShares {}", config.cpu_shares));
        }
        if config.nano_cpus > 0 {
            settings.push(format!(
                "NanoCpus {} ({} CPUs)",
                config.nano_cpus,
                config.nano_cpus as f64 / 1e9
            ));
        }
        if config.cpu_quota > 0 {
            settings.push(format!("CpuQuota {}", config.cpu_quota));
        }
        if settings.is_empty() {
            Finding::fail(
                meta,
                format!(
                    "has neither CPU shares nor a CPU limit{}",
                    state_note(container)
                ),
            )
            .evidence(container_field(
                container,
                "HostConfig.CpuShares",
                "CpuShares 0, NanoCpus 0, CpuQuota 0",
                "--cpu-shares or --cpus",
            ))
        } else {
            Finding::pass(meta, format!("has {}", settings.join(", ")))
        }
    })
}

pub static CONTAINER_PIDS_LIMIT_MISSING: Check = Check {
    meta: CheckMeta {
        id: "container-pids-limit-missing",
        title: "Containers have a PIDs limit",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.28", "1.13.0", "1.5.0"),
            CisRef::docker("5.29", "1.6.0"),
        ],
        rationale: "A fork bomb in a container without a PIDs limit exhausts the host's process table: nothing on the host, containers or services, can start a process any more.",
        audit: "Reads HostConfig.PidsLimit: absent (null), 0 or -1 mean unlimited and fail.",
        remediation: "`docker update --pids-limit 200 NAME`, `--pids-limit` on `docker run`, or `pids_limit` in compose; size it to the workload's real process count.",
        fix: FixAvailability::Always,
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(pids),
};

fn pids(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let limit = inspect.host_config.pids_limit;
        let evidence = container_field(
            container,
            "HostConfig.PidsLimit",
            limit.map_or("null (unlimited)".to_owned(), |l| l.to_string()),
            "a positive limit, e.g. --pids-limit 200",
        );
        if inspect.host_config.pids_limited() {
            Finding::pass(
                meta,
                format!("may run at most {} processes", limit.unwrap_or_default()),
            )
            .evidence(evidence)
        } else {
            Finding::fail(
                meta,
                format!(
                    "may create processes without limit{}",
                    state_note(container)
                ),
            )
            .evidence(evidence)
        }
    })
}

pub static CONTAINER_DEFAULT_ULIMITS: Check = Check {
    meta: CheckMeta {
        id: "container-default-ulimits",
        title: "Containers override the default ulimits only where needed",
        severity: Severity::Info,
        stride: &[Stride::DenialOfService],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("5.18", "1.13.0", "1.5.0"),
            CisRef::docker("5.19", "1.6.0"),
        ],
        rationale: "Ulimits (open files, processes per user) bound what one container can consume. The daemon's defaults (see daemon-default-ulimit-unset) suit most containers; overrides should be deliberate, since a raised limit lets that container exhaust more.",
        audit: "Lists HostConfig.Ulimits of each container as information: containers without overrides use the daemon's defaults. Whether an override is needed is a human decision.",
        remediation: "Set sensible defaults on the daemon (\"default-ulimits\"); override per container with `--ulimit nofile=1024:2048` only when the workload needs it.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(ulimits),
};

fn ulimits(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let limits: Vec<String> = inspect
            .host_config
            .ulimits
            .iter()
            .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
            .collect();
        if limits.is_empty() {
            Finding::info(meta, "uses the daemon's default ulimits")
        } else {
            Finding::info(meta, format!("overrides ulimits: {}", limits.join(", "))).evidence(
                container_field(
                    container,
                    "HostConfig.Ulimits",
                    limits.join(", "),
                    "overrides only where the workload needs them",
                ),
            )
        }
    })
}
