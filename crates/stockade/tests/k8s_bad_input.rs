//! Bad input on a node: each broken piece makes the checks that need it say
//! `error` with the reason (file and line, or process), everything else is
//! still audited, nothing panics, and secrets never reach the output.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;
mod k8s_common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{audit_json, check_text, stockade};
use k8s_common::{assert_verdicts, corpus, fake_root, write};

fn audit(root: &std::path::Path) -> (serde_json::Value, std::process::Output) {
    audit_json(&[
        "--host-root",
        root.to_str().expect("utf-8"),
        "--target",
        "kubernetes",
    ])
}

#[test]
fn a_manifest_that_is_not_yaml() {
    let Some(corpus) = corpus() else { return };
    let root = fake_root(&corpus, &["zetaoss-zeta-linux"]);
    write(
        root.path(),
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command: [kube-apiserver, --profiling=false\n    image: x\n",
    );
    let (report, output) = audit(root.path());
    assert_eq!(output.status.code(), Some(2), "an error finding exits 2");
    for check in [
        "apiserver-profiling-enabled",
        "apiserver-kubelet-ca-missing",
        "apiserver-audit-policy-missing",
    ] {
        assert_eq!(common::status(&report, check), "error", "{check}");
        let text = check_text(&report, check);
        assert!(
            text.contains("/etc/kubernetes/manifests/kube-apiserver.yaml:")
                && text.contains("not valid YAML"),
            "{check}: {text}"
        );
    }
    // The manifest's own permissions and every other component are still audited.
    assert_verdicts(
        &report,
        &[
            ("1.1.2", "pass"),
            ("1.3.2", "fail"),
            ("1.4.2", "pass"),
            ("2.1", "pass"),
            ("2.2", "pass"),
        ],
    );
}

#[test]
fn a_kubelet_config_flag_naming_a_missing_file() {
    let root = tempfile::tempdir().expect("temp dir");
    write(
        root.path(),
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/missing.yaml --hostname-override=node-a --read-only-port=0\n",
    );
    let (report, output) = audit(root.path());
    assert_eq!(output.status.code(), Some(2));
    let text = check_text(&report, "kubelet-anonymous-auth-enabled");
    assert_eq!(
        common::status(&report, "kubelet-anonymous-auth-enabled"),
        "error"
    );
    assert!(
        text.contains("/var/lib/kubelet/missing.yaml") && text.contains("does not exist"),
        "{text}"
    );
    // Settings the command line decides are still judged: flags win over the file.
    assert_verdicts(
        &report,
        &[
            ("4.2.7", "warn"),
            ("4.2.4", "pass"),
            ("4.1.9", "not-applicable"),
        ],
    );
}

/// A kube-apiserver whose /proc/PID/cmdline cannot be read: a zombie keeps
/// its name but loses its command line.
#[test]
fn a_process_whose_command_line_cannot_be_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fake = dir.path().join("kube-apiserver");
    std::fs::copy("/bin/sleep", &fake).expect("copy sleep");
    let mut child = Command::new(&fake).arg("60").spawn().expect("start");
    let pid = child.id();
    child.kill().expect("kill");
    // Not reaped yet: a zombie named kube-apiserver with no command line.
    let started = Instant::now();
    while !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z ")) {
        assert!(started.elapsed() < Duration::from_secs(5), "no zombie");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (report, output) = audit_json(&["--target", "kubernetes"]);
    child.wait().expect("reap");

    assert_eq!(output.status.code(), Some(2));
    let subject = format!("kube-apiserver (pid {pid})");
    let finding = common::check(&report, "apiserver-profiling-enabled")["findings"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find(|f| f["subject"]["name"] == subject.as_str())
                .cloned()
        })
        .unwrap_or_else(|| panic!("no finding about {subject}"));
    assert_eq!(finding["status"], "error", "{finding}");
    assert!(
        finding["message"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot be read"),
        "{finding}"
    );
    // The rest of the node is still audited (the files checks ran).
    assert_ne!(
        common::status(&report, "kubelet-config-file-permissive"),
        "error"
    );
}

#[test]
fn secrets_on_command_lines_and_in_configs_are_masked_everywhere() {
    let Some(corpus) = corpus() else { return };
    let root = fake_root(&corpus, &["zetaoss-zeta-linux"]);
    let manifest = std::fs::read_to_string(root.path().join("etc/kubernetes/manifests/kube-apiserver.yaml"))
        .expect("manifest")
        .replace(
            "    - --advertise-address=172.30.1.2\n",
            "    - --advertise-address=172.30.1.2\n    - --oidc-client-secret=hunter2-argv\n    - --encryption-provider-config=/etc/kubernetes/enc.yaml\n",
        );
    write(
        root.path(),
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        &manifest,
    );
    write(
        root.path(),
        "/etc/kubernetes/enc.yaml",
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n              secret: aHVudGVyMi1rZXk=\n      - identity: {}\n",
    );
    let (report, _) = audit(root.path());
    assert_verdicts(&report, &[("1.2.27", "pass"), ("1.2.28", "pass")]);
    let root_arg = root.path().to_str().expect("utf-8");
    let text = stockade()
        .args([
            "audit",
            "--host-root",
            root_arg,
            "--target",
            "kubernetes",
            "--fail-on",
            "none",
        ])
        .output()
        .expect("runs");
    let snapshot = stockade()
        .args(["collect", "--host-root", root_arg])
        .output()
        .expect("runs");
    for (what, bytes) in [
        ("json", serde_json::to_vec(&report).expect("json")),
        ("text", text.stdout),
        ("snapshot", snapshot.stdout),
    ] {
        let out = String::from_utf8_lossy(&bytes);
        assert!(
            !out.contains("hunter2-argv"),
            "{what} shows the argv secret"
        );
        assert!(
            !out.contains("aHVudGVyMi1rZXk="),
            "{what} shows the encryption key"
        );
    }
}
