//! Which configuration file a run reads: `--config FILE`, none with
//! `--no-config`, else the first `.stockade.toml` (or `stockade.toml`) from
//! the current directory upward, stopping at the repository root (the
//! directory holding `.git`) so a file above a checkout never applies to it.

use std::path::{Path, PathBuf};

use anyhow::bail;

/// The names looked for in each directory, the first one winning.
pub const FILE_NAMES: [&str; 2] = [".stockade.toml", "stockade.toml"];

/// A configuration file to read.
#[derive(Debug)]
pub struct Located {
    pub path: PathBuf,
    /// The path as errors name it.
    pub shown: String,
    /// The directory relative paths in the file are taken from.
    pub dir: PathBuf,
}

/// The file `--config`/`--no-config` choose, or the one found upward from `cwd`.
pub fn locate(
    explicit: Option<&Path>,
    disabled: bool,
    cwd: &Path,
) -> anyhow::Result<Option<Located>> {
    if disabled {
        return Ok(None);
    }
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!(
                "--config {}: no such file (or not a regular file)",
                path.display()
            );
        }
        let absolute = std::path::absolute(path)?;
        let dir = absolute.parent().unwrap_or(cwd).to_owned();
        return Ok(Some(Located {
            shown: path.display().to_string(),
            path: absolute,
            dir,
        }));
    }
    Ok(discover(cwd))
}

/// The first configuration file in `cwd` or a parent directory.
fn discover(cwd: &Path) -> Option<Located> {
    for dir in cwd.ancestors() {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .filter(|path| path.is_file())
            .collect();
        if let Some(path) = found.first() {
            if let Some(ignored) = found.get(1) {
                crate::exit::report_warning(&format!(
                    "{} is ignored: {} is read instead (both are in the same directory)",
                    ignored.display(),
                    path.display()
                ));
            }
            return Some(Located {
                shown: shown(path, cwd),
                path: path.clone(),
                dir: dir.to_owned(),
            });
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Relative to the current directory when the file is in it, else absolute.
fn shown(path: &Path, cwd: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}
