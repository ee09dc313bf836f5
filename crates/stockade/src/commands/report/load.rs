//! One host file: audit results read as written, or a snapshot judged with
//! the checks `audit --from` runs; then the host's threat model.

use std::path::Path;

use anyhow::bail;
use serde::Deserialize;
use stockade_checks::select::CisVersions;
use stockade_core::Finding;
use stockade_core::cis::Benchmark;
use stockade_core::snapshot::Snapshot;
use stockade_report::fleet::{HostInput, HostThreat};
use stockade_report::{AuditReport, CheckResult, Target};
use stockade_threats::Catalog;

use crate::commands::audit::{self, AuditPlan, DocumentHeader};
use crate::commands::model;

/// A host as read from its file.
pub struct LoadedHost {
    pub input: HostInput,
    pub reports: Vec<AuditReport<'static>>,
    pub threats: Vec<HostThreat>,
}

/// What every host is judged and modelled with.
pub struct Judge<'j> {
    pub plan: AuditPlan<'j>,
    /// The built-in catalog, before any host's presence facts.
    pub catalog: &'j Catalog,
    /// `YYYY-MM-DD`, for acceptances.
    pub today: &'j str,
}

impl Judge<'_> {
    /// Reads, judges and models one file.
    pub fn load(&self, path: &Path) -> anyhow::Result<LoadedHost> {
        let text = stockade_collect::bounded::read_text(path, stockade_collect::bounded::DOCUMENT)?;
        let kind = match sniff(&text) {
            Some(kind) => kind,
            None => Kind::of(&DocumentHeader::read(path, &text)?),
        };
        let (input, mut reports, snapshot) = match kind {
            Kind::Audit => (HostInput::AuditResults, audit_results(path, &text)?, None),
            Kind::Snapshot => {
                let snapshot = audit::parse_snapshot(path, &text)?;
                let source = path.display().to_string();
                let reports = self.plan.judge_snapshot(&snapshot, &source);
                (HostInput::Snapshot, reports, Some(snapshot))
            }
            Kind::Other(kind) => bail!(
                "{}: a `{kind}` document, not one host's audit results (`stockade audit --format json`) or snapshot (`stockade collect`)",
                path.display()
            ),
            Kind::Unknown => bail!(
                "{}: not a stockade snapshot (`stockade collect`) or audit results (`stockade audit --format json`)",
                path.display()
            ),
        };
        let threats = self.threats(&mut reports, snapshot);
        Ok(LoadedHost {
            input,
            reports,
            threats,
        })
    }

    fn threats(
        &self,
        reports: &mut [AuditReport<'static>],
        snapshot: Option<Snapshot>,
    ) -> Vec<HostThreat> {
        model::host_threats(self.catalog, self.today, reports, snapshot)
    }
}

/// What a host file holds.
enum Kind {
    Audit,
    Snapshot,
    /// Another stockade document (`kind` says which).
    Other(String),
    Unknown,
}

impl Kind {
    fn of(header: &DocumentHeader) -> Kind {
        match header.kind.as_deref() {
            Some("audit") => Kind::Audit,
            Some(kind) => Kind::Other(kind.to_owned()),
            None if header.collector.is_some() => Kind::Snapshot,
            None => Kind::Unknown,
        }
    }
}

/// The kind of a document stockade wrote, from its first lines (stockade
/// writes `kind` or `collector` there); `None` when they do not say, and
/// the whole header is read instead.
fn sniff(text: &str) -> Option<Kind> {
    let mut end = text.len().min(512);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let start = &text[..end];
    if start.contains("\"kind\": \"audit\"") {
        Some(Kind::Audit)
    } else if start.contains("\"collector\": \"") && !start.contains("\"kind\"") {
        Some(Kind::Snapshot)
    } else {
        None
    }
}

#[derive(Deserialize)]
struct AuditDocument {
    schema_version: u32,
    target: TargetDocument,
    #[serde(default)]
    benchmarks: Vec<BenchmarkDocument>,
    #[serde(default)]
    benchmark: Option<BenchmarkDocument>,
    checks: Vec<CheckDocument>,
}

#[derive(Deserialize)]
struct TargetDocument {
    kind: String,
    hostname: Option<String>,
    os: Option<String>,
    #[serde(default)]
    root: String,
    endpoint: Option<String>,
    engine_version: Option<String>,
    #[serde(default)]
    collected_at: String,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
struct BenchmarkDocument {
    id: String,
    version: String,
}

#[derive(Deserialize)]
struct CheckDocument {
    id: String,
    #[serde(default)]
    benchmark: Option<String>,
    findings: Vec<Finding>,
}

fn benchmark_of_slug(slug: &str) -> Option<Benchmark> {
    [Benchmark::Docker, Benchmark::Kubernetes]
        .into_iter()
        .find(|b| b.slug() == slug)
}

/// `stockade audit --format json`, one report per benchmark it holds; each
/// check's status follows from its findings, as when it was written.
fn audit_results(path: &Path, text: &str) -> anyhow::Result<Vec<AuditReport<'static>>> {
    let document: AuditDocument = match serde_json::from_str(text) {
        Ok(document) => document,
        Err(e) => {
            // Not JSON at all is said so first, at its line and column.
            let header = DocumentHeader::read(path, text)?;
            if let Some(found) = header.schema_version.as_ref().filter(|v| !v.is_number()) {
                bail!(
                    "{}: `schema_version` is {}, not a number: not audit results stockade wrote",
                    path.display(),
                    audit::json_type(found)
                );
            }
            bail!(
                "{}:{}:{}: malformed audit results: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        }
    };
    if document.schema_version != stockade_report::json::SCHEMA_VERSION {
        bail!(
            "{}: audit results of schema version {} (this stockade reads {})",
            path.display(),
            document.schema_version,
            stockade_report::json::SCHEMA_VERSION
        );
    }
    let mut versions = CisVersions::default();
    let mut order: Vec<Benchmark> = Vec::new();
    for listed in document.benchmarks.iter().chain(document.benchmark.iter()) {
        if let Some(benchmark) = benchmark_of_slug(&listed.id) {
            if benchmark.version_index(&listed.version).is_some() {
                match benchmark {
                    Benchmark::Docker => versions.docker.clone_from(&listed.version),
                    Benchmark::Kubernetes => versions.kubernetes.clone_from(&listed.version),
                }
            }
            if !order.contains(&benchmark) {
                order.push(benchmark);
            }
        }
    }
    let target = Target {
        kind: document.target.kind,
        hostname: document.target.hostname,
        os: document.target.os,
        root: document.target.root,
        endpoint: document.target.endpoint,
        engine_version: document.target.engine_version,
        collected_at: document.target.collected_at,
        source: document.target.source,
    };
    let mut reports: Vec<AuditReport<'static>> = Vec::new();
    for (index, check) in document.checks.into_iter().enumerate() {
        let Some(known) = stockade_checks::by_id(&check.id) else {
            bail!(
                "{}: checks[{index}]: unknown check `{}` (results from a newer stockade?)",
                path.display(),
                check.id
            );
        };
        let benchmark = check
            .benchmark
            .as_deref()
            .and_then(benchmark_of_slug)
            .unwrap_or_else(|| known.meta.platform());
        if !order.contains(&benchmark) {
            order.push(benchmark);
        }
        let at = match reports.iter().position(|r| r.benchmark == benchmark) {
            Some(at) => at,
            None => {
                reports.push(AuditReport {
                    target: target.clone(),
                    benchmark,
                    cis_version: versions.for_benchmark(benchmark).to_owned(),
                    results: Vec::new(),
                });
                reports.len() - 1
            }
        };
        reports[at].results.push(CheckResult {
            meta: &known.meta,
            cis_number: versions.number_of(known),
            findings: check.findings,
        });
    }
    reports.sort_by_key(|r| order.iter().position(|b| *b == r.benchmark));
    if reports.is_empty() {
        bail!("{}: audit results without any check", path.display());
    }
    Ok(reports)
}
