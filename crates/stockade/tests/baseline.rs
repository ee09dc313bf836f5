//! `--baseline FILE` and `--write-baseline FILE` end to end: the real binary
//! scans a directory (and audits snapshots of a host root), writes its
//! result as a baseline, and is run again after the files change.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use common::{FakeHost, chmod, stockade};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// `stockade scan project ARGS` in `dir`.
fn scan(dir: &Path, args: &[&str]) -> Output {
    stockade()
        .current_dir(dir)
        .args(["scan", "project"])
        .args(args)
        .output()
        .unwrap()
}

/// `FROM debian:latest` (medium), `USER root` (high), no HEALTHCHECK (low),
/// `apt-get update` alone (low).
const DOCKERFILE: &str = "FROM debian:latest\nRUN apt-get update\nUSER root\nCMD [\"sh\"]\n";

/// The same Dockerfile with three lines inserted above every finding.
const MOVED: &str = "# syntax=docker/dockerfile:1\n# the web image\n\nFROM debian:latest\nRUN apt-get update\nUSER root\nCMD [\"sh\"]\n";

/// A Compose file arriving beside the Dockerfile: new findings, among them
/// a privileged service (critical).
const COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n";

/// A directory `project/` with the Dockerfile, and its baseline written by
/// `--write-baseline` (every finding is new then: exit 1 at `--fail-on low`).
fn with_baseline() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("project")).unwrap();
    fs::write(dir.path().join("project/Dockerfile"), DOCKERFILE).unwrap();
    let first = scan(
        dir.path(),
        &["--write-baseline", "base.json", "--fail-on", "low"],
    );
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    // The text report went to standard output; the baseline is JSON.
    assert!(stdout(&first).contains("dockerfile-runs-as-root"));
    dir
}

/// The `(check, baseline_state)` of every finding of a scan's JSON.
fn states(report: &Value) -> Vec<(String, String)> {
    let mut states: Vec<(String, String)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_owned(),
                f["baseline_state"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    states.sort();
    states
}

#[test]
fn an_unchanged_scan_exits_0_and_shows_its_findings_as_baseline_findings() {
    let dir = with_baseline();
    let baseline = read_json(&dir.path().join("base.json"));
    common::assert_follows_schema(&baseline, "scan-v1.schema.json");
    let findings = baseline["summary"]["findings"].as_u64().unwrap();
    assert_eq!(findings, 4, "{baseline:#}");

    let again = scan(dir.path(), &["--baseline", "base.json", "--fail-on", "low"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let text = stdout(&again);
    assert!(
        text.contains("the final stage runs as root (`USER root`) [baseline]"),
        "{text}"
    );
    assert!(
        text.contains(
            "4 findings already in the baseline base.json (not counted), 0 baseline findings fixed"
        ),
        "{text}"
    );
    // The findings are still listed and counted in the summary.
    assert!(text.contains("4 findings in 1 file"), "{text}");
}

#[test]
fn lines_inserted_above_the_findings_keep_them_in_the_baseline() {
    let dir = with_baseline();
    fs::write(dir.path().join("project/Dockerfile"), MOVED).unwrap();
    let moved = scan(
        dir.path(),
        &[
            "--baseline",
            "base.json",
            "--fail-on",
            "low",
            "--format",
            "json",
        ],
    );
    assert_eq!(moved.status.code(), Some(0), "{}", stderr(&moved));
    let report: Value = serde_json::from_slice(&moved.stdout).unwrap();
    common::assert_follows_schema(&report, "scan-v1.schema.json");
    assert_eq!(
        states(&report),
        [
            ("dockerfile-base-image-latest".into(), "unchanged".into()),
            ("dockerfile-no-healthcheck".into(), "unchanged".into()),
            ("dockerfile-runs-as-root".into(), "unchanged".into()),
            (
                "dockerfile-update-without-install".into(),
                "unchanged".into()
            ),
        ]
    );
    assert_eq!(report["baseline"]["path"], "base.json");
    assert_eq!(report["baseline"]["unchanged"], 4);
    assert_eq!(report["baseline"]["fixed"], 0);
    // The fingerprints are those of the baseline, though every line moved.
    let prints = |report: &Value| -> Vec<String> {
        let mut prints: Vec<String> = report["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect();
        prints.sort();
        prints
    };
    assert_eq!(
        prints(&report),
        prints(&read_json(&dir.path().join("base.json")))
    );
}

#[test]
fn a_new_finding_exits_1_and_only_it_counts() {
    let dir = with_baseline();
    fs::write(dir.path().join("project/Dockerfile"), MOVED).unwrap();
    fs::write(dir.path().join("project/compose.yaml"), COMPOSE).unwrap();
    let output = scan(
        dir.path(),
        &[
            "--baseline",
            "base.json",
            "--format",
            "concise",
            "--write-baseline",
            "next.json",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let new: Vec<&str> = text
        .lines()
        .filter(|l| !l.ends_with(" [baseline]"))
        .collect();
    assert!(
        !new.is_empty() && new.iter().all(|l| l.starts_with("project/compose.yaml:")),
        "{text}"
    );
    assert!(
        new.iter().any(|l| l.contains(" compose-privileged ")),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.ends_with(" [baseline]")).count(),
        4,
        "{text}"
    );

    // The new baseline is this run's JSON, whatever was printed; with it, the
    // same files pass. Without a baseline they fail.
    let next = read_json(&dir.path().join("next.json"));
    common::assert_follows_schema(&next, "scan-v1.schema.json");
    let again = scan(dir.path(), &["--baseline", "next.json"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(scan(dir.path(), &[]).status.code(), Some(1));

    // Fixing the Dockerfile's root user is counted as a fixed baseline finding.
    fs::write(
        dir.path().join("project/Dockerfile"),
        MOVED.replace("USER root", "USER 10001"),
    )
    .unwrap();
    let fixed = scan(dir.path(), &["--baseline", "next.json"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    assert!(
        stdout(&fixed).contains("(not counted), 1 baseline finding fixed"),
        "{}",
        stdout(&fixed)
    );
}

#[test]
fn sarif_github_and_junit_tell_new_findings_from_baseline_ones() {
    let dir = with_baseline();
    fs::write(dir.path().join("project/compose.yaml"), COMPOSE).unwrap();
    let sarif = scan(
        dir.path(),
        &[
            "--baseline",
            "base.json",
            "--format",
            "sarif",
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(sarif.status.code(), Some(0), "{}", stderr(&sarif));
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let baseline = read_json(&dir.path().join("base.json"));
    let known: Vec<&str> = baseline["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let print = result["partialFingerprints"]["stockade/v1"]
            .as_str()
            .unwrap();
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        let expected = if uri.ends_with("Dockerfile") {
            assert!(known.contains(&print), "{result:#}");
            "unchanged"
        } else {
            assert!(!known.contains(&print), "{result:#}");
            "new"
        };
        assert_eq!(result["baselineState"], expected, "{result:#}");
    }

    let github = scan(
        dir.path(),
        &[
            "--baseline",
            "base.json",
            "--format",
            "github",
            "--fail-on",
            "none",
        ],
    );
    let annotations = stdout(&github);
    assert!(
        annotations.contains("file=project/compose.yaml"),
        "{annotations}"
    );
    assert!(!annotations.contains("Dockerfile"), "{annotations}");

    let junit = scan(
        dir.path(),
        &[
            "--baseline",
            "base.json",
            "--format",
            "junit",
            "--fail-on",
            "none",
        ],
    );
    let xml = stdout(&junit);
    assert_eq!(
        xml.matches("(in the baseline, not counted)").count(),
        4,
        "{xml}"
    );
}

#[test]
fn a_baseline_that_cannot_be_used_is_refused_naming_the_file() {
    let dir = with_baseline();
    let root = dir.path();
    let refused = |baseline: &str| -> String {
        let output = scan(root, &["--baseline", baseline]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{baseline}: {}",
            stdout(&output)
        );
        assert!(output.stdout.is_empty(), "{baseline}: printed a report");
        stderr(&output)
    };
    let missing = refused("missing.json");
    assert!(
        missing.contains("--baseline: missing.json: no such file or directory"),
        "{missing}"
    );

    fs::write(
        root.join("broken.json"),
        "{\n  \"kind\": \"scan\",\n  oops\n}\n",
    )
    .unwrap();
    let broken = refused("broken.json");
    assert!(
        broken.contains("broken.json:3:3: not valid JSON"),
        "{broken}"
    );

    let host = FakeHost::new();
    let audit = stockade()
        .args(["audit", "--host-root"])
        .arg(host.root())
        .args([
            "--check",
            "daemon-json-permissive",
            "--format",
            "json",
            "-o",
        ])
        .arg(root.join("audit.json"))
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(0), "{}", stderr(&audit));
    let wrong_kind = refused("audit.json");
    assert!(
        wrong_kind.contains("--baseline audit.json: it holds audit results (stockade audit --format json), but this run needs scan results"),
        "{wrong_kind}"
    );

    let mut future = read_json(&root.join("base.json"));
    future["schema_version"] = Value::from(9);
    fs::write(root.join("future.json"), future.to_string()).unwrap();
    let version = refused("future.json");
    assert!(
        version.contains("future.json: schema_version 9 is not one this stockade reads"),
        "{version}"
    );

    let mut old = read_json(&root.join("base.json"));
    for finding in old["files"][0]["findings"].as_array_mut().unwrap() {
        finding.as_object_mut().unwrap().remove("fingerprint");
    }
    fs::write(root.join("old.json"), old.to_string()).unwrap();
    let unprinted = refused("old.json");
    assert!(
        unprinted.contains("old.json: the finding dockerfile-")
            && unprinted.contains("has no fingerprint"),
        "{unprinted}"
    );
}

/// `stockade audit --from SNAPSHOT` of three checks of a host root.
fn audit_from(snapshot: &Path, args: &[&str]) -> Output {
    stockade()
        .args(["audit", "--from"])
        .arg(snapshot)
        .args([
            "--check",
            "daemon-json-permissive,daemon-userns-remap-disabled,audit-rule-missing-dockerd",
            "--fail-on",
            "low",
        ])
        .args(args)
        .output()
        .unwrap()
}

fn collect(host: &FakeHost, to: &Path) {
    let output = stockade()
        .args(["collect", "--host-root"])
        .arg(host.root())
        .arg("-o")
        .arg(to)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn an_audit_fails_only_on_a_check_newly_failing_against_its_baseline() {
    let host = FakeHost::new();
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = (
        dir.path().join("before.json"),
        dir.path().join("after.json"),
    );
    let baseline = dir.path().join("audit-baseline.json");
    collect(&host, &before);
    chmod(&host.path("etc/docker/daemon.json"), 0o666);
    collect(&host, &after);

    // userns-remap and the audit rule fail on both snapshots.
    let first = audit_from(&before, &["--write-baseline", baseline.to_str().unwrap()]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let written = read_json(&baseline);
    common::assert_follows_schema(&written, "audit-v1.schema.json");
    assert!(
        written["checks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["findings"].as_array().unwrap())
            .all(|f| f["fingerprint"].as_str().is_some_and(|p| p.len() == 32)),
        "{written:#}"
    );

    let same = audit_from(&before, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let text = stdout(&same);
    assert!(
        text.contains("(no user namespace remapping) [baseline]"),
        "{text}"
    );
    assert!(
        text.contains("2 findings already in the baseline"),
        "{text}"
    );

    // daemon.json became world-writable: a new failing check.
    let worse = audit_from(
        &after,
        &["--baseline", baseline.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(worse.status.code(), Some(1), "{}", stderr(&worse));
    let report: Value = serde_json::from_slice(&worse.stdout).unwrap();
    common::assert_follows_schema(&report, "audit-v1.schema.json");
    let state = |id: &str| common::check(&report, id)["findings"][0]["baseline_state"].clone();
    assert_eq!(state("daemon-json-permissive"), "new");
    assert_eq!(state("daemon-userns-remap-disabled"), "unchanged");
    assert_eq!(state("audit-rule-missing-dockerd"), "unchanged");
    assert_eq!(report["baseline"]["unchanged"], 2);

    // A scan result is no audit baseline.
    fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    let scan_result = dir.path().join("scan.json");
    let output = stockade()
        .current_dir(dir.path())
        .args([
            "scan",
            "Dockerfile",
            "--format",
            "json",
            "--fail-on",
            "none",
            "-o",
        ])
        .arg(&scan_result)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let refused = audit_from(&after, &["--baseline", scan_result.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains(
            "it holds scan results (stockade scan --format json), but this run needs audit results"
        ),
        "{}",
        stderr(&refused)
    );
}

/// A docker-bench log (CIS 1.6.0 numbering): icc and the socket as given.
fn bench_log(icc: &str, socket: &str) -> String {
    serde_json::json!({
        "dockerbenchsecurity": "1.6.0",
        "start": 1_700_000_000,
        "tests": [
            {"id": "2", "desc": "Docker daemon configuration", "results": [
                {"id": "2.2", "desc": "Ensure network traffic is restricted between containers on the default bridge (Scored)", "result": icc}
            ]},
            {"id": "5", "desc": "Container Runtime", "results": [
                {"id": "5.1", "desc": "Ensure swarm mode is not Enabled, if not needed (Automated)", "result": "PASS"},
                {"id": "5.32", "desc": "Ensure that the Docker socket is not mounted inside any containers (Automated)", "result": socket,
                 "details": "Docker socket shared in: ci", "items": ["ci"]}
            ]}
        ]
    })
    .to_string()
}

#[test]
fn an_import_takes_a_baseline_as_an_audit_does() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("monday.log.json"),
        bench_log("WARN", "PASS"),
    )
    .unwrap();
    fs::write(dir.path().join("today.log.json"), bench_log("WARN", "WARN")).unwrap();
    let import = |log: &str, args: &[&str]| {
        stockade()
            .current_dir(dir.path())
            .args(["import", "docker-bench", log, "--fail-on", "medium"])
            .args(args)
            .output()
            .unwrap()
    };
    let monday = import("monday.log.json", &["--write-baseline", "monday.json"]);
    assert_eq!(monday.status.code(), Some(1), "{}", stderr(&monday));
    common::assert_follows_schema(
        &read_json(&dir.path().join("monday.json")),
        "audit-v1.schema.json",
    );
    let again = import("monday.log.json", &["--baseline", "monday.json"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).contains("[baseline]"), "{}", stdout(&again));
    // The socket mounted into `ci` is new.
    let today = import(
        "today.log.json",
        &["--baseline", "monday.json", "--format", "json"],
    );
    assert_eq!(today.status.code(), Some(1), "{}", stderr(&today));
    let report: Value = serde_json::from_slice(&today.stdout).unwrap();
    let states: Vec<(String, String)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap())
        .filter(|f| f["status"] == "fail" || f["status"] == "warn")
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_owned(),
                f["baseline_state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        states.contains(&("docker-sock-mounted".to_owned(), "new".to_owned())),
        "{states:?}"
    );
    assert!(
        states.contains(&("daemon-icc-enabled".to_owned(), "unchanged".to_owned())),
        "{states:?}"
    );
}
