use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{Container, ContainerInspect};
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, state_note};
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::{container_field, each_container};

pub static CONTAINER_RUNS_AS_ROOT: Check = Check {
    meta: CheckMeta {
        id: "container-runs-as-root",
        title: "Containers run as a non-root user",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::docker("4.1", "1.13.0")],
        rationale: "A process running as root inside a container is root on the host's kernel: one escape, one writable host mount or one shared namespace away from owning the host. An image that creates a user and switches to it keeps a compromised process unprivileged.",
        audit: "Reads each container's Config.User: the image's USER unless `--user` overrode it. Empty, `0`, `root` (with or without a group) mean root. The image's own USER is shown beside it.",
        remediation: "Create a user in the Dockerfile (`RUN useradd -r app`) and end with `USER app`, or start the container with `--user UID:GID`. Then recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let view = ctx.workload();
    each_container(meta, view, |container, inspect| {
        judge(meta, ctx, container, inspect)
    })
}

fn judge(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    container: &Container,
    inspect: &ContainerInspect,
) -> Finding {
    let user = inspect.config.user.as_str();
    let image_user = image_user(ctx, container);
    let origin = match image_user {
        Some(image_user) if image_user == user => "the image's USER".to_owned(),
        Some("") => "--user (the image sets no USER)".to_owned(),
        Some(image_user) => format!("--user (the image's USER is `{image_user}`)"),
        None => "the image's USER or --user".to_owned(),
    };
    let shown = if user.is_empty() { "(empty)" } else { user };
    let evidence = container_field(
        container,
        "Config.User",
        format!("{shown}, from {origin}"),
        "a non-root user (USER in the Dockerfile, or --user)",
    );
    if is_root(user) {
        Finding::fail(meta, format!("runs as root{}", state_note(container))).evidence(evidence)
    } else {
        Finding::pass(meta, format!("runs as user {user}")).evidence(evidence)
    }
}

/// Empty (the default), `0`, `root`, or either with a group.
pub(super) fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default();
    name.is_empty() || name == "0" || name == "root"
}

fn image_user<'a>(ctx: &HostContext<'a>, container: &Container) -> Option<&'a str> {
    let workload = ctx.workload().collected()?;
    let Probe::Ok(images) = &workload.images else {
        return None;
    };
    let image = images.iter().find(|i| i.id == container.image_id)?;
    image.inspect.ok().map(|i| i.config.user.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_spellings() {
        for user in ["", "0", "root", "0:0", "root:staff"] {
            assert!(is_root(user), "{user}");
        }
        for user in ["1000", "app", "1000:0", "rootless"] {
            assert!(!is_root(user), "{user}");
        }
    }
}
