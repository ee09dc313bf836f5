//! `stockade import <tool> FILE`: another tool's results as stockade
//! findings, rendered like an audit. Each tool has its own module; adding
//! one means a variant of `ImportTool` and an arm below.

mod docker_bench;
mod kube_bench;

use std::io::Read;
use std::path::Path;

use anyhow::Context;

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
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        return Ok(text);
    }
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    anyhow::ensure!(
        meta.len() <= 64 * 1024 * 1024,
        "{}: {} bytes is too large for a results file",
        path.display(),
        meta.len()
    );
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
