//! dockerd's configuration (CIS Docker section 2).
//!
//! The effective configuration is what the running daemon reports through
//! the Engine API where it reports it (GET /info, GET /networks/bridge),
//! otherwise the command line of the dockerd serving the audited socket plus
//! the daemon.json it reads. A malformed or unreadable daemon.json, or an
//! unknown command line, makes these checks say `error`, never `pass`.

mod aufs;
mod authorization_plugin;
mod cgroup_parent;
mod default_ulimit;
mod experimental;
mod icc;
mod insecure_registry;
mod iptables;
mod live_restore;
mod log_level;
mod logging_driver;
mod no_new_privileges;
mod rootless;
mod seccomp;
mod storage_base_size;
mod tls;
mod userland_proxy;
mod userns;

pub use aufs::DAEMON_AUFS_STORAGE_DRIVER;
pub use authorization_plugin::DAEMON_AUTHORIZATION_PLUGIN_MISSING;
pub use cgroup_parent::DAEMON_CGROUP_PARENT_CHANGED;
pub use default_ulimit::DAEMON_DEFAULT_ULIMIT_UNSET;
pub use experimental::DAEMON_EXPERIMENTAL_ENABLED;
pub use icc::DAEMON_ICC_ENABLED;
pub use insecure_registry::DAEMON_INSECURE_REGISTRY;
pub use iptables::DAEMON_IPTABLES_DISABLED;
pub use live_restore::DAEMON_LIVE_RESTORE_DISABLED;
pub use log_level::DAEMON_LOG_LEVEL_NOT_INFO;
pub use logging_driver::DAEMON_LOGS_NOT_CENTRALIZED;
pub use no_new_privileges::DAEMON_NO_NEW_PRIVILEGES_DISABLED;
pub use rootless::DAEMON_RUNS_AS_ROOT;
pub use seccomp::DAEMON_SECCOMP_PROFILE_MISSING;
pub use storage_base_size::DAEMON_BASE_DEVICE_SIZE_CHANGED;
pub use tls::DAEMON_TCP_WITHOUT_TLS;
pub use userland_proxy::DAEMON_USERLAND_PROXY_ENABLED;
pub use userns::DAEMON_USERNS_REMAP_DISABLED;

use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};
use stockade_core::{Finding, Severity};

use crate::context::DockerView;

/// Fields every daemon check shares.
const DAEMON_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "docker_daemon",
    scope: Scope::Daemon,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::Always,
};

/// How a boolean daemon setting is judged.
struct BoolControl<'a> {
    flag: &'a str,
    key: &'a str,
    /// The value dockerd uses when the setting is absent.
    default: bool,
    /// The value the control wants.
    secure: bool,
    /// Message when the effective value is the secure one.
    pass: &'a str,
    /// Message when it is not.
    fail: &'a str,
}

/// Judges a boolean setting that only dockerd's command line and
/// daemon.json can show.
fn judge_bool(meta: &CheckMeta, docker: &DockerView<'_>, control: &BoolControl<'_>) -> Finding {
    let expected = format!(
        "{} (--{}={} or \"{}\": {})",
        if control.secure {
            "enabled"
        } else {
            "disabled"
        },
        control.flag,
        control.secure,
        control.key,
        control.secure
    );
    match docker.bool_setting(control.flag, control.key) {
        Err(reason) => Finding::error(meta, reason),
        Ok(Some((value, setting))) => {
            let evidence = docker.evidence(&setting, &expected);
            if value == control.secure {
                Finding::pass(meta, control.pass).evidence(evidence)
            } else {
                Finding::fail(meta, control.fail).evidence(evidence)
            }
        }
        Ok(None) => {
            let evidence = docker.unset_evidence(
                control.flag,
                control.key,
                &control.default.to_string(),
                &expected,
            );
            if control.default == control.secure {
                Finding::pass(meta, control.pass).evidence(evidence)
            } else {
                Finding::fail(meta, format!("{} (the default)", control.fail)).evidence(evidence)
            }
        }
    }
}

/// `Err(error finding)` when the Engine API is not available.
fn require_engine<'a>(
    meta: &CheckMeta,
    docker: &DockerView<'a>,
) -> Result<&'a stockade_core::snapshot::Engine, Finding> {
    docker
        .engine()
        .map_err(|reason| Finding::error(meta, format!("the Engine API is unavailable: {reason}")))
}
