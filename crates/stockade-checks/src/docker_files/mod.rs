//! Ownership and permissions of the files Docker trusts (CIS Docker section 3).
//!
//! Every check here is declarative: it names the file's role and the owner
//! or permission bits it allows. Modes are compared bitwise: "0644 or more
//! restrictive" means no permission bit outside 0644 (0604 passes, 0660 does
//! not), unlike a numeric comparison.

mod checks;

pub use checks::*;

use stockade_core::Finding;
use stockade_core::finding::{Evidence, Location, Subject};
use stockade_core::meta::CheckMeta;
use stockade_core::snapshot::{FileFacts, FileKind, FileRole, FileStat, FileState, Probe};

use crate::context::{DockerView, HostContext};

/// Who must own a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// `root:root`.
    RootRoot,
    /// Owned by root, group `docker` (or the stricter `root`).
    RootDocker,
}

impl Owner {
    fn expected(self) -> &'static str {
        match self {
            Owner::RootRoot => "root:root (0:0)",
            Owner::RootDocker => "root:docker (or root:root)",
        }
    }
}

pub(crate) fn check_owner(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    role: FileRole,
    owner: Owner,
) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let docker_gid = match &ctx.snapshot.host.docker_group {
        Probe::Ok(Some(group)) => Some(group.gid),
        _ => None,
    };
    each_file(meta, docker, role, |facts, stat| {
        let group_ok = stat.gid == 0
            || (owner == Owner::RootDocker
                && (Some(stat.gid) == docker_gid || stat.group.as_deref() == Some("docker")));
        let observed = format!("owner {} ({}:{})", owner_names(stat), stat.uid, stat.gid);
        let evidence = Evidence::observed(observed)
            .expected(owner.expected())
            .at(Location::file(facts.path.clone()));
        if stat.uid == 0 && group_ok {
            Finding::pass(
                meta,
                format!("{} is owned by {}", facts.path, owner_names(stat)),
            )
            .evidence(evidence)
        } else {
            Finding::fail(
                meta,
                format!(
                    "{} is owned by {}, not {}",
                    facts.path,
                    owner_names(stat),
                    owner.expected()
                ),
            )
            .evidence(evidence)
        }
    })
}

pub(crate) fn check_mode(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    role: FileRole,
    allowed: u32,
) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    each_file(meta, docker, role, |facts, stat| {
        let extra = stat.mode & !allowed;
        let evidence =
            Evidence::observed(format!("mode {:04o} ({})", stat.mode, symbolic(stat.mode)))
                .expected(format!("{allowed:04o} or more restrictive"))
                .at(Location::file(facts.path.clone()));
        if extra == 0 {
            Finding::pass(meta, format!("{} has mode {:04o}", facts.path, stat.mode))
                .evidence(evidence)
        } else {
            Finding::fail(
                meta,
                format!(
                    "{} has mode {:04o}: {} beyond {allowed:04o}",
                    facts.path,
                    stat.mode,
                    describe_bits(extra)
                ),
            )
            .evidence(evidence)
        }
    })
}

/// Runs `judge` on every present file of `role`; absent, masked and
/// unreadable files get `not-applicable` or `error`.
fn each_file(
    meta: &CheckMeta,
    docker: &DockerView<'_>,
    role: FileRole,
    judge: impl Fn(&FileFacts, &FileStat) -> Finding,
) -> Vec<Finding> {
    let files: Vec<_> = docker.files(role).collect();
    if files.is_empty() {
        return vec![Finding::not_applicable(meta, no_file_reason(docker, role))];
    }
    files
        .into_iter()
        .map(|file| {
            let facts = &file.facts;
            let finding = match &facts.state {
                FileState::Absent => Finding::not_applicable(
                    meta,
                    format!(
                        "{} does not exist on this host ({})",
                        facts.path, file.origin
                    ),
                ),
                FileState::Error(reason) => {
                    Finding::error(meta, format!("cannot examine {}: {reason}", facts.path))
                }
                FileState::Present(stat) if is_masked_unit(role, stat) => Finding::not_applicable(
                    meta,
                    format!("{} is masked (a link to /dev/null)", facts.path),
                ),
                FileState::Present(stat) if !kind_fits(role, stat.kind) => Finding::error(
                    meta,
                    format!(
                        "{} is not the kind of file expected here ({:?})",
                        facts.path, stat.kind
                    ),
                ),
                FileState::Present(stat) => judge(facts, stat),
            };
            finding.subject(Subject::file(facts.path.clone()))
        })
        .collect()
}

fn is_masked_unit(role: FileRole, stat: &FileStat) -> bool {
    matches!(
        role,
        FileRole::DockerServiceUnit | FileRole::DockerSocketUnit
    ) && stat.canonical.as_deref() == Some("/dev/null")
}

fn kind_fits(role: FileRole, kind: FileKind) -> bool {
    match role {
        FileRole::EtcDocker
        | FileRole::RegistryCertDir
        | FileRole::DataRoot
        | FileRole::RunContainerdDir => kind == FileKind::Directory,
        FileRole::DockerSock | FileRole::ContainerdSock => kind == FileKind::Socket,
        _ => kind != FileKind::Directory,
    }
}

fn no_file_reason(docker: &DockerView<'_>, role: FileRole) -> String {
    match role {
        FileRole::TlsCaCert | FileRole::TlsCert | FileRole::TlsKey => {
            "dockerd is not configured for TLS, so it uses no such file".to_owned()
        }
        FileRole::RegistryCert => match docker
            .file(FileRole::RegistryCertDir)
            .map(|f| &f.facts.state)
        {
            Some(FileState::Present(_)) => {
                "no certificate files under /etc/docker/certs.d".to_owned()
            }
            _ => "/etc/docker/certs.d does not exist: no registry certificates are installed"
                .to_owned(),
        },
        FileRole::DockerServiceUnit => {
            "no docker.service unit in the systemd search path".to_owned()
        }
        FileRole::DockerSocketUnit => "no docker.socket unit in the systemd search path".to_owned(),
        _ => "the file was not collected".to_owned(),
    }
}

fn owner_names(stat: &FileStat) -> String {
    let user = stat.user.clone().unwrap_or_else(|| stat.uid.to_string());
    let group = stat.group.clone().unwrap_or_else(|| stat.gid.to_string());
    format!("{user}:{group}")
}

/// `rw-r--r--` for 0644, with setuid, setgid and sticky shown as `ls` does.
pub fn symbolic(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    for (shift, special, special_char) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let exec = bits & 1 != 0;
        out.push(match (mode & special != 0, exec) {
            (true, true) => special_char,
            (true, false) => special_char.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// Names the permission bits in `bits`: `group write, other read`.
pub fn describe_bits(bits: u32) -> String {
    let names = [
        (0o4000, "setuid"),
        (0o2000, "setgid"),
        (0o1000, "sticky"),
        (0o400, "owner read"),
        (0o200, "owner write"),
        (0o100, "owner execute"),
        (0o040, "group read"),
        (0o020, "group write"),
        (0o010, "group execute"),
        (0o004, "other read"),
        (0o002, "other write"),
        (0o001, "other execute"),
    ];
    names
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_like_ls() {
        assert_eq!(symbolic(0o644), "rw-r--r--");
        assert_eq!(symbolic(0o4755), "rwsr-xr-x");
        assert_eq!(symbolic(0o1777), "rwxrwxrwt");
        assert_eq!(symbolic(0o2640), "rw-r-S---");
    }

    #[test]
    fn extra_bits_are_named() {
        assert_eq!(describe_bits(0o664 & !0o644), "group write");
        assert_eq!(describe_bits(0o606 & !0o644), "other write");
        assert_eq!(describe_bits(0o4000), "setuid");
    }
}
