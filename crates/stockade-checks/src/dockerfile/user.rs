use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::dockerfile::substitute;

use super::{DOCKERFILE_CHECK, final_chain, stage_vars};
use crate::check::{Check, Runner};
use crate::scan::input::DockerfileInput;

pub static DOCKERFILE_RUNS_AS_ROOT: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-runs-as-root",
        title: "The image's final stage switches to a non-root USER",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::docker("4.1", "1.13.0")],
        rationale: "Without a USER instruction the container's processes run as root (UID 0). A bug in the application then hands the attacker root inside the container, which is one kernel bug or one mount away from root on the host.",
        audit: "Follows the final stage (and the earlier stages it is built FROM) to its last USER instruction, with ARG/ENV values substituted. Missing USER, `USER root`, `USER 0` and `USER 0:0` fail. Earlier build stages may run as root: their image is not shipped.",
        remediation: "Create an unprivileged user and switch to it at the end of the final stage: `RUN useradd --uid 10001 --no-create-home app` then `USER 10001`.",
        fix: FixAvailability::Sometimes,
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(run),
};

fn run(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let chain = final_chain(input.dockerfile);
    let Some(last) = chain.first() else {
        return Vec::new();
    };
    for stage in &chain {
        let user = stage
            .instructions
            .iter()
            .enumerate()
            .rev()
            .find(|(_, i)| i.keyword == "USER");
        if let Some((index, instruction)) = user {
            let vars = stage_vars(input.dockerfile, stage, index);
            let value = substitute(instruction.args.trim(), &vars);
            let name = value.split(':').next().unwrap_or("").trim();
            if name == "root" || name == "0" {
                return vec![
                    input.finding(
                        meta,
                        Status::Fail,
                        format!(
                            "the final stage runs as root (`USER {}`)",
                            instruction.args.trim()
                        ),
                        Evidence::observed(format!("USER {}", instruction.args.trim()))
                            .expected("USER <non-root user or UID>")
                            .at(input.at(instruction)),
                    ),
                ];
            }
            return Vec::new();
        }
    }
    vec![input.finding(
        meta,
        Status::Fail,
        "the final stage sets no USER: the container runs as root unless its base image switches user",
        Evidence::observed(format!("no USER instruction after FROM {}", last.image()))
            .expected("USER <non-root user or UID> in the final stage")
            .at(input.at(last.from)),
    )]
}
