//! Day-to-day operation of a Docker host (CIS Docker section 6): images and
//! containers that pile up unused.

use std::collections::HashSet;

use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, short_id};
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::{Finding, Severity};

use crate::check::{Check, Runner};
use crate::context::HostContext;

/// Fields both sprawl checks share.
const OPS_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "docker_ops",
    scope: Scope::Daemon,
    severity: Severity::Info,
    stride: &[Stride::DenialOfService],
    mode: CheckMode::Manual,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

/// How many names a sprawl finding lists before summarising.
const LISTED: usize = 20;

fn listing(names: &[String]) -> String {
    let mut shown: Vec<&str> = names.iter().take(LISTED).map(String::as_str).collect();
    let more = names.len().saturating_sub(LISTED);
    let more_text = format!("and {more} more");
    if more > 0 {
        shown.push(&more_text);
    }
    shown.join(", ")
}

pub static IMAGE_SPRAWL: Check = Check {
    meta: CheckMeta {
        id: "image-sprawl",
        title: "Unused images do not pile up",
        cis: &[
            CisRef::docker_until("6.4", "1.13.0", "1.13.0"),
            CisRef::docker("6.1", "1.1.0"),
        ],
        rationale: "Old images nobody runs keep old, vulnerable packages on the host (ready to be started by mistake), fill the disk, and make it hard to tell what is in use.",
        audit: "Counts the images (GET /images/json) and those used by at least one container in any state; lists the unused ones. Information for a human: an image kept for a rollback is not sprawl.",
        remediation: "Remove images nobody needs (`docker image prune -a` after review) and keep only tagged, current builds.",
        ..OPS_CHECK
    },
    runner: Runner::Host(image_sprawl),
};

fn image_sprawl(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let workload = match ctx.workload().all(meta) {
        Ok(workload) => workload,
        Err(finding) => return vec![finding],
    };
    let images = match &workload.images {
        Probe::Ok(images) => images,
        Probe::Error(reason) => {
            return vec![Finding::error(
                meta,
                format!("the daemon's images could not be listed: {reason}"),
            )];
        }
    };
    let used: HashSet<&str> = workload
        .containers
        .iter()
        .map(|c| c.image_id.as_str())
        .collect();
    let unused: Vec<String> = images
        .iter()
        .filter(|image| !used.contains(image.id.as_str()))
        .map(|image| format!("{} ({})", image.display_name(), short_id(&image.id)))
        .collect();
    let in_use = images.len() - unused.len();
    let mut finding = Finding::info(
        meta,
        format!(
            "{} image(s), {in_use} used by a container, {} unused",
            images.len(),
            unused.len()
        ),
    );
    if !unused.is_empty() {
        finding = finding.evidence(
            Evidence::observed(format!("unused: {}", listing(&unused)))
                .expected("only images that are in use or kept on purpose"),
        );
    }
    vec![finding]
}

pub static CONTAINER_SPRAWL: Check = Check {
    meta: CheckMeta {
        id: "container-sprawl",
        title: "Stopped containers do not pile up",
        cis: &[
            CisRef::docker_until("6.5", "1.13.0", "1.13.0"),
            CisRef::docker("6.2", "1.1.0"),
        ],
        rationale: "Stopped containers keep their writable layer (logs, data, sometimes secrets), can be restarted with their old configuration, and hide the containers that matter.",
        audit: "Counts every container the daemon knows (GET /containers/json?all=1) and the running ones; lists the others. Information for a human.",
        remediation: "Remove containers that are no longer needed (`docker container prune` after review); start short-lived containers with `--rm`.",
        ..OPS_CHECK
    },
    runner: Runner::Host(container_sprawl),
};

fn container_sprawl(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let workload = match ctx.workload().all(meta) {
        Ok(workload) => workload,
        Err(finding) => return vec![finding],
    };
    let stopped: Vec<String> = workload
        .containers
        .iter()
        .filter(|c| !c.is_running())
        .map(|c| format!("{} ({})", c.name, c.state))
        .collect();
    let total = workload.containers.len();
    let mut finding = Finding::info(
        meta,
        format!(
            "{total} container(s), {} running, {} not running",
            total - stopped.len(),
            stopped.len()
        ),
    );
    if !stopped.is_empty() {
        finding = finding.evidence(
            Evidence::observed(format!("not running: {}", listing(&stopped)))
                .expected("only containers that are needed"),
        );
    }
    vec![finding]
}
