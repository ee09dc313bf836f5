//! Where reports go: standard output (coloured when it is a terminal and
//! NO_COLOR is unset) or a file (never coloured, written atomically).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

/// Renders into a file or standard output. `render` gets a writer and
/// whether colour is wanted.
pub fn emit(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write, bool) -> io::Result<()>,
) -> anyhow::Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut stream = anstream::AutoStream::auto(stdout.lock());
            let color = !matches!(stream.current_choice(), anstream::ColorChoice::Never);
            // Standard output is line-buffered: a large report would cost one
            // write per line without this buffer.
            let mut buffered = io::BufWriter::with_capacity(1 << 16, &mut stream);
            render(&mut buffered, color)?;
            buffered.flush()?;
            drop(buffered);
            stream.flush()?;
            Ok(())
        }
        Some(path) => {
            let mut buffer = Vec::new();
            render(&mut buffer, false)?;
            write_atomically(path, &buffer)
                .with_context(|| format!("cannot write {}", path.display()))
        }
    }
}

/// Writes through a temporary file in the same directory and a rename, so
/// readers never see a half-written file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
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
