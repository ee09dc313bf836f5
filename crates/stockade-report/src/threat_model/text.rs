use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use stockade_threats::ThreatStatus;

use super::summary::{SummaryPage, fix_for};
use super::{ModelReport, evidence_line, first_sentence};

fn style(status: ThreatStatus, color: bool) -> Style {
    if !color {
        return Style::new();
    }
    match status {
        ThreatStatus::Open => AnsiColor::Red.on_default().bold(),
        ThreatStatus::Accepted => AnsiColor::Yellow.on_default().bold(),
        ThreatStatus::Unverified => AnsiColor::Cyan.on_default(),
        ThreatStatus::MonitoringGap => AnsiColor::Blue.on_default(),
        ThreatStatus::Mitigated => AnsiColor::Green.on_default(),
        ThreatStatus::NotApplicable => Style::new().dimmed(),
    }
}

struct Styles {
    bold: Style,
    dim: Style,
    color: bool,
}

impl Styles {
    fn new(color: bool) -> Styles {
        let pick = |s: Style| if color { s } else { Style::new() };
        Styles {
            bold: pick(Style::new().bold()),
            dim: pick(Style::new().dimmed()),
            color,
        }
    }
}

fn header(report: &ModelReport<'_>, out: &mut dyn Write, s: &Styles) -> io::Result<()> {
    let bold = s.bold;
    writeln!(
        out,
        "{bold}stockade {} · STRIDE threat model{bold:#} · {}",
        env!("CARGO_PKG_VERSION"),
        report.scope.title
    )?;
    writeln!(
        out,
        "evidence: {} · platforms: {}",
        report.scope.evidence,
        report.platforms().join(", ")
    )
}

/// Only the summary page.
pub fn render_summary(
    report: &ModelReport<'_>,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    let s = Styles::new(color);
    header(report, out, &s)?;
    summary(report, out, &s)
}

fn summary(report: &ModelReport<'_>, out: &mut dyn Write, s: &Styles) -> io::Result<()> {
    let (bold, dim) = (s.bold, s.dim);
    let page = SummaryPage::new(report);
    writeln!(out, "{}", report.summary_line())?;
    for line in page.not_running() {
        writeln!(out, "not running here: {line}")?;
    }
    for problem in report.acceptance_problems() {
        writeln!(out, "acceptance: {problem}")?;
    }
    let (heading, top) = page.top_risks(10);
    writeln!(out, "\n{bold}{heading}{bold:#}")?;
    for (threat, assessment) in &top {
        let st = style(assessment.status, s.color);
        writeln!(
            out,
            "  {:>2} ({}×{}) {st}{:<10}{st:#} {:<11} {} {}",
            assessment.risk,
            assessment.likelihood,
            assessment.impact,
            assessment.status.as_str(),
            threat.id,
            threat.stride.letter(),
            threat.title
        )?;
        if let Some(line) = report.instance_line(&threat.id) {
            writeln!(out, "{:>12}{dim}{line}{dim:#}", "")?;
        }
        for finding in assessment.evidence.iter().take(2) {
            writeln!(out, "{:>12}✗ {}", "", evidence_line(finding))?;
        }
        if assessment.evidence.is_empty() {
            writeln!(out, "{:>12}{}", "", assessment.reason)?;
        }
        let fix = fix_for(threat, assessment);
        if !fix.is_empty() {
            writeln!(out, "{:>12}fix: {fix}", "")?;
        }
    }
    writeln!(
        out,
        "\n{bold}The most serious threat per STRIDE letter{bold:#}"
    )?;
    for pick in page.picks() {
        let st = style(pick.assessment.status, s.color);
        writeln!(
            out,
            "  {:<10} {} {:>2} {st}{:<10}{st:#} {:<11} {}",
            pick.platform,
            pick.stride.letter(),
            pick.assessment.risk,
            pick.assessment.status.as_str(),
            pick.threat.id,
            pick.threat.title
        )?;
    }
    writeln!(out, "\n{bold}The fixes that close the most risk{bold:#}")?;
    let fixes = page.fixes(3);
    if fixes.is_empty() {
        writeln!(out, "  none: no check linked to an open threat failed")?;
    }
    for (rank, fix) in fixes.iter().enumerate() {
        writeln!(
            out,
            "  {}. {} ({}): {}",
            rank + 1,
            fix.check,
            fix.title,
            first_sentence(fix.remediation)
        )?;
        let names = |items: &[&stockade_threats::Assessment]| {
            items
                .iter()
                .map(|a| format!("{} ({})", a.threat, a.risk))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !fix.closes.is_empty() {
            writeln!(out, "     closes {}", names(&fix.closes))?;
        }
        if !fix.narrows.is_empty() {
            writeln!(out, "     narrows {}", names(&fix.narrows))?;
        }
    }
    Ok(())
}

/// The summary page, then the threats per component, highest risk first.
pub fn render(report: &ModelReport<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let s = Styles::new(color);
    let (bold, dim) = (s.bold, s.dim);
    header(report, out, &s)?;
    let ranked = report.ranked();
    for component in report.components_with_threats() {
        writeln!(out)?;
        writeln!(
            out,
            "{bold}{}{bold:#} {dim}[{}]{dim:#}",
            component.name, component.id
        )?;
        for (threat, assessment) in ranked.iter().filter(|(t, _)| t.component == component.id) {
            let st = style(assessment.status, s.color);
            writeln!(
                out,
                "  {st}{:<15}{st:#} {:>2} {} {:<11} {}",
                assessment.status.as_str().to_uppercase(),
                assessment.risk,
                threat.stride.letter(),
                threat.id,
                threat.title
            )?;
            if let Some(line) = report.instance_line(&threat.id) {
                writeln!(out, "{:>35}{dim}{line}{dim:#}", "")?;
            }
            match assessment.underlying {
                ThreatStatus::Open => {
                    for finding in assessment.evidence.iter().take(3) {
                        writeln!(out, "{:>35}✗ {}", "", evidence_line(finding))?;
                    }
                    if assessment.evidence.len() > 3 {
                        writeln!(
                            out,
                            "{:>35}{dim}… {} more{dim:#}",
                            "",
                            assessment.evidence.len() - 3
                        )?;
                    }
                }
                _ if matches!(
                    assessment.status,
                    ThreatStatus::Accepted | ThreatStatus::MonitoringGap
                ) =>
                {
                    writeln!(out, "{:>35}{dim}{}{dim:#}", "", assessment.reason)?;
                }
                _ => {}
            }
        }
    }
    writeln!(out)?;
    summary(report, out, &s)
}
