use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location};
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{DockerView, HostContext, Setting};

pub static DAEMON_TCP_WITHOUT_TLS: Check = Check {
    meta: CheckMeta {
        id: "daemon-tcp-without-tls",
        title: "A daemon listening on TCP requires TLS client authentication",
        severity: Severity::Critical,
        stride: &[
            Stride::Spoofing,
            Stride::ElevationOfPrivilege,
            Stride::InformationDisclosure,
        ],
        cis: &[
            CisRef::docker_until("2.6", "1.13.0", "1.2.0"),
            CisRef::docker("2.7", "1.3.1"),
        ],
        rationale: "The Engine API is root on the host. On TCP without --tlsverify, anyone who can reach the port can start a privileged container; with --tls but no verification, the traffic is encrypted but every client is accepted.",
        audit: "Collects the listeners from -H/--host flags, daemon.json \"hosts\" and the docker.socket unit's ListenStream lines. For any TCP listener, requires --tlsverify (or \"tlsverify\": true) with a CA certificate, server certificate and key.",
        remediation: "Prefer the unix socket (or SSH: `docker -H ssh://host`). If TCP is needed, set \"tlsverify\": true, \"tlscacert\", \"tlscert\" and \"tlskey\" in daemon.json, listen on port 2376, and give each client a certificate signed by that CA.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn is_tcp(address: &str) -> bool {
    if address.starts_with("tcp://") {
        return true;
    }
    // systemd ListenStream: a port number or address:port means TCP.
    !address.starts_with('/')
        && !address.starts_with('@')
        && !address.contains("://")
        && address
            .rsplit(':')
            .next()
            .is_some_and(|port| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
}

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let hosts = match docker.list_setting("host", "hosts") {
        Ok(hosts) => hosts,
        Err(reason) => return vec![Finding::error(meta, reason)],
    };
    let mut tcp: Vec<Evidence> = hosts
        .iter()
        .filter(|s| s.value.as_str().is_some_and(is_tcp))
        .map(|s| docker.evidence(s, "no TCP listener, or one with --tlsverify"))
        .collect();
    if let Some(socket_unit) = docker.facts.unit("docker.socket") {
        for stream in socket_unit.listen_streams.iter().filter(|s| is_tcp(s)) {
            tcp.push(
                Evidence::observed(format!("ListenStream={stream}"))
                    .expected("no TCP listener, or one with --tlsverify")
                    .at(Location::file(socket_unit.facts.path.clone())),
            );
        }
    }
    if tcp.is_empty() {
        let listeners: Vec<String> = hosts
            .iter()
            .filter_map(|s| s.value.as_str().map(str::to_owned))
            .collect();
        let observed = if listeners.is_empty() {
            "no -H flag or \"hosts\": the default unix socket only".to_owned()
        } else {
            format!("listeners: {}", listeners.join(", "))
        };
        return vec![
            Finding::not_applicable(meta, "the daemon does not listen on TCP")
                .evidence(Evidence::observed(observed).at(docker.argv_location(None))),
        ];
    }
    let verify = docker.bool_setting("tlsverify", "tlsverify");
    let tls = docker.bool_setting("tls", "tls");
    let (verify, tls) = match (verify, tls) {
        (Err(reason), _) | (_, Err(reason)) => return vec![Finding::error(meta, reason)],
        (Ok(v), Ok(t)) => (v, t),
    };
    let material: Vec<(&str, Option<Setting>)> = ["tlscacert", "tlscert", "tlskey"]
        .into_iter()
        .map(|name| match docker.setting(name, name) {
            crate::context::Lookup::Set(s) => (name, Some(s)),
            _ => (name, None),
        })
        .collect();
    let finding = match (&verify, &tls) {
        (Some((true, setting)), _) => {
            let missing: Vec<&str> = material.iter().filter(|(_, s)| s.is_none()).map(|(n, _)| *n).collect();
            let mut f = Finding::pass(meta, "the TCP listener requires TLS client certificates")
                .evidence(docker.evidence(setting, "tlsverify enabled"));
            if !missing.is_empty() {
                f.message = format!(
                    "{} (using the default {} under the daemon user's ~/.docker)",
                    f.message,
                    missing.join(", ")
                );
            }
            f
        }
        (_, Some((true, setting))) => Finding::fail(
            meta,
            "the TCP listener uses TLS without verifying clients: anyone who reaches the port controls the daemon",
        )
        .evidence(docker.evidence(setting, "tlsverify enabled")),
        _ => Finding::fail(meta, "the daemon listens on TCP without TLS: anyone who reaches the port controls the host"),
    };
    vec![
        finding
            .evidences(tcp)
            .evidences(material_evidence(docker, &material)),
    ]
}

fn material_evidence<'a>(
    docker: &'a DockerView<'_>,
    material: &'a [(&str, Option<Setting>)],
) -> impl Iterator<Item = Evidence> + 'a {
    material
        .iter()
        .filter_map(|(_, s)| s.as_ref())
        .filter(|s| !matches!(s.value, Value::Null))
        .map(|s| docker.evidence(s, "a certificate file"))
}
