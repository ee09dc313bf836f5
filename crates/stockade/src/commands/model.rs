//! `stockade model`: the STRIDE threat model, evaluated against evidence.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use stockade_core::cis::Benchmark;
use stockade_core::snapshot::Snapshot;
use stockade_report::AuditReport;
use stockade_report::fleet::{HostThreat, ThreatInfo};
use stockade_report::threat_model::{self, ModelReport, ModelScope};
use stockade_threats::{
    Catalog, CheckOutcome, Presence, RiskBand, ThreatModel, ThreatStatus, evaluate,
};

use super::evidence::Evidence;
use crate::cli::{ModelArgs, ModelFormat, PlatformArg};
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &ModelArgs) -> anyhow::Result<Outcome> {
    let mut catalog = load_catalog(args)?;
    let versions = stockade_checks::select::CisVersions::default();
    let checks = stockade_checks::select::select(
        stockade_checks::all(),
        &args.checks,
        &args.skips,
        &versions,
    )?;
    let evidence = if args.generic {
        Evidence::none()
    } else if let Some(path) = &args.from {
        Evidence::from_file(path, &checks)?
    } else {
        let snapshot = stockade_collect::collect(&super::collect_options(&args.source)?);
        let host = snapshot
            .host
            .hostname
            .clone()
            .unwrap_or_else(|| "this host".to_owned());
        let kubernetes = snapshot
            .kubernetes
            .as_ref()
            .is_some_and(stockade_core::kubernetes::KubernetesFacts::found_kubernetes);
        if super::audit::found_docker(&snapshot) || kubernetes {
            Evidence::from_snapshot(&snapshot, &checks, format!("a live audit of {host}"))
        } else {
            // Nothing to take evidence from: the generic model, honestly unverified.
            let mut none = Evidence::none();
            none.description =
                format!("no evidence: neither Docker nor Kubernetes was found on {host}");
            none
        }
    };
    // `none`, as for audit and scan: the exit code never reports threats.
    let fail_on = match args.fail_on.as_deref() {
        Some(text) => risk_threshold(text)?,
        None => None,
    };
    if args.summary && !matches!(args.format, ModelFormat::Text | ModelFormat::Markdown) {
        bail!(
            "--summary prints the summary page as text or markdown, not {:?}",
            args.format
        );
    }
    let now = stockade_collect::rfc3339(std::time::SystemTime::now());
    let today = now.get(..10).unwrap_or_default().to_owned();
    let wanted = args.platform.or(args.generic.then_some(PlatformArg::All));
    let model = evaluate_evidence(&mut catalog, &evidence, wanted, &today);
    let title = match &evidence.hostname {
        Some(host) => format!("Threat model of {host}"),
        None => "Threat model of Docker and Kubernetes".to_owned(),
    };
    let report = ModelReport::new(
        &catalog,
        &model,
        ModelScope {
            title,
            hostname: evidence.hostname.clone(),
            os: evidence.os.clone(),
            engine: evidence.engine.clone(),
            evidence: evidence.description.clone(),
            checks_run: evidence.outcomes.len(),
            generated_at: now,
        },
    );
    let rendered_svg = match args.format {
        ModelFormat::Svg => Some(svg(&threat_model::dot(&report))?),
        _ => None,
    };
    output::emit(args.output.as_deref(), |out, color| match args.format {
        ModelFormat::Text if args.summary => threat_model::text_summary(&report, out, color),
        ModelFormat::Markdown if args.summary => threat_model::markdown_summary(&report, out),
        ModelFormat::Text => threat_model::text(&report, out, color),
        ModelFormat::Markdown => threat_model::markdown(&report, out),
        ModelFormat::Json => threat_model::json(&report, out),
        ModelFormat::Dot => out.write_all(threat_model::dot(&report).as_bytes()),
        ModelFormat::Mermaid => out.write_all(threat_model::mermaid(&report).as_bytes()),
        ModelFormat::Svg => out.write_all(rendered_svg.as_deref().unwrap_or_default()),
    })?;
    let reached = fail_on.is_some_and(|threshold| {
        model
            .assessments
            .iter()
            .any(|a| a.status == ThreatStatus::Open && a.risk >= threshold)
    });
    Ok(if reached {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `--fail-on`: a risk from 1 to 25, a band name, or `none`.
pub(crate) fn risk_threshold(text: &str) -> anyhow::Result<Option<u8>> {
    parse_risk(text).map_err(|e| anyhow::anyhow!("--fail-on: {e}"))
}

/// A `model --fail-on` risk (or `fail-on` in the configuration's `[model]`);
/// `none` is no threshold.
pub(crate) fn parse_risk(text: &str) -> Result<Option<u8>, String> {
    if text == "none" {
        return Ok(None);
    }
    parse_risk_value(text).map(Some)
}

fn parse_risk_value(text: &str) -> Result<u8, String> {
    if let Some(band) = RiskBand::parse(text) {
        return Ok(band.floor());
    }
    match text.parse::<u8>() {
        Ok(risk) if (1..=25).contains(&risk) => Ok(risk),
        _ => Err(format!(
            "`{text}` is neither a risk from 1 to 25 nor low, medium, high, critical or none"
        )),
    }
}

/// Evaluates the threats of `catalog` against the evidence of one host:
/// the components the host runs (from its snapshot), the platforms modelled
/// (`wanted`, or what the evidence shows), its containers as threat
/// instances, then each threat's status. `catalog` is left as modelled.
/// `stockade model` and `stockade report` (once per host) both come here.
pub fn evaluate_evidence(
    catalog: &mut Catalog,
    evidence: &Evidence,
    wanted: Option<PlatformArg>,
    today: &str,
) -> ThreatModel {
    if let Some(snapshot) = &evidence.snapshot {
        stockade_threats::presence::apply(catalog, snapshot);
    }
    let platforms = platforms(wanted, catalog, evidence);
    catalog.retain_platforms(&platforms);
    if let Some(workload) = evidence
        .snapshot
        .as_ref()
        .and_then(|s| s.docker.as_ref())
        .and_then(|d| d.workload.ok())
        .filter(|_| platforms.contains(&"docker"))
    {
        stockade_threats::topology::add_docker_topology(catalog, workload, &evidence.outcomes);
    }
    evaluate(catalog, &evidence.outcomes, today)
}

/// The platforms to model: as asked (all for the generic model); else what
/// the evidence shows (components present on the host, or the benchmarks
/// of the checks in saved results).
fn platforms(
    wanted: Option<PlatformArg>,
    catalog: &Catalog,
    evidence: &Evidence,
) -> Vec<&'static str> {
    const ALL: [&str; 2] = ["docker", "kubernetes"];
    match wanted {
        Some(PlatformArg::Docker) => return vec!["docker"],
        Some(PlatformArg::Kubernetes) => return vec!["kubernetes"],
        Some(PlatformArg::All) => return ALL.to_vec(),
        None => {}
    }
    let found: Vec<&'static str> = if evidence.snapshot.is_some() {
        ALL.into_iter()
            .filter(|platform| {
                catalog.components.iter().any(|c| {
                    c.platform == *platform
                        && matches!(catalog.presence_of(&c.id), Some(Presence::Present(_)))
                })
            })
            .collect()
    } else {
        ALL.into_iter()
            .filter(|platform| {
                evidence.outcomes.iter().any(|o| {
                    stockade_checks::by_id(&o.id).is_some_and(|c| {
                        let benchmark = match c.meta.platform() {
                            Benchmark::Docker => "docker",
                            Benchmark::Kubernetes => "kubernetes",
                        };
                        benchmark == *platform
                    })
                })
            })
            .collect()
    };
    if found.is_empty() {
        ALL.to_vec()
    } else {
        found
    }
}

fn load_catalog(args: &ModelArgs) -> anyhow::Result<Catalog> {
    let mut catalog = stockade_threats::builtin().map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "the built-in threat catalog is invalid:\n{}",
            list.join("\n")
        )
    })?;
    for path in &args.models {
        let text =
            stockade_collect::bounded::read_text(path, stockade_collect::bounded::MODEL_FILE)?;
        if let Err(errors) =
            stockade_threats::load_user_model(&mut catalog, &path.display().to_string(), &text)
        {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            bail!("invalid model file:\n{}", list.join("\n"));
        }
    }
    Ok(catalog)
}

/// Renders DOT to SVG with Graphviz.
fn svg(dot: &str) -> anyhow::Result<Vec<u8>> {
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "SVG needs Graphviz's `dot`, which is not installed (apt-get install graphviz); `--format dot` writes the diagram for rendering elsewhere"
        ),
        Err(e) => return Err(e).context("cannot run Graphviz `dot`"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(dot.as_bytes())
            .context("cannot feed Graphviz `dot`")?;
    }
    let output = child.wait_with_output().context("Graphviz `dot` failed")?;
    if !output.status.success() {
        bail!(
            "Graphviz `dot` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// One host's threat verdicts, evaluated as `stockade model --from FILE`
/// does from its audit results (and the snapshot they were judged from):
/// the catalog threats, their per-container instances folded into them.
/// The findings move into the evidence and back, so nothing is copied.
pub(crate) fn host_threats(
    catalog: &Catalog,
    today: &str,
    reports: &mut [AuditReport<'_>],
    snapshot: Option<Snapshot>,
) -> Vec<HostThreat> {
    let outcomes = reports
        .iter_mut()
        .flat_map(|r| &mut r.results)
        .map(|r| CheckOutcome {
            id: r.meta.id.to_owned(),
            mode: r.meta.mode,
            findings: std::mem::take(&mut r.findings),
        })
        .collect();
    let mut evidence = Evidence::none();
    evidence.outcomes = outcomes;
    evidence.snapshot = snapshot;
    let mut evaluated = catalog.clone();
    let model = evaluate_evidence(&mut evaluated, &evidence, None, today);
    for (result, outcome) in reports
        .iter_mut()
        .flat_map(|r| &mut r.results)
        .zip(evidence.outcomes)
    {
        result.findings = outcome.findings;
    }
    model
        .assessments
        .into_iter()
        .filter(|a| {
            catalog
                .threat(&a.threat)
                .is_some_and(|t| t.instance_of.is_none())
        })
        .map(|a| HostThreat {
            id: a.threat,
            status: a.status,
            risk: a.risk,
        })
        .collect()
}

/// The catalog threats (not their instances) as the fleet renderers list them.
pub(crate) fn threat_infos(catalog: &Catalog) -> Vec<ThreatInfo> {
    catalog
        .threats
        .iter()
        .filter(|t| t.instance_of.is_none())
        .map(|t| ThreatInfo {
            id: t.id.clone(),
            title: t.title.clone(),
            stride: t.stride,
            component: t.component.clone(),
        })
        .collect()
}
