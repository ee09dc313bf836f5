//! `--baseline FILE` and `--write-baseline FILE` of `scan`, `audit` and
//! `import`: reading a previous JSON result as a baseline, and writing this
//! run's JSON result as the next one.

use std::io::{self, Write};
use std::path::Path;

use stockade_report::baseline::Baseline;
use stockade_report::diff::DocumentKind;

use crate::output;

/// Reads `path` as a baseline for a run that writes documents of `kind`.
/// Every error names the file: unreadable, not JSON (with line and column),
/// another kind of document, a schema version this stockade does not read,
/// or findings without fingerprints.
pub fn load(path: &Path, kind: DocumentKind) -> anyhow::Result<Baseline> {
    let name = path.display().to_string();
    let document = super::diff::load(path).map_err(|e| anyhow::anyhow!("--baseline: {e:#}"))?;
    if document.kind != kind {
        anyhow::bail!(
            "--baseline {name}: it holds {}, but this run needs {}",
            document.kind.describe(),
            kind.describe()
        );
    }
    Baseline::from_document(&name, &document).map_err(|missing| {
        anyhow::anyhow!(
            "--baseline {name}: the finding {} has no fingerprint (written by an older stockade); write the baseline again with --write-baseline",
            missing.finding
        )
    })
}

/// `--baseline`, when given.
pub fn load_optional(path: Option<&Path>, kind: DocumentKind) -> anyhow::Result<Option<Baseline>> {
    path.map(|path| load(path, kind)).transpose()
}

/// Writes this run's JSON document to `path` (temporary file and rename),
/// whatever `--format` printed.
pub fn write(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let Some(path) = path else {
        return Ok(());
    };
    let mut buffer = Vec::new();
    render(&mut buffer)?;
    output::write_atomically(path, &buffer)
        .map_err(|e| anyhow::anyhow!("--write-baseline: cannot write {}: {e}", path.display()))
}
