//! `stockade scan`: find the files, scan them in parallel, apply ignores,
//! render, and decide the exit code.

use std::path::PathBuf;

use rayon::prelude::*;
use stockade_checks::scan::{self, FileKind, FileScan};
use stockade_checks::select::{self, CisVersions};
use stockade_checks::{Check, Input, Runner};
use stockade_collect::bounded;
use stockade_core::cis::Benchmark;
use stockade_core::{Finding, Severity, Status};
use stockade_report::diff::DocumentKind;
use stockade_report::scan::{Mask, RuleInfo, ScanReport, ScanStats, ScannedFile};
use stockade_report::scan_formats;

use crate::cli::{ScanArgs, ScanFormat};
use crate::discover::{self, AnchoredGlobs, Exclusions, Target, Walked};
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &ScanArgs) -> anyhow::Result<Outcome> {
    let threshold = super::audit::fail_threshold(&args.fail_on)?;
    let versions = super::cis_versions(args.cis_version.as_deref())?;
    let checks = selected_checks(args, &versions)?;
    let filter = DisplayFilter::new(args.severity.as_deref(), &args.statuses)?;
    let baseline = super::baseline::load_optional(args.baseline.as_deref(), DocumentKind::Scan)?;
    if let Some(jobs) = args.jobs.filter(|j| *j > 0) {
        // Only fails when a pool already exists; the default one is fine then.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }

    let scans = scan_inputs(args, &checks)?;

    let cis_labels: Vec<(&'static str, String)> = checks
        .iter()
        .filter_map(|c| cis_label(c, &versions).map(|label| (c.meta.id, label)))
        .collect();
    let mut report = build_report(args, &scans, &checks, &cis_labels, &versions);
    if let Some(baseline) = &baseline {
        report.match_baseline(baseline);
    }
    let results = stockade_report::sarif::result_count(&report);
    if matches!(args.format, ScanFormat::Sarif)
        && results > stockade_report::sarif::CODE_SCANNING_RESULT_LIMIT
    {
        crate::exit::report_warning(&format!(
            "the SARIF log holds {results} results; GitHub code scanning accepts at most {} per run: split the upload (fewer paths per scan)",
            stockade_report::sarif::CODE_SCANNING_RESULT_LIMIT
        ));
    }
    let shown = |f: &Finding| !args.quiet && filter.shows(f);
    output::emit(args.output.as_deref(), |out, color| match args.format {
        ScanFormat::Text if args.quiet => stockade_report::diagnostic::summary(&report, out),
        ScanFormat::Text => stockade_report::diagnostic::render_shown(&report, out, color, &shown),
        ScanFormat::Json => stockade_report::scan::render_json(&report, out),
        ScanFormat::Sarif => stockade_report::sarif::render(&report, out),
        ScanFormat::Concise => scan_formats::render_concise(&report, out, &shown),
        ScanFormat::Github => scan_formats::render_github(&report, out, &shown),
        ScanFormat::Junit => scan_formats::render_junit(&report, out),
        ScanFormat::Gitlab => scan_formats::render_gitlab(&report, out),
    })?;
    super::baseline::write(args.write_baseline.as_deref(), |out| {
        stockade_report::scan::render_json(&report, out)
    })?;
    Ok(outcome(&report, threshold))
}

/// Finds and scans the files under `paths` in parallel, then runs the rules
/// across files and applies ignores.
pub(crate) fn scan_paths(
    paths: &[PathBuf],
    exclusions: &Exclusions,
    checks: &[&Check],
    max_size: u64,
) -> Vec<FileScan> {
    let walked = discover::discover(paths, exclusions);
    let mut scans: Vec<FileScan> = walked
        .par_iter()
        .filter_map(|entry| match entry {
            Walked::File(target) => scan_target(target, checks, max_size),
            Walked::Error { path, reason } => Some(scan::unreadable(path, reason)),
        })
        .collect();
    scan::finish(&mut scans, checks);
    scans
}

fn selected_checks(args: &ScanArgs, versions: &CisVersions) -> anyhow::Result<Vec<&'static Check>> {
    file_checks(&args.checks, &args.skips, versions)
}

/// The file checks the user selected; the scan's own checks (parse errors,
/// ignores) stay on unless skipped by name.
pub(crate) fn file_checks(
    checks: &[String],
    skips: &[String],
    versions: &CisVersions,
) -> anyhow::Result<Vec<&'static Check>> {
    let file_checks: Vec<&'static Check> = stockade_checks::all()
        .iter()
        .copied()
        .filter(|c| c.input() == Input::Files)
        .collect();
    let mut chosen = select::select(&file_checks, checks, skips, versions)?;
    if !checks.is_empty() {
        for check in &file_checks {
            let engine = matches!(check.runner, Runner::Scan);
            let skipped = skips.iter().any(|s| s == check.meta.id);
            if engine && !skipped && !chosen.iter().any(|c| c.meta.id == check.meta.id) {
                chosen.push(check);
            }
        }
    }
    Ok(chosen)
}

fn scan_target(target: &Target, checks: &[&Check], max_size: u64) -> Option<FileScan> {
    let display = &target.display;
    let limit = bounded::Limit::custom("a file to scan (--max-file-size)", max_size);
    let bytes = match bounded::read_bytes_as(&target.path, display, limit) {
        Ok(bytes) => bytes,
        Err(error) => return Some(scan::unreadable(display, &not_read(&error))),
    };
    if target.named && is_binary(&bytes) {
        return Some(scan::unreadable(display, BINARY_NAMED_FILE));
    }
    scan::scan_bytes(display, target.candidate, &bytes, checks)
}

/// Why a file was not scanned, for its `file-parse-error` finding.
fn not_read(error: &bounded::ReadError) -> String {
    match error {
        bounded::ReadError::TooLarge { .. } => format!("{}: not parsed", error.reason()),
        bounded::ReadError::NotRegular { .. } => error.reason(),
        _ => format!("cannot read: {}", error.reason()),
    }
}

/// Said of a file named on the command line that holds a NUL byte early on.
const BINARY_NAMED_FILE: &str = "binary content (a NUL byte in the first 8 KiB): not a Dockerfile, Compose file or Kubernetes manifest";

/// Whether the first 8 KiB hold a NUL byte (text files never do).
fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|b| *b == 0)
}

/// `CIS Kubernetes 1.12: 5.2.2` for a check, in the chosen versions.
fn cis_label(check: &Check, versions: &CisVersions) -> Option<String> {
    let benchmark = check.meta.benchmark()?;
    let number = versions.number_of(check)?;
    let name = match benchmark {
        Benchmark::Docker => "CIS Docker",
        Benchmark::Kubernetes => "CIS Kubernetes",
    };
    Some(format!(
        "{name} {}: {number}",
        versions.for_benchmark(benchmark)
    ))
}

fn build_report<'a>(
    args: &ScanArgs,
    scans: &[FileScan],
    checks: &[&'a Check],
    cis_labels: &'a [(&'static str, String)],
    versions: &CisVersions,
) -> ScanReport<'a> {
    let mut stats = ScanStats::default();
    let mut files = Vec::new();
    for scan in scans {
        stats.files_scanned += 1;
        stats.objects += scan.subjects;
        match scan.kind {
            FileKind::Dockerfile => stats.dockerfiles += 1,
            FileKind::Compose => stats.compose_files += 1,
            FileKind::Kubernetes => stats.kubernetes_files += 1,
            FileKind::Template => stats.templates_skipped += 1,
            FileKind::Unreadable => stats.unreadable += 1,
        }
        if scan.findings.is_empty() && scan.suppressed.is_empty() {
            continue;
        }
        files.push(ScannedFile {
            path: scan.path.clone(),
            kind: scan.kind.as_str(),
            findings: scan.findings.clone(),
            suppressed: scan.suppressed.clone(),
            masks: scan
                .masks
                .iter()
                .map(|m| Mask {
                    line: m.line,
                    column: m.column,
                    len: m.len,
                })
                .collect(),
            source: scan.source.clone(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let rules = checks
        .iter()
        .map(|c| RuleInfo {
            meta: &c.meta,
            cis: cis_labels
                .iter()
                .find(|(id, _)| *id == c.meta.id)
                .map(|(_, label)| label.as_str()),
        })
        .collect();
    ScanReport {
        roots: args
            .paths
            .iter()
            .map(|p| match p.as_os_str() == "-" {
                true => args
                    .stdin_filename
                    .as_deref()
                    .unwrap_or("<stdin>")
                    .to_owned(),
                false => discover::display(p),
            })
            .collect(),
        files,
        rules,
        stats,
        docker_cis_version: versions.docker.clone(),
        kubernetes_cis_version: versions.kubernetes.clone(),
        config: args.config_file.clone(),
        baseline: None,
        fingerprints: Default::default(),
    }
}

/// 2 when a finding is an error, 1 when a problem the baseline does not
/// hold reaches the threshold, else 0.
fn outcome(report: &ScanReport<'_>, threshold: Option<Severity>) -> Outcome {
    if report.findings().any(|(_, f)| f.status == Status::Error) {
        return Outcome::Error;
    }
    let failing = threshold.is_some_and(|threshold| {
        report
            .entries()
            .any(|e| !e.known && e.finding.status.is_problem() && e.finding.severity >= threshold)
    });
    if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// The paths of `stockade scan`, with `-` read from standard input under
/// `--stdin-filename` (its name in findings, and the parser it picks).
fn scan_inputs(args: &ScanArgs, checks: &[&Check]) -> anyhow::Result<Vec<FileScan>> {
    let exclusions = exclusions(args)?;
    let is_stdin = |p: &PathBuf| p.as_os_str() == "-";
    let stdin_count = args.paths.iter().filter(|p| is_stdin(p)).count();
    if stdin_count > 1 {
        anyhow::bail!("`-` (standard input) can be scanned only once");
    }
    if stdin_count == 0 {
        if args.stdin_filename.is_some() {
            anyhow::bail!("--stdin-filename names standard input: give `-` as a path to scan");
        }
        return Ok(scan_paths(
            &args.paths,
            &exclusions,
            checks,
            args.max_file_size,
        ));
    }
    let others: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| !is_stdin(p))
        .cloned()
        .collect();
    let walked = discover::discover(&others, &exclusions);
    let mut scans: Vec<FileScan> = walked
        .par_iter()
        .filter_map(|entry| match entry {
            Walked::File(target) => scan_target(target, checks, args.max_file_size),
            Walked::Error { path, reason } => Some(scan::unreadable(path, reason)),
        })
        .collect();
    let name = args.stdin_filename.as_deref().unwrap_or("<stdin>");
    let limit = bounded::Limit::custom("a file to scan (--max-file-size)", args.max_file_size);
    let scanned = match bounded::read_stream(std::io::stdin().lock(), "standard input", limit) {
        Err(error) => Some(scan::unreadable(
            name,
            &format!("standard input: {}", not_read(&error)),
        )),
        Ok(bytes) if is_binary(&bytes) => Some(scan::unreadable(name, BINARY_NAMED_FILE)),
        Ok(bytes) => {
            let candidate = discover::candidate_of_stdin(args.stdin_filename.as_deref(), &bytes);
            scan::scan_bytes(name, candidate, &bytes, checks)
        }
    };
    scans.extend(scanned);
    scan::finish(&mut scans, checks);
    Ok(scans)
}

/// A `--status` value (or one in the configuration's `status` list).
pub(crate) fn parse_status(text: &str) -> Result<Status, String> {
    Status::ALL
        .iter()
        .copied()
        .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| {
            let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            format!("unknown status `{text}` (one of {})", names.join(", "))
        })
}

/// `--exclude` (relative to the current directory) and the configuration's
/// `exclude` (relative to the configuration file).
fn exclusions(args: &ScanArgs) -> anyhow::Result<Exclusions> {
    let mut exclusions = Exclusions::default();
    if let Some(globs) = &args.config_exclude {
        // Validated when the configuration was read.
        exclusions.add(globs).map_err(anyhow::Error::msg)?;
    }
    if args.exclude.is_empty() {
        return Ok(exclusions);
    }
    let from_cli = AnchoredGlobs {
        root: std::env::current_dir()?,
        globs: args.exclude.clone(),
    };
    exclusions
        .add(&from_cli)
        .map_err(|e| anyhow::anyhow!("--exclude: {e}"))?;
    Ok(exclusions)
}

/// `--severity` and `--status`: which findings are printed.
#[derive(Debug, Default)]
pub(crate) struct DisplayFilter {
    severity: Option<Severity>,
    statuses: Vec<Status>,
}

impl DisplayFilter {
    pub(crate) fn new(severity: Option<&str>, statuses: &[String]) -> anyhow::Result<Self> {
        let severity = severity
            .map(|text| {
                text.parse::<Severity>()
                    .map_err(|e| anyhow::anyhow!("--severity: {e}"))
            })
            .transpose()?;
        let statuses = statuses
            .iter()
            .map(|text| parse_status(text).map_err(|e| anyhow::anyhow!("--status: {e}")))
            .collect::<anyhow::Result<Vec<Status>>>()?;
        Ok(DisplayFilter { severity, statuses })
    }

    pub(crate) fn shows(&self, finding: &Finding) -> bool {
        self.shows_status(finding.status, finding.severity)
    }

    /// A finding's, or a check's, status and severity.
    pub(crate) fn shows_status(&self, status: Status, severity: Severity) -> bool {
        self.severity.is_none_or(|min| severity >= min)
            && (self.statuses.is_empty() || self.statuses.contains(&status))
    }
}
