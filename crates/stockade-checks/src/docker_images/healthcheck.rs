use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::{Finding, Severity};

use super::IMAGE_CHECK;
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::{each_image, image_field};

pub static IMAGE_HEALTHCHECK_MISSING: Check = Check {
    meta: CheckMeta {
        id: "image-healthcheck-missing",
        title: "Images define a HEALTHCHECK",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        cis: &[CisRef::docker("4.6", "1.13.0")],
        rationale: "A HEALTHCHECK in the image gives every container started from it a way to report that it works, not merely that its process exists, so the daemon and orchestrators can restart or route around a broken one.",
        audit: "Reads Config.Healthcheck of each image (GET /images/{id}/json): absent fails, and so does `HEALTHCHECK NONE`.",
        remediation: "Add a HEALTHCHECK instruction to the Dockerfile (`HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1`) and rebuild.",
        ..IMAGE_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_image(meta, ctx.workload(), |image| match &image.inspect {
        Probe::Error(reason) => {
            Finding::error(meta, format!("could not inspect the image: {reason}"))
        }
        Probe::Ok(inspect) => match &inspect.config.healthcheck {
            Some(check) if check.is_active() => Finding::pass(meta, "defines a health check")
                .evidence(image_field(
                    image,
                    "Config.Healthcheck.Test",
                    check.test.join(" "),
                    "a health check",
                )),
            Some(_) => Finding::fail(meta, "disables the health check (HEALTHCHECK NONE)")
                .evidence(image_field(
                    image,
                    "Config.Healthcheck.Test",
                    "NONE",
                    "a HEALTHCHECK instruction",
                )),
            None => Finding::fail(meta, "has no HEALTHCHECK").evidence(image_field(
                image,
                "Config.Healthcheck",
                "(none)",
                "a HEALTHCHECK instruction",
            )),
        },
    })
}
