//! Facts about a Kubernetes node: which components run here and how they
//! are configured, found the way an operator would look.
//!
//! 1. Running processes (live audits, and mounted roots seen from the
//!    host's pid namespace): plain binaries, `hyperkube`,
//!    containerised control planes, k3s.
//! 2. Static pod manifests for components with no visible process: the
//!    kubelet's `staticPodPath` / `--pod-manifest-path`, kubeadm's and
//!    RKE2's manifest directories.
//! 3. systemd units (`kubelet.service`, `etcd.service`...) for what is still
//!    missing: `ExecStart=` with its environment expanded.
//!
//! Configuration files come from each component's own flags first (the
//! kubelet's `--config`, etcd's `--config-file`...), read through
//! /proc/PID/root when the process runs in a container.

mod documents;
mod files;
pub mod processes;
pub mod static_pods;
pub mod units;

use stockade_core::kubernetes::{ComponentFacts, ComponentKind, KubernetesFacts};
use stockade_parse::k8s_node::args::{ComponentArgs, parse_component};

use crate::fs::HostFs;

/// Collects the node's Kubernetes facts.
pub fn collect(host: &HostFs) -> KubernetesFacts {
    let mut notes = Vec::new();
    let mut components: Vec<ComponentFacts> = Vec::new();
    // A mounted root seen from the host's pid namespace (a pod with hostPID
    // and the node's directories under /host) shows the running components.
    if host.sees_live_host() {
        for process in processes::scan() {
            components.extend(processes::components(&process));
        }
    } else {
        notes.push(format!(
            "offline audit of {}: no process is visible, so components are read from static pod manifests and systemd units (their configured, not necessarily running, command lines)",
            host.root().display()
        ));
    }

    // The kubelet first: it names the static pod directory.
    let kubelet_unit = units::find(host, "kubelet.service");
    if !has(&components, ComponentKind::Kubelet)
        && let Some(unit) = &kubelet_unit
    {
        components.push(units::component(host, ComponentKind::Kubelet, unit));
    }
    let kubelet_config = documents::kubelet_config_view(host, &components);

    let mut manifest_dirs: Vec<String> = Vec::new();
    if let Some(dir) = kubelet_config.static_pod_path.clone() {
        manifest_dirs.push(dir);
    }
    manifest_dirs.extend(static_pods::MANIFEST_DIRS.iter().map(|d| (*d).to_owned()));
    manifest_dirs.dedup();
    let manifests = static_pods::scan(host, &manifest_dirs, &mut notes);
    for manifest in &manifests {
        for component in &manifest.components {
            if !has(&components, component.kind)
                || components
                    .iter()
                    .any(|c| c.kind == component.kind && is_static_pod(c))
            {
                components.push(component.clone());
            }
        }
    }

    for kind in ComponentKind::ALL {
        if has(&components, kind) {
            continue;
        }
        if let Some(unit) = units::find(host, &format!("{}.service", kind.program())) {
            components.push(units::component(host, kind, &unit));
        }
    }

    let documents = documents::collect(host, &components);
    let files = files::collect(
        host,
        &components,
        &manifests,
        kubelet_unit.as_ref(),
        &documents,
    );
    KubernetesFacts {
        components,
        documents,
        files,
        notes,
        etcd_account: etcd_account(host),
    }
}

/// The uid of user `etcd` and gid of group `etcd` on the node, if either exists.
fn etcd_account(host: &HostFs) -> Option<(Option<u32>, Option<u32>)> {
    let id_of = |file: &str| -> Option<u32> {
        let text = host.read_text(file).ok()??;
        text.lines().find_map(|line| {
            let mut fields = line.split(':');
            (fields.next()? == "etcd").then_some(())?;
            fields.nth(1)?.trim().parse().ok()
        })
    };
    let account = (id_of("/etc/passwd"), id_of("/etc/group"));
    (account.0.is_some() || account.1.is_some()).then_some(account)
}

fn has(components: &[ComponentFacts], kind: ComponentKind) -> bool {
    components.iter().any(|c| c.kind == kind)
}

fn is_static_pod(component: &ComponentFacts) -> bool {
    matches!(
        component.source,
        stockade_core::kubernetes::ComponentSource::StaticPod { .. }
    )
}

/// A component's parsed command line (empty when unreadable).
pub(crate) fn args_of(component: &ComponentFacts) -> ComponentArgs {
    component
        .argv
        .ok()
        .map(|argv| parse_component(component.kind, argv))
        .unwrap_or_default()
}
