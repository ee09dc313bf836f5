//! A check: metadata plus the logic that turns facts into findings.

use stockade_core::Finding;
use stockade_core::finding::Location;
use stockade_core::meta::{CheckMeta, Scope};
use stockade_core::snapshot::FileRole;
use stockade_core::status::Status;

use crate::context::HostContext;
use crate::docker_files::{self, Owner};
use crate::docker_host::audit_rules;
use crate::k8s_node::{self, FileRule, SettingRule};
use crate::scan::input::{ClusterFacts, DockerfileInput, ObjectInput, PodInput, ServiceInput};

/// One check.
#[derive(Debug)]
pub struct Check {
    pub meta: CheckMeta,
    pub runner: Runner,
}

/// How a check decides. Most checks have their own function; the families
/// of near-identical CIS controls (file ownership and modes, audit watches)
/// declare what to test and share one implementation.
#[derive(Debug)]
pub enum Runner {
    /// A check of the host snapshot with its own logic.
    Host(fn(&CheckMeta, &HostContext<'_>) -> Vec<Finding>),
    /// Every file playing `role` must be owned as `owner` says.
    FileOwner { role: FileRole, owner: Owner },
    /// Every file playing `role` must have no permission bit outside `allowed`.
    FileMode { role: FileRole, allowed: u32 },
    /// The file playing `role` must be watched by an audit rule.
    AuditWatch { role: FileRole },
    /// A Kubernetes component's setting must pass a test.
    K8sSetting(&'static SettingRule),
    /// Kubernetes node files must be owned by root or have restricted modes.
    K8sFile(&'static FileRule),
    /// A rule on a Dockerfile (`stockade scan`).
    Dockerfile(fn(&CheckMeta, &DockerfileInput<'_>) -> Vec<Finding>),
    /// A rule on one service of a Compose file.
    ComposeService(fn(&CheckMeta, &ServiceInput<'_>) -> Vec<Finding>),
    /// A rule on the pod spec of one Kubernetes workload.
    K8sPod(fn(&CheckMeta, &PodInput<'_>) -> Vec<Finding>),
    /// A rule on one Kubernetes object of any kind.
    K8sObject(fn(&CheckMeta, &ObjectInput<'_>) -> Vec<Finding>),
    /// A rule across every Kubernetes object of one scan.
    K8sSet(fn(&CheckMeta, &ClusterFacts) -> Vec<Finding>),
    /// Findings the scan itself reports: files it could not read, ignore
    /// comments without a reason or without effect.
    Scan,
}

/// What a check reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// A host snapshot (`stockade audit`).
    Host,
    /// Files handed to `stockade scan`.
    Files,
}

impl Check {
    /// What the check reads. A CIS control can have one check per input: the
    /// live check of a running container and the rule on a compose file
    /// share the control's number.
    pub fn input(&self) -> Input {
        match self.runner {
            Runner::Host(_)
            | Runner::FileOwner { .. }
            | Runner::FileMode { .. }
            | Runner::AuditWatch { .. }
            | Runner::K8sSetting(_)
            | Runner::K8sFile(_) => Input::Host,
            Runner::Dockerfile(_)
            | Runner::ComposeService(_)
            | Runner::K8sPod(_)
            | Runner::K8sObject(_)
            | Runner::K8sSet(_)
            | Runner::Scan => Input::Files,
        }
    }

    /// Runs the check on a host snapshot.
    pub fn run_host(&self, ctx: &HostContext<'_>) -> Vec<Finding> {
        let findings = self.judge_host(ctx);
        match ctx.unseen_daemon_process() {
            Some(reason) if self.meta.scope == Scope::Daemon => findings
                .into_iter()
                .map(|finding| unconfirmed_pass(finding, reason))
                .collect(),
            _ => findings,
        }
    }

    fn judge_host(&self, ctx: &HostContext<'_>) -> Vec<Finding> {
        match &self.runner {
            Runner::Host(run) => run(&self.meta, ctx),
            Runner::FileOwner { role, owner } => {
                docker_files::check_owner(&self.meta, ctx, *role, *owner)
            }
            Runner::FileMode { role, allowed } => {
                docker_files::check_mode(&self.meta, ctx, *role, *allowed)
            }
            Runner::AuditWatch { role } => audit_rules::check_watch(&self.meta, ctx, *role),
            Runner::K8sSetting(rule) => k8s_node::rule::run(&self.meta, ctx, rule),
            Runner::K8sFile(rule) => k8s_node::files::run(&self.meta, ctx, rule),
            Runner::Dockerfile(_)
            | Runner::ComposeService(_)
            | Runner::K8sPod(_)
            | Runner::K8sObject(_)
            | Runner::K8sSet(_)
            | Runner::Scan => Vec::new(),
        }
    }
}

/// A daemon setting that passes on a unit file's command line while another,
/// unseen, command line runs: `manual`, saying what to confirm. A pass the
/// Engine API itself reported stands.
fn unconfirmed_pass(finding: Finding, reason: &str) -> Finding {
    let from_api = finding
        .evidence
        .iter()
        .any(|e| matches!(e.location, Some(Location::Api { .. })));
    if finding.status != Status::Pass || from_api {
        return finding;
    }
    Finding {
        status: Status::Manual,
        message: format!(
            "{} according to the configured command line, not the running daemon's: {reason}; confirm with `ps -o args= -C dockerd` on the host",
            finding.message
        ),
        ..finding
    }
}
