//! Fake node roots assembled from the shared corpus of real kubeadm files,
//! and reading a Kubernetes audit's verdicts.

#![allow(dead_code, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// `../shared/corpus/k8s-node` beside the repository (or `STOCKADE_K8S_CORPUS`).
/// Missing: `None` (the test skips) unless `STOCKADE_REQUIRE_LIVE=1`.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("STOCKADE_K8S_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/k8s-node"),
        PathBuf::from,
    );
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
        "the k8s-node corpus is missing at {}",
        dir.display()
    );
    eprintln!("skipped: no k8s-node corpus at {}", dir.display());
    None
}

/// A temporary node root holding the files of the named corpus sources,
/// copied (the corpus is never changed), writable, at their on-host paths.
pub fn fake_root(corpus: &Path, sources: &[&str]) -> tempfile::TempDir {
    let root = tempfile::Builder::new()
        .prefix("stockade-node.")
        .tempdir()
        .expect("temp dir");
    for source in sources {
        copy_tree(&corpus.join(source), root.path());
    }
    root
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("corpus directory") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
            fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).expect("chmod");
        }
    }
}

/// Writes a file below the root, creating its directories.
pub fn write(root: &Path, path: &str, text: &str) {
    let target = root.join(path.trim_start_matches('/'));
    fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    fs::write(target, text).expect("write");
}

/// CIS number → overall status of every Kubernetes check in the report.
pub fn verdicts(report: &Value) -> BTreeMap<String, String> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["benchmark"] == "cis-kubernetes")
        .filter_map(|c| {
            Some((
                c["cis"].as_str()?.to_owned(),
                c["status"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Asserts each listed CIS number has the expected status, and reports all
/// mismatches at once.
pub fn assert_verdicts(report: &Value, expected: &[(&str, &str)]) {
    let got = verdicts(report);
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(number, status)| got.get(*number).map(String::as_str) != Some(*status))
        .map(|(number, status)| {
            format!(
                "{number}: want {status}, got {}",
                got.get(*number).map_or("nothing", String::as_str)
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Every CIS number in `from..` of a section, e.g. `numbers("1.2", 1..=30)`.
pub fn numbers(section: &str, range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("{section}.{n}")).collect()
}
