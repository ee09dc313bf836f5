//! `stockade report` over snapshots of two real dockerds with different
//! configurations (`collect --docker-host … -o -`, as `ssh host stockade
//! collect -o -` gives them) and the audit of a host root: each host is
//! named in every format, and the checks fail on exactly the hosts
//! configured to fail them.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;
mod fleet_common;

use std::fs;
use std::path::Path;

use common::{FakeHost, stockade};
use fleet_common::{Expected, assert_every_format};
use serde_json::{Value, json};
use stockade_testkit::{TestDaemon, live_or_skip};

/// `collect --docker-host URL -o -` into `file`; only the snapshot is on
/// standard output.
fn collect(daemon: &TestDaemon, file: &Path) -> Value {
    let output = stockade()
        .args(["collect", "-o", "-", "--docker-host", &daemon.socket_url()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let snapshot: Value = serde_json::from_slice(&output.stdout).expect("only JSON on stdout");
    fs::write(file, &output.stdout).unwrap();
    snapshot
}

#[test]
fn a_fleet_of_two_real_daemons_and_a_host_root() {
    // "hardened": icc off, live restore on; "loose": the defaults, and a
    // privileged container (created: this sandbox cannot start one; every
    // container is audited in every state).
    let Some(hardened) = live_or_skip(json!({"icc": false, "live-restore": true})) else {
        return;
    };
    let Some(loose) = live_or_skip(json!({})) else {
        return;
    };
    loose.import_busybox("fleet/busybox:1").unwrap();
    loose
        .docker_checked(&[
            "create",
            "--network",
            "none",
            "--privileged",
            "--name",
            "root-shell",
            "fleet/busybox:1",
        ])
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let hosts = fleet_common::hosts_dir(dir.path());
    let snapshot = collect(&hardened, &hosts.join("hardened.json"));
    collect(&loose, &hosts.join("loose.json"));
    // Both snapshots were taken on this machine: one hostname, told apart
    // by file.
    let machine = snapshot["host"]["hostname"].as_str().unwrap().to_owned();
    let hardened_name = format!("{machine} (hardened.json)");
    let loose_name = format!("{machine} (loose.json)");

    let root = FakeHost::new();
    root.write("etc/hostname", "edge-7\n", 0o644);
    root.write(
        "etc/docker/daemon.json",
        r#"{"icc": false, "live-restore": true}"#,
        0o644,
    );
    let audited = stockade()
        .args(["audit", "--format", "json", "--fail-on", "none"])
        .args([
            "--docker-host",
            "unix:///nonexistent/docker.sock",
            "--host-root",
        ])
        .arg(root.root())
        .args(["-o"])
        .arg(hosts.join("edge-7.json"))
        .output()
        .unwrap();
    assert!(
        hosts.join("edge-7.json").exists(),
        "{}",
        String::from_utf8_lossy(&audited.stderr)
    );

    let mut names = [
        "edge-7".to_owned(),
        hardened_name.clone(),
        loose_name.clone(),
    ];
    names.sort();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let loose_only: &[&str] = &[loose_name.as_str()];
    let json = assert_every_format(
        &hosts,
        &Expected {
            hosts: &names,
            failing: &[
                ("daemon-icc-enabled", loose_only),
                ("daemon-live-restore-disabled", loose_only),
                ("container-privileged", loose_only),
            ],
        },
    );
    let by_name = |name: &str| {
        json["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == name)
            .unwrap()
            .clone()
    };
    let hardened_host = by_name(&hardened_name);
    assert_eq!(hardened_host["input"], "snapshot");
    assert_eq!(hardened_host["checks"]["daemon-icc-enabled"], "pass");
    let loose_host = by_name(&loose_name);
    assert_eq!(loose_host["top_risks"][0]["id"], "container-privileged");
    assert_eq!(loose_host["top_risks"][0]["severity"], "critical");
    // The threat a privileged container opens is open on that host only.
    let open_on_loose: Vec<&str> = json["threats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["open_on"] == json!([loose_name]))
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        open_on_loose.contains(&"DKR-DMN-03"),
        "icc's threat open on the loose daemon only: {open_on_loose:?}"
    );
    // The privileged container is a failing finding of critical severity:
    // exit 1 at the default threshold.
    let output = fleet_common::report(&[hosts.to_str().unwrap(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
}
