//! The one masking pass every byte stockade writes goes through.
//!
//! Reports, diffs, scripts, snapshots, error messages: whatever a renderer
//! produced, [`MaskedWriter`] hands it to the shared secret masker
//! ([`stockade_core::mask::LineMasker`]) line by line before it reaches
//! standard output, standard error or a file. A new format cannot forget
//! to mask: it only ever gets this writer.

use std::io::{self, Write};

use stockade_core::mask::LineMasker;

/// A writer that masks secrets line by line before passing text on.
pub struct MaskedWriter<W: Write> {
    inner: W,
    /// The start of a line not ended yet.
    pending: Vec<u8>,
    masker: LineMasker,
}

impl<W: Write> MaskedWriter<W> {
    pub fn new(inner: W) -> Self {
        MaskedWriter {
            inner,
            pending: Vec::new(),
            masker: LineMasker::default(),
        }
    }

    /// Writes the last, unterminated line and flushes.
    pub fn finish(mut self) -> io::Result<W> {
        let rest = std::mem::take(&mut self.pending);
        self.write_line(&rest)?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        match std::str::from_utf8(line) {
            Ok(text) => {
                let masked = self.masker.mask_line(text);
                self.inner.write_all(masked.as_bytes())
            }
            // Every renderer writes UTF-8; anything else is passed as is.
            Err(_) => self.inner.write_all(line),
        }
    }
}

impl<W: Write> Write for MaskedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(last_newline) = buf.iter().rposition(|&b| b == b'\n') else {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        };
        let mut lines = &buf[..=last_newline];
        if !self.pending.is_empty() {
            // The line begun by earlier writes ends in this one.
            let end = lines
                .iter()
                .position(|&b| b == b'\n')
                .map_or(0, |at| at + 1);
            let mut first = std::mem::take(&mut self.pending);
            first.extend_from_slice(&lines[..end]);
            self.write_line(&first)?;
            first.clear();
            self.pending = first;
            lines = &lines[end..];
        }
        for line in lines.split_inclusive(|&b| b == b'\n') {
            self.write_line(line)?;
        }
        self.pending.extend_from_slice(&buf[last_newline + 1..]);
        Ok(buf.len())
    }

    /// Passes on complete lines only: a half line could end in the middle
    /// of a secret.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `text` masked, for a message built in memory (an error on stderr).
pub fn masked(text: &str) -> String {
    stockade_core::mask::mask(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_split_across_writes_are_masked() {
        let mut writer = MaskedWriter::new(Vec::new());
        write!(writer, "  DB_PASS").unwrap();
        write!(writer, "WORD: hun").unwrap();
        writeln!(writer, "ter2\n      - --db-password").unwrap();
        write!(writer, "      - s3cret").unwrap();
        let out = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "  DB_PASSWORD: ****\n      - --db-password\n      - ****"
        );
    }
}
