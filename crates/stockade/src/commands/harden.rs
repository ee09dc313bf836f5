//! `stockade harden`: the ranked plan, its patches as diffs and commands,
//! and with `--apply` the safe changes, an optional daemon restart, and a
//! re-run of the affected checks (before → after).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::Value;
use stockade_checks::select::{self, CisVersions};
use stockade_checks::{Check, HostContext};
use stockade_collect::engine::{Endpoint, EngineClient};
use stockade_collect::fs::HostFs;
use stockade_core::Finding;
use stockade_core::snapshot::Snapshot;
use stockade_harden::apply::{self, ApplyOptions};
use stockade_harden::build_plan;
use stockade_harden::generate::Inputs;
use stockade_harden::sources::Sources;
use stockade_report::harden::{HardenReport, Verification};
use stockade_threats::CheckOutcome;

use super::audit;

mod files;
use crate::cli::{HardenArgs, HardenFormat};
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &HardenArgs) -> anyhow::Result<Outcome> {
    if !args.paths.is_empty() {
        return files::run(args);
    }
    let versions = CisVersions::default();
    let selected = select::select(stockade_checks::all(), &args.checks, &args.skips, &versions)?;
    let options = super::collect_options(&args.source)?;

    // Findings from a file describe another host than the one collected here.
    let from_results = match &args.from {
        Some(path) => is_audit_results(path)?,
        None => false,
    };
    let (snapshot, results, source) = match &args.from {
        Some(path) if from_results => {
            let snapshot = stockade_collect::collect(&options);
            let results = results_from_file(path, &selected)?;
            (
                snapshot,
                results,
                format!("the audit results {}", path.display()),
            )
        }
        Some(path) => {
            let snapshot = audit::load_snapshot(path)?;
            let results = run_checks(&snapshot, &selected);
            (
                snapshot,
                results,
                format!("the snapshot {}", path.display()),
            )
        }
        None => {
            let snapshot = stockade_collect::collect(&options);
            let results = run_checks(&snapshot, &selected);
            (snapshot, results, "a fresh audit".to_owned())
        }
    };

    let mut catalog = catalog()?;
    // No fix for a component the audited host has installed but does not
    // run (an etcd package with no etcd); not for results of another host.
    let mut results = results;
    if !from_results {
        stockade_threats::presence::apply(&mut catalog, &snapshot);
        let stopped = stockade_threats::presence::checks_for_stopped_components(&catalog);
        results.retain(|(check, _)| !stopped.contains(&check.meta.id));
    }
    let (model, now) = evaluate(&catalog, &results);
    let ctx = HostContext::new(&snapshot);
    let host = HostFs::new(&options.host_root);
    let sources = node_files(&ctx, &host);
    let inputs = Inputs {
        host: Some(&ctx),
        sources: &sources,
        results: &results,
    };
    let mut plan = build_plan(&results, inputs, &catalog, &model);
    if let Some(n) = args.top {
        plan = plan.top(n);
    }

    let apply_options = apply_options(args);
    let entries: Vec<_> = plan.entries.iter().collect();
    let prepared = apply::prepare(&entries, &host, &sources, &apply_options);
    warn_of_leftovers(args, &prepared);

    let mut report = HardenReport {
        plan: &plan,
        prepared: &prepared,
        source,
        applied: None,
        restart: None,
        verification: Vec::new(),
        refused: Vec::new(),
        rescan: false,
    };
    let mut outcome = Outcome::Clean;
    // Without a way to restart dockerd, write nothing.
    let restart_command = if args.apply && args.restart_daemon {
        Some(restart_command(
            args,
            &snapshot,
            &host,
            prepared.unit_changed,
        )?)
    } else {
        None
    };
    if args.apply {
        let applied = apply::apply(&prepared, &host, &stamp(&now), &apply_options);
        if !applied.errors.is_empty() {
            outcome = Outcome::Error;
        }
        if prepared.needs_daemon_restart && !applied.written.is_empty() {
            if let Some(command) = &restart_command {
                match restart_daemon(command, &snapshot) {
                    Ok(done) => report.restart = Some(done),
                    Err(failure) => {
                        outcome = Outcome::Error;
                        report.restart = Some(restart_failure(&failure, &applied));
                    }
                }
            } else {
                report.restart = Some("dockerd was not restarted (add --restart-daemon): the daemon changes take effect at its next start".to_owned());
            }
        }
        report.applied = Some(applied);
        let after = stockade_collect::collect(&options);
        report.verification = verify(&plan, &results, &after);
    }
    emit(args, &report)?;
    Ok(outcome)
}

/// The Kubernetes node files fixes edit in place (static pod manifests,
/// the kubelet's configuration), read from the audited host.
fn node_files(ctx: &HostContext<'_>, host: &HostFs) -> Sources {
    let mut sources = Sources::default();
    let Some(view) = ctx.kubernetes_view() else {
        return sources;
    };
    let mut paths = Vec::new();
    for component in &view.components {
        if let stockade_core::kubernetes::ComponentSource::StaticPod { path, .. } =
            &component.facts.source
        {
            paths.push(path.clone());
        }
        if let stockade_checks::k8s_node::view::Config::Loaded(docs) = &component.config {
            paths.extend(docs.iter().map(|d| d.path.clone()));
        }
    }
    for path in paths {
        if let Ok(Some(text)) = host.read_text(&path) {
            sources.insert(
                path.clone(),
                stockade_harden::sources::Source {
                    local: host.local(&path),
                    text,
                    masks: Vec::new(),
                },
            );
        }
    }
    sources
}

/// The built-in threat catalog.
pub(super) fn catalog() -> anyhow::Result<stockade_threats::Catalog> {
    stockade_threats::builtin().map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "the built-in threat catalog is invalid:\n{}",
            list.join("\n")
        )
    })
}

/// The threat model the findings leave, and the time it was evaluated.
pub(super) fn evaluate(
    catalog: &stockade_threats::Catalog,
    results: &[(&'static Check, Vec<Finding>)],
) -> (stockade_threats::ThreatModel, String) {
    let outcomes: Vec<CheckOutcome> = results
        .iter()
        .map(|(check, findings)| CheckOutcome {
            id: check.meta.id.to_owned(),
            mode: check.meta.mode,
            findings: findings.clone(),
        })
        .collect();
    let now = stockade_collect::rfc3339(std::time::SystemTime::now());
    let model = stockade_threats::evaluate(catalog, &outcomes, now.get(..10).unwrap_or_default());
    (model, now)
}

pub(super) fn apply_options(args: &HardenArgs) -> ApplyOptions {
    ApplyOptions {
        include_unsafe: args.include_unsafe,
        live: args.live,
        pause_between_files: args.pause_between_files.map(Duration::from_millis),
    }
}

/// The suffix of backup files: the time of the run.
pub(super) fn stamp(now: &str) -> String {
    now.replace([':', '-'], "")
}

/// A dry run names the temporary files a killed `--apply` left beside the
/// files it would write (`--apply` removes them and says so in its report).
pub(super) fn warn_of_leftovers(args: &HardenArgs, prepared: &apply::Prepared) {
    if !args.apply {
        for leftover in &prepared.leftovers {
            crate::exit::report_warning(&leftover.found_message());
        }
    }
}

pub(super) fn emit(args: &HardenArgs, report: &HardenReport<'_>) -> anyhow::Result<()> {
    output::emit(args.output.as_deref(), |out, color| match args.format {
        HardenFormat::Text => stockade_report::harden::text(report, out, color),
        HardenFormat::Json => stockade_report::harden::json(report, out),
        HardenFormat::Markdown => stockade_report::harden::markdown(report, out),
        HardenFormat::Diff => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
            stockade_report::harden::diff(report, out, &cwd)
        }
        HardenFormat::Script => stockade_report::harden::script(report, out),
    })
}

fn run_checks(
    snapshot: &Snapshot,
    checks: &[&'static Check],
) -> Vec<(&'static Check, Vec<Finding>)> {
    let ctx = HostContext::new(snapshot);
    checks
        .iter()
        .map(|check| (*check, check.run_host(&ctx)))
        .collect()
}

fn is_audit_results(path: &Path) -> anyhow::Result<bool> {
    let text = stockade_collect::bounded::read_text(path, stockade_collect::bounded::DOCUMENT)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    // Findings (stockade's audit results, a docker-bench log, kube-bench
    // output) rather than a snapshot to judge.
    Ok(value.get("kind").and_then(Value::as_str) == Some("audit")
        || value.get("dockerbenchsecurity").is_some()
        || value.get("Controls").is_some())
}

fn results_from_file(
    path: &Path,
    selected: &[&'static Check],
) -> anyhow::Result<Vec<(&'static Check, Vec<Finding>)>> {
    let evidence = super::evidence::Evidence::from_file(path, selected)?;
    Ok(evidence
        .outcomes
        .into_iter()
        .filter_map(|o| {
            let check = selected.iter().copied().find(|c| c.meta.id == o.id)?;
            Some((check, o.findings))
        })
        .collect())
}

/// The command that restarts the audited dockerd: `--restart-command`, or
/// the systemd unit running it when systemd is PID 1. Anything else has no
/// default: the user must say how.
fn restart_command(
    args: &HardenArgs,
    snapshot: &Snapshot,
    host: &HostFs,
    unit_changed: bool,
) -> anyhow::Result<String> {
    if let Some(command) = &args.restart_command {
        return Ok(command.clone());
    }
    let unit = if host.is_live_root() {
        systemd_unit_of_dockerd(snapshot)
    } else {
        None
    };
    match unit {
        Some(unit) if unit_changed => Ok(format!(
            "systemctl daemon-reload && systemctl restart {unit}"
        )),
        Some(unit) => Ok(format!("systemctl restart {unit}")),
        None => bail!(
            "--restart-daemon: no restart command is known for this dockerd (it is not run by a systemd unit with systemd as PID 1{}); pass --restart-command CMD. Nothing was written.",
            if host.is_live_root() {
                ""
            } else {
                ", and --host-root audits another root"
            }
        ),
    }
}

/// The systemd unit dockerd runs in (`docker.service`), when systemd is
/// PID 1 and the unit is there.
fn systemd_unit_of_dockerd(snapshot: &Snapshot) -> Option<String> {
    let init = std::fs::read_to_string("/proc/1/comm").ok()?;
    if init.trim() != "systemd" {
        return None;
    }
    let docker = snapshot.docker.as_ref()?;
    let pid = docker.daemon.ok()?.pid()?;
    let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    let unit = cgroup
        .lines()
        .flat_map(|l| l.split('/'))
        .find(|part| part.ends_with(".service"))?
        .to_owned();
    docker.units.iter().any(|u| u.name == unit).then_some(unit)
}

/// What the user must know when the restart failed after files changed:
/// every file, its backup, and how to put the old ones back.
fn restart_failure(failure: &str, applied: &apply::Applied) -> String {
    let mut text = format!(
        "error: {failure}\nThese files were changed and dockerd is not running with them:\n"
    );
    let mut rollback = Vec::new();
    for (path, backup) in &applied.written {
        match backup {
            Some(backup) => {
                text.push_str(&format!("  {path} (backup {backup})\n"));
                rollback.push(format!(
                    "cp -p {} {}",
                    stockade_harden::shell::quote(backup),
                    stockade_harden::shell::quote(path)
                ));
            }
            None => {
                text.push_str(&format!("  {path} (new file)\n"));
                rollback.push(format!("rm {}", stockade_harden::shell::quote(path)));
            }
        }
    }
    text.push_str(&format!(
        "To roll back, run: {}\nthen start dockerd the way this host starts it.",
        rollback.join(" && ")
    ));
    text
}

/// Restarts dockerd and waits until the Engine API answers again.
fn restart_daemon(command: &str, snapshot: &Snapshot) -> Result<String, String> {
    let status = std::process::Command::new("sh")
        .args(["-c", command])
        .stdin(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run `{command}`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "restarting dockerd failed: `{command}` exited with {status}"
        ));
    }
    let endpoint = snapshot
        .docker
        .as_ref()
        .map(|d| d.endpoint.clone())
        .unwrap_or_default();
    let endpoint = Endpoint::parse(&endpoint).map_err(|e| e.to_string())?;
    let client = EngineClient::new(endpoint, Duration::from_secs(2));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if client.get("/_ping").is_ok() || client.get("/version").is_ok() {
            return Ok(format!(
                "dockerd restarted with `{command}` and answers at {}",
                client.endpoint()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "dockerd did not answer at {} within 60 s after `{command}`",
        client.endpoint()
    ))
}

/// Re-runs the checks of the plan on a fresh snapshot.
fn verify(
    plan: &stockade_harden::Plan,
    before: &[(&'static Check, Vec<Finding>)],
    after: &Snapshot,
) -> Vec<Verification> {
    let ctx = HostContext::new(after);
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for entry in &plan.entries {
        for id in entry.verify() {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let Some((check, findings)) = before.iter().find(|(c, _)| c.meta.id == id) else {
                continue;
            };
            let after_findings = check.run_host(&ctx);
            out.push(Verification {
                check: id,
                before: stockade_report::model::worst(findings),
                after: stockade_report::model::worst(&after_findings),
                after_findings,
            });
        }
    }
    out
}
