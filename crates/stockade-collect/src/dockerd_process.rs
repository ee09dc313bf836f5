//! The dockerd behind the audited endpoint, and where its command line
//! comes from.
//!
//! The running process is the truth: its /proc/PID/cmdline holds the flags
//! dockerd actually runs with. It is found, strongest evidence first, as
//! 1. the process that answered on the audited socket (the peer
//!    credentials of the connection name it, in this process's pid
//!    namespace);
//! 2. the dockerd holding a listening socket bound to the audited path;
//! 3. the dockerd whose `-H` flag names the path;
//! 4. the only dockerd running.
//!
//! When no process can be read — a root copied from another machine, or a
//! container that does not share the host's pid namespace — the
//! docker.service unit's `ExecStart` stands in. If a daemon nonetheless
//! answers on the endpoint, that command line may not be the running one,
//! and the record says so (`running_process_unseen`): checks then do not
//! pass on it.

use std::path::Path;

use stockade_core::mask::mask_argv;
use stockade_core::snapshot::{ArgvSource, DaemonProcess, FileState, Probe, UnitFile};
use stockade_parse::dockerd_args::DockerdArgs;
use stockade_parse::systemd_unit::UnitSettings;

use crate::fs::{HostFs, same_file};
use crate::process::{self, ProcessInfo};

/// The audited endpoint as the daemon lookup needs it.
#[derive(Clone, Copy, Debug)]
pub struct AuditedSocket<'a> {
    /// The socket as this process reaches it (`/host/run/docker.sock`).
    pub local: &'a Path,
    /// The same socket as the audited host names it, when known.
    pub host_path: Option<&'a str>,
}

/// What the lookup found.
#[derive(Debug)]
pub struct Lookup {
    pub daemon: Probe<DaemonProcess>,
    /// The audited socket's path on the host, learnt from the daemon's own
    /// socket table when the endpoint was reached through another path (a
    /// socket mounted into a container at /var/run/docker.sock).
    pub socket_host_path: Option<String>,
    /// Every dockerd process this one can see (none when the host's pid
    /// namespace is not visible).
    pub running: Vec<ProcessInfo>,
}

/// Finds the dockerd serving `socket` (`None`: a TCP endpoint, or none).
/// `answered`: `Some` when the Engine API answered on the endpoint, with
/// the pid of the process that answered when the kernel named it.
pub fn find(
    host: &HostFs,
    socket: Option<AuditedSocket<'_>>,
    units: &[UnitFile],
    answered: Option<Option<u32>>,
) -> Lookup {
    let daemon_answers = answered.is_some();
    let host_path = socket.and_then(|s| s.host_path.map(str::to_owned));
    let visible = host.is_live_root() || host.vantage().host_pid_namespace;
    let candidates = if visible {
        process::find_by_name("dockerd")
    } else {
        Vec::new()
    };

    // 1. The process answering on the socket.
    if let Some(socket) = socket
        && let Some(Some(pid)) = answered
        && let Some(index) = candidates.iter().position(|p| p.pid == pid)
    {
        let mut matched_by = format!(
            "answered GET /version on {}: the peer of that connection is pid {pid}",
            socket.local.display()
        );
        let learnt = if host.is_live_root() {
            None
        } else {
            let learnt = bound_path_in_root(host, pid, socket.local);
            if learnt.is_none() {
                matched_by.push_str(&format!(
                    "; none of its listening sockets is this socket inside {}, so the host root may not be this daemon's host",
                    host.root().display()
                ));
            }
            learnt
        };
        return Lookup {
            daemon: Probe::Ok(from_process(&candidates, index, matched_by)),
            socket_host_path: learnt.or(host_path),
            running: candidates,
        };
    }

    let daemon = if host.is_live_root() {
        on_this_machine(
            host,
            host_path.as_deref(),
            units,
            &candidates,
            daemon_answers,
        )
    } else {
        from_unit_or_error(
            units,
            &unseen_reason(host, visible, daemon_answers),
            daemon_answers,
        )
    };
    Lookup {
        daemon,
        socket_host_path: host_path,
        running: candidates,
    }
}

/// Why the running daemon's process was not read, for a mounted host root.
fn unseen_reason(host: &HostFs, visible: bool, daemon_answers: bool) -> String {
    let root = host.root().display();
    match (daemon_answers, visible) {
        (false, _) => format!(
            "offline audit of {root}: no daemon answered, so the docker.service unit's ExecStart is the configured command line"
        ),
        (true, false) => format!(
            "a daemon answers on the endpoint, but its process is not visible from here (run in the host's pid namespace: `docker run --pid host`); the docker.service unit's ExecStart under {root} is used and may differ from the running daemon's flags"
        ),
        (true, true) => format!(
            "a daemon answers on the endpoint, but no dockerd process visible here serves it (another pid namespace, or not dockerd); the docker.service unit's ExecStart under {root} is used and may differ from the running daemon's flags"
        ),
    }
}

/// The path `pid` bound its listening socket to, when that path inside the
/// host root is the very socket file this process reached at `local`.
fn bound_path_in_root(host: &HostFs, pid: u32, local: &Path) -> Option<String> {
    process::listening_sockets(pid)
        .into_iter()
        .map(|(_, path)| path)
        .find(|path| {
            let resolved = host.resolve(path).unwrap_or_else(|_| path.clone());
            same_file(local, &host.local(&resolved))
        })
}

fn from_process(candidates: &[ProcessInfo], index: usize, matched_by: String) -> DaemonProcess {
    let process = &candidates[index];
    DaemonProcess {
        source: ArgvSource::Process { pid: process.pid },
        argv: mask_argv(&process.argv),
        executable: process.executable.clone(),
        uid: process.uid,
        matched_by,
        other_pids: candidates
            .iter()
            .filter(|p| p.pid != process.pid)
            .map(|p| p.pid)
            .collect(),
        started_at: process::started_at(process.pid),
        running_process_unseen: None,
    }
}

/// The docker.service unit's ExecStart as the daemon's command line.
fn from_unit(units: &[UnitFile]) -> Option<DaemonProcess> {
    let unit = units.iter().find(|u| u.name == "docker.service")?;
    let mut settings = UnitSettings::default();
    settings.exec_start.clone_from(&unit.exec_start);
    let argv = settings.exec_start_argv()?;
    Some(DaemonProcess {
        source: ArgvSource::UnitFile {
            path: unit.facts.path.clone(),
        },
        executable: argv.first().filter(|a| a.starts_with('/')).cloned(),
        argv: mask_argv(&argv),
        uid: Some(0),
        matched_by: String::new(),
        other_pids: Vec::new(),
        started_at: None,
        running_process_unseen: None,
    })
}

fn from_unit_or_error(
    units: &[UnitFile],
    reason: &str,
    daemon_answers: bool,
) -> Probe<DaemonProcess> {
    match from_unit(units) {
        Some(mut daemon) => {
            daemon.matched_by = reason.to_owned();
            if daemon_answers {
                daemon.running_process_unseen = Some(reason.to_owned());
            }
            Probe::Ok(daemon)
        }
        None => Probe::Error(format!("{reason}; and {}", unit_problem(units))),
    }
}

/// Why docker.service gave no command line: absent, unreadable, or no ExecStart.
fn unit_problem(units: &[UnitFile]) -> String {
    let unit = units.iter().find(|u| u.name == "docker.service");
    match unit.map(|u| u.read_errors.as_slice()) {
        Some(errors) if !errors.is_empty() => {
            format!(
                "the docker.service unit could not be read: {}",
                errors.join("; ")
            )
        }
        Some(_) => "the docker.service unit has no ExecStart line".to_owned(),
        None => "no docker.service unit was found in the systemd search path".to_owned(),
    }
}

/// `dockerd runs elsewhere: pid 12 on unix:///run/other.sock, tcp://0.0.0.0:2375`:
/// each process with the endpoints its `-H` flags name and the unix sockets
/// it holds listening.
pub fn describe_elsewhere(candidates: &[ProcessInfo]) -> String {
    let described: Vec<String> = candidates
        .iter()
        .map(|p| {
            let args = DockerdArgs::parse(&p.argv);
            // Sockets under the exec root are dockerd's own (libnetwork, metrics), not endpoints.
            let exec_root = args
                .all("exec-root")
                .last()
                .map_or("/var/run/docker".to_owned(), |f| f.value.clone());
            let internal = |path: &str| {
                [exec_root.as_str(), "/var/run/docker", "/run/docker"]
                    .iter()
                    .any(|root| path.starts_with(&format!("{}/", root.trim_end_matches('/'))))
            };
            let mut endpoints: Vec<String> = args
                .all("host")
                .map(|h| {
                    if h.value.contains("://") {
                        h.value.clone()
                    } else {
                        format!("unix://{}", h.value)
                    }
                })
                .collect();
            for (inode, path) in process::listening_sockets(p.pid) {
                let url = format!("unix://{path}");
                if !internal(&path)
                    && !endpoints.contains(&url)
                    && process::holds_socket(p.pid, &[inode])
                {
                    endpoints.push(url);
                }
            }
            if endpoints.is_empty() {
                format!("pid {} (no socket found)", p.pid)
            } else {
                format!("pid {} on {}", p.pid, endpoints.join(", "))
            }
        })
        .collect();
    let verb = if candidates.len() == 1 { "runs" } else { "run" };
    format!("dockerd {verb} elsewhere: {}", described.join("; "))
}

/// The lookup on a live root (`/`) when the socket's server was not a
/// visible dockerd.
fn on_this_machine(
    host: &HostFs,
    socket: Option<&str>,
    units: &[UnitFile],
    candidates: &[ProcessInfo],
    daemon_answers: bool,
) -> Probe<DaemonProcess> {
    if candidates.is_empty() {
        let reason = if daemon_answers {
            "a daemon answers on the endpoint, but no dockerd process is running here (another pid namespace, or not dockerd); the docker.service unit's ExecStart is used and may differ from the running daemon's flags"
        } else {
            "no dockerd process is running; the docker.service unit's ExecStart is the configured command line"
        };
        return from_unit_or_error(units, reason, daemon_answers);
    }

    if let Some(socket) = socket
        && matches!(host.stat(socket).state, FileState::Absent)
    {
        return Probe::Error(format!(
            "no Docker socket at {socket}, so no daemon serves it; {}",
            describe_elsewhere(candidates)
        ));
    }
    let mut chosen: Option<(usize, String)> = None;
    if let Some(socket) = socket {
        let resolved = host.resolve(socket).ok().filter(|r| r != socket);
        chosen = candidates
            .iter()
            .position(|p| {
                // Each daemon may live in its own network namespace: read the
                // socket table through the process itself.
                let mut inodes = process::listening_socket_inodes(p.pid, socket);
                if let Some(resolved) = &resolved {
                    inodes.extend(process::listening_socket_inodes(p.pid, resolved));
                }
                !inodes.is_empty() && process::holds_socket(p.pid, &inodes)
            })
            .map(|i| (i, format!("holds the listening socket {socket}")));
        if chosen.is_none() {
            chosen = candidates
                .iter()
                .position(|p| {
                    let args = DockerdArgs::parse(&p.argv);
                    args.all("host")
                        .any(|h| h.value.trim_start_matches("unix://") == socket)
                })
                .map(|i| (i, format!("its -H flag names {socket}")));
        }
    }
    if chosen.is_none() && candidates.len() == 1 {
        chosen = Some((
            0,
            "the only dockerd process running (its listening socket could not be matched to the endpoint)".to_owned(),
        ));
    }
    match chosen {
        Some((index, matched_by)) => Probe::Ok(from_process(candidates, index, matched_by)),
        None => {
            let pids: Vec<String> = candidates.iter().map(|p| p.pid.to_string()).collect();
            Probe::Error(format!(
                "{} dockerd processes run (pids {}) and none could be matched to {}",
                candidates.len(),
                pids.join(", "),
                socket.unwrap_or("the audited endpoint")
            ))
        }
    }
}
