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
    /// List every check with its CIS number, severity and STRIDE letters.
    Rules(RulesArgs),
    /// Show the documentation of one check (by id, or by CIS number).
    Rule(RuleArgs),
    /// Turn another tool's results into stockade findings (e.g. `import docker-bench LOG.json`).
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool that wrote FILE.
    #[arg(value_enum)]
    pub tool: ImportTool,
    /// The tool's results (docker-bench: its JSON log, log/docker-bench-security.log.json).
    pub file: PathBuf,
    /// CIS numbering the log uses, instead of recognising it from the log's titles.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportTool {
    /// docker-bench-security's JSON log, any CIS numbering it has shipped.
    DockerBench,
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
    #[command(flatten)]
    pub workload: WorkloadArgs,
}

/// Which containers and images the container and image checks judge.
#[derive(Debug, Args)]
pub struct WorkloadArgs {
    /// Judge only running containers (by default every container, in every state, is judged).
    #[arg(long)]
    pub running_only: bool,
    /// Judge only containers and images matching PATTERN: a name glob (`web-*`, matched against
    /// container names, their images and image tags) or `label:KEY[=VALUE]` (repeatable).
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub include: Vec<String>,
    /// Skip containers and images matching PATTERN (same forms as --include; repeatable).
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub exclude: Vec<String>,
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
