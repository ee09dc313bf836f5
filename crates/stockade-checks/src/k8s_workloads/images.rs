use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::{WORKLOAD_CHECK, label};
use crate::check::{Check, Runner};
use crate::image_ref::{ImageRef, Pinning};
use crate::scan::input::PodInput;

pub static K8S_IMAGE_LATEST_TAG: Check = Check {
    meta: CheckMeta {
        id: "k8s-image-latest-tag",
        title: "Container images name a version tag, not `latest` or nothing",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        rationale: "`latest` (also what an untagged image means) changes under the workload: nodes pull different code at different times, rollbacks cannot return to the reviewed image.",
        audit: "Fails containers whose image has no tag or the tag `latest`, unless pinned by digest.",
        remediation: "Name a version tag, ideally with its digest: `image: nginx:1.27.2@sha256:<digest>`.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(latest),
};

pub static K8S_IMAGE_NOT_PINNED: Check = Check {
    meta: CheckMeta {
        id: "k8s-image-not-pinned",
        title: "Container images are pinned by digest",
        severity: Severity::Info,
        stride: &[Stride::Tampering],
        rationale: "Tags can be re-pushed; only a digest guarantees that the image the cluster runs is the one that was reviewed and scanned.",
        audit: "Reports (as info) containers whose image has a tag but no digest. Untagged and `latest` images are reported by k8s-image-latest-tag.",
        remediation: "Append the digest: `image: app:1.4.2@sha256:<digest>`.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(not_pinned),
};

fn images<'a>(input: &PodInput<'a>) -> Vec<(String, &'a Node, String)> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| {
            let node = c.node.get("image")?;
            let image = node.as_str()?.to_owned();
            Some((label(&c), node, image))
        })
        .collect()
}

fn latest(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    images(input)
        .into_iter()
        .filter_map(|(who, node, image)| {
            let message = match ImageRef::parse(&image).pinning() {
                Pinning::Untagged => {
                    format!("{who} uses image {image} without a tag (means `latest`)")
                }
                Pinning::Latest => format!("{who} uses the moving tag `latest` ({image})"),
                _ => return None,
            };
            Some(input.finding(
                meta,
                Status::Fail,
                message,
                node,
                format!("image: {image}"),
                "a version tag or a digest",
            ))
        })
        .collect()
}

fn not_pinned(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    images(input)
        .into_iter()
        .filter(|(_, _, image)| ImageRef::parse(image).pinning() == Pinning::Tagged)
        .map(|(who, node, image)| {
            input.finding(
                meta,
                Status::Info,
                format!("{who} image {image} is not pinned by digest"),
                node,
                format!("image: {image}"),
                format!("{image}@sha256:<digest>"),
            )
        })
        .collect()
}
