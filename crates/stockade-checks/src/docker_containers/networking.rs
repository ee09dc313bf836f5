use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{Container, ContainerInspect};
use stockade_core::{Finding, Severity};

use super::{CONTAINER_CHECK, state_note};
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::{container_field, each_container};

/// A port the container publishes on the host.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Published {
    container_port: String,
    host_ip: String,
    host_port: String,
}

impl Published {
    /// `0.0.0.0:80->80/tcp`, as `docker ps` prints it.
    fn describe(&self) -> String {
        let ip = if self.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            &self.host_ip
        };
        let port = if self.host_port.is_empty() {
            "(any)"
        } else {
            &self.host_port
        };
        format!("{ip}:{port}->{}", self.container_port)
    }

    fn on_every_interface(&self) -> bool {
        matches!(self.host_ip.as_str(), "" | "0.0.0.0" | "::")
    }

    /// The lowest host port of the binding (`8000-8010` → 8000).
    fn host_port_number(&self) -> Option<u16> {
        self.host_port.split('-').next()?.parse().ok()
    }
}

/// What a container publishes: the bindings it asks for (HostConfig, also
/// for containers that are not running) and those the daemon made.
fn published(inspect: &ContainerInspect) -> Vec<Published> {
    let mut found: Vec<Published> = inspect
        .host_config
        .port_bindings
        .iter()
        .chain(&inspect.network_settings.ports)
        .flat_map(|(port, bindings)| {
            bindings.iter().flatten().map(move |b| Published {
                container_port: port.clone(),
                host_ip: b.host_ip.clone(),
                host_port: b.host_port.clone(),
            })
        })
        .collect();
    found.sort();
    found.dedup();
    // A binding the daemon made replaces the request that left the port to it.
    let decided: Vec<(String, String)> = found
        .iter()
        .filter(|p| !p.host_port.is_empty())
        .map(|p| (p.container_port.clone(), p.host_ip.clone()))
        .collect();
    found.retain(|p| {
        !p.host_port.is_empty() || !decided.contains(&(p.container_port.clone(), p.host_ip.clone()))
    });
    found
}

fn ports_field(
    container: &Container,
    ports: &[&Published],
    expected: &str,
) -> stockade_core::Evidence {
    container_field(
        container,
        "HostConfig.PortBindings",
        ports
            .iter()
            .map(|p| p.describe())
            .collect::<Vec<_>>()
            .join(", "),
        expected,
    )
}

pub static CONTAINER_PRIVILEGED_PORT_MAPPED: Check = Check {
    meta: CheckMeta {
        id: "container-privileged-port-mapped",
        title: "Containers do not publish privileged host ports",
        severity: Severity::Low,
        stride: &[Stride::Spoofing],
        cis: &[
            CisRef::docker_until("5.7", "1.13.0", "1.5.0"),
            CisRef::docker("5.8", "1.6.0"),
        ],
        rationale: "Ports below 1024 are reserved to root so that clients can trust whoever answers there (ssh, smtp, http). Docker binds them for any container, so a container can take a port that clients expect a system service to hold.",
        audit: "Reads the host ports each container publishes (HostConfig.PortBindings, and NetworkSettings.Ports when running): a host port below 1024 fails.",
        remediation: "Publish the service on a host port above 1023 (`-p 8443:443`) and, where a low port is required, forward it from a reverse proxy or load balancer. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(privileged_ports),
};

fn privileged_ports(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let ports = published(inspect);
        let low: Vec<&Published> = ports
            .iter()
            .filter(|p| p.host_port_number().is_some_and(|n| n > 0 && n < 1024))
            .collect();
        if low.is_empty() {
            Finding::pass(meta, "publishes no host port below 1024")
        } else {
            Finding::fail(
                meta,
                format!(
                    "publishes privileged host port(s) {}{}",
                    low.iter()
                        .map(|p| p.host_port.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    state_note(container)
                ),
            )
            .evidence(ports_field(container, &low, "host ports 1024 and above"))
        }
    })
}

pub static CONTAINER_PORTS_PUBLISHED: Check = Check {
    meta: CheckMeta {
        id: "container-ports-published",
        title: "Containers publish only the ports they need",
        severity: Severity::Low,
        stride: &[Stride::InformationDisclosure, Stride::ElevationOfPrivilege],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("5.8", "1.13.0", "1.5.0"),
            CisRef::docker("5.9", "1.6.0"),
        ],
        rationale: "Every published port is reachable from outside the host. Debug and admin ports published by habit (`-P`, or a copied `-p` list) expose more than the service.",
        audit: "Lists the host ports each container publishes (HostConfig.PortBindings and NetworkSettings.Ports, `-P` included). A container publishing ports gets a warning listing them for review; one publishing none passes.",
        remediation: "Publish only the service's ports (`-p`), never `-P` on images that EXPOSE admin ports; keep internal traffic on user-defined networks. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(open_ports),
};

fn open_ports(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let ports = published(inspect);
        let all: Vec<&Published> = ports.iter().collect();
        let publish_all = inspect.host_config.publish_all_ports;
        if all.is_empty() && !publish_all {
            return Finding::pass(meta, "publishes no port");
        }
        let mut finding = Finding::warn(
            meta,
            format!(
                "publishes {}: confirm each is needed{}",
                if all.is_empty() {
                    "every exposed port (-P)".to_owned()
                } else {
                    all.iter()
                        .map(|p| p.describe())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                state_note(container)
            ),
        );
        if !all.is_empty() {
            finding = finding.evidence(ports_field(
                container,
                &all,
                "only the ports the service needs",
            ));
        }
        if publish_all {
            finding = finding.evidence(container_field(
                container,
                "HostConfig.PublishAllPorts",
                "true",
                "false (publish ports one by one)",
            ));
        }
        finding
    })
}

pub static CONTAINER_PORT_BOUND_TO_ALL_INTERFACES: Check = Check {
    meta: CheckMeta {
        id: "container-port-bound-to-all-interfaces",
        title: "Published container ports are bound to a specific host interface",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("5.13", "1.13.0", "1.5.0"),
            CisRef::docker("5.14", "1.6.0"),
        ],
        rationale: "`-p 8080:80` listens on every interface of the host, public ones included, and Docker's iptables rules bypass most host firewalls. A port meant for a reverse proxy on localhost ends up on the internet.",
        audit: "Reads the host address of each published port (HostConfig.PortBindings, NetworkSettings.Ports): empty, 0.0.0.0 or :: fail.",
        remediation: "Publish with an explicit address: `-p 127.0.0.1:8080:80` or the address of the interface that should serve it. Recreate the container.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(all_interfaces),
};

fn all_interfaces(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_container(meta, ctx.workload(), |container, inspect| {
        let ports = published(inspect);
        let wide: Vec<&Published> = ports.iter().filter(|p| p.on_every_interface()).collect();
        if ports.is_empty() {
            Finding::pass(meta, "publishes no port")
        } else if wide.is_empty() {
            Finding::pass(meta, "binds every published port to a specific address")
        } else {
            Finding::fail(
                meta,
                format!(
                    "listens on every host interface: {}{}",
                    wide.iter()
                        .map(|p| p.describe())
                        .collect::<Vec<_>>()
                        .join(", "),
                    state_note(container)
                ),
            )
            .evidence(ports_field(
                container,
                &wide,
                "a specific host address, e.g. 127.0.0.1",
            ))
        }
    })
}

pub static CONTAINER_DEFAULT_BRIDGE: Check = Check {
    meta: CheckMeta {
        id: "container-default-bridge",
        title: "Containers do not use the default bridge network",
        severity: Severity::Low,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("5.29", "1.13.0", "1.5.0"),
            CisRef::docker("5.30", "1.6.0"),
        ],
        rationale: "Every container on docker0 shares one layer-2 segment: with icc on (the default) they reach each other on every port, and any of them can ARP-spoof the others. User-defined networks separate applications and give them DNS by name.",
        audit: "Reads NetworkSettings.Networks (and HostConfig.NetworkMode for containers not yet started): a container attached to the `bridge` network warns, noting whether inter-container traffic is open there (com.docker.network.bridge.enable_icc of GET /networks/bridge).",
        remediation: "Create a network per application (`docker network create app`) and start its containers with `--network app`. Recreate the container, or `docker network disconnect bridge NAME` after connecting it elsewhere.",
        ..CONTAINER_CHECK
    },
    runner: Runner::Host(default_bridge),
};

fn default_bridge(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let icc = ctx
        .snapshot
        .docker
        .as_ref()
        .and_then(|d| d.engine.ok())
        .and_then(|e| match &e.default_bridge {
            Probe::Ok(Some(bridge)) => bridge
                .pointer("/Options/com.docker.network.bridge.enable_icc")
                .and_then(Value::as_str)
                .map(|v| v != "false"),
            _ => None,
        });
    each_container(meta, ctx.workload(), |container, inspect| {
        let networks: Vec<&str> = inspect
            .network_settings
            .networks
            .keys()
            .map(String::as_str)
            .collect();
        let mode = inspect.host_config.network_mode.as_str();
        let on_bridge = networks.contains(&"bridge")
            || (networks.is_empty() && matches!(mode, "default" | "bridge"));
        let shown = if networks.is_empty() {
            format!("network mode {mode}")
        } else {
            networks.join(", ")
        };
        let evidence = container_field(
            container,
            "NetworkSettings.Networks",
            shown,
            "a user-defined network",
        );
        if !on_bridge {
            return Finding::pass(meta, "is not on the default bridge").evidence(evidence);
        }
        let traffic = match icc {
            Some(true) => ", where every container can reach it on any port (icc on)",
            Some(false) => " (icc is off there)",
            None => "",
        };
        Finding::warn(
            meta,
            format!("is on the default bridge{traffic}{}", state_note(container)),
        )
        .evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use stockade_core::workload::PortBinding;

    use super::*;

    fn binding(ip: &str, port: &str) -> Option<Vec<PortBinding>> {
        Some(vec![PortBinding {
            host_ip: ip.to_owned(),
            host_port: port.to_owned(),
        }])
    }

    #[test]
    fn requested_and_actual_bindings_merge() {
        let mut inspect = ContainerInspect::default();
        inspect.host_config.port_bindings = BTreeMap::from([
            ("80/tcp".to_owned(), binding("", "")),
            ("22/tcp".to_owned(), binding("127.0.0.1", "22")),
        ]);
        inspect.network_settings.ports =
            BTreeMap::from([("80/tcp".to_owned(), binding("", "49153"))]);
        let ports = published(&inspect);
        let described: Vec<String> = ports.iter().map(Published::describe).collect();
        assert_eq!(described, ["127.0.0.1:22->22/tcp", "0.0.0.0:49153->80/tcp"]);
        assert!(!ports[0].on_every_interface());
        assert_eq!(ports[0].host_port_number(), Some(22));
    }
}
