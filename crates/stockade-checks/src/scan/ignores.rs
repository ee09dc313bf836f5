//! Applying `# stockade:ignore` comments and `stockade.dev/ignore`
//! annotations, and reporting the ones without a reason or without effect.

use stockade_core::finding::{Evidence, Subject};
use stockade_core::{Finding, Location};
use stockade_parse::ignore::Ignore;

use super::engine::{IGNORE_UNUSED, IGNORE_WITHOUT_REASON};
use super::{FileScan, finding_position};
use crate::check::Check;

/// One ignore: which checks it silences, and on which lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    /// Where the comment or annotation is written.
    pub line: u32,
    pub column: u32,
    /// First and last line it covers.
    pub from_line: u32,
    pub to_line: u32,
    pub ids: Vec<String>,
    pub reason: Option<String>,
    /// A comment (`true`) or an annotation.
    pub comment: bool,
}

impl IgnoreRule {
    pub fn comment(ignore: Ignore) -> IgnoreRule {
        IgnoreRule {
            line: ignore.line,
            column: ignore.column,
            from_line: ignore.target_line,
            to_line: ignore.target_line,
            ids: ignore.ids,
            reason: ignore.reason,
            comment: true,
        }
    }

    pub fn object(
        line: u32,
        column: u32,
        from_line: u32,
        to_line: u32,
        ids: Vec<String>,
        reason: Option<String>,
    ) -> IgnoreRule {
        IgnoreRule {
            line,
            column,
            from_line,
            to_line,
            ids,
            reason,
            comment: false,
        }
    }

    fn covers(&self, id: &str, line: u32) -> bool {
        self.from_line <= line && line <= self.to_line && self.ids.iter().any(|i| i == id)
    }

    fn what(&self) -> &'static str {
        if self.comment {
            "ignore comment"
        } else {
            "ignore annotation"
        }
    }
}

/// Moves silenced findings aside and reports ignores that need attention.
pub(super) fn apply(file: &mut FileScan, checks: &[&Check]) {
    if file.ignores.is_empty() {
        return;
    }
    let mut used = vec![Vec::<&str>::new(); file.ignores.len()];
    let findings = std::mem::take(&mut file.findings);
    for finding in findings {
        let (line, _) = finding_position(&finding);
        let matching = file
            .ignores
            .iter()
            .position(|ignore| ignore.covers(&finding.check, line));
        match matching {
            Some(index) => {
                used[index].push(checks_id(checks, &finding.check));
                file.suppressed.push(finding);
            }
            None => file.findings.push(finding),
        }
    }
    let ran = |id: &str| checks.iter().any(|c| c.meta.id == id);
    let known = |id: &str| crate::registry::by_id(id).is_some();
    for (ignore, used) in file.ignores.iter().zip(&used) {
        let at = Location::file_at(&file.path, ignore.line, ignore.column);
        if ignore.reason.is_none() && ran(IGNORE_WITHOUT_REASON.meta.id) {
            file.findings.push(
                Finding::warn(
                    &IGNORE_WITHOUT_REASON.meta,
                    format!(
                        "{} for {} gives no reason",
                        ignore.what(),
                        ignore.ids.join(", ")
                    ),
                )
                .subject(Subject::file(&file.path))
                .evidence(
                    Evidence::observed("no `-- reason` after the check ids")
                        .expected("`stockade:ignore <id> -- <why this risk is accepted>`")
                        .at(at.clone()),
                ),
            );
        }
        if !ran(IGNORE_UNUSED.meta.id) {
            continue;
        }
        for id in &ignore.ids {
            let problem = if !known(id) {
                Some(format!(
                    "{} names `{id}`, which is not a check id",
                    ignore.what()
                ))
            } else if ran(id) && !used.contains(&id.as_str()) {
                Some(format!(
                    "{} for `{id}` silences nothing: the check found no problem there",
                    ignore.what()
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                file.findings.push(
                    Finding::warn(&IGNORE_UNUSED.meta, message)
                        .subject(Subject::file(&file.path))
                        .evidence(
                            Evidence::observed(format!("ignore for `{id}`"))
                                .expected(
                                    "an ignore on the line (or object) of a finding of that check",
                                )
                                .at(at.clone()),
                        ),
                );
            }
        }
    }
}

fn checks_id<'a>(checks: &[&'a Check], id: &str) -> &'a str {
    checks
        .iter()
        .find(|c| c.meta.id == id)
        .map_or("", |c| c.meta.id)
}
