//! Crash-safe writes for `--apply`, and the cleanup of what a killed run
//! left behind.
//!
//! Every file `--apply` writes — a patched target or the backup of its old
//! content — goes through the same steps: a temporary file beside it
//! (`.NAME.stockade-PID.tmp`), the content written and fsynced, a rename
//! over the final name, and an fsync of the directory. A kill at any point
//! leaves the final name either absent or old or complete, never short; at
//! worst a temporary file stays behind. Its name carries the writer's pid,
//! so the next run can tell a leftover of a dead run from the file of a run
//! still going, and remove it.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What ends the name of a temporary file.
const TEMP_SUFFIX: &str = ".tmp";
/// What precedes the pid in the name of a temporary file.
const TEMP_MARK: &str = ".stockade-";

/// Who owns a written file (kept from the file it replaces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

/// Where this process writes `path` before renaming it into place.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    dir.join(format!(
        ".{name}{TEMP_MARK}{}{TEMP_SUFFIX}",
        std::process::id()
    ))
}

/// Writes `contents` to `path` through a temporary file: create, write,
/// set mode and owner, fsync, rename, fsync the directory. On an error the
/// temporary file is removed and `path` is untouched.
pub fn write_file(path: &Path, contents: &[u8], mode: u32, owner: Option<Owner>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = temp_path(path);
    // A file of that name can only be a leftover of an earlier process
    // that had this pid.
    let _ = fs::remove_file(&temp);
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(contents)?;
        if let Some(owner) = owner {
            std::os::unix::fs::chown(&temp, Some(owner.uid), Some(owner.gid))?;
        }
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// A temporary file of a stockade run that is no longer running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leftover {
    pub path: PathBuf,
    pub pid: u32,
}

impl Leftover {
    /// What removing it is reported as.
    pub fn removed_message(&self) -> String {
        format!(
            "removed leftover temp file {} from an interrupted run (pid {})",
            self.path.display(),
            self.pid
        )
    }

    /// What a dry run warns about it.
    pub fn found_message(&self) -> String {
        format!(
            "leftover temp file {} from an interrupted run (pid {}); `stockade harden --apply` removes it",
            self.path.display(),
            self.pid
        )
    }
}

/// The pid in a temporary file's name (`.NAME.stockade-PID.tmp`).
pub fn temp_file_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let (name, pid) = rest.rsplit_once(TEMP_MARK)?;
    if name.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether `pid` is a stockade process still running (its temporary files
/// are in use). A pid now used by another program is not.
fn is_running_stockade(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == "stockade")
}

/// The leftovers of interrupted runs in these directories, oldest name
/// first. Directories that cannot be read are passed over (the write
/// into them reports the problem).
pub fn find_leftovers<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Vec<Leftover> {
    let mut dirs: Vec<&Path> = dirs.into_iter().collect();
    dirs.sort();
    dirs.dedup();
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = temp_file_pid(&name.to_string_lossy()) else {
                continue;
            };
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && !is_running_stockade(pid) {
                found.push(Leftover {
                    path: entry.path(),
                    pid,
                });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// Removes leftovers; returns what was removed and what could not be.
pub fn remove_leftovers(leftovers: &[Leftover]) -> (Vec<String>, Vec<String>) {
    let mut removed = Vec::new();
    let mut errors = Vec::new();
    for leftover in leftovers {
        match fs::remove_file(&leftover.path) {
            Ok(()) => removed.push(leftover.removed_message()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => errors.push(format!(
                "cannot remove leftover temp file {}: {e}",
                leftover.path.display()
            )),
        }
    }
    (removed, errors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn temp_names_carry_the_pid() {
        let temp = temp_path(Path::new("/x/compose.yaml"));
        let name = temp.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(temp_file_pid(&name), Some(std::process::id()));
        assert_eq!(temp_file_pid(".a.b.stockade-42.tmp"), Some(42));
        for name in [
            "a.stockade-1.tmp",
            ".stockade-1.tmp",
            ".a.stockade-.tmp",
            ".a.stockade-x.tmp",
        ] {
            assert_eq!(temp_file_pid(name), None, "{name}");
        }
    }

    #[test]
    fn files_are_replaced_whole_and_leftovers_of_dead_runs_found() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("Dockerfile");
        fs::write(&target, "old").unwrap();
        write_file(&target, b"new", 0o640, None).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o640
        );
        // A child that has exited: its pid is not a running stockade.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let leftover = dir.path().join(format!(".Dockerfile.stockade-{dead}.tmp"));
        fs::write(&leftover, "half").unwrap();
        let mine = temp_path(&target);
        fs::write(&mine, "in use").unwrap();
        let found = find_leftovers([dir.path()]);
        assert_eq!(
            found,
            [Leftover {
                path: leftover.clone(),
                pid: dead
            }]
        );
        let (removed, errors) = remove_leftovers(&found);
        assert!(errors.is_empty());
        assert_eq!(removed, [found[0].removed_message()]);
        assert!(!leftover.exists() && mine.exists());
    }
}
