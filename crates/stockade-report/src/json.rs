//! The JSON output: stockade's primary machine format. Its schema is
//! documented in docs/json-schema.md and versioned by `schema_version`.

use std::io::{self, Write};

use serde::Serialize;
use stockade_core::meta::{CheckMode, Scope};
use stockade_core::{Finding, Severity, Status};

use crate::model::{AuditReport, Summary};

/// Bumped when a field changes meaning or disappears (additions keep it).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: Tool,
    target: TargetJson<'a>,
    benchmark: BenchmarkJson<'a>,
    summary: Summary,
    checks: Vec<CheckJson<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
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
    title: &'static str,
    cis: Option<&'a str>,
    status: Status,
    severity: Severity,
    scope: Scope,
    mode: CheckMode,
    stride: String,
    findings: &'a [Finding],
}

/// Writes the report as one pretty-printed JSON document.
pub fn render(report: &AuditReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let target = &report.target;
    let document = Document {
        schema_version: SCHEMA_VERSION,
        kind: "audit",
        tool: Tool {
            name: "stockade",
            version: env!("CARGO_PKG_VERSION"),
        },
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
            id: report.benchmark.slug(),
            version: &report.cis_version,
        },
        summary: Summary::of(&report.results),
        checks: report
            .results
            .iter()
            .map(|r| CheckJson {
                id: r.meta.id,
                title: r.meta.title,
                cis: r.cis_number,
                status: r.status(),
                severity: r.meta.severity,
                scope: r.meta.scope,
                mode: r.meta.mode,
                stride: r.meta.stride_letters(),
                findings: &r.findings,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}
