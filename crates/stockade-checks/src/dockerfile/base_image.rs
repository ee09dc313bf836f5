use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::dockerfile::{Stage, substitute};

use super::DOCKERFILE_CHECK;
use crate::check::{Check, Runner};
use crate::image_ref::{ImageRef, Pinning};
use crate::scan::input::DockerfileInput;

pub static DOCKERFILE_BASE_IMAGE_LATEST: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-base-image-latest",
        title: "Base images name a version tag, not `latest` or nothing",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        rationale: "`latest` (which is also what an untagged name means) moves: the same Dockerfile builds a different image next week, with other packages and other vulnerabilities, and nobody reviewed the change.",
        audit: "Resolves each FROM with the ARG defaults declared before it, then fails images without a tag or with the tag `latest` (unless pinned by digest). `scratch`, references to earlier stages and images named only by an unset build argument are skipped.",
        remediation: "Name a version: `FROM python:3.12-slim`, or better a digest: `FROM python:3.12-slim@sha256:<digest>`.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(latest),
};

pub static DOCKERFILE_BASE_IMAGE_NOT_PINNED: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-base-image-not-pinned",
        title: "Base images are pinned by digest",
        severity: Severity::Info,
        stride: &[Stride::Tampering],
        rationale: "A tag can be re-pushed. Only a digest (`@sha256:…`) guarantees that the reviewed base image is the one built on; it also makes builds reproducible.",
        audit: "Reports (as info) each FROM with a tag but no digest. Images without a usable tag are reported by dockerfile-base-image-latest instead.",
        remediation: "Append the digest: `FROM alpine:3.20@sha256:<digest>`; let a bot (Renovate, Dependabot) keep it current.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(not_pinned),
};

/// The base image of each stage, resolved, with earlier stages skipped.
fn external_bases<'a>(input: &DockerfileInput<'a>) -> Vec<(Stage<'a>, String)> {
    let vars = input.dockerfile.global_args();
    let stages = input.dockerfile.stages();
    let mut bases = Vec::new();
    for (index, stage) in stages.iter().enumerate() {
        let written = stage.image();
        let resolved = substitute(written, &vars);
        let earlier = stages[..index]
            .iter()
            .any(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(&resolved)));
        let unresolved =
            resolved.is_empty() || resolved.ends_with(':') || resolved.starts_with(':');
        if earlier || unresolved || resolved.eq_ignore_ascii_case("scratch") {
            continue;
        }
        bases.push((*stage, resolved));
    }
    bases
}

fn shown(stage: &Stage<'_>, resolved: &str) -> String {
    if stage.image() == resolved {
        format!("FROM {resolved}")
    } else {
        format!("FROM {} (= {resolved})", stage.image())
    }
}

fn latest(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    external_bases(input)
        .into_iter()
        .filter_map(|(stage, resolved)| {
            let message = match ImageRef::parse(&resolved).pinning() {
                Pinning::Untagged => {
                    format!("base image {resolved} has no tag, so it means `latest`")
                }
                Pinning::Latest => format!("base image {resolved} uses the moving `latest` tag"),
                Pinning::Tagged | Pinning::Digest => return None,
            };
            Some(
                input.finding(
                    meta,
                    Status::Fail,
                    message,
                    Evidence::observed(shown(&stage, &resolved))
                        .expected("a version tag or a digest")
                        .at(input.at(stage.from)),
                ),
            )
        })
        .collect()
}

fn not_pinned(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    external_bases(input)
        .into_iter()
        .filter(|(_, resolved)| ImageRef::parse(resolved).pinning() == Pinning::Tagged)
        .map(|(stage, resolved)| {
            input.finding(
                meta,
                Status::Info,
                format!("base image {resolved} is not pinned by digest"),
                Evidence::observed(shown(&stage, &resolved))
                    .expected(format!("{resolved}@sha256:<digest>"))
                    .at(input.at(stage.from)),
            )
        })
        .collect()
}
