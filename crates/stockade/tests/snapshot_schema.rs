//! `stockade collect` writes what docs/schema/snapshot-v1.schema.json
//! describes: for a Docker host root and for a kubeadm node from the
//! shared corpus (the live daemon's snapshot is validated in
//! live_audit_threats.rs), and the schema refuses what is not a snapshot.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;
mod k8s_common;

use std::path::Path;

use common::{FakeHost, schema_errors, schema_validator, stockade};
use serde_json::{Value, json};

const SCHEMA: &str = "snapshot-v1.schema.json";

fn collect(root: &Path) -> Value {
    let output = stockade()
        .args([
            "collect",
            "-o",
            "-",
            "--docker-host",
            "unix:///nonexistent/docker.sock",
        ])
        .arg("--host-root")
        .arg(root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("only the snapshot on stdout")
}

fn assert_valid(snapshot: &Value) {
    let errors = schema_errors(&schema_validator(SCHEMA), snapshot);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_docker_host_snapshot_follows_the_schema() {
    let host = FakeHost::new();
    host.write("etc/docker/daemon.json", "{\"icc\": false}\n", 0o644);
    host.write(
        "lib/systemd/system/docker.service",
        "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n",
        0o644,
    );
    let snapshot = collect(host.root());
    assert_valid(&snapshot);
    // What the schema describes is there: the daemon.json read, the unit.
    assert_eq!(
        snapshot["docker"]["config"]["file"]["state"]["present"]["mode"],
        0o644
    );
    assert!(
        snapshot["docker"]["units"][0]["exec_start"]
            .as_str()
            .unwrap()
            .contains("dockerd")
    );
}

#[test]
fn a_kubernetes_node_snapshot_follows_the_schema() {
    let Some(corpus) = k8s_common::corpus() else {
        return;
    };
    let root = k8s_common::fake_root(&corpus, &["kubernetes-release"]);
    let snapshot = collect(root.path());
    assert_valid(&snapshot);
    assert!(
        !snapshot["kubernetes"]["components"]
            .as_array()
            .unwrap()
            .is_empty(),
        "the node's components are in the snapshot"
    );
}

#[test]
fn the_schema_refuses_what_is_not_a_snapshot() {
    let host = FakeHost::new();
    let snapshot = collect(host.root());
    assert_valid(&snapshot);
    let validator = schema_validator(SCHEMA);
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut document = snapshot.clone();
        change(&mut document);
        !validator.is_valid(&document)
    };
    assert!(broken(&|d| {
        d.as_object_mut().unwrap().remove("collector");
    }));
    assert!(broken(&|d| d["schema_version"] = json!(2)));
    assert!(broken(&|d| d["schema_version"] = json!("1")));
    assert!(broken(&|d| d["kind"] = json!("audit")));
    assert!(broken(&|d| d["docker"]["engine"] = json!({"maybe": true})));
    assert!(broken(&|d| d["host"]["live"] = json!("yes")));
    // New fields may appear: a consumer of version 1 still reads it.
    assert!(!broken(&|d| {
        d["host"]["new_fact"] = json!({"ok": 1});
        d["docker"]["another"] = json!([]);
    }));
}
