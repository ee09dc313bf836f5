//! Containers, images and operations on a real dockerd: one container per
//! setting (see `scenario`), every container check's verdict asserted for
//! every container, the image and operations checks, the selection flags,
//! and secrets kept out of every output.
//!
//! One daemon serves all the assertions: starting it and its ~35
//! containers takes most of the test's time.

// Test helpers stop at the first surprise, like the tests themselves.
#![allow(clippy::unwrap_used)]

mod common;
mod scenario;

use std::collections::BTreeMap;

use common::{audit_json, check, check_text, status, stockade};
use scenario::{APP, BUSYBOX, SECRET, SSHD, Scenario};
use serde_json::Value;

/// Verdicts of a check's findings, by container name.
fn container_verdicts(report: &Value, id: &str) -> BTreeMap<String, String> {
    subject_verdicts(report, id, "container")
}

fn subject_verdicts(report: &Value, id: &str, kind: &str) -> BTreeMap<String, String> {
    check(report, id)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["subject"]["kind"] == kind)
        .map(|f| {
            (
                f["subject"]["name"].as_str().unwrap_or_default().to_owned(),
                f["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn containers_images_and_operations_on_a_live_daemon() {
    let Some(scenario) = Scenario::start() else {
        return;
    };
    let (report, _) = audit_json(&["--docker-host", &scenario.socket_url()]);
    every_container_gets_its_verdict(&scenario, &report);
    findings_name_the_container_and_field(&report);
    images_are_judged_from_their_build(&report);
    operations_count_what_runs(&scenario, &report);
    swarm_checks_do_not_apply(&report);
    security_modules_follow_the_kernel(&scenario, &report);
    running_only_leaves_created_containers_out(&scenario);
    include_and_exclude_select_by_name_and_label(&scenario);
    secrets_never_reach_any_output(&scenario, &report);
}

fn every_container_gets_its_verdict(scenario: &Scenario, report: &Value) {
    assert!(
        scenario.cases.len() >= 20,
        "{} containers",
        scenario.cases.len()
    );
    let mut wrong = Vec::new();
    for id in scenario.plain.keys() {
        let verdicts = container_verdicts(report, id);
        for case in &scenario.cases {
            let expected = scenario.expected(case.name, id);
            let got = verdicts.get(case.name).map_or("none", String::as_str);
            if got != expected {
                wrong.push(format!("{id} on {}: {got}, expected {expected}", case.name));
            }
        }
        for name in verdicts.keys() {
            if !scenario.cases.iter().any(|c| c.name == name) {
                wrong.push(format!("{id}: a finding about unknown container {name}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

fn findings_name_the_container_and_field(report: &Value) {
    let findings = check(report, "container-privileged")["findings"]
        .as_array()
        .unwrap();
    let privileged = findings
        .iter()
        .find(|f| f["subject"]["name"] == "privileged-created")
        .expect("a finding about privileged-created");
    assert_eq!(privileged["subject"]["kind"], "container");
    assert_eq!(privileged["subject"]["id"].as_str().unwrap().len(), 64);
    assert!(
        privileged["message"]
            .as_str()
            .unwrap()
            .contains("created, not running"),
        "{privileged}"
    );
    let location = &privileged["evidence"][0]["location"];
    assert_eq!(location["kind"], "container");
    assert_eq!(location["field"], "HostConfig.Privileged");
    assert_eq!(privileged["evidence"][0]["observed"], "true");

    // Joined namespaces are named as such, with the container they belong to.
    for (id, namespace) in [
        ("container-host-network", "network"),
        ("container-host-pid", "process"),
    ] {
        let joined = check(report, id)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["subject"]["name"] == "joins-plain")
            .unwrap_or_else(|| panic!("{id} judged joins-plain"));
        assert_eq!(
            joined["message"],
            format!("shares the {namespace} namespace of container plain, not the host's"),
            "{joined}"
        );
    }

    for (name, written) in [
        ("seccomp-unconfined", "seccomp=unconfined"),
        ("seccomp-colon", "seccomp:unconfined"),
    ] {
        let finding = check(report, "container-seccomp-unconfined")["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["subject"]["name"] == name)
            .unwrap();
        assert_eq!(finding["evidence"][0]["observed"], written, "{finding}");
    }

    let memory = check_text(report, "container-memory-unlimited");
    assert!(
        memory.contains("HostConfig.Memory") && memory.contains("0 (unlimited)"),
        "{memory}"
    );
    let sock = check_text(report, "docker-sock-mounted");
    assert!(sock.contains("/var/run/docker.sock"), "{sock}");
    let sshd = check_text(report, "container-sshd-running");
    assert!(
        sshd.contains("/usr/sbin/sshd") && sshd.contains("host's /proc"),
        "{sshd}"
    );
    let exec = check_text(report, "container-exec-privileged");
    assert!(
        exec.contains("created, not started") && exec.contains("forgets an exec session"),
        "{exec}"
    );
    assert_eq!(status(report, "container-exec-privileged"), "fail");
    let stale = check_text(report, "container-image-outdated");
    assert!(
        stale.contains("runs an older build of stockade/stale:1"),
        "{stale}"
    );
}

fn images_are_judged_from_their_build(report: &Value) {
    let expected = [
        (
            "image-healthcheck-missing",
            [(BUSYBOX, "fail"), (APP, "pass"), (SSHD, "fail")],
        ),
        (
            "image-update-instruction-alone",
            [(BUSYBOX, "pass"), (APP, "warn"), (SSHD, "pass")],
        ),
        (
            "image-add-instruction",
            [(BUSYBOX, "pass"), (APP, "warn"), (SSHD, "pass")],
        ),
        (
            "image-secrets-in-build",
            [(BUSYBOX, "manual"), (APP, "fail"), (SSHD, "manual")],
        ),
    ];
    let mut wrong = Vec::new();
    for (id, images) in expected {
        let verdicts = subject_verdicts(report, id, "image");
        for (image, verdict) in images {
            // The app image also carries the moved stale tag; it is named by its first tag.
            let got = verdicts
                .iter()
                .find(|(name, _)| {
                    name.as_str() == image || (image == APP && name.as_str() == scenario::STALE)
                })
                .map_or("none", |(_, v)| v.as_str());
            if got != verdict {
                wrong.push(format!(
                    "{id} on {image}: {got}, expected {verdict} ({verdicts:?})"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let secrets = check_text(report, "image-secrets-in-build");
    assert!(secrets.contains("DB_PASSWORD=****"), "{secrets}");
    assert_eq!(
        status(report, "content-trust-disabled"),
        "fail",
        "stockade runs without DOCKER_CONTENT_TRUST"
    );
    for manual in [
        "image-base-untrusted",
        "image-setuid-files",
        "image-not-rebuilt",
    ] {
        assert_eq!(status(report, manual), "manual", "{manual}");
    }
}

fn operations_count_what_runs(scenario: &Scenario, report: &Value) {
    let total = scenario.cases.len();
    let created = scenario
        .cases
        .iter()
        .filter(|c| c.made == scenario::Made::Create)
        .count();
    let sprawl = check_text(report, "container-sprawl");
    assert!(
        sprawl.contains(&format!(
            "{total} container(s), {} running, {created} not running",
            total - created
        )),
        "{sprawl}"
    );
    let images = check_text(report, "image-sprawl");
    assert!(
        images.contains("3 image(s), 3 used by a container, 0 unused"),
        "{images}"
    );
}

fn swarm_checks_do_not_apply(report: &Value) {
    assert_eq!(status(report, "swarm-mode-enabled"), "pass");
    for id in [
        "swarm-managers-not-minimal",
        "swarm-listens-on-all-interfaces",
        "overlay-network-unencrypted",
        "swarm-autolock-disabled",
        "swarm-planes-not-separated",
    ] {
        assert_eq!(
            status(report, id),
            "not-applicable",
            "{id}: {}",
            check_text(report, id)
        );
    }
}

/// AppArmor and SELinux apply only where the kernel runs them; elsewhere the
/// checks say so once instead of passing or failing every container.
fn security_modules_follow_the_kernel(scenario: &Scenario, report: &Value) {
    let apparmor = std::fs::read_to_string("/sys/module/apparmor/parameters/enabled")
        .is_ok_and(|v| v.trim() == "Y");
    if apparmor {
        let verdicts = container_verdicts(report, "container-apparmor-missing");
        assert_eq!(verdicts.len(), scenario.cases.len(), "{verdicts:?}");
        assert_eq!(
            verdicts["privileged-created"], "fail",
            "privileged containers are unconfined"
        );
    } else {
        assert_eq!(
            status(report, "container-apparmor-missing"),
            "not-applicable"
        );
        assert!(check_text(report, "container-apparmor-missing").contains("runs no AppArmor"));
    }
    let selinux = std::path::Path::new("/sys/fs/selinux/enforce").exists();
    if !selinux {
        assert_eq!(
            status(report, "container-selinux-missing"),
            "not-applicable"
        );
    }
}

fn running_only_leaves_created_containers_out(scenario: &Scenario) {
    let (report, _) = audit_json(&[
        "--docker-host",
        &scenario.socket_url(),
        "--running-only",
        "--check",
        "container-privileged,container-memory-unlimited",
    ]);
    let verdicts = container_verdicts(&report, "container-privileged");
    for case in &scenario.cases {
        let judged = verdicts.contains_key(case.name);
        assert_eq!(
            judged,
            case.made == scenario::Made::Run,
            "{}: {verdicts:?}",
            case.name
        );
    }
    assert_eq!(status(&report, "container-privileged"), "pass");
}

fn include_and_exclude_select_by_name_and_label(scenario: &Scenario) {
    let url = scenario.socket_url();
    let judged = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            "--docker-host",
            url.as_str(),
            "--check",
            "container-memory-unlimited",
        ];
        args.extend_from_slice(extra);
        container_verdicts(&audit_json(&args).0, "container-memory-unlimited")
            .into_keys()
            .collect()
    };
    assert_eq!(
        judged(&["--include", "exec-*"]),
        ["exec-privileged", "exec-root"]
    );
    assert_eq!(
        judged(&["--include", "host-*", "--exclude", "host-network"]),
        ["host-ipc", "host-pid", "host-uts"]
    );
    assert_eq!(
        judged(&["--include", SSHD]),
        ["sshd"],
        "matches the container's image"
    );
    assert!(judged(&["--exclude", "label:stockade.test=scenario"]).is_empty());
    assert_eq!(
        judged(&["--include", "label:stockade.test"]).len(),
        scenario.cases.len()
    );
    let (report, _) = audit_json(&[
        "--docker-host",
        &url,
        "--check",
        "5.11",
        "--include",
        "nothing-*",
    ]);
    assert_eq!(
        status(&report, "container-memory-unlimited"),
        "not-applicable"
    );
    assert!(check_text(&report, "container-memory-unlimited").contains("--include nothing-*"));
}

fn secrets_never_reach_any_output(scenario: &Scenario, report: &Value) {
    let json = report.to_string();
    assert!(!json.contains(SECRET), "the JSON report holds the secret");
    let text = stockade()
        .args([
            "audit",
            "--docker-host",
            &scenario.socket_url(),
            "--fail-on",
            "none",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("[container-memory-unlimited]"),
        "the text report ran"
    );
    assert!(!text.contains(SECRET), "the text report holds the secret");
    let snapshot = stockade()
        .args(["collect", "--docker-host", &scenario.socket_url()])
        .output()
        .unwrap();
    let snapshot = String::from_utf8_lossy(&snapshot.stdout);
    assert!(
        snapshot.contains("DB_PASSWORD=****"),
        "the variable is named, its value masked"
    );
    assert!(!snapshot.contains(SECRET), "the snapshot holds the secret");
}
