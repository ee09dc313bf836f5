//! Containers (every state), images, networks, plugins and swarm state,
//! from the Engine API (GET only) and, for a local daemon, the host's /proc.
//!
//! Requests run a few at a time. A container removed between the list and
//! its inspect, or an exec session that ends while stockade looks, is noted
//! and the rest goes on. When the daemon stops answering (gone, or silent
//! past the timeout), the remaining requests are skipped with that reason
//! instead of each waiting for its own timeout.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::sync::{Mutex, OnceLock};
use std::thread;

use serde::de::DeserializeOwned;
use serde_json::Value;
use stockade_core::mask::{mask_argv, mask_assignments_in_text, mask_env};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{
    AuditingContainer, Container, ContainerInspect, ExecSession, HistoryEntry, Image, ImageInspect,
    Network, Plugin, ProcessSource, Processes, SwarmFacts, Workload,
};

use crate::container_procs;
use crate::engine::EngineClient;
use crate::parallel;

/// Requests in flight at once (the daemon answers inspects ~8 at a time
/// before it stops getting faster on two cores).
const IN_FLIGHT: usize = 8;

/// The Engine API client, plus what the run learned about the daemon.
struct Session {
    client: EngineClient,
    /// Set once the daemon is unreachable; later requests are skipped.
    unreachable: OnceLock<String>,
    notes: Mutex<Vec<String>>,
}

/// Why a request brought nothing back.
enum Fetch {
    /// 404: the object is gone.
    Missing(String),
    Failed(String),
}

impl Fetch {
    fn reason(self) -> String {
        match self {
            Fetch::Missing(reason) | Fetch::Failed(reason) => reason,
        }
    }
}

impl Session {
    fn get(&self, path: &str) -> Result<Value, Fetch> {
        if let Some(reason) = self.unreachable.get() {
            return Err(Fetch::Failed(format!(
                "GET {path} skipped: the daemon stopped answering earlier ({reason})"
            )));
        }
        self.client.get(path).map_err(|error| {
            if error.is_status(404) {
                return Fetch::Missing(error.to_string());
            }
            if error.is_unreachable() {
                let _ = self.unreachable.set(error.to_string());
            }
            Fetch::Failed(error.to_string())
        })
    }

    fn get_as<T: DeserializeOwned>(&self, path: &str) -> Result<T, Fetch> {
        let value = self.get(path)?;
        serde_json::from_value(value).map_err(|e| {
            Fetch::Failed(format!(
                "GET {path} on {}: unexpected answer: {e}",
                self.client.endpoint()
            ))
        })
    }

    fn note(&self, note: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note);
        }
    }
}

/// Collects the workload. `info` is the daemon's `GET /info`; `local_proc`
/// allows reading processes from this machine's /proc (a live audit).
/// `auditing_container`: the container stockade runs in, left out.
pub fn collect(
    client: EngineClient,
    info: &Value,
    local_proc: bool,
    auditing_container: Option<&str>,
) -> Probe<Workload> {
    let session = Session {
        client,
        unreachable: OnceLock::new(),
        notes: Mutex::new(Vec::new()),
    };
    let listed = match session.get("/containers/json?all=1") {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            return Probe::Error(format!(
                "GET /containers/json on {} did not answer a list",
                session.client.endpoint()
            ));
        }
        Err(fetch) => return Probe::Error(fetch.reason()),
    };
    let mut summaries: Vec<Summary> = listed.iter().filter_map(Summary::read).collect();
    let left_out = auditing_container.and_then(|own| {
        let index = summaries.iter().position(|s| s.id == own)?;
        let own = summaries.remove(index);
        Some(AuditingContainer {
            id: own.id,
            name: own.name,
        })
    });

    let (containers, images, (networks, plugins)) = thread::scope(|scope| {
        let images = scope.spawn(|| images(&session));
        let others = scope.spawn(|| (networks(&session), plugins(&session)));
        let containers = parallel::map(&summaries, IN_FLIGHT, |summary| {
            container(&session, summary, local_proc)
        });
        (
            containers,
            images
                .join()
                .unwrap_or_else(|_| Probe::Error("the image collector crashed".to_owned())),
            others.join().unwrap_or_else(|_| {
                let crashed = "the network and plugin collector crashed";
                (
                    Probe::Error(crashed.to_owned()),
                    Probe::Error(crashed.to_owned()),
                )
            }),
        )
    });
    let mut containers: Vec<Container> = containers
        .into_iter()
        .zip(&summaries)
        .map(|(container, summary)| {
            container.unwrap_or_else(|| {
                summary.container(Probe::Error("stockade crashed reading it".to_owned()))
            })
        })
        .collect();
    fill_local_processes(&mut containers);

    let swarm = swarm_active(info).then(|| swarm(&session, info));
    let changed_during_collection = session.notes.into_inner().unwrap_or_default();
    Probe::Ok(Workload {
        containers,
        images,
        networks,
        plugins,
        swarm,
        changed_during_collection,
        auditing_container: left_out,
    })
}

/// A container as `GET /containers/json` lists it.
struct Summary {
    id: String,
    name: String,
    image: String,
    image_id: String,
    state: String,
    labels: BTreeMap<String, String>,
}

impl Summary {
    fn read(item: &Value) -> Option<Summary> {
        let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default();
        let id = text("Id");
        if !is_object_id(id) {
            return None;
        }
        let name = item
            .get("Names")
            .and_then(Value::as_array)
            .and_then(|names| names.first())
            .and_then(Value::as_str)
            .unwrap_or(id)
            .trim_start_matches('/');
        Some(Summary {
            id: id.to_owned(),
            name: name.to_owned(),
            image: text("Image").to_owned(),
            image_id: text("ImageID").to_owned(),
            state: text("State").to_owned(),
            labels: string_map(item.get("Labels")),
        })
    }

    fn container(&self, inspect: Probe<ContainerInspect>) -> Container {
        Container {
            id: self.id.clone(),
            name: self.name.clone(),
            image: self.image.clone(),
            image_id: self.image_id.clone(),
            state: self.state.clone(),
            labels: self.labels.clone(),
            inspect,
            execs: Vec::new(),
            processes: None,
            security: None,
        }
    }
}

fn container(session: &Session, summary: &Summary, local_proc: bool) -> Container {
    let path = format!("/containers/{}/json", summary.id);
    let inspect = match session.get_as::<ContainerInspect>(&path) {
        Ok(mut inspect) => {
            inspect.config.env = inspect.config.env.iter().map(|e| mask_env(e)).collect();
            inspect.config.cmd = mask_argv(&inspect.config.cmd);
            inspect.config.entrypoint = mask_argv(&inspect.config.entrypoint);
            Probe::Ok(inspect)
        }
        Err(Fetch::Missing(_)) => {
            session.note(format!(
                "container {} ({}) was removed between the container list and its inspect",
                summary.name,
                short(&summary.id)
            ));
            let mut container = summary.container(Probe::Error(format!(
                "removed while stockade looked at it (GET {path} answered 404)"
            )));
            container.state = Container::REMOVED.to_owned();
            return container;
        }
        Err(Fetch::Failed(reason)) => Probe::Error(reason),
    };
    let mut container = summary.container(inspect);
    let Probe::Ok(inspect) = &container.inspect else {
        return container;
    };
    if !inspect.state.status.is_empty() {
        container.state = inspect.state.status.clone();
    }
    container.execs = inspect
        .exec_ids
        .iter()
        .filter(|id| is_object_id(id))
        .filter_map(|exec_id| exec_session(session, &container.name, exec_id))
        .collect();
    if container.is_running() {
        let pid = inspect.state.pid;
        let local = local_proc && container_procs::pid_in_container(pid, &container.id);
        if local {
            container.security = Some(container_procs::security_of(pid));
        }
        container.processes = Some(if local {
            // Filled in one pass over /proc once every container is known.
            Probe::Ok(Processes {
                source: ProcessSource::HostProc,
                processes: Vec::new(),
            })
        } else {
            top(session, &container.id)
        });
    }
    container
}

fn exec_session(session: &Session, container: &str, id: &str) -> Option<Probe<ExecSession>> {
    match session.get_as::<ExecSession>(&format!("/exec/{id}/json")) {
        Ok(mut exec) => {
            let mut argv = vec![exec.process.entrypoint.clone()];
            argv.extend(exec.process.arguments.iter().cloned());
            let masked = mask_argv(&argv);
            exec.process.entrypoint = masked.first().cloned().unwrap_or_default();
            exec.process.arguments = masked.into_iter().skip(1).collect();
            Some(Probe::Ok(exec))
        }
        Err(Fetch::Missing(_)) => {
            session.note(format!(
                "exec session {} of container {container} ended before stockade could inspect it",
                short(id)
            ));
            None
        }
        Err(Fetch::Failed(reason)) => Some(Probe::Error(reason)),
    }
}

fn top(session: &Session, id: &str) -> Probe<Processes> {
    match session.get(&format!("/containers/{id}/top")) {
        Ok(answer) => match container_procs::from_top(&answer) {
            Ok(processes) => Probe::Ok(Processes {
                source: ProcessSource::EngineTop,
                processes,
            }),
            Err(problem) => Probe::Error(format!(
                "GET /containers/{id}/top on {}: {problem}",
                session.client.endpoint()
            )),
        },
        Err(fetch) => Probe::Error(fetch.reason()),
    }
}

/// One pass over /proc for every container whose processes are local.
fn fill_local_processes(containers: &mut [Container]) {
    let is_local = |c: &Container| matches!(&c.processes, Some(Probe::Ok(p)) if p.source == ProcessSource::HostProc);
    let local: HashSet<&str> = containers
        .iter()
        .filter(|c| is_local(c))
        .map(|c| c.id.as_str())
        .collect();
    let mut found = container_procs::processes_of(&local);
    for container in containers.iter_mut() {
        if let Some(Probe::Ok(processes)) = &mut container.processes
            && processes.source == ProcessSource::HostProc
        {
            processes.processes = found.remove(&container.id).unwrap_or_default();
        }
    }
}

fn images(session: &Session) -> Probe<Vec<Image>> {
    let listed = match session.get("/images/json") {
        Ok(Value::Array(items)) => items,
        Ok(_) => return Probe::Error("GET /images/json did not answer a list".to_owned()),
        Err(fetch) => return Probe::Error(fetch.reason()),
    };
    let mut seen = HashSet::new();
    let listed: Vec<&Value> = listed
        .iter()
        .filter(|item| {
            item.get("Id")
                .and_then(Value::as_str)
                .is_some_and(|id| is_object_id(id) && seen.insert(id.to_owned()))
        })
        .collect();
    let images = parallel::map(&listed, IN_FLIGHT / 2, |item| image(session, item));
    Probe::Ok(images.into_iter().flatten().collect())
}

fn image(session: &Session, item: &Value) -> Image {
    let id = item
        .get("Id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let repo_tags: Vec<String> = item
        .get("RepoTags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "<none>:<none>")
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let inspect = match session.get_as::<ImageInspect>(&format!("/images/{id}/json")) {
        Ok(mut inspect) => {
            inspect.config.env = inspect.config.env.iter().map(|e| mask_env(e)).collect();
            Probe::Ok(inspect)
        }
        Err(fetch) => Probe::Error(fetch.reason()),
    };
    let history = match session.get_as::<Vec<HistoryEntry>>(&format!("/images/{id}/history")) {
        Ok(entries) => Probe::Ok(
            entries
                .into_iter()
                .map(|mut entry| {
                    entry.created_by = mask_assignments_in_text(&entry.created_by);
                    entry
                })
                .collect(),
        ),
        Err(fetch) => Probe::Error(fetch.reason()),
    };
    Image {
        id,
        repo_tags,
        labels: string_map(item.get("Labels")),
        created: item.get("Created").and_then(Value::as_i64).unwrap_or(0),
        inspect,
        history,
    }
}

fn networks(session: &Session) -> Probe<Vec<Network>> {
    session
        .get_as::<Vec<Network>>("/networks")
        .map_err(Fetch::reason)
        .into()
}

fn plugins(session: &Session) -> Probe<Vec<Plugin>> {
    let listed = match session.get("/plugins") {
        Ok(Value::Array(items)) => items,
        Ok(_) => return Probe::Error("GET /plugins did not answer a list".to_owned()),
        Err(fetch) => return Probe::Error(fetch.reason()),
    };
    Probe::Ok(
        listed
            .iter()
            .map(|plugin| Plugin {
                name: plugin
                    .get("Name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                enabled: plugin
                    .get("Enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                types: plugin
                    .pointer("/Config/Interface/Types")
                    .and_then(Value::as_array)
                    .map(|types| {
                        types
                            .iter()
                            .filter_map(|t| match t {
                                Value::String(s) => Some(s.clone()),
                                Value::Object(o) => Some(format!(
                                    "{}.{}/{}",
                                    o.get("Prefix").and_then(Value::as_str).unwrap_or_default(),
                                    o.get("Capability")
                                        .and_then(Value::as_str)
                                        .unwrap_or_default(),
                                    o.get("Version").and_then(Value::as_str).unwrap_or_default()
                                )),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect(),
    )
}

/// Whether GET /info says this node is in an active swarm.
pub fn swarm_active(info: &Value) -> bool {
    info.pointer("/Swarm/LocalNodeState")
        .and_then(Value::as_str)
        == Some("active")
}

fn swarm(session: &Session, info: &Value) -> SwarmFacts {
    let manager = info
        .pointer("/Swarm/ControlAvailable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    fn not_manager<T>() -> Probe<T> {
        Probe::Error("this node is not a swarm manager".to_owned())
    }
    let secrets = if manager {
        match session.get("/secrets") {
            Ok(Value::Array(items)) => Probe::Ok(items.len()),
            Ok(_) => Probe::Error("GET /secrets did not answer a list".to_owned()),
            Err(fetch) => Probe::Error(fetch.reason()),
        }
    } else {
        not_manager()
    };
    let managers = if manager {
        match session.get("/nodes") {
            Ok(Value::Array(nodes)) => Probe::Ok(
                nodes
                    .iter()
                    .filter(|n| n.get("ManagerStatus").is_some())
                    .map(|n| {
                        let host = n
                            .pointer("/Description/Hostname")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        let reachability = n
                            .pointer("/ManagerStatus/Reachability")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        let leader = n
                            .pointer("/ManagerStatus/Leader")
                            .and_then(Value::as_bool)
                            .unwrap_or(false);
                        format!(
                            "{host} ({reachability}{})",
                            if leader { ", leader" } else { "" }
                        )
                    })
                    .collect(),
            ),
            Ok(_) => Probe::Error("GET /nodes did not answer a list".to_owned()),
            Err(fetch) => Probe::Error(fetch.reason()),
        }
    } else {
        not_manager()
    };
    SwarmFacts {
        management_listeners: Probe::Error(
            "the daemon's process was not found, so its sockets could not be read".to_owned(),
        ),
        secrets,
        managers,
    }
}

/// Listening TCP sockets on `port` in the network namespace of process
/// `pid`, as `address:port`.
pub fn tcp_listeners(pid: u32, port: u16) -> Probe<Vec<String>> {
    let mut found = Vec::new();
    for (file, v6) in [("tcp", false), ("tcp6", true)] {
        let path = format!("/proc/{pid}/net/{file}");
        let table = match fs::read_to_string(&path) {
            Ok(table) => table,
            Err(e) if !v6 => return Probe::Error(format!("{path}: {e}")),
            Err(_) => continue, // IPv6 disabled
        };
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st ...; st 0A = LISTEN
            let (Some(local), Some(&"0A")) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((address, hex_port)) = local.split_once(':') else {
                continue;
            };
            if u16::from_str_radix(hex_port, 16).ok() == Some(port) {
                found.push(format!("{}:{port}", proc_net_address(address, v6)));
            }
        }
    }
    Probe::Ok(found)
}

/// `0100007F` → `127.0.0.1`; IPv6 words are in host byte order per 32 bits.
fn proc_net_address(hex: &str, v6: bool) -> String {
    let words: Vec<u32> = (0..hex.len() / 8)
        .filter_map(|i| u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok())
        .collect();
    if !v6 {
        let bytes = words.first().copied().unwrap_or(0).to_le_bytes();
        return std::net::Ipv4Addr::from(bytes).to_string();
    }
    let mut bytes = [0u8; 16];
    for (i, word) in words.iter().take(4).enumerate() {
        bytes[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
    }
    format!("[{}]", std::net::Ipv6Addr::from(bytes))
}

/// Ids that are safe to put in a request path: hex, or `sha256:` hex.
fn is_object_id(id: &str) -> bool {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    !hex.is_empty() && hex.len() <= 128 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn short(id: &str) -> &str {
    stockade_core::finding::short_id(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_cannot_smuggle_a_path() {
        assert!(is_object_id("28a178d9e626"));
        assert!(is_object_id("sha256:18fb9d979ba7"));
        assert!(!is_object_id("../../info"));
        assert!(!is_object_id("abc?x=1"));
        assert!(!is_object_id(""));
    }

    #[test]
    fn proc_net_addresses_decode() {
        assert_eq!(proc_net_address("0100007F", false), "127.0.0.1");
        assert_eq!(proc_net_address("00000000", false), "0.0.0.0");
        assert_eq!(proc_net_address(&"0".repeat(32), true), "[::]");
    }

    #[test]
    fn a_dead_daemon_is_asked_once() {
        let dir = tempfile::tempdir().unwrap();
        let client = EngineClient::new(
            crate::engine::Endpoint::Unix(dir.path().join("gone.sock")),
            std::time::Duration::from_secs(1),
        );
        let session = Session {
            client,
            unreachable: OnceLock::new(),
            notes: Mutex::new(Vec::new()),
        };
        let first = session.get("/containers/x/json").err().map(Fetch::reason);
        let second = session.get("/containers/y/json").err().map(Fetch::reason);
        assert!(first.unwrap().contains("no Docker socket"));
        let second = second.unwrap();
        assert!(second.contains("skipped"), "{second}");
        assert!(second.contains("no Docker socket"), "{second}");
    }
}
