use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};

use super::{Command, DOCKERFILE_CHECK, runs};
use crate::check::{Check, Runner};
use crate::scan::input::DockerfileInput;

pub static DOCKERFILE_UPDATE_WITHOUT_INSTALL: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-update-without-install",
        title: "Package index updates run in the same RUN as the install",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        cis: &[CisRef::docker("4.7", "1.13.0")],
        rationale: "A RUN that only refreshes the package index is cached as its own layer. Later builds reuse the stale index and install outdated packages, missing security fixes.",
        audit: "Fails a RUN that updates the index (`apt-get update`, `apt update`, `apk update`, `yum/dnf makecache`, `zypper refresh`) without installing or upgrading in the same RUN.",
        remediation: "Combine them: `RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*`.",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(update_without_install),
};

pub static DOCKERFILE_PACKAGE_SIGNATURE_UNCHECKED: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-package-signature-unchecked",
        title: "Package managers verify package signatures",
        severity: Severity::High,
        stride: &[Stride::Tampering],
        cis: &[CisRef::docker("4.11", "1.13.0")],
        rationale: "Signature checks are what stop a mirror, proxy or man in the middle from serving a modified package. Switching them off installs whatever arrives.",
        audit: "Fails RUN commands with `apk add --allow-untrusted`, `apt-get --allow-unauthenticated`, `--force-yes` or `--allow-insecure-repositories`, `yum/dnf/tdnf/microdnf --nogpgcheck` or `gpgcheck=0`, and `rpm --nosignature`, `--nodigest` or `--noverify`.",
        remediation: "Remove the option and import the repository's signing key instead (`apt-key`/`signed-by=`, `rpm --import`, `apk` keys in /etc/apk/keys).",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(signature_unchecked),
};

pub static DOCKERFILE_TLS_VERIFICATION_DISABLED: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-tls-verification-disabled",
        title: "Downloads during the build verify TLS certificates",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::Spoofing],
        rationale: "Without certificate checks any network position between the builder and the server can replace what is downloaded: scripts, packages, binaries that end up in the image.",
        audit: "Fails `curl -k/--insecure`, `wget --no-check-certificate`, `pip --trusted-host`, `git -c http.sslVerify=false` or `git config http.sslVerify false`, `npm/yarn config set strict-ssl false`, `--setopt=sslverify=0`, and ENV values that switch verification off (PYTHONHTTPSVERIFY=0, NODE_TLS_REJECT_UNAUTHORIZED=0, NPM_CONFIG_STRICT_SSL=false, GIT_SSL_NO_VERIFY, PIP_TRUSTED_HOST).",
        remediation: "Remove the option and make the certificate verifiable: install the CA (`COPY ca.crt /usr/local/share/ca-certificates/ && update-ca-certificates`).",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(tls_disabled),
};

fn is_update(command: &Command) -> bool {
    command.is("apt-get", "update")
        || command.is("apt", "update")
        || command.is("apk", "update")
        || command.is("yum", "makecache")
        || command.is("dnf", "makecache")
        || command.is("zypper", "refresh")
        || command.is("zypper", "ref")
}

fn is_install(command: &Command) -> bool {
    ["apt-get", "apt"].iter().any(|p| {
        [
            "install",
            "upgrade",
            "dist-upgrade",
            "full-upgrade",
            "build-dep",
        ]
        .iter()
        .any(|s| command.is(p, s))
    }) || command.is("apk", "add")
        || command.is("apk", "upgrade")
        || ["yum", "dnf", "microdnf", "tdnf"].iter().any(|p| {
            command.is(p, "install") || command.is(p, "update") || command.is(p, "upgrade")
        })
        || ["install", "in", "update", "up"]
            .iter()
            .any(|s| command.is("zypper", s))
        || matches!(command.program(), Some("install_packages" | "apt-install"))
}

fn update_without_install(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (instruction, commands) in runs(input) {
        let Some(update) = commands.iter().find(|c| is_update(c)) else {
            continue;
        };
        if commands.iter().any(is_install) {
            continue;
        }
        findings.push(
            input.finding(
                meta,
                Status::Fail,
                format!(
                    "`{}` runs in a RUN without an install: the cached index goes stale",
                    update.words.join(" ")
                ),
                Evidence::observed(format!("RUN {}", instruction.args))
                    .expected("update and install in one RUN")
                    .at(update.location.clone()),
            ),
        );
    }
    findings
}

fn signature_unchecked(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, commands) in runs(input) {
        for command in &commands {
            let program = command.program().unwrap_or("");
            let bad = match program {
                "apk" => command
                    .has_word("--allow-untrusted")
                    .then_some("--allow-untrusted"),
                "apt-get" | "apt" | "aptitude" => [
                    "--allow-unauthenticated",
                    "--force-yes",
                    "--allow-insecure-repositories",
                ]
                .into_iter()
                .find(|o| command.has_word(o)),
                "yum" | "dnf" | "tdnf" | "microdnf" | "zypper" => {
                    if command.has_word("--nogpgcheck") || command.has_word("--no-gpg-checks") {
                        Some("--nogpgcheck")
                    } else if command
                        .words
                        .iter()
                        .any(|w| w.contains("gpgcheck=0") || w.contains("gpgcheck=false"))
                    {
                        Some("gpgcheck=0")
                    } else {
                        None
                    }
                }
                "rpm" => [
                    "--nosignature",
                    "--nodigest",
                    "--noverify",
                    "--nofiledigest",
                ]
                .into_iter()
                .find(|o| command.has_word(o)),
                _ => None,
            };
            if let Some(option) = bad {
                findings.push(input.finding(
                    meta,
                    Status::Fail,
                    format!("{program} runs with {option}: packages are installed without signature checks"),
                    Evidence::observed(command.words.join(" "))
                        .expected(format!("{program} without {option}"))
                        .at(command.location.clone()),
                ));
            }
        }
    }
    findings
}

/// The TLS-disabling option of a command, if it has one.
fn insecure_option(command: &Command) -> Option<String> {
    let program = command.program()?;
    match program {
        "curl" => command
            .words
            .iter()
            .find(|w| {
                *w == "-k"
                    || *w == "--insecure"
                    || (w.starts_with('-')
                        && !w.starts_with("--")
                        && w.len() > 2
                        && w.contains('k'))
            })
            .cloned(),
        "wget" => command
            .has_word("--no-check-certificate")
            .then(|| "--no-check-certificate".to_owned()),
        "pip" | "pip3" | "pipenv" | "poetry" => command
            .words
            .iter()
            .find(|w| w.starts_with("--trusted-host"))
            .cloned(),
        "git" => {
            let lower: Vec<String> = command
                .words
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect();
            let off = lower.iter().any(|w| w.contains("http.sslverify=false"))
                || lower
                    .windows(2)
                    .any(|p| p[0] == "http.sslverify" && p[1] == "false");
            off.then(|| "http.sslVerify false".to_owned())
        }
        "npm" | "yarn" | "pnpm" => {
            let set = command.words.iter().position(|w| w == "strict-ssl");
            set.and_then(|i| command.words.get(i + 1))
                .filter(|v| *v == "false")
                .map(|_| "strict-ssl false".to_owned())
                .or_else(|| {
                    command
                        .has_word("--strict-ssl=false")
                        .then(|| "--strict-ssl=false".to_owned())
                })
        }
        "yum" | "dnf" | "microdnf" | "yum-config-manager" | "dnf-config-manager" => command
            .words
            .iter()
            .find(|w| {
                let l = w.to_ascii_lowercase();
                l.contains("sslverify=0") || l.contains("sslverify=false")
            })
            .cloned(),
        _ => None,
    }
}

const INSECURE_ENV: &[(&str, &[&str])] = &[
    ("PYTHONHTTPSVERIFY", &["0"]),
    ("NODE_TLS_REJECT_UNAUTHORIZED", &["0"]),
    ("NPM_CONFIG_STRICT_SSL", &["false", "0"]),
    ("GIT_SSL_NO_VERIFY", &["*"]),
    ("PIP_TRUSTED_HOST", &["*"]),
    ("CURL_INSECURE", &["1", "true"]),
];

fn tls_disabled(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, commands) in runs(input) {
        for command in &commands {
            if let Some(option) = insecure_option(command) {
                findings.push(
                    input.finding(
                        meta,
                        Status::Fail,
                        format!(
                            "{} runs with `{option}`: TLS certificates are not verified",
                            command.program().unwrap_or("")
                        ),
                        Evidence::observed(command.words.join(" "))
                            .expected("certificate verification on")
                            .at(command.location.clone()),
                    ),
                );
            }
        }
    }
    for instruction in input
        .dockerfile
        .instructions
        .iter()
        .filter(|i| matches!(i.keyword.as_str(), "ENV" | "ARG"))
    {
        for kv in instruction.key_values() {
            let Some(value) = kv.value.as_deref() else {
                continue;
            };
            let insecure = INSECURE_ENV.iter().any(|(name, values)| {
                kv.key.eq_ignore_ascii_case(name)
                    && !value.is_empty()
                    && (values.contains(&"*")
                        || values.iter().any(|v| v.eq_ignore_ascii_case(value)))
            });
            if insecure {
                findings.push(
                    input.finding(
                        meta,
                        Status::Fail,
                        format!(
                            "{} {}={value} switches TLS certificate checks off",
                            instruction.keyword, kv.key
                        ),
                        Evidence::observed(format!("{}={value}", kv.key))
                            .expected("unset")
                            .at(input.at_offset(instruction, kv.key_offset)),
                    ),
                );
            }
        }
    }
    findings
}
