//! What host checks read: the snapshot, plus views derived from it once
//! (dockerd's parsed command line, its parsed daemon.json) so that every
//! check sees the same effective daemon configuration.

use serde_json::Value;
use stockade_core::Finding;
use stockade_core::finding::{Evidence, Location};
use stockade_core::meta::CheckMeta;
use stockade_core::snapshot::{
    ArgvSource, DaemonProcess, DockerFacts, DockerFile, Engine, FileRole, Snapshot,
};
use stockade_parse::daemon_json::{self, DaemonJson, JsonError};
use stockade_parse::dockerd_args::{DockerdArgs, parse_bool};

use crate::workload::{Selection, WorkloadView};

/// The input of every host check.
#[derive(Debug)]
pub struct HostContext<'a> {
    pub snapshot: &'a Snapshot,
    docker: Option<DockerView<'a>>,
    kubernetes: Option<crate::k8s_node::K8sView<'a>>,
    workload: WorkloadView<'a>,
}

impl<'a> HostContext<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Self {
        HostContext::with_selection(snapshot, &Selection::default())
    }

    /// A context whose container and image checks judge only `selection`.
    pub fn with_selection(snapshot: &'a Snapshot, selection: &Selection) -> Self {
        HostContext {
            snapshot,
            docker: snapshot.docker.as_ref().map(DockerView::new),
            kubernetes: snapshot
                .kubernetes
                .as_ref()
                .map(crate::k8s_node::K8sView::new),
            workload: WorkloadView::new(snapshot, selection),
        }
    }

    /// The selected containers and images.
    pub fn workload(&self) -> &WorkloadView<'a> {
        &self.workload
    }

    /// The Kubernetes view, or an `error` finding saying its facts are missing.
    /// The Kubernetes node view, when the snapshot holds Kubernetes facts.
    pub fn kubernetes_view(&self) -> Option<&crate::k8s_node::K8sView<'a>> {
        self.kubernetes.as_ref()
    }

    pub fn kubernetes(&self, meta: &CheckMeta) -> Result<&crate::k8s_node::K8sView<'a>, Finding> {
        self.kubernetes.as_ref().ok_or_else(|| {
            Finding::error(
                meta,
                "the snapshot holds no Kubernetes facts (collected without the Kubernetes target)",
            )
        })
    }

    /// Why the running dockerd's command line was not read although a
    /// daemon answers (its flags then come from a unit file).
    pub fn unseen_daemon_process(&self) -> Option<&'a str> {
        match &self.snapshot.docker.as_ref()?.daemon {
            stockade_core::snapshot::Probe::Ok(daemon) => daemon.running_process_unseen.as_deref(),
            stockade_core::snapshot::Probe::Error(_) => None,
        }
    }

    /// The Docker view, or an `error` finding saying Docker facts are missing.
    pub fn docker(&self, meta: &CheckMeta) -> Result<&DockerView<'a>, Finding> {
        self.docker.as_ref().ok_or_else(|| {
            Finding::error(
                meta,
                "the snapshot holds no Docker facts (collected without the Docker target)",
            )
        })
    }
}

/// Docker facts with the daemon's configuration parsed.
#[derive(Debug)]
pub struct DockerView<'a> {
    pub facts: &'a DockerFacts,
    args: Result<DockerdArgs, String>,
    config: ConfigState,
}

/// The state of the daemon.json dockerd reads.
#[derive(Debug)]
pub enum ConfigState {
    Parsed(DaemonJson),
    /// No file: every setting has its default.
    Absent,
    Unreadable(String),
    Malformed(JsonError),
}

/// Where a setting's value was written.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// On dockerd's command line, as written.
    Flag { written: String },
    /// A key of daemon.json at a position.
    ConfigKey { key: String, line: u32, column: u32 },
}

/// A daemon setting and where it is set.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub value: Value,
    pub origin: Origin,
}

/// The outcome of looking a setting up.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    Set(Setting),
    /// Neither on the command line nor in daemon.json: the default applies.
    Unset,
    /// Could not tell (command line unknown, daemon.json unreadable).
    Unknown(String),
}

impl<'a> DockerView<'a> {
    pub fn new(facts: &'a DockerFacts) -> Self {
        let args = match &facts.daemon {
            stockade_core::snapshot::Probe::Ok(daemon) => Ok(DockerdArgs::parse(&daemon.argv)),
            stockade_core::snapshot::Probe::Error(reason) => {
                Err(format!("dockerd's command line is unknown: {reason}"))
            }
        };
        let config = match (&facts.config.file.state, &facts.config.content) {
            (stockade_core::snapshot::FileState::Absent, _) => ConfigState::Absent,
            (stockade_core::snapshot::FileState::Error(reason), _) => {
                ConfigState::Unreadable(reason.clone())
            }
            (_, None) => {
                ConfigState::Unreadable(format!("{}: could not be read", facts.config.path))
            }
            (_, Some(text)) => match daemon_json::parse(text) {
                Ok(parsed) => ConfigState::Parsed(parsed),
                Err(error) => ConfigState::Malformed(error),
            },
        };
        DockerView {
            facts,
            args,
            config,
        }
    }

    pub fn engine(&self) -> Result<&'a Engine, &'a str> {
        match &self.facts.engine {
            stockade_core::snapshot::Probe::Ok(engine) => Ok(engine),
            stockade_core::snapshot::Probe::Error(reason) => Err(reason),
        }
    }

    /// A field of `GET /info` (JSON pointer, e.g. `/LoggingDriver`).
    pub fn info(&self, pointer: &str) -> Result<Option<&'a Value>, &'a str> {
        self.engine().map(|e| e.info.pointer(pointer))
    }

    pub fn daemon(&self) -> Option<&'a DaemonProcess> {
        self.facts.daemon.ok()
    }

    pub fn args(&self) -> Result<&DockerdArgs, &str> {
        self.args.as_ref().map_err(String::as_str)
    }

    pub fn config(&self) -> &ConfigState {
        &self.config
    }

    pub fn config_path(&self) -> &str {
        &self.facts.config.path
    }

    /// Why daemon.json cannot be used, if it cannot.
    pub fn config_problem(&self) -> Option<String> {
        match &self.config {
            ConfigState::Parsed(_) | ConfigState::Absent => None,
            ConfigState::Unreadable(reason) => {
                Some(format!("daemon.json cannot be read: {reason}"))
            }
            ConfigState::Malformed(error) => Some(format!(
                "{}:{}:{}: daemon.json is malformed: {}",
                self.facts.config.path, error.line, error.column, error.message
            )),
        }
    }

    /// The setting given as `--flag` or daemon.json `key`. dockerd refuses
    /// to start when both are given, so at most one applies.
    pub fn setting(&self, flag: &str, key: &str) -> Lookup {
        if let Ok(args) = &self.args
            && let Some(found) = args.last(flag)
        {
            let value = if found.value.is_empty() {
                Value::Null
            } else {
                Value::String(found.value.clone())
            };
            return Lookup::Set(Setting {
                value,
                origin: Origin::Flag {
                    written: found.written.clone(),
                },
            });
        }
        match &self.config {
            ConfigState::Parsed(json) => {
                if let Some(entry) = json.get(key) {
                    return Lookup::Set(Setting {
                        value: entry.value.clone(),
                        origin: Origin::ConfigKey {
                            key: key.to_owned(),
                            line: entry.line,
                            column: entry.column,
                        },
                    });
                }
            }
            ConfigState::Absent => {}
            ConfigState::Unreadable(_) | ConfigState::Malformed(_) => {
                return Lookup::Unknown(self.config_problem().unwrap_or_default());
            }
        }
        match &self.args {
            Ok(_) => Lookup::Unset,
            Err(reason) => Lookup::Unknown(reason.clone()),
        }
    }

    /// Every value of a repeatable setting: each `--flag` on the command line
    /// and the elements of the daemon.json array `key`.
    pub fn list_setting(&self, flag: &str, key: &str) -> Result<Vec<Setting>, String> {
        let mut found = Vec::new();
        if let Ok(args) = &self.args {
            for f in args.all(flag) {
                found.push(Setting {
                    value: Value::String(f.value.clone()),
                    origin: Origin::Flag {
                        written: f.written.clone(),
                    },
                });
            }
        }
        match &self.config {
            ConfigState::Parsed(json) => {
                if let Some(entry) = json.get(key) {
                    let origin = Origin::ConfigKey {
                        key: key.to_owned(),
                        line: entry.line,
                        column: entry.column,
                    };
                    match &entry.value {
                        Value::Array(items) => found.extend(items.iter().map(|v| Setting {
                            value: v.clone(),
                            origin: origin.clone(),
                        })),
                        Value::Null => {}
                        other => found.push(Setting {
                            value: other.clone(),
                            origin,
                        }),
                    }
                }
            }
            ConfigState::Absent => {}
            ConfigState::Unreadable(_) | ConfigState::Malformed(_) => {
                return Err(self.config_problem().unwrap_or_default());
            }
        }
        if found.is_empty()
            && let Err(reason) = &self.args
        {
            return Err(reason.clone());
        }
        Ok(found)
    }

    /// A boolean setting: `Ok(None)` when unset, `Err` when unknown or not a boolean.
    pub fn bool_setting(&self, flag: &str, key: &str) -> Result<Option<(bool, Setting)>, String> {
        match self.setting(flag, key) {
            Lookup::Unset => Ok(None),
            Lookup::Unknown(reason) => Err(reason),
            Lookup::Set(setting) => {
                let parsed = match &setting.value {
                    Value::Bool(b) => Some(*b),
                    Value::String(s) => parse_bool(s),
                    _ => None,
                };
                match parsed {
                    Some(b) => Ok(Some((b, setting))),
                    None => Err(format!(
                        "{} is not a boolean ({})",
                        self.describe(&setting),
                        setting.value
                    )),
                }
            }
        }
    }

    /// Evidence naming the setting's value and where it is written.
    pub fn evidence(&self, setting: &Setting, expected: &str) -> Evidence {
        Evidence::observed(self.describe(setting))
            .expected(expected)
            .at(self.location(setting))
    }

    /// `--icc=true on dockerd's command line` / `"icc": true in daemon.json`.
    pub fn describe(&self, setting: &Setting) -> String {
        match &setting.origin {
            Origin::Flag { written } => format!("`{written}` on dockerd's command line"),
            Origin::ConfigKey { key, .. } => format!("\"{key}\": {}", setting.value),
        }
    }

    pub fn location(&self, setting: &Setting) -> Location {
        match &setting.origin {
            Origin::Flag { written } => self.argv_location(Some(written)),
            Origin::ConfigKey { line, column, .. } => {
                Location::file_at(self.facts.config.path.clone(), *line, *column)
            }
        }
    }

    /// Where dockerd's command line was read, optionally one argument of it.
    pub fn argv_location(&self, argument: Option<&str>) -> Location {
        match self.daemon().map(|d| &d.source) {
            Some(ArgvSource::Process { pid }) => Location::Process {
                pid: *pid,
                name: "dockerd".to_owned(),
                argument: argument.map(str::to_owned),
            },
            Some(ArgvSource::UnitFile { path }) => Location::file(path.clone()),
            None => Location::Command {
                command: "dockerd".to_owned(),
            },
        }
    }

    /// Evidence that a setting is absent from both places, so its default holds.
    pub fn unset_evidence(&self, flag: &str, key: &str, default: &str, expected: &str) -> Evidence {
        let config = match &self.config {
            ConfigState::Absent => format!("{} does not exist", self.facts.config.path),
            _ => format!("no \"{key}\" in {}", self.facts.config.path),
        };
        Evidence::observed(format!(
            "no --{flag} on dockerd's command line and {config}; default: {default}"
        ))
        .expected(expected)
        .at(self.argv_location(None))
    }

    /// Files collected for `role`.
    pub fn files(&self, role: FileRole) -> impl Iterator<Item = &'a DockerFile> {
        self.facts.files_for(role)
    }

    /// The one file of a single-file role.
    pub fn file(&self, role: FileRole) -> Option<&'a DockerFile> {
        self.facts.files_for(role).next()
    }
}

/// Evidence for a field of an Engine API answer.
pub fn api_evidence(
    endpoint: &str,
    field: &str,
    observed: impl Into<String>,
    expected: &str,
) -> Evidence {
    Evidence::observed(observed)
        .expected(expected)
        .at(Location::api(endpoint, field))
}
