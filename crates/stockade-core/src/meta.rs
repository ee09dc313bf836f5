//! What a check declares about itself: identity, scope, severity, threats,
//! CIS references and documentation. One `CheckMeta` per check, written next
//! to its logic.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cis::{self, Benchmark, CisRef};
use crate::status::Severity;

/// What kind of object a check judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Host,
    Daemon,
    File,
    Image,
    Container,
    K8sNode,
    K8sWorkload,
    K8sRbac,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Host => "host",
            Scope::Daemon => "daemon",
            Scope::File => "file",
            Scope::Image => "image",
            Scope::Container => "container",
            Scope::K8sNode => "k8s-node",
            Scope::K8sWorkload => "k8s-workload",
            Scope::K8sRbac => "k8s-rbac",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One STRIDE category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stride {
    #[serde(rename = "S")]
    Spoofing,
    #[serde(rename = "T")]
    Tampering,
    #[serde(rename = "R")]
    Repudiation,
    #[serde(rename = "I")]
    InformationDisclosure,
    #[serde(rename = "D")]
    DenialOfService,
    #[serde(rename = "E")]
    ElevationOfPrivilege,
}

impl Stride {
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    pub fn letter(self) -> char {
        match self {
            Stride::Spoofing => 'S',
            Stride::Tampering => 'T',
            Stride::Repudiation => 'R',
            Stride::InformationDisclosure => 'I',
            Stride::DenialOfService => 'D',
            Stride::ElevationOfPrivilege => 'E',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }

    pub fn from_letter(letter: char) -> Option<Stride> {
        Stride::ALL
            .into_iter()
            .find(|s| s.letter() == letter.to_ascii_uppercase())
    }
}

/// Whether a check decides from evidence or asks a human.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckMode {
    Automated,
    Manual,
}

/// Whether `stockade harden` can produce a fix for a failed check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// Everything a check declares about itself.
///
/// The documentation fields are the user documentation: `stockade rule ID`
/// prints them and `docs/rules/ID.md` is generated from them.
#[derive(Debug)]
pub struct CheckMeta {
    /// Stable kebab-case name of the problem, e.g. `daemon-icc-enabled`.
    pub id: &'static str,
    /// What a passing system looks like, in one line.
    pub title: &'static str,
    /// The family directory the check lives in, e.g. `docker_daemon`.
    pub family: &'static str,
    pub scope: Scope,
    pub severity: Severity,
    pub stride: &'static [Stride],
    pub mode: CheckMode,
    pub cis: &'static [CisRef],
    /// Why the control matters: the attack it stops.
    pub rationale: &'static str,
    /// What stockade looks at to decide, and where the evidence comes from.
    pub audit: &'static str,
    /// How to put the control in place.
    pub remediation: &'static str,
    pub fix: FixAvailability,
}

impl CheckMeta {
    /// This check's number in the given benchmark version, if it has one.
    pub fn cis_number(&self, benchmark: Benchmark, version: &str) -> Option<&'static str> {
        cis::number_in(self.cis, benchmark, version)
    }

    /// The benchmark whose report the check belongs to: its CIS references
    /// benchmark, or for a check without one, the platform its scope names.
    pub fn platform(&self) -> Benchmark {
        self.benchmark().unwrap_or(match self.scope {
            Scope::K8sNode | Scope::K8sWorkload | Scope::K8sRbac => Benchmark::Kubernetes,
            _ => Benchmark::Docker,
        })
    }

    /// The benchmark this check's CIS references belong to, if any.
    pub fn benchmark(&self) -> Option<Benchmark> {
        self.cis.first().map(|r| r.benchmark)
    }

    /// The check's STRIDE letters in STRIDE order, e.g. `STI`.
    pub fn stride_letters(&self) -> String {
        Stride::ALL
            .iter()
            .filter(|s| self.stride.contains(s))
            .map(|s| s.letter())
            .collect()
    }

    /// Problems with the declaration; the registry meta-test runs this on
    /// every check.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !is_kebab_case(self.id) {
            problems.push(format!("id `{}` is not kebab-case", self.id));
        }
        for (field, text) in [
            ("title", self.title),
            ("rationale", self.rationale),
            ("audit", self.audit),
            ("remediation", self.remediation),
        ] {
            if text.trim().is_empty() {
                problems.push(format!("{field} is empty"));
            }
        }
        if self.title.ends_with('.') {
            problems.push("title ends with a period".to_owned());
        }
        if self.stride.is_empty() {
            problems.push("no STRIDE category".to_owned());
        }
        for reference in self.cis {
            if let Err(problem) = reference.validate() {
                problems.push(format!("CIS reference {}: {problem}", reference.id));
            }
        }
        // No version may carry two numbers for the same check.
        for benchmark in [Benchmark::Docker, Benchmark::Kubernetes] {
            for version in benchmark.versions() {
                let numbers = self
                    .cis
                    .iter()
                    .filter(|r| r.benchmark == benchmark && r.applies_to(version))
                    .count();
                if numbers > 1 {
                    problems.push(format!(
                        "{numbers} CIS numbers overlap in {} {version}",
                        benchmark.slug()
                    ));
                }
            }
        }
        problems
    }
}

/// `lower-case-words-joined-by-dashes`, digits allowed, no leading/trailing dash.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_ids() {
        assert!(is_kebab_case("daemon-icc-enabled"));
        assert!(is_kebab_case("tls-ca-cert-permissive"));
        assert!(!is_kebab_case("Daemon-icc"));
        assert!(!is_kebab_case("daemon_icc"));
        assert!(!is_kebab_case("-daemon"));
        assert!(!is_kebab_case("daemon--icc"));
    }

    #[test]
    fn stride_letters_round_trip() {
        for s in Stride::ALL {
            assert_eq!(Stride::from_letter(s.letter()), Some(s));
        }
        assert_eq!(Stride::from_letter('x'), None);
    }
}
