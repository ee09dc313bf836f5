//! Snapshots for unit tests: a host whose daemon answered with the given
//! `/info` and workload, built from the same JSON a real collection writes.

use serde_json::{Value, json};
use stockade_core::Finding;
use stockade_core::snapshot::Snapshot;

use crate::check::Check;
use crate::context::HostContext;

/// A live host's snapshot. `info` is GET /info, `containers` the
/// workload's containers (as `stockade collect` writes them), `argv` the
/// daemon's command line, `lsm` which security modules the kernel runs.
pub fn snapshot(info: Value, containers: Vec<Value>, argv: &[&str], lsm: (bool, bool)) -> Snapshot {
    serde_json::from_value(json!({
        "schema_version": 1,
        "collector": "stockade test",
        "collected_at": "2026-01-01T00:00:00Z",
        "host": {
            "root": "/",
            "live": true,
            "mounts": {"error": "not needed"},
            "audit": {"loaded": {"state": "not-installed"}, "rule_files": [], "auditd_installed": false},
            "docker_group": {"ok": null},
            "security_modules": {"ok": {"apparmor": lsm.0, "selinux": lsm.1, "source": "test"}}
        },
        "docker": {
            "endpoint": "unix:///var/run/docker.sock",
            "engine": {"ok": {"api_version": "1.41", "version": {"Version": "20.10.24"}, "info": info, "default_bridge": {"ok": null}}},
            "daemon": {"ok": {"source": {"from": "process", "pid": 1}, "argv": argv, "matched_by": "test"}},
            "config": {"path": "/etc/docker/daemon.json", "origin": "default path", "file": {"path": "/etc/docker/daemon.json", "state": "absent"}},
            "files": [{"role": "docker-sock", "origin": "test", "facts": {"path": "/var/run/docker.sock", "state": "absent"}}],
            "units": [],
            "workload": {"ok": {"containers": containers, "images": {"ok": []}, "networks": {"ok": []}, "plugins": {"ok": []}}},
            "content_trust": {"ok": {}}
        }
    }))
    .expect("a valid test snapshot")
}

/// A container entry around a recorded inspect answer.
pub fn container(name: &str, inspect: Value, execs: Vec<Value>, processes: Option<Value>) -> Value {
    let state = inspect
        .pointer("/State/Status")
        .and_then(Value::as_str)
        .unwrap_or("running")
        .to_owned();
    json!({
        "id": format!("{:0<64}", name.bytes().map(|b| format!("{b:02x}")).collect::<String>()),
        "name": name,
        "image": "stockade/busybox:1",
        "image_id": "sha256:18fb9d979ba73fda4b7fdbc123e6540b035a5723ed6d89b8f732b8404ddbe042",
        "state": state,
        "inspect": {"ok": inspect},
        "execs": execs.into_iter().map(|e| json!({"ok": e})).collect::<Vec<_>>(),
        "processes": processes.map(|p| json!({"ok": p})),
    })
}

/// `GET /info` of a daemon applying `security_options`.
pub fn info(security_options: &[&str]) -> Value {
    json!({"SecurityOptions": security_options, "Swarm": {"LocalNodeState": "inactive"}})
}

/// The findings of one check on a snapshot.
pub fn run(check: &Check, snapshot: &Snapshot) -> Vec<Finding> {
    check.run_host(&HostContext::new(snapshot))
}

/// The status of the finding about container `name`.
pub fn verdict(findings: &[Finding], name: &str) -> String {
    findings
        .iter()
        .find(|f| f.subject.as_ref().is_some_and(|s| s.name == name))
        .map_or_else(|| "none".to_owned(), |f| f.status.to_string())
}
