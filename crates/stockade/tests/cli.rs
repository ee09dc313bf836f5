//! The command line as a user drives it: selection, CIS numbering,
//! formats, output files, exit codes, snapshots.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use common::{FakeHost, audit_json, check_text, status, stockade};

fn text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn rules_lists_every_check_with_its_number_in_the_chosen_version() {
    let output = stockade().arg("rules").output().unwrap();
    assert!(output.status.success());
    let listing = text(&output);
    let icc = listing
        .lines()
        .find(|l| l.starts_with("daemon-icc-enabled "))
        .unwrap();
    assert!(icc.contains(" 2.2 "), "{icc}");
    assert!(
        listing.contains(&format!("{} checks", stockade_checks::all().len())),
        "{listing}"
    );

    let output = stockade()
        .args(["rules", "--cis-version", "1.2.0"])
        .output()
        .unwrap();
    let icc = text(&output)
        .lines()
        .find(|l| l.starts_with("daemon-icc-enabled "))
        .map(str::to_owned)
        .unwrap();
    assert!(icc.contains(" 2.1 "), "CIS 1.2.0 numbered icc 2.1: {icc}");

    let output = stockade()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_follows_schema(&rules, "rules-v1.schema.json");
    assert_eq!(
        rules["rules"].as_array().unwrap().len(),
        stockade_checks::all().len()
    );
    assert_eq!(rules["benchmarks"]["cis-docker"], "1.6.0");
    let output = stockade()
        .args(["rules", "--format", "json", "--cis-version", "1.2.0"])
        .output()
        .unwrap();
    let old: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(old["benchmarks"]["cis-docker"], "1.2.0");
    let icc = old["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "daemon-icc-enabled")
        .unwrap();
    assert_eq!(icc["cis"], "2.1");
    assert_eq!(icc["benchmark"], "cis-docker");
}

#[test]
fn rule_shows_the_documentation_by_id_or_by_number() {
    let by_id = stockade()
        .args(["rule", "daemon-icc-enabled"])
        .output()
        .unwrap();
    assert!(by_id.status.success());
    let page = text(&by_id);
    for section in [
        "## Why it matters",
        "## What stockade checks",
        "## How to fix it",
        "## CIS references",
    ] {
        assert!(page.contains(section), "{section} in {page}");
    }
    let by_number = stockade()
        .args(["rule", "2.1", "--cis-version", "1.2.0"])
        .output()
        .unwrap();
    assert_eq!(text(&by_number), page, "2.1 in CIS 1.2.0 is icc");

    let unknown = stockade().args(["rule", "daemon-icc"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no check `daemon-icc`"));
}

#[test]
fn checks_are_selected_by_id_or_by_number_of_the_chosen_version() {
    let host = FakeHost::new();
    let report = host.audit(&["--check", "2.2", "--cis-version", "1.2.0"]);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["daemon-log-level-not-info"]);
    assert_eq!(report["checks"][0]["cis"], "2.2");
    assert_eq!(report["benchmark"]["version"], "1.2.0");

    let report = host.audit(&["--check", "3", "--skip", "3.1,docker-sock-permissive"]);
    assert_eq!(report["checks"].as_array().unwrap().len(), 22);

    let output = stockade()
        .args(["audit", "--check", "2.99"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("`2.99` is neither a check id nor a CIS number")
    );

    let output = stockade()
        .args(["audit", "--cis-version", "9.9"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown CIS benchmark version"));
}

#[test]
fn exit_codes_follow_fail_on() {
    let host = FakeHost::new();
    host.write(
        "etc/docker/daemon.json",
        "{\"hosts\": [\"tcp://0.0.0.0:2375\"]}\n",
        0o644,
    );
    let root = host.root().to_str().unwrap().to_owned();
    let run = |fail_on: &str| {
        stockade()
            .args([
                "audit",
                "--check",
                "daemon-tcp-without-tls,daemon-json-permissive",
                "--host-root",
                &root,
                "--fail-on",
                fail_on,
            ])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        run("critical"),
        Some(1),
        "an unauthenticated TCP listener is critical"
    );
    assert_eq!(run("high"), Some(1));
    assert_eq!(run("none"), Some(0));
    host.write("etc/docker/daemon.json", "{}\n", 0o644);
    assert_eq!(run("info"), Some(0), "nothing fails");
    let output = stockade()
        .args(["audit", "--fail-on", "urgent"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn output_files_get_the_report_and_stdout_stays_empty() {
    let host = FakeHost::new();
    let out = host.root().join("report.json");
    let output = stockade()
        .args([
            "audit",
            "--check",
            "3",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--host-root",
        ])
        .arg(host.root())
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.stdout.is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["kind"], "audit");
    assert_eq!(report["summary"]["checks"], 24);
}

#[test]
fn a_collected_snapshot_gives_the_same_verdicts_elsewhere() {
    let host = FakeHost::new();
    host.write(
        "etc/docker/daemon.json",
        "{\"icc\": true, \"live-restore\": true}\n",
        0o664,
    );
    let snapshot = host.root().join("../stockade-snapshot.json");
    let collected = stockade()
        .args(["collect", "--host-root"])
        .arg(host.root())
        .arg("-o")
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(
        collected.status.success(),
        "{}",
        String::from_utf8_lossy(&collected.stderr)
    );
    let direct = host.audit(&[]);
    let (from_file, _) = audit_json(&["--from", snapshot.to_str().unwrap()]);
    std::fs::remove_file(&snapshot).unwrap();
    for check in direct["checks"].as_array().unwrap() {
        let id = check["id"].as_str().unwrap();
        assert_eq!(
            status(&from_file, id),
            check["status"].as_str().unwrap(),
            "{id}"
        );
        assert_eq!(check_text(&from_file, id), check_text(&direct, id), "{id}");
    }
    assert_eq!(status(&from_file, "daemon-json-permissive"), "fail");
    assert_eq!(from_file["target"]["source"], snapshot.to_str().unwrap());
}

#[test]
fn text_output_groups_by_section_and_shows_evidence() {
    let host = FakeHost::new();
    host.write("etc/docker/daemon.json", "{\n  \"icc\": true\n}\n", 0o664);
    let output = stockade()
        .args(["audit", "--check", "2.2,3.18,3.21", "--host-root"])
        .arg(host.root())
        .output()
        .unwrap();
    let report = text(&output);
    let root = host.root().display().to_string();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"collected \S+ ", "collected [TIME] ");
    settings.add_filter(&regex_escape(&root), "[ROOT]");
    settings.add_filter(r"host \S+ \(", "host [HOSTNAME] (");
    settings.add_filter(r"stockade \d+\.\d+\.\d+", "stockade [VERSION]");
    settings.bind(|| insta::assert_snapshot!(report));
}

#[test]
fn a_closed_pipe_is_a_clean_exit() {
    let binary = assert_cmd::cargo::cargo_bin("stockade");
    let status = std::process::Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; '{}' rules | head -n 1 >/dev/null",
                binary.display()
            ),
        ])
        .status()
        .unwrap();
    assert!(status.success());
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[test]
fn json_output_follows_the_published_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/schema/audit-v1.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let host = FakeHost::new();
    host.write(
        "etc/docker/daemon.json",
        "{\n  \"icc\": true,\n  \"hosts\": [\"tcp://0.0.0.0:2375\"]\n}\n",
        0o664,
    );
    let report = host.audit(&[]);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is strict enough to catch a broken document.
    let mut broken = report.clone();
    broken["checks"][0]["status"] = serde_json::json!("passed");
    assert!(!validator.is_valid(&broken));
    // ... and keeps the promise that new fields may appear.
    let mut newer = report.clone();
    newer["added_later"] = serde_json::json!(true);
    newer["checks"][0]["added_later"] = serde_json::json!(1);
    newer["checks"][0]["findings"][0]["added_later"] = serde_json::json!("x");
    assert!(validator.is_valid(&newer));
}

#[test]
fn without_docker_or_kubernetes_the_model_is_generic_and_unverified() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    let output = stockade()
        .args([
            "model",
            "--format",
            "json",
            "--docker-host",
            "unix:///nonexistent.sock",
            "--host-root",
        ])
        .arg(root.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let model: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let validator = common::schema_validator("threat-model-v2.schema.json");
    let errors = common::schema_errors(&validator, &model);
    assert!(
        errors.is_empty(),
        "the generic model follows its schema: {errors:#?}"
    );
    let threats = model["threats"].as_array().unwrap();
    let catalog = stockade_threats::builtin().unwrap();
    assert_eq!(
        threats.len(),
        catalog.threats.len(),
        "the whole Docker and Kubernetes catalog"
    );
    assert!(
        threats.iter().all(|t| t["status"] == "unverified"),
        "every threat unverified"
    );
    assert!(
        model["scope"]["evidence"]
            .as_str()
            .unwrap()
            .contains("neither Docker nor Kubernetes")
    );
}
