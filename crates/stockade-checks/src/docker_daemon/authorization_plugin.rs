use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

pub static DAEMON_AUTHORIZATION_PLUGIN_MISSING: Check = Check {
    meta: CheckMeta {
        id: "daemon-authorization-plugin-missing",
        title: "Authorization for Docker client commands is enabled",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Repudiation],
        cis: &[
            CisRef::docker_until("2.11", "1.13.0", "1.2.0"),
            CisRef::docker("2.12", "1.3.1"),
        ],
        rationale: "Without an authorization plugin, anyone who can reach the Engine API can do everything it offers, including privileged containers and host mounts. A plugin enforces per-user rules and records who asked for what.",
        audit: "Reads GET /info Plugins.Authorization (the plugins the running daemon uses). Without the Engine API, reads --authorization-plugin or \"authorization-plugins\".",
        remediation: "Install an authorization plugin (for example Open Policy Agent's opa-docker-authz), list it in \"authorization-plugins\" in daemon.json, and restart dockerd.",
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
    let expected = "at least one authorization plugin";
    if let Ok(plugins) = docker.info("/Plugins/Authorization") {
        let names: Vec<&str> = plugins
            .and_then(Value::as_array)
            .map(|p| p.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        return vec![if names.is_empty() {
            Finding::fail(
                meta,
                "no authorization plugin: every API client can do everything",
            )
            .evidence(api_evidence(
                "/info",
                "Plugins.Authorization",
                "null",
                expected,
            ))
        } else {
            Finding::pass(
                meta,
                format!("authorization plugin(s) in use: {}", names.join(", ")),
            )
            .evidence(api_evidence(
                "/info",
                "Plugins.Authorization",
                names.join(", "),
                expected,
            ))
        }];
    }
    match docker.list_setting("authorization-plugin", "authorization-plugins") {
        Err(reason) => vec![Finding::error(meta, reason)],
        Ok(plugins) if plugins.is_empty() => vec![
            Finding::fail(meta, "no authorization plugin is configured").evidence(
                docker.unset_evidence(
                    "authorization-plugin",
                    "authorization-plugins",
                    "none",
                    expected,
                ),
            ),
        ],
        Ok(plugins) => vec![
            Finding::pass(meta, "an authorization plugin is configured")
                .evidences(plugins.iter().map(|p| docker.evidence(p, expected))),
        ],
    }
}
