//! Bad input while collecting containers: a container removed between the
//! list and its inspect, an exec session that ended, an inspect answer that
//! is garbage, a daemon that dies or goes silent mid-audit. Races like these
//! cannot be staged on a real daemon on demand, so a scripted Engine API
//! socket plays the daemon; stockade must report, carry on, and not hang.

// Test helpers stop at the first surprise, like the tests themselves.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{audit_json, check_text, status};
use serde_json::{Value, json};

/// What the scripted daemon does for one request.
#[derive(Clone)]
enum Answer {
    Json(Value),
    NotFound(&'static str),
    Garbage,
    /// Accept, then never answer.
    Silence,
}

/// A scripted Engine API on a unix socket. After `die_after` requests the
/// listener is closed and its socket removed, as when dockerd exits.
struct FakeDaemon {
    _dir: tempfile::TempDir,
    socket: PathBuf,
}

impl FakeDaemon {
    fn start(routes: HashMap<&'static str, Answer>, die_after: Option<usize>) -> FakeDaemon {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let served = Arc::new(AtomicUsize::new(0));
        let path = socket.clone();
        thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let _ = reader.read_line(&mut line);
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let target = line.split_whitespace().nth(1).unwrap_or_default();
                let route = strip_version(target);
                let answer = routes
                    .iter()
                    .find(|(prefix, _)| {
                        route == **prefix
                            || (prefix.ends_with('*')
                                && route.starts_with(prefix.trim_end_matches('*')))
                    })
                    .map_or(Answer::NotFound("no such route"), |(_, a)| a.clone());
                match answer {
                    Answer::Json(value) => respond(&mut stream, 200, &value.to_string()),
                    Answer::NotFound(message) => {
                        respond(&mut stream, 404, &json!({"message": message}).to_string());
                    }
                    Answer::Garbage => {
                        let _ = stream.write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n<html>oops</",
                        );
                    }
                    Answer::Silence => held.push(stream),
                }
                if die_after.is_some_and(|n| served.fetch_add(1, Ordering::SeqCst) + 1 >= n) {
                    let _ = std::fs::remove_file(&path);
                    return; // drops the listener: the daemon is gone
                }
            }
        });
        FakeDaemon { _dir: dir, socket }
    }

    fn url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

fn strip_version(target: &str) -> &str {
    match target.strip_prefix("/v") {
        Some(rest) => rest.find('/').map_or(target, |at| &rest[at..]),
        None => target,
    }
}

fn respond(stream: &mut impl Write, code: u16, body: &str) {
    let reason = if code == 200 { "OK" } else { "Not Found" };
    let _ = write!(
        stream,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
}

const ID_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const ID_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const ID_C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
const EXEC: &str = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

fn listed(id: &str, name: &str) -> Value {
    json!({"Id": id, "Names": [format!("/{name}")], "Image": "app:1", "ImageID": "sha256:1234", "State": "created", "Labels": {}})
}

fn inspect(privileged: bool, exec_ids: &[&str]) -> Value {
    json!({
        "Config": {"User": "", "Image": "app:1"},
        "HostConfig": {"Privileged": privileged, "Memory": 0},
        "State": {"Status": "created", "Running": false, "Pid": 0},
        "ExecIDs": exec_ids,
        "Mounts": []
    })
}

/// The answers every audit needs before it lists containers.
fn daemon_basics() -> HashMap<&'static str, Answer> {
    HashMap::from([
        (
            "/version",
            Answer::Json(json!({"ApiVersion": "1.41", "Version": "20.10.24"})),
        ),
        (
            "/info",
            Answer::Json(
                json!({"SecurityOptions": ["name=seccomp,profile=default"], "Swarm": {"LocalNodeState": "inactive"}}),
            ),
        ),
        (
            "/networks/bridge",
            Answer::NotFound("network bridge not found"),
        ),
        ("/images/json", Answer::Json(json!([]))),
        ("/networks", Answer::Json(json!([]))),
        ("/plugins", Answer::Json(json!([]))),
        (
            "/containers/json?all=1",
            Answer::Json(json!([
                listed(ID_A, "stays"),
                listed(ID_B, "vanishes"),
                listed(ID_C, "garbled")
            ])),
        ),
    ])
}

#[test]
fn vanished_objects_and_garbage_are_reported_and_the_rest_is_judged() {
    let mut routes = daemon_basics();
    routes.insert("/containers/aaaa*", Answer::Json(inspect(true, &[EXEC])));
    routes.insert("/containers/bbbb*", Answer::NotFound("No such container"));
    routes.insert("/containers/cccc*", Answer::Garbage);
    routes.insert("/exec/*", Answer::NotFound("No such exec instance"));
    let daemon = FakeDaemon::start(routes, None);
    let (report, output) = audit_json(&["--docker-host", &daemon.url(), "--check", "5.5,5.23"]);

    let findings = |id: &str| -> Vec<(String, String, String)> {
        common::check(&report, id)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["subject"]["name"].as_str().unwrap_or("-").to_owned(),
                    f["status"].as_str().unwrap().to_owned(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let privileged = findings("container-privileged");
    let verdict = |name: &str| {
        privileged
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        verdict("stays").1,
        "fail",
        "the container that stayed is judged"
    );
    let vanished = verdict("vanishes");
    assert_eq!(
        vanished.1, "not-applicable",
        "a removed container is no finding: {vanished:?}"
    );
    assert!(
        vanished.2.contains("removed while stockade looked at it"),
        "{vanished:?}"
    );
    let garbled = verdict("garbled");
    assert_eq!(garbled.1, "error");
    assert!(
        garbled.2.contains("/containers/cccc") && garbled.2.contains(&daemon.url()),
        "the error names the request and the endpoint: {garbled:?}"
    );
    let exec = check_text(&report, "container-exec-privileged");
    assert!(
        exec.contains("ended before stockade could inspect it"),
        "{exec}"
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unassessable container makes the run exit 2"
    );
}

#[test]
fn a_daemon_that_dies_mid_audit_leaves_errors_not_a_crash() {
    // /version, /info, /networks/bridge, the container list, then gone.
    let daemon = FakeDaemon::start(daemon_basics(), Some(4));
    let started = Instant::now();
    let (report, output) = audit_json(&[
        "--docker-host",
        &daemon.url(),
        "--check",
        "5.5,5.11,6.1,4.6",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(2));
    let text = check_text(&report, "container-privileged");
    assert!(
        text.contains("no Docker socket at") || text.contains("refused"),
        "{text}"
    );
    assert_eq!(status(&report, "container-privileged"), "error");
    assert_eq!(status(&report, "image-healthcheck-missing"), "error");
    assert!(
        check_text(&report, "image-healthcheck-missing")
            .contains(&daemon.socket.display().to_string())
    );
}

#[test]
fn a_daemon_that_goes_silent_costs_one_timeout_not_one_per_container() {
    // 40 containers, 8 requests in flight: without giving up on a silent
    // daemon, the inspects alone would take five rounds of timeouts.
    let mut routes = daemon_basics();
    let many: Vec<Value> = (0..40)
        .map(|i| listed(&format!("{i:064x}"), &format!("c{i}")))
        .collect();
    routes.insert("/containers/json?all=1", Answer::Json(Value::Array(many)));
    routes.insert("/containers/0*", Answer::Silence);
    routes.insert("/images/json", Answer::Silence);
    let daemon = FakeDaemon::start(routes, None);
    let started = Instant::now();
    let (report, output) = audit_json(&[
        "--docker-host",
        &daemon.url(),
        "--timeout",
        "1",
        "--check",
        "5.5",
    ]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(output.status.code(), Some(2));
    let text = check_text(&report, "container-privileged");
    assert!(text.contains("did not answer"), "{text}");
    assert!(
        text.contains("skipped: the daemon stopped answering earlier"),
        "{text}"
    );
}
