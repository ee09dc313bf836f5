//! `stockade import kube-bench RESULT.json`: kube-bench's JSON output (the
//! shape of `kube-bench --json`, written here for a stock kubeadm node) read
//! as stockade findings under stockade's check ids.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use common::stockade;
use serde_json::{Value, json};

fn result(number: &str, desc: &str, status: &str, kind: &str, actual: &str) -> Value {
    json!({
        "test_number": number,
        "test_desc": desc,
        "audit": "/bin/ps -ef | grep kube-apiserver | grep -v grep",
        "AuditEnv": "",
        "AuditConfig": "",
        "type": kind,
        "remediation": "see the benchmark",
        "test_info": ["see the benchmark"],
        "status": status,
        "actual_value": actual,
        "scored": kind.is_empty(),
        "IsMultiple": false,
        "expected_result": "'--profiling' is equal to 'false'",
        "reason": ""
    })
}

fn kube_bench_output() -> Value {
    let ps = "root 1 0 kube-apiserver --advertise-address=10.0.0.1 --oidc-client-secret=s3cr3t-value --authorization-mode=Node,RBAC";
    json!({
        "Controls": [
            {
                "id": "1", "version": "cis-1.12", "detected_version": "1.29", "text": "Control Plane Security Configuration",
                "node_type": "master",
                "tests": [{
                    "section": "1.2", "type": "", "pass": 1, "fail": 2, "warn": 1, "info": 0, "desc": "API Server",
                    "results": [
                        result("1.2.5", "Ensure that the --kubelet-certificate-authority argument is set as appropriate (Automated)", "FAIL", "", ps),
                        result("1.2.8", "Ensure that the --authorization-mode argument includes RBAC (Automated)", "PASS", "", ps),
                        result("1.2.15", "Ensure that the --profiling argument is set to false (Automated)", "FAIL", "", ps),
                        result("1.2.20", "Ensure that the --request-timeout argument is set as appropriate (Manual)", "WARN", "manual", "")
                    ]
                }],
                "total_pass": 1, "total_fail": 2, "total_warn": 1, "total_info": 0
            },
            {
                "id": "5", "version": "cis-1.12", "text": "Kubernetes Policies", "node_type": "policies",
                "tests": [{"section": "5.1", "desc": "RBAC and Service Accounts", "results": [
                    result("5.1.1", "Ensure that the cluster-admin role is only used where required (Manual)", "WARN", "manual", "")
                ]}]
            }
        ],
        "Totals": {"total_pass": 1, "total_fail": 2, "total_warn": 2, "total_info": 0}
    })
}

#[test]
fn kube_bench_results_become_stockade_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kube-bench.json");
    std::fs::write(&path, kube_bench_output().to_string()).expect("write");

    let output = stockade()
        .args(["import", "kube-bench"])
        .arg(&path)
        .args(["--format", "json", "--fail-on", "none"])
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["benchmark"]["id"], "cis-kubernetes");
    assert_eq!(report["benchmark"]["version"], "1.12");
    let status = |id: &str| common::status(&report, id);
    assert_eq!(status("apiserver-kubelet-ca-missing"), "fail");
    assert_eq!(status("apiserver-rbac-missing"), "pass");
    assert_eq!(status("apiserver-profiling-enabled"), "fail");
    assert_eq!(status("apiserver-request-timeout-review"), "manual");
    assert_eq!(
        common::check(&report, "apiserver-profiling-enabled")["cis"],
        "1.2.15"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("s3cr3t-value"),
        "the secret in ps output leaked"
    );
    assert!(stdout.contains("--authorization-mode=Node,RBAC"));
    // Section 5 lands on the manifest rule with the same CIS number.
    assert_eq!(status("k8s-rbac-cluster-admin-binding"), "manual");

    let text = stockade()
        .args(["import", "kube-bench"])
        .arg(&path)
        .args(["--fail-on", "medium"])
        .output()
        .expect("runs");
    assert_eq!(text.status.code(), Some(1), "a medium fail finding (1.2.5)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("[FAIL]   1.2.5"), "{text}");
    assert!(text.contains("[apiserver-kubelet-ca-missing]"), "{text}");
}

#[test]
fn bad_results_files_are_errors_naming_the_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "{\"Controls\": [\n  {\"id\": \"1\",\n").expect("write");
    let output = stockade()
        .args(["import", "kube-bench"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.json") && stderr.contains("3:"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());

    std::fs::write(&path, r#"{"Controls": [{"version": "cis-1.5", "node_type": "master", "tests": [{"results": [{"test_number": "1.1.1", "status": "PASS"}]}]}]}"#).expect("write");
    let output = stockade()
        .args(["import", "kube-bench"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cis-1.10, cis-1.11, cis-1.12"), "{stderr}");
}
