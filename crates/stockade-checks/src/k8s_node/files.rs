//! Declarative file checks (CIS Kubernetes 1.1 and 4.1): a file role, the
//! owner or the permission bits it allows. Modes are compared bitwise: "600
//! or more restrictive" means no bit outside 0600. Owners are named through
//! the node's own /etc/passwd and /etc/group.

use stockade_core::Finding;
use stockade_core::finding::{Evidence, Location, Subject};
use stockade_core::kubernetes::{K8sFile, K8sFileRole};
use stockade_core::meta::CheckMeta;
use stockade_core::snapshot::{FileKind, FileStat, FileState};

use super::rule::miss;
use crate::context::HostContext;
use crate::docker_files::{describe_bits, symbolic};

/// A file check.
#[derive(Debug)]
pub struct FileRule {
    pub role: K8sFileRole,
    pub test: FileTest,
    /// Which of the role's files the control covers.
    pub select: Select,
    /// CIS "Automated" controls fail; "Manual" ones warn.
    pub scored: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum FileTest {
    /// Owned by root:root.
    RootOwned,
    /// No permission bit outside these.
    Mode(u32),
}

#[derive(Clone, Copy, Debug)]
pub enum Select {
    All,
    /// Regular files whose name ends with this.
    Suffix(&'static str),
}

pub(crate) fn run(meta: &CheckMeta, ctx: &HostContext<'_>, rule: &FileRule) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    let files: Vec<&K8sFile> = view
        .files(rule.role)
        .filter(|f| match rule.select {
            Select::All => true,
            Select::Suffix(suffix) => f.facts.path.ends_with(suffix),
        })
        .collect();
    if files.is_empty() {
        return vec![Finding::not_applicable(meta, no_file_reason(rule))];
    }
    files
        .into_iter()
        .map(|file| judge(meta, rule, file))
        .collect()
}

fn no_file_reason(rule: &FileRule) -> String {
    match (rule.role, rule.select) {
        (K8sFileRole::CniFile, _) => {
            "no CNI configuration files (below the kubelet's CNI configuration directory, default /etc/cni/net.d, or /var/lib/cni/networks)".to_owned()
        }
        (K8sFileRole::PkiEntry, Select::Suffix(suffix)) => {
            format!("no {suffix} files below /etc/kubernetes/pki")
        }
        (K8sFileRole::PkiEntry, Select::All) => "/etc/kubernetes/pki does not exist".to_owned(),
        (K8sFileRole::KubeletUnit, _) => {
            "no kubelet.service unit or drop-in in the systemd search path".to_owned()
        }
        (K8sFileRole::EtcdDataDir, _) => "no etcd on this node".to_owned(),
        _ => "the file was not found".to_owned(),
    }
}

/// `user:group` names, numeric ids where the node lists no name.
pub fn owner_names(stat: &FileStat) -> String {
    let user = stat.user.clone().unwrap_or_else(|| stat.uid.to_string());
    let group = stat.group.clone().unwrap_or_else(|| stat.gid.to_string());
    format!("{user}:{group}")
}

fn judge(meta: &CheckMeta, rule: &FileRule, file: &K8sFile) -> Finding {
    let facts = &file.facts;
    let finding = match &facts.state {
        FileState::Absent => Finding::not_applicable(
            meta,
            format!(
                "{} does not exist on this node ({})",
                facts.path, file.origin
            ),
        ),
        FileState::Error(reason) => {
            Finding::error(meta, format!("cannot examine {}: {reason}", facts.path))
        }
        FileState::Present(stat)
            if stat.kind == FileKind::Directory && !expects_directory(rule.role) =>
        {
            Finding::error(
                meta,
                format!(
                    "{} is a directory, not the file expected ({})",
                    facts.path, file.origin
                ),
            )
        }
        FileState::Present(stat) => match rule.test {
            FileTest::RootOwned => owner(meta, rule, &facts.path, stat),
            FileTest::Mode(allowed) => mode(meta, rule, &facts.path, stat, allowed),
        },
    };
    finding.subject(Subject::file(facts.path.clone()))
}

fn expects_directory(role: K8sFileRole) -> bool {
    matches!(role, K8sFileRole::EtcdDataDir | K8sFileRole::PkiEntry)
}

fn owner(meta: &CheckMeta, rule: &FileRule, path: &str, stat: &FileStat) -> Finding {
    let names = owner_names(stat);
    let evidence = Evidence::observed(format!("owner {names} ({}:{})", stat.uid, stat.gid))
        .expected("root:root (0:0)")
        .at(Location::file(path));
    if stat.uid == 0 && stat.gid == 0 {
        Finding::pass(meta, format!("{path} is owned by {names}")).evidence(evidence)
    } else {
        miss(
            meta,
            rule.scored,
            format!("{path} is owned by {names}, not root:root"),
        )
        .evidence(evidence)
    }
}

pub fn mode_evidence(path: &str, stat: &FileStat, allowed: u32) -> Evidence {
    Evidence::observed(format!("mode {:04o} ({})", stat.mode, symbolic(stat.mode)))
        .expected(format!("{allowed:04o} or more restrictive"))
        .at(Location::file(path))
}

fn mode(meta: &CheckMeta, rule: &FileRule, path: &str, stat: &FileStat, allowed: u32) -> Finding {
    let extra = stat.mode & !allowed;
    let evidence = mode_evidence(path, stat, allowed);
    if extra == 0 {
        Finding::pass(meta, format!("{path} has mode {:04o}", stat.mode)).evidence(evidence)
    } else {
        miss(
            meta,
            rule.scored,
            format!(
                "{path} has mode {:04o}: {} beyond {allowed:04o}",
                stat.mode,
                describe_bits(extra)
            ),
        )
        .evidence(evidence)
    }
}
