use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use stockade_threats::ThreatStatus;

use super::{ModelReport, evidence_line};

fn style(status: ThreatStatus, color: bool) -> Style {
    if !color {
        return Style::new();
    }
    match status {
        ThreatStatus::Open => AnsiColor::Red.on_default().bold(),
        ThreatStatus::Accepted => AnsiColor::Yellow.on_default().bold(),
        ThreatStatus::Unverified => AnsiColor::Cyan.on_default(),
        ThreatStatus::Mitigated => AnsiColor::Green.on_default(),
        ThreatStatus::NotApplicable => Style::new().dimmed(),
    }
}

/// Threats per component with their status, evidence under open ones, and
/// the summary line.
pub fn render(report: &ModelReport<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    let dim = if color {
        Style::new().dimmed()
    } else {
        Style::new()
    };
    writeln!(
        out,
        "{bold}stockade {} · STRIDE threat model{bold:#} · {}",
        env!("CARGO_PKG_VERSION"),
        report.scope.title
    )?;
    writeln!(out, "evidence: {}", report.scope.evidence)?;
    for component in report.components_with_threats() {
        writeln!(out)?;
        writeln!(
            out,
            "{bold}{}{bold:#} {dim}[{}]{dim:#}",
            component.name, component.id
        )?;
        for (threat, assessment) in report.rows().filter(|(t, _)| t.component == component.id) {
            let s = style(assessment.status, color);
            writeln!(
                out,
                "  {s}{:<14}{s:#} {} {:<12} {}",
                assessment.status.as_str().to_uppercase(),
                threat.stride.letter(),
                threat.id,
                threat.title
            )?;
            match assessment.underlying {
                ThreatStatus::Open => {
                    for finding in assessment.evidence.iter().take(5) {
                        writeln!(out, "{:>33}✗ {}", "", evidence_line(finding))?;
                    }
                    if assessment.evidence.len() > 5 {
                        writeln!(
                            out,
                            "{:>33}{dim}… {} more{dim:#}",
                            "",
                            assessment.evidence.len() - 5
                        )?;
                    }
                }
                _ if assessment.status == ThreatStatus::Accepted => {
                    writeln!(out, "{:>33}{dim}{}{dim:#}", "", assessment.reason)?;
                }
                _ => {}
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", report.summary_line())
}
