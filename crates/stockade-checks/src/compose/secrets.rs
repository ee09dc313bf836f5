use stockade_core::mask::mask_value;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::compose::environment;

use super::COMPOSE_CHECK;
use crate::check::{Check, Runner};
use crate::scan::input::ServiceInput;
use crate::secrets;

pub static COMPOSE_HARDCODED_SECRET: Check = Check {
    meta: CheckMeta {
        id: "compose-hardcoded-secret",
        title: "Secrets are not written in the Compose file",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure],
        rationale: "A password in the Compose file lives in version control, in every clone and in `docker inspect` output of the container, readable by anyone with access to the Docker API.",
        audit: "Fails `environment` entries with a literal value (not `${VAR}`) under a secret-looking name, and any value shaped like a known credential. Values are masked in every output.",
        remediation: "Use Compose `secrets:` (files mounted under /run/secrets) or interpolate from an untracked .env file: `DB_PASSWORD: ${DB_PASSWORD}`.",
        ..COMPOSE_CHECK
    },
    runner: Runner::ComposeService(run),
};

fn run(meta: &CheckMeta, input: &ServiceInput<'_>) -> Vec<Finding> {
    let Some(node) = input.service.get("environment") else {
        return Vec::new();
    };
    environment(node)
        .into_iter()
        .filter_map(|var| {
            let value = var.value.as_deref()?;
            let reason = secrets::judge(&var.name, value)?;
            Some(input.finding(
                meta,
                Status::Fail,
                format!("service `{}`: {reason}", input.service.name),
                var.node,
                format!("{}={}", var.name, mask_value(value)),
                format!("{}: ${{{}}} or a Compose secret", var.name, var.name),
            ))
        })
        .collect()
}
