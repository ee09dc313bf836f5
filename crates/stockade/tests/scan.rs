//! `stockade scan` end to end: the real binary on fixture trees, the shared
//! corpus and deliberately broken input.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::stockade;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scan-fixtures")
}

/// `stockade scan ARGS` run from `dir`.
fn scan_in(dir: &Path, args: &[&str]) -> Output {
    stockade()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("stockade runs")
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Every finding of a JSON report: (check, status, path, line).
fn findings(report: &Value) -> Vec<(String, String, String, u64)> {
    let mut all = Vec::new();
    for file in report["files"].as_array().into_iter().flatten() {
        for finding in file["findings"].as_array().into_iter().flatten() {
            let location = finding["evidence"][0]["location"].clone();
            all.push((
                finding["check"].as_str().unwrap_or_default().to_owned(),
                finding["status"].as_str().unwrap_or_default().to_owned(),
                file["path"].as_str().unwrap_or_default().to_owned(),
                location["line"].as_u64().unwrap_or(0),
            ));
        }
    }
    all
}

fn has(all: &[(String, String, String, u64)], check: &str, path: &str, line: u64) -> bool {
    all.iter()
        .any(|(c, _, p, l)| c == check && p == path && *l == line)
}

#[test]
fn fixture_project_findings_ignores_and_dot_folders() {
    let output = scan_in(
        &fixtures(),
        &["project", "--format", "json", "--fail-on", "none"],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json_of(&output);
    let all = findings(&report);
    // Dot-folders are scanned.
    assert!(has(
        &all,
        "dockerfile-base-image-latest",
        "project/.devcontainer/Dockerfile",
        1
    ));
    // Each kind of file is recognised and judged.
    assert!(has(
        &all,
        "dockerfile-hardcoded-secret",
        "project/Dockerfile",
        2
    ));
    assert!(has(
        &all,
        "compose-docker-socket-mounted",
        "project/docker-compose.yml",
        9
    ));
    assert!(has(
        &all,
        "k8s-privileged-container",
        "project/k8s/deploy.yaml",
        15
    ));
    // An ignore with a reason silences its finding...
    assert!(!has(
        &all,
        "dockerfile-add-instead-of-copy",
        "project/Dockerfile",
        4
    ));
    // ...one without a reason silences it too, and is reported.
    assert!(!has(&all, "dockerfile-sudo", "project/Dockerfile", 7));
    assert!(has(&all, "ignore-without-reason", "project/Dockerfile", 6));
    // An ignore that matches nothing is reported.
    assert!(has(&all, "ignore-unused", "project/Dockerfile", 8));
    // The annotation silences the object's findings of the named checks.
    assert!(!all.iter().any(|(c, ..)| c == "k8s-image-not-pinned"));
    assert!(!all.iter().any(|(c, ..)| c == "k8s-cpu-limit-missing"));
    let suppressed: usize = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["suppressed"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(suppressed, 4, "add, sudo, image pin and CPU limit");
    assert_eq!(report["stats"]["dockerfiles"], 2);
    assert_eq!(report["stats"]["compose_files"], 1);
    assert_eq!(report["stats"]["kubernetes_files"], 1);
}

#[test]
fn secrets_are_masked_in_every_format() {
    for format in ["text", "json", "sarif"] {
        let output = scan_in(&fixtures(), &["project", "--format", format]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            !stdout.contains("hunter2"),
            "{format} output shows a secret:\n{stdout}"
        );
        assert!(stdout.contains("****"), "{format}: no masked value shown");
    }
}

#[test]
fn text_output_is_a_compiler_style_diagnostic() {
    let output = scan_in(
        &fixtures(),
        &[
            "project/k8s",
            "--check",
            "k8s-privileged-container,k8s-hardcoded-secret",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "critical findings fail the run"
    );
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    let output = scan_in(&fixtures(), &["project", "--format", "sarif"]);
    let sarif = json_of(&output);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "k8s-privileged-container"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 15)
    );
    assert!(
        results
            .iter()
            .any(|r| r["suppressions"][0]["kind"] == "inSource"),
        "suppressed findings are kept, marked as suppressed"
    );
    // Each rule links to its page, which exists.
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/stockade-dev/stockade/blob/main/docs/rules/{id}.md")
        );
        assert!(
            docs.join(format!("{id}.md")).is_file(),
            "no docs/rules/{id}.md"
        );
    }
    // Paths are relative to %SRCROOT%, the directory the scan ran in; the
    // region ends where the underlined text ends.
    let base = &sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    let cwd = fixtures().canonicalize().unwrap();
    assert_eq!(base, &format!("file://{}/", cwd.display()));
    let privileged = results
        .iter()
        .find(|r| r["ruleId"] == "k8s-privileged-container")
        .unwrap();
    let location = &privileged["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("project/"), "{uri}");
    let line = fs::read_to_string(fixtures().join(uri))
        .unwrap()
        .lines()
        .nth(14)
        .unwrap()
        .trim_end()
        .chars()
        .count();
    assert_eq!(location["region"]["endColumn"], line + 1);
    assert!(location["region"]["endColumn"].as_u64() > location["region"]["startColumn"].as_u64());
    // A broken file must keep the log valid too.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: [\n",
    )
    .unwrap();
    let output = scan_in(dir.path(), &[".", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(2));
    let sarif = json_of(&output);
    assert!(validator.is_valid(&sarif));
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn sarif_snapshot_of_one_rule() {
    let output = scan_in(
        &fixtures(),
        &[
            "project/k8s",
            "--format",
            "sarif",
            "--check",
            "k8s-privileged-container",
        ],
    );
    let mut sarif = json_of(&output);
    let driver = &mut sarif["runs"][0]["tool"]["driver"];
    driver["semanticVersion"] = Value::String("[version]".into());
    sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = Value::String("[cwd]".into());
    insta::assert_json_snapshot!(sarif);
}

/// `scan --format json` on the fixtures and on the whole shared corpus
/// (Dockerfiles, Compose files, Kubernetes manifests, Helm templates)
/// follows docs/schema/scan-v1.schema.json.
#[test]
fn scan_json_follows_the_published_schema() {
    let validator = common::schema_validator("scan-v1.schema.json");
    let check = |document: &Value, what: &str| {
        let errors = common::schema_errors(&validator, document);
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    };
    let fixtures_report = json_of(&scan_in(&fixtures(), &["project", "--format", "json"]));
    check(&fixtures_report, "fixtures");
    let mut broken = fixtures_report.clone();
    broken["files"][0]["findings"][0]["severity"] = Value::String("severe".into());
    assert!(
        !validator.is_valid(&broken),
        "the schema catches a bad severity"
    );

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        assert!(
            std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
            "the corpus is missing at {}",
            corpus.display()
        );
        return;
    }
    let output = scan_in(
        &corpus,
        &[
            "dockerfiles",
            "compose",
            "k8s",
            "k8s_helm_templates",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
    );
    let report = json_of(&output);
    assert!(report["summary"]["findings"].as_u64().unwrap() > 20_000);
    check(&report, "the corpus");
}

/// GitHub code scanning refuses a run of more than 25,000 results: the
/// log says so, and so does the command.
#[test]
fn a_sarif_run_over_the_code_scanning_limit_is_flagged() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.join("k8s").is_dir() {
        assert!(
            std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
            "the corpus is missing at {}",
            corpus.display()
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let log = out.path().join("corpus.sarif");
    let output = scan_in(
        &corpus,
        &[
            "k8s",
            "dockerfiles",
            "--format",
            "sarif",
            "--fail-on",
            "none",
            "-o",
            log.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let sarif: Value = serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap().len();
    assert!(results > 25_000, "only {results} results");
    assert!(
        stderr.contains(&format!("warning: the SARIF log holds {results} results")),
        "{stderr}"
    );
    let notice = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(notice["level"], "warning");
    assert!(
        notice["message"]["text"]
            .as_str()
            .unwrap()
            .contains("at most 25000"),
        "{notice}"
    );
}

#[test]
fn checks_are_selected_by_id_or_cis_number_of_the_chosen_version() {
    let k8s = fixtures().join("project");
    // 5.2.2 is "privileged" in every CIS Kubernetes version.
    let output = scan_in(
        &k8s,
        &[
            "k8s",
            "--format",
            "json",
            "--check",
            "5.2.2",
            "--fail-on",
            "none",
        ],
    );
    let checks: Vec<String> = findings(&json_of(&output))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(checks, ["k8s-privileged-container"]);
    // Docker numbers follow --cis-version: the socket rule is 5.32 in 1.6.0, 5.31 before.
    for (version, number) in [("1.6.0", "5.32"), ("1.5.0", "5.31")] {
        let output = scan_in(
            &k8s,
            &[
                "docker-compose.yml",
                "--format",
                "json",
                "--check",
                number,
                "--cis-version",
                version,
                "--fail-on",
                "none",
            ],
        );
        let checks: Vec<String> = findings(&json_of(&output))
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(checks, ["compose-docker-socket-mounted"], "{version}");
    }
    let output = scan_in(&k8s, &[".", "--check", "no-such-rule"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-rule"));
}

#[test]
fn bad_input_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |name: &str, bytes: &[u8]| {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    };
    // A good file whose findings must still be reported.
    write(
        "good/pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  hostPID: true\n  containers: [{name: a, image: a:1}]\n",
    );
    write(
        "invalid/deploy.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: [\n    x\n",
    );
    let mut bomb =
        String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    write("bomb/bomb.yaml", bomb.as_bytes());
    let mut huge = b"apiVersion: v1\nkind: ConfigMap\ndata:\n".to_vec();
    huge.resize(50 * 1024 * 1024, b'#');
    write("huge/big.yaml", &huge);
    write(
        "binary/Dockerfile",
        &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3, 0, 0xff, 0xfe],
    );
    write(
        "latin1/Dockerfile",
        b"FROM alpine:3.20\nLABEL author=\"Jos\xe9\"\n",
    );
    fs::create_dir_all(root.join("loop")).unwrap();
    symlink("..", root.join("loop/back")).unwrap();
    symlink("missing-target", root.join("Dockerfile.dangling")).unwrap();

    let started = Instant::now();
    let output = scan_in(root, &[".", "--format", "json", "--fail-on", "none"]);
    assert!(started.elapsed() < Duration::from_secs(60), "no hang");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let report = json_of(&output);
    let all = findings(&report);
    let error_paths: Vec<&str> = all
        .iter()
        .filter(|f| f.0 == "file-parse-error")
        .map(|f| f.2.as_str())
        .collect();
    for expected in [
        "invalid/deploy.yaml",
        "bomb/bomb.yaml",
        "huge/big.yaml",
        "binary/Dockerfile",
        "latin1/Dockerfile",
        "Dockerfile.dangling",
    ] {
        assert!(
            error_paths.contains(&expected),
            "{expected} not reported: {error_paths:?}"
        );
    }
    assert!(
        error_paths.iter().any(|p| p.contains("loop")),
        "symlink loop not reported: {error_paths:?}"
    );
    // Parse errors name the line.
    assert!(
        all.iter()
            .any(|f| f.0 == "file-parse-error" && f.2 == "invalid/deploy.yaml" && f.3 >= 4)
    );
    // The rest was scanned.
    assert!(has(&all, "k8s-host-pid", "good/pod.yaml", 5));
    let messages = serde_json::to_string(&report).unwrap();
    assert!(
        messages.contains("alias"),
        "the alias bomb is named as such"
    );
    assert!(messages.contains("--max-file-size"));
}

/// Permission bits do not stop root, so the unreadable file is read by an
/// unprivileged user (setpriv) when the tests run as root.
#[test]
fn unreadable_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("Dockerfile"), "FROM alpine:3.20\n").unwrap();
    let secret = root.join("locked.Dockerfile");
    fs::write(&secret, "FROM alpine:3.20\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
    let binary = assert_cmd::cargo::cargo_bin("stockade");
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut command = if is_root {
        if std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("setpriv missing: skipped");
            return;
        }
        // The binary must be reachable by the unprivileged user.
        let copy = root.join("stockade-bin");
        fs::copy(&binary, &copy).unwrap();
        fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(copy);
        c
    } else {
        std::process::Command::new(binary)
    };
    let output = command
        .current_dir(root)
        .args(["scan", ".", "--format", "json", "--fail-on", "none"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let report = json_of(&output);
    let all = findings(&report);
    assert!(
        all.iter()
            .any(|f| f.0 == "file-parse-error" && f.2 == "locked.Dockerfile"),
        "{all:?}"
    );
    let text = serde_json::to_string(&report).unwrap();
    assert!(text.contains("ermission denied"), "{text}");
    assert!(
        all.iter().any(|f| f.2 == "Dockerfile"),
        "the readable file is scanned"
    );
}

#[test]
fn helm_templates_are_listed_as_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("chart/templates")).unwrap();
    fs::write(
        dir.path().join("chart/templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  {{- if .Values.x }}\n  replicas: 2\n  {{- end }}\n",
    )
    .unwrap();
    let output = scan_in(dir.path(), &[".", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let all = findings(&json_of(&output));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, "template-not-scanned");
    assert_eq!(all[0].1, "info");
}

/// The whole shared corpus: no panic, every file accounted for, and every
/// file that cannot be parsed is listed with its line and the reason.
#[test]
fn the_shared_corpus_scans_without_panic() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("shared corpus not found: skipped");
        return;
    }
    let output = scan_in(&corpus, &[".", "--format", "json", "--fail-on", "none"]);
    assert!(
        matches!(output.status.code(), Some(0 | 2)),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_of(&output);
    let stats = &report["stats"];
    assert!(
        stats["kubernetes_files"].as_u64().unwrap() >= 3775,
        "{stats}"
    );
    assert!(stats["dockerfiles"].as_u64().unwrap() >= 1254, "{stats}");
    assert!(stats["compose_files"].as_u64().unwrap() >= 540, "{stats}");
    assert!(
        stats["templates_skipped"].as_u64().unwrap() >= 200,
        "{stats}"
    );
    let mut listing = Vec::new();
    for (check, _, path, line) in findings(&report) {
        if check == "file-parse-error" {
            assert!(line >= 1, "{path}: a parse error without a line");
            listing.push(format!("{path}:{line}"));
        }
    }
    println!(
        "{} files not parsed:\n{}",
        listing.len(),
        listing.join("\n")
    );
    assert!(listing.len() < 40, "{listing:#?}");
}
