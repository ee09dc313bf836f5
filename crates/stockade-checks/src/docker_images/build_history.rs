//! Checks that read an image's build steps (GET /images/{id}/history).

use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::mask::looks_secret;
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::workload::{HistoryEntry, Image};
use stockade_core::{Finding, Severity};

use super::IMAGE_CHECK;
use crate::check::{Check, Runner};
use crate::context::HostContext;
use crate::workload::{each_image, image_field};

/// Dockerfile instructions as BuildKit writes them at the start of a step.
const INSTRUCTIONS: [&str; 16] = [
    "ADD ",
    "ARG ",
    "CMD ",
    "COPY ",
    "ENTRYPOINT ",
    "ENV ",
    "EXPOSE ",
    "HEALTHCHECK ",
    "LABEL ",
    "MAINTAINER ",
    "ONBUILD ",
    "SHELL ",
    "STOPSIGNAL ",
    "USER ",
    "VOLUME ",
    "WORKDIR ",
];

/// The instruction a history entry records, read from either builder's
/// spelling: `/bin/sh -c #(nop)  ENV X=1` (classic) or `ENV X=1` (BuildKit).
fn instruction(step: &str) -> Option<&'static str> {
    let step = step.trim();
    if step.is_empty() {
        return None;
    }
    if let Some((_, rest)) = step.split_once("#(nop)") {
        let rest = rest.trim_start();
        return INSTRUCTIONS
            .iter()
            .find(|i| rest.starts_with(**i))
            .map(|i| i.trim_end());
    }
    if step.starts_with("RUN ") {
        return Some("RUN");
    }
    Some(
        INSTRUCTIONS
            .iter()
            .find(|i| step.starts_with(**i))
            .map_or("RUN", |i| i.trim_end()),
    )
}

/// Each step with its history entry's position (0 = newest), or the error
/// finding for an image whose history could not be read.
fn steps<'a>(meta: &CheckMeta, image: &'a Image) -> Result<&'a [HistoryEntry], Finding> {
    match &image.history {
        Probe::Ok(entries) => Ok(entries),
        Probe::Error(reason) => Err(Finding::error(
            meta,
            format!("could not read the image's history: {reason}"),
        )),
    }
}

fn step_evidence(image: &Image, index: usize, entry: &HistoryEntry, expected: &str) -> Evidence {
    image_field(
        image,
        &format!("history[{index}].CreatedBy"),
        entry.created_by.trim(),
        expected,
    )
}

pub static IMAGE_UPDATE_INSTRUCTION_ALONE: Check = Check {
    meta: CheckMeta {
        id: "image-update-instruction-alone",
        title: "Package index updates are not a build step of their own",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        mode: CheckMode::Manual,
        cis: &[CisRef::docker("4.7", "1.13.0")],
        rationale: "`RUN apt-get update` on its own line is cached: later builds reuse the old package index and install outdated, possibly vulnerable, versions without anyone noticing.",
        audit: "Reads each image's build steps: a RUN step that refreshes a package index (apt-get/apt update, apk update, yum/dnf makecache, zypper refresh) without installing or upgrading in the same step warns. Steps that update and install together pass.",
        remediation: "Update and install in one RUN step with pinned versions: `RUN apt-get update && apt-get install -y pkg=1.2.3 && rm -rf /var/lib/apt/lists/*`, or build with --no-cache.",
        ..IMAGE_CHECK
    },
    runner: Runner::Host(update_alone),
};

const INDEX_UPDATES: [&str; 7] = [
    "apt-get update",
    "apt update",
    "apk update",
    "yum makecache",
    "dnf makecache",
    "zypper refresh",
    "zypper ref ",
];
const INSTALLS: [&str; 11] = [
    "apt-get install",
    "apt install",
    "apt-get upgrade",
    "apt-get dist-upgrade",
    "apt upgrade",
    "apk add",
    "apk upgrade",
    "yum install",
    "dnf install",
    "zypper install",
    "zypper in ",
];

fn update_alone(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_image(meta, ctx.workload(), |image| {
        let entries = match steps(meta, image) {
            Ok(entries) => entries,
            Err(finding) => return finding,
        };
        let alone: Vec<Evidence> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| instruction(&e.created_by) == Some("RUN"))
            .filter(|(_, e)| {
                let step = e.created_by.to_ascii_lowercase();
                INDEX_UPDATES.iter().any(|u| step.contains(u))
                    && !INSTALLS.iter().any(|i| step.contains(i))
            })
            .map(|(i, e)| {
                step_evidence(
                    image,
                    i,
                    e,
                    "the index update and the install in one RUN step",
                )
            })
            .collect();
        if alone.is_empty() {
            Finding::pass(meta, "has no package index update on a step of its own")
        } else {
            Finding::warn(
                meta,
                format!(
                    "updates a package index without installing in {} step(s)",
                    alone.len()
                ),
            )
            .evidences(alone)
        }
    })
}

pub static IMAGE_ADD_INSTRUCTION: Check = Check {
    meta: CheckMeta {
        id: "image-add-instruction",
        title: "Images are built with COPY rather than ADD",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        mode: CheckMode::Manual,
        cis: &[CisRef::docker("4.9", "1.13.0")],
        rationale: "ADD fetches URLs and unpacks archives on the fly: an unverified download or a crafted archive (path traversal, decompression bomb) lands in the image. COPY only copies local files.",
        audit: "Reads each image's build steps for ADD instructions. The oldest step is skipped when it is the ADD that unpacks a base image's root filesystem. ADD of a URL fails; other ADDs warn.",
        remediation: "Use COPY for local files; download with `RUN curl -fsSLo file URL && sha256sum -c` so the content is verified; unpack archives explicitly.",
        ..IMAGE_CHECK
    },
    runner: Runner::Host(add_instruction),
};

fn add_instruction(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_image(meta, ctx.workload(), |image| {
        let entries = match steps(meta, image) {
            Ok(entries) => entries,
            Err(finding) => return finding,
        };
        let base = entries.len().saturating_sub(1);
        let adds: Vec<(usize, &HistoryEntry)> = entries
            .iter()
            .enumerate()
            .filter(|(i, e)| *i != base && instruction(&e.created_by) == Some("ADD"))
            .collect();
        if adds.is_empty() {
            return Finding::pass(meta, "uses no ADD instruction");
        }
        let remote = adds
            .iter()
            .any(|(_, e)| e.created_by.contains("http://") || e.created_by.contains("https://"));
        let evidence = adds
            .iter()
            .map(|(i, e)| step_evidence(image, *i, e, "COPY, or a verified download"));
        let message = format!("uses ADD in {} build step(s)", adds.len());
        if remote {
            Finding::fail(meta, format!("{message}, fetching a URL")).evidences(evidence)
        } else {
            Finding::warn(meta, message).evidences(evidence)
        }
    })
}

pub static IMAGE_SECRETS_IN_BUILD: Check = Check {
    meta: CheckMeta {
        id: "image-secrets-in-build",
        title: "No secret is stored in an image's build",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure],
        mode: CheckMode::Manual,
        cis: &[CisRef::docker("4.10", "1.13.0")],
        rationale: "Anything passed with ENV or ARG, or copied into a layer, stays in the image: everyone who can pull it can read the secret with `docker history` or by unpacking the layers, even if a later step deletes it.",
        audit: "Reads each image's Config.Env and build steps for secret-looking names with a value (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIAL, ACCESS_KEY...) and credentials in URLs: any fails, shown masked. Files copied into layers are not examined, so an image without such traces is left for review.",
        remediation: "Pass build secrets with BuildKit secret mounts (`RUN --mount=type=secret,id=token ...`) and runtime secrets through a secret store or mounted files; rebuild the image and rotate every secret it exposed.",
        ..IMAGE_CHECK
    },
    runner: Runner::Host(secrets),
};

/// `DB_PASSWORD=****` words and `user:****@` URL credentials of a masked text.
fn secret_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split_whitespace()
        .filter_map(|word| {
            let (name, value) = word.split_once('=')?;
            // NAME_FILE variables conventionally hold the path of a secret, not the secret.
            let secret = looks_secret(name) && !name.to_ascii_uppercase().ends_with("_FILE");
            (secret && !value.is_empty()).then(|| name.to_owned())
        })
        .collect();
    if text.contains(":****@") {
        names.push("a URL with a password".to_owned());
    }
    names
}

fn secrets(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    each_image(meta, ctx.workload(), |image| {
        let entries = match steps(meta, image) {
            Ok(entries) => entries,
            Err(finding) => return finding,
        };
        let mut evidence = Vec::new();
        let mut names = Vec::new();
        if let Probe::Ok(inspect) = &image.inspect {
            let found: Vec<String> = inspect
                .config
                .env
                .iter()
                .flat_map(|e| secret_names(e))
                .collect();
            if !found.is_empty() {
                evidence.push(image_field(
                    image,
                    "Config.Env",
                    found
                        .iter()
                        .map(|n| format!("{n}=****"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    "no secret in the image's environment",
                ));
                names.extend(found);
            }
        }
        for (i, entry) in entries.iter().enumerate() {
            let found = secret_names(&entry.created_by);
            if !found.is_empty() {
                evidence.push(step_evidence(image, i, entry, "no secret in a build step"));
                names.extend(found);
            }
        }
        names.sort();
        names.dedup();
        if names.is_empty() {
            Finding::manual(
                meta,
                "no secret-looking ENV, ARG or URL in its build; files copied into its layers were not examined",
            )
        } else {
            Finding::fail(meta, format!("stores {} in its build", names.join(", ")))
                .evidences(evidence)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_builders_spellings_are_read() {
        assert_eq!(instruction("/bin/sh -c #(nop)  ENV A=1"), Some("ENV"));
        assert_eq!(
            instruction("/bin/sh -c #(nop) ADD file:abc in /x "),
            Some("ADD")
        );
        assert_eq!(instruction("/bin/sh -c apt-get update"), Some("RUN"));
        assert_eq!(instruction("|1 TOKEN=**** /bin/sh -c make"), Some("RUN"));
        assert_eq!(
            instruction("RUN /bin/sh -c apk update # buildkit"),
            Some("RUN")
        );
        assert_eq!(instruction("ADD app.tar.gz /srv # buildkit"), Some("ADD"));
        assert_eq!(instruction("COPY . /src # buildkit"), Some("COPY"));
        assert_eq!(instruction(""), None);
    }

    #[test]
    fn masked_secrets_are_recognised() {
        assert_eq!(
            secret_names("/bin/sh -c #(nop)  ENV DB_PASSWORD=**** MODE=prod"),
            ["DB_PASSWORD"]
        );
        assert!(secret_names("ENV PASSWORD=").is_empty());
        assert!(secret_names("ENV POSTGRES_PASSWORD_FILE=****").is_empty());
        assert_eq!(
            secret_names("RUN curl https://bob:****@host/x"),
            ["a URL with a password"]
        );
    }
}
