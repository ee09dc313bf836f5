//! `stockade model` on a real dockerd: risky containers open the matching
//! threats with their names as evidence, and the threats turn mitigated once
//! the containers are recreated safely. Also regenerates the example
//! threat-model document in docs/examples/.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::path::PathBuf;

use serde_json::{Value, json};
use stockade_testkit::{TestDaemon, live_or_skip};

const IMAGE: &str = "stockade/busybox:model";

fn model(daemon: &TestDaemon, extra: &[&str]) -> std::process::Output {
    common::stockade()
        .args(["model", "--docker-host", &daemon.socket_url()])
        .args(extra)
        .env("DOCKER_CONTENT_TRUST", "1")
        .output()
        .unwrap()
}

fn threats(daemon: &TestDaemon) -> Value {
    let output = model(daemon, &["--format", "json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn threat<'a>(model: &'a Value, id: &str) -> &'a Value {
    model["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no threat {id}"))
}

fn evidence_subjects(threat: &Value) -> Vec<String> {
    threat["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["subject"]["name"].as_str().map(str::to_owned))
        .collect()
}

fn create(daemon: &TestDaemon, name: &str, args: &[&str]) {
    let mut all = vec!["create", "--name", name, "--network", "none"];
    all.extend_from_slice(args);
    all.push(IMAGE);
    daemon.docker_checked(&all).unwrap();
}

#[test]
fn risky_containers_open_threats_until_recreated_safely() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    daemon.import_busybox(IMAGE).unwrap();
    let socket = daemon.socket().display().to_string();
    create(
        &daemon,
        "socket-user",
        &["-v", &format!("{socket}:/var/run/docker.sock")],
    );
    create(&daemon, "privileged", &["--privileged"]);
    create(&daemon, "host-pid", &["--pid", "host"]);

    let before = threats(&daemon);
    let sock = threat(&before, "DKR-CTR-02");
    assert_eq!(sock["status"], "open");
    assert_eq!(evidence_subjects(sock), ["socket-user"]);
    assert_eq!(threat(&before, "DKR-CTR-02@socket-user")["status"], "open");
    assert_eq!(threat(&before, "DKR-CTR-01")["status"], "open");
    assert!(evidence_subjects(threat(&before, "DKR-CTR-01")).contains(&"privileged".to_owned()));
    assert_eq!(threat(&before, "DKR-CTR-05")["status"], "open");
    assert_eq!(
        evidence_subjects(threat(&before, "DKR-CTR-05")),
        ["host-pid"]
    );
    // The mounted socket is drawn as an edge from the container to the daemon.
    let flows = before["flows"].as_array().unwrap();
    assert!(
        flows
            .iter()
            .any(|f| f["from"] == "container/socket-user" && f["to"] == "docker-daemon"),
        "{flows:?}"
    );

    for name in ["socket-user", "privileged", "host-pid"] {
        daemon.docker_checked(&["rm", "-f", name]).unwrap();
        create(
            &daemon,
            name,
            &[
                "--read-only",
                "--memory",
                "64m",
                "--pids-limit",
                "64",
                "--cap-drop",
                "ALL",
            ],
        );
    }
    let after = threats(&daemon);
    for id in ["DKR-CTR-01", "DKR-CTR-02", "DKR-CTR-05"] {
        assert_eq!(
            threat(&after, id)["status"],
            "mitigated",
            "{id}: {}",
            threat(&after, id)["reason"]
        );
    }
    assert!(
        after["threats"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["id"] != "DKR-CTR-02@socket-user")
    );
}

/// docs/examples/threat-model.md is this run's Markdown, with what differs
/// between runs (ids, paths, times, host names) replaced by placeholders.
/// `STOCKADE_UPDATE_DOCS=1` rewrites it.
#[test]
fn the_example_threat_model_document_is_current() {
    let Some(daemon) =
        live_or_skip(json!({"icc": false, "live-restore": true, "no-new-privileges": true}))
    else {
        return;
    };
    daemon.import_busybox(IMAGE).unwrap();
    let socket = daemon.socket().display().to_string();
    create(
        &daemon,
        "api",
        &[
            "--read-only",
            "--memory",
            "128m",
            "--pids-limit",
            "100",
            "--cap-drop",
            "ALL",
            "-p",
            "127.0.0.1:8080:80",
        ],
    );
    create(
        &daemon,
        "ci-runner",
        &["-v", &format!("{socket}:/var/run/docker.sock")],
    );
    create(&daemon, "debug-shell", &["--privileged", "--pid", "host"]);
    create(&daemon, "sidecar", &["--pid", "container:api"]);
    // Docker section 1 describes the machine running the tests (audit
    // rules, partitions, kernel), and the Kubernetes node checks whatever
    // Kubernetes pieces it has installed: both differ between machines.
    let output = model(
        &daemon,
        &[
            "--format",
            "markdown",
            "--skip",
            "docker:1,kubernetes:1,kubernetes:2,kubernetes:3,kubernetes:4",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut document = String::from_utf8(output.stdout).unwrap();
    let ids = daemon.docker_checked(&["ps", "-aq", "--no-trunc"]).unwrap();
    for id in ids.lines() {
        document = document
            .replace(id, "<container-id>")
            .replace(&id[..12], "<id>");
    }
    let images = daemon
        .docker_checked(&["images", "-q", "--no-trunc"])
        .unwrap();
    for id in images.lines() {
        let bare = id.trim_start_matches("sha256:");
        document = document
            .replace(bare, "<image-id>")
            .replace(&bare[..12], "<image>");
    }
    let dir = daemon.dir().display().to_string();
    document = document.replace(&dir, "/tmp/stockade-dockerd");
    document = redact_after(
        &document,
        "Generated by stockade ",
        " from ",
        "<version> on <time>",
    );
    document = redact_lines(&document);
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/threat-model.md");
    if std::env::var("STOCKADE_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &document).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == document,
        "docs/examples/threat-model.md is out of date; rerun with STOCKADE_UPDATE_DOCS=1. First difference near: {:?}",
        document
            .lines()
            .zip(committed.lines())
            .find(|(a, b)| a != b)
    );
}

/// Replaces the text between `start` and `end` on the line holding `start`.
fn redact_after(text: &str, start: &str, end: &str, with: &str) -> String {
    text.lines()
        .map(|line| match (line.find(start), line.find(end)) {
            (Some(s), Some(e)) if e > s => {
                format!("{}{with}{}", &line[..s + start.len()], &line[e..])
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Host name, process ids and other per-machine facts.
fn redact_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_owned();
        if line.starts_with("# Threat model of ") {
            line = "# Threat model of <host>".to_owned();
        }
        if line.starts_with("- Host: ") {
            line = "- Host: <host>".to_owned();
        }
        if let Some(at) = line.find("(pid ")
            && let Some(end) = line[at..].find(')')
        {
            line = format!("{}(pid <pid>{}", &line[..at], &line[at + end..]);
        }
        line = line.replace(
            &format!("a live audit of {}", hostname()),
            "a live audit of <host>",
        );
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_owned()
}
