use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::{BoolControl, DAEMON_CHECK, judge_bool};
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

pub static DAEMON_EXPERIMENTAL_ENABLED: Check = Check {
    meta: CheckMeta {
        id: "daemon-experimental-enabled",
        title: "Experimental features are not enabled in production",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService, Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("2.21", "1.13.0", "1.13.0"),
            CisRef::docker_until("2.17", "1.1.0", "1.1.0"),
            CisRef::docker_until("2.16", "1.2.0", "1.2.0"),
            CisRef::docker("2.18", "1.3.1"),
        ],
        rationale: "Experimental features are unfinished and less reviewed; their behaviour and security properties can change without notice.",
        audit: "Reads GET /version Experimental (what the running daemon reports); without the Engine API, --experimental or \"experimental\" (default: false).",
        remediation: "Remove \"experimental\": true from daemon.json and --experimental from dockerd's flags, then restart dockerd.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    if let Ok(engine) = docker.engine() {
        let experimental = engine
            .version
            .get("Experimental")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let evidence = api_evidence(
            "/version",
            "Experimental",
            experimental.to_string(),
            "false",
        );
        return vec![if experimental {
            Finding::fail(meta, "the daemon runs with experimental features enabled")
                .evidence(evidence)
        } else {
            Finding::pass(meta, "experimental features are off").evidence(evidence)
        }];
    }
    vec![judge_bool(
        meta,
        docker,
        &BoolControl {
            flag: "experimental",
            key: "experimental",
            default: false,
            secure: false,
            pass: "experimental features are off",
            fail: "the daemon is configured with experimental features",
        },
    )]
}
