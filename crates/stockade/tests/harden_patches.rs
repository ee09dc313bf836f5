//! `stockade harden PATH` on real files of the shared corpus, copied to a
//! temporary directory: each patch kind keeps the file's comments and
//! layout (snapshots of the diff a user sees), the patched file passes the
//! rule it fixed on a fresh scan, a second apply changes nothing, files
//! that do not parse are refused, and secrets never reach a diff.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests stop at the first surprise

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::stockade;
use serde_json::Value;

fn corpus(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(relative);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
        "the shared corpus file {relative} is missing"
    );
    eprintln!("shared corpus file {relative} not found: skipped");
    None
}

/// A temporary directory holding a copy of the corpus file under `name`.
fn copy(relative: &str, name: &str) -> Option<(tempfile::TempDir, String)> {
    let source = corpus(relative)?;
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(source).unwrap();
    fs::write(dir.path().join(name), &text).unwrap();
    Some((dir, text))
}

fn harden(dir: &Path, args: &[&str]) -> Output {
    stockade()
        .current_dir(dir)
        .arg("harden")
        .args(args)
        .output()
        .unwrap()
}

fn harden_json(dir: &Path, args: &[&str]) -> Value {
    let output = harden(dir, &[args, &["--format", "json"]].concat());
    assert!(
        matches!(output.status.code(), Some(0 | 2)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_follows_schema(&plan, "hardening-plan-v1.schema.json");
    plan
}

/// The checks that still fail or warn on `file`, by a fresh `stockade scan`.
fn failing(dir: &Path, file: &str, checks: &str) -> Vec<String> {
    let output = stockade()
        .current_dir(dir)
        .args(["scan", file, "--check", checks, "--format", "json"])
        .args(["--fail-on", "none"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut ids: Vec<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap().iter())
        .filter(|f| matches!(f["status"].as_str(), Some("fail" | "warn")))
        .map(|f| f["check"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

fn backups(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".stockade-backup-")
        })
        .count()
}

/// Applies a one-hunk unified diff to `text`, as a person following the
/// printed template would.
fn apply_hunk(text: &str, diff: &str) -> String {
    let header = diff.lines().find(|l| l.starts_with("@@")).unwrap();
    let start: usize = header
        .trim_start_matches("@@ -")
        .split([',', ' '])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let body: Vec<&str> = diff
        .lines()
        .skip_while(|l| !l.starts_with("@@"))
        .skip(1)
        .filter(|l| !l.starts_with('\\'))
        .collect();
    let old_len = body.iter().filter(|l| !l.starts_with('+')).count();
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<&str> = lines[..start - 1].to_vec();
    out.extend(body.iter().filter(|l| !l.starts_with('-')).map(|l| &l[1..]));
    out.extend(&lines[start - 1 + old_len..]);
    out.join("\n") + "\n"
}

#[test]
fn add_becomes_copy_and_nothing_else_moves() {
    let Some((dir, original)) = copy(
        "dockerfiles/GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/llm-serving-gemma/gradio/Dockerfile",
        "Dockerfile",
    ) else {
        return;
    };
    let check = "dockerfile-add-instead-of-copy";
    assert_eq!(failing(dir.path(), "Dockerfile", check), [check]);
    let plan = harden_json(dir.path(), &["Dockerfile", "--check", check]);
    insta::assert_snapshot!(plan["diff"].as_str().unwrap());
    assert_eq!(
        read(dir.path(), "Dockerfile"),
        original,
        "a dry run writes nothing"
    );

    let applied = harden_json(dir.path(), &["Dockerfile", "--check", check, "--apply"]);
    assert_eq!(applied["verification"][0]["after"], "pass", "{applied:#}");
    assert_eq!(
        read(dir.path(), "Dockerfile"),
        original.replace("ADD app/ .", "COPY app/ ."),
        "the license header, the trailing space after CMD and every other line stay"
    );
    assert!(failing(dir.path(), "Dockerfile", check).is_empty());
}

#[test]
fn the_final_stage_gets_a_non_root_user_only_with_unsafe() {
    let Some((dir, original)) = copy(
        "dockerfiles/GoogleCloudPlatform__kubernetes-engine-samples/security/language-vulns/maven/Dockerfile",
        "Dockerfile",
    ) else {
        return;
    };
    let check = "dockerfile-runs-as-root";
    let safe_only = harden(dir.path(), &["Dockerfile", "--check", check, "--apply"]);
    let text = String::from_utf8_lossy(&safe_only.stdout);
    assert!(
        text.contains("skipped: Run Dockerfile's image as an unprivileged user (UID 10001) (unsafe: add --unsafe to apply it)"),
        "{text}"
    );
    assert_eq!(
        read(dir.path(), "Dockerfile"),
        original,
        "unsafe needs --unsafe"
    );

    let plan = harden_json(
        dir.path(),
        &["Dockerfile", "--check", check, "--apply", "--unsafe"],
    );
    insta::assert_snapshot!(plan["diff"].as_str().unwrap());
    assert!(failing(dir.path(), "Dockerfile", check).is_empty());
    // The builder stage is left alone: the user lands in the shipped stage.
    let patched = read(dir.path(), "Dockerfile");
    let user = patched.find("USER 10001:10001").unwrap();
    assert!(patched.rfind("FROM ").unwrap() < user);
    assert!(user < patched.find("CMD [").unwrap());
}

#[test]
fn the_healthcheck_is_a_template_that_is_never_written() {
    let Some((dir, original)) = copy(
        "dockerfiles/GoogleCloudPlatform__kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/Dockerfile",
        "Dockerfile",
    ) else {
        return;
    };
    let check = "dockerfile-no-healthcheck";
    let plan = harden_json(
        dir.path(),
        &["Dockerfile", "--check", check, "--apply", "--unsafe"],
    );
    assert_eq!(read(dir.path(), "Dockerfile"), original, "display-only");
    assert_eq!(plan["entries"][0]["fix"]["applicability"], "display-only");
    let template = plan["not_applied_diff"].as_str().unwrap();
    insta::assert_snapshot!(template);
    // A person who copies the template in gets a Dockerfile that passes.
    fs::write(
        dir.path().join("Dockerfile"),
        apply_hunk(&original, template),
    )
    .unwrap();
    assert!(failing(dir.path(), "Dockerfile", check).is_empty());
}

const COMPOSE_CHECKS: &str = "compose-root-filesystem-writable,compose-no-new-privileges-missing,compose-net-raw-not-dropped,compose-memory-unlimited,compose-pids-unlimited,compose-runs-as-root";

#[test]
fn compose_services_are_hardened_in_place_and_a_second_apply_changes_nothing() {
    let Some((dir, original)) = copy(
        "compose/Haxxnet__Compose-Examples/examples/leantime/docker-compose.yml",
        "docker-compose.yml",
    ) else {
        return;
    };
    let file = "docker-compose.yml";
    assert_eq!(failing(dir.path(), file, COMPOSE_CHECKS).len(), 6);
    let plan = harden_json(
        dir.path(),
        &[file, "--check", COMPOSE_CHECKS, "--apply", "--unsafe"],
    );
    insta::assert_snapshot!(plan["diff"].as_str().unwrap());
    let patched = read(dir.path(), file);
    // Every original line is still there, in order: only lines were added.
    let mut rest = patched.lines();
    for line in original.lines() {
        assert!(rest.any(|l| l == line), "lost or moved: {line:?}");
    }
    assert!(failing(dir.path(), file, COMPOSE_CHECKS).is_empty());
    for v in plan["verification"].as_array().unwrap() {
        assert_eq!(v["after"], "pass", "{v}");
    }

    let again = harden(
        dir.path(),
        &[file, "--check", COMPOSE_CHECKS, "--apply", "--unsafe"],
    );
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(
        text.contains("nothing changed: the files already have every applicable fix"),
        "{text}"
    );
    assert_eq!(read(dir.path(), file), patched, "byte for byte");
    assert_eq!(backups(dir.path()), 1, "no second backup");
}

const K8S_CHECKS: &str = "k8s-privilege-escalation-allowed,k8s-runs-as-root,k8s-capabilities-not-dropped,k8s-seccomp-unconfined,k8s-root-filesystem-writable,k8s-privileged-container,k8s-service-account-token-mounted";

#[test]
fn a_multi_document_manifest_gets_the_restricted_security_context() {
    let Some((dir, original)) = copy(
        "k8s/GoogleCloudPlatform__kubernetes-engine-samples/observability/elastic-stack-tutorial/max-map-count-setter-ds.yaml",
        "ds.yaml",
    ) else {
        return;
    };
    let failing_before = failing(dir.path(), "ds.yaml", K8S_CHECKS);
    assert_eq!(failing_before.len(), 7, "{failing_before:?}");
    let plan = harden_json(
        dir.path(),
        &["ds.yaml", "--check", K8S_CHECKS, "--apply", "--unsafe"],
    );
    insta::assert_snapshot!(plan["diff"].as_str().unwrap());
    let patched = read(dir.path(), "ds.yaml");
    assert!(
        patched.starts_with(&original[..original.find("---").unwrap()]),
        "the first document is untouched"
    );
    assert!(
        patched.ends_with("# [END gke_monitoring_elastic_stack_vm_memory_config_daemon_set]\n")
    );
    assert!(failing(dir.path(), "ds.yaml", K8S_CHECKS).is_empty());
    // Resources were already set; kubectl would accept the result as YAML.
    assert_eq!(
        failing(
            dir.path(),
            "ds.yaml",
            "k8s-memory-limit-missing,k8s-cpu-limit-missing,file-parse-error"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn resources_get_placeholder_values_only_with_unsafe() {
    let Some((dir, _)) = copy(
        "k8s/GoogleCloudPlatform__microservices-demo/release/kubernetes-manifests.yaml",
        "app.yaml",
    ) else {
        return;
    };
    let checks = "k8s-memory-limit-missing,k8s-cpu-limit-missing,k8s-resource-requests-missing";
    let before = failing(dir.path(), "app.yaml", checks);
    assert!(!before.is_empty());
    let plan = harden_json(dir.path(), &["app.yaml", "--check", checks]);
    assert_eq!(plan["diff"], "", "nothing safe to do");
    let preview = plan["not_applied_diff"].as_str().unwrap();
    assert!(preview.contains("+            memory: 512Mi"), "{preview}");
    harden_json(
        dir.path(),
        &["app.yaml", "--check", checks, "--apply", "--unsafe"],
    );
    assert!(failing(dir.path(), "app.yaml", checks).is_empty());
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "services:\n  web:\n    image: nginx\n    ports: [80\n";
    fs::write(dir.path().join("docker-compose.yml"), broken).unwrap();
    let output = harden(dir.path(), &["docker-compose.yml", "--apply", "--unsafe"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("error: cannot patch docker-compose.yml:5:1: not valid YAML"),
        "{text}"
    );
    assert_eq!(read(dir.path(), "docker-compose.yml"), broken);
    assert_eq!(backups(dir.path()), 0);
}

#[test]
fn flow_style_manifests_are_refused_by_name_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let json = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n \"spec\": {\"containers\": [{\"name\": \"a\", \"image\": \"x\"}]}}\n";
    fs::write(dir.path().join("pod.json"), json).unwrap();
    let output = harden(
        dir.path(),
        &[
            "pod.json",
            "--check",
            "k8s-privilege-escalation-allowed",
            "--apply",
        ],
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("skipped: cannot edit pod.json:2:26: `spec.containers[0]` is a flow mapping ({…}): add `securityContext` to it by hand"),
        "{text}"
    );
    assert_eq!(read(dir.path(), "pod.json"), json);
}

#[test]
fn secrets_next_to_a_patch_are_masked_in_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let compose = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: Tr0ub4dor-and-3\n";
    fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    for format in ["text", "json", "markdown"] {
        let output = harden(
            dir.path(),
            &[
                "compose.yaml",
                "--check",
                "compose-no-new-privileges-missing",
                "--format",
                format,
            ],
        );
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.contains("Tr0ub4dor"), "{format}: {text}");
        assert!(text.contains("POSTGRES_PASSWORD: ****"), "{format}: {text}");
    }
}

/// Copies a corpus directory into `dir`, writable.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            fs::write(&target, fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

/// Every Compose file of the corpus: after `--apply --unsafe` each patched
/// rule passes everywhere (but where `cap_add` gives NET_RAW back, which
/// only a person can decide), no file stops parsing, and a second apply
/// writes nothing.
#[test]
fn the_compose_corpus_is_hardened_and_stays_valid() {
    let Some(file) = corpus("compose/docker__awesome-compose/gitea-postgres/compose.yaml") else {
        return;
    };
    let compose = file.ancestors().nth(3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_tree(compose, &dir.path().join("compose"));
    let before = failing(dir.path(), "compose", COMPOSE_CHECKS);
    assert_eq!(before.len(), 6, "{before:?}");
    let parse_errors = |dir: &Path| {
        let output = stockade()
            .current_dir(dir)
            .args([
                "scan",
                "compose",
                "--check",
                "file-parse-error",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["files"].as_array().unwrap().len()
    };
    let broken_before = parse_errors(dir.path());

    let applied = harden_json(
        dir.path(),
        &["compose", "--apply", "--unsafe", "--check", COMPOSE_CHECKS],
    );
    let written = applied["applied"]["written"].as_array().unwrap().len();
    assert!(written > 400, "{written} files written");
    assert_eq!(applied["applied"]["errors"], serde_json::json!([]));
    for v in applied["verification"].as_array().unwrap() {
        let expected = if v["check"] == "compose-net-raw-not-dropped" {
            "fail"
        } else {
            "pass"
        };
        assert_eq!(v["after"], expected, "{v}");
    }
    assert_eq!(
        parse_errors(dir.path()),
        broken_before,
        "no file stopped parsing"
    );

    let again = harden_json(
        dir.path(),
        &["compose", "--apply", "--unsafe", "--check", COMPOSE_CHECKS],
    );
    assert_eq!(again["applied"]["written"], serde_json::json!([]));
}
