//! The answers of the reference write-ups, from evidence: per platform the
//! most serious threat under each STRIDE letter, and the fixes that close
//! the most risk.

use std::collections::BTreeMap;

use stockade_core::Stride;

use crate::catalog::{Catalog, Threat};
use crate::evaluate::{Assessment, ThreatModel, ThreatStatus};

/// The most serious threat of one platform under one STRIDE letter.
#[derive(Clone, Debug)]
pub struct LetterPick<'a> {
    pub platform: &'a str,
    pub stride: Stride,
    pub threat: &'a Threat,
    pub assessment: &'a Assessment,
}

/// A failing check whose fix closes (or narrows) open threats.
#[derive(Clone, Debug)]
pub struct RiskFix<'a> {
    pub check: &'static str,
    pub title: &'static str,
    pub remediation: &'static str,
    /// The CIS number the check carries in the newest benchmark it is in.
    pub cis: Option<&'static str>,
    /// Threats this fix alone closes: every failing finding is this check's.
    pub closes: Vec<&'a Assessment>,
    /// Threats it narrows: other checks also fail for them.
    pub narrows: Vec<&'a Assessment>,
    /// The risk of the threats it closes (as `stockade harden` ranks).
    pub value: u32,
    /// The risk of the threats it narrows: breaks ties.
    pub narrowed_value: u32,
}

/// Catalog threats (not instances) with their assessment.
fn catalog_rows<'a>(
    catalog: &'a Catalog,
    model: &'a ThreatModel,
) -> impl Iterator<Item = (&'a Threat, &'a Assessment)> {
    catalog
        .threats
        .iter()
        .filter(|t| t.instance_of.is_none())
        .filter_map(|t| model.assessment(&t.id).map(|a| (t, a)))
}

/// How serious an assessment is, for picking: at-risk first, then
/// unverified, then the rest; within that, risk.
fn seriousness(a: &Assessment) -> (u8, u8) {
    let tier = match a.status {
        ThreatStatus::Open | ThreatStatus::Accepted => 3,
        ThreatStatus::Unverified => 2,
        ThreatStatus::MonitoringGap => 1,
        ThreatStatus::Mitigated | ThreatStatus::NotApplicable => 0,
    };
    (tier, a.risk)
}

/// Per platform of the model, the most serious threat of each STRIDE letter
/// (not-applicable threats are never picked).
pub fn picks_per_letter<'a>(catalog: &'a Catalog, model: &'a ThreatModel) -> Vec<LetterPick<'a>> {
    let mut best: BTreeMap<(&str, Stride), (&Threat, &Assessment)> = BTreeMap::new();
    for (threat, assessment) in catalog_rows(catalog, model) {
        if assessment.status == ThreatStatus::NotApplicable {
            continue;
        }
        let Some(platform) = catalog
            .component(&threat.component)
            .map(|c| c.platform.as_str())
            .filter(|p| !p.is_empty())
        else {
            continue;
        };
        let key = (platform, threat.stride);
        let better = best
            .get(&key)
            .is_none_or(|(_, current)| seriousness(assessment) > seriousness(current));
        if better {
            best.insert(key, (threat, assessment));
        }
    }
    best.into_iter()
        .map(|((platform, stride), (threat, assessment))| LetterPick {
            platform,
            stride,
            threat,
            assessment,
        })
        .collect()
}

/// Failing checks ranked by the risk their fix takes away, best first.
pub fn fixes_by_risk<'a>(catalog: &'a Catalog, model: &'a ThreatModel) -> Vec<RiskFix<'a>> {
    let mut fixes: BTreeMap<&'static str, RiskFix<'a>> = BTreeMap::new();
    for (_, assessment) in catalog_rows(catalog, model) {
        if assessment.underlying != ThreatStatus::Open {
            continue;
        }
        let mut failing: Vec<&str> = assessment
            .evidence
            .iter()
            .filter(|f| f.status.is_problem())
            .map(|f| f.check.as_str())
            .collect();
        failing.sort_unstable();
        failing.dedup();
        for id in &failing {
            let Some(check) = stockade_checks::by_id(id) else {
                continue;
            };
            let fix = fixes.entry(check.meta.id).or_insert_with(|| RiskFix {
                check: check.meta.id,
                title: check.meta.title,
                remediation: check.meta.remediation,
                cis: check.meta.cis.last().map(|r| r.id),
                closes: Vec::new(),
                narrows: Vec::new(),
                value: 0,
                narrowed_value: 0,
            });
            if failing.len() == 1 {
                fix.closes.push(assessment);
                fix.value += u32::from(assessment.risk);
            } else {
                fix.narrows.push(assessment);
                fix.narrowed_value += u32::from(assessment.risk);
            }
        }
    }
    let mut fixes: Vec<RiskFix<'a>> = fixes.into_values().collect();
    for fix in &mut fixes {
        fix.closes.sort_by_key(|a| std::cmp::Reverse(a.risk));
        fix.narrows.sort_by_key(|a| std::cmp::Reverse(a.risk));
    }
    fixes.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then_with(|| b.narrowed_value.cmp(&a.narrowed_value))
            .then_with(|| a.check.cmp(b.check))
    });
    fixes
}

/// The remediation text of check `id`.
pub fn remediation_of(id: &str) -> Option<&'static str> {
    stockade_checks::by_id(id).map(|c| c.meta.remediation)
}
