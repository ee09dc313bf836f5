//! Components configured as static pods: the manifests the kubelet starts
//! the control plane from (kubeadm, RKE2). Used when no process is visible
//! (an offline audit of a mounted node root or a snapshot), and always for
//! the manifests' own file permissions.

use stockade_core::kubernetes::{ComponentFacts, ComponentKind, ComponentSource};
use stockade_core::mask::mask_assignment;
use stockade_core::snapshot::Probe;
use stockade_parse::k8s_node::mask::mask_component_argv;
use stockade_parse::k8s_node::static_pod;

use crate::fs::{HostFs, join};

/// Where distributions keep static pod manifests.
pub const MANIFEST_DIRS: &[&str] = &[
    "/etc/kubernetes/manifests",
    "/var/lib/rancher/rke2/agent/pod-manifests",
];

/// A manifest file and the components it defines.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub path: String,
    pub components: Vec<ComponentFacts>,
}

/// Manifest files in `dirs` (`.yaml`, `.yml`, `.json`), each parsed. A file
/// that cannot be read or parsed yields components carrying the error when
/// its name says which component it defines, and a note otherwise.
pub fn scan(host: &HostFs, dirs: &[String], notes: &mut Vec<String>) -> Vec<Manifest> {
    let mut manifests = Vec::new();
    for dir in dirs {
        let names = match host.list_dir(dir) {
            Ok(Some(names)) => names,
            Ok(None) => continue,
            Err(e) => {
                notes.push(format!("cannot list static pod manifests: {e}"));
                continue;
            }
        };
        for name in names {
            if !(name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")) {
                continue;
            }
            let path = join(dir, &name);
            let components = match host.read_text(&path) {
                Ok(Some(text)) => match static_pod::parse(&text) {
                    Ok(pods) => pods
                        .iter()
                        .flat_map(|pod| pod.containers.iter())
                        .filter_map(|c| component(&path, c))
                        .collect(),
                    Err(e) => broken(&path, &name, &format!("{path}:{e} (not valid YAML)"), notes),
                },
                Ok(None) => Vec::new(),
                Err(e) => broken(&path, &name, &format!("cannot read {e}"), notes),
            };
            manifests.push(Manifest { path, components });
        }
    }
    manifests
}

fn broken(path: &str, name: &str, reason: &str, notes: &mut Vec<String>) -> Vec<ComponentFacts> {
    match kind_from_file_name(name) {
        Some(kind) => vec![ComponentFacts {
            kind,
            source: ComponentSource::StaticPod {
                path: path.to_owned(),
                container: String::new(),
            },
            argv: Probe::Error(format!(
                "the static pod manifest of {kind} cannot be used: {reason}"
            )),
            argv_lines: Vec::new(),
            env: Probe::Ok(Vec::new()),
            uid: None,
            matched_by: format!("manifest file name {name}"),
        }],
        None => {
            notes.push(format!("static pod manifest skipped: {reason}"));
            Vec::new()
        }
    }
}

/// `kube-apiserver.yaml` → kube-apiserver (longest names first, so
/// `kube-controller-manager` is not taken for anything shorter).
pub fn kind_from_file_name(name: &str) -> Option<ComponentKind> {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    [
        ComponentKind::ControllerManager,
        ComponentKind::ApiServer,
        ComponentKind::Scheduler,
        ComponentKind::Proxy,
        ComponentKind::Etcd,
    ]
    .into_iter()
    .find(|k| stem.contains(k.program()) || stem == k.program().trim_start_matches("kube-"))
}

fn component(path: &str, container: &static_pod::PodContainer) -> Option<ComponentFacts> {
    let program = container.argv.first()?;
    let base = program.rsplit('/').next().unwrap_or(program);
    let kind = ComponentKind::ALL
        .into_iter()
        .find(|k| k.program() == base)?;
    let env = if kind == ComponentKind::Etcd {
        container
            .env
            .iter()
            .filter(|(name, _)| name.starts_with("ETCD_"))
            .map(|(name, value)| mask_assignment(&format!("{name}={value}")))
            .collect()
    } else {
        Vec::new()
    };
    Some(ComponentFacts {
        kind,
        source: ComponentSource::StaticPod {
            path: path.to_owned(),
            container: container.name.clone(),
        },
        argv: Probe::Ok(mask_component_argv(&container.argv)),
        argv_lines: container.argv_lines.clone(),
        env: Probe::Ok(env),
        uid: None,
        matched_by: format!("container `{}` of a static pod", container.name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_name_components() {
        assert_eq!(
            kind_from_file_name("kube-controller-manager.yaml"),
            Some(ComponentKind::ControllerManager)
        );
        assert_eq!(kind_from_file_name("etcd.yaml"), Some(ComponentKind::Etcd));
        assert_eq!(
            kind_from_file_name("kube-apiserver.yml"),
            Some(ComponentKind::ApiServer)
        );
        assert_eq!(kind_from_file_name("coredns.yaml"), None);
    }
}
