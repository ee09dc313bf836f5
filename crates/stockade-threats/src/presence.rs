//! Which components of the model the audited host runs.
//!
//! A component is present when its process runs, its API answers or (on a
//! Kubernetes node) its static pod manifest exists. A unit file or package
//! with nothing running is "installed but not running"; its threats are
//! not applicable with that reason, and no fix for it enters the plan.

use stockade_core::kubernetes::{ComponentKind, ComponentSource, KubernetesFacts};
use stockade_core::snapshot::{ArgvSource, DockerFacts, FileState, Probe, Snapshot};

use crate::catalog::{Catalog, Presence};

/// The presence of each component of `catalog` the snapshot tells about:
/// Docker components stand or fall with the daemon; Kubernetes components
/// with their own process or manifest, and the cluster-wide ones (pods,
/// network, RBAC, user components) with an API server or a kubelet.
/// Components it says nothing about are left out (taken as present).
///
/// An offline audit (a host filesystem mounted elsewhere) sees no processes:
/// there a unit file is taken as the component being there, and says so.
pub fn presence(catalog: &Catalog, snapshot: &Snapshot) -> Vec<(String, Presence)> {
    let live = snapshot.host.live;
    let docker = snapshot
        .docker
        .as_ref()
        .map(|d| offline(docker_presence(d), live));
    let kubernetes: Option<Vec<(String, Presence)>> = snapshot.kubernetes.as_ref().map(|k| {
        kubernetes_presence(k)
            .into_iter()
            .map(|(c, p)| (c, offline(p, live)))
            .collect()
    });
    let mut out = Vec::new();
    for component in catalog
        .components
        .iter()
        .filter(|c| c.instance_of.is_none())
    {
        let presence = match component.platform.as_str() {
            "docker" => docker.clone(),
            "kubernetes" => kubernetes.as_ref().and_then(|found| {
                let of = |id: &str| found.iter().find(|(c, _)| c == id).map(|(_, p)| p.clone());
                of(&component.id).or_else(|| of(CLUSTER))
            }),
            _ => None,
        };
        if let Some(presence) = presence {
            out.push((component.id.clone(), presence));
        }
    }
    out
}

/// On an offline audit, installed is as close to running as can be seen.
fn offline(presence: Presence, live: bool) -> Presence {
    match presence {
        Presence::InstalledNotRunning(why) if !live => Presence::Present(format!(
            "{why} (offline audit: processes are not visible, so the unit stands for the component)"
        )),
        other => other,
    }
}

/// Records the snapshot's presence facts in `catalog`.
pub fn apply(catalog: &mut Catalog, snapshot: &Snapshot) {
    catalog.presence = presence(catalog, snapshot);
}

/// Checks that only verify components installed but not running here
/// (every threat they are linked to is on such a component): their fixes
/// have nothing to protect. Components with no trace at all are left to the
/// checks, which find nothing to judge or the files that are there.
pub fn checks_for_stopped_components(catalog: &Catalog) -> Vec<&'static str> {
    let absent = |component: &str| {
        matches!(
            catalog.presence_of(component),
            Some(Presence::InstalledNotRunning(_))
        )
    };
    let mut checks: Vec<&'static str> =
        catalog.threats.iter().flat_map(|t| t.check_ids()).collect();
    checks.sort_unstable();
    checks.dedup();
    checks.retain(|check| {
        catalog
            .threats_of_check(check)
            .all(|t| absent(&t.component))
    });
    checks
}

fn docker_presence(docker: &DockerFacts) -> Presence {
    if docker.engine.ok().is_some() {
        return Presence::Present(format!("the Engine API answers at {}", docker.endpoint));
    }
    if let Probe::Ok(daemon) = &docker.daemon
        && let ArgvSource::Process { pid } = daemon.source
    {
        return Presence::Present(format!("dockerd runs (pid {pid})"));
    }
    if let Some(unit) = docker
        .unit("docker.service")
        .filter(|u| matches!(u.facts.state, FileState::Present(_)))
    {
        return Presence::InstalledNotRunning(format!(
            "{} exists, but no dockerd answers at {}",
            unit.facts.path, docker.endpoint
        ));
    }
    Presence::Absent(format!(
        "no dockerd process, and nothing answers at {}",
        docker.endpoint
    ))
}

fn component_of(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::ApiServer => "api-server",
        ComponentKind::ControllerManager => "controller-manager",
        ComponentKind::Scheduler => "scheduler",
        ComponentKind::Etcd => "etcd",
        ComponentKind::Kubelet => "kubelet",
        ComponentKind::Proxy => "kube-proxy",
    }
}

/// The key of the cluster-wide presence in [`kubernetes_presence`].
const CLUSTER: &str = "(cluster)";

fn kubernetes_presence(facts: &KubernetesFacts) -> Vec<(String, Presence)> {
    let mut out: Vec<(String, Presence)> = Vec::new();
    for kind in ComponentKind::ALL {
        let found: Vec<_> = facts.components_of(kind).collect();
        let running = found
            .iter()
            .find(|c| !matches!(c.source, ComponentSource::Unit { .. }));
        let presence = match (running, found.first()) {
            (Some(component), _) => Presence::Present(component.describe()),
            (None, Some(component)) => Presence::InstalledNotRunning(format!(
                "{}, but no {} process runs and no static pod manifest starts it",
                component.describe(),
                kind.program()
            )),
            (None, None) => Presence::Absent(format!(
                "no {} process, static pod manifest or unit",
                kind.program()
            )),
        };
        out.push((component_of(kind).to_owned(), presence));
    }
    let present = |id: &str| {
        out.iter()
            .any(|(c, p)| c == id && matches!(p, Presence::Present(_)))
    };
    let control_plane = ["api-server", "scheduler", "controller-manager"]
        .into_iter()
        .find(|c| present(c));
    let node = match control_plane {
        Some(component) => Presence::Present(format!("{component} runs here")),
        None => Presence::Absent("no control-plane component runs here".to_owned()),
    };
    let cluster = match ["api-server", "kubelet"].into_iter().find(|c| present(c)) {
        Some(component) => Presence::Present(format!("{component} runs here")),
        None => Presence::Absent("neither kube-apiserver nor a kubelet runs here".to_owned()),
    };
    out.push(("control-plane-node".to_owned(), node));
    out.push((CLUSTER.to_owned(), cluster));
    out
}
