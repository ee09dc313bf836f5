use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};

use super::{DOCKERFILE_CHECK, final_chain};
use crate::check::{Check, Runner};
use crate::scan::input::DockerfileInput;

pub static DOCKERFILE_NO_HEALTHCHECK: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-no-healthcheck",
        title: "The image declares a HEALTHCHECK",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[CisRef::docker("4.6", "1.13.0")],
        rationale: "Without a health check the engine only knows whether the main process exists, not whether it still serves. A hung or half-compromised container keeps receiving traffic and is never restarted.",
        audit: "Looks for a HEALTHCHECK instruction in the final stage and in the earlier stages it is built FROM. `HEALTHCHECK NONE` (which switches an inherited check off) fails too. A health check defined by the base image cannot be seen from the Dockerfile; the finding says so.",
        remediation: "Add a check that exercises the service, e.g. `HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://localhost:8080/healthz || exit 1`, or declare it in Compose/Kubernetes (healthcheck, livenessProbe).",
        fix: FixAvailability::Always,
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(run),
};

fn run(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let chain = final_chain(input.dockerfile);
    let Some(last) = chain.first() else {
        return Vec::new();
    };
    let healthcheck = chain.iter().find_map(|s| {
        s.instructions
            .iter()
            .rev()
            .find(|i| i.keyword == "HEALTHCHECK")
    });
    match healthcheck {
        Some(instruction) if instruction.args.trim().eq_ignore_ascii_case("none") => {
            vec![input.finding(
                meta,
                Status::Fail,
                "HEALTHCHECK NONE switches the health check off",
                Evidence::observed("HEALTHCHECK NONE")
                    .expected("HEALTHCHECK CMD <probe>")
                    .at(input.at(instruction)),
            )]
        }
        Some(_) => Vec::new(),
        None => vec![input.finding(
            meta,
            Status::Fail,
            "the image declares no HEALTHCHECK (one inherited from the base image is not visible here)",
            Evidence::observed(format!("no HEALTHCHECK after FROM {}", last.image()))
                .expected("HEALTHCHECK CMD <probe>")
                .at(input.at(last.from)),
        )],
    }
}
