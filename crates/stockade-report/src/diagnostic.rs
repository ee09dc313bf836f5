//! `stockade scan` text output: each finding shown like a compiler
//! diagnostic (severity and check id, message, `file:line:col`, the source
//! line with a caret under what was found), secrets masked.

use std::io::{self, Write};

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use stockade_core::finding::Subject;
use stockade_core::{Evidence, Finding, Location, Severity, Status};

use crate::scan::{Entry, Mask, ScanReport, ScannedFile};

/// Writes every finding, then a summary line. `color` adds ANSI styles.
pub fn render(report: &ScanReport<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    render_shown(report, out, color, &|_| true)
}

/// Like [`render`], printing only the findings `show` keeps; the summary
/// still counts every finding.
pub fn render_shown(
    report: &ScanReport<'_>,
    out: &mut dyn Write,
    color: bool,
    show: &dyn Fn(&Finding) -> bool,
) -> io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    for entry in report.entries().filter(|e| show(e.finding)) {
        let text = render_finding(report, entry, &renderer);
        writeln!(out, "{text}")?;
        writeln!(out)?;
    }
    summary(report, out)
}

fn level(finding: &Finding) -> Level<'static> {
    let name = match finding.status {
        Status::Error => "error".to_owned(),
        Status::Info => "info".to_owned(),
        Status::Warn => format!("warn({})", finding.severity),
        _ => finding.severity.to_string(),
    };
    let base = match (finding.status, finding.severity) {
        (Status::Error, _) | (_, Severity::Critical | Severity::High) => Level::ERROR,
        (Status::Info, _) | (_, Severity::Info) => Level::INFO,
        (_, Severity::Medium) | (Status::Warn, _) => Level::WARNING,
        (_, Severity::Low) => Level::NOTE,
    };
    base.with_name(Some(name))
}

/// The line, column and file of a finding's first located evidence.
fn position(finding: &Finding) -> Option<(&str, Option<u32>, Option<u32>, &Evidence)> {
    finding.evidence.iter().find_map(|e| match &e.location {
        Some(Location::File { path, line, column }) => Some((path.as_str(), *line, *column, e)),
        _ => None,
    })
}

fn render_finding(report: &ScanReport<'_>, entry: Entry<'_>, renderer: &Renderer) -> String {
    let Entry { file, finding, .. } = entry;
    let message = if entry.known {
        format!("{} [baseline]", finding.message)
    } else {
        finding.message.clone()
    };
    let title = level(finding)
        .primary_title(message)
        .id(finding.check.clone());
    let mut group: Group<'_> = match position(finding) {
        Some((path, Some(line), column, evidence)) => {
            match excerpt(file, line, column.unwrap_or(1)) {
                Some((text, span)) => title.element(
                    Snippet::source(text)
                        .line_start(line as usize)
                        .path(path.to_owned())
                        .annotation(AnnotationKind::Primary.span(span).label(label(evidence))),
                ),
                None => title.element(
                    Origin::path(path.to_owned())
                        .line(line as usize)
                        .char_column(column.unwrap_or(1) as usize),
                ),
            }
        }
        Some((path, None, _, _)) => title.element(Origin::path(path.to_owned())),
        None => title.element(Origin::path(file.path.clone())),
    };
    if let Some(subject) = finding.subject.as_ref().filter(|s| show_subject(s, file)) {
        group = group.element(Level::NOTE.no_name().message(format!("in {subject}")));
    }
    if finding.status == Status::Warn {
        group = group.element(
            Level::NOTE.message("warn: risky, but a deliberate choice can justify it".to_owned()),
        );
    }
    if entry.known {
        group = group.element(
            Level::NOTE
                .message("already in the baseline: not counted for the exit code".to_owned()),
        );
    }
    if let Some(rule) = report.rule(&finding.check) {
        if finding.status != Status::Error {
            group = group.element(Level::HELP.message(first_sentence(rule.meta.remediation)));
        }
        if let Some(cis) = rule.cis {
            group = group.element(Level::NOTE.message(cis.to_owned()));
        }
    }
    renderer.render(&[group])
}

fn show_subject(subject: &Subject, file: &ScannedFile) -> bool {
    subject.name != file.path
}

/// `observed; want expected` under the caret.
fn label(evidence: &Evidence) -> String {
    match &evidence.expected {
        Some(expected) => format!("{}; expected {expected}", evidence.observed),
        None => evidence.observed.clone(),
    }
}

/// The source line with secrets masked, and the byte range to underline:
/// from the column to the end of the line (trailing spaces excluded).
fn excerpt(file: &ScannedFile, line: u32, column: u32) -> Option<(String, std::ops::Range<usize>)> {
    let source = file.source.as_deref()?;
    let raw = source.lines().nth(line.checked_sub(1)? as usize)?;
    // What the scan found, then anything else the shared masker knows.
    let text = mask_line(raw, line, &file.masks);
    let text = stockade_core::mask::mask(&text).into_owned();
    let start = text
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(text.len(), |(i, _)| i);
    let end = text.trim_end().len().max(start);
    let end = if end == start {
        (start + text[start..].chars().next().map_or(0, char::len_utf8)).min(text.len())
    } else {
        end
    };
    Some((text, start..end))
}

/// The line with every masked range replaced by `****`.
pub fn mask_line(raw: &str, line: u32, masks: &[Mask]) -> String {
    let mut spans: Vec<(usize, Option<usize>)> = masks
        .iter()
        .filter(|m| m.line == line)
        .map(|m| {
            (
                m.column.saturating_sub(1) as usize,
                m.len.map(|l| l as usize),
            )
        })
        .collect();
    if spans.is_empty() {
        return raw.to_owned();
    }
    spans.sort_unstable();
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut at = 0;
    for (start, len) in spans {
        if start < at || start >= chars.len() {
            continue;
        }
        out.extend(&chars[at..start]);
        out.push_str("****");
        at = match len {
            Some(len) => (start + len).min(chars.len()),
            None => chars.len(),
        };
    }
    out.extend(&chars[at.min(chars.len())..]);
    out
}

/// Up to the first `. ` followed by a capital letter (so `e.g. x` stays whole).
fn first_sentence(text: &str) -> String {
    let end = text.match_indices(". ").find(|(at, _)| {
        text[at + 2..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    });
    match end {
        Some((at, _)) => text[..=at].trim().to_owned(),
        None => text.trim().to_owned(),
    }
}

pub fn summary(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let stats = &report.stats;
    let mut severities = Vec::new();
    for (n, name) in [
        (s.critical, "critical"),
        (s.high, "high"),
        (s.medium, "medium"),
        (s.low, "low"),
    ] {
        if n > 0 {
            severities.push(format!("{n} {name}"));
        }
    }
    writeln!(
        out,
        "{} finding{} in {} file{}: {} fail, {} warn, {} info, {} error{}",
        s.findings,
        plural(s.findings),
        s.files_with_findings,
        plural(s.files_with_findings),
        s.fail,
        s.warn,
        s.info,
        s.error,
        if severities.is_empty() {
            String::new()
        } else {
            format!(" ({})", severities.join(", "))
        }
    )?;
    writeln!(
        out,
        "scanned {} file{} ({} Dockerfile{}, {} Compose, {} Kubernetes, {} template{} not scanned, {} unreadable), {} object{} judged, {} finding{} suppressed",
        stats.files_scanned,
        plural(stats.files_scanned),
        stats.dockerfiles,
        plural(stats.dockerfiles),
        stats.compose_files,
        stats.kubernetes_files,
        stats.templates_skipped,
        plural(stats.templates_skipped),
        stats.unreadable,
        stats.objects,
        plural(stats.objects),
        s.suppressed,
        plural(s.suppressed)
    )?;
    if let Some(baseline) = &report.baseline {
        writeln!(out, "{}", baseline.summary_line("finding"))?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_replace_secret_ranges() {
        let masks = [
            Mask {
                line: 3,
                column: 17,
                len: Some(7),
            },
            Mask {
                line: 4,
                column: 14,
                len: None,
            },
        ];
        assert_eq!(
            mask_line("ENV DB_PASSWORD=hunter2 X=1", 3, &masks),
            "ENV DB_PASSWORD=**** X=1"
        );
        assert_eq!(
            mask_line("      value: hunter2 # x", 4, &masks),
            "      value: ****"
        );
        assert_eq!(mask_line("untouched", 5, &masks), "untouched");
    }
}
