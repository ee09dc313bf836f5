use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::dockerfile::Instruction;

use super::{DOCKERFILE_CHECK, vars_at};
use crate::check::{Check, Runner};
use crate::scan::input::DockerfileInput;
use stockade_parse::dockerfile::substitute;

pub static DOCKERFILE_ADD_INSTEAD_OF_COPY: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-add-instead-of-copy",
        title: "Local files are copied with COPY, not ADD",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        cis: &[CisRef::docker("4.9", "1.13.0")],
        rationale: "ADD does more than copy: it unpacks archives and fetches URLs. Used for plain files it hides that behaviour, so a source that later becomes an archive is silently extracted into the image.",
        audit: "Fails each ADD whose sources are local files that are not archives. ADD of a local archive (`.tar`, `.tar.gz`, `.tgz`, …) is ADD's intended use and passes; ADD of a URL is judged by dockerfile-add-from-url.",
        remediation: "Replace `ADD src dest` with `COPY src dest`.",
        fix: FixAvailability::Sometimes,
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(add_instead_of_copy),
};

pub static DOCKERFILE_ADD_FROM_URL: Check = Check {
    meta: CheckMeta {
        id: "dockerfile-add-from-url",
        title: "Remote files are fetched with a verified download, not ADD <url>",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        rationale: "ADD <url> downloads whatever the server returns at build time, with no integrity check: a compromised or hijacked host puts its own file in the image.",
        audit: "Fails each ADD with an http(s) or git source unless it carries `--checksum=sha256:…` (BuildKit verifies it).",
        remediation: "Pin the content: `ADD --checksum=sha256:<digest> <url> <dest>`, or download with curl in a RUN and verify the checksum (`echo \"<sha256>  file\" | sha256sum -c -`).",
        ..DOCKERFILE_CHECK
    },
    runner: Runner::Dockerfile(add_from_url),
};

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz",
    ".bz2", ".xz",
];

fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("git@")
}

/// The source arguments of ADD (every word but the last), with offsets,
/// build variables substituted where they are known.
fn sources(input: &DockerfileInput<'_>, instruction: &Instruction) -> Vec<(usize, String)> {
    let vars = vars_at(input.dockerfile, instruction);
    written_sources(instruction)
        .into_iter()
        .filter_map(|(offset, source)| {
            let resolved = substitute(&source, &vars);
            // A source naming only unknown variables cannot be judged.
            (!resolved.is_empty()).then_some((offset, resolved))
        })
        .collect()
}

fn written_sources(instruction: &Instruction) -> Vec<(usize, String)> {
    if !instruction.heredocs.is_empty() {
        return Vec::new();
    }
    if let Some(argv) = instruction.exec_form() {
        let n = argv.len().saturating_sub(1);
        return argv.into_iter().take(n).map(|s| (0, s)).collect();
    }
    let words = instruction.words();
    let n = words.len().saturating_sub(1);
    words
        .into_iter()
        .take(n)
        .map(|(offset, w)| (offset, w.to_owned()))
        .collect()
}

fn add_instead_of_copy(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for instruction in input
        .dockerfile
        .instructions
        .iter()
        .filter(|i| i.keyword == "ADD")
    {
        let sources = sources(input, instruction);
        if sources.is_empty() || sources.iter().any(|(_, s)| is_url(s)) {
            continue;
        }
        let archive = sources.iter().any(|(_, s)| {
            let lower = s.to_ascii_lowercase();
            ARCHIVES.iter().any(|a| lower.ends_with(a))
        });
        if archive {
            continue;
        }
        findings.push(
            input.finding(
                meta,
                Status::Fail,
                "ADD copies local files: use COPY, which does not unpack or fetch",
                Evidence::observed(format!("ADD {}", instruction.args))
                    .expected(format!("COPY {}", instruction.args))
                    .at(input.at(instruction)),
            ),
        );
    }
    findings
}

fn add_from_url(meta: &CheckMeta, input: &DockerfileInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for instruction in input
        .dockerfile
        .instructions
        .iter()
        .filter(|i| i.keyword == "ADD")
    {
        if instruction.flag("checksum").is_some() {
            continue;
        }
        for (offset, source) in sources(input, instruction)
            .iter()
            .filter(|(_, s)| is_url(s))
        {
            findings.push(
                input.finding(
                    meta,
                    Status::Fail,
                    format!("ADD downloads {source} without verifying its content"),
                    Evidence::observed(format!("ADD {source}"))
                        .expected("ADD --checksum=sha256:<digest>, or a verified download in RUN")
                        .at(input.at_offset(instruction, *offset)),
                ),
            );
        }
    }
    findings
}
