//! Audit watches for the CIS 1.1.x controls: one rules file for all of them.

use stockade_core::Finding;
use stockade_core::fix::{Applicability, Change, Effort, Fix};

/// Where stockade keeps the watches it adds.
pub const RULES_FILE: &str = "/etc/audit/rules.d/stockade-docker.rules";

/// One fix for every missing watch: the lines of one rules file and one
/// command that loads it.
pub fn watches(findings: &[&Finding]) -> Fix {
    let paths: Vec<String> = findings
        .iter()
        .filter_map(|f| f.subject.as_ref().map(|s| s.name.clone()))
        .collect();
    let lines: Vec<String> = paths
        .iter()
        .map(|path| format!("-w {path} -p rwxa -k docker"))
        .collect();
    if findings
        .iter()
        .any(|f| f.message.contains("auditd is not installed"))
    {
        return Fix {
            title: format!(
                "Install auditd and watch Docker's files ({} paths)",
                paths.len()
            ),
            applicability: Applicability::DisplayOnly,
            changes: vec![Change::Instruction {
                text: format!(
                    "Install the audit daemon (apt-get install auditd, or dnf install audit), then put these lines in {RULES_FILE} and run `augenrules --load`:\n{}",
                    lines.join("\n")
                ),
            }],
            effort: Effort::Medium,
            risk: "auditd adds a little kernel overhead for each watched access.".to_owned(),
            needs_daemon_restart: false,
        };
    }
    let mut changes: Vec<Change> = lines
        .into_iter()
        .map(|line| Change::EnsureLine {
            path: RULES_FILE.to_owned(),
            line,
            mode: 0o640,
        })
        .collect();
    changes.push(Change::Command {
        argv: vec!["augenrules".to_owned(), "--load".to_owned()],
    });
    Fix {
        title: format!("Audit Docker's files and directories ({} watches in {RULES_FILE})", paths.len()),
        applicability: Applicability::Safe,
        changes,
        effort: Effort::Low,
        risk: "Each access to a watched path writes an audit record; busy paths (the data root) grow the audit log.".to_owned(),
        needs_daemon_restart: false,
    }
}
