//! `stockade harden` on copies of the kubeadm node files of
//! ../shared/corpus/k8s-node: static pod flags and kubelet configuration
//! keys are patched in place as `unsafe` fixes, formatting kept, and the
//! re-audit passes.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;
mod k8s_common;

use std::fs;
use std::path::Path;

use common::{audit_json, status, stockade};
use k8s_common::{corpus, fake_root};

fn harden(root: &Path, args: &[&str]) -> (serde_json::Value, String) {
    let output = stockade()
        .args(["harden", "--host-root"])
        .arg(root)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let plan = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    common::assert_follows_schema(&plan, "hardening-plan-v1.schema.json");
    (plan, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn audit(root: &Path, checks: &str) -> serde_json::Value {
    audit_json(&[
        "--host-root",
        root.to_str().unwrap(),
        "--target",
        "kubernetes",
        "--check",
        checks,
    ])
    .0
}

const PROFILING: &str =
    "apiserver-profiling-enabled,controller-manager-profiling-enabled,scheduler-profiling-enabled";

#[test]
fn profiling_flags_are_added_to_the_static_pod_manifests_as_unsafe_patches() {
    let Some(corpus) = corpus() else { return };
    let root = fake_root(&corpus, &["zetaoss-zeta-linux"]);
    let manifest = root
        .path()
        .join("etc/kubernetes/manifests/kube-apiserver.yaml");
    let original = fs::read_to_string(&manifest).unwrap();
    let before = audit(root.path(), PROFILING);
    for id in PROFILING.split(',') {
        assert_eq!(status(&before, id), "fail", "{id}");
    }

    let (plan, _) = harden(root.path(), &["--check", PROFILING]);
    let entries = plan["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{plan:#}");
    for entry in entries {
        assert_eq!(entry["fix"]["applicability"], "unsafe", "{entry:#}");
        assert!(
            entry["fix"]["risk"]
                .as_str()
                .unwrap()
                .contains("restarts the static pod")
        );
    }
    // Without --unsafe, --apply leaves the manifests alone.
    let (applied, _) = harden(root.path(), &["--check", PROFILING, "--apply"]);
    assert_eq!(applied["applied"]["written"], serde_json::json!([]));
    assert_eq!(fs::read_to_string(&manifest).unwrap(), original);

    let (applied, _) = harden(root.path(), &["--check", PROFILING, "--apply", "--unsafe"]);
    assert_eq!(
        applied["applied"]["written"].as_array().unwrap().len(),
        3,
        "{applied:#}"
    );
    let after = audit(root.path(), PROFILING);
    for id in PROFILING.split(',') {
        assert_eq!(status(&after, id), "pass", "{id}");
    }
    // One line added, everything else byte for byte.
    let edited = fs::read_to_string(&manifest).unwrap();
    let added: Vec<&str> = edited
        .lines()
        .filter(|l| !original.lines().any(|o| o == *l))
        .collect();
    assert_eq!(added.len(), 1, "{edited}");
    assert!(added[0].trim_start().starts_with("- ") && added[0].contains("--profiling=false"));
    assert_eq!(edited.lines().count(), original.lines().count() + 1);
    let (again, _) = harden(root.path(), &["--check", PROFILING, "--apply", "--unsafe"]);
    assert_eq!(again["entries"], serde_json::json!([]), "idempotent");
}

#[test]
fn a_flag_set_the_wrong_way_is_replaced_where_it_is_written() {
    let Some(corpus) = corpus() else { return };
    let root = fake_root(&corpus, &["zetaoss-zeta-linux"]);
    let manifest = root
        .path()
        .join("etc/kubernetes/manifests/kube-apiserver.yaml");
    let original = fs::read_to_string(&manifest).unwrap();
    let wrong = original.replacen(
        "    - --advertise-address",
        "    - --profiling=true # set by hand\n    - --advertise-address",
        1,
    );
    assert_ne!(wrong, original);
    fs::write(&manifest, &wrong).unwrap();
    harden(
        root.path(),
        &[
            "--check",
            "apiserver-profiling-enabled",
            "--apply",
            "--unsafe",
        ],
    );
    let edited = fs::read_to_string(&manifest).unwrap();
    assert_eq!(
        edited,
        wrong.replacen(
            "--profiling=true # set by hand",
            "--profiling=false # set by hand",
            1
        )
    );
    assert_eq!(
        status(
            &audit(root.path(), "apiserver-profiling-enabled"),
            "apiserver-profiling-enabled"
        ),
        "pass"
    );
}

#[test]
fn kubelet_config_keys_are_set_in_its_config_file() {
    let Some(corpus) = corpus() else { return };
    let root = fake_root(
        &corpus,
        &["cy-gu-kubernetes-install-tutorial", "joneconsulting-k8s"],
    );
    let config = root.path().join("var/lib/kubelet/config.yaml");
    let original = fs::read_to_string(&config).unwrap();
    let check = "kubelet-seccomp-default-off";
    assert_eq!(status(&audit(root.path(), check), check), "warn");
    let (plan, _) = harden(root.path(), &["--check", check]);
    let entry = &plan["entries"][0];
    assert_eq!(entry["fix"]["applicability"], "unsafe", "{entry:#}");
    assert!(
        entry["fix"]["changes"]
            .to_string()
            .contains("systemctl restart kubelet"),
        "{entry:#}"
    );
    harden(root.path(), &["--check", check, "--apply", "--unsafe"]);
    let edited = fs::read_to_string(&config).unwrap();
    assert_eq!(edited, format!("{original}seccompDefault: true\n"));
    assert_eq!(status(&audit(root.path(), check), check), "pass");
}
