//! Audit rules: what the kernel has loaded (`auditctl -l`) and what the
//! rules files configure.

use std::process::Command;
use std::time::Duration;

use stockade_core::snapshot::{AuditFacts, AuditRuleFile, AuditRuleLine, LoadedAuditRules, Probe};

use crate::fs::{HostFs, join};
use crate::process::run_with_timeout;

const AUDITCTL_PATHS: &[&str] = &[
    "/sbin/auditctl",
    "/usr/sbin/auditctl",
    "/usr/bin/auditctl",
    "/bin/auditctl",
];
const AUDITD_PATHS: &[&str] = &["/sbin/auditd", "/usr/sbin/auditd", "/usr/bin/auditd"];

pub fn collect(host: &HostFs, timeout: Duration) -> AuditFacts {
    let auditctl = AUDITCTL_PATHS.iter().copied().find(|p| host.exists(p));
    let loaded = if !host.is_live_root() {
        LoadedAuditRules::NotQueried {
            reason: "the audited host is a mounted filesystem (--host-root); its kernel's rules are not visible".to_owned(),
        }
    } else {
        match auditctl {
            None => LoadedAuditRules::NotInstalled,
            Some(path) => list_loaded(path, timeout),
        }
    };
    let auditd_installed = auditctl.is_some()
        || AUDITD_PATHS.iter().any(|p| host.exists(p))
        || host.is_dir("/etc/audit");
    AuditFacts {
        loaded,
        rule_files: rule_files(host),
        auditd_installed,
    }
}

fn list_loaded(auditctl: &str, timeout: Duration) -> LoadedAuditRules {
    let mut command = Command::new(auditctl);
    command.arg("-l");
    match run_with_timeout(command, timeout) {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            let rules = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && *l != "No rules")
                .map(str::to_owned)
                .collect();
            LoadedAuditRules::Listed { rules }
        }
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = stderr
                .lines()
                .next()
                .unwrap_or("no output")
                .trim()
                .to_owned();
            LoadedAuditRules::Failed {
                reason: format!("`{auditctl} -l` exited with {}: {reason}", output.status),
            }
        }
        Err(e) => LoadedAuditRules::Failed {
            reason: format!("`{auditctl} -l`: {e}"),
        },
    }
}

/// /etc/audit/audit.rules and /etc/audit/rules.d/*.rules, in load order.
fn rule_files(host: &HostFs) -> Vec<AuditRuleFile> {
    let mut paths = vec!["/etc/audit/audit.rules".to_owned()];
    if let Ok(Some(names)) = host.list_dir("/etc/audit/rules.d") {
        paths.extend(
            names
                .iter()
                .filter(|n| n.ends_with(".rules"))
                .map(|n| join("/etc/audit/rules.d", n)),
        );
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let rules = match host.read_text(&path) {
                Ok(Some(text)) => Probe::Ok(rule_lines(&text)),
                Ok(None) => return None,
                Err(e) => Probe::Error(e.to_string()),
            };
            Some(AuditRuleFile { path, rules })
        })
        .collect()
}

fn rule_lines(text: &str) -> Vec<AuditRuleLine> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#')
        })
        .map(|(i, l)| AuditRuleLine {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            text: l.trim().to_owned(),
        })
        .collect()
}
