//! `stockade report FILE...`: one view over many hosts. Audit results are
//! read as written; snapshots are judged with the checks `audit --from`
//! runs; every host's threat model is evaluated as `model --from` does.
//! A file that cannot be read is reported, the others still are, and the
//! exit code is 2.

mod inputs;
mod load;
mod names;

use std::path::PathBuf;

use rayon::prelude::*;
use stockade_checks::select::CisVersions;
use stockade_checks::workload::Selection;
use stockade_core::Severity;
use stockade_report::fleet::{self, Fleet, FleetHost, InputProblem, RenderOptions};

use self::load::{Judge, LoadedHost};
use super::audit::{self, AuditPlan};
use crate::cli::{ReportArgs, ReportFormat, Target};
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &ReportArgs) -> anyhow::Result<Outcome> {
    let threshold = audit::fail_threshold(&args.fail_on)?;
    let catalog = super::harden::catalog()?;
    let checks = audit::host_checks();
    let versions = CisVersions::default();
    let selection = Selection::default();
    let now = stockade_collect::rfc3339(std::time::SystemTime::now());
    let judge = Judge {
        plan: AuditPlan {
            target: Target::Auto,
            selected: &checks,
            named: &[],
            versions: &versions,
            selection: &selection,
        },
        catalog: &catalog,
        today: now.get(..10).unwrap_or_default(),
    };

    let (files, mut problems) = inputs::expand(&args.inputs);
    let loaded: Vec<(PathBuf, anyhow::Result<LoadedHost>)> = files
        .into_par_iter()
        .map(|file| {
            let host = judge.load(&file);
            (file, host)
        })
        .collect();
    let mut read: Vec<(PathBuf, LoadedHost)> = Vec::with_capacity(loaded.len());
    for (file, result) in loaded {
        match result {
            Ok(host) => read.push((file, host)),
            Err(error) => problems.push(InputProblem {
                file: file.display().to_string(),
                message: error_text(&error),
            }),
        }
    }
    let hosts = name_hosts(read);
    let fleet = Fleet {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| "stockade fleet report".to_owned()),
        generated_at: now.clone(),
        hosts,
        problems,
        threats: super::model::threat_infos(&catalog),
    };
    for problem in &fleet.problems {
        crate::exit::report_error(&anyhow::anyhow!("{}", problem.message));
    }
    let options = RenderOptions {
        top: args.top,
        ..RenderOptions::default()
    };
    output::emit(args.output.as_deref(), |out, color| match args.format {
        ReportFormat::Text => fleet::text::render(&fleet, &options, out, color),
        ReportFormat::Json => fleet::json::render(&fleet, &options, out),
        ReportFormat::Markdown => fleet::markdown::render(&fleet, &options, out),
        ReportFormat::Html => fleet::html::render(&fleet, &options, out),
        ReportFormat::Junit => fleet::junit::render(&fleet, &options, out),
    })?;
    let outcome = outcome(&fleet, threshold);
    // Freeing a thousand hosts' findings one by one costs more than the
    // exit that follows, which returns the memory at once.
    std::mem::forget(fleet);
    Ok(outcome)
}

/// The error and its causes on one line.
fn error_text(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        text.push_str(": ");
        text.push_str(&cause.to_string());
    }
    text
}

/// Names every host uniquely and orders the fleet by name.
fn name_hosts(read: Vec<(PathBuf, LoadedHost)>) -> Vec<FleetHost<'static>> {
    let keys: Vec<(Option<&str>, &std::path::Path)> = read
        .iter()
        .map(|(file, host)| {
            let hostname = host
                .reports
                .iter()
                .find_map(|r| r.target.hostname.as_deref());
            (hostname, file.as_path())
        })
        .collect();
    let unique = names::unique_names(&keys);
    let mut hosts: Vec<FleetHost<'static>> = read
        .into_iter()
        .zip(unique)
        .map(|((file, host), name)| FleetHost {
            name,
            source: file.display().to_string(),
            input: host.input,
            reports: host.reports,
            threats: host.threats,
        })
        .collect();
    hosts.sort_by(|a, b| names::natural_cmp(&a.name, &b.name));
    hosts
}

/// 2 when a file could not be read; else 1 when a fail or warn finding on
/// some host reaches the threshold. Checks that could not assess a host
/// (`error`) are shown and counted; they were that host's audit's exit code.
fn outcome(fleet: &Fleet<'_>, threshold: Option<Severity>) -> Outcome {
    if !fleet.problems.is_empty() {
        return Outcome::Error;
    }
    let reached = threshold.is_some_and(|threshold| {
        fleet
            .hosts
            .iter()
            .flat_map(|h| h.results())
            .flat_map(|(_, r)| &r.findings)
            .any(|f| f.status.is_problem() && f.severity >= threshold)
    });
    if reached {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
