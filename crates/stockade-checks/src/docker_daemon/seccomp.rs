use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity};

use super::{DAEMON_CHECK, require_engine};
use crate::check::{Check, Runner};
use crate::context::{HostContext, Lookup, api_evidence};

pub static DAEMON_SECCOMP_PROFILE_MISSING: Check = Check {
    meta: CheckMeta {
        id: "daemon-seccomp-profile-missing",
        title: "A daemon-wide seccomp profile is applied",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::docker_until("2.20", "1.13.0", "1.13.0"),
            CisRef::docker_until("2.16", "1.1.0", "1.1.0"),
            CisRef::docker_until("2.15", "1.2.0", "1.2.0"),
            CisRef::docker("2.17", "1.3.1"),
        ],
        rationale: "Seccomp blocks the system calls containers have no business making (kernel module loading, kexec, keyring and mount calls...). Without it, every kernel bug reachable through those calls is a container escape.",
        audit: "Reads GET /info SecurityOptions: `name=seccomp,profile=default` or `builtin` (Docker's profile) or a custom profile pass; `profile=unconfined` or no seccomp entry fail. Without the Engine API, reads --seccomp-profile or \"seccomp-profile\".",
        remediation: "Remove \"seccomp-profile\": \"unconfined\" from daemon.json (Docker's default profile then applies), or point it at a reviewed custom profile, and restart dockerd. The kernel must be built with CONFIG_SECCOMP.",
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
    let expected = "name=seccomp with the default or a custom profile";
    match require_engine(meta, docker) {
        Ok(engine) => {
            let options: Vec<&str> = engine
                .info
                .get("SecurityOptions")
                .and_then(Value::as_array)
                .map(|o| o.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let seccomp = options.iter().find(|o| o.contains("name=seccomp"));
            vec![match seccomp {
                None => Finding::fail(
                    meta,
                    "seccomp is not in use: the kernel or the daemon does not support it",
                )
                .evidence(api_evidence(
                    "/info",
                    "SecurityOptions",
                    options.join(" "),
                    expected,
                )),
                Some(option) => {
                    let profile = option
                        .split(',')
                        .find_map(|part| part.strip_prefix("profile="))
                        .unwrap_or("default");
                    let evidence = api_evidence("/info", "SecurityOptions", *option, expected);
                    match profile {
                        "unconfined" => {
                            Finding::fail(meta, "the daemon-wide seccomp profile is unconfined")
                                .evidence(evidence)
                        }
                        "default" | "builtin" => Finding::pass(
                            meta,
                            "Docker's default seccomp profile applies to containers",
                        )
                        .evidence(evidence),
                        custom => Finding::pass(
                            meta,
                            format!("the custom seccomp profile {custom} applies to containers"),
                        )
                        .evidence(evidence),
                    }
                }
            }]
        }
        Err(error) => vec![match docker.setting("seccomp-profile", "seccomp-profile") {
            Lookup::Set(setting) if setting.value.as_str() == Some("unconfined") => {
                Finding::fail(meta, "the daemon-wide seccomp profile is unconfined")
                    .evidence(docker.evidence(&setting, expected))
            }
            _ => error,
        }],
    }
}
