use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup};

pub static DAEMON_DEFAULT_ULIMIT_UNSET: Check = Check {
    meta: CheckMeta {
        id: "daemon-default-ulimit-unset",
        title: "A default ulimit is configured for containers",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        mode: CheckMode::Automated,
        cis: &[
            CisRef::docker_until("2.7", "1.13.0", "1.2.0"),
            CisRef::docker("2.8", "1.3.1"),
        ],
        rationale: "Without a daemon-wide default, containers inherit dockerd's own limits, which distributions set very high (LimitNOFILE=1048576, LimitNPROC=infinity), so one container can exhaust file descriptors or processes for the host.",
        audit: "Reads --default-ulimit from dockerd's command line or \"default-ulimits\" from daemon.json. Absent is reported as warn: whether a default fits your workloads is a judgement call.",
        remediation: "Set defaults in daemon.json, e.g. \"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Soft\": 64000, \"Hard\": 64000}, \"nproc\": {\"Name\": \"nproc\", \"Soft\": 4096, \"Hard\": 4096}}, and restart dockerd.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "default ulimits for nofile and nproc";
    vec![match docker.setting("default-ulimit", "default-ulimits") {
        Lookup::Unknown(reason) => Finding::error(meta, reason),
        Lookup::Set(setting)
            if !matches!(&setting.value, Value::Object(m) if m.is_empty())
                && setting.value != Value::Null =>
        {
            Finding::pass(meta, "default ulimits are configured")
                .evidence(docker.evidence(&setting, expected))
        }
        Lookup::Set(setting) => Finding::warn(
            meta,
            "the default ulimits are empty: containers inherit dockerd's limits",
        )
        .evidence(docker.evidence(&setting, expected)),
        Lookup::Unset => Finding::warn(
            meta,
            "no default ulimit is configured: containers inherit dockerd's limits",
        )
        .evidence(docker.unset_evidence(
            "default-ulimit",
            "default-ulimits",
            "dockerd's own limits",
            expected,
        )),
    }]
}
