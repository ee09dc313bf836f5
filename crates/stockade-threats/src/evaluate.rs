//! Deciding each threat's status from audit evidence.
//!
//! - `open`: a check linked to one of its mitigations failed (or warned):
//!   the failing findings are the evidence.
//! - `mitigated`: every automated check linked to it that ran passed (or
//!   did not apply), and at least one passed.
//! - `unverified`: only manual checks, no checks, checks that did not run,
//!   or checks that could not assess (error).
//! - `not-applicable`: the component is declared out of scope, or every
//!   linked check that ran found nothing to judge.
//! - `accepted`: a current acceptance covers it; it still counts as at risk
//!   and keeps its underlying status.

use std::collections::HashMap;

use serde::Serialize;
use stockade_core::meta::CheckMode;
use stockade_core::{Finding, Severity, Status};

use crate::catalog::{Acceptance, Catalog, Threat};

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
    Mitigated,
    NotApplicable,
}

impl ThreatStatus {
    pub const ALL: [ThreatStatus; 5] = [
        ThreatStatus::Open,
        ThreatStatus::Accepted,
        ThreatStatus::Unverified,
        ThreatStatus::Mitigated,
        ThreatStatus::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ThreatStatus::Open => "open",
            ThreatStatus::Accepted => "accepted",
            ThreatStatus::Unverified => "unverified",
            ThreatStatus::Mitigated => "mitigated",
            ThreatStatus::NotApplicable => "not-applicable",
        }
    }

    /// Open and accepted threats are risks the system carries.
    pub fn at_risk(self) -> bool {
        matches!(self, ThreatStatus::Open | ThreatStatus::Accepted)
    }
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
    pub acceptance: Option<Acceptance>,
    /// Orders open threats: the worst failing severity first, then the
    /// number of failing findings.
    pub rank: (Severity, usize),
}

/// The evaluated model.
#[derive(Clone, Debug)]
pub struct ThreatModel {
    pub assessments: Vec<Assessment>,
}

impl ThreatModel {
    pub fn assessment(&self, threat: &str) -> Option<&Assessment> {
        self.assessments.iter().find(|a| a.threat == threat)
    }

    /// Open threats, the most serious first.
    pub fn ranked_open(&self) -> Vec<&Assessment> {
        let mut open: Vec<&Assessment> = self
            .assessments
            .iter()
            .filter(|a| a.underlying == ThreatStatus::Open)
            .collect();
        open.sort_by(|a, b| b.rank.cmp(&a.rank).then_with(|| a.threat.cmp(&b.threat)));
        open
    }
}

/// Evaluates every threat of `catalog` against the check outcomes.
/// `today` (`YYYY-MM-DD`) decides which acceptances have expired.
pub fn evaluate(catalog: &Catalog, outcomes: &[CheckOutcome], today: &str) -> ThreatModel {
    let by_id: HashMap<&str, &CheckOutcome> = outcomes.iter().map(|o| (o.id.as_str(), o)).collect();
    let assessments = catalog
        .threats
        .iter()
        .map(|threat| {
            let mut assessment = assess(catalog, threat, &by_id);
            let acceptance = catalog
                .acceptances
                .iter()
                .filter(|a| a.threat == threat.id && a.expires.as_str() >= today)
                .find(|a| a.subject.is_none() || a.subject == threat.subject);
            if let Some(acceptance) = acceptance
                && assessment.underlying != ThreatStatus::NotApplicable
            {
                assessment.status = ThreatStatus::Accepted;
                assessment.reason = format!(
                    "accepted until {}: {} (underlying: {})",
                    acceptance.expires,
                    acceptance.reason,
                    assessment.underlying.as_str()
                );
                assessment.acceptance = Some(acceptance.clone());
            }
            assessment
        })
        .collect();
    ThreatModel { assessments }
}

fn assess(
    catalog: &Catalog,
    threat: &Threat,
    outcomes: &HashMap<&str, &CheckOutcome>,
) -> Assessment {
    let verdict = |status: ThreatStatus, reason: String, evidence: Vec<Finding>| {
        let worst = evidence
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info);
        let count = evidence.len();
        Assessment {
            threat: threat.id.clone(),
            status,
            underlying: status,
            reason,
            evidence,
            acceptance: None,
            rank: (worst, count),
        }
    };
    if let Some(out) = catalog
        .out_of_scope
        .iter()
        .find(|o| o.component == threat.component)
    {
        return verdict(
            ThreatStatus::NotApplicable,
            format!("{} is out of scope: {}", threat.component, out.reason),
            Vec::new(),
        );
    }
    let linked = threat.check_ids();
    if let (true, Some(observed)) = (linked.is_empty(), &threat.observed) {
        return verdict(
            ThreatStatus::Open,
            format!("seen on this host: {observed}"),
            Vec::new(),
        );
    }
    if linked.is_empty() {
        let reason = match &threat.evidence_hint {
            Some(hint) => format!("no check verifies it; look at: {hint}"),
            None => "no check verifies it".to_owned(),
        };
        return verdict(ThreatStatus::Unverified, reason, Vec::new());
    }
    let relevant = |f: &&Finding| match (&threat.subject, &f.subject) {
        (Some(wanted), Some(subject)) => subject.name == *wanted,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let ran: Vec<&CheckOutcome> = linked
        .iter()
        .filter_map(|id| outcomes.get(id).copied())
        .collect();
    let failing: Vec<Finding> = ran
        .iter()
        .flat_map(|o| &o.findings)
        .filter(relevant)
        .filter(|f| f.status.is_problem())
        .cloned()
        .collect();
    if !failing.is_empty() {
        let checks: Vec<&str> = dedup(failing.iter().map(|f| f.check.as_str()));
        return verdict(
            ThreatStatus::Open,
            format!("failed: {}", checks.join(", ")),
            failing,
        );
    }
    if ran.is_empty() {
        return verdict(
            ThreatStatus::Unverified,
            format!("not assessed: {} did not run", linked.join(", ")),
            Vec::new(),
        );
    }
    let automated: Vec<&CheckOutcome> = ran
        .iter()
        .copied()
        .filter(|o| o.mode == CheckMode::Automated)
        .collect();
    let findings: Vec<&Finding> = automated
        .iter()
        .flat_map(|o| &o.findings)
        .filter(relevant)
        .collect();
    let errors: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.status == Status::Error)
        .collect();
    if !errors.is_empty() {
        let reasons: Vec<String> = errors
            .iter()
            .map(|f| format!("{}: {}", f.check, f.message))
            .collect();
        return verdict(
            ThreatStatus::Unverified,
            format!("could not assess: {}", reasons.join("; ")),
            Vec::new(),
        );
    }
    let undecided: Vec<&str> = dedup(
        ran.iter()
            .flat_map(|o| &o.findings)
            .filter(relevant)
            .filter(|f| matches!(f.status, Status::Manual | Status::Info))
            .map(|f| f.check.as_str()),
    );
    let passing: Vec<Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.status == Status::Pass)
        .cloned()
        .collect();
    if passing.is_empty() {
        if !undecided.is_empty() {
            return verdict(
                ThreatStatus::Unverified,
                format!("needs a human: {}", undecided.join(", ")),
                Vec::new(),
            );
        }
        if findings.is_empty() && automated.is_empty() {
            return verdict(
                ThreatStatus::Unverified,
                "only manual checks cover it".to_owned(),
                Vec::new(),
            );
        }
        return verdict(
            ThreatStatus::NotApplicable,
            "every check that verifies it found nothing to judge here".to_owned(),
            Vec::new(),
        );
    }
    let checks: Vec<&str> = dedup(passing.iter().map(|f| f.check.as_str()));
    let mut reason = format!("passed: {}", checks.join(", "));
    if !undecided.is_empty() {
        reason.push_str(&format!(
            "; still to review by hand: {}",
            undecided.join(", ")
        ));
    }
    verdict(ThreatStatus::Mitigated, reason, passing)
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

#[cfg(test)]
mod tests {
    use stockade_core::finding::Subject;

    use super::*;
    use crate::load::builtin;

    fn outcome(id: &str, status: Status) -> CheckOutcome {
        let meta = &stockade_checks::by_id(id).unwrap().meta;
        CheckOutcome {
            id: id.to_owned(),
            mode: meta.mode,
            findings: vec![Finding::new(meta, status, format!("{id} is {status}"))],
        }
    }

    #[test]
    fn statuses_follow_the_linked_checks() {
        let catalog = builtin().unwrap();
        let threat = catalog
            .threats_of_check("daemon-icc-enabled")
            .next()
            .unwrap()
            .id
            .clone();
        let open = evaluate(
            &catalog,
            &[outcome("daemon-icc-enabled", Status::Fail)],
            "2026-01-01",
        );
        assert_eq!(open.assessment(&threat).unwrap().evidence.len(), 1);
        let cases = [
            (Some(Status::Fail), ThreatStatus::Open),
            (Some(Status::Pass), ThreatStatus::Mitigated),
            (None, ThreatStatus::Unverified),
            (Some(Status::Error), ThreatStatus::Unverified),
            (Some(Status::NotApplicable), ThreatStatus::NotApplicable),
        ];
        for (check_status, expected) in cases {
            let outcomes: Vec<CheckOutcome> = check_status
                .map(|s| outcome("daemon-icc-enabled", s))
                .into_iter()
                .collect();
            let model = evaluate(&catalog, &outcomes, "2026-01-01");
            assert_eq!(
                model.assessment(&threat).unwrap().status,
                expected,
                "{check_status:?}"
            );
        }
    }

    #[test]
    fn acceptances_apply_until_they_expire_and_stay_at_risk() {
        let mut catalog = builtin().unwrap();
        let threat = catalog
            .threats_of_check("daemon-icc-enabled")
            .next()
            .unwrap()
            .id
            .clone();
        catalog.acceptances.push(Acceptance {
            threat: threat.clone(),
            subject: None,
            reason: "legacy app needs it".into(),
            expires: "2026-06-30".into(),
            by: None,
            origin: crate::catalog::Origin::Topology,
        });
        let outcomes = [outcome("daemon-icc-enabled", Status::Fail)];
        let before = evaluate(&catalog, &outcomes, "2026-06-30");
        let a = before.assessment(&threat).unwrap();
        assert_eq!(
            (a.status, a.underlying),
            (ThreatStatus::Accepted, ThreatStatus::Open)
        );
        assert!(a.status.at_risk());
        let after = evaluate(&catalog, &outcomes, "2026-07-01");
        assert_eq!(
            after.assessment(&threat).unwrap().status,
            ThreatStatus::Open
        );
    }

    #[test]
    fn subject_threats_only_see_their_subjects_findings() {
        let mut catalog = builtin().unwrap();
        let (check, mut threat) = ["docker-sock-permissive", "daemon-icc-enabled"]
            .into_iter()
            .find_map(|id| Some((id, catalog.threats_of_check(id).next()?.clone())))
            .unwrap();
        // Only that check verifies the generated threat.
        for mitigation in &mut threat.mitigations {
            for link in &mut mitigation.checks {
                link.checks.retain(|id| *id == check);
            }
        }
        threat.id = "GEN-1".into();
        threat.subject = Some("web".into());
        catalog.threats.push(threat);
        let meta = &stockade_checks::by_id(check).unwrap().meta;
        let findings = vec![
            Finding::fail(meta, "db fails").subject(Subject::new(
                stockade_core::finding::SubjectKind::Container,
                "db",
            )),
            Finding::pass(meta, "web passes").subject(Subject::new(
                stockade_core::finding::SubjectKind::Container,
                "web",
            )),
        ];
        let outcomes = [CheckOutcome {
            id: check.to_owned(),
            mode: meta.mode,
            findings,
        }];
        let model = evaluate(&catalog, &outcomes, "2026-01-01");
        assert_eq!(
            model.assessment("GEN-1").unwrap().status,
            ThreatStatus::Mitigated
        );
    }
}
