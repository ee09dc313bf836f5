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
//!
//! With `--baseline`, findings the baseline holds are marked `[baseline]`
//! at the end of their concise line, get no GitHub annotation (only new
//! findings are annotated), are skipped test cases in JUnit (their message
//! says why), and stay in the GitLab report, whose fingerprints GitLab
//! compares with the target branch itself.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::json;
use stockade_core::{Finding, Location, Severity, Status};

use crate::scan::{Entry, ScanReport, ScannedFile};

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
    for entry in report.entries().filter(|e| show(e.finding)) {
        let Entry { file, finding, .. } = entry;
        let (path, line, column) = position(file, finding);
        writeln!(
            out,
            "{path}:{line}:{column}: {} {} {}{}",
            label(finding),
            finding.check,
            one_line(file, finding),
            if entry.known { " [baseline]" } else { "" }
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
    let new = report.entries().filter(|e| !e.known && show(e.finding));
    for Entry { file, finding, .. } in new {
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
    let fingerprints = report.fingerprints();
    for (file, prints) in report.files.iter().zip(fingerprints) {
        if file.findings.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(file.path.as_str());
        suite.add_property(("kind", file.kind));
        for (finding, print) in file.findings.iter().zip(prints) {
            let (path, line, column) = position(file, finding);
            let known = report
                .baseline
                .as_ref()
                .is_some_and(|b| b.holds(finding, print));
            let mut status = match finding.status {
                _ if known => TestCaseStatus::skipped(),
                Status::Pass => TestCaseStatus::success(),
                Status::Fail | Status::Warn => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
                _ => TestCaseStatus::skipped(),
            };
            if finding.status != Status::Pass {
                status
                    .set_type(finding.status.as_str())
                    .set_message(format!(
                        "[{}] {}{}",
                        finding.severity,
                        one_line(file, finding),
                        if known {
                            " (in the baseline, not counted)"
                        } else {
                            ""
                        }
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

/// GitLab code-quality JSON: an array of issues, each with the finding's
/// [fingerprint](crate::fingerprint) (stable when lines move, unique per
/// issue).
pub fn render_gitlab(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<serde_json::Value> = report
        .entries()
        .map(
            |Entry {
                 file,
                 finding,
                 fingerprint,
                 ..
             }| {
                let (path, line, _) = position(file, finding);
                let path = path.strip_prefix("./").unwrap_or(&path).to_owned();
                json!({
                    "description": one_line(file, finding),
                    "check_name": finding.check,
                    "fingerprint": fingerprint,
                    "severity": gitlab_severity(finding),
                    "categories": ["Security"],
                    "location": { "path": path, "lines": { "begin": line } },
                })
            },
        )
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
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
