//! The threat model from another tool's results: the open threats follow
//! the WARN lines of a docker-bench-security log.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use serde_json::{Value, json};

fn model_from(log: &Value) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker-bench-security.log.json");
    std::fs::write(&path, log.to_string()).unwrap();
    let output = common::stockade()
        .args(["model", "--format", "json", "--from"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn status(model: &Value, id: &str) -> String {
    model["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .map(|t| t["status"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no threat {id}"))
}

fn reason(model: &Value, id: &str) -> String {
    model["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .map(|t| t["reason"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no threat {id}"))
}

/// A docker-bench 1.6.1 log (CIS 1.6.0 numbering) with one result per line.
fn log(icc: &str, memory: &str, socket: &str) -> Value {
    json!({
        "dockerbenchsecurity": "1.6.0",
        "start": 1_700_000_000,
        "tests": [
            {"id": "2", "desc": "Docker daemon configuration", "results": [
                {"id": "2.2", "desc": "Ensure network traffic is restricted between containers on the default bridge (Scored)", "result": icc},
                {"id": "2.14", "desc": "Ensure containers are restricted from acquiring new privileges (Scored)", "result": "PASS"}
            ]},
            {"id": "5", "desc": "Container Runtime", "results": [
                {"id": "5.1", "desc": "Ensure swarm mode is not Enabled, if not needed (Automated)", "result": "PASS"},
                {"id": "5.11", "desc": "Ensure that the memory usage for containers is limited (Automated)", "result": memory,
                 "details": "Containers running without memory restrictions: web", "items": ["web"]},
                {"id": "5.32", "desc": "Ensure that the Docker socket is not mounted inside any containers (Automated)", "result": socket,
                 "details": "Docker socket shared in: ci", "items": ["ci"]}
            ]}
        ]
    })
}

#[test]
fn open_threats_follow_the_logs_warn_lines() {
    let warned = model_from(&log("WARN", "WARN", "WARN"));
    let passed = model_from(&log("PASS", "PASS", "PASS"));
    // icc (2.2) → containers reach each other on the default bridge.
    assert_eq!(status(&warned, "DKR-DMN-03"), "open");
    // Its other preventive mitigation (containers off the default bridge,
    // 5.30 in the log's numbering) is not in the log: passing 2.2 alone
    // leaves the threat unverified, naming what is missing.
    assert_eq!(status(&passed, "DKR-DMN-03"), "unverified");
    assert!(
        reason(&passed, "DKR-DMN-03").contains("container-default-bridge"),
        "{}",
        reason(&passed, "DKR-DMN-03")
    );
    // memory (5.11) → one container starves the host.
    assert_eq!(status(&warned, "DKR-CTR-08"), "open");
    // docker.sock (5.32) → the socket gives the container the host.
    assert_eq!(status(&warned, "DKR-CTR-02"), "open");
    assert_eq!(status(&passed, "DKR-CTR-02"), "mitigated");
    // Threats whose checks are not in the log stay unverified.
    assert_eq!(status(&warned, "DKR-IMG-06"), "unverified");
    assert!(
        warned["scope"]["evidence"]
            .as_str()
            .unwrap()
            .contains("docker-bench-security")
    );
}

#[test]
fn a_hardening_plan_from_a_docker_bench_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker-bench-security.log.json");
    std::fs::write(&path, log("WARN", "PASS", "PASS").to_string()).unwrap();
    let output = common::stockade()
        .args([
            "harden",
            "--format",
            "json",
            "--docker-host",
            "unix:///nonexistent.sock",
            "--from",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let checks: Vec<&str> = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["daemon-icc-enabled"], "one WARN line, one fix");
    assert!(
        plan["entries"][0]["closes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "DKR-DMN-03")
    );
}
