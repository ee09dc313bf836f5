//! Fingerprints: one stable id per finding, the same in every output that
//! carries one (`fingerprint` in scan and audit JSON, SARIF
//! `partialFingerprints["stockade/v1"]`, GitLab code quality) and the key
//! `--baseline` matches findings by.
//!
//! - A scan finding's fingerprint is its rule, the file path as reported,
//!   its subject (a Compose service, a Kubernetes object), its message and
//!   the text of its line (secrets masked, whitespace collapsed), never the
//!   line number: inserting lines above a finding keeps its fingerprint.
//! - An audit finding's fingerprint is its check and its subject (kind and
//!   name, not the id: a container re-created under the same name is the
//!   same subject); a host-wide finding's is its check alone.
//!
//! Findings that are identical by these parts get a counter (the second
//! one's fingerprint is the digest of the first's and `2`), so a baseline
//! holding a finding twice matches it twice, not three times.

use std::collections::HashMap;

use stockade_core::{Finding, Location};

use crate::diagnostic::mask_line;
use crate::model::CheckResult;
use crate::scan::ScannedFile;

/// The key of stockade's fingerprint in SARIF `partialFingerprints`.
pub const SARIF_KEY: &str = "stockade/v1";

/// A stable 128-bit hex digest of `parts` (two FNV-1a passes, each part
/// terminated by a NUL so `["ab", ""]` and `["a", "b"]` differ).
pub fn digest(parts: &[&str]) -> String {
    let hash = |seed: u64| {
        let mut hash: u64 = seed;
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    };
    format!(
        "{:016x}{:016x}",
        hash(0xcbf2_9ce4_8422_2325),
        hash(0x6c62_272e_07bb_0142)
    )
}

/// Runs of whitespace become one space; leading and trailing ones go.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Makes repeated fingerprints unique, in the order they are seen.
#[derive(Debug, Default)]
pub struct Occurrences(HashMap<String, usize>);

impl Occurrences {
    /// `base` the first time, then the digest of `base` and its count.
    pub fn unique(&mut self, base: String) -> String {
        let seen = self.0.entry(base.clone()).or_insert(0);
        *seen += 1;
        match *seen {
            1 => base,
            n => digest(&[&base, &n.to_string()]),
        }
    }
}

/// The fingerprint of each finding of `file`, in order.
pub fn scan_fingerprints(file: &ScannedFile) -> Vec<String> {
    fingerprints_in(file, &file.findings)
}

/// The fingerprint of each finding of `file` an ignore comment silenced.
pub fn suppressed_fingerprints(file: &ScannedFile) -> Vec<String> {
    fingerprints_in(file, &file.suppressed)
}

fn fingerprints_in(file: &ScannedFile, findings: &[Finding]) -> Vec<String> {
    // The file's lines are split once, not once per finding.
    let lines: Vec<&str> = file
        .source
        .as_deref()
        .map_or_else(Vec::new, |s| s.lines().collect());
    let mut occurrences = Occurrences::default();
    findings
        .iter()
        .map(|finding| occurrences.unique(scan_base(file, &lines, finding)))
        .collect()
}

/// The fingerprint of a scan finding before duplicates are counted.
fn scan_base(file: &ScannedFile, lines: &[&str], finding: &Finding) -> String {
    let subject = finding
        .subject
        .as_ref()
        .filter(|s| s.name != file.path)
        .map(|s| format!("{} {}", s.kind, s.name))
        .unwrap_or_default();
    let line = offending_line(file, lines, finding).unwrap_or_default();
    digest(&[
        "scan",
        &finding.check,
        &file.path,
        &subject,
        &collapse_whitespace(&finding.message),
        &line,
    ])
}

/// The text of the line a finding points at in its own file, secrets
/// masked and whitespace collapsed.
fn offending_line(file: &ScannedFile, lines: &[&str], finding: &Finding) -> Option<String> {
    let line = finding.evidence.iter().find_map(|e| match &e.location {
        Some(Location::File {
            path,
            line: Some(line),
            ..
        }) if *path == file.path => Some(*line),
        _ => None,
    })?;
    let raw = lines.get(line.checked_sub(1)? as usize)?;
    Some(collapse_whitespace(&mask_line(raw, line, &file.masks)))
}

/// The fingerprint of each finding of an audit check, in order.
pub fn audit_fingerprints(result: &CheckResult<'_>) -> Vec<String> {
    let mut occurrences = Occurrences::default();
    result
        .findings
        .iter()
        .map(|finding| occurrences.unique(audit_base(finding)))
        .collect()
}

/// The fingerprint of an audit finding before duplicates are counted.
fn audit_base(finding: &Finding) -> String {
    match &finding.subject {
        Some(subject) => digest(&[
            "audit",
            &finding.check,
            &subject.kind.to_string(),
            &subject.name,
        ]),
        None => digest(&["audit", &finding.check]),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use stockade_core::finding::Subject;
    use stockade_core::{Evidence, Severity, Status};

    use super::*;

    fn file(source: &str, lines: &[u32]) -> ScannedFile {
        let findings = lines
            .iter()
            .map(|&line| Finding {
                check: "dockerfile-runs-as-root".into(),
                status: Status::Fail,
                severity: Severity::High,
                subject: Some(Subject::file("Dockerfile")),
                message: "the image runs as root".into(),
                evidence: vec![Evidence::observed("USER root").at(Location::File {
                    path: "Dockerfile".into(),
                    line: Some(line),
                    column: Some(1),
                })],
            })
            .collect();
        ScannedFile {
            path: "Dockerfile".into(),
            kind: "dockerfile",
            findings,
            suppressed: Vec::new(),
            masks: Vec::new(),
            source: Some(source.into()),
        }
    }

    #[test]
    fn lines_inserted_above_keep_the_fingerprint() {
        let before = scan_fingerprints(&file("FROM x\nUSER  root\n", &[2]));
        let after = scan_fingerprints(&file("# a\n# b\nFROM x\nUSER root\n", &[4]));
        assert_eq!(before, after);
        let edited = scan_fingerprints(&file("FROM x\nUSER 0\n", &[2]));
        assert_ne!(before, edited);
    }

    #[test]
    fn identical_findings_get_distinct_fingerprints() {
        let twice = scan_fingerprints(&file("USER root\nUSER root\n", &[1, 2]));
        assert_ne!(twice[0], twice[1]);
        let once = scan_fingerprints(&file("USER root\n", &[1]));
        assert_eq!(once[0], twice[0]);
    }

    #[test]
    fn digests_separate_their_parts() {
        assert_eq!(digest(&["a", "b"]), digest(&["a", "b"]));
        assert_ne!(digest(&["ab", ""]), digest(&["a", "b"]));
        assert_eq!(digest(&["a"]).len(), 32);
    }
}
