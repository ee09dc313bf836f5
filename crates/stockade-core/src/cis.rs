//! CIS benchmark references.
//!
//! CIS renumbers its controls between benchmark versions, so stockade never
//! uses a CIS number as an identifier. Each check carries the numbers it had
//! in every benchmark version, as ranges over that benchmark's release order.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A CIS benchmark family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Benchmark {
    /// CIS Docker Benchmark.
    Docker,
    /// CIS Kubernetes Benchmark.
    Kubernetes,
}

impl Benchmark {
    /// Every published version stockade knows, oldest first.
    ///
    /// Docker "1.1.0" is the Docker Community Edition benchmark, which came
    /// after "1.13.0" (the benchmark for Docker 1.13).
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            Benchmark::Docker => &[
                "1.13.0", "1.1.0", "1.2.0", "1.3.1", "1.4.0", "1.5.0", "1.6.0",
            ],
            Benchmark::Kubernetes => &["1.10", "1.11", "1.12"],
        }
    }

    /// The version stockade reports against unless told otherwise.
    pub fn default_version(self) -> &'static str {
        match self {
            Benchmark::Docker => "1.6.0",
            Benchmark::Kubernetes => "1.12",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Benchmark::Docker => "cis-docker",
            Benchmark::Kubernetes => "cis-kubernetes",
        }
    }

    /// Position of `version` in [`Benchmark::versions`].
    pub fn version_index(self, version: &str) -> Option<usize> {
        self.versions().iter().position(|v| *v == version)
    }

    /// Title of a CIS section (e.g. `2` or `1.1`) in the given version.
    pub fn section_title(self, version: &str, section: &str) -> Option<&'static str> {
        match self {
            Benchmark::Docker => docker_section_title(version, section),
            Benchmark::Kubernetes => kubernetes_section_title(section),
        }
    }
}

impl fmt::Display for Benchmark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Benchmark::Docker => "CIS Docker Benchmark",
            Benchmark::Kubernetes => "CIS Kubernetes Benchmark",
        })
    }
}

fn docker_section_title(version: &str, section: &str) -> Option<&'static str> {
    // 1.2.0 and older put "General Configuration" first; 1.3.1 swapped the two.
    let general_first = matches!(version, "1.13.0" | "1.1.0" | "1.2.0");
    Some(match section {
        "1" => "Host Configuration",
        "1.1" if general_first => "General Configuration",
        "1.2" if general_first => "Linux Hosts Specific Configuration",
        "1.1" => "Linux Hosts Specific Configuration",
        "1.2" => "General Configuration",
        "2" => "Docker daemon configuration",
        "3" => "Docker daemon configuration files",
        "4" => "Container Images and Build File Configuration",
        "5" => "Container Runtime Configuration",
        "6" => "Docker Security Operations",
        "7" => "Docker Swarm Configuration",
        _ => return None,
    })
}

fn kubernetes_section_title(section: &str) -> Option<&'static str> {
    Some(match section {
        "1" => "Control Plane Components",
        "1.1" => "Control Plane Node Configuration Files",
        "1.2" => "API Server",
        "1.3" => "Controller Manager",
        "1.4" => "Scheduler",
        "2" => "Etcd Node Configuration",
        "3" => "Control Plane Configuration",
        "3.1" => "Authentication and Authorization",
        "3.2" => "Logging",
        "4" => "Worker Nodes",
        "4.1" => "Worker Node Configuration Files",
        "4.2" => "Kubelet",
        "4.3" => "kube-proxy",
        "5" => "Policies",
        "5.1" => "RBAC and Service Accounts",
        "5.2" => "Pod Security Standards",
        "5.3" => "Network Policies and CNI",
        "5.4" => "Secrets Management",
        "5.5" => "Extensible Admission Control",
        // General Policies were 5.7 up to 1.10 and are 5.6 since 1.11.
        "5.6" | "5.7" => "General Policies",
        _ => return None,
    })
}

/// The number a control had in a range of versions of one benchmark.
///
/// `since` and `until` are inclusive and name versions from
/// [`Benchmark::versions`]; `until: None` means "up to the newest version".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CisRef {
    pub benchmark: Benchmark,
    pub id: &'static str,
    pub since: &'static str,
    pub until: Option<&'static str>,
}

impl CisRef {
    /// The control has had this number since `since` (inclusive).
    pub const fn docker(id: &'static str, since: &'static str) -> Self {
        CisRef {
            benchmark: Benchmark::Docker,
            id,
            since,
            until: None,
        }
    }

    /// The control had this number from `since` to `until`, both inclusive.
    pub const fn docker_until(id: &'static str, since: &'static str, until: &'static str) -> Self {
        CisRef {
            benchmark: Benchmark::Docker,
            id,
            since,
            until: Some(until),
        }
    }

    pub const fn kubernetes(id: &'static str, since: &'static str) -> Self {
        CisRef {
            benchmark: Benchmark::Kubernetes,
            id,
            since,
            until: None,
        }
    }

    pub const fn kubernetes_until(
        id: &'static str,
        since: &'static str,
        until: &'static str,
    ) -> Self {
        CisRef {
            benchmark: Benchmark::Kubernetes,
            id,
            since,
            until: Some(until),
        }
    }

    /// Whether this reference holds in `version` of its benchmark.
    pub fn applies_to(&self, version: &str) -> bool {
        let Some(at) = self.benchmark.version_index(version) else {
            return false;
        };
        let since = self
            .benchmark
            .version_index(self.since)
            .unwrap_or(usize::MAX);
        let until = match self.until {
            Some(until) => self.benchmark.version_index(until).unwrap_or(0),
            None => usize::MAX,
        };
        since <= at && at <= until
    }

    /// The versions in which this number holds, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.benchmark
            .versions()
            .iter()
            .copied()
            .filter(|v| self.applies_to(v))
    }

    /// Problems with the declared range (unknown version, inverted range).
    pub fn validate(&self) -> Result<(), String> {
        let since = self
            .benchmark
            .version_index(self.since)
            .ok_or_else(|| format!("unknown {} version `{}`", self.benchmark, self.since))?;
        if let Some(until) = self.until {
            let until_at = self
                .benchmark
                .version_index(until)
                .ok_or_else(|| format!("unknown {} version `{until}`", self.benchmark))?;
            if until_at < since {
                return Err(format!("range {}..={until} is inverted", self.since));
            }
        }
        if self.id.is_empty()
            || !self
                .id
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(format!("`{}` is not a dotted CIS number", self.id));
        }
        Ok(())
    }
}

/// The number of a control in one benchmark version, if it has one there.
pub fn number_in<'a>(refs: &'a [CisRef], benchmark: Benchmark, version: &str) -> Option<&'a str> {
    refs.iter()
        .find(|r| r.benchmark == benchmark && r.applies_to(version))
        .map(|r| r.id)
}

/// Orders dotted CIS numbers numerically: `2.9` < `2.10`.
pub fn compare_numbers(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| -> Vec<u32> {
        s.split('.')
            .map(|p| p.parse().unwrap_or(u32::MAX))
            .collect()
    };
    key(a).cmp(&key(b))
}

/// Whether `number` is `selector` or lies inside section `selector`:
/// `2.1` selects `2.1` and `2.1.4`, never `2.10`.
pub fn number_matches(selector: &str, number: &str) -> bool {
    number == selector
        || number
            .strip_prefix(selector)
            .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICC: [CisRef; 2] = [
        CisRef::docker_until("2.1", "1.13.0", "1.2.0"),
        CisRef::docker("2.2", "1.3.1"),
    ];

    #[test]
    fn a_renumbered_control_resolves_per_version() {
        assert_eq!(number_in(&ICC, Benchmark::Docker, "1.2.0"), Some("2.1"));
        assert_eq!(number_in(&ICC, Benchmark::Docker, "1.1.0"), Some("2.1"));
        assert_eq!(number_in(&ICC, Benchmark::Docker, "1.3.1"), Some("2.2"));
        assert_eq!(number_in(&ICC, Benchmark::Docker, "1.6.0"), Some("2.2"));
        assert_eq!(number_in(&ICC, Benchmark::Docker, "9.9.9"), None);
        assert_eq!(number_in(&ICC, Benchmark::Kubernetes, "1.12"), None);
    }

    #[test]
    fn ranges_are_validated() {
        assert!(ICC.iter().all(|r| r.validate().is_ok()));
        assert!(CisRef::docker("2.2", "1.7.0").validate().is_err());
        assert!(
            CisRef::docker_until("2.2", "1.6.0", "1.2.0")
                .validate()
                .is_err()
        );
        assert!(CisRef::docker("2.x", "1.6.0").validate().is_err());
    }

    #[test]
    fn numbers_sort_and_select_by_component() {
        assert!(compare_numbers("2.9", "2.10").is_lt());
        assert!(compare_numbers("1.1.18", "1.2.1").is_lt());
        assert!(number_matches("2.1", "2.1"));
        assert!(number_matches("1.1", "1.1.4"));
        assert!(!number_matches("2.1", "2.10"));
        assert!(!number_matches("2.1", "2.2"));
    }
}
