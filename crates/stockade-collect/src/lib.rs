//! Gathers what stockade judges into a [`Snapshot`].
//!
//! Collection never writes anything and never sends anything but `GET` to
//! the Docker Engine API. A fact that cannot be gathered is recorded with its
//! reason; collection itself does not fail.

pub mod audit;
pub mod bounded;
pub mod container_procs;
pub mod content_trust;
pub mod deadline;
pub mod docker;
pub mod dockerd_process;
pub mod engine;
pub mod fs;
pub mod host;
pub mod http;
pub mod kubernetes;
pub mod parallel;
pub mod process;
pub mod vantage;
pub mod workload;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use stockade_core::snapshot::{HostFacts, SCHEMA_VERSION, Snapshot};

use crate::fs::HostFs;

/// What to collect and from where.
#[derive(Clone, Debug)]
pub struct CollectOptions {
    /// The audited host's filesystem root (`/` for this machine).
    pub host_root: PathBuf,
    /// The Engine API endpoint; `None` for the host's default socket.
    pub docker_endpoint: Option<String>,
    /// Limit for each request and each external command.
    pub timeout: Duration,
    /// Whether to collect Docker facts at all.
    pub docker: bool,
    /// Whether to collect Kubernetes node facts.
    pub kubernetes: bool,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            host_root: PathBuf::from("/"),
            docker_endpoint: None,
            timeout: Duration::from_secs(10),
            docker: true,
            kubernetes: true,
        }
    }
}

/// Collects a snapshot of the audited host.
pub fn collect(options: &CollectOptions) -> Snapshot {
    let host = HostFs::new(&options.host_root);
    let (host_facts, docker, kubernetes) = std::thread::scope(|scope| {
        let docker = scope.spawn(|| {
            options.docker.then(|| {
                docker::collect(&host, options.docker_endpoint.as_deref(), options.timeout)
            })
        });
        let kubernetes = scope.spawn(|| options.kubernetes.then(|| kubernetes::collect(&host)));
        let facts = HostFacts {
            root: options.host_root.to_string_lossy().into_owned(),
            live: host.sees_live_host(),
            hostname: host::hostname(&host),
            os: host::os_name(&host),
            kernel: host::kernel(&host),
            mounts: host::mounts(&host),
            audit: audit::collect(&host, options.timeout),
            docker_group: host::docker_group(&host),
            security_modules: host::security_modules(&host),
        };
        (
            facts,
            docker.join().ok().flatten(),
            kubernetes.join().ok().flatten(),
        )
    });
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collector: format!("stockade {}", env!("CARGO_PKG_VERSION")),
        collected_at: rfc3339(SystemTime::now()),
        host: host_facts,
        docker,
        kubernetes,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a point in time.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_000_000)),
            "2026-11-18T11:06:40Z"
        );
    }
}
