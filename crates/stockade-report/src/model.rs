//! The results of an audit, in the shape every renderer reads.

use stockade_core::cis::Benchmark;
use stockade_core::meta::CheckMeta;
use stockade_core::{Finding, Status};

/// What was audited.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// `docker-host`.
    pub kind: String,
    pub hostname: Option<String>,
    pub os: Option<String>,
    /// The filesystem root audited.
    pub root: String,
    /// The Engine API endpoint, when Docker was audited.
    pub endpoint: Option<String>,
    /// Engine version, when the Engine API answered.
    pub engine_version: Option<String>,
    /// When the facts were collected.
    pub collected_at: String,
    /// `live`, or the snapshot file the facts were read from.
    pub source: String,
}

/// One check and its findings.
#[derive(Clone, Debug)]
pub struct CheckResult<'a> {
    pub meta: &'a CheckMeta,
    /// The check's number in the chosen benchmark version, if it has one.
    pub cis_number: Option<&'a str>,
    pub findings: Vec<Finding>,
}

impl CheckResult<'_> {
    /// The verdict shown for the whole check: its most serious finding.
    pub fn status(&self) -> Status {
        worst(&self.findings)
    }
}

/// The most serious status among findings (`not-applicable` for none).
pub fn worst(findings: &[Finding]) -> Status {
    findings
        .iter()
        .map(|f| f.status)
        .max_by_key(|s| status_rank(*s))
        .unwrap_or(Status::NotApplicable)
}

/// How much a status demands attention, for picking a check's overall status.
pub fn status_rank(status: Status) -> u8 {
    match status {
        Status::NotApplicable => 0,
        Status::Pass => 1,
        Status::Info => 2,
        Status::Manual => 3,
        Status::Error => 4,
        Status::Warn => 5,
        Status::Fail => 6,
    }
}

/// An audit's results.
#[derive(Clone, Debug)]
pub struct AuditReport<'a> {
    pub target: Target,
    pub benchmark: Benchmark,
    pub cis_version: String,
    pub results: Vec<CheckResult<'a>>,
}

/// Counts per status, of checks (by their overall status) and of findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub checks: usize,
    pub findings: usize,
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub manual: usize,
    pub info: usize,
    #[serde(rename = "not-applicable")]
    pub not_applicable: usize,
    pub error: usize,
}

impl Summary {
    /// Counts findings by status.
    pub fn of(results: &[CheckResult<'_>]) -> Summary {
        let mut summary = Summary {
            checks: results.len(),
            ..Summary::default()
        };
        for finding in results.iter().flat_map(|r| &r.findings) {
            summary.findings += 1;
            *summary.slot(finding.status) += 1;
        }
        summary
    }

    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Warn => &mut self.warn,
            Status::Manual => &mut self.manual,
            Status::Info => &mut self.info,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Error => &mut self.error,
        }
    }
}
