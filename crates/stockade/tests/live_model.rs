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

/// The live model as JSON, checked against docs/schema/threat-model-v2.schema.json.
fn threats(daemon: &TestDaemon) -> Value {
    let output = model(daemon, &["--format", "json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    follows_the_model_schema(&document);
    document
}

fn follows_the_model_schema(document: &Value) {
    let validator = common::schema_validator("threat-model-v2.schema.json");
    let errors = common::schema_errors(&validator, document);
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = document.clone();
    broken["threats"][0]["status"] = json!("closed");
    assert!(
        !validator.is_valid(&broken),
        "the schema catches a bad status"
    );
}

fn threat<'a>(model: &'a Value, id: &str) -> &'a Value {
    let (base, subject) = match id.split_once('@') {
        Some((base, subject)) => (base, Some(subject)),
        None => (id, None),
    };
    let threat = model["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == base)
        .unwrap_or_else(|| panic!("no threat {base}"));
    match subject {
        None => threat,
        Some(subject) => instances(threat)
            .iter()
            .find(|i| i["subject"] == subject)
            .unwrap_or_else(|| panic!("no instance {id}")),
    }
}

fn instances(threat: &Value) -> &[Value] {
    threat["instances"].as_array().map_or(&[], Vec::as_slice)
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

/// The write-ups' risky host: a locked-down service, a CI runner with the
/// Docker socket, a privileged debug shell in the host's PID namespace, a
/// sidecar in the service's namespaces, and a service with an added
/// capability and a secret in its environment.
fn risky_scenario(daemon: &TestDaemon) {
    daemon.import_busybox(IMAGE).unwrap();
    let socket = daemon.socket().display().to_string();
    create(
        daemon,
        "api",
        &[
            "--read-only",
            "--memory",
            "128m",
            "--pids-limit",
            "100",
            "--cap-drop",
            "ALL",
        ],
    );
    create(
        daemon,
        "ci-runner",
        &["-v", &format!("{socket}:/var/run/docker.sock")],
    );
    create(daemon, "debug-shell", &["--privileged", "--pid", "host"]);
    create(daemon, "sidecar", &["--pid", "container:api"]);
    create(
        daemon,
        "web",
        &["--cap-add", "SYS_ADMIN", "-e", "DB_PASSWORD=hunter2"],
    );
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
    // The finding is listed once, under the container's copy of the threat.
    assert!(evidence_subjects(sock).is_empty(), "{sock}");
    assert_eq!(
        evidence_subjects(threat(&before, "DKR-CTR-02@socket-user")),
        ["socket-user"]
    );
    assert_eq!(threat(&before, "DKR-CTR-02@socket-user")["status"], "open");
    assert_eq!(threat(&before, "DKR-CTR-01")["status"], "open");
    assert_eq!(
        evidence_subjects(threat(&before, "DKR-CTR-01@privileged")),
        ["privileged"]
    );
    assert_eq!(threat(&before, "DKR-CTR-05")["status"], "open");
    assert_eq!(
        evidence_subjects(threat(&before, "DKR-CTR-05@host-pid")),
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
        assert!(instances(threat(&after, id)).is_empty(), "{id}");
    }
}

/// The acceptance criteria over a live model: every mitigated threat has
/// each of its mitigations verified by a check that passed in an audit of
/// the same daemon and none failing; no instance is worse than its
/// threat; every threat carries likelihood × impact = risk and the list is
/// ordered by risk; the sidecar threat names both containers; a daemon-wide
/// fact is one threat of the daemon; an installed but stopped etcd opens
/// nothing and puts nothing in the plan.
#[test]
fn a_live_model_is_true_to_its_evidence() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    risky_scenario(&daemon);
    let output = model(&daemon, &["--format", "json", "--platform", "all"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let model_json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let audit = common::stockade()
        .args([
            "audit",
            "--format",
            "json",
            "--docker-host",
            &daemon.socket_url(),
        ])
        .env("DOCKER_CONTENT_TRUST", "1")
        .output()
        .unwrap();
    let audit: Value = serde_json::from_slice(&audit.stdout).unwrap();
    let audited = |id: &str| -> Vec<String> {
        audit["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == id)
            .flat_map(|c| c["findings"].as_array().unwrap())
            .map(|f| f["status"].as_str().unwrap().to_owned())
            .collect()
    };
    let threats = model_json["threats"].as_array().unwrap();
    let mut mitigated = 0;
    for t in threats {
        if t["status"] != "mitigated" {
            continue;
        }
        mitigated += 1;
        for m in t["mitigations"].as_array().unwrap() {
            let checks = m["checks"].as_array().unwrap();
            if checks.is_empty() {
                continue;
            }
            let verified = checks.iter().any(|c| {
                let id = c["id"].as_str().unwrap();
                let seen = audited(id);
                match c["status"].as_str().unwrap() {
                    "pass" => seen.iter().any(|s| s == "pass"),
                    "not-applicable" => !seen.is_empty(),
                    _ => false,
                }
            });
            assert!(verified, "{} mitigated, but not by {m}", t["id"]);
            for c in checks {
                let id = c["id"].as_str().unwrap();
                assert!(
                    !audited(id).iter().any(|s| s == "fail" || s == "warn"),
                    "{} is mitigated although {id} fails in the audit",
                    t["id"]
                );
            }
        }
    }
    assert!(mitigated > 0);

    let order = [
        "open",
        "accepted",
        "unverified",
        "monitoring-gap",
        "mitigated",
        "not-applicable",
    ];
    let rank = |status: &Value| order.iter().position(|s| status == s).unwrap();
    let mut previous = u64::MAX;
    for t in threats {
        let risk = t["risk"].as_u64().unwrap();
        assert!(
            risk <= previous,
            "threats are not ordered by risk at {}",
            t["id"]
        );
        previous = risk;
        for rated in std::iter::once(t).chain(instances(t)) {
            let (l, i) = (
                rated["likelihood"].as_u64().unwrap(),
                rated["impact"].as_u64().unwrap(),
            );
            assert!(
                (1..=5).contains(&l) && (1..=5).contains(&i),
                "{}",
                rated["id"]
            );
            assert_eq!(rated["risk"].as_u64().unwrap(), l * i, "{}", rated["id"]);
        }
        for instance in instances(t) {
            assert!(
                rank(&instance["status"]) >= rank(&t["status"]),
                "{} is {} but its instance {} is {}",
                t["id"],
                t["status"],
                instance["id"],
                instance["status"]
            );
            assert!(instance["risk"].as_u64() <= t["risk"].as_u64());
        }
    }

    let sidecar = threat(&model_json, "DKR-CTR-17@sidecar");
    assert_eq!(sidecar["status"], "open");
    let why = sidecar["reason"].as_str().unwrap();
    assert!(why.contains("sidecar") && why.contains("api"), "{why}");
    assert_eq!(threat(&model_json, "DKR-CTR-17")["status"], "open");

    // No user-namespace remapping: one threat of the daemon, not one per container.
    assert_eq!(threat(&model_json, "DKR-DMN-05")["status"], "open");
    let per_container = threat(&model_json, "DKR-CTR-22");
    assert_eq!(per_container["status"], "not-applicable");
    assert!(instances(per_container).is_empty());

    // The at-risk count is one per catalog threat.
    let at_risk = threats
        .iter()
        .filter(|t| t["status"] == "open" || t["status"] == "accepted")
        .count();
    assert_eq!(model_json["at_risk"].as_u64().unwrap() as usize, at_risk);

    // Debian's etcd-server is installed by scripts/test.sh and not running
    // during this test binary: its threats do not apply, no etcd fix.
    let etcd_runs = std::process::Command::new("pgrep")
        .args(["-x", "etcd"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(!etcd_runs, "an etcd process runs while the model tests run");
    for t in threats.iter().filter(|t| t["component"] == "etcd") {
        assert_eq!(
            t["status"], "not-applicable",
            "{}: {}",
            t["id"], t["reason"]
        );
    }
    let plan = common::stockade()
        .args([
            "harden",
            "--format",
            "json",
            "--docker-host",
            &daemon.socket_url(),
        ])
        .output()
        .unwrap();
    let plan = String::from_utf8_lossy(&plan.stdout);
    assert!(
        !plan.contains("\"etcd-"),
        "an etcd fix is in the plan of a Docker host"
    );
}

#[test]
fn subject_acceptances_cover_their_instance_and_expired_ones_are_reported() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    risky_scenario(&daemon);
    let socket = daemon.socket().display().to_string();
    create(
        &daemon,
        "deployer",
        &["-v", &format!("{socket}:/var/run/docker.sock")],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.yaml");
    std::fs::write(
        &file,
        "accept:\n  - threat: DKR-CTR-02\n    subject: ci-*\n    reason: the runner builds images\n    expires: 2099-12-31\n  - threat: DKR-CTR-01@debug-shell\n    reason: incident response\n    expires: 2020-01-31\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let json: Value =
        serde_json::from_slice(&model(&daemon, &["--format", "json", "--model", &path]).stdout)
            .unwrap();
    follows_the_model_schema(&json);
    assert_eq!(threat(&json, "DKR-CTR-02@ci-runner")["status"], "accepted");
    assert_eq!(threat(&json, "DKR-CTR-02@deployer")["status"], "open");
    assert_eq!(threat(&json, "DKR-CTR-02")["status"], "open");
    let expired = threat(&json, "DKR-CTR-01@debug-shell");
    assert_eq!(expired["status"], "open");
    assert_eq!(expired["expired_acceptance"]["expires"], "2020-01-31");
    let notes = json["acceptance_notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["problem"] == "expired" && n["threat"] == "DKR-CTR-01"),
        "{notes:?}"
    );
    for format in ["text", "markdown"] {
        let out = model(&daemon, &["--format", format, "--model", &path]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("DKR-CTR-01@debug-shell expired on 2020-01-31"),
            "{format}: {text}"
        );
    }

    // An unknown id names the nearest ones.
    std::fs::write(
        &file,
        "accept:\n  - threat: DKR-CTR-2\n    reason: r\n    expires: 2099-01-01\n",
    )
    .unwrap();
    let out = model(&daemon, &["--model", &path]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("model.yaml:2:") && stderr.contains("nearest: DKR-CTR-02"),
        "{stderr}"
    );
}

#[test]
fn the_summary_page_answers_the_write_ups() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    risky_scenario(&daemon);
    let out = model(&daemon, &["--summary", "--format", "markdown"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(!page.contains("## Threats by component"), "{page}");
    let picks: Vec<&str> = page
        .lines()
        .filter(|l| l.starts_with("| docker | "))
        .collect();
    assert_eq!(picks.len(), 6, "one per STRIDE letter: {picks:#?}");
    for (line, letter) in picks.iter().zip(["S", "T", "R", "I", "D", "E"]) {
        assert!(
            line.starts_with(&format!("| docker | {letter} | **DKR-")),
            "{line}"
        );
        let evidence = line.trim_end_matches(" |").rsplit(" | ").next().unwrap();
        assert!(evidence.len() > 10, "no evidence: {line}");
    }
    let fixes: Vec<&str> = page
        .lines()
        .filter(|l| l.len() > 3 && l.as_bytes()[0].is_ascii_digit() && l[1..].starts_with(". **`"))
        .collect();
    assert_eq!(fixes.len(), 3, "{page}");
    for fix in &fixes {
        assert!(
            fix.contains("closes DKR-") || fix.contains("narrows DKR-"),
            "{fix}"
        );
    }
    assert!(
        page.contains("DKR-CTR-02") && page.contains("ci-runner"),
        "the socket in the CI runner is among the top risks: {page}"
    );

    let text = model(&daemon, &["--summary"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("The fixes that close the most risk"),
        "{text}"
    );
    assert!(
        text.contains("The most serious threat per STRIDE letter"),
        "{text}"
    );

    // --fail-on: the socket in a root container is a critical risk.
    let fail = model(&daemon, &["--fail-on", "critical", "--format", "json"]);
    assert_eq!(fail.status.code(), Some(1));
    let pass = common::stockade()
        .args(["model", "--generic", "--fail-on", "1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        pass.status.code(),
        Some(0),
        "nothing is open in the generic model"
    );
    let bad = model(&daemon, &["--fail-on", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
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
    risky_scenario(&daemon);
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
    let lines = document.lines().count();
    assert!(lines <= 400, "the 5-container document has {lines} lines");
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
    // Diagram labels cut long paths before their slashes.
    let dir_name = daemon.dir().file_name().unwrap().to_string_lossy();
    document = document.replace(dir_name.as_ref(), "stockade-dockerd");
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
        line = line
            .replace(
                &format!("a live audit of {}", hostname()),
                "a live audit of <host>",
            )
            .replace(&format!("host `{}`", hostname()), "host `<host>`");
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
