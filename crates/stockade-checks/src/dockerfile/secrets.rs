use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::mask::mask_value;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};

use super::{DOCKERFILE_CHECK, runs};
use crate::check::{Check, Runner};
use crate::scan::input::DockerfileInput;
use crate::secrets;

pub static DOCKERFILE_HARDCODED_SECRET: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-hardcoded-secret",
        title: "No secrets are written into the image or its build history",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure],
        cis: &[CisRef::docker("4.10", "1.13.0")],
        rationale: "ENV values are part of the image configuration and ARG values are kept in its history: anyone who can pull the image (`docker history`, `docker inspect`) reads them. Secret files copied into a layer stay there even when a later layer deletes them.",
        audit: "Fails ENV, ARG and LABEL values that are literal (not `$VAR`) under a secret-looking name (password, token, secret, api key, credential, access key) or that look like a credential whatever the name (AWS, GitHub, GitLab, Slack, Stripe, Google keys, private keys). Warns on secret-named ARGs without a default (the value passed with --build-arg lands in the history), on COPY/ADD of key or credential files, and on `chpasswd` in RUN. Values are masked in every output.",
        remediation: "Pass secrets at build time with BuildKit secret mounts (`RUN --mount=type=secret,id=npm_token …`) and at run time through the orchestrator's secrets or environment, never in the Dockerfile.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(run),
};

/// File names that are credentials when copied into an image.
const SECRET_FILES: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".env",
    "credentials",
    ".git-credentials",
    ".dockercfg",
];
const SECRET_EXTENSIONS: &[&str] = &[".pem", ".key", ".p12", ".pfx", ".keystore"];

fn run(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for instruction in &input.dockerfile.instructions {
        match instruction.keyword.as_str() {
            "ENV" | "ARG" | "LABEL" => {
                for kv in instruction.key_values() {
                    let at = input.at_offset(instruction, kv.key_offset);
                    match &kv.value {
                        Some(value) => {
                            if let Some(reason) = secrets::judge(&kv.key, value) {
                                findings.push(
                                    input.finding(
                                        meta,
                                        Status::Fail,
                                        format!("{} {reason}", instruction.keyword),
                                        Evidence::observed(format!(
                                            "{} {}={}",
                                            instruction.keyword,
                                            kv.key,
                                            mask_value(value)
                                        ))
                                        .expected("a secret mount or a runtime secret")
                                        .at(at),
                                    ),
                                );
                            }
                        }
                        None if instruction.keyword == "ARG" && secrets::secret_name(&kv.key) => {
                            findings.push(input.finding(
                                meta,
                                Status::Warn,
                                format!("build argument {} will carry a secret into the image history", kv.key),
                                Evidence::observed(format!("ARG {}", kv.key))
                                    .expected("RUN --mount=type=secret,id=<name>")
                                    .at(at),
                            ));
                        }
                        None => {}
                    }
                }
            }
            "COPY" | "ADD" => {
                for (offset, word) in instruction.words() {
                    let base = word
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or(word);
                    let lower = base.to_ascii_lowercase();
                    if SECRET_FILES.contains(&lower.as_str())
                        || SECRET_EXTENSIONS.iter().any(|e| lower.ends_with(e))
                    {
                        findings.push(
                            input.finding(
                                meta,
                                Status::Warn,
                                format!("{} puts {word} into an image layer", instruction.keyword),
                                Evidence::observed(format!("{} {word}", instruction.keyword))
                                    .expected("RUN --mount=type=secret or a runtime secret")
                                    .at(input.at_offset(instruction, offset)),
                            ),
                        );
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    for (_, commands) in runs(input) {
        for command in commands.iter().filter(|c| c.program() == Some("chpasswd")) {
            findings.push(
                input.finding(
                    meta,
                    Status::Fail,
                    "RUN sets a password with chpasswd: it is readable in the image history",
                    Evidence::observed("chpasswd")
                        .expected("no passwords set at build time")
                        .at(command.location.clone()),
                ),
            );
        }
    }
    findings
}
