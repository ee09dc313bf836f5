//! Audit watches for the CIS 1.1.x controls: one rules file for all of them.

use stockade_checks::Check;
use stockade_core::Finding;
use stockade_core::fix::{Applicability, Change, Effort, Fix};

/// Where stockade keeps the watches it adds.
pub const RULES_FILE: &str = "/etc/audit/rules.d/stockade-docker.rules";

pub fn watch(check: &Check, finding: &Finding) -> Option<Fix> {
    let path = finding.subject.as_ref()?.name.clone();
    if finding.message.contains("auditd is not installed") {
        return Some(Fix {
            title: "Install auditd and watch Docker's files".to_owned(),
            applicability: Applicability::DisplayOnly,
            changes: vec![Change::Instruction {
                text: format!(
                    "Install the audit daemon (apt-get install auditd, or dnf install audit), then add `-w {path} -p rwxa -k docker` to {RULES_FILE} and run `augenrules --load`."
                ),
            }],
            effort: Effort::Medium,
            risk: "auditd adds a little kernel overhead for each watched access.".to_owned(),
            needs_daemon_restart: false,
        });
    }
    Some(Fix {
        title: format!("Audit changes to {path}"),
        applicability: Applicability::Safe,
        changes: vec![
            Change::EnsureLine {
                path: RULES_FILE.to_owned(),
                line: format!("-w {path} -p rwxa -k docker"),
                mode: 0o640,
            },
            Change::Instruction {
                text: format!("Load the rules: `augenrules --load` ({})", check.meta.id),
            },
        ],
        effort: Effort::Low,
        risk: "Each access to the watched path writes an audit record; busy paths (the data root) grow the audit log.".to_owned(),
        needs_daemon_restart: false,
    })
}
