//! CIS Kubernetes section 2 against a real etcd (Debian's etcd-server)
//! started on 127.0.0.1: judged from the running process's command line.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use common::audit_json;
use serde_json::Value;
use stockade_testkit::{EtcdMode, TestEtcd, etcd_or_skip};

/// Live audit of this machine's Kubernetes components.
fn audit() -> Value {
    audit_json(&["--target", "kubernetes"]).0
}

/// The status of `check`'s finding about the etcd process `pid`, and the
/// finding itself.
fn verdict<'a>(report: &'a Value, check: &str, etcd: &TestEtcd) -> (String, &'a Value) {
    let subject = format!("etcd (pid {})", etcd.pid());
    let finding = common::check(report, check)["findings"]
        .as_array()
        .and_then(|findings| {
            findings
                .iter()
                .find(|f| f["subject"]["name"] == subject.as_str())
        })
        .unwrap_or_else(|| {
            panic!(
                "{check}: no finding about {subject}: {}",
                common::check_text(report, check)
            )
        });
    (
        finding["status"].as_str().unwrap_or_default().to_owned(),
        finding,
    )
}

#[test]
fn plain_http_etcd_fails_the_tls_controls() {
    let Some(etcd) = etcd_or_skip(EtcdMode::Plain) else {
        return;
    };
    let report = audit();
    for (check, want) in [
        ("etcd-client-tls-missing", "fail"),
        ("etcd-client-cert-auth-disabled", "fail"),
        ("etcd-auto-tls-enabled", "pass"),
        ("etcd-peer-tls-missing", "fail"),
        ("etcd-peer-client-cert-auth-disabled", "fail"),
        ("etcd-peer-auto-tls-enabled", "pass"),
        ("etcd-trusted-ca-missing", "warn"),
    ] {
        let (status, finding) = verdict(&report, check, &etcd);
        assert_eq!(status, want, "{check}: {finding}");
    }
    // Judged from the live process: the evidence names its pid.
    let (_, finding) = verdict(&report, "etcd-client-cert-auth-disabled", &etcd);
    let location = &finding["evidence"][0]["location"];
    assert_eq!(location["kind"], "process", "{finding}");
    assert_eq!(location["pid"], etcd.pid(), "{finding}");
}

#[test]
fn tls_etcd_with_client_cert_auth_passes() {
    let Some(etcd) = etcd_or_skip(EtcdMode::Tls) else {
        return;
    };
    let report = audit();
    for check in [
        "etcd-client-tls-missing",
        "etcd-client-cert-auth-disabled",
        "etcd-auto-tls-enabled",
        "etcd-peer-tls-missing",
        "etcd-peer-client-cert-auth-disabled",
        "etcd-peer-auto-tls-enabled",
        "etcd-trusted-ca-missing",
    ] {
        let (status, finding) = verdict(&report, check, &etcd);
        assert_eq!(status, "pass", "{check}: {finding}");
    }
    let (_, finding) = verdict(&report, "etcd-client-tls-missing", &etcd);
    let argument = finding["evidence"][0]["location"]["argument"]
        .as_str()
        .unwrap_or_default();
    assert!(argument.starts_with("--cert-file="), "{finding}");
    // The data directory is found from --data-dir of the live process.
    let data_dir = etcd.dir().join("data");
    let text = common::check_text(&report, "etcd-data-dir-permissive");
    assert!(text.contains(&*data_dir.to_string_lossy()), "{text}");
}
