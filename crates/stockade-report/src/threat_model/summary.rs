//! The summary page's content, shared by the text and Markdown renderers.

use stockade_threats::summary::{self, LetterPick, RiskFix};
use stockade_threats::{Assessment, MitigationKind, Presence, Threat, ThreatStatus};

use super::{ModelReport, first_sentence};

pub struct SummaryPage<'r, 'a> {
    report: &'r ModelReport<'a>,
}

impl<'r, 'a> SummaryPage<'r, 'a> {
    pub fn new(report: &'r ModelReport<'a>) -> Self {
        SummaryPage { report }
    }

    /// The `n` highest at-risk threats, or (when nothing is at risk) the
    /// highest-rated threats still to verify, with a heading saying which.
    pub fn top_risks(&self, n: usize) -> (&'static str, Vec<(&'r Threat, &'r Assessment)>) {
        let ranked = self.report.ranked();
        let at_risk: Vec<_> = ranked
            .iter()
            .copied()
            .filter(|(_, a)| a.status.at_risk())
            .take(n)
            .collect();
        if !at_risk.is_empty() {
            return ("The highest risks", at_risk);
        }
        let unverified: Vec<_> = ranked
            .into_iter()
            .filter(|(_, a)| a.status == ThreatStatus::Unverified)
            .take(n)
            .collect();
        (
            "Nothing is open: the highest-rated threats still to verify",
            unverified,
        )
    }

    pub fn picks(&self) -> Vec<LetterPick<'r>> {
        summary::picks_per_letter(self.report.catalog, self.report.model)
    }

    pub fn fixes(&self, n: usize) -> Vec<RiskFix<'r>> {
        let mut fixes = summary::fixes_by_risk(self.report.catalog, self.report.model);
        fixes.truncate(n);
        fixes
    }

    /// `etcd (installed but not running: ...)` for components the host does not run.
    pub fn not_running(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for (component, presence) in &self.report.catalog.presence {
            if let Presence::InstalledNotRunning(why) = presence
                && self.report.catalog.component(component).is_some()
            {
                seen.push(format!("{component} (installed, not running: {why})"));
            }
        }
        seen
    }
}

/// What closes `threat`: the failing checks' remediations, else its first
/// preventive mitigation.
pub fn fix_for(threat: &Threat, assessment: &Assessment) -> String {
    let mut checks: Vec<&str> = assessment
        .evidence
        .iter()
        .filter(|f| f.status.is_problem())
        .map(|f| f.check.as_str())
        .collect();
    checks.dedup();
    let mut seen: Vec<&str> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for id in checks {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        if let Some(remediation) = summary::remediation_of(id) {
            parts.push(format!("`{id}`: {}", first_sentence(remediation)));
        }
        if parts.len() == 2 {
            break;
        }
    }
    if parts.is_empty() {
        return threat
            .mitigations
            .iter()
            .find(|m| m.kind == MitigationKind::Prevent)
            .map(|m| first_sentence(&m.description).to_owned())
            .unwrap_or_default();
    }
    parts.join(" ")
}
