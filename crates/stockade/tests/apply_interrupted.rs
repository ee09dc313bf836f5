//! `stockade harden --apply DIR` killed midway (SIGKILL, as `timeout -s
//! KILL` or the OOM killer would): every target is either its original or
//! its fully patched content, every backup is complete, and the temporary
//! file a killed run leaves behind is named by the next dry run and
//! removed by the next apply.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::stockade;

const FILES: usize = 4;

/// Compose files with one safe fix each (`no-new-privileges`).
fn write_project(dir: &Path) -> BTreeMap<String, String> {
    (1..=FILES)
        .map(|i| {
            let name = format!("compose{i}.yaml");
            let text = format!("services:\n  web{i}:\n    image: nginx:1.27 # pinned\n");
            fs::write(dir.join(&name), &text).unwrap();
            (name, text)
        })
        .collect()
}

fn contents(dir: &Path, names: impl Iterator<Item = String>) -> BTreeMap<String, String> {
    names
        .map(|name| {
            let text = fs::read_to_string(dir.join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

fn backups(dir: &Path) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".stockade-backup-"))
        .map(|name| {
            let text = fs::read_to_string(dir.join(&name)).unwrap();
            (name, text)
        })
        .collect();
    found.sort();
    found
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect()
}

/// A pid no process has: a child that has exited and been reaped.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

fn harden(dir: &Path, args: &[&str]) -> (String, String) {
    let output = stockade()
        .arg("harden")
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_killed_apply_leaves_whole_files_and_the_next_run_cleans_up() {
    // What a complete apply writes, on a copy of the same project.
    let reference = tempfile::tempdir().unwrap();
    let originals = write_project(reference.path());
    harden(reference.path(), &["--apply"]);
    let patched = contents(reference.path(), originals.keys().cloned());
    for (name, text) in &patched {
        assert_ne!(text, &originals[name], "{name} has a safe fix");
    }

    let project = tempfile::tempdir().unwrap();
    write_project(project.path());
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("stockade"))
        .args(["harden", "--apply", "--pause-between-files", "2000"])
        .arg(project.path())
        .env_remove("DOCKER_HOST")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while contents(project.path(), originals.keys().cloned()) == originals {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no file was ever written"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let after = contents(project.path(), originals.keys().cloned());
    let new = after.iter().filter(|(n, t)| **t == patched[*n]).count();
    for (name, text) in &after {
        assert!(
            *text == originals[name] || *text == patched[name],
            "{name} is neither the original nor the patched file:\n{text}"
        );
    }
    assert!(
        (1..FILES).contains(&new),
        "killed midway: {new} of {FILES} files written"
    );
    let backups = backups(project.path());
    assert_eq!(backups.len(), new, "one backup per written file");
    for (backup, text) in &backups {
        let target = backup.split(".stockade-backup-").next().unwrap();
        assert_eq!(*text, originals[target], "{backup} is complete");
    }

    // A kill inside a write leaves a temporary file named by its pid.
    let pid = dead_pid();
    let leftover = project
        .path()
        .join(format!(".compose{FILES}.yaml.stockade-{pid}.tmp"));
    fs::write(&leftover, "services:\n  web").unwrap();
    let (_, warning) = harden(project.path(), &[]);
    let leftover_path = fs::canonicalize(&leftover).unwrap();
    let named = format!(
        "leftover temp file {} from an interrupted run (pid {pid})",
        leftover_path.display()
    );
    assert!(warning.contains(&named), "{warning}");
    assert!(leftover.exists(), "a dry run removes nothing");

    let (report, _) = harden(project.path(), &["--apply"]);
    let removed = format!(
        "removed leftover temp file {} from an interrupted run (pid {pid})",
        leftover_path.display()
    );
    assert!(report.contains(&removed), "{report}");
    assert!(temp_files(project.path()).is_empty());
    assert_eq!(contents(project.path(), originals.keys().cloned()), patched);

    // A kill while writing a backup leaves its temporary file even when a
    // later run finished every target: it is found beside the scanned files.
    let backup_leftover = project.path().join(format!(
        ".compose1.yaml.stockade-backup-1.stockade-{pid}.tmp"
    ));
    fs::write(&backup_leftover, "").unwrap();
    let (report, _) = harden(project.path(), &["--apply"]);
    assert!(report.contains("removed leftover temp file"), "{report}");
    assert!(!backup_leftover.exists());
}
