//! The results of `stockade scan`, in the shape every renderer reads, and
//! its JSON form.

use std::io::{self, Write};

use serde::Serialize;
use stockade_core::meta::CheckMeta;
use stockade_core::{Finding, Severity, Status};

use crate::baseline::{self, BaselineMatch, BaselineState, BaselineSummary};
use crate::fingerprint;
use crate::json::{SCHEMA_VERSION, Tool};

/// A secret's position in a file: excerpts print `****` there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mask {
    pub line: u32,
    pub column: u32,
    /// Characters to hide; `None` hides the rest of the line.
    pub len: Option<u32>,
}

/// One file with findings (or silenced findings).
#[derive(Clone, Debug)]
pub struct ScannedFile {
    pub path: String,
    /// `dockerfile`, `compose`, `kubernetes`, `template`, `unreadable`.
    pub kind: &'static str,
    pub findings: Vec<Finding>,
    /// Findings silenced by ignore comments or annotations.
    pub suppressed: Vec<Finding>,
    pub masks: Vec<Mask>,
    /// The file's text, for excerpts.
    pub source: Option<String>,
}

/// A rule that ran, with its CIS number in the chosen benchmark version.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo<'a> {
    pub meta: &'a CheckMeta,
    /// e.g. `CIS Kubernetes 1.12 5.2.2`.
    pub cis: Option<&'a str>,
}

/// Counts over the whole scan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    pub files_scanned: usize,
    pub dockerfiles: usize,
    pub compose_files: usize,
    pub kubernetes_files: usize,
    pub templates_skipped: usize,
    pub unreadable: usize,
    /// Stages, services and Kubernetes objects judged.
    pub objects: usize,
}

/// Everything `stockade scan` found.
#[derive(Clone, Debug)]
pub struct ScanReport<'a> {
    /// The paths the user asked to scan.
    pub roots: Vec<String>,
    /// Files with findings, ordered by path.
    pub files: Vec<ScannedFile>,
    pub rules: Vec<RuleInfo<'a>>,
    pub stats: ScanStats,
    pub docker_cis_version: String,
    pub kubernetes_cis_version: String,
    /// The configuration file the scan's settings came from, if one was read.
    pub config: Option<String>,
    /// Set by `--baseline`: which findings a previous scan already had.
    pub baseline: Option<BaselineMatch>,
    /// The findings' fingerprints, worked out once per run however many
    /// outputs (the report, `--write-baseline`, the baseline match) use them.
    pub fingerprints: FingerprintCache,
}

/// [`ScanReport::fingerprints`], computed on first use.
#[derive(Clone, Debug, Default)]
pub struct FingerprintCache(std::sync::OnceLock<Vec<Vec<String>>>);

/// A finding with its file, fingerprint and whether the baseline holds it.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'r> {
    pub file: &'r ScannedFile,
    pub finding: &'r Finding,
    pub fingerprint: &'r str,
    /// In the baseline: shown as such, not counted for the exit code.
    pub known: bool,
}

/// A finding's message followed by its first evidence:
/// `message (saw OBSERVED; expected EXPECTED)`.
pub fn message_with_evidence(finding: &Finding) -> String {
    let mut message = finding.message.clone();
    if let Some(evidence) = finding.evidence.first() {
        message.push_str(&format!(" (saw {}", evidence.observed));
        if let Some(expected) = &evidence.expected {
            message.push_str(&format!("; expected {expected}"));
        }
        message.push(')');
    }
    message
}

impl<'a> ScanReport<'a> {
    pub fn rule(&self, id: &str) -> Option<&RuleInfo<'a>> {
        self.rules.iter().find(|r| r.meta.id == id)
    }

    pub fn findings(&self) -> impl Iterator<Item = (&ScannedFile, &Finding)> {
        self.files
            .iter()
            .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
    }

    /// Every finding with its fingerprint and baseline state, file by file.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.files
            .iter()
            .zip(self.fingerprints())
            .flat_map(move |(file, prints)| {
                file.findings
                    .iter()
                    .zip(prints)
                    .map(move |(finding, fingerprint)| Entry {
                        file,
                        finding,
                        fingerprint,
                        known: self
                            .baseline
                            .as_ref()
                            .is_some_and(|b| b.holds(finding, fingerprint)),
                    })
            })
    }

    /// The fingerprints of every file's findings, in file order.
    pub fn fingerprints(&self) -> &[Vec<String>] {
        self.fingerprints.0.get_or_init(|| {
            self.files
                .iter()
                .map(fingerprint::scan_fingerprints)
                .collect()
        })
    }

    /// Sets the baseline match of this report's findings.
    pub fn match_baseline(&mut self, baseline: &baseline::Baseline) {
        let fingerprints = self.fingerprints();
        let current = self
            .files
            .iter()
            .zip(fingerprints)
            .flat_map(|(file, prints)| file.findings.iter().zip(prints.iter().map(String::as_str)));
        self.baseline = Some(baseline.compare(current));
    }

    pub fn summary(&self) -> ScanSummary {
        let mut summary = ScanSummary::default();
        for (_, finding) in self.findings() {
            summary.findings += 1;
            match finding.status {
                Status::Fail => summary.fail += 1,
                Status::Warn => summary.warn += 1,
                Status::Info => summary.info += 1,
                Status::Error => summary.error += 1,
                _ => {}
            }
            if finding.status.is_problem() {
                match finding.severity {
                    Severity::Critical => summary.critical += 1,
                    Severity::High => summary.high += 1,
                    Severity::Medium => summary.medium += 1,
                    Severity::Low => summary.low += 1,
                    Severity::Info => {}
                }
            }
        }
        summary.suppressed = self.files.iter().map(|f| f.suppressed.len()).sum();
        summary.files_with_findings = self.files.iter().filter(|f| !f.findings.is_empty()).count();
        summary
    }
}

/// Counts of findings by status and, for fail and warn, by severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    pub findings: usize,
    pub files_with_findings: usize,
    pub fail: usize,
    pub warn: usize,
    pub info: usize,
    pub error: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub suppressed: usize,
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: Tool,
    roots: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<&'a str>,
    benchmarks: Benchmarks<'a>,
    stats: &'a ScanStats,
    summary: ScanSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineSummary<'a>>,
    files: Vec<FileJson<'a>>,
}

#[derive(Serialize)]
struct Benchmarks<'a> {
    #[serde(rename = "cis-docker")]
    docker: &'a str,
    #[serde(rename = "cis-kubernetes")]
    kubernetes: &'a str,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    kind: &'static str,
    findings: Vec<FindingJson<'a>>,
    suppressed: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    /// Stable across line moves (see [`crate::fingerprint`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    /// `new` or `unchanged`, when a baseline was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<BaselineState>,
    /// The check's CIS number in the chosen benchmark version.
    cis: Option<&'a str>,
    title: Option<&'static str>,
    remediation: Option<&'static str>,
}

/// Writes the report as one JSON document (schema in docs/json-schema.md).
pub fn render_json(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let fingerprints = report.fingerprints();
    let document = Document {
        schema_version: SCHEMA_VERSION,
        kind: "scan",
        tool: Tool::STOCKADE,
        roots: &report.roots,
        config: report.config.as_deref(),
        benchmarks: Benchmarks {
            docker: &report.docker_cis_version,
            kubernetes: &report.kubernetes_cis_version,
        },
        stats: &report.stats,
        summary: report.summary(),
        baseline: report.baseline.as_ref().map(BaselineMatch::summary),
        files: report
            .files
            .iter()
            .zip(fingerprints)
            .map(|(file, prints)| FileJson {
                path: &file.path,
                kind: file.kind,
                findings: file
                    .findings
                    .iter()
                    .zip(prints)
                    .map(|(f, print)| FindingJson {
                        fingerprint: Some(print.clone()),
                        baseline_state: baseline::state_of(report.baseline.as_ref(), f, print),
                        ..finding_json(report, f)
                    })
                    .collect(),
                suppressed: file
                    .suppressed
                    .iter()
                    .zip(fingerprint::suppressed_fingerprints(file))
                    .map(|(f, print)| FindingJson {
                        fingerprint: Some(print),
                        ..finding_json(report, f)
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}

fn finding_json<'r>(report: &'r ScanReport<'_>, finding: &'r Finding) -> FindingJson<'r> {
    let rule = report.rule(&finding.check);
    FindingJson {
        finding,
        fingerprint: None,
        baseline_state: None,
        cis: rule.and_then(|r| r.cis),
        title: rule.map(|r| r.meta.title),
        remediation: rule.map(|r| r.meta.remediation),
    }
}
