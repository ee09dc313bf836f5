//! `stockade model`: the STRIDE threat model, evaluated against evidence.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use stockade_report::threat_model::{self, ModelReport, ModelScope};
use stockade_threats::{Catalog, evaluate};

use super::evidence::Evidence;
use crate::cli::{ModelArgs, ModelFormat};
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
    if let Some(workload) = evidence
        .snapshot
        .as_ref()
        .and_then(|s| s.docker.as_ref())
        .and_then(|d| d.workload.ok())
    {
        stockade_threats::topology::add_docker_topology(&mut catalog, workload, &evidence.outcomes);
    }
    let now = stockade_collect::rfc3339(std::time::SystemTime::now());
    let today = now.get(..10).unwrap_or_default().to_owned();
    let model = evaluate(&catalog, &evidence.outcomes, &today);
    let title = match &evidence.hostname {
        Some(host) => format!("Threat model of {host}"),
        None => "Threat model of Docker and Kubernetes".to_owned(),
    };
    let report = ModelReport {
        catalog: &catalog,
        model: &model,
        scope: ModelScope {
            title,
            hostname: evidence.hostname.clone(),
            os: evidence.os.clone(),
            engine: evidence.engine.clone(),
            evidence: evidence.description.clone(),
            checks_run: evidence.outcomes.len(),
            generated_at: now,
        },
    };
    let rendered_svg = match args.format {
        ModelFormat::Svg => Some(svg(&threat_model::dot(&report))?),
        _ => None,
    };
    output::emit(args.output.as_deref(), |out, color| match args.format {
        ModelFormat::Text => threat_model::text(&report, out, color),
        ModelFormat::Markdown => threat_model::markdown(&report, out),
        ModelFormat::Json => threat_model::json(&report, out),
        ModelFormat::Dot => out.write_all(threat_model::dot(&report).as_bytes()),
        ModelFormat::Mermaid => out.write_all(threat_model::mermaid(&report).as_bytes()),
        ModelFormat::Svg => out.write_all(rendered_svg.as_deref().unwrap_or_default()),
    })?;
    Ok(Outcome::Clean)
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
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read model file {}", path.display()))?;
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
