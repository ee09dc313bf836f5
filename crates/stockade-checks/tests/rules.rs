//! Every file rule on its fixtures: `tests/fixtures/<rule-id>/*`.
//!
//! A fixture marks the lines where the rule must report (`# bad`) and lines
//! it must leave alone (`# ok`), either at the end of the line (YAML) or on
//! the line before (needed in Dockerfiles, where a trailing `#` is not a
//! comment). The test compares the lines the rule reported with the marks,
//! then snapshots the findings as `stockade scan` prints them.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use stockade_checks::scan::{self, Candidate, FileScan};
use stockade_checks::select::CisVersions;
use stockade_checks::{Check, Input, Runner};
use stockade_report::scan::{Mask, RuleInfo, ScanReport, ScanStats, ScannedFile};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Lines marked `bad` and `ok`.
fn marks(text: &str) -> (BTreeSet<u32>, BTreeSet<u32>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut bad = BTreeSet::new();
    let mut ok = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let own_line = |word: &str| trimmed == format!("# {word}");
        let trailing = |word: &str| {
            !trimmed.starts_with('#') && line.trim_end().ends_with(&format!(" # {word}"))
        };
        let next_code = || {
            (i + 1..lines.len())
                .find(|&j| {
                    let t = lines[j].trim();
                    !t.is_empty() && !t.starts_with('#')
                })
                .map(|j| u32::try_from(j + 1).unwrap())
        };
        for (word, set) in [("bad", &mut bad), ("ok", &mut ok)] {
            if own_line(word) {
                set.extend(next_code());
            } else if trailing(word) {
                set.insert(u32::try_from(i + 1).unwrap());
            }
        }
    }
    (bad, ok)
}

fn scan_fixture(path: &Path, check: &'static Check) -> FileScan {
    let name = path.file_name().unwrap().to_string_lossy();
    let candidate = scan::candidate(&name).unwrap_or(Candidate::Yaml);
    let display = path
        .strip_prefix(fixtures().parent().unwrap())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let bytes = fs::read(path).unwrap();
    let checks = [check];
    let mut scans: Vec<FileScan> = scan::scan_bytes(&display, candidate, &bytes, &checks)
        .into_iter()
        .collect();
    scan::finish(&mut scans, &checks);
    assert_eq!(scans.len(), 1, "{display} was not recognised");
    scans.pop().unwrap()
}

fn render(check: &'static Check, scans: &[FileScan]) -> String {
    let versions = CisVersions::default();
    let cis = versions.number_of(check).map(|n| {
        let benchmark = check.meta.benchmark().unwrap();
        format!(
            "{} {}: {n}",
            if benchmark == stockade_core::cis::Benchmark::Docker {
                "CIS Docker"
            } else {
                "CIS Kubernetes"
            },
            versions.for_benchmark(benchmark)
        )
    });
    let files = scans
        .iter()
        .map(|s| ScannedFile {
            path: s.path.clone(),
            kind: s.kind.as_str(),
            findings: s.findings.clone(),
            suppressed: s.suppressed.clone(),
            masks: s
                .masks
                .iter()
                .map(|m| Mask {
                    line: m.line,
                    column: m.column,
                    len: m.len,
                })
                .collect(),
            source: s.source.clone(),
        })
        .collect();
    let report = ScanReport {
        roots: vec![],
        files,
        rules: vec![RuleInfo {
            meta: &check.meta,
            cis: cis.as_deref(),
        }],
        stats: ScanStats::default(),
        docker_cis_version: versions.docker.clone(),
        kubernetes_cis_version: versions.kubernetes.clone(),
        config: None,
        baseline: None,
        fingerprints: Default::default(),
    };
    let mut out = Vec::new();
    stockade_report::diagnostic::render(&report, &mut out, false).unwrap();
    String::from_utf8(out).unwrap()
}

fn rules_under_test() -> Vec<&'static Check> {
    stockade_checks::all()
        .iter()
        .copied()
        .filter(|c| c.input() == Input::Files && !matches!(c.runner, Runner::Scan))
        .collect()
}

#[test]
fn every_rule_reports_exactly_its_marked_lines() {
    let mut problems = Vec::new();
    for check in rules_under_test() {
        let dir = fixtures().join(check.meta.id);
        let Ok(entries) = fs::read_dir(&dir) else {
            problems.push(format!(
                "{}: no fixtures in {}",
                check.meta.id,
                dir.display()
            ));
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        let (mut any_bad, mut any_ok) = (false, false);
        let mut scans = Vec::new();
        for path in &paths {
            let text = fs::read_to_string(path).unwrap();
            let (bad, ok) = marks(&text);
            any_bad |= !bad.is_empty();
            any_ok |= !ok.is_empty();
            let scan = scan_fixture(path, check);
            let errors: Vec<&str> = scan
                .findings
                .iter()
                .filter(|f| f.check != check.meta.id)
                .map(|f| f.message.as_str())
                .collect();
            if !errors.is_empty() {
                problems.push(format!("{}: other findings {errors:?}", path.display()));
            }
            let reported: BTreeSet<u32> = scan
                .findings
                .iter()
                .filter(|f| f.check == check.meta.id)
                .map(|f| scan::finding_position(f).0)
                .collect();
            if reported != bad {
                problems.push(format!(
                    "{}: reported lines {reported:?}, marked bad {bad:?}",
                    path.display()
                ));
            }
            if let Some(line) = ok.intersection(&reported).next() {
                problems.push(format!("{}: line {line} is marked ok", path.display()));
            }
            scans.push(scan);
        }
        if !any_bad || !any_ok {
            problems.push(format!(
                "{}: fixtures need both bad and ok marks",
                check.meta.id
            ));
        }
        insta::assert_snapshot!(check.meta.id, render(check, &scans));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
