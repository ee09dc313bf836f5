//! `stockade diff OLD.json NEW.json`: what changed between two threat
//! models, two audit results or two scan results.

use std::path::Path;

use stockade_collect::bounded;
use stockade_report::diff::{self, Document, ReadError};

use crate::cli::{DiffArgs, Format};
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &DiffArgs) -> anyhow::Result<Outcome> {
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let (old_name, new_name) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let diff = diff::compare(&old, &new).map_err(|mismatch| {
        anyhow::anyhow!(
            "{old_name} is {} but {new_name} is {}: diff compares two documents of the same kind",
            mismatch.old.describe(),
            mismatch.new.describe()
        )
    })?;
    output::emit(args.output.as_deref(), |out, color| match args.format {
        Format::Text => diff::render_text(&diff, &old_name, &new_name, out, color),
        Format::Json => diff::render_json(&diff, &old_name, &new_name, out),
    })?;
    Ok(if args.fail_on_new && diff.has_new_problems() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Reads one document; every error names the file (and the line and column
/// of a JSON syntax error).
fn load(path: &Path) -> anyhow::Result<Document> {
    let name = path.display();
    let text = bounded::read_text(path, bounded::DOCUMENT)?;
    diff::read(&text).map_err(|error| match &error {
        // serde_json counts the position before a line's first character as column 0.
        ReadError::Syntax { line, column, .. } => {
            anyhow::anyhow!("{name}:{line}:{}: {error}", (*column).max(1))
        }
        _ => anyhow::anyhow!("{name}: {error}"),
    })
}
