use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Location};
use stockade_core::meta::{CheckMeta, FixAvailability, Scope, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::{Finding, Severity};

use super::IMAGE_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup};

pub static CONTENT_TRUST_DISABLED: Check = Check {
    meta: CheckMeta {
        id: "content-trust-disabled",
        title: "Docker content trust is enabled",
        scope: Scope::Host,
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::Spoofing],
        cis: &[CisRef::docker("4.5", "1.13.0")],
        rationale: "Without content trust, `docker pull` and `docker run` accept whatever image a registry (or someone between it and the host) serves under a tag. With DOCKER_CONTENT_TRUST=1 the client refuses images whose tag is not signed.",
        audit: "Content trust is a client setting. Passes when DOCKER_CONTENT_TRUST is 1 (or true) in the environment stockade runs in, in /etc/environment or in /etc/profile.d/*.sh (every login session), or when daemon.json enforces it (\"content-trust\": {\"mode\": \"enforced\"}, Mirantis Container Runtime). Fails otherwise; a value that turns it off is shown.",
        remediation: "Add DOCKER_CONTENT_TRUST=1 to /etc/environment (and to the environment of CI jobs and services that pull images), and sign the images you publish (`docker trust sign`).",
        fix: FixAvailability::Always,
        ..IMAGE_CHECK
    },
    runner: Runner::Host(run),
};

fn enabled(value: &str) -> bool {
    matches!(value.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True")
}

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "DOCKER_CONTENT_TRUST=1";
    if let Lookup::Set(setting) = docker.setting("content-trust", "content-trust")
        && setting.value.pointer("/mode").and_then(Value::as_str) == Some("enforced")
    {
        return vec![
            Finding::pass(meta, "the daemon enforces content trust")
                .evidence(docker.evidence(&setting, "\"content-trust\": {\"mode\": \"enforced\"}")),
        ];
    }
    let trust = match &docker.facts.content_trust {
        Probe::Ok(trust) => trust,
        Probe::Error(reason) => {
            return vec![Finding::error(
                meta,
                format!("content-trust settings were not collected: {reason}"),
            )];
        }
    };
    let mut evidence = Vec::new();
    let mut on = false;
    if let Some(value) = &trust.auditing_environment {
        on |= enabled(value);
        evidence.push(
            Evidence::observed(format!("DOCKER_CONTENT_TRUST={value}"))
                .expected(expected)
                .at(Location::Environment {
                    variable: "DOCKER_CONTENT_TRUST".to_owned(),
                }),
        );
    }
    for assignment in &trust.files {
        on |= enabled(&assignment.value);
        evidence.push(
            Evidence::observed(format!("DOCKER_CONTENT_TRUST={}", assignment.value))
                .expected(expected)
                .at(Location::file_at(
                    assignment.path.clone(),
                    assignment.line,
                    1,
                )),
        );
    }
    if on {
        return vec![
            Finding::pass(meta, "content trust is enabled for image pulls").evidences(evidence),
        ];
    }
    if evidence.is_empty() {
        evidence.push(
            Evidence::observed("DOCKER_CONTENT_TRUST is unset in stockade's environment, /etc/environment and /etc/profile.d")
                .expected(expected),
        );
    }
    vec![
        Finding::fail(
            meta,
            "images are pulled and run without signature verification",
        )
        .evidences(evidence),
    ]
}
