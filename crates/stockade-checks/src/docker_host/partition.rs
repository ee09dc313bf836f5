use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location, Subject};
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::snapshot::{FileRole, FileState, Mount, Probe};
use stockade_core::{Finding, Severity};

use crate::check::{Check, Runner};
use crate::context::HostContext;

pub static DATA_ROOT_NOT_SEPARATE_PARTITION: Check = Check {
    meta: CheckMeta {
        id: "data-root-not-separate-partition",
        title: "Docker's data root is a separate filesystem",
        family: "docker_host",
        scope: Scope::Host,
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        mode: CheckMode::Automated,
        cis: &[
            CisRef::docker_until("1.1", "1.13.0", "1.1.0"),
            CisRef::docker_until("1.2.1", "1.2.0", "1.2.0"),
            CisRef::docker("1.1.1", "1.3.1"),
        ],
        rationale: "Images, container layers, logs and volumes grow without bound. On the root filesystem, one container filling its disk stops the whole host: logging, package updates, even logins.",
        audit: "Takes the data root from GET /info (DockerRootDir; its parent under user-namespace remapping) and looks for a mount whose mount point is exactly that directory, in the live mount table (/proc/self/mountinfo) or, offline, in the host's /etc/fstab.",
        remediation: "Give the data root its own filesystem: create a logical volume or partition, mount it at /var/lib/docker (or at the \"data-root\" you configure) through /etc/fstab, and move the existing data while dockerd is stopped.",
        fix: FixAvailability::None,
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let Some(file) = docker.file(FileRole::DataRoot) else {
        return vec![Finding::error(meta, "the data root was not collected")];
    };
    let path = &file.facts.path;
    let subject = Subject::file(path.clone());
    let real = match &file.facts.state {
        FileState::Present(stat) => stat.canonical.clone().unwrap_or_else(|| path.clone()),
        FileState::Absent => {
            return vec![
                Finding::not_applicable(
                    meta,
                    format!("the data root {path} does not exist ({})", file.origin),
                )
                .subject(subject),
            ];
        }
        FileState::Error(reason) => {
            return vec![
                Finding::error(meta, format!("cannot examine the data root: {reason}"))
                    .subject(subject),
            ];
        }
    };
    let mounts = match &ctx.snapshot.host.mounts {
        Probe::Ok(mounts) => mounts,
        Probe::Error(reason) => {
            return vec![
                Finding::error(meta, format!("the mount table is unknown: {reason}"))
                    .subject(subject),
            ];
        }
    };
    let location = Location::file(mounts.source.clone());
    let expected = format!("a filesystem of its own mounted at {path}");
    let Some(own) = containing_mount(&mounts.entries, &real) else {
        return vec![
            Finding::fail(
                meta,
                format!("no filesystem is mounted at the data root {path}"),
            )
            .evidence(
                Evidence::observed(format!("no entry of {} covers {real}", mounts.source))
                    .expected(expected)
                    .at(location),
            )
            .subject(subject),
        ];
    };
    let finding = if own.mount_point != real {
        Finding::fail(
            meta,
            format!(
                "the data root {path} shares the filesystem mounted at {}",
                own.mount_point
            ),
        )
        .evidence(
            Evidence::observed(format!(
                "{real} is on {} ({} on {})",
                own.mount_point, own.fstype, own.device
            ))
            .expected(expected)
            .at(location),
        )
    } else {
        // A mount at the data root may still be a bind mount of the parent's
        // own filesystem (dockerd bind-mounts its data root onto itself).
        let parent_dir = real
            .rsplit_once('/')
            .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        let below: Vec<Mount> = mounts
            .entries
            .iter()
            .filter(|m| m.mount_point != real)
            .cloned()
            .collect();
        let parent = containing_mount(&below, parent_dir);
        let same_filesystem = parent.is_some_and(|p| {
            filesystem_of(&mounts.entries, own).is_some()
                && filesystem_of(&mounts.entries, own) == filesystem_of(&mounts.entries, p)
        });
        match parent {
            Some(parent) if same_filesystem => Finding::fail(
                meta,
                format!(
                    "the data root {path} is a bind mount of the filesystem mounted at {}, not a separate partition",
                    parent.mount_point
                ),
            )
            .evidence(
                Evidence::observed(format!(
                    "{} is mounted from {} ({}, filesystem {}), the filesystem of {}",
                    own.mount_point,
                    own.device,
                    own.fstype,
                    filesystem_of(&mounts.entries, own).unwrap_or_default(),
                    parent.mount_point
                ))
                .expected(expected)
                .at(location),
            ),
            _ => Finding::pass(
                meta,
                format!("the data root {path} is its own filesystem ({} on {})", own.fstype, own.device),
            )
            .evidence(
                Evidence::observed(format!("{} mounted at {}", own.device, own.mount_point))
                    .expected(expected)
                    .at(location),
            ),
        }
    };
    vec![finding.subject(subject)]
}

/// The mount with the longest mount point that contains `path` (the last
/// one listed wins among equals: it is mounted on top).
fn containing_mount<'a>(mounts: &'a [Mount], path: &str) -> Option<&'a Mount> {
    mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| is_within(path, &m.mount_point))
        .max_by_key(|(i, m)| (m.mount_point.len(), *i))
        .map(|(_, m)| m)
}

/// The identity of the filesystem a mount shows. A bind entry of
/// /etc/fstab names a source path: its filesystem is the one holding that path.
fn filesystem_of(mounts: &[Mount], mount: &Mount) -> Option<String> {
    if mount.bind
        && mount.device.starts_with('/')
        && mount.filesystem.as_deref() == Some(mount.device.as_str())
    {
        let others: Vec<Mount> = mounts
            .iter()
            .filter(|m| m.mount_point != mount.mount_point)
            .cloned()
            .collect();
        return containing_mount(&others, &mount.device).and_then(|m| m.filesystem.clone());
    }
    mount.filesystem.clone()
}

fn is_within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir.is_empty()
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(point: &str) -> Mount {
        Mount {
            mount_point: point.to_owned(),
            device: "/dev/x".to_owned(),
            fstype: "ext4".to_owned(),
            filesystem: Some(format!("dev-of-{point}")),
            bind: false,
        }
    }

    #[test]
    fn the_deepest_mount_contains_a_path() {
        let mounts = [
            mount("/"),
            mount("/var"),
            mount("/var/lib/docker"),
            mount("/var/lib/docker2"),
        ];
        assert_eq!(
            containing_mount(&mounts, "/var/lib/docker")
                .unwrap()
                .mount_point,
            "/var/lib/docker"
        );
        assert_eq!(
            containing_mount(&mounts, "/var/lib/dockerx")
                .unwrap()
                .mount_point,
            "/var"
        );
        assert_eq!(containing_mount(&mounts, "/srv").unwrap().mount_point, "/");
        assert!(containing_mount(&mounts[1..], "/srv").is_none());
    }
}
