//! Every host check on a snapshot recorded from a real Debian 12 host
//! running Docker 20.10 (paths of the throwaway test daemon rewritten to the
//! usual ones), then on variants of it with one fact changed.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

use serde_json::{Value, json};
use stockade_checks::{HostContext, all, by_id};
use stockade_core::Status;
use stockade_core::snapshot::{FileRole, FileState, LoadedAuditRules, Probe, Snapshot};

fn recorded() -> Snapshot {
    let text = include_str!("fixtures/debian12-docker20.10.json");
    serde_json::from_str(text).expect("the fixture is a valid snapshot")
}

fn verdict(snapshot: &Snapshot, id: &str) -> (Status, String) {
    let check = by_id(id).unwrap_or_else(|| panic!("no check {id}"));
    let findings = check.run_host(&HostContext::new(snapshot));
    let worst = findings
        .iter()
        .map(|f| f.status)
        .max_by_key(|s| stockade_report_rank(*s))
        .unwrap_or(Status::NotApplicable);
    let text = serde_json::to_string(&findings).unwrap_or_default();
    (worst, text)
}

fn stockade_report_rank(status: Status) -> u8 {
    match status {
        Status::NotApplicable => 0,
        Status::Pass => 1,
        Status::Info => 2,
        Status::Manual => 3,
        Status::Error => 4,
        Status::Warn => 5,
        Status::Fail => 6,
    }
}

fn with_config(mut snapshot: Snapshot, text: &str) -> Snapshot {
    let docker = snapshot.docker.as_mut().unwrap();
    docker.config.content = Some(text.to_owned());
    snapshot
}

fn with_info(mut snapshot: Snapshot, key: &str, value: Value) -> Snapshot {
    if let Probe::Ok(engine) = &mut snapshot.docker.as_mut().unwrap().engine {
        engine.info[key] = value;
    }
    snapshot
}

fn with_argv(mut snapshot: Snapshot, extra: &[&str]) -> Snapshot {
    if let Probe::Ok(daemon) = &mut snapshot.docker.as_mut().unwrap().daemon {
        daemon.argv.extend(extra.iter().map(|s| (*s).to_owned()));
    }
    snapshot
}

fn without_engine(mut snapshot: Snapshot) -> Snapshot {
    snapshot.docker.as_mut().unwrap().engine =
        Probe::Error("no Docker socket at /var/run/docker.sock".to_owned());
    snapshot
}

fn with_mode(mut snapshot: Snapshot, role: FileRole, mode: u32) -> Snapshot {
    for file in snapshot
        .docker
        .as_mut()
        .unwrap()
        .files
        .iter_mut()
        .filter(|f| f.role == role)
    {
        if let FileState::Present(stat) = &mut file.facts.state {
            stat.mode = mode;
        }
    }
    snapshot
}

fn with_loaded_rules(mut snapshot: Snapshot, rules: &[&str]) -> Snapshot {
    snapshot.host.audit.loaded = LoadedAuditRules::Listed {
        rules: rules.iter().map(|r| (*r).to_owned()).collect(),
    };
    snapshot
}

/// The whole audit of the recorded host, as a user reads the verdicts.
#[test]
fn the_recorded_host() {
    let snapshot = recorded();
    let ctx = HostContext::new(&snapshot);
    let mut lines = Vec::new();
    // A Docker host: the Kubernetes checks have their own recorded nodes.
    let docker = all()
        .iter()
        .filter(|c| c.meta.benchmark() == Some(stockade_core::cis::Benchmark::Docker));
    for check in docker {
        for finding in check.run_host(&ctx) {
            lines.push(format!(
                "{:<15} {:<44} {}",
                finding.status.as_str(),
                check.meta.id,
                finding.message
            ));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn each_check_follows_its_evidence() {
    let base = recorded();
    type Case = (
        &'static str,
        Box<dyn Fn(Snapshot) -> Snapshot>,
        &'static str,
        Status,
    );
    let cases: Vec<Case> = vec![
        (
            "icc off in the running daemon",
            Box::new(|s| {
                let mut s = s;
                if let Probe::Ok(engine) = &mut s.docker.as_mut().unwrap().engine
                    && let Probe::Ok(Some(bridge)) = &mut engine.default_bridge
                {
                    bridge["Options"]["com.docker.network.bridge.enable_icc"] = json!("false");
                }
                with_config(s, "{\"icc\": false}")
            }),
            "daemon-icc-enabled",
            Status::Pass,
        ),
        (
            "no default bridge",
            Box::new(|s| {
                let mut s = s;
                if let Probe::Ok(engine) = &mut s.docker.as_mut().unwrap().engine {
                    engine.default_bridge = Probe::Ok(None);
                }
                s
            }),
            "daemon-icc-enabled",
            Status::NotApplicable,
        ),
        (
            "icc from config when the API is down",
            Box::new(|s| with_config(without_engine(s), "{\"icc\": false}")),
            "daemon-icc-enabled",
            Status::Pass,
        ),
        (
            "icc default when the API is down",
            Box::new(without_engine),
            "daemon-icc-enabled",
            Status::Fail,
        ),
        (
            "debug log level",
            Box::new(|s| with_config(s, "{\"log-level\": \"debug\"}")),
            "daemon-log-level-not-info",
            Status::Fail,
        ),
        (
            "log level flag",
            Box::new(|s| with_argv(s, &["-l", "error"])),
            "daemon-log-level-not-info",
            Status::Fail,
        ),
        (
            "iptables on by default",
            Box::new(|s| {
                let mut s = s;
                if let Probe::Ok(d) = &mut s.docker.as_mut().unwrap().daemon {
                    d.argv.retain(|a| a != "--iptables=false");
                }
                s
            }),
            "daemon-iptables-disabled",
            Status::Pass,
        ),
        (
            "insecure registry reported by the daemon",
            Box::new(|s| {
                with_info(
                    s,
                    "RegistryConfig",
                    json!({
                        "InsecureRegistryCIDRs": ["127.0.0.0/8", "10.0.0.0/8"], "IndexConfigs": {}
                    }),
                )
            }),
            "daemon-insecure-registry",
            Status::Fail,
        ),
        (
            "aufs driver",
            Box::new(|s| with_info(s, "Driver", json!("aufs"))),
            "daemon-aufs-storage-driver",
            Status::Fail,
        ),
        (
            "aufs unknown without the API and no config",
            Box::new(without_engine),
            "daemon-aufs-storage-driver",
            Status::Error,
        ),
        (
            "tcp listener without tls",
            Box::new(|s| with_argv(s, &["-H", "tcp://0.0.0.0:2375"])),
            "daemon-tcp-without-tls",
            Status::Fail,
        ),
        (
            "tcp listener with tlsverify",
            Box::new(|s| {
                with_config(
                    with_argv(s, &["-H", "tcp://0.0.0.0:2376"]),
                    "{\"tlsverify\": true, \"tlscacert\": \"/etc/docker/ca.pem\", \"tlscert\": \"/etc/docker/cert.pem\", \"tlskey\": \"/etc/docker/key.pem\"}",
                )
            }),
            "daemon-tcp-without-tls",
            Status::Pass,
        ),
        (
            "default ulimits",
            Box::new(|s| {
                with_config(
                    s,
                    "{\"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Hard\": 64000, \"Soft\": 64000}}}",
                )
            }),
            "daemon-default-ulimit-unset",
            Status::Pass,
        ),
        (
            "userns in the running daemon",
            Box::new(|s| {
                with_info(
                    s,
                    "SecurityOptions",
                    json!(["name=seccomp,profile=default", "name=userns"]),
                )
            }),
            "daemon-userns-remap-disabled",
            Status::Pass,
        ),
        (
            "rootless daemon",
            Box::new(|s| {
                with_info(
                    s,
                    "SecurityOptions",
                    json!(["name=seccomp,profile=default", "name=rootless"]),
                )
            }),
            "daemon-runs-as-root",
            Status::Pass,
        ),
        (
            "cgroup parent",
            Box::new(|s| with_config(s, "{\"cgroup-parent\": \"/custom\"}")),
            "daemon-cgroup-parent-changed",
            Status::Warn,
        ),
        (
            "base device size",
            Box::new(|s| with_config(s, "{\"storage-opts\": [\"dm.basesize=50G\"]}")),
            "daemon-base-device-size-changed",
            Status::Warn,
        ),
        (
            "authorization plugin",
            Box::new(|s| with_info(s, "Plugins", json!({"Authorization": ["opa-docker-authz"]}))),
            "daemon-authorization-plugin-missing",
            Status::Pass,
        ),
        (
            "remote logging",
            Box::new(|s| with_info(s, "LoggingDriver", json!("journald"))),
            "daemon-logs-not-centralized",
            Status::Pass,
        ),
        (
            "no-new-privileges flag",
            Box::new(|s| with_argv(s, &["--no-new-privileges"])),
            "daemon-no-new-privileges-disabled",
            Status::Pass,
        ),
        (
            "live restore",
            Box::new(|s| with_info(s, "LiveRestoreEnabled", json!(true))),
            "daemon-live-restore-disabled",
            Status::Pass,
        ),
        (
            "swarm active",
            Box::new(|s| with_info(s, "Swarm", json!({"LocalNodeState": "active"}))),
            "daemon-live-restore-disabled",
            Status::NotApplicable,
        ),
        (
            "userland proxy off",
            Box::new(|s| with_config(s, "{\"userland-proxy\": false}")),
            "daemon-userland-proxy-enabled",
            Status::Pass,
        ),
        (
            "seccomp unconfined",
            Box::new(|s| {
                with_info(
                    s,
                    "SecurityOptions",
                    json!(["name=seccomp,profile=unconfined"]),
                )
            }),
            "daemon-seccomp-profile-missing",
            Status::Fail,
        ),
        (
            "no seccomp",
            Box::new(|s| with_info(s, "SecurityOptions", json!(["name=apparmor"]))),
            "daemon-seccomp-profile-missing",
            Status::Fail,
        ),
        (
            "experimental",
            Box::new(|s| {
                let mut s = s;
                if let Probe::Ok(engine) = &mut s.docker.as_mut().unwrap().engine {
                    engine.version["Experimental"] = json!(true);
                }
                s
            }),
            "daemon-experimental-enabled",
            Status::Fail,
        ),
        (
            "malformed daemon.json",
            Box::new(|s| with_config(s, "{\"live-restore\": tru}")),
            "daemon-userland-proxy-enabled",
            Status::Error,
        ),
        (
            "socket 0666",
            Box::new(|s| with_mode(s, FileRole::DockerSock, 0o666)),
            "docker-sock-permissive",
            Status::Fail,
        ),
        (
            "socket 0600, stricter, still passes",
            Box::new(|s| with_mode(s, FileRole::DockerSock, 0o600)),
            "docker-sock-permissive",
            Status::Pass,
        ),
        (
            "unit 0664",
            Box::new(|s| with_mode(s, FileRole::DockerServiceUnit, 0o664)),
            "docker-service-permissive",
            Status::Fail,
        ),
        (
            "/etc/docker 0775",
            Box::new(|s| with_mode(s, FileRole::EtcDocker, 0o775)),
            "etc-docker-permissive",
            Status::Fail,
        ),
        (
            "/etc/docker 0750, stricter, still passes",
            Box::new(|s| with_mode(s, FileRole::EtcDocker, 0o750)),
            "etc-docker-permissive",
            Status::Pass,
        ),
        (
            "dockerd watched",
            Box::new(|s| with_loaded_rules(s, &["-w /usr/sbin/dockerd -p rwxa -k docker"])),
            "audit-rule-missing-dockerd",
            Status::Pass,
        ),
        (
            "runc watched through its symlink target",
            Box::new(|s| {
                with_loaded_rules(
                    s,
                    &["-a always,exit -F path=/usr/sbin/runc -F perm=wa -k docker"],
                )
            }),
            "audit-rule-missing-runc",
            Status::Pass,
        ),
        (
            "docker group members",
            Box::new(|s| {
                let mut s = s;
                s.host.docker_group = Probe::Ok(Some(stockade_core::snapshot::Group {
                    name: "docker".into(),
                    gid: 105,
                    members: vec!["alice".into()],
                }));
                s
            }),
            "docker-group-untrusted-members",
            Status::Manual,
        ),
    ];
    let mut wrong = Vec::new();
    for (what, change, id, expected) in cases {
        let before = verdict(&base, id).0;
        let (after, text) = verdict(&change(base.clone()), id);
        if after != expected {
            wrong.push(format!(
                "{what}: {id} is {after}, expected {expected}: {text}"
            ));
        }
        if before == expected && !matches!(expected, Status::Error) {
            // The change must be what flips the verdict; otherwise the case proves nothing.
            let unchanged_is_fine = what.contains("default") || what.contains("still");
            if !unchanged_is_fine {
                wrong.push(format!(
                    "{what}: {id} was already {expected} before the change"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
