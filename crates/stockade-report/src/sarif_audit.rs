//! SARIF 2.1.0 for `stockade audit`: one run per benchmark, a result for
//! each failing or warning finding that points into a file (daemon.json,
//! a unit file, an audit rules file). Findings read from the Engine API or
//! a process have no file to point at: they are counted in a notification
//! and left to the other formats, since code-scanning services refuse
//! results without a location.
//!
//! Paths are those of the audited host; they resolve against the
//! `HOSTROOT` base, the host root this run read (`file:///` on the live
//! host, the mounted directory with `--host-root`).

use std::io::{self, Write};

use serde_json::{Value, json};
use stockade_core::{Finding, Location};

use crate::fingerprint;
use crate::model::{AuditReport, CheckResult};
use crate::sarif::{SCHEMA, level, rule, uri};
use crate::scan::{RuleInfo, message_with_evidence};

/// The base the host's absolute paths are written against.
const HOST_ROOT: &str = "HOSTROOT";

/// Writes the SARIF log of `reports`.
pub fn render(reports: &[AuditReport<'_>], out: &mut dyn Write) -> io::Result<()> {
    let runs: Vec<Value> = reports.iter().map(run).collect();
    let log = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": runs });
    serde_json::to_writer(&mut *out, &log)?;
    writeln!(out)
}

fn run(report: &AuditReport<'_>) -> Value {
    let labels: Vec<Option<String>> = report
        .results
        .iter()
        .map(|r| cis_label(report, r))
        .collect();
    let rules: Vec<Value> = report
        .results
        .iter()
        .zip(&labels)
        .map(|(result, label)| {
            rule(&RuleInfo {
                meta: result.meta,
                cis: label.as_deref(),
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut without_file = 0;
    for (index, check) in report.results.iter().enumerate() {
        // The fingerprints `--baseline` and the JSON use.
        let prints = fingerprint::audit_fingerprints(check);
        for (finding, print) in check.findings.iter().zip(prints) {
            if !finding.status.is_problem() {
                continue;
            }
            match file_location(finding) {
                Some(location) => results.push(result(index, finding, location, &print)),
                None => without_file += 1,
            }
        }
    }
    // As the exit code: a check that could not judge (error) fails the run.
    let unjudged = report
        .results
        .iter()
        .filter(|r| r.status() == stockade_core::Status::Error)
        .count();
    let mut invocation = json!({ "executionSuccessful": unjudged == 0 });
    if without_file > 0 {
        invocation["toolExecutionNotifications"] = json!([{
            "level": "note",
            "message": { "text": format!(
                "{without_file} failing or warning findings point at no file (Engine API, processes, mounts) and are not in this log: `stockade audit --format json` has every finding"
            ) },
        }]);
    }
    json!({
        "tool": { "driver": {
            "name": "stockade",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/stockade-dev/stockade",
            "rules": rules,
        } },
        "invocations": [invocation],
        "originalUriBaseIds": { HOST_ROOT: {
            "uri": root_uri(&report.target.root),
            "description": { "text": "the root of the audited host's filesystem, as this run read it" },
        } },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "benchmark": report.benchmark.slug(),
            "cisVersion": report.cis_version,
            "host": report.target.hostname,
        },
    })
}

/// The file, line and column a finding's evidence points at.
struct FileLocation<'f> {
    path: &'f str,
    line: Option<u32>,
    column: Option<u32>,
}

fn file_location(finding: &Finding) -> Option<FileLocation<'_>> {
    finding.evidence.iter().find_map(|e| match &e.location {
        Some(Location::File { path, line, column }) => Some(FileLocation {
            path,
            line: *line,
            column: *column,
        }),
        _ => None,
    })
}

fn result(
    rule_index: usize,
    finding: &Finding,
    location: FileLocation<'_>,
    fingerprint: &str,
) -> Value {
    let relative = location.path.trim_start_matches('/');
    let mut physical = json!({
        "artifactLocation": { "uri": uri(relative), "uriBaseId": HOST_ROOT },
    });
    if let Some(line) = location.line {
        physical["region"] = json!({ "startLine": line });
        if let Some(column) = location.column {
            physical["region"]["startColumn"] = json!(column.max(1));
        }
    }
    let subject = finding.subject.as_ref().map(ToString::to_string);
    let mut result = json!({
        "ruleId": finding.check,
        "ruleIndex": rule_index,
        "level": level(finding.status, finding.severity),
        "message": { "text": message_with_evidence(finding) },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": { "stockade/v1": fingerprint },
        "properties": {
            "status": finding.status.as_str(),
            "severity": finding.severity.as_str(),
        },
    });
    if let Some(subject) = subject {
        result["properties"]["subject"] = json!(subject);
    }
    result
}

/// `CIS Docker 1.6.0: 2.2`, as the scan's rules are tagged.
fn cis_label(report: &AuditReport<'_>, result: &CheckResult<'_>) -> Option<String> {
    let number = result.cis_number?;
    let name = match report.benchmark {
        stockade_core::cis::Benchmark::Docker => "CIS Docker",
        stockade_core::cis::Benchmark::Kubernetes => "CIS Kubernetes",
    };
    Some(format!("{name} {}: {number}", report.cis_version))
}

/// The host root as a `file:` URI ending in `/`.
fn root_uri(root: &str) -> String {
    let mut root = uri(if root.is_empty() { "/" } else { root });
    if !root.ends_with('/') {
        root.push('/');
    }
    root
}
