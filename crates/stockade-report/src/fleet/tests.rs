#![allow(clippy::unwrap_used)] // tests stop at the first surprise

use stockade_core::cis::Benchmark;
use stockade_core::meta::CheckMeta;
use stockade_core::{Finding, Status};
use stockade_threats::ThreatStatus;

use super::*;
use crate::model::{AuditReport, CheckResult, Target};

/// Two checks of the registry's shape, without the registry.
fn meta(id: &'static str, severity: stockade_core::Severity) -> &'static CheckMeta {
    Box::leak(Box::new(CheckMeta {
        id,
        title: "a control is in place",
        family: "docker_daemon",
        scope: stockade_core::meta::Scope::Daemon,
        severity,
        stride: &[],
        mode: stockade_core::meta::CheckMode::Automated,
        cis: &[],
        rationale: "",
        audit: "",
        remediation: "",
        fix: stockade_core::meta::FixAvailability::None,
    }))
}

fn host(
    name: &str,
    results: Vec<(&'static CheckMeta, Status)>,
    open: &[&str],
) -> FleetHost<'static> {
    FleetHost {
        name: name.to_owned(),
        source: format!("{name}.json"),
        input: HostInput::AuditResults,
        reports: vec![AuditReport {
            target: Target {
                hostname: Some(name.to_owned()),
                ..Target::default()
            },
            benchmark: Benchmark::Docker,
            cis_version: "1.6.0".to_owned(),
            results: results
                .into_iter()
                .map(|(meta, status)| CheckResult {
                    meta,
                    cis_number: None,
                    findings: vec![Finding::new(meta, status, "seen")],
                })
                .collect(),
        }],
        threats: open
            .iter()
            .map(|id| HostThreat {
                id: (*id).to_owned(),
                status: ThreatStatus::Open,
                risk: 12,
            })
            .collect(),
    }
}

fn fleet() -> Fleet<'static> {
    use stockade_core::Severity::{High, Low};
    let icc = meta("daemon-icc-enabled", Low);
    let tcp = meta("daemon-tcp-without-tls", High);
    Fleet {
        title: "fleet".to_owned(),
        generated_at: "2026-01-01T00:00:00Z".to_owned(),
        hosts: vec![
            host(
                "a",
                vec![(icc, Status::Fail), (tcp, Status::Pass)],
                &["T-1"],
            ),
            host("b", vec![(icc, Status::Fail), (tcp, Status::Warn)], &[]),
            host(
                "c",
                vec![(icc, Status::Pass), (tcp, Status::Fail)],
                &["T-1"],
            ),
        ],
        problems: Vec::new(),
        threats: vec![ThreatInfo {
            id: "T-1".to_owned(),
            title: "a threat".to_owned(),
            stride: stockade_core::meta::Stride::Tampering,
            component: "docker-daemon".to_owned(),
        }],
    }
}

#[test]
fn checks_list_the_hosts_that_fail_them_most_failing_first() {
    let fleet = fleet();
    let rollup = Rollup::of(&fleet);
    let first = &rollup.checks[0];
    // Both fail or warn on two hosts: the higher severity leads.
    assert_eq!(first.meta.id, "daemon-tcp-without-tls");
    assert_eq!(first.hosts_with(Status::Fail), &[2]);
    assert_eq!(first.hosts_with(Status::Warn), &[1]);
    assert_eq!(rollup.checks[1].hosts_with(Status::Fail), &[0, 1]);
}

#[test]
fn top_risks_put_severity_first_and_fail_before_warn() {
    let fleet = fleet();
    let risks: Vec<&str> = fleet.hosts[1]
        .top_risks(5)
        .iter()
        .map(|r| r.meta.id)
        .collect();
    assert_eq!(risks, ["daemon-tcp-without-tls", "daemon-icc-enabled"]);
    assert_eq!(fleet.hosts[1].top_risks(1).len(), 1);
}

#[test]
fn threats_count_the_hosts_where_they_are_open() {
    let fleet = fleet();
    let rollup = Rollup::of(&fleet);
    assert_eq!(rollup.threats[0].open_on, [0, 2]);
    assert_eq!(rollup.threats[0].count(ThreatStatus::Open), 2);
}

#[test]
fn long_name_lists_are_cut() {
    let fleet = fleet();
    assert_eq!(name_list(&fleet, &[0, 1, 2], 2), "a, b … and 1 more");
    assert_eq!(name_list(&fleet, &[0, 1, 2], 10), "a, b, c");
}

#[test]
fn html_escapes_what_it_shows() {
    assert_eq!(
        html::escape("<a href='x'>&</a>"),
        "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
    );
}
