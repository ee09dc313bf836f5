//! The JSON output: stockade's primary machine format. Its schema is
//! documented in docs/json-schema.md and versioned by `schema_version`.

use std::io::{self, Write};

use serde::Serialize;
use stockade_core::meta::{CheckMode, Scope};
use stockade_core::{Finding, Severity, Status};

use crate::baseline::{self, BaselineMatch, BaselineState, BaselineSummary};
use crate::fingerprint;
use crate::model::{AuditReport, Summary};

/// Bumped when a field changes meaning or disappears (additions keep it).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: Tool,
    /// The configuration file the audit's settings came from, if one was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<&'a str>,
    target: TargetJson<'a>,
    /// The first benchmark audited (kept for readers of single-benchmark reports).
    benchmark: BenchmarkJson<'a>,
    /// Every benchmark audited, in report order.
    benchmarks: Vec<BenchmarkJson<'a>>,
    summary: Summary,
    /// Set by `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineSummary<'a>>,
    checks: Vec<CheckJson<'a>>,
}

/// The `tool` field of every JSON document stockade writes.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    pub(crate) const STOCKADE: Tool = Tool {
        name: "stockade",
        version: env!("CARGO_PKG_VERSION"),
    };
}

#[derive(Serialize)]
struct TargetJson<'a> {
    kind: &'a str,
    hostname: Option<&'a str>,
    os: Option<&'a str>,
    root: &'a str,
    endpoint: Option<&'a str>,
    engine_version: Option<&'a str>,
    collected_at: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
struct BenchmarkJson<'a> {
    id: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    id: &'static str,
    benchmark: &'static str,
    title: &'static str,
    cis: Option<&'a str>,
    status: Status,
    severity: Severity,
    scope: Scope,
    mode: CheckMode,
    stride: String,
    findings: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    /// Stable across runs (see [`crate::fingerprint`]).
    fingerprint: String,
    /// `new` or `unchanged`, when a baseline was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<BaselineState>,
}

/// Writes the report as one pretty-printed JSON document.
pub fn render(report: &AuditReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    render_many(std::slice::from_ref(report), None, None, out)
}

/// Writes the reports of several benchmarks on one host as one document:
/// every check carries its benchmark, the summary counts them all. `config`
/// names the configuration file the audit's settings came from. Every
/// finding carries its fingerprint and, with a baseline, its baseline state.
pub fn render_many(
    reports: &[AuditReport<'_>],
    config: Option<&str>,
    baseline: Option<&BaselineMatch>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    let target = &first.target;
    let all_results: Vec<_> = reports
        .iter()
        .flat_map(|r| r.results.iter().cloned())
        .collect();
    let benchmarks: Vec<BenchmarkJson<'_>> = reports
        .iter()
        .map(|r| BenchmarkJson {
            id: r.benchmark.slug(),
            version: &r.cis_version,
        })
        .collect();
    let document = Document {
        schema_version: SCHEMA_VERSION,
        kind: "audit",
        tool: Tool::STOCKADE,
        config,
        target: TargetJson {
            kind: &target.kind,
            hostname: target.hostname.as_deref(),
            os: target.os.as_deref(),
            root: &target.root,
            endpoint: target.endpoint.as_deref(),
            engine_version: target.engine_version.as_deref(),
            collected_at: &target.collected_at,
            source: &target.source,
        },
        benchmark: BenchmarkJson {
            id: first.benchmark.slug(),
            version: &first.cis_version,
        },
        benchmarks,
        summary: Summary::of(&all_results),
        baseline: baseline.map(BaselineMatch::summary),
        checks: reports
            .iter()
            .flat_map(|report| {
                report.results.iter().map(move |r| CheckJson {
                    id: r.meta.id,
                    benchmark: report.benchmark.slug(),
                    title: r.meta.title,
                    cis: r.cis_number,
                    status: r.status(),
                    severity: r.meta.severity,
                    scope: r.meta.scope,
                    mode: r.meta.mode,
                    stride: r.meta.stride_letters(),
                    findings: r
                        .findings
                        .iter()
                        .zip(fingerprint::audit_fingerprints(r))
                        .map(|(finding, print)| FindingJson {
                            baseline_state: baseline::state_of(baseline, finding, &print),
                            finding,
                            fingerprint: print,
                        })
                        .collect(),
                })
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}
