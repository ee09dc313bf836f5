//! Daemon settings: edited where they live. A setting already on dockerd's
//! command line is changed there (a systemd drop-in over the unit's
//! ExecStart, since dockerd refuses a setting given both as a flag and in
//! daemon.json); otherwise it goes into the daemon.json dockerd reads.

use serde_json::{Value, json};
use stockade_checks::context::{DockerView, Lookup, Origin};
use stockade_checks::{Check, HostContext};
use stockade_core::fix::{Applicability, Change, Effort, Fix};
use stockade_core::snapshot::ArgvSource;

/// The drop-in stockade writes for dockerd flags.
pub const DROP_IN: &str = "/etc/systemd/system/docker.service.d/stockade-hardening.conf";

struct SettingFix {
    check: &'static str,
    flag: &'static str,
    key: &'static str,
    value: fn() -> Value,
    title: &'static str,
    applicability: Applicability,
    effort: Effort,
    risk: &'static str,
}

const SETTINGS: &[SettingFix] = &[
    SettingFix {
        check: "daemon-icc-enabled",
        flag: "icc",
        key: "icc",
        value: || json!(false),
        title: "Disable inter-container communication on the default bridge (icc=false)",
        applicability: Applicability::Safe,
        effort: Effort::Low,
        risk: "Containers on the default bridge that talk to each other directly stop reaching each other; put them on a user-defined network.",
    },
    SettingFix {
        check: "daemon-log-level-not-info",
        flag: "log-level",
        key: "log-level",
        value: || json!("info"),
        title: "Set the daemon's log level to info",
        applicability: Applicability::Safe,
        effort: Effort::Low,
        risk: "Debug output some troubleshooting relied on disappears.",
    },
    SettingFix {
        check: "daemon-iptables-disabled",
        flag: "iptables",
        key: "iptables",
        value: || json!(true),
        title: "Let dockerd manage iptables",
        applicability: Applicability::Unsafe,
        effort: Effort::Medium,
        risk: "dockerd adds its chains to the host firewall at the next start; hosts with hand-written firewall rules need them reviewed.",
    },
    SettingFix {
        check: "daemon-insecure-registry",
        flag: "insecure-registry",
        key: "insecure-registries",
        value: || json!([]),
        title: "Remove insecure registries",
        applicability: Applicability::Unsafe,
        effort: Effort::Medium,
        risk: "Pulls from those registries fail until they serve TLS with a trusted certificate.",
    },
    SettingFix {
        check: "daemon-default-ulimit-unset",
        flag: "default-ulimit",
        key: "default-ulimits",
        value: || {
            json!({
                "nofile": {"Name": "nofile", "Soft": 64000, "Hard": 64000},
                "nproc": {"Name": "nproc", "Soft": 4096, "Hard": 4096}
            })
        },
        title: "Set default ulimits for containers (nofile 64000, nproc 4096)",
        applicability: Applicability::Unsafe,
        effort: Effort::Low,
        risk: "The values are a starting point: services opening many files or forking many processes need higher limits.",
    },
    SettingFix {
        check: "daemon-userns-remap-disabled",
        flag: "userns-remap",
        key: "userns-remap",
        value: || json!("default"),
        title: "Enable user namespace remapping",
        applicability: Applicability::Unsafe,
        effort: Effort::High,
        risk: "Existing images and containers live under a new data root and must be pulled or recreated; bind mounts and volumes need ownership for the remapped uids; containers needing host namespaces must opt out.",
    },
    SettingFix {
        check: "daemon-no-new-privileges-disabled",
        flag: "no-new-privileges",
        key: "no-new-privileges",
        value: || json!(true),
        title: "Restrict new privileges for every container by default",
        applicability: Applicability::Safe,
        effort: Effort::Low,
        risk: "setuid programs (sudo, su, older ping) no longer gain privileges inside containers created after dockerd restarts; containers that exist already keep running without it until they are recreated.",
    },
    SettingFix {
        check: "daemon-live-restore-disabled",
        flag: "live-restore",
        key: "live-restore",
        value: || json!(true),
        title: "Enable live restore",
        applicability: Applicability::Safe,
        effort: Effort::Low,
        risk: "Not compatible with swarm mode.",
    },
    SettingFix {
        check: "daemon-userland-proxy-enabled",
        flag: "userland-proxy",
        key: "userland-proxy",
        value: || json!(false),
        title: "Disable the userland proxy",
        applicability: Applicability::Safe,
        effort: Effort::Low,
        risk: "Published ports are then forwarded by dockerd's iptables NAT rules instead of a proxy process; clients on the host itself reach them through the hairpin NAT rules.",
    },
    SettingFix {
        check: "daemon-experimental-enabled",
        flag: "experimental",
        key: "experimental",
        value: || json!(false),
        title: "Turn experimental features off",
        applicability: Applicability::Safe,
        effort: Effort::Low,
        risk: "Workflows using experimental commands stop working.",
    },
];

pub fn handles(check: &str) -> bool {
    SETTINGS.iter().any(|s| s.check == check)
}

pub fn setting(check: &Check, ctx: &HostContext<'_>) -> Option<Fix> {
    let spec = SETTINGS.iter().find(|s| s.check == check.meta.id)?;
    let docker = ctx.docker(&check.meta).ok()?;
    let value = (spec.value)();
    let mut fix = Fix {
        title: spec.title.to_owned(),
        applicability: spec.applicability,
        changes: Vec::new(),
        effort: spec.effort,
        risk: spec.risk.to_owned(),
        needs_daemon_restart: true,
    };
    match docker.setting(spec.flag, spec.key) {
        Lookup::Unknown(reason) => {
            fix.applicability = Applicability::DisplayOnly;
            fix.changes.push(Change::Instruction {
                text: format!(
                    "{reason}. Fix that first, then set \"{}\": {value} in daemon.json.",
                    spec.key
                ),
            });
        }
        Lookup::Set(setting) if matches!(setting.origin, Origin::Flag { .. }) => {
            fix.changes.push(flag_change(docker, spec, &value));
        }
        Lookup::Set(_) | Lookup::Unset => {
            fix.changes.push(Change::SetJsonKey {
                path: docker.config_path().to_owned(),
                key: spec.key.to_owned(),
                value,
            });
            // Debug mode overrides the log level: turn it off too.
            if spec.check == "daemon-log-level-not-info"
                && let Lookup::Set(debug) = docker.setting("debug", "debug")
                && (debug.value == json!(true) || debug.value == json!("true"))
            {
                fix.changes.push(Change::SetJsonKey {
                    path: docker.config_path().to_owned(),
                    key: "debug".to_owned(),
                    value: json!(false),
                });
            }
        }
    }
    host_caveats(spec.check, docker, ctx, &mut fix);
    if let Some(note) = existing_containers_note(spec.check, ctx) {
        fix.changes.push(Change::Instruction { text: note });
    }
    Some(fix)
}

/// Daemon-wide container defaults reach only containers created after
/// dockerd applies them: the containers that exist now must be recreated.
fn existing_containers_note(check: &str, ctx: &HostContext<'_>) -> Option<String> {
    let what = match check {
        "daemon-no-new-privileges-disabled" => "no-new-privileges",
        "daemon-default-ulimit-unset" => "the default ulimits",
        _ => return None,
    };
    let workload = ctx.workload().collected()?;
    let names: Vec<&str> = workload
        .containers
        .iter()
        .filter(|c| !c.was_removed())
        .map(|c| c.name.as_str())
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(format!(
        "The {} existing container(s) do not get {what} until they are recreated: {}. After the restart, `stockade harden --check container-no-new-privileges-missing` lists each with its `docker run` recipe.",
        names.len(),
        names.join(", ")
    ))
}

/// What a risk note says when this host makes the fix break something.
pub const ON_THIS_HOST: &str = "On this host:";

/// Makes a fix less than safe, saying why on this host.
fn caveat(fix: &mut Fix, applicability: Applicability, why: &str) {
    if fix.applicability < applicability {
        fix.applicability = applicability;
    }
    fix.risk = format!("{} {ON_THIS_HOST} {why}", fix.risk);
}

/// The host facts that make a fix break things here: a fix is `safe` only
/// when its risk note on this host says nothing breaks.
fn host_caveats(check: &str, docker: &DockerView<'_>, ctx: &HostContext<'_>, fix: &mut Fix) {
    let iptables_off = matches!(
        docker.bool_setting("iptables", "iptables"),
        Ok(Some((false, _)))
    );
    let swarm = ctx
        .snapshot
        .docker
        .as_ref()
        .and_then(|d| d.engine.ok())
        .and_then(|e| e.info.pointer("/Swarm/LocalNodeState"))
        .and_then(Value::as_str)
        .is_some_and(|state| state == "active");
    match check {
        "daemon-icc-enabled" if iptables_off => caveat(
            fix,
            Applicability::DisplayOnly,
            "dockerd runs with iptables=false, so it would refuse to start with icc=false: fix daemon-iptables-disabled first.",
        ),
        "daemon-userland-proxy-enabled" if iptables_off => caveat(
            fix,
            Applicability::Unsafe,
            "dockerd runs with iptables=false, so without the proxy nothing forwards published ports: they stop answering.",
        ),
        "daemon-live-restore-disabled" if swarm => caveat(
            fix,
            Applicability::DisplayOnly,
            "this node is in swarm mode, and dockerd refuses to start with live-restore in swarm mode.",
        ),
        _ => {}
    }
}

/// A flag on dockerd's command line: a drop-in when systemd starts dockerd
/// from docker.service, else instructions.
fn flag_change(docker: &DockerView<'_>, spec: &SettingFix, value: &Value) -> Change {
    let unit_exec = docker
        .facts
        .unit("docker.service")
        .and_then(|u| u.exec_start.clone());
    let from_unit = match docker.daemon().map(|d| &d.source) {
        Some(ArgvSource::UnitFile { .. }) => true,
        Some(ArgvSource::Process { .. }) => unit_exec.as_deref().is_some_and(|exec| {
            exec.split_whitespace()
                .any(|w| w.trim_start_matches('-').starts_with(spec.flag))
        }),
        None => false,
    };
    let text_value = match value {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => String::new(),
        other => other.to_string(),
    };
    match (from_unit, unit_exec) {
        (true, Some(exec_start)) => Change::SetDaemonFlag {
            drop_in: DROP_IN.to_owned(),
            exec_start,
            flag: spec.flag.to_owned(),
            value: (!text_value.is_empty()).then_some(text_value),
        },
        _ => Change::Instruction {
            text: format!(
                "dockerd is started with --{} on its command line by something other than docker.service: change it to --{}={} (or remove it and set \"{}\": {value} in daemon.json) where dockerd is started.",
                spec.flag, spec.flag, text_value, spec.key
            ),
        },
    }
}
