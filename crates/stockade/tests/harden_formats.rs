//! `stockade harden --format diff` and `--format script` on copies of the
//! Compose corpus and on a host root: the diff applies with `git apply`
//! and has the effect of `--apply`; the script passes `bash -n` and
//! shellcheck, runs, and has the same effect too; neither shows a secret.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests stop at the first surprise; skips are said on stderr

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{FakeHost, stockade};

fn compose_corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/compose");
    if path.is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
        "the shared Compose corpus is missing"
    );
    eprintln!("shared Compose corpus not found: skipped");
    None
}

/// Whether a tool the test needs is installed (scripts/test.sh installs it).
fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
        "{name} is not installed"
    );
    if !found {
        eprintln!("{name} not installed: skipped");
    }
    found
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            fs::write(&target, fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

/// Every file below `dir` (backups left out) and its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if !path.to_string_lossy().contains(".stockade-backup-") {
                let name = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn harden(cwd: &Path, args: &[&str]) -> String {
    let output = stockade()
        .current_dir(cwd)
        .arg("harden")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

/// The files a diff or script says it leaves to `--apply` (a change on a
/// line holding a secret), relative to the copy's directory.
fn left_out(text: &str, copy: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains("holding a secret"))
        .filter_map(|l| {
            let start = l.find(&format!("{copy}/"))?;
            let rest = &l[start + copy.len() + 1..];
            Some(rest.split([' ', ':']).next()?.to_owned())
        })
        .collect()
}

#[test]
fn diff_and_script_do_what_apply_does_on_the_compose_corpus() {
    let Some(corpus) = compose_corpus() else {
        return;
    };
    if !tool("git") || !tool("shellcheck") || !tool("patch") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for copy in ["by-diff", "by-apply", "by-script"] {
        copy_tree(&corpus, &dir.path().join(copy));
    }
    let original = tree(&dir.path().join("by-apply"));

    // The diff, relative to the current directory, applies with git.
    let diff = harden(dir.path(), &["by-diff", "--format", "diff"]);
    assert!(
        diff.contains("\n+++ b/by-diff/"),
        "paths relative to the current directory"
    );
    let patch = dir.path().join("corpus.patch");
    fs::write(&patch, &diff).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .arg(&patch)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["apply", "--check"]);
    git(&["apply"]);

    let applied = harden(dir.path(), &["by-apply", "--apply"]);
    assert!(
        applied.contains("wrote by-apply/"),
        "{}",
        &applied[..applied.len().min(2000)]
    );
    let by_apply = tree(&dir.path().join("by-apply"));
    let by_diff = tree(&dir.path().join("by-diff"));
    let skipped = left_out(&diff, "by-diff");
    assert!(
        skipped.len() < 30,
        "most files are in the diff: {skipped:?}"
    );
    let changed = by_apply
        .iter()
        .filter(|(k, v)| original.get(*k) != Some(*v))
        .count();
    assert!(changed > 400, "{changed} files hardened");
    for (name, bytes) in &by_apply {
        if skipped.contains(name) {
            assert_eq!(
                by_diff.get(name),
                original.get(name),
                "{name} is left to --apply"
            );
            assert_ne!(
                Some(bytes),
                original.get(name),
                "{name}: --apply changes it"
            );
        } else {
            assert_eq!(
                by_diff.get(name),
                Some(bytes),
                "{name}: the diff equals --apply"
            );
        }
    }

    // The script: valid bash, clean for shellcheck, and the same effect.
    let script = harden(dir.path(), &["by-script", "--format", "script"]);
    assert!(script.starts_with("#!/usr/bin/env bash\n"));
    assert!(script.contains("\nset -euo pipefail\n"));
    assert!(script.contains("# 1. "), "a comment per step");
    let path = dir.path().join("harden.sh");
    fs::write(&path, &script).unwrap();
    let bash_n = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        bash_n.status.success(),
        "{}",
        String::from_utf8_lossy(&bash_n.stderr)
    );
    let lint = Command::new("shellcheck").arg(&path).output().unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let run = Command::new("bash")
        .current_dir(dir.path())
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let by_script = tree(&dir.path().join("by-script"));
    let skipped = left_out(&script, "by-script");
    for (name, bytes) in &by_apply {
        let expected = if skipped.contains(name) {
            original.get(name)
        } else {
            Some(bytes)
        };
        assert_eq!(
            by_script.get(name),
            expected,
            "{name}: the script equals --apply"
        );
    }
    assert!(
        !by_script
            .keys()
            .any(|k| k.ends_with(".orig") || k.ends_with(".rej")),
        "every hunk applies exactly"
    );
}

#[test]
fn diff_and_script_on_a_host_root_name_its_files_and_never_print_secrets() {
    if !tool("git") || !tool("shellcheck") || !tool("patch") {
        return;
    }
    let host = FakeHost::new();
    host.write(
        "etc/docker/daemon.json",
        "{\n    \"registry-mirrors\": [\"https://bob:s3cr3tpass@mirror.example\"],\n    \"max-concurrent-downloads\": 3,\n    \"max-concurrent-uploads\": 5,\n    \"storage-driver\": \"overlay2\",\n    \"icc\": true\n}\n",
        0o644,
    );
    let root = host.root().to_path_buf();
    let run = |format: &str| {
        let output = stockade()
            .current_dir(root.parent().unwrap())
            .args(["harden", "--host-root"])
            .arg(&root)
            .args(["--check", "2.2", "--format", format])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let diff = run("diff");
    let name = root.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        diff.contains(&format!("+++ b/{name}/etc/docker/daemon.json")),
        "{diff}"
    );
    assert!(diff.contains("+    \"icc\": false"), "{diff}");
    assert!(!diff.contains("s3cr3tpass"), "{diff}");
    let script = run("script");
    assert!(!script.contains("s3cr3tpass"), "{script}");
    assert!(
        script.contains(&format!("{}/etc/docker/daemon.json", root.display())),
        "{script}"
    );
    let path = root.parent().unwrap().join(format!("{name}.sh"));
    fs::write(&path, &script).unwrap();
    let lint = Command::new("shellcheck").arg(&path).output().unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let out = Command::new("bash").arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let edited = fs::read_to_string(host.path("etc/docker/daemon.json")).unwrap();
    assert!(edited.contains("\"icc\": false"), "{edited}");
    assert!(
        edited.contains("s3cr3tpass"),
        "the secret itself is kept: {edited}"
    );
    let _ = fs::remove_file(path);
}
