//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "stockade",
    version,
    about = "Audit Docker hosts against the CIS Docker Benchmark, with evidence for every verdict",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit this host (or a snapshot, or a mounted host root) against the CIS benchmark.
    Audit(AuditArgs),
    /// Gather the facts an audit needs into a snapshot file, to audit elsewhere with `audit --from`.
    Collect(CollectArgs),
    /// Scan Dockerfiles, Compose files and Kubernetes manifests (files or directories).
    Scan(ScanArgs),
    /// List every check with its CIS number, severity and STRIDE letters.
    Rules(RulesArgs),
    /// Show the documentation of one check (by id, or by CIS number).
    Rule(RuleArgs),
}

/// Where the facts come from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Audit a host filesystem mounted at DIR instead of this machine's `/`.
    #[arg(long, value_name = "DIR")]
    pub host_root: Option<PathBuf>,
    /// Docker Engine API endpoint (unix:///path or tcp://host:port).
    #[arg(long, value_name = "URL", env = "DOCKER_HOST")]
    pub docker_host: Option<String>,
    /// Seconds to wait for each Engine API request or external command.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Judge a snapshot written by `stockade collect` instead of collecting now.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host_root", "docker_host"])]
    pub from: Option<PathBuf>,
    /// What to audit.
    #[arg(long, value_enum, default_value_t = Target::Docker)]
    pub target: Target,
    /// Run only these checks: ids, CIS numbers or CIS sections (repeatable, comma-separated).
    #[arg(long = "check", value_name = "ID|CIS", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Skip these checks: ids, CIS numbers or CIS sections (repeatable, comma-separated).
    #[arg(long = "skip", value_name = "ID|CIS", value_delimiter = ',')]
    pub skips: Vec<String>,
    /// Benchmark version whose numbering to print and select by (e.g. 1.6.0, 1.2.0).
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a fail or warn finding has at least this severity ("none": never).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (directories are walked, honouring .gitignore).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Run only these checks: ids, CIS numbers or CIS sections (repeatable, comma-separated).
    #[arg(long = "check", value_name = "ID|CIS", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Skip these checks: ids, CIS numbers or CIS sections (repeatable, comma-separated).
    #[arg(long = "skip", value_name = "ID|CIS", value_delimiter = ',')]
    pub skips: Vec<String>,
    /// Benchmark version whose numbering to print and select by (e.g. 1.6.0, kubernetes:1.11).
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a fail or warn finding has at least this severity ("none": never).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// Files larger than this many bytes are reported, not parsed.
    #[arg(long, value_name = "BYTES", default_value_t = stockade_checks::scan::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Write the snapshot to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
    /// Benchmark version whose numbering to print.
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A check id (e.g. daemon-icc-enabled) or a CIS number (e.g. 2.2).
    pub id: String,
    /// Benchmark version a CIS number refers to.
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// The Docker host: CIS Docker Benchmark.
    Docker,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}
