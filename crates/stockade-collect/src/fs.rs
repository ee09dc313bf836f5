//! The audited host's filesystem, seen through `--host-root`.
//!
//! Paths are always written as the audited host sees them (`/etc/docker`).
//! Symlinks are resolved inside the root, so an absolute link in a mounted
//! host (`/var/run -> /run`) never escapes to the auditing machine's files.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::bounded::{self, ReadError};
use crate::vantage::Vantage;
use stockade_core::snapshot::{FileFacts, FileKind, FileStat, FileState};

/// Most symlinks followed while resolving one path (as the kernel's limit).
const MAX_SYMLINKS: usize = 40;

#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("{path}: too many levels of symbolic links (a symlink loop?)")]
    SymlinkLoop { path: String },
    #[error("{path}: permission denied")]
    PermissionDenied { path: String },
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

impl FsError {
    fn from_io(path: &str, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::PermissionDenied => FsError::PermissionDenied {
                path: path.to_owned(),
            },
            _ if source.raw_os_error() == Some(40) => FsError::SymlinkLoop {
                path: path.to_owned(),
            },
            _ => FsError::Io {
                path: path.to_owned(),
                source,
            },
        }
    }
}

/// Whether two paths name the same file (device and inode), e.g. a socket
/// mounted into this container and its path inside the mounted host root.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The audited host's root and its account names.
#[derive(Debug)]
pub struct HostFs {
    root: PathBuf,
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
    vantage: OnceLock<Vantage>,
}

impl HostFs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let mut host = HostFs {
            root: root.into(),
            users: HashMap::new(),
            groups: HashMap::new(),
            vantage: OnceLock::new(),
        };
        if let Ok(Some(passwd)) = host.read_text("/etc/passwd") {
            host.users = id_names(&passwd);
        }
        if let Ok(Some(group)) = host.read_text("/etc/group") {
            host.groups = id_names(&group);
        }
        host
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the audited host is this machine (`/`).
    pub fn is_live_root(&self) -> bool {
        self.root == Path::new("/")
    }

    /// What this process sees of the audited host (worked out once).
    pub fn vantage(&self) -> &Vantage {
        self.vantage.get_or_init(|| {
            if self.is_live_root() {
                Vantage {
                    same_host: Some("the audited root is /".to_owned()),
                    host_pid_namespace: true,
                    own_container: None,
                }
            } else {
                Vantage::of_mounted_root(&self.root)
            }
        })
    }

    /// Whether the audited host is this machine, or its root is mounted into
    /// a container that shares its pid namespace: either way, this machine's
    /// /proc shows the audited host's processes and kernel.
    pub fn sees_live_host(&self) -> bool {
        self.is_live_root() || self.vantage().sees_live_host()
    }

    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }

    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }

    /// Where a host path lives on this machine (no symlink resolution).
    pub fn local(&self, host_path: &str) -> PathBuf {
        self.root.join(host_path.trim_start_matches('/'))
    }

    /// Resolves symlinks inside the root. The result is a host path. Missing
    /// components end the resolution; the rest of the path is kept as given.
    pub fn resolve(&self, host_path: &str) -> Result<String, FsError> {
        let mut resolved: Vec<String> = Vec::new();
        let mut pending: Vec<String> = components(host_path).rev().collect();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            let candidate = self.root.join(resolved.join("/")).join(&part);
            match fs::symlink_metadata(&candidate) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(FsError::SymlinkLoop {
                            path: host_path.to_owned(),
                        });
                    }
                    let target =
                        fs::read_link(&candidate).map_err(|e| FsError::from_io(host_path, e))?;
                    let target = target.to_string_lossy().into_owned();
                    if target.starts_with('/') {
                        resolved.clear();
                    }
                    pending.extend(components(&target).rev());
                }
                Ok(_) => resolved.push(part),
                Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(20) => {
                    resolved.push(part);
                    resolved.extend(pending.drain(..).rev());
                    break;
                }
                Err(e) => return Err(FsError::from_io(host_path, e)),
            }
        }
        let mut out = String::from("/");
        out.push_str(&resolved.join("/"));
        Ok(out)
    }

    /// Mode, owner and kind of a host path (following symlinks).
    pub fn stat(&self, host_path: &str) -> FileFacts {
        let state = match self.resolve(host_path) {
            Err(error) => FileState::Error(error.to_string()),
            Ok(resolved) => match fs::symlink_metadata(self.local(&resolved)) {
                Ok(meta) => FileState::Present(self.file_stat(host_path, &resolved, &meta)),
                Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(20) => {
                    FileState::Absent
                }
                Err(e) => FileState::Error(FsError::from_io(host_path, e).to_string()),
            },
        };
        FileFacts {
            path: host_path.to_owned(),
            state,
        }
    }

    fn file_stat(&self, host_path: &str, resolved: &str, meta: &fs::Metadata) -> FileStat {
        let file_type = meta.file_type();
        let kind = if file_type.is_file() {
            FileKind::File
        } else if file_type.is_dir() {
            FileKind::Directory
        } else if file_type.is_socket() {
            FileKind::Socket
        } else {
            FileKind::Other
        };
        FileStat {
            kind,
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            user: self.user_name(meta.uid()).map(str::to_owned),
            group: self.group_name(meta.gid()).map(str::to_owned),
            size: meta.size(),
            canonical: (resolved != host_path.trim_end_matches('/') || host_path.is_empty())
                .then(|| resolved.to_owned()),
        }
    }

    /// Reads a host configuration file as text. `Ok(None)` when it does
    /// not exist; FIFOs, devices, binary and oversized files are errors.
    pub fn read_text(&self, host_path: &str) -> Result<Option<String>, FsError> {
        self.read_text_within(host_path, bounded::HOST_FILE)
    }

    /// Reads a text file of a kind with its own size limit.
    pub fn read_text_within(
        &self,
        host_path: &str,
        limit: bounded::Limit,
    ) -> Result<Option<String>, FsError> {
        let resolved = self.resolve(host_path)?;
        let local = self.local(&resolved);
        let bytes = match bounded::read_bytes_as(&local, host_path, limit) {
            Ok(bytes) => bytes,
            Err(error) if error.is_not_found() => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        if bytes.contains(&0) {
            return Err(FsError::Read(ReadError::Binary {
                path: host_path.to_owned(),
            }));
        }
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Names in a host directory, sorted. `Ok(None)` when it does not exist.
    pub fn list_dir(&self, host_path: &str) -> Result<Option<Vec<String>>, FsError> {
        let resolved = self.resolve(host_path)?;
        match fs::read_dir(self.local(&resolved)) {
            Ok(entries) => {
                let mut names: Vec<String> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                names.sort();
                Ok(Some(names))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(20) => {
                Ok(None)
            }
            Err(e) => Err(FsError::from_io(host_path, e)),
        }
    }

    /// Whether a host path exists (following symlinks inside the root).
    pub fn exists(&self, host_path: &str) -> bool {
        matches!(self.stat(host_path).state, FileState::Present(_))
    }

    /// Whether a host path is a directory.
    pub fn is_dir(&self, host_path: &str) -> bool {
        matches!(
            self.stat(host_path).state,
            FileState::Present(FileStat {
                kind: FileKind::Directory,
                ..
            })
        )
    }
}

fn components(path: &str) -> impl DoubleEndedIterator<Item = String> + '_ {
    path.split('/').filter(|c| !c.is_empty()).map(str::to_owned)
}

/// `name:x:id:...` lines of /etc/passwd or /etc/group as id → name (first wins).
fn id_names(text: &str) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    for line in text.lines() {
        let mut fields = line.split(':');
        let (Some(name), Some(_), Some(id)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        if let Ok(id) = id.trim().parse::<u32>() {
            names.entry(id).or_insert_with(|| name.to_owned());
        }
    }
    names
}

/// Joins a host path and a relative name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{PermissionsExt, symlink};

    use super::*;

    fn fake_root() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let p = root.path();
        fs::create_dir_all(p.join("etc/docker")).unwrap();
        fs::create_dir_all(p.join("run")).unwrap();
        fs::create_dir_all(p.join("var")).unwrap();
        fs::write(
            p.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        )
        .unwrap();
        fs::write(p.join("etc/group"), "root:x:0:\ndocker:x:998:alice,bob\n").unwrap();
        fs::write(p.join("etc/docker/daemon.json"), "{}").unwrap();
        symlink("/run", p.join("var/run")).unwrap();
        fs::write(p.join("run/docker.pid"), "1").unwrap();
        root
    }

    #[test]
    fn absolute_symlinks_stay_inside_the_root() {
        let root = fake_root();
        let host = HostFs::new(root.path());
        assert_eq!(
            host.resolve("/var/run/docker.pid").unwrap(),
            "/run/docker.pid"
        );
        let facts = host.stat("/var/run/docker.pid");
        let stat = facts.stat().unwrap();
        assert_eq!(stat.canonical.as_deref(), Some("/run/docker.pid"));
        assert_eq!(host.resolve("/var/run/absent/x").unwrap(), "/run/absent/x");
        assert_eq!(host.stat("/var/run/absent").state, FileState::Absent);
    }

    #[test]
    fn owners_resolve_through_the_hosts_own_files() {
        let root = fake_root();
        let path = root.path().join("etc/docker/daemon.json");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::chown(&path, Some(1000), Some(998)).ok();
        let host = HostFs::new(root.path());
        let facts = host.stat("/etc/docker/daemon.json");
        let stat = facts.stat().unwrap();
        assert_eq!(stat.mode, 0o640);
        if stat.uid == 1000 {
            assert_eq!(stat.user.as_deref(), Some("alice"));
            assert_eq!(stat.group.as_deref(), Some("docker"));
        }
        assert_eq!(stat.kind, FileKind::File);
    }

    #[test]
    fn symlink_loops_are_errors_not_hangs() {
        let root = fake_root();
        symlink("/etc/b", root.path().join("etc/a")).unwrap();
        symlink("/etc/a", root.path().join("etc/b")).unwrap();
        let host = HostFs::new(root.path());
        let facts = host.stat("/etc/a");
        assert!(
            matches!(&facts.state, FileState::Error(e) if e.contains("symbolic links")),
            "{facts:?}"
        );
        assert!(host.read_text("/etc/a").is_err());
    }

    #[test]
    fn text_reads_refuse_binary_and_missing_is_none() {
        let root = fake_root();
        fs::write(root.path().join("etc/bin"), b"\x7fELF\0\0").unwrap();
        let host = HostFs::new(root.path());
        assert!(matches!(
            host.read_text("/etc/bin"),
            Err(FsError::Read(ReadError::Binary { .. }))
        ));
        assert!(host.read_text("/etc/nope").unwrap().is_none());
        assert_eq!(
            host.read_text("/etc/docker/daemon.json")
                .unwrap()
                .as_deref(),
            Some("{}")
        );
    }
}
