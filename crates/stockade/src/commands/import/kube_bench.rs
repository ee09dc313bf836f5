//! `stockade import kube-bench RESULT.json`.

use stockade_checks::kube_bench_import;
use stockade_core::Severity;
use stockade_core::cis::Benchmark;
use stockade_report::{AuditReport, CheckResult, Target};

use crate::cli::ImportArgs;
use crate::exit::{Outcome, report_note};

pub fn run(
    args: &ImportArgs,
    text: &str,
    source: &str,
    threshold: Option<Severity>,
) -> anyhow::Result<Outcome> {
    let import = kube_bench_import::import(text).map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    for skipped in &import.unmapped {
        report_note(&format!(
            "note: kube-bench {} {} not imported: {}",
            skipped.version, skipped.number, skipped.reason
        ));
    }
    anyhow::ensure!(
        !import.versions.is_empty(),
        "{source}: no kube-bench result maps to a stockade check"
    );
    let reports: Vec<AuditReport<'_>> = import
        .versions
        .iter()
        .map(|imported| AuditReport {
            target: Target {
                kind: "kube-bench-import".to_owned(),
                root: String::new(),
                collected_at: stockade_collect::rfc3339(std::time::SystemTime::now()),
                source: format!("kube-bench results {source}"),
                ..Target::default()
            },
            benchmark: Benchmark::Kubernetes,
            cis_version: imported.version.clone(),
            results: imported
                .results
                .iter()
                .map(|(check, findings)| CheckResult {
                    meta: &check.meta,
                    cis_number: check
                        .meta
                        .cis_number(Benchmark::Kubernetes, &imported.version),
                    findings: findings.clone(),
                })
                .collect(),
        })
        .collect();
    super::finish(args, &reports, threshold)
}
