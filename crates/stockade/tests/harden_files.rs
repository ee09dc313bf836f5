//! `stockade harden --apply` on a mounted host root: each kind of host
//! patch on real files, refusal of unparseable files, and an apply killed
//! between files leaving every file either old or new.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{FakeHost, status, stockade};

fn harden(host: &FakeHost, args: &[&str]) -> std::process::Output {
    stockade()
        .args(["harden", "--host-root"])
        .arg(host.root())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn daemon_json_edits_keep_formatting_and_back_up_the_original() {
    let host = FakeHost::new();
    // Audited while valid, broken before the apply: the edit is refused.
    host.write("etc/docker/daemon.json", "{}\n", 0o644);
    let snapshot = host.root().join("snapshot.json");
    let collected = stockade()
        .args(["collect", "--host-root"])
        .arg(host.root())
        .arg("-o")
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(collected.status.success());
    let broken = "{\n  // not allowed by dockerd\n}\n";
    host.write("etc/docker/daemon.json", broken, 0o644);
    let out = stockade()
        .args([
            "harden",
            "--check",
            "daemon-live-restore-disabled",
            "--apply",
            "--from",
        ])
        .arg(&snapshot)
        .arg("--host-root")
        .arg(host.root())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("cannot edit /etc/docker/daemon.json: it does not parse"),
        "{text}"
    );
    assert_eq!(
        fs::read_to_string(host.path("etc/docker/daemon.json")).unwrap(),
        broken,
        "refused, untouched"
    );

    let original = "{\n    \"log-driver\": \"journald\",\n    \"icc\": true\n}\n";
    host.write("etc/docker/daemon.json", original, 0o644);
    let out = harden(&host, &["--check", "2.2,2.15,2.16", "--apply"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let root = host.root().display().to_string();
    assert!(
        text.contains(&format!(
            "wrote {root}/etc/docker/daemon.json (backup {root}/etc/docker/daemon.json.stockade-backup-"
        )),
        "paths as they are on disk: {text}"
    );
    assert!(
        text.contains(&format!(
            "+++ b/{}/etc/docker/daemon.json",
            root.trim_start_matches('/')
        )),
        "{text}"
    );
    let edited = fs::read_to_string(host.path("etc/docker/daemon.json")).unwrap();
    assert_eq!(
        edited,
        "{\n    \"log-driver\": \"journald\",\n    \"icc\": false,\n    \"live-restore\": true,\n    \"userland-proxy\": false\n}\n"
    );
    let report = host.audit(&["--check", "2.2,2.16"]);
    assert_eq!(status(&report, "daemon-icc-enabled"), "pass");
    assert_eq!(status(&report, "daemon-userland-proxy-enabled"), "pass");
    let backup = fs::read_dir(host.path("etc/docker"))
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("daemon.json.stockade-backup-")
        })
        .unwrap();
    assert_eq!(fs::read_to_string(backup.path()).unwrap(), original);
}

#[test]
fn modes_and_owners_are_fixed_on_the_real_files() {
    let host = FakeHost::new();
    host.write("etc/docker/daemon.json", "{}\n", 0o666);
    std::os::unix::fs::chown(host.path("etc/docker/daemon.json"), Some(1000), Some(1000)).unwrap();
    host.write("etc/default/docker", "DOCKER_OPTS=\n", 0o4640);
    let dry = harden(&host, &["--check", "3"]);
    let text = String::from_utf8_lossy(&dry.stdout);
    // Commands name the files under the host root: pasting them never
    // touches this machine's /etc.
    let root = host.root().display().to_string();
    assert!(
        text.contains(&format!("$ chmod 0644 {root}/etc/docker/daemon.json")),
        "{text}"
    );
    assert!(
        text.contains(&format!("$ chown root:root {root}/etc/docker/daemon.json")),
        "{text}"
    );
    assert!(
        text.contains(&format!("$ chmod 0640 {root}/etc/default/docker")),
        "the setuid bit goes, the rest stays: {text}"
    );
    assert!(
        !text.contains("$ chmod 0644 /etc/"),
        "no command names the live host's file: {text}"
    );
    assert_eq!(
        fs::metadata(host.path("etc/docker/daemon.json"))
            .unwrap()
            .mode()
            & 0o7777,
        0o666,
        "dry run"
    );

    let out = harden(&host, &["--check", "3", "--apply"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("done: chmod 0644 {root}/etc/docker/daemon.json")),
        "{text}"
    );
    let meta = fs::metadata(host.path("etc/docker/daemon.json")).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid()),
        (0o644, 0, 0)
    );
    let report = host.audit(&["--check", "3"]);
    for check in report["checks"].as_array().unwrap() {
        assert!(
            matches!(check["status"].as_str(), Some("pass" | "not-applicable")),
            "{check}"
        );
    }
    let again = harden(&host, &["--check", "3", "--apply"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("Nothing to fix"));
}

#[test]
fn flags_in_the_unit_are_changed_with_a_drop_in() {
    let host = FakeHost::new();
    host.write(
        "lib/systemd/system/docker.service",
        "[Service]\nExecStart=/usr/bin/dockerd -H fd:// --icc=true --log-level debug\n",
        0o644,
    );
    host.write("etc/docker/daemon.json", "{}\n", 0o644);
    let out = harden(&host, &["--check", "2.2,2.3", "--apply"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let drop_in = fs::read_to_string(
        host.path("etc/systemd/system/docker.service.d/stockade-hardening.conf"),
    )
    .unwrap();
    assert!(
        drop_in.contains(
            "ExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --icc=false --log-level=info\n"
        ),
        "{drop_in}"
    );
    assert_eq!(
        fs::read_to_string(host.path("etc/docker/daemon.json")).unwrap(),
        "{}\n",
        "flags stay flags"
    );
    let report = host.audit(&["--check", "2.2,2.3"]);
    assert_eq!(status(&report, "daemon-icc-enabled"), "pass");
    assert_eq!(status(&report, "daemon-log-level-not-info"), "pass");
}

#[test]
fn audit_watches_go_into_one_rules_file() {
    let host = FakeHost::new();
    host.write("etc/audit/auditd.conf", "\n", 0o640);
    let out = harden(&host, &["--check", "1.1.3,1.1.6", "--apply"]);
    assert!(out.status.success());
    let rules = fs::read_to_string(host.path("etc/audit/rules.d/stockade-docker.rules")).unwrap();
    assert!(
        rules.contains("-w /usr/bin/dockerd -p rwxa -k docker\n"),
        "{rules}"
    );
    assert!(
        rules.contains("-w /etc/docker -p rwxa -k docker\n"),
        "{rules}"
    );
    let report = host.audit(&["--check", "1.1.3,1.1.6"]);
    assert_eq!(status(&report, "audit-rule-missing-dockerd"), "pass");
    assert_eq!(status(&report, "audit-rule-missing-etc-docker"), "pass");
}

/// Kills an apply while it pauses between its two files: the first file is
/// new, the second still old, and neither is half written.
#[test]
fn an_apply_killed_between_files_leaves_each_file_old_or_new() {
    let host = FakeHost::new();
    host.write("etc/audit/auditd.conf", "\n", 0o640);
    let original = "{\n  \"icc\": true\n}\n";
    host.write("etc/docker/daemon.json", original, 0o644);
    let binary = assert_cmd::cargo::cargo_bin("stockade");
    let mut child = Command::new(binary)
        .args([
            "harden",
            "--apply",
            "--check",
            "2.2,1.1.3",
            "--pause-between-files",
            "5000",
            "--host-root",
        ])
        .arg(host.root())
        .env_remove("DOCKER_HOST")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let daemon_json = host.path("etc/docker/daemon.json");
    let rules = host.path("etc/audit/rules.d/stockade-docker.rules");
    let started = Instant::now();
    while fs::read_to_string(&daemon_json).unwrap() == original {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the first file was never written"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&daemon_json).unwrap()).unwrap();
    assert_eq!(json["icc"], false, "the first file is complete");
    assert!(!rules.exists(), "the second file was never started");
    let leftovers: Vec<_> = fs::read_dir(host.path("etc/docker"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");

    // Running again finishes the job.
    let out = harden(&host, &["--check", "2.2,1.1.3", "--apply"]);
    assert!(out.status.success());
    assert!(rules.exists());
}

#[test]
fn content_trust_is_an_instruction_naming_where_to_set_it() {
    let host = FakeHost::new();
    host.write(
        "etc/environment",
        "LANG=C.UTF-8\nDOCKER_CONTENT_TRUST=0\n",
        0o644,
    );
    let out = harden(&host, &["--check", "content-trust-disabled", "--apply"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[display-only, Medium effort, content-trust-disabled]"),
        "{text}"
    );
    assert!(
        text.contains("change Change `DOCKER_CONTENT_TRUST=0` at /etc/environment:2 to DOCKER_CONTENT_TRUST=1."),
        "{text}"
    );
    for place in ["/etc/environment", "/etc/profile.d/", "CI jobs", "Why:"] {
        assert!(text.contains(place), "{place}: {text}");
    }
    assert_eq!(
        fs::read_to_string(host.path("etc/environment")).unwrap(),
        "LANG=C.UTF-8\nDOCKER_CONTENT_TRUST=0\n",
        "display-only: never written, even with --apply"
    );
}

/// A recorded Docker host: the plan is ranked by value (non-increasing),
/// no safe fix carries a caveat about this host, and the audit watches are
/// one entry writing one rules file with one load command.
#[test]
fn a_recorded_host_gets_a_ranked_plan_with_one_audit_rules_entry() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../stockade-checks/tests/fixtures/debian12-docker20.10.json");
    let output = stockade()
        .args(["harden", "--from"])
        .arg(&fixture)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_follows_schema(&plan, "hardening-plan-v1.schema.json");
    let entries = plan["entries"].as_array().unwrap();
    assert!(entries.len() > 5, "{plan:#}");
    let values: Vec<u64> = entries
        .iter()
        .map(|e| e["value"].as_u64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "ranked by the value of the threats closed: {values:?}"
    );
    for entry in entries {
        let risk = entry["fix"]["risk"].as_str().unwrap();
        assert!(
            !(entry["fix"]["applicability"] == "safe" && risk.contains("On this host:")),
            "{entry:#}"
        );
    }
    // One recreate per container (the uid placeholder keeps its own entry).
    let recreates: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| {
            e["fix"]["title"]
                .as_str()
                .unwrap()
                .starts_with("Recreate container t1 ")
        })
        .filter(|e| e["check"] != "container-runs-as-root")
        .collect();
    assert_eq!(recreates.len(), 1, "{recreates:#?}");
    assert!(
        recreates[0]["also"].as_array().unwrap().len() >= 2,
        "{:#}",
        recreates[0]
    );
    let watches: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| {
            e["check"]
                .as_str()
                .unwrap()
                .starts_with("audit-rule-missing")
                || e["also"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a.as_str().unwrap().starts_with("audit-rule-missing"))
        })
        .collect();
    assert_eq!(watches.len(), 1, "one entry for every audit watch");
    let watch = watches[0];
    assert!(!watch["also"].as_array().unwrap().is_empty(), "{watch:#}");
    let changes = watch["fix"]["changes"].as_array().unwrap();
    let files: std::collections::BTreeSet<&str> =
        changes.iter().filter_map(|c| c["path"].as_str()).collect();
    assert!(files.len() <= 1, "one rules file: {files:?}");
    let loads = changes.iter().filter(|c| c["kind"] == "command").count();
    let instructions = changes
        .iter()
        .filter(|c| c["kind"] == "instruction")
        .count();
    assert!(loads + instructions >= 1, "{watch:#}");
    assert!(loads <= 1, "{watch:#}");
}

/// On a host root with auditd, the missing watches are one rules file and
/// one `augenrules --load`, shown under the root and marked as acting on
/// the running host.
#[test]
fn audit_watches_are_one_file_and_one_load_command() {
    let host = FakeHost::new();
    host.write("etc/docker/daemon.json", "{}\n", 0o644);
    host.write("sbin/auditctl", "#!/bin/sh\n", 0o755);
    host.write("etc/audit/rules.d/audit.rules", "-D\n", 0o640);
    let out = harden(&host, &["--check", "1.1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let root = host.root().display().to_string();
    let entries = text
        .lines()
        .filter(|l| l.contains("audit-rule-missing"))
        .count();
    assert!(
        entries <= 2,
        "listed once (title line and verify line): {text}"
    );
    let header = format!(
        "+++ b/{}/etc/audit/rules.d/stockade-docker.rules",
        root.trim_start_matches('/')
    );
    assert_eq!(text.matches(&header).count(), 1, "{text}");
    assert!(
        text.contains(&format!(
            "$ augenrules --load    # acts on the running daemon and host, not on the files under {root}"
        )),
        "{text}"
    );
    // --live never runs a host command on this machine for another root.
    let out = harden(&host, &["--check", "1.1", "--apply", "--live"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "not run (it would act on this machine, not on {root}): augenrules --load"
        )),
        "{text}"
    );
    let rules = fs::read_to_string(host.path("etc/audit/rules.d/stockade-docker.rules")).unwrap();
    assert!(
        rules.contains("-w /etc/docker -p rwxa -k docker\n"),
        "{rules}"
    );
}
