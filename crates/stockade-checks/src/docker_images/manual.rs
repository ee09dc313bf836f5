//! Image controls that need a human: stockade lists the images to review
//! and says what to look at.

use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::workload::Image;
use stockade_core::{Finding, Severity};

use super::IMAGE_CHECK;
use crate::check::{Check, Runner};
use crate::context::HostContext;

/// Fields every manual image control shares.
const MANUAL_IMAGE_CHECK: CheckMeta = CheckMeta {
    mode: CheckMode::Manual,
    ..IMAGE_CHECK
};

/// One `manual` finding naming every selected image, with `guidance`.
fn review(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    guidance: &str,
    detail: fn(&Image) -> String,
) -> Vec<Finding> {
    let images = match ctx.workload().images(meta) {
        Ok(images) => images,
        Err(finding) => return vec![finding],
    };
    if images.is_empty() {
        return vec![ctx.workload().nothing_to_judge(meta, "images")];
    }
    vec![
        Finding::manual(meta, format!("{guidance} ({} image(s))", images.len()))
            .evidences(images.iter().map(|image| Evidence::observed(detail(image)))),
    ]
}

fn name(image: &Image) -> String {
    image.display_name()
}

pub static IMAGE_BASE_UNTRUSTED: Check = Check {
    meta: CheckMeta {
        id: "image-base-untrusted",
        title: "Containers use only trusted base images",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        cis: &[CisRef::docker("4.2", "1.13.0")],
        rationale: "An image from an unknown publisher can carry a backdoor, a miner or simply years of unpatched packages; every container built on it inherits them.",
        audit: "Cannot be decided from the host: stockade lists the images so a reviewer can check where each comes from (official or internally built bases, signed, from a registry you control).",
        remediation: "Build from official or in-house base images pulled from a registry you control, with content trust on; scan images before use.",
        ..MANUAL_IMAGE_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "confirm each image comes from a trusted publisher and registry",
            name,
        )
    }),
};

pub static IMAGE_UNNEEDED_PACKAGES: Check = Check {
    meta: CheckMeta {
        id: "image-unneeded-packages",
        title: "Images contain no unnecessary packages",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::docker("4.3", "1.13.0")],
        rationale: "Every package in an image is attack surface and patch work: shells, compilers and network tools left in a runtime image are what an intruder uses next.",
        audit: "Cannot be decided from the host without unpacking layers: stockade lists the images to review.",
        remediation: "Use minimal or distroless bases and multi-stage builds that copy only the artefact into the runtime image.",
        ..MANUAL_IMAGE_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(meta, ctx, "review the packages each image installs", name)
    }),
};

pub static IMAGE_NOT_REBUILT: Check = Check {
    meta: CheckMeta {
        id: "image-not-rebuilt",
        title: "Images are scanned and rebuilt to include security patches",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        cis: &[CisRef::docker("4.4", "1.13.0")],
        rationale: "An image is frozen at build time: the vulnerabilities found in its packages since then stay until it is rebuilt from a patched base and its containers are recreated.",
        audit: "Vulnerability data is not on the host: stockade lists each image with its build age so stale ones stand out; scanning is left to a scanner.",
        remediation: "Scan images in CI and on a schedule (trivy, grype), rebuild from updated bases, redeploy.",
        ..MANUAL_IMAGE_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "scan each image and rebuild the stale ones",
            |image| match image_age_days(image) {
                Some(days) => format!(
                    "{}: built {days} day(s) before the audit",
                    image.display_name()
                ),
                None => image.display_name(),
            },
        )
    }),
};

/// Days between an image's creation and now, when the clock allows.
fn image_age_days(image: &Image) -> Option<i64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let now = i64::try_from(now).ok()?;
    (image.created > 0).then(|| (now - image.created) / 86_400)
}

pub static IMAGE_SETUID_FILES: Check = Check {
    meta: CheckMeta {
        id: "image-setuid-files",
        title: "Images carry no unneeded setuid or setgid files",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::docker("4.8", "1.13.0")],
        rationale: "A setuid-root binary in an image is a ready-made privilege escalation for any process in the container that is not root (unless no-new-privileges is set).",
        audit: "Reading every file of every layer is left out of the audit: stockade lists the images and the command that finds such files.",
        remediation: "Find them with `docker run --rm --entrypoint find IMAGE / -xdev -perm /6000 -type f` and strip the bits at build time (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`); also run containers with no-new-privileges.",
        ..MANUAL_IMAGE_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "list setuid and setgid files with `docker run --rm --entrypoint find IMAGE / -xdev -perm /6000 -type f`",
            name,
        )
    }),
};

pub static IMAGE_PACKAGES_UNVERIFIED: Check = Check {
    meta: CheckMeta {
        id: "image-packages-unverified",
        title: "Images install only verified packages",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        cis: &[CisRef::docker("4.11", "1.13.0")],
        rationale: "Packages fetched without signature checks (`--allow-unauthenticated`, `curl | sh`, disabled GPG checks) can be swapped in transit or at the source.",
        audit: "Cannot be decided from the host: stockade lists the images whose Dockerfiles need reviewing.",
        remediation: "Install from signed repositories with verification on; pin and checksum anything downloaded directly.",
        ..MANUAL_IMAGE_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "check that each image's packages come from signed, verified sources",
            name,
        )
    }),
};

pub static IMAGE_SIGNATURES_UNVALIDATED: Check = Check {
    meta: CheckMeta {
        id: "image-signatures-unvalidated",
        title: "Signed artifacts are validated",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::Spoofing],
        cis: &[CisRef::docker("4.12", "1.4.0")],
        rationale: "A signature is only worth something when someone checks it: artifacts copied into images and images promoted between registries should have their signatures verified first.",
        audit: "Cannot be decided from the host: stockade lists the images whose build and promotion pipeline needs reviewing.",
        remediation: "Verify signatures (cosign verify, docker trust inspect, package signatures) in the pipeline before building on or promoting an artifact.",
        ..MANUAL_IMAGE_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "check that each image's inputs were signature-checked",
            name,
        )
    }),
};
