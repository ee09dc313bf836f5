//! Finding the files `stockade scan` reads: walks directories with the
//! `ignore` crate (honouring .gitignore, entering dot-folders such as
//! .github/ and .devcontainer/, skipping .git/), follows symbolic links and
//! reports loops and unreadable entries instead of stopping; `--exclude`
//! globs (and the configuration's `exclude`) prune what the walk finds.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
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

/// Globs in .gitignore syntax, relative to `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchoredGlobs {
    pub root: PathBuf,
    pub globs: Vec<String>,
}

/// What the directory walk leaves out.
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    matchers: Vec<Gitignore>,
}

impl Exclusions {
    /// Adds globs relative to their root; a glob that does not parse is an
    /// error naming it.
    pub fn add(&mut self, globs: &AnchoredGlobs) -> Result<(), String> {
        if globs.globs.is_empty() {
            return Ok(());
        }
        self.matchers.push(matcher(globs)?);
        Ok(())
    }

    /// Whether the walk leaves out this entry (a pruned directory takes
    /// everything below it along).
    fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        if self.matchers.is_empty() {
            return false;
        }
        let Ok(absolute) = std::path::absolute(path) else {
            return false;
        };
        let absolute = without_dot_dot(&absolute);
        self.matchers
            .iter()
            .any(|m| m.matched(&absolute, is_dir).is_ignore())
    }
}

/// `/a/b/../c` as `/a/c`, so `scan ..` matches globs anchored above the
/// current directory (lexically: a symbolic link before `..` is not followed).
fn without_dot_dot(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// One glob's matcher: an error names the glob.
fn matcher(globs: &AnchoredGlobs) -> Result<Gitignore, String> {
    let mut builder = GitignoreBuilder::new(&globs.root);
    for glob in &globs.globs {
        builder
            .add_line(None, glob)
            .map_err(|e| format!("invalid exclude glob `{glob}`: {}", glob_error(&e)))?;
    }
    builder.build().map_err(|e| e.to_string())
}

fn glob_error(error: &ignore::Error) -> String {
    match error {
        ignore::Error::Glob { err, .. } => err.clone(),
        other => other.to_string(),
    }
}

/// Every candidate file under `roots`, in a stable order, without what
/// `exclusions` leaves out below a root.
pub fn discover(roots: &[PathBuf], exclusions: &Exclusions) -> Vec<Walked> {
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
        let exclusions = exclusions.clone();
        let walker = WalkBuilder::new(root)
            .hidden(false)
            .follow_links(true)
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                entry.file_name() != ".git"
                    && (entry.depth() == 0 || !exclusions.excludes(entry.path(), is_dir))
            })
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
