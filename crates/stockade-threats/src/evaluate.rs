//! Deciding each threat's status from audit evidence.
//!
//! Each mitigation is judged from its checks first (see [`ControlState`]),
//! then the threat from its mitigations; docs/threat-model.md has the table.
//!
//! - `open`: a preventive mitigation's check failed: the failing findings
//!   are the evidence.
//! - `mitigated`: every preventive mitigation that has checks is in place
//!   (a check passed, none failed) or not applicable, at least one is in
//!   place, and so is every detective one.
//! - `monitoring-gap`: prevented as above, but a detective mitigation (an
//!   audit watch) is missing or unverified.
//! - `unverified`: a preventive mitigation could not be verified (manual,
//!   error or not-run checks), or no check verifies the threat's prevention.
//! - `not-applicable`: the component is out of scope or not on this host, a
//!   wider threat stands for it, or every check found nothing to judge.
//! - `accepted`: a current acceptance covers it; it still counts as at risk
//!   and keeps its underlying status.
//!
//! A catalog threat with instances (`DKR-CTR-02@web`) is their aggregate:
//! the worst status of its instances and of the findings no instance takes.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use stockade_core::meta::CheckMode;
use stockade_core::{Finding, Severity, Status};

use crate::catalog::{Acceptance, Catalog, MitigationKind, Presence, Threat};
use crate::risk::{self, Rating};

/// The result of one check, as the model reads it.
#[derive(Clone, Debug)]
pub struct CheckOutcome {
    pub id: String,
    pub mode: CheckMode,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreatStatus {
    Open,
    Accepted,
    Unverified,
    MonitoringGap,
    Mitigated,
    NotApplicable,
}

impl ThreatStatus {
    /// Worst first.
    pub const ALL: [ThreatStatus; 6] = [
        ThreatStatus::Open,
        ThreatStatus::Accepted,
        ThreatStatus::Unverified,
        ThreatStatus::MonitoringGap,
        ThreatStatus::Mitigated,
        ThreatStatus::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ThreatStatus::Open => "open",
            ThreatStatus::Accepted => "accepted",
            ThreatStatus::Unverified => "unverified",
            ThreatStatus::MonitoringGap => "monitoring-gap",
            ThreatStatus::Mitigated => "mitigated",
            ThreatStatus::NotApplicable => "not-applicable",
        }
    }

    /// Open and accepted threats are risks the system carries.
    pub fn at_risk(self) -> bool {
        matches!(self, ThreatStatus::Open | ThreatStatus::Accepted)
    }
}

/// What one check says about one threat (its findings for the threat's subject).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckState {
    Fail,
    Error,
    Pass,
    /// Manual or informational: a human has to look.
    Manual,
    NotApplicable,
    /// Not selected, or not part of the evidence.
    NotRun,
}

impl CheckState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Fail => "fail",
            CheckState::Error => "error",
            CheckState::Pass => "pass",
            CheckState::Manual => "manual",
            CheckState::NotApplicable => "not-applicable",
            CheckState::NotRun => "not-run",
        }
    }
}

/// Whether a mitigation is in place, judged from its checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlState {
    /// A check failed.
    Missing,
    /// No check failed and none passed: manual, error or not-run checks.
    Unverified,
    /// A check passed and none failed.
    InPlace,
    /// Every check found nothing to protect here.
    NotApplicable,
    /// No check verifies it: the catalog's evidence hint says what to review.
    NoCheck,
}

impl ControlState {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlState::Missing => "missing",
            ControlState::Unverified => "unverified",
            ControlState::InPlace => "in-place",
            ControlState::NotApplicable => "not-applicable",
            ControlState::NoCheck => "no-check",
        }
    }
}

/// One mitigation of a threat, judged.
#[derive(Clone, Debug)]
pub struct MitigationAssessment {
    pub kind: MitigationKind,
    pub state: ControlState,
    /// Each linked check and what it said.
    pub checks: Vec<(&'static str, CheckState)>,
}

/// One threat's verdict.
#[derive(Clone, Debug)]
pub struct Assessment {
    pub threat: String,
    pub status: ThreatStatus,
    /// The status before any acceptance.
    pub underlying: ThreatStatus,
    /// Why, in one line.
    pub reason: String,
    /// The failing findings (open), or the passing ones (mitigated).
    pub evidence: Vec<Finding>,
    /// One per catalog mitigation, in order.
    pub mitigations: Vec<MitigationAssessment>,
    pub acceptance: Option<Acceptance>,
    /// An acceptance of this threat that has expired: the threat shows its
    /// underlying status.
    pub expired_acceptance: Option<Acceptance>,
    pub likelihood: u8,
    pub impact: u8,
    /// likelihood × impact, 1–25.
    pub risk: u8,
    /// The worst failing severity and the number of failing findings.
    pub rank: (Severity, usize),
}

impl Assessment {
    pub fn rating(&self) -> Rating {
        Rating {
            likelihood: self.likelihood,
            impact: self.impact,
        }
    }
}

/// An acceptance in the model files that did not take effect as written.
#[derive(Clone, Debug)]
pub struct AcceptanceNote {
    pub acceptance: Acceptance,
    pub problem: AcceptanceProblem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptanceProblem {
    /// Its date has passed: the threat shows its own status again.
    Expired,
    /// Its subject matches no instance of the threat on this host.
    MatchesNothing,
}

/// The evaluated model.
#[derive(Clone, Debug)]
pub struct ThreatModel {
    /// In catalog order.
    pub assessments: Vec<Assessment>,
    pub acceptance_notes: Vec<AcceptanceNote>,
    /// Threat id → position in `assessments`.
    index: HashMap<String, usize>,
}

impl ThreatModel {
    pub fn new(assessments: Vec<Assessment>, acceptance_notes: Vec<AcceptanceNote>) -> Self {
        let index = assessments
            .iter()
            .enumerate()
            .map(|(n, a)| (a.threat.clone(), n))
            .collect();
        ThreatModel {
            assessments,
            acceptance_notes,
            index,
        }
    }

    pub fn assessment(&self, threat: &str) -> Option<&Assessment> {
        self.index.get(threat).map(|&n| &self.assessments[n])
    }

    /// Open threats (underlying status), the highest risk first.
    pub fn ranked_open(&self) -> Vec<&Assessment> {
        let mut open: Vec<&Assessment> = self
            .assessments
            .iter()
            .filter(|a| a.underlying == ThreatStatus::Open)
            .collect();
        open.sort_by(|a, b| {
            b.risk
                .cmp(&a.risk)
                .then_with(|| b.rank.cmp(&a.rank))
                .then_with(|| a.threat.cmp(&b.threat))
        });
        open
    }
}

/// Evaluates every threat of `catalog` against the check outcomes.
/// `today` (`YYYY-MM-DD`) decides which acceptances have expired.
pub fn evaluate(catalog: &Catalog, outcomes: &[CheckOutcome], today: &str) -> ThreatModel {
    let by_id: HashMap<&str, &CheckOutcome> = outcomes.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut by_subject: FindingsBySubject<'_> = HashMap::new();
    for outcome in outcomes {
        for finding in &outcome.findings {
            if let Some(subject) = &finding.subject {
                by_subject
                    .entry((outcome.id.as_str(), subject.name.as_str()))
                    .or_default()
                    .push(finding);
            }
        }
    }
    let evidence = Evidence {
        outcomes: &by_id,
        by_subject: &by_subject,
    };
    let mut assessments: Vec<Assessment> = Vec::with_capacity(catalog.threats.len());
    // Instances first: their catalog threat aggregates them.
    let mut order: Vec<&Threat> = catalog.threats.iter().collect();
    order.sort_by_key(|t| t.instance_of.is_none());
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut instances_of: HashMap<&str, Vec<&Threat>> = HashMap::new();
    for threat in &catalog.threats {
        if let Some(base) = &threat.instance_of {
            instances_of.entry(base.as_str()).or_default().push(threat);
        }
    }
    for threat in order {
        let copies = instances_of
            .get(threat.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        let instances: Vec<&Assessment> = copies
            .iter()
            .filter_map(|i| index.get(i.id.as_str()).map(|&n| &assessments[n]))
            .collect();
        let taken: BTreeSet<&str> = copies.iter().filter_map(|i| i.subject.as_deref()).collect();
        let mut assessment = assess(catalog, threat, &evidence, &taken);
        accept(catalog, threat, &mut assessment, today);
        if !instances.is_empty() {
            assessment = aggregate(assessment, &instances);
        }
        index.insert(threat.id.as_str(), assessments.len());
        assessments.push(assessment);
    }
    // Back to catalog order.
    let mut by_threat: HashMap<String, Assessment> = assessments
        .into_iter()
        .map(|a| (a.threat.clone(), a))
        .collect();
    let assessments = catalog
        .threats
        .iter()
        .filter_map(|t| by_threat.remove(&t.id))
        .collect();
    ThreatModel::new(assessments, acceptance_notes(catalog, today))
}

fn accept(catalog: &Catalog, threat: &Threat, assessment: &mut Assessment, today: &str) {
    if assessment.underlying == ThreatStatus::NotApplicable {
        return;
    }
    let covering = || catalog.acceptances.iter().filter(|a| a.covers(threat));
    if let Some(acceptance) = covering().find(|a| a.expires.as_str() >= today) {
        assessment.status = ThreatStatus::Accepted;
        assessment.reason = format!(
            "accepted until {}: {} (underlying: {}: {})",
            acceptance.expires,
            acceptance.reason,
            assessment.underlying.as_str(),
            assessment.reason
        );
        assessment.acceptance = Some(acceptance.clone());
    } else if let Some(expired) = covering().max_by(|a, b| a.expires.cmp(&b.expires)) {
        assessment.reason = format!(
            "{} (the acceptance that expired on {} no longer applies)",
            assessment.reason, expired.expires
        );
        assessment.expired_acceptance = Some(expired.clone());
    }
}

/// Expired acceptances, and those whose subject matches no instance.
fn acceptance_notes(catalog: &Catalog, today: &str) -> Vec<AcceptanceNote> {
    catalog
        .acceptances
        .iter()
        .filter_map(|acceptance| {
            let problem = if acceptance.expires.as_str() < today {
                AcceptanceProblem::Expired
            } else if acceptance.subject.is_some()
                && !catalog.threats.iter().any(|t| acceptance.covers(t))
            {
                AcceptanceProblem::MatchesNothing
            } else {
                return None;
            };
            Some(AcceptanceNote {
                acceptance: acceptance.clone(),
                problem,
            })
        })
        .collect()
}

/// A catalog threat over its instances: the worst status wins, the highest
/// risk is the threat's risk, and the evidence of the worst parts is kept.
fn aggregate(own: Assessment, instances: &[&Assessment]) -> Assessment {
    let worst = instances
        .iter()
        .map(|i| i.status)
        .chain([own.status])
        .min()
        .unwrap_or(own.status);
    let worst_underlying = instances
        .iter()
        .map(|i| i.underlying)
        .chain([own.underlying])
        .min()
        .unwrap_or(own.underlying);
    let riskiest = instances
        .iter()
        .copied()
        .chain([&own])
        .max_by_key(|a| (a.risk, a.likelihood))
        .map(Assessment::rating)
        .unwrap_or_else(|| own.rating());
    let mut subjects: Vec<String> = Vec::new();
    for instance in instances.iter().filter(|i| i.status == worst) {
        subjects.push(
            instance
                .threat
                .split_once('@')
                .map_or(instance.threat.clone(), |(_, s)| s.to_owned()),
        );
    }
    let own_is_worst = own.status == worst;
    let evidence = dedup_findings(
        instances
            .iter()
            .filter(|i| i.status == worst)
            .flat_map(|i| i.evidence.iter().cloned())
            .chain(own.evidence.iter().filter(|_| own_is_worst).cloned()),
    );
    let reason = match (own_is_worst, subjects.is_empty()) {
        (true, true) => own.reason.clone(),
        (true, false) => format!(
            "{}; {} on {}",
            own.reason,
            worst.as_str(),
            subjects.join(", ")
        ),
        (false, _) => {
            let first = instances
                .iter()
                .find(|i| i.status == worst)
                .map(|i| i.reason.as_str())
                .unwrap_or_default();
            format!("{} on {}: {first}", worst.as_str(), subjects.join(", "))
        }
    };
    let failing: Vec<&Finding> = evidence.iter().filter(|f| f.status.is_problem()).collect();
    Assessment {
        status: worst,
        underlying: worst_underlying,
        reason,
        rank: rank_of(&failing),
        evidence,
        likelihood: riskiest.likelihood,
        impact: riskiest.impact,
        risk: riskiest.risk(),
        acceptance: if worst == ThreatStatus::Accepted {
            own.acceptance.clone().or_else(|| {
                instances
                    .iter()
                    .find(|i| i.status == ThreatStatus::Accepted)
                    .and_then(|i| i.acceptance.clone())
            })
        } else {
            None
        },
        ..own
    }
}

/// Findings of one check about one subject: `(check id, subject name)`.
type FindingsBySubject<'a> = HashMap<(&'a str, &'a str), Vec<&'a Finding>>;

/// The check outcomes, indexed for the threats that read them.
struct Evidence<'a> {
    outcomes: &'a HashMap<&'a str, &'a CheckOutcome>,
    by_subject: &'a FindingsBySubject<'a>,
}

/// Judges `threat` alone. `taken`: subjects whose findings belong to the
/// threat's instances.
fn assess(
    catalog: &Catalog,
    threat: &Threat,
    evidence: &Evidence<'_>,
    taken: &BTreeSet<&str>,
) -> Assessment {
    let outcomes = evidence.outcomes;
    let findings_of = |check: &str| -> Vec<&Finding> {
        match &threat.subject {
            Some(subject) => evidence
                .by_subject
                .get(&(check, subject.as_str()))
                .cloned()
                .unwrap_or_default(),
            None => outcomes
                .get(check)
                .map(|o| {
                    o.findings
                        .iter()
                        .filter(|f| {
                            f.subject
                                .as_ref()
                                .is_none_or(|s| !taken.contains(s.name.as_str()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    };
    let mitigations: Vec<MitigationAssessment> = threat
        .mitigations
        .iter()
        .map(|m| {
            let checks: Vec<(&'static str, CheckState)> = m
                .check_ids()
                .into_iter()
                .map(|id| (id, check_state(outcomes.get(id).copied(), &findings_of(id))))
                .collect();
            MitigationAssessment {
                kind: m.kind,
                state: control_state(&checks),
                checks,
            }
        })
        .collect();
    let verdict = |status: ThreatStatus, reason: String, evidence: Vec<Finding>| {
        let failing: Vec<&Finding> = evidence.iter().filter(|f| f.status.is_problem()).collect();
        let rating = risk::rate(catalog, threat, status, &failing, outcomes);
        Assessment {
            threat: threat.id.clone(),
            status,
            underlying: status,
            reason,
            rank: rank_of(&failing),
            evidence,
            mitigations: mitigations.clone(),
            acceptance: None,
            expired_acceptance: None,
            likelihood: rating.likelihood,
            impact: rating.impact,
            risk: rating.risk(),
        }
    };
    let not_applicable = |reason: String| verdict(ThreatStatus::NotApplicable, reason, Vec::new());

    if let Some(out) = catalog
        .out_of_scope
        .iter()
        .find(|o| o.component == threat.component)
    {
        return not_applicable(format!(
            "{} is out of scope: {}",
            threat.component, out.reason
        ));
    }
    match catalog.presence_of(&threat.component) {
        Some(Presence::InstalledNotRunning(why)) => {
            return not_applicable(format!("installed but not running: {why}"));
        }
        Some(Presence::Absent(why)) => return not_applicable(format!("not on this host: {why}")),
        Some(Presence::Present(_)) | None => {}
    }
    if let Some(covered) = &threat.covered_by {
        let failing: Vec<&Finding> = outcomes
            .get(covered.when_failing.as_str())
            .map(|o| {
                o.findings
                    .iter()
                    .filter(|f| f.status.is_problem())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(first) = failing.first() {
            return not_applicable(format!(
                "stands under {}: {} ({})",
                covered.threat, first.message, covered.when_failing
            ));
        }
    }
    if let Some(observed) = &threat.observed {
        return verdict(
            ThreatStatus::Open,
            format!("seen on this host: {observed}"),
            Vec::new(),
        );
    }

    let preventive: Vec<(usize, &MitigationAssessment)> = mitigations
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == MitigationKind::Prevent && m.state != ControlState::NoCheck)
        .collect();
    let failing_of = |m: &MitigationAssessment| -> Vec<Finding> {
        m.checks
            .iter()
            .flat_map(|(id, _)| findings_of(id))
            .filter(|f| f.status.is_problem())
            .cloned()
            .collect()
    };
    let missing: Vec<Finding> = dedup_findings(
        preventive
            .iter()
            .filter(|(_, m)| m.state == ControlState::Missing)
            .flat_map(|(_, m)| failing_of(m)),
    );
    if !missing.is_empty() {
        let checks = dedup(missing.iter().map(|f| f.check.as_str()));
        return verdict(
            ThreatStatus::Open,
            format!("failed: {}", few(&checks)),
            missing,
        );
    }
    let hint = threat
        .evidence_hint
        .as_deref()
        .map(|h| format!("; look at: {}", h.trim()))
        .unwrap_or_default();
    if preventive.is_empty() {
        let detective = mitigations.iter().any(|m| m.state != ControlState::NoCheck);
        let what = if detective {
            "no check verifies its prevention (only detection is checked)"
        } else {
            "no check verifies it"
        };
        return verdict(
            ThreatStatus::Unverified,
            format!("{what}{hint}"),
            Vec::new(),
        );
    }
    let unverified: Vec<String> = preventive
        .iter()
        .filter(|(_, m)| m.state == ControlState::Unverified)
        .flat_map(|(_, m)| {
            m.checks
                .iter()
                .filter(|(_, s)| *s != CheckState::NotApplicable)
                .map(|(id, s)| format!("{id} {}", s.as_str()))
        })
        .collect();
    let nothing_ran = preventive
        .iter()
        .all(|(_, m)| m.checks.iter().all(|(_, s)| *s == CheckState::NotRun));
    if nothing_ran {
        let checks: Vec<&str> = preventive
            .iter()
            .flat_map(|(_, m)| m.checks.iter().map(|(id, _)| *id))
            .collect();
        return verdict(
            ThreatStatus::Unverified,
            format!(
                "not assessed: {} did not run{hint}",
                few(&dedup(checks.into_iter()))
            ),
            Vec::new(),
        );
    }
    if !unverified.is_empty() {
        let errors: Vec<String> = preventive
            .iter()
            .flat_map(|(_, m)| &m.checks)
            .filter(|(_, s)| *s == CheckState::Error)
            .flat_map(|(id, _)| findings_of(id))
            .filter(|f| f.status == Status::Error)
            .map(|f| format!("{}: {}", f.check, f.message))
            .collect();
        let errors = if errors.is_empty() {
            String::new()
        } else {
            format!(" ({})", dedup(errors.iter().map(String::as_str)).join("; "))
        };
        return verdict(
            ThreatStatus::Unverified,
            format!(
                "a preventive control is not verified: {}{errors}{hint}",
                few(&dedup(unverified.iter().map(String::as_str)))
            ),
            Vec::new(),
        );
    }
    if preventive
        .iter()
        .all(|(_, m)| m.state == ControlState::NotApplicable)
    {
        return not_applicable(
            "every check that verifies it found nothing to judge here".to_owned(),
        );
    }
    let passing: Vec<Finding> = dedup_findings(
        preventive
            .iter()
            .flat_map(|(_, m)| &m.checks)
            .filter(|(_, s)| *s == CheckState::Pass)
            .flat_map(|(id, _)| findings_of(id))
            .filter(|f| f.status == Status::Pass)
            .cloned(),
    );
    let passed = dedup(passing.iter().map(|f| f.check.as_str()));
    let gaps: Vec<String> = mitigations
        .iter()
        .filter(|m| {
            m.kind == MitigationKind::Detect
                && matches!(m.state, ControlState::Missing | ControlState::Unverified)
        })
        .flat_map(|m| {
            m.checks
                .iter()
                .filter(|(_, s)| !matches!(s, CheckState::Pass | CheckState::NotApplicable))
                .map(|(id, s)| format!("{id} {}", s.as_str()))
        })
        .collect();
    if !gaps.is_empty() {
        return verdict(
            ThreatStatus::MonitoringGap,
            format!(
                "prevented (passed: {}), but its detection is not in place: {}",
                few(&passed),
                few(&dedup(gaps.iter().map(String::as_str)))
            ),
            passing,
        );
    }
    verdict(
        ThreatStatus::Mitigated,
        format!("passed: {}", few(&passed)),
        passing,
    )
}

/// The worst failing severity and the number of failing findings.
fn rank_of(failing: &[&Finding]) -> (Severity, usize) {
    let worst = failing
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Info);
    (worst, failing.len())
}

/// What a check's findings (for one threat's subject) say.
fn check_state(outcome: Option<&CheckOutcome>, findings: &[&Finding]) -> CheckState {
    let Some(outcome) = outcome else {
        return CheckState::NotRun;
    };
    let any = |status: Status| findings.iter().any(|f| f.status == status);
    if findings.iter().any(|f| f.status.is_problem()) {
        CheckState::Fail
    } else if any(Status::Error) {
        CheckState::Error
    } else if outcome.mode == CheckMode::Manual || any(Status::Manual) || any(Status::Info) {
        // A manual check's pass is a human's job, not evidence.
        if any(Status::Pass) && outcome.mode == CheckMode::Automated {
            CheckState::Pass
        } else {
            CheckState::Manual
        }
    } else if any(Status::Pass) {
        CheckState::Pass
    } else {
        // Nothing to judge for this subject (or only not-applicable findings).
        CheckState::NotApplicable
    }
}

fn control_state(checks: &[(&'static str, CheckState)]) -> ControlState {
    let any = |state: CheckState| checks.iter().any(|(_, s)| *s == state);
    if checks.is_empty() {
        ControlState::NoCheck
    } else if any(CheckState::Fail) {
        ControlState::Missing
    } else if any(CheckState::Pass) {
        ControlState::InPlace
    } else if checks.iter().all(|(_, s)| *s == CheckState::NotApplicable) {
        ControlState::NotApplicable
    } else {
        ControlState::Unverified
    }
}

/// `a, b, c, d and 3 more`: a list that stays on one line.
fn few(items: &[&str]) -> String {
    const SHOWN: usize = 4;
    if items.len() <= SHOWN + 1 {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..SHOWN].join(", "),
        items.len() - SHOWN
    )
}

fn dedup<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// What tells two findings apart in a threat's evidence.
fn finding_key(finding: &Finding) -> (&str, Option<&str>, &str) {
    (
        finding.check.as_str(),
        finding.subject.as_ref().map(|s| s.name.as_str()),
        finding.message.as_str(),
    )
}

fn dedup_findings(items: impl Iterator<Item = Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen: std::collections::HashSet<(String, Option<String>, String)> =
        std::collections::HashSet::new();
    for item in items {
        let (check, subject, message) = finding_key(&item);
        if seen.insert((
            check.to_owned(),
            subject.map(str::to_owned),
            message.to_owned(),
        )) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests;
