//! Verdicts of the daemon-configuration checks against a real dockerd,
//! restarted with one daemon.json setting changed at a time.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use common::{audit_json, check_text, status};
use serde_json::{Value, json};
use stockade_testkit::{TestDaemon, live_or_skip};

fn audit(daemon: &TestDaemon) -> Value {
    audit_json(&["--docker-host", &daemon.socket_url()]).0
}

/// (daemon.json, check id, verdict with the setting, verdict without it).
fn cases() -> Vec<(Value, &'static str, &'static str, &'static str)> {
    vec![
        (json!({"icc": false}), "daemon-icc-enabled", "pass", "fail"),
        (
            json!({"log-level": "debug"}),
            "daemon-log-level-not-info",
            "fail",
            "pass",
        ),
        (
            json!({"log-level": "warn"}),
            "daemon-log-level-not-info",
            "fail",
            "pass",
        ),
        (
            json!({"log-level": "info"}),
            "daemon-log-level-not-info",
            "pass",
            "pass",
        ),
        (
            json!({"debug": true}),
            "daemon-log-level-not-info",
            "fail",
            "pass",
        ),
        (
            json!({"live-restore": true}),
            "daemon-live-restore-disabled",
            "pass",
            "fail",
        ),
        (
            json!({"userland-proxy": false}),
            "daemon-userland-proxy-enabled",
            "pass",
            "fail",
        ),
        (
            json!({"no-new-privileges": true}),
            "daemon-no-new-privileges-disabled",
            "pass",
            "fail",
        ),
        (
            json!({"insecure-registries": ["registry.example:5000"]}),
            "daemon-insecure-registry",
            "fail",
            "pass",
        ),
        (
            json!({"iptables": false}),
            "daemon-iptables-disabled",
            "fail",
            "pass",
        ),
        (
            json!({"hosts": ["tcp://127.0.0.1:2375"]}),
            "daemon-tcp-without-tls",
            "fail",
            "not-applicable",
        ),
        (
            json!({"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}}),
            "daemon-default-ulimit-unset",
            "pass",
            "warn",
        ),
        (
            json!({"cgroup-parent": "stockade-test"}),
            "daemon-cgroup-parent-changed",
            "warn",
            "pass",
        ),
        (
            json!({"log-driver": "syslog", "log-opts": {"syslog-address": "udp://127.0.0.1:514"}}),
            "daemon-logs-not-centralized",
            "pass",
            "fail",
        ),
    ]
}

#[test]
fn each_daemon_json_setting_flips_its_verdict() {
    let Some(mut daemon) = live_or_skip(json!({})) else {
        return;
    };
    let baseline = audit(&daemon);
    let mut failures = Vec::new();
    for (config, id, with, without) in cases() {
        if status(&baseline, id) != without {
            failures.push(format!(
                "{id} without {config}: {} (expected {without})",
                status(&baseline, id)
            ));
        }
        daemon
            .restart(config.clone())
            .unwrap_or_else(|e| panic!("dockerd with {config}: {e}"));
        let report = audit(&daemon);
        if status(&report, id) != with {
            failures.push(format!(
                "{id} with {config}: {} (expected {with}) {}",
                status(&report, id),
                check_text(&report, id)
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn icc_evidence_comes_from_the_running_daemon_and_the_config_key() {
    let Some(daemon) = live_or_skip(json!({"icc": false})) else {
        return;
    };
    let report = audit(&daemon);
    let text = check_text(&report, "daemon-icc-enabled");
    assert!(
        text.contains("com.docker.network.bridge.enable_icc"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}", daemon.config_path().display())),
        "{text}"
    );
    assert!(
        text.contains("\"line\":2"),
        "the daemon.json key's line is given: {text}"
    );
}

#[test]
fn a_config_changed_but_not_applied_is_reported() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    std::fs::write(daemon.config_path(), "{\"icc\": false}\n").unwrap();
    let report = audit(&daemon);
    assert_eq!(status(&report, "daemon-icc-enabled"), "fail");
    let text = check_text(&report, "daemon-icc-enabled");
    assert!(text.contains("has not applied it"), "{text}");
}

#[test]
fn user_namespace_remapping_is_seen_by_the_running_daemon() {
    let Some(mut daemon) = live_or_skip(json!({})) else {
        return;
    };
    assert_eq!(
        status(&audit(&daemon), "daemon-userns-remap-disabled"),
        "fail"
    );
    daemon
        .restart(json!({"userns-remap": "default"}))
        .expect("dockerd with userns-remap");
    let report = audit(&daemon);
    assert_eq!(
        status(&report, "daemon-userns-remap-disabled"),
        "pass",
        "{}",
        check_text(&report, "daemon-userns-remap-disabled")
    );
    // The data root reported under remapping is a per-mapping subdirectory;
    // the audit watch is about its parent.
    let watched = check_text(&report, "audit-rule-missing-docker-data-root");
    let data = daemon.dir().join("data");
    assert!(
        watched.contains(&format!("{}\"", data.display())),
        "{watched}"
    );
}

#[test]
fn a_tls_listener_passes_and_its_files_are_judged() {
    let Some(mut daemon) = live_or_skip(json!({})) else {
        return;
    };
    let dir = daemon.dir().join("tls");
    std::fs::create_dir_all(&dir).unwrap();
    make_certificates(&dir);
    let path = |name: &str| dir.join(name).display().to_string();
    let config = json!({
        "hosts": ["tcp://127.0.0.1:2376"],
        "tlsverify": true,
        "tlscacert": path("ca.pem"),
        "tlscert": path("server-cert.pem"),
        "tlskey": path("server-key.pem"),
    });
    chmod(&dir.join("ca.pem"), 0o444);
    chmod(&dir.join("server-cert.pem"), 0o444);
    chmod(&dir.join("server-key.pem"), 0o400);
    daemon.restart(config.clone()).expect("dockerd with TLS");
    let report = audit(&daemon);
    assert_eq!(
        status(&report, "daemon-tcp-without-tls"),
        "pass",
        "{}",
        check_text(&report, "daemon-tcp-without-tls")
    );
    for id in [
        "tls-ca-cert-permissive",
        "tls-server-cert-permissive",
        "tls-server-key-permissive",
        "tls-ca-cert-not-root-owned",
        "tls-server-key-not-root-owned",
    ] {
        assert_eq!(
            status(&report, id),
            "pass",
            "{id}: {}",
            check_text(&report, id)
        );
    }
    // Loosen the key and the CA certificate: the running daemon's files fail.
    chmod(&dir.join("server-key.pem"), 0o640);
    chmod(&dir.join("ca.pem"), 0o664);
    let report = audit(&daemon);
    assert_eq!(status(&report, "tls-server-key-permissive"), "fail");
    assert!(check_text(&report, "tls-server-key-permissive").contains("group read"));
    assert_eq!(status(&report, "tls-ca-cert-permissive"), "fail");

    // TLS without verification: encrypted, but every client is accepted.
    let mut without_verify = config;
    without_verify["tlsverify"] = json!(false);
    without_verify["tls"] = json!(true);
    daemon
        .restart(without_verify)
        .expect("dockerd with --tls only");
    let report = audit(&daemon);
    assert_eq!(status(&report, "daemon-tcp-without-tls"), "fail");
    assert!(check_text(&report, "daemon-tcp-without-tls").contains("without verifying clients"));
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn make_certificates(dir: &std::path::Path) {
    let sh = format!(
        "set -e; cd {}; \
         openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=stockade-test-ca -keyout ca-key.pem -out ca.pem 2>/dev/null; \
         openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr 2>/dev/null; \
         printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > ext.cnf; \
         openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile ext.cnf -out server-cert.pem 2>/dev/null",
        dir.display()
    );
    let status = std::process::Command::new("sh")
        .args(["-c", &sh])
        .status()
        .expect("openssl runs");
    assert!(status.success(), "certificates generated");
}
