//! Reading one file: decoding, recognising what it is, parsing, and running
//! every selected rule on each of its stages, services or objects.

use stockade_core::finding::{Evidence, Subject};
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::{Finding, Location, Severity};
use stockade_parse::compose_env::DotEnv;
use stockade_parse::compose_extends;
use stockade_parse::dockerfile;
use stockade_parse::k8s::Object;
use stockade_parse::yaml::{self, Node};
use stockade_parse::{compose, ignore};

use super::ignores::IgnoreRule;
use super::input::{
    DockerfileInput, NamespaceFact, ObjectInput, PodInput, ServiceInput, SourceFile,
};
use super::{Candidate, FileKind, FileScan, Mask};
use crate::check::{Check, Runner};
use crate::secrets;

const SCAN_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "scan",
    scope: Scope::File,
    severity: Severity::Info,
    stride: &[Stride::Tampering],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

pub static FILE_PARSE_ERROR: Check = Check {
    meta: CheckMeta {
        id: "file-parse-error",
        title: "Every Dockerfile, Compose file and Kubernetes manifest can be read and parsed",
        severity: Severity::High,
        rationale: "A file stockade cannot parse is a file nobody has checked: its containers may run privileged without any rule saying so. Docker, Compose and kubectl reject most such files too, so the error usually points at a real defect.",
        audit: "Reports files that cannot be read (permissions, symlink loops), that are binary or not UTF-8, that exceed the size limit, that are not valid YAML as libyaml reads it (including alias bombs, and duplicate keys in Compose files), or Dockerfile lines that are not instructions. The finding names the file, line and column and the reason; the rest of the scan goes on and the exit code is 2.",
        remediation: "Fix the syntax at the reported position, or exclude the file from the scan (.gitignore or a narrower path) if it is not meant to be deployed.",
        ..SCAN_CHECK
    },
    runner: Runner::Scan,
};

pub static TEMPLATE_NOT_SCANNED: Check = Check {
    meta: CheckMeta {
        id: "template-not-scanned",
        title: "Templated manifests are rendered before they are scanned",
        severity: Severity::Info,
        rationale: "Helm and other Go templates (`{{ … }}`) are not Kubernetes YAML until rendered; judging the template text would miss what the values turn on and off.",
        audit: "Files whose lines start with `{{` template directives, or that only fail to parse because of them, are listed as not scanned.",
        remediation: "Render the chart (`helm template CHART > rendered.yaml`) and scan the output.",
        ..SCAN_CHECK
    },
    runner: Runner::Scan,
};

pub static YAML_DUPLICATE_KEY: Check = Check {
    meta: CheckMeta {
        id: "yaml-duplicate-key",
        title: "No key is written twice in one mapping of a Kubernetes manifest",
        severity: Severity::Medium,
        rationale: "The Kubernetes decoder (and kubectl, libyaml, PyYAML) keeps the last value of a key written twice and silently drops the first: a reviewer who reads `privileged: false` may miss the `privileged: true` further down that the cluster actually runs.",
        audit: "Reports every key written again in the same mapping of a Kubernetes manifest, naming the key and both lines. The rules judge the last value, as the cluster does. In a Compose file a duplicate key is a `file-parse-error` instead, because `docker compose` refuses such files.",
        remediation: "Delete the entry that is not meant (usually the first), so the file says once what the cluster runs.",
        ..SCAN_CHECK
    },
    runner: Runner::Scan,
};

pub static IGNORE_WITHOUT_REASON: Check = Check {
    meta: CheckMeta {
        id: "ignore-without-reason",
        title: "Every ignore comment or annotation says why",
        severity: Severity::Low,
        stride: &[Stride::Repudiation],
        rationale: "A silenced finding without a reason cannot be reviewed later: nobody knows whether the risk was accepted on purpose.",
        audit: "Reports `# stockade:ignore <id>` comments and `stockade.dev/ignore` annotations that have no `-- <reason>` after the ids. The ignore still applies.",
        remediation: "Add the reason after two dashes: `# stockade:ignore dockerfile-no-user -- build stage only`.",
        ..SCAN_CHECK
    },
    runner: Runner::Scan,
};

pub static IGNORE_UNUSED: Check = Check {
    meta: CheckMeta {
        id: "ignore-unused",
        title: "Every ignore comment or annotation silences a finding",
        severity: Severity::Low,
        stride: &[Stride::Repudiation],
        rationale: "An ignore that matches nothing is stale (the problem was fixed or moved) or mistyped (it silences nothing while the author believes it does).",
        audit: "Reports ignores naming an unknown check id, and ignores for a check that ran but found nothing on the line or object the ignore covers.",
        remediation: "Remove the stale ignore, or correct the check id (`stockade rules` lists them).",
        ..SCAN_CHECK
    },
    runner: Runner::Scan,
};

/// Files larger than this many bytes are not parsed.
pub(super) fn unreadable(path: &str, reason: &str) -> FileScan {
    let mut scan = FileScan::new(path, FileKind::Unreadable);
    scan.findings.push(
        Finding::error(&FILE_PARSE_ERROR.meta, reason.to_owned())
            .subject(Subject::file(path))
            .evidence(Evidence::observed(reason.to_owned()).at(Location::file(path))),
    );
    scan
}

fn parse_error(path: &str, line: u32, column: u32, message: &str) -> Finding {
    Finding::error(&FILE_PARSE_ERROR.meta, message.to_owned())
        .subject(Subject::file(path))
        .evidence(
            Evidence::observed(message.to_owned())
                .expected("valid syntax")
                .at(Location::file_at(path, line, column)),
        )
}

pub(super) fn scan_bytes(
    path: &str,
    candidate: Candidate,
    bytes: &[u8],
    checks: &[&Check],
) -> Option<FileScan> {
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return match candidate {
            Candidate::Dockerfile => Some(unreadable(
                path,
                "binary file (contains NUL bytes), not a Dockerfile",
            )),
            // A manifest or Compose file with binary content is reported;
            // other binary .json/.yaml is data stockade does not judge.
            Candidate::Yaml
                if is_compose_name(path)
                    || looks_like_manifest(&String::from_utf8_lossy(bytes)) =>
            {
                Some(unreadable(
                    path,
                    "binary content (NUL bytes) in a Kubernetes manifest or Compose file",
                ))
            }
            Candidate::Yaml => None,
        };
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let reason = format!("not UTF-8 text (invalid byte on line {line})");
            return match candidate {
                Candidate::Dockerfile => Some(unreadable(path, &reason)),
                Candidate::Yaml if looks_like_manifest(&String::from_utf8_lossy(bytes)) => {
                    Some(unreadable(path, &reason))
                }
                Candidate::Yaml => None,
            };
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match candidate {
        Candidate::Dockerfile => Some(scan_dockerfile(path, text, checks)),
        Candidate::Yaml => scan_yaml(path, text, checks),
    }
}

fn scan_dockerfile(path: &str, text: &str, checks: &[&Check]) -> FileScan {
    let mut scan = FileScan::new(path, FileKind::Dockerfile);
    let parsed = dockerfile::parse(text);
    for problem in &parsed.problems {
        scan.findings.push(parse_error(
            path,
            problem.line,
            problem.column,
            &problem.message,
        ));
    }
    if !parsed.instructions.iter().any(|i| i.keyword == "FROM") {
        scan.findings.push(parse_error(
            path,
            1,
            1,
            "no FROM instruction: not a Dockerfile that can be built",
        ));
    }
    let input = DockerfileInput {
        file: SourceFile { path, text },
        dockerfile: &parsed,
    };
    scan.subjects = 1;
    for check in checks {
        if let Runner::Dockerfile(run) = check.runner {
            scan.findings.extend(run(&check.meta, &input));
        }
    }
    scan.masks = dockerfile_masks(&parsed);
    scan.ignores = comment_ignores(text);
    scan.source = Some(text.to_owned());
    scan
}

/// Secret values of ENV, ARG and LABEL instructions.
fn dockerfile_masks(parsed: &dockerfile::Dockerfile) -> Vec<Mask> {
    let mut masks = Vec::new();
    for instruction in &parsed.instructions {
        // `echo "user:password" | chpasswd`: hide the whole command line.
        if instruction.keyword == "RUN" && instruction.args.contains("chpasswd") {
            let (line, column) = instruction.position_of(0);
            masks.push(Mask {
                line,
                column,
                len: None,
            });
            continue;
        }
        if !matches!(instruction.keyword.as_str(), "ENV" | "ARG" | "LABEL") {
            continue;
        }
        for kv in instruction.key_values() {
            let (Some(value), Some((offset, len))) = (&kv.value, kv.value_span) else {
                continue;
            };
            if secrets::judge(&kv.key, value).is_some() {
                let (line, column) = instruction.position_of(offset);
                let raw = instruction.args.get(offset..offset + len).unwrap_or("");
                masks.push(Mask {
                    line,
                    column,
                    len: Some(crate::text_len(raw)),
                });
            }
        }
    }
    masks
}

/// Go template syntax outside quoted strings: `{{- if .Values.x }}` or
/// `name: {{ .Release.Name }}`. (`args: ["{{inputs.x}}"]` is a string.)
fn is_template(text: &str) -> bool {
    text.contains("{{")
        && text.lines().any(|line| {
            let Some(at) = line.find("{{") else {
                return false;
            };
            let before = &line[..at];
            before.matches('"').count() % 2 == 0 && before.matches('\'').count() % 2 == 0
        })
}

/// Whether unparsable YAML was meant to be a manifest or a Compose file.
fn looks_like_manifest(text: &str) -> bool {
    let top_level = |key: &str| text.lines().any(|l| l.starts_with(key));
    (top_level("apiVersion:") && top_level("kind:"))
        || top_level("services:")
        || (text.contains("\"apiVersion\"") && text.contains("\"kind\""))
}

fn scan_yaml(path: &str, text: &str, checks: &[&Check]) -> Option<FileScan> {
    // Cheap filter: skip YAML/JSON that cannot be a manifest or Compose file.
    let maybe_manifest = text.contains("apiVersion") && text.contains("kind");
    if !maybe_manifest && !text.contains("services") {
        return None;
    }
    if is_template(text) {
        return looks_like_manifest(text).then(|| template(path, text));
    }
    let loaded = match yaml::load_stream(text) {
        Ok(loaded) => loaded,
        Err(error) => return unparsable(path, text, error.line, error.column, &error.message),
    };
    let compose = is_compose_name(path) || loaded.documents.iter().any(compose::is_compose);
    if compose && let Some(duplicate) = loaded.duplicates.first() {
        // `docker compose` refuses a file with a duplicate key.
        let message = format!(
            "duplicated key `{}` in mapping (first written on line {})",
            duplicate.key, duplicate.first_line
        );
        return unparsable(path, text, duplicate.line, duplicate.column, &message);
    }
    let documents = loaded.documents;
    let file = SourceFile { path, text };
    let mut scan = FileScan::new(path, FileKind::Kubernetes);
    let mut recognised = false;
    for document in &documents {
        if compose::is_compose(document) {
            recognised = true;
            scan.kind = FileKind::Compose;
            let resolved = with_extends(path, document);
            scan_compose(
                &mut scan,
                file,
                resolved.as_ref().unwrap_or(document),
                checks,
            );
            continue;
        }
        let objects = Object::all_in(document);
        recognised |= !objects.is_empty();
        for object in objects {
            scan_object(&mut scan, file, object, checks);
        }
    }
    if !recognised {
        return None;
    }
    scan.findings
        .extend(loaded.duplicates.iter().map(|d| duplicate_key(path, d)));
    scan.ignores.extend(comment_ignores(text));
    scan.source = Some(text.to_owned());
    Some(scan)
}

/// A file that is not valid YAML (or that Compose refuses), when it looks
/// like a manifest or Compose file.
fn unparsable(path: &str, text: &str, line: u32, column: u32, message: &str) -> Option<FileScan> {
    if !looks_like_manifest(text) && !is_compose_name(path) {
        return None;
    }
    if text.contains("{{") {
        return Some(template(path, text));
    }
    let kind = if is_compose_name(path) {
        FileKind::Compose
    } else {
        FileKind::Kubernetes
    };
    let mut scan = FileScan::new(path, kind);
    scan.findings.push(parse_error(
        path,
        line,
        column,
        &format!("not valid YAML: {message}"),
    ));
    scan.source = Some(text.to_owned());
    Some(scan)
}

fn duplicate_key(path: &str, duplicate: &yaml::DuplicateKey) -> Finding {
    let key = &duplicate.key;
    let (first, last) = (duplicate.first_line, duplicate.line);
    Finding::fail(
        &YAML_DUPLICATE_KEY.meta,
        format!(
            "`{key}` is written twice in one mapping (lines {first} and {last}): the value on line {last} wins, the one on line {first} is ignored"
        ),
    )
    .subject(Subject::file(path))
    .evidence(
        Evidence::observed(format!("`{key}` again on line {last}"))
            .expected("each key once per mapping")
            .at(Location::file_at(path, last, duplicate.column)),
    )
    .evidence(
        Evidence::observed(format!("`{key}` first on line {first} (dropped)"))
            .at(Location::file_at(path, first, duplicate.first_column)),
    )
}

/// Largest `.env` file read for variable defaults.
const MAX_DOT_ENV_BYTES: u64 = 1 << 20;

/// The variables of the `.env` file beside a Compose file, as Compose reads
/// them from its project directory; none for standard input (no file of
/// that name on disk) or when absent.
fn dot_env_beside(path: &str) -> DotEnv {
    let path = std::path::Path::new(path);
    let Some(dir) = path.parent().filter(|_| path.is_file()) else {
        return DotEnv::default();
    };
    let dot_env = dir.join(".env");
    let small =
        std::fs::metadata(&dot_env).is_ok_and(|m| m.is_file() && m.len() <= MAX_DOT_ENV_BYTES);
    if !small {
        return DotEnv::default();
    }
    std::fs::read_to_string(&dot_env)
        .map(|text| DotEnv::parse(&text))
        .unwrap_or_default()
}

/// Largest Compose file read as the base of an `extends`.
const MAX_EXTENDED_FILE_BYTES: u64 = 8 << 20;

/// The Compose document with its services' `extends` merged in, when any
/// service extends another; bases in other files are read relative to the
/// Compose file.
fn with_extends(path: &str, document: &Node) -> Option<Node> {
    let extends = document
        .get("services")?
        .entries()
        .iter()
        .any(|e| e.value.get("extends").is_some());
    if !extends {
        return None;
    }
    let compose_path = std::path::Path::new(path);
    let dir = compose_path.parent().filter(|_| compose_path.is_file());
    let read = |name: &str| -> Option<String> {
        let other = dir?.join(name);
        let small = std::fs::metadata(&other)
            .is_ok_and(|m| m.is_file() && m.len() <= MAX_EXTENDED_FILE_BYTES);
        small
            .then(|| std::fs::read_to_string(&other).ok())
            .flatten()
    };
    Some(compose_extends::resolve(document, &read))
}

fn is_compose_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

fn template(path: &str, text: &str) -> FileScan {
    let mut scan = FileScan::new(path, FileKind::Template);
    let line = text
        .lines()
        .position(|l| l.contains("{{"))
        .map_or(1, |i| crate::to_u32(i + 1));
    scan.findings.push(
        Finding::info(
            &TEMPLATE_NOT_SCANNED.meta,
            "template directives (`{{ … }}`): render it first, then scan the output",
        )
        .subject(Subject::file(path))
        .evidence(
            Evidence::observed("Go template syntax")
                .expected("rendered YAML")
                .at(Location::file_at(path, line, 1)),
        ),
    );
    scan
}

fn scan_compose(scan: &mut FileScan, file: SourceFile<'_>, document: &Node, checks: &[&Check]) {
    let env = dot_env_beside(file.path);
    for service in compose::services(document) {
        scan.subjects += 1;
        let input = ServiceInput {
            file,
            service,
            env: &env,
        };
        for check in checks {
            if let Runner::ComposeService(run) = check.runner {
                scan.findings.extend(run(&check.meta, &input));
            }
        }
        if let Some(environment) = service.get("environment") {
            for var in compose::environment(environment) {
                if var
                    .value
                    .as_deref()
                    .is_some_and(|v| secrets::judge(&var.name, v).is_some())
                {
                    scan.masks.push(Mask {
                        line: var.node.line,
                        column: var.node.column + crate::to_u32(var.value_offset),
                        len: None,
                    });
                }
            }
        }
    }
}

fn scan_object(scan: &mut FileScan, file: SourceFile<'_>, object: Object<'_>, checks: &[&Check]) {
    scan.subjects += 1;
    let object_input = ObjectInput { file, object };
    for check in checks {
        if let Runner::K8sObject(run) = check.runner {
            scan.findings.extend(run(&check.meta, &object_input));
        }
    }
    let pod = object.pod();
    if let Some(pod) = pod {
        let input = PodInput { file, object, pod };
        for check in checks {
            if let Runner::K8sPod(run) = check.runner {
                scan.findings.extend(run(&check.meta, &input));
            }
        }
        for container in pod.containers() {
            for env in container
                .node
                .get("env")
                .map(Node::items)
                .unwrap_or_default()
            {
                let (Some(name), Some(value)) =
                    (env.get("name").and_then(Node::as_str), env.get("value"))
                else {
                    continue;
                };
                if secrets::judge(name, value.as_str().unwrap_or("")).is_some() {
                    scan.masks.push(Mask {
                        line: value.line,
                        column: value.column,
                        len: None,
                    });
                }
            }
        }
    }
    for (_, value, _) in crate::k8s_workloads::configmap_secrets(&object) {
        scan.masks.push(Mask {
            line: value.line,
            column: value.column,
            len: None,
        });
    }
    // Facts for the rules across files.
    match object.kind {
        "Namespace" => {
            if let Some(name) = object.name() {
                let at = object
                    .metadata()
                    .and_then(|m| m.get("name"))
                    .unwrap_or(object.node);
                scan.facts.namespaces.push(NamespaceFact {
                    name: name.to_owned(),
                    path: file.path.to_owned(),
                    line: at.line,
                    column: at.column,
                });
            }
        }
        "NetworkPolicy" => {
            if let Some(namespace) = object.namespace() {
                scan.facts.policy_namespaces.insert(namespace.to_owned());
            }
        }
        _ => {}
    }
    if pod.is_some()
        && let Some(namespace) = object.namespace()
    {
        scan.facts
            .workloads
            .push((namespace.to_owned(), object.display_name()));
    }
    // `stockade.dev/ignore` on the object or its pod template.
    let end_line = last_line(object.node);
    let annotations = [
        object.annotation(IGNORE_ANNOTATION),
        pod.and_then(|p| p.annotation(IGNORE_ANNOTATION)),
    ];
    for node in annotations.into_iter().flatten() {
        let (ids, reason) = ignore::annotation(node.as_str().unwrap_or(""));
        scan.ignores.push(IgnoreRule::object(
            node.line,
            node.column,
            object.node.line,
            end_line,
            ids,
            reason,
        ));
    }
}

/// The annotation that silences checks on one Kubernetes object.
pub const IGNORE_ANNOTATION: &str = "stockade.dev/ignore";

/// The last line any part of a node is written on.
fn last_line(node: &Node) -> u32 {
    let children = node
        .entries()
        .iter()
        .map(|e| last_line(&e.value).max(e.key.line))
        .chain(node.items().iter().map(last_line));
    children.fold(node.line, u32::max)
}

fn comment_ignores(text: &str) -> Vec<IgnoreRule> {
    ignore::comments(text)
        .into_iter()
        .map(IgnoreRule::comment)
        .collect()
}
