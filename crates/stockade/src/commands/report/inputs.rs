//! The files a report reads: files as given, and every `*.json` under each
//! directory (recursively, hidden entries and symlinked directories left
//! out), in a stable order.

use std::path::{Path, PathBuf};

use stockade_report::fleet::InputProblem;

/// Directory levels walked below each directory given.
const MAX_DEPTH: usize = 16;

/// The files to read, and the arguments that gave none.
pub fn expand(arguments: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for argument in arguments {
        match std::fs::metadata(argument) {
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                walk(argument, 0, &mut files, &mut problems);
                if files.len() == before {
                    problems.push(problem(argument, "no *.json file in this directory"));
                }
            }
            Ok(_) => files.push(argument.clone()),
            Err(e) => problems.push(problem(argument, &format!("cannot read: {e}"))),
        }
    }
    // A file named twice (as a file and inside a directory) is one host.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(std::fs::canonicalize(file).unwrap_or_else(|_| file.clone())));
    (files, problems)
}

fn problem(path: &Path, message: &str) -> InputProblem {
    InputProblem {
        file: path.display().to_string(),
        message: format!("{}: {message}", path.display()),
    }
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>, problems: &mut Vec<InputProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(problem(dir, &format!("cannot list: {e}")));
            return;
        }
    };
    let mut children: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // file_type does not follow symlinks: a symlinked directory is not
        // walked (no loops); a symlinked file is read.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            children.push((path, true));
        } else if is_json(&path) {
            children.push((path, false));
        }
    }
    children.sort();
    for (path, is_dir) in children {
        if !is_dir {
            files.push(path);
        } else if depth < MAX_DEPTH {
            walk(&path, depth + 1, files, problems);
        }
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
}
