//! A whole audit of a real dockerd: the one scripts/test.sh starts
//! (STOCKADE_TEST_DOCKER_HOST), or a private one when run alone.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use common::{audit_json, check_text, status};
use serde_json::json;
use stockade_testkit::{TestDaemon, live_or_skip};

fn endpoint() -> Option<(String, Option<TestDaemon>)> {
    if let Ok(host) = std::env::var("STOCKADE_TEST_DOCKER_HOST") {
        return Some((host, None));
    }
    let daemon = live_or_skip(json!({}))?;
    Some((daemon.socket_url(), Some(daemon)))
}

#[test]
fn every_check_reaches_a_verdict_on_a_real_daemon() {
    let Some((host, _daemon)) = endpoint() else {
        return;
    };
    let (report, output) = audit_json(&["--docker-host", &host]);
    assert_ne!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let checks = report["checks"].as_array().unwrap();
    let docker_checks = stockade_checks::all()
        .iter()
        .filter(|c| {
            c.meta.platform() == stockade_core::cis::Benchmark::Docker
                && c.input() == stockade_checks::Input::Host
        })
        .count();
    assert_eq!(checks.len(), docker_checks, "every Docker check ran");
    let errors: Vec<String> = checks
        .iter()
        .filter(|c| c["status"] == "error")
        .map(|c| format!("{}: {}", c["id"], c["findings"]))
        .collect();
    assert!(
        errors.is_empty(),
        "as root with a reachable daemon nothing should be unassessable: {errors:#?}"
    );
    assert!(report["target"]["engine_version"].is_string());
    // The socket is matched to the dockerd holding it, and its own files are judged.
    let socket = host.trim_start_matches("unix://");
    assert!(check_text(&report, "docker-sock-permissive").contains(socket));
    assert_eq!(
        status(&report, "docker-sock-permissive"),
        "pass",
        "dockerd creates its socket 0660"
    );
    assert_eq!(status(&report, "daemon-json-permissive"), "pass");
    // The test daemons run with --iptables=false (scripts/test.sh) or in a
    // private namespace with iptables: either way the verdict is decided.
    assert!(matches!(
        status(&report, "daemon-iptables-disabled").as_str(),
        "pass" | "fail"
    ));
}

#[test]
fn collect_then_audit_from_the_snapshot_matches_the_live_audit() {
    let Some((host, _daemon)) = endpoint() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("host.json");
    let collected = common::stockade()
        .args(["collect", "--docker-host", &host, "-o"])
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(collected.status.success());
    let (live, _) = audit_json(&["--docker-host", &host]);
    let (from_file, _) = audit_json(&["--from", snapshot.to_str().unwrap()]);
    for check in live["checks"].as_array().unwrap() {
        let id = check["id"].as_str().unwrap();
        assert_eq!(
            status(&from_file, id),
            check["status"].as_str().unwrap(),
            "{id}"
        );
    }
}
