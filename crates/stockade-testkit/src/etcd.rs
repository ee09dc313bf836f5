//! A real etcd (Debian's `etcd-server`) on 127.0.0.1, with its own data
//! directory and ports, in plain HTTP or with TLS and client-certificate
//! authentication on certificates generated for the test.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How the test etcd talks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EtcdMode {
    /// http:// client and peer URLs, no certificates.
    Plain,
    /// https:// client and peer URLs, client and peer certificate
    /// authentication against a CA made for the test.
    Tls,
}

/// An etcd started for one test, stopped and removed on drop.
pub struct TestEtcd {
    dir: tempfile::TempDir,
    child: Option<Child>,
    mode: EtcdMode,
    client_port: u16,
}

/// Starts etcd, or explains why not: skips the test (returns `None`) unless
/// `STOCKADE_REQUIRE_LIVE=1`, in which case it panics.
pub fn etcd_or_skip(mode: EtcdMode) -> Option<TestEtcd> {
    match TestEtcd::start(mode) {
        Ok(etcd) => Some(etcd),
        Err(reason) if super::daemon::live_required() => {
            panic!("STOCKADE_REQUIRE_LIVE=1 but no test etcd: {reason}")
        }
        Err(reason) => {
            eprintln!("skipped: no test etcd ({reason})");
            None
        }
    }
}

impl TestEtcd {
    pub fn start(mode: EtcdMode) -> Result<TestEtcd, String> {
        for tool in [etcd_binary().as_str(), "openssl", "curl"] {
            if !on_path(tool) {
                return Err(format!(
                    "`{tool}` is not installed (Debian: etcd-server, openssl, curl)"
                ));
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("stockade-etcd.")
            .tempdir_in("/tmp")
            .map_err(|e| format!("temp dir: {e}"))?;
        if mode == EtcdMode::Tls {
            make_certificates(dir.path())?;
        }
        let (client_port, peer_port) = (free_port()?, free_port()?);
        let scheme = match mode {
            EtcdMode::Plain => "http",
            EtcdMode::Tls => "https",
        };
        let client = format!("{scheme}://127.0.0.1:{client_port}");
        let peer = format!("{scheme}://127.0.0.1:{peer_port}");
        let mut command = Command::new(etcd_binary());
        command
            .arg("--name=stockade-test")
            .arg(format!("--data-dir={}", dir.path().join("data").display()))
            .arg(format!("--listen-client-urls={client}"))
            .arg(format!("--advertise-client-urls={client}"))
            .arg(format!("--listen-peer-urls={peer}"))
            .arg(format!("--initial-advertise-peer-urls={peer}"))
            .arg(format!("--initial-cluster=stockade-test={peer}"));
        if mode == EtcdMode::Tls {
            let path = |name: &str| dir.path().join(name).display().to_string();
            command
                .arg(format!("--cert-file={}", path("server.crt")))
                .arg(format!("--key-file={}", path("server.key")))
                .arg("--client-cert-auth=true")
                .arg(format!("--trusted-ca-file={}", path("ca.crt")))
                .arg(format!("--peer-cert-file={}", path("server.crt")))
                .arg(format!("--peer-key-file={}", path("server.key")))
                .arg("--peer-client-cert-auth=true")
                .arg(format!("--peer-trusted-ca-file={}", path("ca.crt")));
        }
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("ETCD_")) {
            command.env_remove(name);
        }
        let log = fs::File::create(dir.path().join("etcd.log")).map_err(|e| format!("log: {e}"))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start etcd: {e}"))?;
        let mut etcd = TestEtcd {
            dir,
            child: Some(child),
            mode,
            client_port,
        };
        etcd.wait_healthy()?;
        Ok(etcd)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `GET /health` through curl, with the test's client certificate in TLS mode.
    fn healthy(&self) -> bool {
        let mut curl = Command::new("curl");
        curl.args(["-sf", "--max-time", "2"]);
        let url = match self.mode {
            EtcdMode::Plain => format!("http://127.0.0.1:{}/health", self.client_port),
            EtcdMode::Tls => {
                let path = |name: &str| self.dir.path().join(name);
                curl.arg("--cacert")
                    .arg(path("ca.crt"))
                    .arg("--cert")
                    .arg(path("server.crt"))
                    .arg("--key")
                    .arg(path("server.key"));
                format!("https://127.0.0.1:{}/health", self.client_port)
            }
        };
        curl.arg(url).output().is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("true")
        })
    }

    fn wait_healthy(&mut self) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(format!("etcd exited with {status}: {}", self.log_tail()));
            }
            if self.healthy() {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "etcd was not healthy within 30 s: {}",
            self.log_tail()
        ))
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.path().join("etcd.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().rev().take(3).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }
}

impl Drop for TestEtcd {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        crate::terminate(&mut child, Duration::from_secs(10));
    }
}

/// The etcd binary: `STOCKADE_ETCD`, else the one on PATH.
fn etcd_binary() -> String {
    std::env::var("STOCKADE_ETCD").unwrap_or_else(|_| "etcd".to_owned())
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A port free on 127.0.0.1 right now.
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// A CA and one certificate for 127.0.0.1 usable as server, peer and client.
fn make_certificates(dir: &Path) -> Result<(), String> {
    let path = |name: &str| -> PathBuf { dir.join(name) };
    fs::write(
        path("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .map_err(|e| e.to_string())?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                "1",
                "-subj",
                "/CN=stockade test CA",
            ],
        ]
        .concat(),
    )?;
    openssl(
        dir,
        &[
            &["req"],
            &ec[..],
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat(),
    )?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
        ],
    )
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
