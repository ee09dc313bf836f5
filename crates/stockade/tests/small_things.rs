//! Small things users trip on: DOCKER_HOST with snapshots, the no-daemon
//! banner, CIS numbers shared by two benchmarks, the rules table, shell
//! completions, --color, `scan -`.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use common::{FakeHost, stockade};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_not_a_usage_error(output: &std::process::Output) {
    assert!(
        !stderr(output).contains("cannot be used with"),
        "{}",
        stderr(output)
    );
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{}",
        stderr(output)
    );
    assert!(!output.stdout.is_empty(), "{}", stderr(output));
}

/// A socket path that nothing listens on.
const NOWHERE: &str = "unix:///nonexistent/stockade-test/docker.sock";

#[test]
fn an_exported_docker_host_never_blocks_from_or_generic() {
    let host = FakeHost::new();
    let snapshot = host.root().join("../stockade-docker-host-snapshot.json");
    // collect still uses DOCKER_HOST: the socket it names is the one tried.
    let collected = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["collect", "--host-root"])
        .arg(host.root())
        .arg("-o")
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(collected.status.success(), "{}", stderr(&collected));
    let written = std::fs::read_to_string(&snapshot).unwrap();
    assert!(
        written.contains("/nonexistent/stockade-test/docker.sock"),
        "the snapshot does not name the DOCKER_HOST socket it tried"
    );

    let audit = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["audit", "--fail-on", "none", "--from"])
        .arg(&snapshot)
        .output()
        .unwrap();
    // No daemon in the snapshot: exit 2 (unassessable checks), but a report, not a usage error.
    assert_not_a_usage_error(&audit);
    assert!(stdout(&audit).contains("2.2 "), "{}", stdout(&audit));

    let model = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["model", "--format", "json", "--from"])
        .arg(&snapshot)
        .output()
        .unwrap();
    assert_not_a_usage_error(&model);
    let model_json: serde_json::Value = serde_json::from_slice(&model.stdout).unwrap();
    assert!(model_json["threats"].is_array(), "{model_json}");

    let generic = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["model", "--generic", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(generic.status.code(), Some(0), "{}", stderr(&generic));
    std::fs::remove_file(&snapshot).unwrap();

    // An explicit --docker-host with --from is still a contradiction.
    let explicit = stockade()
        .args(["audit", "--docker-host", NOWHERE, "--from", "x.json"])
        .output()
        .unwrap();
    assert_eq!(explicit.status.code(), Some(2));
    assert!(
        stderr(&explicit).contains("--docker-host"),
        "{}",
        stderr(&explicit)
    );
}
