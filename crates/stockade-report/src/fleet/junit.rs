//! JUnit XML, for the test tabs of CI systems: one testsuite per host, one
//! testcase per check. `fail` and `warn` are failures (of type `fail` or
//! `warn`), `error` is an error, `manual`, `info` and `not-applicable` are
//! skipped with the reason, `pass` passes. A file that could not be read
//! is a testsuite of its own with one errored testcase, so CI shows it.
//! The threats a host's results leave open are the suite's properties.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use stockade_core::Status;

use super::{Fleet, FleetHost, RenderOptions, check_label, findings_within, single};
use crate::model::CheckResult;

/// Writes the JUnit document.
pub fn render(fleet: &Fleet<'_>, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut report = Report::new(fleet.title.as_str());
    for host in &fleet.hosts {
        let mut suite = host_suite(host, options);
        threat_properties(fleet, host, &mut suite);
        report.add_test_suite(suite);
    }
    for problem in &fleet.problems {
        let mut suite = TestSuite::new(problem.file.as_str());
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_type("unreadable")
            .set_message(problem.message.as_str());
        let mut case = TestCase::new("read results", status);
        case.set_classname(problem.file.as_str());
        suite.add_test_case(case);
        report.add_test_suite(suite);
    }
    report
        .serialize(&mut *out)
        .map_err(|e| io::Error::other(e.to_string()))?;
    writeln!(out)
}

/// The threats the host's results leave open, as properties (a testcase
/// is a check): `threats-open` = `28 of 66`, then one `threat-open` per
/// open threat, highest risk first.
fn threat_properties(fleet: &Fleet<'_>, host: &FleetHost<'_>, suite: &mut TestSuite) {
    if host.threats.is_empty() {
        return;
    }
    let open = single::open_threats(fleet, host);
    suite.add_property((
        "threats-open",
        format!("{} of {}", open.len(), host.threats.len()).as_str(),
    ));
    for (info, threat) in open {
        suite.add_property((
            "threat-open",
            format!("{} (risk {}): {}", info.id, threat.risk, info.title).as_str(),
        ));
    }
}

fn host_suite(host: &FleetHost<'_>, options: &RenderOptions) -> TestSuite {
    let mut suite = TestSuite::new(host.name.as_str());
    suite.add_property(("source", host.source.as_str()));
    suite.add_property(("input", host.input.as_str()));
    for report in &host.reports {
        suite.add_property((
            report.benchmark.slug(),
            format!("{} v{}", report.benchmark, report.cis_version).as_str(),
        ));
    }
    for (report, result) in host.results() {
        let mut case = TestCase::new(
            format!(
                "{}: {}",
                check_label(result.meta, result.cis_number),
                result.meta.title
            ),
            case_status(result, options.findings_limit),
        );
        case.set_classname(format!("{}.{}", host.name, report.benchmark.slug()));
        suite.add_test_case(case);
    }
    suite
}

fn case_status(result: &CheckResult<'_>, limit: usize) -> TestCaseStatus {
    let status = result.status();
    let (shown, hidden) = findings_within(result, limit);
    let message = shown.first().map(|f| f.message.clone()).unwrap_or_default();
    let mut case = match status {
        Status::Pass => return TestCaseStatus::success(),
        Status::Fail | Status::Warn => TestCaseStatus::non_success(NonSuccessKind::Failure),
        Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
        Status::Manual | Status::Info | Status::NotApplicable => TestCaseStatus::skipped(),
    };
    case.set_type(status.as_str());
    case.set_message(format!("[{}] {message}", result.meta.severity));
    let mut text = description(&shown);
    if hidden > 0 {
        text.push_str(&format!("… and {hidden} more findings\n"));
    }
    case.set_description(text);
    case
}

/// Every finding shown, with its evidence, one per line.
fn description(findings: &[&stockade_core::Finding]) -> String {
    let mut text = String::new();
    for finding in findings {
        match &finding.subject {
            Some(subject) => {
                text.push_str(&format!(
                    "{}: {subject}: {}\n",
                    finding.status, finding.message
                ));
            }
            None => text.push_str(&format!("{}: {}\n", finding.status, finding.message)),
        }
        for evidence in &finding.evidence {
            text.push_str(&format!("  saw {}", evidence.observed));
            if let Some(location) = &evidence.location {
                text.push_str(&format!(" at {location}"));
            }
            text.push('\n');
            if let Some(expected) = &evidence.expected {
                text.push_str(&format!("  want {expected}\n"));
            }
        }
    }
    text
}
