//! Swarm mode (CIS Docker 5.1 and section 7).
//!
//! Every section 7 control is about a running swarm: on a node where swarm
//! mode is inactive they are not applicable, and say so. The facts come
//! from GET /info (Swarm, with the cluster spec on managers), GET /nodes,
//! GET /secrets and the daemon's listening sockets read from its network
//! namespace.

use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location};
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::SwarmFacts;
use stockade_core::{Finding, Severity};

use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

/// Fields every swarm check shares.
const SWARM_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "docker_swarm",
    scope: Scope::Daemon,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

/// What a swarm check reads, once it knows the node is in an active swarm.
struct Swarm<'a> {
    info: &'a Value,
    facts: Option<&'a SwarmFacts>,
}

impl<'a> Swarm<'a> {
    fn get(&self, pointer: &str) -> Option<&'a Value> {
        self.info.pointer(&format!("/Swarm{pointer}"))
    }

    fn is_manager(&self) -> bool {
        self.get("/ControlAvailable")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The cluster spec, which only managers report.
    fn spec(&self, pointer: &str) -> Option<&'a Value> {
        self.get(&format!("/Cluster/Spec{pointer}"))
    }
}

/// The node's swarm state from GET /info: `inactive`, `active`, `pending`...
fn local_state<'a>(
    meta: &CheckMeta,
    ctx: &HostContext<'a>,
) -> Result<(&'a str, &'a Value), Finding> {
    let docker = ctx.docker(meta)?;
    let engine = docker.engine().map_err(|reason| {
        Finding::error(meta, format!("the Engine API is unavailable: {reason}"))
    })?;
    let state = engine
        .info
        .pointer("/Swarm/LocalNodeState")
        .and_then(Value::as_str)
        .unwrap_or("inactive");
    Ok((state, &engine.info))
}

/// Runs `judge` on an active swarm node; not-applicable elsewhere.
fn on_active_swarm(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    judge: impl Fn(&Swarm<'_>) -> Finding,
) -> Vec<Finding> {
    let (state, info) = match local_state(meta, ctx) {
        Ok(found) => found,
        Err(finding) => return vec![finding],
    };
    if state != "active" {
        return vec![Finding::not_applicable(
            meta,
            format!("swarm mode is {state} on this node"),
        )];
    }
    let facts = ctx.workload().collected().and_then(|w| w.swarm.as_ref());
    vec![judge(&Swarm { info, facts })]
}

/// Not-applicable on worker nodes, which hold no cluster configuration.
fn managers_only(meta: &CheckMeta, swarm: &Swarm<'_>, judge: impl Fn() -> Finding) -> Finding {
    if swarm.is_manager() {
        judge()
    } else {
        Finding::not_applicable(
            meta,
            "this node is a swarm worker; the check applies to managers",
        )
    }
}

pub static SWARM_MODE_ENABLED: Check = Check {
    meta: CheckMeta {
        id: "swarm-mode-enabled",
        title: "Swarm mode is not enabled unless needed",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
        cis: &[
            CisRef::docker_until("2.15", "1.13.0", "1.13.0"),
            CisRef::docker_until("7.1", "1.1.0", "1.5.0"),
            CisRef::docker("5.1", "1.6.0"),
        ],
        rationale: "Swarm mode opens management (2377/tcp), gossip (7946) and overlay (4789/udp) ports and lets managers schedule containers onto the node. A node that does not serve a swarm should not expose them.",
        audit: "Reads Swarm.LocalNodeState of GET /info: `inactive` passes; any other state warns, since only the operator knows whether the swarm is needed.",
        remediation: "On a node that should not be part of a swarm, run `docker swarm leave` (`--force` on the last manager).",
        ..SWARM_CHECK
    },
    runner: Runner::Host(swarm_mode),
};

fn swarm_mode(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let (state, _) = match local_state(meta, ctx) {
        Ok(found) => found,
        Err(finding) => return vec![finding],
    };
    let evidence = api_evidence(
        "/info",
        "Swarm.LocalNodeState",
        state,
        "inactive, unless this node serves a swarm",
    );
    vec![if state == "inactive" {
        Finding::pass(meta, "swarm mode is inactive").evidence(evidence)
    } else {
        Finding::warn(
            meta,
            format!("swarm mode is {state}: confirm this node needs it"),
        )
        .evidence(evidence)
    }]
}

pub static SWARM_MANAGERS_NOT_MINIMAL: Check = Check {
    meta: CheckMeta {
        id: "swarm-managers-not-minimal",
        title: "The swarm has the minimum number of manager nodes it needs",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("2.16", "1.13.0", "1.13.0"),
            CisRef::docker_until("7.2", "1.1.0", "1.5.0"),
            CisRef::docker("7.1", "1.6.0"),
        ],
        rationale: "Every manager holds the whole cluster state and its secrets: each one is a target. Raft needs an odd number (1, 3, 5, 7) to tolerate failures; more managers, or an even count, add exposure without adding fault tolerance.",
        audit: "Counts managers (GET /info Swarm.Managers, with GET /nodes listing them): an odd number up to 7 passes; an even number or more than 7 warns.",
        remediation: "Demote surplus managers (`docker node demote NODE`) until an odd number between 1 and 7 remains, sized to the failures the cluster must survive.",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| on_active_swarm(meta, ctx, |swarm| managers(meta, swarm))),
};

fn managers(meta: &CheckMeta, swarm: &Swarm<'_>) -> Finding {
    let count = swarm.get("/Managers").and_then(Value::as_u64).unwrap_or(0);
    let mut evidence = vec![api_evidence(
        "/info",
        "Swarm.Managers",
        count.to_string(),
        "an odd number from 1 to 7",
    )];
    if let Some(Probe::Ok(names)) = swarm.facts.map(|f| &f.managers) {
        evidence.push(
            Evidence::observed(names.join(", ")).at(Location::api("/nodes", "ManagerStatus")),
        );
    }
    let finding = if count == 0 {
        Finding::error(meta, "GET /info reports no manager count")
    } else if count.is_multiple_of(2) {
        Finding::warn(
            meta,
            format!("{count} managers: an even number adds exposure but no fault tolerance"),
        )
    } else if count > 7 {
        Finding::warn(meta, format!("{count} managers: more than Raft needs"))
    } else {
        Finding::pass(meta, format!("{count} manager(s)"))
    };
    finding.evidences(evidence)
}

pub static SWARM_LISTENS_ON_ALL_INTERFACES: Check = Check {
    meta: CheckMeta {
        id: "swarm-listens-on-all-interfaces",
        title: "The swarm management port is bound to a specific interface",
        severity: Severity::Medium,
        stride: &[Stride::Spoofing, Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("2.17", "1.13.0", "1.13.0"),
            CisRef::docker_until("7.3", "1.1.0", "1.5.0"),
            CisRef::docker("7.2", "1.6.0"),
        ],
        rationale: "`docker swarm init` listens on 0.0.0.0:2377 by default: the management API, and the join handshake, are then reachable on every interface, public ones included.",
        audit: "Reads the TCP sockets listening on port 2377 in the daemon's own network namespace (/proc/PID/net/tcp and tcp6 of the dockerd serving the audited socket): a wildcard address fails. Remote daemons cannot be examined and give an error.",
        remediation: "Re-initialise or re-join with `--listen-addr ADDRESS:2377` on the management interface only.",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| on_active_swarm(meta, ctx, |swarm| listeners(meta, swarm))),
};

fn listeners(meta: &CheckMeta, swarm: &Swarm<'_>) -> Finding {
    let Some(facts) = swarm.facts else {
        return Finding::error(meta, "the swarm's listening sockets were not collected");
    };
    match &facts.management_listeners {
        Probe::Error(reason) => Finding::error(
            meta,
            format!("cannot read the daemon's listening sockets: {reason}"),
        ),
        Probe::Ok(addresses) if addresses.is_empty() => managers_only(meta, swarm, || {
            Finding::error(
                meta,
                "no socket listens on port 2377 in the daemon's network namespace",
            )
        }),
        Probe::Ok(addresses) => {
            let evidence = Evidence::observed(format!("listening on {}", addresses.join(", ")))
                .expected("a specific address, e.g. 10.0.0.5:2377");
            let wildcard = addresses
                .iter()
                .any(|a| a.starts_with("0.0.0.0:") || a.starts_with("[::]:"));
            if wildcard {
                Finding::fail(meta, "the management port listens on every interface")
                    .evidence(evidence)
            } else {
                Finding::pass(meta, "the management port listens on a specific address")
                    .evidence(evidence)
            }
        }
    }
}

pub static OVERLAY_NETWORK_UNENCRYPTED: Check = Check {
    meta: CheckMeta {
        id: "overlay-network-unencrypted",
        title: "Overlay networks are encrypted",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        cis: &[
            CisRef::docker_until("2.19", "1.13.0", "1.13.0"),
            CisRef::docker_until("7.4", "1.1.0", "1.5.0"),
            CisRef::docker("7.3", "1.6.0"),
        ],
        rationale: "Overlay traffic between nodes is plain VXLAN by default: anyone on the path between hosts can read and inject container traffic. The `encrypted` option adds IPsec between nodes.",
        audit: "Reads every network with the overlay driver (GET /networks): one without the `encrypted` option fails. Without overlay networks the check is not applicable.",
        remediation: "Create overlay networks with `docker network create -d overlay --opt encrypted NAME` and move services to them (an existing network cannot be switched).",
        ..SWARM_CHECK
    },
    runner: Runner::Host(overlay),
};

fn overlay(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let workload = match ctx.workload().all(meta) {
        Ok(workload) => workload,
        Err(finding) => return vec![finding],
    };
    let networks = match &workload.networks {
        Probe::Ok(networks) => networks,
        Probe::Error(reason) => {
            return vec![Finding::error(
                meta,
                format!("the networks could not be listed: {reason}"),
            )];
        }
    };
    let overlays: Vec<_> = networks.iter().filter(|n| n.driver == "overlay").collect();
    if overlays.is_empty() {
        return vec![Finding::not_applicable(
            meta,
            "the daemon has no overlay network",
        )];
    }
    overlays
        .into_iter()
        .map(|network| {
            let encrypted = network.options.contains_key("encrypted");
            let evidence = api_evidence(
                &format!("/networks/{}", network.id),
                "Options.encrypted",
                if encrypted { "set" } else { "absent" },
                "set (--opt encrypted)",
            );
            let finding = if encrypted {
                Finding::pass(
                    meta,
                    format!("overlay network {} is encrypted", network.name),
                )
            } else {
                Finding::fail(
                    meta,
                    format!(
                        "overlay network {} ({}) is not encrypted",
                        network.name, network.scope
                    ),
                )
            };
            finding.evidence(evidence)
        })
        .collect()
}

pub static SWARM_SECRETS_UNUSED: Check = Check {
    meta: CheckMeta {
        id: "swarm-secrets-unused",
        title: "Swarm secrets are managed with Docker's secret store",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("2.22", "1.13.0", "1.13.0"),
            CisRef::docker_until("7.5", "1.1.0", "1.5.0"),
            CisRef::docker("7.4", "1.6.0"),
        ],
        rationale: "Secrets passed to services as environment variables or baked into images are visible to anyone who can inspect them. Docker secrets are encrypted in the Raft log and mounted only into the tasks that need them.",
        audit: "Counts the swarm's secrets (GET /secrets on a manager): at least one passes as a sign the store is used; none is left for review, since a swarm may simply need no secret.",
        remediation: "Create secrets with `docker secret create` and give them to services with `--secret`; remove credentials from service environments.",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        on_active_swarm(meta, ctx, |swarm| {
            managers_only(meta, swarm, || match swarm.facts.map(|f| &f.secrets) {
                Some(Probe::Ok(0)) => Finding::manual(
                    meta,
                    "the swarm manages no secret: check services get theirs from `docker secret`, not environment variables",
                ),
                Some(Probe::Ok(n)) => {
                    Finding::pass(meta, format!("the swarm manages {n} secret(s)"))
                }
                Some(Probe::Error(reason)) => {
                    Finding::error(meta, format!("cannot list the swarm's secrets: {reason}"))
                }
                None => Finding::error(meta, "the swarm's secrets were not collected"),
            })
        })
    }),
};

pub static SWARM_AUTOLOCK_DISABLED: Check = Check {
    meta: CheckMeta {
        id: "swarm-autolock-disabled",
        title: "Swarm managers run in auto-lock mode",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        cis: &[
            CisRef::docker_until("2.23", "1.13.0", "1.13.0"),
            CisRef::docker_until("7.6", "1.1.0", "1.5.0"),
            CisRef::docker("7.5", "1.6.0"),
        ],
        rationale: "The keys that decrypt the Raft log (and with it every swarm secret) sit on the manager's disk. With auto-lock, a restarted manager needs an unlock key that is not on the disk, so a stolen disk or backup reveals nothing.",
        audit: "Reads Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers from GET /info on a manager: false fails.",
        remediation: "`docker swarm update --autolock=true`, and keep the unlock key it prints in a password manager.",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        on_active_swarm(meta, ctx, |swarm| {
            managers_only(meta, swarm, || {
                let locked = swarm
                    .spec("/EncryptionConfig/AutoLockManagers")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let evidence = api_evidence(
                    "/info",
                    "Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers",
                    locked.to_string(),
                    "true",
                );
                if locked {
                    Finding::pass(meta, "managers are auto-locked").evidence(evidence)
                } else {
                    Finding::fail(
                        meta,
                        "managers keep the Raft encryption key on disk (auto-lock off)",
                    )
                    .evidence(evidence)
                }
            })
        })
    }),
};

pub static SWARM_UNLOCK_KEY_NOT_ROTATED: Check = Check {
    meta: CheckMeta {
        id: "swarm-unlock-key-not-rotated",
        title: "The swarm unlock key is rotated periodically",
        severity: Severity::Low,
        stride: &[Stride::InformationDisclosure],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("2.24", "1.13.0", "1.13.0"),
            CisRef::docker_until("7.7", "1.1.0", "1.5.0"),
            CisRef::docker("7.6", "1.6.0"),
        ],
        rationale: "An unlock key that never changes stays valid for everyone who ever saw it.",
        audit: "The daemon does not record when the key last changed: left for review on managers.",
        remediation: "Rotate it on a schedule with `docker swarm unlock-key --rotate` and store the new key safely.",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        on_active_swarm(meta, ctx, |swarm| {
            managers_only(meta, swarm, || {
                Finding::manual(
                    meta,
                    "confirm the unlock key is rotated on a schedule (`docker swarm unlock-key --rotate`)",
                )
            })
        })
    }),
};

pub static SWARM_NODE_CERTS_NOT_ROTATED: Check = Check {
    meta: CheckMeta {
        id: "swarm-node-certs-not-rotated",
        title: "Swarm node certificates are rotated as appropriate",
        severity: Severity::Low,
        stride: &[Stride::Spoofing],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("7.8", "1.1.0", "1.5.0"),
            CisRef::docker("7.7", "1.6.0"),
        ],
        rationale: "Node certificates authenticate nodes to each other; a long lifetime gives a stolen certificate a long life too.",
        audit: "Shows the node certificate lifetime (Swarm.Cluster.Spec.CAConfig.NodeCertExpiry in GET /info; Docker's default is 90 days) for review.",
        remediation: "`docker swarm update --cert-expiry 720h` (or whatever period your policy sets).",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        on_active_swarm(meta, ctx, |swarm| {
            managers_only(meta, swarm, || {
                let expiry = swarm
                    .spec("/CAConfig/NodeCertExpiry")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                let hours = expiry / 3_600_000_000_000;
                Finding::manual(meta, format!("node certificates are valid for {hours} hours ({} days): confirm this fits your rotation policy", hours / 24))
                    .evidence(api_evidence("/info", "Swarm.Cluster.Spec.CAConfig.NodeCertExpiry", format!("{expiry} ns"), "a lifetime your policy accepts"))
            })
        })
    }),
};

pub static SWARM_CA_NOT_ROTATED: Check = Check {
    meta: CheckMeta {
        id: "swarm-ca-not-rotated",
        title: "The swarm CA certificate is rotated as needed",
        severity: Severity::Low,
        stride: &[Stride::Spoofing],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("7.9", "1.1.0", "1.5.0"),
            CisRef::docker("7.8", "1.6.0"),
        ],
        rationale: "The root CA signs every node certificate: if its key may have leaked, every node identity is forgeable until the CA is rotated.",
        audit: "The daemon does not record CA rotations: left for review on managers, with the cluster's creation date.",
        remediation: "`docker swarm ca --rotate` when the CA key may be exposed, and on the schedule your policy sets.",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        on_active_swarm(meta, ctx, |swarm| {
            managers_only(meta, swarm, || {
                let created = swarm
                    .get("/Cluster/CreatedAt")
                    .and_then(Value::as_str)
                    .unwrap_or("(unknown)");
                Finding::manual(
                    meta,
                    "confirm the swarm's root CA has been rotated as your policy requires",
                )
                .evidence(api_evidence(
                    "/info",
                    "Swarm.Cluster.CreatedAt",
                    created,
                    "a CA rotated since, if required",
                ))
            })
        })
    }),
};

pub static SWARM_PLANES_NOT_SEPARATED: Check = Check {
    meta: CheckMeta {
        id: "swarm-planes-not-separated",
        title: "Swarm management and data traffic use separate networks",
        severity: Severity::Low,
        stride: &[Stride::InformationDisclosure, Stride::DenialOfService],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("7.10", "1.1.0", "1.5.0"),
            CisRef::docker("7.9", "1.6.0"),
        ],
        rationale: "Keeping cluster management on its own network keeps application traffic from saturating it and keeps containers from reaching the management plane.",
        audit: "Shows the node's advertised address (Swarm.NodeAddr in GET /info) for review; the data-path address is not reported by the Engine API.",
        remediation: "Join nodes with `--advertise-addr` on the management network and `--data-path-addr` on the data network.",
        ..SWARM_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        on_active_swarm(meta, ctx, |swarm| {
            let address = swarm
                .get("/NodeAddr")
                .and_then(Value::as_str)
                .unwrap_or("(unknown)");
            Finding::manual(meta, "confirm management and data traffic are on separate networks (--advertise-addr, --data-path-addr)")
                .evidence(api_evidence("/info", "Swarm.NodeAddr", address, "an address on the management network"))
        })
    }),
};
