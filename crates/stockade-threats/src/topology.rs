//! The live topology of a Docker host: each container becomes a component
//! inside the container sandbox, each published port a flow across the host
//! boundary (with the address it is bound to), each bind mount a flow into
//! the host's filesystem, and each shared namespace or mounted docker.sock
//! an edge that widens a boundary. A container with a risky trait gets its
//! own copy of the catalog threat the trait makes real.

use std::collections::{BTreeSet, HashMap, HashSet};

use stockade_core::Status;
use stockade_core::finding::SubjectKind;
use stockade_core::workload::{Container, Workload};

use crate::catalog::{Catalog, Component, Flow, Origin, Threat, glob_matches};
use crate::evaluate::CheckOutcome;

/// Catalog threats that have a per-container copy when a check linked to
/// them fails for that container.
const PER_CONTAINER: &[&str] = &[
    "DKR-CTR-01", // privileged
    "DKR-CTR-02", // docker.sock mounted
    "DKR-CTR-03", // sensitive host paths, shared propagation
    "DKR-CTR-04", // capabilities added
    "DKR-CTR-05", // host pid / ipc / uts
    "DKR-CTR-06", // host network
    "DKR-CTR-07", // seccomp, AppArmor, SELinux off
    "DKR-CTR-08", // memory, CPU
    "DKR-CTR-10", // published on every interface
    "DKR-CTR-19", // NET_RAW kept
    "DKR-CTR-21", // pids limit
    "DKR-CTR-22", // host user namespace
];

/// The catalog threat a `container:<id>` namespace makes real.
const SHARED_NAMESPACE_THREAT: &str = "DKR-CTR-17";

/// The component id of a container.
pub fn component_id(name: &str) -> String {
    format!("container/{name}")
}

/// Adds the host's containers, their flows and their threats to `catalog`.
pub fn add_docker_topology(catalog: &mut Catalog, workload: &Workload, outcomes: &[CheckOutcome]) {
    let mut containers: Vec<&Container> = workload
        .containers
        .iter()
        .filter(|c| !c.was_removed())
        .collect();
    containers.sort_by(|a, b| a.name.cmp(&b.name));
    if containers.is_empty() {
        return;
    }
    let sandbox = catalog
        .component("container")
        .and_then(|c| c.boundary.clone());
    let mut needs_remote_clients = false;
    let mut sidecars: Vec<(String, String)> = Vec::new();
    let mut images: Vec<(String, String)> = Vec::new();
    for container in &containers {
        catalog.components.push(Component {
            id: component_id(&container.name),
            platform: "docker".to_owned(),
            name: format!("{} ({})", container.name, container.state),
            kind: "process".to_owned(),
            boundary: sandbox.clone(),
            description: format!(
                "Container `{}` from image `{}`.",
                container.name, container.image
            ),
            instance_of: Some("container".to_owned()),
            origin: Origin::Topology,
        });
        catalog.flows.push(flow(
            "docker-daemon",
            &component_id(&container.name),
            format!("starts and supervises {}", container.name),
        ));
        let Some(inspect) = container.inspect.ok() else {
            images.push((container.name.clone(), container.image.clone()));
            continue;
        };
        let host = &inspect.host_config;
        for (port, bindings) in &host.port_bindings {
            for binding in bindings.iter().flatten() {
                needs_remote_clients = true;
                let address = if binding.host_ip.is_empty() {
                    "0.0.0.0"
                } else {
                    binding.host_ip.as_str()
                };
                let host_port = if binding.host_port.is_empty() {
                    "(any)"
                } else {
                    binding.host_port.as_str()
                };
                catalog.flows.push(flow(
                    "remote-clients",
                    &component_id(&container.name),
                    format!("{address}:{host_port} → {port}"),
                ));
            }
        }
        // The Engine API lists mounts in no fixed order: by destination, the
        // same host draws the same picture.
        let mut binds: Vec<_> = inspect
            .mounts
            .iter()
            .filter(|m| m.r#type == "bind")
            .collect();
        binds.sort_by(|a, b| (&a.destination, &a.source).cmp(&(&b.destination, &b.source)));
        for mount in binds {
            let access = if mount.rw { "rw" } else { "ro" };
            if mount.source.ends_with("docker.sock") || mount.source.ends_with("containerd.sock") {
                catalog.flows.push(flow(
                    &component_id(&container.name),
                    "docker-daemon",
                    format!("controls the daemon through {} ({access})", mount.source),
                ));
            } else {
                catalog.flows.push(flow(
                    &component_id(&container.name),
                    "docker-host",
                    format!(
                        "bind mount {} → {} ({access})",
                        mount.source, mount.destination
                    ),
                ));
            }
        }
        let mut shared_with: Vec<(String, Vec<String>)> = Vec::new();
        for (namespace, mode) in [
            ("network", &host.network_mode),
            ("pid", &host.pid_mode),
            ("ipc", &host.ipc_mode),
            ("uts", &host.uts_mode),
            ("user", &host.userns_mode),
        ] {
            if mode == "host" {
                catalog.flows.push(flow(
                    &component_id(&container.name),
                    "docker-host",
                    format!("shares the host's {namespace} namespace"),
                ));
            } else if let Some(target) = mode.strip_prefix("container:") {
                let peer = containers
                    .iter()
                    .find(|c| c.id.starts_with(target) || c.name == target)
                    .map_or_else(|| target.to_owned(), |c| c.name.clone());
                match shared_with.iter_mut().find(|(p, _)| *p == peer) {
                    Some((_, namespaces)) => namespaces.push(namespace.to_owned()),
                    None => shared_with.push((peer, vec![namespace.to_owned()])),
                }
            }
        }
        for (peer, namespaces) in shared_with {
            let list = namespaces.join(" and ");
            let plural = if namespaces.len() > 1 { "s" } else { "" };
            catalog.flows.push(flow(
                &component_id(&container.name),
                &component_id(&peer),
                format!("shares {peer}'s {list} namespace{plural}"),
            ));
            sidecars.push((
                container.name.clone(),
                format!(
                    "{} runs in {peer}'s {list} namespace{plural} (mode container:{peer}): each of the two can act on the other",
                    container.name
                ),
            ));
        }
        images.push((container.name.clone(), container.image.clone()));
    }
    if needs_remote_clients && catalog.component("remote-clients").is_none() {
        let boundary = catalog
            .component("registry")
            .and_then(|c| c.boundary.clone());
        catalog.components.push(Component {
            id: "remote-clients".to_owned(),
            platform: "docker".to_owned(),
            name: "Clients of published ports".to_owned(),
            kind: "external-entity".to_owned(),
            boundary,
            description: "Whoever can reach the host's published ports.".to_owned(),
            instance_of: None,
            origin: Origin::Topology,
        });
    }

    // A copy of each per-container threat for each container a linked check
    // fails on, and of any threat an acceptance names a container for.
    let accepted_for = |threat: &str, container: &str, image: &str| {
        catalog.acceptances.iter().any(|a| {
            a.threat == threat
                && a.subject
                    .as_deref()
                    .is_some_and(|s| glob_matches(s, container) || glob_matches(s, image))
        })
    };
    let covered = |threat: &Threat| {
        threat.covered_by.as_ref().is_some_and(|c| {
            outcomes
                .iter()
                .any(|o| o.id == c.when_failing && o.findings.iter().any(|f| f.status.is_problem()))
        })
    };
    let image_of: HashMap<&str, &str> = images
        .iter()
        .map(|(name, image)| (name.as_str(), image.as_str()))
        .collect();
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for outcome in outcomes {
        let threats: Vec<&Threat> = catalog
            .threats_of_check(&outcome.id)
            .filter(|t| t.subject.is_none() && !covered(t))
            .collect();
        if threats.is_empty() {
            continue;
        }
        for finding in outcome
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        {
            let Some(subject) = finding
                .subject
                .as_ref()
                .filter(|s| s.kind == SubjectKind::Container)
            else {
                continue;
            };
            let image = image_of.get(subject.name.as_str()).copied().unwrap_or("");
            for threat in &threats {
                if PER_CONTAINER.contains(&threat.id.as_str())
                    || accepted_for(&threat.id, &subject.name, image)
                {
                    wanted.insert((threat.id.clone(), subject.name.clone()));
                }
            }
        }
    }
    let mut copies = Copies::new(catalog, &image_of);
    for (threat, container) in &wanted {
        copies.add(threat, container, None);
    }
    for (container, observed) in sidecars {
        copies.add(SHARED_NAMESPACE_THREAT, &container, Some(observed));
    }
    let copies = copies.threats;
    catalog.threats.extend(copies);
}

fn flow(from: &str, to: &str, label: String) -> Flow {
    Flow {
        id: format!("{from}->{to}:{label}"),
        from: from.to_owned(),
        to: to.to_owned(),
        label,
        protocol: String::new(),
        description: String::new(),
        origin: Origin::Topology,
    }
}

/// Per-container copies of catalog threats, made once each.
struct Copies<'a> {
    catalog: &'a Catalog,
    image_of: &'a HashMap<&'a str, &'a str>,
    components: HashSet<&'a str>,
    made: HashSet<String>,
    threats: Vec<Threat>,
}

impl<'a> Copies<'a> {
    fn new(catalog: &'a Catalog, image_of: &'a HashMap<&'a str, &'a str>) -> Self {
        Copies {
            catalog,
            image_of,
            components: catalog.components.iter().map(|c| c.id.as_str()).collect(),
            made: catalog.threats.iter().map(|t| t.id.clone()).collect(),
            threats: Vec::new(),
        }
    }

    /// Copies catalog threat `id` onto `container`.
    fn add(&mut self, id: &str, container: &str, observed: Option<String>) {
        let instance_id = format!("{id}@{container}");
        let component = component_id(container);
        if self.made.contains(&instance_id) || !self.components.contains(component.as_str()) {
            return;
        }
        let Some(template) = self.catalog.threat(id) else {
            return;
        };
        let mut threat: Threat = template.clone();
        threat.id = instance_id.clone();
        threat.component = component;
        threat.subject = Some(container.to_owned());
        threat.subject_aliases = self
            .image_of
            .get(container)
            .map(|image| vec![(*image).to_owned()])
            .unwrap_or_default();
        threat.instance_of = Some(id.to_owned());
        threat.title = format!("{} ({container})", threat.title);
        threat.covers = Vec::new();
        threat.origin = Origin::Topology;
        if observed.is_some() {
            threat.observed = observed;
        }
        self.made.insert(instance_id);
        self.threats.push(threat);
    }
}
