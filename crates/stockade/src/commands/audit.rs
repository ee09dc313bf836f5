//! `stockade audit`: collect (or load) a snapshot, run the selected checks,
//! render the results, and decide the exit code.

use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, bail};
use serde_json::Value;
use stockade_checks::select::{self, CisVersions};
use stockade_checks::{Check, HostContext};
use stockade_core::cis::Benchmark;
use stockade_core::snapshot::{Probe, SCHEMA_VERSION, Snapshot};
use stockade_core::{Severity, Status};
use stockade_report::{AuditReport, CheckResult, Target};

use crate::cli::{AuditArgs, Format};
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &AuditArgs) -> anyhow::Result<Outcome> {
    let threshold = fail_threshold(&args.fail_on)?;
    let versions = super::cis_versions(args.cis_version.as_deref())?;
    // File rules (`stockade scan`) share CIS numbers with host checks; an
    // audit only runs the checks that read a host snapshot.
    let host_checks: Vec<&Check> = stockade_checks::all()
        .iter()
        .copied()
        .filter(|c| c.input() == stockade_checks::Input::Host)
        .collect();
    let checks = select::select(&host_checks, &args.checks, &args.skips, &versions)?;

    let (snapshot, source) = match &args.from {
        Some(path) => (load_snapshot(path)?, path.display().to_string()),
        None => (
            stockade_collect::collect(&super::collect_options(&args.source)?),
            "live".to_owned(),
        ),
    };

    let results = judge(&snapshot, &checks, &versions);
    let report = AuditReport {
        target: target(&snapshot, source),
        benchmark: Benchmark::Docker,
        cis_version: versions.docker.clone(),
        results,
    };
    output::emit(args.output.as_deref(), |out, color| match args.format {
        Format::Text => stockade_report::text::render(&report, out, color),
        Format::Json => stockade_report::json::render(&report, out),
    })?;
    Ok(outcome(&report, threshold))
}

/// Runs every check on the snapshot.
pub fn judge<'a>(
    snapshot: &Snapshot,
    checks: &[&'a Check],
    versions: &CisVersions,
) -> Vec<CheckResult<'a>> {
    let ctx = HostContext::new(snapshot);
    checks
        .iter()
        .map(|check| CheckResult {
            meta: &check.meta,
            cis_number: versions.number_of(check),
            findings: check.run_host(&ctx),
        })
        .collect()
}

/// `None` means "never fail on findings".
pub(crate) fn fail_threshold(text: &str) -> anyhow::Result<Option<Severity>> {
    if text.eq_ignore_ascii_case("none") || text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    Ok(Some(
        Severity::from_str(text).map_err(|e| anyhow::anyhow!("--fail-on: {e}, or none"))?,
    ))
}

fn outcome(report: &AuditReport<'_>, threshold: Option<Severity>) -> Outcome {
    let findings = report.results.iter().flat_map(|r| &r.findings);
    if findings.clone().any(|f| f.status == Status::Error) {
        return Outcome::Error;
    }
    let failing = threshold.is_some_and(|threshold| {
        findings
            .into_iter()
            .any(|f| f.status.is_problem() && f.severity >= threshold)
    });
    if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// Reads a snapshot written by `stockade collect`.
pub fn load_snapshot(path: &Path) -> anyhow::Result<Snapshot> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read snapshot {}", path.display()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not a JSON snapshot: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    match value.get("schema_version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => bail!(
            "{}: snapshot schema version {v} is not the one this stockade reads ({SCHEMA_VERSION}); collect it again with this version",
            path.display()
        ),
        None => bail!(
            "{}: not a stockade snapshot (no schema_version)",
            path.display()
        ),
    }
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: malformed snapshot: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

fn target(snapshot: &Snapshot, source: String) -> Target {
    let docker = snapshot.docker.as_ref();
    let engine_version = docker.and_then(|d| match &d.engine {
        Probe::Ok(engine) => engine
            .version
            .get("Version")
            .and_then(Value::as_str)
            .map(str::to_owned),
        Probe::Error(_) => None,
    });
    Target {
        kind: "docker-host".to_owned(),
        hostname: snapshot.host.hostname.clone(),
        os: snapshot.host.os.clone(),
        root: snapshot.host.root.clone(),
        endpoint: docker.map(|d| d.endpoint.clone()),
        engine_version,
        collected_at: snapshot.collected_at.clone(),
        source,
    }
}
