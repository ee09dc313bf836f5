//! File ownership and permission checks on real files of a host root
//! mounted with --host-root: modes are compared bit by bit, owners are
//! resolved through the audited host's own /etc/passwd and /etc/group.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::os::unix::fs::chown;

use common::{FakeHost, check_text, chmod, finding_statuses, status};

#[test]
fn daemon_json_modes_are_compared_bitwise() {
    let host = FakeHost::new();
    let file = host.path("etc/docker/daemon.json");
    for (mode, expected) in [
        (0o644, "pass"),
        (0o600, "pass"),
        (0o640, "pass"),
        (0o664, "fail"),
        (0o606, "fail"),
        (0o444, "pass"),
    ] {
        chmod(&file, mode);
        let report = host.audit(&["--check", "daemon-json-permissive"]);
        assert_eq!(
            status(&report, "daemon-json-permissive"),
            expected,
            "mode {mode:04o}: {}",
            check_text(&report, "daemon-json-permissive")
        );
    }
    chmod(&file, 0o606);
    let report = host.audit(&["--check", "daemon-json-permissive"]);
    let text = check_text(&report, "daemon-json-permissive");
    assert!(text.contains("mode 0606 (rw----rw-)"), "{text}");
    assert!(
        text.contains("other write"),
        "the offending bit is named: {text}"
    );
}

#[test]
fn owners_are_resolved_through_the_audited_hosts_accounts() {
    let host = FakeHost::new();
    let file = host.path("etc/docker/daemon.json");
    let report = host.audit(&["--check", "3.17"]);
    assert_eq!(status(&report, "daemon-json-not-root-owned"), "pass");

    chown(&file, Some(1000), Some(998)).unwrap();
    let report = host.audit(&["--check", "3.17"]);
    assert_eq!(status(&report, "daemon-json-not-root-owned"), "fail");
    let text = check_text(&report, "daemon-json-not-root-owned");
    assert!(
        text.contains("alice:docker (1000:998)"),
        "names come from the host root's files: {text}"
    );

    chown(&file, Some(0), Some(998)).unwrap();
    let report = host.audit(&["--check", "3.17"]);
    assert_eq!(
        status(&report, "daemon-json-not-root-owned"),
        "fail",
        "group docker is not root"
    );
}

#[test]
fn unit_files_and_their_drop_ins_are_each_judged() {
    let host = FakeHost::new();
    host.write(
        "etc/systemd/system/docker.service.d/override.conf",
        "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --config-file=/etc/docker/other.json\n",
        0o664,
    );
    host.write("etc/docker/other.json", "{}\n", 0o600);
    let report = host.audit(&["--check", "3.2,3.17,3.18"]);
    let findings = finding_statuses(&report, "docker-service-permissive");
    assert_eq!(
        findings,
        [
            (
                "/lib/systemd/system/docker.service".to_owned(),
                "pass".to_owned()
            ),
            (
                "/etc/systemd/system/docker.service.d/override.conf".to_owned(),
                "fail".to_owned()
            ),
        ]
    );
    // The drop-in's ExecStart names another daemon.json: that is the file judged.
    let text = check_text(&report, "daemon-json-permissive");
    assert!(text.contains("/etc/docker/other.json"), "{text}");
}

#[test]
fn registry_certificates_are_every_file_under_certs_d() {
    let host = FakeHost::new();
    let report = host.audit(&["--check", "3.7,3.8"]);
    assert_eq!(
        status(&report, "registry-certs-permissive"),
        "not-applicable"
    );

    host.write(
        "etc/docker/certs.d/registry.example:5000/ca.crt",
        "cert",
        0o444,
    );
    host.write(
        "etc/docker/certs.d/registry.example:5000/client.key",
        "key",
        0o644,
    );
    let report = host.audit(&["--check", "3.7,3.8"]);
    assert_eq!(
        finding_statuses(&report, "registry-certs-permissive"),
        [
            (
                "/etc/docker/certs.d/registry.example:5000/ca.crt".to_owned(),
                "pass".to_owned()
            ),
            (
                "/etc/docker/certs.d/registry.example:5000/client.key".to_owned(),
                "fail".to_owned()
            ),
        ]
    );
    assert_eq!(status(&report, "registry-certs-not-root-owned"), "pass");
}

#[test]
fn absent_files_are_not_applicable_and_say_why() {
    let host = FakeHost::new();
    let report = host.audit(&["--check", "3.21,3.22,3.9"]);
    assert_eq!(
        status(&report, "etc-sysconfig-docker-permissive"),
        "not-applicable"
    );
    assert!(check_text(&report, "etc-sysconfig-docker-permissive").contains("does not exist"));
    assert_eq!(
        status(&report, "tls-ca-cert-not-root-owned"),
        "not-applicable"
    );
    assert!(check_text(&report, "tls-ca-cert-not-root-owned").contains("not configured for TLS"));
}

#[test]
fn offline_audits_read_the_rules_files_and_the_units_command_line() {
    let host = FakeHost::new();
    host.write(
        "etc/audit/rules.d/docker.rules",
        "# docker\n-w /usr/bin/dockerd -p rwxa -k docker\n-w /etc/docker/ -k docker\n",
        0o640,
    );
    let report = host.audit(&["--check", "1.1.3,1.1.6,1.1.11,1.1.13,2.2"]);
    assert_eq!(status(&report, "audit-rule-missing-dockerd"), "pass");
    let text = check_text(&report, "audit-rule-missing-dockerd");
    assert!(text.contains("/etc/audit/rules.d/docker.rules"), "{text}");
    assert!(text.contains("\"line\":2"), "{text}");
    assert_eq!(status(&report, "audit-rule-missing-etc-docker"), "pass");
    assert_eq!(
        status(&report, "audit-rule-missing-daemon-json"),
        "pass",
        "a watch on /etc/docker covers daemon.json"
    );
    assert_eq!(
        status(&report, "audit-rule-missing-etc-sysconfig-docker"),
        "not-applicable"
    );
    // No live daemon: icc comes from daemon.json via the unit's command line.
    assert_eq!(
        status(&report, "daemon-icc-enabled"),
        "pass",
        "{}",
        check_text(&report, "daemon-icc-enabled")
    );
    assert!(check_text(&report, "daemon-icc-enabled").contains("daemon.json"));
}

#[test]
fn without_auditd_the_finding_says_so() {
    let host = FakeHost::new();
    let report = host.audit(&["--check", "1.1.3"]);
    assert_eq!(status(&report, "audit-rule-missing-dockerd"), "fail");
    assert!(check_text(&report, "audit-rule-missing-dockerd").contains("auditd is not installed"));
    // Installed but no rule: a different message.
    host.write(
        "etc/audit/auditd.conf",
        "log_file = /var/log/audit/audit.log\n",
        0o640,
    );
    let report = host.audit(&["--check", "1.1.3"]);
    assert_eq!(status(&report, "audit-rule-missing-dockerd"), "fail");
    let text = check_text(&report, "audit-rule-missing-dockerd");
    assert!(
        !text.contains("not installed") && text.contains("no audit rule watches /usr/bin/dockerd"),
        "{text}"
    );
}

#[test]
fn a_symlinked_daemon_json_is_resolved_inside_the_host_root() {
    let host = FakeHost::new();
    host.write("srv/docker/daemon.json", "{}\n", 0o666);
    fs::remove_file(host.path("etc/docker/daemon.json")).unwrap();
    std::os::unix::fs::symlink(
        "/srv/docker/daemon.json",
        host.path("etc/docker/daemon.json"),
    )
    .unwrap();
    let report = host.audit(&["--check", "3.18"]);
    assert_eq!(
        status(&report, "daemon-json-permissive"),
        "fail",
        "the link's target is judged, inside the root"
    );
}
