//! `stockade import TOOL FILE`: another tool's results as a stockade report.

use std::io::Write;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context;
use stockade_checks::import::docker_bench;
use stockade_core::cis::Benchmark;
use stockade_parse::docker_bench_log;
use stockade_report::{AuditReport, CheckResult, Target};

use super::audit::{fail_threshold, outcome};
use crate::cli::{Format, ImportArgs, ImportTool};
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &ImportArgs) -> anyhow::Result<Outcome> {
    let threshold = fail_threshold(&args.fail_on)?;
    match args.tool {
        ImportTool::DockerBench => docker_bench_log(args, threshold),
    }
}

fn docker_bench_log(
    args: &ImportArgs,
    threshold: Option<stockade_core::Severity>,
) -> anyhow::Result<Outcome> {
    let path = args.file.display().to_string();
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {path}"))?;
    let log = docker_bench_log::parse(&text).with_context(|| path.clone())?;
    let imported = docker_bench::import(&log, args.cis_version.as_deref(), &path)
        .with_context(|| format!("{path}: cannot import"))?;
    let mut stderr = anstream::stderr();
    let _ = writeln!(
        stderr,
        "stockade: {path}: docker-bench-security {}, CIS Docker {} numbering ({})",
        log.version, imported.cis_version, imported.numbering
    );
    if !imported.unmapped.is_empty() {
        let _ = writeln!(
            stderr,
            "stockade: {} result(s) have no stockade check and were not imported: {}",
            imported.unmapped.len(),
            imported.unmapped.join("; ")
        );
    }
    let results = imported
        .results
        .iter()
        .map(|(check, findings)| CheckResult {
            meta: &check.meta,
            cis_number: check
                .meta
                .cis_number(Benchmark::Docker, imported.cis_version),
            findings: findings.clone(),
        })
        .collect();
    let report = AuditReport {
        target: Target {
            kind: "docker-bench-log".to_owned(),
            hostname: None,
            os: None,
            root: String::new(),
            endpoint: None,
            engine_version: None,
            collected_at: log
                .start
                .and_then(|s| u64::try_from(s).ok())
                .map(|s| stockade_collect::rfc3339(UNIX_EPOCH + Duration::from_secs(s)))
                .unwrap_or_default(),
            source: format!("docker-bench-security {} log {path}", log.version),
        },
        benchmark: Benchmark::Docker,
        cis_version: imported.cis_version.to_owned(),
        results,
    };
    output::emit(args.output.as_deref(), |out, color| match args.format {
        Format::Text => stockade_report::text::render(&report, out, color),
        Format::Json => stockade_report::json::render(&report, out),
    })?;
    Ok(outcome(&report, threshold))
}
