//! Finding the files `stockade scan` reads: walks directories with the
//! `ignore` crate (honouring .gitignore, entering dot-folders such as
//! .github/ and .devcontainer/, skipping .git/), follows symbolic links and
//! reports loops and unreadable entries instead of stopping.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use stockade_checks::scan::{Candidate, candidate};

/// A file to scan.
#[derive(Debug)]
pub struct Target {
    pub path: PathBuf,
    /// The path as shown in reports.
    pub display: String,
    pub candidate: Candidate,
    /// Named on the command line (not found by walking a directory): never
    /// dropped silently, whatever it holds.
    pub named: bool,
}

/// What the walk produced.
#[derive(Debug)]
pub enum Walked {
    File(Target),
    /// An entry that could not be visited (a symlink loop, permissions).
    Error {
        path: String,
        reason: String,
    },
}

/// Every candidate file under `roots`, in a stable order.
pub fn discover(roots: &[PathBuf]) -> Vec<Walked> {
    let mut found = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(meta) if meta.is_dir() => {}
            // A file, or a FIFO or device the reader then refuses by name.
            Ok(_) => {
                found.push(Walked::File(Target {
                    display: display(root),
                    candidate: candidate_of_named_file(root),
                    path: root.clone(),
                    named: true,
                }));
                continue;
            }
            Err(error) => {
                found.push(Walked::Error {
                    path: display(root),
                    reason: missing_root(root, &error),
                });
                continue;
            }
        }
        let walker = WalkBuilder::new(root)
            .hidden(false)
            .follow_links(true)
            .filter_entry(|entry| entry.file_name() != ".git")
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let Some(kind) = entry.file_type() else {
                        continue;
                    };
                    if kind.is_dir() {
                        continue;
                    }
                    let name = entry.file_name().to_string_lossy();
                    if let Some(candidate) = candidate(&name) {
                        found.push(Walked::File(Target {
                            display: display(entry.path()),
                            path: entry.into_path(),
                            candidate,
                            named: false,
                        }));
                    }
                }
                Err(error) => found.push(walk_error(&error)),
            }
        }
    }
    found
}

/// Why a path named on the command line cannot be visited: a symbolic link
/// loop, a link to nothing, or nothing there at all.
fn missing_root(root: &Path, error: &std::io::Error) -> String {
    const TOO_MANY_LINKS: i32 = 40;
    if error.raw_os_error() == Some(TOO_MANY_LINKS) {
        return format!(
            "symbolic link loop: {} leads back to itself through symbolic links",
            display(root)
        );
    }
    if error.kind() != std::io::ErrorKind::NotFound {
        return format!("cannot read: {error}");
    }
    match std::fs::read_link(root) {
        Ok(target) => format!(
            "a symbolic link to {}, which does not exist",
            target.display()
        ),
        Err(_) => "no such file or directory".to_owned(),
    }
}

fn walk_error(error: &ignore::Error) -> Walked {
    let (path, reason) = describe(error);
    Walked::Error {
        path: path.map_or_else(|| "(unknown path)".to_owned(), |p| display(&p)),
        reason,
    }
}

fn describe(error: &ignore::Error) -> (Option<PathBuf>, String) {
    match error {
        ignore::Error::Loop { ancestor, child } => (
            Some(child.clone()),
            format!(
                "symbolic link loop: {} leads back to {}",
                display(child),
                display(ancestor)
            ),
        ),
        ignore::Error::WithPath { path, err } => (Some(path.clone()), describe(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe(err)
        }
        ignore::Error::Io(io) => (None, io.to_string()),
        other => (None, other.to_string()),
    }
}

/// The path as the user would type it: without a leading `./`.
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

/// A file the user named explicitly is scanned whatever its name: as a
/// Dockerfile when its name or first instruction says so, else as YAML.
fn candidate_of_named_file(path: &Path) -> Candidate {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(candidate) = candidate(&name) {
        return candidate;
    }
    // A file that cannot be read is reported when it is scanned.
    let head =
        stockade_collect::bounded::read_head(path, &display(path), HEAD_LEN).unwrap_or_default();
    candidate_of_content(&head)
}

/// Standard input (`scan -`) is parsed as what `--stdin-filename` names, or
/// what its first instruction says, like a file named on the command line.
pub fn candidate_of_stdin(name: Option<&str>, bytes: &[u8]) -> Candidate {
    let file_name = name
        .map(|n| {
            Path::new(n)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
        .unwrap_or_default();
    candidate(&file_name).unwrap_or_else(|| candidate_of_content(bytes))
}

/// How much of a file's start tells whether it is a Dockerfile.
const HEAD_LEN: u64 = 4096;

/// A Dockerfile when the first instruction is FROM or ARG, else YAML.
fn candidate_of_content(bytes: &[u8]) -> Candidate {
    let end = bytes.len().min(HEAD_LEN as usize);
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let first = head
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let keyword = first
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if matches!(keyword.as_str(), "FROM" | "ARG") {
        Candidate::Dockerfile
    } else {
        Candidate::Yaml
    }
}
