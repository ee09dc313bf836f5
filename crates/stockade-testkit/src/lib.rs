//! Support for stockade's tests against real components.
//!
//! [`TestDaemon`] starts a throwaway `dockerd` with its own data root, exec
//! root, pidfile, socket and `--config-file` in a temporary directory, inside
//! a private network namespace, so it can run with iptables (needed for
//! `icc=false`) without touching the host's firewall or bridges, and several
//! can run at once. Tests use it only as root with `dockerd` installed; with
//! `STOCKADE_REQUIRE_LIVE=1` a daemon that cannot start fails the test
//! instead of skipping it.

#![allow(clippy::print_stderr)]

mod daemon;

pub use daemon::{TestDaemon, live_or_skip};
