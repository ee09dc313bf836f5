//! `stockade report` over hosts built from host roots with different
//! configurations: some audited (`audit --host-root … -o FILE`), one
//! collected (`collect --host-root … -o -`) and judged by the report. Every
//! format names each host and shows which hosts fail which checks.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;
mod fleet_common;

use std::fs;
use std::path::Path;

use common::{FakeHost, stockade};
use fleet_common::{Expected, assert_every_format, json_report, report, report_in};
use serde_json::Value;

const NO_DAEMON: &str = "unix:///nonexistent/docker.sock";

/// A host root named `name` with this daemon.json.
fn host(name: &str, daemon_json: &str) -> FakeHost {
    let host = FakeHost::new();
    host.write("etc/hostname", &format!("{name}\n"), 0o644);
    host.write("etc/docker/daemon.json", daemon_json, 0o644);
    host
}

fn audit_into(host: &FakeHost, file: &Path) {
    let output = stockade()
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--docker-host",
            NO_DAEMON,
        ])
        .arg("--host-root")
        .arg(host.root())
        .arg("-o")
        .arg(file)
        .output()
        .unwrap();
    assert!(file.exists(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// `collect -o -`: the snapshot on standard output, nothing else there.
fn collect_into(host: &FakeHost, file: &Path) {
    let output = stockade()
        .args(["collect", "-o", "-", "--docker-host", NO_DAEMON])
        .arg("--host-root")
        .arg(host.root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let snapshot: Value =
        serde_json::from_slice(&output.stdout).expect("only the snapshot on stdout");
    assert!(snapshot["collector"].is_string());
    fs::write(file, &output.stdout).unwrap();
}

/// web-1: hardened; web-2: inter-container traffic left on; db-1 (a
/// snapshot): the API on plain TCP, no live restore, a daemon.json anyone
/// in its group may write.
struct Fleet {
    dir: tempfile::TempDir,
    _roots: Vec<FakeHost>,
}

impl Fleet {
    fn new() -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        let hosts = fleet_common::hosts_dir(dir.path());
        let hardened = r#"{"icc": false, "live-restore": true, "userland-proxy": false}"#;
        let web1 = host("web-1", hardened);
        let web2 = host(
            "web-2",
            r#"{"icc": true, "live-restore": true, "userland-proxy": false}"#,
        );
        let db1 = host("db-1", r#"{"icc": false, "userland-proxy": false}"#);
        common::chmod(&db1.path("etc/docker/daemon.json"), 0o664);
        db1.write(
            "lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\n",
            0o644,
        );
        audit_into(&web1, &hosts.join("web-1.json"));
        audit_into(&web2, &hosts.join("web-2.json"));
        collect_into(&db1, &hosts.join("db-1.json"));
        Fleet {
            dir,
            _roots: vec![web1, web2, db1],
        }
    }

    fn hosts(&self) -> std::path::PathBuf {
        self.dir.path().join("hosts")
    }
}

#[test]
fn every_format_names_each_host_and_the_hosts_failing_each_check() {
    let fleet = Fleet::new();
    let json = assert_every_format(
        &fleet.hosts(),
        &Expected {
            hosts: &["db-1", "web-1", "web-2"],
            failing: &[
                ("daemon-icc-enabled", &["web-2"]),
                ("daemon-live-restore-disabled", &["db-1"]),
                ("daemon-json-permissive", &["db-1"]),
                ("daemon-tcp-without-tls", &["db-1"]),
                ("daemon-userland-proxy-enabled", &[]),
                ("daemon-userns-remap-disabled", &["db-1", "web-1", "web-2"]),
            ],
        },
    );
    let inputs: Vec<&str> = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["input"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["snapshot", "audit-results", "audit-results"]);
    // The threat icc leaves open is open where icc is on, and only there.
    let threat = json["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "DKR-DMN-03")
        .unwrap();
    assert_eq!(threat["open_on"], serde_json::json!(["web-2"]));
    assert_eq!(threat["counts"]["open"], 1);
    // The top risk of db-1 is its critical one.
    let db1 = &json["hosts"][0];
    assert_eq!(db1["top_risks"][0]["id"], "daemon-tcp-without-tls");
    assert_eq!(db1["top_risks"][0]["severity"], "critical");
}

#[test]
fn a_snapshot_is_judged_as_audit_from_judges_it() {
    let dir = tempfile::tempdir().unwrap();
    let hosts = fleet_common::hosts_dir(dir.path());
    let root = host("same", r#"{"icc": true}"#);
    audit_into(&root, &hosts.join("audited.json"));
    collect_into(&root, &hosts.join("collected.json"));
    let json = json_report(&hosts);
    // Same hostname twice: the file names tell them apart.
    let names = fleet_common::host_names(&json);
    assert_eq!(names, ["same (audited.json)", "same (collected.json)"]);
    assert_eq!(
        json["hosts"][0]["checks"], json["hosts"][1]["checks"],
        "the report's verdicts on a snapshot are the audit's"
    );
    // And they are what `audit --from` says of the snapshot.
    let from = stockade()
        .args(["audit", "--format", "json", "--fail-on", "none", "--from"])
        .arg(hosts.join("collected.json"))
        .output()
        .unwrap();
    let from: Value = serde_json::from_slice(&from.stdout).unwrap();
    for check in from["checks"].as_array().unwrap() {
        let id = check["id"].as_str().unwrap();
        assert_eq!(json["hosts"][1]["checks"][id], check["status"], "{id}");
    }
}

#[test]
fn a_bad_file_is_named_with_its_line_and_the_rest_is_reported() {
    let fleet = Fleet::new();
    let hosts = fleet.hosts();
    fs::write(
        hosts.join("broken.json"),
        "{\n  \"kind\": \"audit\",\n  oops\n}\n",
    )
    .unwrap();
    fs::write(hosts.join("other-tool.json"), "{\"results\": []}\n").unwrap();
    let output = report(&[hosts.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unreadable file is exit 2"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let broken = hosts.join("broken.json");
    assert!(
        stderr.contains(&format!("{}:3:3: not JSON", broken.display())),
        "file, line and column: {stderr}"
    );
    assert!(
        stderr.contains("other-tool.json: not a stockade snapshot"),
        "{stderr}"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("FILES NOT READ (2)"), "{text}");
    for host in ["db-1", "web-1", "web-2"] {
        assert!(
            text.contains(&format!("\n  {host} ")),
            "{host} still reported:\n{text}"
        );
    }
    let (json, code) = report_in(&hosts, "json", &[]);
    assert_eq!(code, 2);
    let json: Value = serde_json::from_str(&json).unwrap();
    fleet_common::validate(&json);
    assert_eq!(json["summary"]["hosts"], 3);
    assert_eq!(json["errors"].as_array().unwrap().len(), 2);
    // JUnit shows the unreadable file as an errored testsuite.
    let junit = fleet_common::Junit::parse(&report_in(&hosts, "junit", &[]).0);
    let suite = junit.suite(broken.to_str().unwrap());
    assert_eq!(suite.errors, 1);
    // A path that does not exist is one more problem, not the end.
    let output = report(&[
        hosts.to_str().unwrap(),
        "/nonexistent/host.json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("/nonexistent/host.json: cannot read")
    );
}

#[test]
fn fail_on_decides_the_exit_code_across_hosts() {
    let fleet = Fleet::new();
    let hosts = fleet.hosts();
    let hosts = hosts.to_str().unwrap();
    let code = |extra: &[&str]| {
        let mut args = vec![hosts, "--format", "json"];
        args.extend_from_slice(extra);
        report(&args).status.code()
    };
    // db-1 serves the API on plain TCP: critical.
    assert_eq!(code(&[]), Some(1), "default --fail-on high");
    assert_eq!(code(&["--fail-on", "critical"]), Some(1));
    assert_eq!(code(&["--fail-on", "none"]), Some(0));
    // Without db-1 nothing reaches high.
    let dir = tempfile::tempdir().unwrap();
    for name in ["web-1.json", "web-2.json"] {
        fs::copy(Path::new(hosts).join(name), dir.path().join(name)).unwrap();
    }
    let output = report(&[dir.path().to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = report(&[dir.path().to_str().unwrap(), "--fail-on", "low"]);
    assert_eq!(output.status.code(), Some(1));
    let output = report(&[hosts, "--fail-on", "urgent"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn files_and_directories_mix_and_dash_is_standard_output() {
    let fleet = Fleet::new();
    let hosts = fleet.hosts();
    let nested = hosts.join("rack-2");
    fs::create_dir_all(&nested).unwrap();
    fs::rename(hosts.join("web-2.json"), nested.join("web-2.json")).unwrap();
    fs::write(hosts.join("notes.txt"), "not a host").unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let output = stockade()
        .current_dir(cwd.path())
        .arg("report")
        .arg(hosts.join("db-1.json"))
        .arg(&hosts)
        .args(["--format", "json", "--fail-on", "none", "-o", "-"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    // db-1 given as a file and inside the directory is read once.
    assert_eq!(json["summary"]["hosts"], 3);
    let names = fleet_common::host_names(&json);
    assert!(
        names.contains(&"web-2".to_owned()),
        "nested directories are read: {names:?}"
    );
    assert!(
        !cwd.path().join("-").exists(),
        "`-o -` writes no file named -"
    );
    // audit -o - too.
    let output = stockade()
        .current_dir(cwd.path())
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "none",
            "-o",
            "-",
            "--docker-host",
            NO_DAEMON,
        ])
        .arg("--host-root")
        .arg(fleet._roots[0].root())
        .output()
        .unwrap();
    let audit: Value = serde_json::from_slice(&output.stdout).expect("only JSON on stdout");
    assert_eq!(audit["kind"], "audit");
    assert!(!cwd.path().join("-").exists());
}

#[test]
fn an_empty_directory_is_a_problem_not_an_empty_report() {
    let dir = tempfile::tempdir().unwrap();
    let output = report(&[dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no *.json file in this directory"));
}
