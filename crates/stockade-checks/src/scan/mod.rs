//! `stockade scan`: judges Dockerfiles, Compose files and Kubernetes
//! manifests. This module is pure: the caller reads the files (in parallel)
//! and hands their bytes to [`scan_bytes`]; [`finish`] then runs the rules
//! that look across files and applies the ignore comments and annotations.

mod engine;
mod ignores;
pub mod input;

use stockade_core::Finding;

pub use engine::{
    FILE_PARSE_ERROR, IGNORE_UNUSED, IGNORE_WITHOUT_REASON, TEMPLATE_NOT_SCANNED,
    YAML_DUPLICATE_KEY,
};
pub use ignores::IgnoreRule;

use crate::check::{Check, Runner};
use input::ClusterFacts;

/// Files larger than this are reported instead of parsed, unless the caller
/// chooses another limit.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// What a file was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Dockerfile,
    Compose,
    Kubernetes,
    /// A Helm (or other Go) template: not plain YAML, so not judged.
    Template,
    /// Could not be read or parsed at all.
    Unreadable,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
            FileKind::Kubernetes => "kubernetes",
            FileKind::Template => "template",
            FileKind::Unreadable => "unreadable",
        }
    }
}

/// Which parser a file name calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Candidate {
    Dockerfile,
    /// YAML or JSON: Compose or Kubernetes, decided by content.
    Yaml,
}

/// What `stockade harden` puts in the name of a backup.
pub const BACKUP_MARK: &str = ".stockade-backup-";

/// Whether a file name is one `stockade scan` looks at.
///
/// Dockerfiles: `Dockerfile`, `Containerfile`, `Dockerfile.*`, `Dockerfile-*`,
/// `Dockerfile_*`, `*.Dockerfile`, `*.containerfile` (any case). YAML and
/// JSON files are candidates; their content decides.
pub fn candidate(file_name: &str) -> Option<Candidate> {
    let lower = file_name.to_ascii_lowercase();
    // `stockade harden --apply` keeps `<file>.stockade-backup-<stamp>`:
    // the old version, not a file to judge (or patch) again.
    if lower.contains(BACKUP_MARK) {
        return None;
    }
    for base in ["dockerfile", "containerfile"] {
        if lower == base
            || lower
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
            || lower
                .strip_suffix(base)
                .is_some_and(|rest| rest.ends_with('.'))
        {
            // `Dockerfile.yaml` and friends are YAML, `.dockerignore` is neither.
            if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
                return Some(Candidate::Yaml);
            }
            if lower.ends_with(".md") || lower.ends_with(".txt") || lower.ends_with(".sh") {
                return None;
            }
            return Some(Candidate::Dockerfile);
        }
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
        return Some(Candidate::Yaml);
    }
    None
}

/// A secret's position in a file: excerpts print `****` there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mask {
    pub line: u32,
    pub column: u32,
    /// Characters to hide; `None` hides the rest of the line.
    pub len: Option<u32>,
}

/// Everything the scan learned about one file.
#[derive(Clone, Debug)]
pub struct FileScan {
    pub path: String,
    pub kind: FileKind,
    /// Findings still in force after ignores, ordered by position.
    pub findings: Vec<Finding>,
    /// Findings an ignore comment or annotation silenced.
    pub suppressed: Vec<Finding>,
    /// Where secrets are written, to mask in any excerpt.
    pub masks: Vec<Mask>,
    /// The text, kept while findings point into it.
    pub source: Option<String>,
    /// Objects judged: stages, services or Kubernetes objects.
    pub subjects: usize,
    pub ignores: Vec<IgnoreRule>,
    pub facts: ClusterFacts,
}

impl FileScan {
    fn new(path: &str, kind: FileKind) -> FileScan {
        FileScan {
            path: path.to_owned(),
            kind,
            findings: Vec::new(),
            suppressed: Vec::new(),
            masks: Vec::new(),
            source: None,
            subjects: 0,
            ignores: Vec::new(),
            facts: ClusterFacts::default(),
        }
    }
}

/// Scans one file's bytes. `None` means the file is not one stockade
/// judges (YAML that is neither Compose nor Kubernetes).
pub fn scan_bytes(
    path: &str,
    candidate: Candidate,
    bytes: &[u8],
    checks: &[&Check],
) -> Option<FileScan> {
    engine::scan_bytes(path, candidate, bytes, checks)
}

/// A file that could not be read at all (permission denied, a symlink loop,
/// too large): one `error` finding naming it.
pub fn unreadable(path: &str, reason: &str) -> FileScan {
    engine::unreadable(path, reason)
}

/// Runs the rules that look across files, applies ignores and orders the
/// findings. Call once, after every file was scanned.
pub fn finish(files: &mut [FileScan], checks: &[&Check]) {
    let mut facts = ClusterFacts::default();
    for file in files.iter_mut() {
        facts.merge(std::mem::take(&mut file.facts));
    }
    for check in checks {
        if let Runner::K8sSet(run) = check.runner {
            for finding in run(&check.meta, &facts) {
                let path = finding_path(&finding).unwrap_or_default();
                if let Some(file) = files.iter_mut().find(|f| f.path == path) {
                    file.findings.push(finding);
                }
            }
        }
    }
    for file in files.iter_mut() {
        ignores::apply(file, checks);
        file.findings.sort_by(|a, b| {
            finding_position(a)
                .cmp(&finding_position(b))
                .then_with(|| a.check.cmp(&b.check))
        });
        if file.findings.is_empty() {
            file.source = None;
        }
    }
}

/// The file a finding points into.
pub fn finding_path(finding: &Finding) -> Option<&str> {
    finding.evidence.iter().find_map(|e| match &e.location {
        Some(stockade_core::Location::File { path, .. }) => Some(path.as_str()),
        _ => None,
    })
}

/// The (line, column) a finding points at, (0, 0) when it has none.
pub fn finding_position(finding: &Finding) -> (u32, u32) {
    finding
        .evidence
        .iter()
        .find_map(|e| match &e.location {
            Some(stockade_core::Location::File { line, column, .. }) => {
                Some((line.unwrap_or(0), column.unwrap_or(0)))
            }
            _ => None,
        })
        .unwrap_or((0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_by_name() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.prod",
            "Dockerfile-WINDOWS_LTSC2019",
            "Dockerfile_arm",
            "api.Dockerfile",
            "web.containerfile",
        ] {
            assert_eq!(candidate(name), Some(Candidate::Dockerfile), "{name}");
        }
        for name in ["deploy.yaml", "compose.yml", "pod.json", "Dockerfile.yaml"] {
            assert_eq!(candidate(name), Some(Candidate::Yaml), "{name}");
        }
        for name in [
            ".dockerignore",
            "README.md",
            "Dockerfile.md",
            "main.rs",
            "Dockerfile.stockade-backup-20261125T082302Z",
            "compose.yaml.stockade-backup-20261125T082302Z",
        ] {
            assert_eq!(candidate(name), None, "{name}");
        }
    }
}
