//! SARIF 2.1.0 for `stockade scan`: one run, every rule that ran with its
//! documentation, one result per finding with the region it points at.
//! Suppressed findings are included with an `inSource` suppression, as
//! code-scanning services expect.

use std::io::{self, Write};

use serde_json::{Value, json};
use stockade_core::{Finding, Location, Severity, Status};

use crate::scan::{RuleInfo, ScanReport, ScannedFile};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

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
    let invocations = json!([{ "executionSuccessful": errors == 0 }]);
    write!(
        out,
        "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[{{\"tool\":",
        Value::from(SCHEMA)
    )?;
    serde_json::to_writer(&mut *out, &tool)?;
    write!(out, ",\"invocations\":")?;
    serde_json::to_writer(&mut *out, &invocations)?;
    write!(out, ",\"columnKind\":\"unicodeCodePoints\",\"results\":[")?;
    let mut first = true;
    for file in &report.files {
        let all = file
            .findings
            .iter()
            .map(|f| (f, false))
            .chain(file.suppressed.iter().map(|f| (f, true)));
        for (finding, suppressed) in all {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            serde_json::to_writer(&mut *out, &result(report, file, finding, suppressed))?;
        }
    }
    writeln!(out, "]}}]}}")
}

/// The SARIF level of a finding.
fn level(status: Status, severity: Severity) -> &'static str {
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

fn rule(info: &RuleInfo<'_>) -> Value {
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

fn result(
    report: &ScanReport<'_>,
    file: &ScannedFile,
    finding: &Finding,
    suppressed: bool,
) -> Value {
    let rule_index = report.rules.iter().position(|r| r.meta.id == finding.check);
    let mut message = finding.message.clone();
    if let Some(evidence) = finding.evidence.first() {
        message.push_str(&format!(" (saw {}", evidence.observed));
        if let Some(expected) = &evidence.expected {
            message.push_str(&format!("; expected {expected}"));
        }
        message.push(')');
    }
    let (path, region) = match finding.evidence.iter().find_map(|e| match &e.location {
        Some(Location::File { path, line, column }) => Some((path.clone(), *line, *column)),
        _ => None,
    }) {
        Some((path, Some(line), column)) => {
            let mut region = json!({ "startLine": line });
            if let Some(column) = column {
                region["startColumn"] = json!(column.max(1));
            }
            (path, Some(region))
        }
        Some((path, None, _)) => (path, None),
        None => (file.path.clone(), None),
    };
    let mut physical = json!({ "artifactLocation": { "uri": uri(&path) } });
    if let Some(region) = region {
        physical["region"] = region;
    }
    let mut result = json!({
        "ruleId": finding.check,
        "level": level(finding.status, finding.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": {
            "stockade/v1": fingerprint(&[&finding.check, &path, &finding.message]),
        },
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
    }
    result
}

/// A relative path as a URI reference (`%`-escaping what URIs reserve).
fn uri(path: &str) -> String {
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

/// A stable 64-bit FNV-1a hash, hex encoded.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_names() {
        assert_eq!(uri("./k8s/my app.yaml"), "k8s/my%20app.yaml");
        assert_eq!(uri("/abs/x#y"), "file:///abs/x%23y");
        assert_eq!(pascal_case("k8s-host-pid"), "K8sHostPid");
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
    }
}
