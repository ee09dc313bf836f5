//! SARIF 2.1.0 for `stockade scan`: one run, every rule that ran with its
//! documentation, one result per finding with the region it points at.
//! Suppressed findings are included with an `inSource` suppression, as
//! code-scanning services expect. Every result carries its
//! [fingerprint](crate::fingerprint) under `partialFingerprints["stockade/v1"]`;
//! with `--baseline`, unsuppressed results carry `baselineState` (`new` or
//! `unchanged`).

use std::io::{self, Write};

use serde_json::{Value, json};
use stockade_core::{Finding, Location, Severity, Status};

use crate::fingerprint;
use crate::scan::{RuleInfo, ScanReport, ScannedFile};

pub(crate) const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where each rule's documentation is published (docs/rules/ID.md).
const RULE_DOCS: &str = "https://github.com/stockade-dev/stockade/blob/main/docs/rules";
/// The base relative result paths are resolved against.
const SOURCE_ROOT: &str = "%SRCROOT%";
/// GitHub code scanning rejects a run with more results than this.
pub const CODE_SCANNING_RESULT_LIMIT: usize = 25_000;

/// How many results the SARIF log of `report` holds (findings and
/// suppressed findings).
pub fn result_count(report: &ScanReport<'_>) -> usize {
    report
        .files
        .iter()
        .map(|f| f.findings.len() + f.suppressed.len())
        .sum()
}

/// Writes the report as a SARIF 2.1.0 log. Results are written one at a
/// time, so memory stays flat however many findings there are.
pub fn render(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = report.rules.iter().map(rule).collect();
    let errors = report.summary().error;
    let tool = json!({
        "driver": {
            "name": "stockade",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/stockade-dev/stockade",
            "rules": rules,
        }
    });
    let mut invocation = json!({ "executionSuccessful": errors == 0 });
    let count = result_count(report);
    if count > CODE_SCANNING_RESULT_LIMIT {
        invocation["toolExecutionNotifications"] = json!([{
            "level": "warning",
            "message": { "text": format!(
                "{count} results in one run: GitHub code scanning accepts at most {CODE_SCANNING_RESULT_LIMIT}; split the upload (fewer paths per scan)"
            ) },
        }]);
    }
    let root = SourceRoot::current();
    write!(
        out,
        "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[{{\"tool\":",
        Value::from(SCHEMA)
    )?;
    serde_json::to_writer(&mut *out, &tool)?;
    write!(out, ",\"invocations\":")?;
    serde_json::to_writer(&mut *out, &json!([invocation]))?;
    if let Some(root) = &root {
        write!(out, ",\"originalUriBaseIds\":")?;
        serde_json::to_writer(
            &mut *out,
            &json!({ SOURCE_ROOT: { "uri": root.uri, "description": { "text": "the directory stockade scan ran in" } } }),
        )?;
    }
    write!(out, ",\"columnKind\":\"unicodeCodePoints\",\"results\":[")?;
    let mut first = true;
    for (file, prints) in report.files.iter().zip(report.fingerprints()) {
        // Findings point into their own file: its location is worked out once.
        let file_location = artifact_location(&file.path, root.as_ref());
        let all = file
            .findings
            .iter()
            .zip(prints.iter().cloned())
            .map(|(f, print)| (f, print, false))
            .chain(
                file.suppressed
                    .iter()
                    .zip(fingerprint::suppressed_fingerprints(file))
                    .map(|(f, print)| (f, print, true)),
            );
        for (finding, print, suppressed) in all {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            serde_json::to_writer(
                &mut *out,
                &result(
                    report,
                    file,
                    Judged {
                        finding,
                        fingerprint: &print,
                        suppressed,
                    },
                    &Artifacts {
                        root: root.as_ref(),
                        file: &file_location,
                    },
                ),
            )?;
        }
    }
    writeln!(out, "]}}]}}")
}

/// The SARIF level of a finding.
pub(crate) fn level(status: Status, severity: Severity) -> &'static str {
    match (status, severity) {
        (Status::Error, _) => "error",
        (Status::Info, _) | (_, Severity::Info) => "note",
        (Status::Fail, Severity::Critical | Severity::High) => "error",
        (Status::Fail | Status::Warn, Severity::Medium | Severity::Critical | Severity::High) => {
            "warning"
        }
        _ => "note",
    }
}

/// The score code-scanning services sort by (0-10).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

pub(crate) fn rule(info: &RuleInfo<'_>) -> Value {
    let meta = info.meta;
    let mut tags = vec!["security".to_owned(), meta.family.to_owned()];
    tags.extend(meta.stride.iter().map(|s| format!("STRIDE:{}", s.letter())));
    if let Some(cis) = info.cis {
        tags.push(cis.to_owned());
    }
    let help = format!(
        "{}\n\nWhy: {}\n\nChecked: {}",
        meta.remediation, meta.rationale, meta.audit
    );
    json!({
        "id": meta.id,
        "name": pascal_case(meta.id),
        "helpUri": format!("{RULE_DOCS}/{}.md", meta.id),
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.rationale },
        "help": { "text": help, "markdown": format!("**Fix:** {}\n\n**Why:** {}\n\n**Checked:** {}", meta.remediation, meta.rationale, meta.audit) },
        "defaultConfiguration": { "level": level(Status::Fail, meta.severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": match meta.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "recommendation",
            },
            "security-severity": security_severity(meta.severity),
        }
    })
}

/// A finding as a result: its fingerprint, and whether an ignore silenced it.
struct Judged<'f> {
    finding: &'f Finding,
    fingerprint: &'f str,
    suppressed: bool,
}

fn result(
    report: &ScanReport<'_>,
    file: &ScannedFile,
    judged: Judged<'_>,
    artifacts: &Artifacts<'_>,
) -> Value {
    let Judged {
        finding,
        fingerprint,
        suppressed,
    } = judged;
    let rule_index = report.rules.iter().position(|r| r.meta.id == finding.check);
    let message = crate::scan::message_with_evidence(finding);
    let (path, region) = match finding.evidence.iter().find_map(|e| match &e.location {
        Some(Location::File { path, line, column }) => Some((path.clone(), *line, *column)),
        _ => None,
    }) {
        Some((path, Some(line), column)) => {
            let mut region = json!({ "startLine": line });
            if let Some(column) = column {
                let start = column.max(1);
                region["startColumn"] = json!(start);
                if let Some(end) = end_column(file, line, start) {
                    region["endColumn"] = json!(end);
                }
            }
            (path, Some(region))
        }
        Some((path, None, _)) => (path, None),
        None => (file.path.clone(), None),
    };
    let location = if path == file.path {
        artifacts.file.clone()
    } else {
        artifact_location(&path, artifacts.root)
    };
    let mut physical = json!({ "artifactLocation": location });
    if let Some(region) = region {
        physical["region"] = region;
    }
    let mut result = json!({
        "ruleId": finding.check,
        "level": level(finding.status, finding.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": { fingerprint::SARIF_KEY: fingerprint },
        "properties": {
            "status": finding.status.as_str(),
            "severity": finding.severity.as_str(),
        },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(subject) = &finding.subject {
        result["properties"]["subject"] = json!(subject.to_string());
    }
    if suppressed {
        result["suppressions"] = json!([{ "kind": "inSource" }]);
    } else if let Some(baseline) = &report.baseline {
        result["baselineState"] = json!(baseline.state(finding, fingerprint).as_str());
    }
    result
}

/// The column after the last character the text output underlines: from
/// the finding's column to the end of its line, trailing blanks excluded.
fn end_column(file: &ScannedFile, line: u32, start: u32) -> Option<u32> {
    let source = file.source.as_deref()?;
    let text = source.lines().nth(line.checked_sub(1)? as usize)?;
    let length = u32::try_from(text.trim_end().chars().count()).ok()?;
    (length >= start).then_some(length + 1)
}

/// The directory the scan ran in, which relative result paths are against.
struct SourceRoot {
    dir: std::path::PathBuf,
    /// As a `file:` URI ending in `/`.
    uri: String,
}

impl SourceRoot {
    fn current() -> Option<SourceRoot> {
        let dir = std::env::current_dir().ok()?;
        let mut uri = uri(dir.to_str()?);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        Some(SourceRoot { dir, uri })
    }
}

/// What a result's location is written against.
struct Artifacts<'a> {
    root: Option<&'a SourceRoot>,
    /// The `artifactLocation` of the scanned file the result belongs to.
    file: &'a Value,
}

/// A relative path against `%SRCROOT%` (the directory the scan ran in); an
/// absolute one as a `file:` URI, relative too when it lies below that
/// directory.
fn artifact_location(path: &str, root: Option<&SourceRoot>) -> Value {
    let relative = if path.starts_with('/') {
        root.and_then(|root| {
            std::path::Path::new(path)
                .strip_prefix(&root.dir)
                .ok()
                .and_then(|rest| rest.to_str().map(str::to_owned))
        })
    } else {
        Some(path.strip_prefix("./").unwrap_or(path).to_owned())
    };
    match relative {
        Some(relative) if root.is_some() && !relative.starts_with("../") => {
            json!({ "uri": uri(&relative), "uriBaseId": SOURCE_ROOT })
        }
        // Outside the directory the scan ran in: an absolute file URI.
        Some(relative) if relative.starts_with("../") => {
            let absolute = std::fs::canonicalize(&relative)
                .ok()
                .and_then(|p| p.to_str().map(str::to_owned));
            json!({ "uri": uri(absolute.as_deref().unwrap_or(path)) })
        }
        _ => json!({ "uri": uri(path) }),
    }
}

/// A relative path as a URI reference (`%`-escaping what URIs reserve).
pub(crate) fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'+'
            | b'@'
            | b'='
            | b',' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `k8s-privileged-container` → `K8sPrivilegedContainer`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_names() {
        assert_eq!(uri("./k8s/my app.yaml"), "k8s/my%20app.yaml");
        assert_eq!(uri("/abs/x#y"), "file:///abs/x%23y");
        assert_eq!(pascal_case("k8s-host-pid"), "K8sHostPid");
    }
}
