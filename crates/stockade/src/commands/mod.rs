pub mod audit;
pub mod baseline;
pub mod collect;
pub mod diff;
pub mod evidence;
pub mod harden;
pub mod import;
pub mod model;
pub mod report;
pub mod rules;
pub mod scan;
pub mod shell;

use std::time::Duration;

use anyhow::bail;
use stockade_checks::select::CisVersions;
use stockade_collect::CollectOptions;
use stockade_core::cis::Benchmark;

use crate::cli::SourceArgs;

/// Collection options from the command line (every target).
pub fn collect_options(source: &SourceArgs) -> anyhow::Result<CollectOptions> {
    if !(source.timeout.is_finite() && source.timeout > 0.0) {
        bail!("--timeout must be a positive number of seconds");
    }
    let host_root = match &source.host_root {
        Some(root) => {
            if !root.is_dir() {
                bail!("--host-root {}: not a directory", root.display());
            }
            std::path::absolute(root)?
        }
        None => "/".into(),
    };
    Ok(CollectOptions {
        host_root,
        docker_endpoint: docker_endpoint(source),
        timeout: Duration::from_secs_f64(source.timeout),
        docker: true,
        kubernetes: true,
    })
}

/// The Engine API endpoint of a live collection: `--docker-host`, else `DOCKER_HOST` from the
/// environment (read here rather than by clap, so an exported DOCKER_HOST does not count as
/// `--docker-host` given and never conflicts with `--from` or `--generic`).
pub fn docker_endpoint(source: &SourceArgs) -> Option<String> {
    source
        .docker_host
        .clone()
        .or_else(|| std::env::var("DOCKER_HOST").ok())
        .filter(|h| !h.is_empty())
}

/// The benchmark a `--cis-version` value names (`docker:1.2.0`, `1.11`).
pub fn named_benchmark(requested: Option<&str>) -> Option<Benchmark> {
    let requested = requested?;
    let (benchmark, version) = match requested.split_once(':') {
        Some(("docker", v)) => (Some(Benchmark::Docker), v),
        Some(("kubernetes" | "k8s", v)) => (Some(Benchmark::Kubernetes), v),
        _ => (None, requested),
    };
    let version = version.trim_start_matches('v');
    [Benchmark::Docker, Benchmark::Kubernetes]
        .into_iter()
        .filter(|b| benchmark.is_none_or(|wanted| wanted == *b))
        .find(|b| b.version_index(version).is_some())
}

/// `--cis-version`: a version of any known benchmark, optionally prefixed
/// (`docker:1.2.0`, `kubernetes:1.11`).
pub fn cis_versions(requested: Option<&str>) -> anyhow::Result<CisVersions> {
    let mut versions = CisVersions::default();
    let Some(requested) = requested else {
        return Ok(versions);
    };
    let (benchmark, version) = match requested.split_once(':') {
        Some(("docker", v)) => (Some(Benchmark::Docker), v),
        Some(("kubernetes" | "k8s", v)) => (Some(Benchmark::Kubernetes), v),
        _ => (None, requested),
    };
    let version = version.trim_start_matches('v');
    let candidates = [Benchmark::Docker, Benchmark::Kubernetes]
        .into_iter()
        .filter(|b| benchmark.is_none_or(|wanted| wanted == *b))
        .find(|b| b.version_index(version).is_some());
    match candidates {
        Some(Benchmark::Docker) => versions.docker = version.to_owned(),
        Some(Benchmark::Kubernetes) => versions.kubernetes = version.to_owned(),
        None => bail!(
            "unknown CIS benchmark version `{requested}` (Docker: {}; Kubernetes: {})",
            Benchmark::Docker.versions().join(", "),
            Benchmark::Kubernetes.versions().join(", ")
        ),
    }
    Ok(versions)
}
