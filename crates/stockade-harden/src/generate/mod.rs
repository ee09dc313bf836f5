//! Fix generators, one module per family. A failing check without a
//! specific generator still gets a display-only fix: its remediation text.
//!
//! Host fixes read the audited host ([`HostContext`]); file fixes read the
//! scanned file a finding points into ([`Sources`]) and patch it where the
//! finding's evidence says.

mod audit_rules;
mod compose;
mod containers;
mod content_trust;
mod daemon;
mod dockerfile;
mod files;
mod k8s;
mod k8s_node;
mod recreate;

use stockade_checks::{Check, HostContext, Runner};
use stockade_core::fix::{Applicability, Change, Effort, Fix};
use stockade_core::{Finding, Location};

use crate::sources::Sources;

/// What the generators read.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// The audited host; absent when only files were scanned.
    pub host: Option<&'a HostContext<'a>>,
    /// The scanned files findings point into.
    pub sources: &'a Sources,
    /// Every check's findings: a container recreate fixes all of its
    /// container's recreate-only findings at once.
    pub results: &'a [(&'static Check, Vec<Finding>)],
}

/// The fix for one failing finding of `check`.
pub fn fix_for(check: &Check, finding: &Finding, inputs: Inputs<'_>) -> Fix {
    let host = inputs.host;
    let sources = inputs.sources;
    let specific = match &check.runner {
        Runner::FileMode { allowed, .. } => {
            host.and_then(|ctx| files::chmod(check, finding, ctx, *allowed))
        }
        Runner::FileOwner { owner, .. } => {
            host.and_then(|ctx| files::chown(check, finding, ctx, *owner))
        }
        Runner::AuditWatch { .. } => Some(audit_rules::watches(&[finding])),
        Runner::Host(_) if containers::handles(check.meta.id) => {
            host.and_then(|ctx| containers::update(check, finding, ctx))
        }
        Runner::Host(_) if recreate::handles(check.meta.id) => {
            host.and_then(|ctx| recreate::fix(check, finding, ctx, inputs.results))
        }
        Runner::Host(_) if content_trust::handles(check.meta.id) => {
            Some(content_trust::fix(finding))
        }
        Runner::Host(_) => host.and_then(|ctx| daemon::setting(check, ctx)),
        Runner::K8sSetting(rule) => {
            host.and_then(|ctx| k8s_node::fix(check, rule, finding, ctx, sources))
        }
        // File modes and owners of Kubernetes files: the remediation, for a person.
        Runner::K8sFile(_) => None,
        Runner::Dockerfile(_) => dockerfile::fix(check, finding, sources),
        Runner::ComposeService(_) => compose::fix(check, finding, sources),
        Runner::K8sPod(_) | Runner::K8sObject(_) => k8s::fix(check, finding, sources),
        Runner::K8sSet(_) | Runner::Scan => None,
    };
    specific.unwrap_or_else(|| instruction(check))
}

/// Whether this check's fix is a container recreate that folds into the
/// container's other recreate fixes (one recipe, one plan entry).
pub fn folds_into_recreate(check: &str) -> bool {
    recreate::folds(check)
}

/// The one fix for every failing audit watch.
pub fn audit_watches(findings: &[&Finding]) -> Fix {
    audit_rules::watches(findings)
}

/// Whether stockade has a generator that writes or runs something for this check.
pub fn has_generator(check: &Check) -> bool {
    let id = check.meta.id;
    match &check.runner {
        Runner::FileMode { .. } | Runner::FileOwner { .. } | Runner::AuditWatch { .. } => true,
        Runner::Host(_) => daemon::handles(id) || containers::handles(id) || recreate::handles(id),
        Runner::K8sSetting(rule) => {
            rule.settings.len() == 1
                && matches!(
                    rule.test,
                    stockade_checks::k8s_node::rule::Test::Bool(_)
                        | stockade_checks::k8s_node::rule::Test::Equals(_)
                )
        }
        Runner::K8sFile(_) => false,
        Runner::Dockerfile(_) => dockerfile::handles(id),
        Runner::ComposeService(_) => compose::handles(id),
        Runner::K8sPod(_) | Runner::K8sObject(_) => k8s::handles(id),
        Runner::K8sSet(_) | Runner::Scan => false,
    }
}

/// Whether each finding of the check gets its own fix (one file, one
/// container, one service or Kubernetes object) rather than one fix for all.
pub fn per_subject(check: &Check) -> bool {
    has_generator(check)
        && match &check.runner {
            Runner::Host(_) => {
                containers::handles(check.meta.id) || recreate::handles(check.meta.id)
            }
            _ => true,
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

/// The file and 1-based line and column a file finding points at.
fn file_position(finding: &Finding) -> Option<(&str, u32, u32)> {
    finding.evidence.iter().find_map(|e| match &e.location {
        Some(Location::File { path, line, column }) => {
            Some((path.as_str(), line.unwrap_or(1), column.unwrap_or(1)))
        }
        _ => None,
    })
}

/// A fix that only explains why stockade leaves the file alone.
fn refusal(title: String, text: String) -> Fix {
    Fix {
        title,
        applicability: Applicability::DisplayOnly,
        changes: vec![Change::Instruction { text }],
        effort: Effort::Medium,
        risk: "Nothing is changed automatically.".to_owned(),
        needs_daemon_restart: false,
    }
}

#[cfg(test)]
mod tests {
    use stockade_checks::Input;
    use stockade_core::meta::FixAvailability;

    use super::*;

    /// A rule's documentation promises a fix exactly when a generator
    /// writes one (file rules and live containers, whose generators live
    /// here; host settings are covered by their own modules).
    #[test]
    fn fix_metadata_matches_the_generators() {
        let mut wrong = Vec::new();
        for check in stockade_checks::all() {
            let ours = check.input() == Input::Files || containers::handles(check.meta.id);
            if !ours {
                continue;
            }
            let promised = check.meta.fix != FixAvailability::None;
            if promised != has_generator(check) {
                wrong.push(format!(
                    "{}: fix {:?}, generator {}",
                    check.meta.id,
                    check.meta.fix,
                    has_generator(check)
                ));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
