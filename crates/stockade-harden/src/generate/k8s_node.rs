//! Kubernetes node settings: a flag of a static pod manifest
//! (`--profiling=false` on kube-apiserver) or a key of the kubelet's
//! configuration file, edited in place, keeping the file's formatting.
//! Always `unsafe`: the kubelet restarts a static pod whose manifest
//! changes (the control plane component is down meanwhile, and a value it
//! rejects keeps it down), and a kubelet setting needs a kubelet restart.
//! A component started from a unit or found only as a process keeps the
//! check's remediation text.

use serde_json::Value;
use stockade_checks::k8s_node::SettingRule;
use stockade_checks::k8s_node::rule::Test;
use stockade_checks::k8s_node::view::{Config, Lookup, Origin};
use stockade_checks::{Check, HostContext};
use stockade_core::Finding;
use stockade_core::fix::{Applicability, Change, Effort, Fix, YamlStep};
use stockade_core::kubernetes::{ComponentKind, ComponentSource};

use crate::sources::Sources;

const MANIFEST_RISK: &str = "The kubelet restarts the static pod when its manifest changes: the component is unavailable while it restarts, and a flag it rejects keeps it down. Keep a copy outside the manifests directory and watch the pod come back (crictl ps).";
const KUBELET_RISK: &str = "The kubelet reads its configuration only at start: restart it (systemctl restart kubelet); a value it rejects keeps the node NotReady until the file is fixed.";

pub fn fix(
    check: &Check,
    rule: &SettingRule,
    finding: &Finding,
    ctx: &HostContext<'_>,
    sources: &Sources,
) -> Option<Fix> {
    let [setting] = rule.settings else {
        return None;
    };
    let value = match rule.test {
        Test::Bool(want) => want.to_string(),
        Test::Equals(text) => text.to_owned(),
        _ => return None,
    };
    let view = ctx.kubernetes(&check.meta).ok()?;
    let component = view
        .of(rule.component)
        .find(|c| Some(&c.subject()) == finding.subject.as_ref())?;
    let flag = format!("--{}={value}", setting.flag);
    let yaml_value = || match value.as_str() {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        text => text
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.to_owned()), Value::from),
    };
    let key_steps = |key: &str| -> Vec<YamlStep> { key.split('.').map(YamlStep::key).collect() };
    let manifest = match &component.facts.source {
        ComponentSource::StaticPod { path, container } => Some((path.as_str(), container.as_str())),
        _ => None,
    };
    let (change, risk, what) = match component.lookup(setting) {
        Lookup::Unknown(_) => return None,
        Lookup::Set(found) => match found.origin {
            Origin::Flag { written, index } => {
                let (path, _) = manifest?;
                let text = &sources.get(path)?.text;
                let line = *component.facts.argv_lines.get(index)?;
                let start_of_line: usize = text
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1) as usize)
                    .map(str::len)
                    .sum();
                let line_text = text[start_of_line..].lines().next()?;
                let at = line_text.find(written.as_str())?;
                let start = start_of_line + at;
                (
                    Change::ReplaceText {
                        path: path.to_owned(),
                        start,
                        end: start + written.len(),
                        old: written.clone(),
                        text: flag.clone(),
                    },
                    MANIFEST_RISK,
                    format!("change `{written}` to `{flag}` in {path}"),
                )
            }
            Origin::ConfigKey { path, key, .. } => (
                Change::SetYaml {
                    path: path.clone(),
                    document: 0,
                    at: key_steps(&key),
                    value: yaml_value(),
                },
                KUBELET_RISK,
                format!("set `{key}: {value}` in {path}"),
            ),
            Origin::Env { .. } => return None,
        },
        Lookup::Unset => {
            if let (Some(key), Config::Loaded(docs), ComponentKind::Kubelet) =
                (setting.key, &component.config, component.kind())
            {
                let path = &docs.last()?.path;
                (
                    Change::SetYaml {
                        path: path.clone(),
                        document: 0,
                        at: key_steps(key),
                        value: yaml_value(),
                    },
                    KUBELET_RISK,
                    format!("set `{key}: {value}` in {path}"),
                )
            } else {
                let (path, container) = manifest?;
                let text = &sources.get(path)?.text;
                let pods = stockade_parse::k8s_node::static_pod::parse(text).ok()?;
                let pod = pods.first()?;
                let index = pod.containers.iter().position(|c| c.name == container)?;
                let list = if text.contains("command:") {
                    "command"
                } else {
                    "args"
                };
                (
                    Change::AddYamlItem {
                        path: path.to_owned(),
                        document: 0,
                        at: vec![
                            YamlStep::key("spec"),
                            YamlStep::key("containers"),
                            YamlStep::Index(index),
                            YamlStep::key(list),
                        ],
                        item: Value::String(flag.clone()),
                    },
                    MANIFEST_RISK,
                    format!("add `{flag}` to the {list} of {path}"),
                )
            }
        }
    };
    let mut changes = vec![change];
    if risk == KUBELET_RISK {
        changes.push(Change::Instruction {
            text: "Restart the kubelet: `systemctl restart kubelet`.".to_owned(),
        });
    }
    Some(Fix {
        title: format!("{} ({what})", check.meta.title),
        applicability: Applicability::Unsafe,
        changes,
        effort: Effort::Low,
        risk: risk.to_owned(),
        needs_daemon_restart: false,
    })
}
