//! Every Compose file of the corpus (../shared/corpus/compose) that Docker
//! Compose accepts, stockade parses: no `file-parse-error`, read as Compose.
//!
//! The reference is `docker-compose config -q --no-interpolate` (Debian's
//! `docker-compose` package), run with an empty environment and no
//! `DOCKER_HOST`: `config` reads files only and never contacts a daemon.
//! Debian ships the Python v1 (1.29): it loads YAML with PyYAML (YAML 1.1),
//! where compose-go (v2) uses go-yaml; both accept flow lists closed under
//! their key and both cast `yes`/`"true"` in boolean fields. v1 also
//! validates against the older v2/v3 schemas, so a few files only v2
//! accepts are left out of the comparison, never added to it. v1 still
//! reads the legacy format without `services:` (services at the top level,
//! `net: host`), which Compose v2 (compose-go) rejects and stockade does
//! not read as Compose: such files are counted and left out.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise
#![allow(clippy::print_stderr)] // says why it skipped and what it compared

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use common::stockade;
use serde_json::Value;

fn live_required() -> bool {
    std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() == Ok("1")
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("STOCKADE_COMPOSE_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/compose"),
        PathBuf::from,
    );
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !live_required(),
        "the compose corpus is missing at {}",
        dir.display()
    );
    eprintln!("skipped: no compose corpus at {}", dir.display());
    None
}

fn docker_compose_present() -> bool {
    let present = Command::new("docker-compose")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        present || !live_required(),
        "STOCKADE_REQUIRE_LIVE=1 but docker-compose is missing (apt-get install docker-compose)"
    );
    if !present {
        eprintln!("skipped: docker-compose is not installed");
    }
    present
}

/// Whether `docker-compose config` accepts the file, in an empty environment.
fn docker_compose_accepts(file: &Path, home: &Path) -> bool {
    Command::new("timeout")
        .arg("60")
        .arg("docker-compose")
        .arg("--project-directory")
        .arg(file.parent().unwrap())
        .arg("-f")
        .arg(file)
        .args(["config", "-q", "--no-interpolate"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn is_compose_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_ascii_lowercase();
    (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

fn compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            compose_files(&path, out);
        } else if is_compose_name(&path) {
            out.push(path);
        }
    }
}

/// For every file stockade scanned: whether it was read as Compose without
/// a parse error.
fn stockade_parses(corpus: &Path) -> std::collections::BTreeMap<String, bool> {
    let output = stockade()
        .args(["scan", "--no-config", "--format", "json"])
        .arg(corpus)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let parse_error = f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["check"] == "file-parse-error");
            let path = f["path"].as_str().unwrap().to_owned();
            (path, f["kind"] == "compose" && !parse_error)
        })
        .collect()
}

/// Whether the file uses the current format (a top-level `services:`),
/// not Compose v1's legacy one.
fn has_services_key(file: &Path) -> bool {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .any(|l| l.starts_with("services:"))
}

#[test]
fn every_file_docker_compose_accepts_stockade_parses() {
    let Some(corpus) = corpus() else { return };
    if !docker_compose_present() {
        return;
    }
    let mut files = Vec::new();
    compose_files(&corpus, &mut files);
    let home = tempfile::tempdir().unwrap();
    let accepted = Mutex::new(Vec::new());
    let next = Mutex::new(files.iter());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some(file) = next.lock().unwrap().next() else {
                        break;
                    };
                    if docker_compose_accepts(file, home.path()) {
                        accepted.lock().unwrap().push(file.clone());
                    }
                }
            });
        }
    });
    let (accepted, legacy): (Vec<PathBuf>, Vec<PathBuf>) = accepted
        .into_inner()
        .unwrap()
        .into_iter()
        .partition(|f| has_services_key(f));
    let parsed = stockade_parses(&corpus);
    let missed: Vec<String> = accepted
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .filter(|f| parsed.get(f) != Some(&true))
        .collect();
    eprintln!(
        "{} compose-named files, {} accepted by docker-compose ({} more in the legacy format without `services:`), {} of those not parsed by stockade",
        files.len(),
        accepted.len(),
        legacy.len(),
        missed.len()
    );
    assert!(
        accepted.len() > files.len() / 2,
        "docker-compose accepted too few files to compare"
    );
    assert!(
        missed.is_empty(),
        "docker-compose accepts, stockade does not parse: {missed:#?}"
    );
}
