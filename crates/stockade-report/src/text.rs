//! Human-readable audit output, grouped by CIS section the way CIS
//! benchmark tools print it, with the evidence under every line that needs
//! attention.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use stockade_core::cis::{self, Benchmark};
use stockade_core::finding::{Subject, SubjectKind};
use stockade_core::{Evidence, Finding, Location, Status};

use crate::baseline::BaselineMatch;
use crate::fingerprint;
use crate::model::{AuditReport, CheckResult, Summary};

/// Colours by status; empty when colour is off.
struct Palette<'b> {
    enabled: bool,
    /// Set by `--baseline`: findings it holds are marked `[baseline]`.
    baseline: Option<&'b BaselineMatch>,
    /// The Docker endpoint's path (or URL) when the Engine API could not be
    /// reached: error messages naming it are shortened, the banner above the
    /// sections carries the whole reason once.
    unreachable: Option<String>,
}

impl Palette<'_> {
    /// A finding's message as printed: an error caused by the unreachable
    /// daemon keeps only what could not be done (`the Engine API is
    /// unavailable`), the reason being in the banner. JSON keeps the whole.
    fn message<'m>(&self, finding: &'m Finding) -> std::borrow::Cow<'m, str> {
        match &self.unreachable {
            Some(needle)
                if finding.status == Status::Error && finding.message.contains(needle.as_str()) =>
            {
                match finding.message.split_once(": ") {
                    Some((what, _)) if !what.contains(needle.as_str()) => {
                        format!("{what} (no daemon, see above)").into()
                    }
                    _ => "no daemon, see above".into(),
                }
            }
            _ => finding.message.as_str().into(),
        }
    }

    fn status(&self, status: Status) -> Style {
        if !self.enabled {
            return Style::new();
        }
        match status {
            Status::Pass => AnsiColor::Green.on_default(),
            Status::Fail => AnsiColor::Red.on_default().bold(),
            Status::Warn => AnsiColor::Yellow.on_default().bold(),
            Status::Manual => AnsiColor::Cyan.on_default(),
            Status::Info => AnsiColor::Blue.on_default(),
            Status::NotApplicable => Style::new().dimmed(),
            Status::Error => AnsiColor::Magenta.on_default().bold(),
        }
    }

    fn dim(&self) -> Style {
        if self.enabled {
            Style::new().dimmed()
        } else {
            Style::new()
        }
    }

    fn bold(&self) -> Style {
        if self.enabled {
            Style::new().bold()
        } else {
            Style::new()
        }
    }
}

fn label(status: Status) -> &'static str {
    match status {
        Status::Pass => "[PASS]  ",
        Status::Fail => "[FAIL]  ",
        Status::Warn => "[WARN]  ",
        Status::Manual => "[MANUAL]",
        Status::Info => "[INFO]  ",
        Status::NotApplicable => "[N/A]   ",
        Status::Error => "[ERROR] ",
    }
}

/// Writes the report. `color` adds ANSI styles.
pub fn render(report: &AuditReport<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    render_shown(report, None, out, color, &|_| true)
}

/// Header and summary, no check (`audit --quiet`).
pub fn render_summary(
    report: &AuditReport<'_>,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    let palette = Palette {
        enabled: color,
        baseline: None,
        unreachable: None,
    };
    header(report, out, &palette)?;
    footer(report, out, &palette)
}

/// Like [`render`], listing only the checks `show` keeps; the summary still
/// counts every check. Findings `baseline` holds are marked `[baseline]`.
pub fn render_shown(
    report: &AuditReport<'_>,
    baseline: Option<&BaselineMatch>,
    out: &mut dyn Write,
    color: bool,
    show: &dyn Fn(&CheckResult<'_>) -> bool,
) -> io::Result<()> {
    let mut palette = Palette {
        enabled: color,
        baseline,
        unreachable: None,
    };
    header(report, out, &palette)?;
    if let Some((needle, reason)) = unreachable_daemon(report) {
        let style = palette.status(Status::Error);
        writeln!(out)?;
        writeln!(
            out,
            "{style}{}{style:#} Docker daemon unreachable: {reason}",
            label(Status::Error)
        )?;
        writeln!(
            out,
            "{:>9}The checks that need it say \"no daemon, see above\".",
            ""
        )?;
        palette.unreachable = Some(needle);
    }

    let mut ordered: Vec<&CheckResult<'_>> = report.results.iter().filter(|r| show(r)).collect();
    ordered.sort_by(|a, b| match (a.cis_number, b.cis_number) {
        (Some(x), Some(y)) => cis::compare_numbers(x, y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.meta.id.cmp(b.meta.id),
    });

    let mut open_sections: Vec<String> = Vec::new();
    let mut outside_benchmark = false;
    for result in ordered {
        match result.cis_number {
            Some(number) => {
                for section in sections_of(number) {
                    if !open_sections.contains(&section) {
                        // A section without a known title is shown by its number alone.
                        let title = report
                            .benchmark
                            .section_title(&report.cis_version, &section)
                            .map(|t| format!(" - {t}"))
                            .unwrap_or_default();
                        let dim = palette.dim();
                        writeln!(out)?;
                        writeln!(out, "{dim}{}{dim:#} {section}{title}", label(Status::Info))?;
                        open_sections.push(section);
                    }
                }
            }
            None if !outside_benchmark => {
                outside_benchmark = true;
                writeln!(out)?;
                writeln!(
                    out,
                    "{}         Checks without a number in {} v{}",
                    label(Status::Info),
                    report.benchmark,
                    report.cis_version
                )?;
            }
            None => {}
        }
        check_block(result, out, &palette)?;
    }
    footer(report, out, &palette)
}

/// When the Engine API did not answer: the endpoint as error messages name
/// it, and the reason most of them give (`no Docker socket at …`).
fn unreachable_daemon(report: &AuditReport<'_>) -> Option<(String, String)> {
    let target = &report.target;
    if target.engine_version.is_some() {
        return None;
    }
    let endpoint = target.endpoint.as_deref()?;
    let needle = endpoint.strip_prefix("unix://").unwrap_or(endpoint);
    if needle.is_empty() {
        return None;
    }
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for finding in report.results.iter().flat_map(|r| &r.findings) {
        if finding.status != Status::Error || !finding.message.contains(needle) {
            continue;
        }
        let reason = match finding.message.split_once(": ") {
            Some((what, reason)) if !what.contains(needle) => reason,
            _ => finding.message.as_str(),
        };
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += 1,
            None => reasons.push((reason, 1)),
        }
    }
    // The most common reason; the first seen among equals.
    let mut best: Option<(&str, usize)> = None;
    for (reason, count) in reasons {
        if best.is_none_or(|(_, most)| count > most) {
            best = Some((reason, count));
        }
    }
    best.map(|(reason, _)| (needle.to_owned(), reason.to_owned()))
}

fn header(report: &AuditReport<'_>, out: &mut dyn Write, palette: &Palette) -> io::Result<()> {
    let bold = palette.bold();
    let target = &report.target;
    writeln!(
        out,
        "{bold}stockade {} · {} v{}{bold:#}",
        env!("CARGO_PKG_VERSION"),
        report.benchmark,
        report.cis_version
    )?;
    let mut parts = Vec::new();
    parts.push(format!(
        "host {}{}",
        target.hostname.as_deref().unwrap_or("(unknown)"),
        target
            .os
            .as_deref()
            .map(|os| format!(" ({os})"))
            .unwrap_or_default()
    ));
    if target.root != "/" && !target.root.is_empty() {
        parts.push(format!("root {}", target.root));
    }
    if let Some(endpoint) = &target.endpoint {
        match &target.engine_version {
            Some(version) => parts.push(format!("Docker {version} at {endpoint}")),
            None => parts.push(format!("Docker at {endpoint} (unreachable)")),
        }
    }
    parts.push(format!(
        "collected {} ({})",
        target.collected_at, target.source
    ));
    writeln!(out, "{}", parts.join(" · "))
}

/// `1.1.4` → [`1`, `1.1`]; `2.2` → [`2`].
fn sections_of(number: &str) -> Vec<String> {
    let parts: Vec<&str> = number.split('.').collect();
    (1..parts.len()).map(|n| parts[..n].join(".")).collect()
}

fn check_block(result: &CheckResult<'_>, out: &mut dyn Write, palette: &Palette) -> io::Result<()> {
    let status = result.status();
    let style = palette.status(status);
    let dim = palette.dim();
    let number = result.cis_number.unwrap_or("-");
    write!(
        out,
        "{style}{}{style:#} {number:<7} {} {dim}[{}]{dim:#}",
        label(status),
        result.meta.title,
        result.meta.id
    )?;
    if status == Status::NotApplicable {
        let reason = result
            .findings
            .first()
            .map_or("".into(), |f| palette.message(f));
        writeln!(out, " {dim}— {reason}{dim:#}")?;
        return Ok(());
    }
    writeln!(out)?;
    if status == Status::Pass {
        return Ok(());
    }
    let fingerprints = fingerprint::audit_fingerprints(result);
    let shown: Vec<Shown<'_>> = result
        .findings
        .iter()
        .zip(&fingerprints)
        .filter(|(f, _)| !matches!(f.status, Status::Pass | Status::NotApplicable))
        .map(|(finding, print)| Shown {
            finding,
            known: palette.baseline.is_some_and(|b| b.holds(finding, print)),
        })
        .collect();
    // Findings that say the same thing about several containers or images,
    // with nothing else to show, are listed on one line.
    let mut at = 0;
    while at < shown.len() {
        let first = shown[at];
        let same = shown[at..]
            .iter()
            .take_while(|s| {
                is_bare(s.finding)
                    && is_bare(first.finding)
                    && s.known == first.known
                    && s.finding.status == first.finding.status
                    && s.finding.message == first.finding.message
            })
            .count();
        if same > 1 {
            let group: Vec<&Finding> = shown[at..at + same].iter().map(|s| s.finding).collect();
            same_line(&group, first.known, out, palette)?;
            at += same;
        } else {
            finding_block(first.finding, first.known, out, palette)?;
            at += 1;
        }
    }
    let passing = result
        .findings
        .iter()
        .filter(|f| f.status == Status::Pass)
        .count();
    if passing > 0 {
        writeln!(out, "{:>17}{dim}+ {passing} passing{dim:#}", "")?;
    }
    Ok(())
}

/// A finding listed under its check, and whether the baseline holds it.
#[derive(Clone, Copy)]
struct Shown<'f> {
    finding: &'f Finding,
    known: bool,
}

/// ` [baseline]` after a finding the baseline holds.
fn baseline_mark(known: bool, palette: &Palette) -> String {
    let dim = palette.dim();
    if known {
        format!(" {dim}[baseline]{dim:#}")
    } else {
        String::new()
    }
}

fn finding_block(
    finding: &Finding,
    known: bool,
    out: &mut dyn Write,
    palette: &Palette,
) -> io::Result<()> {
    let style = palette.status(finding.status);
    let marker = match finding.status {
        Status::Fail | Status::Error => "✗",
        Status::Warn => "!",
        _ => "?",
    };
    // A container or image is always named (with its short id): the message
    // is about it. A file is named only when the message does not say it.
    let subject = match &finding.subject {
        Some(subject) if is_object(subject) => format!("{subject}: "),
        Some(subject) if !finding.message.contains(&subject.name) => format!("{subject}: "),
        _ => String::new(),
    };
    writeln!(
        out,
        "{:>17}{style}{marker}{style:#} {subject}{}{}",
        "",
        palette.message(finding),
        baseline_mark(known, palette)
    )?;
    for evidence in &finding.evidence {
        match own_field(finding.subject.as_ref(), evidence) {
            Some(field) => field_line(field, evidence, out, palette)?,
            None => evidence_lines(evidence, out, palette)?,
        }
    }
    Ok(())
}

/// A finding about a container or image with no evidence of its own.
fn is_bare(finding: &Finding) -> bool {
    finding.evidence.is_empty() && finding.subject.as_ref().is_some_and(is_object)
}

/// `? uses the daemon's default ulimits: web (1a2b…), db (3c4d…)`.
fn same_line(
    findings: &[&Finding],
    known: bool,
    out: &mut dyn Write,
    palette: &Palette,
) -> io::Result<()> {
    let first = findings[0];
    let style = palette.status(first.status);
    let marker = match first.status {
        Status::Fail | Status::Error => "✗",
        Status::Warn => "!",
        _ => "?",
    };
    let names: Vec<String> = findings
        .iter()
        .filter_map(|f| f.subject.as_ref())
        .map(|s| match &s.id {
            Some(id) => format!("{} ({})", s.name, stockade_core::finding::short_id(id)),
            None => s.name.clone(),
        })
        .collect();
    writeln!(
        out,
        "{:>17}{style}{marker}{style:#} {} ({} {}s): {}{}",
        "",
        palette.message(first),
        names.len(),
        findings[0]
            .subject
            .as_ref()
            .map_or("object".to_owned(), |s| s.kind.to_string()),
        names.join(", "),
        baseline_mark(known, palette)
    )
}

fn is_object(subject: &Subject) -> bool {
    matches!(subject.kind, SubjectKind::Container | SubjectKind::Image)
}

/// The field named by evidence observed on the finding's own container or
/// image, which then needs no location of its own.
fn own_field<'a>(subject: Option<&Subject>, evidence: &'a Evidence) -> Option<&'a str> {
    let subject = subject.filter(|s| is_object(s))?;
    match &evidence.location {
        Some(Location::Container { id, field, .. } | Location::Image { id, field, .. })
            if subject.id.as_deref() == Some(id.as_str()) =>
        {
            field.as_deref()
        }
        _ => None,
    }
}

/// `HostConfig.Memory: 0 (unlimited) · want a limit`, on one line.
fn field_line(
    field: &str,
    evidence: &Evidence,
    out: &mut dyn Write,
    palette: &Palette,
) -> io::Result<()> {
    let dim = palette.dim();
    match &evidence.expected {
        Some(expected) => writeln!(
            out,
            "{:>19}{field}: {} {dim}· want {expected}{dim:#}",
            "", evidence.observed
        ),
        None => writeln!(out, "{:>19}{field}: {}", "", evidence.observed),
    }
}

fn evidence_lines(evidence: &Evidence, out: &mut dyn Write, palette: &Palette) -> io::Result<()> {
    let dim = palette.dim();
    match &evidence.location {
        Some(location) => writeln!(
            out,
            "{:>19}saw {} {dim}at {location}{dim:#}",
            "", evidence.observed
        )?,
        None => writeln!(out, "{:>19}saw {}", "", evidence.observed)?,
    }
    if let Some(expected) = &evidence.expected {
        writeln!(out, "{:>19}{dim}want {expected}{dim:#}", "")?;
    }
    Ok(())
}

fn footer(report: &AuditReport<'_>, out: &mut dyn Write, palette: &Palette) -> io::Result<()> {
    let summary = Summary::of(&report.results);
    let mut by_check = [0usize; 7];
    for result in &report.results {
        let index = Status::ALL
            .iter()
            .position(|s| *s == result.status())
            .unwrap_or(0);
        by_check[index] += 1;
    }
    let parts: Vec<String> = Status::ALL
        .iter()
        .zip(by_check)
        .filter(|(_, n)| *n > 0)
        .map(|(status, n)| {
            let style = palette.status(*status);
            format!("{style}{n} {}{style:#}", status.as_str().replace('-', " "))
        })
        .collect();
    writeln!(out)?;
    writeln!(
        out,
        "{} check{}: {} ({} findings: {} fail, {} warn)",
        summary.checks,
        if summary.checks == 1 { "" } else { "s" },
        parts.join(", "),
        summary.findings,
        summary.fail,
        summary.warn
    )
}

/// The benchmark's display name and version, e.g. `CIS Docker Benchmark v1.6.0`.
pub fn benchmark_title(benchmark: Benchmark, version: &str) -> String {
    format!("{benchmark} v{version}")
}
