use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::{Finding, Severity};

use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

pub static DOCKER_VERSION_OUTDATED: Check = Check {
    meta: CheckMeta {
        id: "docker-version-outdated",
        title: "Docker is kept up to date",
        family: "docker_host",
        scope: Scope::Daemon,
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("1.3", "1.13.0", "1.1.0"),
            CisRef::docker_until("1.1.2", "1.2.0", "1.2.0"),
            CisRef::docker("1.2.2", "1.3.1"),
        ],
        rationale: "Engine, containerd and runc releases fix container escapes and daemon vulnerabilities. An old engine keeps them open.",
        audit: "Reports the engine, containerd and runc versions from GET /version for comparison with the current releases of the vendor or distribution (stockade works offline and does not know today's newest release).",
        remediation: "Upgrade Docker Engine, containerd and runc from the vendor's or the distribution's repository, after testing the upgrade on a staging host.",
        fix: FixAvailability::None,
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let engine = match docker.engine() {
        Ok(engine) => engine,
        Err(reason) => {
            return vec![Finding::error(
                meta,
                format!("the Engine API is unavailable: {reason}"),
            )];
        }
    };
    let version = engine
        .version
        .get("Version")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let mut finding = Finding::manual(
        meta,
        format!("Docker Engine {version}: compare with the current release of your vendor or distribution"),
    )
    .evidence(api_evidence("/version", "Version", format!("engine {version} (API {})", engine.api_version), "a supported, patched release"));
    if let Some(components) = engine.version.get("Components").and_then(Value::as_array) {
        for component in components {
            let name = component.get("Name").and_then(Value::as_str).unwrap_or("?");
            let version = component
                .get("Version")
                .and_then(Value::as_str)
                .unwrap_or("?");
            if name != "Engine" {
                finding = finding.evidence(api_evidence(
                    "/version",
                    "Components",
                    format!("{name} {version}"),
                    "a supported, patched release",
                ));
            }
        }
    }
    vec![finding]
}
