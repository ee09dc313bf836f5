//! docs/rules/ is generated from the check registry. This test regenerates
//! it and fails when the committed copy drifts; run with
//! `STOCKADE_UPDATE_DOCS=1` to rewrite it.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

use std::fs;
use std::path::PathBuf;

use stockade_report::rule_doc;

#[test]
fn rule_pages_match_the_registry() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let update = std::env::var("STOCKADE_UPDATE_DOCS").is_ok_and(|v| v == "1");
    let checks = stockade_checks::all();
    let mut expected: Vec<(String, String)> = checks
        .iter()
        .map(|c| (format!("{}.md", c.meta.id), rule_doc::markdown(&c.meta)))
        .collect();
    let metas: Vec<_> = checks.iter().map(|c| &c.meta).collect();
    expected.push(("README.md".to_owned(), rule_doc::index(&metas)));

    let mut stale = Vec::new();
    for (name, page) in &expected {
        let path = dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            if update {
                fs::create_dir_all(&dir).unwrap();
                fs::write(&path, page).unwrap();
            } else {
                stale.push(name.clone());
            }
        }
    }
    for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !expected.iter().any(|(n, _)| *n == name) {
            if update {
                fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(format!("{name} (no such check)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date, run STOCKADE_UPDATE_DOCS=1 cargo test -p stockade --test docs: {stale:?}"
    );
}

/// The worked example of docs/model-file.md loads and does what the page
/// says: the application threat is there with its detective mitigation,
/// the acceptances carry their subjects, RBAC is out of scope.
#[test]
fn the_model_file_example_is_a_valid_model() {
    let page = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/model-file.md"),
    )
    .unwrap();
    let yaml = page
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a yaml block in docs/model-file.md");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threat-model.yaml");
    fs::write(&path, yaml).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(["model", "--generic", "--format", "json", "--model"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let model: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let threats = model["threats"].as_array().unwrap();
    let app = threats.iter().find(|t| t["id"] == "APP-01").unwrap();
    assert_eq!(app["impact"], 5);
    assert_eq!(app["mitigations"][2]["kind"], "detect");
    let rbac: Vec<_> = threats
        .iter()
        .filter(|t| t["component"] == "rbac")
        .collect();
    assert!(!rbac.is_empty());
    assert!(rbac.iter().all(|t| t["status"] == "not-applicable"));
    // No container here: both subject acceptances match nothing, and say so.
    let notes = model["acceptance_notes"].as_array().unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().all(|n| n["problem"] == "matches-nothing"));
}
