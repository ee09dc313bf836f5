use std::io::{self, Write};

use serde::Serialize;
use stockade_core::Finding;
use stockade_threats::ThreatStatus;

use super::ModelReport;

/// Bumped when a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: &'static str,
    scope: Scope<'a>,
    summary: Vec<LetterSummary>,
    boundaries: Vec<Boundary<'a>>,
    components: Vec<Component<'a>>,
    flows: Vec<Flow<'a>>,
    threats: Vec<ThreatJson<'a>>,
}

#[derive(Serialize)]
struct Scope<'a> {
    title: &'a str,
    hostname: Option<&'a str>,
    os: Option<&'a str>,
    engine: Option<&'a str>,
    evidence: &'a str,
    checks_run: usize,
    generated_at: &'a str,
}

#[derive(Serialize)]
struct LetterSummary {
    stride: char,
    open: usize,
    accepted: usize,
    unverified: usize,
    mitigated: usize,
    #[serde(rename = "not-applicable")]
    not_applicable: usize,
}

#[derive(Serialize)]
struct Boundary<'a> {
    id: &'a str,
    name: &'a str,
    parent: Option<&'a str>,
}

#[derive(Serialize)]
struct Component<'a> {
    id: &'a str,
    name: &'a str,
    platform: &'a str,
    kind: &'a str,
    boundary: Option<&'a str>,
    instance_of: Option<&'a str>,
    status: Option<ThreatStatus>,
}

#[derive(Serialize)]
struct Flow<'a> {
    id: &'a str,
    from: &'a str,
    to: &'a str,
    label: &'a str,
    protocol: &'a str,
}

#[derive(Serialize)]
struct ThreatJson<'a> {
    id: &'a str,
    component: &'a str,
    stride: char,
    title: &'a str,
    description: &'a str,
    status: ThreatStatus,
    underlying_status: ThreatStatus,
    reason: &'a str,
    subject: Option<&'a str>,
    mitigations: Vec<MitigationJson<'a>>,
    evidence: &'a [Finding],
    references: &'a [String],
    covers: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<Accepted<'a>>,
}

#[derive(Serialize)]
struct MitigationJson<'a> {
    description: &'a str,
    checks: Vec<&'a str>,
}

#[derive(Serialize)]
struct Accepted<'a> {
    reason: &'a str,
    expires: &'a str,
    by: Option<&'a str>,
}

pub fn render(report: &ModelReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let counts = report.counts();
    let summary = stockade_core::Stride::ALL
        .iter()
        .map(|letter| {
            let get = |s: ThreatStatus| {
                counts
                    .get(letter)
                    .and_then(|c| c.get(&s))
                    .copied()
                    .unwrap_or(0)
            };
            LetterSummary {
                stride: letter.letter(),
                open: get(ThreatStatus::Open),
                accepted: get(ThreatStatus::Accepted),
                unverified: get(ThreatStatus::Unverified),
                mitigated: get(ThreatStatus::Mitigated),
                not_applicable: get(ThreatStatus::NotApplicable),
            }
        })
        .collect();
    let catalog = report.catalog;
    let document = Document {
        schema_version: SCHEMA_VERSION,
        kind: "threat-model",
        tool: concat!("stockade ", env!("CARGO_PKG_VERSION")),
        scope: Scope {
            title: &report.scope.title,
            hostname: report.scope.hostname.as_deref(),
            os: report.scope.os.as_deref(),
            engine: report.scope.engine.as_deref(),
            evidence: &report.scope.evidence,
            checks_run: report.scope.checks_run,
            generated_at: &report.scope.generated_at,
        },
        summary,
        boundaries: catalog
            .boundaries
            .iter()
            .map(|b| Boundary {
                id: &b.id,
                name: &b.name,
                parent: b.parent.as_deref(),
            })
            .collect(),
        components: catalog
            .components
            .iter()
            .map(|c| Component {
                id: &c.id,
                name: &c.name,
                platform: &c.platform,
                kind: &c.kind,
                boundary: c.boundary.as_deref(),
                instance_of: c.instance_of.as_deref(),
                status: report.component_status(&c.id),
            })
            .collect(),
        flows: catalog
            .flows
            .iter()
            .map(|f| Flow {
                id: &f.id,
                from: &f.from,
                to: &f.to,
                label: &f.label,
                protocol: &f.protocol,
            })
            .collect(),
        threats: report
            .rows()
            .map(|(t, a)| ThreatJson {
                id: &t.id,
                component: &t.component,
                stride: t.stride.letter(),
                title: &t.title,
                description: &t.description,
                status: a.status,
                underlying_status: a.underlying,
                reason: &a.reason,
                subject: t.subject.as_deref(),
                mitigations: t
                    .mitigations
                    .iter()
                    .map(|m| MitigationJson {
                        description: &m.description,
                        checks: m
                            .checks
                            .iter()
                            .flat_map(|l| l.checks.iter().copied())
                            .collect(),
                    })
                    .collect(),
                evidence: &a.evidence,
                references: &t.references,
                covers: &t.covers,
                accepted: a.acceptance.as_ref().map(|acc| Accepted {
                    reason: &acc.reason,
                    expires: &acc.expires,
                    by: acc.by.as_deref(),
                }),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}
