//! `stockade scan` reads YAML the way libyaml (PyYAML) and the Kubernetes
//! decoder read it: a duplicate key keeps its last value and is a finding
//! of its own, quoted scalars and flow collections may continue at any
//! indentation, and what libyaml refuses stays a parse error with its line.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use common::stockade;

/// `stockade scan DIR --format json --fail-on none`, parsed.
fn scan_json(dir: &Path) -> Value {
    let output = stockade()
        .current_dir(dir)
        .args(["scan", ".", "--format", "json", "--fail-on", "none"])
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 2)),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Every finding: (check, status, path, line of the first evidence, message).
fn findings(report: &Value) -> Vec<(String, String, String, u64, String)> {
    let mut all = Vec::new();
    for file in report["files"].as_array().into_iter().flatten() {
        for finding in file["findings"].as_array().into_iter().flatten() {
            all.push((
                finding["check"].as_str().unwrap().to_owned(),
                finding["status"].as_str().unwrap().to_owned(),
                file["path"].as_str().unwrap().to_owned(),
                finding["evidence"][0]["location"]["line"]
                    .as_u64()
                    .unwrap_or(0),
                finding["message"].as_str().unwrap().to_owned(),
            ));
        }
    }
    all
}

const DUPLICATED_PRIVILEGED: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: twice
  namespace: apps
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      privileged: false
      runAsNonRoot: true
      privileged: true
";

#[test]
fn a_duplicate_key_is_a_finding_and_the_rules_judge_the_last_value() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pod.yaml"), DUPLICATED_PRIVILEGED).unwrap();
    let all = findings(&scan_json(dir.path()));
    assert!(!all.iter().any(|f| f.0 == "file-parse-error"), "{all:#?}");
    let duplicate = all
        .iter()
        .find(|f| f.0 == "yaml-duplicate-key")
        .unwrap_or_else(|| panic!("no duplicate-key finding: {all:#?}"));
    assert_eq!((duplicate.1.as_str(), duplicate.3), ("fail", 13));
    assert!(
        duplicate.4.contains("`privileged`")
            && duplicate.4.contains("lines 11 and 13")
            && duplicate.4.contains("line 13 wins"),
        "{duplicate:?}"
    );
    let privileged = all
        .iter()
        .find(|f| f.0 == "k8s-privileged-container")
        .unwrap_or_else(|| panic!("privileged rule silent: {all:#?}"));
    assert_eq!((privileged.1.as_str(), privileged.3), ("fail", 13));
}

#[test]
fn a_duplicate_key_in_a_compose_file_stays_an_error_naming_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let compose =
        "services:\n  web:\n    image: nginx:1.27\n    privileged: false\n    privileged: true\n";
    fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    let all = findings(&scan_json(dir.path()));
    let error = all
        .iter()
        .find(|f| f.0 == "file-parse-error")
        .unwrap_or_else(|| panic!("compose duplicate accepted: {all:#?}"));
    assert_eq!((error.1.as_str(), error.3), ("error", 5));
    assert!(
        error.4.contains("`privileged`") && error.4.contains("line 4"),
        "{error:?}"
    );
}

#[test]
fn quoted_scalars_and_flow_collections_continue_at_any_indentation() {
    let dir = tempfile::tempdir().unwrap();
    // The argo-workflows style: the closing quote sits at the key's
    // indentation; the istio style: `]` at the key's indentation.
    let pod = "\
apiVersion: v1
kind: Pod
metadata:
  name: loose
  namespace: apps
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    args: ['
      echo one
    ']
    command: [
      \"sh\", \"-c\",
    ]
    securityContext:
      privileged: true
";
    fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let all = findings(&scan_json(dir.path()));
    assert!(!all.iter().any(|f| f.0 == "file-parse-error"), "{all:#?}");
    assert!(
        all.iter()
            .any(|f| f.0 == "k8s-privileged-container" && f.1 == "fail" && f.3 == 17),
        "{all:#?}"
    );
}

#[test]
fn yaml_that_libyaml_refuses_stays_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // A plain scalar continued less indented than its key: libyaml refuses.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  hostPID: true\n    and more\n  x\n";
    fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let all = findings(&scan_json(dir.path()));
    let error = all
        .iter()
        .find(|f| f.0 == "file-parse-error")
        .unwrap_or_else(|| panic!("accepted: {all:#?}"));
    assert!(error.3 >= 7, "{error:?}");
    assert!(error.4.starts_with("not valid YAML"), "{error:?}");
}

/// The k8s corpus files PyYAML (libyaml semantics) also refuses: `- name`
/// items nested under a mapping at the wrong indentation.
const REFUSED_BY_PYYAML: [&str; 6] = [
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/configuring-the-gateway/llm-gateway.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/configuring-the-gateway/llm-httproute.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/hdml-static-pv-pvc.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/llm-service.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/producer-job.yaml",
    "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/vllm-gemma-deployment.yaml",
];

#[test]
fn only_the_k8s_corpus_files_pyyaml_refuses_stay_unparsed() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/k8s");
    if !corpus.is_dir() {
        assert!(
            std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
            "the shared k8s corpus is missing"
        );
        eprintln!("shared k8s corpus not found: skipped");
        return;
    }
    let all = findings(&scan_json(&corpus));
    let unparsed: Vec<&str> = all
        .iter()
        .filter(|f| f.0 == "file-parse-error")
        .map(|f| f.2.trim_start_matches("./"))
        .collect();
    for path in &unparsed {
        assert!(REFUSED_BY_PYYAML.contains(path), "{path} unparsed");
    }
    assert!(unparsed.len() <= REFUSED_BY_PYYAML.len(), "{unparsed:#?}");
    let duplicates: Vec<&str> = all
        .iter()
        .filter(|f| f.0 == "yaml-duplicate-key")
        .map(|f| f.2.trim_start_matches("./"))
        .collect();
    assert!(
        duplicates
            .contains(&"kubernetes__examples/_archived/openshift-origin/etcd-controller.yaml"),
        "{duplicates:#?}"
    );
    assert!(duplicates.len() >= 8, "{duplicates:#?}");
}
