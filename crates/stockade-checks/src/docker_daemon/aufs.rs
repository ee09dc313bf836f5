use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup, api_evidence};

pub static DAEMON_AUFS_STORAGE_DRIVER: Check = Check {
    meta: CheckMeta {
        id: "daemon-aufs-storage-driver",
        title: "The aufs storage driver is not used",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService, Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("2.5", "1.13.0", "1.2.0"),
            CisRef::docker("2.6", "1.3.1"),
        ],
        rationale: "aufs is unmaintained, missing from current kernels and removed from Docker; it has caused kernel crashes and security bugs that will not be fixed.",
        audit: "Reads the driver in use from GET /info (Driver). Without the Engine API, reads --storage-driver (-s) or \"storage-driver\".",
        remediation: "Switch to overlay2: set \"storage-driver\": \"overlay2\" in daemon.json and restart dockerd (images and containers stored with aufs must be re-pulled or migrated).",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "any driver but aufs (overlay2)";
    if let Ok(Some(driver)) = docker.info("/Driver").map(|d| d.and_then(Value::as_str)) {
        let evidence = api_evidence("/info", "Driver", driver, expected);
        return vec![if driver == "aufs" {
            Finding::fail(meta, "the daemon stores images with the aufs driver").evidence(evidence)
        } else {
            Finding::pass(meta, format!("the storage driver is {driver}")).evidence(evidence)
        }];
    }
    vec![match docker.setting("storage-driver", "storage-driver") {
        Lookup::Unknown(reason) => Finding::error(meta, reason),
        Lookup::Unset => Finding::error(
            meta,
            "no storage driver is configured and the Engine API, which reports the one dockerd chose, is unavailable",
        ),
        Lookup::Set(setting) => {
            let evidence = docker.evidence(&setting, expected);
            if setting.value.as_str() == Some("aufs") {
                Finding::fail(meta, "the daemon is configured for the aufs driver")
                    .evidence(evidence)
            } else {
                Finding::pass(
                    meta,
                    "the daemon is configured for a driver other than aufs",
                )
                .evidence(evidence)
            }
        }
    }]
}
