use stockade_core::cis::CisRef;
use stockade_core::finding::short_id;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{Container, Image};
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, state_note};
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::{container_field, each_container};

/// The most restarts CIS Docker accepts for the on-failure policy.
const MAX_RESTARTS: i64 = 5;

pub static CONTAINER_RESTART_POLICY_UNBOUNDED: Check = Check {
    meta: CheckMeta {
        id: "container-restart-policy-unbounded",
        title: "Containers restart on failure at most 5 times",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.14", "1.13.0", "1.5.0"),
            CisRef::docker("5.15", "1.6.0"),
        ],
        rationale: "A container that crashes and restarts forever (`always`, `unless-stopped`, `on-failure` without a count) keeps burning CPU and filling logs, and hides the failure. A bounded on-failure policy retries a few times, then stops so someone looks.",
        audit: "Reads HostConfig.RestartPolicy: `always` and `unless-stopped` fail, `on-failure` passes with a MaximumRetryCount from 1 to 5 and fails with 0 (unlimited) or more than 5; `no` passes.",
        remediation: "`docker update --restart on-failure:5 NAME`, or `--restart on-failure:5` on `docker run`.",
        fix: FixAvailability::Always,
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(restart),
};

fn restart(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let policy = &inspect.host_config.restart_policy;
        let name = if policy.name.is_empty() {
            "no"
        } else {
            policy.name.as_str()
        };
        let evidence = container_field(
            container,
            "HostConfig.RestartPolicy",
            format!(
                "Name {name}, MaximumRetryCount {}",
                policy.maximum_retry_count
            ),
            "on-failure with MaximumRetryCount 1 to 5 (or no)",
        );
        let bounded = |message: String| Finding::pass(meta, message).evidence(evidence.clone());
        let unbounded = |message: String| {
            Finding::fail(meta, format!("{message}{}", state_note(container)))
                .evidence(evidence.clone())
        };
        match name {
            "no" => bounded("is never restarted automatically".to_owned()),
            "on-failure" => match policy.maximum_retry_count {
                0 => unbounded("restarts on failure without limit".to_owned()),
                n if n > MAX_RESTARTS => unbounded(format!("restarts on failure up to {n} times")),
                n => bounded(format!("restarts on failure at most {n} times")),
            },
            other => unbounded(format!("restarts without limit (policy {other})")),
        }
    })
}

pub static CONTAINER_CGROUP_PARENT_CHANGED: Check = Check {
    meta: CheckMeta {
        id: "container-cgroup-parent-changed",
        title: "Containers use the daemon's cgroup",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.24", "1.13.0", "1.5.0"),
            CisRef::docker("5.25", "1.6.0"),
        ],
        rationale: "`--cgroup-parent` moves a container out of the daemon's cgroup, and with it out of the limits and accounting set there. It can be deliberate (a reserved slice); it should never be accidental.",
        audit: "Reads HostConfig.CgroupParent: any value warns so that it is confirmed.",
        remediation: "Remove `--cgroup-parent` unless the container must run under that cgroup, and make sure the parent carries limits of its own.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(cgroup_parent),
};

fn cgroup_parent(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let parent = inspect.host_config.cgroup_parent.as_str();
        if parent.is_empty() {
            Finding::pass(meta, "uses the daemon's cgroup")
        } else {
            Finding::warn(
                meta,
                format!(
                    "runs under the cgroup {parent}: confirm this is intended{}",
                    state_note(container)
                ),
            )
            .evidence(container_field(
                container,
                "HostConfig.CgroupParent",
                parent,
                "(empty)",
            ))
        }
    })
}

pub static CONTAINER_HEALTHCHECK_MISSING: Check = Check {
    meta: CheckMeta {
        id: "container-healthcheck-missing",
        title: "Containers have a health check",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("5.26", "1.13.0", "1.5.0"),
            CisRef::docker("5.27", "1.6.0"),
        ],
        rationale: "A process can be alive and useless (deadlocked, out of connections, serving errors). A health check lets the daemon, an orchestrator or monitoring see it and act.",
        audit: "Reads Config.Healthcheck (from the image's HEALTHCHECK or `--health-cmd`): absent or NONE fails. For running containers the current State.Health.Status is shown.",
        remediation: "Add a HEALTHCHECK to the image or start the container with `--health-cmd` (and `--health-interval`). Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(healthcheck),
};

fn healthcheck(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let check = inspect.config.healthcheck.as_ref();
        let test = check.map(|h| h.test.join(" ")).unwrap_or_default();
        match check {
            Some(check) if check.is_active() => {
                let status = inspect
                    .state
                    .health
                    .as_ref()
                    .map(|h| format!(" (currently {})", h.status))
                    .unwrap_or_default();
                Finding::pass(meta, format!("has a health check{status}")).evidence(
                    container_field(container, "Config.Healthcheck.Test", test, "a health check"),
                )
            }
            Some(_) => Finding::fail(
                meta,
                format!("disables its health check{}", state_note(container)),
            )
            .evidence(container_field(
                container,
                "Config.Healthcheck.Test",
                test,
                "a health check, not NONE",
            )),
            None => Finding::fail(
                meta,
                format!("has no health check{}", state_note(container)),
            )
            .evidence(container_field(
                container,
                "Config.Healthcheck",
                "(none)",
                "HEALTHCHECK in the image or --health-cmd",
            )),
        }
    })
}

pub static CONTAINER_IMAGE_OUTDATED: Check = Check {
    meta: CheckMeta {
        id: "container-image-outdated",
        title: "Containers run the current build of their image",
        severity: Severity::Low,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("5.27", "1.13.0", "1.5.0"),
            CisRef::docker("5.28", "1.6.0"),
        ],
        rationale: "Pulling a patched image does not patch the containers already running the old one: they keep the old layers until they are recreated. Stale containers keep the vulnerabilities the new build fixed.",
        audit: "Compares the image each container runs with the image its reference (e.g. app:1.4) names on this host now: a container whose tag has since moved to another image, or no longer exists, warns; one on the current local build passes, and one started from a bare image id is left for review. Whether the registry holds a newer build than this host cannot be seen without pulling: a manual finding says so.",
        remediation: "Pull the image (`docker pull app:1.4`) and recreate the container from it (`docker compose up -d`, or `docker rm -f` and `docker run` again); prefer immutable tags or digests so a tag cannot drift.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(image_outdated),
};

fn image_outdated(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let images: &[Image] = match ctx.workload().all(meta).map(|w| &w.images) {
        Ok(Probe::Ok(images)) => images,
        _ => &[],
    };
    let mut findings = each_container(meta, ctx.workload(), |container, inspect| {
        judge_freshness(meta, container, &inspect.config.image, images)
    });
    if findings.iter().any(|f| f.subject.is_some()) {
        findings.push(Finding::manual(
            meta,
            "whether the registry holds newer builds than this host cannot be seen without pulling: pull the images and audit again",
        ));
    }
    findings
}

/// `reference` is the image as the container was created from it
/// (Config.Image); the container list shows an id instead once the tag moved.
fn judge_freshness(
    meta: &CheckMeta,
    container: &Container,
    reference: &str,
    images: &[Image],
) -> Finding {
    let reference = if reference.is_empty() {
        container.image.as_str()
    } else {
        reference
    };
    let running = short_id(&container.image_id);
    if reference.starts_with("sha256:") || container.image_id.contains(reference) {
        return Finding::manual(
            meta,
            format!(
                "was started from an image id ({running}), not a tag: compare it with the current build"
            ),
        );
    }
    let wanted = full_tag(reference);
    let current = images
        .iter()
        .find(|image| image.repo_tags.iter().any(|t| full_tag(t) == wanted));
    let evidence = |observed: String| {
        container_field(
            container,
            "Image",
            observed,
            format!("the image {wanted} names now"),
        )
    };
    match current {
        Some(image) if image.id == container.image_id => Finding::pass(
            meta,
            format!("runs the build {wanted} names on this host ({running})"),
        ),
        Some(image) => Finding::warn(
            meta,
            format!(
                "runs an older build of {wanted}: {running}, while the tag now names {}",
                short_id(&image.id)
            ),
        )
        .evidence(evidence(format!(
            "{running} (image {})",
            short_id(&image.id)
        ))),
        None => Finding::warn(
            meta,
            format!("runs {running}, and {wanted} no longer names any image on this host"),
        )
        .evidence(evidence(format!("{running}, tag {wanted} gone"))),
    }
}

/// `app` → `app:latest`; references with a tag or a digest stay as they are.
fn full_tag(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    if last.contains(':') || last.contains('@') {
        reference.to_owned()
    } else {
        format!("{reference}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_get_their_implicit_tag() {
        assert_eq!(full_tag("app"), "app:latest");
        assert_eq!(full_tag("registry:5000/app"), "registry:5000/app:latest");
        assert_eq!(full_tag("app:1.4"), "app:1.4");
    }
}
