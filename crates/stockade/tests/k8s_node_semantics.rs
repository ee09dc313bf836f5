//! Flag semantics as the components apply them, on small node roots: the
//! cases where stockade's verdict differs from a flag search on purpose
//! (docs/kube-bench-differences.md).

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;
mod k8s_common;

use common::{audit_json, check_text};
use k8s_common::{assert_verdicts, write};

fn audit(root: &std::path::Path) -> serde_json::Value {
    audit_json(&[
        "--host-root",
        root.to_str().unwrap(),
        "--target",
        "kubernetes",
    ])
    .0
}

fn static_pod(root: &std::path::Path, name: &str, command: &[&str]) {
    let mut text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  - name: {name}\n    image: registry.k8s.io/{name}:v1.32.0\n    command:\n"
    );
    for arg in command {
        text.push_str(&format!("    - {arg}\n"));
    }
    write(
        root,
        &format!("/etc/kubernetes/manifests/{name}.yaml"),
        &text,
    );
}

#[test]
fn a_kubelet_without_config_file_takes_the_legacy_flag_defaults() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "/lib/systemd/system/kubelet.service",
        "[Service]\nExecStart=/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf\n",
    );
    let report = audit(root.path());
    assert_verdicts(
        &report,
        &[
            ("4.2.1", "fail"),  // anonymous auth defaults to on without a config file
            ("4.2.2", "fail"),  // AlwaysAllow
            ("4.2.4", "warn"),  // read-only port 10255
            ("4.2.10", "fail"), // rotateCertificates defaults to false
            ("4.2.6", "pass"),
        ],
    );
    assert!(check_text(&report, "kubelet-read-only-port-open").contains("10255"));
}

#[test]
fn structured_authorization_is_read_from_its_file() {
    let root = tempfile::tempdir().unwrap();
    static_pod(
        root.path(),
        "kube-apiserver",
        &[
            "kube-apiserver",
            "--authorization-config=/etc/kubernetes/authz.yaml",
        ],
    );
    write(
        root.path(),
        "/etc/kubernetes/authz.yaml",
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n  - type: Node\n    name: node\n  - type: RBAC\n    name: rbac\n",
    );
    let report = audit(root.path());
    assert_verdicts(
        &report,
        &[("1.2.6", "pass"), ("1.2.7", "pass"), ("1.2.8", "pass")],
    );
    assert!(check_text(&report, "apiserver-rbac-missing").contains("/etc/kubernetes/authz.yaml"));

    // Without either, the API server allows everything.
    static_pod(root.path(), "kube-apiserver", &["kube-apiserver"]);
    let report = audit(root.path());
    assert_verdicts(
        &report,
        &[("1.2.6", "fail"), ("1.2.7", "fail"), ("1.2.8", "fail")],
    );
}

#[test]
fn admission_plugins_combine_enable_disable_and_defaults() {
    let root = tempfile::tempdir().unwrap();
    static_pod(
        root.path(),
        "kube-apiserver",
        &[
            "kube-apiserver",
            "--enable-admission-plugins=NodeRestriction,AlwaysPullImages",
            "--enable-admission-plugins=EventRateLimit",
            "--disable-admission-plugins=AlwaysPullImages,ServiceAccount",
        ],
    );
    let report = audit(root.path());
    assert_verdicts(
        &report,
        &[
            ("1.2.9", "pass"),  // the second --enable-admission-plugins appends
            ("1.2.11", "warn"), // enabled and disabled: disabled
            ("1.2.12", "fail"), // a default plugin switched off
            ("1.2.13", "pass"), // default on, not disabled
            ("1.2.14", "pass"),
        ],
    );
}

#[test]
fn bind_address_defaults_to_every_interface() {
    let root = tempfile::tempdir().unwrap();
    static_pod(
        root.path(),
        "kube-scheduler",
        &["kube-scheduler", "--profiling=false"],
    );
    static_pod(
        root.path(),
        "kube-controller-manager",
        &[
            "kube-controller-manager",
            "--bind-address=127.0.0.1",
            "--profiling",
            "false",
        ],
    );
    let report = audit(root.path());
    // `--profiling false` leaves profiling on: booleans take values only with `=`.
    assert_verdicts(
        &report,
        &[
            ("1.4.2", "fail"),
            ("1.4.1", "pass"),
            ("1.3.7", "pass"),
            ("1.3.2", "fail"),
        ],
    );
}

#[test]
fn etcd_with_a_config_file_is_judged_on_that_file() {
    let root = tempfile::tempdir().unwrap();
    static_pod(
        root.path(),
        "etcd",
        &[
            "etcd",
            "--config-file=/etc/etcd/etcd.yaml",
            "--client-cert-auth=false",
        ],
    );
    write(
        root.path(),
        "/etc/etcd/etcd.yaml",
        "name: node-a\ndata-dir: /var/lib/etcd\nclient-transport-security:\n  cert-file: /etc/etcd/server.crt\n  key-file: /etc/etcd/server.key\n  client-cert-auth: true\n  trusted-ca-file: /etc/etcd/ca.crt\npeer-transport-security:\n  client-cert-auth: false\n",
    );
    let report = audit(root.path());
    assert_verdicts(
        &report,
        &[
            ("2.1", "pass"),
            ("2.2", "pass"), // the flag is ignored when a config file is given
            ("2.4", "fail"),
            ("2.5", "fail"),
            ("2.7", "pass"),
        ],
    );
    assert!(
        check_text(&report, "etcd-client-cert-auth-disabled")
            .contains("client-transport-security.client-cert-auth")
    );
}

#[test]
fn kubeadm_etcd_data_dir_owner_is_a_warning_unless_an_etcd_account_exists() {
    let root = tempfile::tempdir().unwrap();
    static_pod(root.path(), "etcd", &["etcd", "--data-dir=/var/lib/etcd"]);
    std::fs::create_dir_all(root.path().join("var/lib/etcd")).unwrap();
    let report = audit(root.path());
    assert_verdicts(&report, &[("1.1.12", "warn"), ("1.1.11", "fail")]);

    write(
        root.path(),
        "/etc/passwd",
        "root:x:0:0::/root:/bin/sh\netcd:x:103:107::/var/lib/etcd:/usr/sbin/nologin\n",
    );
    write(root.path(), "/etc/group", "root:x:0:\netcd:x:107:\n");
    let report = audit(root.path());
    assert_verdicts(&report, &[("1.1.12", "fail")]);
    std::os::unix::fs::chown(root.path().join("var/lib/etcd"), Some(103), Some(107)).unwrap();
    let report = audit(root.path());
    assert_verdicts(&report, &[("1.1.12", "pass")]);
    assert!(check_text(&report, "etcd-data-dir-wrong-owner").contains("etcd:etcd"));
}

#[test]
fn kube_proxy_metrics_come_from_its_config_file() {
    let root = tempfile::tempdir().unwrap();
    static_pod(
        root.path(),
        "kube-proxy",
        &["kube-proxy", "--config=/var/lib/kube-proxy/config.conf"],
    );
    write(
        root.path(),
        "/var/lib/kube-proxy/config.conf",
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n",
    );
    write(
        root.path(),
        "/var/lib/kube-proxy/kubeconfig.conf",
        "apiVersion: v1\nkind: Config\n",
    );
    let report = audit(root.path());
    assert_verdicts(
        &report,
        &[("4.3.1", "fail"), ("4.1.3", "warn"), ("4.1.4", "pass")],
    );
    assert!(
        check_text(&report, "proxy-kubeconfig-permissive")
            .contains("/var/lib/kube-proxy/kubeconfig.conf")
    );
}

#[test]
fn kubelet_config_dir_drop_ins_override_the_config_file() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "/etc/systemd/system/kubelet.service",
        "[Service]\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --config-dir=/etc/kubernetes/kubelet.conf.d\n",
    );
    write(
        root.path(),
        "/var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: false\npodPidsLimit: 4096\n",
    );
    write(
        root.path(),
        "/etc/kubernetes/kubelet.conf.d/50-debug.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\n",
    );
    let report = audit(root.path());
    assert_verdicts(&report, &[("4.2.1", "fail"), ("4.2.13", "pass")]);
    assert!(check_text(&report, "kubelet-anonymous-auth-enabled").contains("50-debug.conf"));
}
