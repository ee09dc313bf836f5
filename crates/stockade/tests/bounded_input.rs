//! Bounded input: whatever a path names — a FIFO, `/dev/zero`, a file of
//! hundreds of MiB, a binary unit file — and however slowly a daemon
//! answers, stockade finishes quickly with an error naming the file or the
//! endpoint (issue 14). Every input here is made at test time.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::symlink;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};
use std::{fs, thread};

use common::{FakeHost, check_text, status, stockade};
use serde_json::Value;

/// Long enough for a debug build on a loaded machine; a hang is far longer.
const QUICK: Duration = Duration::from_secs(15);
/// When a hung stockade is killed, so a regression fails instead of hanging.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `stockade ARGS`, killed after [`WATCHDOG`]; returns the output and
/// how long it took.
fn run(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = stockade()
        .current_dir(dir)
        .args(args)
        .timeout(WATCHDOG)
        .output()
        .unwrap();
    (output, started.elapsed())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn mkfifo(path: &Path) {
    let _ = fs::remove_file(path);
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Asserts a run ended by itself, quickly, with exit status `code`.
fn assert_quick(output: &Output, elapsed: Duration, code: i32, what: &str) {
    assert!(elapsed < QUICK, "{what} took {elapsed:?}");
    assert_eq!(
        output.status.code(),
        Some(code),
        "{what}: {}",
        stderr(output)
    );
}

#[test]
fn fifos_under_the_host_root_are_refused_not_waited_on() {
    let host = FakeHost::new();
    mkfifo(&host.path("etc/docker/daemon.json"));
    mkfifo(&host.path("lib/systemd/system/docker.service"));
    let root = host.root().to_str().unwrap();
    let (output, elapsed) = run(
        host.root(),
        &[
            "audit",
            "--host-root",
            root,
            "--timeout",
            "3",
            "--format",
            "json",
        ],
    );
    assert_quick(&output, elapsed, 2, "audit");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = check_text(&report, "daemon-icc-enabled");
    assert!(
        text.contains("/etc/docker/daemon.json: a named pipe (FIFO), not a regular file"),
        "{text}"
    );
    assert_eq!(status(&report, "daemon-icc-enabled"), "error");
    let everything = serde_json::to_string(&report).unwrap();
    assert!(
        everything.contains("/lib/systemd/system/docker.service: a named pipe (FIFO)"),
        "the unit's problem is named"
    );

    let (output, elapsed) = run(host.root(), &["collect", "--host-root", root, "-o", "-"]);
    assert_quick(&output, elapsed, 0, "collect");
    assert!(stdout(&output).contains("/etc/docker/daemon.json: a named pipe (FIFO)"));
    for command in ["model", "harden"] {
        let (output, elapsed) = run(
            host.root(),
            &[command, "--host-root", root, "--fail-on", "none"],
        );
        assert!(elapsed < QUICK, "{command} took {elapsed:?}");
        assert!(output.status.code().is_some(), "{command} was killed");
    }
}

#[test]
fn dev_zero_behind_any_input_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    symlink("/dev/zero", dir.path().join("z.json")).unwrap();
    let commands: &[&[&str]] = &[
        &["audit", "--from", "z.json"],
        &["import", "docker-bench", "z.json"],
        &["import", "kube-bench", "z.json"],
        &["model", "--from", "z.json"],
        &["model", "-m", "z.json"],
        &["harden", "--from", "z.json"],
        &["diff", "z.json", "z.json"],
        &["report", "z.json"],
    ];
    for args in commands {
        let (output, elapsed) = run(dir.path(), args);
        let what = args.join(" ");
        assert_quick(&output, elapsed, 2, &what);
        assert!(
            stderr(&output).contains("z.json: a character device, not a regular file"),
            "{what}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn oversized_inputs_are_refused_with_the_cap_they_exceed() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: no disk is used, and no byte of it is read.
    let sparse = |name: &str, size: u64| {
        fs::File::create(dir.path().join(name))
            .unwrap()
            .set_len(size)
            .unwrap();
    };
    sparse("host.json", 300 << 20);
    sparse("model.yaml", 17 << 20);
    let (output, elapsed) = run(dir.path(), &["audit", "--from", "host.json"]);
    assert_quick(&output, elapsed, 2, "audit --from");
    assert!(
        stderr(&output).contains("host.json: 300 MiB, larger than the 256 MiB a snapshot may be"),
        "{}",
        stderr(&output)
    );
    let (output, elapsed) = run(dir.path(), &["model", "-m", "model.yaml"]);
    assert_quick(&output, elapsed, 2, "model -m");
    assert!(
        stderr(&output).contains("model.yaml: 17 MiB, larger than the 16 MiB a model file may be"),
        "{}",
        stderr(&output)
    );
}

/// A daemon on a unix socket that answers each request by calling `answer`
/// with the connection (on its own thread).
fn fake_daemon(answer: fn(UnixStream)) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker.sock");
    let listener = UnixListener::bind(&path).unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                answer(stream);
            });
        }
    });
    let url = format!("unix://{}", path.display());
    (dir, url)
}

#[test]
fn a_daemon_dripping_its_answer_is_cut_off_at_the_timeout() {
    let (_dir, url) = fake_daemon(|mut stream| {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
        for byte in head.iter().chain(std::iter::repeat(&b' ')) {
            if stream.write_all(&[*byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_secs(1));
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (output, elapsed) = run(
        dir.path(),
        &[
            "audit",
            "--docker-host",
            &url,
            "--timeout",
            "2",
            "--format",
            "json",
        ],
    );
    // One request's deadline and the rest of the audit, not a byte a second.
    assert!(elapsed < Duration::from_secs(2) + QUICK, "took {elapsed:?}");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = check_text(&report, "docker-version-outdated");
    assert!(
        text.contains(&format!("{url} did not answer GET /version within 2 s")),
        "{text}"
    );
}

#[test]
fn an_endless_header_line_is_refused_quickly() {
    let (_dir, url) = fake_daemon(|mut stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nX-Padding: ");
        let padding = vec![b'a'; 1 << 20];
        for _ in 0..10 {
            if stream.write_all(&padding).is_err() {
                return;
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (output, elapsed) = run(
        dir.path(),
        &["audit", "--docker-host", &url, "--format", "json"],
    );
    assert_quick(&output, elapsed, 2, "audit");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = check_text(&report, "docker-version-outdated");
    assert!(
        text.contains("the status line and headers are larger than 64 KiB") && text.contains(&url),
        "{text}"
    );
}

/// `file-parse-error` messages of a JSON scan, by path.
fn parse_errors(output: &Output) -> Vec<(String, String)> {
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(output)));
    let mut errors = Vec::new();
    for file in report["files"].as_array().unwrap() {
        for finding in file["findings"].as_array().unwrap() {
            if finding["check"] == "file-parse-error" {
                errors.push((
                    file["path"].as_str().unwrap().to_owned(),
                    finding["message"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    errors
}

#[test]
fn a_manifest_with_nul_bytes_is_an_error_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = b"apiVersion: v1\nkind: Pod\n".to_vec();
    manifest.extend(std::iter::repeat_n(0u8, 100_000));
    fs::write(dir.path().join("x.yaml"), &manifest).unwrap();
    fs::create_dir(dir.path().join("deploy")).unwrap();
    fs::write(dir.path().join("deploy/pod.yaml"), &manifest).unwrap();
    // Binary data that is not a manifest, found by walking, is not judged.
    fs::write(dir.path().join("deploy/data.json"), b"\0\x01\x02").unwrap();
    for (target, path) in [("x.yaml", "x.yaml"), ("deploy", "deploy/pod.yaml")] {
        let (output, elapsed) = run(dir.path(), &["scan", target, "--format", "json"]);
        assert_quick(&output, elapsed, 2, target);
        let errors = parse_errors(&output);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, path);
        assert!(errors[0].1.contains("binary content"), "{errors:?}");
    }
}

#[test]
fn a_symlink_loop_named_on_the_command_line_is_called_one() {
    let dir = tempfile::tempdir().unwrap();
    symlink("b", dir.path().join("a")).unwrap();
    symlink("a", dir.path().join("b")).unwrap();
    let (output, elapsed) = run(dir.path(), &["scan", "a", "--format", "json"]);
    assert_quick(&output, elapsed, 2, "scan a");
    let errors = parse_errors(&output);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "a");
    assert!(
        errors[0].1.starts_with("symbolic link loop: a "),
        "{errors:?}"
    );
}

#[test]
fn a_binary_or_huge_docker_service_says_why_it_was_not_read() {
    let host = FakeHost::new();
    let unit = host.path("lib/systemd/system/docker.service");
    let mut noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    noise[100] = 0;
    fs::write(&unit, &noise).unwrap();
    let report = host.audit(&[]);
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        text.contains("the docker.service unit could not be read: /lib/systemd/system/docker.service: binary content"),
        "{}",
        check_text(&report, "daemon-icc-enabled")
    );
    assert!(!text.contains("no docker.service unit"));

    fs::File::create(&unit).unwrap().set_len(20 << 20).unwrap();
    let text = serde_json::to_string(&host.audit(&[])).unwrap();
    assert!(
        text.contains("docker.service: 20 MiB, larger than the 4 MiB a systemd unit file may be"),
        "the size is named"
    );
}

#[test]
fn a_numeric_log_level_is_named_not_shown_empty() {
    let host = FakeHost::new();
    host.write("etc/docker/daemon.json", "{\"log-level\": 7}\n", 0o644);
    let report = host.audit(&["--check", "daemon-log-level-not-info"]);
    assert_eq!(status(&report, "daemon-log-level-not-info"), "fail");
    let text = check_text(&report, "daemon-log-level-not-info");
    assert!(
        text.contains("\\\"log-level\\\" is 7 (a number), not a name"),
        "{text}"
    );
}

#[test]
fn a_string_schema_version_is_called_a_string_not_missing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("host.json"),
        r#"{"schema_version": "1", "collector": "stockade"}"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("audit.json"),
        r#"{"schema_version": "1", "kind": "audit", "checks": []}"#,
    )
    .unwrap();
    let (output, elapsed) = run(dir.path(), &["audit", "--from", "host.json"]);
    assert_quick(&output, elapsed, 2, "audit --from");
    assert!(
        stderr(&output).contains("host.json: `schema_version` is the string \"1\", not a number"),
        "{}",
        stderr(&output)
    );
    let (output, elapsed) = run(dir.path(), &["report", "audit.json"]);
    assert_quick(&output, elapsed, 2, "report");
    assert!(
        stderr(&output).contains("audit.json: `schema_version` is the string \"1\", not a number"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_endless_standard_input_is_cut_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["scan", "-", "--format", "json"],
            "standard input: larger than the 16 MiB a file to scan (--max-file-size) may be",
        ),
        (
            &["import", "docker-bench", "-"],
            "standard input: larger than the 256 MiB a benchmark log to import may be",
        ),
    ];
    for (args, expected) in cases {
        // assert_cmd's pipe_stdin would read all of /dev/zero first: hand
        // the device itself to the child, under coreutils' timeout.
        let started = Instant::now();
        let output = std::process::Command::new("timeout")
            .arg(WATCHDOG.as_secs().to_string())
            .arg(assert_cmd::cargo::cargo_bin("stockade"))
            .args(*args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdin(fs::File::open("/dev/zero").unwrap())
            .output()
            .unwrap();
        let what = args.join(" ");
        assert_quick(&output, started.elapsed(), 2, &what);
        let said = format!("{}{}", stdout(&output), stderr(&output));
        assert!(said.contains(expected), "{what}: {said}");
    }
}
