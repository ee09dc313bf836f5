//! What Kubernetes checks read: the node's components with their command
//! lines parsed and their configuration files loaded once, and the lookup
//! of a setting the way each component resolves it.
//!
//! - kube-apiserver, controller manager, scheduler: command-line flags;
//!   the API server's authorizers also from `--authorization-config`.
//! - kubelet and kube-proxy: a flag overrides the key of the `--config`
//!   file (and the kubelet's `--config-dir` drop-ins); when neither is set,
//!   the default of the configuration file applies — or the legacy flag
//!   default when the kubelet runs without a config file.
//! - etcd: a flag, else its `ETCD_*` environment variable; with
//!   `--config-file`, only that file counts (etcd then ignores both).

use stockade_core::finding::{Evidence, Location, Subject, SubjectKind};
use stockade_core::kubernetes::{
    ComponentFacts, ComponentKind, ComponentSource, DocumentRole, K8sFile, K8sFileRole,
    KubernetesFacts,
};
use stockade_core::snapshot::{FileState, Probe};
use stockade_parse::k8s_node::args::{ComponentArgs, LIST_FLAGS, parse_component};
use stockade_parse::k8s_node::yaml::{self, Node};

/// The node's Kubernetes facts, parsed once for every check.
#[derive(Debug)]
pub struct K8sView<'a> {
    pub facts: &'a KubernetesFacts,
    pub components: Vec<ComponentView<'a>>,
}

impl<'a> K8sView<'a> {
    pub fn new(facts: &'a KubernetesFacts) -> Self {
        let components = facts
            .components
            .iter()
            .enumerate()
            .map(|(index, c)| ComponentView::new(facts, index, c))
            .collect();
        K8sView { facts, components }
    }

    pub fn of(&self, kind: ComponentKind) -> impl Iterator<Item = &ComponentView<'a>> {
        self.components.iter().filter(move |c| c.facts.kind == kind)
    }

    pub fn files(&self, role: K8sFileRole) -> impl Iterator<Item = &'a K8sFile> {
        self.facts.files_for(role)
    }

    /// Why no instance of `kind` is audited.
    pub fn absent_reason(&self, kind: ComponentKind) -> String {
        format!(
            "no {kind} on this node: no such process, static pod manifest or systemd unit was found"
        )
    }
}

/// A configuration file as loaded for lookups.
#[derive(Debug)]
pub enum Config {
    /// The component names no such file.
    None,
    /// Parsed documents, lowest precedence first (a config file, then its drop-ins).
    Loaded(Vec<LoadedConfig>),
    /// Named but absent, unreadable or malformed: settings it could hold are unknown.
    Broken(String),
}

#[derive(Debug)]
pub struct LoadedConfig {
    pub path: String,
    pub root: Node,
}

/// One component instance with its command line parsed.
#[derive(Debug)]
pub struct ComponentView<'a> {
    pub index: usize,
    pub facts: &'a ComponentFacts,
    pub args: Result<ComponentArgs, String>,
    env: Result<Vec<(String, String)>, String>,
    pub config: Config,
}

/// Where a setting's value was found.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    Flag {
        written: String,
        index: usize,
    },
    Env {
        name: String,
    },
    ConfigKey {
        path: String,
        key: String,
        line: u32,
        column: u32,
    },
}

/// A setting's value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub text: String,
    pub origin: Origin,
}

/// The outcome of looking a setting up.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    Set(Found),
    /// Written nowhere: the component's default applies.
    Unset,
    /// Cannot tell: the command line or a configuration file is unreadable.
    Unknown(String),
}

/// A setting of a component: its flag and, where one exists, the key of its
/// configuration file.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub flag: &'static str,
    /// Dotted path in the component's configuration file. `a[].b` joins the
    /// `b` of every item of list `a`.
    pub key: Option<&'static str>,
    pub default: Default,
    /// A zero duration or empty string in the config file means "use the default".
    pub zero_is_default: bool,
}

/// What applies when a setting is written nowhere.
#[derive(Clone, Copy, Debug)]
pub enum Default {
    /// No default worth judging (presence checks).
    None,
    Value(&'static str),
    /// The kubelet: the config file's default, or the legacy flag default
    /// when it runs without `--config`.
    Kubelet {
        config: &'static str,
        flags: &'static str,
    },
}

impl Setting {
    pub const fn flag(flag: &'static str) -> Self {
        Setting {
            flag,
            key: None,
            default: Default::None,
            zero_is_default: false,
        }
    }

    pub const fn with_key(flag: &'static str, key: &'static str) -> Self {
        Setting {
            flag,
            key: Some(key),
            default: Default::None,
            zero_is_default: false,
        }
    }

    #[must_use]
    pub const fn default(mut self, value: &'static str) -> Self {
        self.default = Default::Value(value);
        self
    }

    #[must_use]
    pub const fn kubelet_default(mut self, config: &'static str, flags: &'static str) -> Self {
        self.default = Default::Kubelet { config, flags };
        self
    }

    #[must_use]
    pub const fn zero_is_default(mut self) -> Self {
        self.zero_is_default = true;
        self
    }

    /// The variable etcd reads for this flag: `--cert-file` → `ETCD_CERT_FILE`.
    pub fn etcd_env(&self) -> String {
        format!("ETCD_{}", self.flag.to_ascii_uppercase().replace('-', "_"))
    }
}

impl<'a> ComponentView<'a> {
    fn new(facts: &'a KubernetesFacts, index: usize, component: &'a ComponentFacts) -> Self {
        let args = match &component.argv {
            Probe::Ok(argv) => Ok(parse_component(component.kind, argv)),
            Probe::Error(reason) => Err(reason.clone()),
        };
        let env = match &component.env {
            Probe::Ok(vars) => Ok(vars
                .iter()
                .filter_map(|v| v.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()),
            Probe::Error(reason) => Err(reason.clone()),
        };
        let roles: &[DocumentRole] = match component.kind {
            ComponentKind::Kubelet => &[
                DocumentRole::KubeletConfig,
                DocumentRole::KubeletConfigDropIn,
            ],
            ComponentKind::Proxy => &[DocumentRole::ProxyConfig],
            ComponentKind::Etcd => &[DocumentRole::EtcdConfig],
            ComponentKind::ApiServer => &[DocumentRole::AuthorizationConfig],
            ComponentKind::ControllerManager | ComponentKind::Scheduler => &[],
        };
        let config = load_config(facts, index, roles);
        ComponentView {
            index,
            facts: component,
            args,
            env,
            config,
        }
    }

    pub fn kind(&self) -> ComponentKind {
        self.facts.kind
    }

    /// Whether the component reads a configuration file.
    pub fn has_config(&self) -> bool {
        !matches!(self.config, Config::None)
    }

    pub fn subject(&self) -> Subject {
        Subject::new(SubjectKind::Process, self.facts.describe())
    }

    /// The setting's effective value as the component resolves it.
    pub fn lookup(&self, setting: &Setting) -> Lookup {
        let args = match &self.args {
            Ok(args) => args,
            Err(reason) => return Lookup::Unknown(reason.clone()),
        };
        let is_etcd = self.kind() == ComponentKind::Etcd;
        // etcd with a config file ignores its flags and environment.
        if is_etcd && self.has_config() {
            return self.config_lookup(setting);
        }
        if let Some(flag) = args.last(setting.flag) {
            // A list flag given several times appends its values.
            let text = if LIST_FLAGS.contains(&setting.flag) {
                args.list(setting.flag).unwrap_or_default().join(",")
            } else {
                flag.value.clone()
            };
            return Lookup::Set(Found {
                text,
                origin: Origin::Flag {
                    written: flag.written.clone(),
                    index: flag.index,
                },
            });
        }
        if is_etcd {
            let name = setting.etcd_env();
            match &self.env {
                Ok(vars) => {
                    if let Some((_, value)) = vars.iter().rev().find(|(n, _)| *n == name) {
                        return Lookup::Set(Found {
                            text: value.clone(),
                            origin: Origin::Env { name },
                        });
                    }
                }
                Err(reason) => {
                    return Lookup::Unknown(format!(
                        "--{} is not on the command line and its environment ({name}) cannot be read: {reason}",
                        setting.flag
                    ));
                }
            }
            return Lookup::Unset;
        }
        if setting.key.is_some() {
            return self.config_lookup(setting);
        }
        Lookup::Unset
    }

    /// The setting in the configuration file only.
    pub fn config_lookup(&self, setting: &Setting) -> Lookup {
        let Some(key) = setting.key else {
            return Lookup::Unset;
        };
        match &self.config {
            Config::None => Lookup::Unset,
            Config::Broken(reason) => Lookup::Unknown(reason.clone()),
            Config::Loaded(docs) => {
                for doc in docs.iter().rev() {
                    if let Some(found) = find_key(doc, key) {
                        if setting.zero_is_default && is_zero(&found.text) {
                            continue;
                        }
                        return Lookup::Set(found);
                    }
                }
                Lookup::Unset
            }
        }
    }

    /// The default that applies when the setting is written nowhere, and why.
    pub fn default_of(&self, setting: &Setting) -> Option<(&'static str, String)> {
        match setting.default {
            Default::None => None,
            Default::Value(value) => Some((value, format!("{}'s default", self.kind()))),
            Default::Kubelet { config, flags } => Some(match &self.config {
                Config::None => (
                    flags,
                    "the kubelet's default without a --config file".to_owned(),
                ),
                _ => (
                    config,
                    "the default of the kubelet's config file".to_owned(),
                ),
            }),
        }
    }

    /// Where a found value is written.
    pub fn location(&self, origin: &Origin) -> Location {
        match origin {
            Origin::Flag { written, index } => self.argument_location(Some(written), Some(*index)),
            Origin::Env { name } => match &self.facts.source {
                ComponentSource::Process { pid, .. } => Location::Process {
                    pid: *pid,
                    name: self.kind().program().to_owned(),
                    argument: Some(format!("environment {name}")),
                },
                ComponentSource::StaticPod { path, .. } | ComponentSource::Unit { path } => {
                    Location::file(path.clone())
                }
            },
            Origin::ConfigKey {
                path, line, column, ..
            } => Location::file_at(path.clone(), *line, *column),
        }
    }

    /// The command line's location, optionally one argument of it.
    pub fn argument_location(&self, written: Option<&str>, index: Option<usize>) -> Location {
        match &self.facts.source {
            ComponentSource::Process { pid, .. } => Location::Process {
                pid: *pid,
                name: self.kind().program().to_owned(),
                argument: written.map(str::to_owned),
            },
            ComponentSource::StaticPod { path, .. } => {
                match index.and_then(|i| self.facts.argv_lines.get(i)) {
                    Some(line) => Location::File {
                        path: path.clone(),
                        line: Some(*line),
                        column: None,
                    },
                    None => Location::file(path.clone()),
                }
            }
            ComponentSource::Unit { path } => Location::file(path.clone()),
        }
    }

    /// `--profiling=false` on kube-apiserver (pid 12) / `"readOnlyPort": 0` in /var/lib/kubelet/config.yaml.
    pub fn describe(&self, found: &Found) -> String {
        match &found.origin {
            Origin::Flag { written, .. } => format!("`{written}` on {}", self.facts.describe()),
            Origin::Env { name } => format!(
                "{name}={} in the environment of {}",
                found.text,
                self.facts.describe()
            ),
            Origin::ConfigKey { key, path, .. } => format!("{key}: {} in {path}", found.text),
        }
    }

    /// Evidence for a found value.
    pub fn evidence(&self, found: &Found, expected: &str) -> Evidence {
        Evidence::observed(self.describe(found))
            .expected(expected)
            .at(self.location(&found.origin))
    }

    /// Evidence that a setting is written nowhere.
    pub fn unset_evidence(&self, setting: &Setting, expected: &str) -> Evidence {
        let mut places = vec![format!("no --{} on the command line", setting.flag)];
        if self.kind() == ComponentKind::Etcd && !self.has_config() {
            places.push(format!("no {} in its environment", setting.etcd_env()));
        }
        if let (Some(key), Config::Loaded(docs)) = (setting.key, &self.config) {
            let paths: Vec<&str> = docs.iter().map(|d| d.path.as_str()).collect();
            places.push(format!("no {key} in {}", paths.join(", ")));
        }
        let default = match self.default_of(setting) {
            Some((value, why)) => format!("; {why}: {value}"),
            None => String::new(),
        };
        Evidence::observed(format!(
            "{} of {}{default}",
            places.join(", "),
            self.facts.describe()
        ))
        .expected(expected)
        .at(self.argument_location(None, None))
    }

    /// A configuration document of this component, by role.
    pub fn document(
        &self,
        facts: &'a KubernetesFacts,
        role: DocumentRole,
    ) -> Option<&'a stockade_core::kubernetes::ConfigDocument> {
        facts
            .documents
            .iter()
            .find(|d| d.component == self.index && d.role == role)
    }
}

fn load_config(facts: &KubernetesFacts, index: usize, roles: &[DocumentRole]) -> Config {
    let mut loaded = Vec::new();
    for role in roles {
        for doc in facts
            .documents
            .iter()
            .filter(|d| d.component == index && d.role == *role)
        {
            let text = match (&doc.content, &doc.file.state) {
                (Probe::Error(reason), _) => {
                    return Config::Broken(format!(
                        "{} ({}) cannot be read: {reason}",
                        doc.path, doc.origin
                    ));
                }
                (Probe::Ok(None), FileState::Error(reason)) => {
                    return Config::Broken(format!(
                        "{} ({}) cannot be read: {reason}",
                        doc.path, doc.origin
                    ));
                }
                (Probe::Ok(None), _) => {
                    return Config::Broken(format!(
                        "{} ({}) does not exist, so the settings it would hold are unknown",
                        doc.path, doc.origin
                    ));
                }
                (Probe::Ok(Some(text)), _) => text,
            };
            match yaml::parse_document(text) {
                Ok(root) => {
                    // A saved /configz answer wraps the configuration.
                    let root = match root.get("kubeletconfig") {
                        Some(inner) if *role == DocumentRole::KubeletConfig => inner.clone(),
                        _ => root,
                    };
                    loaded.push(LoadedConfig {
                        path: doc.path.clone(),
                        root,
                    });
                }
                Err(e) => {
                    return Config::Broken(format!(
                        "{}:{e} ({}, not valid YAML or JSON)",
                        doc.path, doc.origin
                    ));
                }
            }
        }
    }
    if loaded.is_empty() {
        Config::None
    } else {
        Config::Loaded(loaded)
    }
}

fn find_key(doc: &LoadedConfig, key: &str) -> Option<Found> {
    if let Some((list, field)) = key.split_once("[].") {
        let node = doc.root.path(list)?;
        let items: Vec<String> = node
            .as_seq()
            .iter()
            .filter_map(|item| item.path(field)?.scalar_text())
            .collect();
        return Some(Found {
            text: items.join(","),
            origin: Origin::ConfigKey {
                path: doc.path.clone(),
                key: key.to_owned(),
                line: node.line,
                column: node.column,
            },
        });
    }
    let node = doc.root.path(key)?;
    if node.is_null() {
        return None;
    }
    let text = match node.scalar_text() {
        Some(text) => text,
        None => node
            .as_seq()
            .iter()
            .filter_map(Node::scalar_text)
            .collect::<Vec<_>>()
            .join(","),
    };
    Some(Found {
        text,
        origin: Origin::ConfigKey {
            path: doc.path.clone(),
            key: key.to_owned(),
            line: node.line,
            column: node.column,
        },
    })
}

/// A zero Go duration (`0s`, `0`, `0h0m0s`) or an empty value.
pub fn is_zero(text: &str) -> bool {
    let text = text.trim();
    text.is_empty()
        || (text.chars().any(|c| c.is_ascii_digit())
            && !text.chars().any(|c| ('1'..='9').contains(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_durations() {
        assert!(is_zero("0s"));
        assert!(is_zero("0h0m0s"));
        assert!(is_zero(""));
        assert!(!is_zero("4h0m0s"));
        assert!(!is_zero("10m"));
    }
}
