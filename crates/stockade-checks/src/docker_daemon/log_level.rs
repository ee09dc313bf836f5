use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup, api_evidence};

pub static DAEMON_LOG_LEVEL_NOT_INFO: Check = Check {
    meta: CheckMeta {
        id: "daemon-log-level-not-info",
        title: "The daemon's log level is info",
        severity: Severity::Low,
        stride: &[Stride::Repudiation, Stride::InformationDisclosure],
        cis: &[
            CisRef::docker_until("2.2", "1.13.0", "1.2.0"),
            CisRef::docker("2.3", "1.3.1"),
        ],
        rationale: "At warn, error or fatal the daemon drops the events an investigation needs (who started what, when). At debug it floods the logs and may write sensitive request details to them.",
        audit: "Reads --log-level (-l) from dockerd's command line or \"log-level\" from daemon.json (default: info), and debug mode from --debug / \"debug\" and GET /info (Debug).",
        remediation: "Remove \"log-level\" and \"debug\" from daemon.json (or set \"log-level\": \"info\"), drop -l/--log-level and -D from dockerd's flags, and restart dockerd.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "info (or unset)";
    let mut finding = match docker.setting("log-level", "log-level") {
        Lookup::Unknown(reason) => return vec![Finding::error(meta, reason)],
        Lookup::Unset => Finding::pass(meta, "the log level is info (the default)")
            .evidence(docker.unset_evidence("log-level", "log-level", "info", expected)),
        Lookup::Set(setting) => {
            let evidence = docker.evidence(&setting, expected);
            let Some(level) = setting.value.as_str().map(str::to_ascii_lowercase) else {
                return vec![
                    Finding::fail(meta, not_a_name("log-level", &setting.value)).evidence(evidence),
                ];
            };
            if level == "info" {
                Finding::pass(meta, "the log level is info").evidence(evidence)
            } else {
                Finding::fail(meta, format!("the log level is `{level}`, not info"))
                    .evidence(evidence)
            }
        }
    };
    // Debug mode raises the level regardless of --log-level.
    if let Ok(Some(Value::Bool(true))) = docker.info("/Debug") {
        finding.status = stockade_core::Status::Fail;
        finding.message = "the daemon runs in debug mode".to_owned();
        finding = finding.evidence(api_evidence("/info", "Debug", "true", "false"));
    }
    vec![finding]
}

/// The message for a daemon.json setting that holds a number (or another
/// JSON type) where dockerd expects a name: dockerd refuses such a file.
pub(super) fn not_a_name(key: &str, value: &Value) -> String {
    format!(
        "\"{key}\" is {value} ({}), not a name: dockerd refuses to start with this daemon.json",
        match value {
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            _ => "not a string",
        }
    )
}
