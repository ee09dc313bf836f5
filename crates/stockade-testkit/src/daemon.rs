use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Whether live tests must run (CI) rather than skip.
pub(crate) fn live_required() -> bool {
    std::env::var("STOCKADE_REQUIRE_LIVE").is_ok_and(|v| v == "1")
}

/// Starts a daemon, or explains why not: skips the test (returns `None`)
/// unless `STOCKADE_REQUIRE_LIVE=1`, in which case it panics.
pub fn live_or_skip(config: Value) -> Option<TestDaemon> {
    match TestDaemon::start(config) {
        Ok(daemon) => Some(daemon),
        Err(reason) if live_required() => {
            panic!("STOCKADE_REQUIRE_LIVE=1 but no test dockerd: {reason}")
        }
        Err(reason) => {
            eprintln!("skipped: no test dockerd ({reason})");
            None
        }
    }
}

/// A dockerd started for one test, stopped and cleaned up on drop.
pub struct TestDaemon {
    dir: tempfile::TempDir,
    netns: String,
    child: Option<Child>,
    config: Value,
    /// The command line that starts this daemon (nsenter … dockerd …).
    command_line: Vec<String>,
}

impl TestDaemon {
    /// Starts dockerd with `config` as its daemon.json. A `"hosts"` key
    /// replaces the `-H unix://…` flag (dockerd refuses both); the test
    /// socket is added to it.
    pub fn start(config: Value) -> Result<TestDaemon, String> {
        preflight()?;
        let dir = tempfile::Builder::new()
            .prefix("stockade-dockerd.")
            .tempdir_in("/tmp")
            .map_err(|e| format!("temp dir: {e}"))?;
        let netns = format!(
            "stockade-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        run("ip", &["netns", "add", &netns])?;
        run(
            "ip",
            &["netns", "exec", &netns, "ip", "link", "set", "lo", "up"],
        )?;
        let mut daemon = TestDaemon {
            dir,
            netns,
            child: None,
            config,
            command_line: Vec::new(),
        };
        daemon.launch()?;
        Ok(daemon)
    }

    /// Stops the daemon, writes a new daemon.json, starts it again on the
    /// same data root.
    pub fn restart(&mut self, config: Value) -> Result<(), String> {
        self.stop();
        self.config = config;
        self.launch()
    }

    /// `unix:///tmp/.../docker.sock`.
    pub fn socket_url(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("docker.sock")
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("daemon.json")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Runs the docker CLI against this daemon.
    pub fn docker(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .env("DOCKER_HOST", self.socket_url())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("docker {args:?}: {e}"))
    }

    fn launch(&mut self) -> Result<(), String> {
        let dir = self.dir.path();
        let socket = format!("unix://{}", dir.join("docker.sock").display());
        let mut config = self.config.clone();
        let hosts_in_config = config.get("hosts").is_some();
        if let Some(hosts) = config.get_mut("hosts").and_then(Value::as_array_mut)
            && !hosts.iter().any(|h| h.as_str() == Some(socket.as_str()))
        {
            hosts.insert(0, Value::String(socket.clone()));
        }
        fs::write(
            dir.join("daemon.json"),
            serde_json::to_vec_pretty(&config).unwrap_or_default(),
        )
        .map_err(|e| format!("daemon.json: {e}"))?;
        let _ = fs::remove_file(dir.join("docker.sock"));
        let log = fs::File::create(dir.join("dockerd.log")).map_err(|e| format!("log: {e}"))?;
        let mut command = Command::new("nsenter");
        command
            .arg(format!("--net=/run/netns/{}", self.netns))
            .arg(dockerd())
            .arg(format!("--data-root={}", dir.join("data").display()))
            .arg(format!("--exec-root={}", dir.join("exec").display()))
            .arg(format!("--pidfile={}", dir.join("dockerd.pid").display()))
            .arg(format!(
                "--config-file={}",
                dir.join("daemon.json").display()
            ));
        if !hosts_in_config {
            command.arg(format!("--host={socket}"));
        }
        self.command_line = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start dockerd: {e}"))?;
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(format!("dockerd exited with {status}: {}", self.log_tail()));
            }
            let ping = Command::new("curl")
                .args(["-sf", "--max-time", "2", "--unix-socket"])
                .arg(self.socket())
                .arg("http://docker/_ping")
                .output();
            if ping.is_ok_and(|o| o.status.success()) {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "dockerd did not answer within 60 s: {}",
            self.log_tail()
        ))
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.path().join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().rev().take(5).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    /// A shell script that restarts this daemon the way a service manager
    /// would (stop, start again with the same command line), for tools
    /// that take a restart command.
    pub fn restart_script(&self) -> PathBuf {
        let dir = self.dir.path();
        let pidfile = dir.join("dockerd.pid");
        let quoted: Vec<String> = self
            .command_line
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        let script = format!(
            "#!/bin/sh\npid=$(cat '{pid}' 2>/dev/null)\nif [ -n \"$pid\" ]; then kill -TERM \"$pid\"; while [ -e /proc/$pid ] && [ \"$(sed 's/.*) //' /proc/$pid/stat | cut -c1)\" != Z ]; do sleep 0.1; done; fi\nsetsid {cmd} >>'{log}' 2>&1 </dev/null &\n",
            pid = pidfile.display(),
            cmd = quoted.join(" "),
            log = dir.join("dockerd.log").display()
        );
        let path = dir.join("restart.sh");
        let _ = fs::write(&path, script);
        let _ = Command::new("chmod").args(["755"]).arg(&path).status();
        path
    }

    fn stop(&mut self) {
        // A daemon restarted by `restart_script` is not our child: stop it by pid.
        if let Ok(pid) = fs::read_to_string(self.dir.path().join("dockerd.pid")) {
            let pid = pid.trim().to_owned();
            if self
                .child
                .as_ref()
                .is_none_or(|c| c.id().to_string() != pid)
                && !pid.is_empty()
            {
                let _ = Command::new("kill").args(["-TERM", &pid]).status();
                let started = Instant::now();
                while is_running(&pid) && started.elapsed() < Duration::from_secs(20) {
                    thread::sleep(Duration::from_millis(25));
                }
            }
        }
        let Some(mut child) = self.child.take() else {
            unmount_below(self.dir.path());
            return;
        };
        crate::terminate(&mut child, Duration::from_secs(20));
        unmount_below(self.dir.path());
    }
}

impl Drop for TestDaemon {
    fn drop(&mut self) {
        self.stop();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.netns])
            .status();
    }
}

/// Whether a process runs (a zombie waiting for its reaper does not count).
fn is_running(pid: &str) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .is_some_and(|zombie| !zombie)
}

/// The dockerd binary: `STOCKADE_DOCKERD`, else the one on PATH.
fn dockerd() -> String {
    std::env::var("STOCKADE_DOCKERD").unwrap_or_else(|_| "dockerd".to_owned())
}

fn preflight() -> Result<(), String> {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0");
    if !root {
        return Err("not running as root".to_owned());
    }
    for tool in [dockerd().as_str(), "nsenter", "ip", "curl"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Err(format!("`{tool}` is not installed"));
        }
    }
    Ok(())
}

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Lazily unmounts everything mounted below `dir` (deepest first), so the
/// temporary directory can be removed after dockerd exits.
fn unmount_below(dir: &Path) {
    let prefix = dir.to_string_lossy().into_owned();
    let table = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<String> = table
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| p.starts_with(&prefix))
        .map(str::to_owned)
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for point in points {
        let _ = Command::new("umount").args(["-l", &point]).status();
    }
}
