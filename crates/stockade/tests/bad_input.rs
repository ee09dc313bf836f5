//! Bad input: a missing, silent or garbled Engine API socket, a malformed
//! or unreadable daemon.json, a malformed snapshot. stockade names the
//! problem, keeps auditing everything else, never hangs, exits 2.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};
use std::{fs, thread};

use common::{audit_json, check_text, status, stockade};
use serde_json::{Value, json};
use stockade_testkit::live_or_skip;

/// Checks that need the Engine API or dockerd's command line.
const DAEMON_CHECKS: &[&str] = &[
    "docker-version-outdated",
    "daemon-live-restore-disabled",
    "daemon-authorization-plugin-missing",
];

#[test]
fn without_a_socket_host_checks_run_and_docker_checks_say_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("absent.sock");
    let (report, output) = audit_json(&["--docker-host", &format!("unix://{}", socket.display())]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unassessable target exits 2"
    );
    for id in DAEMON_CHECKS {
        assert_eq!(status(&report, id), "error", "{id}");
        assert!(
            check_text(&report, id).contains("no Docker socket at"),
            "{id}: {}",
            check_text(&report, id)
        );
    }
    for id in [
        "host-not-hardened",
        "docker-group-untrusted-members",
        "etc-docker-permissive",
    ] {
        assert_ne!(
            status(&report, id),
            "error",
            "{id} does not need the daemon: {}",
            check_text(&report, id)
        );
    }
}

#[test]
fn a_socket_that_never_answers_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent.sock");
    let listener = UnixListener::bind(&path).unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream); // accept, read nothing, answer nothing
        }
    });
    let started = Instant::now();
    let (report, output) = audit_json(&[
        "--docker-host",
        &format!("unix://{}", path.display()),
        "--timeout",
        "1",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(2));
    let text = check_text(&report, "docker-version-outdated");
    assert!(
        text.contains("did not answer GET /version within 1 s"),
        "{text}"
    );
}

#[test]
fn a_socket_answering_garbage_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.sock");
    let listener = UnixListener::bind(&path).unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 512];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2\r\n");
        }
    });
    let (report, _) = audit_json(&["--docker-host", &format!("unix://{}", path.display())]);
    let text = check_text(&report, "docker-version-outdated");
    assert!(
        text.contains("not HTTP") && text.contains(path.to_str().unwrap()),
        "{text}"
    );
}

#[test]
fn a_malformed_daemon_json_makes_config_checks_error_with_its_position() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    // Broken after the daemon started: dockerd runs on, the file is garbage.
    fs::write(
        daemon.config_path(),
        "{\n  \"icc\": false,\n  \"log-level\" \"debug\"\n}\n",
    )
    .unwrap();
    let (report, output) = audit_json(&["--docker-host", &daemon.socket_url()]);
    assert_eq!(output.status.code(), Some(2));
    let config = daemon.config_path().display().to_string();
    for id in [
        "daemon-log-level-not-info",
        "daemon-no-new-privileges-disabled",
        "daemon-userland-proxy-enabled",
    ] {
        assert_eq!(
            status(&report, id),
            "error",
            "{id}: {}",
            check_text(&report, id)
        );
        let text = check_text(&report, id);
        assert!(
            text.contains(&format!("{config}:3:")),
            "{id} names file:line:col: {text}"
        );
    }
    // What the running daemon reports is still judged.
    assert_eq!(status(&report, "daemon-live-restore-disabled"), "fail");
    assert_eq!(status(&report, "daemon-json-permissive"), "pass");
}

#[test]
fn an_unreadable_daemon_json_is_an_error_not_a_pass() {
    if !is_root() {
        assert!(
            std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
            "needs root to drop privileges"
        );
        eprintln!("skipped: needs root to drop privileges");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let etc = root.path().join("etc/docker");
    fs::create_dir_all(&etc).unwrap();
    fs::write(
        root.path().join("etc/passwd"),
        "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
    )
    .unwrap();
    fs::write(root.path().join("etc/group"), "root:x:0:\n").unwrap();
    {
        let dir = "etc";
        fs::set_permissions(root.path().join(dir), fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::write(etc.join("daemon.json"), "{\"icc\": false}").unwrap();
    fs::set_permissions(etc.join("daemon.json"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::set_permissions(&etc, fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir_all(root.path().join("lib/systemd/system")).unwrap();
    fs::write(
        root.path().join("lib/systemd/system/docker.service"),
        "[Service]\nExecStart=/usr/bin/dockerd\n",
    )
    .unwrap();

    let binary = assert_cmd::cargo::cargo_bin("stockade");
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&binary)
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--host-root",
        ])
        .arg(root.path())
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST")
        .output()
        .expect("setpriv runs");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(
        status(&report, "daemon-icc-enabled"),
        "error",
        "{}",
        check_text(&report, "daemon-icc-enabled")
    );
    assert!(check_text(&report, "daemon-icc-enabled").contains("permission denied"));
    // stat needs no read permission: the file's mode is still judged.
    assert_eq!(status(&report, "daemon-json-permissive"), "pass");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_malformed_snapshot_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("host.json");
    fs::write(&path, "{\n  \"schema_version\": 1,\n  \"host\": [\n").unwrap();
    let output = stockade()
        .args(["audit", "--from"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:4:", path.display())),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing printed on stdout");

    fs::write(&path, "{\"schema_version\": 99}").unwrap();
    let output = stockade()
        .args(["audit", "--from"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("schema version 99"));
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        .unwrap_or(false)
}
