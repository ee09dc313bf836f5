//! Owner and mode fixes for the CIS file controls.

use stockade_checks::docker_files::Owner;
use stockade_checks::{Check, HostContext};
use stockade_core::Finding;
use stockade_core::fix::{Applicability, Change, Effort, Fix};
use stockade_core::snapshot::{FileState, Probe};

fn stat_of<'a>(
    ctx: &'a HostContext<'_>,
    path: &str,
) -> Option<&'a stockade_core::snapshot::FileStat> {
    let docker = ctx.snapshot.docker.as_ref()?;
    docker
        .files
        .iter()
        .find(|f| f.facts.path == path)
        .and_then(|f| match &f.facts.state {
            FileState::Present(stat) => Some(stat),
            _ => None,
        })
}

/// Clears the permission bits the control does not allow, keeping stricter ones.
pub fn chmod(check: &Check, finding: &Finding, ctx: &HostContext<'_>, allowed: u32) -> Option<Fix> {
    let path = finding.subject.as_ref()?.name.clone();
    let stat = stat_of(ctx, &path)?;
    let mode = stat.mode & allowed;
    Some(Fix {
        title: format!("chmod {mode:04o} {path}"),
        applicability: Applicability::Safe,
        changes: vec![Change::Chmod { path, mode }],
        effort: Effort::Low,
        risk: format!(
            "Only bits outside {allowed:04o} are removed; a service or user relying on them ({}) loses that access.",
            check.meta.id
        ),
        needs_daemon_restart: false,
    })
}

/// Gives the file to root (and the docker group for the socket).
pub fn chown(check: &Check, finding: &Finding, ctx: &HostContext<'_>, owner: Owner) -> Option<Fix> {
    let path = finding.subject.as_ref()?.name.clone();
    stat_of(ctx, &path)?;
    let docker_group = match &ctx.snapshot.host.docker_group {
        Probe::Ok(Some(group)) => Some(group.gid),
        _ => None,
    };
    let (group, gid) = match (owner, docker_group) {
        (Owner::RootDocker, Some(gid)) => ("docker".to_owned(), gid),
        _ => ("root".to_owned(), 0),
    };
    Some(Fix {
        title: format!("chown root:{group} {path}"),
        applicability: Applicability::Safe,
        changes: vec![Change::Chown {
            path,
            user: "root".to_owned(),
            group,
            uid: 0,
            gid,
        }],
        effort: Effort::Low,
        risk: format!(
            "The previous owner loses write access it should not have had ({}).",
            check.meta.id
        ),
        needs_daemon_restart: false,
    })
}
