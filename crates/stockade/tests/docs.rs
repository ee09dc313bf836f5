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
