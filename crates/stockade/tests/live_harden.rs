//! `stockade harden` on a real dockerd: dry run, apply with a daemon
//! restart, re-audit, idempotence, backups.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;

use common::{audit_json, status, stockade};
use serde_json::json;
use stockade_testkit::live_or_skip;

const CHECKS: &str = "daemon-icc-enabled,daemon-log-level-not-info,daemon-live-restore-disabled,daemon-userland-proxy-enabled,daemon-no-new-privileges-disabled";
const FIXED: [&str; 5] = [
    "daemon-icc-enabled",
    "daemon-log-level-not-info",
    "daemon-live-restore-disabled",
    "daemon-userland-proxy-enabled",
    "daemon-no-new-privileges-disabled",
];

/// `stockade harden --apply --restart-daemon` on the five daemon checks.
fn apply_and_restart(host: &str, restart_script: &std::path::Path) -> std::process::Output {
    stockade()
        .args([
            "harden",
            "--docker-host",
            host,
            "--check",
            CHECKS,
            "--apply",
            "--restart-daemon",
            "--restart-command",
        ])
        .arg(restart_script)
        .output()
        .unwrap()
}

#[test]
fn apply_restart_and_reaudit_flip_the_daemon_checks() {
    let original = "{\n    \"log-level\": \"debug\",\n    \"storage-driver\": \"overlay2\"\n}\n";
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    fs::write(daemon.config_path(), original).unwrap();
    let mut daemon = daemon;
    daemon
        .restart(serde_json::from_str(original).unwrap())
        .unwrap();
    fs::write(daemon.config_path(), original).unwrap();
    let host = daemon.socket_url();

    let (before, _) = audit_json(&["--docker-host", &host]);
    for id in FIXED {
        assert_eq!(status(&before, id), "fail", "{id} fails before hardening");
    }

    // Dry run: a diff, nothing written.
    let dry = stockade()
        .args(["harden", "--docker-host", &host, "--check", CHECKS])
        .output()
        .unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(text.contains("-    \"log-level\": \"debug\","), "{text}");
    assert!(text.contains("+    \"icc\": false"), "{text}");
    assert_eq!(
        fs::read_to_string(daemon.config_path()).unwrap(),
        original,
        "a dry run writes nothing"
    );

    // Apply with a restart.
    let script = daemon.restart_script();
    let applied = apply_and_restart(&host, &script);
    let out = String::from_utf8_lossy(&applied.stdout);
    assert!(
        applied.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(out.contains("dockerd restarted"), "{out}");
    for id in FIXED {
        assert!(
            out.contains(&format!("{id:<40} fail → pass")),
            "re-audit shows {id} fixed:\n{out}"
        );
    }
    let (after, _) = audit_json(&["--docker-host", &host]);
    for id in FIXED {
        assert_eq!(status(&after, id), "pass", "{id} passes after hardening");
    }
    let edited = fs::read_to_string(daemon.config_path()).unwrap();
    assert!(
        edited
            .starts_with("{\n    \"log-level\": \"info\",\n    \"storage-driver\": \"overlay2\","),
        "formatting kept:\n{edited}"
    );

    // The backup is the original, byte for byte.
    let backup = fs::read_dir(daemon.dir())
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("daemon.json.stockade-backup-")
        })
        .expect("a backup next to daemon.json");
    assert_eq!(fs::read(backup.path()).unwrap(), original.as_bytes());

    // A second apply changes nothing.
    let again = apply_and_restart(&host, &script);
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(out.contains("Nothing to fix"), "{out}");
    assert_eq!(fs::read_to_string(daemon.config_path()).unwrap(), edited);
    let backups = fs::read_dir(daemon.dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("stockade-backup"))
        .count();
    assert_eq!(backups, 1, "no second backup when nothing changes");
}

#[test]
fn top_three_names_fixes_and_the_threats_they_close() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    let output = stockade()
        .args([
            "harden",
            "--docker-host",
            &daemon.socket_url(),
            "--top",
            "3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = plan["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for entry in entries {
        assert!(
            entry["fix"]["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        let threats =
            entry["closes"].as_array().unwrap().len() + entry["helps"].as_array().unwrap().len();
        assert!(
            threats > 0,
            "each of the top fixes answers an open threat: {entry}"
        );
    }
}

const CONTAINER_CHECKS: &str =
    "container-restart-policy-unbounded,container-memory-unlimited,container-pids-limit-missing";

/// A container's HostConfig field, as `docker inspect` prints it.
fn host_config(daemon: &stockade_testkit::TestDaemon, name: &str, field: &str) -> String {
    daemon
        .docker_checked(&[
            "inspect",
            "--format",
            &format!("{{{{.HostConfig.{field}}}}}"),
            name,
        ])
        .unwrap()
}

#[test]
fn docker_update_runs_only_with_live_and_unsafe_values_only_with_unsafe() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    daemon.import_busybox("stockade-test/busybox").unwrap();
    daemon
        .docker_checked(&[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "none",
            "--restart",
            "always",
            "stockade-test/busybox",
        ])
        .unwrap();
    let host = daemon.socket_url();
    let harden = |extra: &[&str]| {
        let output = stockade()
            .args([
                "harden",
                "--docker-host",
                &host,
                "--check",
                CONTAINER_CHECKS,
            ])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };

    // Dry run: the commands are shown, nothing runs.
    let dry = harden(&[]);
    let update = format!("$ docker --host {host} update --restart on-failure:5 web");
    assert!(dry.contains(&update), "{dry}");
    assert!(
        dry.contains(&format!(
            "change run `docker --host {host} update --memory 512m --memory-swap 512m web`"
        )),
        "{dry}"
    );
    // --apply without --live leaves the container alone.
    let not_live = harden(&["--apply"]);
    assert!(
        not_live.contains(&format!(
            "not run (add --live to run it): docker --host {host} update --restart on-failure:5 web"
        )),
        "{not_live}"
    );
    assert_eq!(host_config(&daemon, "web", "RestartPolicy.Name"), "always");

    // --live runs the safe one; the placeholder limits wait for --unsafe.
    let line = |id: &str, change: &str| format!("{id:<40} {change}");
    let live = harden(&["--apply", "--live"]);
    assert!(
        !live.starts_with("web"),
        "docker's own output stays out of the report: {live}"
    );
    assert!(
        live.contains(&line("container-restart-policy-unbounded", "fail → pass")),
        "{live}"
    );
    assert!(
        live.contains(&line("container-memory-unlimited", "fail → fail")),
        "{live}"
    );
    assert_eq!(
        host_config(&daemon, "web", "RestartPolicy.Name"),
        "on-failure"
    );
    assert_eq!(
        host_config(&daemon, "web", "RestartPolicy.MaximumRetryCount"),
        "5"
    );
    assert_eq!(host_config(&daemon, "web", "Memory"), "0");

    let all = harden(&["--apply", "--live", "--unsafe"]);
    assert!(
        all.contains(&line("container-memory-unlimited", "fail → pass")),
        "{all}"
    );
    assert!(
        all.contains(&line("container-pids-limit-missing", "fail → pass")),
        "{all}"
    );
    assert_eq!(
        host_config(&daemon, "web", "Memory"),
        (512 * 1024 * 1024).to_string()
    );
    assert_eq!(host_config(&daemon, "web", "PidsLimit"), "200");

    let again = harden(&["--apply", "--live", "--unsafe"]);
    assert!(again.contains("Nothing to fix"), "{again}");
}
