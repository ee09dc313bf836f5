//! Compose patches, per service: read_only, no-new-privileges, cap_drop
//! ALL, memory and PIDs limits, a non-root user. Each is a YAML edit at
//! `services.<name>` that keeps the file's comments and layout.

use serde_json::{Value, json};
use stockade_checks::Check;
use stockade_core::Finding;
use stockade_core::finding::SubjectKind;
use stockade_core::fix::{Applicability, Change, Effort, Fix, YamlStep};
use stockade_parse::compose;
use stockade_parse::yaml::{self, Node};

use super::{dockerfile::UID, file_position, refusal};
use crate::sources::Sources;

pub fn handles(check: &str) -> bool {
    matches!(
        check,
        "compose-root-filesystem-writable"
            | "compose-no-new-privileges-missing"
            | "compose-net-raw-not-dropped"
            | "compose-memory-unlimited"
            | "compose-pids-unlimited"
            | "compose-runs-as-root"
    )
}

/// A change at `services.<name>.<keys…>`.
struct Service<'a> {
    path: &'a str,
    name: &'a str,
    document: usize,
}

impl Service<'_> {
    fn at(&self, keys: &[&str]) -> Vec<YamlStep> {
        let mut at = vec![YamlStep::key("services"), YamlStep::key(self.name)];
        at.extend(keys.iter().map(|k| YamlStep::key(k)));
        at
    }

    fn set(&self, keys: &[&str], value: Value) -> Change {
        Change::SetYaml {
            path: self.path.to_owned(),
            document: self.document,
            at: self.at(keys),
            value,
        }
    }
}

pub fn fix(check: &Check, finding: &Finding, sources: &Sources) -> Option<Fix> {
    let (path, _, _) = file_position(finding)?;
    let subject = finding.subject.as_ref()?;
    if subject.kind != SubjectKind::ComposeService {
        return None;
    }
    let source = sources.get(path)?;
    let documents = match yaml::load(&source.text) {
        Ok(documents) => documents,
        Err(error) => {
            return Some(refusal(
                format!("Fix {path} by hand ({})", check.meta.id),
                format!(
                    "{path}:{}:{}: not valid YAML ({}): stockade does not patch a file it cannot parse.",
                    error.line, error.column, error.message
                ),
            ));
        }
    };
    let name = subject.name.as_str();
    let (document, node) = documents.iter().enumerate().find_map(|(i, doc)| {
        if !compose::is_compose(doc) {
            return None;
        }
        compose::services(doc)
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| (i, s.node))
    })?;
    let service = Service {
        path,
        name,
        document,
    };
    let fix = |title: String, applicability, changes, risk: &str| Fix {
        title,
        applicability,
        changes,
        effort: Effort::Low,
        risk: risk.to_owned(),
        needs_daemon_restart: false,
    };
    match check.meta.id {
        "compose-root-filesystem-writable" => Some(fix(
            format!("Make service `{name}`'s root filesystem read-only"),
            Applicability::Unsafe,
            vec![service.set(&["read_only"], json!(true))],
            "Writes outside volumes fail: give the service `tmpfs:` entries (/tmp, /run, caches) or volumes for the paths it writes before applying.",
        )),
        "compose-no-new-privileges-missing" => {
            let disabled = node
                .get("security_opt")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .position(|item| {
                    item.as_str().is_some_and(|t| {
                        t.trim()
                            .to_ascii_lowercase()
                            .starts_with("no-new-privileges")
                    })
                });
            let change = match disabled {
                Some(index) => {
                    let mut at = service.at(&["security_opt"]);
                    at.push(YamlStep::Index(index));
                    Change::SetYaml {
                        path: path.to_owned(),
                        document,
                        at,
                        value: json!("no-new-privileges:true"),
                    }
                }
                None => Change::AddYamlItem {
                    path: path.to_owned(),
                    document,
                    at: service.at(&["security_opt"]),
                    item: json!("no-new-privileges:true"),
                },
            };
            Some(fix(
                format!("Forbid privilege gain in service `{name}` (no-new-privileges)"),
                Applicability::Safe,
                vec![change],
                "setuid programs (sudo, su, older ping) no longer gain privileges inside the service's containers.",
            ))
        }
        "compose-net-raw-not-dropped" => {
            let re_added = node
                .get("cap_add")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .find(|c| {
                    c.as_str().is_some_and(|t| {
                        let t = t.trim().to_ascii_uppercase();
                        t == "NET_RAW" || t == "CAP_NET_RAW" || t == "ALL"
                    })
                });
            if let Some(item) = re_added {
                return Some(refusal(
                    format!("Stop adding NET_RAW back to service `{name}`"),
                    format!(
                        "{path}:{}:{}: `cap_add: {}` gives the capability back: remove it if the service does not send raw packets (ping, packet capture).",
                        item.line,
                        item.column,
                        item.as_str().unwrap_or("")
                    ),
                ));
            }
            Some(fix(
                format!("Drop every capability of service `{name}` (cap_drop: [ALL])"),
                Applicability::Unsafe,
                vec![Change::AddYamlItem {
                    path: path.to_owned(),
                    document,
                    at: service.at(&["cap_drop"]),
                    item: json!("ALL"),
                }],
                "Services that bind ports below 1024, change file ownership or switch users at start (many official images' entrypoints) need those capabilities back: add them under cap_add (NET_BIND_SERVICE, CHOWN, SETUID, SETGID).",
            ))
        }
        "compose-memory-unlimited" => {
            let change = if node.path(&["deploy", "resources", "limits"]).is_some() {
                service.set(&["deploy", "resources", "limits", "memory"], json!("512M"))
            } else {
                service.set(&["mem_limit"], json!("512m"))
            };
            Some(fix(
                format!("Limit service `{name}`'s memory"),
                Applicability::Unsafe,
                vec![change],
                "512 MB is a placeholder: a service that needs more is OOM-killed. Set it from the service's real use (`docker stats`).",
            ))
        }
        "compose-pids-unlimited" => {
            let change = if node.get("pids_limit").is_some() {
                service.set(&["pids_limit"], json!(200))
            } else if node.path(&["deploy", "resources", "limits"]).is_some() {
                service.set(&["deploy", "resources", "limits", "pids"], json!(200))
            } else {
                service.set(&["pids_limit"], json!(200))
            };
            Some(fix(
                format!("Limit the processes of service `{name}`"),
                Applicability::Unsafe,
                vec![change],
                "200 is a placeholder: a service forking many workers or threads fails to start more. Check its process count (`docker top`).",
            ))
        }
        "compose-runs-as-root" => Some(fix(
            format!("Run service `{name}` as an unprivileged user (UID {UID})"),
            Applicability::Unsafe,
            vec![service.set(&["user"], json!(format!("{UID}:{UID}")))],
            "The image's files must be readable (and its data paths writable) by that UID; entrypoints that need root to set up (chown, package installs, binding ports below 1024) fail.",
        )),
        _ => None,
    }
}
