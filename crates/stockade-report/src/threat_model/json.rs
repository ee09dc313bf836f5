use std::io::{self, Write};

use serde::Serialize;
use stockade_core::Finding;
use stockade_threats::catalog::Acceptance;
use stockade_threats::{AcceptanceProblem, Assessment, Presence, RiskBand, Threat, ThreatStatus};

use super::ModelReport;

/// Bumped when a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: &'static str,
    scope: Scope<'a>,
    /// Catalog threats open or accepted (instances counted under their threat).
    at_risk: usize,
    summary: Vec<LetterSummary>,
    acceptance_notes: Vec<AcceptanceNoteJson<'a>>,
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
    platforms: Vec<&'a str>,
}

#[derive(Serialize)]
struct LetterSummary {
    stride: char,
    open: usize,
    accepted: usize,
    unverified: usize,
    #[serde(rename = "monitoring-gap")]
    monitoring_gap: usize,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    presence: Option<PresenceJson<'a>>,
}

#[derive(Serialize)]
struct PresenceJson<'a> {
    state: &'static str,
    reason: &'a str,
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
    likelihood: u8,
    impact: u8,
    risk: u8,
    risk_band: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    mitigations: Vec<MitigationJson<'a>>,
    /// The findings behind the status; for a threat with instances, those
    /// no instance lists (each instance carries its own).
    evidence: Vec<&'a Finding>,
    references: &'a [String],
    covers: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<Accepted<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_acceptance: Option<Accepted<'a>>,
    /// Per-subject copies (`ID@subject`): the threat's status is the worst of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    instances: Vec<ThreatJson<'a>>,
}

#[derive(Serialize)]
struct MitigationJson<'a> {
    description: &'a str,
    kind: &'static str,
    state: &'static str,
    checks: Vec<CheckJson>,
}

#[derive(Serialize)]
struct CheckJson {
    id: &'static str,
    status: &'static str,
}

#[derive(Serialize)]
struct Accepted<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    reason: &'a str,
    expires: &'a str,
    by: Option<&'a str>,
}

#[derive(Serialize)]
struct AcceptanceNoteJson<'a> {
    threat: &'a str,
    subject: Option<&'a str>,
    expires: &'a str,
    problem: &'static str,
    message: String,
}

fn accepted(acceptance: &Acceptance) -> Accepted<'_> {
    Accepted {
        subject: acceptance.subject.as_deref(),
        reason: &acceptance.reason,
        expires: &acceptance.expires,
        by: acceptance.by.as_deref(),
    }
}

fn threat_json<'a>(
    report: &'a ModelReport<'_>,
    t: &'a Threat,
    a: &'a Assessment,
) -> ThreatJson<'a> {
    let instances = if t.instance_of.is_none() {
        report.instances(&t.id)
    } else {
        Vec::new()
    };
    let listed: std::collections::HashSet<&str> = instances
        .iter()
        .filter_map(|(it, _)| it.subject.as_deref())
        .collect();
    let evidence = a
        .evidence
        .iter()
        .filter(|f| {
            f.subject
                .as_ref()
                .is_none_or(|s| !listed.contains(s.name.as_str()))
        })
        .collect();
    ThreatJson {
        id: &t.id,
        component: &t.component,
        stride: t.stride.letter(),
        title: &t.title,
        description: &t.description,
        status: a.status,
        underlying_status: a.underlying,
        reason: &a.reason,
        likelihood: a.likelihood,
        impact: a.impact,
        risk: a.risk,
        risk_band: RiskBand::of(a.risk).as_str(),
        subject: t.subject.as_deref(),
        mitigations: t
            .mitigations
            .iter()
            .zip(&a.mitigations)
            .map(|(m, judged)| MitigationJson {
                description: &m.description,
                kind: m.kind.as_str(),
                state: judged.state.as_str(),
                checks: judged
                    .checks
                    .iter()
                    .map(|(id, state)| CheckJson {
                        id,
                        status: state.as_str(),
                    })
                    .collect(),
            })
            .collect(),
        evidence,
        references: &t.references,
        covers: &t.covers,
        accepted: a.acceptance.as_ref().map(accepted),
        expired_acceptance: a.expired_acceptance.as_ref().map(accepted),
        instances: instances
            .into_iter()
            .map(|(it, ia)| threat_json(report, it, ia))
            .collect(),
    }
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
                monitoring_gap: get(ThreatStatus::MonitoringGap),
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
            platforms: report.platforms(),
        },
        at_risk: report
            .ranked()
            .iter()
            .filter(|(_, a)| a.status.at_risk())
            .count(),
        summary,
        acceptance_notes: report
            .model
            .acceptance_notes
            .iter()
            .zip(report.acceptance_problems())
            .map(|(note, message)| AcceptanceNoteJson {
                threat: &note.acceptance.threat,
                subject: note.acceptance.subject.as_deref(),
                expires: &note.acceptance.expires,
                problem: match note.problem {
                    AcceptanceProblem::Expired => "expired",
                    AcceptanceProblem::MatchesNothing => "matches-nothing",
                },
                message,
            })
            .collect(),
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
                presence: catalog.presence_of(&c.id).map(presence_text),
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
            .ranked()
            .into_iter()
            .map(|(t, a)| threat_json(report, t, a))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}

fn presence_text(presence: &Presence) -> PresenceJson<'_> {
    match presence {
        Presence::Present(why) => PresenceJson {
            state: "present",
            reason: why,
        },
        Presence::InstalledNotRunning(why) => PresenceJson {
            state: "installed-not-running",
            reason: why,
        },
        Presence::Absent(why) => PresenceJson {
            state: "absent",
            reason: why,
        },
    }
}
