//! Support for stockade's tests against real components.
//!
//! [`TestDaemon`] starts a throwaway `dockerd` with its own data root, exec
//! root, pidfile, socket and `--config-file` in a temporary directory, inside
//! a private network namespace, so it can run with iptables (needed for
//! `icc=false`) without touching the host's firewall or bridges, and several
//! can run at once. Tests use it only as root with `dockerd` installed; with
//! `STOCKADE_REQUIRE_LIVE=1` a daemon that cannot start fails the test
//! instead of skipping it.
//!
//! [`TestEtcd`] starts Debian's etcd on free 127.0.0.1 ports with its own
//! data directory, in plain HTTP or with TLS and client-certificate
//! authentication on certificates generated with openssl.
//! Test images come from no registry: [`TestDaemon::import_busybox`] imports
//! a root filesystem holding a static busybox, and
//! [`TestDaemon::build_image`] builds on top of it.

#![allow(clippy::print_stderr)]

mod daemon;
mod etcd;

pub use daemon::{TestDaemon, live_or_skip};
pub use etcd::{EtcdMode, TestEtcd, etcd_or_skip};
mod images;
pub use images::busybox;

/// Stops a child with SIGTERM, then SIGKILL once `grace` has passed.
fn terminate(child: &mut std::process::Child, grace: std::time::Duration) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return,
            _ if started.elapsed() > grace => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(25)),
        }
    }
}
