//! The facts `stockade collect` gathers and `stockade audit` judges.
//!
//! A snapshot is plain data: what the host, its files, its processes and the
//! Docker Engine API showed at collection time. Every fact that could not be
//! gathered is recorded as an error with its reason, so a judge on another
//! machine can tell "absent" from "could not look".

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Bumped whenever a field changes meaning or is removed.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    /// `stockade <version>` that collected it.
    pub collector: String,
    /// RFC 3339, UTC.
    pub collected_at: String,
    pub host: HostFacts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerFacts>,
    /// Kubernetes node facts (absent when not collected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<crate::kubernetes::KubernetesFacts>,
}

/// A fact that was gathered, or the reason it could not be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Probe<T> {
    Ok(T),
    Error(String),
}

impl<T> Probe<T> {
    pub fn as_ref(&self) -> Probe<&T> {
        match self {
            Probe::Ok(value) => Probe::Ok(value),
            Probe::Error(reason) => Probe::Error(reason.clone()),
        }
    }

    pub fn ok(&self) -> Option<&T> {
        match self {
            Probe::Ok(value) => Some(value),
            Probe::Error(_) => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Probe::Ok(_) => None,
            Probe::Error(reason) => Some(reason),
        }
    }

    pub fn into_result(self) -> Result<T, String> {
        match self {
            Probe::Ok(value) => Ok(value),
            Probe::Error(reason) => Err(reason),
        }
    }
}

impl<T, E: std::fmt::Display> From<Result<T, E>> for Probe<T> {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(value) => Probe::Ok(value),
            Err(error) => Probe::Error(error.to_string()),
        }
    }
}

/// Facts about the machine itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HostFacts {
    /// The filesystem root audited: `/`, or the `--host-root` directory.
    pub root: String,
    /// Whether processes, mounts and the kernel seen belong to the audited
    /// host: true on `/`, and on the host's root mounted into a container
    /// that shares its pid namespace; false on a root copied or mounted
    /// from elsewhere.
    pub live: bool,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub kernel: Option<String>,
    /// Filesystems mounted (live) or declared in /etc/fstab (offline).
    pub mounts: Probe<Mounts>,
    pub audit: AuditFacts,
    /// The `docker` group from the audited host's /etc/group.
    pub docker_group: Probe<Option<Group>>,
    /// Linux security modules the kernel runs (live hosts only).
    #[serde(default)]
    pub security_modules: Probe<SecurityModules>,
}

/// Which mandatory access control modules the running kernel enforces.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityModules {
    pub apparmor: bool,
    pub selinux: bool,
    /// The files that told.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mounts {
    /// Where the list came from: `/proc/self/mountinfo` or `/etc/fstab`.
    pub source: String,
    pub entries: Vec<Mount>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mount {
    pub mount_point: String,
    /// The mounted device or source (`/dev/vda`, `UUID=...`, a bind source path).
    pub device: String,
    pub fstype: String,
    /// The filesystem's identity: `major:minor` in the live mount table, the
    /// device spec in /etc/fstab.
    #[serde(default)]
    pub filesystem: Option<String>,
    /// A bind mount: part of a filesystem mounted elsewhere (mountinfo root
    /// other than `/`, or the `bind` option in /etc/fstab).
    #[serde(default)]
    pub bind: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// What the Linux audit framework is told to watch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditFacts {
    /// The rules loaded in the kernel, from `auditctl -l`.
    pub loaded: LoadedAuditRules,
    /// Rules configured on disk: /etc/audit/audit.rules and
    /// /etc/audit/rules.d/*.rules, comments and blank lines dropped.
    pub rule_files: Vec<AuditRuleFile>,
    /// Whether auditd (binary or configuration directory) is installed.
    pub auditd_installed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum LoadedAuditRules {
    /// `auditctl -l` ran and listed these rules (possibly none).
    Listed { rules: Vec<String> },
    /// auditctl is not installed.
    NotInstalled,
    /// auditctl exists but could not list rules.
    Failed { reason: String },
    /// Not asked: the audited host is not this machine's kernel.
    NotQueried { reason: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRuleFile {
    pub path: String,
    pub rules: Probe<Vec<AuditRuleLine>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRuleLine {
    pub line: u32,
    pub text: String,
}

/// Metadata of one file on the audited host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    /// The path as the audited host sees it (no `--host-root` prefix).
    pub path: String,
    pub state: FileState,
}

impl FileFacts {
    pub fn stat(&self) -> Option<&FileStat> {
        match &self.state {
            FileState::Present(stat) => Some(stat),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileState {
    Present(FileStat),
    Absent,
    /// The file could not be examined (permission denied, I/O error...).
    Error(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileStat {
    pub kind: FileKind,
    /// Permission bits including setuid, setgid and sticky (`mode & 0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Owner name from the audited host's /etc/passwd, when listed there.
    #[serde(default)]
    pub user: Option<String>,
    /// Group name from the audited host's /etc/group, when listed there.
    #[serde(default)]
    pub group: Option<String>,
    pub size: u64,
    /// The resolved path when the given path is or passes through a symlink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    File,
    Directory,
    Socket,
    Other,
}

/// Facts about the Docker installation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DockerFacts {
    /// The Engine API endpoint audited, e.g. `unix:///var/run/docker.sock`.
    pub endpoint: String,
    /// What the Engine API answered.
    pub engine: Probe<Engine>,
    /// The dockerd serving `endpoint`, and its command line.
    pub daemon: Probe<DaemonProcess>,
    /// The daemon configuration file dockerd reads.
    pub config: DaemonConfigFile,
    /// Files that the CIS controls name, found where this host keeps them.
    pub files: Vec<DockerFile>,
    /// systemd units of Docker and containerd.
    pub units: Vec<UnitFile>,
    /// Containers, images, networks, plugins and swarm state.
    #[serde(default)]
    pub workload: Probe<crate::workload::Workload>,
    /// The content-trust settings of the auditing environment.
    #[serde(default)]
    pub content_trust: Probe<crate::workload::ContentTrust>,
}

impl DockerFacts {
    /// Every file collected for `role`.
    pub fn files_for(&self, role: FileRole) -> impl Iterator<Item = &DockerFile> {
        self.files.iter().filter(move |f| f.role == role)
    }

    pub fn unit(&self, name: &str) -> Option<&UnitFile> {
        self.units.iter().find(|u| u.name == name)
    }
}

/// The answers of the Engine API, verbatim.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Engine {
    /// The API version negotiated with the daemon.
    pub api_version: String,
    /// `GET /version`.
    pub version: Value,
    /// `GET /info`.
    pub info: Value,
    /// `GET /networks/bridge`; `None` when the daemon has no default bridge.
    pub default_bridge: Probe<Option<Value>>,
}

/// The dockerd process behind the audited endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaemonProcess {
    /// Where `argv` came from.
    pub source: ArgvSource,
    /// The command line, secrets masked.
    pub argv: Vec<String>,
    /// The executable (from /proc/PID/exe, or the unit's ExecStart).
    #[serde(default)]
    pub executable: Option<String>,
    /// Effective user id of the process.
    #[serde(default)]
    pub uid: Option<u32>,
    /// How stockade decided this is the daemon behind the endpoint.
    pub matched_by: String,
    /// Other dockerd processes seen on the host.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_pids: Vec<u32>,
    /// When the running process started (RFC 3339, rounded up to the
    /// hundredth of a second): daemon-wide defaults reach only containers
    /// created after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Set when a daemon answers on the audited endpoint but its process
    /// could not be read, so `argv` is a unit file's configured command line
    /// and may differ from the running one: why the process was not seen.
    /// Checks do not pass on such a command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_process_unseen: Option<String>,
}

impl DaemonProcess {
    pub fn pid(&self) -> Option<u32> {
        match self.source {
            ArgvSource::Process { pid } => Some(pid),
            ArgvSource::UnitFile { .. } => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum ArgvSource {
    /// /proc/PID/cmdline of the running daemon.
    Process { pid: u32 },
    /// The ExecStart line of a systemd unit (offline audit): the daemon's
    /// configured command line, not necessarily the running one.
    UnitFile { path: String },
}

/// The daemon.json dockerd reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaemonConfigFile {
    /// The path, as dockerd sees it.
    pub path: String,
    /// Why this path: `--config-file` on the command line, or the default.
    pub origin: String,
    pub file: FileFacts,
    /// The file's text (URL credentials masked); `None` when absent or
    /// unreadable (see `file`).
    #[serde(default)]
    pub content: Option<String>,
}

/// A file named by a CIS control, with the reason stockade looked there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DockerFile {
    pub role: FileRole,
    /// Why this path: `default`, `daemon.json "tlscacert"`, `--containerd`,
    /// `unit search path`...
    pub origin: String,
    pub facts: FileFacts,
}

/// The part a file plays in a Docker installation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    DockerdBinary,
    ContainerdBinary,
    ContainerdShimBinary,
    ContainerdShimRuncV1Binary,
    ContainerdShimRuncV2Binary,
    RuncBinary,
    DataRoot,
    RunContainerdDir,
    EtcDocker,
    DaemonJson,
    EtcDefaultDocker,
    EtcSysconfigDocker,
    ContainerdConfig,
    DockerServiceUnit,
    DockerSocketUnit,
    DockerSock,
    ContainerdSock,
    RegistryCertDir,
    RegistryCert,
    TlsCaCert,
    TlsCert,
    TlsKey,
}

/// A systemd unit file and the command line it starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitFile {
    /// `docker.service`, `docker.socket`, `containerd.service`.
    pub name: String,
    pub facts: FileFacts,
    /// Drop-in files (`NAME.d/*.conf`) that modify the unit.
    #[serde(default)]
    pub drop_ins: Vec<FileFacts>,
    /// The last effective `ExecStart=` across the unit and its drop-ins.
    #[serde(default)]
    pub exec_start: Option<String>,
    /// `ListenStream=` values (socket units).
    #[serde(default)]
    pub listen_streams: Vec<String>,
    /// Why the unit or a drop-in could not be read (binary, too large, a
    /// FIFO…): its settings are then unknown, not absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_errors: Vec<String>,
}
