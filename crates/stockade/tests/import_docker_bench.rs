//! `stockade import docker-bench LOG.json`: a docker-bench log becomes a
//! stockade report, in the CIS numbering the log uses.
//!
//! The logs here are written for these tests, in docker-bench's shapes,
//! with titles in our own words: real logs are read by the parity test.

// Test helpers stop at the first surprise, like the tests themselves.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::stockade;
use serde_json::{Value, json};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn import(args: &[&str]) -> (Value, std::process::Output) {
    let output = stockade()
        .args([
            "import",
            "docker-bench",
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (report, output)
}

/// A log of the 1.5.0 numbering (also written by the tag called 1.6.0).
fn log_1_5() -> String {
    json!({
        "dockerbenchsecurity": "1.6.0",
        "start": 1_700_000_000,
        "tests": [
            {"id": "2", "desc": "daemon", "results": [
                {"id": "2.1", "desc": "Daemon runs as a non-root user where it can", "result": "NOTE"}
            ]},
            {"id": "3", "desc": "files", "results": [
                {"id": "3.20", "desc": "/etc/default/docker mode 644", "result": "PASS"}
            ]},
            {"id": "5", "desc": "runtime", "results": [
                {"id": "5.1", "desc": "AppArmor profile in use", "result": "WARN",
                 "details": "no profile: web db", "items": ["web", "db"]},
                {"id": "5.10", "desc": "memory is limited", "result": "WARN",
                 "details": "no limit: web", "items": ["web"]},
                {"id": "5.5", "desc": "sensitive host paths", "result": "WARN",
                 "details": "mounted: web:/etc", "items": ["web:/etc"]}
            ]},
            {"id": "8", "desc": "enterprise", "results": [
                {"id": "8.1.1", "desc": "enterprise directory service", "result": "NOTE"}
            ]}
        ],
        "checks": 6, "score": -3, "end": 1_700_000_030
    })
    .to_string()
}

#[test]
fn a_log_becomes_findings_in_its_own_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bench.log.json", &log_1_5());
    let (report, output) = import(&[&path]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(report["benchmark"]["version"], "1.5.0");
    assert_eq!(report["target"]["kind"], "docker-bench-log");
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "daemon-runs-as-root",
            "etc-default-docker-permissive",
            "container-apparmor-missing",
            "container-sensitive-host-path-mounted",
            "container-memory-unlimited"
        ]
    );
    let memory = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "container-memory-unlimited")
        .unwrap();
    assert_eq!(memory["cis"], "5.10", "numbered as the log numbers it");
    assert_eq!(memory["findings"][0]["subject"]["name"], "web");
    assert_eq!(memory["findings"][0]["status"], "fail");
    let mounts = common::check_text(&report, "container-sensitive-host-path-mounted");
    assert!(mounts.contains("(/etc)"), "{mounts}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("CIS Docker 1.5.0 numbering"), "{stderr}");
    assert!(
        stderr.contains("8.1.1"),
        "unimported results are named: {stderr}"
    );
}

#[test]
fn the_numbering_can_be_forced() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bench.log.json", &log_1_5());
    let (report, _) = import(&["--cis-version", "1.6.0", &path]);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"container-host-network"),
        "5.10 is host networking in 1.6.0: {ids:?}"
    );
    let (_, output) = import(&["--cis-version", "0.9", &path]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown CIS Docker version `0.9`"));
}

#[test]
fn files_that_are_not_docker_bench_logs_get_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "snapshot.json",
            "{\"schema_version\": 1, \"host\": {}}",
            "not a docker-bench-security JSON log",
        ),
        (
            "bench.log",
            "[INFO] 1 - Host Configuration\n[WARN] 1.1.1 - partition\n",
            "import the .json file",
        ),
        (
            "broken.json",
            "{\"dockerbenchsecurity\": \"1.6.0\",\n \"tests\": [{\"id\": \"4.1\"",
            "broken.json: 2:",
        ),
        (
            "empty.json",
            "{\"dockerbenchsecurity\": \"1.6.0\", \"tests\": []}",
            "holds no check results",
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, text);
        let (_, output) = import(&[&path]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(output.stdout.is_empty(), "{name}: no report on error");
    }
}
