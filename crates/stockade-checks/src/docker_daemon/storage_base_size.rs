use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::HostContext;

pub static DAEMON_BASE_DEVICE_SIZE_CHANGED: Check = Check {
    meta: CheckMeta {
        id: "daemon-base-device-size-changed",
        title: "The base device size is left unchanged unless needed",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("2.10", "1.13.0", "1.2.0"),
            CisRef::docker("2.11", "1.3.1"),
        ],
        rationale: "Raising dm.basesize lets every container image and writable layer grow larger, so a few containers can fill the storage pool.",
        audit: "Looks for `dm.basesize` in --storage-opt flags or daemon.json \"storage-opts\". A value is reported as warn for a human to confirm.",
        remediation: "Remove dm.basesize from \"storage-opts\" unless images need it, and restart dockerd.",
        fix: stockade_core::meta::FixAvailability::None,
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "no dm.basesize";
    match docker.list_setting("storage-opt", "storage-opts") {
        Err(reason) => vec![Finding::error(meta, reason)],
        Ok(options) => {
            let changed: Vec<_> = options
                .iter()
                .filter(|o| {
                    o.value
                        .as_str()
                        .is_some_and(|v| v.trim_start().starts_with("dm.basesize"))
                })
                .collect();
            if changed.is_empty() {
                vec![
                    Finding::pass(meta, "the base device size is the default").evidence(
                        docker.unset_evidence(
                            "storage-opt",
                            "storage-opts",
                            "no dm.basesize",
                            expected,
                        ),
                    ),
                ]
            } else {
                vec![
                    Finding::warn(
                        meta,
                        "the base device size is changed: confirm images need it",
                    )
                    .evidences(changed.iter().map(|s| docker.evidence(s, expected))),
                ]
            }
        }
    }
}
