//! `stockade audit`: collect (or load) a snapshot, run the selected checks,
//! render the results, and decide the exit code.

use std::path::Path;
use std::str::FromStr;

use anyhow::bail;
use serde_json::Value;
use stockade_checks::select::{self, CisVersions};
use stockade_checks::workload::{Pattern, Selection};
use stockade_checks::{Check, HostContext};
use stockade_core::cis::Benchmark;
use stockade_core::snapshot::{Probe, SCHEMA_VERSION, Snapshot};
use stockade_core::{Severity, Status};
use stockade_report::baseline::{Baseline, BaselineMatch};
use stockade_report::diff::DocumentKind;
use stockade_report::fingerprint;
use stockade_report::fleet::{self, Fleet, FleetHost, HostInput, RenderOptions};
use stockade_report::{AuditReport, CheckResult, Target};

use crate::cli::{AuditArgs, AuditFormat, Target as TargetArg, WorkloadArgs};
use crate::commands::scan::DisplayFilter;
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &AuditArgs) -> anyhow::Result<Outcome> {
    let threshold = fail_threshold(&args.fail_on)?;
    let versions = super::cis_versions(args.cis_version.as_deref())?;
    let selected = select::select(&host_checks(), &args.checks, &args.skips, &versions)?;
    let baseline = super::baseline::load_optional(args.baseline.as_deref(), DocumentKind::Audit)?;

    let (snapshot, source) = match &args.from {
        Some(path) => (load_snapshot(path)?, path.display().to_string()),
        None => {
            let mut options = super::collect_options(&args.source)?;
            options.docker = matches!(
                args.target,
                TargetArg::Auto | TargetArg::Docker | TargetArg::All
            );
            options.kubernetes = matches!(
                args.target,
                TargetArg::Auto | TargetArg::Kubernetes | TargetArg::All
            );
            let snapshot = stockade_collect::collect(&options);
            let source = match (snapshot.host.live, snapshot.host.root.as_str()) {
                (true, "/") => "live".to_owned(),
                (true, root) => format!("live, host root at {root}"),
                (false, _) => "mounted host root".to_owned(),
            };
            (snapshot, source)
        }
    };

    let selection = selection(&args.workload)?;
    let plan = AuditPlan {
        target: args.target,
        selected: &selected,
        named: &args.checks,
        versions: &versions,
        selection: &selection,
    };
    let reports = plan.judge_snapshot(&snapshot, &source);
    let input = if args.from.is_some() {
        HostInput::Snapshot
    } else if snapshot.host.live {
        HostInput::Live
    } else {
        HostInput::HostRoot
    };
    let display = Display {
        filter: DisplayFilter::new(args.severity.as_deref(), &args.statuses)?,
        quiet: args.quiet,
    };
    let baseline = baseline.map(|b| match_baseline(&reports, &b));
    emit_reports(
        &reports,
        args.format,
        Judged {
            input,
            snapshot: Some(&snapshot),
        },
        &display,
        args.config_file.as_deref(),
        baseline.as_ref(),
        args.output.as_deref(),
    )?;
    write_baseline(&reports, baseline.as_ref(), args.write_baseline.as_deref())?;
    Ok(outcome(&reports, threshold, baseline.as_ref()))
}

/// This run's findings set against `baseline`.
pub(crate) fn match_baseline(reports: &[AuditReport<'_>], baseline: &Baseline) -> BaselineMatch {
    let results: Vec<&CheckResult<'_>> = reports.iter().flat_map(|r| &r.results).collect();
    let fingerprints: Vec<Vec<String>> = results
        .iter()
        .map(|r| fingerprint::audit_fingerprints(r))
        .collect();
    baseline.compare(
        results
            .iter()
            .zip(&fingerprints)
            .flat_map(|(r, prints)| r.findings.iter().zip(prints.iter().map(String::as_str))),
    )
}

/// `--write-baseline FILE`: the JSON document, whatever `--format` printed.
pub(crate) fn write_baseline(
    reports: &[AuditReport<'_>],
    baseline: Option<&BaselineMatch>,
    path: Option<&Path>,
) -> anyhow::Result<()> {
    super::baseline::write(path, |out| {
        stockade_report::json::render_many(reports, None, baseline, out)
    })
}

/// What an audit judges: the benchmarks to report, the selected checks, the
/// numbering and the workload selection. `audit --from` and `report` judge
/// snapshots through it, so both give the same verdicts.
pub struct AuditPlan<'p> {
    pub target: TargetArg,
    pub selected: &'p [&'static Check],
    /// `--check` values: a check named by id is audited even when its
    /// platform was not found.
    pub named: &'p [String],
    pub versions: &'p CisVersions,
    pub selection: &'p Selection,
}

impl AuditPlan<'_> {
    /// One report per benchmark the snapshot calls for.
    pub fn judge_snapshot(&self, snapshot: &Snapshot, source: &str) -> Vec<AuditReport<'static>> {
        benchmarks(self.target, snapshot, self.selected, self.named)
            .iter()
            .map(|benchmark| {
                let checks: Vec<&'static Check> = self
                    .selected
                    .iter()
                    .copied()
                    .filter(|c| c.meta.platform() == *benchmark)
                    .collect();
                AuditReport {
                    target: target(snapshot, source.to_owned(), *benchmark),
                    benchmark: *benchmark,
                    cis_version: self.versions.for_benchmark(*benchmark).to_owned(),
                    results: judge(snapshot, &checks, self.versions, self.selection),
                }
            })
            .collect()
    }
}

/// The host checks (file rules of `stockade scan` share CIS numbers with
/// them; an audit runs only the checks that read a host snapshot).
pub fn host_checks() -> Vec<&'static Check> {
    stockade_checks::all()
        .iter()
        .copied()
        .filter(|c| c.input() == stockade_checks::Input::Host)
        .collect()
}

/// `--severity`, `--status` and `--quiet`: what the text report lists.
#[derive(Debug, Default)]
pub(crate) struct Display {
    pub filter: DisplayFilter,
    pub quiet: bool,
}

/// What the reports were judged from: how they reached this run and, when
/// this run judged them, the snapshot (its facts inform the threat model).
#[derive(Clone, Copy)]
pub(crate) struct Judged<'s> {
    pub input: HostInput,
    pub snapshot: Option<&'s Snapshot>,
}

/// Renders reports, one after the other in text, as one document in JSON;
/// JUnit, Markdown and HTML render them as a fleet of one host (every
/// check listed, the HTML's details unfolded, with its filters, and the
/// threats the results leave open).
pub(crate) fn emit_reports(
    reports: &[AuditReport<'_>],
    format: AuditFormat,
    judged: Judged<'_>,
    display: &Display,
    config: Option<&str>,
    baseline: Option<&BaselineMatch>,
    path: Option<&Path>,
) -> anyhow::Result<()> {
    let fleet = match format {
        AuditFormat::Junit | AuditFormat::Markdown | AuditFormat::Html => {
            Some(fleet_of_one(reports, judged)?)
        }
        AuditFormat::Text | AuditFormat::Json | AuditFormat::Sarif => None,
    };
    let options = RenderOptions {
        all_checks: true,
        ..RenderOptions::default()
    };
    output::emit(path, |out, color| match (&fleet, format) {
        (Some(fleet), AuditFormat::Junit) => fleet::junit::render(fleet, &options, out),
        (Some(fleet), AuditFormat::Markdown) => fleet::markdown::render(fleet, &options, out),
        (Some(fleet), _) => fleet::html::render(fleet, &options, out),
        (None, AuditFormat::Json) => {
            stockade_report::json::render_many(reports, config, baseline, out)
        }
        (None, AuditFormat::Sarif) => stockade_report::sarif_audit::render(reports, out),
        (None, _) => {
            for (i, report) in reports.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                if display.quiet {
                    stockade_report::text::render_summary(report, out, color)?;
                } else {
                    stockade_report::text::render_shown(report, baseline, out, color, &|r| {
                        display.filter.shows_status(r.status(), r.meta.severity)
                    })?;
                }
            }
            if let Some(baseline) = baseline {
                writeln!(out, "{}", baseline.summary_line("finding"))?;
            }
            Ok(())
        }
    })
}

/// One host's reports as a fleet of one, titled after the host, with the
/// threat verdicts `stockade model` would give on the same evidence.
fn fleet_of_one<'a>(reports: &[AuditReport<'a>], judged: Judged<'_>) -> anyhow::Result<Fleet<'a>> {
    let first = reports.first();
    let hostname = first.and_then(|r| r.target.hostname.clone());
    let source = first.map_or_else(String::new, |r| r.target.source.clone());
    let name = hostname.clone().unwrap_or_else(|| {
        if source.is_empty() {
            "host".to_owned()
        } else {
            source.clone()
        }
    });
    let benchmarks: Vec<String> = reports
        .iter()
        .map(|r| format!("{} v{}", r.benchmark, r.cis_version))
        .collect();
    let catalog = super::harden::catalog()?;
    let now = stockade_collect::rfc3339(std::time::SystemTime::now());
    let mut reports = reports.to_vec();
    let threats = super::model::host_threats(
        &catalog,
        now.get(..10).unwrap_or_default(),
        &mut reports,
        judged.snapshot.cloned(),
    );
    Ok(Fleet {
        title: format!("stockade audit of {name}: {}", benchmarks.join(", ")),
        generated_at: first
            .map(|r| r.target.collected_at.clone())
            .filter(|at| !at.is_empty())
            .unwrap_or(now),
        hosts: vec![FleetHost {
            name,
            source,
            input: judged.input,
            reports,
            threats,
        }],
        problems: Vec::new(),
        threats: super::model::threat_infos(&catalog),
    })
}

/// The benchmarks to report: as asked, or (auto) Kubernetes when the node
/// runs Kubernetes components, Docker when it runs Docker — and Docker when
/// neither is found, so the report says what is missing.
fn benchmarks(
    target: TargetArg,
    snapshot: &Snapshot,
    selected: &[&Check],
    named_ids: &[String],
) -> Vec<Benchmark> {
    match target {
        TargetArg::Docker => vec![Benchmark::Docker],
        TargetArg::Kubernetes => vec![Benchmark::Kubernetes],
        TargetArg::All => vec![Benchmark::Docker, Benchmark::Kubernetes],
        TargetArg::Auto => {
            let kubernetes = snapshot
                .kubernetes
                .as_ref()
                .is_some_and(stockade_core::kubernetes::KubernetesFacts::found_kubernetes);
            let docker = found_docker(snapshot);
            let mut found = match (docker, kubernetes) {
                (true, true) => vec![Benchmark::Docker, Benchmark::Kubernetes],
                (false, true) => vec![Benchmark::Kubernetes],
                _ => vec![Benchmark::Docker],
            };
            // A check named by id is audited even when its platform was not found.
            found.extend(
                selected
                    .iter()
                    .filter(|c| named_ids.iter().any(|id| id == c.meta.id))
                    .map(|c| c.meta.platform()),
            );
            found.sort();
            found.dedup();
            found
        }
    }
}

/// Whether the snapshot shows Docker: an answering Engine API, a dockerd
/// process, or a docker.service unit.
pub fn found_docker(snapshot: &Snapshot) -> bool {
    snapshot.docker.as_ref().is_some_and(|d| {
        d.engine.ok().is_some() || d.daemon.ok().is_some() || d.unit("docker.service").is_some()
    })
}

/// `--running-only`, `--include`, `--exclude`.
fn selection(args: &WorkloadArgs) -> anyhow::Result<Selection> {
    let patterns = |texts: &[String], flag: &str| -> anyhow::Result<Vec<Pattern>> {
        texts
            .iter()
            .map(|text| Pattern::parse(text).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
            .collect()
    };
    Ok(Selection {
        running_only: args.running_only,
        include: patterns(&args.include, "--include")?,
        exclude: patterns(&args.exclude, "--exclude")?,
    })
}

/// Runs every check on the snapshot; container and image checks judge the
/// selected containers and images only.
pub fn judge<'a>(
    snapshot: &Snapshot,
    checks: &[&'a Check],
    versions: &CisVersions,
    selection: &Selection,
) -> Vec<CheckResult<'a>> {
    let ctx = HostContext::with_selection(snapshot, selection);
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
    parse_fail_on(text).map_err(|e| anyhow::anyhow!("--fail-on: {e}"))
}

/// A `--fail-on` severity (or `fail-on` in the configuration file).
pub(crate) fn parse_fail_on(text: &str) -> Result<Option<Severity>, String> {
    if text.eq_ignore_ascii_case("none") || text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    Severity::from_str(text)
        .map(Some)
        .map_err(|e| format!("{e}, or none"))
}

/// 2 when a finding is an error, 1 when a problem the baseline does not
/// hold reaches the threshold, else 0.
pub(crate) fn outcome(
    reports: &[AuditReport<'_>],
    threshold: Option<Severity>,
    baseline: Option<&BaselineMatch>,
) -> Outcome {
    let results = || reports.iter().flat_map(|r| &r.results);
    if results()
        .flat_map(|r| &r.findings)
        .any(|f| f.status == Status::Error)
    {
        return Outcome::Error;
    }
    let failing = threshold.is_some_and(|threshold| {
        results().any(|result| {
            let prints = fingerprint::audit_fingerprints(result);
            result.findings.iter().zip(&prints).any(|(f, print)| {
                f.status.is_problem()
                    && f.severity >= threshold
                    && !baseline.is_some_and(|b| b.holds(f, print))
            })
        })
    });
    if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// Reads a snapshot written by `stockade collect`.
pub fn load_snapshot(path: &Path) -> anyhow::Result<Snapshot> {
    let text = stockade_collect::bounded::read_text(path, stockade_collect::bounded::SNAPSHOT)?;
    parse_snapshot(path, &text)
}

/// The fields that say what a JSON document is, read without building the rest.
#[derive(serde::Deserialize)]
pub struct DocumentHeader {
    #[serde(default)]
    pub schema_version: Option<Value>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub collector: Option<Value>,
}

impl DocumentHeader {
    /// Reads the header of `text`; an error names the file, line and column.
    pub fn read(path: &Path, text: &str) -> anyhow::Result<DocumentHeader> {
        serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}:{}: not JSON: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }
}

/// A snapshot from the contents of `path`. The document is parsed once;
/// only when that fails is its header read, to say what is wrong with it
/// (not JSON, another schema version) before where it is malformed.
pub fn parse_snapshot(path: &Path, text: &str) -> anyhow::Result<Snapshot> {
    match serde_json::from_str::<Snapshot>(text) {
        Ok(snapshot) => {
            let version = Value::from(snapshot.schema_version);
            match snapshot_version_problem(path, Some(&version)) {
                None => Ok(snapshot),
                Some(problem) => Err(problem),
            }
        }
        Err(malformed) => {
            let header = DocumentHeader::read(path, text)?;
            if let Some(problem) = snapshot_version_problem(path, header.schema_version.as_ref()) {
                return Err(problem);
            }
            bail!(
                "{}:{}:{}: malformed snapshot: {malformed}",
                path.display(),
                malformed.line(),
                malformed.column()
            )
        }
    }
}

/// What is wrong with a snapshot's `schema_version`, if anything.
fn snapshot_version_problem(path: &Path, found: Option<&Value>) -> Option<anyhow::Error> {
    let problem = match found {
        None => "not a stockade snapshot (no schema_version)".to_owned(),
        Some(Value::Number(number)) if number.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {
            return None;
        }
        Some(Value::Number(number)) => format!(
            "snapshot schema version {number} is not the one this stockade reads ({SCHEMA_VERSION}); collect it again with this version"
        ),
        Some(other) => format!(
            "`schema_version` is {}, not a number: not a snapshot stockade wrote",
            json_type(other)
        ),
    };
    Some(anyhow::anyhow!("{}: {problem}", path.display()))
}

/// `the string "1"`, `an object`: a JSON value's type, for messages.
pub fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(text) => {
            let shown: String = text.chars().take(40).collect();
            format!("the string {shown:?}")
        }
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn target(snapshot: &Snapshot, source: String, benchmark: Benchmark) -> Target {
    if benchmark == Benchmark::Kubernetes {
        return Target {
            kind: "kubernetes-node".to_owned(),
            hostname: snapshot.host.hostname.clone(),
            os: snapshot.host.os.clone(),
            root: snapshot.host.root.clone(),
            endpoint: None,
            engine_version: None,
            collected_at: snapshot.collected_at.clone(),
            source,
        };
    }
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
