use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::{BoolControl, DAEMON_CHECK, judge_bool};
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

pub static DAEMON_LIVE_RESTORE_DISABLED: Check = Check {
    meta: CheckMeta {
        id: "daemon-live-restore-disabled",
        title: "Live restore is enabled",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[
            CisRef::docker_until("2.14", "1.13.0", "1.1.0"),
            CisRef::docker_until("2.13", "1.2.0", "1.2.0"),
            CisRef::docker("2.15", "1.3.1"),
        ],
        rationale: "Without live restore, stopping or upgrading dockerd stops every container. That discourages prompt daemon updates and turns a daemon crash into an outage.",
        audit: "Reads GET /info LiveRestoreEnabled (what the running daemon applies); without the Engine API, --live-restore or \"live-restore\" (default: false). Not applicable in swarm mode, which does not support it.",
        remediation: "Set \"live-restore\": true in daemon.json and reload or restart dockerd.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    if let Ok(Some(Value::String(state))) = docker.info("/Swarm/LocalNodeState")
        && state == "active"
    {
        return vec![Finding::not_applicable(
            meta,
            "swarm mode is active, and it does not support live restore",
        )];
    }
    let expected = "true";
    if let Ok(Some(Value::Bool(enabled))) = docker.info("/LiveRestoreEnabled") {
        let evidence = api_evidence("/info", "LiveRestoreEnabled", enabled.to_string(), expected);
        return vec![if *enabled {
            Finding::pass(meta, "containers keep running while dockerd restarts").evidence(evidence)
        } else {
            Finding::fail(
                meta,
                "restarting dockerd stops every container (live restore is off)",
            )
            .evidence(evidence)
        }];
    }
    vec![judge_bool(
        meta,
        docker,
        &BoolControl {
            flag: "live-restore",
            key: "live-restore",
            default: false,
            secure: true,
            pass: "live restore is configured",
            fail: "restarting dockerd stops every container (live restore is off)",
        },
    )]
}
