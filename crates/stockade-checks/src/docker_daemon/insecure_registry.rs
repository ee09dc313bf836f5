use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

pub static DAEMON_INSECURE_REGISTRY: Check = Check {
    meta: CheckMeta {
        id: "daemon-insecure-registry",
        title: "No insecure registries are used",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::Tampering],
        cis: &[
            CisRef::docker_until("2.4", "1.13.0", "1.2.0"),
            CisRef::docker("2.5", "1.3.1"),
        ],
        rationale: "An insecure registry is reached over plain HTTP or with an unchecked certificate. Anyone on the path can serve their own images under trusted names.",
        audit: "Reads the registries the running daemon treats as insecure from GET /info (RegistryConfig: IndexConfigs with Secure=false and InsecureRegistryCIDRs), ignoring the loopback ranges dockerd always adds. Without the Engine API, reads --insecure-registry and \"insecure-registries\".",
        remediation: "Remove the entries from \"insecure-registries\" in daemon.json (and --insecure-registry flags), give those registries a TLS certificate (placed under /etc/docker/certs.d/<registry>/ca.crt when self-signed), and restart dockerd.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

/// Ranges dockerd marks insecure on its own; pulling from loopback never
/// leaves the host.
const BUILT_IN: &[&str] = &["127.0.0.0/8", "::1/128"];

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "none (besides loopback)";
    if let Ok(Some(registry)) = docker.info("/RegistryConfig") {
        let mut insecure: Vec<Evidence> = Vec::new();
        if let Some(cidrs) = registry
            .get("InsecureRegistryCIDRs")
            .and_then(Value::as_array)
        {
            for cidr in cidrs
                .iter()
                .filter_map(Value::as_str)
                .filter(|c| !BUILT_IN.contains(c))
            {
                insecure.push(api_evidence(
                    "/info",
                    "RegistryConfig.InsecureRegistryCIDRs",
                    cidr,
                    expected,
                ));
            }
        }
        if let Some(indexes) = registry.get("IndexConfigs").and_then(Value::as_object) {
            for (name, index) in indexes {
                if index.get("Secure") == Some(&Value::Bool(false)) {
                    insecure.push(api_evidence(
                        "/info",
                        &format!("RegistryConfig.IndexConfigs.{name}.Secure"),
                        format!("{name} is insecure"),
                        expected,
                    ));
                }
            }
        }
        return vec![if insecure.is_empty() {
            Finding::pass(meta, "the daemon trusts no insecure registry").evidence(api_evidence(
                "/info",
                "RegistryConfig",
                "only secure registries (and loopback)",
                expected,
            ))
        } else {
            Finding::fail(
                meta,
                format!(
                    "the daemon reaches {} registry location(s) without TLS verification",
                    insecure.len()
                ),
            )
            .evidences(insecure)
        }];
    }
    match docker.list_setting("insecure-registry", "insecure-registries") {
        Err(reason) => vec![Finding::error(meta, reason)],
        Ok(settings) => {
            let insecure: Vec<_> = settings
                .iter()
                .filter(|s| s.value.as_str().is_none_or(|v| !BUILT_IN.contains(&v)))
                .collect();
            if insecure.is_empty() {
                vec![
                    Finding::pass(meta, "no insecure registry is configured").evidence(
                        docker.unset_evidence(
                            "insecure-registry",
                            "insecure-registries",
                            "none",
                            expected,
                        ),
                    ),
                ]
            } else {
                vec![
                    Finding::fail(
                        meta,
                        format!(
                            "{} insecure registry location(s) are configured",
                            insecure.len()
                        ),
                    )
                    .evidences(insecure.iter().map(|s| docker.evidence(s, expected))),
                ]
            }
        }
    }
}
