//! Fix generators, one per check family. A failing check without a
//! specific generator still gets a display-only fix: its remediation text.

mod audit_rules;
mod daemon;
mod files;

use stockade_checks::{Check, HostContext, Runner};
use stockade_core::Finding;
use stockade_core::fix::{Applicability, Change, Effort, Fix};

/// The fix for one failing finding of `check`.
pub fn fix_for(check: &Check, finding: &Finding, ctx: &HostContext<'_>) -> Fix {
    let specific = match &check.runner {
        Runner::FileMode { allowed, .. } => files::chmod(check, finding, ctx, *allowed),
        Runner::FileOwner { owner, .. } => files::chown(check, finding, ctx, *owner),
        Runner::AuditWatch { .. } => audit_rules::watch(check, finding),
        Runner::Host(_) => daemon::setting(check, ctx),
        // Kubernetes node fixes are the checks' remediation, shown to a person.
        Runner::K8sSetting(_) | Runner::K8sFile(_) => None,
        // File rules are fixed by patches of the scanned file.
        Runner::Dockerfile(_)
        | Runner::ComposeService(_)
        | Runner::K8sPod(_)
        | Runner::K8sObject(_)
        | Runner::K8sSet(_)
        | Runner::Scan => None,
    };
    specific.unwrap_or_else(|| instruction(check))
}

/// Whether stockade has a generator that writes something for this check.
pub fn has_generator(check: &Check) -> bool {
    match &check.runner {
        Runner::FileMode { .. } | Runner::FileOwner { .. } | Runner::AuditWatch { .. } => true,
        Runner::Host(_) => daemon::handles(check.meta.id),
        Runner::K8sSetting(_) | Runner::K8sFile(_) => false,
        Runner::Dockerfile(_)
        | Runner::ComposeService(_)
        | Runner::K8sPod(_)
        | Runner::K8sObject(_)
        | Runner::K8sSet(_)
        | Runner::Scan => false,
    }
}

/// The check's remediation, for a human to carry out.
pub fn instruction(check: &Check) -> Fix {
    Fix {
        title: check.meta.title.to_owned(),
        applicability: Applicability::DisplayOnly,
        changes: vec![Change::Instruction {
            text: check.meta.remediation.to_owned(),
        }],
        effort: Effort::Medium,
        risk: "Depends on the change; review it before rolling it out.".to_owned(),
        needs_daemon_restart: false,
    }
}
