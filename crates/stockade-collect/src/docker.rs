//! Facts about the Docker installation: the Engine API's answers, the
//! daemon process behind the audited socket, its configuration, and every
//! file the CIS controls name, found where this host keeps them.

use std::thread;
use std::time::Duration;

use serde_json::Value;
use stockade_core::mask::mask_url_credentials;
use stockade_core::snapshot::{
    DaemonConfigFile, DaemonProcess, DockerFacts, DockerFile, Engine, FileRole, FileState, Probe,
    UnitFile,
};
use stockade_core::workload::Workload;
use stockade_parse::daemon_json::{self, DaemonJson};
use stockade_parse::dockerd_args::{DockerdArgs, parse_bool};
use stockade_parse::systemd_unit::UnitSettings;

use crate::dockerd_process::{self, AuditedSocket};
use crate::engine::{Endpoint, EngineClient};
use crate::fs::{HostFs, join};
use crate::{bounded, content_trust, workload};

/// systemd's unit search path, highest precedence first.
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// Where distributions install the container binaries.
const BIN_DIRS: &[&str] = &[
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/bin",
    "/sbin",
];

pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
const DEFAULT_CONFIG: &str = "/etc/docker/daemon.json";
const DEFAULT_DATA_ROOT: &str = "/var/lib/docker";
const DEFAULT_EXEC_ROOT: &str = "/var/run/docker";

/// Collects Docker facts. `endpoint` is the Engine API address as given by
/// the user (`None`: the default socket of the audited host).
pub fn collect(host: &HostFs, endpoint: Option<&str>, timeout: Duration) -> DockerFacts {
    let endpoint_text = match endpoint {
        Some(text) => text.to_owned(),
        None => format!("unix://{}", default_socket(host).display()),
    };
    let parsed_endpoint = Endpoint::parse(&endpoint_text);
    let local_socket = match &parsed_endpoint {
        Ok(Endpoint::Unix(local)) => Some(local.clone()),
        _ => None,
    };
    let named_host_path = local_socket
        .as_deref()
        .and_then(|local| host_path_of(host, &local.to_string_lossy()));

    let ((mut engine, server_pid), units) = thread::scope(|scope| {
        let engine = scope.spawn(|| match &parsed_endpoint {
            Ok(endpoint) => engine(endpoint.clone(), timeout),
            Err(e) => (Probe::Error(e.to_string()), None),
        });
        let units = units(host);
        (
            engine
                .join()
                .unwrap_or_else(|_| (Probe::Error("the Engine API probe crashed".into()), None)),
            units,
        )
    });

    let lookup = dockerd_process::find(
        host,
        local_socket.as_deref().map(|local| AuditedSocket {
            local,
            host_path: named_host_path.as_deref(),
        }),
        &units,
        matches!(engine, Probe::Ok(_)).then_some(server_pid),
    );
    // No socket where one was looked for: say where the audited host's
    // daemons do listen (on a root copied from another machine, this
    // machine's dockerds are beside the point).
    if let Probe::Error(reason) = &mut engine
        && reason.starts_with("no Docker socket at")
        && host.sees_live_host()
        && !lookup.running.is_empty()
    {
        reason.push_str("; ");
        reason.push_str(&dockerd_process::describe_elsewhere(&lookup.running));
    }
    let daemon = lookup.daemon;
    let socket_host_path = lookup.socket_host_path.or_else(|| {
        local_socket
            .as_deref()
            .and_then(|local| default_socket_if_same(host, local))
    });
    let args = daemon
        .ok()
        .map(|d| DockerdArgs::parse(&d.argv))
        .unwrap_or_default();
    let config = config_file(host, &args, daemon.ok());
    let config_json = config
        .content
        .as_deref()
        .and_then(|text| daemon_json::parse(text).ok())
        .unwrap_or_default();
    let settings = Settings {
        args: &args,
        json: &config_json,
    };
    let files = files(
        host,
        &settings,
        engine.ok(),
        daemon.ok(),
        socket_host_path.as_deref(),
        &units,
        &config,
    );
    let workload = workload(host, &parsed_endpoint, &engine, daemon.ok(), timeout);

    DockerFacts {
        endpoint: endpoint_text,
        engine,
        daemon,
        config,
        files,
        units,
        workload,
        content_trust: Probe::Ok(content_trust::collect(host)),
    }
}

/// The port swarm managers listen on for cluster management.
const SWARM_MANAGEMENT_PORT: u16 = 2377;

/// Containers, images, networks and swarm state, once the Engine API
/// answered. On a live host, processes come from /proc and the swarm
/// listeners from the daemon's own network namespace.
fn workload(
    host: &HostFs,
    endpoint: &Result<Endpoint, crate::engine::EngineError>,
    engine: &Probe<Engine>,
    daemon: Option<&DaemonProcess>,
    timeout: Duration,
) -> Probe<Workload> {
    let (endpoint, engine) = match (endpoint, engine) {
        (Ok(endpoint), Probe::Ok(engine)) => (endpoint, engine),
        (_, Probe::Error(reason)) => return Probe::Error(reason.clone()),
        (Err(error), _) => return Probe::Error(error.to_string()),
    };
    let live = host.sees_live_host();
    let client = EngineClient::new(endpoint.clone(), timeout).with_api_version(&engine.api_version);
    // Run in a container on the audited daemon, stockade's own container
    // has the host pid namespace and the socket the audit needs: judging it
    // would report the auditor, not the workload.
    let auditing_container = host
        .vantage()
        .same_host
        .is_some()
        .then(|| host.vantage().own_container.clone())
        .flatten();
    let mut collected =
        workload::collect(client, &engine.info, live, auditing_container.as_deref());
    if let (Probe::Ok(found), Some(pid), true) =
        (&mut collected, daemon.and_then(DaemonProcess::pid), live)
        && let Some(swarm) = &mut found.swarm
    {
        swarm.management_listeners = workload::tcp_listeners(pid, SWARM_MANAGEMENT_PORT);
    }
    collected
}

/// A path on this machine written as the audited host sees it: `None` for
/// a path outside a mounted host root (a socket mounted into a container
/// beside the root), which the host may know under another name.
fn host_path_of(host: &HostFs, local: &str) -> Option<String> {
    if host.is_live_root() {
        return Some(local.to_owned());
    }
    let root = host.root().to_string_lossy();
    match local.strip_prefix(root.trim_end_matches('/')) {
        Some(rest) if rest.starts_with('/') => Some(rest.to_owned()),
        _ => None,
    }
}

/// The host's default socket path, when `local` (a socket mounted into this
/// container beside the host root) is that very file inside the root.
fn default_socket_if_same(host: &HostFs, local: &std::path::Path) -> Option<String> {
    crate::fs::same_file(local, &default_socket(host)).then(|| DEFAULT_SOCKET.to_owned())
}

/// The default socket of the audited host, as this process reaches it.
/// Inside a mounted root, symlinks resolve inside the root (`/var/run` is
/// usually a link to `/run`, which must not lead to this machine's /run).
fn default_socket(host: &HostFs) -> std::path::PathBuf {
    if host.is_live_root() {
        return host.local(DEFAULT_SOCKET);
    }
    let resolved = host
        .resolve(DEFAULT_SOCKET)
        .unwrap_or_else(|_| DEFAULT_SOCKET.to_owned());
    host.local(&resolved)
}

/// The Engine API's answers, and the pid of the process that gave them.
fn engine(endpoint: Endpoint, timeout: Duration) -> (Probe<Engine>, Option<u32>) {
    let mut client = EngineClient::new(endpoint, timeout);
    let version = match client.negotiate() {
        Ok(version) => version,
        Err(e) => return (Probe::Error(e.to_string()), None),
    };
    (engine_facts(&client, version), client.server_pid())
}

fn engine_facts(client: &EngineClient, version: Value) -> Probe<Engine> {
    let (info, bridge) = thread::scope(|scope| {
        let bridge = scope.spawn(|| client.get("/networks/bridge"));
        let info = client.get("/info");
        (info, bridge.join())
    });
    let info = match info {
        Ok(info) => info,
        Err(e) => return Probe::Error(e.to_string()),
    };
    let default_bridge = match bridge {
        Ok(Ok(network)) => Probe::Ok(Some(network)),
        Ok(Err(e)) if e.is_status(404) => Probe::Ok(None),
        Ok(Err(e)) => Probe::Error(e.to_string()),
        Err(_) => Probe::Error("the network probe crashed".to_owned()),
    };
    Probe::Ok(Engine {
        api_version: client.api_version().unwrap_or_default().to_owned(),
        version,
        info,
        default_bridge,
    })
}

/// docker.service, docker.socket and containerd.service with their drop-ins.
fn units(host: &HostFs) -> Vec<UnitFile> {
    ["docker.service", "docker.socket", "containerd.service"]
        .into_iter()
        .filter_map(|name| unit(host, name))
        .collect()
}

fn unit(host: &HostFs, name: &str) -> Option<UnitFile> {
    let path = UNIT_DIRS
        .iter()
        .map(|dir| join(dir, name))
        .find(|path| !matches!(host.stat(path).state, FileState::Absent))?;
    let facts = host.stat(&path);
    let mut settings = UnitSettings::default();
    let mut read_errors = Vec::new();
    let mut read_unit = |path: &str, settings: &mut UnitSettings| match host
        .read_text_within(path, bounded::UNIT_FILE)
    {
        Ok(Some(text)) => settings.apply(&text),
        Ok(None) => {}
        Err(error) => read_errors.push(error.to_string()),
    };
    read_unit(&path, &mut settings);
    let mut drop_in_paths: Vec<(String, String)> = Vec::new();
    for dir in UNIT_DIRS {
        let drop_in_dir = join(dir, &format!("{name}.d"));
        if let Ok(Some(names)) = host.list_dir(&drop_in_dir) {
            for file in names.into_iter().filter(|n| n.ends_with(".conf")) {
                // A file name earlier in the search path hides the same name later.
                if !drop_in_paths.iter().any(|(n, _)| *n == file) {
                    drop_in_paths.push((file.clone(), join(&drop_in_dir, &file)));
                }
            }
        }
    }
    drop_in_paths.sort();
    let drop_ins = drop_in_paths
        .iter()
        .map(|(_, path)| {
            read_unit(path, &mut settings);
            host.stat(path)
        })
        .collect();
    Some(UnitFile {
        name: name.to_owned(),
        facts,
        drop_ins,
        exec_start: settings.exec_start.clone(),
        listen_streams: settings.listen_streams,
        read_errors,
    })
}

/// The daemon.json dockerd reads: `--config-file`, or the default for its
/// user (rootless daemons read the one under their home).
fn config_file(
    host: &HostFs,
    args: &DockerdArgs,
    daemon: Option<&DaemonProcess>,
) -> DaemonConfigFile {
    let (path, origin) = if let Some(flag) = args.last("config-file") {
        (
            flag.value.clone(),
            format!("`{}` on dockerd's command line", flag.written),
        )
    } else if let Some(home) = daemon
        .and_then(|d| d.uid)
        .filter(|uid| *uid != 0)
        .and_then(|uid| home_of(host, uid))
    {
        (
            join(&home, ".config/docker/daemon.json"),
            "default for a rootless daemon ($HOME/.config/docker/daemon.json)".to_owned(),
        )
    } else {
        (DEFAULT_CONFIG.to_owned(), "default path".to_owned())
    };
    let file = host.stat(&path);
    let read = host.read_text(&path);
    // An unreadable file keeps its error in `file`.
    let file = match (&file.state, &read) {
        (FileState::Present(_), Err(e)) => stockade_core::snapshot::FileFacts {
            path: file.path.clone(),
            state: FileState::Error(e.to_string()),
        },
        _ => file,
    };
    let content = read.ok().flatten().map(|t| mask_url_credentials(&t));
    DaemonConfigFile {
        path,
        origin,
        file,
        content,
    }
}

fn home_of(host: &HostFs, uid: u32) -> Option<String> {
    let passwd = host.read_text("/etc/passwd").ok()??;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.get(2)?.parse::<u32>().ok()? == uid)
            .then(|| fields.get(5).map(|h| (*h).to_owned()))?
    })
}

/// A daemon setting from the command line or daemon.json.
struct Settings<'a> {
    args: &'a DockerdArgs,
    json: &'a DaemonJson,
}

impl Settings<'_> {
    /// A string setting, with where it came from.
    fn string(&self, flag: &str, key: &str) -> Option<(String, String)> {
        if let Some(f) = self.args.last(flag) {
            return Some((
                f.value.clone(),
                format!("`{}` on dockerd's command line", f.written),
            ));
        }
        let entry = self.json.get(key)?;
        entry.value.as_str().map(|v| {
            (
                v.to_owned(),
                format!("daemon.json \"{key}\" (line {})", entry.line),
            )
        })
    }

    fn enabled(&self, flag: &str, key: &str) -> bool {
        if let Some(Ok(value)) = self.args.bool(flag) {
            return value;
        }
        match self.json.get(key).map(|e| &e.value) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => parse_bool(s).unwrap_or(false),
            _ => false,
        }
    }
}

fn files(
    host: &HostFs,
    settings: &Settings<'_>,
    engine: Option<&Engine>,
    daemon: Option<&DaemonProcess>,
    socket: Option<&str>,
    units: &[UnitFile],
    config: &DaemonConfigFile,
) -> Vec<DockerFile> {
    let mut files = Vec::new();
    let mut add = |role: FileRole, path: &str, origin: &str| {
        files.push(DockerFile {
            role,
            origin: origin.to_owned(),
            facts: host.stat(path),
        });
    };

    // Binaries.
    match daemon.and_then(|d| d.executable.as_deref()) {
        Some(exe) => add(
            FileRole::DockerdBinary,
            exe,
            "the audited daemon's executable",
        ),
        None => {
            let (path, origin) = find_binary(host, "dockerd");
            add(FileRole::DockerdBinary, &path, &origin);
        }
    }
    for (role, name) in [
        (FileRole::ContainerdBinary, "containerd"),
        (FileRole::ContainerdShimBinary, "containerd-shim"),
        (
            FileRole::ContainerdShimRuncV1Binary,
            "containerd-shim-runc-v1",
        ),
        (
            FileRole::ContainerdShimRuncV2Binary,
            "containerd-shim-runc-v2",
        ),
    ] {
        let (path, origin) = find_binary(host, name);
        add(role, &path, &origin);
    }
    let runc = engine
        .and_then(|e| e.info.pointer("/Runtimes/runc/path"))
        .and_then(Value::as_str)
        .filter(|p| p.starts_with('/'));
    match runc {
        Some(path) => add(FileRole::RuncBinary, path, "GET /info → Runtimes.runc.path"),
        None => {
            let (path, origin) = find_binary(host, "runc");
            add(FileRole::RuncBinary, &path, &origin);
        }
    }

    // Directories and configuration files.
    let (data_root, data_origin) = data_root(settings, engine);
    add(FileRole::DataRoot, &data_root, &data_origin);
    add(
        FileRole::RunContainerdDir,
        "/run/containerd",
        "default path",
    );
    add(FileRole::EtcDocker, "/etc/docker", "default path");
    add(FileRole::DaemonJson, &config.path, &config.origin);
    add(
        FileRole::EtcDefaultDocker,
        "/etc/default/docker",
        "default path",
    );
    add(
        FileRole::EtcSysconfigDocker,
        "/etc/sysconfig/docker",
        "default path",
    );
    add(
        FileRole::ContainerdConfig,
        "/etc/containerd/config.toml",
        "default path",
    );

    // Units.
    for (role, name) in [
        (FileRole::DockerServiceUnit, "docker.service"),
        (FileRole::DockerSocketUnit, "docker.socket"),
    ] {
        if let Some(unit) = units.iter().find(|u| u.name == name) {
            add(role, &unit.facts.path, "systemd unit search path");
            for drop_in in &unit.drop_ins {
                add(role, &drop_in.path, &format!("drop-in of {name}"));
            }
        }
    }

    // Sockets.
    match socket {
        Some(path) => add(FileRole::DockerSock, path, "the audited Engine API socket"),
        None => add(FileRole::DockerSock, DEFAULT_SOCKET, "default path"),
    }
    let (containerd_sock, containerd_origin) = containerd_socket(settings);
    add(
        FileRole::ContainerdSock,
        &containerd_sock,
        &containerd_origin,
    );

    // Registry certificates.
    let certs_dir = "/etc/docker/certs.d";
    add(FileRole::RegistryCertDir, certs_dir, "default path");
    for cert in walk_files(host, certs_dir, 3, 2000) {
        add(FileRole::RegistryCert, &cert, "under /etc/docker/certs.d");
    }

    // TLS material of the daemon's own listener.
    let tls_on = settings.enabled("tls", "tls") || settings.enabled("tlsverify", "tlsverify");
    let home = daemon
        .and_then(|d| d.uid)
        .and_then(|uid| home_of(host, uid))
        .unwrap_or_else(|| "/root".to_owned());
    for (role, name, default_file) in [
        (FileRole::TlsCaCert, "tlscacert", "ca.pem"),
        (FileRole::TlsCert, "tlscert", "cert.pem"),
        (FileRole::TlsKey, "tlskey", "key.pem"),
    ] {
        match settings.string(name, name) {
            Some((path, origin)) => add(role, &path, &origin),
            None if tls_on => add(
                role,
                &join(&home, &format!(".docker/{default_file}")),
                &format!("default of --{name} (TLS is on)"),
            ),
            None => {}
        }
    }
    files
}

fn find_binary(host: &HostFs, name: &str) -> (String, String) {
    BIN_DIRS
        .iter()
        .map(|dir| join(dir, name))
        .find(|path| host.exists(path))
        .map_or_else(
            || {
                (
                    join("/usr/bin", name),
                    "CIS default path (not found in any bin directory)".to_owned(),
                )
            },
            |path| (path, "found in the bin directories".to_owned()),
        )
}

/// The data root; under user-namespace remapping dockerd reports a
/// per-mapping subdirectory, and the CIS controls mean its parent.
fn data_root(settings: &Settings<'_>, engine: Option<&Engine>) -> (String, String) {
    if let Some(dir) = engine
        .and_then(|e| e.info.get("DockerRootDir"))
        .and_then(Value::as_str)
    {
        let remapped = engine
            .and_then(|e| e.info.get("SecurityOptions"))
            .and_then(Value::as_array)
            .is_some_and(|opts| {
                opts.iter()
                    .any(|o| o.as_str().is_some_and(|s| s.contains("name=userns")))
            });
        if remapped && let Some((parent, _)) = dir.rsplit_once('/') {
            return (
                parent.to_owned(),
                "GET /info → DockerRootDir (parent of the userns subdirectory)".to_owned(),
            );
        }
        return (dir.to_owned(), "GET /info → DockerRootDir".to_owned());
    }
    settings
        .string("data-root", "data-root")
        .or_else(|| settings.string("graph", "graph"))
        .unwrap_or_else(|| (DEFAULT_DATA_ROOT.to_owned(), "default path".to_owned()))
}

/// The containerd socket dockerd talks to: `--containerd`, daemon.json
/// `"containerd"`, or the one dockerd starts under its exec root.
fn containerd_socket(settings: &Settings<'_>) -> (String, String) {
    if let Some(found) = settings
        .string("containerd", "containerd")
        .filter(|(p, _)| !p.is_empty())
    {
        return found;
    }
    let (exec_root, origin) = settings
        .string("exec-root", "exec-root")
        .unwrap_or_else(|| (DEFAULT_EXEC_ROOT.to_owned(), "default exec root".to_owned()));
    (
        join(&exec_root, "containerd/containerd.sock"),
        format!("containerd managed by dockerd under its exec root ({origin})"),
    )
}

/// Regular files under a directory, depth- and count-limited.
fn walk_files(host: &HostFs, dir: &str, depth: usize, limit: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_owned(), 0)];
    while let Some((current, level)) = stack.pop() {
        let Ok(Some(names)) = host.list_dir(&current) else {
            continue;
        };
        for name in names {
            let path = join(&current, &name);
            if host.is_dir(&path) {
                if level < depth {
                    stack.push((path, level + 1));
                }
            } else if found.len() < limit {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
