//! `stockade diff OLD.json NEW.json` end to end: the real binary compares
//! documents the real binary wrote — two scans of a directory before and
//! after editing its Dockerfile, two threat models, two audits of a host
//! root — and refuses what it cannot compare.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use common::{FakeHost, chmod, stockade};

fn diff(dir: &Path, old: &str, new: &str, extra: &[&str]) -> Output {
    stockade()
        .current_dir(dir)
        .args(["diff", old, new])
        .args(extra)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The lines of the section headed `heading` (up to the next blank line).
fn section(text: &str, heading: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(heading));
    assert!(lines.next().is_some(), "no section {heading}:\n{text}");
    lines
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn write_json(path: &Path, value: &Value) {
    fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// `stockade scan . --format json -o NAME` in `dir`.
fn scan_to(dir: &Path, name: &str) {
    let output = stockade()
        .current_dir(dir)
        .args([
            "scan",
            "project",
            "--format",
            "json",
            "--fail-on",
            "none",
            "-o",
        ])
        .arg(name)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

const BEFORE: &str = "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\nUSER root\nCMD [\"curl\"]\n";

/// Two comment lines push every line down; `latest` is pinned; an ADD from
/// a URL arrives.
const AFTER: &str = "# syntax=docker/dockerfile:1\n# the web image\nFROM debian:12\nRUN apt-get update && apt-get install -y curl\nADD http://example.com/tool.tgz /opt/\nUSER root\nCMD [\"curl\"]\n";

fn scanned_twice() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("project")).unwrap();
    let dockerfile = dir.path().join("project/Dockerfile");
    fs::write(&dockerfile, BEFORE).unwrap();
    scan_to(dir.path(), "before.json");
    fs::write(&dockerfile, AFTER).unwrap();
    scan_to(dir.path(), "after.json");
    dir
}

#[test]
fn two_scans_show_the_new_and_the_fixed_findings_not_the_ones_that_moved() {
    let dir = scanned_twice();
    let output = diff(dir.path(), "before.json", "after.json", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("stockade diff · scan · before.json ("),
        "{text}"
    );
    let new = section(&text, "New findings (1)");
    assert_eq!(new.len(), 1, "{text}");
    assert!(
        new[0].starts_with("project/Dockerfile:5:5 dockerfile-add-from-url fail medium ADD downloads http://example.com/tool.tgz"),
        "{text}"
    );
    let fixed = section(&text, "Fixed findings (1)");
    assert!(
        fixed[0].starts_with("project/Dockerfile:1:1 dockerfile-base-image-latest fail medium"),
        "{text}"
    );
    // `USER root` moved from line 3 to line 6: the same finding, unchanged.
    assert!(!text.contains("dockerfile-runs-as-root"), "{text}");
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("1 new, 1 fixed") && summary.contains(" unchanged"),
        "{summary}"
    );
}

#[test]
fn fail_on_new_exits_1_only_when_something_new_is_wrong() {
    let dir = scanned_twice();
    let worse = diff(dir.path(), "before.json", "after.json", &["--fail-on-new"]);
    assert_eq!(worse.status.code(), Some(1), "{}", stderr(&worse));
    assert!(stdout(&worse).contains("New findings (1)"));
    // The other way round only fixes `dockerfile-add-from-url`… and brings
    // back `latest`: still something new.
    let back = diff(dir.path(), "after.json", "before.json", &["--fail-on-new"]);
    assert_eq!(back.status.code(), Some(1));
    assert!(stdout(&back).contains("dockerfile-base-image-latest"));
    let same = diff(dir.path(), "after.json", "after.json", &["--fail-on-new"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let text = stdout(&same);
    assert!(
        text.trim_end().ends_with("findings compared") && text.contains("\nno changes: "),
        "{text}"
    );
}

#[test]
fn the_json_diff_is_versioned_and_lists_each_change_with_both_sides() {
    let dir = scanned_twice();
    let output = diff(
        dir.path(),
        "before.json",
        "after.json",
        &["--format", "json", "-o", "diff.json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let report: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("diff.json")).unwrap()).unwrap();
    common::assert_follows_schema(&report, "diff-v1.schema.json");
    for scanned in ["before.json", "after.json"] {
        let scan: Value =
            serde_json::from_str(&fs::read_to_string(dir.path().join(scanned)).unwrap()).unwrap();
        common::assert_follows_schema(&scan, "scan-v1.schema.json");
    }
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["kind"], "diff");
    assert_eq!(report["compares"], "scan");
    assert_eq!(report["old"]["path"], "before.json");
    assert_eq!(report["summary"]["opened"], 1);
    assert_eq!(report["summary"]["closed"], 1);
    let opened = &report["changes"]["opened"][0];
    assert_eq!(opened["id"], "dockerfile-add-from-url");
    assert_eq!(opened["old"], Value::Null);
    assert_eq!(opened["new"]["status"], "fail");
    assert_eq!(opened["new"]["severity"], "medium");
    assert_eq!(opened["new"]["location"], "project/Dockerfile:5:5");
    let closed = &report["changes"]["closed"][0];
    assert_eq!(closed["id"], "dockerfile-base-image-latest");
    assert_eq!(closed["new"], Value::Null);
}

/// A docker-bench 1.6.1 log (CIS 1.6.0 numbering, which its 5.1 swarm-mode
/// line tells apart).
fn bench_log(icc: &str, socket: &str) -> Value {
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
                {"id": "5.30", "desc": "Ensure that Docker's default bridge \"docker0\" is not used (Manual)", "result": "PASS"},
                {"id": "5.32", "desc": "Ensure that the Docker socket is not mounted inside any containers (Automated)", "result": socket,
                 "details": "Docker socket shared in: ci", "items": ["ci"]}
            ]}
        ]
    })
}

/// Runs `stockade ARGS -o NAME` in `dir`.
fn write_with(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let output = stockade()
        .current_dir(dir)
        .args(args)
        .args(["-o", name])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    dir.join(name)
}

#[test]
fn two_threat_models_show_threats_newly_open_and_newly_mitigated() {
    let dir = tempfile::tempdir().unwrap();
    write_json(&dir.path().join("old-log.json"), &bench_log("WARN", "PASS"));
    write_json(&dir.path().join("new-log.json"), &bench_log("PASS", "WARN"));
    for (log, model) in [("old-log.json", "old.json"), ("new-log.json", "new.json")] {
        write_with(
            dir.path(),
            model,
            &["model", "--format", "json", "--from", log],
        );
    }
    let output = diff(dir.path(), "old.json", "new.json", &["--fail-on-new"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("stockade diff · threat-model · old.json ("));
    let open = section(&text, "Newly open (");
    // Models carry risk: the line also says how it moved.
    assert!(
        open.iter()
            .any(|l| l.starts_with("DKR-CTR-02 mitigated → open risk ")
                && l.ends_with("A mounted Docker socket gives the container control of the host")),
        "{text}"
    );
    // icc fixed, but the other preventive control (containers off docker0,
    // a manual check even where docker-bench says PASS) still needs a human.
    let changed = section(&text, "Other status changes (");
    assert!(
        changed
            .iter()
            .any(|l| l.starts_with("DKR-DMN-03 open → unverified")),
        "{text}"
    );
    let summary = text.lines().last().unwrap();
    assert!(
        summary.contains("newly open") && summary.contains("other status change"),
        "{summary}"
    );
    // Both models, imported from docker-bench logs, and their JSON diff
    // follow their schemas.
    for model in ["old.json", "new.json"] {
        let document: Value =
            serde_json::from_str(&fs::read_to_string(dir.path().join(model)).unwrap()).unwrap();
        common::assert_follows_schema(&document, "threat-model-v2.schema.json");
    }
    let output = diff(dir.path(), "old.json", "new.json", &["--format", "json"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_follows_schema(&report, "diff-v1.schema.json");
    assert_eq!(report["compares"], "threat-model");
    assert!(report["changes"]["opened"][0]["new"]["risk"].is_u64());
}

/// The generic model and a copy edited as a later model would read: risk
/// ratings, instances listed as threats of their own in one document and
/// nested under their threat in the other.
#[test]
fn risk_changes_and_instances_in_either_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_with(
        dir.path(),
        "generic.json",
        &["model", "--generic", "--format", "json"],
    );
    let generic: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let mut old = generic.clone();
    let threats = old["threats"].as_array_mut().unwrap();
    for threat in threats.iter_mut() {
        threat["likelihood"] = json!(2);
        threat["impact"] = json!(3);
        threat["risk"] = json!(6);
    }
    let socket = threats
        .iter()
        .position(|t| t["id"] == "DKR-CTR-02")
        .unwrap();
    let mut web = threats[socket].clone();
    web["id"] = json!("DKR-CTR-02@web");
    web["subject"] = json!("web");
    web["status"] = json!("open");
    threats.push(web);
    let mut new = old.clone();
    let threats = new["threats"].as_array_mut().unwrap();
    let index = |threats: &[Value], id: &str| threats.iter().position(|t| t["id"] == id).unwrap();
    let icc = index(threats, "DKR-DMN-03");
    threats[icc]["likelihood"] = json!(4);
    threats[icc]["risk"] = json!(12);
    threats.retain(|t| t["id"] != "DKR-CTR-02@web");
    let socket = index(threats, "DKR-CTR-02");
    threats[socket]["instances"] = json!([
        {"subject": "web", "status": "mitigated", "likelihood": 2, "impact": 3, "risk": 6},
        {"subject": "ci", "status": "open", "likelihood": 5, "impact": 4, "risk": 20},
    ]);
    write_json(&dir.path().join("old.json"), &old);
    write_json(&dir.path().join("new.json"), &new);

    let output = diff(dir.path(), "old.json", "new.json", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(
        section(&text, "Newly open (1)"),
        [
            "DKR-CTR-02@ci new, open risk 20 A mounted Docker socket gives the container control of the host"
        ],
        "{text}"
    );
    assert_eq!(
        section(&text, "Newly mitigated (1)"),
        [
            "DKR-CTR-02@web open → mitigated risk 6 A mounted Docker socket gives the container control of the host"
        ],
        "{text}"
    );
    let risk = section(&text, "Risk changes (1)");
    assert!(
        risk[0].starts_with("DKR-DMN-03 unverified risk 6 → 12 (likelihood 2 → 4) "),
        "{text}"
    );
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("1 newly open, 1 newly mitigated, 1 risk change; "),
        "{summary}"
    );
    // The generic model against itself, without risk fields on one side:
    // absent ratings are not changes.
    let mut plain = generic.clone();
    for threat in plain["threats"].as_array_mut().unwrap() {
        let fields = threat.as_object_mut().unwrap();
        for field in ["likelihood", "impact", "risk", "risk_band"] {
            fields.remove(field);
        }
    }
    write_json(&dir.path().join("plain.json"), &plain);
    let output = diff(dir.path(), "plain.json", "old.json", &[]);
    let text = stdout(&output);
    assert!(!text.contains("Risk changes"), "{text}");
    assert!(text.contains("Newly open (1)\n  DKR-CTR-02@web"), "{text}");
}

#[test]
fn two_audits_of_a_host_root_show_the_check_newly_failing() {
    let host = FakeHost::new();
    let dir = tempfile::tempdir().unwrap();
    let checks = [
        "--check",
        "daemon-json-permissive,daemon-json-not-root-owned",
    ];
    write_json(&dir.path().join("before.json"), &host.audit(&checks));
    chmod(&host.path("etc/docker/daemon.json"), 0o666);
    write_json(&dir.path().join("after.json"), &host.audit(&checks));

    let output = diff(dir.path(), "before.json", "after.json", &["--fail-on-new"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with(
            "stockade diff · audit · before.json (2 results) → after.json (2 results)"
        ),
        "{text}"
    );
    let failing = section(&text, "Newly failing (1)");
    assert!(
        failing[0].starts_with("daemon-json-permissive") && failing[0].contains("pass → fail"),
        "{text}"
    );
    assert!(
        failing[1].starts_with("at ") && failing[1].contains("daemon.json"),
        "the location is shown: {text}"
    );
    assert!(!text.contains("daemon-json-not-root-owned"), "{text}");
    assert_eq!(text.lines().last().unwrap(), "1 newly failing; 1 unchanged");
    let back = diff(dir.path(), "after.json", "before.json", &["--fail-on-new"]);
    assert_eq!(back.status.code(), Some(0));
    assert!(stdout(&back).contains("Newly passing (1)\n  daemon-json-permissive"));
}

/// Every refusal exits 2, prints nothing on standard output and names the
/// file on standard error.
fn refused(dir: &Path, old: &str, new: &str) -> String {
    let output = diff(dir, old, new, &[]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{old} {new}: {}",
        stdout(&output)
    );
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    stderr(&output)
}

#[test]
fn bad_input_is_refused_with_the_file_and_the_reason() {
    let dir = scanned_twice();
    let root = dir.path();
    write_with(
        root,
        "model.json",
        &["model", "--generic", "--format", "json"],
    );
    let error = refused(root, "before.json", "model.json");
    assert!(
        error.contains("before.json is scan results (stockade scan --format json) but model.json is a threat model"),
        "{error}"
    );

    fs::write(
        root.join("broken.json"),
        "{\n  \"kind\": \"scan\",\n  \"files\": [,]\n}\n",
    )
    .unwrap();
    let error = refused(root, "broken.json", "after.json");
    assert!(
        error.contains("broken.json:3:13: not valid JSON"),
        "{error}"
    );

    let truncated = fs::read_to_string(root.join("after.json")).unwrap();
    fs::write(
        root.join("truncated.json"),
        &truncated[..truncated.len() / 2],
    )
    .unwrap();
    let error = refused(root, "after.json", "truncated.json");
    assert!(
        error.contains("truncated.json:") && error.contains("not valid JSON"),
        "{error}"
    );

    fs::write(
        root.join("other.json"),
        "{\"name\": \"package.json perhaps\"}",
    )
    .unwrap();
    let error = refused(root, "before.json", "other.json");
    assert!(
        error.contains("other.json: no `kind` field, so not a document stockade wrote"),
        "{error}"
    );

    fs::write(root.join("list.json"), "[1, 2]").unwrap();
    let error = refused(root, "list.json", "before.json");
    assert!(
        error.contains("list.json: a JSON array rather than a stockade document"),
        "{error}"
    );

    let mut future: Value = serde_json::from_str(&truncated).unwrap();
    future["schema_version"] = json!(99);
    write_json(&root.join("future.json"), &future);
    let error = refused(root, "before.json", "future.json");
    assert!(
        error.contains("future.json: schema_version 99 is not one this stockade reads"),
        "{error}"
    );

    write_with(
        root,
        "plan.json",
        &["harden", "project", "--format", "json"],
    );
    let error = refused(root, "plan.json", "plan.json");
    assert!(
        error.contains("plan.json: a `hardening-plan` document, which diff does not compare"),
        "{error}"
    );

    write_json(
        &root.join("snapshot.json"),
        &json!({"schema_version": 1, "collector": "stockade 0.1.0", "collected_at": "2024-01-01T00:00:00Z", "host": {}}),
    );
    let error = refused(root, "snapshot.json", "after.json");
    assert!(
        error.contains("snapshot.json: a snapshot (stockade collect), not results"),
        "{error}"
    );

    let error = refused(root, "missing.json", "after.json");
    assert!(
        error.contains("missing.json: no such file or directory"),
        "{error}"
    );
    let error = refused(root, "before.json", "project");
    assert!(error.contains("project: is a directory"), "{error}");
    fs::write(root.join("binary.json"), [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let error = refused(root, "binary.json", "after.json");
    assert!(error.contains("binary.json: binary content"), "{error}");
    let mut shapeless = future;
    shapeless["schema_version"] = json!(1);
    shapeless["files"] = json!({"Dockerfile": []});
    write_json(&root.join("shapeless.json"), &shapeless);
    let error = refused(root, "before.json", "shapeless.json");
    assert!(
        error.contains("shapeless.json: malformed stockade document: `files` is not an array"),
        "{error}"
    );
}

/// A Dockerfile's `USER 10001` becomes `USER root`: one new finding, of
/// high severity.
fn scanned_with_a_new_high_finding() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("project")).unwrap();
    let dockerfile = dir.path().join("project/Dockerfile");
    let pinned = "FROM debian:12\nHEALTHCHECK CMD [\"true\"]\n";
    fs::write(&dockerfile, format!("{pinned}USER 10001\n")).unwrap();
    scan_to(dir.path(), "before.json");
    fs::write(&dockerfile, format!("# moved\n{pinned}USER root\n")).unwrap();
    scan_to(dir.path(), "after.json");
    dir
}

#[test]
fn fail_on_a_severity_exits_1_only_when_a_new_finding_reaches_it() {
    let dir = scanned_with_a_new_high_finding();
    let text = stdout(&diff(dir.path(), "before.json", "after.json", &[]));
    let new = section(&text, "New findings (1)");
    assert!(
        new[0].contains("dockerfile-runs-as-root fail high"),
        "{text}"
    );
    for (threshold, code) in [("medium", 1), ("high", 1), ("critical", 0), ("none", 0)] {
        let output = diff(
            dir.path(),
            "before.json",
            "after.json",
            &["--fail-on", threshold],
        );
        assert_eq!(
            output.status.code(),
            Some(code),
            "--fail-on {threshold}: {}",
            stderr(&output)
        );
    }
    // Fixing it is never a failure.
    let fixed = diff(
        dir.path(),
        "after.json",
        "before.json",
        &["--fail-on", "info"],
    );
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    let bad = diff(
        dir.path(),
        "before.json",
        "after.json",
        &["--fail-on", "severe"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--fail-on: unknown severity `severe`"),
        "{}",
        stderr(&bad)
    );
    let both = diff(
        dir.path(),
        "before.json",
        "after.json",
        &["--fail-on", "high", "--fail-on-new"],
    );
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn the_markdown_diff_has_a_table_per_section_with_each_new_finding() {
    let dir = scanned_twice();
    let output = diff(
        dir.path(),
        "before.json",
        "after.json",
        &["--format", "markdown", "--fail-on", "medium"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("## stockade diff: scan\n"), "{text}");
    assert!(
        text.contains(
            "\n### New findings (1)\n\n| Finding | Status | Severity | Title |\n|---|---|---|---|\n"
        ),
        "{text}"
    );
    let json = diff(
        dir.path(),
        "before.json",
        "after.json",
        &["--format", "json"],
    );
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    for section in ["opened", "closed"] {
        let changes = report["changes"][section].as_array().unwrap();
        assert!(!changes.is_empty(), "{report:#}");
        for change in changes {
            let id = change["id"].as_str().unwrap();
            let row = format!("| `{} {id}` |", change["location"].as_str().unwrap());
            assert!(text.contains(&row), "{row} missing:\n{text}");
        }
    }
    assert!(text.contains("\n### Fixed findings (1)\n"), "{text}");
    assert!(
        text.trim_end().ends_with("unchanged") && text.contains("\n**Summary:** 1 new, 1 fixed"),
        "{text}"
    );
}

#[test]
fn fail_on_a_risk_judges_the_newly_open_threats_of_two_models() {
    let dir = tempfile::tempdir().unwrap();
    write_json(&dir.path().join("old-log.json"), &bench_log("WARN", "PASS"));
    write_json(&dir.path().join("new-log.json"), &bench_log("PASS", "WARN"));
    for (log, model) in [("old-log.json", "old.json"), ("new-log.json", "new.json")] {
        write_with(
            dir.path(),
            model,
            &["model", "--format", "json", "--from", log],
        );
    }
    let json = diff(dir.path(), "old.json", "new.json", &["--format", "json"]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let highest = report["changes"]["opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["new"]["risk"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(highest < 25, "{report:#}");
    let code = |threshold: &str| {
        diff(
            dir.path(),
            "old.json",
            "new.json",
            &["--fail-on", threshold],
        )
        .status
        .code()
    };
    assert_eq!(code(&highest.to_string()), Some(1));
    assert_eq!(code(&(highest + 1).to_string()), Some(0));
    assert_eq!(code("low"), Some(1));
    let bad = diff(dir.path(), "old.json", "new.json", &["--fail-on", "26"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad)
            .contains("neither a risk from 1 to 25 nor low, medium, high, critical or none"),
        "{}",
        stderr(&bad)
    );
}
