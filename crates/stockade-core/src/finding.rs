//! Findings: a verdict of one check on one subject, with its evidence.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::meta::CheckMeta;
use crate::status::{Severity, Status};

/// The verdict of one check on one subject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's stable id.
    pub check: String,
    pub status: Status,
    pub severity: Severity,
    /// What was judged, when the check judges several objects (a container,
    /// a file). Host-wide checks leave it empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// One line on what was found, starting in lower case, without a period.
    pub message: String,
    /// What was observed, where, and what was expected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

impl Finding {
    pub fn new(meta: &CheckMeta, status: Status, message: impl Into<String>) -> Self {
        Finding {
            check: meta.id.to_owned(),
            status,
            severity: meta.severity,
            subject: None,
            message: message.into(),
            evidence: Vec::new(),
        }
    }

    pub fn pass(meta: &CheckMeta, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Pass, message)
    }

    pub fn fail(meta: &CheckMeta, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Fail, message)
    }

    pub fn warn(meta: &CheckMeta, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Warn, message)
    }

    pub fn manual(meta: &CheckMeta, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Manual, message)
    }

    pub fn info(meta: &CheckMeta, message: impl Into<String>) -> Self {
        Finding::new(meta, Status::Info, message)
    }

    pub fn not_applicable(meta: &CheckMeta, reason: impl Into<String>) -> Self {
        Finding::new(meta, Status::NotApplicable, reason)
    }

    pub fn error(meta: &CheckMeta, reason: impl Into<String>) -> Self {
        Finding::new(meta, Status::Error, reason)
    }

    #[must_use]
    pub fn subject(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }

    #[must_use]
    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    #[must_use]
    pub fn evidences(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }
}

/// The object a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    /// Human name: container name, file path, image tag.
    pub name: String,
    /// Machine id where one exists (container or image id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Subject {
    pub fn new(kind: SubjectKind, name: impl Into<String>) -> Self {
        Subject {
            kind,
            name: name.into(),
            id: None,
        }
    }

    pub fn file(path: impl Into<String>) -> Self {
        Subject::new(SubjectKind::File, path)
    }

    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{} {} ({})", self.kind, self.name, short_id(id)),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// The first 12 characters of a Docker id, as `docker ps` shows it.
pub fn short_id(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    Host,
    Daemon,
    File,
    Process,
    Container,
    Image,
    Network,
    K8sObject,
    /// A service of a Compose file.
    ComposeService,
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubjectKind::Host => "host",
            SubjectKind::Daemon => "daemon",
            SubjectKind::File => "file",
            SubjectKind::Process => "process",
            SubjectKind::Container => "container",
            SubjectKind::Image => "image",
            SubjectKind::Network => "network",
            SubjectKind::K8sObject => "object",
            SubjectKind::ComposeService => "service",
        })
    }
}

/// One observation backing a verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What stockade saw, e.g. `mode 0664`.
    pub observed: String,
    /// What a compliant system shows, e.g. `0644 or more restrictive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Where it was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Evidence {
    pub fn observed(observed: impl Into<String>) -> Self {
        Evidence {
            observed: observed.into(),
            expected: None,
            location: None,
        }
    }

    #[must_use]
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    #[must_use]
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
}

/// Where a piece of evidence was observed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Location {
    /// A file, optionally a position in it (1-based line and column).
    File {
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<u32>,
    },
    /// A running process, optionally one of its arguments.
    Process {
        pid: u32,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        argument: Option<String>,
    },
    /// A Docker Engine API endpoint and the field read from its answer.
    Api {
        endpoint: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// A field of a container's configuration.
    Container {
        id: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// A field of an image's configuration.
    Image {
        id: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// A variable of the auditing environment.
    Environment { variable: String },
    /// The output of a command stockade ran.
    Command { command: String },
}

impl Location {
    pub fn file(path: impl Into<String>) -> Self {
        Location::File {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    pub fn file_at(path: impl Into<String>, line: u32, column: u32) -> Self {
        Location::File {
            path: path.into(),
            line: Some(line),
            column: Some(column),
        }
    }

    pub fn api(endpoint: impl Into<String>, field: impl Into<String>) -> Self {
        Location::Api {
            endpoint: endpoint.into(),
            field: Some(field.into()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { path, line, column } => match (line, column) {
                (Some(line), Some(column)) => write!(f, "{path}:{line}:{column}"),
                (Some(line), None) => write!(f, "{path}:{line}"),
                _ => f.write_str(path),
            },
            Location::Process {
                pid,
                name,
                argument,
            } => match argument {
                Some(argument) => write!(f, "{name} (pid {pid}) argument `{argument}`"),
                None => write!(f, "{name} (pid {pid})"),
            },
            Location::Api { endpoint, field } => match field {
                Some(field) => write!(f, "GET {endpoint} → {field}"),
                None => write!(f, "GET {endpoint}"),
            },
            Location::Container { id, name, field } => match field {
                Some(field) => write!(f, "container {name} ({}) {field}", short_id(id)),
                None => write!(f, "container {name} ({})", short_id(id)),
            },
            Location::Image { id, name, field } => match field {
                Some(field) => write!(f, "image {name} ({}) {field}", short_id(id)),
                None => write!(f, "image {name} ({})", short_id(id)),
            },
            Location::Environment { variable } => write!(f, "environment variable {variable}"),
            Location::Command { command } => write!(f, "`{command}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_print_like_a_user_reads_them() {
        assert_eq!(
            Location::file_at("/etc/docker/daemon.json", 3, 5).to_string(),
            "/etc/docker/daemon.json:3:5"
        );
        assert_eq!(
            Location::Process {
                pid: 42,
                name: "dockerd".into(),
                argument: Some("--icc=true".into())
            }
            .to_string(),
            "dockerd (pid 42) argument `--icc=true`"
        );
        assert_eq!(
            Location::api("/info", "LoggingDriver").to_string(),
            "GET /info → LoggingDriver"
        );
    }

    #[test]
    fn short_ids_drop_the_digest_prefix() {
        assert_eq!(short_id("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short_id("abc"), "abc");
    }
}
