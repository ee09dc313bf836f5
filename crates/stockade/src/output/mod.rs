//! Where reports go: standard output (coloured when it is a terminal and
//! NO_COLOR is unset) or a file (never coloured, written atomically), in
//! both cases through the masking pass of [`masked`].

mod masked;

use masked::MaskedWriter;
pub use masked::masked;

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

/// Renders into a file or standard output (no path, or `-`). `render` gets
/// a writer, which masks every secret it is given, and whether colour is
/// wanted.
pub fn emit(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write, bool) -> io::Result<()>,
) -> anyhow::Result<()> {
    match path.filter(|p| !is_stdout(p)) {
        None => {
            let stdout = io::stdout();
            let mut stream = anstream::AutoStream::auto(stdout.lock());
            let color = !matches!(stream.current_choice(), anstream::ColorChoice::Never);
            // Standard output is line-buffered: a large report would cost one
            // write per line without this buffer.
            let buffered = io::BufWriter::with_capacity(1 << 16, &mut stream);
            let mut masked = MaskedWriter::new(buffered);
            render(&mut masked, color)?;
            masked.finish()?.flush()?;
            stream.flush()?;
            Ok(())
        }
        Some(path) => {
            let mut masked = MaskedWriter::new(Vec::new());
            render(&mut masked, false)?;
            let buffer = masked.finish()?;
            write_atomically(path, &buffer)
                .with_context(|| format!("cannot write {}", path.display()))
        }
    }
}

/// `-o -`: standard output, as for most Unix tools.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes through a temporary file in the same directory and a rename, so
/// readers never see a half-written file. A path that exists and is not a
/// regular file (`/dev/null`, a FIFO, `/dev/stdout`) is written in place:
/// renaming over it would replace the device or pipe with a file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    if fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
        let mut target = fs::OpenOptions::new().write(true).open(path)?;
        return target.write_all(contents);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.stockade-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;

    use super::*;

    #[test]
    fn regular_files_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        fs::write(&path, "old contents, longer than the new ones").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    /// `-o /dev/null` or `-o some.fifo` must write into the device or pipe,
    /// never rename a file over it.
    #[test]
    fn special_files_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                fs::File::open(fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        write_atomically(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
}
