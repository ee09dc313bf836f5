//! `stockade import <tool> FILE`: another tool's results as stockade
//! findings, rendered like an audit. Each tool has its own module; adding
//! one means a variant of `ImportTool` and an arm below.

mod docker_bench;
mod kube_bench;

use std::path::Path;

use stockade_collect::bounded;

use stockade_core::Severity;
use stockade_report::AuditReport;
use stockade_report::diff::DocumentKind;
use stockade_report::fleet::HostInput;

use super::audit;
use crate::cli::{ImportArgs, ImportTool};
use crate::exit::Outcome;

pub fn run(args: &ImportArgs) -> anyhow::Result<Outcome> {
    let threshold = super::audit::fail_threshold(&args.fail_on)?;
    let text = read_input(&args.file)?;
    let source = args.file.display().to_string();
    match args.tool {
        ImportTool::DockerBench => docker_bench::run(args, &text, &source, threshold),
        ImportTool::KubeBench => kube_bench::run(args, &text, &source, threshold),
    }
}

/// Renders the imported reports like an audit's (with `--baseline` and
/// `--write-baseline`) and decides the exit code.
fn finish(
    args: &ImportArgs,
    reports: &[AuditReport<'_>],
    threshold: Option<Severity>,
) -> anyhow::Result<Outcome> {
    let baseline = super::baseline::load_optional(args.baseline.as_deref(), DocumentKind::Audit)?
        .map(|b| audit::match_baseline(reports, &b));
    audit::emit_reports(
        reports,
        args.format,
        audit::Judged {
            input: HostInput::AuditResults,
            snapshot: None,
        },
        &audit::Display::default(),
        None,
        baseline.as_ref(),
        args.output.as_deref(),
    )?;
    audit::write_baseline(reports, baseline.as_ref(), args.write_baseline.as_deref())?;
    Ok(audit::outcome(reports, threshold, baseline.as_ref()))
}

/// The file's text, or standard input for `-`.
fn read_input(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let stdin = std::io::stdin().lock();
        return Ok(bounded::read_text_stream(
            stdin,
            "standard input",
            bounded::IMPORT,
        )?);
    }
    Ok(bounded::read_text(path, bounded::IMPORT)?)
}
