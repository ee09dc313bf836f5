//! The scan's CI formats: one line per finding (`concise`), GitHub Actions
//! workflow commands (`github`), JUnit XML (`junit`) and GitLab code quality
//! (`gitlab`).
//!
//! Every finding is placed at the first file position of its evidence, else
//! at line 1, column 1 of the file it was found in.
//!
//! GitHub levels: `::error` for an `error` finding (could not assess) and
//! for a `fail` of medium severity or more; `::warning` for a `warn` and for
//! a `fail` of low or info severity; `::notice` for everything else (`info`).
//!
//! GitLab severities: critical → `critical`, high → `major`, medium →
//! `minor`, low and info → `info`; an `error` finding is `blocker`.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::json;
use stockade_core::{Finding, Location, Severity, Status};

use crate::scan::{ScanReport, ScannedFile};

/// Where a finding is: path, line, column (1-based).
pub fn position(file: &ScannedFile, finding: &Finding) -> (String, u32, u32) {
    finding
        .evidence
        .iter()
        .find_map(|e| match &e.location {
            Some(Location::File { path, line, column }) => Some((
                path.clone(),
                line.unwrap_or(1).max(1),
                column.unwrap_or(1).max(1),
            )),
            _ => None,
        })
        .unwrap_or_else(|| (file.path.clone(), 1, 1))
}

/// The finding's message with its subject and first evidence, on one line.
fn one_line(file: &ScannedFile, finding: &Finding) -> String {
    let mut message = String::new();
    // The file itself is not repeated.
    if let Some(subject) = finding.subject.as_ref().filter(|s| s.name != file.path) {
        message.push_str(&format!("{subject}: "));
    }
    message.push_str(&crate::scan::message_with_evidence(finding));
    message.replace(['\n', '\r'], " ")
}

/// `path:line:col: severity id message`, one line per finding `show` keeps.
pub fn render_concise(
    report: &ScanReport<'_>,
    out: &mut dyn Write,
    show: &dyn Fn(&Finding) -> bool,
) -> io::Result<()> {
    for (file, finding) in report.findings().filter(|(_, f)| show(f)) {
        let (path, line, column) = position(file, finding);
        writeln!(
            out,
            "{path}:{line}:{column}: {} {} {}",
            label(finding),
            finding.check,
            one_line(file, finding)
        )?;
    }
    Ok(())
}

/// The severity, or the status when it says more (`error`, `info`).
fn label(finding: &Finding) -> &'static str {
    match finding.status {
        Status::Error => "error",
        Status::Fail | Status::Warn => finding.severity.as_str(),
        other => other.as_str(),
    }
}

/// The workflow command a finding becomes.
pub fn github_level(finding: &Finding) -> &'static str {
    match finding.status {
        Status::Error => "error",
        Status::Fail if finding.severity >= Severity::Medium => "error",
        Status::Fail | Status::Warn => "warning",
        _ => "notice",
    }
}

/// A workflow command's message: `%`, CR and LF escaped.
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,` escaped.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub Actions annotation per finding `show` keeps.
pub fn render_github(
    report: &ScanReport<'_>,
    out: &mut dyn Write,
    show: &dyn Fn(&Finding) -> bool,
) -> io::Result<()> {
    for (file, finding) in report.findings().filter(|(_, f)| show(f)) {
        let (path, line, column) = position(file, finding);
        let path = path.strip_prefix("./").unwrap_or(&path);
        let title = format!("{} ({})", finding.check, label(finding));
        writeln!(
            out,
            "::{} file={},line={line},col={column},title={}::{}",
            github_level(finding),
            github_property(path),
            github_property(&title),
            github_data(&one_line(file, finding))
        )?;
    }
    Ok(())
}

/// JUnit XML: a testsuite per file with findings, a testcase per finding
/// (named `id line:col`): fail and warn are failures (typed by status),
/// errors are errors, info findings are skipped. CI test tabs list the
/// failures under their file.
pub fn render_junit(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = Report::new("stockade scan");
    for file in &report.files {
        if file.findings.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(file.path.as_str());
        suite.add_property(("kind", file.kind));
        for finding in &file.findings {
            let (path, line, column) = position(file, finding);
            let mut status = match finding.status {
                Status::Pass => TestCaseStatus::success(),
                Status::Fail | Status::Warn => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
                _ => TestCaseStatus::skipped(),
            };
            if finding.status != Status::Pass {
                status
                    .set_type(finding.status.as_str())
                    .set_message(format!(
                        "[{}] {}",
                        finding.severity,
                        one_line(file, finding)
                    ))
                    .set_description(format!(
                        "{path}:{line}:{column}: {} {} {}",
                        label(finding),
                        finding.check,
                        one_line(file, finding)
                    ));
            }
            let mut case = TestCase::new(format!("{} {line}:{column}", finding.check), status);
            case.set_classname(path.as_str());
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .serialize(&mut *out)
        .map_err(|e| io::Error::other(e.to_string()))?;
    writeln!(out)
}

/// The GitLab code-quality severity of a finding.
pub fn gitlab_severity(finding: &Finding) -> &'static str {
    if finding.status == Status::Error {
        return "blocker";
    }
    match finding.severity {
        Severity::Critical => "critical",
        Severity::High => "major",
        Severity::Medium => "minor",
        Severity::Low | Severity::Info => "info",
    }
}

/// GitLab code-quality JSON: an array of issues. The fingerprint is the
/// check, path, subject and message (not the line), so it survives lines
/// moving; the same finding twice in a file gets a counter.
pub fn render_gitlab(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let issues: Vec<serde_json::Value> = report
        .findings()
        .map(|(file, finding)| {
            let (path, line, _) = position(file, finding);
            let path = path.strip_prefix("./").unwrap_or(&path).to_owned();
            let subject = finding
                .subject
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let base = fingerprint(&[&finding.check, &path, &subject, &finding.message]);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let fingerprint = if *n == 1 {
                base
            } else {
                fingerprint(&[&base, &n.to_string()])
            };
            json!({
                "description": one_line(file, finding),
                "check_name": finding.check,
                "fingerprint": fingerprint,
                "severity": gitlab_severity(finding),
                "categories": ["Security"],
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

/// A stable 128-bit hex digest (two FNV-1a passes), as GitLab wants a
/// unique fingerprint per issue.
fn fingerprint(parts: &[&str]) -> String {
    let hash = |seed: u64| {
        let mut hash: u64 = seed;
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    };
    format!(
        "{:016x}{:016x}",
        hash(0xcbf2_9ce4_8422_2325),
        hash(0x6c62_272e_07bb_0142)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes() {
        assert_eq!(github_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(github_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
