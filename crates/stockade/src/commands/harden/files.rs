//! `stockade harden PATH...`: scan Dockerfiles, Compose files and
//! Kubernetes manifests, plan the patches for what fails (ranked with the
//! threat model like host fixes), show them as diffs, and with `--apply`
//! write them and scan again.

use std::path::PathBuf;

use stockade_checks::Check;
use stockade_checks::scan::{FILE_PARSE_ERROR, FileScan, finding_path, finding_position};
use stockade_collect::fs::HostFs;
use stockade_core::{Finding, Status};
use stockade_harden::apply;
use stockade_harden::build_plan;
use stockade_harden::generate::Inputs;
use stockade_harden::sources::{Source, Sources};
use stockade_report::harden::{HardenReport, Verification};

use super::{apply_options, catalog, emit, evaluate, stamp, warn_of_leftovers};
use crate::cli::HardenArgs;
use crate::commands::scan::{file_checks, scan_paths};
use crate::discover::Exclusions;
use crate::exit::Outcome;

pub fn run(args: &HardenArgs) -> anyhow::Result<Outcome> {
    let versions = super::super::cis_versions(None)?;
    let checks = file_checks(&args.checks, &args.skips, &versions)?;
    let max_size = stockade_checks::scan::DEFAULT_MAX_FILE_SIZE;
    let scans = scan_paths(&args.paths, &Exclusions::default(), &checks, max_size);
    let results = results_of(&scans, &checks);
    let refused = refused(&scans);
    let sources = sources_of(&scans);

    let catalog = catalog()?;
    let (model, now) = evaluate(&catalog, &results);
    let inputs = Inputs {
        host: None,
        sources: &sources,
        results: &results,
    };
    let mut plan = build_plan(&results, inputs, &catalog, &model);
    if let Some(n) = args.top {
        plan = plan.top(n);
    }
    let apply_options = apply_options(args);
    let entries: Vec<_> = plan.entries.iter().collect();
    // Host files are not touched in this mode; scanned files carry their own paths.
    let host = HostFs::new("/");
    let prepared = apply::prepare(&entries, &host, &sources, &apply_options);
    warn_of_leftovers(args, &prepared);

    let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let mut report = HardenReport {
        plan: &plan,
        prepared: &prepared,
        source: format!("a scan of {}", paths.join(", ")),
        applied: None,
        restart: None,
        verification: Vec::new(),
        refused: refused.clone(),
        rescan: true,
    };
    let mut outcome = if refused.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Error
    };
    if args.apply {
        let applied = apply::apply(&prepared, &host, &stamp(&now), &apply_options);
        if !applied.errors.is_empty() {
            outcome = Outcome::Error;
        }
        report.applied = Some(applied);
        let after = scan_paths(&args.paths, &Exclusions::default(), &checks, max_size);
        report.verification = verify(&plan, &results, &results_of(&after, &checks));
    }
    emit(args, &report)?;
    Ok(outcome)
}

/// Every finding of the scan, grouped by check in the registry's order.
fn results_of(
    scans: &[FileScan],
    checks: &[&'static Check],
) -> Vec<(&'static Check, Vec<Finding>)> {
    checks
        .iter()
        .map(|check| {
            let findings = scans
                .iter()
                .flat_map(|scan| scan.findings.iter())
                .filter(|f| f.check == check.meta.id)
                .cloned()
                .collect();
            (*check, findings)
        })
        .collect()
}

/// Files that cannot be patched because they could not be read or parsed:
/// `PATH:LINE:COL: reason`.
fn refused(scans: &[FileScan]) -> Vec<String> {
    scans
        .iter()
        .flat_map(|scan| scan.findings.iter())
        .filter(|f| f.check == FILE_PARSE_ERROR.meta.id && f.status == Status::Error)
        .map(|f| {
            let path = finding_path(f).unwrap_or_default();
            let (line, column) = finding_position(f);
            let at = if line == 0 {
                path.to_owned()
            } else {
                format!("{path}:{line}:{column}")
            };
            format!("cannot patch {at}: {}; left unchanged", f.message)
        })
        .collect()
}

fn sources_of(scans: &[FileScan]) -> Sources {
    let mut sources = Sources::default();
    for scan in scans {
        if let Some(text) = &scan.source {
            sources.insert(
                scan.path.clone(),
                Source {
                    local: PathBuf::from(&scan.path),
                    text: text.clone(),
                    masks: scan.masks.clone(),
                },
            );
        }
    }
    sources
}

/// Each planned check before and after, over every scanned file: `pass`
/// once no finding of it is left.
fn verify(
    plan: &stockade_harden::Plan,
    before: &[(&'static Check, Vec<Finding>)],
    after: &[(&'static Check, Vec<Finding>)],
) -> Vec<Verification> {
    let mut out: Vec<Verification> = Vec::new();
    for entry in &plan.entries {
        for id in entry.verify() {
            if out.iter().any(|v| v.check == id) {
                continue;
            }
            let status = |results: &[(&'static Check, Vec<Finding>)]| {
                let findings: Vec<Finding> = results
                    .iter()
                    .filter(|(c, _)| c.meta.id == id)
                    .flat_map(|(_, f)| f.iter().cloned())
                    .collect();
                let worst = stockade_report::model::worst(&findings);
                let status = if findings.iter().any(|f| f.status.is_problem()) {
                    worst
                } else {
                    Status::Pass
                };
                (status, findings)
            };
            let (before_status, _) = status(before);
            let (after_status, after_findings) = status(after);
            out.push(Verification {
                check: id,
                before: before_status,
                after: after_status,
                after_findings,
            });
        }
    }
    out
}
