use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup, api_evidence};

pub static DAEMON_USERNS_REMAP_DISABLED: Check = Check {
    meta: CheckMeta {
        id: "daemon-userns-remap-disabled",
        title: "User namespace remapping is enabled",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("2.8", "1.13.0", "1.2.0"),
            CisRef::docker("2.9", "1.3.1"),
        ],
        rationale: "Without remapping, root in a container is uid 0 on the host: a process that escapes the container, or writes through a bind mount, acts as host root. Remapping makes it an unprivileged uid on the host.",
        audit: "Reads GET /info SecurityOptions for `name=userns` (what the running daemon applies). Without the Engine API, reads --userns-remap or \"userns-remap\".",
        remediation: "Set \"userns-remap\": \"default\" in daemon.json (dockerd creates the dockremap user and its /etc/subuid and /etc/subgid ranges) and restart dockerd. Existing images are pulled again under the remapped root; containers needing host namespaces must opt out with --userns=host.",
        fix: stockade_core::meta::FixAvailability::Sometimes,
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "user namespace remapping (userns-remap)";
    if let Ok(Some(options)) = docker
        .info("/SecurityOptions")
        .map(|o| o.and_then(Value::as_array))
    {
        let options: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
        let observed = options.join(" ");
        return vec![if options.iter().any(|o| o.contains("name=userns")) {
            Finding::pass(
                meta,
                "container root is remapped to an unprivileged host user",
            )
            .evidence(api_evidence("/info", "SecurityOptions", observed, expected))
        } else if options.iter().any(|o| o.contains("name=rootless")) {
            Finding::pass(
                meta,
                "the daemon runs rootless: container root is the unprivileged user running dockerd",
            )
            .evidence(api_evidence("/info", "SecurityOptions", observed, expected))
        } else {
            Finding::fail(
                meta,
                "container root is host root (no user namespace remapping)",
            )
            .evidence(api_evidence("/info", "SecurityOptions", observed, expected))
        }];
    }
    vec![match docker.setting("userns-remap", "userns-remap") {
        Lookup::Unknown(reason) => Finding::error(meta, reason),
        Lookup::Set(setting) if setting.value.as_str().is_some_and(|v| !v.is_empty()) => {
            Finding::pass(meta, "user namespace remapping is configured")
                .evidence(docker.evidence(&setting, expected))
        }
        Lookup::Set(setting) => {
            Finding::fail(meta, "user namespace remapping is set to an empty value")
                .evidence(docker.evidence(&setting, expected))
        }
        Lookup::Unset => Finding::fail(
            meta,
            "container root is host root (no user namespace remapping)",
        )
        .evidence(docker.unset_evidence("userns-remap", "userns-remap", "off", expected)),
    }]
}
