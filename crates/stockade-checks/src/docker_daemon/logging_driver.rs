use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup, api_evidence};

pub static DAEMON_LOGS_NOT_CENTRALIZED: Check = Check {
    meta: CheckMeta {
        id: "daemon-logs-not-centralized",
        title: "Centralized and remote logging is configured",
        severity: Severity::Low,
        stride: &[Stride::Repudiation],
        cis: &[
            CisRef::docker_until("2.12", "1.13.0", "1.2.0"),
            CisRef::docker("2.13", "1.3.1"),
        ],
        rationale: "Logs kept only on the host are lost with the host and can be edited by whoever compromises it. Shipping them elsewhere keeps the trail an investigation needs.",
        audit: "Reads the default logging driver from GET /info (LoggingDriver); without the Engine API, --log-driver or \"log-driver\" (default: json-file). json-file, local and none keep logs on the host or drop them.",
        remediation: "Set \"log-driver\" to a driver that ships logs off the host (syslog, journald with forwarding, fluentd, gelf, awslogs, splunk...) with its \"log-opts\", and restart dockerd.",
        fix: stockade_core::meta::FixAvailability::None,
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

const LOCAL_DRIVERS: &[&str] = &["json-file", "local", "none", ""];

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let expected = "a driver that sends logs off the host";
    let judge = |driver: &str| LOCAL_DRIVERS.contains(&driver);
    if let Ok(Some(driver)) = docker
        .info("/LoggingDriver")
        .map(|d| d.and_then(Value::as_str))
    {
        let evidence = api_evidence("/info", "LoggingDriver", driver, expected);
        return vec![if judge(driver) {
            Finding::fail(
                meta,
                format!("container logs stay on the host (logging driver {driver})"),
            )
            .evidence(evidence)
        } else {
            Finding::pass(meta, format!("container logs go to the {driver} driver"))
                .evidence(evidence)
        }];
    }
    vec![match docker.setting("log-driver", "log-driver") {
        Lookup::Unknown(reason) => Finding::error(meta, reason),
        Lookup::Unset => Finding::fail(
            meta,
            "container logs stay on the host (json-file, the default)",
        )
        .evidence(docker.unset_evidence("log-driver", "log-driver", "json-file", expected)),
        Lookup::Set(setting) => {
            let evidence = docker.evidence(&setting, expected);
            let Some(driver) = setting.value.as_str() else {
                return vec![
                    Finding::fail(
                        meta,
                        super::log_level::not_a_name("log-driver", &setting.value),
                    )
                    .evidence(evidence),
                ];
            };
            if judge(driver) {
                Finding::fail(
                    meta,
                    format!("container logs stay on the host (logging driver {driver})"),
                )
                .evidence(evidence)
            } else {
                Finding::pass(meta, format!("container logs go to the {driver} driver"))
                    .evidence(evidence)
            }
        }
    }]
}
