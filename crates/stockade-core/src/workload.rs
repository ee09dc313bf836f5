//! What runs on a Docker host: containers in every state, images, networks,
//! plugins and swarm state, as the Engine API and the host's /proc showed
//! them at collection time.
//!
//! The types keep the Engine API's field names (`HostConfig.CapAdd`,
//! `Mounts[].RW`...), so a snapshot reads like `docker inspect` and evidence
//! can name the field a user would look at. Only the fields the checks and
//! the threat model read are kept. Environment values, command lines and
//! build steps are masked at collection (see [`crate::mask`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::snapshot::Probe;

/// Everything stockade saw running (or able to run) on the daemon.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    /// Every container the daemon knows, in every state.
    pub containers: Vec<Container>,
    /// `GET /images/json`: the images `docker images` lists.
    pub images: Probe<Vec<Image>>,
    /// `GET /networks`.
    pub networks: Probe<Vec<Network>>,
    /// `GET /plugins`.
    pub plugins: Probe<Vec<Plugin>>,
    /// Facts gathered only when this node is in an active swarm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm: Option<SwarmFacts>,
    /// Objects that changed while stockade looked at them (a container
    /// removed between the list and its inspect, an exec session that
    /// ended): reported, not fatal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_during_collection: Vec<String>,
    /// The container stockade ran in, left out of `containers`: its host
    /// pid namespace and mounted socket are what the audit itself needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditing_container: Option<AuditingContainer>,
}

/// The container an audit ran from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditingContainer {
    pub id: String,
    pub name: String,
}

impl<T> Default for Probe<T> {
    fn default() -> Self {
        Probe::Error("not collected".to_owned())
    }
}

/// One container, from `GET /containers/json?all=1` and its inspect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    /// The name without Docker's leading `/`.
    pub name: String,
    /// The image as the container was created from it (a tag, or an id).
    pub image: String,
    /// The id of the image it runs.
    pub image_id: String,
    /// `created`, `running`, `paused`, `restarting`, `exited`, `dead`, or
    /// `removed` when it vanished while stockade looked at it.
    pub state: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `GET /containers/{id}/json`; an error when the container vanished or
    /// the answer could not be read.
    pub inspect: Probe<ContainerInspect>,
    /// Exec sessions the daemon still holds (running or never started: the
    /// daemon forgets a session once it ends).
    #[serde(default)]
    pub execs: Vec<Probe<ExecSession>>,
    /// The processes inside a running container; `None` when it is not running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<Probe<Processes>>,
    /// What the kernel enforces on the container's init process
    /// (`/proc/PID/status`); `None` when it is not running or the daemon
    /// is not on this machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Probe<ProcessSecurity>>,
}

/// The kernel's view of a running container's init process: what it
/// really runs with, whatever the daemon's configuration says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessSecurity {
    /// As the host sees it.
    pub pid: u32,
    /// `NoNewPrivs:` (1 = set).
    #[serde(default)]
    pub no_new_privs: Option<bool>,
    /// `Seccomp:` (0 = none, 1 = strict, 2 = filter).
    #[serde(default)]
    pub seccomp: Option<u8>,
    /// `CapEff:` as printed, 16 hex digits.
    #[serde(default)]
    pub cap_eff: Option<String>,
    /// Tasks (processes and threads) in the container's pids cgroup
    /// (`pids.current`), what a pids limit counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<u64>,
}

impl ProcessSecurity {
    /// Reads the fields of a `/proc/PID/status` text.
    pub fn from_status(pid: u32, text: &str) -> ProcessSecurity {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                .map(str::trim)
        };
        ProcessSecurity {
            pid,
            no_new_privs: field("NoNewPrivs").and_then(|v| match v {
                "0" => Some(false),
                "1" => Some(true),
                _ => None,
            }),
            seccomp: field("Seccomp").and_then(|v| v.parse().ok()),
            cap_eff: field("CapEff").map(str::to_owned),
            tasks: None,
        }
    }

    /// Where these facts come from: `/proc/4242/status`.
    pub fn source(&self) -> String {
        format!("/proc/{}/status", self.pid)
    }
}

/// Seconds since the epoch of an RFC 3339 time (`2026-12-02T17:16:13.5Z`,
/// `...+01:00`), as Docker prints `Created`.
pub fn rfc3339_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (clock, zone) = rest.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (h, m) = zone[1..].split_once(':')?;
        (
            clock,
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        )
    };
    let mut hms = clock.splitn(3, ':');
    let hour: i64 = hms.next()?.parse().ok()?;
    let minute: i64 = hms.next()?.parse().ok()?;
    let second: f64 = hms.next()?.parse().ok()?;
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    #[allow(clippy::cast_precision_loss)]
    let whole = (days * 86_400 + hour * 3600 + minute * 60 - offset) as f64;
    Some(whole + second)
}

impl Container {
    /// The state recorded for a container that vanished between the list
    /// and its inspect.
    pub const REMOVED: &'static str = "removed";

    /// Whether the container was removed between the list and its inspect.
    pub fn was_removed(&self) -> bool {
        self.state == Container::REMOVED
    }

    pub fn is_running(&self) -> bool {
        self.state == "running" || self.state == "restarting" || self.state == "paused"
    }
}

/// The fields of a container's inspect that stockade reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspect {
    #[serde(default)]
    pub created: String,
    #[serde(default, deserialize_with = "nullable")]
    pub config: ContainerConfig,
    #[serde(default, deserialize_with = "nullable")]
    pub host_config: HostConfig,
    #[serde(default, deserialize_with = "nullable")]
    pub mounts: Vec<MountPoint>,
    #[serde(default, deserialize_with = "nullable")]
    pub network_settings: NetworkSettings,
    #[serde(default, deserialize_with = "nullable")]
    pub state: ContainerState,
    #[serde(default)]
    pub app_armor_profile: String,
    #[serde(default)]
    pub process_label: String,
    #[serde(default)]
    pub mount_label: String,
    #[serde(rename = "ExecIDs", default, deserialize_with = "nullable")]
    pub exec_ids: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    /// The image as given when the container was created (`app:1.4`).
    #[serde(default)]
    pub image: String,
    /// `--user`, or the image's `USER`; empty means root.
    #[serde(default)]
    pub user: String,
    /// `NAME=value`, values masked.
    #[serde(default, deserialize_with = "nullable")]
    pub env: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, deserialize_with = "nullable")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    /// The command (arguments after the entrypoint), secrets masked.
    #[serde(default, deserialize_with = "string_or_list")]
    pub cmd: Vec<String>,
    /// The entrypoint, secrets masked.
    #[serde(default, deserialize_with = "string_or_list")]
    pub entrypoint: Vec<String>,
    #[serde(default)]
    pub working_dir: String,
    #[serde(default)]
    pub tty: bool,
    #[serde(default)]
    pub open_stdin: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["NONE"]` disables a health check inherited from the image.
    #[serde(default, deserialize_with = "nullable")]
    pub test: Vec<String>,
}

impl Healthcheck {
    /// Whether the health check runs (not absent, not `NONE`).
    pub fn is_active(&self) -> bool {
        !self.test.is_empty() && self.test.first().map(String::as_str) != Some("NONE")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostConfig {
    #[serde(default)]
    pub privileged: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub cap_add: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub cap_drop: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub security_opt: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub binds: Vec<String>,
    #[serde(default)]
    pub network_mode: String,
    #[serde(default)]
    pub pid_mode: String,
    #[serde(default)]
    pub ipc_mode: String,
    #[serde(rename = "UTSMode", default)]
    pub uts_mode: String,
    #[serde(default)]
    pub userns_mode: String,
    #[serde(default)]
    pub cgroup_parent: String,
    #[serde(default)]
    pub memory: i64,
    #[serde(default)]
    pub cpu_shares: i64,
    #[serde(default)]
    pub nano_cpus: i64,
    #[serde(default)]
    pub cpu_quota: i64,
    /// `null`, `0` and `-1` all mean "no limit".
    #[serde(default)]
    pub pids_limit: Option<i64>,
    #[serde(default)]
    pub readonly_rootfs: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub restart_policy: RestartPolicy,
    #[serde(default, deserialize_with = "nullable")]
    pub devices: Vec<DeviceMapping>,
    #[serde(default, deserialize_with = "nullable")]
    pub device_cgroup_rules: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub ulimits: Vec<Ulimit>,
    /// `"80/tcp": [{"HostIp": "", "HostPort": "8080"}]`: what the container
    /// asks to publish (applies to containers that are not running too).
    #[serde(default, deserialize_with = "nullable")]
    pub port_bindings: BTreeMap<String, Option<Vec<PortBinding>>>,
    #[serde(default)]
    pub publish_all_ports: bool,
    /// `--tmpfs`: mount point to options.
    #[serde(default, deserialize_with = "nullable")]
    pub tmpfs: BTreeMap<String, String>,
    /// `--rm`.
    #[serde(default)]
    pub auto_remove: bool,
    /// `--memory-swap` in bytes (-1 unlimited, 0 unset).
    #[serde(default)]
    pub memory_swap: i64,
}

impl HostConfig {
    pub fn pids_limited(&self) -> bool {
        self.pids_limit.is_some_and(|limit| limit > 0)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestartPolicy {
    /// `""`/`no`, `always`, `unless-stopped`, `on-failure`.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub maximum_retry_count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceMapping {
    #[serde(default)]
    pub path_on_host: String,
    #[serde(default)]
    pub path_in_container: String,
    #[serde(default)]
    pub cgroup_permissions: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ulimit {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub soft: i64,
    #[serde(default)]
    pub hard: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortBinding {
    /// Empty means every interface.
    #[serde(default)]
    pub host_ip: String,
    /// Empty means a port the daemon picks.
    #[serde(default)]
    pub host_port: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MountPoint {
    /// `bind`, `volume`, `tmpfs`, `npipe`.
    #[serde(default)]
    pub r#type: String,
    #[serde(default)]
    pub name: String,
    /// The host path (bind mounts) or the volume's directory.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub mode: String,
    #[serde(rename = "RW", default)]
    pub rw: bool,
    /// `rprivate`, `shared`, `rshared`, `slave`...
    #[serde(default)]
    pub propagation: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkSettings {
    /// Ports actually published by a running container.
    #[serde(default, deserialize_with = "nullable")]
    pub ports: BTreeMap<String, Option<Vec<PortBinding>>>,
    /// The networks the container is attached to, by name.
    #[serde(default, deserialize_with = "nullable")]
    pub networks: BTreeMap<String, EndpointSettings>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointSettings {
    #[serde(rename = "NetworkID", default)]
    pub network_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerState {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub running: bool,
    /// The container's init process as the daemon's PID namespace sees it.
    #[serde(default)]
    pub pid: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Health {
    #[serde(default)]
    pub status: String,
}

/// `GET /exec/{id}/json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecSession {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(rename = "Running", default)]
    pub running: bool,
    #[serde(rename = "ProcessConfig", default, deserialize_with = "nullable")]
    pub process: ExecProcess,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecProcess {
    #[serde(default)]
    pub privileged: bool,
    /// `--user`; empty means the container's user.
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub entrypoint: String,
    /// Masked like any command line.
    #[serde(default, deserialize_with = "nullable")]
    pub arguments: Vec<String>,
}

/// The processes of a running container.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processes {
    /// Where the list came from.
    pub source: ProcessSource,
    pub processes: Vec<ContainerProcess>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum ProcessSource {
    /// The host's /proc: every process whose cgroup names the container.
    #[default]
    HostProc,
    /// `GET /containers/{id}/top` (the daemon runs ps): remote daemons.
    EngineTop,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerProcess {
    /// As the host sees it (HostProc) or as ps printed it (EngineTop).
    pub pid: u32,
    /// The kernel's name for the process (/proc/PID/comm: the file it
    /// executed, scripts included); empty when read through `top`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The command line, secret-looking arguments masked.
    pub command: Vec<String>,
}

/// Programs that run another program named by their first argument.
const INTERPRETERS: [&str; 9] = [
    "sh", "bash", "dash", "ash", "busybox", "python", "python3", "perl", "env",
];

impl ContainerProcess {
    /// Whether this process is the program `wanted`: by the kernel's name
    /// for it, by argv[0] (sshd's `sshd: user@pts/0` titles included), or by
    /// the script an interpreter runs (`/bin/sh /usr/sbin/sshd`).
    pub fn runs(&self, wanted: &str) -> bool {
        let base = |arg: &str| -> String {
            let arg = arg.split(':').next().unwrap_or_default();
            arg.rsplit('/').next().unwrap_or_default().to_owned()
        };
        let first = self.command.first().map(|a| base(a)).unwrap_or_default();
        let script = self
            .command
            .get(1)
            .filter(|_| INTERPRETERS.contains(&first.as_str()))
            .map(|a| base(a));
        self.name == wanted || first == wanted || script.as_deref() == Some(wanted)
    }
}

/// One image, from `GET /images/json`, its inspect and its history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub id: String,
    /// `repo:tag` names; empty for a dangling image.
    #[serde(default)]
    pub repo_tags: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Seconds since the epoch.
    #[serde(default)]
    pub created: i64,
    pub inspect: Probe<ImageInspect>,
    /// `GET /images/{id}/history`, newest layer first.
    pub history: Probe<Vec<HistoryEntry>>,
}

impl Image {
    /// The name a user knows the image by: its first tag, else its short id.
    pub fn display_name(&self) -> String {
        match self
            .repo_tags
            .iter()
            .find(|t| t.as_str() != "<none>:<none>")
        {
            Some(tag) => tag.clone(),
            None => crate::finding::short_id(&self.id).to_owned(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageInspect {
    #[serde(default, deserialize_with = "nullable")]
    pub config: ImageConfig,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageConfig {
    #[serde(default)]
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// `NAME=value`, values masked.
    #[serde(default, deserialize_with = "nullable")]
    pub env: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HistoryEntry {
    #[serde(default)]
    pub id: String,
    /// The build step, secret-looking assignments masked.
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub created: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Network {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub driver: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default, deserialize_with = "nullable")]
    pub options: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plugin {
    pub name: String,
    pub enabled: bool,
    /// The plugin's interface types, e.g. `docker.authz/1.0`.
    pub types: Vec<String>,
}

/// Swarm facts beyond GET /info, gathered on an active node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SwarmFacts {
    /// Listening TCP sockets on the swarm management port (2377), read from
    /// the daemon's network namespace (`host:port`).
    pub management_listeners: Probe<Vec<String>>,
    /// How many secrets the swarm manages (`GET /secrets`, managers only).
    pub secrets: Probe<usize>,
    /// Manager nodes and whether each is reachable (`GET /nodes`).
    pub managers: Probe<Vec<String>>,
}

/// Where `DOCKER_CONTENT_TRUST` is set for the people and jobs that pull
/// images on this host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentTrust {
    /// Its value in the environment stockade itself ran in; `None` when unset
    /// or when the audited host is not this machine.
    #[serde(default)]
    pub auditing_environment: Option<String>,
    /// Assignments found in files every login shell reads
    /// (/etc/environment, /etc/profile.d/*.sh).
    #[serde(default)]
    pub files: Vec<EnvironmentAssignment>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentAssignment {
    pub path: String,
    pub line: u32,
    pub value: String,
}

/// Accepts `null` where a value is expected and uses the type's default:
/// the Engine API sends `null` for empty lists and objects.
/// `["sh", "-c", "x"]`, a bare string (old API versions), or null.
fn string_or_list<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<Either>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(Either::One(text)) => vec![text],
        Some(Either::Many(items)) => items,
    })
}

fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inspect_with_nulls_reads_as_defaults() {
        let inspect: ContainerInspect = serde_json::from_value(serde_json::json!({
            "Config": {"User": "", "Env": null, "Healthcheck": {"Test": ["NONE"]}},
            "HostConfig": {"CapAdd": null, "PidsLimit": null, "Ulimits": null,
                           "PortBindings": {"80/tcp": null}, "UTSMode": "host"},
            "Mounts": [{"Type": "bind", "Source": "/etc", "Destination": "/h", "RW": false,
                        "Propagation": "rprivate"}],
            "ExecIDs": null,
            "NetworkSettings": {"Ports": {}, "Networks": {"bridge": {"NetworkID": "abc"}}}
        }))
        .unwrap();
        assert!(inspect.host_config.cap_add.is_empty());
        assert!(!inspect.host_config.pids_limited());
        assert_eq!(inspect.host_config.uts_mode, "host");
        assert!(!inspect.mounts[0].rw);
        assert!(!inspect.config.healthcheck.unwrap().is_active());
        assert!(inspect.exec_ids.is_empty());
        assert!(inspect.network_settings.networks.contains_key("bridge"));
    }

    #[test]
    fn programs_are_recognised_by_name_title_or_script() {
        let process = |name: &str, argv: &[&str]| ContainerProcess {
            pid: 1,
            name: name.to_owned(),
            command: argv.iter().map(|s| (*s).to_owned()).collect(),
        };
        assert!(process("", &["/usr/sbin/sshd", "-D"]).runs("sshd"));
        assert!(process("", &["sshd: root@pts/0"]).runs("sshd"));
        assert!(process("", &["/bin/sh", "/usr/sbin/sshd"]).runs("sshd"));
        assert!(process("sshd", &["whatever"]).runs("sshd"));
        assert!(!process("vim", &["vim", "/etc/ssh/sshd"]).runs("sshd"));
        assert!(!process("", &[]).runs("sshd"));
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn rfc3339_times_are_read_with_fractions_and_offsets() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:01Z"), Some(951_868_801.0));
        let nano = rfc3339_seconds("2026-12-02T17:16:13.250000000Z").unwrap();
        assert!((nano - 1_796_231_773.25).abs() < 1e-3, "{nano}");
        assert_eq!(
            rfc3339_seconds("2026-12-02T18:16:13+01:00"),
            rfc3339_seconds("2026-12-02T17:16:13Z")
        );
        assert_eq!(rfc3339_seconds("yesterday"), None);
    }

    #[test]
    fn proc_status_fields_are_read() {
        let text = "Name:\tsh\nNoNewPrivs:\t1\nSeccomp:\t2\nCapEff:\t00000000a80425fb\n";
        let facts = ProcessSecurity::from_status(42, text);
        assert_eq!(facts.no_new_privs, Some(true));
        assert_eq!(facts.seccomp, Some(2));
        assert_eq!(facts.cap_eff.as_deref(), Some("00000000a80425fb"));
        assert_eq!(facts.source(), "/proc/42/status");
    }
}
