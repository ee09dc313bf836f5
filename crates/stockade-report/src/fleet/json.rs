//! The fleet report as one JSON document (`kind: "fleet-report"`), its
//! schema in docs/schema/fleet-report-v1.schema.json.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::Serializer;
use stockade_core::{Severity, Status};
use stockade_threats::ThreatStatus;

use super::{CheckRow, Fleet, FleetHost, RenderOptions, Rollup, StatusCounts, ThreatRow};
use crate::json::Tool;

/// Bumped when a field changes meaning or disappears (additions keep it).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: Tool,
    title: &'a str,
    generated_at: &'a str,
    summary: SummaryJson,
    hosts: Vec<HostJson<'a>>,
    checks: Vec<CheckJson<'a>>,
    threats: Vec<ThreatJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
}

#[derive(Serialize)]
struct SummaryJson {
    hosts: usize,
    files_not_read: usize,
    checks: usize,
    checks_failing: usize,
    threats_open: usize,
}

#[derive(Serialize)]
struct HostJson<'a> {
    name: &'a str,
    hostname: Option<&'a str>,
    source: &'a str,
    input: &'static str,
    kind: Vec<&'a str>,
    benchmarks: Vec<BenchmarkJson<'a>>,
    collected_at: Option<&'a str>,
    counts: CountsJson,
    top_risks: Vec<RiskJson<'a>>,
    open_threats: Vec<&'a str>,
    #[serde(serialize_with = "status_map")]
    checks: Vec<(&'a str, Status)>,
}

#[derive(Serialize)]
struct BenchmarkJson<'a> {
    id: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct RiskJson<'a> {
    id: &'a str,
    cis: Option<&'a str>,
    title: &'a str,
    severity: Severity,
    status: Status,
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct CountsJson {
    pass: usize,
    fail: usize,
    warn: usize,
    manual: usize,
    info: usize,
    #[serde(rename = "not-applicable")]
    not_applicable: usize,
    error: usize,
}

impl From<StatusCounts> for CountsJson {
    fn from(counts: StatusCounts) -> Self {
        CountsJson {
            pass: counts.get(Status::Pass),
            fail: counts.get(Status::Fail),
            warn: counts.get(Status::Warn),
            manual: counts.get(Status::Manual),
            info: counts.get(Status::Info),
            not_applicable: counts.get(Status::NotApplicable),
            error: counts.get(Status::Error),
        }
    }
}

#[derive(Serialize)]
struct CheckJson<'a> {
    id: &'a str,
    benchmark: &'static str,
    cis: Option<&'a str>,
    title: &'a str,
    severity: Severity,
    counts: CountsJson,
    hosts: ProblemHosts<'a>,
}

/// Host names by the statuses that need attention.
#[derive(Serialize)]
struct ProblemHosts<'a> {
    fail: Vec<&'a str>,
    warn: Vec<&'a str>,
    error: Vec<&'a str>,
}

#[derive(Serialize)]
struct ThreatJson<'a> {
    id: &'a str,
    title: &'a str,
    stride: char,
    component: &'a str,
    #[serde(serialize_with = "threat_counts")]
    counts: [(ThreatStatus, usize); 6],
    open_on: Vec<&'a str>,
    max_risk: Option<u8>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    file: &'a str,
    message: &'a str,
}

fn status_map<S: Serializer>(entries: &[(&str, Status)], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(entries.iter().map(|(id, status)| (*id, status)))
}

fn threat_counts<S: Serializer>(
    counts: &[(ThreatStatus, usize); 6],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(counts.iter().map(|(status, n)| (status.as_str(), n)))
}

/// Writes the fleet as one pretty-printed JSON document.
pub fn render(fleet: &Fleet<'_>, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let rollup = Rollup::of(fleet);
    let names = |hosts: &[usize]| -> Vec<&str> {
        hosts
            .iter()
            .filter_map(|&i| fleet.hosts.get(i).map(|h| h.name.as_str()))
            .collect()
    };
    let document = Document {
        schema_version: SCHEMA_VERSION,
        kind: "fleet-report",
        tool: Tool::STOCKADE,
        title: &fleet.title,
        generated_at: &fleet.generated_at,
        summary: SummaryJson {
            hosts: fleet.hosts.len(),
            files_not_read: fleet.problems.len(),
            checks: rollup.checks.len(),
            checks_failing: rollup
                .checks
                .iter()
                .filter(|c| c.problem_hosts() > 0)
                .count(),
            threats_open: rollup.open_threats().count(),
        },
        hosts: fleet.hosts.iter().map(|h| host(h, options)).collect(),
        checks: rollup.checks.iter().map(|c| check(c, &names)).collect(),
        threats: rollup.threats.iter().map(|t| threat(t, &names)).collect(),
        errors: fleet
            .problems
            .iter()
            .map(|p| ErrorJson {
                file: &p.file,
                message: &p.message,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}

fn host<'a>(host: &'a FleetHost<'_>, options: &RenderOptions) -> HostJson<'a> {
    let mut kind: Vec<&str> = host
        .reports
        .iter()
        .map(|r| r.target.kind.as_str())
        .collect();
    kind.dedup();
    HostJson {
        name: &host.name,
        hostname: host.hostname(),
        source: &host.source,
        input: host.input.as_str(),
        kind,
        benchmarks: host
            .reports
            .iter()
            .map(|r| BenchmarkJson {
                id: r.benchmark.slug(),
                version: &r.cis_version,
            })
            .collect(),
        collected_at: host.reports.first().map(|r| r.target.collected_at.as_str()),
        counts: host.counts().into(),
        top_risks: host
            .top_risks(options.top)
            .into_iter()
            .map(|r| RiskJson {
                id: r.meta.id,
                cis: r.cis_number,
                title: r.meta.title,
                severity: r.meta.severity,
                status: r.status(),
                message: super::findings_to_show(r)
                    .first()
                    .map(|f| f.message.as_str()),
            })
            .collect(),
        open_threats: host.open_threats().map(|t| t.id.as_str()).collect(),
        checks: host
            .results()
            .map(|(_, r)| (r.meta.id, r.status()))
            .collect(),
    }
}

fn check<'a>(row: &CheckRow<'a>, names: &impl Fn(&[usize]) -> Vec<&'a str>) -> CheckJson<'a> {
    CheckJson {
        id: row.meta.id,
        benchmark: row.benchmark.slug(),
        cis: row.cis,
        title: row.meta.title,
        severity: row.meta.severity,
        counts: row.counts().into(),
        hosts: ProblemHosts {
            fail: names(row.hosts_with(Status::Fail)),
            warn: names(row.hosts_with(Status::Warn)),
            error: names(row.hosts_with(Status::Error)),
        },
    }
}

fn threat<'a>(row: &ThreatRow<'a>, names: &impl Fn(&[usize]) -> Vec<&'a str>) -> ThreatJson<'a> {
    ThreatJson {
        id: &row.info.id,
        title: &row.info.title,
        stride: row.info.stride.letter(),
        component: &row.info.component,
        counts: ThreatStatus::ALL.map(|s| (s, row.count(s))),
        open_on: names(&row.open_on),
        max_risk: (!row.open_on.is_empty()).then_some(row.max_risk),
    }
}
