//! Components started by systemd units (kubeadm's kubelet, "the hard way"
//! control planes, Debian's etcd): `ExecStart=` with `Environment=` and
//! `EnvironmentFile=` expanded as systemd expands them.

use stockade_core::kubernetes::{ComponentFacts, ComponentKind, ComponentSource};
use stockade_core::mask::mask_assignment;
use stockade_core::snapshot::{FileState, Probe};
use stockade_parse::k8s_node::mask::mask_component_argv;
use stockade_parse::systemd_env::{expand_exec_words, parse_env_file};
use stockade_parse::systemd_unit::UnitSettings;

use crate::docker::UNIT_DIRS;
use crate::fs::{HostFs, join};

/// A unit file with its drop-ins and what they configure.
#[derive(Clone, Debug)]
pub struct Unit {
    /// `kubelet.service`.
    pub name: String,
    /// The unit file, when one exists (a drop-in can exist without it).
    pub path: Option<String>,
    pub drop_ins: Vec<String>,
    pub settings: UnitSettings,
}

impl Unit {
    /// The unit file, or its first drop-in.
    pub fn display_path(&self) -> String {
        self.path
            .clone()
            .or_else(|| self.drop_ins.first().cloned())
            .unwrap_or_default()
    }

    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.path.iter().chain(&self.drop_ins)
    }
}

/// Finds `name` (e.g. `kubelet.service`) in systemd's search path, with
/// drop-ins from every `NAME.d/` directory.
pub fn find(host: &HostFs, name: &str) -> Option<Unit> {
    let path = UNIT_DIRS
        .iter()
        .map(|dir| join(dir, name))
        .find(|path| !matches!(host.stat(path).state, FileState::Absent));
    let mut drop_ins: Vec<(String, String)> = Vec::new();
    for dir in UNIT_DIRS {
        let drop_in_dir = join(dir, &format!("{name}.d"));
        if let Ok(Some(names)) = host.list_dir(&drop_in_dir) {
            for file in names.into_iter().filter(|n| n.ends_with(".conf")) {
                if !drop_ins.iter().any(|(n, _)| *n == file) {
                    drop_ins.push((file.clone(), join(&drop_in_dir, &file)));
                }
            }
        }
    }
    if path.is_none() && drop_ins.is_empty() {
        return None;
    }
    drop_ins.sort();
    let mut settings = UnitSettings::default();
    for file in path.iter().chain(drop_ins.iter().map(|(_, p)| p)) {
        if let Ok(Some(text)) = host.read_text(file) {
            settings.apply(&text);
        }
    }
    Some(Unit {
        name: name.to_owned(),
        path,
        drop_ins: drop_ins.into_iter().map(|(_, p)| p).collect(),
        settings,
    })
}

/// Expands the unit-name specifiers systemd allows in paths (`%p`, `%n`, `%%`).
fn specifiers(unit: &str, text: &str) -> String {
    let prefix = unit.split(['.', '@']).next().unwrap_or(unit);
    text.replace("%%", "\u{0}")
        .replace("%p", prefix)
        .replace("%N", unit.rsplit_once('.').map_or(unit, |(n, _)| n))
        .replace("%n", unit)
        .replace('\u{0}', "%")
}

/// The component a unit starts, with its command line expanded.
pub fn component(host: &HostFs, kind: ComponentKind, unit: &Unit) -> ComponentFacts {
    let mut vars = Vec::new();
    let mut problems = Vec::new();
    for file in &unit.settings.environment_files {
        let file = specifiers(&unit.name, file);
        let (optional, file) = match file.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, file.as_str()),
        };
        match host.read_text(file) {
            Ok(Some(text)) => vars.extend(parse_env_file(&text)),
            Ok(None) if optional => {}
            Ok(None) => problems.push(format!("EnvironmentFile {file} does not exist")),
            Err(e) => problems.push(format!("EnvironmentFile {e}")),
        }
    }
    vars.extend(unit.settings.environment.iter().cloned());
    let path = unit.display_path();
    let argv = match unit.settings.exec_start_argv() {
        Some(words) if problems.is_empty() => {
            let (expanded, _unset) = expand_exec_words(&words, &vars);
            Probe::Ok(mask_component_argv(&expanded))
        }
        Some(_) => Probe::Error(format!(
            "the command line in {path} cannot be assembled: {}",
            problems.join("; ")
        )),
        None => Probe::Error(format!("{path} has no ExecStart= line")),
    };
    let env = if kind == ComponentKind::Etcd {
        vars.iter()
            .filter(|(name, _)| name.starts_with("ETCD_"))
            .map(|(name, value)| mask_assignment(&format!("{name}={value}")))
            .collect()
    } else {
        Vec::new()
    };
    ComponentFacts {
        kind,
        source: ComponentSource::Unit { path },
        argv,
        argv_lines: Vec::new(),
        env: Probe::Ok(env),
        uid: None,
        matched_by: "the systemd unit's ExecStart (the configured command line)".to_owned(),
    }
}
