//! `stockade diff OLD.json NEW.json`: what changed between two threat
//! models, two audit results or two scan results.

use std::path::Path;

use stockade_collect::bounded;
use stockade_report::diff::{self, Document, DocumentKind, ReadError, Threshold};

use crate::cli::{DiffArgs, DiffFormat};
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
    let threshold = fail_threshold(args, diff.kind)?;
    output::emit(args.output.as_deref(), |out, color| match args.format {
        DiffFormat::Text => diff::render_text(&diff, &old_name, &new_name, out, color),
        DiffFormat::Json => diff::render_json(&diff, &old_name, &new_name, out),
        DiffFormat::Markdown => diff::render_markdown(&diff, &old_name, &new_name, out),
    })?;
    let failing = threshold.is_some_and(|threshold| diff.has_new_problems_reaching(&threshold));
    Ok(if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `--fail-on-new` (anything new), or `--fail-on`: a severity for audit and
/// scan results, a risk (1–25 or a band) for threat models; `none` never.
fn fail_threshold(args: &DiffArgs, kind: DocumentKind) -> anyhow::Result<Option<Threshold>> {
    if args.fail_on_new {
        return Ok(Some(Threshold::Any));
    }
    let Some(text) = args.fail_on.as_deref() else {
        return Ok(None);
    };
    if text.eq_ignore_ascii_case("none") || text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    Ok(Some(match kind {
        DocumentKind::ThreatModel => match super::model::risk_threshold(text)? {
            Some(risk) => Threshold::Risk(i64::from(risk)),
            None => return Ok(None),
        },
        DocumentKind::Audit | DocumentKind::Scan => {
            let severity = super::audit::fail_threshold(text)?;
            severity.map_or(Threshold::Any, |s| {
                Threshold::Severity(s.as_str().to_owned())
            })
        }
    }))
}

/// Reads one document; every error names the file (and the line and column
/// of a JSON syntax error).
pub(crate) fn load(path: &Path) -> anyhow::Result<Document> {
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
