//! The parsers on the shared corpus of real files: no panic, and the
//! problems they report are listed (run with `--nocapture` to see them).

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

use std::fs;
use std::path::{Path, PathBuf};

fn corpus(part: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(part);
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_corpus_dockerfile_parses_without_panic() {
    let Some(dir) = corpus("dockerfiles") else {
        eprintln!("corpus not found: skipped");
        return;
    };
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    let mut with_problems = 0;
    for path in &paths {
        let text = String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned();
        let parsed = stockade_parse::dockerfile::parse(&text);
        if !parsed.problems.is_empty() {
            with_problems += 1;
            for p in &parsed.problems {
                println!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message);
            }
        }
    }
    println!("{} Dockerfiles, {with_problems} with problems", paths.len());
    assert!(paths.len() > 1000);
}

#[test]
fn every_corpus_yaml_loads_or_names_its_line() {
    let mut paths = Vec::new();
    for part in ["k8s", "compose"] {
        if let Some(dir) = corpus(part) {
            files(&dir, &mut paths);
        }
    }
    if paths.is_empty() {
        eprintln!("corpus not found: skipped");
        return;
    }
    let mut failed = 0;
    for path in &paths {
        let text = String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned();
        if let Err(e) = stockade_parse::yaml::load(&text) {
            failed += 1;
            println!("{}:{e}", path.display());
            assert!(e.line >= 1);
        }
    }
    println!("{} YAML files, {failed} not loadable", paths.len());
}
