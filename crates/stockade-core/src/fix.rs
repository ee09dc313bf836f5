//! Fixes: what `stockade harden` proposes, as changes with an applicability.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether `--apply` may make a change by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Applied by `--apply`.
    Safe,
    /// Needs `--apply --unsafe`: it can break workloads or needs values a human should choose.
    Unsafe,
    /// Shown, never written: it needs a human.
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// How much work a fix is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    Low,
    Medium,
    High,
}

/// One change of a fix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// Set a top-level key of a JSON file (daemon.json), keeping its formatting;
    /// the file is created when absent.
    SetJsonKey {
        path: String,
        key: String,
        value: Value,
    },
    /// Make sure a line is in a file (an audit rule), creating the file
    /// with `mode` when absent.
    EnsureLine {
        path: String,
        line: String,
        mode: u32,
    },
    /// Change one flag of dockerd's command line through a systemd drop-in
    /// that overrides the unit's `ExecStart` (`value: None` removes the flag).
    SetDaemonFlag {
        drop_in: String,
        exec_start: String,
        flag: String,
        value: Option<String>,
    },
    /// Change permission bits.
    Chmod { path: String, mode: u32 },
    /// Change the owner (names as the host spells them).
    Chown {
        path: String,
        user: String,
        group: String,
        uid: u32,
        gid: u32,
    },
    /// Replace a byte range of a text file (a Dockerfile) that still reads
    /// `old` there; an insertion has `start == end` and an empty `old`.
    ReplaceText {
        path: String,
        start: usize,
        end: usize,
        #[serde(default)]
        old: String,
        text: String,
    },
    /// Set the node at `at` in document `document` (0-based) of a YAML file
    /// (Compose, Kubernetes), keeping comments, indentation and key order.
    /// Missing mappings on the way are created; a mapping `value` is merged
    /// key by key into an existing mapping.
    SetYaml {
        path: String,
        document: usize,
        at: Vec<YamlStep>,
        value: Value,
    },
    /// Make sure the sequence at `at` of a YAML file contains `item`,
    /// creating the sequence (and mappings on the way) when absent.
    AddYamlItem {
        path: String,
        document: usize,
        at: Vec<YamlStep>,
        item: Value,
    },
    /// A command to run (e.g. `docker update`), with `--apply --live`.
    Command { argv: Vec<String> },
    /// Something only a human can do, explained.
    Instruction { text: String },
}

impl Change {
    /// The file this change writes, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            Change::SetJsonKey { path, .. }
            | Change::EnsureLine { path, .. }
            | Change::SetDaemonFlag { drop_in: path, .. }
            | Change::Chmod { path, .. }
            | Change::Chown { path, .. }
            | Change::ReplaceText { path, .. }
            | Change::SetYaml { path, .. }
            | Change::AddYamlItem { path, .. } => Some(path),
            Change::Command { .. } | Change::Instruction { .. } => None,
        }
    }
}

/// One step of a path into a YAML document: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum YamlStep {
    Key(String),
    Index(usize),
}

impl YamlStep {
    pub fn key(key: &str) -> YamlStep {
        YamlStep::Key(key.to_owned())
    }
}

/// `spec.template.spec.containers[0].securityContext`.
pub fn yaml_path(steps: &[YamlStep]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            YamlStep::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            YamlStep::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A fix for the findings of one check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// Imperative one-liner: `Disable inter-container communication`.
    pub title: String,
    pub applicability: Applicability,
    pub changes: Vec<Change>,
    pub effort: Effort,
    /// What could break, in one or two sentences.
    pub risk: String,
    /// Whether the daemon must restart for the change to take effect.
    #[serde(default)]
    pub needs_daemon_restart: bool,
}
