//! The hardening plan: one entry per fix, ranked by the threats it closes
//! (how many, how severe), then by the severity of what it fixes, its
//! effort and its risk of breaking things.

use stockade_checks::Check;
use stockade_core::fix::{Applicability, Effort, Fix};
use stockade_core::{Finding, Severity, Stride};
use stockade_threats::{Catalog, ThreatModel, ThreatStatus};

use crate::generate::{self, Inputs};

/// A threat a fix answers.
#[derive(Clone, Debug)]
pub struct ThreatRef {
    pub id: String,
    pub stride: Stride,
    pub title: String,
    pub component: String,
    /// Whether this fix removes all of the threat's failing evidence.
    pub closes: bool,
}

#[derive(Clone, Debug)]
pub struct PlanEntry {
    pub check: &'static Check,
    /// The failing findings the fix answers.
    pub findings: Vec<Finding>,
    pub fix: Fix,
    pub threats: Vec<ThreatRef>,
    pub score: i64,
}

impl PlanEntry {
    /// The checks to re-run to confirm the fix.
    pub fn verify(&self) -> Vec<&'static str> {
        vec![self.check.meta.id]
    }

    pub fn closed_threats(&self) -> impl Iterator<Item = &ThreatRef> {
        self.threats.iter().filter(|t| t.closes)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub entries: Vec<PlanEntry>,
}

impl Plan {
    /// Keeps the first `n` entries.
    pub fn top(mut self, n: usize) -> Plan {
        self.entries.truncate(n);
        self
    }
}

fn severity_points(severity: Severity) -> i64 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// Builds the plan for the failing findings of `results`.
pub fn build_plan(
    results: &[(&'static Check, Vec<Finding>)],
    inputs: Inputs<'_>,
    catalog: &Catalog,
    model: &ThreatModel,
) -> Plan {
    let mut entries = Vec::new();
    for (check, findings) in results {
        let failing: Vec<&Finding> = findings.iter().filter(|f| f.status.is_problem()).collect();
        if failing.is_empty() {
            continue;
        }
        // Fixes of one file, container, service or object get one entry
        // each; the others one per check.
        let groups: Vec<Vec<&Finding>> =
            if generate::per_subject(check) && failing.iter().all(|f| f.subject.is_some()) {
                failing.iter().map(|f| vec![*f]).collect()
            } else {
                vec![failing.clone()]
            };
        for group in groups {
            let fix = generate::fix_for(check, group[0], inputs);
            let threats = threats_answered(catalog, model, check.meta.id, &group);
            let findings: Vec<Finding> = group.into_iter().cloned().collect();
            let score = score(&fix, &findings, &threats, model);
            entries.push(PlanEntry {
                check,
                findings,
                fix,
                threats,
                score,
            });
        }
    }
    entries.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.check.meta.id.cmp(b.check.meta.id))
    });
    Plan { entries }
}

fn threats_answered(
    catalog: &Catalog,
    model: &ThreatModel,
    check: &str,
    findings: &[&Finding],
) -> Vec<ThreatRef> {
    catalog
        .threats_of_check(check)
        .filter_map(|threat| {
            let assessment = model.assessment(&threat.id)?;
            if assessment.underlying != ThreatStatus::Open {
                return None;
            }
            let closes = assessment
                .evidence
                .iter()
                .all(|e| e.check == check && findings.iter().any(|f| f.subject == e.subject));
            Some(ThreatRef {
                id: threat.id.clone(),
                stride: threat.stride,
                title: threat.title.clone(),
                component: threat.component.clone(),
                closes,
            })
        })
        .collect()
}

fn score(fix: &Fix, findings: &[Finding], threats: &[ThreatRef], model: &ThreatModel) -> i64 {
    let threat_points: i64 = threats
        .iter()
        .map(|t| {
            let severity = model
                .assessment(&t.id)
                .map_or(0, |a| severity_points(a.rank.0));
            let weight = 1 + severity;
            if t.closes { weight * 3 } else { weight }
        })
        .sum();
    let severity = findings
        .iter()
        .map(|f| severity_points(f.severity))
        .max()
        .unwrap_or(0);
    let effort = match fix.effort {
        Effort::Low => 0,
        Effort::Medium => 2,
        Effort::High => 4,
    };
    let automation = match fix.applicability {
        Applicability::Safe => 0,
        Applicability::Unsafe => 2,
        Applicability::DisplayOnly => 3,
    };
    threat_points * 4 + severity * 3 - effort - automation
}
