//! Swarm checks on a real single-node swarm (CIS Docker 5.1 and section 7):
//! a test daemon in its own network namespace initialises a swarm on its
//! loopback address, so nothing outside the namespace sees it.

// Test helpers stop at the first surprise, like the tests themselves.
#![allow(clippy::unwrap_used)]

mod common;

use common::{audit_json, check_text, finding_statuses, status};
use serde_json::{Value, json};
use stockade_testkit::{TestDaemon, live_or_skip};

fn audit(daemon: &TestDaemon) -> Value {
    audit_json(&["--docker-host", &daemon.socket_url(), "--check", "5.1,7"]).0
}

#[test]
fn swarm_checks_follow_the_swarm() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    let inactive = audit(&daemon);
    assert_eq!(status(&inactive, "swarm-mode-enabled"), "pass");
    assert_eq!(
        status(&inactive, "swarm-autolock-disabled"),
        "not-applicable"
    );
    assert!(check_text(&inactive, "swarm-autolock-disabled").contains("swarm mode is inactive"));

    daemon
        .docker_checked(&["swarm", "init", "--advertise-addr", "127.0.0.1"])
        .unwrap();
    daemon
        .docker_checked(&["network", "create", "-d", "overlay", "plain-overlay"])
        .unwrap();
    daemon
        .docker_checked(&[
            "network",
            "create",
            "-d",
            "overlay",
            "--opt",
            "encrypted",
            "sealed-overlay",
        ])
        .unwrap();
    let active = audit(&daemon);
    assert_eq!(status(&active, "swarm-mode-enabled"), "warn");
    assert_eq!(
        status(&active, "swarm-managers-not-minimal"),
        "pass",
        "{}",
        check_text(&active, "swarm-managers-not-minimal")
    );
    assert_eq!(
        status(&active, "swarm-listens-on-all-interfaces"),
        "fail",
        "swarm init listens on every interface by default: {}",
        check_text(&active, "swarm-listens-on-all-interfaces")
    );
    assert!(check_text(&active, "swarm-listens-on-all-interfaces").contains(":2377"));
    assert_eq!(status(&active, "swarm-autolock-disabled"), "fail");
    assert_eq!(status(&active, "swarm-secrets-unused"), "manual");
    let overlays: Vec<String> = common::check(&active, "overlay-network-unencrypted")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        overlays.iter().any(|m| m.contains("plain-overlay")),
        "{overlays:?}"
    );
    assert!(
        !overlays.iter().any(|m| m.contains("sealed-overlay")),
        "{overlays:?}"
    );
    assert!(
        finding_statuses(&active, "overlay-network-unencrypted")
            .iter()
            .any(|(_, s)| s == "pass")
    );
    for manual in [
        "swarm-unlock-key-not-rotated",
        "swarm-node-certs-not-rotated",
        "swarm-ca-not-rotated",
        "swarm-planes-not-separated",
    ] {
        assert_eq!(status(&active, manual), "manual", "{manual}");
    }
    assert!(check_text(&active, "swarm-node-certs-not-rotated").contains("90 days"));

    daemon
        .docker_checked(&["swarm", "update", "--autolock=true"])
        .unwrap();
    let secret = std::process::Command::new("sh")
        .args(["-c", "printf s3cret | docker secret create app-token -"])
        .env("DOCKER_HOST", daemon.socket_url())
        .output()
        .unwrap();
    assert!(
        secret.status.success(),
        "{}",
        String::from_utf8_lossy(&secret.stderr)
    );
    let hardened = audit(&daemon);
    assert_eq!(status(&hardened, "swarm-autolock-disabled"), "pass");
    assert_eq!(status(&hardened, "swarm-secrets-unused"), "pass");
    assert!(check_text(&hardened, "swarm-secrets-unused").contains("1 secret"));

    daemon
        .docker_checked(&["swarm", "leave", "--force"])
        .unwrap();
    daemon
        .docker_checked(&[
            "swarm",
            "init",
            "--advertise-addr",
            "127.0.0.1",
            "--listen-addr",
            "127.0.0.1:2377",
        ])
        .unwrap();
    let bound = audit(&daemon);
    assert_eq!(
        status(&bound, "swarm-listens-on-all-interfaces"),
        "pass",
        "{}",
        check_text(&bound, "swarm-listens-on-all-interfaces")
    );
    daemon
        .docker_checked(&["swarm", "leave", "--force"])
        .unwrap();
}
