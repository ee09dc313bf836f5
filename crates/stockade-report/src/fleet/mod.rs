//! The fleet report: the audits of many hosts in one view — per host its
//! counts and top risks, per check the hosts that fail it, per threat the
//! hosts where it is open.
//!
//! A single audit is a fleet of one: the Markdown, HTML and JUnit renderers
//! take a [`Fleet`], so `audit --format junit|markdown|html` can wrap its
//! reports in one [`FleetHost`] (with [`RenderOptions::all_checks`] to list
//! every check, not only the problems).

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod single;
pub mod text;

use std::collections::HashMap;

use stockade_core::cis::{self, Benchmark};
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Status};
use stockade_threats::ThreatStatus;

use crate::model::{AuditReport, CheckResult};

/// How a host's results reached the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostInput {
    /// `stockade audit --format json`, read as written.
    AuditResults,
    /// `stockade collect`, judged by this stockade.
    Snapshot,
    /// Audited by this very run, on the machine it runs on.
    Live,
    /// Audited by this very run from a host filesystem mounted elsewhere
    /// (`audit --host-root DIR` on a root that is not this machine's).
    HostRoot,
}

impl HostInput {
    pub fn as_str(self) -> &'static str {
        match self {
            HostInput::AuditResults => "audit-results",
            HostInput::Snapshot => "snapshot",
            HostInput::Live => "live",
            HostInput::HostRoot => "host-root",
        }
    }

    /// For people: `audit results`, `snapshot`, `live audit`, `mounted host root`.
    pub fn label(self) -> &'static str {
        match self {
            HostInput::AuditResults => "audit results",
            HostInput::Snapshot => "snapshot",
            HostInput::Live => "live audit",
            HostInput::HostRoot => "mounted host root",
        }
    }

    /// Whether the host came from a file (whose path is worth showing).
    pub fn is_file(self) -> bool {
        matches!(self, HostInput::AuditResults | HostInput::Snapshot)
    }
}

impl FleetHost<'_> {
    /// Where the host's results came from, for people: the file and how it
    /// was read (`hosts/a.json (snapshot)`), or what this run audited
    /// (`live audit`, `mounted host root /mnt/host`) without saying it twice.
    pub fn origin(&self) -> String {
        let label = self.input.label();
        if self.input.is_file() {
            format!("{} ({label})", self.source)
        } else if self.source.is_empty()
            || self.source == self.input.as_str()
            || self.source == label
        {
            label.to_owned()
        } else {
            format!("{label}: {}", self.source)
        }
    }
}

/// One threat's status on one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostThreat {
    pub id: String,
    pub status: ThreatStatus,
    /// likelihood × impact on this host, 1–25.
    pub risk: u8,
}

/// One host of the fleet: its audit (one report per benchmark) and its
/// threat model's verdicts.
#[derive(Clone, Debug)]
pub struct FleetHost<'a> {
    /// Unique within the fleet: the hostname, else the file name.
    pub name: String,
    /// The file the results came from (or `live`).
    pub source: String,
    pub input: HostInput,
    pub reports: Vec<AuditReport<'a>>,
    /// Catalog threats (not their per-container instances) and their status.
    pub threats: Vec<HostThreat>,
}

impl<'a> FleetHost<'a> {
    /// Every check result, over all benchmarks.
    pub fn results(&self) -> impl Iterator<Item = (&AuditReport<'a>, &CheckResult<'a>)> {
        self.reports
            .iter()
            .flat_map(|report| report.results.iter().map(move |r| (report, r)))
    }

    /// The hostname the host's own document gives.
    pub fn hostname(&self) -> Option<&str> {
        self.reports
            .iter()
            .find_map(|r| r.target.hostname.as_deref())
    }

    /// Checks by their overall status.
    pub fn counts(&self) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for (_, result) in self.results() {
            counts.add(result.status());
        }
        counts
    }

    /// The `n` most serious problem checks: highest severity first, a fail
    /// before a warn of the same severity, then in benchmark order.
    pub fn top_risks(&self, n: usize) -> Vec<&CheckResult<'a>> {
        let mut problems: Vec<&CheckResult<'a>> = self
            .results()
            .map(|(_, r)| r)
            .filter(|r| r.status().is_problem())
            .collect();
        problems.sort_by(|a, b| {
            b.meta
                .severity
                .cmp(&a.meta.severity)
                .then_with(|| (b.status() == Status::Fail).cmp(&(a.status() == Status::Fail)))
                .then_with(|| benchmark_order(a, b))
        });
        problems.truncate(n);
        problems
    }

    /// Threats open on this host.
    pub fn open_threats(&self) -> impl Iterator<Item = &HostThreat> {
        self.threats
            .iter()
            .filter(|t| t.status == ThreatStatus::Open)
    }
}

/// CIS number order, checks without a number last, then by id.
fn benchmark_order(a: &CheckResult<'_>, b: &CheckResult<'_>) -> std::cmp::Ordering {
    match (a.cis_number, b.cis_number) {
        (Some(x), Some(y)) => cis::compare_numbers(x, y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.meta.id.cmp(b.meta.id),
    }
}

/// A file that gave no host: unreadable, not JSON, not a stockade document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputProblem {
    pub file: String,
    /// The whole error, naming the file (and line and column for JSON).
    pub message: String,
}

/// A threat of the catalog, as the fleet report names it.
#[derive(Clone, Debug)]
pub struct ThreatInfo {
    pub id: String,
    pub title: String,
    pub stride: Stride,
    pub component: String,
}

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct Fleet<'a> {
    pub title: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    /// In report order (the command sorts them by name).
    pub hosts: Vec<FleetHost<'a>>,
    pub problems: Vec<InputProblem>,
    /// The catalog's threats, in catalog order.
    pub threats: Vec<ThreatInfo>,
}

/// What the renderers show beyond the fleet's tables.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// Top risks per host.
    pub top: usize,
    /// List every check of every host in its details, not only problems
    /// (for a single host's audit).
    pub all_checks: bool,
    /// Host names listed per check or threat in text and Markdown before
    /// `… and N more` (HTML and JSON list them all).
    pub name_limit: usize,
    /// Findings shown per check in host details (HTML, Markdown, JUnit)
    /// before `… and N more findings` (the JSON audit results have them all).
    pub findings_limit: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            top: 5,
            all_checks: false,
            name_limit: 10,
            findings_limit: 20,
        }
    }
}

/// Counts by [`Status`], in [`Status::ALL`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusCounts([usize; 7]);

impl StatusCounts {
    fn slot(status: Status) -> usize {
        Status::ALL.iter().position(|s| *s == status).unwrap_or(0)
    }

    pub fn add(&mut self, status: Status) {
        self.0[Self::slot(status)] += 1;
    }

    pub fn get(&self, status: Status) -> usize {
        self.0[Self::slot(status)]
    }

    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
}

/// One check across the fleet.
#[derive(Clone, Debug)]
pub struct CheckRow<'f> {
    pub meta: &'f CheckMeta,
    pub benchmark: Benchmark,
    pub cis: Option<&'f str>,
    /// Host indices (into [`Fleet::hosts`]) by the check's status there.
    hosts: [Vec<usize>; 7],
}

impl CheckRow<'_> {
    /// The hosts where the check has this overall status.
    pub fn hosts_with(&self, status: Status) -> &[usize] {
        &self.hosts[StatusCounts::slot(status)]
    }

    /// Hosts where it failed or warned.
    pub fn problem_hosts(&self) -> usize {
        self.hosts_with(Status::Fail).len() + self.hosts_with(Status::Warn).len()
    }

    pub fn counts(&self) -> StatusCounts {
        StatusCounts(std::array::from_fn(|i| self.hosts[i].len()))
    }
}

/// One threat across the fleet.
#[derive(Clone, Debug)]
pub struct ThreatRow<'f> {
    pub info: &'f ThreatInfo,
    /// Hosts by status, in [`ThreatStatus::ALL`] order.
    counts: [usize; 6],
    /// Host indices where it is open.
    pub open_on: Vec<usize>,
    /// The highest risk among the hosts where it is open.
    pub max_risk: u8,
}

impl ThreatRow<'_> {
    pub fn count(&self, status: ThreatStatus) -> usize {
        ThreatStatus::ALL
            .iter()
            .position(|s| *s == status)
            .map_or(0, |i| self.counts[i])
    }
}

/// The fleet's tables, computed once for every renderer.
#[derive(Clone, Debug)]
pub struct Rollup<'f> {
    /// Every check seen on some host: those failing or warning on the most
    /// hosts first, then by severity, then in benchmark order.
    pub checks: Vec<CheckRow<'f>>,
    /// Every catalog threat evaluated on some host: open on the most hosts
    /// first, then by risk.
    pub threats: Vec<ThreatRow<'f>>,
}

impl<'f> Rollup<'f> {
    pub fn of(fleet: &'f Fleet<'_>) -> Rollup<'f> {
        Rollup {
            checks: check_rows(fleet),
            threats: threat_rows(fleet),
        }
    }

    /// Checks failing or warning on some host.
    pub fn checks_failing(&self) -> impl Iterator<Item = &CheckRow<'f>> {
        self.checks.iter().filter(|c| c.problem_hosts() > 0)
    }

    /// Checks that fail or warn nowhere but could not assess some host.
    pub fn checks_not_assessed(&self) -> impl Iterator<Item = &CheckRow<'f>> {
        self.checks
            .iter()
            .filter(|c| c.problem_hosts() == 0 && !c.hosts_with(Status::Error).is_empty())
    }

    /// Threats open on some host.
    pub fn open_threats(&self) -> impl Iterator<Item = &ThreatRow<'f>> {
        self.threats.iter().filter(|t| !t.open_on.is_empty())
    }
}

fn check_rows<'f>(fleet: &'f Fleet<'_>) -> Vec<CheckRow<'f>> {
    let mut rows: Vec<CheckRow<'f>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (host_index, host) in fleet.hosts.iter().enumerate() {
        for (report, result) in host.results() {
            let row = *index.entry(result.meta.id).or_insert_with(|| {
                rows.push(CheckRow {
                    meta: result.meta,
                    benchmark: report.benchmark,
                    cis: result.cis_number,
                    hosts: Default::default(),
                });
                rows.len() - 1
            });
            rows[row].hosts[StatusCounts::slot(result.status())].push(host_index);
        }
    }
    rows.sort_by(|a, b| {
        b.problem_hosts()
            .cmp(&a.problem_hosts())
            .then_with(|| b.meta.severity.cmp(&a.meta.severity))
            .then_with(|| a.benchmark.cmp(&b.benchmark))
            .then_with(|| match (a.cis, b.cis) {
                (Some(x), Some(y)) => cis::compare_numbers(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.meta.id.cmp(b.meta.id))
    });
    rows
}

fn threat_rows<'f>(fleet: &'f Fleet<'_>) -> Vec<ThreatRow<'f>> {
    let position: HashMap<&str, usize> = fleet
        .threats
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let mut rows: Vec<Option<ThreatRow<'f>>> = vec![None; fleet.threats.len()];
    for (host_index, host) in fleet.hosts.iter().enumerate() {
        for threat in &host.threats {
            let Some(&at) = position.get(threat.id.as_str()) else {
                continue;
            };
            let row = rows[at].get_or_insert_with(|| ThreatRow {
                info: &fleet.threats[at],
                counts: [0; 6],
                open_on: Vec::new(),
                max_risk: 0,
            });
            if let Some(slot) = ThreatStatus::ALL.iter().position(|s| *s == threat.status) {
                row.counts[slot] += 1;
            }
            if threat.status == ThreatStatus::Open {
                row.open_on.push(host_index);
                row.max_risk = row.max_risk.max(threat.risk);
            }
        }
    }
    let mut rows: Vec<ThreatRow<'f>> = rows.into_iter().flatten().collect();
    rows.sort_by(|a, b| {
        b.open_on
            .len()
            .cmp(&a.open_on.len())
            .then_with(|| b.max_risk.cmp(&a.max_risk))
    });
    rows
}

/// The findings of a result that need attention (fail, warn, error), or
/// all of them when there are none of those.
pub fn findings_to_show<'r>(result: &'r CheckResult<'_>) -> Vec<&'r Finding> {
    let attention: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| f.status.is_problem() || f.status == Status::Error)
        .collect();
    if attention.is_empty() {
        result.findings.iter().collect()
    } else {
        attention
    }
}

/// The findings of a result to show, at most `limit`, and how many more
/// there are.
pub fn findings_within<'r>(result: &'r CheckResult<'_>, limit: usize) -> (Vec<&'r Finding>, usize) {
    let mut shown = findings_to_show(result);
    let hidden = shown.len().saturating_sub(limit);
    shown.truncate(limit);
    (shown, hidden)
}

/// `node-a, node-b, node-c … and 7 more` (at most `limit` names).
pub fn name_list(fleet: &Fleet<'_>, hosts: &[usize], limit: usize) -> String {
    let names: Vec<&str> = hosts
        .iter()
        .take(limit)
        .filter_map(|&i| fleet.hosts.get(i).map(|h| h.name.as_str()))
        .collect();
    let more = hosts.len().saturating_sub(limit);
    let mut text = names.join(", ");
    if more > 0 {
        text.push_str(&format!(" … and {more} more"));
    }
    text
}

/// `2.2 daemon-icc-enabled` or `daemon-icc-enabled` without a number.
pub fn check_label(meta: &CheckMeta, cis: Option<&str>) -> String {
    match cis {
        Some(number) => format!("{number} {}", meta.id),
        None => meta.id.to_owned(),
    }
}

/// The statuses shown as columns, most pressing first.
pub const COLUMNS: [Status; 7] = [
    Status::Fail,
    Status::Warn,
    Status::Error,
    Status::Manual,
    Status::Info,
    Status::Pass,
    Status::NotApplicable,
];

#[cfg(test)]
mod tests;
