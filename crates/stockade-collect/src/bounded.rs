//! The one way stockade reads a file: regular files only, never blocking,
//! never more than the cap for that kind of input.
//!
//! The file type is checked before `open` (a FIFO would block `open` until a
//! writer appears; a device such as `/dev/zero` never ends), the file is
//! opened with `O_NONBLOCK` and checked again with `fstat` (it may have been
//! swapped meanwhile), and at most one byte past the cap is read, so a file
//! that grows while it is read is caught too.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// How much of one kind of input stockade reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What the input is, as the size error says it: "a snapshot".
    pub what: &'static str,
    pub max_bytes: u64,
}

const MIB: u64 = 1024 * 1024;

/// daemon.json, /etc/passwd, audit rules, kubeconfigs… on the audited host.
pub const HOST_FILE: Limit = Limit {
    what: "a host configuration file",
    max_bytes: 4 * MIB,
};
/// A systemd unit or drop-in.
pub const UNIT_FILE: Limit = Limit {
    what: "a systemd unit file",
    max_bytes: 4 * MIB,
};
/// A snapshot written by `stockade collect`.
pub const SNAPSHOT: Limit = Limit {
    what: "a snapshot",
    max_bytes: 256 * MIB,
};
/// An audit, scan, threat-model or plan JSON document (`--from`, `diff`,
/// `report`, `--evidence`).
pub const DOCUMENT: Limit = Limit {
    what: "a stockade JSON document",
    max_bytes: 256 * MIB,
};
/// A docker-bench log or kube-bench result (`import`).
pub const IMPORT: Limit = Limit {
    what: "a benchmark log to import",
    max_bytes: 256 * MIB,
};
/// A user model file (`model -m`).
pub const MODEL_FILE: Limit = Limit {
    what: "a model file",
    max_bytes: 16 * MIB,
};

/// A file `harden` edits: one the scan read, so within any
/// `--max-file-size` a user is likely to give.
pub const EDITED_FILE: Limit = Limit {
    what: "a file to edit",
    max_bytes: 256 * MIB,
};

impl Limit {
    /// A limit chosen by the user (`scan --max-file-size`).
    pub fn custom(what: &'static str, max_bytes: u64) -> Limit {
        Limit { what, max_bytes }
    }
}

/// Why a file was not read. Every message starts with the file's name.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: permission denied")]
    PermissionDenied { path: String },
    #[error("{path}: too many levels of symbolic links (a symbolic link loop)")]
    SymlinkLoop { path: String },
    #[error("{path}: is a directory, not a file")]
    Directory { path: String },
    #[error("{path}: {kind}, not a regular file: not read")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path}: {}larger than the {} {what} may be", size.map(|s| format!("{}, ", human_size(s))).unwrap_or_default(), exact_size(*max))]
    TooLarge {
        path: String,
        /// The size, when known before reading (a stream's is not).
        size: Option<u64>,
        max: u64,
        what: &'static str,
    },
    #[error("{path}: binary content (a NUL byte), not text")]
    Binary { path: String },
    #[error("{path}: not UTF-8 text (invalid byte on line {line})")]
    NotUtf8 { path: String, line: usize },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

impl ReadError {
    /// Whether the file does not exist (callers often treat that as "unset").
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound { .. })
    }

    /// The file the error is about, as it was named.
    pub fn path(&self) -> &str {
        match self {
            ReadError::NotFound { path }
            | ReadError::PermissionDenied { path }
            | ReadError::SymlinkLoop { path }
            | ReadError::Directory { path }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Binary { path }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }

    /// The message without the file's name in front (for a finding whose
    /// subject already names the file).
    pub fn reason(&self) -> String {
        let message = self.to_string();
        let prefix = format!("{}: ", self.path());
        message
            .strip_prefix(&prefix)
            .map_or_else(|| message.clone(), str::to_owned)
    }

    pub fn from_io(path: &str, source: io::Error) -> Self {
        let path = path.to_owned();
        // ENOTDIR: a path component is a file, so the path does not exist.
        const NOT_A_DIRECTORY: i32 = 20;
        const TOO_MANY_LINKS: i32 = 40;
        match source.raw_os_error() {
            Some(NOT_A_DIRECTORY) => return ReadError::NotFound { path },
            Some(TOO_MANY_LINKS) => return ReadError::SymlinkLoop { path },
            _ => {}
        }
        match source.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound { path },
            io::ErrorKind::PermissionDenied => ReadError::PermissionDenied { path },
            _ => ReadError::Io { path, source },
        }
    }
}

/// `300 MiB`, `12 KiB`, `17 bytes`.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    if bytes >= MIB {
        let tenths = (bytes * 10 + MIB / 2) / MIB;
        match tenths % 10 {
            0 => format!("{} MiB", tenths / 10),
            d => format!("{}.{d} MiB", tenths / 10),
        }
    } else if bytes >= KIB {
        format!("{} KiB", bytes.div_ceil(KIB))
    } else {
        format!("{bytes} bytes")
    }
}

/// A limit, exactly: `256 MiB`, `64 KiB`, `1000 bytes`.
pub fn exact_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file that is not a regular file is, in words.
fn kind_of(file_type: fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        None
    } else if file_type.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if file_type.is_socket() {
        Some("a socket")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else if file_type.is_symlink() {
        Some("a symbolic link")
    } else {
        Some("not a regular file")
    }
}

/// Refuses what is not a regular file no larger than the limit.
fn check_metadata(meta: &fs::Metadata, shown: &str, limit: Limit) -> Result<(), ReadError> {
    let file_type = meta.file_type();
    if file_type.is_dir() {
        return Err(ReadError::Directory {
            path: shown.to_owned(),
        });
    }
    if let Some(kind) = kind_of(file_type) {
        return Err(ReadError::NotRegular {
            path: shown.to_owned(),
            kind,
        });
    }
    check_size(meta.len(), Some(meta.len()), shown, limit)
}

/// `read` bytes are too many; `known` is the size to tell, if any.
fn check_size(read: u64, known: Option<u64>, shown: &str, limit: Limit) -> Result<(), ReadError> {
    if read > limit.max_bytes {
        return Err(ReadError::TooLarge {
            path: shown.to_owned(),
            size: known,
            max: limit.max_bytes,
            what: limit.what,
        });
    }
    Ok(())
}

/// Reads `path` (following symbolic links), naming it as the user wrote it.
pub fn read_bytes(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    read_bytes_as(path, &path.display().to_string(), limit)
}

/// Reads `path`, naming it `shown` in errors (a host path under `--host-root`).
pub fn read_bytes_as(path: &Path, shown: &str, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_regular(path, shown, limit)?;
    read_capped(file, shown, limit, usize::try_from(size).unwrap_or(0))
}

/// The first `len` bytes of a regular file, whatever its size (to tell
/// what a file is from how it starts).
pub fn read_head(path: &Path, shown: &str, len: u64) -> Result<Vec<u8>, ReadError> {
    let unlimited = Limit::custom("a file", u64::MAX);
    let (file, _) = open_regular(path, shown, unlimited)?;
    let mut head = Vec::new();
    file.take(len)
        .read_to_end(&mut head)
        .map_err(|e| ReadError::from_io(shown, e))?;
    Ok(head)
}

/// Opens a regular file within the limit without blocking: the type is
/// checked before `open` and again, on the open file, after it (the path
/// may name another file by then). Returns the file and its size.
fn open_regular(path: &Path, shown: &str, limit: Limit) -> Result<(fs::File, u64), ReadError> {
    let before = fs::metadata(path).map_err(|e| ReadError::from_io(shown, e))?;
    check_metadata(&before, shown, limit)?;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(|e| ReadError::from_io(shown, e))?;
    let opened = file.metadata().map_err(|e| ReadError::from_io(shown, e))?;
    check_metadata(&opened, shown, limit)?;
    Ok((file, opened.len()))
}

/// Reads a stream (standard input) up to the limit.
pub fn read_stream(reader: impl Read, shown: &str, limit: Limit) -> Result<Vec<u8>, ReadError> {
    read_capped(reader, shown, limit, 0)
}

fn read_capped(
    reader: impl Read,
    shown: &str,
    limit: Limit,
    capacity: usize,
) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::from_io(shown, e))?;
    // Only one byte past the cap was read: the real size is unknown.
    check_size(bytes.len() as u64, None, shown, limit)?;
    Ok(bytes)
}

/// Reads a text file: no NUL byte, valid UTF-8 (a leading BOM is kept).
pub fn read_text(path: &Path, limit: Limit) -> Result<String, ReadError> {
    let shown = path.display().to_string();
    text_of(read_bytes_as(path, &shown, limit)?, &shown)
}

/// Standard input as text, up to the limit.
pub fn read_text_stream(reader: impl Read, shown: &str, limit: Limit) -> Result<String, ReadError> {
    text_of(read_stream(reader, shown, limit)?, shown)
}

/// The bytes as text, or why they are not.
pub fn text_of(bytes: Vec<u8>, shown: &str) -> Result<String, ReadError> {
    if bytes.contains(&0) {
        return Err(ReadError::Binary {
            path: shown.to_owned(),
        });
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        ReadError::NotUtf8 {
            path: shown.to_owned(),
            line: valid.iter().filter(|b| **b == b'\n').count() + 1,
        }
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixListener;
    use std::time::{Duration, Instant};

    use super::*;

    const SMALL: Limit = Limit {
        what: "a test file",
        max_bytes: 16,
    };

    #[test]
    fn regular_files_within_the_cap_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "hello").unwrap();
        assert_eq!(read_text(&path, SMALL).unwrap(), "hello");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daemon.json");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let started = Instant::now();
        let error = read_bytes(&path, SMALL).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            error.to_string(),
            format!(
                "{}: a named pipe (FIFO), not a regular file: not read",
                path.display()
            )
        );
    }

    #[test]
    fn devices_sockets_and_directories_are_refused() {
        let error = read_bytes(Path::new("/dev/zero"), SMALL).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/dev/zero: a character device, not a regular file: not read"
        );
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("s.sock");
        let _listener = UnixListener::bind(&socket).unwrap();
        assert!(
            read_bytes(&socket, SMALL)
                .unwrap_err()
                .to_string()
                .ends_with("a socket, not a regular file: not read")
        );
        assert!(matches!(
            read_bytes(dir.path(), SMALL),
            Err(ReadError::Directory { .. })
        ));
    }

    #[test]
    fn the_cap_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let file = fs::File::create(&path).unwrap();
        file.set_len(300 * MIB).unwrap();
        let error = read_bytes(&path, SNAPSHOT).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: 300 MiB, larger than the 256 MiB a snapshot may be",
                path.display()
            )
        );
        let error = read_stream(&b"0123456789abcdefXYZ"[..], "standard input", SMALL);
        assert_eq!(
            error.unwrap_err().to_string(),
            "standard input: larger than the 16 bytes a test file may be"
        );
    }

    #[test]
    fn heads_of_large_files_are_read_and_fifos_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile.big");
        fs::write(&path, "FROM alpine\n".repeat(1000)).unwrap();
        assert_eq!(read_head(&path, "x", 4).unwrap(), b"FROM");
        let fifo = dir.path().join("pipe");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let error = read_head(&fifo, "pipe", 4).unwrap_err();
        assert_eq!(
            error.reason(),
            "a named pipe (FIFO), not a regular file: not read"
        );
    }

    #[test]
    fn binary_and_non_utf8_text_are_told_apart() {
        let error = text_of(b"a\0b".to_vec(), "x").unwrap_err();
        assert!(matches!(error, ReadError::Binary { .. }), "{error}");
        let error = text_of(b"a\nb\n\xff".to_vec(), "x").unwrap_err();
        assert_eq!(
            error.to_string(),
            "x: not UTF-8 text (invalid byte on line 3)"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(17), "17 bytes");
        assert_eq!(human_size(4096), "4 KiB");
        assert_eq!(human_size(256 * MIB), "256 MiB");
        assert_eq!(human_size(MIB + MIB / 2), "1.5 MiB");
        assert_eq!(exact_size(64 * 1024), "64 KiB");
        assert_eq!(exact_size(1000), "1000 bytes");
    }

    #[test]
    fn missing_files_and_loops_say_so() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            read_bytes(&dir.path().join("absent"), SMALL)
                .unwrap_err()
                .is_not_found()
        );
        std::os::unix::fs::symlink("b", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(matches!(
            read_bytes(&dir.path().join("a"), SMALL),
            Err(ReadError::SymlinkLoop { .. })
        ));
    }
}
