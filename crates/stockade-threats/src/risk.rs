//! Risk rating: likelihood × impact, each on a 1–5 scale.
//!
//! The method, in the spirit of the OWASP Risk Rating Methodology and
//! Threagile's likelihood × impact, is written out in docs/threat-model.md:
//!
//! - **Impact** is what the threat costs when it happens. It starts from the
//!   component (a daemon, host, API server or etcd taken over is the whole
//!   host or cluster: 5; a container or pod: 3) and moves with the STRIDE
//!   letter (elevation +1, repudiation and denial of service −1). A catalog
//!   threat may set `impact:` where that rule is wrong for it.
//! - **Likelihood** is how likely it is to happen on *this* host. Open
//!   threats start from the worst failing check's severity (critical 4,
//!   high and medium 3, low 2) or the catalog's `likelihood:`; evidence of
//!   exposure raises it (an unauthenticated TCP socket: 5; a Docker socket
//!   mounted into a container that runs as root: 5, into any container: 4;
//!   the same weakness on three or more containers: +1). Unverified
//!   threats are 2 (possible: nobody checked), threats that are mitigated,
//!   monitored or not applicable 1.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use stockade_core::{Finding, Severity, Status, Stride};

use crate::catalog::{Catalog, Threat};
use crate::evaluate::{CheckOutcome, ThreatStatus};

/// Likelihood and impact of one threat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub likelihood: u8,
    pub impact: u8,
}

impl Rating {
    pub fn risk(self) -> u8 {
        self.likelihood * self.impact
    }
}

/// Named bands of the 1–25 risk scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskBand {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskBand {
    pub const ALL: [RiskBand; 4] = [
        RiskBand::Low,
        RiskBand::Medium,
        RiskBand::High,
        RiskBand::Critical,
    ];

    /// 1–4 low, 5–9 medium, 10–16 high, 20–25 critical.
    pub fn of(risk: u8) -> RiskBand {
        match risk {
            0..=4 => RiskBand::Low,
            5..=9 => RiskBand::Medium,
            10..=16 => RiskBand::High,
            _ => RiskBand::Critical,
        }
    }

    /// The lowest risk in the band.
    pub fn floor(self) -> u8 {
        match self {
            RiskBand::Low => 1,
            RiskBand::Medium => 5,
            RiskBand::High => 10,
            RiskBand::Critical => 17,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RiskBand::Low => "low",
            RiskBand::Medium => "medium",
            RiskBand::High => "high",
            RiskBand::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<RiskBand> {
        RiskBand::ALL
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(text))
    }
}

/// The component's impact before the STRIDE letter moves it.
fn component_impact(component: &str) -> u8 {
    match component {
        "docker-daemon" | "docker-host" | "api-server" | "etcd" | "kubelet"
        | "control-plane-node" | "rbac" => 5,
        "docker-client" | "registry" | "image" | "controller-manager" => 4,
        _ => 3,
    }
}

/// The impact of `threat` (1–5).
pub fn impact(catalog: &Catalog, threat: &Threat) -> u8 {
    if let Some(impact) = threat.impact {
        return impact;
    }
    let component = catalog
        .component(&threat.component)
        .and_then(|c| c.instance_of.as_deref())
        .unwrap_or(&threat.component);
    let base = component_impact(component);
    let moved = match threat.stride {
        Stride::ElevationOfPrivilege => base + 1,
        Stride::Repudiation | Stride::DenialOfService => base.saturating_sub(1),
        Stride::Spoofing | Stride::Tampering | Stride::InformationDisclosure => base,
    };
    moved.clamp(1, 5)
}

/// Rates `threat` with status `status` (before any acceptance), from the
/// failing findings that make it open and the rest of the evidence.
pub fn rate(
    catalog: &Catalog,
    threat: &Threat,
    status: ThreatStatus,
    failing: &[&Finding],
    outcomes: &HashMap<&str, &CheckOutcome>,
) -> Rating {
    let likelihood = match status {
        ThreatStatus::Open | ThreatStatus::Accepted => open_likelihood(threat, failing, outcomes),
        ThreatStatus::Unverified => 2,
        ThreatStatus::MonitoringGap | ThreatStatus::Mitigated | ThreatStatus::NotApplicable => 1,
    };
    Rating {
        likelihood,
        impact: impact(catalog, threat),
    }
}

fn open_likelihood(
    threat: &Threat,
    failing: &[&Finding],
    outcomes: &HashMap<&str, &CheckOutcome>,
) -> u8 {
    let from_severity = failing
        .iter()
        .map(|f| match f.severity {
            Severity::Critical => 4,
            Severity::High | Severity::Medium => 3,
            Severity::Low | Severity::Info => 2,
        })
        .max();
    let mut likelihood = threat.likelihood.or(from_severity).unwrap_or(3);
    let fails_for = |check: &str, subject: &str| {
        outcomes.get(check).is_some_and(|o| {
            o.findings.iter().any(|f| {
                f.status == Status::Fail && f.subject.as_ref().is_some_and(|s| s.name == subject)
            })
        })
    };
    for finding in failing {
        match finding.check.as_str() {
            "daemon-tcp-without-tls" => likelihood = 5,
            "docker-sock-mounted" => {
                let root = finding
                    .subject
                    .as_ref()
                    .is_some_and(|s| fails_for("container-runs-as-root", &s.name));
                likelihood = likelihood.max(if root { 5 } else { 4 });
            }
            _ => {}
        }
    }
    let subjects: BTreeSet<&str> = failing
        .iter()
        .filter_map(|f| f.subject.as_ref())
        .filter(|s| s.kind == stockade_core::finding::SubjectKind::Container)
        .map(|s| s.name.as_str())
        .collect();
    if subjects.len() >= 3 {
        likelihood += 1;
    }
    likelihood.clamp(1, 5)
}
