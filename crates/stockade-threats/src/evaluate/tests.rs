use stockade_core::finding::{Subject, SubjectKind};

use super::*;
use crate::catalog::{Origin, Presence};
use crate::load::{builtin, load_user_model};

fn outcome(id: &str, status: Status) -> CheckOutcome {
    let meta = &stockade_checks::by_id(id).unwrap().meta;
    CheckOutcome {
        id: id.to_owned(),
        mode: meta.mode,
        findings: vec![Finding::new(meta, status, format!("{id} is {status}"))],
    }
}

/// Two preventive mitigations and one detective one, each with one check.
const MODEL: &str = "\
threats:
  - id: APP-01
    component: docker-daemon
    stride: T
    title: t
    description: d
    mitigations:
      - description: first preventive control
        checks: [daemon-icc-enabled]
      - description: second preventive control
        checks: [daemon-live-restore-disabled]
      - description: an audit watch
        kind: detect
        checks: [audit-rule-missing-etc-docker]
";

const PREVENT_A: &str = "daemon-icc-enabled";
const PREVENT_B: &str = "daemon-live-restore-disabled";
const DETECT: &str = "audit-rule-missing-etc-docker";

fn catalog() -> Catalog {
    let mut catalog = builtin().unwrap();
    load_user_model(&mut catalog, "model.yaml", MODEL).unwrap();
    catalog
}

/// First preventive, second preventive and detective check, and the status.
type Row = (Option<Status>, Option<Status>, Option<Status>, ThreatStatus);

/// The status rules of docs/threat-model.md, row by row: what the first
/// preventive, second preventive and detective checks said (None: did not
/// run), and the threat's status.
#[test]
fn the_status_table() {
    use Status::{Error, Fail, Manual, NotApplicable as Na, Pass};
    use ThreatStatus as T;
    let rows: &[Row] = &[
        (Some(Fail), Some(Pass), Some(Pass), T::Open),
        (Some(Fail), Some(Pass), Some(Fail), T::Open),
        (Some(Fail), None, None, T::Open),
        (Some(Pass), Some(Pass), Some(Pass), T::Mitigated),
        (Some(Na), Some(Pass), Some(Pass), T::Mitigated),
        (Some(Pass), Some(Pass), Some(Na), T::Mitigated),
        (Some(Pass), Some(Pass), Some(Fail), T::MonitoringGap),
        (Some(Pass), Some(Pass), None, T::MonitoringGap),
        (Some(Pass), None, Some(Pass), T::Unverified),
        (Some(Pass), Some(Manual), Some(Pass), T::Unverified),
        (Some(Pass), Some(Error), Some(Pass), T::Unverified),
        (None, None, Some(Fail), T::Unverified),
        (None, None, None, T::Unverified),
        (Some(Na), Some(Na), Some(Fail), T::NotApplicable),
    ];
    let catalog = catalog();
    for (a, b, detect, expected) in rows {
        let outcomes: Vec<CheckOutcome> = [(PREVENT_A, a), (PREVENT_B, b), (DETECT, detect)]
            .into_iter()
            .filter_map(|(id, status)| status.map(|s| outcome(id, s)))
            .collect();
        let model = evaluate(&catalog, &outcomes, "2026-01-01");
        let assessment = model.assessment("APP-01").unwrap();
        assert_eq!(
            assessment.status, *expected,
            "{a:?} {b:?} {detect:?}: {}",
            assessment.reason
        );
        if *expected == T::Open {
            assert!(assessment.evidence.iter().all(|f| f.status == Fail));
            assert!(!assessment.evidence.is_empty());
            assert!(assessment.risk >= 2 * assessment.impact);
        }
        if *expected == T::Mitigated {
            // Every mitigation with checks has a pass or not-applicable, none fails.
            for m in &assessment.mitigations {
                assert!(matches!(
                    m.state,
                    ControlState::InPlace | ControlState::NotApplicable
                ));
            }
        }
        assert_eq!(assessment.risk, assessment.likelihood * assessment.impact);
    }
}

#[test]
fn acceptances_apply_until_they_expire_and_stay_at_risk() {
    let mut catalog = catalog();
    catalog.acceptances.push(Acceptance {
        threat: "APP-01".into(),
        subject: None,
        reason: "legacy app needs it".into(),
        expires: "2026-06-30".into(),
        by: None,
        origin: Origin::Topology,
    });
    let outcomes = [outcome(PREVENT_A, Status::Fail)];
    let before = evaluate(&catalog, &outcomes, "2026-06-30");
    let a = before.assessment("APP-01").unwrap();
    assert_eq!(
        (a.status, a.underlying),
        (ThreatStatus::Accepted, ThreatStatus::Open)
    );
    assert!(a.status.at_risk());
    assert!(before.acceptance_notes.is_empty());
    let after = evaluate(&catalog, &outcomes, "2026-07-01");
    let a = after.assessment("APP-01").unwrap();
    assert_eq!(a.status, ThreatStatus::Open);
    assert!(a.expired_acceptance.is_some());
    assert!(a.reason.contains("expired on 2026-06-30"), "{}", a.reason);
    assert_eq!(
        after.acceptance_notes[0].problem,
        AcceptanceProblem::Expired
    );
}

fn container_finding(check: &str, status: Status, name: &str) -> Finding {
    let meta = &stockade_checks::by_id(check).unwrap().meta;
    Finding::new(meta, status, format!("{check} {status} on {name}"))
        .subject(Subject::new(SubjectKind::Container, name))
}

/// `DKR-CTR-02` with an instance on `ci-runner` (the socket is mounted
/// there) and a container `web` that passes.
fn socket_model(acceptance_subject: Option<&str>) -> (Catalog, Vec<CheckOutcome>) {
    let mut catalog = builtin().unwrap();
    let check = "docker-sock-mounted";
    let meta = &stockade_checks::by_id(check).unwrap().meta;
    let outcomes = vec![CheckOutcome {
        id: check.to_owned(),
        mode: meta.mode,
        findings: vec![
            container_finding(check, Status::Fail, "ci-runner"),
            container_finding(check, Status::Pass, "web"),
        ],
    }];
    if let Some(subject) = acceptance_subject {
        catalog.acceptances.push(Acceptance {
            threat: "DKR-CTR-02".into(),
            subject: Some(subject.into()),
            reason: "the runner builds images".into(),
            expires: "2099-01-01".into(),
            by: None,
            origin: Origin::Topology,
        });
    }
    let mut instance = catalog.threat("DKR-CTR-02").unwrap().clone();
    instance.id = "DKR-CTR-02@ci-runner".into();
    instance.subject = Some("ci-runner".into());
    instance.subject_aliases = vec!["registry.local/runner:1".into()];
    instance.instance_of = Some("DKR-CTR-02".into());
    catalog.threats.push(instance);
    (catalog, outcomes)
}

#[test]
fn the_aggregate_is_the_worst_of_its_instances() {
    let (catalog, outcomes) = socket_model(None);
    let model = evaluate(&catalog, &outcomes, "2026-01-01");
    let instance = model.assessment("DKR-CTR-02@ci-runner").unwrap();
    let aggregate = model.assessment("DKR-CTR-02").unwrap();
    assert_eq!(instance.status, ThreatStatus::Open);
    assert_eq!(aggregate.status, ThreatStatus::Open);
    assert!(aggregate.risk >= instance.risk);
    assert!(
        aggregate.reason.contains("ci-runner"),
        "{}",
        aggregate.reason
    );
}

#[test]
fn a_subject_acceptance_covers_that_instance_only() {
    for subject in ["ci-runner", "ci-*", "registry.local/runner:*"] {
        let (catalog, outcomes) = socket_model(Some(subject));
        let model = evaluate(&catalog, &outcomes, "2026-01-01");
        assert_eq!(
            model.assessment("DKR-CTR-02@ci-runner").unwrap().status,
            ThreatStatus::Accepted,
            "{subject}"
        );
        // The aggregate: accepted instance, web passes → accepted, not open.
        assert_eq!(
            model.assessment("DKR-CTR-02").unwrap().status,
            ThreatStatus::Accepted
        );
        assert!(model.acceptance_notes.is_empty());
    }
    let (catalog, outcomes) = socket_model(Some("nothing-here"));
    let model = evaluate(&catalog, &outcomes, "2026-01-01");
    assert_eq!(
        model.assessment("DKR-CTR-02@ci-runner").unwrap().status,
        ThreatStatus::Open
    );
    assert_eq!(
        model.acceptance_notes[0].problem,
        AcceptanceProblem::MatchesNothing
    );
}

#[test]
fn threats_of_components_the_host_does_not_run_do_not_apply() {
    let mut catalog = builtin().unwrap();
    catalog.presence.push((
        "etcd".into(),
        Presence::InstalledNotRunning("unit etcd.service, but no etcd process runs".into()),
    ));
    let etcd_check = catalog
        .threats
        .iter()
        .find(|t| t.component == "etcd" && !t.check_ids().is_empty())
        .unwrap()
        .clone();
    let outcomes: Vec<CheckOutcome> = etcd_check
        .check_ids()
        .into_iter()
        .map(|id| outcome(id, Status::Fail))
        .collect();
    let model = evaluate(&catalog, &outcomes, "2026-01-01");
    let a = model.assessment(&etcd_check.id).unwrap();
    assert_eq!(a.status, ThreatStatus::NotApplicable);
    assert!(
        a.reason.contains("installed but not running"),
        "{}",
        a.reason
    );
}

#[test]
fn a_daemon_wide_fact_is_the_daemons_threat() {
    let catalog = builtin().unwrap();
    let outcomes = [
        outcome("daemon-userns-remap-disabled", Status::Fail),
        outcome("container-host-userns", Status::Fail),
    ];
    let model = evaluate(&catalog, &outcomes, "2026-01-01");
    assert_eq!(
        model.assessment("DKR-DMN-05").unwrap().status,
        ThreatStatus::Open
    );
    let container = model.assessment("DKR-CTR-22").unwrap();
    assert_eq!(container.status, ThreatStatus::NotApplicable);
    assert!(
        container.reason.contains("DKR-DMN-05"),
        "{}",
        container.reason
    );
}

#[test]
fn risk_orders_open_threats() {
    let catalog = builtin().unwrap();
    let outcomes = [
        outcome("daemon-tcp-without-tls", Status::Fail),
        outcome("container-memory-unlimited", Status::Fail),
    ];
    let model = evaluate(&catalog, &outcomes, "2026-01-01");
    let open = model.ranked_open();
    assert!(open.len() >= 2);
    assert!(open.windows(2).all(|w| w[0].risk >= w[1].risk));
    // Exposure on the network puts the unauthenticated socket first.
    let top = catalog.threat(&open[0].threat).unwrap();
    assert!(top.check_ids().contains(&"daemon-tcp-without-tls"));
    assert_eq!(open[0].likelihood, 5);
}
