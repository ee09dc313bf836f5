//! The hardening plan: one entry per fix, ranked by what the threats it
//! closes are worth ([`threat_value`]), then by the severity of what it
//! fixes, then its effort; at equal value a fix `--apply` can make comes
//! before a display-only one.

use stockade_checks::{Check, Runner};
use stockade_core::fix::{Applicability, Fix};
use stockade_core::{Finding, Severity, Stride};
use stockade_threats::{Assessment, Catalog, ThreatModel, ThreatStatus};

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
    /// Other checks the same fix answers (every audit watch in one rules file).
    pub also: Vec<&'static Check>,
    /// The failing findings the fix answers.
    pub findings: Vec<Finding>,
    pub fix: Fix,
    pub threats: Vec<ThreatRef>,
    /// What the fix is worth: the sum of [`threat_value`] over the threats
    /// it closes.
    pub score: u32,
}

impl PlanEntry {
    /// The checks to re-run to confirm the fix.
    pub fn verify(&self) -> Vec<&'static str> {
        std::iter::once(self.check)
            .chain(self.also.iter().copied())
            .map(|c| c.meta.id)
            .collect()
    }

    /// The worst severity among the findings it fixes.
    pub fn severity(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info)
    }

    /// 0 for a fix `--apply` can make (safe or unsafe), 1 for display-only.
    fn applicable_rank(&self) -> u8 {
        u8::from(self.fix.applicability == Applicability::DisplayOnly)
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

/// Builds the plan for the failing findings of `results`.
pub fn build_plan(
    results: &[(&'static Check, Vec<Finding>)],
    inputs: Inputs<'_>,
    catalog: &Catalog,
    model: &ThreatModel,
) -> Plan {
    let mut entries = Vec::new();
    // Every audit watch goes into one rules file: one entry for all.
    let watches: Vec<(&'static Check, Vec<&Finding>)> = results
        .iter()
        .filter(|(check, _)| matches!(check.runner, Runner::AuditWatch { .. }))
        .map(|(check, findings)| {
            (
                *check,
                findings
                    .iter()
                    .filter(|f| f.status.is_problem())
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, failing)| !failing.is_empty())
        .collect();
    if let Some((first, _)) = watches.first() {
        let group: Vec<&Finding> = watches
            .iter()
            .flat_map(|(_, f)| f.iter().copied())
            .collect();
        let checks: Vec<&str> = watches.iter().map(|(c, _)| c.meta.id).collect();
        let fix = generate::audit_watches(&group);
        let threats = threats_answered(catalog, model, &checks, &group);
        let score = closed_value(&threats, model);
        entries.push(PlanEntry {
            check: first,
            also: watches.iter().skip(1).map(|(c, _)| *c).collect(),
            findings: group.into_iter().cloned().collect(),
            fix,
            threats,
            score,
        });
    }
    for (check, findings) in results {
        if matches!(check.runner, Runner::AuditWatch { .. }) {
            continue;
        }
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
            let threats = threats_answered(catalog, model, &[check.meta.id], &group);
            let findings: Vec<Finding> = group.into_iter().cloned().collect();
            let score = closed_value(&threats, model);
            entries.push(PlanEntry {
                check,
                also: Vec::new(),
                findings,
                fix,
                threats,
                score,
            });
        }
    }
    let mut entries = merge_recreates(entries, catalog, model);
    entries.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| b.severity().cmp(&a.severity()))
            .then_with(|| a.fix.effort.cmp(&b.fix.effort))
            .then_with(|| a.applicable_rank().cmp(&b.applicable_rank()))
            .then_with(|| a.check.meta.id.cmp(b.check.meta.id))
    });
    Plan { entries }
}

/// The recreate-only fixes of one container are one recreate: one entry
/// (the container's recipe already carries all of them).
fn merge_recreates(
    entries: Vec<PlanEntry>,
    catalog: &Catalog,
    model: &ThreatModel,
) -> Vec<PlanEntry> {
    let container = |e: &PlanEntry| {
        e.findings
            .first()
            .and_then(|f| f.subject.as_ref())
            .and_then(|s| s.id.clone())
    };
    let mut out: Vec<PlanEntry> = Vec::new();
    for entry in entries {
        let id = container(&entry);
        if generate::folds_into_recreate(entry.check.meta.id)
            && id.is_some()
            && let Some(existing) = out
                .iter_mut()
                .find(|e| generate::folds_into_recreate(e.check.meta.id) && container(e) == id)
        {
            // The fix closing the most leads: its title and recipe stand
            // for the recreate (each recipe carries every folded fix).
            if entry.score > existing.score {
                existing.also.push(existing.check);
                existing.check = entry.check;
                existing.fix = entry.fix;
                existing.score = entry.score;
                let mut findings = entry.findings;
                findings.append(&mut existing.findings);
                existing.findings = findings;
            } else {
                existing.also.push(entry.check);
                existing.findings.extend(entry.findings);
            }
            continue;
        }
        out.push(entry);
    }
    for entry in out
        .iter_mut()
        .filter(|e| !e.also.is_empty() && generate::folds_into_recreate(e.check.meta.id))
    {
        let checks: Vec<&str> = entry.verify();
        let findings: Vec<&Finding> = entry.findings.iter().collect();
        entry.threats = threats_answered(catalog, model, &checks, &findings);
        entry.score = closed_value(&entry.threats, model);
        entry.fix.title = format!("{} (and {} more)", entry.fix.title, entry.also.len());
    }
    out
}

fn threats_answered(
    catalog: &Catalog,
    model: &ThreatModel,
    checks: &[&str],
    findings: &[&Finding],
) -> Vec<ThreatRef> {
    let mut seen = std::collections::BTreeSet::new();
    checks
        .iter()
        .flat_map(|check| catalog.threats_of_check(check))
        .filter(|threat| seen.insert(threat.id.clone()))
        .filter_map(|threat| {
            let assessment = model.assessment(&threat.id)?;
            if assessment.underlying != ThreatStatus::Open {
                return None;
            }
            let closes = assessment.evidence.iter().all(|e| {
                checks.contains(&e.check.as_str())
                    && findings
                        .iter()
                        .any(|f| f.check == e.check && f.subject == e.subject)
            });
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

/// What closing one threat is worth in the ranking: its risk rating
/// (likelihood × impact, 1–25; docs/threat-model.md).
pub fn threat_value(assessment: &Assessment) -> u32 {
    u32::from(assessment.risk)
}

/// The sum of [`threat_value`] over the threats the fix closes.
fn closed_value(threats: &[ThreatRef], model: &ThreatModel) -> u32 {
    // A container's copy of a threat counts once: not again when the fix
    // also closes the catalog threat it belongs to.
    let closed: Vec<&str> = threats
        .iter()
        .filter(|t| t.closes)
        .map(|t| t.id.as_str())
        .collect();
    closed
        .iter()
        .filter(|id| {
            id.split_once('@')
                .is_none_or(|(base, _)| !closed.contains(&base))
        })
        .filter_map(|id| model.assessment(id))
        .map(threat_value)
        .sum()
}
