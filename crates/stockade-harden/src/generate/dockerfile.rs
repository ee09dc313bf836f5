//! Dockerfile patches: ADD → COPY, a non-root user at the end of the final
//! stage, and a HEALTHCHECK template. Each is a byte-range replacement of
//! the scanned text; lines around it stay as written.

use std::path::Path;

use stockade_checks::Check;
use stockade_core::Finding;
use stockade_core::fix::{Applicability, Change, Effort, Fix};
use stockade_parse::dockerfile::{self, Dockerfile, Instruction, Stage, substitute};

use super::{file_position, refusal};
use crate::sources::{Source, Sources};
use crate::yaml_edit::layout::Lines;

/// The unprivileged user the patches create.
pub const UID: u32 = 10001;

/// Instructions that only describe how the image runs: the new USER and
/// HEALTHCHECK go before them, after the last build step.
const RUNTIME: &[&str] = &[
    "CMD",
    "ENTRYPOINT",
    "EXPOSE",
    "HEALTHCHECK",
    "LABEL",
    "STOPSIGNAL",
    "VOLUME",
    "ONBUILD",
    "MAINTAINER",
];

pub fn handles(check: &str) -> bool {
    matches!(
        check,
        "dockerfile-add-instead-of-copy" | "dockerfile-runs-as-root" | "dockerfile-no-healthcheck"
    )
}

pub fn fix(check: &Check, finding: &Finding, sources: &Sources) -> Option<Fix> {
    let (path, line, _) = file_position(finding)?;
    let source = sources.get(path)?;
    let parsed = dockerfile::parse(&source.text);
    if let Some(problem) = parsed.problems.first() {
        return Some(refusal(
            format!("Fix {path} by hand ({})", check.meta.id),
            format!(
                "{path}:{}:{}: {}: stockade does not patch a Dockerfile it cannot parse. Fix that line, then: {}",
                problem.line, problem.column, problem.message, check.meta.remediation
            ),
        ));
    }
    match check.meta.id {
        "dockerfile-add-instead-of-copy" => add_to_copy(path, line, source, &parsed),
        "dockerfile-runs-as-root" => non_root_user(path, source, &parsed),
        "dockerfile-no-healthcheck" => healthcheck(path, source, &parsed),
        _ => None,
    }
}

/// Options COPY accepts as ADD does.
const COPY_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude", "parents", "from"];

fn add_to_copy(path: &str, line: u32, source: &Source, parsed: &Dockerfile) -> Option<Fix> {
    let instruction = parsed
        .instructions
        .iter()
        .find(|i| i.keyword == "ADD" && i.line == line)?;
    let title = format!("Use COPY instead of ADD at {path}:{line}");
    if let Some(flag) = instruction
        .flags
        .iter()
        .find(|f| !COPY_FLAGS.contains(&f.name.as_str()))
    {
        return Some(refusal(
            title,
            format!(
                "{path}:{line}: ADD --{} has no COPY equivalent: rewrite the instruction by hand.",
                flag.name
            ),
        ));
    }
    let context = source.local.parent().unwrap_or(Path::new("."));
    if let Some(archive) = sources_of(instruction)
        .into_iter()
        .find(|s| is_archive(&context.join(s)))
    {
        return Some(refusal(
            title,
            format!(
                "{path}:{line}: `{archive}` is an archive by its content, which ADD unpacks and COPY would not: keep ADD here (and name the file .tar so readers know)."
            ),
        ));
    }
    let lines = Lines::new(&source.text);
    let start = lines.offset(instruction.line, instruction.column);
    let old = source.text.get(start..start + 3)?.to_owned();
    let new = if old == old.to_ascii_lowercase() {
        "copy"
    } else {
        "COPY"
    };
    Some(Fix {
        title,
        applicability: Applicability::Safe,
        changes: vec![Change::ReplaceText {
            path: path.to_owned(),
            start,
            end: start + 3,
            old,
            text: new.to_owned(),
        }],
        effort: Effort::Low,
        risk: "None for plain files and directories: COPY copies them exactly as ADD did. A source that is a compressed or tar archive without an archive's name would no longer be unpacked; stockade checked the sources it could find in the build context.".to_owned(),
        needs_daemon_restart: false,
    })
}

/// The local sources of ADD (every argument but the destination), skipping
/// those named by variables or globs, which cannot be looked at.
fn sources_of(instruction: &Instruction) -> Vec<String> {
    let words: Vec<String> = match instruction.exec_form() {
        Some(argv) => argv,
        None => instruction
            .words()
            .into_iter()
            .map(|(_, w)| w.to_owned())
            .collect(),
    };
    let n = words.len().saturating_sub(1);
    words
        .into_iter()
        .take(n)
        .filter(|w| !w.contains(['$', '*', '?', '[']))
        .collect()
}

/// Whether a file starts like a tar archive or a compressed stream.
fn is_archive(path: &Path) -> bool {
    // A FIFO or device is not an archive (and is never opened blocking).
    let shown = path.display().to_string();
    let Ok(head) = stockade_collect::bounded::read_head(path, &shown, 512) else {
        return false;
    };
    let magic: &[&[u8]] = &[
        &[0x1f, 0x8b],                         // gzip
        b"BZh",                                // bzip2
        &[0xfd, b'7', b'z', b'X', b'Z', 0x00], // xz
        &[0x28, 0xb5, 0x2f, 0xfd],             // zstd
    ];
    magic.iter().any(|m| head.starts_with(m)) || head.get(257..262) == Some(b"ustar")
}

/// The final stage and the base image it ultimately builds on.
fn final_stage(parsed: &Dockerfile) -> Option<(Stage<'_>, String)> {
    let stages = parsed.stages();
    let last = *stages.last()?;
    let globals = parsed.global_args();
    let mut image = substitute(last.image(), &globals);
    let mut position = stages.len() - 1;
    // `FROM build AS final`: follow the chain to the external image.
    for _ in 0..stages.len() {
        let Some(parent) = stages[..position]
            .iter()
            .rposition(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(&image)))
        else {
            break;
        };
        position = parent;
        image = substitute(stages[parent].image(), &globals);
    }
    Some((last, image.to_ascii_lowercase()))
}

/// The last line of the final stage's build steps: new run-time settings
/// go right after it.
fn build_end(stage: &Stage<'_>) -> u32 {
    stage
        .instructions
        .iter()
        .rev()
        .find(|i| !RUNTIME.contains(&i.keyword.as_str()))
        .unwrap_or(stage.from)
        .end_line
}

/// Text inserted after line `line`.
fn insertion(path: &str, source: &Source, line: u32, body: &str) -> Change {
    let lines = Lines::new(&source.text);
    let at = lines.after_line(line);
    let eol = lines.eol;
    let mut text = String::new();
    if at == source.text.len() && !source.text.is_empty() && !source.text.ends_with('\n') {
        text.push_str(eol);
    }
    for body_line in body.lines() {
        text.push_str(body_line);
        text.push_str(eol);
    }
    Change::ReplaceText {
        path: path.to_owned(),
        start: at,
        end: at,
        old: String::new(),
        text,
    }
}

/// How to create a user on the base image, when stockade can tell.
fn create_user(image: &str) -> Option<String> {
    let name = image.rsplit('/').next().unwrap_or(image);
    if image.contains("alpine") || name.starts_with("busybox") {
        return Some(format!(
            "RUN addgroup -S -g {UID} app && adduser -S -D -H -u {UID} -G app app"
        ));
    }
    if [
        "distroless",
        "scratch",
        "static",
        "minimal",
        "micro",
        "chainguard",
    ]
    .iter()
    .any(|k| image.contains(k))
    {
        return None;
    }
    const SHADOW: &[&str] = &[
        "debian",
        "ubuntu",
        "buildpack-deps",
        "python",
        "node",
        "golang",
        "ruby",
        "php",
        "perl",
        "rust",
        "openjdk",
        "eclipse-temurin",
        "amazoncorretto",
        "maven",
        "gradle",
        "centos",
        "fedora",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "oraclelinux",
        "ubi",
    ];
    SHADOW.iter().any(|k| name.starts_with(k)).then(|| {
        format!(
            "RUN groupadd --system --gid {UID} app && useradd --system --uid {UID} --gid app --no-create-home --shell /usr/sbin/nologin app"
        )
    })
}

fn non_root_user(path: &str, source: &Source, parsed: &Dockerfile) -> Option<Fix> {
    let (stage, image) = final_stage(parsed)?;
    let title = format!("Run {path}'s image as an unprivileged user (UID {UID})");
    if parsed.escape == '`'
        || ["windows", "nanoserver", "servercore"]
            .iter()
            .any(|k| image.contains(k))
    {
        return Some(refusal(
            title,
            format!(
                "{path}: a Windows image: end the final stage with `USER ContainerUser` (the built-in unprivileged account) and check the application's file permissions."
            ),
        ));
    }
    let mut body = String::new();
    let created = create_user(&image);
    if let Some(run) = &created {
        body.push_str(run);
        body.push('\n');
    }
    body.push_str(&format!("USER {UID}:{UID}\n"));
    let where_from = match &created {
        Some(_) => format!("a system user `app` (UID {UID}) created on `{image}`"),
        None => format!(
            "the numeric UID {UID} (stockade does not know how `{image}` creates users; a UID without a passwd entry works, with HOME=/)"
        ),
    };
    Some(Fix {
        title,
        applicability: Applicability::Unsafe,
        changes: vec![insertion(path, source, build_end(&stage), &body)],
        effort: Effort::Medium,
        risk: format!(
            "The container then runs as {where_from}. Files it writes at run time must belong to that user (COPY --chown={UID}:{UID}, or chown in a RUN before USER), it can no longer bind ports below 1024, and an entrypoint that expects root (to install packages or drop privileges itself) fails."
        ),
        needs_daemon_restart: false,
    })
}

fn healthcheck(path: &str, source: &Source, parsed: &Dockerfile) -> Option<Fix> {
    let (stage, _) = final_stage(parsed)?;
    let port = stage
        .instructions
        .iter()
        .filter(|i| i.keyword == "EXPOSE")
        .flat_map(|i| i.words().into_iter().map(|(_, w)| w.to_owned()))
        .find_map(|w| {
            let port = w.split('/').next().unwrap_or("");
            port.parse::<u16>().ok()
        });
    let probe = match port {
        Some(port) => format!("wget -q -O /dev/null http://127.0.0.1:{port}/ || exit 1"),
        None => "<a command that exits 0 while the service works>".to_owned(),
    };
    let template = format!(
        "HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD {probe}"
    );
    let existing = stage
        .instructions
        .iter()
        .rev()
        .find(|i| i.keyword == "HEALTHCHECK");
    let change = match existing {
        // `HEALTHCHECK NONE`: replace it.
        Some(none) => {
            let lines = Lines::new(&source.text);
            let start = lines.offset(none.line, none.column);
            let end = lines.offset(none.end_line, 1) + lines.line(none.end_line).len();
            Change::ReplaceText {
                path: path.to_owned(),
                start,
                end,
                old: source.text.get(start..end)?.to_owned(),
                text: template,
            }
        }
        None => insertion(path, source, build_end(&stage), &template),
    };
    Some(Fix {
        title: format!("Add a HEALTHCHECK to {path}"),
        applicability: Applicability::DisplayOnly,
        changes: vec![change],
        effort: Effort::Medium,
        risk: match port {
            Some(port) => format!(
                "A template: the probe assumes wget in the image and an HTTP answer on port {port}; adapt the URL (a health endpoint) and the command to the service. A probe that fails marks the container unhealthy, and orchestrators then restart it."
            ),
            None => "A template: replace the placeholder with a command that checks the service (an HTTP health endpoint, a client ping). A probe that fails marks the container unhealthy, and orchestrators then restart it.".to_owned(),
        },
        needs_daemon_restart: false,
    })
}
