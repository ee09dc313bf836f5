//! Evidence for the threat model (and later the hardening plan): a fresh
//! audit of this host, a snapshot to judge, or saved audit results.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;
use stockade_checks::select::CisVersions;
use stockade_checks::{Check, Input};
use stockade_core::Finding;
use stockade_core::meta::CheckMode;
use stockade_core::snapshot::{Probe, Snapshot};
use stockade_threats::CheckOutcome;

use super::audit;

/// Check outcomes and what they describe.
pub struct Evidence {
    pub outcomes: Vec<CheckOutcome>,
    /// `live audit of docker-host-1`, `snapshot host.json`...
    pub description: String,
    pub hostname: Option<String>,
    pub os: Option<String>,
    pub engine: Option<String>,
    /// The facts behind the outcomes, when they were judged here.
    pub snapshot: Option<Snapshot>,
}

impl Evidence {
    /// No evidence at all: the generic model.
    pub fn none() -> Evidence {
        Evidence {
            outcomes: Vec::new(),
            description: "no evidence (generic model)".to_owned(),
            hostname: None,
            os: None,
            engine: None,
            snapshot: None,
        }
    }

    /// Runs the selected checks on a snapshot.
    pub fn from_snapshot(
        snapshot: &Snapshot,
        checks: &[&'static Check],
        description: String,
    ) -> Evidence {
        let versions = CisVersions::default();
        let checks: Vec<_> = checks
            .iter()
            .copied()
            .filter(|c| c.input() == Input::Host)
            .collect();
        let results = audit::judge(snapshot, &checks, &versions, &Default::default());
        let outcomes = results
            .into_iter()
            .map(|r| CheckOutcome {
                id: r.meta.id.to_owned(),
                mode: r.meta.mode,
                findings: r.findings,
            })
            .collect();
        let engine = snapshot.docker.as_ref().and_then(|d| match &d.engine {
            Probe::Ok(engine) => engine
                .version
                .get("Version")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Probe::Error(_) => None,
        });
        Evidence {
            outcomes,
            description,
            hostname: snapshot.host.hostname.clone(),
            os: snapshot.host.os.clone(),
            engine,
            snapshot: Some(snapshot.clone()),
        }
    }

    /// Reads a snapshot or an audit report written by stockade.
    pub fn from_file(path: &Path, checks: &[&'static Check]) -> anyhow::Result<Evidence> {
        let text = stockade_collect::bounded::read_text(path, stockade_collect::bounded::DOCUMENT)?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}:{}: not JSON: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if value.get("kind").and_then(Value::as_str) == Some("audit") {
            let mut evidence = from_audit_report(path, &value)?;
            evidence
                .outcomes
                .retain(|o| checks.iter().any(|c| c.meta.id == o.id));
            return Ok(evidence);
        }
        if value.get("dockerbenchsecurity").is_some() {
            return from_docker_bench(path, &text, checks);
        }
        if value.get("Controls").is_some() || value.get("Totals").is_some() {
            return from_kube_bench(path, &text, checks);
        }
        if value.get("collector").is_some() {
            let snapshot = audit::load_snapshot(path)?;
            return Ok(Evidence::from_snapshot(
                &snapshot,
                checks,
                format!("the snapshot {}", path.display()),
            ));
        }
        bail!(
            "{}: not a stockade snapshot (`stockade collect`), stockade audit results (`stockade audit --format json`), a docker-bench-security JSON log or kube-bench JSON output",
            path.display()
        )
    }
}

fn from_audit_report(path: &Path, report: &Value) -> anyhow::Result<Evidence> {
    let Some(checks) = report.get("checks").and_then(Value::as_array) else {
        bail!("{}: audit results without a `checks` list", path.display());
    };
    let mut outcomes = Vec::new();
    for (index, check) in checks.iter().enumerate() {
        let id = check.get("id").and_then(Value::as_str).unwrap_or_default();
        let Some(known) = stockade_checks::by_id(id) else {
            bail!(
                "{}: checks[{index}]: unknown check `{id}` (results from a newer stockade?)",
                path.display()
            );
        };
        let findings: Vec<Finding> =
            serde_json::from_value(check.get("findings").cloned().unwrap_or(Value::Null))
                .with_context(|| {
                    format!(
                        "{}: checks[{index}] ({id}): malformed findings",
                        path.display()
                    )
                })?;
        outcomes.push(CheckOutcome {
            id: known.meta.id.to_owned(),
            mode: if check.get("mode").and_then(Value::as_str) == Some("manual") {
                CheckMode::Manual
            } else {
                known.meta.mode
            },
            findings,
        });
    }
    let target = report.get("target");
    let text = |key: &str| {
        target
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Ok(Evidence {
        outcomes,
        description: format!("the audit results {}", path.display()),
        hostname: text("hostname"),
        os: text("os"),
        engine: text("engine_version"),
        snapshot: None,
    })
}

/// Outcomes of the checks a tool's results map to.
fn outcomes_of(
    results: Vec<(&'static Check, Vec<Finding>)>,
    checks: &[&'static Check],
) -> Vec<CheckOutcome> {
    results
        .into_iter()
        .filter(|(check, _)| checks.iter().any(|c| c.meta.id == check.meta.id))
        .map(|(check, findings)| CheckOutcome {
            id: check.meta.id.to_owned(),
            mode: check.meta.mode,
            findings,
        })
        .collect()
}

fn from_docker_bench(
    path: &Path,
    text: &str,
    checks: &[&'static Check],
) -> anyhow::Result<Evidence> {
    let source = path.display().to_string();
    let log = stockade_parse::docker_bench_log::parse(text)
        .map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    let imported = stockade_checks::import::docker_bench::import(&log, None, &source)
        .map_err(|e| anyhow::anyhow!("{source}: cannot import: {e}"))?;
    Ok(Evidence {
        outcomes: outcomes_of(imported.results, checks),
        description: format!(
            "the docker-bench-security {} log {source} (CIS Docker {} numbering)",
            log.version, imported.cis_version
        ),
        hostname: None,
        os: None,
        engine: None,
        snapshot: None,
    })
}

fn from_kube_bench(path: &Path, text: &str, checks: &[&'static Check]) -> anyhow::Result<Evidence> {
    let source = path.display().to_string();
    let import = stockade_checks::kube_bench_import::import(text)
        .map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    let results = import
        .versions
        .into_iter()
        .flat_map(|v| v.results)
        .collect();
    Ok(Evidence {
        outcomes: outcomes_of(results, checks),
        description: format!("the kube-bench results {source}"),
        hostname: None,
        os: None,
        engine: None,
        snapshot: None,
    })
}
