//! `stockade import docker-bench LOG.json`.

use std::time::{Duration, UNIX_EPOCH};

use stockade_checks::import::docker_bench;
use stockade_core::Severity;
use stockade_core::cis::Benchmark;
use stockade_parse::docker_bench_log;
use stockade_report::{AuditReport, CheckResult, Target};

use crate::cli::ImportArgs;
use crate::exit::{Outcome, report_note};

pub fn run(
    args: &ImportArgs,
    text: &str,
    source: &str,
    threshold: Option<Severity>,
) -> anyhow::Result<Outcome> {
    let log = docker_bench_log::parse(text).map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    let imported = docker_bench::import(&log, args.cis_version.as_deref(), source)
        .map_err(|e| anyhow::anyhow!("{source}: cannot import: {e}"))?;
    report_note(&format!(
        "stockade: {source}: docker-bench-security {}, CIS Docker {} numbering ({})",
        log.version, imported.cis_version, imported.numbering
    ));
    if !imported.unmapped.is_empty() {
        report_note(&format!(
            "stockade: {} result(s) have no stockade check and were not imported: {}",
            imported.unmapped.len(),
            imported.unmapped.join("; ")
        ));
    }
    let report = AuditReport {
        target: Target {
            kind: "docker-bench-log".to_owned(),
            collected_at: log
                .start
                .and_then(|s| u64::try_from(s).ok())
                .map(|s| stockade_collect::rfc3339(UNIX_EPOCH + Duration::from_secs(s)))
                .unwrap_or_default(),
            source: format!("docker-bench-security {} log {source}", log.version),
            ..Target::default()
        },
        benchmark: Benchmark::Docker,
        cis_version: imported.cis_version.to_owned(),
        results: imported
            .results
            .iter()
            .map(|(check, findings)| CheckResult {
                meta: &check.meta,
                cis_number: check
                    .meta
                    .cis_number(Benchmark::Docker, imported.cis_version),
                findings: findings.clone(),
            })
            .collect(),
    };
    let reports = [report];
    super::finish(args, &reports, threshold)
}
