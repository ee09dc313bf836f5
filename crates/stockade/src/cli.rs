//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "stockade",
    version,
    about = "Threat-model, audit and harden Docker and Kubernetes: CIS benchmarks with evidence, tied to the STRIDE threats they leave open",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// When to colour terminal output: `auto` colours a terminal unless NO_COLOR is set
    /// (CLICOLOR_FORCE forces it); files written with -o are never coloured.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
    /// Read settings from FILE instead of the `.stockade.toml` found from the current
    /// directory upward (see docs/config.md); the command line still wins over it.
    #[arg(long, value_name = "FILE", env = "STOCKADE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Read no configuration file: only the command line and the defaults count (it wins
    /// over STOCKADE_CONFIG; STOCKADE_NO_CONFIG=1 does the same, and --config wins over that).
    #[arg(
        long,
        env = "STOCKADE_NO_CONFIG",
        value_parser = clap::builder::BoolishValueParser::new(),
        global = true
    )]
    pub no_config: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl Cli {
    /// The command-line parser, its own messages (usage errors, help)
    /// coloured as `--color` asks: clap prints them before the flag is
    /// parsed, so the flag is looked up in the raw arguments first.
    pub fn command_with_color() -> clap::Command {
        let when = requested_color(std::env::args_os().skip(1));
        <Cli as clap::CommandFactory>::command().color(match when {
            ColorWhen::Auto => clap::ColorChoice::Auto,
            ColorWhen::Always => clap::ColorChoice::Always,
            ColorWhen::Never => clap::ColorChoice::Never,
        })
    }
}

/// The last `--color WHEN` or `--color=WHEN` before `--`; `auto` when there
/// is none or its value is not one clap will accept (clap then says so).
fn requested_color(args: impl Iterator<Item = std::ffi::OsString>) -> ColorWhen {
    let mut when = ColorWhen::Auto;
    let mut args = args.map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--" => break,
            "--color" => args.next(),
            other => other.strip_prefix("--color=").map(str::to_owned),
        };
        if let Some(parsed) = value.and_then(|v| ColorWhen::from_str(&v, false).ok()) {
            when = parsed;
        }
    }
    when
}

impl ColorWhen {
    pub fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
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
    /// STRIDE threat model of Docker and Kubernetes, each threat's status taken from audit evidence.
    Model(ModelArgs),
    /// A ranked hardening plan with patches; `--apply` makes the safe changes and re-audits.
    Harden(HardenArgs),
    /// Read another tool's results as stockade findings: `import docker-bench LOG.json`, `import kube-bench RESULT.json`.
    Import(ImportArgs),
    /// Compare two JSON documents stockade wrote (threat models, audit results or scan results):
    /// what newly opened, what was mitigated or fixed, what changed risk.
    Diff(DiffArgs),
    /// One report over many hosts: audit results (`audit --format json`) and snapshots
    /// (`collect`), files or directories of them — per host its counts and top risks, per
    /// check the hosts failing it, per threat the hosts where it is open.
    Report(ReportArgs),
    /// Print a shell completion script: `source <(stockade completions bash)`, or save it where
    /// the shell loads completions from.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory with `--dir`.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write stockade.1 and a page per command (stockade-audit.1, …) into DIR.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Audit results (`stockade audit --format json`), snapshots (`stockade collect`), or
    /// directories holding them (every *.json inside, recursively).
    #[arg(value_name = "FILE|DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output; `-` is standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a fail or warn finding on any host has at least this severity ("none": never).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// Top risks listed per host (its highest-severity failing checks).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,
    /// The report's title.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
    /// One self-contained page (inline CSS, nothing loaded from the network).
    Html,
    /// JUnit XML: a testsuite per host, a testcase per check.
    Junit,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier document (`stockade model|audit|scan --format json`).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later document, of the same kind.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write the diff to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when anything is newly open, newly failing or a new finding, whatever its
    /// severity or risk (without it or `--fail-on`, the diff exits 0 whatever changed).
    #[arg(long, conflicts_with = "fail_on")]
    pub fail_on_new: bool,
    /// Exit with 1 when something newly failing or a new finding has at least this severity
    /// (audit and scan results), or a newly open threat at least this risk: 1 to 25, or low,
    /// medium, high, critical (threat models).
    #[arg(long, value_name = "SEVERITY|RISK")]
    pub fail_on: Option<String>,
}

#[derive(Debug, Args)]
pub struct HardenArgs {
    /// Dockerfiles, Compose files, Kubernetes manifests or directories: scan them and patch
    /// what fails (without PATH, harden the Docker host).
    #[arg(value_name = "PATH", conflicts_with_all = ["from", "live", "restart_daemon", "host_root"])]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Plan from saved audit results or a snapshot instead of a fresh audit.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Keep the first N fixes of the ranked plan.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Only plan fixes for these checks (ids, CIS numbers or sections; comma-separated).
    #[arg(long = "check", value_name = "ID|CIS", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Leave these checks out of the plan.
    #[arg(long = "skip", value_name = "ID|CIS", value_delimiter = ',')]
    pub skips: Vec<String>,
    /// Make the safe changes (atomic writes, backups), then re-run the affected checks.
    #[arg(long)]
    pub apply: bool,
    /// With --apply, also make changes marked unsafe.
    #[arg(long = "unsafe", requires = "apply")]
    pub include_unsafe: bool,
    /// With --apply, also run live commands such as `docker update` on running containers.
    #[arg(long, requires = "apply")]
    pub live: bool,
    /// With --apply, restart dockerd when a change needs it (never done otherwise).
    #[arg(long, requires = "apply")]
    pub restart_daemon: bool,
    /// Command that restarts dockerd (default: `systemctl restart UNIT` for the systemd unit running
    /// dockerd when systemd is PID 1; otherwise this option is required).
    #[arg(long, value_name = "CMD", requires = "restart_daemon")]
    pub restart_command: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HardenFormat::Text)]
    pub format: HardenFormat,
    /// Write the plan to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Milliseconds to wait between files while applying (test hook).
    #[arg(long, hide = true, value_name = "MS")]
    pub pause_between_files: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HardenFormat {
    Text,
    Json,
    Markdown,
    /// One unified diff of the files --apply would write, for `git apply`.
    Diff,
    /// A bash script with every step, for review and later execution.
    Script,
}

#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Evaluate against a snapshot (`stockade collect`) or audit results (`stockade audit --format json`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host_root", "docker_host"])]
    pub from: Option<PathBuf>,
    /// Leave this host out: the generic model, every threat unverified (DOCKER_HOST is ignored).
    #[arg(long, conflicts_with_all = ["from", "host_root"])]
    pub generic: bool,
    /// Take evidence only from these checks (ids, CIS numbers or sections; comma-separated).
    #[arg(long = "check", value_name = "ID|CIS", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Take no evidence from these checks: the threats they verify stay unverified.
    #[arg(long = "skip", value_name = "ID|CIS", value_delimiter = ',')]
    pub skips: Vec<String>,
    /// A YAML model file adding components, flows, threats, acceptances and out-of-scope components (repeatable).
    #[arg(long = "model", short = 'm', value_name = "FILE")]
    pub models: Vec<PathBuf>,
    /// Output format (svg needs Graphviz `dot`).
    #[arg(long, value_enum, default_value_t = ModelFormat::Text)]
    pub format: ModelFormat,
    /// Write the model to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which platforms to model; default: what the host runs (all with --generic).
    #[arg(long, value_enum, value_name = "PLATFORM")]
    pub platform: Option<PlatformArg>,
    /// Print only the summary page: top risks, the most serious threat per STRIDE letter, the fixes that close the most risk (text or markdown).
    #[arg(long)]
    pub summary: bool,
    /// Exit 1 when an open threat's risk reaches RISK: 1–25, or low, medium, high, critical (5, 10, 17 and up);
    /// `none` never fails (the default).
    #[arg(long, value_name = "RISK")]
    pub fail_on: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    Docker,
    Kubernetes,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelFormat {
    Text,
    Markdown,
    Json,
    Dot,
    Mermaid,
    Svg,
}

/// Where the facts come from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Audit a host filesystem mounted at DIR instead of this machine's `/`.
    #[arg(long, value_name = "DIR")]
    pub host_root: Option<PathBuf>,
    /// Docker Engine API endpoint (unix:///path or tcp://host:port); default: $DOCKER_HOST,
    /// else /var/run/docker.sock. DOCKER_HOST is read only when the live host is audited, so an
    /// exported DOCKER_HOST never conflicts with --from or --generic.
    #[arg(long, value_name = "URL")]
    pub docker_host: Option<String>,
    /// Seconds each Engine API request (connect, send and the whole answer) or external command
    /// may take in total.
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
    /// What to audit: `auto` picks the Kubernetes benchmark when Kubernetes
    /// components are found, the Docker benchmark when Docker is.
    #[arg(long, value_enum, default_value_t = Target::Auto)]
    pub target: Target,
    /// Run only these checks: ids, CIS numbers or CIS sections (repeatable, comma-separated).
    #[arg(long = "check", value_name = "ID|CIS", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Skip these checks: ids, CIS numbers or CIS sections (repeatable, comma-separated).
    #[arg(long = "skip", value_name = "ID|CIS", value_delimiter = ',')]
    pub skips: Vec<String>,
    /// Benchmark version whose numbering to print and select by (e.g. 1.6.0,
    /// kubernetes:1.11; Kubernetes defaults to 1.12).
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of standard output; `-` is standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a fail or warn finding has at least this severity ("none": never).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// Print only checks of at least this severity (text); `--fail-on` still judges every check.
    #[arg(long, value_name = "SEVERITY")]
    pub severity: Option<String>,
    /// A previous `--format json` result of this command: findings it already holds are shown
    /// as baseline findings and do not count for the exit code (see docs/baseline.md).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write this run's JSON result to FILE (atomically), to serve as the next `--baseline`.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print only checks with these statuses (pass, fail, warn, manual, info, not-applicable,
    /// error; comma-separated; text); `--fail-on` still judges every check.
    #[arg(long = "status", value_name = "STATUS", value_delimiter = ',')]
    pub statuses: Vec<String>,
    /// Print the summary only (text); the exit code is unchanged.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// The configuration file read, as errors name it (for the JSON report).
    #[arg(skip)]
    pub config_file: Option<String>,
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
pub struct ScanArgs {
    /// Files or directories to scan (directories are walked, honouring .gitignore); `-` reads
    /// one file from standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The name standard input (`-`) is scanned and reported under: it picks the parser
    /// (Dockerfile, Compose, Kubernetes) as a file name does (default: `<stdin>`, parsed as what
    /// its content looks like).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
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
    /// Print only findings of at least this severity (text, concise, github); `--fail-on`
    /// still judges every finding.
    #[arg(long, value_name = "SEVERITY")]
    pub severity: Option<String>,
    /// Print only findings with these statuses (fail, warn, info, error; comma-separated;
    /// text, concise, github); `--fail-on` still judges every finding.
    #[arg(long = "status", value_name = "STATUS", value_delimiter = ',')]
    pub statuses: Vec<String>,
    /// Print the summary only (text), or nothing (concise, github); the exit code is unchanged.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Files larger than this many bytes are reported, not parsed.
    #[arg(long, value_name = "BYTES", default_value_t = stockade_checks::scan::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Leave out what the directory walk finds at paths matching GLOB (.gitignore syntax,
    /// relative to the current directory: `vendor/`, `*.tmpl.yaml`, `/deploy/old`;
    /// repeatable). Files named on the command line are always scanned.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The `exclude` globs of the configuration file, relative to its directory.
    #[arg(skip)]
    pub config_exclude: Option<crate::discover::AnchoredGlobs>,
    /// The configuration file read, as errors name it (for the JSON report).
    #[arg(skip)]
    pub config_file: Option<String>,
    /// A previous `--format json` result of this command: findings it already holds are shown
    /// as baseline findings and do not count for the exit code (see docs/baseline.md).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write this run's JSON result to FILE (atomically), to serve as the next `--baseline`.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Sarif,
    /// One line per finding: `path:line:col: severity id message`.
    Concise,
    /// GitHub Actions workflow commands, one per finding: `::error` for a fail of medium
    /// severity or more and for errors, `::warning` for a warn or a low-severity fail,
    /// `::notice` for the rest (info).
    Github,
    /// JUnit XML: a testsuite per file, a testcase per finding.
    Junit,
    /// GitLab code-quality JSON (the `codequality` report artifact).
    Gitlab,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Write the snapshot to FILE (written whole or not at all) instead of
    /// standard output; `-` is standard output.
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
    /// Write the list to FILE instead of standard output; `-` is standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A check id (e.g. daemon-icc-enabled) or a CIS number (e.g. 2.2).
    pub id: String,
    /// Benchmark version a CIS number refers to.
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool that wrote FILE.
    #[arg(value_enum)]
    pub tool: ImportTool,
    /// Its results file (`-` for standard input): docker-bench's JSON log
    /// (log/docker-bench-security.log.json), kube-bench's `--json` output.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// CIS numbering a docker-bench log uses, instead of recognising it from its titles.
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a fail or warn finding has at least this severity ("none": never).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// A previous `--format json` result of this command: findings it already holds are shown
    /// as baseline findings and do not count for the exit code (see docs/baseline.md).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write this run's JSON result to FILE (atomically), to serve as the next `--baseline`.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Tools whose results `stockade import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportTool {
    /// docker-bench-security's JSON log, any CIS numbering it has shipped.
    DockerBench,
    /// kube-bench's `--json` output (CIS Kubernetes 1.10, 1.11, 1.12).
    KubeBench,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Whatever is found: Kubernetes components, Docker, or both.
    Auto,
    /// The Docker host: CIS Docker Benchmark.
    Docker,
    /// The Kubernetes node: CIS Kubernetes Benchmark sections 1-4.
    Kubernetes,
    /// Both benchmarks.
    All,
}

/// Formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    /// A table per section, for a pull-request comment or a job summary.
    Markdown,
}

/// Formats of `audit` and `import`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    /// JUnit XML: one testsuite, one testcase per check (fail and warn are failures,
    /// not-applicable, manual and info are skipped).
    Junit,
    /// Markdown: a summary, then every check with its evidence.
    Markdown,
    /// One self-contained page (inline CSS and script, nothing loaded from the network),
    /// with filters by status and severity.
    Html,
    /// SARIF 2.1.0: a result for each fail or warn finding that points into a file
    /// (daemon.json, unit files, audit rules), paths against the audited host root.
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}
